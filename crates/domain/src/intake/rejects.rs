//! How many rejected rows a batch keeps, and when a file is the wrong one.
//!
//! A file of two million bad rows must not become two million stored rows (issue 16 point 7):
//! a batch keeps the first [`RejectLimits::keep`] rejected rows with every reason, counts the
//! rest (in total and by reason), and is stopped once its reject ratio shows that the file is
//! not the data it claims to be — after [`RejectLimits::judge_after`] rows, at
//! [`RejectLimits::stop_percent`] or more rejected.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The bounds of one batch's rejected rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectLimits {
    /// Rejected rows kept (with the row as submitted and every reason) for the error report.
    pub keep: u64,
    /// Rows read before the reject ratio is judged.
    pub judge_after: u64,
    /// Reject percentage at or above which the batch is stopped as the wrong file (1–100;
    /// above 100: never).
    pub stop_percent: u64,
}

impl Default for RejectLimits {
    fn default() -> Self {
        Self {
            keep: 10_000,
            judge_after: 1_000,
            stop_percent: 90,
        }
    }
}

/// One reason rows were rejected for, and how many rows gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// The stable code (e.g. `bad_date`); the message itself when it has none.
    pub code: String,
    /// The message of the first row that gave it (without the column).
    pub message: String,
    pub rows: u64,
}

/// Splits a kept reason (`列：消息〔code〕`, see the import) into its code and message.
pub fn reason_parts(reason: &str) -> (&str, &str) {
    let (text, code) = match reason.strip_suffix('〕').and_then(|r| r.rsplit_once('〔')) {
        Some((text, code)) if !code.is_empty() => (text, Some(code)),
        _ => (reason, None),
    };
    let message = text.split_once('：').map_or(text, |(_, m)| m);
    (code.unwrap_or(message), message)
}

/// A kept reason as people read it (error reports, the console, the pre-check): `列：消息`,
/// without the stable code the tally keeps — messages end in Chinese (issue 17).
pub fn reason_text(reason: &str) -> &str {
    match reason.strip_suffix('〕').and_then(|r| r.rsplit_once('〔')) {
        Some((text, code))
            if !code.is_empty()
                && code
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') =>
        {
            text
        }
        _ => reason,
    }
}

/// A batch stopped as the wrong file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongFile {
    pub read: u64,
    pub rejected: u64,
    /// The commonest reasons, most rows first (at most three).
    pub top: Vec<ReasonCount>,
}

impl WrongFile {
    /// The Chinese message for the submitter.
    pub fn message(&self) -> String {
        let top: Vec<String> = self
            .top
            .iter()
            .map(|r| format!("{}（{} 行）", r.message, r.rows))
            .collect();
        format!(
            "已读取的 {} 行中有 {} 行未通过校验，疑似选错了文件或数据类型，导入已停止，未保存任何数据。最常见的问题：{}",
            self.read,
            self.rejected,
            top.join("；")
        )
    }
}

/// The running count of one batch's rows.
#[derive(Debug, Clone, Default)]
pub struct RejectTally {
    limits: RejectLimits,
    read: u64,
    rejected: u64,
    kept: u64,
    /// By code: first message, rows, order first seen.
    by_reason: BTreeMap<String, (String, u64, usize)>,
}

impl RejectTally {
    pub fn new(limits: RejectLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Rows that passed.
    pub fn accepted(&mut self, rows: u64) {
        self.read += rows;
    }

    /// A rejected row with its reasons: whether it is kept (else only counted).
    pub fn rejected(&mut self, reasons: &[String]) -> bool {
        self.read += 1;
        self.rejected += 1;
        for r in reasons {
            let (code, message) = reason_parts(r);
            let next = self.by_reason.len();
            let e = self
                .by_reason
                .entry(code.to_string())
                .or_insert_with(|| (message.to_string(), 0, next));
            e.1 += 1;
        }
        if self.kept < self.limits.keep {
            self.kept += 1;
            true
        } else {
            false
        }
    }

    /// Rejected rows counted but not kept.
    pub fn not_kept(&self) -> u64 {
        self.rejected - self.kept
    }

    /// Reasons by rows, most first (ties: first seen first).
    pub fn reasons(&self) -> Vec<ReasonCount> {
        let mut v: Vec<(&String, &(String, u64, usize))> = self.by_reason.iter().collect();
        v.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.1 .2.cmp(&b.1 .2)));
        v.into_iter()
            .map(|(code, (message, rows, _))| ReasonCount {
                code: code.clone(),
                message: message.clone(),
                rows: *rows,
            })
            .collect()
    }

    /// `Some` once enough rows are read and too many of them were rejected.
    pub fn wrong_file(&self) -> Option<WrongFile> {
        let judged = self.read >= self.limits.judge_after.max(1);
        let too_many =
            self.rejected.saturating_mul(100) >= self.read.saturating_mul(self.limits.stop_percent);
        (judged && too_many && self.rejected > 0).then(|| WrongFile {
            read: self.read,
            rejected: self.rejected,
            top: self.reasons().into_iter().take(3).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(keep: u64) -> RejectLimits {
        RejectLimits {
            keep,
            judge_after: 10,
            stop_percent: 90,
        }
    }

    #[test]
    fn reason_text_drops_only_a_code() {
        assert_eq!(
            reason_text("决定日期：日期不存在〔bad_date〕"),
            "决定日期：日期不存在"
        );
        assert_eq!(reason_text("缺少主体〔no_subject〕"), "缺少主体");
        assert_eq!(
            reason_text("依据《条例》〔第三条〕"),
            "依据《条例》〔第三条〕"
        );
        assert_eq!(reason_text("无代码"), "无代码");
    }

    #[test]
    fn reasons_split_into_code_and_message() {
        assert_eq!(
            reason_parts("决定日期：日期不存在〔bad_date〕"),
            ("bad_date", "日期不存在")
        );
        assert_eq!(
            reason_parts("缺少主体〔no_subject〕"),
            ("no_subject", "缺少主体")
        );
        assert_eq!(reason_parts("文书号重复"), ("文书号重复", "文书号重复"));
    }

    #[test]
    fn keeps_the_first_rows_and_counts_the_rest() {
        let mut t = RejectTally::new(limits(3));
        let r = vec!["决定日期：日期不存在〔bad_date〕".to_string()];
        let kept: Vec<bool> = (0..5).map(|_| t.rejected(&r)).collect();
        assert_eq!(kept, [true, true, true, false, false]);
        assert_eq!(t.not_kept(), 2);
        assert_eq!(t.reasons()[0].rows, 5);
    }

    #[test]
    fn reasons_are_ordered_by_rows() {
        let mut t = RejectTally::new(limits(100));
        t.rejected(&["a〔x〕".into()]);
        t.rejected(&["b〔y〕".into(), "a〔x〕".into()]);
        t.rejected(&["b〔y〕".into()]);
        t.rejected(&["b〔y〕".into()]);
        let codes: Vec<(String, u64)> = t.reasons().into_iter().map(|r| (r.code, r.rows)).collect();
        assert_eq!(codes, [("y".into(), 3), ("x".into(), 2)]);
    }

    #[test]
    fn a_wrong_file_is_judged_only_after_enough_rows() {
        let mut t = RejectTally::new(limits(100));
        for _ in 0..9 {
            t.rejected(&["x〔x〕".into()]);
        }
        assert!(t.wrong_file().is_none(), "9 rows are too few to judge");
        t.rejected(&["x〔x〕".into()]);
        let w = t.wrong_file().expect("10 of 10 rejected");
        assert_eq!((w.read, w.rejected), (10, 10));
        assert!(w.message().contains("10 行中有 10 行"));
    }

    #[test]
    fn a_file_with_some_bad_rows_goes_on() {
        let mut t = RejectTally::new(limits(100));
        for i in 0..1000 {
            if i % 5 == 0 {
                t.rejected(&["x〔x〕".into()]);
            } else {
                t.accepted(1);
            }
        }
        assert!(
            t.wrong_file().is_none(),
            "20 % rejected is a file with errors, not the wrong file"
        );
    }
}
