//! The printed transcript: a PDF with every Vietnamese letter rendered from embedded fonts.
//! With `pdftoppm` (Debian `poppler-utils`) the first page is also rasterised to PNG, so the
//! text can be looked at as an image (`target/hoc-ba-*.png`); CI installs it and requires it.

use std::path::PathBuf;
use std::process::Command;

use chrono::{TimeZone, Utc};
use truongso_domain::gradebook::transcript::{sample, sha256_hex};
use truongso_print::{PrintedSignature, TranscriptPrint, transcript_pdf};

/// A name with many of the letters a font may lack (ơ ư ở ữ ỹ Đ ặ ẵ ậ ễ ỗ ự…).
const NAME: &str = "Đặng Nguyễn Thị Ngọc Ánh Hường Ơn Ưng Ỷ Ỹ Ẵ Ậ Ễ Ỗ Ự Ữ Ở Ờ Ợ Ừ Ử";

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn have_pdftoppm() -> bool {
    Command::new("pdftoppm").arg("-v").output().is_ok()
}

fn render(grade: u8, signed: bool) -> Vec<u8> {
    let mut t = sample(grade, NAME);
    t.homeroom_comment = Some(
        "Em ngoan, lễ phép, có ý thức tự giác; hăng hái phát biểu. Cần rèn chữ viết #[x] *y* $z$ \\ <b>."
            .into(),
    );
    let json = t.canonical_json();
    let signatures = if signed {
        vec![
            PrintedSignature {
                role: "homeroom_teacher".into(),
                signer_name: "Trần Thị Hương Giang".into(),
                signed_at: Utc.with_ymd_and_hms(2026, 5, 30, 2, 15, 0).unwrap(),
            },
            PrintedSignature {
                role: "principal".into(),
                signer_name: "Võ Văn Thưởng".into(),
                signed_at: Utc.with_ymd_and_hms(2026, 5, 31, 8, 0, 0).unwrap(),
            },
        ]
    } else {
        vec![]
    };
    let started = std::time::Instant::now();
    let pdf = transcript_pdf(&TranscriptPrint {
        transcript: &t,
        signatures,
        verify_url: signed
            .then(|| "https://truongso.example.vn/verify/0123456789abcdef0123456789abcdef".into()),
        sha256: signed.then(|| sha256_hex(&json)),
        draft: !signed,
    })
    .expect("the transcript renders");
    eprintln!(
        "grade {grade}: {} bytes of PDF in {:?}",
        pdf.len(),
        started.elapsed()
    );
    pdf
}

#[test]
fn a_transcript_prints_as_a_pdf_with_embedded_vietnamese_fonts() {
    for (grade, signed) in [(8, true), (3, true), (11, false)] {
        let pdf = render(grade, signed);
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile"), "fonts are embedded");
        assert!(
            text.contains("LibertinusSerif"),
            "the embedded face is Libertinus Serif"
        );
        let path = out_dir().join(format!("hoc-ba-{grade}.pdf"));
        std::fs::write(&path, &pdf).unwrap();
        if !have_pdftoppm() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set and pdftoppm (poppler-utils) is missing"
            );
            eprintln!("pdftoppm not found (apt-get install poppler-utils): PNG not made");
            continue;
        }
        let png = out_dir().join(format!("hoc-ba-{grade}"));
        let status = Command::new("pdftoppm")
            .args(["-png", "-r", "110", "-f", "1", "-l", "1", "-singlefile"])
            .arg(&path)
            .arg(&png)
            .status()
            .unwrap();
        assert!(status.success());
        let png = png.with_extension("png");
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{}", png.display());
        eprintln!("page 1 as an image: {}", png.display());
        // The text layer has the name exactly (NFC), letter for letter.
        if let Ok(out) = Command::new("pdftotext")
            .args(["-l", "1"])
            .arg(&path)
            .arg("-")
            .output()
        {
            let extracted = String::from_utf8_lossy(&out.stdout);
            assert!(extracted.contains("HỌC BẠ"), "{extracted}");
            assert!(extracted.contains(NAME), "{extracted}");
            assert!(extracted.contains("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
        }
    }
}
