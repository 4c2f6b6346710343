//! A map that remembers which keys were written since it was last asked.
//!
//! Persistence writes only what a request changed. Rather than trusting
//! every service to report its writes (one forgotten call would lose data
//! on restart), the maps of state that persistence splits into records
//! are `Tracked`: reading goes through `Deref` to the plain `BTreeMap`,
//! and every way to change an entry is a method here that notes its key,
//! so the compiler finds every write.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;

/// A `BTreeMap` that records the keys written since the last [`Tracked::take_touched`].
#[derive(Debug, Clone)]
pub struct Tracked<K: Ord + Clone, V> {
    map: BTreeMap<K, V>,
    touched: BTreeSet<K>,
}

impl<K: Ord + Clone, V> Default for Tracked<K, V> {
    fn default() -> Self {
        Tracked {
            map: BTreeMap::new(),
            touched: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Clone, V> Deref for Tracked<K, V> {
    type Target = BTreeMap<K, V>;

    fn deref(&self) -> &BTreeMap<K, V> {
        &self.map
    }
}

impl<K: Ord + Clone, V> Tracked<K, V> {
    /// A map holding `map`, with nothing touched (as loaded from disk).
    pub fn from_map(map: BTreeMap<K, V>) -> Self {
        Tracked {
            map,
            touched: BTreeSet::new(),
        }
    }

    /// The entry for writing; its key counts as written.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let k = self.map.get_key_value(key)?.0.clone();
        self.touched.insert(k);
        self.map.get_mut(key)
    }

    /// The entry for writing without counting it as written: only for
    /// bookkeeping that may be lost in a crash and must not cost a disk
    /// write per request (when an access key was last used). It is saved
    /// with the entry's next real write, or at shutdown.
    pub fn get_mut_quietly<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.get_mut(key)
    }

    /// Counts every entry as written (a final save).
    pub fn touch_all(&mut self) {
        self.touched.extend(self.map.keys().cloned());
    }

    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.touched.insert(key.clone());
        self.map.insert(key, value)
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        let (k, v) = self.map.remove_entry(key)?;
        self.touched.insert(k);
        Some(v)
    }

    /// The entry for `key`, created by `make` when missing; written either way.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        self.touched.insert(key.clone());
        self.map.entry(key).or_insert_with(make)
    }

    /// Keeps the entries `keep` accepts; the others count as written.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        let touched = &mut self.touched;
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                touched.insert(k.clone());
            }
            kept
        });
    }

    /// Removes everything; every key that was there counts as written.
    pub fn clear(&mut self) {
        self.touched.extend(self.map.keys().cloned());
        self.map.clear();
    }

    /// Every value, for writing; every key counts as written.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.touched.extend(self.map.keys().cloned());
        self.map.values_mut()
    }

    /// Counts `key` as written again (its write did not reach the disk).
    pub fn touch(&mut self, key: K) {
        self.touched.insert(key);
    }

    /// The keys written since the last call, and forgets them.
    pub fn take_touched(&mut self) -> BTreeSet<K> {
        std::mem::take(&mut self.touched)
    }

    /// Whether anything was written since the last [`Tracked::take_touched`].
    pub fn is_touched(&self) -> bool {
        !self.touched.is_empty()
    }
}

/// Serialized as the plain map; nothing counts as touched after loading.
impl<K: Ord + Clone + Serialize, V: Serialize> Serialize for Tracked<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, K: Ord + Clone + Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for Tracked<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Tracked::from_map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touched(map: &mut Tracked<String, u32>) -> Vec<String> {
        map.take_touched().into_iter().collect()
    }

    #[test]
    fn every_write_is_noted_and_reads_are_not() {
        let mut map = Tracked::default();
        map.insert("a".to_string(), 1);
        map.insert("b".to_string(), 2);
        assert_eq!(touched(&mut map), ["a", "b"]);
        assert_eq!(map.get("a"), Some(&1));
        assert!(!map.is_touched());
        *map.get_mut("b").unwrap() = 3;
        map.remove("a");
        map.remove("missing");
        assert_eq!(touched(&mut map), ["a", "b"]);
        map.insert("c".to_string(), 4);
        map.take_touched();
        map.retain(|_, v| *v > 3);
        assert_eq!(touched(&mut map), ["b"]);
        map.clear();
        assert_eq!(touched(&mut map), ["c"]);
    }
}
