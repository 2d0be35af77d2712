//! `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE ...`: a laptop port that streams into one
//! pod through the API server and the pod's kubelet, past Services and kube-proxy. As kubectl
//! does, a Service, Deployment, ReplicaSet or StatefulSet picks one running pod when the
//! command starts, and a Service port is turned into that pod's target port. Real kubectl
//! blocks until Ctrl-C; here it keeps running as a background job (`jobs`, `kill %N`).

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;

/// One running (or ended) `kubectl port-forward`.
#[derive(Debug, Clone, PartialEq)]
pub struct PortForward {
    pub job: usize,
    /// The command line as typed (for `jobs`).
    pub line: String,
    pub cluster: usize,
    pub namespace: String,
    pub pod: String,
    pub pod_uid: String,
    /// (local, remote) pairs.
    pub ports: Vec<(u16, u16)>,
    pub running: bool,
}

fn parse_port(text: &str, which: &str) -> Result<u16, String> {
    text.parse::<u16>().map_err(|_| {
        format!("error: Error parsing {which} port '{text}': strconv.ParseUint: parsing \"{text}\": invalid syntax")
    })
}

pub(super) fn port_forward(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("address", None, true),
            flag("pod-running-timeout", None, true),
        ],
    )?;
    let [target, specs @ ..] = p.positional.as_slice() else {
        return Err(
            "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples".into(),
        );
    };
    if specs.is_empty() {
        return Err(
            "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples".into(),
        );
    }
    if let Some(a) = p.value("address") {
        for one in a.split(',') {
            if !["localhost", "127.0.0.1", "0.0.0.0", "::1"].contains(&one.trim()) {
                return Err(format!(
                    "error: {one} is not an address of the laptop (localhost, 127.0.0.1, 0.0.0.0)"
                ));
            }
        }
    }
    let cluster = super::target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = super::namespace_of(s, &p, cluster);
    let (kind_word, name) = match target.split_once('/') {
        Some((k, n)) => (k.to_string(), n.to_string()),
        None => ("pod".to_string(), target.clone()),
    };
    let store = &s.world.clusters[cluster].store;
    let not_found = |res: &str| format!("Error from server (NotFound): {res} \"{name}\" not found");
    // The pod, and for a Service the Service (its ports map to the pod's target ports).
    let (selector, service): (Option<LabelSelector>, Option<Service>) = match resource_kind(
        &kind_word,
    ) {
        Some(Kind::Pods) => (None, None),
        Some(Kind::Services) => {
            let svc = store
                .services
                .get(&ns, &name)
                .ok_or_else(|| not_found("services"))?;
            let selector = svc.spec.selector.clone().unwrap_or_default();
            if selector.is_empty() {
                return Err(format!(
                        "error: cannot attach to *v1.Service: invalid service '{name}': Service is defined without a selector"
                    ));
            }
            (
                Some(LabelSelector {
                    match_labels: selector,
                    ..Default::default()
                }),
                Some(svc.clone()),
            )
        }
        Some(Kind::Deployments) => (
            store
                .deployments
                .get(&ns, &name)
                .ok_or_else(|| not_found("deployments.apps"))?
                .spec
                .selector
                .clone(),
            None,
        ),
        Some(Kind::ReplicaSets) => (
            store
                .replicasets
                .get(&ns, &name)
                .ok_or_else(|| not_found("replicasets.apps"))?
                .spec
                .selector
                .clone(),
            None,
        ),
        Some(Kind::StatefulSets) => (
            store
                .statefulsets
                .get(&ns, &name)
                .ok_or_else(|| not_found("statefulsets.apps"))?
                .spec
                .selector
                .clone(),
            None,
        ),
        _ => {
            return Err(format!(
                "error: cannot attach to {kind_word}: selector for {kind_word} not implemented"
            ))
        }
    };
    let pod = match &selector {
        None => store
            .pods
            .get(&ns, &name)
            .cloned()
            .ok_or_else(|| not_found("pods"))?,
        Some(sel) => {
            // kubectl picks the best of the selected pods: running and ready first, then
            // the oldest.
            let mut pods: Vec<&Pod> = store
                .pods
                .in_namespace(Some(&ns))
                .filter(|p| sel.matches(&p.metadata.labels))
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .collect();
            crate::sim::sort::by_key(&mut pods, |p| {
                (
                    p.status.phase != "Running",
                    !p.status
                        .conditions
                        .iter()
                        .any(|c| c.type_ == "Ready" && c.status == "True"),
                    p.metadata.creation_timestamp.clone(),
                    p.metadata.name.clone(),
                )
            });
            match pods.first() {
                Some(p) => (*p).clone(),
                None => return Err(
                    "error: timed out waiting for the condition (no pod is selected to forward to)"
                        .into(),
                ),
            }
        }
    };
    if pod.status.phase != "Running" {
        return Err(format!(
            "error: unable to forward port because pod is not running. Current status={}",
            if pod.status.phase.is_empty() {
                "Pending"
            } else {
                &pod.status.phase
            }
        ));
    }
    // Each spec: `8080:80`, `8080` (same on both sides), `:80` (a random local port).
    let mut ports: Vec<(u16, u16)> = Vec::new();
    for spec in specs {
        let (local, remote) = match spec.split_once(':') {
            Some((l, r)) => (l.to_string(), r.to_string()),
            None => (spec.clone(), spec.clone()),
        };
        // A Service port (number or name) becomes the pod's target port.
        let remote_port: u16 = match &service {
            Some(svc) => {
                let sp = svc
                    .spec
                    .ports
                    .iter()
                    .find(|sp| {
                        sp.port.to_string() == remote || (!sp.name.is_empty() && sp.name == remote)
                    })
                    .ok_or_else(|| {
                        format!(
                            "error: Service {} does not have a service port {remote}",
                            svc.metadata.name
                        )
                    })?;
                match &sp.target_port {
                    None => sp.port as u16,
                    Some(IntOrString::Int(n)) => *n as u16,
                    Some(IntOrString::Str(port_name)) => pod
                        .spec
                        .containers
                        .iter()
                        .flat_map(|c| &c.ports)
                        .find(|cp| &cp.name == port_name)
                        .map(|cp| cp.container_port as u16)
                        .ok_or_else(|| {
                            format!(
                                "error: Pod '{}' does not have a named port '{port_name}'",
                                pod.metadata.name
                            )
                        })?,
                }
            }
            None => match remote.parse::<u16>() {
                Ok(n) => n,
                Err(_) => pod
                    .spec
                    .containers
                    .iter()
                    .flat_map(|c| &c.ports)
                    .find(|cp| cp.name == remote)
                    .map(|cp| cp.container_port as u16)
                    .ok_or_else(|| {
                        format!(
                            "error: Pod '{}' does not have a named port '{remote}'",
                            pod.metadata.name
                        )
                    })?,
            },
        };
        if remote_port == 0 {
            return Err(format!(
                "error: Error parsing remote port '{remote}': the port must be between 1 and 65535"
            ));
        }
        let local_port = if local.is_empty() {
            // An ephemeral port, from the world's seeded randomness.
            32_768 + s.world.rng.below(28_232) as u16
        } else if !spec.contains(':') && remote.parse::<u16>().is_err() {
            // A named port alone listens locally on the number it names.
            remote_port
        } else {
            parse_port(&local, "local")?
        };
        ports.push((local_port, remote_port));
    }
    // A local port another forward holds cannot be listened on again.
    for (l, r) in &ports {
        let busy = s
            .port_forwards
            .iter()
            .any(|f| f.running && f.ports.iter().any(|(fl, _)| fl == l));
        if busy {
            return Err(format!(
                "Unable to listen on port {l}: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:{l}: bind: address already in use unable to create listener: Error listen tcp6 [::1]:{l}: bind: address already in use]\nerror: unable to listen on any of the requested ports: [{{{l} {r}}}]"
            ));
        }
    }
    let job = s
        .port_forwards
        .iter()
        .filter(|f| f.running)
        .map(|f| f.job)
        .max()
        .unwrap_or(0)
        + 1;
    let mut out = Vec::new();
    for (l, r) in &ports {
        out.push(format!("Forwarding from 127.0.0.1:{l} -> {r}"));
        out.push(format!("Forwarding from [::1]:{l} -> {r}"));
    }
    let line = format!("kubectl port-forward {}", args.join(" "));
    s.port_forwards.push(PortForward {
        job,
        line,
        cluster,
        namespace: ns,
        pod: pod.metadata.name.clone(),
        pod_uid: pod.metadata.uid.clone(),
        ports,
        running: true,
    });
    out.push(format!(
        "[{job}] running in the background (real kubectl keeps the terminal until Ctrl-C): try curl http://localhost:{}/ ; jobs lists it, kill %{job} stops it",
        s.port_forwards.last().map(|f| f.ports[0].0).unwrap_or(0)
    ));
    Ok(Output::ok(out.join("\n")))
}
