//! The simulated network: cluster DNS (CoreDNS), kube-proxy and pod-to-pod delivery, as seen
//! from one pod. A request's path is recorded hop by hop, each hop with the rule that decided it.
//!
//! [`NetView`] is a snapshot of what routing needs (Services, endpoints, pods, nodes), taken
//! before a command runs, so the tools can run while the container's files are borrowed.

use crate::sim::api::*;
use crate::sim::apps;
use crate::sim::clock::Millis;
use crate::sim::dns::PublicZone;
use crate::sim::network::*;
use crate::sim::proxy::{self, Decision, Proxy, Routes, Target};
use crate::sim::rng::Rng;
use crate::sim::World;
use std::collections::BTreeSet;

/// `format!` into a buffer sized for a hop's text: most hops are 60-200 bytes, and growing a
/// string from format!'s estimate reallocates two or three times (the traffic benchmark's
/// profile).
macro_rules! hfmt {
    ($($t:tt)*) => {{
        let mut s = String::with_capacity(192);
        let _ = std::fmt::Write::write_fmt(&mut s, format_args!($($t)*));
        s
    }};
}

/// The cluster domain.
pub const DOMAIN: &str = "cluster.local";
const DOT_DOMAIN: &str = ".cluster.local";
const SVC_SUFFIX: &str = ".svc.cluster.local";
const POD_SUFFIX: &str = ".pod.cluster.local";

#[derive(Debug, Clone)]
struct SvcView {
    namespace: String,
    name: String,
    type_: String,
    cluster_ip: String,
    external_name: String,
    ports: Vec<ServicePort>,
    /// Ready endpoints: (pod IP, port name, port number).
    endpoints: Vec<(String, String, i64)>,
    /// Ready endpoint IPs with their pod hostnames (headless DNS).
    hosts: Vec<(String, String)>,
    client_ip_affinity: bool,
    lb_ips: Vec<String>,
    local_only: bool,
}

#[derive(Debug, Clone)]
struct ContainerView {
    name: String,
    image: String,
    /// The image's normalised repository (what the catalog's behaviours go by).
    repo: String,
    command: Vec<String>,
    /// The spec's plain `env` values (what a gateway reads its upstreams from).
    env: Vec<(String, String)>,
    running_since: Option<Millis>,
    /// An Ingress controller or Emissary (proxy.rs).
    proxy: Option<Proxy>,
}

#[derive(Debug, Clone)]
struct PodView {
    namespace: String,
    name: String,
    ip: String,
    node: String,
    containers: Vec<ContainerView>,
    host_network: bool,
}

#[derive(Debug, Clone)]
struct NodeView {
    name: String,
    ip: String,
    up: bool,
    /// kubeadm labels control-plane nodes `node.kubernetes.io/exclude-from-external-load-balancers`.
    lb_target: bool,
}

/// What routing needs of one cluster.
#[derive(Debug, Clone)]
pub struct NetView {
    services: Vec<SvcView>,
    pods: Vec<PodView>,
    nodes: Vec<NodeView>,
    /// Whether a CoreDNS pod is running and ready on a powered node.
    dns_up: bool,
    now: Millis,
    /// The cluster's name, and whether `minikube tunnel` routes its service range.
    name: String,
    tunnel: bool,
    /// `now` as HTTP's `Date:` header writes it.
    date: String,
    /// Ingresses, IngressClasses, Mappings, Hosts, Listeners: what the proxies route by.
    routes: Routes,
}

impl NetView {
    /// A snapshot of cluster `index` of the world.
    pub fn of(world: &World, index: usize) -> NetView {
        let Some(c) = world.clusters.get(index) else {
            return NetView {
                services: Vec::new(),
                pods: Vec::new(),
                nodes: Vec::new(),
                dns_up: false,
                now: world.now,
                name: String::new(),
                tunnel: false,
                date: String::new(),
                routes: Routes::default(),
            };
        };
        let store = &c.store;
        let node_up = |n: &str| !c.stopped.contains(n);
        let services = store
            .services
            .values()
            .map(|s| {
                let ep = store.endpoints.get(&s.metadata.namespace, &s.metadata.name);
                let mut endpoints = Vec::new();
                let mut hosts = Vec::new();
                for subset in ep.map(|e| e.subsets.as_slice()).unwrap_or(&[]) {
                    for a in &subset.addresses {
                        hosts.push((a.ip.clone(), a.hostname.clone()));
                        for p in &subset.ports {
                            endpoints.push((a.ip.clone(), p.name.clone(), p.port));
                        }
                    }
                }
                SvcView {
                    namespace: s.metadata.namespace.clone(),
                    name: s.metadata.name.clone(),
                    type_: s.type_name().to_string(),
                    cluster_ip: s.spec.cluster_ip.clone(),
                    external_name: s.spec.external_name.clone(),
                    ports: s.spec.ports.clone(),
                    endpoints,
                    hosts,
                    client_ip_affinity: s.spec.session_affinity == "ClientIP",
                    lb_ips: s
                        .status
                        .load_balancer
                        .ingress
                        .iter()
                        .map(|i| i.ip.clone())
                        .chain(s.spec.external_ips.iter().cloned())
                        .collect(),
                    local_only: s.spec.external_traffic_policy == "Local",
                }
            })
            .collect();
        let pods = store
            .pods
            .values()
            .filter(|p| !p.status.pod_ip.is_empty())
            .map(|p| {
                let rt = c
                    .kubelets
                    .pods
                    .get(&(p.metadata.namespace.clone(), p.metadata.name.clone()));
                let containers = p
                    .spec
                    .containers
                    .iter()
                    .map(|spec| {
                        let running_since = rt
                            .and_then(|rt| rt.containers.iter().find(|x| x.name == spec.name))
                            .and_then(|x| match x.state {
                                crate::sim::kubelet::RunState::Running { since, .. } => Some(since),
                                _ => None,
                            });
                        let mut command = spec.command.clone();
                        command.extend(spec.args.iter().cloned());
                        ContainerView {
                            repo: crate::sim::images::normalise(&spec.image).0,
                            proxy: Proxy::of(
                                &spec.image,
                                &command
                                    .iter()
                                    .map(|a| a.replace("$(POD_NAMESPACE)", &p.metadata.namespace))
                                    .collect::<Vec<_>>(),
                            ),
                            name: spec.name.clone(),
                            image: spec.image.clone(),
                            command,
                            env: spec
                                .env
                                .iter()
                                .filter_map(|e| Some((e.name.clone(), e.value.clone()?)))
                                .collect(),
                            running_since,
                        }
                    })
                    .collect();
                PodView {
                    namespace: p.metadata.namespace.clone(),
                    name: p.metadata.name.clone(),
                    ip: p.status.pod_ip.clone(),
                    node: p.spec.node_name.clone(),
                    containers,
                    host_network: p.spec.host_network,
                }
            })
            .collect();
        let nodes = store
            .nodes
            .values()
            .map(|n| NodeView {
                name: n.metadata.name.clone(),
                ip: crate::sim::kubelet::node_ip(n),
                up: node_up(&n.metadata.name),
                lb_target: !n
                    .metadata
                    .labels
                    .contains_key("node.kubernetes.io/exclude-from-external-load-balancers"),
            })
            .collect();
        let dns_up = store
            .pods
            .in_namespace(Some("kube-system"))
            .filter(|p| p.metadata.labels.get("k8s-app").map(String::as_str) == Some("kube-dns"))
            .any(|p| {
                node_up(&p.spec.node_name)
                    && p.status
                        .conditions
                        .iter()
                        .any(|c| c.type_ == "Ready" && c.status == "True")
            });
        NetView {
            services,
            pods,
            nodes,
            dns_up,
            now: world.now,
            name: c.name.clone(),
            tunnel: c.store.config.tunnel,
            date: apps::http_date(world.now),
            routes: Routes::of(&c.store),
        }
    }

    fn pod_by_ip(&self, ip: &str) -> Option<&PodView> {
        self.pods.iter().find(|p| p.ip == ip && !p.host_network)
    }

    fn node_by_ip(&self, ip: &str) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.ip == ip)
    }

    fn node(&self, name: &str) -> Option<&NodeView> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Whether `ip` belongs to this cluster's private networks: its nodes, pods, Services, its
    /// own load balancers (kube-proxy short-cuts those), the pod range 10.244.0.0/16 and the
    /// service range 10.96.0.0/12.
    fn owns(&self, ip: &str) -> bool {
        let in_range = crate::sim::api::service_admission::parse_ipv4(ip).is_some_and(|o| {
            let v = u32::from_be_bytes(o);
            let service_range = (v >> 20) == (0x0a60_0000u32 >> 20);
            let pod_range = (v >> 16) == 0x0af4;
            service_range || pod_range
        });
        in_range
            || self.nodes.iter().any(|n| n.ip == ip)
            || self
                .services
                .iter()
                .any(|s| s.cluster_ip == ip || s.lb_ips.iter().any(|l| l == ip))
    }
}

/// What routing needs of the whole world: every cluster's [`NetView`] and the public DNS zone.
#[derive(Debug, Clone)]
pub struct WorldNet {
    pub clusters: Vec<NetView>,
    pub zone: PublicZone,
}

/// What a [`WorldNet`] is made of, to tell whether a snapshot is still the world's: the clock,
/// and each cluster's object writes, stopped nodes and `minikube tunnel`. The kubelets' runtime
/// records it reads (containers running since) change only with a status write or the clock.
#[derive(Debug, Clone, PartialEq)]
struct NetKey {
    now: Millis,
    clusters: Vec<(String, u64, BTreeSet<String>, bool)>,
    zone: PublicZone,
}

impl NetKey {
    fn of(world: &World) -> NetKey {
        NetKey {
            now: world.now,
            clusters: world
                .clusters
                .iter()
                .map(|c| {
                    (
                        c.name.clone(),
                        c.store.resource_version_counter(),
                        c.stopped.clone(),
                        c.store.config.tunnel,
                    )
                })
                .collect(),
            zone: world.public_dns.clone(),
        }
    }
}

/// The last [`WorldNet`] snapshot, kept while the world it was taken of has not changed: many
/// requests in a row (a curl loop, the map's "send traffic") share one instead of copying every
/// pod and Service each time. Same snapshot, same answers: only the copying is saved.
#[derive(Debug, Clone, Default)]
pub struct NetCache {
    last: Option<(NetKey, std::rc::Rc<WorldNet>)>,
}

impl NetCache {
    pub fn get(&mut self, world: &World) -> std::rc::Rc<WorldNet> {
        let key = NetKey::of(world);
        if let Some((k, net)) = &self.last {
            if *k == key {
                return net.clone();
            }
        }
        let net = std::rc::Rc::new(WorldNet::of(world));
        self.last = Some((key, net.clone()));
        net
    }
}

impl WorldNet {
    pub fn of(world: &World) -> WorldNet {
        WorldNet {
            clusters: (0..world.clusters.len())
                .map(|i| NetView::of(world, i))
                .collect(),
            zone: world.public_dns.clone(),
        }
    }

    /// The cluster whose public (load-balancer) address `ip` is, with the Service behind it.
    fn public_owner(&self, ip: &str) -> Option<usize> {
        self.clusters
            .iter()
            .position(|v| v.services.iter().any(|s| s.lb_ips.iter().any(|l| l == ip)))
    }
}

/// A connection arriving from outside a cluster at one of its public addresses (or, from the
/// laptop, at a node address or through `minikube tunnel`): the cluster and the node it enters
/// by, with a hop for how it got there.
fn enter(
    net: &WorldNet,
    rng: &mut Rng,
    trace: &mut Vec<Hop>,
    ip: &str,
    from_laptop: bool,
) -> Option<(usize, String)> {
    let mut hop = |at: String, detail: String| trace.push(Hop { at, detail });
    for (k, v) in net.clusters.iter().enumerate() {
        let up_nodes: Vec<&NodeView> = v.nodes.iter().filter(|n| n.up && n.lb_target).collect();
        if let Some(svc) = v.services.iter().find(|s| s.lb_ips.iter().any(|l| l == ip)) {
            if v.tunnel && svc.cluster_ip == ip {
                if !from_laptop {
                    continue;
                }
                let node = up_nodes.first()?.name.clone();
                hop(
                    "minikube tunnel".into(),
                    hfmt!("routes 10.96.0.0/12 to the {} node {node}", v.name),
                );
                return Some((k, node));
            }
            // With externalTrafficPolicy Local, the load balancer's health checks (the
            // Service's healthCheckNodePort) pass only on nodes running a ready endpoint.
            let mut up_nodes = up_nodes;
            if svc.local_only {
                up_nodes.retain(|n| {
                    svc.endpoints
                        .iter()
                        .any(|(ip, _, _)| v.pods.iter().any(|p| &p.ip == ip && p.node == n.name))
                });
            }
            if up_nodes.is_empty() {
                hop(
                    hfmt!("cloud load balancer {ip}"),
                    hfmt!(
                        "no healthy node in cluster {}{}",
                        v.name,
                        if svc.local_only {
                            " (externalTrafficPolicy Local: only nodes running a ready endpoint pass the health check)"
                        } else {
                            ""
                        }
                    ),
                );
                return None;
            }
            let node = up_nodes[rng.below(up_nodes.len() as u64) as usize]
                .name
                .clone();
            hop(
                hfmt!("cloud load balancer {ip}"),
                hfmt!(
                    "the cloud's load balancer for Service {}/{} of cluster {} sends the connection to node {node}",
                    svc.namespace, svc.name, v.name
                ),
            );
            return Some((k, node));
        }
        if !from_laptop {
            continue;
        }
        if let Some(n) = v.nodes.iter().find(|n| n.ip == ip) {
            hop(
                "laptop".into(),
                hfmt!("{ip} is node {} of cluster {}", n.name, v.name),
            );
            return Some((k, n.name.clone()));
        }
        if v.tunnel && v.services.iter().any(|s| s.cluster_ip == ip) {
            let node = up_nodes.first()?.name.clone();
            hop(
                "minikube tunnel".into(),
                hfmt!("routes 10.96.0.0/12 to the {} node {node}", v.name),
            );
            return Some((k, node));
        }
    }
    None
}

/// Carry a connection that entered cluster `k` at `node` on to its pod: kube-proxy on that node,
/// then the pod's container. `client_ip` is the source address the cluster sees.
#[allow(clippy::too_many_arguments)]
fn inbound(
    net: &WorldNet,
    rng: &mut Rng,
    trace: &mut Vec<Hop>,
    served: &mut Vec<Answered>,
    k: usize,
    node: String,
    client_ip: &str,
    depth: usize,
    ip: &str,
    port: u16,
    request: Option<&HttpRequest>,
) -> Result<Option<HttpResponse>, ConnectError> {
    let mut inner = PodNetwork {
        world: net,
        view: &net.clusters[k],
        rng,
        namespace: String::new(),
        origin: hfmt!("node {node}"),
        ip: client_ip.into(),
        node,
        trace: Vec::new(),
        depth,
        top: false,
        served: Vec::new(),
        requests: Vec::new(),
        mark: 0,
    };
    let result = inner
        .route(ip, port)
        .and_then(|(ip, port)| inner.deliver(&ip, port, request));
    served.append(&mut inner.served);
    // Crossing from one cluster into another, node and pod names repeat: say whose they are.
    let name = &net.clusters[k].name;
    let label = client_ip != LAPTOP_IP;
    trace.extend(inner.take_trace().into_iter().map(|h| Hop {
        at: if label {
            let indent = h.at.len() - h.at.trim_start().len();
            hfmt!("{}{name}: {}", &h.at[..indent], h.at.trim_start())
        } else {
            h.at
        },
        detail: h.detail,
    }));
    result
}

/// The network as one pod sees it.
pub struct PodNetwork<'a> {
    world: &'a WorldNet,
    view: &'a NetView,
    rng: &'a mut Rng,
    namespace: String,
    /// Where requests start, as hops name it (`pod default/client`).
    origin: String,
    ip: String,
    node: String,
    trace: Vec<Hop>,
    /// How many gateways deep this request is (a gateway calling itself stops at a few).
    depth: usize,
    /// Whether a tool runs here (the plots' requests are recorded), not a proxy or gateway
    /// that a request passes.
    top: bool,
    /// The pods that answered since the last recorded request.
    served: Vec<Answered>,
    requests: Vec<RequestRecord>,
    /// The trace's length when the last request was recorded.
    mark: usize,
}

impl<'a> PodNetwork<'a> {
    /// The network as pod `namespace/pod` of cluster `cluster` sees it.
    pub fn new(
        world: &'a WorldNet,
        cluster: usize,
        rng: &'a mut Rng,
        namespace: &str,
        pod: &str,
    ) -> Self {
        static EMPTY: std::sync::OnceLock<NetView> = std::sync::OnceLock::new();
        let view = world.clusters.get(cluster).unwrap_or_else(|| {
            EMPTY.get_or_init(|| NetView {
                services: Vec::new(),
                pods: Vec::new(),
                nodes: Vec::new(),
                dns_up: false,
                now: 0,
                name: String::new(),
                tunnel: false,
                date: String::new(),
                routes: Routes::default(),
            })
        });
        let (ip, node) = view
            .pods
            .iter()
            .find(|p| p.namespace == namespace && p.name == pod)
            .map(|p| (p.ip.clone(), p.node.clone()))
            .unwrap_or_default();
        PodNetwork {
            world,
            view,
            rng,
            namespace: namespace.into(),
            origin: hfmt!("pod {namespace}/{pod}"),
            ip,
            node,
            trace: Vec::new(),
            depth: 0,
            top: true,
            served: Vec::new(),
            requests: Vec::new(),
            mark: 0,
        }
    }

    /// The hops so far (taken out).
    pub fn take_trace(&mut self) -> Vec<Hop> {
        std::mem::take(&mut self.trace)
    }

    fn hop(&mut self, at: impl Into<String>, detail: impl Into<String>) {
        self.trace.push(Hop {
            at: at.into(),
            detail: detail.into(),
        });
    }

    /// A container of `pod` answered an HTTP request.
    fn answered(&mut self, pod: &PodView) {
        self.served.push(Answered {
            cluster: self.view.name.clone(),
            namespace: pod.namespace.clone(),
            pod: pod.name.clone(),
        });
    }

    /// A request a tool made here ended (only where a tool runs: see `top`).
    fn record(&mut self, outcome: Outcome) {
        if !self.top {
            return;
        }
        record(
            &mut self.requests,
            &mut self.served,
            &mut self.mark,
            self.trace.len(),
            outcome,
        );
    }

    /// Answer one fully qualified name from the cluster's records (fact 59): Some((cnames,
    /// addresses)) or None (NXDOMAIN).
    fn records(&self, fqdn: &str) -> Option<(Vec<String>, Vec<String>)> {
        let trimmed = fqdn.trim_end_matches('.');
        let owned;
        let name: &str = if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            owned = trimmed.to_ascii_lowercase();
            &owned
        } else {
            trimmed
        };
        if let Some(rest) = name.strip_suffix(SVC_SUFFIX) {
            let labels: Vec<&str> = rest.split('.').collect();
            match labels.as_slice() {
                [svc, ns] => {
                    let s = self
                        .view
                        .services
                        .iter()
                        .find(|s| s.name == *svc && s.namespace == *ns)?;
                    if s.type_ == "ExternalName" {
                        return Some((vec![s.external_name.clone()], Vec::new()));
                    }
                    if s.cluster_ip == "None" {
                        let ips: Vec<String> = s.hosts.iter().map(|(ip, _)| ip.clone()).collect();
                        return (!ips.is_empty()).then_some((Vec::new(), ips));
                    }
                    return Some((Vec::new(), vec![s.cluster_ip.clone()]));
                }
                [host, svc, ns] => {
                    let s =
                        self.view.services.iter().find(|s| {
                            s.name == *svc && s.namespace == *ns && s.cluster_ip == "None"
                        })?;
                    let ip = s.hosts.iter().find(|(_, h)| h == host)?.0.clone();
                    return Some((Vec::new(), vec![ip]));
                }
                _ => return None,
            }
        }
        if let Some(rest) = name.strip_suffix(POD_SUFFIX) {
            // a-b-c-d.namespace.pod.cluster.local
            let (dashed, _ns) = rest.split_once('.')?;
            let ip = dashed.replace('-', ".");
            crate::sim::api::service_admission::parse_ipv4(&ip)?;
            return Some((Vec::new(), vec![ip]));
        }
        None
    }

    /// CoreDNS's answer for one fully qualified name: from the cluster's records inside
    /// `cluster.local`, else forwarded to the public zone (the bool says which).
    fn answer(&self, fqdn: &str) -> Option<(Vec<String>, Vec<String>, bool)> {
        let trimmed = fqdn.trim_end_matches('.');
        let owned;
        let lower: &str = if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            owned = trimmed.to_ascii_lowercase();
            &owned
        } else {
            trimmed
        };
        if lower == DOMAIN || lower.ends_with(DOT_DOMAIN) {
            let (c, a) = self.records(lower)?;
            Some((c, a, false))
        } else {
            let (c, a) = self.world.zone.resolve(lower)?;
            Some((c, a, true))
        }
    }

    /// The endpoint kube-proxy picks for a Service port, or why there is none.
    fn pick_endpoint(
        &mut self,
        svc: &SvcView,
        port: &ServicePort,
        via_node: &str,
    ) -> Result<(String, i64), ConnectError> {
        let view = self.view;
        let mut candidates: Vec<(&str, i64)> = svc
            .endpoints
            .iter()
            .filter(|(_, name, _)| *name == port.name)
            .map(|(ip, _, p)| (ip.as_str(), *p))
            .collect();
        if svc.local_only {
            candidates.retain(|(ip, _)| view.pod_by_ip(ip).is_some_and(|p| p.node == via_node));
        }
        let at = hfmt!("kube-proxy {via_node}");
        if candidates.is_empty() {
            self.hop(
                at,
                hfmt!(
                    "Service {}/{} has no ready endpoints for port {}: iptables rejects the connection",
                    svc.namespace, svc.name, port.port
                ),
            );
            return Err(ConnectError::Refused);
        }
        let n = candidates.len();
        let index = if svc.client_ip_affinity {
            // ClientIP affinity: the same client always lands on the same endpoint.
            let h = self
                .ip
                .bytes()
                .fold(0u64, |a, b| a.wrapping_mul(31).wrapping_add(b as u64));
            (h % n as u64) as usize
        } else {
            self.rng.below(n as u64) as usize
        };
        let (ip, p) = candidates[index];
        let ip = ip.to_string();
        let why = if svc.client_ip_affinity {
            "sessionAffinity ClientIP keeps this client on it".to_string()
        } else {
            "picked at random, as iptables mode does".to_string()
        };
        self.hop(
            at,
            hfmt!(
                "DNAT to {ip}:{p}, one of {n} ready endpoint{} of Service {}/{}: {why}",
                if n == 1 { "" } else { "s" },
                svc.namespace,
                svc.name
            ),
        );
        Ok((ip, p))
    }

    /// Where a connection to ip:port ends up: a pod IP and port, after kube-proxy.
    fn route(&mut self, ip: &str, port: u16) -> Result<(String, i64), ConnectError> {
        let port = port as i64;
        let view = self.view;
        // A Service's virtual IP (or its load balancer's address, which kube-proxy also
        // programs inside the cluster).
        if let Some(svc) = view
            .services
            .iter()
            .find(|s| s.cluster_ip == ip || s.lb_ips.iter().any(|l| l == ip))
        {
            self.hop(
                hfmt!("service {}/{}", svc.namespace, svc.name),
                hfmt!(
                    "{ip} is the {} address of Service {}/{}",
                    if svc.cluster_ip == ip {
                        "cluster"
                    } else {
                        "load balancer"
                    },
                    svc.namespace,
                    svc.name
                ),
            );
            let Some(sp) = svc
                .ports
                .iter()
                .find(|p| p.port == port && p.protocol == "TCP")
            else {
                self.hop(
                    hfmt!("kube-proxy {}", self.node),
                    hfmt!(
                        "Service {}/{} has no port {port}: no rule matches, the packet is dropped",
                        svc.namespace,
                        svc.name
                    ),
                );
                return Err(ConnectError::TimedOut);
            };
            let node = std::mem::take(&mut self.node);
            let result = self.pick_endpoint(svc, sp, &node);
            self.node = node;
            return result;
        }
        if view.pod_by_ip(ip).is_some() {
            return Ok((ip.to_string(), port));
        }
        if let Some(node) = view.node_by_ip(ip) {
            if !node.up {
                self.hop(hfmt!("node {}", node.name), "powered off: no answer");
                return Err(ConnectError::TimedOut);
            }
            let node_name = node.name.clone();
            if let Some((svc, sp)) = view.services.iter().find_map(|s| {
                s.ports
                    .iter()
                    .find(|p| p.node_port == Some(port))
                    .map(|p| (s.clone(), p.clone()))
            }) {
                self.hop(
                    hfmt!("node {node_name}"),
                    hfmt!(
                        "{port} is the nodePort of Service {}/{}",
                        svc.namespace,
                        svc.name
                    ),
                );
                return self.pick_endpoint(&svc, &sp, &node_name);
            }
            // A pod on the host network (the control plane, kube-proxy) may listen there.
            if let Some(p) = view
                .pods
                .iter()
                .find(|p| p.host_network && p.node == node_name)
            {
                let _ = p;
            }
            self.hop(
                hfmt!("node {node_name}"),
                hfmt!("nothing listens on port {port}: connection refused"),
            );
            return Err(ConnectError::Refused);
        }
        if ip.starts_with("10.96.") || ip.starts_with("10.10") || ip.starts_with("10.11") {
            self.hop(
                hfmt!("kube-proxy {}", self.node),
                hfmt!("no Service has the address {ip}: no rule matches, the packet is dropped"),
            );
            return Err(ConnectError::TimedOut);
        }
        self.hop(
            self.origin.clone(),
            hfmt!("{ip} is outside the simulated world: no route"),
        );
        Err(ConnectError::TimedOut)
    }

    /// A connection to localhost: the pod's own network namespace, which all its containers
    /// share, so whichever container listens on the port answers.
    fn loopback(
        &mut self,
        port: u16,
        request: Option<&HttpRequest>,
    ) -> Result<Option<HttpResponse>, ConnectError> {
        self.hop(
            self.origin.clone(),
            hfmt!("localhost is this pod's own network namespace, shared by all its containers"),
        );
        let ip = self.ip.clone();
        self.deliver(&ip, port as i64, request)
    }

    /// A connection to an address outside this cluster: out through the node (SNAT) to the
    /// internet, where only public addresses (other clusters' load balancers) answer.
    fn outward(
        &mut self,
        ip: &str,
        port: u16,
        request: Option<&HttpRequest>,
    ) -> Result<Option<HttpResponse>, ConnectError> {
        let world = self.world;
        if world.public_owner(ip).is_none() {
            self.hop(
                self.origin.clone(),
                hfmt!("{ip} is outside the simulated world: no route"),
            );
            return Err(ConnectError::TimedOut);
        }
        let node_ip = self
            .view
            .node(&self.node)
            .map(|n| n.ip.clone())
            .unwrap_or_else(|| self.ip.clone());
        self.hop(
            hfmt!("node {}", self.node),
            hfmt!(
                "{ip} is not an address of cluster {}: the packet leaves through node {} (source NAT to {node_ip}) for the internet",
                self.view.name, self.node
            ),
        );
        let mut trace = std::mem::take(&mut self.trace);
        let result = match enter(world, self.rng, &mut trace, ip, false) {
            Some((k, node)) => inbound(
                world,
                self.rng,
                &mut trace,
                &mut self.served,
                k,
                node,
                &node_ip,
                self.depth,
                ip,
                port,
                request,
            ),
            None => Err(ConnectError::TimedOut),
        };
        self.trace = trace;
        result
    }

    /// A gateway pod's calls to its upstreams: each URL resolved and requested from that pod,
    /// the hops recorded under this request's.
    fn fan_out(
        &mut self,
        pod: &PodView,
        upstreams: &[(String, String)],
    ) -> Vec<(String, String, Result<HttpResponse, String>)> {
        let mut out = Vec::new();
        for (label, url) in upstreams {
            if self.depth >= 4 {
                out.push((
                    label.clone(),
                    url.clone(),
                    Err("too many gateways in a row".into()),
                ));
                continue;
            }
            let rest = url.strip_prefix("http://").unwrap_or(url.as_str());
            let (authority, path) = match rest.find('/') {
                Some(i) => (&rest[..i], rest[i..].to_string()),
                None => (rest, "/".to_string()),
            };
            let (host, port) = match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse::<u16>().unwrap_or(80)),
                None => (authority.to_string(), 80),
            };
            let mut inner = PodNetwork {
                world: self.world,
                view: self.view,
                rng: &mut *self.rng,
                namespace: pod.namespace.clone(),
                origin: hfmt!("pod {}/{}", pod.namespace, pod.name),
                ip: pod.ip.clone(),
                node: pod.node.clone(),
                trace: Vec::new(),
                depth: self.depth + 1,
                top: false,
                served: Vec::new(),
                requests: Vec::new(),
                mark: 0,
            };
            let result = match inner.lookup(&host) {
                Err(LookupError::NxDomain { .. }) => Err(hfmt!("cannot resolve {host}")),
                Err(LookupError::Timeout { .. }) => Err(hfmt!("DNS timed out resolving {host}")),
                Ok(l) => match l.addresses.first() {
                    None => Err(hfmt!("no address for {host}")),
                    Some(ip) => {
                        let req = HttpRequest {
                            method: "GET".into(),
                            scheme: "http".into(),
                            host: host.clone(),
                            ip: ip.clone(),
                            port,
                            path: path.clone(),
                            headers: vec![("host".into(), host.clone())],
                            body: String::new(),
                        };
                        inner.http(&req).map_err(|e| match e {
                            ConnectError::Refused => "connection refused".to_string(),
                            ConnectError::TimedOut => "timed out".to_string(),
                            ConnectError::NoRoute => "no route to host".to_string(),
                            ConnectError::Reset => "connection reset".to_string(),
                        })
                    }
                },
            };
            let hops = inner.take_trace();
            self.served.append(&mut inner.served);
            self.trace.extend(hops.into_iter().map(|mut h| {
                h.at.insert_str(0, "  ");
                h
            }));
            out.push((label.clone(), url.clone(), result));
        }
        out
    }

    /// A proxy in `pod` sends `request` on to its backend (the path rewritten), from its own pod;
    /// what it answers the client. Failures become the proxy's own 502, 503 or 504.
    #[allow(clippy::too_many_arguments)]
    fn forward(
        &mut self,
        pod: &PodView,
        p: &Proxy,
        target: Target,
        request: &HttpRequest,
        path: String,
        passthrough: bool,
        timeout_ms: i64,
        date: &str,
    ) -> HttpResponse {
        let view = self.view;
        let label = p.label();
        let at = hfmt!("{label} {}/{}", pod.namespace, pod.name);
        let mut inner = PodNetwork {
            world: self.world,
            view,
            rng: &mut *self.rng,
            namespace: pod.namespace.clone(),
            origin: hfmt!("pod {}/{}", pod.namespace, pod.name),
            ip: pod.ip.clone(),
            node: pod.node.clone(),
            trace: Vec::new(),
            depth: self.depth + 1,
            top: false,
            served: Vec::new(),
            requests: Vec::new(),
            mark: 0,
        };
        let mut sent = request.clone();
        sent.path = path;
        if !passthrough {
            sent.scheme = "http".into();
        }
        if self.depth >= 4 {
            self.hop(
                at,
                "too many proxies in a row: 508 Loop Detected is not simulated; 502",
            );
            return proxy::proxy_response(p, 502, None, date);
        }
        let result: Result<HttpResponse, (u16, String)> = match target {
            Target::Endpoints {
                namespace,
                service,
                port,
            } => {
                let svc = view
                    .services
                    .iter()
                    .find(|s| s.namespace == namespace && s.name == service);
                match svc {
                    None => Err((
                        503,
                        hfmt!("Service {namespace}/{service} does not exist: no backend"),
                    )),
                    Some(svc) => {
                        let sp = svc.ports.iter().find(|sp| match &port {
                            proxy::PortRef::Number(n) => sp.port == *n,
                            proxy::PortRef::Name(n) => &sp.name == n,
                        });
                        match sp {
                            None => Err((
                                503,
                                hfmt!(
                                    "Service {namespace}/{service} has no port {port}: no backend"
                                ),
                            )),
                            Some(sp) => {
                                let eps: Vec<&(String, String, i64)> = svc
                                    .endpoints
                                    .iter()
                                    .filter(|(_, name, _)| name == &sp.name)
                                    .collect();
                                if eps.is_empty() {
                                    Err((
                                        503,
                                        hfmt!(
                                            "Service {namespace}/{service} has no ready endpoints"
                                        ),
                                    ))
                                } else {
                                    let i = inner.rng.below(eps.len() as u64) as usize;
                                    let (ip, _, n) = eps[i].clone();
                                    inner.hop(
                                        at.clone(),
                                        hfmt!(
                                            "balances over the {} ready endpoint{} of Service {namespace}/{service} port {} itself, not through kube-proxy: {ip}:{n}{}",
                                            eps.len(),
                                            if eps.len() == 1 { "" } else { "s" },
                                            sp.port,
                                            if passthrough { " (TLS passed through)" } else { ", plain HTTP" }
                                        ),
                                    );
                                    sent.ip = ip.clone();
                                    sent.port = n.clamp(0, 65535) as u16;
                                    match inner.deliver(&ip, n, Some(&sent)) {
                                        Ok(Some(r)) => Ok(r),
                                        Ok(None) | Err(ConnectError::Reset) => {
                                            Err((502, "the backend closed the connection".into()))
                                        }
                                        Err(ConnectError::Refused) => {
                                            Err((502, hfmt!("{ip}:{n} refused the connection")))
                                        }
                                        Err(_) => {
                                            Err((504, hfmt!("{ip}:{n} did not answer in time")))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Target::Dns { host, port } => match inner.lookup(&host) {
                Err(_) => Err((503, hfmt!("{host} does not resolve: no healthy upstream"))),
                Ok(l) => match l.addresses.first() {
                    None => Err((503, hfmt!("{host} has no address: no healthy upstream"))),
                    Some(ip) => {
                        sent.ip = ip.clone();
                        sent.port = port;
                        sent.host = request.host.clone();
                        match inner.http(&sent) {
                            Ok(r) => Ok(r),
                            Err(ConnectError::TimedOut) => Err((
                                504,
                                hfmt!("{host}:{port} did not answer within {timeout_ms} ms"),
                            )),
                            Err(_) => {
                                Err((503, hfmt!("{host}:{port} refused or reset the connection")))
                            }
                        }
                    }
                },
            },
        };
        let hops = inner.take_trace();
        self.trace.extend(hops);
        self.served.append(&mut inner.served);
        match result {
            Ok(mut r) => {
                if p.kind == proxy::ProxyKind::Emissary {
                    // Envoy names itself in `server` and says how long the upstream took.
                    r.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("server"));
                    r.headers.push(("server".into(), "envoy".into()));
                    r.headers
                        .push(("x-envoy-upstream-service-time".into(), "1".into()));
                }
                r
            }
            Err((status, why)) => {
                self.hop(at, hfmt!("{why}: {label} answers {status}"));
                self.answered(pod);
                proxy::proxy_response(p, status, None, date)
            }
        }
    }

    /// Deliver to a pod's port: the container that listens there answers.
    fn deliver(
        &mut self,
        ip: &str,
        port: i64,
        request: Option<&HttpRequest>,
    ) -> Result<Option<HttpResponse>, ConnectError> {
        let view = self.view;
        let Some(pod) = view.pod_by_ip(ip) else {
            return Err(ConnectError::TimedOut);
        };
        let where_ = || hfmt!("pod {}/{}", pod.namespace, pod.name);
        if view.node(&pod.node).is_some_and(|n| !n.up) {
            self.hop(
                where_(),
                hfmt!("its node {} is powered off: no answer", pod.node),
            );
            return Err(ConnectError::TimedOut);
        }
        for c in &pod.containers {
            let Some(since) = c.running_since else {
                continue;
            };
            let server = apps::Server {
                image: &c.image,
                repo: &c.repo,
                date: &view.date,
                command: &c.command,
                pod_name: &pod.name,
                pod_ip: &pod.ip,
                elapsed: view.now.saturating_sub(since),
                now: view.now,
            };
            let probe = HttpRequest {
                method: "GET".into(),
                path: "/".into(),
                ..Default::default()
            };
            let req = request.unwrap_or(&probe);
            // An Ingress controller or Emissary routes by the cluster's objects.
            if let Some(p) = &c.proxy {
                let at = hfmt!("container {}", c.name);
                match request {
                    Some(r) => {
                        let date = view.date.clone();
                        let mut hops = Vec::new();
                        let decision = proxy::decide(
                            &view.routes,
                            p,
                            port,
                            r,
                            self.rng,
                            &date,
                            &mut hops,
                            &at,
                        );
                        self.trace.extend(hops);
                        match decision {
                            None => {}
                            Some(Decision::Respond(resp)) => {
                                self.answered(pod);
                                return Ok(Some(resp));
                            }
                            Some(Decision::Reset) => return Err(ConnectError::Reset),
                            Some(Decision::Forward {
                                target,
                                path,
                                passthrough,
                                timeout_ms,
                            }) => {
                                let resp = self.forward(
                                    pod,
                                    p,
                                    target,
                                    r,
                                    path,
                                    passthrough,
                                    timeout_ms,
                                    &date,
                                );
                                return Ok(Some(resp));
                            }
                        }
                    }
                    None => {
                        let listens = match p.kind {
                            proxy::ProxyKind::Emissary => {
                                view.routes.listeners.iter().any(|l| l.port == port)
                            }
                            _ => port == p.http_port || port == p.https_port,
                        };
                        if listens {
                            self.hop(
                                at,
                                hfmt!("{} accepts the connection on port {port}", p.label()),
                            );
                            return Ok(None);
                        }
                    }
                }
            }
            // A gateway asks its upstreams first, from its own pod, through the network.
            if let (Some(r), Some(ups)) = (request, apps::upstreams_of(&c.repo, &c.env)) {
                let path = r.path.split('?').next().unwrap_or("/");
                let listens = crate::sim::images::http_status_of(
                    &c.repo,
                    &c.command,
                    port,
                    path,
                    server.elapsed,
                )
                .is_some();
                if listens && path == "/" && r.method == "GET" {
                    let results = self.fan_out(pod, &ups);
                    let resp = apps::gateway_answer(&server, &results);
                    self.answered(pod);
                    self.hop(
                        hfmt!("container {}", c.name),
                        hfmt!(
                            "{} ({}) combines {} upstream answer{} into {} {}",
                            c.name,
                            c.image,
                            results.len(),
                            if results.len() == 1 { "" } else { "s" },
                            resp.status,
                            resp.reason
                        ),
                    );
                    return Ok(Some(resp));
                }
            }
            if let Some(resp) = apps::answer(&server, port, req) {
                if request.is_some() {
                    self.answered(pod);
                }
                self.hop(
                    hfmt!("container {}", c.name),
                    match request {
                        Some(r) => hfmt!(
                            "{} ({}) answers {} {} with {} {}",
                            c.name,
                            c.image,
                            r.method,
                            r.path,
                            resp.status,
                            resp.reason
                        ),
                        None => hfmt!(
                            "{} ({}) accepts the connection on port {port}",
                            c.name,
                            c.image
                        ),
                    },
                );
                return Ok(request.map(|_| resp));
            }
            if request.is_none() && crate::sim::images::tcp_open(&c.image, &c.command, port) {
                self.hop(
                    hfmt!("container {}", c.name),
                    hfmt!("{} accepts the connection on port {port}", c.image),
                );
                return Ok(None);
            }
        }
        self.hop(
            where_(),
            hfmt!("nothing in the pod listens on port {port}: connection refused"),
        );
        Err(ConnectError::Refused)
    }
}

fn is_loopback(ip: &str) -> bool {
    ip == "::1" || ip.starts_with("127.")
}

/// Keep one request's record: its hops are the trace's since the last one.
fn record(
    requests: &mut Vec<RequestRecord>,
    served: &mut Vec<Answered>,
    mark: &mut usize,
    trace_len: usize,
    outcome: Outcome,
) {
    // A runaway script cannot grow this without bound (the shell caps its steps too).
    const MAX_REQUESTS: usize = 10_000;
    let hops = trace_len.saturating_sub(*mark);
    *mark = trace_len;
    let served = std::mem::take(served);
    if requests.len() < MAX_REQUESTS {
        requests.push(RequestRecord {
            outcome,
            hops,
            served,
        });
    }
}

fn outcome_of(result: &Result<HttpResponse, ConnectError>) -> Outcome {
    match result {
        Ok(r) => Outcome::Status(r.status),
        Err(e) => Outcome::Failed(*e),
    }
}

impl Network for PodNetwork<'_> {
    fn lookup(&mut self, name: &str) -> Result<Lookup, LookupError> {
        let result = self.resolve(name);
        if result.is_err() {
            self.record(Outcome::NoDns);
        }
        result
    }

    fn query(&mut self, fqdn: &str) -> Result<Lookup, LookupError> {
        // nslookup asks name after name: a miss on the way is no failed request.
        self.resolve(&format!("{}.", fqdn.trim_end_matches('.')))
    }

    fn http(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
        let result = self.send(request);
        self.record(outcome_of(&result));
        result
    }

    fn tcp_connect(&mut self, ip: &str, port: u16) -> Result<(), ConnectError> {
        self.hop(self.origin.clone(), hfmt!("TCP connect to {ip}:{port}"));
        if is_loopback(ip) {
            return self.loopback(port, None).map(|_| ());
        }
        if !self.view.owns(ip) {
            return self.outward(ip, port, None).map(|_| ());
        }
        let (ip, port) = self.route(ip, port)?;
        self.deliver(&ip, port, None).map(|_| ())
    }

    fn last_trace(&self) -> Vec<Hop> {
        self.trace.clone()
    }

    fn take_requests(&mut self) -> Vec<RequestRecord> {
        std::mem::take(&mut self.requests)
    }
}

impl PodNetwork<'_> {
    /// Resolve a name as the pod's resolver does (search path, ndots); recorded by `lookup`.
    fn resolve(&mut self, name: &str) -> Result<Lookup, LookupError> {
        let server = crate::sim::api::service_admission::KUBE_DNS_IP.to_string();
        // /etc/hosts answers localhost before any DNS server is asked.
        if name.trim_end_matches('.').eq_ignore_ascii_case("localhost") {
            return Ok(Lookup {
                server,
                name: "localhost".into(),
                addresses: vec!["127.0.0.1".into()],
                ..Default::default()
            });
        }
        if crate::sim::api::service_admission::parse_ipv4(name).is_some() {
            return Ok(Lookup {
                server,
                name: name.into(),
                addresses: vec![name.into()],
                ..Default::default()
            });
        }
        if !self.view.dns_up {
            self.hop(
                hfmt!("dns {server}"),
                "no CoreDNS pod is ready: the query times out",
            );
            return Err(LookupError::Timeout { server });
        }
        // ndots:5: a name with fewer than five dots tries the search path first.
        let absolute = name.ends_with('.');
        let dots = name.matches('.').count();
        // The names to try, made one at a time (most lookups stop at the first): the search
        // path of the pod's resolv.conf (fact 58), around the name as typed.
        let ns_domain = hfmt!("{}.svc.{DOMAIN}", self.namespace);
        let domains: [&str; 3] = [&ns_domain, "svc.cluster.local", DOMAIN];
        let count = if absolute { 1 } else { 4 };
        let candidate = |i: usize| -> String {
            if absolute {
                return name.trim_end_matches('.').to_string();
            }
            match (dots >= 5, i) {
                (true, 0) | (false, 3) => name.to_string(),
                (true, i) => hfmt!("{name}.{}", domains[i - 1]),
                (false, i) => hfmt!("{name}.{}", domains[i]),
            }
        };
        let mut tried = Vec::new();
        for i in 0..count {
            let fqdn = &candidate(i);
            let answer = self.answer(fqdn);
            match answer {
                Some((mut cnames, mut addresses, public)) => {
                    tried.push((fqdn.clone(), true));
                    let mut detail = if cnames.is_empty() {
                        hfmt!("{fqdn} is {}", addresses.join(", "))
                    } else {
                        hfmt!("{fqdn} is an alias (CNAME) for {}", cnames.join(", "))
                    };
                    if public {
                        detail = hfmt!(
                            "{fqdn} is outside {DOMAIN}: CoreDNS forwards it to the public DNS zone, where {}",
                            detail
                        );
                    }
                    // CoreDNS chases an alias to its addresses (an ExternalName to a public
                    // name, or to another Service).
                    if addresses.is_empty() && !cnames.is_empty() {
                        let target = cnames.last().cloned().unwrap_or_default();
                        if let Some((more, ips, _)) = self.answer(&target) {
                            cnames.extend(more);
                            addresses = ips;
                            if !addresses.is_empty() {
                                detail.push_str(&hfmt!(", which is {}", addresses.join(", ")));
                            }
                        }
                    }
                    self.hop(hfmt!("dns {server}"), detail);
                    return Ok(Lookup {
                        server,
                        name: fqdn.clone(),
                        cnames,
                        addresses,
                        tried,
                    });
                }
                None => tried.push((fqdn.clone(), false)),
            }
        }
        let candidates: Vec<String> = tried.into_iter().map(|(n, _)| n).collect();
        self.hop(
            hfmt!("dns {server}"),
            hfmt!("no record for {name} (tried {})", candidates.join(", ")),
        );
        Err(LookupError::NxDomain {
            name: name.into(),
            tried: candidates,
        })
    }

    /// Send one HTTP request; recorded by `http`.
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
        self.hop(
            self.origin.clone(),
            hfmt!(
                "{} {}:{} {} (Host: {})",
                request.method,
                request.ip,
                request.port,
                request.path,
                proxy::request_host(request)
            ),
        );
        if is_loopback(&request.ip) {
            return self
                .loopback(request.port, Some(request))?
                .ok_or(ConnectError::Reset);
        }
        if !self.view.owns(&request.ip) {
            return self
                .outward(&request.ip, request.port, Some(request))?
                .ok_or(ConnectError::Reset);
        }
        let (ip, port) = self.route(&request.ip, request.port)?;
        match self.deliver(&ip, port, Some(request))? {
            Some(resp) => Ok(resp),
            None => Err(ConnectError::Reset),
        }
    }
}

/// The learner's laptop: outside every cluster. It reaches load-balancer addresses (the cloud's
/// are public), node addresses (node ports), and, through `minikube tunnel`, a minikube
/// cluster's service range; nothing else of a cluster. Names resolve through the public DNS
/// zone (`sim dns`).
pub struct LaptopNetwork<'a> {
    world: &'a WorldNet,
    rng: &'a mut Rng,
    trace: Vec<Hop>,
    forwards: Vec<LocalForward>,
    /// The local ports whose port-forward handled a connection (kubectl prints
    /// `Handling connection for PORT`).
    pub handled: Vec<u16>,
    /// The pods that answered since the last recorded request.
    served: Vec<Answered>,
    requests: Vec<RequestRecord>,
    /// The trace's length when the last request was recorded.
    mark: usize,
}

/// A `kubectl port-forward` listening on the laptop: local port to one pod's port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalForward {
    pub local: u16,
    pub remote: u16,
    pub cluster: usize,
    pub namespace: String,
    pub pod: String,
    pub job: usize,
}

/// The laptop's address, as the clusters see it.
pub const LAPTOP_IP: &str = "192.168.1.10";

/// The laptop's resolver (its home router), as `nslookup` names it.
pub const LAPTOP_DNS: &str = "192.168.1.1";

impl<'a> LaptopNetwork<'a> {
    pub fn new(world: &'a WorldNet, rng: &'a mut Rng) -> Self {
        LaptopNetwork {
            world,
            rng,
            trace: Vec::new(),
            forwards: Vec::new(),
            handled: Vec::new(),
            served: Vec::new(),
            requests: Vec::new(),
            mark: 0,
        }
    }

    /// The `kubectl port-forward`s listening on the laptop's loopback addresses.
    pub fn with_forwards(mut self, forwards: Vec<LocalForward>) -> Self {
        self.forwards = forwards;
        self
    }

    /// A connection to the laptop itself: a port-forward's listener, or nothing.
    fn loopback(
        &mut self,
        port: u16,
        request: Option<&HttpRequest>,
    ) -> Result<Option<HttpResponse>, ConnectError> {
        let Some(f) = self.forwards.iter().find(|f| f.local == port).cloned() else {
            self.hop(
                "laptop",
                hfmt!("nothing listens on the laptop's port {port}: connection refused (kubectl port-forward opens one)"),
            );
            return Err(ConnectError::Refused);
        };
        self.handled.push(port);
        let world = self.world;
        let Some(view) = world.clusters.get(f.cluster) else {
            return Err(ConnectError::Refused);
        };
        let Some(pod) = view
            .pods
            .iter()
            .find(|p| p.namespace == f.namespace && p.name == f.pod)
        else {
            self.hop(
                "kubectl port-forward",
                hfmt!(
                    "job {} lost pod {}/{}: connection refused",
                    f.job,
                    f.namespace,
                    f.pod
                ),
            );
            return Err(ConnectError::Refused);
        };
        self.hop(
            "kubectl port-forward",
            hfmt!(
                "localhost:{port} is job {}: kubectl streams the connection through the API server of cluster {} to the kubelet on {}",
                f.job, view.name, pod.node
            ),
        );
        self.hop(
            &hfmt!("kubelet {}", pod.node),
            hfmt!(
                "connects to port {} inside pod {}/{} ({}): no Service, no kube-proxy",
                f.remote,
                pod.namespace,
                pod.name,
                pod.ip
            ),
        );
        let ip = pod.ip.clone();
        let node = pod.node.clone();
        let mut inner = PodNetwork {
            world,
            view,
            rng: &mut *self.rng,
            namespace: String::new(),
            origin: hfmt!("kubelet {node}"),
            ip: "127.0.0.1".into(),
            node,
            trace: Vec::new(),
            depth: 0,
            top: false,
            served: Vec::new(),
            requests: Vec::new(),
            mark: 0,
        };
        let result = inner.deliver(&ip, f.remote as i64, request);
        let hops = inner.take_trace();
        self.trace.extend(hops);
        self.served.append(&mut inner.served);
        result
    }

    fn hop(&mut self, at: &str, detail: String) {
        self.trace.push(Hop {
            at: at.into(),
            detail,
        });
    }

    fn connect(
        &mut self,
        ip: &str,
        port: u16,
        request: Option<&HttpRequest>,
    ) -> Result<Option<HttpResponse>, ConnectError> {
        if ip == "127.0.0.1" || ip == "::1" {
            return self.loopback(port, request);
        }
        let world = self.world;
        let mut trace = std::mem::take(&mut self.trace);
        let result = match enter(world, self.rng, &mut trace, ip, true) {
            Some((k, node)) => inbound(
                world,
                self.rng,
                &mut trace,
                &mut self.served,
                k,
                node,
                LAPTOP_IP,
                0,
                ip,
                port,
                request,
            ),
            None => {
                trace.push(Hop {
                    at: "laptop".into(),
                    detail: hfmt!(
                        "no route to {ip}: it is not reachable from outside the clusters"
                    ),
                });
                Err(ConnectError::TimedOut)
            }
        };
        self.trace = trace;
        result
    }
}

impl Network for LaptopNetwork<'_> {
    fn lookup(&mut self, name: &str) -> Result<Lookup, LookupError> {
        let result = self.resolve(name);
        if result.is_err() {
            self.record(Outcome::NoDns);
        }
        result
    }

    fn query(&mut self, fqdn: &str) -> Result<Lookup, LookupError> {
        self.resolve(&format!("{}.", fqdn.trim_end_matches('.')))
    }

    fn http(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
        let result = self.send(request);
        self.record(outcome_of(&result));
        result
    }

    fn tcp_connect(&mut self, ip: &str, port: u16) -> Result<(), ConnectError> {
        self.hop("laptop", hfmt!("TCP connect to {ip}:{port}"));
        self.connect(ip, port, None).map(|_| ())
    }

    fn last_trace(&self) -> Vec<Hop> {
        self.trace.clone()
    }

    fn take_requests(&mut self) -> Vec<RequestRecord> {
        std::mem::take(&mut self.requests)
    }
}

impl LaptopNetwork<'_> {
    fn record(&mut self, outcome: Outcome) {
        record(
            &mut self.requests,
            &mut self.served,
            &mut self.mark,
            self.trace.len(),
            outcome,
        );
    }

    /// Resolve a name in the public zone; recorded by `lookup`.
    fn resolve(&mut self, name: &str) -> Result<Lookup, LookupError> {
        let server = LAPTOP_DNS.to_string();
        let lower = name.trim_end_matches('.').to_ascii_lowercase();
        if lower == "localhost" {
            return Ok(Lookup {
                server,
                name: lower,
                addresses: vec!["127.0.0.1".into()],
                ..Default::default()
            });
        }
        if crate::sim::api::service_admission::parse_ipv4(name).is_some() {
            return Ok(Lookup {
                server,
                name: name.into(),
                addresses: vec![name.into()],
                ..Default::default()
            });
        }
        if let Some((cnames, addresses)) = self.world.zone.resolve(&lower) {
            self.hop(
                "public DNS",
                if cnames.is_empty() {
                    hfmt!("{lower} is {}", addresses.join(", "))
                } else {
                    hfmt!(
                        "{lower} is an alias (CNAME) for {}{}",
                        cnames.join(" → "),
                        if addresses.is_empty() {
                            String::new()
                        } else {
                            hfmt!(", which is {}", addresses.join(", "))
                        }
                    )
                },
            );
            return Ok(Lookup {
                server,
                name: lower.clone(),
                cnames,
                addresses,
                tried: vec![(lower, true)],
            });
        }
        self.hop(
            "public DNS",
            if lower.ends_with(DOMAIN) || !lower.contains('.') {
                hfmt!("no public record for {name}: cluster names (*.svc.cluster.local) resolve only inside a cluster")
            } else {
                hfmt!("no record for {name} in the public zone (sim dns list shows it; sim dns add NAME A IP adds one)")
            },
        );
        Err(LookupError::NxDomain {
            name: name.into(),
            tried: vec![name.into()],
        })
    }

    /// Send one HTTP request; recorded by `http`.
    fn send(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
        self.hop(
            "laptop",
            hfmt!(
                "{} {}:{} {} (Host: {})",
                request.method,
                request.ip,
                request.port,
                request.path,
                proxy::request_host(request)
            ),
        );
        self.connect(&request.ip, request.port, Some(request))?
            .ok_or(ConnectError::Reset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Session;

    fn session() -> Session {
        let mut s = Session::new(7);
        for line in [
            "kubectl create deployment web --image=nginx:1.25 --replicas=2",
            "kubectl expose deployment web --port=80",
            "kubectl run client --image=busybox:1.36 -- sleep 3600",
            "sim advance 20s",
        ] {
            s.run(line, None);
        }
        s
    }

    #[test]
    fn the_network_snapshot_is_shared_until_the_world_changes() {
        let mut s = session();
        let a = s.net_cache.get(&s.world);
        let b = s.net_cache.get(&s.world);
        assert!(
            std::rc::Rc::ptr_eq(&a, &b),
            "nothing changed: the same snapshot"
        );
        let pods = |n: &WorldNet| n.clusters[0].pods.len();
        // An object write (a third replica), the clock, a stopped node, the public zone: each
        // gives a fresh snapshot that sees it.
        s.run("kubectl scale deployment web --replicas=3", None);
        s.run("sim advance 20s", None);
        let c = s.net_cache.get(&s.world);
        assert!(!std::rc::Rc::ptr_eq(&b, &c));
        assert_eq!(pods(&c), pods(&b) + 1);
        s.world.clusters[0].stopped.insert("worker-1".into());
        let d = s.net_cache.get(&s.world);
        assert!(!std::rc::Rc::ptr_eq(&c, &d));
        assert!(d.clusters[0]
            .nodes
            .iter()
            .any(|n| n.name == "worker-1" && !n.up));
        s.world.clusters[0].stopped.clear();
        let e = s.net_cache.get(&s.world);
        assert!(e.clusters[0].nodes.iter().all(|n| n.up));
        s.world.now += 1;
        assert!(!std::rc::Rc::ptr_eq(&e, &s.net_cache.get(&s.world)));
    }

    #[test]
    fn a_service_name_resolves_through_the_search_path_and_reaches_a_pod() {
        let mut s = session();
        let world = WorldNet::of(&s.world);
        let mut net = PodNetwork::new(&world, 0, &mut s.world.rng, "default", "client");
        for name in [
            "web",
            "web.default",
            "web.default.svc",
            "web.default.svc.cluster.local",
        ] {
            let l = net.lookup(name).expect("the four names of fact 58 resolve");
            assert_eq!(l.name, "web.default.svc.cluster.local");
            assert_eq!(l.addresses.len(), 1);
        }
        assert!(matches!(
            net.lookup("nope"),
            Err(LookupError::NxDomain { .. })
        ));
        let ip = net.lookup("web").expect("resolves").addresses[0].clone();
        let resp = net
            .http(&HttpRequest {
                method: "GET".into(),
                scheme: "http".into(),
                host: "web".into(),
                ip,
                port: 80,
                path: "/".into(),
                ..Default::default()
            })
            .expect("nginx answers");
        assert_eq!(resp.status, 200);
        assert!(resp.body.contains("Welcome to nginx!"));
        let trace = net.last_trace();
        assert!(trace.iter().any(|h| h.at.starts_with("kube-proxy")));
        assert!(trace.iter().any(|h| h.at == "container nginx"));
    }

    #[test]
    fn a_service_port_that_does_not_exist_times_out_and_a_missing_backend_is_refused() {
        let mut s = session();
        s.run("kubectl scale deployment web --replicas=0", None);
        s.run("sim advance 40s", None);
        let world = WorldNet::of(&s.world);
        let mut net = PodNetwork::new(&world, 0, &mut s.world.rng, "default", "client");
        let ip = net.lookup("web").expect("resolves").addresses[0].clone();
        assert_eq!(net.tcp_connect(&ip, 80), Err(ConnectError::Refused));
        assert_eq!(net.tcp_connect(&ip, 81), Err(ConnectError::TimedOut));
    }

    #[test]
    fn the_laptop_reaches_a_load_balancer_and_a_node_port_but_not_a_cluster_ip() {
        let mut s = session();
        s.run(
            "kubectl expose deployment web --name=web-lb --port=80 --type=LoadBalancer",
            None,
        );
        s.run("sim advance 15s", None);
        let views = WorldNet::of(&s.world);
        let svc = s.world.clusters[0]
            .store
            .services
            .get("default", "web-lb")
            .cloned()
            .expect("the Service exists");
        let lb = svc.status.load_balancer.ingress[0].ip.clone();
        let node_port = svc.spec.ports[0].node_port.expect("a node port") as u16;
        let mut net = LaptopNetwork::new(&views, &mut s.world.rng);
        let get = |ip: &str, port: u16| HttpRequest {
            method: "GET".into(),
            scheme: "http".into(),
            host: ip.into(),
            ip: ip.into(),
            port,
            path: "/".into(),
            ..Default::default()
        };
        assert_eq!(net.http(&get(&lb, 80)).map(|r| r.status), Ok(200));
        assert!(net
            .last_trace()
            .iter()
            .any(|h| h.at.starts_with("cloud load balancer")));
        assert_eq!(
            net.http(&get("172.18.0.5", node_port)).map(|r| r.status),
            Ok(200)
        );
        assert_eq!(
            net.http(&get(&svc.spec.cluster_ip, 80)),
            Err(ConnectError::TimedOut)
        );
        assert!(matches!(
            net.lookup("web"),
            Err(LookupError::NxDomain { .. })
        ));
    }
}
