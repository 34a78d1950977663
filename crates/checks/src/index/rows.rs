//! The index's fixed-size rows: a party (subject) and the rows of its runs in the entry and
//! record arenas, with the spans that point into the arenas.

use chengxin_domain::catalog::Disclosure;
use uuid::Uuid;

/// A disclosure (公开方式) as a row keeps it: one byte.
pub(super) fn disclosure_byte(d: Disclosure) -> u8 {
    match d {
        Disclosure::Public => 0,
        Disclosure::Shared => 1,
        Disclosure::Authorised => 2,
    }
}

/// The disclosure a row keeps (anything unknown is the most restricted).
pub(super) fn disclosure_of(b: u8) -> Disclosure {
    match b {
        0 => Disclosure::Public,
        1 => Disclosure::Shared,
        _ => Disclosure::Authorised,
    }
}

/// A span of the text arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Text {
    pub(super) at: u32,
    pub(super) len: u32,
}

/// A party's run in one of the row arenas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Run {
    pub(super) at: u32,
    pub(super) len: u32,
}

impl Run {
    pub(super) fn range(self) -> std::ops::Range<usize> {
        self.at as usize..self.at as usize + self.len as usize
    }
}

pub(super) const NONE: u32 = u32::MAX;

/// A subject in the index: 56 bytes, no heap of its own. Lengths are 16-bit: names are far
/// shorter than 64 KiB, and a subject's runs are capped at 65,535 rows (one counted record is
/// enough to intercept; [`Index::set_records`] logs the cut).
#[derive(Debug, Clone, Copy)]
pub(super) struct Party {
    pub(super) id: Uuid,
    /// The USCC's 18 ASCII bytes; all zero when the subject has none.
    pub(super) uscc: [u8; 18],
    pub(super) name_at: u32,
    /// Index into `Index::id_hashes`, or `NONE`.
    pub(super) id_hash: u32,
    pub(super) entries_at: u32,
    pub(super) records_at: u32,
    pub(super) name_len: u16,
    pub(super) entries_len: u16,
    pub(super) records_len: u16,
}

impl Party {
    pub(super) fn new(id: Uuid) -> Self {
        Self {
            id,
            uscc: [0; 18],
            name_at: 0,
            id_hash: NONE,
            entries_at: 0,
            records_at: 0,
            name_len: 0,
            entries_len: 0,
            records_len: 0,
        }
    }

    pub(super) fn name(&self) -> Text {
        Text {
            at: self.name_at,
            len: u32::from(self.name_len),
        }
    }

    pub(super) fn entries(&self) -> Run {
        Run {
            at: self.entries_at,
            len: u32::from(self.entries_len),
        }
    }

    pub(super) fn records(&self) -> Run {
        Run {
            at: self.records_at,
            len: u32::from(self.records_len),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct EntryRow {
    pub(super) id: Uuid,
    pub(super) list: u16,
    pub(super) effective: bool,
    /// The list's disclosure ([`disclosure_byte`]).
    pub(super) disclosure: u8,
    /// Index into `Index::mitigation_refs`, or `NONE`.
    pub(super) mitigation: u32,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct RecordRow {
    pub(super) id: Uuid,
    pub(super) type_code: u16,
    pub(super) severity: u16,
    pub(super) tolerated: bool,
    /// The record type's disclosure ([`disclosure_byte`]).
    pub(super) disclosure: u8,
    /// Days since the Common Era, as chrono counts them.
    pub(super) decision_date: i32,
    pub(super) doc_no: Text,
}
