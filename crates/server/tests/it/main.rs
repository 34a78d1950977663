//! The HTTP tests of chengxin-server, one binary: the real router over a fresh store on
//! each backend (harness: `chengxin-testkit`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod access;
mod access_items;
mod api;
mod arrears;
mod authority;
mod calendar;
mod check_privacy;
mod checks;
mod clerk;
mod closed_loop;
mod commitments;
mod console;
mod console_work;
mod control_chars;
mod corrections;
mod credit_reports;
mod csp;
mod desk;
mod duties;
mod error_reports;
mod evaluation;
mod flood;
mod free_text;
mod hardening;
mod imports;
mod jurisdiction;
mod login;
mod page_names;
mod portal;
mod portal_content;
mod portal_subject;
mod ppp;
mod propose_picker;
mod rejects;
mod report_settings;
mod report_view;
mod rights;
mod sanctions;
mod search_counts;
mod site;
mod staff;
mod tree_log;
mod work_items;
