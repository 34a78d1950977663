//! The payment terms and the arrears rules, as data (`data/arrears/payment_terms.toml`,
//! compiled in): the statutory term for SMEs (《保障中小企业款项支付条例》 第九条, 国务院令第802号,
//! in force 2025-06-01: 30 days from delivery — or from acceptance where acceptance is the payment
//! condition — at most 60 if agreed), the platform's default for other suppliers, and when an
//! arrear becomes a 失信 record.

use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::ArrearsError;
use crate::catalog::Severity;

const SHIPPED: &str = include_str!("../../../../data/arrears/payment_terms.toml");
static DEFAULT: OnceLock<Result<PaymentTerms, ArrearsError>> = OnceLock::new();

/// The statutory term for SMEs, with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmeTerms {
    pub regulation: String,
    pub decree: String,
    pub first_decree: String,
    pub effective: NaiveDate,
    pub article: String,
    pub default_days: u32,
    pub max_agreed_days: u32,
    pub interest_article: String,
    pub interest_note: String,
}

/// Suppliers that are not SMEs: the contract's term, else this platform default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonSmeTerms {
    pub default_days: u32,
    pub statutory: bool,
}

/// When an arrear becomes a 失信 record of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearsRules {
    /// Calendar days past due after which an unpaid arrear is recorded.
    pub record_after_days: u32,
    /// Days after a court judgment within which the body must pay.
    pub judgment_grace_days: u32,
    pub record_type: String,
    pub severity_overdue: String,
    pub severity_judgment: String,
}

/// The terms in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    pub version: String,
    pub sme: SmeTerms,
    pub non_sme: NonSmeTerms,
    pub arrears: ArrearsRules,
}

impl PaymentTerms {
    /// Parse and check a terms file.
    pub fn parse(text: &str) -> Result<Self, ArrearsError> {
        let t: PaymentTerms =
            toml::from_str(text).map_err(|e| ArrearsError::Terms(e.to_string()))?;
        if t.sme.default_days == 0 || t.sme.default_days > t.sme.max_agreed_days {
            return Err(ArrearsError::Terms(
                "中小企业付款期限须大于零且不超过约定上限".into(),
            ));
        }
        if t.sme.regulation.trim().is_empty()
            || t.sme.decree.trim().is_empty()
            || t.sme.article.trim().is_empty()
        {
            return Err(ArrearsError::Terms(
                "付款期限规则须注明法规名称、令号和条款".into(),
            ));
        }
        for s in [&t.arrears.severity_overdue, &t.arrears.severity_judgment] {
            if Severity::parse(s).is_none() {
                return Err(ArrearsError::Terms(format!("失信程度“{s}”无效")));
            }
        }
        if t.arrears.record_type.trim().is_empty() {
            return Err(ArrearsError::Terms("缺少失信信息类型".into()));
        }
        Ok(t)
    }

    /// The shipped terms, parsed once.
    pub fn shipped() -> Result<&'static PaymentTerms, ArrearsError> {
        DEFAULT
            .get_or_init(|| Self::parse(SHIPPED))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The payment term in days for a supplier (`sme`) and an agreed term, if any: an SME's
    /// agreed term may not exceed the statutory maximum (`payment_term_too_long`).
    pub fn term_days(&self, sme: bool, agreed: Option<u32>) -> Result<u32, ArrearsError> {
        match (sme, agreed) {
            (true, Some(a)) if a > self.sme.max_agreed_days => Err(ArrearsError::TermTooLong {
                agreed: a,
                max: self.sme.max_agreed_days,
                article: self.sme.article.clone(),
            }),
            (_, Some(0)) => Err(ArrearsError::AmountNotPositive),
            (_, Some(a)) => Ok(a),
            (true, None) => Ok(self.sme.default_days),
            (false, None) => Ok(self.non_sme.default_days),
        }
    }

    /// Where the term comes from, for people (`《保障中小企业款项支付条例》第九条（国务院令第802号）`).
    pub fn basis(&self, sme: bool, agreed: Option<u32>) -> String {
        match (sme, agreed) {
            (true, None) => format!(
                "《{}》{}（{}，{} 起施行）：自交付（或验收合格）之日起 {} 日内支付",
                self.sme.regulation,
                self.sme.article,
                self.sme.decree,
                self.sme.effective,
                self.sme.default_days
            ),
            (true, Some(a)) => format!(
                "合同约定 {a} 日（《{}》{}：约定期限最长不得超过 {} 日）",
                self.sme.regulation, self.sme.article, self.sme.max_agreed_days
            ),
            (false, Some(a)) => format!("合同约定 {a} 日"),
            (false, None) => format!(
                "合同未约定，按平台默认 {} 日（非中小企业，非法定期限）",
                self.non_sme.default_days
            ),
        }
    }

    /// The due date of a payment counted from `from` (delivery or acceptance).
    pub fn due_from(&self, from: NaiveDate, days: u32) -> NaiveDate {
        from + Duration::days(i64::from(days))
    }
}
