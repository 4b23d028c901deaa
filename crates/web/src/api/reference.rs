use axum::Json;
use axum::extract::Path;
use axum::http::Uri;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use truongso_domain::codes::Gender;
use truongso_domain::national_id::{self, IdCheck};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::parse_query;
use crate::AppState;
use crate::error::{ApiResult, Problem};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subjects))
        .routes(routes!(ethnicities))
        .routes(routes!(check_national_id))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubjectView {
    pub code: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
    /// "score" or "comment" in this grade.
    pub assessment: &'static str,
    pub compulsory: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubjectQuery {
    /// Grade 1–12.
    pub grade: u8,
}

/// The GDPT 2018 subjects of a grade.
#[utoipa::path(get, path = "/subjects", tag = "reference", params(SubjectQuery),
    responses((status = 200, body = Vec<SubjectView>), (status = 400, body = Problem)))]
async fn subjects(uri: Uri) -> ApiResult<Json<Vec<SubjectView>>> {
    let q: SubjectQuery = parse_query(uri.query().unwrap_or(""))?;
    if !(1..=12).contains(&q.grade) {
        return Err(crate::error::ApiError::bad_request(
            "grade",
            "Khối lớp phải từ 1 đến 12.",
        ));
    }
    Ok(Json(
        truongso_domain::subjects::subjects_for_grade(q.grade)
            .into_iter()
            .map(|s| SubjectView {
                code: s.code,
                name_vi: s.name_vi,
                name_en: s.name_en,
                assessment: s.assessment_in(q.grade).code(),
                compulsory: s.is_compulsory_in(q.grade),
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EthnicityView {
    pub code: String,
    pub name: String,
}

/// The 54 ethnic groups with their GSO codes.
#[utoipa::path(get, path = "/ethnicities", tag = "reference", responses((status = 200, body = Vec<EthnicityView>)))]
async fn ethnicities() -> Json<Vec<EthnicityView>> {
    Json(
        truongso_domain::reference::ethnicities()
            .iter()
            .map(|e| EthnicityView {
                code: e.code.clone(),
                name: e.name.clone(),
            })
            .collect(),
    )
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IdQuery {
    /// Recorded date of birth, YYYY-MM-DD.
    pub birth_date: Option<NaiveDate>,
    /// Recorded gender, "M" or "F".
    pub gender: Option<Gender>,
}

/// Decode a 12-digit personal ID and check it against a recorded birth date and gender.
#[utoipa::path(get, path = "/national-ids/{id}", tag = "reference", params(("id" = String, Path), IdQuery),
    responses((status = 200, body = IdCheck), (status = 400, body = Problem)))]
async fn check_national_id(Path(id): Path<String>, uri: Uri) -> ApiResult<Json<IdCheck>> {
    let q: IdQuery = parse_query(uri.query().unwrap_or(""))?;
    Ok(Json(national_id::check(&id, q.birth_date, q.gender)))
}
