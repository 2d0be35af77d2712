//! The StatefulSet controller: pods with stable names `<set>-<ordinal>`, created in order and
//! each only after its predecessors are Running and Ready (OrderedReady), removed in reverse;
//! or all at once (Parallel) (fact 36). Rolling updates go from the largest ordinal down, one at
//! a time, honouring `partition` (fact 37). Pods get a hostname and the governing Service as
//! subdomain (fact 38). Each volumeClaimTemplate gives every pod a claim
//! `<template>-<set>-<ordinal>` made before the pod (fact 4: `www-web-0`), with the template's
//! labels and the selector's; the claims outlive the pods and the set
//! (`persistentVolumeClaimRetentionPolicy` Retain) unless the policy says Delete, and a pod made
//! again mounts its ordinal's claim again.

use super::{controller_ref, fnv32a, pod_available, pod_ready, safe_encode};
use crate::sim::api::storage;
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
    // Each claim template becomes the pod's volume of that name (replacing one so named).
    for (template, claim) in claim_names(sts, ordinal) {
        spec.volumes.retain(|v| v.name != template);
        spec.volumes.push(crate::sim::api::volumes::Volume {
            name: template,
            persistent_volume_claim: Some(crate::sim::api::volumes::ClaimSource {
                claim_name: claim,
                read_only: None,
            }),
            ..Default::default()
        });
    }
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
            owner_references: vec![controller_ref("apps/v1", "StatefulSet", &sts.metadata)].into(),
            ..Default::default()
        },
        spec,
        status: PodStatus::default(),
    }
}

/// (template name, claim name) of each volumeClaimTemplate for an ordinal (fact 4).
fn claim_names(sts: &StatefulSet, ordinal: i64) -> Vec<(String, String)> {
    sts.spec
        .volume_claim_templates
        .iter()
        .filter_map(|t| t.get("metadata")?.get("name")?.as_str())
        .map(|t| {
            (
                t.to_string(),
                format!("{t}-{}-{ordinal}", sts.metadata.name),
            )
        })
        .collect()
}

/// `persistentVolumeClaimRetentionPolicy.<field>` is Delete (the default is Retain).
fn retention_deletes(sts: &StatefulSet, field: &str) -> bool {
    sts.spec
        .persistent_volume_claim_retention_policy
        .as_ref()
        .and_then(|p| p.get(field))
        .and_then(Raw::as_str)
        == Some("Delete")
}

/// Make the claims of an ordinal that do not exist yet, as the controller does before the pod.
/// A claim the set's deletion should take (`whenDeleted: Delete`) is owned by the set. False
/// when one could not be made (the pod waits).
fn create_claims(
    store: &mut Store,
    sts: &StatefulSet,
    ordinal: i64,
    pod_name: &str,
    now: Millis,
    rng: &mut Rng,
) -> bool {
    let ns = sts.metadata.namespace.clone();
    let set = sts.metadata.name.clone();
    let Some(info) = store.kinds().by_kind("PersistentVolumeClaim", "v1") else {
        return true;
    };
    for (t, (_, claim_name)) in sts
        .spec
        .volume_claim_templates
        .iter()
        .zip(claim_names(sts, ordinal))
    {
        if store
            .get_unstructured(storage::PVC, &ns, &claim_name)
            .is_some()
        {
            continue;
        }
        let meta = t.get("metadata");
        let map = |key: &str| -> std::collections::BTreeMap<String, String> {
            meta.and_then(|m| m.get(key))
                .and_then(Raw::as_mapping)
                .map(|m| {
                    crate::sim::sort::map_of(m.iter().filter_map(|(k, v)| {
                        Some((k.as_str()?.to_string(), storage::value_text(v)))
                    }))
                })
                .unwrap_or_default()
        };
        let mut labels: Labels = map("labels");
        if let Some(sel) = &sts.spec.selector {
            for (k, v) in sel.match_labels.iter() {
                labels.insert(k.clone(), v.clone());
            }
        }
        let mut rest = serde_yaml::Mapping::new();
        if let Some(spec) = t.get("spec") {
            rest.insert("spec".into(), spec.clone());
        }
        let owner_references = if retention_deletes(sts, "whenDeleted") {
            vec![controller_ref("apps/v1", "StatefulSet", &sts.metadata)]
        } else {
            Vec::new()
        };
        let claim = Unstructured {
            api_version: "v1".into(),
            kind: "PersistentVolumeClaim".into(),
            metadata: ObjectMeta {
                name: claim_name.clone(),
                namespace: ns.clone(),
                labels: labels.into(),
                annotations: map("annotations"),
                owner_references: owner_references.into(),
                ..Default::default()
            },
            rest,
        };
        match store.create_unstructured(&info, claim, now, rng) {
            Ok(_) => store.record_event(
                now,
                &ns,
                "StatefulSet",
                &set,
                "Normal",
                "SuccessfulCreate",
                SOURCE,
                format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {set} success"),
            ),
            Err(e) => {
                store.record_event(
                    now,
                    &ns,
                    "StatefulSet",
                    &set,
                    "Warning",
                    "FailedCreate",
                    SOURCE,
                    format!(
                        "create Claim {claim_name} for Pod {pod_name} in StatefulSet {set} failed error: {}",
                        e.message()
                    ),
                );
                return false;
            }
        }
    }
    true
}

/// Scaling down with `whenScaled: Delete`: the condemned pod's claims become its dependents,
/// so they go with it (the garbage collector).
fn hand_claims_to_pod(store: &mut Store, sts: &StatefulSet, ordinal: i64, pod_name: &str) {
    if !retention_deletes(sts, "whenScaled") {
        return;
    }
    let ns = sts.metadata.namespace.clone();
    let Some(pod) = store.pods.get(&ns, pod_name) else {
        return;
    };
    let owner = controller_ref("v1", "Pod", &pod.metadata);
    for (_, claim_name) in claim_names(sts, ordinal) {
        if let Some(c) = store.get_unstructured(storage::PVC, &ns, &claim_name) {
            let mut c = c.clone();
            c.metadata.owner_references = vec![owner.clone()].into();
            store.put_unstructured(storage::PVC, c);
        }
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
    crate::sim::sort::natural(&mut pods);
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
        if !create_claims(store, sts, o, &pod_name, now, rng) {
            break;
        }
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
    crate::sim::sort::by_key(&mut excess, |p| std::cmp::Reverse(p.0));
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
        hand_claims_to_pod(store, sts, p.0, &p.1);
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
