//! Administrative units (provinces, districts, communes/wards; 2025 and legacy lists), loaded
//! from the reference files shipped in the domain crate.

use sea_query::{Expr, ExprTrait, Order, Query};
use serde::{Deserialize, Serialize};
use truongso_domain::reference;

use crate::schema::{AdminUnitSuccessions, AdminUnits};
use crate::{Conn, Page, PageRequest, StoreResult, Tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AdminUnit {
    pub id: i64,
    /// "2025" (current, two tiers) or "legacy" (before 1 July 2025).
    pub scheme: String,
    /// "province", "district" (legacy only) or "ward".
    pub level: String,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub parent_code: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminUnitFilter {
    /// "2025" (default) or "legacy".
    pub scheme: Option<String>,
    pub level: Option<String>,
    pub parent_code: Option<String>,
    pub q: Option<String>,
}

struct Row {
    scheme: &'static str,
    level: &'static str,
    code: String,
    name: String,
    kind: String,
    parent: Option<String>,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Loads the shipped lists when the table is empty. Returns the number of units inserted.
pub async fn load_reference(tx: &mut Tx) -> StoreResult<u64> {
    let (existing,): (i64,) = tx
        .conn()
        .fetch_one(
            Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(AdminUnits::Table),
        )
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let rows = reference_rows();
    for chunk in rows.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(AdminUnits::Table).columns([
            AdminUnits::Scheme,
            AdminUnits::Level,
            AdminUnits::Code,
            AdminUnits::Name,
            AdminUnits::Kind,
            AdminUnits::ParentCode,
            AdminUnits::Lat,
            AdminUnits::Lon,
        ]);
        for r in chunk {
            insert.values_panic([
                r.scheme.into(),
                r.level.into(),
                r.code.clone().into(),
                r.name.clone().into(),
                r.kind.clone().into(),
                r.parent.clone().into(),
                r.lat.into(),
                r.lon.into(),
            ]);
        }
        tx.conn().execute(&insert).await?;
    }
    let mut seen = std::collections::HashSet::new();
    let successions: Vec<_> = reference::ward_successions()
        .iter()
        .filter(|s| seen.insert((s.legacy_ward_code.clone(), s.ward_code_2025.clone())))
        .collect();
    for chunk in successions.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(AdminUnitSuccessions::Table).columns([
            AdminUnitSuccessions::LegacyWardCode,
            AdminUnitSuccessions::WardCode2025,
            AdminUnitSuccessions::Kind,
        ]);
        for s in chunk {
            insert.values_panic([
                s.legacy_ward_code.clone().into(),
                s.ward_code_2025.clone().into(),
                s.kind.clone().into(),
            ]);
        }
        tx.conn().execute(&insert).await?;
    }
    Ok(rows.len() as u64)
}

fn reference_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    for p in reference::provinces_2025() {
        rows.push(Row {
            scheme: "2025",
            level: "province",
            code: p.code,
            name: p.name,
            kind: p.kind,
            parent: None,
            lat: None,
            lon: None,
        });
    }
    for w in reference::wards_2025() {
        rows.push(Row {
            scheme: "2025",
            level: "ward",
            code: w.code.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            parent: Some(w.province_code.clone()),
            lat: w.lat,
            lon: w.lon,
        });
    }
    let mut provinces = std::collections::HashSet::new();
    let mut districts = std::collections::HashSet::new();
    for w in reference::legacy_wards() {
        if provinces.insert(w.province_code.clone()) {
            rows.push(Row {
                scheme: "legacy",
                level: "province",
                code: w.province_code.clone(),
                name: w.province_name.clone(),
                kind: "tỉnh".into(),
                parent: None,
                lat: None,
                lon: None,
            });
        }
        if districts.insert(w.district_code.clone()) {
            rows.push(Row {
                scheme: "legacy",
                level: "district",
                code: w.district_code.clone(),
                name: w.district_name.clone(),
                kind: "huyện".into(),
                parent: Some(w.province_code.clone()),
                lat: None,
                lon: None,
            });
        }
        rows.push(Row {
            scheme: "legacy",
            level: "ward",
            code: w.code.clone(),
            name: w.name.clone(),
            kind: w.kind.clone(),
            parent: Some(w.district_code.clone()),
            lat: w.lat,
            lon: w.lon,
        });
    }
    rows
}

pub async fn list(
    conn: &mut Conn<'_>,
    filter: &AdminUnitFilter,
    page: &PageRequest,
) -> StoreResult<Page<AdminUnit>> {
    let mut q = Query::select();
    q.from(AdminUnits::Table)
        .and_where(Expr::col(AdminUnits::Scheme).eq(filter.scheme.as_deref().unwrap_or("2025")));
    if let Some(l) = &filter.level {
        q.and_where(Expr::col(AdminUnits::Level).eq(l.as_str()));
    }
    if let Some(p) = &filter.parent_code {
        q.and_where(Expr::col(AdminUnits::ParentCode).eq(p.as_str()));
    }
    if let Some(text) = filter.q.as_deref().filter(|s| !s.trim().is_empty()) {
        q.and_where(
            Expr::col(AdminUnits::Name)
                .like(format!("%{}%", crate::orgs::escape_like(text.trim()))),
        );
    }
    let total = crate::orgs::count(conn, &q).await?;
    q.columns([
        AdminUnits::Id,
        AdminUnits::Scheme,
        AdminUnits::Level,
        AdminUnits::Code,
        AdminUnits::Name,
        AdminUnits::Kind,
        AdminUnits::ParentCode,
        AdminUnits::Lat,
        AdminUnits::Lon,
    ])
    .order_by(AdminUnits::Code, Order::Asc)
    .limit(page.per_page())
    .offset(page.offset());
    Ok(Page {
        items: conn.fetch_all(&q).await?,
        total,
        page: page.page(),
        per_page: page.per_page(),
    })
}
