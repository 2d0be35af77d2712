//! The garbage collector: an object whose controller owner is gone is deleted (background
//! cascading deletion). `kubectl delete --cascade=orphan` strips the owner references first.

use super::controller_uid;
use crate::sim::api::*;
use crate::sim::clock::Millis;
use std::collections::BTreeSet;

pub fn reconcile(store: &mut Store, now: Millis) {
    let live: BTreeSet<String> = store
        .deployments
        .values()
        .map(|d| d.metadata.uid.clone())
        .chain(store.replicasets.values().map(|r| r.metadata.uid.clone()))
        .collect();
    let orphan_sets: Vec<(String, String)> = store
        .replicasets
        .values()
        .filter(|r| controller_uid(&r.metadata).is_some_and(|u| !live.contains(u)))
        .map(|r| (r.metadata.namespace.clone(), r.metadata.name.clone()))
        .collect();
    for (ns, name) in orphan_sets {
        store.remove::<ReplicaSet>(&ns, &name);
    }
    let live: BTreeSet<String> = store
        .replicasets
        .values()
        .map(|r| r.metadata.uid.clone())
        .collect();
    let orphan_pods: Vec<(String, String)> = store
        .pods
        .values()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.metadata.owner_references.iter().any(|r| {
                r.controller == Some(true) && r.kind == "ReplicaSet" && !live.contains(&r.uid)
            })
        })
        .map(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()))
        .collect();
    for (ns, name) in orphan_pods {
        store.delete_pod(&ns, &name, now, None);
    }
}
