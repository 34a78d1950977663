//! Credit reports as a credit office issues them (issue 17), on both backends: the
//! verification address and QR code are absolute (`CHENGXIN_PUBLIC_URL`), and without it no
//! report is issued (`public_url_missing`, 503, in Chinese); the issuer is the office's full
//! name (the site's 主办单位 unless `CHENGXIN_REPORT_ISSUER` says otherwise); positive
//! information (表彰奖励) is in the report, with names, not codes.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::Subject;
use chengxin_store::{NewRecord, NewSubject};
use chengxin_testkit::*;
use chrono::NaiveDate;

const USCC: &str = "91320412MA1MXK2L83";
/// The city's 市场监督管理局 as the import fixture names it.
const SAMR: &str = "11320400MB00000002";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn record(
    s: &Subject,
    type_code: &str,
    doc: &str,
    fields: serde_json::Value,
    until: &str,
) -> NewRecord {
    NewRecord {
        type_code: type_code.into(),
        subject_id: Some(s.id),
        subject_name: s.name.clone(),
        doc_no: doc.into(),
        decision_date: d("2025-03-03"),
        source_dept: SAMR.into(),
        batch_id: None,
        fields: fields.as_object().unwrap().clone(),
        severity: None,
        status: RecordStatus::Published,
        publish_until: Some(d(until)),
        content_digest: None,
        published_at: None,
    }
}

/// 常州甲公司 with a penalty (imported), a city-level honour and a commendation whose
/// awarding body is named only by its code (a body on the platform).
async fn company(t: &TestApp) -> Subject {
    t.import(USCC, vec![import_row(2, "常天罚〔2025〕1号", "2025-03-03")])
        .await;
    let s = t.store.subject_by_uscc(USCC).await.unwrap().unwrap();
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(chengxin_domain::subjects::SubjectKind::GovBody),
                name: "常州市人力资源和社会保障局".into(),
                uscc: Some("11320400MB0000010X".into()),
                region: Some("320400".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.store
        .create_record(
            "test",
            record(
                &s,
                "commendation",
                "常政发〔2025〕12号",
                serde_json::json!({"subject_name": "常州甲公司", "award_name": "常州市诚信示范企业",
                    "award_kind": "credit_award", "level": "city", "awarding_body": "常州市人民政府",
                    "decision_doc_no": "常政发〔2025〕12号", "award_date": "2025-03-03"}),
                "2099-12-31",
            ),
        )
        .await
        .unwrap();
    t.store
        .create_record(
            "test",
            record(
                &s,
                "commendation",
                "常人社〔2025〕3号",
                serde_json::json!({"subject_name": "常州甲公司", "award_name": "劳动关系和谐企业",
                    "award_kind": "honorary_title", "level": "city",
                    "awarding_body_uscc": "11320400MB0000010X",
                    "decision_doc_no": "常人社〔2025〕3号", "award_date": "2025-03-03",
                    "valid_to": "2027-03-02"}),
                "2027-03-02",
            ),
        )
        .await
        .unwrap();
    s
}

async fn issue(t: &TestApp, cred: &Cred, s: &Subject) -> (StatusCode, serde_json::Value) {
    t.call(
        "POST",
        "/api/v1/credit-reports",
        cred,
        Some(serde_json::json!({"subject_id": s.id})),
    )
    .await
}

fn section<'a>(r: &'a chengxin_report::CreditReport, title: &str) -> &'a chengxin_report::Section {
    r.sections
        .iter()
        .find(|s| s.title.starts_with(title))
        .unwrap_or_else(|| panic!("no section {title}"))
}

async fn absolute_address_issuer_and_positive_information(t: TestApp) {
    let s = company(&t).await;
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let (st, v) = issue(&t, &staff, &s).await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    let no = v["report_no"].as_str().unwrap().to_string();
    let code = v["verification_code"].as_str().unwrap().to_string();
    let row = t.store.credit_report(&no).await.unwrap().unwrap();
    let signed = chengxin_report::extract_signed(&row.pdf).unwrap();
    let r = &signed.report;
    // The issuer: the office's full name (the site's 主办单位 by default).
    assert_eq!(r.issuer, chengxin_app::SiteIdentity::default().sponsor);
    // The verification address printed beside the QR code is absolute.
    let printed = format!("{TEST_VERIFY_URL}?no={no}&code={code}");
    let (st, page) = t
        .call(
            "GET",
            &format!("/console/reports/credit/{no}"),
            &staff,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let page = page.as_str().unwrap().to_string();
    assert!(
        page.contains(&printed.replace('&', "&amp;")),
        "the page does not print {printed}"
    );
    // Positive information: both commendations, by name, kinds and levels in Chinese, the
    // awarding body named (also where the record gives only its code).
    let pos = section(r, "表彰奖励信息");
    assert_eq!(pos.table.rows.len(), 2, "{:?}", pos.table.rows);
    let all: Vec<String> = pos.table.rows.iter().flatten().cloned().collect();
    for want in [
        "常州市诚信示范企业",
        "诚信示范",
        "市级",
        "常州市人民政府",
        "长期",
        "劳动关系和谐企业",
        "荣誉称号",
        "常州市人力资源和社会保障局",
        "2027-03-02",
    ] {
        assert!(all.iter().any(|c| c == want), "{want} not in {all:?}");
    }
    for code in [
        "credit_award",
        "honorary_title",
        "city",
        "11320400MB0000010X",
    ] {
        assert!(!all.iter().any(|c| c == code), "{code} shown: {all:?}");
    }
    // The penalty's authority by name.
    let pen = section(r, "行政处罚信息");
    assert_eq!(pen.table.rows[0][3], "常州市市场监督管理局");
    // 报告验真 lists the five sections.
    let (_, ok) = t
        .call(
            "POST",
            "/api/v1/credit-reports/verify",
            &Cred::None,
            Some(serde_json::json!({"report_no": no, "code": code})),
        )
        .await;
    assert_eq!(ok["valid"], true, "{ok}");
    assert_eq!(ok["sections"].as_array().unwrap().len(), 6, "{ok}");

    // A configured issuer, and an office of another name, are printed as configured.
    let wujin = t.with_app(|a| {
        a.site = std::sync::Arc::new(chengxin_app::SiteIdentity {
            sponsor: "常州市武进区社会信用体系建设领导小组办公室".into(),
            ..Default::default()
        })
    });
    let (_, v) = issue(&wujin, &staff, &s).await;
    let row = t
        .store
        .credit_report(v["report_no"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let r = chengxin_report::extract_signed(&row.pdf).unwrap().report;
    assert_eq!(r.issuer, "常州市武进区社会信用体系建设领导小组办公室");
    let centre = t.with_app(|a| a.report_issuer = Some("常州市公共信用信息中心".into()));
    let (_, v) = issue(&centre, &staff, &s).await;
    let row = t
        .store
        .credit_report(v["report_no"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let r = chengxin_report::extract_signed(&row.pdf).unwrap().report;
    assert_eq!(r.issuer, "常州市公共信用信息中心");
    t.cleanup().await;
}
both_backends!(
    reports_have_an_absolute_address_the_office_and_positive_information,
    absolute_address_issuer_and_positive_information
);

async fn no_public_address(t: TestApp) {
    let s = company(&t).await;
    let bare = t.with_app(|a| a.report_verify_url = None);
    let staff = t.session_for(Role::CreditOffice, "320400", None).await;
    let own = t.session_for(Role::Subject, "320412", Some(USCC)).await;
    for cred in [&staff, &own] {
        let (st, v) = issue(&bare, cred, &s).await;
        assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE, "{v}");
        assert_eq!(v["code"], "public_url_missing", "{v}");
        let msg = v["message"].as_str().unwrap();
        assert!(
            msg.contains("CHENGXIN_PUBLIC_URL") && msg.contains("信用报告"),
            "{msg}"
        );
        assert!(!msg.ends_with(')'), "{msg}");
    }
    // The public's download says so too, in a page.
    let (st, page) = bare
        .call(
            "GET",
            &format!("/portal/subjects/{}/report.pdf", s.id),
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page
        .as_str()
        .unwrap()
        .contains("data-code=\"public_url_missing\""));
    // The refusals are in the query log, with their code.
    let failed = t
        .store
        .audit_events(&chengxin_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("credit_report_issue") && e.outcome == "failed")
        .filter(|e| e.detail["error"] == "public_url_missing")
        .count();
    assert_eq!(failed, 3);
    t.cleanup().await;
}
both_backends!(no_report_without_the_public_address, no_public_address);
