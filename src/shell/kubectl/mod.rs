//! `kubectl`: real syntax, real output columns, real error texts.

mod apply;
mod auth;
mod config;
mod cp;
mod create_config;
mod delete;
mod describe;
mod describe_volumes;
mod exec;
pub mod explain;
mod get;
mod labels;
mod logs;
mod nodes;
mod patch;
pub mod port_forward;
mod quota;
mod rollout;
mod run;
mod services;
mod storage;
mod stored;
mod taint;
mod wait;

use super::flags::{self, flag, FlagSpec};
use super::{Output, Session};
use crate::sim::api::*;

const COMMANDS: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "config",
    "create",
    "delete",
    "describe",
    "get",
    "run",
    "version",
    "cluster-info",
    "explain",
    "logs",
    "exec",
    "scale",
    "rollout",
    "label",
    "expose",
    "cordon",
    "uncordon",
    "drain",
    "wait",
    "top",
    "edit",
    "patch",
    "port-forward",
    "set",
    "auth",
    "cp",
    "attach",
    "autoscale",
    "certificate",
    "debug",
    "diff",
    "events",
    "kustomize",
    "plugin",
    "proxy",
    "replace",
    "taint",
    "completion",
    "alpha",
    "api-versions",
];

/// Commands this terminal runs; the rest of [`COMMANDS`] are real kubectl but not simulated yet.
pub(crate) const SIMULATED: &[&str] = &[
    "annotate",
    "api-resources",
    "apply",
    "auth",
    "config",
    "cordon",
    "cp",
    "create",
    "delete",
    "describe",
    "drain",
    "exec",
    "explain",
    "expose",
    "get",
    "label",
    "logs",
    "patch",
    "port-forward",
    "rollout",
    "run",
    "scale",
    "set",
    "taint",
    "top",
    "uncordon",
    "version",
    "wait",
];

pub fn run(s: &mut Session, args: &[String], stdin: Option<&str>) -> Output {
    // Global flags may stand before the command (`kubectl -n kube-system get pods`).
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        let a = &args[i];
        let takes_value = flags::GLOBAL.iter().any(|g| {
            g.takes_value
                && ((a == &format!("--{}", g.long))
                    || g.short.is_some_and(|c| a == &format!("-{c}")))
        });
        i += if takes_value { 2 } else { 1 };
    }
    let Some(cmd) = args.get(i) else {
        return Output::ok(HELP);
    };
    let rest: Vec<String> = args[..i]
        .iter()
        .chain(args[i + 1..].iter())
        .cloned()
        .collect();
    if !COMMANDS.contains(&cmd.as_str()) {
        let mut msg = format!("error: unknown command \"{cmd}\" for \"kubectl\"");
        let suggestions: Vec<&str> = COMMANDS
            .iter()
            .copied()
            .filter(|c| {
                flags::distance(c, cmd) <= 2 || (cmd.len() > 1 && c.starts_with(cmd.as_str()))
            })
            .collect();
        if !suggestions.is_empty() {
            msg.push_str("\n\nDid you mean this?\n");
            for sug in suggestions {
                msg.push_str(&format!("\t{sug}\n"));
            }
        }
        return Output::err(msg.trim_end());
    }
    if !SIMULATED.contains(&cmd.as_str()) {
        return Output::err(format!(
            "error: Pocket Cluster does not simulate \"kubectl {cmd}\" yet (real kubectl has it)"
        ));
    }
    // `--help` before a bare `--` (after it, `-h` belongs to the command: `exec POD -- ls -h`).
    if rest
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--help" || a == "-h")
    {
        return Output::ok(format!("kubectl {cmd}: see https://kubernetes.io/docs/reference/kubectl/ (help text is not bundled)"));
    }
    // `--as` / `--as-group`: the command's requests are the impersonated user's.
    let user = match auth::impersonation(&rest) {
        Ok(u) => u,
        Err(e) => return Output::err(e),
    };
    let learner = std::mem::replace(&mut s.user, user);
    let result = match auth::preflight(s, cmd, &rest) {
        Err(e) => Err(e),
        Ok(()) => dispatch(s, cmd, &rest, stdin),
    };
    s.user = learner;
    result.unwrap_or_else(|e| {
        let see = if e.starts_with("error: unknown flag")
            || e.starts_with("error: unknown shorthand")
            || e.starts_with("error: flag needs")
        {
            format!("\nSee 'kubectl {cmd} --help' for usage.")
        } else {
            String::new()
        };
        Output::err(format!("{e}{see}"))
    })
}

fn dispatch(
    s: &mut Session,
    cmd: &str,
    rest: &[String],
    stdin: Option<&str>,
) -> Result<Output, String> {
    let rest = rest.to_vec();
    match cmd {
        "auth" => auth::auth(s, &rest),
        "apply" => apply::apply(s, &rest, stdin),
        "create" => apply::create(s, &rest, stdin),
        "get" => get::get(s, &rest),
        "delete" => delete::delete(s, &rest, stdin),
        "run" => run::run_pod(s, &rest),
        "scale" => rollout::scale(s, &rest),
        "describe" => describe::describe(s, &rest),
        "cordon" => nodes::cordon(s, &rest),
        "uncordon" => nodes::uncordon(s, &rest),
        "drain" => nodes::drain(s, &rest),
        "label" => labels::label(s, &rest, false),
        "annotate" => labels::label(s, &rest, true),
        "patch" => patch::patch(s, &rest),
        "taint" => taint::taint(s, &rest),
        "top" => taint::top(s, &rest),
        "api-resources" => api_resources(s, &rest),
        "logs" => logs::logs(s, &rest),
        "expose" => services::expose(s, &rest),
        "exec" => exec::exec(s, &rest, stdin),
        "cp" => cp::cp(s, &rest),
        "port-forward" => port_forward::port_forward(s, &rest),
        "explain" => explain::explain(s, &rest),
        "wait" => wait::wait(s, &rest),
        "rollout" => rollout::rollout(s, &rest),
        "set" => rollout::set(s, &rest),
        "version" => Ok(Output::ok(format!(
            "Client Version: {v}\nKustomize Version: v5.4.2\nServer Version: {v}",
            v = crate::sim::cluster::KUBERNETES_VERSION
        ))),
        "config" => config::config(s, &rest),
        _ => Err(format!("error: unknown command \"{cmd}\" for \"kubectl\"")),
    }
}

/// `kubectl api-resources`: the kinds this cluster serves, its CRDs' too.
fn api_resources(s: &Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(args, &[])?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    Ok(stored::api_resources(&s.world.clusters[cluster].store))
}

const HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Simulated in Pocket Cluster so far:
  create         Create a resource from a file or from stdin (also: deployment, namespace,
                 configmap, secret generic|tls|docker-registry, job, service, ingress)
  get            Display one or many resources
  run            Run a particular image on the cluster
  delete         Delete resources by file names, stdin, resources and names
  apply          Apply a configuration to a resource by file name or stdin
  describe       Show details of a specific resource or group of resources
  scale          Set a new size for a deployment, replica set or stateful set
  rollout        Manage the rollout of a deployment (status, history, undo, restart, pause, resume)
  set image      Update the image of a deployment's containers
  logs           Print the logs for a container in a pod
  exec           Execute a command in a container (its files, a small shell)
  cp             Copy files and directories to and from containers
  label          Update the labels on a resource
  annotate       Update the annotations on a resource
  cordon         Mark node as unschedulable
  uncordon       Mark node as schedulable
  drain          Drain node in preparation for maintenance
  wait           Wait for a condition on one or many resources (moves the virtual clock)
  explain        Get documentation for a resource (fields, types, descriptions)
  api-resources  Print the supported API resources on the server
  auth           Inspect authorization (can-i, whoami; --as on any command)
  config         Modify kubeconfig files (contexts)
  version        Print the client and server version information

Usage:
  kubectl [flags] [options]";

/// Which cluster a command talks to: `--context`, or the current one.
fn target(s: &Session, p: &flags::Parsed) -> Result<usize, String> {
    match p.value("context") {
        Some(ctx) => s
            .world
            .cluster_index(ctx)
            .ok_or_else(|| format!("error: context was not found for specified context: {ctx}")),
        None => Ok(s.world.current),
    }
}

fn namespace_of(s: &Session, p: &flags::Parsed, cluster: usize) -> String {
    p.value("namespace")
        .map(|n| n.to_string())
        .unwrap_or_else(|| s.namespace_for(cluster))
}

const GET_FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), true),
    flag("all-namespaces", Some('A'), false),
    flag("selector", Some('l'), true),
    flag("show-labels", None, false),
    flag("watch", Some('w'), false),
    flag("field-selector", None, true),
    flag("no-headers", None, false),
    flag("sort-by", None, true),
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Pods,
    Nodes,
    Namespaces,
    Events,
    Deployments,
    ReplicaSets,
    DaemonSets,
    StatefulSets,
    Jobs,
    CronJobs,
    Services,
    Endpoints,
    EndpointSlices,
}

fn resource_kind(word: &str) -> Option<Kind> {
    let w = word.to_ascii_lowercase();
    let w = w.split('.').next().unwrap_or("");
    Some(match w {
        "pods" | "pod" | "po" => Kind::Pods,
        "nodes" | "node" | "no" => Kind::Nodes,
        "namespaces" | "namespace" | "ns" => Kind::Namespaces,
        "events" | "event" | "ev" => Kind::Events,
        "deployments" | "deployment" | "deploy" => Kind::Deployments,
        "replicasets" | "replicaset" | "rs" => Kind::ReplicaSets,
        "daemonsets" | "daemonset" | "ds" => Kind::DaemonSets,
        "statefulsets" | "statefulset" | "sts" => Kind::StatefulSets,
        "jobs" | "job" => Kind::Jobs,
        "cronjobs" | "cronjob" | "cj" => Kind::CronJobs,
        "services" | "service" | "svc" => Kind::Services,
        "endpoints" | "ep" => Kind::Endpoints,
        "endpointslices" | "endpointslice" => Kind::EndpointSlices,
        _ => return None,
    })
}

/// A parsed `-l` selector: equality and inequality requirements, and bare keys for existence.
fn parse_selector(sel: &str) -> Result<Vec<(String, String, String)>, String> {
    let mut out = Vec::new();
    for part in sel.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let req = if let Some((k, v)) = part.split_once("!=") {
            (k.trim().to_string(), "!=".to_string(), v.trim().to_string())
        } else if let Some((k, v)) = part.split_once("==") {
            (k.trim().to_string(), "=".to_string(), v.trim().to_string())
        } else if let Some((k, v)) = part.split_once('=') {
            (k.trim().to_string(), "=".to_string(), v.trim().to_string())
        } else if let Some(k) = part.strip_prefix('!') {
            (k.trim().to_string(), "!".to_string(), String::new())
        } else {
            (part.to_string(), "exists".to_string(), String::new())
        };
        if req.0.is_empty() || req.0.contains(' ') {
            return Err(format!(
                "error: unable to parse requirement: found '{part}', expected: identifier"
            ));
        }
        out.push(req);
    }
    Ok(out)
}

fn selector_matches(reqs: &[(String, String, String)], labels: &Labels) -> bool {
    reqs.iter().all(|(k, op, v)| match op.as_str() {
        "=" => labels.get(k) == Some(v),
        "!=" => labels.get(k) != Some(v),
        "!" => !labels.contains_key(k),
        _ => labels.contains_key(k),
    })
}

/// Fields each kind can be selected by (`--field-selector`), as the API server allows.
fn selectable_fields(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pods => &[
            "metadata.name",
            "metadata.namespace",
            "spec.nodeName",
            "spec.restartPolicy",
            "status.phase",
            "status.podIP",
        ],
        Kind::Events => &[
            "involvedObject.kind",
            "involvedObject.name",
            "involvedObject.namespace",
            "metadata.name",
            "metadata.namespace",
            "reason",
            "source",
            "type",
        ],
        Kind::Nodes => &["metadata.name", "spec.unschedulable"],
        Kind::Namespaces => &["metadata.name", "status.phase"],
        _ => &["metadata.name", "metadata.namespace"],
    }
}

/// `--field-selector a=b,c!=d`: (field, wanted equal, value).
fn parse_field_selector(sel: &str, kind: Kind) -> Result<Vec<(String, bool, String)>, String> {
    let resource = format!("{kind:?}").to_ascii_lowercase();
    parse_field_selector_for(sel, &resource, selectable_fields(kind))
}

/// [`parse_field_selector`] for a resource (`configmaps`) and the fields it selects by.
fn parse_field_selector_for(
    sel: &str,
    resource: &str,
    allowed: &[&str],
) -> Result<Vec<(String, bool, String)>, String> {
    let mut out = Vec::new();
    for part in sel.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (field, eq, value) = if let Some((f, v)) = part.split_once("!=") {
            (f, false, v)
        } else if let Some((f, v)) = part.split_once("==") {
            (f, true, v)
        } else if let Some((f, v)) = part.split_once('=') {
            (f, true, v)
        } else {
            return Err(format!(
                "error: invalid selector: '{sel}'; can't understand '{part}'"
            ));
        };
        let field = field.trim();
        if !allowed.contains(&field) {
            return Err(format!(
                "Error from server (BadRequest): Unable to find \"/v1, Resource={resource}\" that match label selector \"\", field selector \"{sel}\": \"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
            ));
        }
        out.push((field.to_string(), eq, value.trim().to_string()));
    }
    Ok(out)
}

fn fields_match(reqs: &[(String, bool, String)], get: impl Fn(&str) -> String) -> bool {
    reqs.iter().all(|(f, eq, v)| (get(f) == *v) == *eq)
}

fn labels_text(l: &Labels) -> String {
    if l.is_empty() {
        "<none>".into()
    } else {
        l.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }
}
