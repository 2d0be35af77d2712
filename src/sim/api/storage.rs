//! PersistentVolumes, PersistentVolumeClaims and StorageClasses on the API server's side. They
//! stay [`Unstructured`] in the store (so apply, get, `-o yaml`, label and delete treat them as
//! every stored kind), and this file gives them what the API server does to them: defaults
//! (`Retain` for a PV, `Filesystem` volume mode, a class's `Delete` and `Immediate`, facts 67 and
//! 68), the DefaultStorageClass admission plugin (fact 68), the StorageObjectInUseProtection
//! plugin's finalizers, validation with the API server's texts, the fields a controller owns kept
//! across `kubectl apply`, and deletion that honours finalizers. It also reads them for the
//! volume controller (`controllers/volume.rs`), the scheduler and the kubelet.

use super::admission::FieldError;
use super::store::Store;
use super::types::{Labels, ObjectMeta, Pod};
use super::unstructured::Unstructured;
use super::workloads::LabelSelector;
use crate::sim::clock::Millis;
use crate::sim::quantity;
use serde_yaml::{Mapping, Value};

/// The store's table keys of the three kinds.
pub const PVC: &str = "persistentvolumeclaims";
pub const PV: &str = "persistentvolumes";
pub const SC: &str = "storageclasses.storage.k8s.io";

pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";
const BETA_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";
pub const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
/// What the scheduler writes on a WaitForFirstConsumer claim: the node its first pod goes to.
pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// The volume sources a PV may carry (`spec: Required value: must specify a volume type`).
const VOLUME_SOURCES: &[&str] = &[
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "csi",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "glusterfs",
    "hostPath",
    "iscsi",
    "local",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

/// Whether a stored object is one of the three kinds (by kind and apiVersion).
pub fn is_storage(o: &Unstructured) -> bool {
    matches!(
        (o.kind.as_str(), o.api_version.as_str()),
        ("PersistentVolumeClaim", "v1")
            | ("PersistentVolume", "v1")
            | ("StorageClass", "storage.k8s.io/v1")
            | ("StorageClass", "storage.k8s.io/v1beta1")
    )
}

/// The object's `spec`, made a mapping if it is missing or not one.
fn spec_mut(o: &mut Unstructured) -> &mut Mapping {
    let spec = o
        .rest
        .entry("spec".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if !spec.is_mapping() {
        *spec = Value::Mapping(Mapping::new());
    }
    match spec {
        Value::Mapping(m) => m,
        _ => unreachable!("spec was just made a mapping"),
    }
}

fn insert_if_absent(m: &mut Mapping, key: &str, v: Value) {
    let absent = m
        .get(key)
        .is_none_or(|x| x.is_null() || x.as_str() == Some(""));
    if absent {
        m.insert(key.into(), v);
    }
}

fn add_finalizer(meta: &mut ObjectMeta, f: &str) {
    if !meta.finalizers.iter().any(|x| x == f) {
        meta.finalizers.push(f.to_string());
    }
}

/// The API server's defaults for a new or updated object (called from `apply_defaults`).
pub fn apply_defaults(o: &mut Unstructured) {
    match o.kind.as_str() {
        "PersistentVolume" => {
            let spec = spec_mut(o);
            insert_if_absent(spec, "persistentVolumeReclaimPolicy", "Retain".into());
            insert_if_absent(spec, "volumeMode", "Filesystem".into());
        }
        "PersistentVolumeClaim" => {
            let spec = spec_mut(o);
            insert_if_absent(spec, "volumeMode", "Filesystem".into());
        }
        "StorageClass" => {
            insert_if_absent(&mut o.rest, "reclaimPolicy", "Delete".into());
            insert_if_absent(&mut o.rest, "volumeBindingMode", "Immediate".into());
        }
        _ => {}
    }
}

/// What admission adds to a new object: the DefaultStorageClass plugin fills the class of a
/// claim that names none (fact 68; `storageClassName: ""` stays empty and so disables dynamic
/// provisioning), StorageObjectInUseProtection adds the protection finalizers, and the status
/// starts as Pending or Available (fact 66).
pub fn admit_new(store: &Store, o: &mut Unstructured) {
    match o.kind.as_str() {
        "PersistentVolumeClaim" => {
            let named = o
                .path(&["spec", "storageClassName"])
                .is_some_and(|v| !v.is_null())
                || o.metadata.annotations.contains_key(BETA_CLASS_ANNOTATION);
            if !named {
                if let Some(class) = default_class(store) {
                    spec_mut(o).insert("storageClassName".into(), class.into());
                }
            }
            add_finalizer(&mut o.metadata, PVC_PROTECTION);
            o.rest.insert("status".into(), phase("Pending"));
        }
        "PersistentVolume" => {
            add_finalizer(&mut o.metadata, PV_PROTECTION);
            o.rest.insert("status".into(), phase("Available"));
        }
        _ => {}
    }
}

pub fn phase(p: &str) -> Value {
    let mut m = Mapping::new();
    m.insert("phase".into(), p.into());
    Value::Mapping(m)
}

/// The default StorageClass: the newest of those annotated as default (as the plugin picks
/// among several), by name when created together.
pub fn default_class(store: &Store) -> Option<String> {
    let table = store.unstructured.get(SC)?;
    table
        .values()
        .filter(|c| is_default_class(c))
        .max_by(|a, b| {
            a.metadata
                .creation_timestamp
                .cmp(&b.metadata.creation_timestamp)
                .then(b.metadata.name.cmp(&a.metadata.name))
        })
        .map(|c| c.metadata.name.clone())
}

pub fn is_default_class(c: &Unstructured) -> bool {
    [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION]
        .iter()
        .any(|a| c.metadata.annotations.get(*a).map(String::as_str) == Some("true"))
}

/// On an update by the client (`kubectl apply` of the manifest again), the fields the control
/// plane wrote and the manifest does not mention stay, as a merge patch keeps them: a claim's
/// `volumeName` and defaulted class, a volume's `claimRef`.
pub fn keep_server_fields(current: &Unstructured, next: &mut Unstructured) {
    let keep: &[&str] = match current.kind.as_str() {
        "PersistentVolumeClaim" => &["volumeName", "storageClassName"],
        "PersistentVolume" => &["claimRef"],
        _ => return,
    };
    // And the annotations the controllers wrote (bind-completed, bound-by-controller, the
    // provisioner, the selected node).
    for (k, v) in &current.metadata.annotations {
        let controllers = k.starts_with("pv.kubernetes.io/")
            || k.starts_with("volume.kubernetes.io/")
            || k.starts_with("volume.beta.kubernetes.io/storage-provisioner")
            || k == "hostPathProvisionerIdentity";
        if controllers && !next.metadata.annotations.contains_key(k) {
            next.metadata.annotations.insert(k.clone(), v.clone());
        }
    }
    let Some(Value::Mapping(old)) = current.rest.get("spec") else {
        return;
    };
    let old = old.clone();
    let spec = spec_mut(next);
    for k in keep {
        if let Some(v) = old.get(*k) {
            if spec.get(*k).is_none_or(Value::is_null) {
                spec.insert((*k).into(), v.clone());
            }
        }
    }
}

/// Field errors of a new or updated object.
pub fn validate(o: &Unstructured) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match o.kind.as_str() {
        "PersistentVolumeClaim" => {
            let modes = o.path(&["spec", "accessModes"]);
            access_mode_errors(&mut errs, modes);
            match o.path(&["spec", "resources", "requests", "storage"]) {
                None | Some(Value::Null) => {
                    errs.push(FieldError::required("spec.resources[storage]", ""));
                }
                Some(v) => quantity_errors(&mut errs, "spec.resources[storage]", v),
            }
        }
        "PersistentVolume" => {
            match o.path(&["spec", "capacity", "storage"]) {
                None | Some(Value::Null) => errs.push(FieldError::required("spec.capacity", "")),
                Some(v) => quantity_errors(&mut errs, "spec.capacity[storage]", v),
            }
            access_mode_errors(&mut errs, o.path(&["spec", "accessModes"]));
            let sources = o
                .path(&["spec"])
                .and_then(Value::as_mapping)
                .map(|m| {
                    VOLUME_SOURCES
                        .iter()
                        .filter(|s| m.contains_key(**s))
                        .count()
                })
                .unwrap_or(0);
            if sources == 0 {
                errs.push(FieldError::required("spec", "must specify a volume type"));
            } else if sources > 1 {
                errs.push(FieldError::forbidden(
                    "spec",
                    "may not specify more than 1 volume type",
                ));
            }
            let policy = o.str_at(&["spec", "persistentVolumeReclaimPolicy"]);
            if !["", "Retain", "Delete", "Recycle"].contains(&policy) {
                errs.push(FieldError::unsupported(
                    "spec.persistentVolumeReclaimPolicy",
                    policy,
                    &["Delete", "Recycle", "Retain"],
                ));
            }
        }
        "StorageClass" => {
            if o.str_at(&["provisioner"]).is_empty() {
                errs.push(FieldError::required("provisioner", ""));
            }
            let policy = o.str_at(&["reclaimPolicy"]);
            if !["", "Retain", "Delete", "Recycle"].contains(&policy) {
                errs.push(FieldError::unsupported(
                    "reclaimPolicy",
                    policy,
                    &["Delete", "Recycle", "Retain"],
                ));
            }
            let mode = o.str_at(&["volumeBindingMode"]);
            if !["", "Immediate", "WaitForFirstConsumer"].contains(&mode) {
                errs.push(FieldError::unsupported(
                    "volumeBindingMode",
                    mode,
                    &["Immediate", "WaitForFirstConsumer"],
                ));
            }
        }
        _ => {}
    }
    errs
}

/// Field errors of an update: a claim's spec is immutable but for its requests (the API
/// server's text, without the diff it appends); a class's parameters, provisioner, reclaim
/// policy and binding mode are immutable.
pub fn validate_update(new: &Unstructured, old: &Unstructured) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match new.kind.as_str() {
        "PersistentVolumeClaim" => {
            let strip = |o: &Unstructured| {
                let mut s = o
                    .path(&["spec"])
                    .and_then(Value::as_mapping)
                    .cloned()
                    .unwrap_or_default();
                s.remove("resources");
                s.remove("volumeAttributesClassName");
                s
            };
            if strip(new) != strip(old) {
                errs.push(FieldError::forbidden(
                    "spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                ));
            }
        }
        "StorageClass" => {
            for f in [
                "parameters",
                "provisioner",
                "reclaimPolicy",
                "volumeBindingMode",
            ] {
                if new.field(f) != old.field(f) {
                    errs.push(FieldError::forbidden(
                        f,
                        &format!("updates to {f} are forbidden."),
                    ));
                }
            }
        }
        _ => {}
    }
    errs
}

fn access_mode_errors(errs: &mut Vec<FieldError>, modes: Option<&Value>) {
    let list: Vec<&Value> = modes
        .and_then(Value::as_sequence)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    if list.is_empty() {
        errs.push(FieldError::required(
            "spec.accessModes",
            "at least 1 access mode is required",
        ));
        return;
    }
    for m in &list {
        let text = m.as_str().unwrap_or("");
        if !ACCESS_MODES.contains(&text) {
            errs.push(FieldError::unsupported(
                "spec.accessModes",
                text,
                ACCESS_MODES,
            ));
        }
    }
    if list.iter().any(|m| m.as_str() == Some("ReadWriteOncePod")) && list.len() > 1 {
        errs.push(FieldError::forbidden(
            "spec.accessModes",
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
}

fn quantity_errors(errs: &mut Vec<FieldError>, path: &str, v: &Value) {
    let text = value_text(v);
    match quantity::bytes(&text) {
        None => errs.push(FieldError::invalid_str(
            path,
            &text,
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
        )),
        Some(0) => errs.push(FieldError::invalid_str(
            path,
            &text,
            "must be greater than zero",
        )),
        Some(_) => {}
    }
}

/// A scalar as text (`5Gi`, `1000000`).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

// ---------------------------------------------------------------- reading them

/// A claim's class: `spec.storageClassName`, or the beta annotation; None when neither is set
/// (the claim asks for no class: only class-less volumes bind it).
pub fn claim_class(o: &Unstructured) -> Option<String> {
    if let Some(c) = o.metadata.annotations.get(BETA_CLASS_ANNOTATION) {
        return Some(c.clone());
    }
    match o.path(&["spec", "storageClassName"]) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// A volume's class, "" when it has none.
pub fn volume_class(o: &Unstructured) -> String {
    if let Some(c) = o.metadata.annotations.get(BETA_CLASS_ANNOTATION) {
        return c.clone();
    }
    o.str_at(&["spec", "storageClassName"]).to_string()
}

pub fn access_modes(o: &Unstructured) -> Vec<String> {
    o.path(&["spec", "accessModes"])
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The claim's request, or the volume's capacity, in bytes.
pub fn storage_bytes(o: &Unstructured) -> Option<u64> {
    let path: &[&str] = if o.kind == "PersistentVolume" {
        &["spec", "capacity", "storage"]
    } else {
        &["spec", "resources", "requests", "storage"]
    };
    quantity::bytes(&value_text(o.path(path)?))
}

pub fn status_phase(o: &Unstructured) -> &str {
    o.str_at(&["status", "phase"])
}

pub fn selector(o: &Unstructured) -> Option<LabelSelector> {
    let v = o.path(&["spec", "selector"])?;
    if v.is_null() {
        return None;
    }
    // A selector that does not decode matches nothing.
    Some(
        serde_yaml::from_value(v.clone()).unwrap_or_else(|_| LabelSelector {
            match_labels: Labels::from([(String::new(), "\u{0}".to_string())]),
            match_expressions: Vec::new(),
        }),
    )
}

/// The (namespace, name, uid) a volume's `claimRef` names.
pub fn claim_ref(pv: &Unstructured) -> Option<(String, String, String)> {
    let r = pv.path(&["spec", "claimRef"])?.as_mapping()?;
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let name = s("name");
    if name.is_empty() {
        return None;
    }
    let ns = match s("namespace") {
        n if n.is_empty() => "default".to_string(),
        n => n,
    };
    Some((ns, name, s("uid")))
}

/// The names of the claims a pod's volumes use, in order.
pub fn pod_claims(pod: &Pod) -> Vec<String> {
    pod.spec
        .volumes
        .iter()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.clone())
        .collect()
}

/// Whether a pod is one that holds its claims (not finished).
pub fn pod_holds_claims(pod: &Pod) -> bool {
    !matches!(&*pod.status.phase, "Succeeded" | "Failed")
}

// ---------------------------------------------------------------- store

impl Store {
    /// Delete a stored object as the API server does: an object with finalizers is marked
    /// (`deletionTimestamp`, Terminating) and stays until they are removed; one without goes.
    /// Returns whether there was such an object.
    pub fn delete_unstructured(
        &mut self,
        resource: &str,
        namespace: &str,
        name: &str,
        now: Millis,
    ) -> bool {
        let ns = match self.kinds().by_resource(resource) {
            Some(info) if !info.namespaced => "",
            _ => namespace,
        };
        let Some(current) = self.get_unstructured(resource, ns, name) else {
            return false;
        };
        if current.metadata.finalizers.is_empty() {
            self.remove_unstructured(resource, ns, name);
            return true;
        }
        if current.metadata.deletion_timestamp.is_none() {
            let mut next = current.clone();
            next.metadata.deletion_timestamp = Some(super::time::Time::at(now));
            next.metadata.deletion_grace_period_seconds = Some(0);
            next.metadata.resource_version = self.next_rv();
            self.write_unstructured(resource, ns, name, Some(next));
        }
        true
    }

    /// Replace a stored object with a changed copy (a controller's write: spec, metadata or
    /// status). An object being deleted whose last finalizer went is removed instead.
    pub fn put_unstructured(&mut self, resource: &str, obj: Unstructured) {
        let ns = obj.metadata.namespace.clone();
        let name = obj.metadata.name.clone();
        if self.get_unstructured(resource, &ns, &name) == Some(&obj) {
            return;
        }
        if obj.metadata.deletion_timestamp.is_some() && obj.metadata.finalizers.is_empty() {
            self.remove_unstructured(resource, &ns, &name);
            return;
        }
        let mut obj = obj;
        obj.metadata.resource_version = self.next_rv();
        self.write_unstructured(resource, &ns, &name, Some(obj));
    }

    /// A new object made by a controller (no admission beyond what it sets itself).
    pub fn insert_unstructured(&mut self, resource: &str, mut obj: Unstructured, now: Millis) {
        let ns = obj.metadata.namespace.clone();
        let name = obj.metadata.name.clone();
        obj.metadata.resource_version = self.next_rv();
        if obj.metadata.creation_timestamp.is_none() {
            obj.metadata.creation_timestamp = Some(super::time::Time::at(now));
        }
        self.write_unstructured(resource, &ns, &name, Some(obj));
    }
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
    fn defaults_are_the_api_servers_facts_67_68() {
        let mut pv = obj("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /d}\n");
        apply_defaults(&mut pv);
        assert_eq!(
            pv.str_at(&["spec", "persistentVolumeReclaimPolicy"]),
            "Retain"
        );
        let mut sc = obj("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: s}\nprovisioner: x\n");
        apply_defaults(&mut sc);
        assert_eq!(sc.str_at(&["reclaimPolicy"]), "Delete");
        assert_eq!(sc.str_at(&["volumeBindingMode"]), "Immediate");
    }

    #[test]
    fn validation_texts() {
        let pvc =
            obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {}\n");
        let errs: Vec<String> = validate(&pvc).iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errs,
            [
                "spec.accessModes: Required value: at least 1 access mode is required",
                "spec.resources[storage]: Required value"
            ]
        );
        let pv = obj("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: a}\nspec:\n  capacity: {storage: 1Gi}\n  accessModes: [ReadWriteOnce]\n");
        let errs: Vec<String> = validate(&pv).iter().map(|e| e.to_string()).collect();
        assert_eq!(errs, ["spec: Required value: must specify a volume type"]);
    }

    #[test]
    fn apply_keeps_what_the_controller_wrote() {
        let current = obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {volumeName: pv1, storageClassName: standard, accessModes: [ReadWriteOnce]}\n");
        let mut next = obj("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {accessModes: [ReadWriteOnce]}\n");
        keep_server_fields(&current, &mut next);
        assert_eq!(next.str_at(&["spec", "volumeName"]), "pv1");
        assert_eq!(next.str_at(&["spec", "storageClassName"]), "standard");
        assert!(validate_update(&next, &current).is_empty());
    }
}
