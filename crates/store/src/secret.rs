//! Random bearer secrets (session cookies, API tokens) and the digests stored in their place:
//! a stolen copy of the database yields no usable session or token.

use password_hash::rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

/// A new random secret of 32 bytes, hex-encoded, with a prefix naming its use ("ts_" for tokens).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    format!("{prefix}{}", hex(&bytes))
}

/// The SHA-256 digest of a secret, hex-encoded: what the database keeps. (A fast hash is right
/// here: the secrets are 256-bit random, not guessable passwords.)
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_unique_and_digests_stable() {
        let a = super::new_secret("ts_");
        let b = super::new_secret("ts_");
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(super::digest(&a), super::digest(&a));
        assert_ne!(super::digest(&a), a);
    }
}
