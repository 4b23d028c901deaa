//! Sign-in and access control: cookies, the central policy (every request is decided in
//! [`policy::authorize`]), login throttling and TOTP. The acting user itself is
//! [`crate::actor::Actor`].

pub mod cookies;
pub mod next;
pub mod policy;
pub mod throttle;
pub mod totp;
