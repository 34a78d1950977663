//! The refusals of the debt rules: each with a stable code and a Chinese message.

use thiserror::Error;

use crate::error::{Coded, ErrorKind};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DebtError {
    #[error("债务风险等级数据无法读取：{0}")]
    Levels(String),
    #[error("金额“{0}”无效：应为以万元为单位的数字，最多六位小数")]
    AmountInvalid(String),
    #[error("金额“{0}”为负数：债务余额和综合财力不能为负")]
    AmountNegative(String),
    #[error("综合财力为零，无法计算债务率（不按零处理）")]
    CapacityZero,
    #[error("金额过大，超出可计算范围")]
    Overflow,
}

impl DebtError {
    pub fn code(&self) -> &'static str {
        match self {
            DebtError::Levels(_) => "debt_levels_invalid",
            DebtError::AmountInvalid(_) => "debt_amount_invalid",
            DebtError::AmountNegative(_) => "debt_amount_negative",
            DebtError::CapacityZero => "debt_capacity_zero",
            DebtError::Overflow => "debt_amount_overflow",
        }
    }
}

impl Coded for DebtError {
    fn code(&self) -> &'static str {
        DebtError::code(self)
    }
    fn kind(&self) -> ErrorKind {
        match self {
            DebtError::Levels(_) => ErrorKind::Internal,
            _ => ErrorKind::Invalid,
        }
    }
}
