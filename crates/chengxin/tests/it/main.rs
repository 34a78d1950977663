//! The end-to-end tests of the chengxin binary, one test binary; plus the architecture rule
//! on the crates' dependencies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod backup;
mod calendar;
mod check;
mod cli;
mod common;
mod export;
mod feed;
mod privacy;
mod public_url;
mod report_verify;
mod tree_heads;
