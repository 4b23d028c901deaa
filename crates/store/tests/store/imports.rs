//! Imports and exports, each on SQLite and PostgreSQL: round trips change nothing, bad rows are
//! named and write nothing (unless only valid rows are asked for), re-imports are idempotent.

use chrono::NaiveDate;
use truongso_demo::DemoConfig;
use truongso_domain::import::{ImportKind, match_headers};
use truongso_domain::org::OrgKind;
use truongso_domain::tabular::{Cell, Table, TableWriter, read_table};
use truongso_store::audit::AuditActor;
use truongso_store::imports::{self, ImportOptions, ImportReport, RowAction};
use truongso_store::learners::LearnerFilter;
use truongso_store::orgs::{OrgFilter, OrgUnit};
use truongso_store::{PageRequest, Scope, Store, exports, learners, orgs};
use truongso_testkit::on_both_seeded;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 15).unwrap()
}

/// The province these tests run on (seeded once, copied for each test).
fn config() -> DemoConfig {
    DemoConfig {
        seed: 11,
        learners: 1_500,
        // These tests do not look at the gradebook: seed faster without the year of marks.
        marks: false,
        ..DemoConfig::default()
    }
}

async fn province(store: &Store) -> Vec<OrgUnit> {
    orgs::list(
        &mut store.conn(),
        &Scope::All,
        &OrgFilter {
            kind: Some(OrgKind::School),
            ..Default::default()
        },
        &PageRequest::new(1, 500),
    )
    .await
    .unwrap()
    .items
}

fn xlsx(headers: &[&str], rows: Vec<Vec<Cell>>) -> Table {
    let mut w = TableWriter::xlsx("Danh sách");
    w.header(headers).unwrap();
    for r in rows {
        w.row(&r).unwrap();
    }
    read_table(&w.finish().unwrap()).unwrap()
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

async fn run(
    store: &Store,
    scope: &Scope,
    kind: ImportKind,
    table: &Table,
    school: Option<i64>,
    keep_valid: bool,
) -> ImportReport {
    let header = match_headers(kind, table);
    assert!(
        header.missing_required.is_empty(),
        "{:?}",
        header.missing_required
    );
    let options = ImportOptions {
        kind,
        default_unit_id: school,
        keep_valid,
        today: today(),
    };
    imports::apply(
        store,
        scope,
        &AuditActor::default(),
        table,
        &header.mapping,
        &options,
        &mut |_, _| {},
    )
    .await
    .expect("import")
}

async fn learner_count(store: &Store) -> u64 {
    learners::list(
        &mut store.conn(),
        &Scope::All,
        &LearnerFilter::default(),
        &PageRequest::new(1, 1),
    )
    .await
    .unwrap()
    .total
}

#[tokio::test]
async fn an_exported_school_imports_back_unchanged() {
    on_both_seeded(&config(), |store, _| async move {
        let schools = province(&store).await;
        let school = &schools[0];
        let mut rows = Vec::new();
        exports::learners(
            &mut store.conn(),
            &school.scope(),
            &LearnerFilter::default(),
            true,
            |r| {
                rows.push(r);
                Ok(())
            },
        )
        .await
        .unwrap();
        assert!(rows.len() > 10);
        let table = xlsx(&exports::headers(ImportKind::Learners), rows.clone());
        let report = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &table,
            Some(school.id),
            true,
        )
        .await;
        let changed: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.action != RowAction::Unchanged)
            .collect();
        // Planted faults (IDs contradicting the birth date) are rejected, never rewritten.
        assert!(
            changed.iter().all(|r| r.action == RowAction::Rejected),
            "{changed:?}"
        );
        assert_eq!(report.created + report.updated, 0);
        assert_eq!(report.unchanged + report.rejected, rows.len());
    })
    .await;
}

#[tokio::test]
async fn faulty_rows_are_named_and_nothing_is_written_unless_asked() {
    on_both_seeded(&config(), |store, _| async move {
        let schools = province(&store).await;
        let (school, other) = (&schools[0], &schools[1]);
        let foreign = learners::list(
            &mut store.conn(),
            &other.scope(),
            &LearnerFilter::default(),
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|l| l.national_id.is_some())
        .unwrap();
        let own = learners::list(
            &mut store.conn(),
            &school.scope(),
            &LearnerFilter::default(),
            &PageRequest::new(1, 50),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|l| l.national_id.is_some())
        .unwrap();
        let headers = [
            "STT",
            "Họ và tên",
            "Ngày sinh",
            "Giới tính",
            "Dân tộc",
            "Số CCCD",
            "SĐT mẹ",
            "Họ tên mẹ",
        ];
        let row = |n: &str, name: &str, dob: Cell, g: &str, id: &str| {
            vec![
                text(n),
                text(name),
                dob,
                text(g),
                text("Kinh"),
                if id.is_empty() { Cell::Empty } else { text(id) },
                Cell::Number(912345678.0),
                text("Trần Thị Mai"),
            ]
        };
        let d = |s: &str| Cell::Date(NaiveDate::parse_from_str(s, "%d/%m/%Y").unwrap());
        let table = xlsx(
            &headers,
            vec![
                row(
                    "1",
                    "Nguyễn Văn Một",
                    d("05/09/2014"),
                    "Nam",
                    "051214123401",
                ),
                row("2", "Lê Thị Hai", text("31/02/2014"), "Nữ", ""),
                row("3", "Phạm Văn Ba", d("01/01/2014"), "Nam", "051314123403"),
                row("4", "Võ Thị Bốn", d("02/02/2014"), "Nữ", "051314123404"),
                row("5", "Võ Thị Bốn Bis", d("02/02/2014"), "Nữ", "051314123404"),
                row(
                    "6",
                    "Đặng Văn Sáu",
                    d("06/06/2014"),
                    "Nam",
                    foreign.national_id.as_deref().unwrap(),
                ),
                row("7", "Bùi Thị Bảy", Cell::Number(41887.0), "nữ", ""),
                // Another child of the school's ID on the wrong line: not an update of them.
                row(
                    "8",
                    "Tên Hoàn Toàn Khác",
                    d("03/03/2003"),
                    "Nam",
                    own.national_id.as_deref().unwrap(),
                ),
            ],
        );
        let before = learner_count(&store).await;
        let report = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &table,
            Some(school.id),
            false,
        )
        .await;
        assert!(!report.applied);
        assert_eq!(learner_count(&store).await, before, "all or nothing");
        let rejected: Vec<(usize, Vec<Option<String>>)> = report
            .rejected_rows()
            .map(|r| (r.row, r.errors.iter().map(|e| e.column.clone()).collect()))
            .collect();
        let col = |s: &str| Some(s.to_string());
        assert_eq!(
            rejected,
            vec![
                (3, vec![col("birth_date")]),
                (4, vec![col("national_id")]),
                (6, vec![col("national_id")]),
                (7, vec![col("national_id")]),
                (9, vec![col("national_id"), col("national_id")]),
            ]
        );
        assert_eq!(report.created, 3);

        let report = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &table,
            Some(school.id),
            true,
        )
        .await;
        assert!(report.applied);
        assert_eq!((report.created, report.rejected), (3, 5));
        assert_eq!(learner_count(&store).await, before + 3);
        // Placed in no class, but in the school, with the mother's phone given its 0 back.
        let created = report
            .rows
            .iter()
            .find(|r| r.row == 2)
            .unwrap()
            .record_id
            .unwrap();
        let l = learners::get(&mut store.conn(), &Scope::All, created)
            .await
            .unwrap();
        assert_eq!(l.school_id, school.id);
        assert_eq!(l.guardians[0].phone.as_deref(), Some("0912345678"));

        let again = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &table,
            Some(school.id),
            true,
        )
        .await;
        assert_eq!(
            (again.created, again.updated, again.unchanged),
            (0, 0, 3),
            "idempotent"
        );
        assert_eq!(learner_count(&store).await, before + 3);

        // A learner stored without an ID gets it from a later file (found by name and birth date).
        let with_id = xlsx(
            &[
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Mã định danh",
            ],
            vec![vec![
                text("Bùi Thị Bảy"),
                Cell::Number(41887.0),
                text("Nữ"),
                text("Kinh"),
                text("051314987654"),
            ]],
        );
        let r = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &with_id,
            Some(school.id),
            false,
        )
        .await;
        assert_eq!((r.updated, r.created), (1, 0), "{:?}", r.rows);
        assert_eq!(r.rows[0].changes, ["national_id"]);
        assert_eq!(learner_count(&store).await, before + 3);

        // Outside the importer's scope, a school code is unknown.
        let coded = xlsx(
            &[
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Mã trường",
            ],
            vec![vec![
                text("Ngô Văn Tám"),
                d("08/08/2014"),
                text("Nam"),
                text("Kinh"),
                text(&other.code),
            ]],
        );
        let report = run(
            &store,
            &school.scope(),
            ImportKind::Learners,
            &coded,
            None,
            false,
        )
        .await;
        assert_eq!(
            report.rows[0].errors[0].column.as_deref(),
            Some("school_code")
        );
    })
    .await;
}

#[tokio::test]
async fn classes_staff_and_enrolments_import_and_reimport() {
    on_both_seeded(&config(), |store, _| async move {
        let schools = province(&store).await;
        let school = &schools[0];
        let scope = school.scope();
        let staff = xlsx(
            &[
                "Họ và tên",
                "Ngày sinh",
                "Giới tính",
                "Dân tộc",
                "Chức vụ",
                "Trình độ",
                "Hình thức hợp đồng",
                "Môn dạy",
                "Mã định danh",
            ],
            vec![vec![
                text("Lê Văn Minh"),
                text("12/03/1985"),
                text("Nam"),
                text("Kinh"),
                text("Giáo viên"),
                text("Đại học"),
                text("Viên chức"),
                text("Toán, Tin học"),
                text("051085000123"),
            ]],
        );
        let r = run(
            &store,
            &scope,
            ImportKind::Staff,
            &staff,
            Some(school.id),
            false,
        )
        .await;
        assert_eq!((r.created, r.rejected), (1, 0), "{:?}", r.rows);
        let r = run(
            &store,
            &scope,
            ImportKind::Staff,
            &staff,
            Some(school.id),
            false,
        )
        .await;
        assert_eq!(r.unchanged, 1);

        let grade = *school.levels.0[0].grades().start();
        let classes = xlsx(
            &["Tên lớp", "Khối", "GVCN"],
            vec![
                vec![
                    text("9Z"),
                    Cell::Number(f64::from(grade)),
                    text("051085000123"),
                ],
                vec![text("9Y"), text(&format!("Khối {grade}")), Cell::Empty],
                vec![text("9X"), text("13"), Cell::Empty],
            ],
        );
        let r = run(
            &store,
            &scope,
            ImportKind::Classes,
            &classes,
            Some(school.id),
            true,
        )
        .await;
        assert_eq!((r.created, r.rejected), (2, 1), "{:?}", r.rows);
        assert_eq!(r.rows[2].errors[0].column.as_deref(), Some("grade"));
        let r = run(
            &store,
            &scope,
            ImportKind::Classes,
            &classes,
            Some(school.id),
            true,
        )
        .await;
        assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2));

        let some = learners::list(
            &mut store.conn(),
            &scope,
            &LearnerFilter::default(),
            &PageRequest::new(1, 3),
        )
        .await
        .unwrap()
        .items;
        let enrol = xlsx(
            &["Mã học sinh", "Họ và tên", "Lớp"],
            some.iter()
                .map(|l| vec![text(&l.learner_code), text(&l.full_name), text("9z")])
                .chain([vec![text("HS9999999999"), Cell::Empty, text("9Z")]])
                .collect(),
        );
        let r = run(
            &store,
            &scope,
            ImportKind::Enrolments,
            &enrol,
            Some(school.id),
            true,
        )
        .await;
        assert_eq!((r.updated, r.rejected), (3, 1), "{:?}", r.rows);
        let r = run(
            &store,
            &scope,
            ImportKind::Enrolments,
            &enrol,
            Some(school.id),
            true,
        )
        .await;
        assert_eq!(r.unchanged, 3);
    })
    .await;
}

/// Files as they arrive in real life, and hostile ones: each either reads with a clear message
/// or imports all-or-nothing; nothing crashes, nothing is half-written.
#[tokio::test]
async fn malformed_files_never_crash_and_never_half_write() {
    on_both_seeded(&config(), |store, _| async move {
        let schools = province(&store).await;
        let school = &schools[0];
        let good = "Họ và tên,Ngày sinh,Giới tính,Dân tộc\nNguyễn Thị Ánh,05/09/2014,Nữ,Kinh\n";
        let bad = format!("{good}Trần Văn Sai,31/02/2014,Nam,Kinh\n");
        let mut w = TableWriter::xlsx("x");
        w.header(&["Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc"]).unwrap();
        w.row(&[text("Lê Văn Xlsx"), text("01/01/2014"), text("Nam"), text("Kinh")]).unwrap();
        let xlsx_bytes = w.finish().unwrap();
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(bad.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let many_columns = format!(
            "Họ và tên,Ngày sinh,Giới tính,Dân tộc,{}\n",
            (0..250).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",")
        );
        let files: Vec<(&str, Vec<u8>)> = vec![
            ("truncated xlsx", xlsx_bytes[..xlsx_bytes.len() / 2].to_vec()),
            ("xlsx signature, garbage", b"PK\x03\x04\x00\x00garbage".to_vec()),
            ("binary", (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect()),
            (
                "formulas",
                "Họ và tên,Ngày sinh,Giới tính,Dân tộc\n=HYPERLINK(\"http://x\"),=TODAY(),=1+1,@SUM(A1)\n"
                    .as_bytes()
                    .to_vec(),
            ),
            ("utf-16 with a bad row", utf16),
            ("windows-1258", b"H\xE7 va\xCC t\xEAn,Nga\xCCy sinh,Gi\xF3i ti\xECnh,D\xE2n t\xF4\xF2c\nNguy\xEA\xDEn V\xE3n A,01/02/2014,Nam,Kinh\n".to_vec()),
            ("huge cell", format!("{good}{},01/01/2014,Nam,Kinh\n", "Ă".repeat(100_000)).into_bytes()),
            ("too many columns", many_columns.into_bytes()),
            ("header only", b"H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan,Ng\xc3\xa0y sinh,Gi\xe1\xbb\x9bi t\xc3\xadnh,D\xc3\xa2n t\xe1\xbb\x99c\n".to_vec()),
            ("ragged rows", format!("{good}Phạm Thị Lệch\nVõ Văn Thừa,02/02/2014,Nam,Kinh,x,y,z\n").into_bytes()),
            ("no header at all", b"1,2,3\n4,5,6\n".to_vec()),
        ];
        for (what, bytes) in files {
            let before = learner_count(&store).await;
            let table = match read_table(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    assert!(!e.to_string().is_empty(), "{what}");
                    continue;
                }
            };
            let header = match_headers(ImportKind::Learners, &table);
            if !header.missing_required.is_empty() {
                continue;
            }
            let options = ImportOptions {
                kind: ImportKind::Learners,
                default_unit_id: Some(school.id),
                keep_valid: false,
                today: today(),
            };
            let report = imports::apply(
                &store,
                &school.scope(),
                &AuditActor::default(),
                &table,
                &header.mapping,
                &options,
                &mut |_, _| {},
            )
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"));
            let after = learner_count(&store).await;
            if report.applied {
                assert_eq!(after, before + report.created as u64, "{what}");
                assert_eq!(report.rejected, 0, "{what}");
            } else {
                assert_eq!(after, before, "{what}: all or nothing");
                assert!(report.rejected > 0, "{what}");
                for r in report.rejected_rows() {
                    assert!(r.errors.iter().all(|e| !e.message.is_empty()), "{what}");
                }
            }
        }
    })
    .await;
}
