//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`: the object as stored,
//! patched, and written back through the API server's update admission (validation, immutable
//! fields). Strategic merge (the default) merges the lists Kubernetes gives a merge key
//! (containers and env by name, ports by port, volumes by name, volumeMounts by mountPath);
//! merge patch (RFC 7386) replaces lists; JSON patch (RFC 6902) applies add, remove, replace,
//! copy, move and test operations. Custom resources take merge and JSON patches only, as the
//! API server says.

use super::super::flags::{self, flag, FlagSpec};
use super::super::{Output, Session};
use super::stored::Resolved;
use super::*;
use crate::manifest::{self, ApiObject};
use crate::sim::api::*;
use serde_yaml::{Mapping, Value};

const FLAGS: &[FlagSpec] = &[
    flag("patch", Some('p'), true),
    flag("type", None, true),
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("patch-file", None, true),
];

/// The merge key of a list under `key` (strategic merge), if Kubernetes gives it one.
fn merge_key(parent: &str, key: &str) -> Option<&'static str> {
    Some(match key {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "ports" if parent == "container" => "containerPort",
        "ports" => "port",
        "hostAliases" => "ip",
        _ => return None,
    })
}

fn strategic(target: &mut Value, patch: &Value, parent: &str) {
    match (target, patch) {
        (Value::Mapping(t), Value::Mapping(p)) => {
            for (k, v) in p {
                let key = k.as_str().unwrap_or("");
                if v.is_null() {
                    t.remove(k);
                    continue;
                }
                let list_key = merge_key(parent, key);
                let child_parent = match key {
                    "containers" | "initContainers" | "ephemeralContainers" => "container",
                    other => other,
                };
                match (t.get_mut(k), v, list_key) {
                    (Some(Value::Sequence(old)), Value::Sequence(new), Some(mk)) => {
                        for item in new {
                            let id = item.get(mk).cloned();
                            let pos = id
                                .as_ref()
                                .and_then(|id| old.iter().position(|o| o.get(mk) == Some(id)));
                            match pos {
                                Some(i) => strategic(&mut old[i], item, child_parent),
                                None => old.push(item.clone()),
                            }
                        }
                    }
                    (Some(existing @ Value::Mapping(_)), Value::Mapping(_), _) => {
                        strategic(existing, v, child_parent)
                    }
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// RFC 7386.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Mapping(t), Value::Mapping(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else if let Some(existing @ Value::Mapping(_)) = t.get_mut(k) {
                    if v.is_mapping() {
                        merge(existing, v);
                    } else {
                        *existing = v.clone();
                    }
                } else {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// A JSON pointer's steps (`/spec/containers/0/image`, `~1` is `/`, `~0` is `~`).
fn pointer(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!(
            "invalid JSON pointer: {path:?} (it must start with /)"
        ));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn get_at<'v>(v: &'v Value, steps: &[String]) -> Option<&'v Value> {
    let mut at = v;
    for s in steps {
        at = match at {
            Value::Mapping(m) => m.get(s.as_str())?,
            Value::Sequence(q) => q.get(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

fn parent_at<'v>(v: &'v mut Value, steps: &[String]) -> Option<&'v mut Value> {
    let mut at = v;
    for s in steps {
        at = match at {
            Value::Mapping(m) => m.get_mut(s.as_str())?,
            Value::Sequence(q) => q.get_mut(s.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

fn remove_at(v: &mut Value, steps: &[String]) -> Result<Value, String> {
    let (last, parent) = steps.split_last().ok_or("cannot remove the whole object")?;
    let p = parent_at(v, parent).ok_or("the path's parent does not exist")?;
    match p {
        Value::Mapping(m) => m
            .remove(last.as_str())
            .ok_or_else(|| format!("the member {last:?} does not exist")),
        Value::Sequence(q) => match last.parse::<usize>() {
            Ok(i) if i < q.len() => Ok(q.remove(i)),
            _ => Err(format!("the index {last:?} is out of range")),
        },
        _ => Err("the path's parent is not an object or an array".into()),
    }
}

fn add_at(v: &mut Value, steps: &[String], value: Value, replace: bool) -> Result<(), String> {
    let Some((last, parent)) = steps.split_last() else {
        *v = value;
        return Ok(());
    };
    let p = parent_at(v, parent).ok_or("the path's parent does not exist")?;
    match p {
        Value::Mapping(m) => {
            if replace && !m.contains_key(last.as_str()) {
                return Err(format!("the member {last:?} does not exist"));
            }
            m.insert(Value::String(last.clone()), value);
            Ok(())
        }
        Value::Sequence(q) => {
            let i = if last == "-" {
                q.len()
            } else {
                last.parse::<usize>()
                    .map_err(|_| format!("the index {last:?} is not a number"))?
            };
            if replace {
                let slot = q.get_mut(i).ok_or("the index is out of range")?;
                *slot = value;
            } else if i <= q.len() {
                q.insert(i, value);
            } else {
                return Err("the index is out of range".into());
            }
            Ok(())
        }
        _ => Err("the path's parent is not an object or an array".into()),
    }
}

/// RFC 6902.
fn json_patch(target: &mut Value, ops: &Value) -> Result<(), String> {
    let Value::Sequence(ops) = ops else {
        return Err("a JSON patch is a list of operations".into());
    };
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let path = pointer(op.get("path").and_then(Value::as_str).unwrap_or(""))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("operation {name:?} needs a value"))
        };
        match name {
            "add" => add_at(target, &path, value()?, false)?,
            "replace" => add_at(target, &path, value()?, true)?,
            "remove" => {
                remove_at(target, &path)?;
            }
            "test" => {
                if get_at(target, &path) != Some(&value()?) {
                    return Err("testing value failed".into());
                }
            }
            "copy" | "move" => {
                let from = pointer(op.get("from").and_then(Value::as_str).unwrap_or(""))?;
                let v = if name == "move" {
                    remove_at(target, &from)?
                } else {
                    get_at(target, &from)
                        .cloned()
                        .ok_or("the from path does not exist")?
                };
                add_at(target, &path, v, false)?;
            }
            other => return Err(format!("unexpected kind: {other}")),
        }
    }
    Ok(())
}

pub(super) fn patch(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(args, FLAGS)?;
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let (word, name) = match p.positional.as_slice() {
        [one] if one.contains('/') => {
            let (w, n) = one.split_once('/').unwrap_or(("", ""));
            (w.to_string(), n.to_string())
        }
        [w, n] => (w.clone(), n.clone()),
        [] => {
            return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into())
        }
        _ => return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>')".into()),
    };
    let patch_text =
        match (p.value("patch"), p.value("patch-file")) {
            (Some(t), _) => t.to_string(),
            (None, Some(f)) => s.files.read(f).map_err(|e| match e {
                crate::shell::files::FileError::NotFound => {
                    format!("error: open {f}: no such file or directory")
                }
                crate::shell::files::FileError::Other(m) => format!("error: {m}"),
            })?,
            (None, None) => return Err(
                "error: must specify --patch or --patch-file containing the contents of the patch"
                    .into(),
            ),
        };
    let kind_of = p.value("type").unwrap_or("strategic");
    if !matches!(kind_of, "strategic" | "merge" | "json") {
        return Err(format!(
            "error: --type must be one of [json merge strategic], not \"{kind_of}\""
        ));
    }
    let patch: Value = crate::yaml::from_str(&patch_text)
        .map_err(|e| format!("error: unable to parse \"{patch_text}\": {e}"))?;
    let store = &s.world.clusters[cluster].store;
    let resolved = super::stored::resolve(store, &word)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{word}\""))?;
    // The object as stored, as a value; its kubectl prefix and whether it is a custom resource.
    let (current, prefix, custom, resource) = match &resolved {
        Resolved::Typed(kind) => {
            let (v, prefix, resource) = typed_value(store, *kind, &ns, &name)?;
            (v, prefix, false, resource)
        }
        Resolved::Stored(info) => {
            let obj_ns = if info.namespaced { ns.as_str() } else { "" };
            let obj = store
                .get_unstructured(&info.resource(), obj_ns, &name)
                .ok_or_else(|| {
                    format!(
                        "Error from server (NotFound): {} \"{name}\" not found",
                        info.resource()
                    )
                })?;
            let v = serde_yaml::to_value(obj).map_err(|e| format!("error: {e}"))?;
            let custom = store.custom_kinds.contains_key(&info.resource());
            (v, info.kubectl_prefix(), custom, info.resource())
        }
    };
    let mut patched = current.clone();
    match kind_of {
        "strategic" if custom => {
            return Err("Error from server (UnsupportedMediaType): the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into())
        }
        "strategic" => {
            if !patch.is_mapping() {
                return Err(format!("Error from server (BadRequest): json: cannot unmarshal {} into Go value of type map[string]interface {{}}", kind_word(&patch)));
            }
            strategic(&mut patched, &patch, "")
        }
        "merge" => merge(&mut patched, &patch),
        _ => json_patch(&mut patched, &patch).map_err(|e| {
            format!("Error from server (UnprocessableEntity): {e}")
        })?,
    }
    // The name and namespace cannot change through a patch.
    for field in ["name", "namespace"] {
        let before = current.get("metadata").and_then(|m| m.get(field)).cloned();
        let after = patched.get("metadata").and_then(|m| m.get(field)).cloned();
        if before != after {
            return Err(format!(
                "Error from server (BadRequest): the {field} of the object ({}) does not match the {field} on the URL ({})",
                after.as_ref().and_then(Value::as_str).unwrap_or(""),
                before.as_ref().and_then(Value::as_str).unwrap_or("")
            ));
        }
    }
    if patched == current {
        return Ok(Output::ok(format!("{prefix}/{name} patched (no change)")));
    }
    let dry = matches!(p.value("dry-run"), Some("client" | "server" | "true"));
    let text = serde_yaml::to_string(&patched).map_err(|e| format!("error: {e}"))?;
    let kinds = store.kinds();
    let docs = manifest::parse_each(&text, kinds).map_err(|e| e.kubectl("patch"))?;
    let Some(Ok(doc)) = docs.into_iter().next() else {
        return Err(format!(
            "error: the patched {resource} could not be read back"
        ));
    };
    let now = s.world.now;
    let w = &mut s.world;
    let c = &mut w.clusters[cluster];
    let result = match doc.object {
        ApiObject::Pod(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Namespace(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Node(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Deployment(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::ReplicaSet(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::DaemonSet(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Job(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::CronJob(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::StatefulSet(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Service(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Endpoints(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::EndpointSlice(o) => update(&mut c.store, *o, dry, &mut w.rng),
        ApiObject::Unstructured(o) => {
            let info = c
                .store
                .kinds()
                .by_resource(&resource)
                .ok_or_else(|| format!("error: no kind {resource}"))?;
            if dry {
                Ok(())
            } else {
                c.store
                    .update_unstructured(&info, &o, now)
                    .map(|_| ())
                    .map_err(|e| e.kubectl(None))
            }
        }
    };
    result?;
    s.world.settle();
    let suffix = match p.value("dry-run") {
        Some("client" | "true") => " (dry run)",
        Some("server") => " (server dry run)",
        _ => "",
    };
    Ok(Output::ok(format!("{prefix}/{name} patched{suffix}")))
}

fn kind_word(v: &Value) -> &'static str {
    match v {
        Value::Sequence(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        _ => "value",
    }
}

fn update<T: Resource>(
    store: &mut Store,
    obj: T,
    dry: bool,
    rng: &mut crate::sim::rng::Rng,
) -> Result<(), String> {
    if dry {
        return Ok(());
    }
    store
        .update(&obj, rng)
        .map(|_| ())
        .map_err(|e| e.kubectl(None))
}

fn typed_value(
    store: &Store,
    kind: Kind,
    ns: &str,
    name: &str,
) -> Result<(Value, String, String), String> {
    fn one<T: Resource>(
        store: &Store,
        ns: &str,
        name: &str,
    ) -> Result<(Value, String, String), String> {
        let ns = if T::NAMESPACED { ns } else { "" };
        let obj = store.get::<T>(ns, name).ok_or_else(|| {
            format!(
                "Error from server (NotFound): {} \"{name}\" not found",
                T::resource_name()
            )
        })?;
        let mut v = serde_yaml::to_value(obj).map_err(|e| format!("error: {e}"))?;
        if let Value::Mapping(m) = &mut v {
            // The typed objects serialise without their type; the read-back needs it.
            let mut full = Mapping::new();
            full.insert("apiVersion".into(), T::API_VERSION.into());
            full.insert("kind".into(), T::KIND.into());
            for (k, val) in m.iter() {
                if k.as_str() != Some("apiVersion") && k.as_str() != Some("kind") {
                    full.insert(k.clone(), val.clone());
                }
            }
            v = Value::Mapping(full);
        }
        Ok((v, T::kubectl_prefix(), T::resource_name()))
    }
    match kind {
        Kind::Pods => one::<Pod>(store, ns, name),
        Kind::Nodes => one::<Node>(store, ns, name),
        Kind::Namespaces => one::<Namespace>(store, ns, name),
        Kind::Deployments => one::<Deployment>(store, ns, name),
        Kind::ReplicaSets => one::<ReplicaSet>(store, ns, name),
        Kind::DaemonSets => one::<DaemonSet>(store, ns, name),
        Kind::StatefulSets => one::<StatefulSet>(store, ns, name),
        Kind::Jobs => one::<Job>(store, ns, name),
        Kind::CronJobs => one::<CronJob>(store, ns, name),
        Kind::Services => one::<Service>(store, ns, name),
        Kind::Endpoints => one::<Endpoints>(store, ns, name),
        Kind::EndpointSlices => one::<EndpointSlice>(store, ns, name),
        Kind::Events => Err("error: events cannot be patched here".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        serde_yaml::from_str(s).expect("yaml")
    }

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut t =
            v("spec:\n  containers:\n  - name: a\n    image: x:1\n  - name: b\n    image: y:1\n");
        strategic(
            &mut t,
            &v("spec:\n  containers:\n  - name: b\n    image: y:2\n"),
            "",
        );
        assert_eq!(
            t,
            v("spec:\n  containers:\n  - name: a\n    image: x:1\n  - name: b\n    image: y:2\n")
        );
        let mut m = v("a:\n  b: [1, 2]\n  c: 1\n");
        merge(&mut m, &v("a:\n  b: [3]\n  c: null\n"));
        assert_eq!(m, v("a:\n  b: [3]\n"));
    }

    #[test]
    fn json_patch_operations() {
        let mut t = v("spec:\n  replicas: 1\n  list: [a, b]\n");
        json_patch(
            &mut t,
            &v("- {op: replace, path: /spec/replicas, value: 3}\n- {op: add, path: /spec/list/-, value: c}\n- {op: remove, path: /spec/list/0}\n"),
        )
        .expect("applies");
        assert_eq!(t, v("spec:\n  replicas: 3\n  list: [b, c]\n"));
        assert!(json_patch(&mut t, &v("- {op: replace, path: /spec/nope, value: 1}\n")).is_err());
    }
}
