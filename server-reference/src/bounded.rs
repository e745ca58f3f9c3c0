//! Memory tables bounded by entry count and by bytes.
//!
//! Sessions, parked authorization requests, one-time-code steps and password
//! throttle counters are kept in memory, and some of them are created by
//! unauthenticated requests. A count alone does not bound memory when entries
//! carry client-chosen strings, so each table also counts the bytes of its
//! entries: their inline size plus the heap bytes of their strings (the
//! `HashMap`'s spare capacity comes on top, at most about as much again).
//!
//! A full table refuses new entries ([`Full`]) instead of evicting old ones:
//! eviction would let a flood of requests push out other users' sessions or
//! parked requests, and reset the brute-force counters it is meant to keep.
//! Expired entries are swept first; sweeps run at most once per
//! [`SWEEP_INTERVAL_MS`] and only when an entry can have expired, so a flood
//! against a full table does not cost a scan per request.

use std::collections::HashMap;
use std::hash::Hash;

use crate::crypto::TokenHash;
use crate::model::Millis;

/// Minimum time between two sweeps of one table.
pub const SWEEP_INTERVAL_MS: Millis = 1_000;
/// Below this many entries, a table is not swept on insert (it is small anyway).
const SWEEP_ABOVE: usize = 1024;
/// The longest a sweep is put off, even when every entry looked long-lived.
const MAX_SWEEP_DELAY_MS: Millis = 60_000;

/// The table is at its bound: answer `temporarily_unavailable` / 503.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// A table's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: usize,
    pub max_bytes: usize,
}

/// Heap bytes owned by a key or value (strings counted by length).
pub trait HeapSize {
    fn heap_bytes(&self) -> usize;
}

impl HeapSize for String {
    fn heap_bytes(&self) -> usize {
        self.len()
    }
}

impl<T: HeapSize> HeapSize for Option<T> {
    fn heap_bytes(&self) -> usize {
        self.as_ref().map_or(0, HeapSize::heap_bytes)
    }
}

impl HeapSize for TokenHash {
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl HeapSize for u64 {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// A `HashMap` that refuses new entries past its [`Limits`].
///
/// Values may be changed in place ([`Self::get_mut`]) but not in heap size: the
/// byte count is computed on insert and on removal.
#[derive(Debug)]
pub struct BoundedMap<K, V> {
    map: HashMap<K, V>,
    bytes: usize,
    limits: Limits,
    /// When the entry is no longer needed (`Millis::MAX`: not yet).
    expires_at: fn(&V) -> Millis,
    /// No sweep before this time.
    next_sweep: Millis,
}

impl<K: Hash + Eq + HeapSize, V: HeapSize> BoundedMap<K, V> {
    pub fn new(limits: Limits, expires_at: fn(&V) -> Millis) -> Self {
        Self {
            map: HashMap::new(),
            bytes: 0,
            limits,
            expires_at,
            next_sweep: 0,
        }
    }

    /// What one entry counts for.
    pub fn cost(key: &K, value: &V) -> usize {
        // One control byte per bucket in std's (SwissTable) map.
        std::mem::size_of::<(K, V)>() + 1 + key.heap_bytes() + value.heap_bytes()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The bytes counted for the entries held now.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.map.get(key)
    }

    /// A value to change in place, without changing its heap size.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.map.contains_key(key)
    }

    /// Inserts or replaces; refuses a new entry (or a larger replacement) that
    /// would pass the limits, after sweeping expired entries if one is due.
    pub fn insert(&mut self, key: K, value: V, now: Millis) -> Result<(), Full> {
        let cost = Self::cost(&key, &value);
        let old = self.map.get(&key).map_or(0, |v| Self::cost(&key, v));
        let new_entry = old == 0;
        let fits = |m: &Self| {
            (!new_entry || m.map.len() < m.limits.max_entries)
                && m.bytes - old + cost <= m.limits.max_bytes
        };
        if self.map.len() > SWEEP_ABOVE || !fits(self) {
            self.sweep(now);
        }
        if !fits(self) {
            return Err(Full);
        }
        // Recomputed: the sweep may have removed the old entry.
        let old = self.map.get(&key).map_or(0, |v| Self::cost(&key, v));
        self.bytes = self.bytes - old + cost;
        self.map.insert(key, value);
        Ok(())
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let value = self.map.remove(key)?;
        self.bytes -= Self::cost(key, &value);
        Some(value)
    }

    /// Drops expired entries, if a sweep is due at `now`.
    pub fn sweep(&mut self, now: Millis) {
        if now < self.next_sweep {
            return;
        }
        let expires_at = self.expires_at;
        let mut freed = 0;
        let mut earliest = Millis::MAX;
        self.map.retain(|k, v| {
            let at = expires_at(v);
            if at > now {
                earliest = earliest.min(at);
                true
            } else {
                freed += Self::cost(k, v);
                false
            }
        });
        self.bytes -= freed;
        // Entries only get later expiries (constant lifetimes, forward clock),
        // so nothing expires before `earliest`; the throttle's counters can
        // expire earlier once their last attempt ends, hence the cap.
        self.next_sweep = earliest.clamp(
            now.saturating_add(SWEEP_INTERVAL_MS),
            now.saturating_add(MAX_SWEEP_DELAY_MS),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max_entries: usize, max_bytes: usize) -> BoundedMap<String, u64> {
        BoundedMap::new(
            Limits {
                max_entries,
                max_bytes,
            },
            |exp| *exp,
        )
    }

    #[test]
    fn bytes_are_counted_and_bounded() {
        let mut t = table(100, 1_000);
        let one = BoundedMap::<String, u64>::cost(&"k".repeat(100), &0);
        assert_eq!(one, std::mem::size_of::<(String, u64)>() + 1 + 100);
        let mut inserted = 0;
        while t.insert(format!("{inserted:0>100}"), u64::MAX, 0).is_ok() {
            inserted += 1;
        }
        assert_eq!(inserted, 1_000 / one, "refused at the byte bound");
        assert!(t.bytes() <= 1_000);
        assert_eq!(t.bytes(), inserted * one);
        // A replacement of the same size still fits; a removal makes room.
        assert!(t.insert(format!("{:0>100}", 0), 5, 0).is_ok());
        assert!(t.remove(&format!("{:0>100}", 1)).is_some());
        assert_eq!(t.bytes(), (inserted - 1) * one);
        assert!(t.insert("x".repeat(100), u64::MAX, 0).is_ok());
    }

    #[test]
    fn entries_are_bounded_and_expired_ones_make_room() {
        let mut t = table(3, usize::MAX);
        for (k, exp) in [("a", 10), ("b", 20), ("c", 30)] {
            t.insert(k.into(), exp, 0).unwrap();
        }
        assert_eq!(t.insert("d".into(), 40, 5), Err(Full), "nothing expired");
        // At 15 "a" has expired, but the sweep at 5 put the next one off.
        assert_eq!(t.insert("d".into(), 40, 15), Err(Full));
        assert_eq!(t.insert("d".into(), 40, 5 + SWEEP_INTERVAL_MS), Ok(()));
        assert_eq!(t.len(), 1, "a, b and c had all expired");
        assert_eq!(t.bytes(), BoundedMap::<String, u64>::cost(&"d".into(), &40));
    }
}
