//! Stable sorting through one instantiation of the standard library's sort.
//!
//! `slice::sort_by` is generic over the element and the comparison: every call site with its
//! own closure or element type gets its own copy of the standard library's driftsort (about
//! 2-4 KB of wasm each; 220 KB of the page's wasm was sort code). These helpers sort a list of
//! indices instead, with the comparison behind a `dyn` reference, so the sort itself exists
//! once; what each call site adds is a small loop that moves the elements into place.
//!
//! The result is exactly the standard stable sort's: indices of equal elements keep their
//! order, so equal elements keep theirs. Meant for the short lists the engine and kubectl sort
//! (a table's rows, a Service's addresses), not for hot loops over large slices.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Sort `v` stably by `cmp`, as `v.sort_by(cmp)` would.
pub fn by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let order = {
        let items: &[T] = v;
        permutation(v.len(), &mut |a, b| cmp(&items[a], &items[b]))
    };
    apply(v, order);
}

/// Sort `v` stably by a key, as `v.sort_by_key(key)` would.
pub fn by_key<T, K: Ord>(v: &mut [T], mut key: impl FnMut(&T) -> K) {
    by(v, |a, b| key(a).cmp(&key(b)))
}

/// Sort `v` stably in its natural order, as `v.sort()` would.
pub fn natural<T: Ord>(v: &mut [T]) {
    by(v, |a, b| a.cmp(b))
}

/// `items.collect::<BTreeMap<_, _>>()` without a sort: the standard `from_iter` sorts its
/// input with a copy of the sort for every iterator type it is given. Inserting one by one
/// gives the same map (of equal keys, the last value stays, as `from_iter` keeps it).
pub fn map_of<K: Ord, V>(items: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in items {
        map.insert(k, v);
    }
    map
}

/// The positions of `0..n` in sorted order: the one place the standard sort is instantiated.
#[inline(never)]
fn permutation(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|a, b| cmp(*a, *b));
    order
}

/// Move the elements so that position `i` holds the element that was at `order[i]`.
fn apply<T>(v: &mut [T], mut order: Vec<usize>) {
    // Follow each cycle of the permutation, swapping elements into place; `order[i] == i`
    // marks a position that is done.
    for start in 0..order.len() {
        let mut i = start;
        while order[i] != start {
            let next = order[i];
            v.swap(i, next);
            order[i] = i;
            i = next;
        }
        order[i] = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::rng::Rng;

    #[test]
    fn the_same_order_as_the_standard_stable_sort() {
        let mut rng = Rng::new(7);
        for len in 0..80 {
            // Few distinct keys, so stability is tested: the second field tells equal keys apart.
            let v: Vec<(u64, usize)> = (0..len).map(|i| (rng.next_u64() % 5, i)).collect();
            let mut ours = v.clone();
            let mut std = v.clone();
            by_key(&mut ours, |e| e.0);
            std.sort_by_key(|e| e.0);
            assert_eq!(ours, std, "len {len}");
            let mut ours = v.clone();
            let mut std = v;
            // A comparison that is not a key's, as sort_by is given.
            let cmp = |a: &(u64, usize), b: &(u64, usize)| b.0.cmp(&a.0);
            by(&mut ours, cmp);
            std.sort_by(cmp);
            assert_eq!(ours, std, "len {len}, reversed");
        }
        let pairs = [(2, "a"), (1, "b"), (2, "c"), (0, "d"), (1, "e")];
        assert_eq!(map_of(pairs), pairs.into_iter().collect::<BTreeMap<_, _>>());
        let mut words = vec!["b".to_string(), "a".into(), "c".into(), "a".into()];
        natural(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }
}
