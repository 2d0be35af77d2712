//! Manifests: YAML text → typed API objects. Syntax and type errors carry the line and column
//! where they are, counted in the whole file (multi-document files included).

use crate::sim::api::{
    CronJob, DaemonSet, Deployment, EndpointSlice, Endpoints, Job, Namespace, Node, Pod,
    ReplicaSet, Service, StatefulSet,
};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::fmt;

/// Limits that keep hostile input from hanging the page (alias bombs, huge pastes).
pub const MAX_MANIFEST_BYTES: usize = 1 << 20;
const MAX_DOCUMENTS: usize = 500;

/// A typed object from a manifest.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiObject {
    Pod(Box<Pod>),
    Namespace(Box<Namespace>),
    Node(Box<Node>),
    Deployment(Box<Deployment>),
    ReplicaSet(Box<ReplicaSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
    StatefulSet(Box<StatefulSet>),
    Service(Box<Service>),
    Endpoints(Box<Endpoints>),
    EndpointSlice(Box<EndpointSlice>),
}

impl ApiObject {
    pub fn kind(&self) -> &'static str {
        match self {
            ApiObject::Pod(_) => "Pod",
            ApiObject::Namespace(_) => "Namespace",
            ApiObject::Node(_) => "Node",
            ApiObject::Deployment(_) => "Deployment",
            ApiObject::ReplicaSet(_) => "ReplicaSet",
            ApiObject::DaemonSet(_) => "DaemonSet",
            ApiObject::Job(_) => "Job",
            ApiObject::CronJob(_) => "CronJob",
            ApiObject::StatefulSet(_) => "StatefulSet",
            ApiObject::Service(_) => "Service",
            ApiObject::Endpoints(_) => "Endpoints",
            ApiObject::EndpointSlice(_) => "EndpointSlice",
        }
    }
    pub fn name(&self) -> &str {
        match self {
            ApiObject::Pod(o) => &o.metadata.name,
            ApiObject::Namespace(o) => &o.metadata.name,
            ApiObject::Node(o) => &o.metadata.name,
            ApiObject::Deployment(o) => &o.metadata.name,
            ApiObject::ReplicaSet(o) => &o.metadata.name,
            ApiObject::DaemonSet(o) => &o.metadata.name,
            ApiObject::Job(o) => &o.metadata.name,
            ApiObject::CronJob(o) => &o.metadata.name,
            ApiObject::StatefulSet(o) => &o.metadata.name,
            ApiObject::Service(o) => &o.metadata.name,
            ApiObject::Endpoints(o) => &o.metadata.name,
            ApiObject::EndpointSlice(o) => &o.metadata.name,
        }
    }
}

/// One document of a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based line where the document starts in the file.
    pub line: usize,
    pub object: ApiObject,
}

/// What is wrong with a manifest, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestError {
    /// 1-based line and column in the file, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub kind: Box<ManifestErrorKind>,
    /// Human explanation, in plain words, for the editor.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ManifestErrorKind {
    /// Not valid YAML at all.
    Syntax,
    /// apiVersion or kind missing.
    MissingTypeInfo(Vec<&'static str>),
    /// Valid YAML, but a field is unknown or has the wrong type (the server's strict decoding).
    Decoding { kind: String, version: String },
    /// A kind/version pair the API server does not serve.
    NoMatch {
        kind: String,
        version: String,
        name: String,
    },
    /// A real Kubernetes kind the simulator does not model yet.
    NotSimulated { kind: String, version: String },
    /// Too large or too many documents.
    TooLarge,
}

impl ManifestError {
    /// `line 3, column 2: …` for the editor.
    pub fn located(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("line {l}, column {c}: {}", self.message),
            (Some(l), None) => format!("line {l}: {}", self.message),
            _ => self.message.clone(),
        }
    }

    /// As kubectl prints it for `kubectl apply -f FILE`.
    pub fn kubectl(&self, file: &str) -> String {
        match self.kind.as_ref() {
            ManifestErrorKind::Syntax => match self.line {
                Some(l) => format!(
                    "error: error parsing {file}: error converting YAML to JSON: yaml: line {l}: {}",
                    self.message
                ),
                None => format!(
                    "error: error parsing {file}: error converting YAML to JSON: yaml: {}",
                    self.message
                ),
            },
            ManifestErrorKind::MissingTypeInfo(missing) => format!(
                "error: error validating \"{file}\": error validating data: [{}]; if you choose to ignore these errors, turn validation off with --validate=false",
                missing.join(", ")
            ),
            ManifestErrorKind::Decoding { kind, version } => format!(
                "Error from server (BadRequest): error when creating \"{file}\": {kind} in version \"{version}\" cannot be handled as a {kind}: {}",
                self.message
            ),
            ManifestErrorKind::NoMatch { kind, version, name } => format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"\" from \"{file}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first"
            ),
            ManifestErrorKind::NotSimulated { .. } => format!("error: {file}: {}", self.message),
            ManifestErrorKind::TooLarge => format!("error: {file}: {}", self.message),
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.located())
    }
}

/// A short description of a YAML value, for type errors.
pub fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(_) => "a tagged value".into(),
    }
}

/// Kinds that exist in real Kubernetes (and the add-ons the course uses) with their versions.
/// Used to tell "not simulated yet" apart from "no such kind".
const KNOWN_KINDS: &[(&str, &[&str])] = &[
    ("Deployment", &["apps/v1"]),
    ("ReplicaSet", &["apps/v1"]),
    ("StatefulSet", &["apps/v1"]),
    ("DaemonSet", &["apps/v1"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1"]),
    ("Service", &["v1"]),
    ("Endpoints", &["v1"]),
    ("EndpointSlice", &["discovery.k8s.io/v1"]),
    ("ConfigMap", &["v1"]),
    ("Secret", &["v1"]),
    ("PersistentVolume", &["v1"]),
    ("PersistentVolumeClaim", &["v1"]),
    ("StorageClass", &["storage.k8s.io/v1"]),
    ("ServiceAccount", &["v1"]),
    ("Role", &["rbac.authorization.k8s.io/v1"]),
    ("ClusterRole", &["rbac.authorization.k8s.io/v1"]),
    ("RoleBinding", &["rbac.authorization.k8s.io/v1"]),
    ("ClusterRoleBinding", &["rbac.authorization.k8s.io/v1"]),
    ("ResourceQuota", &["v1"]),
    ("LimitRange", &["v1"]),
    ("Ingress", &["networking.k8s.io/v1"]),
    ("IngressClass", &["networking.k8s.io/v1"]),
    ("NetworkPolicy", &["networking.k8s.io/v1"]),
    (
        "HorizontalPodAutoscaler",
        &["autoscaling/v1", "autoscaling/v2"],
    ),
    ("PodDisruptionBudget", &["policy/v1"]),
    ("PriorityClass", &["scheduling.k8s.io/v1"]),
    ("RuntimeClass", &["node.k8s.io/v1"]),
    ("CustomResourceDefinition", &["apiextensions.k8s.io/v1"]),
    (
        "Mapping",
        &["getambassador.io/v3alpha1", "getambassador.io/v2"],
    ),
    (
        "Host",
        &["getambassador.io/v3alpha1", "getambassador.io/v2"],
    ),
    ("Listener", &["getambassador.io/v3alpha1"]),
];

/// Split a file into documents at `---` lines, keeping each document's first line number.
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_end();
        let is_marker = t == "---" || t.starts_with("--- ") || t.starts_with("---\t");
        if is_marker || t == "..." {
            docs.push((start, std::mem::take(&mut current)));
            start = i + 1;
            if is_marker {
                // Content after the marker on the same line (`--- {…}`) belongs to the new document;
                // keep the marker's place with an empty line so line numbers stay right.
                let rest = t[3..].trim_start();
                current.push_str(&" ".repeat(t.len() - rest.len()));
                current.push_str(rest);
                current.push('\n');
            }
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    docs.push((start, current));
    docs
}

fn yaml_error(
    err: &serde_yaml::Error,
    line_offset: usize,
) -> (Option<usize>, Option<usize>, String) {
    let text = err.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    match err.location() {
        Some(loc) => (
            Some(loc.line() + line_offset - 1),
            Some(loc.column()),
            message,
        ),
        None => (None, None, message),
    }
}

/// Turn serde's wording into the API server's strict-decoding wording.
fn strict_message(message: &str) -> String {
    // serde_yaml: "spec: unknown field `replica`, expected one of …"
    if let Some(i) = message.find("unknown field `") {
        let path = message[..i].trim_end_matches(": ").trim();
        let rest = &message[i + "unknown field `".len()..];
        let field = rest.split('`').next().unwrap_or("");
        let full = if path.is_empty() || path == "." {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        return format!("strict decoding error: unknown field \"{full}\"");
    }
    message.to_string()
}

fn typed<T: DeserializeOwned>(
    doc: &str,
    line_offset: usize,
    kind: &str,
    version: &str,
) -> Result<T, ManifestError> {
    serde_yaml::from_str::<T>(doc).map_err(|e| {
        let (line, column, message) = yaml_error(&e, line_offset);
        ManifestError {
            line,
            column,
            kind: Box::new(ManifestErrorKind::Decoding {
                kind: kind.into(),
                version: version.into(),
            }),
            message: strict_message(&message),
        }
    })
}

/// Parse a manifest file into typed objects. Empty documents are skipped.
pub fn parse(text: &str) -> Result<Vec<Document>, ManifestError> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(ManifestError {
            line: None,
            column: None,
            kind: Box::new(ManifestErrorKind::TooLarge),
            message: format!(
                "the manifest is {} bytes; at most {MAX_MANIFEST_BYTES} are accepted",
                text.len()
            ),
        });
    }
    let mut out = Vec::new();
    let docs = split_documents(text);
    if docs.len() > MAX_DOCUMENTS {
        return Err(ManifestError {
            line: None,
            column: None,
            kind: Box::new(ManifestErrorKind::TooLarge),
            message: format!(
                "the file has {} documents; at most {MAX_DOCUMENTS} are accepted",
                docs.len()
            ),
        });
    }
    for (line, doc) in docs {
        let value: Value = serde_yaml::from_str(&doc).map_err(|e| {
            let (l, c, message) = yaml_error(&e, line);
            ManifestError {
                line: l,
                column: c,
                kind: Box::new(ManifestErrorKind::Syntax),
                message,
            }
        })?;
        let map = match value {
            Value::Null => continue,
            Value::Mapping(m) => m,
            other => {
                return Err(ManifestError {
                    line: Some(line),
                    column: Some(1),
                    kind: Box::new(ManifestErrorKind::Syntax),
                    message: format!(
                        "a manifest must be a mapping with apiVersion, kind, metadata…, but this document is {}",
                        describe_value(&other)
                    ),
                })
            }
        };
        let field = |k: &str| {
            map.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let (version, kind) = (field("apiVersion"), field("kind"));
        let mut missing = Vec::new();
        if version.is_empty() {
            missing.push("apiVersion not set");
        }
        if kind.is_empty() {
            missing.push("kind not set");
        }
        if !missing.is_empty() {
            return Err(ManifestError {
                line: Some(line),
                column: Some(1),
                message: format!(
                    "this document has no {}",
                    missing
                        .iter()
                        .map(|m| m.trim_end_matches(" not set"))
                        .collect::<Vec<_>>()
                        .join(" and no ")
                ),
                kind: Box::new(ManifestErrorKind::MissingTypeInfo(missing)),
            });
        }
        let name = map
            .get("metadata")
            .and_then(|m| m.get("name"))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        let object = match (kind.as_str(), version.as_str()) {
            ("Pod", "v1") => ApiObject::Pod(Box::new(typed(&doc, line, &kind, &version)?)),
            ("Namespace", "v1") => {
                ApiObject::Namespace(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("Node", "v1") => ApiObject::Node(Box::new(typed(&doc, line, &kind, &version)?)),
            ("Deployment", "apps/v1") => {
                ApiObject::Deployment(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("ReplicaSet", "apps/v1") => {
                ApiObject::ReplicaSet(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("DaemonSet", "apps/v1") => {
                ApiObject::DaemonSet(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("Job", "batch/v1") => ApiObject::Job(Box::new(typed(&doc, line, &kind, &version)?)),
            ("StatefulSet", "apps/v1") => {
                ApiObject::StatefulSet(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("CronJob", "batch/v1") => {
                ApiObject::CronJob(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("Service", "v1") => ApiObject::Service(Box::new(typed(&doc, line, &kind, &version)?)),
            ("Endpoints", "v1") => {
                ApiObject::Endpoints(Box::new(typed(&doc, line, &kind, &version)?))
            }
            ("EndpointSlice", "discovery.k8s.io/v1") => {
                ApiObject::EndpointSlice(Box::new(typed(&doc, line, &kind, &version)?))
            }
            _ => {
                let known = KNOWN_KINDS
                    .iter()
                    .find(|(k, versions)| *k == kind && versions.contains(&version.as_str()));
                let kind_line = find_key_line(&doc, "kind").map(|l| l + line - 1);
                return Err(match known {
                    Some(_) => ManifestError {
                        line: kind_line,
                        column: Some(1),
                        message: format!(
                            "{kind} ({version}) is real Kubernetes, but Pocket Cluster does not simulate it yet"
                        ),
                        kind: Box::new(ManifestErrorKind::NotSimulated { kind, version }),
                    },
                    None => ManifestError {
                        line: kind_line,
                        column: Some(1),
                        message: format!("no kind \"{kind}\" is served in version \"{version}\""),
                        kind: Box::new(ManifestErrorKind::NoMatch { kind, version, name }),
                    },
                });
            }
        };
        out.push(Document { line, object });
    }
    Ok(out)
}

/// The 1-based line of a top-level key in a document, if it is written in block style.
fn find_key_line(doc: &str, key: &str) -> Option<usize> {
    let prefix = format!("{key}:");
    doc.lines()
        .position(|l| l.starts_with(&prefix))
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: nginx\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.14.2\n    ports:\n    - containerPort: 80\n";

    #[test]
    fn parses_a_pod() {
        let docs = parse(POD).unwrap();
        assert_eq!(docs.len(), 1);
        match &docs[0].object {
            ApiObject::Pod(p) => {
                assert_eq!(p.metadata.name, "nginx");
                assert_eq!(p.spec.containers[0].ports[0].container_port, 80);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn multi_document_lines_are_counted_in_the_file() {
        let text = format!("{POD}---\n{POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    bogus: 1\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, Some(31), "{err:?}");
        assert!(
            err.message
                .contains("unknown field \"spec.containers[0].bogus\"")
                || err.message.contains("bogus"),
            "{}",
            err.message
        );
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = parse("apiVersion: v1\nkind: Pod\n metadata:\n  name: x\n").unwrap_err();
        assert_eq!(*err.kind, ManifestErrorKind::Syntax);
        assert!(err.line.is_some() && err.column.is_some(), "{err:?}");
        assert!(err.located().starts_with("line "), "{}", err.located());
    }

    /// Fact 89: unknown fields are a strict decoding error naming the field's path.
    #[test]
    fn unknown_fields_are_strict_decoding_errors() {
        let err =
            parse("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containerz: []\n")
                .unwrap_err();
        assert_eq!(
            err.message,
            "strict decoding error: unknown field \"spec.containerz\""
        );
        assert_eq!(err.line, Some(6));
        assert_eq!(
            err.kubectl("pod.yaml"),
            "Error from server (BadRequest): error when creating \"pod.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.containerz\""
        );
    }

    /// Fact 89: missing apiVersion and kind.
    #[test]
    fn missing_type_info() {
        let err = parse("metadata:\n  name: x\n").unwrap_err();
        assert!(err
            .kubectl("f.yaml")
            .contains("[apiVersion not set, kind not set]"));
    }

    #[test]
    fn hostile_input_is_refused_not_hung() {
        let bomb = "a: &a [\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        assert!(parse(bomb).is_err());
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        assert!(parse("").unwrap().is_empty());
        assert!(parse("---\n---\n").unwrap().is_empty());
    }

    #[test]
    fn other_kinds_get_a_clear_message() {
        let err = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n").unwrap_err();
        assert!(matches!(*err.kind, ManifestErrorKind::NotSimulated { .. }));
        let err = parse("apiVersion: v1\nkind: Pood\nmetadata:\n  name: x\n").unwrap_err();
        assert!(err
            .kubectl("f.yaml")
            .contains("no matches for kind \"Pood\" in version \"v1\""));
    }
}
