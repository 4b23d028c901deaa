//! Staff (cán bộ, giáo viên, nhân viên) of schools and offices.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::codes::{Gender, code_enum};
use crate::learners::check_person_id;
use crate::reference;
use crate::validation::{Checker, Invalid};

code_enum! {
    /// Position (chức vụ / vị trí việc làm).
    StaffPosition {
        Principal => "principal", "Hiệu trưởng", "Principal";
        VicePrincipal => "vice_principal", "Phó hiệu trưởng", "Vice principal";
        Teacher => "teacher", "Giáo viên", "Teacher";
        Staff => "staff", "Nhân viên", "Support staff";
        Officer => "officer", "Chuyên viên", "Officer";
    }
}

code_enum! {
    /// Highest professional qualification (trình độ đào tạo).
    Qualification {
        Intermediate => "intermediate", "Trung cấp", "Intermediate";
        College => "college", "Cao đẳng", "College";
        Bachelor => "bachelor", "Đại học", "Bachelor";
        Master => "master", "Thạc sĩ", "Master";
        Doctor => "doctor", "Tiến sĩ", "Doctorate";
    }
}

code_enum! {
    /// Employment type (hình thức hợp đồng).
    EmploymentType {
        CivilServant => "civil_servant", "Viên chức", "Civil servant";
        Contract => "contract", "Hợp đồng lao động", "Labour contract";
        Visiting => "visiting", "Thỉnh giảng", "Visiting";
    }
}

/// Everything needed to create or replace a staff member's profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StaffInput {
    #[schema(pattern = "^[0-9]{12}$")]
    pub national_id: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    #[schema(pattern = "^[0-5][0-9]$")]
    pub ethnicity_code: String,
    pub position: StaffPosition,
    pub qualification: Qualification,
    pub employment_type: EmploymentType,
    /// Subject codes taught (GDPT 2018 list), empty for non-teaching staff.
    #[serde(default)]
    pub subjects: Vec<String>,
    #[schema(pattern = "^0[0-9 .-]{9,13}$")]
    pub phone: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

impl StaffInput {
    pub fn validate(&self, today: NaiveDate) -> Result<(), Invalid> {
        let mut c = Checker::new();
        c.person_name("full_name", &self.full_name, crate::learners::MAX_NAME);
        let age_years = today.years_since(self.birth_date);
        match age_years {
            None => c.push("birth_date", "Ngày sinh không được ở tương lai."),
            Some(a) if !(18..=75).contains(&a) => {
                c.push("birth_date", "Tuổi của cán bộ phải từ 18 đến 75.")
            }
            _ => {}
        }
        if let Some(id) = &self.national_id {
            check_person_id(
                &mut c,
                "national_id",
                id,
                Some(self.birth_date),
                Some(self.gender),
            );
        }
        if reference::ethnicity(&self.ethnicity_code).is_none() {
            c.push(
                "ethnicity_code",
                format!(
                    "Mã dân tộc '{}' không có trong danh mục 54 dân tộc.",
                    self.ethnicity_code
                ),
            );
        }
        for (i, s) in self.subjects.iter().enumerate() {
            if crate::subjects::subject(s).is_none() {
                c.push(
                    &format!("subjects[{i}]"),
                    format!("Môn học '{s}' không có trong chương trình GDPT 2018."),
                );
            }
        }
        if let Some(p) = &self.phone
            && !crate::learners::is_phone(p)
        {
            c.push("phone", crate::learners::INVALID_PHONE);
        }
        if let Some(e) = &self.email
            && !crate::learners::is_email(e)
        {
            c.push("email", "Địa chỉ email không hợp lệ.");
        }
        c.finish()
    }
}
