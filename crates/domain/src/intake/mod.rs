//! 数据报送校验 — pure validation of imported rows against the catalog.
//!
//! The reading layer yields, per submitted file, its headers and raw text rows. This module
//! turns them into validated records in two steps:
//!
//! 1. [`map_columns`], once per file: every header is resolved to a field of the record type
//!    (by Chinese title, alias or English name, after [`normalize_header`]), to the optional
//!    severity column, to one of our own error-report columns ([`REPORT_COLUMNS`], ignored
//!    silently when a corrected report is resubmitted) or to "unknown" (reported, not an
//!    error). Missing required columns, two columns for one field and columns of the
//!    superseded V1 standard reject the whole file with a [`MappingError`].
//! 2. [`validate_row`], per row: every cell is checked ([`FieldDef::parse_value`] after
//!    [`unneutralise`]), identifier codes are verified with the `codes` module, the decision
//!    date, the document number and the subject are checked, the 双公示 cross-field rules
//!    applied, the deciding authority checked against the submitter when the map knows it
//!    ([`ColumnMap::with_submitter`]: `authority_not_authorised`, see [`crate::authority`]),
//!    and the severity and the end of publication resolved. **All** problems of a row are
//!    reported, not only the first.
//!
//! # 双公示 cross-field rules (types with a `subject.kind_field`)
//!
//! Following the filling notes of the national 双公示 data standard as departments apply them
//! (行政相对人类别 decides which identifier block is filled; the 个体工商户 placeholder is the
//! usual practice, not checked against the standard's primary text):
//!
//! * 法人及非法人组织 (`legal_person`): 行政相对人代码_1 (统一社会信用代码) is required.
//! * 个体工商户 (`individual_business`): the USCC is required, except that a household
//!   business that has no USCC yet may leave it empty or give the placeholder
//!   `00000000000000000X` (17 zeros and X) **and** fill 行政相对人代码_2 (工商注册号,
//!   the `business_reg_no` field when the type has one).
//! * 自然人 (`natural_person`): 证件类型 and 证件号码 are required.
//!
//! The subject's identifiers come from `subject.uscc_field` and `subject.id_number_field`
//! only; 法定代表人证件号码 is checked like any ID field but never identifies the subject. For an
//! organisation the 证件号码 column is not the subject's, and for a natural person the USCC
//! column is not: a value there is still checked but not put into [`SubjectRef`].
//!
//! # ID numbers
//!
//! An `id_number` field is checked against GB 11643 ([`id_number::parse`]) only when its
//! document type is empty or `01` 身份证: the subject's number is qualified by
//! `subject.id_type_field`; another `…_id_no` field by the enum field `…_id_type` of the same
//! type when there is one (法定代表人证件号码 by 法定代表人证件类型). Passports and other
//! documents are accepted as given (normalised). In [`ValidRow::fields`] every `id_number`
//! value — and every `uscc_or_id` value that is an ID number — is stored **masked**
//! ([`id_number::mask`]); the clear number only lives in [`SubjectRef::id_number`], whose
//! `Debug` masks it. Issue messages never contain an ID number in clear.
//!
//! An ID number typed into free text — any `text` field but the document number, the
//! subject's name included — is stored masked by the one masker
//! ([`id_number::mask_in_text`]); the text as given only lives in [`ValidRow::clear_texts`]
//! (its `Debug` shows field names only), for the caller to seal
//! ([`crate::records::free_text`]).
//!
//! # Content digest
//!
//! [`ValidRow::content_digest`] is a SHA-256 over the record type, every non-empty field in
//! catalog order (name and typed value, length-prefixed), the decision date and the resolved
//! severity. It does not depend on column order or on how a value was written (`2025/1/5` and
//! `2025-01-05`, `1,000.50` and `1000.5`, full-width digits …), and identifier codes enter it
//! normalised and in clear, so two persons with the same masked number differ.
//!
//! **Privacy caveat:** an unkeyed digest of a row whose other fields are stored in clear and
//! whose ID number is stored masked (8 of 18 characters visible) lets anyone holding the
//! database recover the number by trying the ~10⁷ remaining candidates. A store that keeps the
//! digest of rows with ID numbers should key it with [`ColumnMap::with_digest_key`] (the same
//! secret as the ID hasher is fine): the digest is then an HMAC-SHA256 and stays stable for
//! the same key.
//!
//! # Performance
//!
//! [`ColumnMap`] precomputes, per field, the column it comes from, how its code is checked and
//! the parsed value of every enum spelling, and memoises region look-ups and the last USCC
//! verdict per column (see its documentation); cells take fast paths that give exactly what
//! [`FieldDef::parse_value`] gives (checked by a property test); the digest is fed
//! incrementally. `cargo test --release -p chengxin-domain intake -- --ignored --nocapture`
//! runs the `bench_penalty_rows` test: 200,000 synthetic 行政处罚 rows (470 bytes of cells
//! each, one in five a natural person, all 3 USCCs and an ID number checked on every row)
//! against the national region table. Measured 2025-12 on a shared 2-vCPU VM under a load
//! average of about 3: 150,000–175,000 rows/s of thread CPU time on one core, typically
//! about 165,000. The remaining cost is mostly allocation (one `String` per non-empty field for
//! its value and one for its key in [`ValidRow::fields`]), SHA-256 over the content, and
//! `uscc::parse` / `id_number::parse` of the subject's codes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use chrono::{Datelike, NaiveDate};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::catalog::{
    normalize_header, FieldDef, FieldError, FieldType, FieldValue, FieldValues, PublicationEnd,
    PublicationRule, RecordType, Severity,
};
use crate::codes::{
    self, id_number, uscc, CodeDetails, CodeError, CodeKind, RegionInfo, RegionLookup,
};
use crate::records::free_text::ClearTexts;
use crate::subjects::SubjectKind;

/// Columns our own error reports add after the original ones; ignored silently when a fixed
/// report is resubmitted.
pub const REPORT_COLUMNS: [&str; 2] = ["错误原因", "原行号"];

/// The earliest decision date accepted: the founding of the People's Republic.
pub const EARLIEST_DECISION_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1949, 10, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// 证件类型 code of the 居民身份证, the only document checked against GB 11643.
pub const ID_TYPE_RESIDENT_CARD: &str = "01";

/// The placeholder a 个体工商户 without a USCC may give in 行政相对人代码_1.
pub const INDIVIDUAL_BUSINESS_USCC_PLACEHOLDER: &str = "00000000000000000X";

/// Enum codes of the 行政相对人类别 field in the shipped catalog.
const KIND_LEGAL_PERSON: &str = "legal_person";
const KIND_NATURAL_PERSON: &str = "natural_person";
const KIND_INDIVIDUAL_BUSINESS: &str = "individual_business";
/// Field that lets a 个体工商户 without a USCC be identified (行政相对人代码_2).
const BUSINESS_REG_NO_FIELD: &str = "business_reg_no";

mod authority;
mod columns;
mod digest;
mod formula;
mod masked;
pub mod rejects;
mod row;
mod stored;
#[cfg(test)]
mod tests;
mod validate;

pub use authority::*;
pub use columns::*;
use digest::*;
pub use formula::*;
pub use masked::*;
pub use row::*;
pub use stored::*;
pub use validate::*;
