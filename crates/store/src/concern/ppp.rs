//! PPP projects (政府和社会资本合作, issue 18): the project, its stages entered in order, the
//! government-side responsible person of each stage (persons found or created by the keyed
//! hash of the ID number, sealed as for employment history), and the breaches recorded — a
//! breach writes the government body's 失信 record in the same transaction. Every write is
//! change-logged (`ppp_project`, `ppp_stage`, `ppp_responsible`, `ppp_breach`).

use async_trait::async_trait;
use chengxin_domain::records::Record;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::Result;
use crate::{NewRecord, NotificationRow, PersonPut};

/// A PPP project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PppProjectRow {
    pub id: Uuid,
    /// 项目编号 (`PPP-20240105-3A7F21`).
    pub no: String,
    pub name: String,
    /// The government party (政府方, 项目实施机构的本级政府或授权部门): a 机关 by USCC.
    pub gov_uscc: String,
    pub gov_name: String,
    pub gov_subject_id: Uuid,
    /// 项目实施机构.
    pub implementing_uscc: String,
    pub implementing_name: String,
    /// 社会资本方.
    pub private_uscc: String,
    pub private_name: String,
    pub contract_no: Option<String>,
    /// 分.
    pub amount_fen: Option<i64>,
    /// The government party's region (jurisdiction).
    pub region: String,
    /// The current stage's code.
    pub stage: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A stage entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PppStageRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub stage: String,
    pub started_on: NaiveDate,
    pub note: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A stage's government-side responsible person for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PppResponsibleRow {
    pub id: Uuid,
    pub project_id: Uuid,
    pub stage: String,
    pub person_id: Uuid,
    pub post: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
    pub at: DateTime<Utc>,
}

/// A responsible person to add: the person (found or created by the ID hash) and the period.
/// An open period of the same stage that began before `from_date` ends the day before (a
/// change of person); any other overlap refuses the write (`Duplicate`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PppResponsiblePut {
    pub person: PersonPut,
    pub stage: String,
    pub post: String,
    pub from_date: NaiveDate,
    pub to_date: Option<NaiveDate>,
}

/// A breach recorded (失信违约记录); its record is the body's 失信 record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PppBreachRow {
    pub id: Uuid,
    pub project_id: Uuid,
    /// The stage in effect on the day.
    pub stage: String,
    pub occurred_on: NaiveDate,
    pub finding: String,
    pub doc_no: String,
    pub amount_fen: Option<i64>,
    pub record_id: Uuid,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// Which projects to list, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PppFilter {
    /// Region starts with this (the credit office's reach); `None`: anywhere.
    pub region_prefix: Option<String>,
    /// Only those where this body is the government party or the implementing body.
    pub body: Option<String>,
    /// Name contains.
    pub name: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// PPP projects, change-logged.
#[async_trait]
pub trait PppStore: Send + Sync {
    /// A new project with its first stage and, if given, that stage's responsible person.
    async fn create_ppp_project(
        &self,
        actor: &str,
        p: &PppProjectRow,
        first: &PppStageRow,
        responsible: Option<&PppResponsiblePut>,
    ) -> Result<()>;
    async fn ppp_project(&self, id: Uuid) -> Result<Option<PppProjectRow>>;
    async fn ppp_projects(&self, f: &PppFilter) -> Result<Vec<PppProjectRow>>;
    /// The stages entered, in order.
    async fn ppp_stages(&self, project_id: Uuid) -> Result<Vec<PppStageRow>>;
    /// The responsible persons' periods, by stage then start.
    async fn ppp_responsibles(&self, project_id: Uuid) -> Result<Vec<PppResponsibleRow>>;
    /// Move to the next stage (the project at `expected_version`), with the new stage's
    /// responsible person if given.
    async fn advance_ppp_stage(
        &self,
        actor: &str,
        project_id: Uuid,
        expected_version: i64,
        stage: &PppStageRow,
        responsible: Option<&PppResponsiblePut>,
    ) -> Result<()>;
    /// Add a stage's responsible person (see [`PppResponsiblePut`]).
    async fn add_ppp_responsible(
        &self,
        actor: &str,
        project_id: Uuid,
        r: &PppResponsiblePut,
    ) -> Result<PppResponsibleRow>;
    /// Record a breach: the body's 失信 record, the breach row and its notifications, in one
    /// transaction. Returns the record.
    async fn record_ppp_breach(
        &self,
        actor: &str,
        b: &PppBreachRow,
        record: NewRecord,
        notifications: &[NotificationRow],
    ) -> Result<Record>;
    async fn ppp_breaches(&self, project_id: Uuid) -> Result<Vec<PppBreachRow>>;
    /// The responsible periods of a person (for the 诚信档案).
    async fn ppp_responsibles_of(&self, person_id: Uuid) -> Result<Vec<PppResponsibleRow>>;
}
