//! Publication windows: when a record stops being published and when it may be repaired.

use super::*;

impl PublicationRule {
    /// When a record decided on `decision_date` stops being published.
    ///
    /// `severity` matters for [`PublicationRule::BySeverity`] only; `None` counts as 一般.
    /// `fields` are the row's checked values by field name: the until-field and the deadline
    /// field are read from them. An until-field that is empty, or at or after the 长期
    /// sentinel, gives [`PublicationEnd::Never`]. A row deadline is clamped to the severity's
    /// `[min, max]` window.
    pub fn publish_until(
        &self,
        decision_date: NaiveDate,
        severity: Option<Severity>,
        fields: &FieldValues,
    ) -> PublicationEnd {
        match self {
            Self::None => PublicationEnd::NotPublished,
            Self::FixedMonths { months } => {
                PublicationEnd::Until(add_months(decision_date, *months))
            }
            Self::BySeverity {
                periods,
                deadline_field,
            } => {
                let period = periods.get(severity.unwrap_or(Severity::General));
                if period.max_months == 0 {
                    return PublicationEnd::NotPublished;
                }
                let min_end = add_months(decision_date, period.min_months);
                let max_end = add_months(decision_date, period.max_months);
                let end = deadline_field
                    .as_ref()
                    .and_then(|f| fields.get(f))
                    .and_then(FieldValue::as_date)
                    .map_or(max_end, |d| d.clamp(min_end, max_end));
                PublicationEnd::Until(end)
            }
            Self::UntilField { field, long_term } => {
                match (fields.get(field).and_then(FieldValue::as_date), long_term) {
                    (Some(d), Some(lt)) if d >= *lt => PublicationEnd::Never,
                    (Some(d), _) => PublicationEnd::Until(d),
                    (None, _) => PublicationEnd::Never,
                }
            }
            Self::WhileInForce => PublicationEnd::Never,
        }
    }

    /// From when credit repair (信用修复) may end publication early: the end of the minimum
    /// publication period for [`PublicationRule::BySeverity`] (`None` counts as 一般), the
    /// decision date itself for rules without a minimum period, and `None` where there is
    /// nothing to repair (not published) or the severity is not repairable.
    pub fn repairable_from(
        &self,
        decision_date: NaiveDate,
        severity: Option<Severity>,
    ) -> Option<NaiveDate> {
        match self {
            Self::None => None,
            Self::BySeverity { periods, .. } => {
                let period = periods.get(severity.unwrap_or(Severity::General));
                period
                    .repairable
                    .then(|| add_months(decision_date, period.min_months))
            }
            Self::FixedMonths { .. } | Self::UntilField { .. } | Self::WhileInForce => {
                Some(decision_date)
            }
        }
    }
}
