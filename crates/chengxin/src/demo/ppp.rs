//! Demo PPP projects and 失信被执行人 cases for 常州 (`data/demo/ppp.toml`): registered and moved
//! through the same use cases as the console, as the city's credit office, once (only while the
//! store has no PPP project at all).

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_app::ppp::{
    AdvanceRequest, BreachRequest, DebtorCaseRequest, DebtorProgressRequest, ProjectRequest,
    ResponsibleInput,
};
use chengxin_domain::codes::id_number;
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{PppFilter, Store};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

const DATA: &str = include_str!("../../../../data/demo/ppp.toml");

#[derive(Deserialize)]
struct File {
    projects: Vec<DemoProject>,
    debtors: Vec<DemoDebtor>,
}

#[derive(Deserialize)]
struct DemoProject {
    name: String,
    gov: String,
    implementing: String,
    private_uscc: String,
    private_name: String,
    contract_no: Option<String>,
    amount: Option<String>,
    identified: i64,
    stages: Vec<DemoStage>,
    responsibles: Vec<DemoResponsible>,
    breaches: Vec<DemoBreach>,
}

#[derive(Deserialize)]
struct DemoStage {
    stage: String,
    on: i64,
}

#[derive(Deserialize)]
struct DemoResponsible {
    stage: String,
    birth: String,
    seq: String,
    name: String,
    post: String,
    from: i64,
}

#[derive(Deserialize)]
struct DemoBreach {
    occurred: i64,
    finding: String,
    doc_no: String,
    amount: Option<String>,
    severity: Option<String>,
}

#[derive(Deserialize)]
struct DemoDebtor {
    case_no: String,
    court: String,
    body: String,
    amount: String,
    listed: i64,
    progress: Vec<DemoProgress>,
}

#[derive(Deserialize)]
struct DemoProgress {
    state: String,
    on: i64,
    note: String,
}

/// A valid (fictional) ID number of a 常州 person born on `birth` with sequence `seq`.
fn id_of(birth: &str, seq: &str) -> Result<String> {
    let first = format!("320402{birth}{seq}");
    let c = id_number::check_char(&first).ok_or_else(|| anyhow!("演示身份证号无法生成"))?;
    Ok(format!("{first}{c}"))
}

/// Register the demo projects and cases; returns how many projects.
pub async fn seed(store: Arc<dyn Store>, hasher: IdHasher, today: NaiveDate) -> Result<usize> {
    let existing = store
        .ppp_projects(&PppFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let data: File = toml::from_str(DATA).context("演示 PPP 数据无法解读")?;
    let mut app = chengxin_app::App::new(
        store.clone(),
        hasher,
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    app.today = Some(today);
    let region = Region::parse("320400").map_err(|e| anyhow!("{e}"))?;
    let office = Caller {
        actor: "demo".into(),
        via: Via::Anonymous,
        roles: vec![Role::CreditOffice],
        scope: Scope { region, body: None },
        body: None,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    };
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    let responsible = |r: &DemoResponsible| -> Result<ResponsibleInput> {
        Ok(ResponsibleInput {
            stage: Some(r.stage.clone()),
            id_number: id_of(&r.birth, &r.seq)?,
            name: r.name.clone(),
            post: r.post.clone(),
            from: Some(day(r.from)),
            to: None,
        })
    };
    let mut n = 0;
    for p in &data.projects {
        let gov = super::uscc_of(store.as_ref(), &p.gov).await?;
        let implementing = super::uscc_of(store.as_ref(), &p.implementing).await?;
        let mut view = chengxin_app::ppp::create(
            &app,
            &office,
            ProjectRequest {
                name: p.name.clone(),
                gov_uscc: gov,
                gov_name: None,
                implementing_uscc: implementing,
                implementing_name: p.implementing.clone(),
                private_uscc: p.private_uscc.clone(),
                private_name: p.private_name.clone(),
                contract_no: p.contract_no.clone(),
                amount: p.amount.clone().map(serde_json::Value::String),
                identified_on: day(p.identified),
                responsible: None,
            },
        )
        .await
        .map_err(|e| anyhow!("登记演示 PPP 项目“{}”：{e}", p.name))?;
        // Stages and responsible persons in date order, as they happened.
        let mut steps: Vec<(i64, Option<&DemoStage>, Option<&DemoResponsible>)> = p
            .stages
            .iter()
            .map(|s| (s.on, Some(s), None))
            .chain(p.responsibles.iter().map(|r| (r.from, None, Some(r))))
            .collect();
        steps.sort_by_key(|(on, s, _)| (*on, s.is_none()));
        for (_, s, r) in steps {
            if let Some(s) = s {
                view = chengxin_app::ppp::advance(
                    &app,
                    &office,
                    view.id,
                    AdvanceRequest {
                        stage: s.stage.clone(),
                        on: Some(day(s.on)),
                        note: None,
                        responsible: None,
                        expected_version: view.version,
                    },
                )
                .await
                .map_err(|e| anyhow!("演示 PPP 项目“{}”进入{}：{e}", p.name, s.stage))?;
            }
            if let Some(r) = r {
                view = chengxin_app::ppp::add_responsible(&app, &office, view.id, responsible(r)?)
                    .await
                    .map_err(|e| anyhow!("演示 PPP 项目“{}”的责任人：{e}", p.name))?;
            }
        }
        for b in &p.breaches {
            chengxin_app::ppp::record_breach(
                &app,
                &office,
                view.id,
                BreachRequest {
                    occurred_on: day(b.occurred),
                    finding: b.finding.clone(),
                    doc_no: b.doc_no.clone(),
                    decided_on: None,
                    amount: b.amount.clone().map(serde_json::Value::String),
                    severity: b.severity.clone(),
                },
            )
            .await
            .map_err(|e| anyhow!("演示 PPP 项目“{}”的失信违约：{e}", p.name))?;
        }
        n += 1;
    }
    for d in &data.debtors {
        let body = super::uscc_of(store.as_ref(), &d.body).await?;
        let mut view = chengxin_app::ppp::debtors::create(
            &app,
            &office,
            DebtorCaseRequest {
                case_no: d.case_no.clone(),
                court: d.court.clone(),
                body_uscc: body,
                body_name: None,
                amount: serde_json::Value::String(d.amount.clone()),
                listed_on: day(d.listed),
                note: None,
            },
        )
        .await
        .map_err(|e| anyhow!("登记演示失信被执行人案件 {}：{e}", d.case_no))?;
        for s in &d.progress {
            view = chengxin_app::ppp::debtors::progress(
                &app,
                &office,
                view.id,
                DebtorProgressRequest {
                    state: Some(s.state.clone()),
                    on: Some(day(s.on)),
                    note: s.note.clone(),
                    expected_version: view.version,
                },
            )
            .await
            .map_err(|e| anyhow!("演示失信被执行人案件 {} 的进展：{e}", d.case_no))?;
        }
    }
    Ok(n)
}
