//! Processing of a child's data that needs the guardian's consent (Law 91/2025; see
//! `shared/domain/data-protection.md`). Each purpose is recorded, dated and can be withdrawn.

use crate::codes::code_enum;

code_enum! {
    /// What the consent is for. Processing required by law (the sector database itself) needs
    /// no consent and is not listed.
    ConsentPurpose {
        PhotoPublication => "photo_publication", "Đăng ảnh, video của học sinh", "Publishing the learner's photos and videos";
        LmsSync => "lms_sync", "Đồng bộ dữ liệu với hệ thống học trực tuyến (LMS)", "Sharing data with the online learning system (LMS)";
        HealthData => "health_data", "Xử lý thông tin sức khoẻ", "Processing health information";
        Notifications => "notifications", "Nhận thông báo qua SMS/ứng dụng", "Notifications by SMS or app";
        Research => "research", "Sử dụng dữ liệu cho nghiên cứu, thống kê ẩn danh", "Anonymised research and statistics";
    }
}
