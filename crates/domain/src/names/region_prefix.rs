//! The leading region chain of a name (江苏省南京市…): every reading of it against the
//! national region table (GB/T 2260, full and short names such as 南京市 / 南京), and how two
//! readings relate (same, nested, different).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::regions::{RegionLevel, RegionTable};

use super::normalise::normalise;

/// One region name that matched at the start of a name.
#[derive(Debug, Clone)]
struct RegionEntry {
    code: &'static str,
    /// The code and its ancestors' codes.
    chain: Vec<&'static str>,
    /// County level or below (区/县 names such as 鼓楼 double as ordinary words).
    county: bool,
}

struct RegionIndex {
    entries: Vec<RegionEntry>,
    /// Full and short names → entry ids.
    by_name: HashMap<String, Vec<usize>>,
    max_chars: usize,
}

/// Suffixes stripped from a region name to get its short form (南京市 → 南京). Longest first.
const REGION_SUFFIXES: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "林区",
    "地区",
    "省",
    "市",
    "县",
    "区",
    "盟",
    "旗",
];

const ETHNIC_GROUPS: &[&str] = &[
    "维吾尔",
    "壮族",
    "回族",
    "藏族",
    "蒙古族",
    "朝鲜族",
    "土家族",
    "苗族",
    "彝族",
    "布依族",
    "侗族",
    "瑶族",
    "白族",
    "哈尼族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "哈萨克族",
    "各族",
];

fn short_region_name(name: &str) -> Option<String> {
    let mut s = name;
    let mut stripped = false;
    for suf in REGION_SUFFIXES {
        if let Some(rest) = s.strip_suffix(suf) {
            s = rest;
            stripped = true;
            break;
        }
    }
    if !stripped {
        return None;
    }
    // 广西壮族自治区 → 广西, 恩施土家族苗族自治州 → 恩施.
    loop {
        let before = s;
        for e in ETHNIC_GROUPS {
            if let Some(rest) = s.strip_suffix(e) {
                s = rest;
                break;
            }
        }
        if s == before {
            break;
        }
    }
    (s.chars().count() >= 2).then(|| s.to_string())
}

fn region_index() -> &'static RegionIndex {
    static I: OnceLock<RegionIndex> = OnceLock::new();
    I.get_or_init(|| {
        let table = RegionTable::national();
        let mut entries = Vec::new();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut max_chars = 0;
        for (code, name) in table.current_names() {
            let chain: Vec<&'static str> =
                table.chain(code).iter().map(|r| r.code.as_str()).collect();
            let county = table
                .get(code)
                .is_some_and(|r| matches!(r.level, RegionLevel::County | RegionLevel::Township));
            let id = entries.len();
            entries.push(RegionEntry {
                code,
                chain,
                county,
            });
            let full = normalise(name);
            let mut names = vec![full.clone()];
            if let Some(short) = short_region_name(&full) {
                names.push(short);
            }
            for n in names {
                if n.chars().count() < 2 {
                    continue;
                }
                max_chars = max_chars.max(n.chars().count());
                let ids = by_name.entry(n).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        RegionIndex {
            entries,
            by_name,
            max_chars,
        }
    })
}

impl RegionIndex {
    fn within(&self, a: usize, b: usize) -> bool {
        match (self.entries.get(a), self.entries.get(b)) {
            (Some(ea), Some(eb)) => ea.chain.contains(&eb.code),
            _ => false,
        }
    }
}

/// One way to read a leading region chain off a stem.
#[derive(Debug, Clone)]
pub(crate) struct RegionOption {
    /// Byte offset in the stem where the body starts (0: no region).
    pub end: usize,
    /// Byte offset where the deepest region's name starts.
    pub deepest_start: usize,
    /// Region entry ids the deepest name may stand for.
    pub ids: Vec<usize>,
}

impl RegionOption {
    /// The codes the deepest name may stand for (鼓楼区 is in four cities).
    pub fn codes(&self) -> Vec<String> {
        let idx = region_index();
        self.ids
            .iter()
            .filter_map(|&i| idx.entries.get(i))
            .map(|e| e.code.to_string())
            .collect()
    }

    /// Whether every region the deepest name may stand for is at county level or below.
    pub fn is_county_level(&self) -> bool {
        let idx = region_index();
        self.ids
            .iter()
            .all(|&i| idx.entries.get(i).is_none_or(|e| e.county))
    }
}

/// How two region readings relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegionRelation {
    /// The same region (possibly 南京 vs 南京市).
    Same,
    /// One is within the other (江苏省南京市鼓楼区 vs 南京市).
    Nested,
    /// Neither contains the other.
    Different,
}

pub(crate) fn relate(a: &RegionOption, b: &RegionOption) -> RegionRelation {
    let idx = region_index();
    let mut nested = false;
    for &x in &a.ids {
        for &y in &b.ids {
            if x == y {
                return RegionRelation::Same;
            }
            if idx.within(x, y) || idx.within(y, x) {
                nested = true;
            }
        }
    }
    if nested {
        RegionRelation::Nested
    } else {
        RegionRelation::Different
    }
}

pub(super) fn region_options(stem: &str) -> Vec<RegionOption> {
    let idx = region_index();
    let mut out = vec![RegionOption {
        end: 0,
        deepest_start: 0,
        ids: Vec::new(),
    }];
    // Depth-first over chains of region names, each within the previous one.
    let mut stack: Vec<(usize, Vec<usize>, usize)> = vec![(0, Vec::new(), 0)];
    while let Some((pos, parent_ids, depth)) = stack.pop() {
        if depth >= 4 || out.len() > 16 {
            continue;
        }
        let rest = stem.get(pos..).unwrap_or("");
        let bounds: Vec<usize> = rest
            .char_indices()
            .map(|(i, _)| i)
            .skip(2)
            .chain(std::iter::once(rest.len()))
            .take(idx.max_chars.saturating_sub(1))
            .collect();
        for &b in bounds.iter().rev() {
            // Leave at least two characters of body.
            if rest.get(b..).is_none_or(|r| r.chars().count() < 2) {
                continue;
            }
            let Some(cand) = rest.get(..b) else { continue };
            let Some(ids) = idx.by_name.get(cand) else {
                continue;
            };
            let ids: Vec<usize> = if parent_ids.is_empty() {
                ids.clone()
            } else {
                ids.iter()
                    .copied()
                    .filter(|&i| parent_ids.iter().any(|&p| i != p && idx.within(i, p)))
                    .collect()
            };
            if ids.is_empty() {
                continue;
            }
            out.push(RegionOption {
                end: pos + b,
                deepest_start: pos,
                ids: ids.clone(),
            });
            stack.push((pos + b, ids, depth + 1));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_region_names() {
        assert_eq!(short_region_name("南京市").as_deref(), Some("南京"));
        assert_eq!(short_region_name("广西壮族自治区").as_deref(), Some("广西"));
        assert_eq!(
            short_region_name("恩施土家族苗族自治州").as_deref(),
            Some("恩施")
        );
        assert_eq!(
            short_region_name("新疆维吾尔自治区").as_deref(),
            Some("新疆")
        );
        assert_eq!(short_region_name("沙县"), None);
    }
}
