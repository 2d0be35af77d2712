//! Volumes as the kubelet sets them up, and where their files live.
//!
//! - `emptyDir`: a tree that belongs to the pod on its node (`PodVolumes::empty_dirs`, kept in
//!   the kubelet's record of the pod): shared by its containers, kept across container restarts,
//!   gone with the pod (fact 65). `medium: Memory` with a `sizeLimit` is a tmpfs of that size.
//! - `hostPath`: a path in the node's own filesystem (`Storage::hosts`, one tree per node): kept
//!   when pods come and go, different on every node.
//! - `configMap`, `secret`, `downwardAPI`, `projected`: files projected from API objects, one per
//!   key, read-only. The kubelet re-projects them at its periodic sync ([`RESYNC`]), so an edit
//!   reaches a mounted file eventually and an environment variable never (fact 62); a `subPath`
//!   mount is a copy taken when the container starts and never updates.
//! - `persistentVolumeClaim`: the claim's bound PersistentVolume. A `hostPath` or `local` PV is a
//!   path on the node the pod runs on; any other PV (a cloud disk, NFS, CSI) is a disk of its own
//!   (`Storage::disks`, by the PV's uid) that goes wherever the pod goes.
//!
//! A container's view ([`container_fs`]) is its image and writable layer at `/` with these
//! mounted at their `mountPath`s. Writable volumes sit in `RefCell`s so that two mounts of one
//! volume (two `subPath`s of an emptyDir) can both be live in one view.

use crate::sim::api::unstructured::{base64_decode, base64_encode};
use crate::sim::api::volumes::{KeyToPath, Volume, VolumeMount};
use crate::sim::api::{Container, Pod, Store, Unstructured};
use crate::sim::clock::Millis;
use crate::sim::fs::{self, Data, FsError, Node, Tree};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// How often the kubelet re-projects ConfigMap and Secret volumes (its `--sync-frequency`,
/// 1 minute by default; the real delay adds the kubelet's cache TTL on top).
pub const RESYNC: Millis = 60_000;
/// How much a writable volume may hold in the simulator, whatever its declared size (the
/// engine keeps files in memory).
pub const VOLUME_CAP: usize = 4 << 20;

/// A writable volume's contents, with what it has used of its size.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Disk {
    pub tree: Tree,
    used: usize,
    /// Bytes it may hold (None: [`VOLUME_CAP`]).
    limit: Option<usize>,
}

impl Disk {
    pub fn with_limit(limit: Option<u64>) -> Disk {
        Disk {
            tree: Tree::default(),
            used: 0,
            limit: limit.map(|l| (l.min(VOLUME_CAP as u64)) as usize),
        }
    }
    fn limit(&self) -> usize {
        self.limit.unwrap_or(VOLUME_CAP)
    }
    /// Create a directory and its parents (the kubelet making a hostPath or subPath).
    pub fn mkdir_p(&mut self, path: &str, now: Millis) {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            if self.tree.get(&at).is_none() {
                self.used = self.used.saturating_add(Node::dir(now).cost(&at));
                self.tree.insert(&at, Node::dir(now));
            }
        }
    }
    pub fn used(&self) -> usize {
        self.used
    }
}

/// Files that outlive pods: each node's own filesystem and the PersistentVolumes' disks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Storage {
    pub hosts: BTreeMap<String, RefCell<Disk>>,
    pub disks: BTreeMap<String, RefCell<Disk>>,
}

impl Storage {
    /// Forget the disks of PersistentVolumes that are gone (deleted by their reclaim policy).
    pub fn prune(&mut self, store: &Store) {
        if self.disks.is_empty() {
            return;
        }
        let live: std::collections::BTreeSet<&str> = store
            .unstructured
            .get("persistentvolumes")
            .map(|t| t.values().map(|pv| pv.metadata.uid.as_str()).collect())
            .unwrap_or_default();
        self.disks.retain(|uid, _| live.contains(uid.as_str()));
    }
}

/// The kubelet's volumes of one pod on its node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodVolumes {
    /// Set up: every volume could be mounted, so containers may start.
    pub mounted: bool,
    /// Mounting failed: try again at this time, with this back-off.
    pub retry: Option<(Millis, Millis)>,
    pub empty_dirs: BTreeMap<String, RefCell<Disk>>,
    /// The files of configMap, secret, downwardAPI and projected volumes, as last projected.
    pub projected: BTreeMap<String, Tree>,
    /// When they were projected.
    pub refreshed: Millis,
    /// Where each claim volume's files are.
    pub claims: BTreeMap<String, Target>,
}

impl PodVolumes {
    /// When the kubelet wants to look at this pod's volumes again.
    pub fn deadline(&self) -> Option<Millis> {
        match self.retry {
            Some((at, _)) if !self.mounted => Some(at),
            _ if self.mounted && !self.projected.is_empty() => {
                Some(self.refreshed.saturating_add(RESYNC))
            }
            _ => None,
        }
    }
}

/// Where a claim's data is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path on the pod's node (a hostPath or local PersistentVolume).
    Host(String),
    /// A disk of its own, by PersistentVolume uid, with its capacity in bytes.
    Disk(String, Option<u64>),
}

/// Why a volume cannot be mounted yet: the volume's name and the kubelet's message.
pub type MountError = (String, String);

fn cm_or_secret<'s>(
    store: &'s Store,
    secret: bool,
    ns: &str,
    name: &str,
) -> Option<&'s Unstructured> {
    store.get_unstructured(if secret { "secrets" } else { "configmaps" }, ns, name)
}

/// A ConfigMap's or Secret's keys and their contents (Secret values decoded).
pub fn object_data(obj: &Unstructured, secret: bool) -> BTreeMap<String, Data> {
    let mut out = BTreeMap::new();
    let text_or_bytes = |bytes: Vec<u8>| match String::from_utf8(bytes) {
        Ok(t) => Data::Text(t),
        Err(e) => Data::Opaque(e.into_bytes().len() as u64),
    };
    if let Some(m) = obj.field("data").and_then(|d| d.as_mapping()) {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let text = match v {
                serde_yaml::Value::String(s) => s.clone(),
                serde_yaml::Value::Null => String::new(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim_end()
                    .to_string(),
            };
            let data = if secret {
                match base64_decode(&text) {
                    Ok(b) => text_or_bytes(b),
                    Err(_) => Data::Text(text),
                }
            } else {
                Data::Text(text)
            };
            out.insert(k.to_string(), data);
        }
    }
    if !secret {
        if let Some(m) = obj.field("binaryData").and_then(|d| d.as_mapping()) {
            for (k, v) in m {
                let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
                    continue;
                };
                if let Ok(b) = base64_decode(v) {
                    out.insert(k.to_string(), text_or_bytes(b));
                }
            }
        }
    }
    out
}

fn file(data: Data, mode: u32, now: Millis) -> Node {
    Node::File {
        data,
        mode,
        mtime: now,
    }
}

/// Put a ConfigMap's or Secret's keys (all, or `items`) into `tree` under `dir`.
#[allow(clippy::too_many_arguments)]
fn project_object(
    tree: &mut Tree,
    store: &Store,
    ns: &str,
    secret: bool,
    name: &str,
    items: &[KeyToPath],
    optional: bool,
    mode: u32,
    now: Millis,
) -> Result<(), String> {
    let what = if secret { "secret" } else { "configmap" };
    let Some(obj) = cm_or_secret(store, secret, ns, name) else {
        return if optional {
            Ok(())
        } else {
            Err(format!("{what} \"{name}\" not found"))
        };
    };
    let data = object_data(obj, secret);
    if items.is_empty() {
        for (k, v) in data {
            tree.add(&format!("/{k}"), file(v, mode, now));
        }
        return Ok(());
    }
    for item in items {
        match data.get(&item.key) {
            Some(v) => {
                let m = item.mode.map(|m| m as u32).unwrap_or(mode);
                let path = format!("/{}", item.path.trim_start_matches('/'));
                tree.add(&path, file(v.clone(), m, now));
            }
            None if optional => {}
            None => {
                return Err(if secret {
                    format!("references non-existent secret key: {}", item.key)
                } else {
                    format!("configmap references non-existent config key: {}", item.key)
                })
            }
        }
    }
    Ok(())
}

/// A pod field as the downward API gives it (`metadata.labels` as `key="value"` lines).
pub fn pod_field(pod: &Pod, path: &str) -> Option<String> {
    let pairs = |m: &BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let key = |prefix: &str| {
        path.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix("']"))
            .map(String::from)
    };
    Some(match path {
        "metadata.name" => pod.metadata.name.clone(),
        "metadata.namespace" => pod.metadata.namespace.clone(),
        "metadata.uid" => pod.metadata.uid.clone(),
        "metadata.labels" => pairs(&pod.metadata.labels),
        "metadata.annotations" => pairs(&pod.metadata.annotations),
        "spec.nodeName" => pod.spec.node_name.clone(),
        "spec.serviceAccountName" => {
            if pod.spec.service_account_name.is_empty() {
                "default".into()
            } else {
                pod.spec.service_account_name.to_string()
            }
        }
        "status.podIP" | "status.podIPs" => pod.status.pod_ip.clone(),
        "status.hostIP" | "status.hostIPs" => pod.status.host_ip.clone(),
        _ => {
            if let Some(k) = key("metadata.labels['") {
                pod.metadata.labels.get(&k).cloned().unwrap_or_default()
            } else if let Some(k) = key("metadata.annotations['") {
                pod.metadata
                    .annotations
                    .get(&k)
                    .cloned()
                    .unwrap_or_default()
            } else {
                return None;
            }
        }
    })
}

/// A container resource as `resourceFieldRef` gives it: in the divisor's units (default 1 core
/// or 1 byte), rounded up; an unset limit is the node's allocatable.
pub fn resource_field(
    store: &Store,
    pod: &Pod,
    container: &str,
    resource: &str,
    divisor: Option<&str>,
) -> String {
    let c = pod
        .spec
        .containers
        .iter()
        .chain(pod.spec.init_containers.iter())
        .find(|c| c.name == container);
    let (limits, what) = match resource.split_once('.') {
        Some(("limits", w)) => (true, w),
        Some(("requests", w)) => (false, w),
        _ => return String::new(),
    };
    let set = c.and_then(|c| {
        let map = if limits {
            &c.resources.limits
        } else {
            &c.resources.requests
        };
        map.get(what).or_else(|| c.resources.limits.get(what))
    });
    let node_alloc = || {
        store
            .nodes
            .get("", &pod.spec.node_name)
            .and_then(|n| n.status.allocatable.get(what).map(|q| q.0.clone()))
    };
    let q = match set {
        Some(q) => Some(q.0.clone()),
        None if limits => node_alloc(),
        None => Some("0".into()),
    };
    let Some(q) = q else {
        return String::new();
    };
    if what == "cpu" {
        let m = crate::sim::quantity::cpu_millis(&q).unwrap_or(0);
        let d = divisor
            .and_then(crate::sim::quantity::cpu_millis)
            .filter(|d| *d > 0)
            .unwrap_or(1000);
        m.div_ceil(d).to_string()
    } else {
        let b = crate::sim::quantity::bytes(&q).unwrap_or(0);
        let d = divisor
            .and_then(crate::sim::quantity::bytes)
            .filter(|d| *d > 0)
            .unwrap_or(1);
        b.div_ceil(d).to_string()
    }
}

fn mode_of(m: Option<i64>, default: u32) -> u32 {
    m.map(|m| (m as u32) & 0o777).unwrap_or(default)
}

/// The files of a projected-kind volume (configMap, secret, downwardAPI, projected); None for
/// other kinds.
pub fn project(store: &Store, pod: &Pod, v: &Volume, now: Millis) -> Option<Result<Tree, String>> {
    let ns = pod.metadata.namespace.as_str();
    let mut tree = Tree::default();
    let result = if let Some(c) = &v.config_map {
        let mode = mode_of(c.default_mode, 0o644);
        project_object(
            &mut tree,
            store,
            ns,
            false,
            &c.name,
            &c.items,
            c.optional == Some(true),
            mode,
            now,
        )
    } else if let Some(s) = &v.secret {
        let mode = mode_of(s.default_mode, 0o644);
        project_object(
            &mut tree,
            store,
            ns,
            true,
            &s.secret_name,
            &s.items,
            s.optional == Some(true),
            mode,
            now,
        )
    } else if let Some(d) = &v.downward_api {
        let mode = mode_of(d.default_mode, 0o644);
        downward(&mut tree, store, pod, &d.items, mode, now);
        Ok(())
    } else if let Some(p) = &v.projected {
        let mode = mode_of(p.default_mode, 0o644);
        let mut r = Ok(());
        for s in &p.sources {
            let step = if let Some(c) = &s.config_map {
                project_object(
                    &mut tree,
                    store,
                    ns,
                    false,
                    &c.name,
                    &c.items,
                    c.optional == Some(true),
                    mode,
                    now,
                )
            } else if let Some(c) = &s.secret {
                project_object(
                    &mut tree,
                    store,
                    ns,
                    true,
                    &c.name,
                    &c.items,
                    c.optional == Some(true),
                    mode,
                    now,
                )
            } else if let Some(d) = &s.downward_api {
                downward(&mut tree, store, pod, &d.items, mode, now);
                Ok(())
            } else if let Some(t) = &s.service_account_token {
                let path = format!("/{}", t.path.trim_start_matches('/'));
                tree.add(&path, file(Data::Text(token(pod, &t.audience)), mode, now));
                Ok(())
            } else {
                Ok(())
            };
            if step.is_err() {
                r = step;
                break;
            }
        }
        r
    } else {
        return None;
    };
    Some(result.map(|()| tree))
}

/// A token as a service account token projection writes it: a JWT whose claims name the pod
/// (not signed by anything real).
fn token(pod: &Pod, audience: &str) -> String {
    let header = base64_encode(br#"{"alg":"RS256","kid":"pocketcluster"}"#);
    let sa = if pod.spec.service_account_name.is_empty() {
        "default"
    } else {
        &*pod.spec.service_account_name
    };
    let claims = format!(
        r#"{{"aud":["{}"],"sub":"system:serviceaccount:{}:{sa}","kubernetes.io":{{"namespace":"{}","pod":{{"name":"{}","uid":"{}"}}}}}}"#,
        if audience.is_empty() {
            "https://kubernetes.default.svc.cluster.local"
        } else {
            audience
        },
        pod.metadata.namespace,
        pod.metadata.namespace,
        pod.metadata.name,
        pod.metadata.uid
    );
    let body = base64_encode(claims.as_bytes());
    format!(
        "{}.{}.c2ltdWxhdGVk",
        header.trim_end_matches('='),
        body.trim_end_matches('=')
    )
}

fn downward(
    tree: &mut Tree,
    store: &Store,
    pod: &Pod,
    items: &[crate::sim::api::volumes::DownwardApiFile],
    mode: u32,
    now: Millis,
) {
    for item in items {
        let value = if let Some(f) = &item.field_ref {
            pod_field(pod, &f.field_path).unwrap_or_default()
        } else if let Some(r) = &item.resource_field_ref {
            resource_field(
                store,
                pod,
                &r.container_name,
                &r.resource,
                r.divisor.as_ref().map(|d| d.0.as_str()),
            )
        } else {
            continue;
        };
        let path = format!("/{}", item.path.trim_start_matches('/'));
        tree.add(
            &path,
            file(Data::Text(value), mode_of(item.mode, mode), now),
        );
    }
}

/// Where a claim's files are, or why the kubelet cannot mount it yet.
pub fn claim_target(store: &Store, ns: &str, claim: &str) -> Result<Target, String> {
    let Some(pvc) = store.get_unstructured("persistentvolumeclaims", ns, claim) else {
        return Err(format!(
            "error processing PVC {ns}/{claim}: failed to fetch PVC from API server: persistentvolumeclaims \"{claim}\" not found"
        ));
    };
    let volume = pvc.str_at(&["spec", "volumeName"]);
    if volume.is_empty() || pvc.str_at(&["status", "phase"]) != "Bound" {
        return Err(format!(
            "error processing PVC {ns}/{claim}: PVC is not bound"
        ));
    }
    let Some(pv) = store.get_unstructured("persistentvolumes", "", volume) else {
        return Err(format!(
            "error processing PVC {ns}/{claim}: persistentvolumes \"{volume}\" not found"
        ));
    };
    for kind in ["hostPath", "local"] {
        let p = pv.str_at(&["spec", kind, "path"]);
        if !p.is_empty() {
            return Ok(Target::Host(p.to_string()));
        }
    }
    let capacity = pv
        .path(&["spec", "capacity", "storage"])
        .and_then(|v| match v {
            serde_yaml::Value::String(s) => crate::sim::quantity::bytes(s),
            serde_yaml::Value::Number(n) => n.as_u64(),
            _ => None,
        });
    Ok(Target::Disk(pv.metadata.uid.clone(), capacity))
}

/// Set up a pod's volumes on its node: make its emptyDirs, check and make hostPaths, project
/// ConfigMaps and Secrets, find its claims' data. Err names the first volume that cannot be
/// mounted and why (the kubelet's `FailedMount` event); the pod's containers wait for it.
pub fn mount_pod(
    store: &Store,
    pod: &Pod,
    pv: &mut PodVolumes,
    storage: &mut Storage,
    now: Millis,
) -> Result<(), MountError> {
    let node = pod.spec.node_name.as_str();
    for v in &pod.spec.volumes {
        if let Some(e) = &v.empty_dir {
            pv.empty_dirs.entry(v.name.clone()).or_insert_with(|| {
                let limit = if e.medium == "Memory" {
                    e.size_limit
                        .as_ref()
                        .and_then(|q| crate::sim::quantity::bytes(&q.0))
                } else {
                    None
                };
                RefCell::new(Disk::with_limit(limit))
            });
        } else if let Some(h) = &v.host_path {
            let host = storage.hosts.entry(node.to_string()).or_default();
            let mut host = host.borrow_mut();
            let path = fs::resolve("/", &h.path).map_err(|e| (v.name.clone(), e.to_string()))?;
            let existing = host.tree.get(&path).cloned();
            let t = h.type_.as_deref().unwrap_or("");
            let fail = |what: &str| {
                Err((
                    v.name.clone(),
                    format!("hostPath type check failed: {} is not a {what}", h.path),
                ))
            };
            match (t, &existing) {
                ("Directory", Some(n)) if !n.is_dir() => return fail("directory"),
                ("Directory", None) => return fail("directory"),
                ("File", Some(n)) if n.is_dir() => return fail("file"),
                ("File", None) => return fail("file"),
                ("Socket" | "CharDevice" | "BlockDevice", _) => {
                    let what = match t {
                        "Socket" => "socket file",
                        "CharDevice" => "character device",
                        _ => "block device",
                    };
                    return fail(what);
                }
                ("FileOrCreate", None) => {
                    host.mkdir_p(fs::parent(&path), now);
                    host.tree.insert(&path, Node::text("", now));
                }
                (_, None) => host.mkdir_p(&path, now),
                _ => {}
            }
        } else if let Some(c) = &v.persistent_volume_claim {
            let target = claim_target(store, &pod.metadata.namespace, &c.claim_name)
                .map_err(|e| (v.name.clone(), e))?;
            match &target {
                Target::Host(path) => {
                    let host = storage.hosts.entry(node.to_string()).or_default();
                    let mut host = host.borrow_mut();
                    if let Ok(p) = fs::resolve("/", path) {
                        host.mkdir_p(&p, now);
                    }
                }
                Target::Disk(uid, capacity) => {
                    storage
                        .disks
                        .entry(uid.clone())
                        .or_insert_with(|| RefCell::new(Disk::with_limit(*capacity)));
                }
            }
            pv.claims.insert(v.name.clone(), target);
        } else if let Some(files) = project(store, pod, v, now) {
            let tree = files.map_err(|e| (v.name.clone(), e))?;
            pv.projected.insert(v.name.clone(), tree);
        }
    }
    pv.refreshed = now;
    pv.mounted = true;
    pv.retry = None;
    Ok(())
}

/// The kubelet's periodic sync: re-project ConfigMap and Secret volumes (an object that went
/// missing keeps the files it had, as the kubelet keeps the last good projection).
pub fn refresh(store: &Store, pod: &Pod, pv: &mut PodVolumes, now: Millis) {
    for v in &pod.spec.volumes {
        if let Some(Ok(tree)) = project(store, pod, v, now) {
            let changed = pv
                .projected
                .get(&v.name)
                .is_none_or(|old| !same_files(old, &tree));
            if changed {
                pv.projected.insert(v.name.clone(), tree);
            }
        }
    }
    pv.refreshed = now;
}

/// The same entries and contents (modification times aside).
fn same_files(a: &Tree, b: &Tree) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((pa, na), (pb, nb))| {
            pa == pb
                && match (na, nb) {
                    (
                        Node::File {
                            data: da, mode: ma, ..
                        },
                        Node::File {
                            data: db, mode: mb, ..
                        },
                    ) => da == db && ma == mb,
                    (Node::Dir { .. }, Node::Dir { .. }) => true,
                    _ => false,
                }
        })
}

/// What a `subPath` mount of a projected volume holds: a copy of that path, taken when the
/// container starts (it never updates).
pub fn pin_sub_paths(pod: &Pod, c: &Container, pv: &PodVolumes) -> BTreeMap<String, Tree> {
    let mut out = BTreeMap::new();
    for m in &c.volume_mounts {
        if m.sub_path.is_empty() {
            continue;
        }
        let Some(tree) = pv.projected.get(&m.name) else {
            continue;
        };
        let base = format!("/{}", m.sub_path.trim_matches('/'));
        let mut copy = Tree::default();
        for (p, n) in tree.iter() {
            if p == base {
                copy.insert("/", n.clone());
            } else if let Some(rest) = p.strip_prefix(&base).filter(|r| r.starts_with('/')) {
                copy.insert(rest, n.clone());
            }
        }
        let _ = pod;
        out.insert(m.mount_path.clone(), copy);
    }
    out
}

/// A writable volume (or part of one) mounted in a container.
struct DiskView<'a> {
    disk: &'a RefCell<Disk>,
    base: String,
    read_only: bool,
}

fn under(base: &str, path: &str) -> String {
    if base == "/" {
        path.to_string()
    } else if path == "/" {
        base.to_string()
    } else {
        format!("{base}{path}")
    }
}

impl fs::Volume for DiskView<'_> {
    fn get(&self, path: &str) -> Option<Node> {
        let full = under(&self.base, path);
        if full == "/" {
            return Some(Node::dir(0));
        }
        self.disk.borrow().tree.get(&full).cloned()
    }
    fn children(&self, path: &str) -> Vec<(String, Node)> {
        let full = under(&self.base, path);
        self.disk
            .borrow()
            .tree
            .children(&full)
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }
    fn put(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        if self.read_only {
            return Err(FsError::ReadOnly);
        }
        let full = under(&self.base, path);
        let mut d = self.disk.borrow_mut();
        let old = d.tree.get(&full).map(|n| n.cost(&full)).unwrap_or(0);
        let new = node.cost(&full);
        let used = d.used.saturating_sub(old).saturating_add(new);
        if used > d.limit() && new > old {
            return Err(FsError::NoSpace);
        }
        d.used = used;
        d.tree.insert(&full, node);
        Ok(())
    }
    fn remove(&mut self, path: &str) {
        let full = under(&self.base, path);
        let mut d = self.disk.borrow_mut();
        for (p, n) in d.tree.remove_tree(&full) {
            d.used = d.used.saturating_sub(n.cost(&p));
        }
    }
    fn read_only(&self) -> bool {
        self.read_only
    }
}

/// Projected files (read-only), or a pinned subPath copy.
struct FilesView<'a> {
    tree: &'a Tree,
    base: String,
}

impl fs::Volume for FilesView<'_> {
    fn get(&self, path: &str) -> Option<Node> {
        let full = under(&self.base, path);
        if let Some(n) = self.tree.get(&full) {
            return Some(n.clone());
        }
        (full == "/").then(|| Node::dir(0))
    }
    fn children(&self, path: &str) -> Vec<(String, Node)> {
        let full = under(&self.base, path);
        self.tree
            .children(&full)
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }
    fn put(&mut self, _path: &str, _node: Node) -> Result<(), FsError> {
        Err(FsError::ReadOnly)
    }
    fn remove(&mut self, _path: &str) {}
    fn read_only(&self) -> bool {
        true
    }
}

static EMPTY: Tree = Tree::empty();

/// The path inside the volume a mount shows (its `subPath`, or the root).
fn sub_base(m: &VolumeMount) -> String {
    let s = m.sub_path.trim_matches('/');
    if s.is_empty() {
        "/".into()
    } else {
        format!("/{s}")
    }
}

/// Make the directories `subPath` mounts of writable volumes need (the kubelet creates a
/// missing subPath as a directory). Call before [`mount_container`].
pub fn prepare_sub_paths(
    pod: &Pod,
    c: &Container,
    pv: &PodVolumes,
    storage: &mut Storage,
    now: Millis,
) {
    for m in &c.volume_mounts {
        if m.sub_path.is_empty() {
            continue;
        }
        let Some((disk, base)) = writable(pod, &m.name, pv, storage) else {
            continue;
        };
        let path = under(&base, &sub_base(m));
        let mut d = disk.borrow_mut();
        if d.tree.get(&path).is_none() {
            d.mkdir_p(&path, now);
        }
    }
}

/// The writable volume a mount names, and its base path inside the disk.
fn writable<'a>(
    pod: &Pod,
    name: &str,
    pv: &'a PodVolumes,
    storage: &'a Storage,
) -> Option<(&'a RefCell<Disk>, String)> {
    let v = pod.spec.volumes.iter().find(|v| v.name == name)?;
    if v.empty_dir.is_some() {
        return pv.empty_dirs.get(name).map(|d| (d, "/".to_string()));
    }
    if let Some(h) = &v.host_path {
        let base = fs::resolve("/", &h.path).ok()?;
        return storage.hosts.get(&pod.spec.node_name).map(|d| (d, base));
    }
    if v.persistent_volume_claim.is_some() {
        return match pv.claims.get(name)? {
            Target::Host(p) => {
                let base = fs::resolve("/", p).ok()?;
                storage.hosts.get(&pod.spec.node_name).map(|d| (d, base))
            }
            Target::Disk(uid, _) => storage.disks.get(uid).map(|d| (d, "/".to_string())),
        };
    }
    None
}

/// Mount a container's volumes into its view, as its `volumeMounts` say.
pub fn mount_container<'a>(
    view: &mut fs::Fs<'a>,
    pod: &Pod,
    c: &Container,
    pv: &'a PodVolumes,
    pinned: &'a BTreeMap<String, Tree>,
    storage: &'a Storage,
) {
    for m in &c.volume_mounts {
        let Some(v) = pod.spec.volumes.iter().find(|v| v.name == m.name) else {
            continue;
        };
        let claim_ro = v
            .persistent_volume_claim
            .as_ref()
            .is_some_and(|c| c.read_only == Some(true));
        if let Some((disk, base)) = writable(pod, &m.name, pv, storage) {
            view.mount(
                &m.mount_path,
                Box::new(DiskView {
                    disk,
                    base: under(&base, &sub_base(m)),
                    read_only: m.read_only() || claim_ro,
                }),
            );
        } else if let Some(pin) = pinned.get(&m.mount_path) {
            view.mount(
                &m.mount_path,
                Box::new(FilesView {
                    tree: pin,
                    base: "/".into(),
                }),
            );
        } else if let Some(tree) = pv.projected.get(&m.name) {
            view.mount(
                &m.mount_path,
                Box::new(FilesView {
                    tree,
                    base: sub_base(m),
                }),
            );
        } else {
            // A source the simulator gives no files (nfs, csi, a cloud disk named directly).
            view.mount(
                &m.mount_path,
                Box::new(FilesView {
                    tree: &EMPTY,
                    base: "/".into(),
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fs::{Fs, Volume as _};

    #[test]
    fn two_sub_paths_of_one_empty_dir_share_it() {
        let disk = RefCell::new(Disk::default());
        let root = RefCell::new(Disk::default());
        let mut fs = Fs::new(
            Box::new(DiskView {
                disk: &root,
                base: "/".into(),
                read_only: false,
            }),
            1,
        );
        disk.borrow_mut().mkdir_p("/a", 0);
        fs.mount(
            "/x",
            Box::new(DiskView {
                disk: &disk,
                base: "/".into(),
                read_only: false,
            }),
        );
        fs.mount(
            "/y",
            Box::new(DiskView {
                disk: &disk,
                base: "/a".into(),
                read_only: false,
            }),
        );
        fs.write("/x/a/f", "hello", false).expect("write");
        assert_eq!(fs.read_data("/y/f"), Ok(Data::Text("hello".into())));
        drop(fs);
        assert!(disk.borrow().tree.get("/a/f").is_some());
    }

    #[test]
    fn projected_files_are_read_only() {
        let mut t = Tree::default();
        t.add("/key", Node::text("v", 0));
        let mut v = FilesView {
            tree: &t,
            base: "/".into(),
        };
        assert_eq!(v.put("/key", Node::text("w", 0)), Err(FsError::ReadOnly));
        assert!(v.read_only());
    }

    #[test]
    fn a_small_tmpfs_fills_up() {
        let disk = RefCell::new(Disk::with_limit(Some(100)));
        let mut v = DiskView {
            disk: &disk,
            base: "/".into(),
            read_only: false,
        };
        assert_eq!(
            v.put("/f", Node::text(&"x".repeat(200), 0)),
            Err(FsError::NoSpace)
        );
        assert!(v.put("/g", Node::text("x", 0)).is_ok());
    }
}
