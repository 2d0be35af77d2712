//! Objects of the kinds the simulator stores but does not model yet: ConfigMaps, Secrets,
//! ServiceAccounts, RBAC, storage, Ingress, policies, CustomResourceDefinitions and the custom
//! resources they define. Each is an [`Unstructured`]: its apiVersion and kind, a typed
//! [`ObjectMeta`] (so uid, resourceVersion, generation, labels, owners and names behave as for
//! typed objects, through the same admission of metadata) and the rest of the document as raw
//! YAML in the order it was written.
//!
//! They are stored, listed, described, deleted and garbage-collected; PersistentVolumes, claims
//! and StorageClasses are also bound and provisioned (`storage.rs`, `controllers/volume.rs`),
//! Ingresses routed (`proxy.rs`), RBAC objects read by `rbac.rs`, ResourceQuotas and
//! LimitRanges by `quota.rs` and `limitrange.rs`, ConfigMaps and Secrets projected into pods
//! (`sim/volumes.rs`). A kind
//! that gets simulated later becomes a typed [`Resource`](super::store::Resource) and leaves
//! [`BUILTIN`].
//!
//! The server-side behaviour kept here is what real clients see at once: a Secret's
//! `stringData` merged into base64 `data` and `type` defaulted to `Opaque` (fact 64), the 1 MiB
//! limit of ConfigMaps and Secrets (fact 61) and `immutable`, the `default` ServiceAccount of
//! every namespace, and CustomResourceDefinitions registering their kinds (and taking their
//! objects with them when deleted).

use super::admission::{self, FieldError};
use super::error::ApiError;
use super::store::Store;
use super::types::ObjectMeta;
use crate::sim::clock::{rfc3339, Millis};
use crate::sim::rng::Rng;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

/// An object of a stored-only kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Unstructured {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    /// Every other top-level field, in the order written.
    pub rest: Mapping,
}

impl Serialize for Unstructured {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3 + self.rest.len()))?;
        m.serialize_entry("apiVersion", &self.api_version)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("metadata", &self.metadata)?;
        for (k, v) in &self.rest {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Unstructured {
    /// A top-level field.
    pub fn field(&self, key: &str) -> Option<&Value> {
        self.rest.get(key)
    }

    /// A field by path (`spec.names.kind`); None if any step is missing or not a mapping.
    pub fn path(&self, path: &[&str]) -> Option<&Value> {
        let (first, more) = path.split_first()?;
        let mut v = self.rest.get(*first)?;
        for p in more {
            v = v.as_mapping()?.get(*p)?;
        }
        Some(v)
    }

    /// A string field by path, or "".
    pub fn str_at(&self, path: &[&str]) -> &str {
        self.path(path).and_then(Value::as_str).unwrap_or("")
    }

    /// The object as kubectl prints it with `-o yaml|json`: every mapping's keys sorted, as
    /// Go's encoders print the API server's JSON.
    pub fn to_sorted_value(&self) -> Value {
        sorted(&serde_yaml::to_value(self).unwrap_or(Value::Null))
    }
}

/// A copy of `v` with every mapping's keys in sorted order (string keys by their text).
pub fn sorted(v: &Value) -> Value {
    match v {
        Value::Mapping(m) => {
            let mut entries: Vec<(&Value, &Value)> = m.iter().collect();
            crate::sim::sort::by_key(&mut entries, |(k, _)| key_text(k));
            Value::Mapping(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Sequence(s) => Value::Sequence(s.iter().map(sorted).collect()),
        Value::Tagged(t) => sorted(&t.value),
        other => other.clone(),
    }
}

fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// How names of a kind are validated (the API server's name validation function for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (`NameIsDNSSubdomain`): most kinds, and custom resources.
    Subdomain,
    /// Any valid path segment (`ValidatePathSegmentName`): the RBAC kinds, whose names hold
    /// colons (`system:controller:…`).
    PathSegment,
}

/// Which of printers.go's column sets a kind prints with in `kubectl get`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    /// No printer in printers.go: the server's default table, `NAME CREATED AT`.
    CreatedAt,
    ConfigMap,
    Secret,
    ServiceAccount,
    RoleBinding,
    ResourceQuota,
    PersistentVolume,
    PersistentVolumeClaim,
    StorageClass,
    Ingress,
    IngressClass,
    NetworkPolicy,
    HorizontalPodAutoscaler,
    PodDisruptionBudget,
    PriorityClass,
    RuntimeClass,
    /// Mutating and validating webhook configurations: `NAME WEBHOOKS AGE`.
    Webhooks,
    ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding,
    ReplicationController,
    Lease,
    FlowSchema,
    PriorityLevelConfiguration,
    ControllerRevision,
    /// A custom resource: its CRD's additionalPrinterColumns, or `NAME AGE`.
    Custom,
}

/// A built-in kind the API server serves and Pocket Cluster only stores.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinKind {
    pub kind: &'static str,
    /// `""` for the core group.
    pub group: &'static str,
    /// Served versions, the preferred first (`v1`, `v2`).
    pub versions: &'static [&'static str],
    pub plural: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
    pub names: NameRule,
    pub printer: Printer,
    /// Whether the API server keeps `metadata.generation` for it.
    pub generation: bool,
    /// Its top-level fields besides apiVersion, kind and metadata (strict decoding, fact 89).
    pub fields: &'static [&'static str],
}

macro_rules! builtin {
    ($kind:literal, $group:literal, [$($v:literal),*], $plural:literal, [$($short:literal),*], $ns:literal, $names:ident, $printer:ident, $generation:literal, [$($f:literal),*]) => {
        BuiltinKind {
            kind: $kind,
            group: $group,
            versions: &[$($v),*],
            plural: $plural,
            short_names: &[$($short),*],
            namespaced: $ns,
            names: NameRule::$names,
            printer: Printer::$printer,
            generation: $generation,
            fields: &[$($f),*],
        }
    };
}

/// The built-in kinds stored here, in the order `kubectl api-resources` lists their groups
/// (the core group, then the aggregated discovery order of Kubernetes 1.31's API groups, from
/// memory of real clusters' output). Short names and scopes are kubectl 1.31's.
pub const BUILTIN: &[BuiltinKind] = &[
    builtin!(
        "ConfigMap",
        "",
        ["v1"],
        "configmaps",
        ["cm"],
        true,
        Subdomain,
        ConfigMap,
        false,
        ["data", "binaryData", "immutable"]
    ),
    builtin!(
        "LimitRange",
        "",
        ["v1"],
        "limitranges",
        ["limits"],
        true,
        Subdomain,
        CreatedAt,
        false,
        ["spec"]
    ),
    builtin!(
        "PersistentVolumeClaim",
        "",
        ["v1"],
        "persistentvolumeclaims",
        ["pvc"],
        true,
        Subdomain,
        PersistentVolumeClaim,
        false,
        ["spec", "status"]
    ),
    builtin!(
        "PersistentVolume",
        "",
        ["v1"],
        "persistentvolumes",
        ["pv"],
        false,
        Subdomain,
        PersistentVolume,
        false,
        ["spec", "status"]
    ),
    builtin!(
        "PodTemplate",
        "",
        ["v1"],
        "podtemplates",
        [],
        true,
        Subdomain,
        CreatedAt,
        false,
        ["template"]
    ),
    builtin!(
        "ReplicationController",
        "",
        ["v1"],
        "replicationcontrollers",
        ["rc"],
        true,
        Subdomain,
        ReplicationController,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "ResourceQuota",
        "",
        ["v1"],
        "resourcequotas",
        ["quota"],
        true,
        Subdomain,
        ResourceQuota,
        false,
        ["spec", "status"]
    ),
    builtin!(
        "Secret",
        "",
        ["v1"],
        "secrets",
        [],
        true,
        Subdomain,
        Secret,
        false,
        ["data", "stringData", "type", "immutable"]
    ),
    builtin!(
        "ServiceAccount",
        "",
        ["v1"],
        "serviceaccounts",
        ["sa"],
        true,
        Subdomain,
        ServiceAccount,
        false,
        [
            "secrets",
            "imagePullSecrets",
            "automountServiceAccountToken"
        ]
    ),
    builtin!(
        "ControllerRevision",
        "apps",
        ["v1"],
        "controllerrevisions",
        [],
        true,
        Subdomain,
        ControllerRevision,
        false,
        ["data", "revision"]
    ),
    builtin!(
        "HorizontalPodAutoscaler",
        "autoscaling",
        ["v2", "v1"],
        "horizontalpodautoscalers",
        ["hpa"],
        true,
        Subdomain,
        HorizontalPodAutoscaler,
        false,
        ["spec", "status"]
    ),
    builtin!(
        "IngressClass",
        "networking.k8s.io",
        ["v1"],
        "ingressclasses",
        [],
        false,
        Subdomain,
        IngressClass,
        true,
        ["spec"]
    ),
    builtin!(
        "Ingress",
        "networking.k8s.io",
        ["v1"],
        "ingresses",
        ["ing"],
        true,
        Subdomain,
        Ingress,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "NetworkPolicy",
        "networking.k8s.io",
        ["v1"],
        "networkpolicies",
        ["netpol"],
        true,
        Subdomain,
        NetworkPolicy,
        true,
        ["spec"]
    ),
    builtin!(
        "PodDisruptionBudget",
        "policy",
        ["v1"],
        "poddisruptionbudgets",
        ["pdb"],
        true,
        Subdomain,
        PodDisruptionBudget,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "ClusterRoleBinding",
        "rbac.authorization.k8s.io",
        ["v1"],
        "clusterrolebindings",
        [],
        false,
        PathSegment,
        RoleBinding,
        false,
        ["subjects", "roleRef"]
    ),
    builtin!(
        "ClusterRole",
        "rbac.authorization.k8s.io",
        ["v1"],
        "clusterroles",
        [],
        false,
        PathSegment,
        CreatedAt,
        false,
        ["rules", "aggregationRule"]
    ),
    builtin!(
        "RoleBinding",
        "rbac.authorization.k8s.io",
        ["v1"],
        "rolebindings",
        [],
        true,
        PathSegment,
        RoleBinding,
        false,
        ["subjects", "roleRef"]
    ),
    builtin!(
        "Role",
        "rbac.authorization.k8s.io",
        ["v1"],
        "roles",
        [],
        true,
        PathSegment,
        CreatedAt,
        false,
        ["rules"]
    ),
    builtin!(
        "StorageClass",
        "storage.k8s.io",
        ["v1"],
        "storageclasses",
        ["sc"],
        false,
        Subdomain,
        StorageClass,
        false,
        [
            "provisioner",
            "parameters",
            "reclaimPolicy",
            "mountOptions",
            "allowVolumeExpansion",
            "volumeBindingMode",
            "allowedTopologies"
        ]
    ),
    builtin!(
        "MutatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        ["v1"],
        "mutatingwebhookconfigurations",
        [],
        false,
        Subdomain,
        Webhooks,
        true,
        ["webhooks"]
    ),
    builtin!(
        "ValidatingAdmissionPolicy",
        "admissionregistration.k8s.io",
        ["v1", "v1beta1"],
        "validatingadmissionpolicies",
        [],
        false,
        Subdomain,
        ValidatingAdmissionPolicy,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "ValidatingAdmissionPolicyBinding",
        "admissionregistration.k8s.io",
        ["v1", "v1beta1"],
        "validatingadmissionpolicybindings",
        [],
        false,
        Subdomain,
        ValidatingAdmissionPolicyBinding,
        true,
        ["spec"]
    ),
    builtin!(
        "ValidatingWebhookConfiguration",
        "admissionregistration.k8s.io",
        ["v1"],
        "validatingwebhookconfigurations",
        [],
        false,
        Subdomain,
        Webhooks,
        true,
        ["webhooks"]
    ),
    builtin!(
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        ["v1"],
        "customresourcedefinitions",
        ["crd", "crds"],
        false,
        Subdomain,
        CreatedAt,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "PriorityClass",
        "scheduling.k8s.io",
        ["v1"],
        "priorityclasses",
        ["pc"],
        false,
        Subdomain,
        PriorityClass,
        false,
        ["value", "globalDefault", "description", "preemptionPolicy"]
    ),
    builtin!(
        "Lease",
        "coordination.k8s.io",
        ["v1"],
        "leases",
        [],
        true,
        Subdomain,
        Lease,
        false,
        ["spec"]
    ),
    builtin!(
        "RuntimeClass",
        "node.k8s.io",
        ["v1"],
        "runtimeclasses",
        [],
        false,
        Subdomain,
        RuntimeClass,
        false,
        ["handler", "overhead", "scheduling"]
    ),
    builtin!(
        "FlowSchema",
        "flowcontrol.apiserver.k8s.io",
        ["v1", "v1beta3"],
        "flowschemas",
        [],
        false,
        Subdomain,
        FlowSchema,
        true,
        ["spec", "status"]
    ),
    builtin!(
        "PriorityLevelConfiguration",
        "flowcontrol.apiserver.k8s.io",
        ["v1", "v1beta3"],
        "prioritylevelconfigurations",
        [],
        false,
        Subdomain,
        PriorityLevelConfiguration,
        true,
        ["spec", "status"]
    ),
];

/// One column of a CRD's `additionalPrinterColumns`.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    pub name: String,
    pub json_path: String,
    pub type_: String,
    pub priority: i64,
}

/// A kind as the API server maps it: a built-in one, or one a CRD registered.
#[derive(Debug, Clone, PartialEq)]
pub struct KindInfo {
    pub kind: String,
    pub group: String,
    /// Served versions, the preferred first.
    pub versions: Vec<String>,
    pub plural: String,
    pub singular: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
    pub names: NameRule,
    pub printer: Printer,
    pub generation: bool,
    /// Top-level fields for strict decoding; None: not checked (custom resources).
    pub fields: Option<&'static [&'static str]>,
    /// A custom kind's printer columns, for its preferred version.
    pub columns: Vec<PrinterColumn>,
    /// The CRD that registered it.
    pub crd: Option<String>,
}

impl KindInfo {
    fn builtin(b: &BuiltinKind) -> KindInfo {
        KindInfo {
            kind: b.kind.into(),
            group: b.group.into(),
            versions: b.versions.iter().map(|v| v.to_string()).collect(),
            plural: b.plural.into(),
            singular: b.kind.to_ascii_lowercase(),
            short_names: b.short_names.iter().map(|s| s.to_string()).collect(),
            namespaced: b.namespaced,
            names: b.names,
            printer: b.printer,
            generation: b.generation,
            fields: Some(b.fields),
            columns: Vec::new(),
            crd: None,
        }
    }

    /// The key of its table in the store, and the resource name errors print: `configmaps`,
    /// `mappings.getambassador.io`.
    pub fn resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// What kubectl prints before `/name`: `configmap`, `clusterrole.rbac.authorization.k8s.io`.
    pub fn kubectl_prefix(&self) -> String {
        let singular = self.kind.to_ascii_lowercase();
        if self.group.is_empty() {
            singular
        } else {
            format!("{singular}.{}", self.group)
        }
    }

    /// `v1`, or `rbac.authorization.k8s.io/v1`, for a version.
    pub fn api_version(&self, version: &str) -> String {
        if self.group.is_empty() {
            version.to_string()
        } else {
            format!("{}/{version}", self.group)
        }
    }

    /// Whether it serves this apiVersion.
    pub fn serves(&self, api_version: &str) -> bool {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        group == self.group && self.versions.iter().any(|v| v == version)
    }

    /// Whether a word of `kubectl get WORD` names it: plural, singular, kind or a short name,
    /// optionally followed by `.group` (`ingresses.networking.k8s.io`, `Mapping.getambassador.io`).
    pub fn is_named(&self, word: &str) -> bool {
        let w = word.to_ascii_lowercase();
        let (base, group) = match w.split_once('.') {
            Some((b, g)) => (b, Some(g)),
            None => (w.as_str(), None),
        };
        if let Some(g) = group {
            if g != self.group {
                return false;
            }
        }
        base == self.plural
            || base == self.singular
            || base == self.kind.to_ascii_lowercase()
            || (group.is_none() && self.short_names.iter().any(|s| *s == base))
    }
}

static NO_CUSTOM_KINDS: BTreeMap<String, KindInfo> = BTreeMap::new();

/// The kinds a cluster serves beyond the typed ones: the built-in stored kinds and those its
/// CRDs registered.
#[derive(Debug, Clone, Copy)]
pub struct Kinds<'a> {
    pub custom: &'a BTreeMap<String, KindInfo>,
}

impl Kinds<'static> {
    /// Built-in kinds only (a cluster without CRDs).
    pub fn builtin() -> Kinds<'static> {
        Kinds {
            custom: &NO_CUSTOM_KINDS,
        }
    }
}

impl<'a> Kinds<'a> {
    /// The kind a manifest's `kind` and `apiVersion` name, if it is served.
    pub fn by_kind(&self, kind: &str, api_version: &str) -> Option<KindInfo> {
        if let Some(b) = BUILTIN.iter().find(|b| b.kind == kind) {
            let info = KindInfo::builtin(b);
            if info.serves(api_version) {
                return Some(info);
            }
        }
        self.custom
            .values()
            .find(|k| k.kind == kind && k.serves(api_version))
            .cloned()
    }

    /// The kind a `kubectl get WORD` names.
    pub fn by_word(&self, word: &str) -> Option<KindInfo> {
        BUILTIN
            .iter()
            .map(KindInfo::builtin)
            .find(|k| k.is_named(word))
            .or_else(|| self.custom.values().find(|k| k.is_named(word)).cloned())
    }

    /// The kind stored under a resource key (`configmaps`, `mappings.getambassador.io`).
    pub fn by_resource(&self, resource: &str) -> Option<KindInfo> {
        BUILTIN
            .iter()
            .map(KindInfo::builtin)
            .find(|k| k.resource() == resource)
            .or_else(|| self.custom.get(resource).cloned())
    }

    /// Every kind, built-in first, then custom ones by resource name.
    pub fn all(&self) -> Vec<KindInfo> {
        BUILTIN
            .iter()
            .map(KindInfo::builtin)
            .chain(self.custom.values().cloned())
            .collect()
    }
}

/// Kubernetes' version priority (`v2` > `v1` > `v2beta1` > `v1beta1` > `v1alpha1` > others):
/// which served version discovery prefers.
fn version_priority(v: &str) -> (u8, u64, u64) {
    let Some(rest) = v.strip_prefix('v') else {
        return (0, 0, 0);
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let Ok(major) = digits.parse::<u64>() else {
        return (0, 0, 0);
    };
    let tail = &rest[digits.len()..];
    if tail.is_empty() {
        return (3, major, 0);
    }
    let (level, num) = if let Some(n) = tail.strip_prefix("beta") {
        (2, n)
    } else if let Some(n) = tail.strip_prefix("alpha") {
        (1, n)
    } else {
        return (0, 0, 0);
    };
    match num.parse::<u64>() {
        Ok(n) => (level, major, n),
        Err(_) => (0, 0, 0),
    }
}

/// The kind a CRD registers, or its field errors (the apiextensions-apiserver's validation,
/// in its words, for the fields real manifests get wrong).
pub fn crd_kind(crd: &Unstructured) -> Result<KindInfo, Vec<FieldError>> {
    let mut errs = Vec::new();
    let group = crd.str_at(&["spec", "group"]).to_string();
    let names = |k: &str| crd.str_at(&["spec", "names", k]).to_string();
    let (kind, plural) = (names("kind"), names("plural"));
    let singular = match names("singular") {
        s if s.is_empty() => kind.to_ascii_lowercase(),
        s => s,
    };
    if group.is_empty() {
        errs.push(FieldError::required("spec.group", ""));
    } else if !group.contains('.') {
        errs.push(FieldError::invalid_str(
            "spec.group",
            &group,
            "should be a domain with at least one dot",
        ));
    }
    if plural.is_empty() {
        errs.push(FieldError::required("spec.names.plural", ""));
    } else if !admission::is_dns1123_label(&plural) {
        errs.push(FieldError::invalid_str(
            "spec.names.plural",
            &plural,
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        ));
    }
    if kind.is_empty() {
        errs.push(FieldError::required("spec.names.kind", ""));
    }
    let expected = format!("{plural}.{group}");
    if crd.metadata.name != expected {
        errs.push(FieldError::invalid_str(
            "metadata.name",
            &crd.metadata.name,
            "must be spec.names.plural+\".\"+spec.group",
        ));
    }
    let scope = crd.str_at(&["spec", "scope"]);
    let namespaced = match scope {
        "Namespaced" => true,
        "Cluster" => false,
        "" => {
            errs.push(FieldError::required("spec.scope", ""));
            true
        }
        other => {
            errs.push(FieldError::unsupported(
                "spec.scope",
                other,
                &["Cluster", "Namespaced"],
            ));
            true
        }
    };
    let short_names: Vec<String> = crd
        .path(&["spec", "names", "shortNames"])
        .and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let versions: Vec<&Value> = crd
        .path(&["spec", "versions"])
        .and_then(Value::as_sequence)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    if versions.is_empty() {
        errs.push(FieldError::invalid_raw(
            "spec.versions",
            "null",
            "must have exactly one version marked as storage version",
        ));
    }
    let mut served: Vec<(String, Vec<PrinterColumn>)> = Vec::new();
    let mut storage = 0;
    for (i, v) in versions.iter().enumerate() {
        let get = |k: &str| v.as_mapping().and_then(|m| m.get(k));
        let name = get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if name.is_empty() {
            errs.push(FieldError::required(format!("spec.versions[{i}].name"), ""));
        }
        if get("storage").and_then(Value::as_bool) == Some(true) {
            storage += 1;
        }
        if get("schema")
            .and_then(|s| s.as_mapping())
            .and_then(|s| s.get("openAPIV3Schema"))
            .is_none()
        {
            errs.push(FieldError::required(
                format!("spec.versions[{i}].schema.openAPIV3Schema"),
                "schemas are required",
            ));
        }
        if get("served").and_then(Value::as_bool) == Some(true) {
            let columns = get("additionalPrinterColumns")
                .and_then(Value::as_sequence)
                .map(|cols| {
                    cols.iter()
                        .filter_map(Value::as_mapping)
                        .map(|c| {
                            let s = |k: &str| {
                                c.get(k).and_then(Value::as_str).unwrap_or("").to_string()
                            };
                            PrinterColumn {
                                name: s("name"),
                                json_path: s("jsonPath"),
                                type_: s("type"),
                                priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            served.push((name, columns));
        }
    }
    if !versions.is_empty() && storage != 1 {
        errs.push(FieldError::invalid_raw(
            "spec.versions",
            "[]apiextensions.CustomResourceDefinitionVersion{…}",
            "must have exactly one version marked as storage version",
        ));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    crate::sim::sort::by_key(&mut served, |b| std::cmp::Reverse(version_priority(&b.0)));
    let columns = served.first().map(|(_, c)| c.clone()).unwrap_or_default();
    Ok(KindInfo {
        kind,
        group,
        versions: served.into_iter().map(|(v, _)| v).collect(),
        plural,
        singular,
        short_names,
        namespaced,
        names: NameRule::Subdomain,
        printer: Printer::Custom,
        generation: true,
        fields: None,
        columns,
        crd: Some(crd.metadata.name.clone()),
    })
}

/// `ConfigMap in version "v1" cannot be handled as a ConfigMap: …`: the decoding errors of
/// the fields whose type the stored kinds check (string maps), as Go's JSON decoder words them.
pub fn decoding_error(kind: &str, rest: &Mapping) -> Option<String> {
    if let Some(e) = super::quota::quantity_decoding_error(kind, rest) {
        return Some(e);
    }
    let string_maps: &[&str] = match kind {
        "ConfigMap" => &["data", "binaryData"],
        "Secret" => &["data", "stringData"],
        _ => &[],
    };
    for field in string_maps {
        let Some(v) = rest.get(*field) else { continue };
        let found = match v {
            Value::Null => continue,
            Value::Mapping(m) => m.values().find_map(|x| match x {
                Value::String(_) | Value::Null => None,
                Value::Number(_) => Some("number"),
                Value::Bool(_) => Some("bool"),
                Value::Sequence(_) => Some("array"),
                Value::Mapping(_) => Some("object"),
                Value::Tagged(_) => Some("string"),
            }),
            Value::String(_) => {
                return Some(format!(
                    "json: cannot unmarshal string into Go struct field {kind}.{field} of type map[string]string"
                ))
            }
            Value::Number(_) | Value::Bool(_) | Value::Sequence(_) | Value::Tagged(_) => {
                let what = match v {
                    Value::Number(_) => "number",
                    Value::Bool(_) => "bool",
                    _ => "array",
                };
                return Some(format!(
                    "json: cannot unmarshal {what} into Go struct field {kind}.{field} of type map[string]string"
                ));
            }
        };
        if let Some(what) = found {
            let of = if *field == "binaryData" || (kind == "Secret" && *field == "data") {
                "[]uint8"
            } else {
                "string"
            };
            return Some(format!(
                "json: cannot unmarshal {what} into Go struct field {kind}.{field} of type {of}"
            ));
        }
    }
    if kind == "Secret" {
        if let Some(Value::Mapping(data)) = rest.get("data") {
            for v in data.values() {
                if let Some(s) = v.as_str() {
                    if let Err(at) = base64_decode(s) {
                        return Some(format!("illegal base64 data at input byte {at}"));
                    }
                }
            }
        }
    }
    None
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding, as Go's `encoding/json` writes `[]byte`.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString` (newlines skipped); the error is the offset of the
/// first bad byte, as `illegal base64 data at input byte N` reports it.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let mut quad = [0u8; 4];
    let mut n = 0;
    let mut pad = 0;
    let bytes = s.as_bytes();
    let mut last = 0;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'\n' || c == b'\r' {
            continue;
        }
        last = i;
        if c == b'=' {
            if n < 2 {
                return Err(i);
            }
            pad += 1;
            quad[n] = 0;
            n += 1;
        } else {
            if pad > 0 {
                return Err(i);
            }
            let Some(v) = B64.iter().position(|&b| b == c) else {
                return Err(i);
            };
            quad[n] = v as u8;
            n += 1;
        }
        if n == 4 {
            let v = (u32::from(quad[0]) << 18)
                | (u32::from(quad[1]) << 12)
                | (u32::from(quad[2]) << 6)
                | u32::from(quad[3]);
            let full = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
            out.extend_from_slice(&full[..3 - pad]);
            n = 0;
            if pad > 0 {
                // Nothing may follow the padding.
                if let Some(j) = bytes[i + 1..]
                    .iter()
                    .position(|&c| c != b'\n' && c != b'\r')
                {
                    return Err(i + 1 + j);
                }
                return Ok(out);
            }
        }
    }
    if n != 0 {
        return Err(if n == 1 { last } else { bytes.len() });
    }
    Ok(out)
}

/// At most 1 MiB of data in a ConfigMap or Secret (fact 61; `core.MaxSecretSize`).
pub const MAX_DATA_BYTES: usize = 1 << 20;

fn is_config_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k != "."
        && k != ".."
        && !k.starts_with("..")
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn config_key_errors(errs: &mut Vec<FieldError>, field: &str, map: Option<&Value>) -> usize {
    let mut total = 0;
    if let Some(Value::Mapping(m)) = map {
        for (k, v) in m {
            let key = key_text(k);
            if !is_config_key(&key) {
                errs.push(FieldError::invalid_str(
                    format!("{field}[{key}]"),
                    &key,
                    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
                ));
            }
            total += v.as_str().map(str::len).unwrap_or(0);
        }
    }
    total
}

/// What the API server does to a new or updated object of a stored kind before validating it:
/// a Secret's `stringData` goes into `data` (base64) and its `type` defaults to `Opaque`
/// (fact 64); a CRD gets the status the apiextensions-apiserver writes once its names are
/// accepted.
pub fn apply_defaults(obj: &mut Unstructured, now: Millis) {
    match (obj.kind.as_str(), obj.api_version.as_str()) {
        ("Secret", "v1") => {
            if let Some(Value::Mapping(plain)) = obj.rest.remove("stringData") {
                let mut data = match obj.rest.remove("data") {
                    Some(Value::Mapping(d)) => d,
                    _ => Mapping::new(),
                };
                for (k, v) in plain {
                    let text = match &v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => serde_yaml::to_string(other)
                            .unwrap_or_default()
                            .trim_end()
                            .to_string(),
                    };
                    data.insert(k, Value::String(base64_encode(text.as_bytes())));
                }
                obj.rest.insert("data".into(), Value::Mapping(data));
            } else {
                obj.rest.remove("stringData");
            }
            let untyped = obj
                .rest
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty();
            if untyped {
                obj.rest.insert("type".into(), "Opaque".into());
            }
        }
        ("CustomResourceDefinition", "apiextensions.k8s.io/v1") => {
            if let Ok(info) = crd_kind(obj) {
                let at = rfc3339(now);
                let condition = |type_: &str, reason: &str, message: &str| {
                    let mut c = Mapping::new();
                    c.insert("lastTransitionTime".into(), at.clone().into());
                    c.insert("message".into(), message.into());
                    c.insert("reason".into(), reason.into());
                    c.insert("status".into(), "True".into());
                    c.insert("type".into(), type_.into());
                    Value::Mapping(c)
                };
                let mut names = Mapping::new();
                names.insert("kind".into(), info.kind.clone().into());
                let list_kind = match obj.str_at(&["spec", "names", "listKind"]) {
                    "" => format!("{}List", info.kind),
                    l => l.to_string(),
                };
                names.insert("listKind".into(), list_kind.into());
                names.insert("plural".into(), info.plural.clone().into());
                if !info.short_names.is_empty() {
                    names.insert(
                        "shortNames".into(),
                        Value::Sequence(
                            info.short_names.iter().map(|s| s.clone().into()).collect(),
                        ),
                    );
                }
                names.insert("singular".into(), info.singular.clone().into());
                let stored: Vec<Value> = obj
                    .path(&["spec", "versions"])
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .filter(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
                    .filter_map(|v| v.get("name").cloned())
                    .collect();
                let mut status = Mapping::new();
                status.insert("acceptedNames".into(), Value::Mapping(names));
                status.insert(
                    "conditions".into(),
                    Value::Sequence(vec![
                        condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                        condition(
                            "Established",
                            "InitialNamesAccepted",
                            "the initial names have been accepted",
                        ),
                    ]),
                );
                status.insert("storedVersions".into(), Value::Sequence(stored));
                obj.rest.insert("status".into(), Value::Mapping(status));
            }
        }
        ("LimitRange", "v1") => super::limitrange::apply_defaults(obj),
        // PersistentVolumes, claims and classes: `storage.rs`.
        _ if super::storage::is_storage(obj) => super::storage::apply_defaults(obj),
        _ => {}
    }
}

/// Field errors of a new or updated object beyond its metadata.
pub fn validate(obj: &Unstructured) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match obj.kind.as_str() {
        "ConfigMap" => {
            let total = config_key_errors(&mut errs, "data", obj.field("data"))
                + config_key_errors(&mut errs, "binaryData", obj.field("binaryData"));
            if total > MAX_DATA_BYTES {
                errs.push(FieldError::too_long(
                    "",
                    &format!("must have at most {MAX_DATA_BYTES} bytes"),
                ));
            }
        }
        "Secret" => {
            let total = config_key_errors(&mut errs, "data", obj.field("data"));
            let decoded: usize = match obj.field("data") {
                Some(Value::Mapping(m)) => m
                    .values()
                    .filter_map(Value::as_str)
                    .map(|s| base64_decode(s).map(|d| d.len()).unwrap_or(s.len()))
                    .sum(),
                _ => 0,
            };
            let _ = total;
            if decoded > MAX_DATA_BYTES {
                errs.push(FieldError::too_long(
                    "data",
                    &format!("must have at most {MAX_DATA_BYTES} bytes"),
                ));
            }
            let has = |k: &str| {
                obj.field("data")
                    .and_then(Value::as_mapping)
                    .is_some_and(|m| m.contains_key(k))
            };
            let required: &[&str] = match obj.str_at(&["type"]) {
                "kubernetes.io/tls" => &["tls.crt", "tls.key"],
                "kubernetes.io/dockerconfigjson" => &[".dockerconfigjson"],
                "kubernetes.io/dockercfg" => &[".dockercfg"],
                "kubernetes.io/basic-auth" | "kubernetes.io/ssh-auth" => &[],
                _ => &[],
            };
            for k in required {
                if !has(k) {
                    errs.push(FieldError::required(format!("data[{k}]"), ""));
                }
            }
            if obj.str_at(&["type"]) == "kubernetes.io/ssh-auth" && !has("ssh-privatekey") {
                errs.push(FieldError::required("data[ssh-privatekey]", ""));
            }
        }
        "ResourceQuota" => errs.extend(super::quota::validate(obj)),
        "CustomResourceDefinition" => {
            if let Err(e) = crd_kind(obj) {
                errs.extend(e);
            }
        }
        "Ingress" if obj.api_version.starts_with("networking.k8s.io/") => {
            errs.extend(super::ingress_admission::validate_ingress(obj));
        }
        _ if super::storage::is_storage(obj) => errs.extend(super::storage::validate(obj)),
        _ => {}
    }
    errs
}

/// Field errors of an update of `old` to `new` (immutable fields).
pub fn validate_update(new: &Unstructured, old: &Unstructured) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let immutable = |o: &Unstructured| o.field("immutable").and_then(Value::as_bool) == Some(true);
    match new.kind.as_str() {
        "ConfigMap" | "Secret" => {
            if immutable(old) {
                if !immutable(new) {
                    errs.push(FieldError::forbidden(
                        "immutable",
                        "field is immutable when `immutable` is set",
                    ));
                }
                let fields: &[&str] = if new.kind == "Secret" {
                    &["data"]
                } else {
                    &["data", "binaryData"]
                };
                for f in fields {
                    if new.field(f) != old.field(f) {
                        errs.push(FieldError::forbidden(
                            *f,
                            "field is immutable when `immutable` is set",
                        ));
                    }
                }
            }
            if new.kind == "Secret" && new.field("type") != old.field("type") {
                errs.push(FieldError::invalid_str(
                    "type",
                    new.str_at(&["type"]),
                    "field is immutable",
                ));
            }
        }
        "CustomResourceDefinition"
            if new.str_at(&["spec", "scope"]) != old.str_at(&["spec", "scope"]) =>
        {
            errs.push(FieldError::invalid_str(
                "spec.scope",
                new.str_at(&["spec", "scope"]),
                "field is immutable",
            ));
        }
        _ if super::storage::is_storage(new) => {
            errs.extend(super::storage::validate_update(new, old))
        }
        _ => {}
    }
    errs
}

/// The part that counts for `generation`: everything but metadata and status.
fn spec_of(o: &Unstructured) -> Mapping {
    let mut m = o.rest.clone();
    m.remove("status");
    m
}

impl Store {
    /// The kinds this cluster's API server maps beyond the typed ones.
    pub fn kinds(&self) -> Kinds<'_> {
        Kinds {
            custom: &self.custom_kinds,
        }
    }

    /// A stored object by resource key, namespace and name.
    pub fn get_unstructured(
        &self,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Option<&Unstructured> {
        self.unstructured.get(resource)?.get(namespace, name)
    }

    /// Admission, then storage, of a new object of a stored kind.
    pub fn create_unstructured(
        &mut self,
        info: &KindInfo,
        mut obj: Unstructured,
        now: Millis,
        rng: &mut Rng,
    ) -> Result<Unstructured, ApiError> {
        let shown = match &obj.metadata {
            m if m.name.is_empty() => m.generate_name.clone(),
            m => m.name.clone(),
        };
        let meta = &mut obj.metadata;
        if !info.namespaced {
            meta.namespace.clear();
        } else if meta.namespace.is_empty() {
            meta.namespace = "default".into();
        }
        if meta.name.is_empty() && !meta.generate_name.is_empty() {
            let mut base = meta.generate_name.clone();
            base.truncate(58);
            meta.name = format!("{base}{}", rng.name_suffix());
        }
        if info.crd.is_none() {
            // Built-in kinds' status is the server's, not the client's.
            obj.rest.remove("status");
        }
        apply_defaults(&mut obj, now);
        if super::storage::is_storage(&obj) {
            super::storage::admit_new(self, &mut obj);
        }
        if obj.kind == "Ingress" && info.group == "networking.k8s.io" {
            super::ingress_admission::default_ingress_class(self, &mut obj)?;
        }
        self.check_custom_schema(info, &obj)?;
        let mut errors =
            admission::validate_meta_of(&obj.metadata, &obj.kind, info.namespaced, info.names);
        errors.extend(validate(&obj));
        let resource = info.resource();
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: obj.kind.clone(),
                name: obj.metadata.name.clone(),
                causes: errors,
            });
        }
        let ns = obj.metadata.namespace.clone();
        let name = obj.metadata.name.clone();
        if info.namespaced {
            match self.namespaces.get("", &ns) {
                None => {
                    return Err(ApiError::NotFound {
                        resource: "namespaces".into(),
                        name: ns,
                    })
                }
                Some(n) if n.status.phase == "Terminating" => {
                    return Err(ApiError::Forbidden(format!(
                        "{resource} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated"
                    )))
                }
                Some(_) => {}
            }
        }
        if info.namespaced && info.crd.is_none() {
            if obj.kind == "PersistentVolumeClaim" {
                super::limitrange::admit_claim(self, &obj)?;
            }
            super::quota::admit(
                self,
                &resource,
                &ns,
                &shown,
                super::quota::Item::Stored(&obj),
            )?;
        } else if info.namespaced {
            super::quota::admit(&*self, &resource, &ns, &shown, super::quota::Item::Other)?;
        }
        if self.get_unstructured(&resource, &ns, &name).is_some() {
            return Err(ApiError::AlreadyExists { resource, name });
        }
        let rv = self.next_rv();
        let meta = &mut obj.metadata;
        meta.uid = rng.uuid();
        meta.resource_version = rv;
        meta.generation = i64::from(info.generation);
        meta.creation_timestamp = Some(super::time::Time::at(now));
        meta.deletion_timestamp = None;
        meta.managed_fields = None;
        meta.self_link = None;
        self.register_crd(&obj);
        self.write_unstructured(&resource, &ns, &name, Some(obj.clone()));
        Ok(obj)
    }

    /// Update the client-settable parts (labels, annotations, every field but status) of a
    /// stored object, as apply does after its diff.
    pub fn update_unstructured(
        &mut self,
        info: &KindInfo,
        desired: &Unstructured,
        now: Millis,
    ) -> Result<super::store::WriteOutcome, ApiError> {
        let resource = info.resource();
        let ns = if info.namespaced {
            desired.metadata.namespace.clone()
        } else {
            String::new()
        };
        let name = desired.metadata.name.clone();
        let Some(current) = self.get_unstructured(&resource, &ns, &name).cloned() else {
            return Err(ApiError::NotFound { resource, name });
        };
        let builtin = info.crd.is_none();
        let mut incoming = desired.clone();
        if builtin {
            incoming.rest.remove("status");
        }
        apply_defaults(&mut incoming, now);
        let mut next = current.clone();
        next.api_version = incoming.api_version.clone();
        next.metadata.labels = incoming.metadata.labels.clone();
        next.metadata.annotations = incoming.metadata.annotations.clone();
        next.rest = incoming.rest;
        super::storage::keep_server_fields(&current, &mut next);
        if builtin {
            // The server owns the status of built-in kinds. A CRD's is rewritten only when
            // its names change.
            let renamed = obj_is_crd(&next)
                && crd_kind(&next).ok().map(|k| (k.kind, k.plural))
                    != crd_kind(&current).ok().map(|k| (k.kind, k.plural));
            if !renamed {
                next.rest.remove("status");
                if let Some(s) = current.rest.get("status") {
                    next.rest.insert("status".into(), s.clone());
                }
            }
        }
        if next == current {
            return Ok(super::store::WriteOutcome::Unchanged);
        }
        self.check_custom_schema(info, &next)?;
        let mut errors = validate(&next);
        errors.extend(validate_update(&next, &current));
        errors.extend(admission::validate_meta_of(
            &next.metadata,
            &next.kind,
            info.namespaced,
            info.names,
        ));
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: next.kind.clone(),
                name,
                causes: errors,
            });
        }
        if info.generation && spec_of(&next) != spec_of(&current) {
            next.metadata.generation += 1;
        }
        next.metadata.resource_version = self.next_rv();
        self.register_crd(&next);
        self.write_unstructured(&resource, &ns, &name, Some(next));
        Ok(super::store::WriteOutcome::Configured)
    }

    /// A custom object against its CRD's schema for its version: unknown fields are a
    /// BadRequest (strict field validation, fact 89), schema violations 422 Invalid.
    fn check_custom_schema(&self, info: &KindInfo, obj: &Unstructured) -> Result<(), ApiError> {
        let Some(crd_name) = &info.crd else {
            return Ok(());
        };
        let Some(crd) = self.get_unstructured(
            "customresourcedefinitions.apiextensions.k8s.io",
            "",
            crd_name,
        ) else {
            return Ok(());
        };
        let version = obj.api_version.rsplit('/').next().unwrap_or("");
        let schema = crd
            .path(&["spec", "versions"])
            .and_then(Value::as_sequence)
            .and_then(|vs| {
                vs.iter()
                    .find(|v| v.get("name").and_then(Value::as_str) == Some(version))
            })
            .and_then(|v| v.get("schema"))
            .and_then(|s| s.get("openAPIV3Schema"));
        let Some(schema) = schema else {
            return Ok(());
        };
        let (errors, unknown) = super::ingress_admission::check_schema(obj, schema);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown
                .iter()
                .map(|u| format!("unknown field \"{u}\""))
                .collect();
            return Err(ApiError::BadRequest(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                list.join(", "),
                kind = obj.kind
            )));
        }
        if !errors.is_empty() {
            return Err(ApiError::Invalid {
                kind: obj.kind.clone(),
                name: obj.metadata.name.clone(),
                causes: errors,
            });
        }
        Ok(())
    }

    /// Write a stored object's `status` (the status subresource: what controllers do). False
    /// when there is no such object or the status is already that.
    pub fn set_unstructured_status(
        &mut self,
        resource: &str,
        namespace: &str,
        name: &str,
        status: Value,
    ) -> bool {
        let Some(current) = self.get_unstructured(resource, namespace, name) else {
            return false;
        };
        if current.rest.get("status") == Some(&status) {
            return false;
        }
        let mut next = current.clone();
        next.rest.insert("status".into(), status);
        next.metadata.resource_version = self.next_rv();
        self.write_unstructured(resource, namespace, name, Some(next));
        true
    }

    /// Remove a stored object outright. A CRD takes its kind and every object of it along.
    pub fn remove_unstructured(
        &mut self,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Option<Unstructured> {
        let ns = match self.kinds().by_resource(resource) {
            Some(info) if !info.namespaced => "",
            _ => namespace,
        };
        let old = self.write_unstructured(resource, ns, name, None)?;
        if obj_is_crd(&old) {
            if let Some((key, _)) = self
                .custom_kinds
                .iter()
                .find(|(_, k)| k.crd.as_deref() == Some(name))
            {
                let key = key.clone();
                self.custom_kinds.remove(&key);
                let doomed: Vec<(String, String)> = self
                    .unstructured
                    .get(&key)
                    .map(|t| {
                        t.values()
                            .map(|o| (o.metadata.namespace.clone(), o.metadata.name.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                for (ns, n) in doomed {
                    self.write_unstructured(&key, &ns, &n, None);
                }
            }
        }
        Some(old)
    }

    /// Everything stored-only in a namespace goes with it (the namespace controller).
    pub fn remove_unstructured_in_namespace(&mut self, namespace: &str) {
        let doomed: Vec<(String, String)> = self
            .unstructured
            .iter()
            .flat_map(|(resource, t)| {
                t.in_namespace(Some(namespace))
                    .map(move |o| (resource.clone(), o.metadata.name.clone()))
            })
            .collect();
        for (resource, name) in doomed {
            self.write_unstructured(&resource, namespace, &name, None);
        }
    }

    /// The ServiceAccount `default` of a namespace, as the service account controller makes
    /// it. Its uid comes from its place and time, not from the world's randomness, so that
    /// making it shifts no other random choice.
    pub fn ensure_default_service_account(&mut self, namespace: &str, now: Millis) {
        if self
            .get_unstructured("serviceaccounts", namespace, "default")
            .is_some()
        {
            return;
        }
        let seed = {
            use std::hash::BuildHasher;
            crate::sim::fxhash::FxBuild::default().hash_one((
                namespace,
                "default",
                now,
                self.revision(),
            ))
        };
        let rv = self.next_rv();
        let obj = Unstructured {
            api_version: "v1".into(),
            kind: "ServiceAccount".into(),
            metadata: ObjectMeta {
                name: "default".into(),
                namespace: namespace.into(),
                uid: Rng::new(seed).uuid(),
                resource_version: rv,
                creation_timestamp: Some(super::time::Time::at(now)),
                ..Default::default()
            },
            rest: Mapping::new(),
        };
        self.write_unstructured("serviceaccounts", namespace, "default", Some(obj));
    }

    /// The ConfigMap `kube-root-ca.crt` of a namespace, as kube-controller-manager's root CA
    /// publisher makes it (the certificate is a stand-in: nothing checks it). Its uid, as the
    /// ServiceAccount's, shifts no random choice.
    pub fn ensure_root_ca_config_map(&mut self, namespace: &str, now: Millis) {
        if self
            .get_unstructured("configmaps", namespace, ROOT_CA)
            .is_some()
        {
            return;
        }
        let seed = {
            use std::hash::BuildHasher;
            crate::sim::fxhash::FxBuild::default().hash_one((
                namespace,
                ROOT_CA,
                now,
                self.revision(),
            ))
        };
        let rv = self.next_rv();
        let mut data = Mapping::new();
        data.insert("ca.crt".into(), ROOT_CA_PEM.into());
        let mut rest = Mapping::new();
        rest.insert("data".into(), Value::Mapping(data));
        let obj = Unstructured {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            metadata: ObjectMeta {
                name: ROOT_CA.into(),
                namespace: namespace.into(),
                annotations: crate::sim::sort::map_of([(
                    "kubernetes.io/description".to_string(),
                    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.".to_string(),
                )]),
                uid: Rng::new(seed).uuid(),
                resource_version: rv,
                creation_timestamp: Some(super::time::Time::at(now)),
                ..Default::default()
            },
            rest,
        };
        self.write_unstructured("configmaps", namespace, ROOT_CA, Some(obj));
    }

    /// A CRD that validates registers (or re-registers) its kind.
    fn register_crd(&mut self, obj: &Unstructured) {
        if !obj_is_crd(obj) {
            return;
        }
        if let Ok(info) = crd_kind(obj) {
            let key = info.resource();
            self.custom_kinds.insert(key, info);
        }
    }
}

const ROOT_CA: &str = "kube-root-ca.crt";

/// A stand-in for the cluster's CA certificate (not a real key pair).
const ROOT_CA_PEM: &str = "-----BEGIN CERTIFICATE-----
MIIDBTCCAe2gAwIBAgIIUG9ja2V0Q2x1c3RlcjANBgkqhkiG9w0BAQsFADAVMRMw
EQYDVQQDEwprdWJlcm5ldGVzMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAw
MFowFTETMBEGA1UEAxMKa3ViZXJuZXRlczCCASIwDQYJKoZIhvcNAQEBBQADggEP
-----END CERTIFICATE-----
";

fn obj_is_crd(o: &Unstructured) -> bool {
    o.kind == "CustomResourceDefinition" && o.api_version == "apiextensions.k8s.io/v1"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(yaml: &str) -> Unstructured {
        let mut map: Mapping = serde_yaml::from_str(yaml).unwrap();
        let api_version = map
            .remove("apiVersion")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        let kind = map.remove("kind").unwrap().as_str().unwrap().to_string();
        let metadata = serde_yaml::from_value(map.remove("metadata").unwrap()).unwrap();
        Unstructured {
            api_version,
            kind,
            metadata,
            rest: map,
        }
    }

    #[test]
    fn registry_names_kinds_as_kubectl_does() {
        let k = Kinds::builtin();
        for (word, kind) in [
            ("cm", "ConfigMap"),
            ("configmaps", "ConfigMap"),
            ("ConfigMap", "ConfigMap"),
            ("sa", "ServiceAccount"),
            ("pvc", "PersistentVolumeClaim"),
            ("pv", "PersistentVolume"),
            ("sc", "StorageClass"),
            ("ing", "Ingress"),
            ("ingresses.networking.k8s.io", "Ingress"),
            ("netpol", "NetworkPolicy"),
            ("hpa", "HorizontalPodAutoscaler"),
            ("pdb", "PodDisruptionBudget"),
            ("crd", "CustomResourceDefinition"),
            ("crds", "CustomResourceDefinition"),
            ("quota", "ResourceQuota"),
            ("limits", "LimitRange"),
            ("clusterrole", "ClusterRole"),
            ("rolebindings", "RoleBinding"),
            ("rc", "ReplicationController"),
            ("pc", "PriorityClass"),
        ] {
            assert_eq!(
                k.by_word(word).map(|i| i.kind),
                Some(kind.to_string()),
                "{word}"
            );
        }
        assert!(k.by_word("ingresses.apps").is_none());
        let cr = k
            .by_kind("ClusterRole", "rbac.authorization.k8s.io/v1")
            .unwrap();
        assert!(!cr.namespaced);
        assert_eq!(cr.kubectl_prefix(), "clusterrole.rbac.authorization.k8s.io");
        assert_eq!(cr.resource(), "clusterroles.rbac.authorization.k8s.io");
        assert_eq!(
            k.by_kind("ConfigMap", "v1").unwrap().kubectl_prefix(),
            "configmap"
        );
        assert!(k
            .by_kind("HorizontalPodAutoscaler", "autoscaling/v1")
            .is_some());
        assert!(k.by_kind("ConfigMap", "apps/v1").is_none());
        assert!(k.by_kind("Mapping", "getambassador.io/v3alpha1").is_none());
        // Every kind is named once: no two share a plural or a short name.
        let all = k.all();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a.resource(), b.resource());
                for s in &a.short_names {
                    assert!(!b.short_names.contains(s), "{s}");
                }
            }
        }
    }

    const CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: mappings.getambassador.io
spec:
  group: getambassador.io
  names:
    kind: Mapping
    plural: mappings
    shortNames: [mp]
  scope: Namespaced
  versions:
  - name: v2
    served: true
    storage: false
    schema: {openAPIV3Schema: {type: object}}
  - name: v3alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
    additionalPrinterColumns:
    - {name: Prefix, jsonPath: .spec.prefix, type: string}
";

    #[test]
    fn a_crd_registers_its_kind() {
        let info = crd_kind(&obj(CRD)).unwrap();
        assert_eq!(info.kind, "Mapping");
        assert_eq!(info.singular, "mapping");
        assert_eq!(info.resource(), "mappings.getambassador.io");
        assert!(info.serves("getambassador.io/v3alpha1") && info.serves("getambassador.io/v2"));
        // v2 (GA) is preferred over v3alpha1, as discovery orders versions.
        assert_eq!(info.versions[0], "v2");
        assert!(info.is_named("mp") && info.is_named("mappings.getambassador.io"));
        let bad = CRD.replace("name: mappings.getambassador.io", "name: mapping");
        let errs = crd_kind(&obj(&bad)).unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "metadata.name: Invalid value: \"mapping\": must be spec.names.plural+\".\"+spec.group"
        );
    }

    #[test]
    fn crd_status_is_written_by_the_server() {
        let mut o = obj(CRD);
        apply_defaults(&mut o, 0);
        let status = o.field("status").unwrap();
        assert_eq!(status["acceptedNames"]["kind"], Value::from("Mapping"));
        assert_eq!(
            status["acceptedNames"]["listKind"],
            Value::from("MappingList")
        );
        assert_eq!(status["conditions"][1]["type"], Value::from("Established"));
        assert_eq!(status["storedVersions"][0], Value::from("v3alpha1"));
    }

    /// Fact 64: stringData is merged into data as base64; type defaults to Opaque.
    #[test]
    fn secret_string_data_becomes_base64_data() {
        let mut s = obj("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: YQ==\nstringData:\n  user: admin\n  a: b\n");
        apply_defaults(&mut s, 0);
        assert!(s.field("stringData").is_none());
        let data = s.field("data").unwrap();
        assert_eq!(data["user"], Value::from("YWRtaW4="));
        assert_eq!(data["a"], Value::from("Yg=="), "stringData wins");
        assert_eq!(s.field("type"), Some(&Value::from("Opaque")));
    }

    #[test]
    fn base64_round_trips_and_reports_bad_bytes_as_go_does() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world\n"] {
            assert_eq!(
                base64_decode(&base64_encode(s.as_bytes())).unwrap(),
                s.as_bytes()
            );
        }
        assert_eq!(base64_encode(b"admin"), "YWRtaW4=");
        assert_eq!(base64_decode("YWRt!W4="), Err(4));
        assert_eq!(base64_decode("YWRtaW4"), Err(7));
        assert_eq!(base64_decode("YW=x"), Err(3));
    }

    /// Fact 61: at most 1 MiB of data.
    #[test]
    fn config_map_size_and_keys() {
        let big = "x".repeat(MAX_DATA_BYTES + 1);
        let cm = obj(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  big: {big}\n  'bad key': v\n"));
        let errs: Vec<String> = validate(&cm).iter().map(|e| e.to_string()).collect();
        assert!(
            errs[0].starts_with("data[bad key]: Invalid value: \"bad key\": a valid config key"),
            "{errs:?}"
        );
        assert_eq!(errs[1], ": Too long: must have at most 1048576 bytes");
    }

    #[test]
    fn immutable_config_maps_refuse_changes() {
        let old = obj("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nimmutable: true\ndata:\n  a: b\n");
        let new = obj("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: c\n");
        let errs: Vec<String> = validate_update(&new, &old)
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errs,
            [
                "immutable: Forbidden: field is immutable when `immutable` is set",
                "data: Forbidden: field is immutable when `immutable` is set"
            ]
        );
    }

    #[test]
    fn decoding_errors_name_go_types() {
        let cm =
            obj("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: 8080\n");
        assert_eq!(
            decoding_error("ConfigMap", &cm.rest).unwrap(),
            "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"
        );
        let s = obj("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: not-base64\n");
        assert_eq!(
            decoding_error("Secret", &s.rest).unwrap(),
            "illegal base64 data at input byte 3"
        );
    }

    #[test]
    fn output_keys_are_sorted_like_the_api_servers_json() {
        let cm = obj("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\ndata:\n  z: '1'\n  a: '2'\n");
        let text = serde_yaml::to_string(&cm.to_sorted_value()).unwrap();
        assert_eq!(
            text,
            "apiVersion: v1\ndata:\n  a: '2'\n  z: '1'\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: default\n"
        );
    }
}
