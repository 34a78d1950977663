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
//! The data is built by the pure function [`build`] (a fixed-seed ChaCha8 generator drawing from
//! the tables in `data/demo/*.toml`, compiled in; `today` is only used to keep dates in the past
//! and to compute statuses) and written by [`load`] through
//! the `Store` API, so every write is in the change log. Clear ID numbers exist only in memory,
//! to compute the keyed hash; the store and every record field get the masked form only.

#[cfg(test)]
mod agreement;
pub mod arrears;
mod closed_loop;
pub mod commitments;
pub mod debt;
pub mod evaluation;
mod gen;
pub mod ppp;
mod staff;
mod tables;
#[cfg(test)]
mod tests;
pub mod work_items;

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{anyhow, Context, Result};
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{NewEmployment, NewRecord, NewSubject, Store, StoreError};
use chrono::NaiveDate;
use uuid::Uuid;

pub use gen::build;
use tables::{tables, ListPick};

/// Version of the demo data set; stored under the meta key [`META_KEY`] once fully loaded.
pub const DEMO_VERSION: &str = "2026.1";
/// Meta key marking a completed load.
pub const META_KEY: &str = "demo_version";
/// Actor of every demo write.
const ACTOR: &str = "demo";

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
/// A demo body's USCC by its exact name (the demo files name bodies, never codes).
async fn uscc_of(store: &dyn Store, name: &str) -> Result<String> {
    let found = store
        .list_subjects(&chengxin_store::SubjectFilter {
            name_exact: Some(name.to_string()),
            limit: 5,
            ..Default::default()
        })
        .await?;
    found
        .into_iter()
        .find(|s| s.name == name)
        .and_then(|s| s.uscc)
        .ok_or_else(|| anyhow!("演示数据中的单位“{name}”不在演示主体中"))
}

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
    // The calendar in effect (provisional past the covered years), as the platform counts.
    let calendar = chengxin_app::calendar::in_effect(store).await?;
    let demo_published_at = |doc_no: &str, decided: chrono::NaiveDate| {
        let cal = &calendar;
        let h = doc_no
            .bytes()
            .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
        let days = if h % 8 == 0 { 9 + h % 4 } else { 1 + h % 5 };
        let day = cal.add_working_days(decided, days).ok()?;
        // 10:00 China time.
        day.and_hms_opt(2, 0, 0)
            .map(|t| t.and_utc().min(chengxin_store::clock::now()))
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
    // Principals across a 换届 and 诚信教育 records (issue 18).
    staff::load(store, hasher, &data).await?;

    store.set_meta(ACTOR, META_KEY, DEMO_VERSION).await?;
    Ok(DemoReport {
        already_loaded: false,
        subjects: data.subjects.len(),
        employments: data.employments.len(),
        records: data.records.len(),
    })
}

/// A few list entries (`data/demo/lists.toml`), so the lists, the closed loop and the checks
/// have something to show: the two enterprises with the most serious penalties on the
/// 严重失信主体名单, and two with no negative record at all on the 红名单 — each proposed,
/// announced and in effect (its closed-loop cases opened) on the official calendar, on days
/// spread over the last four months, and its cases worked up to today ([`closed_loop`]). Skipped
/// where the subject already has an entry on that list (a re-run).
async fn list_entries(
    store: &dyn Store,
    data: &DemoData,
    ids: &[Uuid],
    today: NaiveDate,
) -> Result<()> {
    use chengxin_domain::lists::{EntryAction, JointCatalog, ListEntry, Proposal};
    let joint = JointCatalog::default_checked().map_err(|e| anyhow!(e.to_string()))?;
    let cal = &chengxin_app::calendar::in_effect(store).await?;
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
    // Proposed on different days (about four months, two months, one month and two weeks
    // ago), so the closed loop has cases of every age: done, late, running and just opened.
    const AGES: [u64; 4] = [120, 62, 33, 16];
    let mut age = AGES.iter().cycle();
    for spec in &tables()?.lists.list_entry {
        let list_code = spec.list.as_str();
        let who = match spec.subjects {
            ListPick::MostSevere => &black,
            ListPick::NoNegative => &red,
        };
        let (standard, basis, recognised_by) = (
            spec.standard.as_str(),
            spec.basis.as_str(),
            spec.recognised_by.as_str(),
        );
        let list = joint
            .list(list_code)
            .ok_or_else(|| anyhow!("名单“{list_code}”不存在"))?;
        // The recognising body is a demo body: its code travels with the entry, so that
        // objections reach its region's credit office.
        let recognised_by_uscc = data
            .subjects
            .iter()
            .find(|s| s.name == recognised_by)
            .and_then(|s| s.uscc.clone())
            .ok_or_else(|| anyhow!("认定部门“{recognised_by}”不是演示机关"))?;
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
            let days = age.next().copied().unwrap_or(120);
            if !existing.is_empty() {
                continue;
            }
            let proposed = cal
                .add_working_days(today - chrono::Days::new(days), 1)
                .map_err(|e| anyhow!(e.to_string()))?;
            let e = ListEntry::propose(
                list,
                Proposal {
                    subject_key: subject_id.to_string(),
                    subject_name: subject.name.clone(),
                    standard: standard.into(),
                    basis: basis.into(),
                    recognised_by: recognised_by.into(),
                    recognised_by_uscc: Some(recognised_by_uscc.clone()),
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
            let row = chengxin_app::lists::entry_row(
                Uuid::now_v7(),
                subject_id,
                &e,
                1,
                chengxin_store::changelog::now(),
            )
            .map_err(|e| anyhow!(e.to_string()))?;
            store.create_list_entry(ACTOR, &row).await?;
            chengxin_app::cases::follow_entry(store, ACTOR, &row, effective)
                .await
                .map_err(|e| anyhow!(e.to_string()))?;
        }
    }
    // One entry whose publicity has ended, waiting for the credit office's 生效 decision (the
    // console's daily work: the browser test takes it to 生效 and 移出).
    if let Some(&i) = negative
        .iter()
        .find(|i| enterprise(i) && !black.contains(i))
    {
        waiting_entry(store, data, joint, cal, today, i, ids).await?;
    }
    // The credit office and the departments have worked the cases since, as they would have.
    closed_loop::play(store, ACTOR, joint.closed_loop(), cal, today).await?;
    Ok(())
}

/// A 重点关注名单 entry of subject `i`, proposed three weeks ago, its 7-working-day publicity
/// over: waiting for 生效.
async fn waiting_entry(
    store: &dyn Store,
    data: &DemoData,
    joint: &chengxin_domain::lists::JointCatalog,
    cal: &chengxin_domain::calendar::WorkCalendar,
    today: chrono::NaiveDate,
    i: usize,
    ids: &[Uuid],
) -> Result<()> {
    use chengxin_domain::lists::{EntryAction, ListEntry, Proposal};
    let list = joint
        .list("watch_list")
        .ok_or_else(|| anyhow!("名单“watch_list”不存在"))?;
    let subject = data
        .subjects
        .get(i)
        .ok_or_else(|| anyhow!("演示数据引用了不存在的主体 {i}"))?;
    let subject_id = *ids.get(i).ok_or_else(|| anyhow!("主体顺序错误"))?;
    let existing = store
        .list_entries(&chengxin_store::ListEntryFilter {
            list_code: Some("watch_list".into()),
            subject_id: Some(subject_id),
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let body = data
        .subjects
        .iter()
        .find(|s| s.name == "常州市市场监督管理局")
        .ok_or_else(|| anyhow!("认定部门“常州市市场监督管理局”不是演示机关"))?;
    let proposed = cal
        .add_working_days(today - chrono::Days::new(21), 1)
        .map_err(|e| anyhow!(e.to_string()))?;
    let e = ListEntry::propose(
        list,
        Proposal {
            subject_key: subject_id.to_string(),
            subject_name: subject.name.clone(),
            standard: "一年内受到三次以上行政处罚".into(),
            basis: "《江苏省社会信用条例》第三十二条".into(),
            recognised_by: body.name.clone(),
            recognised_by_uscc: body.uscc.clone(),
            evidence: vec![format!("常信认〔{}〕{}号", today.format("%Y"), i)],
        },
        proposed,
    )
    .map_err(|e| anyhow!(e.to_string()))?
    .apply(list, EntryAction::StartPublicity, proposed, None, cal)
    .map_err(|e| anyhow!(e.to_string()))?;
    let row = chengxin_app::lists::entry_row(
        Uuid::now_v7(),
        subject_id,
        &e,
        1,
        chengxin_store::changelog::now(),
    )
    .map_err(|e| anyhow!(e.to_string()))?;
    store.create_list_entry(ACTOR, &row).await?;
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
