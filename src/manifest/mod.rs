//! Manifests: YAML text → typed API objects. Syntax and type errors carry the line and column
//! where they are, counted in the whole file (multi-document files included).

use crate::sim::api::{
    unstructured, CronJob, DaemonSet, Deployment, EndpointSlice, Endpoints, Job, Kinds, Namespace,
    Node, ObjectMeta, Pod, ReplicaSet, Service, StatefulSet, Unstructured,
};
use serde::de::DeserializeOwned;
use serde_yaml::Value;
use std::fmt;

#[cfg(test)]
pub(crate) mod decoder_guard;
pub mod diagnostics;
pub mod hints;
pub mod locate;

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
    /// A kind Pocket Cluster stores without modelling it (`sim::api::unstructured`): a
    /// built-in one (ConfigMap, ClusterRole…) or one a CRD registered.
    Unstructured(Box<Unstructured>),
}

impl ApiObject {
    pub fn kind(&self) -> &str {
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
            ApiObject::Unstructured(o) => &o.kind,
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
            ApiObject::Unstructured(o) => &o.metadata.name,
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
    /// `expected`: for an unknown field, the fields that are known there (for a did-you-mean).
    Decoding {
        kind: String,
        version: String,
        expected: Vec<String>,
    },
    /// A kind/version pair the API server does not serve.
    NoMatch {
        kind: String,
        version: String,
        name: String,
        namespace: String,
    },
    /// A real Kubernetes kind the simulator does not model yet. Nothing gives it now: every
    /// served kind is at least stored (`sim::api::unstructured`).
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
            ManifestErrorKind::Decoding { kind, version, .. } => format!(
                "Error from server (BadRequest): error when creating \"{file}\": {kind} in version \"{version}\" cannot be handled as a {kind}: {}",
                self.message
            ),
            ManifestErrorKind::NoMatch {
                kind,
                version,
                name,
                namespace,
            } => format!(
                "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{file}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first"
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

/// Split a file into documents at `---` lines, keeping each document's first line number.
/// Each document's text starts at that line (a marker line becomes its blank first line).
pub(crate) fn split_documents(text: &str) -> Vec<(usize, String)> {
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
    err: &crate::yaml::Error,
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

/// `yaml::from_str`, or in tests, when [`old_decoder::USE`] is set, `serde_yaml::from_str`
/// (with its error carried over): the guard that both decode every manifest alike.
fn decode<T: DeserializeOwned>(doc: &str) -> Result<T, crate::yaml::Error> {
    #[cfg(test)]
    if old_decoder::USE.with(|u| u.get()) {
        return serde_yaml::from_str::<T>(doc).map_err(old_decoder::carry);
    }
    crate::yaml::from_str::<T>(doc)
}

#[cfg(test)]
pub(crate) mod old_decoder {
    use std::cell::Cell;
    thread_local! {
        /// Decode with serde_yaml, as before `yaml::from_str`.
        pub(crate) static USE: Cell<bool> = const { Cell::new(false) };
    }

    /// serde_yaml's error as a `yaml::Error` with the same text and place.
    pub(crate) fn carry(e: serde_yaml::Error) -> crate::yaml::Error {
        crate::yaml::Error::carried(e.to_string(), e.location().map(|l| (l.line(), l.column())))
    }

    /// `f`'s answer with each decoder: (old, new).
    pub(crate) fn both<R>(f: impl Fn() -> R) -> (R, R) {
        USE.with(|u| u.set(true));
        let old = f();
        USE.with(|u| u.set(false));
        (old, f())
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

/// serde's `…, expected one of `a`, `b`` (or `expected `a``): the fields known where an unknown
/// one was found.
fn expected_fields(message: &str) -> Vec<String> {
    let Some(i) = message.find("unknown field `") else {
        return Vec::new();
    };
    let Some(j) = message[i..].find("expected") else {
        return Vec::new();
    };
    message[i + j..]
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn typed<T: DeserializeOwned>(
    doc: &str,
    line_offset: usize,
    kind: &str,
    version: &str,
) -> Result<T, ManifestError> {
    decode::<T>(doc).map_err(|e| {
        let (line, column, message) = yaml_error(&e, line_offset);
        ManifestError {
            line,
            column,
            kind: Box::new(ManifestErrorKind::Decoding {
                kind: kind.into(),
                version: version.into(),
                expected: expected_fields(&message),
            }),
            message: strict_message(&message),
        }
    })
}

/// Parse a manifest file into typed objects, for a cluster that serves the built-in kinds
/// only (no CRDs). Empty documents are skipped.
pub fn parse(text: &str) -> Result<Vec<Document>, ManifestError> {
    parse_with(text, Kinds::builtin())
}

/// [`parse`] for a cluster that serves `kinds` (its CRDs' kinds too); the first error wins.
pub fn parse_with(text: &str, kinds: Kinds<'_>) -> Result<Vec<Document>, ManifestError> {
    parse_each(text, kinds)?.into_iter().collect()
}

/// What kubectl's resource builder makes of a file: a document whose kind the cluster does not
/// serve is an error of its own (`resource mapping not found …`) and the others still apply;
/// any other error (syntax, decoding, size) refuses the whole file.
pub fn parse_each(
    text: &str,
    kinds: Kinds<'_>,
) -> Result<Vec<Result<Document, ManifestError>>, ManifestError> {
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
        match parse_document(line, &doc, kinds) {
            Ok(None) => {}
            Ok(Some(d)) => out.push(Ok(d)),
            Err(e) if matches!(*e.kind, ManifestErrorKind::NoMatch { .. }) => out.push(Err(e)),
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One document: None when it is empty.
fn parse_document(
    line: usize,
    doc: &str,
    kinds: Kinds<'_>,
) -> Result<Option<Document>, ManifestError> {
    {
        let doc = doc.to_string();
        let value: Value = decode(&doc).map_err(|e| {
            let (l, c, message) = yaml_error(&e, line);
            ManifestError {
                line: l,
                column: c,
                kind: Box::new(ManifestErrorKind::Syntax),
                message,
            }
        })?;
        let map = match value {
            Value::Null => return Ok(None),
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
            _ => match kinds.by_kind(&kind, &version) {
                Some(info) => ApiObject::Unstructured(Box::new(stored(
                    &doc, line, map, &kind, &version, &info,
                )?)),
                None => {
                    let kind_line = find_key_line(&doc, "kind").map(|l| l + line - 1);
                    let namespace = map
                        .get("metadata")
                        .and_then(|m| m.get("namespace"))
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string();
                    return Err(ManifestError {
                        line: kind_line,
                        column: Some(1),
                        message: format!("no kind \"{kind}\" is served in version \"{version}\""),
                        kind: Box::new(ManifestErrorKind::NoMatch {
                            kind,
                            version,
                            name,
                            namespace,
                        }),
                    });
                }
            },
        };
        Ok(Some(Document { line, object }))
    }
}

/// The metadata alone, strictly (unknown metadata fields are errors as for typed kinds).
#[derive(serde::Deserialize)]
struct Head {
    #[serde(default)]
    metadata: ObjectMeta,
}

/// A document of a stored-only kind: typed metadata, the rest kept as written. Built-in kinds
/// are decoded as strictly as the API server does at the top level (unknown fields, string maps).
fn stored(
    doc: &str,
    line: usize,
    mut map: serde_yaml::Mapping,
    kind: &str,
    version: &str,
    info: &unstructured::KindInfo,
) -> Result<Unstructured, ManifestError> {
    let head: Head = typed(doc, line, kind, version)?;
    map.remove("apiVersion");
    map.remove("kind");
    map.remove("metadata");
    let known: Vec<String> = info
        .fields
        .map(|f| f.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    let decoding = |message: String, key: Option<&str>| ManifestError {
        line: key
            .and_then(|k| find_key_line(doc, k))
            .map(|l| l + line - 1)
            .or(Some(line)),
        column: Some(1),
        kind: Box::new(ManifestErrorKind::Decoding {
            kind: kind.into(),
            version: version.into(),
            expected: known.clone(),
        }),
        message,
    };
    if let Some(fields) = info.fields {
        let unknown: Vec<String> = map
            .keys()
            .map(|k| match k {
                Value::String(s) => s.clone(),
                other => serde_yaml::to_string(other)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            })
            .filter(|k| !fields.contains(&k.as_str()))
            .collect();
        if let Some(first) = unknown.first() {
            let list: Vec<String> = unknown
                .iter()
                .map(|k| format!("unknown field \"{k}\""))
                .collect();
            return Err(decoding(
                format!("strict decoding error: {}", list.join(", ")),
                Some(first),
            ));
        }
        if let Some(message) = unstructured::decoding_error(kind, &map) {
            let key = if message.contains(".stringData ") {
                "stringData"
            } else {
                "data"
            };
            return Err(decoding(message, Some(key)));
        }
    }
    Ok(Unstructured {
        api_version: version.into(),
        kind: kind.into(),
        metadata: head.metadata,
        rest: map,
    })
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
        // Stored-only kinds parse (unstructured.rs); unknown ones are kubectl's mapping error.
        let docs = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n").unwrap();
        assert!(matches!(docs[0].object, ApiObject::Unstructured(_)));
        let err = parse("apiVersion: v1\nkind: Pood\nmetadata:\n  name: x\n").unwrap_err();
        assert!(err
            .kubectl("f.yaml")
            .contains("no matches for kind \"Pood\" in version \"v1\""));
    }
}
