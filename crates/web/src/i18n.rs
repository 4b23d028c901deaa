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
        "Họ tên hoặc mã định danh",
        "Name (diacritics optional) or personal ID",
    ),
    ("units", "Đơn vị trực thuộc", "Units below"),
    ("learners_count", "học sinh", "learners"),
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
    ("account", "Tài khoản", "Account"),
    ("users", "Tài khoản người dùng", "User accounts"),
    ("accounts", "tài khoản", "accounts"),
    ("audit", "Nhật ký truy cập", "Audit trail"),
    ("logout", "Đăng xuất", "Sign out"),
    ("login", "Đăng nhập", "Sign in"),
    ("username", "Tên đăng nhập", "Username"),
    ("password", "Mật khẩu", "Password"),
    (
        "login_help",
        "Tài khoản do nhà trường hoặc cơ quan quản lý cấp. Quên mật khẩu: liên hệ quản trị viên đơn vị.",
        "Accounts are issued by the school or the education office. Forgotten password: ask your unit's administrator.",
    ),
    (
        "login_missing",
        "Vui lòng nhập tên đăng nhập và mật khẩu.",
        "Please enter your username and password.",
    ),
    (
        "login_wrong",
        "Tên đăng nhập hoặc mật khẩu không đúng.",
        "Wrong username or password.",
    ),
    (
        "login_locked",
        "Tài khoản tạm bị khoá do đăng nhập sai nhiều lần. Vui lòng thử lại sau",
        "The account is locked after repeated failed sign-ins. Try again in",
    ),
    ("minutes", "phút.", "minutes."),
    ("totp", "Xác thực hai lớp", "Two-factor authentication"),
    (
        "totp_code",
        "Mã 6 số trên ứng dụng xác thực",
        "6-digit code from your authenticator app",
    ),
    ("totp_confirm", "Xác nhận", "Confirm"),
    (
        "totp_wrong",
        "Mã xác thực không đúng hoặc đã hết hạn.",
        "The code is wrong or has expired.",
    ),
    (
        "totp_enrol_help",
        "Tài khoản này cần xác thực hai lớp. Quét mã QR bằng ứng dụng xác thực (Google Authenticator, Microsoft Authenticator…) rồi nhập mã 6 số để xác nhận.",
        "This account needs two-factor authentication. Scan the QR code with an authenticator app, then enter the 6-digit code.",
    ),
    ("totp_secret", "Hoặc nhập khoá", "Or enter the key"),
    (
        "totp_enabled",
        "Đã bật xác thực hai lớp.",
        "Two-factor authentication is on.",
    ),
    ("totp_turn_on", "bật ngay", "turn it on"),
    ("on", "Đang bật", "On"),
    ("off", "Chưa bật", "Off"),
    ("display_name", "Họ tên", "Name"),
    ("role", "Vai trò", "Role"),
    ("scope", "Phạm vi", "Scope"),
    ("permissions", "Quyền của vai trò", "Role permissions"),
    ("change_password", "Đổi mật khẩu", "Change password"),
    ("password_current", "Mật khẩu hiện tại", "Current password"),
    (
        "password_new",
        "Mật khẩu mới (ít nhất 8 ký tự)",
        "New password (at least 8 characters)",
    ),
    (
        "password_confirm",
        "Nhập lại mật khẩu mới",
        "Repeat the new password",
    ),
    (
        "password_changed",
        "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.",
        "Password changed. Other sessions were signed out.",
    ),
    (
        "password_current_wrong",
        "Mật khẩu hiện tại không đúng.",
        "The current password is wrong.",
    ),
    (
        "password_mismatch",
        "Hai lần nhập mật khẩu mới không khớp.",
        "The new passwords do not match.",
    ),
    (
        "password_must_change",
        "Mật khẩu hiện tại là mật khẩu tạm thời do quản trị viên cấp. Hãy đặt mật khẩu của riêng bạn trước khi tiếp tục.",
        "Your password is a temporary one set by an administrator. Choose your own before going on.",
    ),
    (
        "password_current_temporary",
        "Mật khẩu tạm thời",
        "Temporary password",
    ),
    (
        "password_same",
        "Mật khẩu mới phải khác mật khẩu hiện tại.",
        "The new password must differ from the current one.",
    ),
    (
        "password_tokens_live",
        "Các mã truy cập API của tài khoản vẫn còn hiệu lực (xem bên dưới): hãy thu hồi nếu bạn nghi mật khẩu cũ đã bị lộ.",
        "The account's API tokens are still valid (see below): revoke them if you think the old password leaked.",
    ),
    ("api_tokens", "Mã truy cập API", "API tokens"),
    (
        "api_tokens_help",
        "Dùng cho phần mềm kết nối (LMS, phần mềm quản lý): gửi kèm tiêu đề Authorization: Bearer <mã>. Mã có cùng vai trò và phạm vi với tài khoản này.",
        "For connected software: send Authorization: Bearer <token>. A token has this account's role and scope.",
    ),
    ("token_name", "Tên gợi nhớ", "Label"),
    ("token_days", "Hiệu lực (ngày)", "Valid for (days)"),
    ("token_create", "Tạo mã", "Create token"),
    ("token_created", "Đã tạo mã truy cập.", "Token created."),
    (
        "token_once",
        "Sao chép mã này ngay: mã chỉ hiển thị một lần.",
        "Copy this token now: it is shown only once.",
    ),
    ("token_revoked", "Đã thu hồi mã truy cập.", "Token revoked."),
    ("created", "Ngày tạo", "Created"),
    ("expires", "Hết hạn", "Expires"),
    ("last_used", "Dùng lần cuối", "Last used"),
    ("revoked", "Đã thu hồi", "Revoked"),
    ("revoke", "Thu hồi", "Revoke"),
    ("reset_password", "Đặt lại mật khẩu", "Reset password"),
    (
        "reset_by_higher",
        "Cấp quản lý cao hơn đặt lại",
        "Reset by a higher level",
    ),
    (
        "reset_done",
        "Mật khẩu tạm thời của",
        "Temporary password for",
    ),
    (
        "reset_hint",
        "Trao trực tiếp cho người dùng; họ phải đổi mật khẩu ở lần đăng nhập tới. Mọi phiên đăng nhập và mã truy cập API của tài khoản đã bị chấm dứt.",
        "Hand it over in person; the user must change it at the next sign-in. Every session and API token of the account has ended.",
    ),
    ("action", "Hành động", "Action"),
    ("entity", "Đối tượng", "Record type"),
    ("entity_id", "Mã đối tượng", "Record id"),
    ("date_from", "Từ ngày", "From"),
    ("date_to", "Đến ngày", "To"),
    ("export_csv", "Tải xuống CSV", "Download CSV"),
    ("entries", "mục", "entries"),
    ("time", "Thời điểm (giờ Việt Nam)", "Time (Vietnam)"),
    ("ip", "Địa chỉ IP", "IP address"),
    ("detail", "Chi tiết", "Detail"),
    ("who", "Người truy cập", "Who"),
    ("access_log", "Ai đã xem hồ sơ", "Who accessed the record"),
    (
        "access_log_help",
        "Mọi lần xem, sửa hồ sơ của con đều được ghi lại (Luật Bảo vệ dữ liệu cá nhân 2025).",
        "Every read or change of your child's record is logged (Personal Data Protection Law 2025).",
    ),
    ("consents", "Sự đồng ý xử lý dữ liệu", "Consents"),
    (
        "consents_help",
        "Những việc xử lý dữ liệu cần sự đồng ý của cha mẹ (và của học sinh từ 7 tuổi). Có thể rút lại bất cứ lúc nào.",
        "Processing that needs the guardian's consent (and the learner's from age 7). It can be withdrawn at any time.",
    ),
    (
        "consents_none",
        "Chưa có sự đồng ý nào được ghi nhận.",
        "No consent recorded yet.",
    ),
    ("purpose", "Mục đích", "Purpose"),
    ("given_by", "Người đồng ý", "Given by"),
    ("given_at", "Ngày đồng ý", "Given on"),
    ("withdrawn", "Đã rút lại ngày", "Withdrawn on"),
    ("in_force", "Đang hiệu lực", "In force"),
    ("withdraw", "Rút lại", "Withdraw"),
    ("consent_give", "Ghi nhận sự đồng ý", "Record a consent"),
    (
        "consent_purpose_missing",
        "Vui lòng chọn mục đích.",
        "Please choose a purpose.",
    ),
    (
        "consent_relation",
        "Quan hệ với học sinh",
        "Relation to the learner",
    ),
    (
        "learner_agreed",
        "Học sinh (từ 7 tuổi) cũng đồng ý",
        "The learner (aged 7 or more) agrees too",
    ),
    ("note", "Ghi chú", "Note"),
    (
        "hidden",
        "(không hiển thị với vai trò này)",
        "(not shown to this role)",
    ),
    ("create_account", "Tạo tài khoản", "Create an account"),
    (
        "choose_role",
        "Vui lòng chọn vai trò.",
        "Please choose a role.",
    ),
    ("unit_code", "Mã đơn vị", "Unit code"),
    (
        "staff_record",
        "Số hồ sơ cán bộ (với giáo viên)",
        "Staff record number (teachers)",
    ),
    (
        "learner_record",
        "Số hồ sơ học sinh (với phụ huynh, học sinh)",
        "Learner record number (guardians, learners)",
    ),
    (
        "give_account",
        "Tạo tài khoản đăng nhập",
        "Create a sign-in account",
    ),
    ("my_children", "Con của tôi", "My children"),
    ("my_classes", "Lớp của tôi", "My classes"),
    ("sites", "Điểm trường", "Satellite sites"),
    ("main_site", "Điểm chính", "Main site"),
    ("guardian_n", "Người giám hộ", "Guardian"),
    ("optional", "không bắt buộc", "optional"),
    ("quality", "Chất lượng dữ liệu", "Data quality"),
    (
        "quality_help",
        "Đúng, đủ, sạch, sống: điểm chất lượng là trung bình của mức đầy đủ (tỷ lệ trường thông tin cần có đã điền) và mức đúng (tỷ lệ hồ sơ không có lỗi hay cảnh báo).",
        "Correct, complete, clean, current: the score is the mean of completeness (share of expected fields filled) and correctness (share of records without an error or warning).",
    ),
    ("score", "Điểm chất lượng", "Quality score"),
    ("completeness", "Mức đầy đủ", "Completeness"),
    ("correctness", "Hồ sơ không lỗi", "Records without issues"),
    ("records", "Hồ sơ học sinh", "Learner records"),
    ("issues", "Vấn đề", "Issues"),
    ("issues_by_rule", "Vấn đề theo quy tắc", "Issues by rule"),
    ("rule", "Quy tắc", "Rule"),
    ("severity", "Mức độ", "Severity"),
    (
        "units_ranked",
        "Đơn vị trực thuộc (kém nhất trước)",
        "Units below (worst first)",
    ),
    (
        "classes_ranked",
        "Các lớp (kém nhất trước)",
        "Classes (worst first)",
    ),
    (
        "id_indicator",
        "Chỉ tiêu mã định danh khối 9–12",
        "Personal ID indicator, grades 9–12",
    ),
    (
        "id_indicator_help",
        "Học sinh khối 9–12 đang học có mã định danh cá nhân hợp lệ.",
        "Learners of grades 9–12 currently studying with a valid personal ID.",
    ),
    ("grades_9_12", "Khối 9–12", "Grades 9–12"),
    ("grades_9_and_12", "Khối 9 và 12", "Grades 9 and 12"),
    ("target", "Chỉ tiêu", "Target"),
    ("reached", "Đạt", "Met"),
    ("not_reached", "Chưa đạt", "Not met"),
    ("no_data", "Chưa có dữ liệu", "No data"),
    (
        "not_scanned",
        "Chưa kiểm tra lần nào. Chạy lệnh truongso quality scan hoặc bấm Kiểm tra lại ở trang Cấu hình.",
        "Never checked. Run truongso quality scan or press Re-check on the settings page.",
    ),
    ("checked_at", "Kiểm tra lúc", "Checked at"),
    ("faulty_records", "Hồ sơ có vấn đề", "Faulty records"),
    ("all_rules", "Tất cả quy tắc", "All rules"),
    ("filter", "Lọc", "Filter"),
    ("fix", "Sửa", "Fix"),
    ("view_issues", "Xem hồ sơ", "View records"),
    (
        "duplicates",
        "Hồ sơ học sinh trùng",
        "Duplicate learner records",
    ),
    (
        "duplicates_open",
        "trường hợp trùng chưa xử lý",
        "open duplicate cases",
    ),
    ("duplicate_case", "Trường hợp trùng", "Duplicate case"),
    (
        "duplicate_help",
        "Cùng một mã định danh có ở hai hồ sơ học sinh, thường của hai trường. Chọn hồ sơ đang học hiện tại: hồ sơ còn lại được chuyển sang trạng thái Chuyển đi, cả hai trường đều thấy quyết định.",
        "The same personal ID is on two learner records, usually of two schools. Choose the current record: the other becomes Transferred out, and both schools see the decision.",
    ),
    ("open", "Chưa xử lý", "Open"),
    ("resolved", "Đã xử lý", "Resolved"),
    ("current_record", "Hồ sơ hiện tại", "Current record"),
    ("resolve", "Xác nhận", "Confirm"),
    ("decided_by", "Người quyết định", "Decided by"),
    ("settings", "Cấu hình", "Settings"),
    (
        "quality_settings",
        "Cấu hình quy tắc chất lượng dữ liệu",
        "Data-quality rule settings",
    ),
    (
        "settings_help",
        "Thay đổi có hiệu lực ở lần kiểm tra tiếp theo của từng hồ sơ; bấm Kiểm tra lại để áp dụng cho toàn bộ dữ liệu.",
        "Changes apply at each record's next check; press Re-check to apply them to all data.",
    ),
    ("enabled", "Bật", "On"),
    ("judgement", "Quy tắc ước lượng", "Judgement call"),
    ("rescan", "Kiểm tra lại toàn bộ", "Re-check everything"),
    (
        "scan_started",
        "Đã bắt đầu kiểm tra lại toàn bộ dữ liệu; tải lại trang sau ít phút.",
        "Re-checking all data has started; reload in a few minutes.",
    ),
    (
        "scan_running",
        "Đang có một lượt kiểm tra chạy; vui lòng đợi.",
        "A check is already running; please wait.",
    ),
    ("thresholds", "Ngưỡng và chỉ tiêu", "Thresholds and targets"),
    (
        "expected_fields",
        "Trường thông tin cần có",
        "Expected fields",
    ),
    ("none_found", "Không có vấn đề nào.", "No issues found."),
    ("learner_quality", "Chất lượng hồ sơ", "Record quality"),
    // Digital-maturity index (Decision 4725).
    ("dx_nav", "Chuyển đổi số", "Digital maturity"),
    (
        "dx_title",
        "Tự đánh giá mức độ chuyển đổi số",
        "Digital-maturity self-assessment",
    ),
    (
        "dx_help",
        "Theo Quyết định 4725/QĐ-BGDĐT. Mỗi nhóm tính trên 100 điểm: dưới 50 là Mức 1, từ 50 đến 75 là Mức 2, trên 75 là Mức 3; thiếu điều kiện bắt buộc thì nhóm ở Mức 1.",
        "Decision 4725/QĐ-BGDĐT. Each group is scored out of 100: below 50 is level 1, 50 to 75 level 2, above 75 level 3; a group missing a mandatory condition stays at level 1.",
    ),
    (
        "dx_queue",
        "Duyệt tự đánh giá chuyển đổi số",
        "Digital-maturity reviews",
    ),
    (
        "dx_distribution",
        "Phân bố mức độ chuyển đổi số",
        "Digital-maturity levels",
    ),
    ("dx_not_started", "Chưa bắt đầu", "Not started"),
    ("dx_not_assessed", "Chưa đánh giá", "Not assessed"),
    ("dx_level", "Mức", "Level"),
    ("dx_level1", "Mức 1", "Level 1"),
    ("dx_level2", "Mức 2", "Level 2"),
    ("dx_level3", "Mức 3", "Level 3"),
    ("dx_points", "điểm", "points"),
    ("dx_mandatory", "Điều kiện bắt buộc", "Mandatory condition"),
    (
        "dx_declared",
        "Nhà trường khai báo",
        "Declared by the school",
    ),
    (
        "dx_measured",
        "Nền tảng đo được",
        "Measured by the platform",
    ),
    ("dx_earned", "Điểm đạt", "Points earned"),
    ("dx_evidence", "Minh chứng", "Evidence"),
    ("dx_note", "Ghi chú", "Note"),
    ("dx_link", "Liên kết minh chứng", "Evidence link"),
    ("dx_total", "Tổng điểm", "Total"),
    ("dx_school_level", "Mức của nhà trường", "School level"),
    ("dx_save", "Lưu", "Save"),
    ("dx_submit", "Lưu và gửi duyệt", "Save and submit"),
    ("dx_upload", "Tải lên minh chứng", "Upload evidence"),
    ("dx_approve", "Duyệt", "Approve"),
    ("dx_return", "Trả lại để sửa", "Return for corrections"),
    (
        "dx_review_comment",
        "Nhận xét của đơn vị duyệt",
        "Reviewer's comment",
    ),
    ("dx_saved", "Đã lưu.", "Saved."),
    ("dx_target", "Chỉ tiêu kế hoạch", "Plan target"),
    (
        "dx_target1",
        "Đã đánh giá (Mức 1 trở lên)",
        "Assessed (level 1 or above)",
    ),
    ("dx_target2", "Mức 2 trở lên", "Level 2 or above"),
    ("dx_target3", "Mức 3", "Level 3"),
    ("dx_schools", "Số trường", "Schools"),
    ("yes", "Có", "Yes"),
    ("no", "Không", "No"),
    ("total", "Tổng", "Total"),
    (
        "date_hint",
        "Dạng ngày/tháng/năm, ví dụ 05/09/2015",
        "As dd/mm/yyyy, e.g. 05/09/2015",
    ),
    ("targets", "Chỉ tiêu kế hoạch", "Plan targets"),
    (
        "targets_help",
        "Tiến độ các chỉ tiêu chuyển đổi số của đơn vị, tính trên mọi trường trực thuộc từ số liệu chụp mỗi ngày: đạt, đúng tiến độ (xu hướng đạt chỉ tiêu trước thời hạn), chậm tiến độ, hoặc chưa có dữ liệu trên nền tảng.",
        "Progress of the unit's digital-transformation targets over every school below it, from daily snapshots: met, on track (the trend reaches the target by the deadline), behind, or no data on the platform yet.",
    ),
    (
        "no_snapshot",
        "Chưa có số liệu chụp nào. Máy chủ chụp mỗi ngày; hoặc chạy lệnh truongso targets snapshot.",
        "No snapshot yet. The server takes one a day; or run truongso targets snapshot.",
    ),
    ("indicator", "Chỉ tiêu", "Indicator"),
    ("school_map", "Bản đồ trường", "School map"),
    (
        "map_help",
        "Mỗi trường là một điểm: hình theo cấp học, màu theo chỉ tiêu được chọn. Chấm mờ là trung tâm các xã, phường.",
        "Each school is a point: its shape shows the level, its colour the chosen indicator. Faint dots are commune centres.",
    ),
    (
        "demo_history",
        "Dữ liệu minh hoạ của bản demo, suy ra từ số liệu hiện tại, không phải số đo thật",
        "Demo illustration derived from today's figures, not measured",
    ),
    ("edit_indicator", "Sửa chỉ tiêu", "Edit indicator"),
    (
        "edit_indicator_help",
        "Mọi trường được kiểm tra cùng lúc; có lỗi thì không lưu gì. Thay đổi áp dụng ngay cho bảng tiến độ.",
        "Every field is checked at once; with any error nothing is saved. Changes apply to the dashboards at once.",
    ),
    (
        "formula_help",
        "Chọn từ các chỉ số nền tảng đo ở mỗi trường. Tỷ lệ: tổng tử số chia tổng mẫu số trên các trường, khối lớp trong phạm vi. Tỷ lệ trường: số trường đạt điều kiện chia số trường trong phạm vi.",
        "Choose from the metrics the platform measures at each school. Ratio: Σ numerator ÷ Σ denominator over the schools and grades in scope. Share of schools: schools meeting the condition ÷ schools in scope.",
    ),
    (
        "hard_area_help",
        "Được lưu nhưng chưa áp dụng: cây tổ chức chưa có thuộc tính vùng đồng bào dân tộc thiểu số, miền núi.",
        "Stored but not applied yet: the organisation tree has no ethnic-minority/mountain-area attribute.",
    ),
];
