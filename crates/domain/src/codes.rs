//! Closed code lists stored as short text codes (portable across databases, readable in exports),
//! each with a Vietnamese and an English label.

/// Defines an enum whose variants map to stable text codes and bilingual labels.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $vi:literal, $en:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $( #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            pub fn label_vi(self) -> &'static str {
                match self { $($name::$variant => $vi,)+ }
            }

            pub fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl crate::codes::CodeList for $name {
            fn all() -> &'static [Self] { Self::ALL }
            fn code(self) -> &'static str { $name::code(self) }
            fn label_vi(self) -> &'static str { $name::label_vi(self) }
            fn label_en(self) -> &'static str { $name::label_en(self) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = crate::codes::UnknownCode;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::codes::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::from_code(s).ok_or_else(|| crate::codes::UnknownCode {
                    list: stringify!($name),
                    code: s.to_string(),
                })
            }
        }
    };
}
pub(crate) use code_enum;

/// What every closed code list offers, so that imports can read any of them generically.
pub trait CodeList: Sized + Copy + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
    fn label_vi(self) -> &'static str;
    fn label_en(self) -> &'static str;
}

/// A text that is not a code of the named list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mã '{code}' không có trong danh mục {list}")]
pub struct UnknownCode {
    pub list: &'static str,
    pub code: String,
}

code_enum! {
    /// Gender as recorded on the birth certificate and encoded in digit 4 of the national ID.
    Gender {
        Male => "M", "Nam", "Male";
        Female => "F", "Nữ", "Female";
    }
}
