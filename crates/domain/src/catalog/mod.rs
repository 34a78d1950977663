//! 信用信息目录 — the credit-information catalog, as data.
//!
//! The catalog defines every record type the platform accepts: its code, names, the kinds of
//! subject it is about, its class (基础/良好/失信) and severity, its disclosure (社会公开/政务共享/
//! 授权查询), its publication rule, which fields carry the document number, the decision date
//! and the subject's identifiers, and the field schema with the column titles departments export.
//!
//! The default catalog lives in `data/catalog/catalog.toml` and is compiled in; a deployment may
//! load its own with [`Catalog::parse`]. Parsing validates the whole file (see [`CatalogError`]),
//! and [`Catalog::digest`] fingerprints the parsed catalog so a store can tell which catalog
//! version a record was stored under.
//!
//! Column headers are matched after [`normalize_header`]: full-width ASCII (including
//! `（）` brackets and `＿`) folds to half-width, a UTF-8 BOM, zero-width characters and all
//! whitespace are dropped, a trailing colon is dropped and ASCII letters are lower-cased — so
//! `罚款金额(万元)` finds the standard's `罚款金额（万元）`.
//!
//! Values are checked by [`FieldDef::parse_value`] for everything that needs no other module;
//! `uscc` / `id_number` / `uscc_or_id` fields are only normalised here, their check digits are
//! verified by the `codes` module at import time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The shipped default catalog (TOML).
pub const DEFAULT_CATALOG_TOML: &str = include_str!("../../../../data/catalog/catalog.toml");

mod errors;
mod kinds;
mod normalize;
mod parse;
mod publication;
mod record_type;
#[cfg(test)]
mod tests;
mod types;
mod values;

pub use errors::*;
pub use kinds::*;
pub use normalize::*;
pub use types::*;
pub use values::*;

/// Adds calendar months (one definition for the whole domain, see [`crate::dates`]).
pub use crate::dates::add_months;
