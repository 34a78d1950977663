//! Registering a PPP project, moving it through its stages, the stages' responsible persons,
//! and reading projects within reach.

use chengxin_domain::codes::id_number;
use chengxin_domain::commitments::{format_yuan, is_government_uscc};
use chengxin_domain::ppp::{check_advance, check_period, PppError, Stage, StagePeriod, StageStart};
use chengxin_domain::regions::RegionTable;
use chengxin_store::{PppFilter, PppProjectRow, PppResponsiblePut, PppStageRow, StoreError};
use chrono::{NaiveDate, SubsecRound};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::parties::{code, gov_body, region_of};
use super::{is_office, office_for, require_any};
use crate::auth::Caller;
use crate::commitments::{acts_for, amount, date, own_body, text};
use crate::error::{AppError, AppResult};
use crate::App;

/// A stage's government-side responsible person (政府方责任人). `Debug` masks the ID number.
#[derive(Clone, Deserialize, utoipa::ToSchema)]
pub struct ResponsibleInput {
    /// The stage (`execution` or 执行); for a new project or a move, the stage entered.
    pub stage: Option<String>,
    /// 居民身份证号: hashed, sealed and masked at once, never echoed.
    pub id_number: String,
    pub name: String,
    /// The post held for the stage (e.g. 区财政局局长).
    pub post: String,
    /// `YYYY-MM-DD`; the stage's start when absent.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; open-ended when absent.
    pub to: Option<String>,
}

impl std::fmt::Debug for ResponsibleInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponsibleInput")
            .field("stage", &self.stage)
            .field("id_number", &id_number::mask(&self.id_number))
            .field("post", &self.post)
            .field("from", &self.from)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

/// A new PPP project.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ProjectRequest {
    pub name: String,
    /// The government party (政府方): a 机关 (登记管理部门 1).
    pub gov_uscc: String,
    /// Needed when the body is not registered yet.
    pub gov_name: Option<String>,
    /// 项目实施机构: a government body too.
    pub implementing_uscc: String,
    pub implementing_name: String,
    /// 社会资本方: an enterprise.
    pub private_uscc: String,
    pub private_name: String,
    pub contract_no: Option<String>,
    /// 总投资, decimal yuan (text).
    #[schema(value_type = Option<String>)]
    pub amount: Option<serde_json::Value>,
    /// The day the project entered 识别 (`YYYY-MM-DD`).
    pub identified_on: String,
    /// 识别 stage's responsible person, if known.
    pub responsible: Option<ResponsibleInput>,
}

/// A move to the next stage.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AdvanceRequest {
    /// The next stage (`preparation`, `procurement`, `execution`, `handover` or the Chinese).
    pub stage: String,
    /// `YYYY-MM-DD`; today when absent.
    pub on: Option<String>,
    pub note: Option<String>,
    /// The new stage's responsible person.
    pub responsible: Option<ResponsibleInput>,
    /// The project's version as shown.
    pub expected_version: i64,
}

/// A stage as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StageView {
    pub stage: String,
    pub stage_name: &'static str,
    pub started_on: NaiveDate,
    /// The day before the next stage began.
    pub ended_on: Option<NaiveDate>,
    pub note: String,
}

/// A responsible person's period as shown (ID number masked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ResponsibleView {
    pub id: Uuid,
    pub stage: String,
    pub stage_name: &'static str,
    pub person_id: Uuid,
    pub name: String,
    pub id_masked: Option<String>,
    pub post: String,
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

/// A breach as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BreachView {
    pub id: Uuid,
    pub stage: String,
    pub stage_name: &'static str,
    pub occurred_on: NaiveDate,
    pub finding: String,
    pub doc_no: String,
    /// Decimal yuan.
    pub amount: Option<String>,
    /// The body's 失信 record.
    pub record_id: Uuid,
}

/// A project as shown.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub id: Uuid,
    pub no: String,
    pub name: String,
    pub gov_uscc: String,
    pub gov_name: String,
    pub implementing_uscc: String,
    pub implementing_name: String,
    pub private_uscc: String,
    pub private_name: String,
    pub contract_no: Option<String>,
    /// Decimal yuan.
    pub amount: Option<String>,
    pub region: String,
    pub stage: String,
    pub stage_name: &'static str,
    pub version: i64,
    pub stages: Vec<StageView>,
    pub responsibles: Vec<ResponsibleView>,
    pub breaches: Vec<BreachView>,
}

fn stage_name(code: &str) -> &'static str {
    Stage::parse(code).map(Stage::label).unwrap_or("未知阶段")
}

pub(crate) fn stage_starts(stages: &[PppStageRow]) -> Vec<StageStart> {
    stages
        .iter()
        .filter_map(|s| {
            Stage::parse(&s.stage).ok().map(|st| StageStart {
                stage: st,
                on: s.started_on,
            })
        })
        .collect()
}

/// Whether the caller may read the project (else it is "not found").
pub(crate) fn may_see(caller: &Caller, p: &PppProjectRow) -> bool {
    acts_for(caller, &p.gov_uscc)
        || acts_for(caller, &p.implementing_uscc)
        || office_for(caller, &p.region)
}

/// Load a project the caller may see (else "not found").
pub(crate) async fn load(app: &App, caller: &Caller, id: Uuid) -> AppResult<PppProjectRow> {
    require_any(caller)?;
    match app.store.ppp_project(id).await? {
        Some(p) if may_see(caller, &p) => Ok(p),
        _ => Err(AppError::NotFound),
    }
}

fn short_no(day: NaiveDate) -> String {
    let tail = Uuid::now_v7().simple().to_string();
    let tail = tail
        .get(tail.len() - 6..)
        .unwrap_or("000000")
        .to_ascii_uppercase();
    format!("PPP-{}-{tail}", day.format("%Y%m%d"))
}

/// A responsible input checked against the stage (`stage`, begun `since`) and made ready to
/// store; the ID number hashed and sealed.
pub(crate) fn responsible_put(
    app: &App,
    r: &ResponsibleInput,
    stage: Stage,
    since: Option<NaiveDate>,
    region: Option<String>,
) -> AppResult<PppResponsiblePut> {
    let n = r.id_number.trim().to_ascii_uppercase();
    if let Err(e) = id_number::parse(&n, RegionTable::national(), app.today()) {
        return Err(AppError::invalid(
            "id_number_invalid",
            format!("责任人身份证号无效（{}）：{e}", id_number::mask(&n)),
        ));
    }
    let name = text(&r.name, "责任人姓名", 60)?;
    let post = text(&r.post, "责任人职务", 60)?;
    let from = match r.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(f) => date(f, "责任人任职起始日期")?,
        None => since.ok_or(PppError::StageNotReached(stage.label()))?,
    };
    let to = match r.to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => Some(date(t, "责任人任职终止日期")?),
        None => None,
    };
    check_period(
        &StagePeriod {
            stage,
            person: String::new(),
            from,
            to,
        },
        since,
        app.today(),
    )?;
    Ok(PppResponsiblePut {
        person: crate::staff::import::person_put(app, &n, &name, region)?,
        stage: stage.as_str().into(),
        post,
        from_date: from,
        to_date: to,
    })
}

fn overlap_error(e: StoreError) -> AppError {
    match e {
        StoreError::Duplicate(m) => AppError::invalid("ppp_responsible_overlap", m),
        other => other.into(),
    }
}

/// Register a project, checked whole before anything is written.
pub async fn create(app: &App, caller: &Caller, req: ProjectRequest) -> AppResult<ProjectView> {
    require_any(caller)?;
    let name = text(&req.name, "项目名称", 200)?;
    let gov = code(&req.gov_uscc, "政府方", "uscc_invalid")?;
    if !is_government_uscc(&gov) {
        return Err(PppError::NotGovernment(gov, "ppp_party_not_government").into());
    }
    let implementing = code(&req.implementing_uscc, "项目实施机构", "uscc_invalid")?;
    if !is_government_uscc(&implementing) {
        return Err(PppError::NotGovernment(implementing, "ppp_party_not_government").into());
    }
    let implementing_name = text(&req.implementing_name, "项目实施机构名称", 200)?;
    let private = code(&req.private_uscc, "社会资本方", "uscc_invalid")?;
    if is_government_uscc(&private) {
        return Err(AppError::invalid(
            "ppp_private_is_government",
            format!("社会资本方“{private}”是政府机关：社会资本方应为企业"),
        ));
    }
    let private_name = text(&req.private_name, "社会资本方名称", 200)?;
    let contract_no = match req.contract_no.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(c) => Some(text(c, "合同编号", 100)?),
    };
    let amount_fen = amount(&req.amount)?;
    let identified_on = date(&req.identified_on, "识别阶段开始日期")?;
    let today = app.today();
    if identified_on > today {
        return Err(PppError::DateInFuture {
            date: identified_on,
            today,
        }
        .into());
    }
    let region = crate::auth::uscc_region(&gov);
    if !(acts_for(caller, &gov) || acts_for(caller, &implementing) || office_for(caller, &region)) {
        return Err(AppError::forbidden(
            "not_your_body",
            "只能登记本单位（政府方或项目实施机构）的项目，或由本地区信用办登记",
        ));
    }
    let responsible = match &req.responsible {
        Some(r) => {
            if let Some(s) = r.stage.as_deref().filter(|s| !s.trim().is_empty()) {
                if Stage::parse(s)? != Stage::Identification {
                    return Err(PppError::StageNotReached(Stage::parse(s)?.label()).into());
                }
            }
            Some(responsible_put(
                app,
                r,
                Stage::Identification,
                Some(identified_on),
                Some(region.clone()),
            )?)
        }
        None => None,
    };
    let body = gov_body(
        app,
        caller,
        &gov,
        req.gov_name.as_deref(),
        "政府方",
        "ppp_party_not_government",
    )
    .await?;
    let now = chengxin_store::clock::now().trunc_subsecs(6);
    let id = Uuid::now_v7();
    let row = PppProjectRow {
        id,
        no: short_no(identified_on),
        name,
        gov_uscc: gov,
        gov_name: body.name.clone(),
        gov_subject_id: body.id,
        implementing_uscc: implementing,
        implementing_name,
        private_uscc: private,
        private_name,
        contract_no,
        amount_fen,
        region: region_of(&body),
        stage: Stage::Identification.as_str().into(),
        created_by: caller.actor.clone(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let first = PppStageRow {
        id: Uuid::now_v7(),
        project_id: id,
        stage: Stage::Identification.as_str().into(),
        started_on: identified_on,
        note: "登记项目，进入识别阶段".into(),
        actor: caller.actor.clone(),
        at: now,
    };
    app.store
        .create_ppp_project(&caller.actor, &row, &first, responsible.as_ref())
        .await
        .map_err(overlap_error)?;
    get(app, caller, id).await
}

/// Who may change the project: the credit office, the government party, the implementing body.
fn may_change(caller: &Caller, p: &PppProjectRow) -> AppResult<()> {
    if acts_for(caller, &p.gov_uscc)
        || acts_for(caller, &p.implementing_uscc)
        || office_for(caller, &p.region)
    {
        Ok(())
    } else {
        Err(AppError::forbidden(
            "not_your_step",
            "该项目由政府方、项目实施机构或本地区信用办办理",
        ))
    }
}

/// Move the project to its next stage.
pub async fn advance(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: AdvanceRequest,
) -> AppResult<ProjectView> {
    let p = load(app, caller, id).await?;
    may_change(caller, &p)?;
    if p.version != req.expected_version {
        return Err(StoreError::Conflict {
            expected: req.expected_version,
            current: p.version,
        }
        .into());
    }
    let to = Stage::parse(&req.stage)?;
    let today = app.today();
    let on = match req.on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => date(d, "阶段开始日期")?,
        None => today,
    };
    let stages = app.store.ppp_stages(p.id).await?;
    let current = stage_starts(&stages)
        .into_iter()
        .max_by_key(|s| s.stage)
        .ok_or_else(|| AppError::unavailable("项目没有阶段记录"))?;
    check_advance(current, to, on, today)?;
    let responsible = match &req.responsible {
        Some(r) => Some(responsible_put(
            app,
            r,
            to,
            Some(on),
            Some(p.region.clone()),
        )?),
        None => None,
    };
    let note = req
        .note
        .as_deref()
        .map(|n| n.trim().chars().take(1000).collect::<String>())
        .unwrap_or_default();
    let stage = PppStageRow {
        id: Uuid::now_v7(),
        project_id: p.id,
        stage: to.as_str().into(),
        started_on: on,
        note: chengxin_domain::codes::id_number::mask_in_text(&note).into_owned(),
        actor: caller.actor.clone(),
        at: chengxin_store::clock::now().trunc_subsecs(6),
    };
    app.store
        .advance_ppp_stage(
            &caller.actor,
            p.id,
            req.expected_version,
            &stage,
            responsible.as_ref(),
        )
        .await
        .map_err(overlap_error)?;
    get(app, caller, id).await
}

/// Add a stage's responsible person (a change of person ends the previous one's open period
/// the day before).
pub async fn add_responsible(
    app: &App,
    caller: &Caller,
    id: Uuid,
    req: ResponsibleInput,
) -> AppResult<ProjectView> {
    let p = load(app, caller, id).await?;
    may_change(caller, &p)?;
    let stage = Stage::parse(req.stage.as_deref().unwrap_or(""))?;
    let stages = app.store.ppp_stages(p.id).await?;
    let since = stage_starts(&stages)
        .into_iter()
        .find(|s| s.stage == stage)
        .map(|s| s.on);
    let put = responsible_put(app, &req, stage, since, Some(p.region.clone()))?;
    app.store
        .add_ppp_responsible(&caller.actor, p.id, &put)
        .await
        .map_err(overlap_error)?;
    get(app, caller, id).await
}

pub(crate) async fn view_of(app: &App, p: &PppProjectRow, full: bool) -> AppResult<ProjectView> {
    let (stages, responsibles, breaches) = if full {
        let stages = app.store.ppp_stages(p.id).await?;
        let starts = stage_starts(&stages);
        let stage_views = stages
            .iter()
            .map(|s| {
                let st = Stage::parse(&s.stage).ok();
                let next = st
                    .and_then(Stage::next)
                    .and_then(|n| starts.iter().find(|x| x.stage == n))
                    .and_then(|x| x.on.pred_opt());
                StageView {
                    stage: s.stage.clone(),
                    stage_name: stage_name(&s.stage),
                    started_on: s.started_on,
                    ended_on: next,
                    note: s.note.clone(),
                }
            })
            .collect();
        let rs = app.store.ppp_responsibles(p.id).await?;
        let mut ids: Vec<Uuid> = rs.iter().map(|r| r.person_id).collect();
        ids.sort();
        ids.dedup();
        let persons = app.store.persons_by_ids(&ids).await?;
        let responsibles = rs
            .iter()
            .map(|r| {
                let person = persons.iter().find(|s| s.id == r.person_id);
                ResponsibleView {
                    id: r.id,
                    stage: r.stage.clone(),
                    stage_name: stage_name(&r.stage),
                    person_id: r.person_id,
                    name: person.map(|s| s.name.clone()).unwrap_or_default(),
                    id_masked: person.and_then(|s| s.id_masked.clone()),
                    post: r.post.clone(),
                    from: r.from_date,
                    to: r.to_date,
                }
            })
            .collect();
        let breaches = app
            .store
            .ppp_breaches(p.id)
            .await?
            .into_iter()
            .map(|b| BreachView {
                id: b.id,
                stage_name: stage_name(&b.stage),
                stage: b.stage,
                occurred_on: b.occurred_on,
                finding: b.finding,
                doc_no: b.doc_no,
                amount: b.amount_fen.map(format_yuan),
                record_id: b.record_id,
            })
            .collect();
        (stage_views, responsibles, breaches)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(ProjectView {
        id: p.id,
        no: p.no.clone(),
        name: p.name.clone(),
        gov_uscc: p.gov_uscc.clone(),
        gov_name: p.gov_name.clone(),
        implementing_uscc: p.implementing_uscc.clone(),
        implementing_name: p.implementing_name.clone(),
        private_uscc: p.private_uscc.clone(),
        private_name: p.private_name.clone(),
        contract_no: p.contract_no.clone(),
        amount: p.amount_fen.map(format_yuan),
        region: p.region.clone(),
        stage: p.stage.clone(),
        stage_name: stage_name(&p.stage),
        version: p.version,
        stages,
        responsibles,
        breaches,
    })
}

/// One project with its stages, responsible persons and breaches.
pub async fn get(app: &App, caller: &Caller, id: Uuid) -> AppResult<ProjectView> {
    let p = load(app, caller, id).await?;
    view_of(app, &p, true).await
}

/// List filters.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Name contains.
    pub q: Option<String>,
    pub page: Option<i64>,
}

/// The projects within reach, newest first.
pub async fn list(app: &App, caller: &Caller, q: &ListParams) -> AppResult<Vec<ProjectView>> {
    require_any(caller)?;
    let office = is_office(caller);
    let body = own_body(caller);
    if !office && body.is_none() {
        return Ok(Vec::new());
    }
    let f = PppFilter {
        region_prefix: office.then(|| caller.region_prefix()),
        body: if office { None } else { body },
        name: q.q.clone(),
        limit: 100,
        offset: (q.page.unwrap_or(1).max(1) - 1) * 100,
    };
    let mut out = Vec::new();
    for p in app.store.ppp_projects(&f).await? {
        if may_see(caller, &p) {
            out.push(view_of(app, &p, false).await?);
        }
    }
    Ok(out)
}
