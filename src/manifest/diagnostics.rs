//! What the editor underlines: every document of a buffer checked as the API server would
//! check it (syntax, strict decoding, admission's field errors), each problem placed at its
//! line and column, with a did-you-mean for unknown fields; and hints of good practice
//! (`hints.rs`) that never block an apply.

use super::locate;
use super::{ApiObject, ManifestErrorKind};
use crate::sim::api::admission::{self, FieldError};
use crate::sim::api::{unstructured, Kinds, Resource};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Severity {
    Error,
    Hint,
}

/// One underline: 1-based line and columns (end exclusive) in the whole buffer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub line: usize,
    pub column: usize,
    pub end_column: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    /// `Line 3, column 5: …` (what the list and screen readers say).
    pub fn located(&self) -> String {
        format!(
            "Line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Check a buffer of one or more `---`-separated documents against the kinds a cluster serves.
/// Errors first, then hints, each group by line.
pub fn check(text: &str, kinds: Kinds<'_>) -> Vec<Diagnostic> {
    if text.len() > super::MAX_MANIFEST_BYTES {
        return vec![Diagnostic {
            line: 1,
            column: 1,
            end_column: 2,
            severity: Severity::Error,
            message: format!(
                "the manifest is {} bytes; at most {} are accepted",
                text.len(),
                super::MAX_MANIFEST_BYTES
            ),
        }];
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (start, doc) in super::split_documents(text).into_iter().take(500) {
        check_document(&lines, start, &doc, kinds, &mut out);
    }
    crate::sim::sort::by_key(&mut out, |d| (d.severity, d.line, d.column));
    out.dedup();
    out
}

/// A diagnostic at `line` (1-based in the buffer) from `column` to the end of the line.
fn at(
    lines: &[&str],
    line: usize,
    column: usize,
    severity: Severity,
    message: String,
) -> Diagnostic {
    let len = lines
        .get(line.saturating_sub(1))
        .map_or(0, |l| l.chars().count());
    let column = column.max(1);
    Diagnostic {
        line: line.max(1),
        column,
        end_column: (len + 1).max(column + 1),
        severity,
        message,
    }
}

fn check_document(
    lines: &[&str],
    start: usize,
    doc: &str,
    kinds: Kinds<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let docs = match super::parse_each(doc, kinds) {
        Ok(d) => d,
        Err(e) => {
            let line = e.line.map_or(start, |l| l + start - 1);
            let message = match e.kind.as_ref() {
                ManifestErrorKind::Decoding { expected, .. } => {
                    decoding_message(&e.message, expected)
                }
                ManifestErrorKind::Syntax => format!("YAML syntax: {}", e.message),
                _ => e.message.clone(),
            };
            out.push(at(
                lines,
                line,
                e.column.unwrap_or(1),
                Severity::Error,
                message,
            ));
            return;
        }
    };
    for d in docs {
        match d {
            Err(e) => {
                let line = e.line.map_or(start, |l| l + start - 1);
                out.push(at(
                    lines,
                    line,
                    e.column.unwrap_or(1),
                    Severity::Error,
                    e.message,
                ));
            }
            Ok(d) => {
                let place = |path: &str| -> (usize, usize) {
                    match locate::locate(doc, path) {
                        Some(f) => (f.line + start, f.column),
                        None => (start + first_content_line(doc), 1),
                    }
                };
                for err in field_errors(&d.object, kinds) {
                    let (line, column) = place(&err.path);
                    out.push(at(lines, line, column, Severity::Error, err.to_string()));
                }
                for hint in super::hints::hints(&d.object) {
                    let (line, column) = place(&hint.path);
                    out.push(at(lines, line, column, Severity::Hint, hint.message));
                }
            }
        }
    }
}

fn first_content_line(doc: &str) -> usize {
    doc.lines()
        .position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#') && !t.starts_with("---")
        })
        .unwrap_or(0)
}

/// `strict decoding error: unknown field "spec.replica"` → a sentence with a did-you-mean.
fn decoding_message(message: &str, expected: &[String]) -> String {
    let unknown = message
        .split("unknown field \"")
        .nth(1)
        .and_then(|r| r.split('"').next());
    match unknown {
        Some(full) => {
            let (parent, field) = match full.rsplit_once('.') {
                Some((p, f)) => (Some(p), f),
                None => (None, full),
            };
            let place = parent.map(|p| format!(" in {p}")).unwrap_or_default();
            match did_you_mean(field, expected) {
                Some(s) => format!("unknown field \"{field}\"{place}: did you mean \"{s}\"?"),
                None if expected.is_empty() => format!("unknown field \"{field}\"{place}"),
                None => format!(
                    "unknown field \"{field}\"{place}; the fields here are {}",
                    expected.join(", ")
                ),
            }
        }
        None => message
            .strip_prefix("strict decoding error: ")
            .unwrap_or(message)
            .to_string(),
    }
}

/// The known field closest to `word` by edit distance (case-insensitive), if close enough.
pub fn did_you_mean<'a>(word: &str, known: &'a [String]) -> Option<&'a str> {
    let w = word.to_lowercase();
    let limit = (w.chars().count() / 3).max(1) + 1;
    known
        .iter()
        .map(|k| (edit_distance(&w, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= limit || k.to_lowercase().starts_with(&w) && w.len() >= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance over chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut row = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            row[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(row[j] + 1);
        }
        prev = row;
    }
    prev[b.len()]
}

/// The API server's admission checks of a new object (defaults first, as it does), without a
/// store: what does not depend on other objects.
pub fn field_errors(object: &ApiObject, kinds: Kinds<'_>) -> Vec<FieldError> {
    fn typed<T: Resource>(o: &T) -> Vec<FieldError> {
        let mut o = o.clone();
        let meta = o.meta_mut();
        if !T::NAMESPACED {
            meta.namespace.clear();
        } else if meta.namespace.is_empty() {
            meta.namespace = "default".into();
        }
        if meta.name.is_empty() && !meta.generate_name.is_empty() {
            meta.name = format!("{}x", meta.generate_name);
        }
        o.apply_defaults();
        let mut errs = admission::validate_meta::<T>(o.meta());
        errs.extend(o.validate());
        errs.extend(crate::sim::api::quota::validate_new(&o));
        errs
    }
    match object {
        ApiObject::Pod(o) => typed(o.as_ref()),
        ApiObject::Namespace(o) => typed(o.as_ref()),
        ApiObject::Node(o) => typed(o.as_ref()),
        ApiObject::Deployment(o) => typed(o.as_ref()),
        ApiObject::ReplicaSet(o) => typed(o.as_ref()),
        ApiObject::DaemonSet(o) => typed(o.as_ref()),
        ApiObject::Job(o) => typed(o.as_ref()),
        ApiObject::CronJob(o) => typed(o.as_ref()),
        ApiObject::StatefulSet(o) => typed(o.as_ref()),
        ApiObject::Service(o) => typed(o.as_ref()),
        ApiObject::Endpoints(o) => typed(o.as_ref()),
        ApiObject::EndpointSlice(o) => typed(o.as_ref()),
        ApiObject::Unstructured(o) => {
            let Some(info) = kinds.by_kind(&o.kind, &o.api_version) else {
                return Vec::new();
            };
            let mut o = o.as_ref().clone();
            if !info.namespaced {
                o.metadata.namespace.clear();
            } else if o.metadata.namespace.is_empty() {
                o.metadata.namespace = "default".into();
            }
            if o.metadata.name.is_empty() && !o.metadata.generate_name.is_empty() {
                o.metadata.name = format!("{}x", o.metadata.generate_name);
            }
            unstructured::apply_defaults(&mut o, 0);
            let mut errs =
                admission::validate_meta_of(&o.metadata, &o.kind, info.namespaced, info.names);
            errs.extend(unstructured::validate(&o));
            errs
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Vec<Diagnostic> {
        super::check(text, Kinds::builtin())
    }
    fn errors(text: &str) -> Vec<Diagnostic> {
        check(text)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        resources:
          requests:
            cpu: 100m
        readinessProbe:
          httpGet:
            path: /
            port: 80
";

    #[test]
    fn a_good_manifest_is_clean() {
        assert_eq!(check(DEPLOY), vec![]);
    }

    #[test]
    fn unknown_fields_say_did_you_mean() {
        let text = DEPLOY.replace("replicas: 2", "replica: 2");
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!((e[0].line, e[0].column), (6, 3), "{e:?}");
        assert_eq!(e[0].end_column, 13);
        assert!(
            e[0].message.contains("did you mean \"replicas\""),
            "{}",
            e[0].message
        );
        // Deeper down, in a list item.
        let text = DEPLOY.replace("image: nginx", "imag: nginx");
        let e = errors(&text);
        assert_eq!(e[0].line, 17, "{e:?}");
        assert!(e[0].message.contains("did you mean \"image\""), "{e:?}");
    }

    #[test]
    fn lines_are_counted_through_documents() {
        let text = format!(
            "{DEPLOY}---\n{DEPLOY}---\n{}",
            DEPLOY.replace("replicas: 2", "replicas: -1")
        );
        let e = errors(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        // Two documents of 24 lines and their markers before it.
        assert_eq!(e[0].line, 24 * 2 + 2 + 6, "{e:?}");
        assert!(
            e[0].message.starts_with("spec.replicas: Invalid value: -1"),
            "{e:?}"
        );
    }

    #[test]
    fn selector_and_ranges_and_required_fields() {
        let text = DEPLOY.replace("        app: web\n    spec", "        app: api\n    spec");
        let e = errors(&text);
        assert!(
            e.iter().any(|d| d
                .message
                .contains("`selector` does not match template `labels`")
                && d.line == 12),
            "{e:?}"
        );
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx:1.25\n    ports:\n    - containerPort: 70000\n";
        let e = errors(pod);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].line, 10, "{e:?}");
        assert!(e[0].message.contains("containerPort"), "{e:?}");
        let e = errors(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n",
        );
        assert!(
            e.iter().any(|d| d.message.contains("image")
                && d.message.contains("Required")
                && d.line == 7),
            "{e:?}"
        );
        let e =
            errors("apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {}\nspec:\n  containers: []\n");
        assert!(
            e.iter().any(|d| d.message.contains("metadata.name")),
            "{e:?}"
        );
    }

    #[test]
    fn syntax_and_type_errors() {
        let e = errors("apiVersion: v1\nkind: Pod\n metadata:\n  name: x\n");
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 3, "{e:?}");
        assert!(e[0].message.starts_with("YAML syntax"), "{e:?}");
        let e = errors(&DEPLOY.replace("replicas: 2", "replicas: two"));
        assert_eq!(e[0].line, 6, "{e:?}");
        let e = errors("apiVersion: v1\nkind: Pood\nmetadata:\n  name: x\n");
        assert_eq!(e[0].line, 2, "{e:?}");
    }

    #[test]
    fn hints_are_hints() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:latest\n      - name: b\n        image: busybox\n";
        let d = check(text);
        assert!(d.iter().all(|d| d.severity == Severity::Hint), "{d:?}");
        let at =
            |line: usize, word: &str| d.iter().any(|d| d.line == line && d.message.contains(word));
        assert!(at(16, ":latest"), "{d:?}");
        assert!(at(18, "no tag"), "{d:?}");
        assert!(at(15, "requests"), "{d:?}");
        assert!(at(15, "readiness"), "{d:?}");
    }

    #[test]
    fn edit_distance_and_suggestions() {
        assert_eq!(edit_distance("replica", "replicas"), 1);
        let known: Vec<String> = ["replicas", "selector", "template"]
            .map(String::from)
            .to_vec();
        assert_eq!(did_you_mean("replica", &known), Some("replicas"));
        assert_eq!(did_you_mean("Selecter", &known), Some("selector"));
        assert_eq!(did_you_mean("zzz", &known), None);
    }

    #[test]
    fn any_text_is_checked_without_panicking() {
        for t in [
            "",
            "---",
            ":",
            "- a",
            "{",
            "apiVersion: v1\nkind: Pod\nspec: 3\n",
            "\u{0}\t\t",
            "a: *x",
        ] {
            let _ = check(t);
        }
    }
}
