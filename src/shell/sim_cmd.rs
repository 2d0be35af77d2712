//! `sim`: commands that act on the simulated world itself: the clock, the seed, clusters,
//! powering nodes off and on, and the control plane's teaching knobs.

use super::format::table;
use super::{Output, Session};
use crate::sim::clock::{human_duration, parse_duration};
use crate::sim::cluster::Profile;
use crate::sim::World;

const USAGE: &str = "sim: expected a subcommand:
  sim advance DURATION                     move the virtual clock (30s, 5m, 1h30m; at most 7d)
  sim clock                                print the virtual time
  sim node stop|start NAME                 power a node off or on
  sim nodes                                list nodes and whether they are powered on
  sim pod crash NAME [-c CONTAINER] [-n NS] make a running container exit with code 1
  sim trace                                the path of the last request (curl, wget, nslookup, ...)
  sim dns add NAME A IP | list | delete NAME  the public DNS zone (like Route53)
  sim bundles                              install manifests kept offline for kubectl apply -f URL
  sim cluster create NAME [--masters N] [--workers N] [--profile minikube]
  sim clusters                             list clusters, their masters and etcd quorum
  sim config [KEY VALUE]                   node-monitor-grace-period, default-unreachable-toleration-seconds
  sim seed N                               a fresh world from seed N";

pub fn run(s: &mut Session, args: &[String]) -> Output {
    let sub = args.first().map(String::as_str).unwrap_or("");
    let result = match sub {
        "advance" => advance(s, args),
        "clock" | "time" => Ok(clock_text(s.world.now)),
        "seed" => match args.get(1).map(|n| n.parse::<u64>()) {
            Some(Ok(n)) => {
                s.world = World::new(n);
                s.namespaces.clear();
                Ok(format!("new world with seed {n}"))
            }
            _ => Err("sim seed: expected a whole number, e.g. sim seed 42".to_string()),
        },
        "clusters" => Ok(clusters(s)),
        "cluster" => cluster(s, &args[1..]),
        "node" => node(s, &args[1..]),
        "nodes" => Ok(nodes(s)),
        "pod" => pod(s, &args[1..]),
        "trace" => Ok(trace(s)),
        "dns" => super::sim_dns::run(s, &args[1..]),
        "bundles" => Ok(crate::sim::bundles::BUNDLES
            .iter()
            .map(|(url, _)| format!("kubectl apply -f {url}"))
            .collect::<Vec<_>>()
            .join("\n")),
        "config" => config(s, &args[1..]),
        "" | "help" => Err(USAGE.to_string()),
        other => Err(format!("sim: unknown subcommand \"{other}\"\n{USAGE}")),
    };
    match result {
        Ok(text) => Output::ok(text),
        Err(text) => Output::err(text),
    }
}

fn advance(s: &mut Session, args: &[String]) -> Result<String, String> {
    let d = args
        .get(1)
        .ok_or("sim advance: which duration? e.g. sim advance 30s")?;
    let ms = parse_duration(d).map_err(|e| format!("sim advance: {e}"))?;
    s.world.advance(ms);
    Ok(format!(
        "clock advanced {}; now {}",
        human_duration(ms),
        clock_text(s.world.now)
    ))
}

fn clusters(s: &Session) -> String {
    let mut rows = vec![[
        "CURRENT",
        "NAME",
        "PROFILE",
        "NODES",
        "MASTERS UP",
        "ETCD",
        "PODS",
    ]
    .map(String::from)
    .to_vec()];
    for (i, c) in s.world.clusters.iter().enumerate() {
        let (up, all, needed) = c.etcd_members();
        rows.push(vec![
            if i == s.world.current {
                "*".into()
            } else {
                String::new()
            },
            c.name.clone(),
            match c.profile {
                Profile::Kubeadm => "kubeadm".into(),
                Profile::Minikube => "minikube".into(),
            },
            c.store.nodes.len().to_string(),
            format!("{up}/{all}"),
            if up >= needed {
                format!("quorum: {up} up, {needed} needed")
            } else {
                format!("NO QUORUM: {up} up, {needed} needed")
            },
            c.store.pods.len().to_string(),
        ]);
    }
    table(&rows).trim_end().to_string()
}

fn nodes(s: &Session) -> String {
    let c = s.world.cluster();
    let mut rows = vec![["NAME", "POWER", "ROLE", "PODS"].map(String::from).to_vec()];
    for n in c.store.nodes.values() {
        let name = &n.metadata.name;
        let master = n
            .metadata
            .labels
            .contains_key("node-role.kubernetes.io/control-plane");
        rows.push(vec![
            name.clone(),
            if c.stopped.contains(name) {
                "off".into()
            } else {
                "on".into()
            },
            if master {
                "control-plane".into()
            } else {
                "worker".into()
            },
            c.store
                .pods
                .values()
                .filter(|p| &p.spec.node_name == name)
                .count()
                .to_string(),
        ]);
    }
    table(&rows).trim_end().to_string()
}

fn node(s: &mut Session, args: &[String]) -> Result<String, String> {
    let (Some(action), Some(name)) = (args.first(), args.get(1)) else {
        return Err("sim node: expected `sim node stop NAME` or `sim node start NAME`".into());
    };
    let now = s.world.now;
    let c = s.world.cluster_mut();
    let grace = c.store.config.node_monitor_grace_ms;
    let master = c.masters().contains(name);
    match action.as_str() {
        "stop" => {
            c.stop_node(name, now)?;
            let (up, all, needed) = c.etcd_members();
            let mut msg = format!(
                "node {name} powered off; its kubelet stops posting status (NotReady after {})",
                human_duration(grace)
            );
            if master {
                msg.push_str(&format!(
                    "\netcd: {up} of {all} members up, {needed} needed for quorum{}",
                    if up >= needed {
                        ""
                    } else {
                        ": the API server can no longer read or write"
                    }
                ));
            }
            s.world.settle();
            Ok(msg)
        }
        "start" => {
            c.start_node(name, now)?;
            s.world.settle();
            Ok(format!("node {name} powered on"))
        }
        other => Err(format!(
            "sim node: unknown action \"{other}\" (stop, start)"
        )),
    }
}

/// `sim trace`: each hop of the last request, with the rule that decided it.
fn trace(s: &Session) -> String {
    if s.last_trace.is_empty() {
        return "sim trace: no request yet (try kubectl exec POD -- curl -s http://SERVICE/)"
            .into();
    }
    let width = s
        .last_trace
        .iter()
        .map(|h| h.at.chars().count())
        .max()
        .unwrap_or(0);
    s.last_trace
        .iter()
        .enumerate()
        .map(|(i, h)| format!("{:>2}. {:<width$}  {}", i + 1, h.at, h.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `sim pod crash NAME`: the container's process dies (exit code 1); its restartPolicy decides
/// what happens next, as after a real crash.
fn pod(s: &mut Session, args: &[String]) -> Result<String, String> {
    const USE: &str = "sim pod: expected `sim pod crash NAME [-c CONTAINER] [-n NAMESPACE]`";
    if args.first().map(String::as_str) != Some("crash") {
        return Err(USE.into());
    }
    let mut name = None;
    let mut container = None;
    let mut namespace = None;
    let mut it = args[1..].iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-c" | "--container" => container = Some(it.next().ok_or(USE)?.clone()),
            "-n" | "--namespace" => namespace = Some(it.next().ok_or(USE)?.clone()),
            _ if a.starts_with("--container=") => {
                container = Some(a["--container=".len()..].to_string())
            }
            _ if a.starts_with("--namespace=") => {
                namespace = Some(a["--namespace=".len()..].to_string())
            }
            _ if a.starts_with('-') => {
                return Err(format!("sim pod crash: unknown flag {a}\n{USE}"))
            }
            _ if name.is_none() => name = Some(a.clone()),
            _ => return Err(USE.into()),
        }
    }
    let name = name.ok_or(USE)?;
    let ns = namespace.unwrap_or_else(|| s.namespace_for(s.world.current));
    let now = s.world.now;
    let c = s.world.cluster_mut();
    let text = c
        .kubelets
        .crash(&mut c.store, &ns, &name, container.as_deref(), now)?;
    s.world.settle();
    Ok(text)
}

fn cluster(s: &mut Session, args: &[String]) -> Result<String, String> {
    if args.first().map(String::as_str) != Some("create") {
        return Err("sim cluster: expected `sim cluster create NAME [--masters N] [--workers N] [--profile minikube]`".into());
    }
    let name = args
        .get(1)
        .filter(|n| !n.starts_with('-'))
        .ok_or("sim cluster create: which name?")?
        .clone();
    if !crate::sim::api::admission::is_dns1123_label(&name) {
        return Err(format!("sim cluster create: \"{name}\" is not a valid name (lowercase letters, digits and '-')"));
    }
    if s.world.cluster_index(&name).is_some() {
        return Err(format!(
            "sim cluster create: a cluster named \"{name}\" already exists"
        ));
    }
    if s.world.clusters.len() >= 8 {
        return Err("sim cluster create: at most 8 clusters in one world".into());
    }
    let mut masters = 1usize;
    let mut workers = 2usize;
    let mut profile = Profile::Kubeadm;
    let mut i = 2;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (args[i].clone(), None),
        };
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or(format!("sim cluster create: {flag} needs a value"))?
            }
        };
        let number = |v: &str, max: usize| -> Result<usize, String> {
            v.parse::<usize>().ok().filter(|n| *n <= max).ok_or(format!(
                "sim cluster create: {flag} takes a number from 0 to {max}"
            ))
        };
        match flag.as_str() {
            "--masters" => masters = number(&value, 7)?.max(1),
            "--workers" => workers = number(&value, 50)?,
            "--profile" => {
                profile = match value.as_str() {
                    "minikube" => Profile::Minikube,
                    "kubeadm" => Profile::Kubeadm,
                    other => {
                        return Err(format!(
                            "sim cluster create: unknown profile \"{other}\" (kubeadm, minikube)"
                        ))
                    }
                }
            }
            other => return Err(format!("sim cluster create: unknown flag {other}")),
        }
        i += 1;
    }
    s.world.add_cluster(&name, profile, masters, workers);
    let c = s
        .world
        .clusters
        .last()
        .map(|c| c.store.nodes.len())
        .unwrap_or(0);
    Ok(format!(
        "cluster {name} created with {c} node(s); use it with: kubectl config use-context {name}"
    ))
}

fn config(s: &mut Session, args: &[String]) -> Result<String, String> {
    let c = s.world.cluster_mut();
    match (args.first().map(String::as_str), args.get(1)) {
        (None, _) => Ok(format!(
            "node-monitor-grace-period: {}\ndefault-unreachable-toleration-seconds: {}",
            human_duration(c.store.config.node_monitor_grace_ms),
            c.store.config.default_toleration_seconds
        )),
        (Some("node-monitor-grace-period"), Some(v)) => {
            let ms = parse_duration(v).map_err(|e| format!("sim config: {e}"))?;
            c.store.config.node_monitor_grace_ms = ms.max(1000);
            Ok(format!("node-monitor-grace-period set to {}", human_duration(ms.max(1000))))
        }
        (Some("default-unreachable-toleration-seconds"), Some(v)) => {
            let n: i64 = v
                .parse()
                .ok()
                .filter(|n| (0..=86_400).contains(n))
                .ok_or("sim config: default-unreachable-toleration-seconds takes seconds from 0 to 86400")?;
            c.store.config.default_toleration_seconds = n;
            Ok(format!(
                "default-unreachable-toleration-seconds set to {n} (pods created from now on)"
            ))
        }
        (Some(k), _) => Err(format!(
            "sim config: unknown setting or missing value \"{k}\" (node-monitor-grace-period, default-unreachable-toleration-seconds)"
        )),
    }
}

/// The virtual clock as `HH:MM:SS` since the world began.
pub fn clock_text(now: u64) -> String {
    let s = now / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}
