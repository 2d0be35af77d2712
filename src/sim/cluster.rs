//! One Kubernetes cluster: its API store, its control plane (scheduler and, later, controllers)
//! and its kubelets. `World` holds several.

use super::api::watch::Watch;
use super::api::*;
use super::clock::Millis;
use super::controllers;
use super::kubelet::Kubelets;
use super::rng::Rng;
use super::scheduler::Scheduler;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

pub const KUBERNETES_VERSION: &str = "v1.31.0";

/// How a cluster was built: a kubeadm cluster with masters and workers, or a minikube node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Kubeadm,
    Minikube,
}

#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub profile: Profile,
    pub store: Store,
    pub scheduler: Scheduler,
    pub kubelets: Kubelets,
    /// The storage provisioner the cluster runs, and what it is provisioning
    /// (`controllers/volume.rs`).
    pub provisioner: controllers::volume::Provisioner,
    /// Index of this cluster in the world, for address ranges.
    pub index: usize,
    /// Nodes that are powered off (`sim node stop`): their kubelet, and on masters their etcd
    /// member and control-plane components, do nothing.
    pub stopped: BTreeSet<String>,
    /// When each stopped node's kubelet last posted its status.
    pub heartbeats: BTreeMap<String, Millis>,
    /// What each gated control loop last saw, so a pass over unchanged inputs is skipped.
    gates: BTreeMap<&'static str, Gate>,
    /// Facts derived from the node table, recomputed when it changes: the control-plane nodes,
    /// and whether any node carries the unreachable taint.
    node_facts: RefCell<Option<(u64, NodeFacts)>>,
}

static NO_FACTS: NodeFacts = NodeFacts {
    masters: Vec::new(),
    any_unreachable: false,
};

#[derive(Debug, Clone, Default)]
struct NodeFacts {
    masters: Vec<String>,
    any_unreachable: bool,
}

/// A control loop's inputs at its last run (a sum of table revisions) and its next deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Gate {
    inputs: u64,
    due: Option<Millis>,
    ran: bool,
}

impl Gate {
    fn open(&self, inputs: u64, now: Millis) -> bool {
        !self.ran || inputs != self.inputs || self.due.is_some_and(|d| d <= now)
    }
}

/// The control-plane components each master runs as static pods (kubeadm's layout).
/// Images every node of a kubeadm cluster has before anything runs.
const PRELOADED: &[&str] = &[
    "registry.k8s.io/kube-proxy:v1.31.0",
    "registry.k8s.io/coredns/coredns:v1.11.3",
];

const CONTROL_PLANE: &[(&str, &str)] = &[
    ("etcd", "registry.k8s.io/etcd:3.5.15-0"),
    ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.31.0"),
    (
        "kube-controller-manager",
        "registry.k8s.io/kube-controller-manager:v1.31.0",
    ),
    ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.31.0"),
];

fn quantity_map(pairs: &[(&str, &str)]) -> BTreeMap<String, Quantity> {
    crate::sim::sort::map_of(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Quantity(v.to_string()))),
    )
}

impl Cluster {
    /// The containers of the pods that run a program acting beyond the controllers (the
    /// watch's `program_pods`: External-DNS, Ingress controllers, Emissary, shell loops that
    /// reach the network), on powered nodes, with their runtime records: what the
    /// world-level programs look at instead of every pod. Callers check image and state.
    pub fn program_containers(
        &self,
    ) -> impl Iterator<Item = (&Pod, &Container, &super::kubelet::ContainerRuntime)> + '_ {
        self.store
            .watch
            .program_pods
            .iter()
            .filter_map(|(ns, name)| self.store.pods.get(ns, name))
            .filter(|p| !self.stopped.contains(&p.spec.node_name))
            .filter_map(|p| {
                let key = (p.metadata.namespace.clone(), p.metadata.name.clone());
                Some((p, self.kubelets.pods.get(&key)?))
            })
            .flat_map(|(p, rt)| {
                p.spec.containers.iter().filter_map(move |spec| {
                    let r = rt.containers.iter().find(|x| x.name == spec.name)?;
                    Some((p, spec, r))
                })
            })
    }

    /// A new cluster with `masters` control-plane nodes and `workers` worker nodes.
    pub fn new(
        name: &str,
        index: usize,
        profile: Profile,
        masters: usize,
        workers: usize,
        now: Millis,
        rng: &mut Rng,
    ) -> Cluster {
        let mut c = Cluster {
            name: name.into(),
            profile,
            store: Store::default(),
            scheduler: Scheduler::default(),
            kubelets: Kubelets::default(),
            provisioner: match profile {
                Profile::Minikube => controllers::volume::Provisioner::minikube(),
                Profile::Kubeadm => controllers::volume::Provisioner::cloud(),
            },
            index,
            stopped: BTreeSet::new(),
            heartbeats: BTreeMap::new(),
            gates: BTreeMap::new(),
            node_facts: RefCell::new(None),
        };
        // A kubeadm cluster here runs in a cloud that provisions load balancers, each cluster
        // with its own public addresses (documentation ranges); minikube has none.
        if profile == Profile::Kubeadm {
            c.store.config.load_balancer_pool = Some(match index {
                0 => "203.0.113.".to_string(),
                1 => "198.51.100.".to_string(),
                2 => "192.0.2.".to_string(),
                n => format!("100.64.{}.", n.min(255)),
            });
        }
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let obj = Namespace {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                metadata: ObjectMeta {
                    name: ns.into(),
                    labels: crate::sim::sort::map_of([(
                        "kubernetes.io/metadata.name".to_string(),
                        ns.to_string(),
                    )])
                    .into(),
                    ..Default::default()
                },
                spec: NamespaceSpec::default(),
                status: NamespaceStatus::default(),
            };
            // Names are fixed and valid: creation cannot fail on an empty store.
            let _ = c.store.create(obj, now, rng);
        }
        let nodes: Vec<(String, bool)> = match profile {
            Profile::Minikube => vec![("minikube".into(), true)],
            Profile::Kubeadm => (1..=masters)
                .map(|i| (format!("master-{i}"), true))
                .chain((1..=workers).map(|i| (format!("worker-{i}"), false)))
                .collect(),
        };
        for (i, (node_name, control_plane)) in nodes.iter().enumerate() {
            c.add_node(node_name, *control_plane, i, now, rng);
        }
        c.add_kubernetes_service(now, rng);
        c.add_addons(now, rng);
        c.add_default_storage_class(now);
        c
    }

    /// The default StorageClass `standard` (minikube's storage-provisioner addon, or the cloud's
    /// disk driver on kubeadm). Its uid comes from a generator of its own, so making it shifts
    /// no other random choice.
    fn add_default_storage_class(&mut self, now: Millis) {
        let yaml = self.provisioner.default_class_yaml();
        let Ok(docs) = crate::manifest::parse_each(&yaml, self.store.kinds()) else {
            return;
        };
        let mut rng = Rng::new(0x0053_544f_5241_4745 ^ self.index as u64);
        for doc in docs.into_iter().flatten() {
            if let crate::manifest::ApiObject::Unstructured(o) = doc.object {
                if let Some(info) = self.store.kinds().by_kind(&o.kind, &o.api_version) {
                    let _ = self.store.create_unstructured(&info, *o, now, &mut rng);
                }
            }
        }
    }

    /// The API servers' endpoint reconciler: the `kubernetes` Service's endpoints are the masters
    /// whose API server is up (a stopped master's lease lapses and its address goes; simplified:
    /// at once rather than after the 15 s lease).
    fn sync_kubernetes_endpoints(&mut self) {
        let up: Vec<String> = self
            .masters()
            .iter()
            .filter(|m| !self.stopped.contains(*m))
            .filter_map(|m| self.store.nodes.get("", m))
            .map(crate::sim::kubelet::node_ip)
            .collect();
        let Some(ep) = self.store.endpoints.get("default", "kubernetes") else {
            return;
        };
        let current: Vec<String> = ep
            .subsets
            .iter()
            .flat_map(|s| s.addresses.iter().map(|a| a.ip.clone()))
            .collect();
        if current == up || up.is_empty() {
            return;
        }
        let mut ep = ep.clone();
        let ports = ep
            .subsets
            .first()
            .map(|s| s.ports.clone())
            .unwrap_or_default();
        ep.subsets = vec![EndpointSubset {
            addresses: up
                .iter()
                .map(|ip| EndpointAddress {
                    ip: ip.clone(),
                    ..Default::default()
                })
                .collect(),
            not_ready_addresses: Vec::new(),
            ports,
        }];
        self.store.put(ep);
        if let Some(slice) = self.store.endpointslices.get("default", "kubernetes") {
            let mut slice = slice.clone();
            let template = slice.endpoints.first().cloned().unwrap_or_default();
            slice.endpoints = up
                .iter()
                .map(|ip| Endpoint {
                    addresses: vec![ip.clone()],
                    ..template.clone()
                })
                .collect();
            self.store.put(slice);
        }
    }

    /// The `kubernetes` Service in `default`: the API server at the first address of the
    /// service range, its endpoints the API servers themselves (6443 on kubeadm's masters,
    /// 8443 on minikube), kept by the API server rather than by a selector.
    fn add_kubernetes_service(&mut self, now: Millis, rng: &mut Rng) {
        let port = if self.profile == Profile::Minikube {
            8443
        } else {
            6443
        };
        let labels: Labels = crate::sim::sort::map_of([
            ("component".to_string(), "apiserver".to_string()),
            ("provider".to_string(), "kubernetes".to_string()),
        ]);
        let svc = Service {
            api_version: "v1".into(),
            kind: "Service".into(),
            metadata: ObjectMeta {
                name: "kubernetes".into(),
                namespace: "default".into(),
                labels: labels.clone().into(),
                ..Default::default()
            },
            spec: ServiceSpec {
                cluster_ip: super::api::service_admission::KUBERNETES_IP.into(),
                ports: vec![ServicePort {
                    name: "https".into(),
                    port: 443,
                    target_port: Some(IntOrString::Int(port)),
                    ..Default::default()
                }],
                ..Default::default()
            },
            status: ServiceStatus::default(),
        };
        let _ = self.store.create(svc, now, rng);
        let addresses: Vec<EndpointAddress> = self
            .masters()
            .iter()
            .filter_map(|m| self.store.nodes.get("", m))
            .map(|n| EndpointAddress {
                ip: crate::sim::kubelet::node_ip(n),
                ..Default::default()
            })
            .collect();
        let ports = vec![EndpointPort {
            name: "https".into(),
            port,
            protocol: "TCP".into(),
            app_protocol: None,
        }];
        let ep = Endpoints {
            api_version: "v1".into(),
            kind: "Endpoints".into(),
            metadata: ObjectMeta {
                name: "kubernetes".into(),
                namespace: "default".into(),
                labels: crate::sim::sort::map_of([(
                    "endpointslice.kubernetes.io/skip-mirror".to_string(),
                    "true".to_string(),
                )])
                .into(),
                ..Default::default()
            },
            subsets: vec![EndpointSubset {
                addresses: addresses.clone(),
                not_ready_addresses: Vec::new(),
                ports: ports.clone(),
            }],
        };
        let _ = self.store.create(ep, now, rng);
        let slice = EndpointSlice {
            api_version: "discovery.k8s.io/v1".into(),
            kind: "EndpointSlice".into(),
            metadata: ObjectMeta {
                name: "kubernetes".into(),
                namespace: "default".into(),
                labels: crate::sim::sort::map_of([(
                    "kubernetes.io/service-name".to_string(),
                    "kubernetes".to_string(),
                )])
                .into(),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: addresses
                .iter()
                .map(|a| Endpoint {
                    addresses: vec![a.ip.clone()],
                    conditions: EndpointConditions {
                        ready: Some(true),
                        serving: Some(true),
                        terminating: Some(false),
                    },
                    ..Default::default()
                })
                .collect(),
            ports,
        };
        let _ = self.store.create(slice, now, rng);
    }

    /// What kubeadm (and minikube) install in kube-system: kube-proxy on every node and CoreDNS.
    fn add_addons(&mut self, now: Millis, rng: &mut Rng) {
        let yaml = format!(
            "apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kube-proxy
  namespace: kube-system
  labels:
    k8s-app: kube-proxy
spec:
  selector:
    matchLabels:
      k8s-app: kube-proxy
  template:
    metadata:
      labels:
        k8s-app: kube-proxy
    spec:
      hostNetwork: true
      priorityClassName: system-node-critical
      serviceAccountName: kube-proxy
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - operator: Exists
      containers:
      - name: kube-proxy
        image: registry.k8s.io/kube-proxy:v1.31.0
        command: [/usr/local/bin/kube-proxy, --config=/var/lib/kube-proxy/config.conf, --hostname-override=$(NODE_NAME)]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: coredns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      k8s-app: kube-dns
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
  template:
    metadata:
      labels:
        k8s-app: kube-dns
    spec:
      priorityClassName: system-cluster-critical
      serviceAccountName: coredns
      dnsPolicy: Default
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
      - key: CriticalAddonsOnly
        operator: Exists
      - key: node-role.kubernetes.io/control-plane
        effect: NoSchedule
      containers:
      - name: coredns
        image: registry.k8s.io/coredns/coredns:v1.11.3
        args: [-conf, /etc/coredns/Corefile]
        ports:
        - containerPort: 53
          name: dns
          protocol: UDP
        - containerPort: 53
          name: dns-tcp
          protocol: TCP
        - containerPort: 9153
          name: metrics
          protocol: TCP
        resources:
          limits:
            memory: 170Mi
          requests:
            cpu: 100m
            memory: 70Mi
---
apiVersion: v1
kind: Service
metadata:
  name: kube-dns
  namespace: kube-system
  labels:
    k8s-app: kube-dns
    kubernetes.io/cluster-service: \"true\"
    kubernetes.io/name: CoreDNS
  annotations:
    prometheus.io/port: \"9153\"
    prometheus.io/scrape: \"true\"
spec:
  selector:
    k8s-app: kube-dns
  clusterIP: 10.96.0.10
  ports:
  - name: dns
    port: 53
    protocol: UDP
  - name: dns-tcp
    port: 53
    protocol: TCP
  - name: metrics
    port: 9153
    protocol: TCP
",
            replicas = if self.profile == Profile::Minikube { 1 } else { 2 }
        );
        // The add-on manifests are ours and valid; a failure here is a bug caught by the tests.
        if let Ok(docs) = crate::manifest::parse(&yaml) {
            for doc in docs {
                match doc.object {
                    crate::manifest::ApiObject::DaemonSet(o) => {
                        drop(self.store.create(*o, now, rng))
                    }
                    crate::manifest::ApiObject::Deployment(o) => {
                        drop(self.store.create(*o, now, rng))
                    }
                    crate::manifest::ApiObject::Service(o) => drop(self.store.create(*o, now, rng)),
                    _ => {}
                }
            }
        }
    }

    fn add_node(&mut self, name: &str, control_plane: bool, i: usize, now: Millis, rng: &mut Rng) {
        let mut labels: BTreeMap<String, String> = crate::sim::sort::map_of(
            [
                ("beta.kubernetes.io/arch", "amd64"),
                ("beta.kubernetes.io/os", "linux"),
                ("kubernetes.io/arch", "amd64"),
                ("kubernetes.io/hostname", name),
                ("kubernetes.io/os", "linux"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let mut taints = Vec::new();
        if control_plane {
            labels.insert(
                "node-role.kubernetes.io/control-plane".into(),
                String::new(),
            );
            // kubeadm keeps control-plane nodes out of cloud load balancers.
            if self.profile == Profile::Kubeadm {
                labels.insert(
                    "node.kubernetes.io/exclude-from-external-load-balancers".into(),
                    String::new(),
                );
            }
            // minikube's single node runs workloads, so it has no control-plane taint.
            if self.profile == Profile::Kubeadm {
                taints.push(Taint {
                    key: "node-role.kubernetes.io/control-plane".into(),
                    value: String::new(),
                    effect: "NoSchedule".into(),
                    time_added: None,
                });
            }
        }
        // minikube's docker driver puts its node at 192.168.49.2 (each further profile's
        // network 9 higher: 192.168.58.2, ...). The default world's first cluster is kubeadm's,
        // so the first minikube cluster is the second one.
        let ip = if self.profile == Profile::Minikube {
            format!(
                "192.168.{}.{}",
                49 + 9 * self.index.saturating_sub(1).min(22),
                i + 2
            )
        } else {
            format!("172.{}.0.{}", 18 + self.index, i + 2)
        };
        let (cpu, mem) = if control_plane && self.profile == Profile::Kubeadm {
            ("2", "4Gi")
        } else {
            ("4", "8Gi")
        };
        let node = Node {
            api_version: "v1".into(),
            kind: "Node".into(),
            metadata: ObjectMeta {
                name: name.into(),
                labels: labels.into(),
                ..Default::default()
            },
            spec: NodeSpec {
                pod_cidr: format!("10.244.{i}.0/24"),
                pod_cidrs: vec![format!("10.244.{i}.0/24")],
                taints,
                ..Default::default()
            },
            status: NodeStatus {
                capacity: quantity_map(&[("cpu", cpu), ("memory", mem), ("pods", "110")]),
                allocatable: quantity_map(&[("cpu", cpu), ("memory", mem), ("pods", "110")]),
                conditions: vec![Condition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    last_probe_time: None,
                    last_update_time: None,
                    last_transition_time: Some(Time::at(now)),
                    reason: "KubeletReady".into(),
                    message: "kubelet is posting ready status".into(),
                }],
                addresses: vec![
                    NodeAddress {
                        type_: "InternalIP".into(),
                        address: ip,
                    },
                    NodeAddress {
                        type_: "Hostname".into(),
                        address: name.into(),
                    },
                ],
                node_info: NodeSystemInfo {
                    kubelet_version: KUBERNETES_VERSION.into(),
                    container_runtime_version: "containerd://1.7.22".into(),
                    os_image: "Ubuntu 24.04.1 LTS".into(),
                    kernel_version: "6.8.0-45-generic".into(),
                    architecture: "amd64".into(),
                    operating_system: "linux".into(),
                },
            },
        };
        let _ = self.store.create(node, now, rng);
        // Control-plane images come preloaded, as kubeadm's `images pull` leaves them.
        let cache = self.kubelets.images.entry(name.to_string()).or_default();
        for (_, image) in CONTROL_PLANE {
            cache.insert(image.to_string());
        }
        for image in PRELOADED {
            cache.insert(image.to_string());
        }
        if control_plane {
            for (component, image) in CONTROL_PLANE {
                let pod = Pod {
                    api_version: "v1".into(),
                    kind: "Pod".into(),
                    metadata: ObjectMeta {
                        name: format!("{component}-{name}"),
                        namespace: "kube-system".into(),
                        labels: crate::sim::sort::map_of([
                            ("component".to_string(), component.to_string()),
                            ("tier".to_string(), "control-plane".to_string()),
                        ])
                        .into(),
                        annotations: crate::sim::sort::map_of([(
                            "kubernetes.io/config.source".to_string(),
                            "file".to_string(),
                        )]),
                        ..Default::default()
                    },
                    spec: PodSpecFields {
                        containers: vec![Container {
                            name: component.to_string(),
                            image: image.to_string(),
                            ..Default::default()
                        }]
                        .into(),
                        node_name: name.into(),
                        host_network: true,
                        // Static control-plane pods tolerate every NoExecute taint: never evicted.
                        tolerations: vec![Toleration {
                            operator: "Exists".into(),
                            effect: "NoExecute".into(),
                            ..Default::default()
                        }]
                        .into(),
                        priority_class_name: "system-node-critical".into(),
                        ..Default::default()
                    }
                    .into(),
                    status: PodStatus::default(),
                };
                let _ = self.store.create(pod, now, rng);
            }
        }
    }

    /// One pass of every control loop at `now`. Level-triggered: each compares desired with
    /// observed state and acts, so running it twice in a row changes nothing the second time.
    pub fn reconcile(&mut self, now: Millis, rng: &mut Rng) {
        // Each loop sees what the ones before it wrote; passes repeat until nothing changes
        // (bounded, so a controller fighting another cannot hang the page).
        if !self.has_quorum() {
            // Without etcd quorum nothing can be written: controllers, the scheduler and the
            // kubelets' status updates all stall. Containers already running keep running.
            return;
        }
        self.sync_kubernetes_endpoints();
        for _ in 0..16 {
            let before = self.store.revision();
            // The node lifecycle controller looks at every node (there are few); pods matter to
            // it only while a node is down or tainted unreachable.
            let st = &self.store;
            let watching_pods = !self.stopped.is_empty() || self.node_facts().any_unreachable;
            let inputs = |st: &Store, stopped: usize| {
                st.nodes.rev() + stopped as u64 + if watching_pods { st.pods.rev() } else { 0 }
            };
            if self.gate("node-lifecycle", inputs(st, self.stopped.len()), now) {
                controllers::node_lifecycle::reconcile(
                    &mut self.store,
                    &self.stopped,
                    &mut self.heartbeats,
                    now,
                );
                let st = &self.store;
                let due = controllers::node_lifecycle::next_deadline(
                    st,
                    &self.stopped,
                    &self.heartbeats,
                    now,
                );
                self.close("node-lifecycle", inputs(st, self.stopped.len()), due);
            }
            self.namespace_controller(now);
            self.serviceaccount_controller(now);
            // The workload controllers sync what their work queues name (see `api::watch`).
            self.run_queue(
                "deployments",
                |w| &mut w.deployments,
                controllers::deployment::sync_key,
                now,
                rng,
            );
            self.run_queue(
                "replicasets",
                |w| &mut w.replicasets,
                controllers::replicaset::sync_key,
                now,
                rng,
            );
            if std::mem::take(&mut self.store.watch.nodes_changed) {
                let keys: Vec<Key> = self
                    .store
                    .daemonsets
                    .values()
                    .map(|d| (d.metadata.namespace.clone(), d.metadata.name.clone()))
                    .collect();
                for key in keys {
                    self.store.watch.daemonsets.add_key(key);
                }
            }
            self.run_queue(
                "daemonsets",
                |w| &mut w.daemonsets,
                controllers::daemonset::sync_key,
                now,
                rng,
            );
            self.run_queue(
                "cronjobs",
                |w| &mut w.cronjobs,
                controllers::cronjob::sync_key,
                now,
                rng,
            );
            self.run_queue(
                "statefulsets",
                |w| &mut w.statefulsets,
                controllers::statefulset::sync_key,
                now,
                rng,
            );
            self.run_queue(
                "jobs",
                |w| &mut w.jobs,
                controllers::job::sync_key,
                now,
                rng,
            );
            controllers::garbage_collector::reconcile(&mut self.store, now);
            if self.store.watch.volumes.has_work(now) {
                let key = (String::new(), String::new());
                self.store.watch.volumes.take(now);
                *self
                    .store
                    .watch
                    .counters
                    .syncs
                    .entry("volumes")
                    .or_default() += 1;
                let due =
                    controllers::volume::sync(&mut self.store, &mut self.provisioner, now, rng);
                self.store.watch.volumes.set_timer(&key, due);
            }
            self.scheduler.schedule(&mut self.store, now, rng);
            self.kubelets.sync(&mut self.store, &self.stopped, now, rng);
            if self.store.unstructured.contains_key("resourcequotas") {
                use crate::sim::api::quota;
                if self.gate("quota", quota::inputs(&self.store), now) {
                    quota::sync_quotas(&mut self.store);
                    self.close("quota", quota::inputs(&self.store), None);
                }
            }
            self.run_queue(
                "endpoints",
                |w| &mut w.endpoints,
                controllers::endpoints::sync_key,
                now,
                rng,
            );
            self.store.watch.counters.passes += 1;
            if self.store.revision() == before {
                break;
            }
        }
    }

    /// Sync every key a controller's work queue holds now; each sync says when it wants the key
    /// again (a deadline), which becomes the key's timer.
    fn run_queue(
        &mut self,
        name: &'static str,
        queue: fn(&mut Watch) -> &mut WorkQueue,
        sync: fn(&mut Store, &Key, Millis, &mut Rng) -> Option<Millis>,
        now: Millis,
        rng: &mut Rng,
    ) {
        let keys = queue(&mut self.store.watch).take(now);
        if !keys.is_empty() {
            *self.store.watch.counters.syncs.entry(name).or_default() += keys.len() as u64;
        }
        // The ReplicaSet and Deployment syncs compute their status after acting, from the
        // store as it is then: the writes their own sync made need not wake them again. (The
        // others write a status from what they saw before acting, and must look again.)
        let sees_own_writes = matches!(name, "replicasets" | "deployments");
        for key in keys {
            let due = sync(&mut self.store, &key, now, rng);
            let q = queue(&mut self.store.watch);
            if sees_own_writes {
                q.forget(&key);
            }
            q.set_timer(&key, due);
        }
    }

    fn gate(&self, name: &'static str, inputs: u64, now: Millis) -> bool {
        self.gates
            .get(name)
            .copied()
            .unwrap_or_default()
            .open(inputs, now)
    }

    fn close(&mut self, name: &'static str, inputs: u64, due: Option<Millis>) {
        self.gates.insert(
            name,
            Gate {
                inputs,
                due,
                ran: true,
            },
        );
    }

    /// Namespaces being deleted: delete what is in them, then the namespace itself (fact 11).
    fn namespace_controller(&mut self, now: Millis) {
        let terminating: Vec<String> = self
            .store
            .namespaces
            .values()
            .filter(|n| n.status.phase == "Terminating")
            .map(|n| n.metadata.name.clone())
            .collect();
        for ns in terminating {
            // Workload objects go first (their controllers would replace deleted pods).
            let deployments: Vec<String> = self
                .store
                .deployments
                .in_namespace(Some(&ns))
                .map(|d| d.metadata.name.clone())
                .collect();
            for name in deployments {
                self.store.remove::<Deployment>(&ns, &name);
            }
            let sets: Vec<String> = self
                .store
                .replicasets
                .in_namespace(Some(&ns))
                .map(|d| d.metadata.name.clone())
                .collect();
            for name in sets {
                self.store.remove::<ReplicaSet>(&ns, &name);
            }
            let others: Vec<(&str, String)> = self
                .store
                .daemonsets
                .in_namespace(Some(&ns))
                .map(|d| ("ds", d.metadata.name.clone()))
                .chain(
                    self.store
                        .jobs
                        .in_namespace(Some(&ns))
                        .map(|d| ("job", d.metadata.name.clone())),
                )
                .chain(
                    self.store
                        .cronjobs
                        .in_namespace(Some(&ns))
                        .map(|d| ("cj", d.metadata.name.clone())),
                )
                .chain(
                    self.store
                        .statefulsets
                        .in_namespace(Some(&ns))
                        .map(|d| ("sts", d.metadata.name.clone())),
                )
                .collect();
            for (kind, name) in others {
                match kind {
                    "ds" => drop(self.store.remove::<DaemonSet>(&ns, &name)),
                    "job" => drop(self.store.remove::<Job>(&ns, &name)),
                    "sts" => drop(self.store.remove::<StatefulSet>(&ns, &name)),
                    _ => drop(self.store.remove::<CronJob>(&ns, &name)),
                }
            }
            let pods: Vec<String> = self
                .store
                .pods
                .in_namespace(Some(&ns))
                .map(|p| p.metadata.name.clone())
                .collect();
            let empty = pods.is_empty();
            for name in pods {
                self.store.delete_pod(&ns, &name, now, None);
            }
            // ConfigMaps, Secrets, ServiceAccounts, custom resources…
            self.store.remove_unstructured_in_namespace(&ns);
            if empty {
                self.store.remove::<Namespace>("", &ns);
            }
        }
    }

    /// The service account controller and the root CA publisher: every active namespace has a
    /// ServiceAccount `default` and a ConfigMap `kube-root-ca.crt` (made again if deleted).
    /// Works from the watch's queue of namespaces.
    fn serviceaccount_controller(&mut self, now: Millis) {
        for (_, ns) in self.store.watch.serviceaccounts.take(now) {
            let active = self
                .store
                .namespaces
                .get("", &ns)
                .is_some_and(|n| n.status.phase != "Terminating");
            if active {
                self.store.ensure_default_service_account(&ns, now);
                self.store.ensure_root_ca_config_map(&ns, now);
            }
        }
    }

    fn node_facts(&self) -> std::cell::Ref<'_, NodeFacts> {
        let rev = self.store.nodes.rev();
        let stale = self
            .node_facts
            .borrow()
            .as_ref()
            .is_none_or(|(r, _)| *r != rev);
        if stale {
            let facts = NodeFacts {
                masters: self
                    .store
                    .nodes
                    .values()
                    .filter(|n| {
                        n.metadata
                            .labels
                            .contains_key("node-role.kubernetes.io/control-plane")
                    })
                    .map(|n| n.metadata.name.clone())
                    .collect(),
                any_unreachable: self.store.nodes.values().any(|n| {
                    n.spec
                        .taints
                        .iter()
                        .any(|t| t.key == controllers::node_lifecycle::UNREACHABLE)
                }),
            };
            *self.node_facts.borrow_mut() = Some((rev, facts));
        }
        std::cell::Ref::map(self.node_facts.borrow(), |f| match f {
            Some((_, facts)) => facts,
            None => &NO_FACTS,
        })
    }

    /// The control-plane nodes: each runs an etcd member and an API server.
    pub fn masters(&self) -> Vec<String> {
        self.node_facts().masters.clone()
    }

    /// (running etcd members, all members, the majority needed: ⌊n/2⌋+1, fact 75).
    pub fn etcd_members(&self) -> (usize, usize, usize) {
        let facts = self.node_facts();
        let masters = &facts.masters;
        let up = masters
            .iter()
            .filter(|m| !self.stopped.contains(*m))
            .count();
        (up, masters.len(), masters.len() / 2 + 1)
    }

    pub fn has_quorum(&self) -> bool {
        let (up, _, needed) = self.etcd_members();
        up >= needed
    }

    /// Why the API server cannot answer, if it cannot: every API server down (fact 79), or etcd
    /// without quorum (fact 77).
    pub fn api_unavailable(&self) -> Option<String> {
        let (up, _, _) = self.etcd_members();
        if up == 0 {
            return Some(format!(
                "The connection to the server {}:6443 was refused - did you specify the right host or port?",
                self.api_address()
            ));
        }
        if !self.has_quorum() {
            return Some("Error from server: etcdserver: request timed out".into());
        }
        None
    }

    /// Power a node off: its kubelet stops posting status and its containers stop serving.
    pub fn stop_node(&mut self, name: &str, now: Millis) -> Result<(), String> {
        if self.store.nodes.get("", name).is_none() {
            return Err(format!(
                "sim node: no node \"{name}\" in cluster {}",
                self.name
            ));
        }
        if !self.stopped.insert(name.to_string()) {
            return Err(format!("sim node: {name} is already stopped"));
        }
        self.heartbeats.insert(name.to_string(), now);
        Ok(())
    }

    /// Power a node back on: the kubelet restarts the containers of the pods still bound to it.
    pub fn start_node(&mut self, name: &str, now: Millis) -> Result<(), String> {
        if !self.stopped.remove(name) {
            return Err(format!("sim node: {name} is not stopped"));
        }
        self.heartbeats.remove(name);
        self.kubelets.node_rebooted(&mut self.store, name, now);
        Ok(())
    }

    /// The address kubectl talks to.
    pub fn api_address(&self) -> String {
        format!("172.{}.0.2", 18 + self.index)
    }

    /// The earliest future moment any loop has something to do.
    pub fn next_deadline(&self, now: Millis) -> Option<Millis> {
        if !self.has_quorum() {
            return None;
        }
        let w = &self.store.watch;
        // Only a powered-off or unreachable-tainted node gives the node lifecycle controller
        // something to wait for.
        let lifecycle = if !self.stopped.is_empty() || self.node_facts().any_unreachable {
            controllers::node_lifecycle::next_deadline(
                &self.store,
                &self.stopped,
                &self.heartbeats,
                now,
            )
        } else {
            None
        };
        let all = [
            lifecycle,
            self.scheduler.next_deadline(&self.store, now),
            self.kubelets.next_deadline(&self.store, now),
            w.deployments.next_timer(now),
            w.replicasets.next_timer(now),
            w.daemonsets.next_timer(now),
            w.statefulsets.next_timer(now),
            w.jobs.next_timer(now),
            w.cronjobs.next_timer(now),
            w.endpoints.next_timer(now),
            w.volumes.next_timer(now),
        ];
        all.into_iter().flatten().min()
    }
}
