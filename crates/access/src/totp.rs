//! TOTP second factor (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits — what every
//! authenticator app understands), built on the RustCrypto `hmac` and `sha1` crates.
//!
//! Required for the credit office, the auditor and the administrator
//! ([`crate::roles::Role::requires_totp`]). A code is accepted for the current step and one
//! step either side (clock drift of up to 30 s), and each step only once: [`verify`] returns
//! the matched step, the caller stores it, and passes it back next time, so a code seen over
//! someone's shoulder cannot be replayed — not even an older one.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::error::AccessError;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps accepted either side of the current one.
pub const SKEW: i64 = 1;
/// Length of generated secrets: 20 bytes (160 bits), as RFC 4226 recommends for SHA-1.
pub const SECRET_LEN: usize = 20;
/// Shortest secret accepted: 16 bytes (128 bits, RFC 4226's minimum).
pub const MIN_SECRET_LEN: usize = 16;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32, upper-case, without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buf >> bits) & 31) as usize]));
        }
        buf &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buf << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decode RFC 4648 base32: case-insensitive, spaces, hyphens and `=` padding ignored (as
/// apps display secrets in groups). `None` on any other character.
pub fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    let (mut buf, mut bits) = (0u32, 0u32);
    for c in s.chars() {
        if c == ' ' || c == '-' || c == '=' {
            continue;
        }
        let u = c.to_ascii_uppercase();
        let v = BASE32.iter().position(|&b| char::from(b) == u)? as u32;
        buf = (buf << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buf >> bits) & 0xff) as u8);
        }
        buf &= (1 << bits) - 1;
    }
    Some(out)
}

/// A TOTP shared secret. `Debug` redacts it and its memory is wiped on drop. Store it
/// sealed ([`crate::sealing::PiiCipher::seal`] of [`TotpSecret::to_base32`]), never in clear.
/// Equality is compared in constant time.
#[derive(Clone)]
pub struct TotpSecret(Vec<u8>);

impl PartialEq for TotpSecret {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for TotpSecret {}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

impl Drop for TotpSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl TotpSecret {
    /// A new random 160-bit secret from the OS random source.
    pub fn generate() -> Result<Self, AccessError> {
        let mut b = vec![0u8; SECRET_LEN];
        OsRng
            .try_fill_bytes(&mut b)
            .map_err(|_| AccessError::RandomFailed)?;
        Ok(TotpSecret(b))
    }

    /// A secret from raw bytes (at least 16).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AccessError> {
        if bytes.len() < MIN_SECRET_LEN {
            return Err(AccessError::TotpSecretInvalid);
        }
        Ok(TotpSecret(bytes.to_vec()))
    }

    /// A secret from its base32 form.
    pub fn from_base32(s: &str) -> Result<Self, AccessError> {
        let mut b = base32_decode(s).ok_or(AccessError::TotpSecretInvalid)?;
        let r = Self::from_bytes(&b);
        b.zeroize();
        r
    }

    /// The base32 form (upper-case, unpadded), as authenticator apps take it.
    pub fn to_base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The code for a time step, with `digits` digits (RFC 4226 dynamic truncation).
    pub fn code_for_step(&self, step: u64, digits: u32) -> String {
        let Ok(mut mac) = <Hmac<Sha1> as Mac>::new_from_slice(&self.0) else {
            // HMAC takes keys of any length: unreachable.
            return String::new();
        };
        mac.update(&step.to_be_bytes());
        let h = mac.finalize().into_bytes();
        let offset = usize::from(h.last().copied().unwrap_or(0) & 0x0f);
        let word = h
            .get(offset..offset + 4)
            .map(|w| u32::from_be_bytes([w[0] & 0x7f, w[1], w[2], w[3]]))
            .unwrap_or(0);
        let digits = digits.clamp(1, 9);
        let code = word % 10u32.pow(digits);
        format!("{code:0width$}", width = digits as usize)
    }

    /// The 6-digit code at a time.
    pub fn code_at(&self, now: DateTime<Utc>) -> String {
        self.code_for_step(step_of(now), DIGITS)
    }
}

/// The time step of a moment (0 before 1970).
pub fn step_of(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp().div_euclid(STEP_SECS)).unwrap_or(0)
}

/// Verify a 6-digit code at `now`. `last_used_step` is the step returned by the previous
/// successful verification (`None` right after enrolment).
///
/// Returns the matched step, to store as the new `last_used_step`. Errors:
/// [`AccessError::TotpInvalid`] for a wrong or badly formed code, [`AccessError::TotpReused`]
/// when the code matches a step at or before `last_used_step`. Spaces in the code are ignored
/// (some apps show `123 456`). Every candidate step is compared in constant time.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: DateTime<Utc>,
    last_used_step: Option<u64>,
) -> Result<u64, AccessError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AccessError::TotpInvalid);
    }
    let current = i128::from(step_of(now));
    let mut matched: Option<u64> = None;
    for delta in -SKEW..=SKEW {
        let Ok(step) = u64::try_from(current + i128::from(delta)) else {
            continue;
        };
        let expected = secret.code_for_step(step, DIGITS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && matched.is_none() {
            matched = Some(step);
        }
    }
    match matched {
        None => Err(AccessError::TotpInvalid),
        Some(step) if last_used_step.is_some_and(|last| step <= last) => {
            Err(AccessError::TotpReused)
        }
        Some(step) => Ok(step),
    }
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `otpauth://` URI an authenticator app enrols from (shown as a QR code):
/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
/// Issuer and account are percent-encoded (UTF-8), so `诚信平台` works.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer_enc = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer_enc}:{}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        percent_encode(account),
        secret.to_base32(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(unix, 0).unwrap()
    }

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890").unwrap()
    }

    /// RFC 6238 Appendix B, SHA-1 column (8 digits).
    #[test]
    fn rfc6238_vectors() {
        let s = rfc_secret();
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, code) in vectors {
            assert_eq!(s.code_for_step(step_of(at(t)), 8), code, "{t}");
            // The 6-digit code is the last 6 digits of the 8-digit one.
            assert_eq!(s.code_at(at(t)), code[2..], "{t}");
        }
    }

    /// RFC 4226 Appendix D (HOTP, 6 digits): TOTP is HOTP over the step counter.
    #[test]
    fn rfc4226_vectors() {
        let s = rfc_secret();
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (i, code) in expected.iter().enumerate() {
            assert_eq!(s.code_for_step(i as u64, 6), *code);
        }
    }

    #[test]
    fn verify_window_and_replay() {
        let s = rfc_secret();
        let now = at(1_111_111_111);
        let step = step_of(now);
        let code = s.code_at(now);
        assert_eq!(verify(&s, &code, now, None).unwrap(), step);
        assert_eq!(
            verify(&s, &format!("{} {}", &code[..3], &code[3..]), now, None).unwrap(),
            step
        );
        assert_eq!(
            verify(&s, &code, now, Some(step)).unwrap_err().code(),
            "totp_reused"
        );
        assert_eq!(
            verify(&s, &code, now, Some(step + 1)).unwrap_err().code(),
            "totp_reused"
        );
        assert_eq!(verify(&s, &code, now, Some(step - 1)).unwrap(), step);
        // ±1 step.
        assert_eq!(
            verify(&s, &code, at(1_111_111_111 + 30), None).unwrap(),
            step
        );
        assert_eq!(
            verify(&s, &code, at(1_111_111_111 - 30), None).unwrap(),
            step
        );
        assert_eq!(
            verify(&s, &code, at(1_111_111_111 + 61), None)
                .unwrap_err()
                .code(),
            "totp_invalid"
        );
        let prev = s.code_for_step(step - 1, 6);
        assert_eq!(verify(&s, &prev, now, None).unwrap(), step - 1);
        for bad in ["", "12345", "1234567", "abcdef", "１２３４５６"] {
            assert_eq!(
                verify(&s, bad, now, None).unwrap_err().code(),
                "totp_invalid"
            );
        }
        // Near the epoch there is no step -1; nothing panics.
        let early = s.code_at(at(0));
        assert_eq!(verify(&s, &early, at(0), None).unwrap(), 0);
        assert!(verify(&s, &early, at(-100), None).is_ok());
    }

    #[test]
    fn secrets_and_base32() {
        assert_eq!(base32_encode(b""), "");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI======").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb-oi").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
        let s = rfc_secret();
        assert_eq!(s.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(TotpSecret::from_base32(&s.to_base32()).unwrap(), s);
        let g = TotpSecret::generate().unwrap();
        assert_eq!(g.to_base32().len(), 32);
        assert_ne!(g, TotpSecret::generate().unwrap());
        assert_eq!(format!("{g:?}"), "TotpSecret(<redacted>)");
        assert_eq!(
            TotpSecret::from_base32("MZXW6").unwrap_err().code(),
            "totp_secret_invalid"
        );
        assert!(TotpSecret::from_base32("!!").is_err());
    }

    #[test]
    fn enrolment_uri() {
        let s = rfc_secret();
        assert_eq!(
            otpauth_uri(&s, "诚信", "zhang san@320400"),
            "otpauth://totp/%E8%AF%9A%E4%BF%A1:zhang%20san%40320400?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E8%AF%9A%E4%BF%A1&algorithm=SHA1&digits=6&period=30"
        );
    }

    proptest::proptest! {
        #[test]
        fn base32_round_trip(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            proptest::prop_assert_eq!(base32_decode(&base32_encode(&bytes)), Some(bytes));
        }
    }
}
