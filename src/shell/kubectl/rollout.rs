//! `kubectl scale`, `kubectl rollout …` and `kubectl set image`: the Deployment verbs.

use super::super::flags::{self, flag};
use super::super::format::table;
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;
use crate::sim::clock::parse_duration;
use crate::sim::controllers::controller_uid;
use crate::sim::controllers::deployment::{template_hash, REVISION, TEMPLATE_HASH};

/// `deployment/x`, `deployment x`, `deploy/x` → (kind, name).
fn kind_and_name(p: &flags::Parsed, verb: &str) -> Result<(Kind, String), String> {
    let first = p
        .positional
        .first()
        .ok_or_else(|| format!("error: you must provide one or more resources by argument or filename.\nSee 'kubectl {verb} -h' for help and examples"))?;
    let (k, n) = match first.split_once('/') {
        Some((k, n)) => (k.to_string(), n.to_string()),
        None => (
            first.clone(),
            p.positional.get(1).cloned().ok_or_else(|| {
                "error: resource(s) were provided, but no name was specified".to_string()
            })?,
        ),
    };
    let kind = resource_kind(&k)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{k}\""))?;
    Ok((kind, n))
}

fn deployment_of(s: &Session, cluster: usize, ns: &str, name: &str) -> Result<Deployment, String> {
    s.world.clusters[cluster]
        .store
        .deployments
        .get(ns, name)
        .cloned()
        .ok_or_else(|| {
            format!("Error from server (NotFound): deployments.apps \"{name}\" not found")
        })
}

fn write_deployment(s: &mut Session, cluster: usize, d: &Deployment) -> Result<(), String> {
    let w = &mut s.world;
    w.clusters[cluster]
        .store
        .update(d, &mut w.rng)
        .map_err(|e| e.kubectl(None))?;
    s.world.settle();
    Ok(())
}

pub(super) fn scale(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("replicas", None, true),
            flag("current-replicas", None, true),
            flag("timeout", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let replicas: i64 = match p.value("replicas") {
        None => return Err("error: required flag(s) \"replicas\" not set".into()),
        Some(r) => r.parse().map_err(|_| format!("error: invalid argument \"{r}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax"))?,
    };
    if replicas < 0 {
        return Err("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0".into());
    }
    let (kind, name) = kind_and_name(&p, "scale")?;
    match kind {
        Kind::Deployments => {
            let mut d = deployment_of(s, cluster, &ns, &name)?;
            d.spec.replicas = Some(replicas);
            write_deployment(s, cluster, &d)?;
            Ok(Output::ok(format!("deployment.apps/{name} scaled")))
        }
        Kind::ReplicaSets => {
            let c = &mut s.world.clusters[cluster];
            let mut rs = c
                .store
                .replicasets
                .get(&ns, &name)
                .cloned()
                .ok_or_else(|| {
                    format!("Error from server (NotFound): replicasets.apps \"{name}\" not found")
                })?;
            rs.spec.replicas = Some(replicas);
            c.store
                .update(&rs, &mut s.world.rng)
                .map_err(|e| e.kubectl(None))?;
            s.world.settle();
            Ok(Output::ok(format!("replicaset.apps/{name} scaled")))
        }
        Kind::StatefulSets => {
            let c = &mut s.world.clusters[cluster];
            let mut sts = c.store.statefulsets.get(&ns, &name).cloned().ok_or_else(|| {
                format!("Error from server (NotFound): statefulsets.apps \"{name}\" not found")
            })?;
            sts.spec.replicas = Some(replicas);
            c.store
                .update(&sts, &mut s.world.rng)
                .map_err(|e| e.kubectl(None))?;
            s.world.settle();
            Ok(Output::ok(format!("statefulset.apps/{name} scaled")))
        }
        _ => Err(format!(
            "error: cannot scale {name}: Pocket Cluster scales deployments, replicasets and statefulsets"
        )),
    }
}

pub(super) fn set(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let sub = args.first().map(String::as_str).unwrap_or("");
    if sub != "image" {
        return Err(format!("error: Pocket Cluster simulates \"kubectl set image\" only (got \"kubectl set {sub}\")"));
    }
    let p = flags::parse(
        &args[1..],
        &[flag("record", None, false), flag("all", None, false)],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let (kind, name) = kind_and_name(&p, "set image")?;
    if kind != Kind::Deployments {
        return Err("error: Pocket Cluster sets images on deployments".into());
    }
    let skip = if p.positional.first().is_some_and(|f| f.contains('/')) {
        1
    } else {
        2
    };
    let pairs: Vec<&String> = p.positional.iter().skip(skip).collect();
    if pairs.is_empty() {
        return Err("error: at least one image update is required".into());
    }
    let mut d = deployment_of(s, cluster, &ns, &name)?;
    for pair in pairs {
        let Some((container, image)) = pair.split_once('=') else {
            return Err(format!(
                "error: invalid image update: {pair}, expected CONTAINER=IMAGE"
            ));
        };
        let mut found = false;
        for c in d.spec.template.spec.containers.iter_mut() {
            if c.name == container || container == "*" {
                c.image = image.to_string();
                found = true;
            }
        }
        if !found {
            return Err(format!(
                "error: unable to find container named \"{container}\""
            ));
        }
    }
    write_deployment(s, cluster, &d)?;
    Ok(Output::ok(format!("deployment.apps/{name} image updated")))
}

pub(super) fn rollout(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let sub = args.first().cloned().unwrap_or_default();
    let p = flags::parse(
        args.get(1..).unwrap_or(&[]),
        &[
            flag("to-revision", None, true),
            flag("timeout", None, true),
            flag("watch", Some('w'), true),
            flag("revision", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    if !["status", "history", "undo", "restart", "pause", "resume"].contains(&sub.as_str()) {
        return Err(if sub.is_empty() {
            "error: Pocket Cluster simulates: kubectl rollout status|history|undo|restart|pause|resume deployment/NAME".into()
        } else {
            format!("error: unknown command \"{sub}\" for \"kubectl rollout\"")
        });
    }
    let (kind, name) = kind_and_name(&p, &format!("rollout {sub}"))?;
    if kind != Kind::Deployments {
        return Err(format!(
            "error: Pocket Cluster rolls out deployments (got {kind:?})"
        ));
    }
    let mut d = deployment_of(s, cluster, &ns, &name)?;
    match sub.as_str() {
        "pause" | "resume" => {
            let pause = sub == "pause";
            if d.spec.paused == pause {
                return Err(format!(
                    "error: deployments.apps \"{name}\" is already {}",
                    if pause { "paused" } else { "resumed" }
                ));
            }
            d.spec.paused = pause;
            write_deployment(s, cluster, &d)?;
            Ok(Output::ok(format!(
                "deployment.apps/{name} {}",
                if pause { "paused" } else { "resumed" }
            )))
        }
        "restart" => {
            if d.spec.paused {
                return Err(format!("error: deployments.apps \"{name}\" can't restart paused deployment (run rollout resume first)"));
            }
            let stamp = crate::sim::clock::rfc3339(s.world.now);
            d.spec
                .template
                .metadata
                .annotations
                .insert("kubectl.kubernetes.io/restartedAt".into(), stamp);
            write_deployment(s, cluster, &d)?;
            Ok(Output::ok(format!("deployment.apps/{name} restarted")))
        }
        "history" => {
            let sets = sets_of(s, cluster, &d);
            if let Some(rev) = p.value("revision") {
                let want: i64 = rev
                    .parse()
                    .map_err(|_| format!("error: invalid revision {rev}"))?;
                let Some(rs) = sets.iter().find(|r| revision(r) == want) else {
                    return Err(format!(
                        "error: unable to find the specified revision {want}"
                    ));
                };
                let images: Vec<String> = rs
                    .spec
                    .template
                    .spec
                    .containers
                    .iter()
                    .map(|c| format!("   {}:\n    Image:\t{}", c.name, c.image))
                    .collect();
                return Ok(Output::ok(format!(
                    "deployment.apps/{name} with revision #{want}\nPod Template:\n  Labels:\t{}\n  Containers:\n{}",
                    rs.spec.template.metadata.labels.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("\n\t"),
                    images.join("\n")
                )));
            }
            let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
            let mut revs: Vec<(i64, String)> = sets
                .iter()
                .map(|r| {
                    (
                        revision(r),
                        r.metadata
                            .annotations
                            .get("kubernetes.io/change-cause")
                            .cloned()
                            .unwrap_or_else(|| "<none>".into()),
                    )
                })
                .collect();
            crate::sim::sort::natural(&mut revs);
            for (r, cause) in revs {
                rows.push(vec![r.to_string(), cause]);
            }
            Ok(Output::ok(format!(
                "deployment.apps/{name} \n{}",
                table(&rows).trim_end()
            )))
        }
        "undo" => {
            let sets = sets_of(s, cluster, &d);
            let current_hash = template_hash(&d.spec.template);
            let current_rev = sets
                .iter()
                .filter(|r| r.metadata.labels.get(TEMPLATE_HASH) == Some(&current_hash))
                .map(revision)
                .max()
                .unwrap_or(0);
            let target_rs = match p.value("to-revision") {
                Some(r) if r != "0" => {
                    let want: i64 = r
                        .parse()
                        .map_err(|_| format!("error: invalid revision {r}"))?;
                    sets.iter().find(|x| revision(x) == want).ok_or_else(|| {
                        format!("error: unable to find specified revision {want} in history")
                    })?
                }
                _ => sets
                    .iter()
                    .filter(|x| revision(x) < current_rev)
                    .max_by_key(|x| revision(x))
                    .ok_or_else(|| {
                        format!("error: no rollout history found for deployment \"{name}\"")
                    })?,
            };
            let rev = revision(target_rs);
            let mut template = target_rs.spec.template.clone();
            template.metadata.labels.remove(TEMPLATE_HASH);
            if template == d.spec.template {
                return Ok(Output::ok(format!("deployment.apps/{name} skipped rollback (current template already matches revision {rev})")));
            }
            d.spec.template = template;
            write_deployment(s, cluster, &d)?;
            let now = s.world.now;
            s.world.clusters[cluster].store.record_event(
                now,
                &ns,
                "Deployment",
                &name,
                "Normal",
                "DeploymentRollback",
                "deployment-controller",
                format!("Rolled back deployment \"{name}\" to revision {rev}"),
            );
            Ok(Output::ok(format!("deployment.apps/{name} rolled back")))
        }
        _ => rollout_status(s, cluster, &ns, &name, p.value("timeout")),
    }
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .get(REVISION)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn sets_of(s: &Session, cluster: usize, d: &Deployment) -> Vec<ReplicaSet> {
    s.world.clusters[cluster]
        .store
        .replicasets
        .in_namespace(Some(&d.metadata.namespace))
        .filter(|r| controller_uid(&r.metadata) == Some(d.metadata.uid.as_str()))
        .cloned()
        .collect()
}

/// `kubectl rollout status`: blocks in real kubectl, so it moves the virtual clock until the
/// rollout is done, printing each new waiting line (fact 30).
fn rollout_status(
    s: &mut Session,
    cluster: usize,
    ns: &str,
    name: &str,
    timeout: Option<&str>,
) -> Result<Output, String> {
    let limit = match timeout {
        Some(t) if t != "0s" && t != "0" => parse_duration(t).map_err(|e| format!("error: {e}"))?,
        _ => 15 * 60_000,
    };
    let start = s.world.now;
    let mut lines: Vec<String> = Vec::new();
    loop {
        let d = deployment_of(s, cluster, ns, name)?;
        let desired = d.spec.replicas.unwrap_or(1);
        let st = &d.status;
        let progressing = st.conditions.iter().find(|c| c.type_ == "Progressing");
        let line = if d.metadata.generation > st.observed_generation {
            Some("Waiting for deployment spec update to be observed...".to_string())
        } else if progressing.is_some_and(|c| c.reason == "ProgressDeadlineExceeded") {
            lines.push(format!(
                "error: deployment \"{name}\" exceeded its progress deadline"
            ));
            return Ok(Output {
                text: lines.join("\n"),
                ok: false,
            });
        } else if st.updated_replicas < desired {
            Some(format!("Waiting for deployment \"{name}\" rollout to finish: {} out of {desired} new replicas have been updated...", st.updated_replicas))
        } else if st.replicas > st.updated_replicas {
            Some(format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...", st.replicas - st.updated_replicas))
        } else if st.available_replicas < st.updated_replicas {
            Some(format!("Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...", st.available_replicas, st.updated_replicas))
        } else {
            lines.push(format!("deployment \"{name}\" successfully rolled out"));
            return Ok(Output::ok(lines.join("\n")));
        };
        if let Some(l) = line {
            if lines.last() != Some(&l) {
                lines.push(l);
            }
        }
        if s.world.now - start >= limit {
            lines.push("error: timed out waiting for the condition".into());
            return Ok(Output {
                text: lines.join("\n"),
                ok: false,
            });
        }
        s.world.advance(500);
    }
}
