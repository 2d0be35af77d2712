//! The garbage collector: an object whose controller owner is gone is deleted (background
//! cascading deletion). `kubectl delete --cascade=orphan` strips the owner references first.

use super::controller_uid;
use crate::sim::api::*;
use crate::sim::clock::Millis;
use std::collections::BTreeSet;

pub fn reconcile(store: &mut Store, now: Millis) {
    // Owners first, then what they own: a removed Deployment takes its ReplicaSets, which take
    // their pods; a removed CronJob takes its Jobs, which take theirs.
    let owners = |store: &Store| -> BTreeSet<String> {
        store
            .deployments
            .values()
            .map(|d| d.metadata.uid.clone())
            .chain(store.replicasets.values().map(|r| r.metadata.uid.clone()))
            .chain(store.daemonsets.values().map(|r| r.metadata.uid.clone()))
            .chain(store.statefulsets.values().map(|r| r.metadata.uid.clone()))
            .chain(store.jobs.values().map(|r| r.metadata.uid.clone()))
            .chain(store.cronjobs.values().map(|r| r.metadata.uid.clone()))
            .collect()
    };
    let orphaned = |meta: &ObjectMeta, live: &BTreeSet<String>| {
        controller_uid(meta).is_some_and(|u| !live.contains(u))
    };
    let live = owners(store);
    let sets: Vec<(String, String)> = store
        .replicasets
        .values()
        .filter(|r| orphaned(&r.metadata, &live))
        .map(|r| (r.metadata.namespace.clone(), r.metadata.name.clone()))
        .collect();
    for (ns, name) in sets {
        store.remove::<ReplicaSet>(&ns, &name);
    }
    let jobs: Vec<(String, String)> = store
        .jobs
        .values()
        .filter(|r| orphaned(&r.metadata, &live))
        .map(|r| (r.metadata.namespace.clone(), r.metadata.name.clone()))
        .collect();
    for (ns, name) in jobs {
        store.remove::<Job>(&ns, &name);
    }
    let live = owners(store);
    let pods: Vec<(String, String)> = store
        .pods
        .values()
        .filter(|p| p.metadata.deletion_timestamp.is_none() && orphaned(&p.metadata, &live))
        .map(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()))
        .collect();
    for (ns, name) in pods {
        store.delete_pod(&ns, &name, now, None);
    }
}
