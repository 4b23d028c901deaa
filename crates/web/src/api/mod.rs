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
use serde::de::DeserializeOwned;
use truongso_store::PageRequest;
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
    let doc_json = doc.to_pretty_json().expect("OpenAPI document serialises");
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
    documented().into_openapi()
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
        serde_path_to_error::deserialize(de)
            .map(ApiJson)
            .map_err(path_error)
    }
}

/// One part of a JSON body that flattens several types (`NewLearner` = placement + profile):
/// serde's `flatten` loses the path of an error, so such bodies are read part by part.
pub fn json_part<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(body).map_err(path_error)
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
        let page = parse_query(raw)?;
        Ok(ListQuery(filter, page))
    }
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
