//! Goals: declarative checks on the world, evaluated after every change. Each says what it
//! expected and what it found. Checks that must run something (a request, a command in a pod)
//! run it on a copy of the session, so checking never changes the learner's world.

use super::lesson::Lesson;
use crate::shell::{Output, Session};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goal {
    /// What the learner reads (`Two pods labelled app=web are ready`).
    pub text: String,
    #[serde(flatten)]
    pub check: Check,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// An object exists (and its fields, by dotted path as `-o yaml` shows them, match).
    Object {
        kind: String,
        name: String,
        #[serde(default)]
        namespace: Option<String>,
        #[serde(default)]
        fields: BTreeMap<String, serde_yaml::Value>,
        /// Paths that must not have these values (a recreated pod's IP is not the old one).
        #[serde(default)]
        not_fields: BTreeMap<String, serde_yaml::Value>,
    },
    /// No such object (a deleted pod, a removed Service).
    Absent {
        kind: String,
        name: String,
        #[serde(default)]
        namespace: Option<String>,
    },
    /// At least `ready` pods matching `selector` are ready (in `namespace`, default `default`).
    Pods {
        selector: String,
        #[serde(default)]
        namespace: Option<String>,
        ready: usize,
    },
    /// A command, run on a copy of the world, succeeds and prints this (exact, or contained).
    Run {
        command: String,
        #[serde(default)]
        output: Option<String>,
        #[serde(default)]
        contains: Option<String>,
    },
    /// A container has restarted at least `at_least` times (a crash happened).
    Restarted {
        pod: String,
        #[serde(default)]
        container: Option<String>,
        #[serde(default)]
        namespace: Option<String>,
        #[serde(default = "one")]
        at_least: i64,
    },
    /// Some command the learner ran printed this (`exceeded quota`).
    Saw { contains: String },
}

fn one() -> i64 {
    1
}

/// The learner's session as the goals see it: the session and each command's output so far.
pub struct Progress<'a> {
    pub session: &'a Session,
    pub outputs: &'a [String],
}

/// A copy of the session to run checks on (the world and the session's settings; the learner's
/// files are not needed by checks).
fn probe(s: &Session) -> Session {
    let mut p = Session::new(0);
    p.world = s.world.clone();
    p.namespaces = s.namespaces.clone();
    p.laptop_files = s.laptop_files.clone();
    p
}

fn lookup<'v>(v: &'v serde_yaml::Value, path: &str) -> Option<&'v serde_yaml::Value> {
    let mut at = v;
    for part in path.split('.') {
        at = match part.parse::<usize>() {
            Ok(i) => at.as_sequence()?.get(i)?,
            Err(_) => at.as_mapping()?.get(part)?,
        };
    }
    Some(at)
}

fn show(v: &serde_yaml::Value) -> String {
    serde_yaml::to_string(v)
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

/// Ok, or what was expected and what was found.
pub fn check(goal: &Goal, p: &Progress) -> Result<(), String> {
    let s = p.session;
    let ns_of = |n: &Option<String>| {
        n.clone()
            .unwrap_or_else(|| s.namespace_for(s.world.current))
    };
    match &goal.check {
        Check::Object {
            kind,
            name,
            namespace,
            fields,
            not_fields,
        } => {
            let mut probe = probe(s);
            let out = probe.run(
                &format!("kubectl get {kind} {name} -n {} -o yaml", ns_of(namespace)),
                None,
            );
            if !out.ok {
                return Err(format!(
                    "expected {kind} {name}; found none ({})",
                    out.text.trim()
                ));
            }
            let v: serde_yaml::Value =
                serde_yaml::from_str(&out.text).map_err(|e| format!("unreadable object: {e}"))?;
            for (path, want) in fields {
                match lookup(&v, path) {
                    Some(got) if got == want => {}
                    Some(got) if show(got) == show(want) => {}
                    Some(got) => {
                        return Err(format!(
                            "expected {path} of {kind} {name} to be {}; found {}",
                            show(want),
                            show(got)
                        ))
                    }
                    None => {
                        return Err(format!(
                            "expected {path} of {kind} {name} to be {}; it is not set",
                            show(want)
                        ))
                    }
                }
            }
            for (path, unwanted) in not_fields {
                if let Some(got) = lookup(&v, path) {
                    if got == unwanted || show(got) == show(unwanted) {
                        return Err(format!(
                            "expected {path} of {kind} {name} not to be {}; it still is",
                            show(unwanted)
                        ));
                    }
                }
            }
            Ok(())
        }
        Check::Absent {
            kind,
            name,
            namespace,
        } => {
            let mut probe = probe(s);
            let out = probe.run(
                &format!("kubectl get {kind} {name} -n {} -o name", ns_of(namespace)),
                None,
            );
            if out.ok {
                Err(format!(
                    "expected no {kind} {name}; found {}",
                    out.text.trim()
                ))
            } else {
                Ok(())
            }
        }
        Check::Pods {
            selector,
            namespace,
            ready,
        } => {
            let ns = ns_of(namespace);
            let mut probe = probe(s);
            let out = probe.run(&format!("kubectl get pods -l {selector} -n {ns}"), None);
            if !out.ok {
                return Err(format!(
                    "the lesson's selector {selector:?} is refused: {}",
                    out.text.trim()
                ));
            }
            // READY is `n/m`: a pod is ready when all its containers are (and it is Running).
            let ready_now = out
                .text
                .lines()
                .skip(1)
                .filter(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    let full = cols
                        .get(1)
                        .and_then(|r| r.split_once('/'))
                        .is_some_and(|(a, b)| a == b && a != "0");
                    full && cols.get(2) == Some(&"Running")
                })
                .count();
            if ready_now >= *ready {
                Ok(())
            } else {
                Err(format!(
                    "expected {ready} ready pod(s) with {selector} in {ns}; found {ready_now}"
                ))
            }
        }
        Check::Run {
            command,
            output,
            contains,
        } => {
            let mut probe = probe(s);
            let out: Output = probe.run(command, None);
            let text = out.text.trim_end();
            if let Some(want) = output {
                if text != want.trim_end() {
                    return Err(format!(
                        "expected `{command}` to print {:?}; it printed {:?}",
                        want.trim_end(),
                        text
                    ));
                }
            }
            if let Some(want) = contains {
                if !text.contains(want.as_str()) {
                    return Err(format!(
                        "expected `{command}` to print {want:?}; it printed {text:?}"
                    ));
                }
            }
            if output.is_none() && contains.is_none() && !out.ok {
                return Err(format!(
                    "expected `{command}` to succeed; it printed {text:?}"
                ));
            }
            Ok(())
        }
        Check::Restarted {
            pod,
            container,
            namespace,
            at_least,
        } => {
            let ns = ns_of(namespace);
            let Some(p) = s.world.cluster().store.pods.get(&ns, pod) else {
                return Err(format!("expected pod {pod} in {ns}; found none"));
            };
            let restarts: i64 = p
                .status
                .container_statuses
                .iter()
                .filter(|c| container.as_ref().is_none_or(|n| *n == c.name))
                .map(|c| c.restart_count)
                .max()
                .unwrap_or(0);
            if restarts >= *at_least {
                Ok(())
            } else {
                Err(format!(
                    "expected pod {pod} to have restarted at least {at_least} time(s); it restarted {restarts}"
                ))
            }
        }
        Check::Saw { contains } => {
            if p.outputs.iter().any(|o| o.contains(contains.as_str())) {
                Ok(())
            } else {
                Err(format!(
                    "expected a command to print {contains:?}; none did yet"
                ))
            }
        }
    }
}

/// A session at a lesson's start: its seed, its setup commands run, its files written.
pub fn start(lesson: &Lesson) -> (Session, Vec<String>) {
    let files = crate::shell::files::MemFiles {
        files: lesson.start.files.clone(),
    };
    let mut s = Session::with_files(lesson.start.seed, Box::new(files));
    let mut outputs = Vec::new();
    for c in &lesson.start.commands {
        outputs.push(s.run(c.line(), c.stdin()).text);
    }
    (s, outputs)
}

/// A lesson's solution run from its start: the session, each command's output, and the
/// first command that failed (a solution's commands must all succeed).
pub fn solve(lesson: &Lesson) -> (Session, Vec<String>, Option<String>) {
    // The start runs with the start's files; the solution's edits come after, as the
    // learner's would.
    let (mut s, mut outputs) = start(lesson);
    let mut all = lesson.start.files.clone();
    all.extend(lesson.solution.files.clone());
    s.files = Box::new(crate::shell::files::MemFiles { files: all });
    let mut failed = None;
    for c in &lesson.solution.commands {
        let out = s.run(c.line(), c.stdin());
        if out.ok == c.may_fail() && failed.is_none() {
            failed = Some(if out.ok {
                format!("`{}` was meant to fail and succeeded", c.line())
            } else {
                format!("`{}` failed: {}", c.line(), out.text.trim())
            });
        }
        outputs.push(out.text);
    }
    (s, outputs, failed)
}

/// Each goal's result.
pub fn evaluate(lesson: &Lesson, p: &Progress) -> Vec<Result<(), String>> {
    lesson.goals.iter().map(|g| check(g, p)).collect()
}
