//! What the plots show, kept as bounded time series on the virtual clock: each workload's ready
//! and desired replicas (Deployments, StatefulSets and ReplicaSets no Deployment owns), sampled
//! at most once a virtual second while time runs and after each command; and the requests the
//! network tools made (curl, wget from the laptop or from pods, the map's "send traffic"), in
//! one bucket per virtual second: how many, how many failed (no answer, or no DNS answer), how
//! many got an HTTP error (4xx, 5xx), their latency, and which pods answered.
//!
//! Latency: the simulation has no network delays, so a request's latency is its trace's hop
//! count times [`HOP_MS`] (a DNS lookup, a Service, kube-proxy, a proxy, a container: one hop
//! each). A failed request has no latency: it is an error.
//!
//! Everything comes from the world and the requests' records, in order: the same seed and
//! commands give the same series. Memory is bounded: [`MAX_SAMPLES`] samples of at most
//! [`MAX_WORKLOADS`] workloads, [`MAX_SECONDS`] buckets of at most [`MAX_PODS`] pods each.

use crate::sim::clock::Millis;
use crate::sim::network::{Outcome, RequestRecord};
use crate::sim::World;
use std::collections::{BTreeMap, VecDeque};

/// The virtual cost of one hop of a request's trace, in milliseconds.
pub const HOP_MS: u64 = 1;
/// Samples of ready/desired replicas kept (one a virtual second at most).
pub const MAX_SAMPLES: usize = 300;
/// Workloads followed in each sample (the first by cluster, namespace, kind and name).
pub const MAX_WORKLOADS: usize = 8;
/// Seconds of requests kept.
pub const MAX_SECONDS: usize = 120;
/// Pods counted in one second's bucket; answers from more pods are counted as `other`.
pub const MAX_PODS: usize = 32;
/// Namespaces whose workloads are the cluster's own (CoreDNS), not the learner's.
const SYSTEM_PREFIX: &str = "kube-";

/// One workload's replicas at a moment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Replicas {
    /// `deployment/web`, `statefulset/db`, `replicaset/frontend`; `NS/` before it outside
    /// `default`, `CLUSTER: ` before that when the world has several clusters.
    pub name: String,
    pub ready: u32,
    pub desired: u32,
}

/// The workloads' replicas at one virtual time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sample {
    pub at: Millis,
    pub workloads: Vec<Replicas>,
}

/// The requests of one virtual second.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Second {
    /// Seconds since the world started.
    pub second: u64,
    pub requests: u32,
    /// No answer: refused, timed out, reset, no route, no DNS answer.
    pub failed: u32,
    /// An answer with status 400 or more.
    pub http_errors: u32,
    /// Latency of the answered requests: their sum and their maximum, in ms.
    pub latency_sum: u64,
    pub latency_max: u64,
    pub answered: u32,
    /// Requests answered, by pod (`pod`, `NS/pod` outside default, `CLUSTER: NS/pod` when
    /// there are several clusters; `other` past [`MAX_PODS`]).
    pub per_pod: BTreeMap<String, u32>,
}

impl Second {
    /// The answered requests' mean latency, in ms.
    pub fn latency_mean(&self) -> Option<f64> {
        (self.answered > 0).then(|| self.latency_sum as f64 / self.answered as f64)
    }
    pub fn errors(&self) -> u32 {
        self.failed + self.http_errors
    }
}

/// The plots' data (kept by the session).
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    samples: VecDeque<Sample>,
    seconds: VecDeque<Second>,
    /// Bumped at every change: views redraw only when it moved.
    revision: u64,
}

fn workload_name(world: &World, cluster: &str, namespace: &str, kind: &str, name: &str) -> String {
    let mut s = String::new();
    if world.clusters.len() > 1 {
        s.push_str(cluster);
        s.push_str(": ");
    }
    if namespace != "default" {
        s.push_str(namespace);
        s.push('/');
    }
    s.push_str(kind);
    s.push('/');
    s.push_str(name);
    s
}

fn count(n: i64) -> u32 {
    n.clamp(0, u32::MAX as i64) as u32
}

/// The learner's workloads in `world` now, at most [`MAX_WORKLOADS`].
pub fn replicas(world: &World) -> Vec<Replicas> {
    let mut out = Vec::new();
    for c in &world.clusters {
        let store = &c.store;
        let mut add = |ns: &str, kind: &str, name: &str, ready: i64, desired: i64| {
            if out.len() < MAX_WORKLOADS && !ns.starts_with(SYSTEM_PREFIX) {
                out.push(Replicas {
                    name: workload_name(world, &c.name, ns, kind, name),
                    ready: count(ready),
                    desired: count(desired),
                });
            }
        };
        for d in store.deployments.values() {
            let m = &d.metadata;
            add(
                &m.namespace,
                "deployment",
                &m.name,
                d.status.ready_replicas,
                d.spec.replicas.unwrap_or(1),
            );
        }
        for s in store.statefulsets.values() {
            let m = &s.metadata;
            add(
                &m.namespace,
                "statefulset",
                &m.name,
                s.status.ready_replicas,
                s.spec.replicas.unwrap_or(1),
            );
        }
        for r in store.replicasets.values() {
            let m = &r.metadata;
            if m.owner_references.iter().any(|o| o.kind == "Deployment") {
                continue;
            }
            add(
                &m.namespace,
                "replicaset",
                &m.name,
                r.status.ready_replicas,
                r.spec.replicas.unwrap_or(1),
            );
        }
    }
    out
}

/// How a pod that answered is named in the bar chart.
fn pod_label(world: &World, a: &crate::sim::network::Answered) -> String {
    let mut s = String::new();
    if world.clusters.len() > 1 {
        s.push_str(&a.cluster);
        s.push_str(": ");
    }
    if a.namespace != "default" {
        s.push_str(&a.namespace);
        s.push('/');
    }
    s.push_str(&a.pod);
    s
}

impl Metrics {
    pub fn revision(&self) -> u64 {
        self.revision
    }
    pub fn samples(&self) -> &VecDeque<Sample> {
        &self.samples
    }
    pub fn seconds(&self) -> &VecDeque<Second> {
        &self.seconds
    }

    /// Forget everything that is later than `now` (a new world started at 0 with `sim seed`).
    fn rewind(&mut self, now: Millis) {
        let later = self.samples.back().is_some_and(|s| s.at > now)
            || self.seconds.back().is_some_and(|s| s.second > now / 1000);
        if later {
            self.samples.clear();
            self.seconds.clear();
            self.revision += 1;
        }
    }

    /// Look at the world after a command or a tick: a new sample once a virtual second at
    /// most, or at once when the replicas changed (a `kubectl scale` with the clock paused).
    pub fn observe(&mut self, world: &World) {
        let now = world.now;
        self.rewind(now);
        let same_second = self
            .samples
            .back()
            .is_some_and(|s| s.at / 1000 == now / 1000);
        if same_second {
            let now_replicas = replicas(world);
            let changed = self
                .samples
                .back()
                .is_some_and(|s| s.workloads != now_replicas);
            if !changed {
                return;
            }
            // A change within the same second replaces that second's sample: the step is
            // drawn at this moment.
            if let Some(last) = self.samples.back_mut() {
                if last.at == now {
                    last.workloads = now_replicas;
                    self.revision += 1;
                    return;
                }
            }
            self.push_sample(now, now_replicas);
            return;
        }
        let now_replicas = replicas(world);
        self.push_sample(now, now_replicas);
    }

    fn push_sample(&mut self, at: Millis, workloads: Vec<Replicas>) {
        // Nothing to plot yet, and nothing was: no need to keep empty samples.
        if workloads.is_empty() && self.samples.back().is_none_or(|s| s.workloads.is_empty()) {
            return;
        }
        while self.samples.len() >= MAX_SAMPLES {
            self.samples.pop_front();
        }
        self.samples.push_back(Sample { at, workloads });
        self.revision += 1;
    }

    /// Count the requests a tool made at `world.now`.
    pub fn record(&mut self, world: &World, requests: &[RequestRecord]) {
        self.record_at(world, world.now, requests);
    }

    /// Count requests made at `now` (a shell loop's round, taken after the clock moved on).
    pub fn record_at(&mut self, world: &World, now: Millis, requests: &[RequestRecord]) {
        if requests.is_empty() {
            return;
        }
        self.rewind(now);
        let second = now / 1000;
        if self.seconds.back().is_none_or(|s| s.second != second) {
            while self.seconds.len() >= MAX_SECONDS {
                self.seconds.pop_front();
            }
            self.seconds.push_back(Second {
                second,
                ..Default::default()
            });
        }
        let Some(bucket) = self.seconds.back_mut() else {
            return;
        };
        for r in requests {
            bucket.requests = bucket.requests.saturating_add(1);
            match r.outcome {
                Outcome::Status(status) => {
                    if status >= 400 {
                        bucket.http_errors = bucket.http_errors.saturating_add(1);
                    }
                    let ms = (r.hops as u64).saturating_mul(HOP_MS);
                    bucket.answered = bucket.answered.saturating_add(1);
                    bucket.latency_sum = bucket.latency_sum.saturating_add(ms);
                    bucket.latency_max = bucket.latency_max.max(ms);
                }
                Outcome::Failed(_) | Outcome::NoDns => {
                    bucket.failed = bucket.failed.saturating_add(1);
                }
            }
            for a in &r.served {
                let mut label = pod_label(world, a);
                if !bucket.per_pod.contains_key(&label) && bucket.per_pod.len() >= MAX_PODS {
                    label = "other".into();
                }
                let n = bucket.per_pod.entry(label).or_default();
                *n = n.saturating_add(1);
            }
        }
        self.revision += 1;
    }

    /// Requests answered per pod over the seconds kept, most first (then by name).
    pub fn per_pod(&self) -> Vec<(String, u32)> {
        let mut sum: BTreeMap<&str, u32> = BTreeMap::new();
        for s in &self.seconds {
            for (pod, n) in &s.per_pod {
                let e = sum.entry(pod.as_str()).or_default();
                *e = e.saturating_add(*n);
            }
        }
        let mut out: Vec<(String, u32)> =
            sum.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        crate::sim::sort::by(&mut out, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The workloads in the samples kept, in the order they first appear.
    pub fn workload_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for s in &self.samples {
            for w in &s.workloads {
                if !out.contains(&w.name) {
                    out.push(w.name.clone());
                }
            }
        }
        out
    }

    /// The replicas chart in words: each workload's latest ready/desired.
    pub fn replicas_summary(&self) -> String {
        match self.samples.back() {
            Some(s) if !s.workloads.is_empty() => s
                .workloads
                .iter()
                .map(|w| format!("{}: {} of {} ready", w.name, w.ready, w.desired))
                .collect::<Vec<_>>()
                .join("; "),
            _ => "No Deployment, StatefulSet or ReplicaSet yet.".into(),
        }
    }

    /// The requests-per-pod chart in words.
    pub fn per_pod_summary(&self) -> String {
        let pods = self.per_pod();
        if pods.is_empty() {
            return "No request answered yet.".into();
        }
        pods.iter()
            .map(|(p, n)| format!("{p}: {n} request{}", if *n == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The errors and latency chart in words: totals over the seconds kept, and the last
    /// second with requests.
    pub fn errors_summary(&self) -> String {
        if self.seconds.is_empty() {
            return "No request yet.".into();
        }
        let (mut requests, mut failed, mut http) = (0u64, 0u64, 0u64);
        for s in &self.seconds {
            requests += s.requests as u64;
            failed += s.failed as u64;
            http += s.http_errors as u64;
        }
        let mut text = format!(
            "{requests} request{}: {failed} failed, {http} HTTP error{}",
            if requests == 1 { "" } else { "s" },
            if http == 1 { "" } else { "s" }
        );
        if let Some(last) = self.seconds.back() {
            text.push_str(&format!(
                ". At {}s: {} request{}, {} error{}",
                last.second,
                last.requests,
                if last.requests == 1 { "" } else { "s" },
                last.errors(),
                if last.errors() == 1 { "" } else { "s" }
            ));
            if let Some(mean) = last.latency_mean() {
                text.push_str(&format!(
                    ", latency {mean:.1} ms mean, {} ms max",
                    last.latency_max
                ));
            }
        }
        text
    }
}

#[cfg(test)]
mod tests;
