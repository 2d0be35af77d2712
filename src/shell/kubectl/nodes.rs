//! `kubectl cordon`, `uncordon` and `drain`.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;

fn set_unschedulable(s: &mut Session, args: &[String], value: bool) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("selector", Some('l'), true),
            flag("dry-run", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let name = p
        .positional
        .first()
        .map(|n| {
            n.trim_start_matches("node/")
                .trim_start_matches("nodes/")
                .to_string()
        })
        .ok_or(
            "error: USAGE: cordon NODE [flags]\nSee 'kubectl cordon -h' for help and examples",
        )?;
    let c = &mut s.world.clusters[cluster];
    let mut node = c
        .store
        .nodes
        .get("", &name)
        .cloned()
        .ok_or_else(|| format!("Error from server (NotFound): nodes \"{name}\" not found"))?;
    let word = if value { "cordoned" } else { "uncordoned" };
    if node.spec.unschedulable == value {
        return Ok(Output::ok(format!("node/{name} already {word}")));
    }
    node.spec.unschedulable = value;
    let taint = "node.kubernetes.io/unschedulable";
    if value {
        node.spec.taints.push(Taint {
            key: taint.into(),
            value: String::new(),
            effect: "NoSchedule".into(),
            time_added: Some(crate::sim::clock::rfc3339(s.world.now)),
        });
    } else {
        node.spec.taints.retain(|t| t.key != taint);
    }
    c.store.put(node);
    s.world.settle();
    Ok(Output::ok(format!("node/{name} {word}")))
}

pub(super) fn cordon(s: &mut Session, args: &[String]) -> Result<Output, String> {
    set_unschedulable(s, args, true)
}

pub(super) fn uncordon(s: &mut Session, args: &[String]) -> Result<Output, String> {
    set_unschedulable(s, args, false)
}

/// Cordon, then evict every pod on the node except mirror pods (static control-plane pods) and,
/// with `--ignore-daemonsets`, DaemonSet pods; kubectl refuses otherwise, as the real one does.
pub(super) fn drain(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("ignore-daemonsets", None, false),
            flag("delete-emptydir-data", None, false),
            flag("delete-local-data", None, false),
            flag("force", None, false),
            flag("grace-period", None, true),
            flag("timeout", None, true),
            flag("disable-eviction", None, false),
            flag("pod-selector", None, true),
            flag("selector", Some('l'), true),
        ],
    )?;
    let name = p
        .positional
        .first()
        .map(|n| n.trim_start_matches("node/").to_string())
        .ok_or("error: USAGE: drain NODE [flags]\nSee 'kubectl drain -h' for help and examples")?;
    let mut out = set_unschedulable(s, std::slice::from_ref(&name), true)?.text;
    let cluster = target(s, &p)?;
    let c = &s.world.clusters[cluster];
    let on_node: Vec<&Pod> = c
        .store
        .pods
        .values()
        .filter(|x| x.spec.node_name == name && x.metadata.deletion_timestamp.is_none())
        .filter(|x| x.status.phase != "Succeeded" && x.status.phase != "Failed")
        .collect();
    let is_mirror = |x: &Pod| {
        x.metadata
            .annotations
            .get("kubernetes.io/config.source")
            .is_some_and(|v| v == "file")
    };
    let is_daemon = |x: &Pod| {
        x.metadata
            .owner_references
            .iter()
            .any(|r| r.kind == "DaemonSet" && r.controller == Some(true))
    };
    let unmanaged: Vec<String> = on_node
        .iter()
        .filter(|x| {
            x.metadata
                .owner_references
                .iter()
                .all(|r| r.controller != Some(true))
                && !is_mirror(x)
        })
        .map(|x| format!("{}/{}", x.metadata.namespace, x.metadata.name))
        .collect();
    let daemons: Vec<String> = on_node
        .iter()
        .filter(|x| is_daemon(x))
        .map(|x| format!("{}/{}", x.metadata.namespace, x.metadata.name))
        .collect();
    let mut problems = Vec::new();
    if !unmanaged.is_empty() && !p.bool("force") {
        problems.push(format!(
            "cannot delete Pods declare no controller (use --force to override): {}",
            unmanaged.join(", ")
        ));
    }
    if !daemons.is_empty() && !p.bool("ignore-daemonsets") {
        problems.push(format!(
            "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {}",
            daemons.join(", ")
        ));
    }
    if !problems.is_empty() {
        out.push_str(&format!("\nerror: unable to drain node \"{name}\" due to error: [{}], continuing command...\nThere are pending nodes to be drained:\n {name}\n{}", problems.join(", "), problems.iter().map(|p| format!("error: {p}")).collect::<Vec<_>>().join("\n")));
        return Ok(Output {
            text: out,
            ok: false,
        });
    }
    if !daemons.is_empty() {
        out.push_str(&format!(
            "\nWarning: ignoring DaemonSet-managed Pods: {}",
            daemons.join(", ")
        ));
    }
    let victims: Vec<(String, String)> = on_node
        .iter()
        .filter(|x| !is_mirror(x) && !is_daemon(x))
        .map(|x| (x.metadata.namespace.clone(), x.metadata.name.clone()))
        .collect();
    let grace: Option<i64> = p
        .value("grace-period")
        .and_then(|g| g.parse().ok())
        .filter(|g: &i64| *g >= 0);
    let now = s.world.now;
    let c = &mut s.world.clusters[cluster];
    for (ns, pod) in &victims {
        out.push_str(&format!("\nevicting pod {ns}/{pod}"));
        c.store.delete_pod(ns, pod, now, grace);
        c.store.record_event(
            now,
            ns,
            "Pod",
            pod,
            "Normal",
            "Evicted",
            "kubectl",
            "Pod evicted by kubectl drain".into(),
        );
    }
    // drain waits until the evicted pods are gone.
    for _ in 0..400 {
        let c = &s.world.clusters[cluster];
        if victims.iter().all(|(ns, pod)| {
            c.store
                .pods
                .get(ns, pod)
                .is_none_or(|x| x.spec.node_name != name)
        }) {
            break;
        }
        s.world.advance(250);
    }
    for (_, pod) in &victims {
        out.push_str(&format!("\npod/{pod} evicted"));
    }
    out.push_str(&format!("\nnode/{name} drained"));
    Ok(Output::ok(out))
}
