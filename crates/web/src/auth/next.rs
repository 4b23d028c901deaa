//! Where to go after sign-in. The `next` parameter comes from the address bar, so anyone can
//! craft it: followed blindly it turns the sign-in page of a government site into a phishing
//! helper (`/login?next=//evil.example`, or `/%09/evil.example`, which browsers read as
//! `//evil.example` once they drop the tab). Only a path of this site is followed.

/// `next` as a path of this site, re-encoded so that it is always a valid `Location` header;
/// anything else (another host, a scheme, control characters or whitespace, a backslash) is
/// the home page. `next` arrives already decoded once by the query or form parser.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(path) = next else {
        return "/".into();
    };
    let local = path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_control() || c.is_whitespace());
    if !local {
        return "/".into();
    }
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_graphic() && !b"\"<>`{}|^".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use proptest::prelude::*;

    #[test]
    fn paths_of_this_site_are_kept() {
        assert_eq!(safe_next(Some("/gradebook?class=3")), "/gradebook?class=3");
        assert_eq!(safe_next(Some("/learners/12#marks")), "/learners/12#marks");
        assert_eq!(
            safe_next(Some("/learners?q=Nguyễn")),
            "/learners?q=Nguy%E1%BB%85n"
        );
        assert_eq!(safe_next(None), "/");
        // Invisible but harmless: kept, encoded, on this site.
        assert_eq!(safe_next(Some("/\u{200b}/x")), "/%E2%80%8B/x");
    }

    #[test]
    fn the_probes_redirects_go_home() {
        for hostile in [
            "/\t/evil.example",
            "//evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "evil.example",
            "/ /evil.example",
            "/\n/evil.example",
            "/\u{0}/x",
            "/\u{3000}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
    }

    /// How a browser resolves a `Location` value against a page of this site.
    fn resolved_host(location: &str) -> Option<String> {
        let base = url::Url::parse("https://truong.example.vn/login").expect("a valid base");
        base.join(location)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn any_bytes_lead_to_this_site_only(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let raw = String::from_utf8_lossy(&bytes);
            let next = safe_next(Some(&raw));
            prop_assert!(next.starts_with('/'));
            prop_assert!(!next.starts_with("//") && !next.starts_with("/\\"));
            prop_assert!(next.bytes().all(|b| b.is_ascii_graphic()), "{next:?}");
            prop_assert!(axum::http::HeaderValue::from_str(&next).is_ok());
            let host = resolved_host(&next);
            prop_assert_eq!(host.as_deref(), Some("truong.example.vn"));
        }

        #[test]
        fn slashes_and_separators_cannot_reach_another_host(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("/"), Just("\\"), Just("\t"), Just("\n"), Just(" "), Just("%2F"),
                    Just("%09"), Just("evil.example"), Just(":"), Just("@"), Just("."),
                    Just("https:"), Just("\u{0085}"), Just("\u{a0}"),
                ],
                0..8,
            )
        ) {
            let raw: String = parts.concat();
            let next = safe_next(Some(&raw));
            let host = resolved_host(&next);
            prop_assert_eq!(host.as_deref(), Some("truong.example.vn"));
        }
    }
}
