//! Demo commitments for 常州 (`data/demo/commitments.toml`): registered and stepped through the
//! same use cases as the console, as the city's credit office, once (only while the store has
//! no commitment at all).

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_app::commitments::{CommitmentRequest, CommitmentStepRequest, MilestoneInput};
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{CommitmentFilter, Store};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

const DATA: &str = include_str!("../../../../data/demo/commitments.toml");

#[derive(Deserialize)]
struct File {
    commitments: Vec<DemoCommitment>,
}

#[derive(Deserialize)]
struct DemoCommitment {
    kind: String,
    promisor: String,
    /// A natural person's ID number (fictional): `promisor` is then the person's name.
    promisor_id: Option<String>,
    /// The approving body registering a 信用承诺 (by name), if not the office.
    registrar: Option<String>,
    title: String,
    counterparty: String,
    content: String,
    legal_basis: String,
    amount: Option<String>,
    promised: i64,
    milestones: Vec<DemoMilestone>,
}

#[derive(Deserialize)]
struct DemoMilestone {
    title: String,
    due: i64,
    amount: Option<String>,
    step: Option<String>,
    on: Option<i64>,
    ground: Option<String>,
    basis: Option<String>,
    compensation: Option<String>,
    compensation_amount: Option<String>,
}

/// Register the demo commitments (and their steps); returns how many.
pub async fn seed(store: Arc<dyn Store>, hasher: IdHasher, today: NaiveDate) -> Result<usize> {
    let existing = store
        .commitments(&CommitmentFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let data: File = toml::from_str(DATA).context("演示承诺数据无法解读")?;
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
    let mut n = 0;
    for c in &data.commitments {
        let (uscc, name) = match &c.promisor_id {
            Some(_) => (String::new(), Some(c.promisor.clone())),
            None => (super::uscc_of(store.as_ref(), &c.promisor).await?, None),
        };
        let caller = match &c.registrar {
            Some(r) => Caller {
                body: Some(super::uscc_of(store.as_ref(), r).await?),
                ..office.clone()
            },
            None => office.clone(),
        };
        let view = chengxin_app::commitments::create(
            &app,
            &caller,
            CommitmentRequest {
                kind: c.kind.clone(),
                title: c.title.clone(),
                promisor_uscc: uscc,
                promisor_id_number: c.promisor_id.clone(),
                promisor_name: name,
                counterparty_name: c.counterparty.clone(),
                counterparty_uscc: None,
                content: c.content.clone(),
                legal_basis: c.legal_basis.clone(),
                amount: c.amount.clone().map(serde_json::Value::String),
                promised_on: day(c.promised),
                supervisor_uscc: None,
                milestones: c
                    .milestones
                    .iter()
                    .map(|m| MilestoneInput {
                        title: m.title.clone(),
                        due: Some(day(m.due)),
                        amount: m.amount.clone().map(serde_json::Value::String),
                    })
                    .collect(),
            },
        )
        .await
        .map_err(|e| anyhow!("登记演示承诺“{}”：{e}", c.title))?;
        for (m, shown) in c.milestones.iter().zip(&view.milestones) {
            let Some(step) = &m.step else { continue };
            chengxin_app::commitments::act(
                &app,
                &caller,
                view.id,
                CommitmentStepRequest {
                    milestone_id: shown.id,
                    action: step.clone(),
                    on: m.on.map(day),
                    ground: m.ground.clone(),
                    basis: m.basis.clone(),
                    compensation: m.compensation.clone(),
                    compensation_amount: m
                        .compensation_amount
                        .clone()
                        .map(serde_json::Value::String),
                    text: None,
                    finding: None,
                    doc_no: None,
                    severity: None,
                    expected_version: shown.version,
                },
            )
            .await
            .map_err(|e| anyhow!("演示承诺“{}”的步骤 {step}：{e}", c.title))?;
        }
        n += 1;
    }
    // Today's reminders and escalations, as the daily job would send them.
    chengxin_app::commitments::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(n)
}
