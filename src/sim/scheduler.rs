//! The scheduler: binds each pending pod to a node that passes every filter, preferring the node
//! with the most room. A pod nothing fits stays Pending with the real `FailedScheduling` text.

use super::api::{Condition, Node, Pod, Store, Taint, Time, Toleration, Usage};
use super::clock::Millis;
use super::quantity;
use super::rng::Rng;
use std::collections::BTreeMap;

/// How long an unschedulable pod waits before the scheduler tries it again.
const RETRY_MS: Millis = 10_000;

#[derive(Debug, Clone, Default)]
pub struct Scheduler {
    /// Unschedulable pods (namespace, name) and when to try them next.
    retry_at: BTreeMap<(String, String), Millis>,
    /// The nodes as the scheduler's cache holds them, rebuilt when the node table changes.
    nodes: Vec<NodeInfo>,
    /// What the filter and the score read of each node, by the same index as `nodes`, kept
    /// apart and small: a pod looks at up to 420 nodes, and these fit in a few cache lines
    /// where the `NodeInfo`s (each with its `Node`) do not.
    fit: Vec<Fit>,
    node_index: BTreeMap<String, usize>,
    nodes_rev: Option<u64>,
    /// Where the next search for a feasible node starts (kube-scheduler's nextStartNodeIndex).
    next_start: usize,
    /// Pods whose last try failed on their claims (VolumeBinding's PreFilter): a claim being
    /// bound moves them back to the queue at once, as the scheduler's queueing hints do.
    volume_wait: std::collections::BTreeSet<(String, String)>,
    /// Pods assumed on a node while their WaitForFirstConsumer claims are provisioned or bound
    /// there (VolumeBinding's PreBind): the node, and since when.
    assumed: BTreeMap<(String, String), (String, Millis)>,
}

/// How long PreBind waits for a pod's claims to be bound (the VolumeBinding plugin's
/// `bindTimeoutSeconds`, 600).
const BIND_TIMEOUT_MS: Millis = 600_000;
/// How often an assumed pod looks whether its claims are bound.
const PREBIND_POLL_MS: Millis = 1_000;

/// A node with its allocatable resources parsed once.
#[derive(Debug, Clone)]
struct NodeInfo {
    node: Node,
    cpu: u64,
    memory: u64,
    pods: u64,
    ready: bool,
    /// Schedulable, Ready and without NoSchedule or NoExecute taints: for a pod with no node
    /// selector, affinity or volume constraint, only its resources and pod count can fail here.
    plain: bool,
}

/// A node's numbers for the filter's fast path and the score (see `Scheduler::fit`).
#[derive(Debug, Clone, Copy)]
struct Fit {
    cpu: u64,
    memory: u64,
    pods: u64,
    plain: bool,
    /// What the pods bound to it request: copied from the watch when a scheduling round
    /// starts and kept up to date with each binding of the round.
    used: Usage,
}

impl NodeInfo {
    fn new(node: &Node) -> NodeInfo {
        let alloc = |k: &str| node.status.allocatable.get(k).map(|q| q.0.as_str());
        NodeInfo {
            node: node.clone(),
            cpu: alloc("cpu").and_then(quantity::cpu_millis).unwrap_or(0),
            memory: alloc("memory").and_then(quantity::bytes).unwrap_or(0),
            pods: alloc("pods").and_then(|q| q.parse().ok()).unwrap_or(110),
            ready: node_is_ready(node),
            plain: !node.spec.unschedulable
                && node_is_ready(node)
                && !node
                    .spec
                    .taints
                    .iter()
                    .any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute"),
        }
    }

    fn fit(&self) -> Fit {
        Fit {
            cpu: self.cpu,
            memory: self.memory,
            pods: self.pods,
            plain: self.plain,
            used: Usage::default(),
        }
    }
}

/// The feasible nodes found so far and the best of them: the lowest score, and every node
/// that has it (the tie-break picks among them).
#[derive(Debug, Default)]
struct Best {
    found: usize,
    top: u64,
    ties: Vec<usize>,
}

impl Best {
    #[inline]
    fn add(&mut self, score: u64, index: usize) {
        if self.found == 0 || score < self.top {
            self.top = score;
            self.ties.clear();
        }
        if score == self.top {
            self.ties.push(index);
        }
        self.found += 1;
    }
}

/// The score of a node that fits: fewer pods and fewer requested resources is better (lower).
#[inline]
fn score(u: Usage, req: (u64, u64)) -> u64 {
    u.pods
        .saturating_mul(1000)
        .saturating_add(u.cpu.saturating_add(req.0) / 10)
        .saturating_add(u.memory.saturating_add(req.1) / (64 << 20))
}

/// The filter's fast path: a pod with no node selector, affinity or volume constraint on a
/// plain node can fail only by its numbers. Its score when it fits; None when the whole
/// filter has to decide.
#[inline]
fn fast_score(fit: &Fit, plain_pod: bool, req: (u64, u64)) -> Option<u64> {
    let u = fit.used;
    let fits = plain_pod
        && fit.plain
        && u.pods < fit.pods
        && (req.0 == 0 || u.cpu + req.0 <= fit.cpu)
        && (req.1 == 0 || u.memory + req.1 <= fit.memory);
    fits.then(|| score(u, req))
}

/// How many feasible nodes to find before scoring (kube-scheduler's numFeasibleNodesToFind with
/// the default adaptive percentageOfNodesToScore): every node below 100, else 50% minus 1% per
/// 125 nodes, at least 5% and at least 100 nodes.
pub fn feasible_nodes_to_find(nodes: usize) -> usize {
    if nodes < 100 {
        return nodes;
    }
    let percentage = (50 - (nodes / 125) as i64).max(5) as usize;
    (nodes * percentage / 100).max(100)
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
fn filter(info: &NodeInfo, pod: &Pod, used: Usage, req: (u64, u64)) -> Option<String> {
    let node = &info.node;
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
    if used.pods + 1 > info.pods {
        return Some("Too many pods".into());
    }
    if req.0 > 0 && used.cpu + req.0 > info.cpu {
        return Some("Insufficient cpu".into());
    }
    if req.1 > 0 && used.memory + req.1 > info.memory {
        return Some("Insufficient memory".into());
    }
    // The node lifecycle controller taints NotReady nodes; the taint is what filters.
    if !info.ready {
        return Some("node(s) had untolerated taint {node.kubernetes.io/not-ready: }".into());
    }
    None
}

impl Scheduler {
    /// Bind the pods the scheduler's queue holds (new unbound pods, and unschedulable ones whose
    /// retry came), each to the best node that passes every filter.
    pub fn schedule(&mut self, store: &mut Store, now: Millis, rng: &mut Rng) {
        let keys = store.watch.scheduler.take(now);
        if keys.is_empty() {
            return;
        }
        *store.watch.counters.syncs.entry("scheduler").or_default() += keys.len() as u64;
        if self.nodes_rev != Some(store.nodes.rev()) {
            self.nodes = store.nodes.values().map(NodeInfo::new).collect();
            self.fit = self.nodes.iter().map(NodeInfo::fit).collect();
            self.node_index = crate::sim::sort::map_of(
                self.nodes
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.node.metadata.name.clone(), i)),
            );
            self.nodes_rev = Some(store.nodes.rev());
        }
        for (info, fit) in self.nodes.iter().zip(self.fit.iter_mut()) {
            fit.used = store.watch.usage(&info.node.metadata.name);
        }
        for key in keys {
            let Some(pod) = store.pods.get(&key.0, &key.1) else {
                self.retry_at.remove(&key);
                self.volume_wait.remove(&key);
                self.assumed.remove(&key);
                continue;
            };
            if !pod.spec.node_name.is_empty()
                || pod.metadata.deletion_timestamp.is_some()
                || pod.spec.scheduler_name != "default-scheduler"
            {
                self.retry_at.remove(&key);
                self.volume_wait.remove(&key);
                self.assumed.remove(&key);
                store.watch.scheduler.set_timer(&key, None);
                continue;
            }
            if let Some(t) = self.retry_at.get(&key).copied() {
                let claim_bound = self.volume_wait.contains(&key)
                    && super::controllers::volume::claims_bound(store, pod);
                if t > now && !claim_bound {
                    store.watch.scheduler.set_timer(&key, Some(t));
                    continue;
                }
            }
            self.schedule_one(store, key, now, rng);
        }
    }

    /// Schedule one pod of the queue (it exists, is unbound and not being deleted). The pod is
    /// read where it is stored, and copied only to be written as unschedulable.
    fn schedule_one(
        &mut self,
        store: &mut Store,
        key: (String, String),
        now: Millis,
        rng: &mut Rng,
    ) {
        let Some(pod) = store.pods.get(&key.0, &key.1) else {
            return;
        };
        // VolumeBinding: the pod's claims first (PreFilter), then per node (Filter), then the
        // wait for WaitForFirstConsumer claims on the chosen node (PreBind).
        let binding = super::controllers::volume::Binding::of(store, pod);
        if let Some((node, since)) = self.assumed.get(&key).cloned() {
            if super::controllers::volume::claims_bound(store, pod) {
                self.assumed.remove(&key);
                self.bind(store, key, node, now);
            } else if now.saturating_sub(since) >= BIND_TIMEOUT_MS {
                self.assumed.remove(&key);
                let pod = pod.clone();
                self.unschedulable(
                    store,
                    key,
                    pod,
                    "running PreBind plugin \"VolumeBinding\": binding volumes: context deadline exceeded".into(),
                    now,
                );
            } else {
                store.watch.scheduler.forget(&key);
                store
                    .watch
                    .scheduler
                    .set_timer(&key, Some(now.saturating_add(PREBIND_POLL_MS)));
            }
            return;
        }
        if let Some(why) = &binding.blocked {
            let total = self.nodes.len();
            let message = format!(
                "0/{total} nodes are available: {why}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
            );
            self.volume_wait.insert(key.clone());
            let pod = pod.clone();
            self.unschedulable(store, key, pod, message, now);
            return;
        }
        self.volume_wait.remove(&key);
        let req = pod_requests(pod);
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        let mut best = Best::default();
        let total = self.nodes.len();
        // A pod with no node selector, no affinity and no volume constraint can fail on a plain
        // node only by its resources: those nodes are filtered by the numbers alone, and any
        // other node (or a failure, for its reason) by the whole filter.
        let plain_pod = pod.spec.node_selector.is_empty()
            && pod.spec.affinity.is_none()
            && binding.fits_every_node();
        let nodes = &self.nodes;
        // The whole filter, for a node the fast path did not pass: its reason, or its score.
        let evaluate =
            |fit: &Fit, index: usize, reasons: &mut BTreeMap<String, usize>, best: &mut Best| {
                if let Some(score) = fast_score(fit, plain_pod, req) {
                    best.add(score, index);
                    return;
                }
                let info = &nodes[index];
                match filter(info, pod, fit.used, req)
                    .or_else(|| binding.node_reason(&info.node).map(str::to_string))
                {
                    Some(r) => *reasons.entry(r).or_default() += 1,
                    None => best.add(score(fit.used, req), index),
                }
            };
        // A pod pinned to named nodes (a DaemonSet's pods are) is tried on those alone, as the
        // NodeAffinity PreFilter narrows the search; if none fits, every node is looked at so
        // the FailedScheduling message counts them all.
        if let Some(names) = affinity_node_names(pod.spec.affinity.as_ref()) {
            for name in &names {
                if let Some(&index) = self.node_index.get(name) {
                    evaluate(&self.fit[index], index, &mut reasons, &mut best);
                }
            }
            reasons.clear();
        }
        if best.found == 0 {
            let wanted = feasible_nodes_to_find(total);
            let start = if total == 0 {
                0
            } else {
                self.next_start % total
            };
            let mut processed = 0;
            // The nodes from `start` round to the end, then from the first: index order.
            let (tail, head) = self.fit.split_at(start);
            for (index, fit) in (start..).zip(head).chain((0..).zip(tail)) {
                if best.found >= wanted {
                    break;
                }
                processed += 1;
                match fast_score(fit, plain_pod, req) {
                    Some(score) => best.add(score, index),
                    None => evaluate(fit, index, &mut reasons, &mut best),
                }
            }
            if total > 0 {
                self.next_start = (start + processed) % total;
            }
        }
        if best.found == 0 {
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
            let pod = pod.clone();
            self.unschedulable(store, key, pod, message, now);
            return;
        }
        // Ties in score go to a seeded pick among them, in node-name order.
        let mut ties = best.ties;
        // The cache holds nodes in name order, so index order is name order. The scan went
        // round from `start`, so its ties are in index order but for one wrap: turned back
        // into order, they need no sort (the named nodes of a pinned pod may).
        if let Some(wrap) = ties.windows(2).position(|w| w[0] > w[1]) {
            ties.rotate_left(wrap + 1);
        }
        if !ties.is_sorted() {
            ties.sort_unstable();
        }
        let chosen = ties[rng.below(ties.len() as u64) as usize];
        let node = self.nodes[chosen].node.metadata.name.clone();
        if let Some(fit) = self.fit.get_mut(chosen) {
            fit.used.cpu += req.0;
            fit.used.memory += req.1;
            fit.used.pods += 1;
        }
        let delayed = binding.delayed_claims();
        if !delayed.is_empty() {
            // PreBind: the claims learn the node, and the pod waits until they are bound.
            super::controllers::volume::select_node(store, &key.0, &delayed, &node);
            store.watch.scheduler.forget(&key);
            store
                .watch
                .scheduler
                .set_timer(&key, Some(now.saturating_add(PREBIND_POLL_MS)));
            self.assumed.insert(key, (node, now));
            return;
        }
        self.bind(store, key, node, now);
    }

    /// The pod fits no node: Pending, PodScheduled False, the FailedScheduling event, and a
    /// retry later.
    fn unschedulable(
        &mut self,
        store: &mut Store,
        key: (String, String),
        pod: Pod,
        message: String,
        now: Millis,
    ) {
        {
            let mut p = pod;
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
            let retry = now.saturating_add(RETRY_MS);
            store.watch.scheduler.forget(&key);
            store.watch.scheduler.set_timer(&key, Some(retry));
            self.retry_at.insert(key, retry);
        }
    }

    /// Bind a pod to its node: written in place, as the Binding subresource does.
    fn bind(&mut self, store: &mut Store, key: (String, String), node: String, now: Millis) {
        store.bind_pod(&key.0, &key.1, &node, |p| {
            set_condition(
                &mut p.status.conditions,
                "PodScheduled",
                "True",
                "",
                "",
                now,
            )
        });
        self.retry_at.remove(&key);
        store.watch.scheduler.set_timer(&key, None);
        let message = format!("Successfully assigned {}/{} to {node}", key.0, key.1);
        let (namespace, name) = key;
        store.record_event_owned(
            now,
            namespace,
            "Pod",
            name,
            "Normal",
            "Scheduled",
            "default-scheduler",
            message,
        );
    }

    /// The next moment an unschedulable pod is due for another try.
    pub fn next_deadline(&self, store: &Store, now: Millis) -> Option<Millis> {
        store.watch.scheduler.next_timer(now)
    }
}

/// Set a condition, keeping its transition time when the status does not change.
pub fn set_condition(
    conditions: &mut Vec<Condition>,
    type_: &'static str,
    status: &'static str,
    reason: &'static str,
    message: &str,
    now: Millis,
) {
    if let Some(c) = conditions.iter_mut().find(|c| c.type_ == type_) {
        if c.status != status {
            c.last_transition_time = Some(Time::at(now));
        }
        c.status = status.into();
        c.reason = reason.into();
        if c.message != message {
            c.message = message.into();
        }
    } else {
        conditions.push(Condition {
            type_: type_.into(),
            status: status.into(),
            last_probe_time: None,
            last_update_time: None,
            last_transition_time: Some(Time::at(now)),
            reason: reason.into(),
            message: message.into(),
        });
    }
}

/// The node names a required node affinity confines a pod to, when every term names them with
/// `matchFields: metadata.name In [...]` (None: no such confinement).
pub fn affinity_node_names(affinity: Option<&super::api::Raw>) -> Option<Vec<String>> {
    let terms = affinity?
        .get("nodeAffinity")?
        .get("requiredDuringSchedulingIgnoredDuringExecution")?
        .get("nodeSelectorTerms")?
        .as_sequence()?;
    let mut names = Vec::new();
    for term in terms {
        let fields = term.get("matchFields")?.as_sequence()?;
        let pinned = fields.iter().find(|r| {
            r.get("key").and_then(|k| k.as_str()) == Some("metadata.name")
                && r.get("operator").and_then(|k| k.as_str()) == Some("In")
        })?;
        for v in pinned.get("values")?.as_sequence()? {
            names.push(v.as_str()?.to_string());
        }
    }
    crate::sim::sort::natural(&mut names);
    names.dedup();
    (!names.is_empty()).then_some(names)
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
