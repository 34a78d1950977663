//! The HTTP harness: the real router over a fresh store on each backend, with accounts,
//! sessions and tokens made directly (no TOTP step to wait for); fixtures of the HTTP tests.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chengxin_access::password::{hash_password, HashParams};
use chengxin_access::totp::TotpSecret;
use chengxin_access::Role;
use chengxin_app::accounts;
use chengxin_domain::catalog::Catalog;
use chengxin_domain::records::RecordStatus;
use chengxin_domain::subjects::{IdHasher, SubjectKind};
use chengxin_server::auth::AuthSettings;
use chengxin_server::{router, App, AppState};
use chengxin_store::{Account, ImportRow, LogSigner, NewBatch, RowOutcome, SessionRow, Store};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use sqlx::Executor;
use tower::ServiceExt;

/// The fixed credit-report signing key of the tests.
pub fn report_key() -> chengxin_report::SigningKey {
    chengxin_report::SigningKey::from_bytes(&[11; 32])
}

/// The absolute report-verification address of the tests' deployment (from
/// `CHENGXIN_PUBLIC_URL=https://xy.example.gov.cn` in `chengxin serve`).
pub const TEST_VERIFY_URL: &str = "https://xy.example.gov.cn/portal/verify";

#[derive(Clone, Debug)]
pub enum Cred {
    None,
    Session { cookie: String, csrf: String },
    Token(String),
}

pub struct TestApp {
    pub app: axum::Router,
    pub store: Arc<dyn Store>,
    pub state: AppState,
    pub dir: std::path::PathBuf,
    pub pg: Option<(sqlx::PgPool, String)>,
}

fn settings() -> AuthSettings {
    AuthSettings {
        hash: HashParams::insecure_for_tests(),
        ..AuthSettings::default()
    }
}

fn temp_dir() -> std::path::PathBuf {
    crate::pg::temp_dir("chengxin-http")
}

impl TestApp {
    async fn finish(
        store: Arc<dyn Store>,
        dir: std::path::PathBuf,
        pg: Option<(sqlx::PgPool, String)>,
    ) -> Self {
        let signer = LogSigner::generate();
        store
            .migrate(Catalog::default_checked().unwrap(), &signer, "test")
            .await
            .unwrap();
        let mut app = App::new(
            store.clone(),
            IdHasher::new([3; 32]),
            dir.join("uploads"),
            settings(),
        );
        // Deadlines are counted from a fixed day inside the shipped calendar (2018–2026), so
        // the tests do not depend on the date they run.
        app.today = NaiveDate::from_ymd_opt(2025, 6, 2);
        app.report_verify_url = Some(TEST_VERIFY_URL.into());
        let app = app
            .with_report_key(report_key())
            .with_log_key(signer.verifying_key());
        let state = AppState::new(app);
        TestApp {
            app: router(state.clone()),
            store,
            state,
            dir,
            pg,
        }
    }

    /// The same database served on another day: a second server over this store whose
    /// "today" is `day` (sessions and tokens live in the database, so they carry over). It
    /// owns nothing: clean up the original, not this one.
    pub fn on_day(&self, day: NaiveDate) -> Self {
        let dir = temp_dir();
        let mut app = App::new(
            self.store.clone(),
            IdHasher::new([3; 32]),
            dir.join("uploads"),
            settings(),
        );
        app.today = Some(day);
        app.report_verify_url = Some(TEST_VERIFY_URL.into());
        app.log_keys = self.state.log_keys.clone();
        let state = AppState::new(app.with_report_key(report_key()));
        TestApp {
            app: router(state.clone()),
            store: self.store.clone(),
            state,
            dir,
            pg: None,
        }
    }

    /// The same database served with other security settings (flood limits, trusted
    /// proxies, the metrics token): a second server over this store and upload folder, on the
    /// same "today". It owns nothing: clean up the original, not this one.
    pub fn with_settings(&self, change: impl FnOnce(&mut AuthSettings)) -> Self {
        let mut auth = settings();
        change(&mut auth);
        let mut app = App::new(
            self.store.clone(),
            IdHasher::new([3; 32]),
            self.dir.join("uploads"),
            auth,
        );
        app.today = self.state.today;
        app.report_verify_url = Some(TEST_VERIFY_URL.into());
        app.log_keys = self.state.log_keys.clone();
        let state = AppState::new(app.with_report_key(report_key()));
        TestApp {
            app: router(state.clone()),
            store: self.store.clone(),
            state,
            dir: self.dir.clone(),
            pg: None,
        }
    }

    /// The same database served with another application context (the site identity, the
    /// report issuer …): a second server over this store and upload folder, on the same
    /// "today". It owns nothing: clean up the original, not this one.
    pub fn with_app(&self, change: impl FnOnce(&mut App)) -> Self {
        let mut app = App::new(
            self.store.clone(),
            IdHasher::new([3; 32]),
            self.dir.join("uploads"),
            settings(),
        );
        app.today = self.state.today;
        app.report_verify_url = Some(TEST_VERIFY_URL.into());
        change(&mut app);
        let state = AppState::new(app.with_report_key(report_key()));
        TestApp {
            app: router(state.clone()),
            store: self.store.clone(),
            state,
            dir: self.dir.clone(),
            pg: None,
        }
    }

    /// A request as it arrives from the socket peer `peer` (an IP address): `chengxin serve`
    /// attaches the peer to every request as axum's `ConnectInfo`, and so does this; with
    /// extra headers (`X-Forwarded-For`, `Accept`, …). Answers the status, the headers and the
    /// body (JSON, else text).
    pub async fn call_from(
        &self,
        peer: &str,
        method: &str,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<serde_json::Value>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let peer = std::net::SocketAddr::new(peer.parse().unwrap(), 40_000);
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(
            String::from_utf8_lossy(&bytes).into(),
        ));
        (status, headers, v)
    }

    /// Serve this app on a real loopback socket, as `chengxin serve` does; the server runs
    /// until the test's runtime ends. Talk to it with [`http_request`].
    pub async fn listen(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = self.state.clone();
        tokio::spawn(async move {
            let _ = chengxin_server::serve(listener, state, std::future::pending()).await;
        });
        addr
    }

    pub async fn sqlite() -> Self {
        let dir = temp_dir();
        let store = chengxin_store::open(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        Self::finish(store, dir, None).await
    }

    pub async fn postgres() -> Option<Self> {
        let (admin, schema) = crate::pg::fresh_schema("cx_http").await?;
        let store = chengxin_store::postgres::PgStore::open_with(crate::pg::options_for(&schema))
            .await
            .unwrap();
        Some(Self::finish(Arc::new(store), temp_dir(), Some((admin, schema))).await)
    }

    pub async fn cleanup(self) {
        if let Some((pool, schema)) = &self.pg {
            let _ = pool
                .execute(format!("DROP SCHEMA IF EXISTS {schema} CASCADE").as_str())
                .await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        cred: &Cred,
        body: Option<serde_json::Value>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Request::builder().method(method).uri(uri);
        match cred {
            Cred::None => {}
            Cred::Session { cookie, csrf } => {
                req = req
                    .header("cookie", format!("cx_session={cookie}"))
                    .header("x-csrf-token", csrf);
            }
            Cred::Token(t) => req = req.header("authorization", format!("Bearer {t}")),
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => req.body(Body::empty()).unwrap(),
        };
        let resp = self.app.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::String(
            String::from_utf8_lossy(&bytes).into(),
        ));
        (status, v)
    }

    /// POST `bytes` (a file upload) as `content_type` with `cred`: the status and the answer as
    /// JSON (its text when it is not JSON).
    pub async fn post_bytes(
        &self,
        uri: &str,
        cred: &Cred,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", content_type);
        match cred {
            Cred::None => {}
            Cred::Session { cookie, csrf } => {
                req = req
                    .header("cookie", format!("cx_session={cookie}"))
                    .header("x-csrf-token", csrf);
            }
            Cred::Token(t) => req = req.header("authorization", format!("Bearer {t}")),
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(bytes)).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let b = resp.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&b).unwrap_or(serde_json::Value::String(
            String::from_utf8_lossy(&b).into(),
        ));
        (status, v)
    }

    /// An account with `role`, a known password, and a TOTP secret when the role needs one.
    pub async fn account(
        &self,
        role: Role,
        region: &str,
        body: Option<&str>,
    ) -> (String, String, Option<TotpSecret>) {
        let username = format!("u{}", uuid::Uuid::now_v7().simple());
        let password = "Correct-horse-9-battery".to_string();
        let totp = role
            .requires_totp()
            .then(|| TotpSecret::generate().unwrap());
        let id = uuid::Uuid::now_v7();
        let sealed = totp.as_ref().map(|s| {
            self.state
                .pii
                .seal_bound(&s.to_base32(), &format!("totp:{id}"))
                .unwrap()
        });
        let now = chengxin_store::changelog::now();
        let a = Account {
            id,
            username: username.clone(),
            display_name: format!("{} 测试", role.label_zh()),
            roles: vec![role.as_str().to_string()],
            region: region.into(),
            body: body.map(String::from),
            password_hash: hash_password(&password, &HashParams::insecure_for_tests()).unwrap(),
            password_history: vec![],
            totp_secret: sealed,
            totp_last_step: None,
            failures: 0,
            locked_until: None,
            must_change_password: false,
            disabled: false,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        self.store.create_account("test", &a).await.unwrap();
        (username, password, totp)
    }

    /// A logged-in session for a new account with `role` (made directly in the store).
    pub async fn session_for(&self, role: Role, region: &str, body: Option<&str>) -> Cred {
        let (username, _, _) = self.account(role, region, body).await;
        let a = self
            .store
            .account_by_username(&username)
            .await
            .unwrap()
            .unwrap();
        let (sid, hash) = chengxin_access::session::new_session_id().unwrap();
        let csrf = format!("csrf-{}", uuid::Uuid::now_v7().simple());
        let now = chengxin_store::changelog::now();
        self.store
            .create_session(&SessionRow {
                id_hash: hash,
                account_id: a.id,
                csrf: csrf.clone(),
                created_at: now,
                last_seen: now,
                ip: None,
            })
            .await
            .unwrap();
        Cred::Session {
            cookie: sid.expose().to_string(),
            csrf,
        }
    }

    pub async fn token(&self, perms: &[&str], region: &str, body: Option<&str>) -> Cred {
        self.token_limited(perms, region, body, None, None).await
    }

    /// A token with its own request rate and daily quota (the defaults when `None`).
    pub async fn token_limited(
        &self,
        perms: &[&str],
        region: &str,
        body: Option<&str>,
        rate_per_second: Option<u32>,
        daily_quota: Option<u64>,
    ) -> Cred {
        Cred::Token(
            accounts::issue_token(
                self.store.as_ref(),
                "test",
                accounts::NewToken {
                    name: "测试令牌".into(),
                    permissions: perms.iter().map(|p| p.to_string()).collect(),
                    region: region.into(),
                    body: body.map(String::from),
                    days: 30,
                    rate_per_second,
                    daily_quota,
                },
            )
            .await
            .unwrap()
            .token,
        )
    }

    pub async fn import(&self, dept: &str, rows: Vec<ImportRow>) -> Vec<RowOutcome> {
        let mut w = self
            .store
            .begin_batch(
                "test",
                NewBatch {
                    type_code: "admin_penalty".into(),
                    source_dept: dept.into(),
                    file_name: None,
                    file_sha256: uuid::Uuid::now_v7().to_string(),
                    format: "csv".into(),
                    encoding: "UTF-8".into(),
                    published_at: None,
                    headers: vec![],
                },
            )
            .await
            .unwrap();
        let out = w.write(rows).await.unwrap();
        w.commit(vec![]).await.unwrap();
        self.index_search().await;
        out
    }

    /// Make published batches' new subjects searchable by name, as the server's indexer job
    /// does within seconds of publication.
    pub async fn index_search(&self) {
        while self
            .store
            .index_published_subjects(chengxin_store::SEARCH_INDEX_STEP)
            .await
            .unwrap()
            > 0
        {}
    }
}

/// One HTTP/1.1 request over a real socket: the status, the response head (lower-case) and
/// the body.
pub async fn http_request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(out.len());
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out.get(split + 4..).unwrap_or_default().to_vec();
    (status, head, body)
}

/// A published 行政处罚 (一般) against 常州甲公司, decided on `decided`, with every field the
/// catalog requires (so it can be corrected like an imported row).
pub fn import_row(n: u64, doc: &str, decided: &str) -> ImportRow {
    let mut fields = serde_json::Map::new();
    for (k, v) in [
        ("subject_name", "常州甲公司"),
        ("subject_category", "legal_person"),
        ("uscc", "91320412MA1MXK2L83"),
        ("decision_doc_no", doc),
        ("violation_type", "虚假宣传"),
        ("violation_facts", "在网店发布虚假广告"),
        ("penalty_basis", "《中华人民共和国广告法》第五十五条"),
        ("penalty_category", "罚款"),
        ("penalty_content", "罚款"),
        ("decision_date", decided),
        ("penalty_valid_until", "2026-12-31"),
        ("publicity_deadline", "2026-12-31"),
        ("authority", "常州市市场监督管理局"),
        ("authority_uscc", "11320400MB00000002"),
        ("source_unit", "常州市市场监督管理局"),
        ("source_unit_uscc", "11320400MB00000002"),
    ] {
        fields.insert(k.into(), v.into());
    }
    ImportRow {
        row: n,
        doc_no: doc.into(),
        decision_date: NaiveDate::parse_from_str(decided, "%Y-%m-%d").unwrap(),
        subject_name: "常州甲公司".into(),
        subject_uscc: Some("91320412MA1MXK2L83".into()),
        subject_id_hash: None,
        subject_id_masked: None,
        subject_id_sealed: None,
        subject_kind: SubjectKind::Enterprise,
        subject_region: Some("320412".into()),
        fields: chengxin_store::RowFields::new(&fields).unwrap(),
        severity: Some("general".into()),
        status: RecordStatus::Published,
        publish_until: Some(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()),
        content_digest: format!("c-{doc}"),
        texts_sealed: None,
    }
}

impl crate::Fixture for TestApp {
    async fn sqlite() -> Self {
        TestApp::sqlite().await
    }

    async fn postgres() -> Option<Self> {
        TestApp::postgres().await
    }
}

/// The change log proves every row: nothing but the checkpoints fails `verify`, and those only
/// because the test's signing key is a throwaway one not passed as trusted.
pub async fn assert_log_verifies(store: &dyn Store) {
    let report = store.verify(&[]).await.unwrap();
    assert!(
        report
            .problems
            .iter()
            .all(|p| matches!(p, chengxin_store::Problem::BadCheckpoint { .. })),
        "{:?}",
        report.problems
    );
}

/// An entry on the serious-dishonesty list, effective since early 2025 (its publicity
/// window run on the official calendar).
pub async fn blacklist(
    store: &dyn Store,
    subject: &chengxin_domain::subjects::Subject,
) -> chengxin_store::ListEntryRow {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let joint = chengxin_domain::lists::JointCatalog::default_checked().unwrap();
    let list = joint.list("serious_dishonest").unwrap();
    let cal = chengxin_domain::calendar::WorkCalendar::official_checked().unwrap();
    let e = chengxin_domain::lists::ListEntry::propose(
        list,
        chengxin_domain::lists::Proposal {
            subject_key: subject.id.to_string(),
            subject_name: subject.name.clone(),
            standard: "拒不履行政府采购合同".into(),
            basis: "《江苏省社会信用条例》".into(),
            recognised_by: "11320400MB0000000X".into(),
            recognised_by_uscc: None,
            evidence: vec!["常财购〔2024〕9号".into()],
        },
        d("2024-12-02"),
    )
    .unwrap();
    let e = e
        .apply(
            list,
            chengxin_domain::lists::EntryAction::StartPublicity,
            d("2024-12-02"),
            None,
            cal,
        )
        .unwrap();
    let e = e
        .apply(
            list,
            chengxin_domain::lists::EntryAction::TakeEffect { until: None },
            d("2025-01-06"),
            None,
            cal,
        )
        .unwrap();
    let now = chengxin_store::changelog::now();
    let row = chengxin_app::lists::entry_row(uuid::Uuid::now_v7(), subject.id, &e, 1, now).unwrap();
    store.create_list_entry("test", &row).await.unwrap();
    row
}
