//! Gradebook pages: a teacher's gradebooks, the entry grid of a class × subject × term (a
//! plain form that the grid script turns into a keyboard-first, autosaving spreadsheet), the
//! homeroom summary of a class, the principal's school summary with term locks, publication and
//! the year-end computation, the subject set-up, and the history of a learner's marks.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use truongso_domain::access::{Permission, Role};
use truongso_domain::gradebook::ledger::{Action, parse_cells};
use truongso_domain::gradebook::{Item, Slot, Term, ValueKind, Values};
use truongso_store::classes::Class;
use truongso_store::gradebook::ledger::HistoryEntry;
use truongso_store::gradebook::results::{self, ClassYears};
use truongso_store::gradebook::terms::{self, TermChange, TermState};
use truongso_store::gradebook::{self, CellEdit, CellOutcome, Grid, PlanEntry, SaveReport};
use truongso_store::{Scope, StoreError, classes, orgs, years};

use super::{Crumb, InLang, Nav, PageResult, crumbs_for};
use crate::AppState;
use crate::actor::Actor;
use crate::api::gradebook::{
    self as api, HistoryQuery, class_in_reach, may_write, parse_item, parse_term, writable_items,
};
use crate::error::ApiError;
use crate::i18n::Lang;

/// A time as Vietnamese users read it (UTC+7).
pub(super) fn vn_time(at: chrono::DateTime<Utc>, format: &str) -> String {
    let offset = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    at.with_timezone(&offset).format(format).to_string()
}

/// A school in the actor's reach and the current school year: what the school's gradebook
/// pages are about.
async fn school_and_year(
    s: &AppState,
    actor: &Actor,
    school_id: i64,
) -> PageResult<(orgs::OrgUnit, years::SchoolYear)> {
    let school = orgs::get(&mut s.store.conn(), &actor.scope, school_id)
        .await
        .lang(actor)?;
    let year = years::current(&mut s.store.conn())
        .await
        .lang(actor)?
        .ok_or(ApiError::NotFound)
        .lang(actor)?;
    Ok((school, year))
}

/// A link in a row of tabs (terms, subjects).
#[derive(Debug, Clone)]
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// Column heading of a slot, by what the row is about.
fn slot_label(lang: Lang, item: Item, grade: u8, term: Term, slot: Slot) -> String {
    let primary = grade <= 5;
    let vi = match (slot, item) {
        (Slot::R1 | Slot::R2 | Slot::R3 | Slot::R4, _) => {
            return format!("{} {}", lang.label("ĐĐGtx", "Regular"), &slot.code()[1..]);
        }
        (Slot::End, _) if term == Term::Summer => "Kiểm tra lại / sau rèn luyện",
        (Slot::End, Item::Conduct) => "Mức rèn luyện",
        (Slot::End, Item::Absences) => "Số buổi nghỉ",
        (Slot::Mid, _) if primary => "Giữa kì",
        (Slot::End, _) if primary => "Cuối kì",
        (Slot::Mid, _) => "ĐĐGgk",
        (Slot::End, _) => "ĐĐGck",
        (Slot::TestMid, _) => "KT giữa kì",
        (Slot::TestEnd, _) => "KT cuối kì",
        (Slot::Comment, _) => "Nhận xét",
    };
    let en = match slot {
        Slot::Mid => "Mid-term",
        Slot::End => "End of term",
        Slot::TestMid => "Mid test",
        Slot::TestEnd => "End test",
        _ => "Comment",
    };
    lang.label(vi, en).to_string()
}

/// What a cell accepts, as a hint under the heading and for the grid script.
fn kind_hint(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Score => "0–10",
        ValueKind::Comment => "Đ/CĐ",
        ValueKind::Rating => "HTT/HT/CHT",
        ValueKind::Test => "1–10",
        ValueKind::TraitRating => "T/Đ/CCG",
        ValueKind::Conduct => "T/K/Đ/CĐ",
        ValueKind::Count => "0–200",
        ValueKind::Text => "",
    }
}

fn kind_code(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Score => "score",
        ValueKind::Comment => "comment",
        ValueKind::Rating => "rating",
        ValueKind::Test => "test",
        ValueKind::TraitRating => "trait",
        ValueKind::Conduct => "conduct",
        ValueKind::Count => "count",
        ValueKind::Text => "text",
    }
}

pub struct ColumnView {
    pub slot: &'static str,
    pub label: String,
    pub kind: &'static str,
    pub hint: &'static str,
}

pub struct CellView {
    pub slot: &'static str,
    pub kind: &'static str,
    /// What the input shows ("7.5", "Đ").
    pub shown: String,
    /// The stored value the grid loaded (the save's `base`).
    pub base: String,
    /// A conflict or error message from the last form save.
    pub note: Option<String>,
}

pub struct RowView {
    pub number: usize,
    pub learner_id: i64,
    pub full_name: String,
    pub cells: Vec<CellView>,
    pub result: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_grid.html")]
pub struct GridPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    class: Class,
    item_name: String,
    item_code: String,
    term: Term,
    term_label: String,
    terms: Vec<Tab>,
    items: Vec<Tab>,
    columns: Vec<ColumnView>,
    rows: Vec<RowView>,
    editable: bool,
    locked: bool,
    show_result: bool,
    can_history: bool,
    school_year_id: i64,
    api_url: String,
    messages: Vec<String>,
    saved: Option<String>,
    /// The term's deadline for entering marks ("dd/mm/yyyy"), and whether it has passed.
    deadline: Option<(String, bool)>,
}

async fn class_crumbs(s: &AppState, actor: &Actor, class: &Class) -> PageResult<Vec<Crumb>> {
    let school = orgs::get(&mut s.store.conn(), &Scope::All, class.org_unit_id)
        .await
        .lang(actor)?;
    let mut crumbs = crumbs_for(s, actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/classes/{}", class.id),
        label: format!("{} {}", actor.lang.t("class"), class.name),
    });
    crumbs.push(Crumb {
        href: format!("/classes/{}/gradebook", class.id),
        label: actor.lang.label("Sổ điểm", "Gradebook").into(),
    });
    Ok(crumbs)
}

fn term_tabs(lang: Lang, current: Option<Term>, href: impl Fn(Term) -> String) -> Vec<Tab> {
    Term::ALL
        .iter()
        .map(|t| Tab {
            href: href(*t),
            label: lang.label(t.label_vi(), t.label_en()).into(),
            current: Some(*t) == current,
        })
        .collect()
}

/// The entry grid of a class for an item and term.
pub async fn grid_page(
    State(s): State<AppState>,
    actor: Actor,
    Path((class_id, item, term)): Path<(i64, String, String)>,
    Query(q): Query<SavedQuery>,
) -> PageResult<GridPage> {
    let (item, term) = (
        parse_item(&item).lang(&actor)?,
        parse_term(&term).lang(&actor)?,
    );
    let class = class_in_reach(&s, &actor, class_id).await.lang(&actor)?;
    let grid = gradebook::grid(&mut s.store.conn(), &class, item, term)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!(
                "class_id={class_id}&item={}&term={}",
                item.code(),
                term.code()
            )),
        )
        .await
        .lang(&actor)?;
    let saved = q.saved.map(|n| {
        actor
            .lang
            .label(&format!("Đã lưu {n} ô."), &format!("Saved {n} cells."))
            .to_string()
    });
    render_grid(&s, &actor, class, grid, None, saved).await
}

#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    saved: Option<usize>,
}

async fn render_grid(
    s: &AppState,
    actor: &Actor,
    class: Class,
    grid: Grid,
    report: Option<(&SaveReport, Vec<String>)>,
    saved: Option<String>,
) -> PageResult<GridPage> {
    let lang = actor.lang;
    let item = Item::from_code(&grid.item)
        .ok_or(ApiError::NotFound)
        .lang(actor)?;
    let term = grid.term;
    let editable = may_write(s, actor, &class, item).await.lang(actor)? && !grid.locked;
    let crumbs = class_crumbs(s, actor, &class).await?;
    let state = terms::state(
        &mut s.store.conn(),
        class.org_unit_id,
        class.school_year_id,
        term,
    )
    .await
    .lang(actor)?;
    let today = Utc::now().date_naive();
    let deadline = state
        .deadline
        .map(|d| (d.format("%d/%m/%Y").to_string(), d < today));
    let items = gradebook::class_items(&mut s.store.conn(), &class)
        .await
        .lang(actor)?;
    let columns: Vec<ColumnView> = grid
        .columns
        .iter()
        .map(|(slot, kind)| ColumnView {
            slot: slot.code(),
            label: slot_label(lang, item, grid.grade, term, *slot),
            kind: kind_code(*kind),
            hint: kind_hint(*kind),
        })
        .collect();
    let note_for = |learner: i64, slot: &str| -> Option<String> {
        let (report, _) = report.as_ref()?;
        report
            .cells
            .iter()
            .find(|c| c.learner_id == learner && c.slot == slot)
            .and_then(|c| match &c.outcome {
                CellOutcome::Conflict { current, .. } => Some(format!(
                    "{} {}",
                    lang.label(
                        "Người khác vừa sửa ô này thành",
                        "Someone else changed this to"
                    ),
                    current.as_deref().unwrap_or("(trống)")
                )),
                _ => None,
            })
    };
    let rows = grid
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| RowView {
            number: i + 1,
            learner_id: r.learner_id,
            full_name: r.full_name.clone(),
            result: r.result.clone().unwrap_or_default(),
            cells: grid
                .columns
                .iter()
                .map(|(slot, kind)| {
                    let stored = r.values.get(*slot).unwrap_or_default();
                    CellView {
                        slot: slot.code(),
                        kind: kind_code(*kind),
                        shown: kind.display(stored),
                        base: stored.to_string(),
                        note: note_for(r.learner_id, slot.code()),
                    }
                })
                .collect(),
        })
        .collect();
    let mut messages = report.map(|(_, m)| m).unwrap_or_default();
    if grid.locked {
        messages.push(
            lang.label(
                "Học kì này đã khoá sổ: chỉ xem. Hiệu trưởng mở khoá (nêu lý do) nếu cần sửa.",
                "This term is locked: read only. The principal can unlock it, giving a reason.",
            )
            .into(),
        );
    }
    Ok(GridPage {
        lang,
        nav: Nav::of(actor),
        crumbs,
        item_name: item.name_vi().into(),
        item_code: item.code().into(),
        term,
        term_label: lang.label(term.label_vi(), term.label_en()).into(),
        terms: term_tabs(lang, Some(term), |t| {
            format!(
                "/classes/{}/gradebook/{}/{}",
                class.id,
                item.code(),
                t.code()
            )
        }),
        items: items
            .iter()
            .map(|p| Tab {
                href: format!(
                    "/classes/{}/gradebook/{}/{}",
                    class.id,
                    p.item.code(),
                    term.code()
                ),
                label: p.item.name_vi().into(),
                current: p.item == item,
            })
            .collect(),
        columns,
        rows,
        editable,
        locked: grid.locked,
        show_result: !item.is_homeroom_item() && term != Term::Summer,
        can_history: actor.can(Permission::GradeHistory),
        school_year_id: grid.school_year_id,
        api_url: format!(
            "/api/v1/gradebook/classes/{}/items/{}/terms/{}",
            class.id,
            item.code(),
            term.code()
        ),
        messages,
        saved,
        deadline,
        class,
    })
}

/// The grid form without the script: every input `c.{learner}.{slot}` with its loaded value in
/// `b.{learner}.{slot}`; only cells whose text changed are sent on.
pub async fn grid_save(
    State(s): State<AppState>,
    actor: Actor,
    Path((class_id, item, term)): Path<(i64, String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (item, term) = (
        parse_item(&item).lang(&actor)?,
        parse_term(&term).lang(&actor)?,
    );
    let class = class_in_reach(&s, &actor, class_id).await.lang(&actor)?;
    let grid = gradebook::grid(&mut s.store.conn(), &class, item, term)
        .await
        .lang(&actor)?;
    let base = |learner: i64, slot: &str| -> Option<String> {
        let prefix = format!("b.{learner}.{slot}");
        fields
            .iter()
            .find(|(k, _)| *k == prefix)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let mut edits = Vec::new();
    for (key, value) in &fields {
        let Some(rest) = key.strip_prefix("c.") else {
            continue;
        };
        let Some((learner, slot)) = rest.split_once('.') else {
            continue;
        };
        let Ok(learner) = learner.parse::<i64>() else {
            continue;
        };
        let loaded = base(learner, slot);
        let kind = grid
            .columns
            .iter()
            .find(|(s, _)| s.code() == slot)
            .map_or(ValueKind::Text, |(_, k)| *k);
        let shown = loaded
            .as_deref()
            .map(|b| kind.display(b))
            .unwrap_or_default();
        if value.trim() == shown.trim() {
            continue;
        }
        edits.push(CellEdit {
            learner_id: learner,
            slot: slot.to_string(),
            base: loaded,
            value: value.clone(),
        });
    }
    match api::save(&s, &actor, class_id, item, term, &edits, "web").await {
        Ok(report) if report.conflicts == 0 => Ok(Redirect::to(&format!(
            "/classes/{class_id}/gradebook/{}/{}?saved={}",
            item.code(),
            term.code(),
            report.saved
        ))
        .into_response()),
        Ok(report) => {
            let grid = gradebook::grid(&mut s.store.conn(), &class, item, term)
                .await
                .lang(&actor)?;
            let message = actor
                .lang
                .label(
                    "Một số ô đã được người khác sửa trong lúc bạn nhập: các ô đó chưa được lưu, hãy xem lại.",
                    "Some cells were changed by someone else meanwhile: they were not saved, please review.",
                )
                .to_string();
            Ok(render_grid(
                &s,
                &actor,
                class,
                grid,
                Some((&report, vec![message])),
                None,
            )
            .await?
            .into_response())
        }
        Err(ApiError::Store(StoreError::Invalid(inv))) => {
            let messages = inv.0.iter().map(|e| e.message.clone()).collect();
            let empty = SaveReport {
                cells: vec![],
                saved: 0,
                conflicts: 0,
                results: Default::default(),
            };
            Ok(
                render_grid(&s, &actor, class, grid, Some((&empty, messages)), None)
                    .await?
                    .into_response(),
            )
        }
        Err(e) => Err(e).lang(&actor),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_class.html")]
pub struct ClassGradebookPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    class: Class,
    terms: Vec<Tab>,
    /// Links to the grids of each item (subject, conduct, …), with whether the actor may write.
    items: Vec<(Tab, bool)>,
    years: ClassYears,
    /// Column index into each learner's `[semester I, semester II, year]` results.
    col: usize,
    primary: bool,
}

#[derive(Debug, Deserialize)]
pub struct TermQuery {
    term: Option<String>,
}

/// A class's gradebook: links to every grid and the homeroom summary for a term or the year.
pub async fn class_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(class_id): Path<i64>,
    Query(q): Query<TermQuery>,
) -> PageResult<ClassGradebookPage> {
    let lang = actor.lang;
    let class = class_in_reach(&s, &actor, class_id).await.lang(&actor)?;
    // No term (or "nam") shows the year.
    let term = q
        .term
        .as_deref()
        .and_then(Term::from_code)
        .filter(|t| *t != Term::Summer);
    let years = results::class_years(&mut s.store.conn(), &class, &s.grading)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!("class_id={class_id}&summary")),
        )
        .await
        .lang(&actor)?;
    let grid_term = term.unwrap_or(Term::First);
    let mut items = Vec::new();
    let writable_codes = writable_items(&s, &actor, &class).await.lang(&actor)?;
    for p in gradebook::class_items(&mut s.store.conn(), &class)
        .await
        .lang(&actor)?
    {
        let writable = writable_codes
            .as_ref()
            .is_none_or(|codes| codes.iter().any(|c| c == p.item.code()));
        items.push((
            Tab {
                href: format!(
                    "/classes/{}/gradebook/{}/{}",
                    class.id,
                    p.item.code(),
                    grid_term.code()
                ),
                label: p.item.name_vi().into(),
                current: false,
            },
            writable,
        ));
    }
    let mut terms: Vec<Tab> = term_tabs(lang, term, |t| {
        format!("/classes/{}/gradebook?term={}", class.id, t.code())
    })
    .into_iter()
    .take(2)
    .collect();
    terms.push(Tab {
        href: format!("/classes/{}/gradebook?term=nam", class.id),
        label: lang.label("Cả năm", "Year").into(),
        current: term.is_none(),
    });
    let mut crumbs = class_crumbs(&s, &actor, &class).await?;
    crumbs.pop();
    crumbs.push(Crumb {
        href: format!("/classes/{}/gradebook", class.id),
        label: lang.label("Sổ điểm", "Gradebook").into(),
    });
    Ok(ClassGradebookPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        col: match term {
            Some(Term::First) => 0,
            Some(_) => 1,
            None => 2,
        },
        primary: class.grade <= 5,
        class,
        terms,
        items,
        years,
    })
}

/// A class's line in the school summary.
pub struct ClassLine {
    pub class: Class,
    pub learners: usize,
    /// Counts of Tốt, Khá, Đạt, Chưa đạt (learning), then of conduct, for the chosen term.
    pub learning: [usize; 4],
    pub conduct: [usize; 4],
    pub pending: usize,
    /// Year outcomes: promoted, re-test, summer training, repeat.
    pub outcomes: [usize; 4],
    pub awards: [usize; 2],
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_school.html")]
pub struct SchoolGradebookPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    school: orgs::OrgUnit,
    school_year_id: i64,
    school_year_code: String,
    term: Option<Term>,
    terms: Vec<Tab>,
    lines: Vec<ClassLine>,
    totals: ClassLine,
    /// Each term with its label, state, and the lock and publication times as shown.
    term_states: Vec<(Term, String, TermState, String, String)>,
    can_lock: bool,
    can_manage: bool,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SchoolQuery {
    term: Option<String>,
    done: Option<String>,
}

fn tally(years: &ClassYears, term: Option<Term>) -> ClassLine {
    use truongso_domain::gradebook::compute::{Award, Outcome};
    use truongso_domain::grading::Level;
    let mut line = ClassLine {
        class: years.class.clone(),
        learners: years.learners.len(),
        learning: [0; 4],
        conduct: [0; 4],
        pending: 0,
        outcomes: [0; 4],
        awards: [0; 2],
    };
    let index = |l: Level| Level::ALL.iter().position(|x| *x == l).unwrap_or(3);
    for l in &years.learners {
        let y = &l.summary;
        let (learning, conduct) = match term {
            Some(Term::First) => (y.first.learning, y.first.conduct),
            Some(_) => (y.second.learning, y.second.conduct),
            None => (y.final_learning, y.final_conduct),
        };
        match learning {
            Some(l) => line.learning[index(l)] += 1,
            None if y.primary_result.is_none() => line.pending += 1,
            None => {}
        }
        if let Some(c) = conduct {
            line.conduct[index(c)] += 1;
        }
        if let Some(o) = y.outcome {
            line.outcomes[Outcome::ALL.iter().position(|x| *x == o).unwrap_or(0)] += 1;
        }
        if let Some(a) = y.award {
            line.awards[usize::from(a == Award::Good)] += 1;
        }
    }
    line
}

/// The principal's summary of a school: per class, the learning and conduct levels of a term
/// or the year, outcomes and awards; term locks and publication; the year-end computation.
pub async fn school_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    Query(q): Query<SchoolQuery>,
) -> PageResult<SchoolGradebookPage> {
    let lang = actor.lang;
    let (school, year) = school_and_year(&s, &actor, school_id).await?;
    let term = q
        .term
        .as_deref()
        .and_then(Term::from_code)
        .filter(|t| *t != Term::Summer);
    let years_of = results::school_years(&mut s.store.conn(), school.id, year.id, &s.grading)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!("school_id={school_id}&summary")),
        )
        .await
        .lang(&actor)?;
    let lines: Vec<ClassLine> = years_of.iter().map(|y| tally(y, term)).collect();
    let mut totals = ClassLine {
        class: lines
            .first()
            .map(|l| l.class.clone())
            .unwrap_or_else(|| empty_class(&school)),
        learners: 0,
        learning: [0; 4],
        conduct: [0; 4],
        pending: 0,
        outcomes: [0; 4],
        awards: [0; 2],
    };
    for l in &lines {
        totals.learners += l.learners;
        totals.pending += l.pending;
        for i in 0..4 {
            totals.learning[i] += l.learning[i];
            totals.conduct[i] += l.conduct[i];
            totals.outcomes[i] += l.outcomes[i];
        }
        for i in 0..2 {
            totals.awards[i] += l.awards[i];
        }
    }
    let mut term_states = Vec::new();
    for t in Term::ALL {
        let st = terms::state(&mut s.store.conn(), school.id, year.id, *t)
            .await
            .lang(&actor)?;
        let locked = st
            .locked_at
            .map(|a| vn_time(a, "%d/%m/%Y %H:%M"))
            .unwrap_or_default();
        let published = st
            .published_at
            .map(|a| vn_time(a, "%d/%m/%Y"))
            .unwrap_or_default();
        term_states.push((
            *t,
            lang.label(t.label_vi(), t.label_en()).to_string(),
            st,
            locked,
            published,
        ));
    }
    let mut terms_tabs: Vec<Tab> = term_tabs(lang, term, |t| {
        format!("/orgs/{school_id}/gradebook?term={}", t.code())
    })
    .into_iter()
    .take(2)
    .collect();
    terms_tabs.push(Tab {
        href: format!("/orgs/{school_id}/gradebook?term=nam"),
        label: lang.label("Cả năm", "Year").into(),
        current: term.is_none(),
    });
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/orgs/{school_id}/gradebook"),
        label: lang.label("Sổ điểm", "Gradebook").into(),
    });
    let message = q.done.map(|d| match d.as_str() {
        "lock" => lang.label("Đã khoá sổ.", "Term locked.").to_string(),
        "unlock" => lang.label("Đã mở khoá sổ.", "Term unlocked.").to_string(),
        "publish" => lang
            .label(
                "Đã công bố điểm cho phụ huynh.",
                "Marks published to guardians.",
            )
            .to_string(),
        other => other.chars().take(200).collect(),
    });
    Ok(SchoolGradebookPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        school_year_id: year.id,
        school_year_code: year.code,
        school,
        term,
        terms: terms_tabs,
        lines,
        totals,
        term_states,
        can_lock: actor.can(Permission::GradeLock),
        can_manage: actor.can(Permission::GradeManage),
        message,
    })
}

fn empty_class(school: &orgs::OrgUnit) -> Class {
    Class {
        id: 0,
        org_unit_id: school.id,
        school_name: school.name.clone(),
        site_id: None,
        school_year_id: 0,
        grade: 0,
        name: String::new(),
        homeroom_staff_id: None,
        homeroom_name: None,
        learner_count: 0,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    }
}

#[derive(Debug, Deserialize)]
pub struct TermForm {
    action: String,
    reason: Option<String>,
    /// For "deadline": yyyy-mm-dd, or empty to clear.
    deadline: Option<String>,
    school_year_id: i64,
}

/// Lock, unlock (with its reason) or publish a term, from the school summary.
pub async fn term_form(
    State(s): State<AppState>,
    actor: Actor,
    Path((school_id, term)): Path<(i64, String)>,
    Form(form): Form<TermForm>,
) -> PageResult<Response> {
    let term = parse_term(&term).lang(&actor)?;
    let change = match form.action.as_str() {
        "lock" => TermChange::Lock,
        "unlock" => TermChange::Unlock {
            reason: form.reason.unwrap_or_default(),
        },
        "publish" => TermChange::Publish,
        "deadline" => {
            let text = form.deadline.unwrap_or_default();
            let date = match text.trim() {
                "" => None,
                d => Some(
                    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                        .map_err(|_| {
                            ApiError::Store(StoreError::invalid(
                                "deadline",
                                "Hạn nhập điểm không phải ngày hợp lệ.",
                            ))
                        })
                        .lang(&actor)?,
                ),
            };
            TermChange::Deadline(date)
        }
        _ => return Err(ApiError::NotFound).lang(&actor),
    };
    let done = match api::apply_term_change(
        &s,
        &actor,
        school_id,
        form.school_year_id,
        term,
        change,
        "web",
    )
    .await
    {
        Ok(_) => form.action.clone(),
        Err(ApiError::Store(StoreError::Invalid(inv))) => {
            inv.0.first().map(|e| e.message.clone()).unwrap_or_default()
        }
        Err(ApiError::Store(StoreError::Conflict(e))) => e.message,
        Err(e) => return Err(e).lang(&actor),
    };
    let target = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", &done)
        .finish();
    Ok(Redirect::to(&format!("/orgs/{school_id}/gradebook?{target}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct ComputeForm {
    school_year_id: i64,
}

/// Runs the year-end computation for the school.
pub async fn compute_form(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    Form(form): Form<ComputeForm>,
) -> PageResult<Response> {
    let report = api::compute(&s, &actor, school_id, form.school_year_id, "web")
        .await
        .lang(&actor)?;
    let done = actor.lang.label(
        &format!(
            "Đã tổng kết {} học sinh: {} đã có kết quả, {} còn thiếu điểm; {} kết quả thay đổi.",
            report.learners, report.decided, report.pending, report.changed
        ),
        &format!(
            "Computed {} learners: {} decided, {} pending; {} results changed.",
            report.learners, report.decided, report.pending, report.changed
        ),
    )
    .to_string();
    let target = form_urlencoded::Serializer::new(String::new())
        .append_pair("done", &done)
        .append_pair("term", "nam")
        .finish();
    Ok(Redirect::to(&format!("/orgs/{school_id}/gradebook?{target}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_setup.html")]
pub struct SetupPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    school: orgs::OrgUnit,
    school_year_code: String,
    grade: u8,
    grades: Vec<Tab>,
    plan: Vec<PlanEntry>,
    can_manage: bool,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SetupQuery {
    grade: Option<u8>,
    saved: Option<u8>,
}

/// A grade's subjects with their periods per year and regular assessments.
pub async fn setup_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    Query(q): Query<SetupQuery>,
) -> PageResult<SetupPage> {
    let lang = actor.lang;
    let (school, year) = school_and_year(&s, &actor, school_id).await?;
    let grade = q.grade.unwrap_or(6).clamp(1, 12);
    let plan = gradebook::plan(&mut s.store.conn(), school.id, year.id, grade)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/orgs/{school_id}/gradebook"),
        label: lang.label("Sổ điểm", "Gradebook").into(),
    });
    Ok(SetupPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        school_year_code: year.code,
        grades: (1..=12)
            .map(|g| Tab {
                href: format!("/orgs/{school_id}/gradebook/setup?grade={g}"),
                label: format!("{} {g}", lang.label("Khối", "Grade")),
                current: g == grade,
            })
            .collect(),
        grade,
        plan,
        can_manage: actor.can(Permission::GradeManage),
        message: q
            .saved
            .map(|_| lang.label("Đã lưu số tiết.", "Periods saved.").to_string()),
        school,
    })
}

/// Saves a grade's periods (`p.{subject}` fields).
pub async fn setup_save(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    Query(q): Query<SetupQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult<Response> {
    let (school, year) = school_and_year(&s, &actor, school_id).await?;
    let grade = q.grade.unwrap_or(6).clamp(1, 12);
    let current = gradebook::plan(&mut s.store.conn(), school.id, year.id, grade)
        .await
        .lang(&actor)?;
    let mut tx = s.store.begin().await.lang(&actor)?;
    for (key, value) in &fields {
        let Some(code) = key.strip_prefix("p.") else {
            continue;
        };
        let periods: u32 = match value.trim().parse() {
            Ok(p) => p,
            Err(_) => {
                return Err(ApiError::Store(StoreError::invalid(
                    key,
                    format!("Số tiết của môn '{code}' phải là số nguyên."),
                )))
                .lang(&actor);
            }
        };
        if current
            .iter()
            .any(|p| p.subject_code == code && p.periods == Some(periods))
        {
            continue;
        }
        gradebook::set_periods(&mut tx, school.id, year.id, grade, code, periods)
            .await
            .lang(&actor)?;
    }
    actor
        .audit(
            &mut tx.conn(),
            truongso_store::audit::AuditAction::Update,
            "subject_plan",
            Some(school.id),
            Some(school.id),
        )
        .await
        .lang(&actor)?;
    tx.commit().await.lang(&actor)?;
    Ok(Redirect::to(&format!(
        "/orgs/{school_id}/gradebook/setup?grade={grade}&saved=1"
    ))
    .into_response())
}

/// One change of a history, slot by slot.
pub struct HistoryLine {
    pub entry: HistoryEntry,
    /// When, in Vietnam's time.
    pub at: String,
    pub action: String,
    /// (slot heading, before, after) for each changed cell.
    pub cells: Vec<(String, String, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_history.html")]
pub struct HistoryPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner_name: String,
    learner_id: i64,
    item_name: String,
    term_label: String,
    lines: Vec<HistoryLine>,
    slot_filter: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct HistoryPageQuery {
    learner_id: i64,
    school_year_id: i64,
    item: String,
    term: String,
    slot: Option<String>,
}

/// The full history of one learner's marks in a subject and term: who, when, from where,
/// before and after, and each event's hash.
pub async fn history_page(
    State(s): State<AppState>,
    actor: Actor,
    Query(q): Query<HistoryPageQuery>,
) -> PageResult<HistoryPage> {
    let lang = actor.lang;
    let entries = api::history(
        &s,
        &actor,
        &HistoryQuery {
            learner_id: q.learner_id,
            school_year_id: q.school_year_id,
            item: q.item.clone(),
            term: q.term.clone(),
        },
    )
    .await
    .lang(&actor)?;
    let learner = truongso_store::learners::get(&mut s.store.conn(), &actor.scope, q.learner_id)
        .await
        .lang(&actor)?;
    let item = parse_item(&q.item).lang(&actor)?;
    let term = parse_term(&q.term).lang(&actor)?;
    let slot_filter = q.slot.clone().filter(|s| Slot::from_code(s).is_some());
    let lines = entries
        .into_iter()
        .filter_map(|entry| {
            let before = parse_cells(&entry.before).unwrap_or_default();
            let after = parse_cells(&entry.after).unwrap_or_default();
            let cells: Vec<(String, String, String)> = Slot::ALL
                .iter()
                .filter(|s| slot_filter.as_deref().is_none_or(|f| f == s.code()))
                .filter(|s| before.get(**s) != after.get(**s))
                .map(|s| {
                    let show = |v: &Values| v.get(*s).unwrap_or("—").to_string();
                    (
                        slot_label(lang, item, 6, term, *s),
                        show(&before),
                        show(&after),
                    )
                })
                .collect();
            (!cells.is_empty()).then(|| HistoryLine {
                at: vn_time(entry.at, "%d/%m/%Y %H:%M:%S"),
                action: Action::from_code(&entry.action)
                    .map_or(entry.action.clone(), |a| a.label_vi().to_string()),
                entry,
                cells,
            })
        })
        .collect();
    let school = orgs::get(&mut s.store.conn(), &Scope::All, learner.school_id)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{}", learner.id),
        label: learner.full_name.clone(),
    });
    Ok(HistoryPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        learner_name: learner.full_name,
        learner_id: learner.id,
        item_name: item.name_vi().into(),
        term_label: lang.label(term.label_vi(), term.label_en()).into(),
        lines,
        slot_filter,
    })
}

/// A teacher's gradebooks: the grids they may write and the classes they lead; school
/// leaders go to their school's summary.
#[derive(Template, WebTemplate)]
#[template(path = "gradebook_home.html")]
pub struct HomePage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    /// (class, the grids the actor writes there, leads the class)
    classes: Vec<(Class, Vec<Tab>, bool)>,
}

pub async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<Response> {
    if matches!(actor.role, Some(Role::Principal | Role::SchoolAdmin))
        && let Some(user) = &actor.user
    {
        return Ok(Redirect::to(&format!("/orgs/{}/gradebook", user.scope_org_id)).into_response());
    }
    let lang = actor.lang;
    let Scope::Classes { class_ids, .. } = &actor.scope else {
        return Ok(Redirect::to("/").into_response());
    };
    let staff_id = actor.user.as_ref().and_then(|u| u.staff_id);
    let mut classes_out = Vec::new();
    let found = classes::get_many(&mut s.store.conn(), &actor.scope, class_ids)
        .await
        .lang(&actor)?;
    for class in found {
        let mine = match staff_id {
            Some(id) => gradebook::items_of_teacher(&mut s.store.conn(), &class, id)
                .await
                .lang(&actor)?,
            None => vec![],
        };
        let leads = staff_id.is_some() && class.homeroom_staff_id == staff_id;
        let tabs = mine
            .iter()
            .filter_map(|code| Item::from_code(code))
            .filter(|i| !i.is_homeroom_item() || matches!(i, Item::Conduct))
            .map(|i| Tab {
                href: format!("/classes/{}/gradebook/{}/hk1", class.id, i.code()),
                label: i.name_vi().into(),
                current: false,
            })
            .collect();
        classes_out.push((class, tabs, leads));
    }
    Ok(HomePage {
        lang,
        nav: Nav::of(&actor),
        crumbs: vec![Crumb {
            href: "/".into(),
            label: lang.t("home").into(),
        }],
        classes: classes_out,
    }
    .into_response())
}

/// One subject of a learner's published marks.
pub struct MarksLine {
    pub name: String,
    /// Per published semester: the cells as shown ("ĐĐGtx 1: 8") and the result.
    pub terms: Vec<(Vec<String>, String)>,
    pub year: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "learner_marks.html")]
pub struct LearnerMarksPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    learner_id: i64,
    learner_name: String,
    class_name: String,
    /// Labels of the published semesters, in order.
    terms: Vec<String>,
    lines: Vec<MarksLine>,
    /// Conduct per published semester, then the year's outcome when the year is published.
    conduct: Vec<String>,
    year_published: bool,
    outcome: Option<String>,
    award: Option<String>,
}

/// A guardian's (or learner's) view of the marks of the current year that the school has
/// published; nothing of a term before it is published.
pub async fn learner_marks(
    State(s): State<AppState>,
    actor: Actor,
    Path(learner_id): Path<i64>,
) -> PageResult<LearnerMarksPage> {
    let lang = actor.lang;
    let learner = crate::api::learners::read_audited(&s, &actor, learner_id)
        .await
        .lang(&actor)?;
    let year = years::current(&mut s.store.conn())
        .await
        .lang(&actor)?
        .ok_or(ApiError::NotFound)
        .lang(&actor)?;
    let class_id = truongso_store::enrolments::of_learner(&mut s.store.conn(), learner.id)
        .await
        .lang(&actor)?
        .into_iter()
        .find(|e| e.school_year_id == year.id)
        .and_then(|e| e.class_id)
        .ok_or(ApiError::NotFound)
        .lang(&actor)?;
    // The learner is in reach; their class is read only to classify them.
    let class = classes::get(&mut s.store.conn(), &Scope::All, class_id)
        .await
        .lang(&actor)?;
    let published = terms::published_terms(&mut s.store.conn(), class.org_unit_id, year.id)
        .await
        .lang(&actor)?;
    let semesters: Vec<Term> = [Term::First, Term::Second]
        .into_iter()
        .filter(|t| published.contains(t))
        .collect();
    let stored =
        gradebook::rows::of_learners(&mut s.store.conn(), &[learner.id], year.id, None, None)
            .await
            .lang(&actor)?;
    let items = gradebook::class_items(&mut s.store.conn(), &class)
        .await
        .lang(&actor)?;
    let grade = gradebook::class_grade(&class);
    // Only this learner's year, from the rows just read (not the whole class's).
    let subjects: Vec<_> = items
        .iter()
        .filter(|p| matches!(p.item, Item::Subject(_)))
        .copied()
        .collect();
    let summary = truongso_domain::gradebook::compute::learner_year(
        grade,
        &subjects,
        &results::to_rows(&stored.iter().collect::<Vec<_>>()),
        &s.grading,
    );
    let mine = Some(&summary);
    let mut lines = Vec::new();
    for p in items.iter().filter(|p| matches!(p.item, Item::Subject(_))) {
        let year_result = mine.and_then(|l| l.subjects.iter().find(|x| x.subject == p.item.code()));
        let terms_cells = semesters
            .iter()
            .map(|t| {
                let values = stored
                    .iter()
                    .find(|r| r.item == p.item.code() && r.term() == Some(*t))
                    .map(|r| r.values())
                    .unwrap_or_default();
                let cells = truongso_domain::gradebook::slots_in_term(p.item, grade, p.regular, *t)
                    .into_iter()
                    .filter_map(|(slot, kind)| {
                        let v = values.get(slot)?;
                        Some(format!(
                            "{}: {}",
                            slot_label(lang, p.item, grade, *t, slot),
                            kind.display(v)
                        ))
                    })
                    .collect();
                let result = year_result
                    .and_then(|y| if *t == Term::First { y.first } else { y.second })
                    .map(|r| r.display())
                    .unwrap_or_else(|| "—".into());
                (cells, result)
            })
            .collect();
        lines.push(MarksLine {
            name: p.item.name_vi().into(),
            terms: terms_cells,
            year: if published.contains(&Term::Second) {
                year_result
                    .and_then(|y| y.final_result())
                    .map(|r| r.display())
                    .unwrap_or_else(|| "—".into())
            } else {
                String::new()
            },
        });
    }
    let conduct = semesters
        .iter()
        .map(|t| {
            mine.and_then(|l| {
                if *t == Term::First {
                    l.first.conduct
                } else {
                    l.second.conduct
                }
            })
            .map_or_else(|| "—".to_string(), |c| c.label_vi().to_string())
        })
        .collect();
    let year_published = published.contains(&Term::Second);
    let school = orgs::get(&mut s.store.conn(), &Scope::All, learner.school_id)
        .await
        .lang(&actor)?;
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/learners/{}", learner.id),
        label: learner.full_name.clone(),
    });
    Ok(LearnerMarksPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        learner_id: learner.id,
        learner_name: learner.full_name,
        class_name: class.name,
        terms: semesters
            .iter()
            .map(|t| lang.label(t.label_vi(), t.label_en()).to_string())
            .collect(),
        lines,
        conduct,
        year_published,
        outcome: mine
            .filter(|_| year_published)
            .and_then(|l| l.outcome.map(|o| o.label_vi().to_string())),
        award: mine
            .filter(|_| year_published)
            .and_then(|l| l.award.map(|a| a.label_vi().to_string())),
    })
}

/// One learner of an end-of-year list.
pub struct ListLine {
    pub learner_id: i64,
    pub full_name: String,
    pub class_name: String,
    pub learning: String,
    pub conduct: String,
    pub absences: u32,
    /// Subjects to re-test, by name.
    pub subjects: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "gradebook_lists.html")]
pub struct ListsPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    school_id: i64,
    outcome: truongso_domain::gradebook::compute::Outcome,
    tabs: Vec<Tab>,
    lines: Vec<ListLine>,
}

#[derive(Debug, Deserialize)]
pub struct ListsQuery {
    outcome: Option<String>,
    format: Option<String>,
}

/// The year-end lists of a school: learners promoted, to re-test (with their subjects), in
/// summer conduct training, repeating the grade — on screen or as a spreadsheet.
pub async fn lists_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(school_id): Path<i64>,
    Query(q): Query<ListsQuery>,
) -> PageResult<Response> {
    use truongso_domain::gradebook::compute::Outcome;
    let lang = actor.lang;
    let (school, year) = school_and_year(&s, &actor, school_id).await?;
    let outcome = q
        .outcome
        .as_deref()
        .and_then(Outcome::from_code)
        .unwrap_or(Outcome::Retest);
    let years_of = results::school_years(&mut s.store.conn(), school.id, year.id, &s.grading)
        .await
        .lang(&actor)?;
    actor
        .audit_list(
            &mut s.store.conn(),
            "grade",
            Some(&format!("school_id={school_id}&outcome={}", outcome.code())),
        )
        .await
        .lang(&actor)?;
    let level = |l: Option<truongso_domain::grading::Level>| {
        l.map_or_else(|| "—".to_string(), |l| l.label_vi().to_string())
    };
    let lines: Vec<ListLine> = years_of
        .iter()
        .flat_map(|c| {
            c.learners
                .iter()
                .filter(|l| l.summary.outcome == Some(outcome))
                .map(|l| ListLine {
                    learner_id: l.learner.learner_id,
                    full_name: l.learner.full_name.clone(),
                    class_name: c.class.name.clone(),
                    learning: level(l.summary.final_learning),
                    conduct: level(l.summary.final_conduct),
                    absences: l.summary.absences,
                    subjects: l
                        .summary
                        .retest_subjects
                        .iter()
                        .map(|code| {
                            Item::from_code(code)
                                .map_or(code.to_string(), |i| i.name_vi().to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if q.format.as_deref() == Some("xlsx") {
        use truongso_domain::tabular::{Cell, TableWriter};
        let mut w = TableWriter::xlsx(outcome.label_vi());
        let to_api = |e: truongso_domain::tabular::WriteError| ApiError::Internal(e.to_string());
        w.header(&[
            "STT",
            "Họ và tên",
            "Lớp",
            "Học tập",
            "Rèn luyện",
            "Số buổi nghỉ",
            "Môn kiểm tra lại",
        ])
        .map_err(to_api)
        .lang(&actor)?;
        for (i, l) in lines.iter().enumerate() {
            w.row(&[
                Cell::Number((i + 1) as f64),
                Cell::Text(l.full_name.clone()),
                Cell::Text(l.class_name.clone()),
                Cell::Text(l.learning.clone()),
                Cell::Text(l.conduct.clone()),
                Cell::Number(f64::from(l.absences)),
                Cell::Text(l.subjects.clone()),
            ])
            .map_err(to_api)
            .lang(&actor)?;
        }
        let bytes = w.finish().map_err(to_api).lang(&actor)?;
        return Ok(super::imports::download(
            bytes,
            &format!("{}-{}.xlsx", outcome.code(), year.code),
            super::imports::XLSX,
        ));
    }
    let mut crumbs = crumbs_for(&s, &actor, &school).await?;
    crumbs.push(Crumb {
        href: format!("/orgs/{school_id}/gradebook?term=nam"),
        label: lang.label("Sổ điểm", "Gradebook").into(),
    });
    Ok(ListsPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        school_id,
        tabs: Outcome::ALL
            .iter()
            .map(|o| Tab {
                href: format!("/orgs/{school_id}/gradebook/lists?outcome={}", o.code()),
                label: lang.label(o.label_vi(), o.label_en()).into(),
                current: *o == outcome,
            })
            .collect(),
        outcome,
        lines,
    }
    .into_response())
}
