//! The sender: a page of this instance's change feed for the upper-level instance.

use std::collections::{BTreeSet, HashMap};

use chengxin_access::Permission;
use chengxin_domain::regions::RegionTable;
use chengxin_store::changelog::{parse_members, GROUP_ENTITY};
use chengxin_store::BatchState;

use super::page::{FeedEntry, FeedPage, FeedState};
use super::{DEFAULT_PAGE, MAX_PAGE, MAX_STATES};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::App;

/// The record-like entity types whose content travels.
pub const RECORD: &str = "record";
pub const FEED_RECORD: &str = "feed_record";

/// One record-like change named by an entry (directly or as a group member).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    pub entity_type: String,
    pub entity_id: String,
    pub digest: Option<String>,
    /// The group entry's id (`batch:<id>:<n>`) when it is a member.
    pub group: Option<String>,
}

/// The record-like changes an entry names, in order.
pub fn changes_of(e: &FeedEntry) -> Result<Vec<Change>, String> {
    if e.entity_type == GROUP_ENTITY {
        let members = parse_members(e.members.as_deref().unwrap_or_default())
            .ok_or_else(|| format!("第 {} 条日志的成员列表无法解读", e.seq))?;
        Ok(members
            .into_iter()
            .filter(|m| m.entity_type == RECORD || m.entity_type == FEED_RECORD)
            .map(|m| Change {
                seq: e.seq,
                entity_type: m.entity_type.to_string(),
                entity_id: m.entity_id.to_string(),
                digest: (!m.digest.is_empty()).then(|| m.digest.to_string()),
                group: Some(e.entity_id.clone()),
            })
            .collect())
    } else if e.entity_type == RECORD || e.entity_type == FEED_RECORD {
        Ok(vec![Change {
            seq: e.seq,
            entity_type: e.entity_type.clone(),
            entity_id: e.entity_id.clone(),
            digest: e.state_digest.clone(),
            group: None,
        }])
    } else {
        Ok(Vec::new())
    }
}

/// The batch a group entry id (`batch:<id>:<n>`) belongs to.
fn group_batch(group: &str) -> Option<uuid::Uuid> {
    let rest = group.strip_prefix("batch:")?;
    let id = rest.split(':').next()?;
    uuid::Uuid::parse_str(id).ok()
}

fn hexes(hs: &[chengxin_domain::merkle::Hash]) -> Vec<String> {
    hs.iter().map(hex::encode).collect()
}

/// The page after entry `after` (at most `limit` entries) under the latest signed head, for
/// a caller holding `feed_read`; `known` is the head size the receiver holds (its consistency
/// proof to the page's head is included).
pub async fn page(
    app: &App,
    caller: &Caller,
    after: i64,
    limit: Option<i64>,
    known: Option<u64>,
) -> AppResult<FeedPage> {
    caller.require(Permission::FeedRead)?;
    if after < 0 {
        return Err(AppError::invalid("feed_bad_cursor", "游标不能为负数"));
    }
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::invalid(
            "feed_bad_limit",
            format!("每页条数须在 1 到 {MAX_PAGE} 之间"),
        ));
    }
    if let Some(p) = &app.heads {
        if let Err(e) = p.publish(app.store.as_ref()).await {
            tracing::warn!(target: crate::LOG_TARGET, error = %e, "tree head not signed");
        }
    }
    let Some(head) = app.store.latest_tree_head().await? else {
        return Err(AppError::Conflict {
            code: "no_tree_head",
            message: "尚未签发签名树头，请稍后再试".into(),
        });
    };
    let size = head.size as i64;
    if after > size {
        return Err(AppError::Conflict {
            code: "feed_cursor_ahead",
            message: format!(
                "游标 {after} 超出本平台已签名的日志长度 {size}：请核对上级平台的记录"
            ),
        });
    }
    let region = caller.scope.region.as_str().to_string();
    let origin = RegionTable::national()
        .get(&region)
        .map(|r| r.name.to_string())
        .unwrap_or_else(|| region.clone());
    let take = limit.min(size - after);
    let mut entries: Vec<FeedEntry> = if take > 0 {
        app.store
            .log_entries(after, take)
            .await?
            .into_iter()
            .map(FeedEntry::from)
            .collect()
    } else {
        Vec::new()
    };
    let states = states(app, &mut entries).await?;
    // The token's region must cover every record the page carries: a token of a district
    // never reads its city's other districts (refused, not filtered: the log is one).
    for s in &states {
        let of = match (&s.record, &s.forwarded) {
            (Some(r), _) => crate::auth::uscc_region(&r.source_dept),
            (None, Some(f)) => f.origin_region.clone(),
            (None, None) => continue,
        };
        if region != "000000" && of != region && !RegionTable::national().is_within(&of, &region) {
            return Err(AppError::forbidden(
                "feed_scope",
                format!("该令牌的地区 {region} 不含本平台地区 {of} 的记录：请以本平台所辖地区签发归集令牌"),
            ));
        }
    }
    let next = after + entries.len() as i64;
    let n = next as u64;
    let to_head = if n > 0 && n < head.size {
        hexes(&app.store.consistency_proof(n, head.size).await?.proof)
    } else {
        Vec::new()
    };
    let known = known.unwrap_or(0);
    let from_known = if known > 0 && known < head.size {
        hexes(&app.store.consistency_proof(known, head.size).await?.proof)
    } else {
        Vec::new()
    };
    Ok(FeedPage {
        origin,
        region,
        checkpoint: head.note,
        after,
        next,
        entries,
        states,
        to_head,
        known,
        from_known,
    })
}

/// The content of each record the entries change. A record whose latest change is a later
/// entry is `superseded`; a record of a batch still being imported cuts the page before its
/// entry (it travels once published); one of an abandoned batch is `absent`.
async fn states(app: &App, entries: &mut Vec<FeedEntry>) -> AppResult<Vec<FeedState>> {
    let mut changes = Vec::new();
    let mut keep = entries.len();
    for (i, e) in entries.iter().enumerate() {
        let more = changes_of(e).map_err(|m| AppError::invalid("feed_bad_entry", m))?;
        // A page carries at most MAX_STATES record contents (one entry always goes).
        if i > 0 && changes.len() + more.len() > MAX_STATES {
            keep = i;
            break;
        }
        changes.extend(more);
    }
    entries.truncate(keep);
    let ids = |t: &str| -> Vec<String> {
        changes
            .iter()
            .filter(|c| c.entity_type == t)
            .map(|c| c.entity_id.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let record_ids = ids(RECORD);
    let feed_ids = ids(FEED_RECORD);
    let latest_records = app.store.latest_entries(RECORD, &record_ids).await?;
    let latest_feed = app.store.latest_entries(FEED_RECORD, &feed_ids).await?;
    let forwarded: HashMap<String, chengxin_store::FeedRecordRow> = app
        .store
        .feed_records_by_id(&feed_ids)
        .await?
        .into_iter()
        .map(|r| (r.id.clone(), r))
        .collect();
    // The current content of the records whose latest change is in the page, in bulk.
    let wanted: Vec<uuid::Uuid> = changes
        .iter()
        .filter(|c| {
            c.entity_type == RECORD
                && c.digest.is_some()
                && latest_records.get(&c.entity_id).is_none_or(|l| *l <= c.seq)
        })
        .filter_map(|c| uuid::Uuid::parse_str(&c.entity_id).ok())
        .collect();
    let mut sources: HashMap<String, (chengxin_domain::records::Record, Option<String>)> = app
        .store
        .feed_source_records(&wanted)
        .await?
        .into_iter()
        .map(|(r, code)| (r.id.to_string(), (r, code)))
        .collect();
    let mut out = Vec::with_capacity(changes.len());
    let mut cut: Option<i64> = None;
    for c in changes {
        let latest = if c.entity_type == RECORD {
            latest_records.get(&c.entity_id)
        } else {
            latest_feed.get(&c.entity_id)
        };
        let mut s = FeedState {
            seq: c.seq,
            entity_type: c.entity_type.clone(),
            entity_id: c.entity_id.clone(),
            record: None,
            subject_code: None,
            forwarded: None,
            superseded: false,
            absent: false,
        };
        if latest.is_some_and(|l| *l > c.seq) || c.digest.is_none() {
            s.superseded = latest.is_some_and(|l| *l > c.seq);
            s.absent = !s.superseded;
        } else if c.entity_type == FEED_RECORD {
            match forwarded.get(&c.entity_id) {
                Some(r) => s.forwarded = Some(r.clone()),
                None => s.absent = true,
            }
        } else {
            let found = sources.remove(&c.entity_id);
            match found {
                Some((r, code)) => {
                    s.subject_code = code;
                    s.record = Some(r);
                }
                None => {
                    let open = match c.group.as_deref().and_then(group_batch) {
                        Some(b) => app.store.batch(b).await?.is_some_and(|b| {
                            matches!(b.state, BatchState::Importing | BatchState::Failing)
                        }),
                        None => false,
                    };
                    if open {
                        cut = Some(c.seq);
                        break;
                    }
                    s.absent = true;
                }
            }
        }
        out.push(s);
    }
    if let Some(seq) = cut {
        entries.retain(|e| e.seq < seq);
        out.retain(|s| s.seq < seq);
    }
    Ok(out)
}
