//! Controllers: independent, level-triggered loops. Each compares what the objects ask for with
//! what exists and acts; none of them remembers anything between passes that the store does not.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod garbage_collector;
pub mod job;
pub mod node_lifecycle;
pub mod replicaset;
pub mod statefulset;
pub mod volume;

use super::api::{Condition, ObjectMeta, OwnerReference, Pod, Time};
use super::clock::{secs, Millis};

/// The owner reference a controller puts on what it creates.
pub fn controller_ref(api_version: &str, kind: &str, meta: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: meta.name.clone(),
        uid: meta.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The uid of the object's controller, if it has one.
pub fn controller_uid(meta: &ObjectMeta) -> Option<&str> {
    meta.owner_references
        .iter()
        .find(|r| r.controller == Some(true))
        .map(|r| r.uid.as_str())
}

/// Ready, and has been for `min_ready_seconds` (what counts as "available").
pub fn pod_available(pod: &Pod, min_ready_seconds: i64, now: Millis) -> bool {
    let Some(ready) = pod_ready_condition(pod) else {
        return false;
    };
    if ready.status != "True" {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let since = ready
        .last_transition_time
        .as_ref()
        .and_then(Time::millis)
        .unwrap_or(now);
    now >= since.saturating_add(secs(min_ready_seconds))
}

pub fn pod_ready(pod: &Pod) -> bool {
    pod_ready_condition(pod).is_some_and(|c| c.status == "True")
}

fn pod_ready_condition(pod: &Pod) -> Option<&Condition> {
    if pod.metadata.deletion_timestamp.is_some() {
        return None;
    }
    pod.status.conditions.iter().find(|c| c.type_ == "Ready")
}

/// FNV-32a, as Kubernetes hashes pod templates.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `rand.SafeEncodeString`: each character mapped into the no-vowel alphabet (fact 2).
pub fn safe_encode(s: &str) -> String {
    let alphabet = super::rng::NAME_ALPHABET;
    s.bytes()
        .map(|b| alphabet[b as usize % alphabet.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fact 2: the hash is the decimal FNV value encoded in the no-vowel alphabet, 9-10 characters.
    #[test]
    fn template_hashes_look_like_kubernetes() {
        let h = safe_encode(&fnv32a(b"template").to_string());
        assert!((9..=10).contains(&h.len()) || h.len() < 9, "{h}");
        assert!(h
            .bytes()
            .all(|c| super::super::rng::NAME_ALPHABET.contains(&c)));
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
    }
}
