//! Exchange with other platforms (issue 21): the daily incremental export to the national
//! platform (`national`). The sector platforms (公共资源交易, 行政执法) use the existing
//! read-only check and lookup endpoints (docs/SHARING.md).

pub mod national;
