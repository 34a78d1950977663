//! The layering rule of the workspace: a crate's `[dependencies]` may name only the chengxin
//! crates below it; `chengxin-testkit` only ever appears under `[dev-dependencies]`; and only
//! `chengxin-store` has a database driver.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The chengxin crates each crate (by directory under `crates/`) may depend on.
/// A crate missing here fails the test until it is added.
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("access", &["domain"]),
    ("ingest", &["domain"]),
    ("report", &["domain"]),
    ("store", &["domain"]),
    ("checks", &["domain", "store"]),
    (
        "app",
        &["domain", "access", "store", "ingest", "report", "checks"],
    ),
    (
        "server",
        &[
            "app", "domain", "access", "store", "ingest", "report", "checks",
        ],
    ),
    (
        "chengxin",
        &[
            "server", "app", "domain", "access", "store", "ingest", "report", "checks",
        ],
    ),
    (
        "testkit",
        &[
            "chengxin", "server", "app", "domain", "access", "store", "ingest", "report", "checks",
        ],
    ),
];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crates/chengxin has a parent")
        .to_path_buf()
}

/// `chengxin-store` → `store`, `chengxin` → `chengxin`; `None` for foreign crates.
fn ours(dep: &str) -> Option<&str> {
    if dep == "chengxin" {
        Some("chengxin")
    } else {
        dep.strip_prefix("chengxin-")
    }
}

/// The names of a dependency table (`package = "…"` renames are followed).
fn dep_names(table: Option<&toml::Value>) -> Vec<String> {
    let Some(table) = table.and_then(toml::Value::as_table) else {
        return Vec::new();
    };
    table
        .iter()
        .map(|(key, spec)| {
            spec.get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key)
                .to_string()
        })
        .collect()
}

/// Every `crates/*/Cargo.toml`, by directory name.
fn manifests() -> BTreeMap<String, toml::Value> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(crates_dir()).expect("read crates/") {
        let dir = entry.expect("dir entry").path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).expect("read Cargo.toml");
        let value: toml::Value = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not TOML: {e}", manifest.display()));
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("UTF-8 directory name")
            .to_string();
        out.insert(name, value);
    }
    out
}

/// A manifest's `[dependencies]` and its `[target.*.dependencies]` (not dev or build ones).
fn dependency_tables(manifest: &toml::Value) -> Vec<(&'static str, Option<&toml::Value>)> {
    let mut tables = vec![("dependencies", manifest.get("dependencies"))];
    if let Some(targets) = manifest.get("target").and_then(toml::Value::as_table) {
        for t in targets.values() {
            tables.push(("target dependencies", t.get("dependencies")));
        }
    }
    tables
}

/// Database drivers: SQL has one owner, the store.
const DRIVERS: &[&str] = &[
    "sqlx",
    "rusqlite",
    "postgres",
    "tokio-postgres",
    "libsqlite3-sys",
];

#[test]
fn only_the_store_has_a_database_driver() {
    let mut problems = Vec::new();
    for (krate, manifest) in &manifests() {
        // The dev-only harness creates and inspects test databases.
        if krate == "store" || krate == "testkit" {
            continue;
        }
        for (what, table) in dependency_tables(manifest) {
            for dep in dep_names(table) {
                if DRIVERS.contains(&dep.as_str()) {
                    problems.push(format!(
                        "crates/{krate}: {dep} in [{what}] (SQL belongs in chengxin-store; \
                         tests may use it as a dev-dependency)"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "SQL outside store:\n{}",
        problems.join("\n")
    );
}

#[test]
fn crates_depend_only_on_lower_layers() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    let manifests = manifests();
    assert!(
        manifests.contains_key("domain") && manifests.contains_key("chengxin"),
        "crates/ not found: {:?}",
        manifests.keys()
    );
    let mut problems = Vec::new();
    for (krate, manifest) in &manifests {
        let Some(may) = allowed.get(krate.as_str()) else {
            problems.push(format!(
                "crates/{krate} is not in the layering table of {}",
                file!()
            ));
            continue;
        };
        for (what, table) in dependency_tables(manifest) {
            for dep in dep_names(table) {
                let Some(layer) = ours(&dep) else { continue };
                if layer == "testkit" {
                    problems.push(format!(
                        "crates/{krate}: {dep} in [{what}] (it may only be a dev-dependency)"
                    ));
                } else if !may.contains(&layer) {
                    problems.push(format!(
                        "crates/{krate} may not depend on {dep} (allowed: {may:?})"
                    ));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layering broken:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_table_rejects_what_it_should() {
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    assert!(!allowed["report"].contains(&"store"));
    assert!(!allowed["checks"].contains(&"server"));
    assert!(!allowed["store"].contains(&"checks"));
    assert!(!allowed["app"].contains(&"server"));
    assert!(!allowed["server"].contains(&"chengxin"));
    assert!(!allowed.values().any(|may| may.contains(&"testkit")));
    assert_eq!(ours("chengxin-testkit"), Some("testkit"));
    assert_eq!(ours("chengxin"), Some("chengxin"));
    assert_eq!(ours("serde"), None);
}
