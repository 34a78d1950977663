//! Passwords: the policy new passwords must meet, argon2id hashing, reuse checks and the
//! one-time password of the first administrator.
//!
//! Defaults and why:
//! - **at least 12 characters** (`min_length`): 等级保护 level 3 asks for "complexity" without
//!   a figure; common practice in Chinese deployments is 8, NIST SP 800-63B allows 8 but
//!   recommends longer. Staff accounts here open personal data and sanctions, so 12 — still
//!   typeable, and with three character classes well beyond online guessing, which the lockout
//!   throttles anyway.
//! - **at most 128 characters** (`max_length`): long enough for any passphrase or password
//!   manager, short enough that a request cannot make the server hash megabytes.
//! - **3 of 4 character classes** (lower-case, upper-case, digits, other — any other character,
//!   Chinese included, counts as "other").
//! - **not containing the username** (case-insensitive, forwards or backwards, when the
//!   username has at least 3 characters — a 1-character username would forbid its letter).
//! - **no reuse of the last 5** (`history`): the caller keeps the hashes of the current and
//!   the 4 previous passwords and passes them to [`PasswordPolicy::check_change`].
//! - No control characters: they cannot be typed and usually mean a broken client.
//!
//! Passwords are hashed as the UTF-8 bytes received, without Unicode normalisation: the login
//! form must send what the user typed (beware full-width characters typed with a Chinese IME).
//!
//! Hashing uses argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane):
//! about 20–60 ms on a server core, under ~100 ms on a slow one, and memory-hard enough
//! that a stolen database is costly to attack. [`HashParams`] is configurable; hashes carry
//! their own parameters in the PHC string, so old hashes stay verifiable after a change and
//! [`needs_rehash`] tells when to upgrade one at the next successful login.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::AccessError;

/// One way a password breaks the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PolicyViolation {
    /// Fewer characters than `min`.
    TooShort { min: usize },
    /// More characters than `max`.
    TooLong { max: usize },
    /// Fewer character classes than `required`.
    TooFewClasses { required: u8, found: u8 },
    /// The password contains the username (or the username reversed).
    ContainsUsername,
    /// The password contains control characters.
    ControlCharacters,
    /// The password is one of the last `history` passwords.
    Reused { history: usize },
}

impl PolicyViolation {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyViolation::TooShort { .. } => "password_too_short",
            PolicyViolation::TooLong { .. } => "password_too_long",
            PolicyViolation::TooFewClasses { .. } => "password_too_few_classes",
            PolicyViolation::ContainsUsername => "password_contains_username",
            PolicyViolation::ControlCharacters => "password_control_characters",
            PolicyViolation::Reused { .. } => "password_reused",
        }
    }

    /// Chinese message for the user.
    pub fn message_zh(&self) -> String {
        match self {
            PolicyViolation::TooShort { min } => format!("密码长度至少{min}个字符"),
            PolicyViolation::TooLong { max } => format!("密码长度不能超过{max}个字符"),
            PolicyViolation::TooFewClasses { required, found } => format!(
                "密码须包含大写字母、小写字母、数字、其他符号中的至少{required}类（当前{found}类）"
            ),
            PolicyViolation::ContainsUsername => "密码不能包含用户名".to_owned(),
            PolicyViolation::ControlCharacters => "密码不能包含控制字符".to_owned(),
            PolicyViolation::Reused { history } => {
                format!("不能使用最近{history}次用过的密码")
            }
        }
    }
}

impl std::fmt::Display for PolicyViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_zh())
    }
}

/// The rules a new password must meet. See the module documentation for the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordPolicy {
    /// Minimum length in characters (Unicode scalar values). Default 12.
    pub min_length: usize,
    /// Maximum length in characters. Default 128.
    pub max_length: usize,
    /// How many of the 4 character classes are required. Default 3.
    pub min_classes: u8,
    /// Whether the password may not contain the username. Default true.
    pub forbid_username: bool,
    /// How many recent passwords may not be reused (current included). Default 5; 0 allows
    /// reuse.
    pub history: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 12,
            max_length: 128,
            min_classes: 3,
            forbid_username: true,
            history: 5,
        }
    }
}

/// The number of character classes (lower-case, upper-case, digit, other) in `s`.
pub fn character_classes(s: &str) -> u8 {
    let (mut lower, mut upper, mut digit, mut other) = (false, false, false, false);
    for c in s.chars() {
        if c.is_ascii_digit() || c.is_numeric() {
            digit = true;
        } else if c.is_lowercase() {
            lower = true;
        } else if c.is_uppercase() {
            upper = true;
        } else {
            other = true;
        }
    }
    [lower, upper, digit, other].iter().filter(|b| **b).count() as u8
}

impl PasswordPolicy {
    /// Check a candidate password for `username` against every rule except reuse (which
    /// needs the stored hashes: see [`PasswordPolicy::check_change`]). Returns every
    /// violation, so the form can list them all at once. Never panics.
    pub fn check(&self, username: &str, password: &str) -> Result<(), Vec<PolicyViolation>> {
        let mut out = Vec::new();
        let len = password.chars().count();
        if len < self.min_length {
            out.push(PolicyViolation::TooShort {
                min: self.min_length,
            });
        }
        if len > self.max_length {
            out.push(PolicyViolation::TooLong {
                max: self.max_length,
            });
        }
        let found = character_classes(password);
        if found < self.min_classes.min(4) {
            out.push(PolicyViolation::TooFewClasses {
                required: self.min_classes.min(4),
                found,
            });
        }
        if self.forbid_username && contains_username(username, password) {
            out.push(PolicyViolation::ContainsUsername);
        }
        if password.chars().any(char::is_control) {
            out.push(PolicyViolation::ControlCharacters);
        }
        if out.is_empty() {
            Ok(())
        } else {
            Err(out)
        }
    }

    /// The full check for a password change: [`PasswordPolicy::check`] plus reuse against
    /// the hashes of the most recent passwords, newest first (the current one included).
    /// Only the first `history` hashes are looked at.
    ///
    /// Reuse is only checked when the other rules pass: each comparison costs one argon2
    /// verification, and a password that fails anyway need not pay for five.
    pub fn check_change<S: AsRef<str>>(
        &self,
        username: &str,
        password: &str,
        recent_hashes: &[S],
    ) -> Result<(), AccessError> {
        self.check(username, password)
            .map_err(AccessError::PasswordPolicy)?;
        let n = self.history.min(recent_hashes.len());
        let recent = recent_hashes.get(..n).unwrap_or_default();
        if reused(recent, password)? {
            return Err(AccessError::PasswordPolicy(vec![PolicyViolation::Reused {
                history: self.history,
            }]));
        }
        Ok(())
    }
}

fn contains_username(username: &str, password: &str) -> bool {
    let user = username.trim().to_lowercase();
    if user.chars().count() < 3 {
        return false;
    }
    let pw = password.to_lowercase();
    let reversed: String = user.chars().rev().collect();
    pw.contains(&user) || pw.contains(&reversed)
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashParams {
    /// Memory in KiB. Default 19 456 (19 MiB).
    pub memory_kib: u32,
    /// Passes over memory. Default 2.
    pub iterations: u32,
    /// Lanes. Default 1 (requests are already parallel).
    pub parallelism: u32,
}

impl Default for HashParams {
    /// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
    fn default() -> Self {
        HashParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Stored hashes asking for more than this are refused rather than computed: a tampered
/// hash must not turn a login into a denial of service.
const MAX_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
/// Longer input is never a valid password (4 bytes × the default 128 characters, doubled).
const MAX_PASSWORD_BYTES: usize = 1024;

impl HashParams {
    /// Very cheap parameters for tests of other crates (8 KiB, 1 pass). Never use them for
    /// real accounts: hashes made with them are flagged by [`needs_rehash`] under the
    /// defaults.
    pub fn insecure_for_tests() -> Self {
        HashParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>, AccessError> {
        if self.memory_kib > MAX_MEMORY_KIB || self.iterations > MAX_ITERATIONS {
            return Err(AccessError::HashParams {
                detail: format!("内存不超过{MAX_MEMORY_KIB} KiB，迭代次数不超过{MAX_ITERATIONS}"),
            });
        }
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| AccessError::HashParams {
                detail: e.to_string(),
            })?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], AccessError> {
    let mut b = [0u8; N];
    OsRng
        .try_fill_bytes(&mut b)
        .map_err(|_| AccessError::RandomFailed)?;
    Ok(b)
}

/// Hash a password with argon2id and a random 16-byte salt; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) to store.
pub fn hash_password(password: &str, params: &HashParams) -> Result<String, AccessError> {
    let argon = params.argon2()?;
    let salt_bytes = random_bytes::<16>()?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|_| AccessError::HashFailed)?;
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AccessError::HashFailed)
}

fn parse_stored(phc: &str) -> Result<PasswordHash<'_>, AccessError> {
    let parsed = PasswordHash::new(phc).map_err(|_| AccessError::HashMalformed)?;
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return Err(AccessError::HashMalformed);
    }
    Ok(parsed)
}

fn stored_params(parsed: &PasswordHash<'_>) -> Result<Params, AccessError> {
    Params::try_from(parsed).map_err(|_| AccessError::HashMalformed)
}

/// Verify `password` against a stored PHC string. `Ok(false)` for a wrong password;
/// an error only for a stored value that is not a (sane) argon2id hash. The comparison is
/// constant-time (done by the `argon2` crate).
pub fn verify_password(password: &str, phc: &str) -> Result<bool, AccessError> {
    let parsed = parse_stored(phc)?;
    if password.len() > MAX_PASSWORD_BYTES {
        // No stored password can be this long (the policy caps length): don't hash it.
        return Ok(false);
    }
    let p = stored_params(&parsed)?;
    if p.m_cost() > MAX_MEMORY_KIB || p.t_cost() > MAX_ITERATIONS {
        return Err(AccessError::HashMalformed);
    }
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(AccessError::HashMalformed),
    }
}

/// Whether a stored hash was made with other parameters than `params` (or is unreadable):
/// after a successful login, hash the password again and store the new hash.
pub fn needs_rehash(phc: &str, params: &HashParams) -> bool {
    let Ok(parsed) = parse_stored(phc) else {
        return true;
    };
    let Ok(p) = stored_params(&parsed) else {
        return true;
    };
    parsed.version != Some(Version::V0x13.into())
        || p.m_cost() != params.memory_kib
        || p.t_cost() != params.iterations
        || p.p_cost() != params.parallelism
}

/// Spend the time of one verification without a stored hash: call it when the username
/// does not exist, so that response times do not reveal which usernames do.
pub fn dummy_verify(password: &str, params: &HashParams) {
    let _ = hash_password(password, params);
}

/// Whether `password` matches any of `history_hashes` (PHC strings). A stored hash that
/// cannot be read is an error rather than "not reused": the policy fails closed.
pub fn reused<S: AsRef<str>>(history_hashes: &[S], password: &str) -> Result<bool, AccessError> {
    for h in history_hashes {
        if verify_password(password, h.as_ref())? {
            return Ok(true);
        }
    }
    Ok(false)
}

const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"@#%+=-_";

/// Length of [`generate_one_time_password`]'s output.
pub const ONE_TIME_PASSWORD_LEN: usize = 20;

/// A strong random password for the first administrator (printed once at first run, to be
/// changed at first login) or for an account reset: 20 characters from the OS random source,
/// all four character classes, no look-alikes (`0 O o 1 l I`), no quotes or spaces, about
/// 118 bits of entropy. Meets the default [`PasswordPolicy`] (apart, with negligible
/// probability, from containing a username: check it with the policy when it matters).
pub fn generate_one_time_password() -> Result<String, AccessError> {
    let alphabet: Vec<u8> = [LOWER, UPPER, DIGITS, SYMBOLS].concat();
    let n = alphabet.len();
    // Rejection sampling: bytes at or above the largest multiple of n are dropped, so every
    // character is equally likely.
    let limit = 256 - (256 % n);
    for _ in 0..100 {
        let mut out = String::with_capacity(ONE_TIME_PASSWORD_LEN);
        while out.len() < ONE_TIME_PASSWORD_LEN {
            for b in random_bytes::<32>()? {
                let b = usize::from(b);
                if b < limit && out.len() < ONE_TIME_PASSWORD_LEN {
                    if let Some(c) = alphabet.get(b % n) {
                        out.push(char::from(*c));
                    }
                }
            }
        }
        let has = |set: &[u8]| out.bytes().any(|b| set.contains(&b));
        if has(LOWER) && has(UPPER) && has(DIGITS) && has(SYMBOLS) {
            return Ok(out);
        }
    }
    Err(AccessError::RandomFailed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cheap() -> HashParams {
        HashParams::insecure_for_tests()
    }

    fn codes(r: Result<(), Vec<PolicyViolation>>) -> Vec<&'static str> {
        r.err()
            .unwrap_or_default()
            .iter()
            .map(PolicyViolation::code)
            .collect()
    }

    #[test]
    fn policy_defaults() {
        let p = PasswordPolicy::default();
        assert!(p.check("zhangsan", "Chengxin-2024!").is_ok());
        assert!(
            p.check("zhangsan", "changzhou credit 2024").is_ok(),
            "lower+digit+space"
        );
        assert!(p.check("zhangsan", "诚信建设Changzhou1").is_ok());
        assert_eq!(
            codes(p.check("zhangsan", "Short1!")),
            ["password_too_short"]
        );
        assert_eq!(
            codes(p.check("zhangsan", "alllowercaseletters")),
            ["password_too_few_classes"]
        );
        assert_eq!(
            codes(p.check("zhangsan", "Zhangsan-2024!")),
            ["password_contains_username"]
        );
        assert_eq!(
            codes(p.check("zhangsan", "nasgnahz-2024!X")),
            ["password_contains_username"]
        );
        assert!(
            p.check("ab", "ab-Cdefgh-1234").is_ok(),
            "short usernames are not checked"
        );
        assert_eq!(
            codes(p.check("x", "Abcdefgh123\u{7}")),
            ["password_control_characters"]
        );
        assert_eq!(
            codes(p.check("x", &"Aa1!".repeat(40))),
            ["password_too_long"]
        );
        assert_eq!(
            codes(p.check("admin", "admin")),
            [
                "password_too_short",
                "password_too_few_classes",
                "password_contains_username"
            ]
        );
        let relaxed = PasswordPolicy {
            min_length: 8,
            min_classes: 1,
            forbid_username: false,
            ..PasswordPolicy::default()
        };
        assert!(relaxed.check("admin", "admin123").is_ok());
        let toml_like: PasswordPolicy = serde_json::from_str(r#"{"min_length": 16}"#).unwrap();
        assert_eq!(toml_like.min_length, 16);
        assert_eq!(toml_like.history, 5);
    }

    #[test]
    fn classes() {
        assert_eq!(character_classes(""), 0);
        assert_eq!(character_classes("abc"), 1);
        assert_eq!(character_classes("aB3"), 3);
        assert_eq!(character_classes("aB3!"), 4);
        assert_eq!(character_classes("诚信"), 1);
        assert_eq!(
            character_classes("ＡＢ１"),
            2,
            "full-width letters and digits"
        );
    }

    #[test]
    fn hash_and_verify() {
        let h = hash_password("Chengxin-2024!", &cheap()).unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{h}");
        assert!(verify_password("Chengxin-2024!", &h).unwrap());
        assert!(!verify_password("chengxin-2024!", &h).unwrap());
        assert!(!verify_password(&"x".repeat(100_000), &h).unwrap());
        let h2 = hash_password("Chengxin-2024!", &cheap()).unwrap();
        assert_ne!(h, h2, "random salt");
        assert_eq!(
            verify_password("x", "not a hash").unwrap_err().code(),
            "password_hash_malformed"
        );
        // argon2i hashes and absurd parameters are refused.
        let i = h.replacen("$argon2id$", "$argon2i$", 1);
        assert!(verify_password("Chengxin-2024!", &i).is_err());
        let huge = h.replacen("m=8,", "m=4194304,", 1);
        assert!(verify_password("Chengxin-2024!", &huge).is_err());
        assert!(!needs_rehash(&h, &cheap()));
        assert!(needs_rehash(&h, &HashParams::default()));
        assert!(needs_rehash("garbage", &HashParams::default()));
        dummy_verify("x", &cheap());
    }

    #[test]
    fn default_params_are_owasp_and_valid() {
        let p = HashParams::default();
        assert_eq!((p.memory_kib, p.iterations, p.parallelism), (19456, 2, 1));
        assert!(p.argon2().is_ok());
        assert!(HashParams { memory_kib: 1, ..p }.argon2().is_err());
        assert!(HashParams {
            parallelism: 0,
            ..p
        }
        .argon2()
        .is_err());
        assert_eq!(
            hash_password(
                "x",
                &HashParams {
                    iterations: 1000,
                    ..p
                }
            )
            .unwrap_err()
            .code(),
            "password_hash_params"
        );
    }

    #[test]
    fn reuse_of_recent_passwords() {
        let p = PasswordPolicy::default();
        let old: Vec<String> = ["Password-One-1", "Password-Two-2", "Password-Six-6"]
            .iter()
            .map(|pw| hash_password(pw, &cheap()).unwrap())
            .collect();
        assert!(reused(&old, "Password-Two-2").unwrap());
        assert!(!reused(&old, "Password-New-9").unwrap());
        assert!(!reused::<&str>(&[], "x").unwrap());
        let e = p.check_change("user", "Password-Two-2", &old).unwrap_err();
        assert_eq!(e.code(), "password_policy");
        assert!(matches!(
            e,
            AccessError::PasswordPolicy(ref v) if v == &[PolicyViolation::Reused { history: 5 }]
        ));
        assert!(p.check_change("user", "Password-New-9", &old).is_ok());
        // Only the last `history` are compared.
        let two = PasswordPolicy {
            history: 2,
            ..p.clone()
        };
        assert!(two.check_change("user", "Password-Six-6", &old).is_ok());
        let none = PasswordPolicy { history: 0, ..p };
        assert!(none.check_change("user", "Password-One-1", &old).is_ok());
        // Unreadable history fails closed.
        assert!(reused(&["junk"], "x").is_err());
        // A weak password is refused before any hash is checked.
        let e = PasswordPolicy::default()
            .check_change("user", "weak", &["junk"])
            .unwrap_err();
        assert_eq!(e.code(), "password_policy");
    }

    #[test]
    fn one_time_passwords() {
        let p = PasswordPolicy::default();
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let pw = generate_one_time_password().unwrap();
            assert_eq!(pw.len(), ONE_TIME_PASSWORD_LEN);
            assert_eq!(character_classes(&pw), 4, "{pw}");
            assert!(p.check("administrator", &pw).is_ok(), "{pw}");
            assert!(!pw.contains(['0', 'O', 'o', '1', 'l', 'I', ' ', '"', '\'']));
            assert!(seen.insert(pw));
        }
    }

    proptest! {
        #[test]
        fn policy_never_panics(user in ".{0,40}", pw in ".{0,200}") {
            let p = PasswordPolicy::default();
            match p.check(&user, &pw) {
                Ok(()) => {
                    let n = pw.chars().count();
                    prop_assert!((12..=128).contains(&n));
                    prop_assert!(character_classes(&pw) >= 3);
                }
                Err(v) => {
                    prop_assert!(!v.is_empty());
                    for x in v {
                        prop_assert!(!x.message_zh().is_empty());
                    }
                }
            }
            let weird = PasswordPolicy { min_length: 0, max_length: 0, min_classes: 200, forbid_username: true, history: 0 };
            let _ = weird.check(&user, &pw);
        }
    }
}
