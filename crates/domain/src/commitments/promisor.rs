//! Who may promise: a government body by its USCC (登记管理部门 1 = 机构编制), or for a 信用承诺
//! an enterprise or organisation.

use super::{CommitmentError, PromisorKind};
use crate::codes::uscc;
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
        PromisorKind::Enterprise if gov => Err(CommitmentError::PromisorIsGovernment(parsed.code)),
        _ => Ok(parsed.code),
    }
}
