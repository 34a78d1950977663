//! 报送范围 — which catalog types a department submits (its 信用信息目录/责任清单).
//!
//! A credit office assigns each data-submitting department the information it is responsible
//! for (a market regulator submits 行政许可 and 行政处罚, a court 司法判决 and 失信被执行人, an
//! 人社 bureau 表彰奖励 and 公务员年度考核结果 …). The delegation file's `[[scopes]]` says so per
//! department; a department without an entry submits every type (as before scopes existed).
//! The rule is [`Delegations::may_submit_type`]: the console offers a department only its
//! types (templates included), and the intake refuses a file of any other type whole
//! ([`TypeNotInScope`], `type_not_in_scope`).

use serde::{Deserialize, Serialize};

use super::rule::Party;
use crate::catalog::{Catalog, RecordType};

/// One department's 报送范围, as written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// 统一社会信用代码 of the department.
    pub submitter: String,
    /// Its name.
    pub name: String,
    /// Catalog type codes it submits (at least one).
    pub types: Vec<String>,
    /// Why (the 责任清单 or document assigning them), informative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
}

/// A file of a type outside the submitting department's 报送范围.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "“{type_name}”不在{submitter}的报送范围内，不能报送此类信息（也不提供其模板）；如确需报送，请联系信用办调整报送范围"
)]
pub struct TypeNotInScope {
    /// The type's Chinese name.
    pub type_name: String,
    /// The department.
    pub submitter: Party,
}

impl TypeNotInScope {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        "type_not_in_scope"
    }
}

/// Whether `scope` (a department's listed types, `None`: not listed) covers `type_code`.
pub fn scope_covers(scope: Option<&[String]>, type_code: &str) -> bool {
    scope.is_none_or(|types| types.iter().any(|t| t == type_code))
}

/// The catalog types `scope` covers, in catalog order.
pub fn types_in_scope<'a>(catalog: &'a Catalog, scope: Option<&[String]>) -> Vec<&'a RecordType> {
    catalog
        .types()
        .iter()
        .filter(|t| scope_covers(scope, &t.code))
        .collect()
}
