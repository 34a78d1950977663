//! Evidence files: accepted kinds and the checks on an uploaded file.

use super::*;

/// An accepted evidence file type, recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    /// GB/T 33190 版式文档 (a ZIP container).
    Ofd,
}

impl FileKind {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Ofd => "application/ofd",
        }
    }

    fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Png => &["png"],
            Self::Ofd => &["ofd"],
        }
    }

    fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Self::Png)
        } else if bytes.starts_with(b"PK\x03\x04") {
            Some(Self::Ofd)
        } else {
            None
        }
    }
}

/// Check one evidence file: a sane name, not empty, within the size limit, and content of an
/// accepted type that agrees with the name's extension. `already` is how many the
/// application holds.
pub fn check_evidence(
    rules: &EvidenceRules,
    name: &str,
    bytes: &[u8],
    already: usize,
) -> Result<FileKind, RightsError> {
    if already >= rules.max_files {
        return Err(RightsError::TooManyFiles {
            max: rules.max_files,
        });
    }
    let name_ok = !name.trim().is_empty()
        && name.chars().count() <= 200
        && !name.contains(['/', '\\', '\0'])
        && !name.chars().any(char::is_control)
        && name != "."
        && name != "..";
    if !name_ok {
        return Err(RightsError::FileName);
    }
    if bytes.is_empty() {
        return Err(RightsError::EmptyFile { name: name.into() });
    }
    if bytes.len() as u64 > rules.max_file_bytes {
        return Err(RightsError::FileTooLarge {
            name: name.into(),
            max_mb: rules.max_file_bytes / (1024 * 1024),
        });
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match FileKind::sniff(bytes) {
        Some(k) if rules.types.contains(&k) && k.extensions().contains(&ext.as_str()) => Ok(k),
        _ => Err(RightsError::FileType { name: name.into() }),
    }
}

/// The application's evidence quota: with this file of `new_bytes`, the `already_bytes` it
/// holds stay within [`EvidenceRules::max_total_bytes`].
pub fn check_evidence_total(
    rules: &EvidenceRules,
    already_bytes: u64,
    new_bytes: u64,
) -> Result<(), RightsError> {
    if already_bytes.saturating_add(new_bytes) > rules.max_total_bytes {
        const MIB: u64 = 1024 * 1024;
        return Err(RightsError::EvidenceQuota {
            max_mb: rules.max_total_bytes / MIB,
            used_mb: already_bytes.div_ceil(MIB),
        });
    }
    Ok(())
}
