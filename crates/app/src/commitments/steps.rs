//! Steps on a milestone: 兑现, 依法变更并补偿, and the breach procedure (违约告知 → 情况说明 →
//! 违约认定). A decision writes the promisor's 失信 record in the same transaction.

use chengxin_domain::catalog::{Catalog, Severity};
use chengxin_domain::commitments::{
    breach_record, BreachFacts, ChangeGround, CommitmentError, Step, EXPLANATION_WORKING_DAYS,
};
use chengxin_domain::regions::RegionTable;
use chengxin_store::{CommitmentRow, CommitmentStepRow, MilestoneChange, NewRecord};
use chrono::SubsecRound;
use serde::Deserialize;
use uuid::Uuid;

use super::view::{domain_milestone, load};
use super::{acts_for, amount, date, is_office_for, kinds, own_body, text, CommitmentView};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::notify::{self, Notice, To};
use crate::App;

/// A step on one milestone.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CommitmentStepRequest {
    pub milestone_id: Uuid,
    /// `keep`, `change`, `notice`, `explain`, `decide`.
    pub action: String,
    /// The day it happened (`YYYY-MM-DD`); today when absent.
    pub on: Option<String>,
    /// `change`: `national_interest`, `public_interest` or `statutory`.
    pub ground: Option<String>,
    /// `change`: the legal basis.
    pub basis: Option<String>,
    /// `change`: the compensation record (what was agreed, paid, to whom).
    pub compensation: Option<String>,
    /// `change`: the compensation amount, decimal yuan.
    #[schema(value_type = Option<String>)]
    pub compensation_amount: Option<serde_json::Value>,
    /// `explain`: the promisor's explanation; `keep`: a note.
    pub text: Option<String>,
    /// `decide`: 违约情形.
    pub finding: Option<String>,
    /// `decide`: 认定文书号.
    pub doc_no: Option<String>,
    /// `decide`: `minor`, `general`, `major`, `severe` (the type's default when absent).
    pub severity: Option<String>,
    /// The milestone's version as shown.
    pub expected_version: i64,
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("")
}

/// The credit office's name for records and notices (its body's name, else by region).
async fn office_name(app: &App, caller: &Caller) -> AppResult<String> {
    if let Some(b) = own_body(caller) {
        if let Some(s) = app.store.subject_by_uscc(&b).await? {
            return Ok(s.name);
        }
    }
    let region = caller.scope.region.as_str();
    let name = RegionTable::national()
        .full_name(region)
        .unwrap_or_else(|| region.to_string());
    Ok(format!("{name}社会信用体系建设领导小组办公室"))
}

fn recipients(c: &CommitmentRow, office: bool) -> Vec<To> {
    let mut to = super::body_recipients(c);
    if let Some(s) = &c.supervisor_uscc {
        to.push(To::Body(s.clone()));
    }
    if office {
        to.push(To::Office(c.region.clone()));
    }
    to
}

/// Take a step on a milestone.
pub async fn act(
    app: &App,
    caller: &Caller,
    commitment_id: Uuid,
    req: CommitmentStepRequest,
) -> AppResult<CommitmentView> {
    let c = load(app, caller, commitment_id).await?;
    let ms = app.store.milestones(&[c.id]).await?;
    let Some(m) = ms.iter().find(|m| m.id == req.milestone_id) else {
        return Err(AppError::NotFound);
    };
    if m.version != req.expected_version {
        return Err(chengxin_store::StoreError::Conflict {
            expected: req.expected_version,
            current: m.version,
        }
        .into());
    }
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim) {
        Some(d) if !d.is_empty() => date(d, "日期")?,
        _ => today,
    };
    let office = is_office_for(caller, &c);
    let owner = acts_for(caller, &c.owner_uscc);
    let promisor = acts_for(caller, &c.promisor_uscc);
    let action = req.action.trim();
    // Who takes which step: the owner (or the office) records fulfilment and lawful changes;
    // the office runs the breach procedure; the promisor (or the office, for a written
    // explanation received) explains.
    let allowed = match action {
        "keep" | "change" => owner || office,
        "notice" | "decide" => office,
        "explain" => promisor || owner || office,
        _ => {
            return Err(AppError::invalid(
                "commitment_action_unknown",
                "操作应为 keep（兑现）、change（依法变更并补偿）、notice（违约告知）、explain（情况说明）或 decide（违约认定）",
            ))
        }
    };
    if !allowed {
        return Err(AppError::forbidden(
            "not_your_step",
            "该步骤不由本单位办理：违约告知和认定由信用办办理，兑现与依法变更由承诺登记单位或信用办办理",
        ));
    }
    let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
    let (step, note) = match action {
        "keep" => (
            Step::Keep { on },
            req.text
                .as_deref()
                .map(|t| t.chars().take(1000).collect::<String>())
                .unwrap_or_default(),
        ),
        "change" => {
            let ground = ChangeGround::parse(opt(&req.ground).trim())?;
            let basis = text(opt(&req.basis), "变更的法律依据", 2000)?;
            let compensation = text(opt(&req.compensation), "补偿情况", 2000)?;
            (
                Step::Change {
                    on,
                    ground,
                    basis: basis.clone(),
                    compensation: compensation.clone(),
                },
                format!("{}：{basis}；补偿：{compensation}", ground.label()),
            )
        }
        "notice" => {
            let explain_due = cal
                .add_working_days(on, EXPLANATION_WORKING_DAYS)
                .map_err(|e| CommitmentError::Calendar(e.to_string()))?;
            (
                Step::Notice { on, explain_due },
                format!("告知承诺主体，{explain_due} 前提交情况说明"),
            )
        }
        "explain" => {
            let t = text(opt(&req.text), "情况说明", 4000)?;
            (
                Step::Explain {
                    on,
                    text: t.clone(),
                },
                t,
            )
        }
        _ => {
            let finding = text(opt(&req.finding), "违约情形", 4000)?;
            text(opt(&req.doc_no), "认定文书号", 100)?;
            (
                Step::Decide {
                    on,
                    finding: finding.clone(),
                },
                finding,
            )
        }
    };
    let next = domain_milestone(m)?.apply(&step, c.promised_on, today)?;
    let mut row = m.clone();
    row.state = next.state.as_str().into();
    row.breach_stage = next.breach_stage.as_str().into();
    row.done_on = next.done_on;
    row.explain_due = next.explain_due;
    row.updated_at = chengxin_store::clock::now().trunc_subsecs(6);
    let mut record = None;
    let mut notices = Vec::new();
    let link = Some(format!("/console/commitments/{}", c.id));
    match &step {
        Step::Change { ground, basis, compensation, .. } => {
            row.change_ground = Some(ground.as_str().into());
            row.change_basis = Some(basis.clone());
            row.compensation = Some(compensation.clone());
            row.compensation_fen = amount(&req.compensation_amount)?;
        }
        Step::Notice { explain_due, .. } => notices.push(Notice {
            to: recipients(&c, false),
            region: c.region.clone(),
            topic: "commitment_notice",
            title: format!("违约告知：{}（节点 {}）", c.title, m.seq),
            body: format!(
                "承诺“{}”的履行节点“{}”已于 {} 到期未兑现。请于 {explain_due} 前提交情况说明；逾期未说明的，将依程序作出违约认定。",
                c.title, m.title, m.due_date
            ),
            link: link.clone(),
            once: None,
        }),
        Step::Explain { text, .. } => row.explanation = Some(text.clone()),
        Step::Decide { finding, .. } => {
            let kind = kinds()?.get(&c.kind)?;
            let catalog = Catalog::default_checked().map_err(AppError::unavailable)?;
            let rt = catalog.get(&kind.breach_type).ok_or_else(|| {
                AppError::unavailable(format!("目录中没有失信信息类型 {}", kind.breach_type))
            })?;
            let severity = match req.severity.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                    AppError::invalid("severity_unknown", "失信程度应为 minor、general、major 或 severe")
                })?),
            };
            let doc_no = opt(&req.doc_no).trim().to_string();
            let finding_body = office_name(app, caller).await?;
            let br = breach_record(
                rt,
                &BreachFacts {
                    promisor_name: c.promisor_name.clone(),
                    promisor_uscc: c.promisor_uscc.clone(),
                    promisor_id_masked: c.promisor_id_masked.clone(),
                    counterparty_name: c.counterparty_name.clone(),
                    counterparty_id: c.counterparty_id.clone(),
                    title: c.title.clone(),
                    kind_name: kind.name.clone(),
                    commitment_no: c.no.clone(),
                    promise: format!("{}（履行节点 {}：{}）", c.content, m.seq, m.title),
                    due: m.due_date,
                    finding: finding.clone(),
                    amount_fen: m.amount_fen.or(c.amount_fen),
                    finding_body: finding_body.clone(),
                    finding_doc_no: doc_no.clone(),
                    finding_date: on,
                    severity,
                },
                today,
            )?;
            row.finding = Some(finding.clone());
            row.finding_doc_no = Some(doc_no.clone());
            record = Some(NewRecord {
                type_code: br.type_code,
                subject_id: c.promisor_subject_id,
                subject_name: br.subject_name,
                doc_no: br.doc_no,
                decision_date: br.decision_date,
                source_dept: own_body(caller).unwrap_or_else(|| c.owner_uscc.clone()),
                batch_id: None,
                fields: br.fields,
                severity: br.severity.map(|s| s.code().to_string()),
                status: br.status,
                publish_until: br.publish_until,
                content_digest: None,
                published_at: None,
            });
            notices.push(Notice {
                to: recipients(&c, true),
                region: c.region.clone(),
                topic: "commitment_breach",
                title: format!("违约认定：{}（节点 {}）", c.title, m.seq),
                body: format!(
                    "{finding_body}认定 {} 未履行承诺“{}”的履行节点“{}”（{doc_no}），已记入{}失信信息。",
                    c.promisor_name,
                    c.title,
                    m.title,
                    if c.promisor_id_masked.is_some() {
                        "其"
                    } else {
                        "该单位"
                    }
                ),
                link: link.clone(),
                once: None,
            });
        }
        Step::Keep { .. } => {}
    }
    let step_row = CommitmentStepRow {
        id: Uuid::now_v7(),
        commitment_id: c.id,
        milestone_id: Some(m.id),
        action: action.to_string(),
        actor: caller.actor.clone(),
        at: row.updated_at,
        note,
    };
    let created = app
        .store
        .change_milestone(
            &caller.actor,
            MilestoneChange {
                milestone: row,
                expected_version: req.expected_version,
                step: step_row,
                record,
                notifications: notify::rows(&notices),
            },
        )
        .await?;
    if created.is_some() {
        // The check index sees the new 失信 record at once (not only at its next tail).
        if let Err(e) = app.checks.catch_up(app.store.as_ref()).await {
            tracing::warn!(target: crate::LOG_TARGET, error = %e, "check index refresh after a breach decision failed");
        }
    }
    super::get(app, caller, c.id).await
}
