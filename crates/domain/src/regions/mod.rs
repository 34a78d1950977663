//! 行政区划代码 (GB/T 2260): the national table, current and historical, shipped as data.
//!
//! The table lives in `data/regions/gbt2260.csv` (built by `scripts/regions/build.py`, sources in
//! `data/README.md`) and is compiled into the binary. It holds the province, prefecture and
//! county levels, both the codes in force and the codes abolished or renamed since the 1980s:
//! identity-card numbers and unified social credit codes issued under an old code stay valid,
//! so an old code must still be found, with its name and its place in the hierarchy.
//!
//! Deployments add their own 9-digit township/street codes with [`RegionTable::add_local`].
//!
//! The file is parsed on first use. A parse failure of the shipped file never panics:
//! [`RegionTable::national`] then returns an empty table and
//! [`RegionTable::national_checked`] reports the error.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// The shipped national table.
const NATIONAL_CSV: &str = include_str!("../../../../data/regions/gbt2260.csv");

/// Names of summary codes (汇总码): placeholders in the code structure, not divisions of
/// their own. They are skipped in [`RegionTable::full_name`] and
/// [`RegionTable::current_names`].
const SUMMARY_NAMES: &[&str] = &[
    "市辖区",
    "县",
    "市",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "省直辖县级行政单位",
    "自治区直辖县级行政单位",
    "省直辖行政单位",
];

/// Level of a region in the GB/T 2260 hierarchy (townships are added per deployment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    Prefecture,
    County,
    /// 乡镇/街道, 9-digit codes added by a deployment.
    Township,
}

impl RegionLevel {
    /// Stable snake_case name, as used in the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "province" => Some(RegionLevel::Province),
            "prefecture" => Some(RegionLevel::Prefecture),
            "county" => Some(RegionLevel::County),
            "township" => Some(RegionLevel::Township),
            _ => None,
        }
    }

    /// The level implied by the structure of a code, `None` if the code is malformed.
    fn of_code(code: &str) -> Option<Self> {
        if !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match code.len() {
            6 if code.ends_with("0000") => Some(RegionLevel::Province),
            6 if code.ends_with("00") => Some(RegionLevel::Prefecture),
            6 => Some(RegionLevel::County),
            9 => Some(RegionLevel::Township),
            _ => None,
        }
    }
}

/// One region code with its name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Region {
    /// 6 digits (9 for townships).
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    /// Parent code, `None` for provinces.
    pub parent: Option<String>,
    /// `false` when the code was abolished or renamed: still valid in ID numbers and USCCs
    /// issued before.
    pub current: bool,
}

impl Region {
    /// Whether this is a summary code (汇总码) such as `320401 市辖区` or
    /// `429000 省直辖县级行政区划`, a placeholder rather than a division of its own.
    pub fn is_summary(&self) -> bool {
        SUMMARY_NAMES.contains(&self.name.as_str())
    }
}

/// When a code was in force and what else is known about it, as far as the sources say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RegionHistory {
    /// First year the code was in force; `None` when it predates the sources (1980) or is
    /// unknown.
    pub since: Option<u16>,
    /// Last year the code was in force; `None` for current codes or when unknown.
    pub until: Option<u16>,
    /// Free-text note, e.g. other names the code was used for.
    pub note: String,
}

/// Errors reading a region table or adding to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionError {
    /// The file has no header line.
    MissingHeader,
    /// The header names an unknown column, repeats one or lacks a required one.
    BadHeader { line: usize, detail: String },
    /// A data line has the wrong number of fields.
    FieldCount {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A code is not 6 (or, for townships, 9) digits.
    BadCode { line: Option<usize>, code: String },
    /// The level column is not one of province/prefecture/county/township.
    BadLevel { line: usize, value: String },
    /// The level does not match the structure of the code.
    LevelMismatch {
        line: Option<usize>,
        code: String,
        level: RegionLevel,
    },
    /// The `current` column is not `true` or `false`.
    BadFlag { line: usize, value: String },
    /// A year column is not a 4-digit year.
    BadYear { line: usize, value: String },
    /// A region has an empty name.
    EmptyName { line: Option<usize>, code: String },
    /// The same code appears twice.
    DuplicateCode { line: Option<usize>, code: String },
    /// A province has a parent, or another level has none.
    ParentPresence { line: Option<usize>, code: String },
    /// The parent does not fit the code structure (e.g. a county under another province).
    ParentMismatch {
        line: Option<usize>,
        code: String,
        parent: String,
    },
    /// The parent code is not in the table.
    UnknownParent {
        line: Option<usize>,
        code: String,
        parent: String,
    },
    /// Only townships (9-digit codes) can be added locally.
    NotTownship { code: String },
}

impl RegionError {
    /// Stable snake_case code for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            RegionError::MissingHeader => "region_missing_header",
            RegionError::BadHeader { .. } => "region_bad_header",
            RegionError::FieldCount { .. } => "region_field_count",
            RegionError::BadCode { .. } => "region_bad_code",
            RegionError::BadLevel { .. } => "region_bad_level",
            RegionError::LevelMismatch { .. } => "region_level_mismatch",
            RegionError::BadFlag { .. } => "region_bad_flag",
            RegionError::BadYear { .. } => "region_bad_year",
            RegionError::EmptyName { .. } => "region_empty_name",
            RegionError::DuplicateCode { .. } => "region_duplicate_code",
            RegionError::ParentPresence { .. } => "region_parent_presence",
            RegionError::ParentMismatch { .. } => "region_parent_mismatch",
            RegionError::UnknownParent { .. } => "region_unknown_parent",
            RegionError::NotTownship { .. } => "region_not_township",
        }
    }

    /// The 1-based line of the data file the error is about, if it came from a file.
    pub fn line(&self) -> Option<usize> {
        match self {
            RegionError::MissingHeader | RegionError::NotTownship { .. } => None,
            RegionError::BadHeader { line, .. }
            | RegionError::FieldCount { line, .. }
            | RegionError::BadLevel { line, .. }
            | RegionError::BadFlag { line, .. }
            | RegionError::BadYear { line, .. } => Some(*line),
            RegionError::BadCode { line, .. }
            | RegionError::LevelMismatch { line, .. }
            | RegionError::EmptyName { line, .. }
            | RegionError::DuplicateCode { line, .. }
            | RegionError::ParentPresence { line, .. }
            | RegionError::ParentMismatch { line, .. }
            | RegionError::UnknownParent { line, .. } => *line,
        }
    }
}

fn level_zh(level: RegionLevel) -> &'static str {
    match level {
        RegionLevel::Province => "省级",
        RegionLevel::Prefecture => "地级",
        RegionLevel::County => "县级",
        RegionLevel::Township => "乡级",
    }
}

impl fmt::Display for RegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line() {
            write!(f, "行政区划数据第{line}行：")?;
        }
        match self {
            RegionError::MissingHeader => write!(f, "行政区划数据缺少表头"),
            RegionError::BadHeader { detail, .. } => write!(f, "表头错误：{detail}"),
            RegionError::FieldCount {
                expected, found, ..
            } => write!(f, "应有{expected}个字段，实有{found}个"),
            RegionError::BadCode { code, .. } => {
                write!(f, "区划代码“{code}”格式错误（应为6位或9位数字）")
            }
            RegionError::BadLevel { value, .. } => write!(f, "未知的区划级别“{value}”"),
            RegionError::LevelMismatch { code, level, .. } => {
                write!(f, "区划代码{code}与级别“{}”不符", level_zh(*level))
            }
            RegionError::BadFlag { value, .. } => {
                write!(f, "current 字段应为 true 或 false，实为“{value}”")
            }
            RegionError::BadYear { value, .. } => write!(f, "年份“{value}”格式错误"),
            RegionError::EmptyName { code, .. } => write!(f, "区划代码{code}缺少名称"),
            RegionError::DuplicateCode { code, .. } => write!(f, "区划代码{code}重复"),
            RegionError::ParentPresence { code, .. } => {
                write!(
                    f,
                    "区划代码{code}的上级代码有误（省级不应有上级，其他级别必须有上级）"
                )
            }
            RegionError::ParentMismatch { code, parent, .. } => {
                write!(f, "区划代码{code}不可能隶属于{parent}")
            }
            RegionError::UnknownParent { code, parent, .. } => {
                write!(f, "区划代码{code}的上级代码{parent}不存在")
            }
            RegionError::NotTownship { code } => {
                write!(f, "只能添加9位乡镇（街道）代码，{code}不是")
            }
        }
    }
}

impl std::error::Error for RegionError {}

/// Whether `parent` can be the parent of `code` at `level` by the code structure.
fn parent_fits(code: &str, level: RegionLevel, parent: &str) -> bool {
    let (Some(c2), Some(c4), Some(c6)) = (code.get(..2), code.get(..4), code.get(..6)) else {
        return false;
    };
    match level {
        RegionLevel::Province => false,
        RegionLevel::Prefecture => parent == format!("{c2}0000"),
        RegionLevel::County => parent == format!("{c4}00") || parent == format!("{c2}0000"),
        RegionLevel::Township => parent == c6,
    }
}

/// The table of region codes.
#[derive(Debug, Clone, Default)]
pub struct RegionTable {
    regions: BTreeMap<String, Region>,
    history: BTreeMap<String, RegionHistory>,
    /// parent code -> child codes, in code order.
    children: BTreeMap<String, Vec<String>>,
}

const COLUMNS: [&str; 8] = [
    "code", "name", "level", "parent", "current", "since", "until", "note",
];
const REQUIRED: [&str; 5] = ["code", "name", "level", "parent", "current"];

impl RegionTable {
    const fn empty() -> Self {
        RegionTable {
            regions: BTreeMap::new(),
            history: BTreeMap::new(),
            children: BTreeMap::new(),
        }
    }

    fn national_result() -> &'static Result<RegionTable, RegionError> {
        static T: OnceLock<Result<RegionTable, RegionError>> = OnceLock::new();
        T.get_or_init(|| RegionTable::parse(NATIONAL_CSV))
    }

    /// The national table compiled into the binary (empty if the shipped file failed to
    /// parse: see [`RegionTable::national_checked`]).
    pub fn national() -> &'static RegionTable {
        static EMPTY: RegionTable = RegionTable::empty();
        match Self::national_result() {
            Ok(t) => t,
            Err(_) => &EMPTY,
        }
    }

    /// The national table, or the error that kept the shipped file from parsing.
    pub fn national_checked() -> Result<&'static RegionTable, RegionError> {
        Self::national_result().as_ref().map_err(Clone::clone)
    }

    /// Parse a table in the shipped CSV format.
    ///
    /// Lines starting with `#` and blank lines are ignored. The first other line is the
    /// header: `code,name,level,parent,current` are required, `since,until,note` optional,
    /// in any order. Fields are plain (no quoting; names never hold commas). `level` is
    /// `province|prefecture|county|township`, `current` is `true|false`, years are 4 digits
    /// or empty. Every parent must be in the table and fit the code structure.
    pub fn parse(csv: &str) -> Result<Self, RegionError> {
        let mut lines = csv
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let (header_line, header) = lines.next().ok_or(RegionError::MissingHeader)?;
        let cols: Vec<&str> = header.split(',').map(str::trim).collect();
        let mut pos: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, c) in cols.iter().enumerate() {
            if !COLUMNS.contains(c) {
                return Err(RegionError::BadHeader {
                    line: header_line,
                    detail: format!("未知列“{c}”"),
                });
            }
            if pos.insert(c, i).is_some() {
                return Err(RegionError::BadHeader {
                    line: header_line,
                    detail: format!("列“{c}”重复"),
                });
            }
        }
        for r in REQUIRED {
            if !pos.contains_key(r) {
                return Err(RegionError::BadHeader {
                    line: header_line,
                    detail: format!("缺少列“{r}”"),
                });
            }
        }
        let col = |name: &str| pos.get(name).copied();

        let mut table = RegionTable::empty();
        let mut lines_of: BTreeMap<String, usize> = BTreeMap::new();
        for (line, text) in lines {
            let fields: Vec<&str> = text.split(',').map(str::trim).collect();
            if fields.len() != cols.len() {
                return Err(RegionError::FieldCount {
                    line,
                    expected: cols.len(),
                    found: fields.len(),
                });
            }
            let get = |name: &str| col(name).and_then(|i| fields.get(i).copied()).unwrap_or("");
            let code = get("code");
            let implied = RegionLevel::of_code(code).ok_or_else(|| RegionError::BadCode {
                line: Some(line),
                code: code.to_owned(),
            })?;
            let level = RegionLevel::parse(get("level")).ok_or_else(|| RegionError::BadLevel {
                line,
                value: get("level").to_owned(),
            })?;
            if level != implied {
                return Err(RegionError::LevelMismatch {
                    line: Some(line),
                    code: code.to_owned(),
                    level,
                });
            }
            let current = match get("current") {
                "true" => true,
                "false" => false,
                other => {
                    return Err(RegionError::BadFlag {
                        line,
                        value: other.to_owned(),
                    })
                }
            };
            let year = |name: &str| -> Result<Option<u16>, RegionError> {
                let v = get(name);
                if v.is_empty() {
                    return Ok(None);
                }
                match v.parse::<u16>() {
                    Ok(y) if v.len() == 4 => Ok(Some(y)),
                    _ => Err(RegionError::BadYear {
                        line,
                        value: v.to_owned(),
                    }),
                }
            };
            let history = RegionHistory {
                since: year("since")?,
                until: year("until")?,
                note: get("note").to_owned(),
            };
            let parent = get("parent");
            let region = Region {
                code: code.to_owned(),
                name: get("name").to_owned(),
                level,
                parent: (!parent.is_empty()).then(|| parent.to_owned()),
                current,
            };
            table.check_shape(&region, Some(line))?;
            if table.regions.contains_key(code) {
                return Err(RegionError::DuplicateCode {
                    line: Some(line),
                    code: code.to_owned(),
                });
            }
            lines_of.insert(code.to_owned(), line);
            if history != RegionHistory::default() {
                table.history.insert(code.to_owned(), history);
            }
            table.regions.insert(code.to_owned(), region);
        }
        // Parents may come after their children in the file: check once all are read.
        for (code, region) in &table.regions {
            if let Some(parent) = &region.parent {
                if !table.regions.contains_key(parent) {
                    return Err(RegionError::UnknownParent {
                        line: lines_of.get(code).copied(),
                        code: code.clone(),
                        parent: parent.clone(),
                    });
                }
            }
        }
        let links: Vec<(String, String)> = table
            .regions
            .values()
            .filter_map(|r| r.parent.clone().map(|p| (p, r.code.clone())))
            .collect();
        for (parent, child) in links {
            table.children.entry(parent).or_default().push(child);
        }
        Ok(table)
    }

    /// Checks that do not need the rest of the table: code, level, name, parent shape.
    fn check_shape(&self, region: &Region, line: Option<usize>) -> Result<(), RegionError> {
        let code = region.code.as_str();
        let implied = RegionLevel::of_code(code).ok_or_else(|| RegionError::BadCode {
            line,
            code: code.to_owned(),
        })?;
        if implied != region.level {
            return Err(RegionError::LevelMismatch {
                line,
                code: code.to_owned(),
                level: region.level,
            });
        }
        if region.name.trim().is_empty() {
            return Err(RegionError::EmptyName {
                line,
                code: code.to_owned(),
            });
        }
        match (&region.parent, region.level) {
            (None, RegionLevel::Province) => Ok(()),
            (Some(p), level) if level != RegionLevel::Province => {
                if parent_fits(code, level, p) {
                    Ok(())
                } else {
                    Err(RegionError::ParentMismatch {
                        line,
                        code: code.to_owned(),
                        parent: p.clone(),
                    })
                }
            }
            _ => Err(RegionError::ParentPresence {
                line,
                code: code.to_owned(),
            }),
        }
    }

    /// Add a deployment's own 9-digit township/street (乡镇/街道) code. Its parent must be
    /// the county-level code it starts with, and be in the table.
    pub fn add_local(&mut self, region: Region) -> Result<(), RegionError> {
        if region.level != RegionLevel::Township {
            return Err(RegionError::NotTownship { code: region.code });
        }
        self.check_shape(&region, None)?;
        if self.regions.contains_key(&region.code) {
            return Err(RegionError::DuplicateCode {
                line: None,
                code: region.code,
            });
        }
        let parent = match &region.parent {
            Some(p) if self.regions.contains_key(p) => p.clone(),
            Some(p) => {
                return Err(RegionError::UnknownParent {
                    line: None,
                    code: region.code.clone(),
                    parent: p.clone(),
                })
            }
            None => {
                return Err(RegionError::ParentPresence {
                    line: None,
                    code: region.code,
                })
            }
        };
        let siblings = self.children.entry(parent).or_default();
        let at = siblings.partition_point(|c| c.as_str() < region.code.as_str());
        siblings.insert(at, region.code.clone());
        self.regions.insert(region.code.clone(), region);
        Ok(())
    }

    /// Look a code up (current or historical).
    pub fn get(&self, code: &str) -> Option<&Region> {
        self.regions.get(code)
    }

    /// Years in force and notes for a code, as far as the sources say.
    pub fn history(&self, code: &str) -> Option<&RegionHistory> {
        self.history.get(code)
    }

    /// The chain from the province down to `code` itself (empty if unknown).
    pub fn chain(&self, code: &str) -> Vec<&Region> {
        let mut out = Vec::new();
        let mut next = self.regions.get(code);
        // The code structure bounds the depth (province, prefecture, county, township);
        // the bound also guards against a cycle in a hand-made table.
        while let Some(r) = next {
            if out.len() > 4 {
                break;
            }
            out.push(r);
            next = r.parent.as_deref().and_then(|p| self.regions.get(p));
        }
        out.reverse();
        out
    }

    /// The full name from the province down, summary levels (市辖区, 省直辖县级行政区划…)
    /// skipped: `320402` → `江苏省常州市天宁区`, `110101` → `北京市东城区`.
    pub fn full_name(&self, code: &str) -> Option<String> {
        let chain = self.chain(code);
        if chain.is_empty() {
            return None;
        }
        let last = chain.len() - 1;
        Some(
            chain
                .iter()
                .enumerate()
                .filter(|(i, r)| *i == last || !r.is_summary())
                .map(|(_, r)| r.name.as_str())
                .collect(),
        )
    }

    /// The direct children of `code` (current and historical), in code order.
    pub fn children(&self, code: &str) -> Vec<&Region> {
        self.children
            .get(code)
            .map(|cs| cs.iter().filter_map(|c| self.regions.get(c)).collect())
            .unwrap_or_default()
    }

    /// Jurisdiction: whether `code` lies within `ancestor` (a region is within itself).
    /// Unknown codes are within nothing.
    pub fn is_within(&self, code: &str, ancestor: &str) -> bool {
        self.chain(code).iter().any(|r| r.code == ancestor)
    }

    /// `(code, name)` of every current region, summary codes left out, in code order: the
    /// names to match free-text addresses against.
    pub fn current_names(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.regions
            .values()
            .filter(|r| r.current && !r.is_summary())
            .map(|r| (r.code.as_str(), r.name.as_str()))
    }

    /// Every region, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> + '_ {
        self.regions.values()
    }

    /// Number of codes in the table (current and historical).
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }
}

#[cfg(test)]
mod tests;
pub mod tiles;
