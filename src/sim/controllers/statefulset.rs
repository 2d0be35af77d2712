//! The StatefulSet controller: pods with stable names `<set>-<ordinal>`, created in order and
//! each only after its predecessors are Running and Ready (OrderedReady), removed in reverse;
//! or all at once (Parallel) (fact 36). Rolling updates go from the largest ordinal down, one at
//! a time, honouring `partition` (fact 37). Pods get a hostname and the governing Service as
//! subdomain (fact 38). volumeClaimTemplates are kept but no claims are made yet.

use super::{controller_ref, fnv32a, pod_available, pod_ready, safe_encode};
use crate::sim::api::*;
use crate::sim::clock::Millis;
use crate::sim::rng::Rng;

const SOURCE: &str = "statefulset-controller";
pub const REVISION_LABEL: &str = "controller-revision-hash";

fn revision(sts: &StatefulSet) -> String {
    let json = serde_json::to_string(&sts.spec.template).unwrap_or_default();
    format!(
        "{}-{}",
        sts.metadata.name,
        safe_encode(&fnv32a(json.as_bytes()).to_string())
    )
}

fn ordinal(sts: &StatefulSet, pod: &str) -> Option<i64> {
    pod.strip_prefix(&format!("{}-", sts.metadata.name))?
        .parse()
        .ok()
}

fn new_pod(sts: &StatefulSet, ordinal: i64, rev: &str) -> Pod {
    let name = format!("{}-{ordinal}", sts.metadata.name);
    let t = &sts.spec.template;
    let mut labels = t.metadata.labels.clone();
    labels.insert("statefulset.kubernetes.io/pod-name".into(), name.clone());
    labels.insert("apps.kubernetes.io/pod-index".into(), ordinal.to_string());
    labels.insert(REVISION_LABEL.into(), rev.to_string());
    let mut spec = t.spec.clone();
    spec.hostname = name.clone();
    if !sts.spec.service_name.is_empty() {
        spec.subdomain = sts.spec.service_name.clone();
    }
    Pod {
        api_version: "v1".into(),
        kind: "Pod".into(),
        metadata: ObjectMeta {
            name,
            namespace: sts.metadata.namespace.clone(),
            labels,
            annotations: t.metadata.annotations.clone(),
            owner_references: vec![controller_ref("apps/v1", "StatefulSet", &sts.metadata)],
            ..Default::default()
        },
        spec,
        status: PodStatus::default(),
    }
}

/// Sync one StatefulSet; returns when it wants to look again.
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let sts = store.statefulsets.get(&key.0, &key.1)?.clone();
    if sts.metadata.deletion_timestamp.is_some() {
        return None;
    }
    {
        sync(store, &sts, now, rng);
    }
    let _ = (store, now);
    None
}

fn sync(store: &mut Store, sts: &StatefulSet, now: Millis, rng: &mut Rng) {
    let ns = sts.metadata.namespace.clone();
    let name = sts.metadata.name.clone();
    let replicas = sts.spec.replicas.unwrap_or(1).max(0);
    let start = sts
        .spec
        .ordinals
        .as_ref()
        .map(|o| o.start)
        .unwrap_or(0)
        .max(0);
    let parallel = sts.spec.pod_management_policy == "Parallel";
    let rev = revision(sts);
    // (ordinal, name, ready, terminating, revision)
    let mut pods: Vec<(i64, String, bool, bool, String)> = store
        .owned::<Pod>(&sts.metadata.uid)
        .filter_map(|p| {
            Some((
                ordinal(sts, &p.metadata.name)?,
                p.metadata.name.clone(),
                pod_ready(p),
                p.metadata.deletion_timestamp.is_some(),
                p.metadata
                    .labels
                    .get(REVISION_LABEL)
                    .cloned()
                    .unwrap_or_default(),
            ))
        })
        .collect();
    pods.sort();
    let wanted = start..start + replicas;
    let exists = |o: i64| pods.iter().any(|p| p.0 == o);
    let event = |store: &mut Store, reason: &'static str, msg: String| {
        store.record_event(
            now,
            &ns,
            "StatefulSet",
            &name,
            "Normal",
            reason,
            SOURCE,
            msg,
        );
    };
    // Create missing pods, in order.
    for o in wanted.clone() {
        if exists(o) {
            let p = pods.iter().find(|p| p.0 == o);
            if !parallel && p.is_some_and(|p| !p.2 || p.3) {
                break; // wait for this one to be Running and Ready
            }
            continue;
        }
        let pod = new_pod(sts, o, &rev);
        let pod_name = pod.metadata.name.clone();
        match store.create_named(pod, now, rng) {
            Ok(_) => event(
                store,
                "SuccessfulCreate",
                format!("create Pod {pod_name} in StatefulSet {name} successful"),
            ),
            Err(e) => {
                store.record_event(
                    now,
                    &ns,
                    "StatefulSet",
                    &name,
                    "Warning",
                    "FailedCreate",
                    SOURCE,
                    format!(
                        "create Pod {pod_name} in StatefulSet {name} failed error: {}",
                        e.message()
                    ),
                );
                break;
            }
        }
        if !parallel {
            break;
        }
    }
    // Remove pods beyond the replica count, highest ordinal first.
    let all_ready = pods
        .iter()
        .filter(|p| wanted.contains(&p.0))
        .all(|p| p.2 && !p.3);
    let mut excess: Vec<&(i64, String, bool, bool, String)> =
        pods.iter().filter(|p| !wanted.contains(&p.0)).collect();
    excess.sort_by_key(|p| std::cmp::Reverse(p.0));
    for p in excess {
        if p.3 {
            if !parallel {
                break; // wait until it is gone
            }
            continue;
        }
        if !parallel && !all_ready {
            break;
        }
        store.delete_pod(&ns, &p.1, now, None);
        event(
            store,
            "SuccessfulDelete",
            format!("delete Pod {} in StatefulSet {name} successful", p.1),
        );
        if !parallel {
            break;
        }
    }
    // Rolling update: largest ordinal first, one at a time, down to the partition.
    let rolling = sts
        .spec
        .update_strategy
        .as_ref()
        .is_none_or(|s| s.type_ == "RollingUpdate");
    let partition = sts
        .spec
        .update_strategy
        .as_ref()
        .and_then(|s| s.rolling_update.as_ref())
        .and_then(|r| r.partition)
        .unwrap_or(0);
    let in_set: Vec<&(i64, String, bool, bool, String)> =
        pods.iter().filter(|p| wanted.contains(&p.0)).collect();
    if rolling && in_set.len() as i64 == replicas && in_set.iter().all(|p| p.2 && !p.3) {
        if let Some(p) = in_set
            .iter()
            .rev()
            .find(|p| p.0 >= start + partition && p.4 != rev)
        {
            store.delete_pod(&ns, &p.1, now, None);
            event(
                store,
                "SuccessfulDelete",
                format!("delete Pod {} in StatefulSet {name} successful", p.1),
            );
        }
    }
    // Status.
    let min_ready = sts.spec.min_ready_seconds.unwrap_or(0);
    let live: Vec<&Pod> = store
        .owned::<Pod>(&sts.metadata.uid)
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .collect();
    let updated = live
        .iter()
        .filter(|p| p.metadata.labels.get(REVISION_LABEL) == Some(&rev))
        .count() as i64;
    let status = StatefulSetStatus {
        replicas: live.len() as i64,
        ready_replicas: live.iter().filter(|p| pod_ready(p)).count() as i64,
        current_replicas: if updated == live.len() as i64 {
            updated
        } else {
            live.len() as i64 - updated
        },
        updated_replicas: updated,
        available_replicas: live
            .iter()
            .filter(|p| pod_available(p, min_ready, now))
            .count() as i64,
        current_revision: if updated == live.len() as i64 {
            rev.clone()
        } else {
            sts.status.current_revision.clone()
        },
        update_revision: rev,
        observed_generation: sts.metadata.generation,
    };
    if store
        .statefulsets
        .get(&ns, &name)
        .is_some_and(|cur| cur.status != status)
    {
        store.modify(&ns, &name, |x: &mut StatefulSet| x.status = status);
    }
}
