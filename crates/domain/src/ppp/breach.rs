//! A PPP breach of the government party becomes a 失信 record of the body under the catalog
//! type 政府和社会资本合作（PPP）失信违约, through the same path a commitment's breach takes
//! (`commitments::record_from_fields`).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::Stage;
use crate::catalog::{RecordType, Severity};
use crate::commitments::{record_from_fields, yuan_to_wan, BreachRecord, CommitmentError};

/// The catalog type a PPP breach becomes.
pub const PPP_BREACH_TYPE: &str = "ppp_breach";

/// What the record says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PppBreachFacts {
    /// The government party (the breaching body).
    pub body_name: String,
    pub body_uscc: String,
    pub project_name: String,
    pub project_no: String,
    pub contract_no: Option<String>,
    pub stage: Stage,
    pub finding: String,
    pub amount_fen: Option<i64>,
    /// 政府方责任人 as shown (name and post; never an ID number).
    pub responsible: Option<String>,
    pub finding_body: String,
    pub finding_doc_no: String,
    pub finding_date: NaiveDate,
    pub severity: Option<Severity>,
}

fn clip(s: &str, max: usize) -> String {
    s.trim().chars().take(max).collect()
}

/// The record of a PPP breach under `rt` (the `ppp_breach` type), as of `today`.
pub fn ppp_breach_record(
    rt: &RecordType,
    f: &PppBreachFacts,
    today: NaiveDate,
) -> Result<BreachRecord, CommitmentError> {
    let mut raw: BTreeMap<&str, String> = BTreeMap::new();
    raw.insert("subject_name", clip(&f.body_name, 200));
    raw.insert("subject_uscc", f.body_uscc.clone());
    raw.insert("party_role", "government".into());
    raw.insert("project_name", clip(&f.project_name, 200));
    raw.insert("project_code", clip(&f.project_no, 100));
    if let Some(c) = &f.contract_no {
        raw.insert("contract_no", clip(c, 100));
    }
    raw.insert("stage", f.stage.as_str().into());
    raw.insert("breach", clip(&f.finding, 4000));
    if let Some(a) = f.amount_fen {
        raw.insert("amount", yuan_to_wan(a));
    }
    if let Some(r) = &f.responsible {
        raw.insert("responsible_person", clip(r, 50));
    }
    raw.insert("finding_body", clip(&f.finding_body, 200));
    raw.insert("finding_doc_no", clip(&f.finding_doc_no, 100));
    raw.insert(
        "finding_date",
        f.finding_date.format("%Y-%m-%d").to_string(),
    );
    record_from_fields(
        rt,
        &raw,
        &f.finding_doc_no,
        f.finding_date,
        &f.body_name,
        f.severity,
        today,
    )
}
