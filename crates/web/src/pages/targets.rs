//! Plan-target pages: a unit's dashboard (every indicator with value, target, deadline and
//! status; the units below ranked on a chosen indicator; its trend), the school map coloured by
//! any indicator, and the edit form of an indicator. Charts are server-rendered SVG, each with
//! its table beside it; plain links and GET forms: no JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use truongso_domain::access::Permission;
use truongso_domain::org::{OrgKind, SchoolLevel};
use truongso_domain::targets::{Formula, Metric, Op, RawIndicator, Status, Term};
use truongso_store::targets::{self, IndicatorDef, IndicatorValue, MapSchool};
use truongso_store::{StoreError, orgs};

use super::{Crumb, InLang, Nav, PageResult, crumbs_linking, start_unit};
use crate::AppState;
use crate::actor::Actor;
use crate::api::today;
use crate::charts::{self, Bar, MapPoint, Series};
use crate::error::ApiError;
use crate::i18n::Lang;

/// "87,5 %" in Vietnamese, "87.5%" in English; a dash without a value.
fn pct(lang: Lang, v: Option<f64>) -> String {
    match (v, lang) {
        (None, _) => "—".into(),
        (Some(v), Lang::Vi) => {
            let v = round1(v);
            format!(
                "{} %",
                charts::format_number(v, usize::from(v.fract() != 0.0))
            )
        }
        (Some(v), Lang::En) => format!("{}%", round1(v)),
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn date_vi(d: chrono::NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

fn status_label(lang: Lang, s: Status) -> &'static str {
    lang.label(s.label_vi(), s.label_en())
}

pub async fn home(State(s): State<AppState>, actor: Actor) -> PageResult<Redirect> {
    let id = start_unit(&s, &actor).await?.id;
    Ok(Redirect::to(&format!("/orgs/{id}/targets")))
}

/// Breadcrumbs: the scope's units down to `unit`, each to the same kind of page (`suffix`).
async fn crumbs(s: &AppState, actor: &Actor, unit_id: i64, suffix: &str) -> PageResult<Vec<Crumb>> {
    let unit = orgs::get(&mut s.store.conn(), &actor.scope, unit_id)
        .await
        .lang(actor)?;
    crumbs_linking(s, actor, &unit, |id| format!("/orgs/{id}/{suffix}")).await
}

#[derive(Deserialize, Default)]
pub struct Pick {
    indicator: Option<String>,
    saved: Option<String>,
}

/// The indicator a page shows: the one asked for if it has a formula, else the first that has.
fn chosen<'a>(
    defs: impl Iterator<Item = &'a IndicatorDef> + Clone,
    asked: Option<&str>,
) -> Option<&'a IndicatorDef> {
    let with_formula = |d: &&IndicatorDef| d.raw.formula.is_some();
    defs.clone()
        .filter(with_formula)
        .find(|d| Some(d.raw.code.as_str()) == asked)
        .or_else(|| defs.clone().find(with_formula))
}

/// An option of the indicator select.
pub struct Choice {
    pub code: String,
    pub name: String,
    pub selected: bool,
}

fn choices<'a>(
    defs: impl Iterator<Item = &'a IndicatorDef>,
    lang: Lang,
    selected: &str,
) -> Vec<Choice> {
    defs.filter(|d| d.raw.formula.is_some())
        .map(|d| Choice {
            code: d.raw.code.clone(),
            name: lang.label(&d.raw.name, &d.raw.name_en).to_string(),
            selected: d.raw.code == selected,
        })
        .collect()
}

pub struct IndicatorLine {
    pub code: String,
    pub name: String,
    pub value: String,
    pub counts: String,
    pub target: String,
    pub deadline: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub projection: String,
    pub scope: String,
    pub formula: String,
    pub href: String,
}

fn indicator_line(lang: Lang, unit_id: i64, v: &IndicatorValue) -> IndicatorLine {
    let raw = &v.indicator.raw;
    let counts = v
        .measure
        .filter(|m| m.value.is_some())
        .map(|m| {
            format!(
                "{}/{}",
                charts::format_number(m.numerator as f64, 0),
                charts::format_number(m.denominator as f64, 0)
            )
        })
        .unwrap_or_default();
    let described = match lang {
        Lang::Vi => &v.indicator.formula_vi,
        Lang::En => &v.indicator.formula_en,
    };
    let formula = match (described, &raw.needs) {
        (Some(f), _) => f.clone(),
        (None, Some(n)) => format!("{}: {n}", lang.label("Cần dữ liệu", "Needs data")),
        (None, None) => String::new(),
    };
    IndicatorLine {
        code: raw.code.clone(),
        name: lang.label(&raw.name, &raw.name_en).to_string(),
        value: pct(lang, v.measure.and_then(|m| m.value)),
        counts,
        target: pct(lang, Some(raw.target)),
        deadline: chrono::NaiveDate::parse_from_str(&raw.deadline, "%Y-%m-%d")
            .map(date_vi)
            .unwrap_or_else(|_| raw.deadline.clone()),
        status: status_label(lang, v.status),
        status_code: v.status.code(),
        projection: v.projection.map(|p| pct(lang, Some(p))).unwrap_or_default(),
        scope: raw.scope.clone(),
        formula,
        href: format!("/orgs/{unit_id}/targets?indicator={}", raw.code),
    }
}

pub struct RankLine {
    pub name: String,
    pub href: String,
    pub value: String,
    pub met: Option<bool>,
}

pub struct TrendLine {
    pub date: String,
    pub value: String,
    pub demo: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
pub struct DashboardPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    taken_on: String,
    schools: usize,
    lines: Vec<IndicatorLine>,
    choices: Vec<Choice>,
    selected_name: String,
    selected_target: String,
    ranking_svg: String,
    ranking: Vec<RankLine>,
    trend_svg: String,
    trend: Vec<TrendLine>,
    has_demo_history: bool,
    can_manage: bool,
    saved: bool,
}

pub async fn dashboard(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(pick): Query<Pick>,
) -> PageResult<DashboardPage> {
    let lang = actor.lang;
    let t = targets::unit_targets(&mut s.store.conn(), &actor.scope, id, today())
        .await
        .lang(&actor)?;
    let crumbs = crumbs(&s, &actor, id, "targets").await?;
    let lines = t
        .indicators
        .iter()
        .map(|v| indicator_line(lang, id, v))
        .collect();
    let selected = chosen(
        t.indicators.iter().map(|v| &v.indicator),
        pick.indicator.as_deref(),
    );
    let (code, target) = selected.map_or((String::new(), None), |d| {
        (d.raw.code.clone(), Some(d.raw.target))
    });
    let position = t
        .indicators
        .iter()
        .position(|v| v.indicator.raw.code == code);
    let selected_name = selected.map_or(String::new(), |d| {
        lang.label(&d.raw.name, &d.raw.name_en).to_string()
    });
    // Ranking: best first, units without a value last.
    let mut ranked: Vec<(&truongso_store::targets::BelowUnit, Option<f64>)> = t
        .below
        .iter()
        .map(|b| (b, position.and_then(|p| b.values[p])))
        .collect();
    ranked.sort_by(|a, b| match (a.1, b.1) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.0.name.cmp(&b.0.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.0.name.cmp(&b.0.name),
    });
    let href =
        |b: &truongso_store::targets::BelowUnit| format!("/orgs/{}/targets?indicator={code}", b.id);
    let bars: Vec<Bar> = ranked
        .iter()
        .filter_map(|(b, v)| {
            Some(Bar {
                label: b.name.clone(),
                value: round1((*v)?),
                href: Some(href(b)),
            })
        })
        .collect();
    let ranking_svg = if bars.is_empty() {
        String::new()
    } else {
        charts::bars(
            &format!(
                "{} — {}",
                lang.label("Xếp hạng đơn vị trực thuộc", "Units below ranked"),
                selected_name
            ),
            &bars,
            Some(100.0),
            target,
            " %",
        )
    };
    let ranking = ranked
        .iter()
        .map(|(b, v)| RankLine {
            name: b.name.clone(),
            href: href(b),
            value: pct(lang, *v),
            met: v.zip(target).map(|(v, t)| v + 1e-9 >= t),
        })
        .collect();
    let trend_points = position.map(|p| &t.indicators[p].trend);
    let series_points: Vec<(String, f64)> = trend_points
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p.taken_on.format("%m/%Y").to_string(), round1(p.value?))))
        .collect();
    let trend_svg = if series_points.is_empty() {
        String::new()
    } else {
        charts::trend(
            &format!("{} — {}", lang.label("Xu hướng", "Trend"), selected_name),
            &[Series {
                name: selected_name.clone(),
                points: series_points,
            }],
            Some(100.0),
            target,
        )
    };
    let trend: Vec<TrendLine> = trend_points
        .into_iter()
        .flatten()
        .map(|p| TrendLine {
            date: date_vi(p.taken_on),
            value: pct(lang, p.value),
            demo: p.origin == targets::DEMO_HISTORY,
        })
        .collect();
    Ok(DashboardPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit_id: id,
        unit_name: t.unit.name.clone(),
        taken_on: t.taken_on.map(date_vi).unwrap_or_default(),
        schools: t.schools,
        choices: choices(t.indicators.iter().map(|v| &v.indicator), lang, &code),
        lines,
        selected_name,
        selected_target: pct(lang, target),
        ranking_svg,
        ranking,
        trend_svg,
        has_demo_history: trend.iter().any(|l| l.demo),
        trend,
        can_manage: actor.can(Permission::TargetManage),
        saved: pick.saved.is_some(),
    })
}

// ---------------------------------------------------------------------------------------------
// The map

/// Shapes by school level: primary, lower secondary, upper secondary, multi-level.
fn shape_of(levels: &[SchoolLevel]) -> usize {
    let general: Vec<&SchoolLevel> = levels
        .iter()
        .filter(|l| !matches!(l, SchoolLevel::Preschool))
        .collect();
    match general.as_slice() {
        [_, _, ..] => 3,
        [SchoolLevel::LowerSecondary] => 1,
        [SchoolLevel::UpperSecondary | SchoolLevel::ContinuingEducation] => 2,
        _ => 0,
    }
}

const SHAPES_VI: [&str; 4] = [
    "Tiểu học (tròn)",
    "THCS (vuông)",
    "THPT (tam giác)",
    "Liên cấp (thoi)",
];
const SHAPES_EN: [&str; 4] = [
    "Primary (circle)",
    "Lower secondary (square)",
    "Upper secondary (triangle)",
    "Multi-level (diamond)",
];

/// Colour buckets against the target: met, within 10 points, within 30, further, no value.
/// Each is an index into `charts::PALETTE` (Okabe–Ito: bluish green, sky blue, orange,
/// vermillion) or grey for no value.
const BUCKET_COLOURS: [usize; 5] = [2, 4, 1, 5, charts::NO_DATA];

fn colour_css(index: usize) -> &'static str {
    charts::PALETTE.get(index).copied().unwrap_or("#949494")
}

fn bucket_of(value: Option<f64>, target: f64) -> usize {
    match value {
        None => 4,
        Some(v) if v + 1e-9 >= target => 0,
        Some(v) if v + 10.0 >= target => 1,
        Some(v) if v + 30.0 >= target => 2,
        Some(_) => 3,
    }
}

fn bucket_labels(lang: Lang, target: f64) -> [String; 5] {
    let t = |v: f64| pct(lang, Some(v.max(0.0)));
    match lang {
        Lang::Vi => [
            format!("Đạt (≥ {})", t(target)),
            format!("Gần đạt ({}–{})", t(target - 10.0), t(target)),
            format!("Chưa đạt ({}–{})", t(target - 30.0), t(target - 10.0)),
            format!("Xa chỉ tiêu (< {})", t(target - 30.0)),
            "Không áp dụng / chưa có số liệu".into(),
        ],
        Lang::En => [
            format!("Met (≥ {})", t(target)),
            format!("Close ({}–{})", t(target - 10.0), t(target)),
            format!("Below ({}–{})", t(target - 30.0), t(target - 10.0)),
            format!("Far below (< {})", t(target - 30.0)),
            "Not applicable / no data".into(),
        ],
    }
}

pub struct LegendItem {
    pub colour: &'static str,
    pub label: String,
    pub schools: usize,
}

pub struct SchoolLine {
    pub name: String,
    pub href: String,
    pub level: String,
    pub value: String,
    pub bucket: String,
    pub located: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets_map.html")]
pub struct MapPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    unit_id: i64,
    unit_name: String,
    taken_on: String,
    choices: Vec<Choice>,
    selected_name: String,
    map_svg: String,
    legend: Vec<LegendItem>,
    schools: Vec<SchoolLine>,
    unlocated: usize,
}

fn level_text(lang: Lang, levels: &[SchoolLevel]) -> String {
    levels
        .iter()
        .map(|l| lang.label(l.label_vi(), l.label_en()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn map_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(pick): Query<Pick>,
) -> PageResult<MapPage> {
    let lang = actor.lang;
    let m = targets::school_map(&mut s.store.conn(), &actor.scope, id)
        .await
        .lang(&actor)?;
    let crumbs = crumbs(&s, &actor, id, "map").await?;
    let selected = chosen(m.indicators.iter(), pick.indicator.as_deref());
    let code = selected.map_or(String::new(), |d| d.raw.code.clone());
    let target = selected.map_or(100.0, |d| d.raw.target);
    let position = m.indicators.iter().position(|d| d.raw.code == code);
    let selected_name = selected.map_or(String::new(), |d| {
        lang.label(&d.raw.name, &d.raw.name_en).to_string()
    });
    let labels = bucket_labels(lang, target);
    let value_of = |sc: &MapSchool| position.and_then(|p| sc.values[p]);
    let points: Vec<MapPoint> = m
        .schools
        .iter()
        .filter_map(|sc| {
            Some(MapPoint {
                lat: sc.lat?,
                lon: sc.lon?,
                label: format!("{}: {}", sc.name, pct(lang, value_of(sc))),
                colour: BUCKET_COLOURS[bucket_of(value_of(sc), target)],
                shape: shape_of(&sc.levels),
                href: Some(format!("/orgs/{}", sc.id)),
            })
        })
        .collect();
    let shapes = match lang {
        Lang::Vi => SHAPES_VI,
        Lang::En => SHAPES_EN,
    };
    let map_svg = charts::map_with_shapes(
        &format!(
            "{} — {}",
            lang.label("Bản đồ trường", "School map"),
            selected_name
        ),
        // The colour legend is the HTML list under the map (with counts); the SVG names shapes.
        &[],
        &shapes,
        &points,
        &m.communes
            .iter()
            .map(|c| (c.lat, c.lon))
            .collect::<Vec<_>>(),
    );
    let legend = labels
        .iter()
        .enumerate()
        .map(|(k, label)| LegendItem {
            colour: colour_css(BUCKET_COLOURS[k]),
            label: label.clone(),
            schools: m
                .schools
                .iter()
                .filter(|sc| bucket_of(value_of(sc), target) == k)
                .count(),
        })
        .collect();
    let schools: Vec<SchoolLine> = m
        .schools
        .iter()
        .map(|sc| SchoolLine {
            name: sc.name.clone(),
            href: format!("/orgs/{}", sc.id),
            level: level_text(lang, &sc.levels),
            value: pct(lang, value_of(sc)),
            bucket: labels[bucket_of(value_of(sc), target)].clone(),
            located: sc.lat.is_some() && sc.lon.is_some(),
        })
        .collect();
    Ok(MapPage {
        lang,
        nav: Nav::of(&actor),
        crumbs,
        unit_id: id,
        unit_name: m.unit.name.clone(),
        taken_on: m.taken_on.map(date_vi).unwrap_or_default(),
        choices: choices(m.indicators.iter(), lang, &code),
        selected_name,
        map_svg,
        legend,
        unlocated: schools.iter().filter(|l| !l.located).count(),
        schools,
    })
}

// ---------------------------------------------------------------------------------------------
// Editing an indicator

/// The edit form's fields, as typed (so that a refused form shows what was entered).
#[derive(Debug, Clone, Default)]
pub struct FormValues {
    name: String,
    name_en: String,
    /// "none", "ratio" or "schools".
    kind: String,
    numerator: String,
    denominator: String,
    cond_metric: String,
    cond_per: String,
    cond_op: String,
    cond_value: String,
    target: String,
    target_hard_area: String,
    deadline: String,
    levels: Vec<String>,
    grades: Vec<String>,
    scope: String,
    source: String,
    needs: String,
}

impl FormValues {
    fn of(raw: &RawIndicator) -> FormValues {
        let formula = raw
            .formula
            .as_deref()
            .and_then(|f| f.parse::<Formula>().ok());
        let mut v = FormValues {
            name: raw.name.clone(),
            name_en: raw.name_en.clone(),
            kind: "none".into(),
            target: number_text(raw.target),
            target_hard_area: raw.target_hard_area.map(number_text).unwrap_or_default(),
            deadline: raw.deadline.clone(),
            levels: raw.levels.clone(),
            grades: raw.grades.iter().map(|g| g.to_string()).collect(),
            scope: raw.scope.clone(),
            source: raw.source.clone(),
            needs: raw.needs.clone().unwrap_or_default(),
            cond_op: ">=".into(),
            ..Default::default()
        };
        match formula {
            Some(Formula::Ratio {
                numerator,
                denominator,
            }) => {
                v.kind = "ratio".into();
                v.numerator = numerator.code().into();
                v.denominator = denominator.code().into();
            }
            // The form edits one condition (the shipped indicators have one).
            Some(Formula::Schools(conds)) => {
                v.kind = "schools".into();
                if let Some(c) = conds.first() {
                    match c.term {
                        Term::Count(m) => v.cond_metric = m.code().into(),
                        Term::Percent(a, b) => {
                            v.cond_metric = a.code().into();
                            v.cond_per = b.code().into();
                        }
                    }
                    v.cond_op = c.op.code().into();
                    v.cond_value = number_text(c.value);
                }
            }
            None => {}
        }
        v
    }

    fn parse(body: &str) -> FormValues {
        let mut v = FormValues::default();
        for (k, val) in form_urlencoded::parse(body.as_bytes()) {
            let val = val.into_owned();
            match k.as_ref() {
                "name" => v.name = val,
                "name_en" => v.name_en = val,
                "kind" => v.kind = val,
                "numerator" => v.numerator = val,
                "denominator" => v.denominator = val,
                "cond_metric" => v.cond_metric = val,
                "cond_per" => v.cond_per = val,
                "cond_op" => v.cond_op = val,
                "cond_value" => v.cond_value = val,
                "target" => v.target = val,
                "target_hard_area" => v.target_hard_area = val,
                "deadline" => v.deadline = val,
                "levels" => v.levels.push(val),
                "grades" => v.grades.push(val),
                "scope" => v.scope = val,
                "source" => v.source = val,
                "needs" => v.needs = val,
                _ => {}
            }
        }
        v
    }

    /// The formula text the selects make.
    fn formula(&self) -> Option<String> {
        match self.kind.as_str() {
            "ratio" => Some(format!("{} / {}", self.numerator, self.denominator)),
            "schools" => {
                let term = if self.cond_per.is_empty() {
                    self.cond_metric.clone()
                } else {
                    format!("{} / {}", self.cond_metric, self.cond_per)
                };
                Some(format!(
                    "schools({term} {} {})",
                    self.cond_op,
                    self.cond_value.trim()
                ))
            }
            _ => None,
        }
    }

    /// The definition the form describes; numbers that do not parse are reported by field.
    fn to_raw(&self, code: &str) -> Result<RawIndicator, Vec<truongso_domain::FieldError>> {
        let mut errors = Vec::new();
        let mut number = |field: &str, text: &str| -> Option<f64> {
            let t = text.trim().replace(',', ".");
            match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    errors.push(truongso_domain::FieldError::new(
                        field,
                        "Nhập một số, ví dụ 95.",
                    ));
                    None
                }
            }
        };
        let target = number("target", &self.target);
        let hard = if self.target_hard_area.trim().is_empty() {
            None
        } else {
            number("target_hard_area", &self.target_hard_area)
        };
        if self.kind == "schools" {
            number("formula", &self.cond_value);
        }
        let grades: Vec<i64> = self.grades.iter().filter_map(|g| g.parse().ok()).collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(RawIndicator {
            code: code.to_string(),
            name: self.name.clone(),
            name_en: self.name_en.clone(),
            formula: self.formula(),
            target: target.unwrap_or_default(),
            target_hard_area: hard,
            deadline: self.deadline.clone(),
            levels: self.levels.clone(),
            grades,
            scope: self.scope.clone(),
            source: self.source.clone(),
            needs: Some(self.needs.clone()),
        })
    }

    fn has_level(&self, code: &str) -> bool {
        self.levels.iter().any(|l| l == code)
    }

    fn has_grade(&self, grade: &u8) -> bool {
        self.grades.iter().any(|g| g == &grade.to_string())
    }
}

fn number_text(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "targets_edit.html")]
pub struct EditPage {
    lang: Lang,
    nav: Nav,
    crumbs: Vec<Crumb>,
    code: String,
    form: FormValues,
    metrics: Vec<(&'static str, &'static str)>,
    ops: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    grades: Vec<u8>,
    errors: Vec<truongso_domain::FieldError>,
}

impl EditPage {
    fn error_of(&self, field: &str) -> Option<String> {
        let messages: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect();
        (!messages.is_empty()).then(|| messages.join("; "))
    }
}

async fn edit_view(
    s: &AppState,
    actor: &Actor,
    code: &str,
    form: Option<FormValues>,
    errors: Vec<truongso_domain::FieldError>,
) -> PageResult<EditPage> {
    let lang = actor.lang;
    let ind = targets::definition(&mut s.store.conn(), code)
        .await
        .lang(actor)?;
    let unit = start_unit(s, actor).await?.id;
    let mut crumbs = crumbs(s, actor, unit, "targets").await?;
    crumbs.push(Crumb {
        href: format!("/targets/indicators/{code}"),
        label: lang.label(&ind.name, &ind.name_en).to_string(),
    });
    Ok(EditPage {
        lang,
        nav: Nav::of(actor),
        crumbs,
        code: code.to_string(),
        form: form.unwrap_or_else(|| FormValues::of(&ind.to_raw())),
        metrics: Metric::ALL
            .iter()
            .map(|m| (m.code(), lang.label(m.label_vi(), m.label_en())))
            .collect(),
        ops: Op::ALL
            .iter()
            .map(|o| (o.code(), lang.label(o.label_vi(), o.label_en())))
            .collect(),
        levels: SchoolLevel::ALL
            .iter()
            .map(|l| (l.code(), lang.label(l.label_vi(), l.label_en())))
            .collect(),
        grades: (1..=12).collect(),
        errors,
    })
}

pub async fn edit_page(
    State(s): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
) -> PageResult<EditPage> {
    edit_view(&s, &actor, &code, None, vec![]).await
}

/// Saves the form, all fields or none; a refused form comes back with every error beside its
/// field. On success, back to the dashboard on the indicator just changed.
pub async fn edit_save(
    State(s): State<AppState>,
    actor: Actor,
    Path(code): Path<String>,
    body: String,
) -> PageResult<Response> {
    let form = FormValues::parse(&body);
    let result = match form.to_raw(&code) {
        Ok(raw) => crate::api::targets::save(&s, &actor, &code, &raw)
            .await
            .map_err(|e| match e {
                ApiError::Store(StoreError::Invalid(inv)) => Ok(inv.0),
                other => Err(other),
            }),
        Err(errors) => Err(Ok(errors)),
    };
    match result {
        Ok(_) => {
            let unit = start_unit(&s, &actor).await?.id;
            Ok(
                Redirect::to(&format!("/orgs/{unit}/targets?indicator={code}&saved=1"))
                    .into_response(),
            )
        }
        Err(Ok(errors)) => {
            let page = edit_view(&s, &actor, &code, Some(form), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(Err(e)) => Err((&actor, e).into()),
    }
}

/// Whether the org page links here: officers' and principals' units, not satellite sites.
pub fn links_for(actor: &Actor, kind: OrgKind) -> bool {
    actor.can(Permission::TargetRead) && kind != OrgKind::SatelliteSite
}
