//! HTTP routes, one module per area.
pub mod batches;
pub mod health;
pub mod records;
pub mod reference;
