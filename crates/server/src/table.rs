//! The route table: every route (API and pages) with the access it needs. The router is built from this
//! table only, so a route cannot exist without a rule; the authorisation-matrix test walks
//! the same table for every role.

use axum::http::Method;
use axum::routing::{delete, get, post, MethodRouter};
use chengxin_access::Permission as P;

use crate::auth::Access::{self, AnyOf, Open, Perm, Signed};
use crate::flood::FloodClass;
use crate::route_spec::RouteSpec;
use crate::routes::batch_work;
use crate::routes::debt;
use crate::routes::feed;
use crate::routes::work_public;
use crate::routes::{
    admin, audit, batches, calendar, cases, checks, credit_reports, health, lists, portal_pages,
    records, reference, rights, session, staff, subjects,
};
use crate::routes::{arrears, commitments, evaluation, notifications, ppp, tree_log, work};
use crate::AppState;

fn r(
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
) -> (RouteSpec, MethodRouter<AppState>) {
    (
        RouteSpec {
            method,
            path,
            access,
            upload: false,
            cleans_text: false,
            flood: None,
        },
        handler,
    )
}

/// A row whose handler cleans its own free text ([`RouteSpec::cleans_text`]).
fn cleaning(
    (spec, handler): (RouteSpec, MethodRouter<AppState>),
) -> (RouteSpec, MethodRouter<AppState>) {
    (
        RouteSpec {
            cleans_text: true,
            ..spec
        },
        handler,
    )
}

/// A row whose anonymous requests are counted per client and in total ([`RouteSpec::flood`]).
fn limited(
    class: FloodClass,
    (spec, handler): (RouteSpec, MethodRouter<AppState>),
) -> (RouteSpec, MethodRouter<AppState>) {
    (
        RouteSpec {
            flood: Some(class),
            ..spec
        },
        handler,
    )
}

/// Every route. `Open` routes still check inside where the data is not public (a
/// non-public record needs `records_read_nonpublic` within the caller's jurisdiction).
pub fn table() -> Vec<(RouteSpec, MethodRouter<AppState>)> {
    let g = Method::GET;
    let p = Method::POST;
    let mut t = vec![
        r(g.clone(), "/healthz", Open, get(health::healthz)),
        r(g.clone(), "/readyz", Open, get(health::readyz)),
        r(g.clone(), "/metrics", Open, get(health::metrics)),
        r(
            g.clone(),
            "/api/v1/openapi.json",
            Open,
            get(crate::openapi_json),
        ),
        r(g.clone(), "/api/v1/log/head", Open, get(health::log_head)),
        // The Merkle tree's signed head and proofs: hashes only, public (docs/SECURITY.md).
        r(
            g.clone(),
            "/api/v1/log/checkpoint",
            Open,
            get(tree_log::checkpoint),
        ),
        r(
            g.clone(),
            "/api/v1/log/proof/inclusion",
            Open,
            get(tree_log::inclusion),
        ),
        r(
            g.clone(),
            "/api/v1/log/proof/consistency",
            Open,
            get(tree_log::consistency),
        ),
        r(g.clone(), "/api/v1/catalog", Open, get(reference::catalog)),
        r(
            g.clone(),
            "/api/v1/catalog/{code}",
            Open,
            get(reference::catalog_type),
        ),
        r(
            p.clone(),
            "/api/v1/codes/validate",
            Open,
            post(reference::validate_codes),
        ),
        r(
            g.clone(),
            "/api/v1/workdays/add",
            Open,
            get(reference::workdays_add),
        ),
        r(
            g.clone(),
            "/api/v1/workdays/between",
            Open,
            get(reference::workdays_between),
        ),
        r(g.clone(), "/api/v1/calendar", Open, get(calendar::overview)),
        r(
            p.clone(),
            "/api/v1/calendar/years",
            Perm(P::SettingsManage),
            post(calendar::load),
        ),
        limited(
            FloodClass::Login,
            r(p.clone(), "/api/v1/session", Open, post(session::login)),
        ),
        r(g.clone(), "/api/v1/session", Signed, get(session::whoami)),
        r(
            Method::DELETE,
            "/api/v1/session",
            Signed,
            delete(session::logout),
        ),
        r(
            p.clone(),
            "/api/v1/session/password",
            Signed,
            post(session::change_password),
        ),
        r(
            g.clone(),
            "/api/v1/records/{id}",
            Open,
            get(records::get_record),
        ),
        r(
            p.clone(),
            "/api/v1/records/{id}/free-text",
            Perm(P::PersonalDataDecrypt),
            post(records::free_text),
        ),
        r(
            p.clone(),
            "/api/v1/records/{id}/transitions",
            Perm(P::RecordsTransition),
            post(records::transition),
        ),
        r(
            g.clone(),
            "/api/v1/reports/timeliness",
            Perm(P::ReportsRead),
            get(records::timeliness),
        ),
        r(
            g.clone(),
            "/api/v1/link-queue",
            Perm(P::RecordsTransition),
            get(records::link_queue),
        ),
        r(
            p.clone(),
            "/api/v1/link-queue/{record_id}",
            Perm(P::RecordsTransition),
            post(records::link),
        ),
        r(
            g.clone(),
            "/api/v1/batches/{id}",
            Signed,
            get(batches::get_batch),
        ),
        r(
            g.clone(),
            "/api/v1/batches/{id}/errors",
            Signed,
            get(batches::errors),
        ),
        r(
            p.clone(),
            "/api/v1/subjects/{id}/identity",
            Perm(P::PersonalDataDecrypt),
            post(subjects::identity),
        ),
        r(
            g.clone(),
            "/api/v1/accounts",
            Perm(P::AccountsManage),
            get(admin::list_accounts),
        ),
        r(
            p.clone(),
            "/api/v1/accounts",
            Perm(P::AccountsManage),
            post(admin::create_account),
        ),
        r(
            p.clone(),
            "/api/v1/accounts/{id}/actions",
            Perm(P::AccountsManage),
            post(admin::account_action),
        ),
        r(
            p.clone(),
            "/api/v1/accounts/{id}/roles",
            Perm(P::AccountsManage),
            post(admin::change_roles),
        ),
        r(
            g.clone(),
            "/api/v1/role-grants",
            AnyOf(&[P::AccountsManage, P::GrantsApprove, P::AuditRead]),
            get(admin::list_grants),
        ),
        r(
            p.clone(),
            "/api/v1/role-grants/{id}/decision",
            Perm(P::GrantsApprove),
            post(admin::decide_grant),
        ),
        r(
            g.clone(),
            "/api/v1/tokens",
            Perm(P::TokensManage),
            get(admin::list_tokens),
        ),
        r(
            p.clone(),
            "/api/v1/tokens",
            Perm(P::TokensManage),
            post(admin::issue_token),
        ),
        r(
            p.clone(),
            "/api/v1/tokens/{id}/revoke",
            Perm(P::TokensManage),
            post(admin::revoke_token),
        ),
        r(
            g.clone(),
            "/api/v1/cases",
            AnyOf(cases::READERS),
            get(cases::list),
        ),
        r(
            p.clone(),
            "/api/v1/cases/{id}/advance",
            AnyOf(cases::READERS),
            post(cases::advance),
        ),
        r(
            g.clone(),
            "/api/v1/cases/feedback",
            Perm(P::CasesManage),
            get(cases::feedback),
        ),
        cleaning(r(
            p.clone(),
            "/api/v1/checks",
            Perm(P::ChecksRun),
            post(checks::check),
        )),
        r(
            p.clone(),
            "/api/v1/checks/{id}/outcome",
            Perm(P::ChecksRun),
            post(checks::outcome),
        ),
        r(
            p.clone(),
            "/api/v1/lists/{code}/entries",
            Perm(P::ListsManage),
            post(lists::propose),
        ),
        r(
            p.clone(),
            "/api/v1/list-entries/{id}/actions",
            Perm(P::ListsManage),
            post(lists::act),
        ),
        r(
            p.clone(),
            "/api/v1/portal/pages",
            Perm(P::PortalManage),
            post(portal_pages::draft),
        ),
        r(
            p.clone(),
            "/api/v1/portal/pages/{id}/actions",
            Perm(P::PortalManage),
            post(portal_pages::act),
        ),
        r(
            g.clone(),
            "/api/v1/list-entries/{id}",
            Perm(P::RecordsReadShared),
            get(lists::get_entry),
        ),
        r(
            g.clone(),
            "/api/v1/audit",
            Perm(P::AuditRead),
            get(audit::list),
        ),
        r(
            g.clone(),
            "/api/v1/audit/export",
            Perm(P::AuditRead),
            get(audit::export),
        ),
        r(
            p.clone(),
            "/api/v1/audit/verify",
            Perm(P::LogVerify),
            post(audit::verify),
        ),
    ];
    // Pages (portal and console): server-rendered, GET only, `Open` at the router.
    t.extend(crate::pages::routes());
    // Credit rights (issue 7).
    t.extend([
        limited(
            FloodClass::Filing,
            r(
                p.clone(),
                "/api/v1/objections",
                Perm(P::ObjectionsFile),
                post(rights::file_objection),
            ),
        ),
        limited(
            FloodClass::Filing,
            r(
                p.clone(),
                "/api/v1/complaints",
                Perm(P::ComplaintsFile),
                post(rights::file_complaint),
            ),
        ),
        limited(
            FloodClass::Filing,
            r(
                p.clone(),
                "/api/v1/repairs",
                Perm(P::RepairApply),
                post(rights::file_repair),
            ),
        ),
        limited(
            FloodClass::Tracking,
            r(
                g.clone(),
                "/api/v1/track/{tracking_no}",
                Open,
                get(rights::track),
            ),
        ),
        limited(
            FloodClass::Evidence,
            r(
                p.clone(),
                "/api/v1/track/{tracking_no}/evidence",
                Open,
                // Evidence files up to the rules' limit (10 MiB by default) fit under the API's
                // 16 MiB body cap; axum's default extractor limit (2 MiB) would refuse them.
                post(rights::add_evidence)
                    .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
            ),
        ),
        limited(
            FloodClass::Tracking,
            r(
                p.clone(),
                "/api/v1/track/{tracking_no}/withdraw",
                Open,
                post(rights::withdraw),
            ),
        ),
        r(
            g.clone(),
            "/api/v1/applications",
            Signed,
            get(rights::queue),
        ),
        r(
            g.clone(),
            "/api/v1/applications/{id}",
            Signed,
            get(rights::get_application),
        ),
        r(
            p.clone(),
            "/api/v1/applications/{id}/free-text",
            Perm(P::PersonalDataDecrypt),
            post(rights::free_text),
        ),
        r(
            p.clone(),
            "/api/v1/applications/{id}/actions",
            Signed,
            post(rights::act),
        ),
        r(
            g.clone(),
            "/api/v1/applications/{id}/evidence/{file_id}",
            Signed,
            get(rights::evidence),
        ),
        r(
            p.clone(),
            "/api/v1/records/{id}/tolerance",
            Perm(P::RecordsTransition),
            post(rights::tolerance),
        ),
        r(
            p.clone(),
            "/api/v1/list-entries/{id}/mitigation",
            Perm(P::ListsManage),
            post(rights::mitigation),
        ),
        r(
            g.clone(),
            "/api/v1/portal/subjects/{id}",
            Open,
            get(rights::public_archive),
        ),
        r(
            g.clone(),
            "/api/v1/archive",
            Perm(P::ArchiveReadOwn),
            get(rights::own_archive),
        ),
    ]);
    // Credit reports (信用报告): issued by staff for subjects in their jurisdiction or by a
    // subject for itself (the handler checks which); verified by anyone (报告验真).
    t.extend([
        r(
            p.clone(),
            "/api/v1/credit-reports",
            AnyOf(credit_reports::ISSUERS),
            post(credit_reports::issue),
        ),
        r(
            g.clone(),
            "/api/v1/credit-reports/{report_no}/pdf",
            AnyOf(credit_reports::ISSUERS),
            get(credit_reports::pdf),
        ),
        limited(
            FloodClass::Verify,
            r(
                p.clone(),
                "/api/v1/credit-reports/verify",
                Open,
                post(credit_reports::verify),
            ),
        ),
    ]);
    // Work items (督办事项, issue 19).
    t.extend([
        r(
            g.clone(),
            "/api/v1/work-items",
            AnyOf(work::HANDLERS),
            get(work::queue),
        ),
        r(
            p.clone(),
            "/api/v1/work-items",
            AnyOf(work::HANDLERS),
            post(work::open),
        ),
        r(
            g.clone(),
            "/api/v1/work-items.xlsx",
            AnyOf(work::HANDLERS),
            get(work::export),
        ),
        r(
            g.clone(),
            "/api/v1/work-items/{id}",
            AnyOf(work::HANDLERS),
            get(work::get),
        ),
        r(
            p.clone(),
            "/api/v1/work-items/{id}/steps",
            AnyOf(work::HANDLERS),
            post(work::step),
        ),
        r(g.clone(), "/api/v1/work-item-types", Open, get(work::types)),
        (
            RouteSpec {
                method: p.clone(),
                path: "/api/v1/work-items/hotline",
                access: Perm(P::SupervisionManage),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            post(work::import_hotline),
        ),
        r(
            g.clone(),
            "/api/v1/work-tasks",
            AnyOf(work::HANDLERS),
            get(work::task_overview),
        ),
        r(
            g.clone(),
            "/api/v1/work-tasks.xlsx",
            AnyOf(work::HANDLERS),
            get(work::task_export),
        ),
        r(
            p.clone(),
            "/api/v1/work-tasks/reports",
            AnyOf(work::HANDLERS),
            post(work::task_report),
        ),
    ]);
    // Commitments (承诺) and notifications (issue 18).
    t.extend([
        r(
            g.clone(),
            "/api/v1/commitments",
            AnyOf(commitments::MANAGERS),
            get(commitments::list),
        ),
        r(
            p.clone(),
            "/api/v1/commitments",
            AnyOf(commitments::MANAGERS),
            post(commitments::create),
        ),
        r(
            g.clone(),
            "/api/v1/commitments/{id}",
            AnyOf(commitments::MANAGERS),
            get(commitments::get),
        ),
        r(
            p.clone(),
            "/api/v1/commitments/{id}/steps",
            AnyOf(commitments::MANAGERS),
            post(commitments::step),
        ),
        (
            RouteSpec {
                method: p.clone(),
                path: "/api/v1/commitments/{id}/files",
                access: AnyOf(commitments::MANAGERS),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            post(commitments::add_file)
                .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
        ),
        r(
            g.clone(),
            "/api/v1/commitments/{id}/files/{file_id}",
            AnyOf(commitments::MANAGERS),
            get(commitments::file),
        ),
        r(
            g.clone(),
            "/api/v1/commitment-kinds",
            Open,
            get(commitments::kinds),
        ),
        r(
            g.clone(),
            "/api/v1/portal/commitments",
            Open,
            get(commitments::public),
        ),
        r(
            g.clone(),
            "/api/v1/notifications",
            Signed,
            get(notifications::inbox),
        ),
        r(
            p.clone(),
            "/api/v1/notifications/{id}/read",
            Signed,
            post(notifications::read),
        ),
        r(
            g.clone(),
            "/api/v1/webhook",
            AnyOf(notifications::WEBHOOK_MANAGERS),
            get(notifications::webhook),
        ),
        r(
            p.clone(),
            "/api/v1/webhook",
            AnyOf(notifications::WEBHOOK_MANAGERS),
            post(notifications::set_webhook),
        ),
    ]);
    // Government as purchaser and payer (政府采购, 拖欠账款; issue 18).
    t.extend([
        r(
            g.clone(),
            "/api/v1/procurement/contracts",
            AnyOf(arrears::MANAGERS),
            get(arrears::list_contracts),
        ),
        r(
            p.clone(),
            "/api/v1/procurement/contracts",
            AnyOf(arrears::MANAGERS),
            post(arrears::create_contract),
        ),
        r(
            g.clone(),
            "/api/v1/procurement/contracts/{id}",
            AnyOf(arrears::MANAGERS),
            get(arrears::get_contract),
        ),
        r(
            p.clone(),
            "/api/v1/procurement/contracts/{id}/milestones",
            AnyOf(arrears::MANAGERS),
            post(arrears::complete_milestone),
        ),
        r(
            g.clone(),
            "/api/v1/procurement/payment-terms",
            Open,
            get(arrears::payment_terms),
        ),
        r(
            g.clone(),
            "/api/v1/arrears",
            AnyOf(arrears::READERS),
            get(arrears::list),
        ),
        r(
            p.clone(),
            "/api/v1/arrears",
            Perm(P::CommitmentsManage),
            post(arrears::register),
        ),
        r(
            g.clone(),
            "/api/v1/arrears/totals",
            AnyOf(arrears::READERS),
            get(arrears::totals),
        ),
        r(
            g.clone(),
            "/api/v1/arrears/{id}",
            AnyOf(arrears::READERS),
            get(arrears::get),
        ),
        r(
            p.clone(),
            "/api/v1/arrears/{id}/steps",
            AnyOf(arrears::MANAGERS),
            post(arrears::step),
        ),
        r(
            p.clone(),
            "/api/v1/portal/arrears",
            Perm(P::ArchiveReadOwn),
            post(arrears::report),
        ),
    ]);
    // PPP projects and 失信被执行人 cases (issue 18).
    t.extend([
        r(
            g.clone(),
            "/api/v1/ppp-projects",
            AnyOf(commitments::MANAGERS),
            get(ppp::list),
        ),
        r(
            p.clone(),
            "/api/v1/ppp-projects",
            AnyOf(commitments::MANAGERS),
            post(ppp::create),
        ),
        r(
            g.clone(),
            "/api/v1/ppp-projects/{id}",
            AnyOf(commitments::MANAGERS),
            get(ppp::get),
        ),
        r(
            p.clone(),
            "/api/v1/ppp-projects/{id}/stages",
            AnyOf(commitments::MANAGERS),
            post(ppp::advance),
        ),
        r(
            p.clone(),
            "/api/v1/ppp-projects/{id}/responsibles",
            AnyOf(commitments::MANAGERS),
            post(ppp::add_responsible),
        ),
        r(
            p.clone(),
            "/api/v1/ppp-projects/{id}/breaches",
            AnyOf(commitments::MANAGERS),
            post(ppp::breach),
        ),
        r(
            g.clone(),
            "/api/v1/ppp-projects/{id}/breaches/{breach_id}/responsible",
            AnyOf(commitments::MANAGERS),
            get(ppp::responsible),
        ),
        r(
            g.clone(),
            "/api/v1/debtor-cases",
            AnyOf(commitments::MANAGERS),
            get(ppp::debtor_list),
        ),
        r(
            p.clone(),
            "/api/v1/debtor-cases",
            AnyOf(commitments::MANAGERS),
            post(ppp::debtor_create),
        ),
        r(
            g.clone(),
            "/api/v1/debtor-cases/register",
            AnyOf(commitments::MANAGERS),
            get(ppp::debtor_register),
        ),
        r(
            g.clone(),
            "/api/v1/debtor-cases/{id}",
            AnyOf(commitments::MANAGERS),
            get(ppp::debtor_get),
        ),
        (
            RouteSpec {
                method: p.clone(),
                path: "/api/v1/debtor-cases/import",
                access: Perm(P::CommitmentsManage),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            post(ppp::debtor_import),
        ),
        r(
            p.clone(),
            "/api/v1/debtor-cases/{id}/progress",
            AnyOf(commitments::MANAGERS),
            post(ppp::debtor_progress),
        ),
    ]);
    // 政务诚信监测评价 (issue 20).
    t.extend([
        r(
            g.clone(),
            "/api/v1/evaluation/runs",
            AnyOf(evaluation::READERS),
            get(evaluation::runs),
        ),
        r(
            p.clone(),
            "/api/v1/evaluation/runs",
            Perm(P::EvaluationsRun),
            post(evaluation::compute),
        ),
        r(
            p.clone(),
            "/api/v1/evaluation/runs/{id}/publish",
            Perm(P::EvaluationsRun),
            post(evaluation::publish),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/ranking",
            AnyOf(evaluation::READERS),
            get(evaluation::ranking),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/ranking.xlsx",
            AnyOf(evaluation::READERS),
            get(evaluation::ranking_xlsx),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/targets/{target}",
            AnyOf(evaluation::READERS),
            get(evaluation::explain),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/warnings",
            AnyOf(evaluation::READERS),
            get(evaluation::warnings),
        ),
        (
            RouteSpec {
                method: p.clone(),
                path: "/api/v1/evaluation/imports",
                access: Perm(P::EvaluationsRun),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            post(evaluation::import),
        ),
        r(
            p.clone(),
            "/api/v1/evaluation/events",
            Perm(P::EvaluationsRun),
            post(evaluation::events),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/indicators",
            AnyOf(evaluation::READERS),
            get(evaluation::indicators),
        ),
        r(
            g.clone(),
            "/api/v1/evaluation/grades/{target}",
            AnyOf(&[P::ReportsRead, P::EvaluationsRun, P::ChecksRun]),
            get(evaluation::grade),
        ),
    ]);
    t.push((
        RouteSpec {
            method: p.clone(),
            path: "/api/v1/batches",
            access: Perm(P::RecordsSubmit),
            upload: true,
            cleans_text: false,
            flood: None,
        },
        post(batches::submit),
    ));
    // A department clerk's daily work (issue 17): templates, pre-check, history.
    t.extend([
        r(
            Method::GET,
            "/api/v1/batches/templates",
            Perm(P::RecordsSubmit),
            get(batch_work::offers),
        ),
        r(
            Method::GET,
            "/api/v1/batches/templates/{type_code}",
            Perm(P::RecordsSubmit),
            get(batch_work::template),
        ),
        r(
            Method::GET,
            "/api/v1/batches/history",
            AnyOf(batch_work::HISTORY_READERS),
            get(batch_work::history),
        ),
    ]);
    for (path, handler) in [
        ("/api/v1/batches/precheck", post(batch_work::precheck)),
        (
            "/api/v1/batches/precheck/{id}/confirm",
            post(batch_work::confirm),
        ),
    ] {
        t.push((
            RouteSpec {
                method: Method::POST,
                path,
                access: Perm(P::RecordsSubmit),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            handler,
        ));
    }
    // 任职与诚信档案 (issue 18): employment history and training imports (a personnel
    // department or the credit office, for bodies in its region: checked by the use case),
    // 责任回溯, and the civil servant's 诚信档案 (decrypt permission, purpose, query log).
    for path in ["/api/v1/employments/import", "/api/v1/trainings/import"] {
        t.push((
            RouteSpec {
                method: p.clone(),
                path,
                access: Perm(P::RecordsSubmit),
                upload: true,
                cleans_text: false,
                flood: None,
            },
            if path.starts_with("/api/v1/employments") {
                post(staff::import_employment_file)
            } else {
                post(staff::import_training_file)
            },
        ));
    }
    t.extend([
        r(
            p.clone(),
            "/api/v1/employments",
            Perm(P::RecordsSubmit),
            post(staff::import_employment_rows),
        ),
        r(
            p.clone(),
            "/api/v1/trainings",
            Perm(P::RecordsSubmit),
            post(staff::import_training_rows),
        ),
        r(
            Method::GET,
            "/api/v1/bodies/{id}/responsible",
            Perm(P::RecordsReadNonpublic),
            get(staff::responsible),
        ),
        r(
            p.clone(),
            "/api/v1/integrity-files/lookup",
            Perm(P::PersonalDataDecrypt),
            post(staff::file_lookup),
        ),
        r(
            p.clone(),
            "/api/v1/integrity-files/{id}",
            Perm(P::PersonalDataDecrypt),
            post(staff::file_open),
        ),
        r(
            p.clone(),
            "/api/v1/integrity-files/{id}/pdf",
            Perm(P::PersonalDataDecrypt),
            post(staff::file_pdf),
        ),
    ]);
    // 地方政府债务 (issue 20): positions per region and year, the import (the credit office,
    // for regions within its own: checked by the use case), a region's history, the ratios.
    t.push((
        RouteSpec {
            method: p,
            path: "/api/v1/debt/import",
            access: Perm(P::CommitmentsManage),
            upload: true,
            cleans_text: false,
            flood: None,
        },
        post(debt::import),
    ));
    t.extend([
        r(
            Method::GET,
            "/api/v1/debt/positions",
            AnyOf(debt::READERS),
            get(debt::list),
        ),
        r(
            Method::GET,
            "/api/v1/debt/regions/{code}",
            AnyOf(debt::READERS),
            get(debt::history),
        ),
        r(
            Method::GET,
            "/api/v1/debt/ratios",
            AnyOf(debt::READERS),
            get(debt::ratios),
        ),
        r(
            Method::GET,
            "/api/v1/debt/levels",
            AnyOf(debt::READERS),
            get(debt::levels),
        ),
    ]);
    // The national platform's daily export as JSON (issue 21): the credit office, or a
    // province's token with `records_read_nonpublic`; its region only (the use case filters).
    t.push(r(
        Method::GET,
        "/api/v1/exchange/national/{date}",
        Perm(P::RecordsReadNonpublic),
        get(crate::routes::exchange::national_day),
    ));
    // Portal complaints on the work-item engine, the complainant's contact, the task
    // overview as PDF (issue 19, part three).
    t.extend([
        limited(
            FloodClass::Filing,
            r(
                Method::POST,
                "/api/v1/portal/complaints",
                Perm(P::ComplaintsFile),
                post(work_public::file),
            ),
        ),
        limited(
            FloodClass::Tracking,
            r(
                Method::GET,
                "/api/v1/portal/complaints/{no}",
                Open,
                get(work_public::track),
            ),
        ),
        limited(
            FloodClass::Tracking,
            r(
                Method::POST,
                "/api/v1/portal/complaints/{no}/rating",
                Open,
                post(work_public::rate),
            ),
        ),
        limited(
            FloodClass::Evidence,
            r(
                Method::POST,
                "/api/v1/portal/complaints/{no}/evidence",
                Open,
                // Evidence files up to the rules' limit fit under the API's 16 MiB body cap.
                post(work_public::add_evidence)
                    .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024)),
            ),
        ),
        r(
            Method::POST,
            "/api/v1/work-items/{id}/complainant",
            AnyOf(work::HANDLERS),
            post(work::reveal),
        ),
        r(
            Method::GET,
            "/api/v1/work-tasks.pdf",
            AnyOf(work::HANDLERS),
            get(work::task_pdf),
        ),
        r(
            Method::GET,
            "/api/v1/work-items/{id}/files/{file_id}",
            AnyOf(work::HANDLERS),
            get(work::file),
        ),
    ]);
    t.push(r(
        Method::GET,
        "/api/v1/feed",
        Perm(P::FeedRead),
        get(feed::page),
    ));
    t.push(r(
        Method::GET,
        "/api/v1/evaluation/runs/{id}/targets/{target}/report.pdf",
        AnyOf(evaluation::READERS),
        get(evaluation::report_pdf),
    ));
    t
}
