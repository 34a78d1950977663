//! Storage errors: one enum, each variant with a stable machine code and a Chinese message.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("无法连接数据库：{0}")]
    Unreachable(String),
    #[error("数据库文件损坏或不是 SQLite 数据库：{0}")]
    Corrupt(String),
    #[error("数据库为只读，无法写入：{0}")]
    ReadOnly(String),
    #[error("不支持的数据库地址“{0}”：请使用 sqlite://… 或 postgres://…")]
    UnsupportedUrl(String),
    #[error("数据库结构迁移失败：{0}")]
    Migration(String),
    #[error("数据库尚未初始化，请先运行 chengxin migrate")]
    NotMigrated,
    #[error("{entity}“{id}”不存在")]
    NotFound { entity: &'static str, id: String },
    #[error("{0}")]
    Duplicate(String),
    #[error("数据已被他人修改（当前版本 {current}，提交版本 {expected}），请刷新后重试")]
    Conflict { expected: i64, current: i64 },
    #[error("数据不合法：{0}")]
    Invalid(String),
    #[error("密钥错误：{0}")]
    Key(String),
    #[error("数据库错误：{0}")]
    Database(String),
    /// Calendar data that does not fit (its own code and kind).
    #[error("{0}")]
    Calendar(#[from] chengxin_domain::calendar::CalendarError),
}

impl StoreError {
    /// Stable snake_case machine code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unreachable(_) => "db_unreachable",
            StoreError::Corrupt(_) => "db_corrupt",
            StoreError::ReadOnly(_) => "db_read_only",
            StoreError::UnsupportedUrl(_) => "db_unsupported_url",
            StoreError::Migration(_) => "db_migration_failed",
            StoreError::NotMigrated => "db_not_migrated",
            StoreError::NotFound { .. } => "not_found",
            StoreError::Duplicate(_) => "duplicate",
            StoreError::Conflict { .. } => "version_conflict",
            StoreError::Invalid(_) => "invalid_data",
            StoreError::Key(_) => "key_error",
            StoreError::Database(_) => "db_error",
            StoreError::Calendar(e) => e.code(),
        }
    }
}

impl chengxin_domain::error::Coded for StoreError {
    fn code(&self) -> &'static str {
        StoreError::code(self)
    }

    fn kind(&self) -> chengxin_domain::error::ErrorKind {
        use chengxin_domain::error::ErrorKind;
        match self {
            StoreError::NotFound { .. } => ErrorKind::NotFound,
            StoreError::Duplicate(_) | StoreError::Conflict { .. } => ErrorKind::Conflict,
            StoreError::Invalid(_) => ErrorKind::Invalid,
            StoreError::Unreachable(_) | StoreError::NotMigrated => ErrorKind::Unavailable,
            StoreError::Calendar(e) => e.kind(),
            StoreError::Corrupt(_)
            | StoreError::ReadOnly(_)
            | StoreError::UnsupportedUrl(_)
            | StoreError::Migration(_)
            | StoreError::Key(_)
            | StoreError::Database(_) => ErrorKind::Internal,
        }
    }
}

/// Classify a driver error into something a person can act on. Messages from the driver are
/// kept (they never contain bound parameter values, so no personal data leaks through them).
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed
            | sqlx::Error::Protocol(_) => StoreError::Unreachable(e.to_string()),
            sqlx::Error::Database(db) => {
                let msg = db.message().to_string();
                let lower = msg.to_ascii_lowercase();
                let code = db.code().map(|c| c.to_string()).unwrap_or_default();
                // The database went away: PostgreSQL's connection exceptions (class 08) and
                // shutdowns (57P01–57P03); SQLite's file gone or unreadable (CANTOPEN 14,
                // IOERR 10 and its extended codes).
                // (SQLite's codes are numbers up to four digits, PostgreSQL's five characters.)
                let sqlite_code = (code.len() < 5)
                    .then(|| code.parse::<i32>().ok())
                    .flatten()
                    .map(|n| n & 0xff);
                if code.starts_with("08")
                    || code.starts_with("57P0")
                    || matches!(sqlite_code, Some(10 | 14))
                    || lower.contains("unable to open database file")
                    || lower.contains("disk i/o error")
                {
                    StoreError::Unreachable(msg)
                } else if lower.contains("readonly") || lower.contains("read-only") {
                    StoreError::ReadOnly(msg)
                } else if lower.contains("not a database") || lower.contains("malformed") {
                    StoreError::Corrupt(msg)
                } else if db.is_unique_violation() {
                    StoreError::Duplicate(format!("违反唯一性约束：{msg}"))
                } else if lower.contains("no such table")
                    || (lower.contains("relation") && lower.contains("does not exist"))
                {
                    StoreError::NotMigrated
                } else {
                    StoreError::Database(msg)
                }
            }
            sqlx::Error::Migrate(m) => StoreError::Migration(m.to_string()),
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        let msg = e.to_string();
        let lower = msg.to_ascii_lowercase();
        if lower.contains("readonly") {
            StoreError::ReadOnly(msg)
        } else if lower.contains("not a database") || lower.contains("malformed") {
            StoreError::Corrupt(msg)
        } else {
            StoreError::Migration(msg)
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
