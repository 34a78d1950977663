//! Registering a commitment.

use chengxin_access::Permission;
use chengxin_domain::codes::id_number::IdNumber;
use chengxin_domain::commitments::{
    check_person_promisor, check_promisor, next_remind_on, CommitmentError, Milestone,
};
use chengxin_domain::regions::RegionTable;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::{CommitmentRow, CommitmentStepRow, MilestoneRow, NewSubject};
use chrono::SubsecRound;
use serde::Deserialize;
use uuid::Uuid;

use super::{amount, date, kinds, own_body, require_any, text, CommitmentView};
use crate::auth::{uscc_region, Caller};
use crate::error::{AppError, AppResult};
use crate::App;

/// Most milestones a commitment may have.
pub const MAX_MILESTONES: usize = 50;

/// One milestone as registered.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MilestoneInput {
    pub title: String,
    /// `YYYY-MM-DD`; absent: the kind's default deadline from the promise.
    pub due: Option<String>,
    /// Decimal yuan (text), e.g. `"5000000.00"`.
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
}

/// A new commitment.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CommitmentRequest {
    /// A kind code (`data/commitments/kinds.toml`).
    pub kind: String,
    pub title: String,
    /// The promisor's USCC: a government body (登记管理部门 1), or for a 信用承诺 an enterprise.
    /// Empty when the promisor is a natural person (`promisor_id_number`).
    #[serde(default)]
    pub promisor_uscc: String,
    /// A natural person's 居民身份证号, for the kinds that admit persons (信用承诺): checked
    /// (check digit, region, birth date), kept only as the person's keyed hash, sealed form and
    /// masked form — never stored, shown or logged in clear.
    pub promisor_id_number: Option<String>,
    /// Needed when the promisor is not registered yet (a person's name when first seen).
    pub promisor_name: Option<String>,
    pub counterparty_name: String,
    pub counterparty_uscc: Option<String>,
    pub content: String,
    pub legal_basis: String,
    /// Decimal yuan (text).
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
    /// `YYYY-MM-DD`.
    pub promised_on: String,
    /// The promisor's supervising body (USCC); its registered parent when absent.
    pub supervisor_uscc: Option<String>,
    pub milestones: Vec<MilestoneInput>,
}

fn short_no(promised: chrono::NaiveDate) -> String {
    let tail = Uuid::now_v7().simple().to_string();
    let tail = tail
        .get(tail.len() - 6..)
        .unwrap_or("000000")
        .to_ascii_uppercase();
    format!("CN-{}-{tail}", promised.format("%Y%m%d"))
}

/// Register a commitment (with its milestones), checked whole before anything is written.
pub async fn create(
    app: &App,
    caller: &Caller,
    req: CommitmentRequest,
) -> AppResult<CommitmentView> {
    require_any(caller)?;
    let kinds = kinds()?;
    let kind = kinds.get(req.kind.trim())?;
    let regions = RegionTable::national();
    let today = app.today();
    let id_given = req
        .promisor_id_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let promisor = match (req.promisor_uscc.trim().is_empty(), id_given) {
        (false, Some(_)) => return Err(CommitmentError::PromisorAmbiguous.into()),
        (true, Some(id)) => {
            Promisor::Person(check_person_promisor(kind.promisor, id, regions, today)?)
        }
        _ => Promisor::Body(check_promisor(kind.promisor, &req.promisor_uscc, regions)?),
    };
    // The owner: the promisor body itself, or — a 信用承诺 — the approving body registering it.
    let owner = match (&promisor, kind.promisor.is_government()) {
        (Promisor::Body(b), true) => b.clone(),
        _ => own_body(caller).ok_or_else(|| {
            AppError::invalid(
                "body_required",
                "信用承诺由作出审批的单位登记：当前账号不属于任何单位",
            )
        })?,
    };
    let region = uscc_region(&owner);
    let own = own_body(caller).as_deref() == Some(owner.as_str());
    if !own {
        // Someone else's commitment: only the credit office of its region may register it.
        caller.require_at(Permission::CommitmentsManage, &region)?;
        if !caller
            .roles
            .iter()
            .any(|r| r.has(Permission::CommitmentsManage))
            && caller.token_permissions.is_none()
        {
            return Err(AppError::forbidden(
                "not_your_body",
                "只能登记本单位作出的承诺",
            ));
        }
    }
    let title = text(&req.title, "承诺名称", 200)?;
    let counterparty_name = text(&req.counterparty_name, "相对方名称", 200)?;
    let content = text(&req.content, "承诺内容", 4000)?;
    let legal_basis = text(&req.legal_basis, "依据（政策文件、合同协议）", 2000)?;
    let counterparty_id = match req.counterparty_uscc.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(
            chengxin_domain::codes::uscc::parse(c, regions)
                .map_err(|e| {
                    AppError::invalid(
                        "counterparty_uscc_invalid",
                        format!("相对方统一社会信用代码无效：{e}"),
                    )
                })?
                .code,
        ),
    };
    let amount_fen = amount(&req.amount)?;
    let promised_on = date(&req.promised_on, "承诺日期")?;
    if promised_on > today {
        return Err(CommitmentError::DateInFuture {
            date: promised_on,
            today,
        }
        .into());
    }
    if req.milestones.is_empty() {
        return Err(CommitmentError::NoMilestones.into());
    }
    if req.milestones.len() > MAX_MILESTONES {
        return Err(CommitmentError::TooManyMilestones(MAX_MILESTONES).into());
    }
    let cal = crate::calendar::in_effect(app.store.as_ref()).await?;
    let id = Uuid::now_v7();
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let remind_before = i32::try_from(kind.remind_before).unwrap_or(i32::MAX);
    let mut milestones = Vec::new();
    for (i, m) in req.milestones.iter().enumerate() {
        let title = text(&m.title, "履行节点名称", 200)?;
        let due = match m.due.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => date(d, "兑现期限")?,
            _ => kind.deadline.due_from(promised_on, &cal)?,
        };
        Milestone::new(due, promised_on)?;
        milestones.push(MilestoneRow {
            id: Uuid::now_v7(),
            commitment_id: id,
            seq: i32::try_from(i + 1).unwrap_or(i32::MAX),
            title,
            due_date: due,
            amount_fen: amount(&m.amount)?,
            state: "pending".into(),
            done_on: None,
            breach_stage: "none".into(),
            explain_due: None,
            change_ground: None,
            change_basis: None,
            compensation: None,
            compensation_fen: None,
            explanation: None,
            finding: None,
            finding_doc_no: None,
            record_id: None,
            remind_before,
            reminded_stage: 0,
            next_remind_on: next_remind_on(due, kind.remind_before, 0),
            updated_at: now,
            version: 1,
        });
    }
    let supervisor_given = match req.supervisor_uscc.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => Some(
            chengxin_domain::codes::uscc::parse(s, regions)
                .map_err(|e| {
                    AppError::invalid(
                        "supervisor_uscc_invalid",
                        format!("监督（上级）单位统一社会信用代码无效：{e}"),
                    )
                })?
                .code,
        ),
    };
    // The promisor as a subject (so its 失信 record, should it come to that, is found by
    // checks): the registered one, or registered now.
    let promisor_name = req
        .promisor_name
        .as_deref()
        .map(|n| text(n, "承诺主体名称", 200))
        .transpose()?;
    let (subject, promisor_uscc, promisor_id_masked) = match &promisor {
        Promisor::Body(code) => (
            body_subject(app, caller, code, promisor_name).await?,
            code.clone(),
            None,
        ),
        Promisor::Person(id) => (
            super::person::subject(app, caller, id, promisor_name).await?,
            String::new(),
            Some(id.masked()),
        ),
    };
    let supervisor_uscc = match supervisor_given {
        Some(s) => Some(s),
        None => match subject.parent_id {
            Some(p) => app.store.subject(p).await?.and_then(|s| s.uscc),
            None => None,
        },
    };
    let row = CommitmentRow {
        id,
        no: short_no(promised_on),
        kind: kind.code.clone(),
        title,
        promisor_uscc,
        promisor_name: subject.name.clone(),
        promisor_subject_id: Some(subject.id),
        // A person's 信用承诺 is never published (the kind's `public` is about enterprises).
        public: kind.public && promisor_id_masked.is_none(),
        promisor_id_masked,
        owner_uscc: owner,
        region,
        supervisor_uscc,
        counterparty_name,
        counterparty_id,
        content,
        legal_basis,
        amount_fen,
        promised_on,
        created_by: caller.actor.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let step = CommitmentStepRow {
        id: Uuid::now_v7(),
        commitment_id: id,
        milestone_id: None,
        action: "create".into(),
        actor: caller.actor.clone(),
        at: now,
        note: format!("登记承诺，{} 个履行节点", milestones.len()),
    };
    app.store
        .create_commitment(&caller.actor, &row, &milestones, &step)
        .await?;
    super::get(app, caller, id).await
}

/// Who promises, as checked.
enum Promisor {
    /// A body (USCC, normalised).
    Body(String),
    /// A natural person (the number stays in memory only).
    Person(IdNumber),
}

/// The promisor body as a subject: the registered one, or registered now (then its name is
/// needed).
async fn body_subject(
    app: &App,
    caller: &Caller,
    code: &str,
    name: Option<String>,
) -> AppResult<chengxin_domain::subjects::Subject> {
    if let Some(s) = app.store.subject_by_uscc(code).await? {
        return Ok(s);
    }
    let name = name.ok_or(CommitmentError::Required(
        "承诺主体名称（该单位尚未登记为信用主体）",
    ))?;
    let kind = match (code.chars().next(), code.chars().nth(1)) {
        (Some('1'), Some('1')) => SubjectKind::GovBody,
        (Some('1'), _) => SubjectKind::Institution,
        (Some('5'), _) => SubjectKind::SocialOrg,
        _ => SubjectKind::Enterprise,
    };
    Ok(app
        .store
        .create_subject(
            &caller.actor,
            NewSubject {
                kind: Some(kind),
                name,
                uscc: Some(code.to_string()),
                id_hash: None,
                id_masked: None,
                region: Some(uscc_region(code)),
                parent_id: None,
                former_names: Vec::new(),
            },
        )
        .await?)
}
