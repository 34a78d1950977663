//! Schematic tile layouts of regions (`data/regions/tiles.toml`): for a parent region, one
//! square tile per child placed roughly where it lies — what the dashboards draw as a map where
//! no openly licensed boundary data can be shipped.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::RegionTable;

const SHIPPED: &str = include_str!("../../../../data/regions/tiles.toml");
static DEFAULT: OnceLock<Result<Vec<TileLayout>, String>> = OnceLock::new();

/// One tile: a region and its cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tile {
    pub code: String,
    pub col: u16,
    pub row: u16,
}

/// The tiles of one parent region's children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TileLayout {
    pub parent: String,
    pub title: String,
    pub tiles: Vec<Tile>,
}

#[derive(Deserialize)]
struct File {
    layout: Vec<TileLayout>,
}

/// Parse and check layouts against a region table: every code a current region directly under
/// (or within) the layout's parent, no code twice, no two tiles in one cell, at most 40 × 40.
pub fn parse(text: &str, regions: &RegionTable) -> Result<Vec<TileLayout>, String> {
    let f: File = toml::from_str(text).map_err(|e| format!("区划示意图数据无法读取：{e}"))?;
    for l in &f.layout {
        if regions.get(&l.parent).is_none() {
            return Err(format!("示意图的上级区划“{}”不存在", l.parent));
        }
        let mut codes = HashSet::new();
        let mut cells = HashSet::new();
        for t in &l.tiles {
            let ok = regions
                .get(&t.code)
                .is_some_and(|r| r.current && !r.is_summary())
                && regions.is_within(&t.code, &l.parent)
                && t.code != l.parent;
            if !ok {
                return Err(format!(
                    "示意图“{}”中的区划“{}”不是 {} 下辖的现行区划",
                    l.title, t.code, l.parent
                ));
            }
            if !codes.insert(t.code.clone()) {
                return Err(format!("示意图“{}”中区划“{}”重复", l.title, t.code));
            }
            if t.col >= 40 || t.row >= 40 || !cells.insert((t.col, t.row)) {
                return Err(format!(
                    "示意图“{}”中第 {} 列第 {} 行的位置无效或已被占用",
                    l.title, t.col, t.row
                ));
            }
        }
    }
    Ok(f.layout)
}

/// The shipped layouts (checked once against the national table).
pub fn shipped() -> Result<&'static [TileLayout], String> {
    DEFAULT
        .get_or_init(|| parse(SHIPPED, RegionTable::national()))
        .as_ref()
        .map(|v| v.as_slice())
        .map_err(Clone::clone)
}

/// The shipped layout of `parent`'s children, if there is one.
pub fn layout_of(parent: &str) -> Option<&'static TileLayout> {
    shipped().ok()?.iter().find(|l| l.parent == parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_layouts_are_valid() {
        let l = shipped().unwrap();
        assert!(layout_of("320400").is_some_and(|l| l.tiles.len() == 6));
        assert!(layout_of("320000").is_some_and(|l| l.tiles.len() == 13));
        assert!(l.len() >= 2);
    }

    #[test]
    fn bad_layouts_are_refused() {
        let t = RegionTable::national();
        let one = |tiles: &str| {
            parse(
                &format!("[[layout]]\nparent = \"320400\"\ntitle = \"x\"\ntiles = [{tiles}]\n"),
                t,
            )
        };
        assert!(one("{ code = \"320412\", col = 0, row = 0 }").is_ok());
        assert!(one("{ code = \"320100\", col = 0, row = 0 }").is_err());
        assert!(one("{ code = \"320401\", col = 0, row = 0 }").is_err());
        assert!(one(
            "{ code = \"320412\", col = 0, row = 0 }, { code = \"320402\", col = 0, row = 0 }"
        )
        .is_err());
        assert!(one(
            "{ code = \"320412\", col = 0, row = 0 }, { code = \"320412\", col = 1, row = 0 }"
        )
        .is_err());
    }
}
