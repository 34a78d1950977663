//! `chengxin serve` and the portal's public address (issue 17): credit reports print an
//! absolute verification address and QR code, so outside `--demo` the server does not start
//! without `CHENGXIN_PUBLIC_URL` (`public_url_missing`), nor with a malformed one
//! (`public_url_invalid`) — found when the office deploys, before anything is touched.

use crate::common::*;

#[test]
fn serve_needs_the_public_address_outside_the_demo() {
    let dir = temp_dir_named("chengxin-public-url");
    let listen = format!("127.0.0.1:{}", free_port());
    let o = cmd(&dir)
        .env_remove("CHENGXIN_PUBLIC_URL")
        .args(["serve", "--listen", &listen])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("错误[public_url_missing]"), "{err}");
    assert!(err.contains("CHENGXIN_PUBLIC_URL"), "{err}");
    // Refused before touching anything: no database was created.
    assert!(
        !dir.join("chengxin.db").exists(),
        "the database was created"
    );
    for bad in [
        "xy.example.gov.cn",
        "https://xy.example.gov.cn/?a=1",
        "ftp://x.cn",
    ] {
        let o = cmd(&dir)
            .env("CHENGXIN_PUBLIC_URL", bad)
            .args(["serve", "--listen", &listen])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("public_url_invalid"),
            "{bad}: {}",
            stderr(&o)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
