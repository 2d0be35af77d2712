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
    /// A command, run on a copy of the world, succeeds and prints this (exact, or contained),
    /// and not that (`lacks`: no failed request in a client's log).
    Run {
        command: String,
        #[serde(default)]
        output: Option<String>,
        #[serde(default)]
        contains: Option<String>,
        #[serde(default)]
        lacks: Option<String>,
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
    /// Some command the learner ran printed this (`exceeded quota`); with `after`, one that ran
    /// after a command that printed `after` (the order things happened in).
    Saw {
        contains: String,
        #[serde(default)]
        after: Option<String>,
    },
    /// No command the learner ran printed this (no failed request during a rolling update).
    Never { contains: String },
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

/// A field path's parts: names and list indexes split at dots; a key with dots in it is
/// written in brackets and quotes, as jsonpath does (`metadata.labels["app.kubernetes.io/name"]`).
pub fn path_parts(path: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut rest = path;
    let mut want_part = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let quote = r.chars().next().filter(|c| *c == '"' || *c == '\'');
            let Some(q) = quote else {
                return Err(format!("{path:?}: a bracket needs a quoted key: [\"a.b\"]"));
            };
            let body = &r[1..];
            let Some(end) = body.find(q) else {
                return Err(format!("{path:?}: the quoted key is not closed"));
            };
            parts.push(body[..end].to_string());
            rest = body[end + 1..]
                .strip_prefix(']')
                .ok_or_else(|| format!("{path:?}: expected ] after the quoted key"))?;
            want_part = false;
        } else if let Some(r) = rest.strip_prefix('.') {
            if want_part {
                return Err(format!("{path:?}: an empty name"));
            }
            rest = r;
            want_part = true;
        } else {
            if !want_part {
                return Err(format!("{path:?}: expected . or [ after a bracketed key"));
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            parts.push(rest[..end].to_string());
            rest = &rest[end..];
            want_part = false;
        }
    }
    if want_part {
        return Err(format!("{path:?}: an empty name"));
    }
    Ok(parts)
}

fn lookup<'v>(v: &'v serde_yaml::Value, path: &str) -> Option<&'v serde_yaml::Value> {
    let mut at = v;
    for part in path_parts(path).ok()? {
        at = match part.parse::<usize>() {
            Ok(i) => at.as_sequence()?.get(i)?,
            Err(_) => at.as_mapping()?.get(part.as_str())?,
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
                crate::yaml::from_str(&out.text).map_err(|e| format!("unreadable object: {e}"))?;
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
            lacks,
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
            if let Some(unwanted) = lacks {
                if let Some(line) = text.lines().find(|l| l.contains(unwanted.as_str())) {
                    return Err(format!(
                        "expected `{command}` not to print {unwanted:?}; it printed {line:?}"
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
        Check::Saw { contains, after } => {
            let from = match after {
                None => 0,
                Some(first) => match p.outputs.iter().position(|o| o.contains(first.as_str())) {
                    Some(at) => at + 1,
                    None => {
                        return Err(format!(
                            "expected a command to print {first:?} and a later one {contains:?}; none printed {first:?} yet"
                        ))
                    }
                },
            };
            if p.outputs[from..]
                .iter()
                .any(|o| o.contains(contains.as_str()))
            {
                Ok(())
            } else if let Some(first) = after {
                Err(format!(
                    "expected a command after the one printing {first:?} to print {contains:?}; none did yet"
                ))
            } else {
                Err(format!(
                    "expected a command to print {contains:?}; none did yet"
                ))
            }
        }
        Check::Never { contains } => match p.outputs.iter().find(|o| o.contains(contains.as_str()))
        {
            None => Ok(()),
            Some(o) => {
                let line = o
                    .lines()
                    .find(|l| l.contains(contains.as_str()))
                    .unwrap_or_default();
                Err(format!(
                    "expected no command to print {contains:?}; one printed {:?} (reset the lesson to try again)",
                    line.trim()
                ))
            }
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(p: &str) -> Vec<String> {
        path_parts(p).expect(p)
    }

    #[test]
    fn field_paths_split_at_dots_and_bracketed_keys_keep_theirs() {
        assert_eq!(parts("spec.replicas"), ["spec", "replicas"]);
        assert_eq!(
            parts("metadata.labels[\"app.kubernetes.io/name\"]"),
            ["metadata", "labels", "app.kubernetes.io/name"]
        );
        assert_eq!(
            parts("metadata.annotations['a.b/c'].x"),
            ["metadata", "annotations", "a.b/c", "x"]
        );
        assert_eq!(
            parts("spec.containers.0.image"),
            ["spec", "containers", "0", "image"]
        );
        for bad in [
            "",
            "a..b",
            "a.",
            ".a",
            "a[b]",
            "a[\"b",
            "a[\"b\"c",
            "a[\"b\"]c",
            "a[",
            "é[",
        ] {
            assert!(path_parts(bad).is_err(), "{bad:?} should be refused");
        }
    }

    fn outputs_check(check: Check, outputs: &[&str]) -> Result<(), String> {
        let s = Session::new(1);
        let outputs: Vec<String> = outputs.iter().map(|o| o.to_string()).collect();
        let goal = Goal {
            text: "t".into(),
            check,
        };
        super::check(
            &goal,
            &Progress {
                session: &s,
                outputs: &outputs,
            },
        )
    }

    #[test]
    fn saw_after_checks_the_order_and_never_fails_once_seen() {
        let saw = |contains: &str, after: Option<&str>| Check::Saw {
            contains: contains.into(),
            after: after.map(Into::into),
        };
        let log = ["deployment.apps/web image updated", "200 OK", "rolled back"];
        assert_eq!(
            outputs_check(saw("200 OK", Some("image updated")), &log),
            Ok(())
        );
        assert!(outputs_check(saw("image updated", Some("200 OK")), &log)
            .unwrap_err()
            .contains("after the one printing \"200 OK\""));
        assert!(outputs_check(saw("x", Some("nothing like it")), &log)
            .unwrap_err()
            .contains("none printed \"nothing like it\" yet"));
        let never = Check::Never {
            contains: "503".into(),
        };
        assert_eq!(outputs_check(never.clone(), &log), Ok(()));
        assert_eq!(
            outputs_check(never, &["ok", "line one\nHTTP/1.1 503 Service Unavailable\n"]),
            Err("expected no command to print \"503\"; one printed \"HTTP/1.1 503 Service Unavailable\" (reset the lesson to try again)".into())
        );
    }

    #[test]
    fn run_lacks_fails_on_the_first_line_that_has_it() {
        let mut s = Session::new(1);
        s.run("kubectl create service clusterip web --tcp=80:8080", None);
        s.run(
            "kubectl run client --image=busybox:1.36 -- sh -c 'while true; do wget -q -O- http://web; sleep 1; done'",
            None,
        );
        s.run("sim advance 20s", None);
        let lacks = |unwanted: &str| Goal {
            text: "t".into(),
            check: Check::Run {
                command: "kubectl logs client --tail=3".into(),
                output: None,
                contains: None,
                lacks: Some(unwanted.into()),
            },
        };
        let progress = Progress {
            session: &s,
            outputs: &[],
        };
        // The Service has no endpoints: every round was refused.
        let err = super::check(&lacks("wget:"), &progress).unwrap_err();
        assert!(
            err.starts_with("expected `kubectl logs client --tail=3` not to print \"wget:\"; it printed \"wget: can't connect"),
            "{err}"
        );
        assert_eq!(super::check(&lacks("Hello from"), &progress), Ok(()));
        // With only `lacks`, the command must also succeed (a missing pod is no pass).
        let missing = Goal {
            text: "t".into(),
            check: Check::Run {
                command: "kubectl logs nobody".into(),
                output: None,
                contains: None,
                lacks: Some("wget:".into()),
            },
        };
        assert!(super::check(&missing, &progress).is_err());
    }
}
