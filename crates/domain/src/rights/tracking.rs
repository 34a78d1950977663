//! Tracking numbers and what the public sees when looking one up.

use super::*;

/// What the public sees when looking up a tracking number: nothing beyond the application's
/// progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tracking {
    pub tracking_no: String,
    pub kind: AppKind,
    pub kind_label: String,
    pub state: AppState,
    pub state_label: String,
    /// Who acts next (a role, never a person's name).
    pub next_step: Option<String>,
    pub due: Option<NaiveDate>,
    pub filed_on: NaiveDate,
    pub updated_at: DateTime<Utc>,
}

impl Application {
    pub fn tracking(&self) -> Tracking {
        let next_step = self.next.as_ref().map(|p| match p {
            Party::CreditOffice if self.state == AppState::Submitted => "信用办受理审查".into(),
            Party::CreditOffice if self.state == AppState::Approved => "共享修复结果".into(),
            Party::CreditOffice if self.kind == AppKind::Complaint => "信用办核实办理".into(),
            Party::CreditOffice => "信用办答复".into(),
            Party::Department(_) if self.kind == AppKind::Objection => "数据来源单位核查".into(),
            Party::Department(_) => "认定单位审核".into(),
            Party::Applicant => "申请人补正".into(),
        });
        Tracking {
            tracking_no: self.tracking_no.clone(),
            kind: self.kind,
            kind_label: self.kind.label().into(),
            state: self.state,
            state_label: self.state.label().into(),
            next_step,
            due: self.due,
            filed_on: self.filed_on,
            updated_at: self.steps.last().map(|s| s.at).unwrap_or(self.created_at),
        }
    }
}

/// A tracking number: prefix, filing date, and 8 random characters from an alphabet without
/// look-alikes (so it cannot be guessed from its neighbours). `random` supplies the entropy.
pub fn tracking_no(kind: AppKind, day: NaiveDate, random: [u8; 8]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let tail: String = random
        .iter()
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect();
    format!("{}{}{}", kind.prefix(), day.format("%Y%m%d"), tail)
}

/// Whether a string looks like a tracking number (checked before any lookup).
pub fn is_tracking_no(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 18
        && AppKind::ALL.iter().any(|k| s.starts_with(k.prefix()))
        && b[2..10].iter().all(u8::is_ascii_digit)
        && b[10..]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
}
