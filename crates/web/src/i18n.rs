//! Interface language: Vietnamese first, English second, chosen by `?lang=` or the `lang` cookie.

use axum::http::header;
use axum::http::request::Parts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }

    fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language asked for in the query string, else the cookie, else Vietnamese.
    pub fn from_parts(parts: &Parts) -> Lang {
        let from_query = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
            .and_then(Lang::parse);
        let from_cookie = || {
            parts
                .headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|c| c.trim().strip_prefix("lang="))
                .and_then(Lang::parse)
        };
        from_query.or_else(from_cookie).unwrap_or_default()
    }

    /// The translation of a UI text key (Vietnamese when the key is unknown in English).
    pub fn t(self, key: &str) -> &'static str {
        let (vi, en) = TEXTS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or(("?", "?"), |(_, vi, en)| (*vi, *en));
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A code list label in this language.
    pub fn label<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// Key, Vietnamese, English.
const TEXTS: &[(&str, &str, &str)] = &[
    ("app_name", "Trường số", "Digital School"),
    (
        "tagline",
        "Cơ sở dữ liệu ngành giáo dục",
        "Education sector database",
    ),
    ("skip", "Bỏ qua, đến nội dung chính", "Skip to main content"),
    ("home", "Trang chủ", "Home"),
    ("search", "Tìm kiếm", "Search"),
    ("search_learners", "Tìm học sinh", "Find learners"),
    (
        "search_hint",
        "Họ tên (có thể gõ không dấu) hoặc mã định danh",
        "Name (diacritics optional) or personal ID",
    ),
    ("units", "Đơn vị trực thuộc", "Units below"),
    ("classes", "Lớp học", "Classes"),
    ("class", "Lớp", "Class"),
    ("learners", "Học sinh", "Learners"),
    ("learner", "Học sinh", "Learner"),
    ("staff", "Cán bộ, giáo viên", "Staff"),
    ("name", "Tên", "Name"),
    ("full_name", "Họ và tên", "Full name"),
    ("code", "Mã", "Code"),
    ("kind", "Loại", "Type"),
    ("grade", "Khối", "Grade"),
    ("homeroom", "Giáo viên chủ nhiệm", "Homeroom teacher"),
    ("count", "Sĩ số", "Size"),
    ("birth_date", "Ngày sinh", "Date of birth"),
    ("gender", "Giới tính", "Gender"),
    ("national_id", "Mã định danh cá nhân", "Personal ID"),
    ("learner_code", "Mã học sinh", "Learner code"),
    ("ethnicity", "Dân tộc", "Ethnicity"),
    ("nationality", "Quốc tịch", "Nationality"),
    ("religion", "Tôn giáo", "Religion"),
    ("address", "Địa chỉ", "Address"),
    ("ward", "Xã/phường", "Commune/ward"),
    ("disability", "Khuyết tật", "Disability"),
    ("policy_group", "Đối tượng chính sách", "Policy group"),
    ("guardians", "Cha mẹ / người giám hộ", "Parents / guardians"),
    ("relation", "Quan hệ", "Relation"),
    ("phone", "Điện thoại", "Phone"),
    ("email", "Email", "E-mail"),
    ("enrolments", "Quá trình học tập", "Enrolments"),
    ("school_year", "Năm học", "School year"),
    ("school", "Trường", "School"),
    ("status", "Trạng thái", "Status"),
    ("history", "Lịch sử", "History"),
    ("position", "Chức vụ", "Position"),
    ("qualification", "Trình độ", "Qualification"),
    ("employment", "Hình thức", "Employment"),
    ("subjects", "Môn dạy", "Subjects"),
    ("edit", "Sửa", "Edit"),
    ("save", "Lưu", "Save"),
    ("cancel", "Hủy", "Cancel"),
    ("add_learner", "Thêm học sinh", "Add learner"),
    ("none", "Không", "None"),
    ("not_recorded", "Chưa có", "Not recorded"),
    ("previous", "Trang trước", "Previous"),
    ("next", "Trang sau", "Next"),
    ("page", "Trang", "Page"),
    ("of", "trên", "of"),
    ("results", "kết quả", "results"),
    ("no_results", "Không tìm thấy kết quả.", "Nothing found."),
    ("profile", "Hồ sơ", "Profile"),
    (
        "managing_history",
        "Lịch sử đơn vị quản lý",
        "Managing-unit history",
    ),
    ("from", "Từ", "From"),
    ("to", "Đến", "To"),
    ("reason", "Lý do", "Reason"),
    ("levels", "Cấp học", "Levels"),
    ("ownership", "Loại hình", "Ownership"),
    (
        "form_errors",
        "Vui lòng sửa các lỗi dưới đây.",
        "Please correct the errors below.",
    ),
    ("saved", "Đã lưu.", "Saved."),
    (
        "not_found",
        "Không tìm thấy trang hoặc hồ sơ này, hoặc bạn không có quyền xem.",
        "This page or record does not exist, or you may not see it.",
    ),
    ("error", "Có lỗi xảy ra", "Something went wrong"),
    ("language", "English", "Tiếng Việt"),
    ("api", "API", "API"),
    ("sites", "Điểm trường", "Satellite sites"),
    ("main_site", "Điểm chính", "Main site"),
    ("guardian_n", "Người giám hộ", "Guardian"),
    ("optional", "không bắt buộc", "optional"),
    (
        "date_hint",
        "Dạng ngày/tháng/năm, ví dụ 05/09/2015",
        "As dd/mm/yyyy, e.g. 05/09/2015",
    ),
];
