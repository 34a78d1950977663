//! HTTP routes of the JSON API, one module per area (the table of them is `crate::table`).
pub mod admin;
pub mod audit;
pub mod batches;
pub mod calendar;
pub mod cases;
pub mod checks;
pub mod credit_reports;
pub mod health;
pub mod input;
pub mod lists;
pub mod portal_pages;
pub mod records;
pub mod reference;
pub mod rights;
pub mod session;
pub mod staff;
pub mod subjects;
