//! `kubectl run`.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;

pub(super) fn run_pod(s: &mut Session, args: &[String]) -> Result<Output, String> {
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
            labels: labels.into(),
            ..Default::default()
        },
        spec: PodSpecFields {
            containers: vec![Container {
                name: name.clone(),
                image,
                command,
                args: cargs,
                ports,
                env,
                image_pull_policy: p.value("image-pull-policy").unwrap_or("").to_string(),
                ..Default::default()
            }]
            .into(),
            restart_policy: restart.into(),
            ..Default::default()
        }
        .into(),
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
