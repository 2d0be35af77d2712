//! Access control at the terminal: `--as` / `--as-group` impersonation on every command (each
//! request authorized by `sim::api::rbac` and refused with the API server's Forbidden text),
//! `kubectl auth can-i` (with `--list`), and `kubectl create role|clusterrole|rolebinding|
//! clusterrolebinding|serviceaccount`.

use super::super::flags::{self, flag};
use super::super::format::tabwriter;
use super::super::{Output, Session};
use super::stored::Resolved;
use super::*;
use crate::sim::api::rbac::{self, Request, Rule, UserInfo};

/// The user `--as` and `--as-group` name in a command's arguments (None: the learner).
pub(super) fn impersonation(args: &[String]) -> Result<Option<UserInfo>, String> {
    let mut user: Option<String> = None;
    let mut groups = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            break;
        }
        let mut take = |name: &str| -> Option<String> {
            if let Some(v) = a.strip_prefix(&format!("--{name}=")) {
                return Some(v.to_string());
            }
            if a == &format!("--{name}") {
                i += 1;
                return Some(args.get(i).cloned().unwrap_or_default());
            }
            None
        };
        if let Some(v) = take("as") {
            user = Some(v);
        } else if let Some(v) = take("as-group") {
            groups.push(v);
        }
        i += 1;
    }
    match user {
        Some(u) if !u.is_empty() => Ok(Some(UserInfo::impersonated(&u, &groups))),
        _ if !groups.is_empty() => Err(
            "error: requesting uid, groups or user-extra for  without impersonating a user".into(),
        ),
        _ => Ok(None),
    }
}

/// Authorize one request of the command's user; the error is kubectl's line, with `context`
/// (`error when creating "f.yaml"`) when given.
pub(super) fn check(
    s: &Session,
    cluster: usize,
    req: &Request,
    context: Option<&str>,
) -> Result<(), String> {
    let Some(user) = &s.user else {
        return Ok(());
    };
    let Some(c) = s.world.clusters.get(cluster) else {
        return Ok(());
    };
    rbac::authorize(&c.store, user, req).map_err(|msg| match context {
        Some(ctx) => format!("Error from server (Forbidden): {ctx}: {msg}"),
        None => format!("Error from server (Forbidden): {msg}"),
    })
}

/// (group, plural, namespaced) of a typed kind.
pub(super) fn typed_kind(k: Kind) -> (&'static str, &'static str, bool) {
    match k {
        Kind::Pods => ("", "pods", true),
        Kind::Nodes => ("", "nodes", false),
        Kind::Namespaces => ("", "namespaces", false),
        Kind::Events => ("", "events", true),
        Kind::Deployments => ("apps", "deployments", true),
        Kind::ReplicaSets => ("apps", "replicasets", true),
        Kind::DaemonSets => ("apps", "daemonsets", true),
        Kind::StatefulSets => ("apps", "statefulsets", true),
        Kind::Jobs => ("batch", "jobs", true),
        Kind::CronJobs => ("batch", "cronjobs", true),
        Kind::Services => ("", "services", true),
        Kind::Endpoints => ("", "endpoints", true),
        Kind::EndpointSlices => ("discovery.k8s.io", "endpointslices", true),
    }
}

/// (group, plural, namespaced) of a resolved kind.
pub(super) fn resolved_kind(r: &Resolved) -> (String, String, bool) {
    match r {
        Resolved::Typed(k) => {
            let (g, p, n) = typed_kind(*k);
            (g.to_string(), p.to_string(), n)
        }
        Resolved::Stored(info) => (info.group.clone(), info.plural.clone(), info.namespaced),
    }
}

/// The request to read a kind: `get` of each name, or `list` (across namespaces when `ns` is
/// None or the kind is cluster-scoped).
pub(super) fn read_requests(r: &Resolved, ns: Option<&str>, names: &[String]) -> Vec<Request> {
    let (group, plural, namespaced) = resolved_kind(r);
    let ns = if namespaced { ns.unwrap_or("") } else { "" };
    if names.is_empty() {
        vec![Request::new("list", &group, &plural, ns, "")]
    } else {
        names
            .iter()
            .map(|n| Request::new("get", &group, &plural, ns, n))
            .collect()
    }
}

/// Authorize reading a kind (`get`/`describe`): the names the user may get, and the errors
/// of the requests refused. A refused list leaves no names and one error.
pub(super) fn authorize_read(
    s: &Session,
    cluster: usize,
    r: &Resolved,
    scope: Option<&str>,
    names: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for (i, req) in read_requests(r, scope, names).iter().enumerate() {
        match check(s, cluster, req, None) {
            Ok(()) => ok.extend(names.get(i).cloned()),
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}

/// Authorize writing an object from a file: `kubectl apply` reads it first (and patches it if
/// it exists), `kubectl create` creates it; errors in kubectl's words for each.
#[allow(clippy::too_many_arguments)]
pub(super) fn check_write(
    s: &Session,
    cluster: usize,
    group: &str,
    plural: &str,
    kind: &str,
    api_version: &str,
    ns: &str,
    name: &str,
    apply: bool,
    file: &str,
) -> Result<(), String> {
    if s.user.is_none() {
        return Ok(());
    }
    let exists = s.world.clusters.get(cluster).is_some_and(|c| {
        let store = &c.store;
        !name.is_empty()
            && match super::stored::resolve(
                store,
                format!("{plural}.{group}").trim_end_matches('.'),
            ) {
                Some(Resolved::Typed(k)) => match k {
                    Kind::Pods => store.pods.contains(ns, name),
                    Kind::Nodes => store.nodes.contains("", name),
                    Kind::Namespaces => store.namespaces.contains("", name),
                    Kind::Deployments => store.deployments.contains(ns, name),
                    Kind::ReplicaSets => store.replicasets.contains(ns, name),
                    Kind::DaemonSets => store.daemonsets.contains(ns, name),
                    Kind::StatefulSets => store.statefulsets.contains(ns, name),
                    Kind::Jobs => store.jobs.contains(ns, name),
                    Kind::CronJobs => store.cronjobs.contains(ns, name),
                    Kind::Services => store.services.contains(ns, name),
                    Kind::Endpoints => store.endpoints.contains(ns, name),
                    Kind::EndpointSlices => store.endpointslices.contains(ns, name),
                    Kind::Events => false,
                },
                Some(Resolved::Stored(info)) => {
                    store.get_unstructured(&info.resource(), ns, name).is_some()
                }
                None => false,
            }
    });
    if apply {
        let get = Request::new("get", group, plural, ns, name);
        if let Err(e) = check(s, cluster, &get, None) {
            let msg = e.trim_start_matches("Error from server (Forbidden): ");
            // Go's GroupVersionResource.String(): `/v1` for the core group.
            let gv = if group.is_empty() {
                format!("/{api_version}")
            } else {
                api_version.to_string()
            };
            return Err(format!(
                "Error from server (Forbidden): error when retrieving current configuration of:\nResource: \"{gv}, Resource={plural}\", GroupVersionKind: \"{gv}, Kind={kind}\"\nName: \"{name}\", Namespace: \"{ns}\"\nfrom server for: \"{file}\": {msg}"
            ));
        }
        if exists {
            let patch = Request::new("patch", group, plural, ns, name);
            return check(
                s,
                cluster,
                &patch,
                Some(&format!("error when applying patch to \"{file}\"")),
            );
        }
    }
    let create = Request::new("create", group, plural, ns, "");
    check(
        s,
        cluster,
        &create,
        Some(&format!("error when creating \"{file}\"")),
    )
}

/// The flags (of any verb) that take a value: positionals after them are their values.
const VALUE_FLAGS: &[&str] = &[
    "namespace",
    "context",
    "cluster",
    "kubeconfig",
    "request-timeout",
    "v",
    "as",
    "as-group",
    "as-uid",
    "output",
    "selector",
    "field-selector",
    "filename",
    "container",
    "image",
    "replicas",
    "port",
    "timeout",
    "for",
    "type",
    "target-port",
    "name",
    "protocol",
    "to-revision",
    "grace-period",
    "tail",
    "since",
    "since-time",
    "limit-bytes",
    "revision",
    "env",
    "labels",
    "restart",
    "schedule",
    "dry-run",
    "sort-by",
    "cascade",
    "patch",
    "pod-running-timeout",
    "current-replicas",
    "resource-version",
    "template",
    "rule",
    "class",
    "default-backend",
    "annotation",
    "external-ip",
    "load-balancer-ip",
    "session-affinity",
    "cluster-ip",
    "image-pull-policy",
    "address",
    "wait",
    "hard",
    "scopes",
    "verb",
    "resource",
    "resource-name",
    "role",
    "clusterrole",
    "user",
    "group",
    "serviceaccount",
    "tcp",
    "node-port",
    "external-name",
    "clusterip",
    "from",
    "field-manager",
    "overrides",
    "subresource",
];
const VALUE_SHORTS: &[char] = &['n', 'o', 'l', 'f', 'c', 'p', 'r', 'v'];

/// A command's positional arguments, skipping flags and their values (any verb's), up to `--`.
fn positionals(args: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            if !body.contains('=') && VALUE_FLAGS.contains(&body) {
                i += 1;
            }
        } else if a.len() == 2 && a.starts_with('-') {
            let c = a.chars().nth(1).unwrap_or(' ');
            if VALUE_SHORTS.contains(&c) {
                i += 1;
            }
        } else if a.starts_with('-') && a != "-" {
        } else {
            out.push(a.clone());
        }
    }
    out
}

fn flag_value(args: &[String], long: &str, short: Option<char>) -> Option<String> {
    let mut found = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            break;
        }
        if let Some(v) = a.strip_prefix(&format!("--{long}=")) {
            found = Some(v.to_string());
        } else if a == &format!("--{long}") || short.is_some_and(|c| a == &format!("-{c}")) {
            found = args.get(i + 1).cloned();
            i += 1;
        } else if let Some(c) = short {
            if let Some(v) = a
                .strip_prefix(&format!("-{c}"))
                .filter(|v| !v.is_empty() && !a.starts_with("--"))
            {
                found = Some(v.trim_start_matches('=').to_string());
            }
        }
        i += 1;
    }
    found
}

/// The requests a command line makes before it acts, for the verbs that name their objects on
/// the command line (get, describe, delete and apply authorize where they act). Ok when the
/// user may make them all, or when the line does not parse (the verb reports that itself).
pub(super) fn preflight(s: &Session, cmd: &str, args: &[String]) -> Result<(), String> {
    if s.user.is_none() {
        return Ok(());
    }
    let cluster = match flag_value(args, "context", None) {
        Some(ctx) => match s.world.cluster_index(&ctx) {
            Some(c) => c,
            None => return Ok(()),
        },
        None => s.world.current,
    };
    let ns = flag_value(args, "namespace", Some('n')).unwrap_or_else(|| s.namespace_for(cluster));
    let pos = positionals(args);
    let Some(c) = s.world.clusters.get(cluster) else {
        return Ok(());
    };
    let store = &c.store;
    // TYPE/NAME or TYPE NAME → (group, plural, namespace, name).
    let object = |pos: &[String]| -> Option<(String, String, String, String)> {
        let first = pos.first()?;
        let (word, name) = match first.split_once('/') {
            Some((w, n)) => (w.to_string(), n.to_string()),
            None => (first.clone(), pos.get(1).cloned().unwrap_or_default()),
        };
        let r = super::stored::resolve(store, &word)?;
        let (g, p, namespaced) = resolved_kind(&r);
        Some((
            g,
            p,
            if namespaced {
                ns.clone()
            } else {
                String::new()
            },
            name,
        ))
    };
    let pod_first = |pos: &[String]| -> (String, String, String, String) {
        match pos.first().map(|f| f.split_once('/')) {
            Some(Some(_)) => object(pos).unwrap_or_default(),
            Some(None) => (
                String::new(),
                "pods".into(),
                ns.clone(),
                pos.first().cloned().unwrap_or_default(),
            ),
            None => Default::default(),
        }
    };
    let mut reqs: Vec<Request> = Vec::new();
    match cmd {
        "logs" => {
            let (g, p, n, name) = pod_first(&pos);
            if p == "pods" {
                reqs.push(Request::new("get", "", "pods/log", &n, &name));
            } else if !p.is_empty() {
                reqs.push(Request::new("get", &g, &p, &n, &name));
            }
        }
        "exec" | "port-forward" | "attach" => {
            let (g, p, n, name) = pod_first(&pos);
            if p.is_empty() {
                return Ok(());
            }
            reqs.push(Request::new("get", &g, &p, &n, &name));
            if p == "pods" {
                let sub = match cmd {
                    "exec" => "pods/exec",
                    "attach" => "pods/attach",
                    _ => "pods/portforward",
                };
                reqs.push(Request::new("create", "", sub, &n, &name));
            }
        }
        "run" if !pos.is_empty() => {
            reqs.push(Request::new("create", "", "pods", &ns, ""));
        }
        "scale" => {
            if let Some((g, p, n, name)) = object(&pos) {
                reqs.push(Request::new("get", &g, &p, &n, &name));
                reqs.push(Request::new("patch", &g, &format!("{p}/scale"), &n, &name));
            }
        }
        "label" | "annotate" | "set" | "patch" => {
            let pos = if cmd == "set" {
                pos.get(1..).unwrap_or_default().to_vec()
            } else {
                pos
            };
            if let Some((g, p, n, name)) = object(&pos) {
                reqs.push(Request::new("get", &g, &p, &n, &name));
                reqs.push(Request::new("patch", &g, &p, &n, &name));
            }
        }
        "rollout" => {
            let sub = pos.first().cloned().unwrap_or_default();
            if let Some((g, p, n, name)) = object(pos.get(1..).unwrap_or_default()) {
                reqs.push(Request::new("get", &g, &p, &n, &name));
                if matches!(sub.as_str(), "restart" | "undo" | "pause" | "resume") {
                    reqs.push(Request::new("patch", &g, &p, &n, &name));
                }
            }
        }
        "cordon" | "uncordon" | "drain" => {
            if let Some(node) = pos.first() {
                reqs.push(Request::new("get", "", "nodes", "", node));
                reqs.push(Request::new("patch", "", "nodes", "", node));
            }
        }
        "expose" => {
            if let Some((g, p, n, name)) = object(&pos) {
                reqs.push(Request::new("get", &g, &p, &n, &name));
                reqs.push(Request::new("create", "", "services", &ns, ""));
            }
        }
        "wait" => {
            if let Some((g, p, n, name)) = object(&pos) {
                let verb = if name.is_empty() { "list" } else { "get" };
                reqs.push(Request::new(verb, &g, &p, &n, &name));
            }
        }
        "create" => {
            let what = match pos.first().map(String::as_str) {
                Some("namespace" | "ns") => Some(("", "namespaces", "")),
                Some("deployment" | "deploy") => Some(("apps", "deployments", ns.as_str())),
                Some("job") => Some(("batch", "jobs", ns.as_str())),
                Some("cronjob" | "cj") => Some(("batch", "cronjobs", ns.as_str())),
                Some("service" | "svc") => Some(("", "services", ns.as_str())),
                Some("configmap" | "cm") => Some(("", "configmaps", ns.as_str())),
                Some("secret") => Some(("", "secrets", ns.as_str())),
                Some("ingress" | "ing") => Some(("networking.k8s.io", "ingresses", ns.as_str())),
                Some("quota" | "resourcequota") => Some(("", "resourcequotas", ns.as_str())),
                Some("serviceaccount" | "sa") => Some(("", "serviceaccounts", ns.as_str())),
                Some("role") => Some(("rbac.authorization.k8s.io", "roles", ns.as_str())),
                Some("rolebinding") => {
                    Some(("rbac.authorization.k8s.io", "rolebindings", ns.as_str()))
                }
                Some("clusterrole") => Some(("rbac.authorization.k8s.io", "clusterroles", "")),
                Some("clusterrolebinding") => {
                    Some(("rbac.authorization.k8s.io", "clusterrolebindings", ""))
                }
                _ => None,
            };
            if let Some((g, p, n)) = what {
                reqs.push(Request::new("create", g, p, n, ""));
            }
        }
        _ => {}
    }
    for r in &reqs {
        check(s, cluster, r, None)?;
    }
    Ok(())
}

const KNOWN_VERBS: &[&str] = &[
    "*",
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "escalate",
    "approve",
    "sign",
];

/// `kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL] [NAME]` and `can-i --list`.
pub(super) fn auth(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("all-namespaces", Some('A'), false),
            flag("list", None, false),
            flag("quiet", Some('q'), false),
            flag("subresource", None, true),
            flag("no-headers", None, false),
            flag("as", None, true),
            flag("as-group", None, true),
        ],
    )?;
    match p.positional.first().map(String::as_str) {
        Some("can-i") => {}
        Some("whoami") => return whoami(s, &p),
        Some(other) => {
            return Err(format!(
                "error: Pocket Cluster simulates \"kubectl auth can-i\" and \"kubectl auth whoami\", not \"kubectl auth {other}\""
            ))
        }
        None => return Err("error: Pocket Cluster simulates \"kubectl auth can-i\" and \"kubectl auth whoami\"".into()),
    }
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let user = s.user.clone().unwrap_or_else(UserInfo::admin);
    let ns = if p.bool("all-namespaces") {
        String::new()
    } else {
        namespace_of(s, &p, cluster)
    };
    let store = &s.world.clusters[cluster].store;
    if p.bool("list") {
        return Ok(Output::ok(list(store, &user, &ns, p.bool("no-headers"))));
    }
    let words = &p.positional[1..];
    let (verb, target) = match words {
        [v, t, ..] => (v.clone(), t.clone()),
        [_] => return Err("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples".into()),
        [] => return Err("error: you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples".into()),
    };
    let mut warnings = Vec::new();
    if !KNOWN_VERBS.contains(&verb.as_str()) {
        warnings.push(format!("Warning: verb '{verb}' is not a known verb"));
    }
    let req = if target.starts_with('/') {
        Request {
            verb: verb.clone(),
            path: target.clone(),
            ..Default::default()
        }
    } else {
        let (word, mut name) = match target.split_once('/') {
            Some((w, n)) => (w.to_string(), n.to_string()),
            None => (target.clone(), String::new()),
        };
        if let Some(n) = words.get(2) {
            name = n.clone();
        }
        let (group, plural, namespaced) = if word == "*" {
            (String::new(), "*".to_string(), true)
        } else {
            match super::stored::resolve(store, &word) {
                Some(r) => resolved_kind(&r),
                None if review_kind(&word).is_some() => {
                    let (g, p) = review_kind(&word).unwrap_or_default();
                    (g.to_string(), p.to_string(), false)
                }
                None => {
                    warnings.push(format!(
                        "Warning: the server doesn't have a resource type '{word}'"
                    ));
                    let (base, group) = word.split_once('.').unwrap_or((word.as_str(), ""));
                    (group.to_string(), base.to_string(), true)
                }
            }
        };
        let resource = match p.value("subresource") {
            Some(sub) if !sub.is_empty() => format!("{plural}/{sub}"),
            _ => plural,
        };
        Request::new(
            &verb,
            &group,
            &resource,
            if namespaced { &ns } else { "" },
            &name,
        )
    };
    let yes = rbac::allowed(store, &user, &req);
    let mut lines = warnings;
    if !p.bool("quiet") {
        lines.push(if yes { "yes" } else { "no" }.to_string());
    }
    Ok(Output {
        text: lines.join("\n"),
        ok: yes,
    })
}

/// The review kinds discovery lists (create-only, not stored): (group, plural).
fn review_kind(word: &str) -> Option<(&'static str, &'static str)> {
    let w = word.to_ascii_lowercase();
    let base = w.split('.').next().unwrap_or("");
    [
        ("authorization.k8s.io", "selfsubjectaccessreviews"),
        ("authorization.k8s.io", "selfsubjectrulesreviews"),
        ("authorization.k8s.io", "subjectaccessreviews"),
        ("authorization.k8s.io", "localsubjectaccessreviews"),
        ("authentication.k8s.io", "selfsubjectreviews"),
        ("authentication.k8s.io", "tokenreviews"),
    ]
    .into_iter()
    .find(|(_, p)| *p == base || p.strip_suffix('s') == Some(base))
}

/// `kubectl auth whoami`: the user and groups, as the SelfSubjectReview answers.
fn whoami(s: &Session, p: &flags::Parsed) -> Result<Output, String> {
    let _ = target(s, p)?;
    let user = s.user.clone().unwrap_or_else(UserInfo::admin);
    let groups = format!("[{}]", user.groups.join(" "));
    Ok(Output::ok(
        tabwriter(
            &format!(
                "ATTRIBUTE\tVALUE\nUsername\t{}\nGroups\t{groups}\n",
                user.name
            ),
            6,
            3,
        )
        .trim_end()
        .to_string(),
    ))
}

/// `kubectl auth can-i --list`: the user's rules in the namespace, broken down per resource and
/// compacted per verb, sorted as kubectl sorts them.
fn list(store: &Store, user: &UserInfo, ns: &str, no_headers: bool) -> String {
    let (rules, _) = rbac::rules_for(store, user, ns);
    let header = (!no_headers).then_some("Resources\tNon-Resource URLs\tResource Names\tVerbs\n");
    tabwriter(&rules_table(&rules, header, ""), 6, 3)
        .trim_end()
        .to_string()
}

/// Rules as kubectl prints them (can-i --list, describe role): broken down per resource,
/// compacted per verb, sorted by the rules' Go text; each line prefixed with `indent`.
fn rules_table(rules: &[Rule], header: Option<&str>, indent: &str) -> String {
    // BreakdownRule, then CompactRules (verbs of the same group/resource/name together).
    let mut compact: Vec<Rule> = Vec::new();
    let mut urls: Vec<Rule> = Vec::new();
    for r in rules {
        for g in &r.api_groups {
            for res in &r.resources {
                let names: Vec<Option<&String>> = if r.resource_names.is_empty() {
                    vec![None]
                } else {
                    r.resource_names.iter().map(Some).collect()
                };
                for n in names {
                    let found = compact.iter_mut().find(|c| {
                        c.api_groups[0] == *g
                            && c.resources[0] == *res
                            && c.resource_names.first() == n
                    });
                    let slot = match found {
                        Some(c) => c,
                        None => {
                            compact.push(Rule {
                                verbs: Vec::new(),
                                api_groups: vec![g.clone()],
                                resources: vec![res.clone()],
                                resource_names: n.into_iter().cloned().collect(),
                                non_resource_urls: Vec::new(),
                            });
                            let last = compact.len() - 1;
                            &mut compact[last]
                        }
                    };
                    for v in &r.verbs {
                        if !slot.verbs.contains(v) {
                            slot.verbs.push(v.clone());
                        }
                    }
                }
            }
        }
        for u in &r.non_resource_urls {
            for v in &r.verbs {
                let rule = Rule {
                    verbs: vec![v.clone()],
                    non_resource_urls: vec![u.clone()],
                    ..Default::default()
                };
                if !urls.contains(&rule) {
                    urls.push(rule);
                }
            }
        }
    }
    compact.extend(urls);
    let go = |v: &[String]| format!("[{}]", v.join(" "));
    let key = |r: &Rule| {
        let groups: Vec<String> = r.api_groups.clone();
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go(&r.verbs),
            go(&groups),
            go(&r.resources),
            go(&r.resource_names),
            go(&r.non_resource_urls)
        )
    };
    crate::sim::sort::by_key(&mut compact, |r| key(r));
    let mut text = String::new();
    if let Some(h) = header {
        for line in h.lines() {
            text.push_str(&format!("{indent}{line}\n"));
        }
    }
    for r in &compact {
        let combined = match r.resources.first() {
            None => String::new(),
            Some(res) => {
                let (base, sub) = match res.split_once('/') {
                    Some((b, s)) => (b, Some(s)),
                    None => (res.as_str(), None),
                };
                let mut c = base.to_string();
                if let Some(g) = r.api_groups.first().filter(|g| !g.is_empty()) {
                    c = format!("{c}.{g}");
                }
                if let Some(sub) = sub {
                    c = format!("{c}/{sub}");
                }
                c
            }
        };
        text.push_str(&format!(
            "{indent}{combined}\t{}\t{}\t{}\n",
            go(&r.non_resource_urls),
            go(&r.resource_names),
            go(&r.verbs)
        ));
    }
    text
}

/// `kubectl describe role|clusterrole|rolebinding|clusterrolebinding` as kubectl's RBAC
/// describers print them; None for other kinds.
pub(super) fn describe(o: &Unstructured) -> Option<String> {
    if o.api_version != "rbac.authorization.k8s.io/v1" {
        return None;
    }
    let mut out = format!("Name:\t{}\n", o.metadata.name);
    match o.kind.as_str() {
        "Role" | "ClusterRole" => {
            super::describe::labels_and_annotations(&mut out, &o.metadata);
            out.push_str("PolicyRule:\n");
            let rules = rbac::rules_of(o);
            out.push_str(&rules_table(
                &rules,
                Some("Resources\tNon-Resource URLs\tResource Names\tVerbs\n---------\t-----------------\t--------------\t-----\n"),
                "  ",
            ));
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            super::describe::labels_and_annotations(&mut out, &o.metadata);
            out.push_str(&format!(
                "Role:\n  Kind:\t{}\n  Name:\t{}\nSubjects:\n  Kind\tName\tNamespace\n  ----\t----\t---------\n",
                o.str_at(&["roleRef", "kind"]),
                o.str_at(&["roleRef", "name"])
            ));
            for s in o
                .field("subjects")
                .and_then(serde_yaml::Value::as_sequence)
                .into_iter()
                .flatten()
            {
                let get = |k: &str| s.get(k).and_then(serde_yaml::Value::as_str).unwrap_or("");
                out.push_str(&format!(
                    "  {}\t{}\t{}\n",
                    get("kind"),
                    get("name"),
                    get("namespace")
                ));
            }
        }
        _ => return None,
    }
    Some(out)
}

// ---------------------------------------------------------------- create

const VALID_VERBS: &[&str] = &[
    "*",
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "escalate",
];

fn split_all(values: Vec<String>) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// `kubectl create role|clusterrole NAME --verb=… --resource=… [--resource-name=…]`.
pub(super) fn create_role(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("verb", None, true),
            flag("resource", None, true),
            flag("resource-name", None, true),
            flag("non-resource-url", None, true),
            flag("aggregation-rule", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
            flag("save-config", None, false),
            flag("validate", None, true),
        ],
    )?;
    let cluster_wide = p.positional.first().is_some_and(|w| w == "clusterrole");
    let names = p.positional.get(1..).unwrap_or_default();
    if names.len() != 1 {
        return Err(format!(
            "error: exactly one NAME is required, got {}",
            names.len()
        ));
    }
    let name = &names[0];
    let verbs = split_all(p.all("verb"));
    let resources = split_all(p.all("resource"));
    let resource_names = split_all(p.all("resource-name"));
    let urls = split_all(p.all("non-resource-url"));
    if verbs.is_empty() {
        return Err("error: at least one verb must be specified".into());
    }
    if resources.is_empty() && (!cluster_wide || urls.is_empty()) {
        return Err("error: at least one resource must be specified".into());
    }
    for v in &verbs {
        if !VALID_VERBS.contains(&v.as_str()) {
            return Err(format!("error: invalid verb: '{v}'"));
        }
    }
    if !urls.is_empty() && !cluster_wide {
        return Err("error: unknown flag: --non-resource-url".into());
    }
    let cluster = target(s, &p)?;
    let store = &s.world.clusters[cluster].store;
    // Each resource as discovery maps it, grouped by API group in the order first named.
    let mut by_group: Vec<(String, Vec<String>)> = Vec::new();
    for r in &resources {
        let (word, sub) = match r.split_once('/') {
            Some((w, s)) => (w, Some(s)),
            None => (r.as_str(), None),
        };
        let (group, plural) = if word == "*" {
            (String::new(), "*".to_string())
        } else {
            match super::stored::resolve(store, word) {
                Some(k) => {
                    let (g, p, _) = resolved_kind(&k);
                    (g, p)
                }
                None => {
                    return Err(format!(
                        "error: the server doesn't have a resource type \"{word}\""
                    ))
                }
            }
        };
        let res = match sub {
            Some(sub) => format!("{plural}/{sub}"),
            None => plural,
        };
        match by_group.iter_mut().find(|(g, _)| *g == group) {
            Some((_, list)) => {
                if !list.contains(&res) {
                    list.push(res)
                }
            }
            None => by_group.push((group, vec![res])),
        }
    }
    let kind = if cluster_wide { "ClusterRole" } else { "Role" };
    let mut yaml = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {}\nrules:\n",
        super::quota::q(name)
    );
    let list = |items: &[String]| -> String {
        items
            .iter()
            .map(|i| format!("  - {}\n", super::quota::q(i)))
            .collect()
    };
    for (group, res) in &by_group {
        yaml.push_str(&format!("- apiGroups:\n  - {}\n", super::quota::q(group)));
        yaml.push_str("  resources:\n");
        yaml.push_str(&list(res));
        if !resource_names.is_empty() {
            yaml.push_str("  resourceNames:\n");
            yaml.push_str(&list(&resource_names));
        }
        yaml.push_str("  verbs:\n");
        yaml.push_str(&list(&verbs));
    }
    if !urls.is_empty() {
        yaml.push_str("- nonResourceURLs:\n");
        yaml.push_str(&list(&urls));
        yaml.push_str("  verbs:\n");
        yaml.push_str(&list(&verbs));
    }
    create_from_yaml(s, &p, &yaml)
}

/// `kubectl create rolebinding|clusterrolebinding NAME --role=R|--clusterrole=CR
/// [--user=U] [--group=G] [--serviceaccount=NS:NAME]`.
pub(super) fn create_binding(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("role", None, true),
            flag("clusterrole", None, true),
            flag("user", None, true),
            flag("group", None, true),
            flag("serviceaccount", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
            flag("save-config", None, false),
            flag("validate", None, true),
        ],
    )?;
    let cluster_wide = p
        .positional
        .first()
        .is_some_and(|w| w == "clusterrolebinding");
    let names = p.positional.get(1..).unwrap_or_default();
    if names.len() != 1 {
        return Err(format!(
            "error: exactly one NAME is required, got {}",
            names.len()
        ));
    }
    let name = &names[0];
    let (ref_kind, ref_name) = match (p.value("role"), p.value("clusterrole")) {
        (Some(_), _) if cluster_wide => return Err("error: unknown flag: --role".into()),
        (Some(r), None) => ("Role", r.to_string()),
        (None, Some(c)) => ("ClusterRole", c.to_string()),
        (None, None) if cluster_wide => {
            return Err("error: required flag(s) \"clusterrole\" not set".into())
        }
        _ => return Err("error: exactly one of clusterrole or role must be specified".into()),
    };
    let mut subjects = String::new();
    let q = super::quota::q;
    for u in split_all(p.all("user")) {
        subjects.push_str(&format!(
            "- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: {}\n",
            q(&u)
        ));
    }
    for g in split_all(p.all("group")) {
        subjects.push_str(&format!(
            "- apiGroup: rbac.authorization.k8s.io\n  kind: Group\n  name: {}\n",
            q(&g)
        ));
    }
    for sa in split_all(p.all("serviceaccount")) {
        let Some((ns, n)) = sa
            .split_once(':')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        else {
            return Err(format!(
                "error: serviceaccount must be <namespace>:<name>, got {sa}"
            ));
        };
        subjects.push_str(&format!(
            "- kind: ServiceAccount\n  name: {}\n  namespace: {}\n",
            q(n),
            q(ns)
        ));
    }
    let kind = if cluster_wide {
        "ClusterRoleBinding"
    } else {
        "RoleBinding"
    };
    let mut yaml = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n  name: {}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {ref_kind}\n  name: {}\n",
        q(name),
        q(&ref_name)
    );
    if !subjects.is_empty() {
        yaml.push_str("subjects:\n");
        yaml.push_str(&subjects);
    }
    create_from_yaml(s, &p, &yaml)
}

/// `kubectl create serviceaccount NAME`.
pub(super) fn create_service_account(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
            flag("save-config", None, false),
            flag("validate", None, true),
        ],
    )?;
    let names = p.positional.get(1..).unwrap_or_default();
    if names.len() != 1 {
        return Err(format!(
            "error: exactly one NAME is required, got {}",
            names.len()
        ));
    }
    let yaml = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n",
        super::quota::q(&names[0])
    );
    create_from_yaml(s, &p, &yaml)
}

fn create_from_yaml(s: &mut Session, p: &flags::Parsed, yaml: &str) -> Result<Output, String> {
    let mut create_args: Vec<String> = vec!["-f".into(), "-".into()];
    for key in ["namespace", "context", "dry-run", "output"] {
        for v in p.all(key) {
            create_args.push(format!("--{key}={v}"));
        }
    }
    let out = super::apply::create(s, &create_args, Some(yaml))?;
    Ok(Output {
        text: out.text.replace("error when creating \"STDIN\": ", ""),
        ok: out.ok,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn impersonation_flags() {
        let u = impersonation(&s(&[
            "get",
            "pods",
            "--as=system:serviceaccount:dev:reader",
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(u.name, "system:serviceaccount:dev:reader");
        let u = impersonation(&s(&["get", "--as", "jane", "--as-group", "devs"]))
            .unwrap()
            .unwrap();
        assert_eq!(u.groups, ["devs", "system:authenticated"]);
        assert!(impersonation(&s(&["get", "--as-group=x"])).is_err());
        assert!(impersonation(&s(&["get", "pods"])).unwrap().is_none());
    }

    #[test]
    fn positionals_skip_flag_values() {
        assert_eq!(
            positionals(&s(&["web", "-c", "nginx", "-n", "dev", "-it", "--", "ls"])),
            ["web"]
        );
        assert_eq!(
            positionals(&s(&["deploy/web", "--replicas", "3"])),
            ["deploy/web"]
        );
    }
}
