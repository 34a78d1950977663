//! Demo procurement contracts and arrears for 常州 (`data/demo/arrears.toml`): registered and
//! stepped through the same use cases as the console and the portal, once (only while the store
//! has no contract at all); then the daily sweep runs as the job would.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::arrears::{
    ArrearRequest, ArrearStepRequest, ContractMilestoneInput, ContractRequest, MilestoneDone,
};
use chengxin_app::auth::{Caller, Via};
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_store::{ArrearFilter, Store, SubjectFilter};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;

const DATA: &str = include_str!("../../../../data/demo/arrears.toml");

#[derive(Deserialize)]
struct File {
    contracts: Vec<DemoContract>,
    reports: Vec<DemoReport>,
}

#[derive(Deserialize)]
struct DemoContract {
    purchaser: String,
    title: String,
    contract_no: String,
    supplier: usize,
    sme: bool,
    amount: String,
    signed: i64,
    payment_days: Option<u32>,
    milestones: Vec<DemoMilestone>,
    #[serde(default)]
    pay: Vec<DemoPay>,
}

#[derive(Deserialize)]
struct DemoMilestone {
    kind: String,
    title: String,
    due: Option<i64>,
    amount: Option<String>,
    done: Option<i64>,
}

#[derive(Deserialize)]
struct DemoPay {
    amount: String,
    on: i64,
}

#[derive(Deserialize)]
struct DemoReport {
    debtor: String,
    creditor: usize,
    contract_no: String,
    contract_name: String,
    amount: String,
    due: i64,
    note: Option<String>,
    reject: Option<String>,
}

fn caller(role: Role, region: &str, body: Option<String>) -> Result<Caller> {
    let region = Region::parse(region).map_err(|e| anyhow!("{e}"))?;
    Ok(Caller {
        actor: "demo".into(),
        via: Via::Anonymous,
        roles: vec![role],
        scope: Scope { region, body: None },
        body,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    })
}

async fn body_uscc(store: &dyn Store, name: &str) -> Result<String> {
    store
        .list_subjects(&SubjectFilter {
            name_contains: Some(name.to_string()),
            limit: 5,
            ..Default::default()
        })
        .await?
        .into_iter()
        .find(|s| s.name == name)
        .and_then(|s| s.uscc)
        .ok_or_else(|| anyhow!("演示采购数据的单位“{name}”不在演示数据中"))
}

/// Register the demo contracts, run the sweep, pay and report; returns how many contracts.
pub async fn seed(store: Arc<dyn Store>, hasher: IdHasher, today: NaiveDate) -> Result<usize> {
    let existing = store
        .contracts(&ArrearFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let data: File = toml::from_str(DATA).context("演示采购与拖欠账款数据无法解读")?;
    let mut app = chengxin_app::App::new(
        store.clone(),
        hasher,
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    app.today = Some(today);
    let office = caller(Role::CreditOffice, "320400", None)?;
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    let enterprises: Vec<(String, String)> = store
        .list_subjects(&SubjectFilter {
            kind: Some(SubjectKind::Enterprise),
            region_prefix: Some("3204".into()),
            limit: 20,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter_map(|s| s.uscc.map(|u| (u, s.name)))
        .filter(|(u, _)| !u.starts_with('1'))
        .collect();
    let enterprise = |i: usize| {
        enterprises
            .get(i)
            .cloned()
            .ok_or_else(|| anyhow!("演示数据中常州的企业不足 {} 家", i + 1))
    };
    let mut ids = Vec::new();
    for c in &data.contracts {
        let purchaser = body_uscc(store.as_ref(), &c.purchaser).await?;
        let (supplier, supplier_name) = enterprise(c.supplier)?;
        let view = chengxin_app::arrears::create_contract(
            &app,
            &office,
            ContractRequest {
                title: c.title.clone(),
                contract_no: c.contract_no.clone(),
                purchaser_uscc: purchaser,
                purchaser_name: None,
                supplier_uscc: supplier,
                supplier_name,
                supplier_sme: c.sme,
                amount: serde_json::Value::String(c.amount.clone()),
                signed_on: day(c.signed),
                payment_days: c.payment_days,
                milestones: c
                    .milestones
                    .iter()
                    .map(|m| ContractMilestoneInput {
                        kind: m.kind.clone(),
                        title: m.title.clone(),
                        due: m.due.map(day),
                        amount: m.amount.clone().map(serde_json::Value::String),
                    })
                    .collect(),
            },
        )
        .await
        .map_err(|e| anyhow!("登记演示采购合同“{}”：{e}", c.title))?;
        for (m, shown) in c.milestones.iter().zip(&view.milestones) {
            let Some(done) = m.done else { continue };
            chengxin_app::arrears::complete_milestone(
                &app,
                &office,
                view.id,
                MilestoneDone {
                    milestone_id: shown.id,
                    on: Some(day(done)),
                    expected_version: shown.version,
                },
            )
            .await
            .map_err(|e| anyhow!("演示采购合同“{}”的节点：{e}", c.title))?;
        }
        ids.push(view.id);
    }
    // Today's sweep, as the daily job would run it: overdue payments enter the ledger, one
    // beyond the limit becomes a 失信 record.
    chengxin_app::arrears::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    for (c, id) in data.contracts.iter().zip(&ids) {
        let view = chengxin_app::arrears::get_contract(&app, &office, *id)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let Some(arrear) = view.milestones.iter().find_map(|m| m.arrear_id) else {
            continue;
        };
        for p in &c.pay {
            let a = chengxin_app::arrears::get(&app, &office, arrear)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            chengxin_app::arrears::act(
                &app,
                &office,
                arrear,
                ArrearStepRequest {
                    action: "pay".into(),
                    amount: Some(serde_json::Value::String(p.amount.clone())),
                    on: Some(day(p.on)),
                    reason: None,
                    doc_no: None,
                    expected_version: a.version,
                },
            )
            .await
            .map_err(|e| anyhow!("演示拖欠账款“{}”的付款：{e}", c.title))?;
        }
    }
    for r in &data.reports {
        let debtor = body_uscc(store.as_ref(), &r.debtor).await?;
        let (creditor, _) = enterprise(r.creditor)?;
        let company = caller(Role::Subject, "320400", Some(creditor))?;
        let a = chengxin_app::arrears::report(
            &app,
            &company,
            ArrearRequest {
                debtor_uscc: debtor,
                debtor_name: None,
                creditor_uscc: None,
                creditor_name: None,
                creditor_sme: true,
                contract_no: r.contract_no.clone(),
                contract_name: Some(r.contract_name.clone()),
                contract_amount: None,
                amount: Some(serde_json::Value::String(r.amount.clone())),
                due: day(r.due),
                signed_on: None,
                note: r.note.clone(),
            },
        )
        .await
        .map_err(|e| anyhow!("演示企业反映“{}”：{e}", r.contract_name))?;
        if let Some(reason) = &r.reject {
            chengxin_app::arrears::act(
                &app,
                &office,
                a.id,
                ArrearStepRequest {
                    action: "reject".into(),
                    amount: None,
                    on: None,
                    reason: Some(reason.clone()),
                    doc_no: None,
                    expected_version: a.version,
                },
            )
            .await
            .map_err(|e| anyhow!("演示企业反映“{}”的驳回：{e}", r.contract_name))?;
        }
    }
    Ok(ids.len())
}
