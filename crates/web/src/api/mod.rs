//! The JSON API under `/api/v1`, described by the OpenAPI 3.1 document it serves at
//! `/api/v1/openapi.json` (generated from these handlers, snapshot-tested).
//!
//! One module per resource; each handler takes the [`Actor`](crate::actor::Actor) and hands
//! its scope to the store.

mod account;
mod admin_units;
pub mod admission;
mod admission_public;
pub mod admission_staff;
pub mod audit;
mod classes;
pub mod consents;
pub mod dx;
mod enrolments;
pub mod gradebook;
mod imports;
pub mod learners;
mod org_units;
pub mod quality;
mod reference;
mod school_years;
mod staff;
pub mod statistics;
pub mod targets;
pub mod transcripts;
pub mod users;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::get;
use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use truongso_store::{PageRequest, StoreError};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;
use crate::error::{ApiError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "truongso API",
        description = "API của Trường số — cơ sở dữ liệu ngành giáo dục: đơn vị, học sinh, cán bộ, lớp học. Lỗi trả về dạng application/problem+json với thông báo tiếng Việt và trường dữ liệu bị lỗi.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "org-units", description = "Đơn vị: Bộ, Sở, Phòng/xã, trường, điểm trường"),
        (name = "learners", description = "Học sinh và người giám hộ"),
        (name = "enrolments", description = "Quá trình học tập"),
        (name = "staff", description = "Cán bộ, giáo viên, nhân viên"),
        (name = "classes", description = "Lớp học"),
        (name = "reference", description = "Danh mục: đơn vị hành chính, năm học, môn học, mã định danh"),
        (name = "account", description = "Tài khoản, mã truy cập API (Authorization: Bearer), đặt lại mật khẩu"),
        (name = "audit", description = "Nhật ký truy cập và thay đổi dữ liệu cá nhân"),
        (name = "consents", description = "Sự đồng ý xử lý dữ liệu cá nhân (Luật 91/2025)"),
        (name = "imports", description = "Nhập dữ liệu từ tệp Excel/CSV (xem trước, tất cả hoặc chỉ dòng hợp lệ)"),
        (name = "quality", description = "Chất lượng dữ liệu: quy tắc, điểm theo đơn vị, hồ sơ lỗi, hồ sơ trùng"),
        (name = "gradebook", description = "Sổ điểm điện tử (TT 22/2021, TT 27/2020): nhập điểm, tổng kết, khoá sổ, lịch sử thay đổi điểm"),
        (name = "transcripts", description = "Học bạ điện tử: xem, ký số (giáo viên chủ nhiệm, hiệu trưởng), xác thực"),
        (name = "statistics", description = "Báo cáo thống kê đầu năm, cuối năm (TT 25/2024): số liệu theo cây đơn vị tại ngày chốt, chốt và nộp báo cáo, danh sách hồ sơ sau mỗi số liệu, bản công khai đã ẩn số nhỏ"),
        (name = "dx", description = "Chỉ số chuyển đổi số của cơ sở giáo dục (QĐ 4725/QĐ-BGDĐT): tự đánh giá, minh chứng, duyệt, phân bố mức độ"),
        (name = "admission", description = "Tuyển sinh đầu cấp (lớp 1, 6, 10): đợt tuyển sinh, hàng đợi xác minh hồ sơ, giấy tờ, yêu cầu bổ sung, nhóm ưu tiên, nhập điểm thi lớp 10, xét tuyển thử, điểm chuẩn, công bố, tra cứu kết quả"),
        (name = "admission-lookup", description = "Tra cứu kết quả tuyển sinh đầu cấp (công khai, không cần tài khoản): theo số báo danh hoặc mã hồ sơ và ngày sinh"),
        (name = "targets", description = "Chỉ tiêu kế hoạch chuyển đổi số: định nghĩa, tiến độ theo đơn vị, xếp hạng, xu hướng, bản đồ trường"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme every API call uses.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Mã truy cập API: `truongso token create` hoặc trang Tài khoản.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The API routes, with their OpenAPI description, nested under `/api/v1`.
pub fn router() -> axum::Router<AppState> {
    let (router, doc) = documented().split_for_parts();
    let doc_json = with_links(doc)
        .to_pretty_json()
        .expect("OpenAPI document serialises");
    router.route(
        "/api/v1/openapi.json",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], doc_json) }),
    )
}

/// Every resource's routes with their description, nested under `/api/v1`.
fn documented() -> OpenApiRouter<AppState> {
    let api = OpenApiRouter::new()
        .merge(org_units::router())
        .merge(learners::router())
        .merge(enrolments::router())
        .merge(staff::router())
        .merge(classes::router())
        .merge(admin_units::router())
        .merge(school_years::router())
        .merge(reference::router())
        .merge(account::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(consents::router())
        .merge(
            imports::router().layer(axum::extract::DefaultBodyLimit::max(
                truongso_domain::tabular::MAX_FILE_BYTES,
            )),
        )
        .merge(quality::router())
        .merge(gradebook::router())
        .merge(transcripts::router())
        .merge(statistics::router())
        .merge(dx::router().layer(axum::extract::DefaultBodyLimit::max(
            truongso_domain::dx::MAX_EVIDENCE_BYTES + 64 * 1024,
        )))
        .merge(targets::router())
        .merge(admission::router())
        .merge(
            admission_staff::router().layer(axum::extract::DefaultBodyLimit::max(
                truongso_domain::tabular::MAX_FILE_BYTES,
            )),
        )
        .merge(admission_public::router())
        .merge(OpenApiRouter::new().routes(utoipa_axum::routes!(crate::results::api_lookup)));
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", api)
}

/// The generated OpenAPI document (for the snapshot test and `truongso openapi`).
pub fn openapi() -> utoipa::openapi::OpenApi {
    with_links(documented().into_openapi())
}

/// Adds OpenAPI links from each operation that yields records (a create's `201`, a list's
/// `200`) to the operations that take their id: `POST /learners` → `GET /learners/{id}`,
/// `PUT /learners/{id}`, `GET /learners/{id}/enrolments`…, so that clients and stateful test
/// generators can chain them. Derived from the paths, so every new resource gets its links.
fn with_links(doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut json = serde_json::to_value(&doc).expect("OpenAPI document serialises");
    let Some(paths) = json["paths"].as_object().cloned() else {
        return doc;
    };
    for (path, item) in &paths {
        // The collection a record path belongs to: "/api/v1/learners/{id}…" → "/api/v1/learners".
        let Some((collection, rest)) = path.split_once("/{") else {
            continue;
        };
        let Some((param, _)) = rest.split_once('}') else {
            continue;
        };
        if collection.contains('{') || paths.get(collection).is_none() {
            continue;
        }
        let escaped = path.replace('~', "~0").replace('/', "~1");
        for method in ["get", "put", "post", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let name = format!(
                "{method}_{}",
                path.trim_start_matches("/api/v1/")
                    .replace(['/', '{', '}'], "_")
            );
            for (source, status) in [("post", "201"), ("get", "200")] {
                let response = json.pointer_mut(&format!(
                    "/paths/{}/{source}/responses/{status}",
                    collection.replace('/', "~1")
                ));
                let Some(serde_json::Value::Object(response)) = response else {
                    continue;
                };
                // The id of a created record, or of the first listed (a page's items, or a
                // bare array).
                let is_array = response
                    .get("content")
                    .and_then(|c| c.get("application/json"))
                    .and_then(|c| c.get("schema"))
                    .and_then(|s| s.get("type"))
                    == Some(&serde_json::json!("array"));
                let pointer = match (source, is_array) {
                    ("post", _) => format!("$response.body#/{param}"),
                    (_, true) => format!("$response.body#/0/{param}"),
                    _ => format!("$response.body#/items/0/{param}"),
                };
                let links = response
                    .entry("links")
                    .or_insert_with(|| serde_json::json!({}));
                links[&name] = serde_json::json!({
                    "operationRef": format!("#/paths/{escaped}/{method}"),
                    "parameters": { param: pointer },
                });
            }
        }
    }
    serde_json::from_value(json).unwrap_or(doc)
}

/// A JSON body parsed with the path of the offending field on error (`guardians[0].phone`),
/// so that a bad body is a 400 problem naming the field, never a bare framework error.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::bad_request(
                "body",
                "Nội dung phải là JSON (Content-Type: application/json).",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| {
            ApiError::bad_request(
                "body",
                format!(
                    "Nội dung quá lớn hoặc không đọc được (tối đa {} KB).",
                    crate::MAX_BODY_BYTES / 1024
                ),
            )
        })?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        let (value, unknown) = deserialize_noting_unknown(de).map_err(path_error)?;
        refuse_unknown(unknown)?;
        Ok(ApiJson(value))
    }
}

/// Deserializes `T`, collecting the fields `T` does not have (serde would drop them without a
/// word, and the caller would believe a learner moved school) as JSON pointers.
fn deserialize_noting_unknown<'de, T: DeserializeOwned, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<(T, BTreeSet<String>), serde_path_to_error::Error<D::Error>> {
    let mut unknown = BTreeSet::new();
    let mut note = |path: serde_ignored::Path<'_>| {
        unknown.insert(pointer(&path));
    };
    let value = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(de, &mut note))?;
    Ok((value, unknown))
}

/// A JSON pointer ("/guardians/0/id") to the place serde reports.
fn pointer(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}/{index}", pointer(parent)),
        Path::Map { parent, key } => {
            format!(
                "{}/{}",
                pointer(parent),
                key.replace('~', "~0").replace('/', "~1")
            )
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => pointer(parent),
    }
}

/// How a field is named in a problem: `guardians[0].id` for the pointer `/guardians/0/id`.
fn field_name(pointer: &str) -> String {
    let mut out = String::new();
    for part in pointer.split('/').skip(1) {
        let part = part.replace("~1", "/").replace("~0", "~");
        if part.bytes().all(|b| b.is_ascii_digit()) && !out.is_empty() {
            out.push_str(&format!("[{part}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&part);
        }
    }
    out
}

fn unknown_field(pointer: &str, message: String) -> truongso_domain::FieldError {
    truongso_domain::FieldError::new(field_name(pointer), message)
}

/// A body with fields the operation does not take is refused (422, naming each), never half
/// applied.
fn refuse_unknown(unknown: BTreeSet<String>) -> Result<(), ApiError> {
    if unknown.is_empty() {
        return Ok(());
    }
    Err(StoreError::Invalid(truongso_domain::Invalid(
        unknown
            .iter()
            .map(|p| {
                unknown_field(
                    p,
                    "Yêu cầu này không nhận trường này (chỉ đọc, hoặc không có trong lược đồ): không có gì được lưu.".into(),
                )
            })
            .collect(),
    ))
    .into())
}

/// The body of a `PUT` that replaces a record: `T`, plus the fields of the record as the API
/// shows it that `T` does not take (`id`, `school_id`, `created_at`…). A client may send the
/// record back as it read it, so those are accepted while they equal the stored values
/// ([`ReadOnly::unchanged_from`]); a changed one is refused, naming the field.
pub struct UpdateJson<T>(pub T, pub ReadOnly);

pub struct ReadOnly(Vec<(String, serde_json::Value)>);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for UpdateJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiJson(body): ApiJson<serde_json::Value> = ApiJson::from_request(req, state).await?;
        let (value, unknown) = deserialize_noting_unknown(&body).map_err(path_error)?;
        let sent = unknown
            .into_iter()
            .map(|p| {
                let v = body.pointer(&p).cloned().unwrap_or_default();
                (p, v)
            })
            .collect();
        Ok(UpdateJson(value, ReadOnly(sent)))
    }
}

/// Timestamps and counts the server maintains, and the ids of the rows of a list the `PUT`
/// replaces as a whole (guardians get new ones at every save).
fn is_bookkeeping(pointer: &str) -> bool {
    let last = pointer.rsplit('/').next().unwrap_or_default();
    let nested = pointer.matches('/').count() > 1;
    matches!(last, "created_at" | "updated_at")
        || last.ends_with("_count")
        || (nested && last == "id")
}

impl ReadOnly {
    /// Refuses the update (before anything is written) when a read-only field was sent with a
    /// value other than the stored record's, or a field the record does not have at all.
    pub fn unchanged_from(&self, current: &impl serde::Serialize) -> Result<(), ApiError> {
        let current =
            serde_json::to_value(current).map_err(|e| ApiError::Internal(e.to_string()))?;
        let errors: Vec<_> = self
            .0
            .iter()
            .filter_map(|(p, sent)| match current.pointer(p) {
                Some(stored) if stored == sent => None,
                // What the server keeps up to date by itself (when, how many): nobody sending it
                // back believes they set it, and a copy read a minute ago may be stale.
                Some(_) if is_bookkeeping(p) => None,
                Some(stored) => Some(unknown_field(
                    p,
                    format!("Trường chỉ đọc: không đổi được qua yêu cầu này (giá trị hiện tại {stored}); không có gì được lưu."),
                )),
                None => Some(unknown_field(
                    p,
                    "Yêu cầu này không nhận trường này (không có trong lược đồ): không có gì được lưu.".into(),
                )),
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Invalid(truongso_domain::Invalid(errors)).into())
        }
    }
}

/// A JSON body that flattens several types (`NewLearner` = placement + profile), read part by
/// part: serde's `flatten` loses the path of an error. A field that no part takes is refused
/// by [`JsonParts::finish`].
pub struct JsonParts<'a> {
    body: &'a serde_json::Value,
    unknown: Option<BTreeSet<String>>,
}

impl<'a> JsonParts<'a> {
    pub fn new(body: &'a serde_json::Value) -> Self {
        JsonParts {
            body,
            unknown: None,
        }
    }

    pub fn part<T: DeserializeOwned>(&mut self) -> Result<T, ApiError> {
        let (value, unknown) = deserialize_noting_unknown(self.body).map_err(path_error)?;
        self.unknown = Some(match self.unknown.take() {
            None => unknown,
            Some(before) => before.intersection(&unknown).cloned().collect(),
        });
        Ok(value)
    }

    pub fn finish(self) -> Result<(), ApiError> {
        refuse_unknown(self.unknown.unwrap_or_default())
    }

    /// For a `PUT`: the fields no part takes, to be checked against the stored record.
    pub fn read_only(self) -> ReadOnly {
        ReadOnly(
            self.unknown
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    let v = self.body.pointer(&p).cloned().unwrap_or_default();
                    (p, v)
                })
                .collect(),
        )
    }
}

fn path_error(e: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = e.path().to_string();
    let field = if path == "." {
        "body".to_string()
    } else {
        path
    };
    ApiError::bad_request(&field, json_error_vi(e.inner()))
}

/// A Vietnamese explanation of a JSON error, keeping serde's detail (which names codes and types).
fn json_error_vi(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof => {
            format!("JSON không hợp lệ (dòng {}, cột {}).", e.line(), e.column())
        }
        Category::Data => format!("Giá trị không hợp lệ: {e}"),
        Category::Io => "Không đọc được nội dung.".to_string(),
    }
}

/// Query-string filters of a list plus its page request, each parsed on its own (serde's
/// `flatten` cannot parse numbers from query strings).
pub struct ListQuery<F>(pub F, pub PageRequest);

impl<F: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ListQuery<F> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        let filter = parse_query(raw)?;
        let page = parse_page(raw)?;
        Ok(ListQuery(filter, page))
    }
}

/// The page asked for in a query string, refused (422, with the allowed range) when out of
/// range. Every list, API or page, reads its page through here.
pub fn parse_page(raw: &str) -> Result<PageRequest, ApiError> {
    let page: PageRequest = parse_query(raw)?;
    page.check()?;
    Ok(page)
}

/// Parses a query string into `T`, reporting the parameter at fault in Vietnamese.
pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    // Empty values ("?school_id=") mean "no filter", as HTML forms send them.
    let cleaned = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form_urlencoded::parse(raw.as_bytes()).filter(|(_, v)| !v.trim().is_empty()))
        .finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(cleaned.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        ApiError::bad_request(
            if field == "." { "query" } else { &field },
            format!("Tham số không hợp lệ: {}", e.inner()),
        )
    })
}

/// Wraps a value as a `200 OK` JSON response.
pub fn ok<T: serde::Serialize>(value: T) -> Json<T> {
    Json(value)
}

/// The date in Vietnam (UTC+7), for validating birth dates and dating status changes.
pub fn today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive()
}
