//! Writing rows to .xlsx (streamed with constant memory, so a province-wide export does not hold
//! the sheet in memory) or to CSV (UTF-8 with a byte-order mark, which Excel needs to show
//! Vietnamese letters).

use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};

use super::{Cell, FileFormat};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("không ghi được tệp Excel: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("không ghi được tệp CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("không ghi được tệp CSV: {0}")]
    Io(#[from] std::io::Error),
}

/// Rows written one after another, headers first.
pub struct TableWriter {
    inner: Inner,
    next_row: u32,
}

enum Inner {
    Xlsx(Box<Xlsx>),
    Csv(Box<csv::Writer<Vec<u8>>>),
}

struct Xlsx {
    workbook: Workbook,
    /// The sheet being written (see [`TableWriter::sheet`]).
    sheet: usize,
    header: Format,
    date: Format,
    text: Format,
}

impl TableWriter {
    pub fn xlsx(sheet_name: &str) -> TableWriter {
        let mut workbook = Workbook::new();
        // Constant memory needs a temporary directory; without one, the sheet stays in memory.
        if workbook.add_worksheet_with_constant_memory().is_err() {
            workbook.add_worksheet();
        }
        let sheet = workbook
            .worksheet_from_index(0)
            .expect("the sheet just added");
        set_sheet_name(sheet, sheet_name);
        TableWriter {
            inner: Inner::Xlsx(Box::new(Xlsx {
                workbook,
                sheet: 0,
                header: Format::new()
                    .set_bold()
                    .set_background_color("#DDE7F0")
                    .set_border_bottom(FormatBorder::Thin)
                    .set_text_wrap(),
                date: Format::new().set_num_format("dd/mm/yyyy"),
                text: Format::new().set_num_format("@"),
            })),
            next_row: 0,
        }
    }

    pub fn csv(delimiter: u8) -> TableWriter {
        let mut out = Vec::new();
        out.extend_from_slice(&[0xEF, 0xBB, 0xBF]);
        TableWriter {
            inner: Inner::Csv(Box::new(
                csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .flexible(true)
                    .from_writer(out),
            )),
            next_row: 0,
        }
    }

    /// A writer for the same kind of file as one that was read (reports go back as they came).
    pub fn like(format: FileFormat, sheet_name: &str) -> TableWriter {
        match format {
            FileFormat::Workbook => TableWriter::xlsx(sheet_name),
            FileFormat::Csv { delimiter, .. } => TableWriter::csv(delimiter),
        }
    }

    /// Starts a new sheet (xlsx) or, in CSV, a blank line before the next table: one file for a
    /// report of several tables.
    pub fn sheet(&mut self, sheet_name: &str) -> Result<(), WriteError> {
        match &mut self.inner {
            Inner::Xlsx(x) => {
                if x.workbook.add_worksheet_with_constant_memory().is_err() {
                    x.workbook.add_worksheet();
                }
                x.sheet += 1;
                let sheet = x.workbook.worksheet_from_index(x.sheet)?;
                set_sheet_name(sheet, sheet_name);
                self.next_row = 0;
            }
            Inner::Csv(w) => {
                w.write_record([""])?;
                self.next_row += 1;
            }
        }
        Ok(())
    }

    /// The header row: bold, frozen above the data, with column widths fitting the titles.
    pub fn header(&mut self, titles: &[&str]) -> Result<(), WriteError> {
        if let Inner::Xlsx(x) = &mut self.inner {
            let sheet = x.workbook.worksheet_from_index(x.sheet)?;
            for (i, t) in titles.iter().enumerate() {
                let width = (t.chars().count() as f64 * 1.1).clamp(10.0, 40.0);
                sheet.set_column_width(i as u16, width)?;
            }
            sheet.set_freeze_panes(self.next_row + 1, 0)?;
        }
        let cells: Vec<Cell> = titles.iter().map(|t| Cell::Text(t.to_string())).collect();
        self.write(&cells, true)
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), WriteError> {
        self.write(cells, false)
    }

    fn write(&mut self, cells: &[Cell], is_header: bool) -> Result<(), WriteError> {
        let row = self.next_row;
        self.next_row += 1;
        match &mut self.inner {
            Inner::Xlsx(x) => {
                let Xlsx {
                    workbook,
                    sheet,
                    header,
                    date,
                    text,
                } = &mut **x;
                let sheet = workbook.worksheet_from_index(*sheet)?;
                for (col, cell) in cells.iter().enumerate() {
                    let col = col as u16;
                    match cell {
                        Cell::Empty => {}
                        Cell::Text(s) if is_header => {
                            sheet.write_string_with_format(row, col, s, header)?;
                        }
                        // As text, never as a formula: "=…" stays what the user typed.
                        Cell::Text(s) => {
                            sheet.write_string_with_format(row, col, s, text)?;
                        }
                        Cell::Number(n) => {
                            sheet.write_number(row, col, *n)?;
                        }
                        Cell::Date(d) => {
                            sheet.write_datetime_with_format(row, col, d, date)?;
                        }
                        Cell::Bool(b) => {
                            sheet.write_boolean(row, col, *b)?;
                        }
                    }
                }
            }
            Inner::Csv(w) => {
                w.write_record(cells.iter().map(csv_field))?;
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<u8>, WriteError> {
        match self.inner {
            Inner::Xlsx(mut x) => Ok(x.workbook.save_to_buffer()?),
            Inner::Csv(w) => w.into_inner().map_err(|e| WriteError::Io(e.into_error())),
        }
    }
}

/// Sheet names are at most 31 characters and may not hold []:*?/\.
fn set_sheet_name(sheet: &mut rust_xlsxwriter::Worksheet, wanted: &str) {
    let name: String = wanted
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let _ = sheet.set_name(if name.is_empty() { "Sheet1" } else { &name });
}

/// A CSV field that a spreadsheet will not run as a formula (CSV injection): text starting with
/// = + - @ gets a leading apostrophe, which Excel hides.
fn csv_field(cell: &Cell) -> String {
    let s = cell.display();
    match (cell, s.chars().next()) {
        (Cell::Text(_), Some('=' | '+' | '-' | '@' | '\t' | '\r')) => format!("'{s}"),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::read_table;

    #[test]
    fn csv_has_a_bom_and_defuses_formulas() {
        let mut w = TableWriter::csv(b',');
        w.header(&["Họ và tên", "Ghi chú"]).unwrap();
        w.row(&[
            Cell::Text("Phạm Thị Ơn".into()),
            Cell::Text("=HYPERLINK(\"http://x\")".into()),
        ])
        .unwrap();
        let bytes = w.finish().unwrap();
        assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(
            text.contains("Phạm Thị Ơn,\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{text}"
        );
    }

    #[test]
    fn xlsx_holds_several_sheets() {
        let mut w = TableWriter::xlsx("Trường");
        w.header(&["Tên"]).unwrap();
        w.row(&[Cell::Text("THCS Nghĩa Hành".into())]).unwrap();
        w.sheet("Học sinh theo khối lớp").unwrap();
        w.header(&["Khối", "Tổng số"]).unwrap();
        w.row(&[Cell::Text("Lớp 6".into()), Cell::Number(38.0)])
            .unwrap();
        let bytes = w.finish().unwrap();
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        use calamine::Reader;
        assert_eq!(book.sheet_names(), vec!["Trường", "Học sinh theo khối lớp"]);
        let second = book.worksheet_range("Học sinh theo khối lớp").unwrap();
        assert_eq!(second.get_value((1, 1)), Some(&calamine::Data::Float(38.0)));
    }

    #[test]
    fn xlsx_keeps_formula_text_as_text() {
        let mut w = TableWriter::xlsx("Báo cáo lỗi");
        w.header(&["A"]).unwrap();
        w.row(&[Cell::Text("=1+1".into())]).unwrap();
        let t = read_table(&w.finish().unwrap()).unwrap();
        assert_eq!(t.sheet_name.as_deref(), Some("Báo cáo lỗi"));
        assert_eq!(t.rows[1].cells[0], Cell::Text("=1+1".into()));
    }
}
