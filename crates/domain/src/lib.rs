//! Chengxin's pure domain core: identifier codes, administrative regions, the official
//! working-day calendar, the credit-information catalog, subjects and records.
//!
//! Nothing in this crate does I/O: data files are compiled in with `include_str!` and parsed
//! on first use, so every rule here can be unit- and property-tested without a database.

pub mod arrears;
pub mod authority;
pub mod calendar;
pub mod catalog;
pub mod codes;
pub mod commitments;
pub mod dates;
pub mod debt;
pub mod error;
pub mod evaluation;
pub mod exchange;
pub mod intake;
pub mod lists;
pub mod merkle;
pub mod names;
pub mod notify;
pub mod ppp;
pub mod records;
pub mod regions;
pub mod reports;
pub mod rights;
pub mod staff;
pub mod subjects;
pub mod text;
pub mod work;
