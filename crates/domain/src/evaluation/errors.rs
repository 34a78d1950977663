//! The evaluation rules' refusals: each with a stable code and a Chinese message. Errors found
//! in the indicator file carry its line.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvalError {
    #[error("期间“{0}”无效：月度写作 2026-11，季度写作 2026-Q3，年度写作 2026")]
    PeriodInvalid(String),
    #[error("指标体系文件第 {line} 行：文件格式错误：{reason}")]
    FileInvalid { line: usize, reason: String },
    #[error("指标体系文件第 {line} 行：{what}的权重合计为 {sum}，与声明的 {declared} 不符")]
    WeightsMismatch {
        line: usize,
        what: String,
        declared: f64,
        sum: f64,
    },
    #[error("指标体系文件第 {line} 行：公式引用了未知的数据来源“{name}”")]
    UnknownSource { line: usize, name: String },
    #[error("指标体系文件第 {line} 行：数据来源“{name}”不存在（可用来源见 docs/EVALUATION.md）")]
    UnknownFamily { line: usize, name: String },
    #[error("指标体系文件第 {line} 行：公式之间存在循环引用：{cycle}")]
    Circular { line: usize, cycle: String },
    #[error("指标体系文件第 {line} 行：代码“{code}”重复")]
    Duplicate { line: usize, code: String },
    #[error("指标体系文件第 {line} 行：维度“{code}”未定义")]
    UnknownDimension { line: usize, code: String },
    #[error("指标体系文件第 {line} 行：公式第 {col} 个字符处有误：{reason}")]
    FormulaSyntax {
        line: usize,
        col: usize,
        reason: String,
    },
    #[error("指标体系文件第 {line} 行：公式类型错误：{reason}")]
    FormulaType { line: usize, reason: String },
    #[error("指标体系文件第 {line} 行：计分方法有误：{reason}")]
    ScoringInvalid { line: usize, reason: String },
    #[error("指标体系文件第 {line} 行：评价对象“{target}”无效：可填 province、prefecture、county、township、body")]
    TargetInvalid { line: usize, target: String },
    #[error("指标体系文件第 {line} 行：期间类型“{kind}”无效：可填 month、quarter、year")]
    PeriodKindInvalid { line: usize, kind: String },
    #[error("指标“{indicator}”的公式出现除以零（{expr}）：请在公式中用 if 处理分母为零的情况")]
    DivisionByZero { indicator: String, expr: String },
    #[error("指标“{indicator}”缺少数据来源“{name}”的数值")]
    MissingValue { indicator: String, name: String },
    #[error("指标“{indicator}”的公式结果不是有限数值")]
    NotFinite { indicator: String },
}

impl EvalError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PeriodInvalid(_) => "period_invalid",
            Self::FileInvalid { .. } => "indicator_file_invalid",
            Self::WeightsMismatch { .. } => "indicator_weights_mismatch",
            Self::UnknownSource { .. } => "formula_unknown_source",
            Self::UnknownFamily { .. } => "indicator_source_unknown",
            Self::Circular { .. } => "formula_circular",
            Self::Duplicate { .. } => "indicator_duplicate",
            Self::UnknownDimension { .. } => "indicator_dimension_unknown",
            Self::FormulaSyntax { .. } => "formula_syntax",
            Self::FormulaType { .. } => "formula_type",
            Self::ScoringInvalid { .. } => "scoring_invalid",
            Self::TargetInvalid { .. } => "indicator_target_invalid",
            Self::PeriodKindInvalid { .. } => "indicator_period_invalid",
            Self::DivisionByZero { .. } => "formula_division_by_zero",
            Self::MissingValue { .. } => "formula_missing_value",
            Self::NotFinite { .. } => "formula_not_finite",
        }
    }

    /// The indicator file's line the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::FileInvalid { line, .. }
            | Self::WeightsMismatch { line, .. }
            | Self::UnknownSource { line, .. }
            | Self::UnknownFamily { line, .. }
            | Self::Circular { line, .. }
            | Self::Duplicate { line, .. }
            | Self::UnknownDimension { line, .. }
            | Self::FormulaSyntax { line, .. }
            | Self::FormulaType { line, .. }
            | Self::ScoringInvalid { line, .. }
            | Self::TargetInvalid { line, .. }
            | Self::PeriodKindInvalid { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl crate::error::Coded for EvalError {
    fn code(&self) -> &'static str {
        EvalError::code(self)
    }

    fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::Invalid
    }
}
