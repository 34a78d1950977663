//! The demo's employment history of principals across a 换届 and its 诚信教育 records
//! (`data/demo/staff.toml`), written through the store like a personnel department's import:
//! the persons are the demo's own civil servants (hash, masked form, sealed identity), every
//! period and training change-logged, idempotent.

use anyhow::{anyhow, Context, Result};
use chengxin_access::PiiCipher;
use chengxin_domain::codes::id_number;
use chengxin_domain::staff::{parse_day, parse_hours};
use chengxin_domain::subjects::{IdHasher, Subject, SubjectKind};
use chengxin_store::{EmploymentPut, PersonPut, Store, TrainingPut};
use serde::Deserialize;
use uuid::Uuid;

use super::{DemoData, DemoSubject, ACTOR};

const STAFF_TOML: &str = include_str!("../../../../data/demo/staff.toml");

#[derive(Debug, Deserialize)]
struct StaffFile {
    period: Vec<Period>,
    training: Vec<Training>,
}

#[derive(Debug, Deserialize)]
struct Period {
    person: usize,
    body: String,
    post: String,
    #[serde(default)]
    principal: bool,
    start: String,
    end: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Training {
    person: usize,
    course: String,
    date: String,
    hours: String,
    organiser: String,
}

/// What was written: periods and trainings in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StaffReport {
    pub periods: usize,
    pub trainings: usize,
}

fn day(s: &str) -> Result<chrono::NaiveDate> {
    parse_day(s).ok_or_else(|| anyhow!("演示任职数据的日期“{s}”无效"))
}

async fn find_body(store: &dyn Store, name: &str) -> Result<Subject> {
    store
        .list_subjects(&chengxin_store::SubjectFilter {
            name_exact: Some(name.to_string()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow!("演示任职数据引用了不存在的单位“{name}”"))
}

/// The civil servants the file may name, in order: none with a generated post at one of the
/// file's bodies (so no period of theirs can overlap), never the first civil servant.
fn eligible<'a>(data: &'a DemoData, file: &StaffFile) -> Vec<&'a DemoSubject> {
    let named: Vec<&str> = file
        .period
        .iter()
        .map(|p| p.body.as_str())
        .chain(file.training.iter().map(|t| t.organiser.as_str()))
        .collect();
    let busy = |i: usize| {
        data.employments
            .iter()
            .any(|e| e.person == i && named.contains(&data.subjects[e.body].name.as_str()))
    };
    data.subjects
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == SubjectKind::CivilServant && s.id_number.is_some())
        .skip(1)
        .filter(|(i, _)| !busy(*i))
        .map(|(_, s)| s)
        .collect()
}

/// Write the demo's employment history and training records.
pub async fn load(store: &dyn Store, hasher: &IdHasher, data: &DemoData) -> Result<StaffReport> {
    let file: StaffFile = toml::from_str(STAFF_TOML).context("解析 data/demo/staff.toml")?;
    let cipher = PiiCipher::from_id_hasher(hasher);
    let persons = eligible(data, &file);
    let person_put = |n: usize, region: Option<String>| -> Result<PersonPut> {
        let p = persons
            .get(n)
            .ok_or_else(|| anyhow!("演示任职数据引用了不存在的人员 {n}"))?;
        let number = p
            .id_number
            .as_deref()
            .ok_or_else(|| anyhow!("演示人员没有身份证号"))?;
        let hash = hasher.hash(number);
        Ok(PersonPut {
            id_masked: id_number::mask(number),
            sealed: cipher
                .seal_bound(number, &hash)
                .map_err(|e| anyhow!("封存演示身份证号：{e}"))?,
            id_hash: hash,
            name: p.name.clone(),
            region,
        })
    };
    let mut resolved: Vec<(String, Uuid, Option<String>)> = Vec::new();
    for name in file
        .period
        .iter()
        .map(|p| p.body.as_str())
        .chain(file.training.iter().map(|t| t.organiser.as_str()))
    {
        if !resolved.iter().any(|(n, _, _)| n == name) {
            let b = find_body(store, name).await?;
            resolved.push((name.to_string(), b.id, b.region));
        }
    }
    let body = |name: &str| -> Result<(Uuid, Option<String>)> {
        resolved
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, id, region)| (*id, region.clone()))
            .ok_or_else(|| anyhow!("演示任职数据引用了不存在的单位“{name}”"))
    };
    let mut periods = Vec::new();
    for e in &file.period {
        let (body_id, region) = body(&e.body)?;
        periods.push(EmploymentPut {
            person: person_put(e.person, region)?,
            body_id,
            post: e.post.clone(),
            principal: e.principal,
            start_date: day(&e.start)?,
            end_date: e.end.as_deref().map(day).transpose()?,
        });
    }
    store
        .put_employments(ACTOR, &periods)
        .await
        .context("写入演示任职记录")?;
    let mut trainings = Vec::new();
    for t in &file.training {
        let (organiser_id, region) = body(&t.organiser)?;
        trainings.push(TrainingPut {
            person: person_put(t.person, region)?,
            course: t.course.clone(),
            held_on: day(&t.date)?,
            hours_tenths: i64::from(
                parse_hours(&t.hours).ok_or_else(|| anyhow!("演示培训学时“{}”无效", t.hours))?,
            ),
            organiser_id,
        });
    }
    store
        .put_trainings(ACTOR, &trainings)
        .await
        .context("写入演示培训记录")?;
    Ok(StaffReport {
        periods: periods.len(),
        trainings: trainings.len(),
    })
}
