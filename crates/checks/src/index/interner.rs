//! Interned small strings (list codes, record types, severities) as `u16` codes.

/// Small strings that recur millions of times (list codes, record types, severities). They
/// are interned for the life of the process — a deployment has a few dozen — so that a hit
/// hands out `&'static str` with no reference count to bump on a shared cache line.
#[derive(Default)]
pub(super) struct Interner {
    values: Vec<&'static str>,
    codes: foldhash::HashMap<&'static str, u16>,
}

impl Interner {
    pub(super) fn code(&mut self, s: &str) -> u16 {
        if let Some(c) = self.codes.get(s) {
            return *c;
        }
        // More than 65,535 distinct codes would be a data error; they share the last code
        // rather than failing a build (or leaking without bound).
        let c = u16::try_from(self.values.len()).unwrap_or(u16::MAX);
        if c < u16::MAX {
            let v: &'static str = Box::leak(s.to_owned().into_boxed_str());
            self.values.push(v);
            self.codes.insert(v, c);
        }
        c
    }

    pub(super) fn get(&self, c: u16) -> &'static str {
        self.values.get(usize::from(c)).copied().unwrap_or("")
    }
}
