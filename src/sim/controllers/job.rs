//! The Job controller: runs pods until `completions` succeed (parallelism at a time), retrying
//! failures with back-off 10 s, 20 s … 6 min up to backoffLimit (fact 42).

use super::{controller_ref, pod_ready};
use crate::sim::api::*;
use crate::sim::clock::{parse_rfc3339, rfc3339, secs, Millis};
use crate::sim::rng::Rng;
use crate::sim::scheduler::set_condition;

const SOURCE: &str = "job-controller";
const BACKOFF_MAX: Millis = 360_000;

pub fn finished(job: &Job) -> Option<&str> {
    job.status
        .conditions
        .iter()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .map(|c| c.type_.as_ref())
}

fn pod_finish_time(p: &Pod) -> Option<Millis> {
    p.status
        .container_statuses
        .iter()
        .filter_map(|c| c.state.terminated.as_ref()?.finished_at.as_ref())
        .filter_map(Time::millis)
        .max()
}

/// When the next pod may be created after `failed` failures, the last one at `last`.
fn backoff_until(failed: i64, last: Option<Millis>) -> Option<Millis> {
    if failed <= 0 {
        return None;
    }
    let delay = (10_000u64 << (failed - 1).min(10)).min(BACKOFF_MAX);
    last.map(|t| t.saturating_add(delay))
}

/// Sync one Job; returns when it wants to look again.
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let job = store.jobs.get(&key.0, &key.1)?.clone();
    if job.metadata.deletion_timestamp.is_some() || finished(&job).is_some() {
        return None;
    }
    {
        let ns = job.metadata.namespace.clone();
        let name = job.metadata.name.clone();
        let pods: Vec<Pod> = store.owned::<Pod>(&job.metadata.uid).cloned().collect();
        let succeeded = pods
            .iter()
            .filter(|p| p.status.phase == "Succeeded")
            .count() as i64;
        let failed_pods: Vec<&Pod> = pods.iter().filter(|p| p.status.phase == "Failed").collect();
        // With OnFailure the kubelet restarts in place; each restart counts as a failure.
        let restarts: i64 = pods
            .iter()
            .filter(|_| job.spec.template.spec.restart_policy == "OnFailure")
            .flat_map(|p| p.status.container_statuses.iter().map(|c| c.restart_count))
            .sum();
        let failed = failed_pods.len() as i64 + restarts;
        let active: Vec<&Pod> = pods
            .iter()
            .filter(|p| {
                p.status.phase != "Succeeded"
                    && p.status.phase != "Failed"
                    && p.metadata.deletion_timestamp.is_none()
            })
            .collect();
        let mut status = job.status.clone();
        if status.start_time.is_none() && job.spec.suspend != Some(true) {
            status.start_time = Some(rfc3339(now));
        }
        let started = status
            .start_time
            .as_deref()
            .and_then(parse_rfc3339)
            .unwrap_or(now);
        let completions = job.spec.completions;
        let done = match completions {
            Some(c) => succeeded >= c,
            None => succeeded >= 1 && active.is_empty(),
        };
        let backoff_limit = job.spec.backoff_limit.unwrap_or(6);
        let deadline_hit = job
            .spec
            .active_deadline_seconds
            .is_some_and(|d| now >= started.saturating_add(secs(d)));
        let finish = |status: &mut JobStatus,
                      type_: &'static str,
                      reason: &'static str,
                      message: &str,
                      store: &mut Store| {
            set_condition(&mut status.conditions, type_, "True", reason, message, now);
            for p in &active {
                store.delete_pod(&ns, &p.metadata.name, now, None);
            }
        };
        if done {
            finish(&mut status, "Complete", "", "", store);
            status.completion_time = Some(rfc3339(now));
            store.record_event(
                now,
                &ns,
                "Job",
                &name,
                "Normal",
                "Completed",
                SOURCE,
                "Job completed".into(),
            );
        } else if failed > backoff_limit {
            finish(
                &mut status,
                "Failed",
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
                store,
            );
            store.record_event(
                now,
                &ns,
                "Job",
                &name,
                "Warning",
                "BackoffLimitExceeded",
                SOURCE,
                "Job has reached the specified backoff limit".into(),
            );
        } else if deadline_hit {
            finish(
                &mut status,
                "Failed",
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
                store,
            );
            store.record_event(
                now,
                &ns,
                "Job",
                &name,
                "Warning",
                "DeadlineExceeded",
                SOURCE,
                "Job was active longer than specified deadline".into(),
            );
        } else if job.spec.suspend == Some(true) {
            for p in &active {
                store.delete_pod(&ns, &p.metadata.name, now, None);
            }
        } else {
            let parallelism = job.spec.parallelism.unwrap_or(1).max(0);
            let remaining = completions.map(|c| c - succeeded).unwrap_or(parallelism);
            let want = parallelism.min(remaining) - active.len() as i64;
            let last_failure = failed_pods.iter().filter_map(|p| pod_finish_time(p)).max();
            let blocked =
                backoff_until(failed_pods.len() as i64, last_failure).is_some_and(|t| t > now);
            if want > 0 && !blocked {
                for _ in 0..want {
                    let t = &job.spec.template;
                    let pod = Pod {
                        api_version: "v1".into(),
                        kind: "Pod".into(),
                        metadata: ObjectMeta {
                            generate_name: format!("{name}-"),
                            namespace: ns.clone(),
                            labels: t.metadata.labels.clone(),
                            annotations: t.metadata.annotations.clone(),
                            owner_references: vec![controller_ref(
                                "batch/v1",
                                "Job",
                                &job.metadata,
                            )]
                            .into(),
                            ..Default::default()
                        },
                        spec: t.spec.clone(),
                        status: PodStatus::default(),
                    };
                    match store.create_named(pod, now, rng) {
                        Ok(p) => store.record_event(
                            now,
                            &ns,
                            "Job",
                            &name,
                            "Normal",
                            "SuccessfulCreate",
                            SOURCE,
                            format!("Created pod: {p}"),
                        ),
                        Err(e) => {
                            store.record_event(
                                now,
                                &ns,
                                "Job",
                                &name,
                                "Warning",
                                "FailedCreate",
                                SOURCE,
                                format!("Error creating: {}", e.message()),
                            );
                            break;
                        }
                    }
                }
            }
        }
        let live: Vec<&Pod> = store
            .owned::<Pod>(&job.metadata.uid)
            .filter(|p| {
                p.status.phase != "Succeeded"
                    && p.status.phase != "Failed"
                    && p.metadata.deletion_timestamp.is_none()
            })
            .collect();
        status.active = live.len() as i64;
        status.ready = live.iter().filter(|p| pod_ready(p)).count() as i64;
        status.succeeded = succeeded;
        status.failed = failed;
        if store
            .jobs
            .get(&ns, &name)
            .is_some_and(|cur| cur.status != status)
        {
            store.modify(&ns, &name, |x: &mut Job| x.status = status);
        }
    }
    deadline(store, &key.0, &key.1, now)
}

/// The next moment a Job's back-off ends or its deadline passes.
fn deadline(store: &Store, namespace: &str, name: &str, now: Millis) -> Option<Millis> {
    let job = store.jobs.get(namespace, name)?;
    if finished(job).is_some() {
        return None;
    }
    let failed: Vec<&Pod> = store
        .owned::<Pod>(&job.metadata.uid)
        .filter(|p| p.status.phase == "Failed")
        .collect();
    let last = failed.iter().filter_map(|p| pod_finish_time(p)).max();
    let started = job.status.start_time.as_deref().and_then(parse_rfc3339);
    let candidates = [
        backoff_until(failed.len() as i64, last),
        job.spec
            .active_deadline_seconds
            .zip(started)
            .map(|(d, s)| s.saturating_add(secs(d))),
    ];
    candidates.into_iter().flatten().filter(|t| *t > now).min()
}
