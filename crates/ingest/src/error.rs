//! Error types of the readers: a [`ReadError`] rejects the whole file, a [`RowError`] rejects
//! one row and reading goes on. Both carry a stable snake_case `code` (for programs and
//! tests) and a Chinese `message` (for the person who submitted the file).

use std::fmt;

/// Stable error codes. Programs match on these; the messages may change.
pub mod codes {
    // --- whole file (ReadError) ---
    /// The file has no header row (nothing but blank lines, or zero bytes).
    pub const EMPTY_FILE: &str = "empty_file";
    /// The head of a CSV file is neither valid UTF-8 nor clean GB18030 text with Chinese in it.
    pub const UNDECIDABLE_ENCODING: &str = "undecidable_encoding";
    /// UTF-16 and other encodings that are recognised but not accepted.
    pub const UNSUPPORTED_ENCODING: &str = "unsupported_encoding";
    /// The header row holds bytes that are invalid in the detected encoding.
    pub const HEADER_BAD_ENCODING: &str = "header_bad_encoding";
    /// More header columns than `ReadOptions::max_columns`.
    pub const TOO_MANY_COLUMNS: &str = "too_many_columns";
    /// Two header columns with the same (trimmed) name.
    pub const DUPLICATE_COLUMNS: &str = "duplicate_columns";
    /// An empty header cell between non-empty ones.
    pub const EMPTY_HEADER: &str = "empty_header";
    /// A header cell longer than `ReadOptions::max_field_bytes`.
    pub const HEADER_TOO_LONG: &str = "header_too_long";
    /// Neither the content nor the file name tells the format.
    pub const UNKNOWN_FORMAT: &str = "unknown_format";
    /// An Excel 97-2003 `.xls` (OLE2) file.
    pub const XLS_NOT_SUPPORTED: &str = "xls_not_supported";
    /// A named sheet does not exist (the message lists the sheets).
    pub const SHEET_NOT_FOUND: &str = "sheet_not_found";
    /// The workbook has no sheet.
    pub const NO_SHEET: &str = "no_sheet";
    /// The XLSX unpacks to more than `ReadOptions::max_xlsx_uncompressed_bytes`.
    pub const XLSX_TOO_LARGE: &str = "xlsx_too_large";
    /// The XLSX has an extreme compression ratio, or lies about its sizes.
    pub const ZIP_BOMB: &str = "zip_bomb";
    /// The XLSX is not a readable zip/workbook (truncated, damaged, encrypted, not a workbook).
    pub const XLSX_CORRUPT: &str = "xlsx_corrupt";
    /// The first non-empty line of a JSON Lines file is not a JSON object.
    pub const JSONL_BAD_FIRST_LINE: &str = "jsonl_bad_first_line";
    /// Reading the input failed.
    pub const IO_ERROR: &str = "io_error";

    // --- one row (RowError) ---
    /// The row has more non-empty cells, or fewer cells, than the header.
    pub const RAGGED_ROW: &str = "ragged_row";
    /// A cell is longer than `ReadOptions::max_field_bytes`.
    pub const FIELD_TOO_LONG: &str = "field_too_long";
    /// The whole row is longer than `ReadOptions::max_row_bytes`.
    pub const ROW_TOO_LONG: &str = "row_too_long";
    /// The row holds bytes invalid in the file's encoding.
    pub const BAD_ENCODING: &str = "bad_encoding";
    /// A quoted CSV field is still open at the end of the file (truncated file).
    pub const UNTERMINATED_QUOTE: &str = "unterminated_quote";
    /// A JSON Lines line is not valid JSON.
    pub const BAD_JSON: &str = "bad_json";
    /// A JSON Lines line is valid JSON but not an object.
    pub const NOT_AN_OBJECT: &str = "not_an_object";
    /// A JSON object has keys that the first object does not have.
    pub const UNKNOWN_KEYS: &str = "unknown_keys";
    /// A JSON object repeats a key.
    pub const DUPLICATE_KEYS: &str = "duplicate_keys";
    /// A JSON value is an array or an object.
    pub const BAD_VALUE: &str = "bad_value";
    /// A number too long to be exact (more than 15 significant digits, e.g. an 18-digit ID
    /// stored as a number).
    pub const NUMBER_PRECISION_LOST: &str = "number_precision_lost";
    /// An Excel error value such as `#N/A` or `#DIV/0!`.
    pub const CELL_ERROR: &str = "cell_error";
}

/// A problem that rejects the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Stable code, one of [`codes`].
    pub code: &'static str,
    /// Chinese explanation for the submitter.
    pub message: String,
}

impl ReadError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn io(e: &std::io::Error) -> Self {
        Self::new(codes::IO_ERROR, format!("读取文件失败：{e}"))
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.message, self.code)
    }
}

impl std::error::Error for ReadError {}

/// A problem with one row; reading continues with the next row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row number a person sees: the Excel row, or the line where the CSV record / JSON
    /// line starts (the header being row 1 in CSV).
    pub row: u64,
    /// Stable code, one of [`codes`].
    pub code: &'static str,
    /// Chinese explanation for the submitter (without the row number).
    pub message: String,
}

impl RowError {
    pub(crate) fn new(row: u64, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            row,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第{}行：{}（{}）", self.row, self.message, self.code)
    }
}

impl std::error::Error for RowError {}

/// What a [`crate::read::Table`] yields instead of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadIssue {
    /// This row is rejected; the next item continues the file.
    Row(RowError),
    /// Reading stopped (I/O error, …): this is the last item and the file as a whole must be
    /// treated as unreadable.
    Fatal(ReadError),
}

impl ReadIssue {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Row(e) => e.code,
            Self::Fatal(e) => e.code,
        }
    }

    /// The Chinese message.
    pub fn message(&self) -> &str {
        match self {
            Self::Row(e) => &e.message,
            Self::Fatal(e) => &e.message,
        }
    }

    /// The row number, for row-level issues.
    pub fn row(&self) -> Option<u64> {
        match self {
            Self::Row(e) => Some(e.row),
            Self::Fatal(_) => None,
        }
    }

    /// Whether reading stopped.
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::Fatal(_))
    }
}

impl fmt::Display for ReadIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Row(e) => e.fmt(f),
            Self::Fatal(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadIssue {}
