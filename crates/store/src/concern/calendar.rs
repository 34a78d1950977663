//! Years of the official working-day calendar loaded at run time, and the calendar in effect
//! (the shipped file with the loaded years merged in).

use async_trait::async_trait;
use chengxin_domain::calendar::{CalendarDoc, CalendarError, CalendarYear, WorkCalendar};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// One loaded year of the calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarYearRow {
    pub year: i32,
    /// The year with the fields of one `[[years]]` entry of the calendar file
    /// ([`CalendarYear::to_document`]).
    pub document: serde_json::Value,
    /// The file it was loaded from (its name only).
    pub source: String,
    /// Actor who loaded it (`account:<username>`, `cli:calendar-load` …).
    pub loaded_by: String,
    pub loaded_at: DateTime<Utc>,
}

impl CalendarYearRow {
    /// The year's data, validated as strictly as a loaded file.
    pub fn calendar_year(&self) -> Result<CalendarYear, CalendarError> {
        CalendarYear::from_document(&self.document)
    }
}

/// What a write of calendar years did, year by year (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CalendarPut {
    /// Years stored for the first time.
    pub created: Vec<i32>,
    /// Years stored before with a different document, replaced as asked.
    pub replaced: Vec<i32>,
    /// Years stored before with the same document: nothing written.
    pub unchanged: Vec<i32>,
}

/// Loaded years of the official calendar.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The loaded years, in order.
    async fn calendar_years(&self) -> Result<Vec<CalendarYearRow>>;
    /// Store `years` (loaded from the file `source`) in one transaction, each change logged
    /// as `calendar_year`. A year stored before with the same document is left alone; with a
    /// different one it is `calendar_year_already_covered` unless `replace`. Whether the years
    /// fit the calendar in effect (contiguous, shipped years replaced only when asked) is
    /// [`load_calendar`]'s business.
    async fn put_calendar_years(
        &self,
        actor: &str,
        source: &str,
        years: &[CalendarYear],
        replace: bool,
    ) -> Result<CalendarPut>;
}

/// The calendar in effect: the shipped calendar with the loaded years merged in (a loaded year
/// takes the place of a shipped year of the same number). Errors if a stored year no longer
/// reads (edited behind the platform's back: `verify` names it) or the years leave a gap.
pub async fn effective_calendar<S: CalendarStore + ?Sized>(store: &S) -> Result<WorkCalendar> {
    let loaded = store
        .calendar_years()
        .await?
        .iter()
        .map(CalendarYearRow::calendar_year)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(WorkCalendar::effective(WorkCalendar::official(), &loaded)?)
}

/// What loading a calendar file did.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarLoad {
    /// Years not covered before.
    pub added: Vec<i32>,
    /// Years covered before with different content, replaced as asked: deadlines in them
    /// may change.
    pub replaced: Vec<i32>,
    /// Years covered before with the same content: nothing written.
    pub unchanged: Vec<i32>,
    pub first_year: i32,
    pub last_year: i32,
    /// The calendar in effect after the load.
    #[serde(skip)]
    pub calendar: WorkCalendar,
}

/// Load a validated calendar document ([`CalendarDoc::parse`]) into the calendar in effect:
/// merged with the domain's rules (the covered years stay contiguous; a covered year with
/// different content is `calendar_year_already_covered` unless `replace`), then the added and
/// replaced years stored, change-logged, as loaded by `actor` from the file `source`.
/// Deadlines computed provisionally in the added years, and any in the replaced ones, are
/// the caller's to recompute.
pub async fn load_calendar<S: CalendarStore + ?Sized>(
    store: &S,
    actor: &str,
    source: &str,
    doc: &CalendarDoc,
    replace: bool,
) -> Result<CalendarLoad> {
    let merged = effective_calendar(store).await?.merge(doc, replace)?;
    let to_store: Vec<CalendarYear> = doc
        .years()
        .iter()
        .filter(|y| merged.added.contains(&y.year) || merged.replaced.contains(&y.year))
        .cloned()
        .collect();
    if !to_store.is_empty() {
        store
            .put_calendar_years(actor, source, &to_store, replace)
            .await?;
    }
    let covered = merged.calendar.covered_years();
    Ok(CalendarLoad {
        added: merged.added,
        replaced: merged.replaced,
        unchanged: merged.unchanged,
        first_year: *covered.start(),
        last_year: *covered.end(),
        calendar: merged.calendar,
    })
}
