//! The console's forms pick government bodies from a list by name (issue 17: never a code
//! typed by hand), on both backends: each form that names a body (a commitment's promisor, a
//! work item's owner and issuer, an arrear's debtor, a contract's purchaser, a PPP project's
//! government side, a 失信被执行人 body) offers the bodies of the caller's region by name with
//! their code as the value — and none of a sibling region's.

use axum::http::StatusCode;
use chengxin_access::Role;
use chengxin_domain::codes::uscc;
use chengxin_domain::subjects::SubjectKind;
use chengxin_store::NewSubject;
use chengxin_testkit::*;

fn uscc_of(first17: &str) -> String {
    format!("{first17}{}", uscc::check_char(first17).unwrap_or('0'))
}

async fn gov_body(t: &TestApp, name: &str, code: &str) {
    t.store
        .create_subject(
            "test",
            NewSubject {
                kind: Some(SubjectKind::GovBody),
                name: name.into(),
                uscc: Some(code.into()),
                region: code.get(2..8).map(String::from),
                ..Default::default()
            },
        )
        .await
        .unwrap();
}

async fn pickers(t: TestApp) {
    let wujin = uscc_of("11320412MB0000701");
    let liyang = uscc_of("11320481MB0000702");
    gov_body(&t, "常州市武进区湖塘镇人民政府", &wujin).await;
    gov_body(&t, "溧阳市社渚镇人民政府", &liyang).await;
    let office = t.session_for(Role::CreditOffice, "320412", None).await;
    for (path, input) in [
        ("/console/commitments", "cm-pu"),
        ("/console/work", "wi-o"),
        ("/console/work", "wi-i"),
        ("/console/arrears", "qk-du"),
        ("/console/procurement", "cg-pu"),
        ("/console/ppp", "pp-g"),
        ("/console/debtors", "dc-b"),
    ] {
        let (s, page) = t.call("GET", path, &office, None).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let page = page.as_str().unwrap_or_default().to_string();
        assert!(
            page.contains("<datalist id=\"gov-bodies\">"),
            "{path}: {page}"
        );
        assert!(
            page.contains(&format!("id=\"{input}\"")) && page.contains("list=\"gov-bodies\""),
            "{path}: #{input} is not joined to the list"
        );
        assert!(
            page.contains(&format!(
                "value=\"{wujin}\" label=\"常州市武进区湖塘镇人民政府\""
            )),
            "{path}: the district's town is not offered by name"
        );
        assert!(
            !page.contains("溧阳市社渚镇人民政府"),
            "{path}: a sibling's body is offered"
        );
        assert!(
            !page.contains(&liyang),
            "{path}: a sibling's code is on the page"
        );
    }
    t.cleanup().await;
}
both_backends!(forms_pick_bodies_by_name_within_the_region, pickers);
