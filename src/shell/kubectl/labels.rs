//! `kubectl label` and `kubectl annotate`: `key=value` sets, `key-` removes, `--overwrite` to change.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::admission::{label_key_error, label_value_error};
use crate::sim::api::*;
use std::collections::BTreeMap;

fn edit<T: Resource>(
    store: &mut Store,
    ns: &str,
    name: &str,
    annotate: bool,
    changes: &[(String, Option<String>)],
    overwrite: bool,
) -> Result<String, String> {
    let mut obj: T = store.get::<T>(ns, name).cloned().ok_or_else(|| {
        format!(
            "Error from server (NotFound): {} \"{name}\" not found",
            T::resource_name()
        )
    })?;
    let map: &mut BTreeMap<String, String> = if annotate {
        &mut obj.meta_mut().annotations
    } else {
        &mut obj.meta_mut().labels
    };
    let mut changed = false;
    for (k, v) in changes {
        match v {
            None => changed |= map.remove(k).is_some(),
            Some(v) => {
                if let Some(old) = map.get(k) {
                    if old == v {
                        continue;
                    }
                    if !overwrite {
                        return Err(format!(
                            "error: '{k}' already has a value ({old}), and --overwrite is false"
                        ));
                    }
                }
                map.insert(k.clone(), v.clone());
                changed = true;
            }
        }
    }
    let verb = if annotate { "annotated" } else { "labeled" };
    if !changed {
        return Ok(format!("{}/{name} not {verb}", T::kubectl_prefix()));
    }
    store.put(obj);
    Ok(format!("{}/{name} {verb}", T::kubectl_prefix()))
}

#[allow(clippy::too_many_arguments)]
fn edit_stored(
    store: &mut Store,
    info: &KindInfo,
    ns: &str,
    name: &str,
    annotate: bool,
    changes: &[(String, Option<String>)],
    overwrite: bool,
    now: crate::sim::clock::Millis,
) -> Result<String, String> {
    let mut obj = store
        .get_unstructured(&info.resource(), ns, name)
        .cloned()
        .ok_or_else(|| {
            format!(
                "Error from server (NotFound): {} \"{name}\" not found",
                info.resource()
            )
        })?;
    let map = if annotate {
        &mut obj.metadata.annotations
    } else {
        &mut obj.metadata.labels
    };
    let mut changed = false;
    for (k, v) in changes {
        match v {
            None => changed |= map.remove(k).is_some(),
            Some(v) => {
                if let Some(old) = map.get(k) {
                    if old == v {
                        continue;
                    }
                    if !overwrite {
                        return Err(format!(
                            "error: '{k}' already has a value ({old}), and --overwrite is false"
                        ));
                    }
                }
                map.insert(k.clone(), v.clone());
                changed = true;
            }
        }
    }
    let verb = if annotate { "annotated" } else { "labeled" };
    let prefix = info.kubectl_prefix();
    if !changed {
        return Ok(format!("{prefix}/{name} not {verb}"));
    }
    store
        .update_unstructured(info, &obj, now)
        .map_err(|e| e.kubectl(None))?;
    Ok(format!("{prefix}/{name} {verb}"))
}

pub(super) fn label(s: &mut Session, args: &[String], annotate: bool) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("overwrite", None, false),
            flag("all", None, false),
            flag("list", None, false),
            flag("selector", Some('l'), true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let first = p.positional.first().ok_or(
        "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
    )?;
    let selector = p.value("selector").map(parse_selector).transpose()?;
    // `TYPE/NAME k=v`, `TYPE NAME k=v`, or `TYPE -l SELECTOR k=v`.
    let (kind_word, names, rest): (String, Vec<String>, &[String]) = match (first.split_once('/'), &selector) {
        (Some((k, n)), _) => (k.to_string(), vec![n.to_string()], &p.positional[1..]),
        (None, Some(_)) => (first.clone(), Vec::new(), &p.positional[1..]),
        (None, None) => (
            first.clone(),
            vec![p.positional.get(1).cloned().ok_or("error: one or more resources must be specified as <resource> <name> or <resource>/<name>")?],
            p.positional.get(2..).unwrap_or(&[]),
        ),
    };
    let resolved = super::stored::resolve(&s.world.clusters[cluster].store, &kind_word)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{kind_word}\""))?;
    let stored_info = match &resolved {
        super::stored::Resolved::Stored(info) => Some((**info).clone()),
        super::stored::Resolved::Typed(_) => None,
    };
    let kind = match resolved {
        super::stored::Resolved::Typed(k) => k,
        super::stored::Resolved::Stored(_) => Kind::Events,
    };
    let mut changes = Vec::new();
    for c in rest {
        if let Some(k) = c.strip_suffix('-') {
            changes.push((k.to_string(), None));
        } else if let Some((k, v)) = c.split_once('=') {
            if !annotate {
                if let Some(e) = label_key_error(k) {
                    return Err(format!("error: invalid label spec: {c}: {e}"));
                }
                if let Some(e) = label_value_error(v) {
                    return Err(format!("error: invalid label value: \"{c}\": {e}"));
                }
            }
            changes.push((k.to_string(), Some(v.to_string())));
        } else {
            return Err(format!(
                "error: at least one {} update is required",
                if annotate { "annotation" } else { "label" }
            ));
        }
    }
    if changes.is_empty() {
        return Err(format!(
            "error: at least one {} update is required",
            if annotate { "annotation" } else { "label" }
        ));
    }
    let overwrite = p.bool("overwrite");
    if let Some(info) = stored_info {
        let now = s.world.now;
        let store = &mut s.world.clusters[cluster].store;
        let obj_ns = if info.namespaced {
            ns.clone()
        } else {
            String::new()
        };
        let names: Vec<String> = match &selector {
            Some(sel) if names.is_empty() => store
                .unstructured
                .get(&info.resource())
                .into_iter()
                .flat_map(|t| t.in_namespace(info.namespaced.then_some(obj_ns.as_str())))
                .filter(|o| selector_matches(sel, &o.metadata.labels))
                .map(|o| o.metadata.name.clone())
                .collect(),
            _ => names,
        };
        let mut lines = Vec::new();
        for name in names {
            lines.push(edit_stored(
                store, &info, &obj_ns, &name, annotate, &changes, overwrite, now,
            )?);
        }
        s.world.settle();
        return Ok(Output::ok(lines.join("\n")));
    }
    let store = &mut s.world.clusters[cluster].store;
    let names: Vec<String> = match &selector {
        Some(sel) if names.is_empty() => {
            fn matching<T: Resource>(
                store: &Store,
                ns: &str,
                sel: &[(String, String, String)],
            ) -> Vec<String> {
                T::table(store)
                    .in_namespace(T::NAMESPACED.then_some(ns))
                    .filter(|o| selector_matches(sel, &o.meta().labels))
                    .map(|o| o.meta().name.clone())
                    .collect()
            }
            match kind {
                Kind::Pods => matching::<Pod>(store, &ns, sel),
                Kind::Nodes => matching::<Node>(store, &ns, sel),
                Kind::Deployments => matching::<Deployment>(store, &ns, sel),
                _ => {
                    return Err(
                        "error: Pocket Cluster labels by selector pods, nodes and deployments"
                            .into(),
                    )
                }
            }
        }
        _ => names,
    };
    if names.is_empty() {
        return Ok(Output::ok(format!("No resources found in {ns} namespace.")));
    }
    let mut lines = Vec::new();
    for name in names {
        let line = match kind {
            Kind::Pods => edit::<Pod>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::Nodes => edit::<Node>(store, "", &name, annotate, &changes, overwrite),
            Kind::Namespaces => edit::<Namespace>(store, "", &name, annotate, &changes, overwrite),
            Kind::Deployments => {
                edit::<Deployment>(store, &ns, &name, annotate, &changes, overwrite)
            }
            Kind::ReplicaSets => {
                edit::<ReplicaSet>(store, &ns, &name, annotate, &changes, overwrite)
            }
            Kind::DaemonSets => edit::<DaemonSet>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::StatefulSets => {
                edit::<StatefulSet>(store, &ns, &name, annotate, &changes, overwrite)
            }
            Kind::Jobs => edit::<Job>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::CronJobs => edit::<CronJob>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::Services => edit::<Service>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::Endpoints => edit::<Endpoints>(store, &ns, &name, annotate, &changes, overwrite),
            Kind::EndpointSlices => {
                edit::<EndpointSlice>(store, &ns, &name, annotate, &changes, overwrite)
            }
            Kind::Events => Err("error: events cannot be labeled here".into()),
        }?;
        lines.push(line);
    }
    s.world.settle();
    Ok(Output::ok(lines.join("\n")))
}
