//! Snapshots: plain data describing the world for views (the cluster map, lesson goals).
//! Views render these; they never reach into the engine's internals.

use super::World;
use crate::shell::format;

#[derive(Debug, Clone, PartialEq)]
pub struct PodView {
    pub namespace: String,
    pub name: String,
    /// kubectl's STATUS column (`Running`, `ContainerCreating`, `CrashLoopBackOff`…).
    pub status: String,
    pub ready: String,
    pub ip: String,
    /// What the pod is, from its well-known labels (`component`, `k8s-app`, `app`…).
    pub app: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NodeView {
    pub name: String,
    pub roles: String,
    pub status: String,
    pub control_plane: bool,
    /// False while the node is powered off (`sim node stop`).
    pub powered: bool,
    pub pods: Vec<PodView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClusterView {
    pub name: String,
    pub nodes: Vec<NodeView>,
    /// Pods no node has been chosen for yet.
    pub unscheduled: Vec<PodView>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub now: u64,
    pub current: usize,
    pub clusters: Vec<ClusterView>,
}

impl Snapshot {
    pub fn of(world: &World) -> Snapshot {
        let clusters = world
            .clusters
            .iter()
            .map(|c| {
                let view = |p: &super::api::Pod| PodView {
                    namespace: p.metadata.namespace.clone(),
                    name: p.metadata.name.clone(),
                    status: format::pod_status(p),
                    ready: format::pod_ready(p),
                    ip: p.status.pod_ip.clone(),
                    app: [
                        "component",
                        "k8s-app",
                        "app.kubernetes.io/name",
                        "app",
                        "run",
                        "name",
                    ]
                    .iter()
                    .find_map(|k| p.metadata.labels.get(*k).cloned())
                    .unwrap_or_else(|| p.metadata.name.clone()),
                };
                let nodes = c
                    .store
                    .nodes
                    .values()
                    .map(|n| NodeView {
                        name: n.metadata.name.clone(),
                        roles: format::node_roles(n),
                        status: format::node_status(n),
                        control_plane: n
                            .metadata
                            .labels
                            .contains_key("node-role.kubernetes.io/control-plane"),
                        powered: !c.stopped.contains(&n.metadata.name),
                        pods: c
                            .store
                            .pods
                            .values()
                            .filter(|p| p.spec.node_name == n.metadata.name)
                            .map(view)
                            .collect(),
                    })
                    .collect();
                let unscheduled = c
                    .store
                    .pods
                    .values()
                    .filter(|p| p.spec.node_name.is_empty())
                    .map(view)
                    .collect();
                ClusterView {
                    name: c.name.clone(),
                    nodes,
                    unscheduled,
                }
            })
            .collect();
        Snapshot {
            now: world.now,
            current: world.current,
            clusters,
        }
    }
}
