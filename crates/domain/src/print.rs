//! What a printed document holds, and the printer that lays it out. The layout engine (Typst,
//! in the `truongso-print` crate) is heavy: it is linked only by the binary, which hands its
//! [`Printer`] to the web layer; everything else sees this trait.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::gradebook::transcript::Transcript;

/// A signature as printed under its role.
#[derive(Debug, Clone, Serialize)]
pub struct PrintedSignature {
    /// `homeroom_teacher` or `principal`.
    pub role: String,
    pub signer_name: String,
    pub signed_at: DateTime<Utc>,
}

/// What is printed: the document, its signatures and where to verify it.
#[derive(Debug, Clone)]
pub struct TranscriptPrint<'a> {
    pub transcript: &'a Transcript,
    pub signatures: Vec<PrintedSignature>,
    /// The public verification page; `None` for a draft not yet issued.
    pub verify_url: Option<String>,
    pub sha256: Option<String>,
    /// A draft (not issued, or not fully signed): printed with a "BẢN NHÁP" watermark.
    pub draft: bool,
}

/// Lays documents out as PDF.
pub trait Printer: Send + Sync {
    /// The transcript as an A4 PDF, or why it could not be laid out (Vietnamese).
    fn transcript_pdf(&self, print: &TranscriptPrint<'_>) -> Result<Vec<u8>, String>;
}

/// For a server built without a layout engine (the web layer's own tests): every document is
/// refused with a message saying so.
pub struct NoPrinter;

impl Printer for NoPrinter {
    fn transcript_pdf(&self, _: &TranscriptPrint<'_>) -> Result<Vec<u8>, String> {
        Err("Máy chủ này không có bộ in PDF.".into())
    }
}
