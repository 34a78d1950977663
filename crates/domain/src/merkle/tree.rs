//! Tree hashes over a source of complete subtrees, and the frontier (compact range) that
//! grows a tree leaf by leaf.

use std::collections::HashMap;

use super::hash::{empty_root, node_hash, split, Hash};
use super::verify::ProofError;

/// A complete, aligned subtree: `level` 0 is a leaf, and node `(level, index)` covers leaves
/// `[index·2^level, (index+1)·2^level)`. Only such nodes are ever stored; every other tree
/// hash (the right edge of a tree whose size is not a power of two) is computed from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u32,
    pub index: u64,
}

impl NodeId {
    pub fn new(level: u32, index: u64) -> Self {
        Self { level, index }
    }
    /// One past the last leaf it covers.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
}

/// Where hashes of complete subtrees come from (a map read from the store, a recorder).
pub trait Nodes {
    fn node(&self, id: NodeId) -> Option<Hash>;
}

impl Nodes for HashMap<NodeId, Hash> {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.get(&id).copied()
    }
}

/// `MTH(D[a:b])` for a range the RFC 6962 recursion produces (`a` aligned to the largest
/// power of two not above `b - a`): one node when the range is a complete subtree, else split.
pub fn subtree(src: &impl Nodes, a: u64, b: u64) -> Result<Hash, ProofError> {
    let n = b
        .checked_sub(a)
        .filter(|n| *n > 0)
        .ok_or(ProofError::Range)?;
    if n.is_power_of_two() && a.is_multiple_of(n) {
        let id = NodeId::new(n.trailing_zeros(), a >> n.trailing_zeros());
        return src.node(id).ok_or(ProofError::MissingNode(id));
    }
    let k = split(n);
    Ok(node_hash(
        &subtree(src, a, a + k)?,
        &subtree(src, a + k, b)?,
    ))
}

/// The root of the first `size` leaves.
pub fn root(src: &impl Nodes, size: u64) -> Result<Hash, ProofError> {
    if size == 0 {
        return Ok(empty_root());
    }
    subtree(src, 0, size)
}

/// The complete subtrees a tree of some size ends with (one per bit set in the size): enough
/// to compute its root and to append to it. Grows leaf by leaf like a binary counter; each
/// carry completes a subtree, reported to the caller to be stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// `levels[l]` is the complete subtree of `2^l` leaves when bit `l` of `size` is set.
    levels: Vec<Option<Hash>>,
}

impl Frontier {
    pub fn new() -> Self {
        Self::default()
    }

    /// The nodes [`Frontier::from_nodes`] reads for a tree of `size` leaves.
    pub fn needed(size: u64) -> Vec<NodeId> {
        (0..64)
            .filter(|l| (size >> l) & 1 == 1)
            .map(|l| NodeId::new(l, (size >> l) - 1))
            .collect()
    }

    /// The frontier of a tree of `size` leaves, from its stored complete subtrees.
    pub fn from_nodes(src: &impl Nodes, size: u64) -> Result<Self, ProofError> {
        let mut levels = vec![None; 64 - size.leading_zeros() as usize];
        for id in Self::needed(size) {
            levels[id.level as usize] = Some(src.node(id).ok_or(ProofError::MissingNode(id))?);
        }
        Ok(Self { size, levels })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The complete subtrees, lowest level first (one per bit set in the size): what
    /// [`Frontier::from_parts`] takes back (a feed receiver keeps its sender's frontier).
    pub fn hashes(&self) -> Vec<Hash> {
        self.levels.iter().flatten().copied().collect()
    }

    /// The frontier of a tree of `size` leaves from [`Frontier::hashes`]; `None` when their
    /// number does not fit the size.
    pub fn from_parts(size: u64, hashes: &[Hash]) -> Option<Self> {
        let ids = Self::needed(size);
        if ids.len() != hashes.len() {
            return None;
        }
        let map: HashMap<NodeId, Hash> = ids.into_iter().zip(hashes.iter().copied()).collect();
        Self::from_nodes(&map, size).ok()
    }

    /// Append a leaf hash; `completed` hears every interior node (level ≥ 1) this completes.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let i = self.size;
        let mut cur = leaf;
        let mut level = 0usize;
        loop {
            if self.levels.len() <= level {
                self.levels.push(None);
            }
            match self.levels[level].take() {
                Some(left) => {
                    cur = node_hash(&left, &cur);
                    level += 1;
                    completed(NodeId::new(level as u32, i >> level), &cur);
                }
                None => {
                    self.levels[level] = Some(cur);
                    break;
                }
            }
        }
        self.size += 1;
    }

    /// The root of the tree so far: the subtrees folded right to left (RFC 6962's shape).
    pub fn root(&self) -> Hash {
        let mut acc: Option<Hash> = None;
        for h in self.levels.iter().flatten() {
            acc = Some(match acc {
                None => *h,
                Some(right) => node_hash(h, &right),
            });
        }
        acc.unwrap_or_else(empty_root)
    }
}
