//! Jurisdiction (管辖范围): which regions and bodies an account reaches.
//!
//! Every account belongs to a region (GB/T 2260 code) and usually a body, and sees its own
//! jurisdiction and below unless its role says otherwise (PRODUCT.md §1). Containment is
//! decided by the structure of the code alone, without the region table:
//!
//! | scope | contains |
//! |---|---|
//! | `000000` (national) | everything |
//! | `320000` province | every code starting `32` |
//! | `320400` prefecture | every code starting `3204` |
//! | `320402` county | itself and its 9-digit townships `320402xxx` |
//! | `320402001` township | itself |
//!
//! This agrees with the parent links of the shipped table
//! ([`chengxin_domain::regions::RegionTable::is_within`], checked by a test over the whole
//! table) because that table only accepts parents that fit the code structure. Two cases
//! that look odd are handled by it:
//! - 直辖市: `110000` (北京市) contains `110100` (市辖区, a summary code) which contains
//!   `110101` (东城区). Give a municipality's city-level accounts `110000`: `110100` and
//!   `110200` (县) are placeholders that cover only the codes under them.
//! - 省直辖县级行政区划: `429004` (仙桃市) lies in `420000` (湖北省) and in the summary code
//!   `429000`, and in no prefecture (`420100` does not contain it).
//!
//! Being pure, containment also works for abolished codes (an ID number or USCC issued
//! under `320482` still falls in `320400`). Use [`Region::parse_known`] where a code must
//! exist in the table (e.g. when an administrator assigns a scope).

use std::fmt;

use chengxin_domain::regions::RegionTable;
use serde::{Deserialize, Serialize};

use crate::error::AccessError;
use crate::roles::{Permission, Role};

/// A region code used as a scope: `000000` (national), 6 digits (province, prefecture,
/// county) or 9 digits (a deployment's township/street).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region(String);

/// The level of a [`Region`] implied by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeLevel {
    /// `000000`: the whole country (a national or test deployment).
    National,
    /// `xx0000`.
    Province,
    /// `xxxx00` (including summary codes such as `110100` and `429000`).
    Prefecture,
    /// Any other 6-digit code.
    County,
    /// A 9-digit township/street code.
    Township,
}

/// The code of the national scope.
pub const NATIONAL: &str = "000000";

impl Region {
    /// Parse a code by its structure: `000000`, or 6 or 9 ASCII digits whose first two are
    /// not `00`. Surrounding whitespace is ignored.
    pub fn parse(code: &str) -> Result<Self, AccessError> {
        let code = code.trim();
        let digits = code.bytes().all(|b| b.is_ascii_digit());
        let ok = digits
            && (code == NATIONAL
                || ((code.len() == 6 || code.len() == 9) && !code.starts_with("00")));
        if ok {
            Ok(Region(code.to_owned()))
        } else {
            Err(AccessError::InvalidRegion {
                code: code.chars().take(16).collect(),
            })
        }
    }

    /// Parse a code and require it to be in `table` (current or historical); `000000` is
    /// always accepted.
    pub fn parse_known(code: &str, table: &RegionTable) -> Result<Self, AccessError> {
        let region = Self::parse(code)?;
        if region.is_national() || table.get(region.as_str()).is_some() {
            Ok(region)
        } else {
            Err(AccessError::UnknownRegion {
                code: region.0.clone(),
            })
        }
    }

    /// The national scope `000000`.
    pub fn national() -> Self {
        Region(NATIONAL.to_owned())
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the national scope.
    pub fn is_national(&self) -> bool {
        self.0 == NATIONAL
    }

    /// The level implied by the code.
    pub fn level(&self) -> ScopeLevel {
        let c = self.0.as_str();
        if c == NATIONAL {
            ScopeLevel::National
        } else if c.len() == 9 {
            ScopeLevel::Township
        } else if c.ends_with("0000") {
            ScopeLevel::Province
        } else if c.ends_with("00") {
            ScopeLevel::Prefecture
        } else {
            ScopeLevel::County
        }
    }

    /// Whether `other` lies within this region (a region contains itself).
    pub fn contains(&self, other: &Region) -> bool {
        let prefix_len = match self.level() {
            ScopeLevel::National => return true,
            ScopeLevel::Province => 2,
            ScopeLevel::Prefecture => 4,
            ScopeLevel::County => 6,
            ScopeLevel::Township => 9,
        };
        if other.is_national() {
            return false;
        }
        match (self.0.get(..prefix_len), other.0.get(..prefix_len)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Region {
    type Error = AccessError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Region::parse(&s)
    }
}

impl From<Region> for String {
    fn from(r: Region) -> String {
        r.0
    }
}

impl std::str::FromStr for Region {
    type Err = AccessError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

/// Whose non-public data a role reaches (see [`Role::reach`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    /// Public data only: nothing non-public is visible.
    PublicOnly,
    /// Only items of the account's own body (a subject's own archive, a department's own
    /// submissions and cases), and only within its region.
    OwnBody,
    /// Everything in the account's region and below.
    Jurisdiction,
}

/// Where an account stands: its region and its body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Scope {
    /// The account's region; it sees this region and below.
    pub region: Region,
    /// The account's body: a department's or subject's identifier (its USCC or internal id,
    /// never a bare name, which repeats across regions: every city has a 市场监管局).
    pub body: Option<String>,
}

impl Scope {
    /// A scope with a body.
    pub fn new(region: Region, body: impl Into<String>) -> Self {
        Scope {
            region,
            body: Some(body.into()),
        }
    }

    /// A scope without a body (a credit office, supervisor, auditor or administrator).
    pub fn region_only(region: Region) -> Self {
        Scope { region, body: None }
    }
}

/// An item an account wants to see or act on: the region it is filed under and the body it
/// belongs to, in the sense the permission is about (the submitting department of a record,
/// the department a case is distributed to, the subject of an archive, the region of a
/// managed account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target<'a> {
    pub region: &'a Region,
    pub body: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A target in `region` without a body.
    pub fn region(region: &'a Region) -> Self {
        Target { region, body: None }
    }

    /// A target in `region` belonging to `body`.
    pub fn of_body(region: &'a Region, body: &'a str) -> Self {
        Target {
            region,
            body: Some(body),
        }
    }
}

/// Whether a scope with the given reach covers a non-public target.
///
/// [`Reach::OwnBody`] needs both the body and the region to match: the region check keeps a
/// misconfigured body identifier (a name shared by departments of different cities) from
/// opening another city's data. An account without a body reaches nothing under `OwnBody`
/// (fail closed).
pub fn reaches(reach: Reach, scope: &Scope, target: &Target<'_>) -> bool {
    match reach {
        Reach::PublicOnly => false,
        Reach::Jurisdiction => scope.region.contains(target.region),
        Reach::OwnBody => match (scope.body.as_deref(), target.body) {
            (Some(mine), Some(theirs)) => {
                !mine.trim().is_empty() && mine == theirs && scope.region.contains(target.region)
            }
            _ => false,
        },
    }
}

/// Whether an account holding `role` in `scope` may see a non-public item at `target`.
/// Public data is visible to everyone holding [`Permission::RecordsReadPublic`] and needs
/// no such check.
pub fn may_see(role: Role, scope: &Scope, target: &Target<'_>) -> bool {
    reaches(role.reach(), scope, target)
}

/// Whether `permission` applies to public data only, so that the account's scope does not
/// limit it (reading the portal, verifying a report, filing a complaint or objection).
pub fn is_unscoped(permission: Permission) -> bool {
    matches!(
        permission,
        Permission::RecordsReadPublic
            | Permission::ReportsVerify
            | Permission::ComplaintsFile
            | Permission::ObjectionsFile
    )
}

/// The one check a handler makes: may an account holding `roles` in `scope` use
/// `permission` on `target`? Some role must hold the permission *and* reach the target.
///
/// Errors: [`AccessError::PermissionDenied`] when no role holds the permission,
/// [`AccessError::OutOfJurisdiction`] when roles hold it but none reaches the target.
pub fn authorize(
    roles: &[Role],
    scope: &Scope,
    permission: Permission,
    target: &Target<'_>,
) -> Result<(), AccessError> {
    let holders: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| r.has(permission))
        .collect();
    if holders.is_empty() {
        return Err(AccessError::PermissionDenied { permission });
    }
    if is_unscoped(permission) || holders.iter().any(|r| may_see(*r, scope, target)) {
        Ok(())
    } else {
        Err(AccessError::OutOfJurisdiction {
            region: target.region.as_str().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chengxin_domain::regions::RegionLevel;

    fn r(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    #[test]
    fn parse_codes() {
        assert!(Region::parse("320000").is_ok());
        assert!(Region::parse(" 320402 ").is_ok());
        assert!(Region::parse("320402001").is_ok());
        assert!(Region::parse("000000").unwrap().is_national());
        for bad in [
            "",
            "32000",
            "3200000",
            "32040200",
            "32a000",
            "001100",
            "３２００００",
            "000000000",
        ] {
            let e = Region::parse(bad).unwrap_err();
            assert_eq!(e.code(), "invalid_region", "{bad}");
        }
        assert_eq!(r("320000").level(), ScopeLevel::Province);
        assert_eq!(r("320400").level(), ScopeLevel::Prefecture);
        assert_eq!(r("320402").level(), ScopeLevel::County);
        assert_eq!(r("320402001").level(), ScopeLevel::Township);
        assert_eq!(Region::national().level(), ScopeLevel::National);
        let json = serde_json::to_string(&r("320402")).unwrap();
        assert_eq!(json, "\"320402\"");
        assert!(serde_json::from_str::<Region>("\"32x\"").is_err());
        assert_eq!("110101".parse::<Region>().unwrap(), r("110101"));
    }

    #[test]
    fn parse_known_uses_the_table() {
        let t = RegionTable::national();
        assert!(Region::parse_known("320402", t).is_ok());
        assert!(
            Region::parse_known("320482", t).is_ok(),
            "historical codes are known"
        );
        assert!(Region::parse_known("000000", t).is_ok());
        let e = Region::parse_known("999999", t).unwrap_err();
        assert_eq!(e.code(), "unknown_region");
    }

    #[test]
    fn hierarchy() {
        assert!(r("320000").contains(&r("320100")));
        assert!(r("320100").contains(&r("320102")));
        assert!(r("320000").contains(&r("320102")));
        assert!(r("320102").contains(&r("320102")));
        assert!(!r("320102").contains(&r("320100")));
        assert!(!r("320100").contains(&r("320000")));
        assert!(!r("320100").contains(&r("320200")));
        assert!(!r("320000").contains(&r("330000")));
        assert!(r("320402").contains(&r("320402001")));
        assert!(r("320400").contains(&r("320402001")));
        assert!(!r("320402001").contains(&r("320402")));
        assert!(!r("320402001").contains(&r("320402002")));
        let n = Region::national();
        assert!(n.contains(&r("650000")) && n.contains(&r("320402001")) && n.contains(&n));
        assert!(!r("320000").contains(&n));
    }

    #[test]
    fn municipalities_and_directly_administered_counties() {
        assert!(r("110000").contains(&r("110100")));
        assert!(r("110100").contains(&r("110101")));
        assert!(r("110000").contains(&r("110101")));
        assert!(
            r("110000").contains(&r("110228")),
            "old 密云县 under 110200"
        );
        assert!(!r("110100").contains(&r("110228")));
        assert!(r("500000").contains(&r("500235")));
        assert!(r("420000").contains(&r("429004")));
        assert!(r("429000").contains(&r("429004")));
        assert!(!r("420100").contains(&r("429004")));
        assert!(!r("429004").contains(&r("429005")));
        assert!(r("460000").contains(&r("469001")));
    }

    /// Structure and the shipped table's parent links agree for every code and each of its
    /// ancestors, and no code lies in a prefecture the table does not put it in.
    #[test]
    fn agrees_with_the_region_table() {
        let t = RegionTable::national();
        assert!(t.len() > 7000);
        let prefectures: Vec<&str> = t
            .iter()
            .filter(|x| x.level == RegionLevel::Prefecture)
            .map(|x| x.code.as_str())
            .collect();
        for region in t.iter() {
            let code = r(&region.code);
            for ancestor in t.chain(&region.code) {
                assert!(
                    r(&ancestor.code).contains(&code),
                    "{} in {}",
                    region.code,
                    ancestor.code
                );
            }
            if region.level == RegionLevel::County {
                for p in prefectures
                    .iter()
                    .filter(|p| p.get(..2) == region.code.get(..2))
                {
                    assert_eq!(
                        r(p).contains(&code),
                        t.is_within(&region.code, p),
                        "{} / {p}",
                        region.code
                    );
                }
            }
        }
    }

    #[test]
    fn reach_and_authorize() {
        let changzhou = r("320400");
        let tianning = r("320402");
        let suzhou = r("320500");
        let office = Scope::region_only(changzhou.clone());
        let dept = Scope::new(changzhou.clone(), "11320400MB0000000X");

        let in_tianning = Target::of_body(&tianning, "11320400MB0000000X");
        let other_dept = Target::of_body(&tianning, "11320400MB1111111X");
        let in_suzhou = Target::of_body(&suzhou, "11320400MB0000000X");

        assert!(may_see(Role::CreditOffice, &office, &in_tianning));
        assert!(may_see(Role::CreditOffice, &office, &other_dept));
        assert!(!may_see(Role::CreditOffice, &office, &in_suzhou));
        assert!(may_see(Role::SubmittingDepartment, &dept, &in_tianning));
        assert!(!may_see(Role::SubmittingDepartment, &dept, &other_dept));
        assert!(
            !may_see(Role::SubmittingDepartment, &dept, &in_suzhou),
            "body id reused elsewhere"
        );
        assert!(
            !may_see(Role::SubmittingDepartment, &office, &in_tianning),
            "no body: nothing"
        );
        assert!(!may_see(
            Role::Public,
            &Scope::region_only(Region::national()),
            &in_tianning
        ));
        assert!(!may_see(
            Role::Subject,
            &Scope::new(changzhou.clone(), " "),
            &Target::of_body(&tianning, " ")
        ));

        let ok = authorize(
            &[Role::CreditOffice],
            &office,
            Permission::RecordsReadNonpublic,
            &in_tianning,
        );
        assert!(ok.is_ok());
        let e = authorize(
            &[Role::CreditOffice],
            &office,
            Permission::RecordsReadNonpublic,
            &in_suzhou,
        );
        assert_eq!(e.unwrap_err().code(), "out_of_jurisdiction");
        let e = authorize(
            &[Role::Administrator],
            &office,
            Permission::RecordsReadNonpublic,
            &in_tianning,
        );
        assert_eq!(e.unwrap_err().code(), "permission_denied");
        // Public data is not scoped.
        assert!(authorize(
            &[Role::Public],
            &dept,
            Permission::RecordsReadPublic,
            &in_suzhou
        )
        .is_ok());
        // With several roles, one role holding the permission and reaching the target is enough.
        let both = [Role::SubmittingDepartment, Role::ImplementingDepartment];
        assert!(authorize(&both, &dept, Permission::CasesHandle, &in_tianning).is_ok());
        assert!(authorize(&both, &dept, Permission::CasesHandle, &other_dept).is_err());
        // An administrator manages accounts of its jurisdiction only.
        let admin = Scope::region_only(changzhou);
        assert!(authorize(
            &[Role::Administrator],
            &admin,
            Permission::AccountsManage,
            &Target::region(&tianning)
        )
        .is_ok());
        assert!(authorize(
            &[Role::Administrator],
            &admin,
            Permission::AccountsManage,
            &Target::region(&r("320000"))
        )
        .is_err());
    }
}
