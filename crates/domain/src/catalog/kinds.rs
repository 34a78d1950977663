//! Enumerations of the catalog: record class, severity and disclosure.

use super::*;

/// Kind of credit subject (信用主体类别): one definition, shared with the subjects module.
pub use crate::subjects::SubjectKind;

/// Class of a record type (信息类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordClass {
    /// 基础信息.
    Basic,
    /// 良好信息 (守信激励 basis).
    Positive,
    /// 失信信息.
    Negative,
}

impl RecordClass {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Positive => "positive",
            Self::Negative => "negative",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "基础",
            Self::Positive => "良好",
            Self::Negative => "失信",
        }
    }
}

/// Severity of a negative record (失信程度). Ordered from least to most severe.
///
/// 《信用修复管理办法》(国家发展改革委令第36号) distinguishes 轻微, 一般 and 严重; 较重 is the
/// intermediate grade local rules and the product brief use (一般·较重·严重).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 轻微.
    Minor,
    /// 一般.
    General,
    /// 较重.
    Major,
    /// 严重.
    Severe,
}

impl Severity {
    /// All severities, least severe first.
    pub const ALL: [Severity; 4] = [Self::Minor, Self::General, Self::Major, Self::Severe];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::General => "general",
            Self::Major => "major",
            Self::Severe => "severe",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Minor => "轻微",
            Self::General => "一般",
            Self::Major => "较重",
            Self::Severe => "严重",
        }
    }

    /// Parses a severity cell: the English code or the Chinese label, optionally followed by
    /// 失信 (`严重失信`) or preceded by it (`失信严重`), full-width input accepted.
    pub fn parse(raw: &str) -> Option<Severity> {
        let s = normalize_token(raw);
        let s = s.strip_suffix("失信").unwrap_or(&s);
        let s = s.strip_prefix("失信").unwrap_or(s);
        Self::ALL
            .into_iter()
            .find(|sev| s == sev.code() || s == sev.label())
    }
}

/// Disclosure of a record type (公开方式).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// 社会公开.
    Public,
    /// 政务共享 (among agencies only).
    Shared,
    /// 授权查询 (on the subject's authorisation).
    Authorised,
}

impl Disclosure {
    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Shared => "shared",
            Self::Authorised => "authorised",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "社会公开",
            Self::Shared => "政务共享",
            Self::Authorised => "授权查询",
        }
    }
}
