//! Subjects (主体), their employments (任职) and sealed identities.

use chengxin_domain::subjects::SubjectKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewEmployment {
    pub person_id: Uuid,
    pub body_id: Uuid,
    pub post: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}
