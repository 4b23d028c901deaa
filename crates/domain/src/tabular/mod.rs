//! Spreadsheets as schools keep them: the file formats (`read`, `write`), the text encodings
//! Excel writes on Vietnamese Windows, and dates as Vietnamese write them (or as Excel stores
//! them). Pure functions over bytes, used by the forms, the importers and the exports.

pub mod legacy;
mod read;
mod write;

pub use read::{FileFormat, MAX_FILE_BYTES, ReadError, Table, TableRow, read_limited, read_table};
pub use write::{TableWriter, WriteError};

use chrono::NaiveDate;
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// One cell as read from a file: what Excel stored, not yet interpreted for a column.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Bool(bool),
}

impl Cell {
    /// The cell as a user would read it on screen: text trimmed and NFC, whole numbers without
    /// a decimal point, dates as dd/mm/yyyy.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.trim().nfc().collect(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// The encoding a text file was found to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 with a byte-order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// The legacy Vietnamese Windows code page ("CSV (Comma delimited)" on Vietnamese Windows).
    Windows1258,
    /// TCVN3 (ABC), of `.VnTime` fonts and older Vietnamese school software.
    Tcvn3,
    /// VNI-Windows, of `VNI-Times` fonts.
    Vni,
}

impl TextEncoding {
    /// How the import preview names it.
    pub fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => "UTF-16",
            TextEncoding::Windows1258 => "Windows-1258",
            TextEncoding::Tcvn3 => "TCVN3 (ABC)",
            TextEncoding::Vni => "VNI",
        }
    }

    /// Whether this is a font-era encoding converted on reading (shown in the preview).
    pub fn is_legacy_font(self) -> bool {
        matches!(self, TextEncoding::Tcvn3 | TextEncoding::Vni)
    }
}

/// Decodes a text file whatever Excel or other school software wrote, to NFC text.
///
/// A byte-order mark decides; else valid UTF-8 is UTF-8; else text with a zero byte in every
/// other position is UTF-16 without a mark; else it is one of the single-byte Vietnamese
/// encodings — Windows-1258, TCVN3 or VNI — whichever reading of the start of the file gives
/// Vietnamese syllables (see [`legacy`]). Windows-1258 tone marks are combining characters,
/// hence the NFC normalisation: "Nguyễn" must compare equal whichever way it was typed.
pub fn decode_text(bytes: &[u8]) -> (String, TextEncoding) {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (
            String::from_utf8_lossy(rest).into_owned(),
            TextEncoding::Utf8Bom,
        )
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        (decode_with(UTF_16LE, rest), TextEncoding::Utf16Le)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        (decode_with(UTF_16BE, rest), TextEncoding::Utf16Be)
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), TextEncoding::Utf8)
    } else if let Some(le) = utf16_without_mark(bytes) {
        if le {
            (decode_with(UTF_16LE, bytes), TextEncoding::Utf16Le)
        } else {
            (decode_with(UTF_16BE, bytes), TextEncoding::Utf16Be)
        }
    } else {
        match single_byte_encoding(bytes) {
            TextEncoding::Tcvn3 => (legacy::decode_tcvn3(bytes), TextEncoding::Tcvn3),
            TextEncoding::Vni => (legacy::decode_vni(bytes), TextEncoding::Vni),
            _ => (decode_with(WINDOWS_1258, bytes), TextEncoding::Windows1258),
        }
    };
    (text.nfc().collect(), encoding)
}

/// Which single-byte encoding the file is in, judged on its first 256 KB (enough lines of
/// names for a clear answer, and quick on a 50 MB file). Windows-1258 unless TCVN3 or VNI
/// reads as more Vietnamese.
fn single_byte_encoding(bytes: &[u8]) -> TextEncoding {
    let sample = &bytes[..bytes.len().min(256 * 1024)];
    let score = |text: String| legacy::vietnamese_score(&text.nfc().collect::<String>());
    let cp1258 = score(decode_with(WINDOWS_1258, sample));
    let tcvn3 = score(legacy::decode_tcvn3(sample));
    let vni = score(legacy::decode_vni(sample));
    if tcvn3 > cp1258 && tcvn3 >= vni {
        TextEncoding::Tcvn3
    } else if vni > cp1258 && vni > tcvn3 {
        TextEncoding::Vni
    } else {
        TextEncoding::Windows1258
    }
}

/// The encoding of a workbook's text typed in a font-era font (Excel stores "TrÇn V¨n An"
/// as Unicode text), judged on a sample of its text cells; `None` when it reads as Unicode.
pub fn workbook_font_encoding<'a>(texts: impl Iterator<Item = &'a str>) -> Option<TextEncoding> {
    let mut sample: Vec<u8> = Vec::new();
    let mut original = String::new();
    for t in texts.filter(|t| !t.is_ascii()).take(2_000) {
        let Some(bytes) = latin1_bytes(t) else {
            continue;
        };
        sample.extend_from_slice(&bytes);
        sample.push(b'\n');
        original.push_str(t);
        original.push('\n');
    }
    if sample.is_empty() {
        return None;
    }
    let unicode = legacy::vietnamese_score(&original.nfc().collect::<String>());
    let tcvn3 = legacy::vietnamese_score(&legacy::decode_tcvn3(&sample));
    let vni = legacy::vietnamese_score(&legacy::decode_vni(&sample).nfc().collect::<String>());
    if tcvn3 > unicode && tcvn3 >= vni {
        Some(TextEncoding::Tcvn3)
    } else if vni > unicode && vni > tcvn3 {
        Some(TextEncoding::Vni)
    } else {
        None
    }
}

/// A workbook cell's text back in the bytes a font-era font drew, when every character is one
/// byte (U+0000–U+00FF); `None` for text that was real Unicode.
pub fn latin1_bytes(text: &str) -> Option<Vec<u8>> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect()
}

/// Converts one cell's text from a font-era encoding (see [`workbook_font_encoding`]); text
/// that is real Unicode is left alone. TCVN3 capitals are restored ([`legacy::capitalise_like_neighbours`]).
pub fn convert_font_text(text: &str, encoding: TextEncoding) -> String {
    let Some(bytes) = latin1_bytes(text) else {
        return text.to_string();
    };
    let converted: String = match encoding {
        TextEncoding::Tcvn3 => legacy::capitalise_like_neighbours(&legacy::decode_tcvn3(&bytes)),
        TextEncoding::Vni => legacy::decode_vni(&bytes),
        _ => return text.to_string(),
    };
    converted.nfc().collect()
}

fn decode_with(encoding: &'static encoding_rs::Encoding, bytes: &[u8]) -> String {
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

/// `Some(true)` for little-endian UTF-16 (ASCII-heavy text: zero in every odd byte),
/// `Some(false)` for big-endian, `None` when the bytes do not look like UTF-16.
fn utf16_without_mark(bytes: &[u8]) -> Option<bool> {
    if bytes.len() < 4 || !bytes.len().is_multiple_of(2) {
        return None;
    }
    let pairs = bytes.len() / 2;
    let zeros_at = |offset: usize| {
        bytes
            .iter()
            .skip(offset)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    if odd * 10 >= pairs * 3 && even == 0 {
        Some(true)
    } else if even * 10 >= pairs * 3 && odd == 0 {
        Some(false)
    } else {
        None
    }
}

/// Parses a date as Vietnamese write it: "dd/mm/yyyy" (also "d/m/yyyy", "dd-mm-yyyy",
/// "dd.mm.yyyy") or ISO "yyyy-mm-dd". Month-first American dates are not guessed at.
pub fn parse_date_vn(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

/// The date of an Excel date cell (its serial number in the 1900 date system, where Excel
/// counts a 29 February 1900 that never was; serials before 1 March 1900 are refused).
pub fn from_excel_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(61.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const NAME: &str = "Nguyễn Thị Đào, Trần Văn Hùng";

    #[test]
    fn decodes_every_encoding_excel_writes() {
        let utf8 = NAME.as_bytes().to_vec();
        assert_eq!(decode_text(&utf8), (NAME.to_string(), TextEncoding::Utf8));
        let bom = [&[0xEF, 0xBB, 0xBF][..], &utf8].concat();
        assert_eq!(decode_text(&bom), (NAME.to_string(), TextEncoding::Utf8Bom));
        let le: Vec<u8> = NAME.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let le_bom = [&[0xFF, 0xFE][..], &le].concat();
        assert_eq!(
            decode_text(&le_bom),
            (NAME.to_string(), TextEncoding::Utf16Le)
        );
        assert_eq!(decode_text(&le), (NAME.to_string(), TextEncoding::Utf16Le));
        let be: Vec<u8> = NAME.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let be_bom = [&[0xFE, 0xFF][..], &be].concat();
        assert_eq!(
            decode_text(&be_bom),
            (NAME.to_string(), TextEncoding::Utf16Be)
        );
        // As Vietnamese Windows stores "Nguyễn Thị Đào": tone marks as combining characters
        // (0xDE tilde, 0xF2 dot below, 0xCC grave) after the base letter.
        let cp1258 = b"Nguy\xEA\xDEn Thi\xF2 \xD0a\xCCo";
        assert_eq!(
            decode_text(cp1258),
            ("Nguyễn Thị Đào".to_string(), TextEncoding::Windows1258)
        );
    }

    #[test]
    fn vietnamese_dates_and_excel_serials() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date_vn("05/09/2015"), d(2015, 9, 5));
        assert_eq!(parse_date_vn(" 5/9/2015 "), d(2015, 9, 5));
        assert_eq!(parse_date_vn("05.09.2015"), d(2015, 9, 5));
        assert_eq!(parse_date_vn("2015-09-05"), d(2015, 9, 5));
        assert_eq!(parse_date_vn("31/02/2015"), None);
        assert_eq!(parse_date_vn("13/13/2015"), None);
        assert_eq!(from_excel_serial(42252.0), d(2015, 9, 5));
        assert_eq!(from_excel_serial(61.0), d(1900, 3, 1));
        assert_eq!(
            from_excel_serial(60.0),
            None,
            "Excel's 29/02/1900 does not exist"
        );
        assert_eq!(from_excel_serial(f64::NAN), None);
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_text(&bytes);
        }

        #[test]
        fn any_text_parses_to_a_date_or_none(text in "\\PC{0,20}") {
            let _ = parse_date_vn(&text);
        }

        #[test]
        fn dates_round_trip_through_the_vietnamese_format(days in 0i64..80_000) {
            let date = NaiveDate::from_ymd_opt(1900, 3, 1).unwrap() + chrono::Duration::days(days);
            prop_assert_eq!(parse_date_vn(&date.format("%d/%m/%Y").to_string()), Some(date));
        }
    }
}
