//! Decomposition of a normalised organisation name: leading region(s), 字号, industry word,
//! organisation form, branch designation. The leading region chain is read in
//! [`super::region_prefix`].

use super::normalise::normalise;
use super::region_prefix::{region_options, RegionOption};

/// Legal-form families. Forms of the same family name the same kind of body (有限公司 and
/// 有限责任公司 are both limited companies); forms of different families never match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// 有限公司, 有限责任公司, 股份有限公司, 股份公司, 公司.
    Company,
    /// 集团, 集团有限公司, 集团股份有限公司 …: a group is a different body from its subsidiaries.
    Group,
    /// 合伙企业（有限合伙）.
    LimitedPartnership,
    /// 合伙企业（普通合伙）.
    GeneralPartnership,
    /// （特殊普通合伙）.
    SpecialGeneralPartnership,
    /// 合伙企业 without a stated kind.
    Partnership,
    /// 个人独资企业.
    SoleProprietorship,
    /// 农民专业合作社, 专业合作社.
    FarmerCooperative,
    /// 股份经济合作社.
    ShareholdingCooperative,
    /// 经济合作社.
    EconomicCooperative,
    /// 联合社.
    CooperativeUnion,
    /// 合作社.
    Cooperative,
    /// 事务所, 厂, 店, 商行 …: the word itself must be identical.
    Establishment,
}

impl FormKind {
    /// Whether this is an enterprise form (a registered business, where the region prefix is
    /// an optional part of the name).
    pub fn is_enterprise(self) -> bool {
        !matches!(self, FormKind::Establishment)
    }
}

/// Organisation-form suffixes, longest first within each ending (the first match wins).
const FORMS: &[(&str, FormKind)] = &[
    ("集团股份有限公司", FormKind::Group),
    ("集团有限责任公司", FormKind::Group),
    ("集团有限公司", FormKind::Group),
    ("集团公司", FormKind::Group),
    ("股份有限公司", FormKind::Company),
    ("有限责任公司", FormKind::Company),
    ("有限公司", FormKind::Company),
    ("股份公司", FormKind::Company),
    ("公司", FormKind::Company),
    ("集团", FormKind::Group),
    ("个人独资企业", FormKind::SoleProprietorship),
    ("合伙企业", FormKind::Partnership),
    ("农民专业合作社", FormKind::FarmerCooperative),
    ("专业合作社", FormKind::FarmerCooperative),
    ("股份经济合作社", FormKind::ShareholdingCooperative),
    ("经济合作社", FormKind::EconomicCooperative),
    ("联合社", FormKind::CooperativeUnion),
    ("合作社", FormKind::Cooperative),
    ("事务所", FormKind::Establishment),
    ("经营部", FormKind::Establishment),
    ("门市部", FormKind::Establishment),
    ("工作室", FormKind::Establishment),
    ("商行", FormKind::Establishment),
    ("厂", FormKind::Establishment),
    ("店", FormKind::Establishment),
];

/// Partnership markers written in brackets after the form: （特殊普通合伙）…
const PARTNERSHIP_MARKERS: &[(&str, FormKind)] = &[
    ("特殊普通合伙", FormKind::SpecialGeneralPartnership),
    ("普通合伙", FormKind::GeneralPartnership),
    ("有限合伙", FormKind::LimitedPartnership),
];

/// Trailing annotations that say what the subject is rather than name it.
const ANNOTATIONS: &[&str] = &["个体工商户"];

/// Endings that make a name a branch (分支机构) of another body.
const BRANCH_SUFFIXES: &[&str] = &[
    "分公司",
    "支公司",
    "分理处",
    "营业部",
    "营业所",
    "办事处",
    "代表处",
    "分中心",
    "分行",
    "支行",
    "分店",
    "分厂",
    "分部",
    "分所",
    "分局",
    "分院",
    "分校",
    "分社",
    "分会",
    "分园",
    "分站",
];

/// Endings of institution names (机关, 事业单位, 社会组织 …): such a name is complete without
/// an enterprise form, so it never matches a company of the same words.
const INSTITUTION_ENDINGS: &[&str] = &[
    "院",
    "所",
    "中心",
    "局",
    "厅",
    "委员会",
    "委",
    "办公室",
    "政府",
    "法院",
    "检察院",
    "学校",
    "大学",
    "学院",
    "中学",
    "小学",
    "幼儿园",
    "站",
    "馆",
    "社",
    "会",
    "队",
    "处",
    "部",
    "厂",
    "店",
    "行",
    "场",
    "园",
    "室",
    "校",
    "台",
    "团",
];

/// Industry words (行业表述), matched as the longest suffix of the body. A body that is only
/// an industry word has no 字号 of its own (南京市建设工程有限公司).
const INDUSTRY: &[&str] = &[
    "建设工程监理",
    "建设工程",
    "建筑工程",
    "市政工程",
    "装饰工程",
    "安装工程",
    "工程监理",
    "工程咨询",
    "造价咨询",
    "勘察设计",
    "建筑装饰",
    "建筑劳务",
    "建设发展",
    "城市建设投资",
    "城市建设",
    "房地产开发",
    "房地产",
    "置业",
    "物业管理",
    "物业服务",
    "网络科技",
    "信息科技",
    "信息技术",
    "电子科技",
    "生物科技",
    "环保科技",
    "教育科技",
    "农业科技",
    "新能源科技",
    "科技发展",
    "科技",
    "技术",
    "显示技术",
    "电子商务",
    "电子",
    "微电子",
    "电器设备",
    "电气设备",
    "电器",
    "电气",
    "机械",
    "工程机械",
    "设备",
    "制造",
    "实业",
    "发展",
    "投资管理",
    "资产管理",
    "投资",
    "控股",
    "咨询",
    "管理咨询",
    "企业管理",
    "贸易",
    "商贸",
    "国际贸易",
    "文化传媒",
    "传媒",
    "广告",
    "餐饮管理",
    "餐饮",
    "食品",
    "医药",
    "药业",
    "医疗器械",
    "医疗",
    "环保",
    "环境",
    "能源",
    "新能源",
    "光能",
    "电力",
    "供电",
    "物流",
    "快递",
    "运输",
    "交通",
    "汽车销售",
    "汽车",
    "服务",
    "劳务",
    "人力资源",
    "教育",
    "农业",
    "林业",
    "渔业",
    "养殖",
    "种植",
    "建材",
    "装饰",
    "园林",
    "绿化",
    "安装",
    "机电",
    "化工",
    "化工材料",
    "纺织",
    "服装",
    "印刷",
    "包装",
    "酒店",
    "饭店",
    "旅游",
    "金融",
    "融资租赁",
    "担保",
    "保险",
    "证券",
    "银行",
    "农村商业银行",
    "商业银行",
    "租赁",
    "软件",
    "数据",
    "通信",
    "检测",
    "测绘",
    "设计",
    "规划",
    "酒业",
    "光电",
    "半导体",
    "热水器",
    "材料",
    "钢铁",
    "建筑",
    "工程",
    "便利",
    "小吃",
    "五金",
    "面馆",
    "医院",
    "中学",
    "小学",
    "大学",
    "幼儿园",
    "学校",
    "人民政府",
    "人民医院",
];

/// A name taken apart for comparison.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub norm: String,
    /// Byte offset of the end of the stem (the name without form, annotation, branch).
    pub stem_end: usize,
    /// Organisation form text and family.
    pub form: Option<(usize, usize, FormKind)>,
    /// Branch designation (byte range in `norm`).
    pub branch: Option<(usize, usize)>,
    /// Trailing annotation such as 个体工商户 (byte range).
    pub annotation: Option<(usize, usize)>,
    /// Readings of the leading region chain, the no-region reading first.
    pub regions: Vec<RegionOption>,
}

impl Parsed {
    pub fn stem(&self) -> &str {
        self.norm.get(..self.stem_end).unwrap_or("")
    }

    pub fn body(&self, opt: &RegionOption) -> &str {
        self.norm.get(opt.end..self.stem_end).unwrap_or("")
    }

    pub fn region_text(&self, opt: &RegionOption) -> &str {
        self.norm.get(..opt.end).unwrap_or("")
    }

    pub fn deepest_text(&self, opt: &RegionOption) -> &str {
        self.norm.get(opt.deepest_start..opt.end).unwrap_or("")
    }

    pub fn form_text(&self) -> Option<&str> {
        self.form.and_then(|(s, e, _)| self.norm.get(s..e))
    }

    pub fn form_kind(&self) -> Option<FormKind> {
        self.form.map(|f| f.2)
    }

    pub fn branch_text(&self) -> Option<&str> {
        self.branch.and_then(|(s, e)| self.norm.get(s..e))
    }

    /// A name of 2–4 Chinese characters without any form: read as a person's name.
    pub fn is_person_like(&self) -> bool {
        let n = self.norm.chars().count();
        self.form.is_none()
            && self.branch.is_none()
            && (2..=4).contains(&n)
            && self.norm.chars().all(is_han)
            && !self.ends_like_institution()
    }

    /// Whether the stem ends like a complete institution name (…研究院, …局, …医院).
    pub fn ends_like_institution(&self) -> bool {
        let stem = self.stem();
        INSTITUTION_ENDINGS.iter().any(|e| stem.ends_with(e))
    }
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

/// The longest industry word the body ends with, leaving the 字号 before it.
pub(crate) fn split_industry(body: &str) -> (&str, Option<&str>) {
    let mut best: Option<&str> = None;
    for w in INDUSTRY {
        if body.ends_with(w) && best.is_none_or(|b| w.len() > b.len()) {
            best = Some(w);
        }
    }
    match best {
        Some(w) => (body.get(..body.len() - w.len()).unwrap_or(""), Some(w)),
        None => (body, None),
    }
}

/// Whether a body has no 字号 of its own: only an industry word, or a 字号 of digits and
/// numerals alone.
pub(crate) fn is_generic_body(body: &str) -> bool {
    let (core, _) = split_industry(body);
    core.is_empty()
}

fn find_form(head: &str) -> Option<(usize, FormKind)> {
    // Returns the byte offset where the form starts.
    let mut end = head.len();
    let mut kind = None;
    for (m, k) in PARTNERSHIP_MARKERS {
        if head.len() > m.len() && head.ends_with(m) {
            end -= m.len();
            kind = Some(*k);
            break;
        }
    }
    let rest = head.get(..end).unwrap_or("");
    if let Some(k) = kind {
        // 合伙企业（有限合伙）: the form is both words; 会计师事务所（特殊普通合伙）: the marker only.
        if rest.len() > "合伙企业".len() && rest.ends_with("合伙企业") {
            return Some((end - "合伙企业".len(), k));
        }
        return Some((end, k));
    }
    for (f, k) in FORMS {
        if rest.ends_with(f) {
            let start = end - f.len();
            // The form must leave at least two characters of name.
            if rest.get(..start).is_some_and(|s| s.chars().count() >= 2) {
                return Some((start, *k));
            }
        }
    }
    None
}

/// Where the last enterprise form inside `s` ends (for splitting a branch off its head).
fn last_form_end(s: &str) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (f, k) in FORMS.iter().chain(PARTNERSHIP_MARKERS.iter()) {
        if !k.is_enterprise() {
            continue;
        }
        if let Some(pos) = s.rfind(f) {
            let end = pos + f.len();
            if pos > 0 && best.is_none_or(|b| end > b) {
                best = Some(end);
            }
        }
    }
    best
}

pub(crate) fn parse(name: &str) -> Parsed {
    parse_normalised(normalise(name))
}

pub(crate) fn parse_normalised(norm: String) -> Parsed {
    let mut end = norm.len();
    let mut annotation = None;
    for a in ANNOTATIONS {
        if norm.len() > a.len() + 3 && norm.ends_with(a) {
            annotation = Some((end - a.len(), end));
            end -= a.len();
            break;
        }
    }
    let mut branch = None;
    let head_all = norm.get(..end).unwrap_or("");
    for b in BRANCH_SUFFIXES {
        if head_all.ends_with(b) && head_all.chars().count() > b.chars().count() + 1 {
            let before = end - b.len();
            let start = head_all
                .get(..before)
                .and_then(last_form_end)
                .unwrap_or(before);
            branch = Some((start, end));
            end = start;
            break;
        }
    }
    let head = norm.get(..end).unwrap_or("");
    let form = find_form(head).map(|(s, k)| (s, end, k));
    let stem_end = form.map_or(end, |f| f.0);
    let regions = region_options(norm.get(..stem_end).unwrap_or(""));
    Parsed {
        stem_end,
        form,
        branch,
        annotation,
        regions,
        norm,
    }
}

/// A name taken apart: 〔地名〕〔字号〕〔行业〕〔组织形式〕〔分支机构〕.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NameParts {
    /// [`super::normalise`]d name.
    pub normalised: String,
    /// Leading region names (the longest chain read), e.g. `江苏省南京市`.
    pub region: Option<String>,
    /// Codes the deepest leading region name may stand for (鼓楼区 is in four cities).
    pub region_codes: Vec<String>,
    /// The 字号: the body without its industry word (may be empty for 南京市建设工程有限公司).
    pub core: String,
    /// The industry word, when it is one of the known ones.
    pub industry: Option<String>,
    /// The organisation form suffix as written (normalised), e.g. `有限责任公司`.
    pub form: Option<String>,
    /// Its family.
    pub form_kind: Option<FormKind>,
    /// Branch designation, e.g. `南京新街口分公司`.
    pub branch: Option<String>,
}

/// Takes a name apart (after [`super::normalise`]).
pub fn decompose(name: &str) -> NameParts {
    let p = parse(name);
    let opt = p.regions.iter().max_by_key(|o| o.end);
    let (region, region_codes, body) = match opt {
        Some(o) if o.end > 0 => (Some(p.region_text(o).to_string()), o.codes(), p.body(o)),
        _ => (None, Vec::new(), p.stem()),
    };
    let (core, industry) = split_industry(body);
    NameParts {
        region,
        region_codes,
        core: core.to_string(),
        industry: industry.map(str::to_string),
        form: p.form_text().map(str::to_string),
        form_kind: p.form_kind(),
        branch: p.branch_text().map(str::to_string),
        normalised: p.norm.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decomposes_company() {
        let p = decompose("江苏省南京市华泰科技有限责任公司");
        assert_eq!(p.region.as_deref(), Some("江苏省南京市"));
        assert_eq!(p.region_codes, vec!["320100".to_string()]);
        assert_eq!(p.core, "华泰");
        assert_eq!(p.industry.as_deref(), Some("科技"));
        assert_eq!(p.form.as_deref(), Some("有限责任公司"));
        assert_eq!(p.form_kind, Some(FormKind::Company));
        assert_eq!(p.branch, None);
    }

    #[test]
    fn decomposes_branch_and_partnership() {
        let p = decompose("苏宁易购集团股份有限公司（南京新街口分公司）");
        assert_eq!(p.form.as_deref(), Some("集团股份有限公司"));
        assert_eq!(p.form_kind, Some(FormKind::Group));
        assert_eq!(p.branch.as_deref(), Some("南京新街口分公司"));
        let p = decompose("南京高科新创投资管理合伙企业（有限合伙）");
        assert_eq!(p.form.as_deref(), Some("合伙企业有限合伙"));
        assert_eq!(p.form_kind, Some(FormKind::LimitedPartnership));
        assert_eq!(p.region.as_deref(), Some("南京"));
        let p = decompose("天衡会计师事务所（特殊普通合伙）");
        assert_eq!(p.form.as_deref(), Some("特殊普通合伙"));
        let p = decompose("南京市建设工程有限公司");
        assert_eq!(p.core, "");
        assert_eq!(p.industry.as_deref(), Some("建设工程"));
    }

    #[test]
    fn ambiguous_district_names() {
        let p = decompose("鼓楼区人民政府");
        assert_eq!(p.region_codes.len(), 4, "{:?}", p.region_codes);
        let p = decompose("南京市鼓楼区人民政府");
        assert_eq!(p.region_codes, vec!["320106".to_string()]);
    }
}
