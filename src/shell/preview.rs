//! What `kubectl apply -f FILE` would do, document by document, before it does it: created,
//! configured (with the fields that change, old → new) or unchanged. The apply runs for real on
//! a copy of the world, so the answer is kubectl's own, and the learner's world is untouched.

use super::files::MemFiles;
use super::Session;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// One field that an apply changes (`None`: not there before, or not there after).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Change {
    Created,
    Configured(Vec<FieldChange>),
    Unchanged,
    /// kubectl's error for this document.
    Failed(String),
}

/// The preview of one document.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocPreview {
    /// 1-based line where the document starts.
    pub line: usize,
    /// `deployment.apps/web` as kubectl names it (or `Kind/name` when apply failed).
    pub object: String,
    pub change: Change,
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Preview `kubectl apply` of `text` in the session's current context and namespace.
pub fn preview(s: &Session, text: &str) -> Vec<DocPreview> {
    // A scratch session over a copy of the world (built field by field from `new`, so that
    // fields added to Session later get their defaults).
    let mut scratch = Session::with_files(0, Box::new(MemFiles::default()));
    scratch.world = s.world.clone();
    scratch.namespaces = s.namespaces.clone();
    let mut out = Vec::new();
    for (line, doc) in crate::manifest::split_documents(text).into_iter().take(100) {
        let head: serde_yaml::Value = match crate::yaml::from_str(&doc) {
            Ok(serde_yaml::Value::Null) => continue,
            Ok(v) => v,
            Err(_) => serde_yaml::Value::Null,
        };
        let field = |path: &[&str]| -> String {
            let mut v = &head;
            for p in path {
                match v.get(p) {
                    Some(x) => v = x,
                    None => return String::new(),
                }
            }
            v.as_str().unwrap_or("").to_string()
        };
        let (kind, name, ns) = (
            field(&["kind"]),
            field(&["metadata", "name"]),
            field(&["metadata", "namespace"]),
        );
        let get = |s: &mut Session| -> Option<Json> {
            if kind.is_empty() || name.is_empty() {
                return None;
            }
            let mut line = format!("kubectl get {} {name} -o json", kind.to_lowercase());
            if !ns.is_empty() {
                line.push_str(&format!(" -n {ns}"));
            }
            let o = s.run(&line, None);
            o.ok.then(|| serde_json::from_str(&o.text).ok()).flatten()
        };
        let before = get(&mut scratch);
        let applied = scratch.run("kubectl apply -f -", Some(&doc));
        let last = applied.text.lines().last().unwrap_or("").to_string();
        let (object, word) = last.rsplit_once(' ').unwrap_or(("", ""));
        let shown = if object.is_empty() || !applied.ok {
            format!("{kind}/{name}")
        } else {
            object.to_string()
        };
        let change = match (applied.ok, word) {
            (true, "created") => Change::Created,
            (true, "unchanged") => Change::Unchanged,
            (true, "configured") => {
                let after = get(&mut scratch);
                Change::Configured(match (before, after) {
                    (Some(b), Some(a)) => diff_objects(&b, &a),
                    _ => Vec::new(),
                })
            }
            _ => Change::Failed(applied.text.clone()),
        };
        out.push(DocPreview {
            line,
            object: shown,
            change,
        });
    }
    out
}

/// The fields that changed: between the configurations last applied when both objects have
/// one (what the learner wrote, without the server's defaults and status), else between the
/// objects without their status and server-set metadata.
pub fn diff_objects(before: &Json, after: &Json) -> Vec<FieldChange> {
    let applied = |o: &Json| -> Option<Json> {
        let text = o
            .get("metadata")?
            .get("annotations")?
            .get(LAST_APPLIED)?
            .as_str()?;
        serde_json::from_str(text).ok()
    };
    let (b, a) = match (applied(before), applied(after)) {
        (Some(b), Some(a)) => (b, a),
        _ => (without_server_fields(before), without_server_fields(after)),
    };
    let (mut fb, mut fa) = (BTreeMap::new(), BTreeMap::new());
    flatten("", &b, &mut fb);
    flatten("", &a, &mut fa);
    let mut out = Vec::new();
    for (path, old) in &fb {
        match fa.get(path) {
            Some(new) if new == old => {}
            new => out.push(FieldChange {
                path: path.clone(),
                old: Some(old.clone()),
                new: new.cloned(),
            }),
        }
    }
    for (path, new) in &fa {
        if !fb.contains_key(path) {
            out.push(FieldChange {
                path: path.clone(),
                old: None,
                new: Some(new.clone()),
            });
        }
    }
    crate::sim::sort::by(&mut out, |x, y| x.path.cmp(&y.path));
    out
}

fn without_server_fields(o: &Json) -> Json {
    let mut o = o.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("status");
        if let Some(meta) = m.get_mut("metadata").and_then(Json::as_object_mut) {
            for k in [
                "uid",
                "resourceVersion",
                "generation",
                "creationTimestamp",
                "managedFields",
                "selfLink",
            ] {
                meta.remove(k);
            }
            if let Some(a) = meta.get_mut("annotations").and_then(Json::as_object_mut) {
                a.remove(LAST_APPLIED);
                a.remove("deployment.kubernetes.io/revision");
            }
        }
    }
    o
}

/// Leaves of a JSON value by path (`spec.containers[0].image`), each printed as JSON.
fn flatten(path: &str, v: &Json, out: &mut BTreeMap<String, String>) {
    if out.len() > 2000 {
        return;
    }
    match v {
        Json::Object(m) if !m.is_empty() => {
            for (k, x) in m {
                let p = if path.is_empty() {
                    k.clone()
                } else if k.contains('.') || k.contains('/') {
                    format!("{path}[{k}]")
                } else {
                    format!("{path}.{k}")
                };
                flatten(&p, x, out);
            }
        }
        Json::Array(a) if !a.is_empty() => {
            for (i, x) in a.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), x, out);
            }
        }
        leaf => {
            out.insert(path.to_string(), leaf.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: nginx\n        image: nginx:1.25\n";

    #[test]
    fn created_configured_unchanged_without_touching_the_world() {
        let mut s = Session::new(1);
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n";
        let text = format!("{DEPLOY}---\n{cm}");
        let p = preview(&s, &text);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].object, "deployment.apps/web");
        assert_eq!(p[0].change, Change::Created);
        assert_eq!(p[1].line, 18);
        assert_eq!(p[1].change, Change::Created, "{p:?}");
        // Nothing was applied for real.
        assert!(s
            .run("kubectl get deployment web", None)
            .text
            .contains("NotFound"));

        s.run("kubectl apply -f -", Some(&text));
        let p = preview(&s, &text);
        assert_eq!(p[0].change, Change::Unchanged, "{p:?}");
        assert_eq!(p[1].change, Change::Unchanged, "{p:?}");

        let changed = format!(
            "{}---\n{}",
            DEPLOY
                .replace("replicas: 2", "replicas: 3")
                .replace("1.25", "1.26"),
            cm.replace("a: \"1\"", "b: \"2\"")
        );
        let p = preview(&s, &changed);
        let Change::Configured(d) = &p[0].change else {
            panic!("{p:?}")
        };
        assert_eq!(
            d,
            &vec![
                FieldChange {
                    path: "spec.replicas".into(),
                    old: Some("2".into()),
                    new: Some("3".into())
                },
                FieldChange {
                    path: "spec.template.spec.containers[0].image".into(),
                    old: Some("\"nginx:1.25\"".into()),
                    new: Some("\"nginx:1.26\"".into())
                },
            ]
        );
        let Change::Configured(d) = &p[1].change else {
            panic!("{p:?}")
        };
        assert!(
            d.iter().any(|c| c.path == "data.a" && c.new.is_none()),
            "{d:?}"
        );
        assert!(
            d.iter().any(|c| c.path == "data.b" && c.old.is_none()),
            "{d:?}"
        );
    }

    #[test]
    fn failures_are_kubectls_words() {
        let s = Session::new(1);
        let p = preview(&s, &DEPLOY.replace("replicas: 2", "replicas: -1"));
        match &p[0].change {
            Change::Failed(e) => assert!(e.contains("spec.replicas"), "{e}"),
            other => panic!("{other:?}"),
        }
        assert!(preview(&s, "").is_empty());
        let _ = preview(&s, "{{{");
    }
}
