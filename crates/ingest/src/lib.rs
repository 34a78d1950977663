//! Chengxin's reading layer of record import: streaming readers for submitted files (CSV in
//! UTF-8 or GB18030, XLSX, JSON Lines) giving raw text rows with row numbers a person can find
//! ([`read`]), error reports to fix and resubmit ([`report`]), and a generator of realistic
//! test files ([`gen`]). Validation against the catalog happens on top of these rows,
//! elsewhere.

pub mod error;
pub mod exchange;
pub mod gen;
pub mod read;
pub mod report;
pub mod template;

pub use error::{codes, ReadError, ReadIssue, RowError};
pub use read::{
    detect_format, open_bytes, open_reader, open_stream, Format, RawRow, ReadOptions, Table,
};
pub use report::{
    neutralise, unneutralise, write_error_report_csv, write_error_report_xlsx, ErrorRow,
    REPORT_EXTRA_COLUMNS,
};
