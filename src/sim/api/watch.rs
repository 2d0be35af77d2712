//! What the API server's watch streams carry to the control plane, and the indexes the informers
//! keep. Every write to the store passes through [`Watch::observe`] with the object before and
//! after, and is routed as Kubernetes' informers route it: a pod change wakes the controller that
//! owns it, the scheduler if it is unbound, and the kubelet of its node; a ReplicaSet change wakes
//! its Deployment; and so on. Controllers then sync only the keys in their work queue (client-go's
//! workqueue, with `AddAfter` as timers), so the cost of a step is the work it does, not the size
//! of the world.

use super::name_key::NameKey;
use super::services::Service;
use super::store::Resource;
use super::types::*;
use crate::sim::clock::Millis;
use crate::sim::fxhash::FxHashMap;
use std::any::Any;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// (namespace, name); cluster-scoped objects have an empty namespace.
pub type Key = (String, String);

/// A reference to one stored object. The uid index and its owner's entry in the dependents
/// index hold one copy of its name between them, and every object of a namespace shares one
/// copy of the namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjRef {
    /// A typed object's kind (`Pod`), or a stored-only object's resource (`configmaps`,
    /// `mappings.getambassador.io`: lowercase, so never a kind).
    pub kind: Cow<'static, str>,
    pub namespace: Arc<str>,
    pub name: Arc<str>,
}

/// A controller's work queue: keys to sync now, and keys to sync at a moment of the virtual clock.
/// Keys come out in order, so a pass over a queue walks objects as a full scan of the store would.
#[derive(Debug, Clone, Default)]
pub struct WorkQueue {
    /// Queued now, by namespace then name (nested so a lookup needs no allocation; names as
    /// `NameKey`s, inline, ordered as strings).
    ready: BTreeMap<String, BTreeSet<NameKey>>,
    timers: BTreeSet<(Millis, Key)>,
    timer_of: FxHashMap<Key, Millis>,
}

impl WorkQueue {
    pub fn add(&mut self, namespace: &str, name: &str) {
        match self.ready.get_mut(namespace) {
            Some(names) => {
                let key = NameKey::new(name);
                if !names.contains(&key) {
                    names.insert(key);
                }
            }
            None => {
                self.ready
                    .insert(namespace.to_string(), BTreeSet::from([NameKey::new(name)]));
            }
        }
    }

    pub fn add_key(&mut self, key: Key) {
        self.ready
            .entry(key.0)
            .or_default()
            .insert(NameKey::new(&key.1));
    }

    /// Drop a key queued now (the kubelet's own status write need not wake it again).
    pub fn forget(&mut self, key: &Key) {
        if let Some(names) = self.ready.get_mut(&key.0) {
            names.remove(key.1.as_bytes());
            if names.is_empty() {
                self.ready.remove(&key.0);
            }
        }
    }

    /// Set (or clear) the one moment this key wants to be synced again.
    pub fn set_timer(&mut self, key: &Key, at: Option<Millis>) {
        if self.timer_of.get(key).copied() == at {
            return;
        }
        if let Some(old) = self.timer_of.remove(key) {
            self.timers.remove(&(old, key.clone()));
            // A burst of timers (every new pod's image pull) leaves a large, nearly empty
            // table behind: give it back once it is an eighth full (halving at least, so
            // the rehashing costs little per removal).
            let cap = self.timer_of.capacity();
            if cap > 1024 && self.timer_of.len() < cap / 8 {
                self.timer_of.shrink_to(self.timer_of.len() * 2);
            }
        }
        if let Some(t) = at {
            self.timer_of.insert(key.clone(), t);
            self.timers.insert((t, key.clone()));
        }
    }

    /// The keys due at `now`, in order: queued ones and those whose timer came. Both are cleared.
    pub fn take(&mut self, now: Millis) -> Vec<Key> {
        while self.timers.first().is_some_and(|(t, _)| *t <= now) {
            if let Some((_, key)) = self.timers.pop_first() {
                self.timer_of.remove(&key);
                self.add_key(key);
            }
        }
        std::mem::take(&mut self.ready)
            .into_iter()
            .flat_map(|(ns, names)| {
                names
                    .into_iter()
                    .map(move |n| (ns.clone(), n.as_str().to_string()))
            })
            .collect()
    }

    /// Whether anything is due at `now`.
    pub fn has_work(&self, now: Millis) -> bool {
        !self.ready.is_empty() || self.timers.first().is_some_and(|(t, _)| *t <= now)
    }

    /// The first timer after `now`.
    pub fn next_timer(&self, now: Millis) -> Option<Millis> {
        self.timers
            .range((now.saturating_add(1), (String::new(), String::new()))..)
            .next()
            .map(|(t, _)| *t)
    }
}

/// Requested cpu (millicores), memory (bytes) and pod count on a node: the scheduler's cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu: u64,
    pub memory: u64,
    pub pods: u64,
}

/// Counts over the pods one object controls, kept as pods are written, so a controller need not
/// walk them to write its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCounts {
    /// Not being deleted.
    pub live: i64,
    /// Live and Ready.
    pub ready: i64,
}

#[derive(Debug, Clone)]
struct Indexed {
    obj: ObjRef,
    /// The uid of the object's controller, if it has one: the same copy as the key of its
    /// entry in `dependents` (a ReplicaSet's pods share one).
    owner: Option<Arc<str>>,
}

/// The control plane's view of the store's writes: work queues and indexes.
#[derive(Debug, Clone, Default)]
pub struct Watch {
    pub deployments: WorkQueue,
    pub replicasets: WorkQueue,
    pub statefulsets: WorkQueue,
    pub daemonsets: WorkQueue,
    pub jobs: WorkQueue,
    pub cronjobs: WorkQueue,
    /// Pods to bind (unbound and not being deleted).
    pub scheduler: WorkQueue,
    /// Pods bound to a node whose kubelet has to look at them.
    pub kubelet: WorkQueue,
    /// Services whose endpoints (or load balancer) have to be looked at.
    pub endpoints: WorkQueue,
    /// The volume controller's queue (`controllers/volume.rs`): one key, `("", "")`, queued
    /// when a claim, a volume, a class or a pod with claims is written.
    pub volumes: WorkQueue,
    /// Namespaces (keyed `("", name)`) whose `default` ServiceAccount and `kube-root-ca.crt`
    /// ConfigMap have to be looked at: a namespace was written, or one of those removed.
    pub serviceaccounts: WorkQueue,
    /// A node was added, removed or changed: every DaemonSet has to look again.
    pub nodes_changed: bool,
    /// Pods running an image that acts on the world beyond its cluster's controllers
    /// (External-DNS, Ingress controllers, Emissary): what `external_dns.rs` and
    /// `proxy::publish_ingress_status` look at instead of every pod.
    pub program_pods: BTreeSet<Key>,
    /// The garbage collector's queue: uids of removed owners that still have dependents, and
    /// uids of new dependents whose owner was not found.
    pub gc: BTreeSet<String>,
    // Indexes looked up by key and never walked, so hash maps (their order would not be
    // deterministic); what is walked is ordered.
    objects: FxHashMap<String, Indexed>,
    dependents: FxHashMap<Arc<str>, BTreeSet<ObjRef>>,
    /// Each node's pods, by namespace and name (the name inline: `NameKey`).
    pods_on_node: BTreeMap<String, BTreeSet<(Arc<str>, NameKey)>>,
    /// One copy of each namespace's name, for the indexes above.
    namespaces: Vec<Arc<str>>,
    usage: FxHashMap<String, Usage>,
    pod_counts: FxHashMap<String, PodCounts>,
    /// Each namespace's Services and their selectors, so a pod change wakes the Services that
    /// select it.
    selectors: BTreeMap<String, BTreeMap<String, Labels>>,
    /// How much work the control plane has done (for the benchmark's report).
    pub counters: Counters,
}

/// Work done, by kind: object writes, and syncs of each control loop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub writes: BTreeMap<&'static str, u64>,
    pub syncs: BTreeMap<&'static str, u64>,
    pub passes: u64,
}

fn pod_is_ready(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_none()
        && p.status
            .conditions
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True")
}

fn controller_of(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .iter()
        .find(|r| r.controller == Some(true))
}

/// What the watch needs to remember of an object changed in place ([`Store::modify`]).
///
/// [`Store::modify`]: super::store::Store::modify
#[derive(Debug, Clone, Copy, Default)]
pub struct Before {
    live: bool,
    ready: bool,
}

impl Watch {
    pub fn before_modify<T: Resource>(&self, obj: &T) -> Before {
        match (obj as &dyn Any).downcast_ref::<Pod>() {
            Some(p) => Before {
                live: p.metadata.deletion_timestamp.is_none(),
                ready: pod_is_ready(p),
            },
            None => Before::default(),
        }
    }

    /// An in-place change (names, owners and node unchanged): routed as `observe` routes it.
    pub fn after_modify<T: Resource>(&mut self, before: Before, obj: &T) {
        *self.counters.writes.entry(T::KIND).or_default() += 1;
        let meta = obj.meta();
        if let Some(r) = controller_of(meta) {
            self.wake_owner(&r.kind, &meta.namespace, &r.name);
        }
        match T::KIND {
            "Deployment" => self.deployments.add(&meta.namespace, &meta.name),
            "ReplicaSet" => self.replicasets.add(&meta.namespace, &meta.name),
            "StatefulSet" => self.statefulsets.add(&meta.namespace, &meta.name),
            "DaemonSet" => self.daemonsets.add(&meta.namespace, &meta.name),
            "Job" => self.jobs.add(&meta.namespace, &meta.name),
            "CronJob" => self.cronjobs.add(&meta.namespace, &meta.name),
            "Node" => self.nodes_changed = true,
            "Service" => self.endpoints.add(&meta.namespace, &meta.name),
            "Pod" => {
                let Some(p) = (obj as &dyn Any).downcast_ref::<Pod>() else {
                    return;
                };
                self.wake_services(p);
                if has_claims(p) {
                    self.volumes.add("", "");
                }
                if let Some(r) = controller_of(&p.metadata) {
                    let live = p.metadata.deletion_timestamp.is_none();
                    let ready = pod_is_ready(p);
                    if live != before.live || ready != before.ready {
                        let c = match self.pod_counts.get_mut(&r.uid) {
                            Some(c) => c,
                            None => self.pod_counts.entry(r.uid.clone()).or_default(),
                        };
                        c.live += live as i64 - before.live as i64;
                        c.ready += ready as i64 - before.ready as i64;
                    }
                }
                let (ns, name) = (&p.metadata.namespace, &p.metadata.name);
                if p.spec.node_name.is_empty() {
                    if p.metadata.deletion_timestamp.is_none() {
                        self.scheduler.add(ns, name);
                    }
                } else {
                    self.kubelet.add(ns, name);
                }
            }
            _ => {}
        }
    }

    /// A pod bound in place ([`Store::bind_pod`]): routed as `observe` routes the same change
    /// (its owner, its Services and its node's kubelet woken), and counted on its new node.
    ///
    /// [`Store::bind_pod`]: super::store::Store::bind_pod
    pub fn after_bind(&mut self, before: Before, p: &Pod) {
        self.after_modify(before, p);
        let node = p.spec.node_name.as_str();
        if node.is_empty() {
            return;
        }
        let req = crate::sim::scheduler::pod_requests(p);
        let u = match self.usage.get_mut(node) {
            Some(u) => u,
            None => self.usage.entry(node.to_string()).or_default(),
        };
        u.cpu += req.0;
        u.memory += req.1;
        u.pods += 1;
        let key = (
            self.namespace(&p.metadata.namespace),
            NameKey::new(&p.metadata.name),
        );
        match self.pods_on_node.get_mut(node) {
            Some(set) => {
                set.insert(key);
            }
            None => {
                self.pods_on_node
                    .insert(node.to_string(), BTreeSet::from([key]));
            }
        }
    }

    /// One write: `old` is what was stored, `new` what is stored now (None: removed).
    pub fn observe<T: Resource>(&mut self, old: Option<&T>, new: Option<&T>) {
        *self.counters.writes.entry(T::KIND).or_default() += 1;
        self.index(
            old.map(|o| o.meta()),
            new.map(|n| n.meta()),
            Cow::Borrowed(T::KIND),
        );
        for meta in [old.map(|o| o.meta()), new.map(|n| n.meta())]
            .into_iter()
            .flatten()
        {
            if let Some(r) = controller_of(meta) {
                self.wake_owner(&r.kind, &meta.namespace, &r.name);
            }
        }
        let meta = new.or(old).map(|o| o.meta());
        let Some(meta) = meta else { return };
        if T::KIND == "Pod" {
            let program = new
                .and_then(|n| (n as &dyn Any).downcast_ref::<Pod>())
                .is_some_and(|p| {
                    p.spec.containers.iter().any(|c| {
                        is_program_image(&c.image)
                            || crate::sim::loops::may_loop(&c.command, &c.args)
                    })
                });
            if program {
                if !self
                    .program_pods
                    .iter()
                    .any(|k| k.0 == meta.namespace && k.1 == meta.name)
                {
                    self.program_pods
                        .insert((meta.namespace.clone(), meta.name.clone()));
                }
            } else if !self.program_pods.is_empty() {
                self.program_pods
                    .retain(|k| !(k.0 == meta.namespace && k.1 == meta.name));
            }
        }
        match T::KIND {
            "Deployment" => self.deployments.add(&meta.namespace, &meta.name),
            "ReplicaSet" => self.replicasets.add(&meta.namespace, &meta.name),
            "StatefulSet" => self.statefulsets.add(&meta.namespace, &meta.name),
            "DaemonSet" => self.daemonsets.add(&meta.namespace, &meta.name),
            "Job" => self.jobs.add(&meta.namespace, &meta.name),
            "CronJob" => self.cronjobs.add(&meta.namespace, &meta.name),
            "Node" => self.nodes_changed = true,
            "Namespace" if new.is_some() => {
                self.serviceaccounts.add("", &meta.name);
            }
            "Service" => {
                let new = new.and_then(|n| (n as &dyn Any).downcast_ref::<Service>());
                let names = self.selectors.entry(meta.namespace.clone()).or_default();
                match new.and_then(|s| s.spec.selector.clone()) {
                    Some(sel) if !sel.is_empty() => {
                        names.insert(meta.name.clone(), sel);
                    }
                    _ => {
                        names.remove(&meta.name);
                    }
                }
                self.endpoints.add(&meta.namespace, &meta.name);
            }
            "Pod" => {
                let old = old.and_then(|o| (o as &dyn Any).downcast_ref::<Pod>());
                let new = new.and_then(|n| (n as &dyn Any).downcast_ref::<Pod>());
                for p in [old, new].into_iter().flatten() {
                    self.wake_services(p);
                    if has_claims(p) {
                        self.volumes.add("", "");
                    }
                }
                self.observe_pod(old, new);
            }
            _ => {}
        }
    }

    /// One write of a stored-only object (`unstructured.rs`), by resource: indexed and routed
    /// by its metadata, as `observe` does for typed objects.
    pub fn observe_unstructured(
        &mut self,
        resource: &str,
        old: Option<&ObjectMeta>,
        new: Option<&ObjectMeta>,
    ) {
        *self.counters.writes.entry("Unstructured").or_default() += 1;
        self.index(old, new, Cow::Owned(resource.to_string()));
        for meta in [old, new].into_iter().flatten() {
            if let Some(r) = controller_of(meta) {
                self.wake_owner(&r.kind, &meta.namespace, &r.name);
            }
        }
        if matches!(
            resource,
            "persistentvolumeclaims" | "persistentvolumes" | "storageclasses.storage.k8s.io"
        ) {
            self.volumes.add("", "");
        }
        let made_per_namespace = match resource {
            "serviceaccounts" => "default",
            "configmaps" => "kube-root-ca.crt",
            _ => "",
        };
        if new.is_none() {
            if let Some(o) = old.filter(|o| o.name == made_per_namespace) {
                self.serviceaccounts.add("", &o.namespace);
            }
        }
    }

    /// Queue the Services of the pod's namespace whose selector matches its labels.
    fn wake_services(&mut self, p: &Pod) {
        let Some(services) = self.selectors.get(&p.metadata.namespace) else {
            return;
        };
        let matching: Vec<&String> = services
            .iter()
            .filter(|(_, sel)| sel.iter().all(|(k, v)| p.metadata.labels.get(k) == Some(v)))
            .map(|(name, _)| name)
            .collect();
        if matching.is_empty() {
            return;
        }
        let names: Vec<String> = matching.into_iter().cloned().collect();
        for name in names {
            self.endpoints.add(&p.metadata.namespace, &name);
        }
    }

    fn wake_owner(&mut self, kind: &str, namespace: &str, name: &str) {
        match kind {
            "Deployment" => self.deployments.add(namespace, name),
            "ReplicaSet" => self.replicasets.add(namespace, name),
            "StatefulSet" => self.statefulsets.add(namespace, name),
            "DaemonSet" => self.daemonsets.add(namespace, name),
            "Job" => self.jobs.add(namespace, name),
            "CronJob" => self.cronjobs.add(namespace, name),
            _ => {}
        }
    }

    fn index(
        &mut self,
        old: Option<&ObjectMeta>,
        new: Option<&ObjectMeta>,
        kind: Cow<'static, str>,
    ) {
        let old_owner = old.and_then(controller_of).map(|r| r.uid.as_str());
        let new_owner = new.and_then(controller_of).map(|r| r.uid.as_str());
        let same_object = matches!((old, new), (Some(o), Some(n)) if o.uid == n.uid);
        if same_object && old_owner == new_owner {
            return;
        }
        if let Some(o) = old {
            if let Some(owner) = old_owner {
                // The copy the uid index holds (the same as the dependents set's).
                let obj = match self.objects.get(&o.uid) {
                    Some(i) => i.obj.clone(),
                    None => ObjRef {
                        kind: kind.clone(),
                        namespace: o.namespace.as_str().into(),
                        name: o.name.as_str().into(),
                    },
                };
                if let Some(set) = self.dependents.get_mut(owner) {
                    set.remove(&obj);
                    if set.is_empty() {
                        self.dependents.remove(owner);
                    }
                }
            }
            if !same_object {
                self.objects.remove(&o.uid);
                // What it owned is now orphaned: the garbage collector decides.
                if self.dependents.contains_key(o.uid.as_str()) {
                    self.gc.insert(o.uid.clone());
                }
            }
        }
        if let Some(n) = new {
            let obj = ObjRef {
                kind,
                namespace: self.namespace(&n.namespace),
                name: n.name.as_str().into(),
            };
            let owner = new_owner.map(|owner| {
                let shared: Arc<str> = match self.dependents.get_key_value(owner) {
                    Some((key, _)) => key.clone(),
                    None => owner.into(),
                };
                self.dependents
                    .entry(shared.clone())
                    .or_default()
                    .insert(obj.clone());
                if !self.objects.contains_key(owner) {
                    self.gc.insert(n.uid.clone());
                }
                shared
            });
            self.objects.insert(n.uid.clone(), Indexed { obj, owner });
        }
    }

    fn observe_pod(&mut self, old: Option<&Pod>, new: Option<&Pod>) {
        for (pod, sign) in [(old, -1), (new, 1)] {
            let Some(p) = pod else { continue };
            let Some(r) = controller_of(&p.metadata) else {
                continue;
            };
            let c = match self.pod_counts.get_mut(&r.uid) {
                Some(c) => c,
                None => self.pod_counts.entry(r.uid.clone()).or_default(),
            };
            if p.metadata.deletion_timestamp.is_none() {
                c.live += sign;
            }
            if pod_is_ready(p) {
                c.ready += sign;
            }
            if *c == PodCounts::default() {
                self.pod_counts.remove(&r.uid);
            }
        }
        let old_node = old.map(|p| p.spec.node_name.as_str()).unwrap_or("");
        let new_node = new.map(|p| p.spec.node_name.as_str()).unwrap_or("");
        let same_object =
            matches!((old, new), (Some(o), Some(n)) if o.metadata.uid == n.metadata.uid);
        if !same_object || old_node != new_node {
            if let Some(o) = old.filter(|_| !old_node.is_empty()) {
                let req = crate::sim::scheduler::pod_requests(o);
                if let Some(u) = self.usage.get_mut(old_node) {
                    u.cpu = u.cpu.saturating_sub(req.0);
                    u.memory = u.memory.saturating_sub(req.1);
                    u.pods = u.pods.saturating_sub(1);
                }
                let namespace = self.namespace(&o.metadata.namespace);
                if let Some(set) = self.pods_on_node.get_mut(old_node) {
                    set.remove(&(namespace, NameKey::new(&o.metadata.name)));
                    if set.is_empty() {
                        self.pods_on_node.remove(old_node);
                    }
                }
            }
            if let Some(n) = new.filter(|_| !new_node.is_empty()) {
                let req = crate::sim::scheduler::pod_requests(n);
                let u = self.usage.entry(new_node.to_string()).or_default();
                u.cpu += req.0;
                u.memory += req.1;
                u.pods += 1;
                let key = (
                    self.namespace(&n.metadata.namespace),
                    NameKey::new(&n.metadata.name),
                );
                self.pods_on_node
                    .entry(new_node.to_string())
                    .or_default()
                    .insert(key);
            }
        }
        let Some(p) = new.or(old) else { return };
        let (ns, name) = (&p.metadata.namespace, &p.metadata.name);
        if let Some(n) = new {
            if n.spec.node_name.is_empty() && n.metadata.deletion_timestamp.is_none() {
                self.scheduler.add(ns, name);
            }
        }
        if !old_node.is_empty() || !new_node.is_empty() {
            self.kubelet.add(ns, name);
        }
        // A pod gone for good can unblock its owner's owner (a Recreate rollout waits for the
        // old pods to be gone, not just terminating).
        if new.is_none() {
            if let Some(r) = old.and_then(|o| controller_of(&o.metadata)) {
                if let Some(grand) = self
                    .objects
                    .get(&r.uid)
                    .and_then(|i| i.owner.as_ref())
                    .and_then(|u| self.objects.get(&**u))
                {
                    let g = grand.obj.clone();
                    self.wake_owner(&g.kind, &g.namespace, &g.name);
                }
            }
        }
    }

    /// The shared copy of a namespace's name (kept while there are few, as there are).
    fn namespace(&mut self, namespace: &str) -> Arc<str> {
        super::store::intern_namespace(&mut self.namespaces, namespace)
    }

    /// What is controlled by the object with this uid.
    pub fn dependents(&self, uid: &str) -> impl Iterator<Item = &ObjRef> {
        self.dependents.get(uid).into_iter().flatten()
    }

    /// The pods controlled by the object with this uid, as keys.
    pub fn owned_pods(&self, uid: &str) -> impl Iterator<Item = (&str, &str)> {
        self.dependents(uid)
            .filter(|o| o.kind == "Pod")
            .map(|o| (&*o.namespace, &*o.name))
    }

    /// The stored object with this uid, if any.
    pub fn object(&self, uid: &str) -> Option<&ObjRef> {
        self.objects.get(uid).map(|i| &i.obj)
    }

    /// The uid of the controller of the object with this uid.
    pub fn owner_of(&self, uid: &str) -> Option<&str> {
        self.objects.get(uid).and_then(|i| i.owner.as_deref())
    }

    /// Live and ready pods controlled by the object with this uid.
    pub fn pod_counts(&self, uid: &str) -> PodCounts {
        self.pod_counts.get(uid).copied().unwrap_or_default()
    }

    /// Pods bound to a node, as (namespace, name), in that order.
    pub fn pods_on_node(&self, node: &str) -> impl Iterator<Item = (&str, &str)> {
        self.pods_on_node
            .get(node)
            .into_iter()
            .flatten()
            .map(|(ns, name)| (&**ns, name.as_str()))
    }

    /// What the pods bound to a node request (every bound pod counts, as the scheduler's cache).
    pub fn usage(&self, node: &str) -> Usage {
        self.usage.get(node).copied().unwrap_or_default()
    }
}

/// Whether a pod uses a PersistentVolumeClaim (the volume controller cares about its writes).
fn has_claims(p: &Pod) -> bool {
    p.spec
        .volumes
        .iter()
        .any(|v| v.persistent_volume_claim.is_some())
}

/// Whether an image may be one of the programs `Watch::program_pods` tracks (a cheap test on
/// the reference; the callers check the image precisely).
pub fn is_program_image(image: &str) -> bool {
    ["external-dns", "ingress", "emissary", "ambassador"]
        .iter()
        .any(|w| image.contains(w))
}
