//! 信用主体: government bodies and institutions, civil servants, enterprises, social organisations.
//!
//! A civil servant's ID number is never kept in clear here: only its keyed hash (for exact
//! matching) and its masked form (for display). See [`IdHasher`].

use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// Kinds of credit subject (信用主体类别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// 机关 (incl. 乡镇/街道, 开发园区管委会)
    GovBody,
    /// 事业单位
    Institution,
    /// 公务员及工作人员
    CivilServant,
    /// 企业 (incl. 个体工商户)
    Enterprise,
    /// 社会组织
    SocialOrg,
    /// 其他自然人
    Individual,
}

impl SubjectKind {
    pub const ALL: [SubjectKind; 6] = [
        SubjectKind::GovBody,
        SubjectKind::Institution,
        SubjectKind::CivilServant,
        SubjectKind::Enterprise,
        SubjectKind::SocialOrg,
        SubjectKind::Individual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::GovBody => "gov_body",
            SubjectKind::Institution => "institution",
            SubjectKind::CivilServant => "civil_servant",
            SubjectKind::Enterprise => "enterprise",
            SubjectKind::SocialOrg => "social_org",
            SubjectKind::Individual => "individual",
        }
    }

    /// Stable snake_case code (same as [`Self::as_str`]).
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubjectKind::GovBody => "机关",
            SubjectKind::Institution => "事业单位",
            SubjectKind::CivilServant => "公务员/工作人员",
            SubjectKind::Enterprise => "企业",
            SubjectKind::SocialOrg => "社会组织",
            SubjectKind::Individual => "自然人",
        }
    }

    /// Natural persons are identified by ID number, organisations by USCC.
    pub fn is_person(self) -> bool {
        matches!(self, SubjectKind::CivilServant | SubjectKind::Individual)
    }

    /// Caption of a subject's identifier for this kind (as printed on credit reports).
    pub fn code_label(self) -> &'static str {
        if self.is_person() {
            "身份证件号码"
        } else {
            "统一社会信用代码"
        }
    }
}

/// A credit subject as stored. `id` is the stable internal id (UUIDv7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub id: Uuid,
    pub kind: SubjectKind,
    pub name: String,
    /// 统一社会信用代码 for organisations.
    pub uscc: Option<String>,
    /// Keyed hash (HMAC-SHA256, hex) of the normalised ID number, for persons.
    pub id_hash: Option<String>,
    /// Masked ID number for display (`3204**********1234`).
    pub id_masked: Option<String>,
    /// GB/T 2260 region code.
    pub region: Option<String>,
    /// Parent body (上级主管部门).
    pub parent_id: Option<Uuid>,
    /// 曾用名, oldest first.
    pub former_names: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version, starting at 1.
    pub version: i64,
}

/// One period of a person's employment: which body, which post, from–to (`to` open = current).
/// Needed to trace responsibility (责任回溯) across personnel changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    pub id: Uuid,
    pub person_id: Uuid,
    pub body_id: Uuid,
    pub post: String,
    /// 主要负责人 of the body in this period (one at a time per body). Left out of the
    /// serialised state when false, so periods stored before the flag keep their digests.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub principal: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl Employment {
    /// Whether the person held this post on `day`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start_date <= day && self.end_date.is_none_or(|end| day <= end)
    }
}

/// Keyed hashing of ID numbers. The key lives outside the database (a key file or the
/// environment), so a copy of the database alone cannot be brute-forced over the small ID
/// number space.
#[derive(Clone)]
pub struct IdHasher {
    key: [u8; 32],
}

impl std::fmt::Debug for IdHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdHasher(<redacted>)")
    }
}

impl IdHasher {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    /// A sub-key for another purpose (e.g. keying content digests that cover ID numbers),
    /// so one secret serves several uses without the uses being linkable.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            mac.update(b"chengxin-derive:");
            mac.update(purpose.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    /// HMAC-SHA256 of the normalised (trimmed, upper-case) ID number, hex encoded.
    pub fn hash(&self, id_number: &str) -> String {
        let normalised = id_number.trim().to_ascii_uppercase();
        // HMAC accepts keys of any length, so this cannot fail for a 32-byte key.
        match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(normalised.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip() {
        for k in SubjectKind::ALL {
            assert_eq!(SubjectKind::parse(k.as_str()), Some(k));
            assert!(!k.label().is_empty());
        }
        assert_eq!(SubjectKind::parse("nope"), None);
    }

    #[test]
    fn hash_is_keyed_and_normalised() {
        let a = IdHasher::new([1; 32]);
        let b = IdHasher::new([2; 32]);
        let id = "11010519491231002x";
        assert_eq!(a.hash(id), a.hash(" 11010519491231002X "));
        assert_ne!(a.hash(id), b.hash(id));
        assert_eq!(a.hash(id).len(), 64);
        assert!(!format!("{a:?}").contains('1'));
    }

    #[test]
    fn employment_covers() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let e = Employment {
            id: Uuid::nil(),
            person_id: Uuid::nil(),
            body_id: Uuid::nil(),
            post: "科长".into(),
            principal: false,
            start_date: d("2020-01-01"),
            end_date: Some(d("2022-12-31")),
            created_at: chrono::DateTime::UNIX_EPOCH,
        };
        assert!(e.covers(d("2021-06-01")));
        assert!(!e.covers(d("2023-01-01")));
        assert!(!e.covers(d("2019-12-31")));
    }
}
