//! `minikube`: the local single-node cluster the Kubernetes 101 seed uses. `start` makes (or
//! switches to) a cluster named after the profile, `service` prints the URLs a NodePort or
//! LoadBalancer Service is reachable at from the laptop, `tunnel` gives LoadBalancer Services an
//! external IP (their cluster IP, reachable through the tunnel), `ip` and `status` answer as
//! minikube does. `minikube kubectl -- …` is handled by the shell (it is kubectl).

use super::{Output, Session};
use crate::sim::cluster::Profile;

const PROFILE: &str = "minikube";

fn profile_of(args: &[String]) -> String {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "-p" || a == "--profile" {
            if let Some(p) = it.next() {
                return p.clone();
            }
        } else if let Some(p) = a.strip_prefix("--profile=") {
            return p.to_string();
        }
    }
    PROFILE.to_string()
}

fn cluster_of(s: &Session, profile: &str) -> Result<usize, String> {
    match s.world.cluster_index(profile) {
        Some(i) if s.world.clusters[i].profile == Profile::Minikube => Ok(i),
        _ => Err(format!(
            "🤷  Profile \"{profile}\" not found. Run \"minikube profile list\" to view all profiles.\n👉  To start a cluster, run: \"minikube start -p {profile}\""
        )),
    }
}

pub fn run(s: &mut Session, args: &[String]) -> Output {
    let sub = args.first().map(String::as_str).unwrap_or("");
    let profile = profile_of(args);
    let result = match sub {
        "start" => start(s, &profile),
        "ip" => cluster_of(s, &profile).map(|i| node_ip(s, i)),
        "status" => cluster_of(s, &profile).map(|_| {
            format!("{profile}\ntype: Control Plane\nhost: Running\nkubelet: Running\napiserver: Running\nkubeconfig: Configured\n")
        }),
        "service" => service(s, &profile, &args[1..]),
        "tunnel" => tunnel(s, &profile),
        "" | "help" | "--help" | "-h" => Err("minikube provisions and manages local Kubernetes clusters optimized for development workflows.\n\nIn Pocket Cluster: minikube start | status | ip | service NAME [--url] [-n NAMESPACE] | tunnel | kubectl -- ARGS".into()),
        other => Err(format!(
            "Error: unknown command \"{other}\" for \"minikube\"\nRun 'minikube --help' for usage."
        )),
    };
    match result {
        Ok(t) => Output::ok(t),
        Err(t) => Output::err(t),
    }
}

fn node_ip(s: &Session, cluster: usize) -> String {
    s.world.clusters[cluster]
        .store
        .nodes
        .values()
        .next()
        .map(crate::sim::kubelet::node_ip)
        .unwrap_or_default()
}

fn start(s: &mut Session, profile: &str) -> Result<String, String> {
    let existing = s.world.cluster_index(profile);
    let index = match existing {
        Some(i) if s.world.clusters[i].profile == Profile::Minikube => i,
        Some(_) => {
            return Err(format!(
                "❌  Exiting due to GUEST_PROFILE: a cluster named \"{profile}\" exists and is not a minikube cluster"
            ))
        }
        None => s.world.add_cluster(profile, Profile::Minikube, 1, 0),
    };
    // A freshly made cluster needs a moment for its system pods, as `minikube start` waits.
    if existing.is_none() {
        s.world.advance(60_000);
    }
    s.world.current = index;
    let mut out = String::new();
    if existing.is_some() {
        out.push_str(&format!(
            "😄  [{profile}] minikube v1.34.0 on Debian 12 (amd64)\n✨  Using the docker driver based on existing profile\n👍  Starting \"{profile}\" primary control-plane node in \"{profile}\" cluster\n🏃  Updating the running docker \"{profile}\" container ...\n"
        ));
    } else {
        out.push_str(&format!(
            "😄  [{profile}] minikube v1.34.0 on Debian 12 (amd64)\n✨  Automatically selected the docker driver\n👍  Starting \"{profile}\" primary control-plane node in \"{profile}\" cluster\n🔥  Creating docker container (CPUs=2, Memory=8192MB) ...\n🐳  Preparing Kubernetes v1.31.0 on Docker 27.2.0 ...\n🔗  Configuring bridge CNI (Container Networking Interface) ...\n🔎  Verifying Kubernetes components...\n🌟  Enabled addons: storage-provisioner, default-storageclass\n"
        ));
    }
    out.push_str(&format!(
        "🏄  Done! kubectl is now configured to use \"{profile}\" cluster and \"default\" namespace by default"
    ));
    Ok(out)
}

/// `minikube service NAME [--url] [-n NAMESPACE]`.
fn service(s: &mut Session, profile: &str, args: &[String]) -> Result<String, String> {
    let mut name = None;
    let mut url_only = false;
    let mut namespace = "default".to_string();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--url" => url_only = true,
            "-n" | "--namespace" => namespace = it.next().cloned().unwrap_or_default(),
            "-p" | "--profile" => {
                it.next();
            }
            _ if a.starts_with("--namespace=") => namespace = a["--namespace=".len()..].into(),
            _ if a.starts_with("--profile=") => {}
            _ if a.starts_with('-') => {
                return Err(format!(
                    "Error: unknown flag: {a}\nSee 'minikube service --help' for usage."
                ))
            }
            _ if name.is_none() => name = Some(a.clone()),
            _ => {}
        }
    }
    let Some(name) = name else {
        return Err(
            "❌  Exiting due to MK_USAGE: You must specify service name(s) or --all".into(),
        );
    };
    let cluster = cluster_of(s, profile)?;
    let ip = node_ip(s, cluster);
    let store = &s.world.clusters[cluster].store;
    let Some(svc) = store.services.get(&namespace, &name) else {
        return Err(format!(
            "❌  Exiting due to SVC_NOT_FOUND: Service '{name}' was not found in '{namespace}' namespace.\nYou may select another namespace by using 'minikube service {name} -n <namespace>'. Or list out all the services using 'minikube service list'"
        ));
    };
    let ports: Vec<(String, i64, i64)> = svc
        .spec
        .ports
        .iter()
        .filter_map(|p| {
            p.node_port.map(|np| {
                (
                    if p.name.is_empty() {
                        "".to_string()
                    } else {
                        p.name.clone()
                    },
                    p.port,
                    np,
                )
            })
        })
        .collect();
    if ports.is_empty() {
        return Err(format!(
            "😿  service {namespace}/{name} has no node port\n❗  Services [{namespace}/{name}] have type \"ClusterIP\" not meant to be exposed, however for local development minikube allows you to access this !"
        ));
    }
    let urls: Vec<String> = ports
        .iter()
        .map(|(_, _, np)| format!("http://{ip}:{np}"))
        .collect();
    if url_only {
        return Ok(urls.join("\n"));
    }
    // minikube's table, column widths fitted to the contents.
    let rows: Vec<[String; 4]> = ports
        .iter()
        .zip(&urls)
        .enumerate()
        .map(|(i, ((pname, port, _), url))| {
            let target = if pname.is_empty() {
                port.to_string()
            } else {
                format!("{pname}/{port}")
            };
            if i == 0 {
                [namespace.clone(), name.clone(), target, url.clone()]
            } else {
                [String::new(), String::new(), target, url.clone()]
            }
        })
        .collect();
    let headers = ["NAMESPACE", "NAME", "TARGET PORT", "URL"];
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([headers[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let rule = format!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    );
    let line = |cells: &[String]| {
        format!(
            "|{}|",
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!(" {c:<w$} "))
                .collect::<Vec<_>>()
                .join("|")
        )
    };
    let centred: Vec<String> = headers
        .iter()
        .zip(&widths)
        .map(|(h, w)| format!("{h:^w$}"))
        .collect();
    let mut out = vec![rule.clone(), line(&centred), rule.clone()];
    out.extend(rows.iter().map(|r| line(r)));
    out.push(rule);
    out.push(format!(
        "🎉  Opening service {namespace}/{name} in default browser...\n(Pocket Cluster has no browser to open: curl the URL from this terminal, which is your laptop.)"
    ));
    Ok(out.join("\n"))
}

/// `minikube tunnel`: LoadBalancer Services get their cluster IP as external IP, routed from
/// the laptop through the tunnel. A real tunnel keeps running in its own terminal; here it stays
/// up until the cluster is gone.
fn tunnel(s: &mut Session, profile: &str) -> Result<String, String> {
    let cluster = cluster_of(s, profile)?;
    let ip = node_ip(s, cluster);
    let c = &mut s.world.clusters[cluster];
    c.store.config.tunnel = true;
    let names: Vec<String> = c
        .store
        .services
        .values()
        .filter(|svc| svc.type_name() == "LoadBalancer")
        .map(|svc| {
            c.store
                .watch
                .endpoints
                .add(&svc.metadata.namespace, &svc.metadata.name);
            svc.metadata.name.clone()
        })
        .collect();
    s.world.settle();
    Ok(format!(
        "Status:\n\tmachine: {profile}\n\tpid: 25727\n\troute: 10.96.0.0/12 -> {ip}\n\tminikube: Running\n\tservices: [{}]\n    errors: \n\t\tminikube: no errors\n\t\trouter: no errors\n\t\tloadbalancer emulator: no errors\n(In Pocket Cluster the tunnel runs in the background from now on.)",
        names.join(", ")
    ))
}
