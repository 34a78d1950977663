//! The audit trail (审计日志) and query log (查询留痕), for auditors: filter, read, export.
//! Reading the trail is itself audited.

use chengxin_ingest::report::neutralise;
use chengxin_store::{AuditEvent, AuditFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// From this time (RFC 3339), inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Until this time (RFC 3339), exclusive.
    pub to: Option<DateTime<Utc>>,
    pub actor: Option<String>,
    /// auth, account, token, query …
    pub kind: Option<String>,
    pub action: Option<String>,
    /// At most this many (default 1 000, at most 100 000), newest first.
    pub limit: Option<i64>,
}

impl From<AuditQuery> for AuditFilter {
    fn from(q: AuditQuery) -> Self {
        AuditFilter {
            from: q.from,
            to: q.to,
            actor: q.actor,
            kind: q.kind,
            action: q.action,
            target: None,
            limit: q.limit,
        }
    }
}

/// Audit events plus, unless another kind was asked for, data changes from the change log
/// (as events of kind `data`), newest first. The read is audited as `how`.
async fn read(app: &App, caller: &Caller, q: AuditQuery, how: &str) -> AppResult<Vec<AuditEvent>> {
    let filter: AuditFilter = q.into();
    let mut events = match filter.kind.as_deref() {
        Some("data") => Vec::new(),
        _ => app.store.audit_events(&filter).await?,
    };
    if filter.kind.as_deref().is_none_or(|k| k == "data") {
        for e in app.store.data_changes(&filter).await? {
            let at = DateTime::parse_from_rfc3339(&e.at)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default();
            let members = e.members.as_deref().map(|m| m.lines().count());
            events.push(AuditEvent {
                id: uuid::Uuid::nil(),
                at,
                actor: e.actor,
                kind: "data".into(),
                action: e.action,
                target: Some(format!("{}:{}", e.entity_type, e.entity_id)),
                outcome: "ok".into(),
                ip: None,
                detail: serde_json::json!({"seq": e.seq, "hash": e.hash, "members": members}),
            });
        }
        events.sort_by_key(|e| std::cmp::Reverse(e.at));
        let limit = filter.limit.unwrap_or(1000).clamp(1, 100_000);
        events.truncate(usize::try_from(limit).unwrap_or(1000));
    }
    // Reading the audit trail is itself audited.
    let mut e = caller.audit("query", how, "ok");
    e.detail = serde_json::json!({"filter": filter, "returned": events.len()});
    app.store.audit(&[e]).await?;
    Ok(events)
}

/// Audit events (and data changes), newest first.
pub async fn list(app: &App, caller: &Caller, q: AuditQuery) -> AppResult<Vec<AuditEvent>> {
    read(app, caller, q, "audit_read").await
}

/// The same as CSV: UTF-8 with BOM for Excel; cells that Excel would run as formulas are
/// neutralised.
pub async fn export_csv(app: &App, caller: &Caller, q: AuditQuery) -> AppResult<Vec<u8>> {
    let events = read(app, caller, q, "audit_export").await?;
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let header = [
            "时间",
            "操作者",
            "类别",
            "操作",
            "对象",
            "结果",
            "来源地址",
            "详情",
        ];
        w.write_record(header).map_err(AppError::unavailable)?;
        for e in &events {
            let at = e.at.to_rfc3339();
            let detail = e.detail.to_string();
            let cells = [
                at.as_str(),
                e.actor.as_str(),
                e.kind.as_str(),
                e.action.as_str(),
                e.target.as_deref().unwrap_or(""),
                e.outcome.as_str(),
                e.ip.as_deref().unwrap_or(""),
                detail.as_str(),
            ];
            w.write_record(cells.iter().map(|c| neutralise(c).into_owned()))
                .map_err(AppError::unavailable)?;
        }
        w.flush().map_err(AppError::unavailable)?;
    }
    Ok(out)
}
