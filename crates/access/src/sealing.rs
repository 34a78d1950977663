//! Sealing personal data (个人信息加密存储): ID numbers are kept as a keyed hash for matching
//! ([`chengxin_domain::subjects::IdHasher`]), a masked form for display
//! ([`chengxin_domain::codes::id_number::mask`], the one masker) and a sealed value that only entitled roles can have opened
//! ([`PiiCipher::reveal`]).
//!
//! The cipher is XChaCha20-Poly1305 (RustCrypto `chacha20poly1305`): ChaCha20-Poly1305 with
//! a 24-byte nonce. Nonces are random per seal, and at a province's scale (billions of
//! values over the years) the 12-byte nonce of plain ChaCha20-Poly1305 or AES-GCM would come
//! uncomfortably close to its birthday bound; 24 bytes remove the question. It is fast
//! without AES hardware and constant-time in software.
//!
//! Format: `v1:` + base64 (standard, padded) of `nonce (24) ‖ ciphertext ‖ tag (16)`. The
//! version names the scheme so a future one can be introduced beside it. The associated data
//! binds the version, and for [`PiiCipher::seal_bound`] a context such as the subject id, so
//! a sealed value copied onto another row does not open there.
//!
//! The 32-byte key lives outside the database: a key file (64 hex characters, as the store
//! writes its keys, or 32 raw bytes, mode 0600) or an environment variable (hex or base64), or
//! it is derived from the ID-hash key with [`PiiCipher::from_id_hasher`]. It is never logged:
//! `Debug` prints `PiiCipher(<redacted>)` and the key bytes are wiped from memory on drop.

use std::io::{Read, Write};
use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use zeroize::Zeroize;

use crate::error::{AccessError, SealError};
use crate::jurisdiction::{authorize, Scope, Target};
use crate::roles::{Permission, Role};

const VERSION: &str = "v1";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const AAD_PREFIX: &[u8] = b"chengxin-pii:v1";
/// Key files larger than this are not key files.
const MAX_KEY_FILE: u64 = 4096;

/// Seals and opens personal data with a 32-byte key.
pub struct PiiCipher {
    cipher: XChaCha20Poly1305,
    warning: Option<String>,
}

impl std::fmt::Debug for PiiCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiCipher(<redacted>)")
    }
}

/// Parse key material: exactly 32 raw bytes, or (surrounding whitespace ignored) 64 hex
/// characters or base64 of 32 bytes.
pub fn parse_key(material: &[u8]) -> Result<[u8; 32], AccessError> {
    if material.len() == 32 {
        let mut k = [0u8; 32];
        k.copy_from_slice(material);
        return Ok(k);
    }
    let text = std::str::from_utf8(material)
        .map_err(|_| AccessError::KeyInvalid)?
        .trim();
    let mut bytes = if text.len() == 64 {
        hex::decode(text).map_err(|_| AccessError::KeyInvalid)?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| AccessError::KeyInvalid)?
    };
    let out: Result<[u8; 32], _> = bytes.as_slice().try_into();
    bytes.zeroize();
    out.map_err(|_| AccessError::KeyInvalid)
}

impl PiiCipher {
    /// A cipher from key bytes (the caller's copy should be wiped afterwards).
    pub fn from_key(key: [u8; 32]) -> Self {
        let mut key = key;
        let cipher = XChaCha20Poly1305::new((&key).into());
        key.zeroize();
        PiiCipher {
            cipher,
            warning: None,
        }
    }

    /// A cipher keyed by a sub-key of the ID-hash key (`IdHasher::derive`), for deployments
    /// that keep a single secret: the two uses stay independent.
    pub fn from_id_hasher(hasher: &chengxin_domain::subjects::IdHasher) -> Self {
        Self::from_key(hasher.derive("chengxin-pii-seal-v1"))
    }

    /// A cipher from the value of an environment variable (64 hex characters or base64).
    /// The caller reads the variable; this function never logs or echoes it.
    pub fn from_env_value(value: &str) -> Result<Self, AccessError> {
        let text = value.trim();
        if text.len() == 32 {
            // 32 characters would be taken as raw bytes: not a valid encoding for a variable.
            return Err(AccessError::KeyInvalid);
        }
        let mut key = parse_key(text.as_bytes())?;
        let c = Self::from_key(key);
        key.zeroize();
        Ok(c)
    }

    /// A cipher from a key file (see [`parse_key`] for the formats). The one function of
    /// this crate that reads a file. On Unix a file readable or writable by group or others
    /// is still accepted (container secrets are often mounted 0444) but
    /// [`PiiCipher::warning`] then says so, for the caller to log.
    pub fn from_key_file(path: &Path) -> Result<Self, AccessError> {
        let read_err = |e: std::io::Error| AccessError::KeyRead {
            path: path.display().to_string(),
            detail: e.to_string(),
        };
        let file = std::fs::File::open(path).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        if !meta.is_file() || meta.len() > MAX_KEY_FILE {
            return Err(AccessError::KeyInvalid);
        }
        let mut material = Vec::with_capacity(128);
        file.take(MAX_KEY_FILE)
            .read_to_end(&mut material)
            .map_err(read_err)?;
        let parsed = parse_key(&material);
        material.zeroize();
        let mut key = parsed?;
        let mut cipher = Self::from_key(key);
        key.zeroize();
        cipher.warning = mode_warning(&meta, path);
        Ok(cipher)
    }

    /// A warning about how the key was loaded (a key file with loose permissions), to log.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    fn aad(context: Option<&str>) -> Vec<u8> {
        let mut aad = AAD_PREFIX.to_vec();
        if let Some(c) = context {
            aad.push(b':');
            aad.extend_from_slice(c.as_bytes());
        }
        aad
    }

    fn seal_with(&self, plaintext: &str, context: Option<&str>) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRng
            .try_fill_bytes(&mut nonce)
            .map_err(|_| SealError::EncryptFailed)?;
        let aad = Self::aad(context);
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::EncryptFailed)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + ct.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&ct);
        Ok(format!(
            "{VERSION}:{}",
            base64::engine::general_purpose::STANDARD.encode(blob)
        ))
    }

    fn open_with(&self, sealed: &str, context: Option<&str>) -> Result<String, SealError> {
        let (version, body) = sealed.trim().split_once(':').ok_or(SealError::Malformed)?;
        if version != VERSION {
            let looks_like_version = version.len() <= 8
                && version.starts_with('v')
                && version.len() > 1
                && version.bytes().skip(1).all(|b| b.is_ascii_digit());
            return Err(if looks_like_version {
                SealError::UnsupportedVersion {
                    version: version.to_owned(),
                }
            } else {
                SealError::Malformed
            });
        }
        let blob = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Malformed);
        }
        let (nonce, ct) = blob.split_at(NONCE_LEN);
        let aad = Self::aad(context);
        let mut pt = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .map_err(|_| SealError::Tampered)?;
        let out = String::from_utf8(pt.clone()).map_err(|_| SealError::NotUtf8);
        pt.zeroize();
        out
    }

    /// Seal a value (e.g. an ID number): `v1:<base64>`, different every time (random nonce).
    pub fn seal(&self, plaintext: &str) -> Result<String, SealError> {
        self.seal_with(plaintext, None)
    }

    /// Open a value sealed by [`PiiCipher::seal`]. Any change to it, or another key, gives
    /// [`SealError::Tampered`]. Low level: handlers use [`PiiCipher::reveal`].
    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        self.open_with(sealed, None)
    }

    /// Seal a value bound to a context (e.g. the subject's id): it only opens with the same
    /// context, so it cannot be moved to another row unnoticed.
    pub fn seal_bound(&self, plaintext: &str, context: &str) -> Result<String, SealError> {
        self.seal_with(plaintext, Some(context))
    }

    /// Open a value sealed by [`PiiCipher::seal_bound`] with the same context.
    pub fn open_bound(&self, sealed: &str, context: &str) -> Result<String, SealError> {
        self.open_with(sealed, Some(context))
    }

    /// The gate for showing personal data in clear: some role must hold
    /// [`Permission::PersonalDataDecrypt`] and reach `target` (the subject's region), and a
    /// purpose must be given. The caller logs who, what and the purpose (查询留痕) before
    /// showing the value; everyone else sees the masked form
    /// ([`chengxin_domain::codes::id_number::mask`]).
    pub fn reveal(
        &self,
        sealed: &str,
        context: Option<&str>,
        roles: &[Role],
        scope: &Scope,
        target: &Target<'_>,
        purpose: &str,
    ) -> Result<String, AccessError> {
        authorize(roles, scope, Permission::PersonalDataDecrypt, target)?;
        if purpose.trim().is_empty() {
            return Err(AccessError::PurposeRequired);
        }
        Ok(self.open_with(sealed, context)?)
    }
}

#[cfg(unix)]
fn mode_warning(meta: &std::fs::Metadata, path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "密钥文件 {} 的权限为 {mode:04o}，建议设为 0600（仅属主可读写）",
            path.display()
        )
    })
}

#[cfg(not(unix))]
fn mode_warning(_meta: &std::fs::Metadata, _path: &Path) -> Option<String> {
    None
}

/// Create a new key file at `path` with a random key, as 64 hex characters and a newline,
/// mode 0600 on Unix. Refuses to overwrite an existing file: replacing the key would make
/// everything sealed with it unreadable. The parent folder must exist.
pub fn generate_key_file(path: &Path) -> Result<(), AccessError> {
    let write_err = |e: std::io::Error| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            AccessError::KeyExists {
                path: path.display().to_string(),
            }
        } else {
            AccessError::KeyWrite {
                path: path.display().to_string(),
                detail: e.to_string(),
            }
        }
    };
    let mut key = [0u8; 32];
    OsRng
        .try_fill_bytes(&mut key)
        .map_err(|_| AccessError::RandomFailed)?;
    let mut text = hex::encode(key);
    key.zeroize();
    text.push('\n');
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let result = opts
        .open(path)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .map_err(write_err);
    text.zeroize();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jurisdiction::Region;
    use proptest::prelude::*;

    fn cipher() -> PiiCipher {
        PiiCipher::from_key([7u8; 32])
    }

    fn temp_path(name: &str) -> std::path::PathBuf {
        let mut r = [0u8; 8];
        rand::RngCore::fill_bytes(&mut OsRng, &mut r);
        std::env::temp_dir().join(format!(
            "chengxin-access-{}-{}-{name}",
            std::process::id(),
            hex::encode(r)
        ))
    }

    const ID: &str = "32040219800101123X";

    #[test]
    fn seal_and_open() {
        let c = cipher();
        let a = c.seal(ID).unwrap();
        let b = c.seal(ID).unwrap();
        assert!(a.starts_with("v1:"));
        assert_ne!(a, b, "random nonce");
        assert!(!a.contains(ID));
        assert_eq!(c.open(&a).unwrap(), ID);
        assert_eq!(c.open(&format!(" {b}\n")).unwrap(), ID);
        assert_eq!(c.open(&c.seal("").unwrap()).unwrap(), "");
        let other = PiiCipher::from_key([8u8; 32]);
        assert_eq!(other.open(&a).unwrap_err(), SealError::Tampered);
    }

    #[test]
    fn tampering_is_detected() {
        let c = cipher();
        let sealed = c.seal(ID).unwrap();
        let blob = base64::engine::general_purpose::STANDARD
            .decode(&sealed[3..])
            .unwrap();
        for i in 0..blob.len() {
            let mut t = blob.clone();
            t[i] ^= 0x01;
            let s = format!(
                "v1:{}",
                base64::engine::general_purpose::STANDARD.encode(&t)
            );
            assert_eq!(c.open(&s).unwrap_err(), SealError::Tampered, "byte {i}");
        }
        let short = format!(
            "v1:{}",
            base64::engine::general_purpose::STANDARD.encode([0u8; 39])
        );
        assert_eq!(c.open(&short).unwrap_err(), SealError::Malformed);
        assert_eq!(c.open("").unwrap_err(), SealError::Malformed);
        assert_eq!(c.open("v1:***").unwrap_err(), SealError::Malformed);
        assert_eq!(c.open(ID).unwrap_err(), SealError::Malformed);
        assert_eq!(
            c.open(&sealed.replacen("v1:", "v2:", 1)).unwrap_err(),
            SealError::UnsupportedVersion {
                version: "v2".into()
            }
        );
    }

    #[test]
    fn bound_to_context() {
        let c = cipher();
        let s = c.seal_bound(ID, "subject:42").unwrap();
        assert_eq!(c.open_bound(&s, "subject:42").unwrap(), ID);
        assert_eq!(
            c.open_bound(&s, "subject:43").unwrap_err(),
            SealError::Tampered
        );
        assert_eq!(c.open(&s).unwrap_err(), SealError::Tampered);
        let plain = c.seal(ID).unwrap();
        assert!(
            c.open_bound(&plain, "").is_err(),
            "empty context differs from none"
        );
    }

    #[test]
    fn reveal_only_for_entitled_roles() {
        let c = cipher();
        let sealed = c.seal(ID).unwrap();
        let changzhou = Region::parse("320400").unwrap();
        let tianning = Region::parse("320402").unwrap();
        let suzhou = Region::parse("320500").unwrap();
        let scope = Scope::region_only(changzhou);
        let here = Target::region(&tianning);
        let office = [Role::CreditOffice];
        assert_eq!(
            c.reveal(&sealed, None, &office, &scope, &here, "异议核查")
                .unwrap(),
            ID
        );
        let err = |roles: &[Role], t: &Target<'_>, purpose: &str| {
            c.reveal(&sealed, None, roles, &scope, t, purpose)
                .unwrap_err()
                .code()
        };
        assert_eq!(err(&office, &here, "  "), "purpose_required");
        assert_eq!(
            err(&office, &Target::region(&suzhou), "x"),
            "out_of_jurisdiction"
        );
        for r in [
            Role::Administrator,
            Role::Auditor,
            Role::Supervisor,
            Role::SubmittingDepartment,
            Role::Public,
        ] {
            assert_eq!(err(&[r], &here, "x"), "permission_denied", "{r}");
        }
        assert_eq!(
            chengxin_domain::codes::id_number::mask(ID),
            "3204**********123X"
        );
    }

    #[test]
    fn keys_from_text() {
        let hex_key = hex::encode([9u8; 32]);
        let b64_key = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        assert_eq!(parse_key(hex_key.as_bytes()).unwrap(), [9u8; 32]);
        assert_eq!(
            parse_key(format!("{hex_key}\n").as_bytes()).unwrap(),
            [9u8; 32]
        );
        assert_eq!(parse_key(b64_key.as_bytes()).unwrap(), [9u8; 32]);
        assert_eq!(parse_key(&[9u8; 32]).unwrap(), [9u8; 32]);
        for bad in [&b""[..], b"abc", &[9u8; 31], &[9u8; 33], &[0xffu8; 64]] {
            assert_eq!(parse_key(bad).unwrap_err().code(), "key_invalid");
        }
        let a = PiiCipher::from_env_value(&hex_key).unwrap();
        let b = PiiCipher::from_env_value(&format!(" {b64_key} ")).unwrap();
        assert_eq!(b.open(&a.seal(ID).unwrap()).unwrap(), ID);
        assert!(PiiCipher::from_env_value("aaaabbbbccccddddeeeeffffgggghhhh").is_err());
        assert!(PiiCipher::from_env_value("").is_err());
        assert_eq!(format!("{a:?}"), "PiiCipher(<redacted>)");
        let h = chengxin_domain::subjects::IdHasher::new([1u8; 32]);
        let d1 = PiiCipher::from_id_hasher(&h);
        let d2 = PiiCipher::from_id_hasher(&h);
        assert_eq!(d2.open(&d1.seal(ID).unwrap()).unwrap(), ID);
        assert!(PiiCipher::from_key([1u8; 32])
            .open(&d1.seal(ID).unwrap())
            .is_err());
    }

    #[test]
    fn key_files() {
        let path = temp_path("pii.key");
        generate_key_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.len(), 65);
        let c = PiiCipher::from_key_file(&path).unwrap();
        assert_eq!(c.warning(), None);
        let again = PiiCipher::from_key_file(&path).unwrap();
        assert_eq!(again.open(&c.seal(ID).unwrap()).unwrap(), ID);
        assert_eq!(generate_key_file(&path).unwrap_err().code(), "key_exists");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "not overwritten"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let loose = PiiCipher::from_key_file(&path).unwrap();
            let w = loose.warning().unwrap();
            assert!(w.contains("0644") && !w.contains(text.trim()), "{w}");
        }
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            PiiCipher::from_key_file(&path).unwrap_err().code(),
            "key_read_failed"
        );
        let raw = temp_path("raw.key");
        std::fs::write(&raw, [5u8; 32]).unwrap();
        assert!(PiiCipher::from_key_file(&raw).is_ok());
        std::fs::write(&raw, "not a key").unwrap();
        assert_eq!(
            PiiCipher::from_key_file(&raw).unwrap_err().code(),
            "key_invalid"
        );
        std::fs::remove_file(&raw).unwrap();
        let missing_dir = temp_path("nodir").join("k.key");
        assert_eq!(
            generate_key_file(&missing_dir).unwrap_err().code(),
            "key_write_failed"
        );
    }

    proptest! {
        #[test]
        fn seal_open_round_trip(s in ".{0,64}", ctx in "[a-z0-9:]{0,16}") {
            let c = cipher();
            let sealed = c.seal(&s).unwrap();
            prop_assert_eq!(c.open(&sealed).unwrap(), s.clone());
            let bound = c.seal_bound(&s, &ctx).unwrap();
            prop_assert_eq!(c.open_bound(&bound, &ctx).unwrap(), s);
        }

        #[test]
        fn open_never_panics(s in ".{0,100}") {
            let _ = cipher().open(&s);
            let _ = cipher().open(&format!("v1:{s}"));
            let _ = parse_key(s.as_bytes());
        }
    }
}
