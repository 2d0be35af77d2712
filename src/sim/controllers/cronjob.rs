//! The CronJob controller: creates a Job at each scheduled time on the virtual clock, named
//! `<cronjob>-<minutes since the Unix epoch>` (fact 5), honouring concurrencyPolicy and the
//! history limits (fact 44).

use super::controller_ref;
use super::job::finished;
use crate::sim::api::*;
use crate::sim::clock::{parse_rfc3339, rfc3339, Millis, EPOCH_UNIX_SECS};
use crate::sim::cron::Schedule;
use crate::sim::rng::Rng;

const SOURCE: &str = "cronjob-controller";

/// The scheduled times that are due: those after the last schedule (or creation) up to now.
/// Returns the most recent one and how many were missed.
fn due(cj: &CronJob, now: Millis) -> Option<(Millis, usize)> {
    let schedule = Schedule::parse(&cj.spec.schedule).ok()?;
    let base = match cj.status.last_schedule_time.as_deref() {
        Some(last) => parse_rfc3339(last),
        None => cj
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(Time::millis),
    }?;
    let mut t = schedule.next_after(base)?;
    if t > now {
        return None;
    }
    let mut count = 1;
    while let Some(next) = schedule.next_after(t) {
        if next > now || count > 100 {
            break;
        }
        t = next;
        count += 1;
    }
    Some((t, count))
}

/// Sync one CronJob; returns when it wants to look again.
pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let cj = store.cronjobs.get(&key.0, &key.1)?.clone();
    if cj.metadata.deletion_timestamp.is_some() {
        return None;
    }
    {
        let ns = cj.metadata.namespace.clone();
        let name = cj.metadata.name.clone();
        let jobs: Vec<Job> = store.owned::<Job>(&cj.metadata.uid).cloned().collect();
        let mut status = cj.status.clone();
        if cj.spec.suspend != Some(true) {
            if let Some((at, missed)) = due(&cj, now) {
                let active: Vec<&Job> = jobs.iter().filter(|j| finished(j).is_none()).collect();
                if missed > 100 {
                    store.record_event(now, &ns, "CronJob", &name, "Warning", "TooManyMissedTimes", SOURCE, "too many missed start times: 101. Set or decrease .spec.startingDeadlineSeconds or check clock skew".into());
                }
                let skip = cj.spec.concurrency_policy == "Forbid" && !active.is_empty();
                if cj.spec.concurrency_policy == "Replace" {
                    for j in &active {
                        store.remove::<Job>(&ns, &j.metadata.name);
                        store.record_event(
                            now,
                            &ns,
                            "CronJob",
                            &name,
                            "Normal",
                            "SuccessfulDelete",
                            SOURCE,
                            format!("Deleted job {}", j.metadata.name),
                        );
                    }
                }
                if skip {
                    store.record_event(now, &ns, "CronJob", &name, "Normal", "JobAlreadyActive", SOURCE, "Not starting job because prior execution is running and concurrency policy is Forbid".into());
                } else {
                    let minutes = (EPOCH_UNIX_SECS * 1000 + at) / 60_000;
                    let t = &cj.spec.job_template;
                    let mut annotations = t.metadata.annotations.clone();
                    annotations.insert(
                        "batch.kubernetes.io/cronjob-scheduled-timestamp".into(),
                        rfc3339(at),
                    );
                    let job = Job {
                        api_version: "batch/v1".into(),
                        kind: "Job".into(),
                        metadata: ObjectMeta {
                            name: format!("{name}-{minutes}"),
                            namespace: ns.clone(),
                            labels: t.metadata.labels.clone(),
                            annotations,
                            owner_references: vec![controller_ref(
                                "batch/v1",
                                "CronJob",
                                &cj.metadata,
                            )]
                            .into(),
                            ..Default::default()
                        },
                        spec: t.spec.clone(),
                        status: JobStatus::default(),
                    };
                    if let Ok(j) = store.create(job, now, rng) {
                        store.record_event(
                            now,
                            &ns,
                            "CronJob",
                            &name,
                            "Normal",
                            "SuccessfulCreate",
                            SOURCE,
                            format!("Created job {}", j.metadata.name),
                        );
                    }
                }
                status.last_schedule_time = Some(rfc3339(at));
            }
        }
        // History: keep the newest successful and failed jobs up to the limits.
        let mut jobs: Vec<Job> = store.owned::<Job>(&cj.metadata.uid).cloned().collect();
        crate::sim::sort::by_key(&mut jobs, |j| {
            (
                j.metadata.creation_timestamp.clone(),
                j.metadata.name.clone(),
            )
        });
        for (kind, limit) in [
            (
                "Complete",
                cj.spec.successful_jobs_history_limit.unwrap_or(3),
            ),
            ("Failed", cj.spec.failed_jobs_history_limit.unwrap_or(1)),
        ] {
            let done: Vec<&Job> = jobs.iter().filter(|j| finished(j) == Some(kind)).collect();
            let excess = done.len().saturating_sub(limit.max(0) as usize);
            for j in done.into_iter().take(excess) {
                store.remove::<Job>(&ns, &j.metadata.name);
                store.record_event(
                    now,
                    &ns,
                    "CronJob",
                    &name,
                    "Normal",
                    "SuccessfulDelete",
                    SOURCE,
                    format!("Deleted job {}", j.metadata.name),
                );
            }
        }
        status.active = store
            .owned::<Job>(&cj.metadata.uid)
            .filter(|j| finished(j).is_none())
            .map(|j| ObjectReference {
                api_version: "batch/v1".into(),
                kind: "Job".into(),
                name: j.metadata.name.clone(),
                namespace: ns.clone(),
                uid: j.metadata.uid.clone(),
            })
            .collect();
        if let Some(last_ok) = store
            .owned::<Job>(&cj.metadata.uid)
            .filter(|j| finished(j) == Some("Complete"))
            .filter_map(|j| j.status.completion_time.clone())
            .max()
        {
            status.last_successful_time = Some(last_ok);
        }
        if store
            .cronjobs
            .get(&ns, &name)
            .is_some_and(|cur| cur.status != status)
        {
            store.modify(&ns, &name, |x: &mut CronJob| x.status = status);
        }
    }
    deadline(store, &key.0, &key.1, now)
}

/// The CronJob's next scheduled time.
fn deadline(store: &Store, namespace: &str, name: &str, now: Millis) -> Option<Millis> {
    let c = store.cronjobs.get(namespace, name)?;
    if c.spec.suspend == Some(true) {
        return None;
    }
    let schedule = Schedule::parse(&c.spec.schedule).ok()?;
    let base = match c.status.last_schedule_time.as_deref() {
        Some(last) => parse_rfc3339(last),
        None => c
            .metadata
            .creation_timestamp
            .as_ref()
            .and_then(Time::millis),
    }?;
    schedule
        .next_after(base.max(now.saturating_sub(1)))
        .filter(|t| *t > now)
}
