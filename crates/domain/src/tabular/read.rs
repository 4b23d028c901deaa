//! Reading a spreadsheet file (Excel .xlsx/.xls, OpenDocument .ods, or CSV in any encoding Excel
//! writes) into rows of cells, with limits that keep a hostile file from exhausting memory.

use std::io::{Cursor, Read};

use calamine::{Data, Reader};
use serde::Serialize;

use super::{
    Cell, TextEncoding, convert_font_text, decode_text, from_excel_serial, legacy, parse_date_vn,
    workbook_font_encoding,
};

/// Larger uploads are refused before parsing.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;
/// An .xlsx is a zip: refuse one that would inflate beyond this (a "zip bomb").
const MAX_INFLATED_BYTES: u64 = 800 * 1024 * 1024;
pub const MAX_ROWS: usize = 300_000;
pub const MAX_COLUMNS: usize = 200;
/// Longer cells are cut here; no field of ours is longer, so validation then rejects the row.
const MAX_CELL_CHARS: usize = 2_000;

/// What kind of file was read, so that a report can be written back in the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "format", rename_all = "snake_case")]
pub enum FileFormat {
    /// Any workbook calamine reads (.xlsx, .xlsm, .xls, .xlsb, .ods).
    Workbook,
    Csv {
        encoding: TextEncoding,
        delimiter: u8,
    },
}

/// One row of the file, with its row number as the user sees it (1-based, as in Excel).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TableRow {
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// The first sheet with data of a file: every non-empty row, title rows included.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub format: FileFormat,
    pub sheet_name: Option<String>,
    pub rows: Vec<TableRow>,
    /// The font-era encoding (TCVN3, VNI) the text was converted from, for the preview to say.
    pub converted_from: Option<TextEncoding>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("Tệp rỗng.")]
    Empty,
    #[error("Tệp quá lớn ({mb} MB): tối đa {max} MB. Hãy chia thành nhiều tệp.", mb = .0 / 1_048_576, max = MAX_FILE_BYTES / 1_048_576)]
    TooLarge(usize),
    #[error("Tệp có quá nhiều dòng (hơn {MAX_ROWS}). Hãy chia thành nhiều tệp.")]
    TooManyRows,
    #[error("Tệp có quá nhiều cột (hơn {MAX_COLUMNS}).")]
    TooManyColumns,
    #[error("Không đọc được tệp Excel: {0}. Hãy mở tệp bằng Excel và lưu lại dạng .xlsx.")]
    Workbook(String),
    #[error("Tệp Excel không có trang tính nào có dữ liệu.")]
    NoSheet,
    #[error("Không đọc được tệp CSV ở dòng {line}: {message}")]
    Csv { line: u64, message: String },
}

/// Reads a workbook or a CSV file, recognised by content (not by the file name).
pub fn read_table(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len()));
    }
    let table = if is_workbook(bytes) {
        read_workbook(bytes)?
    } else {
        read_csv(bytes)?
    };
    if table.rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(table)
}

/// Zip (xlsx, ods) or OLE2 (xls) signatures.
fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

fn read_workbook(bytes: &[u8]) -> Result<Table, ReadError> {
    if bytes.starts_with(b"PK") {
        check_inflated_size(bytes)?;
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ReadError::Workbook(e.to_string()))?;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        if range.is_empty() {
            continue;
        }
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        if range.width() + first_col as usize > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns);
        }
        if range.height() > MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        let mut rows: Vec<TableRow> = range
            .rows()
            .enumerate()
            .map(|(i, row)| TableRow {
                number: first_row as usize + i + 1,
                cells: std::iter::repeat_n(Cell::Empty, first_col as usize)
                    .chain(row.iter().map(workbook_cell))
                    .collect(),
            })
            .filter(|r| r.cells.iter().any(|c| !c.is_blank()))
            .collect();
        // Text typed in a `.VnTime` or `VNI-Times` font is stored as Latin-1 letters.
        let texts = rows.iter().flat_map(|r| &r.cells).filter_map(|c| match c {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        });
        let converted_from = workbook_font_encoding(texts);
        if let Some(encoding) = converted_from {
            for cell in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
                if let Cell::Text(t) = cell {
                    *t = convert_font_text(t, encoding);
                }
            }
        }
        return Ok(Table {
            format: FileFormat::Workbook,
            sheet_name: Some(name),
            rows,
            converted_from,
        });
    }
    Err(ReadError::NoSheet)
}

fn check_inflated_size(bytes: &[u8]) -> Result<(), ReadError> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::Workbook(e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| ReadError::Workbook(e.to_string()))?;
        total = total.saturating_add(entry.size());
    }
    if total > MAX_INFLATED_BYTES {
        return Err(ReadError::TooLarge(total.min(usize::MAX as u64) as usize));
    }
    Ok(())
}

fn workbook_cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => text_cell(s),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => match from_excel_serial(d.as_f64()) {
            Some(date) => Cell::Date(date),
            None => Cell::Number(d.as_f64()),
        },
        Data::DateTimeIso(s) => match s.get(..10).and_then(parse_date_vn) {
            Some(date) => Cell::Date(date),
            None => text_cell(s),
        },
        Data::DurationIso(s) => text_cell(s),
        // "#N/A", "#VALUE!": kept as the text Excel shows, so validation names it.
        Data::Error(e) => Cell::Text(e.to_string()),
    }
}

fn text_cell(s: &str) -> Cell {
    let s: String = s.chars().take(MAX_CELL_CHARS).collect();
    if s.trim().is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let (text, encoding) = decode_text(bytes);
    // Excel honours a first line "sep=;" naming the delimiter.
    let (text, hinted) = match text.split_once('\n') {
        Some((first, rest)) if first.trim().starts_with("sep=") && first.trim().len() == 5 => {
            (rest.to_string(), first.trim().as_bytes().get(4).copied())
        }
        _ => (text, None),
    };
    let delimiter = hinted.unwrap_or_else(|| sniff_delimiter(&text));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Rows are numbered as a spreadsheet shows them: one per record (a cell may hold line
    // breaks; CRLF ends count once), after the "sep=" line if there was one.
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv {
            line: e.position().map(|p| p.line()).unwrap_or(0),
            message: e.to_string(),
        })?;
        if record.len() > MAX_COLUMNS {
            return Err(ReadError::TooManyColumns);
        }
        let mut cells: Vec<Cell> = record.iter().map(text_cell).collect();
        if encoding == TextEncoding::Tcvn3 {
            for cell in &mut cells {
                if let Cell::Text(t) = cell {
                    *t = legacy::capitalise_like_neighbours(t);
                }
            }
        }
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        rows.push(TableRow {
            number: index + 1 + usize::from(hinted.is_some()),
            cells,
        });
    }
    Ok(Table {
        format: FileFormat::Csv {
            encoding,
            delimiter,
        },
        sheet_name: None,
        rows,
        converted_from: encoding.is_legacy_font().then_some(encoding),
    })
}

/// The delimiter of a CSV text: of comma, semicolon (Excel where the decimal mark is a comma)
/// and tab, the one found most often in the first lines, outside quotes.
fn sniff_delimiter(text: &str) -> u8 {
    let head: String = text.lines().take(20).collect::<Vec<_>>().join("\n");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in head.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(c) = counts.iter_mut().find(|(d, _)| *d == b) {
            c.1 += 1;
        }
    }
    counts
        .iter()
        .max_by_key(|(d, n)| (*n, *d == b','))
        .map(|(d, _)| *d)
        .unwrap_or(b',')
}

/// Reads all of a reader into memory, refusing more than [`MAX_FILE_BYTES`].
pub fn read_limited(mut reader: impl Read) -> Result<Vec<u8>, std::io::Error> {
    let mut buf = Vec::new();
    reader
        .by_ref()
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::tabular::TableWriter;

    fn texts(t: &Table) -> Vec<Vec<String>> {
        t.rows
            .iter()
            .map(|r| r.cells.iter().map(Cell::display).collect())
            .collect()
    }

    #[test]
    fn csv_with_semicolons_and_a_title_row() {
        let t = read_table(
            "DANH SÁCH LỚP 6A\nHọ và tên;Ngày sinh\nNguyễn Văn An;05/09/2014\n\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            texts(&t),
            [
                vec!["DANH SÁCH LỚP 6A"],
                vec!["Họ và tên", "Ngày sinh"],
                vec!["Nguyễn Văn An", "05/09/2014"]
            ]
        );
        assert_eq!(
            t.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert!(matches!(
            t.format,
            FileFormat::Csv {
                delimiter: b';',
                ..
            }
        ));
    }

    #[test]
    fn crlf_rows_are_numbered_as_excel_shows_them() {
        let t = read_table(
            "Họ và tên,Ngày sinh\r\nAn,01/01/2014\r\n,\r\nBình,02/02/2014\r\n".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            t.rows.iter().map(|r| r.number).collect::<Vec<_>>(),
            [1, 2, 4]
        );
    }

    #[test]
    fn excel_sep_hint_and_quoted_fields() {
        let t = read_table(b"sep=,\n\"Tr\xe1\xba\xa7n, B\"\t,x\n").unwrap();
        assert_eq!(texts(&t), [vec!["Trần, B", "x"]]);
        assert_eq!(t.rows[0].number, 2);
    }

    #[test]
    fn xlsx_round_trip_keeps_dates_numbers_and_diacritics() {
        let mut w = TableWriter::xlsx("Học sinh");
        w.row(&[
            Cell::Text("Họ và tên".into()),
            Cell::Text("Ngày sinh".into()),
            Cell::Text("Số".into()),
        ])
        .unwrap();
        let d = chrono::NaiveDate::from_ymd_opt(2014, 9, 5).unwrap();
        w.row(&[
            Cell::Text("Đặng Thị Ưng".into()),
            Cell::Date(d),
            Cell::Number(79214000123.0),
        ])
        .unwrap();
        let t = read_table(&w.finish().unwrap()).unwrap();
        assert_eq!(t.format, FileFormat::Workbook);
        assert_eq!(t.rows[1].cells[0], Cell::Text("Đặng Thị Ưng".into()));
        assert_eq!(t.rows[1].cells[1], Cell::Date(d));
        assert_eq!(t.rows[1].cells[2].display(), "79214000123");
    }

    #[test]
    fn broken_workbooks_are_refused_with_a_message() {
        assert_eq!(read_table(b""), Err(ReadError::Empty));
        assert!(matches!(
            read_table(b"PK\x03\x04garbage"),
            Err(ReadError::Workbook(_))
        ));
        let mut w = TableWriter::xlsx("x");
        w.row(&[Cell::Text("a".into())]).unwrap();
        let bytes = w.finish().unwrap();
        assert!(read_table(&bytes[..bytes.len() / 2]).is_err());
    }

    /// "Họ và tên,Ngày sinh" and three learners, as older school software wrote them.
    const TCVN3_CSV: &[u8] = b"H\xe4 v\xb5 t\xaan,Ng\xb5y sinh\r\nTr\xc7n V\xa8n An,05/09/2014\r\nHo\xb5ng \xae\xf8c Minh,01/02/2014\r\nL\xaa \xb8nh,03/03/2014\r\n";

    #[test]
    fn tcvn3_csv_is_recognised_and_converted() {
        let t = read_table(TCVN3_CSV).unwrap();
        assert_eq!(
            texts(&t),
            [
                vec!["Họ và tên", "Ngày sinh"],
                vec!["Trần Văn An", "05/09/2014"],
                vec!["Hoàng Đức Minh", "01/02/2014"],
                vec!["Lê Ánh", "03/03/2014"],
            ]
        );
        assert_eq!(t.converted_from, Some(TextEncoding::Tcvn3));
        assert!(matches!(
            t.format,
            FileFormat::Csv {
                encoding: TextEncoding::Tcvn3,
                ..
            }
        ));
    }

    #[test]
    fn vni_csv_is_recognised_and_converted() {
        let t = read_table(
            b"Ho\xef va\xf8 te\xe2n;Ghi chu\xf9\nTra\xe0n Va\xean An;\xd1a\xf5 nha\xe4p\nNguye\xe3n Th\xf2 H\xf6\xf4ng;\n",
        )
        .unwrap();
        assert_eq!(
            texts(&t),
            [
                vec!["Họ và tên", "Ghi chú"],
                vec!["Trần Văn An", "Đã nhập"],
                vec!["Nguyễn Thị Hương", ""],
            ]
        );
        assert_eq!(t.converted_from, Some(TextEncoding::Vni));
    }

    #[test]
    fn windows_1258_is_not_mistaken_for_a_font_encoding() {
        let t = read_table(
            b"Ho\xf2 va\xcc t\xean\nNguy\xea\xden Thi\xf2 \xd0a\xcco\nTr\xe2\xccn V\xe3n An\n",
        )
        .unwrap();
        assert_eq!(texts(&t)[1], vec!["Nguyễn Thị Đào"]);
        assert_eq!(texts(&t)[2], vec!["Trần Văn An"]);
        assert_eq!(t.converted_from, None);
    }

    #[test]
    fn a_workbook_typed_in_a_vntime_font_is_converted() {
        let mut w = TableWriter::xlsx("DS");
        w.row(&[Cell::Text("Hä vµ tªn".into()), Cell::Text("Lớp".into())])
            .unwrap();
        w.row(&[Cell::Text("TrÇn V¨n An".into()), Cell::Text("6A".into())])
            .unwrap();
        w.row(&[Cell::Text("Hoµng ®øc Minh".into()), Cell::Text("6A".into())])
            .unwrap();
        let t = read_table(&w.finish().unwrap()).unwrap();
        assert_eq!(t.converted_from, Some(TextEncoding::Tcvn3));
        // "Lớp" was real Unicode (not one byte a letter): left alone.
        assert_eq!(texts(&t)[0], vec!["Họ và tên", "Lớp"]);
        assert_eq!(texts(&t)[2], vec!["Hoàng Đức Minh", "6A"]);
        // A workbook in Unicode is not touched.
        let mut w = TableWriter::xlsx("DS");
        w.row(&[Cell::Text("Nguyễn Thị Đào".into())]).unwrap();
        let t = read_table(&w.finish().unwrap()).unwrap();
        assert_eq!(
            (t.converted_from, texts(&t)[0][0].as_str()),
            (None, "Nguyễn Thị Đào")
        );
    }

    /// Rewrites the uncompressed size every central-directory entry of a zip declares.
    fn declare_inflated_size(zip: &mut [u8], size: u32) -> usize {
        let mut patched = 0;
        let mut i = 0;
        while i + 46 <= zip.len() {
            if zip[i..i + 4] == [0x50, 0x4B, 0x01, 0x02] {
                zip[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
                patched += 1;
                i += 46;
            } else {
                i += 1;
            }
        }
        patched
    }

    #[test]
    fn zip_bombs_are_refused_before_inflating() {
        // Declaring more than 800 MB inflated: refused from the directory, nothing inflated.
        let mut bytes = sample_workbook();
        assert!(declare_inflated_size(&mut bytes, 0x7FFF_FFFF) > 3);
        assert!(matches!(read_table(&bytes), Err(ReadError::TooLarge(_))));
        // Lying the other way (a sheet far larger than it declares): reading stops at the
        // declared size and the file is refused as broken, so memory stays bounded.
        let mut w = TableWriter::xlsx("x");
        for i in 0..20_000 {
            w.row(&[
                Cell::Text(format!("Nguyễn Văn {i}")),
                Cell::Number(f64::from(i)),
            ])
            .unwrap();
        }
        let mut bytes = w.finish().unwrap();
        declare_inflated_size(&mut bytes, 200);
        assert!(matches!(read_table(&bytes), Err(ReadError::Workbook(_))));
        // More than 50 MB of upload: refused before anything is read.
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(matches!(read_table(&big), Err(ReadError::TooLarge(_))));
    }

    /// A real workbook of the import layout: what mutations start from.
    fn sample_workbook() -> Vec<u8> {
        let mut w = TableWriter::xlsx("Học sinh");
        w.row(&[
            Cell::Text("Họ và tên".into()),
            Cell::Text("Ngày sinh".into()),
            Cell::Text("Số định danh".into()),
        ])
        .unwrap();
        for i in 0..20 {
            w.row(&[
                Cell::Text(format!("Nguyễn Văn Thử {i}")),
                Cell::Date(chrono::NaiveDate::from_ymd_opt(2014, 1 + i % 12, 5).unwrap()),
                Cell::Text(format!("0792140{i:05}")),
            ])
            .unwrap();
        }
        w.finish().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Fuzzing over real files: a workbook or CSV with bytes overwritten, inserted or cut
        /// reads or fails with a message, never panics, and never yields more than the limits.
        #[test]
        fn mutated_real_files_read_or_fail_without_panicking(
            csv in any::<bool>(),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..12),
        ) {
            let mut bytes = if csv { TCVN3_CSV.to_vec() } else { sample_workbook() };
            for (at, byte, how) in edits {
                let at = at % (bytes.len() + 1);
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => bytes.truncate(at.max(1)),
                }
            }
            if let Ok(t) = read_table(&bytes) {
                prop_assert!(t.rows.len() <= MAX_ROWS);
                prop_assert!(t.rows.iter().all(|r| r.cells.len() <= MAX_COLUMNS));
            }
        }
    }

    proptest! {
        #[test]
        fn any_bytes_read_or_fail_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = read_table(&bytes);
        }

        #[test]
        fn any_prefix_of_a_workbook_reads_or_fails_without_panicking(cut in 0usize..4000) {
            let mut w = TableWriter::xlsx("x");
            w.row(&[Cell::Text("Họ và tên".into()), Cell::Number(1.5)]).unwrap();
            let bytes = w.finish().unwrap();
            let _ = read_table(&bytes[..cut.min(bytes.len())]);
        }
    }
}
