//! The joint catalog: parsing and cross-checking both files, its errors, and its look-ups.

use super::*;

/// Errors loading or using the lists and measures catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListsError {
    /// `lists.toml` is not valid TOML or not its structure.
    #[error("名单定义文件格式错误：{0}")]
    ListsSyntax(String),
    /// `measures.toml` is not valid TOML or not its structure.
    #[error("措施清单文件格式错误：{0}")]
    MeasuresSyntax(String),
    /// A file has an empty version.
    #[error("{file}缺少版本号（version）")]
    MissingVersion {
        /// Which file.
        file: &'static str,
    },
    /// A code is not ASCII snake_case.
    #[error("{what}代码“{code}”不合法：须为小写英文字母、数字和下划线，并以字母开头")]
    InvalidCode {
        /// What it is the code of.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// Two items share a code.
    #[error("{what}代码“{code}”重复")]
    DuplicateCode {
        /// What it is the code of.
        what: &'static str,
        /// The code.
        code: String,
    },
    /// An item has no Chinese name.
    #[error("{what}“{code}”缺少中文名称")]
    MissingChineseName {
        /// What it is.
        what: &'static str,
        /// Its code.
        code: String,
    },
    /// An item refers to something that does not exist.
    #[error("{what}“{code}”引用的{target}“{target_code}”不存在")]
    UnknownReference {
        /// What refers.
        what: &'static str,
        /// Its code.
        code: String,
        /// What is referred to.
        target: &'static str,
        /// The missing code.
        target_code: String,
    },
    /// A list definition is inconsistent.
    #[error("名单“{code}”设置错误：{message}")]
    InvalidList {
        /// The list.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// A measure is inconsistent.
    #[error("措施“{code}”设置错误：{message}")]
    InvalidMeasure {
        /// The measure.
        code: String,
        /// What is wrong.
        message: String,
    },
    /// The closed-loop deadlines are inconsistent.
    #[error("闭环期限设置错误：{0}")]
    InvalidClosedLoop(String),
    /// The record catalog checked against failed to load.
    #[error("信用信息目录不可用：{0}")]
    Catalog(String),
    /// A check names a scenario that does not exist.
    #[error("业务场景“{0}”不存在")]
    UnknownScenario(String),
    /// The departments mapping (`bodies.toml`) is not valid TOML or not its structure.
    #[error("实施部门对照表格式错误：{0}")]
    BodiesSyntax(String),
    /// A department in the mapping is inconsistent.
    #[error("实施部门“{uscc}”设置错误：{message}")]
    InvalidBody {
        /// The department's USCC.
        uscc: String,
        /// What is wrong.
        message: String,
    },
}

impl ListsError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ListsSyntax(_) => "lists_syntax",
            Self::BodiesSyntax(_) => "bodies_syntax",
            Self::InvalidBody { .. } => "invalid_body",
            Self::MeasuresSyntax(_) => "measures_syntax",
            Self::MissingVersion { .. } => "missing_version",
            Self::InvalidCode { .. } => "invalid_code",
            Self::DuplicateCode { .. } => "duplicate_code",
            Self::MissingChineseName { .. } => "missing_chinese_name",
            Self::UnknownReference { .. } => "unknown_reference",
            Self::InvalidList { .. } => "invalid_list",
            Self::InvalidMeasure { .. } => "invalid_measure",
            Self::InvalidClosedLoop(_) => "invalid_closed_loop",
            Self::Catalog(_) => "catalog_unavailable",
            Self::UnknownScenario(_) => "unknown_scenario",
        }
    }
}

fn valid_code(code: &str) -> bool {
    let mut chars = code.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn has_chinese(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c))
}

/// Checks codes (valid, unique) and Chinese names of one kind of item.
fn check_items<'a>(
    what: &'static str,
    items: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<HashSet<&'a str>, ListsError> {
    let mut seen = HashSet::new();
    for (code, name) in items {
        if !valid_code(code) {
            return Err(ListsError::InvalidCode {
                what,
                code: code.to_string(),
            });
        }
        if !seen.insert(code) {
            return Err(ListsError::DuplicateCode {
                what,
                code: code.to_string(),
            });
        }
        if !has_chinese(name) {
            return Err(ListsError::MissingChineseName {
                what,
                code: code.to_string(),
            });
        }
    }
    Ok(seen)
}

/// The lists, scenarios, implementing departments, measures and closed-loop deadlines, parsed
/// and cross-checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JointCatalog {
    pub(super) lists_version: String,
    pub(super) lists_title: String,
    pub(super) measures_version: String,
    pub(super) measures_title: String,
    pub(super) lists: Vec<ListDef>,
    pub(super) departments: Vec<Department>,
    pub(super) scenarios: Vec<Scenario>,
    pub(super) measures: Vec<Measure>,
    pub(super) closed_loop: ClosedLoopConfig,
    /// Chinese names of the record types of the catalog checked against (for reasons).
    #[serde(skip)]
    pub(super) record_type_names: BTreeMap<String, String>,
}

static DEFAULT: OnceLock<Result<JointCatalog, ListsError>> = OnceLock::new();

impl JointCatalog {
    /// Parses and validates both files. With `catalog`, the record types they name
    /// (`catalog_type`, `record_types`) must exist there (negative ones for measures).
    pub fn parse(
        lists_toml: &str,
        measures_toml: &str,
        catalog: Option<&Catalog>,
    ) -> Result<JointCatalog, ListsError> {
        let lf: ListsFile =
            toml::from_str(lists_toml).map_err(|e| ListsError::ListsSyntax(e.to_string()))?;
        let mf: MeasuresFile =
            toml::from_str(measures_toml).map_err(|e| ListsError::MeasuresSyntax(e.to_string()))?;
        if lf.version.trim().is_empty() {
            return Err(ListsError::MissingVersion {
                file: "名单定义"
            });
        }
        if mf.version.trim().is_empty() {
            return Err(ListsError::MissingVersion {
                file: "措施清单"
            });
        }

        let list_codes = check_items(
            "名单",
            lf.lists.iter().map(|l| (l.code.as_str(), l.name.as_str())),
        )?;
        let dept_codes = check_items(
            "实施部门",
            mf.departments
                .iter()
                .map(|d| (d.code.as_str(), d.name.as_str())),
        )?;
        let scenario_codes = check_items(
            "业务场景",
            mf.scenarios
                .iter()
                .map(|s| (s.code.as_str(), s.name.as_str())),
        )?;
        check_items(
            "措施",
            mf.measures
                .iter()
                .map(|m| (m.code.as_str(), m.name.as_str())),
        )?;

        let catalog_type = |what: &'static str, code: &str, t: &str| -> Result<(), ListsError> {
            match catalog {
                Some(c) if c.get(t).is_none() => Err(ListsError::UnknownReference {
                    what,
                    code: code.to_string(),
                    target: "信息类型",
                    target_code: t.to_string(),
                }),
                _ => Ok(()),
            }
        };

        for l in &lf.lists {
            let bad = |message: &str| ListsError::InvalidList {
                code: l.code.clone(),
                message: message.to_string(),
            };
            if l.basis.trim().is_empty()
                || l.recognised_by.trim().is_empty()
                || l.standard.trim().is_empty()
            {
                return Err(bad("须填写依据、认定部门和认定标准"));
            }
            if l.imported {
                if l.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
                    return Err(bad("外部导入的名单须注明数据来源（source）"));
                }
                if l.publicity_working_days > 0 {
                    return Err(bad("外部导入的名单由来源机关认定，不设公示期"));
                }
            }
            if l.objections_allowed && l.publicity_working_days == 0 {
                return Err(bad("未设公示期的名单不能在公示期内受理异议"));
            }
            if l.validity_months == Some(0) {
                return Err(bad("有效期（validity_months）须大于0"));
            }
            if let Some(t) = &l.catalog_type {
                catalog_type("名单", &l.code, t)?;
            }
        }

        let list_kind = |code: &str| lf.lists.iter().find(|l| l.code == code).map(|l| l.kind);
        for m in &mf.measures {
            let bad = |message: &str| ListsError::InvalidMeasure {
                code: m.code.clone(),
                message: message.to_string(),
            };
            let unknown = |target: &'static str, t: &str| ListsError::UnknownReference {
                what: "措施",
                code: m.code.clone(),
                target,
                target_code: t.to_string(),
            };
            if m.implementer.trim().is_empty() || m.basis.trim().is_empty() {
                return Err(bad("须填写实施部门说明和依据"));
            }
            if m.departments.is_empty() {
                return Err(bad("须指定至少一个实施部门"));
            }
            for d in &m.departments {
                if !dept_codes.contains(d.as_str()) {
                    return Err(unknown("实施部门", d));
                }
            }
            for l in &m.lists {
                if !list_codes.contains(l.as_str()) {
                    return Err(unknown("名单", l));
                }
            }
            let mut seen = HashSet::new();
            for r in &m.scenarios {
                if !scenario_codes.contains(r.code.as_str()) {
                    return Err(unknown("业务场景", &r.code));
                }
                if !seen.insert(r.code.as_str()) {
                    return Err(bad(&format!("业务场景“{}”重复", r.code)));
                }
            }
            if m.lists.is_empty() && m.severities.is_empty() {
                return Err(bad("须指定适用的名单或失信程度"));
            }
            match m.kind {
                MeasureKind::Incentive => {
                    if !m.severities.is_empty() || !m.record_types.is_empty() {
                        return Err(bad("激励措施不能适用于失信记录"));
                    }
                    if m.lists
                        .iter()
                        .any(|l| list_kind(l) != Some(ListKind::Reward))
                    {
                        return Err(bad("激励措施只能适用于守信激励类名单"));
                    }
                    if m.scenarios.iter().any(|r| r.verdict != Verdict::Pass) {
                        return Err(bad("激励措施在业务场景中的结论只能是“通过”"));
                    }
                }
                MeasureKind::Punishment => {
                    if m.lists
                        .iter()
                        .any(|l| list_kind(l) == Some(ListKind::Reward))
                    {
                        return Err(bad("惩戒措施不能适用于守信激励类名单"));
                    }
                    if m.scenarios.iter().any(|r| r.verdict == Verdict::Pass) {
                        return Err(bad("惩戒措施在业务场景中的结论须为“提示”或“拦截”"));
                    }
                }
            }
            for t in &m.record_types {
                if m.severities.is_empty() {
                    return Err(bad("指定信息类型时须同时指定失信程度"));
                }
                catalog_type("措施", &m.code, t)?;
                if let Some(rt) = catalog.and_then(|c| c.get(t)) {
                    if rt.class != RecordClass::Negative {
                        return Err(bad(&format!("信息类型“{t}”不是失信类")));
                    }
                }
            }
        }

        let cl = &mf.closed_loop;
        if [
            cl.distribute_working_days,
            cl.sign_working_days,
            cl.apply_working_days,
            cl.report_working_days,
        ]
        .contains(&0)
        {
            return Err(ListsError::InvalidClosedLoop(
                "每个环节的期限须至少为1个工作日".to_string(),
            ));
        }

        let record_type_names = catalog
            .map(|c| {
                c.types()
                    .iter()
                    .map(|t| (t.code.clone(), t.name.clone()))
                    .collect()
            })
            .unwrap_or_default();

        Ok(JointCatalog {
            lists_version: lf.version.trim().to_string(),
            lists_title: lf.title,
            measures_version: mf.version.trim().to_string(),
            measures_title: mf.title,
            lists: lf.lists,
            departments: mf.departments,
            scenarios: mf.scenarios,
            measures: mf.measures,
            closed_loop: mf.closed_loop,
            record_type_names,
        })
    }

    /// Parses the shipped files afresh, checked against the shipped record catalog.
    pub fn default_catalog() -> Result<JointCatalog, ListsError> {
        let catalog = Catalog::default_checked().map_err(|e| ListsError::Catalog(e.to_string()))?;
        Self::parse(DEFAULT_LISTS_TOML, DEFAULT_MEASURES_TOML, Some(catalog))
    }

    /// The shipped lists and measures, parsed once and shared.
    pub fn default_checked() -> Result<&'static JointCatalog, ListsError> {
        DEFAULT
            .get_or_init(Self::default_catalog)
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Version of the lists file.
    pub fn lists_version(&self) -> &str {
        &self.lists_version
    }

    /// Title of the lists file.
    pub fn lists_title(&self) -> &str {
        &self.lists_title
    }

    /// Version of the measures file.
    pub fn measures_version(&self) -> &str {
        &self.measures_version
    }

    /// Title of the measures file.
    pub fn measures_title(&self) -> &str {
        &self.measures_title
    }

    /// All lists, in file order.
    pub fn lists(&self) -> &[ListDef] {
        &self.lists
    }

    /// The list with this code.
    pub fn list(&self, code: &str) -> Option<&ListDef> {
        self.lists.iter().find(|l| l.code == code)
    }

    /// All implementing-department roles.
    pub fn departments(&self) -> &[Department] {
        &self.departments
    }

    /// The department role with this code.
    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    /// All scenarios.
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }

    /// The scenario with this code.
    pub fn scenario(&self, code: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.code == code)
    }

    /// All measures, in file order.
    pub fn measures(&self) -> &[Measure] {
        &self.measures
    }

    /// The measure with this code.
    pub fn measure(&self, code: &str) -> Option<&Measure> {
        self.measures.iter().find(|m| m.code == code)
    }

    /// The measures that apply to entries of `list`, in file order.
    pub fn measures_for_list<'a>(&'a self, list: &'a str) -> impl Iterator<Item = &'a Measure> {
        self.measures
            .iter()
            .filter(move |m| m.applies_to_list(list))
    }

    /// Closed-loop deadlines and reminder rule.
    pub fn closed_loop(&self) -> &ClosedLoopConfig {
        &self.closed_loop
    }

    pub(super) fn record_type_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.record_type_names
            .get(code)
            .map(String::as_str)
            .unwrap_or(code)
    }

    /// Which department roles implement which measures for an entry of `list`: department
    /// code → measure codes (file order), departments in code order.
    pub fn distribution(&self, list: &str) -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in self.measures_for_list(list) {
            for d in &m.departments {
                out.entry(d.clone()).or_default().push(m.code.clone());
            }
        }
        out
    }
}
