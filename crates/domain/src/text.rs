//! Text normalisation for Vietnamese: NFC for storage and display, and a folded search key.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Unicode NFC with runs of whitespace collapsed: how names are stored, so that the same name
/// typed on different keyboards (composed or decomposed diacritics) compares equal.
pub fn clean(s: &str) -> String {
    s.nfc()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A whole number as Vietnamese write it, with a dot between groups of three: 31.439.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// The search key of a text: decomposed, combining marks dropped, đ/Đ → d, lower case, single
/// spaces. "Nguyễn Thị Hoa" and "nguyen thi hoa" fold to the same key; so do "Đức" and "duc"
/// (SQLite's FTS `remove_diacritics` does not fold đ, hence this key computed in Rust).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_are_grouped_the_vietnamese_way() {
        assert_eq!(group_digits(0), "0");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(31_439), "31.439");
        assert_eq!(group_digits(10_000_000), "10.000.000");
        assert_eq!(group_digits(u64::MAX), "18.446.744.073.709.551.615");
    }

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("Nguyễn Thị Hoa"), "nguyen thi hoa");
        assert_eq!(fold("  ĐẶNG   Văn Đức "), "dang van duc");
        assert_eq!(fold("Ơ-đu Ưng"), "o-du ung");
    }

    #[test]
    fn decomposed_and_composed_input_fold_alike() {
        let decomposed: String = "Nguyễn".nfd().collect();
        assert_eq!(fold(&decomposed), fold("Nguyễn"));
        assert_eq!(clean(&decomposed), "Nguyễn");
    }

    proptest! {
        #[test]
        fn fold_is_idempotent(s in "\\PC{0,40}") {
            let once = fold(&s);
            prop_assert_eq!(fold(&once), once.clone());
        }
    }
}
