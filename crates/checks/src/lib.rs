//! Chengxin's check/intercept engine (核查拦截): the in-memory check index, built from the
//! store and kept current from its change log, and the evaluation of parties in a scenario.
//! Shared by the HTTP API (`POST /api/v1/checks`), `chengxin check` and `chengxin bench checks`.

mod application;
mod error;
mod evaluate;
mod found;
mod index;

pub use application::app_of;
pub use error::{CheckError, CheckResult};
pub use evaluate::{evaluate, PartyInput, PartyResult, MAX_PARTIES};
pub use found::{Audience, EntryRef, Found, MitigationRef, PartyQuery, RecordRef};
pub use index::CheckIndex;
