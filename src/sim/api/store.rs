//! The API store: what etcd holds behind the API server. Objects are kept per kind, keyed by
//! namespace and name, in ordered maps so every walk over them is deterministic.

use super::admission;
use super::error::ApiError;
use super::name_key::NameKey;
use super::services::*;
use super::types::*;
use super::unstructured::{KindInfo, Unstructured};
use super::watch::Watch;
use super::workloads::*;
use crate::sim::clock::{secs, Millis};
use crate::sim::rng::Rng;
use serde::{de::DeserializeOwned, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One kind's objects, by namespace then name; cluster-scoped kinds use an empty namespace.
/// Nested maps so a lookup by `&str` needs no allocation, and a namespace is one subtree.
#[derive(Debug, Clone)]
pub struct Table<T> {
    /// Boxed: a B-tree keeps its values inline in nodes that are a third empty on average, and
    /// moves them as it splits; a pointer is cheap to keep and to move. Names are `NameKey`s,
    /// inline in the nodes (see `name_key.rs`), ordered as strings.
    items: BTreeMap<String, BTreeMap<NameKey, Box<T>>>,
    len: usize,
    /// Moves on every write to this kind.
    rev: u64,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            items: BTreeMap::new(),
            len: 0,
            rev: 0,
        }
    }
}

/// A name looked up in a table's map: by an inline key when it fits (compared eight bytes at
/// a time, see `NameKey`), by its bytes otherwise.
fn find<'a, V>(names: &'a BTreeMap<NameKey, V>, name: &str) -> Option<&'a V> {
    match NameKey::query(name) {
        Some(key) => names.get(&key),
        None => names.get(name.as_bytes()),
    }
}

fn find_mut<'a, V>(names: &'a mut BTreeMap<NameKey, V>, name: &str) -> Option<&'a mut V> {
    match NameKey::query(name) {
        Some(key) => names.get_mut(&key),
        None => names.get_mut(name.as_bytes()),
    }
}

impl<T> Table<T> {
    pub fn get(&self, namespace: &str, name: &str) -> Option<&T> {
        find(self.items.get(namespace)?, name).map(|b| &**b)
    }
    fn get_mut(&mut self, namespace: &str, name: &str) -> Option<&mut T> {
        let v = find_mut(self.items.get_mut(namespace)?, name)?;
        self.rev += 1;
        Some(&mut **v)
    }
    pub fn contains(&self, namespace: &str, name: &str) -> bool {
        self.get(namespace, name).is_some()
    }
    /// How many writes this table has seen.
    pub fn rev(&self) -> u64 {
        self.rev
    }
    /// Store `value`, returning what was there.
    fn insert(&mut self, namespace: &str, name: &str, value: T) -> Option<T> {
        self.rev += 1;
        if let Some(slot) = self
            .items
            .get_mut(namespace)
            .and_then(|m| find_mut(m, name))
        {
            return Some(std::mem::replace(&mut **slot, value));
        }
        self.len += 1;
        self.items
            .entry(namespace.to_string())
            .or_default()
            .insert(NameKey::new(name), Box::new(value));
        None
    }
    fn remove(&mut self, namespace: &str, name: &str) -> Option<T> {
        let names = self.items.get_mut(namespace)?;
        let old = match NameKey::query(name) {
            Some(key) => names.remove(&key),
            None => names.remove(name.as_bytes()),
        }?;
        if names.is_empty() {
            self.items.remove(namespace);
        }
        self.rev += 1;
        self.len -= 1;
        Some(*old)
    }
    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.items.values().flat_map(|m| m.values().map(|b| &**b))
    }
    /// Objects of one namespace, or all of them when `namespace` is None.
    pub fn in_namespace<'a>(&'a self, namespace: Option<&'a str>) -> impl Iterator<Item = &'a T> {
        let one = namespace.map(|ns| {
            self.items
                .get(ns)
                .into_iter()
                .flat_map(|m| m.values().map(|b| &**b))
        });
        let all = namespace
            .is_none()
            .then(|| self.items.values().flat_map(|m| m.values().map(|b| &**b)));
        one.into_iter().flatten().chain(all.into_iter().flatten())
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A kind the API server serves. A new kind is a type, this impl, its admission and a controller.
pub trait Resource: Clone + Serialize + DeserializeOwned + PartialEq + 'static {
    const KIND: &'static str;
    const API_VERSION: &'static str;
    /// The lowercase plural used in URLs and messages (`pods`).
    const PLURAL: &'static str;
    /// The API group (`""` for the core group, `apps` for Deployments).
    const GROUP: &'static str;
    const NAMESPACED: bool;

    fn meta(&self) -> &ObjectMeta;
    fn meta_mut(&mut self) -> &mut ObjectMeta;
    fn table(store: &Store) -> &Table<Self>;
    fn table_mut(store: &mut Store) -> &mut Table<Self>;
    /// The table and the watch together (disjoint borrows of the store).
    fn table_and_watch(store: &mut Store) -> (&mut Table<Self>, &mut Watch);

    /// Fill in defaults, as the API server's defaulting does before validation.
    fn apply_defaults(&mut self) {}
    /// Admission that depends on the cluster's settings (default tolerations).
    fn admit_config(&mut self, _config: &ClusterConfig) {}
    /// Server-filled fields that need the uid (a Job's generated selector).
    fn created(&mut self) {}
    /// What the API server allocates from cluster-wide pools after validation (a Service's
    /// cluster IP and node ports); errors as the registry reports them. `old` is the stored
    /// object on an update.
    fn allocate(
        &mut self,
        _store: &Store,
        _old: Option<&Self>,
        _rng: &mut Rng,
    ) -> Vec<admission::FieldError> {
        Vec::new()
    }
    /// Field errors for a new object.
    fn validate(&self) -> Vec<admission::FieldError> {
        Vec::new()
    }
    /// Field errors for an update of `old` to `self`.
    fn validate_update(&self, _old: &Self) -> Vec<admission::FieldError> {
        Vec::new()
    }
    /// The spec part that counts for `generation` and for apply's "configured"/"unchanged".
    fn same_spec(&self, other: &Self) -> bool;
    /// Replace everything a client may set (spec, labels, annotations), keeping server fields.
    fn take_desired(&mut self, desired: &Self);

    /// `pods`, or `deployments.apps`: the resource name as errors print it.
    fn resource_name() -> String {
        if Self::GROUP.is_empty() {
            Self::PLURAL.to_string()
        } else {
            format!("{}.{}", Self::PLURAL, Self::GROUP)
        }
    }
    /// `pod`, or `deployment.apps`: the prefix kubectl prints before `/name`.
    fn kubectl_prefix() -> String {
        let singular = Self::KIND.to_ascii_lowercase();
        if Self::GROUP.is_empty() {
            singular
        } else {
            format!("{singular}.{}", Self::GROUP)
        }
    }
}

/// Whether a write created, changed or left alone an object (kubectl apply's three words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteOutcome {
    Created,
    Configured,
    Unchanged,
}

/// Settings of a cluster's control plane that lessons may change (`sim config`).
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterConfig {
    /// kube-controller-manager `--node-monitor-grace-period` (fact 80: 40 s).
    pub node_monitor_grace_ms: Millis,
    /// kube-apiserver `--default-unreachable-toleration-seconds` (fact 80: 300).
    pub default_toleration_seconds: i64,
    /// The cloud's pool of load-balancer addresses (`203.0.113.`): None where there is no
    /// cloud (minikube), so LoadBalancer Services stay `<pending>`.
    pub load_balancer_pool: Option<String>,
    /// `minikube tunnel` is running: LoadBalancer Services get their cluster IP as address.
    pub tunnel: bool,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            node_monitor_grace_ms: 40_000,
            default_toleration_seconds: 300,
            load_balancer_pool: None,
            tunnel: false,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Store {
    pub config: ClusterConfig,
    pub pods: Table<Pod>,
    pub nodes: Table<Node>,
    pub namespaces: Table<Namespace>,
    pub deployments: Table<Deployment>,
    pub replicasets: Table<ReplicaSet>,
    pub daemonsets: Table<DaemonSet>,
    pub statefulsets: Table<StatefulSet>,
    pub jobs: Table<Job>,
    pub cronjobs: Table<CronJob>,
    pub services: Table<Service>,
    pub endpoints: Table<Endpoints>,
    pub endpointslices: Table<EndpointSlice>,
    /// Objects of the kinds stored but not modelled yet (`unstructured.rs`), by resource
    /// (`configmaps`, `clusterroles.rbac.authorization.k8s.io`, `mappings.getambassador.io`).
    pub unstructured: BTreeMap<String, Table<Unstructured>>,
    /// Kinds that CustomResourceDefinitions registered, by resource.
    pub custom_kinds: BTreeMap<String, KindInfo>,
    pub events: super::event_log::EventLog,
    /// The strings events share (see `EventText`).
    event_text: EventText,
    /// Where every write is routed: the controllers' work queues and the informers' indexes.
    pub watch: Watch,
    /// What controllers remember to avoid recomputing (never state: dropping it changes nothing).
    pub memo: Memo,
    resource_version: u64,
}

/// Controllers' caches of derived values.
#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// A Deployment's pod-template-hash, by uid, with the generation it was computed at.
    template_hashes: crate::sim::fxhash::FxHashMap<String, (i64, String)>,
}

impl Memo {
    /// The pod-template-hash of a Deployment's template (hashing serialises the template, so it
    /// is done once per generation).
    pub fn template_hash(&mut self, d: &Deployment) -> String {
        let key = &d.metadata.uid;
        if let Some((generation, hash)) = self.template_hashes.get(key) {
            if *generation == d.metadata.generation {
                return hash.clone();
            }
        }
        let hash = crate::sim::controllers::deployment::template_hash(&d.spec.template);
        self.template_hashes
            .insert(key.clone(), (d.metadata.generation, hash.clone()));
        hash
    }
}

impl Store {
    pub(super) fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    pub fn get<T: Resource>(&self, namespace: &str, name: &str) -> Option<&T> {
        T::table(self).get(scope::<T>(namespace), name)
    }

    /// Store (Some) or remove (None) an object, telling the watch what changed. Every write to
    /// a table goes through here.
    fn write<T: Resource>(&mut self, namespace: &str, name: &str, new: Option<T>) -> Option<T> {
        let (table, watch) = T::table_and_watch(self);
        match new {
            Some(obj) => {
                watch.observe(table.get(namespace, name), Some(&obj));
                table.insert(namespace, name, obj)
            }
            None => {
                let old = table.remove(namespace, name);
                if old.is_some() {
                    watch.observe(old.as_ref(), None);
                }
                old
            }
        }
    }

    /// `write` for the stored-only kinds: one table per resource, the watch told as for any
    /// write (by resource, since their kinds are not types).
    pub(super) fn write_unstructured(
        &mut self,
        resource: &str,
        namespace: &str,
        name: &str,
        new: Option<Unstructured>,
    ) -> Option<Unstructured> {
        match new {
            Some(obj) => {
                let table = match self.unstructured.get_mut(resource) {
                    Some(t) => t,
                    None => self.unstructured.entry(resource.to_string()).or_default(),
                };
                self.watch.observe_unstructured(
                    resource,
                    table.get(namespace, name).map(|o| &o.metadata),
                    Some(&obj.metadata),
                );
                table.insert(namespace, name, obj)
            }
            None => {
                let table = self.unstructured.get_mut(resource)?;
                let old = table.remove(namespace, name)?;
                self.resource_version += 1;
                if table.is_empty() {
                    self.unstructured.remove(resource);
                }
                self.watch
                    .observe_unstructured(resource, Some(&old.metadata), None);
                Some(old)
            }
        }
    }

    /// Change an object in place: for status writes, which change nothing the watch indexes
    /// (names, owners, node) and need not copy the whole object. `f` must not change those.
    /// The watch is told as for any write.
    pub fn modify<T: Resource>(&mut self, namespace: &str, name: &str, f: impl FnOnce(&mut T)) {
        let ns = scope::<T>(namespace).to_string();
        let rv = self.next_rv();
        let (table, watch) = T::table_and_watch(self);
        let Some(obj) = table.get_mut(&ns, name) else {
            return;
        };
        let before = watch.before_modify(obj);
        f(obj);
        obj.meta_mut().resource_version = rv;
        watch.after_modify(before, obj);
    }

    /// Bind an unbound pod to a node in place (the scheduler's Binding), `f` setting its status.
    /// The same write as storing a changed copy (one resourceVersion, the watch told of the new
    /// node), without copying the pod. Nothing happens to a pod that is gone or already bound.
    pub fn bind_pod(&mut self, namespace: &str, name: &str, node: &str, f: impl FnOnce(&mut Pod)) {
        if !self
            .pods
            .get(namespace, name)
            .is_some_and(|p| p.spec.node_name.is_empty())
        {
            return;
        }
        let rv = self.next_rv();
        let Some(pod) = self.pods.get_mut(namespace, name) else {
            return;
        };
        let before = self.watch.before_modify(pod);
        pod.spec.node_name = node.to_string();
        f(pod);
        pod.metadata.resource_version = rv;
        self.watch.after_bind(before, pod);
    }

    /// The objects of kind T controlled by the object with this uid, in name order (from the
    /// informers' owner index, so it costs what it returns).
    pub fn owned<'a, T: Resource>(&'a self, uid: &str) -> impl Iterator<Item = &'a T> + 'a {
        let table = T::table(self);
        self.watch
            .dependents(uid)
            .filter(|o| o.kind == T::KIND)
            .filter_map(move |o| table.get(&o.namespace, &o.name))
    }

    /// Admission (defaulting, validation) then storage of a new object.
    pub fn create<T: Resource>(
        &mut self,
        obj: T,
        now: Millis,
        rng: &mut Rng,
    ) -> Result<T, ApiError> {
        let (ns, name) = self.insert_new(obj, now, rng)?;
        T::table(self)
            .get(&ns, &name)
            .cloned()
            .ok_or(ApiError::NotFound {
                resource: T::resource_name(),
                name,
            })
    }

    /// `create`, answering with the new object's name only (controllers that make many objects
    /// need not copy each one back).
    pub fn create_named<T: Resource>(
        &mut self,
        obj: T,
        now: Millis,
        rng: &mut Rng,
    ) -> Result<String, ApiError> {
        self.insert_new(obj, now, rng).map(|(_, name)| name)
    }

    /// Admission, then storage; answers where the object went.
    fn insert_new<T: Resource>(
        &mut self,
        mut obj: T,
        now: Millis,
        rng: &mut Rng,
    ) -> Result<(String, String), ApiError> {
        // The name admission errors print: a generateName prefix until the registry names it.
        let shown = match obj.meta() {
            m if m.name.is_empty() => m.generate_name.clone(),
            m => m.name.clone(),
        };
        {
            let meta = obj.meta_mut();
            if !T::NAMESPACED {
                meta.namespace.clear();
            } else if meta.namespace.is_empty() {
                meta.namespace = "default".into();
            }
            if meta.name.is_empty() && !meta.generate_name.is_empty() {
                let mut base = meta.generate_name.clone();
                base.truncate(58);
                meta.name = exact(format!("{base}{}", rng.name_suffix()));
            }
        }
        obj.apply_defaults();
        obj.admit_config(&self.config);
        super::quota::mutate_new(self, &mut obj);
        let mut errors = admission::validate_meta::<T>(obj.meta());
        errors.extend(obj.validate());
        errors.extend(super::quota::validate_new(&obj));
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: T::KIND.into(),
                name: obj.meta().name.clone(),
                causes: errors,
            });
        }
        let ns = obj.meta().namespace.clone();
        if T::NAMESPACED {
            match self.namespaces.get("", &ns) {
                None => {
                    return Err(ApiError::NotFound {
                        resource: "namespaces".into(),
                        name: ns,
                    })
                }
                Some(n) if n.status.phase == "Terminating" => {
                    return Err(ApiError::Forbidden(format!(
                        "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                        T::resource_name(),
                        obj.meta().name
                    )))
                }
                Some(_) => {}
            }
        }
        super::quota::admit_new(self, &obj, &shown)?;
        let name = obj.meta().name.clone();
        if T::table(self).contains(&ns, &name) {
            return Err(ApiError::AlreadyExists {
                resource: T::resource_name(),
                name,
            });
        }
        let rv = self.next_rv();
        {
            let meta = obj.meta_mut();
            meta.uid = rng.uuid();
            meta.resource_version = rv;
            meta.generation = 1;
            meta.creation_timestamp = Some(super::time::Time::at(now));
            meta.deletion_timestamp = None;
            meta.managed_fields = None;
            meta.self_link = None;
        }
        obj.created();
        let errors = obj.allocate(self, None, rng);
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: T::KIND.into(),
                name,
                causes: errors,
            });
        }
        self.write(&ns, &name, Some(obj));
        Ok((ns, name))
    }

    /// Update the client-settable parts of an existing object (what apply does after a diff).
    pub fn update<T: Resource>(
        &mut self,
        desired: &T,
        rng: &mut Rng,
    ) -> Result<WriteOutcome, ApiError> {
        let ns = scope::<T>(&desired.meta().namespace).to_string();
        let name = desired.meta().name.clone();
        let mut incoming = desired.clone();
        incoming.apply_defaults();
        incoming.admit_config(&self.config);
        let Some(current) = T::table(self).get(&ns, &name).cloned() else {
            return Err(ApiError::NotFound {
                resource: T::resource_name(),
                name,
            });
        };
        let mut next = current.clone();
        next.take_desired(&incoming);
        if next == current {
            return Ok(WriteOutcome::Unchanged);
        }
        let mut errors = next.validate();
        errors.extend(next.validate_update(&current));
        if errors.is_empty() {
            errors = next.allocate(self, Some(&current), rng);
        }
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: T::KIND.into(),
                name,
                causes: errors,
            });
        }
        let spec_changed = !next.same_spec(&current);
        let rv = self.next_rv();
        let meta = next.meta_mut();
        meta.resource_version = rv;
        if spec_changed {
            meta.generation += 1;
        }
        self.write(&ns, &name, Some(next));
        Ok(WriteOutcome::Configured)
    }

    /// Write a status (or any server-side) change; bumps resourceVersion only when something changed.
    pub fn put<T: Resource>(&mut self, obj: T) {
        let ns = scope::<T>(&obj.meta().namespace).to_string();
        let name = obj.meta().name.clone();
        if T::table(self).get(&ns, &name) == Some(&obj) {
            return;
        }
        let mut obj = obj;
        obj.meta_mut().resource_version = self.next_rv();
        self.write(&ns, &name, Some(obj));
    }

    /// Write an object the caller has just changed (a status), without comparing it with what is
    /// stored first: `put` for callers that know it differs.
    pub fn replace<T: Resource>(&mut self, obj: T) {
        let ns = scope::<T>(&obj.meta().namespace).to_string();
        let name = obj.meta().name.clone();
        let mut obj = obj;
        obj.meta_mut().resource_version = self.next_rv();
        self.write(&ns, &name, Some(obj));
    }

    /// The last resourceVersion handed out: it moves with every object write (not with events).
    pub fn resource_version_counter(&self) -> u64 {
        self.resource_version
    }

    /// A counter that moves whenever anything is written: loops run until it stops moving.
    pub fn revision(&self) -> u64 {
        self.resource_version + self.events.len() as u64
    }

    /// Start a pod's graceful deletion (deletionTimestamp + grace period). A pod no kubelet has
    /// (never scheduled) or a zero grace period goes at once. Returns false if there is no such pod.
    pub fn delete_pod(
        &mut self,
        namespace: &str,
        name: &str,
        now: Millis,
        grace: Option<i64>,
    ) -> bool {
        let mut pod = match self.pods.get(namespace, name) {
            None => return false,
            Some(p) if p.metadata.deletion_timestamp.is_some() => return true,
            Some(p) => p.clone(),
        };
        let g = grace
            .or(pod.spec.termination_grace_period_seconds)
            .unwrap_or(30)
            .max(0);
        if g == 0 || pod.spec.node_name.is_empty() {
            self.resource_version += 1;
            self.write::<Pod>(namespace, name, None);
        } else {
            pod.metadata.deletion_timestamp =
                Some(super::time::Time::at(now.saturating_add(secs(g))));
            pod.metadata.deletion_grace_period_seconds = Some(g);
            pod.metadata.resource_version = self.next_rv();
            self.write(namespace, name, Some(pod));
        }
        true
    }

    /// Remove an object outright (after graceful termination, or for kinds without it).
    pub fn remove<T: Resource>(&mut self, namespace: &str, name: &str) -> Option<T> {
        self.write::<T>(scope::<T>(namespace), name, None)
    }

    /// Record an event; a repeat of the same (object, reason, message) bumps its count, as the
    /// event recorder's aggregation does.
    #[allow(clippy::too_many_arguments)]
    pub fn record_event(
        &mut self,
        now: Millis,
        namespace: &str,
        kind: &'static str,
        name: &str,
        type_: &'static str,
        reason: &'static str,
        source: &'static str,
        message: String,
    ) {
        let key = event_key(namespace, kind, name, reason, &message);
        if self.aggregate(now, key, namespace, kind, name, reason, &message) {
            return;
        }
        let (namespace, involved_name, words, message) = (
            self.event_text.namespace(namespace),
            self.event_text.name(name),
            self.event_text.words(kind, type_, reason, source),
            self.event_text.message(&message),
        );
        self.events.push(Event {
            namespace,
            involved_name,
            words,
            message,
            first_timestamp: now,
            last_timestamp: now,
            count: 1,
            key,
        });
    }

    /// `record_event` for a caller that owns the name already (the kubelet's and the
    /// scheduler's events): kept as it is instead of copied.
    #[allow(clippy::too_many_arguments)]
    pub fn record_event_owned(
        &mut self,
        now: Millis,
        namespace: String,
        kind: &'static str,
        name: String,
        type_: &'static str,
        reason: &'static str,
        source: &'static str,
        message: String,
    ) {
        let key = event_key(&namespace, kind, &name, reason, &message);
        if self.aggregate(now, key, &namespace, kind, &name, reason, &message) {
            return;
        }
        let (namespace, involved_name, words, message) = (
            self.event_text.namespace(&namespace),
            self.event_text.name(&name),
            self.event_text.words(kind, type_, reason, source),
            self.event_text.message(&message),
        );
        self.events.push(Event {
            namespace,
            involved_name,
            words,
            message,
            first_timestamp: now,
            last_timestamp: now,
            count: 1,
            key,
        });
    }

    /// Count a repeat of one of the last events (same object, reason and message); false if
    /// there is none to count.
    #[allow(clippy::too_many_arguments)]
    fn aggregate(
        &mut self,
        now: Millis,
        key: u32,
        namespace: &str,
        kind: &str,
        name: &str,
        reason: &str,
        message: &str,
    ) -> bool {
        match self.events.find_recent_mut(64, |e| {
            e.key == key
                && *e.involved_name == *name
                && e.words.kind == kind
                && *e.namespace == *namespace
                && e.words.reason == reason
                && *e.message == *message
        }) {
            Some(e) => {
                e.count += 1;
                e.last_timestamp = now;
                true
            }
            None => false,
        }
    }

    /// Events about one object, oldest first.
    pub fn events_for(&self, namespace: &str, kind: &str, name: &str) -> Vec<&Event> {
        self.events
            .iter()
            .filter(|e| {
                *e.namespace == *namespace && e.words.kind == kind && *e.involved_name == *name
            })
            .collect()
    }
}

/// One copy of the strings many events repeat: each namespace, and recent messages (a small
/// cache by hash: `Started container nginx` is said of every pod made from one template,
/// `Created pod: web-…` of one). What an event says does not depend on it.
#[derive(Debug, Clone, Default)]
struct EventText {
    namespaces: Vec<Arc<str>>,
    messages: Vec<Option<Arc<str>>>,
    /// One copy of each name events are about: a pod's six events come from four control
    /// loops' passes (ReplicaSet, scheduler, two kubelet syncs), far apart at 100,000 pods.
    /// Names no event holds any more are swept out before the set would grow.
    names: crate::sim::fxhash::FxHashSet<Arc<str>>,
    /// The last words asked for (a few combinations come back all the time), by the
    /// addresses of their texts, so most events need not look in the shared set.
    words: [Option<&'static EventWords>; WORD_SLOTS],
    next_words: usize,
}

/// Slots of `EventText::words`.
const WORD_SLOTS: usize = 16;

/// Slots of `EventText::messages`.
const MESSAGE_SLOTS: usize = 256;

/// The shared copy of a namespace's name from `namespaces` (kept while there are few, as there
/// are: at most 64; past them each call makes a copy of its own).
pub(crate) fn intern_namespace(namespaces: &mut Vec<Arc<str>>, namespace: &str) -> Arc<str> {
    if let Some(shared) = namespaces.iter().find(|n| ***n == *namespace) {
        return shared.clone();
    }
    let shared: Arc<str> = namespace.into();
    if namespaces.len() < 64 {
        namespaces.push(shared.clone());
    }
    shared
}

impl EventText {
    fn namespace(&mut self, namespace: &str) -> Arc<str> {
        intern_namespace(&mut self.namespaces, namespace)
    }

    fn name(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.names.get(name) {
            return shared.clone();
        }
        if self.names.len() == self.names.capacity() {
            // Full: drop the names only this set still holds (their events are gone).
            self.names.retain(|n| Arc::strong_count(n) > 1);
            if self.names.len() * 4 > self.names.capacity() * 3 {
                // Most are still held: grow now, so the next sweep is as far away.
                self.names.reserve(self.names.len());
            }
        }
        let shared: Arc<str> = name.into();
        self.names.insert(shared.clone());
        shared
    }

    fn words(
        &mut self,
        kind: &'static str,
        type_: &'static str,
        reason: &'static str,
        source: &'static str,
    ) -> &'static EventWords {
        let same = |a: &str, b: &str| std::ptr::eq(a, b);
        if let Some(w) = self.words.iter().flatten().find(|w| {
            same(w.kind, kind)
                && same(w.type_, type_)
                && same(w.reason, reason)
                && same(w.source, source)
        }) {
            return w;
        }
        let shared = EventWords::of(kind, type_, reason, source);
        self.words[self.next_words] = Some(shared);
        self.next_words = (self.next_words + 1) % WORD_SLOTS;
        shared
    }

    fn message(&mut self, message: &str) -> Arc<str> {
        use std::hash::BuildHasher;
        if self.messages.is_empty() {
            self.messages.resize(MESSAGE_SLOTS, None);
        }
        let hash = crate::sim::fxhash::FxBuild::default().hash_one(message);
        let slot = &mut self.messages[(hash % MESSAGE_SLOTS as u64) as usize];
        match slot {
            Some(shared) if **shared == *message => shared.clone(),
            _ => {
                let shared: Arc<str> = message.into();
                *slot = Some(shared.clone());
                shared
            }
        }
    }
}

/// A string that keeps only what it holds: `format!` reserves twice its literal text and then
/// doubles as it grows, so an event's message can hold half again its length in spare
/// capacity, kept for as long as the event is (six events per pod).
fn exact(mut s: String) -> String {
    if s.capacity() > s.len() {
        s.shrink_to_fit();
    }
    s
}

/// A hash of what event aggregation compares.
fn event_key(namespace: &str, kind: &str, name: &str, reason: &str, message: &str) -> u32 {
    use std::hash::BuildHasher;
    let h =
        crate::sim::fxhash::FxBuild::default().hash_one((namespace, kind, name, reason, message));
    // The high half folded in: FxHash's last multiplication mixes upwards.
    (h ^ (h >> 32)) as u32
}

/// The namespace key a kind is stored under: cluster-scoped kinds ignore it.
fn scope<T: Resource>(namespace: &str) -> &str {
    if T::NAMESPACED {
        namespace
    } else {
        ""
    }
}

macro_rules! resource {
    ($ty:ty, $kind:literal, $api:literal, $plural:literal, $group:literal, $namespaced:literal, $field:ident) => {
        impl Resource for $ty {
            const KIND: &'static str = $kind;
            const API_VERSION: &'static str = $api;
            const PLURAL: &'static str = $plural;
            const GROUP: &'static str = $group;
            const NAMESPACED: bool = $namespaced;
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
            fn table(store: &Store) -> &Table<Self> {
                &store.$field
            }
            fn table_mut(store: &mut Store) -> &mut Table<Self> {
                &mut store.$field
            }
            fn table_and_watch(store: &mut Store) -> (&mut Table<Self>, &mut Watch) {
                (&mut store.$field, &mut store.watch)
            }
            fn apply_defaults(&mut self) {
                admission::Admit::defaults(self)
            }
            fn validate(&self) -> Vec<admission::FieldError> {
                admission::Admit::validate(self)
            }
            fn admit_config(&mut self, config: &ClusterConfig) {
                admission::Admit::admit_config(self, config)
            }
            fn created(&mut self) {
                admission::Admit::created(self)
            }
            fn allocate(
                &mut self,
                store: &Store,
                old: Option<&Self>,
                rng: &mut Rng,
            ) -> Vec<admission::FieldError> {
                admission::Admit::allocate(self, store, old, rng)
            }
            fn validate_update(&self, old: &Self) -> Vec<admission::FieldError> {
                admission::Admit::validate_update(self, old)
            }
            fn same_spec(&self, other: &Self) -> bool {
                self.spec == other.spec
            }
            fn take_desired(&mut self, desired: &Self) {
                self.metadata.labels = desired.metadata.labels.clone();
                self.metadata.annotations = desired.metadata.annotations.clone();
                admission::Admit::take_spec(self, desired)
            }
        }
    };
}

/// For kinds whose desired state is not under `spec` (Endpoints, EndpointSlice): the listed
/// fields play its part.
macro_rules! resource_fields {
    ($ty:ty, $kind:literal, $api:literal, $plural:literal, $group:literal, $namespaced:literal, $field:ident, [$($spec:ident),*]) => {
        impl Resource for $ty {
            const KIND: &'static str = $kind;
            const API_VERSION: &'static str = $api;
            const PLURAL: &'static str = $plural;
            const GROUP: &'static str = $group;
            const NAMESPACED: bool = $namespaced;
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
            fn table(store: &Store) -> &Table<Self> {
                &store.$field
            }
            fn table_mut(store: &mut Store) -> &mut Table<Self> {
                &mut store.$field
            }
            fn table_and_watch(store: &mut Store) -> (&mut Table<Self>, &mut Watch) {
                (&mut store.$field, &mut store.watch)
            }
            fn apply_defaults(&mut self) {
                admission::Admit::defaults(self)
            }
            fn validate(&self) -> Vec<admission::FieldError> {
                admission::Admit::validate(self)
            }
            fn admit_config(&mut self, config: &ClusterConfig) {
                admission::Admit::admit_config(self, config)
            }
            fn created(&mut self) {
                admission::Admit::created(self)
            }
            fn allocate(
                &mut self,
                store: &Store,
                old: Option<&Self>,
                rng: &mut Rng,
            ) -> Vec<admission::FieldError> {
                admission::Admit::allocate(self, store, old, rng)
            }
            fn validate_update(&self, old: &Self) -> Vec<admission::FieldError> {
                admission::Admit::validate_update(self, old)
            }
            fn same_spec(&self, other: &Self) -> bool {
                true $(&& self.$spec == other.$spec)*
            }
            fn take_desired(&mut self, desired: &Self) {
                self.metadata.labels = desired.metadata.labels.clone();
                self.metadata.annotations = desired.metadata.annotations.clone();
                $(self.$spec = desired.$spec.clone();)*
            }
        }
    };
}

resource!(Pod, "Pod", "v1", "pods", "", true, pods);
resource!(Node, "Node", "v1", "nodes", "", false, nodes);
resource!(
    Namespace,
    "Namespace",
    "v1",
    "namespaces",
    "",
    false,
    namespaces
);
resource!(
    Deployment,
    "Deployment",
    "apps/v1",
    "deployments",
    "apps",
    true,
    deployments
);
resource!(
    ReplicaSet,
    "ReplicaSet",
    "apps/v1",
    "replicasets",
    "apps",
    true,
    replicasets
);
resource!(
    DaemonSet,
    "DaemonSet",
    "apps/v1",
    "daemonsets",
    "apps",
    true,
    daemonsets
);
resource!(Job, "Job", "batch/v1", "jobs", "batch", true, jobs);
resource!(CronJob, "CronJob", "batch/v1", "cronjobs", "batch", true, cronjobs);
resource!(
    StatefulSet,
    "StatefulSet",
    "apps/v1",
    "statefulsets",
    "apps",
    true,
    statefulsets
);
resource!(Service, "Service", "v1", "services", "", true, services);
resource_fields!(
    Endpoints,
    "Endpoints",
    "v1",
    "endpoints",
    "",
    true,
    endpoints,
    [subsets]
);
resource_fields!(
    EndpointSlice,
    "EndpointSlice",
    "discovery.k8s.io/v1",
    "endpointslices",
    "discovery.k8s.io",
    true,
    endpointslices,
    [address_type, endpoints, ports]
);
