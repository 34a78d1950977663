//! The slot table: party slots by one exact key (USCC, ID hash), open addressing over `u32`
//! cells.

/// Party slots by one exact key (USCC, ID hash): linear probing over `u32` cells that hold 28
/// bits of slot and 4 bits of the key's hash. A look-up reads one run of cells (nearly always
/// one cache line) and then, but for one time in sixteen, only the party that matches.
/// (hashbrown keeps its control bytes apart from its cells: one more cache miss per look-up
/// at ten million keys, and a fifth more memory.) The key itself is read back from the party.
#[derive(Default)]
pub(super) struct SlotTable {
    pub(super) cells: Vec<u32>,
    pub(super) len: usize,
}

const EMPTY: u32 = u32::MAX;
const SLOT_BITS: u32 = 28;
const SLOT_MASK: u32 = (1 << SLOT_BITS) - 1;

impl SlotTable {
    fn tag(h: u64) -> u32 {
        ((h >> 60) as u32) << SLOT_BITS
    }

    fn mask(&self) -> usize {
        self.cells.len().wrapping_sub(1)
    }

    /// The slot whose key `is` accepts, among those stored under hash `h`.
    pub(super) fn find(&self, h: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        let (mask, tag) = (self.mask(), Self::tag(h));
        let mut i = h as usize & mask;
        for _ in 0..self.cells.len() {
            let c = *self.cells.get(i)?;
            if c == EMPTY {
                return None;
            }
            if c & !SLOT_MASK == tag && is(c & SLOT_MASK) {
                return Some(c & SLOT_MASK);
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// Make room for `more` keys; `hash` gives a stored slot's key hash.
    pub(super) fn reserve(&mut self, more: usize, hash: impl Fn(u32) -> u64) {
        // At most three quarters full, so probe runs stay short and a free cell always ends one.
        let need = (self.len + more).saturating_mul(4) / 3 + 1;
        if need <= self.cells.len() {
            return;
        }
        let old = std::mem::replace(
            &mut self.cells,
            vec![EMPTY; need.next_power_of_two().max(16)],
        );
        let mask = self.mask();
        for c in old.into_iter().filter(|c| *c != EMPTY) {
            let h = hash(c & SLOT_MASK);
            let mut i = h as usize & mask;
            while self.cells.get(i).is_some_and(|x| *x != EMPTY) {
                i = (i + 1) & mask;
            }
            if let Some(cell) = self.cells.get_mut(i) {
                *cell = Self::tag(h) | (c & SLOT_MASK);
            }
        }
    }

    pub(super) fn insert(&mut self, h: u64, slot: u32, hash: impl Fn(u32) -> u64) {
        if slot >= SLOT_MASK {
            tracing::error!(slot, "核查索引主体过多，超出代码表容量，主体未按代码入索引");
            return;
        }
        self.reserve(1, hash);
        let mask = self.mask();
        let mut i = h as usize & mask;
        while self.cells.get(i).is_some_and(|x| *x != EMPTY) {
            i = (i + 1) & mask;
        }
        if let Some(cell) = self.cells.get_mut(i) {
            *cell = Self::tag(h) | slot;
            self.len += 1;
        }
    }

    /// Remove `slot` stored under `h`, shifting later cells of its run back (no tombstones).
    pub(super) fn remove(&mut self, h: u64, slot: u32, hash: impl Fn(u32) -> u64) {
        let mask = self.mask();
        let want = Self::tag(h) | slot;
        let mut i = h as usize & mask;
        loop {
            match self.cells.get(i) {
                Some(&c) if c == want => break,
                Some(&c) if c != EMPTY => i = (i + 1) & mask,
                _ => return,
            }
        }
        let mut hole = i;
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let Some(&c) = self.cells.get(j) else { break };
            if c == EMPTY {
                break;
            }
            let home = hash(c & SLOT_MASK) as usize & mask;
            // `c` may fill the hole unless its home lies cyclically in (hole, j].
            let stays = if hole <= j {
                hole < home && home <= j
            } else {
                hole < home || home <= j
            };
            if !stays {
                if let Some(cell) = self.cells.get_mut(hole) {
                    *cell = c;
                }
                hole = j;
            }
        }
        if let Some(cell) = self.cells.get_mut(hole) {
            *cell = EMPTY;
        }
        self.len -= 1;
    }
}
