//! The Deployment controller: one ReplicaSet per pod template (named `<deployment>-<hash>`),
//! rolling from old to new within maxSurge and maxUnavailable (facts 25, 26, 30), or Recreate
//! (fact 32); revisions, history limit and status conditions.

use super::{controller_ref, fnv32a, safe_encode};
use crate::sim::api::admission::resolve_int_or_percent;
use crate::sim::api::*;
use crate::sim::clock::{secs, Millis};
use crate::sim::rng::Rng;
use crate::sim::scheduler::set_condition;

pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const TEMPLATE_HASH: &str = "pod-template-hash";
const SOURCE: &str = "deployment-controller";

/// The pod-template-hash of a template (fact 2).
pub fn template_hash(template: &PodTemplateSpec) -> String {
    let json = serde_json::to_string(template).unwrap_or_default();
    safe_encode(&fnv32a(json.as_bytes()).to_string())
}

/// What the controller needs of a ReplicaSet it owns (no pod template: copying it on every
/// sync would cost more than the sync).
#[derive(Debug, Clone)]
struct Set {
    name: String,
    uid: String,
    replicas: i64,
    revision: i64,
    hash: Option<String>,
    status: ReplicaSetStatus,
}

impl Set {
    fn of(rs: &ReplicaSet) -> Set {
        Set {
            name: rs.metadata.name.clone(),
            uid: rs.metadata.uid.clone(),
            replicas: rs.spec.replicas.unwrap_or(0),
            revision: rs
                .metadata
                .annotations
                .get(REVISION)
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
            hash: rs.metadata.labels.get(TEMPLATE_HASH).cloned(),
            status: rs.status.clone(),
        }
    }
}

fn revision_of(rs: &Set) -> i64 {
    rs.revision
}

fn replicas(rs: &Set) -> i64 {
    rs.replicas
}

/// maxSurge and maxUnavailable as numbers; both 0 becomes unavailable 1 (fact 26).
pub fn fenceposts(d: &Deployment) -> (i64, i64) {
    let desired = d.spec.replicas.unwrap_or(1);
    let ru = d
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.rolling_update.clone())
        .unwrap_or_default();
    let surge = ru
        .max_surge
        .as_ref()
        .map(|v| resolve_int_or_percent(v, desired, true).unwrap_or(0))
        .unwrap_or(0);
    let unavailable = ru
        .max_unavailable
        .as_ref()
        .map(|v| resolve_int_or_percent(v, desired, false).unwrap_or(0))
        .unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable.min(desired))
    }
}

fn scale(store: &mut Store, d: &Deployment, rs_name: &str, to: i64, now: Millis) {
    let ns = &d.metadata.namespace;
    let Some(rs) = store.replicasets.get(ns, rs_name).cloned() else {
        return;
    };
    let from = rs.spec.replicas.unwrap_or(0);
    if from == to {
        return;
    }
    let mut next = rs;
    next.spec.replicas = Some(to);
    next.metadata.generation += 1;
    next.metadata.annotations.insert(
        "deployment.kubernetes.io/desired-replicas".into(),
        d.spec.replicas.unwrap_or(1).to_string(),
    );
    store.put(next);
    let verb = if to > from { "up" } else { "down" };
    store.record_event(
        now,
        ns,
        "Deployment",
        &d.metadata.name,
        "Normal",
        "ScalingReplicaSet",
        SOURCE,
        format!("Scaled {verb} replica set {rs_name} to {to}"),
    );
}

/// Sync one Deployment; returns when it wants to look again (its progress deadline).
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let d = store.deployments.get(&key.0, &key.1)?;
    if d.metadata.deletion_timestamp.is_some() {
        return None;
    }
    // The template hash is computed (or recalled) on the stored object; the copy the sync works
    // on leaves the pod template out, which is read from the store only to make a ReplicaSet.
    let hash = store.memo.template_hash(d);
    let d = Deployment {
        api_version: String::new(),
        kind: String::new(),
        metadata: d.metadata.clone(),
        spec: DeploymentSpec {
            replicas: d.spec.replicas,
            selector: d.spec.selector.clone(),
            template: PodTemplateSpec::default(),
            strategy: d.spec.strategy.clone(),
            min_ready_seconds: d.spec.min_ready_seconds,
            revision_history_limit: d.spec.revision_history_limit,
            progress_deadline_seconds: d.spec.progress_deadline_seconds,
            paused: d.spec.paused,
        },
        status: d.status.clone(),
    };
    sync(store, &d, &hash, now, rng);
    store
        .deployments
        .get(&key.0, &key.1)
        .and_then(|d| progress_deadline(d, now))
}

/// The ReplicaSets this Deployment controls as one sync last read them, and the revision of the
/// ReplicaSet table then: a sync reads them several times (before and after each scaling), and
/// they can only have changed if that table was written since (every write moves its revision).
#[derive(Default)]
struct Owned {
    rev: Option<u64>,
    sets: Vec<Set>,
}

impl Owned {
    fn get(&mut self, store: &Store, d: &Deployment) -> &[Set] {
        let rev = store.replicasets.rev();
        if self.rev != Some(rev) {
            self.sets = owned_sets(store, d);
            self.rev = Some(rev);
        }
        &self.sets
    }

    /// Every set but the one with this uid (the old ones).
    fn others(&mut self, store: &Store, d: &Deployment, uid: &str) -> Vec<Set> {
        self.get(store, d)
            .iter()
            .filter(|r| r.uid != uid)
            .cloned()
            .collect()
    }
}

/// The ReplicaSets this Deployment controls, oldest first.
fn owned_sets(store: &Store, d: &Deployment) -> Vec<Set> {
    let mut sets: Vec<&ReplicaSet> = store.owned::<ReplicaSet>(&d.metadata.uid).collect();
    crate::sim::sort::by(&mut sets, |a, b| {
        (&a.metadata.creation_timestamp, &a.metadata.name)
            .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
    });
    sets.into_iter().map(Set::of).collect()
}

fn sync(store: &mut Store, d: &Deployment, hash: &str, now: Millis, rng: &mut Rng) {
    let ns = d.metadata.namespace.clone();
    let desired = d.spec.replicas.unwrap_or(1);
    let hash = hash.to_string();
    let mut owned = Owned::default();
    let sets = owned.get(store, d);
    let max_revision = sets.iter().map(revision_of).max().unwrap_or(0);
    let new_rs = sets
        .iter()
        .find(|r| r.hash.as_ref() == Some(&hash))
        .cloned();
    let set_count = sets.len();
    let old_total: i64 = sets.iter().map(replicas).sum();
    let recreate = d
        .spec
        .strategy
        .as_ref()
        .is_some_and(|s| s.type_ == "Recreate");
    let (surge, max_unavailable) = fenceposts(d);

    if d.spec.paused {
        // A paused deployment only follows scaling of its newest ReplicaSet; no rollout.
        if let Some(rs) = &new_rs {
            if replicas(rs) != desired && set_count == 1 {
                scale(store, d, &rs.name, desired, now);
            }
        }
        update_status(store, d, &hash, now, &mut owned);
        return;
    }

    let new_name = format!("{}-{hash}", d.metadata.name);
    let new_rs = match new_rs {
        Some(rs) => {
            // A rollback to an old template makes that ReplicaSet the newest revision (fact 28).
            if revision_of(&rs) < max_revision {
                if let Some(mut next) = store.replicasets.get(&ns, &rs.name).cloned() {
                    next.metadata
                        .annotations
                        .insert(REVISION.into(), (max_revision + 1).to_string());
                    store.put(next);
                }
            }
            rs
        }
        None => {
            let initial = if recreate || set_count > 0 && old_total > 0 {
                0
            } else {
                desired
            };
            let Some(mut template) = store
                .deployments
                .get(&ns, &d.metadata.name)
                .map(|full| full.spec.template.clone())
            else {
                return;
            };
            template
                .metadata
                .labels
                .insert(TEMPLATE_HASH.into(), hash.clone());
            let mut selector = d.spec.selector.clone().unwrap_or_default();
            selector
                .match_labels
                .insert(TEMPLATE_HASH.into(), hash.clone());
            let mut labels = template.metadata.labels.clone();
            labels.insert(TEMPLATE_HASH.into(), hash.clone());
            let rs = ReplicaSet {
                api_version: "apps/v1".into(),
                kind: "ReplicaSet".into(),
                metadata: ObjectMeta {
                    name: new_name.clone(),
                    namespace: ns.clone(),
                    labels,
                    annotations: crate::sim::sort::map_of([
                        (REVISION.to_string(), (max_revision + 1).to_string()),
                        (
                            "deployment.kubernetes.io/desired-replicas".to_string(),
                            desired.to_string(),
                        ),
                        (
                            "deployment.kubernetes.io/max-replicas".to_string(),
                            (desired + surge).to_string(),
                        ),
                    ]),
                    owner_references: vec![controller_ref("apps/v1", "Deployment", &d.metadata)]
                        .into(),
                    ..Default::default()
                },
                spec: ReplicaSetSpec {
                    replicas: Some(initial),
                    selector: Some(selector),
                    template,
                    min_ready_seconds: d.spec.min_ready_seconds,
                },
                status: ReplicaSetStatus::default(),
            };
            match store.create(rs, now, rng) {
                Ok(rs) => {
                    if initial > 0 {
                        store.record_event(
                            now,
                            &ns,
                            "Deployment",
                            &d.metadata.name,
                            "Normal",
                            "ScalingReplicaSet",
                            SOURCE,
                            format!("Scaled up replica set {new_name} to {initial}"),
                        );
                    }
                    Set::of(&rs)
                }
                Err(_) => return,
            }
        }
    };
    let old: Vec<Set> = owned.others(store, d, &new_rs.uid);

    if recreate {
        for rs in &old {
            if replicas(rs) > 0 {
                scale(store, d, &rs.name, 0, now);
            }
        }
        let old_pods_left = old
            .iter()
            .any(|rs| store.watch.owned_pods(&rs.uid).next().is_some());
        if !old_pods_left {
            scale(store, d, &new_rs.name, desired, now);
        }
    } else {
        // Scale the new ReplicaSet up within maxSurge.
        let new_now = store
            .replicasets
            .get(&ns, &new_rs.name)
            .map(|r| r.spec.replicas.unwrap_or(0))
            .unwrap_or(0);
        let all: i64 = old.iter().map(replicas).sum::<i64>() + new_now;
        if new_now > desired {
            scale(store, d, &new_rs.name, desired, now);
        } else if new_now < desired {
            let max_total = desired + surge;
            if all < max_total {
                let up = (max_total - all).min(desired - new_now);
                scale(store, d, &new_rs.name, new_now + up, now);
            }
        }
        // Scale old ReplicaSets down, keeping at least desired - maxUnavailable available.
        let old: Vec<Set> = owned.others(store, d, &new_rs.uid);
        let old_count: i64 = old.iter().map(replicas).sum();
        if old_count > 0 {
            let new_cur = store.replicasets.get(&ns, &new_rs.name).map(Set::of);
            let new_spec = new_cur.as_ref().map(replicas).unwrap_or(0);
            let new_available = new_cur
                .as_ref()
                .map(|r| r.status.available_replicas)
                .unwrap_or(0);
            let all = old_count + new_spec;
            let min_available = desired - max_unavailable;
            let new_unavailable = (new_spec - new_available).max(0);
            let mut max_down = all - min_available - new_unavailable;
            // First, old pods that are not available anyway.
            for rs in &old {
                if max_down <= 0 {
                    break;
                }
                let unhealthy = replicas(rs) - rs.status.available_replicas;
                if unhealthy > 0 {
                    let cut = unhealthy.min(max_down);
                    scale(store, d, &rs.name, replicas(rs) - cut, now);
                    max_down -= cut;
                }
            }
            let old: Vec<Set> = owned.others(store, d, &new_rs.uid);
            let available: i64 = old
                .iter()
                .map(|r| r.status.available_replicas.min(replicas(r)))
                .sum::<i64>()
                + new_available;
            let mut budget = available - min_available;
            for rs in &old {
                if budget <= 0 {
                    break;
                }
                let n = replicas(rs);
                if n == 0 {
                    continue;
                }
                let cut = n.min(budget);
                scale(store, d, &rs.name, n - cut, now);
                budget -= cut;
            }
        }
    }
    cleanup_history(store, d, &new_rs.uid, &mut owned);
    update_status(store, d, &hash, now, &mut owned);
}

/// Keep at most revisionHistoryLimit old ReplicaSets that are scaled to zero (fact 29).
fn cleanup_history(store: &mut Store, d: &Deployment, new_uid: &str, owned: &mut Owned) {
    let limit = d.spec.revision_history_limit.unwrap_or(10).max(0) as usize;
    let idle = owned
        .get(store, d)
        .iter()
        .filter(|r| r.uid != new_uid && replicas(r) == 0 && r.status.replicas == 0)
        .count();
    if idle <= limit {
        return;
    }
    let ns = d.metadata.namespace.clone();
    let mut idle: Vec<Set> = owned
        .get(store, d)
        .iter()
        .filter(|r| r.uid != new_uid && replicas(r) == 0 && r.status.replicas == 0)
        .cloned()
        .collect();
    if idle.len() <= limit {
        return;
    }
    crate::sim::sort::by_key(&mut idle, revision_of);
    let excess = idle.len() - limit;
    for rs in idle.into_iter().take(excess) {
        store.remove::<ReplicaSet>(&ns, &rs.name);
    }
}

fn update_status(store: &mut Store, d: &Deployment, hash: &str, now: Millis, owned: &mut Owned) {
    let ns = &d.metadata.namespace;
    let sets = owned.get(store, d);
    let desired = d.spec.replicas.unwrap_or(1);
    let (_, max_unavailable) = fenceposts(d);
    let new = sets.iter().find(|r| r.hash.as_deref() == Some(hash));
    let mut status = d.status.clone();
    status.observed_generation = d.metadata.generation;
    status.replicas = sets.iter().map(|r| r.status.replicas).sum();
    status.updated_replicas = new.map(|r| r.status.replicas).unwrap_or(0);
    status.ready_replicas = sets.iter().map(|r| r.status.ready_replicas).sum();
    status.available_replicas = sets.iter().map(|r| r.status.available_replicas).sum();
    status.unavailable_replicas = (status.replicas.max(desired) - status.available_replicas).max(0);
    let (avail, reason, msg) = if status.available_replicas >= desired - max_unavailable {
        (
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        (
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    set_condition(&mut status.conditions, "Available", avail, reason, msg, now);
    // The new ReplicaSet's failure to create pods shows on the Deployment too (fact 72).
    match new.and_then(|r| {
        r.status
            .conditions
            .iter()
            .find(|c| c.type_ == "ReplicaFailure")
    }) {
        Some(f) => {
            let msg = f.message.clone();
            set_condition(
                &mut status.conditions,
                "ReplicaFailure",
                "True",
                "FailedCreate",
                &msg,
                now,
            );
        }
        None => status.conditions.retain(|c| c.type_ != "ReplicaFailure"),
    }
    let new_name = new.map(|r| r.name.clone()).unwrap_or_default();
    let complete = status.updated_replicas == desired
        && status.replicas == desired
        && status.available_replicas == desired
        && new.is_some_and(|r| r.status.available_replicas == desired);
    let deadline = secs(d.spec.progress_deadline_seconds.unwrap_or(600));
    let progressing = status
        .conditions
        .iter()
        .find(|c| c.type_ == "Progressing")
        .cloned();
    let last_progress = progressing
        .as_ref()
        .and_then(|c| c.last_update_time.as_ref())
        .and_then(Time::millis)
        .unwrap_or(now);
    let progressed = status.updated_replicas != d.status.updated_replicas
        || status.available_replicas != d.status.available_replicas
        || status.replicas != d.status.replicas
        || progressing.is_none();
    let (p_status, p_reason, p_msg) = if d.spec.paused {
        (
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".to_string(),
        )
    } else if complete {
        (
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{new_name}\" has successfully progressed."),
        )
    } else if !progressed
        && (now.saturating_sub(last_progress) > deadline
            || progressing
                .as_ref()
                .is_some_and(|c| c.reason == "ProgressDeadlineExceeded"))
    {
        (
            "False",
            "ProgressDeadlineExceeded",
            format!("ReplicaSet \"{new_name}\" has timed out progressing."),
        )
    } else {
        (
            "True",
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{new_name}\" is progressing."),
        )
    };
    set_condition(
        &mut status.conditions,
        "Progressing",
        p_status,
        p_reason,
        &p_msg,
        now,
    );
    if let Some(c) = status
        .conditions
        .iter_mut()
        .find(|c| c.type_ == "Progressing")
    {
        if progressed || c.last_update_time.is_none() {
            c.last_update_time = Some(Time::at(now));
        }
    }
    if store
        .deployments
        .get(ns, &d.metadata.name)
        .is_some_and(|cur| cur.status != status)
    {
        let rev = sets
            .iter()
            .filter(|r| r.hash.as_deref() == Some(hash))
            .map(revision_of)
            .max();
        store.modify(ns, &d.metadata.name, |next: &mut Deployment| {
            next.status = status;
            if let Some(rev) = rev {
                next.metadata
                    .annotations
                    .insert(REVISION.into(), rev.to_string());
            }
        });
    }
}

/// When a progressing deployment will pass its deadline (so the clock stops there).
fn progress_deadline(d: &Deployment, now: Millis) -> Option<Millis> {
    let c = d
        .status
        .conditions
        .iter()
        .find(|c| c.type_ == "Progressing")?;
    if c.reason != "ReplicaSetUpdated" {
        return None;
    }
    let last = c.last_update_time.as_ref().and_then(Time::millis)?;
    let t = last
        .saturating_add(secs(d.spec.progress_deadline_seconds.unwrap_or(600)))
        .saturating_add(1);
    (t > now).then_some(t)
}
