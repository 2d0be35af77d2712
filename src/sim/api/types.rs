//! The API object types, shaped like Kubernetes' own (field names, nesting, camelCase in YAML).
//! Fields the simulation does not act on yet are still accepted (as raw YAML) so that real
//! manifests apply; unknown fields are rejected, as the API server's strict decoding does.

use super::time::Time;
use serde::{Deserialize, Deserializer, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A subtree we accept and keep but do not interpret (yet).
pub type Raw = serde_yaml::Value;
pub type Labels = BTreeMap<String, String>;
/// A string that is nearly always one of a few words (`Always`, `Running`, `v1`): those are
/// borrowed, anything else owned.
pub type Word = Cow<'static, str>;

/// A value shared between copies until one of them changes it (copy on write). The pods of a
/// ReplicaSet share their containers with its template, so copying a pod, which the control
/// loops do at every step, does not copy them, and 100,000 pods do not hold 100,000 copies.
/// It reads, compares and (de)serialises as the value itself.
#[derive(Clone, Default)]
pub struct Shared<T>(std::sync::Arc<T>);

impl<T> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        Shared(std::sync::Arc::new(value))
    }
}

impl<T: Clone + PartialEq> Shared<T> {
    /// Apply `f` to a copy, and keep sharing when it changed nothing.
    pub fn update(&mut self, f: impl FnOnce(&mut T)) {
        let mut v = (*self.0).clone();
        f(&mut v);
        if v != *self.0 {
            self.0 = std::sync::Arc::new(v);
        }
    }
}

impl<T> Shared<T> {
    /// Whether both are the same value in memory (not only equal).
    pub fn ptr_eq(&self, other: &Shared<T>) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> std::ops::DerefMut for Shared<T> {
    fn deref_mut(&mut self) -> &mut T {
        std::sync::Arc::make_mut(&mut self.0)
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || *self.0 == *other.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<T> From<T> for Shared<T> {
    fn from(value: T) -> Self {
        Shared::new(value)
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Shared::new)
    }
}

/// A text shared between copies, in one allocation of its exact length (none when empty):
/// a container's ID, which its status and the kubelet's record both hold. It reads, compares
/// and (de)serialises as the text.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SharedStr(Option<std::sync::Arc<str>>);

impl SharedStr {
    pub fn new(text: &str) -> SharedStr {
        SharedStr((!text.is_empty()).then(|| text.into()))
    }
}

impl std::ops::Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_deref().unwrap_or("")
    }
}

impl std::fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl std::fmt::Display for SharedStr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl Serialize for SharedStr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (**self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| SharedStr::new(&s))
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
fn is_zero(n: &i64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub generate_name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: Shared<Labels>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub resource_version: String,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub generation: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    /// Shared between the objects one controller makes (the pods of a ReplicaSet hold one
    /// copy of their owner reference and its four strings).
    pub owner_references: Shared<Vec<OwnerReference>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
    #[serde(default, skip_serializing)]
    pub managed_fields: Option<Box<Raw>>,
    #[serde(default, skip_serializing)]
    pub self_link: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OwnerReference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// A resource quantity (`500m`, `64Mi`, `1`). YAML may give it as a number or a string.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Quantity(pub String);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Raw::deserialize(d)? {
            Raw::String(s) => Ok(Quantity(s)),
            Raw::Number(n) => Ok(Quantity(n.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$', got {}",
                crate::manifest::describe_value(&other)
            ))),
        }
    }
}

/// `IntOrString`, as `targetPort` and `maxSurge` are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    Int(i64),
    Str(String),
}

// ---------------------------------------------------------------- Pod

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pod {
    /// Words from a small set (here and in the spec and status below): borrowed, not
    /// allocated, when the simulator writes them (100,000 pods hold them).
    #[serde(default = "v1_word")]
    pub api_version: Word,
    #[serde(default = "pod_kind")]
    pub kind: Word,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: PodSpec,
    #[serde(default)]
    pub status: PodStatus,
}

fn v1() -> String {
    "v1".into()
}
fn v1_word() -> Word {
    "v1".into()
}
fn pod_kind() -> Word {
    "Pod".into()
}

/// A pod's spec. Pods made from one template differ only in their node, their tolerations
/// and their service account (admission adds those two to pods, not to templates: the
/// DefaultTolerationSeconds and ServiceAccount plugins), so those three are its own and
/// everything else is [`PodSpecFields`], shared with the template until one of them changes
/// it (copy on write, as `Shared`): 100,000 pods of 1,000 templates hold 1,000 copies of it,
/// not 100,000. It reads as the fields (`spec.containers`), and (de)serialises and compares
/// as one spec with all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct PodSpec {
    pub node_name: String,
    pub tolerations: Shared<Vec<Toleration>>,
    pub service_account_name: Word,
    /// Its `node_name`, `tolerations` and `service_account_name` stay empty: the ones above
    /// are the pod's.
    fields: Shared<PodSpecFields>,
}

impl Default for PodSpec {
    fn default() -> Self {
        // One empty spec for every default one (templates and pods built in code start so).
        thread_local! {
            static EMPTY: Shared<PodSpecFields> = Shared::new(PodSpecFields::default());
        }
        PodSpec {
            node_name: String::new(),
            tolerations: Shared::default(),
            service_account_name: Word::Borrowed(""),
            fields: EMPTY.with(Shared::clone),
        }
    }
}

impl PodSpec {
    /// Whether the two share their fields (one was copied from the other and neither changed
    /// them since).
    pub fn shares_fields_with(&self, other: &PodSpec) -> bool {
        self.fields.ptr_eq(&other.fields)
    }

    /// The whole spec, as one struct.
    pub fn to_fields(&self) -> PodSpecFields {
        let mut all = (*self.fields).clone();
        all.node_name = self.node_name.clone();
        all.tolerations = self.tolerations.clone();
        all.service_account_name = self.service_account_name.clone();
        all
    }
}

impl From<PodSpecFields> for PodSpec {
    fn from(mut fields: PodSpecFields) -> Self {
        PodSpec {
            node_name: std::mem::take(&mut fields.node_name),
            tolerations: std::mem::take(&mut fields.tolerations),
            service_account_name: std::mem::take(&mut fields.service_account_name),
            fields: Shared::new(fields),
        }
    }
}

impl std::ops::Deref for PodSpec {
    type Target = PodSpecFields;
    fn deref(&self) -> &PodSpecFields {
        &self.fields
    }
}

impl std::ops::DerefMut for PodSpec {
    /// Copies the shared fields first if another spec holds them.
    fn deref_mut(&mut self) -> &mut PodSpecFields {
        &mut self.fields
    }
}

impl Serialize for PodSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.node_name.is_empty()
            && self.tolerations.is_empty()
            && self.service_account_name.is_empty()
        {
            self.fields.serialize(s)
        } else {
            self.to_fields().serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for PodSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PodSpecFields::deserialize(d).map(PodSpec::from)
    }
}

/// Every field of a pod's spec, in the API's order (see [`PodSpec`] for how pods hold it).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PodSpecFields {
    #[serde(default)]
    pub containers: Shared<Vec<Container>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub restart_policy: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub dns_policy: Word,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_selector: Labels,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub service_account_name: Word,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub service_account: Word,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automount_service_account_token: Option<bool>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub node_name: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub host_network: bool,
    #[serde(rename = "hostPID", default, skip_serializing_if = "is_false")]
    pub host_pid: bool,
    #[serde(rename = "hostIPC", default, skip_serializing_if = "is_false")]
    pub host_ipc: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_process_namespace: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Box<Raw>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub image_pull_secrets: Vec<Raw>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub subdomain: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<Raw>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub scheduler_name: Word,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Shared<Vec<Toleration>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub host_aliases: Vec<Raw>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub priority_class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_config: Option<Box<Raw>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub readiness_gates: Vec<Raw>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub runtime_class_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_service_links: Option<bool>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub preemption_policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overhead: Option<Box<Raw>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topology_spread_constraints: Vec<Raw>,
    #[serde(
        rename = "setHostnameAsFQDN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub set_hostname_as_fqdn: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<Box<Raw>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_users: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduling_gates: Vec<Raw>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_claims: Vec<Raw>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ephemeral_containers: Vec<Raw>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<super::volumes::Volume>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Container {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<ContainerPort>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<EnvVar>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub env_from: Vec<super::volumes::EnvFromSource>,
    #[serde(default, skip_serializing_if = "ResourceRequirements::is_empty")]
    pub resources: ResourceRequirements,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_mounts: Vec<super::volumes::VolumeMount>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub volume_devices: Vec<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub liveness_probe: Option<Probe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness_probe: Option<Probe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub startup_probe: Option<Probe>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Raw>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub termination_message_path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub termination_message_policy: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub image_pull_policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<Raw>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub stdin: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub stdin_once: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub tty: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resize_policy: Vec<Raw>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub restart_policy: String,
}

/// A liveness, readiness or startup probe (fact 19 gives the defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Probe {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_get: Option<HttpGetAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcp_socket: Option<TcpSocketAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<ExecAction>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grpc: Option<Raw>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub success_threshold: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpGetAction {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    pub port: IntOrString,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scheme: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub http_headers: Vec<Raw>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TcpSocketAction {
    pub port: IntOrString,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExecAction {
    #[serde(default)]
    pub command: Vec<String>,
}

impl Default for IntOrString {
    fn default() -> Self {
        IntOrString::Int(0)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContainerPort {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub container_port: i64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub protocol: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_port: Option<i64>,
    #[serde(rename = "hostIP", default, skip_serializing_if = "String::is_empty")]
    pub host_ip: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvVar {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_from: Option<super::volumes::EnvVarSource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceRequirements {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<String, Quantity>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Quantity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims: Vec<Raw>,
}

impl ResourceRequirements {
    pub fn is_empty(&self) -> bool {
        self.limits.is_empty() && self.requests.is_empty() && self.claims.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Toleration {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub operator: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub effect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toleration_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodStatus {
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub phase: Word,
    /// Shared between the pods that report the same conditions (copy on write, as
    /// `Shared`): the pods of a ReplicaSet started together are scheduled, initialised and
    /// Ready in the same seconds, and the kubelet hands them one copy (`kubelet.rs`).
    #[serde(default = "no_conditions", skip_serializing_if = "Vec::is_empty")]
    pub conditions: Shared<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(rename = "hostIP", default, skip_serializing_if = "String::is_empty")]
    pub host_ip: String,
    #[serde(rename = "podIP", default, skip_serializing_if = "String::is_empty")]
    pub pod_ip: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub qos_class: Word,
}

/// One copy of the empty list, for every pod that has no conditions yet (no allocation per
/// new pod).
pub fn no_conditions() -> Shared<Vec<Condition>> {
    thread_local! {
        static EMPTY: Shared<Vec<Condition>> = Shared::new(Vec::new());
    }
    EMPTY.with(Shared::clone)
}

impl Default for PodStatus {
    fn default() -> Self {
        PodStatus {
            phase: Word::Borrowed(""),
            conditions: no_conditions(),
            reason: String::new(),
            message: String::new(),
            host_ip: String::new(),
            pod_ip: String::new(),
            start_time: None,
            init_container_statuses: Vec::new(),
            container_statuses: Vec::new(),
            qos_class: Word::Borrowed(""),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    /// Type, status and reason come from a small set of words: borrowed, not allocated, when
    /// the simulator writes them (every pod carries four conditions).
    #[serde(rename = "type")]
    pub type_: Cow<'static, str>,
    pub status: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_update_time: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    #[serde(default, skip_serializing_if = "str::is_empty")]
    pub reason: Cow<'static, str>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerStatus {
    pub name: String,
    #[serde(default)]
    pub state: ContainerState,
    #[serde(default, skip_serializing_if = "ContainerState::is_empty")]
    pub last_state: ContainerState,
    #[serde(default)]
    pub ready: bool,
    #[serde(default)]
    pub restart_count: i64,
    #[serde(default)]
    pub image: String,
    #[serde(rename = "imageID", default, skip_serializing_if = "String::is_empty")]
    pub image_id: String,
    #[serde(rename = "containerID", default, skip_serializing_if = "str::is_empty")]
    /// The kubelet's record of the container holds the same copy.
    pub container_id: SharedStr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting: Option<StateWaiting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub running: Option<StateRunning>,
    /// Boxed: every container status carries a state and a last state, and most are not
    /// terminated (the struct is 120 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminated: Option<Box<StateTerminated>>,
}

impl ContainerState {
    pub fn is_empty(&self) -> bool {
        self.waiting.is_none() && self.running.is_none() && self.terminated.is_none()
    }
    pub fn waiting(reason: &str, message: &str) -> Self {
        ContainerState {
            waiting: Some(StateWaiting {
                reason: reason.into(),
                message: message.into(),
            }),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateWaiting {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateRunning {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StateTerminated {
    pub exit_code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
}

// ---------------------------------------------------------------- Node

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Node {
    #[serde(default = "v1")]
    pub api_version: String,
    #[serde(default = "node_kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NodeSpec,
    #[serde(default)]
    pub status: NodeStatus,
}

fn node_kind() -> String {
    "Node".into()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSpec {
    #[serde(rename = "podCIDR", default, skip_serializing_if = "String::is_empty")]
    pub pod_cidr: String,
    #[serde(rename = "podCIDRs", default, skip_serializing_if = "Vec::is_empty")]
    pub pod_cidrs: Vec<String>,
    #[serde(
        rename = "providerID",
        default,
        skip_serializing_if = "String::is_empty"
    )]
    pub provider_id: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unschedulable: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taints: Vec<Taint>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Taint {
    pub key: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub value: String,
    pub effect: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_added: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeStatus {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<String, Quantity>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub allocatable: BTreeMap<String, Quantity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<NodeAddress>,
    #[serde(default)]
    pub node_info: NodeSystemInfo,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeAddress {
    #[serde(rename = "type")]
    pub type_: String,
    pub address: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NodeSystemInfo {
    #[serde(default)]
    pub kubelet_version: String,
    #[serde(default)]
    pub container_runtime_version: String,
    #[serde(default)]
    pub os_image: String,
    #[serde(default)]
    pub kernel_version: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub operating_system: String,
}

// ---------------------------------------------------------------- Namespace

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Namespace {
    #[serde(default = "v1")]
    pub api_version: String,
    #[serde(default = "namespace_kind")]
    pub kind: String,
    #[serde(default)]
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub spec: NamespaceSpec,
    #[serde(default)]
    pub status: NamespaceStatus,
}

fn namespace_kind() -> String {
    "Namespace".into()
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamespaceSpec {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamespaceStatus {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phase: String,
}

// ---------------------------------------------------------------- Event

/// An event, as `kubectl describe` and `kubectl get events` show them (core/v1 Event).
///
/// 80 bytes: a cluster keeps six per pod. The strings many events repeat are shared (the
/// namespace, the object's name between its events, recurring messages) and the four words
/// from the program's own text (kind, type, reason, source) are one pointer to a shared
/// [`EventWords`].
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Shared by the events of a namespace (the store keeps one copy of each name).
    pub namespace: std::sync::Arc<str>,
    /// Shared by the events of one object that come together (a pod's Scheduled, Pulling, …).
    pub involved_name: std::sync::Arc<str>,
    pub words: &'static EventWords,
    /// Shared between events that say the same (`Started container nginx`, on every pod
    /// made from one template).
    pub message: std::sync::Arc<str>,
    pub first_timestamp: u64,
    pub last_timestamp: u64,
    pub count: u32,
    /// A hash of what aggregation compares (object, reason, message), to find repeats fast
    /// (32 bits: beside `count` in one word; a collision only costs a full comparison).
    pub key: u32,
}

/// The words of an event that come from the program's text: the involved object's kind, the
/// type (`Normal` or `Warning`), the reason and the reporting component (`default-scheduler`,
/// `kubelet`, …). One shared copy of each combination (there are a few dozen).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct EventWords {
    pub kind: &'static str,
    pub type_: &'static str,
    pub reason: &'static str,
    pub source: &'static str,
}

impl EventWords {
    /// The shared copy of these words (made the first time they are asked for; never freed,
    /// as there are only as many as the program has distinct event kinds).
    pub fn of(
        kind: &'static str,
        type_: &'static str,
        reason: &'static str,
        source: &'static str,
    ) -> &'static EventWords {
        use std::collections::HashSet;
        use std::sync::Mutex;
        static ALL: Mutex<Option<HashSet<&'static EventWords>>> = Mutex::new(None);
        let words = EventWords {
            kind,
            type_,
            reason,
            source,
        };
        let mut all = ALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let all = all.get_or_insert_with(HashSet::new);
        if let Some(shared) = all.get(&words) {
            return shared;
        }
        let shared: &'static EventWords = Box::leak(Box::new(words));
        all.insert(shared);
        shared
    }
}

impl Event {
    pub fn involved_kind(&self) -> &'static str {
        self.words.kind
    }
    /// `Normal` or `Warning`.
    pub fn type_(&self) -> &'static str {
        self.words.type_
    }
    pub fn reason(&self) -> &'static str {
        self.words.reason
    }
    /// The component that reported it.
    pub fn source(&self) -> &'static str {
        self.words.source
    }
}

/// Serialised with the fields it had as a flat struct, in that order.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = ser.serialize_struct("Event", 10)?;
        s.serialize_field("namespace", &*self.namespace)?;
        s.serialize_field("involvedKind", self.words.kind)?;
        s.serialize_field("involvedName", &*self.involved_name)?;
        s.serialize_field("type", self.words.type_)?;
        s.serialize_field("reason", self.words.reason)?;
        s.serialize_field("message", &*self.message)?;
        s.serialize_field("source", self.words.source)?;
        s.serialize_field("firstTimestamp", &self.first_timestamp)?;
        s.serialize_field("lastTimestamp", &self.last_timestamp)?;
        s.serialize_field("count", &self.count)?;
        s.end()
    }
}
