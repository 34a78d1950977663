//! The arrears ledger's state machine. An arrear is an unpaid amount past due, owed by a body
//! to a creditor: entered by the daily sweep from an overdue payment milestone (已确认: the
//! body's own contract says so), registered by the credit office, or reported by the
//! enterprise through the portal (企业反映待确认, until the body or the credit office confirms
//! it or rejects it as 不属实 with a reason). Payments reduce it (部分清偿) until it is cleared
//! (已清偿); a payment never exceeds what is outstanding.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{ArrearsError, ArrearsRules};
use crate::commitments::format_yuan;

/// State of an arrear.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrearState {
    /// 企业反映待确认.
    Reported,
    /// 已确认.
    Confirmed,
    /// 部分清偿.
    PartlyPaid,
    /// 已清偿.
    Cleared,
    /// 不属实（驳回）.
    Rejected,
}

impl ArrearState {
    pub const ALL: [ArrearState; 5] = [
        Self::Reported,
        Self::Confirmed,
        Self::PartlyPaid,
        Self::Cleared,
        Self::Rejected,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reported => "reported",
            Self::Confirmed => "confirmed",
            Self::PartlyPaid => "partly_paid",
            Self::Cleared => "cleared",
            Self::Rejected => "rejected",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Reported => "企业反映待确认",
            Self::Confirmed => "已确认",
            Self::PartlyPaid => "部分清偿",
            Self::Cleared => "已清偿",
            Self::Rejected => "不属实（驳回）",
        }
    }

    /// Whether the body owes the amount (confirmed and not cleared).
    pub fn is_owed(self) -> bool {
        matches!(self, Self::Confirmed | Self::PartlyPaid)
    }
}

/// How an arrear entered the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrearSource {
    /// The daily sweep, from an overdue payment milestone.
    Contract,
    /// The enterprise, through the portal.
    Portal,
    /// The credit office (e.g. from the 12345 hotline or a 专项治理 survey).
    Office,
}

impl ArrearSource {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contract" => Some(Self::Contract),
            "portal" => Some(Self::Portal),
            "office" => Some(Self::Office),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contract => "contract",
            Self::Portal => "portal",
            Self::Office => "office",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Contract => "合同付款逾期（系统自动登记）",
            Self::Portal => "企业反映",
            Self::Office => "信用办登记",
        }
    }

    /// The state an arrear enters with: a report waits for the body's confirmation.
    pub fn initial_state(self) -> ArrearState {
        match self {
            Self::Portal => ArrearState::Reported,
            Self::Contract | Self::Office => ArrearState::Confirmed,
        }
    }
}

/// A step on an arrear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArrearAction {
    /// 确认 (the body or the credit office).
    Confirm,
    /// 驳回: the report is not true (不属实), with the reason.
    Reject { reason: String },
    /// 付款 of `amount_fen` on a day.
    Pay { amount_fen: i64, on: NaiveDate },
    /// A court judgment ordering payment (生效判决): its number and date. A reported arrear a
    /// court has ruled on is confirmed by it.
    Judgment { doc_no: String, on: NaiveDate },
}

impl ArrearAction {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Confirm => "确认",
            Self::Reject { .. } => "驳回",
            Self::Pay { .. } => "登记付款",
            Self::Judgment { .. } => "登记法院判决",
        }
    }
}

/// What the machine needs of an arrear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrear {
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub state: ArrearState,
    pub cleared_on: Option<NaiveDate>,
}

impl Arrear {
    /// What is still owed.
    pub fn outstanding(&self) -> i64 {
        (self.amount_fen - self.paid_fen).max(0)
    }

    /// The arrear after `action` (or the refusal).
    pub fn apply(&self, action: &ArrearAction) -> Result<Arrear, ArrearsError> {
        let illegal = || ArrearsError::IllegalStep {
            state: self.state.label(),
            action: action.label(),
        };
        match action {
            ArrearAction::Confirm => match self.state {
                ArrearState::Reported => Ok(Arrear {
                    state: ArrearState::Confirmed,
                    ..*self
                }),
                _ => Err(illegal()),
            },
            ArrearAction::Reject { reason } => {
                if reason.trim().is_empty() {
                    return Err(ArrearsError::Required("驳回理由"));
                }
                match self.state {
                    ArrearState::Reported => Ok(Arrear {
                        state: ArrearState::Rejected,
                        ..*self
                    }),
                    _ => Err(illegal()),
                }
            }
            ArrearAction::Pay { amount_fen, on } => {
                if !self.state.is_owed() {
                    return Err(illegal());
                }
                if *amount_fen <= 0 {
                    return Err(ArrearsError::AmountNotPositive);
                }
                if *amount_fen > self.outstanding() {
                    return Err(ArrearsError::PaymentExceedsOutstanding {
                        paid: format_yuan(*amount_fen),
                        outstanding: format_yuan(self.outstanding()),
                    });
                }
                let paid = self.paid_fen + amount_fen;
                let cleared = paid >= self.amount_fen;
                Ok(Arrear {
                    paid_fen: paid,
                    state: if cleared {
                        ArrearState::Cleared
                    } else {
                        ArrearState::PartlyPaid
                    },
                    cleared_on: cleared.then_some(*on),
                    ..*self
                })
            }
            ArrearAction::Judgment { doc_no, .. } => {
                if doc_no.trim().is_empty() {
                    return Err(ArrearsError::Required("判决文书号"));
                }
                match self.state {
                    ArrearState::Reported => Ok(Arrear {
                        state: ArrearState::Confirmed,
                        ..*self
                    }),
                    s if s.is_owed() => Ok(*self),
                    _ => Err(illegal()),
                }
            }
        }
    }
}

/// Why an arrear becomes a 失信 record of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordReason {
    /// Unpaid beyond the configured number of days past due.
    OverdueBeyondLimit { days: i64 },
    /// A court judgment unpaid past its grace.
    JudgmentUnpaid,
}

impl RecordReason {
    pub fn describe(&self, limit: u32) -> String {
        match self {
            Self::OverdueBeyondLimit { days } => {
                format!("逾期未支付已达 {days} 日，超过规定的 {limit} 日")
            }
            Self::JudgmentUnpaid => "法院生效判决确定的款项逾期未支付".into(),
        }
    }
}

/// Whether an arrear (still owed, not yet recorded) must become a 失信 record on `today`: a
/// court judgment unpaid past its grace first, then overdue beyond the limit.
pub fn record_reason(
    a: &Arrear,
    due: NaiveDate,
    judgment_on: Option<NaiveDate>,
    today: NaiveDate,
    rules: &ArrearsRules,
) -> Option<RecordReason> {
    if !a.state.is_owed() || a.outstanding() == 0 {
        return None;
    }
    if let Some(j) = judgment_on {
        if (today - j).num_days() > i64::from(rules.judgment_grace_days) {
            return Some(RecordReason::JudgmentUnpaid);
        }
    }
    let days = (today - due).num_days();
    (days > i64::from(rules.record_after_days)).then_some(RecordReason::OverdueBeyondLimit { days })
}
