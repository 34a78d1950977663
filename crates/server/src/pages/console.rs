//! Staff console (工作台): login with the second factor, then pages by role.
//!
//! Every page is a GET that only reads (mostly through the API's own handlers, so the
//! permission, jurisdiction and query-log rules stay in one place); actions post to the JSON
//! API from a few lines of inline script. Each handler first passes [`gate`]: anonymous
//! visitors go to the login page, accounts still on a one-time password go to the password
//! change, and signed-in callers without the permission get a 403 "无权访问" page.

mod admin;
mod arrears;
mod batch_work;
mod calendar;
mod cases;
mod commitments;
mod correction;
mod debt;
mod debtors;
mod evaluation;
mod evaluation_dashboard;
mod feed;
mod feedback;
mod inbox;
mod lists;
mod pickers;
mod portal_content;
mod ppp;
mod records;
mod report_view;
mod reports;
mod rights;
mod staff;
mod statistics;
mod submit;
mod work;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, MethodRouter};
use chengxin_access::{Permission as P, Role};
use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use super::{html_response, layout, page, script, visitor, Section, Visitor};
use crate::auth::Caller;
use crate::error::{ApiError, AppError};
use crate::route_spec::RouteSpec;
use crate::AppState;

pub fn routes() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    vec![
        page("/console/login", get(login)),
        page("/console/logout", get(logout)),
        page("/console", get(dashboard)),
        page("/console/submit", get(submit::submit)),
        page("/console/batches/{id}", get(submit::batch)),
        page("/console/applications", get(rights::queue)),
        page("/console/applications/{id}", get(rights::detail)),
        page("/console/cases", get(cases::cases)),
        page("/console/cases/{id}", get(cases::case)),
        page("/console/lists", get(cases::lists)),
        page("/console/lists/{id}", get(lists::entry)),
        console_post(
            "/console/lists/propose",
            P::ListsManage,
            axum::routing::post(lists::propose),
        ),
        console_post(
            "/console/lists/{id}/actions",
            P::ListsManage,
            axum::routing::post(lists::act),
        ),
        page("/console/records/{id}", get(records::record)),
        page("/console/subjects", get(records::subjects)),
        page("/console/link-queue", get(records::link_queue)),
        page("/console/audit", get(admin::audit)),
        page("/console/accounts", get(admin::accounts)),
        page("/console/grants", get(admin::grants)),
        page("/console/catalog", get(admin::catalog)),
        page("/console/calendar", get(calendar::calendar)),
        page("/console/reports/credit", get(reports::credit)),
        page(
            "/console/reports/credit/{report_no}",
            get(report_view::view),
        ),
        // The subject's own archive moved to the portal (我的信用档案).
        page(
            "/console/archive",
            get(|| async { Redirect::permanent("/portal/my") }),
        ),
        page("/console/statistics", get(statistics::statistics)),
        page("/console/statistics/export.xlsx", get(statistics::export)),
        page("/console/portal", get(portal_content::page)),
        page("/console/batches", get(batch_work::history)),
        page("/console/batches/{id}/records", get(batch_work::records)),
        page("/console/precheck/{id}", get(batch_work::precheck)),
        page("/console/staff", get(staff::imports)),
        page("/console/staff/responsible", get(staff::responsible)),
        page("/console/staff/file", get(staff::file)),
        page("/console/commitments", get(commitments::list)),
        page("/console/commitments/{id}", get(commitments::detail)),
        page("/console/work", get(work::list)),
        page("/console/work/export.xlsx", get(work::export)),
        page("/console/work/tasks", get(work::tasks)),
        page("/console/work/{id}", get(work::detail)),
        page("/console/procurement", get(arrears::contracts)),
        page("/console/procurement/{id}", get(arrears::contract)),
        page("/console/arrears", get(arrears::list)),
        page("/console/arrears/{id}", get(arrears::detail)),
        page("/console/ppp", get(ppp::list)),
        page("/console/ppp/{id}", get(ppp::detail)),
        page("/console/debtors", get(debtors::register)),
        page("/console/debtors/{id}", get(debtors::detail)),
        page("/console/inbox", get(inbox::inbox)),
        page("/console/webhook", get(inbox::webhook)),
        page("/console/debt", get(debt::page)),
        page("/console/evaluation", get(evaluation::ranking)),
        page("/console/evaluation/warnings", get(evaluation::warnings)),
        page(
            "/console/evaluation/targets/{target}",
            get(evaluation::target),
        ),
        page("/console/feed", get(feed::page)),
    ]
}

/// A console form's POST route: JSON with the session's CSRF token in its header (checked for
/// every state-changing request by `auth::authenticate`), the permission checked at the router
/// and the item's jurisdiction by the use case it calls.
fn console_post(
    path: &'static str,
    perm: P,
    handler: MethodRouter<AppState>,
) -> (RouteSpec, MethodRouter<AppState>) {
    (
        RouteSpec {
            method: axum::http::Method::POST,
            path,
            access: crate::auth::Access::Perm(perm),
            upload: false,
            cleans_text: false,
            flood: None,
        },
        handler,
    )
}

// ------------------------------------------------------------------------------------------------
// Sections, navigation and the gate
// ------------------------------------------------------------------------------------------------

/// Who may open a section.
#[derive(Clone, Copy)]
enum Need {
    /// Any of these permissions.
    Any(&'static [P]),
    /// Any staff account (not the public, not a subject).
    Staff,
}

/// The console's sections: (href, label, description, who).
const SECTIONS: &[(&str, &str, &str, Need)] = &[
    (
        "/console/portal",
        "门户内容",
        "通知公告、政策法规：起草、发布、撤回",
        Need::Any(&[P::PortalManage]),
    ),
    (
        "/console/submit",
        "数据报送",
        "上传信用信息文件，查看批次结果与错误报告",
        Need::Any(&[P::RecordsSubmit]),
    ),
    (
        "/console/applications",
        "异议与修复",
        "异议申诉、信用修复的受理、核查、审核与答复",
        Need::Any(&[
            P::ObjectionsHandle,
            P::RepairHandle,
            P::RecordsCorrect,
            P::ListsManage,
        ]),
    ),
    (
        "/console/cases",
        "联合奖惩案件",
        "签收、实施、反馈联合奖惩案件（闭环）",
        Need::Any(&[P::CasesHandle, P::CasesManage]),
    ),
    (
        "/console/lists",
        "名单管理",
        "红黑名单条目概览：公示、生效、移出",
        Need::Any(&[P::ListsManage]),
    ),
    (
        "/console/subjects",
        "主体查询",
        "查询信用主体及其信用记录",
        Need::Any(&[P::RecordsReadShared, P::RecordsReadNonpublic]),
    ),
    (
        "/console/link-queue",
        "待关联记录",
        "未能自动关联主体的记录，人工关联",
        Need::Any(&[P::RecordsTransition]),
    ),
    (
        "/console/reports/credit",
        "信用报告",
        "出具信用报告（PDF，含报告编号和验证码）",
        Need::Any(&[P::ReportsIssue, P::CreditReportOwn]),
    ),
    (
        "/console/archive",
        "本主体信用档案",
        "查看本主体全部信用记录（含已修复记录及其历史），申请信用修复",
        Need::Any(&[P::ArchiveReadOwn]),
    ),
    (
        "/console/statistics",
        "统计与时效",
        "双公示公示时效（7 个工作日）、各部门各月归集量，导出 XLSX",
        Need::Any(&[P::ReportsRead]),
    ),
    (
        "/console/audit",
        "审计日志",
        "查阅审计日志与查询留痕，导出 CSV",
        Need::Any(&[P::AuditRead]),
    ),
    (
        "/console/accounts",
        "账户与令牌",
        "创建、停用账户，签发、吊销接口令牌",
        Need::Any(&[P::AccountsManage, P::TokensManage]),
    ),
    (
        "/console/grants",
        "特权角色授予",
        "信用办、审计员、管理员等角色的授予须经第二人审批：待审批申请与授予记录",
        Need::Any(&[P::AccountsManage, P::GrantsApprove, P::AuditRead]),
    ),
    (
        "/console/catalog",
        "目录与规则",
        "信用信息目录、联合奖惩措施清单、信用权益规则",
        Need::Staff,
    ),
    (
        "/console/calendar",
        "节假日日历",
        "办理期限所用的工作日历：覆盖年份、载入次年放假安排",
        Need::Staff,
    ),
    (
        "/console/batches",
        "我的报送批次",
        "本单位报送的批次：状态、新增/更正/退回条数、公示情况，错误报告",
        Need::Any(&[P::RecordsSubmit]),
    ),
    (
        "/console/staff",
        "任职与培训导入",
        "导入人事部门的任职记录和诚信教育培训记录",
        Need::Any(&[P::RecordsSubmit]),
    ),
    (
        "/console/staff/responsible",
        "责任回溯",
        "查询某机关在某日的主要负责人及相关职务人员，含其现任职务",
        Need::Any(&[P::RecordsReadNonpublic]),
    ),
    (
        "/console/staff/file",
        "公务员诚信档案",
        "按身份证号查阅公务员诚信档案（任职、处分问责考核表彰、诚信教育），下载签名 PDF",
        Need::Any(&[P::PersonalDataDecrypt]),
    ),
    (
        "/console/commitments",
        "承诺管理",
        "政府承诺、合同协议、公开承诺与信用承诺：履行节点、提醒督办、违约认定",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle]),
    ),
    (
        "/console/work",
        "督办事项",
        "人大建议、政协提案、督查审计财政整改、限期整改：我的事项、本单位事项、本地区事项，导出 XLSX",
        Need::Any(&[P::SupervisionManage, P::AssignmentsHandle]),
    ),
    (
        "/console/procurement",
        "政府采购合同",
        "采购人为机关单位的合同：交付、验收、付款节点，中小企业法定付款期限",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle]),
    ),
    (
        "/console/arrears",
        "拖欠账款",
        "拖欠账款台账：企业反映、确认、付款直至清偿，按单位、地区、月份统计",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle]),
    ),
    (
        "/console/ppp",
        "PPP 项目",
        "政府和社会资本合作项目：五个阶段、阶段责任人、政府方失信违约与责任回溯",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle]),
    ),
    (
        "/console/debtors",
        "失信被执行人治理",
        "政府机关失信被执行人案件逐案跟踪至清零，各地区未清零案件台账",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle]),
    ),
    (
        "/console/inbox",
        "消息中心",
        "到期提醒、逾期督办与各类待办消息",
        Need::Staff,
    ),
    (
        "/console/webhook",
        "消息推送",
        "本单位消息推送地址（OA 系统、短信网关）与推送记录",
        Need::Any(&[P::CommitmentsManage, P::AssignmentsHandle, P::CasesHandle]),
    ),
    (
        "/console/debt",
        "地方政府债务",
        "各地区债务余额、综合财力、债务率与红橙黄绿风险等级：分布图、走势、排名，导入债务数据",
        Need::Any(chengxin_app::debt::READERS),
    ),
    (
        "/console/evaluation",
        "政务诚信评价",
        "各地区、各部门政务诚信得分、排名、失分明细与预警",
        Need::Any(&[P::ReportsRead, P::EvaluationsRun]),
    ),
    (
        "/console/feed",
        "逐级归集",
        "各下级平台的接收进度、滞后、持有的签名树头与最近错误",
        Need::Any(&[P::ReportsRead]),
    ),
];

/// Whether the caller is staff (holds a role other than the public's and a subject's).
fn is_staff(c: &Caller) -> bool {
    c.token_permissions.is_some()
        || c.roles
            .iter()
            .any(|r| !matches!(r, Role::Public | Role::Subject))
}

fn allowed(c: &Caller, need: Need) -> bool {
    match need {
        Need::Any(ps) => ps.iter().any(|p| c.has(*p)),
        Need::Staff => is_staff(c),
    }
}

/// The navigation of a caller: the sections it may open.
fn nav_for(c: &Caller) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("/console", "工作台")];
    out.extend(
        SECTIONS
            .iter()
            .filter(|(_, _, _, need)| allowed(c, *need))
            .map(|(href, label, _, _)| (*href, *label)),
    );
    out
}

/// Check who is asking before rendering anything: anonymous → login (coming back here),
/// one-time password → change it first, no permission → 403.
async fn gate(
    state: &AppState,
    caller: &Caller,
    uri: &Uri,
    ok: impl Fn(&Caller) -> bool,
) -> Result<Visitor, Response> {
    let here = uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| uri.path().to_string());
    if caller.is_anonymous() {
        return Err(super::to_login(&here));
    }
    if caller.must_change_password {
        return Err(super::to_login(&here));
    }
    let v = visitor(state, caller).await;
    // A credit subject's session opens no console page: its pages are on the portal.
    if !is_staff(caller) {
        return Err(not_staff(&v));
    }
    if !ok(caller) {
        return Err(forbidden(caller, &v));
    }
    Ok(v)
}

/// The 403 page of a signed-in account that is not staff (a credit subject's).
fn not_staff(v: &Visitor) -> Response {
    html_response(
        StatusCode::FORBIDDEN,
        layout(
            "无权访问",
            Section::Console,
            &[],
            "",
            v,
            html! {
                div.notice.err role="alert" #not-staff {
                    "无权访问：工作台仅供工作人员使用。信用主体请在门户的“我的信用档案”中查看本单位档案、申请信用修复和下载信用报告。"
                }
                p { a href="/portal/my" { "进入我的信用档案" } " · " a href="/" { "返回门户首页" } }
            },
        ),
    )
}

/// The 404 page of an unknown console address.
pub(crate) fn not_found_page(caller: &Caller, v: &Visitor) -> Response {
    let nav = if caller.is_anonymous() {
        Vec::new()
    } else {
        nav_for(caller)
    };
    html_response(
        StatusCode::NOT_FOUND,
        layout(
            "页面不存在",
            Section::Console,
            &nav,
            "",
            v,
            html! {
                div.notice.err role="alert" #not-found {
                    "您访问的页面不存在。请从工作台的菜单进入所需的功能。"
                }
                p { a href="/console" { "返回工作台" } }
            },
        ),
    )
}

/// The 403 page.
fn forbidden(caller: &Caller, v: &Visitor) -> Response {
    let nav = nav_for(caller);
    html_response(
        StatusCode::FORBIDDEN,
        layout(
            "无权访问",
            Section::Console,
            &nav,
            "",
            v,
            html! {
                div.notice.err role="alert" {
                    "无权访问：当前账号的角色没有查看此页面的权限。如需开通，请联系系统管理员。"
                }
                p { a href="/console" { "返回工作台" } }
            },
        ),
    )
}

/// A console page.
/// Subjects for a console search box: the one with this USCC (if `text` is one), then those
/// whose name contains `text` within `region_prefix`, at most `limit` of them, no repeats.
/// Each page then keeps the ones its caller may reach.
async fn find_subjects(
    state: &AppState,
    text: &str,
    region_prefix: &str,
    limit: i64,
) -> Vec<chengxin_domain::subjects::Subject> {
    let mut found = Vec::new();
    if text.len() == 18 && text.is_ascii() {
        if let Ok(Some(s)) = state
            .store
            .subject_by_uscc(&text.to_ascii_uppercase())
            .await
        {
            found.push(s);
        }
    }
    let region_prefix = (!region_prefix.is_empty()).then(|| region_prefix.to_string());
    // The exact name first (found at once, even before the search index has reached a
    // newly imported subject), then the names containing the text.
    let exact = chengxin_store::SubjectFilter {
        name_exact: Some(text.to_string()),
        region_prefix: region_prefix.clone(),
        limit,
        ..Default::default()
    };
    let partial = chengxin_store::SubjectFilter {
        name_contains: Some(text.to_string()),
        region_prefix,
        limit,
        ..Default::default()
    };
    for filter in [exact, partial] {
        let Ok(list) = state.store.list_subjects(&filter).await else {
            continue;
        };
        for s in list {
            if !found
                .iter()
                .any(|f: &chengxin_domain::subjects::Subject| f.id == s.id)
            {
                found.push(s);
            }
        }
    }
    found
}

/// A body's name from its 统一社会信用代码: the deployment's departments and delegations, else
/// the subject registered under it.
async fn body_name(state: &AppState, code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    if let Some((_, n)) = admin::body_choices(state)
        .into_iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(&code))
    {
        return Some(n);
    }
    state
        .store
        .subject_by_uscc(&code)
        .await
        .ok()
        .flatten()
        .map(|s| s.name)
}

/// A name with its code beside it (`<code>`), or the code alone when no name is known.
fn named_code(name: Option<&str>, code: &str) -> Markup {
    match name {
        Some(n) => html! { (n) " " code.small { (code) } },
        None => html! { code { (code) } },
    }
}

fn render(caller: &Caller, v: &Visitor, title: &str, current: &str, body: Markup) -> Response {
    let nav = nav_for(caller);
    html_response(
        StatusCode::OK,
        layout(title, Section::Console, &nav, current, v, body),
    )
}

/// An API error shown in the console frame, with the right status.
fn api_error_page(caller: &Caller, v: &Visitor, e: &ApiError) -> Response {
    let status = e.status();
    if status == StatusCode::FORBIDDEN {
        return forbidden(caller, v);
    }
    let nav = nav_for(caller);
    // The sentence in Chinese; the stable code only as an attribute for support.
    let msg = match e {
        ApiError(AppError::NotFound) => "未找到该事项，或您无权查看。".to_string(),
        other => other.to_string(),
    };
    let code = e.code();
    html_response(
        status,
        layout(
            "出错了",
            Section::Console,
            &nav,
            "",
            v,
            html! {
                div.notice.err role="alert" data-code=(code) title={ "错误代码：" (code) } { (msg) }
                p { a href="/console" { "返回工作台" } }
            },
        ),
    )
}

// ------------------------------------------------------------------------------------------------
// Small rendering helpers
// ------------------------------------------------------------------------------------------------

/// China time, to the minute.
fn dt(t: &DateTime<Utc>) -> String {
    match chrono::FixedOffset::east_opt(8 * 3600) {
        Some(o) => t.with_timezone(&o).format("%Y-%m-%d %H:%M").to_string(),
        None => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

/// A deadline, highlighted when late (`due-late`) or within three days (`due-soon`).
fn due(d: Option<NaiveDate>, today: NaiveDate) -> Markup {
    match d {
        None => html! { span.hint { "—" } },
        Some(d) if d < today => html! {
            span.due-late { (d) "（已逾期 " ((today - d).num_days()) " 天）" }
        },
        Some(d) if (d - today).num_days() <= 3 => html! {
            span.due-soon { (d) "（临近期限）" }
        },
        Some(d) => html! { span { (d) } },
    }
}

/// A deadline as [`due`] shows it, with a 暂定 badge when it was counted Monday–Friday over a
/// year whose holidays are not loaded yet (it moves, with a notice, when they are).
fn due_on(
    d: Option<NaiveDate>,
    today: NaiveDate,
    cal: &chengxin_domain::calendar::WorkCalendar,
) -> Markup {
    html! {
        (due(d, today))
        @if d.is_some_and(|d| cal.is_provisional(d)) {
            " " span.tag.provisional title="该年度节假日安排尚未载入，暂按周一至周五计算；载入后自动重算" { "暂定" }
        }
    }
}

/// The calendar in effect for a page's deadlines (the shipped years alone if it cannot be read:
/// a page never fails for it).
async fn page_calendar(state: &AppState) -> chengxin_domain::calendar::WorkCalendar {
    match chengxin_app::calendar::in_effect(state.store.as_ref()).await {
        Ok(c) => c,
        Err(_) => chengxin_domain::calendar::WorkCalendar::official()
            .clone()
            .with_provisional_years(),
    }
}

/// Deadline class of a date (for counts).
#[derive(Default, Clone, Copy)]
struct DueCount {
    total: usize,
    late: usize,
    soon: usize,
}

impl DueCount {
    fn add(&mut self, d: Option<NaiveDate>, today: NaiveDate) {
        self.total += 1;
        match d {
            Some(d) if d < today => self.late += 1,
            Some(d) if (d - today).num_days() <= 3 => self.soon += 1,
            _ => {}
        }
    }
}

/// A record history action in Chinese.
fn history_label(action: &str) -> &str {
    match action {
        "create" | "import" => "报送入库",
        "link" => "关联主体",
        other => chengxin_domain::records::RecordAction::parse(other)
            .map(|a| a.label())
            .unwrap_or(other),
    }
}

/// A step of an application in Chinese.
fn step_label(action: &str) -> &str {
    match action {
        "file" => "提交申请",
        "accept" => "受理",
        "refuse" => "不予受理",
        "check" => "核查",
        "answer" => "答复",
        "assign" => "转办",
        "approve" => "同意修复",
        "reject" => "不予修复",
        "share" => "共享修复结果",
        "revoke_repair" => "撤销修复",
        "withdraw" => "撤回",
        "evidence" => "补充材料",
        "decide" => "作出决定",
        other => other,
    }
}

/// An actor for display: `public` is the applicant from the portal.
fn actor_label(actor: &str) -> &str {
    match actor {
        "public" => "公众（门户）",
        other => who(other),
    }
}

/// A JSON value as display text, ID numbers masked by the one masker (free text is stored
/// masked since intake; masked again here for anything stored before).
fn val(v: &serde_json::Value) -> String {
    use chengxin_domain::codes::id_number::mask_in_text;
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => mask_in_text(s).into_owned(),
        serde_json::Value::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
        other => mask_in_text(&other.to_string()).into_owned(),
    }
}

/// Percent-encode a query or path value.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An account actor (`account:alice`) without its prefix.
fn who(actor: &str) -> &str {
    actor
        .strip_prefix("account:")
        .or_else(|| actor.strip_prefix("token:"))
        .unwrap_or(actor)
}

/// The status line element pages show action results in.
fn msg_box(id: &str) -> Markup {
    html! { div id=(id) hidden aria-live="polite" {} }
}

/// One generic handler for action buttons: `data-api` (URL), `data-method` (default POST),
/// `data-body` (JSON), `data-fields` (`key=inputId,…`: values read at click time; a
/// `data-json` input is parsed, a `data-int` one is a number, a multiple select is a list,
/// a checkbox is a boolean), `data-out` (message element id), `data-confirm`, `data-done`.
/// A 409 answers "changed by someone else, reload"; success reloads the page.
const ACTIONS_JS: &str = r#"
document.querySelectorAll("[data-api]").forEach(function (b) {
  b.addEventListener("click", async function () {
    const out = document.getElementById(b.dataset.out || "action-msg");
    let body = {};
    try { body = JSON.parse(b.dataset.body || "{}"); } catch (_) { body = {}; }
    const pairs = (b.dataset.fields || "").split(",").filter(Boolean);
    for (const pair of pairs) {
      const [key, id] = pair.split("=");
      const el = document.getElementById(id);
      if (!el) continue;
      let v;
      if (el.type === "checkbox") v = el.checked;
      else if (el.multiple) v = Array.from(el.selectedOptions).map(function (o) { return o.value; });
      else v = el.value.trim();
      if (v === "") continue;
      if (el.dataset.json !== undefined) {
        try { v = JSON.parse(v); } catch (_) { cx.message(out, "err", "“" + (el.labels && el.labels[0] ? el.labels[0].textContent : key) + "”须为 JSON 对象，例如 {\"字段\": \"值\"}"); el.focus(); return; }
      }
      if (el.dataset.int !== undefined) v = Number(v);
      body[key] = v;
    }
    // A per-field form (更正): only the fields whose value was changed; emptied → null.
    if (b.dataset.patch) {
      const [key, id] = b.dataset.patch.split("=");
      const patch = {};
      const box = document.getElementById(id);
      if (box) box.querySelectorAll("[data-field]").forEach(function (el) {
        const v = el.value.trim();
        if (v !== (el.dataset.original || "").trim()) patch[el.dataset.field] = v === "" ? null : v;
      });
      if (Object.keys(patch).length > 0) body[key] = patch;
      else if (b.dataset.patchOptional === undefined) { cx.message(out, "err", "没有改动任何字段：请先修改需要更正的字段"); return; }
    }
    if (b.dataset.confirm && !window.confirm(b.dataset.confirm)) return;
    b.disabled = true;
    const r = await cx.api(b.dataset.method || "POST", b.dataset.api, body);
    b.disabled = false;
    if (r.ok) {
      cx.message(out, "ok", (b.dataset.done || "操作成功") + "，页面即将刷新。");
      setTimeout(function () { location.reload(); }, 900);
    } else if (r.status === 409) {
      cx.message(out, "err", "冲突：" + cx.error(r.data) + "。该事项已被他人更新，请刷新页面查看最新状态后再操作。");
    } else {
      cx.message(out, "err", cx.error(r.data));
    }
    out.scrollIntoView({ block: "nearest" });
  });
});
"#;

fn actions_script() -> Markup {
    script(ACTIONS_JS)
}

// ------------------------------------------------------------------------------------------------
// Login, logout, dashboard
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct NextParam {
    pub next: Option<String>,
}

/// Only same-site paths: `/x…`, never `//host` or `/\host`.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/console".to_string(),
    }
}

const LOGIN_JS: &str = r#"
(function () {
  const form = document.getElementById("login-form");
  const msg = document.getElementById("login-msg");
  const change = document.getElementById("change-form");
  const next = document.getElementById("login-page").dataset.next || "/console";
  function go() { location.href = next; }
  function setCsrf(token) {
    let m = document.querySelector('meta[name="csrf-token"]');
    if (!m) { m = document.createElement("meta"); m.name = "csrf-token"; document.head.appendChild(m); }
    m.content = token;
  }
  if (form) form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const btn = document.getElementById("login");
    const totp = document.getElementById("totp").value.trim();
    const body = {
      username: document.getElementById("username").value.trim(),
      password: document.getElementById("password").value,
      totp: totp === "" ? null : totp,
    };
    if (!body.username || !body.password) { cx.message(msg, "err", "请输入用户名和密码"); return; }
    if (totp !== "" && !/^[0-9]{6}$/.test(totp)) { cx.message(msg, "err", "动态验证码为 6 位数字"); return; }
    btn.disabled = true;
    cx.message(msg, "info", "正在登录…");
    const r = await cx.api("POST", "/api/v1/session", body);
    btn.disabled = false;
    if (!r.ok) {
      let text = cx.error(r.data);
      if (r.status === 423) text = "账号已被临时锁定：" + text;
      cx.message(msg, "err", text);
      return;
    }
    setCsrf(r.data.csrf_token);
    if (r.data.account && r.data.account.must_change_password) {
      document.getElementById("current_password").value = body.password;
      document.getElementById("current-wrap").hidden = true;
      form.hidden = true;
      change.hidden = false;
      cx.message(msg, "info", "首次登录或密码已重置：请先设置新密码。");
      document.getElementById("new_password").focus();
      return;
    }
    cx.message(msg, "ok", "登录成功，正在进入工作台…");
    go();
  });
  if (change) change.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    const btn = document.getElementById("change-password");
    const body = {
      current: document.getElementById("current_password").value,
      new: document.getElementById("new_password").value,
    };
    if (!body.new) { cx.message(msg, "err", "请输入新密码"); return; }
    btn.disabled = true;
    const r = await cx.api("POST", "/api/v1/session/password", body);
    btn.disabled = false;
    if (!r.ok) { cx.message(msg, "err", cx.error(r.data)); return; }
    cx.message(msg, "ok", "密码已修改，正在进入工作台…");
    go();
  });
})();
"#;

/// 登录: username, password, the six-digit second factor; then, for a one-time password,
/// the change-password form.
pub async fn login(
    State(state): State<AppState>,
    caller: Caller,
    q: Result<Query<NextParam>, QueryRejection>,
) -> Response {
    let next = safe_next(q.as_ref().ok().and_then(|Query(q)| q.next.as_deref()));
    let v = visitor(&state, &caller).await;
    let signed_in = !caller.is_anonymous();
    if signed_in && !caller.must_change_password {
        if !is_staff(&caller) {
            return Redirect::to("/portal/my").into_response();
        }
        return Redirect::to(&next).into_response();
    }
    let must_change = signed_in && caller.must_change_password;
    let body = html! {
        div #login-page data-next=(next) {
            div.card.narrow {
                div #login-msg hidden aria-live="polite" {}
                form #login-form hidden[must_change] novalidate {
                    label for="username" { "用户名" }
                    input #username name="username" type="text" autocomplete="username" required autofocus;
                    label for="password" { "密码" }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    label for="totp" { "动态验证码（6 位数字）" }
                    input #totp name="totp" type="text" inputmode="numeric" pattern="[0-9]{6}"
                        maxlength="6" autocomplete="one-time-code" aria-describedby="totp-hint";
                    p.hint #totp-hint { "信用办、审计员、管理员等账号须输入身份验证器上的 6 位动态验证码。" }
                    p { button #login type="submit" { "登录" } }
                }
                form #change-form hidden[!must_change] novalidate {
                    @if must_change {
                        div.notice.info role="status" { "您的账号正在使用一次性密码：请先设置新密码，再使用工作台。" }
                    }
                    div #current-wrap {
                        label for="current_password" { "当前密码" }
                        input #current_password type="password" autocomplete="current-password";
                    }
                    label for="new_password" { "新密码" }
                    input #new_password type="password" autocomplete="new-password" aria-describedby="pw-hint";
                    p.hint #pw-hint { "至少 12 位，包含大小写字母、数字和符号中的至少三类，且不得与最近 5 次密码相同。" }
                    p { button #change-password type="submit" { "修改密码并继续" } }
                }
            }
            p.hint { "本系统仅供授权工作人员使用，所有操作均记录审计日志。" }
        }
        (script(LOGIN_JS))
    };
    html_response(
        StatusCode::OK,
        layout("工作人员登录", Section::Console, &[], "", &v, body),
    )
}

const LOGOUT_JS: &str = r#"
document.getElementById("logout").addEventListener("click", async function () {
  const msg = document.getElementById("logout-msg");
  const r = await cx.api("DELETE", "/api/v1/session");
  if (r.ok || r.status === 401) { location.href = "/"; }
  else { cx.message(msg, "err", cx.error(r.data)); }
});
"#;

/// 退出: a button that ends the session.
pub async fn logout(State(state): State<AppState>, caller: Caller) -> Response {
    let v = visitor(&state, &caller).await;
    let nav = if caller.is_anonymous() {
        Vec::new()
    } else {
        nav_for(&caller)
    };
    let body = html! {
        div.card.narrow {
            @if caller.is_anonymous() {
                p { "您当前未登录。" }
                p { a href="/" { "返回首页" } " · " a href="/console/login" { "重新登录" } }
            } @else {
                p { "确定要退出登录吗？退出后需重新输入密码和动态验证码。" }
                div #logout-msg hidden aria-live="polite" {}
                p { button #logout type="button" { "退出登录" } " " a.button.secondary href="/console" { "返回工作台" } }
            }
        }
        @if !caller.is_anonymous() { (script(LOGOUT_JS)) }
    };
    html_response(
        StatusCode::OK,
        layout("退出登录", Section::Console, &nav, "", &v, body),
    )
}

/// 工作台: greeting, the caller's sections, queue counts with deadlines.
pub async fn dashboard(State(state): State<AppState>, caller: Caller, uri: Uri) -> Response {
    let v = match gate(&state, &caller, &uri, |_| true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let today = state.today();
    let display = match caller.account_id() {
        Some(id) => state
            .store
            .account(id)
            .await
            .ok()
            .flatten()
            .map(|a| a.display_name)
            .unwrap_or_else(|| v.display.clone()),
        None => v.display.clone(),
    };
    let roles: Vec<&str> = caller.roles.iter().map(|r| r.label_zh()).collect();
    // Queue counts: (href, label, counts)
    let mut queues: Vec<(&str, &str, DueCount)> = Vec::new();
    if allowed(&caller, SECTIONS[1].3) {
        let mut c = DueCount::default();
        if let Ok(rows) = chengxin_app::rights::queue(
            &state,
            &caller,
            chengxin_app::rights::QueueParams {
                kind: None,
                state: None,
                open: Some(true),
            },
        )
        .await
        {
            for r in &rows {
                c.add(r.due, today);
            }
        }
        queues.push(("/console/applications", "异议与修复待办", c));
    }
    if caller.has(P::CasesHandle) || caller.has(P::CasesManage) {
        let mut c = DueCount::default();
        // The cases the list shows: those in the caller's reach (its region, below and above;
        // a department's own), not every case of the platform.
        if let Ok(rows) = chengxin_app::cases::list(&state, &caller, None, true).await {
            for r in &rows {
                c.add(r.next_due, today);
            }
        }
        queues.push(("/console/cases", "联合奖惩案件（进行中）", c));
    }
    if caller.has(P::RecordsTransition) {
        let mut c = DueCount::default();
        if let Ok(rows) = chengxin_app::records::link_queue(&state, &caller).await {
            c.total = rows.len();
        }
        queues.push(("/console/link-queue", "待人工关联的记录", c));
    }
    if caller.has(P::ListsManage) {
        let mut c = DueCount::default();
        // The entries the list links to shows: those of the caller's jurisdiction.
        let rows = lists::entries_in_reach(
            &state,
            &caller,
            &chengxin_store::ListEntryFilter {
                status: Some("publicity".into()),
                ..Default::default()
            },
        )
        .await;
        {
            for r in &rows {
                let until = r
                    .entry
                    .get("publicity_until")
                    .and_then(|d| d.as_str())
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                c.add(until, today);
            }
        }
        queues.push(("/console/lists?status=publicity", "名单公示中", c));
    }
    if caller.has(P::GrantsApprove) || caller.has(P::AuditRead) {
        let mut c = DueCount::default();
        if let Ok(rows) = chengxin_app::accounts::grants_by(&state, &caller).await {
            c.total = rows.iter().filter(|g| g.status == "pending").count();
        }
        queues.push(("/console/grants", "特权角色授予待审批", c));
    }
    if is_staff(&caller) {
        let mut c = DueCount::default();
        if let Ok(n) = chengxin_app::notify::unread(&state, &caller).await {
            c.total = usize::try_from(n).unwrap_or(0);
        }
        queues.push(("/console/inbox", "未读消息", c));
    }
    let sections: Vec<_> = SECTIONS
        .iter()
        .filter(|(_, _, _, need)| allowed(&caller, *need))
        .collect();
    // The working-day calendar running out concerns every deadline: shown to all staff.
    let calendar_warning = if is_staff(&caller) {
        chengxin_app::health::calendar_coverage(&state)
            .await
            .ok()
            .and_then(|c| c.warning)
    } else {
        None
    };
    // Names, not codes: the region and the body by name (the body's code beside it).
    let region_name = match caller.scope.region.as_str() {
        "000000" => "全国".to_string(),
        code => super::portal::region_name(Some(code)),
    };
    let body_name = match caller.body.as_deref() {
        Some(b) => body_name(&state, b).await,
        None => None,
    };
    let body = html! {
        @if let Some(w) = &calendar_warning {
            div.notice.warn #calendar-warning role="alert" {
                (w.message) " " a href="/console/calendar" { "查看节假日日历" }
            }
        }
        p.greeting {
            (display) "，您好！" span.hint { "角色：" (roles.join("、")) " · 辖区：" (region_name)
            @if let Some(b) = &caller.body { " · 所属单位：" (named_code(body_name.as_deref(), b)) }
            " · 今天：" (today) }
        }
        @if !queues.is_empty() {
            h2 { "待办" }
            div.grid.dash {
                @for (href, label, c) in &queues {
                    a.card.figure.queue href=(href) {
                        div.n { (c.total) }
                        div.l { (label) }
                        @if c.late > 0 { div.due-late { "已逾期 " (c.late) } }
                        @if c.soon > 0 { div.due-soon { "临近期限 " (c.soon) } }
                    }
                }
            }
        }
        h2 { "功能" }
        @if sections.is_empty() {
            p.hint { "当前账号没有可用的工作台功能。" }
        }
        div.grid {
            @for (href, label, desc, _) in &sections {
                a.card.section-card href=(href) {
                    strong { (label) }
                    div.hint { (desc) }
                }
            }
        }
    };
    render(&caller, &v, "工作台", "/console", body)
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_is_same_site() {
        assert_eq!(super::safe_next(Some("/console/cases")), "/console/cases");
        assert_eq!(super::safe_next(Some("//evil.example")), "/console");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/console");
        assert_eq!(super::safe_next(Some("/\\evil")), "/console");
        assert_eq!(super::safe_next(None), "/console");
    }
}
