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

/// Audit actions in Chinese: `(code, name, security event)`. The one table pages, filters and
/// exports name actions from; a security event (failed logins, lockouts, refusals, grants by
/// break-glass, enumeration refusals, failed verifications …) is highlighted for the auditor.
pub const ACTIONS: &[(&str, &str, bool)] = &[
    ("login", "登录", false),
    ("logout", "退出登录", false),
    ("password_change", "修改密码", false),
    ("account_created", "创建账户", false),
    ("account_locked", "账户锁定", true),
    ("unlock", "解除锁定", true),
    ("disable", "停用账户", true),
    ("enable", "启用账户", false),
    ("reset_password", "重置密码", true),
    ("reset_totp", "重置动态验证码", true),
    ("roles_changed", "变更角色", true),
    ("role_grant_requested", "申请授予特权角色", false),
    ("role_grant_approved", "批准授予特权角色", false),
    ("role_grant_refused", "拒绝授予特权角色", false),
    ("role_grant_break_glass", "命令行直接授予特权角色", true),
    ("token_issued", "签发接口令牌", false),
    ("token_revoked", "吊销接口令牌", false),
    ("token_used", "使用接口令牌", false),
    ("check", "信用核查", false),
    ("check_outcome", "核查结果反馈", false),
    ("id_enumeration_refused", "拒绝证件号枚举", true),
    ("identity_open", "查看主体证件信息", false),
    ("record_read", "查阅信用记录", false),
    ("record_texts_open", "查看记录原文", false),
    ("application_texts_open", "查看申请原文", false),
    ("batch_errors_open", "查看批次错误报告", false),
    ("list_entry_read", "查阅名单条目", false),
    ("credit_report_issue", "出具信用报告", false),
    ("credit_report_view", "查看信用报告", false),
    ("credit_report_download", "下载信用报告", false),
    ("case_deadline_recounted", "重算案件期限", false),
    ("cases_not_opened", "案件未能发起", true),
    ("measures_lifted", "解除惩戒措施", false),
    ("measures_mitigated", "减轻惩戒措施", false),
    ("mask_free_text", "自由文本证件号遮蔽", false),
    ("audit_read", "查阅审计日志", false),
    ("audit_export", "导出审计日志", false),
    ("log_verify", "校验防篡改日志", false),
];

/// The Chinese name of an audit action (the code itself when it is not in [`ACTIONS`]; data
/// changes by the record action's name).
pub fn action_label(code: &str) -> &str {
    if let Some((_, l, _)) = ACTIONS.iter().find(|(c, _, _)| *c == code) {
        return l;
    }
    if let Some(a) = chengxin_domain::records::RecordAction::parse(code) {
        return a.label();
    }
    // The generic actions of change-log entries (events of kind `data`).
    match code {
        "create" => "新建",
        "update" => "修改",
        "delete" => "删除",
        "void" => "作废",
        "publish" => "发布",
        "withdraw" => "撤回",
        "write_many" => "批量写入",
        other => other,
    }
}

/// What a change-log entity type is, in Chinese (the audit page's 对象 column).
pub fn entity_label(entity_type: &str) -> &str {
    const LABELS: &[(&str, &str)] = &[
        ("account", "账户"),
        ("api_token", "接口令牌"),
        ("application", "异议、修复与投诉申请"),
        ("arrear", "拖欠账款"),
        ("arrear_step", "拖欠账款办理步骤"),
        ("audit_event", "审计事件"),
        ("batch", "报送批次"),
        ("batch_correction", "批次更正"),
        ("batch_reject", "批次退回行"),
        ("calendar_year", "节假日日历"),
        ("case", "联合奖惩案件"),
        ("catalog_type", "目录类型"),
        ("commitment", "信用承诺"),
        ("commitment_file", "承诺附件"),
        ("commitment_milestone", "承诺履约节点"),
        ("commitment_step", "承诺办理步骤"),
        ("credit_report", "信用报告"),
        ("debt_position", "地方政府债务"),
        ("debt_position_version", "地方政府债务版本"),
        ("debtor_case", "失信被执行人案件"),
        ("debtor_case_note", "失信被执行人案件进展"),
        ("employment", "任职记录"),
        ("evaluation_import", "评价导入数据"),
        ("evaluation_item", "评价明细"),
        ("evaluation_run", "评价计算"),
        ("evaluation_run_scores", "评价得分（整期）"),
        ("evaluation_score", "评价得分"),
        ("evaluation_system", "评价指标体系"),
        ("evaluation_warning", "评价预警"),
        ("evidence_file", "证明材料"),
        ("feed_link", "下级归集链路"),
        ("feed_record", "归集记录"),
        ("group", "批量写入组"),
        ("link_request", "关联申请"),
        ("list_entry", "名单条目"),
        ("meta", "系统设置"),
        ("notification", "消息"),
        ("portal_page", "门户内容"),
        ("ppp_breach", "PPP 项目违约"),
        ("ppp_project", "PPP 项目"),
        ("ppp_responsible", "PPP 项目责任人"),
        ("ppp_stage", "PPP 项目阶段"),
        ("procurement_contract", "政府采购合同"),
        ("procurement_milestone", "采购合同履约节点"),
        ("record", "信用记录"),
        ("record_history", "记录历史"),
        ("record_text", "记录原文"),
        ("role_grant", "特权角色授予"),
        ("subject", "信用主体"),
        ("subject_identity", "主体身份信息"),
        ("training", "培训记录"),
        ("webhook", "消息推送地址"),
        ("webhook_delivery", "消息推送"),
        ("work_hotline_ticket", "12345 热线工单"),
        ("work_item", "督办事项"),
        ("work_item_content", "督办事项附件内容"),
        ("work_item_event", "督办事项步骤"),
        ("work_item_file", "督办事项附件"),
        ("work_item_party", "督办事项当事人"),
        ("work_public_filing", "门户投诉登记"),
        ("work_task_report", "重点任务季度报送"),
    ];
    LABELS
        .iter()
        .find(|(c, _)| *c == entity_type)
        .map(|(_, l)| *l)
        .unwrap_or(entity_type)
}

/// An event's target (`entity:id`, or an account name) split for display: the kind in
/// Chinese (empty when the target has no kind) and the identifier.
pub fn target_parts(target: &str) -> (&str, &str) {
    match target.split_once(':') {
        Some((kind, id))
            if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            (entity_label(kind), id)
        }
        _ => ("", target),
    }
}

/// An event's detail as labelled lines for people: known keys in Chinese, digests shortened
/// (the export keeps the full JSON).
pub fn detail_lines(detail: &serde_json::Value) -> Vec<(String, String)> {
    const KEYS: &[(&str, &str)] = &[
        ("reason", "原因"),
        ("returned", "返回条数"),
        ("code", "代码"),
        ("subject", "主体"),
        ("purpose", "查询目的"),
        ("name", "名称"),
        ("department", "部门"),
        ("step", "步骤"),
        ("scope", "范围"),
        ("rows", "行数"),
        ("report_no", "报告编号"),
        ("reminder", "提醒"),
        ("records", "记录数"),
        ("path", "路径"),
        ("outcome", "结果"),
        ("other_sessions_ended", "已结束其他会话"),
        ("note", "备注"),
        ("message", "说明"),
        ("measures", "措施"),
        ("grant", "授予"),
        ("filter", "筛选条件"),
        ("due", "期限"),
        ("created", "新建"),
        ("batch", "批次"),
        ("applications", "申请数"),
        ("seq", "日志序号"),
        ("hash", "摘要"),
        ("members", "成员数"),
        ("entries", "日志条数"),
        ("rows_checked", "核对行数"),
        ("problem_count", "问题数"),
        ("break_glass", "紧急授权"),
        ("region", "辖区"),
        ("roles", "角色"),
        ("role", "角色"),
        ("body", "所属单位"),
        ("username", "用户名"),
        ("display_name", "姓名"),
        ("id", "编号"),
        ("title", "标题"),
        ("valid", "有效"),
        ("status", "状态"),
        ("kind", "类别"),
        ("must_change_password", "须修改密码"),
        ("totp", "动态口令"),
        ("expires_at", "到期时间"),
        ("permissions", "权限"),
        ("roles_requested", "申请角色"),
        ("roles_before", "原角色"),
        ("breach", "违约"),
        ("day", "日期"),
        ("decision", "决定"),
        ("due_before", "原期限"),
        ("example", "示例"),
        ("head_hash", "日志头摘要"),
        ("id_numbers_in_request", "请求中的身份证号数"),
        ("intercepted", "已拦截"),
        ("last_signed_seq", "最近签名序号"),
        ("list", "名单"),
        ("matched_subjects", "匹配主体数"),
        ("max_similar", "最多相似"),
        ("notice", "告知"),
        ("notified", "已通知"),
        ("parties", "当事人数"),
        ("parties_in_request", "请求中的当事人数"),
        ("pattern", "模式"),
        ("persons_created", "新建自然人数"),
        ("post", "职务"),
        ("privileged", "特权角色"),
        ("problems", "问题"),
        ("project", "项目"),
        ("rejected", "退回"),
        ("requested_by", "申请人"),
        ("scenario", "场景"),
        ("sections", "栏目"),
        ("similar", "相似"),
        ("unchanged", "未变"),
        ("until", "截止"),
        ("until_before", "原截止"),
        ("updated", "更新"),
        ("warned", "已预警"),
        ("window_seconds", "时间窗（秒）"),
    ];
    // Values people read as names: a region's name, roles' and permissions' names.
    let joint = chengxin_domain::lists::JointCatalog::default_checked().ok();
    let named = |k: &str, v: &serde_json::Value| -> Option<String> {
        let name_of = |code: &str| -> String {
            match k {
                "region" => chengxin_domain::regions::RegionTable::national()
                    .get(code)
                    .map(|r| r.name.clone())
                    .unwrap_or_else(|| code.to_string()),
                "roles" | "role" | "roles_requested" | "roles_before" | "privileged" => {
                    chengxin_access::Role::parse(code)
                        .map(|r| r.label_zh().to_string())
                        .unwrap_or_else(|| code.to_string())
                }
                "permissions" => chengxin_access::Permission::parse(code)
                    .map(|p| p.label_zh().to_string())
                    .unwrap_or_else(|| code.to_string()),
                "department" => joint
                    .and_then(|j| j.department(code))
                    .map(|d| d.name.clone())
                    .unwrap_or_else(|| code.to_string()),
                "measures" => joint
                    .and_then(|j| j.measure(code))
                    .map(|m| m.name.clone())
                    .unwrap_or_else(|| code.to_string()),
                "list" => joint
                    .and_then(|j| j.list(code))
                    .map(|l| l.name.clone())
                    .unwrap_or_else(|| code.to_string()),
                _ => code.to_string(),
            }
        };
        if k == "status" {
            let label = match v.as_str()? {
                "break_glass" => "紧急授权（事后审核）",
                "pending" => "待审批",
                "approved" => "已批准",
                "refused" => "已拒绝",
                "rejected" => "已驳回",
                "revoked" => "已撤销",
                "expired" => "已过期",
                _ => return None,
            };
            return Some(label.to_string());
        }
        if !matches!(
            k,
            "region"
                | "roles"
                | "role"
                | "permissions"
                | "roles_requested"
                | "roles_before"
                | "privileged"
                | "department"
                | "measures"
                | "list"
        ) {
            return None;
        }
        match v {
            serde_json::Value::String(s) => Some(name_of(s)),
            serde_json::Value::Array(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_str())
                    .map(name_of)
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            _ => None,
        }
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => (if *b { "是" } else { "否" }).to_string(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    match detail {
        serde_json::Value::Null => {}
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if v.is_null() {
                    continue;
                }
                let label = KEYS
                    .iter()
                    .find(|(c, _)| c == k)
                    .map_or_else(|| k.clone(), |(_, l)| (*l).to_string());
                let mut value = named(k, v).unwrap_or_else(|| text(v));
                let digest = value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit());
                if digest {
                    value = format!("{}…", &value[..12]);
                }
                out.push((label, value));
            }
        }
        other => out.push((String::new(), text(other))),
    }
    out
}

/// The outcome of an event in Chinese.
pub fn outcome_label(outcome: &str) -> &str {
    match outcome {
        "ok" => "成功",
        "denied" => "拒绝",
        "failed" => "失败",
        other => other,
    }
}

/// Whether an event is a security event: a refusal or failure of any action, or an action
/// the auditor must see (lockouts, password resets, break-glass grants …).
pub fn is_security(e: &AuditEvent) -> bool {
    e.outcome != "ok"
        || ACTIONS
            .iter()
            .any(|(c, _, security)| *security && *c == e.action)
}

/// The page size of the console's audit trail.
pub const PAGE_SIZE: i64 = 50;

/// One page of the audit trail.
#[derive(Debug)]
pub struct AuditPage {
    pub events: Vec<AuditEvent>,
    /// What people read for an event's target (`account:<id>` → `cx-zhang（张三）`, a record
    /// by its document number, a body by its name), where the target is known; see
    /// [`target_name`].
    pub names: std::collections::HashMap<String, String>,
    /// Events skipped before this page.
    pub offset: i64,
    /// Whether there are more after this page.
    pub more: bool,
}

/// A page of audit events (and data changes), newest first, from `offset` on; with
/// `security_only`, only security events ([`is_security`]). The read is audited.
pub async fn page(
    app: &App,
    caller: &Caller,
    mut q: AuditQuery,
    offset: i64,
    security_only: bool,
) -> AppResult<AuditPage> {
    let offset = offset.clamp(0, 100_000 - PAGE_SIZE - 1);
    q.limit = Some(if security_only {
        100_000
    } else {
        offset + PAGE_SIZE + 1
    });
    let mut events = read(app, caller, q, "audit_read").await?;
    if security_only {
        events.retain(is_security);
    }
    let skip = usize::try_from(offset).unwrap_or(0);
    let size = usize::try_from(PAGE_SIZE).unwrap_or(50);
    let more = events.len() > skip + size;
    let events: Vec<AuditEvent> = events.into_iter().skip(skip).take(size).collect();
    let mut names = std::collections::HashMap::new();
    for e in &events {
        if let Some(t) = &e.target {
            if !names.contains_key(t) {
                if let Some(n) = target_name(app, t).await {
                    names.insert(t.clone(), n);
                }
            }
        }
    }
    Ok(AuditPage {
        events,
        offset,
        more,
        names,
    })
}

/// The name people know an event's target by: an account's username (and its holder's name),
/// a record's document number, a body's name (a natural person's name is masked: the audit log
/// is not where a person is looked up). `None` for other targets and for those no longer there
/// (the page then shows the id itself, shortened).
pub async fn target_name(app: &App, target: &str) -> Option<String> {
    if let Some((case, dept)) = target.split_once('/') {
        // A closed-loop case's target, `<case id>/<department>`: the case, short, and the
        // department by name.
        case.parse::<uuid::Uuid>().ok()?;
        let name = chengxin_domain::lists::JointCatalog::default_checked()
            .ok()?
            .department(dept)?
            .name
            .clone();
        return Some(format!("联合奖惩案件 {}（{name}）", short_id(case)));
    }
    let (kind, id) = target.split_once(':')?;
    let id: uuid::Uuid = id.parse().ok()?;
    match kind {
        "account" => app
            .store
            .account(id)
            .await
            .ok()
            .flatten()
            .map(|a| format!("{}（{}）", a.username, a.display_name)),
        "record" => app.store.record(id).await.ok().flatten().map(|r| r.doc_no),
        "subject" => app.store.subject(id).await.ok().flatten().map(|s| {
            if s.kind.is_person() {
                let first: String = s.name.chars().take(1).collect();
                format!("{first}**（自然人）")
            } else {
                s.name
            }
        }),
        _ => None,
    }
}

/// An id as a person reads it in a table: each UUID in it (`<uuid>`, `<uuid>/finance`,
/// `batch:<uuid>:2#0`) cut to its first eight characters (the full id stays in the export and
/// the tooltip); anything else as it is.
pub fn short_id(id: &str) -> String {
    const LEN: usize = 36;
    let mut out = String::with_capacity(id.len());
    let mut rest = id;
    while !rest.is_empty() {
        match rest.get(..LEN).filter(|w| w.parse::<uuid::Uuid>().is_ok()) {
            Some(w) => {
                out.push_str(&w[..8]);
                rest = &rest[LEN..];
            }
            None => {
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    out.push(c);
                }
                rest = chars.as_str();
            }
        }
    }
    out
}

/// Run `verify` on the change log against the trusted keys, for an auditor (`LogVerify`).
/// The run is audited (`log_verify`, `ok` or `failed`, with the counts and problems found).
pub async fn verify(app: &App, caller: &Caller) -> AppResult<chengxin_store::VerifyReport> {
    caller.require(chengxin_access::Permission::LogVerify)?;
    if app.log_keys.is_empty() {
        return Err(AppError::conflict(
            "log_key_missing",
            "服务器未配置变更日志签名公钥，无法校验",
        ));
    }
    let report = app.store.verify(&app.log_keys).await?;
    let mut e = caller.audit(
        "audit",
        "log_verify",
        if report.ok { "ok" } else { "failed" },
    );
    e.detail = serde_json::json!({
        "entries": report.entries,
        "rows_checked": report.rows_checked,
        "last_signed_seq": report.last_signed_seq,
        "head_hash": report.head_hash,
        "problems": report.problems.iter().take(20).map(|p| p.to_string()).collect::<Vec<_>>(),
        "problem_count": report.problems.len(),
    });
    app.store.audit(&[e]).await?;
    Ok(report)
}

/// The latest `verify` run (its audit event), if any.
pub async fn last_verify(app: &App) -> AppResult<Option<AuditEvent>> {
    Ok(app
        .store
        .audit_events(&AuditFilter {
            action: Some("log_verify".into()),
            kind: Some("audit".into()),
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .into_iter()
        .next())
}

#[cfg(test)]
mod labels {
    use super::*;

    #[test]
    fn targets_and_details_read_in_chinese() {
        assert_eq!(
            target_parts("portal_page:01a24e8f-e1f8-76a3-8304-71196ff9edbe"),
            ("门户内容", "01a24e8f-e1f8-76a3-8304-71196ff9edbe")
        );
        assert_eq!(target_parts("cx-browser"), ("", "cx-browser"));
        assert_eq!(target_parts("unknown_kind:7"), ("unknown_kind", "7"));
        let lines = detail_lines(&serde_json::json!({
            "hash": "ab".repeat(32), "reason": "密码错误", "seq": 7, "members": null,
            "other_sessions_ended": true,
        }));
        assert_eq!(
            lines,
            vec![
                ("摘要".to_string(), "abababababab…".to_string()),
                ("已结束其他会话".to_string(), "是".to_string()),
                ("原因".to_string(), "密码错误".to_string()),
                ("日志序号".to_string(), "7".to_string()),
            ]
        );
        assert!(detail_lines(&serde_json::Value::Null).is_empty());
        assert_eq!(action_label("update"), "修改");
        assert_eq!(action_label("write_many"), "批量写入");
        assert_eq!(action_label("login"), "登录");
    }

    #[test]
    fn ids_are_shortened_wherever_they_stand() {
        let u = "01a24f6b-120e-7200-9849-24702fe3dedf";
        assert_eq!(short_id(u), "01a24f6b");
        assert_eq!(short_id(&format!("batch:{u}:2#0")), "batch:01a24f6b:2#0");
        assert_eq!(short_id(&format!("{u}/finance")), "01a24f6b/finance");
        assert_eq!(short_id("常州市 abc"), "常州市 abc");
    }

    /// Every table `verify` covers has its entity type named in Chinese (the audit trail shows
    /// data changes by entity type); a new concern must add its label.
    #[test]
    fn every_covered_entity_type_has_a_label() {
        let log = include_str!("../../store/src/shared/log.rs");
        let missing: Vec<&str> = log
            .split("entity_type: \"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|t| entity_label(t) == *t)
            .collect();
        assert!(
            missing.is_empty(),
            "entity types without a label: {missing:?}"
        );
    }
}
