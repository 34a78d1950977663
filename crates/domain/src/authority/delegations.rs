//! The delegation file (授权代报配置): who submits for whom, parsed and checked.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::codes::uscc;
use crate::regions::RegionTable;

/// The shipped delegations (the demo city's).
pub const DEFAULT_DELEGATIONS_TOML: &str =
    include_str!("../../../../data/authority/delegations.toml");

static DEFAULT: OnceLock<Result<Delegations, AuthorityError>> = OnceLock::new();

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    #[serde(default)]
    delegations: Vec<Delegation>,
    #[serde(default)]
    scopes: Vec<super::scope::Scope>,
}

/// A body a department submits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelegatedBody {
    /// 统一社会信用代码.
    pub uscc: String,
    /// Its name.
    pub name: String,
}

/// One authorisation: `submitter` may submit decisions of `bodies` (and of every body
/// registered in `regions`), of the catalog `types` listed (all when empty), decided between
/// `from` and `until`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delegation {
    /// 统一社会信用代码 of the submitting department.
    pub submitter: String,
    /// Its name.
    pub name: String,
    /// Why it may (the document granting it).
    pub basis: String,
    /// The bodies it submits for.
    #[serde(default)]
    pub bodies: Vec<DelegatedBody>,
    /// Regions (GB/T 2260) whose bodies it submits for: the region and below.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Catalog type codes covered; empty: every type (and list recognitions).
    #[serde(default)]
    pub types: Vec<String>,
    /// First decision date covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last decision date covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
}

/// Why a delegation file is refused. `entry` counts `[[delegations]]` from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// Not valid TOML, or not the file's structure.
    #[error("授权代报配置格式错误：{0}")]
    Syntax(String),
    /// The file has no version.
    #[error("授权代报配置缺少版本号（version）")]
    MissingVersion,
    /// An entry is inconsistent.
    #[error("授权代报配置第{entry}项（报送单位 {submitter}）：{message}")]
    Invalid {
        /// Which entry.
        entry: usize,
        /// Its submitter as written.
        submitter: String,
        /// What is wrong.
        message: String,
    },
    /// An entry names a body or region outside the submitter's region.
    #[error(
        "授权代报配置第{entry}项：{what}不在报送单位“{name}”（{submitter}）所在地区 {region} 及其下级地区内——只能授权代报本地区机关的信息"
    )]
    OutOfRegion {
        /// Which entry.
        entry: usize,
        /// The submitter's name.
        name: String,
        /// The submitter's code.
        submitter: String,
        /// The submitter's region.
        region: String,
        /// The body or region, described.
        what: String,
    },
    /// An entry names a catalog type that does not exist.
    #[error("授权代报配置第{entry}项：信用信息目录中没有类型“{type_code}”")]
    UnknownType {
        /// Which entry.
        entry: usize,
        /// The type code.
        type_code: String,
    },
    /// An entry lists a body twice.
    #[error("授权代报配置第{entry}项：“{body}”重复列出")]
    Duplicate {
        /// Which entry.
        entry: usize,
        /// The body's code.
        body: String,
    },
}

impl AuthorityError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax(_) => "delegations_syntax",
            Self::MissingVersion => "delegations_missing_version",
            Self::Invalid { .. } => "invalid_delegation",
            Self::OutOfRegion { .. } => "delegation_out_of_region",
            Self::UnknownType { .. } => "delegation_unknown_type",
            Self::Duplicate { .. } => "duplicate_delegation",
        }
    }
}

/// The region part of a USCC (characters 3–8), when it is six digits.
pub fn uscc_region(code: &str) -> Option<&str> {
    code.get(2..8)
        .filter(|r| r.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `code` is `region` or lies below it (by the region table, historical codes
/// included).
pub(super) fn region_within(table: &RegionTable, code: &str, region: &str) -> bool {
    code == region || table.is_within(code, region)
}

/// A deployment's delegations, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delegations {
    /// Free text, shown in logs.
    pub version: String,
    list: Vec<Delegation>,
    by_submitter: HashMap<String, Vec<usize>>,
    /// 报送范围: the types each listed department submits (`scope.rs`).
    scopes: HashMap<String, Vec<String>>,
}

impl Delegations {
    /// No delegations at all: every department submits only in its own name.
    pub fn none() -> Self {
        Self {
            version: String::new(),
            list: Vec::new(),
            by_submitter: HashMap::new(),
            scopes: HashMap::new(),
        }
    }

    /// Parses and checks a delegation file against `catalog` (see the file's header for the
    /// rules): codes valid, names and a basis given, bodies and regions within the
    /// submitter's region, types known, dates in order.
    pub fn parse(text: &str, catalog: &Catalog) -> Result<Self, AuthorityError> {
        let file: File = toml::from_str(text).map_err(|e| AuthorityError::Syntax(e.to_string()))?;
        if file.version.trim().is_empty() {
            return Err(AuthorityError::MissingVersion);
        }
        let table = RegionTable::national();
        let mut list = Vec::with_capacity(file.delegations.len());
        let mut by_submitter: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, d) in file.delegations.into_iter().enumerate() {
            let entry = i + 1;
            let d = check_entry(entry, d, catalog, table)?;
            by_submitter.entry(d.submitter.clone()).or_default().push(i);
            list.push(d);
        }
        let mut scopes = HashMap::new();
        for (i, sc) in file.scopes.into_iter().enumerate() {
            let (code, types) = check_scope(i + 1, sc, catalog, table)?;
            if scopes.insert(code.clone(), types).is_some() {
                return Err(AuthorityError::Invalid {
                    entry: i + 1,
                    submitter: code,
                    message: "报送范围（scopes）中该部门重复列出".into(),
                });
            }
        }
        Ok(Self {
            version: file.version,
            list,
            by_submitter,
            scopes,
        })
    }

    /// The shipped delegations, checked against the shipped catalog, parsed once.
    pub fn default_checked() -> Result<&'static Self, AuthorityError> {
        DEFAULT
            .get_or_init(|| {
                let catalog = Catalog::default_checked()
                    .map_err(|e| AuthorityError::Syntax(format!("信用信息目录不可用：{e}")))?;
                Self::parse(DEFAULT_DELEGATIONS_TOML, catalog)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every delegation, in file order.
    pub fn all(&self) -> &[Delegation] {
        &self.list
    }

    /// The delegations of one submitter (its code upper-cased).
    pub fn of_submitter<'a>(&'a self, submitter: &str) -> impl Iterator<Item = &'a Delegation> {
        self.by_submitter
            .get(super::rule::normalised(submitter).as_ref())
            .into_iter()
            .flatten()
            .filter_map(|&i| self.list.get(i))
    }

    /// The 报送范围 of a department (its code trimmed, upper-cased): the types listed for it,
    /// `None` when it is not listed (it submits every type).
    pub fn scope_of(&self, submitter: &str) -> Option<&[String]> {
        self.scopes
            .get(super::rule::normalised(submitter).as_ref())
            .map(Vec::as_slice)
    }

    /// Whether a department may submit records of `type_code` at all (its 报送范围).
    pub fn may_submit_type(&self, submitter: &str, type_code: &str) -> bool {
        super::scope::scope_covers(self.scope_of(submitter), type_code)
    }

    /// The name the file gives a body (as submitter or as a body submitted for).
    pub fn name_of(&self, code: &str) -> Option<&str> {
        let code = code.trim().to_ascii_uppercase();
        self.list.iter().find_map(|d| {
            if d.submitter == code {
                Some(d.name.as_str())
            } else {
                d.bodies
                    .iter()
                    .find(|b| b.uscc == code)
                    .map(|b| b.name.as_str())
            }
        })
    }
}

/// A `[[scopes]]` entry checked: its department's code and its types (known, not empty).
fn check_scope(
    entry: usize,
    sc: super::scope::Scope,
    catalog: &Catalog,
    table: &RegionTable,
) -> Result<(String, Vec<String>), AuthorityError> {
    let invalid = |submitter: &str, message: String| AuthorityError::Invalid {
        entry,
        submitter: submitter.to_string(),
        message,
    };
    let code = uscc::parse(&sc.submitter, table)
        .map_err(|e| {
            invalid(
                &sc.submitter,
                format!("报送范围中部门统一社会信用代码无效：{e}"),
            )
        })?
        .code;
    if sc.name.trim().is_empty() {
        return Err(invalid(&code, "报送范围未填写部门名称（name）".into()));
    }
    if sc.types.is_empty() {
        return Err(invalid(&code, "报送范围未列出任何信息类别（types）".into()));
    }
    for t in &sc.types {
        if catalog.get(t).is_none() {
            return Err(AuthorityError::UnknownType {
                entry,
                type_code: t.clone(),
            });
        }
    }
    Ok((code, sc.types))
}

fn check_entry(
    entry: usize,
    mut d: Delegation,
    catalog: &Catalog,
    table: &RegionTable,
) -> Result<Delegation, AuthorityError> {
    let invalid = |submitter: &str, message: String| AuthorityError::Invalid {
        entry,
        submitter: submitter.to_string(),
        message,
    };
    let submitter = uscc::parse(&d.submitter, table)
        .map_err(|e| invalid(&d.submitter, format!("报送单位统一社会信用代码无效：{e}")))?
        .code;
    d.submitter = submitter.clone();
    if d.name.trim().is_empty() {
        return Err(invalid(&submitter, "未填写报送单位名称（name）".into()));
    }
    if d.basis.trim().is_empty() {
        return Err(invalid(&submitter, "未注明授权依据（basis）".into()));
    }
    if d.bodies.is_empty() && d.regions.is_empty() {
        return Err(invalid(
            &submitter,
            "未指定代报的机关（bodies）或地区（regions）".into(),
        ));
    }
    if let (Some(from), Some(until)) = (d.from, d.until) {
        if from > until {
            return Err(invalid(
                &submitter,
                format!("起始日期 {from} 晚于截止日期 {until}"),
            ));
        }
    }
    let home = uscc_region(&submitter).unwrap_or_default().to_string();
    let out_of_region = |what: String| AuthorityError::OutOfRegion {
        entry,
        name: d.name.clone(),
        submitter: submitter.clone(),
        region: home.clone(),
        what,
    };
    let mut seen: Vec<String> = Vec::new();
    let mut bodies = Vec::with_capacity(d.bodies.len());
    for b in &d.bodies {
        let code = uscc::parse(&b.uscc, table)
            .map_err(|e| {
                invalid(
                    &submitter,
                    format!("机关“{}”的统一社会信用代码无效：{e}", b.name),
                )
            })?
            .code;
        if b.name.trim().is_empty() {
            return Err(invalid(&submitter, format!("机关 {code} 未填写名称")));
        }
        if code == submitter {
            return Err(invalid(
                &submitter,
                "报送单位以本单位名义报送无须授权，不要列在 bodies 中".into(),
            ));
        }
        if seen.contains(&code) {
            return Err(AuthorityError::Duplicate { entry, body: code });
        }
        let region = uscc_region(&code).unwrap_or_default();
        if !region_within(table, region, &home) {
            return Err(out_of_region(format!("机关“{}”（{code}）", b.name)));
        }
        seen.push(code.clone());
        bodies.push(DelegatedBody {
            uscc: code,
            name: b.name.trim().to_string(),
        });
    }
    d.bodies = bodies;
    for r in &mut d.regions {
        *r = r.trim().to_string();
        if table.get(r).is_none() {
            return Err(invalid(
                &submitter,
                format!("地区代码“{r}”不是有效的行政区划代码"),
            ));
        }
        if !region_within(table, r, &home) {
            return Err(out_of_region(format!("地区 {r}")));
        }
    }
    for t in &d.types {
        if catalog.get(t).is_none() {
            return Err(AuthorityError::UnknownType {
                entry,
                type_code: t.clone(),
            });
        }
    }
    Ok(d)
}
