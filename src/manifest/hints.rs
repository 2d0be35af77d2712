//! Hints of good practice for the editor: never errors, never blocking. An image without a
//! pinned tag (or `:latest`), containers without resource requests, a Deployment's containers
//! without a readiness probe.

use super::ApiObject;
use crate::sim::api::{Container, PodSpec};

/// A hint at a field path of the object.
#[derive(Debug, Clone, PartialEq)]
pub struct Hint {
    pub path: String,
    pub message: String,
}

/// The pod template of a workload: its path and spec.
fn pod_spec(object: &ApiObject) -> Option<(&'static str, &PodSpec)> {
    Some(match object {
        ApiObject::Pod(p) => ("spec", &p.spec),
        ApiObject::Deployment(d) => ("spec.template.spec", &d.spec.template.spec),
        ApiObject::ReplicaSet(r) => ("spec.template.spec", &r.spec.template.spec),
        ApiObject::DaemonSet(d) => ("spec.template.spec", &d.spec.template.spec),
        ApiObject::StatefulSet(s) => ("spec.template.spec", &s.spec.template.spec),
        ApiObject::Job(j) => ("spec.template.spec", &j.spec.template.spec),
        ApiObject::CronJob(c) => (
            "spec.jobTemplate.spec.template.spec",
            &c.spec.job_template.spec.template.spec,
        ),
        _ => return None,
    })
}

/// `nginx` or `nginx:latest` → the hint's text.
fn image_hint(image: &str) -> Option<String> {
    if image.contains('@') || image.is_empty() {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        None => Some(format!(
            "image \"{image}\" has no tag, so it means :latest, whatever that is when a node pulls it; pin a version (for example {image}:1.25)"
        )),
        Some((_, "latest")) => Some(format!(
            "image \"{image}\": :latest changes under you and two nodes may run different code; pin a version"
        )),
        _ => None,
    }
}

pub fn hints(object: &ApiObject) -> Vec<Hint> {
    let Some((base, spec)) = pod_spec(object) else {
        return Vec::new();
    };
    let is_deployment = matches!(object, ApiObject::Deployment(_));
    let mut out = Vec::new();
    let mut each = |list: &str, containers: &[Container], serving: bool| {
        for (i, c) in containers.iter().enumerate() {
            let at = format!("{base}.{list}[{i}]");
            if let Some(message) = image_hint(&c.image) {
                out.push(Hint {
                    path: format!("{at}.image"),
                    message,
                });
            }
            let requests = serde_json::to_value(&c.resources)
                .ok()
                .and_then(|v| v.get("requests").cloned())
                .is_some_and(|r| r.as_object().is_some_and(|m| !m.is_empty()));
            if !requests {
                out.push(Hint {
                    path: at.clone(),
                    message: format!(
                        "container \"{}\" has no resource requests: the scheduler cannot know how much room it needs (set resources.requests.cpu and memory)",
                        c.name
                    ),
                });
            }
            if serving && c.readiness_probe.is_none() {
                out.push(Hint {
                    path: at,
                    message: format!(
                        "container \"{}\" has no readinessProbe: it gets traffic as soon as it starts, and a rollout cannot tell a broken version from a good one",
                        c.name
                    ),
                });
            }
        }
    };
    each("initContainers", &spec.init_containers, false);
    each("containers", &spec.containers, is_deployment);
    out
}
