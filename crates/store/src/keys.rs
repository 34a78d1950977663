//! Key files kept outside the database: the change-log signing key and the ID-number hashing
//! key. A copy of the database alone can neither re-sign a rewritten log nor brute-force the
//! keyed hashes of ID numbers.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::changelog::LogSigner;
use crate::error::{Result, StoreError};

pub const SIGNING_KEY_FILE: &str = "log-signing.key";
pub const ID_HASH_KEY_FILE: &str = "id-hash.key";
/// Signs credit reports (信用报告); its public key verifies them.
pub const REPORT_SIGNING_KEY_FILE: &str = "report-signing.key";

/// The folder holding the key files (`<data dir>/keys`).
#[derive(Debug, Clone)]
pub struct KeyDir {
    dir: PathBuf,
}

impl KeyDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn read_secret(&self, name: &str) -> Result<Option<[u8; 32]>> {
        let path = self.dir.join(name);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Key(format!(
                    "无法读取密钥文件 {}：{e}",
                    path.display()
                )))
            }
        };
        parse_hex32(text.trim()).map(Some).ok_or_else(|| {
            StoreError::Key(format!(
                "密钥文件 {} 格式错误（应为64位十六进制）",
                path.display()
            ))
        })
    }

    /// Put `secret` in place as `name` unless another process got there first, and return
    /// the key that is in place. The secret is written and synced under a private temporary
    /// name, then hard-linked to `name` (atomic, never overwrites): two servers starting on one
    /// data directory both end up with the same, complete key instead of one of them failing.
    fn create_secret(&self, name: &str, secret: &[u8; 32]) -> Result<[u8; 32]> {
        let err = |e: std::io::Error| {
            StoreError::Key(format!("无法写入密钥目录 {}：{e}", self.dir.display()))
        };
        std::fs::create_dir_all(&self.dir).map_err(err)?;
        let path = self.dir.join(name);
        let tmp = self
            .dir
            .join(format!(".{name}.{}.tmp", uuid::Uuid::now_v7().simple()));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let written = opts.open(&tmp).and_then(|mut f| {
            writeln!(f, "{}", hex::encode(secret))?;
            f.sync_all()
        });
        let linked = written.and_then(|()| std::fs::hard_link(&tmp, &path));
        // The temporary name goes in every case; the key lives on under `name`.
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(*secret),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                self.read_secret(name)?.ok_or_else(|| err(e))
            }
            Err(e) => Err(err(e)),
        }
    }

    /// The log-signing key, if it exists.
    pub fn signer(&self) -> Result<Option<LogSigner>> {
        Ok(self
            .read_secret(SIGNING_KEY_FILE)?
            .map(|s| LogSigner::new(SigningKey::from_bytes(&s))))
    }

    /// The log-signing key, created on first use.
    pub fn signer_or_create(&self) -> Result<LogSigner> {
        if let Some(s) = self.signer()? {
            return Ok(s);
        }
        let signer = LogSigner::generate();
        let secret = self.create_secret(SIGNING_KEY_FILE, &signer.secret_bytes())?;
        Ok(LogSigner::new(SigningKey::from_bytes(&secret)))
    }

    /// The credit-report signing key, if it exists.
    pub fn report_key(&self) -> Result<Option<SigningKey>> {
        Ok(self
            .read_secret(REPORT_SIGNING_KEY_FILE)?
            .map(|s| SigningKey::from_bytes(&s)))
    }

    /// The credit-report signing key, created on first use. A key of its own (not the
    /// log-signing key): reports leave the system, and rotating one key must not touch the
    /// other.
    pub fn report_key_or_create(&self) -> Result<SigningKey> {
        if let Some(k) = self.report_key()? {
            return Ok(k);
        }
        let mut secret = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
        let secret = self.create_secret(REPORT_SIGNING_KEY_FILE, &secret)?;
        Ok(SigningKey::from_bytes(&secret))
    }

    /// The ID-number hashing key, created on first use.
    pub fn id_hash_key_or_create(&self) -> Result<[u8; 32]> {
        if let Some(k) = self.read_secret(ID_HASH_KEY_FILE)? {
            return Ok(k);
        }
        let mut k = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut k);
        self.create_secret(ID_HASH_KEY_FILE, &k)
    }
}

pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(s).ok()?;
    bytes.try_into().ok()
}

/// Parse an exported public key (64 hex characters).
pub fn parse_public_key(s: &str) -> Result<VerifyingKey> {
    parse_hex32(s.trim())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok())
        .ok_or_else(|| StoreError::Key("公钥格式错误（应为64位十六进制 Ed25519 公钥）".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_created_once_and_reloaded() {
        let dir = std::env::temp_dir().join(format!("chengxin-keys-{}", uuid::Uuid::now_v7()));
        let kd = KeyDir::new(&dir);
        assert!(kd.signer().unwrap().is_none());
        let a = kd.signer_or_create().unwrap();
        let b = kd.signer_or_create().unwrap();
        assert_eq!(a.key_id(), b.key_id());
        assert!(kd.report_key().unwrap().is_none());
        let r1 = kd.report_key_or_create().unwrap();
        let r2 = kd.report_key_or_create().unwrap();
        assert_eq!(r1.to_bytes(), r2.to_bytes());
        assert_ne!(r1.verifying_key(), a.verifying_key());
        let k1 = kd.id_hash_key_or_create().unwrap();
        let k2 = kd.id_hash_key_or_create().unwrap();
        assert_eq!(k1, k2);
        let pk = hex::encode(a.verifying_key().as_bytes());
        assert_eq!(parse_public_key(&pk).unwrap(), a.verifying_key());
        assert!(parse_public_key("zz").is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Processes starting together on one data directory agree on one key; none fails.
    #[test]
    fn racing_creators_agree_on_one_key() {
        for _ in 0..20 {
            let dir = std::env::temp_dir().join(format!("chengxin-keys-{}", uuid::Uuid::now_v7()));
            let keys: Vec<[u8; 32]> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..8)
                    .map(|_| {
                        let kd = KeyDir::new(&dir);
                        s.spawn(move || kd.report_key_or_create().unwrap().to_bytes())
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert!(keys.iter().all(|k| *k == keys[0]));
            let on_disk = KeyDir::new(&dir).report_key().unwrap().unwrap();
            assert_eq!(on_disk.to_bytes(), keys[0]);
            // No temporary files left behind.
            assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
            std::fs::remove_dir_all(dir).unwrap();
        }
    }
}
