//! The integration tests of chengxin-report, one binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod report;
