//! Roles, permissions and reach: who may do what, and over which records. The grants are data
//! (`data/roles.csv`, `data/permissions.csv`), read once; the web layer asks [`Policy::allows`]
//! for every request in one place and narrows every query to the account's reach.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::codes::code_enum;

code_enum! {
    /// What an account is for; with its organisational unit it fixes what the account reaches.
    Role {
        MinistryOfficer => "ministry_officer", "Cán bộ Bộ GD&ĐT", "Ministry officer";
        DepartmentOfficer => "department_officer", "Cán bộ Sở GD&ĐT", "Department officer";
        OfficeOfficer => "office_officer", "Cán bộ Phòng/UBND xã", "Local office officer";
        Principal => "principal", "Hiệu trưởng", "Principal";
        SchoolAdmin => "school_admin", "Quản trị nhà trường", "School administrator";
        Teacher => "teacher", "Giáo viên bộ môn", "Subject teacher";
        HomeroomTeacher => "homeroom_teacher", "Giáo viên chủ nhiệm", "Homeroom teacher";
        Guardian => "guardian", "Cha mẹ / người giám hộ", "Parent or guardian";
        Learner => "learner", "Học sinh", "Learner";
    }
}

code_enum! {
    /// An action on a kind of record. Granted to roles in `data/permissions.csv`.
    Permission {
        OrgRead => "org.read", "Xem đơn vị", "Read organisational units";
        OrgWrite => "org.write", "Sửa đơn vị", "Change organisational units";
        LearnerRead => "learner.read", "Xem hồ sơ học sinh", "Read learner records";
        LearnerWrite => "learner.write", "Sửa hồ sơ học sinh", "Change learner records";
        LearnerSensitive => "learner.sensitive", "Xem thông tin nhạy cảm của học sinh", "Read sensitive learner fields";
        LearnerAccessLog => "learner.access_log", "Xem ai đã truy cập hồ sơ của con", "See who accessed a child's record";
        StaffRead => "staff.read", "Xem hồ sơ cán bộ", "Read staff records";
        StaffWrite => "staff.write", "Sửa hồ sơ cán bộ", "Change staff records";
        ClassRead => "class.read", "Xem lớp học", "Read classes";
        ClassWrite => "class.write", "Sửa lớp học", "Change classes";
        EnrolmentRead => "enrolment.read", "Xem quá trình học tập", "Read enrolments";
        EnrolmentWrite => "enrolment.write", "Sửa quá trình học tập", "Change enrolments";
        ReferenceRead => "reference.read", "Xem danh mục", "Read reference data";
        YearWrite => "year.write", "Khai báo năm học", "Declare school years";
        UserManage => "user.manage", "Quản lý tài khoản", "Manage accounts";
        AuditRead => "audit.read", "Xem nhật ký truy cập", "Read the audit trail";
        ConsentRead => "consent.read", "Xem sự đồng ý", "Read consents";
        ConsentWrite => "consent.write", "Ghi nhận sự đồng ý", "Record consents";
        TokenManage => "token.manage", "Tạo mã truy cập API", "Manage API tokens";
        DataImport => "data.import", "Nhập dữ liệu từ tệp Excel/CSV", "Import data from Excel/CSV files";
        QualityRead => "quality.read", "Xem chất lượng dữ liệu", "Read data quality";
        QualityConfigure => "quality.configure", "Cấu hình quy tắc chất lượng dữ liệu", "Configure data-quality rules";
        DuplicateResolve => "duplicate.resolve", "Xử lý hồ sơ học sinh trùng", "Resolve duplicate learners";
        GradeRead => "grade.read", "Xem sổ điểm và kết quả học tập", "Read gradebooks and results";
        GradeWrite => "grade.write", "Nhập điểm, nhận xét, rèn luyện", "Enter marks, comments and conduct";
        GradeManage => "grade.manage", "Thiết lập sổ điểm, tổng kết năm học", "Set up gradebooks and compute year results";
        GradeLock => "grade.lock", "Khoá, mở khoá sổ điểm và công bố điểm", "Lock, unlock and publish terms";
        GradeHistory => "grade.history", "Xem lịch sử thay đổi điểm", "Read the history of marks";
        GradeOwn => "grade.own", "Xem điểm đã công bố của con/của mình", "Read one's own (child's) published marks";
        TranscriptRead => "transcript.read", "Xem học bạ điện tử", "Read e-transcripts";
        TranscriptSign => "transcript.sign", "Ký số học bạ", "Sign e-transcripts";
        StatsRead => "stats.read", "Xem báo cáo thống kê", "Read statistical reports";
        StatsSubmit => "stats.submit", "Chốt và nộp báo cáo thống kê", "Freeze and submit statistical reports";
        DxRead => "dx.read", "Xem chỉ số chuyển đổi số (QĐ 4725)", "Read the digital-maturity index";
        DxAssess => "dx.assess", "Tự đánh giá mức độ chuyển đổi số của trường", "Self-assess the school's digital maturity";
        DxReview => "dx.review", "Duyệt bản tự đánh giá chuyển đổi số", "Review digital-maturity self-assessments";
        TargetRead => "target.read", "Xem chỉ tiêu kế hoạch và bản đồ trường", "Read plan targets and the school map";
        TargetManage => "target.manage", "Sửa chỉ tiêu kế hoạch", "Edit plan targets";
        AdmissionManage => "admission.manage", "Tổ chức tuyển sinh: đợt tuyển sinh, nhập điểm, xét tuyển, công bố", "Run admission campaigns: set up, import scores, assign, publish";
        AdmissionReview => "admission.review", "Xác minh hồ sơ tuyển sinh", "Verify admission applications";
    }
}

code_enum! {
    /// How far an account's role reaches from its organisational unit.
    Reach {
        Subtree => "subtree", "Đơn vị và các đơn vị trực thuộc", "The unit and everything below it";
        Classes => "classes", "Các lớp được phân công", "The classes the teacher teaches or leads";
        Learners => "learners", "Các học sinh được liên kết", "The learners linked to the account";
    }
}

code_enum! {
    /// Whether signing in with this role needs a second factor (TOTP).
    TwoFactor {
        Required => "required", "Bắt buộc", "Required";
        Optional => "optional", "Tuỳ chọn", "Optional";
    }
}

/// What a role reaches and whether it needs two-factor sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleRule {
    pub reach: Reach,
    pub two_factor: TwoFactor,
}

/// The grants of every role. Deny by default: a permission not granted is refused.
#[derive(Debug, Clone)]
pub struct Policy {
    roles: HashMap<Role, RoleRule>,
    grants: HashSet<(Role, Permission)>,
}

/// An error in the policy data files (reported with the file and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} dòng {line}: {message}")]
pub struct PolicyError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

impl Policy {
    /// The built-in policy from the data files shipped with truongso.
    pub fn builtin() -> &'static Policy {
        static POLICY: LazyLock<Policy> = LazyLock::new(|| {
            Policy::parse(
                include_str!("../data/roles.csv"),
                include_str!("../data/permissions.csv"),
            )
            .expect("the shipped policy files are valid (tested)")
        });
        &POLICY
    }

    /// Parses the two policy files; every role must have a rule.
    pub fn parse(roles_csv: &str, permissions_csv: &str) -> Result<Policy, PolicyError> {
        let mut roles = HashMap::new();
        for (line, fields) in rows(roles_csv) {
            let err = |message: String| PolicyError {
                file: "roles.csv",
                line,
                message,
            };
            let [role, reach, two_factor] = fields[..] else {
                return Err(err("cần 3 cột: role,reach,two_factor".into()));
            };
            let role: Role = role.parse().map_err(|e| err(format!("{e}")))?;
            let rule = RoleRule {
                reach: reach.parse().map_err(|e| err(format!("{e}")))?,
                two_factor: two_factor.parse().map_err(|e| err(format!("{e}")))?,
            };
            roles.insert(role, rule);
        }
        if let Some(missing) = Role::ALL.iter().find(|r| !roles.contains_key(r)) {
            return Err(PolicyError {
                file: "roles.csv",
                line: 0,
                message: format!("thiếu vai trò {missing}"),
            });
        }
        let mut grants = HashSet::new();
        for (line, fields) in rows(permissions_csv) {
            let err = |message: String| PolicyError {
                file: "permissions.csv",
                line,
                message,
            };
            let [role, permission] = fields[..] else {
                return Err(err("cần 2 cột: role,permission".into()));
            };
            let role: Role = role.parse().map_err(|e| err(format!("{e}")))?;
            let permission: Permission = permission.parse().map_err(|e| err(format!("{e}")))?;
            grants.insert((role, permission));
        }
        Ok(Policy { roles, grants })
    }

    pub fn allows(&self, role: Role, permission: Permission) -> bool {
        self.grants.contains(&(role, permission))
    }

    pub fn rule(&self, role: Role) -> RoleRule {
        self.roles[&role]
    }

    /// The permissions of a role, in declaration order (for the account page and the README).
    pub fn permissions_of(&self, role: Role) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.allows(role, *p))
            .collect()
    }
}

impl Role {
    /// Seniority among accounts that manage accounts. A password reset needs a strictly higher
    /// rank than the account reset: a principal resets a school administrator's password, a
    /// school administrator never the principal's, and no one a peer's.
    pub fn rank(self) -> u8 {
        match self {
            Role::MinistryOfficer => 7,
            Role::DepartmentOfficer => 6,
            Role::OfficeOfficer => 5,
            Role::Principal => 4,
            Role::SchoolAdmin => 3,
            Role::HomeroomTeacher => 2,
            Role::Teacher | Role::Guardian | Role::Learner => 1,
        }
    }

    /// The kind of unit an account of this role belongs to.
    pub fn unit_kind(self) -> crate::org::OrgKind {
        use crate::org::OrgKind;
        match self {
            Role::MinistryOfficer => OrgKind::Ministry,
            Role::DepartmentOfficer => OrgKind::Department,
            Role::OfficeOfficer => OrgKind::LocalOffice,
            _ => OrgKind::School,
        }
    }

    /// Whether an account of this role must be linked to a staff record (teachers).
    pub fn needs_staff(self) -> bool {
        matches!(self, Role::Teacher | Role::HomeroomTeacher)
    }

    /// Whether an account of this role must be linked to learners (guardians, learners).
    pub fn needs_learners(self) -> bool {
        matches!(self, Role::Guardian | Role::Learner)
    }
}

impl Reach {
    /// Whether an account reaching `self` reaches at least what one reaching `other` does
    /// (a subtree holds the classes of its schools, which hold their learners).
    pub fn covers(self, other: Reach) -> bool {
        fn breadth(r: Reach) -> u8 {
            match r {
                Reach::Subtree => 3,
                Reach::Classes => 2,
                Reach::Learners => 1,
            }
        }
        breadth(self) >= breadth(other)
    }
}

impl Permission {
    /// The broader permissions that already give this one over the same records: reading a
    /// school's gradebooks includes a child's published marks, reading the audit trail includes
    /// who opened a child's record.
    pub fn implied_by(self) -> &'static [Permission] {
        match self {
            Permission::GradeOwn => &[Permission::GradeRead],
            Permission::LearnerAccessLog => &[Permission::AuditRead],
            _ => &[],
        }
    }
}

impl Policy {
    /// Whether `holder` holds, directly or through a broader permission, every permission of
    /// `role`, over at least the reach of `role`: an account of `role` could do nothing that an
    /// account of `holder` cannot.
    pub fn covers(&self, holder: Role, role: Role) -> bool {
        self.rule(holder).reach.covers(self.rule(role).reach)
            && self.permissions_of(role).into_iter().all(|p| {
                self.allows(holder, p) || p.implied_by().iter().any(|q| self.allows(holder, *q))
            })
    }
}

/// Whether an administrator with role `granter` may create an account with role `role`, or
/// link one to staff or learners: only accounts whose permissions are a subset of the
/// granter's own, so that no one can give themselves (through a second account) more than
/// they have. The unit must also lie in the granter's scope and fit the role: checked by the
/// caller.
pub fn may_grant(policy: &Policy, granter: Role, role: Role) -> bool {
    policy.allows(granter, Permission::UserManage) && policy.covers(granter, role)
}

/// Whether `actor` may reset the password of (and so act as) an account with role `target`:
/// as [`may_grant`], and of strictly higher rank. Owners change their own password themselves.
pub fn may_reset(policy: &Policy, actor: Role, target: Role) -> bool {
    may_grant(policy, actor, target) && actor.rank() > target.rank()
}

/// Data lines of a small CSV file (comments and the header skipped), with 1-based line numbers.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|(i, l)| (i, l.split(',').map(str::trim).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_policy_parses_and_covers_every_role() {
        let p = Policy::builtin();
        for role in Role::ALL {
            assert!(p.allows(*role, Permission::ReferenceRead), "{role}");
        }
    }

    #[test]
    fn least_privilege_holds_in_the_shipped_grants() {
        let p = Policy::builtin();
        // Officers see statistics-level data, not sensitive fields of individual children.
        for officer in [
            Role::MinistryOfficer,
            Role::DepartmentOfficer,
            Role::OfficeOfficer,
        ] {
            assert!(!p.allows(officer, Permission::LearnerSensitive));
            assert!(!p.allows(officer, Permission::LearnerWrite));
        }
        assert!(!p.allows(Role::Teacher, Permission::StaffRead));
        // Quality views list records of whole units: not for teachers, guardians, learners.
        for role in [
            Role::Teacher,
            Role::HomeroomTeacher,
            Role::Guardian,
            Role::Learner,
        ] {
            assert!(!p.allows(role, Permission::QualityRead), "{role}");
        }
        assert!(p.allows(Role::Principal, Permission::DuplicateResolve));
        assert!(!p.allows(Role::OfficeOfficer, Permission::QualityConfigure));
        assert!(!p.allows(Role::Teacher, Permission::LearnerSensitive));
        assert!(!p.allows(Role::Guardian, Permission::OrgRead));
        assert!(!p.allows(Role::Learner, Permission::LearnerWrite));
        assert_eq!(
            p.rule(Role::DepartmentOfficer).two_factor,
            TwoFactor::Required
        );
        assert_eq!(p.rule(Role::Guardian).reach, Reach::Learners);
    }

    #[test]
    fn administrators_grant_only_accounts_within_their_own_permissions() {
        let p = Policy::builtin();
        assert!(may_grant(p, Role::Principal, Role::Teacher));
        assert!(may_grant(p, Role::Principal, Role::HomeroomTeacher));
        assert!(may_grant(p, Role::Principal, Role::SchoolAdmin));
        assert!(may_grant(p, Role::Principal, Role::Guardian));
        assert!(!may_grant(p, Role::Principal, Role::OfficeOfficer));
        // The probe's finding: a school administrator made a principal (transcript.sign,
        // grade.lock, grade.history), or a homeroom teacher (transcript.sign).
        assert!(!may_grant(p, Role::SchoolAdmin, Role::Principal));
        assert!(!may_grant(p, Role::SchoolAdmin, Role::HomeroomTeacher));
        assert!(may_grant(p, Role::SchoolAdmin, Role::Teacher));
        assert!(may_grant(p, Role::SchoolAdmin, Role::Guardian));
        assert!(may_grant(p, Role::SchoolAdmin, Role::Learner));
        assert!(may_grant(p, Role::SchoolAdmin, Role::SchoolAdmin));
        assert!(!may_grant(p, Role::SchoolAdmin, Role::DepartmentOfficer));
        assert!(may_grant(p, Role::DepartmentOfficer, Role::OfficeOfficer));
        // Officers read schools' records but do not write them: they cannot make school staff.
        assert!(!may_grant(p, Role::DepartmentOfficer, Role::Principal));
        assert!(!may_grant(p, Role::DepartmentOfficer, Role::Teacher));
        assert!(!may_grant(
            p,
            Role::DepartmentOfficer,
            Role::MinistryOfficer
        ));
        // Roles without account management grant nothing, not even their own.
        assert!(!may_grant(p, Role::HomeroomTeacher, Role::Teacher));
        assert!(!may_grant(p, Role::Guardian, Role::Guardian));
    }

    #[test]
    fn resets_need_a_strictly_higher_rank() {
        let p = Policy::builtin();
        assert!(may_reset(p, Role::Principal, Role::SchoolAdmin));
        assert!(may_reset(p, Role::Principal, Role::HomeroomTeacher));
        assert!(may_reset(p, Role::SchoolAdmin, Role::Teacher));
        assert!(may_reset(p, Role::SchoolAdmin, Role::Guardian));
        assert!(!may_reset(p, Role::SchoolAdmin, Role::Principal));
        assert!(!may_reset(p, Role::SchoolAdmin, Role::SchoolAdmin));
        assert!(!may_reset(p, Role::Principal, Role::Principal));
        assert!(!may_reset(p, Role::SchoolAdmin, Role::HomeroomTeacher));
        assert!(may_reset(p, Role::DepartmentOfficer, Role::OfficeOfficer));
        assert!(!may_reset(p, Role::OfficeOfficer, Role::OfficeOfficer));
    }

    /// What an account can do, spelled out: its permissions with what they imply.
    fn effective(p: &Policy, role: Role) -> HashSet<Permission> {
        let mut set: HashSet<Permission> = p.permissions_of(role).into_iter().collect();
        for q in Permission::ALL {
            if q.implied_by().iter().any(|b| set.contains(b)) {
                set.insert(*q);
            }
        }
        set
    }

    #[test]
    fn no_pair_of_roles_lets_a_granter_exceed_its_own_permissions() {
        let p = Policy::builtin();
        for granter in Role::ALL {
            for role in Role::ALL {
                let granted = may_grant(p, *granter, *role);
                let subset = effective(p, *role).is_subset(&effective(p, *granter))
                    && p.rule(*granter).reach.covers(p.rule(*role).reach);
                assert_eq!(
                    granted,
                    subset && p.allows(*granter, Permission::UserManage),
                    "{granter} → {role}"
                );
                if may_reset(p, *granter, *role) {
                    assert!(
                        granted && granter.rank() > role.rank(),
                        "{granter} → {role}"
                    );
                    assert_ne!(granter, role, "{granter} resets a peer");
                }
            }
        }
    }

    #[test]
    fn chains_of_accounts_never_climb() {
        // An account created by an administrator may itself create accounts: whatever chain
        // of creations follows, every account stays within the first administrator's rights.
        let p = Policy::builtin();
        for start in Role::ALL {
            let mut reached: HashSet<Role> = [*start].into();
            loop {
                let next: HashSet<Role> = reached
                    .iter()
                    .flat_map(|g| Role::ALL.iter().filter(|r| may_grant(p, *g, **r)))
                    .copied()
                    .collect();
                if next.is_subset(&reached) {
                    break;
                }
                reached.extend(next);
            }
            for role in &reached {
                assert!(
                    effective(p, *role).is_subset(&effective(p, *start)),
                    "{start} reaches {role} by a chain"
                );
            }
        }
    }

    #[test]
    fn bad_policy_files_name_the_line() {
        let e = Policy::parse(
            "role,reach,two_factor\nprincipal,galaxy,optional\n",
            "role,permission\n",
        )
        .unwrap_err();
        assert_eq!((e.file, e.line), ("roles.csv", 2));
        let roles = include_str!("../data/roles.csv");
        let e = Policy::parse(roles, "role,permission\nteacher,fly\n").unwrap_err();
        assert_eq!((e.file, e.line), ("permissions.csv", 2));
    }
}
