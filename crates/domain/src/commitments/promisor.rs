//! Who may promise: a government body by its USCC (登记管理部门 1 = 机构编制), or for a 信用承诺
//! an enterprise or organisation — and, where the kind admits them, a natural person by
//! 居民身份证号 (GB 11643, check digit verified). Refusals never repeat a number in clear.

use chrono::NaiveDate;

use super::{CommitmentError, PromisorKind};
use crate::codes::{id_number, uscc};
use crate::regions::RegionTable;

/// Whether a (valid) USCC is a government body's: registered by 机构编制 (`1`).
pub fn is_government_uscc(code: &str) -> bool {
    code.starts_with('1')
}

/// Check the promisor of a kind; returns the normalised USCC.
pub fn check_promisor(
    kind: PromisorKind,
    code: &str,
    regions: &RegionTable,
) -> Result<String, CommitmentError> {
    let parsed =
        uscc::parse(code, regions).map_err(|e| CommitmentError::PromisorInvalid(e.to_string()))?;
    let gov = parsed.registering_dept == '1';
    match kind {
        PromisorKind::GovBody if !gov => Err(CommitmentError::PromisorNotGovernment(parsed.code)),
        PromisorKind::Enterprise | PromisorKind::EnterpriseOrPerson if gov => {
            Err(CommitmentError::PromisorIsGovernment(parsed.code))
        }
        _ => Ok(parsed.code),
    }
}

/// Check a natural person as the promisor of a kind (`today` bounds the birth date); returns
/// the parsed number. A government kind answers "not a government body" (the body promises,
/// never the person: 苏 2023 实施意见 §三(四)); an enterprise-only kind, that persons may not
/// promise it; an invalid number, why (without the number).
pub fn check_person_promisor(
    kind: PromisorKind,
    id: &str,
    regions: &RegionTable,
    today: NaiveDate,
) -> Result<id_number::IdNumber, CommitmentError> {
    match kind {
        PromisorKind::GovBody => Err(CommitmentError::PromisorNotGovernment(id_number::mask(id))),
        PromisorKind::Enterprise => Err(CommitmentError::PromisorPersonNotAllowed),
        PromisorKind::EnterpriseOrPerson => id_number::parse(id, regions, today)
            .map_err(|e| CommitmentError::PromisorIdInvalid(e.to_string())),
    }
}
