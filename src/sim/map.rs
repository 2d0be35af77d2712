//! The cluster map's model: what the map draws (clusters with their control plane and nodes,
//! pods inside nodes, Services and their endpoints, load balancers, the learner's laptop and the
//! public DNS zone), where each thing goes (a deterministic layout in map units), and which
//! drawn element each hop of a request's trace happened at ([`route`]). Computed natively from
//! the world, so it is tested without a browser; the UI only paints it.

use super::network::Hop;
use super::World;
use crate::shell::format;

/// A rectangle in map units (the SVG's user units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
}

impl Rect {
    pub fn center(&self) -> (i32, i32) {
        (self.x + self.w / 2, self.y + self.h / 2)
    }
}

/// How a pod's STATUS reads at a glance: the colour it is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Health {
    Ok,
    Wait,
    Bad,
    Done,
}

impl Health {
    pub fn class(self) -> &'static str {
        match self {
            Health::Ok => "ok",
            Health::Wait => "wait",
            Health::Bad => "bad",
            Health::Done => "done",
        }
    }

    /// From kubectl's STATUS and READY columns.
    pub fn of(status: &str, ready: &str) -> Health {
        let not_ready = ready.split_once('/').is_some_and(|(a, b)| a != b);
        match status {
            "Running" if not_ready => Health::Wait,
            "Running" => Health::Ok,
            "Completed" | "Succeeded" => Health::Done,
            "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => Health::Wait,
            s if s.starts_with("Init:") && !s.contains("Err") && !s.contains("BackOff") => {
                Health::Wait
            }
            _ => Health::Bad,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapPod {
    /// `c0/pod/default/web-7d9f-abcde`.
    pub id: String,
    pub namespace: String,
    pub name: String,
    /// kubectl's STATUS column.
    pub status: String,
    pub ready: String,
    pub restarts: u32,
    pub ip: String,
    pub node: String,
    pub labels: Vec<(String, String)>,
    /// The proxy it runs (`ingress-nginx`, `Emissary-ingress`…), as proxy.rs recognises it.
    pub proxy: Option<String>,
    pub health: Health,
    /// A kube-system pod (CoreDNS): drawn quieter.
    pub system: bool,
    pub rect: Rect,
    /// Drawn as a small square without text (a crowded node).
    pub compact: bool,
}

/// A control-plane component on a master (a static pod in kube-system).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Component {
    /// `kube-apiserver`, `etcd`, `kube-scheduler`, `kube-controller-manager`.
    pub name: String,
    pub up: bool,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapNode {
    /// `c0/node/worker-1`.
    pub id: String,
    pub name: String,
    /// kubectl's STATUS (`Ready`, `NotReady`, `Ready,SchedulingDisabled`).
    pub status: String,
    pub ready: bool,
    pub powered: bool,
    pub control_plane: bool,
    pub ip: String,
    pub components: Vec<Component>,
    pub pods: Vec<MapPod>,
    pub rect: Rect,
    /// The node's kube-proxy (`c0/kube-proxy/worker-1`), a strip under its name.
    pub kube_proxy: Rect,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapService {
    /// `c0/svc/default/web`.
    pub id: String,
    pub namespace: String,
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    pub type_: String,
    /// `10.96.0.10`, `None` (headless) or empty (ExternalName).
    pub cluster_ip: String,
    /// The load balancer's addresses (or `<pending>`), externalIPs, an ExternalName's target.
    pub external_ip: String,
    pub ports: String,
    /// The ids of the pods behind its ready endpoints.
    pub endpoints: Vec<String>,
    pub rect: Rect,
}

/// A cloud load balancer in front of a LoadBalancer Service.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapLoadBalancer {
    /// `c0/lb/203.0.113.10`.
    pub id: String,
    pub ip: String,
    pub service: String,
    pub rect: Rect,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapCluster {
    pub index: usize,
    pub name: String,
    pub current: bool,
    /// Masters up / all, and whether etcd has quorum.
    pub masters_up: usize,
    pub quorum: bool,
    pub masters: Vec<MapNode>,
    pub workers: Vec<MapNode>,
    pub services: Vec<MapService>,
    pub load_balancers: Vec<MapLoadBalancer>,
    /// Pods no node has been chosen for yet.
    pub unscheduled: Vec<MapPod>,
    pub rect: Rect,
    /// Where the section titles go (y of "Control plane", "Workers", "Waiting for a node").
    pub titles: Vec<(String, i32)>,
}

/// One record set of the public zone, as the map lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ZoneRecord {
    pub name: String,
    pub type_: String,
    pub values: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MapModel {
    pub clusters: Vec<MapCluster>,
    pub zone: Vec<ZoneRecord>,
    /// The learner's laptop (`laptop`).
    pub laptop: Rect,
    /// The public DNS zone (`public-dns`).
    pub public_dns: Rect,
    pub width: i32,
    pub height: i32,
}

// Sizes in map units.
const PAD: i32 = 12;
const GAP: i32 = 10;
const POD_W: i32 = 164;
const POD_H: i32 = 36;
const POD_GAP: i32 = 5;
const NODE_W: i32 = POD_W + 16;
const NODE_HEAD: i32 = 44;
const MASTER_W: i32 = 124;
const MASTER_H: i32 = 74;
const SVC_W: i32 = 180;
const SVC_H: i32 = 46;
const LB_H: i32 = 26;
const TITLE_H: i32 = 20;
const COMPACT: i32 = 14;
/// A node with more pods than this draws them as small squares.
const FULL_PODS: usize = 10;
/// Public records listed in the zone box; the rest are counted.
pub const ZONE_LINES: usize = 4;

fn label_pairs(labels: &std::collections::BTreeMap<String, String>) -> Vec<(String, String)> {
    labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

const COMPONENTS: [&str; 4] = [
    "kube-apiserver",
    "etcd",
    "kube-scheduler",
    "kube-controller-manager",
];

impl MapModel {
    /// The map of `world`, laid out for a drawing area `width` units wide: clusters side by side
    /// while they fit, the next row below when they do not.
    pub fn of(world: &World, width: i32) -> MapModel {
        let mut clusters: Vec<MapCluster> = world
            .clusters
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let pod = |p: &super::api::Pod| {
                    let status = format::pod_status(p);
                    let ready = format::pod_ready(p);
                    let proxy = p.spec.containers.iter().find_map(|ct| {
                        let mut args = ct.command.clone();
                        args.extend(ct.args.iter().cloned());
                        super::proxy::Proxy::of(&ct.image, &args).map(|x| x.label().to_string())
                    });
                    MapPod {
                        id: format!("c{k}/pod/{}/{}", p.metadata.namespace, p.metadata.name),
                        namespace: p.metadata.namespace.clone(),
                        name: p.metadata.name.clone(),
                        health: Health::of(&status, &ready),
                        restarts: p
                            .status
                            .container_statuses
                            .iter()
                            .map(|s| s.restart_count.max(0) as u32)
                            .sum(),
                        status,
                        ready,
                        ip: p.status.pod_ip.clone(),
                        node: p.spec.node_name.clone(),
                        labels: label_pairs(&p.metadata.labels),
                        proxy,
                        system: p.metadata.namespace == "kube-system",
                        rect: Rect::default(),
                        compact: false,
                    }
                };
                let mut masters = Vec::new();
                let mut workers = Vec::new();
                for n in c.store.nodes.values() {
                    let name = n.metadata.name.clone();
                    let control_plane = n
                        .metadata
                        .labels
                        .contains_key("node-role.kubernetes.io/control-plane");
                    let powered = !c.stopped.contains(&name);
                    let on_node: Vec<&super::api::Pod> = c
                        .store
                        .pods
                        .values()
                        .filter(|p| p.spec.node_name == name)
                        .collect();
                    let components = if control_plane {
                        COMPONENTS
                            .iter()
                            .filter_map(|comp| {
                                let p = on_node.iter().find(|p| {
                                    p.metadata.namespace == "kube-system"
                                        && p.metadata.name == format!("{comp}-{name}")
                                })?;
                                let status = format::pod_status(p);
                                Some(Component {
                                    name: comp.to_string(),
                                    up: powered && status == "Running",
                                    status: if powered {
                                        status
                                    } else {
                                        "powered off".into()
                                    },
                                })
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    // The control plane's static pods are the master's components and
                    // kube-proxy is the node's strip: the pods drawn are the rest.
                    let pods: Vec<MapPod> = on_node
                        .iter()
                        .filter(|p| {
                            let n = &p.metadata.name;
                            !(p.metadata.namespace == "kube-system"
                                && (COMPONENTS.iter().any(|comp| {
                                    n.strip_prefix(comp).is_some_and(|r| r.starts_with('-'))
                                        && p.spec.host_network
                                }) || n.starts_with("kube-proxy-")))
                        })
                        .map(|p| pod(p))
                        .collect();
                    let status = format::node_status(n);
                    let node = MapNode {
                        id: format!("c{k}/node/{name}"),
                        ready: status.starts_with("Ready"),
                        status,
                        powered,
                        control_plane,
                        ip: n
                            .status
                            .addresses
                            .iter()
                            .find(|a| a.type_ == "InternalIP")
                            .map(|a| a.address.clone())
                            .unwrap_or_default(),
                        components,
                        pods,
                        rect: Rect::default(),
                        kube_proxy: Rect::default(),
                        name,
                    };
                    if control_plane {
                        masters.push(node);
                    } else {
                        workers.push(node);
                    }
                }
                let by_ip = |ip: &str| -> Option<String> {
                    c.store
                        .pods
                        .values()
                        .find(|p| p.status.pod_ip == ip && !p.spec.host_network)
                        .map(|p| format!("c{k}/pod/{}/{}", p.metadata.namespace, p.metadata.name))
                };
                let mut load_balancers = Vec::new();
                let services: Vec<MapService> = c
                    .store
                    .services
                    .values()
                    .filter(|s| {
                        !(s.metadata.namespace == "default" && s.metadata.name == "kubernetes")
                    })
                    .map(|s| {
                        let id = format!("c{k}/svc/{}/{}", s.metadata.namespace, s.metadata.name);
                        let mut endpoints: Vec<String> = c
                            .store
                            .endpoints
                            .get(&s.metadata.namespace, &s.metadata.name)
                            .map(|e| {
                                e.subsets
                                    .iter()
                                    .flat_map(|ss| ss.addresses.iter())
                                    .filter_map(|a| by_ip(&a.ip))
                                    .collect()
                            })
                            .unwrap_or_default();
                        crate::sim::sort::natural(&mut endpoints);
                        endpoints.dedup();
                        let type_ = s.type_name().to_string();
                        let lb_ips: Vec<String> = s
                            .status
                            .load_balancer
                            .ingress
                            .iter()
                            .map(|i| {
                                if i.ip.is_empty() {
                                    i.hostname.clone()
                                } else {
                                    i.ip.clone()
                                }
                            })
                            .collect();
                        let external_ip = match type_.as_str() {
                            "LoadBalancer" if lb_ips.is_empty() => "<pending>".to_string(),
                            "LoadBalancer" => lb_ips.join(","),
                            "ExternalName" => s.spec.external_name.clone(),
                            _ => s.spec.external_ips.join(","),
                        };
                        if type_ == "LoadBalancer" {
                            for ip in &lb_ips {
                                load_balancers.push(MapLoadBalancer {
                                    id: format!("c{k}/lb/{ip}"),
                                    ip: ip.clone(),
                                    service: id.clone(),
                                    rect: Rect::default(),
                                });
                            }
                        }
                        MapService {
                            cluster_ip: s.spec.cluster_ip.clone(),
                            ports: s
                                .spec
                                .ports
                                .iter()
                                .map(|p| match p.node_port {
                                    Some(np) if np > 0 => format!("{}:{np}/{}", p.port, p.protocol),
                                    _ => format!("{}/{}", p.port, p.protocol),
                                })
                                .collect::<Vec<_>>()
                                .join(","),
                            id,
                            namespace: s.metadata.namespace.clone(),
                            name: s.metadata.name.clone(),
                            type_,
                            external_ip,
                            endpoints,
                            rect: Rect::default(),
                        }
                    })
                    .collect();
                let unscheduled = c
                    .store
                    .pods
                    .values()
                    .filter(|p| p.spec.node_name.is_empty())
                    .map(pod)
                    .collect();
                let (masters_up, _, _) = c.etcd_members();
                MapCluster {
                    index: k,
                    name: c.name.clone(),
                    current: k == world.current,
                    masters_up,
                    quorum: c.has_quorum(),
                    masters,
                    workers,
                    services,
                    load_balancers,
                    unscheduled,
                    rect: Rect::default(),
                    titles: Vec::new(),
                }
            })
            .collect();
        let zone = world
            .public_dns
            .records()
            .iter()
            .filter(|r| r.type_ != super::dns::RecordType::Txt)
            .map(|r| ZoneRecord {
                name: r.name.clone(),
                type_: format!("{:?}", r.type_).to_ascii_uppercase(),
                values: r.values.join(","),
            })
            .collect();
        let mut model = MapModel {
            clusters: Vec::new(),
            zone,
            laptop: Rect::default(),
            public_dns: Rect::default(),
            width: 0,
            height: 0,
        };
        // The outside world on top: the laptop and the public zone.
        let zone_lines =
            model.zone.len().min(ZONE_LINES) as i32 + i32::from(model.zone.len() > ZONE_LINES);
        model.laptop = Rect {
            x: PAD,
            y: PAD,
            w: 150,
            h: 48,
        };
        model.public_dns = Rect {
            x: PAD + 150 + 3 * GAP,
            y: PAD,
            w: 230,
            h: 34 + 14 * zone_lines.max(1),
        };
        let top = PAD + model.laptop.h.max(model.public_dns.h) + 2 * GAP;
        let (mut x, mut y, mut row_h) = (PAD, top, 0);
        let mut widest = model.public_dns.x + model.public_dns.w;
        for c in &mut clusters {
            let (w, h) = lay_out_cluster(c, 0, 0);
            if x > PAD && x + w > width.max(1) {
                x = PAD;
                y += row_h + 2 * GAP;
                row_h = 0;
            }
            lay_out_cluster(c, x, y);
            x += w + 2 * GAP;
            widest = widest.max(x - 2 * GAP);
            row_h = row_h.max(h);
        }
        model.clusters = clusters;
        model.width = widest + PAD;
        model.height = y + row_h + PAD;
        model
    }

    /// Every element's id and rectangle, for hit tests and tests.
    pub fn elements(&self) -> Vec<(String, Rect)> {
        let mut out = vec![
            ("laptop".to_string(), self.laptop),
            ("public-dns".to_string(), self.public_dns),
        ];
        for c in &self.clusters {
            out.extend(c.load_balancers.iter().map(|l| (l.id.clone(), l.rect)));
            out.extend(c.services.iter().map(|s| (s.id.clone(), s.rect)));
            for n in c.masters.iter().chain(&c.workers) {
                out.push((n.id.clone(), n.rect));
                out.push((n.id.replacen("/node/", "/kube-proxy/", 1), n.kube_proxy));
                out.extend(n.pods.iter().map(|p| (p.id.clone(), p.rect)));
            }
            out.extend(c.unscheduled.iter().map(|p| (p.id.clone(), p.rect)));
        }
        out
    }

    /// The rectangle of element `id`, if it is drawn.
    pub fn rect_of(&self, id: &str) -> Option<Rect> {
        if id == "laptop" {
            return Some(self.laptop);
        }
        if id == "public-dns" {
            return Some(self.public_dns);
        }
        let (k, rest) = id.strip_prefix('c')?.split_once('/')?;
        let c = self.clusters.get(k.parse::<usize>().ok()?)?;
        let (kind, name) = rest.split_once('/')?;
        let nodes = || c.masters.iter().chain(&c.workers);
        match kind {
            "lb" => c
                .load_balancers
                .iter()
                .find(|l| l.ip == name)
                .map(|l| l.rect),
            "svc" => c.services.iter().find(|s| s.id == id).map(|s| s.rect),
            "node" => nodes().find(|n| n.name == name).map(|n| n.rect),
            "kube-proxy" => nodes().find(|n| n.name == name).map(|n| n.kube_proxy),
            "pod" => nodes()
                .flat_map(|n| n.pods.iter())
                .chain(&c.unscheduled)
                .find(|p| p.id == id)
                .map(|p| p.rect),
            _ => None,
        }
    }

    /// All pods of every cluster.
    pub fn pods(&self) -> impl Iterator<Item = &MapPod> {
        self.clusters.iter().flat_map(|c| {
            c.masters
                .iter()
                .chain(&c.workers)
                .flat_map(|n| n.pods.iter())
                .chain(&c.unscheduled)
        })
    }
}

/// Place the pods of a node box whose top-left is (x, y); returns the box's height.
fn lay_out_pods(pods: &mut [MapPod], x: i32, y: i32, w: i32) -> i32 {
    if pods.is_empty() {
        return 0;
    }
    if pods.len() <= FULL_PODS {
        for (i, p) in pods.iter_mut().enumerate() {
            p.compact = false;
            p.rect = Rect {
                x: x + (w - POD_W) / 2,
                y: y + i as i32 * (POD_H + POD_GAP),
                w: POD_W,
                h: POD_H,
            };
        }
        return pods.len() as i32 * (POD_H + POD_GAP) - POD_GAP;
    }
    let per_row = ((w - 8) / (COMPACT + 3)).max(1);
    for (i, p) in pods.iter_mut().enumerate() {
        let (r, col) = (i as i32 / per_row, i as i32 % per_row);
        p.compact = true;
        p.rect = Rect {
            x: x + 4 + col * (COMPACT + 3),
            y: y + r * (COMPACT + 3),
            w: COMPACT,
            h: COMPACT,
        };
    }
    let rows = (pods.len() as i32 + per_row - 1) / per_row;
    rows * (COMPACT + 3) - 3
}

/// Lay cluster `c` out with its top-left corner at (x, y); returns its (width, height).
fn lay_out_cluster(c: &mut MapCluster, x: i32, y: i32) -> (i32, i32) {
    let masters_w = c.masters.len() as i32 * (MASTER_W + GAP) - GAP;
    let workers_w = c.workers.len() as i32 * (NODE_W + GAP) - GAP;
    let inner = masters_w.max(workers_w).max(2 * SVC_W + GAP);
    let w = inner + 2 * PAD;
    let left = x + PAD;
    let mut cy = y + 34; // the cluster's name
    c.titles.clear();
    // Load balancers along the top edge: where traffic from outside enters.
    if !c.load_balancers.is_empty() {
        let lb_w = 150;
        let per_row = ((inner + GAP) / (lb_w + GAP)).max(1);
        for (i, lb) in c.load_balancers.iter_mut().enumerate() {
            let (r, col) = (i as i32 / per_row, i as i32 % per_row);
            lb.rect = Rect {
                x: left + col * (lb_w + GAP),
                y: cy + r * (LB_H + 6),
                w: lb_w,
                h: LB_H,
            };
        }
        let rows = (c.load_balancers.len() as i32 + per_row - 1) / per_row;
        cy += rows * (LB_H + 6) + GAP;
    }
    if !c.services.is_empty() {
        c.titles.push(("Services".into(), cy));
        cy += TITLE_H;
        let per_row = ((inner + GAP) / (SVC_W + GAP)).max(1);
        for (i, s) in c.services.iter_mut().enumerate() {
            let (r, col) = (i as i32 / per_row, i as i32 % per_row);
            s.rect = Rect {
                x: left + col * (SVC_W + GAP),
                y: cy + r * (SVC_H + 8),
                w: SVC_W,
                h: SVC_H,
            };
        }
        let rows = (c.services.len() as i32 + per_row - 1) / per_row;
        cy += rows * (SVC_H + 8) + GAP;
    }
    if !c.masters.is_empty() {
        c.titles.push(("Control plane".into(), cy));
        cy += TITLE_H;
        let mut mh = MASTER_H;
        for (i, m) in c.masters.iter_mut().enumerate() {
            let mx = left + i as i32 * (MASTER_W + GAP);
            m.kube_proxy = Rect {
                x: mx + 6,
                y: cy + MASTER_H - 18,
                w: MASTER_W - 12,
                h: 12,
            };
            let ph = lay_out_pods(
                &mut m.pods,
                mx + (MASTER_W - NODE_W) / 2,
                cy + MASTER_H + 4,
                NODE_W,
            );
            if ph > 0 {
                // A pod that tolerates the control-plane taint: the master box grows.
                m.pods.iter_mut().for_each(|p| {
                    if !p.compact {
                        p.rect.w = MASTER_W - 8;
                        p.rect.x = mx + 4;
                    }
                });
                mh = mh.max(MASTER_H + 8 + ph);
            }
        }
        for (i, m) in c.masters.iter_mut().enumerate() {
            m.rect = Rect {
                x: left + i as i32 * (MASTER_W + GAP),
                y: cy,
                w: MASTER_W,
                h: mh,
            };
        }
        cy += mh + GAP;
    }
    if !c.workers.is_empty() {
        c.titles.push(("Workers".into(), cy));
        cy += TITLE_H;
        let mut nh = NODE_HEAD + 8 + POD_H;
        for (i, n) in c.workers.iter_mut().enumerate() {
            let nx = left + i as i32 * (NODE_W + GAP);
            n.kube_proxy = Rect {
                x: nx + 8,
                y: cy + 26,
                w: NODE_W - 16,
                h: 12,
            };
            let ph = lay_out_pods(&mut n.pods, nx, cy + NODE_HEAD, NODE_W);
            nh = nh.max(NODE_HEAD + ph + 8);
        }
        for (i, n) in c.workers.iter_mut().enumerate() {
            n.rect = Rect {
                x: left + i as i32 * (NODE_W + GAP),
                y: cy,
                w: NODE_W,
                h: nh,
            };
        }
        cy += nh + GAP;
    }
    if !c.unscheduled.is_empty() {
        c.titles.push(("Waiting for a node".into(), cy));
        cy += TITLE_H;
        let per_row = ((inner + POD_GAP) / (POD_W + POD_GAP)).max(1);
        let many = c.unscheduled.len() > 2 * FULL_PODS;
        if many {
            cy += lay_out_pods(&mut c.unscheduled, left, cy, inner) + GAP;
        } else {
            for (i, p) in c.unscheduled.iter_mut().enumerate() {
                let (r, col) = (i as i32 / per_row, i as i32 % per_row);
                p.compact = false;
                p.rect = Rect {
                    x: left + col * (POD_W + POD_GAP),
                    y: cy + r * (POD_H + POD_GAP),
                    w: POD_W,
                    h: POD_H,
                };
            }
            let rows = (c.unscheduled.len() as i32 + per_row - 1) / per_row;
            cy += rows * (POD_H + POD_GAP) + GAP;
        }
    }
    let h = cy - y + PAD - GAP;
    c.rect = Rect { x, y, w, h };
    (w, h)
}

// ------------------------------------------------------------------ traces on the map

/// Why a hop failed, in a few words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `timed out`, `connection refused`, `HTTP 404`, `no DNS record`, …
    pub reason: String,
}

/// What a step of a route is, for how it is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// A DNS question and its answer.
    Dns,
    /// A connection or request moving on.
    Request,
}

/// One hop of a trace, placed on the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The element it happened at (`laptop`, `public-dns`, `c1/lb/198.51.100.10`,
    /// `c0/svc/default/web`, `c0/kube-proxy/worker-1`, `c0/node/worker-2`,
    /// `c0/pod/default/web-…`).
    pub element: String,
    /// The index of the hop in the trace (a DNS forward to the public zone adds a step with
    /// the same index).
    pub hop: usize,
    pub kind: StepKind,
    /// The cluster it happened in; None outside every cluster (laptop, public DNS, internet).
    pub cluster: Option<usize>,
    pub at: String,
    pub detail: String,
    pub failed: Option<Failure>,
}

/// Why a hop failed, read from its detail (the engine's words), if it did.
pub fn failure_of(detail: &str) -> Option<Failure> {
    let d = detail;
    let reason = |s: &str| {
        Some(Failure {
            reason: s.to_string(),
        })
    };
    // An HTTP error status: "answers GET / with 404 Not Found", "…: ingress-nginx answers 503",
    // "…: 404".
    let status = d
        .rsplit_once(" with ")
        .map(|(_, r)| r)
        .or_else(|| d.rsplit_once("answers ").map(|(_, r)| r))
        .or_else(|| d.rsplit_once(": ").map(|(_, r)| r))
        .and_then(|r| r.get(..3))
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (400..600).contains(s));
    if let Some(s) = status {
        return reason(&format!("HTTP {s}"));
    }
    if d.contains("no ready endpoints") {
        return reason("no ready endpoints");
    }
    if d.contains("no healthy node") {
        return reason("no healthy node");
    }
    if d.contains("no record for") || d.contains("no public record") {
        return reason("no DNS record");
    }
    if d.contains("connection refused") || d.contains("rejects the connection") {
        return reason("connection refused");
    }
    if d.contains("no route") {
        return reason("no route");
    }
    if d.contains("times out")
        || d.contains("timed out")
        || d.contains("no answer")
        || d.contains("is dropped")
        || d.contains("did not answer")
    {
        return reason("timed out");
    }
    None
}

/// The last `A.B.C.D` address in `text`, with a `:port` or at a word's end.
fn last_ip(text: &str) -> Option<&str> {
    text.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .rfind(|w| w.split('.').count() == 4 && w.split('.').all(|o| o.parse::<u8>().is_ok()))
}

/// Place each hop of `trace` on `map`: the element it happened at, which cluster, and whether
/// it failed. `origin` is the cluster the request started in (the session's current cluster:
/// the laptop's requests and `kubectl exec`'s both start from its point of view).
pub fn route(map: &MapModel, trace: &[Hop], origin: usize) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut cluster = origin;
    // The pod a DNAT, a balancing proxy or a connection to a pod IP chose: where a
    // `container` hop happens.
    let mut target: Option<String> = None;
    let pod_by_ip = |k: usize, ip: &str| -> Option<String> {
        let c = map.clusters.get(k)?;
        c.masters
            .iter()
            .chain(&c.workers)
            .flat_map(|n| n.pods.iter())
            .find(|p| p.ip == ip)
            .map(|p| p.id.clone())
    };
    for (i, hop) in trace.iter().enumerate() {
        let mut at = hop.at.trim_start();
        if let Some((prefix, rest)) = at.split_once(": ") {
            if let Some(k) = map.clusters.iter().position(|c| c.name == prefix) {
                cluster = k;
                at = rest;
            }
        }
        let (word, name) = match at.split_once(' ') {
            Some((w, n)) => (w, n),
            None => (at, ""),
        };
        let c = cluster;
        let mut kind = StepKind::Request;
        let mut element = match (word, name) {
            ("laptop", _) | ("kubectl", "port-forward") | ("minikube", "tunnel") => {
                if let Some(k) = hop
                    .detail
                    .rsplit_once(" of cluster ")
                    .and_then(|(_, n)| map.clusters.iter().position(|c| c.name == n))
                {
                    cluster = k;
                }
                "laptop".to_string()
            }
            ("public", "DNS") => {
                kind = StepKind::Dns;
                "public-dns".to_string()
            }
            ("dns", ip) => {
                kind = StepKind::Dns;
                map.clusters
                    .get(c)
                    .and_then(|cl| cl.services.iter().find(|s| s.cluster_ip == ip))
                    .map(|s| s.id.clone())
                    .unwrap_or_else(|| format!("c{c}/svc/kube-system/kube-dns"))
            }
            ("cloud", rest) => {
                let ip = rest.rsplit(' ').next().unwrap_or_default();
                match map
                    .clusters
                    .iter()
                    .find(|cl| cl.load_balancers.iter().any(|l| l.ip == ip))
                {
                    Some(cl) => {
                        cluster = cl.index;
                        format!("c{}/lb/{ip}", cl.index)
                    }
                    None => format!("c{c}/lb/{ip}"),
                }
            }
            ("service", n) => format!("c{c}/svc/{n}"),
            ("kube-proxy", n) => {
                if let Some(ip) = hop.detail.strip_prefix("DNAT to ").and_then(last_ip) {
                    target = pod_by_ip(c, ip);
                }
                format!("c{c}/kube-proxy/{n}")
            }
            ("node", n) | ("kubelet", n) => {
                if let Some((_, rest)) = hop.detail.split_once("inside pod ") {
                    let pod = rest.split(' ').next().unwrap_or_default();
                    target = Some(format!("c{c}/pod/{pod}"));
                }
                format!("c{c}/node/{n}")
            }
            ("pod", n) => {
                let ip = hop
                    .detail
                    .split(' ')
                    .nth(1)
                    .and_then(|t| t.rsplit_once(':').map(|(ip, _)| ip))
                    .or_else(|| hop.detail.strip_prefix("TCP connect to ").and_then(last_ip));
                if let Some(p) = ip.and_then(|ip| pod_by_ip(c, ip)) {
                    target = Some(p);
                }
                format!("c{c}/pod/{n}")
            }
            ("container", _) => target
                .clone()
                .or_else(|| steps.last().map(|s| s.element.clone()))
                .unwrap_or_else(|| "laptop".into()),
            _ => {
                // A proxy's own hop: `ingress-nginx NS/POD`, `HAProxy Ingress NS/POD`, …
                let pod = at.rsplit(' ').next().unwrap_or_default();
                if pod.contains('/') {
                    if hop.detail.contains("balances over") {
                        if let Some(ip) = last_ip(&hop.detail) {
                            target = pod_by_ip(c, ip);
                        }
                    }
                    format!("c{c}/pod/{pod}")
                } else {
                    steps
                        .last()
                        .map(|s| s.element.clone())
                        .unwrap_or_else(|| "laptop".into())
                }
            }
        };
        if map.rect_of(&element).is_none() {
            // Not drawn (the `kubernetes` Service, a pod already gone): stay where we were.
            if let Some(last) = steps.last() {
                element = last.element.clone();
            }
        }
        let here = if element == "laptop" || element == "public-dns" {
            None
        } else {
            Some(cluster)
        };
        steps.push(Step {
            element,
            hop: i,
            kind,
            cluster: here,
            at: hop.at.trim_start().to_string(),
            detail: hop.detail.clone(),
            failed: failure_of(&hop.detail),
        });
        // CoreDNS forwarding a name outside cluster.local: the question goes out to the
        // public zone and back.
        if kind == StepKind::Dns && hop.detail.contains("forwards it to the public DNS zone") {
            steps.push(Step {
                element: "public-dns".into(),
                hop: i,
                kind,
                cluster: None,
                at: "public DNS".into(),
                detail: hop.detail.clone(),
                failed: None,
            });
        }
    }
    // A lookup first: the question comes from the next hop's place (the laptop, the pod).
    if steps.first().is_some_and(|s| s.kind == StepKind::Dns) {
        if let Some(from) = steps.iter().find(|s| s.kind == StepKind::Request).cloned() {
            steps.insert(
                0,
                Step {
                    kind: StepKind::Request,
                    failed: None,
                    ..from
                },
            );
        }
    }
    steps
}

/// Where a request went, in words, for the aria-live region and the hop list: "laptop → public
/// DNS → load balancer 198.51.100.10 → … → pod default/quote-…: 200 OK" or "… failed at
/// Service default/web: no ready endpoints".
pub fn summary(steps: &[Step]) -> String {
    let mut names: Vec<String> = Vec::new();
    for s in steps {
        let n = element_name(&s.element);
        if names.last() != Some(&n) {
            names.push(n);
        }
    }
    let path = names.join(" → ");
    match steps.last() {
        Some(last) => match &last.failed {
            Some(f) => format!(
                "{path}: failed at {}: {}",
                element_name(&last.element),
                f.reason
            ),
            None => match last.detail.rsplit_once(" with ") {
                Some((_, status)) if last.detail.contains("answers") => format!("{path}: {status}"),
                _ => path,
            },
        },
        None => path,
    }
}

/// An element id in words: `c0/svc/default/web` → `Service default/web`.
pub fn element_name(id: &str) -> String {
    if id == "laptop" {
        return "laptop".into();
    }
    if id == "public-dns" {
        return "public DNS".into();
    }
    let rest = id.split_once('/').map(|(_, r)| r).unwrap_or(id);
    match rest.split_once('/') {
        Some(("lb", ip)) => format!("load balancer {ip}"),
        Some(("svc", n)) => format!("Service {n}"),
        Some(("node", n)) => format!("node {n}"),
        Some(("kube-proxy", n)) => format!("kube-proxy on {n}"),
        Some(("pod", n)) => format!("pod {n}"),
        _ => id.to_string(),
    }
}

/// The `kubectl describe` line for an element (`None` for the laptop and the zone, which
/// kubectl knows nothing of): with `--context` for a cluster that is not the current one.
pub fn describe_command(map: &MapModel, id: &str) -> Option<String> {
    let (k, rest) = id.strip_prefix('c')?.split_once('/')?;
    let c = map.clusters.get(k.parse::<usize>().ok()?)?;
    let context = if c.current {
        String::new()
    } else {
        format!(" --context {}", c.name)
    };
    let (kind, name) = rest.split_once('/')?;
    let ns_name = |n: &str| -> Option<(String, String)> {
        let (ns, name) = n.split_once('/')?;
        Some((ns.to_string(), name.to_string()))
    };
    Some(match kind {
        "pod" => {
            let (ns, n) = ns_name(name)?;
            format!("kubectl{context} describe pod {n} -n {ns}")
        }
        "svc" => {
            let (ns, n) = ns_name(name)?;
            format!("kubectl{context} describe service {n} -n {ns}")
        }
        "lb" => {
            let lb = c.load_balancers.iter().find(|l| l.ip == name)?;
            return describe_command(map, &lb.service);
        }
        "node" | "kube-proxy" => format!("kubectl{context} describe node {name}"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
