//! `kubectl wait --for=condition=X|delete TYPE/NAME`: blocks in real kubectl, so here it moves the
//! virtual clock until the condition holds or `--timeout` (default 30 s) passes.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;
use crate::sim::clock::parse_duration;

/// The status of condition `cond` on an object, if the object exists.
fn condition(
    store: &Store,
    kind: Kind,
    ns: &str,
    name: &str,
    cond: &str,
) -> Option<Option<String>> {
    let find = |conds: &[Condition]| {
        conds
            .iter()
            .find(|c| c.type_.eq_ignore_ascii_case(cond))
            .map(|c| c.status.to_string())
    };
    Some(match kind {
        Kind::Pods => find(&store.pods.get(ns, name)?.status.conditions),
        Kind::Nodes => find(&store.nodes.get("", name)?.status.conditions),
        Kind::Deployments => find(&store.deployments.get(ns, name)?.status.conditions),
        Kind::Jobs => find(&store.jobs.get(ns, name)?.status.conditions),
        _ => None,
    })
}

fn exists(store: &Store, kind: Kind, ns: &str, name: &str, uid: &str) -> bool {
    let same = |m: &ObjectMeta| uid.is_empty() || m.uid == uid;
    match kind {
        Kind::Pods => store.pods.get(ns, name).is_some_and(|o| same(&o.metadata)),
        Kind::Nodes => store.nodes.get("", name).is_some_and(|o| same(&o.metadata)),
        Kind::Namespaces => store
            .namespaces
            .get("", name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::Deployments => store
            .deployments
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::ReplicaSets => store
            .replicasets
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::StatefulSets => store
            .statefulsets
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::DaemonSets => store
            .daemonsets
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::Jobs => store.jobs.get(ns, name).is_some_and(|o| same(&o.metadata)),
        Kind::CronJobs => store
            .cronjobs
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::Services => store
            .services
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::Endpoints => store
            .endpoints
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::EndpointSlices => store
            .endpointslices
            .get(ns, name)
            .is_some_and(|o| same(&o.metadata)),
        Kind::Events => false,
    }
}

fn uid_of(store: &Store, kind: Kind, ns: &str, name: &str) -> String {
    match kind {
        Kind::Pods => store.pods.get(ns, name).map(|o| o.metadata.uid.clone()),
        Kind::Deployments => store
            .deployments
            .get(ns, name)
            .map(|o| o.metadata.uid.clone()),
        Kind::Jobs => store.jobs.get(ns, name).map(|o| o.metadata.uid.clone()),
        _ => None,
    }
    .unwrap_or_default()
}

pub(super) fn wait(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("for", None, true),
            flag("timeout", None, true),
            flag("selector", Some('l'), true),
            flag("all", None, false),
        ],
    )?;
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let Some(for_) = p.value("for").map(String::from) else {
        return Err("error: --for must be specified".into());
    };
    let (want_delete, cond, want_status) = if for_ == "delete" {
        (true, String::new(), String::new())
    } else if let Some(c) = for_.strip_prefix("condition=") {
        match c.split_once('=') {
            Some((c, v)) => (false, c.to_string(), v.to_string()),
            None => (false, c.to_string(), "True".to_string()),
        }
    } else {
        return Err(format!("error: unrecognized condition: \"{for_}\" (Pocket Cluster understands --for=condition=NAME[=value] and --for=delete)"));
    };
    let timeout = match p.value("timeout") {
        Some(t) => parse_duration(t).map_err(|e| format!("error: {e}"))?,
        None => 30_000,
    };
    // Targets: TYPE/NAME…, TYPE NAME…, or TYPE with -l/--all.
    let first = p
        .positional
        .first()
        .ok_or("error: resource(s) were provided, but no name was specified")?;
    let (kind_word, mut names): (String, Vec<String>) = match first.split_once('/') {
        Some((k, _)) => (
            k.to_string(),
            p.positional
                .iter()
                .filter_map(|a| a.split_once('/').map(|(_, n)| n.to_string()))
                .collect(),
        ),
        None => (first.clone(), p.positional[1..].to_vec()),
    };
    let kind = resource_kind(&kind_word)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{kind_word}\""))?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    if names.is_empty() {
        let sel = p
            .value("selector")
            .map(parse_selector)
            .transpose()?
            .unwrap_or_default();
        if sel.is_empty() && !p.bool("all") {
            return Err("error: resource(s) were provided, but no name was specified".into());
        }
        let store = &s.world.clusters[cluster].store;
        names = match kind {
            Kind::Pods => store.pods.in_namespace(Some(&ns)).filter(|o| selector_matches(&sel, &o.metadata.labels)).map(|o| o.metadata.name.clone()).collect(),
            Kind::Deployments => store.deployments.in_namespace(Some(&ns)).filter(|o| selector_matches(&sel, &o.metadata.labels)).map(|o| o.metadata.name.clone()).collect(),
            Kind::Jobs => store.jobs.in_namespace(Some(&ns)).filter(|o| selector_matches(&sel, &o.metadata.labels)).map(|o| o.metadata.name.clone()).collect(),
            Kind::Nodes => store.nodes.values().filter(|o| selector_matches(&sel, &o.metadata.labels)).map(|o| o.metadata.name.clone()).collect(),
            _ => return Err(format!("error: Pocket Cluster waits on pods, deployments, jobs and nodes by selector (got {kind_word})")),
        };
        if names.is_empty() {
            return Err("error: no matching resources found".into());
        }
    }
    let prefix = match kind {
        Kind::Pods => "pod",
        Kind::Nodes => "node",
        Kind::Deployments => "deployment.apps",
        Kind::Jobs => "job.batch",
        Kind::ReplicaSets => "replicaset.apps",
        Kind::StatefulSets => "statefulset.apps",
        Kind::DaemonSets => "daemonset.apps",
        Kind::CronJobs => "cronjob.batch",
        Kind::Namespaces => "namespace",
        Kind::Services => "service",
        Kind::Endpoints => "endpoints",
        Kind::EndpointSlices => "endpointslice.discovery.k8s.io",
        Kind::Events => "event",
    };
    let plural = kind_word.trim_end_matches('s').to_string() + "s";
    let uids: Vec<String> = names
        .iter()
        .map(|n| uid_of(&s.world.clusters[cluster].store, kind, &ns, n))
        .collect();
    let start = s.world.now;
    let mut lines = Vec::new();
    let mut pending: Vec<usize> = (0..names.len()).collect();
    loop {
        let store = &s.world.clusters[cluster].store;
        let mut still = Vec::new();
        for i in pending {
            let name = &names[i];
            let met = if want_delete {
                !exists(store, kind, &ns, name, &uids[i])
            } else {
                match condition(store, kind, &ns, name, &cond) {
                    None => {
                        return Err(format!(
                            "Error from server (NotFound): {plural} \"{name}\" not found"
                        ));
                    }
                    Some(status) => status.is_some_and(|v| v.eq_ignore_ascii_case(&want_status)),
                }
            };
            if met {
                lines.push(format!("{prefix}/{name} condition met"));
            } else {
                still.push(i);
            }
        }
        pending = still;
        if pending.is_empty() {
            return Ok(Output::ok(lines.join("\n")));
        }
        if s.world.now - start >= timeout {
            for i in pending {
                lines.push(format!(
                    "error: timed out waiting for the condition on {plural}/{}",
                    names[i]
                ));
            }
            return Ok(Output {
                text: lines.join("\n"),
                ok: false,
            });
        }
        s.world
            .advance(500.min(timeout - (s.world.now - start)).max(1));
    }
}
