//! 任职与诚信档案 (issue 18): employment history and integrity-training records imported from
//! the personnel department ([`import`]), 责任回溯 — who was responsible for a body on a day
//! ([`responsible`]), and the civil servant's 诚信档案 ([`file`]) with its signed PDF
//! ([`file_pdf`]).
//!
//! ID numbers are handled as everywhere else: hashed (the key outside the database) to find
//! the person, sealed for `subject_identities`, shown masked; never in clear in an error, the
//! query log or a PDF.

pub mod file;
pub mod file_pdf;
pub mod import;
pub mod responsible;

pub use file::{open_file, open_file_by_number, IntegrityFile};
pub use file_pdf::{issue_file_pdf, IssuedFile};
pub use import::{import_employments, import_trainings, StaffImportReport, StaffInput};
pub use responsible::{lookup, responsible_at, Holder, Responsibility};

use chengxin_access::Region;

use crate::auth::Caller;

/// Whether `region` lies within the caller's region (itself or below): how a personnel
/// department or a credit office is bounded when it imports.
pub(crate) fn within_region(caller: &Caller, region: &str) -> bool {
    match Region::parse(region) {
        Ok(r) => caller.scope.region.contains(&r),
        Err(_) => caller.scope.region.is_national(),
    }
}
