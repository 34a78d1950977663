//! The integration tests of chengxin-store, one binary: the conformance suite on both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod calendar;
mod conformance;
