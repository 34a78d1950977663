//! Building proofs (RFC 6962 §2.1.1 PATH, §2.1.2 PROOF) from complete subtrees, and listing
//! the subtrees a proof needs so the store fetches them in one read.

use std::cell::RefCell;
use std::collections::BTreeSet;

use super::hash::{split, Hash};
use super::tree::{subtree, NodeId, Nodes};
use super::verify::ProofError;

/// The audit path of leaf `index` in the tree of the first `size` leaves, leaf-side first.
pub fn inclusion_proof(src: &impl Nodes, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
    if index >= size {
        return Err(ProofError::Range);
    }
    let (mut a, mut b) = (0u64, size);
    let mut path = Vec::new();
    while b - a > 1 {
        let k = split(b - a);
        if index < a + k {
            path.push(subtree(src, a + k, b)?);
            b = a + k;
        } else {
            path.push(subtree(src, a, a + k)?);
            a += k;
        }
    }
    path.reverse();
    Ok(path)
}

/// The proof that the tree of the first `old` leaves is a prefix of the tree of the first
/// `new` leaves (empty when `old` is 0 or equal to `new`).
pub fn consistency_proof(src: &impl Nodes, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
    if old > new {
        return Err(ProofError::Range);
    }
    if old == 0 || old == new {
        return Ok(Vec::new());
    }
    let (mut a, mut b, mut m) = (0u64, new, old);
    let mut complete = true;
    let mut proof = Vec::new();
    loop {
        if m == b - a {
            if !complete {
                proof.push(subtree(src, a, b)?);
            }
            break;
        }
        let k = split(b - a);
        if m <= k {
            proof.push(subtree(src, a + k, b)?);
            b = a + k;
        } else {
            proof.push(subtree(src, a, a + k)?);
            a += k;
            m -= k;
            complete = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// Remembers which nodes a computation asks for (answering with zeros).
struct Recorder(RefCell<BTreeSet<NodeId>>);

impl Nodes for Recorder {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.0.borrow_mut().insert(id);
        Some([0; 32])
    }
}

fn record(f: impl FnOnce(&Recorder) -> Result<(), ProofError>) -> Result<Vec<NodeId>, ProofError> {
    let r = Recorder(RefCell::new(BTreeSet::new()));
    f(&r)?;
    Ok(r.0.into_inner().into_iter().collect())
}

/// The complete subtrees [`inclusion_proof`] reads, plus those of the root: at most about
/// 2·log2(size) nodes.
pub fn needed_for_inclusion(index: u64, size: u64) -> Result<Vec<NodeId>, ProofError> {
    record(|r| {
        inclusion_proof(r, index, size)?;
        super::tree::root(r, size).map(|_| ())
    })
}

/// The complete subtrees [`consistency_proof`] reads, plus those of both roots.
pub fn needed_for_consistency(old: u64, new: u64) -> Result<Vec<NodeId>, ProofError> {
    record(|r| {
        consistency_proof(r, old, new)?;
        super::tree::root(r, old)?;
        super::tree::root(r, new).map(|_| ())
    })
}
