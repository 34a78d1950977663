//! The change log's Merkle tree over the real router (issue 21), on both backends: the latest
//! signed tree head and the proofs are public, verify with nothing but hashes, and bad
//! sizes are refused with a code.

use axum::http::StatusCode;
use chengxin_domain::merkle;
use chengxin_store::heads::open_checkpoint;
use chengxin_store::LogSigner;
use chengxin_testkit::*;

fn hash(v: &serde_json::Value) -> merkle::Hash {
    chengxin_store::keys::parse_hex32(v.as_str().unwrap()).unwrap()
}

fn hashes(v: &serde_json::Value) -> Vec<merkle::Hash> {
    v.as_array().unwrap().iter().map(hash).collect()
}

async fn public_tree_log(t: TestApp) {
    let (s, v) = t
        .call("GET", "/api/v1/log/checkpoint", &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["code"], "no_tree_head");

    let signer = LogSigner::generate();
    let head = t
        .store
        .sign_tree_head(&signer, "xy.example.gov.cn/log")
        .await
        .unwrap()
        .unwrap();
    let (s, v) = t
        .call("GET", "/api/v1/log/checkpoint", &Cred::None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let note = v.as_str().unwrap();
    let cp = open_checkpoint(note, &[signer.verifying_key()]).unwrap();
    assert_eq!((cp.size, cp.root), (head.size, head.root));
    assert!(note.starts_with("xy.example.gov.cn/log\n"), "{note}");

    for seq in [1, head.size] {
        let (s, v) = t
            .call(
                "GET",
                &format!("/api/v1/log/proof/inclusion?seq={seq}"),
                &Cred::None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["tree_size"], head.size);
        let leaf = merkle::leaf_hash(&hex::decode(v["entry_hash"].as_str().unwrap()).unwrap());
        assert_eq!(leaf, hash(&v["leaf_hash"]));
        merkle::verify_inclusion(&leaf, seq - 1, head.size, &hashes(&v["path"]), &cp.root).unwrap();
    }
    let (s, v) = t
        .call(
            "GET",
            "/api/v1/log/proof/consistency?from=1",
            &Cred::None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    merkle::verify_consistency(
        1,
        head.size,
        &hash(&v["from_root"]),
        &cp.root,
        &hashes(&v["proof"]),
    )
    .unwrap();

    for (uri, code) in [
        ("/api/v1/log/proof/inclusion?seq=0", "proof_out_of_range"),
        (
            "/api/v1/log/proof/inclusion?seq=99999999",
            "proof_out_of_range",
        ),
        (
            "/api/v1/log/proof/inclusion?seq=1&size=99999999",
            "proof_out_of_range",
        ),
        ("/api/v1/log/proof/inclusion?seq=abc", "invalid_query"),
        (
            "/api/v1/log/proof/consistency?from=5&to=2",
            "proof_out_of_range",
        ),
        (
            "/api/v1/log/proof/consistency?from=1&to=99999999",
            "proof_out_of_range",
        ),
        ("/api/v1/log/proof/consistency?from=-1", "invalid_query"),
    ] {
        let (s, v) = t.call("GET", uri, &Cred::None, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert_eq!(v["code"], code, "{uri}: {v}");
    }
    t.cleanup().await;
}
both_backends!(tree_heads_and_proofs_are_public, public_tree_log);
