//! The demo's closed-loop history: each case opened by the demo's list entries is played
//! forward to `today` as a credit office and its departments would have done it — most steps
//! on time, some late, some still running, one never signed for, one still waiting for 分发 —
//! so the feedback and timeliness figures say something. Nothing is dated after `today`.

use anyhow::{anyhow, Result};
use chengxin_domain::calendar::WorkCalendar;
use chengxin_domain::lists::bodies::DepartmentBodies;
use chengxin_domain::lists::{Case, CaseBody, CaseStep, ClosedLoopConfig, StepParty};
use chengxin_store::{CaseFilter, CaseRow, Store};
use chrono::NaiveDate;

/// Working days after the previous step on which each step is done — 分发, 签收, 实施, 反馈 —
/// against the allowance of the closed loop (shipped: 1, 2, 10, 3). `None`: not done; the case
/// waits there. A step that would fall after today is not done yet either.
const PLANS: &[[Option<u32>; 4]] = &[
    // On time throughout.
    [Some(1), Some(1), Some(6), Some(2)],
    // 分发 three working days late (the credit office's lateness), the department on time.
    [Some(4), Some(1), Some(5), Some(1)],
    // On time, quickly.
    [Some(0), Some(2), Some(9), Some(1)],
    // The department signs and reports late.
    [Some(1), Some(5), Some(8), Some(6)],
    // 实施 late; no feedback yet.
    [Some(1), Some(2), Some(14), None],
    // On time.
    [Some(1), Some(0), Some(4), Some(3)],
    // Distributed, never signed for: overdue and escalated.
    [Some(1), None, None, None],
    // Not distributed yet.
    [None, None, None, None],
];

/// Plays every demo case still at 发起 forward (a resumed load leaves played ones alone).
pub(super) async fn play(
    store: &dyn Store,
    actor: &str,
    config: &ClosedLoopConfig,
    cal: &WorkCalendar,
    today: NaiveDate,
) -> Result<usize> {
    let bodies = DepartmentBodies::default_checked().map_err(|e| anyhow!(e.to_string()))?;
    let rows = store
        .cases(&CaseFilter {
            limit: Some(10_000),
            ..Default::default()
        })
        .await?;
    let mut updates: Vec<(CaseRow, i64)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let case = chengxin_app::cases::case_of(row).map_err(|e| anyhow!(e.to_string()))?;
        if case.step != CaseStep::Initiated || case.lifted_on.is_some() {
            continue;
        }
        let plan = PLANS.get(i % PLANS.len()).copied().unwrap_or_default();
        let to = bodies
            .implementing_body(&case.department, row.region.as_deref())
            .map(|b| CaseBody {
                uscc: b.uscc.clone(),
                name: b.name.clone(),
            });
        let played = walk(&case, plan, to, actor, config, cal, today)?;
        if played == case {
            continue;
        }
        let new = chengxin_app::cases::row_of(
            row.entry_id,
            &played,
            row.region.clone(),
            row.version + 1,
            row.created_at,
        )
        .map_err(|e| anyhow!(e.to_string()))?;
        updates.push((new, row.version));
    }
    store.write_cases(actor, &[], &updates).await?;
    Ok(updates.len())
}

/// One case played by `plan`, each step on its planned day as long as that is not after today.
fn walk(
    case: &Case,
    plan: [Option<u32>; 4],
    to: Option<CaseBody>,
    actor: &str,
    config: &ClosedLoopConfig,
    cal: &WorkCalendar,
    today: NaiveDate,
) -> Result<Case> {
    let err = |e: chengxin_domain::lists::CaseError| anyhow!(e.to_string());
    let mut c = case.clone();
    for after in plan {
        let (Some(after), Some(step)) = (after, c.step.next()) else {
            break;
        };
        let last = c.events.last().map_or(today, |e| e.on);
        let day = cal
            .add_working_days(last, after)
            .map_err(|e| anyhow!(e.to_string()))?;
        if day > today {
            break;
        }
        c = match step {
            CaseStep::Distributed => c.distribute(to.clone(), actor, day, config, cal),
            CaseStep::Applied => c.take_step(
                StepParty::Department,
                actor,
                day,
                Some("已按措施清单在业务系统中设置限制"),
                config,
                cal,
            ),
            CaseStep::Reported => c.take_step(
                StepParty::Department,
                actor,
                day,
                Some("已反馈实施情况"),
                config,
                cal,
            ),
            _ => c.take_step(StepParty::Department, actor, day, None, config, cal),
        }
        .map_err(err)?;
    }
    Ok(c)
}
