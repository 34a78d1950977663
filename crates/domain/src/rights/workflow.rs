//! The application workflow: filing, the steps an application goes through, and decisions.

use super::*;

/// What a step does beyond the application itself, applied in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    None,
    /// Correct the record: the fields named, with their new values (a patch, see
    /// [`crate::records::correction`]); the others stay as they are.
    CorrectRecord(serde_json::Map<String, serde_json::Value>),
    /// Revoke the record (异议成立).
    RevokeRecord,
    /// Remove the list entry because the objection was upheld.
    RemoveEntryUpheld,
    /// Mark the record repaired (publication ends, sharing and use stop).
    RepairRecord,
    /// Remove the list entry because of repair.
    RemoveEntryRepaired,
    /// Undo a repair revoked for false materials: the record is published again (or stays
    /// expired when its period is over).
    UnrepairRecord,
}

/// An action on an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum AppAction {
    /// 受理 (credit office).
    Accept,
    /// 不予受理 (credit office), with reasons.
    Refuse { reasons: String },
    /// 核查 (source department): objection finding; `fields` for a correction: the fields to
    /// correct with their new values (the others stay as they are).
    Check {
        finding: Finding,
        reasons: String,
        #[serde(default)]
        fields: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// 答复 (credit office): the answer to the objector.
    Answer { reasons: String },
    /// 转办 (credit office, a complaint it accepted): sent to a department (by USCC) to verify
    /// and deal with; the credit office still answers by the complaint's deadline.
    Assign {
        department: String,
        /// The department's name, as shown in the notice and the steps.
        #[serde(default)]
        department_name: String,
        reasons: String,
    },
    /// 同意修复 (recognising body).
    Approve { reasons: String },
    /// 不予修复 (recognising body).
    Reject {
        grounds: Vec<RejectGround>,
        reasons: String,
    },
    /// 结果共享 (credit office): the result pushed to everyone who received the data.
    Share { recipients: Vec<String> },
    /// 撤销修复 (credit office): false materials found after approval.
    RevokeRepair { reasons: String },
    /// 撤回 (applicant).
    Withdraw,
}

impl AppAction {
    /// The reasons typed with the action, if it takes any (for the server to mask ID numbers
    /// in them before the step is taken).
    pub fn reasons_mut(&mut self) -> Option<&mut String> {
        match self {
            AppAction::Refuse { reasons }
            | AppAction::Check { reasons, .. }
            | AppAction::Answer { reasons }
            | AppAction::Assign { reasons, .. }
            | AppAction::Approve { reasons }
            | AppAction::Reject { reasons, .. }
            | AppAction::RevokeRepair { reasons } => Some(reasons),
            AppAction::Accept | AppAction::Share { .. } | AppAction::Withdraw => None,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Refuse { .. } => "refuse",
            Self::Check { .. } => "check",
            Self::Answer { .. } => "answer",
            Self::Assign { .. } => "assign",
            Self::Approve { .. } => "approve",
            Self::Reject { .. } => "reject",
            Self::Share { .. } => "share",
            Self::RevokeRepair { .. } => "revoke_repair",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Refuse { .. } => "不予受理",
            Self::Check { .. } => "核查",
            Self::Answer { .. } => "答复",
            Self::Assign { .. } => "转办",
            Self::Approve { .. } => "同意修复",
            Self::Reject { .. } => "不予修复",
            Self::Share { .. } => "共享修复结果",
            Self::RevokeRepair { .. } => "撤销修复",
            Self::Withdraw => "撤回",
        }
    }

    /// Who takes this action.
    pub fn party(&self, app: &Application) -> Party {
        match self {
            Self::Check { .. } | Self::Approve { .. } | Self::Reject { .. } => {
                Party::Department(app.department.clone())
            }
            Self::Withdraw => Party::Applicant,
            _ => Party::CreditOffice,
        }
    }
}

/// Context of a step.
pub struct StepContext<'a> {
    pub rules: &'a RightsRules,
    pub calendar: &'a WorkCalendar,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
    pub actor: &'a str,
    /// Current facts of the target (repair approval re-checks eligibility).
    pub facts: Option<&'a TargetFacts>,
}

fn need_reasons(r: &str) -> Result<String, RightsError> {
    let r = r.trim();
    if r.chars().count() < 2 {
        return Err(RightsError::ReasonsRequired);
    }
    Ok(r.to_string())
}

impl Application {
    /// The repair rules this application is judged by (the version in force when filed).
    pub fn repair_rules<'r>(&self, rules: &'r RightsRules) -> Result<&'r RepairRules, RightsError> {
        match rules.repair_version(&self.rule_version) {
            Some(v) => Ok(v),
            None => rules.repair_on(self.filed_on),
        }
    }

    /// Count the deadline again on `calendar` (after a year's schedule was loaded): the old
    /// and new deadline when it moved, `None` when it stands (or was not counted here).
    pub fn recount_due(
        &mut self,
        calendar: &WorkCalendar,
    ) -> Result<Option<(NaiveDate, NaiveDate)>, RightsError> {
        let (Some(old), Some(basis)) = (self.due, self.due_basis) else {
            return Ok(None);
        };
        let new = calendar.add_working_days(basis.from, basis.working_days)?;
        if new == old {
            return Ok(None);
        }
        self.due = Some(new);
        Ok(Some((old, new)))
    }

    /// Whether an objection on the target is still open (the record shows 异议处理中).
    pub fn objection_pending(&self) -> bool {
        self.kind == AppKind::Objection
            && matches!(self.state, AppState::Submitted | AppState::Accepted)
    }

    fn set_next(
        &mut self,
        ctx: &StepContext<'_>,
        party: Option<Party>,
        days: u32,
    ) -> Result<(), RightsError> {
        (self.due, self.due_basis) = match party {
            Some(_) => (
                Some(ctx.calendar.add_working_days(ctx.today, days)?),
                Some(DueBasis {
                    from: ctx.today,
                    working_days: days,
                }),
            ),
            None => (None, None),
        };
        self.next = party;
        Ok(())
    }

    fn notify(&mut self, ctx: &StepContext<'_>, to: Party, text: String) {
        self.notices.push(Notice {
            at: ctx.now,
            to,
            text,
        });
    }

    pub(super) fn decide(&mut self, ctx: &StepContext<'_>, outcome: &str, reasons: String) {
        self.decision = Some(Decision {
            outcome: outcome.into(),
            reasons,
            grounds: Vec::new(),
            basis: None,
            approver: None,
            by: ctx.actor.into(),
            at: ctx.now,
        });
    }

    /// Apply an action: the application's new state, next party, deadline, notices — and the
    /// effect on the target. Illegal transitions and missing preconditions are refused.
    pub fn apply(
        &mut self,
        action: &AppAction,
        ctx: &StepContext<'_>,
    ) -> Result<Effect, RightsError> {
        use AppKind as K;
        use AppState as S;
        let illegal = || RightsError::IllegalTransition {
            from: self.state,
            action: action.label(),
        };
        let no = self.tracking_no.clone();
        let kind = self.kind;
        let dept = Party::Department(self.department.clone());
        let mut effect = Effect::None;
        let mut note = None;
        let next_state = match (kind, self.state, action) {
            (K::Objection | K::Repair | K::Complaint, S::Submitted, AppAction::Accept) => {
                let (party, days) = match kind {
                    K::Objection => (dept.clone(), ctx.rules.objection.check_working_days),
                    // The credit office handles complaints itself (核实、督办、答复).
                    K::Complaint => (
                        Party::CreditOffice,
                        ctx.rules.objection.check_working_days
                            + ctx.rules.objection.answer_working_days,
                    ),
                    _ => (
                        dept.clone(),
                        self.repair_rules(ctx.rules)?.review_working_days,
                    ),
                };
                self.set_next(ctx, Some(party), days)?;
                let due = self.due.map(|d| d.to_string()).unwrap_or_default();
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的{}（{no}）已受理，正在办理，预计 {due} 前办结。",
                        kind.label()
                    ),
                );
                self.notify(
                    ctx,
                    dept.clone(),
                    format!(
                        "{}（{no}）已转交贵单位办理，请于 {due} 前完成。",
                        kind.label()
                    ),
                );
                S::Accepted
            }
            (
                K::Objection | K::Repair | K::Complaint,
                S::Submitted,
                AppAction::Refuse { reasons },
            ) => {
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "refused", reasons.clone());
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的{}（{no}）不予受理。理由：{reasons}", kind.label()),
                );
                note = Some(reasons);
                S::Refused
            }
            (
                K::Objection,
                S::Accepted,
                AppAction::Check {
                    finding,
                    reasons,
                    fields,
                },
            ) => {
                let reasons = need_reasons(reasons)?;
                effect = match (finding, self.target, fields) {
                    (Finding::Correct, Target::ListEntry(_), _) => {
                        return Err(RightsError::CorrectListEntry)
                    }
                    (Finding::Correct, Target::Record(_), Some(f)) if !f.is_empty() => {
                        Effect::CorrectRecord(f.clone())
                    }
                    (Finding::Correct, Target::Record(_), _) => {
                        return Err(RightsError::FieldsRequired)
                    }
                    (Finding::Revoke, Target::Record(_), _) => Effect::RevokeRecord,
                    (Finding::Revoke, Target::ListEntry(_), _) => Effect::RemoveEntryUpheld,
                    (Finding::Keep, _, _) => Effect::None,
                    (_, Target::General, _) => return Err(RightsError::WrongKind { kind }),
                };
                self.finding = Some(*finding);
                self.set_next(
                    ctx,
                    Some(Party::CreditOffice),
                    ctx.rules.objection.answer_working_days,
                )?;
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("异议（{no}）核查完毕：{}。请答复申请人。", finding.label()),
                );
                note = Some(format!("{}：{reasons}", finding.label()));
                S::Checked
            }
            (K::Objection, S::Checked, AppAction::Answer { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let outcome = match self.finding {
                    Some(Finding::Correct) => "corrected",
                    Some(Finding::Revoke) => "revoked",
                    _ => "kept",
                };
                self.decide(ctx, outcome, reasons.clone());
                self.set_next(ctx, None, 0)?;
                let label = self.finding.map(Finding::label).unwrap_or("维持");
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的异议（{no}）已办结，处理结果：{label}。理由：{reasons}"),
                );
                note = Some(reasons);
                S::Answered
            }
            (K::Repair, S::Accepted, AppAction::Approve { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let rules = self.repair_rules(ctx.rules)?;
                if let Some(f) = ctx.facts {
                    repair_eligibility(rules, f, ctx.today, None)?;
                }
                effect = match self.target {
                    Target::Record(_) => Effect::RepairRecord,
                    Target::ListEntry(_) => Effect::RemoveEntryRepaired,
                    Target::General => return Err(RightsError::WrongKind { kind }),
                };
                let share_days = rules.share_working_days;
                self.decide(ctx, "repaired", reasons.clone());
                self.set_next(ctx, Some(Party::CreditOffice), share_days)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的信用修复申请（{no}）已通过，相关失信信息终止公示、停止共享和使用。"
                    ),
                );
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("信用修复（{no}）已同意，请在期限内共享修复结果。"),
                );
                note = Some(reasons);
                S::Approved
            }
            (K::Repair, S::Accepted, AppAction::Reject { grounds, reasons }) => {
                if grounds.is_empty() {
                    return Err(RightsError::GroundsRequired);
                }
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "rejected", reasons.clone());
                if let Some(d) = self.decision.as_mut() {
                    d.grounds = grounds.clone();
                }
                self.set_next(ctx, None, 0)?;
                let g: Vec<&str> = grounds.iter().map(|g| g.label()).collect();
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!(
                        "您的信用修复申请（{no}）不予修复。理由类别：{}；说明：{reasons}",
                        g.join("、")
                    ),
                );
                note = Some(format!("{}：{reasons}", g.join("、")));
                S::Rejected
            }
            (K::Repair, S::Approved, AppAction::Share { recipients }) => {
                self.set_next(ctx, None, 0)?;
                for r in recipients {
                    self.notify(
                        ctx,
                        Party::Department(r.clone()),
                        format!("信用修复结果（{no}）：{} 的相关失信信息已修复，请停止公示和使用，解除相应惩戒措施。", self.subject_name),
                    );
                }
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的信用修复（{no}）结果已共享至相关部门，办理完毕。"),
                );
                note = Some(format!("共享至 {} 个单位", recipients.len()));
                S::Completed
            }
            (K::Repair, S::Approved | S::Completed, AppAction::RevokeRepair { reasons }) => {
                let reasons = need_reasons(reasons)?;
                let rules = self.repair_rules(ctx.rules)?;
                let until = add_months(ctx.today, rules.bar_months_after_false_materials);
                self.bars_until = Some(until);
                effect = match self.target {
                    Target::Record(_) => Effect::UnrepairRecord,
                    // A list entry removed by repair is recognised again by its body's own
                    // procedure; the revocation is recorded and notified.
                    Target::ListEntry(_) | Target::General => Effect::None,
                };
                self.decide(ctx, "revoked", reasons.clone());
                if let Some(d) = self.decision.as_mut() {
                    d.grounds = vec![RejectGround::FalseMaterials];
                }
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的信用修复（{no}）因提供虚假材料被撤销，{until} 前不得再次申请。理由：{reasons}"),
                );
                self.notify(
                    ctx,
                    dept.clone(),
                    format!("信用修复（{no}）已撤销，相关失信信息恢复公示和共享。"),
                );
                note = Some(reasons);
                S::Revoked
            }
            (
                K::Complaint,
                S::Accepted,
                AppAction::Assign {
                    department,
                    department_name,
                    reasons,
                },
            ) => {
                let reasons = need_reasons(reasons)?;
                let department = department.trim();
                if department.is_empty() {
                    return Err(RightsError::ReasonsRequired);
                }
                let name = if department_name.trim().is_empty() {
                    department
                } else {
                    department_name.trim()
                };
                let due = self.due.map(|d| d.to_string()).unwrap_or_default();
                self.notify(
                    ctx,
                    Party::Department(department.to_string()),
                    format!("投诉举报（{no}）转办贵单位核实处理：{reasons}。请于 {due} 前将处理情况反馈信用办。"),
                );
                note = Some(format!("转办至{name}：{reasons}"));
                S::Accepted
            }
            (K::Complaint, S::Accepted, AppAction::Answer { reasons }) => {
                let reasons = need_reasons(reasons)?;
                self.decide(ctx, "answered", reasons.clone());
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::Applicant,
                    format!("您的投诉举报（{no}）已办结。答复：{reasons}"),
                );
                note = Some(reasons);
                S::Answered
            }
            (
                K::Objection | K::Repair | K::Complaint,
                S::Submitted | S::Accepted,
                AppAction::Withdraw,
            ) => {
                self.set_next(ctx, None, 0)?;
                self.notify(
                    ctx,
                    Party::CreditOffice,
                    format!("{}（{no}）已由申请人撤回。", kind.label()),
                );
                S::Withdrawn
            }
            (K::Tolerance | K::Mitigation, _, _) => return Err(RightsError::WrongKind { kind }),
            _ => return Err(illegal()),
        };
        self.state = next_state;
        self.steps.push(Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: action.code().into(),
            state: next_state,
            note,
        });
        Ok(effect)
    }
}

/// A new objection or repair application, checked and with its first deadline.
pub struct NewApplication<'a> {
    pub kind: AppKind,
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub applicant: Applicant,
    pub reasons: String,
    pub commitment: bool,
    pub tracking_no: String,
    pub facts: &'a TargetFacts,
    /// Repair: a bar from an earlier revoked repair, if any.
    pub barred_until: Option<NaiveDate>,
}

/// File an objection or repair application.
pub fn file(new: NewApplication<'_>, ctx: &StepContext<'_>) -> Result<Application, RightsError> {
    let reasons = need_reasons(&new.reasons)?;
    let mut rule_version = ctx.rules.version.clone();
    let days = match new.kind {
        AppKind::Objection | AppKind::Complaint => ctx.rules.objection.accept_working_days,
        AppKind::Repair => {
            let rules = ctx.rules.repair_on(ctx.today)?;
            repair_eligibility(rules, new.facts, ctx.today, new.barred_until)?;
            if !new.commitment {
                return Err(RightsError::CommitmentMissing);
            }
            rule_version = rules.id.clone();
            rules.accept_working_days
        }
        k => return Err(RightsError::WrongKind { kind: k }),
    };
    let mut app = Application {
        id: Uuid::now_v7(),
        tracking_no: new.tracking_no,
        kind: new.kind,
        target: new.target,
        subject_id: new.subject_id,
        subject_name: new.subject_name,
        department: new.department,
        region: None,
        applicant: Some(new.applicant),
        reasons,
        commitment: new.commitment,
        evidence: Vec::new(),
        state: AppState::Submitted,
        next: None,
        due: None,
        due_basis: None,
        rule_version,
        finding: None,
        decision: None,
        bars_until: None,
        mitigation: None,
        mitigation_grounds: Vec::new(),
        steps: vec![Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: "file".into(),
            state: AppState::Submitted,
            note: None,
        }],
        notices: Vec::new(),
        filed_on: ctx.today,
        created_at: ctx.now,
        texts_sealed: None,
    };
    app.set_next(ctx, Some(Party::CreditOffice), days)?;
    let due = app.due.map(|d| d.to_string()).unwrap_or_default();
    let (no, label) = (app.tracking_no.clone(), app.kind.label());
    app.notify(
        ctx,
        Party::Applicant,
        format!("已收到您的{label}，查询编号 {no}，将于 {due} 前决定是否受理。"),
    );
    app.notify(
        ctx,
        Party::CreditOffice,
        format!("新的{label}（{no}），请于 {due} 前受理或不予受理。"),
    );
    Ok(app)
}

/// A 容错纠错 or 从轻/免于惩戒 decision: recorded with its basis and approver, final at once.
pub struct NewDecision {
    pub kind: AppKind,
    pub target: Target,
    pub subject_id: Option<Uuid>,
    pub subject_name: String,
    pub department: String,
    pub basis: String,
    pub approver: String,
    pub reasons: String,
    pub tracking_no: String,
    pub mitigation: Option<MitigationKind>,
    pub grounds: Vec<MitigationGround>,
}

pub fn decide(new: NewDecision, ctx: &StepContext<'_>) -> Result<Application, RightsError> {
    if new.basis.trim().chars().count() < 2 || new.approver.trim().is_empty() {
        return Err(RightsError::BasisRequired);
    }
    let reasons = need_reasons(&new.reasons)?;
    match (new.kind, new.mitigation, new.grounds.is_empty()) {
        (AppKind::Tolerance, None, true) => {}
        (AppKind::Mitigation, Some(_), false) => {}
        (AppKind::Mitigation, _, _) => return Err(RightsError::GroundsRequired),
        (k, _, _) => return Err(RightsError::WrongKind { kind: k }),
    }
    let outcome = match new.mitigation {
        Some(MitigationKind::Waive) => "waived",
        Some(MitigationKind::Mitigate) => "mitigated",
        None => "tolerated",
    };
    let decision = Decision {
        outcome: outcome.into(),
        reasons: reasons.clone(),
        grounds: Vec::new(),
        basis: Some(new.basis.trim().into()),
        approver: Some(new.approver.trim().into()),
        by: ctx.actor.into(),
        at: ctx.now,
    };
    let text = format!(
        "{}：{}（依据：{}；批准：{}）",
        new.kind.label(),
        reasons,
        new.basis.trim(),
        new.approver.trim()
    );
    Ok(Application {
        id: Uuid::now_v7(),
        tracking_no: new.tracking_no,
        kind: new.kind,
        target: new.target,
        subject_id: new.subject_id,
        subject_name: new.subject_name,
        department: new.department.clone(),
        region: None,
        applicant: None,
        reasons,
        commitment: false,
        evidence: Vec::new(),
        state: AppState::Decided,
        next: None,
        due: None,
        due_basis: None,
        rule_version: ctx.rules.version.clone(),
        finding: None,
        decision: Some(decision),
        bars_until: None,
        mitigation: new.mitigation,
        mitigation_grounds: new.grounds,
        steps: vec![Step {
            at: ctx.now,
            actor: ctx.actor.into(),
            action: "decide".into(),
            state: AppState::Decided,
            note: Some(text.clone()),
        }],
        notices: vec![Notice {
            at: ctx.now,
            to: Party::Department(new.department),
            text,
        }],
        filed_on: ctx.today,
        created_at: ctx.now,
        texts_sealed: None,
    })
}
