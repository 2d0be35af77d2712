//! Tab completion for a command line at a cursor position, as bash with kubectl's completion
//! script does: commands, kubectl verbs and their subcommands, flags per verb, resource kinds,
//! object names of the kind typed (in the `-n` or current namespace; `TYPE/NAME` forms),
//! namespaces, contexts, containers and the learner's files.
//!
//! One candidate completes the word and adds a space; several complete their common prefix and
//! are returned so that a second Tab can list them. Reads the session, never changes it.

use super::local_files::{self, Kind as FileKind};
use super::Session;
use crate::sim::api::Store;

/// What a Tab press does to the line.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Completion {
    /// The line after completing.
    pub line: String,
    /// Where the cursor goes (a byte offset into `line`).
    pub cursor: usize,
    /// Every candidate for the word at the cursor, sorted (none: nothing fits).
    pub candidates: Vec<String>,
}

/// The commands the terminal knows, for the first word.
pub const COMMANDS: &[&str] = &[
    "cat", "clear", "curl", "echo", "help", "jobs", "kill", "kubectl", "ls", "minikube", "mkdir",
    "nc", "nslookup", "ping", "sim", "telnet", "wget",
];

const SIM_SUBCOMMANDS: &[&str] = &[
    "advance", "bundles", "clock", "cluster", "clusters", "config", "dns", "node", "nodes", "pod",
    "seed", "trace",
];

const MINIKUBE_SUBCOMMANDS: &[&str] = &["ip", "kubectl", "service", "start", "status", "tunnel"];

const CREATE_SUBCOMMANDS: &[&str] = &[
    "clusterrole",
    "clusterrolebinding",
    "configmap",
    "cronjob",
    "deployment",
    "ingress",
    "job",
    "namespace",
    "quota",
    "role",
    "rolebinding",
    "secret",
    "service",
    "serviceaccount",
];

const ROLLOUT_SUBCOMMANDS: &[&str] = &["history", "pause", "restart", "resume", "status", "undo"];

const CONFIG_SUBCOMMANDS: &[&str] = &[
    "current-context",
    "get-contexts",
    "set-context",
    "use-context",
    "view",
];

/// The typed kinds: plural, singular and short names (the stored kinds come from the store).
const TYPED_KINDS: &[(&str, &str, &[&str])] = &[
    ("pods", "pod", &["po"]),
    ("nodes", "node", &["no"]),
    ("namespaces", "namespace", &["ns"]),
    ("events", "event", &["ev"]),
    ("deployments", "deployment", &["deploy"]),
    ("replicasets", "replicaset", &["rs"]),
    ("daemonsets", "daemonset", &["ds"]),
    ("statefulsets", "statefulset", &["sts"]),
    ("jobs", "job", &[]),
    ("cronjobs", "cronjob", &["cj"]),
    ("services", "service", &["svc"]),
    ("endpoints", "endpoints", &["ep"]),
    ("endpointslices", "endpointslice", &[]),
];

/// A flag: long name, short letter, whether it takes a value.
pub type FlagInfo = (&'static str, Option<char>, bool);

/// Flags each kubectl verb accepts (long name, short letter, takes a value), beyond the global
/// ones of `flags::GLOBAL`. A test runs every one of them against its verb, so this list cannot
/// offer a flag the verb refuses.
pub const VERB_FLAGS: &[(&str, &[FlagInfo])] = &[
    (
        "get",
        &[
            ("output", Some('o'), true),
            ("all-namespaces", Some('A'), false),
            ("selector", Some('l'), true),
            ("show-labels", None, false),
            ("watch", Some('w'), false),
            ("field-selector", None, true),
            ("no-headers", None, false),
            ("sort-by", None, true),
            ("filename", Some('f'), true),
            ("recursive", Some('R'), false),
        ],
    ),
    (
        "describe",
        &[
            ("selector", Some('l'), true),
            ("all-namespaces", Some('A'), false),
            ("show-events", None, false),
        ],
    ),
    (
        "delete",
        &[
            ("filename", Some('f'), true),
            ("recursive", Some('R'), false),
            ("selector", Some('l'), true),
            ("all", None, false),
            ("all-namespaces", Some('A'), false),
            ("grace-period", None, true),
            ("force", None, false),
            ("now", None, false),
            ("wait", None, true),
            ("cascade", None, true),
            ("ignore-not-found", None, false),
            ("timeout", None, true),
        ],
    ),
    (
        "apply",
        &[
            ("filename", Some('f'), true),
            ("recursive", Some('R'), false),
            ("dry-run", None, true),
            ("validate", None, true),
            ("output", Some('o'), true),
            ("save-config", None, false),
            ("server-side", None, false),
            ("force-conflicts", None, false),
            ("field-manager", None, true),
            ("prune", None, false),
            ("selector", Some('l'), true),
            ("wait", None, false),
            ("overwrite", None, false),
            ("record", None, false),
        ],
    ),
    (
        "create",
        &[
            ("filename", Some('f'), true),
            ("dry-run", None, true),
            ("output", Some('o'), true),
        ],
    ),
    (
        "run",
        &[
            ("image", None, true),
            ("labels", Some('l'), true),
            ("port", None, true),
            ("restart", None, true),
            ("env", None, true),
            ("command", None, false),
            ("dry-run", None, true),
            ("output", Some('o'), true),
            ("rm", None, false),
            ("stdin", Some('i'), false),
            ("tty", Some('t'), false),
            ("image-pull-policy", None, true),
        ],
    ),
    (
        "scale",
        &[
            ("replicas", None, true),
            ("current-replicas", None, true),
            ("timeout", None, true),
        ],
    ),
    (
        "rollout",
        &[
            ("to-revision", None, true),
            ("timeout", None, true),
            ("watch", Some('w'), true),
            ("revision", None, true),
        ],
    ),
    (
        "logs",
        &[
            ("container", Some('c'), true),
            ("previous", Some('p'), false),
            ("tail", None, true),
            ("follow", Some('f'), false),
            ("timestamps", None, false),
            ("all-containers", None, false),
            ("since", None, true),
            ("selector", Some('l'), true),
        ],
    ),
    (
        "exec",
        &[
            ("container", Some('c'), true),
            ("stdin", Some('i'), false),
            ("tty", Some('t'), false),
            ("quiet", Some('q'), false),
            ("filename", Some('f'), true),
            ("pod-running-timeout", None, true),
        ],
    ),
    (
        "cp",
        &[
            ("container", Some('c'), true),
            ("no-preserve", None, false),
            ("retries", None, true),
        ],
    ),
    (
        "label",
        &[
            ("overwrite", None, false),
            ("all", None, false),
            ("list", None, false),
            ("selector", Some('l'), true),
        ],
    ),
    (
        "annotate",
        &[
            ("overwrite", None, false),
            ("all", None, false),
            ("list", None, false),
            ("selector", Some('l'), true),
        ],
    ),
    (
        "patch",
        &[
            ("patch", Some('p'), true),
            ("type", None, true),
            ("patch-file", None, true),
            ("dry-run", None, true),
        ],
    ),
    (
        "taint",
        &[
            ("overwrite", None, false),
            ("all", None, false),
            ("selector", Some('l'), true),
            ("dry-run", None, true),
        ],
    ),
    (
        "cordon",
        &[("selector", Some('l'), true), ("dry-run", None, true)],
    ),
    (
        "uncordon",
        &[("selector", Some('l'), true), ("dry-run", None, true)],
    ),
    (
        "drain",
        &[
            ("ignore-daemonsets", None, false),
            ("delete-emptydir-data", None, false),
            ("force", None, false),
            ("grace-period", None, true),
            ("timeout", None, true),
            ("disable-eviction", None, false),
            ("pod-selector", None, true),
            ("selector", Some('l'), true),
        ],
    ),
    (
        "expose",
        &[
            ("port", None, true),
            ("target-port", None, true),
            ("name", None, true),
            ("type", None, true),
            ("protocol", None, true),
            ("external-ip", None, true),
            ("selector", None, true),
            ("labels", Some('l'), true),
            ("cluster-ip", None, true),
            ("session-affinity", None, true),
            ("dry-run", None, true),
            ("output", Some('o'), true),
        ],
    ),
    (
        "port-forward",
        &[("address", None, true), ("pod-running-timeout", None, true)],
    ),
    (
        "explain",
        &[
            ("recursive", None, false),
            ("api-version", None, true),
            ("output", None, true),
        ],
    ),
    (
        "wait",
        &[
            ("for", None, true),
            ("timeout", None, true),
            ("selector", Some('l'), true),
            ("all", None, false),
        ],
    ),
    (
        "auth",
        &[
            ("all-namespaces", Some('A'), false),
            ("list", None, false),
            ("quiet", Some('q'), false),
            ("subresource", None, true),
            ("no-headers", None, false),
        ],
    ),
    (
        "config",
        &[
            ("current", None, false),
            ("output", Some('o'), true),
            ("minify", None, false),
        ],
    ),
    ("set", &[("all", None, false)]),
];

/// Complete the word of `line` that ends at `cursor` (a byte offset; clamped to the line).
pub fn complete(s: &Session, line: &str, cursor: usize) -> Completion {
    let mut cursor = cursor.min(line.len());
    while !line.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let (before, after) = line.split_at(cursor);
    let (words, current, start) = split(before);
    let mut candidates = candidates(s, &words, &current);
    candidates.retain(|c| c.starts_with(current.as_str()));
    crate::sim::sort::natural(&mut candidates);
    candidates.dedup();
    let unchanged = Completion {
        line: line.to_string(),
        cursor,
        candidates: candidates.clone(),
    };
    let replacement = match candidates.as_slice() {
        [] => return unchanged,
        [one] => {
            let open = one.ends_with('/') || one.ends_with('=') || one.ends_with(':');
            if open {
                escape(one)
            } else {
                format!("{} ", escape(one))
            }
        }
        many => {
            let prefix = common_prefix(many);
            if prefix.len() <= current.len() {
                return unchanged;
            }
            escape(&prefix)
        }
    };
    // Keep one space between the completed word and what follows it.
    let after = if replacement.ends_with(' ') {
        after.strip_prefix(' ').unwrap_or(after)
    } else {
        after
    };
    let head = &before[..start];
    Completion {
        line: format!("{head}{replacement}{after}"),
        cursor: head.len() + replacement.len(),
        candidates,
    }
}

/// A word as the shell would read it back: spaces and quotes escaped.
fn escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(
            c,
            ' ' | '\t' | '\'' | '"' | '\\' | '$' | '`' | '&' | '|' | ';'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else {
        return String::new();
    };
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(end);
    }
    first[..end].to_string()
}

/// The finished words before the cursor (unquoted), the word being typed (unquoted), and the
/// byte offset where that word starts.
fn split(before: &str) -> (Vec<String>, String, usize) {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start = 0;
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in before.char_indices() {
        if escaped {
            word.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => escaped = true,
            (Some(_), c) => word.push(c),
            (None, ' ' | '\t' | '\n') => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                if !in_word {
                    in_word = true;
                    start = i;
                }
                match c {
                    '\'' | '"' => quote = Some(c),
                    '\\' => escaped = true,
                    c => word.push(c),
                }
            }
        }
    }
    if !in_word {
        start = before.len();
    }
    (words, word, start)
}

/// Every word that could stand where `current` is (filtered by prefix afterwards).
fn candidates(s: &Session, words: &[String], current: &str) -> Vec<String> {
    let Some(first) = words.first() else {
        return strings(COMMANDS);
    };
    let rest = &words[1..];
    match first.as_str() {
        "kubectl" | "k" => kubectl(s, rest, current),
        "minikube" if rest.first().map(String::as_str) == Some("kubectl") => {
            let args: Vec<String> = rest[1..].iter().filter(|w| *w != "--").cloned().collect();
            if rest.len() == 1 && current.is_empty() {
                return vec!["--".into()];
            }
            kubectl(s, &args, current)
        }
        "minikube" => minikube(s, rest),
        "sim" => sim(s, rest, current),
        "cat" | "ls" => files(s, current, false),
        "mkdir" => files(s, current, true),
        "kill" => s
            .port_forwards
            .iter()
            .filter(|f| f.running)
            .map(|f| format!("%{}", f.job))
            .collect(),
        _ => Vec::new(),
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The flags of a verb (its own, then kubectl's global ones).
fn flags_of(verb: &str) -> Vec<FlagInfo> {
    let own = VERB_FLAGS
        .iter()
        .find(|(v, _)| *v == verb)
        .map(|(_, f)| f.to_vec())
        .unwrap_or_default();
    own.into_iter()
        .chain(
            super::flags::GLOBAL
                .iter()
                .map(|g| (g.long, g.short, g.takes_value)),
        )
        .collect()
}

/// A kubectl line, read as kubectl's flag parser does: positionals, flag values.
struct Parsed {
    positional: Vec<String>,
    values: Vec<(&'static str, String)>,
}

impl Parsed {
    fn value(&self, long: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(l, _)| *l == long)
            .map(|(_, v)| v.as_str())
    }
}

/// Read `args` with the flags of `verb`; also returns the flag still waiting for its value
/// (the word before the cursor is `-n`).
fn parse(args: &[String], verb: &str) -> (Parsed, Option<&'static str>) {
    let specs = flags_of(verb);
    let mut p = Parsed {
        positional: Vec::new(),
        values: Vec::new(),
    };
    let mut pending = None;
    let mut dashes = false;
    for a in args {
        if let Some(long) = pending.take() {
            p.values.push((long, a.clone()));
            continue;
        }
        if dashes {
            p.positional.push(a.clone());
            continue;
        }
        if a == "--" {
            dashes = true;
        } else if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            if let Some(spec) = specs.iter().find(|f| f.0 == name) {
                match inline {
                    Some(v) => p.values.push((spec.0, v.to_string())),
                    None if spec.2 => pending = Some(spec.0),
                    None => p.values.push((spec.0, "true".into())),
                }
            }
        } else if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a[1..].chars().collect();
            for (j, c) in chars.iter().enumerate() {
                let Some(spec) = specs.iter().find(|f| f.1 == Some(*c)) else {
                    break;
                };
                if spec.2 {
                    let rest: String = chars[j + 1..].iter().collect();
                    if rest.is_empty() {
                        pending = Some(spec.0);
                    } else {
                        let v = rest.strip_prefix('=').unwrap_or(&rest).to_string();
                        p.values.push((spec.0, v));
                    }
                    break;
                }
                p.values.push((spec.0, "true".into()));
            }
        } else {
            p.positional.push(a.clone());
        }
    }
    (p, pending)
}

/// kubectl's words: `args` are the finished words after `kubectl`.
fn kubectl(s: &Session, args: &[String], current: &str) -> Vec<String> {
    // The verb is the first word that is neither a flag nor a global flag's value.
    let (global, _) = parse(args, "");
    let verb = global.positional.first().cloned().unwrap_or_default();
    let (p, pending) = parse(args, &verb);
    let cluster = p
        .value("context")
        .and_then(|c| s.world.cluster_index(c))
        .unwrap_or(s.world.current);
    let Some(c) = s.world.clusters.get(cluster) else {
        return Vec::new();
    };
    let store = &c.store;
    let namespace = p
        .value("namespace")
        .map(str::to_string)
        .unwrap_or_else(|| s.namespace_for(cluster));
    let ctx = Ctx {
        s,
        store,
        namespace: &namespace,
    };

    if let Some(long) = pending {
        return flag_values(&ctx, &verb, long, &p, "", current);
    }
    if let Some(body) = current.strip_prefix("--") {
        if let Some((name, typed)) = body.split_once('=') {
            let Some(spec) = flags_of(&verb).into_iter().find(|f| f.0 == name && f.2) else {
                return Vec::new();
            };
            return flag_values(&ctx, &verb, spec.0, &p, &format!("--{name}="), typed);
        }
    }
    if current.starts_with('-') && !(verb == "exec" && args.iter().any(|a| a == "--")) {
        let mut out: Vec<String> = flags_of(&verb)
            .iter()
            .map(|f| {
                if f.2 {
                    format!("--{}=", f.0)
                } else {
                    format!("--{}", f.0)
                }
            })
            .collect();
        // A long flag typed whole is complete: `--all-namespaces` then a space.
        if let Some(f) = flags_of(&verb)
            .iter()
            .find(|f| current == format!("--{}", f.0))
        {
            out = vec![if f.2 {
                format!("--{}", f.0)
            } else {
                current.to_string()
            }];
        }
        return out;
    }

    let pos = &p.positional;
    if pos.is_empty() {
        return strings(super::kubectl::SIMULATED);
    }
    let after_verb = &pos[1..];
    match verb.as_str() {
        "get" | "describe" | "delete" | "label" | "annotate" | "wait" | "edit" => {
            kind_then_names(&ctx, after_verb, current, None)
        }
        "explain" if after_verb.is_empty() => ctx.kinds(current),
        "logs" | "exec" | "port-forward" | "attach" => {
            if after_verb.is_empty() && !args.iter().any(|a| a == "--") {
                ctx.pod_or_type_name(current)
            } else {
                Vec::new()
            }
        }
        "cp" => {
            let mut out = files(s, current, false);
            if !current.contains('/') {
                out.extend(ctx.names("pods").into_iter().map(|n| format!("{n}:")));
            }
            out
        }
        "scale" => kind_then_names(
            &ctx,
            after_verb,
            current,
            Some(&["deployments", "replicasets", "statefulsets"]),
        ),
        "expose" => kind_then_names(
            &ctx,
            after_verb,
            current,
            Some(&["deployments", "pods", "replicasets", "services"]),
        ),
        "cordon" | "uncordon" | "drain" if after_verb.is_empty() => ctx.names("nodes"),
        "rollout" => match after_verb.split_first() {
            None => strings(ROLLOUT_SUBCOMMANDS),
            Some((_, rest)) => kind_then_names(
                &ctx,
                rest,
                current,
                Some(&["daemonsets", "deployments", "statefulsets"]),
            ),
        },
        "set" => match after_verb.split_first() {
            None => vec!["image".into()],
            Some((_, rest)) => kind_then_names(
                &ctx,
                rest,
                current,
                Some(&["daemonsets", "deployments", "pods", "statefulsets"]),
            ),
        },
        "create" => match after_verb {
            [] => strings(CREATE_SUBCOMMANDS),
            [sub] if sub == "service" || sub == "svc" => {
                strings(&["clusterip", "externalname", "loadbalancer", "nodeport"])
            }
            [sub] if sub == "secret" => strings(&["docker-registry", "generic", "tls"]),
            _ => Vec::new(),
        },
        "config" => match after_verb {
            [] => strings(CONFIG_SUBCOMMANDS),
            [sub] if sub == "use-context" || sub == "set-context" => contexts(s),
            _ => Vec::new(),
        },
        "auth" => match after_verb {
            [] => strings(&["can-i", "whoami"]),
            [sub] if sub == "can-i" => strings(&[
                "*",
                "create",
                "delete",
                "deletecollection",
                "get",
                "list",
                "patch",
                "update",
                "watch",
            ]),
            [sub, _] if sub == "can-i" => ctx.kinds(current),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// What a kubectl command reads: the cluster's store and the namespace in effect.
struct Ctx<'a> {
    s: &'a Session,
    store: &'a Store,
    namespace: &'a str,
}

impl Ctx<'_> {
    /// Kind words for `current`: every plural the cluster serves; a short or singular name
    /// typed whole (`po`, `svc`, `deploy`) stands as it is.
    fn kinds(&self, current: &str) -> Vec<String> {
        if !current.is_empty() && self.plural(current).is_some() {
            return vec![current.to_string()];
        }
        let mut out: Vec<String> = TYPED_KINDS.iter().map(|k| k.0.to_string()).collect();
        out.extend(self.store.kinds().all().into_iter().map(|k| k.plural));
        out
    }

    /// The plural a kind word names (`po` → `pods`, `Mapping.getambassador.io` → its resource).
    fn plural(&self, word: &str) -> Option<String> {
        let w = word.to_ascii_lowercase();
        let base = w.split('.').next().unwrap_or("");
        if let Some(k) = TYPED_KINDS
            .iter()
            .find(|k| k.0 == base || k.1 == base || k.2.contains(&base))
        {
            return Some(k.0.to_string());
        }
        self.store.kinds().by_word(word).map(|k| k.resource())
    }

    /// Names of the objects of a kind (by its plural or resource key), in the namespace.
    fn names(&self, plural: &str) -> Vec<String> {
        let st = self.store;
        let ns = Some(self.namespace);
        macro_rules! of {
            ($table:expr, $ns:expr) => {
                $table
                    .in_namespace($ns)
                    .map(|o| o.metadata.name.clone())
                    .collect()
            };
        }
        match plural {
            "pods" => of!(st.pods, ns),
            "nodes" => of!(st.nodes, None),
            "namespaces" => of!(st.namespaces, None),
            "deployments" => of!(st.deployments, ns),
            "replicasets" => of!(st.replicasets, ns),
            "daemonsets" => of!(st.daemonsets, ns),
            "statefulsets" => of!(st.statefulsets, ns),
            "jobs" => of!(st.jobs, ns),
            "cronjobs" => of!(st.cronjobs, ns),
            "services" => of!(st.services, ns),
            "endpoints" => of!(st.endpoints, ns),
            "endpointslices" => of!(st.endpointslices, ns),
            "events" => Vec::new(),
            resource => {
                let Some(info) = st.kinds().by_resource(resource) else {
                    return Vec::new();
                };
                let Some(table) = st.unstructured.get(&info.resource()) else {
                    return Vec::new();
                };
                of!(table, if info.namespaced { ns } else { None })
            }
        }
    }

    /// A pod's name, or `TYPE/NAME` once a `/` is typed (`deploy/web`).
    fn pod_or_type_name(&self, current: &str) -> Vec<String> {
        match current.split_once('/') {
            Some((kind, _)) => self.type_names(kind),
            None => self.names("pods"),
        }
    }

    /// `KIND/NAME` for every object of the kind the word names.
    fn type_names(&self, kind: &str) -> Vec<String> {
        match self.plural(kind) {
            Some(plural) => self
                .names(&plural)
                .into_iter()
                .map(|n| format!("{kind}/{n}"))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// `get KIND NAME…`, `get KIND/NAME…`: a kind first (limited to `only` when given), then
/// names of that kind.
fn kind_then_names(
    ctx: &Ctx,
    after: &[String],
    current: &str,
    only: Option<&[&str]>,
) -> Vec<String> {
    if let Some((kind, _)) = current.split_once('/') {
        return ctx.type_names(kind);
    }
    match after.first() {
        None => {
            let kinds = ctx.kinds(current);
            match only {
                Some(only) if !(kinds.len() == 1 && kinds[0] == current) => kinds
                    .into_iter()
                    .filter(|k| only.contains(&k.as_str()))
                    .collect(),
                _ => kinds,
            }
        }
        // `get pods,svc` or `get pod/a pod/b`: no names follow.
        Some(first) if first.contains(',') || first.contains('/') => Vec::new(),
        Some(first) => match ctx.plural(first) {
            Some(plural) => ctx.names(&plural),
            None => Vec::new(),
        },
    }
}

/// Values for a flag that takes one (`--namespace`, `-c`, `-f`, `-o` …), each prefixed with
/// `prefix` (`--namespace=` when typed inline); `typed` is the value typed so far.
fn flag_values(
    ctx: &Ctx,
    verb: &str,
    long: &str,
    p: &Parsed,
    prefix: &str,
    typed: &str,
) -> Vec<String> {
    let values: Vec<String> = match long {
        "namespace" => ctx.names("namespaces"),
        "context" | "cluster" => contexts(ctx.s),
        "container" => containers(ctx, p),
        "filename" => files(ctx.s, typed, false),
        "output" if verb == "explain" => strings(&["plaintext", "plaintext-openapiv2"]),
        "output" => strings(&["json", "name", "wide", "yaml"]),
        "dry-run" => strings(&["client", "none", "server"]),
        "cascade" => strings(&["background", "foreground", "orphan"]),
        "restart" => strings(&["Always", "Never", "OnFailure"]),
        "type" if verb == "expose" => {
            strings(&["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
        }
        "image-pull-policy" => strings(&["Always", "IfNotPresent", "Never"]),
        "for" => strings(&["condition=Available", "condition=Ready", "delete"]),
        _ => Vec::new(),
    };
    values.into_iter().map(|v| format!("{prefix}{v}")).collect()
}

/// The containers of the pod the line names (`exec POD -c`, `logs pod/NAME -c`).
fn containers(ctx: &Ctx, p: &Parsed) -> Vec<String> {
    let Some(target) = p.positional.get(1) else {
        return Vec::new();
    };
    let name = match target.split_once('/') {
        Some((kind, name)) if ctx.plural(kind).as_deref() == Some("pods") => name,
        Some(_) => return Vec::new(),
        None => target.as_str(),
    };
    match ctx.store.pods.get(ctx.namespace, name) {
        Some(pod) => pod
            .spec
            .init_containers
            .iter()
            .chain(pod.spec.containers.iter())
            .map(|c| c.name.clone())
            .collect(),
        None => Vec::new(),
    }
}

fn contexts(s: &Session) -> Vec<String> {
    s.world.clusters.iter().map(|c| c.name.clone()).collect()
}

/// The learner's files and directories in the directory `current` points into; directories
/// end with `/`. `dirs_only` for `mkdir`.
fn files(s: &Session, current: &str, dirs_only: bool) -> Vec<String> {
    let (dir, shown) = match current.rfind('/') {
        Some(i) => (&current[..i.max(1)], &current[..=i]),
        None => (".", ""),
    };
    local_files::children(s, dir)
        .into_iter()
        .filter(|(_, k)| !dirs_only || *k == FileKind::Dir)
        .map(|(name, k)| match k {
            FileKind::Dir => format!("{shown}{name}/"),
            _ => format!("{shown}{name}"),
        })
        .collect()
}

fn minikube(s: &Session, rest: &[String]) -> Vec<String> {
    match rest {
        [] => strings(MINIKUBE_SUBCOMMANDS),
        [sub] if sub == "service" => {
            let ns = s.namespace_for(s.world.current);
            s.world
                .cluster()
                .store
                .services
                .in_namespace(Some(&ns))
                .map(|svc| svc.metadata.name.clone())
                .collect()
        }
        _ => Vec::new(),
    }
}

fn sim(s: &Session, rest: &[String], current: &str) -> Vec<String> {
    let store = &s.world.cluster().store;
    match rest {
        [] => strings(SIM_SUBCOMMANDS),
        [sub] if sub == "advance" => strings(&["10s", "1m", "30s", "5m"]),
        [sub] if sub == "node" => strings(&["start", "stop"]),
        [sub] if sub == "pod" => vec!["crash".into()],
        [sub] if sub == "cluster" => vec!["create".into()],
        [sub] if sub == "dns" => strings(&["add", "delete", "list"]),
        [sub, action] if sub == "node" && (action == "stop" || action == "start") => store
            .nodes
            .values()
            .map(|n| n.metadata.name.clone())
            .collect(),
        [sub, action, ..] if sub == "pod" && action == "crash" => {
            if current.starts_with('-') {
                return strings(&["--container=", "--namespace="]);
            }
            let ns = s.namespace_for(s.world.current);
            store
                .pods
                .in_namespace(Some(&ns))
                .map(|p| p.metadata.name.clone())
                .collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        let mut s = Session::new(1);
        for line in [
            "kubectl create deployment web --image=nginx:1.25 --replicas=2",
            "kubectl create namespace shop",
            "kubectl run cart --image=nginx:1.25 -n shop",
            "kubectl create service clusterip web --tcp=80:80",
            "sim advance 30s",
        ] {
            assert!(s.run(line, None).ok, "{line}");
        }
        s
    }

    /// Tab at the end of `line`.
    fn tab(s: &Session, line: &str) -> Completion {
        complete(s, line, line.len())
    }

    #[test]
    fn commands_and_verbs() {
        let s = Session::new(1);
        assert_eq!(tab(&s, "kub").line, "kubectl ");
        let c = tab(&s, "m");
        assert_eq!(c.line, "m");
        assert_eq!(c.candidates, ["minikube", "mkdir"]);
        assert_eq!(tab(&s, "kubectl ge").line, "kubectl get ");
        let c = tab(&s, "kubectl c");
        assert_eq!(c.candidates, ["config", "cordon", "cp", "create"]);
        // Not simulated verbs are not offered.
        assert!(!tab(&s, "kubectl ").candidates.contains(&"edit".to_string()));
        assert_eq!(tab(&s, "sim adv").line, "sim advance ");
        assert_eq!(tab(&s, "minikube tu").line, "minikube tunnel ");
        assert_eq!(tab(&s, "nsl").line, "nslookup ");
        // Global flags before the verb do not hide it.
        assert_eq!(
            tab(&s, "kubectl -n kube-system ge").line,
            "kubectl -n kube-system get "
        );
    }

    #[test]
    fn subcommands() {
        let s = Session::new(1);
        assert_eq!(
            tab(&s, "kubectl rollout st").line,
            "kubectl rollout status "
        );
        assert_eq!(
            tab(&s, "kubectl create dep").line,
            "kubectl create deployment "
        );
        assert_eq!(
            tab(&s, "kubectl config use").line,
            "kubectl config use-context "
        );
        assert_eq!(tab(&s, "kubectl auth can").line, "kubectl auth can-i ");
        assert_eq!(
            tab(&s, "kubectl create secret g").line,
            "kubectl create secret generic "
        );
        assert_eq!(
            tab(&s, "kubectl create service n").line,
            "kubectl create service nodeport "
        );
        assert_eq!(
            tab(&s, "kubectl auth can-i cr").line,
            "kubectl auth can-i create "
        );
        assert_eq!(
            tab(&s, "kubectl auth can-i create deploy").line,
            "kubectl auth can-i create deploy "
        );
    }

    #[test]
    fn flags_per_verb() {
        let s = Session::new(1);
        assert_eq!(
            tab(&s, "kubectl get pods --all").line,
            "kubectl get pods --all-namespaces "
        );
        // A flag with a value ends in `=`, without a space.
        assert_eq!(
            tab(&s, "kubectl get pods --sho").line,
            "kubectl get pods --show-labels "
        );
        assert_eq!(
            tab(&s, "kubectl get pods --field").line,
            "kubectl get pods --field-selector="
        );
        assert_eq!(
            tab(&s, "kubectl logs --prev").line,
            "kubectl logs --previous "
        );
        // Flags are the verb's: `get` has no --previous.
        assert!(tab(&s, "kubectl get --prev").candidates.is_empty());
        // Global flags everywhere.
        assert!(tab(&s, "kubectl describe --")
            .candidates
            .contains(&"--namespace=".into()));
        assert_eq!(
            tab(&s, "kubectl get pods -o ya").line,
            "kubectl get pods -o yaml "
        );
        assert_eq!(
            tab(&s, "kubectl get pods --output=w").line,
            "kubectl get pods --output=wide "
        );
        assert_eq!(
            tab(&s, "kubectl delete deploy x --cascade=o").line,
            "kubectl delete deploy x --cascade=orphan "
        );
    }

    #[test]
    fn kinds_and_short_names() {
        let mut s = Session::new(1);
        let c = tab(&s, "kubectl get po");
        assert_eq!(c.line, "kubectl get po ", "a short name typed whole stands");
        assert_eq!(tab(&s, "kubectl get deploy").line, "kubectl get deploy ");
        assert_eq!(tab(&s, "kubectl get svc").line, "kubectl get svc ");
        assert_eq!(
            tab(&s, "kubectl get statef").line,
            "kubectl get statefulsets "
        );
        assert_eq!(
            tab(&s, "kubectl get configm").line,
            "kubectl get configmaps "
        );
        let c = tab(&s, "kubectl get pe");
        assert!(c.candidates.contains(&"persistentvolumeclaims".to_string()));
        assert_eq!(c.line, "kubectl get persistentvolume");
        // scale offers only what scales.
        assert_eq!(
            tab(&s, "kubectl scale d").line,
            "kubectl scale deployments "
        );
        // A custom kind from a CRD.
        let crd = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names:
    kind: Widget
    plural: widgets
    singular: widget
    shortNames: [wd]
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
";
        assert!(s.run("kubectl apply -f -", Some(crd)).ok);
        let w = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gizmo\n";
        let out = s.run("kubectl apply -f -", Some(w));
        assert!(out.ok, "{}", out.text);
        assert_eq!(tab(&s, "kubectl get widg").line, "kubectl get widgets ");
        assert_eq!(tab(&s, "kubectl get wd").line, "kubectl get wd ");
        assert_eq!(tab(&s, "kubectl get wd g").line, "kubectl get wd gizmo ");
        assert_eq!(
            tab(&s, "kubectl describe widget/").line,
            "kubectl describe widget/gizmo "
        );
    }

    #[test]
    fn object_names_in_the_namespace() {
        let s = session();
        let c = tab(&s, "kubectl get pods ");
        assert_eq!(c.candidates.len(), 2, "{:?}", c.candidates);
        assert!(c.candidates.iter().all(|n| n.starts_with("web-")));
        assert!(
            c.line.starts_with("kubectl get pods web-"),
            "the common prefix: {}",
            c.line
        );
        assert!(!c.line.ends_with(' '));
        assert_eq!(
            tab(&s, "kubectl get deploy w").line,
            "kubectl get deploy web "
        );
        assert_eq!(
            tab(&s, "kubectl describe svc w").line,
            "kubectl describe svc web "
        );
        // -n (before or after) picks the namespace.
        assert_eq!(
            tab(&s, "kubectl get pods -n shop ").line,
            "kubectl get pods -n shop cart "
        );
        assert_eq!(
            tab(&s, "kubectl -n shop get po c").line,
            "kubectl -n shop get po cart "
        );
        assert_eq!(
            tab(&s, "kubectl get po --namespace=shop ").line,
            "kubectl get po --namespace=shop cart "
        );
        assert!(tab(&s, "kubectl get pods c").candidates.is_empty());
        // TYPE/NAME.
        assert_eq!(
            tab(&s, "kubectl describe deploy/").line,
            "kubectl describe deploy/web "
        );
        assert_eq!(
            tab(&s, "kubectl logs deployment/w").line,
            "kubectl logs deployment/web "
        );
        assert_eq!(
            tab(&s, "kubectl rollout status deployment/").line,
            "kubectl rollout status deployment/web "
        );
        assert_eq!(
            tab(&s, "kubectl rollout restart deploy w").line,
            "kubectl rollout restart deploy web "
        );
        assert_eq!(
            tab(&s, "kubectl exec -n shop ").line,
            "kubectl exec -n shop cart "
        );
        // Nodes, cluster-scoped.
        let nodes = tab(&s, "kubectl cordon ").candidates;
        assert_eq!(nodes.len(), 5, "{nodes:?}");
        assert_eq!(tab(&s, "sim node stop ").candidates, nodes);
        assert!(tab(&s, "kubectl get nodes ").candidates == nodes);
        // The cursor in the middle of the line completes the word before it.
        let line = "kubectl get deploy w -o wide";
        let c = complete(&s, line, "kubectl get deploy w".len());
        assert_eq!(c.line, "kubectl get deploy web -o wide");
        assert_eq!(c.cursor, "kubectl get deploy web ".len());
    }

    #[test]
    fn namespaces_contexts_containers_files() {
        let mut s = session();
        assert_eq!(
            tab(&s, "kubectl get pods -n sh").line,
            "kubectl get pods -n shop "
        );
        assert_eq!(
            tab(&s, "kubectl get pods --namespace=kube-s").line,
            "kubectl get pods --namespace=kube-system "
        );
        let ns = tab(&s, "kubectl get pods -n ").candidates;
        assert_eq!(
            ns,
            [
                "default",
                "kube-node-lease",
                "kube-public",
                "kube-system",
                "shop"
            ]
        );
        assert_eq!(
            tab(&s, "kubectl get pods --context ").line,
            "kubectl get pods --context demo "
        );
        assert_eq!(
            tab(&s, "kubectl config use-context ").line,
            "kubectl config use-context demo "
        );
        assert!(s.run("sim cluster create east --workers 1", None).ok);
        assert_eq!(
            tab(&s, "kubectl config use-context ").candidates,
            ["demo", "east"]
        );
        assert_eq!(
            tab(&s, "kubectl config use-context e").line,
            "kubectl config use-context east "
        );
        // --context picks the cluster whose objects are named.
        assert!(tab(&s, "kubectl --context east get deploy ")
            .candidates
            .is_empty());
        assert_eq!(
            tab(&s, "kubectl --context demo get deploy ").candidates,
            ["web"]
        );

        let sidecar = "apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  containers:
  - name: app
    image: nginx:1.25
  - name: logger
    image: busybox:1.36
    command: [sleep, '3600']
";
        assert!(s.run("kubectl apply -f -", Some(sidecar)).ok);
        assert_eq!(
            tab(&s, "kubectl exec duo -c ").candidates,
            ["app", "logger"]
        );
        assert_eq!(
            tab(&s, "kubectl logs duo -c l").line,
            "kubectl logs duo -c logger "
        );
        assert_eq!(
            tab(&s, "kubectl logs pod/duo --container=a").line,
            "kubectl logs pod/duo --container=app "
        );

        assert!(s.run("mkdir manifests", None).ok);
        assert!(
            s.run("cat > manifests/web.yaml <<EOF", Some("kind: Pod\n"))
                .ok
        );
        assert!(s.run("cat > notes.txt <<EOF", Some("hi\n")).ok);
        assert_eq!(
            tab(&s, "kubectl apply -f m").line,
            "kubectl apply -f manifests/"
        );
        assert_eq!(
            tab(&s, "kubectl apply -f manifests/").line,
            "kubectl apply -f manifests/web.yaml "
        );
        assert_eq!(
            tab(&s, "kubectl apply --filename=n").line,
            "kubectl apply --filename=notes.txt "
        );
        assert_eq!(tab(&s, "cat n").line, "cat notes.txt ");
        assert_eq!(tab(&s, "ls ").candidates, ["manifests/", "notes.txt"]);
    }

    #[test]
    fn nothing_to_offer_leaves_the_line() {
        let s = session();
        for line in [
            "",
            "kubectl get pods zzz",
            "echo ",
            "kubectl frob ",
            "kubectl get pods,svc ",
            "\"",
            "kubectl 'get",
            "kubectl get po \\",
        ] {
            let c = tab(&s, line);
            if c.candidates.is_empty() {
                assert_eq!(c.line, line);
            }
        }
        // Odd cursors and non-ASCII text are clamped, never a panic.
        let c = complete(&s, "kubectl get é", 13);
        assert_eq!(c.line, "kubectl get é");
        let _ = complete(&s, "kubectl", 999);
    }

    /// Every flag offered is one its verb accepts: kubectl answers without "unknown flag".
    #[test]
    fn offered_flags_are_accepted() {
        let mut s = session();
        for (verb, flags) in VERB_FLAGS {
            let head = match *verb {
                "rollout" => "rollout status deploy/web",
                "auth" => "auth can-i get pods",
                "config" => "config view",
                "set" => "set image deploy/web nginx=nginx:1.25",
                "create" => "create",
                "scale" => "scale deploy/web",
                v => v,
            };
            for (long, short, takes) in *flags {
                let value = if *takes { " 1" } else { "" };
                for form in [
                    Some(format!("--{long}{value}")),
                    short.map(|c| format!("-{c}{value}")),
                ]
                .into_iter()
                .flatten()
                {
                    let line = format!("kubectl {head} {form}");
                    let out = s.run(&line, None);
                    assert!(
                        !out.text.contains("unknown flag")
                            && !out.text.contains("unknown shorthand"),
                        "{line}: {}",
                        out.text
                    );
                }
            }
        }
    }
}
