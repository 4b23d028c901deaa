//! Appending to and verifying the hash-chained gradebook history (`domain::gradebook::ledger`).
//!
//! Appending takes the school's chain row first (a row lock on PostgreSQL; SQLite transactions
//! are already serialised), so that events get gap-free sequence numbers and every save of a
//! school sees the marks as the previous save left them.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use serde::Serialize;
use truongso_domain::gradebook::ledger::{
    Action, ChainBreak, ChainCheck, Change, EventBody, GENESIS, cells_json, event_hash, stored_time,
};

use super::rows::{ROW_COLUMNS, StoredRow};
use crate::audit::AuditActor;
use crate::schema::{GradeChains, GradeChanges, GradeEvents, GradeRows};
use crate::seed::bulk_insert;
use crate::{Conn, Store, StoreResult};

/// The end of a chain, held (locked) by the transaction that appends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub chain_id: i64,
    pub last_seq: i64,
    pub last_hash: String,
}

/// Locks a school's chain for this transaction and returns its end.
pub async fn lock_chain(conn: &mut Conn<'_>, chain_id: i64) -> StoreResult<ChainHead> {
    conn.execute(
        Query::insert()
            .into_table(GradeChains::Table)
            .columns([
                GradeChains::ChainId,
                GradeChains::LastSeq,
                GradeChains::LastHash,
            ])
            .values_panic([chain_id.into(), 0i64.into(), GENESIS.into()])
            .on_conflict(
                OnConflict::column(GradeChains::ChainId)
                    .do_nothing()
                    .to_owned(),
            ),
    )
    .await?;
    // A no-op update takes PostgreSQL's row lock until commit; concurrent appenders queue here.
    conn.execute(
        Query::update()
            .table(GradeChains::Table)
            .value(GradeChains::LastSeq, Expr::col(GradeChains::LastSeq))
            .and_where(Expr::col(GradeChains::ChainId).eq(chain_id)),
    )
    .await?;
    let (last_seq, last_hash): (i64, String) = conn
        .fetch_one(
            Query::select()
                .columns([GradeChains::LastSeq, GradeChains::LastHash])
                .from(GradeChains::Table)
                .and_where(Expr::col(GradeChains::ChainId).eq(chain_id)),
        )
        .await?;
    Ok(ChainHead {
        chain_id,
        last_seq,
        last_hash,
    })
}

/// An event to append (the sequence number and hashes are the ledger's to assign).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub action: Action,
    pub school_year_id: i64,
    pub reason: Option<String>,
    pub detail: serde_json::Value,
    pub changes: Vec<Change>,
}

/// Who acted and from where, as the ledger records it.
pub fn actor_name(actor: &AuditActor) -> String {
    actor.username.clone().unwrap_or_else(|| "hệ thống".into())
}

/// Appends events to a locked chain (in order) and moves its head. Returns the new head.
pub async fn append(
    conn: &mut Conn<'_>,
    head: &ChainHead,
    actor: &AuditActor,
    source: &str,
    at: DateTime<Utc>,
    events: Vec<NewEvent>,
) -> StoreResult<ChainHead> {
    let name = actor_name(actor);
    append_authored(
        conn,
        head,
        source,
        events
            .into_iter()
            .map(|event| AuthoredEvent {
                actor_user_id: actor.user_id,
                actor: name.clone(),
                at,
                event,
            })
            .collect(),
    )
    .await
}

/// An event with its own author and time, for histories written in bulk (the demo's year of
/// teachers' saves). Events must come in time order.
#[derive(Debug, Clone)]
pub struct AuthoredEvent {
    pub actor_user_id: Option<i64>,
    /// The name recorded (an account's username, else the person's name).
    pub actor: String,
    pub at: DateTime<Utc>,
    pub event: NewEvent,
}

/// Appends events by several authors at several times to a locked chain (in order, in
/// multi-row inserts) and moves its head. Returns the new head.
pub async fn append_authored(
    conn: &mut Conn<'_>,
    head: &ChainHead,
    source: &str,
    events: Vec<AuthoredEvent>,
) -> StoreResult<ChainHead> {
    let mut head = head.clone();
    let mut event_rows = Vec::with_capacity(events.len());
    let mut change_rows = Vec::new();
    for AuthoredEvent {
        actor_user_id,
        actor,
        at,
        event: e,
    } in events
    {
        let body = EventBody {
            chain_id: head.chain_id,
            seq: head.last_seq + 1,
            at: stored_time(at),
            actor,
            source: source.to_string(),
            action: e.action,
            school_year_id: e.school_year_id,
            reason: e.reason,
            detail: e.detail.to_string(),
            changes: e.changes,
        };
        let hash = event_hash(&head.last_hash, &body);
        for c in body.changes {
            change_rows.push(vec![
                body.chain_id.into(),
                body.seq.into(),
                c.learner_id.into(),
                c.item.into(),
                c.term.into(),
                c.before.into(),
                c.after.into(),
            ]);
        }
        event_rows.push(vec![
            body.chain_id.into(),
            body.seq.into(),
            body.at.into(),
            actor_user_id.into(),
            body.actor.into(),
            body.source.into(),
            body.action.code().into(),
            body.school_year_id.into(),
            body.reason.into(),
            body.detail.into(),
            head.last_hash.clone().into(),
            hash.clone().into(),
        ]);
        head.last_seq = body.seq;
        head.last_hash = hash;
    }
    bulk_insert(
        conn,
        GradeEvents::Table,
        &[
            GradeEvents::ChainId,
            GradeEvents::Seq,
            GradeEvents::At,
            GradeEvents::ActorUserId,
            GradeEvents::Actor,
            GradeEvents::Source,
            GradeEvents::Action,
            GradeEvents::SchoolYearId,
            GradeEvents::Reason,
            GradeEvents::Detail,
            GradeEvents::PrevHash,
            GradeEvents::Hash,
        ],
        event_rows,
    )
    .await?;
    bulk_insert(
        conn,
        GradeChanges::Table,
        &[
            GradeChanges::ChainId,
            GradeChanges::Seq,
            GradeChanges::LearnerId,
            GradeChanges::Item,
            GradeChanges::Term,
            GradeChanges::Before,
            GradeChanges::After,
        ],
        change_rows,
    )
    .await?;
    conn.execute(
        Query::update()
            .table(GradeChains::Table)
            .value(GradeChains::LastSeq, head.last_seq)
            .value(GradeChains::LastHash, head.last_hash.clone())
            .and_where(Expr::col(GradeChains::ChainId).eq(head.chain_id)),
    )
    .await?;
    Ok(head)
}

/// One event as shown in a history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct HistoryEntry {
    pub chain_id: i64,
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub source: String,
    pub action: String,
    pub reason: Option<String>,
    pub learner_id: i64,
    pub item: String,
    pub term: i16,
    pub before: String,
    pub after: String,
    pub hash: String,
}

/// Every change of one learner's row (item × term) in a school year, oldest first.
pub async fn history_of_row(
    conn: &mut Conn<'_>,
    learner_id: i64,
    school_year_id: i64,
    item: &str,
    term: i16,
) -> StoreResult<Vec<HistoryEntry>> {
    conn.fetch_all(
        Query::select()
            .columns([
                (GradeEvents::Table, GradeEvents::ChainId),
                (GradeEvents::Table, GradeEvents::Seq),
                (GradeEvents::Table, GradeEvents::At),
                (GradeEvents::Table, GradeEvents::Actor),
                (GradeEvents::Table, GradeEvents::Source),
                (GradeEvents::Table, GradeEvents::Action),
                (GradeEvents::Table, GradeEvents::Reason),
            ])
            .columns([
                (GradeChanges::Table, GradeChanges::LearnerId),
                (GradeChanges::Table, GradeChanges::Item),
                (GradeChanges::Table, GradeChanges::Term),
                (GradeChanges::Table, GradeChanges::Before),
                (GradeChanges::Table, GradeChanges::After),
            ])
            .column((GradeEvents::Table, GradeEvents::Hash))
            .from(GradeChanges::Table)
            .inner_join(
                GradeEvents::Table,
                Expr::col((GradeEvents::Table, GradeEvents::ChainId))
                    .equals((GradeChanges::Table, GradeChanges::ChainId))
                    .and(
                        Expr::col((GradeEvents::Table, GradeEvents::Seq))
                            .equals((GradeChanges::Table, GradeChanges::Seq)),
                    ),
            )
            .and_where(Expr::col((GradeChanges::Table, GradeChanges::LearnerId)).eq(learner_id))
            .and_where(Expr::col((GradeChanges::Table, GradeChanges::Item)).eq(item))
            .and_where(Expr::col((GradeChanges::Table, GradeChanges::Term)).eq(term))
            .and_where(
                Expr::col((GradeEvents::Table, GradeEvents::SchoolYearId)).eq(school_year_id),
            )
            .order_by((GradeEvents::Table, GradeEvents::At), Order::Asc)
            .order_by((GradeEvents::Table, GradeEvents::Seq), Order::Asc),
    )
    .await
}

/// What `verify` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub chains: usize,
    pub events: u64,
    pub changes: u64,
    pub rows: u64,
    /// Every chain's end, for anchoring outside the database.
    pub heads: Vec<(i64, i64, String)>,
    /// The first break found in each broken chain, then any stored row differing from history.
    pub breaks: Vec<String>,
}

impl VerifyReport {
    pub fn is_intact(&self) -> bool {
        self.breaks.is_empty()
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    chain_id: i64,
    seq: i64,
    at: DateTime<Utc>,
    actor: String,
    source: String,
    action: String,
    school_year_id: i64,
    reason: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    seq: i64,
    learner_id: i64,
    item: String,
    term: i16,
    before: String,
    after: String,
}

/// Key of a gradebook row: learner, school year, item, term.
type RowKey = (i64, i64, String, i16);

/// Each row's latest change: its order (time, chain, seq) and its cells after.
type Replayed = HashMap<RowKey, ((DateTime<Utc>, i64, i64), String)>;

/// Checks every chain (hashes, links, gaps, heads) and that replaying the history gives
/// exactly the stored rows. Reads one chain at a time.
pub async fn verify(store: &Store) -> StoreResult<VerifyReport> {
    let mut conn = store.conn();
    let heads: Vec<(i64, i64, String)> = conn
        .fetch_all(
            Query::select()
                .columns([
                    GradeChains::ChainId,
                    GradeChains::LastSeq,
                    GradeChains::LastHash,
                ])
                .from(GradeChains::Table)
                .order_by(GradeChains::ChainId, Order::Asc),
        )
        .await?;
    let mut chain_ids: Vec<i64> = conn
        .fetch_all::<(i64,)>(
            Query::select()
                .distinct()
                .column(GradeEvents::ChainId)
                .from(GradeEvents::Table),
        )
        .await?
        .into_iter()
        .map(|r| r.0)
        .chain(heads.iter().map(|h| h.0))
        .collect();
    chain_ids.sort_unstable();
    chain_ids.dedup();
    let mut report = VerifyReport {
        chains: chain_ids.len(),
        heads: heads.clone(),
        ..Default::default()
    };
    // The latest change of every row: (time, chain, seq) orders changes across chains (a
    // learner who changed school mid-year).
    let mut replayed: Replayed = HashMap::new();
    for chain_id in chain_ids {
        let head = heads.iter().find(|h| h.0 == chain_id);
        if let Err(b) = verify_chain(&mut conn, chain_id, head, &mut report, &mut replayed).await? {
            report.breaks.push(b.to_string());
        }
    }
    compare_rows(&mut conn, &replayed, &mut report).await?;
    Ok(report)
}

async fn verify_chain(
    conn: &mut Conn<'_>,
    chain_id: i64,
    head: Option<&(i64, i64, String)>,
    report: &mut VerifyReport,
    replayed: &mut Replayed,
) -> StoreResult<Result<(), ChainBreak>> {
    let events: Vec<EventRow> = conn
        .fetch_all(
            Query::select()
                .columns([
                    GradeEvents::ChainId,
                    GradeEvents::Seq,
                    GradeEvents::At,
                    GradeEvents::Actor,
                    GradeEvents::Source,
                    GradeEvents::Action,
                    GradeEvents::SchoolYearId,
                    GradeEvents::Reason,
                    GradeEvents::Detail,
                    GradeEvents::PrevHash,
                    GradeEvents::Hash,
                ])
                .from(GradeEvents::Table)
                .and_where(Expr::col(GradeEvents::ChainId).eq(chain_id))
                .order_by(GradeEvents::Seq, Order::Asc),
        )
        .await?;
    let changes: Vec<ChangeRow> = conn
        .fetch_all(
            Query::select()
                .columns([
                    GradeChanges::Seq,
                    GradeChanges::LearnerId,
                    GradeChanges::Item,
                    GradeChanges::Term,
                    GradeChanges::Before,
                    GradeChanges::After,
                ])
                .from(GradeChanges::Table)
                .and_where(Expr::col(GradeChanges::ChainId).eq(chain_id))
                .order_by(GradeChanges::Seq, Order::Asc)
                .order_by(GradeChanges::Id, Order::Asc),
        )
        .await?;
    report.events += events.len() as u64;
    report.changes += changes.len() as u64;
    let mut check = ChainCheck::new(chain_id);
    let mut changes = changes.into_iter().peekable();
    for (event_id, e) in events.into_iter().enumerate() {
        let mut mine = Vec::new();
        while let Some(c) = changes.next_if(|c| c.seq <= e.seq) {
            if c.seq == e.seq {
                mine.push(c);
            }
        }
        let body = EventBody {
            chain_id: e.chain_id,
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            source: e.source,
            action: Action::from_code(&e.action).unwrap_or(Action::Marks),
            school_year_id: e.school_year_id,
            reason: e.reason,
            detail: e.detail,
            changes: mine
                .iter()
                .map(|c| Change {
                    learner_id: c.learner_id,
                    item: c.item.clone(),
                    term: c.term,
                    before: c.before.clone(),
                    after: c.after.clone(),
                })
                .collect(),
        };
        if Action::from_code(&e.action).is_none() {
            return Ok(Err(ChainBreak::HashMismatch {
                chain_id,
                seq: e.seq,
                event_id: event_id as i64 + 1,
            }));
        }
        if let Err(b) = check.next(e.seq, &body, &e.prev_hash, &e.hash) {
            return Ok(Err(b));
        }
        if body.action == Action::Marks {
            for c in mine {
                let key = (c.learner_id, body.school_year_id, c.item, c.term);
                let order = (body.at, chain_id, body.seq);
                let slot = replayed
                    .entry(key)
                    .or_insert(((DateTime::<Utc>::MIN_UTC, 0, 0), "{}".into()));
                if order >= slot.0 {
                    *slot = (order, c.after);
                }
            }
        }
    }
    let last_seq = check.last_seq();
    match head {
        Some((_, head_seq, head_hash))
            if *head_seq != last_seq || head_hash != check.last_hash() =>
        {
            Ok(Err(ChainBreak::HeadMismatch {
                chain_id,
                head_seq: *head_seq,
                last_seq,
            }))
        }
        None if last_seq > 0 => Ok(Err(ChainBreak::HeadMismatch {
            chain_id,
            head_seq: 0,
            last_seq,
        })),
        _ => Ok(Ok(())),
    }
}

/// Every stored row must equal its replayed history, and every replayed row must be stored.
async fn compare_rows(
    conn: &mut Conn<'_>,
    replayed: &Replayed,
    report: &mut VerifyReport,
) -> StoreResult<()> {
    let rows: Vec<StoredRow> = conn
        .fetch_all(
            Query::select()
                .columns(ROW_COLUMNS)
                .from(GradeRows::Table)
                .order_by(GradeRows::Id, Order::Asc),
        )
        .await?;
    report.rows = rows.len() as u64;
    let mut seen = std::collections::HashSet::new();
    let mut mismatches = Vec::new();
    for row in rows {
        let key = (
            row.learner_id,
            row.school_year_id,
            row.item.clone(),
            row.term,
        );
        let stored = cells_json(&row.values());
        let history = replayed.get(&key).map_or("{}", |(_, v)| v.as_str());
        if stored != history {
            mismatches.push(ChainBreak::StateMismatch {
                learner_id: row.learner_id,
                item: row.item.clone(),
                term: row.term,
                stored,
                replayed: history.to_string(),
            });
        }
        seen.insert(key);
    }
    for (key, (_, cells)) in replayed {
        if !seen.contains(key) && cells != "{}" {
            mismatches.push(ChainBreak::StateMismatch {
                learner_id: key.0,
                item: key.2.clone(),
                term: key.3,
                stored: "(đã bị xoá)".into(),
                replayed: cells.clone(),
            });
        }
    }
    mismatches.sort_by_key(|m| m.to_string());
    report
        .breaks
        .extend(mismatches.into_iter().take(100).map(|m| m.to_string()));
    Ok(())
}
