//! Learner rows: one learner with up to three guardians (father, mother, another guardian) per
//! row, the layout of the sector database's own export and of most school lists.
//!
//! A row is read into a [`LearnerPatch`]: the values the file gives. A new learner is made from
//! it; an existing one is updated only where the file has a value, so that a list with fewer
//! columns, or blank cells, never erases what is stored ("nothing lost").

use chrono::NaiveDate;

use super::{CellError, RowView, not_in_list, parse_code, parse_date, parse_ethnicity};
use super::{parse_personal_id, parse_phone};
use crate::codes::Gender;
use crate::learners::{Disability, GuardianInput, GuardianRelation, LearnerInput, PolicyGroup};
use crate::tabular::Cell;
use crate::{FieldError, Invalid};

/// The guardian slots of a row: column prefix and relation.
pub const GUARDIAN_SLOTS: [(&str, GuardianRelation); 3] = [
    ("father", GuardianRelation::Father),
    ("mother", GuardianRelation::Mother),
    ("guardian", GuardianRelation::Other),
];

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GuardianPatch {
    pub full_name: Option<String>,
    pub phone: Option<String>,
    pub national_id: Option<String>,
}

/// What one row says about a learner.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnerPatch {
    pub learner_code: Option<String>,
    pub school_code: Option<String>,
    pub class_name: Option<String>,
    pub national_id: Option<String>,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub ethnicity_code: String,
    pub nationality: Option<String>,
    pub religion: Option<String>,
    pub address: Option<String>,
    pub ward_code: Option<String>,
    pub disability: Option<Disability>,
    pub policy_group: Option<PolicyGroup>,
    /// By slot of [`GUARDIAN_SLOTS`]; `None` when the row leaves the slot blank.
    pub guardians: [Option<GuardianPatch>; 3],
}

/// Reads a row; every problem of the row is reported, each with its column.
pub fn parse_row(row: &RowView) -> Result<LearnerPatch, Vec<CellError>> {
    let mut errors = Vec::new();
    let full_name = row.text("full_name");
    if full_name.is_none() {
        errors.push(CellError::at("full_name", "Không được để trống."));
    }
    let birth_date = required_date(row, "birth_date", &mut errors);
    let gender = required_code::<Gender>(row, "gender", &mut errors);
    let ethnicity_code = required_ethnicity(row, "ethnicity", &mut errors);
    let national_id = personal_id(row, "national_id", &mut errors);
    let disability = optional_code::<Disability>(row, "disability", &mut errors);
    let policy_group = optional_code::<PolicyGroup>(row, "policy_group", &mut errors);
    let guardians = GUARDIAN_SLOTS.map(|(prefix, _)| {
        let id_key = format!("{prefix}_id");
        let g = GuardianPatch {
            full_name: row.text(&format!("{prefix}_name")),
            phone: parse_phone(row.cell(&format!("{prefix}_phone"))),
            national_id: personal_id(row, &id_key, &mut errors),
        };
        (g != GuardianPatch::default()).then_some(g)
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(LearnerPatch {
        learner_code: row.text("learner_code").map(|c| c.to_uppercase()),
        school_code: row.text("school_code"),
        class_name: row.text("class"),
        national_id,
        full_name: full_name.expect("checked"),
        birth_date: birth_date.expect("checked"),
        gender: gender.expect("checked"),
        ethnicity_code: ethnicity_code.expect("checked"),
        nationality: row.text("nationality").map(|n| n.to_uppercase()),
        religion: row.text("religion"),
        address: row.text("address"),
        ward_code: row.text("ward_code"),
        disability,
        policy_group,
        guardians,
    })
}

fn personal_id(row: &RowView, key: &str, errors: &mut Vec<CellError>) -> Option<String> {
    parse_personal_id(row.cell(key))
        .map_err(|m| errors.push(CellError::at(key, m)))
        .ok()
        .flatten()
}

pub(crate) fn required_date(
    row: &RowView,
    key: &str,
    errors: &mut Vec<CellError>,
) -> Option<NaiveDate> {
    match parse_date(row.cell(key)) {
        Ok(Some(d)) => Some(d),
        Ok(None) => {
            errors.push(CellError::at(key, "Không được để trống."));
            None
        }
        Err(m) => {
            errors.push(CellError::at(key, m));
            None
        }
    }
}

pub(crate) fn required_ethnicity(
    row: &RowView,
    key: &str,
    errors: &mut Vec<CellError>,
) -> Option<String> {
    match row.text(key) {
        None => {
            errors.push(CellError::at(key, "Không được để trống."));
            None
        }
        Some(t) => parse_ethnicity(&t)
            .map_err(|m| errors.push(CellError::at(key, m)))
            .ok(),
    }
}

pub(crate) fn required_code<T: crate::codes::CodeList>(
    row: &RowView,
    key: &str,
    errors: &mut Vec<CellError>,
) -> Option<T> {
    match row.text(key) {
        None => {
            errors.push(CellError::at(key, "Không được để trống."));
            None
        }
        Some(t) => {
            let v = parse_code::<T>(&t);
            if v.is_none() {
                errors.push(CellError::at(key, not_in_list::<T>(&t)));
            }
            v
        }
    }
}

pub(crate) fn optional_code<T: crate::codes::CodeList>(
    row: &RowView,
    key: &str,
    errors: &mut Vec<CellError>,
) -> Option<T> {
    let t = row.text(key)?;
    // "Không" (none) is how lists say a learner has no disability or policy group.
    if matches!(super::header_key(&t).as_str(), "khong" | "none" | "0") {
        return None;
    }
    let v = parse_code::<T>(&t);
    if v.is_none() {
        errors.push(CellError::at(key, not_in_list::<T>(&t)));
    }
    v
}

impl LearnerPatch {
    /// A new learner made from the row.
    pub fn new_input(&self) -> LearnerInput {
        self.apply_to(&LearnerInput {
            national_id: None,
            full_name: String::new(),
            birth_date: self.birth_date,
            gender: self.gender,
            ethnicity_code: String::new(),
            nationality: "VN".to_string(),
            religion: None,
            address: None,
            ward_code: None,
            disability: None,
            policy_group: None,
            guardians: vec![],
        })
    }

    /// The stored learner updated where the row has a value; blanks keep what is stored.
    pub fn apply_to(&self, stored: &LearnerInput) -> LearnerInput {
        let keep = |new: &Option<String>, old: &Option<String>| new.clone().or(old.clone());
        let mut guardians = stored.guardians.clone();
        for ((_, relation), patch) in GUARDIAN_SLOTS.iter().zip(&self.guardians) {
            let Some(patch) = patch else { continue };
            // The slot is the first stored guardian of its relation ("other" covers all but
            // father and mother).
            let slot = guardians
                .iter()
                .position(|g| slot_of(g.relation) == *relation);
            match slot {
                Some(i) => {
                    let g = &mut guardians[i];
                    if let Some(n) = &patch.full_name {
                        g.full_name = n.clone();
                    }
                    g.phone = keep(&patch.phone, &g.phone);
                    g.national_id = keep(&patch.national_id, &g.national_id);
                }
                None => guardians.push(GuardianInput {
                    relation: *relation,
                    full_name: patch.full_name.clone().unwrap_or_default(),
                    phone: patch.phone.clone(),
                    email: None,
                    national_id: patch.national_id.clone(),
                }),
            }
        }
        LearnerInput {
            national_id: keep(&self.national_id, &stored.national_id),
            full_name: self.full_name.clone(),
            birth_date: self.birth_date,
            gender: self.gender,
            ethnicity_code: self.ethnicity_code.clone(),
            nationality: self
                .nationality
                .clone()
                .unwrap_or_else(|| stored.nationality.clone()),
            religion: keep(&self.religion, &stored.religion),
            address: keep(&self.address, &stored.address),
            ward_code: keep(&self.ward_code, &stored.ward_code),
            disability: self.disability.or(stored.disability),
            policy_group: self.policy_group.or(stored.policy_group),
            guardians,
        }
    }
}

fn slot_of(relation: GuardianRelation) -> GuardianRelation {
    match relation {
        GuardianRelation::Father | GuardianRelation::Mother => relation,
        _ => GuardianRelation::Other,
    }
}

/// The column a validation error of a learner input belongs to ("guardians[1].phone" → the
/// phone column of that guardian's slot).
pub fn column_of_field(input: &LearnerInput, field: &str) -> Option<String> {
    if let Some(rest) = field.strip_prefix("guardians[") {
        let (index, sub) = rest.split_once("].")?;
        let g = input.guardians.get(index.parse::<usize>().ok()?)?;
        let (prefix, _) = GUARDIAN_SLOTS
            .iter()
            .find(|(_, r)| *r == slot_of(g.relation))?;
        let suffix = match sub {
            "full_name" => "name",
            "phone" => "phone",
            "national_id" => "id",
            _ => return None,
        };
        return Some(format!("{prefix}_{suffix}"));
    }
    Some(
        match field {
            "ethnicity_code" => "ethnicity",
            f => f,
        }
        .to_string(),
    )
    .filter(|k| {
        super::columns(super::ImportKind::Learners)
            .iter()
            .any(|c| &c.key == k)
    })
}

/// Validation errors of a learner input as errors of the row's cells.
pub fn cell_errors(input: &LearnerInput, invalid: Invalid) -> Vec<CellError> {
    invalid
        .0
        .into_iter()
        .map(|FieldError { field, message }| CellError {
            column: column_of_field(input, &field),
            message,
        })
        .collect()
}

/// A stored learner as a row of the import layout (exports re-import unchanged).
pub fn export_cells(
    learner_code: &str,
    input: &LearnerInput,
    class_name: Option<&str>,
    school_code: Option<&str>,
) -> Vec<Cell> {
    let text = |s: Option<&str>| s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()));
    let guardian = |relation: GuardianRelation| {
        input
            .guardians
            .iter()
            .find(|g| slot_of(g.relation) == relation)
    };
    super::columns(super::ImportKind::Learners)
        .iter()
        .map(|c| match c.key.as_str() {
            "learner_code" => text(Some(learner_code)),
            "national_id" => text(input.national_id.as_deref()),
            "full_name" => text(Some(&input.full_name)),
            "birth_date" => Cell::Date(input.birth_date),
            "gender" => text(Some(input.gender.label_vi())),
            "ethnicity" => text(
                crate::reference::ethnicity(&input.ethnicity_code)
                    .map(|e| e.name.as_str())
                    .or(Some(input.ethnicity_code.as_str()))
                    .filter(|s| !s.is_empty()),
            ),
            "nationality" => text(Some(&input.nationality)),
            "religion" => text(input.religion.as_deref()),
            "address" => text(input.address.as_deref()),
            "ward_code" => text(input.ward_code.as_deref()),
            "disability" => text(input.disability.map(|d| d.label_vi())),
            "policy_group" => text(input.policy_group.map(|p| p.label_vi())),
            "class" => text(class_name),
            "school_code" => text(school_code),
            key => {
                let Some((prefix, field)) = key.split_once('_') else {
                    return Cell::Empty;
                };
                let Some((_, relation)) = GUARDIAN_SLOTS.iter().find(|(p, _)| *p == prefix) else {
                    return Cell::Empty;
                };
                let Some(g) = guardian(*relation) else {
                    return Cell::Empty;
                };
                match field {
                    "name" => text(Some(&g.full_name)),
                    "phone" => text(g.phone.as_deref()),
                    "id" => text(g.national_id.as_deref()),
                    _ => Cell::Empty,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{ImportKind, Mapping, match_headers};
    use crate::tabular::{FileFormat, Table, TableRow, TextEncoding};

    fn table(rows: Vec<Vec<Cell>>) -> Table {
        Table {
            format: FileFormat::Csv {
                encoding: TextEncoding::Utf8,
                delimiter: b',',
            },
            sheet_name: None,
            converted_from: None,
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, cells)| TableRow {
                    number: i + 1,
                    cells,
                })
                .collect(),
        }
    }

    fn header() -> Vec<Cell> {
        crate::import::columns(ImportKind::Learners)
            .iter()
            .map(|c| Cell::Text(c.header_vi.clone()))
            .collect()
    }

    fn example_input() -> LearnerInput {
        LearnerInput {
            national_id: Some("051314000123".into()),
            full_name: "Nguyễn Thị Hoa".into(),
            birth_date: NaiveDate::from_ymd_opt(2014, 3, 2).unwrap(),
            gender: Gender::Female,
            ethnicity_code: "01".into(),
            nationality: "VN".into(),
            religion: None,
            address: Some("Thôn 3".into()),
            ward_code: None,
            disability: Some(Disability::Visual),
            policy_group: None,
            guardians: vec![GuardianInput {
                relation: GuardianRelation::Mother,
                full_name: "Trần Thị Lan".into(),
                phone: Some("0912345678".into()),
                email: None,
                national_id: None,
            }],
        }
    }

    fn parse(t: &Table) -> (Mapping, Vec<Result<LearnerPatch, Vec<CellError>>>) {
        let m = match_headers(ImportKind::Learners, t).mapping;
        let rows = crate::import::data_rows(t, &m)
            .map(|r| parse_row(&r))
            .collect();
        (m, rows)
    }

    #[test]
    fn an_exported_learner_reads_back_unchanged() {
        let input = example_input();
        let t = table(vec![
            header(),
            export_cells("HS0000000001", &input, Some("6A"), None),
        ]);
        let (_, rows) = parse(&t);
        let patch = rows[0].clone().unwrap();
        assert_eq!(patch.learner_code.as_deref(), Some("HS0000000001"));
        assert_eq!(patch.class_name.as_deref(), Some("6A"));
        assert_eq!(patch.apply_to(&input), input);
        assert_eq!(patch.new_input(), input);
    }

    #[test]
    fn blanks_and_missing_columns_keep_what_is_stored() {
        let t = table(vec![
            vec![
                Cell::Text("Họ và tên".into()),
                Cell::Text("Ngày sinh".into()),
                Cell::Text("Giới tính".into()),
                Cell::Text("Dân tộc".into()),
                Cell::Text("SĐT cha".into()),
                Cell::Text("Địa chỉ".into()),
            ],
            vec![
                Cell::Text("Nguyễn Thị Hoa".into()),
                Cell::Text("02/03/2014".into()),
                Cell::Text("nữ".into()),
                Cell::Text("Kinh".into()),
                Cell::Number(987654321.0),
                Cell::Empty,
            ],
        ]);
        let (_, rows) = parse(&t);
        let patch = rows[0].clone().unwrap();
        let stored = example_input();
        let merged = patch.apply_to(&stored);
        assert_eq!(merged.address.as_deref(), Some("Thôn 3"));
        assert_eq!(merged.national_id, stored.national_id);
        assert_eq!(merged.disability, Some(Disability::Visual));
        assert_eq!(merged.guardians.len(), 2);
        assert_eq!(merged.guardians[1].phone.as_deref(), Some("0987654321"));
        // A father with a phone but no name: validation names the father's name column.
        let err = merged
            .validate(NaiveDate::from_ymd_opt(2025, 9, 5).unwrap())
            .unwrap_err();
        let cells = cell_errors(&merged, err);
        assert_eq!(cells[0].column.as_deref(), Some("father_name"));
    }

    fn any_cell() -> impl proptest::strategy::Strategy<Value = Cell> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Cell::Empty),
            "\\PC{0,40}".prop_map(Cell::Text),
            any::<f64>().prop_map(Cell::Number),
            (-100_000i64..100_000).prop_map(|d| Cell::Date(
                NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(d)
            )),
            any::<bool>().prop_map(Cell::Bool),
        ]
    }

    proptest::proptest! {
        /// Any cells at all in any column: a row reads or names its faults, never panics; what
        /// reads also validates without panicking.
        #[test]
        fn any_row_reads_or_is_rejected(cells in proptest::collection::vec(any_cell(), 0..30)) {
            for kind in ImportKind::ALL {
                let t = table(vec![
                    crate::import::columns(*kind).iter().map(|c| Cell::Text(c.header_vi.clone())).collect(),
                    cells.clone(),
                ]);
                let m = match_headers(*kind, &t).mapping;
                let today = NaiveDate::from_ymd_opt(2025, 9, 5).unwrap();
                for row in crate::import::data_rows(&t, &m) {
                    match kind {
                        ImportKind::Learners => {
                            if let Ok(p) = parse_row(&row) {
                                let _ = p.new_input().validate(today);
                            }
                        }
                        ImportKind::Staff => {
                            if let Ok(p) = crate::import::staff::parse_row(&row) {
                                let _ = p.input.validate(today);
                            }
                        }
                        ImportKind::Classes => {
                            let _ = crate::import::classes::parse_row(&row);
                        }
                        ImportKind::Enrolments => {
                            let _ = crate::import::enrolments::parse_row(&row);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_bad_cell_is_named() {
        let mut row = export_cells("", &example_input(), None, None);
        let pos = |k: &str| {
            crate::import::columns(ImportKind::Learners)
                .iter()
                .position(|c| c.key == k)
                .unwrap()
        };
        row[pos("full_name")] = Cell::Empty;
        row[pos("birth_date")] = Cell::Text("31/02/2014".into());
        row[pos("gender")] = Cell::Text("Khác".into());
        row[pos("ethnicity")] = Cell::Text("Kinhh".into());
        row[pos("disability")] = Cell::Text("Không".into());
        row[pos("national_id")] = Cell::Text("5.1E+10".into());
        let t = table(vec![header(), row]);
        let (_, rows) = parse(&t);
        let errors = rows[0].clone().unwrap_err();
        let cols: Vec<_> = errors.iter().map(|e| e.column.clone().unwrap()).collect();
        assert_eq!(
            cols,
            [
                "full_name",
                "birth_date",
                "gender",
                "ethnicity",
                "national_id"
            ]
        );
        assert!(
            errors[2]
                .describe(ImportKind::Learners)
                .starts_with("Giới tính: 'Khác'")
        );
    }
}
