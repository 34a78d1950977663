//! Subjects (主体), their employments (任职) and sealed identities.

use async_trait::async_trait;
use chengxin_domain::subjects::{Employment, Subject, SubjectKind};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;

/// New subjects of a published batch indexed per transaction by the search indexer
/// ([`SubjectStore::index_published_subjects`]): a few hundred milliseconds of SQLite's write
/// lock at most, so a complaint or a login waiting behind a step waits well under a second.
pub const SEARCH_INDEX_STEP: i64 = 5000;

/// A subject to create.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NewSubject {
    pub kind: Option<SubjectKind>,
    pub name: String,
    pub uscc: Option<String>,
    pub id_hash: Option<String>,
    pub id_masked: Option<String>,
    pub region: Option<String>,
    pub parent_id: Option<Uuid>,
    pub former_names: Vec<String>,
}

/// Changes to a subject. A new name moves the old one to the former names (曾用名).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectUpdate {
    pub name: Option<String>,
    pub region: Option<String>,
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectFilter {
    pub kind: Option<SubjectKind>,
    /// Region code prefix, e.g. `3204` for all of 常州市.
    pub region_prefix: Option<String>,
    pub name_contains: Option<String>,
    /// Exactly this name (through the subjects' name index, so a subject is found by its full
    /// name the moment it is visible, before the search index has reached it). Ignored with
    /// `name_contains`.
    pub name_exact: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// A search of subjects by part of a name, through the CJK gram index (`subject_grams`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectSearch {
    /// As typed: folded by `chengxin_domain::names::search_fold` (繁→简, 全角→半角, case,
    /// spaces and punctuation removed) and matched against the folded name and former names.
    pub text: String,
    pub kind: Option<SubjectKind>,
    pub region_prefix: Option<String>,
    /// Bodies only: no natural persons (the portal shows a person only through public
    /// information about it).
    pub bodies_only: bool,
    /// Natural persons only.
    pub persons_only: bool,
    /// At most 1000; 0 means 50.
    pub limit: i64,
    pub offset: i64,
}

/// One page of a subject search, with the honest number of all matches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubjectPage {
    /// The query as searched (folded).
    pub folded: String,
    /// How many visible subjects match in all (at most `COUNT_CAP` for a query of three or
    /// more characters: then `more_than`).
    pub total: i64,
    /// More than `total` match (a longer query's count stops at `COUNT_CAP`).
    pub more_than: bool,
    /// This page: the shortest names first (the exact name before names containing it).
    pub subjects: Vec<Subject>,
    /// New subjects of published batches the index has not reached yet: not found by any
    /// search until it has (the pages say so).
    pub index_pending: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEmployment {
    pub person_id: Uuid,
    pub body_id: Uuid,
    pub post: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Subjects (主体), their employments (任职) and sealed ID numbers.
#[async_trait]
pub trait SubjectStore: Send + Sync {
    async fn create_subject(&self, actor: &str, s: NewSubject) -> Result<Subject>;
    async fn update_subject(
        &self,
        actor: &str,
        id: Uuid,
        expected_version: i64,
        u: SubjectUpdate,
    ) -> Result<Subject>;
    async fn subject(&self, id: Uuid) -> Result<Option<Subject>>;
    async fn subject_by_uscc(&self, uscc: &str) -> Result<Option<Subject>>;
    async fn subject_by_id_hash(&self, id_hash: &str) -> Result<Option<Subject>>;
    /// Subjects by kind / region / part of the name (`name_contains` goes through the same
    /// index and folding as [`SubjectStore::search_subjects`]), by name.
    async fn list_subjects(&self, f: &SubjectFilter) -> Result<Vec<Subject>>;
    /// Part-of-name search through the CJK gram index: one page and the total count.
    async fn search_subjects(&self, q: &SubjectSearch) -> Result<SubjectPage>;
    /// One step of the search indexer: index up to `step` new subjects of the oldest
    /// published batch still waiting, in one transaction; how many (0: nothing waits). The
    /// server runs it in the background and `chengxin import` until nothing waits, with
    /// [`SEARCH_INDEX_STEP`](crate::SEARCH_INDEX_STEP).
    async fn index_published_subjects(&self, step: i64) -> Result<usize>;
    /// New subjects of published batches not yet searchable by name.
    async fn search_index_pending(&self) -> Result<i64>;
    async fn count_subjects(&self) -> Result<i64>;
    async fn add_employment(&self, actor: &str, e: NewEmployment) -> Result<Employment>;
    async fn employments_of(&self, person_id: Uuid) -> Result<Vec<Employment>>;
    /// Who held a post at `body_id` on `day` (责任回溯).
    async fn staff_at(&self, body_id: Uuid, day: NaiveDate) -> Result<Vec<Employment>>;
    /// Keep a person's sealed ID number (replacing an earlier one).
    async fn set_subject_identity(&self, actor: &str, subject_id: Uuid, sealed: &str)
        -> Result<()>;
    async fn subject_identity(&self, subject_id: Uuid) -> Result<Option<String>>;
}
