//! The benchmark pages' addresses: `#/bench?nodes=N&deployments=D&replicas=R` (also `seed`,
//! `ticks`, `max-virtual` in seconds, as `pocket-cluster bench` takes them) and
//! `#/bench/traffic?requests=N` (and `seed`): which benchmark, and its options.

use super::{traffic, Options};

/// Pods the page agrees to build (the size is 100,000), and nodes.
const MAX_PODS: usize = 1_000_000;
const MAX_NODES: usize = 100_000;

/// `#/bench`, `#/bench/traffic`, or either with `?…` (with or without the `#`).
pub fn is_route(hash: &str) -> bool {
    matches!(route_path(hash), "/bench" | "/bench/traffic")
}

pub fn route_path(hash: &str) -> &str {
    let path = hash.trim_start_matches('#');
    path.split('?').next().unwrap_or_default()
}

/// Requests the traffic page agrees to send from each place.
const MAX_REQUESTS: usize = 10_000_000;

/// The traffic benchmark's options a route asks for, and what was wrong with it. Without
/// parameters the page sends 20,000 requests from each place (a second or two).
pub fn traffic_options_from(hash: &str) -> (traffic::Options, Vec<String>) {
    let mut opts = traffic::Options {
        requests: 20_000,
        ..traffic::Options::default()
    };
    let mut errors = Vec::new();
    let query = hash.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        const KEYS: [&str; 2] = ["requests", "seed"];
        if !KEYS.contains(&key) {
            errors.push(format!("unknown parameter {key:?} ({})", KEYS.join(", ")));
            continue;
        }
        let Ok(n) = value.parse::<u64>() else {
            errors.push(format!("{key}: {value:?} is not a whole number"));
            continue;
        };
        match key {
            "requests" => opts.requests = usize::try_from(n).unwrap_or(usize::MAX),
            _ => opts.seed = n,
        }
    }
    if opts.requests > MAX_REQUESTS {
        errors.push(format!("requests: at most {MAX_REQUESTS}"));
    }
    (opts, errors)
}

/// The options a route asks for, and what was wrong with it. Without parameters the page runs
/// 1,000 nodes × 100 Deployments × 10 replicas, a size that finishes in well under a minute.
pub fn options_from(hash: &str) -> (Options, Vec<String>) {
    let mut opts = Options {
        nodes: 1000,
        deployments: 100,
        replicas: 10,
        ..Options::default()
    };
    let mut errors = Vec::new();
    let query = hash.split_once('?').map(|(_, q)| q).unwrap_or_default();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        const KEYS: [&str; 6] = [
            "nodes",
            "deployments",
            "replicas",
            "seed",
            "ticks",
            "max-virtual",
        ];
        if !KEYS.contains(&key) {
            errors.push(format!("unknown parameter {key:?} ({})", KEYS.join(", ")));
            continue;
        }
        let Ok(n) = value.parse::<u64>() else {
            errors.push(format!("{key}: {value:?} is not a whole number"));
            continue;
        };
        let n_usize = usize::try_from(n).unwrap_or(usize::MAX);
        match key {
            "nodes" => opts.nodes = n_usize,
            "deployments" => opts.deployments = n_usize,
            "replicas" => opts.replicas = n_usize,
            "seed" => opts.seed = n,
            "ticks" => opts.ticks = n_usize,
            _ => opts.max_virtual_ms = n.saturating_mul(1000),
        }
    }
    if opts.nodes > MAX_NODES {
        errors.push(format!("nodes: at most {MAX_NODES}"));
    }
    match opts.deployments.checked_mul(opts.replicas) {
        Some(p) if p <= MAX_PODS => {}
        _ => errors.push(format!("deployments × replicas: at most {MAX_PODS} pods")),
    }
    (opts, errors)
}

/// Run the benchmark a route names on `host`: the report's text, whether it converged (or the
/// traffic's path held), each progress line, and the traffic benchmark's first traces.
pub fn run(hash: &str, host: &dyn super::Host) -> Done {
    if route_path(hash) == "/bench/traffic" {
        let (opts, errors) = traffic_options_from(hash);
        if !errors.is_empty() {
            return Done {
                report: errors.join("; "),
                ok: false,
                progress: Vec::new(),
                traces: String::new(),
            };
        }
        return match traffic::run(&opts, host) {
            Ok(r) => Done {
                report: r.text(),
                ok: true,
                progress: Vec::new(),
                traces: format!(
                    "from the laptop:\n{}\nfrom the pod:\n{}",
                    r.laptop.trace_text(),
                    r.pod.trace_text()
                ),
            },
            Err(e) => Done {
                report: format!("the gateway's path is broken: {e}"),
                ok: false,
                progress: Vec::new(),
                traces: String::new(),
            },
        };
    }
    let (opts, errors) = options_from(hash);
    if !errors.is_empty() {
        return Done {
            report: errors.join("; "),
            ok: false,
            progress: Vec::new(),
            traces: String::new(),
        };
    }
    let mut progress = Vec::new();
    let report = super::run_with_progress(&opts, host, &mut |p| progress.push(p.line()));
    Done {
        report: report.text(),
        ok: report.converged,
        progress,
        traces: String::new(),
    }
}

/// A benchmark's outcome, for the page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Done {
    pub report: String,
    /// Converged (the engine benchmark), or every request answered as expected (traffic).
    pub ok: bool,
    pub progress: Vec<String>,
    pub traces: String,
}
