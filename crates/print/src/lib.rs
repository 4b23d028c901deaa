//! Printable documents of truongso: the e-transcript (học bạ) as an A4 PDF.
//!
//! Typst is compiled in-process (this crate is the one place that links it). The fonts are
//! embedded in the binary — Libertinus Serif Regular, Italic and Bold from `typst-assets` —
//! and no system font is ever scanned, so the PDF looks the same on every server. Libertinus
//! Serif *BoldItalic* lacks Ơ ơ Ư ư and is deliberately not loaded (the template never asks
//! for bold italic; were it asked, Typst would fall back to the Bold or Italic face).
//!
//! Data never becomes markup: the template reads it from a virtual JSON file
//! (`json("/data.json")`), and the QR code is a virtual SVG image (`/qr.svg`), so a learner
//! named `#exit()` or `*x*` prints as those characters.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, Utc};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The font faces a printed transcript uses (file names in `typst-assets`).
pub const FONT_FILES: [&str; 3] = [
    "LibertinusSerif-Regular.otf",
    "LibertinusSerif-Italic.otf",
    "LibertinusSerif-Bold.otf",
];

/// The embedded faces, parsed once.
pub fn fonts() -> &'static [Font] {
    static FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
        typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .filter(|f| {
                let name = f.info().family.as_str();
                let v = f.info().variant;
                name == "Libertinus Serif"
                    && (v.weight.to_number() == 400 || v.weight.to_number() == 700)
                    && !(v.weight.to_number() == 700 && v.style != typst::text::FontStyle::Normal)
            })
            .collect()
    });
    &FONTS
}

/// The letters of `chars` a face has no glyph for.
pub fn missing_glyphs(font: &Font, chars: &[char]) -> Vec<char> {
    let Ok(face) = ttf_parser::Face::parse(font.data().as_slice(), font.index()) else {
        return chars.to_vec();
    };
    chars
        .iter()
        .copied()
        .filter(|c| face.glyph_index(*c).is_none() || !font.info().coverage.contains(*c as u32))
        .collect()
}

/// A face's name and style, for messages ("Libertinus Serif 700 Normal").
pub fn face_name(font: &Font) -> String {
    let v = font.info().variant;
    format!(
        "{} {} {:?}",
        font.info().family,
        v.weight.to_number(),
        v.style
    )
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("không tạo được mã QR: {0}")]
    Qr(String),
    #[error("lỗi dàn trang học bạ: {0}")]
    Layout(String),
    #[error("lỗi xuất PDF: {0}")]
    Pdf(String),
}

pub use truongso_domain::print::{PrintedSignature, Printer, TranscriptPrint};

/// The printer of the binary: Typst with the embedded fonts.
pub struct Typst;

impl Printer for Typst {
    fn transcript_pdf(&self, print: &TranscriptPrint<'_>) -> Result<Vec<u8>, String> {
        transcript_pdf(print).map_err(|e| e.to_string())
    }
}

/// Vietnam's time (UTC+7, no daylight saving), as dates are printed.
fn local(at: DateTime<Utc>) -> String {
    let vn = FixedOffset::east_opt(7 * 3600).expect("a valid offset");
    at.with_timezone(&vn)
        .format("%H:%M ngày %d/%m/%Y")
        .to_string()
}

fn vn_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d/%m/%Y").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

/// The QR code of a URL as SVG.
pub fn qr_svg(url: &str) -> Result<String, PrintError> {
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| PrintError::Qr(e.to_string()))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

/// Renders a transcript to PDF (A4).
pub fn transcript_pdf(print: &TranscriptPrint<'_>) -> Result<Vec<u8>, PrintError> {
    let signature = |role: &str| {
        print.signatures.iter().find(|s| s.role == role).map(|s| {
            serde_json::json!({
                "name": s.signer_name,
                "at": local(s.signed_at),
            })
        })
    };
    let data = serde_json::json!({
        "transcript": print.transcript,
        "birth_date": vn_date(&print.transcript.learner.birth_date),
        "primary": print.transcript.grade <= 5,
        "homeroom": signature("homeroom_teacher"),
        "principal": signature("principal"),
        "verify_url": print.verify_url,
        "sha256": print.sha256,
        "draft": print.draft,
    });
    let qr = match &print.verify_url {
        Some(url) => Some(qr_svg(url)?),
        None => None,
    };
    let world = PrintWorld::new(
        include_str!("transcript.typ"),
        serde_json::to_vec(&data).expect("print data serialises"),
        qr.map(String::into_bytes),
    );
    let document: PagedDocument = typst::compile(&world)
        .output
        .map_err(|errors| PrintError::Layout(messages(&errors)))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom(format!(
            "hoc-ba-{}",
            print.sha256.as_deref().unwrap_or("nhap")
        )),
        ..Default::default()
    };
    let pdf = typst_pdf::pdf(&document, &options).map_err(|e| PrintError::Pdf(messages(&e)));
    // Typst memoises across compilations; keep the cache from growing without bound.
    typst::comemo::evict(10);
    pdf
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The compiler's view of one print job: the template, the data and the QR image as
/// virtual files, the embedded fonts, and nothing else.
struct PrintWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    main: FileId,
    source: Source,
    data: Bytes,
    qr: Option<Bytes>,
}

fn file_id(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("a valid virtual path"),
    )
    .intern()
}

impl PrintWorld {
    fn new(template: &str, data: Vec<u8>, qr: Option<Vec<u8>>) -> Self {
        static LIBRARY: LazyLock<LazyHash<Library>> =
            LazyLock::new(|| LazyHash::new(Library::builder().build()));
        static BOOK: LazyLock<LazyHash<FontBook>> =
            LazyLock::new(|| LazyHash::new(FontBook::from_fonts(fonts())));
        let main = file_id("/main.typ");
        PrintWorld {
            library: LIBRARY.clone(),
            book: BOOK.clone(),
            main,
            source: Source::new(main, template.to_string()),
            data: Bytes::new(data),
            qr: qr.map(Bytes::new),
        }
    }
}

impl World for PrintWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main {
            Ok(self.source.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == file_id("/data.json") {
            return Ok(self.data.clone());
        }
        if id == file_id("/qr.svg")
            && let Some(qr) = &self.qr
        {
            return Ok(qr.clone());
        }
        if id == self.main {
            return Ok(Bytes::from_string(self.source.text().to_string()));
        }
        Err(FileError::AccessDenied)
    }

    fn font(&self, index: usize) -> Option<Font> {
        fonts().get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use truongso_domain::gradebook::transcript::vietnamese_letters;

    #[test]
    fn every_face_used_has_every_vietnamese_letter() {
        let letters = vietnamese_letters();
        assert_eq!(fonts().len(), FONT_FILES.len(), "regular, italic, bold");
        for font in fonts() {
            let missing = missing_glyphs(font, &letters);
            assert!(missing.is_empty(), "{} lacks {missing:?}", face_name(font));
        }
    }

    #[test]
    fn the_bold_italic_face_that_lacks_letters_is_not_loaded() {
        // The reason it is left out: Libertinus Serif BoldItalic has no Ơ ơ Ư ư.
        let bold_italic: Vec<Font> = typst_assets::fonts()
            .flat_map(|d| Font::iter(Bytes::new(d)))
            .filter(|f| {
                f.info().family.as_str() == "Libertinus Serif"
                    && f.info().variant.weight.to_number() == 700
                    && f.info().variant.style == typst::text::FontStyle::Italic
            })
            .collect();
        assert_eq!(bold_italic.len(), 1);
        let missing = missing_glyphs(&bold_italic[0], &vietnamese_letters());
        assert!(
            missing.contains(&'ơ') && missing.contains(&'Ư'),
            "{missing:?}"
        );
        assert!(
            !fonts()
                .iter()
                .any(|f| f.info().variant.weight.to_number() == 700
                    && f.info().variant.style != typst::text::FontStyle::Normal)
        );
    }

    #[test]
    fn qr_codes_are_svg() {
        let svg =
            qr_svg("https://truongso.example/verify/0123456789abcdef0123456789abcdef").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
