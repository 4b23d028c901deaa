//! Imports from spreadsheets: which columns each kind of import has (data/import-columns.csv),
//! finding the header row and matching its titles to columns (with synonyms, or a mapping the
//! user chose), and reading each cell as the value its column needs. Pure functions: the store
//! decides what a parsed row creates or updates, the web and CLI only carry files.

pub mod classes;
pub mod enrolments;
pub mod learners;
pub mod staff;
mod values;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::codes::code_enum;
use crate::tabular::{Cell, Table, TableRow};
use crate::text::fold;

pub use values::*;

code_enum! {
    /// What a file holds.
    ImportKind {
        Learners => "learners", "Học sinh và cha mẹ", "Learners and guardians";
        Staff => "staff", "Cán bộ, giáo viên", "Staff";
        Classes => "classes", "Lớp học", "Classes";
        Enrolments => "enrolments", "Xếp lớp (nhập học)", "Enrolments";
    }
}

/// One column of an import, as listed in data/import-columns.csv.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Column {
    pub kind: String,
    pub key: String,
    pub header_vi: String,
    pub header_en: String,
    #[serde(deserialize_with = "yes_no")]
    pub required: bool,
    pub example: String,
    #[serde(skip_serializing)]
    pub synonyms: String,
}

fn yes_no<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(String::deserialize(d)? == "yes")
}

static COLUMNS: LazyLock<Vec<Column>> = LazyLock::new(|| {
    let text = include_str!("../../data/import-columns.csv");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    crate::reference::parse("import-columns.csv", &body)
});

/// The columns of a kind of import, in template order.
pub fn columns(kind: ImportKind) -> Vec<&'static Column> {
    COLUMNS.iter().filter(|c| c.kind == kind.code()).collect()
}

/// The column of `kind` with this key. Panics on a key not in the data file (a programming error).
pub fn column(kind: ImportKind, key: &str) -> &'static Column {
    COLUMNS
        .iter()
        .find(|c| c.kind == kind.code() && c.key == key)
        .unwrap_or_else(|| panic!("no import column {kind}.{key}"))
}

/// How a header title compares: no diacritics, case, spaces or punctuation ("SĐT cha" = "sdt cha").
pub fn header_key(title: &str) -> String {
    fold(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// Titles that are never data of ours: row numbers and notes.
const IGNORED_HEADERS: &[&str] = &["stt", "so thu tu", "tt", "ghi chu", "loi"];

static MATCHERS: LazyLock<HashMap<(String, String), &'static str>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for c in COLUMNS.iter() {
        let titles = [c.header_vi.as_str(), c.header_en.as_str(), c.key.as_str()]
            .into_iter()
            .chain(c.synonyms.split('|'));
        for t in titles.filter(|t| !t.trim().is_empty()) {
            map.entry((c.kind.clone(), header_key(t)))
                .or_insert(c.key.as_str());
        }
    }
    map
});

/// The column key a header title stands for in an import of `kind`, if any.
pub fn match_header(kind: ImportKind, title: &str) -> Option<&'static str> {
    MATCHERS
        .get(&(kind.code().to_string(), header_key(title)))
        .copied()
}

/// Where each column of an import is in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Mapping {
    /// Index in `Table::rows` of the header row; data rows follow it.
    pub header_index: usize,
    /// Column key → index of the file's column.
    pub columns: Vec<(String, usize)>,
}

impl Mapping {
    pub fn position(&self, key: &str) -> Option<usize> {
        self.columns.iter().find(|(k, _)| k == key).map(|(_, i)| *i)
    }
}

/// What header matching found, to show the user before anything is read.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HeaderMatch {
    pub mapping: Mapping,
    /// The file's titles in the header row, by position.
    pub titles: Vec<String>,
    /// Titles that matched no column (ignored unless the user maps them).
    pub unmatched: Vec<String>,
    /// Required columns the file lacks: the user must map them before importing.
    pub missing_required: Vec<String>,
}

/// Finds the header row (among the first 15 rows, the one whose titles match the most columns:
/// files from other software start with a title block) and matches its titles.
pub fn match_headers(kind: ImportKind, table: &Table) -> HeaderMatch {
    let best = table
        .rows
        .iter()
        .take(15)
        .enumerate()
        .map(|(i, row)| (i, matches_in(kind, row).len()))
        .max_by_key(|(i, n)| (*n, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
        .unwrap_or(0);
    let row = table.rows.get(best).cloned().unwrap_or_default();
    let columns = matches_in(kind, &row);
    let titles: Vec<String> = row.cells.iter().map(Cell::display).collect();
    let unmatched = titles
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            !t.is_empty()
                && !columns.iter().any(|(_, c)| c == i)
                && !IGNORED_HEADERS.contains(&fold(t).as_str())
        })
        .map(|(_, t)| t.clone())
        .collect();
    mapping_result(
        kind,
        Mapping {
            header_index: best,
            columns,
        },
        titles,
        unmatched,
    )
}

fn matches_in(kind: ImportKind, row: &TableRow) -> Vec<(String, usize)> {
    let mut found: Vec<(String, usize)> = Vec::new();
    for (i, cell) in row.cells.iter().enumerate() {
        if let Cell::Text(t) = cell
            && let Some(key) = match_header(kind, t)
            && !found.iter().any(|(k, _)| k == key)
        {
            found.push((key.to_string(), i));
        }
    }
    found
}

/// Applies a mapping the user chose (column key → file column index), checked against the file.
pub fn with_user_mapping(
    kind: ImportKind,
    table: &Table,
    header_index: usize,
    chosen: &[(String, usize)],
) -> Result<HeaderMatch, String> {
    let row = table
        .rows
        .get(header_index)
        .ok_or("Dòng tiêu đề không có trong tệp.")?;
    let titles: Vec<String> = row.cells.iter().map(Cell::display).collect();
    let mut columns: Vec<(String, usize)> = Vec::new();
    for (key, index) in chosen {
        if !columns_contain(kind, key) {
            return Err(format!("Cột '{key}' không thuộc loại dữ liệu này."));
        }
        if *index >= titles.len() {
            return Err(format!("Tệp không có cột thứ {}.", index + 1));
        }
        if columns.iter().any(|(_, i)| i == index) {
            return Err(format!(
                "Cột '{}' của tệp được chọn cho hai trường.",
                titles[*index]
            ));
        }
        columns.retain(|(k, _)| k != key);
        columns.push((key.clone(), *index));
    }
    let unmatched = titles
        .iter()
        .enumerate()
        .filter(|(i, t)| !t.is_empty() && !columns.iter().any(|(_, c)| c == i))
        .map(|(_, t)| t.clone())
        .collect();
    Ok(mapping_result(
        kind,
        Mapping {
            header_index,
            columns,
        },
        titles,
        unmatched,
    ))
}

fn columns_contain(kind: ImportKind, key: &str) -> bool {
    columns(kind).iter().any(|c| c.key == key)
}

fn mapping_result(
    kind: ImportKind,
    mapping: Mapping,
    titles: Vec<String>,
    unmatched: Vec<String>,
) -> HeaderMatch {
    let missing_required = columns(kind)
        .into_iter()
        .filter(|c| c.required && mapping.position(&c.key).is_none())
        .map(|c| c.header_vi.clone())
        .collect();
    HeaderMatch {
        mapping,
        titles,
        unmatched,
        missing_required,
    }
}

/// A data row seen through a mapping: cells by column key.
pub struct RowView<'a> {
    pub number: usize,
    cells: &'a [Cell],
    mapping: &'a Mapping,
}

impl<'a> RowView<'a> {
    pub fn new(row: &'a TableRow, mapping: &'a Mapping) -> Self {
        RowView {
            number: row.number,
            cells: &row.cells,
            mapping,
        }
    }

    pub fn cell(&self, key: &str) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        self.mapping
            .position(key)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&EMPTY)
    }

    /// Trimmed NFC text of a column, `None` when blank or absent.
    pub fn text(&self, key: &str) -> Option<String> {
        match self.cell(key) {
            c if c.is_blank() => None,
            // `clean` normalises and trims text itself; other cells display as they read.
            Cell::Text(t) => Some(crate::text::clean(t)),
            c => Some(c.display()),
        }
    }
}

/// The data rows of a table under a mapping (rows after the header).
pub fn data_rows<'a>(table: &'a Table, mapping: &'a Mapping) -> impl Iterator<Item = RowView<'a>> {
    table
        .rows
        .iter()
        .skip(mapping.header_index + 1)
        .map(move |r| RowView::new(r, mapping))
}

/// Who a row is about, from its own cells (shown even when the row cannot be read):
/// the non-blank cells of `keys`, joined by spaces.
pub fn row_label(row: &RowView, keys: &[&str]) -> String {
    keys.iter()
        .filter_map(|k| row.text(k))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One problem in one row: the column at fault (its key; `None` for the row as a whole) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CellError {
    pub column: Option<String>,
    pub message: String,
}

impl CellError {
    pub fn at(column: &str, message: impl Into<String>) -> Self {
        CellError {
            column: Some(column.to_string()),
            message: message.into(),
        }
    }

    pub fn row(message: impl Into<String>) -> Self {
        CellError {
            column: None,
            message: message.into(),
        }
    }

    /// "Ngày sinh: Không được để trống." — the column's Vietnamese title, then the message.
    pub fn describe(&self, kind: ImportKind) -> String {
        match &self.column {
            Some(key) => format!("{}: {}", column(kind, key).header_vi, self.message),
            None => self.message.clone(),
        }
    }
}

/// All the problems of a row, for the error column of the report.
pub fn describe_errors(kind: ImportKind, errors: &[CellError]) -> String {
    errors
        .iter()
        .map(|e| {
            let d = e.describe(kind);
            d.trim_end_matches('.').to_string()
        })
        .collect::<Vec<_>>()
        .join("; ")
        + "."
}

/// The title of the error column added to a report.
pub const ERROR_COLUMN: &str = "Lỗi";

/// The user's file back with only its rejected rows, each with the reasons in an added last
/// column, in the same format (xlsx or CSV) — fix the cells and import this file again.
/// `rejected` holds (row number, message).
pub fn error_report(
    table: &Table,
    mapping: &Mapping,
    rejected: &[(usize, String)],
) -> Result<Vec<u8>, crate::tabular::WriteError> {
    let width = table.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut w = crate::tabular::TableWriter::like(
        table.format,
        table.sheet_name.as_deref().unwrap_or("Lỗi nhập"),
    );
    let messages: HashMap<usize, &str> = rejected.iter().map(|(n, m)| (*n, m.as_str())).collect();
    for (i, row) in table.rows.iter().enumerate() {
        let mut cells = row.cells.clone();
        cells.resize(width, Cell::Empty);
        if i < mapping.header_index {
            w.row(&cells)?;
        } else if i == mapping.header_index {
            let titles: Vec<String> = cells.iter().map(Cell::display).collect();
            let mut titles: Vec<&str> = titles.iter().map(String::as_str).collect();
            titles.push(ERROR_COLUMN);
            w.header(&titles)?;
        } else if let Some(m) = messages.get(&row.number) {
            cells.push(Cell::Text(m.to_string()));
            w.row(&cells)?;
        }
    }
    w.finish()
}

/// The template of a kind of import: the header row, then one example row.
pub fn template_rows(kind: ImportKind) -> (Vec<&'static str>, Vec<Cell>) {
    let cols = columns(kind);
    let headers = cols.iter().map(|c| c.header_vi.as_str()).collect();
    let example = cols
        .iter()
        .map(|c| match crate::tabular::parse_date_vn(&c.example) {
            Some(d) if c.key.contains("date") || c.key == "effective_on" => Cell::Date(d),
            _ if c.example.is_empty() => Cell::Empty,
            _ => Cell::Text(c.example.clone()),
        })
        .collect();
    (headers, example)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::{FileFormat, TextEncoding};

    fn table(rows: &[&[&str]]) -> Table {
        Table {
            format: FileFormat::Csv {
                encoding: TextEncoding::Utf8,
                delimiter: b',',
            },
            sheet_name: None,
            converted_from: None,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| TableRow {
                    number: i + 1,
                    cells: r
                        .iter()
                        .map(|s| {
                            if s.is_empty() {
                                Cell::Empty
                            } else {
                                Cell::Text(s.to_string())
                            }
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_kind_has_columns_with_unique_keys_and_titles() {
        for kind in ImportKind::ALL {
            let cols = columns(*kind);
            assert!(!cols.is_empty());
            for c in &cols {
                assert_eq!(
                    match_header(*kind, &c.header_vi),
                    Some(c.key.as_str()),
                    "{kind}.{}",
                    c.key
                );
            }
        }
    }

    #[test]
    fn finds_the_header_below_a_title_block_and_matches_synonyms() {
        let t = table(&[
            &["SỞ GIÁO DỤC VÀ ĐÀO TẠO", ""],
            &["DANH SÁCH HỌC SINH LỚP 6A", ""],
            &[
                "STT",
                "Họ tên học sinh",
                "Ngày/tháng/năm sinh",
                "GT",
                "Số CCCD",
                "SĐT bố",
                "Sở thích",
            ],
            &["1", "Nguyễn Văn An", "05/09/2014", "Nam", "", "", ""],
        ]);
        let m = match_headers(ImportKind::Learners, &t);
        assert_eq!(m.mapping.header_index, 2);
        assert_eq!(m.mapping.position("full_name"), Some(1));
        assert_eq!(m.mapping.position("birth_date"), Some(2));
        assert_eq!(m.mapping.position("gender"), Some(3));
        assert_eq!(m.mapping.position("national_id"), Some(4));
        assert_eq!(m.mapping.position("father_phone"), Some(5));
        assert_eq!(m.unmatched, ["Sở thích"]);
        assert_eq!(m.missing_required, ["Dân tộc"]);
        let rows: Vec<_> = data_rows(&t, &m.mapping).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text("full_name").as_deref(), Some("Nguyễn Văn An"));
    }

    #[test]
    fn a_user_mapping_is_checked() {
        let t = table(&[&["Tên", "Sinh", "Phái", "DT"]]);
        let chosen = [
            ("full_name".to_string(), 0),
            ("birth_date".to_string(), 1),
            ("gender".to_string(), 2),
            ("ethnicity".to_string(), 3),
        ];
        let m = with_user_mapping(ImportKind::Learners, &t, 0, &chosen).unwrap();
        assert!(m.missing_required.is_empty());
        assert!(with_user_mapping(ImportKind::Learners, &t, 0, &[("nope".into(), 0)]).is_err());
        assert!(
            with_user_mapping(ImportKind::Learners, &t, 0, &[("full_name".into(), 9)]).is_err()
        );
        assert!(
            with_user_mapping(
                ImportKind::Learners,
                &t,
                0,
                &[("full_name".into(), 0), ("address".into(), 0)]
            )
            .is_err()
        );
    }
}
