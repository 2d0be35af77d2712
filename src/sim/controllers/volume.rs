//! The PersistentVolume controller (kube-controller-manager's persistentvolume-binder and the
//! pvc/pv-protection controllers), the cluster's external provisioner, and the attach/detach
//! controller's one rule the kubelet asks about.
//!
//! Level-triggered like the others: the watch queues its one key (`("", "")`) when a claim, a
//! volume, a class or a pod with claims is written, and each sync looks at every claim and
//! volume (there are few) and acts:
//!
//! - Binding (fact 66): a Pending claim binds the smallest Available volume that fits: capacity
//!   at least the request (a bigger one will do), every access mode asked for, the same class
//!   (no class binds only class-less volumes), the same volume mode, the claim's selector; a
//!   volume pre-bound by `claimRef` and a claim pre-bound by `volumeName` bind each other only.
//!   One-to-one and exclusive: `spec.claimRef` (with the claim's uid) on the volume,
//!   `spec.volumeName` on the claim, phases Bound, and the claim's `status.capacity` and
//!   `status.accessModes` copied from the volume.
//! - Dynamic provisioning (facts 67, 68): a claim nothing matches, of a class with a
//!   provisioner, is handed to it (`ExternalProvisioning`); the cluster's own provisioner
//!   (minikube's `k8s.io/minikube-hostpath`, or the cloud disk `pocketcluster.io/disk`) makes
//!   `pvc-<claim uid>` after a short delay (`Provisioning`, `ProvisioningSucceeded`) with the
//!   class's reclaim policy; any other provisioner is not running here, and the claim waits as
//!   it would. WaitForFirstConsumer waits for the scheduler's `selected-node` annotation.
//! - Reclaim (fact 67): when a bound claim goes, its volume is Released; `Retain` keeps it so
//!   (it never binds again), `Delete` removes it from the store (what a pod wrote on it is then
//!   pruned by the mounts), `Recycle` makes it Available again. A static hostPath volume outside
//!   `/tmp` cannot be deleted, as the in-tree deleter refuses it: Failed.
//! - Protection: a claim a pod uses stays Terminating until no pod uses it; a bound volume
//!   stays Terminating until it is released.
//!
//! Waiting claims get their event again at each 15 s resync (`--pvclaimbinder-sync-period`),
//! so `describe` counts them as the real controller's do.

use crate::sim::api::storage::{self, PV, PVC, PVC_PROTECTION, PV_PROTECTION, SC, SELECTED_NODE};
use crate::sim::api::*;
use crate::sim::clock::{rfc3339, Millis};
use crate::sim::rng::Rng;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

const SOURCE: &str = "persistentvolume-controller";
const ATTACH_SOURCE: &str = "attachdetach-controller";
/// `--pvclaimbinder-sync-period`.
const RESYNC_MS: Millis = 15_000;
/// The attach/detach controller's `maxWaitForUnmountDuration`: how long a volume stays attached
/// to a node that cannot confirm its pod is gone before it is detached by force.
pub const FORCE_DETACH_MS: Millis = 6 * 60_000;
/// How often a pod waiting for its volumes to attach looks again.
const ATTACH_RETRY_MS: Millis = 5_000;

/// The provisioner a cluster runs, and what it is doing.
#[derive(Debug, Clone)]
pub struct Provisioner {
    /// The name classes give as `provisioner`.
    pub name: &'static str,
    /// Its identity, the `From` of its events (`<name>_<node>_<uuid>`).
    pub identity: &'static str,
    /// How long making a volume takes.
    pub delay: Millis,
    /// Whether its volumes are node-local hostPath directories (minikube's) rather than
    /// network disks attached to one node at a time.
    pub host_path: bool,
    /// Claims being provisioned (by uid) and when their volume is ready.
    provisioning: BTreeMap<String, Millis>,
    /// When each waiting claim (by uid) last got its event.
    announced: BTreeMap<(String, &'static str), Millis>,
}

impl Provisioner {
    /// minikube's storage-provisioner addon.
    pub fn minikube() -> Provisioner {
        Provisioner {
            name: "k8s.io/minikube-hostpath",
            identity: "k8s.io/minikube-hostpath_minikube_6f2a3c1e-58d4-4b0e-a2f7-0c9d81e5b3a4",
            delay: 1_000,
            host_path: true,
            provisioning: BTreeMap::new(),
            announced: BTreeMap::new(),
        }
    }

    /// The cloud's CSI driver on a kubeadm cluster.
    pub fn cloud() -> Provisioner {
        Provisioner {
            name: "pocketcluster.io/disk",
            identity: "pocketcluster.io/disk_csi-controller-0_2b7e9d40-13c6-4f8a-9e55-7a1d0c3f6b82",
            delay: 3_000,
            host_path: false,
            provisioning: BTreeMap::new(),
            announced: BTreeMap::new(),
        }
    }

    /// The default StorageClass `standard` as the cluster's installer makes it (facts 67, 68).
    pub fn default_class_yaml(&self) -> String {
        let labels = if self.host_path {
            "  labels:\n    addonmanager.kubernetes.io/mode: EnsureExists\n"
        } else {
            ""
        };
        format!(
            "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: standard\n  annotations:\n    storageclass.kubernetes.io/is-default-class: \"true\"\n{labels}provisioner: {}\nreclaimPolicy: Delete\nvolumeBindingMode: Immediate\n",
            self.name
        )
    }
}

/// A claim's event, at most once per resync period while the claim waits.
#[allow(clippy::too_many_arguments)]
fn announce(
    store: &mut Store,
    prov: &mut Provisioner,
    claim: &Unstructured,
    type_: &'static str,
    reason: &'static str,
    source: &'static str,
    message: String,
    now: Millis,
) {
    let key = (claim.metadata.uid.clone(), reason);
    if prov
        .announced
        .get(&key)
        .is_some_and(|t| now < t.saturating_add(RESYNC_MS))
    {
        return;
    }
    prov.announced.insert(key, now);
    store.record_event(
        now,
        &claim.metadata.namespace,
        "PersistentVolumeClaim",
        &claim.metadata.name,
        type_,
        reason,
        source,
        message,
    );
}

fn table(store: &Store, resource: &str) -> Vec<Unstructured> {
    store
        .unstructured
        .get(resource)
        .map(|t| t.values().cloned().collect())
        .unwrap_or_default()
}

fn set_status(o: &mut Unstructured, entries: &[(&str, Value)]) {
    let mut m = Mapping::new();
    for (k, v) in entries {
        m.insert((*k).into(), v.clone());
    }
    o.rest.insert("status".into(), Value::Mapping(m));
}

fn spec_mut(o: &mut Unstructured) -> Option<&mut Mapping> {
    if !matches!(o.rest.get("spec"), Some(Value::Mapping(_))) {
        o.rest.insert("spec".into(), Value::Mapping(Mapping::new()));
    }
    o.rest.get_mut("spec").and_then(Value::as_mapping_mut)
}

/// The pods of a namespace that use a claim and still hold it (not finished).
fn users<'a>(store: &'a Store, ns: &'a str, claim: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
    store
        .pods
        .in_namespace(Some(ns))
        .filter(move |p| storage::pod_claims(p).iter().any(|c| c == claim))
        .filter(|p| storage::pod_holds_claims(p))
}

/// One sync of every claim and volume; returns when it wants to look again.
pub fn sync(
    store: &mut Store,
    prov: &mut Provisioner,
    now: Millis,
    rng: &mut Rng,
) -> Option<Millis> {
    let classes: BTreeMap<String, Unstructured> = crate::sim::sort::map_of(
        table(store, SC)
            .into_iter()
            .map(|c| (c.metadata.name.clone(), c)),
    );
    // Claims being deleted go once no pod uses them (pvc-protection).
    for claim in table(store, PVC) {
        if claim.metadata.deletion_timestamp.is_some()
            && claim
                .metadata
                .finalizers
                .iter()
                .any(|f| f == PVC_PROTECTION)
            && users(store, &claim.metadata.namespace, &claim.metadata.name)
                .next()
                .is_none()
        {
            let mut c = claim.clone();
            c.metadata.finalizers.retain(|f| f != PVC_PROTECTION);
            store.put_unstructured(PVC, c);
        }
    }
    let claims: BTreeMap<(String, String), Unstructured> = crate::sim::sort::map_of(
        table(store, PVC)
            .into_iter()
            .map(|c| ((c.metadata.namespace.clone(), c.metadata.name.clone()), c)),
    );
    // Volumes: released when their claim went, then reclaimed; protected while bound.
    for pv in table(store, PV) {
        let mut next = pv.clone();
        if let Some((ns, name, uid)) = storage::claim_ref(&pv) {
            let claim = claims.get(&(ns.clone(), name.clone()));
            let gone = !uid.is_empty() && claim.is_none_or(|c| c.metadata.uid != uid);
            if gone {
                reclaim(store, &mut next, now);
            } else if let Some(c) = claim.filter(|c| !uid.is_empty() && c.metadata.uid == uid) {
                if c.str_at(&["spec", "volumeName"]) == pv.metadata.name
                    && storage::status_phase(&pv) != "Bound"
                {
                    set_phase(&mut next, "Bound", now);
                }
            }
        }
        if next.metadata.deletion_timestamp.is_some() && storage::status_phase(&next) != "Bound" {
            next.metadata.finalizers.retain(|f| f != PV_PROTECTION);
        }
        if next != pv {
            store.put_unstructured(PV, next);
        }
    }
    // Claims: bind, provision, or wait.
    let mut due: Option<Millis> = None;
    let mut wake = |t: Millis| due = Some(due.map_or(t, |d: Millis| d.min(t)));
    for ((ns, name), claim) in claims {
        if claim.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let bound_to = claim.str_at(&["spec", "volumeName"]).to_string();
        if storage::status_phase(&claim) == "Bound" {
            if store.get_unstructured(PV, "", &bound_to).is_none() {
                let mut c = claim.clone();
                set_status(&mut c, &[("phase", "Lost".into())]);
                store.put_unstructured(PVC, c);
                store.record_event(
                    now,
                    &ns,
                    "PersistentVolumeClaim",
                    &name,
                    "Warning",
                    "ClaimLost",
                    SOURCE,
                    "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!"
                        .into(),
                );
            }
            continue;
        }
        if storage::status_phase(&claim) == "Lost" {
            continue;
        }
        if !bound_to.is_empty() {
            sync_prebound_claim(store, prov, &claim, &bound_to, now);
            continue;
        }
        let class_name = storage::claim_class(&claim);
        let class = class_name
            .as_deref()
            .filter(|c| !c.is_empty())
            .and_then(|c| classes.get(c));
        let delayed =
            class.is_some_and(|c| c.str_at(&["volumeBindingMode"]) == "WaitForFirstConsumer");
        let selected = claim.metadata.annotations.get(SELECTED_NODE).cloned();
        if delayed && selected.is_none() {
            announce(
                store,
                prov,
                &claim,
                "Normal",
                "WaitForFirstConsumer",
                SOURCE,
                "waiting for first consumer to be created before binding".into(),
                now,
            );
            wake(now + RESYNC_MS);
            continue;
        }
        let node = selected
            .as_deref()
            .and_then(|n| store.nodes.get("", n))
            .cloned();
        if let Some(pv) = best_volume(store, &claim, node.as_ref()) {
            bind(store, &pv, &claim, now);
            prov.provisioning.remove(&claim.metadata.uid);
            continue;
        }
        wake(now + RESYNC_MS);
        match (class_name.as_deref(), class) {
            (None | Some(""), _) => announce(
                store,
                prov,
                &claim,
                "Normal",
                "FailedBinding",
                SOURCE,
                "no persistent volumes available for this claim and no storage class is set".into(),
                now,
            ),
            (Some(c), None) => announce(
                store,
                prov,
                &claim,
                "Warning",
                "ProvisioningFailed",
                SOURCE,
                format!("storageclass.storage.k8s.io \"{c}\" not found"),
                now,
            ),
            (Some(_), Some(class)) => {
                let provisioner = class.str_at(&["provisioner"]).to_string();
                if provisioner.starts_with("kubernetes.io/") {
                    // In-tree provisioners are gone (migrated to CSI); no-provisioner is the
                    // static local volumes' class.
                    announce(
                        store,
                        prov,
                        &claim,
                        "Warning",
                        "ProvisioningFailed",
                        SOURCE,
                        format!("no volume plugin matched name: {provisioner}"),
                        now,
                    );
                    continue;
                }
                let mut c = claim.clone();
                for a in [
                    "volume.beta.kubernetes.io/storage-provisioner",
                    "volume.kubernetes.io/storage-provisioner",
                ] {
                    c.metadata.annotations.insert(a.into(), provisioner.clone());
                }
                store.put_unstructured(PVC, c);
                announce(
                    store,
                    prov,
                    &claim,
                    "Normal",
                    "ExternalProvisioning",
                    SOURCE,
                    format!("Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."),
                    now,
                );
                if provisioner != prov.name {
                    continue;
                }
                if storage::selector(&claim).is_some() {
                    announce(
                        store,
                        prov,
                        &claim,
                        "Warning",
                        "ProvisioningFailed",
                        prov.identity,
                        "failed to provision volume with StorageClass \"".to_string()
                            + &class.metadata.name
                            + "\": claim Selector is not supported",
                        now,
                    );
                    continue;
                }
                let uid = claim.metadata.uid.clone();
                match prov.provisioning.get(&uid).copied() {
                    None => {
                        let ready = now.saturating_add(prov.delay);
                        prov.provisioning.insert(uid, ready);
                        store.record_event(
                            now,
                            &ns,
                            "PersistentVolumeClaim",
                            &name,
                            "Normal",
                            "Provisioning",
                            prov.identity,
                            format!("External provisioner is provisioning volume for claim \"{ns}/{name}\""),
                        );
                        wake(ready);
                    }
                    Some(t) if t > now => wake(t),
                    Some(_) => {
                        prov.provisioning.remove(&uid);
                        let pv = provisioned_volume(prov, &claim, class, now, rng);
                        let pv_name = pv.metadata.name.clone();
                        store.insert_unstructured(PV, pv.clone(), now);
                        store.record_event(
                            now,
                            &ns,
                            "PersistentVolumeClaim",
                            &name,
                            "Normal",
                            "ProvisioningSucceeded",
                            prov.identity,
                            format!("Successfully provisioned volume {pv_name}"),
                        );
                        let claim = store
                            .get_unstructured(PVC, &ns, &name)
                            .cloned()
                            .unwrap_or(claim);
                        if let Some(pv) = store.get_unstructured(PV, "", &pv_name).cloned() {
                            bind(store, &pv, &claim, now);
                        }
                    }
                }
            }
        }
    }
    // Forget what was announced for claims that are gone or bound.
    let waiting: std::collections::BTreeSet<String> = store
        .unstructured
        .get(PVC)
        .map(|t| {
            t.values()
                .filter(|c| storage::status_phase(c) == "Pending")
                .map(|c| c.metadata.uid.clone())
                .collect()
        })
        .unwrap_or_default();
    prov.announced.retain(|(uid, _), _| waiting.contains(uid));
    prov.provisioning.retain(|uid, _| waiting.contains(uid));
    due
}

/// A claim that names its volume (`volumeName`): it binds that one, if it may.
fn sync_prebound_claim(
    store: &mut Store,
    prov: &mut Provisioner,
    claim: &Unstructured,
    pv_name: &str,
    now: Millis,
) {
    let Some(pv) = store.get_unstructured(PV, "", pv_name).cloned() else {
        // A volume that does not exist (yet): the claim waits for it.
        return;
    };
    let (ns, name) = (&claim.metadata.namespace, &claim.metadata.name);
    match storage::claim_ref(&pv) {
        Some((rns, rname, ruid))
            if !(rns == *ns
                && rname == *name
                && (ruid.is_empty() || ruid == claim.metadata.uid)) =>
        {
            announce(
                store,
                prov,
                claim,
                "Warning",
                "FailedBinding",
                SOURCE,
                format!("volume \"{pv_name}\" already bound to a different claim."),
                now,
            );
        }
        _ => match mismatch(&pv, claim) {
            Some(why) => announce(
                store,
                prov,
                claim,
                "Warning",
                "VolumeMismatch",
                SOURCE,
                format!("Cannot bind to requested volume \"{pv_name}\": {why}"),
                now,
            ),
            None => bind(store, &pv, claim, now),
        },
    }
}

/// Why a volume cannot satisfy a claim (the controller's `checkVolumeSatisfyClaim` texts).
fn mismatch(pv: &Unstructured, claim: &Unstructured) -> Option<&'static str> {
    let want = storage::storage_bytes(claim).unwrap_or(0);
    let have = storage::storage_bytes(pv).unwrap_or(0);
    if have < want {
        return Some("requested PV is too small");
    }
    if storage::volume_class(pv) != storage::claim_class(claim).unwrap_or_default() {
        return Some("storageClassName does not match");
    }
    if pv.str_at(&["spec", "volumeMode"]) != claim.str_at(&["spec", "volumeMode"]) {
        return Some("incompatible volumeMode");
    }
    let modes = storage::access_modes(pv);
    if !storage::access_modes(claim)
        .iter()
        .all(|m| modes.contains(m))
    {
        return Some("incompatible accessMode");
    }
    None
}

/// The volume a claim binds: a pre-bound one first, else the smallest Available one that
/// matches (by name among equals), on `node` when the claim waited for its first consumer.
fn best_volume(store: &Store, claim: &Unstructured, node: Option<&Node>) -> Option<Unstructured> {
    let pvs = store.unstructured.get(PV)?;
    let selector = storage::selector(claim);
    let (ns, name) = (&claim.metadata.namespace, &claim.metadata.name);
    let mut best: Option<(bool, u64, &Unstructured)> = None;
    for pv in pvs.values() {
        if pv.metadata.deletion_timestamp.is_some() || storage::status_phase(pv) != "Available" {
            continue;
        }
        let prebound = match storage::claim_ref(pv) {
            None => false,
            Some((rns, rname, ruid)) => {
                if rns == *ns && rname == *name && (ruid.is_empty() || ruid == claim.metadata.uid) {
                    true
                } else {
                    continue;
                }
            }
        };
        if mismatch(pv, claim).is_some() {
            continue;
        }
        if !prebound
            && selector
                .as_ref()
                .is_some_and(|s| !s.matches(&pv.metadata.labels))
        {
            continue;
        }
        if let Some(n) = node {
            if !volume_fits_node(pv, n) {
                continue;
            }
        }
        let size = storage::storage_bytes(pv).unwrap_or(0);
        let better = match best {
            None => true,
            Some((bp, bs, _)) => (prebound && !bp) || (prebound == bp && size < bs),
        };
        if better {
            best = Some((prebound, size, pv));
        }
    }
    best.map(|(_, _, pv)| pv.clone())
}

/// A volume's `nodeAffinity` holds for a node (volumes without one fit every node).
pub fn volume_fits_node(pv: &Unstructured, node: &Node) -> bool {
    let Some(required) = pv.path(&["spec", "nodeAffinity", "required"]) else {
        return true;
    };
    let mut inner = Mapping::new();
    inner.insert(
        "requiredDuringSchedulingIgnoredDuringExecution".into(),
        required.clone(),
    );
    let mut affinity = Mapping::new();
    affinity.insert("nodeAffinity".into(), Value::Mapping(inner));
    crate::sim::scheduler::node_affinity_matches(Some(&Value::Mapping(affinity)), node)
}

fn set_phase(pv: &mut Unstructured, phase: &str, now: Millis) {
    set_status(
        pv,
        &[
            ("lastPhaseTransitionTime", rfc3339(now).into()),
            ("phase", phase.into()),
        ],
    );
}

/// Bind a claim and a volume to each other, as the controller writes it: the volume first.
fn bind(store: &mut Store, pv: &Unstructured, claim: &Unstructured, now: Millis) {
    let mut v = pv.clone();
    if storage::claim_ref(pv).is_none_or(|(_, _, uid)| uid.is_empty()) {
        if storage::claim_ref(pv).is_none() {
            v.metadata
                .annotations
                .insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        }
        let mut r = Mapping::new();
        r.insert("apiVersion".into(), "v1".into());
        r.insert("kind".into(), "PersistentVolumeClaim".into());
        r.insert("name".into(), claim.metadata.name.clone().into());
        r.insert("namespace".into(), claim.metadata.namespace.clone().into());
        r.insert(
            "resourceVersion".into(),
            claim.metadata.resource_version.clone().into(),
        );
        r.insert("uid".into(), claim.metadata.uid.clone().into());
        if let Some(spec) = spec_mut(&mut v) {
            spec.insert("claimRef".into(), Value::Mapping(r));
        }
    }
    set_phase(&mut v, "Bound", now);
    let capacity = pv
        .path(&["spec", "capacity"])
        .cloned()
        .unwrap_or(Value::Null);
    let modes = pv
        .path(&["spec", "accessModes"])
        .cloned()
        .unwrap_or(Value::Null);
    store.put_unstructured(PV, v);
    let mut c = claim.clone();
    if c.str_at(&["spec", "volumeName"]).is_empty() {
        c.metadata
            .annotations
            .insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        if let Some(spec) = spec_mut(&mut c) {
            spec.insert("volumeName".into(), pv.metadata.name.clone().into());
        }
    }
    c.metadata
        .annotations
        .insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
    // The scheduler looks again at the pods that waited for this claim.
    let waiting: Vec<String> = users(store, &claim.metadata.namespace, &claim.metadata.name)
        .filter(|p| p.spec.node_name.is_empty())
        .map(|p| p.metadata.name.clone())
        .collect();
    for p in waiting {
        store.watch.scheduler.add(&claim.metadata.namespace, &p);
    }
    set_status(
        &mut c,
        &[
            ("accessModes", modes),
            ("capacity", capacity),
            ("phase", "Bound".into()),
        ],
    );
    store.put_unstructured(PVC, c);
}

/// A bound volume whose claim is gone: Released, then its reclaim policy.
fn reclaim(store: &mut Store, pv: &mut Unstructured, now: Millis) {
    let phase = storage::status_phase(pv).to_string();
    if phase == "Failed" {
        return;
    }
    if phase != "Released" {
        set_phase(pv, "Released", now);
    }
    let name = pv.metadata.name.clone();
    match pv.str_at(&["spec", "persistentVolumeReclaimPolicy"]) {
        "Delete" => {
            let host_path = pv.str_at(&["spec", "hostPath", "path"]).to_string();
            let provisioned = pv
                .metadata
                .annotations
                .contains_key("pv.kubernetes.io/provisioned-by");
            let deletable = provisioned
                || pv.path(&["spec", "csi"]).is_some()
                || (!host_path.is_empty() && host_path.starts_with("/tmp/") && host_path.len() > 5);
            if deletable {
                // Deleted from the store: the mounts prune what was written on it.
                pv.metadata.finalizers.clear();
                pv.metadata.deletion_timestamp = Some(Time::at(now));
                return;
            }
            let message = if host_path.is_empty() {
                format!("error getting deleter volume plugin for volume \"{name}\": no deletable volume plugin matched")
            } else {
                format!("host_path deleter only supports /tmp/.+ but received provided {host_path}")
            };
            let mut entries = vec![
                ("lastPhaseTransitionTime", rfc3339(now).into()),
                ("message", message.clone().into()),
                ("phase", "Failed".into()),
            ];
            crate::sim::sort::by_key(&mut entries, |e| e.0);
            set_status(pv, &entries);
            store.record_event(
                now,
                "",
                "PersistentVolume",
                &name,
                "Warning",
                "VolumeFailedDelete",
                SOURCE,
                message,
            );
        }
        "Recycle" => {
            // The recycler scrubs the volume (simplified: at once) and offers it again.
            if let Some(spec) = spec_mut(pv) {
                spec.remove("claimRef");
            }
            set_phase(pv, "Available", now);
            store.record_event(
                now,
                "",
                "PersistentVolume",
                &name,
                "Normal",
                "VolumeRecycled",
                SOURCE,
                "Volume recycled".into(),
            );
        }
        // Retain: Released for good; an administrator decides (fact 67).
        _ => {}
    }
}

/// The volume the cluster's provisioner makes for a claim.
fn provisioned_volume(
    prov: &Provisioner,
    claim: &Unstructured,
    class: &Unstructured,
    now: Millis,
    rng: &mut Rng,
) -> Unstructured {
    let (ns, name) = (&claim.metadata.namespace, &claim.metadata.name);
    let mut annotations = BTreeMap::new();
    annotations.insert(
        "pv.kubernetes.io/provisioned-by".to_string(),
        prov.name.to_string(),
    );
    let mut finalizers = vec![PV_PROTECTION.to_string()];
    let mut spec = Mapping::new();
    spec.insert(
        "accessModes".into(),
        claim
            .path(&["spec", "accessModes"])
            .cloned()
            .unwrap_or(Value::Null),
    );
    let mut cap = Mapping::new();
    cap.insert(
        "storage".into(),
        claim
            .path(&["spec", "resources", "requests", "storage"])
            .cloned()
            .unwrap_or(Value::Null),
    );
    spec.insert("capacity".into(), Value::Mapping(cap));
    let mut r = Mapping::new();
    r.insert("apiVersion".into(), "v1".into());
    r.insert("kind".into(), "PersistentVolumeClaim".into());
    r.insert("name".into(), name.clone().into());
    r.insert("namespace".into(), ns.clone().into());
    r.insert(
        "resourceVersion".into(),
        claim.metadata.resource_version.clone().into(),
    );
    r.insert("uid".into(), claim.metadata.uid.clone().into());
    spec.insert("claimRef".into(), Value::Mapping(r));
    if prov.host_path {
        annotations.insert("hostPathProvisionerIdentity".into(), rng.uuid());
        let mut hp = Mapping::new();
        hp.insert(
            "path".into(),
            format!("/tmp/hostpath-provisioner/{ns}/{name}").into(),
        );
        hp.insert("type".into(), "".into());
        spec.insert("hostPath".into(), Value::Mapping(hp));
    } else {
        for a in [
            "volume.kubernetes.io/provisioner-deletion-secret-name",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace",
        ] {
            annotations.insert(a.to_string(), String::new());
        }
        finalizers.push("external-provisioner.volume.kubernetes.io/finalizer".into());
        let mut csi = Mapping::new();
        csi.insert("driver".into(), prov.name.into());
        csi.insert("fsType".into(), "ext4".into());
        csi.insert(
            "volumeHandle".into(),
            format!("disk-{}", rng.hex(17)).into(),
        );
        spec.insert("csi".into(), Value::Mapping(csi));
    }
    spec.insert(
        "persistentVolumeReclaimPolicy".into(),
        match class.str_at(&["reclaimPolicy"]) {
            "" => "Delete".into(),
            p => p.into(),
        },
    );
    spec.insert(
        "storageClassName".into(),
        class.metadata.name.clone().into(),
    );
    spec.insert(
        "volumeMode".into(),
        match claim.str_at(&["spec", "volumeMode"]) {
            "" => "Filesystem".into(),
            m => m.into(),
        },
    );
    let mut rest = Mapping::new();
    rest.insert("spec".into(), Value::Mapping(spec));
    let mut status = Mapping::new();
    status.insert("lastPhaseTransitionTime".into(), rfc3339(now).into());
    status.insert("phase".into(), "Bound".into());
    rest.insert("status".into(), Value::Mapping(status));
    Unstructured {
        api_version: "v1".into(),
        kind: "PersistentVolume".into(),
        metadata: ObjectMeta {
            name: format!("pvc-{}", claim.metadata.uid),
            uid: rng.uuid(),
            annotations,
            finalizers,
            creation_timestamp: Some(Time::at(now)),
            ..Default::default()
        },
        rest,
    }
}

// ---------------------------------------------------------------- the scheduler's side

/// What the scheduler's VolumeBinding plugin makes of a pod's claims.
#[derive(Debug, Default)]
pub struct Binding {
    /// PreFilter failed: the message (`persistentvolumeclaim "x" not found`).
    pub blocked: Option<String>,
    /// The bound volumes' node affinities (every one must hold on the node).
    bound: Vec<Unstructured>,
    /// Unbound WaitForFirstConsumer claims: (name, provisionable, the volumes that could bind).
    delayed: Vec<(String, bool, Vec<Unstructured>)>,
}

impl Binding {
    /// The claims of a pod, as the scheduler sees them before looking at nodes.
    pub fn of(store: &Store, pod: &Pod) -> Binding {
        let mut b = Binding::default();
        let claims = storage::pod_claims(pod);
        if claims.is_empty() {
            return b;
        }
        let ns = &pod.metadata.namespace;
        let mut unbound_immediate = false;
        for name in claims {
            let Some(claim) = store.get_unstructured(PVC, ns, &name) else {
                b.blocked = Some(format!("persistentvolumeclaim \"{name}\" not found"));
                return b;
            };
            if claim.metadata.deletion_timestamp.is_some() {
                b.blocked = Some(format!("persistentvolumeclaim \"{name}\" is being deleted"));
                return b;
            }
            let volume = claim.str_at(&["spec", "volumeName"]);
            if storage::status_phase(claim) == "Bound" && !volume.is_empty() {
                match store.get_unstructured(PV, "", volume) {
                    Some(pv) => b.bound.push(pv.clone()),
                    None => {
                        b.blocked = Some("pod has unbound immediate PersistentVolumeClaims".into());
                        return b;
                    }
                }
                continue;
            }
            let class = storage::claim_class(claim)
                .filter(|c| !c.is_empty())
                .and_then(|c| store.get_unstructured(SC, "", &c));
            match class {
                Some(c) if c.str_at(&["volumeBindingMode"]) == "WaitForFirstConsumer" => {
                    let provisioner = c.str_at(&["provisioner"]);
                    let provisionable = !provisioner.starts_with("kubernetes.io/");
                    let candidates: Vec<Unstructured> = store
                        .unstructured
                        .get(PV)
                        .into_iter()
                        .flat_map(|t| t.values())
                        .filter(|pv| {
                            storage::status_phase(pv) == "Available"
                                && storage::claim_ref(pv).is_none()
                                && mismatch(pv, claim).is_none()
                        })
                        .cloned()
                        .collect();
                    b.delayed.push((name, provisionable, candidates));
                }
                _ => unbound_immediate = true,
            }
        }
        if unbound_immediate {
            b.blocked = Some("pod has unbound immediate PersistentVolumeClaims".into());
        }
        b
    }

    /// Whether no node can fail the pod's volumes (`node_reason` is None for every node).
    pub fn fits_every_node(&self) -> bool {
        self.bound.is_empty() && self.delayed.is_empty()
    }

    /// Why a node does not fit the pod's volumes (the Filter's reason), None when it fits.
    pub fn node_reason(&self, node: &Node) -> Option<&'static str> {
        if self.bound.iter().any(|pv| !volume_fits_node(pv, node)) {
            return Some("node(s) had volume node affinity conflict");
        }
        let unfit = self.delayed.iter().any(|(_, provisionable, candidates)| {
            !provisionable && !candidates.iter().any(|pv| volume_fits_node(pv, node))
        });
        if unfit {
            return Some("node(s) didn't find available persistent volumes to bind");
        }
        None
    }

    /// The unbound WaitForFirstConsumer claims: the scheduler writes the node it picked on them
    /// and waits for them to be bound before binding the pod.
    pub fn delayed_claims(&self) -> Vec<String> {
        self.delayed.iter().map(|d| d.0.clone()).collect()
    }
}

/// The scheduler picked a node for a pod whose WaitForFirstConsumer claims are unbound: the
/// `volume.kubernetes.io/selected-node` annotation on each (the provisioner and the binder act
/// on it).
pub fn select_node(store: &mut Store, ns: &str, claims: &[String], node: &str) {
    for name in claims {
        if let Some(c) = store.get_unstructured(PVC, ns, name) {
            if c.metadata
                .annotations
                .get(SELECTED_NODE)
                .map(String::as_str)
                != Some(node)
            {
                let mut c = c.clone();
                c.metadata
                    .annotations
                    .insert(SELECTED_NODE.into(), node.to_string());
                store.put_unstructured(PVC, c);
            }
        }
    }
}

/// Whether every claim of a pod is Bound (PreBind's wait is over).
pub fn claims_bound(store: &Store, pod: &Pod) -> bool {
    storage::pod_claims(pod).iter().all(|name| {
        store
            .get_unstructured(PVC, &pod.metadata.namespace, name)
            .is_some_and(|c| storage::status_phase(c) == "Bound")
    })
}

// ---------------------------------------------------------------- the kubelet's side

/// Volume sources the attach/detach controller attaches to one node (hostPath, local, nfs and
/// the like need no attaching and are never exclusive).
const ATTACHABLE: &[&str] = &[
    "csi",
    "awsElasticBlockStore",
    "gcePersistentDisk",
    "azureDisk",
    "cinder",
    "rbd",
    "iscsi",
    "fc",
    "vsphereVolume",
];

fn attachable(pv: &Unstructured) -> bool {
    ATTACHABLE.iter().any(|s| pv.path(&["spec", s]).is_some())
}

fn exclusive(pv: &Unstructured) -> bool {
    let modes = storage::access_modes(pv);
    attachable(pv)
        && !modes
            .iter()
            .any(|m| m == "ReadWriteMany" || m == "ReadOnlyMany")
}

/// Why a pod bound to `node` cannot start its containers yet because of its volumes: (event
/// reason, message), or None. A ReadWriteOnce volume that must be attached stays attached to the
/// node of the pod that holds it (one that started and is not gone) and cannot be attached to
/// another: `Multi-Attach error … Volume is already used by pod(s) …`. (Simplified: the volume
/// detaches the moment its last pod is gone, so the controller's other text, `Volume is already
/// exclusively attached to one node and can't be attached to another`, for a volume still
/// attached with no pod using it, does not appear.) A pod stuck on a node that stopped releases it
/// `FORCE_DETACH_MS` after its deletion, as the attach/detach controller's force-detach does.
pub fn attach_blocker(
    store: &Store,
    pod: &Pod,
    node: &str,
    now: Millis,
) -> Option<(&'static str, String)> {
    let claims = storage::pod_claims(pod);
    let ns = &pod.metadata.namespace;
    for name in &claims {
        // A claim that is missing or unbound is the mounts' to report (`volumes.rs`).
        let Some(claim) = store.get_unstructured(PVC, ns, name) else {
            continue;
        };
        let pv_name = claim.str_at(&["spec", "volumeName"]);
        let pv = store.get_unstructured(PV, "", pv_name);
        let Some(pv) = pv.filter(|_| storage::status_phase(claim) == "Bound") else {
            continue;
        };
        if !exclusive(pv) {
            continue;
        }
        // The pods of the namespace that hold it on another node (one that started and is not
        // gone, or not yet force-detached).
        let holders: Vec<&str> = users(store, ns, name)
            .filter(|other| {
                other.metadata.uid != pod.metadata.uid
                    && !other.spec.node_name.is_empty()
                    && other.spec.node_name != node
                    && !other.status.pod_ip.is_empty()
                    && other
                        .metadata
                        .deletion_timestamp
                        .as_ref()
                        .and_then(Time::millis)
                        .is_none_or(|t| now < t.saturating_add(FORCE_DETACH_MS))
            })
            .map(|p| p.metadata.name.as_str())
            .collect();
        if !holders.is_empty() {
            // The attach/detach controller's reportMultiAttachError names the pods of the
            // pod's own namespace that use the volume elsewhere.
            return Some((
                "FailedAttachVolume",
                format!(
                    "Multi-Attach error for volume \"{}\" Volume is already used by pod(s) {}",
                    pv.metadata.name,
                    holders.join(", ")
                ),
            ));
        }
    }
    None
}

/// After the kubelet's sync: the pods it held back wait in ContainerCreating (the event once, a
/// look again soon); the pods that started with attachable volumes got them attached.
pub fn after_kubelet_sync(
    store: &mut Store,
    held: Vec<(Key, (&'static str, String))>,
    started: Vec<Key>,
    now: Millis,
) {
    for (key, (reason, message)) in held {
        let Some(pod) = store.pods.get(&key.0, &key.1) else {
            continue;
        };
        let created = pod.metadata.creation_timestamp.clone();
        let status = waiting_status(pod, now);
        if status != pod.status {
            store.modify::<Pod>(&key.0, &key.1, |p| p.status = status);
            store.watch.kubelet.forget(&key);
        }
        let since = created.as_ref().and_then(Time::millis).unwrap_or(0);
        let told = store
            .events_for(&key.0, "Pod", &key.1)
            .iter()
            .any(|e| e.reason() == reason && *e.message == *message && e.first_timestamp >= since);
        if !told {
            let source = if reason == "FailedAttachVolume" {
                ATTACH_SOURCE
            } else {
                "kubelet"
            };
            store.record_event(
                now, &key.0, "Pod", &key.1, "Warning", reason, source, message,
            );
        }
        store
            .watch
            .kubelet
            .set_timer(&key, Some(now.saturating_add(ATTACH_RETRY_MS)));
    }
    for key in started {
        let Some(pod) = store.pods.get(&key.0, &key.1) else {
            continue;
        };
        let attached: Vec<String> = storage::pod_claims(pod)
            .iter()
            .filter_map(|c| store.get_unstructured(PVC, &key.0, c))
            .filter_map(|c| store.get_unstructured(PV, "", c.str_at(&["spec", "volumeName"])))
            .filter(|pv| attachable(pv))
            .map(|pv| pv.metadata.name.clone())
            .collect();
        for pv in attached {
            store.record_event(
                now,
                &key.0,
                "Pod",
                &key.1,
                "Normal",
                "SuccessfulAttachVolume",
                ATTACH_SOURCE,
                format!("AttachVolume.Attach succeeded for volume \"{pv}\""),
            );
        }
    }
}

/// A pod bound to a node whose containers are not created yet: Pending, each container
/// waiting in ContainerCreating (PodInitializing when it has init containers).
fn waiting_status(pod: &Pod, now: Millis) -> PodStatus {
    let mut status = pod.status.clone();
    status.phase = "Pending".into();
    if status.start_time.is_none() {
        status.start_time = Some(Time::at(now));
    }
    let reason = if pod.spec.init_containers.is_empty() {
        "ContainerCreating"
    } else {
        "PodInitializing"
    };
    let waiting = |c: &Container, init: bool| ContainerStatus {
        name: c.name.clone(),
        image: c.image.clone(),
        state: ContainerState::waiting(if init { "PodInitializing" } else { reason }, ""),
        ..Default::default()
    };
    status.init_container_statuses = pod
        .spec
        .init_containers
        .iter()
        .map(|c| waiting(c, true))
        .collect();
    status.container_statuses = pod
        .spec
        .containers
        .iter()
        .map(|c| waiting(c, false))
        .collect();
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(yaml: &str) -> Unstructured {
        let mut map: Mapping = serde_yaml::from_str(yaml).unwrap();
        let api_version = map.remove("apiVersion").unwrap();
        let kind = map.remove("kind").unwrap();
        let metadata = map.remove("metadata").unwrap();
        Unstructured {
            api_version: api_version.as_str().unwrap().into(),
            kind: kind.as_str().unwrap().into(),
            metadata: serde_yaml::from_value(metadata).unwrap(),
            rest: map,
        }
    }

    #[test]
    fn mismatch_texts_fact_66() {
        let pv = obj("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], volumeMode: Filesystem, hostPath: {path: /d}}\n");
        let small = obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {resources: {requests: {storage: 2Gi}}, accessModes: [ReadWriteOnce], volumeMode: Filesystem}\n");
        assert_eq!(mismatch(&pv, &small), Some("requested PV is too small"));
        let rwx = obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {resources: {requests: {storage: 500Mi}}, accessModes: [ReadWriteMany], volumeMode: Filesystem}\n");
        assert_eq!(mismatch(&pv, &rwx), Some("incompatible accessMode"));
        // A claim may bind a bigger volume (fact 66).
        let fits = obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {resources: {requests: {storage: 500Mi}}, accessModes: [ReadWriteOnce], volumeMode: Filesystem}\n");
        assert_eq!(mismatch(&pv, &fits), None);
    }

    #[test]
    fn node_affinity_of_local_volumes() {
        let pv = obj("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec:\n  nodeAffinity:\n    required:\n      nodeSelectorTerms:\n      - matchExpressions:\n        - {key: kubernetes.io/hostname, operator: In, values: [worker-1]}\n");
        let node = |host: &str| -> Node {
            serde_yaml::from_str(&format!(
                "apiVersion: v1\nkind: Node\nmetadata:\n  name: {host}\n  labels: {{kubernetes.io/hostname: {host}}}\n"
            ))
            .unwrap()
        };
        assert!(volume_fits_node(&pv, &node("worker-1")));
        assert!(!volume_fits_node(&pv, &node("worker-2")));
    }
}
