//! `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t] -- COMMAND [args...]`: run a
//! command in a running container, over that container's own files (`sim::fs`), with the small
//! shell of `sim::sh`. The virtual clock does not move.
//!
//! The checks and their texts follow kubectl 1.31 and the API server: kubectl refuses the old
//! `exec POD COMMAND` form and completed pods; the API server refuses an unknown container
//! (BadRequest) and an unscheduled pod; the kubelet answers `container not found` for a
//! container that is not running; the runtime refuses a program that is not in the image.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::container_shell::ContainerShell;
use crate::sim::kubelet::RunState;
use crate::sim::rootfs::Family;
use crate::sim::sh::Sh;

pub(super) fn exec(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("container", Some('c'), true),
            flag("stdin", Some('i'), false),
            flag("tty", Some('t'), false),
            flag("quiet", Some('q'), false),
            flag("filename", Some('f'), true),
            flag("pod-running-timeout", None, true),
        ],
    )?;
    // cobra's ArgsLenAtDash: how many positional arguments stood before `--`.
    let (resource, command) = match &p.after_dashes {
        Some(after) => {
            if p.positional.len() > 1 {
                return Err(OLD_FORM.into());
            }
            (p.positional.first().cloned(), after.clone())
        }
        None => {
            if p.positional.len() > 1 {
                return Err(OLD_FORM.into());
            }
            (p.positional.first().cloned(), Vec::new())
        }
    };
    if p.value("filename").is_some() {
        return Err(
            "error: Pocket Cluster does not simulate \"kubectl exec -f\" yet (name the pod)".into(),
        );
    }
    let Some(resource) = resource else {
        return Err("error: pod, type/name or --filename must be specified".into());
    };
    if command.is_empty() {
        return Err("error: you must specify at least one command for the container".into());
    }
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let now = s.world.now;
    let c = &s.world.clusters[cluster];
    let pod_name = pick_pod(c, &ns, &resource)?;
    let pod =
        c.store.pods.get(&ns, &pod_name).ok_or_else(|| {
            format!("Error from server (NotFound): pods \"{pod_name}\" not found")
        })?;
    if pod.status.phase == "Succeeded" || pod.status.phase == "Failed" {
        return Err(format!(
            "error: cannot exec into a container in a completed pod; current phase is {}",
            pod.status.phase
        ));
    }
    let mut notes = Vec::new();
    let all_names = || {
        pod.spec
            .containers
            .iter()
            .map(|x| x.name.clone())
            .chain(
                pod.spec
                    .init_containers
                    .iter()
                    .map(|x| format!("{} (init)", x.name)),
            )
            .collect::<Vec<_>>()
            .join(", ")
    };
    let container = match p.value("container") {
        // kubectl 1.31 sends the name as given; the API server checks it.
        Some(name) => pod
            .spec
            .containers
            .iter()
            .chain(pod.spec.init_containers.iter())
            .find(|x| x.name == name)
            .ok_or_else(|| {
                format!("Error from server (BadRequest): container {name} is not valid for pod {pod_name}")
            })?,
        None => {
            let annotated = pod
                .metadata
                .annotations
                .get("kubectl.kubernetes.io/default-container");
            match annotated {
                Some(name) => pod
                    .spec
                    .containers
                    .iter()
                    .find(|x| &x.name == name)
                    .ok_or_else(|| {
                        format!(
                            "error: container {name} is not valid for pod {pod_name} out of: {}",
                            all_names()
                        )
                    })?,
                None => {
                    let first = pod.spec.containers.first().ok_or_else(|| {
                        format!("error: pod {ns}/{pod_name} does not have any containers")
                    })?;
                    if (pod.spec.containers.len() > 1 || !pod.spec.init_containers.is_empty())
                        && !p.bool("quiet")
                    {
                        notes.push(format!(
                            "Defaulted container \"{}\" out of: {}",
                            first.name,
                            all_names()
                        ));
                    }
                    first
                }
            }
        }
    };
    // kubectl prints its notes (stderr) before it asks for the exec, so they precede errors.
    let fail = |e: String| -> String {
        if notes.is_empty() {
            e
        } else {
            format!("{}\n{e}", notes.join("\n"))
        }
    };
    if pod.spec.node_name.is_empty() {
        return Err(fail(format!(
            "Error from server (BadRequest): pod {pod_name} does not have a host assigned"
        )));
    }
    let node_ip = c
        .store
        .nodes
        .get("", &pod.spec.node_name)
        .map(crate::sim::kubelet::node_ip)
        .unwrap_or_default();
    if c.stopped.contains(&pod.spec.node_name) {
        // The API server cannot reach a powered-off node's kubelet (wording UNVERIFIED).
        return Err(fail(format!(
            "error: Internal error occurred: unable to upgrade connection: error dialing backend: dial tcp {node_ip}:10250: connect: no route to host"
        )));
    }
    let not_found = || {
        format!(
            "error: unable to upgrade connection: container not found (\"{}\")",
            container.name
        )
    };
    let rt = c
        .kubelets
        .pods
        .get(&(ns.clone(), pod_name.clone()))
        .and_then(|r| r.containers.iter().find(|x| x.name == container.name))
        .ok_or_else(|| fail(not_found()))?;
    if !matches!(
        rt.state,
        RunState::Running { .. } | RunState::Stopping { .. }
    ) || rt.container_id.is_empty()
    {
        return Err(fail(not_found()));
    }
    let container_id = rt.container_id.clone();
    let container_name = container.name.clone();
    let ContainerShell {
        facts: sh_facts,
        env,
        cwd,
        lower,
        family,
    } = ContainerShell::of(
        c,
        pod,
        container,
        rt,
        now,
        command.join(" "),
        p.bool("tty") && p.bool("stdin"),
    );
    let interactive = p.bool("stdin");
    let tty = p.bool("tty") && interactive;
    let input = if interactive {
        stdin.map(String::from)
    } else {
        None
    };
    if tty && input.is_some() {
        notes
            .push("Unable to use a TTY - input is not a terminal or the right kind of file".into());
    }
    let is_shell = matches!(
        crate::sim::fs::base_name(&command[0]),
        "sh" | "bash" | "ash" | "dash"
    );
    if tty && input.is_none() && is_shell && command.len() == 1 && family != Family::NoShell {
        return Err(format!(
            "error: Pocket Cluster does not simulate interactive shells yet; run one command at a time, e.g. kubectl exec {pod_name} -- sh -c 'ls /; cat /etc/hostname'"
        ));
    }
    let pod = pod.clone();
    // The network as this pod sees it: a snapshot of the cluster, taken before the container's
    // files are borrowed (the programs run while they are).
    let view = s.net_cache.get(&s.world);
    let world = &mut s.world;
    let mut net = crate::sim::net::PodNetwork::new(&view, cluster, &mut world.rng, &ns, &pod_name);
    let c = &mut world.clusters[cluster];
    c.kubelets.storage.prune(&c.store);
    let mut fs = c
        .kubelets
        .container_fs(&lower, &pod, &container_name, &container_id, now);
    let shell = Sh::new(&mut fs, &sh_facts, &env, &cwd, input).with_network(&mut net);
    if shell.which(&command[0]).is_none() {
        // The runtime finds no such program: the exec never starts.
        let what = if command[0].contains('/') {
            format!("stat {}: no such file or directory", command[0])
        } else {
            "executable file not found in $PATH".into()
        };
        let mut text = notes.join("\n");
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!(
            "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"{}\": {what}: unknown",
            exec_id(&container_id, &command, now),
            command[0]
        ));
        return Ok(Output::err(text));
    }
    let outcome = shell.exec(&command);
    drop(fs);
    let trace = crate::sim::network::Network::last_trace(&net);
    let requests = crate::sim::network::Network::take_requests(&mut net);
    drop(net);
    s.metrics.record(&s.world, &requests);
    if !trace.is_empty() {
        s.last_trace = trace;
    }
    let mut text = notes.join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(outcome.output.strip_suffix('\n').unwrap_or(&outcome.output));
    if outcome.code != 0 {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!(
            "command terminated with exit code {}",
            outcome.code
        ));
        return Ok(Output::err(text));
    }
    Ok(Output::ok(text))
}

const OLD_FORM: &str = "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples";

/// The pod a `POD` or `TYPE/NAME` argument names. For a workload, kubectl takes the most active
/// of its pods (kubectl's `GetFirstPod` with `sort.Reverse(ActivePods)`): scheduled before
/// unscheduled, Running before Pending, ready before not, ready longest, fewest restarts, oldest.
fn pick_pod(c: &crate::sim::cluster::Cluster, ns: &str, arg: &str) -> Result<String, String> {
    let Some((k, n)) = arg.split_once('/') else {
        return Ok(arg.to_string());
    };
    let kind = resource_kind(k)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{k}\""))?;
    let pods: Vec<&Pod> = match kind {
        Kind::Pods => return Ok(n.to_string()),
        Kind::Deployments => {
            let d = c.store.deployments.get(ns, n).ok_or_else(|| {
                format!("Error from server (NotFound): deployments.apps \"{n}\" not found")
            })?;
            let sel = d.spec.selector.clone().unwrap_or_default();
            c.store
                .pods
                .in_namespace(Some(ns))
                .filter(|x| sel.matches(&x.metadata.labels))
                .collect()
        }
        Kind::ReplicaSets | Kind::StatefulSets | Kind::DaemonSets | Kind::Jobs => {
            let (uid, plural) = match kind {
                Kind::ReplicaSets => (
                    c.store
                        .replicasets
                        .get(ns, n)
                        .map(|o| o.metadata.uid.clone()),
                    "replicasets.apps",
                ),
                Kind::StatefulSets => (
                    c.store
                        .statefulsets
                        .get(ns, n)
                        .map(|o| o.metadata.uid.clone()),
                    "statefulsets.apps",
                ),
                Kind::DaemonSets => (
                    c.store
                        .daemonsets
                        .get(ns, n)
                        .map(|o| o.metadata.uid.clone()),
                    "daemonsets.apps",
                ),
                _ => (
                    c.store.jobs.get(ns, n).map(|o| o.metadata.uid.clone()),
                    "jobs.batch",
                ),
            };
            let uid = uid.ok_or_else(|| {
                format!("Error from server (NotFound): {plural} \"{n}\" not found")
            })?;
            c.store
                .pods
                .in_namespace(Some(ns))
                .filter(|x| {
                    crate::sim::controllers::controller_uid(&x.metadata) == Some(uid.as_str())
                })
                .collect()
        }
        _ => {
            return Err(format!(
                "error: cannot attach to {k}: selector for {k} not implemented"
            ))
        }
    };
    let rank = |p: &Pod| {
        let phase = match &*p.status.phase {
            "Running" => 0,
            "Unknown" => 1,
            _ => 2,
        };
        let ready = p
            .status
            .conditions
            .iter()
            .find(|c| c.type_ == "Ready" && c.status == "True");
        let restarts: i64 = p
            .status
            .container_statuses
            .iter()
            .map(|c| c.restart_count)
            .sum();
        (
            p.spec.node_name.is_empty(),
            phase,
            ready.is_none(),
            ready
                .and_then(|c| c.last_transition_time.as_ref())
                .map(|t| t.as_str().into_owned())
                .unwrap_or_else(|| "~".into()),
            restarts,
            p.metadata.creation_timestamp.clone(),
            p.metadata.name.clone(),
        )
    };
    pods.into_iter()
        .min_by_key(|p| rank(p))
        .map(|p| p.metadata.name.clone())
        .ok_or_else(|| format!("error: timed out waiting for the condition on {k}/{n}"))
}

/// A containerd exec ID: 64 hex digits, derived (not random) so replays print the same.
fn exec_id(container_id: &str, command: &[String], now: u64) -> String {
    let mut out = String::new();
    for round in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in container_id
            .bytes()
            .chain(command.join(" ").bytes())
            .chain(now.to_le_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}
