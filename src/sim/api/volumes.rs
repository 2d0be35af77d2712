//! A pod's volumes and its containers' mounts and config references, as the API types them
//! (core/v1 `Volume`, `VolumeMount`, `EnvFromSource`, `EnvVarSource`), and their validation with
//! the API server's texts (`pkg/apis/core/validation`). What the kubelet does with them is in
//! `sim/volumes.rs`.
//!
//! The sources the simulator gives files to are typed field by field (unknown fields are a
//! strict decoding error, as the API server's are); the many cloud and legacy sources
//! (`awsElasticBlockStore`, `nfs`, `csi`, …) are accepted as written and described as
//! not simulated.

use super::admission::{is_dns1123_label, is_dns1123_subdomain, FieldError, FieldErrorKind};
use super::types::{PodSpec, Quantity, Raw};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Volume {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dir: Option<EmptyDirSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_path: Option<HostPathSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ConfigMapSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent_volume_claim: Option<ClaimSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projected: Option<ProjectedSource>,
    #[serde(
        rename = "downwardAPI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub downward_api: Option<DownwardApiSource>,
    // Sources accepted and described but not given files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nfs: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csi: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_elastic_block_store: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gce_persistent_disk: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_disk: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azure_file: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iscsi: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glusterfs: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbd: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cephfs: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cinder: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fc: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flex_volume: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flocker: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vsphere_volume: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quobyte: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photon_persistent_disk: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portworx_volume: Option<Raw>,
    #[serde(rename = "scaleIO", default, skip_serializing_if = "Option::is_none")]
    pub scale_io: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storageos: Option<Raw>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmptyDirSource {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub medium: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_limit: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostPathSource {
    #[serde(default)]
    pub path: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyToPath {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub path: String,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub mode: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConfigMapSource {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_mode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretSource {
    #[serde(default)]
    pub secret_name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_mode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClaimSource {
    #[serde(default)]
    pub claim_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectedSource {
    #[serde(default)]
    pub sources: Vec<Projection>,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_mode: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Projection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<ProjectedObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<ProjectedObject>,
    #[serde(
        rename = "downwardAPI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub downward_api: Option<DownwardApiSource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_token: Option<TokenProjection>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_trust_bundle: Option<Raw>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProjectedObject {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<KeyToPath>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenProjection {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub audience: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_seconds: Option<i64>,
    #[serde(default)]
    pub path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownwardApiSource {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<DownwardApiFile>,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_mode: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownwardApiFile {
    #[serde(default)]
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_field_ref: Option<ResourceFieldRef>,
    #[serde(
        default,
        deserialize_with = "file_mode",
        skip_serializing_if = "Option::is_none"
    )]
    pub mode: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldRef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default)]
    pub field_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceFieldRef {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub container_name: String,
    #[serde(default)]
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub divisor: Option<Quantity>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VolumeMount {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub mount_path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub_path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sub_path_expr: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount_propagation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive_read_only: Option<String>,
}

impl VolumeMount {
    pub fn read_only(&self) -> bool {
        self.read_only == Some(true)
    }
}

/// A key of a ConfigMap or Secret, for `env[].valueFrom`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeySelector {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVarSource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_key_ref: Option<KeySelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key_ref: Option<KeySelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_ref: Option<FieldRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_field_ref: Option<ResourceFieldRef>,
}

/// A whole ConfigMap or Secret, for `envFrom`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectRef {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvFromSource {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map_ref: Option<ObjectRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<ObjectRef>,
}

/// A file mode as kubectl's YAML 1.1 reads it: `0400` is octal (256), as in the docs'
/// examples; `256` and `0o400` too.
fn file_mode<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::de::Error;
    match Option::<Raw>::deserialize(d)? {
        None | Some(Raw::Null) => Ok(None),
        Some(Raw::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("invalid type: number {n}, expected i32"))),
        Some(Raw::String(s)) => {
            let octal = s.strip_prefix("0o").or_else(|| s.strip_prefix('0'));
            match octal {
                Some(digits) if !digits.is_empty() => i64::from_str_radix(digits, 8).map(Some),
                _ => s.parse::<i64>().map(Some),
            }
            .map_err(|_| D::Error::custom(format!("invalid type: string {s:?}, expected i32")))
        }
        Some(_) => Err(D::Error::custom("invalid type: expected i32")),
    }
}

/// What a volume is, for the kubelet and for `kubectl describe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    EmptyDir,
    HostPath,
    ConfigMap,
    Secret,
    Claim,
    Projected,
    DownwardApi,
    /// A source the simulator accepts but gives no files (`nfs`, `csi`, cloud disks).
    Other(&'static str),
}

impl Volume {
    /// The sources set, by their field names.
    pub fn sources(&self) -> Vec<(&'static str, SourceKind)> {
        let mut out = Vec::new();
        let typed = [
            ("emptyDir", self.empty_dir.is_some(), SourceKind::EmptyDir),
            ("hostPath", self.host_path.is_some(), SourceKind::HostPath),
            (
                "configMap",
                self.config_map.is_some(),
                SourceKind::ConfigMap,
            ),
            ("secret", self.secret.is_some(), SourceKind::Secret),
            (
                "persistentVolumeClaim",
                self.persistent_volume_claim.is_some(),
                SourceKind::Claim,
            ),
            ("projected", self.projected.is_some(), SourceKind::Projected),
            (
                "downwardAPI",
                self.downward_api.is_some(),
                SourceKind::DownwardApi,
            ),
        ];
        for (name, set, kind) in typed {
            if set {
                out.push((name, kind));
            }
        }
        let other = [
            ("nfs", &self.nfs),
            ("csi", &self.csi),
            ("ephemeral", &self.ephemeral),
            ("image", &self.image),
            ("awsElasticBlockStore", &self.aws_elastic_block_store),
            ("gcePersistentDisk", &self.gce_persistent_disk),
            ("azureDisk", &self.azure_disk),
            ("azureFile", &self.azure_file),
            ("gitRepo", &self.git_repo),
            ("iscsi", &self.iscsi),
            ("glusterfs", &self.glusterfs),
            ("rbd", &self.rbd),
            ("cephfs", &self.cephfs),
            ("cinder", &self.cinder),
            ("fc", &self.fc),
            ("flexVolume", &self.flex_volume),
            ("flocker", &self.flocker),
            ("vsphereVolume", &self.vsphere_volume),
            ("quobyte", &self.quobyte),
            ("photonPersistentDisk", &self.photon_persistent_disk),
            ("portworxVolume", &self.portworx_volume),
            ("scaleIO", &self.scale_io),
            ("storageos", &self.storageos),
        ];
        for (name, v) in other {
            if v.is_some() {
                out.push((name, SourceKind::Other(name)));
            }
        }
        out
    }

    pub fn kind(&self) -> Option<SourceKind> {
        self.sources().first().map(|s| s.1)
    }
}

/// The ConfigMaps and Secrets a pod's containers and volumes name (for the kubelet: which
/// objects to look at).
pub fn references(spec: &PodSpec) -> bool {
    spec.volumes.iter().any(|v| {
        v.config_map.is_some()
            || v.secret.is_some()
            || v.projected.is_some()
            || v.downward_api.is_some()
    }) || spec
        .init_containers
        .iter()
        .chain(spec.containers.iter())
        .any(|c| !c.env_from.is_empty() || c.env.iter().any(|e| e.value_from.is_some()))
}

const MODE_MSG: &str = "must be a number between 0 and 0777 (octal), both inclusive";

fn check_mode(errs: &mut Vec<FieldError>, path: String, mode: Option<i64>) {
    if let Some(m) = mode {
        if !(0..=0o777).contains(&m) {
            errs.push(FieldError::invalid_int(path, m, MODE_MSG));
        }
    }
}

/// A relative path inside a volume (an item's `path`, a `subPath`).
fn check_relative(errs: &mut Vec<FieldError>, path: String, value: &str, required: bool) {
    if value.is_empty() {
        if required {
            errs.push(FieldError::required(path, ""));
        }
        return;
    }
    if value.starts_with('/') {
        errs.push(FieldError::invalid_str(
            path.clone(),
            value,
            "must be a relative path",
        ));
    }
    if value.split('/').any(|p| p == "..") {
        errs.push(FieldError::invalid_str(
            path,
            value,
            "must not contain '..'",
        ));
    }
}

fn check_items(errs: &mut Vec<FieldError>, path: &str, items: &[KeyToPath]) {
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}.items[{i}]");
        if item.key.is_empty() {
            errs.push(FieldError::required(format!("{p}.key"), ""));
        }
        check_relative(errs, format!("{p}.path"), &item.path, true);
        check_mode(errs, format!("{p}.mode"), item.mode);
    }
}

fn check_object_name(errs: &mut Vec<FieldError>, path: String, name: &str) {
    if name.is_empty() {
        errs.push(FieldError::required(path, ""));
    } else if !is_dns1123_subdomain(name) {
        errs.push(FieldError::invalid_str(
            path,
            name,
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
        ));
    }
}

const HOST_PATH_TYPES: [&str; 8] = [
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

/// `validVolumeDownwardAPIFieldPathExpressions`.
const FIELD_PATHS: [&str; 5] = [
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];
/// `validEnvDownwardAPIFieldPathExpressions` (labels and annotations only by key).
const ENV_FIELD_PATHS: [&str; 9] = [
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];
const RESOURCES: [&str; 6] = [
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

fn check_field_ref(errs: &mut Vec<FieldError>, path: &str, f: &FieldRef, env: bool) {
    let p = format!("{path}.fieldPath");
    if f.field_path.is_empty() {
        errs.push(FieldError::required(p, ""));
        return;
    }
    let subscript = (f.field_path.starts_with("metadata.labels['")
        || f.field_path.starts_with("metadata.annotations['"))
        && f.field_path.ends_with("']");
    if subscript {
        return;
    }
    let known: &[&'static str] = if env { &ENV_FIELD_PATHS } else { &FIELD_PATHS };
    if !known.contains(&f.field_path.as_str()) {
        errs.push(FieldError::unsupported(p, &f.field_path, known));
    }
}

fn check_resource_ref(errs: &mut Vec<FieldError>, path: &str, r: &ResourceFieldRef) {
    let p = format!("{path}.resource");
    if r.resource.is_empty() {
        errs.push(FieldError::required(p, ""));
    } else if !RESOURCES.contains(&r.resource.as_str()) {
        errs.push(FieldError::unsupported(p, &r.resource, &RESOURCES));
    }
}

fn check_downward(errs: &mut Vec<FieldError>, path: &str, d: &DownwardApiSource) {
    for (i, item) in d.items.iter().enumerate() {
        let p = format!("{path}.items[{i}]");
        check_relative(errs, format!("{p}.path"), &item.path, true);
        check_mode(errs, format!("{p}.mode"), item.mode);
        match (&item.field_ref, &item.resource_field_ref) {
            (Some(f), None) => check_field_ref(errs, &format!("{p}.fieldRef"), f, false),
            (None, Some(r)) => {
                if r.container_name.is_empty() {
                    errs.push(FieldError::required(
                        format!("{p}.resourceFieldRef.containerName"),
                        "",
                    ));
                }
                check_resource_ref(errs, &format!("{p}.resourceFieldRef"), r)
            }
            (Some(_), Some(_)) => errs.push(FieldError::invalid_raw(
                p,
                "",
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            )),
            (None, None) => {}
        }
    }
}

/// Field errors of a pod spec's volumes and of its containers' mounts and config references.
/// `claim_templates`: names a StatefulSet's volumeClaimTemplates add to its pods (mounts may
/// name them).
pub fn validate(spec: &PodSpec, path: &str, claim_templates: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    for (i, v) in spec.volumes.iter().enumerate() {
        let p = format!("{path}.volumes[{i}]");
        if v.name.is_empty() {
            errs.push(FieldError::required(format!("{p}.name"), ""));
        } else if !is_dns1123_label(&v.name) {
            errs.push(FieldError::invalid_str(
                format!("{p}.name"),
                &v.name,
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
            ));
        } else if names.contains(&v.name.as_str()) {
            errs.push(FieldError::duplicate(format!("{p}.name"), &v.name));
        } else {
            names.push(&v.name);
        }
        let sources = v.sources();
        if sources.is_empty() {
            errs.push(FieldError::required(
                p.clone(),
                "must specify a volume type",
            ));
        }
        for (field, _) in sources.iter().skip(1) {
            errs.push(FieldError::forbidden(
                format!("{p}.{field}"),
                "may not specify more than 1 volume type",
            ));
        }
        if let Some(h) = &v.host_path {
            if h.path.is_empty() {
                errs.push(FieldError::required(format!("{p}.hostPath.path"), ""));
            }
            if let Some(t) = &h.type_ {
                if !HOST_PATH_TYPES.contains(&t.as_str()) {
                    errs.push(FieldError::unsupported(
                        format!("{p}.hostPath.type"),
                        t,
                        &HOST_PATH_TYPES,
                    ));
                }
            }
        }
        if let Some(e) = &v.empty_dir {
            if !["", "Memory", "HugePages"].contains(&e.medium.as_str())
                && !e.medium.starts_with("HugePages-")
            {
                errs.push(FieldError::unsupported(
                    format!("{p}.emptyDir.medium"),
                    &e.medium,
                    &["", "Memory", "HugePages"],
                ));
            }
            if let Some(q) = &e.size_limit {
                if crate::sim::quantity::bytes(&q.0).is_none() {
                    errs.push(FieldError::invalid_str(
                        format!("{p}.emptyDir.sizeLimit"),
                        &q.0,
                        "must be a valid quantity",
                    ));
                }
            }
        }
        if let Some(c) = &v.config_map {
            check_object_name(&mut errs, format!("{p}.configMap.name"), &c.name);
            check_items(&mut errs, &format!("{p}.configMap"), &c.items);
            check_mode(
                &mut errs,
                format!("{p}.configMap.defaultMode"),
                c.default_mode,
            );
        }
        if let Some(s) = &v.secret {
            check_object_name(&mut errs, format!("{p}.secret.secretName"), &s.secret_name);
            check_items(&mut errs, &format!("{p}.secret"), &s.items);
            check_mode(&mut errs, format!("{p}.secret.defaultMode"), s.default_mode);
        }
        if let Some(c) = &v.persistent_volume_claim {
            if c.claim_name.is_empty() {
                errs.push(FieldError::required(
                    format!("{p}.persistentVolumeClaim.claimName"),
                    "",
                ));
            }
        }
        if let Some(d) = &v.downward_api {
            check_downward(&mut errs, &format!("{p}.downwardAPI"), d);
            check_mode(
                &mut errs,
                format!("{p}.downwardAPI.defaultMode"),
                d.default_mode,
            );
        }
        if let Some(pr) = &v.projected {
            check_mode(
                &mut errs,
                format!("{p}.projected.defaultMode"),
                pr.default_mode,
            );
            for (j, s) in pr.sources.iter().enumerate() {
                let sp = format!("{p}.projected.sources[{j}]");
                if let Some(c) = &s.config_map {
                    check_object_name(&mut errs, format!("{sp}.configMap.name"), &c.name);
                    check_items(&mut errs, &format!("{sp}.configMap"), &c.items);
                }
                if let Some(c) = &s.secret {
                    check_object_name(&mut errs, format!("{sp}.secret.name"), &c.name);
                    check_items(&mut errs, &format!("{sp}.secret"), &c.items);
                }
                if let Some(d) = &s.downward_api {
                    check_downward(&mut errs, &format!("{sp}.downwardAPI"), d);
                }
                if let Some(t) = &s.service_account_token {
                    check_relative(
                        &mut errs,
                        format!("{sp}.serviceAccountToken.path"),
                        &t.path,
                        true,
                    );
                    if let Some(e) = t.expiration_seconds {
                        if e < 600 {
                            errs.push(FieldError::invalid_int(
                                format!("{sp}.serviceAccountToken.expirationSeconds"),
                                e,
                                "may not specify a duration less than 10 minutes",
                            ));
                        }
                    }
                }
            }
        }
    }
    let groups = [
        ("initContainers", &spec.init_containers),
        ("containers", &spec.containers),
    ];
    for (field, list) in groups {
        for (i, c) in list.iter().enumerate() {
            let cp = format!("{path}.{field}[{i}]");
            let mut paths: Vec<&str> = Vec::new();
            for (j, m) in c.volume_mounts.iter().enumerate() {
                let p = format!("{cp}.volumeMounts[{j}]");
                if m.name.is_empty() {
                    errs.push(FieldError::required(format!("{p}.name"), ""));
                } else if !names.contains(&m.name.as_str())
                    && !claim_templates.contains(&m.name.as_str())
                {
                    errs.push(FieldError {
                        path: format!("{p}.name"),
                        kind: FieldErrorKind::NotFound(format!("{:?}", m.name)),
                    });
                }
                if m.mount_path.is_empty() {
                    errs.push(FieldError::required(format!("{p}.mountPath"), ""));
                } else if paths.contains(&m.mount_path.as_str()) {
                    errs.push(FieldError::invalid_str(
                        format!("{p}.mountPath"),
                        &m.mount_path,
                        "must be unique",
                    ));
                } else {
                    paths.push(&m.mount_path);
                }
                check_relative(&mut errs, format!("{p}.subPath"), &m.sub_path, false);
                if !m.sub_path.is_empty() && !m.sub_path_expr.is_empty() {
                    errs.push(FieldError::invalid_str(
                        format!("{p}.subPathExpr"),
                        &m.sub_path_expr,
                        "subPathExpr and subPath are mutually exclusive",
                    ));
                }
                if let Some(mp) = &m.mount_propagation {
                    const MODES: [&str; 3] = ["Bidirectional", "HostToContainer", "None"];
                    if !MODES.contains(&mp.as_str()) {
                        errs.push(FieldError::unsupported(
                            format!("{p}.mountPropagation"),
                            mp,
                            &MODES,
                        ));
                    }
                }
            }
            for (j, e) in c.env_from.iter().enumerate() {
                let p = format!("{cp}.envFrom[{j}]");
                match (&e.config_map_ref, &e.secret_ref) {
                    (Some(r), None) => {
                        check_object_name(&mut errs, format!("{p}.configMapRef.name"), &r.name)
                    }
                    (None, Some(r)) => {
                        check_object_name(&mut errs, format!("{p}.secretRef.name"), &r.name)
                    }
                    (None, None) => errs.push(FieldError::invalid_raw(
                        p,
                        "",
                        "must specify one of: `configMapRef` or `secretRef`",
                    )),
                    (Some(_), Some(_)) => errs.push(FieldError::invalid_raw(
                        p,
                        "",
                        "may not have more than one field specified at a time",
                    )),
                }
            }
            for (j, e) in c.env.iter().enumerate() {
                let Some(src) = &e.value_from else { continue };
                let p = format!("{cp}.env[{j}].valueFrom");
                let set = [
                    src.config_map_key_ref.is_some(),
                    src.secret_key_ref.is_some(),
                    src.field_ref.is_some(),
                    src.resource_field_ref.is_some(),
                ]
                .iter()
                .filter(|x| **x)
                .count();
                if e.value.as_deref().is_some_and(|v| !v.is_empty()) {
                    errs.push(FieldError::invalid_raw(
                        p.clone(),
                        "",
                        "may not be specified when `value` is not empty",
                    ));
                }
                if set == 0 {
                    errs.push(FieldError::invalid_raw(
                        p.clone(),
                        "",
                        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`",
                    ));
                } else if set > 1 {
                    errs.push(FieldError::invalid_raw(
                        p.clone(),
                        "",
                        "may not have more than one field specified at a time",
                    ));
                }
                for (field, k) in [
                    ("configMapKeyRef", &src.config_map_key_ref),
                    ("secretKeyRef", &src.secret_key_ref),
                ] {
                    if let Some(k) = k {
                        check_object_name(&mut errs, format!("{p}.{field}.name"), &k.name);
                        if k.key.is_empty() {
                            errs.push(FieldError::required(format!("{p}.{field}.key"), ""));
                        }
                    }
                }
                if let Some(f) = &src.field_ref {
                    check_field_ref(&mut errs, &format!("{p}.fieldRef"), f, true);
                }
                if let Some(r) = &src.resource_field_ref {
                    check_resource_ref(&mut errs, &format!("{p}.resourceFieldRef"), r);
                }
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::Container;

    fn spec(yaml: &str) -> PodSpec {
        serde_yaml::from_str(yaml).expect("test spec")
    }

    #[test]
    fn mounts_must_name_a_volume() {
        let s = spec(
            "containers:\n- name: a\n  image: nginx\n  volumeMounts:\n  - name: data\n    mountPath: /data\n",
        );
        let errs: Vec<String> = validate(&s, "spec", &[])
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errs,
            ["spec.containers[0].volumeMounts[0].name: Not found: \"data\""]
        );
        assert!(validate(&s, "spec", &["data"]).is_empty());
    }

    #[test]
    fn a_volume_needs_exactly_one_source() {
        let s = spec("containers: []\nvolumes:\n- name: a\n- name: b\n  emptyDir: {}\n  hostPath:\n    path: /x\n");
        let errs: Vec<String> = validate(&s, "spec", &[])
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errs,
            [
                "spec.volumes[0]: Required value: must specify a volume type",
                "spec.volumes[1].hostPath: Forbidden: may not specify more than 1 volume type"
            ]
        );
    }

    #[test]
    fn sub_paths_stay_inside() {
        let mut s = spec("volumes:\n- name: a\n  emptyDir: {}\n");
        s.containers = vec![Container {
            name: "c".into(),
            image: "nginx".into(),
            volume_mounts: vec![VolumeMount {
                name: "a".into(),
                mount_path: "/x".into(),
                sub_path: "../etc".into(),
                ..Default::default()
            }],
            ..Default::default()
        }]
        .into();
        let errs: Vec<String> = validate(&s, "spec", &[])
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(
            errs,
            ["spec.containers[0].volumeMounts[0].subPath: Invalid value: \"../etc\": must not contain '..'"]
        );
    }
}
