//! 任职与诚信档案 (issue 18): the rules of employment history imported from the personnel
//! department (`employment`: columns, a row's checks, overlapping periods), of integrity
//! training records (`training`: 诚信教育), and of who was responsible for a body on a day
//! (`responsibility`: 责任回溯). Pure: dates are parameters, ID numbers come in and go out
//! only as the caller hands them (the app hashes, seals and masks them).

pub mod columns;
pub mod employment;
pub mod responsibility;
pub mod training;

pub use columns::{parse_day, Columns, ColumnsError};
pub use employment::{EmploymentRow, Period, PeriodConflict};
pub use responsibility::{holders_on, PRINCIPAL_LABEL};
pub use training::{parse_hours, TrainingRow};

/// The most rows one import of employment history or training records may hold (a city's
/// civil service, several times over). Larger files are split by the sender.
pub const MAX_IMPORT_ROWS: usize = 50_000;
