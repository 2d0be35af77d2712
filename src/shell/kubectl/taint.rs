//! `kubectl taint nodes NAME|-l SELECTOR|--all KEY[=VALUE]:EFFECT[-] ...` (add, overwrite and
//! remove taints, with kubectl's checks and texts) and `kubectl top` (no metrics-server runs
//! in these clusters, so it answers as kubectl does without one).

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// One taint argument: to add (key, value, effect) or to remove (key, optional effect).
enum Spec {
    Add(Taint),
    Remove(String, Option<String>),
}

fn parse_spec(arg: &str) -> Result<Spec, String> {
    let invalid = |why: &str| format!("error: invalid taint spec: {arg}, {why}");
    if let Some(rest) = arg.strip_suffix('-') {
        let (key, effect) = match rest.split_once(':') {
            Some((k, e)) => (k, Some(e.to_string())),
            None => (rest, None),
        };
        let key = key.split_once('=').map(|(k, _)| k).unwrap_or(key);
        if key.is_empty() {
            return Err(invalid("invalid taint key"));
        }
        if let Some(e) = &effect {
            if !EFFECTS.contains(&e.as_str()) {
                return Err(invalid(&format!(
                    "invalid taint effect: {e}, unsupported taint effect"
                )));
            }
        }
        return Ok(Spec::Remove(key.to_string(), effect));
    }
    let Some((kv, effect)) = arg.split_once(':') else {
        return Err(invalid("unknown taint spec"));
    };
    if !EFFECTS.contains(&effect) {
        return Err(invalid(&format!(
            "invalid taint effect: {effect}, unsupported taint effect"
        )));
    }
    let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
    if let Some(e) = crate::sim::api::admission::label_key_error(key) {
        return Err(invalid(&e));
    }
    if !value.is_empty() {
        if let Some(e) = crate::sim::api::admission::label_value_error(value) {
            return Err(invalid(&e));
        }
    }
    Ok(Spec::Add(Taint {
        key: key.to_string(),
        value: value.to_string(),
        effect: effect.to_string(),
        time_added: None,
    }))
}

pub(super) fn taint(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("selector", Some('l'), true),
            flag("all", None, false),
            flag("overwrite", None, false),
            flag("dry-run", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let usage = "error: at least one taint update is required\nSee 'kubectl taint -h' for help and examples";
    let mut pos = p.positional.iter();
    let kind = pos.next().ok_or(usage)?;
    let mut names: Vec<String> = Vec::new();
    let (kind, inline) = match kind.split_once('/') {
        Some((k, n)) => (k.to_string(), Some(n.to_string())),
        None => (kind.clone(), None),
    };
    if !matches!(kind.as_str(), "node" | "nodes" | "no") {
        return Err(format!(
            "error: invalid resource type {kind}, only node types are supported"
        ));
    }
    if let Some(n) = inline {
        names.push(n);
    } else if p.value("selector").is_none() && !p.bool("all") {
        names.push(pos.next().ok_or(usage)?.clone());
    }
    let specs: Vec<Spec> = pos.map(|a| parse_spec(a)).collect::<Result<_, _>>()?;
    if specs.is_empty() {
        return Err(usage.into());
    }
    let store = &s.world.clusters[cluster].store;
    if p.bool("all") || p.value("selector").is_some() {
        let sel = p.value("selector").map(super::parse_selector).transpose()?;
        names = store
            .nodes
            .values()
            .filter(|n| {
                sel.as_ref()
                    .is_none_or(|s| selector_matches(s, &n.metadata.labels))
            })
            .map(|n| n.metadata.name.clone())
            .collect();
    }
    let overwrite = p.bool("overwrite");
    let dry = p.value("dry-run").is_some_and(|d| d != "none");
    let now = s.world.now;
    let mut lines = Vec::new();
    for name in names {
        let c = &mut s.world.clusters[cluster];
        let mut node =
            c.store.nodes.get("", &name).cloned().ok_or_else(|| {
                format!("Error from server (NotFound): nodes \"{name}\" not found")
            })?;
        let mut added = false;
        let mut removed = false;
        for spec in &specs {
            match spec {
                Spec::Add(t) => {
                    let same = node
                        .spec
                        .taints
                        .iter()
                        .position(|x| x.key == t.key && x.effect == t.effect);
                    match same {
                        Some(_) if !overwrite => {
                            return Err(format!("error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false", t.key));
                        }
                        Some(i) => node.spec.taints[i] = t.clone(),
                        None => {
                            let mut t = t.clone();
                            if t.effect == "NoExecute" {
                                t.time_added = Some(crate::sim::clock::rfc3339(now));
                            }
                            node.spec.taints.push(t);
                        }
                    }
                    added = true;
                }
                Spec::Remove(key, effect) => {
                    let before = node.spec.taints.len();
                    node.spec.taints.retain(|x| {
                        !(x.key == *key && effect.as_ref().is_none_or(|e| *e == x.effect))
                    });
                    if node.spec.taints.len() == before {
                        let what = match effect {
                            Some(e) => format!("{key}:{e}"),
                            None => key.clone(),
                        };
                        return Err(format!("error: taint {what:?} not found"));
                    }
                    removed = true;
                }
            }
        }
        let word = match (added, removed) {
            (true, true) => "modified",
            (true, false) => "tainted",
            _ => "untainted",
        };
        if !dry {
            c.store.put(node);
        }
        lines.push(format!(
            "node/{name} {word}{}",
            if dry { " (dry run)" } else { "" }
        ));
    }
    s.world.settle();
    Ok(Output::ok(lines.join("\n")))
}

/// `kubectl top`: these clusters run no metrics-server.
pub(super) fn top(_s: &mut Session, args: &[String]) -> Result<Output, String> {
    match args.first().map(String::as_str) {
        Some("pod" | "pods" | "po" | "node" | "nodes" | "no") => {
            Err("error: Metrics API not available".into())
        }
        _ => Err("Display resource (CPU/memory) usage.\n\nAvailable Commands:\n  node          Display resource (CPU/memory) usage of nodes\n  pod           Display resource (CPU/memory) usage of pods\n\nUsage:\n  kubectl top [flags] [options]".into()),
    }
}
