//! The demo's employment history of principals across a 换届 and its 诚信教育 records
//! (`data/demo/staff.toml`), written through the store like a personnel department's import:
//! persons hashed, sealed and masked, every period and training change-logged, idempotent.

use std::collections::BTreeMap;

use anyhow::{anyhow, Context, Result};
use chengxin_access::PiiCipher;
use chengxin_domain::codes::id_number;
use chengxin_domain::staff::{parse_day, parse_hours};
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{EmploymentPut, PersonPut, Store, TrainingPut};
use serde::Deserialize;

use super::ACTOR;

const STAFF_TOML: &str = include_str!("../../../../data/demo/staff.toml");

#[derive(Debug, Deserialize)]
struct StaffFile {
    person: Vec<Person>,
    period: Vec<Period>,
    training: Vec<Training>,
}

#[derive(Debug, Deserialize)]
struct Person {
    key: String,
    name: String,
    region: String,
    birth: String,
    seq: String,
}

#[derive(Debug, Deserialize)]
struct Period {
    person: String,
    body: String,
    post: String,
    #[serde(default)]
    principal: bool,
    start: String,
    end: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Training {
    person: String,
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

/// A generated ID number: region, birth date, sequence and its check character.
fn number(p: &Person) -> Result<String> {
    let first = format!("{}{}{}", p.region, p.birth, p.seq);
    let check = id_number::check_char(&first)
        .ok_or_else(|| anyhow!("演示人员“{}”的身份证号无效", p.name))?;
    Ok(format!("{first}{check}"))
}

fn day(s: &str) -> Result<chrono::NaiveDate> {
    parse_day(s).ok_or_else(|| anyhow!("演示任职数据的日期“{s}”无效"))
}

async fn find_body(store: &dyn Store, name: &str) -> Result<chengxin_domain::subjects::Subject> {
    store
        .list_subjects(&chengxin_store::SubjectFilter {
            name_contains: Some(name.to_string()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow!("演示任职数据引用了不存在的单位“{name}”"))
}

/// Write the demo's employment history and training records.
pub async fn load(store: &dyn Store, hasher: &IdHasher) -> Result<StaffReport> {
    let file: StaffFile = toml::from_str(STAFF_TOML).context("解析 data/demo/staff.toml")?;
    let cipher = PiiCipher::from_id_hasher(hasher);
    let mut persons: BTreeMap<&str, (&Person, String)> = BTreeMap::new();
    for p in &file.person {
        persons.insert(p.key.as_str(), (p, number(p)?));
    }
    let mut bodies: BTreeMap<String, chengxin_domain::subjects::Subject> = BTreeMap::new();
    let person_put = |key: &str, region: Option<String>| -> Result<PersonPut> {
        let (p, n) = persons
            .get(key)
            .ok_or_else(|| anyhow!("演示任职数据引用了不存在的人员“{key}”"))?;
        let hash = hasher.hash(n);
        Ok(PersonPut {
            id_masked: id_number::mask(n),
            sealed: cipher
                .seal_bound(n, &hash)
                .map_err(|e| anyhow!("封存演示身份证号：{e}"))?,
            id_hash: hash,
            name: p.name.clone(),
            region,
        })
    };
    let mut periods = Vec::new();
    for e in &file.period {
        if !bodies.contains_key(&e.body) {
            let b = find_body(store, &e.body).await?;
            bodies.insert(e.body.clone(), b);
        }
        let b = &bodies[&e.body];
        periods.push(EmploymentPut {
            person: person_put(&e.person, b.region.clone())?,
            body_id: b.id,
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
        if !bodies.contains_key(&t.organiser) {
            let b = find_body(store, &t.organiser).await?;
            bodies.insert(t.organiser.clone(), b);
        }
        let org = &bodies[&t.organiser];
        trainings.push(TrainingPut {
            person: person_put(&t.person, org.region.clone())?,
            course: t.course.clone(),
            held_on: day(&t.date)?,
            hours_tenths: i64::from(
                parse_hours(&t.hours).ok_or_else(|| anyhow!("演示培训学时“{}”无效", t.hours))?,
            ),
            organiser_id: org.id,
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
