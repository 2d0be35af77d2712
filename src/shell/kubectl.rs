//! `kubectl`: real syntax, real output columns, real error texts.

use super::flags::{self, flag, FlagSpec};
use super::format::{self, table};
use super::{Output, Session};
use crate::manifest::{self, ApiObject};
use crate::sim::api::*;
use crate::sim::clock::{human_duration, rfc3339};

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
const SIMULATED: &[&str] = &[
    "apply", "config", "create", "delete", "get", "run", "version",
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
    if rest.iter().any(|a| a == "--help" || a == "-h") {
        return Output::ok(format!("kubectl {cmd}: see https://kubernetes.io/docs/reference/kubectl/ (help text is not bundled)"));
    }
    let result = match cmd.as_str() {
        "apply" => apply(s, &rest, stdin, Mode::Apply),
        "create" => create(s, &rest, stdin),
        "get" => get(s, &rest),
        "delete" => delete(s, &rest, stdin),
        "run" => run_pod(s, &rest),
        "version" => Ok(Output::ok(format!(
            "Client Version: {v}\nKustomize Version: v5.4.2\nServer Version: {v}",
            v = crate::sim::cluster::KUBERNETES_VERSION
        ))),
        "config" => config(s, &rest),
        _ => Err(format!("error: unknown command \"{cmd}\" for \"kubectl\"")),
    };
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

const HELP: &str = "kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Simulated in Pocket Cluster so far:
  apply          Apply a configuration to a resource by file name or stdin
  create         Create a resource from a file or from stdin
  get            Display one or many resources
  delete         Delete resources by file names, stdin, resources and names
  run            Run a particular image on the cluster
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

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Apply,
    Create,
}

const FILE_FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("dry-run", None, true),
    flag("validate", None, true),
    flag("output", Some('o'), true),
    flag("save-config", None, false),
    flag("server-side", None, false),
    flag("force-conflicts", None, false),
    flag("field-manager", None, true),
    flag("prune", None, false),
    flag("selector", Some('l'), true),
    flag("wait", None, false),
    flag("overwrite", None, false),
    flag("record", None, false),
];

/// Manifest sources named by `-f`: (shown name, text).
fn read_sources(
    s: &Session,
    p: &flags::Parsed,
    stdin: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let names = p.all("filename");
    if names.is_empty() {
        return Err("error: must specify one of -f and -k".into());
    }
    let recursive = p.bool("recursive");
    let mut out = Vec::new();
    for name in names {
        if name == "-" {
            match stdin {
                Some(text) => out.push(("STDIN".to_string(), text.to_string())),
                None => return Err("error: no objects passed to apply (stdin is empty; use a heredoc: kubectl apply -f - <<EOF)".into()),
            }
        } else if name.starts_with("http://") || name.starts_with("https://") {
            return Err(format!(
                "error: unable to read URL \"{name}\": Pocket Cluster runs offline; paste the manifest into the editor instead"
            ));
        } else if let Some(list) = s.files.list(&name, recursive) {
            for f in list {
                match s.files.read(&f) {
                    Ok(text) => out.push((f, text)),
                    Err(_) => return Err(format!("error: the path \"{f}\" cannot be read")),
                }
            }
        } else {
            match s.files.read(&name) {
                Ok(text) => out.push((name, text)),
                Err(super::files::FileError::NotFound) => {
                    return Err(format!("error: the path \"{name}\" does not exist"))
                }
                Err(super::files::FileError::Other(e)) => return Err(format!("error: {e}")),
            }
        }
    }
    Ok(out)
}

fn apply(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
    mode: Mode,
) -> Result<Output, String> {
    let p = flags::parse(args, FILE_FLAGS)?;
    let cluster = target(s, &p)?;
    let ns_flag = p.value("namespace").map(|n| n.to_string());
    let default_ns = namespace_of(s, &p, cluster);
    let dry_run = match p.value("dry-run") {
        None | Some("none") | Some("false") => None,
        Some("client") | Some("true") => Some(" (dry run)"),
        Some("server") => Some(" (server dry run)"),
        Some(other) => {
            return Err(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        ))
        }
    };
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let sources = read_sources(s, &p, stdin)?;
    let mut lines = Vec::new();
    let mut ok = true;
    let mut any = false;
    for (file, text) in sources {
        let docs = match manifest::parse(&text) {
            Ok(d) => d,
            Err(e) => {
                lines.push(e.kubectl(&file));
                ok = false;
                continue;
            }
        };
        for doc in docs {
            any = true;
            let result = write_object(
                s,
                cluster,
                doc.object,
                ns_flag.as_deref(),
                &default_ns,
                mode,
                dry_run.is_some(),
                &file,
            );
            match result {
                Ok(line) => lines.push(format!("{line}{}", dry_run.unwrap_or(""))),
                Err(e) => {
                    lines.push(e);
                    ok = false;
                }
            }
        }
    }
    if !any && ok {
        return Err("error: no objects passed to apply".into());
    }
    s.world.settle();
    Ok(Output {
        text: lines.join("\n"),
        ok,
    })
}

fn create(s: &mut Session, args: &[String], stdin: Option<&str>) -> Result<Output, String> {
    match args.iter().find(|a| !a.starts_with('-')).map(|a| a.as_str()) {
        Some("namespace") | Some("ns") => {
            let p = flags::parse(args, &[flag("dry-run", None, true), flag("output", Some('o'), true)])?;
            let name = p.positional.get(1).cloned().ok_or("error: exactly one NAME is required, got 0")?;
            let cluster = target(s, &p)?;
            let ns = Namespace {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                metadata: ObjectMeta { name: name.clone(), ..Default::default() },
                spec: NamespaceSpec::default(),
                status: NamespaceStatus::default(),
            };
            let w = &mut s.world;
            let c = &mut w.clusters[cluster];
            if let Some(err) = c.api_unavailable() {
                return Err(err);
            }
            c.store.create(ns, w.now, &mut w.rng).map_err(|e| e.kubectl(None))?;
            Ok(Output::ok(format!("namespace/{name} created")))
        }
        Some(other) if !args.iter().any(|a| a == "-f" || a.starts_with("--filename") || a.starts_with("-f")) => Err(format!(
            "error: Pocket Cluster does not simulate \"kubectl create {other}\" yet; write a manifest and use kubectl apply -f"
        )),
        _ => apply(s, args, stdin, Mode::Create),
    }
}

/// Create or update one object; returns kubectl's line (`pod/x created`).
#[allow(clippy::too_many_arguments)]
fn write_object(
    s: &mut Session,
    cluster: usize,
    object: ApiObject,
    ns_flag: Option<&str>,
    default_ns: &str,
    mode: Mode,
    dry_run: bool,
    file: &str,
) -> Result<String, String> {
    match object {
        ApiObject::Pod(o) => write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file),
        ApiObject::Namespace(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Node(o) => write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file),
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[allow(clippy::too_many_arguments)]
fn write_typed<T: Resource>(
    s: &mut Session,
    cluster: usize,
    mut obj: T,
    ns_flag: Option<&str>,
    default_ns: &str,
    mode: Mode,
    dry_run: bool,
    file: &str,
) -> Result<String, String> {
    let verb_ctx = format!("error when creating \"{file}\"");
    if T::NAMESPACED {
        let meta_ns = obj.meta().namespace.clone();
        match (ns_flag, meta_ns.is_empty()) {
            (Some(flag_ns), false) if flag_ns != meta_ns => {
                return Err(format!(
                    "error: the namespace from the provided object \"{meta_ns}\" does not match the namespace \"{flag_ns}\". You must pass '--namespace={meta_ns}' to perform this operation."
                ))
            }
            (_, true) => obj.meta_mut().namespace = default_ns.to_string(),
            _ => {}
        }
    }
    if mode == Mode::Apply {
        // What kubectl apply records: the object as the user wrote it.
        let mut as_written = obj.clone();
        as_written.meta_mut().annotations.remove(LAST_APPLIED);
        if let Ok(json) = serde_json::to_string(&as_written) {
            obj.meta_mut()
                .annotations
                .insert(LAST_APPLIED.into(), format!("{json}\n"));
        }
    }
    let prefix = T::kubectl_prefix();
    let name = obj.meta().name.clone();
    let w = &mut s.world;
    let now = w.now;
    let c = &mut w.clusters[cluster];
    let exists = !name.is_empty() && c.store.get::<T>(&obj.meta().namespace, &name).is_some();
    if exists && mode == Mode::Apply {
        if dry_run {
            return Ok(format!("{prefix}/{name} configured"));
        }
        let had_annotation = c
            .store
            .get::<T>(&obj.meta().namespace, &name)
            .is_some_and(|o| o.meta().annotations.contains_key(LAST_APPLIED));
        let outcome = c
            .store
            .update(&obj)
            .map_err(|e| e.kubectl(Some(&format!("error when applying patch to \"{file}\""))))?;
        let word = match outcome {
            WriteOutcome::Unchanged => "unchanged",
            _ => "configured",
        };
        let warn = if had_annotation {
            String::new()
        } else {
            format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", T::PLURAL)
        };
        return Ok(format!("{warn}{prefix}/{name} {word}"));
    }
    if dry_run {
        return Ok(format!("{prefix}/{name} created"));
    }
    let created = c
        .store
        .create(obj, now, &mut w.rng)
        .map_err(|e| e.kubectl(Some(&verb_ctx)))?;
    Ok(format!("{prefix}/{} created", created.meta().name))
}

// ---------------------------------------------------------------- get

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
}

fn resource_kind(word: &str) -> Option<Kind> {
    let w = word.to_ascii_lowercase();
    let w = w.split('.').next().unwrap_or("");
    Some(match w {
        "pods" | "pod" | "po" => Kind::Pods,
        "nodes" | "node" | "no" => Kind::Nodes,
        "namespaces" | "namespace" | "ns" => Kind::Namespaces,
        "events" | "event" | "ev" => Kind::Events,
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
        _ => &["metadata.name"],
    }
}

/// `--field-selector a=b,c!=d`: (field, wanted equal, value).
fn parse_field_selector(sel: &str, kind: Kind) -> Result<Vec<(String, bool, String)>, String> {
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
        if !selectable_fields(kind).contains(&field) {
            return Err(format!(
                "Error from server (BadRequest): Unable to find \"/v1, Resource={}\" that match label selector \"\", field selector \"{sel}\": \"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
                format!("{kind:?}").to_ascii_lowercase()
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

fn get(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(args, GET_FLAGS)?;
    if p.bool("watch") {
        return Err("error: --watch is not available in Pocket Cluster's terminal: run the command again, or move the clock with 'sim advance 10s'".into());
    }
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let Some(first) = p.positional.first() else {
        return Err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".into());
    };
    // TYPE/NAME forms, or TYPE NAME...
    let (kind_word, names): (String, Vec<String>) = if first.contains('/') {
        let mut kinds = Vec::new();
        let mut names = Vec::new();
        for a in &p.positional {
            match a.split_once('/') {
                Some((k, n)) => {
                    kinds.push(k.to_string());
                    names.push(n.to_string());
                }
                None => return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into()),
            }
        }
        (kinds[0].clone(), names)
    } else {
        (first.clone(), p.positional[1..].to_vec())
    };
    let kind_word = if kind_word == "all" {
        "pods".to_string()
    } else {
        kind_word
    };
    let Some(kind) = resource_kind(&kind_word) else {
        return Err(format!(
            "error: the server doesn't have a resource type \"{kind_word}\""
        ));
    };
    let all_ns = p.bool("all-namespaces");
    let ns = namespace_of(s, &p, cluster);
    let output = p.value("output").unwrap_or("").to_string();
    if !["", "wide", "name", "yaml", "json"].contains(&output.as_str()) {
        return Err(format!("error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: json,name,wide,yaml"));
    }
    let selector = match p.value("selector") {
        Some(sel) => parse_selector(sel)?,
        None => Vec::new(),
    };
    let fields = match p.value("field-selector") {
        Some(f) => parse_field_selector(f, kind)?,
        None => Vec::new(),
    };
    let show_labels = p.bool("show-labels");
    let no_headers = p.bool("no-headers");
    let now = s.world.now;
    let store = &s.world.clusters[cluster].store;
    let scope = if all_ns && names.is_empty() {
        None
    } else {
        Some(ns.as_str())
    };
    let not_found = |plural: &str, name: &str| {
        format!("Error from server (NotFound): {plural} \"{name}\" not found")
    };

    match kind {
        Kind::Pods => {
            let mut pods: Vec<&Pod> = Vec::new();
            let mut errors = Vec::new();
            if names.is_empty() {
                pods = store
                    .pods
                    .in_namespace(scope)
                    .filter(|p| selector_matches(&selector, &p.metadata.labels))
                    .collect();
            } else {
                for n in &names {
                    match store.pods.get(&ns, n) {
                        Some(p) => pods.push(p),
                        None => errors.push(not_found("pods", n)),
                    }
                }
            }
            let objs: Vec<serde_yaml::Value> = pods
                .iter()
                .filter_map(|p| serde_yaml::to_value(p).ok())
                .collect();
            let body = render(
                &output,
                &objs,
                names.len() == 1,
                "pod",
                pods.iter().map(|p| p.metadata.name.clone()).collect(),
                || {
                    let wide = output == "wide";
                    let mut header: Vec<String> = Vec::new();
                    if scope.is_none() {
                        header.push("NAMESPACE".into());
                    }
                    header.extend(["NAME", "READY", "STATUS", "RESTARTS", "AGE"].map(String::from));
                    if wide {
                        header.extend(
                            ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"].map(String::from),
                        );
                    }
                    if show_labels {
                        header.push("LABELS".into());
                    }
                    let mut rows = vec![header];
                    for pod in &pods {
                        let mut r = Vec::new();
                        if scope.is_none() {
                            r.push(pod.metadata.namespace.clone());
                        }
                        r.push(pod.metadata.name.clone());
                        r.push(format::pod_ready(pod));
                        r.push(format::pod_status(pod));
                        r.push(format::pod_restarts(pod, now));
                        r.push(format::age(pod.metadata.creation_timestamp.as_ref(), now));
                        if wide {
                            r.push(non_empty(&pod.status.pod_ip));
                            r.push(non_empty(&pod.spec.node_name));
                            r.push("<none>".into());
                            r.push("<none>".into());
                        }
                        if show_labels {
                            r.push(labels_text(&pod.metadata.labels));
                        }
                        rows.push(r);
                    }
                    rows
                },
                no_headers,
            );
            finish(body, errors, pods.is_empty() && names.is_empty(), scope)
        }
        Kind::Nodes => {
            let mut nodes: Vec<&Node> = Vec::new();
            let mut errors = Vec::new();
            if names.is_empty() {
                nodes = store
                    .nodes
                    .values()
                    .filter(|n| selector_matches(&selector, &n.metadata.labels))
                    .collect();
            } else {
                for n in &names {
                    match store.nodes.get("", n) {
                        Some(x) => nodes.push(x),
                        None => errors.push(not_found("nodes", n)),
                    }
                }
            }
            let objs: Vec<serde_yaml::Value> = nodes
                .iter()
                .filter_map(|n| serde_yaml::to_value(n).ok())
                .collect();
            let body = render(
                &output,
                &objs,
                names.len() == 1,
                "node",
                nodes.iter().map(|n| n.metadata.name.clone()).collect(),
                || {
                    let wide = output == "wide";
                    let mut header: Vec<String> = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
                        .map(String::from)
                        .to_vec();
                    if wide {
                        header.extend(
                            [
                                "INTERNAL-IP",
                                "EXTERNAL-IP",
                                "OS-IMAGE",
                                "KERNEL-VERSION",
                                "CONTAINER-RUNTIME",
                            ]
                            .map(String::from),
                        );
                    }
                    if show_labels {
                        header.push("LABELS".into());
                    }
                    let mut rows = vec![header];
                    for n in &nodes {
                        let mut r = vec![
                            n.metadata.name.clone(),
                            format::node_status(n),
                            format::node_roles(n),
                            format::age(n.metadata.creation_timestamp.as_ref(), now),
                            n.status.node_info.kubelet_version.clone(),
                        ];
                        if wide {
                            r.push(non_empty(&crate::sim::kubelet::node_ip(n)));
                            r.push("<none>".into());
                            r.push(n.status.node_info.os_image.clone());
                            r.push(n.status.node_info.kernel_version.clone());
                            r.push(n.status.node_info.container_runtime_version.clone());
                        }
                        if show_labels {
                            r.push(labels_text(&n.metadata.labels));
                        }
                        rows.push(r);
                    }
                    rows
                },
                no_headers,
            );
            finish(body, errors, nodes.is_empty() && names.is_empty(), Some(""))
        }
        Kind::Namespaces => {
            let mut list: Vec<&Namespace> = Vec::new();
            let mut errors = Vec::new();
            if names.is_empty() {
                list = store
                    .namespaces
                    .values()
                    .filter(|n| selector_matches(&selector, &n.metadata.labels))
                    .collect();
            } else {
                for n in &names {
                    match store.namespaces.get("", n) {
                        Some(x) => list.push(x),
                        None => errors.push(not_found("namespaces", n)),
                    }
                }
            }
            let objs: Vec<serde_yaml::Value> = list
                .iter()
                .filter_map(|n| serde_yaml::to_value(n).ok())
                .collect();
            let body = render(
                &output,
                &objs,
                names.len() == 1,
                "namespace",
                list.iter().map(|n| n.metadata.name.clone()).collect(),
                || {
                    let mut header: Vec<String> =
                        ["NAME", "STATUS", "AGE"].map(String::from).to_vec();
                    if show_labels {
                        header.push("LABELS".into());
                    }
                    let mut rows = vec![header];
                    for n in &list {
                        let mut r = vec![
                            n.metadata.name.clone(),
                            n.status.phase.clone(),
                            format::age(n.metadata.creation_timestamp.as_ref(), now),
                        ];
                        if show_labels {
                            r.push(labels_text(&n.metadata.labels));
                        }
                        rows.push(r);
                    }
                    rows
                },
                no_headers,
            );
            finish(body, errors, list.is_empty() && names.is_empty(), Some(""))
        }
        Kind::Events => {
            let mut events: Vec<&Event> = store
                .events
                .iter()
                .filter(|e| scope.is_none_or(|n| e.namespace == n))
                .filter(|e| {
                    fields_match(&fields, |f| match f {
                        "involvedObject.name" => e.involved_name.clone(),
                        "involvedObject.kind" => e.involved_kind.clone(),
                        "involvedObject.namespace" => e.namespace.clone(),
                        "metadata.namespace" => e.namespace.clone(),
                        "type" => e.type_.clone(),
                        "reason" => e.reason.clone(),
                        "source" => e.source.clone(),
                        _ => String::new(),
                    })
                })
                .collect();
            events.sort_by_key(|e| e.last_timestamp);
            let mut header: Vec<String> = Vec::new();
            if scope.is_none() {
                header.push("NAMESPACE".into());
            }
            header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(String::from));
            let mut rows = vec![header];
            for e in &events {
                let mut r = Vec::new();
                if scope.is_none() {
                    r.push(e.namespace.clone());
                }
                let seen = human_duration(now.saturating_sub(e.last_timestamp));
                let seen = if e.count > 1 {
                    format!(
                        "{seen} (x{} over {})",
                        e.count,
                        human_duration(now.saturating_sub(e.first_timestamp))
                    )
                } else {
                    seen
                };
                r.extend([
                    seen,
                    e.type_.clone(),
                    e.reason.clone(),
                    format!(
                        "{}/{}",
                        e.involved_kind.to_ascii_lowercase(),
                        e.involved_name
                    ),
                    e.message.clone(),
                ]);
                rows.push(r);
            }
            if no_headers {
                rows.remove(0);
            }
            finish(table(&rows), Vec::new(), events.is_empty(), scope)
        }
    }
}

fn non_empty(s: &str) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s.to_string()
    }
}

/// Print objects as the `-o` flag asks; `rows` builds the table for the default and `wide`.
fn render(
    output: &str,
    objs: &[serde_yaml::Value],
    single: bool,
    prefix: &str,
    names: Vec<String>,
    rows: impl FnOnce() -> Vec<Vec<String>>,
    no_headers: bool,
) -> String {
    match output {
        "name" => names.iter().map(|n| format!("{prefix}/{n}\n")).collect(),
        "yaml" | "json" => {
            let value = if single && objs.len() == 1 {
                objs[0].clone()
            } else {
                let mut list = serde_yaml::Mapping::new();
                list.insert("apiVersion".into(), "v1".into());
                list.insert("items".into(), serde_yaml::Value::Sequence(objs.to_vec()));
                list.insert("kind".into(), "List".into());
                let mut meta = serde_yaml::Mapping::new();
                meta.insert("resourceVersion".into(), "".into());
                list.insert("metadata".into(), serde_yaml::Value::Mapping(meta));
                serde_yaml::Value::Mapping(list)
            };
            if objs.is_empty() && single {
                return String::new();
            }
            if output == "yaml" {
                serde_yaml::to_string(&value).unwrap_or_default()
            } else {
                serde_json::to_string_pretty(&value)
                    .map(|s| s + "\n")
                    .unwrap_or_default()
            }
        }
        _ => {
            let mut r = rows();
            if no_headers && !r.is_empty() {
                r.remove(0);
            }
            if r.len() <= usize::from(!no_headers) {
                String::new()
            } else {
                table(&r)
            }
        }
    }
}

fn finish(
    body: String,
    errors: Vec<String>,
    empty: bool,
    scope: Option<&str>,
) -> Result<Output, String> {
    let mut text = body.trim_end().to_string();
    if empty && errors.is_empty() && text.is_empty() {
        text = match scope {
            None | Some("") => "No resources found".into(),
            Some(ns) => format!("No resources found in {ns} namespace."),
        };
    }
    let ok = errors.is_empty();
    for e in errors {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&e);
    }
    Ok(Output { text, ok })
}

// ---------------------------------------------------------------- run, delete, config

fn run_pod(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("image", None, true),
            flag("labels", Some('l'), true),
            flag("port", None, true),
            flag("restart", None, true),
            flag("env", None, true),
            flag("command", None, false),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
            flag("rm", None, false),
            flag("stdin", Some('i'), false),
            flag("tty", Some('t'), false),
            flag("image-pull-policy", None, true),
        ],
    )?;
    let Some(name) = p.positional.first().cloned() else {
        return Err("error: NAME is required for run".into());
    };
    let Some(image) = p.value("image").map(|i| i.to_string()) else {
        return Err("error: required flag(s) \"image\" not set".into());
    };
    if p.bool("stdin") || p.bool("tty") || p.bool("rm") {
        return Err("error: interactive pods (-i, -t, --rm) are not simulated yet; run the pod, then use kubectl get/logs".into());
    }
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let mut labels = Labels::new();
    match p.value("labels") {
        Some(l) => {
            for pair in l.split(',') {
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("error: invalid label spec: {pair}"))?;
                labels.insert(k.to_string(), v.to_string());
            }
        }
        None => {
            labels.insert("run".into(), name.clone());
        }
    }
    let restart = p.value("restart").unwrap_or("Always").to_string();
    let extra: Vec<String> = p.after_dashes.clone().unwrap_or_default();
    let (command, cargs) = if p.bool("command") {
        (extra, Vec::new())
    } else {
        (Vec::new(), extra)
    };
    let mut ports = Vec::new();
    if let Some(port) = p.value("port") {
        let n: i64 = port
            .parse()
            .map_err(|_| format!("error: invalid port: {port}"))?;
        ports.push(ContainerPort {
            container_port: n,
            ..Default::default()
        });
    }
    let env = p
        .all("env")
        .iter()
        .map(|e| {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            EnvVar {
                name: k.into(),
                value: Some(v.into()),
                value_from: None,
            }
        })
        .collect();
    let pod = Pod {
        api_version: "v1".into(),
        kind: "Pod".into(),
        metadata: ObjectMeta {
            name: name.clone(),
            namespace: ns,
            labels,
            ..Default::default()
        },
        spec: PodSpec {
            containers: vec![Container {
                name: name.clone(),
                image,
                command,
                args: cargs,
                ports,
                env,
                image_pull_policy: p.value("image-pull-policy").unwrap_or("").to_string(),
                ..Default::default()
            }],
            restart_policy: restart,
            ..Default::default()
        },
        status: PodStatus::default(),
    };
    let dry = p.value("dry-run").is_some_and(|d| d != "none");
    if dry {
        return Ok(Output::ok(format!("pod/{name} created (dry run)")));
    }
    let w = &mut s.world;
    let c = &mut w.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    c.store
        .create(pod, w.now, &mut w.rng)
        .map_err(|e| e.kubectl(None))?;
    w.settle();
    Ok(Output::ok(format!("pod/{name} created")))
}

fn delete(s: &mut Session, args: &[String], stdin: Option<&str>) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("filename", Some('f'), true),
            flag("recursive", Some('R'), false),
            flag("selector", Some('l'), true),
            flag("all", None, false),
            flag("all-namespaces", Some('A'), false),
            flag("grace-period", None, true),
            flag("force", None, false),
            flag("now", None, false),
            flag("wait", None, true),
            flag("cascade", None, true),
            flag("ignore-not-found", None, false),
            flag("timeout", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let mut grace: Option<i64> = match p.value("grace-period") {
        Some(g) => Some(g.parse().map_err(|_| format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax"))?),
        None => None,
    };
    if p.bool("now") {
        grace = Some(1);
    }
    if p.bool("force") && grace == Some(0) {
        grace = Some(0);
    }
    // Targets: (kind, namespace, name).
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut errors = Vec::new();
    if !p.all("filename").is_empty() {
        for (file, text) in read_sources(s, &p, stdin)? {
            match manifest::parse(&text) {
                Ok(docs) => {
                    for d in docs {
                        let (kind, obj_ns) = match &d.object {
                            ApiObject::Pod(o) => (Kind::Pods, o.metadata.namespace.clone()),
                            ApiObject::Namespace(_) => (Kind::Namespaces, String::new()),
                            ApiObject::Node(_) => (Kind::Nodes, String::new()),
                        };
                        let obj_ns = if obj_ns.is_empty() {
                            ns.clone()
                        } else {
                            obj_ns
                        };
                        targets.push((kind, obj_ns, d.object.name().to_string()));
                    }
                }
                Err(e) => errors.push(e.kubectl(&file)),
            }
        }
    } else {
        let Some(first) = p.positional.first() else {
            return Err("error: resource(s) were provided, but no name was specified".into());
        };
        let (kind_word, names): (String, Vec<String>) = match first.split_once('/') {
            Some((k, _)) => (
                k.to_string(),
                p.positional
                    .iter()
                    .filter_map(|a| a.split_once('/').map(|(_, n)| n.to_string()))
                    .collect(),
            ),
            None => (first.clone(), p.positional[1..].to_vec()),
        };
        let kind = resource_kind(&kind_word).ok_or_else(|| {
            format!("error: the server doesn't have a resource type \"{kind_word}\"")
        })?;
        let store = &s.world.clusters[cluster].store;
        if names.is_empty() {
            let sel = p.value("selector").map(parse_selector).transpose()?;
            if sel.is_none() && !p.bool("all") {
                return Err("error: resource(s) were provided, but no name was specified".into());
            }
            let sel = sel.unwrap_or_default();
            match kind {
                Kind::Pods => targets.extend(
                    store
                        .pods
                        .in_namespace(Some(&ns))
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, ns.clone(), x.metadata.name.clone())),
                ),
                Kind::Namespaces => targets.extend(
                    store
                        .namespaces
                        .values()
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, String::new(), x.metadata.name.clone())),
                ),
                _ => {
                    return Err(format!(
                        "error: Pocket Cluster does not simulate deleting {kind_word} yet"
                    ))
                }
            }
            if targets.is_empty() {
                return Ok(Output::ok(format!("No resources found in {ns} namespace.")));
            }
        } else {
            targets.extend(names.into_iter().map(|n| (kind, ns.clone(), n)));
        }
    }
    let mut lines = Vec::new();
    let mut waiting = Vec::new();
    for (kind, obj_ns, name) in targets {
        let w = &mut s.world;
        let now = w.now;
        let c = &mut w.clusters[cluster];
        match kind {
            Kind::Pods => {
                let Some(pod) = c.store.get_mut::<Pod>(&obj_ns, &name) else {
                    if !p.bool("ignore-not-found") {
                        errors.push(format!(
                            "Error from server (NotFound): pods \"{name}\" not found"
                        ));
                    }
                    continue;
                };
                if pod.metadata.deletion_timestamp.is_none() {
                    let g = grace
                        .unwrap_or(pod.spec.termination_grace_period_seconds.unwrap_or(30))
                        .max(0);
                    pod.metadata.deletion_timestamp = Some(rfc3339(now + g as u64 * 1000));
                    pod.metadata.deletion_grace_period_seconds = Some(g);
                    if g == 0 {
                        c.store.remove::<Pod>(&obj_ns, &name);
                    }
                }
                lines.push(format!("pod \"{name}\" deleted"));
                waiting.push((Kind::Pods, obj_ns, name));
            }
            Kind::Namespaces => {
                if ["default", "kube-system", "kube-public", "kube-node-lease"]
                    .contains(&name.as_str())
                {
                    errors.push(format!("Error from server (Forbidden): namespaces \"{name}\" is forbidden: this namespace may not be deleted"));
                    continue;
                }
                let Some(n) = c.store.get_mut::<Namespace>("", &name) else {
                    errors.push(format!(
                        "Error from server (NotFound): namespaces \"{name}\" not found"
                    ));
                    continue;
                };
                if n.metadata.deletion_timestamp.is_none() {
                    n.metadata.deletion_timestamp = Some(rfc3339(now));
                    n.status.phase = "Terminating".into();
                }
                lines.push(format!("namespace \"{name}\" deleted"));
                waiting.push((Kind::Namespaces, String::new(), name));
            }
            _ => {
                errors.push("error: Pocket Cluster does not simulate deleting this kind yet".into())
            }
        }
    }
    // kubectl delete waits for the objects to be gone (--wait=true): move the clock until they are.
    let wait = p.value("wait").is_none_or(|v| v != "false");
    if wait {
        for _ in 0..400 {
            let c = &s.world.clusters[cluster];
            let gone = |(k, n, x): &(Kind, String, String)| match k {
                Kind::Pods => c.store.pods.get(n, x).is_none(),
                Kind::Namespaces => c.store.namespaces.get("", x).is_none(),
                _ => true,
            };
            if waiting.iter().all(gone) {
                break;
            }
            s.world.advance(250);
        }
    }
    s.world.settle();
    let ok = errors.is_empty();
    lines.extend(errors);
    Ok(Output {
        text: lines.join("\n"),
        ok,
    })
}

fn config(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("current", None, false),
            flag("output", Some('o'), true),
            flag("minify", None, false),
        ],
    )?;
    let sub = p.positional.first().map(|x| x.as_str()).unwrap_or("");
    match sub {
        "current-context" => Ok(Output::ok(s.world.cluster().name.clone())),
        "get-contexts" => {
            let mut rows = vec![["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(String::from).to_vec()];
            for (i, c) in s.world.clusters.iter().enumerate() {
                let ns = s.namespace_for(i);
                rows.push(vec![
                    if i == s.world.current { "*".into() } else { String::new() },
                    c.name.clone(),
                    c.name.clone(),
                    c.name.clone(),
                    if ns == "default" { String::new() } else { ns },
                ]);
            }
            Ok(Output::ok(table(&rows).trim_end()))
        }
        "use-context" => {
            let name = p.positional.get(1).ok_or("error: Unexpected args: []")?;
            let i = s.world.cluster_index(name).ok_or_else(|| format!("error: no context exists with the name: \"{name}\""))?;
            s.world.current = i;
            Ok(Output::ok(format!("Switched to context \"{name}\".")))
        }
        "set-context" => {
            let cluster = if p.bool("current") {
                s.world.current
            } else {
                let name = p.positional.get(1).ok_or("error: you must specify a non-empty context name or --current")?;
                s.world.cluster_index(name).ok_or_else(|| format!("error: context \"{name}\" does not exist in Pocket Cluster (sim cluster create {name})"))?
            };
            if let Some(ns) = p.value("namespace") {
                s.namespaces.insert(s.world.clusters[cluster].name.clone(), ns.to_string());
            }
            Ok(Output::ok(format!("Context \"{}\" modified.", s.world.clusters[cluster].name)))
        }
        "view" => Ok(Output::ok(format!(
            "apiVersion: v1\nclusters:\n{}contexts:\n{}current-context: {}\nkind: Config\npreferences: {{}}\nusers:\n{}",
            s.world.clusters.iter().map(|c| format!("- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://{}:6443\n  name: {}\n", c.api_address(), c.name)).collect::<String>(),
            s.world.clusters.iter().enumerate().map(|(i, c)| format!("- context:\n    cluster: {n}\n    namespace: {}\n    user: {n}\n  name: {n}\n", s.namespace_for(i), n = c.name)).collect::<String>(),
            s.world.cluster().name,
            s.world.clusters.iter().map(|c| format!("- name: {}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n", c.name)).collect::<String>(),
        ).trim_end())),
        "" => Err("error: Pocket Cluster simulates: kubectl config current-context | get-contexts | use-context NAME | set-context --current --namespace=NS | view".into()),
        other => Err(format!("error: unknown command \"{other}\" for \"kubectl config\"")),
    }
}
