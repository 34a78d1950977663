//! Warnings: after a run, a total under the pass mark (`threshold`), a drop of more than
//! [`DROP_POINTS`] against the previous period (`drop`), a z-score under −[`Z_LIMIT`] against
//! the target's last 12 periods (`zscore`); and events that warn at once (`event_sweep`): a body
//! newly listed as 失信被执行人 (`debtor`), a breached government commitment (`breach`). Each
//! warning goes to the inbox of the credit office of the target's region (and of the body
//! itself), once (dedup keys).

use std::collections::HashMap;

use chengxin_access::Permission;
use chengxin_domain::evaluation::{z_score, IndicatorSystem, Period};
use chengxin_store::{recipient, EvalScoreRow, EvalWarningRow, NotificationRow, Store};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::auth::{uscc_region, Caller};
use crate::error::AppResult;
use crate::App;

/// A drop of more than this many points against the previous period warns.
pub const DROP_POINTS: f64 = 10.0;
/// A z-score below minus this against the target's history warns.
pub const Z_LIMIT: f64 = 2.0;
/// Periods of history the z-score looks at.
const HISTORY: usize = 12;

fn note(
    w: &EvalWarningRow,
    kind: &str,
    to: &str,
    link: Option<String>,
    key: String,
) -> NotificationRow {
    NotificationRow {
        id: Uuid::now_v7(),
        recipient_kind: kind.into(),
        recipient: to.into(),
        region: w.region.clone(),
        topic: format!("evaluation_{}", w.kind),
        title: format!("政务诚信预警：{}", w.target_name),
        body: w.message.clone(),
        link,
        dedup_key: Some(key),
        created_at: w.created_at,
        read_at: None,
        read_by: None,
    }
}

/// The notifications of a warning: the office of its region; a body's own inbox too.
fn notifications_of(w: &EvalWarningRow, key: &str, link: Option<String>) -> Vec<NotificationRow> {
    let mut out = vec![note(
        w,
        recipient::OFFICE,
        &w.region,
        link.clone(),
        format!("{key}:office"),
    )];
    if !w.target.bytes().all(|b| b.is_ascii_digit()) {
        out.push(note(
            w,
            recipient::BODY,
            &w.target,
            link,
            format!("{key}:body"),
        ));
    }
    out
}

pub(crate) async fn run_warnings(
    store: &dyn Store,
    system: &IndicatorSystem,
    period: Period,
    scores: &[EvalScoreRow],
    now: DateTime<Utc>,
    totals: &mut Totals,
) -> AppResult<(Vec<EvalWarningRow>, Vec<NotificationRow>)> {
    let empty = HashMap::new();
    let prev_key = period.previous().to_string();
    totals.load(store, &prev_key).await?;
    let mut keys = Vec::with_capacity(HISTORY);
    let mut p = period;
    for _ in 0..HISTORY {
        p = p.previous();
        let k = p.to_string();
        totals.load(store, &k).await?;
        keys.push(k);
    }
    let prev = totals.get(&prev_key).unwrap_or(&empty);
    let mut history: HashMap<&str, Vec<f64>> = HashMap::new();
    for k in &keys {
        for (t, s) in totals.get(k).unwrap_or(&empty) {
            history.entry(t.as_str()).or_default().push(*s);
        }
    }
    let pass = system
        .grades
        .last()
        .map(|g| g.min)
        .unwrap_or(system.total * 0.6);
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    for s in scores {
        let mut raise = |kind: &str, message: String| {
            let w = EvalWarningRow {
                id: Uuid::now_v7(),
                run_id: None,
                period: period.to_string(),
                target: s.target.clone(),
                target_name: s.target_name.clone(),
                region: s.region.clone(),
                kind: kind.into(),
                message,
                created_at: now,
            };
            let link = Some(format!(
                "/console/evaluation/targets/{}?period={}",
                s.target, period
            ));
            notes.extend(notifications_of(
                &w,
                &format!("eval:{period}:{}:{kind}", s.target),
                link,
            ));
            warnings.push(w);
        };
        if s.score < pass {
            raise(
                "threshold",
                format!(
                    "{}{}政务诚信得分 {:.2}，低于合格线 {pass}",
                    s.target_name,
                    period.label(),
                    s.score
                ),
            );
        }
        if let Some(before) = prev.get(&s.target) {
            if before - s.score > DROP_POINTS {
                raise(
                    "drop",
                    format!(
                        "{}{}政务诚信得分 {:.2}，较上期 {:.2} 下降 {:.2} 分（超过 {DROP_POINTS} 分）",
                        s.target_name,
                        period.label(),
                        s.score,
                        before,
                        before - s.score
                    ),
                );
            }
        }
        if let Some(z) = history
            .get(s.target.as_str())
            .and_then(|h| z_score(s.score, h))
        {
            if z < -Z_LIMIT {
                raise(
                    "zscore",
                    format!(
                        "{}{}政务诚信得分 {:.2} 明显低于近期水平（z = {:.2}）",
                        s.target_name,
                        period.label(),
                        s.score,
                        z
                    ),
                );
            }
        }
    }
    Ok((warnings, notes))
}

/// The totals of each period a run's warnings compare with (as the store chooses them: the
/// published run, else the latest), read once per period; a run over many periods keeps the
/// totals it has just saved instead of reading them back.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    periods: HashMap<String, HashMap<String, f64>>,
}

impl Totals {
    async fn load(&mut self, store: &dyn Store, period: &str) -> AppResult<()> {
        if !self.periods.contains_key(period) {
            let t = store
                .eval_period_totals(period)
                .await?
                .into_iter()
                .collect();
            self.periods.insert(period.to_string(), t);
        }
        Ok(())
    }

    fn get(&self, period: &str) -> Option<&HashMap<String, f64>> {
        self.periods.get(period)
    }

    /// A run of `period` was just saved with `totals`: they are the period's from now on,
    /// unless a published run of the period stands (which the store keeps choosing).
    pub async fn saved(
        &mut self,
        store: &dyn Store,
        period: &str,
        totals: HashMap<String, f64>,
    ) -> AppResult<()> {
        let published = store
            .eval_runs(Some(period), 1000)
            .await?
            .iter()
            .any(|r| r.published);
        if published {
            self.periods.remove(period);
        } else {
            self.periods.insert(period.to_string(), totals);
        }
        Ok(())
    }
}

/// Warn at once on events since `since`: a body newly listed as 失信被执行人, a government
/// commitment breached (each once). Returns the warnings raised.
pub async fn event_sweep(app: &App, caller: &Caller, since: NaiveDate) -> AppResult<usize> {
    caller.require(Permission::EvaluationsRun)?;
    sweep(app.store.as_ref(), &caller.actor, since, app.today()).await
}

pub async fn sweep(
    store: &dyn Store,
    actor: &str,
    since: NaiveDate,
    today: NaiveDate,
) -> AppResult<usize> {
    let now = chengxin_store::clock::now();
    let period = Period::containing(chengxin_domain::evaluation::PeriodKind::Month, today);
    let mut raised = 0;
    let mut events = Vec::new();
    for c in store.eval_debtor_cases(today).await? {
        if c.on >= since {
            events.push((
                "debtor",
                c.clone(),
                format!(
                    "{}于 {} 被列为失信被执行人（{}）",
                    c.body_name, c.on, c.title
                ),
                format!("/console/debtors/{}", c.item_id),
            ));
        }
    }
    for m in store.eval_commitments(since, today).await? {
        if m.state == "breached" && chengxin_domain::commitments::is_government_uscc(&m.body_uscc) {
            events.push((
                "breach",
                m.clone(),
                format!("{}的政务承诺被认定违约：{}", m.body_name, m.title),
                format!("/console/commitments/{}", m.item_id),
            ));
        }
    }
    for (kind, it, message, link) in events {
        let region = it
            .region
            .clone()
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| uscc_region(&it.body_uscc));
        let w = EvalWarningRow {
            id: Uuid::now_v7(),
            run_id: None,
            period: period.to_string(),
            target: it.body_uscc.clone(),
            target_name: it.body_name.clone(),
            region,
            kind: kind.into(),
            message,
            created_at: now,
        };
        let key = format!("eval:{kind}:{}:{}", it.item_id, it.title);
        let notes = notifications_of(&w, &key, Some(link));
        raised += store.add_eval_warnings(actor, &[w], &notes).await?;
    }
    Ok(raised)
}
