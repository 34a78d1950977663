//! List entries and their procedure (proposed → publicity → effective → removed).

use super::*;

/// Where a list entry is in its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// 拟列入 — proposed, not yet announced.
    Proposed,
    /// 公示中 — prior notice and publicity window; objections can be raised.
    Publicity,
    /// 已生效 — on the list.
    Effective,
    /// 已移出 — removed; kept with its history.
    Removed,
}

impl EntryStatus {
    /// All statuses.
    pub const ALL: [EntryStatus; 4] = [
        Self::Proposed,
        Self::Publicity,
        Self::Effective,
        Self::Removed,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Publicity => "publicity",
            Self::Effective => "effective",
            Self::Removed => "removed",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "拟列入",
            Self::Publicity => "公示中",
            Self::Effective => "已生效",
            Self::Removed => "已移出",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether the entry is still on (or on its way onto) the list.
    pub fn is_active(self) -> bool {
        !matches!(self, Self::Removed)
    }
}

/// Why an entry left its list (移出原因).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// 有效期届满.
    Expired,
    /// 信用修复.
    Repaired,
    /// 撤销认定 (withdrawn by the recognising body, including a proposal dropped before it took effect).
    Revoked,
    /// 数据源已移出 — an imported entry no longer in its source.
    SourceRemoved,
    /// 异议成立.
    ObjectionUpheld,
}

impl RemovalReason {
    /// All reasons.
    pub const ALL: [RemovalReason; 5] = [
        Self::Expired,
        Self::Repaired,
        Self::Revoked,
        Self::SourceRemoved,
        Self::ObjectionUpheld,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Expired => "expired",
            Self::Repaired => "repaired",
            Self::Revoked => "revoked",
            Self::SourceRemoved => "source_removed",
            Self::ObjectionUpheld => "objection_upheld",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Expired => "有效期届满",
            Self::Repaired => "信用修复",
            Self::Revoked => "撤销认定",
            Self::SourceRemoved => "数据源已移出",
            Self::ObjectionUpheld => "异议成立",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether a person must give a note (the decision or its document) for this removal.
    /// Expiry and source removal are established facts; the others are decisions.
    pub fn needs_note(self) -> bool {
        matches!(self, Self::Repaired | Self::Revoked | Self::ObjectionUpheld)
    }
}

/// A step of an entry's procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum EntryAction {
    /// 公示 — start the prior notice and publicity window.
    StartPublicity,
    /// 提出异议 — an objection raised during publicity.
    RaiseObjection,
    /// 异议不成立 — an objection answered and dismissed.
    DismissObjection,
    /// 生效 — the entry takes effect; `until` sets its own end date where the list allows it.
    TakeEffect {
        /// The entry's own last day on the list.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
    /// 移出.
    Remove {
        /// Why.
        reason: RemovalReason,
    },
}

impl EntryAction {
    /// Stable snake_case code (`remove_<reason>` for removals).
    pub fn code(self) -> &'static str {
        match self {
            Self::StartPublicity => "start_publicity",
            Self::RaiseObjection => "raise_objection",
            Self::DismissObjection => "dismiss_objection",
            Self::TakeEffect { .. } => "take_effect",
            Self::Remove { reason } => match reason {
                RemovalReason::Expired => "remove_expired",
                RemovalReason::Repaired => "remove_repaired",
                RemovalReason::Revoked => "remove_revoked",
                RemovalReason::SourceRemoved => "remove_source_removed",
                RemovalReason::ObjectionUpheld => "remove_objection_upheld",
            },
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Self::StartPublicity => "公示",
            Self::RaiseObjection => "提出异议",
            Self::DismissObjection => "异议不成立",
            Self::TakeEffect { .. } => "生效",
            Self::Remove { reason } => match reason {
                RemovalReason::Expired => "移出（有效期届满）",
                RemovalReason::Repaired => "移出（信用修复）",
                RemovalReason::Revoked => "移出（撤销认定）",
                RemovalReason::SourceRemoved => "移出（数据源已移出）",
                RemovalReason::ObjectionUpheld => "移出（异议成立）",
            },
        }
    }
}

/// Why a step of an entry's procedure is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// The action is not possible from the entry's status.
    #[error("名单条目当前状态为“{}”，不能执行“{action}”", .from.label())]
    Illegal {
        /// Current status.
        from: EntryStatus,
        /// The action's label.
        action: &'static str,
    },
    /// The list given is not the entry's list.
    #[error("名单条目属于“{entry_list}”，不属于“{given}”")]
    ListMismatch {
        /// The entry's list.
        entry_list: String,
        /// The list given.
        given: String,
    },
    /// A required field of a proposal is empty.
    #[error("认定须填写{0}")]
    MissingField(&'static str),
    /// An imported list's entries are not proposed by hand.
    #[error("该名单由外部数据源导入，不能手工认定")]
    ImportedList,
    /// The recognising body's code is not a valid USCC.
    #[error("认定部门统一社会信用代码“{code}”无效：{reason}")]
    InvalidRecognisingBody {
        /// The code as given (cut to 32 characters).
        code: String,
        /// Why.
        reason: String,
    },
    /// Only imported lists take imports and source removals.
    #[error("该名单不是外部导入的名单")]
    NotImported,
    /// The list requires publicity before an entry takes effect.
    #[error("该名单须经公示后方能生效")]
    PublicityRequired,
    /// The list has no publicity window.
    #[error("该名单不设公示期")]
    NoPublicity,
    /// The publicity window is not over yet.
    #[error("公示期至{until}，期满后方能生效")]
    PublicityNotOver {
        /// Last day of the window.
        until: NaiveDate,
    },
    /// Objections may only be raised within the window.
    #[error("公示期已于{until}届满，不能在公示期内提出异议")]
    PublicityOver {
        /// Last day of the window.
        until: NaiveDate,
    },
    /// Objections are still pending.
    #[error("尚有{count}件异议未处理，不能生效")]
    ObjectionPending {
        /// How many.
        count: u32,
    },
    /// The list takes no objections during publicity.
    #[error("该名单公示期内不受理异议")]
    ObjectionsNotAllowed,
    /// No objection to answer.
    #[error("该名单条目没有待处理的异议")]
    NoPendingObjection,
    /// The entry's validity has not run out.
    #[error("{}", match .until { Some(d) => format!("有效期至{d}，尚未届满"), None => "该名单条目无固定有效期，不能因期满移出".to_string() })]
    NotExpired {
        /// The entry's last day, if any.
        until: Option<NaiveDate>,
    },
    /// The list's validity is set for all entries.
    #[error("该名单的有效期统一规定，不能单独设定")]
    ValidityFixed,
    /// An entry's own end date lies before it takes effect.
    #[error("有效期截止日{until}早于生效日{from}")]
    BadValidity {
        /// Effective from.
        from: NaiveDate,
        /// Given end date.
        until: NaiveDate,
    },
    /// The decision needs a note (its reasons or document).
    #[error("“{0}”须填写理由或决定文书")]
    ReasonRequired(&'static str),
    /// The date lies before the entry's last step.
    #[error("操作日期{date}早于上一步骤日期{last}")]
    DateBeforeLast {
        /// Date given.
        date: NaiveDate,
        /// Date of the last step.
        last: NaiveDate,
    },
    /// A date computation left the supported range.
    #[error("日期超出可计算范围")]
    DateOutOfRange,
    /// The working-day calendar cannot answer.
    #[error("{0}")]
    Calendar(#[from] CalendarError),
}

impl EntryError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Illegal { .. } => "illegal_entry_transition",
            Self::ListMismatch { .. } => "list_mismatch",
            Self::MissingField(_) => "missing_field",
            Self::ImportedList => "imported_list",
            Self::InvalidRecognisingBody { .. } => "invalid_recognising_body",
            Self::NotImported => "not_imported",
            Self::PublicityRequired => "publicity_required",
            Self::NoPublicity => "no_publicity",
            Self::PublicityNotOver { .. } => "publicity_not_over",
            Self::PublicityOver { .. } => "publicity_over",
            Self::ObjectionPending { .. } => "objection_pending",
            Self::ObjectionsNotAllowed => "objections_not_allowed",
            Self::NoPendingObjection => "no_pending_objection",
            Self::NotExpired { .. } => "not_expired",
            Self::ValidityFixed => "validity_fixed",
            Self::BadValidity { .. } => "bad_validity",
            Self::ReasonRequired(_) => "reason_required",
            Self::DateBeforeLast { .. } => "date_before_last",
            Self::DateOutOfRange => "date_out_of_range",
            Self::Calendar(e) => e.code(),
        }
    }
}

/// What the recognising department submits to propose an entry (认定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The subject's key (subject id, USCC, or ID-number hash: the store decides).
    pub subject_key: String,
    /// The subject's name as recognised.
    pub subject_name: String,
    /// 认定标准 applied.
    pub standard: String,
    /// 依据 (document and clause).
    pub basis: String,
    /// 认定部门: its name (or its USCC when no name is given).
    pub recognised_by: String,
    /// The recognising body's 统一社会信用代码: objections and the closed loop reach the
    /// credit offices of its region. When absent, `recognised_by` is taken as the code if it
    /// is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognised_by_uscc: Option<String>,
    /// Evidence: record ids, document numbers.
    pub evidence: Vec<String>,
}

/// One step in an entry's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryEvent {
    /// Date of the step.
    pub on: NaiveDate,
    /// `propose`, `import` or an [`EntryAction::code`].
    pub action: String,
    /// Status before (`None` at creation).
    pub from: Option<EntryStatus>,
    /// Status after.
    pub to: EntryStatus,
    /// Reasons, decision or document given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Who did the step (the account or token that asked, set by the use case; steps kept
    /// before it was recorded have none: the change log still names them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// An entry on a list, with its procedure's dates and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// List code.
    pub list: String,
    /// The subject's key.
    pub subject_key: String,
    /// The subject's name.
    pub subject_name: String,
    /// 认定标准 applied.
    pub standard: String,
    /// 依据.
    pub basis: String,
    /// 认定部门 (its name, as shown).
    pub recognised_by: String,
    /// The recognising body's 统一社会信用代码, when known (entries of imported lists and
    /// entries proposed before it was recorded may have none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognised_by_uscc: Option<String>,
    /// Evidence.
    pub evidence: Vec<String>,
    /// Current status.
    pub status: EntryStatus,
    /// Day proposed (or imported).
    pub proposed_on: NaiveDate,
    /// First day of publicity.
    pub publicity_from: Option<NaiveDate>,
    /// Last day of publicity.
    pub publicity_until: Option<NaiveDate>,
    /// Objections raised and not yet answered.
    pub objections_pending: u32,
    /// Day it took effect.
    pub effective_from: Option<NaiveDate>,
    /// Last day on the list (`None`: until removed).
    pub effective_until: Option<NaiveDate>,
    /// Day removed.
    pub removed_on: Option<NaiveDate>,
    /// Why removed.
    pub removal_reason: Option<RemovalReason>,
    /// Every step, oldest first.
    pub history: Vec<EntryEvent>,
}

pub(super) fn clean_note(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// The recognising body's code of a proposal: `recognised_by_uscc` (which must be valid), else
/// `recognised_by` when that is a valid USCC, else none.
fn recognising_code(p: &Proposal) -> Result<Option<String>, EntryError> {
    let regions = crate::regions::RegionTable::national();
    match p
        .recognised_by_uscc
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => crate::codes::uscc::parse(code, regions)
            .map(|u| Some(u.code))
            .map_err(|e| EntryError::InvalidRecognisingBody {
                code: code.chars().take(32).collect(),
                reason: e.to_string(),
            }),
        None => Ok(crate::codes::uscc::parse(p.recognised_by.trim(), regions)
            .ok()
            .map(|u| u.code)),
    }
}

impl ListEntry {
    /// The region (GB/T 2260, the code's characters 3–8) of the recognising body, when its
    /// code is known: the credit offices of this region (and above) handle objections to the
    /// entry.
    pub fn recognising_region(&self) -> Option<&str> {
        self.recognised_by_uscc
            .as_deref()
            .and_then(crate::authority::uscc_region)
    }

    /// A recognising department proposes an entry (status `proposed`).
    pub fn propose(
        list: &ListDef,
        proposal: Proposal,
        today: NaiveDate,
    ) -> Result<ListEntry, EntryError> {
        if list.imported {
            return Err(EntryError::ImportedList);
        }
        for (value, field) in [
            (&proposal.subject_key, "主体标识"),
            (&proposal.subject_name, "主体名称"),
            (&proposal.standard, "认定标准"),
            (&proposal.basis, "认定依据"),
            (&proposal.recognised_by, "认定部门"),
        ] {
            if value.trim().is_empty() {
                return Err(EntryError::MissingField(field));
            }
        }
        let recognised_by_uscc = recognising_code(&proposal)?;
        Ok(ListEntry {
            list: list.code.clone(),
            subject_key: proposal.subject_key,
            subject_name: proposal.subject_name,
            standard: proposal.standard,
            basis: proposal.basis,
            recognised_by: proposal.recognised_by.trim().to_string(),
            recognised_by_uscc,
            evidence: proposal.evidence,
            status: EntryStatus::Proposed,
            proposed_on: today,
            publicity_from: None,
            publicity_until: None,
            objections_pending: 0,
            effective_from: None,
            effective_until: None,
            removed_on: None,
            removal_reason: None,
            history: vec![EntryEvent {
                on: today,
                action: "propose".to_string(),
                from: None,
                to: EntryStatus::Proposed,
                note: None,
                by: None,
            }],
        })
    }

    /// An entry imported from an imported list's source: effective at once, recognised by the
    /// source (e.g. the court), `source_ref` kept as evidence (e.g. the 案号).
    pub fn import(
        list: &ListDef,
        subject_key: &str,
        subject_name: &str,
        source_ref: &str,
        today: NaiveDate,
    ) -> Result<ListEntry, EntryError> {
        if !list.imported {
            return Err(EntryError::NotImported);
        }
        if subject_key.trim().is_empty() {
            return Err(EntryError::MissingField("主体标识"));
        }
        Ok(ListEntry {
            list: list.code.clone(),
            subject_key: subject_key.to_string(),
            subject_name: subject_name.to_string(),
            standard: list.standard.clone(),
            basis: list.basis.clone(),
            recognised_by: list.recognised_by.clone(),
            recognised_by_uscc: None,
            evidence: vec![source_ref.to_string()],
            status: EntryStatus::Effective,
            proposed_on: today,
            publicity_from: None,
            publicity_until: None,
            objections_pending: 0,
            effective_from: Some(today),
            effective_until: list.effective_until(today)?,
            removed_on: None,
            removal_reason: None,
            history: vec![EntryEvent {
                on: today,
                action: "import".to_string(),
                from: None,
                to: EntryStatus::Effective,
                note: list.source.clone(),
                by: None,
            }],
        })
    }

    /// The entry after `action` on `today`, or why it is refused.
    ///
    /// - proposed → start_publicity → publicity (lists with a window; it ends
    ///   `publicity_working_days` working days after `today`);
    /// - publicity: raise_objection / dismiss_objection (lists that allow them, within the window);
    /// - publicity → take_effect → effective, after the window and with no objection pending;
    ///   proposed → take_effect only for lists without a window;
    /// - remove: revoked (from proposed, publicity, effective), objection_upheld (publicity with an
    ///   objection pending, or effective), expired (effective, after its last day), repaired
    ///   (effective, not on a reward list), source_removed (imported lists);
    /// - removed entries accept nothing further.
    ///
    /// Revocation, repair and an upheld objection need a note.
    pub fn apply(
        &self,
        list: &ListDef,
        action: EntryAction,
        today: NaiveDate,
        note: Option<&str>,
        calendar: &WorkCalendar,
    ) -> Result<ListEntry, EntryError> {
        use EntryStatus as S;
        if list.code != self.list {
            return Err(EntryError::ListMismatch {
                entry_list: self.list.clone(),
                given: list.code.clone(),
            });
        }
        if let Some(last) = self.history.last().map(|e| e.on) {
            if today < last {
                return Err(EntryError::DateBeforeLast { date: today, last });
            }
        }
        let illegal = || EntryError::Illegal {
            from: self.status,
            action: action.label(),
        };
        let note = clean_note(note);
        let mut next = self.clone();
        match (action, self.status) {
            (EntryAction::StartPublicity, S::Proposed) => {
                let until = list
                    .publicity_until(today, calendar)?
                    .ok_or(EntryError::NoPublicity)?;
                next.status = S::Publicity;
                next.publicity_from = Some(today);
                next.publicity_until = Some(until);
            }
            (EntryAction::RaiseObjection, S::Publicity) => {
                if !list.objections_allowed {
                    return Err(EntryError::ObjectionsNotAllowed);
                }
                if let Some(until) = self.publicity_until.filter(|u| today > *u) {
                    return Err(EntryError::PublicityOver { until });
                }
                if note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.objections_pending += 1;
            }
            (EntryAction::DismissObjection, S::Publicity) => {
                if self.objections_pending == 0 {
                    return Err(EntryError::NoPendingObjection);
                }
                if note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.objections_pending -= 1;
            }
            (EntryAction::TakeEffect { until }, S::Proposed | S::Publicity) => {
                if self.status == S::Proposed && list.publicity_working_days > 0 {
                    return Err(EntryError::PublicityRequired);
                }
                if self.objections_pending > 0 {
                    return Err(EntryError::ObjectionPending {
                        count: self.objections_pending,
                    });
                }
                if let Some(end) = self.publicity_until.filter(|u| today <= *u) {
                    return Err(EntryError::PublicityNotOver { until: end });
                }
                let effective_until = match until {
                    Some(_) if !list.validity_per_entry => return Err(EntryError::ValidityFixed),
                    Some(u) if u < today => {
                        return Err(EntryError::BadValidity {
                            from: today,
                            until: u,
                        })
                    }
                    Some(u) => Some(u),
                    None => list.effective_until(today)?,
                };
                next.status = S::Effective;
                next.effective_from = Some(today);
                next.effective_until = effective_until;
            }
            (EntryAction::Remove { reason }, from) => {
                let allowed = match reason {
                    RemovalReason::Revoked => {
                        matches!(from, S::Proposed | S::Publicity | S::Effective)
                    }
                    RemovalReason::ObjectionUpheld => match from {
                        S::Publicity => {
                            if self.objections_pending == 0 {
                                return Err(EntryError::NoPendingObjection);
                            }
                            true
                        }
                        S::Effective => true,
                        _ => false,
                    },
                    RemovalReason::Expired => {
                        if from == S::Effective {
                            match self.effective_until {
                                Some(u) if today > u => {}
                                until => return Err(EntryError::NotExpired { until }),
                            }
                            true
                        } else {
                            false
                        }
                    }
                    RemovalReason::Repaired => {
                        from == S::Effective && list.kind != ListKind::Reward
                    }
                    RemovalReason::SourceRemoved => {
                        if from == S::Removed {
                            false
                        } else if !list.imported {
                            return Err(EntryError::NotImported);
                        } else {
                            true
                        }
                    }
                };
                if !allowed {
                    return Err(illegal());
                }
                if reason.needs_note() && note.is_none() {
                    return Err(EntryError::ReasonRequired(action.label()));
                }
                next.status = S::Removed;
                next.removed_on = Some(today);
                next.removal_reason = Some(reason);
                next.objections_pending = 0;
            }
            _ => return Err(illegal()),
        }
        next.history.push(EntryEvent {
            on: today,
            action: action.code().to_string(),
            from: Some(self.status),
            to: next.status,
            note,
            by: None,
        });
        Ok(next)
    }

    /// What a scheduled job should do today, if anything: take effect once the publicity window
    /// is over with no objection pending, or remove an effective entry after its last day.
    pub fn due_action(&self, today: NaiveDate) -> Option<EntryAction> {
        match self.status {
            EntryStatus::Publicity
                if self.objections_pending == 0
                    && self.publicity_until.is_some_and(|u| today > u) =>
            {
                Some(EntryAction::TakeEffect { until: None })
            }
            EntryStatus::Effective if self.effective_until.is_some_and(|u| today > u) => {
                Some(EntryAction::Remove {
                    reason: RemovalReason::Expired,
                })
            }
            _ => None,
        }
    }
}
