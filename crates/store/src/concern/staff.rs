//! 任职与诚信档案 (issue 18): employment history and integrity-training records imported from
//! the personnel department, each file in one transaction (persons it names created with
//! their sealed ID numbers, every period and training change-logged), and the read of
//! 责任回溯 — who held a post at a body on a day.

use async_trait::async_trait;
use chengxin_domain::subjects::Employment;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// The person a row names: found by the keyed hash of the ID number, created (a civil
/// servant, with the sealed number) when unknown.
#[derive(Clone, Serialize, Deserialize)]
pub struct PersonPut {
    pub id_hash: String,
    pub id_masked: String,
    pub name: String,
    /// Region of a new person (its body's).
    pub region: Option<String>,
    /// The ID number sealed for `subject_identities` (bound to the hash).
    pub sealed: String,
}

impl std::fmt::Debug for PersonPut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonPut")
            .field("id_masked", &self.id_masked)
            .finish_non_exhaustive()
    }
}

/// One period to store: created, or — the same person, body, post and start — updated when
/// its end or principal flag changed, else left as it is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EmploymentPut {
    pub person: PersonPut,
    pub body_id: Uuid,
    pub post: String,
    pub principal: bool,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// One training record to store (same person, course and day: the same record).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainingPut {
    pub person: PersonPut,
    pub course: String,
    pub held_on: NaiveDate,
    pub hours_tenths: i64,
    pub organiser_id: Uuid,
}

/// A stored training record (诚信教育).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingRow {
    pub id: Uuid,
    pub person_id: Uuid,
    pub course: String,
    pub held_on: NaiveDate,
    /// 学时 in tenths of an hour.
    pub hours_tenths: i64,
    pub organiser_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffImportCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub persons_created: u64,
}

/// Employment history and training records.
#[async_trait]
pub trait StaffStore: Send + Sync {
    /// Store a file's periods in one transaction (all or nothing). Periods that would overlap
    /// (`chengxin_domain::staff::employment`'s rule) once written fail the whole file with
    /// `Duplicate`.
    async fn put_employments(
        &self,
        actor: &str,
        rows: &[EmploymentPut],
    ) -> Result<StaffImportCounts>;
    /// Every period at these bodies (for checking a file against what is stored).
    async fn employments_at_bodies(&self, body_ids: &[Uuid]) -> Result<Vec<Employment>>;
    /// 责任回溯: the periods at `body_id` covering `day` that are the principal's or, with
    /// `post`, that post's.
    async fn responsible_at(
        &self,
        body_id: Uuid,
        day: NaiveDate,
        post: Option<&str>,
    ) -> Result<Vec<Employment>>;
    /// The persons with these ids (for naming the holders of 责任回溯 in one read).
    async fn persons_by_ids(&self, ids: &[Uuid])
        -> Result<Vec<chengxin_domain::subjects::Subject>>;
    /// The periods of these persons covering `day`, each with its body's name (where the
    /// holders of 责任回溯 are now, in one read).
    async fn posts_on(
        &self,
        person_ids: &[Uuid],
        day: NaiveDate,
    ) -> Result<Vec<(Employment, String)>>;
    /// Store a file's training records in one transaction (all or nothing).
    async fn put_trainings(&self, actor: &str, rows: &[TrainingPut]) -> Result<StaffImportCounts>;
    /// A person's training records, newest first.
    async fn trainings_of(&self, person_id: Uuid) -> Result<Vec<TrainingRow>>;
}
