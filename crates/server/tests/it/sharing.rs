//! The sector platforms' token (公共资源交易, 行政执法; docs/SHARING.md), on both backends: with
//! `SECTOR_PLATFORM_TOKEN`'s permissions it reads (the catalog, a list entry, a subject's
//! public archive) and is refused every route of the table that creates or changes credit
//! data, and the national export.

use axum::http::{Method, StatusCode};
use chengxin_access::roles::SECTOR_PLATFORM_TOKEN;
use chengxin_server::auth::Access;
use chengxin_testkit::*;

async fn sector_token(t: TestApp) {
    let perms: Vec<&str> = SECTOR_PLATFORM_TOKEN.iter().map(|p| p.as_str()).collect();
    let token = t.token(&perms, "320400", None).await;
    let id = uuid::Uuid::now_v7();

    // Reads: allowed through the table (an unknown item is 404, not 403).
    let (s, v) = t.call("GET", "/api/v1/catalog", &token, None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = t
        .call("GET", &format!("/api/v1/list-entries/{id}"), &token, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");

    // Every route that writes credit data: refused before its handler runs.
    let mut refused = 0;
    for (spec, _) in chengxin_server::table::table() {
        if spec.method == Method::GET {
            continue;
        }
        let writes = match spec.access {
            Access::Perm(p) => p.writes_credit_data(),
            Access::AnyOf(ps) => ps.iter().all(|p| p.writes_credit_data()),
            _ => false,
        };
        if !writes {
            continue;
        }
        let path = spec
            .path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    id.to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let (s, v) = t
            .call(
                spec.method.as_str(),
                &path,
                &token,
                Some(serde_json::json!({})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{} {path}: {v}", spec.method);
        refused += 1;
    }
    assert!(refused > 20, "{refused}");
    let (s, _) = t
        .call("GET", "/api/v1/exchange/national/2025-06-01", &token, None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    t.cleanup().await;
}
both_backends!(sector_platform_token_reads_only, sector_token);
