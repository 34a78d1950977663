//! A PPP breach of the government party (失信违约记录): recorded by the credit office, it
//! becomes the body's 失信 record in the same transaction (the commitments' breach → record
//! path, catalog type `ppp_breach`), tells the body and the office, and is caught up by the
//! check index at once. 责任回溯 for it names the stage's responsible person on the breach
//! date and the body's principal (from employment history) on that date.

use chengxin_domain::catalog::{Catalog, Severity};
use chengxin_domain::ppp::{
    holders_on, ppp_breach_record, stage_on, PppBreachFacts, PppError, Stage, StagePeriod,
    PPP_BREACH_TYPE,
};
use chengxin_store::{NewRecord, PppBreachRow};
use chrono::{NaiveDate, SubsecRound};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::office_for;
use super::projects::{load, stage_starts, ProjectView};
use crate::auth::Caller;
use crate::commitments::{amount, date, own_body, text};
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::staff::Responsibility;
use crate::App;

/// A breach of the government party.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct BreachRequest {
    /// The day of the breach (`YYYY-MM-DD`): its stage and 责任回溯 follow from it.
    pub occurred_on: String,
    /// 违约情形.
    pub finding: String,
    /// 认定文书号.
    pub doc_no: String,
    /// 认定日期 (`YYYY-MM-DD`); today when absent.
    pub decided_on: Option<String>,
    /// Decimal yuan (text).
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
    /// `minor`, `general`, `major`, `severe` (the type's default when absent).
    pub severity: Option<String>,
}

/// A stage's responsible person on the day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageHolder {
    pub person_id: Uuid,
    pub name: String,
    /// Masked ID number.
    pub id_masked: Option<String>,
    pub post: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// 责任回溯 of a PPP breach.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PppResponsibility {
    pub project_id: Uuid,
    pub breach_id: Uuid,
    pub day: NaiveDate,
    pub stage: String,
    pub stage_name: &'static str,
    /// The stage's government-side responsible person(s) on the day.
    pub stage_holders: Vec<StageHolder>,
    /// The government party's principal on the day (employment history).
    pub body: Responsibility,
}

async fn office_name(app: &App, caller: &Caller, region: &str) -> AppResult<String> {
    if let Some(b) = own_body(caller) {
        if let Some(s) = app.store.subject_by_uscc(&b).await? {
            return Ok(s.name);
        }
    }
    let name = chengxin_domain::regions::RegionTable::national()
        .full_name(region)
        .unwrap_or_else(|| region.to_string());
    Ok(format!("{name}社会信用体系建设领导小组办公室"))
}

/// The stage's holders on `day`, named (ID numbers masked).
async fn stage_holders(
    app: &App,
    project_id: Uuid,
    stage: Stage,
    day: NaiveDate,
) -> AppResult<Vec<StageHolder>> {
    let rs = app.store.ppp_responsibles(project_id).await?;
    let periods: Vec<StagePeriod> = rs
        .iter()
        .filter_map(|r| {
            Some(StagePeriod {
                stage: Stage::parse(&r.stage).ok()?,
                person: r.id.to_string(),
                from: r.from_date,
                to: r.to_date,
            })
        })
        .collect();
    let found: Vec<&chengxin_store::PppResponsibleRow> = holders_on(&periods, stage, day)
        .into_iter()
        .filter_map(|p| rs.iter().find(|r| r.id.to_string() == p.person))
        .collect();
    let ids: Vec<Uuid> = found.iter().map(|r| r.person_id).collect();
    let persons = app.store.persons_by_ids(&ids).await?;
    Ok(found
        .into_iter()
        .map(|r| {
            let s = persons.iter().find(|s| s.id == r.person_id);
            StageHolder {
                person_id: r.person_id,
                name: s.map(|s| s.name.clone()).unwrap_or_default(),
                id_masked: s.and_then(|s| s.id_masked.clone()),
                post: r.post.clone(),
                from: r.from_date,
                to: r.to_date,
            }
        })
        .collect())
}

/// Record a breach of the government party: the body's 失信 record in the same transaction.
pub async fn record_breach(
    app: &App,
    caller: &Caller,
    project_id: Uuid,
    req: BreachRequest,
) -> AppResult<ProjectView> {
    let p = load(app, caller, project_id).await?;
    if !office_for(caller, &p.region) {
        return Err(AppError::forbidden(
            "not_your_step",
            "PPP 项目失信违约由本地区信用办认定和记录",
        ));
    }
    let today = app.today();
    let occurred_on = date(&req.occurred_on, "违约日期")?;
    if occurred_on > today {
        return Err(PppError::DateInFuture {
            date: occurred_on,
            today,
        }
        .into());
    }
    let decided_on = match req
        .decided_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(d) => date(d, "认定日期")?,
        None => today,
    };
    if decided_on > today {
        return Err(PppError::DateInFuture {
            date: decided_on,
            today,
        }
        .into());
    }
    if decided_on < occurred_on {
        return Err(AppError::invalid(
            "ppp_decision_before_breach",
            format!("认定日期 {decided_on} 早于违约日期 {occurred_on}"),
        ));
    }
    let finding = text(&req.finding, "违约情形", 4000)?;
    let doc_no = text(&req.doc_no, "认定文书号", 100)?;
    let amount_fen = amount(&req.amount)?;
    let severity = match req.severity.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
            AppError::invalid(
                "severity_unknown",
                "失信程度应为 minor、general、major 或 severe",
            )
        })?),
    };
    let stages = app.store.ppp_stages(p.id).await?;
    let stage = stage_on(&stage_starts(&stages), occurred_on)
        .ok_or(PppError::BreachBeforeProject(occurred_on))?;
    let holders = stage_holders(app, p.id, stage, occurred_on).await?;
    let responsible = holders.first().map(|h| format!("{}（{}）", h.name, h.post));
    let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
    let rt = catalog.get(PPP_BREACH_TYPE).ok_or_else(|| {
        AppError::unavailable(format!("目录中没有失信信息类型 {PPP_BREACH_TYPE}"))
    })?;
    let finding_body = office_name(app, caller, &p.region).await?;
    let br = ppp_breach_record(
        rt,
        &PppBreachFacts {
            body_name: p.gov_name.clone(),
            body_uscc: p.gov_uscc.clone(),
            project_name: p.name.clone(),
            project_no: p.no.clone(),
            contract_no: p.contract_no.clone(),
            stage,
            finding: finding.clone(),
            amount_fen,
            responsible,
            finding_body: finding_body.clone(),
            finding_doc_no: doc_no.clone(),
            finding_date: decided_on,
            severity,
        },
        today,
    )?;
    let record = NewRecord {
        type_code: br.type_code,
        subject_id: Some(p.gov_subject_id),
        subject_name: br.subject_name,
        doc_no: br.doc_no,
        decision_date: br.decision_date,
        source_dept: own_body(caller).unwrap_or_else(|| p.gov_uscc.clone()),
        batch_id: None,
        fields: br.fields,
        severity: br.severity.map(|s| s.code().to_string()),
        status: br.status,
        publish_until: br.publish_until,
        content_digest: None,
        published_at: None,
    };
    let notices = [Notice {
        to: vec![
            To::Body(p.gov_uscc.clone()),
            To::Body(p.implementing_uscc.clone()),
            To::Office(p.region.clone()),
        ],
        region: p.region.clone(),
        topic: "ppp_breach",
        title: format!("PPP 项目失信违约：{}", p.name),
        body: format!(
            "{finding_body}认定 {} 在 PPP 项目“{}”{}阶段失信违约（{doc_no}）：{finding}。已记入该单位失信信息。",
            p.gov_name,
            p.name,
            stage.label()
        ),
        link: Some(format!("/console/ppp/{}", p.id)),
        once: None,
    }];
    let row = PppBreachRow {
        id: Uuid::now_v7(),
        project_id: p.id,
        stage: stage.as_str().into(),
        occurred_on,
        finding,
        doc_no,
        amount_fen,
        record_id: Uuid::nil(),
        actor: caller.actor.clone(),
        at: chengxin_store::clock::now().trunc_subsecs(6),
    };
    app.store
        .record_ppp_breach(&caller.actor, &row, record, &notify::rows(&notices))
        .await?;
    // The check index sees the new 失信 record at once (not only at its next tail).
    if let Err(e) = app.checks.catch_up(app.store.as_ref()).await {
        tracing::warn!(target: crate::LOG_TARGET, error = %e, "check index refresh after a PPP breach failed");
    }
    super::get(app, caller, p.id).await
}

/// 责任回溯 of a breach: the stage's responsible person and the body's principal on the breach
/// date (each with the posts they hold today). Query-logged.
pub async fn responsibility(
    app: &App,
    caller: &Caller,
    project_id: Uuid,
    breach_id: Uuid,
) -> AppResult<PppResponsibility> {
    let p = load(app, caller, project_id).await?;
    let b = app
        .store
        .ppp_breaches(p.id)
        .await?
        .into_iter()
        .find(|b| b.id == breach_id)
        .ok_or(AppError::NotFound)?;
    let stage = Stage::parse(&b.stage)?;
    let stage_holders = stage_holders(app, p.id, stage, b.occurred_on).await?;
    let body = crate::staff::responsible_at(app, p.gov_subject_id, b.occurred_on, None).await?;
    let mut e = caller.audit("query", "ppp_responsible", "ok");
    e.target = Some(b.id.to_string());
    e.detail = serde_json::json!({
        "project": p.id, "breach": b.id, "day": b.occurred_on,
        "returned": stage_holders.len() + body.principals.len(),
    });
    app.store.audit(&[e]).await?;
    Ok(PppResponsibility {
        project_id: p.id,
        breach_id: b.id,
        day: b.occurred_on,
        stage: stage.as_str().into(),
        stage_name: stage.label(),
        stage_holders,
        body,
    })
}
