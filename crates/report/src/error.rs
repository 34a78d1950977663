//! [`ReportError`]: every failure of this crate, with a Chinese message and a stable code.

use thiserror::Error;

/// What can go wrong when signing, verifying, rendering or reading back a report.
///
/// `Display` is a Chinese sentence for people; [`ReportError::code`] is a stable snake_case
/// code for programs (API responses, logs, metrics).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    /// The report breaks a rule of [`crate::CreditReport::validate`].
    #[error("报告内容不符合要求：{0}")]
    InvalidReport(String),

    /// The verification URL given to the renderer is empty or too long for a QR code.
    #[error("核验网址无效：{0}")]
    InvalidVerifyUrl(String),

    /// The report was signed with another key than the one it is checked against.
    #[error("签名密钥不符（报告的密钥标识为 {found}，核验密钥标识为 {expected}）")]
    KeyMismatch {
        /// Key id of the verifying key.
        expected: String,
        /// Key id recorded in the signed report.
        found: String,
    },

    /// The recorded SHA-256 of the content does not match the content.
    #[error("报告内容摘要不符，报告内容可能已被篡改")]
    ContentHashMismatch,

    /// The signature is not base64 of 64 bytes.
    #[error("数字签名格式错误")]
    MalformedSignature,

    /// The signature does not verify over the content.
    #[error("数字签名核验未通过，报告可能已被篡改或并非由本机构出具")]
    BadSignature,

    /// The verification code does not belong to the signature.
    #[error("验证码与报告不符")]
    CodeMismatch,

    /// Writing the PDF failed (font subsetting, QR encoding, …).
    #[error("生成 PDF 失败：{0}")]
    Render(String),

    /// No embedded signed payload was found in the uploaded file.
    #[error("文件中未找到报告签名数据（不是本系统出具的信用报告 PDF，或文件已被改写）")]
    PayloadNotFound,

    /// An embedded payload was found but cannot be read.
    #[error("文件中的报告签名数据已损坏")]
    MalformedPayload,

    /// The embedded payload has a format version this build does not know.
    #[error("不支持的报告签名数据版本：{0}")]
    UnsupportedPayloadVersion(u32),

    /// The file carries several different payloads: it is refused rather than guessed at.
    #[error("文件中有多份不一致的报告签名数据")]
    AmbiguousPayload,

    /// The report carries no proof bundle (issued before issue 21, or stripped).
    #[error("报告未附带变更日志的存证证明（签名树头与包含证明）")]
    ProofsMissing,

    /// The bundle's log key is not an Ed25519 public key.
    #[error("存证证明中的日志公钥格式错误")]
    LogKeyInvalid,

    /// The bundle's log key is not the one the verifier holds.
    #[error("存证证明中的日志公钥与核验方持有的日志公钥不符")]
    LogKeyMismatch,

    /// The signed tree head cannot be read.
    #[error("签名树头格式错误：{0}")]
    HeadMalformed(String),

    /// The signed tree head's signature does not verify with the log key.
    #[error("签名树头的签名核验未通过，树头可能已被篡改")]
    HeadSignatureInvalid,

    /// An inclusion proof does not lead to the head's root.
    #[error("记录 {entity_id} 的包含证明核验未通过（{reason}），证明可能已被篡改")]
    ProofInvalid {
        /// The record the proof is for.
        entity_id: String,
        /// Why.
        reason: String,
    },

    /// The bundle's binding signature does not verify: the bundle is not this report's.
    #[error("存证证明与本报告的绑定签名核验未通过，证明可能被替换")]
    ProofsUnbound,
}

impl ReportError {
    /// Stable snake_case code of the error kind.
    pub fn code(&self) -> &'static str {
        match self {
            ReportError::InvalidReport(_) => "invalid_report",
            ReportError::InvalidVerifyUrl(_) => "invalid_verify_url",
            ReportError::KeyMismatch { .. } => "key_mismatch",
            ReportError::ContentHashMismatch => "content_hash_mismatch",
            ReportError::MalformedSignature => "malformed_signature",
            ReportError::BadSignature => "bad_signature",
            ReportError::CodeMismatch => "code_mismatch",
            ReportError::Render(_) => "render_failed",
            ReportError::PayloadNotFound => "payload_not_found",
            ReportError::MalformedPayload => "malformed_payload",
            ReportError::UnsupportedPayloadVersion(_) => "unsupported_payload_version",
            ReportError::AmbiguousPayload => "ambiguous_payload",
            ReportError::ProofsMissing => "proofs_missing",
            ReportError::LogKeyInvalid => "log_key_invalid",
            ReportError::LogKeyMismatch => "log_key_mismatch",
            ReportError::HeadMalformed(_) => "head_malformed",
            ReportError::HeadSignatureInvalid => "head_signature_invalid",
            ReportError::ProofInvalid { .. } => "proof_invalid",
            ReportError::ProofsUnbound => "proofs_unbound",
        }
    }

    /// True for the errors that mean "this report is not authentic" (as opposed to a bad
    /// call or an unreadable file): the portal shows these as 核验未通过.
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            ReportError::KeyMismatch { .. }
                | ReportError::ContentHashMismatch
                | ReportError::MalformedSignature
                | ReportError::BadSignature
                | ReportError::CodeMismatch
                | ReportError::LogKeyInvalid
                | ReportError::LogKeyMismatch
                | ReportError::HeadMalformed(_)
                | ReportError::HeadSignatureInvalid
                | ReportError::ProofInvalid { .. }
                | ReportError::ProofsUnbound
        )
    }
}
