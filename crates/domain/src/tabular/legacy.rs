//! The Vietnamese encodings of the font era, still written by older school software and by
//! spreadsheets typed in `.VnTime` or `VNI-Times` fonts: **TCVN3 (ABC)**, one byte a letter,
//! and **VNI** (VNI-Windows), a base letter followed by a byte for its marks. Read as Windows
//! code pages they give "TrÇn V¨n An" for "Trần Văn An", so they are recognised by which
//! reading yields Vietnamese syllables, and converted.

use unicode_normalization::UnicodeNormalization;

/// TCVN3 bytes and the letters they stand for. Upper-case toned vowels had no code (they were
/// typed with a second font of capitals at the same codes), see [`capitalise_like_neighbours`].
const TCVN3: &[(u8, char)] = &[
    (0xB5, 'à'),
    (0xB8, 'á'),
    (0xB6, 'ả'),
    (0xB7, 'ã'),
    (0xB9, 'ạ'),
    (0xA8, 'ă'),
    (0xBB, 'ằ'),
    (0xBE, 'ắ'),
    (0xBC, 'ẳ'),
    (0xBD, 'ẵ'),
    (0xC6, 'ặ'),
    (0xA9, 'â'),
    (0xC7, 'ầ'),
    (0xCA, 'ấ'),
    (0xC8, 'ẩ'),
    (0xC9, 'ẫ'),
    (0xCB, 'ậ'),
    (0xAE, 'đ'),
    (0xCC, 'è'),
    (0xD0, 'é'),
    (0xCE, 'ẻ'),
    (0xCF, 'ẽ'),
    (0xD1, 'ẹ'),
    (0xAA, 'ê'),
    (0xD2, 'ề'),
    (0xD5, 'ế'),
    (0xD3, 'ể'),
    (0xD4, 'ễ'),
    (0xD6, 'ệ'),
    (0xD7, 'ì'),
    (0xDD, 'í'),
    (0xD8, 'ỉ'),
    (0xDC, 'ĩ'),
    (0xDE, 'ị'),
    (0xDF, 'ò'),
    (0xE3, 'ó'),
    (0xE1, 'ỏ'),
    (0xE2, 'õ'),
    (0xE4, 'ọ'),
    (0xAB, 'ô'),
    (0xE5, 'ồ'),
    (0xE8, 'ố'),
    (0xE6, 'ổ'),
    (0xE7, 'ỗ'),
    (0xE9, 'ộ'),
    (0xAC, 'ơ'),
    (0xEA, 'ờ'),
    (0xED, 'ớ'),
    (0xEB, 'ở'),
    (0xEC, 'ỡ'),
    (0xEE, 'ợ'),
    (0xEF, 'ù'),
    (0xF3, 'ú'),
    (0xF1, 'ủ'),
    (0xF2, 'ũ'),
    (0xF4, 'ụ'),
    (0xAD, 'ư'),
    (0xF5, 'ừ'),
    (0xF8, 'ứ'),
    (0xF6, 'ử'),
    (0xF7, 'ữ'),
    (0xF9, 'ự'),
    (0xFA, 'ỳ'),
    (0xFD, 'ý'),
    (0xFB, 'ỷ'),
    (0xFC, 'ỹ'),
    (0xFE, 'ỵ'),
    (0xA1, 'Ă'),
    (0xA2, 'Â'),
    (0xA3, 'Ê'),
    (0xA4, 'Ô'),
    (0xA5, 'Ơ'),
    (0xA6, 'Ư'),
    (0xA7, 'Đ'),
];

/// Reads TCVN3 bytes (ASCII passes through; a byte without a letter is kept as Latin-1).
pub fn decode_tcvn3(bytes: &[u8]) -> String {
    let mut table = ['\0'; 256];
    for (b, c) in TCVN3 {
        table[usize::from(*b)] = *c;
    }
    bytes
        .iter()
        .map(|b| match table[usize::from(*b)] {
            '\0' => char::from(*b),
            c => c,
        })
        .collect()
}

/// The combining marks a VNI mark byte stands for (lower-case form; the upper-case form is the
/// byte less 0x20): a vowel quality (circumflex, breve) and/or a tone.
fn vni_marks(byte: u8) -> Option<&'static [char]> {
    const CIRC: char = '\u{302}';
    const BREVE: char = '\u{306}';
    const ACUTE: char = '\u{301}';
    const GRAVE: char = '\u{300}';
    const HOOK: char = '\u{309}';
    const TILDE: char = '\u{303}';
    const DOT: char = '\u{323}';
    Some(match byte | 0x20 {
        0xF9 => &[ACUTE],
        0xF8 => &[GRAVE],
        0xFB => &[HOOK],
        0xF5 => &[TILDE],
        0xEF => &[DOT],
        0xE2 => &[CIRC],
        0xE1 => &[CIRC, ACUTE],
        0xE0 => &[CIRC, GRAVE],
        0xE5 => &[CIRC, HOOK],
        0xE3 => &[CIRC, TILDE],
        0xE4 => &[CIRC, DOT],
        0xEA => &[BREVE],
        0xE9 => &[BREVE, ACUTE],
        0xE8 => &[BREVE, GRAVE],
        0xFA => &[BREVE, HOOK],
        0xFC => &[BREVE, TILDE],
        0xEB => &[BREVE, DOT],
        _ => return None,
    })
}

/// VNI bytes that are whole letters on their own.
fn vni_letter(byte: u8) -> Option<char> {
    Some(match byte {
        0xF4 => 'ơ',
        0xD4 => 'Ơ',
        0xF6 => 'ư',
        0xD6 => 'Ư',
        0xF1 => 'đ',
        0xD1 => 'Đ',
        0xE6 => 'ỉ',
        0xC6 => 'Ỉ',
        0xF3 => 'ĩ',
        0xD3 => 'Ĩ',
        0xF2 => 'ị',
        0xD2 => 'Ị',
        0xEE => 'ỵ',
        0xCE => 'Ỵ',
        _ => return None,
    })
}

/// Reads VNI (VNI-Windows) bytes: a vowel followed by a mark byte of its own case is one
/// letter ("Traàn" is "Trần"); other bytes are kept as Latin-1.
pub fn decode_vni(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let base = vni_letter(b).unwrap_or(char::from(b));
        let takes_marks = "aeouyAEOUYơƠưƯ".contains(base);
        if takes_marks && let Some(next) = bytes.get(i + 1) {
            let same_case = base.is_uppercase() == (*next < 0xE0);
            if same_case && let Some(marks) = vni_marks(*next) {
                let quality_fits = match marks[0] {
                    '\u{302}' => "aeoAEO".contains(base),
                    '\u{306}' => "aA".contains(base),
                    _ => true,
                };
                if quality_fits {
                    out.extend(std::iter::once(base).chain(marks.iter().copied()).nfc());
                    i += 2;
                    continue;
                }
            }
        }
        out.push(base);
        i += 1;
    }
    out
}

/// TCVN3 had no codes for capital toned vowels: names typed in `.VnTime` read "Lª ¸nh" for
/// "Lê Ánh", and some files write "®øc" for "Đức". In a cell whose other words are
/// capitalised (a name, a place), a word starting with a small letter outside ASCII is given
/// its capital.
pub fn capitalise_like_neighbours(cell: &str) -> String {
    let words: Vec<&str> = cell.split(' ').collect();
    let ascii_starts: Vec<char> = words
        .iter()
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_ascii_alphabetic())
        .collect();
    let capitalised = !ascii_starts.is_empty() && ascii_starts.iter().all(|c| c.is_uppercase());
    if !capitalised {
        return cell.to_string();
    }
    words
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(c) if !c.is_ascii() && c.is_lowercase() => {
                    c.to_uppercase().chain(chars).collect::<String>()
                }
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How Vietnamese a text reads: words that parse as Vietnamese syllables count for it, words
/// with letters outside ASCII that do not parse count against it (ASCII-only words are the same
/// in every reading and do not count).
pub fn vietnamese_score(text: &str) -> i64 {
    let mut score = 0;
    // Split at spaces and ASCII punctuation only: a stray legacy byte ("V¨n") stays in its word.
    for word in
        text.split(|c: char| c.is_whitespace() || (c.is_ascii() && !c.is_ascii_alphanumeric()))
    {
        if word.is_ascii() {
            continue;
        }
        let word: String = word.nfc().collect::<String>().to_lowercase();
        if is_syllable(&word) {
            score += 1
        } else {
            score -= 1
        }
    }
    score
}

/// A Vietnamese vowel's base letter and tone, or None for anything else.
fn vowel(c: char) -> Option<(char, bool)> {
    let is_tone = |m: &char| {
        matches!(
            *m,
            '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'
        )
    };
    let decomposed: Vec<char> = c.to_string().nfd().collect();
    let base: String = decomposed
        .iter()
        .filter(|m| !is_tone(m))
        .collect::<String>()
        .nfc()
        .collect();
    let toned = decomposed.iter().any(is_tone);
    let mut chars = base.chars();
    let (Some(b), None) = (chars.next(), chars.next()) else {
        return None;
    };
    "aăâeêioôơuưy".contains(b).then_some((b, toned))
}

/// Whether a lower-case word is a Vietnamese syllable: an initial consonant, a vowel group
/// with at most one tone, and a final consonant, each from the language's inventory.
fn is_syllable(word: &str) -> bool {
    const INITIALS: &[&str] = &[
        "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
        "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
    ];
    const FINALS: &[&str] = &["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];
    const VOWEL_GROUPS: &[&str] = &[
        "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu",
        "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "oo", "ôô", "ua",
        "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "oai", "oao",
        "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu", "yêu", "uơi",
    ];
    INITIALS.iter().any(|initial| {
        let Some(rest) = word.strip_prefix(initial) else {
            return false;
        };
        let split = rest
            .char_indices()
            .find(|(_, c)| vowel(*c).is_none())
            .map_or(rest.len(), |(i, _)| i);
        let (vowels, last) = rest.split_at(split);
        let mut tones = 0;
        let mut group = String::new();
        for c in vowels.chars() {
            let Some((b, toned)) = vowel(c) else {
                return false;
            };
            tones += usize::from(toned);
            group.push(b);
        }
        // "gi" and "qu" lend their vowel: "gì", "quý".
        let group_ok =
            VOWEL_GROUPS.contains(&group.as_str()) || (group.is_empty() && (*initial == "gi"));
        tones <= 1 && group_ok && FINALS.contains(&last)
    })
}

/// Letters that a Vietnamese or ethnic-minority name may hold besides the Vietnamese alphabet:
/// the breves of Ê Đê, Jrai, Bahnar and other Latin orthographies (ĕ ĭ ŏ ŭ, and a combining
/// breve on ô ơ ư).
const MINORITY_LETTERS: &str = "ĕĭŏŭĔĬŎŬ";

/// The first character of a person's name that no Vietnamese or ethnic-minority name uses
/// (a sign of a file read in the wrong encoding: "TrÇn", "Hoµng"), if any.
pub fn foreign_name_char(name: &str) -> Option<char> {
    let nfc: String = name.nfc().collect();
    nfc.chars().find(|c| {
        let ok = c.is_ascii_alphabetic()
            || matches!(c, ' ' | '-' | '\'' | '’' | '.')
            || MINORITY_LETTERS.contains(*c)
            || *c == '\u{306}'
            || matches!(c, 'đ' | 'Đ')
            || c.to_lowercase().next().and_then(vowel).is_some();
        !ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcvn3(s: &str) -> Vec<u8> {
        s.chars()
            .map(|c| {
                if c.is_ascii() {
                    c as u8
                } else {
                    TCVN3.iter().find(|(_, l)| *l == c).expect("in TCVN3").0
                }
            })
            .collect()
    }

    #[test]
    fn the_probes_tcvn3_names_convert() {
        // As the probe's file held them, read as Windows-1252: "TrÇn V¨n An", "Hoµng ®øc Minh".
        assert_eq!(
            decode_tcvn3(b"Tr\xC7n V\xA8n An"),
            "Trần Văn An".to_string()
        );
        assert_eq!(
            capitalise_like_neighbours(&decode_tcvn3(b"Ho\xB5ng \xAE\xF8c Minh")),
            "Hoàng Đức Minh"
        );
        assert_eq!(
            capitalise_like_neighbours(&decode_tcvn3(&tcvn3("Lê ánh"))),
            "Lê Ánh"
        );
        // An address keeps its small words.
        assert_eq!(
            capitalise_like_neighbours(&decode_tcvn3(&tcvn3("thôn Đông, xã Trà Bồng"))),
            "thôn Đông, xã Trà Bồng"
        );
    }

    #[test]
    fn vni_names_convert() {
        for (vni, unicode) in [
            (&b"Tra\xE0n Va\xEAn An"[..], "Trần Văn An"),
            (b"Hoa\xF8ng \xD1\xF6\xF9c Minh", "Hoàng Đức Minh"),
            (b"Nguye\xE3n Th\xF2 \xD1a\xF8o", "Nguyễn Thị Đào"),
            (b"Pha\xEFm Th\xF2 H\xF6\xF4ng", "Phạm Thị Hương"),
            (b"ng\xF6\xF4\xF8i", "người"),
            (b"Xin cha\xF8o ca\xF9c ba\xEFn", "Xin chào các bạn"),
            (b"TRA\xC0N", "TRẦN"),
            (b"Ly\xF9 Th\xF6\xF4\xF8ng Kie\xE4t", "Lý Thường Kiệt"),
        ] {
            assert_eq!(decode_vni(vni), unicode, "{vni:?}");
        }
    }

    #[test]
    fn every_tcvn3_letter_is_distinct_and_vietnamese() {
        let mut seen = std::collections::HashSet::new();
        for (b, c) in TCVN3 {
            assert!(seen.insert(*b), "byte {b:#x} twice");
            assert!(
                foreign_name_char(&c.to_string()).is_none(),
                "{c} should be a Vietnamese letter"
            );
        }
        assert_eq!(TCVN3.len(), 67 + 7);
    }

    #[test]
    fn syllables_tell_the_readings_apart() {
        for good in [
            "trần", "nguyễn", "người", "khuyến", "quý", "gì", "giữa", "đức", "hoàng", "thuở",
        ] {
            assert!(is_syllable(good), "{good}");
        }
        for bad in ["trçn", "hoµng", "traàn", "trõèn", "ñöùc", "xyz"] {
            assert!(!is_syllable(bad), "{bad}");
        }
        assert!(vietnamese_score("Trần Văn An") > vietnamese_score("TrÇn V¨n An"));
    }

    #[test]
    fn names_with_characters_no_name_uses_are_flagged() {
        for bad in [
            "TrÇn V¨n An",
            "Hoµng ®øc Minh",
            "Nguyễn Văn A1",
            "Lê <b>",
            "Trần©",
        ] {
            assert!(foreign_name_char(bad).is_some(), "{bad}");
        }
        for good in [
            "Nguyễn Thị Đào",
            "H'Hen Niê",
            "Y Blô Êban",
            "Ksor H’Ơn",
            "Rơ Châm Ŭn",
            "Byă",
            "Nguyễn Thị Minh-Khai",
            // Typed with combining marks (NFD): still Vietnamese.
            "Nguye\u{302}\u{303}n",
        ] {
            assert_eq!(foreign_name_char(good), None, "{good}");
        }
    }
}
