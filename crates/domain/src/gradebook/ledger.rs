//! The tamper-evident history of the gradebook: every change of a mark, conduct or result, and
//! every lock, unlock and publication, is an append-only event in its school's chain. Each
//! event's hash covers its content and the previous event's hash, so editing or deleting an
//! event — even directly in the database — breaks every hash after it, and replaying the events
//! must give exactly the marks stored.
//!
//! The chain is per school (a school's saves never wait for another school's). The hash input is
//! a length-prefixed sequence of the event's fields as stored (text), so verification re-reads
//! exactly the bytes that were hashed, on either database.

use std::collections::BTreeMap;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Slot, Values};

/// The hash before the first event of every chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Marks, comments, conduct or absences entered or changed.
    Marks,
    /// A term locked by the principal.
    Lock,
    /// A locked term opened again (with a reason).
    Unlock,
    /// Marks of a term published to guardians.
    Publish,
    /// Year-end results decided or changed by the computation.
    Results,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Marks => "marks",
            Action::Lock => "lock",
            Action::Unlock => "unlock",
            Action::Publish => "publish",
            Action::Results => "results",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        [
            Action::Marks,
            Action::Lock,
            Action::Unlock,
            Action::Publish,
            Action::Results,
        ]
        .into_iter()
        .find(|a| a.code() == code)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Action::Marks => "Nhập/sửa điểm",
            Action::Lock => "Khoá sổ",
            Action::Unlock => "Mở khoá sổ",
            Action::Publish => "Công bố cho phụ huynh",
            Action::Results => "Tổng kết",
        }
    }
}

/// One event as stored, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody {
    /// The school whose chain holds the event.
    pub chain_id: i64,
    /// Position in the chain, from 1.
    pub seq: i64,
    /// Microsecond precision: what both databases keep.
    pub at: DateTime<Utc>,
    pub actor: String,
    /// Where the change came from: "web 10.0.0.5", "api", "import", "seed", "cli".
    pub source: String,
    pub action: Action,
    pub school_year_id: i64,
    pub reason: Option<String>,
    /// Action details as stored JSON text (the term locked, the class saved, …).
    pub detail: String,
    pub changes: Vec<Change>,
}

/// One row's cells before and after, as stored JSON text (see [`cells_json`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub learner_id: i64,
    pub item: String,
    pub term: i16,
    pub before: String,
    pub after: String,
}

/// Truncates a time to what both databases store.
pub fn stored_time(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

/// The hash of an event following `prev_hash` (hex SHA-256).
pub fn event_hash(prev_hash: &str, e: &EventBody) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(e.chain_id.to_string().as_bytes());
    field(e.seq.to_string().as_bytes());
    field(stored_time(e.at).to_rfc3339().as_bytes());
    field(e.actor.as_bytes());
    field(e.source.as_bytes());
    field(e.action.code().as_bytes());
    field(e.school_year_id.to_string().as_bytes());
    field(e.reason.as_deref().unwrap_or("\u{0}").as_bytes());
    field(e.detail.as_bytes());
    field(e.changes.len().to_string().as_bytes());
    for c in &e.changes {
        field(c.learner_id.to_string().as_bytes());
        field(c.item.as_bytes());
        field(c.term.to_string().as_bytes());
        field(c.before.as_bytes());
        field(c.after.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The non-empty cells of a row as canonical JSON (`{"end":"8","mid":"7.5"}`, keys sorted):
/// what an event stores before and after a change.
pub fn cells_json(values: &Values) -> String {
    let map: BTreeMap<&str, &str> = Slot::ALL
        .iter()
        .filter_map(|s| values.get(*s).map(|v| (s.code(), v)))
        .collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// Reads [`cells_json`] back; `None` when the text is not what we write.
pub fn parse_cells(json: &str) -> Option<Values> {
    let map: BTreeMap<String, String> = serde_json::from_str(json).ok()?;
    let mut values = Values::default();
    for (k, v) in map {
        values.set(Slot::from_code(&k)?, Some(v));
    }
    Some(values)
}

/// The first problem found in a chain, naming the event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error(
        "chuỗi {chain_id}, sự kiện #{seq} (id {event_id}): hash không khớp — nội dung đã bị sửa"
    )]
    HashMismatch {
        chain_id: i64,
        seq: i64,
        event_id: i64,
    },
    #[error(
        "chuỗi {chain_id}, sự kiện #{seq} (id {event_id}): liên kết tới sự kiện trước bị đứt — có sự kiện đã bị xoá hoặc chèn"
    )]
    BrokenLink {
        chain_id: i64,
        seq: i64,
        event_id: i64,
    },
    #[error("chuỗi {chain_id}: thiếu sự kiện #{expected} (gặp #{found}) — có sự kiện đã bị xoá")]
    Gap {
        chain_id: i64,
        expected: i64,
        found: i64,
    },
    #[error(
        "chuỗi {chain_id}: đầu chuỗi ghi #{head_seq} nhưng sự kiện cuối là #{last_seq} — sự kiện cuối đã bị xoá hoặc thêm ngoài hệ thống"
    )]
    HeadMismatch {
        chain_id: i64,
        head_seq: i64,
        last_seq: i64,
    },
    #[error(
        "học sinh {learner_id}, {item}, kì {term}: điểm đang lưu {stored} khác với lịch sử {replayed} — điểm đã bị sửa ngoài hệ thống"
    )]
    StateMismatch {
        learner_id: i64,
        item: String,
        term: i16,
        stored: String,
        replayed: String,
    },
}

/// Checks events of one chain in order, as read back from the database: each stored hash must
/// be the hash of its content after the previous one. Feed events with [`ChainCheck::next`].
#[derive(Debug)]
pub struct ChainCheck {
    chain_id: i64,
    expected_seq: i64,
    prev_hash: String,
}

impl ChainCheck {
    pub fn new(chain_id: i64) -> ChainCheck {
        ChainCheck {
            chain_id,
            expected_seq: 1,
            prev_hash: GENESIS.into(),
        }
    }

    /// Checks the next event (with its stored previous hash and hash).
    pub fn next(
        &mut self,
        event_id: i64,
        body: &EventBody,
        stored_prev: &str,
        stored_hash: &str,
    ) -> Result<(), ChainBreak> {
        let (chain_id, seq) = (self.chain_id, body.seq);
        if seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                chain_id,
                expected: self.expected_seq,
                found: seq,
            });
        }
        if stored_prev != self.prev_hash {
            return Err(ChainBreak::BrokenLink {
                chain_id,
                seq,
                event_id,
            });
        }
        if event_hash(stored_prev, body) != stored_hash {
            return Err(ChainBreak::HashMismatch {
                chain_id,
                seq,
                event_id,
            });
        }
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_string();
        Ok(())
    }

    /// The last sequence number checked (0 for an empty chain).
    pub fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(seq: i64, after: &str) -> EventBody {
        EventBody {
            chain_id: 7,
            seq,
            at: "2026-11-23T08:00:00.123456789Z".parse().unwrap(),
            actor: "gv.toan".into(),
            source: "web 10.0.0.5".into(),
            action: Action::Marks,
            school_year_id: 1,
            reason: None,
            detail: "{}".into(),
            changes: vec![Change {
                learner_id: 42,
                item: "toan".into(),
                term: 1,
                before: "{}".into(),
                after: after.into(),
            }],
        }
    }

    #[test]
    fn a_chain_verifies_and_any_edit_breaks_it() {
        let e1 = body(1, r#"{"r1":"7"}"#);
        let h1 = event_hash(GENESIS, &e1);
        let e2 = body(2, r#"{"r1":"8"}"#);
        let h2 = event_hash(&h1, &e2);
        let mut check = ChainCheck::new(7);
        check.next(1, &e1, GENESIS, &h1).unwrap();
        check.next(2, &e2, &h1, &h2).unwrap();
        assert_eq!(check.last_seq(), 2);

        let tampered = body(1, r#"{"r1":"9"}"#);
        let err = ChainCheck::new(7).next(1, &tampered, GENESIS, &h1);
        assert!(matches!(err, Err(ChainBreak::HashMismatch { seq: 1, .. })));
        // Deleting event 1 leaves a gap.
        let err = ChainCheck::new(7).next(2, &e2, &h1, &h2);
        assert!(matches!(err, Err(ChainBreak::Gap { expected: 1, .. })));
        // Times hash at the precision the databases keep.
        let mut e1_micro = e1.clone();
        e1_micro.at = stored_time(e1.at);
        assert_eq!(event_hash(GENESIS, &e1_micro), h1);
    }

    #[test]
    fn cells_round_trip_through_json() {
        let mut v = Values::default();
        v.set(Slot::Mid, Some("7.5".into()));
        v.set(Slot::Comment, Some("Chăm chỉ, \"tiến bộ\"".into()));
        let json = cells_json(&v);
        assert_eq!(parse_cells(&json), Some(v));
        assert_eq!(cells_json(&Values::default()), "{}");
    }
}
