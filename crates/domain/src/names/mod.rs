//! Explainable normalisation and fuzzy matching of Chinese organisation and person names,
//! for the check/intercept engine (自动比对、自动拦截).
//!
//! - [`normalise`] gives the canonical comparison form (NFKC, 繁→简, brackets, whitespace and
//!   punctuation removed, ASCII lower-cased).
//! - [`decompose`] takes a name apart: 〔地名〕〔字号〕〔行业〕〔组织形式〕〔分支机构〕.
//! - [`compare`] and [`compare_with_former`] give a score in `0..=1` with the reasons, each a stable
//!   snake_case code plus a Chinese sentence. A pair matches at [`DEFAULT_THRESHOLD`].
//! - [`blocking_keys`] gives keys an index can store so that every pair that can reach the
//!   threshold shares at least one key.
//!
//! ## Decisions (credit work: a false match blames the wrong body)
//! - Person names (2–4 Chinese characters, no organisation form) match only when equal after
//!   normalisation: 张伟 ≠ 张玮.
//! - The body of a name (everything between the leading region and the form) must be equal:
//!   南京市建设工程有限公司 ≠ 南京市建设工程监理有限公司; one added or changed character, a
//!   different industry word, 第一/第二 all fall below the threshold (score ≤ 0.7).
//! - A branch (分公司, 支行, 分所, 分局 …) never matches its head office or another branch.
//! - Forms of one family are the same kind of body (有限公司 ↔ 有限责任公司 ↔ 股份有限公司:
//!   the registration rules treat names differing only in form as the same name); different
//!   families do not match (集团 vs its subsidiary, 合伙企业 vs 公司, 厂 vs 公司).
//! - Regions: when both names state a region and neither region contains the other (南京市 vs
//!   苏州市, 南京市鼓楼区 vs 福州市鼓楼区), the score is capped at 0.5 — same 字号 in another
//!   city is presumed another body. A nested region (江苏省南京市 vs 南京市) or the short form
//!   (南京 vs 南京市) matches. A region left out on one side matches only for enterprise
//!   names with a 字号 of their own (南京华泰科技有限公司 ↔ 华泰科技有限公司), never for names
//!   that are only region + industry word (南京市建设工程有限公司) or for institutions
//!   (南京市第一中学 vs 第一中学, 南京市市场监督管理局 vs 市场监督管理局).

mod normalise;
mod parts;
mod region_prefix;
mod search;

pub use normalise::{normalise, normalise_with_folds, simplified_char, Folds};
pub use parts::{decompose, FormKind, NameParts};
pub use search::{
    query_grams, search_fold, search_grams, subject_grams, subject_search_text, GRAM_MAX,
};

use parts::{is_generic_body, parse_normalised, Parsed};
use region_prefix::{relate, RegionOption, RegionRelation};

/// Scores at or above this are a match.
pub const DEFAULT_THRESHOLD: f32 = 0.85;

/// Score factor when a name equals a former name rather than the current one.
const FORMER_FACTOR: f32 = 0.97;

/// Why two names match or not: a stable code for programs and a sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// 名称完全一致.
    Exact,
    /// Equal after [`normalise`].
    NormalisedEqual,
    /// Same family of organisation form, written differently (有限公司 vs 有限责任公司).
    SuffixDiffers,
    /// One name has no organisation form.
    FormMissing,
    /// Different kinds of body (集团 vs 公司, 合伙企业 vs 公司 …).
    FormDiffers,
    /// One name leaves the leading region out.
    RegionPrefixDropped,
    /// The same region written differently (南京 vs 南京市).
    RegionForm,
    /// One region contains the other (江苏省南京市 vs 南京市).
    RegionMoreSpecific,
    /// Both name a region and the regions differ.
    RegionDiffers,
    /// The name has no 字号 of its own, so the region cannot be left out or reinterpreted.
    GenericName,
    /// Branch vs head office, or two different branches.
    BranchDiffers,
    /// An annotation such as 个体工商户 on one side only.
    AnnotationDiffers,
    /// Matched through a former name (曾用名).
    FormerName,
    /// The bodies differ; similarity given.
    Partial,
    /// Person names differ.
    PersonName,
    /// A name is empty after normalisation.
    Empty,
}

impl ReasonCode {
    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::Exact => "exact",
            ReasonCode::NormalisedEqual => "normalised_equal",
            ReasonCode::SuffixDiffers => "suffix_differs",
            ReasonCode::FormMissing => "form_missing",
            ReasonCode::FormDiffers => "form_differs",
            ReasonCode::RegionPrefixDropped => "region_prefix_dropped",
            ReasonCode::RegionForm => "region_form",
            ReasonCode::RegionMoreSpecific => "region_more_specific",
            ReasonCode::RegionDiffers => "region_differs",
            ReasonCode::GenericName => "generic_name",
            ReasonCode::BranchDiffers => "branch_differs",
            ReasonCode::AnnotationDiffers => "annotation_differs",
            ReasonCode::FormerName => "former_name",
            ReasonCode::Partial => "partial",
            ReasonCode::PersonName => "person_name",
            ReasonCode::Empty => "empty",
        }
    }
}

/// One reason of a [`NameMatch`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatchReason {
    pub code: ReasonCode,
    /// Human-readable Chinese explanation.
    pub message: String,
}

impl MatchReason {
    fn new(code: ReasonCode, message: impl Into<String>) -> Self {
        MatchReason {
            code,
            message: message.into(),
        }
    }
}

/// The result of comparing two names.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NameMatch {
    /// `0..=1`; a match at or above [`DEFAULT_THRESHOLD`].
    pub score: f32,
    pub reasons: Vec<MatchReason>,
}

impl NameMatch {
    /// Whether the score reaches `threshold`.
    pub fn is_match(&self, threshold: f32) -> bool {
        self.score >= threshold
    }

    /// The reason codes, in order.
    pub fn codes(&self) -> Vec<&'static str> {
        self.reasons.iter().map(|r| r.code.as_str()).collect()
    }
}

/// Compares a queried name with a candidate's current name.
///
/// Symmetric in its score: `compare(a, b).score == compare(b, a).score`.
pub fn compare(query: &str, candidate: &str) -> NameMatch {
    let (na, fa) = normalise_with_folds(query);
    let (nb, fb) = normalise_with_folds(candidate);
    if na.is_empty() || nb.is_empty() {
        return NameMatch {
            score: 0.0,
            reasons: vec![MatchReason::new(
                ReasonCode::Empty,
                "名称为空或只含标点符号，无法比对",
            )],
        };
    }
    if query == candidate {
        return NameMatch {
            score: 1.0,
            reasons: vec![MatchReason::new(ReasonCode::Exact, "名称完全一致")],
        };
    }
    if na == nb {
        let mut folds = fa;
        folds.traditional |= fb.traditional;
        folds.width |= fb.width;
        folds.case |= fb.case;
        folds.brackets |= fb.brackets;
        folds.space_punct |= fb.space_punct;
        let labels = folds.labels();
        let msg = if labels.is_empty() {
            "规范化后一致".to_string()
        } else {
            format!("规范化后一致（统一了{}）", labels.join("、"))
        };
        return NameMatch {
            score: 0.98,
            reasons: vec![MatchReason::new(ReasonCode::NormalisedEqual, msg)],
        };
    }
    compare_parsed(&parse_normalised(na), &parse_normalised(nb))
}

/// Compares a queried name with a candidate's current name and its former names (曾用名); a
/// match through a former name says so (`former_name`, 与曾用名一致).
pub fn compare_with_former<S: AsRef<str>>(
    query: &str,
    candidate: &str,
    former_names: &[S],
) -> NameMatch {
    let mut best = compare(query, candidate);
    for f in former_names {
        let f = f.as_ref();
        if f.trim().is_empty() {
            continue;
        }
        let m = compare(query, f);
        let score = m.score * FORMER_FACTOR;
        if score > best.score {
            let msg = if score >= DEFAULT_THRESHOLD {
                format!("与曾用名“{f}”一致")
            } else {
                format!("与曾用名“{f}”相近")
            };
            let mut reasons = vec![MatchReason::new(ReasonCode::FormerName, msg)];
            reasons.extend(m.reasons);
            best = NameMatch { score, reasons };
        }
    }
    best
}

/// Keys for candidate lookup: every pair of names whose [`compare`] score can reach the
/// threshold shares at least one key (the body of the name under each reading of its
/// leading region, or the whole normalised name for a person). Index each current and former
/// name of a subject under all its keys; look a query up under all of its keys.
pub fn blocking_keys(name: &str) -> Vec<String> {
    let norm = normalise(name);
    if norm.is_empty() {
        return Vec::new();
    }
    let p = parse_normalised(norm);
    if p.is_person_like() {
        return vec![p.norm.clone()];
    }
    let mut keys: Vec<String> = Vec::with_capacity(p.regions.len());
    for o in &p.regions {
        let b = p.body(o);
        if !b.is_empty() && !keys.iter().any(|k| k == b) {
            keys.push(b.to_string());
        }
    }
    keys
}

fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(c) = cur.get_mut(j + 1) {
                *c = sub.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.get(b.len()).copied().unwrap_or(0)
}

/// `1 - edit distance / longer length`, over characters.
fn similarity(a: &str, b: &str) -> f32 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let n = a.len().max(b.len());
    if n == 0 {
        return 1.0;
    }
    1.0 - levenshtein(&a, &b) as f32 / n as f32
}

fn differs_message(x: &str, y: &str, sim: f32) -> String {
    let pct = (sim * 100.0).round();
    let extra = |long: &str, short: &str| -> Option<String> {
        if short.is_empty() || long.len() <= short.len() {
            return None;
        }
        long.find(short).map(|pos| {
            let before = long.get(..pos).unwrap_or("");
            let after = long.get(pos + short.len()..).unwrap_or("");
            format!("“{long}”比“{short}”多出“{before}{after}”")
        })
    };
    if let Some(m) = extra(x, y).or_else(|| extra(y, x)) {
        return format!("名称主体不同：{m}（相似度 {pct}%）");
    }
    let xc: Vec<char> = x.chars().collect();
    let yc: Vec<char> = y.chars().collect();
    if xc.len() == yc.len() {
        let diffs: Vec<String> = xc
            .iter()
            .zip(&yc)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("“{a}”≠“{b}”"))
            .collect();
        if !diffs.is_empty() && diffs.len() <= 3 {
            return format!(
                "名称主体不同：“{x}”与“{y}”，{}（相似度 {pct}%）",
                diffs.join("、")
            );
        }
    }
    format!("名称主体不同：“{x}”与“{y}”（相似度 {pct}%）")
}

struct Outcome {
    factor: f32,
    cap: f32,
    reasons: Vec<MatchReason>,
}

impl Outcome {
    fn new() -> Self {
        Outcome {
            factor: 1.0,
            cap: 1.0,
            reasons: Vec::new(),
        }
    }
    fn penalise(&mut self, factor: f32, code: ReasonCode, msg: String) {
        self.factor *= factor;
        self.reasons.push(MatchReason::new(code, msg));
    }
    fn limit(&mut self, cap: f32, code: ReasonCode, msg: String) {
        self.cap = self.cap.min(cap);
        self.reasons.push(MatchReason::new(code, msg));
    }
    fn score(&self) -> f32 {
        self.factor.min(self.cap).clamp(0.0, 1.0)
    }
}

fn is_enterprise(p: &Parsed) -> bool {
    p.form_kind().is_some_and(FormKind::is_enterprise)
}

fn region_outcome(
    a: &Parsed,
    oa: &RegionOption,
    b: &Parsed,
    ob: &RegionOption,
    body: &str,
) -> Outcome {
    let mut o = Outcome::new();
    let generic = is_generic_body(body);
    match (oa.end == 0, ob.end == 0) {
        (true, true) => {}
        (false, true) | (true, false) => {
            let r = if oa.end == 0 {
                b.region_text(ob)
            } else {
                a.region_text(oa)
            };
            o.reasons.push(MatchReason::new(
                ReasonCode::RegionPrefixDropped,
                format!("一方省略了地名“{r}”"),
            ));
            if generic {
                o.limit(
                    0.6,
                    ReasonCode::GenericName,
                    format!("“{body}”中除地名外没有字号，地名不能省略"),
                );
            } else if !(is_enterprise(a) || is_enterprise(b)) {
                o.limit(
                    0.6,
                    ReasonCode::RegionPrefixDropped,
                    "机关、事业单位、个体工商户等名称中的地名是名称的一部分，不能省略".to_string(),
                );
            } else {
                o.factor *= 0.93;
            }
        }
        (false, false) => {
            let (ra, rb) = (a.region_text(oa), b.region_text(ob));
            let (da, db) = (a.deepest_text(oa), b.deepest_text(ob));
            match relate(oa, ob) {
                RegionRelation::Same if ra == rb => {}
                RegionRelation::Nested
                    if !(is_enterprise(a) || is_enterprise(b))
                        && (a.ends_like_institution() || b.ends_like_institution()) =>
                {
                    o.limit(
                        0.5,
                        ReasonCode::RegionDiffers,
                        format!(
                            "机关、事业单位名称中的地名层级不同：“{ra}”与“{rb}”，属不同层级的单位"
                        ),
                    );
                }
                RegionRelation::Same
                    if generic
                        && da != db
                        && (oa.is_county_level()
                            || ob.is_county_level()
                            || !(is_enterprise(a) || is_enterprise(b))) =>
                {
                    o.limit(
                        0.6,
                        ReasonCode::GenericName,
                        format!(
                            "“{body}”中没有字号，地名“{da}”与“{db}”写法不同时不能认定为同一主体"
                        ),
                    );
                }
                RegionRelation::Nested if generic && da != db => {
                    o.limit(
                        0.6,
                        ReasonCode::GenericName,
                        format!(
                            "“{body}”中没有字号，地名“{ra}”与“{rb}”写法不同时不能认定为同一主体"
                        ),
                    );
                }
                RegionRelation::Same if da == db => {
                    o.penalise(
                        0.97,
                        ReasonCode::RegionMoreSpecific,
                        format!("地名详略不同：“{ra}”与“{rb}”（同一地区）"),
                    );
                }
                RegionRelation::Same => {
                    o.penalise(
                        0.98,
                        ReasonCode::RegionForm,
                        format!("地名写法不同：“{ra}”与“{rb}”（同一地区）"),
                    );
                }
                RegionRelation::Nested => {
                    o.penalise(
                        0.95,
                        ReasonCode::RegionMoreSpecific,
                        format!("地名详略不同：“{ra}”与“{rb}”（同一辖区内）"),
                    );
                }
                RegionRelation::Different => {
                    o.limit(
                        0.5,
                        ReasonCode::RegionDiffers,
                        format!("地名不同：“{ra}”与“{rb}”，字号相同但所在地不同，推定为不同主体"),
                    );
                }
            }
        }
    }
    o
}

fn compare_parsed(a: &Parsed, b: &Parsed) -> NameMatch {
    if a.is_person_like() || b.is_person_like() {
        let sim = similarity(&a.norm, &b.norm);
        return NameMatch {
            score: 0.5 * sim,
            reasons: vec![MatchReason::new(
                ReasonCode::PersonName,
                format!("个人姓名须规范化后完全一致：“{}”与“{}”不同", a.norm, b.norm),
            )],
        };
    }
    let mut o = Outcome::new();

    match (a.branch_text(), b.branch_text()) {
        (None, None) => {}
        (Some(x), Some(y)) if x == y => {}
        (Some(x), Some(y)) => o.limit(
            0.4,
            ReasonCode::BranchDiffers,
            format!("分支机构不同：“{x}”与“{y}”"),
        ),
        (Some(x), None) | (None, Some(x)) => o.limit(
            0.4,
            ReasonCode::BranchDiffers,
            format!("一方是分支机构“{x}”，另一方不是：分支机构与总机构是不同主体"),
        ),
    }

    if a.annotation.is_some() != b.annotation.is_some() {
        o.penalise(
            0.97,
            ReasonCode::AnnotationDiffers,
            "一方带有“个体工商户”标注".to_string(),
        );
    }

    match (a.form_kind(), b.form_kind()) {
        (None, None) => {}
        (Some(ka), Some(kb)) => {
            let (ta, tb) = (a.form_text().unwrap_or(""), b.form_text().unwrap_or(""));
            if ta == tb {
            } else if ka == kb && ka != FormKind::Establishment {
                o.penalise(
                    0.94,
                    ReasonCode::SuffixDiffers,
                    format!("组织形式写法不同：“{ta}”与“{tb}”（同类）"),
                );
            } else {
                o.limit(
                    0.6,
                    ReasonCode::FormDiffers,
                    format!("组织形式不同：“{ta}”与“{tb}”，属不同类型的主体"),
                );
            }
        }
        (Some(k), None) | (None, Some(k)) => {
            let (with, bare) = if a.form.is_some() { (a, b) } else { (b, a) };
            let t = with.form_text().unwrap_or("");
            if k == FormKind::Company && !bare.ends_like_institution() {
                o.penalise(
                    0.9,
                    ReasonCode::FormMissing,
                    format!("一方缺少组织形式“{t}”"),
                );
            } else {
                o.limit(
                    0.6,
                    ReasonCode::FormDiffers,
                    format!("一方有组织形式“{t}”，另一方没有，属不同类型的主体"),
                );
            }
        }
    }

    // The best reading of the leading regions under which the bodies are equal.
    let mut best: Option<Outcome> = None;
    for oa in &a.regions {
        let ba = a.body(oa);
        for ob in &b.regions {
            if ba.is_empty() || ba != b.body(ob) {
                continue;
            }
            let r = region_outcome(a, oa, b, ob, ba);
            if best.as_ref().is_none_or(|x| r.score() > x.score()) {
                best = Some(r);
            }
        }
    }
    match best {
        Some(r) => {
            o.factor *= r.factor;
            o.cap = o.cap.min(r.cap);
            o.reasons.extend(r.reasons);
        }
        None => {
            let mut top = (-1.0f32, "", "");
            for oa in &a.regions {
                for ob in &b.regions {
                    let (x, y) = (a.body(oa), b.body(ob));
                    let s = similarity(x, y);
                    if s > top.0 {
                        top = (s, x, y);
                    }
                }
            }
            let sim = top.0.max(0.0);
            let msg = differs_message(top.1, top.2, sim);
            o.limit(0.7 * sim, ReasonCode::Partial, msg);
        }
    }
    if o.reasons.is_empty() {
        o.reasons.push(MatchReason::new(
            ReasonCode::NormalisedEqual,
            "规范化后一致",
        ));
    }
    NameMatch {
        score: o.score(),
        reasons: o.reasons,
    }
}

/// One pair the matcher got wrong.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Misclassified {
    /// 1-based line in the CSV.
    pub line: usize,
    pub query: String,
    pub candidate: String,
    pub former_names: Vec<String>,
    /// The label: `true` = match.
    pub expected: bool,
    pub score: f32,
    pub reasons: Vec<MatchReason>,
    pub note: String,
}

/// Precision and recall of [`compare_with_former`] on a labelled set.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EvalReport {
    pub pairs: usize,
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub fn_: usize,
    pub precision: f64,
    pub recall: f64,
    pub misclassified: Vec<Misclassified>,
    /// Lines that could not be read (line number and why).
    pub errors: Vec<(usize, String)>,
}

/// Splits CSV text (RFC 4180 quoting) into records with the line each starts on.
fn parse_csv(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut rec: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut start_line = 1;
    let mut chars = text.chars().peekable();
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                at_start = false;
            }
            ',' => {
                rec.push(std::mem::take(&mut field));
                at_start = false;
            }
            '\r' => {}
            '\n' => {
                if !at_start || !field.is_empty() {
                    rec.push(std::mem::take(&mut field));
                    out.push((start_line, std::mem::take(&mut rec)));
                }
                line += 1;
                start_line = line;
                at_start = true;
            }
            _ => {
                field.push(c);
                at_start = false;
            }
        }
    }
    if !at_start || !field.is_empty() {
        rec.push(field);
        out.push((start_line, rec));
    }
    out
}

/// Runs [`compare_with_former`] over a labelled CSV with the header
/// `query,candidate,former_names,expected,note` (`former_names` separated by `|`, `expected`
/// `match` or `no_match`) and counts the outcome at `threshold`.
pub fn evaluate(csv: &str, threshold: f32) -> EvalReport {
    let mut r = EvalReport {
        pairs: 0,
        tp: 0,
        fp: 0,
        tn: 0,
        fn_: 0,
        precision: 0.0,
        recall: 0.0,
        misclassified: Vec::new(),
        errors: Vec::new(),
    };
    for (i, (line, rec)) in parse_csv(csv).into_iter().enumerate() {
        if i == 0 && rec.first().map(String::as_str) == Some("query") {
            continue;
        }
        let [query, candidate, former, expected, note] = match <[String; 5]>::try_from(rec) {
            Ok(f) => f,
            Err(v) => {
                r.errors
                    .push((line, format!("应有 5 列，实有 {} 列", v.len())));
                continue;
            }
        };
        let expected = match expected.as_str() {
            "match" => true,
            "no_match" => false,
            other => {
                r.errors.push((
                    line,
                    format!("expected 列应为 match 或 no_match，实为“{other}”"),
                ));
                continue;
            }
        };
        let former_names: Vec<String> = former
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let m = compare_with_former(&query, &candidate, &former_names);
        let got = m.is_match(threshold);
        r.pairs += 1;
        match (expected, got) {
            (true, true) => r.tp += 1,
            (false, true) => r.fp += 1,
            (false, false) => r.tn += 1,
            (true, false) => r.fn_ += 1,
        }
        if expected != got {
            r.misclassified.push(Misclassified {
                line,
                query,
                candidate,
                former_names,
                expected,
                score: m.score,
                reasons: m.reasons,
                note,
            });
        }
    }
    r.precision = if r.tp + r.fp == 0 {
        1.0
    } else {
        r.tp as f64 / (r.tp + r.fp) as f64
    };
    r.recall = if r.tp + r.fn_ == 0 {
        1.0
    } else {
        r.tp as f64 / (r.tp + r.fn_) as f64
    };
    r
}

/// The labelled evaluation set shipped in `data/names/eval.csv`.
pub const EVAL_SET: &str = include_str!("../../../../data/names/eval.csv");

#[cfg(test)]
mod tests;
