//! 审计日志, 账户与令牌, 目录与规则.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::Response;
use chengxin_access::tokens::{
    DEFAULT_TOKEN_DAILY_QUOTA, DEFAULT_TOKEN_RATE, MAX_TOKEN_DAILY_QUOTA, MAX_TOKEN_RATE,
};
use chengxin_access::{Permission as P, Role};
use chengxin_domain::catalog::RecordType;
use chengxin_domain::lists::JointCatalog;
use chrono::{NaiveDate, TimeZone, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{actions_script, api_error_page, dt, enc, gate, is_staff, msg_box, render, val};
use crate::auth::Caller;
use crate::AppState;
use chengxin_app::audit::{self, AuditQuery};

#[derive(Debug, Deserialize, Default)]
pub struct AuditPageQuery {
    /// `YYYY-MM-DD`, China time, inclusive.
    pub from: Option<String>,
    /// `YYYY-MM-DD`, China time, inclusive.
    pub to: Option<String>,
    pub actor: Option<String>,
    pub kind: Option<String>,
    pub action: Option<String>,
    /// `1`: only security events.
    pub security: Option<String>,
    /// Events skipped (paging).
    pub offset: Option<String>,
}

/// Midnight (China time) of a day as UTC, in the API's RFC 3339 form.
fn day_start(d: NaiveDate) -> Option<chrono::DateTime<Utc>> {
    let o = chrono::FixedOffset::east_opt(8 * 3600)?;
    let t = d.and_hms_opt(0, 0, 0)?;
    o.from_local_datetime(&t)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

const KINDS: &[(&str, &str)] = &[
    ("auth", "登录认证"),
    ("account", "账户"),
    ("token", "令牌"),
    ("query", "查询留痕"),
    ("data", "数据变更"),
    ("case", "联合奖惩"),
    ("privacy", "个人信息保护"),
    ("audit", "审计"),
];

/// `/console/audit`: the audit trail, a page at a time, with filters by time, person, kind
/// and action (named in Chinese), security events marked, the CSV export link and, for
/// holders of `LogVerify`, the button that runs `verify`.
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    uri: Uri,
    q: Result<Query<AuditPageQuery>, QueryRejection>,
) -> Response {
    let v = match gate(&state, &caller, &uri, |c| c.has(P::AuditRead)).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let from_d = nonempty(q.from).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let to_d = nonempty(q.to).and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok());
    let from = from_d.and_then(day_start);
    let to = to_d.and_then(|d| d.succ_opt()).and_then(day_start);
    // A person: `account:用户名` as stored; a bare username is an account's.
    let actor = nonempty(q.actor).map(|a| {
        if a.contains(':') {
            a
        } else {
            format!("account:{a}")
        }
    });
    let kind = nonempty(q.kind);
    let action = nonempty(q.action);
    let security = nonempty(q.security).is_some_and(|s| s == "1");
    let offset = nonempty(q.offset)
        .and_then(|o| o.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0);
    let query = AuditQuery {
        from,
        to,
        actor: actor.clone(),
        kind: kind.clone(),
        action: action.clone(),
        limit: None,
    };
    let page = match audit::page(&state, &caller, query, offset, security).await {
        Ok(p) => p,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let events = &page.events;
    // The same filter for the export and the pager.
    let mut params: Vec<String> = Vec::new();
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    if let Some(t) = from {
        params.push(format!("from={}", enc(&fmt(t))));
    }
    if let Some(t) = to {
        params.push(format!("to={}", enc(&fmt(t))));
    }
    let mut filter: Vec<String> = Vec::new();
    if let Some(d) = from_d {
        filter.push(format!("from={d}"));
    }
    if let Some(d) = to_d {
        filter.push(format!("to={d}"));
    }
    for (k, x) in [("actor", &actor), ("kind", &kind), ("action", &action)] {
        if let Some(x) = x {
            params.push(format!("{k}={}", enc(x)));
            filter.push(format!("{k}={}", enc(x)));
        }
    }
    if security {
        filter.push("security=1".into());
    }
    params.push("limit=100000".into());
    let export = format!("/api/v1/audit/export?{}", params.join("&"));
    let page_link = |o: i64| {
        let mut f = filter.clone();
        f.push(format!("offset={o}"));
        format!("/console/audit?{}", f.join("&"))
    };
    let size = audit::PAGE_SIZE;
    let prev = (page.offset > 0).then(|| page_link((page.offset - size).max(0)));
    let next = page.more.then(|| page_link(page.offset + size));
    // People for the filter: the accounts within the auditor's reach, by name.
    let people: Vec<(String, String)> = state
        .store
        .accounts()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| caller.reaches(P::AuditRead, &a.region))
        .map(|a| (a.username, a.display_name))
        .collect();
    let last_verify = if caller.has(P::LogVerify) {
        audit::last_verify(&state).await.ok().flatten()
    } else {
        None
    };
    // The latest signed tree head (issue 21): what witnesses keep outside the database.
    let tree_head = if caller.has(P::LogVerify) {
        state.store.latest_tree_head().await.ok().flatten()
    } else {
        None
    };
    // Grants of privileged roles are announced to the auditor: pending ones and the latest.
    let grants = chengxin_app::accounts::grants_by(&state, &caller)
        .await
        .unwrap_or_default();
    let pending_grants = grants.iter().filter(|g| g.status == "pending").count();
    let break_glass = grants.iter().filter(|g| g.status == "break_glass").count();
    let body = html! {
        (msg_box("action-msg"))
        @if !grants.is_empty() {
            div.notice.warn #grant-announcements role="status" {
                strong { "特权角色授予：" }
                "待审批 " (pending_grants) " 项，经服务器命令行直接授予 " (break_glass) " 项。最近："
                ul {
                    @for g in grants.iter().take(5) {
                        li {
                            (dt(&g.requested_at)) " " (super::who(&g.requested_by)) " 申请授予 " (g.username)
                            "（" (crate::pages::portal::region_name(Some(&g.region))) "）" (labels(&g.privileged)) " " (status_tag(&g.status))
                        }
                    }
                }
                a href="/console/grants" { "查看全部授予记录" }
            }
        }
        @if caller.has(P::LogVerify) {
            section.card #log-verify {
                h2 { "防篡改校验" }
                p.hint { "重新计算变更日志的哈希链、核对签名检查点（以服务器密钥文件中的公钥为准）和每一行数据的摘要。校验本身记入审计日志。" }
                @match &last_verify {
                    None => p #verify-result { "尚未在工作台运行过校验。" },
                    Some(e) => {
                        p #verify-result {
                            "最近一次校验：" (dt(&e.at)) "，" (super::who(&e.actor)) "，结果："
                            @if e.outcome == "ok" {
                                span.tag.ok { "通过" }
                                "（变更日志 " (e.detail.get("entries").and_then(|x| x.as_i64()).unwrap_or(0))
                                " 条，核对数据 " (e.detail.get("rows_checked").and_then(|x| x.as_u64()).unwrap_or(0)) " 行，未发现篡改）"
                            } @else {
                                span.tag.bad { "未通过" }
                                "（发现 " (e.detail.get("problem_count").and_then(|x| x.as_u64()).unwrap_or(0)) " 处问题）"
                            }
                        }
                        @if let Some(ps) = e.detail.get("problems").and_then(|p| p.as_array()).filter(|p| !p.is_empty()) {
                            ul #verify-problems { @for p in ps { li { (val(p)) } } }
                        }
                    }
                }
                p { button #run-verify type="button" data-api="/api/v1/audit/verify" data-done="校验已完成" { "运行防篡改校验" } }
                p #tree-head {
                    @match &tree_head {
                        None => "尚未签发签名树头。",
                        Some(h) => {
                            "最新签名树头（Merkle 树）：变更日志 " (h.size) " 条，树根 " code { (hex::encode(h.root)) }
                            "，签发于 " (dt(&h.at)) "。"
                        }
                    }
                    "树头公开于 " code { "/api/v1/log/checkpoint" } "，服务器同时写入库外的树头文件；请将该文件另行保存，并用 "
                    code { "chengxin verify --against 树头文件" } " 核对，删除近期历史（回滚）即可被发现。"
                }
            }
        }
        form.card.filters method="get" action="/console/audit" {
            div { label for="f-from" { "起始日期" } input #f-from type="date" name="from" value=(from_d.map(|d| d.to_string()).unwrap_or_default()); }
            div { label for="f-to" { "截止日期" } input #f-to type="date" name="to" value=(to_d.map(|d| d.to_string()).unwrap_or_default()); }
            div {
                label for="f-actor" { "操作者" }
                input #f-actor type="text" name="actor" list="f-actor-list" value=(actor.as_deref().map(super::who).unwrap_or_default()) placeholder="输入姓名或用户名选择";
                datalist #f-actor-list {
                    @for (u, n) in &people { option value=(u) { (n) "（" (u) "）" } }
                }
            }
            div {
                label for="f-kind" { "类别" }
                select #f-kind name="kind" {
                    option value="" { "全部" }
                    @for (k, l) in KINDS { option value=(k) selected[kind.as_deref() == Some(*k)] { (l) } }
                }
            }
            div {
                label for="f-action" { "操作" }
                select #f-action name="action" {
                    option value="" { "全部" }
                    @for (c, l, _) in audit::ACTIONS { option value=(c) selected[action.as_deref() == Some(*c)] { (l) } }
                }
            }
            div { label { input #f-security type="checkbox" name="security" value="1" checked[security]; " 只看安全事件" } }
            div.buttons { button type="submit" { "筛选" } a.button.secondary href="/console/audit" { "清除" } }
        }
        p {
            a.button.secondary #audit-export href=(export) download { "导出 CSV" }
            " " span.hint #audit-range {
                @if events.is_empty() { "没有符合条件的记录。" }
                @else { "第 " (page.offset + 1) "–" (page.offset + i64::try_from(events.len()).unwrap_or(0)) " 条（每页 " (size) " 条，最新在前；导出不限条数）。" }
                "查阅与导出本身也记入审计日志。标红的行为安全事件（登录失败、锁定、拒绝、命令行授权、证件号枚举等）。"
            }
        }
        div.table-wrap { table #audit-table {
            thead { tr { th { "时间" } th { "操作者" } th { "类别" } th { "操作" } th { "对象" } th { "结果" } th { "来源地址" } th { "详情" } } }
            tbody {
                @if events.is_empty() { tr { td colspan="8" { "没有符合条件的记录。" } } }
                @for e in events {
                    @let sec = audit::is_security(e);
                    tr.security-event[sec] {
                        td.nowrap data-label="时间" { (dt(&e.at)) }
                        td data-label="操作者" { (super::actor_label(&e.actor)) }
                        td data-label="类别" { (KINDS.iter().find(|(k, _)| *k == e.kind).map(|(_, l)| *l).unwrap_or(&e.kind)) }
                        td data-label="操作" {
                            (audit::action_label(&e.action))
                            @if sec { " " span.tag.bad.security-tag { "安全事件" } }
                        }
                        td data-label="对象" {
                            @if let Some(t) = &e.target {
                                @let (kind, id) = audit::target_parts(t);
                                @if !kind.is_empty() { (kind) br; }
                                @match page.names.get(t) {
                                    Some(n) => { span.small title=(id) { (n) } }
                                    None => { code.small title=(id) { (val(&serde_json::Value::String(audit::short_id(id)))) } }
                                }
                            }
                        }
                        td data-label="结果" {
                            @if e.outcome == "ok" { span.tag.ok { "成功" } }
                            @else { span.tag.bad { (audit::outcome_label(&e.outcome)) } }
                        }
                        td data-label="来源地址" { (e.ip.clone().unwrap_or_default()) }
                        td data-label="详情" {
                            @for (k, v) in audit::detail_lines(&e.detail) {
                                div.small.detail {
                                    @if !k.is_empty() { (k) "：" }
                                    code title=(v) { (val(&serde_json::Value::String(audit::short_id(&v)))) }
                                }
                            }
                        }
                    }
                }
            }
        } }
        @if prev.is_some() || next.is_some() {
            nav.pager aria-label="分页" {
                @if let Some(h) = &prev { a #audit-prev href=(h) rel="prev" { "上一页" } }
                span.info { "第 " ((page.offset / size) + 1) " 页" }
                @if let Some(h) = &next { a #audit-next href=(h) rel="next" { "下一页" } }
            }
        }
        (actions_script())
    };
    render(&caller, &v, "审计日志", "/console/audit", body)
}

const ACCOUNTS_JS: &str = r#"
function cxChecked(name) {
  return Array.from(document.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
}
// A region or body picked from its list reads "code name": the code is the first word.
function cxCode(id) {
  return document.getElementById(id).value.trim().split(/\s+/)[0];
}
document.querySelectorAll("[data-reset-for]").forEach(function (b) {
  b.addEventListener("click", async function () {
    const out = document.getElementById("action-msg");
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    b.disabled = true;
    const r = await cx.api("POST", "/api/v1/accounts/" + b.dataset.resetFor + "/actions", { action: b.dataset.action });
    b.disabled = false;
    if (!r.ok) { cx.message(out, "err", cx.error(r.data)); out.scrollIntoView({ block: "nearest" }); return; }
    cxOnce(out, [["账户", b.dataset.user, "reset-username"], ["一次性密码", r.data.one_time_password, "reset-password"], ["动态验证码绑定地址（TOTP）", r.data.totp_uri, "reset-totp-uri"]]);
    const again = document.createElement("button");
    again.type = "button"; again.className = "secondary"; again.textContent = "已记下，刷新列表";
    again.addEventListener("click", function () { location.reload(); });
    out.appendChild(again);
    out.scrollIntoView({ block: "nearest" });
  });
});
function cxOnce(el, rows) {
  el.innerHTML = "";
  el.className = "notice ok";
  el.hidden = false;
  const p = document.createElement("p");
  p.textContent = "以下信息只显示这一次，请立即通过安全渠道交给使用人，关闭页面后无法再次查看：";
  el.appendChild(p);
  const dl = document.createElement("dl");
  dl.className = "kv";
  rows.forEach(function (r) {
    if (r[1] === null || r[1] === undefined) return;
    const dt = document.createElement("dt"); dt.textContent = r[0];
    const dd = document.createElement("dd"); const c = document.createElement("code"); c.id = r[2]; c.textContent = r[1]; dd.appendChild(c);
    dl.appendChild(dt); dl.appendChild(dd);
  });
  el.appendChild(dl);
  el.focus();
}
const acc = document.getElementById("create-account");
if (acc) acc.addEventListener("click", async function () {
  const out = document.getElementById("account-result");
  const body = {
    username: document.getElementById("acc-username").value.trim(),
    display_name: document.getElementById("acc-display").value.trim(),
    roles: cxChecked("acc-role"),
    region: cxCode("acc-region"),
    body: cxCode("acc-body") || null,
  };
  if (!body.username || !body.display_name || body.roles.length === 0 || !body.region) {
    cx.message(out, "err", "请填写用户名、姓名、区划并至少选择一个角色"); return;
  }
  acc.disabled = true;
  const r = await cx.api("POST", "/api/v1/accounts", body);
  acc.disabled = false;
  if (!r.ok) { cx.message(out, "err", cx.error(r.data)); return; }
  const pending = r.data.pending_grant ? cxRoleLabels(r.data.pending_grant.privileged, function (c) {
    const i = document.querySelector('input[name="acc-role"][value="' + c + '"]');
    return i && i.parentElement ? i.parentElement.textContent.trim() : c;
  }) + "（须经另一名管理员或本地区信用办审批后生效）" : null;
  cxOnce(out, [["用户名", r.data.username, "new-username"], ["一次性密码", r.data.one_time_password, "one-time-password"], ["动态验证码绑定地址（TOTP）", r.data.totp_uri, "totp-uri"], ["待审批角色", pending, "pending-roles"]]);
});
function cxRoleLabels(codes, label) {
  return codes.map(label).join("、");
}
document.querySelectorAll("[data-roles-for]").forEach(function (b) {
  b.addEventListener("click", async function () {
    const out = document.getElementById("action-msg");
    const id = b.dataset.rolesFor;
    const sel = document.getElementById("roles-" + id);
    const roles = Array.from(sel.selectedOptions).map(function (o) { return o.value; });
    if (roles.length === 0) { cx.message(out, "err", "请至少选择一个角色"); return; }
    b.disabled = true;
    const r = await cx.api("POST", "/api/v1/accounts/" + id + "/roles", { roles: roles });
    b.disabled = false;
    if (!r.ok) { cx.message(out, "err", cx.error(r.data)); out.scrollIntoView({ block: "nearest" }); return; }
    const pending = r.data.pending_grant ? cxRoleLabels(r.data.pending_grant.privileged, function (c) {
      const o = sel.querySelector('option[value="' + c + '"]');
      return o ? o.textContent.trim() : c;
    }) + "（须经另一名管理员或本地区信用办审批后生效）" : null;
    if (r.data.totp_uri || pending) {
      cxOnce(out, [["账户", r.data.account.username, "roles-username"], ["待审批角色", pending, "roles-pending"], ["动态验证码绑定地址（TOTP）", r.data.totp_uri, "roles-totp-uri"]]);
    } else {
      cx.message(out, "ok", "角色已更新，页面即将刷新。");
      setTimeout(function () { location.reload(); }, 900);
    }
    out.scrollIntoView({ block: "nearest" });
  });
});
const tok = document.getElementById("issue-token");
if (tok) tok.addEventListener("click", async function () {
  const out = document.getElementById("token-result");
  const body = {
    name: document.getElementById("tok-name").value.trim(),
    permissions: cxChecked("tok-perm"),
    region: cxCode("tok-region"),
    body: cxCode("tok-body") || null,
    days: Number(document.getElementById("tok-days").value || "90"),
    rate_per_second: Number(document.getElementById("tok-rate").value) || null,
    daily_quota: Number(document.getElementById("tok-quota").value) || null,
  };
  if (!body.name || body.permissions.length === 0 || !body.region) {
    cx.message(out, "err", "请填写名称、区划并至少选择一项权限"); return;
  }
  tok.disabled = true;
  const r = await cx.api("POST", "/api/v1/tokens", body);
  tok.disabled = false;
  if (!r.ok) { cx.message(out, "err", cx.error(r.data)); return; }
  cxOnce(out, [["令牌", r.data.token, "new-token"], ["前缀", r.data.public_prefix, "token-prefix"], ["有效期至", r.data.expires_at, "token-expires"], ["每秒请求数上限", String(r.data.rate_per_second), "token-rate"], ["每日核查对象数上限", String(r.data.daily_quota), "token-quota"]]);
});
"#;

fn role_label(code: &str) -> &str {
    Role::ALL
        .iter()
        .find(|r| r.as_str() == code)
        .map(|r| r.label_zh())
        .unwrap_or(code)
}

/// Regions an administrator may pick (its own and those within it, current, 6-digit codes):
/// `(code, full name)`.
fn region_choices(caller: &Caller) -> Vec<(String, String)> {
    let Ok(table) = chengxin_domain::regions::RegionTable::national_checked() else {
        return Vec::new();
    };
    let own = caller.scope.region.as_str();
    let mut out: Vec<(String, String)> = Vec::new();
    if own == "000000" {
        out.push(("000000".into(), "全国".into()));
    }
    out.extend(
        table
            .iter()
            .filter(|r| r.current && !r.is_summary() && r.code.len() == 6)
            .filter(|r| own == "000000" || table.is_within(&r.code, own))
            .map(|r| {
                (
                    r.code.clone(),
                    table.full_name(&r.code).unwrap_or_else(|| r.name.clone()),
                )
            }),
    );
    out
}

/// Known bodies (the deployment's departments and those delegations name): `(USCC, name)`.
pub(super) fn body_choices(state: &AppState) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = state
        .department_bodies()
        .map(|b| {
            b.bodies()
                .iter()
                .map(|b| (b.uscc.clone(), b.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    if let Ok(d) = state.delegations() {
        for x in d.all() {
            out.push((x.submitter.clone(), x.name.clone()));
            out.extend(x.bodies.iter().map(|b| (b.uscc.clone(), b.name.clone())));
        }
    }
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

/// A code as its list shows it (`320400 江苏省常州市`), the code alone if not listed.
fn choice(list: &[(String, String)], code: &str) -> String {
    list.iter()
        .find(|(c, _)| c == code)
        .map(|(c, n)| format!("{c} {n}"))
        .unwrap_or_else(|| code.to_string())
}

/// `/console/accounts`: accounts and API tokens for the administrator.
pub async fn accounts(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::AccountsManage) || c.has(P::TokensManage)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let manage_accounts = caller.has(P::AccountsManage);
    let manage_tokens = caller.has(P::TokensManage);
    // Only those of the administrator's region and below.
    let accounts: Vec<chengxin_store::Account> = if manage_accounts {
        state
            .store
            .accounts()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|a| caller.reaches(P::AccountsManage, &a.region))
            .collect()
    } else {
        Vec::new()
    };
    let tokens: Vec<chengxin_store::TokenRow> = if manage_tokens {
        state
            .store
            .tokens()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|t| {
                caller.reaches(
                    P::TokensManage,
                    t.scope
                        .get("region")
                        .and_then(|r| r.as_str())
                        .unwrap_or("000000"),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    // Roles waiting for a second person's approval, by account.
    let pending: std::collections::HashMap<uuid::Uuid, Vec<String>> = if manage_accounts {
        chengxin_app::accounts::grants_by(&state, &caller)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|g| g.status == "pending")
            .map(|g| (g.account_id, g.privileged))
            .collect()
    } else {
        Default::default()
    };
    let me = caller.account_id();
    let now = chengxin_store::clock::now();
    let regions = region_choices(&caller);
    let bodies = body_choices(&state);
    let body_label = |code: &str| -> String {
        bodies
            .iter()
            .find(|(c, _)| c == code)
            .map(|(c, n)| format!("{n}（{c}）"))
            .unwrap_or_else(|| code.to_string())
    };
    let own_region = choice(&regions, caller.scope.region.as_str());
    let body = html! {
        (msg_box("action-msg"))
        datalist #region-list { @for (c, n) in &regions { option value=(format!("{c} {n}")) {} } }
        datalist #body-list { @for (c, n) in &bodies { option value=(format!("{c} {n}")) {} } }
        @if manage_accounts {
            h2 { "账户" }
            div.table-wrap { table {
                thead { tr { th { "用户名" } th { "姓名" } th { "角色" } th { "辖区" } th { "所属单位" } th { "状态" } th { "操作" } } }
                tbody {
                    @for a in &accounts {
                        @let url = format!("/api/v1/accounts/{}/actions", a.id);
                        @let locked = a.locked_until.is_some_and(|t| t > now);
                        tr {
                            td { (a.username) }
                            td { (a.display_name) }
                            td { (a.roles.iter().map(|r| role_label(r)).collect::<Vec<_>>().join("、")) }
                            td { (crate::pages::portal::region_name(Some(&a.region))) " " code.small { (a.region) } }
                            td { (a.body.as_deref().map(body_label).unwrap_or_default()) }
                            td {
                                @if a.disabled { span.tag.bad { "已停用" } }
                                @else if locked { span.tag.warn { "已锁定" } }
                                @else { span.tag.ok { "正常" } }
                                @if a.must_change_password { " " span.tag.muted { "待改密" } }
                                @if let Some(p) = pending.get(&a.id) {
                                    " " a.tag.warn href="/console/grants" title="须经另一名管理员或本地区信用办审批" {
                                        "待审批：" (p.iter().map(|r| role_label(r)).collect::<Vec<_>>().join("、"))
                                    }
                                }
                            }
                            td.actions {
                                @if me == Some(a.id) {
                                } @else if a.disabled {
                                    button.secondary type="button" data-api=(url) data-body=r#"{"action":"enable"}"# data-done="已启用" { "启用" }
                                } @else {
                                    button.secondary type="button" data-api=(url) data-body=r#"{"action":"disable"}"# data-confirm=(format!("确定停用账户 {}？其会话将立即失效。", a.username)) data-done="已停用" { "停用" }
                                }
                                @if locked {
                                    " " button.secondary type="button" data-api=(url) data-body=r#"{"action":"unlock"}"# data-done="已解锁" { "解锁" }
                                }
                                @if me != Some(a.id) {
                                    " " button.secondary type="button" data-reset-for=(a.id) data-action="reset_password" data-user=(a.username)
                                        data-confirm=(format!("确定重置账户 {} 的密码？将生成一次性密码，其会话将立即失效。", a.username)) { "重置密码" }
                                    @if a.totp_secret.is_some() || chengxin_access::roles::requires_totp(&chengxin_app::auth::roles_of(a)) {
                                        " " button.secondary type="button" data-reset-for=(a.id) data-action="reset_totp" data-user=(a.username)
                                            data-confirm=(format!("确定重置账户 {} 的动态验证码？原身份验证器将失效，其会话将立即结束。", a.username)) { "重置动态验证码" }
                                    }
                                }
                                @if me == Some(a.id) {
                                    " " span.hint { "本人账号（角色须由另一名管理员更改）" }
                                } @else {
                                    details.roles-edit {
                                        summary { "更改角色" }
                                        @let sel = format!("roles-{}", a.id);
                                        label.sr-only for=(sel) { "角色（可多选）" }
                                        select id=(sel) multiple size="4" {
                                            @for r in Role::ALL.iter().filter(|r| **r != Role::Public) {
                                                option value=(r.as_str()) selected[a.roles.iter().any(|x| x == r.as_str())] { (r.label_zh()) }
                                            }
                                        }
                                        button.secondary type="button" data-roles-for=(a.id) { "保存角色" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            h2 { "新建账户" }
            div.card {
                div.form-grid {
                    div { label for="acc-username" { "用户名" } input #acc-username type="text" autocomplete="off"; }
                    div { label for="acc-display" { "姓名 / 显示名" } input #acc-display type="text" autocomplete="off"; }
                    div { label for="acc-region" { "辖区（输入地名选择，默认为本人辖区）" } input #acc-region type="text" list="region-list" autocomplete="off" value=(own_region); }
                    div {
                        label for="acc-body" { "所属单位（可选，输入单位名称选择）" }
                        input #acc-body type="text" list="body-list" autocomplete="off" aria-describedby="acc-body-hint";
                        p.hint #acc-body-hint { "信用主体（企业登录）账号：填写该企业的统一社会信用代码，须为平台中已有的主体。" }
                    }
                }
                fieldset {
                    legend { "角色" }
                    @for r in Role::ALL.iter().filter(|r| **r != Role::Public) {
                        label.check { input type="checkbox" name="acc-role" value=(r.as_str()); " " (r.label_zh()) }
                    }
                    p.hint { "审计员、管理员不得与其他角色兼任。信用办、审计员、管理员角色，以及全国范围（000000）的任何角色，须经另一名管理员或本地区信用办审批后生效（审批前账户不具有该角色），并通知审计员。" }
                }
                p { button #create-account type="button" { "创建账户" } }
                div #account-result tabindex="-1" hidden aria-live="polite" {}
            }
        }
        @if manage_tokens {
            h2 { "接口令牌" }
            div.table-wrap { table {
                thead { tr { th { "名称" } th { "前缀" } th { "权限" } th { "辖区 / 单位" } th { "限额" } th { "有效期至" } th { "签发" } th { "状态" } th { "操作" } } }
                tbody {
                    @if tokens.is_empty() { tr { td colspan="9" { "暂无令牌。" } } }
                    @for t in &tokens {
                        @let s = &t.scope;
                        @let (rate, quota) = chengxin_app::accounts::token_limits(t, &state.auth);
                        tr {
                            td { (t.name) }
                            td { code { (t.public_prefix) } }
                            td.small {
                                @if let Some(ps) = s.get("permissions").and_then(|p| p.as_array()) {
                                    (ps.iter().filter_map(|p| p.as_str()).map(|p| P::parse(p).map(|p| p.label_zh()).unwrap_or(p)).collect::<Vec<_>>().join("、"))
                                }
                            }
                            td { (val(s.get("region").unwrap_or(&serde_json::Value::Null))) br; span.hint { (val(s.get("body").unwrap_or(&serde_json::Value::Null))) } }
                            td.small { "每秒 " (rate) " 次" br; "每日核查 " (quota) " 个" }
                            td { (val(s.get("expires_at").unwrap_or(&serde_json::Value::Null)).get(..10).unwrap_or("")) }
                            td { (super::who(&t.created_by)) br; span.hint { (dt(&t.created_at)) } }
                            td { @if t.revoked_at.is_some() { span.tag.bad { "已吊销" } } @else { span.tag.ok { "有效" } } }
                            td {
                                @if t.revoked_at.is_none() {
                                    button.secondary type="button" data-api=(format!("/api/v1/tokens/{}/revoke", t.id))
                                        data-confirm=(format!("确定吊销令牌 {}？使用它的系统将立即无法访问。", t.name)) data-done="已吊销" { "吊销" }
                                }
                            }
                        }
                    }
                }
            } }
            h2 { "签发令牌" }
            div.card {
                div.form-grid {
                    div { label for="tok-name" { "名称（使用系统 / 部门）" } input #tok-name type="text"; }
                    div { label for="tok-region" { "辖区（输入地名选择）" } input #tok-region type="text" list="region-list" autocomplete="off" value=(own_region); }
                    div { label for="tok-body" { "代表单位（报送令牌必填，输入单位名称选择）" } input #tok-body type="text" list="body-list" autocomplete="off"; }
                    div { label for="tok-days" { "有效天数（最多 366）" } input #tok-days type="number" min="1" max="366" value="90"; }
                    div { label for="tok-rate" { "每秒请求数上限" } input #tok-rate type="number" min="1" max=(MAX_TOKEN_RATE) value=(DEFAULT_TOKEN_RATE); }
                    div { label for="tok-quota" { "每日核查对象数上限" } input #tok-quota type="number" min="1" max=(MAX_TOKEN_DAILY_QUOTA) value=(DEFAULT_TOKEN_DAILY_QUOTA); }
                }
                fieldset {
                    legend { "权限" }
                    @for p in P::ALL.iter().filter(|p| p.token_grantable()) {
                        label.check { input type="checkbox" name="tok-perm" value=(p.as_str()); " " (p.label_zh()) }
                    }
                }
                p { button #issue-token type="button" { "签发令牌" } }
                div #token-result tabindex="-1" hidden aria-live="polite" {}
            }
        }
        (actions_script())
        (crate::pages::script(ACCOUNTS_JS))
    };
    render(&caller, &v, "账户与令牌", "/console/accounts", body)
}

fn status_tag(status: &str) -> Markup {
    html! {
        @match status {
            "pending" => span.tag.warn { "待审批" },
            "approved" => span.tag.ok { "已批准" },
            "refused" => span.tag.bad { "已拒绝" },
            "break_glass" => span.tag.bad title="经服务器命令行直接授予，未经第二人审批" { "命令行直接授予" },
            other => span.tag.muted { (other) },
        }
    }
}

fn labels(codes: &[String]) -> String {
    codes
        .iter()
        .map(|r| role_label(r))
        .collect::<Vec<_>>()
        .join("、")
}

/// `/console/grants`: role grants that need a second person — pending ones to approve or
/// refuse (another administrator or the region's credit office), and the record of those
/// decided or given at the server's command line (for the auditor too).
pub async fn grants(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |c| {
        c.has(P::AccountsManage) || c.has(P::GrantsApprove) || c.has(P::AuditRead)
    })
    .await
    {
        Ok(v) => v,
        Err(r) => return r,
    };
    let rows = match chengxin_app::accounts::grants_by(&state, &caller).await {
        Ok(r) => r,
        Err(e) => return api_error_page(&caller, &v, &e.into()),
    };
    let me = caller.account_id();
    let mine = |g: &chengxin_app::accounts::GrantView| g.requested_by == caller.actor;
    let approver = caller.has(P::GrantsApprove);
    let (open, done): (Vec<_>, Vec<_>) = rows.iter().partition(|g| g.status == "pending");
    let body = html! {
        (msg_box("action-msg"))
        p.hint {
            "信用办、审计员、管理员角色，以及全国范围（000000）的任何角色，由管理员申请后须经另一名管理员或本地区信用办审批才生效；"
            "申请人不能审批本人的申请，任何人不能审批授予本人的角色。每项申请、审批和经服务器命令行的直接授予都记入审计日志。"
        }
        h2 { "待审批" }
        div.table-wrap { table #grants-pending {
            thead { tr { th { "账户" } th { "辖区" } th { "申请授予" } th { "现有角色" } th { "申请人" } th { "申请时间" } th { "操作" } } }
            tbody {
                @if open.is_empty() { tr { td colspan="7" { "没有待审批的申请。" } } }
                @for g in &open {
                    @let url = format!("/api/v1/role-grants/{}/decision", g.id);
                    @let note = format!("grant-note-{}", g.id);
                    tr {
                        td { (g.username) }
                        td { (crate::pages::portal::region_name(Some(&g.region))) " " code.small { (g.region) } }
                        td { strong { (labels(&g.privileged)) } br; span.hint { "审批后角色：" (labels(&g.roles)) } }
                        td { (labels(&g.roles_before)) }
                        td { (super::who(&g.requested_by)) }
                        td.nowrap { (dt(&g.requested_at)) }
                        td.actions {
                            @if approver && !mine(g) && me != Some(g.account_id) {
                                label.sr-only for=(note) { "审批意见" }
                                input id=(note) type="text" placeholder="审批意见（可选）";
                                " " button type="button" data-api=(url) data-body=r#"{"approve":true}"# data-fields=(format!("note={note}"))
                                    data-confirm=(format!("确定批准授予 {} 以下角色：{}？", g.username, labels(&g.privileged))) data-done="已批准" { "批准" }
                                " " button.secondary type="button" data-api=(url) data-body=r#"{"approve":false}"# data-fields=(format!("note={note}")) data-done="已拒绝" { "拒绝" }
                            } @else if approver && mine(g) {
                                span.hint { "本人提出的申请，须由他人审批" } " "
                                button.secondary type="button" data-api=(url) data-body=r#"{"approve":false}"# data-confirm="确定撤回该申请？" data-done="已撤回" { "撤回" }
                            } @else {
                                span.hint { "由另一名管理员或本地区信用办审批" }
                            }
                        }
                    }
                }
            }
        } }
        h2 { "授予记录" }
        div.table-wrap { table #grants-done {
            thead { tr { th { "账户" } th { "辖区" } th { "授予角色" } th { "状态" } th { "申请人 / 时间" } th { "审批人 / 时间" } th { "意见" } } }
            tbody {
                @if done.is_empty() { tr { td colspan="7" { "暂无记录。" } } }
                @for g in &done {
                    tr {
                        td { (g.username) }
                        td { (crate::pages::portal::region_name(Some(&g.region))) " " code.small { (g.region) } }
                        td { (labels(&g.privileged)) }
                        td { (status_tag(&g.status)) }
                        td { (super::who(&g.requested_by)) br; span.hint { (dt(&g.requested_at)) } }
                        td {
                            @if let Some(d) = &g.decided_by { (super::who(d)) }
                            @if let Some(t) = &g.decided_at { br; span.hint { (dt(t)) } }
                        }
                        td { (g.note.clone().unwrap_or_default()) }
                    }
                }
            }
        } }
        (actions_script())
    };
    render(&caller, &v, "特权角色授予", "/console/grants", body)
}

fn rules_view(state: &AppState) -> Markup {
    let Ok(rules) = state.rights_rules() else {
        return html! { div.notice.err { "信用权益规则未能加载。" } };
    };
    let today = state.today();
    let current = rules.repair_on(today).ok().map(|r| r.id.clone());
    html! {
        div.card { dl.kv {
            dt { "规则版本" } dd { (rules.version) }
            dt { "异议处理" } dd {
                (rules.objection.source) "：受理 " (rules.objection.accept_working_days) " 个工作日，核查 "
                (rules.objection.check_working_days) " 个工作日，答复 " (rules.objection.answer_working_days) " 个工作日"
            }
            dt { "证明材料" } dd {
                "最多 " (rules.evidence.max_files) " 个文件，每个不超过 " (rules.evidence.max_file_bytes / 1024 / 1024) " MB，合计不超过 " (rules.evidence.max_total_bytes / 1024 / 1024) " MB；类型："
                (rules.evidence.types.iter().filter_map(|t| serde_json::to_value(t).ok()).map(|v| val(&v)).collect::<Vec<_>>().join("、"))
            }
        } }
        div.table-wrap { table {
            thead { tr { th { "信用修复规则" } th { "施行日期" } th { "受理 / 审核 / 共享（工作日）" } th { "轻微" } th { "一般" } th { "严重" } th { "虚假材料禁申（月）" } } }
            tbody {
                @for r in &rules.repair {
                    tr {
                        td { (r.title) @if current.as_deref() == Some(r.id.as_str()) { " " span.tag.ok { "现行" } } }
                        td { (r.effective_from) }
                        td { (r.accept_working_days) " / " (r.review_working_days) " / " (r.share_working_days) }
                        @for l in [r.levels.minor, r.levels.general, r.levels.serious] {
                            td.small {
                                @if l.published { "公示 " (l.min_months) "–" (l.max_months) " 个月" } @else { "不公示" }
                                br;
                                @if l.repairable { "满 " (l.min_months) " 个月可修复" } @else { "不可修复" }
                            }
                        }
                        td { (r.bar_months_after_false_materials) }
                    }
                }
            }
        } }
    }
}

/// `/console/catalog`: the catalog types, the measures, the lists and the rights rules.
pub async fn catalog(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, is_staff).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let types: Vec<RecordType> = state
        .store
        .catalog_types()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter_map(|t| serde_json::from_value(t.definition).ok())
        .collect();
    let joint = JointCatalog::default_checked().ok();
    let body = html! {
        p.hint { "只读视图。目录、措施和规则随版本发布，修改须经配置发布流程。" }
        h2 { "信用信息目录" }
        div.table-wrap { table {
            thead { tr { th { "代码" } th { "名称" } th { "类别" } th { "公开方式" } th { "公示时限" } th { "字段" } } }
            tbody {
                @for t in &types {
                    tr {
                        td { code { (t.code) } }
                        td { (t.name) }
                        td { (t.class.label()) }
                        td { (t.disclosure.label()) }
                        td { @if let Some(d) = t.publish_within_working_days { (d) " 个工作日内" } }
                        td.small { (t.fields.iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("、")) }
                    }
                }
            }
        } }
        @if let Some(j) = &joint {
            h2 { "红黑名单" }
            div.table-wrap { table {
                thead { tr { th { "代码" } th { "名称" } th { "公开方式" } th { "认定部门" } th { "公示期" } th { "依据" } } }
                tbody {
                    @for l in j.lists() {
                        tr {
                            td { code { (l.code) } }
                            td { (l.name) }
                            td { (l.disclosure.label()) }
                            td { (l.recognised_by) }
                            td { @if l.publicity_working_days > 0 { (l.publicity_working_days) " 个工作日" } @else { "无" } }
                            td.small { (l.basis) }
                        }
                    }
                }
            } }
            h2 { "联合奖惩措施清单" }
            p.hint { (j.measures_title()) "（版本 " (j.measures_version()) "）" }
            div.table-wrap { table {
                thead { tr { th { "措施" } th { "类型" } th { "实施部门" } th { "适用名单" } th { "依据" } } }
                tbody {
                    @for m in j.measures() {
                        tr {
                            td { (m.name) }
                            td { @if m.kind.code() == "punishment" { span.tag.bad { (m.kind.label()) } } @else { span.tag.ok { (m.kind.label()) } } }
                            td.small { (m.implementer) }
                            td.small { (m.lists.iter().map(|c| j.list(c).map(|l| l.name.as_str()).unwrap_or(c.as_str())).collect::<Vec<_>>().join("、")) }
                            td.small { (m.basis) }
                        }
                    }
                }
            } }
        }
        h2 { "信用权益规则（现行）" }
        (rules_view(&state))
    };
    render(&caller, &v, "目录与规则", "/console/catalog", body)
}
