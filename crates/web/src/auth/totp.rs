//! Time-based one-time codes (RFC 6238, as authenticator apps use them): 6 digits, 30 s steps,
//! one step of clock skew accepted.

use totp_rs::{Builder, Secret, Totp};

/// A new random secret, base32 (what the user types into an app when they cannot scan).
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', "_"))
        .with_issuer(Some("Truong so"))
        .build()
        .ok()
}

/// The time step `code` belongs to, when it is the current code (or the one just before or
/// after) for the secret. A step is accepted once only: see `users::use_totp_step`.
pub fn verify(secret_base32: &str, code: &str) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    totp(secret_base32, "").and_then(|t| t.check_current(&code))
}

/// The current code (tests and the demo's own checks).
pub fn current_code(secret_base32: &str) -> Option<String> {
    totp(secret_base32, "").map(|t| t.generate_current().to_string())
}

/// The `otpauth://` address an authenticator app scans.
pub fn enrolment_url(secret_base32: &str, account: &str) -> Option<String> {
    totp(secret_base32, account).and_then(|t| t.to_url().ok())
}

/// The enrolment address as an SVG QR code (no external image service).
pub fn enrolment_qr_svg(url: &str) -> Option<String> {
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_secret_verifies_its_own_code_and_not_others() {
        let secret = new_secret();
        let code = current_code(&secret).unwrap();
        assert!(verify(&secret, &code).is_some());
        assert!(verify(&secret, &format!(" {} {} ", &code[..3], &code[3..])).is_some());
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(verify(&secret, &wrong).is_none());
        assert!(verify("not base32!", &code).is_none());
    }

    #[test]
    fn enrolment_url_names_the_account() {
        let url = enrolment_url(&new_secret(), "so.quangngai").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains("so.quangngai"));
        assert!(enrolment_qr_svg(&url).unwrap().contains("<svg"));
    }
}
