//! The receiver's checks of a page, before anything is applied: the head's signature by the
//! sender's trusted key, the cursor (no gap, no replay), the size, every entry's chain hash,
//! the Merkle proofs (the entries extend the tree the receiver holds to the head; the head is
//! consistent with the last one it holds — the receiver is the sender's witness), each record's
//! content against the digest its entry logged, and its region against the sender's.

use std::collections::HashMap;

use chengxin_domain::merkle::{self, Frontier, Hash};
use chengxin_domain::regions::RegionTable;
use chengxin_store::changelog::state_digest;
use chengxin_store::heads::{open_checkpoint, VerifyingKey};
use chengxin_store::{FeedLinkRow, FeedRecordRow};

use super::page::FeedPage;
use super::send::{changes_of, FEED_RECORD};
use super::{MAX_PAGE, MAX_STATES};

/// Why a page was refused: a stable code and a Chinese reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// A page that passed every check: the link's new state and the records to store.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub link: FeedLinkRow,
    pub records: Vec<FeedRecordRow>,
}

fn parse_hash(h: &str) -> Option<Hash> {
    let bytes = hex::decode(h).ok()?;
    bytes.try_into().ok()
}

fn parse_hashes(hs: &[String]) -> Result<Vec<Hash>, Refusal> {
    hs.iter()
        .map(|h| parse_hash(h).ok_or_else(|| refuse("feed_bad_proof", "证明中的哈希值格式错误")))
        .collect()
}

/// The frontier a link holds, from its stored text.
pub fn link_frontier(link: &FeedLinkRow) -> Option<Frontier> {
    let hashes: Option<Vec<Hash>> = if link.frontier.is_empty() {
        Some(Vec::new())
    } else {
        link.frontier.split(',').map(parse_hash).collect()
    };
    Frontier::from_parts(u64::try_from(link.applied).ok()?, &hashes?)
}

fn frontier_text(f: &Frontier) -> String {
    f.hashes()
        .iter()
        .map(hex::encode)
        .collect::<Vec<_>>()
        .join(",")
}

/// Whether `code` is `region` or lies within it.
fn within(code: &str, region: &str) -> bool {
    code == region || RegionTable::national().is_within(code, region)
}

/// Check a page against the link's state and the sender's trusted key.
pub fn check_page(
    link: &FeedLinkRow,
    key: &VerifyingKey,
    page: &FeedPage,
) -> Result<Verified, Refusal> {
    // The head: signed by the sender's key, not older than the one held.
    let cp = open_checkpoint(&page.checkpoint, &[*key]).map_err(|e| {
        refuse(
            "feed_bad_signature",
            format!("签名树头无法以受信任的公钥验证（{}）", e.code()),
        )
    })?;
    let head_size = i64::try_from(cp.size).map_err(|_| refuse("feed_bad_proof", "树头过大"))?;
    if head_size < link.head_size {
        return Err(refuse(
            "feed_rollback",
            format!(
                "下级平台的签名树头（{} 条）比已持有的（{} 条）短：其日志可能被回滚",
                cp.size, link.head_size
            ),
        ));
    }
    if page.region != link.region {
        return Err(refuse(
            "feed_region",
            format!(
                "下级平台报称的地区 {} 与配置的 {} 不符",
                page.region, link.region
            ),
        ));
    }
    // The cursor: the page starts where the link stands.
    if page.after < link.applied {
        return Err(refuse(
            "feed_replay",
            format!(
                "该页从第 {} 条开始，而第 {} 条之前均已接收：旧页重放",
                page.after + 1,
                link.applied
            ),
        ));
    }
    if page.after > link.applied {
        return Err(refuse(
            "feed_gap",
            format!(
                "该页从第 {} 条开始，而只接收到第 {} 条：游标不连续",
                page.after + 1,
                link.applied
            ),
        ));
    }
    if page.entries.len() as i64 > MAX_PAGE
        || (page.states.len() > MAX_STATES && page.entries.len() > 1)
    {
        return Err(refuse(
            "feed_oversize",
            format!("该页有 {} 条日志，超过上限 {MAX_PAGE}", page.entries.len()),
        ));
    }
    if page.next != page.after + page.entries.len() as i64 || page.next > head_size {
        return Err(refuse("feed_gap", "该页的条目数与其游标不符"));
    }
    // The chain: every entry's hash recomputed, each linked to the one before.
    let mut prev = link.last_hash.clone();
    let mut frontier = link_frontier(link)
        .ok_or_else(|| refuse("feed_link_state", "本平台保存的下级日志状态无法解读"))?;
    let mut buf = Vec::with_capacity(320);
    for (i, e) in page.entries.iter().enumerate() {
        if e.seq != page.after + 1 + i as i64 {
            return Err(refuse(
                "feed_gap",
                format!(
                    "第 {} 条之后应为第 {} 条，却是第 {} 条",
                    page.after + i as i64,
                    page.after + 1 + i as i64,
                    e.seq
                ),
            ));
        }
        if e.prev_hash != prev && !(e.seq == 1 && link.applied == 0) {
            return Err(refuse(
                "feed_bad_entry",
                format!("第 {} 条日志与前一条不相连", e.seq),
            ));
        }
        let h = chengxin_store::changelog::entry_hash_raw(
            &mut buf,
            e.seq,
            &e.at,
            &e.actor,
            &e.entity_type,
            &e.entity_id,
            &e.action,
            e.state_digest.as_deref(),
            &e.prev_hash,
        );
        let computed = hex::encode(h);
        if computed != e.hash {
            return Err(refuse(
                "feed_bad_entry",
                format!("第 {} 条日志的哈希与其内容不符", e.seq),
            ));
        }
        if e.entity_type == chengxin_store::changelog::GROUP_ENTITY {
            let digest = chengxin_store::changelog::sha256_hex(
                e.members.as_deref().unwrap_or_default().as_bytes(),
            );
            if e.state_digest.as_deref() != Some(digest.as_str()) {
                return Err(refuse(
                    "feed_bad_entry",
                    format!("第 {} 条日志的成员列表与其摘要不符", e.seq),
                ));
            }
        }
        frontier.push(merkle::leaf_hash(&h), |_, _| {});
        prev = computed;
    }
    // The tree: the entries extend the tree held to `next`, a prefix of the head's tree…
    let next = page.next as u64;
    let root_next = frontier.root();
    if next == cp.size {
        if root_next != cp.root {
            return Err(refuse(
                "feed_bad_proof",
                "日志条目算出的默克尔树根与签名树头不符",
            ));
        }
    } else if next > 0 {
        let proof = parse_hashes(&page.to_head)?;
        merkle::verify_consistency(next, cp.size, &root_next, &cp.root, &proof).map_err(|e| {
            refuse(
                "feed_bad_proof",
                format!("日志条目与签名树头之间的一致性证明无效（{}）", e.code()),
            )
        })?;
    }
    // …and the head held before is a prefix of this one (witness).
    if link.head_size > 0 {
        let old_root = parse_hash(&link.head_root)
            .ok_or_else(|| refuse("feed_link_state", "本平台保存的下级树头无法解读"))?;
        if link.head_size == head_size {
            if old_root != cp.root {
                return Err(refuse(
                    "feed_inconsistent",
                    "同样长度的签名树头出现了不同的树根：下级平台的日志被改写",
                ));
            }
        } else {
            if page.known != link.head_size as u64 {
                return Err(refuse(
                    "feed_bad_proof",
                    "该页未附上自已持有树头起的一致性证明",
                ));
            }
            let proof = parse_hashes(&page.from_known)?;
            merkle::verify_consistency(link.head_size as u64, cp.size, &old_root, &cp.root, &proof)
                .map_err(|e| {
                    refuse(
                        "feed_inconsistent",
                        format!(
                            "新签名树头与已持有的第 {} 条树头不一致（{}）：下级平台的日志被改写",
                            link.head_size,
                            e.code()
                        ),
                    )
                })?;
        }
    }
    // The records: each change has its content (matching the digest logged) or is accounted for.
    let mut changes = Vec::new();
    for e in &page.entries {
        changes.extend(changes_of(e).map_err(|m| refuse("feed_bad_entry", m))?);
    }
    if page.states.len() != changes.len() {
        return Err(refuse(
            "feed_missing_state",
            format!(
                "该页改动了 {} 条记录，却只附上 {} 条记录内容",
                changes.len(),
                page.states.len()
            ),
        ));
    }
    // The records in order; a later change in the same page replaces an earlier one (its
    // slot emptied, the new state appended), found through `slot` (not a scan: a page holds
    // up to 20,000 records).
    let mut records: Vec<Option<FeedRecordRow>> = Vec::new();
    let mut slot: HashMap<String, usize> = HashMap::new();
    for (c, s) in changes.iter().zip(&page.states) {
        if s.seq != c.seq || s.entity_type != c.entity_type || s.entity_id != c.entity_id {
            return Err(refuse(
                "feed_missing_state",
                format!("第 {} 条日志所改记录的内容缺失或错位", c.seq),
            ));
        }
        if s.superseded || s.absent {
            continue;
        }
        let digest = match (&s.record, &s.forwarded) {
            (Some(r), None) if c.entity_type != FEED_RECORD => state_digest(r),
            (None, Some(f)) if c.entity_type == FEED_RECORD => state_digest(f),
            _ => {
                return Err(refuse(
                    "feed_missing_state",
                    format!("第 {} 条日志所改记录 {} 的内容缺失", c.seq, c.entity_id),
                ))
            }
        }
        .map_err(|_| refuse("feed_bad_state", "记录内容无法序列化"))?;
        if c.digest.as_deref() != Some(digest.as_str()) {
            return Err(refuse(
                "feed_state_mismatch",
                format!(
                    "记录 {} 的内容与第 {} 条日志登记的摘要不符：下级平台的数据被改动",
                    c.entity_id, c.seq
                ),
            ));
        }
        let row = match (&s.record, &s.forwarded) {
            (Some(r), _) => FeedRecordRow {
                id: format!("{}:{}", page.origin, r.id),
                link: link.name.clone(),
                origin: page.origin.clone(),
                origin_region: crate::auth::uscc_region(&r.source_dept),
                original_id: r.id.to_string(),
                origin_seq: c.seq,
                type_code: r.type_code.clone(),
                subject_name: r.subject_name.clone(),
                subject_code: s.subject_code.clone(),
                doc_no: r.doc_no.clone(),
                decision_date: r.decision_date.to_string(),
                source_dept: r.source_dept.clone(),
                status: r.status.as_str().to_string(),
                fields: serde_json::to_string(&r.fields)
                    .map_err(|_| refuse("feed_bad_state", "记录内容无法序列化"))?,
                version: r.version,
            },
            (None, Some(f)) => FeedRecordRow {
                link: link.name.clone(),
                origin_seq: c.seq,
                ..f.clone()
            },
            (None, None) => continue,
        };
        if !within(&row.origin_region, &link.region) {
            return Err(refuse(
                "feed_region",
                format!(
                    "记录 {} 属于地区 {}，不在下级平台的地区 {} 之内",
                    c.entity_id, row.origin_region, link.region
                ),
            ));
        }
        if let Some(i) = slot.insert(row.id.clone(), records.len()) {
            records[i] = None;
        }
        records.push(Some(row));
    }
    let records: Vec<FeedRecordRow> = records.into_iter().flatten().collect();
    let new = FeedLinkRow {
        applied: page.next,
        last_hash: prev,
        frontier: frontier_text(&frontier),
        head_size,
        head_root: hex::encode(cp.root),
        sender_size: head_size,
        state: "ok".into(),
        error_code: None,
        error: None,
        records: link.records + records.len() as i64,
        pages: link.pages + 1,
        ..link.clone()
    };
    Ok(Verified { link: new, records })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chengxin_domain::merkle::{self, Frontier, Hash, NodeId};
    use chengxin_domain::records::{Record, RecordStatus};
    use chengxin_store::changelog::{entry_hash, state_digest, LogSigner, GENESIS_HASH};
    use chengxin_store::heads::sign_checkpoint;
    use chengxin_store::FeedLinkRow;

    use super::super::page::{FeedEntry, FeedPage, FeedState};
    use super::check_page;

    const ORIGIN: &str = "county.test/log";

    /// A sender's log: one record created per entry (its region given by `depts[i]`).
    struct Sender {
        signer: LogSigner,
        entries: Vec<FeedEntry>,
        records: Vec<Record>,
        nodes: HashMap<NodeId, Hash>,
    }

    fn record(i: usize, dept: &str) -> Record {
        let t = chrono::DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap();
        Record {
            id: uuid::Uuid::from_u128(i as u128 + 1),
            type_code: "admin_penalty".into(),
            subject_id: None,
            subject_name: format!("溧阳某公司{i}"),
            doc_no: format!("溧市监罚〔2026〕{i}号"),
            decision_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            source_dept: dept.into(),
            batch_id: None,
            fields: serde_json::Map::new(),
            severity: None,
            status: RecordStatus::Published,
            tolerated: false,
            published_at: Some(t),
            publish_until: None,
            content_digest: "00".into(),
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    fn sender(depts: &[&str]) -> Sender {
        sender_with(LogSigner::generate(), depts, usize::MAX)
    }

    /// A log whose entries from `fork_at` on were written by another actor (a rewritten
    /// history), signed with `signer`.
    fn sender_with(signer: LogSigner, depts: &[&str], fork_at: usize) -> Sender {
        let records = depts
            .iter()
            .enumerate()
            .map(|(i, d)| record(i, d))
            .collect();
        sender_of(signer, records, fork_at)
    }

    /// A log of one entry per record state given (a record may change more than once).
    fn sender_of(signer: LogSigner, records: Vec<Record>, fork_at: usize) -> Sender {
        let mut s = Sender {
            signer,
            entries: Vec::new(),
            records: Vec::new(),
            nodes: HashMap::new(),
        };
        let mut prev = GENESIS_HASH.to_string();
        let mut f = Frontier::new();
        for (i, r) in records.into_iter().enumerate() {
            let digest = state_digest(&r).unwrap();
            let seq = i as i64 + 1;
            let at = "2026-03-01T00:00:00.000000Z";
            let id = r.id.to_string();
            let actor = if i >= fork_at { "rewritten" } else { "test" };
            let hash = entry_hash(
                seq,
                at,
                actor,
                "record",
                &id,
                "create",
                Some(&digest),
                &prev,
            );
            let leaf = merkle::leaf_hash(&hex::decode(&hash).unwrap());
            s.nodes.insert(NodeId::new(0, i as u64), leaf);
            let nodes = &mut s.nodes;
            f.push(leaf, |id, h| {
                nodes.insert(id, *h);
            });
            s.entries.push(FeedEntry {
                seq,
                at: at.into(),
                actor: actor.into(),
                entity_type: "record".into(),
                entity_id: id,
                action: "create".into(),
                state_digest: Some(digest),
                prev_hash: std::mem::replace(&mut prev, hash.clone()),
                hash,
                members: None,
            });
            s.records.push(r);
        }
        s
    }

    impl Sender {
        fn page(&self, after: i64, next: i64, head: u64, known: u64) -> FeedPage {
            let root = merkle::root(&self.nodes, head).unwrap();
            let hexes = |hs: Vec<Hash>| hs.iter().map(hex::encode).collect::<Vec<_>>();
            let entries = self.entries[after as usize..next as usize].to_vec();
            let states = entries
                .iter()
                .map(|e| FeedState {
                    seq: e.seq,
                    entity_type: "record".into(),
                    entity_id: e.entity_id.clone(),
                    record: Some(self.records[e.seq as usize - 1].clone()),
                    subject_code: None,
                    forwarded: None,
                    superseded: false,
                    absent: false,
                })
                .collect();
            FeedPage {
                origin: "溧阳市".into(),
                region: "320481".into(),
                checkpoint: sign_checkpoint(&self.signer, ORIGIN, head, &root),
                after,
                next,
                entries,
                states,
                to_head: hexes(
                    merkle::consistency_proof(&self.nodes, next as u64, head).unwrap_or_default(),
                ),
                known,
                from_known: hexes(
                    merkle::consistency_proof(&self.nodes, known, head).unwrap_or_default(),
                ),
            }
        }
    }

    fn link() -> FeedLinkRow {
        FeedLinkRow {
            name: "溧阳市".into(),
            base_url: "http://127.0.0.1:1".into(),
            region: "320481".into(),
            applied: 0,
            last_hash: String::new(),
            frontier: String::new(),
            head_size: 0,
            head_root: String::new(),
            sender_size: 0,
            state: "new".into(),
            error_code: None,
            error: None,
            records: 0,
            pages: 0,
            updated_at: String::new(),
            version: 1,
        }
    }

    const LIYANG: &str = "11320481MB0000000X";

    #[test]
    fn pages_in_order_apply_and_every_bad_page_is_refused_with_its_code() {
        let s = sender(&[LIYANG; 7]);
        let key = s.signer.verifying_key();
        // Two pages under a head of 5, then one under a later head of 7.
        let v1 = check_page(&link(), &key, &s.page(0, 3, 5, 0)).unwrap();
        assert_eq!((v1.link.applied, v1.records.len()), (3, 3));
        assert_eq!(v1.records[0].origin, "溧阳市");
        assert_eq!(v1.records[0].id, format!("溧阳市:{}", s.records[0].id));
        let v2 = check_page(&v1.link, &key, &s.page(3, 5, 5, 5)).unwrap();
        assert_eq!((v2.link.applied, v2.link.head_size), (5, 5));
        let v3 = check_page(&v2.link, &key, &s.page(5, 7, 7, 5)).unwrap();
        assert_eq!(v3.link.applied, 7);

        let code = |l: &FeedLinkRow, p: &FeedPage| check_page(l, &key, p).unwrap_err().code;
        // An old page replayed; a page past the cursor.
        assert_eq!(code(&v1.link, &s.page(0, 3, 5, 0)), "feed_replay");
        assert_eq!(code(&v1.link, &s.page(4, 5, 5, 5)), "feed_gap");
        // Signed by another key.
        let other = sender(&[LIYANG; 7]);
        let mut forged = s.page(0, 3, 5, 0);
        forged.checkpoint = other.page(0, 3, 5, 0).checkpoint;
        assert_eq!(code(&link(), &forged), "feed_bad_signature");
        // A head older than the one held (the sender rolled back).
        assert_eq!(code(&v2.link, &s.page(5, 5, 4, 0)), "feed_rollback");
        // A record edited at the sender: its content no longer matches its entry's digest.
        let mut edited = s.page(0, 3, 5, 0);
        if let Some(r) = edited.states[1].record.as_mut() {
            r.subject_name = "篡改".into();
        }
        assert_eq!(code(&link(), &edited), "feed_state_mismatch");
        // A broken proof to the head.
        let mut broken = s.page(0, 3, 5, 0);
        broken.to_head[0] = hex::encode([7u8; 32]);
        assert_eq!(code(&link(), &broken), "feed_bad_proof");
        // An entry whose hash does not match its fields.
        let mut bad = s.page(0, 3, 5, 0);
        bad.entries[2].action = "delete".into();
        assert_eq!(code(&link(), &bad), "feed_bad_entry");
        // A missing record content.
        let mut missing = s.page(0, 3, 5, 0);
        missing.states.pop();
        assert_eq!(code(&link(), &missing), "feed_missing_state");
        // Oversized.
        let mut big = s.page(0, 3, 5, 0);
        big.entries = vec![big.entries[0].clone(); 1001];
        assert_eq!(code(&link(), &big), "feed_oversize");
    }

    #[test]
    fn a_record_changed_twice_in_a_page_is_stored_once_with_its_later_state() {
        let mut records: Vec<Record> = (0..4).map(|i| record(i, LIYANG)).collect();
        let mut corrected = records[1].clone();
        corrected.version = 2;
        corrected.subject_name = "溧阳某公司（更正）".into();
        records.push(corrected);
        let s = sender_of(LogSigner::generate(), records, usize::MAX);
        let key = s.signer.verifying_key();
        let v = check_page(&link(), &key, &s.page(0, 5, 5, 0)).unwrap();
        let ids: Vec<String> = v.records.iter().map(|r| r.original_id.clone()).collect();
        let original = |i: usize| s.records[i].id.to_string();
        // In order, the changed record at the place of its later change, once.
        assert_eq!(ids, [original(0), original(2), original(3), original(1)]);
        let last = &v.records[3];
        assert_eq!((last.version, last.origin_seq), (2, 5));
        assert_eq!(last.subject_name, "溧阳某公司（更正）");
    }

    #[test]
    fn a_head_that_does_not_extend_the_one_held_is_refused() {
        let key_bytes = [9u8; 32];
        let signer = || LogSigner::new(ed25519_dalek::SigningKey::from_bytes(&key_bytes));
        let s = sender_with(signer(), &[LIYANG; 6], usize::MAX);
        // The same key, the history rewritten from entry 4 on.
        let fork = sender_with(signer(), &[LIYANG; 6], 3);
        let key = s.signer.verifying_key();
        // The receiver applied 3 entries under a head of 5 (it holds that head).
        let v = check_page(&link(), &key, &s.page(0, 3, 5, 0)).unwrap();
        assert_eq!((v.link.applied, v.link.head_size), (3, 5));
        // The rewritten log's next page chains on from entry 3 and proves itself in its own
        // head, but that head does not extend the one the receiver witnessed.
        let r = check_page(&v.link, &key, &fork.page(3, 5, 6, 5)).unwrap_err();
        assert_eq!(r.code, "feed_inconsistent", "{}", r.message);
        // The honest sender's next page goes through.
        let ok = check_page(&v.link, &key, &s.page(3, 5, 6, 5)).unwrap();
        assert_eq!(ok.link.applied, 5);
    }

    #[test]
    fn a_record_outside_the_senders_region_is_refused() {
        let s = sender(&[LIYANG, "11320402MB0000000X"]);
        let key = s.signer.verifying_key();
        let r = check_page(&link(), &key, &s.page(0, 2, 2, 0)).unwrap_err();
        assert_eq!(r.code, "feed_region");
        assert!(r.message.contains("320402"), "{}", r.message);
    }
}
