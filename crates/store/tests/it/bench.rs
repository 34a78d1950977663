//! `chengxin_store::bench`, the benchmarks' SQL: each baseline, floor and fixture runs and
//! leaves what the benchmark then reads (the figures themselves are BENCHMARKS.md's business).

use chengxin_domain::catalog::Catalog;
use chengxin_store::bench::{self, BareRow, CheckFixture, FixtureEntry, FixtureSubject, PgBench};
use chengxin_store::{LogSigner, Store};
use chengxin_testkit::pg;

fn rows(n: usize) -> impl Iterator<Item = BareRow> {
    (0..n).map(|i| {
        [
            format!("罚〔2026〕{i}号"),
            "常州\t甲公司\\".into(),
            String::new(),
            "2026-11-23".into(),
            "[\"a\",\"b\"]".into(),
        ]
    })
}

async fn migrated(url: &str) -> std::sync::Arc<dyn Store> {
    let store = chengxin_store::open(url).await.unwrap();
    store
        .migrate(
            Catalog::default_checked().unwrap(),
            &LogSigner::generate(),
            "bench",
        )
        .await
        .unwrap();
    store
}

#[tokio::test]
async fn sqlite_baseline_and_floor() {
    let dir = pg::temp_dir("chengxin-bench");
    assert_eq!(
        bench::sqlite_baseline(&dir.join("bare.db"), rows(3)).unwrap(),
        3
    );
    let db = dir.join("bench.db");
    let store = migrated(&format!("sqlite://{}", db.display())).await;
    let types = store.catalog_types().await.unwrap().len();
    store.close().await;
    let floor = dir.join("floor.db");
    bench::sqlite_floor(&db, &floor).unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", floor.display()))
        .await
        .unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM catalog_types")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(copied as usize, types);
    pool.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn postgres_scratch_baselines_and_fixture() {
    let scratch = match bench::ScratchSchema::create(&pg::pg_url()).await {
        Ok(s) => s,
        Err(e) if pg::pg_skippable() => {
            eprintln!("SKIPPING PostgreSQL test (CHENGXIN_TEST_SKIP_PG=1): {e}");
            return;
        }
        Err(e) => panic!("PostgreSQL unreachable: {e}"),
    };
    let name = scratch.name().to_string();
    let store = migrated(scratch.url()).await;

    let pg_bench = PgBench::connect(scratch.url()).await.unwrap();
    assert_eq!(pg_bench.copy_baseline(rows(3)).await.unwrap(), 3);
    pg_bench.schema_floor().await.unwrap();
    pg_bench.close().await;

    let mut load = CheckFixture::start(scratch.url()).await.unwrap();
    for (i, uscc) in [Some("91320400MA1XXXXX0A"), Some("91320400MA1XXXXX1B"), None]
        .into_iter()
        .enumerate()
    {
        let id = uuid::Uuid::now_v7();
        let name = format!("常州\t第{i}公司");
        load.push(
            &FixtureSubject {
                id,
                kind: if uscc.is_some() {
                    "enterprise"
                } else {
                    "individual"
                },
                name: &name,
                uscc,
                id_hash: uscc.is_none().then_some("abc"),
                id_masked: Some(""),
                region: "320400",
            },
            &FixtureEntry {
                id: uuid::Uuid::now_v7(),
                list_code: "serious_dishonest",
                status: "effective",
                entry: "{\"note\":\"a\\\\b\"}",
            },
        )
        .await
        .unwrap();
    }
    let loaded = load.finish().await.unwrap();
    assert_eq!((loaded.subjects, loaded.listed), (3, 3));
    loaded.build_indexes().await.unwrap();
    let subjects = store.subjects_after(None, 10).await.unwrap();
    assert_eq!(subjects.len(), 3);
    assert_eq!(subjects[0].name, "常州\t第0公司");
    assert_eq!(subjects[0].uscc.as_deref(), Some("91320400MA1XXXXX0A"));
    assert_eq!(subjects[0].id_masked, None, "empty is NULL");
    assert_eq!(subjects[2].id_hash.as_deref(), Some("abc"));

    bench::create_lookup_table(scratch.url()).await.unwrap();
    assert!(bench::pgbench_lookup_script(2).contains("random(1, 2)"));
    assert_eq!(bench::count_logged_checks(scratch.url()).await.unwrap(), 0);
    store.close().await;

    scratch.drop_schema().await;
    let admin = sqlx::PgPool::connect(&pg::pg_url()).await.unwrap();
    let left: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1",
    )
    .bind(&name)
    .fetch_one(&admin)
    .await
    .unwrap();
    assert_eq!(left, 0, "the scratch schema is dropped");
}
