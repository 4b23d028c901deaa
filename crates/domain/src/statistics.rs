//! Statistical reports (the beginning- and end-of-year rounds of Circular 25/2024): the tables a
//! school or office reports, computed from *facts* the store counts per school and summed over the
//! organisation tree as it was on the report date.
//!
//! Every cell is defined once, as conditions on a fact ([`conditions`]); the tabulation counts the
//! facts that meet them and the drill-down lists the records that meet the same conditions, so a
//! figure and the records behind it cannot disagree.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::codes::{Gender, code_enum};
use crate::learners::{Disability, EnrolmentStatus, PolicyGroup};
use crate::org::{Ownership, SchoolLevel};
use crate::staff::{Qualification, StaffPosition};

code_enum! {
    /// The reporting round.
    ReportKind {
        Beginning => "dau_nam", "Đầu năm học", "Beginning of the school year";
        End => "cuoi_nam", "Cuối năm học", "End of the school year";
    }
}

code_enum! {
    /// The tables of a report.
    StatTable {
        Schools => "truong", "Trường và điểm trường", "Schools and satellite sites";
        Classes => "lop", "Lớp học theo khối", "Classes by grade";
        Learners => "hoc_sinh", "Học sinh theo khối lớp", "Learners by grade";
        Ethnicity => "dan_toc", "Học sinh theo dân tộc", "Learners by ethnic group";
        Disability => "khuyet_tat", "Học sinh khuyết tật", "Learners with a disability";
        Policy => "chinh_sach", "Học sinh thuộc diện chính sách", "Learners in a policy group";
        Movement => "bien_dong", "Bỏ học, chuyển trường", "Dropouts and transfers";
        Staff => "nhan_su", "Cán bộ, giáo viên, nhân viên", "Staff by position";
    }
}

/// The ethnic group every other group is a minority to (code 01, Kinh).
pub const MAJORITY_ETHNICITY: &str = "01";

/// Row and column code of totals.
pub const TOTAL: &str = "total";

/// A day of the year ("09-30"), for report dates that recur every school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MonthDay {
    pub month: u32,
    pub day: u32,
}

impl TryFrom<String> for MonthDay {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        let bad = || format!("ngày '{text}' không hợp lệ: viết theo dạng MM-DD, ví dụ 09-30");
        let (m, d) = text.split_once('-').ok_or_else(bad)?;
        let (month, day) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2024 is a leap year: 02-29 is accepted and falls back to 28 February in other years.
        chrono::NaiveDate::from_ymd_opt(2024, month, day).ok_or_else(bad)?;
        Ok(MonthDay { month, day })
    }
}

/// Statistics settings (`[statistics]` in the settings file). The report dates of the rounds are
/// [check] in statistics.md (reports are due around 30 October; the counting date is the
/// province's choice), so they are settings; any date can also be chosen per report.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatisticsSettings {
    /// Counting date of the beginning-of-year round, in the school year's first calendar year.
    pub beginning_date: MonthDay,
    /// Counting date of the end-of-year round, in the school year's second calendar year.
    pub end_date: MonthDay,
    /// Public and wide-audience views hide counts from 1 to this minus one ([`suppress`]).
    pub public_min_count: i64,
}

impl Default for StatisticsSettings {
    fn default() -> Self {
        Self {
            beginning_date: MonthDay { month: 9, day: 30 },
            end_date: MonthDay { month: 5, day: 31 },
            public_min_count: 5,
        }
    }
}

impl StatisticsSettings {
    /// The default counting date of a round of the school year starting in `start_year`.
    pub fn as_of(&self, kind: ReportKind, start_year: i32) -> chrono::NaiveDate {
        let (md, year) = match kind {
            ReportKind::Beginning => (self.beginning_date, start_year),
            ReportKind::End => (self.end_date, start_year + 1),
        };
        chrono::NaiveDate::from_ymd_opt(year, md.month, md.day)
            .or_else(|| chrono::NaiveDate::from_ymd_opt(year, md.month, md.day - 1))
            .expect("a checked month and day")
    }
}

/// One cell of a report: table, row code, column code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cell {
    pub table: StatTable,
    pub row: String,
    pub col: String,
}

impl Cell {
    pub fn new(table: StatTable, row: &str, col: &str) -> Self {
        Self {
            table,
            row: row.to_string(),
            col: col.to_string(),
        }
    }
}

/// The figures of a report: a count per cell (cells with no count are absent, read as 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures(BTreeMap<Cell, i64>);

impl Figures {
    pub fn get(&self, cell: &Cell) -> i64 {
        self.0.get(cell).copied().unwrap_or(0)
    }

    pub fn value(&self, table: StatTable, row: &str, col: &str) -> i64 {
        self.get(&Cell::new(table, row, col))
    }

    fn add(&mut self, table: StatTable, row: &str, col: &str, count: i64) {
        if count != 0 {
            *self.0.entry(Cell::new(table, row, col)).or_insert(0) += count;
        }
    }

    /// Adds to a cell without building its key again when it is already counted.
    fn add_to(&mut self, cell: &Cell, count: i64) {
        if count == 0 {
            return;
        }
        match self.0.get_mut(cell) {
            Some(n) => *n += count,
            None => {
                self.0.insert(cell.clone(), count);
            }
        }
    }

    /// Adds every figure of `other` (a unit's figures are the sum of its schools').
    pub fn merge(&mut self, other: &Figures) {
        for (cell, count) in &other.0 {
            *self.0.entry(cell.clone()).or_insert(0) += count;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Cell, i64)> {
        self.0.iter().map(|(c, n)| (c, *n))
    }

    /// Row codes present in `table`, in reporting order (see [`row_order`]), total last.
    pub fn rows(&self, table: StatTable) -> Vec<String> {
        let mut rows: Vec<String> = self
            .0
            .keys()
            .filter(|c| c.table == table && c.row != TOTAL)
            .map(|c| c.row.clone())
            .collect();
        rows.dedup();
        rows.sort_by_key(|r| row_order(table, r));
        rows.dedup();
        rows.push(TOTAL.to_string());
        rows
    }

    /// Compact form for storage: `[table, row, col, count]` per cell.
    pub fn to_rows(&self) -> Vec<(String, String, String, i64)> {
        self.0
            .iter()
            .map(|(c, n)| (c.table.code().to_string(), c.row.clone(), c.col.clone(), *n))
            .collect()
    }

    pub fn from_rows(
        rows: Vec<(String, String, String, i64)>,
    ) -> Result<Self, crate::codes::UnknownCode> {
        let mut f = Figures::default();
        for (table, row, col, n) in rows {
            f.add(table.parse()?, &row, &col, n);
        }
        Ok(f)
    }
}

/// The order rows are printed in: grades by number, codes by their list's order, others by code.
fn row_order(table: StatTable, row: &str) -> (usize, String) {
    let position = match table {
        StatTable::Schools => SCHOOL_ROWS.iter().position(|r| *r == row),
        StatTable::Classes | StatTable::Learners | StatTable::Movement => {
            grade_of(row).and_then(|g| usize::try_from(g).ok())
        }
        StatTable::Disability => Disability::ALL.iter().position(|d| d.code() == row),
        StatTable::Policy => PolicyGroup::ALL.iter().position(|d| d.code() == row),
        StatTable::Staff => StaffPosition::ALL.iter().position(|d| d.code() == row),
        StatTable::Ethnicity => None,
    };
    (position.unwrap_or(usize::MAX), row.to_string())
}

/// Rows of the schools table: one per level, multi-level schools apart.
const SCHOOL_ROWS: [&str; 6] = ["mn", "th", "thcs", "thpt", "gdtx", "lien_cap"];

/// A grade's row code ("g7"); grade 0 is preschool.
pub fn grade_row(grade: i32) -> String {
    format!("g{grade}")
}

fn grade_of(row: &str) -> Option<i32> {
    row.strip_prefix('g')?.parse().ok()
}

/// Learners of one school counted together because they share every reported attribute.
/// `status` is the enrolment's status on the report date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerFact {
    pub school_id: i64,
    pub grade: i32,
    pub gender: Gender,
    pub ethnicity: String,
    pub disability: Option<Disability>,
    pub policy: Option<PolicyGroup>,
    pub status: EnrolmentStatus,
    pub count: i64,
}

/// Staff of one school sharing every reported attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffFact {
    pub school_id: i64,
    pub position: StaffPosition,
    pub gender: Gender,
    pub ethnicity: String,
    pub qualification: Qualification,
    pub count: i64,
}

/// A school's own attributes for the schools table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolFact {
    pub school_id: i64,
    pub levels: Vec<SchoolLevel>,
    pub ownership: Option<Ownership>,
    pub sites: i64,
}

/// Classes of one school and grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassFact {
    pub school_id: i64,
    pub grade: i32,
    pub count: i64,
}

/// Everything a report counts, per school.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub schools: Vec<SchoolFact>,
    pub classes: Vec<ClassFact>,
    pub learners: Vec<LearnerFact>,
    pub staff: Vec<StaffFact>,
}

/// Statuses that make a learner part of the school on the report date.
pub const ENROLLED: [EnrolmentStatus; 4] = [
    EnrolmentStatus::Studying,
    EnrolmentStatus::TransferredIn,
    EnrolmentStatus::Repeating,
    EnrolmentStatus::Completed,
];

/// A condition a learner meets to be counted in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum LearnerCondition {
    Grade(i32),
    Gender(Gender),
    /// Not of the majority ethnic group.
    Minority,
    Ethnicity(String),
    /// `None`: any disability.
    Disability(Option<Disability>),
    /// `None`: any policy group.
    Policy(Option<PolicyGroup>),
    /// Status on the report date is one of these.
    Status(Vec<EnrolmentStatus>),
}

/// A condition a staff member meets to be counted in a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum StaffCondition {
    Position(StaffPosition),
    Gender(Gender),
    Minority,
    Qualification(Qualification),
}

/// A condition on a school (schools table) or on classes (classes table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum UnitCondition {
    /// The school's level row ("th", …, "lien_cap").
    LevelRow(String),
    Ownership(Ownership),
    Grade(i32),
}

/// What a cell counts, as conditions on the records behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Conditions {
    Learners(Vec<LearnerCondition>),
    Staff(Vec<StaffCondition>),
    /// Schools; `sites` counts their satellite sites instead.
    Schools {
        conditions: Vec<UnitCondition>,
        sites: bool,
    },
    Classes(Vec<UnitCondition>),
}

/// The columns of a table, in printing order.
pub fn columns(table: StatTable) -> Vec<&'static str> {
    match table {
        StatTable::Schools => vec![TOTAL, "public", "people", "private", "sites"],
        StatTable::Classes => vec![TOTAL],
        StatTable::Learners => vec![
            TOTAL,
            "female",
            "minority",
            "minority_female",
            "disability",
            "policy",
            "repeating",
        ],
        StatTable::Ethnicity | StatTable::Disability | StatTable::Policy => {
            vec![TOTAL, "female"]
        }
        StatTable::Movement => vec!["dropped_out", "transferred_out", "transferred_in"],
        StatTable::Staff => {
            let mut cols = vec![TOTAL, "female", "minority"];
            cols.extend(Qualification::ALL.iter().map(|q| q.code()));
            cols
        }
    }
}

/// Vietnamese heading of a column.
pub fn column_label(table: StatTable, col: &str) -> &'static str {
    match (table, col) {
        (_, TOTAL) => "Tổng số",
        (_, "female") => "Nữ",
        (_, "minority") => "Dân tộc thiểu số",
        (_, "minority_female") => "Nữ dân tộc thiểu số",
        (_, "disability") => "Khuyết tật",
        (_, "policy") => "Diện chính sách",
        (_, "repeating") => "Lưu ban",
        (_, "public") => "Công lập",
        (_, "people") => "Dân lập",
        (_, "private") => "Tư thục",
        (_, "sites") => "Điểm trường",
        (_, "dropped_out") => "Bỏ học",
        (_, "transferred_out") => "Chuyển đi",
        (_, "transferred_in") => "Chuyển đến",
        (StatTable::Staff, q) => Qualification::from_code(q).map_or("", |q| q.label_vi()),
        _ => "",
    }
}

/// Vietnamese label of a row.
pub fn row_label(table: StatTable, row: &str) -> String {
    if row == TOTAL {
        return "Tổng cộng".to_string();
    }
    match table {
        StatTable::Schools => match row {
            "lien_cap" => "Liên cấp".to_string(),
            level => SchoolLevel::from_code(level)
                .map_or(level.to_string(), |l| l.label_vi().to_string()),
        },
        StatTable::Classes | StatTable::Learners | StatTable::Movement => match grade_of(row) {
            Some(-1) => "Chưa xếp lớp".to_string(),
            Some(0) => "Mầm non".to_string(),
            Some(g) => format!("Lớp {g}"),
            None => row.to_string(),
        },
        StatTable::Ethnicity => {
            crate::reference::ethnicity(row).map_or(row.to_string(), |e| e.name.clone())
        }
        StatTable::Disability => {
            Disability::from_code(row).map_or(row.to_string(), |d| d.label_vi().to_string())
        }
        StatTable::Policy => {
            PolicyGroup::from_code(row).map_or(row.to_string(), |d| d.label_vi().to_string())
        }
        StatTable::Staff => {
            StaffPosition::from_code(row).map_or(row.to_string(), |d| d.label_vi().to_string())
        }
    }
}

/// The records a cell counts. `None` for a cell no table has.
pub fn conditions(cell: &Cell) -> Option<Conditions> {
    use LearnerCondition as L;
    if !columns(cell.table).contains(&cell.col.as_str()) {
        return None;
    }
    let total = cell.row == TOTAL;
    match cell.table {
        StatTable::Schools => {
            let mut conditions = Vec::new();
            if !total {
                if !SCHOOL_ROWS.contains(&cell.row.as_str()) {
                    return None;
                }
                conditions.push(UnitCondition::LevelRow(cell.row.clone()));
            }
            if let Some(o) = Ownership::from_code(&cell.col) {
                conditions.push(UnitCondition::Ownership(o));
            }
            Some(Conditions::Schools {
                conditions,
                sites: cell.col == "sites",
            })
        }
        StatTable::Classes => {
            let mut conditions = Vec::new();
            if !total {
                conditions.push(UnitCondition::Grade(grade_of(&cell.row)?));
            }
            Some(Conditions::Classes(conditions))
        }
        StatTable::Staff => {
            let mut conditions = Vec::new();
            if !total {
                conditions.push(StaffCondition::Position(StaffPosition::from_code(
                    &cell.row,
                )?));
            }
            match cell.col.as_str() {
                TOTAL => {}
                "female" => conditions.push(StaffCondition::Gender(Gender::Female)),
                "minority" => conditions.push(StaffCondition::Minority),
                q => conditions.push(StaffCondition::Qualification(Qualification::from_code(q)?)),
            }
            Some(Conditions::Staff(conditions))
        }
        StatTable::Learners
        | StatTable::Movement
        | StatTable::Ethnicity
        | StatTable::Disability
        | StatTable::Policy => {
            let mut conditions = Vec::new();
            if !total {
                conditions.push(match cell.table {
                    StatTable::Ethnicity => {
                        L::Ethnicity(crate::reference::ethnicity(&cell.row)?.code.clone())
                    }
                    StatTable::Disability => L::Disability(Some(Disability::from_code(&cell.row)?)),
                    StatTable::Policy => L::Policy(Some(PolicyGroup::from_code(&cell.row)?)),
                    _ => L::Grade(grade_of(&cell.row)?),
                });
            }
            // Tables of a group count only learners in the group, also in their total row.
            match cell.table {
                StatTable::Disability if total => conditions.push(L::Disability(None)),
                StatTable::Policy if total => conditions.push(L::Policy(None)),
                _ => {}
            }
            let status = match cell.col.as_str() {
                "repeating" => vec![EnrolmentStatus::Repeating],
                "dropped_out" => vec![EnrolmentStatus::DroppedOut],
                "transferred_out" => vec![EnrolmentStatus::TransferredOut],
                "transferred_in" => vec![EnrolmentStatus::TransferredIn],
                _ => ENROLLED.to_vec(),
            };
            conditions.push(L::Status(status));
            match cell.col.as_str() {
                "female" => conditions.push(L::Gender(Gender::Female)),
                "minority" => conditions.push(L::Minority),
                "minority_female" => {
                    conditions.push(L::Minority);
                    conditions.push(L::Gender(Gender::Female));
                }
                "disability" => conditions.push(L::Disability(None)),
                "policy" => conditions.push(L::Policy(None)),
                _ => {}
            }
            Some(Conditions::Learners(conditions))
        }
    }
}

impl LearnerCondition {
    pub fn holds(&self, f: &LearnerFact) -> bool {
        match self {
            LearnerCondition::Grade(g) => f.grade == *g,
            LearnerCondition::Gender(g) => f.gender == *g,
            LearnerCondition::Minority => f.ethnicity != MAJORITY_ETHNICITY,
            LearnerCondition::Ethnicity(e) => &f.ethnicity == e,
            LearnerCondition::Disability(None) => f.disability.is_some(),
            LearnerCondition::Disability(d) => f.disability == *d,
            LearnerCondition::Policy(None) => f.policy.is_some(),
            LearnerCondition::Policy(p) => f.policy == *p,
            LearnerCondition::Status(s) => s.contains(&f.status),
        }
    }
}

impl StaffCondition {
    pub fn holds(&self, f: &StaffFact) -> bool {
        match self {
            StaffCondition::Position(p) => f.position == *p,
            StaffCondition::Gender(g) => f.gender == *g,
            StaffCondition::Minority => f.ethnicity != MAJORITY_ETHNICITY,
            StaffCondition::Qualification(q) => f.qualification == *q,
        }
    }
}

/// The schools-table row of a school's levels.
pub fn school_level_row(levels: &[SchoolLevel]) -> &'static str {
    match levels {
        [one] => one.code(),
        [] => "th",
        _ => "lien_cap",
    }
}

fn school_holds(c: &UnitCondition, f: &SchoolFact) -> bool {
    match c {
        UnitCondition::LevelRow(r) => school_level_row(&f.levels) == r,
        UnitCondition::Ownership(o) => f.ownership.unwrap_or(Ownership::Public) == *o,
        UnitCondition::Grade(_) => false,
    }
}

/// The rows a fact falls in: its own row and the total.
fn candidate_rows(fact_row: String) -> [String; 2] {
    [fact_row, TOTAL.to_string()]
}

/// Counts every cell of every table, per school.
pub fn tabulate(facts: &Facts) -> BTreeMap<i64, Figures> {
    let mut out: BTreeMap<i64, Figures> = BTreeMap::new();
    let mut cache = CellConditions::default();
    for f in &facts.schools {
        let figures = out.entry(f.school_id).or_default();
        for row in candidate_rows(school_level_row(&f.levels).to_string()) {
            count_cells(
                &mut cache,
                figures,
                StatTable::Schools,
                &row,
                |conds| match conds {
                    Conditions::Schools { conditions, sites } => {
                        let holds = conditions.iter().all(|c| school_holds(c, f));
                        Some(if !holds {
                            0
                        } else if *sites {
                            f.sites
                        } else {
                            1
                        })
                    }
                    _ => None,
                },
            );
        }
    }
    for f in &facts.classes {
        let figures = out.entry(f.school_id).or_default();
        for row in candidate_rows(grade_row(f.grade)) {
            count_cells(
                &mut cache,
                figures,
                StatTable::Classes,
                &row,
                |conds| match conds {
                    Conditions::Classes(c) => Some(
                        if c.iter()
                            .all(|c| matches!(c, UnitCondition::Grade(g) if *g == f.grade))
                        {
                            f.count
                        } else {
                            0
                        },
                    ),
                    _ => None,
                },
            );
        }
    }
    for f in &facts.learners {
        let figures = out.entry(f.school_id).or_default();
        let rows = [
            (StatTable::Learners, grade_row(f.grade)),
            (StatTable::Movement, grade_row(f.grade)),
            (StatTable::Ethnicity, f.ethnicity.clone()),
            (
                StatTable::Disability,
                f.disability.map_or(String::new(), |d| d.code().to_string()),
            ),
            (
                StatTable::Policy,
                f.policy.map_or(String::new(), |p| p.code().to_string()),
            ),
        ];
        for (table, own_row) in rows {
            for row in candidate_rows(own_row) {
                count_cells(&mut cache, figures, table, &row, |conds| match conds {
                    Conditions::Learners(c) => Some(if c.iter().all(|c| c.holds(f)) {
                        f.count
                    } else {
                        0
                    }),
                    _ => None,
                });
            }
        }
    }
    for f in &facts.staff {
        let figures = out.entry(f.school_id).or_default();
        for row in candidate_rows(f.position.code().to_string()) {
            count_cells(
                &mut cache,
                figures,
                StatTable::Staff,
                &row,
                |conds| match conds {
                    Conditions::Staff(c) => Some(if c.iter().all(|c| c.holds(f)) {
                        f.count
                    } else {
                        0
                    }),
                    _ => None,
                },
            );
        }
    }
    out
}

/// Each cell's conditions, worked out once per row of a table (a province has hundreds of
/// thousands of facts but few distinct rows).
#[derive(Default)]
struct CellConditions(HashMap<StatTable, HashMap<String, RowCells>>);

/// The cells of one row with what each counts.
type RowCells = Vec<(Cell, Option<Conditions>)>;

impl CellConditions {
    fn of(&mut self, table: StatTable, row: &str) -> &[(Cell, Option<Conditions>)] {
        let rows = self.0.entry(table).or_default();
        if !rows.contains_key(row) {
            let cells = columns(table)
                .into_iter()
                .map(|col| {
                    let cell = Cell::new(table, row, col);
                    let conditions = conditions(&cell);
                    (cell, conditions)
                })
                .collect();
            rows.insert(row.to_string(), cells);
        }
        &rows[row]
    }
}

/// Adds to each column of `row` what `count` says the fact contributes to that cell.
fn count_cells(
    cache: &mut CellConditions,
    figures: &mut Figures,
    table: StatTable,
    row: &str,
    count: impl Fn(&Conditions) -> Option<i64>,
) {
    if row.is_empty() {
        return;
    }
    for (cell, conditions) in cache.of(table, row) {
        if let Some(n) = conditions.as_ref().and_then(&count) {
            figures.add_to(cell, n);
        }
    }
}

/// Sums the figures of the given schools.
pub fn sum<'a>(figures: impl IntoIterator<Item = &'a Figures>) -> Figures {
    let mut total = Figures::default();
    for f in figures {
        total.merge(f);
    }
    total
}

/// A column heading or a row of a printed table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Heading {
    pub code: String,
    pub label: String,
}

/// One row of a printed table: its counts in the order of the columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowView {
    pub code: String,
    pub label: String,
    pub values: Vec<i64>,
}

/// A table as printed: title, columns, rows (total last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TableView {
    pub table: StatTable,
    pub title: String,
    pub columns: Vec<Heading>,
    pub rows: Vec<RowView>,
}

/// Every table of a report, in order, as printed.
pub fn table_views(figures: &Figures) -> Vec<TableView> {
    StatTable::ALL
        .iter()
        .map(|&table| {
            let cols = columns(table);
            TableView {
                table,
                title: table.label_vi().to_string(),
                columns: cols
                    .iter()
                    .map(|c| Heading {
                        code: c.to_string(),
                        label: column_label(table, c).to_string(),
                    })
                    .collect(),
                rows: figures
                    .rows(table)
                    .into_iter()
                    .map(|row| RowView {
                        label: row_label(table, &row),
                        values: cols.iter().map(|c| figures.value(table, &row, c)).collect(),
                        code: row,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// Whether listing the records of a cell shows sensitive personal data (ethnicity, disability,
/// policy group): such lists need the right to read sensitive fields; the count itself does not.
pub fn reveals_sensitive(conditions: &Conditions) -> bool {
    match conditions {
        Conditions::Learners(c) => c.iter().any(|c| {
            matches!(
                c,
                LearnerCondition::Minority
                    | LearnerCondition::Ethnicity(_)
                    | LearnerCondition::Disability(_)
                    | LearnerCondition::Policy(_)
            )
        }),
        Conditions::Staff(c) => c.iter().any(|c| matches!(c, StaffCondition::Minority)),
        Conditions::Schools { .. } | Conditions::Classes(_) => false,
    }
}

/// A printed count: the number, or hidden because it is small enough to identify a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Shown {
    Count(i64),
    /// Hidden: between 1 and the threshold, or hidden so that a hidden cell cannot be worked out
    /// from its row's or column's total.
    Hidden,
}

/// Small-count suppression for public or wide-audience views of one table (`grid[row][col]`,
/// totals included as the last row and first column as printed). A count from 1 to
/// `threshold - 1` is hidden (primary suppression); then, while some row or column has exactly
/// one hidden cell, the smallest other non-zero cell of that line is hidden too (secondary
/// suppression), so no hidden count can be recovered by subtraction. Zeros stay shown.
pub fn suppress(grid: &[Vec<i64>], threshold: i64) -> Vec<Vec<Shown>> {
    let mut hidden: Vec<Vec<bool>> = grid
        .iter()
        .map(|row| row.iter().map(|&n| n > 0 && n < threshold).collect())
        .collect();
    loop {
        let mut changed = false;
        let lines = lines_of(grid);
        for line in &lines {
            let hidden_in_line = line.iter().filter(|&&(r, c)| hidden[r][c]).count();
            if hidden_in_line == 1 {
                let partner = line
                    .iter()
                    .filter(|&&(r, c)| !hidden[r][c] && grid[r][c] > 0)
                    .min_by_key(|&&(r, c)| grid[r][c]);
                if let Some(&(r, c)) = partner {
                    hidden[r][c] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    grid.iter()
        .zip(hidden)
        .map(|(row, h)| {
            row.iter()
                .zip(h)
                .map(|(&n, h)| if h { Shown::Hidden } else { Shown::Count(n) })
                .collect()
        })
        .collect()
}

/// Every row and every column of a grid, as cell positions.
fn lines_of(grid: &[Vec<i64>]) -> Vec<Vec<(usize, usize)>> {
    let width = grid.iter().map(Vec::len).max().unwrap_or(0);
    let mut lines: Vec<Vec<(usize, usize)>> = grid
        .iter()
        .enumerate()
        .map(|(r, row)| (0..row.len()).map(|c| (r, c)).collect())
        .collect();
    for c in 0..width {
        lines.push(
            (0..grid.len())
                .filter(|&r| c < grid[r].len())
                .map(|r| (r, c))
                .collect(),
        );
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn learner(
        grade: i32,
        gender: Gender,
        ethnicity: &str,
        status: EnrolmentStatus,
        count: i64,
    ) -> LearnerFact {
        LearnerFact {
            school_id: 1,
            grade,
            gender,
            ethnicity: ethnicity.into(),
            disability: None,
            policy: None,
            status,
            count,
        }
    }

    #[test]
    fn learners_are_counted_by_grade_with_totals() {
        let facts = Facts {
            learners: vec![
                learner(6, Gender::Female, "01", EnrolmentStatus::Studying, 20),
                learner(6, Gender::Male, "02", EnrolmentStatus::Studying, 18),
                learner(7, Gender::Female, "02", EnrolmentStatus::Repeating, 2),
                learner(7, Gender::Male, "01", EnrolmentStatus::DroppedOut, 1),
                LearnerFact {
                    disability: Some(Disability::Visual),
                    policy: Some(PolicyGroup::PoorHousehold),
                    ..learner(7, Gender::Male, "01", EnrolmentStatus::Studying, 3)
                },
            ],
            ..Facts::default()
        };
        let f = &tabulate(&facts)[&1];
        let t = StatTable::Learners;
        assert_eq!(f.value(t, "g6", TOTAL), 38);
        assert_eq!(f.value(t, "g6", "female"), 20);
        assert_eq!(f.value(t, "g6", "minority"), 18);
        assert_eq!(f.value(t, "g7", TOTAL), 5, "the dropout is not enrolled");
        assert_eq!(f.value(t, "g7", "repeating"), 2);
        assert_eq!(f.value(t, "g7", "minority_female"), 2);
        assert_eq!(f.value(t, TOTAL, TOTAL), 43);
        assert_eq!(f.value(StatTable::Movement, "g7", "dropped_out"), 1);
        assert_eq!(f.value(StatTable::Movement, TOTAL, "dropped_out"), 1);
        assert_eq!(f.value(StatTable::Ethnicity, "02", TOTAL), 20);
        assert_eq!(f.value(StatTable::Ethnicity, TOTAL, TOTAL), 43);
        assert_eq!(f.value(StatTable::Disability, "visual", TOTAL), 3);
        assert_eq!(f.value(StatTable::Disability, TOTAL, TOTAL), 3);
        assert_eq!(f.value(StatTable::Policy, TOTAL, TOTAL), 3);
        assert_eq!(f.rows(t), vec!["g6", "g7", TOTAL]);
    }

    #[test]
    fn schools_count_levels_ownership_and_sites() {
        let facts = Facts {
            schools: vec![
                SchoolFact {
                    school_id: 1,
                    levels: vec![SchoolLevel::Primary],
                    ownership: Some(Ownership::Public),
                    sites: 2,
                },
                SchoolFact {
                    school_id: 2,
                    levels: vec![SchoolLevel::Primary, SchoolLevel::LowerSecondary],
                    ownership: Some(Ownership::Private),
                    sites: 0,
                },
            ],
            ..Facts::default()
        };
        let total = sum(tabulate(&facts).values());
        let t = StatTable::Schools;
        assert_eq!(total.value(t, "th", TOTAL), 1);
        assert_eq!(total.value(t, "th", "sites"), 2);
        assert_eq!(total.value(t, "lien_cap", "private"), 1);
        assert_eq!(total.value(t, TOTAL, TOTAL), 2);
        assert_eq!(total.value(t, TOTAL, "public"), 1);
    }

    #[test]
    fn staff_by_position_and_qualification() {
        let facts = Facts {
            staff: vec![
                StaffFact {
                    school_id: 1,
                    position: StaffPosition::Teacher,
                    gender: Gender::Female,
                    ethnicity: "01".into(),
                    qualification: Qualification::Bachelor,
                    count: 30,
                },
                StaffFact {
                    school_id: 1,
                    position: StaffPosition::Principal,
                    gender: Gender::Male,
                    ethnicity: "03".into(),
                    qualification: Qualification::Master,
                    count: 1,
                },
            ],
            ..Facts::default()
        };
        let f = &tabulate(&facts)[&1];
        assert_eq!(f.value(StatTable::Staff, "teacher", "bachelor"), 30);
        assert_eq!(f.value(StatTable::Staff, TOTAL, TOTAL), 31);
        assert_eq!(f.value(StatTable::Staff, TOTAL, "minority"), 1);
        assert_eq!(f.value(StatTable::Staff, "principal", "female"), 0);
    }

    #[test]
    fn report_dates_come_from_settings() {
        let s = StatisticsSettings::default();
        assert_eq!(
            s.as_of(ReportKind::Beginning, 2025).to_string(),
            "2025-09-30"
        );
        assert_eq!(s.as_of(ReportKind::End, 2025).to_string(), "2026-05-31");
        let leap = StatisticsSettings {
            end_date: MonthDay::try_from("02-29".to_string()).unwrap(),
            ..s
        };
        assert_eq!(leap.as_of(ReportKind::End, 2025).to_string(), "2026-02-28");
        assert!(MonthDay::try_from("13-01".to_string()).is_err());
        assert!(MonthDay::try_from("0930".to_string()).is_err());
    }

    #[test]
    fn unknown_cells_have_no_conditions() {
        assert!(conditions(&Cell::new(StatTable::Learners, "g6", "nonsense")).is_none());
        assert!(conditions(&Cell::new(StatTable::Learners, "x", TOTAL)).is_none());
        assert!(conditions(&Cell::new(StatTable::Ethnicity, "99", TOTAL)).is_none());
    }

    #[test]
    fn storage_form_round_trips() {
        let facts = Facts {
            learners: vec![learner(1, Gender::Male, "01", EnrolmentStatus::Studying, 3)],
            ..Facts::default()
        };
        let f = tabulate(&facts).remove(&1).unwrap();
        assert_eq!(Figures::from_rows(f.to_rows()).unwrap(), f);
    }

    #[test]
    fn small_counts_and_their_partners_are_hidden() {
        // Row totals in column 0: hiding 2 alone would leave 10 - 8 = 2 readable.
        let grid = vec![vec![10, 8, 2], vec![30, 15, 15], vec![40, 23, 17]];
        let shown = suppress(&grid, 5);
        assert_eq!(shown[0][2], Shown::Hidden);
        assert_eq!(shown[0][1], Shown::Hidden, "partner in the row");
        // Columns 1 and 2 then have one hidden cell each: their smallest others go too.
        assert_eq!(shown[1][1], Shown::Hidden);
        assert_eq!(shown[1][2], Shown::Hidden);
        assert_eq!(shown[2][0], Shown::Count(40), "the grand total stays");
        assert_eq!(shown[0][0], Shown::Count(10));
    }

    proptest! {
        /// No line ever has exactly one hidden cell (it could be worked out from the others),
        /// every small positive count is hidden, zeros and large counts are never turned into
        /// something else than themselves or hidden.
        #[test]
        fn suppression_leaves_nothing_to_subtract(grid in prop::collection::vec(prop::collection::vec(0i64..30, 4), 1..6)) {
            let shown = suppress(&grid, 5);
            for (r, row) in grid.iter().enumerate() {
                for (c, &n) in row.iter().enumerate() {
                    if n > 0 && n < 5 { prop_assert_eq!(shown[r][c], Shown::Hidden); }
                    if let Shown::Count(x) = shown[r][c] { prop_assert_eq!(x, n); }
                }
            }
            for line in lines_of(&grid) {
                let hidden = line.iter().filter(|&&(r, c)| shown[r][c] == Shown::Hidden).count();
                let others = line.iter().filter(|&&(r, c)| shown[r][c] != Shown::Hidden && grid[r][c] > 0).count();
                prop_assert!(hidden != 1 || others == 0);
            }
        }

        /// Summing per-school figures equals tabulating all facts at once.
        #[test]
        fn tabulation_is_additive(counts in prop::collection::vec((1i64..3, 1i32..13, any::<bool>(), 0usize..4, 1i64..40), 1..30)) {
            let statuses = [EnrolmentStatus::Studying, EnrolmentStatus::Repeating, EnrolmentStatus::DroppedOut, EnrolmentStatus::TransferredIn];
            let facts = Facts {
                learners: counts.iter().map(|&(school, grade, female, s, n)| LearnerFact {
                    school_id: school,
                    ..learner(grade, if female { Gender::Female } else { Gender::Male }, if female { "01" } else { "05" }, statuses[s], n)
                }).collect(),
                ..Facts::default()
            };
            let per_school = tabulate(&facts);
            let together = sum(per_school.values());
            let enrolled: i64 = counts.iter().filter(|c| c.3 != 2).map(|c| c.4).sum();
            prop_assert_eq!(together.value(StatTable::Learners, TOTAL, TOTAL), enrolled);
            let by_grade: i64 = together.rows(StatTable::Learners).iter().filter(|r| *r != TOTAL).map(|r| together.value(StatTable::Learners, r, TOTAL)).sum();
            prop_assert_eq!(by_grade, enrolled);
        }
    }
}
