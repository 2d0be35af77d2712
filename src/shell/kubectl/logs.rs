//! `kubectl logs POD [-c CONTAINER] [--previous] [--tail N]`: what the container wrote, derived
//! from its image and command over the time it ran.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::images;
use crate::sim::kubelet::RunState;

pub(super) fn logs(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("container", Some('c'), true),
            flag("previous", Some('p'), false),
            flag("tail", None, true),
            flag("follow", Some('f'), false),
            flag("timestamps", None, false),
            flag("all-containers", None, false),
            flag("since", None, true),
            flag("selector", Some('l'), true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let first = p
        .positional
        .first()
        .ok_or("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples")?;
    let c = &s.world.clusters[cluster];
    let mut notes = Vec::new();
    // TYPE/NAME: a workload picks its first pod, as kubectl does.
    let pod_name = match first.split_once('/') {
        Some((k, n)) if resource_kind(k) == Some(Kind::Pods) => n.to_string(),
        Some((k, n)) => {
            let kind = resource_kind(k)
                .ok_or_else(|| format!("error: the server doesn't have a resource type \"{k}\""))?;
            let owner_uid = match kind {
                Kind::Deployments => {
                    let d = c.store.deployments.get(&ns, n).ok_or_else(|| {
                        format!("Error from server (NotFound): deployments.apps \"{n}\" not found")
                    })?;
                    let sel = d.spec.selector.clone().unwrap_or_default();
                    let pods: Vec<&Pod> = c
                        .store
                        .pods
                        .in_namespace(Some(&ns))
                        .filter(|x| sel.matches(&x.metadata.labels))
                        .collect();
                    let Some(first) = pods.first() else {
                        return Err(format!(
                            "error: timed out waiting for the condition on deployments/{n}"
                        ));
                    };
                    if pods.len() > 1 {
                        notes.push(format!(
                            "Found {} pods, using pod/{}",
                            pods.len(),
                            first.metadata.name
                        ));
                    }
                    first.metadata.name.clone()
                }
                Kind::ReplicaSets | Kind::StatefulSets | Kind::DaemonSets | Kind::Jobs => {
                    let uid = match kind {
                        Kind::ReplicaSets => c
                            .store
                            .replicasets
                            .get(&ns, n)
                            .map(|o| o.metadata.uid.clone()),
                        Kind::StatefulSets => c
                            .store
                            .statefulsets
                            .get(&ns, n)
                            .map(|o| o.metadata.uid.clone()),
                        Kind::DaemonSets => c
                            .store
                            .daemonsets
                            .get(&ns, n)
                            .map(|o| o.metadata.uid.clone()),
                        _ => c.store.jobs.get(&ns, n).map(|o| o.metadata.uid.clone()),
                    }
                    .ok_or_else(|| {
                        format!("Error from server (NotFound): {k} \"{n}\" not found")
                    })?;
                    let pods: Vec<&Pod> = c
                        .store
                        .pods
                        .in_namespace(Some(&ns))
                        .filter(|x| {
                            crate::sim::controllers::controller_uid(&x.metadata)
                                == Some(uid.as_str())
                        })
                        .collect();
                    let Some(first) = pods.first() else {
                        return Err(format!(
                            "error: timed out waiting for the condition on {k}/{n}"
                        ));
                    };
                    if pods.len() > 1 {
                        notes.push(format!(
                            "Found {} pods, using pod/{}",
                            pods.len(),
                            first.metadata.name
                        ));
                    }
                    first.metadata.name.clone()
                }
                _ => {
                    return Err(format!(
                        "error: cannot get the logs from {k}: selector for {k} not implemented"
                    ))
                }
            };
            owner_uid
        }
        None => first.clone(),
    };
    let pod =
        c.store.pods.get(&ns, &pod_name).ok_or_else(|| {
            format!("Error from server (NotFound): pods \"{pod_name}\" not found")
        })?;
    // kubectl lists init containers after the others, marked `(init)`.
    let names: Vec<String> = pod
        .spec
        .containers
        .iter()
        .map(|x| x.name.clone())
        .chain(
            pod.spec
                .init_containers
                .iter()
                .map(|x| format!("{} (init)", x.name)),
        )
        .collect();
    let container = match p.value("container") {
        Some(name) => pod
            .spec
            .containers
            .iter()
            .chain(pod.spec.init_containers.iter())
            .find(|x| x.name == name)
            .ok_or_else(|| format!("error: container {name} is not valid for pod {pod_name}"))?,
        None => {
            if names.len() > 1 {
                notes.push(format!(
                    "Defaulted container \"{}\" out of: {}",
                    names[0],
                    names.join(", ")
                ));
            }
            pod.spec
                .containers
                .first()
                .ok_or("error: the pod has no containers")?
        }
    };
    let rt = c
        .kubelets
        .pods
        .get(&(ns.clone(), pod_name.clone()))
        .and_then(|r| r.containers.iter().find(|x| x.name == container.name));
    let mut command = container.command.clone();
    command.extend(container.args.iter().cloned());
    let env: Vec<(String, String)> = container
        .env
        .iter()
        .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect();
    let now = s.world.now;
    let waiting = |reason: &str| {
        format!("Error from server (BadRequest): container \"{}\" in pod \"{pod_name}\" is waiting to start: {reason}", container.name)
    };
    let lines = if p.bool("previous") {
        match rt.and_then(|r| r.last_exit.as_deref().cloned()).or_else(|| match rt.map(|r| &r.state) {
            Some(RunState::Exited { code, reason, started, finished, .. }) => Some((*code, reason.clone(), *started, *finished)),
            _ => None,
        }) {
            Some((_, _, started, finished)) => images::logs(&container.image, &command, &env, started, finished),
            None => {
                return Err(format!(
                    "Error from server (BadRequest): previous terminated container \"{}\" in pod \"{pod_name}\" not found",
                    container.name
                ))
            }
        }
    } else {
        match rt.map(|r| &r.state) {
            None | Some(RunState::Pulling { .. }) => return Err(waiting("ContainerCreating")),
            Some(RunState::ErrImagePull { .. }) | Some(RunState::PullBackOff { .. }) => {
                return Err(waiting("image can't be pulled"))
            }
            Some(RunState::Running { since, .. }) => {
                let id = rt.map(|r| &*r.container_id).unwrap_or("");
                // Programs whose output depends on the world (External-DNS, a shell loop
                // calling wget) keep their log.
                crate::sim::external_dns::logs(&s.world, cluster, id)
                    .or_else(|| crate::sim::loops::logs(&s.world, cluster, id))
                    .or_else(|| {
                        // A data store says what it found in its files at start.
                        let boot = rt.and_then(|r| r.boot)?;
                        let (repo, _) = images::normalise(&container.image);
                        let stamp = crate::sim::clock::rfc3339(*since)
                            .replace('T', " ")
                            .trim_end_matches('Z')
                            .to_string()
                            + ".000";
                        let pgdata = crate::sim::datastores::pgdata(&env);
                        Some(crate::sim::datastores::boot_logs(
                            &repo, boot, &stamp, &pgdata,
                        ))
                    })
                    .unwrap_or_else(|| images::logs(&container.image, &command, &env, *since, now))
            }
            Some(RunState::Exited {
                started, finished, ..
            }) => images::logs(&container.image, &command, &env, *started, *finished),
            Some(RunState::Stopping { .. }) => {
                let id = rt.map(|r| &*r.container_id).unwrap_or("");
                crate::sim::loops::logs(&s.world, cluster, id).unwrap_or_default()
            }
            Some(RunState::Waiting) if pod.spec.init_containers.is_empty() => {
                return Err(waiting("ContainerCreating"))
            }
            Some(RunState::Waiting) => return Err(waiting("PodInitializing")),
            Some(RunState::ConfigError { .. }) => {
                return Err(waiting("CreateContainerConfigError"))
            }
        }
    };
    let lines: Vec<String> = match p.value("tail").and_then(|t| t.parse::<i64>().ok()) {
        Some(n) if n >= 0 => lines
            .iter()
            .skip(lines.len().saturating_sub(n as usize))
            .cloned()
            .collect(),
        _ => lines,
    };
    let mut text = notes.join("\n");
    if !text.is_empty() && !lines.is_empty() {
        text.push('\n');
    }
    text.push_str(&lines.join("\n"));
    Ok(Output::ok(text))
}
