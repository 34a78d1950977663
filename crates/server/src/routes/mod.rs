//! HTTP routes, one module per area.
pub mod health;
pub mod reference;
pub mod records;
