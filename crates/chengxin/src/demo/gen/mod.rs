//! The demo generator: a fixed-seed ChaCha8 stream per part, drawing from the tables in
//! `data/demo/` (see [`super::tables`]); subjects in `subjects`, records in the other modules.

mod enforcement;
mod gov_conduct;
mod officials;
mod subjects;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Result};
use chengxin_domain::catalog::{Catalog, FieldValue, FieldValues, RecordType, Severity};
use chengxin_domain::codes::{id_number, org_code, uscc};
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::SubjectKind;
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::tables::{tables, Ind, Level, Tables};
use super::{DemoData, DemoEmployment, DemoRecord, DemoSubject};

/// Seed of the generator ("CHENGXIN").
const SEED: u64 = 0x4348_454E_4758_494E;

/// Positions of the levels in `bodies.toml` (checked when the tables are loaded).
const CITY: usize = 0;
const LIYANG: usize = 1;
const WUJIN: usize = 2;

/// Builds the demo data set for `today` (deterministic: same `today`, same data).
pub fn build(today: NaiveDate) -> Result<DemoData> {
    if today < date(2024, 1, 1) {
        bail!("演示数据需要当前日期不早于2024-01-01（当前为{today}）");
    }
    let catalog = Catalog::default_checked().map_err(|e| anyhow!("默认目录无法加载：{e}"))?;
    let mut g = Gen::new(tables()?, today)?;
    g.bodies()?;
    g.persons()?;
    g.enterprises()?;
    g.social_orgs()?;
    g.records(catalog)?;
    Ok(DemoData {
        subjects: g.subjects,
        employments: g.employments,
        records: g.records,
    })
}

// ------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------

/// A literal date (the literals in this file are all valid).
pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) fn plus_days(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(TimeDelta::days(days)).unwrap_or(d)
}

/// Saturday and Sunday move back to Friday.
fn weekday_back(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => plus_days(d, -1),
        Weekday::Sun => plus_days(d, -2),
        _ => d,
    }
}

/// A decimal amount of 万元 from yuan (scale ≤ 4).
fn wan(yuan: u64) -> String {
    let int = yuan / 10_000;
    let frac = yuan % 10_000;
    if frac == 0 {
        int.to_string()
    } else {
        let f = format!("{frac:04}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

/// A decimal amount of 元 from fen.
fn yuan(fen: u64) -> String {
    let int = fen / 100;
    let frac = fen % 100;
    if frac == 0 {
        int.to_string()
    } else {
        let f = format!("{frac:02}");
        format!("{int}.{}", f.trim_end_matches('0'))
    }
}

/// The amount written in Chinese style for texts: `12.5万元`.
fn wan_text(yuan: u64) -> String {
    format!("{}万元", wan(yuan))
}

pub(super) fn normalized(v: &FieldValue) -> String {
    match v {
        FieldValue::Empty => String::new(),
        FieldValue::Text(s)
        | FieldValue::Decimal(s)
        | FieldValue::Enum(s)
        | FieldValue::Code(s) => s.clone(),
        FieldValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        FieldValue::Integer(i) => i.to_string(),
    }
}

/// Metadata the generator keeps per subject (not stored).
#[derive(Debug, Clone, Default)]
struct Meta {
    level: usize,
    role: &'static str,
    abbr: String,
    ind: Option<Ind>,
    legal_rep: Option<String>,
}

/// A record before validation.
struct Draft {
    type_code: &'static str,
    subject: usize,
    source: usize,
    doc_no: String,
    date: NaiveDate,
    fields: Vec<(&'static str, String)>,
    severity: Option<Severity>,
    submitted: bool,
}

// ------------------------------------------------------------------------------------------------
// The generator
// ------------------------------------------------------------------------------------------------

struct Gen {
    /// The tables the generator draws from.
    t: &'static Tables,
    /// The levels of government (`t.bodies.level`).
    levels: &'static [Level],
    rng: ChaCha8Rng,
    today: NaiveDate,
    start: NaiveDate,
    /// Latest decision date.
    end: NaiveDate,
    subjects: Vec<DemoSubject>,
    meta: Vec<Meta>,
    employments: Vec<DemoEmployment>,
    records: Vec<DemoRecord>,
    used_codes: BTreeSet<String>,
    used_names: BTreeSet<String>,
    used_trade: BTreeSet<String>,
    /// (level, role) → subject index.
    roles: BTreeMap<(usize, &'static str), usize>,
    towns: Vec<usize>,
    institutions: Vec<usize>,
    persons: Vec<usize>,
    companies: Vec<usize>,
    shops: Vec<usize>,
    social: Vec<usize>,
    counters: BTreeMap<(usize, String, i32), u32>,
    /// Name → USCC of the bodies the shipped configuration names (`data/measures/bodies.toml`,
    /// `data/authority/delegations.toml`): the demo gives those bodies these codes, so that the
    /// shipped configuration and the demo data agree.
    shipped: BTreeMap<String, String>,
}

/// The bodies of the shipped configuration by name (a trailing `（…）` note, such as
/// `（市信用办）`, dropped): the implementing departments, and the submitters and bodies of
/// the delegations. A name given two codes is an error.
fn shipped_bodies() -> Result<BTreeMap<String, String>> {
    let bodies = chengxin_domain::lists::bodies::DepartmentBodies::default_checked()
        .map_err(|e| anyhow!("实施部门配置无法读取：{e}"))?;
    let delegations = chengxin_domain::authority::Delegations::default_checked()
        .map_err(|e| anyhow!("授权代报配置无法读取：{e}"))?;
    let mut out = BTreeMap::new();
    let named = bodies
        .bodies()
        .iter()
        .map(|b| (b.name.as_str(), b.uscc.as_str()))
        .chain(delegations.all().iter().flat_map(|d| {
            std::iter::once((d.name.as_str(), d.submitter.as_str()))
                .chain(d.bodies.iter().map(|b| (b.name.as_str(), b.uscc.as_str())))
        }));
    for (name, code) in named {
        let name = shipped_name(name).to_string();
        if let Some(other) = out.insert(name.clone(), code.to_string()) {
            if other != code {
                bail!("配置文件给“{name}”两个不同的统一社会信用代码：{other}、{code}");
            }
        }
    }
    Ok(out)
}

/// A shipped body's name without its trailing `（…）` note.
pub(super) fn shipped_name(name: &str) -> &str {
    match name.find('（') {
        Some(i) if name.ends_with('）') => &name[..i],
        _ => name,
    }
}

impl Gen {
    fn new(t: &'static Tables, today: NaiveDate) -> Result<Self> {
        Ok(Gen {
            t,
            levels: &t.bodies.level,
            rng: ChaCha8Rng::seed_from_u64(SEED),
            today,
            start: t.records.start,
            end: plus_days(today, -2),
            subjects: Vec::new(),
            meta: Vec::new(),
            employments: Vec::new(),
            records: Vec::new(),
            used_codes: BTreeSet::new(),
            used_names: BTreeSet::new(),
            used_trade: BTreeSet::new(),
            roles: BTreeMap::new(),
            towns: Vec::new(),
            institutions: Vec::new(),
            persons: Vec::new(),
            companies: Vec::new(),
            shops: Vec::new(),
            social: Vec::new(),
            counters: BTreeMap::new(),
            shipped: shipped_bodies()?,
        })
    }

    /// The code of a body: the shipped configuration's for a body it names, else a new one.
    /// A code is drawn either way, so the random stream (and every other subject) stays the
    /// same.
    fn body_code(
        &mut self,
        name: &str,
        dept_cat: &str,
        region: &str,
        org_lead: &str,
    ) -> Result<String> {
        let drawn = self.uscc(dept_cat, region, org_lead)?;
        match self.shipped.get(name) {
            Some(code) => {
                self.used_codes.insert(code.clone());
                Ok(code.clone())
            }
            None => Ok(drawn),
        }
    }

    // ---- randomness ---------------------------------------------------------------------

    /// Starts an independent random stream, so that what one part draws (which may depend on
    /// `today`) never shifts the others: the subjects are the same whatever the day.
    fn reseed(&mut self, stream: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(SEED ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    }

    fn n(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.gen_range(lo..=hi)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> Result<T> {
        self.pick_ref(items).copied()
    }

    /// One of `items` by reference (the same draw as [`Gen::pick`]).
    fn pick_ref<'s, T>(&mut self, items: &'s [T]) -> Result<&'s T> {
        if items.is_empty() {
            bail!("演示数据生成：候选集合为空");
        }
        let i = self.rng.gen_range(0..items.len());
        Ok(&items[i])
    }

    /// One of the strings of a table.
    fn pick_str(&mut self, items: &'static [String]) -> Result<&'static str> {
        self.pick_ref(items).map(String::as_str)
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        plus_days(from, self.rng.gen_range(0..=span))
    }

    /// `n` decision dates, sorted, spread from 2023-01 to shortly before today, some on the
    /// working days around Spring Festival.
    fn decision_dates(&mut self, n: usize) -> Vec<NaiveDate> {
        let festival: Vec<NaiveDate> = self
            .t
            .records
            .spring_festival_days
            .iter()
            .copied()
            .filter(|d| *d <= self.end)
            .collect();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let d = if !festival.is_empty() && self.chance(0.1) {
                festival[self.rng.gen_range(0..festival.len())]
            } else {
                weekday_back(self.date_between(self.start, self.end)).max(self.start)
            };
            out.push(d);
        }
        out.sort();
        out
    }

    /// Moves the last `k` dates to the last few days before `end`: freshly decided records,
    /// some of them still only submitted.
    fn recent_tail(&mut self, dates: &mut [NaiveDate], k: usize) {
        let n = dates.len();
        for d in dates.iter_mut().skip(n.saturating_sub(k)) {
            let back = self.rng.gen_range(0..=4);
            *d = weekday_back(plus_days(self.end, -back)).max(self.start);
        }
        dates.sort();
    }

    /// Next number of a document series (source, series, year): increasing, with gaps.
    fn next_no(&mut self, source: usize, series: &str, year: i32) -> u32 {
        let init = self.rng.gen_range(1..=30);
        let step = self.rng.gen_range(1..=9);
        let c = self
            .counters
            .entry((source, series.to_string(), year))
            .or_insert(init);
        *c += step;
        *c
    }

    // ---- codes and names ----------------------------------------------------------------

    /// A fresh USCC: `dept_cat` (e.g. `11`, `91`), the region, a generated organisation code
    /// with its GB 11714 check character, and the GB 32100 check character.
    fn uscc(&mut self, dept_cat: &str, region: &str, org_lead: &str) -> Result<String> {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
        loop {
            let mut body = org_lead.to_string();
            while body.len() < 8 {
                let c = if org_lead.starts_with('M') {
                    ALNUM[self.rng.gen_range(0..ALNUM.len())]
                } else {
                    b'0' + self.rng.gen_range(0..10u8)
                };
                body.push(char::from(c));
            }
            let check =
                org_code::check_char(&body).ok_or_else(|| anyhow!("组织机构代码生成失败"))?;
            let first17 = format!("{dept_cat}{region}{body}{check}");
            let c18 =
                uscc::check_char(&first17).ok_or_else(|| anyhow!("统一社会信用代码生成失败"))?;
            let code = format!("{first17}{c18}");
            if self.used_codes.insert(code.clone()) {
                return Ok(code);
            }
        }
    }

    /// A fresh 18-digit ID number.
    fn id_number(&mut self, region: &str, birth: NaiveDate, male: bool) -> Result<String> {
        loop {
            let seq = self.rng.gen_range(0..50u32) * 2 + u32::from(male);
            let seq = seq + self.rng.gen_range(0..10u32) * 100;
            let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), seq % 1000);
            let c = id_number::check_char(&first17).ok_or_else(|| anyhow!("身份证号生成失败"))?;
            let id = format!("{first17}{c}");
            if self.used_codes.insert(id.clone()) {
                return Ok(id);
            }
        }
    }

    /// A fresh fictional person name.
    fn person_name(&mut self, male: bool) -> Result<String> {
        loop {
            let n = &self.t.names;
            let surname = self.pick_str(&n.surnames)?;
            let last = if male {
                self.pick_str(&n.male_chars)?
            } else {
                self.pick_str(&n.female_chars)?
            };
            let name = if self.chance(0.35) {
                format!("{surname}{last}")
            } else {
                let mid = self.pick_str(&self.t.names.middle_chars)?;
                format!("{surname}{mid}{last}")
            };
            if self.used_names.insert(name.clone()) {
                return Ok(name);
            }
        }
    }

    /// Any fictional person name (not a subject): legal representatives, deputies.
    fn any_name(&mut self) -> Result<String> {
        let male = self.chance(0.65);
        self.person_name(male)
    }

    /// A fresh trade name (字号).
    fn trade_name(&mut self) -> Result<String> {
        loop {
            let t = if self.chance(0.12) {
                self.pick_str(&self.t.names.trade_local)?.to_string()
            } else {
                let n = &self.t.names;
                format!(
                    "{}{}",
                    self.pick_str(&n.trade_a)?,
                    self.pick_str(&n.trade_b)?
                )
            };
            if self.used_trade.insert(t.clone()) {
                return Ok(t);
            }
        }
    }

    fn add_subject(&mut self, s: DemoSubject, meta: Meta) -> Result<usize> {
        if let Some(p) = s.parent {
            if p >= self.subjects.len() {
                bail!("上级主体必须先于下级创建：{}", s.name);
            }
        }
        self.subjects.push(s);
        self.meta.push(meta);
        Ok(self.subjects.len() - 1)
    }

    fn role(&self, level: usize, role: &str) -> Result<usize> {
        self.roles
            .get(&(level, role))
            .copied()
            .ok_or_else(|| anyhow!("演示数据缺少机构 {level}/{role}"))
    }

    fn name(&self, i: usize) -> String {
        self.subjects
            .get(i)
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    fn code_of(&self, i: usize) -> String {
        self.subjects
            .get(i)
            .and_then(|s| s.uscc.clone())
            .unwrap_or_default()
    }

    fn meta_of(&self, i: usize) -> Meta {
        self.meta.get(i).cloned().unwrap_or_default()
    }

    // ---- people at bodies ---------------------------------------------------------------

    /// Where a person worked on `day`, and as what.
    fn job_at(&self, person: usize, day: NaiveDate) -> Option<(usize, String)> {
        self.employments
            .iter()
            .filter(|e| e.person == person && e.start <= day && e.end.is_none_or(|x| day <= x))
            .map(|e| (e.body, e.post.clone()))
            .next_back()
    }

    /// The most senior person at `body` on `day` (for 责任人 fields).
    fn head_at(&self, body: usize, day: NaiveDate) -> Option<String> {
        let ladder = self.ladder(body);
        self.employments
            .iter()
            .filter(|e| e.body == body && e.start <= day && e.end.is_none_or(|x| day <= x))
            .max_by_key(|e| ladder.iter().position(|p| *p == e.post).unwrap_or(0))
            .map(|e| self.name(e.person))
    }

    /// A civil-servant rank (职级) matching a post.
    fn rank_for(post: &str) -> &'static str {
        if post.ends_with("局长") && !post.starts_with('副') || post == "镇长" || post == "庭长"
        {
            "一级调研员"
        } else if post.starts_with('副') && (post.ends_with('长') || post.ends_with("主任")) {
            "二级调研员"
        } else if post.ends_with("科长") || post.ends_with("主任") || post == "审判员" {
            "二级主任科员"
        } else {
            "一级科员"
        }
    }

    /// A company with one of the industries (any company if none has).
    fn company_in(&mut self, inds: &[Ind]) -> Result<usize> {
        let pool: Vec<usize> = self
            .companies
            .iter()
            .copied()
            .filter(|&c| self.meta[c].ind.is_some_and(|i| inds.contains(&i)))
            .collect();
        if pool.is_empty() {
            let all = self.companies.clone();
            self.pick(&all)
        } else {
            self.pick(&pool)
        }
    }

    /// A negative-record-worthy government body: department, township, zone or government.
    fn gov_body(&mut self, levels: &[usize]) -> Result<usize> {
        let pool: Vec<usize> = (0..self.subjects.len())
            .filter(|&i| {
                self.subjects[i].kind == SubjectKind::GovBody
                    && levels.contains(&self.meta[i].level)
                    && !matches!(self.meta[i].role, "court" | "jw" | "zzb")
            })
            .collect();
        self.pick(&pool)
    }

    /// A government body of one of `roles` (`town` = 乡镇/街道/园区) on one of `levels`.
    fn body_by_roles<R: AsRef<str>>(&mut self, levels: &[usize], roles: &[R]) -> Result<usize> {
        let pool: Vec<usize> = (0..self.subjects.len())
            .filter(|&i| {
                self.subjects[i].kind == SubjectKind::GovBody
                    && levels.contains(&self.meta[i].level)
                    && roles.iter().any(|r| r.as_ref() == self.meta[i].role)
            })
            .collect();
        if pool.is_empty() {
            self.gov_body(levels)
        } else {
            self.pick(&pool)
        }
    }

    fn source_for(&mut self, subject: usize, role: &str) -> Result<usize> {
        let level = self.meta_of(subject).level;
        let level = if level != CITY && self.chance(0.2) {
            CITY
        } else {
            level
        };
        self.role(level, role)
    }

    // ---- records ------------------------------------------------------------------------

    fn records(&mut self, catalog: &Catalog) -> Result<()> {
        self.reseed(101);
        self.admin_licenses(catalog)?;
        self.reseed(102);
        self.admin_penalties(catalog)?;
        self.reseed(103);
        self.court_judgments(catalog)?;
        self.reseed(104);
        self.refusals(catalog)?;
        self.reseed(105);
        self.dishonest_debtors(catalog)?;
        self.reseed(106);
        self.sanctions(catalog)?;
        self.reseed(107);
        self.accountability(catalog)?;
        self.reseed(108);
        self.appraisals(catalog)?;
        self.reseed(109);
        self.commendations(catalog)?;
        self.reseed(110);
        self.procurement(catalog)?;
        self.reseed(111);
        self.arrears(catalog)?;
        self.reseed(112);
        self.ppp(catalog)?;
        self.reseed(113);
        self.investment(catalog)?;
        self.reseed(114);
        self.statistics(catalog)?;
        self.reseed(115);
        self.complaints(catalog)?;
        self.reseed(116);
        self.audits(catalog)?;
        self.reseed(117);
        self.proposals(catalog)?;
        self.reseed(118);
        self.commitment_breaches(catalog)?;
        Ok(())
    }

    /// Validates a draft against its catalog type and stores it.
    fn finish(&mut self, catalog: &Catalog, d: Draft) -> Result<()> {
        let rt: &RecordType = catalog
            .get(d.type_code)
            .ok_or_else(|| anyhow!("目录中没有类型 {}", d.type_code))?;
        let subject = self
            .subjects
            .get(d.subject)
            .ok_or_else(|| anyhow!("记录主体不存在"))?
            .clone();
        if !rt.subject_kinds.contains(&subject.kind) {
            bail!(
                "{}：主体“{}”的类别{}不在该类型允许的主体类别中",
                rt.code,
                subject.name,
                subject.kind.as_str()
            );
        }
        let mut raw: BTreeMap<String, String> = BTreeMap::new();
        raw.insert(rt.subject.name_field.clone(), subject.name.clone());
        if let (Some(f), Some(code)) = (&rt.subject.uscc_field, &subject.uscc) {
            raw.insert(f.clone(), code.clone());
        }
        if let (Some(f), Some(masked)) = (&rt.subject.id_number_field, &subject.id_masked) {
            raw.insert(f.clone(), masked.clone());
            if let Some(t) = &rt.subject.id_type_field {
                raw.insert(t.clone(), "01".into());
            }
        }
        if let Some(f) = &rt.subject.kind_field {
            let category = if subject.kind.is_person() {
                "natural_person"
            } else if subject.uscc.as_deref().is_some_and(|c| c.starts_with("92")) {
                "individual_business"
            } else {
                "legal_person"
            };
            raw.insert(f.clone(), category.into());
        }
        raw.insert(rt.key_field.clone(), d.doc_no.clone());
        raw.insert(
            rt.decision_date_field.clone(),
            d.date.format("%Y-%m-%d").to_string(),
        );
        for (k, v) in d.fields {
            if !v.trim().is_empty() {
                raw.insert(k.to_string(), v);
            }
        }
        let mut values = FieldValues::new();
        let mut fields = serde_json::Map::new();
        for (k, v) in &raw {
            let def = rt
                .field(k)
                .ok_or_else(|| anyhow!("{}：没有字段 {k}", rt.code))?;
            let value = def
                .parse_value(v)
                .map_err(|e| anyhow!("{}.{k}（{}）：{e}", rt.code, d.doc_no))?;
            fields.insert(k.clone(), serde_json::Value::String(normalized(&value)));
            values.insert(k.clone(), value);
        }
        for f in &rt.fields {
            if f.required && !raw.contains_key(&f.name) {
                bail!("{}：缺少必填字段 {}（{}）", rt.code, f.name, d.doc_no);
            }
        }
        let severity = rt.row_severity(d.severity, &values);
        let (mut status, publish_until) = chengxin_domain::records::entry_status(
            rt.publish_until(d.date, d.severity, &values),
            rt.disclosure,
            d.date,
            self.today,
        );
        if d.submitted && status == RecordStatus::Published {
            status = RecordStatus::Submitted;
        }
        let source_dept = self.code_of(d.source);
        if source_dept.is_empty() {
            bail!("报送部门没有统一社会信用代码");
        }
        self.records.push(DemoRecord {
            type_code: rt.code.clone(),
            subject: d.subject,
            subject_name: subject.name,
            doc_no: d.doc_no,
            decision_date: d.date,
            source_dept,
            fields,
            severity: severity.map(|s| s.code().to_string()),
            status,
            publish_until,
        });
        Ok(())
    }

    /// Recent records are sometimes still only submitted.
    fn maybe_submitted(&mut self, day: NaiveDate) -> bool {
        (self.end - day).num_days() < 10 && self.chance(0.6)
    }
}
