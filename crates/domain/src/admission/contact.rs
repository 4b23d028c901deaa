//! A guardian's contact (a Vietnamese mobile number or an e-mail address) in one canonical
//! form, so that "0912 345 678", "+84912345678" and "84912345678" are the same guardian, and the
//! tracking codes printed on receipts.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a guardian is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Phone,
    Email,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Email => "email",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        match code {
            "phone" => Some(Channel::Phone),
            "email" => Some(Channel::Email),
            _ => None,
        }
    }
}

/// A contact in canonical form: phones as ten digits starting with 0, e-mails lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Contact {
    pub channel: Channel,
    pub address: String,
}

impl Contact {
    /// Reads what a guardian typed: an e-mail when it contains '@', otherwise a phone number.
    pub fn parse(input: &str) -> Result<Contact, &'static str> {
        let s = input.trim();
        if s.contains('@') {
            return parse_email(s).map(|address| Contact {
                channel: Channel::Email,
                address,
            });
        }
        parse_phone(s).map(|address| Contact {
            channel: Channel::Phone,
            address,
        })
    }

    /// "0912***678" / "ng***@gmail.com": enough for the guardian to recognise, no more.
    pub fn masked(&self) -> String {
        match self.channel {
            Channel::Phone => format!("{}***{}", &self.address[..4], &self.address[7..]),
            Channel::Email => {
                let (user, domain) = self.address.split_once('@').unwrap_or((&self.address, ""));
                let shown: String = user.chars().take(2).collect();
                format!("{shown}***@{domain}")
            }
        }
    }
}

impl fmt::Display for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address)
    }
}

/// Vietnamese mobile numbers: 10 digits from 03, 05, 07, 08 or 09; "+84"/"84" replaces the 0.
fn parse_phone(s: &str) -> Result<String, &'static str> {
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Số điện thoại chỉ gồm chữ số (ví dụ 0912 345 678).");
    }
    let national = match digits.strip_prefix("84") {
        Some(rest) if rest.len() == 9 => format!("0{rest}"),
        _ => digits.to_string(),
    };
    let valid_prefix = ["03", "05", "07", "08", "09"]
        .iter()
        .any(|p| national.starts_with(p));
    if national.len() != 10 || !valid_prefix {
        return Err(
            "Số điện thoại di động phải có 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09.",
        );
    }
    Ok(national)
}

fn parse_email(s: &str) -> Result<String, &'static str> {
    let lower = s.to_lowercase();
    let bad = "Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).";
    let (user, domain) = lower.split_once('@').ok_or(bad)?;
    let ok = !user.is_empty()
        && lower.len() <= 254
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !lower.contains(char::is_whitespace)
        && !domain.contains('@');
    if ok { Ok(lower) } else { Err(bad) }
}

/// The alphabet of tracking codes: digits and capitals without 0/O, 1/I/L, 5/S and 2/Z, which
/// are misread on paper and over the phone.
const CODE_ALPHABET: &[u8] = b"346789ABCDEFGHJKMNPQRTUVWXY";

/// A tracking code "TS-XXXX-XXXX" from 40 random bits, the last character a check character
/// (weighted sum modulo the alphabet's size), so that a mistyped code is told apart from an unknown one.
pub fn tracking_code(random: u64) -> String {
    let n = CODE_ALPHABET.len() as u64;
    let mut chars = Vec::with_capacity(8);
    let mut r = random;
    for _ in 0..7 {
        chars.push(CODE_ALPHABET[(r % n) as usize]);
        r /= n;
    }
    chars.push(CODE_ALPHABET[check_index(&chars)]);
    let s = String::from_utf8(chars).expect("ASCII alphabet");
    format!("TS-{}-{}", &s[..4], &s[4..])
}

/// How many distinct tracking codes there are (27⁷ before the check letter).
pub const TRACKING_CODES: u64 = 10_460_353_203;

/// The `index`-th code of a walk over every tracking code without repeats, for generated
/// applications (demo and benchmark seeds): distinct indexes below [`TRACKING_CODES`] give
/// distinct codes, because the step is prime to 27. Real applications draw random codes.
pub fn nth_tracking_code(index: u64, salt: u64) -> String {
    const STEP: u64 = 1_000_003;
    let m = TRACKING_CODES;
    tracking_code(((index % m) * STEP % m + salt % m) % m)
}

/// Whether `code` (any case, with or without dashes and the "TS" prefix) is a well-formed
/// tracking code; returns it in canonical form.
pub fn canonical_tracking_code(code: &str) -> Option<String> {
    let compact: String = code
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .collect();
    let body = compact.strip_prefix("TS").unwrap_or(&compact);
    let bytes = body.as_bytes();
    if bytes.len() != 8 || !bytes.iter().all(|b| CODE_ALPHABET.contains(b)) {
        return None;
    }
    (CODE_ALPHABET[check_index(&bytes[..7])] == bytes[7])
        .then(|| format!("TS-{}-{}", &body[..4], &body[4..]))
}

/// Weights prime to the alphabet's size (27), so any single wrong character changes the sum.
const CHECK_WEIGHTS: [usize; 7] = [1, 2, 4, 5, 7, 8, 10];

fn check_index(chars: &[u8]) -> usize {
    let position = |c: u8| CODE_ALPHABET.iter().position(|a| *a == c).unwrap_or(0);
    let sum: usize = chars
        .iter()
        .zip(CHECK_WEIGHTS)
        .map(|(c, w)| w * position(*c))
        .sum();
    sum % CODE_ALPHABET.len()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn generated_codes_never_repeat() {
        // The probe's failing seed drew 1.7 M learners' worth of demo applications at random.
        let mut seen = std::collections::HashSet::new();
        for campaign in 1..=3u64 {
            for i in 0..200_000u64 {
                let code = nth_tracking_code(campaign * 10_000_000 + i, 7_777);
                assert!(canonical_tracking_code(&code).is_some(), "{code}");
                assert!(seen.insert(code), "repeat at {campaign}/{i}");
            }
        }
        // Near the top of the range and with any salt, the arithmetic does not overflow.
        let _ = nth_tracking_code(u64::MAX, u64::MAX);
    }

    #[test]
    fn phones_take_one_canonical_form() {
        for input in [
            "0912 345 678",
            "+84912345678",
            "84912345678",
            "0912.345.678",
        ] {
            assert_eq!(
                Contact::parse(input).unwrap().address,
                "0912345678",
                "{input}"
            );
        }
        for bad in ["012345678", "0212345678", "091234567x", "", "09123456789"] {
            assert!(Contact::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Contact::parse("0912345678").unwrap().masked(), "0912***678");
    }

    #[test]
    fn emails_are_lower_cased_and_checked() {
        let c = Contact::parse(" Me@Example.VN ").unwrap();
        assert_eq!(
            (c.channel, c.address.as_str()),
            (Channel::Email, "me@example.vn")
        );
        assert_eq!(c.masked(), "me***@example.vn");
        for bad in ["@x.vn", "a@b", "a@.vn", "a b@x.vn", "a@@x.vn"] {
            assert!(Contact::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn distinct_indexes_give_distinct_codes(a in 0..TRACKING_CODES, b in 0..TRACKING_CODES, salt: u64) {
            prop_assume!(a != b);
            prop_assert_ne!(nth_tracking_code(a, salt), nth_tracking_code(b, salt));
        }

        #[test]
        fn tracking_codes_round_trip_and_catch_one_wrong_character(random: u64, at in 0usize..8, with in 0usize..27) {
            let code = tracking_code(random);
            prop_assert_eq!(canonical_tracking_code(&code.to_lowercase()), Some(code.clone()));
            let mut body: Vec<u8> = code.replace("TS-", "").replace('-', "").into_bytes();
            let replacement = CODE_ALPHABET[with];
            prop_assume!(body[at] != replacement);
            body[at] = replacement;
            let typo = String::from_utf8(body).unwrap();
            prop_assert_eq!(canonical_tracking_code(&typo), None);
        }
    }
}
