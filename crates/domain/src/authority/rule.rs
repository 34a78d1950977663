//! The rule: may this department submit this decision in this authority's name?

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;

use super::delegations::{region_within, uscc_region, Delegation, Delegations};
use crate::regions::RegionTable;

/// What a decision is, for the rule: a record of a catalog type, or a list recognition (认定).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision<'a> {
    /// A record of this catalog type, decided on this day.
    Record {
        /// Catalog type code.
        type_code: &'a str,
        /// Decision date.
        decided: NaiveDate,
    },
    /// A list entry recognised on this day: only delegations not restricted to types cover it.
    Recognition {
        /// Day of the recognition.
        on: NaiveDate,
    },
}

impl Decision<'_> {
    fn date(&self) -> NaiveDate {
        match *self {
            Decision::Record { decided, .. } => decided,
            Decision::Recognition { on } => on,
        }
    }
}

/// Why the submitter may act in the authority's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing<'a> {
    /// The authority is the submitter itself.
    Itself,
    /// The submitter is authorised for it by this delegation.
    Delegated(&'a Delegation),
}

/// Whether `delegation` covers a decision of `authority` (a normalised code).
fn covers(d: &Delegation, authority: &str, decision: &Decision<'_>, table: &RegionTable) -> bool {
    let date = decision.date();
    if d.from.is_some_and(|f| date < f) || d.until.is_some_and(|u| date > u) {
        return false;
    }
    let type_ok = match decision {
        Decision::Record { type_code, .. } => {
            d.types.is_empty() || d.types.iter().any(|t| t == type_code)
        }
        Decision::Recognition { .. } => d.types.is_empty(),
    };
    if !type_ok {
        return false;
    }
    d.bodies.iter().any(|b| b.uscc == authority)
        || uscc_region(authority)
            .is_some_and(|r| d.regions.iter().any(|dr| region_within(table, r, dr)))
}

/// The submitter's standing to submit `decision` in `authority`'s name (codes compared
/// trimmed and upper-cased), or `None`: the submitter may not.
pub fn standing<'a>(
    delegations: &'a Delegations,
    submitter: &str,
    authority: &str,
    decision: Decision<'_>,
) -> Option<Standing<'a>> {
    // Runs on every imported row: no allocation unless a code is not upper case already.
    let (submitter, authority) = (normalised(submitter), normalised(authority));
    if submitter == authority {
        return Some(Standing::Itself);
    }
    let table = RegionTable::national();
    delegations
        .of_submitter(&submitter)
        .find(|d| covers(d, &authority, &decision, table))
        .map(Standing::Delegated)
}

/// A code trimmed and upper-cased, borrowed when it already is.
pub(super) fn normalised(code: &str) -> Cow<'_, str> {
    let t = code.trim();
    if t.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(t.to_ascii_uppercase())
    } else {
        Cow::Borrowed(t)
    }
}

/// A body as a message names it: its name when known, and its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Its name, when known.
    pub name: Option<String>,
    /// Its 统一社会信用代码.
    pub code: String,
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) => write!(f, "“{n}”（{}）", self.code),
            None => write!(f, "统一社会信用代码为 {} 的机关", self.code),
        }
    }
}

/// A decision submitted in the name of an authority the submitter may not act for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{role}{authority}不是报送单位{submitter}本身，也不是其获授权代为报送的机关：请由该机关自行报送，或由信用办在授权代报配置中登记授权"
)]
pub struct NotAuthorised {
    /// What the authority is to the decision (处罚机关, 许可机关, 认定部门 …).
    pub role: String,
    /// The deciding authority.
    pub authority: Party,
    /// The submitting department.
    pub submitter: Party,
}

impl NotAuthorised {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        "authority_not_authorised"
    }
}
