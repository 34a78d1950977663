//! One classification for the domain's errors: every error has a stable snake_case code and a
//! kind ([`ErrorKind`]) that callers map to their own responses (HTTP status, exit code, …).

use crate::authority::{AuthorityError, NotAuthorised};
use crate::calendar::CalendarError;
use crate::catalog::{CatalogError, FieldError};
use crate::codes::CodeError;
use crate::intake::MappingError;
use crate::lists::{CaseError, EntryError, ListsError};
use crate::records::correction::CorrectionError;
use crate::records::TransitionError;
use crate::regions::RegionError;
use crate::rights::RightsError;

/// What kind of failure an error is, independently of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is malformed or breaks a rule (a bad code, a missing field, a bad file).
    Invalid,
    /// What the input refers to does not exist.
    NotFound,
    /// The request is well-formed but not allowed in the current state (an illegal
    /// transition, a period not yet over).
    Conflict,
    /// The caller may not do this.
    Forbidden,
    /// The caller has not (validly) identified themselves: log in, or present a valid token.
    Unauthenticated,
    /// Too many requests; try again later.
    RateLimited,
    /// Something the operation needs is missing for now (e.g. the calendar does not cover
    /// the year, the catalog could not be loaded).
    Unavailable,
    /// A fault of the platform itself.
    Internal,
}

/// An error with a stable code (as returned by the error's own `code()`) and a kind.
pub trait Coded {
    /// Stable snake_case code for APIs and logs.
    fn code(&self) -> &'static str;
    /// What kind of failure this is.
    fn kind(&self) -> ErrorKind;
}

/// Implements [`Coded`] with the error's inherent `code()` and the given kind mapping.
macro_rules! coded {
    ($ty:ty, |$e:ident| $kind:expr) => {
        impl Coded for $ty {
            fn code(&self) -> &'static str {
                <$ty>::code(self)
            }

            fn kind(&self) -> ErrorKind {
                let $e = self;
                $kind
            }
        }
    };
}

coded!(CatalogError, |e| match e {
    CatalogError::Serialize(_) => ErrorKind::Internal,
    _ => ErrorKind::Invalid,
});

coded!(FieldError, |_e| ErrorKind::Invalid);

coded!(CalendarError, |e| match e {
    CalendarError::YearNotCovered { .. } => ErrorKind::Unavailable,
    CalendarError::YearAlreadyCovered { .. } | CalendarError::YearGap { .. } => {
        ErrorKind::Conflict
    }
    _ => ErrorKind::Invalid,
});

coded!(RegionError, |_e| ErrorKind::Invalid);

coded!(AuthorityError, |_e| ErrorKind::Invalid);

coded!(NotAuthorised, |_e| ErrorKind::Forbidden);

coded!(CodeError, |_e| ErrorKind::Invalid);

coded!(MappingError, |_e| ErrorKind::Invalid);

coded!(TransitionError, |e| match e {
    TransitionError::NoteRequired => ErrorKind::Invalid,
    TransitionError::Illegal { .. }
    | TransitionError::NotNegative
    | TransitionError::AlreadyTolerated => ErrorKind::Conflict,
});

coded!(CorrectionError, |_e| ErrorKind::Invalid);

coded!(ListsError, |e| match e {
    ListsError::Catalog(_) => ErrorKind::Unavailable,
    ListsError::UnknownScenario(_) => ErrorKind::NotFound,
    _ => ErrorKind::Invalid,
});

coded!(EntryError, |e| match e {
    EntryError::Calendar(c) => Coded::kind(c),
    EntryError::MissingField(_)
    | EntryError::InvalidRecognisingBody { .. }
    | EntryError::PublicityRequired
    | EntryError::BadValidity { .. }
    | EntryError::ReasonRequired(_)
    | EntryError::DateBeforeLast { .. }
    | EntryError::DateOutOfRange => ErrorKind::Invalid,
    _ => ErrorKind::Conflict,
});

coded!(CaseError, |e| match e {
    CaseError::Calendar(c) => Coded::kind(c),
    CaseError::UnknownList(_) => ErrorKind::NotFound,
    CaseError::DateBeforePrevious { .. } => ErrorKind::Invalid,
    CaseError::NotYourStep { .. } => ErrorKind::Forbidden,
    _ => ErrorKind::Conflict,
});

coded!(RightsError, |e| match e {
    RightsError::Rules(_) | RightsError::NoRuleVersion(_) => ErrorKind::Internal,
    RightsError::Calendar(_) => ErrorKind::Unavailable,
    RightsError::IllegalTransition { .. }
    | RightsError::WrongKind { .. }
    | RightsError::CorrectListEntry
    | RightsError::PeriodNotReached { .. }
    | RightsError::NotRepairable
    | RightsError::NotNegative
    | RightsError::NotRepairableStatus(_)
    | RightsError::Barred { .. } => ErrorKind::Conflict,
    _ => ErrorKind::Invalid,
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trait_code_is_the_inherent_code() {
        let e = CatalogError::NoTypes;
        assert_eq!(Coded::code(&e), e.code());
        assert_eq!(e.kind(), ErrorKind::Invalid);
        let e = TransitionError::AlreadyTolerated;
        assert_eq!(Coded::code(&e), "already_tolerated");
        assert_eq!(e.kind(), ErrorKind::Conflict);
        let e = RightsError::Calendar("2099".into());
        assert_eq!(Coded::code(&e), "calendar_year_not_covered");
        assert_eq!(e.kind(), ErrorKind::Unavailable);
        let e = EntryError::Calendar(CalendarError::NoYears);
        assert_eq!(Coded::code(&e), e.code());
        assert_eq!(e.kind(), ErrorKind::Invalid);
        let e = CaseError::UnknownList("x".into());
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
}
