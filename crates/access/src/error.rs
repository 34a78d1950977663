//! Errors of the access rules. Like `StoreError` and `ApiError`, every error carries a stable
//! snake_case [`AccessError::code`] for APIs, logs and tests, and its `Display` is the Chinese
//! message shown to users.
//!
//! Messages never contain secrets: no password, token, key or clear ID number is ever put in
//! an error (a rejected region code is cut to 16 characters, a token is never echoed).

use chengxin_domain::error::ErrorKind;
use chrono::{DateTime, Utc};
use thiserror::Error;

use crate::password::PolicyViolation;
use crate::roles::{Permission, Role};

/// Errors of sealing and opening personal data ([`crate::sealing::PiiCipher`]).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SealError {
    /// Not of the form `v<n>:<base64>` or too short to hold a nonce and a tag.
    #[error("加密数据格式错误")]
    Malformed,
    /// A version this build does not know (written by a newer version?).
    #[error("不支持的加密数据版本“{version}”")]
    UnsupportedVersion { version: String },
    /// Authentication failed: the data was altered, or sealed under another key or context.
    #[error("加密数据校验失败（数据被篡改或密钥不符）")]
    Tampered,
    /// The decrypted bytes are not UTF-8 (cannot happen for values sealed by this crate).
    #[error("解密结果不是有效的 UTF-8 文本")]
    NotUtf8,
    /// The cipher refused to encrypt (only for absurdly long input).
    #[error("加密失败")]
    EncryptFailed,
}

impl SealError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            SealError::Malformed => "seal_malformed",
            SealError::UnsupportedVersion { .. } => "seal_unsupported_version",
            SealError::Tampered => "seal_tampered",
            SealError::NotUtf8 => "seal_not_utf8",
            SealError::EncryptFailed => "seal_encrypt_failed",
        }
    }
}

fn violations_zh(v: &[PolicyViolation]) -> String {
    v.iter()
        .map(PolicyViolation::message_zh)
        .collect::<Vec<_>>()
        .join("；")
}

fn retry_zh(ms: u64) -> String {
    let secs = ms.div_ceil(1000).max(1);
    format!("{secs}秒")
}

fn local_time(t: &DateTime<Utc>) -> String {
    // Users read Beijing time; the value itself stays UTC.
    let bj = chrono::FixedOffset::east_opt(8 * 3600).map(|o| t.with_timezone(&o));
    match bj {
        Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
        None => t.to_rfc3339(),
    }
}

/// Every error of this crate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessError {
    /// A region code that is not `000000` or 6/9 digits.
    #[error("行政区划代码“{code}”格式错误（应为6位或9位数字）")]
    InvalidRegion { code: String },
    /// A well-formed region code that is not in the region table.
    #[error("行政区划代码{code}不存在")]
    UnknownRegion { code: String },
    /// No role of the account holds the permission.
    #[error("无权执行此操作（需要“{}”权限）", permission.label_zh())]
    PermissionDenied { permission: Permission },
    /// A role holds the permission but the item is outside the account's reach.
    #[error("超出管辖范围（区划{region}）")]
    OutOfJurisdiction { region: String },
    /// Personal data may only be revealed for a stated purpose (查询留痕).
    #[error("查看个人信息须说明用途")]
    PurposeRequired,
    /// Two roles that separation of duties keeps apart.
    #[error("角色“{}”不能与“{}”同时授予同一账户", role.label_zh(), other.label_zh())]
    RoleConflict { role: Role, other: Role },
    /// The new password breaks the password policy.
    #[error("密码不符合要求：{}", violations_zh(.0))]
    PasswordPolicy(Vec<PolicyViolation>),
    /// Argon2 parameters out of range.
    #[error("密码哈希参数无效：{detail}")]
    HashParams { detail: String },
    /// Hashing failed (should not happen with valid parameters).
    #[error("密码哈希计算失败")]
    HashFailed,
    /// A stored password hash is not a PHC string this crate can verify.
    #[error("存储的密码哈希格式错误")]
    HashMalformed,
    /// Wrong username or password, or a locked account (one message for all, so usernames
    /// cannot be probed).
    #[error("用户名或密码错误（连续错误多次后账号将被临时锁定，请稍后再试或联系管理员）")]
    BadCredentials,
    /// Too many failed logins.
    #[error("登录失败次数过多，账户已锁定至{}（北京时间）", local_time(until))]
    Locked { until: DateTime<Utc> },
    /// No activity for longer than the idle timeout.
    #[error("长时间未操作，会话已超时，请重新登录")]
    SessionIdle,
    /// The session is older than its absolute lifetime.
    #[error("会话已过期，请重新登录")]
    SessionExpired,
    /// The role requires a second factor and the account has none enrolled or none was given.
    #[error("需要动态口令（双因素认证）")]
    TotpRequired,
    /// The TOTP code does not match any accepted time step.
    #[error("动态口令错误")]
    TotpInvalid,
    /// The TOTP code's time step was already used (replay).
    #[error("动态口令已使用，请等待下一个口令")]
    TotpReused,
    /// A TOTP secret that is not valid base32 or is too short.
    #[error("动态口令密钥格式错误")]
    TotpSecretInvalid,
    /// A string that is not a token of this system.
    #[error("接口令牌格式错误")]
    TokenMalformed,
    /// No token with this hash (or the hash does not match).
    #[error("接口令牌无效")]
    TokenUnknown,
    /// The token expired.
    #[error("接口令牌已于{}过期", local_time(at))]
    TokenExpired { at: DateTime<Utc> },
    /// The token was revoked.
    #[error("接口令牌已被吊销")]
    TokenRevoked,
    /// The token does not carry the permission.
    #[error("接口令牌无“{}”权限", permission.label_zh())]
    TokenOutOfScope { permission: Permission },
    /// The item is outside the token's region or body.
    #[error("接口令牌的授权范围不包括区划{region}")]
    TokenRegionDenied { region: String },
    /// A permission that tokens may never carry.
    #[error("接口令牌不能授予“{}”权限", permission.label_zh())]
    TokenPermissionNotGrantable { permission: Permission },
    /// Expiry in the past or beyond the longest lifetime allowed.
    #[error("接口令牌有效期无效（须晚于当前时间，且不超过{max_days}天）")]
    TokenLifetime { max_days: i64 },
    /// A token with no permission at all.
    #[error("接口令牌至少须授予一项权限")]
    TokenNoPermission,
    /// The rate limit was hit.
    #[error("请求过于频繁，请{}后重试", retry_zh(*retry_after_ms))]
    RateLimited { retry_after_ms: u64 },
    /// A token's rate or daily quota out of range.
    #[error("接口令牌限额无效（每秒请求数须为1至{max_rate}，每日核查量须为1至{max_quota}）")]
    TokenLimitInvalid { max_rate: u32, max_quota: u64 },
    /// The token checked as many parties today as its daily quota allows.
    #[error("接口令牌今日核查额度（{quota}个对象）已用完，请{}后重试", retry_zh(*retry_after_ms))]
    DailyQuotaExceeded { quota: u64, retry_after_ms: u64 },
    /// Many near-identical ID numbers from one caller: the pattern of enumerating a masked
    /// number. Refused and audited.
    #[error("检测到批量核查相近的居民身份证号码（{similar}个号码仅个别位不同），疑似枚举，已拒绝本次核查并记入审计日志")]
    IdEnumeration { similar: usize },
    /// The operating system's random number generator failed.
    #[error("系统随机数生成失败")]
    RandomFailed,
    /// The key file could not be read.
    #[error("无法读取密钥文件 {path}：{detail}")]
    KeyRead { path: String, detail: String },
    /// The key file or variable does not hold a 32-byte key.
    #[error("密钥格式错误（应为32字节：64位十六进制、Base64 或32字节原始数据）")]
    KeyInvalid,
    /// The key file could not be written.
    #[error("无法写入密钥文件 {path}：{detail}")]
    KeyWrite { path: String, detail: String },
    /// Refused to overwrite an existing key file (that would make sealed data unreadable).
    #[error("密钥文件 {path} 已存在，拒绝覆盖")]
    KeyExists { path: String },
    /// Sealing or opening personal data failed.
    #[error(transparent)]
    Seal(#[from] SealError),
}

impl AccessError {
    /// Stable snake_case code for APIs, logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::InvalidRegion { .. } => "invalid_region",
            AccessError::UnknownRegion { .. } => "unknown_region",
            AccessError::PermissionDenied { .. } => "permission_denied",
            AccessError::OutOfJurisdiction { .. } => "out_of_jurisdiction",
            AccessError::PurposeRequired => "purpose_required",
            AccessError::RoleConflict { .. } => "role_conflict",
            AccessError::PasswordPolicy(_) => "password_policy",
            AccessError::HashParams { .. } => "password_hash_params",
            AccessError::HashFailed => "password_hash_failed",
            AccessError::HashMalformed => "password_hash_malformed",
            AccessError::BadCredentials => "bad_credentials",
            AccessError::Locked { .. } => "account_locked",
            AccessError::SessionIdle => "session_idle_timeout",
            AccessError::SessionExpired => "session_expired",
            AccessError::TotpRequired => "totp_required",
            AccessError::TotpInvalid => "totp_invalid",
            AccessError::TotpReused => "totp_reused",
            AccessError::TotpSecretInvalid => "totp_secret_invalid",
            AccessError::TokenMalformed => "token_malformed",
            AccessError::TokenUnknown => "token_unknown",
            AccessError::TokenExpired { .. } => "token_expired",
            AccessError::TokenRevoked => "token_revoked",
            AccessError::TokenOutOfScope { .. } => "token_out_of_scope",
            AccessError::TokenRegionDenied { .. } => "token_region_denied",
            AccessError::TokenPermissionNotGrantable { .. } => "token_permission_not_grantable",
            AccessError::TokenLifetime { .. } => "token_lifetime_invalid",
            AccessError::TokenNoPermission => "token_no_permission",
            AccessError::RateLimited { .. } => "rate_limited",
            AccessError::TokenLimitInvalid { .. } => "token_limit_invalid",
            AccessError::DailyQuotaExceeded { .. } => "daily_quota_exceeded",
            AccessError::IdEnumeration { .. } => "id_enumeration_refused",
            AccessError::RandomFailed => "random_failed",
            AccessError::KeyRead { .. } => "key_read_failed",
            AccessError::KeyInvalid => "key_invalid",
            AccessError::KeyWrite { .. } => "key_write_failed",
            AccessError::KeyExists { .. } => "key_exists",
            AccessError::Seal(e) => e.code(),
        }
    }

    /// The Chinese message (the same as `Display`).
    pub fn message_zh(&self) -> String {
        self.to_string()
    }

    /// When a refusal for too many requests may be retried (milliseconds), for `Retry-After`.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            AccessError::RateLimited { retry_after_ms }
            | AccessError::DailyQuotaExceeded { retry_after_ms, .. } => Some(*retry_after_ms),
            _ => None,
        }
    }
}

impl chengxin_domain::error::Coded for AccessError {
    fn code(&self) -> &'static str {
        AccessError::code(self)
    }

    /// The same classification for every caller (e.g. a locked account is never an internal
    /// fault); the server maps kinds to statuses.
    fn kind(&self) -> ErrorKind {
        match self {
            AccessError::InvalidRegion { .. }
            | AccessError::UnknownRegion { .. }
            | AccessError::RoleConflict { .. }
            | AccessError::PurposeRequired
            | AccessError::PasswordPolicy(_)
            | AccessError::TotpSecretInvalid
            | AccessError::TokenPermissionNotGrantable { .. }
            | AccessError::TokenLifetime { .. }
            | AccessError::TokenLimitInvalid { .. }
            | AccessError::TokenNoPermission => ErrorKind::Invalid,
            AccessError::BadCredentials
            | AccessError::SessionIdle
            | AccessError::SessionExpired
            | AccessError::TotpRequired
            | AccessError::TotpInvalid
            | AccessError::TotpReused
            | AccessError::TokenMalformed
            | AccessError::TokenUnknown
            | AccessError::TokenExpired { .. }
            | AccessError::TokenRevoked => ErrorKind::Unauthenticated,
            AccessError::PermissionDenied { .. }
            | AccessError::OutOfJurisdiction { .. }
            | AccessError::TokenOutOfScope { .. }
            | AccessError::TokenRegionDenied { .. }
            | AccessError::IdEnumeration { .. }
            | AccessError::Locked { .. } => ErrorKind::Forbidden,
            AccessError::RateLimited { .. } | AccessError::DailyQuotaExceeded { .. } => {
                ErrorKind::RateLimited
            }
            AccessError::HashParams { .. }
            | AccessError::HashFailed
            | AccessError::HashMalformed
            | AccessError::RandomFailed
            | AccessError::KeyRead { .. }
            | AccessError::KeyInvalid
            | AccessError::KeyWrite { .. }
            | AccessError::KeyExists { .. }
            | AccessError::Seal(_) => ErrorKind::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// One value of every variant. The exhaustive match below (no `_` arm) makes adding a
    /// variant without adding it here a compile error.
    fn samples() -> Vec<AccessError> {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let all = vec![
            AccessError::InvalidRegion { code: "32x".into() },
            AccessError::UnknownRegion {
                code: "999999".into(),
            },
            AccessError::PermissionDenied {
                permission: Permission::AuditRead,
            },
            AccessError::OutOfJurisdiction {
                region: "320500".into(),
            },
            AccessError::PurposeRequired,
            AccessError::RoleConflict {
                role: Role::Administrator,
                other: Role::CreditOffice,
            },
            AccessError::PasswordPolicy(vec![
                PolicyViolation::TooShort { min: 12 },
                PolicyViolation::ContainsUsername,
            ]),
            AccessError::HashParams { detail: "m".into() },
            AccessError::HashFailed,
            AccessError::HashMalformed,
            AccessError::BadCredentials,
            AccessError::Locked { until: t },
            AccessError::SessionIdle,
            AccessError::SessionExpired,
            AccessError::TotpRequired,
            AccessError::TotpInvalid,
            AccessError::TotpReused,
            AccessError::TotpSecretInvalid,
            AccessError::TokenMalformed,
            AccessError::TokenUnknown,
            AccessError::TokenExpired { at: t },
            AccessError::TokenRevoked,
            AccessError::TokenOutOfScope {
                permission: Permission::RecordsSubmit,
            },
            AccessError::TokenRegionDenied {
                region: "320500".into(),
            },
            AccessError::TokenPermissionNotGrantable {
                permission: Permission::PersonalDataDecrypt,
            },
            AccessError::TokenLifetime { max_days: 366 },
            AccessError::TokenNoPermission,
            AccessError::RateLimited {
                retry_after_ms: 1500,
            },
            AccessError::TokenLimitInvalid {
                max_rate: 10,
                max_quota: 100,
            },
            AccessError::DailyQuotaExceeded {
                quota: 100,
                retry_after_ms: 3_600_000,
            },
            AccessError::IdEnumeration { similar: 21 },
            AccessError::RandomFailed,
            AccessError::KeyRead {
                path: "/k".into(),
                detail: "x".into(),
            },
            AccessError::KeyInvalid,
            AccessError::KeyWrite {
                path: "/k".into(),
                detail: "x".into(),
            },
            AccessError::KeyExists { path: "/k".into() },
            AccessError::Seal(SealError::Malformed),
            AccessError::Seal(SealError::UnsupportedVersion {
                version: "v9".into(),
            }),
            AccessError::Seal(SealError::Tampered),
            AccessError::Seal(SealError::NotUtf8),
            AccessError::Seal(SealError::EncryptFailed),
        ];
        for e in &all {
            match e {
                AccessError::InvalidRegion { .. }
                | AccessError::UnknownRegion { .. }
                | AccessError::PermissionDenied { .. }
                | AccessError::OutOfJurisdiction { .. }
                | AccessError::PurposeRequired
                | AccessError::RoleConflict { .. }
                | AccessError::PasswordPolicy(_)
                | AccessError::HashParams { .. }
                | AccessError::HashFailed
                | AccessError::HashMalformed
                | AccessError::BadCredentials
                | AccessError::Locked { .. }
                | AccessError::SessionIdle
                | AccessError::SessionExpired
                | AccessError::TotpRequired
                | AccessError::TotpInvalid
                | AccessError::TotpReused
                | AccessError::TotpSecretInvalid
                | AccessError::TokenMalformed
                | AccessError::TokenUnknown
                | AccessError::TokenExpired { .. }
                | AccessError::TokenRevoked
                | AccessError::TokenOutOfScope { .. }
                | AccessError::TokenRegionDenied { .. }
                | AccessError::TokenPermissionNotGrantable { .. }
                | AccessError::TokenLifetime { .. }
                | AccessError::TokenNoPermission
                | AccessError::RateLimited { .. }
                | AccessError::TokenLimitInvalid { .. }
                | AccessError::DailyQuotaExceeded { .. }
                | AccessError::IdEnumeration { .. }
                | AccessError::RandomFailed
                | AccessError::KeyRead { .. }
                | AccessError::KeyInvalid
                | AccessError::KeyWrite { .. }
                | AccessError::KeyExists { .. } => {}
                AccessError::Seal(s) => match s {
                    SealError::Malformed
                    | SealError::UnsupportedVersion { .. }
                    | SealError::Tampered
                    | SealError::NotUtf8
                    | SealError::EncryptFailed => {}
                },
            }
        }
        all
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_error_has_a_code_and_a_chinese_message() {
        let mut codes = BTreeSet::new();
        for e in samples() {
            let code = e.code();
            assert!(
                !code.is_empty()
                    && code
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                    && !code.starts_with('_')
                    && !code.ends_with('_'),
                "{code}"
            );
            assert!(codes.insert(code), "duplicate code {code}");
            let msg = e.message_zh();
            assert!(has_cjk(&msg), "{code}: {msg}");
            let _ = chengxin_domain::error::Coded::kind(&e);
        }
        assert_eq!(codes.len(), 41);
    }

    #[test]
    fn messages_read_well() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        assert_eq!(
            AccessError::Locked { until: t }.to_string(),
            "登录失败次数过多，账户已锁定至2023-11-15 06:13:20（北京时间）"
        );
        assert_eq!(
            AccessError::RateLimited {
                retry_after_ms: 1500
            }
            .to_string(),
            "请求过于频繁，请2秒后重试"
        );
        assert_eq!(
            AccessError::PermissionDenied {
                permission: Permission::AuditRead
            }
            .to_string(),
            "无权执行此操作（需要“查阅审计日志”权限）"
        );
        let p = AccessError::PasswordPolicy(vec![
            PolicyViolation::TooShort { min: 12 },
            PolicyViolation::ContainsUsername,
        ]);
        assert_eq!(
            p.to_string(),
            "密码不符合要求：密码长度至少12个字符；密码不能包含用户名"
        );
        assert_eq!(
            AccessError::from(SealError::Tampered).code(),
            "seal_tampered"
        );
    }
}
