//! The kubelets: for each pod bound to a node, pull images, start containers, restart them by the
//! pod's restartPolicy with back-off, stop them on deletion, and report status back to the API.

use super::api::name_key::NameKey;
use super::api::*;
use super::clock::{go_duration, secs, Millis};
use super::fxhash::FxHashMap;
use super::images::{self, Behaviour};
use super::rng::Rng;
use super::scheduler::set_condition;
use std::collections::{BTreeMap, BTreeSet};

/// Back-off for image pulls and container restarts: 10 s doubling to 5 minutes (facts 14, 15).
const BACKOFF_START: Millis = 10_000;
const BACKOFF_MAX: Millis = 300_000;
/// A container that ran this long without trouble has its back-off reset (fact 14).
const BACKOFF_RESET: Millis = 600_000;
/// How long ErrImagePull shows before the back-off begins.
const ERR_IMAGE_PULL_SHOWN: Millis = 1_000;

#[derive(Debug, Clone, PartialEq)]
pub enum RunState {
    Pulling {
        started: Millis,
        done: Millis,
    },
    ErrImagePull {
        until: Millis,
    },
    PullBackOff {
        retry: Millis,
    },
    Running {
        since: Millis,
        exits: Option<(Millis, i64)>,
    },
    /// Exited, waiting for a restart at `restart` (None: will not restart).
    Exited {
        code: i64,
        reason: String,
        started: Millis,
        finished: Millis,
        restart: Option<Millis>,
    },
    Stopping {
        until: Millis,
    },
    /// Not started yet: an init container before it is the one due, or an app container
    /// while init containers run (`PodInitializing`).
    Waiting,
    /// Could not be created: a ConfigMap, Secret or key its environment needs is missing
    /// (`CreateContainerConfigError`); the kubelet tries again at `retry`.
    ConfigError {
        message: String,
        retry: Millis,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerRuntime {
    pub name: String,
    pub image: String,
    pub state: RunState,
    pub restarts: i64,
    pub backoff: Millis,
    /// The exit before the current run (boxed: most containers never exited).
    pub last_exit: Option<Box<(i64, String, Millis, Millis)>>,
    /// Shared with the container's status in the API (one copy of the 77 bytes).
    pub container_id: SharedStr,
    pub probes: ProbeState,
    /// The Service variables this container instance started with (fact 56 (d): fixed at
    /// start, so Services made later do not appear until it restarts). Shared between the
    /// containers that started with the same Services.
    pub service_env: SharedEnv,
    /// The values its `env[].valueFrom` and `envFrom` resolved to when it started (fixed then:
    /// a ConfigMap edited later does not change them, fact 62). None when there are none (most
    /// containers): see [`ContainerRuntime::config_env`].
    pub config_env: Option<Box<ConfigEnv>>,
    /// Copies of the projected files its `subPath` mounts show, taken when it started.
    pub pinned: BTreeMap<String, super::fs::Tree>,
    /// What a data store found in its files when it started (datastores.rs).
    pub boot: Option<super::datastores::Boot>,
}

impl ContainerRuntime {
    /// What its config references resolved to when it started (empty when it has none).
    pub fn config_env(&self) -> &ConfigEnv {
        static NONE: ConfigEnv = ConfigEnv {
            from: Vec::new(),
            values: BTreeMap::new(),
            skipped: Vec::new(),
        };
        self.config_env.as_deref().unwrap_or(&NONE)
    }
}

/// A container's resolved config references: `envFrom` pairs in order, then each
/// `valueFrom` variable's value by name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigEnv {
    pub from: Vec<(String, String)>,
    pub values: BTreeMap<String, String>,
    /// `InvalidEnvironmentVariableNames` warnings (fact 63).
    pub skipped: Vec<String>,
}

/// Where each probe of a running container stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeState {
    pub next_readiness: Option<Millis>,
    pub next_liveness: Option<Millis>,
    /// Counts of consecutive results (u32: with the ready flag they fit the padding the two
    /// deadlines leave, keeping a container's record at 256 bytes).
    pub readiness_failures: u32,
    pub readiness_successes: u32,
    pub liveness_failures: u32,
    /// Readiness as the readiness probe last decided (true at once when there is no probe).
    pub ready: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodRuntime {
    pub uid: String,
    /// The node it runs on, and its host number in the node's pod CIDR (None: host network).
    pub node: String,
    pub host: Option<u32>,
    pub ip: String,
    pub started: Millis,
    /// The pod's init containers, in order, then its app containers.
    pub containers: Vec<ContainerRuntime>,
    /// How many of `containers` are init containers.
    pub init_count: usize,
    /// Its volumes on the node (emptyDirs, projected files, claims); None for a pod without
    /// volumes (most: boxed so that they cost one pointer), which is mounted from the start.
    pub volumes: Option<Box<super::volumes::PodVolumes>>,
}

impl PodRuntime {
    /// Whether every volume is set up, so containers may start.
    pub fn mounted(&self) -> bool {
        self.volumes.as_ref().is_none_or(|v| v.mounted)
    }

    /// Its volumes (nothing mounted, for a pod without volumes).
    pub fn volumes(&self) -> std::borrow::Cow<'_, super::volumes::PodVolumes> {
        match &self.volumes {
            Some(v) => std::borrow::Cow::Borrowed(&**v),
            None => std::borrow::Cow::Owned(super::volumes::PodVolumes {
                mounted: true,
                ..Default::default()
            }),
        }
    }

    /// The spec of container slot `i` (init containers first).
    pub fn spec<'a>(&self, pod: &'a Pod, i: usize) -> Option<&'a Container> {
        if i < self.init_count {
            pod.spec.init_containers.get(i)
        } else {
            pod.spec.containers.get(i - self.init_count)
        }
    }

    /// A restartable init container (`restartPolicy: Always`): a sidecar, which keeps running
    /// next to the app containers once started.
    fn is_sidecar(&self, pod: &Pod, i: usize) -> bool {
        i < self.init_count
            && self
                .spec(pod, i)
                .is_some_and(|c| c.restart_policy == "Always")
    }

    /// Whether init container `i` has done its part: exited 0 for good, or, for a sidecar,
    /// started.
    fn init_done(&self, pod: &Pod, i: usize) -> bool {
        let c = &self.containers[i];
        if self.is_sidecar(pod, i) {
            return c.restarts > 0 || matches!(c.state, RunState::Running { .. });
        }
        matches!(
            c.state,
            RunState::Exited {
                code: 0,
                restart: None,
                ..
            }
        )
    }

    /// The first init container that has not done its part (None: initialised).
    pub fn pending_init(&self, pod: &Pod) -> Option<usize> {
        (0..self.init_count).find(|i| !self.init_done(pod, *i))
    }

    /// An init container failed and will not be restarted (restartPolicy Never): the pod fails.
    fn init_failed(&self) -> bool {
        self.containers[..self.init_count].iter().any(|c| {
            matches!(
                c.state,
                RunState::Exited {
                    code,
                    restart: None,
                    ..
                } if code != 0
            )
        })
    }

    /// The earliest moment one of this pod's containers changes by itself.
    /// Every moment one of this pod's containers changes by itself (some may be past).
    pub fn deadlines(&self) -> impl Iterator<Item = Millis> + '_ {
        self.containers
            .iter()
            .filter_map(|c| match c.state {
                RunState::Pulling { done, .. } => Some(done),
                RunState::ErrImagePull { until } => Some(until),
                RunState::PullBackOff { retry } => Some(retry),
                RunState::Running {
                    exits: Some((at, _)),
                    ..
                } => Some(at),
                RunState::Exited {
                    restart: Some(r), ..
                } => Some(r),
                RunState::Stopping { until } => Some(until),
                RunState::ConfigError { retry, .. } => Some(retry),
                _ => None,
            })
            .chain(self.volumes.as_ref().and_then(|v| v.deadline()))
            .chain(
                self.containers
                    .iter()
                    .filter(|c| matches!(c.state, RunState::Running { .. }))
                    .flat_map(|c| [c.probes.next_readiness, c.probes.next_liveness])
                    .flatten(),
            )
    }

    /// Whether something is due at `now`.
    pub fn due(&self, now: Millis) -> bool {
        self.deadlines().any(|t| t <= now)
    }
}

/// Run one probe against a container that has been running since `since`. Err carries what
/// the kubelet reports (`HTTP probe failed with statuscode: 404`, a refused connection, …).
fn run_probe(
    probe: &Probe,
    spec: &Container,
    ip: &str,
    since: Millis,
    now: Millis,
) -> Result<(), String> {
    let mut command = spec.command.clone();
    command.extend(spec.args.iter().cloned());
    let port_of = |p: &IntOrString| -> i64 {
        match p {
            IntOrString::Int(n) => *n,
            IntOrString::Str(name) => spec
                .ports
                .iter()
                .find(|cp| &cp.name == name)
                .map(|cp| cp.container_port)
                .unwrap_or(0),
        }
    };
    let elapsed = now.saturating_sub(since);
    if let Some(h) = &probe.http_get {
        let port = port_of(&h.port);
        let scheme = h.scheme.to_ascii_lowercase();
        return match images::http_status(&spec.image, &command, port, &h.path, elapsed) {
            None => Err(format!(
                "Get \"{scheme}://{ip}:{port}{}\": dial tcp {ip}:{port}: connect: connection refused",
                h.path
            )),
            Some(code) if (200..400).contains(&code) => Ok(()),
            Some(code) => Err(format!("HTTP probe failed with statuscode: {code}")),
        };
    }
    if let Some(t) = &probe.tcp_socket {
        let port = port_of(&t.port);
        return if images::tcp_open(&spec.image, &command, port) {
            Ok(())
        } else {
            Err(format!("dial tcp {ip}:{port}: connect: connection refused"))
        };
    }
    if let Some(e) = &probe.exec {
        // `cat FILE`, `ls FILE`, `test -e FILE` check the container's files; other commands succeed.
        let words: Vec<&str> = e.command.iter().map(String::as_str).collect();
        let file = match words.as_slice() {
            ["cat", f] | ["ls", f] | ["test", "-e" | "-f", f] => Some(*f),
            [_, "-c", script] => script
                .split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .find(|w| w[0] == "cat")
                .map(|w| w[1]),
            _ => None,
        };
        return match file {
            Some(f) if !images::file_exists(&command, f, elapsed) => {
                Err(format!("cat: can't open '{f}': No such file or directory"))
            }
            _ => Ok(()),
        };
    }
    Ok(())
}

/// Each pod's runtime record, by namespace and then name (kept inline: `NameKey`), so the
/// records need no copy of their keys' strings.
#[derive(Debug, Clone, Default)]
pub struct Runtimes(FxHashMap<String, FxHashMap<NameKey, PodRuntime>>);

impl Runtimes {
    pub fn get(&self, key: &(String, String)) -> Option<&PodRuntime> {
        self.0.get(&key.0)?.get(key.1.as_bytes())
    }

    pub fn get_mut(&mut self, key: &(String, String)) -> Option<&mut PodRuntime> {
        self.0.get_mut(&key.0)?.get_mut(key.1.as_bytes())
    }

    pub fn contains_key(&self, key: &(String, String)) -> bool {
        self.get(key).is_some()
    }

    pub fn insert(&mut self, key: &(String, String), rt: PodRuntime) {
        let names = match self.0.get_mut(&key.0) {
            Some(names) => names,
            None => self.0.entry(key.0.clone()).or_default(),
        };
        names.insert(NameKey::new(&key.1), rt);
    }

    pub fn remove(&mut self, key: &(String, String)) -> Option<PodRuntime> {
        self.0.get_mut(&key.0)?.remove(key.1.as_bytes())
    }

    /// Every record, in no particular order.
    pub fn values(&self) -> impl Iterator<Item = &PodRuntime> {
        self.0.values().flat_map(|names| names.values())
    }
}

/// Per-cluster kubelet state: what each node has pulled, and each pod's containers.
#[derive(Debug, Clone, Default)]
pub struct Kubelets {
    /// Looked up by key, never walked (so hash maps).
    pub pods: Runtimes,
    /// The images each node has, by node (looked up, never walked).
    pub images: FxHashMap<String, BTreeSet<String>>,
    pub next_host: FxHashMap<String, u32>,
    /// Host numbers of the pod IPs in use on each node.
    hosts_in_use: FxHashMap<String, BTreeSet<u32>>,
    /// Each container instance's writable layer, by containerID (see `fs.rs`).
    pub files: BTreeMap<String, super::fs::Layer>,
    /// The nodes' own files (hostPath) and the PersistentVolumes' disks (see `volumes.rs`).
    pub storage: super::volumes::Storage,
    /// The pod conditions reported last, to hand one copy to the pods that report the same.
    conditions: RecentConditions,
}

/// The last few lists of pod conditions the kubelets reported. Pods started together report
/// the same ones (scheduled, initialised and Ready in the same seconds), so a pod's new
/// conditions are looked for here first and shared when found: 100,000 pods of a benchmark
/// hold a handful of copies (four conditions, 480 bytes, each) instead of 100,000.
#[derive(Debug, Clone, Default)]
struct RecentConditions {
    slots: Vec<Shared<Vec<Condition>>>,
    /// The slot that matched or was filled last (looked at first).
    last: usize,
}

/// Slots of `RecentConditions`.
const CONDITION_SLOTS: usize = 8;

impl RecentConditions {
    /// One copy of these conditions: the pod's own when they did not change, a recent one
    /// when equal, or a new one.
    fn share(
        &mut self,
        old: &Shared<Vec<Condition>>,
        new: Vec<Condition>,
    ) -> Shared<Vec<Condition>> {
        if **old == new {
            return old.clone();
        }
        let n = self.slots.len();
        for k in 0..n {
            let i = (self.last + k) % n;
            if *self.slots[i] == new {
                self.last = i;
                return self.slots[i].clone();
            }
        }
        let shared = Shared::new(new);
        if n < CONDITION_SLOTS {
            self.slots.push(shared.clone());
            self.last = n;
        } else {
            self.last = (self.last + 1) % n;
            self.slots[self.last] = shared.clone();
        }
        shared
    }
}

/// What a kubelet knows of its own node.
pub struct NodeView {
    pub name: String,
    pub ip: String,
    pub pod_cidr: String,
    /// The first three numbers of the pod CIDR (`10.244.3`), which pod IPs start with.
    ip_prefix: String,
}

impl NodeView {
    fn new(node: &Node) -> NodeView {
        let base = node.spec.pod_cidr.split('/').next().unwrap_or("10.244.0.0");
        let prefix: Vec<&str> = base.split('.').take(3).collect();
        NodeView {
            name: node.metadata.name.clone(),
            ip: node_ip(node),
            pod_cidr: node.spec.pod_cidr.clone(),
            ip_prefix: prefix.join("."),
        }
    }
}

struct Ctx<'a> {
    now: Millis,
    rng: &'a mut Rng,
    events: Vec<(String, String, &'static str, &'static str, String)>,
    /// The Service variables for the pod being synced (by namespace and enableServiceLinks),
    /// made once per sync for the namespaces it touches.
    service_env: SharedEnv,
    env_by_namespace: BTreeMap<(String, bool), SharedEnv>,
    /// The pod being synced: each container's config references resolved against the API
    /// (empty when it has none), or why one cannot be.
    pod_env: Vec<Result<ConfigEnv, String>>,
}

/// Environment variables shared between the containers that start with the same ones.
pub type SharedEnv = std::sync::Arc<Vec<(String, String)>>;

/// What a Service contributes to a pod's environment.
#[derive(Debug, Clone)]
pub struct ServiceLink {
    name: String,
    ip: String,
    ports: Vec<(String, i64, String)>,
}

impl Ctx<'_> {
    fn event(&mut self, pod: &Pod, type_: &'static str, reason: &'static str, message: String) {
        self.events.push((
            pod.metadata.namespace.clone(),
            pod.metadata.name.clone(),
            type_,
            reason,
            message,
        ));
    }
}

fn pull_time(image: &str, rng: &mut Rng) -> Millis {
    match images::lookup(image) {
        Some(i) => rng.between(i.pull_ms.0, i.pull_ms.1),
        None => rng.between(400, 1_200),
    }
}

/// When a container started now exits, and with which code (None: runs until stopped).
fn exit_plan(pod: &Pod, c: &Container, now: Millis) -> Option<(Millis, i64)> {
    let image = images::lookup(&c.image)?;
    match image.behaviour {
        Behaviour::Serve => {
            let (repo, _) = images::normalise(&c.image);
            let has_password = c.env.iter().any(|e| e.name == "POSTGRES_PASSWORD")
                || c.env.iter().any(|e| e.name == "POSTGRES_HOST_AUTH_METHOD");
            if repo == "postgres" && !has_password {
                return Some((now.saturating_add(800), 1));
            }
            let _ = pod;
            None
        }
        Behaviour::Command => {
            let mut cmd = c.command.clone();
            cmd.extend(c.args.iter().cloned());
            if images::normalise(&c.image).0 == "pocketcluster/batch" {
                // The course's batch step works for its first argument (default 10 s), then succeeds.
                let ms = cmd
                    .first()
                    .and_then(|d| crate::sim::clock::parse_duration(d).ok())
                    .unwrap_or(10_000);
                return Some((now.saturating_add(ms.max(50)), 0));
            }
            images::command_runtime(&cmd).map(|ms| {
                (
                    now.saturating_add(ms.max(50)),
                    images::command_exit_code(&cmd),
                )
            })
        }
        Behaviour::ExitsAtOnce(code) => Some((now.saturating_add(2_000), code as i64)),
        Behaviour::MemoryHog => {
            let mut cmd = c.command.clone();
            cmd.extend(c.args.iter().cloned());
            let limit = c
                .resources
                .limits
                .get("memory")
                .and_then(|q| crate::sim::quantity::bytes(&q.0));
            match limit {
                Some(l) if images::hog_bytes(&cmd) > l => {
                    Some((now.saturating_add(1_500), images::OOM_EXIT))
                }
                _ => None,
            }
        }
    }
}

impl Kubelets {
    /// The next free address in the node's pod CIDR (10.244.N.0/24), going round.
    fn allocate_ip(&mut self, node: &NodeView) -> (String, Option<u32>) {
        let prefix = &node.ip_prefix;
        // Looked up first: the node's name is copied only for its first pod.
        if !self.next_host.contains_key(&node.name) {
            self.next_host.insert(node.name.clone(), 2);
        }
        if !self.hosts_in_use.contains_key(&node.name) {
            self.hosts_in_use.insert(node.name.clone(), BTreeSet::new());
        }
        let (Some(counter), Some(used)) = (
            self.next_host.get_mut(&node.name),
            self.hosts_in_use.get_mut(&node.name),
        ) else {
            return (format!("{prefix}.255"), None);
        };
        for _ in 0..253 {
            let host = *counter;
            *counter = if *counter >= 254 { 2 } else { *counter + 1 };
            if !used.contains(&host) {
                used.insert(host);
                return (format!("{prefix}.{host}"), Some(host));
            }
        }
        (format!("{prefix}.255"), None)
    }

    /// Forget a pod's runtime (the pod is gone from the API, or was replaced), freeing its IP.
    fn forget(&mut self, key: &(String, String)) {
        if let Some(rt) = self.pods.remove(key) {
            if let (Some(host), Some(used)) = (rt.host, self.hosts_in_use.get_mut(&rt.node)) {
                used.remove(&host);
            }
        }
    }

    /// Set up the pod's volumes before its containers start (retrying with back-off while one
    /// cannot be mounted: `FailedMount`), and re-project its ConfigMaps and Secrets at each
    /// periodic sync once it runs.
    fn mount(&mut self, store: &Store, pod: &Pod, rt: &mut PodRuntime, ctx: &mut Ctx) {
        let now = ctx.now;
        if pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some(v) = rt.volumes.as_deref_mut() else {
            // No volumes: nothing to mount or project.
            return;
        };
        if !v.mounted {
            if v.retry.is_some_and(|(at, _)| at > now) {
                return;
            }
            if let Err((name, message)) =
                super::volumes::mount_pod(store, pod, v, &mut self.storage, now)
            {
                // The kubelet's volume manager retries from 500 ms, doubling to 2m2s.
                let backoff = v
                    .retry
                    .map(|(_, b)| b.saturating_mul(2).min(122_000))
                    .unwrap_or(500);
                v.retry = Some((now.saturating_add(backoff), backoff));
                ctx.event(
                    pod,
                    "Warning",
                    "FailedMount",
                    format!("MountVolume.SetUp failed for volume \"{name}\" : {message}"),
                );
            }
        } else if !v.projected.is_empty()
            && now >= v.refreshed.saturating_add(super::volumes::RESYNC)
        {
            super::volumes::refresh(store, pod, v, now);
        }
    }

    /// Sync the pods the kubelets' queue holds: pods whose API object changed, and pods whose
    /// containers have something due now (a pull ending, a back-off over, a probe).
    pub fn sync(
        &mut self,
        store: &mut Store,
        stopped: &BTreeSet<String>,
        now: Millis,
        rng: &mut Rng,
    ) {
        let keys = store.watch.kubelet.take(now);
        if keys.is_empty() {
            return;
        }
        *store.watch.counters.syncs.entry("kubelet").or_default() += keys.len() as u64;
        let mut nodes: FxHashMap<String, Option<NodeView>> = FxHashMap::default();
        let mut ctx = Ctx {
            now,
            rng,
            events: Vec::new(),
            service_env: Default::default(),
            env_by_namespace: BTreeMap::new(),
            pod_env: Vec::new(),
        };
        let mut removed = Vec::new();
        // Pods waiting for their volumes to attach, and pods that got them (controllers/volume.rs).
        let (mut held, mut attached) = (Vec::new(), Vec::new());
        for key in keys {
            let Some(pod) = store.pods.get(&key.0, &key.1) else {
                // Gone from the API: the kubelet forgets it.
                self.forget(&key);
                continue;
            };
            if self
                .pods
                .get(&key)
                .is_some_and(|rt| rt.uid != pod.metadata.uid)
                || pod.spec.node_name.is_empty()
            {
                // Replaced under the same name (a StatefulSet's pod), or not bound any more.
                self.forget(&key);
            }
            if pod.spec.node_name.is_empty() || stopped.contains(&pod.spec.node_name) {
                // A powered-off node does nothing; starting it again wakes its pods.
                store.watch.kubelet.set_timer(&key, None);
                continue;
            }
            let links = (
                pod.metadata.namespace.clone(),
                pod.spec.enable_service_links != Some(false),
            );
            ctx.service_env = match ctx.env_by_namespace.get(&links) {
                Some(env) => env.clone(),
                None => {
                    let env = std::sync::Arc::new(service_env(&service_links(store, pod)));
                    ctx.env_by_namespace.insert(links, env.clone());
                    env
                }
            };
            if !nodes.contains_key(&pod.spec.node_name) {
                let view = store.nodes.get("", &pod.spec.node_name).map(NodeView::new);
                nodes.insert(pod.spec.node_name.clone(), view);
            }
            let Some(node) = nodes.get(&pod.spec.node_name).and_then(Option::as_ref) else {
                continue;
            };
            if !self.pods.contains_key(&key) {
                if pod.metadata.deletion_timestamp.is_some() {
                    removed.push(key);
                    continue;
                }
                match super::controllers::volume::attach_blocker(store, pod, &node.name, now) {
                    Some(why) => {
                        held.push((key, why));
                        continue;
                    }
                    None if !pod.spec.volumes.is_empty() => attached.push(key.clone()),
                    None => {}
                }
                let (ip, host) = if pod.spec.host_network {
                    (node.ip.clone(), None)
                } else {
                    self.allocate_ip(node)
                };
                let containers = pod
                    .spec
                    .init_containers
                    .iter()
                    .chain(pod.spec.containers.iter())
                    .map(|c| ContainerRuntime {
                        name: c.name.clone(),
                        image: c.image.clone(),
                        state: RunState::Waiting,
                        restarts: 0,
                        backoff: 0,
                        last_exit: None,
                        container_id: SharedStr::default(),
                        probes: ProbeState::default(),
                        service_env: Default::default(),
                        config_env: None,
                        pinned: BTreeMap::new(),
                        boot: None,
                    })
                    .collect();
                let mut rt = PodRuntime {
                    uid: pod.metadata.uid.clone(),
                    node: node.name.clone(),
                    host,
                    ip,
                    started: now,
                    containers,
                    init_count: pod.spec.init_containers.len(),
                    volumes: (!pod.spec.volumes.is_empty()).then(Default::default),
                };
                ctx.pod_env = resolve_pod_env(store, pod, &rt);
                self.mount(store, pod, &mut rt, &mut ctx);
                self.start_next(pod, node, &mut rt, &mut ctx);
                self.pods.insert(&key, rt);
            }
            let Some(mut rt) = self.pods.remove(&key) else {
                continue;
            };
            ctx.pod_env = resolve_pod_env(store, pod, &rt);
            self.mount(store, pod, &mut rt, &mut ctx);
            let gone = self.step_pod(pod, node, &mut rt, &mut ctx);
            if gone {
                self.pods.insert(&key, rt);
                removed.push(key);
            } else {
                let status = pod_status(pod, node, &rt, now, &mut self.conditions);
                if status != pod.status {
                    store.modify::<Pod>(&key.0, &key.1, |p| p.status = status);
                    // The kubelet has seen its own write.
                    store.watch.kubelet.forget(&key);
                }
                let next = rt.deadlines().filter(|t| *t > now).min();
                store.watch.kubelet.set_timer(&key, next);
                self.pods.insert(&key, rt);
            }
        }
        super::controllers::volume::after_kubelet_sync(store, held, attached, now);
        for (ns, name, type_, reason, msg) in ctx.events {
            store.record_event_owned(now, ns, "Pod", name, type_, reason, "kubelet", msg);
        }
        for key in removed {
            store.remove::<Pod>(&key.0, &key.1);
            self.forget(&key);
            store.watch.kubelet.set_timer(&key, None);
        }
    }

    fn begin_pull(
        &mut self,
        pod: &Pod,
        node: &NodeView,
        rt: &mut PodRuntime,
        i: usize,
        ctx: &mut Ctx,
    ) {
        let Some(spec) = rt.spec(pod, i) else {
            return;
        };
        let cached = self
            .images
            .get(&node.name)
            .is_some_and(|s| s.contains(&spec.image));
        let now = ctx.now;
        if cached && spec.image_pull_policy != "Always" || spec.image_pull_policy == "Never" {
            if cached {
                ctx.event(
                    pod,
                    "Normal",
                    "Pulled",
                    format!(
                        "Container image \"{}\" already present on machine",
                        spec.image
                    ),
                );
                self.start_container(pod, rt, i, ctx);
            } else {
                ctx.event(
                    pod,
                    "Warning",
                    "ErrImageNeverPull",
                    format!(
                        "Container image \"{}\" is not present with pull policy of Never",
                        spec.image
                    ),
                );
                rt.containers[i].state = RunState::ErrImagePull { until: u64::MAX };
            }
            return;
        }
        let ms = if cached {
            ctx.rng.between(300, 900)
        } else {
            pull_time(&spec.image, ctx.rng)
        };
        ctx.event(
            pod,
            "Normal",
            "Pulling",
            format!("Pulling image \"{}\"", spec.image),
        );
        rt.containers[i].state = RunState::Pulling {
            started: now,
            done: now.saturating_add(ms),
        };
    }

    fn start_container(&mut self, pod: &Pod, rt: &mut PodRuntime, i: usize, ctx: &mut Ctx) {
        let Some(spec) = rt.spec(pod, i) else {
            return;
        };
        let now = ctx.now;
        let config = match ctx.pod_env.get(i) {
            Some(Ok(env)) => env.clone(),
            Some(Err(message)) => {
                // The pod worker tries again after its back-off for sync errors (10 s).
                rt.containers[i].state = RunState::ConfigError {
                    message: message.clone(),
                    retry: now.saturating_add(BACKOFF_START),
                };
                ctx.event(pod, "Warning", "Failed", format!("Error: {message}"));
                return;
            }
            None => ConfigEnv::default(),
        };
        let volumes = rt.volumes();
        super::volumes::prepare_sub_paths(pod, spec, &volumes, &mut self.storage, now);
        let pinned = super::volumes::pin_sub_paths(pod, spec, &volumes);
        drop(volumes);
        for warning in &config.skipped {
            ctx.event(
                pod,
                "Warning",
                "InvalidEnvironmentVariableNames",
                warning.clone(),
            );
        }
        let c = &mut rt.containers[i];
        c.config_env = (config != ConfigEnv::default()).then(|| Box::new(config));
        c.pinned = pinned;
        c.container_id = SharedStr::new(&format!("containerd://{}", ctx.rng.hex(64)));
        c.service_env = ctx.service_env.clone();
        let boot = self.boot_data_store(pod, rt, i, now);
        let c = &mut rt.containers[i];
        c.boot = boot;
        c.state = RunState::Running {
            since: now,
            exits: exit_plan(pod, spec, now),
        };
        // Probes start after initialDelaySeconds; without a readiness probe the container is
        // ready as soon as it runs (fact 19).
        let first = |p: &Option<Probe>| {
            p.as_ref()
                .map(|p| now.saturating_add(secs(p.initial_delay_seconds.unwrap_or(0))))
        };
        c.probes = ProbeState {
            ready: spec.readiness_probe.is_none(),
            next_readiness: first(&spec.readiness_probe),
            next_liveness: first(&spec.liveness_probe),
            ..Default::default()
        };
        ctx.event(
            pod,
            "Normal",
            "Created",
            format!("Created container {}", spec.name),
        );
        ctx.event(
            pod,
            "Normal",
            "Started",
            format!("Started container {}", spec.name),
        );
    }

    /// Advance one pod's containers to `now`. Returns true when the pod is gone (fully stopped).
    fn step_pod(&mut self, pod: &Pod, node: &NodeView, rt: &mut PodRuntime, ctx: &mut Ctx) -> bool {
        let now = ctx.now;
        if pod.metadata.deletion_timestamp.is_some() {
            let grace = secs(
                pod.metadata
                    .deletion_grace_period_seconds
                    .or(pod.spec.termination_grace_period_seconds)
                    .unwrap_or(30),
            );
            let mut all_done = true;
            for c in rt.containers.iter_mut() {
                match c.state {
                    RunState::Running { .. } => {
                        let quick = images::lookup(&c.image).is_some_and(|i| i.stops_on_sigterm);
                        let until = now.saturating_add(if quick { grace.min(300) } else { grace });
                        ctx.event(
                            pod,
                            "Normal",
                            "Killing",
                            format!("Stopping container {}", c.name),
                        );
                        c.state = RunState::Stopping { until };
                        all_done = false;
                    }
                    RunState::Stopping { until } if until > now => all_done = false,
                    _ => {}
                }
            }
            return all_done;
        }
        // A changed image (the one change a Pod accepts) restarts the container with it.
        for i in 0..rt.containers.len() {
            let Some(spec) = rt.spec(pod, i) else {
                continue;
            };
            if spec.image != rt.containers[i].image && rt.containers[i].state != RunState::Waiting {
                let c = &mut rt.containers[i];
                if let RunState::Running { since, .. } = c.state {
                    c.last_exit = Some(Box::new((0, "Completed".into(), since, now)));
                    c.restarts += 1;
                }
                c.image = spec.image.clone();
                c.backoff = 0;
                let name = c.name.clone();
                ctx.event(
                    pod,
                    "Normal",
                    "Killing",
                    format!("Container {name} definition changed, will be restarted"),
                );
                self.begin_pull(pod, node, rt, i, ctx);
            }
        }
        self.run_probes(pod, rt, ctx);
        // Init containers finishing start the next one (or the app containers), which may
        // finish at once in turn: bounded by the number of containers.
        for _ in 0..=rt.containers.len() {
            for i in 0..rt.containers.len() {
                loop {
                    let before = rt.containers[i].state.clone();
                    self.step_container(pod, node, rt, i, ctx);
                    if rt.containers[i].state == before {
                        break;
                    }
                }
            }
            if !self.start_next(pod, node, rt, ctx) {
                break;
            }
        }
        // Probes of containers that started just now are due now (initialDelaySeconds 0):
        // their deadline is not in the future, so no timer would bring the kubelet back.
        self.run_probes(pod, rt, ctx);
        false
    }

    /// Start what is due to start: the first init container not done yet, once the one before
    /// it has done its part, or, when every init container has, the app containers (all at
    /// once). Returns whether it started anything.
    fn start_next(
        &mut self,
        pod: &Pod,
        node: &NodeView,
        rt: &mut PodRuntime,
        ctx: &mut Ctx,
    ) -> bool {
        if rt.init_failed() || !rt.mounted() {
            return false;
        }
        let due: Vec<usize> = match rt.pending_init(pod) {
            Some(i) => vec![i],
            None => (rt.init_count..rt.containers.len()).collect(),
        };
        let mut started = false;
        for i in due {
            if rt.containers[i].state == RunState::Waiting {
                self.begin_pull(pod, node, rt, i, ctx);
                started = true;
            }
        }
        started
    }

    /// Readiness and liveness probes that are due (fact 19): readiness flips the container's
    /// Ready; failureThreshold liveness failures in a row kill it, and restartPolicy decides.
    fn run_probes(&mut self, pod: &Pod, rt: &mut PodRuntime, ctx: &mut Ctx) {
        let now = ctx.now;
        let ip = rt.ip.clone();
        let specs: Vec<Option<&Container>> =
            (0..rt.containers.len()).map(|i| rt.spec(pod, i)).collect();
        for (c, spec) in rt.containers.iter_mut().zip(specs) {
            let RunState::Running { since, .. } = c.state else {
                continue;
            };
            let Some(spec) = spec else {
                continue;
            };
            if let (Some(probe), Some(at)) = (&spec.readiness_probe, c.probes.next_readiness) {
                if at <= now {
                    let period = secs(probe.period_seconds.unwrap_or(10)).max(1000);
                    c.probes.next_readiness = Some(now.saturating_add(period));
                    match run_probe(probe, spec, &ip, since, now) {
                        Ok(()) => {
                            c.probes.readiness_failures = 0;
                            c.probes.readiness_successes =
                                c.probes.readiness_successes.saturating_add(1);
                            if i64::from(c.probes.readiness_successes)
                                >= probe.success_threshold.unwrap_or(1)
                            {
                                c.probes.ready = true;
                            }
                        }
                        Err(why) => {
                            c.probes.readiness_successes = 0;
                            c.probes.readiness_failures =
                                c.probes.readiness_failures.saturating_add(1);
                            ctx.event(
                                pod,
                                "Warning",
                                "Unhealthy",
                                format!("Readiness probe failed: {why}"),
                            );
                            if i64::from(c.probes.readiness_failures)
                                >= probe.failure_threshold.unwrap_or(3)
                            {
                                c.probes.ready = false;
                            }
                        }
                    }
                }
            }
            if let (Some(probe), Some(at)) = (&spec.liveness_probe, c.probes.next_liveness) {
                if at <= now {
                    let period = secs(probe.period_seconds.unwrap_or(10)).max(1000);
                    c.probes.next_liveness = Some(now.saturating_add(period));
                    match run_probe(probe, spec, &ip, since, now) {
                        Ok(()) => c.probes.liveness_failures = 0,
                        Err(why) => {
                            c.probes.liveness_failures =
                                c.probes.liveness_failures.saturating_add(1);
                            ctx.event(
                                pod,
                                "Warning",
                                "Unhealthy",
                                format!("Liveness probe failed: {why}"),
                            );
                            if i64::from(c.probes.liveness_failures)
                                >= probe.failure_threshold.unwrap_or(3)
                            {
                                ctx.event(
                                    pod,
                                    "Normal",
                                    "Killing",
                                    format!(
                                        "Container {} failed liveness probe, will be restarted",
                                        c.name
                                    ),
                                );
                                // The kill ends the container now; the restart policy takes over.
                                c.state = RunState::Running {
                                    since,
                                    exits: Some((now, 137)),
                                };
                                // Not ready, and the probes start over.
                                c.probes = ProbeState::default();
                            }
                        }
                    }
                }
            }
        }
    }

    fn step_container(
        &mut self,
        pod: &Pod,
        node: &NodeView,
        rt: &mut PodRuntime,
        i: usize,
        ctx: &mut Ctx,
    ) {
        let now = ctx.now;
        let state = rt.containers[i].state.clone();
        match state {
            RunState::Pulling { started, done } if done <= now => {
                let image = rt.containers[i].image.clone();
                if images::lookup(&image).is_some() {
                    match self.images.get_mut(&node.name) {
                        Some(have) => {
                            if !have.contains(&image) {
                                have.insert(image.clone());
                            }
                        }
                        None => {
                            self.images
                                .insert(node.name.clone(), BTreeSet::from([image.clone()]));
                        }
                    }
                    let took = go_duration(done - started);
                    ctx.event(
                        pod,
                        "Normal",
                        "Pulled",
                        format!("Successfully pulled image \"{image}\" in {took} ({took} including waiting)"),
                    );
                    rt.containers[i].backoff = 0;
                    self.start_container(pod, rt, i, ctx);
                } else {
                    let q = images::qualified(&image);
                    ctx.event(
                        pod,
                        "Warning",
                        "Failed",
                        format!("Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{q}\": failed to resolve reference \"{q}\": {q}: not found"),
                    );
                    ctx.event(pod, "Warning", "Failed", "Error: ErrImagePull".into());
                    rt.containers[i].state = RunState::ErrImagePull {
                        until: now.saturating_add(ERR_IMAGE_PULL_SHOWN),
                    };
                }
            }
            RunState::ErrImagePull { until } if until <= now => {
                let c = &mut rt.containers[i];
                c.backoff = if c.backoff == 0 {
                    BACKOFF_START
                } else {
                    (c.backoff * 2).min(BACKOFF_MAX)
                };
                let image = c.image.clone();
                c.state = RunState::PullBackOff {
                    retry: now.saturating_add(c.backoff),
                };
                ctx.event(
                    pod,
                    "Normal",
                    "BackOff",
                    format!("Back-off pulling image \"{image}\""),
                );
                ctx.event(pod, "Warning", "Failed", "Error: ImagePullBackOff".into());
            }
            RunState::PullBackOff { retry } if retry <= now => {
                self.begin_pull(pod, node, rt, i, ctx);
            }
            RunState::ConfigError { retry, .. } if retry <= now => {
                self.begin_pull(pod, node, rt, i, ctx);
            }
            RunState::Running {
                since,
                exits: Some((at, code)),
            } if at <= now => {
                let restart_policy = &*pod.spec.restart_policy;
                let restarts = if rt.is_sidecar(pod, i) {
                    true
                } else if i < rt.init_count {
                    // An init container runs to completion: it is retried on failure unless
                    // the pod's restartPolicy is Never.
                    code != 0 && restart_policy != "Never"
                } else {
                    restart_policy == "Always" || (restart_policy == "OnFailure" && code != 0)
                };
                let memory_hog = rt
                    .spec(pod, i)
                    .and_then(|c| images::lookup(&c.image))
                    .is_some_and(|img| img.behaviour == Behaviour::MemoryHog);
                let reason = if code == images::OOM_EXIT && memory_hog {
                    "OOMKilled"
                } else if code == 0 {
                    "Completed"
                } else {
                    "Error"
                };
                let c = &mut rt.containers[i];
                if at - since >= BACKOFF_RESET {
                    c.backoff = 0;
                }
                let restart = if restarts {
                    // The first restart is immediate; then 10 s, 20 s, 40 s … 5 min (fact 14).
                    let delay = if c.restarts == 0 {
                        0
                    } else if c.backoff == 0 {
                        BACKOFF_START
                    } else {
                        (c.backoff * 2).min(BACKOFF_MAX)
                    };
                    if c.restarts > 0 {
                        c.backoff = delay;
                    }
                    Some(at.saturating_add(delay))
                } else {
                    None
                };
                c.state = RunState::Exited {
                    code,
                    reason: reason.into(),
                    started: since,
                    finished: at,
                    restart,
                };
                if restart.is_some_and(|r| r > now) {
                    let name = c.name.clone();
                    ctx.event(
                        pod,
                        "Warning",
                        "BackOff",
                        format!(
                            "Back-off restarting failed container {name} in pod {}_{}({})",
                            pod.metadata.name, pod.metadata.namespace, pod.metadata.uid
                        ),
                    );
                }
            }
            RunState::Exited {
                code,
                reason,
                started,
                finished,
                restart: Some(r),
            } if r <= now => {
                let c = &mut rt.containers[i];
                c.last_exit = Some(Box::new((code, reason, started, finished)));
                c.restarts += 1;
                self.start_container(pod, rt, i, ctx);
            }
            _ => {}
        }
    }

    /// A node came back from being powered off: every container on it died with the machine
    /// and restarts now (last state: Unknown, exit code 255, as after a real reboot).
    pub fn node_rebooted(&mut self, store: &mut Store, node: &str, now: Millis) {
        let keys: Vec<(String, String)> = store
            .watch
            .pods_on_node(node)
            .map(|(ns, name)| (ns.to_string(), name.to_string()))
            .collect();
        for key in keys {
            store.watch.kubelet.add(&key.0, &key.1);
            let Some(rt) = self.pods.get_mut(&key) else {
                continue;
            };
            for c in rt.containers.iter_mut() {
                if let RunState::Running { since, .. } = c.state {
                    c.state = RunState::Exited {
                        code: 255,
                        reason: "Unknown".into(),
                        started: since,
                        finished: now,
                        restart: Some(now),
                    };
                }
            }
        }
    }

    /// A running container's view of its files: its image's files (`lower`) under its
    /// writable layer at `/`, and its volumes mounted where its `volumeMounts` say.
    pub fn container_fs<'a>(
        &'a mut self,
        lower: &'a super::fs::Tree,
        pod: &Pod,
        container: &str,
        container_id: &str,
        now: Millis,
    ) -> super::fs::Fs<'a> {
        self.prune_files();
        let key = (pod.metadata.namespace.clone(), pod.metadata.name.clone());
        let Kubelets {
            files,
            pods,
            storage,
            ..
        } = self;
        let rt = pods.get(&key).and_then(|rt| {
            let i = rt.containers.iter().position(|c| c.name == container)?;
            Some((rt, i))
        });
        view(files, storage, lower, pod, rt, container_id, now)
    }

    /// A data store's start-up against its files (postgres's initdb, redis loading its dump).
    fn boot_data_store(
        &mut self,
        pod: &Pod,
        rt: &PodRuntime,
        i: usize,
        now: Millis,
    ) -> Option<super::datastores::Boot> {
        let c = rt.containers.get(i)?;
        let (repo, tag) = images::normalise(&c.image);
        if !matches!(repo.as_str(), "postgres" | "redis") {
            return None;
        }
        let spec = rt.spec(pod, i)?;
        let facts = super::rootfs::PodFacts::new(pod, "", "");
        let env = super::rootfs::container_env(spec, &facts, &[], c.config_env());
        if repo == "postgres"
            && !env
                .iter()
                .any(|(k, _)| k == "POSTGRES_PASSWORD" || k == "POSTGRES_HOST_AUTH_METHOD")
        {
            return None;
        }
        let lower = super::rootfs::root(&c.image, &facts);
        let major = super::rootfs::postgres_major(&tag);
        let id = c.container_id.clone();
        let Kubelets { files, storage, .. } = self;
        let mut fs = view(files, storage, &lower, pod, Some((rt, i)), &id, now);
        super::datastores::on_start(&repo, &major, &env, &mut fs)
    }

    /// Forget the writable layers of container instances that no longer exist (restarted,
    /// replaced, or their pod gone): a new instance starts from its image's files.
    pub fn prune_files(&mut self) {
        let live: BTreeSet<&str> = self
            .pods
            .values()
            .flat_map(|p| p.containers.iter().map(|c| &*c.container_id))
            .collect();
        self.files.retain(|id, _| live.contains(id.as_str()));
    }

    /// `sim pod crash`: a running container's process exits now with code 1 (the container named,
    /// or the pod's first app container). The kubelet handles it as any exit.
    pub fn crash(
        &mut self,
        store: &mut Store,
        namespace: &str,
        name: &str,
        container: Option<&str>,
        now: Millis,
    ) -> Result<String, String> {
        let Some(pod) = store.pods.get(namespace, name) else {
            return Err(format!(
                "sim pod crash: no pod \"{name}\" in namespace \"{namespace}\""
            ));
        };
        let key = (namespace.to_string(), name.to_string());
        let Some(rt) = self
            .pods
            .get_mut(&key)
            .filter(|rt| rt.uid == pod.metadata.uid)
        else {
            return Err(format!(
                "sim pod crash: pod {name} has no containers yet (it is not running on a node)"
            ));
        };
        let index = match container {
            Some(c) => rt
                .containers
                .iter()
                .position(|x| x.name == c)
                .ok_or_else(|| format!("sim pod crash: pod {name} has no container \"{c}\""))?,
            None => rt.init_count,
        };
        let Some(c) = rt.containers.get_mut(index) else {
            return Err(format!("sim pod crash: pod {name} has no containers"));
        };
        let RunState::Running { since, .. } = c.state else {
            return Err(format!(
                "sim pod crash: container {} of pod {name} is not running",
                c.name
            ));
        };
        c.state = RunState::Running {
            since,
            exits: Some((now, 1)),
        };
        let text = format!("pod/{name}: container {} crashed (exit code 1)", c.name);
        store.watch.kubelet.add(namespace, name);
        Ok(text)
    }

    /// The next moment any container needs attention.
    pub fn next_deadline(&self, store: &Store, now: Millis) -> Option<Millis> {
        store.watch.kubelet.next_timer(now)
    }
}

/// The Services whose variables a pod gets (fact 56): those of its namespace (unless
/// `enableServiceLinks: false`) and always `kubernetes` from `default`; none for headless or
/// ExternalName Services. Sorted by name, as the kubelet's map would give them in no fixed order.
/// A container's files: the image's (`lower`) under its writable layer, and, when the kubelet
/// knows the container (`rt` and its index), its volumes mounted.
fn view<'a>(
    files: &'a mut BTreeMap<String, super::fs::Layer>,
    storage: &'a super::volumes::Storage,
    lower: &'a super::fs::Tree,
    pod: &Pod,
    rt: Option<(&'a PodRuntime, usize)>,
    container_id: &str,
    now: Millis,
) -> super::fs::Fs<'a> {
    let layer = files.entry(container_id.to_string()).or_default();
    let mut fs = super::fs::Fs::new(
        Box::new(super::fs::Overlay {
            lower,
            layer,
            limit: super::fs::LAYER_LIMIT,
        }),
        now,
    );
    if let Some((rt, i)) = rt {
        // A pod without volumes (no `volumes` record) has nothing to mount.
        if let (Some(spec), Some(volumes)) = (rt.spec(pod, i), rt.volumes.as_deref()) {
            super::volumes::mount_container(
                &mut fs,
                pod,
                spec,
                volumes,
                &rt.containers[i].pinned,
                storage,
            );
        }
    }
    fs
}

/// `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`.
fn is_env_var_name(s: &str) -> bool {
    let ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    s.chars()
        .next()
        .is_some_and(|c| ok(c) && !c.is_ascii_digit())
        && s.chars().all(ok)
}

/// Each container's `envFrom` and `valueFrom` resolved against the API, in the order of
/// `PodRuntime::containers`; empty when no container has any (most pods).
fn resolve_pod_env(store: &Store, pod: &Pod, rt: &PodRuntime) -> Vec<Result<ConfigEnv, String>> {
    let all = || {
        pod.spec
            .init_containers
            .iter()
            .chain(pod.spec.containers.iter())
    };
    if !all().any(|c| !c.env_from.is_empty() || c.env.iter().any(|e| e.value_from.is_some())) {
        return Vec::new();
    }
    let ns = pod.metadata.namespace.as_str();
    let lookup = |secret: bool, name: &str| {
        store.get_unstructured(if secret { "secrets" } else { "configmaps" }, ns, name)
    };
    let text = |d: &super::fs::Data| match d {
        super::fs::Data::Text(t) => t.clone(),
        super::fs::Data::Opaque(_) => String::new(),
    };
    all()
        .map(|c| {
            let mut env = ConfigEnv::default();
            for ef in &c.env_from {
                let (secret, r) = match (&ef.config_map_ref, &ef.secret_ref) {
                    (Some(r), _) => (false, r),
                    (None, Some(r)) => (true, r),
                    (None, None) => continue,
                };
                let what = if secret { "secret" } else { "configmap" };
                let Some(obj) = lookup(secret, &r.name) else {
                    if r.optional == Some(true) {
                        continue;
                    }
                    return Err(format!("{what} \"{}\" not found", r.name));
                };
                let mut invalid = Vec::new();
                for (k, v) in super::volumes::object_data(obj, secret) {
                    let name = format!("{}{k}", ef.prefix);
                    if is_env_var_name(&name) {
                        env.from.push((name, text(&v)));
                    } else {
                        invalid.push(name);
                    }
                }
                if !invalid.is_empty() {
                    env.skipped.push(format!(
                        "Keys [{}] from the EnvFrom {what} {ns}/{} were skipped since they are considered invalid environment variable names.",
                        invalid.join(", "),
                        r.name
                    ));
                }
            }
            for e in &c.env {
                let Some(src) = &e.value_from else { continue };
                let value = if let Some((secret, k)) = src
                    .config_map_key_ref
                    .as_ref()
                    .map(|k| (false, k))
                    .or(src.secret_key_ref.as_ref().map(|k| (true, k)))
                {
                    let (what, kind) = if secret {
                        ("secret", "Secret")
                    } else {
                        ("configmap", "ConfigMap")
                    };
                    let optional = k.optional == Some(true);
                    match lookup(secret, &k.name) {
                        None if optional => continue,
                        None => return Err(format!("{what} \"{}\" not found", k.name)),
                        Some(obj) => match super::volumes::object_data(obj, secret).get(&k.key) {
                            Some(v) => text(v),
                            None if optional => continue,
                            None => {
                                return Err(format!(
                                    "couldn't find key {} in {kind} {ns}/{}",
                                    k.key, k.name
                                ))
                            }
                        },
                    }
                } else if let Some(f) = &src.field_ref {
                    match f.field_path.as_str() {
                        "status.podIP" | "status.podIPs" => rt.ip.clone(),
                        p => super::volumes::pod_field(pod, p).unwrap_or_default(),
                    }
                } else if let Some(r) = &src.resource_field_ref {
                    let container = if r.container_name.is_empty() {
                        c.name.as_str()
                    } else {
                        r.container_name.as_str()
                    };
                    super::volumes::resource_field(
                        store,
                        pod,
                        container,
                        &r.resource,
                        r.divisor.as_ref().map(|d| d.0.as_str()),
                    )
                } else {
                    continue;
                };
                env.values.insert(e.name.clone(), value);
            }
            Ok(env)
        })
        .collect()
}

fn service_links(store: &Store, pod: &Pod) -> Vec<ServiceLink> {
    let ns = &pod.metadata.namespace;
    let links = pod.spec.enable_service_links != Some(false);
    let mut out: Vec<ServiceLink> = store
        .services
        .in_namespace(Some(ns))
        .filter(|_| links)
        .chain(
            store
                .services
                .get("default", "kubernetes")
                .filter(|_| ns != "default" || !links),
        )
        .filter(|s| !s.spec.cluster_ip.is_empty() && s.spec.cluster_ip != "None")
        .map(|s| ServiceLink {
            name: s.metadata.name.clone(),
            ip: s.spec.cluster_ip.clone(),
            ports: s
                .spec
                .ports
                .iter()
                .map(|p| (p.name.clone(), p.port, p.protocol.clone()))
                .collect(),
        })
        .collect();
    crate::sim::sort::by(&mut out, |a, b| a.name.cmp(&b.name));
    out
}

/// The variables of those Services, as the kubelet's envvars.FromServices writes them:
/// `NAME_SERVICE_HOST`, `NAME_SERVICE_PORT`, `NAME_SERVICE_PORT_PORTNAME`, and the Docker-link
/// ones (`NAME_PORT=tcp://IP:PORT`, `NAME_PORT_80_TCP`, `_PROTO`, `_PORT`, `_ADDR`).
pub fn service_env(services: &[ServiceLink]) -> Vec<(String, String)> {
    let mut env = Vec::new();
    for s in services {
        let Some((_, first_port, first_proto)) = s.ports.first() else {
            continue;
        };
        let name = s.name.to_ascii_uppercase().replace('-', "_");
        env.push((format!("{name}_SERVICE_HOST"), s.ip.clone()));
        env.push((format!("{name}_SERVICE_PORT"), first_port.to_string()));
        for (pname, port, _) in &s.ports {
            if !pname.is_empty() {
                let pname = pname.to_ascii_uppercase().replace('-', "_");
                env.push((format!("{name}_SERVICE_PORT_{pname}"), port.to_string()));
            }
        }
        let proto = first_proto.to_ascii_lowercase();
        env.push((
            format!("{name}_PORT"),
            format!("{proto}://{}:{first_port}", s.ip),
        ));
        for (_, port, protocol) in &s.ports {
            let proto = protocol.to_ascii_lowercase();
            let upper = protocol.to_ascii_uppercase();
            let prefix = format!("{name}_PORT_{port}_{upper}");
            env.push((prefix.clone(), format!("{proto}://{}:{port}", s.ip)));
            env.push((format!("{prefix}_PROTO"), proto));
            env.push((format!("{prefix}_PORT"), port.to_string()));
            env.push((format!("{prefix}_ADDR"), s.ip.clone()));
        }
    }
    env
}

pub fn node_ip(node: &Node) -> String {
    node.status
        .addresses
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.clone())
        .unwrap_or_default()
}

/// The status of one container slot as the kubelet reports it.
fn container_status(c: &ContainerRuntime, pod: &Pod, now: Millis) -> ContainerStatus {
    let (state, ready, started) = match &c.state {
        // Not created yet: the kubelet's default waiting reason, which is PodInitializing
        // for every container of a pod that has init containers.
        RunState::Pulling { .. } => (
            ContainerState::waiting(
                if pod.spec.init_containers.is_empty() {
                    "ContainerCreating"
                } else {
                    "PodInitializing"
                },
                "",
            ),
            false,
            false,
        ),
        RunState::ErrImagePull { .. } => (
            ContainerState::waiting(
                "ErrImagePull",
                &format!("failed to pull image \"{}\"", c.image),
            ),
            false,
            false,
        ),
        RunState::PullBackOff { .. } => (
            ContainerState::waiting(
                "ImagePullBackOff",
                &format!("Back-off pulling image \"{}\"", c.image),
            ),
            false,
            false,
        ),
        RunState::Running { since, .. } => (
            ContainerState {
                running: Some(StateRunning {
                    started_at: Some(Time::at(*since)),
                }),
                ..Default::default()
            },
            c.probes.ready,
            true,
        ),
        RunState::Exited {
            code,
            reason,
            started,
            finished,
            restart,
        } => {
            let terminated = ContainerState {
                terminated: Some(Box::new(StateTerminated {
                    exit_code: *code,
                    reason: reason.clone(),
                    started_at: Some(Time::at(*started)),
                    finished_at: Some(Time::at(*finished)),
                    ..Default::default()
                })),
                ..Default::default()
            };
            match restart {
                Some(r) if *r > now => (
                    ContainerState::waiting(
                        "CrashLoopBackOff",
                        &format!(
                            "back-off {} restarting failed container={} pod={}_{}({})",
                            go_duration(*r - finished),
                            c.name,
                            pod.metadata.name,
                            pod.metadata.namespace,
                            pod.metadata.uid
                        ),
                    ),
                    false,
                    false,
                ),
                _ => (terminated, false, false),
            }
        }
        RunState::Stopping { .. } => (ContainerState::default(), false, true),
        // Nothing started yet: with no init containers, the pod is still being set up (its
        // volumes mounting).
        RunState::Waiting => (
            ContainerState::waiting(
                if pod.spec.init_containers.is_empty() {
                    "ContainerCreating"
                } else {
                    "PodInitializing"
                },
                "",
            ),
            false,
            false,
        ),
        RunState::ConfigError { message, .. } => (
            ContainerState::waiting("CreateContainerConfigError", message),
            false,
            false,
        ),
    };
    // While in back-off, the exit that caused it is the last state.
    let last_state = match (&c.state, c.last_exit.as_deref()) {
        (
            RunState::Exited {
                code,
                reason,
                started,
                finished,
                restart: Some(r),
            },
            _,
        ) if *r > now => ContainerState {
            terminated: Some(Box::new(StateTerminated {
                exit_code: *code,
                reason: reason.clone(),
                started_at: Some(Time::at(*started)),
                finished_at: Some(Time::at(*finished)),
                ..Default::default()
            })),
            ..Default::default()
        },
        (_, Some((code, reason, started, finished))) => ContainerState {
            terminated: Some(Box::new(StateTerminated {
                exit_code: *code,
                reason: reason.clone(),
                started_at: Some(Time::at(*started)),
                finished_at: Some(Time::at(*finished)),
                ..Default::default()
            })),
            ..Default::default()
        },
        _ => ContainerState::default(),
    };
    ContainerStatus {
        name: c.name.clone(),
        state,
        last_state,
        ready,
        restart_count: c.restarts,
        image: c.image.clone(),
        image_id: if c.container_id.is_empty() {
            String::new()
        } else {
            images::qualified(&c.image)
        },
        container_id: c.container_id.clone(),
        started: Some(started),
    }
}

/// The status the kubelet reports for a pod from its runtime state.
fn pod_status(
    pod: &Pod,
    node: &NodeView,
    rt: &PodRuntime,
    now: Millis,
    shared: &mut RecentConditions,
) -> PodStatus {
    // Built from its parts: what the old status says of the containers is replaced, so it is
    // not copied first.
    let split = rt.init_count.min(rt.containers.len());
    let mut statuses: Vec<ContainerStatus> = rt.containers[..split]
        .iter()
        .map(|c| container_status(c, pod, now))
        .collect();
    let app: Vec<ContainerStatus> = rt.containers[split..]
        .iter()
        .map(|c| container_status(c, pod, now))
        .collect();
    // Room for the four a running pod has (PodScheduled, Initialized, Ready,
    // ContainersReady), so adding ours does not reallocate.
    let mut conditions = Vec::with_capacity(pod.status.conditions.len().max(4));
    conditions.extend(pod.status.conditions.iter().cloned());
    let mut status = PodStatus {
        phase: Word::Borrowed(""),
        conditions: no_conditions(),
        reason: pod.status.reason.clone(),
        message: pod.status.message.clone(),
        host_ip: node.ip.clone(),
        pod_ip: rt.ip.clone(),
        start_time: Some(Time::at(rt.started)),
        init_container_statuses: Vec::new(),
        container_statuses: Vec::new(),
        qos_class: qos_class(pod),
    };
    // An init container that finished successfully reports Ready.
    for (s, c) in statuses.iter_mut().zip(&rt.containers) {
        if matches!(
            c.state,
            RunState::Exited {
                code: 0,
                restart: None,
                ..
            }
        ) {
            s.ready = true;
        }
    }
    status.init_container_statuses = statuses;
    status.container_statuses = app;
    let apps = &rt.containers[split..];
    // App containers and sidecars (restartable init containers) decide readiness.
    let sidecars: Vec<&ContainerStatus> = status
        .init_container_statuses
        .iter()
        .enumerate()
        .filter(|(i, _)| rt.is_sidecar(pod, *i))
        .map(|(_, s)| s)
        .collect();
    let all_ready = !status.container_statuses.is_empty()
        && status.container_statuses.iter().all(|c| c.ready)
        && sidecars.iter().all(|c| c.ready);
    let any_running = apps
        .iter()
        .any(|c| matches!(c.state, RunState::Running { .. }));
    let all_exited: Vec<i64> = apps
        .iter()
        .filter_map(|c| match c.state {
            RunState::Exited {
                code,
                restart: None,
                ..
            } => Some(code),
            _ => None,
        })
        .collect();
    let pending_init = rt.pending_init(pod);
    status.phase = if rt.init_failed() {
        "Failed".into()
    } else if pending_init.is_some() {
        "Pending".into()
    } else if all_exited.len() == apps.len() && !all_exited.is_empty() {
        if all_exited.iter().all(|c| *c == 0) {
            "Succeeded"
        } else {
            "Failed"
        }
        .into()
    } else if any_running
        || apps
            .iter()
            .any(|c| c.restarts > 0 || matches!(c.state, RunState::Exited { .. }))
    {
        "Running".into()
    } else {
        "Pending".into()
    };
    let done = status.phase == "Succeeded" || status.phase == "Failed";
    match pending_init {
        Some(_) => {
            let incomplete: Vec<&str> = (0..rt.init_count)
                .filter(|i| !rt.init_done(pod, *i))
                .map(|i| rt.containers[i].name.as_str())
                .collect();
            set_condition(
                &mut conditions,
                "Initialized",
                "False",
                "ContainersNotInitialized",
                &format!(
                    "containers with incomplete status: [{}]",
                    incomplete.join(" ")
                ),
                now,
            );
        }
        None => set_condition(&mut conditions, "Initialized", "True", "", "", now),
    }
    let (ready, reason) = if all_ready {
        ("True", "")
    } else if done {
        ("False", "PodCompleted")
    } else {
        ("False", "ContainersNotReady")
    };
    let not_ready: Vec<&str> = status
        .container_statuses
        .iter()
        .filter(|c| !c.ready)
        .map(|c| c.name.as_str())
        .collect();
    let msg = if ready == "True" || done {
        String::new()
    } else {
        format!("containers with unready status: [{}]", not_ready.join(" "))
    };
    set_condition(&mut conditions, "Ready", ready, reason, &msg, now);
    set_condition(&mut conditions, "ContainersReady", ready, reason, &msg, now);
    status.conditions = shared.share(&pod.status.conditions, conditions);
    status
}

/// Guaranteed, Burstable or BestEffort, from the containers' requests and limits.
pub fn qos_class(pod: &Pod) -> Word {
    let cs = &pod.spec.containers;
    if cs
        .iter()
        .all(|c| c.resources.requests.is_empty() && c.resources.limits.is_empty())
    {
        return "BestEffort".into();
    }
    let guaranteed = cs.iter().all(|c| {
        ["cpu", "memory"].iter().all(|k| {
            let limit = c.resources.limits.get(*k);
            let request = c.resources.requests.get(*k).or(limit);
            limit.is_some() && request == limit
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
    .into()
}
