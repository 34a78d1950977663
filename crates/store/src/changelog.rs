//! The tamper-evident change log: a hash chain over every write, with signed checkpoints.
//!
//! Each entry commits to its predecessor's hash and to the digest of the entity's new state
//! (canonical JSON, SHA-256). `verify` recomputes the chain and then the digest of every
//! current row, so a row edited, deleted or inserted with plain SQL is pinpointed. The chain
//! head is signed with an Ed25519 key kept outside the database, so rewriting the whole chain
//! is detected too.

use chengxin_domain::merkle::{self, Frontier, Hash};
use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::error::{Result, StoreError};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Entity types whose rows are covered by the log, and checked by `verify`.
pub const ENTITY_TYPES: [&str; 5] = [
    "catalog_type",
    "subject",
    "employment",
    "record",
    "record_history",
];

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: i64,
    /// RFC 3339, UTC, microseconds: stored as text so the chain hash is backend-independent.
    pub at: String,
    pub actor: String,
    pub entity_type: String,
    pub entity_id: String,
    pub action: String,
    /// Digest of the new state; `None` when the entity was deleted.
    pub state_digest: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// For a group entry (`entity_type == "group"`): one line per member entity,
    /// `action\tentity_type\tentity_id\tdigest\n`. The entry's `state_digest` is the
    /// SHA-256 of this text, so the members are covered by the chain like any state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub members: Option<String>,
}

/// The entity type of a group entry: one chained entry standing for many entity changes
/// written together (a batch import chunk). Bulk imports would otherwise spend as much time
/// writing log rows as data rows; a group keeps every member's id and digest, so `verify`
/// still names the exact row that was tampered with.
pub const GROUP_ENTITY: &str = "group";

/// One member of a group entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub digest: &'a str,
}

/// Append one member line to a group's text. Ids and digests never contain tabs or newlines
/// (UUIDs, `uuid:version`, hex), so the format needs no escaping.
pub fn push_member(
    out: &mut String,
    action: &str,
    entity_type: &str,
    entity_id: &str,
    digest: &str,
) {
    for part in [
        action,
        "\t",
        entity_type,
        "\t",
        entity_id,
        "\t",
        digest,
        "\n",
    ] {
        out.push_str(part);
    }
}

/// Parse a group's member lines; `None` if a line is malformed.
pub fn parse_members(text: &str) -> Option<Vec<Member<'_>>> {
    text.lines()
        .map(|line| {
            let mut it = line.split('\t');
            let m = Member {
                action: it.next()?,
                entity_type: it.next()?,
                entity_id: it.next()?,
                digest: it.next()?,
            };
            it.next().is_none().then_some(m)
        })
        .collect()
}

/// SHA-256 (hex) of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A signed checkpoint of the chain head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub key_id: String,
    pub signature: String,
    pub at: DateTime<Utc>,
}

/// Current time, truncated to microseconds so it round-trips through both backends exactly.
pub fn now() -> DateTime<Utc> {
    micros(crate::clock::now())
}

/// A time truncated to whole microseconds — what both backends store (PostgreSQL's
/// TIMESTAMPTZ keeps no more), so a state read back digests like the state written.
pub fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub fn format_at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// SHA-256 of the canonical JSON of a state, serialised straight into the hasher.
///
/// Canonical because struct fields serialise in declaration order and the only maps in
/// states are `serde_json::Map`/`BTreeMap`, whose keys come out sorted; states must not
/// hold a `HashMap`. Streaming matters: bulk imports digest every record and history entry.
pub fn state_digest<T: Serialize>(state: &T) -> Result<String> {
    let mut hasher = Sha256::new();
    serde_json::to_writer(&mut hasher, state)
        .map_err(|e| StoreError::Invalid(format!("状态无法序列化：{e}")))?;
    Ok(hex::encode(hasher.finalize()))
}

/// The hash of an entry: SHA-256 over the JSON array of its fields and the previous hash.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    state_digest: Option<&str>,
    prev_hash: &str,
) -> String {
    let mut buf = Vec::with_capacity(320);
    hex::encode(entry_hash_raw(
        &mut buf,
        seq,
        at,
        actor,
        entity_type,
        entity_id,
        action,
        state_digest,
        prev_hash,
    ))
}

/// Whether serde_json writes `s` as it is between quotes (no quote, backslash or control
/// character to escape; it never escapes `/` or non-ASCII).
fn json_plain(s: &str) -> bool {
    !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20)
}

/// [`entry_hash`] as raw bytes, the JSON written into `buf` (cleared first, reused between
/// entries so `verify` allocates nothing per entry). The bytes are those of
/// `serde_json::json!([..]).to_string()` (compact, same escaping; see the tests): fields that
/// need no escaping are copied as they are, the rest go through serde_json.
#[allow(clippy::too_many_arguments)]
pub fn entry_hash_raw(
    buf: &mut Vec<u8>,
    seq: i64,
    at: &str,
    actor: &str,
    entity_type: &str,
    entity_id: &str,
    action: &str,
    state_digest: Option<&str>,
    prev_hash: &str,
) -> Hash {
    use std::io::Write as _;
    buf.clear();
    let texts = [at, actor, entity_type, entity_id, action, prev_hash];
    let plain = texts.iter().all(|t| json_plain(t)) && state_digest.is_none_or(json_plain);
    let written = if plain {
        let _ = write!(buf, "[{seq}");
        for t in &texts[..5] {
            buf.extend_from_slice(b",\"");
            buf.extend_from_slice(t.as_bytes());
            buf.push(b'"');
        }
        match state_digest {
            Some(d) => {
                buf.extend_from_slice(b",\"");
                buf.extend_from_slice(d.as_bytes());
                buf.push(b'"');
            }
            None => buf.extend_from_slice(b",null"),
        }
        buf.extend_from_slice(b",\"");
        buf.extend_from_slice(prev_hash.as_bytes());
        buf.extend_from_slice(b"\"]");
        true
    } else {
        let fields = (
            seq,
            at,
            actor,
            entity_type,
            entity_id,
            action,
            state_digest,
            prev_hash,
        );
        serde_json::to_writer(&mut *buf, &fields).is_ok()
    };
    if !written {
        // Writing strings and integers into memory cannot fail; hash the fallback form so a
        // mismatch would show rather than panic.
        buf.clear();
        buf.extend_from_slice(
            format!("{seq}{at}{actor}{entity_type}{entity_id}{action}{state_digest:?}{prev_hash}")
                .as_bytes(),
        );
    }
    Sha256::digest(&buf[..]).into()
}

impl LogEntry {
    pub fn expected_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.entity_type,
            &self.entity_id,
            &self.action,
            self.state_digest.as_deref(),
            &self.prev_hash,
        )
    }
}

/// The message a checkpoint signs.
fn checkpoint_message(seq: i64, hash: &str) -> Vec<u8> {
    format!("chengxin-log-checkpoint:{seq}:{hash}").into_bytes()
}

/// Key id: first 16 hex chars of SHA-256 of the public key.
pub fn key_id(key: &VerifyingKey) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_string()
}

/// Signs checkpoints. The secret stays in memory and out of `Debug`.
pub struct LogSigner {
    key: SigningKey,
}

impl std::fmt::Debug for LogSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogSigner(key_id={}, <secret redacted>)", self.key_id())
    }
}

impl LogSigner {
    pub fn new(key: SigningKey) -> Self {
        Self { key }
    }
    pub fn generate() -> Self {
        Self::new(SigningKey::generate(&mut rand::rngs::OsRng))
    }
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }
    pub fn key_id(&self) -> String {
        key_id(&self.key.verifying_key())
    }
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }
    pub fn sign(&self, seq: i64, hash: &str) -> String {
        hex::encode(self.key.sign(&checkpoint_message(seq, hash)).to_bytes())
    }
    /// An Ed25519 signature over `message` as it is (a signed note's text).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

pub fn verify_signature(key: &VerifyingKey, seq: i64, hash: &str, signature_hex: &str) -> bool {
    let Ok(bytes) = hex::decode(signature_hex) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(&checkpoint_message(seq, hash), &sig).is_ok()
}

/// One thing `verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The chain is broken at this entry (gap, bad link or bad hash).
    BrokenChain { seq: i64, reason: String },
    /// The stored head does not match the last entry.
    HeadMismatch { reason: String },
    /// A checkpoint's signature or hash is wrong, or it points past the end of the log.
    BadCheckpoint { seq: i64, reason: String },
    /// A row's current state differs from what the log says it was last set to.
    RowEdited {
        entity_type: String,
        entity_id: String,
    },
    /// A row exists that the log never recorded.
    RowInserted {
        entity_type: String,
        entity_id: String,
    },
    /// The log says a row exists, but it is gone.
    RowDeleted {
        entity_type: String,
        entity_id: String,
    },
    /// A signed tree head kept outside the database (`verify --against`) does not match the
    /// log: it is longer than the log (recent history erased) or has another root (rewritten).
    PublishedHead { size: u64, reason: String },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problem::BrokenChain { seq, reason } => {
                write!(f, "变更日志第 {seq} 条断链：{reason}")
            }
            Problem::HeadMismatch { reason } => write!(f, "变更日志链头不一致：{reason}"),
            Problem::BadCheckpoint { seq, reason } => {
                write!(f, "第 {seq} 条处的签名检查点无效：{reason}")
            }
            Problem::RowEdited {
                entity_type,
                entity_id,
            } => write!(
                f,
                "{entity_type} {entity_id} 的当前数据与变更日志不符（被绕过平台修改）"
            ),
            Problem::RowInserted {
                entity_type,
                entity_id,
            } => write!(
                f,
                "{entity_type} {entity_id} 不在变更日志中（被绕过平台插入）"
            ),
            Problem::RowDeleted {
                entity_type,
                entity_id,
            } => write!(
                f,
                "{entity_type} {entity_id} 在变更日志中存在但数据已不在（被绕过平台删除）"
            ),
            Problem::PublishedHead { size, reason } => {
                write!(f, "库外保存的签名树头（{size} 条）与数据库不符：{reason}")
            }
        }
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub entries: i64,
    pub head_hash: String,
    pub checkpoints: i64,
    pub last_signed_seq: Option<i64>,
    pub rows_checked: u64,
    /// Leaves of the Merkle tree (= entries) and its root (hex), recomputed from the entries.
    pub tree_size: u64,
    pub tree_root: String,
    /// Signed heads from outside the database the tree was checked against.
    pub heads_checked: u64,
    pub problems: Vec<Problem>,
}

/// The fields of a change-log entry that `verify` reads, borrowed (from a row or a page).
#[derive(Debug, Clone, Copy)]
pub struct EntryRef<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub state_digest: Option<&'a str>,
    pub prev_hash: &'a str,
    pub hash: &'a str,
    pub members: Option<&'a str>,
}

impl LogEntry {
    /// The entry's fields, borrowed.
    pub fn as_ref(&self) -> EntryRef<'_> {
        EntryRef {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            action: &self.action,
            state_digest: self.state_digest.as_deref(),
            prev_hash: &self.prev_hash,
            hash: &self.hash,
            members: self.members.as_deref(),
        }
    }
}

/// The per-entry hashing of `verify`, independent of every other entry (so it runs in
/// parallel): whether the stored hash is the hash of the entry's content (lower-case hex, as
/// written), and the entry's Merkle leaf, `SHA-256(0x00 || entry hash bytes)` (over the text
/// when the stored hash is not hex: the chain is then reported broken, the leaf still counts).
pub fn hash_entry(buf: &mut Vec<u8>, e: &EntryRef<'_>) -> (bool, Hash) {
    let expected = entry_hash_raw(
        buf,
        e.seq,
        e.at,
        e.actor,
        e.entity_type,
        e.entity_id,
        e.action,
        e.state_digest,
        e.prev_hash,
    );
    let mut hex_expected = [0u8; 64];
    let ok = hex::encode_to_slice(expected, &mut hex_expected).is_ok()
        && e.hash.as_bytes() == hex_expected;
    let leaf = if ok {
        merkle::leaf_hash(&expected)
    } else {
        let mut raw = [0u8; 32];
        match hex::decode_to_slice(e.hash, &mut raw) {
            Ok(()) => merkle::leaf_hash(&raw),
            Err(_) => match hex::decode(e.hash) {
                Ok(bytes) => merkle::leaf_hash(&bytes),
                Err(_) => merkle::leaf_hash(e.hash.as_bytes()),
            },
        }
    };
    (ok, leaf)
}

/// Streaming chain checker: feed entries in `seq` order, then rows, then finish.
pub struct ChainChecker {
    next_seq: i64,
    prev_hash: String,
    /// Hash after each checkpointed seq, to compare with checkpoints.
    wanted_seqs: HashMap<i64, Option<String>>,
    /// Latest digest per `entity_type\tentity_id` (types never hold a tab): `None` = deleted.
    latest: HashMap<String, Option<String>>,
    /// Scratch buffer for keys of `latest`.
    key: String,
    report: VerifyReport,
    chain_ok: bool,
    /// The Merkle tree over the entries, grown as they stream by.
    frontier: Frontier,
    /// Heads kept outside the database: size → (published root, recomputed root).
    published: HashMap<u64, (Hash, Option<Hash>)>,
}

/// Cap so a badly damaged database still gives a readable report.
const MAX_PROBLEMS: usize = 1000;

impl ChainChecker {
    pub fn new(checkpoint_seqs: impl IntoIterator<Item = i64>) -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            wanted_seqs: checkpoint_seqs.into_iter().map(|s| (s, None)).collect(),
            latest: HashMap::new(),
            key: String::new(),
            report: VerifyReport::default(),
            chain_ok: true,
            frontier: Frontier::new(),
            published: HashMap::new(),
        }
    }

    /// Also check the tree against signed heads kept outside the database (already opened
    /// with a trusted key): `(size, root)`.
    pub fn against(mut self, heads: &[(u64, Hash)]) -> Self {
        for (size, root) in heads {
            self.published.insert(*size, (*root, None));
        }
        self
    }

    fn problem(&mut self, p: Problem) {
        if self.report.problems.len() < MAX_PROBLEMS {
            self.report.problems.push(p);
        }
    }

    pub fn entry(&mut self, e: LogEntry) {
        let mut buf = Vec::new();
        let (hash_ok, leaf) = hash_entry(&mut buf, &e.as_ref());
        self.entry_checked(&e.as_ref(), hash_ok, &leaf);
    }

    /// One entry whose hashes were computed beforehand by [`hash_entry`] (on another thread:
    /// see `verify_pipeline`); entries must come in `seq` order.
    pub fn entry_checked(&mut self, e: &EntryRef<'_>, hash_ok: bool, leaf: &Hash) {
        self.report.entries += 1;
        if self.chain_ok {
            let reason = if e.seq != self.next_seq {
                Some(format!(
                    "应为第 {} 条，实际为第 {} 条",
                    self.next_seq, e.seq
                ))
            } else if e.prev_hash != self.prev_hash {
                Some("前一条哈希不符".to_string())
            } else if !hash_ok {
                Some("本条哈希与内容不符（条目被修改）".to_string())
            } else {
                None
            };
            if let Some(reason) = reason {
                self.chain_ok = false;
                self.problem(Problem::BrokenChain { seq: e.seq, reason });
            }
        }
        self.next_seq = e.seq + 1;
        self.frontier.push(*leaf, |_, _| {});
        if let Some((_, at)) = self.published.get_mut(&self.frontier.size()) {
            *at = Some(self.frontier.root());
        }
        self.prev_hash.clear();
        self.prev_hash.push_str(e.hash);
        if let Some(slot) = self.wanted_seqs.get_mut(&e.seq) {
            *slot = Some(e.hash.to_string());
        }
        if e.entity_type == GROUP_ENTITY {
            self.group(e);
        } else {
            self.set_latest(e.entity_type, e.entity_id, e.state_digest);
        }
    }

    /// Record the latest digest of an entity; an entity seen before costs no allocation.
    fn set_latest(&mut self, entity_type: &str, entity_id: &str, digest: Option<&str>) {
        self.key.clear();
        self.key.push_str(entity_type);
        self.key.push('\t');
        self.key.push_str(entity_id);
        match self.latest.get_mut(self.key.as_str()) {
            Some(slot) => match (slot.as_mut(), digest) {
                (Some(old), Some(new)) => {
                    old.clear();
                    old.push_str(new);
                }
                (_, new) => *slot = new.map(str::to_string),
            },
            None => {
                self.latest
                    .insert(self.key.clone(), digest.map(str::to_string));
            }
        }
    }

    fn group(&mut self, e: &EntryRef<'_>) {
        let text = e.members.unwrap_or_default();
        if e.state_digest != Some(sha256_hex(text.as_bytes()).as_str()) {
            self.problem(Problem::BrokenChain {
                seq: e.seq,
                reason: "组条目的成员清单与其摘要不符（成员清单被修改）".to_string(),
            });
            return;
        }
        let Some(members) = parse_members(text) else {
            self.problem(Problem::BrokenChain {
                seq: e.seq,
                reason: "组条目的成员清单格式错误".to_string(),
            });
            return;
        };
        for m in members {
            self.set_latest(
                m.entity_type,
                m.entity_id,
                (m.action != "delete").then_some(m.digest),
            );
        }
    }

    pub fn head(&mut self, seq: i64, hash: &str) {
        self.report.head_hash = hash.to_string();
        if seq != self.next_seq - 1 || hash != self.prev_hash {
            self.problem(Problem::HeadMismatch {
                reason: format!(
                    "链头记录为第 {seq} 条，日志最后一条为第 {}",
                    self.next_seq - 1
                ),
            });
        }
    }

    pub fn checkpoint(&mut self, cp: &Checkpoint, keys: &HashMap<String, VerifyingKey>) {
        self.report.checkpoints += 1;
        let reason = match keys.get(&cp.key_id) {
            None => Some(format!("签名密钥 {} 不受信任", cp.key_id)),
            Some(k) if !verify_signature(k, cp.seq, &cp.hash, &cp.signature) => {
                Some("签名验证失败".to_string())
            }
            Some(_) => match self.wanted_seqs.get(&cp.seq) {
                Some(Some(h)) if *h == cp.hash => None,
                Some(Some(_)) => Some("检查点哈希与日志不符（日志被改写）".to_string()),
                _ => Some("检查点指向的日志条目不存在（日志被截断）".to_string()),
            },
        };
        match reason {
            Some(reason) => self.problem(Problem::BadCheckpoint {
                seq: cp.seq,
                reason,
            }),
            None => {
                self.report.last_signed_seq = Some(
                    self.report
                        .last_signed_seq
                        .map_or(cp.seq, |s| s.max(cp.seq)),
                );
            }
        }
    }

    /// A current row and the digest of its state.
    pub fn row(&mut self, entity_type: &str, entity_id: &str, digest: &str) {
        self.report.rows_checked += 1;
        self.key.clear();
        self.key.push_str(entity_type);
        self.key.push('\t');
        self.key.push_str(entity_id);
        match self.latest.remove(self.key.as_str()) {
            Some(Some(d)) if d == digest => {}
            Some(Some(_)) => self.problem(Problem::RowEdited {
                entity_type: entity_type.into(),
                entity_id: entity_id.into(),
            }),
            Some(None) | None => self.problem(Problem::RowInserted {
                entity_type: entity_type.into(),
                entity_id: entity_id.into(),
            }),
        }
    }

    pub fn finish(mut self) -> VerifyReport {
        let mut missing: Vec<(String, String)> = self
            .latest
            .drain()
            .filter(|(_, d)| d.is_some())
            .map(|(k, _)| match k.split_once('\t') {
                Some((t, id)) => (t.to_string(), id.to_string()),
                None => (k, String::new()),
            })
            .collect();
        missing.sort();
        for (entity_type, entity_id) in missing {
            self.problem(Problem::RowDeleted {
                entity_type,
                entity_id,
            });
        }
        self.report.tree_size = self.frontier.size();
        self.report.tree_root = hex::encode(self.frontier.root());
        let mut heads: Vec<(u64, (Hash, Option<Hash>))> = self.published.drain().collect();
        heads.sort_by_key(|(size, _)| *size);
        let entries = self.frontier.size();
        for (size, (root, at)) in heads {
            self.report.heads_checked += 1;
            let reason = match at {
                _ if size > entries => Some(format!(
                    "该树头记录变更日志已有 {size} 条，数据库中只有 {entries} 条：最近的历史被删除（回滚）"
                )),
                Some(r) if r == root => None,
                // Size 0 (the empty tree) is never reached by an entry.
                None if size == 0 && root == merkle::empty_root() => None,
                _ => Some(format!(
                    "数据库中前 {size} 条变更日志的 Merkle 树根与该树头不符：历史被改写"
                )),
            };
            if let Some(reason) = reason {
                self.problem(Problem::PublishedHead { size, reason });
            }
        }
        self.report.ok = self.report.problems.is_empty();
        self.report
    }
}

#[cfg(test)]
mod tests;
