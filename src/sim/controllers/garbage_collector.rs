//! The garbage collector: an object whose controller owner is gone is deleted (background
//! cascading deletion). `kubectl delete --cascade=orphan` strips the owner references first.
//!
//! It works from the watch: a removed owner that still had dependents, or a new dependent whose
//! owner was not found, is queued by uid; what the queue names is looked at, nothing else.

use crate::sim::api::*;
use crate::sim::clock::Millis;

pub fn reconcile(store: &mut Store, now: Millis) {
    // A removed Deployment takes its ReplicaSets, which take their pods: each removal queues the
    // next level, so a few rounds empty the queue (bounded all the same).
    for _ in 0..16 {
        let queue = std::mem::take(&mut store.watch.gc);
        if queue.is_empty() {
            return;
        }
        for uid in queue {
            let doomed: Vec<ObjRef> = if let Some(obj) = store.watch.object(&uid) {
                // A dependent written with an owner that did not exist: still without one?
                match store.watch.owner_of(&uid) {
                    Some(owner) if store.watch.object(owner).is_none() => vec![obj.clone()],
                    _ => Vec::new(),
                }
            } else {
                store.watch.dependents(&uid).cloned().collect()
            };
            for obj in doomed {
                delete(store, &obj, now);
            }
        }
    }
}

fn delete(store: &mut Store, obj: &ObjRef, now: Millis) {
    let (ns, name) = (&*obj.namespace, &*obj.name);
    match obj.kind.as_ref() {
        "Pod" => {
            store.delete_pod(ns, name, now, None);
        }
        "ReplicaSet" => drop(store.remove::<ReplicaSet>(ns, name)),
        "Job" => drop(store.remove::<Job>(ns, name)),
        "Deployment" => drop(store.remove::<Deployment>(ns, name)),
        "StatefulSet" => drop(store.remove::<StatefulSet>(ns, name)),
        "DaemonSet" => drop(store.remove::<DaemonSet>(ns, name)),
        "CronJob" => drop(store.remove::<CronJob>(ns, name)),
        "EndpointSlice" => drop(store.remove::<EndpointSlice>(ns, name)),
        "Endpoints" => drop(store.remove::<Endpoints>(ns, name)),
        "Service" => drop(store.remove::<Service>(ns, name)),
        // A stored-only object (a ConfigMap, a custom resource…): its kind is its resource.
        resource => drop(store.remove_unstructured(resource, ns, name)),
    }
}
