//! The content digest of a row (plain SHA-256 or keyed HMAC), in catalog order.

use super::*;

/// Longest field name hashed through the stack buffer (longer ones go part by part).
const MAX_HASHED_NAME: usize = 64;

/// Incremental digest of a row's content.
enum RowHasher {
    Plain(Sha256),
    Keyed(Hmac<Sha256>),
}

impl RowHasher {
    pub(super) fn raw(&mut self, bytes: &[u8]) {
        match self {
            Self::Plain(h) => Digest::update(h, bytes),
            Self::Keyed(m) => Mac::update(m, bytes),
        }
    }

    /// Length-prefixed, so that no two sequences of parts hash alike.
    fn part(&mut self, bytes: &[u8]) {
        self.raw(&(bytes.len() as u64).to_le_bytes());
        self.raw(bytes);
    }

    pub(super) fn date(&mut self, d: NaiveDate) {
        self.raw(&d.num_days_from_ce().to_le_bytes());
    }

    pub(super) fn finish(self) -> String {
        let bytes: [u8; 32] = match self {
            Self::Plain(h) => h.finalize().into(),
            Self::Keyed(m) => m.finalize().into_bytes().into(),
        };
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(64);
        for b in bytes {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }
}

/// Step 7 of row validation: the digest of the row's accepted values, in catalog order, then
/// the decision date and the severity.
pub(super) fn row_digest(
    rt: &RecordType,
    map: &ColumnMap,
    values: &[Option<FieldValue>],
    decision_date: NaiveDate,
    severity: Option<Severity>,
) -> String {
    let mut h = match &map.digest_key {
        Some(mac) => RowHasher::Keyed(mac.clone()),
        None => RowHasher::Plain(Sha256::new()),
    };
    h.part(b"chengxin-intake-v1");
    h.part(rt.code.as_bytes());
    for (f, v) in rt.fields.iter().zip(values) {
        let Some(v) = v else { continue };
        let tag: u8 = match v {
            FieldValue::Empty => continue,
            FieldValue::Text(_) => b't',
            FieldValue::Date(_) => b'd',
            FieldValue::Decimal(_) => b'n',
            FieldValue::Integer(_) => b'i',
            FieldValue::Enum(_) => b'e',
            FieldValue::Code(_) => b'c',
        };
        // One update for the field's header (name, tag, fixed-size value or the length of
        // the variable one), one for a variable value: same bytes as separate parts.
        let var: Option<&[u8]> = match v {
            FieldValue::Text(s)
            | FieldValue::Decimal(s)
            | FieldValue::Enum(s)
            | FieldValue::Code(s) => Some(s.as_bytes()),
            _ => None,
        };
        let mut head = [0u8; 8 + MAX_HASHED_NAME + 1 + 8];
        let name = f.name.as_bytes();
        if name.len() > MAX_HASHED_NAME {
            h.part(name);
            h.raw(&[tag]);
            match (v, var) {
                (_, Some(bytes)) => h.part(bytes),
                (FieldValue::Date(d), None) => h.date(*d),
                (FieldValue::Integer(x), None) => h.raw(&x.to_le_bytes()),
                _ => {}
            }
            continue;
        }
        let mut len = 0;
        let mut put = |bytes: &[u8]| {
            head[len..len + bytes.len()].copy_from_slice(bytes);
            len += bytes.len();
        };
        put(&(name.len() as u64).to_le_bytes());
        put(name);
        put(&[tag]);
        match (v, var) {
            (_, Some(bytes)) => put(&(bytes.len() as u64).to_le_bytes()),
            (FieldValue::Date(d), None) => put(&d.num_days_from_ce().to_le_bytes()),
            (FieldValue::Integer(x), None) => put(&x.to_le_bytes()),
            _ => {}
        }
        h.raw(&head[..len]);
        if let Some(bytes) = var {
            h.raw(bytes);
        }
    }
    h.raw(b"D");
    h.date(decision_date);
    h.raw(b"S");
    h.part(severity.map_or("", Severity::code).as_bytes());
    h.finish()
}
