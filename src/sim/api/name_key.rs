//! `NameKey`: an object's name as a B-tree key, kept inline when it is short.
//!
//! The store's tables are B-trees by name, and the names of a workload's pods share a long
//! prefix (`web-0001-5d8f9c7b6d-x4k2p`): each lookup compares the name with about 17 keys,
//! and with `String` keys each of those comparisons first follows a pointer to a separate
//! allocation. A `NameKey` holds names up to [`INLINE`] bytes in the B-tree node itself (one
//! allocation fewer per object, and the keys a lookup compares sit together in memory); longer
//! names go to the heap. It orders as the name's bytes, which is how `str` orders, so walks
//! over a table are in the same order as before.

use std::borrow::Borrow;
use std::cmp::Ordering;

/// Names up to this many bytes are kept inline (Kubernetes names are at most 253; a
/// Deployment's pods are named `<deployment>-<10-character hash>-<5 characters>`, so a
/// Deployment name of up to 13 characters gives pod names that fit).
pub const INLINE: usize = 30;

#[derive(Clone)]
pub enum NameKey {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl NameKey {
    pub fn new(name: &str) -> NameKey {
        let b = name.as_bytes();
        if b.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..b.len()].copy_from_slice(b);
            NameKey::Inline {
                len: b.len() as u8,
                bytes,
            }
        } else {
            NameKey::Heap(b.into())
        }
    }

    /// A key to look `name` up with: itself when it fits inline (compared by words, see
    /// `Ord`), None when it does not (look it up by its bytes instead: no allocation).
    pub fn query(name: &str) -> Option<NameKey> {
        (name.len() <= INLINE).then(|| NameKey::new(name))
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            NameKey::Inline { len, bytes } => &bytes[..(*len as usize).min(INLINE)],
            NameKey::Heap(b) => b,
        }
    }

    /// The name (always valid UTF-8: it was made from a `&str`).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl PartialEq for NameKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for NameKey {}

impl PartialOrd for NameKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NameKey {
    /// As the bytes order. Two inline names are compared as their zero-padded arrays, eight
    /// bytes at a time, then by length: the same order (where one is a prefix of the other,
    /// the longer one's next bytes are either above the padding's zeros or, all zero, leave
    /// the length to decide), without a call to `memcmp` for each of a lookup's comparisons.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (NameKey::Inline { len: a, bytes: x }, NameKey::Inline { len: b, bytes: y }) => {
                words(x).cmp(&words(y)).then(a.cmp(b))
            }
            _ => self.as_bytes().cmp(other.as_bytes()),
        }
    }
}

/// An inline name's bytes as four big-endian words (the last two bytes zero), which order as
/// the bytes do.
fn words(b: &[u8; INLINE]) -> [u64; 4] {
    let word = |i: usize| {
        let mut w = [0u8; 8];
        let end = (i + 8).min(INLINE);
        w[..end - i].copy_from_slice(&b[i..end]);
        u64::from_be_bytes(w)
    };
    [word(0), word(8), word(16), word(24)]
}

/// Hashes as its bytes do (`[u8]`), so a hash map keyed by `NameKey` is looked up by bytes.
impl std::hash::Hash for NameKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl Borrow<[u8]> for NameKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl std::fmt::Debug for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn orders_as_str_inline_or_not() {
        let long = "a".repeat(INLINE + 5);
        let names = [
            "web-0001-5d8f9c7b6d-x4k2p",
            "web-0001-5d8f9c7b6d-x4k2",
            "",
            "é-unicode",
            "a",
            "a\0",
            "a\0b",
            "a\0\0",
            "ab",
            long.as_str(),
            "b",
            &long[..INLINE],
            &long[..INLINE + 1],
        ];
        let mut by_str: Vec<&str> = names.to_vec();
        by_str.sort();
        let mut by_key: Vec<NameKey> = names.iter().map(|n| NameKey::new(n)).collect();
        by_key.sort();
        let back: Vec<&str> = by_key.iter().map(NameKey::as_str).collect();
        assert_eq!(back, by_str);
        assert!(matches!(
            NameKey::new(&long[..INLINE]),
            NameKey::Inline { .. }
        ));
        assert!(matches!(NameKey::new(&long), NameKey::Heap(_)));
    }

    #[test]
    fn looks_up_by_query_or_bytes() {
        let mut m: BTreeMap<NameKey, u32> = BTreeMap::new();
        for (i, n) in ["web-1", "web-10", "web-2", "x"].iter().enumerate() {
            m.insert(NameKey::new(n), i as u32);
        }
        let long = "y".repeat(INLINE + 1);
        assert_eq!(NameKey::query(&long).map(|k| m.get(&k).copied()), None);
        assert_eq!(m.get(&NameKey::query("web-10").unwrap()), Some(&1));
        assert_eq!(m.get(&NameKey::query("web-3").unwrap()), None);
    }

    #[test]
    fn looks_up_by_bytes() {
        let mut m: BTreeMap<NameKey, u32> = BTreeMap::new();
        let long = "x".repeat(100);
        m.insert(NameKey::new("a"), 1);
        m.insert(NameKey::new(&long), 2);
        assert_eq!(m.get("a".as_bytes()), Some(&1));
        assert_eq!(m.get(long.as_bytes()), Some(&2));
        assert_eq!(m.get("b".as_bytes()), None);
    }
}
