//! Checking proofs, as a client does with nothing but hashes (RFC 9162 §2.1.3.2, §2.1.4.2).

use super::hash::{node_hash, Hash};
use super::tree::NodeId;

/// Why a proof was refused (or could not be built).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("叶序号或树大小超出范围")]
    Range,
    #[error("证明长度不符")]
    Length,
    #[error("证明算出的树根与给定树根不符")]
    RootMismatch,
    #[error("缺少第 {} 层第 {} 个子树的哈希", .0.level, .0.index)]
    MissingNode(NodeId),
}

impl ProofError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::Range => "proof_out_of_range",
            ProofError::Length => "proof_bad_length",
            ProofError::RootMismatch => "proof_root_mismatch",
            ProofError::MissingNode(_) => "merkle_node_missing",
        }
    }
}

fn lsb(x: u64) -> bool {
    x & 1 == 1
}

/// Check that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves with `root`.
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    path: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::Range);
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if snode == 0 {
            return Err(ProofError::Length);
        }
        if lsb(fnode) || fnode == snode {
            r = node_hash(p, &r);
            if !lsb(fnode) {
                while !lsb(fnode) && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::Length);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Check that the tree of `old` leaves with `old_root` is a prefix of the tree of `new`
/// leaves with `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::Range);
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::Length);
        }
        return (old_root == new_root)
            .then_some(())
            .ok_or(ProofError::RootMismatch);
    }
    if old == 0 {
        // Every tree extends the empty tree.
        return proof.is_empty().then_some(()).ok_or(ProofError::Length);
    }
    if proof.is_empty() {
        return Err(ProofError::Length);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while lsb(fnode) {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::Length);
        }
        if lsb(fnode) || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if !lsb(fnode) {
                while !lsb(fnode) && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::Length);
    }
    if fr != *old_root || sr != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::super::hash::{empty_root, leaf_hash, split};
    use super::super::proof::{
        consistency_proof, inclusion_proof, needed_for_consistency, needed_for_inclusion,
    };
    use super::super::tree::{root, Frontier};
    use super::*;

    /// RFC 6962's MTH, straight from the definition.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = split(n as u64) as usize;
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn leaves(n: u64) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
            .collect()
    }

    /// Every complete subtree of the leaves, as the store keeps them (leaves as level 0).
    fn nodes(leaves: &[Hash]) -> HashMap<NodeId, Hash> {
        let mut map = HashMap::new();
        let mut f = Frontier::new();
        for (i, l) in leaves.iter().enumerate() {
            map.insert(NodeId::new(0, i as u64), *l);
            f.push(*l, |id, h| {
                map.insert(id, *h);
            });
        }
        map
    }

    /// Only the nodes a proof says it needs.
    fn only(map: &HashMap<NodeId, Hash>, ids: &[NodeId]) -> HashMap<NodeId, Hash> {
        ids.iter().map(|id| (*id, map[id])).collect()
    }

    #[test]
    fn small_trees_match_the_definition() {
        for n in 0..40u64 {
            let l = leaves(n);
            let map = nodes(&l);
            assert_eq!(root(&map, n).unwrap(), mth(&l), "size {n}");
            let mut f = Frontier::new();
            for x in &l {
                f.push(*x, |_, _| {});
            }
            assert_eq!(f.root(), mth(&l));
            if n > 0 {
                let again = Frontier::from_nodes(&map, n).unwrap();
                assert_eq!(again.root(), mth(&l));
            }
        }
    }

    /// RFC 6962's worked example (§2.1.3): leaf d0..d6, the path of d3 is [c, g, l].
    #[test]
    fn rfc_example_shapes() {
        let l = leaves(7);
        let map = nodes(&l);
        let p = inclusion_proof(&map, 3, 7).unwrap();
        assert_eq!(p, vec![l[2], node_hash(&l[0], &l[1]), mth(&l[4..7])]);
        // PROOF(3, D[7]) = [c, d, g, l].
        let c = consistency_proof(&map, 3, 7).unwrap();
        assert_eq!(c, vec![l[2], l[3], node_hash(&l[0], &l[1]), mth(&l[4..7])]);
        // PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k].
        assert_eq!(consistency_proof(&map, 4, 7).unwrap(), vec![mth(&l[4..7])]);
        assert_eq!(
            consistency_proof(&map, 6, 7).unwrap(),
            vec![mth(&l[4..6]), l[6], mth(&l[0..4])]
        );
    }

    #[test]
    fn degenerate_sizes() {
        let l = leaves(5);
        let map = nodes(&l);
        let r5 = root(&map, 5).unwrap();
        assert!(verify_consistency(0, 5, &empty_root(), &r5, &[]).is_ok());
        assert!(verify_consistency(5, 5, &r5, &r5, &[]).is_ok());
        assert!(verify_consistency(6, 5, &r5, &r5, &[]).is_err());
        assert!(verify_consistency(4, 5, &r5, &r5, &[]).is_err());
        assert!(inclusion_proof(&map, 5, 5).is_err());
        assert!(verify_inclusion(&l[0], 5, 5, &[], &r5).is_err());
        // A one-leaf tree: the leaf is the root.
        assert!(verify_inclusion(&l[0], 0, 1, &[], &l[0]).is_ok());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Any leaf of any tree: the proof (built from only the nodes it asked for) verifies.
        #[test]
        fn inclusion_proofs_verify(n in 1u64..300, pick in any::<u64>()) {
            let l = leaves(n);
            let all = nodes(&l);
            let i = pick % n;
            let src = only(&all, &needed_for_inclusion(i, n).unwrap());
            let r = root(&src, n).unwrap();
            prop_assert_eq!(r, mth(&l));
            let path = inclusion_proof(&src, i, n).unwrap();
            prop_assert!(path.len() <= 64 - (n.leading_zeros() as usize) + 1);
            prop_assert!(verify_inclusion(&l[i as usize], i, n, &path, &r).is_ok());
        }

        /// Any m ≤ n: the consistency proof verifies.
        #[test]
        fn consistency_proofs_verify(n in 1u64..300, pick in any::<u64>()) {
            let l = leaves(n);
            let all = nodes(&l);
            let m = pick % (n + 1);
            let src = only(&all, &needed_for_consistency(m, n).unwrap());
            let (old, new) = (root(&src, m).unwrap(), root(&src, n).unwrap());
            prop_assert_eq!(old, mth(&l[..m as usize]));
            let proof = consistency_proof(&src, m, n).unwrap();
            prop_assert!(verify_consistency(m, n, &old, &new, &proof).is_ok());
        }

        /// A wrong leaf, a wrong index, a flipped bit anywhere in the path, a shortened or
        /// lengthened path, or a wrong root: refused.
        #[test]
        fn tampered_inclusion_fails(n in 2u64..200, pick in any::<u64>(), bit in 0usize..256, which in any::<u64>()) {
            let l = leaves(n);
            let all = nodes(&l);
            let i = pick % n;
            let r = root(&all, n).unwrap();
            let path = inclusion_proof(&all, i, n).unwrap();
            let flip = |h: &Hash| { let mut h = *h; h[bit / 8] ^= 1 << (bit % 8); h };
            prop_assert!(verify_inclusion(&flip(&l[i as usize]), i, n, &path, &r).is_err());
            prop_assert!(verify_inclusion(&l[i as usize], i, n, &path, &flip(&r)).is_err());
            let other = (i + 1 + which % (n - 1)) % n;
            prop_assert!(verify_inclusion(&l[i as usize], other, n, &path, &r).is_err());
            let mut bad = path.clone();
            let k = (which % path.len() as u64) as usize;
            bad[k] = flip(&bad[k]);
            prop_assert!(verify_inclusion(&l[i as usize], i, n, &bad, &r).is_err());
            prop_assert!(verify_inclusion(&l[i as usize], i, n, &path[..path.len() - 1], &r).is_err());
            let mut longer = path.clone();
            longer.push(r);
            prop_assert!(verify_inclusion(&l[i as usize], i, n, &longer, &r).is_err());
        }

        /// A flipped bit in the proof or in either root, or a proof for other sizes: refused.
        #[test]
        fn tampered_consistency_fails(n in 2u64..200, pick in any::<u64>(), bit in 0usize..256, which in any::<u64>()) {
            let l = leaves(n);
            let all = nodes(&l);
            let m = 1 + pick % (n - 1);
            let (old, new) = (root(&all, m).unwrap(), root(&all, n).unwrap());
            let proof = consistency_proof(&all, m, n).unwrap();
            let flip = |h: &Hash| { let mut h = *h; h[bit / 8] ^= 1 << (bit % 8); h };
            prop_assert!(verify_consistency(m, n, &flip(&old), &new, &proof).is_err());
            prop_assert!(verify_consistency(m, n, &old, &flip(&new), &proof).is_err());
            let mut bad = proof.clone();
            let k = (which % proof.len() as u64) as usize;
            bad[k] = flip(&bad[k]);
            prop_assert!(verify_consistency(m, n, &old, &new, &bad).is_err());
            prop_assert!(verify_consistency(m, n, &old, &new, &proof[..proof.len() - 1]).is_err());
            // A history that differs in one leaf before m is not consistent.
            let mut forked = l.clone();
            let j = (which % m) as usize;
            forked[j] = flip(&forked[j]);
            let fnew = mth(&forked);
            prop_assert!(verify_consistency(m, n, &old, &fnew, &proof).is_err());
        }
    }
}
