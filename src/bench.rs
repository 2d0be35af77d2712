//! The engine benchmark behind `pocket-cluster bench`: a cluster of N worker nodes, D Deployments
//! of R replicas each created through the API store, the virtual clock advanced until every pod
//! is Running and Ready, then a few steady-state ticks of the converged world.
//!
//! The target (1,000 nodes, 1,000 Deployments × 100 replicas): converge in under 3 s of
//! wall time natively, a steady tick under 10 ms, peak memory under 500 MB. Wall time and memory
//! come from a [`Host`]: [`Native`] (`std::time::Instant`, the process's peak RSS) for the CLI,
//! `performance.now()` and the wasm memory in the browser (`ui::bench`). The world itself never
//! reads them, so a run is deterministic in everything but its timings.
//!
//! [`traffic`] is the network's benchmark: traced requests per second through the Kubernetes 101
//! seed's gateway (`pocket-cluster bench traffic`).

pub mod route;
pub mod traffic;

use crate::sim::api::*;
use crate::sim::clock::Millis;
use crate::sim::cluster::Profile;
use crate::sim::controllers::pod_ready;
use crate::sim::world::{World, BOOT_TIME};
use std::time::Duration;
#[cfg(not(target_arch = "wasm32"))]
use std::time::Instant;

/// What the benchmark reads from where it runs. The engine never sees it.
pub trait Host {
    /// Wall time in milliseconds since any fixed origin.
    fn now_ms(&self) -> f64;
    /// Peak memory in MiB, and what that figure is (printed with it), where the host knows.
    fn memory_mb(&self) -> Option<(f64, &'static str)>;
}

/// The native host: `std::time::Instant` (which panics on wasm32-unknown-unknown) and VmHWM.
#[cfg(not(target_arch = "wasm32"))]
pub struct Native(Instant);

#[cfg(not(target_arch = "wasm32"))]
impl Default for Native {
    fn default() -> Self {
        Native(Instant::now())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Host for Native {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1000.0
    }
    fn memory_mb(&self) -> Option<(f64, &'static str)> {
        peak_rss_mb().map(|m| (m, "VmHWM"))
    }
}

/// Wall time since `t`, a [`Host::now_ms`] reading.
fn since(host: &dyn Host, t: f64) -> Duration {
    Duration::from_secs_f64((host.now_ms() - t).max(0.0) / 1000.0)
}

/// The namespace the benchmark's Deployments live in.
const NAMESPACE: &str = "default";

/// What to build and how long to wait for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Worker nodes (the cluster also has one master, tainted NoSchedule).
    pub nodes: usize,
    pub deployments: usize,
    pub replicas: usize,
    pub seed: u64,
    /// Virtual time advanced per convergence step.
    pub step_ms: Millis,
    /// Give up converging after this much virtual time.
    pub max_virtual_ms: Millis,
    /// Steady-state ticks to time after convergence (each `advance(step_ms)`).
    pub ticks: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            nodes: 1000,
            deployments: 1000,
            replicas: 100,
            seed: 1,
            step_ms: 1000,
            max_virtual_ms: 10 * 60_000,
            ticks: 20,
        }
    }
}

/// Where convergence stands after one step (for a progress line).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Virtual time since the Deployments were created.
    pub virtual_ms: Millis,
    /// Pods of the benchmark's namespace that are Running and Ready.
    pub ready: usize,
    /// Pods of the benchmark's namespace that exist.
    pub pods: usize,
    /// Wall time spent converging so far.
    pub wall: Duration,
}

impl Progress {
    /// The line printed after each step: on stderr by the CLI, under the report in the page.
    pub fn line(&self) -> String {
        format!(
            "  t+{:>4} s virtual  {:>7}/{} pods ready  {:>9.1} s wall",
            self.virtual_ms / 1000,
            self.ready,
            self.pods,
            self.wall.as_secs_f64()
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub options: Options,
    /// Pods the Deployments ask for (deployments × replicas).
    pub pods_wanted: usize,
    /// Pods Running and Ready at the end of the converge phase.
    pub pods_ready: usize,
    /// Every wanted pod is Running and Ready (and no others exist in the namespace).
    pub converged: bool,
    /// Wall time to build the cluster and boot it (kube-proxy on every node, CoreDNS).
    pub boot: Duration,
    /// Wall time to write the Deployments into the store and settle once.
    pub create: Duration,
    /// Wall time advancing the clock until convergence (or the cap).
    pub converge: Duration,
    /// Virtual time from creation to convergence (or to the cap).
    pub converge_virtual_ms: Millis,
    /// Convergence steps taken (`advance(step_ms)` calls).
    pub steps: usize,
    /// Steady-state tick wall times, in the order measured.
    pub ticks: Vec<Duration>,
    /// Writes and syncs from the Deployments' creation to convergence.
    pub work: Counters,
    /// Peak memory in MiB where the host reports it: the process's resident set (VmHWM)
    /// natively, the wasm linear memory (which only grows) in the browser.
    pub peak_mb: Option<f64>,
    /// What `peak_mb` measures ("VmHWM", "wasm linear memory").
    pub peak_of: &'static str,
}

impl Report {
    /// Create plus converge: the "converge natively" number.
    pub fn to_running(&self) -> Duration {
        self.create + self.converge
    }

    pub fn tick_median(&self) -> Option<Duration> {
        percentile(&self.ticks, 50)
    }

    pub fn tick_p95(&self) -> Option<Duration> {
        percentile(&self.ticks, 95)
    }

    /// One line per metric.
    pub fn text(&self) -> String {
        let o = &self.options;
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<18}{v}\n"));
        line(
            "size",
            format!(
                "{} nodes, {} deployments × {} replicas = {} pods (seed {})",
                o.nodes, o.deployments, o.replicas, self.pods_wanted, o.seed
            ),
        );
        line("boot", ms(self.boot));
        line("create", ms(self.create));
        line(
            "converge",
            format!(
                "{} wall, {} virtual in {} steps",
                ms(self.converge),
                virtual_time(self.converge_virtual_ms),
                self.steps
            ),
        );
        line("create+converge", ms(self.to_running()));
        line(
            "pods ready",
            format!(
                "{}/{}{}",
                self.pods_ready,
                self.pods_wanted,
                if self.converged {
                    ""
                } else {
                    " (NOT converged)"
                }
            ),
        );
        let tick = |d: Option<Duration>| d.map(ms).unwrap_or_else(|| "-".into());
        line(
            "steady tick",
            format!(
                "median {}, p95 {} over {} ticks of {}",
                tick(self.tick_median()),
                tick(self.tick_p95()),
                self.ticks.len(),
                virtual_time(o.step_ms)
            ),
        );
        let per_pod = |n: u64| n as f64 / self.pods_wanted.max(1) as f64;
        let c = &self.work;
        line(
            "work per pod",
            format!(
                "{:.1} writes ({}), {:.1} syncs ({}), {:.2} passes",
                per_pod(c.writes.values().sum()),
                c.writes
                    .iter()
                    .map(|(k, v)| format!("{k} {:.1}", per_pod(*v)))
                    .collect::<Vec<_>>()
                    .join(", "),
                per_pod(c.syncs.values().sum()),
                c.syncs
                    .iter()
                    .map(|(k, v)| format!("{k} {:.1}", per_pod(*v)))
                    .collect::<Vec<_>>()
                    .join(", "),
                per_pod(c.passes)
            ),
        );
        line(
            "peak memory",
            self.peak_mb
                .map(|m| format!("{m:.0} MB ({})", self.peak_of))
                .unwrap_or_else(|| "unknown".into()),
        );
        out
    }
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1000.0;
    if v < 0.1 {
        format!("{:.1} µs", v * 1000.0)
    } else if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.0} ms")
    }
}

fn virtual_time(v: Millis) -> String {
    if v.is_multiple_of(1000) {
        format!("{} s", v / 1000)
    } else {
        format!("{:.1} s", v as f64 / 1000.0)
    }
}

/// The nearest-rank percentile of some durations.
fn percentile(samples: &[Duration], p: usize) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    crate::sim::sort::natural(&mut s);
    let rank = (p * s.len()).div_ceil(100).max(1);
    Some(s[rank - 1])
}

/// Peak resident set size in MiB, from `/proc/self/status` (Linux only).
#[cfg(not(target_arch = "wasm32"))]
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// `bench-0001`: zero-padded so the store's ordered walk matches creation order.
fn deployment_name(i: usize, total: usize) -> String {
    let width = total.to_string().len();
    format!("bench-{i:0width$}")
}

fn deployment(name: &str, replicas: usize) -> Deployment {
    let labels: Labels = crate::sim::sort::map_of([("app".to_string(), name.to_string())]);
    Deployment {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        metadata: ObjectMeta {
            name: name.into(),
            namespace: NAMESPACE.into(),
            labels: labels.clone().into(),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas as i64),
            selector: Some(LabelSelector {
                match_labels: labels.clone(),
                match_expressions: Vec::new(),
            }),
            template: PodTemplateSpec {
                metadata: ObjectMeta {
                    labels: labels.into(),
                    ..Default::default()
                },
                spec: PodSpecFields {
                    containers: vec![Container {
                        name: "nginx".into(),
                        image: "nginx:1.25".into(),
                        ..Default::default()
                    }]
                    .into(),
                    ..Default::default()
                }
                .into(),
            },
            ..Default::default()
        },
        status: DeploymentStatus::default(),
    }
}

/// (Running and Ready pods, all pods) in the benchmark's namespace.
fn count(world: &World) -> (usize, usize) {
    let mut ready = 0;
    let mut all = 0;
    for p in world.cluster().store.pods.in_namespace(Some(NAMESPACE)) {
        all += 1;
        if p.status.phase == "Running" && pod_ready(p) {
            ready += 1;
        }
    }
    (ready, all)
}

/// A world holding only the benchmark's cluster: one master and `nodes` workers, booted.
fn build(opts: &Options) -> World {
    let mut world = World::new(opts.seed);
    world.clusters.clear();
    let index = world.add_cluster("bench", Profile::Kubeadm, 1, opts.nodes);
    world.current = index;
    world.advance(BOOT_TIME);
    world
}

#[cfg(not(target_arch = "wasm32"))]
pub fn run(opts: &Options) -> Report {
    run_with_progress(opts, &Native::default(), &mut |_| {})
}

/// Run the benchmark, timed by `host`, calling `progress` after every convergence step.
pub fn run_with_progress(
    opts: &Options,
    host: &dyn Host,
    progress: &mut dyn FnMut(Progress),
) -> Report {
    let t = host.now_ms();
    let mut world = build(opts);
    let boot = since(host, t);

    let wanted = opts.deployments * opts.replicas;
    let before = world.clusters[world.current].store.watch.counters.clone();
    let t = host.now_ms();
    let start = world.now;
    {
        let w = &mut world;
        let c = &mut w.clusters[w.current];
        for i in 1..=opts.deployments {
            let name = deployment_name(i, opts.deployments);
            if let Err(e) = c
                .store
                .create(deployment(&name, opts.replicas), w.now, &mut w.rng)
            {
                panic!("bench: creating deployment {name}: {}", e.message());
            }
        }
    }
    world.settle();
    let create = since(host, t);

    let t = host.now_ms();
    let mut steps = 0;
    let (mut ready, mut all) = count(&world);
    while !(ready == wanted && all == wanted) && world.now - start < opts.max_virtual_ms {
        world.advance(opts.step_ms);
        steps += 1;
        (ready, all) = count(&world);
        progress(Progress {
            virtual_ms: world.now - start,
            ready,
            pods: all,
            wall: since(host, t),
        });
    }
    let converge = since(host, t);
    let after = &world.clusters[world.current].store.watch.counters;
    let diff = |a: &std::collections::BTreeMap<&'static str, u64>,
                b: &std::collections::BTreeMap<&'static str, u64>| {
        crate::sim::sort::map_of(
            a.iter()
                .map(|(k, v)| (*k, v - b.get(k).copied().unwrap_or(0))),
        )
    };
    let work = Counters {
        writes: diff(&after.writes, &before.writes),
        syncs: diff(&after.syncs, &before.syncs),
        passes: after.passes - before.passes,
    };
    let converged = ready == wanted && all == wanted;
    let converge_virtual_ms = world.now - start;

    let mut ticks = Vec::with_capacity(opts.ticks);
    for _ in 0..opts.ticks {
        let t = host.now_ms();
        world.advance(opts.step_ms);
        ticks.push(since(host, t));
    }

    let memory = host.memory_mb();
    Report {
        options: opts.clone(),
        pods_wanted: wanted,
        pods_ready: ready,
        converged,
        boot,
        create,
        converge,
        converge_virtual_ms,
        steps,
        ticks,
        work,
        peak_mb: memory.map(|m| m.0),
        peak_of: memory.map_or("", |m| m.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tiny_bench_converges() {
        let opts = Options {
            nodes: 3,
            deployments: 2,
            replicas: 3,
            ticks: 3,
            ..Options::default()
        };
        let r = run(&opts);
        assert!(r.converged, "{}", r.text());
        assert_eq!(r.pods_wanted, 6);
        assert_eq!(r.pods_ready, 6);
        assert_eq!(r.ticks.len(), 3);
        assert!(r.converge_virtual_ms <= 60_000, "{}", r.text());
        assert!(r.text().contains("6/6"));
    }

    /// The pods of a ReplicaSet hold one copy of their spec's fields, the template's, and one
    /// of their owner reference, through admission, scheduling and the kubelet's status writes
    /// (what keeps 100,000 pods small).
    #[test]
    fn pods_share_their_templates_spec() {
        let opts = Options {
            nodes: 3,
            deployments: 2,
            replicas: 3,
            ..Options::default()
        };
        let mut world = build(&opts);
        {
            let w = &mut world;
            let c = &mut w.clusters[w.current];
            for i in 1..=opts.deployments {
                let name = deployment_name(i, opts.deployments);
                let made = c
                    .store
                    .create(deployment(&name, opts.replicas), w.now, &mut w.rng);
                assert!(made.is_ok(), "{name}");
            }
        }
        world.advance(60_000);
        assert_eq!(count(&world), (6, 6));
        let store = &world.cluster().store;
        let mut checked = 0;
        for rs in store.replicasets.in_namespace(Some(NAMESPACE)) {
            let mut owners: Option<&Shared<Vec<OwnerReference>>> = None;
            for pod in store.owned::<Pod>(&rs.metadata.uid) {
                // And one copy of their owner reference.
                let mine = &pod.metadata.owner_references;
                assert!(
                    owners.is_none_or(|o| o.ptr_eq(mine)),
                    "{} has its own copy of its owner reference",
                    pod.metadata.name
                );
                owners = Some(mine);
                assert!(!pod.spec.node_name.is_empty(), "{}", pod.metadata.name);
                assert!(
                    pod.spec.shares_fields_with(&rs.spec.template.spec),
                    "{} has its own copy of its spec",
                    pod.metadata.name
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 6);
    }

    /// A host whose clock moves 1 ms per reading and which reports a fixed memory figure.
    struct Fake(std::cell::Cell<f64>);

    impl Host for Fake {
        fn now_ms(&self) -> f64 {
            self.0.set(self.0.get() + 1.0);
            self.0.get()
        }
        fn memory_mb(&self) -> Option<(f64, &'static str)> {
            Some((42.0, "fake memory"))
        }
    }

    #[test]
    fn the_host_times_it_and_names_its_memory() {
        let opts = Options {
            nodes: 2,
            deployments: 1,
            replicas: 2,
            ticks: 2,
            ..Options::default()
        };
        let mut lines = Vec::new();
        let r = run_with_progress(&opts, &Fake(0.0.into()), &mut |p| lines.push(p.line()));
        assert!(r.converged, "{}", r.text());
        assert_eq!(r.boot, Duration::from_millis(1));
        assert_eq!(r.ticks, vec![Duration::from_millis(1); 2]);
        assert_eq!(lines.len(), r.steps);
        assert!(
            lines.last().unwrap().contains("2/2 pods ready"),
            "{lines:?}"
        );
        assert!(
            r.text().contains("peak memory       42 MB (fake memory)\n"),
            "{}",
            r.text()
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let d: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50), Some(Duration::from_millis(10)));
        assert_eq!(percentile(&d, 95), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn small_times_print_in_microseconds() {
        assert_eq!(ms(Duration::from_nanos(3_400)), "3.4 µs");
        assert_eq!(ms(Duration::from_micros(120)), "0.12 ms");
        assert_eq!(ms(Duration::from_millis(25)), "25 ms");
    }

    #[test]
    fn names_sort_in_creation_order() {
        assert_eq!(deployment_name(7, 1000), "bench-0007");
        assert_eq!(deployment_name(1000, 1000), "bench-1000");
    }
}
