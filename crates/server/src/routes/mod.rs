//! HTTP routes, one module per area, and the route table every request is checked against.
pub mod admin;
pub mod audit;
pub mod batches;
pub mod cases;
pub mod checks;
pub mod credit_reports;
pub mod health;
pub mod input;
pub mod lists;
pub mod records;
pub mod reference;
pub mod rights;
pub mod session;
pub mod subjects;
pub mod table;
