//! The `[admission]` section of the settings file: the readings admission.md leaves open
//! ([check], [open]) and the limits of the public services (one-time codes, results lookup).

use serde::{Deserialize, Serialize};

use super::grade10::Grade10Rules;
use super::zone::ZoneRules;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct AdmissionSettings {
    /// Grade 10: mechanism, choice premiums, tie-breaks, zones ([check]/[open] per city).
    pub grade10: Grade10Rules,
    /// Grades 1 and 6: overflow order, out-of-zone applicants, entry age ([check]).
    pub zone: ZoneRules,
    pub lookup: LookupLimits,
    pub codes: CodeLimits,
    /// Show the messages sent to guardians (one-time codes included) on `/admission/outbox`.
    /// For the demo and browser tests only, where no SMTP server delivers them; never turn it
    /// on where real guardians apply. `truongso demo` turns it on.
    pub outbox_page: bool,
}

/// The public results lookup: how many lookups one client address may make, and how many of
/// them may miss (an unknown number or a wrong date of birth) before it must wait — enumeration
/// of candidate numbers is slowed to a crawl and every refusal is logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LookupLimits {
    /// Lookups per client address per minute (a family checking a few children fits easily).
    pub per_minute: u32,
    /// Misses per client address per hour before lookups from it are refused for the hour.
    pub misses_per_hour: u32,
    /// Seconds a published result may be cached by browsers and proxies.
    pub cache_seconds: u32,
}

impl Default for LookupLimits {
    fn default() -> Self {
        LookupLimits {
            per_minute: 30,
            misses_per_hour: 20,
            cache_seconds: 300,
        }
    }
}

/// One-time codes proving a guardian controls a phone number or an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CodeLimits {
    /// Minutes a code stays valid.
    pub valid_minutes: u32,
    /// Wrong entries before a code is spent.
    pub attempts: u32,
    /// Codes one address may be sent per hour.
    pub per_address_per_hour: u32,
    /// Codes one client (IP address) may request per hour, whatever the addresses: one
    /// machine cannot spray codes over many phones.
    pub per_client_per_hour: u32,
    /// Hours a guardian stays signed in after entering a code.
    pub session_hours: u32,
}

impl Default for CodeLimits {
    fn default() -> Self {
        CodeLimits {
            valid_minutes: 10,
            attempts: 5,
            per_address_per_hour: 5,
            per_client_per_hour: 30,
            session_hours: 12,
        }
    }
}
