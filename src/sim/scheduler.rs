//! The scheduler: binds each pending pod to a node that passes every filter, preferring the node
//! with the most room. A pod nothing fits stays Pending with the real `FailedScheduling` text.

use super::api::{Condition, Node, Pod, Store, Taint, Toleration};
use super::clock::{rfc3339, Millis};
use super::quantity;
use super::rng::Rng;
use std::collections::BTreeMap;

/// How long an unschedulable pod waits before the scheduler tries it again.
const RETRY_MS: Millis = 10_000;

#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Unschedulable pods (namespace, name) and when to try them next.
    retry_at: BTreeMap<(String, String), Millis>,
}

/// Requested CPU (millicores) and memory (bytes) of a pod: the sum of its containers' requests,
/// or the largest init container's if larger. Limits stand in for missing requests, as defaulting does.
pub fn pod_requests(pod: &Pod) -> (u64, u64) {
    let sum = |cs: &[super::api::Container]| -> Vec<(u64, u64)> {
        cs.iter()
            .map(|c| {
                let get = |k: &str| {
                    c.resources
                        .requests
                        .get(k)
                        .or_else(|| c.resources.limits.get(k))
                        .map(|q| q.0.clone())
                };
                (
                    get("cpu")
                        .and_then(|q| quantity::cpu_millis(&q))
                        .unwrap_or(0),
                    get("memory").and_then(|q| quantity::bytes(&q)).unwrap_or(0),
                )
            })
            .collect()
    };
    let main = sum(&pod.spec.containers)
        .into_iter()
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let init = sum(&pod.spec.init_containers)
        .into_iter()
        .fold((0, 0), |a, b| (a.0.max(b.0), a.1.max(b.1)));
    (main.0.max(init.0), main.1.max(init.1))
}

pub fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        (t.effect.is_empty() || t.effect == taint.effect)
            && if t.operator == "Exists" {
                t.key.is_empty() || t.key == taint.key
            } else {
                t.key == taint.key && t.value == taint.value
            }
    })
}

pub fn node_is_ready(node: &Node) -> bool {
    node.status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Why a node does not fit a pod, in the scheduler's words; None when it fits.
fn filter(node: &Node, pod: &Pod, used: (u64, u64, u64), req: (u64, u64)) -> Option<String> {
    if node.spec.unschedulable {
        return Some("node(s) were unschedulable".into());
    }
    for taint in &node.spec.taints {
        if (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
            && !tolerates(&pod.spec.tolerations, taint)
        {
            return Some(format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key, taint.value
            ));
        }
    }
    if !pod
        .spec
        .node_selector
        .iter()
        .all(|(k, v)| node.metadata.labels.get(k) == Some(v))
        || !node_affinity_matches(pod.spec.affinity.as_ref(), node)
    {
        return Some("node(s) didn't match Pod's node affinity/selector".into());
    }
    let alloc = |k: &str| node.status.allocatable.get(k).map(|q| q.0.clone());
    let cpu = alloc("cpu")
        .and_then(|q| quantity::cpu_millis(&q))
        .unwrap_or(0);
    let mem = alloc("memory")
        .and_then(|q| quantity::bytes(&q))
        .unwrap_or(0);
    let pods: u64 = alloc("pods").and_then(|q| q.parse().ok()).unwrap_or(110);
    if used.2 + 1 > pods {
        return Some("Too many pods".into());
    }
    if req.0 > 0 && used.0 + req.0 > cpu {
        return Some("Insufficient cpu".into());
    }
    if req.1 > 0 && used.1 + req.1 > mem {
        return Some("Insufficient memory".into());
    }
    None
}

impl Scheduler {
    /// One scheduling pass over every pending pod.
    pub fn schedule(&mut self, store: &mut Store, now: Millis, rng: &mut Rng) {
        let pending: Vec<(String, String)> = store
            .pods
            .values()
            .filter(|p| {
                p.spec.node_name.is_empty()
                    && p.metadata.deletion_timestamp.is_none()
                    && p.spec.scheduler_name == "default-scheduler"
            })
            .map(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()))
            .collect();
        self.retry_at.retain(|k, _| pending.contains(k));
        if pending.is_empty() {
            return;
        }
        // What each node already carries: cpu, memory, pod count.
        let mut used: BTreeMap<String, (u64, u64, u64)> = store
            .nodes
            .values()
            .map(|n| (n.metadata.name.clone(), (0, 0, 0)))
            .collect();
        for p in store.pods.values() {
            if let Some(u) = used.get_mut(&p.spec.node_name) {
                let (c, m) = pod_requests(p);
                *u = (u.0 + c, u.1 + m, u.2 + 1);
            }
        }
        for key in pending {
            if self.retry_at.get(&key).is_some_and(|t| *t > now) {
                continue;
            }
            let Some(pod) = store.pods.get(&key.0, &key.1).cloned() else {
                continue;
            };
            let req = pod_requests(&pod);
            let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
            let mut best: Vec<(u64, String)> = Vec::new();
            for node in store.nodes.values() {
                let name = &node.metadata.name;
                let u = used.get(name).copied().unwrap_or_default();
                // The node lifecycle controller taints NotReady nodes; the taint is what filters.
                let reason = filter(node, &pod, u, req).or_else(|| {
                    (!node_is_ready(node)).then(|| {
                        "node(s) had untolerated taint {node.kubernetes.io/not-ready: }".to_string()
                    })
                });
                match reason {
                    Some(r) => *reasons.entry(r).or_default() += 1,
                    None => {
                        // Score: fewer pods and fewer requested resources is better.
                        let score =
                            u.2.saturating_mul(1000)
                                .saturating_add(u.0.saturating_add(req.0) / 10)
                                .saturating_add(u.1.saturating_add(req.1) / (64 << 20));
                        best.push((score, name.clone()));
                    }
                }
            }
            let total = store.nodes.len();
            if best.is_empty() {
                let resource_reasons = reasons
                    .iter()
                    .filter(|(r, _)| r.starts_with("Insufficient") || r.as_str() == "Too many pods")
                    .map(|(_, n)| *n)
                    .sum::<usize>();
                let list: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
                let mut preemption = Vec::new();
                if resource_reasons > 0 {
                    preemption.push(format!(
                        "{resource_reasons} No preemption victims found for incoming pod"
                    ));
                }
                if total - resource_reasons > 0 {
                    preemption.push(format!(
                        "{} Preemption is not helpful for scheduling",
                        total - resource_reasons
                    ));
                }
                let message = if total == 0 {
                    "no nodes available to schedule pods".to_string()
                } else {
                    format!(
                        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
                        list.join(", "),
                        preemption.join(", ")
                    )
                };
                let mut p = pod.clone();
                set_condition(
                    &mut p.status.conditions,
                    "PodScheduled",
                    "False",
                    "Unschedulable",
                    &message,
                    now,
                );
                p.status.phase = "Pending".into();
                store.put(p);
                store.record_event(
                    now,
                    &key.0,
                    "Pod",
                    &key.1,
                    "Warning",
                    "FailedScheduling",
                    "default-scheduler",
                    message,
                );
                self.retry_at.insert(key, now.saturating_add(RETRY_MS));
                continue;
            }
            best.sort();
            let top = best[0].0;
            let ties: Vec<&String> = best.iter().filter(|b| b.0 == top).map(|b| &b.1).collect();
            let node = ties[rng.below(ties.len() as u64) as usize].clone();
            if let Some(u) = used.get_mut(&node) {
                *u = (u.0 + req.0, u.1 + req.1, u.2 + 1);
            }
            let mut p = pod;
            p.spec.node_name = node.clone();
            set_condition(
                &mut p.status.conditions,
                "PodScheduled",
                "True",
                "",
                "",
                now,
            );
            store.put(p);
            self.retry_at.remove(&key);
            store.record_event(
                now,
                &key.0,
                "Pod",
                &key.1,
                "Normal",
                "Scheduled",
                "default-scheduler",
                format!("Successfully assigned {}/{} to {node}", key.0, key.1),
            );
        }
    }

    /// The next moment an unschedulable pod is due for another try.
    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        self.retry_at.values().copied().filter(|t| *t > now).min()
    }
}

/// Set a condition, keeping its transition time when the status does not change.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: Millis,
) {
    if let Some(c) = conditions.iter_mut().find(|c| c.type_ == type_) {
        if c.status != status {
            c.last_transition_time = Some(rfc3339(now));
        }
        c.status = status.into();
        c.reason = reason.into();
        c.message = message.into();
    } else {
        conditions.push(Condition {
            type_: type_.into(),
            status: status.into(),
            last_probe_time: None,
            last_update_time: None,
            last_transition_time: Some(rfc3339(now)),
            reason: reason.into(),
            message: message.into(),
        });
    }
}

/// `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`: the node must match
/// one of the terms; a term's matchExpressions (labels) and matchFields (`metadata.name`) all
/// hold. Preferred terms only score in Kubernetes and are ignored here.
pub fn node_affinity_matches(affinity: Option<&super::api::Raw>, node: &Node) -> bool {
    let Some(terms) = affinity
        .and_then(|a| a.get("nodeAffinity"))
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(|r| r.get("nodeSelectorTerms"))
        .and_then(|t| t.as_sequence())
    else {
        return true;
    };
    if terms.is_empty() {
        return true;
    }
    let requirement = |r: &super::api::Raw, value_of: &dyn Fn(&str) -> Option<String>| -> bool {
        let key = r.get("key").and_then(|k| k.as_str()).unwrap_or("");
        let op = r.get("operator").and_then(|k| k.as_str()).unwrap_or("");
        let values: Vec<String> = r
            .get("values")
            .and_then(|v| v.as_sequence())
            .map(|v| {
                v.iter()
                    .map(|x| match x {
                        super::api::Raw::String(s) => s.clone(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let actual = value_of(key);
        match op {
            "In" => actual.is_some_and(|a| values.contains(&a)),
            "NotIn" => actual.is_none_or(|a| !values.contains(&a)),
            "Exists" => actual.is_some(),
            "DoesNotExist" => actual.is_none(),
            "Gt" | "Lt" => {
                let (Some(a), Some(v)) = (
                    actual.and_then(|a| a.parse::<i64>().ok()),
                    values.first().and_then(|v| v.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if op == "Gt" {
                    a > v
                } else {
                    a < v
                }
            }
            _ => false,
        }
    };
    let labels = |k: &str| node.metadata.labels.get(k).cloned();
    let fields = |k: &str| (k == "metadata.name").then(|| node.metadata.name.clone());
    terms.iter().any(|term| {
        let exprs = term.get("matchExpressions").and_then(|e| e.as_sequence());
        let flds = term.get("matchFields").and_then(|e| e.as_sequence());
        if exprs.is_none_or(|e| e.is_empty()) && flds.is_none_or(|f| f.is_empty()) {
            return false;
        }
        exprs.is_none_or(|e| e.iter().all(|r| requirement(r, &labels)))
            && flds.is_none_or(|f| f.iter().all(|r| requirement(r, &fields)))
    })
}
