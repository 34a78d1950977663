//! Application services shared by the HTTP API and the CLI: each checks the domain rules,
//! then calls the store.
pub mod accounts;
pub mod cases;
pub mod credit_reports;
pub mod imports;
pub mod lists;
pub mod records;
pub mod reports;
pub mod rights;
