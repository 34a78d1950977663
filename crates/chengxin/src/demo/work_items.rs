//! Demo work items for 常州 (`data/demo/work_items.toml`): opened and stepped through the same
//! use cases as the console, as the city's credit office and the bodies concerned, once (only
//! while the store has no work item at all); then today's sweep.

use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use chengxin_access::jurisdiction::{Region, Scope};
use chengxin_access::Role;
use chengxin_app::auth::{Caller, Via};
use chengxin_app::work::{Attachment, OpenRequest, StepRequest};
use chengxin_domain::subjects::IdHasher;
use chengxin_store::{Store, WorkFilter};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use sha2::{Digest, Sha256};

const DATA: &str = include_str!("../../../../data/demo/work_items.toml");
/// The demo's 12345 export: `{-N}` is the day N days before today.
const HOTLINE: &str = include_str!("../../../../data/demo/hotline.csv");

#[derive(Deserialize)]
struct File {
    items: Vec<DemoItem>,
    #[serde(default)]
    portal: Vec<DemoComplaint>,
}

/// A complaint filed on the portal, then worked.
#[derive(Deserialize)]
struct DemoComplaint {
    about: String,
    content: String,
    complainant: String,
    contact: Option<String>,
    filed: i64,
    #[serde(default)]
    steps: Vec<DemoStep>,
}

#[derive(Deserialize)]
struct DemoItem {
    kind: String,
    title: String,
    ref_no: Option<String>,
    proposer: Option<String>,
    owner: String,
    #[serde(default)]
    co: Vec<String>,
    issuer: Option<String>,
    content: String,
    required: Option<String>,
    opened: i64,
    deadline: Option<i64>,
    #[serde(default)]
    steps: Vec<DemoStep>,
}

#[derive(Deserialize)]
struct DemoStep {
    action: String,
    by: String,
    on: i64,
    text: String,
    choice: Option<String>,
    evidence: Option<String>,
}

fn caller(role: Role, body: Option<String>) -> Result<Caller> {
    let region = Region::parse("320400").map_err(|e| anyhow!("{e}"))?;
    Ok(Caller {
        actor: match &body {
            Some(b) => format!("demo:{b}"),
            None => "demo".into(),
        },
        via: Via::Anonymous,
        roles: vec![role],
        scope: Scope {
            region,
            body: body.clone(),
        },
        body,
        token_permissions: None,
        ip: None,
        must_change_password: false,
    })
}

/// Open the demo items (and their steps); returns how many.
pub async fn seed(store: Arc<dyn Store>, hasher: IdHasher, today: NaiveDate) -> Result<usize> {
    let existing = store
        .work_items(&WorkFilter {
            limit: 1,
            ..Default::default()
        })
        .await?;
    if !existing.is_empty() {
        return Ok(0);
    }
    let data: File = toml::from_str(DATA).context("演示督办事项数据无法解读")?;
    let mut n = 0;
    let day = |d: i64| (today + Duration::days(d)).format("%Y-%m-%d").to_string();
    for it in &data.items {
        let owner = super::uscc_of(store.as_ref(), &it.owner).await?;
        let issuer = match &it.issuer {
            Some(i) => Some(super::uscc_of(store.as_ref(), i).await?),
            None => None,
        };
        let mut co = Vec::new();
        for c in &it.co {
            co.push(super::uscc_of(store.as_ref(), c).await?);
        }
        // Each item opened on its own day.
        let mut app = chengxin_app::App::new(
            store.clone(),
            hasher.clone(),
            std::env::temp_dir(),
            chengxin_app::auth::AuthSettings::default(),
        );
        app.today = Some(today + Duration::days(it.opened));
        let office = caller(Role::CreditOffice, None)?;
        let view = chengxin_app::work::open(
            &app,
            &office,
            OpenRequest {
                kind: it.kind.clone(),
                title: it.title.clone(),
                ref_no: it.ref_no.clone(),
                proposer: it.proposer.clone(),
                owner_uscc: owner.clone(),
                owner_name: None,
                issuer_uscc: issuer.clone(),
                issuer_name: None,
                co_units: co.clone(),
                content: it.content.clone(),
                required: it.required.clone(),
                opened_on: None,
                deadline: it.deadline.map(day),
            },
        )
        .await
        .map_err(|e| anyhow!("交办演示事项“{}”：{e}", it.title))?;
        let mut version = view.version;
        for s in &it.steps {
            app.today = Some(today + Duration::days(s.on));
            let who = match s.by.as_str() {
                "owner" => caller(Role::SubmittingDepartment, Some(owner.clone()))?,
                "co" => caller(Role::ImplementingDepartment, co.first().cloned())?,
                _ => match &issuer {
                    Some(i) => caller(Role::SubmittingDepartment, Some(i.clone()))?,
                    None => office.clone(),
                },
            };
            let attachments = s
                .evidence
                .iter()
                .map(|name| Attachment {
                    name: name.clone(),
                    size: 204_800,
                    sha256: Sha256::digest(name.as_bytes())
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                })
                .collect();
            let v = chengxin_app::work::act(
                &app,
                &who,
                view.id,
                StepRequest {
                    action: s.action.clone(),
                    choice: s.choice.clone(),
                    text: s.text.clone(),
                    on: None,
                    attachments,
                    expected_version: version,
                    arrear: None,
                },
            )
            .await
            .map_err(|e| anyhow!("演示事项“{}”的步骤 {}：{e}", it.title, s.action))?;
            version = v.version;
        }
        n += 1;
    }
    n += seed_portal(&store, &hasher, today, &data.portal).await?;
    // The 12345 hotline export, imported as the city's credit office.
    let mut csv = HOTLINE.to_string();
    for back in 0..=30 {
        csv = csv.replace(
            &format!("{{-{back}}}"),
            &(today - Duration::days(back))
                .format("%Y-%m-%d")
                .to_string(),
        );
    }
    let mut app = chengxin_app::App::new(
        store.clone(),
        hasher.clone(),
        std::env::temp_dir(),
        chengxin_app::auth::AuthSettings::default(),
    );
    app.today = Some(today);
    let office = caller(Role::CreditOffice, None)?;
    let r = chengxin_app::work::hotline::import(&app, &office, csv.into_bytes(), Some("12345.csv"))
        .await
        .map_err(|e| anyhow!("导入演示 12345 工单：{e}"))?;
    if r.failed > 0 {
        return Err(anyhow!("演示 12345 工单有误：{:?}", r.errors));
    }
    n += r.created;
    chengxin_app::work::sweep::sweep(store.as_ref(), today)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    Ok(n)
}

/// The portal complaints: filed as the public, worked by the office and the body, rated by
/// the complainant with the receipt's code.
async fn seed_portal(
    store: &Arc<dyn Store>,
    hasher: &IdHasher,
    today: NaiveDate,
    list: &[DemoComplaint],
) -> Result<usize> {
    use chengxin_app::work::public;
    let office = caller(Role::CreditOffice, None)?;
    let mut public_caller = caller(Role::CreditOffice, None)?;
    public_caller.roles = Vec::new();
    public_caller.actor = "anonymous".into();
    for c in list {
        let owner = super::uscc_of(store.as_ref(), &c.about).await?;
        let mut app = chengxin_app::App::new(
            store.clone(),
            hasher.clone(),
            std::env::temp_dir(),
            chengxin_app::auth::AuthSettings::default(),
        );
        app.today = Some(today + Duration::days(c.filed));
        let filed = public::file(
            &app,
            &public_caller,
            public::PublicComplaintRequest {
                about: Some(c.about.clone()),
                about_uscc: None,
                title: None,
                content: c.content.clone(),
                complainant: c.complainant.clone(),
                contact: c.contact.clone(),
            },
        )
        .await
        .map_err(|e| anyhow!("演示网上投诉（{}）：{e}", c.about))?;
        let id = store
            .work_item_by_no(&filed.no)
            .await?
            .ok_or_else(|| anyhow!("演示网上投诉 {} 未找到", filed.no))?
            .id;
        for s in &c.steps {
            app.today = Some(today + Duration::days(s.on));
            if s.by == "public" {
                public::rate(
                    &app,
                    &public_caller,
                    &filed.no,
                    Some(&filed.access_code),
                    public::PublicRating {
                        choice: s.choice.clone().unwrap_or_default(),
                        text: s.text.clone(),
                    },
                )
                .await
                .map_err(|e| anyhow!("演示网上投诉 {} 的评价：{e}", filed.no))?;
                continue;
            }
            let who = match s.by.as_str() {
                "owner" => caller(Role::SubmittingDepartment, Some(owner.clone()))?,
                _ => office.clone(),
            };
            let version = store
                .work_item(id)
                .await?
                .map(|r| r.version)
                .unwrap_or_default();
            chengxin_app::work::act(
                &app,
                &who,
                id,
                StepRequest {
                    action: s.action.clone(),
                    choice: s.choice.clone(),
                    text: s.text.clone(),
                    on: None,
                    attachments: Vec::new(),
                    expected_version: version,
                    arrear: None,
                },
            )
            .await
            .map_err(|e| anyhow!("演示网上投诉 {} 的步骤 {}：{e}", filed.no, s.action))?;
        }
    }
    Ok(list.len())
}
