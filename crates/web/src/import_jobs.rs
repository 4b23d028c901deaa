//! Imports in progress, kept in memory between the steps of the import pages (upload → column
//! mapping → preview → import → report). Checking and writing run as background tasks that
//! update the job, so a long import shows its progress and survives a slow connection; the
//! database work itself is one transaction, so a server stopped mid-import leaves nothing
//! half-written and the file can be imported again.
//!
//! One server process holds its jobs; several servers behind a load balancer need sticky
//! sessions for the import pages (the imports themselves are safe anywhere).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use truongso_domain::import::{HeaderMatch, ImportKind};
use truongso_domain::tabular::Table;
use truongso_store::imports::ImportReport;

/// Jobs older than this are forgotten.
const KEEP_FOR: Duration = Duration::from_secs(3 * 3600);

/// Where a job stands.
#[derive(Debug, Clone)]
pub enum JobState {
    /// Required columns are unmatched: the user must choose them.
    NeedsMapping,
    /// Rows are being checked against the database.
    Checking,
    /// Checked; nothing written yet.
    Previewed(Arc<ImportReport>),
    /// Writing: rows written so far of the total.
    Writing {
        done: usize,
        total: usize,
    },
    /// Finished: written, or refused (all-or-nothing with rejected rows).
    Done(Arc<ImportReport>),
    Failed(String),
}

pub struct ImportJob {
    pub id: String,
    pub owner: i64,
    pub kind: ImportKind,
    pub file_name: String,
    pub unit_id: Option<i64>,
    pub table: Arc<Table>,
    pub header: HeaderMatch,
    pub state: JobState,
    created: Instant,
}

#[derive(Default)]
pub struct ImportJobs {
    jobs: Mutex<HashMap<String, ImportJob>>,
}

/// A job as the pages read it (cloned out of the lock).
#[derive(Clone)]
pub struct JobView {
    pub id: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub unit_id: Option<i64>,
    pub table: Arc<Table>,
    pub header: HeaderMatch,
    pub state: JobState,
}

impl JobView {
    /// Whether the import ran (written, or refused because of rejected rows).
    pub fn state_is_done(&self) -> bool {
        matches!(self.state, JobState::Done(_))
    }
}

impl ImportJobs {
    pub fn create(
        &self,
        owner: i64,
        kind: ImportKind,
        file_name: String,
        unit_id: Option<i64>,
        table: Table,
        header: HeaderMatch,
    ) -> String {
        let id = truongso_store::secret::new_secret("imp_");
        let state = if header.missing_required.is_empty() {
            JobState::Checking
        } else {
            JobState::NeedsMapping
        };
        let job = ImportJob {
            id: id.clone(),
            owner,
            kind,
            file_name,
            unit_id,
            table: Arc::new(table),
            header,
            state,
            created: Instant::now(),
        };
        let mut jobs = self.jobs.lock().expect("import jobs lock");
        jobs.retain(|_, j| j.created.elapsed() < KEEP_FOR);
        jobs.insert(id.clone(), job);
        id
    }

    /// The job if it exists and belongs to `owner` (others' jobs do not exist for them).
    pub fn get(&self, id: &str, owner: i64) -> Option<JobView> {
        let jobs = self.jobs.lock().expect("import jobs lock");
        jobs.get(id).filter(|j| j.owner == owner).map(|j| JobView {
            id: j.id.clone(),
            kind: j.kind,
            file_name: j.file_name.clone(),
            unit_id: j.unit_id,
            table: j.table.clone(),
            header: j.header.clone(),
            state: j.state.clone(),
        })
    }

    pub fn set_state(&self, id: &str, state: JobState) {
        if let Some(j) = self.jobs.lock().expect("import jobs lock").get_mut(id) {
            j.state = state;
        }
    }

    pub fn set_header(&self, id: &str, header: HeaderMatch) {
        if let Some(j) = self.jobs.lock().expect("import jobs lock").get_mut(id) {
            j.header = header;
        }
    }

    /// Moves a job from `Previewed` to `Writing`, once: a second click does not import twice.
    pub fn start_writing(&self, id: &str, owner: i64) -> bool {
        let mut jobs = self.jobs.lock().expect("import jobs lock");
        match jobs.get_mut(id) {
            Some(j) if j.owner == owner && matches!(j.state, JobState::Previewed(_)) => {
                j.state = JobState::Writing { done: 0, total: 0 };
                true
            }
            _ => false,
        }
    }
}
