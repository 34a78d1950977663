//! Credit reports (信用报告): building a subject's report as of now from the store
//! ([`content`]), signing and rendering it (`chengxin-report`), keeping the issued report and
//! handing out its PDF ([`issue`]), and verifying a report by its number and 验证码 or from an
//! uploaded PDF (报告验真, [`verify`]).
//!
//! What a report shows is public information only: 行政许可 and 行政处罚 records and other 失信
//! records currently published (status `published`, within their publication period, not
//! recognised as tolerable error, of a type disclosed to the public), and memberships of
//! public lists (in publicity or effective). A person is identified by the masked ID number,
//! never the clear one.

use chrono::NaiveDate;

pub mod content;
pub mod issue;
pub mod verify;

pub use content::{
    report_subject, sections, SECTION_LICENSES, SECTION_LISTS, SECTION_OTHER_NEGATIVE,
    SECTION_PENALTIES,
};
pub use issue::{download, issue, issue_for, may_issue, may_read_issued, IssueSettings, Issued};
pub use verify::{
    stored_signed, verify_by_code, verify_code, verify_pdf, verify_upload, SectionSummary,
    Verification, MAX_PDF_BYTES,
};

/// Prefix of report numbers: `XYBG-YYYYMMDD-XXXXXXXX`.
pub const REPORT_NO_PREFIX: &str = "XYBG";
/// Random characters at the end of a report number (Crockford base32: 40 bits).
const RANDOM_LEN: usize = 8;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new report number for `day`: `XYBG-20250602-7K3M9QXD`.
pub fn new_report_no(day: NaiveDate) -> String {
    use rand::Rng as _;
    let mut rng = rand::rngs::OsRng;
    let tail: String = (0..RANDOM_LEN)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    format!("{REPORT_NO_PREFIX}-{}-{tail}", day.format("%Y%m%d"))
}

/// A report number as typed (trimmed, upper-cased), `None` if it cannot be one.
pub fn clean_report_no(input: &str) -> Option<String> {
    let s = input.trim().to_ascii_uppercase();
    let ok = !s.is_empty()
        && s.len() <= chengxin_report::MAX_REPORT_NO_LEN
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_numbers() {
        let d = NaiveDate::from_ymd_opt(2025, 6, 2).unwrap();
        let no = new_report_no(d);
        assert!(no.starts_with("XYBG-20250602-"), "{no}");
        assert_eq!(no.len(), "XYBG-20250602-".len() + RANDOM_LEN);
        assert_ne!(new_report_no(d), no);
        assert_eq!(
            clean_report_no(&format!(" {} ", no.to_lowercase())),
            Some(no)
        );
        assert_eq!(clean_report_no("a b"), None);
        assert_eq!(clean_report_no(""), None);
    }
}
