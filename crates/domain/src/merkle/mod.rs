//! The change log as an RFC 6962 Merkle tree (RFC 9162 §2.1): tree hashes, inclusion and
//! consistency proofs and their verification, and the C2SP checkpoint (signed tree head) text.
//!
//! Pure: no I/O, no clock, no signing key. Whoever holds the hashes (the store, reading its
//! table of complete subtrees) answers the [`Nodes`] questions; everything else is arithmetic
//! on leaf indexes. See `docs/TRANSPARENCY_LOG.md`.

mod hash;
mod note;
mod proof;
mod tree;
mod verify;

pub use hash::{empty_root, leaf_hash, node_hash, Hash};
pub use note::{
    checkpoint_text, key_id, parse_checkpoint, parse_note, signature_line, split_notes, Checkpoint,
    NoteError, SignedNote,
};
pub use proof::{consistency_proof, inclusion_proof, needed_for_consistency, needed_for_inclusion};
pub use tree::{root, subtree, Frontier, NodeId, Nodes};
pub use verify::{verify_consistency, verify_inclusion, ProofError};
