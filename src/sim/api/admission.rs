//! Admission: defaulting and validation, with the API server's field error texts (fact 90).

use super::store::ClusterConfig;
use super::store::Resource;
use super::types::*;
use super::workloads::*;
use std::fmt;

/// One field error, printed as `path: Type: detail` (k8s `field.Error`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub path: String,
    pub kind: FieldErrorKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldErrorKind {
    Required(String),
    /// The value as Go's `%#v`-ish print shows it (strings quoted), and the detail.
    Invalid(String, String),
    Unsupported(String, Vec<String>),
    Duplicate(String),
    Forbidden(String),
    /// `Too long: …` (the value is not printed).
    TooLong(String),
    /// `Not found: "x"` (the value as printed).
    NotFound(String),
}

impl FieldError {
    pub fn required(path: impl Into<String>, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Required(detail.into()),
        }
    }
    pub fn invalid_str(path: impl Into<String>, value: &str, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Invalid(format!("{value:?}"), detail.into()),
        }
    }
    /// An invalid value printed as given (`[]string{"10.0.0.5"}`).
    pub fn invalid_raw(path: impl Into<String>, value: &str, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Invalid(value.into(), detail.into()),
        }
    }
    pub fn invalid_int(path: impl Into<String>, value: i64, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Invalid(value.to_string(), detail.into()),
        }
    }
    pub fn unsupported(path: impl Into<String>, value: &str, supported: &[&'static str]) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Unsupported(
                format!("{value:?}"),
                supported.iter().map(|x| x.to_string()).collect(),
            ),
        }
    }
    pub fn duplicate(path: impl Into<String>, value: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Duplicate(format!("{value:?}")),
        }
    }
    pub fn too_long(path: impl Into<String>, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::TooLong(detail.into()),
        }
    }
    pub fn forbidden(path: impl Into<String>, detail: &str) -> Self {
        FieldError {
            path: path.into(),
            kind: FieldErrorKind::Forbidden(detail.into()),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FieldErrorKind::Required(d) if d.is_empty() => {
                write!(f, "{}: Required value", self.path)
            }
            FieldErrorKind::Required(d) => write!(f, "{}: Required value: {d}", self.path),
            FieldErrorKind::Invalid(v, d) if d.is_empty() => {
                write!(f, "{}: Invalid value: {v}", self.path)
            }
            FieldErrorKind::Invalid(v, d) => write!(f, "{}: Invalid value: {v}: {d}", self.path),
            FieldErrorKind::Unsupported(v, s) => {
                let list: Vec<String> = s.iter().map(|x| format!("{x:?}")).collect();
                write!(
                    f,
                    "{}: Unsupported value: {v}: supported values: {}",
                    self.path,
                    list.join(", ")
                )
            }
            FieldErrorKind::Duplicate(v) => write!(f, "{}: Duplicate value: {v}", self.path),
            FieldErrorKind::Forbidden(d) => write!(f, "{}: Forbidden: {d}", self.path),
            FieldErrorKind::TooLong(d) => write!(f, "{}: Too long: {d}", self.path),
            FieldErrorKind::NotFound(v) => write!(f, "{}: Not found: {v}", self.path),
        }
    }
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Checks common to every kind: the name (fact 12).
pub fn validate_meta<T: Resource>(meta: &ObjectMeta) -> Vec<FieldError> {
    let names = super::unstructured::NameRule::Subdomain;
    validate_meta_of(meta, T::KIND, T::NAMESPACED, names)
}

/// [`validate_meta`] for a kind known by name (the stored kinds of `unstructured.rs`), with
/// the name validation its API server uses.
pub fn validate_meta_of(
    meta: &ObjectMeta,
    kind: &str,
    namespaced: bool,
    names: super::unstructured::NameRule,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if meta.name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else if kind == "Service" {
        // Service names become DNS labels: RFC 1035 (a letter first).
        if !super::service_admission::is_dns1035_label(&meta.name) {
            errs.push(FieldError::invalid_str(
                "metadata.name",
                &meta.name,
                super::service_admission::DNS1035_MSG,
            ));
        }
    } else if kind == "Namespace" {
        if !is_dns1123_label(&meta.name) {
            errs.push(FieldError::invalid_str(
                "metadata.name",
                &meta.name,
                DNS1123_LABEL_MSG,
            ));
        }
    } else if names == super::unstructured::NameRule::PathSegment {
        // apimachinery's path.IsValidPathSegmentName.
        let n = meta.name.as_str();
        let msg = if n == "." || n == ".." {
            Some(format!("may not be '{n}'"))
        } else if n.contains('/') {
            Some("may not contain '/'".to_string())
        } else if n.contains('%') {
            Some("may not contain '%'".to_string())
        } else {
            None
        };
        if let Some(m) = msg {
            errs.push(FieldError::invalid_str("metadata.name", n, &m));
        }
    } else if !is_dns1123_subdomain(&meta.name) {
        errs.push(FieldError::invalid_str(
            "metadata.name",
            &meta.name,
            DNS1123_SUBDOMAIN_MSG,
        ));
    }
    if namespaced && !is_dns1123_label(&meta.namespace) {
        errs.push(FieldError::invalid_str(
            "metadata.namespace",
            &meta.namespace,
            DNS1123_LABEL_MSG,
        ));
    }
    for (k, v) in meta.labels.iter() {
        if let Some(e) = label_key_error(k) {
            errs.push(FieldError::invalid_str("metadata.labels", k, &e));
        }
        if let Some(e) = label_value_error(v) {
            errs.push(FieldError::invalid_str("metadata.labels", v, &e));
        }
    }
    errs
}

fn is_label_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Label keys (fact 6): optional DNS-subdomain prefix, `/`, a name of at most 63 characters.
pub fn label_key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns1123_subdomain(p) {
            return Some(format!("prefix part {DNS1123_SUBDOMAIN_MSG}"));
        }
    }
    if !is_label_name(name) {
        return Some("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into());
    }
    None
}

/// Label values (fact 6): empty, or at most 63 characters shaped like a label name.
pub fn label_value_error(value: &str) -> Option<String> {
    if value.is_empty() || is_label_name(value) {
        None
    } else if value.len() > 63 {
        Some("must be no more than 63 characters".into())
    } else {
        Some("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into())
    }
}

/// Kind-specific admission. Every stored kind implements it.
pub trait Admit {
    fn defaults(&mut self) {}
    fn validate(&self) -> Vec<FieldError> {
        Vec::new()
    }
    fn validate_update(&self, _old: &Self) -> Vec<FieldError> {
        Vec::new()
    }
    /// Take the client's spec over the stored one.
    fn take_spec(&mut self, desired: &Self);
    /// Admission that depends on the cluster's settings.
    fn admit_config(&mut self, _config: &ClusterConfig) {}
    /// Fields the server fills once the object has its uid (a Job's generated selector).
    fn created(&mut self) {}
    /// Cluster-wide allocations after validation (a Service's IP and node ports).
    fn allocate(
        &mut self,
        _store: &super::store::Store,
        _old: Option<&Self>,
        _rng: &mut crate::sim::rng::Rng,
    ) -> Vec<FieldError>
    where
        Self: Sized,
    {
        Vec::new()
    }
}

// ---------------------------------------------------------------- Pod

/// The image's tag, or `latest` when none is given (fact 16).
pub fn image_tag(image: &str) -> &str {
    if image.contains('@') {
        return "";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) => tag,
        None => "latest",
    }
}

pub fn default_pod_spec(spec: &mut PodSpec) {
    if spec.restart_policy.is_empty() {
        spec.restart_policy = "Always".into();
    }
    if spec.termination_grace_period_seconds.is_none() {
        spec.termination_grace_period_seconds = Some(30);
    }
    if spec.dns_policy.is_empty() {
        spec.dns_policy = "ClusterFirst".into();
    }
    if spec.scheduler_name.is_empty() {
        spec.scheduler_name = "default-scheduler".into();
    }
    if spec.enable_service_links.is_none() {
        spec.enable_service_links = Some(true);
    }
    // Containers are shared with the template a pod was made from: they are copied only when
    // defaulting changes something (a template is defaulted when it is admitted).
    if spec.containers.iter().any(container_needs_defaults) {
        spec.containers
            .update(|cs| cs.iter_mut().for_each(default_container));
    }
    // Only when there are any: a pod's fields are shared with its template (`PodSpec`), and
    // reaching them to change would copy them.
    if !spec.init_containers.is_empty() {
        spec.init_containers.iter_mut().for_each(default_container);
    }
}

/// Whether [`default_container`] would change anything (so shared containers stay shared
/// without being copied to find out).
fn container_needs_defaults(c: &Container) -> bool {
    c.image_pull_policy.is_empty()
        || c.termination_message_path.is_empty()
        || c.termination_message_policy.is_empty()
        || c.ports.iter().any(|p| p.protocol.is_empty())
        || [&c.liveness_probe, &c.readiness_probe, &c.startup_probe]
            .into_iter()
            .flatten()
            .any(|p| {
                p.initial_delay_seconds.is_none()
                    || p.period_seconds.is_none()
                    || p.timeout_seconds.is_none()
                    || p.success_threshold.is_none()
                    || p.failure_threshold.is_none()
                    || p.http_get
                        .as_ref()
                        .is_some_and(|h| h.path.is_empty() || h.scheme.is_empty())
            })
}

fn default_container(c: &mut Container) {
    if c.image_pull_policy.is_empty() {
        // Fact 16: Always for :latest or no tag, IfNotPresent otherwise (and for digests).
        c.image_pull_policy = if c.image.contains('@') {
            "IfNotPresent".into()
        } else if image_tag(&c.image) == "latest" {
            "Always".into()
        } else {
            "IfNotPresent".into()
        };
    }
    if c.termination_message_path.is_empty() {
        c.termination_message_path = "/dev/termination-log".into();
    }
    if c.termination_message_policy.is_empty() {
        c.termination_message_policy = "File".into();
    }
    for p in &mut c.ports {
        if p.protocol.is_empty() {
            p.protocol = "TCP".into();
        }
    }
    // Probe defaults (fact 19): period 10 s, timeout 1 s, success 1, failure 3.
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        probe.initial_delay_seconds.get_or_insert(0);
        probe.period_seconds.get_or_insert(10);
        probe.timeout_seconds.get_or_insert(1);
        probe.success_threshold.get_or_insert(1);
        probe.failure_threshold.get_or_insert(3);
        if let Some(h) = probe.http_get.as_mut() {
            if h.path.is_empty() {
                h.path = "/".into();
            }
            if h.scheme.is_empty() {
                h.scheme = "HTTP".into();
            }
        }
    }
}

/// What admission plugins add to a Pod (not to templates): its service account and the default
/// tolerations of not-ready and unreachable nodes (fact 80: 300 s).
pub fn admit_pod_spec(spec: &mut PodSpec) {
    default_pod_spec(spec);
    if spec.service_account_name.is_empty() {
        spec.service_account_name = if spec.service_account.is_empty() {
            "default".into()
        } else {
            spec.service_account.clone()
        };
    }
}

/// The DefaultTolerationSeconds admission plugin: pods tolerate not-ready and unreachable nodes
/// for `seconds` (300 by default, fact 80) before the taint manager evicts them.
pub fn default_tolerations(spec: &mut PodSpec, seconds: i64) {
    if spec.tolerations.is_empty() {
        // The common case: every such pod gets the same two, shared rather than copied.
        thread_local! {
            static SHARED: std::cell::RefCell<Vec<(i64, Shared<Vec<Toleration>>)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        spec.tolerations = SHARED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some((_, t)) = cache.iter().find(|(s, _)| *s == seconds) {
                return t.clone();
            }
            let mut fresh = PodSpec::default();
            add_default_tolerations(&mut fresh, seconds);
            if cache.len() >= 8 {
                cache.remove(0);
            }
            cache.push((seconds, fresh.tolerations.clone()));
            fresh.tolerations
        });
        return;
    }
    add_default_tolerations(spec, seconds);
}

fn add_default_tolerations(spec: &mut PodSpec, seconds: i64) {
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !spec.tolerations.iter().any(|t| t.key == key) {
            spec.tolerations.push(Toleration {
                key: key.into(),
                operator: "Exists".into(),
                value: String::new(),
                effect: "NoExecute".into(),
                toleration_seconds: Some(seconds),
            });
        }
    }
}

/// Validation of a pod spec; `path` is where it sits (`spec`, or `spec.template.spec`).
pub fn validate_pod_spec(spec: &PodSpec, path: &str) -> Vec<FieldError> {
    let mut errs = super::volumes::validate(spec, path, &[]);
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers"), ""));
    }
    let mut names: Vec<&str> = Vec::new();
    let groups = [
        ("initContainers", &spec.init_containers),
        ("containers", &spec.containers),
    ];
    for (field, list) in groups {
        for (i, c) in list.iter().enumerate() {
            let p = format!("{path}.{field}[{i}]");
            if c.name.is_empty() {
                errs.push(FieldError::required(format!("{p}.name"), ""));
            } else if !is_dns1123_label(&c.name) {
                errs.push(FieldError::invalid_str(
                    format!("{p}.name"),
                    &c.name,
                    DNS1123_LABEL_MSG,
                ));
            } else if names.contains(&c.name.as_str()) {
                errs.push(FieldError::duplicate(format!("{p}.name"), &c.name));
            } else {
                names.push(&c.name);
            }
            if c.image.trim().is_empty() {
                errs.push(FieldError::required(format!("{p}.image"), ""));
            } else if c.image != c.image.trim() {
                errs.push(FieldError::invalid_str(
                    format!("{p}.image"),
                    &c.image,
                    "must not have leading or trailing whitespace",
                ));
            }
            for (field, probe) in [
                ("livenessProbe", &c.liveness_probe),
                ("readinessProbe", &c.readiness_probe),
                ("startupProbe", &c.startup_probe),
            ] {
                let Some(probe) = probe else { continue };
                let handlers = [
                    probe.http_get.is_some(),
                    probe.tcp_socket.is_some(),
                    probe.exec.is_some(),
                    probe.grpc.is_some(),
                ]
                .iter()
                .filter(|x| **x)
                .count();
                if handlers == 0 {
                    errs.push(FieldError::required(
                        format!("{p}.{field}"),
                        "must specify a handler type",
                    ));
                } else if handlers > 1 {
                    errs.push(FieldError::forbidden(
                        format!("{p}.{field}"),
                        "may not specify more than 1 handler type",
                    ));
                }
                if field != "readinessProbe" && probe.success_threshold.is_some_and(|t| t != 1) {
                    errs.push(FieldError::invalid_int(
                        format!("{p}.{field}.successThreshold"),
                        probe.success_threshold.unwrap_or(1),
                        "must be 1",
                    ));
                }
                for (name, v, min) in [
                    ("periodSeconds", probe.period_seconds, 1),
                    ("timeoutSeconds", probe.timeout_seconds, 1),
                    ("failureThreshold", probe.failure_threshold, 1),
                    ("initialDelaySeconds", probe.initial_delay_seconds, 0),
                ] {
                    if let Some(v) = v {
                        if v < min {
                            errs.push(FieldError::invalid_int(
                                format!("{p}.{field}.{name}"),
                                v,
                                &format!("must be greater than or equal to {min}"),
                            ));
                        }
                    }
                }
            }
            for (j, port) in c.ports.iter().enumerate() {
                if !(1..=65535).contains(&port.container_port) {
                    errs.push(FieldError::invalid_int(
                        format!("{p}.ports[{j}].containerPort"),
                        port.container_port,
                        "must be between 1 and 65535, inclusive",
                    ));
                }
                if !["TCP", "UDP", "SCTP"].contains(&port.protocol.as_str()) {
                    errs.push(FieldError::unsupported(
                        format!("{p}.ports[{j}].protocol"),
                        &port.protocol,
                        &["SCTP", "TCP", "UDP"],
                    ));
                }
            }
            if !["Always", "IfNotPresent", "Never"].contains(&c.image_pull_policy.as_str()) {
                errs.push(FieldError::unsupported(
                    format!("{p}.imagePullPolicy"),
                    &c.image_pull_policy,
                    &["Always", "IfNotPresent", "Never"],
                ));
            }
        }
    }
    if !["Always", "OnFailure", "Never"].contains(&&*spec.restart_policy) {
        errs.push(FieldError::unsupported(
            format!("{path}.restartPolicy"),
            &spec.restart_policy,
            &["Always", "OnFailure", "Never"],
        ));
    }
    if let Some(g) = spec.termination_grace_period_seconds {
        if g < 0 {
            errs.push(FieldError::invalid_int(
                format!("{path}.terminationGracePeriodSeconds"),
                g,
                "must be greater than or equal to 0",
            ));
        }
    }
    errs
}

impl Admit for Pod {
    fn defaults(&mut self) {
        admit_pod_spec(&mut self.spec);
    }
    fn admit_config(&mut self, config: &ClusterConfig) {
        default_tolerations(&mut self.spec, config.default_toleration_seconds);
    }
    fn validate(&self) -> Vec<FieldError> {
        validate_pod_spec(&self.spec, "spec")
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        // Pods are nearly immutable: only images (and a few others) may change.
        let mut a = self.spec.clone();
        let b = &old.spec;
        for (x, y) in a.containers.iter_mut().zip(b.containers.iter()) {
            x.image = y.image.clone();
        }
        for (x, y) in a.init_containers.iter_mut().zip(&b.init_containers) {
            x.image = y.image.clone();
        }
        a.active_deadline_seconds = b.active_deadline_seconds;
        a.tolerations = b.tolerations.clone();
        if a != *b {
            return vec![FieldError::forbidden(
                "spec",
                "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
            )];
        }
        Vec::new()
    }
    fn take_spec(&mut self, desired: &Self) {
        let node = std::mem::take(&mut self.spec.node_name);
        self.spec = desired.spec.clone();
        if self.spec.node_name.is_empty() {
            self.spec.node_name = node;
        }
    }
}

impl Admit for Node {
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

impl Admit for Namespace {
    fn defaults(&mut self) {
        if self.status.phase.is_empty() {
            self.status.phase = "Active".into();
        }
        if self.spec.finalizers.is_empty() {
            self.spec.finalizers = vec!["kubernetes".into()];
        }
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

// ---------------------------------------------------------------- workloads

/// Go's `%#v` of a `map[string]string`, as the API server prints label maps in errors.
fn go_map(labels: &Labels) -> String {
    let body: Vec<String> = labels.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", body.join(", "))
}

/// Go's `%#v` of a LabelSelector, for "field is immutable".
fn go_selector(sel: &Option<LabelSelector>) -> String {
    match sel {
        None => "(*v1.LabelSelector)(nil)".into(),
        Some(s) => format!(
            "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}",
            go_map(&s.match_labels)
        ),
    }
}

pub fn validate_selector(sel: &LabelSelector, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (k, v) in &sel.match_labels {
        if let Some(e) = label_key_error(k) {
            errs.push(FieldError::invalid_str(
                format!("{path}.matchLabels"),
                k,
                &e,
            ));
        }
        if let Some(e) = label_value_error(v) {
            errs.push(FieldError::invalid_str(
                format!("{path}.matchLabels"),
                v,
                &e,
            ));
        }
    }
    for (i, r) in sel.match_expressions.iter().enumerate() {
        let p = format!("{path}.matchExpressions[{i}]");
        match r.operator.as_str() {
            "In" | "NotIn" if r.values.is_empty() => errs.push(FieldError::required(
                format!("{p}.values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if !r.values.is_empty() => errs.push(FieldError::forbidden(
                format!("{p}.values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
            other => errs.push(FieldError::invalid_str(
                format!("{p}.operator"),
                other,
                "not a valid selector operator",
            )),
        }
    }
    errs
}

/// Shared by Deployment and ReplicaSet (and later StatefulSet, DaemonSet): replicas, selector,
/// template labels matching the selector (fact 33), restartPolicy Always (fact 13).
fn validate_controller(
    replicas: Option<i64>,
    selector: &Option<LabelSelector>,
    template: &PodTemplateSpec,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(r) = replicas {
        if r < 0 {
            errs.push(FieldError::invalid_int(
                "spec.replicas",
                r,
                "must be greater than or equal to 0",
            ));
        }
    }
    match selector {
        None => errs.push(FieldError::required("spec.selector", "")),
        Some(sel) if sel.is_empty() => errs.push(FieldError {
            path: "spec.selector".into(),
            kind: FieldErrorKind::Invalid(
                go_selector(selector),
                "empty selector is invalid for deployment".into(),
            ),
        }),
        Some(sel) => {
            errs.extend(validate_selector(sel, "spec.selector"));
            if !sel.matches(&template.metadata.labels) {
                errs.push(FieldError {
                    path: "spec.template.metadata.labels".into(),
                    kind: FieldErrorKind::Invalid(
                        go_map(&template.metadata.labels),
                        "`selector` does not match template `labels`".into(),
                    ),
                });
            }
        }
    }
    for (k, v) in template.metadata.labels.iter() {
        if let Some(e) = label_key_error(k) {
            errs.push(FieldError::invalid_str(
                "spec.template.metadata.labels",
                k,
                &e,
            ));
        }
        if let Some(e) = label_value_error(v) {
            errs.push(FieldError::invalid_str(
                "spec.template.metadata.labels",
                v,
                &e,
            ));
        }
    }
    let mut pod_errs = validate_pod_spec(&template.spec, "spec.template.spec");
    pod_errs.retain(|e| e.path != "spec.template.spec.restartPolicy");
    errs.extend(pod_errs);
    if template.spec.restart_policy != "Always" {
        errs.push(FieldError::unsupported(
            "spec.template.spec.restartPolicy",
            &template.spec.restart_policy,
            &["Always"],
        ));
    }
    errs
}

fn immutable_selector(new: &Option<LabelSelector>, old: &Option<LabelSelector>) -> Vec<FieldError> {
    if new != old {
        vec![FieldError {
            path: "spec.selector".into(),
            kind: FieldErrorKind::Invalid(go_selector(new), "field is immutable".into()),
        }]
    } else {
        Vec::new()
    }
}

impl Admit for Deployment {
    fn defaults(&mut self) {
        let s = &mut self.spec;
        s.replicas.get_or_insert(1);
        s.revision_history_limit.get_or_insert(10);
        s.progress_deadline_seconds.get_or_insert(600);
        let strategy = s.strategy.get_or_insert_with(Default::default);
        if strategy.type_.is_empty() {
            strategy.type_ = "RollingUpdate".into();
        }
        if strategy.type_ == "RollingUpdate" {
            let ru = strategy.rolling_update.get_or_insert_with(Default::default);
            ru.max_surge.get_or_insert(IntOrString::Str("25%".into()));
            ru.max_unavailable
                .get_or_insert(IntOrString::Str("25%".into()));
        }
        default_pod_spec(&mut s.template.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        let s = &self.spec;
        let mut errs = validate_controller(s.replicas, &s.selector, &s.template);
        if let Some(st) = &s.strategy {
            if !["RollingUpdate", "Recreate"].contains(&st.type_.as_str()) {
                errs.push(FieldError::unsupported(
                    "spec.strategy.type",
                    &st.type_,
                    &["Recreate", "RollingUpdate"],
                ));
            }
            if st.type_ == "Recreate" && st.rolling_update.is_some() {
                errs.push(FieldError::forbidden(
                    "spec.strategy.rollingUpdate",
                    "may not be specified when strategy `type` is 'Recreate'",
                ));
            }
            if let Some(ru) = &st.rolling_update {
                let surge = ru
                    .max_surge
                    .as_ref()
                    .map(|v| resolve_int_or_percent(v, 100, true));
                let unavail = ru
                    .max_unavailable
                    .as_ref()
                    .map(|v| resolve_int_or_percent(v, 100, false));
                for (field, v) in [("maxSurge", &surge), ("maxUnavailable", &unavail)] {
                    if let Some(Err(e)) = v {
                        errs.push(FieldError::invalid_str(format!("spec.strategy.rollingUpdate.{field}"), e, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
                    }
                }
                if let (Some(Ok(0)), Some(Ok(0))) = (&surge, &unavail) {
                    errs.push(FieldError::invalid_int(
                        "spec.strategy.rollingUpdate.maxUnavailable",
                        0,
                        "may not be 0 when `maxSurge` is 0",
                    ));
                }
            }
        }
        errs
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        immutable_selector(&self.spec.selector, &old.spec.selector)
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

impl Admit for ReplicaSet {
    fn defaults(&mut self) {
        self.spec.replicas.get_or_insert(1);
        default_pod_spec(&mut self.spec.template.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        validate_controller(self.spec.replicas, &self.spec.selector, &self.spec.template)
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        immutable_selector(&self.spec.selector, &old.spec.selector)
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

/// An int-or-percent against a total: percentages round up for surge, down for unavailable
/// (fact 26). Err carries the bad string.
pub fn resolve_int_or_percent(v: &IntOrString, total: i64, round_up: bool) -> Result<i64, String> {
    match v {
        IntOrString::Int(n) => Ok(*n),
        IntOrString::Str(s) => {
            let Some(p) = s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) else {
                return Err(s.clone());
            };
            let x = p * total;
            Ok(if round_up {
                (x + 99).div_euclid(100)
            } else {
                x.div_euclid(100)
            })
        }
    }
}

impl Admit for DaemonSet {
    fn defaults(&mut self) {
        let s = &mut self.spec;
        s.revision_history_limit.get_or_insert(10);
        let st = s.update_strategy.get_or_insert_with(Default::default);
        if st.type_.is_empty() {
            st.type_ = "RollingUpdate".into();
        }
        if st.type_ == "RollingUpdate" {
            let ru = st.rolling_update.get_or_insert_with(Default::default);
            ru.max_unavailable.get_or_insert(IntOrString::Int(1));
            ru.max_surge.get_or_insert(IntOrString::Int(0));
        }
        default_pod_spec(&mut s.template.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        let mut errs = validate_controller(None, &self.spec.selector, &self.spec.template);
        if let Some(st) = &self.spec.update_strategy {
            if !["RollingUpdate", "OnDelete"].contains(&st.type_.as_str()) {
                errs.push(FieldError::unsupported(
                    "spec.updateStrategy.type",
                    &st.type_,
                    &["OnDelete", "RollingUpdate"],
                ));
            }
        }
        errs
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        immutable_selector(&self.spec.selector, &old.spec.selector)
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

/// Job pods may only restart OnFailure or Never (fact 13).
fn validate_job_spec(spec: &JobSpec, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, v) in [
        ("parallelism", spec.parallelism),
        ("completions", spec.completions),
        ("backoffLimit", spec.backoff_limit),
    ] {
        if let Some(n) = v {
            if n < 0 {
                errs.push(FieldError::invalid_int(
                    format!("{path}.{field}"),
                    n,
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
    if let Some(n) = spec.active_deadline_seconds {
        if n <= 0 {
            errs.push(FieldError::invalid_int(
                format!("{path}.activeDeadlineSeconds"),
                n,
                "must be greater than 0",
            ));
        }
    }
    let tpath = format!("{path}.template.spec");
    let mut pod_errs = validate_pod_spec(&spec.template.spec, &tpath);
    pod_errs.retain(|e| e.path != format!("{tpath}.restartPolicy"));
    errs.extend(pod_errs);
    if !["OnFailure", "Never"].contains(&&*spec.template.spec.restart_policy) {
        errs.push(FieldError::unsupported(
            format!("{tpath}.restartPolicy"),
            &spec.template.spec.restart_policy,
            &["OnFailure", "Never"],
        ));
    }
    if let Some(sel) = &spec.selector {
        errs.extend(validate_selector(sel, &format!("{path}.selector")));
    }
    errs
}

fn default_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    spec.backoff_limit.get_or_insert(6);
    spec.completion_mode
        .get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    spec.pod_replacement_policy
        .get_or_insert_with(|| "TerminatingOrFailed".into());
    default_pod_spec(&mut spec.template.spec);
}

impl Admit for Job {
    fn defaults(&mut self) {
        default_job_spec(&mut self.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        validate_job_spec(&self.spec, "spec")
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        let mut a = self.spec.clone();
        a.parallelism = old.spec.parallelism;
        a.suspend = old.spec.suspend;
        a.active_deadline_seconds = old.spec.active_deadline_seconds;
        a.ttl_seconds_after_finished = old.spec.ttl_seconds_after_finished;
        a.backoff_limit = old.spec.backoff_limit;
        if a.template != old.spec.template {
            return vec![FieldError {
                path: "spec.template".into(),
                kind: FieldErrorKind::Invalid(
                    "core.PodTemplateSpec{...}".into(),
                    "field is immutable".into(),
                ),
            }];
        }
        if a.completions != old.spec.completions {
            return vec![FieldError::invalid_int(
                "spec.completions",
                self.spec.completions.unwrap_or(0),
                "field is immutable",
            )];
        }
        Vec::new()
    }
    fn take_spec(&mut self, desired: &Self) {
        // The generated selector and labels stay: they are the server's.
        let selector = self.spec.selector.clone();
        let labels = self.spec.template.metadata.labels.clone();
        self.spec = desired.spec.clone();
        if self.spec.selector.is_none() {
            self.spec.selector = selector;
        }
        for (k, v) in labels.iter() {
            self.spec
                .template
                .metadata
                .labels
                .entry(k.clone())
                .or_insert(v.clone());
        }
    }
    fn created(&mut self) {
        // The Job's selector is generated from its uid (fact 42's labels).
        if self.spec.selector.is_none() && self.spec.manual_selector != Some(true) {
            let uid = self.metadata.uid.clone();
            let name = self.metadata.name.clone();
            self.spec.selector = Some(LabelSelector {
                match_labels: crate::sim::sort::map_of([(
                    "batch.kubernetes.io/controller-uid".to_string(),
                    uid.clone(),
                )]),
                match_expressions: Vec::new(),
            });
            let l = &mut self.spec.template.metadata.labels;
            l.insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
            l.insert("batch.kubernetes.io/job-name".into(), name.clone());
            l.insert("controller-uid".into(), uid);
            l.insert("job-name".into(), name);
        }
    }
}

impl Admit for CronJob {
    fn defaults(&mut self) {
        let s = &mut self.spec;
        if s.concurrency_policy.is_empty() {
            s.concurrency_policy = "Allow".into();
        }
        s.suspend.get_or_insert(false);
        s.successful_jobs_history_limit.get_or_insert(3);
        s.failed_jobs_history_limit.get_or_insert(1);
        default_job_spec(&mut s.job_template.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if self.metadata.name.len() > 52 {
            errs.push(FieldError::invalid_str(
                "metadata.name",
                &self.metadata.name,
                "must be no more than 52 characters",
            ));
        }
        if self.spec.schedule.trim().is_empty() {
            errs.push(FieldError::required("spec.schedule", ""));
        } else if let Err(e) = crate::sim::cron::Schedule::parse(&self.spec.schedule) {
            errs.push(FieldError::invalid_str(
                "spec.schedule",
                &self.spec.schedule,
                &e,
            ));
        }
        if !["Allow", "Forbid", "Replace"].contains(&self.spec.concurrency_policy.as_str()) {
            errs.push(FieldError::unsupported(
                "spec.concurrencyPolicy",
                &self.spec.concurrency_policy,
                &["Allow", "Forbid", "Replace"],
            ));
        }
        errs.extend(validate_job_spec(
            &self.spec.job_template.spec,
            "spec.jobTemplate.spec",
        ));
        errs
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

impl Admit for StatefulSet {
    fn defaults(&mut self) {
        let s = &mut self.spec;
        s.replicas.get_or_insert(1);
        s.revision_history_limit.get_or_insert(10);
        if s.pod_management_policy.is_empty() {
            s.pod_management_policy = "OrderedReady".into();
        }
        let st = s.update_strategy.get_or_insert_with(Default::default);
        if st.type_.is_empty() {
            st.type_ = "RollingUpdate".into();
        }
        if st.type_ == "RollingUpdate" {
            st.rolling_update
                .get_or_insert_with(Default::default)
                .partition
                .get_or_insert(0);
        }
        default_pod_spec(&mut s.template.spec);
    }
    fn validate(&self) -> Vec<FieldError> {
        let s = &self.spec;
        let mut errs = validate_controller(s.replicas, &s.selector, &s.template);
        // Mounts may name the volumeClaimTemplates: the controller adds those volumes.
        let claims: Vec<String> = s
            .volume_claim_templates
            .iter()
            .filter_map(|t| t.get("metadata")?.get("name")?.as_str().map(String::from))
            .collect();
        errs.retain(|e| match &e.kind {
            FieldErrorKind::NotFound(v) => {
                !(e.path.contains(".volumeMounts[")
                    && claims.iter().any(|c| format!("{c:?}") == *v))
            }
            _ => true,
        });
        if !["OrderedReady", "Parallel"].contains(&s.pod_management_policy.as_str()) {
            errs.push(FieldError::unsupported(
                "spec.podManagementPolicy",
                &s.pod_management_policy,
                &["OrderedReady", "Parallel"],
            ));
        }
        if let Some(st) = &s.update_strategy {
            if !["RollingUpdate", "OnDelete"].contains(&st.type_.as_str()) {
                errs.push(FieldError::unsupported(
                    "spec.updateStrategy.type",
                    &st.type_,
                    &["OnDelete", "RollingUpdate"],
                ));
            }
        }
        errs
    }
    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        // Only replicas, template, updateStrategy, and a few more may change.
        let mut a = self.spec.clone();
        a.replicas = old.spec.replicas;
        a.template = old.spec.template.clone();
        a.update_strategy = old.spec.update_strategy.clone();
        a.min_ready_seconds = old.spec.min_ready_seconds;
        a.persistent_volume_claim_retention_policy =
            old.spec.persistent_volume_claim_retention_policy.clone();
        a.ordinals = old.spec.ordinals.clone();
        a.revision_history_limit = old.spec.revision_history_limit;
        if a != old.spec {
            return vec![FieldError::forbidden(
                "spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            )];
        }
        Vec::new()
    }
    fn take_spec(&mut self, desired: &Self) {
        self.spec = desired.spec.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fact 16: image pull policy defaults.
    /// `container_needs_defaults` answers exactly whether defaulting changes a container.
    #[test]
    fn needs_defaults_matches_defaulting() {
        let yaml = [
            "name: a\nimage: nginx\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\nports:\n- containerPort: 80\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\nports:\n- containerPort: 80\n  protocol: TCP\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\nreadinessProbe:\n  httpGet:\n    port: 80\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\nlivenessProbe:\n  initialDelaySeconds: 0\n  periodSeconds: 10\n  timeoutSeconds: 1\n  successThreshold: 1\n  failureThreshold: 3\n  httpGet:\n    port: 80\n    path: /\n    scheme: HTTP\n",
            "name: a\nimage: nginx\nimagePullPolicy: Always\nterminationMessagePath: /x\nterminationMessagePolicy: File\nlivenessProbe:\n  initialDelaySeconds: 0\n  periodSeconds: 10\n  timeoutSeconds: 1\n  successThreshold: 1\n  failureThreshold: 3\n  exec:\n    command: [true]\n",
        ];
        for y in yaml {
            let c: Container = serde_yaml::from_str(y).expect("a container");
            let mut d = c.clone();
            default_container(&mut d);
            assert_eq!(container_needs_defaults(&c), d != c, "{y}");
            assert!(!container_needs_defaults(&d), "{y}");
        }
    }

    #[test]
    fn pull_policy_defaults_follow_the_tag() {
        let mut spec = PodSpec::default();
        for image in ["nginx", "nginx:latest", "nginx:1.25", "nginx@sha256:abc"] {
            let name = format!("c{}", spec.containers.len());
            spec.containers.push(Container {
                name,
                image: image.into(),
                ..Default::default()
            });
        }
        admit_pod_spec(&mut spec);
        default_tolerations(&mut spec, 300);
        let got: Vec<&str> = spec
            .containers
            .iter()
            .map(|c| c.image_pull_policy.as_str())
            .collect();
        assert_eq!(got, ["Always", "Always", "IfNotPresent", "IfNotPresent"]);
        assert_eq!(spec.restart_policy, "Always"); // fact 13
        assert_eq!(spec.termination_grace_period_seconds, Some(30)); // fact 18
        assert_eq!(spec.dns_policy, "ClusterFirst"); // fact 24
    }

    /// Fact 12 and 90: name errors in the API server's words.
    #[test]
    fn bad_names_are_rejected_with_the_real_text() {
        let meta = ObjectMeta {
            name: "My_Pod".into(),
            namespace: "default".into(),
            ..Default::default()
        };
        let errs = validate_meta::<Pod>(&meta);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].to_string().starts_with(
            "metadata.name: Invalid value: \"My_Pod\": a lowercase RFC 1123 subdomain"
        ));
    }

    #[test]
    fn unsupported_restart_policy() {
        let mut spec = PodSpecFields {
            restart_policy: "Sometimes".into(),
            containers: vec![Container {
                name: "a".into(),
                image: "nginx".into(),
                ..Default::default()
            }]
            .into(),
            ..Default::default()
        }
        .into();
        default_pod_spec(&mut spec);
        let errs = validate_pod_spec(&spec, "spec");
        assert_eq!(
            errs[0].to_string(),
            "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\""
        );
    }
}
