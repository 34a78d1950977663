//! Which of a deployment's departments (by USCC) act in which implementing-department roles
//! (实施部门角色) of the measures catalog: the closed loop's inbox routing. A case goes to a
//! role; the departments listed with that role see and handle it, no one else.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{JointCatalog, ListsError};
use crate::codes::uscc;
use crate::regions::RegionTable;

/// The shipped mapping (the demo city's departments).
pub const DEFAULT_BODIES_TOML: &str = include_str!("../../../../data/measures/bodies.toml");

static DEFAULT: OnceLock<Result<DepartmentBodies, ListsError>> = OnceLock::new();

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default)]
    bodies: Vec<Body>,
}

/// One department of the deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    /// 统一社会信用代码.
    pub uscc: String,
    /// Its name.
    pub name: String,
    /// Implementing-department role codes it acts in.
    pub roles: Vec<String>,
}

/// The mapping, checked against the measures catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentBodies {
    pub version: String,
    bodies: Vec<Body>,
    by_uscc: HashMap<String, usize>,
}

impl DepartmentBodies {
    /// Parse and check a mapping: codes valid and unique, every role known to `joint`.
    pub fn parse(text: &str, joint: &JointCatalog) -> Result<Self, ListsError> {
        let file: File =
            toml::from_str(text).map_err(|e| ListsError::BodiesSyntax(e.to_string()))?;
        if file.version.trim().is_empty() {
            return Err(ListsError::MissingVersion {
                file: "实施部门对照表",
            });
        }
        let regions = RegionTable::national();
        let mut by_uscc = HashMap::new();
        for (i, b) in file.bodies.iter().enumerate() {
            uscc::parse(&b.uscc, regions).map_err(|e| ListsError::InvalidBody {
                uscc: b.uscc.clone(),
                message: format!("统一社会信用代码无效：{e}"),
            })?;
            if b.name.trim().is_empty() {
                return Err(ListsError::MissingChineseName {
                    what: "实施部门",
                    code: b.uscc.clone(),
                });
            }
            if b.roles.is_empty() {
                return Err(ListsError::InvalidBody {
                    uscc: b.uscc.clone(),
                    message: "未指定实施部门角色（roles）".into(),
                });
            }
            for r in &b.roles {
                if joint.department(r).is_none() {
                    return Err(ListsError::UnknownReference {
                        what: "实施部门",
                        code: b.uscc.clone(),
                        target: "实施部门角色",
                        target_code: r.clone(),
                    });
                }
            }
            if by_uscc.insert(b.uscc.clone(), i).is_some() {
                return Err(ListsError::DuplicateCode {
                    what: "实施部门",
                    code: b.uscc.clone(),
                });
            }
        }
        Ok(Self {
            version: file.version,
            bodies: file.bodies,
            by_uscc,
        })
    }

    /// The shipped mapping, checked against the shipped catalog, parsed once.
    pub fn default_checked() -> Result<&'static Self, ListsError> {
        DEFAULT
            .get_or_init(|| Self::parse(DEFAULT_BODIES_TOML, JointCatalog::default_checked()?))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The roles a department acts in (none if it is not listed).
    pub fn roles_of(&self, uscc: &str) -> &[String] {
        self.by_uscc
            .get(uscc)
            .and_then(|&i| self.bodies.get(i))
            .map(|b| b.roles.as_slice())
            .unwrap_or(&[])
    }

    /// Every department listed.
    pub fn bodies(&self) -> &[Body] {
        &self.bodies
    }

    /// The department listed under `uscc`.
    pub fn body(&self, uscc: &str) -> Option<&Body> {
        self.by_uscc.get(uscc).and_then(|&i| self.bodies.get(i))
    }

    /// The department a case of `role` in `region` (GB/T 2260) is distributed to: of those acting
    /// in the role, the one whose own region (its USCC's division code) is the nearest that
    /// contains the case's region — a county's bureau before the city's. `None` when none
    /// contains it (or the case has no region): the case then goes to the role.
    pub fn implementing_body(&self, role: &str, region: Option<&str>) -> Option<&Body> {
        let region = region?;
        self.bodies
            .iter()
            .filter(|b| b.roles.iter().any(|r| r == role))
            .filter_map(|b| {
                let prefix = region_prefix(b.uscc.get(2..8)?);
                region.starts_with(prefix).then_some((prefix.len(), b))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, b)| b)
    }
}

/// The leading digits a division code's area covers: `320000` → `32`, `320400` → `3204`,
/// `320412` → `320412`, `000000` → `` (everything).
fn region_prefix(code: &str) -> &str {
    let mut p = code;
    for _ in 0..3 {
        match p.strip_suffix("00") {
            Some(q) => p = q,
            None => break,
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joint() -> &'static JointCatalog {
        JointCatalog::default_checked().unwrap()
    }

    #[test]
    fn shipped_mapping_loads() {
        let m = DepartmentBodies::default_checked().unwrap();
        assert_eq!(m.roles_of("11320400MB0000019Y"), ["finance"]);
        assert!(m.roles_of("91320412MA1P8DGK26").is_empty());
        assert!(m.bodies().len() >= 4);
    }

    #[test]
    fn a_case_goes_to_the_nearest_department_of_its_role() {
        let text = "version = \"1\"\n\
            [[bodies]]\nuscc = \"11320400MB0000019Y\"\nname = \"常州市财政局\"\nroles = [\"finance\"]\n\
            [[bodies]]\nuscc = \"11320412MB0000000E\"\nname = \"武进区财政局\"\nroles = [\"finance\"]\n";
        let m = DepartmentBodies::parse(text, joint()).unwrap();
        let name = |region: Option<&str>| {
            m.implementing_body("finance", region)
                .map(|b| b.name.as_str())
        };
        assert_eq!(name(Some("320412")), Some("武进区财政局"));
        assert_eq!(
            name(Some("320412101")),
            Some("武进区财政局"),
            "a township of 武进"
        );
        assert_eq!(
            name(Some("320481")),
            Some("常州市财政局"),
            "溧阳 has none of its own"
        );
        assert_eq!(name(Some("320400")), Some("常州市财政局"));
        assert_eq!(name(Some("320500")), None, "another city");
        assert_eq!(
            name(Some("320000")),
            None,
            "the province's is not the city's"
        );
        assert_eq!(name(None), None);
        assert!(m
            .implementing_body("public_resources", Some("320412"))
            .is_none());
        assert_eq!(
            m.body("11320400MB0000019Y").map(|b| b.name.as_str()),
            Some("常州市财政局")
        );
    }

    #[test]
    fn broken_mappings_are_refused() {
        let ok = "version = \"1\"\n[[bodies]]\nuscc = \"11320400MB0000019Y\"\nname = \"财政局\"\nroles = [\"finance\"]\n";
        assert!(DepartmentBodies::parse(ok, joint()).is_ok());
        for (text, code) in [
            ("version = \"1\"\n[[bodies]]\nuscc = \"11320400MB0000019Y\"\nname = \"财政局\"\nroles = [\"nope\"]\n", "unknown_reference"),
            ("version = \"1\"\n[[bodies]]\nuscc = \"11320400MB0000019Z\"\nname = \"财政局\"\nroles = [\"finance\"]\n", "invalid_body"),
            ("version = \"1\"\n[[bodies]]\nuscc = \"11320400MB0000019Y\"\nname = \"财政局\"\nroles = []\n", "invalid_body"),
            (&format!("{ok}{}", ok.replace("version = \"1\"\n", "")), "duplicate_code"),
            ("version = \"\"\n", "missing_version"),
            ("version = \"1\"\nextra = 1\n", "bodies_syntax"),
        ] {
            assert_eq!(
                DepartmentBodies::parse(text, joint()).unwrap_err().code(),
                code,
                "{text}"
            );
        }
    }
}
