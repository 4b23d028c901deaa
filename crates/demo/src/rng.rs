//! Deterministic randomness: one ChaCha8 stream per (seed, purpose, index), weighted tables, and a
//! keyed bijection used to turn unique counters into random-looking ID serials.
//!
//! Every random decision of the generator draws from a stream derived here, never from global
//! state, so the output depends on the seed only and any school (or person) can be regenerated in
//! isolation.

use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere: value-stable across platforms and cheap to seed.
pub(crate) type DemoRng = ChaCha8Rng;

/// What a stream is used for; part of its seed so that streams never overlap.
#[derive(Clone, Copy)]
pub(crate) enum Stream {
    Plan = 1,
    Learner = 3,
    Staff = 4,
    Permutation = 5,
    Ward = 6,
    Fault = 7,
    Marks = 8,
    Dx = 9,
    Admission = 10,
}

/// SplitMix64's finaliser: a fast, well-mixing bijection on `u64`.
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit hash of (seed, stream, index), for decisions that must be cheap to recompute.
pub(crate) fn hash(seed: u64, stream: Stream, index: u64) -> u64 {
    mix(mix(seed ^ mix(stream as u64)).wrapping_add(mix(index)))
}

/// The random stream of one (seed, purpose, index).
pub(crate) fn rng_for(seed: u64, stream: Stream, index: u64) -> DemoRng {
    let base = hash(seed, stream, index);
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(base.wrapping_add(i as u64)).to_le_bytes());
    }
    DemoRng::from_seed(bytes)
}

/// True with probability `p` (clamped to 0..=1).
pub(crate) fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    rng.random_bool(p.clamp(0.0, 1.0))
}

/// Uniform `f64` in `lo..hi`.
pub(crate) fn uniform<R: Rng + ?Sized>(rng: &mut R, lo: f64, hi: f64) -> f64 {
    lo + (hi - lo) * rng.random::<f64>()
}

/// A static table of items with integer weights, sampled by a linear scan (tables are short).
pub(crate) struct Weighted<T: 'static> {
    items: &'static [(T, u32)],
    total: u32,
}

impl<T: Copy> Weighted<T> {
    pub(crate) const fn new(items: &'static [(T, u32)]) -> Self {
        let mut total = 0;
        let mut i = 0;
        while i < items.len() {
            total += items[i].1;
            i += 1;
        }
        assert!(total > 0, "a weighted table needs a positive total weight");
        Weighted { items, total }
    }

    pub(crate) fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> T {
        pick_with_total(self.items, self.total, rng)
    }

    /// The share (0..=1) of the items matching `f`, by weight.
    #[cfg(test)]
    pub(crate) fn share(&self, f: impl Fn(&T) -> bool) -> f64 {
        let w: u32 = self
            .items
            .iter()
            .filter(|(t, _)| f(t))
            .map(|(_, w)| w)
            .sum();
        f64::from(w) / f64::from(self.total)
    }

    #[cfg(test)]
    pub(crate) fn items(&self) -> impl Iterator<Item = T> + '_ {
        self.items.iter().map(|&(t, _)| t)
    }
}

/// Picks an item with probability proportional to its weight (a linear scan: lists are short).
pub(crate) fn pick_weighted<T: Copy, R: Rng + ?Sized>(items: &[(T, u32)], rng: &mut R) -> T {
    pick_with_total(items, items.iter().map(|(_, w)| w).sum(), rng)
}

fn pick_with_total<T: Copy, R: Rng + ?Sized>(items: &[(T, u32)], total: u32, rng: &mut R) -> T {
    let mut r = rng.random_range(0..total);
    for &(item, w) in items {
        if r < w {
            return item;
        }
        r -= w;
    }
    unreachable!("r < total")
}

/// A keyed bijection of `0..n` (a 4-round Feistel network on the next even number of bits, with
/// cycle walking). Maps unique counters to unique, random-looking serials.
#[derive(Debug, Clone)]
pub(crate) struct Permutation {
    n: u32,
    half_bits: u32,
    keys: [u64; 4],
}

impl Permutation {
    pub(crate) fn new(n: u32, seed: u64, purpose: u64) -> Self {
        assert!(n >= 2, "permutation domain too small");
        let bits = u32::BITS - (n - 1).leading_zeros();
        let half_bits = bits.div_ceil(2);
        let keys =
            std::array::from_fn(|i| hash(seed, Stream::Permutation, purpose * 16 + i as u64));
        Permutation { n, half_bits, keys }
    }

    fn feistel(&self, x: u32) -> u32 {
        let mask = (1u32 << self.half_bits) - 1;
        let (mut l, mut r) = (x >> self.half_bits, x & mask);
        for k in self.keys {
            let f = (mix(k ^ u64::from(r)) as u32) & mask;
            (l, r) = (r, l ^ f);
        }
        (l << self.half_bits) | r
    }

    /// The image of `x` (< n).
    pub(crate) fn apply(&self, x: u32) -> u32 {
        assert!(
            x < self.n,
            "{x} outside the permutation domain 0..{}",
            self.n
        );
        let mut y = self.feistel(x);
        while y >= self.n {
            y = self.feistel(y);
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_bijection() {
        for n in [2u32, 7, 1000, 100_000] {
            let p = Permutation::new(n, 42, 3);
            let mut seen = vec![false; n as usize];
            for x in 0..n {
                let y = p.apply(x) as usize;
                assert!(!seen[y], "collision in 0..{n}");
                seen[y] = true;
            }
        }
    }

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let draw = |index| {
            let mut r = rng_for(1, Stream::Learner, index);
            (0..8).map(|_| r.random::<u32>()).collect::<Vec<_>>()
        };
        assert_eq!(draw(5), draw(5));
        assert_ne!(draw(5), draw(6));
    }
}
