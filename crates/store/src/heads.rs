//! Signed tree heads: C2SP checkpoints over the change log's Merkle tree, signed with the
//! log-signing key, and the append-only heads file kept outside the database.
//!
//! The tree math and the note text are pure (`chengxin_domain::merkle`); this module adds
//! the Ed25519 signature and the file. See `docs/TRANSPARENCY_LOG.md`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chengxin_domain::merkle::{self, Hash, NoteError};
use chrono::{DateTime, Utc};
/// The public key type heads are opened with (re-exported for the CLI).
pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Verifier as _};
use serde::Serialize;

use crate::changelog::LogSigner;
use crate::error::{Result, StoreError};
use crate::Store;

/// The heads file's name in the data directory, unless configured otherwise.
pub const HEADS_FILE: &str = "heads.log";

/// A signed tree head as stored: the checkpoint's size and root, and the whole signed note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeHead {
    pub size: u64,
    #[serde(serialize_with = "ser_hex")]
    pub root: Hash,
    /// The C2SP signed note (checkpoint text, blank line, signature line).
    pub note: String,
    pub at: DateTime<Utc>,
}

pub(crate) fn ser_hex<S: serde::Serializer>(
    h: &Hash,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(h))
}

/// An inclusion proof of one change-log entry in the tree of `tree_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub seq: i64,
    pub leaf_index: u64,
    pub tree_size: u64,
    /// The entry's chain hash (the leaf's data), hex.
    pub entry_hash: String,
    pub leaf_hash: Hash,
    pub path: Vec<Hash>,
    pub root: Hash,
}

/// A consistency proof between the trees of `old_size` and `new_size` leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub old_size: u64,
    pub new_size: u64,
    pub old_root: Hash,
    pub new_root: Hash,
    pub proof: Vec<Hash>,
}

/// The origin (and key name) of this deployment's checkpoints when none is configured:
/// unique per signing key, so two instances never share a name.
pub fn default_origin(signer: &LogSigner) -> String {
    format!("chengxin.local/{}", signer.key_id())
}

/// The signed note of the checkpoint `(origin, size, root)`.
pub fn sign_checkpoint(signer: &LogSigner, origin: &str, size: u64, root: &Hash) -> String {
    let text = merkle::checkpoint_text(origin, size, root);
    let id = merkle::key_id(origin, signer.verifying_key().as_bytes());
    let sig = signer.sign_bytes(text.as_bytes());
    format!("{text}\n{}", merkle::signature_line(origin, id, &sig))
}

/// Open a signed checkpoint with the trusted keys: a signature by a trusted key (matched by
/// key name and ID, the name being the checkpoint's origin) must verify, and none may fail.
pub fn open_checkpoint(
    note: &str,
    trusted: &[VerifyingKey],
) -> std::result::Result<merkle::Checkpoint, NoteError> {
    let parsed = merkle::parse_note(note)?;
    let cp = merkle::parse_checkpoint(&parsed.text)?;
    let mut verified = false;
    for (name, id, sig) in &parsed.signatures {
        for key in trusted {
            if merkle::key_id(name, key.as_bytes()) != *id {
                continue;
            }
            let ok = Signature::from_slice(sig)
                .is_ok_and(|s| key.verify(parsed.text.as_bytes(), &s).is_ok());
            if !ok {
                return Err(NoteError::Unsigned);
            }
            verified |= *name == cp.origin;
        }
    }
    verified.then_some(cp).ok_or(NoteError::Unsigned)
}

/// The append-only heads file: signed notes one after another, each followed by a blank line.
#[derive(Debug)]
pub struct HeadsFile {
    path: PathBuf,
}

impl HeadsFile {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append one note and sync it to disk. Opened in append mode, so writers sharing the
    /// file (a server and a CLI command) never overwrite each other.
    pub fn append(&self, note: &str) -> Result<()> {
        let err = |e: std::io::Error| {
            StoreError::Key(format!("无法写入签名树头文件 {}：{e}", self.path.display()))
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.path)
            .map_err(err)?;
        f.write_all(format!("{note}\n").as_bytes()).map_err(err)?;
        f.sync_data().map_err(err)
    }

    /// The notes in the file, oldest first (empty when the file does not exist).
    pub fn notes(&self) -> Result<Vec<String>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(merkle::split_notes(&text)
                .into_iter()
                .map(str::to_string)
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StoreError::Key(format!(
                "无法读取签名树头文件 {}：{e}",
                self.path.display()
            ))),
        }
    }
}

/// Signs tree heads as the log grows and appends each to the heads file. Before signing, the
/// new tree is proved consistent with the last head this publisher wrote: a database rolled
/// back behind the server's back is refused, never signed over.
#[derive(Debug)]
pub struct Publisher {
    signer: std::sync::Arc<LogSigner>,
    origin: String,
    file: HeadsFile,
    last: Mutex<Option<merkle::Checkpoint>>,
}

impl Publisher {
    /// `origin`: the checkpoint origin and key name. Reads the file's last head it can open
    /// with its own key.
    pub fn new(signer: std::sync::Arc<LogSigner>, origin: String, file: HeadsFile) -> Result<Self> {
        let key = signer.verifying_key();
        let last = file
            .notes()?
            .iter()
            .filter_map(|n| open_checkpoint(n, &[key]).ok())
            .filter(|cp| cp.origin == origin)
            .max_by_key(|cp| cp.size);
        Ok(Self {
            signer,
            origin,
            file,
            last: Mutex::new(last),
        })
    }

    pub fn file(&self) -> &HeadsFile {
        &self.file
    }

    /// The key heads are signed with (a credit report's proof bundle names it).
    pub fn public_key(&self) -> VerifyingKey {
        self.signer.verifying_key()
    }

    /// The log key itself (the national export signs its manifest with it).
    pub fn signer(&self) -> &std::sync::Arc<LogSigner> {
        &self.signer
    }

    /// The checkpoint origin (and key name).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Sign and append a head if the log grew; `None` when there was nothing new.
    pub async fn publish(&self, store: &dyn Store) -> Result<Option<TreeHead>> {
        let last = self.last.lock().map_err(|_| poisoned())?.clone();
        let size = store.merkle_sync().await?;
        if let Some(last) = &last {
            if size < last.size {
                return Err(StoreError::Invalid(format!(
                    "变更日志只有 {size} 条，少于已发布的签名树头（{} 条）：数据库可能被回滚，拒绝签名",
                    last.size
                )));
            }
            let p = store.consistency_proof(last.size, size).await?;
            if merkle::verify_consistency(last.size, size, &last.root, &p.new_root, &p.proof)
                .is_err()
            {
                return Err(StoreError::Invalid(format!(
                    "当前变更日志与已发布的第 {} 条签名树头不一致：历史可能被改写，拒绝签名",
                    last.size
                )));
            }
        }
        let Some(head) = store.sign_tree_head(&self.signer, &self.origin).await? else {
            return Ok(None);
        };
        self.file.append(&head.note)?;
        *self.last.lock().map_err(|_| poisoned())? = Some(merkle::Checkpoint {
            origin: self.origin.clone(),
            size: head.size,
            root: head.root,
            extensions: Vec::new(),
        });
        Ok(Some(head))
    }
}

fn poisoned() -> StoreError {
    StoreError::Invalid("签名树头状态不可用".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_sign_and_open() {
        let signer = LogSigner::generate();
        let other = LogSigner::generate();
        let note = sign_checkpoint(&signer, "x.example/log", 9, &[5; 32]);
        let cp = open_checkpoint(&note, &[signer.verifying_key()]).unwrap();
        assert_eq!((cp.size, cp.root), (9, [5; 32]));
        assert!(open_checkpoint(&note, &[other.verifying_key()]).is_err());
        let forged = note.replace("\n9\n", "\n10\n");
        assert!(open_checkpoint(&forged, &[signer.verifying_key()]).is_err());
        let dir = std::env::temp_dir().join(format!("chengxin-heads-{}", uuid::Uuid::now_v7()));
        let file = HeadsFile::new(dir.join(HEADS_FILE));
        assert!(file.notes().unwrap().is_empty());
        file.append(&note).unwrap();
        file.append(&note).unwrap();
        assert_eq!(file.notes().unwrap(), vec![note.clone(), note]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
