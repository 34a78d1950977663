//! Signed tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint) in signed notes
//! (c2sp.org/signed-note). The text and the key ID are plain bytes; the Ed25519 signature
//! itself is made and checked by the holder of the key (the store crate).
//!
//! ```text
//! chengxin.example/log
//! 20852163
//! CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
//!
//! — chengxin.example/log Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=
//! ```

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::hash::Hash;

/// Why a note or checkpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("签名树头格式错误：{0}")]
    Malformed(&'static str),
    #[error("签名树头没有可信密钥的有效签名")]
    Unsigned,
}

impl NoteError {
    pub fn code(&self) -> &'static str {
        match self {
            NoteError::Malformed(_) => "head_malformed",
            NoteError::Unsigned => "head_signature_invalid",
        }
    }
}

/// The note text of a checkpoint: origin, tree size, root hash; three lines, each ending in
/// a newline. No extension lines (the spec does not recommend them).
pub fn checkpoint_text(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", B64.encode(root))
}

/// A checkpoint's parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// Extension lines, kept opaque.
    pub extensions: Vec<String>,
}

/// Parse a checkpoint's note text (with its final newline).
pub fn parse_checkpoint(text: &str) -> Result<Checkpoint, NoteError> {
    let body = text
        .strip_suffix('\n')
        .ok_or(NoteError::Malformed("正文须以换行结束"))?;
    let mut lines = body.split('\n');
    let origin = lines.next().unwrap_or_default();
    if origin.is_empty() {
        return Err(NoteError::Malformed("缺少来源（origin）行"));
    }
    let size = lines.next().unwrap_or_default();
    if size.is_empty()
        || !size.bytes().all(|b| b.is_ascii_digit())
        || (size.len() > 1 && size.starts_with('0'))
    {
        return Err(NoteError::Malformed("树大小须为不带前导零的十进制数"));
    }
    let size: u64 = size
        .parse()
        .map_err(|_| NoteError::Malformed("树大小超出范围"))?;
    let root = B64
        .decode(lines.next().unwrap_or_default())
        .ok()
        .and_then(|b| <Hash>::try_from(b.as_slice()).ok())
        .ok_or(NoteError::Malformed("树根须为 32 字节的 base64"))?;
    let extensions: Vec<String> = lines.map(str::to_string).collect();
    if extensions.iter().any(String::is_empty) {
        return Err(NoteError::Malformed("扩展行不得为空"));
    }
    Ok(Checkpoint {
        origin: origin.to_string(),
        size,
        root,
        extensions,
    })
}

/// The signed-note key ID of an Ed25519 key: `SHA-256(name || 0x0A || 0x01 || key)[:4]`.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0A, 0x01]);
    h.update(public_key);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// One signature line: `— <name> base64(key ID || signature)` and a newline.
pub fn signature_line(name: &str, key_id: [u8; 4], signature: &[u8]) -> String {
    let mut blob = key_id.to_vec();
    blob.extend_from_slice(signature);
    format!("\u{2014} {name} {}\n", B64.encode(blob))
}

/// A signed note split into its text and its signatures (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, with its final newline.
    pub text: String,
    /// `(key name, key ID, signature bytes)`.
    pub signatures: Vec<(String, [u8; 4], Vec<u8>)>,
}

/// Parse a signed note: the text, a blank line, then one or more signature lines.
pub fn parse_note(note: &str) -> Result<SignedNote, NoteError> {
    if note.chars().any(|c| c.is_control() && c != '\n') {
        return Err(NoteError::Malformed("含有控制字符"));
    }
    let split = note
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("缺少正文与签名之间的空行"))?;
    let (text, sigs) = (&note[..=split], &note[split + 2..]);
    let sigs = sigs
        .strip_suffix('\n')
        .ok_or(NoteError::Malformed("签名行须以换行结束"))?;
    let mut signatures = Vec::new();
    for line in sigs.split('\n') {
        let rest = line
            .strip_prefix("\u{2014} ")
            .ok_or(NoteError::Malformed("签名行须以“— ”开头"))?;
        let (name, b64) = rest
            .rsplit_once(' ')
            .ok_or(NoteError::Malformed("签名行缺少密钥名或签名"))?;
        if name.is_empty() || name.contains(' ') || name.contains('+') {
            return Err(NoteError::Malformed("密钥名不得为空或含空格、加号"));
        }
        let blob = B64
            .decode(b64)
            .map_err(|_| NoteError::Malformed("签名不是有效的 base64"))?;
        if blob.len() < 5 {
            return Err(NoteError::Malformed("签名过短"));
        }
        let id = [blob[0], blob[1], blob[2], blob[3]];
        signatures.push((name.to_string(), id, blob[4..].to_vec()));
    }
    Ok(SignedNote {
        text: text.to_string(),
        signatures,
    })
}

/// Split a file of notes written one after another, each followed by a blank line (the text
/// of a checkpoint has no blank line of its own). Incomplete trailing text is returned too,
/// so a torn last write is reported rather than silently skipped.
pub fn split_notes(file: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_sigs = false;
    let mut pos = 0;
    for line in file.split_inclusive('\n') {
        let end = pos + line.len();
        if line == "\n" {
            if in_sigs {
                out.push(&file[start..pos]);
                start = end;
                in_sigs = false;
            } else {
                in_sigs = true;
            }
        }
        pos = end;
    }
    if start < file.len() && !file[start..].trim().is_empty() {
        out.push(&file[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoint_round_trips() {
        let root = [7u8; 32];
        let text = checkpoint_text("chengxin.example/log", 42, &root);
        let cp = parse_checkpoint(&text).unwrap();
        assert_eq!(cp.origin, "chengxin.example/log");
        assert_eq!(cp.size, 42);
        assert_eq!(cp.root, root);
        for bad in [
            "",
            "o\n42\n",
            "o\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "o\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "o\n1\nBwcH\n",
            "\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
        ] {
            assert!(parse_checkpoint(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn notes_parse_and_split() {
        let text = checkpoint_text("a.example/log", 3, &[1; 32]);
        let note = format!(
            "{text}\n{}",
            signature_line("a.example/log", [1, 2, 3, 4], &[9; 64])
        );
        let parsed = parse_note(&note).unwrap();
        assert_eq!(parsed.text, text);
        assert_eq!(parsed.signatures.len(), 1);
        assert_eq!(parsed.signatures[0].1, [1, 2, 3, 4]);
        assert_eq!(parsed.signatures[0].2, vec![9; 64]);
        let file = format!("{note}\n{note}\n");
        assert_eq!(split_notes(&file), vec![note.as_str(), note.as_str()]);
        // A torn last write is returned (and then fails to parse).
        let torn = format!("{note}\n{}", &note[..10]);
        let parts = split_notes(&torn);
        assert_eq!(parts.len(), 2);
        assert!(parse_note(parts[1]).is_err());
        assert!(parse_note("x\n\n\u{2014} k AAAA\n").is_err());
        assert!(parse_note("x\u{7}\n\n").is_err());
    }

    /// The key ID of the signed-note spec's example key name, computed the spec's way.
    #[test]
    fn key_id_depends_on_name_and_key() {
        let k = [3u8; 32];
        assert_ne!(key_id("a.example/log", &k), key_id("b.example/log", &k));
        assert_ne!(
            key_id("a.example/log", &k),
            key_id("a.example/log", &[4; 32])
        );
    }
}
