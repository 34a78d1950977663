//! Credit reports (信用报告): building a subject's report as of now from the store
//! ([`content`]), signing and rendering it (`chengxin-report`), keeping the issued report and
//! handing out its PDF ([`issue`]), and verifying a report by its number and 验证码 or from an
//! uploaded PDF (报告验真, [`verify`]).
//!
//! What a report shows is public information only: 行政许可 and 行政处罚 records and other 失信
//! records currently published (status `published`, within their publication period, not
//! recognised as tolerable error, of a type disclosed to the public), memberships of
//! public lists (in publicity or effective), and positive information (表彰奖励, 守信激励).
//! Bodies are named, not coded; the issuer is the office's full name; the verification
//! address and QR code are absolute (`CHENGXIN_PUBLIC_URL`), or no report is issued. A person is identified by the masked ID number,
//! never the clear one.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

pub mod content;
pub mod issue;
pub mod verify;

pub use content::{
    report_subject, sections, sections_and_records, SECTION_COMMITMENTS, SECTION_LICENSES,
    SECTION_LISTS, SECTION_OTHER_NEGATIVE, SECTION_PENALTIES, SECTION_POSITIVE,
};
pub use issue::{
    download, issue, issue_for, issue_public, may_issue, may_read_issued, IssueSettings, Issued,
};
pub use verify::{
    stored_signed, verify_by_code, verify_code, verify_offline, verify_pdf, verify_upload,
    OfflineOutcome, SectionSummary, Verification, MAX_PDF_BYTES,
};

/// Reports are not issued without the portal's public address: the QR code and the
/// verification address printed on a report must work on paper, from anywhere.
pub fn public_url_missing() -> AppError {
    AppError::NotConfigured {
        code: "public_url_missing",
        message: "未配置门户的公网地址（CHENGXIN_PUBLIC_URL，例如 https://xy.example.gov.cn），\
                  信用报告上的验真地址和二维码无法生成，暂不能出具信用报告"
            .into(),
    }
}

/// The absolute address of the portal's verification page under the public address
/// `public_url` (`https://xy.example.gov.cn` → `https://xy.example.gov.cn/portal/verify`):
/// `http` or `https`, a host, no query, fragment, spaces or credentials; else
/// `public_url_invalid`.
pub fn verify_address(public_url: &str) -> AppResult<String> {
    let u = public_url.trim();
    let bad = || {
        AppError::invalid(
            "public_url_invalid",
            format!(
                "CHENGXIN_PUBLIC_URL“{u}”不是有效的公网地址（应为 https://域名[:端口][/路径]，\
                 例如 https://xy.example.gov.cn）"
            ),
        )
    };
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let host = rest.split('/').next().unwrap_or("");
    let host_ok = !host.is_empty()
        && !host.starts_with(':')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    let rest_ok = rest
        .chars()
        .all(|c| !c.is_whitespace() && !c.is_control() && !"?#@\\\"<>".contains(c));
    if !host_ok || !rest_ok || u.len() > 200 {
        return Err(bad());
    }
    Ok(format!(
        "{}{}",
        u.trim_end_matches('/'),
        crate::context::REPORT_VERIFY_PATH
    ))
}

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

    #[test]
    fn verification_addresses() {
        assert_eq!(
            verify_address(" https://xy.example.gov.cn/ ").unwrap(),
            "https://xy.example.gov.cn/portal/verify"
        );
        assert_eq!(
            verify_address("http://10.0.0.5:8080/credit").unwrap(),
            "http://10.0.0.5:8080/credit/portal/verify"
        );
        for bad in [
            "",
            "xy.example.gov.cn",
            "/portal",
            "https://",
            "https:///x",
            "ftp://xy.example.gov.cn",
            "https://xy.example.gov.cn/?a=1",
            "https://u:p@xy.example.gov.cn",
            "https://xy.example .gov.cn",
        ] {
            assert_eq!(
                verify_address(bad).unwrap_err().code(),
                "public_url_invalid",
                "{bad}"
            );
        }
        assert_eq!(public_url_missing().code(), "public_url_missing");
    }
}
