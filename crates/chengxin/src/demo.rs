//! Deterministic demo data for `chengxin serve --demo` (and `chengxin demo`).
//!
//! A small but realistic 政务诚信 deployment for 常州市 (320400) with two of its county-level
//! divisions, 溧阳市 (320481) and 武进区 (320412): the governments, their departments, courts,
//! 纪委监委, 乡镇/街道, development zones and institutions (real body names, as a credit office
//! would see them), ~60 civil servants with employment histories, ~80 enterprises and ~10 social
//! organisations, and a few hundred records covering every type of the default catalog.
//!
//! **Everything in the records is fictional**: the people (names and ID numbers are generated,
//! with correct check characters), the enterprises and social organisations (generated trade
//! names), every USCC (generated, with correct GB 11714 and GB 32100 check characters) and every
//! case, penalty, sanction and finding — including those attached to real body names.
//!
//! The data is built by the pure function [`build`] (a fixed-seed ChaCha8 generator; `today` is
//! only used to keep dates in the past and to compute statuses) and written by [`load`] through
//! the `Store` API, so every write is in the change log. Clear ID numbers exist only in memory,
//! to compute the keyed hash; the store and every record field get the masked form only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use anyhow::{anyhow, bail, Context, Result};
use chengxin_domain::catalog::{
    add_months, Catalog, FieldValue, FieldValues, PublicationEnd, RecordType, Severity,
};
use chengxin_domain::codes::{id_number, org_code, uscc};
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{NewEmployment, NewRecord, NewSubject, Store, StoreError};
use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// Version of the demo data set; stored under the meta key [`META_KEY`] once fully loaded.
pub const DEMO_VERSION: &str = "2026.1";
/// Meta key marking a completed load.
pub const META_KEY: &str = "demo_version";
/// Actor of every demo write.
const ACTOR: &str = "demo";
/// Seed of the generator ("CHENGXIN").
const SEED: u64 = 0x4348_454E_4758_494E;

/// What [`load`] did. Counts are the size of the demo data set (what a fresh store holds after
/// the load), also when an interrupted load was resumed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub already_loaded: bool,
    pub subjects: usize,
    pub employments: usize,
    pub records: usize,
}

/// Loads the demo data set, once.
///
/// Idempotent: if `meta.demo_version` is [`DEMO_VERSION`] nothing is done. Otherwise every
/// subject, employment and record is written unless it already exists (subjects by USCC or ID
/// hash, employments by person/body/post/start, records by their source key), and the meta key
/// is set last — so a load interrupted by a crash is completed by the next run, without
/// duplicates.
pub async fn load(store: &dyn Store, hasher: &IdHasher, today: NaiveDate) -> Result<DemoReport> {
    if store.meta(META_KEY).await?.as_deref() == Some(DEMO_VERSION) {
        return Ok(DemoReport {
            already_loaded: true,
            subjects: 0,
            employments: 0,
            records: 0,
        });
    }
    let data = build(today)?;

    let mut ids: Vec<Uuid> = Vec::with_capacity(data.subjects.len());
    for s in &data.subjects {
        let id_hash = s.id_number.as_deref().map(|n| hasher.hash(n));
        let existing = match (&s.uscc, &id_hash) {
            (Some(code), _) => store.subject_by_uscc(code).await?,
            (None, Some(h)) => store.subject_by_id_hash(h).await?,
            (None, None) => None,
        };
        let id = match existing {
            Some(found) => found.id,
            None => {
                let parent_id = match s.parent {
                    Some(p) => Some(*ids.get(p).ok_or_else(|| anyhow!("上级主体顺序错误"))?),
                    None => None,
                };
                store
                    .create_subject(
                        ACTOR,
                        NewSubject {
                            kind: Some(s.kind),
                            name: s.name.clone(),
                            uscc: s.uscc.clone(),
                            id_hash,
                            id_masked: s.id_masked.clone(),
                            region: Some(s.region.clone()),
                            parent_id,
                            former_names: s.former_names.clone(),
                        },
                    )
                    .await
                    .with_context(|| format!("创建演示主体“{}”", s.name))?
                    .id
            }
        };
        ids.push(id);
    }
    let subject_id = |i: usize| -> Result<Uuid> {
        ids.get(i)
            .copied()
            .ok_or_else(|| anyhow!("演示数据引用了不存在的主体 {i}"))
    };

    let mut existing_jobs: BTreeMap<usize, Vec<(Uuid, String, NaiveDate)>> = BTreeMap::new();
    for e in &data.employments {
        if let std::collections::btree_map::Entry::Vacant(slot) = existing_jobs.entry(e.person) {
            let have = store
                .employments_of(subject_id(e.person)?)
                .await?
                .into_iter()
                .map(|j| (j.body_id, j.post, j.start_date))
                .collect();
            slot.insert(have);
        }
        let body_id = subject_id(e.body)?;
        let done = existing_jobs.get(&e.person).is_some_and(|have| {
            have.iter()
                .any(|(b, p, s)| *b == body_id && *p == e.post && *s == e.start)
        });
        if done {
            continue;
        }
        store
            .add_employment(
                ACTOR,
                NewEmployment {
                    person_id: subject_id(e.person)?,
                    body_id,
                    post: e.post.clone(),
                    start_date: e.start,
                    end_date: e.end,
                },
            )
            .await
            .context("创建演示任职记录")?;
    }

    // Published a few working days after the decision, as a department would — and one in
    // eight too late, so the 双公示 timeliness report has something to show.
    let calendar = chengxin_domain::calendar::WorkCalendar::official_checked().ok();
    let demo_published_at = |doc_no: &str, decided: chrono::NaiveDate| {
        let cal = calendar?;
        let h = doc_no
            .bytes()
            .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
        let days = if h % 8 == 0 { 9 + h % 4 } else { 1 + h % 5 };
        let day = cal.add_working_days(decided, days).ok()?;
        // 10:00 China time.
        day.and_hms_opt(2, 0, 0)
            .map(|t| t.and_utc().min(chrono::Utc::now()))
    };
    for r in &data.records {
        let result = store
            .create_record(
                ACTOR,
                NewRecord {
                    type_code: r.type_code.clone(),
                    subject_id: Some(subject_id(r.subject)?),
                    subject_name: r.subject_name.clone(),
                    doc_no: r.doc_no.clone(),
                    decision_date: r.decision_date,
                    source_dept: r.source_dept.clone(),
                    batch_id: None,
                    fields: r.fields.clone(),
                    severity: r.severity.clone(),
                    status: r.status,
                    publish_until: r.publish_until,
                    content_digest: None,
                    published_at: demo_published_at(&r.doc_no, r.decision_date),
                },
            )
            .await;
        match result {
            Ok(_) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("创建演示记录 {} {}", r.type_code, r.doc_no)))
            }
        }
    }

    list_entries(store, &data, &ids, today).await?;

    store.set_meta(ACTOR, META_KEY, DEMO_VERSION).await?;
    Ok(DemoReport {
        already_loaded: false,
        subjects: data.subjects.len(),
        employments: data.employments.len(),
        records: data.records.len(),
    })
}

/// A few list entries, so the lists, the closed loop and the checks have something to show:
/// the two enterprises with the most serious penalties on the 严重失信主体名单, and two with
/// no negative record at all on the 红名单 — each proposed, announced and in effect (its
/// closed-loop cases opened) on the official calendar. Skipped where the subject already has
/// an entry on that list (a re-run).
async fn list_entries(
    store: &dyn Store,
    data: &DemoData,
    ids: &[Uuid],
    today: NaiveDate,
) -> Result<()> {
    use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal};
    let joint = JointCatalog::default_checked().map_err(|e| anyhow!(e.to_string()))?;
    let cal = chengxin_domain::calendar::WorkCalendar::official_checked()
        .map_err(|e| anyhow!(e.to_string()))?;
    let enterprise = |i: &usize| {
        data.subjects
            .get(*i)
            .is_some_and(|s| s.kind == SubjectKind::Enterprise)
    };
    let mut black: Vec<usize> = Vec::new();
    for r in &data.records {
        if r.severity.as_deref() == Some("severe")
            && enterprise(&r.subject)
            && !black.contains(&r.subject)
        {
            black.push(r.subject);
        }
    }
    black.truncate(2);
    let negative: std::collections::BTreeSet<usize> = data
        .records
        .iter()
        .filter(|r| r.severity.is_some())
        .map(|r| r.subject)
        .collect();
    let red: Vec<usize> = (0..data.subjects.len())
        .filter(|i| enterprise(i) && !negative.contains(i))
        .take(2)
        .collect();
    let proposed = cal
        .add_working_days(today - chrono::Days::new(120), 1)
        .map_err(|e| anyhow!(e.to_string()))?;
    for (list_code, who, standard, basis, recognised_by) in [
        (
            "serious_dishonest",
            &black,
            "受到较重行政处罚且拒不整改",
            "《江苏省社会信用条例》第三十条",
            "常州市公共信用信息中心",
        ),
        (
            "red_list",
            &red,
            "诚信事迹突出并受到表彰奖励，认定前三年内无失信记录",
            "江苏2023 §二(四)",
            "常州市公共信用信息中心",
        ),
    ] {
        let list = joint
            .list(list_code)
            .ok_or_else(|| anyhow!("名单“{list_code}”不存在"))?;
        for &i in who.iter() {
            let subject = data
                .subjects
                .get(i)
                .ok_or_else(|| anyhow!("演示数据引用了不存在的主体 {i}"))?;
            let subject_id = *ids.get(i).ok_or_else(|| anyhow!("主体顺序错误"))?;
            let existing = store
                .list_entries(&chengxin_store::ListEntryFilter {
                    list_code: Some(list_code.into()),
                    subject_id: Some(subject_id),
                    ..Default::default()
                })
                .await?;
            if !existing.is_empty() {
                continue;
            }
            let e = ListEntry::propose(
                list,
                Proposal {
                    subject_key: subject_id.to_string(),
                    subject_name: subject.name.clone(),
                    standard: standard.into(),
                    basis: basis.into(),
                    recognised_by: recognised_by.into(),
                    evidence: vec![format!("常信认〔{}〕{}号", today.format("%Y"), i)],
                },
                proposed,
            )
            .map_err(|e| anyhow!(e.to_string()))?;
            let e = e
                .apply(list, EntryAction::StartPublicity, proposed, None, cal)
                .map_err(|e| anyhow!(e.to_string()))?;
            let effective = e
                .publicity_until
                .and_then(|d| d.succ_opt())
                .unwrap_or(proposed);
            let e = e
                .apply(
                    list,
                    EntryAction::TakeEffect { until: None },
                    effective,
                    None,
                    cal,
                )
                .map_err(|e| anyhow!(e.to_string()))?;
            let row = chengxin_server::services::lists::entry_row(
                Uuid::now_v7(),
                subject_id,
                &e,
                1,
                chengxin_store::changelog::now(),
            )
            .map_err(|e| anyhow!(e.to_string()))?;
            store.create_list_entry(ACTOR, &row).await?;
            chengxin_server::services::cases::follow_entry(store, ACTOR, &row, effective)
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// The data set
// ------------------------------------------------------------------------------------------------

/// The whole demo data set, in creation order (parents before children).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub subjects: Vec<DemoSubject>,
    pub employments: Vec<DemoEmployment>,
    pub records: Vec<DemoRecord>,
}

/// A subject. `id_number` (persons only) is the clear number, kept in memory only to compute
/// the keyed hash at load time; `Debug` never shows it.
#[derive(Clone, PartialEq)]
pub struct DemoSubject {
    pub kind: SubjectKind,
    pub name: String,
    pub uscc: Option<String>,
    id_number: Option<String>,
    pub id_masked: Option<String>,
    pub region: String,
    /// Index of the parent body in [`DemoData::subjects`].
    pub parent: Option<usize>,
    pub former_names: Vec<String>,
}

impl fmt::Debug for DemoSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoSubject")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("uscc", &self.uscc)
            .field("id_masked", &self.id_masked)
            .field("region", &self.region)
            .field("parent", &self.parent)
            .field("former_names", &self.former_names)
            .finish()
    }
}

/// An employment period (indices into [`DemoData::subjects`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoEmployment {
    pub person: usize,
    pub body: usize,
    pub post: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A record, ready to store. `source_dept` is the USCC of the submitting department.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoRecord {
    pub type_code: String,
    pub subject: usize,
    pub subject_name: String,
    pub doc_no: String,
    pub decision_date: NaiveDate,
    pub source_dept: String,
    pub fields: serde_json::Map<String, serde_json::Value>,
    pub severity: Option<String>,
    pub status: RecordStatus,
    pub publish_until: Option<NaiveDate>,
}

/// Builds the demo data set for `today` (deterministic: same `today`, same data).
pub fn build(today: NaiveDate) -> Result<DemoData> {
    if today < date(2024, 1, 1) {
        bail!("演示数据需要当前日期不早于2024-01-01（当前为{today}）");
    }
    let catalog = Catalog::default_checked().map_err(|e| anyhow!("默认目录无法加载：{e}"))?;
    let mut g = Gen::new(today);
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
// Fixed tables
// ------------------------------------------------------------------------------------------------

/// The first day decisions are spread from.
const START: (i32, u32, u32) = (2023, 1, 3);

/// Working days around Spring Festival 2025 and 2026 (调休 Saturdays/Sundays included): the
/// corner cases of the 双公示 7-working-day deadline.
const SPRING_FESTIVAL_DAYS: &[(i32, u32, u32)] = &[
    (2025, 1, 21),
    (2025, 1, 22),
    (2025, 1, 23),
    (2025, 1, 24),
    (2025, 1, 26),
    (2025, 1, 27),
    (2025, 2, 5),
    (2025, 2, 6),
    (2025, 2, 7),
    (2025, 2, 8),
    (2026, 2, 10),
    (2026, 2, 11),
    (2026, 2, 12),
    (2026, 2, 13),
    (2026, 2, 14),
    (2026, 2, 24),
    (2026, 2, 25),
    (2026, 2, 26),
    (2026, 2, 27),
    (2026, 2, 28),
];

/// A level of government in the demo: the city and two county-level divisions.
struct Level {
    /// Name prefix of its bodies (`常州市`, `溧阳市`, `常州市武进区`).
    prefix: &'static str,
    /// Short name (`常州`, `溧阳`, `武进`).
    short: &'static str,
    /// One-character abbreviation used in document numbers (`常`, `溧`, `武`).
    abbr: &'static str,
    /// Pinyin initials for ASCII numbers (`CZ`, `LY`, `WJ`).
    py: &'static str,
    region: &'static str,
    /// Court code in case numbers (`苏04`, `苏0481`, `苏0412`).
    court: &'static str,
    /// 发展和改革委员会 / 发展和改革局.
    dev: &'static str,
    /// 卫生健康委员会 / 卫生健康局.
    health: &'static str,
    /// 乡镇/街道 and the development zone.
    towns: &'static [&'static str],
    /// Place names used in individual businesses' names.
    places: &'static [&'static str],
}

const CITY: usize = 0;
const LIYANG: usize = 1;
const WUJIN: usize = 2;

const LEVELS: [Level; 3] = [
    Level {
        prefix: "常州市",
        short: "常州",
        abbr: "常",
        py: "CZ",
        region: "320400",
        court: "苏04",
        dev: "发展和改革委员会",
        health: "卫生健康委员会",
        towns: &["常州经济开发区管理委员会"],
        places: &["天宁区", "钟楼区", "新北区"],
    },
    Level {
        prefix: "溧阳市",
        short: "溧阳",
        abbr: "溧",
        py: "LY",
        region: "320481",
        court: "苏0481",
        dev: "发展和改革委员会",
        health: "卫生健康局",
        towns: &[
            "溧阳高新技术产业开发区管理委员会",
            "溧阳市溧城街道办事处",
            "溧阳市天目湖镇人民政府",
            "溧阳市社渚镇人民政府",
            "溧阳市上兴镇人民政府",
        ],
        places: &["溧城", "天目湖", "社渚", "上兴"],
    },
    Level {
        prefix: "常州市武进区",
        short: "武进",
        abbr: "武",
        py: "WJ",
        region: "320412",
        court: "苏0412",
        dev: "发展和改革局",
        health: "卫生健康局",
        towns: &[
            "武进国家高新技术产业开发区管理委员会",
            "常州市武进区湖塘镇人民政府",
            "常州市武进区牛塘镇人民政府",
            "常州市武进区南夏墅街道办事处",
        ],
        places: &["湖塘", "牛塘", "南夏墅"],
    },
];

/// A department template: `{P}` prefix, `{S}` short name, `{DEV}`, `{HEALTH}`; `{A}` in the
/// abbreviation is the level's abbreviation, `{C}` the court code.
struct BodyTpl {
    role: &'static str,
    city: &'static str,
    county: &'static str,
    abbr: &'static str,
    /// Parent role at the same level (`gov`), or none.
    parent: Option<&'static str>,
    city_former: &'static [&'static str],
    county_former: &'static [&'static str],
}

const BODY_TPLS: &[BodyTpl] = &[
    BodyTpl {
        role: "gov",
        city: "{P}人民政府",
        county: "{P}人民政府",
        abbr: "{A}政",
        parent: None,
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "bgs",
        city: "{P}人民政府办公室",
        county: "{P}人民政府办公室",
        abbr: "{A}政办",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "fgw",
        city: "{P}{DEV}",
        county: "{P}{DEV}",
        abbr: "{A}发改",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "scjg",
        city: "{P}市场监督管理局",
        county: "{P}市场监督管理局",
        abbr: "{A}市监",
        parent: Some("gov"),
        city_former: &["常州市工商行政管理局"],
        county_former: &[],
    },
    BodyTpl {
        role: "czj",
        city: "{P}财政局",
        county: "{P}财政局",
        abbr: "{A}财",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "rsj",
        city: "{P}人力资源和社会保障局",
        county: "{P}人力资源和社会保障局",
        abbr: "{A}人社",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "tjj",
        city: "{P}统计局",
        county: "{P}统计局",
        abbr: "{A}统",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "sthj",
        city: "{P}生态环境局",
        county: "常州市{S}生态环境局",
        abbr: "{A}环",
        parent: Some("gov"),
        city_former: &["常州市环境保护局"],
        county_former: &["{P}环境保护局"],
    },
    BodyTpl {
        role: "zjj",
        city: "{P}住房和城乡建设局",
        county: "{P}住房和城乡建设局",
        abbr: "{A}住建",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "jtj",
        city: "{P}交通运输局",
        county: "{P}交通运输局",
        abbr: "{A}交",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "sjj",
        city: "{P}审计局",
        county: "{P}审计局",
        abbr: "{A}审",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "yjj",
        city: "{P}应急管理局",
        county: "{P}应急管理局",
        abbr: "{A}应急",
        parent: Some("gov"),
        city_former: &["常州市安全生产监督管理局"],
        county_former: &[],
    },
    BodyTpl {
        role: "swj",
        city: "{P}商务局",
        county: "{P}商务局",
        abbr: "{A}商",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "wjw",
        city: "{P}{HEALTH}",
        county: "{P}{HEALTH}",
        abbr: "{A}卫",
        parent: Some("gov"),
        city_former: &["常州市卫生和计划生育委员会"],
        county_former: &[],
    },
    BodyTpl {
        role: "jyj",
        city: "{P}教育局",
        county: "{P}教育局",
        abbr: "{A}教",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "zwb",
        city: "{P}政务服务管理办公室",
        county: "{P}政务服务管理办公室",
        abbr: "{A}政务",
        parent: Some("gov"),
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "jw",
        city: "中共{P}纪律检查委员会",
        county: "中共{P}纪律检查委员会",
        abbr: "{A}纪",
        parent: None,
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "zzb",
        city: "中共{P}委员会组织部",
        county: "中共{P}委员会组织部",
        abbr: "{A}组",
        parent: None,
        city_former: &[],
        county_former: &[],
    },
    BodyTpl {
        role: "court",
        city: "江苏省{P}中级人民法院",
        county: "江苏省{P}人民法院",
        abbr: "{C}",
        parent: None,
        city_former: &[],
        county_former: &[],
    },
];

/// Institutions (事业单位): level, name, parent role.
const INSTITUTIONS: &[(usize, &str, &str)] = &[
    (CITY, "常州市公共资源交易中心", "zwb"),
    (CITY, "常州市公共信用信息中心", "fgw"),
    (CITY, "常州市市政设施养护管理中心", "zjj"),
    (LIYANG, "溧阳市公共资源交易中心", "zwb"),
    (LIYANG, "溧阳市城乡建设服务中心", "zjj"),
    (WUJIN, "常州市武进区公共资源交易中心", "zwb"),
    (WUJIN, "常州市武进区机关事务服务中心", "gov"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "周", "吴", "徐", "孙", "朱", "马", "胡", "郭", "何", "高",
    "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "蒋", "蔡",
    "丁", "魏", "薛", "叶", "沈", "史", "钱", "汤", "陆", "顾", "缪", "狄", "芮", "恽", "庄", "储",
];
const MALE_CHARS: &[&str] = &[
    "伟", "强", "军", "勇", "杰", "涛", "斌", "磊", "峰", "俊", "浩", "明", "华", "建", "国", "志",
    "平", "东", "海", "林", "晨", "宇", "鹏", "飞", "超", "波", "辉", "刚", "健", "亮", "新", "文",
    "凯", "锋", "荣", "忠", "彬", "骏", "昊", "毅",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娟", "敏", "静", "丽", "艳", "婷", "雪", "琳", "燕", "红", "霞", "萍", "玲", "丹", "颖",
    "洁", "慧", "倩", "蕾", "佳", "怡", "梅", "琴", "悦", "欣", "雯", "瑶", "蓉", "菁",
];
const MIDDLE_CHARS: &[&str] = &[
    "建", "志", "晓", "俊", "文", "海", "立", "雅", "思", "子", "国", "宏", "明", "永", "春", "秋",
    "云", "家", "一", "振",
];

/// Trade-name characters (字号) of the fictional enterprises.
const TRADE_A: &[&str] = &[
    "恒", "瑞", "锦", "鑫", "宏", "润", "嘉", "卓", "博", "盛", "泰", "凯", "隆", "晟", "铭", "睿",
    "永", "源", "康", "丰", "澄", "禾", "拓", "聚", "弘", "沁", "朗", "启", "筑", "悦",
];
const TRADE_B: &[&str] = &[
    "信", "达", "昌", "通", "远", "诚", "邦", "辰", "泽", "宇", "峰", "元", "和", "新", "德", "安",
    "祥", "航", "川", "晖", "益", "尚", "科", "茂",
];
/// Local trade names, used now and then.
const TRADE_LOCAL: &[&str] = &[
    "龙城", "延陵", "毗陵", "天目", "滆湖", "长荡", "横山", "南山",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ind {
    Build,
    Tech,
    Manu,
    Food,
    Service,
    Trade,
    Logi,
    Chem,
}

const INDUSTRIES: &[(&str, Ind)] = &[
    ("建设工程", Ind::Build),
    ("建筑安装工程", Ind::Build),
    ("市政工程", Ind::Build),
    ("园林绿化工程", Ind::Build),
    ("交通工程", Ind::Build),
    ("环保科技", Ind::Tech),
    ("信息技术", Ind::Tech),
    ("智能科技", Ind::Tech),
    ("电子科技", Ind::Tech),
    ("新材料科技", Ind::Manu),
    ("机械制造", Ind::Manu),
    ("精密机械", Ind::Manu),
    ("纺织", Ind::Manu),
    ("食品", Ind::Food),
    ("茶业", Ind::Food),
    ("餐饮管理", Ind::Food),
    ("物业管理", Ind::Service),
    ("劳务", Ind::Service),
    ("人力资源服务", Ind::Service),
    ("检测技术", Ind::Service),
    ("工程咨询", Ind::Service),
    ("贸易", Ind::Trade),
    ("建材", Ind::Trade),
    ("办公设备", Ind::Trade),
    ("物流", Ind::Logi),
    ("运输", Ind::Logi),
    ("化工", Ind::Chem),
    ("涂料", Ind::Chem),
];

const SHOPS: &[(&str, Ind)] = &[
    ("五金店", Ind::Trade),
    ("小吃店", Ind::Food),
    ("便利店", Ind::Food),
    ("农家乐", Ind::Food),
    ("汽车修理部", Ind::Service),
    ("建材经营部", Ind::Trade),
    ("茶叶店", Ind::Food),
    ("水产经营部", Ind::Food),
];

// ------------------------------------------------------------------------------------------------
// Small helpers
// ------------------------------------------------------------------------------------------------

/// A literal date (the literals in this file are all valid).
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn plus_days(d: NaiveDate, days: i64) -> NaiveDate {
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

fn normalized(v: &FieldValue) -> String {
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
}

impl Gen {
    fn new(today: NaiveDate) -> Self {
        Gen {
            rng: ChaCha8Rng::seed_from_u64(SEED),
            today,
            start: date(START.0, START.1, START.2),
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
        if items.is_empty() {
            bail!("演示数据生成：候选集合为空");
        }
        let i = self.rng.gen_range(0..items.len());
        Ok(items[i])
    }

    fn date_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        plus_days(from, self.rng.gen_range(0..=span))
    }

    /// `n` decision dates, sorted, spread from 2023-01 to shortly before today, some on the
    /// working days around Spring Festival.
    fn decision_dates(&mut self, n: usize) -> Vec<NaiveDate> {
        let festival: Vec<NaiveDate> = SPRING_FESTIVAL_DAYS
            .iter()
            .map(|&(y, m, d)| date(y, m, d))
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
            let surname = self.pick(SURNAMES)?;
            let last = if male {
                self.pick(MALE_CHARS)?
            } else {
                self.pick(FEMALE_CHARS)?
            };
            let name = if self.chance(0.35) {
                format!("{surname}{last}")
            } else {
                let mid = self.pick(MIDDLE_CHARS)?;
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
                self.pick(TRADE_LOCAL)?.to_string()
            } else {
                format!("{}{}", self.pick(TRADE_A)?, self.pick(TRADE_B)?)
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

    // ---- subjects -----------------------------------------------------------------------

    fn bodies(&mut self) -> Result<()> {
        self.reseed(1);
        for (li, level) in LEVELS.iter().enumerate() {
            for tpl in BODY_TPLS {
                let fill = |t: &str| {
                    t.replace("{P}", level.prefix)
                        .replace("{S}", level.short)
                        .replace("{DEV}", level.dev)
                        .replace("{HEALTH}", level.health)
                        .replace("{A}", level.abbr)
                        .replace("{C}", level.court)
                };
                let name = fill(if li == CITY { tpl.city } else { tpl.county });
                let former = if li == CITY {
                    tpl.city_former
                } else {
                    tpl.county_former
                };
                let parent = if tpl.role == "sthj" && li != CITY {
                    Some(self.role(CITY, "sthj")?)
                } else {
                    match tpl.parent {
                        Some(p) => Some(self.role(li, p)?),
                        None => None,
                    }
                };
                let code = self.uscc("11", level.region, "0")?;
                let idx = self.add_subject(
                    DemoSubject {
                        kind: SubjectKind::GovBody,
                        name,
                        uscc: Some(code),
                        id_number: None,
                        id_masked: None,
                        region: level.region.to_string(),
                        parent,
                        former_names: former.iter().map(|f| fill(f)).collect(),
                    },
                    Meta {
                        level: li,
                        role: tpl.role,
                        abbr: fill(tpl.abbr),
                        ..Meta::default()
                    },
                )?;
                self.roles.insert((li, tpl.role), idx);
            }
            let gov = self.role(li, "gov")?;
            for town in level.towns {
                let code = self.uscc("11", level.region, "0")?;
                let idx = self.add_subject(
                    DemoSubject {
                        kind: SubjectKind::GovBody,
                        name: (*town).to_string(),
                        uscc: Some(code),
                        id_number: None,
                        id_masked: None,
                        region: level.region.to_string(),
                        parent: Some(gov),
                        former_names: Vec::new(),
                    },
                    Meta {
                        level: li,
                        role: "town",
                        abbr: level.abbr.to_string(),
                        ..Meta::default()
                    },
                )?;
                self.towns.push(idx);
            }
        }
        for &(li, name, parent_role) in INSTITUTIONS {
            let level = &LEVELS[li];
            let parent = self.role(li, parent_role)?;
            let code = self.uscc("12", level.region, "4")?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::Institution,
                    name: name.to_string(),
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: level.region.to_string(),
                    parent: Some(parent),
                    former_names: Vec::new(),
                },
                Meta {
                    level: li,
                    role: "inst",
                    abbr: level.abbr.to_string(),
                    ..Meta::default()
                },
            )?;
            self.institutions.push(idx);
        }
        Ok(())
    }

    /// Bodies people work at on one level (not the government itself).
    fn workplaces(&self, level: usize) -> Vec<usize> {
        (0..self.subjects.len())
            .filter(|&i| {
                let m = &self.meta[i];
                let k = self.subjects[i].kind;
                m.level == level
                    && matches!(k, SubjectKind::GovBody | SubjectKind::Institution)
                    && m.role != "gov"
            })
            .collect()
    }

    /// The post ladder of a body, junior to senior.
    fn ladder(&self, body: usize) -> &'static [&'static str] {
        let name = &self.subjects[body].name;
        match self.meta[body].role {
            "court" => &["书记员", "法官助理", "审判员", "副庭长", "庭长"],
            "jw" => &["一级科员", "四级主任科员", "副主任", "室主任", "常委"],
            "zzb" => &["一级科员", "副科长", "科长", "副部长"],
            "town" if name.ends_with("镇人民政府") => {
                &["科员", "党政办副主任", "党政办主任", "副镇长", "镇长"]
            }
            "town" if name.ends_with("管理委员会") => {
                &["科员", "副科长", "科长", "副主任", "主任"]
            }
            "town" => &["科员", "科长", "副主任", "主任"],
            "inst" => &["科员", "副科长", "科长", "副主任", "主任"],
            _ if name.ends_with('局') => &["一级科员", "副科长", "科长", "副局长", "局长"],
            _ => &["一级科员", "副科长", "科长", "副主任", "主任"],
        }
    }

    fn persons(&mut self) -> Result<()> {
        let wp: Vec<Vec<usize>> = (0..LEVELS.len()).map(|l| self.workplaces(l)).collect();
        for i in 0..60 {
            self.reseed(1000 + i);
            let male = self.chance(0.6);
            let birth = self.date_between(date(1965, 1, 1), date(1998, 12, 31));
            let home = match self.n(0, 9) {
                0..=3 => CITY,
                4..=6 => LIYANG,
                _ => WUJIN,
            };
            let region = match home {
                CITY => self.pick(&["320402", "320404", "320411", "320413", "320482"])?,
                LIYANG if birth.year() < 1990 && self.chance(0.4) => "320423",
                LIYANG => "320481",
                _ if (1983..=1994).contains(&birth.year()) && self.chance(0.4) => "320421",
                _ if birth.year() >= 1995 && self.chance(0.4) => "320483",
                _ => "320412",
            };
            let id = self.id_number(region, birth, male)?;
            let name = self.person_name(male)?;

            // Career: 1–3 periods; the last one open.
            let first_year = (birth.year() + 22 + self.n(0, 4) as i32).clamp(1990, 2020);
            let mut starts = vec![plus_days(date(first_year, 7, 1), self.n(0, 75) as i64)];
            let periods = self.n(1, 3);
            let latest_move = plus_days(self.end, -200);
            for _ in 1..periods {
                let prev = starts[starts.len() - 1];
                let next = plus_days(prev, self.n(2 * 365, 8 * 365) as i64);
                let next = weekday_back(next);
                if next > latest_move {
                    break;
                }
                starts.push(next);
            }
            let mut level = home;
            let mut bodies: Vec<usize> = Vec::new();
            for k in 0..starts.len() {
                if k > 0 && home != CITY && self.chance(0.25) {
                    level = CITY;
                }
                let pool: Vec<usize> = wp[level]
                    .iter()
                    .copied()
                    .filter(|b| !bodies.contains(b))
                    .collect();
                bodies.push(self.pick(&pool)?);
            }
            let region_now = self.subjects[bodies[bodies.len() - 1]].region.clone();
            let person = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::CivilServant,
                    name,
                    uscc: None,
                    id_masked: Some(id_number::mask(&id)),
                    id_number: Some(id),
                    region: region_now,
                    parent: None,
                    former_names: Vec::new(),
                },
                Meta {
                    level,
                    role: "person",
                    ..Meta::default()
                },
            )?;
            self.persons.push(person);
            let mut rank = 0usize;
            for k in 0..starts.len() {
                let ladder = self.ladder(bodies[k]);
                let years_in = (starts[k].year() - first_year).max(0) as usize;
                rank = rank.max(years_in / 6 + k).min(ladder.len() - 1);
                if k > 0 && self.chance(0.3) {
                    rank = (rank + 1).min(ladder.len() - 1);
                }
                let end = starts.get(k + 1).map(|next| plus_days(*next, -1));
                self.employments.push(DemoEmployment {
                    person,
                    body: bodies[k],
                    post: ladder[rank].to_string(),
                    start: starts[k],
                    end,
                });
            }
        }
        Ok(())
    }

    fn enterprises(&mut self) -> Result<()> {
        self.reseed(2);
        for i in 0..80 {
            let shop = i >= 70;
            let level = match self.n(0, 19) {
                0..=8 => CITY,
                9..=14 => LIYANG,
                _ => WUJIN,
            };
            let trade = self.trade_name()?;
            let mut former = Vec::new();
            let (name, region, ind, code) = if shop {
                let (kind, ind) = self.pick(SHOPS)?;
                let place = self.pick(LEVELS[level].places)?;
                let (prefix, region) = match level {
                    CITY => (
                        "常州市",
                        if place == "钟楼区" {
                            "320404"
                        } else {
                            "320402"
                        },
                    ),
                    LIYANG => ("溧阳市", "320481"),
                    _ => ("常州市武进区", "320412"),
                };
                let code = self.uscc("92", region, "MA")?;
                (format!("{prefix}{place}{trade}{kind}"), region, ind, code)
            } else {
                let (industry, ind) = self.pick(INDUSTRIES)?;
                let shareholding = self.chance(0.1);
                let region = match level {
                    CITY => self.pick(&["320400", "320400", "320402", "320404", "320411"])?,
                    LIYANG => "320481",
                    _ => "320412",
                };
                let prefix = if shareholding {
                    "江苏"
                } else {
                    match level {
                        CITY => self.pick(&["常州", "常州市"])?,
                        LIYANG => self.pick(&["溧阳", "溧阳市"])?,
                        _ => self.pick(&["常州市武进区", "常州"])?,
                    }
                };
                let suffix = if shareholding {
                    "股份有限公司"
                } else if self.chance(0.06) {
                    "有限责任公司"
                } else {
                    "有限公司"
                };
                let name = format!("{prefix}{trade}{industry}{suffix}");
                if shareholding {
                    // 股改: the company was a limited company before.
                    let local = if level == LIYANG { "溧阳" } else { "常州" };
                    former.push(format!("{local}{trade}{industry}有限公司"));
                } else if self.chance(0.08) {
                    let old = self.trade_name()?;
                    former.push(format!("{prefix}{old}{industry}{suffix}"));
                }
                let code = self.uscc("91", region, "MA")?;
                (name, region, ind, code)
            };
            let legal_rep = self.any_name()?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::Enterprise,
                    name,
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: region.to_string(),
                    parent: None,
                    former_names: former,
                },
                Meta {
                    level,
                    role: if shop { "shop" } else { "company" },
                    ind: Some(ind),
                    legal_rep: Some(legal_rep),
                    ..Meta::default()
                },
            )?;
            if shop {
                self.shops.push(idx);
            } else {
                self.companies.push(idx);
            }
        }
        Ok(())
    }

    fn social_orgs(&mut self) -> Result<()> {
        self.reseed(3);
        // (level, category, name template with {T} = trade name, former name template)
        const ORGS: &[(usize, &str, &str, &str)] = &[
            (CITY, "51", "常州市{T}诚信建设促进会", "常州市{T}信用协会"),
            (LIYANG, "51", "溧阳市{T}茶叶产业协会", ""),
            (WUJIN, "51", "常州市武进区{T}建筑业商会", ""),
            (CITY, "51", "常州市{T}物业服务行业协会", ""),
            (CITY, "52", "常州市{T}职业培训学校", ""),
            (LIYANG, "52", "溧阳市{T}养老服务中心", ""),
            (WUJIN, "52", "常州市武进区{T}社会工作服务中心", ""),
            (LIYANG, "52", "溧阳市{T}职业技能培训学校", ""),
            (CITY, "53", "常州市{T}慈善基金会", ""),
            (LIYANG, "53", "溧阳市{T}教育发展基金会", ""),
        ];
        for &(level, cat, tpl, former) in ORGS {
            let trade = self.trade_name()?;
            let region = LEVELS[level].region;
            let code = self.uscc(cat, region, "5")?;
            let former_names = if former.is_empty() {
                Vec::new()
            } else {
                vec![former.replace("{T}", &trade)]
            };
            let legal_rep = self.any_name()?;
            let idx = self.add_subject(
                DemoSubject {
                    kind: SubjectKind::SocialOrg,
                    name: tpl.replace("{T}", &trade),
                    uscc: Some(code),
                    id_number: None,
                    id_masked: None,
                    region: region.to_string(),
                    parent: None,
                    former_names,
                },
                Meta {
                    level,
                    role: "social",
                    abbr: cat.to_string(),
                    legal_rep: Some(legal_rep),
                    ..Meta::default()
                },
            )?;
            self.social.push(idx);
        }
        Ok(())
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
    fn body_by_roles(&mut self, levels: &[usize], roles: &[&str]) -> Result<usize> {
        let pool: Vec<usize> = (0..self.subjects.len())
            .filter(|&i| {
                self.subjects[i].kind == SubjectKind::GovBody
                    && levels.contains(&self.meta[i].level)
                    && roles.contains(&self.meta[i].role)
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
        let (mut status, publish_until) = match rt.publish_until(d.date, d.severity, &values) {
            PublicationEnd::Until(end) if end < self.today => (RecordStatus::Expired, Some(end)),
            PublicationEnd::Until(end) => (RecordStatus::Published, Some(end)),
            PublicationEnd::NotPublished | PublicationEnd::Never => (RecordStatus::Published, None),
        };
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

    fn admin_licenses(&mut self, catalog: &Catalog) -> Result<()> {
        // (role, decision doc name, certificate, category, content, years (0 = 长期), no. prefix)
        type Lic = (
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            u32,
        );
        const FOOD: Lic = (
            "scjg",
            "食品经营许可决定书",
            "食品经营许可证",
            "01",
            "预包装食品销售（含冷藏冷冻食品）；散装食品销售；热食类食品制售",
            5,
        );
        const BUILD_QUAL: Lic = (
            "zjj",
            "建筑业企业资质核准决定书",
            "建筑业企业资质证书",
            "03",
            "建筑工程施工总承包叁级；市政公用工程施工总承包叁级",
            5,
        );
        const BUILD_PERMIT: Lic = (
            "zjj",
            "建筑工程施工许可决定书",
            "建筑工程施工许可证",
            "01",
            "厂房及配套用房新建工程施工许可",
            0,
        );
        const TRANSPORT: Lic = (
            "jtj",
            "道路运输经营许可决定书",
            "道路运输经营许可证",
            "01",
            "道路普通货物运输；货物专用运输（集装箱）",
            4,
        );
        const EMISSION: Lic = (
            "sthj",
            "排污许可决定书",
            "排污许可证",
            "04",
            "废气、废水污染物排放（重点管理）",
            5,
        );
        const DISPATCH: Lic = (
            "rsj",
            "劳务派遣经营许可决定书",
            "劳务派遣经营许可证",
            "01",
            "劳务派遣经营",
            3,
        );
        const HR: Lic = (
            "rsj",
            "人力资源服务许可决定书",
            "人力资源服务许可证",
            "01",
            "职业介绍；人力资源供求信息的收集和发布；人力资源管理咨询",
            0,
        );
        const TRAINING: Lic = (
            "rsj",
            "民办职业培训学校办学许可决定书",
            "民办学校办学许可证",
            "01",
            "职业技能培训（养老护理员、保育师、电工）",
            5,
        );
        const HEALTH: Lic = (
            "wjw",
            "公共场所卫生许可决定书",
            "公共场所卫生许可证",
            "01",
            "公共场所卫生许可（住宿场所）",
            4,
        );
        let mut dates = self.decision_dates(45);
        self.recent_tail(&mut dates, 3);
        for day in dates {
            let (subject, lic) = match self.n(0, 19) {
                0..=1 => {
                    let s = self.pick(&self.social.clone())?;
                    (s, if self.chance(0.6) { TRAINING } else { HEALTH })
                }
                2..=4 => {
                    let s = self.pick(&self.shops.clone())?;
                    (s, FOOD)
                }
                _ => {
                    let s = {
                        let all = self.companies.clone();
                        self.pick(&all)?
                    };
                    let lic = match self.meta[s].ind {
                        Some(Ind::Build) => {
                            if self.chance(0.5) {
                                BUILD_QUAL
                            } else {
                                BUILD_PERMIT
                            }
                        }
                        Some(Ind::Food) => FOOD,
                        Some(Ind::Logi) => TRANSPORT,
                        Some(Ind::Manu) | Some(Ind::Chem) | Some(Ind::Tech) => EMISSION,
                        Some(Ind::Service) => {
                            if self.chance(0.6) {
                                DISPATCH
                            } else {
                                HR
                            }
                        }
                        _ => FOOD,
                    };
                    (s, lic)
                }
            };
            let (role, doc_name, cert, category, content, years) = lic;
            let source = self.source_for(subject, role)?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "admin_license", y);
            let doc_no = format!("{abbr}许〔{y}〕{no}号");
            let valid_to = if years == 0 {
                date(2099, 12, 31)
            } else {
                // Some licences were granted for a shorter term and have lapsed.
                let years = if self.chance(0.2) { 1 } else { years };
                plus_days(add_months(day, years * 12), -1)
            };
            let region = self.subjects[subject].region.clone();
            let license_no = match role {
                "scjg" => format!("JY{}{}{:07}", 1, region, self.n(1, 9_999_999)),
                "zjj" if cert.starts_with("建筑工程施工") => {
                    format!("{region}{}0101", day.format("%Y%m%d"))
                }
                "zjj" => format!("D3{}{:05}", &region[..4], self.n(10_000, 99_999)),
                "jtj" => format!("苏交运管许可常字{region}{:06}号", self.n(1, 999_999)),
                "sthj" => format!("{}001V", self.code_of(subject)),
                "wjw" => format!(
                    "{}卫公字〔{y}〕第{:04}号",
                    LEVELS[self.meta_of(source).level].short,
                    no
                ),
                _ => format!("{region}{y}{:04}", no),
            };
            let rep = self.meta_of(subject).legal_rep.unwrap_or_default();
            let status = if valid_to < self.today {
                "invalid"
            } else {
                "valid"
            };
            let submitted = self.maybe_submitted(day);
            let authority = self.name(source);
            let authority_code = self.code_of(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "admin_license",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("decision_doc_name", doc_name.into()),
                        ("license_category", category.into()),
                        ("certificate_name", cert.into()),
                        ("license_no", license_no),
                        ("license_content", content.into()),
                        ("valid_from", day.to_string()),
                        ("valid_to", valid_to.to_string()),
                        ("authority", authority.clone()),
                        ("authority_uscc", authority_code.clone()),
                        ("status", status.into()),
                        ("source_unit", authority),
                        ("source_unit_uscc", authority_code),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn admin_penalties(&mut self, catalog: &Catalog) -> Result<()> {
        // (role, industries, violation type, facts, basis, category, content template, fine range in yuan)
        type Pen = (
            &'static str,
            &'static [Ind],
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            u64,
            u64,
        );
        const PENALTIES: &[Pen] = &[
            ("scjg", &[Ind::Food, Ind::Trade], "经营超过保质期的食品",
             "经查，当事人在经营场所货架上陈列销售超过保质期的预包装食品共计{n}件，货值金额{v}元。",
             "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", "罚款;没收违法所得", 5_000, 50_000),
            ("scjg", &[Ind::Tech, Ind::Manu, Ind::Trade, Ind::Food], "虚假或引人误解的商业宣传",
             "经查，当事人在其网店及宣传册中使用“国家级”“最佳”等无法证实的用语对商品性能作虚假宣传。",
             "《中华人民共和国反不正当竞争法》第二十条第一款", "罚款", 30_000, 200_000),
            ("scjg", &[Ind::Trade, Ind::Food, Ind::Service], "未按规定明码标价",
             "经查，当事人销售商品未按规定明码标价，且收取未予标明的费用。",
             "《明码标价和禁止价格欺诈规定》第二十一条", "警告;罚款", 2_000, 20_000),
            ("sthj", &[Ind::Chem, Ind::Manu], "超过大气污染物排放标准排放大气污染物",
             "经监测，当事人废气排放口非甲烷总烃排放浓度超过《大气污染物综合排放标准》规定限值{n}倍。",
             "《中华人民共和国大气污染防治法》第九十九条第（二）项", "罚款", 100_000, 600_000),
            ("sthj", &[Ind::Chem, Ind::Manu, Ind::Tech], "建设项目环境影响评价文件未经批准擅自开工建设",
             "经查，当事人新建生产线项目环境影响报告表未经审批即擅自开工建设。",
             "《中华人民共和国环境影响评价法》第三十一条第一款", "罚款", 80_000, 300_000),
            ("zjj", &[Ind::Build], "未取得施工许可证擅自施工",
             "经查，当事人承建的项目在未取得建筑工程施工许可证的情况下擅自开工建设。",
             "《建设工程质量管理条例》第五十七条", "罚款", 20_000, 150_000),
            ("zjj", &[Ind::Build], "违法分包",
             "经查，当事人将其承包的工程中的劳务作业以外的专业工程分包给不具备相应资质的单位。",
             "《建设工程质量管理条例》第六十二条第一款", "罚款;降低资质等级", 50_000, 200_000),
            ("zjj", &[Ind::Build], "出借资质证书允许他人以本企业名义承揽工程",
             "经查，当事人允许无资质的个人以本企业名义承揽工程并收取管理费。",
             "《中华人民共和国建筑法》第六十六条", "罚款;没收违法所得;吊销许可证件", 200_000, 500_000),
            ("jtj", &[Ind::Logi], "未取得道路运输经营许可擅自从事道路普通货物运输经营",
             "经查，当事人使用未取得道路运输证的车辆从事道路普通货物运输经营。",
             "《中华人民共和国道路运输条例》第六十三条", "罚款;没收违法所得", 10_000, 50_000),
            ("rsj", &[Ind::Service, Ind::Build], "未按规定存储农民工工资保证金",
             "经查，当事人承建的工程项目未按规定存储农民工工资保证金，经责令限期改正逾期未改正。",
             "《保障农民工工资支付条例》第五十五条", "罚款;限制开展生产经营活动", 50_000, 100_000),
            ("rsj", &[Ind::Service], "劳务派遣单位违反劳务派遣规定",
             "经查，当事人未依法与被派遣劳动者订立二年以上固定期限劳动合同。",
             "《中华人民共和国劳动合同法》第九十二条", "罚款", 5_000, 50_000),
            ("yjj", &[Ind::Manu, Ind::Chem, Ind::Build, Ind::Logi], "未按规定对从业人员进行安全生产教育和培训",
             "经查，当事人未对{n}名新进从业人员进行安全生产教育和培训，且未如实记录。",
             "《中华人民共和国安全生产法》第九十七条第（三）项", "罚款", 10_000, 100_000),
        ];
        let mut dates = self.decision_dates(50);
        self.recent_tail(&mut dates, 3);
        for day in dates {
            let p = self.pick(PENALTIES)?;
            let (role, inds, violation, facts, basis, category, lo, hi) = p;
            let subject = if role == "scjg" && self.chance(0.35) {
                let shops = self.shops.clone();
                self.pick(&shops)?
            } else if role == "rsj" && self.chance(0.15) {
                let social = self.social.clone();
                self.pick(&social)?
            } else {
                self.company_in(inds)?
            };
            let source = self.source_for(subject, role)?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "admin_penalty", y);
            let doc_no = format!("{abbr}处罚〔{y}〕{no}号");
            let fine = self.n(lo / 1000, hi / 1000) * 1000;
            let count = self.n(3, 60);
            let facts = facts
                .replace("{n}", &count.to_string())
                .replace("{v}", &(count * self.n(20, 90)).to_string());
            let confiscation = if category.contains("没收") {
                self.n(5, 200) * 100
            } else {
                0
            };
            let severe = category.contains("吊销");
            let mut content = format!("罚款人民币{}元", fine);
            if confiscation > 0 {
                content.push_str(&format!("，没收违法所得人民币{confiscation}元"));
            }
            if category.starts_with("警告") {
                content = format!("警告，{content}");
            }
            if severe {
                content.push_str("，吊销建筑业企业资质证书");
            }
            if category.contains("降低资质等级") {
                content.push_str("，降低建筑业企业资质等级");
            }
            if category.contains("限制开展生产经营活动") {
                content.push_str("，限制承接新工程三个月");
            }
            let months = if severe { 36 } else { 12 };
            let rep = self.meta_of(subject).legal_rep.unwrap_or_default();
            let submitted = self.maybe_submitted(day);
            let authority = self.name(source);
            let authority_code = self.code_of(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "admin_penalty",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("violation_type", violation.into()),
                        ("violation_facts", facts),
                        ("penalty_basis", basis.into()),
                        ("penalty_category", category.into()),
                        ("penalty_content", content),
                        ("fine_amount", wan(fine)),
                        (
                            "confiscation_amount",
                            if confiscation > 0 {
                                wan(confiscation)
                            } else {
                                String::new()
                            },
                        ),
                        (
                            "license_suspended_or_revoked",
                            if severe {
                                "建筑业企业资质证书".into()
                            } else {
                                String::new()
                            },
                        ),
                        ("penalty_valid_until", add_months(day, 12).to_string()),
                        ("publicity_deadline", add_months(day, months).to_string()),
                        ("authority", authority.clone()),
                        ("authority_uscc", authority_code.clone()),
                        ("source_unit", authority),
                        ("source_unit_uscc", authority_code),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn court_judgments(&mut self, catalog: &Catalog) -> Result<()> {
        type Cause = (&'static str, &'static [&'static str], &'static str);
        const ADMIN_CAUSES: &[Cause] = &[
            ("政府信息公开", &["gov", "zjj", "scjg", "sthj", "town"],
             "撤销被告作出的政府信息公开答复，责令被告于判决生效之日起十五个工作日内重新答复。"),
            ("房屋征收补偿决定", &["gov", "zjj"],
             "撤销被告作出的房屋征收补偿决定，责令被告于判决生效之日起六十日内重新作出补偿决定。"),
            ("行政强制拆除", &["town", "zjj"], "确认被告强制拆除原告房屋的行为违法。"),
            ("不履行法定职责", &["scjg", "sthj", "zjj", "jtj", "yjj"],
             "责令被告于判决生效之日起六十日内对原告的举报事项依法作出处理。"),
            ("行政协议（招商引资协议）", &["gov", "town", "swj"],
             "判决被告继续履行招商引资协议，支付原告产业扶持资金及逾期利息。"),
            ("工伤认定", &["rsj"], "撤销被告作出的不予认定工伤决定书，责令被告重新作出工伤认定。"),
            ("行政处罚", &["scjg", "sthj", "jtj", "yjj"], "撤销被告作出的行政处罚决定。"),
            ("土地行政征收", &["gov"], "确认被告作出的土地征收行为违法，责令被告采取补救措施。"),
        ];
        const CIVIL_GOV: &[&str] = &["建设工程施工合同纠纷", "服务合同纠纷", "买卖合同纠纷"];
        const CIVIL_ENT: &[&str] = &[
            "建设工程施工合同纠纷",
            "买卖合同纠纷",
            "劳动争议",
            "民间借贷纠纷",
            "追索劳动报酬纠纷",
        ];
        const CRIMES: &[&str] = &["受贿罪", "滥用职权罪", "玩忽职守罪"];
        let dates = self.decision_dates(25);
        let criminals: Vec<usize> = self.persons.iter().copied().take(3).collect();
        for (i, day) in dates.into_iter().enumerate() {
            let y = day.year();
            let kind = match i % 8 {
                0..=3 => "administrative",
                4 => "civil_gov",
                5 | 6 => "civil",
                _ => "criminal",
            };
            let kind = if kind == "criminal" && i / 8 >= criminals.len() {
                "administrative"
            } else {
                kind
            };
            let mut summary_text = "";
            let (subject, court_level, code, cause, role, outcome, trial, amount) = match kind {
                "administrative" => {
                    let (cause, roles, text) = self.pick(ADMIN_CAUSES)?;
                    let level = self.n(0, 2) as usize;
                    let s = self.body_by_roles(&[level], roles)?;
                    summary_text = text;
                    let m = self.meta_of(s);
                    // A county government is sued at the intermediate court; appeals go there too.
                    let (court_level, code, role, trial) = if m.role == "gov" || m.level == CITY {
                        if self.chance(0.5) {
                            (CITY, "行初", "defendant", "first")
                        } else {
                            (CITY, "行终", "appellant", "second")
                        }
                    } else if self.chance(0.7) {
                        (m.level, "行初", "defendant", "first")
                    } else {
                        (CITY, "行终", "appellant", "second")
                    };
                    let outcome = if self.chance(0.7) {
                        "lost"
                    } else {
                        "partly_lost"
                    };
                    let amount = if cause.contains("补偿") || cause.contains("协议") {
                        self.n(20, 800) * 10_000
                    } else {
                        0
                    };
                    (s, court_level, code, cause, role, outcome, trial, amount)
                }
                "civil_gov" => {
                    let s = if self.chance(0.5) {
                        let inst = self.institutions.clone();
                        self.pick(&inst)?
                    } else {
                        let towns = self.towns.clone();
                        self.pick(&towns)?
                    };
                    let cause = self.pick(CIVIL_GOV)?;
                    let level = self.meta_of(s).level;
                    (
                        s,
                        level,
                        "民初",
                        cause,
                        "defendant",
                        "lost",
                        "first",
                        self.n(30, 900) * 10_000,
                    )
                }
                "civil" => {
                    let s = self.company_in(&[Ind::Build, Ind::Trade, Ind::Manu, Ind::Service])?;
                    let cause = self.pick(CIVIL_ENT)?;
                    let level = self.meta_of(s).level;
                    let level = if level == CITY { WUJIN } else { level };
                    let outcome = if self.chance(0.6) {
                        "lost"
                    } else {
                        "partly_lost"
                    };
                    (
                        s,
                        level,
                        "民初",
                        cause,
                        "defendant",
                        outcome,
                        "first",
                        self.n(5, 300) * 10_000,
                    )
                }
                _ => {
                    let s = criminals[i / 8];
                    let cause = self.pick(CRIMES)?;
                    let level = self.meta_of(s).level;
                    let level = if level == CITY { WUJIN } else { level };
                    (
                        s,
                        level,
                        "刑初",
                        cause,
                        "accused",
                        "convicted",
                        "first",
                        self.n(10, 120) * 10_000,
                    )
                }
            };
            let court_body = self.role(court_level, "court")?;
            let court_code = LEVELS[court_level].court;
            let no = self.next_no(court_body, code, y);
            let case_no = format!("（{y}）{court_code}{code}{no}号");
            let case_kind = match kind {
                "administrative" => "administrative",
                "criminal" => "criminal",
                _ => "civil",
            };
            let summary = match kind {
                "administrative" if role == "appellant" => "驳回上诉，维持原判。".to_string(),
                "administrative" => summary_text.to_string(),
                "criminal" => {
                    "被告人犯罪事实清楚，证据确实充分，判处有期徒刑，并处罚金，追缴违法所得。"
                        .to_string()
                }
                _ => format!(
                    "被告于判决生效之日起十日内支付原告款项{}及逾期付款利息。",
                    wan_text(amount)
                ),
            };
            let effective = plus_days(day, self.n(16, 40) as i64);
            let effective = if effective < self.today {
                effective.to_string()
            } else {
                String::new()
            };
            let submitted = self.maybe_submitted(day);
            let court_name = self.name(court_body);
            self.finish(
                catalog,
                Draft {
                    type_code: "court_judgment",
                    subject,
                    source: court_body,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("litigation_role", role.into()),
                        ("case_kind", case_kind.into()),
                        ("cause", cause.into()),
                        ("court", court_name),
                        ("trial_level", trial.into()),
                        ("outcome", outcome.into()),
                        ("judgment_summary", summary),
                        (
                            "amount",
                            if amount > 0 {
                                wan(amount)
                            } else {
                                String::new()
                            },
                        ),
                        ("effective_date", effective),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn refusals(&mut self, catalog: &Catalog) -> Result<()> {
        const OBLIGATIONS: &[(&str, &str)] = &[
            ("支付拖欠的工程款及逾期付款利息", "民初"),
            ("按照房屋征收补偿协议支付安置补偿款", "行初"),
            ("依法履行招商引资协议约定的产业扶持资金支付义务", "行初"),
            ("返还项目履约保证金", "民初"),
            ("赔偿因违法强制拆除造成的损失", "行初"),
        ];
        let dates = self.decision_dates(8);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = if i % 4 == 3 {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                let level = [LIYANG, WUJIN, CITY][i % 3];
                self.body_by_roles(&[level], &["gov", "town", "zjj", "jtj"])?
            };
            let level = self.meta_of(subject).level;
            let (obligation, basis_code) = self.pick(OBLIGATIONS)?;
            let court = self.role(level, "court")?;
            let y = day.year();
            let no = self.next_no(court, "执", y);
            let case_no = format!("（{y}）{}执{no}号", LEVELS[level].court);
            let basis_year = y - 1;
            let bno = self.next_no(court, basis_code, basis_year);
            let basis_no = format!("（{basis_year}）{}{basis_code}{bno}号", LEVELS[level].court);
            let amount = self.n(20, 600) * 10_000;
            let partial = self.chance(0.4);
            let unperformed = if partial { amount / 2 } else { amount };
            let obligation = format!("{obligation}，金额{}", wan_text(amount));
            let head = self.head_at(subject, day).unwrap_or_default();
            let filing = plus_days(day, -(self.n(60, 300) as i64));
            let court_name = self.name(court);
            self.finish(
                catalog,
                Draft {
                    type_code: "refusal_to_execute",
                    subject,
                    source: court,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("responsible_person", head),
                        ("court", court_name.clone()),
                        ("basis_doc_no", basis_no),
                        ("basis_issuer", court_name),
                        ("obligation", obligation),
                        (
                            "performance",
                            if partial { "partial" } else { "none" }.into(),
                        ),
                        ("unperformed_amount", wan(unperformed)),
                        ("filing_date", filing.to_string()),
                        (
                            "remarks",
                            "经执行法院多次督促仍未履行，已向同级党委政府通报".into(),
                        ),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn dishonest_debtors(&mut self, catalog: &Catalog) -> Result<()> {
        const CONDUCT: &[&str] = &[
            "有履行能力而拒不履行生效法律文书确定义务",
            "违反财产报告制度",
            "违反限制消费令",
            "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
        ];
        let dates = self.decision_dates(20);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = match i % 10 {
                0 => self.persons[3 + i / 10],
                1 => {
                    let shops = self.shops.clone();
                    self.pick(&shops)?
                }
                2 if i == 2 => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
                _ => self.company_in(&[Ind::Build, Ind::Trade, Ind::Manu, Ind::Logi])?,
            };
            let m = self.meta_of(subject);
            let level = if m.level == CITY { WUJIN } else { m.level };
            let court = self.role(level, "court")?;
            let y = day.year();
            let no = self.next_no(court, "执", y);
            let case_no = format!("（{y}）{}执{no}号", LEVELS[level].court);
            let by = y - 1;
            let bno = self.next_no(court, "民初", by);
            let basis = format!("（{by}）{}民初{bno}号", LEVELS[level].court);
            let amount = match self.subjects[subject].uscc.as_deref() {
                Some(c) if c.starts_with("92") => self.n(1, 6) * 30_000,
                _ => self.n(1, 130) * 30_000,
            };
            let partial = self.chance(0.3);
            let rep = match self.subjects[subject].kind {
                SubjectKind::Enterprise | SubjectKind::SocialOrg => m.legal_rep.unwrap_or_default(),
                SubjectKind::GovBody | SubjectKind::Institution => {
                    self.head_at(subject, day).unwrap_or_default()
                }
                _ => String::new(),
            };
            let conduct = self.pick(CONDUCT)?;
            let filing = plus_days(day, -(self.n(45, 200) as i64));
            let court_name = self.name(court);
            self.finish(
                catalog,
                Draft {
                    type_code: "dishonest_judgment_debtor",
                    subject,
                    source: court,
                    doc_no: case_no,
                    date: day,
                    fields: vec![
                        ("legal_rep", rep),
                        ("court", court_name.clone()),
                        ("province", "江苏".into()),
                        ("basis_doc_no", basis),
                        ("basis_issuer", court_name),
                        ("obligation", format!("支付款项{}及利息", wan_text(amount))),
                        (
                            "performance",
                            if partial { "partial" } else { "none" }.into(),
                        ),
                        ("dishonest_conduct", conduct.into()),
                        ("filing_date", filing.to_string()),
                        (
                            "performed_part",
                            if partial {
                                format!("已履行{}", wan_text(amount / 3))
                            } else {
                                String::new()
                            },
                        ),
                        (
                            "unperformed_part",
                            if partial {
                                format!("尚欠{}", wan_text(amount - amount / 3))
                            } else {
                                format!("尚欠{}", wan_text(amount))
                            },
                        ),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn sanctions(&mut self, catalog: &Catalog) -> Result<()> {
        const FACTS: &[&str] = &[
            "违反中央八项规定精神，违规收受管理服务对象所送礼品礼金",
            "违规发放津贴补贴",
            "在政府采购项目中违规干预、插手供应商选定",
            "对辖区统计数据弄虚作假问题负有直接领导责任",
            "违规经商办企业",
            "违规使用公务用车",
            "在招商引资政策兑现工作中失职失责，造成不良社会影响",
            "利用职务便利为他人在工程项目承揽方面谋取利益",
            "工作严重不负责任，导致拖欠企业账款问题长期未解决",
        ];
        const PARTY: &[&str] = &[
            "warning",
            "serious_warning",
            "party_post_removal",
            "party_probation",
            "party_expulsion",
        ];
        const GOV: &[&str] = &[
            "warning",
            "demerit",
            "major_demerit",
            "demotion",
            "dismissal_from_post",
            "expulsion",
        ];
        let dates = self.decision_dates(20);
        let people: Vec<usize> = self.persons.iter().copied().take(20).collect();
        for (i, day) in dates.into_iter().enumerate() {
            let person = people[i % people.len()];
            let (body, post) = self
                .job_at(person, day)
                .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
            let level = self.meta_of(body).level;
            let jw = self.role(level, "jw")?;
            let kind = match i % 3 {
                0 => "party",
                1 => "governmental",
                _ => "employer",
            };
            let sanction = match kind {
                "party" => self.pick(&PARTY[..4])?,
                _ => self.pick(&GOV[..5])?,
            };
            let months: i64 = match sanction {
                "warning" => 6,
                "demerit" | "serious_warning" => 12,
                "major_demerit" => 18,
                "demotion" | "dismissal_from_post" | "party_post_removal" | "party_probation" => 24,
                _ => 0,
            };
            let y = day.year();
            let la = LEVELS[level].abbr;
            let (series, deciding) = match kind {
                "party" => ("纪处", self.name(jw)),
                "governmental" => ("监处", format!("{}监察委员会", LEVELS[level].prefix)),
                _ => ("处", self.name(body)),
            };
            let source = jw;
            let no = self.next_no(source, series, y);
            let doc_no = match kind {
                "employer" => format!("{}人〔{y}〕{no}号", self.meta_of(body).abbr),
                _ => format!("{la}{series}〔{y}〕{no}号"),
            };
            let basis = match kind {
                "party" => "《中国共产党纪律处分条例》",
                _ => "《中华人民共和国公职人员政务处分法》",
            };
            let (period_end, lifted) = if months > 0 {
                let end = add_months(day, months as u32);
                let lifted = if end < self.today && kind != "party" {
                    plus_days(end, 1).to_string()
                } else {
                    String::new()
                };
                (end.to_string(), lifted)
            } else {
                (String::new(), String::new())
            };
            let submitted = self.maybe_submitted(day);
            let employer = self.name(body);
            let employer_code = self.code_of(body);
            let facts = self.pick(FACTS)?;
            self.finish(
                catalog,
                Draft {
                    type_code: "disciplinary_sanction",
                    subject: person,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("employer", employer),
                        ("employer_uscc", employer_code),
                        ("rank", Self::rank_for(&post).into()),
                        ("post", post),
                        ("sanction_kind", kind.into()),
                        ("sanction_type", sanction.into()),
                        ("facts", facts.into()),
                        ("basis", basis.into()),
                        ("deciding_body", deciding),
                        (
                            "period_months",
                            if months > 0 {
                                months.to_string()
                            } else {
                                String::new()
                            },
                        ),
                        ("period_end", period_end),
                        ("lifted_date", lifted),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn accountability(&mut self, catalog: &Catalog) -> Result<()> {
        const FACTS: &[&str] = &[
            "履行安全生产监管职责不力，辖区发生一般生产安全事故",
            "12345热线工单办理敷衍塞责，群众反映强烈",
            "优化营商环境问题整改不力",
            "清理拖欠民营企业中小企业账款工作推进不力",
            "招商引资承诺兑现不到位，企业多次信访",
            "政务公开工作不到位，依申请公开答复超期",
        ];
        let dates = self.decision_dates(12);
        for (i, day) in dates.into_iter().enumerate() {
            let person_case = i % 3 != 2;
            let (subject, body, post) = if person_case {
                let person = self.persons[8 + i];
                let (body, post) = self
                    .job_at(person, day)
                    .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                (person, body, post)
            } else {
                let b = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                (b, b, String::new())
            };
            let level = self.meta_of(body).level;
            let jw = self.role(level, "jw")?;
            let measure = if person_case {
                self.pick(&[
                    "admonishment",
                    "circulation",
                    "organisational_handling",
                    "suspension",
                    "removal",
                ])?
            } else {
                self.pick(&["inspection", "circulation"])?
            };
            let y = day.year();
            let no = self.next_no(jw, "问", y);
            let doc_no = format!("{}纪问〔{y}〕{no}号", LEVELS[level].abbr);
            let deciding = if measure == "removal" {
                format!("中共{}委员会", LEVELS[level].prefix)
            } else {
                self.name(jw)
            };
            let employer = if person_case {
                self.name(body)
            } else {
                String::new()
            };
            let facts = self.pick(FACTS)?;
            self.finish(
                catalog,
                Draft {
                    type_code: "accountability",
                    subject,
                    source: jw,
                    doc_no,
                    date: day,
                    fields: vec![
                        (
                            "subject_type",
                            if person_case {
                                "person"
                            } else {
                                "organisation"
                            }
                            .into(),
                        ),
                        ("employer", employer),
                        ("post", post),
                        ("measure", measure.into()),
                        ("facts", facts.into()),
                        ("deciding_body", deciding),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn appraisals(&mut self, catalog: &Catalog) -> Result<()> {
        let people: Vec<usize> = self.persons.iter().copied().skip(30).take(11).collect();
        let mut rows: Vec<(NaiveDate, usize, i32)> = Vec::new();
        for year in 2022..=2025 {
            for &p in &people {
                let confirmed = weekday_back(date(year + 1, 1, 20 + self.n(0, 8) as u32));
                let confirmed = plus_days(confirmed, self.n(0, 40) as i64);
                let confirmed = weekday_back(confirmed);
                if confirmed <= self.end {
                    rows.push((confirmed, p, year));
                }
            }
        }
        rows.sort();
        for (day, person, year) in rows {
            let (body, post) = self
                .job_at(person, date(year, 12, 31))
                .ok_or_else(|| anyhow!("演示人员在{year}年末无任职"))?;
            let level = self.meta_of(body).level;
            let zzb = self.role(level, "zzb")?;
            let y = day.year();
            let no = self.next_no(zzb, "考", y);
            let doc_no = format!("{}组考〔{y}〕{no}号", LEVELS[level].abbr);
            let result = match self.n(0, 19) {
                0..=3 => "excellent",
                4..=17 => "competent",
                18 => "basically_competent",
                _ => "not_graded",
            };
            let submitted = self.maybe_submitted(day);
            let employer = self.name(body);
            let employer_code = self.code_of(body);
            self.finish(
                catalog,
                Draft {
                    type_code: "civil_servant_appraisal",
                    subject: person,
                    source: zzb,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("employer", employer.clone()),
                        ("employer_uscc", employer_code),
                        ("rank", Self::rank_for(&post).into()),
                        ("post", post),
                        ("year", year.to_string()),
                        ("result", result.into()),
                        ("appraising_body", employer),
                    ],
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn commendations(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(20);
        for (i, day) in dates.into_iter().enumerate() {
            let y = day.year();
            let (subject, awarding, source, award, kind, level_code, years) = match i % 5 {
                0 | 1 => {
                    let s = {
                        let all = self.companies.clone();
                        self.pick(&all)?
                    };
                    let fgw = self.role(CITY, "fgw")?;
                    (
                        s,
                        fgw,
                        fgw,
                        format!("{y}年度常州市诚信示范企业"),
                        "credit_award",
                        "city",
                        3,
                    )
                }
                2 => {
                    let person = self.persons[41 + i / 5];
                    let (body, _) = self
                        .job_at(person, day)
                        .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                    let level = self.meta_of(body).level;
                    let gov = self.role(level, "gov")?;
                    let rsj = self.role(level, "rsj")?;
                    let (award, kind) = if self.chance(0.6) {
                        (format!("{}年度嘉奖", y - 1), "citation")
                    } else {
                        (format!("{}年度记三等功", y - 1), "merit")
                    };
                    (
                        person,
                        gov,
                        rsj,
                        award,
                        kind,
                        if level == CITY { "city" } else { "county" },
                        0,
                    )
                }
                3 => {
                    let b = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                    let gov = self.role(CITY, "gov")?;
                    let award = self.pick(&[
                        "优化营商环境工作先进集体",
                        "法治政府建设示范单位",
                        "政务诚信建设工作先进单位",
                        "12345热线工单办理先进单位",
                    ])?;
                    (
                        b,
                        gov,
                        gov,
                        format!("{y}年度{award}"),
                        "honorary_title",
                        "city",
                        0,
                    )
                }
                _ => {
                    let s = {
                        let all = self.social.clone();
                        self.pick(&all)?
                    };
                    let level = self.meta_of(s).level;
                    let gov = self.role(level, "gov")?;
                    (
                        s,
                        gov,
                        gov,
                        format!("{}先进社会组织", LEVELS[level].prefix),
                        "honorary_title",
                        if level == CITY { "city" } else { "county" },
                        0,
                    )
                }
            };
            let abbr = self.meta_of(source).abbr;
            let no = self.next_no(source, "表", y);
            let doc_no = format!("{abbr}表〔{y}〕{no}号");
            let valid_to = if years > 0 {
                plus_days(add_months(day, years * 12), -1).to_string()
            } else {
                String::new()
            };
            let awarding_name = self.name(awarding);
            let awarding_code = self.code_of(awarding);
            self.finish(
                catalog,
                Draft {
                    type_code: "commendation",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("award_name", award),
                        ("award_kind", kind.into()),
                        ("level", level_code.into()),
                        ("awarding_body", awarding_name),
                        ("awarding_body_uscc", awarding_code),
                        ("valid_to", valid_to),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    /// A purchaser: a department, township or institution.
    fn purchaser(&mut self) -> Result<usize> {
        if self.chance(0.3) {
            let inst = self.institutions.clone();
            self.pick(&inst)
        } else {
            self.gov_body(&[CITY, LIYANG, WUJIN])
        }
    }

    fn procurement(&mut self, catalog: &Catalog) -> Result<()> {
        const PROJECTS: &[(&str, &[Ind])] = &[
            ("办公设备采购项目", &[Ind::Trade, Ind::Tech]),
            ("信息化系统运维服务项目", &[Ind::Tech]),
            ("市政道路维修工程", &[Ind::Build]),
            ("物业管理服务项目", &[Ind::Service]),
            ("档案数字化加工服务项目", &[Ind::Tech, Ind::Service]),
            ("绿化养护服务项目", &[Ind::Build]),
            ("食堂餐饮服务项目", &[Ind::Food]),
            ("办公楼维修改造工程", &[Ind::Build]),
        ];
        let dates = self.decision_dates(25);
        for day in dates {
            let purchaser = self.purchaser()?;
            let (project, inds) = self.pick(PROJECTS)?;
            let supplier = self.company_in(inds)?;
            let level = self.meta_of(purchaser).level;
            let czj = self.role(level, "czj")?;
            let py = LEVELS[level].py;
            let signed = plus_days(day, -(self.n(60, 360) as i64));
            let sy = signed.year();
            let cno = self.next_no(czj, "contract", sy);
            let contract_no = format!("{py}CG-HT-{sy}-{cno:04}");
            let project_no = format!("{py}CG{sy}-{cno:04}");
            let amount = self.n(50, 4_000) * 100_000; // fen
            let acceptance = self.chance(0.5);
            let y = day.year();
            let rno = self.next_no(czj, "record", y);
            let record_no = format!(
                "{py}CG-{y}-{rno:04}-{}",
                if acceptance { "YS" } else { "ZF" }
            );
            let mut fields: Vec<(&'static str, String)> = vec![
                ("supplier_name", self.name(supplier)),
                ("supplier_uscc", self.code_of(supplier)),
                ("project_name", format!("{}{project}", self.name(purchaser))),
                ("project_no", project_no),
                ("contract_no", contract_no),
                ("contract_name", format!("{project}合同")),
                ("contract_amount", yuan(amount)),
                ("signed_date", signed.to_string()),
                (
                    "milestone",
                    if acceptance { "acceptance" } else { "payment" }.into(),
                ),
            ];
            let roll = self.n(0, 9);
            let status = if acceptance {
                let agreed = plus_days(day, -(self.n(0, 30) as i64));
                let late = roll >= 7;
                let actual = if late { day } else { agreed.min(day) };
                let result = if roll == 9 { "failed" } else { "passed" };
                fields.push(("agreed_acceptance_date", agreed.to_string()));
                fields.push(("actual_acceptance_date", actual.to_string()));
                fields.push(("acceptance_result", result.into()));
                if late && actual > agreed {
                    "late"
                } else {
                    "on_time"
                }
            } else {
                let agreed = plus_days(day, -(self.n(0, 90) as i64));
                fields.push(("agreed_payment_date", agreed.to_string()));
                fields.push(("amount_due", yuan(amount)));
                if roll >= 8 {
                    fields.push(("amount_paid", "0".into()));
                    "unperformed"
                } else if roll >= 5 {
                    fields.push(("actual_payment_date", day.to_string()));
                    fields.push(("amount_paid", yuan(amount)));
                    if day > agreed {
                        "late"
                    } else {
                        "on_time"
                    }
                } else {
                    fields.push(("actual_payment_date", agreed.to_string()));
                    fields.push(("amount_paid", yuan(amount)));
                    "on_time"
                }
            };
            fields.push(("performance_status", status.into()));
            let submitted = self.maybe_submitted(day);
            self.finish(
                catalog,
                Draft {
                    type_code: "procurement_performance",
                    subject: purchaser,
                    source: czj,
                    doc_no: record_no,
                    date: day,
                    fields,
                    severity: None,
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn arrears(&mut self, catalog: &Catalog) -> Result<()> {
        type Contract = (&'static str, &'static [Ind], &'static [&'static str]);
        const CONTRACTS: &[Contract] = &[
            (
                "道路改造工程施工合同",
                &[Ind::Build],
                &["jtj", "zjj", "town"],
            ),
            (
                "政务信息系统建设合同",
                &[Ind::Tech],
                &["zwb", "fgw", "scjg", "rsj", "bgs"],
            ),
            ("安置房建设工程施工合同", &[Ind::Build], &["zjj", "town"]),
            (
                "环境整治工程合同",
                &[Ind::Build, Ind::Tech],
                &["sthj", "town"],
            ),
            (
                "办公家具采购合同",
                &[Ind::Trade],
                &["jyj", "wjw", "tjj", "sjj", "town"],
            ),
        ];
        let dates = self.decision_dates(12);
        for day in dates {
            let (contract, inds, roles) = self.pick(CONTRACTS)?;
            let debtor = if self.chance(0.2) {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                let level = self.n(0, 2) as usize;
                self.body_by_roles(&[level], roles)?
            };
            let creditor = self.company_in(inds)?;
            let level = self.meta_of(debtor).level;
            let czj = self.role(level, "czj")?;
            let py = LEVELS[level].py;
            let agreed = plus_days(day, -(self.n(90, 700) as i64));
            let sy = plus_days(agreed, -(self.n(90, 400) as i64)).year();
            let cno = self.next_no(czj, "contract", sy);
            let contract_no = format!("{py}CG-HT-{sy}-{cno:04}");
            let total = self.n(100, 6_000) * 1_000_000; // fen
            let due = total / 10 * self.n(3, 10);
            let paid = due / 10 * self.n(0, 6);
            let arrears = due - paid;
            let roll = self.n(0, 9);
            let (status, cleared) = if roll >= 8 {
                let c = self.date_between(day, self.end);
                ("cleared", c.to_string())
            } else if paid > 0 {
                ("partly_paid", String::new())
            } else {
                ("unpaid", String::new())
            };
            let severity = if arrears >= 300_000_000 {
                Severity::Major
            } else {
                Severity::General
            };
            let finding_body = self.name(czj);
            let submitted = self.maybe_submitted(day);
            self.finish(
                catalog,
                Draft {
                    type_code: "procurement_arrears",
                    subject: debtor,
                    source: czj,
                    doc_no: contract_no,
                    date: day,
                    fields: vec![
                        ("creditor_name", self.name(creditor)),
                        ("creditor_uscc", self.code_of(creditor)),
                        (
                            "contract_name",
                            format!("{}{contract}", LEVELS[level].short),
                        ),
                        ("contract_amount", yuan(total)),
                        ("agreed_payment_date", agreed.to_string()),
                        ("amount_due", yuan(due)),
                        ("amount_paid", yuan(paid)),
                        ("arrears_amount", yuan(arrears)),
                        ("arrears_status", status.into()),
                        ("cleared_date", cleared),
                        ("finding_body", finding_body),
                    ],
                    severity: Some(severity),
                    submitted,
                },
            )?;
        }
        Ok(())
    }

    fn ppp(&mut self, catalog: &Catalog) -> Result<()> {
        const PROJECTS: &[(usize, &str)] = &[
            (LIYANG, "溧阳市城乡供水一体化PPP项目"),
            (WUJIN, "武进区污水处理厂提标改造PPP项目"),
            (CITY, "常州市城市地下综合管廊PPP项目"),
            (LIYANG, "天目湖旅游度假区基础设施PPP项目"),
            (WUJIN, "武进区农村生活污水治理PPP项目"),
            (CITY, "常州市静脉产业园PPP项目"),
        ];
        let dates = self.decision_dates(6);
        for (i, day) in dates.into_iter().enumerate() {
            let (level, project) = PROJECTS[i % PROJECTS.len()];
            let government = i % 3 != 2;
            let subject = if government {
                if self.chance(0.5) {
                    self.role(level, "gov")?
                } else {
                    self.role(level, "zjj")?
                }
            } else {
                self.company_in(&[Ind::Build, Ind::Tech])?
            };
            let czj = self.role(level, "czj")?;
            let y = day.year();
            let no = self.next_no(czj, "金", y);
            let doc_no = format!("{}财金〔{y}〕{no}号", LEVELS[level].abbr);
            let breach = if government {
                "未按PPP项目合同约定足额支付可行性缺口补助，且未按约定将支出责任纳入年度预算"
            } else {
                "未按PPP项目合同约定的时间节点完成项目建设，且擅自变更项目公司股权结构"
            };
            let amount = self.n(300, 9_000) * 10_000;
            let responsible = if government {
                let gov_side = self.role(level, "zjj")?;
                self.head_at(gov_side, day).unwrap_or_default()
            } else {
                String::new()
            };
            let severity = if self.chance(0.3) {
                Severity::Severe
            } else {
                Severity::Major
            };
            let rectification = if self.chance(0.5) {
                "已制定整改方案，正在分期落实".to_string()
            } else {
                String::new()
            };
            let finding_body = self.name(czj);
            self.finish(
                catalog,
                Draft {
                    type_code: "ppp_breach",
                    subject,
                    source: czj,
                    doc_no,
                    date: day,
                    fields: vec![
                        (
                            "party_role",
                            if government { "government" } else { "private" }.into(),
                        ),
                        ("project_name", project.into()),
                        (
                            "project_code",
                            format!("{}-PPP-{}-{:03}", LEVELS[level].region, y - 6, i + 1),
                        ),
                        (
                            "contract_no",
                            format!("{}PPP-HT-{}-{:03}", LEVELS[level].py, y - 5, i + 1),
                        ),
                        ("stage", "execution".into()),
                        ("breach", breach.into()),
                        ("amount", wan(amount)),
                        ("responsible_person", responsible),
                        ("finding_body", finding_body),
                        ("rectification", rectification),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn investment(&mut self, catalog: &Catalog) -> Result<()> {
        const PROMISES: &[(&str, &str)] = &[
            (
                "项目投产后三年内按其地方财政贡献的50%给予产业扶持奖励",
                "扶持奖励资金至今未兑现",
            ),
            (
                "于约定日期前完成项目用地“七通一平”并交付使用",
                "因规划调整未能按期交付用地，且未依法给予补偿",
            ),
            (
                "按设备投资额的10%给予技术改造补贴",
                "补贴资金经企业多次申请仍未拨付",
            ),
            (
                "为项目配套建设人才公寓并优先保障企业员工租住",
                "人才公寓未建设，承诺事项未履行",
            ),
        ];
        let dates = self.decision_dates(8);
        for (i, day) in dates.into_iter().enumerate() {
            let subject = match i % 4 {
                0 => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
                1 => self.role(if i % 8 == 1 { LIYANG } else { WUJIN }, "gov")?,
                2 => {
                    let level = self.n(0, 2) as usize;
                    self.role(level, "swj")?
                }
                _ => {
                    let towns = self.towns.clone();
                    self.pick(&towns)?
                }
            };
            let level = self.meta_of(subject).level;
            let source = self.role(CITY, "fgw")?;
            let counterparty = self.company_in(&[Ind::Manu, Ind::Tech, Ind::Chem])?;
            let (promise, breach) = self.pick(PROMISES)?;
            let amount = self.n(50, 3_000) * 10_000;
            let y = day.year();
            let no = self.next_no(source, "信用", y);
            let doc_no = format!("常发改信用〔{y}〕{no}号");
            let due = plus_days(day, -(self.n(120, 700) as i64));
            let ay = plus_days(due, -(self.n(365, 1100) as i64)).year();
            let severity = if amount > 10_000_000 {
                Severity::Major
            } else {
                Severity::General
            };
            let counter_name = self.name(counterparty);
            let short_name = counter_name
                .trim_end_matches("股份有限公司")
                .trim_end_matches("有限责任公司")
                .trim_end_matches("有限公司")
                .to_string();
            let finding_body = self.name(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "investment_promise_breach",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("counterparty_name", counter_name),
                        ("counterparty_uscc", self.code_of(counterparty)),
                        ("project_name", format!("{short_name}新建生产基地项目")),
                        (
                            "agreement_name",
                            format!("{short_name}新建生产基地项目投资协议书"),
                        ),
                        (
                            "agreement_no",
                            format!("{}ZS-{ay}-{:03}", LEVELS[level].py, i + 11),
                        ),
                        ("promise", promise.into()),
                        ("promise_due_date", due.to_string()),
                        ("breach", format!("{breach}，涉及金额{}", wan_text(amount))),
                        ("amount", wan(amount)),
                        ("finding_body", finding_body),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn statistics(&mut self, catalog: &Catalog) -> Result<()> {
        let dates = self.decision_dates(10);
        for (i, day) in dates.into_iter().enumerate() {
            let (subject, conduct, facts, handling, fine, severity) = match i % 5 {
                0 => {
                    let towns: Vec<usize> = self
                        .towns
                        .iter()
                        .copied()
                        .filter(|&t| {
                            self.subjects[t].name.ends_with("人民政府")
                                || self.subjects[t].name.ends_with("办事处")
                        })
                        .collect();
                    let t = self.pick(&towns)?;
                    (
                        t,
                        "篡改统计资料、编造虚假统计数据",
                        "经查，该单位在规模以上工业统计调查中授意辖区企业虚报产值，虚增工业总产值。",
                        "责令改正，予以通报；移送纪检监察机关追究相关人员责任",
                        0,
                        Severity::Severe,
                    )
                }
                1 if i == 1 => {
                    let p = self.persons[5];
                    (
                        p,
                        "授意、指使他人篡改统计资料",
                        "经查，当事人在任职期间授意统计人员修改固定资产投资统计数据。",
                        "移送纪检监察机关依纪依法处理",
                        0,
                        Severity::Severe,
                    )
                }
                _ => {
                    let c = self.company_in(&[Ind::Manu, Ind::Chem, Ind::Build, Ind::Trade])?;
                    let fine = self.n(1, 20) * 10_000;
                    let severe = self.chance(0.5);
                    (
                        c,
                        if severe {
                            "提供不真实统计资料"
                        } else {
                            "迟报统计资料"
                        },
                        "经统计执法检查，当事人上报的营业收入、从业人员等统计数据与实际不符。",
                        if severe {
                            "警告，并处罚款；认定为统计严重失信企业"
                        } else {
                            "警告，并处罚款"
                        },
                        fine,
                        if severe {
                            Severity::Severe
                        } else {
                            Severity::Major
                        },
                    )
                }
            };
            let source = self.source_for(subject, "tjj")?;
            let abbr = self.meta_of(source).abbr;
            let y = day.year();
            let no = self.next_no(source, "罚", y);
            let doc_no = format!("{abbr}罚〔{y}〕{no}号");
            let deciding = self.name(source);
            self.finish(
                catalog,
                Draft {
                    type_code: "statistical_fraud",
                    subject,
                    source,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("conduct", conduct.into()),
                        ("facts", facts.into()),
                        ("basis", "《中华人民共和国统计法》第三十七条、第四十一条；《统计严重失信企业信用管理办法》第七条".into()),
                        ("handling", handling.into()),
                        ("fine_amount", if fine > 0 { wan(fine) } else { String::new() }),
                        ("deciding_body", deciding),
                    ],
                    severity: Some(severity),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn complaints(&mut self, catalog: &Catalog) -> Result<()> {
        const MATTERS: &[(&str, &str)] = &[
            (
                "反映办事窗口工作人员推诿，要求重复提交已提交材料",
                "经查属实，窗口工作人员未执行一次性告知制度",
            ),
            (
                "反映小区周边道路破损多次报修无人处理",
                "经查属实，承办单位未在规定时限内组织维修",
            ),
            (
                "反映惠企政策奖励资金承诺后长期未兑现",
                "经查属实，奖励资金因预算未落实延迟拨付逾一年",
            ),
            (
                "反映工程款被拖欠，多次催要无果",
                "经查属实，项目已竣工验收但工程尾款逾期未付",
            ),
            (
                "反映执法人员态度粗暴、执法不规范",
                "经查属实，执法人员未按规定出示执法证件且言语不当",
            ),
        ];
        let dates = self.decision_dates(15);
        for (i, day) in dates.into_iter().enumerate() {
            let (subject, unit) = match i % 5 {
                0 => {
                    let p = self.persons[22 + i / 5];
                    let (body, _) = self
                        .job_at(p, day)
                        .ok_or_else(|| anyhow!("演示人员在{day}无任职"))?;
                    (p, body)
                }
                1 => {
                    let inst = self.institutions.clone();
                    let s = self.pick(&inst)?;
                    (s, s)
                }
                _ => {
                    let s = self.gov_body(&[CITY, LIYANG, WUJIN])?;
                    (s, s)
                }
            };
            let level = self.meta_of(unit).level;
            let zwb = self.role(level, "zwb")?;
            let y = day.year();
            let no = self.next_no(zwb, "12345", y);
            let received = plus_days(day, -(self.n(5, 30) as i64));
            let ticket = format!(
                "{}12345-{}-{:05}",
                LEVELS[level].py,
                received.format("%Y%m%d"),
                no
            );
            let channel = match self.n(0, 9) {
                0..=6 => "hotline_12345",
                7 => "portal",
                8 => "letter",
                _ => "visit",
            };
            let (matter, finding) = self.pick(MATTERS)?;
            let handling_unit = self.name(unit);
            self.finish(
                catalog,
                Draft {
                    type_code: "complaint_verified",
                    subject,
                    source: zwb,
                    doc_no: ticket,
                    date: day,
                    fields: vec![
                        ("channel", channel.into()),
                        ("received_date", received.to_string()),
                        ("matter", matter.into()),
                        ("findings", finding.into()),
                        (
                            "handling",
                            "责令限期整改，对相关责任人批评教育，并向投诉人反馈".into(),
                        ),
                        ("handling_unit", handling_unit),
                    ],
                    severity: Some(if i % 4 == 0 {
                        Severity::Minor
                    } else {
                        Severity::General
                    }),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn audits(&mut self, catalog: &Catalog) -> Result<()> {
        const ISSUES: &[(&str, &str)] = &[
            ("预算执行", "超预算、无预算列支会议费及培训费"),
            ("专项资金管理", "专项资金滞留未拨付，部分资金闲置超过两年"),
            ("政府采购", "化整为零规避公开招标，未按规定履行政府采购程序"),
            (
                "国有资产管理",
                "固定资产账实不符，部分资产出租未履行审批程序",
            ),
            ("政府债务", "未按期偿还到期债务，形成逾期"),
            ("拖欠企业账款", "政府投资项目竣工后未按合同约定支付工程款"),
        ];
        let dates = self.decision_dates(15);
        for day in dates {
            let auditee = if self.chance(0.25) {
                let inst = self.institutions.clone();
                self.pick(&inst)?
            } else {
                self.gov_body(&[CITY, LIYANG, WUJIN])?
            };
            let level = self.meta_of(auditee).level;
            let sjj = self.role(level, "sjj")?;
            let y = day.year();
            let no = self.next_no(sjj, "报", y);
            let doc_no = format!("{}审报〔{y}〕{no}号", LEVELS[level].abbr);
            let (category, issue) = self.pick(ISSUES)?;
            let responsible = self.head_at(auditee, day).unwrap_or_default();
            let project = if responsible.is_empty() || self.chance(0.5) {
                format!("{}{}年度预算执行情况审计", self.name(auditee), y - 1)
            } else {
                format!("{}主要领导干部经济责任审计", self.name(auditee))
            };
            let deadline = add_months(day, 3);
            let (status, rectified) = if deadline < self.end && self.chance(0.7) {
                ("completed", self.date_between(day, deadline).to_string())
            } else if self.chance(0.6) {
                ("in_progress", String::new())
            } else {
                ("not_started", String::new())
            };
            let amount = self.n(10, 2_000) * 10_000;
            let audit_body = self.name(sjj);
            self.finish(
                catalog,
                Draft {
                    type_code: "audit_finding",
                    subject: auditee,
                    source: sjj,
                    doc_no,
                    date: day,
                    fields: vec![
                        ("responsible_person", responsible),
                        ("project_name", project),
                        ("issue_category", category.into()),
                        ("issue", format!("{issue}，涉及金额{}", wan_text(amount))),
                        ("amount", wan(amount)),
                        ("rectification_deadline", deadline.to_string()),
                        ("rectification_status", status.into()),
                        ("rectified_date", rectified),
                        ("audit_body", audit_body),
                    ],
                    severity: Some(if amount > 5_000_000 {
                        Severity::Major
                    } else {
                        Severity::General
                    }),
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }

    fn proposals(&mut self, catalog: &Catalog) -> Result<()> {
        const TITLES: &[(&str, &str)] = &[
            ("关于加快清理拖欠中小企业账款的建议", "czj"),
            ("关于进一步优化营商环境、提升政务服务效能的建议", "zwb"),
            ("关于加强政务诚信建设、兑现招商引资承诺的建议", "fgw"),
            ("关于完善老旧小区改造长效管理机制的建议", "zjj"),
            ("关于加强农村公路养护管理的建议", "jtj"),
            ("关于推进企业环保信用评价结果运用的建议", "sthj"),
            ("关于加大高校毕业生就业扶持力度的建议", "rsj"),
            ("关于提升统计数据质量、防范统计造假的建议", "tjj"),
            ("关于加强校园周边食品安全监管的建议", "scjg"),
        ];
        let mut rows: Vec<(NaiveDate, usize, bool)> = Vec::new();
        for year in 2023..=2026 {
            for k in 0..5 {
                let assigned = weekday_back(date(year, 2, 20 + self.n(0, 8) as u32));
                let assigned = weekday_back(plus_days(assigned, self.n(0, 30) as i64));
                if assigned <= self.end {
                    rows.push((assigned, (k + year as usize) % LEVELS.len(), k % 2 == 0));
                }
            }
        }
        rows.sort();
        for (day, level, npc) in rows {
            let (title, role) = self.pick(TITLES)?;
            let lead = self.role(level, role)?;
            let source = self.role(level, "bgs")?;
            let y = day.year();
            let series = if npc { "人大" } else { "政协" };
            let no = self.next_no(source, series, y);
            let proposal_no = if npc {
                format!("{}{y}年人大代表建议第{no:03}号", LEVELS[level].prefix)
            } else {
                format!("{}{y}年政协提案第{no:03}号", LEVELS[level].prefix)
            };
            let due = add_months(day, 3);
            let (reply, result, satisfaction) = if due < self.end {
                let reply = self.date_between(plus_days(day, 30), due);
                let result = self.pick(&["A", "A", "B", "B", "C", "D"])?;
                let satisfaction = match self.n(0, 9) {
                    0..=6 => "satisfied",
                    7 | 8 => "basically_satisfied",
                    _ => "unsatisfied",
                };
                (
                    reply.to_string(),
                    result.to_string(),
                    satisfaction.to_string(),
                )
            } else {
                (String::new(), String::new(), String::new())
            };
            let proposer = format!(
                "{}等{}名{}",
                self.any_name()?,
                self.n(2, 8),
                if npc { "代表" } else { "委员" }
            );
            let co_role = self.pick(&["fgw", "czj", "zwb", "scjg"])?;
            let co = self.role(level, co_role)?;
            let co_units = if co == lead {
                String::new()
            } else {
                self.name(co)
            };
            self.finish(
                catalog,
                Draft {
                    type_code: "npc_cppcc_proposal",
                    subject: lead,
                    source,
                    doc_no: proposal_no,
                    date: day,
                    fields: vec![
                        (
                            "proposal_kind",
                            if npc {
                                "npc_suggestion"
                            } else {
                                "cppcc_proposal"
                            }
                            .into(),
                        ),
                        ("proposal_title", title.into()),
                        ("proposer", proposer),
                        ("co_units", co_units),
                        ("due_date", due.to_string()),
                        ("reply_date", reply),
                        ("result", result),
                        ("satisfaction", satisfaction),
                    ],
                    severity: None,
                    submitted: false,
                },
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chengxin_domain::codes::{classify, CodeKind};
    use chengxin_domain::regions::RegionTable;
    use std::collections::BTreeMap;

    fn today() -> NaiveDate {
        date(2026, 3, 16)
    }

    fn data() -> DemoData {
        build(today()).unwrap()
    }

    #[test]
    fn deterministic() {
        let a = data();
        let b = data();
        assert!(a == b, "two builds differ");
        // A different day keeps the subjects (only dates near the end and statuses may move).
        // Another day gives the same subjects (only employment-derived regions may move).
        let c = build(date(2027, 5, 1)).unwrap();
        assert_eq!(a.subjects.len(), c.subjects.len());
        for (x, y) in a.subjects.iter().zip(&c.subjects) {
            assert_eq!(
                (&x.name, &x.uscc, &x.id_masked),
                (&y.name, &y.uscc, &y.id_masked)
            );
            assert_eq!(x.id_number, y.id_number);
        }
    }

    #[test]
    fn sizes() {
        let d = data();
        let count = |k: SubjectKind| d.subjects.iter().filter(|s| s.kind == k).count();
        assert_eq!(count(SubjectKind::CivilServant), 60);
        assert_eq!(count(SubjectKind::Enterprise), 80);
        assert_eq!(count(SubjectKind::SocialOrg), 10);
        assert!(count(SubjectKind::GovBody) >= 60);
        assert!(count(SubjectKind::Institution) >= 5);
        assert!(
            (300..=400).contains(&d.records.len()),
            "{}",
            d.records.len()
        );
        println!(
            "subjects {} employments {} records {}",
            d.subjects.len(),
            d.employments.len(),
            d.records.len()
        );
    }

    #[test]
    fn regions_exist() {
        let t = RegionTable::national();
        for code in ["320400", "320481", "320412"] {
            assert!(t.get(code).is_some_and(|r| r.current), "{code}");
        }
        assert_eq!(t.full_name("320481").as_deref(), Some("江苏省常州市溧阳市"));
    }

    #[test]
    fn codes_are_valid() {
        let d = data();
        let regions = RegionTable::national();
        let mut seen = BTreeSet::new();
        for s in &d.subjects {
            if let Some(code) = &s.uscc {
                let r = classify(code, regions, today());
                assert!(r.valid, "{} {code}: {:?}", s.name, r.reason);
                assert_eq!(r.kind, CodeKind::Uscc, "{code}");
                assert!(r.warnings.is_empty(), "{code}: {:?}", r.warnings);
                assert!(code.starts_with(match s.kind {
                    SubjectKind::GovBody => "11",
                    SubjectKind::Institution => "12",
                    SubjectKind::Enterprise => "9",
                    SubjectKind::SocialOrg => "5",
                    _ => "?",
                }));
                assert_eq!(&code[2..8], s.region, "{}", s.name);
                assert!(seen.insert(code.clone()));
            }
            if let Some(id) = &s.id_number {
                let r = classify(id, regions, today());
                assert!(r.valid, "{}: {:?}", s.name, r.reason);
                assert_eq!(r.kind, CodeKind::IdNumber);
                let year: i32 = id[6..10].parse().unwrap();
                assert!((1965..=1998).contains(&year));
                assert_eq!(s.id_masked.as_deref(), Some(id_number::mask(id).as_str()));
                assert!(seen.insert(id.clone()));
            }
            assert!(s.uscc.is_some() != s.id_number.is_some(), "{}", s.name);
        }
        let names: BTreeSet<&str> = d.subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), d.subjects.len(), "subject names are unique");
    }

    #[test]
    fn fields_pass_the_catalog() {
        let d = data();
        let catalog = Catalog::default_checked().unwrap();
        for r in &d.records {
            let rt = catalog.get(&r.type_code).unwrap();
            for (k, v) in &r.fields {
                let def = rt
                    .field(k)
                    .unwrap_or_else(|| panic!("{} has no {k}", r.type_code));
                let s = v.as_str().unwrap();
                let parsed = def.parse_value(s);
                assert!(
                    parsed.is_ok(),
                    "{} {} {k}={s}: {parsed:?}",
                    r.type_code,
                    r.doc_no
                );
                assert_eq!(normalized(&parsed.unwrap()), s, "stored normalised");
            }
            for f in &rt.fields {
                if f.required {
                    assert!(r.fields.contains_key(&f.name), "{} {}", r.type_code, f.name);
                }
            }
            assert_eq!(r.fields[&rt.key_field].as_str(), Some(r.doc_no.as_str()));
            assert_eq!(
                r.fields[&rt.decision_date_field].as_str(),
                Some(r.decision_date.to_string().as_str())
            );
            assert_eq!(
                r.fields[&rt.subject.name_field].as_str(),
                Some(r.subject_name.as_str())
            );
            let s = &d.subjects[r.subject];
            assert_eq!(s.name, r.subject_name);
            assert!(
                rt.subject_kinds.contains(&s.kind),
                "{} {}",
                r.type_code,
                s.name
            );
            if let (Some(f), Some(code)) = (&rt.subject.uscc_field, &s.uscc) {
                assert_eq!(r.fields[f].as_str(), Some(code.as_str()));
            }
            assert_eq!(
                r.severity.is_some(),
                rt.severity.is_some(),
                "{}",
                r.type_code
            );
            assert!(d
                .subjects
                .iter()
                .any(|b| b.uscc.as_deref() == Some(r.source_dept.as_str())));
            assert!(r.decision_date < today());
            assert!(r.decision_date >= date(2023, 1, 1));
        }
    }

    #[test]
    fn every_type_has_records() {
        let d = data();
        let catalog = Catalog::default_checked().unwrap();
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &d.records {
            *per.entry(r.type_code.as_str()).or_default() += 1;
        }
        for t in catalog.types() {
            let n = per.get(t.code.as_str()).copied().unwrap_or(0);
            assert!(n >= 5, "{}: {n}", t.code);
        }
        let statuses: BTreeSet<&str> = d.records.iter().map(|r| r.status.as_str()).collect();
        for s in ["published", "expired", "submitted"] {
            assert!(statuses.contains(s), "{s}");
        }
        let published = d
            .records
            .iter()
            .filter(|r| r.status == RecordStatus::Published)
            .count();
        assert!(published * 2 > d.records.len());
        // Records about government bodies and civil servants.
        let about = |code: &str, kind: SubjectKind| {
            d.records
                .iter()
                .filter(|r| r.type_code == code && d.subjects[r.subject].kind == kind)
                .count()
        };
        assert!(about("procurement_arrears", SubjectKind::GovBody) > 0);
        assert!(about("investment_promise_breach", SubjectKind::GovBody) > 0);
        assert!(about("court_judgment", SubjectKind::GovBody) > 0);
        assert!(about("refusal_to_execute", SubjectKind::GovBody) > 0);
        assert!(about("disciplinary_sanction", SubjectKind::CivilServant) > 0);
        assert!(about("civil_servant_appraisal", SubjectKind::CivilServant) > 0);
        // Spring Festival dates are present.
        assert!(d.records.iter().any(|r| r.decision_date.year() == 2025
            && r.decision_date.month() <= 2
            && matches!(r.type_code.as_str(), "admin_license" | "admin_penalty")));
    }

    #[test]
    fn source_keys_are_unique() {
        let d = data();
        let mut keys = BTreeSet::new();
        for r in &d.records {
            assert!(
                keys.insert((r.source_dept.clone(), r.type_code.clone(), r.doc_no.clone())),
                "duplicate {} {}",
                r.type_code,
                r.doc_no
            );
        }
    }

    #[test]
    fn no_clear_id_number_anywhere() {
        let d = data();
        let ids: Vec<&str> = d
            .subjects
            .iter()
            .filter_map(|s| s.id_number.as_deref())
            .collect();
        assert_eq!(ids.len(), 60);
        let mut text = String::new();
        for r in &d.records {
            text.push_str(&serde_json::to_string(&r.fields).unwrap());
            text.push_str(&r.subject_name);
            text.push_str(&r.doc_no);
        }
        for s in &d.subjects {
            text.push_str(&format!("{s:?}"));
        }
        text.push_str(&format!("{:?}", d.employments));
        for id in ids {
            assert!(!text.contains(id));
            // Not even the birth-date middle part next to the region.
            assert!(!text.contains(&id[..14]));
        }
        assert!(text.contains("**********"));
    }

    #[test]
    fn employments_are_consistent() {
        let d = data();
        let mut by_person: BTreeMap<usize, Vec<&DemoEmployment>> = BTreeMap::new();
        for e in &d.employments {
            assert!(d.subjects[e.person].kind == SubjectKind::CivilServant);
            assert!(matches!(
                d.subjects[e.body].kind,
                SubjectKind::GovBody | SubjectKind::Institution
            ));
            assert!(e.start < today());
            by_person.entry(e.person).or_default().push(e);
        }
        assert_eq!(by_person.len(), 60);
        let mut movers = 0;
        for jobs in by_person.values() {
            assert!((1..=3).contains(&jobs.len()));
            for w in jobs.windows(2) {
                assert_eq!(w[0].end, Some(w[1].start.pred_opt().unwrap()));
                assert_ne!(w[0].body, w[1].body);
            }
            assert!(jobs.last().unwrap().end.is_none());
            if jobs.len() > 1 {
                movers += 1;
            }
        }
        assert!(movers >= 15, "{movers}");
        for (i, s) in d.subjects.iter().enumerate() {
            if let Some(p) = s.parent {
                assert!(p < i);
            }
        }
        assert!(d.subjects.iter().any(|s| s.name == "常州市市场监督管理局"
            && s.former_names == vec!["常州市工商行政管理局".to_string()]));
    }

    #[test]
    fn builds_for_any_day() {
        let catalog = Catalog::default_checked().unwrap();
        let mut day = date(2024, 1, 1);
        while day < date(2031, 1, 1) {
            let d = build(day).unwrap();
            for t in catalog.types() {
                let n = d.records.iter().filter(|r| r.type_code == t.code).count();
                assert!(n >= 5, "{day} {}: {n}", t.code);
            }
            assert!(d.records.iter().all(|r| r.decision_date < day));
            assert!(d.employments.iter().all(|e| e.start < day));
            day = plus_days(day, 97);
        }
    }

    #[test]
    fn rejects_a_date_before_the_data() {
        assert!(build(date(2023, 6, 1)).is_err());
    }

    #[tokio::test]
    async fn loads_into_sqlite_once() {
        use chengxin_store::LogSigner;
        let dir = std::env::temp_dir().join(format!("chengxin-demo-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("demo.db").display());
        let store = chengxin_store::open(&url).await.unwrap();
        let catalog = Catalog::default_checked().unwrap();
        store
            .migrate(catalog, &LogSigner::generate(), "test")
            .await
            .unwrap();
        let hasher = IdHasher::new([9; 32]);

        // Simulate an interrupted load: part of the data is already there.
        let d = build(today()).unwrap();
        let first = &d.subjects[0];
        store
            .create_subject(
                "test",
                NewSubject {
                    kind: Some(first.kind),
                    name: first.name.clone(),
                    uscc: first.uscc.clone(),
                    region: Some(first.region.clone()),
                    ..NewSubject::default()
                },
            )
            .await
            .unwrap();

        let report = load(store.as_ref(), &hasher, today()).await.unwrap();
        assert!(!report.already_loaded);
        assert_eq!(report.subjects, d.subjects.len());
        assert_eq!(
            store.count_subjects().await.unwrap() as usize,
            report.subjects
        );
        assert_eq!(
            store.count_records().await.unwrap() as usize,
            report.records
        );
        assert_eq!(
            store.meta(META_KEY).await.unwrap().as_deref(),
            Some(DEMO_VERSION)
        );

        // Resume after a "crash" (meta key missing): nothing is duplicated.
        let again = load_without_flag_for_test(store.as_ref(), &hasher).await;
        assert!(again.is_ok());
        assert_eq!(
            store.count_subjects().await.unwrap() as usize,
            report.subjects
        );
        assert_eq!(
            store.count_records().await.unwrap() as usize,
            report.records
        );

        let second = load(store.as_ref(), &hasher, today()).await.unwrap();
        assert!(second.already_loaded);
        assert_eq!(
            store.count_subjects().await.unwrap() as usize,
            report.subjects
        );
        assert_eq!(
            store.count_records().await.unwrap() as usize,
            report.records
        );

        // Employments are not duplicated either.
        let person = d
            .subjects
            .iter()
            .find(|s| s.kind == SubjectKind::CivilServant)
            .unwrap();
        let stored = store
            .subject_by_id_hash(&hasher.hash(person.id_number.as_deref().unwrap()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.id_masked, person.id_masked);
        let jobs = store.employments_of(stored.id).await.unwrap();
        let idx = d.subjects.iter().position(|s| s == person).unwrap();
        assert_eq!(
            jobs.len(),
            d.employments.iter().filter(|e| e.person == idx).count()
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Test helper: runs the writing part again as if the meta flag had never been set.
    async fn load_without_flag_for_test(
        store: &dyn Store,
        hasher: &IdHasher,
    ) -> Result<DemoReport> {
        store.set_meta("test", META_KEY, "interrupted").await?;
        load(store, hasher, date(2026, 3, 16)).await
    }
}
