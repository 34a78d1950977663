//! The store's concerns: for each, the sub-trait of [`crate::Store`] and the row types it
//! reads and writes. Everything here is re-exported at the crate root.

pub mod accounts;
pub mod arrears;
pub mod audit;
pub mod batches;
pub mod calendar;
pub mod cases;
pub mod commitments;
pub mod debt;
pub mod debtors;
pub mod evaluation;
pub mod exchange;
pub mod feed;
pub mod lists;
pub mod log;
pub mod merkle;
pub mod meta;
pub mod notifications;
pub mod portal;
pub mod ppp;
pub mod records;
pub mod reports;
pub mod rights;
pub mod staff;
pub mod subjects;
pub mod work_items;
