//! A session saved as text and brought back: the seed and the log of steps (commands with
//! their heredoc text, the UI's clock ticks), replayed on a fresh world. The engine is
//! deterministic, so the replay is the same world; each command's outcome is checked against
//! the digest saved with it, so a log that no longer replays the same (another version of the
//! engine, a hand-edited file) is refused rather than half-restored.
//!
//! Nothing here panics on what it reads: bad JSON, another format, impossible steps, a log too
//! long or too slow to replay are each a [`RestoreError`] with a message for the learner.

use super::{Entry, Output, Session, Step};
use serde::{Deserialize, Serialize};

/// The layout of the saved text; another number is refused.
pub const FORMAT: u32 = 1;
/// Which engine wrote it (shown when a replay diverges).
pub const ENGINE: &str = env!("CARGO_PKG_VERSION");
/// Saved text longer than this is not read.
pub const MAX_TEXT: usize = 16 << 20;
/// No tick the UI makes moves the clock more than this.
pub const MAX_TICK_MS: u64 = 60_000;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format: u32,
    engine: String,
    seed: u64,
    steps: Vec<Step>,
}

/// FNV-1a, 64 bits: a digest of a command's output, stable across builds and platforms.
pub fn digest(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The session as text (JSON): its seed and its log.
pub fn save(s: &Session) -> String {
    let saved = Saved {
        format: FORMAT,
        engine: ENGINE.to_string(),
        seed: s.seed,
        steps: s.log.clone(),
    };
    serde_json::to_string(&saved).unwrap_or_default()
}

/// How much a replay may do before it gives up.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_commands: usize,
    pub max_ticks: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_commands: 5_000,
            max_ticks: 200_000,
        }
    }
}

/// A session brought back, with what each of its commands printed (for the terminal).
pub struct Restored {
    pub session: Session,
    pub outputs: Vec<Replayed>,
}

/// One command of a replay: as logged, what it printed, and the context and namespace it ran
/// in (the terminal's prompt then).
pub struct Replayed {
    pub entry: Entry,
    pub output: Output,
    pub context: String,
    pub namespace: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RestoreError {
    /// Not JSON, or not the shape this app writes.
    Unreadable(String),
    /// Written in another format.
    Format(u32),
    /// More to replay than [`Limits`] allow.
    TooLong { commands: usize, ticks: u64 },
    /// A command answered differently from when it was saved.
    Diverged {
        command: usize,
        line: String,
        engine: String,
    },
    /// `out_of_time` said stop.
    OutOfTime { step: usize, steps: usize },
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::Unreadable(e) => write!(f, "it is not readable ({e})"),
            RestoreError::Format(n) => write!(
                f,
                "it is in format {n}, and this version reads format {FORMAT}"
            ),
            RestoreError::TooLong { commands, ticks } => write!(
                f,
                "it is too long to replay ({commands} commands, {ticks} clock ticks)"
            ),
            RestoreError::Diverged {
                command,
                line,
                engine,
            } => write!(
                f,
                "it was written by Pocket Cluster {engine} and no longer replays the same (command {command}, `{line}`, now answers differently)"
            ),
            RestoreError::OutOfTime { step, steps } => write!(
                f,
                "replaying it took too long (stopped at step {step} of {steps})"
            ),
        }
    }
}

/// Replay saved text on a fresh world. `out_of_time` is asked between steps (and every few
/// ticks); the browser passes a wall-clock budget, tests a counter.
pub fn restore(
    text: &str,
    limits: Limits,
    out_of_time: &mut dyn FnMut() -> bool,
) -> Result<Restored, RestoreError> {
    restore_with(text, limits, out_of_time, &mut |_, _| {})
}

/// [`restore`], with `before_step(i, session)` called before step `i` is replayed: the
/// browser gives the session the files the learner's editor held when that step first ran
/// (`kubectl apply -f FILE` reads them).
pub fn restore_with(
    text: &str,
    limits: Limits,
    out_of_time: &mut dyn FnMut() -> bool,
    before_step: &mut dyn FnMut(usize, &mut Session),
) -> Result<Restored, RestoreError> {
    if text.len() > MAX_TEXT {
        return Err(RestoreError::Unreadable(format!(
            "{} bytes, more than {MAX_TEXT}",
            text.len()
        )));
    }
    // The format first, so a future layout is named as such rather than as unreadable.
    let format = serde_json::from_str::<serde_json::Value>(text)
        .map_err(|e| RestoreError::Unreadable(e.to_string()))?
        .get("format")
        .and_then(|f| f.as_u64())
        .ok_or_else(|| RestoreError::Unreadable("no format number".into()))?;
    if format != u64::from(FORMAT) {
        return Err(RestoreError::Format(
            u32::try_from(format).unwrap_or(u32::MAX),
        ));
    }
    let saved: Saved =
        serde_json::from_str(text).map_err(|e| RestoreError::Unreadable(e.to_string()))?;
    replay(
        saved.seed,
        saved.steps,
        &saved.engine,
        limits,
        out_of_time,
        before_step,
    )
}

/// Replay steps on a fresh world made with `seed` (`engine` names who logged them, for
/// [`RestoreError::Diverged`]). Undo replays a log minus its last command this way.
pub fn replay(
    seed: u64,
    steps: Vec<Step>,
    engine: &str,
    limits: Limits,
    out_of_time: &mut dyn FnMut() -> bool,
    before_step: &mut dyn FnMut(usize, &mut Session),
) -> Result<Restored, RestoreError> {
    let mut commands = 0usize;
    let mut ticks = 0u64;
    for step in &steps {
        match step {
            Step::Run(_) => commands += 1,
            Step::Advance { ms, times } => {
                if *ms == 0 || *ms > MAX_TICK_MS {
                    return Err(RestoreError::Unreadable(format!("a clock tick of {ms} ms")));
                }
                ticks = ticks.saturating_add(*times);
            }
        }
    }
    if commands > limits.max_commands || ticks > limits.max_ticks {
        return Err(RestoreError::TooLong { commands, ticks });
    }
    let count = steps.len();
    let mut session = Session::new(seed);
    let mut outputs = Vec::new();
    for (i, step) in steps.into_iter().enumerate() {
        if out_of_time() {
            return Err(RestoreError::OutOfTime {
                step: i + 1,
                steps: count,
            });
        }
        before_step(i, &mut session);
        match step {
            Step::Run(entry) => {
                let context = session.world.cluster().name.clone();
                let namespace = session.namespace_for(session.world.current);
                let out = session.run(&entry.line, entry.stdin.as_deref());
                if out.ok != entry.ok || digest(&out.text) != entry.digest {
                    return Err(RestoreError::Diverged {
                        command: outputs.len() + 1,
                        line: entry.line,
                        engine: engine.to_string(),
                    });
                }
                outputs.push(Replayed {
                    entry,
                    output: out,
                    context,
                    namespace,
                });
            }
            Step::Advance { ms, times } => {
                for t in 0..times {
                    if t % 64 == 63 && out_of_time() {
                        return Err(RestoreError::OutOfTime {
                            step: i + 1,
                            steps: count,
                        });
                    }
                    session.advance(ms);
                }
            }
        }
    }
    Ok(Restored { session, outputs })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::snapshot::Snapshot;

    const POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: nginx
    image: nginx:1.25
";

    /// A session with commands, heredocs, ticks and a failing command, as a learner makes one.
    fn busy() -> Session {
        let mut s = Session::new(7);
        s.run("kubectl apply -f - <<EOF", Some(POD));
        for _ in 0..25 {
            s.advance(200);
        }
        s.run(
            "kubectl create deployment web --image=nginx:1.25 --replicas=3",
            None,
        );
        s.advance(1000);
        s.run("kubectl get pdos", None);
        s.run("kubectl create namespace shop", None);
        s.run(
            "kubectl config set-context --current --namespace=shop",
            None,
        );
        s.run("cat > notes.txt <<EOF", Some("remember\n"));
        for _ in 0..40 {
            s.advance(800);
        }
        s.run("kubectl scale deployment web --replicas=1 -n default", None);
        s.run("sim pod crash hello -n default", None);
        s.advance(3200);
        s
    }

    fn world_text(s: &Session) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            s.world,
            Snapshot::of(&s.world),
            s.namespaces,
            s.laptop_files
        )
    }

    fn never() -> impl FnMut() -> bool {
        || false
    }

    #[test]
    fn replay_gives_the_same_world() {
        let s = busy();
        let text = save(&s);
        let mut r = restore(&text, Limits::default(), &mut never()).unwrap();
        assert_eq!(world_text(&r.session), world_text(&s));
        assert_eq!(r.session.log, s.log);
        assert_eq!(r.outputs.len(), 8);
        assert!(!r.outputs[2].output.ok, "the failed command fails again");
        assert_eq!(
            r.outputs[7].namespace, "shop",
            "the prompt each command had"
        );
        // Runs of equal ticks are one step.
        assert!(s.log.contains(&Step::Advance { ms: 200, times: 25 }));
        // And the two go on alike.
        let mut s = s;
        for line in [
            "kubectl get pods -A",
            "kubectl describe pod hello -n default",
            "cat notes.txt",
        ] {
            assert_eq!(r.session.run(line, None), s.run(line, None), "{line}");
        }
        // Saving the replayed session gives the same text.
        let mut s2 = busy();
        let again = restore(&save(&s2), Limits::default(), &mut never()).unwrap();
        assert_eq!(save(&again.session), save(&s2));
        s2.run("sim seed 9", None);
        let r2 = restore(&save(&s2), Limits::default(), &mut never()).unwrap();
        assert_eq!(world_text(&r2.session), world_text(&s2));
    }

    #[test]
    fn corrupt_text_is_an_error_never_a_panic() {
        let good = save(&busy());
        let unreadable = |t: &str| {
            matches!(
                restore(t, Limits::default(), &mut never()),
                Err(RestoreError::Unreadable(_))
            )
        };
        assert!(unreadable(""));
        assert!(unreadable("{not json"));
        assert!(unreadable(&good[..good.len() / 2]));
        assert!(unreadable("[]"));
        assert!(unreadable(r#"{"format":1}"#));
        assert!(unreadable(
            r#"{"format":1,"engine":"x","seed":-1,"steps":[]}"#
        ));
        assert!(unreadable(
            r#"{"format":1,"engine":"x","seed":1,"steps":[{"advance":{"ms":99999999999,"times":1}}]}"#
        ));
        assert!(unreadable(
            r#"{"format":1,"engine":"x","seed":1,"steps":[{"jump":{}}]}"#
        ));
        assert_eq!(
            restore(
                r#"{"format":2,"anything":true}"#,
                Limits::default(),
                &mut never()
            )
            .err(),
            Some(RestoreError::Format(2))
        );
        // A command that now answers differently (here: its digest edited).
        let mut v: serde_json::Value = serde_json::from_str(&good).unwrap();
        v["steps"][0]["run"]["digest"] = 1.into();
        let edited = v.to_string();
        match restore(&edited, Limits::default(), &mut never()) {
            Err(RestoreError::Diverged {
                command: 1, line, ..
            }) => {
                assert_eq!(line, "kubectl apply -f - <<EOF")
            }
            other => panic!("{:?}", other.err()),
        }
        let ok_flipped = good.replacen("\"ok\":true", "\"ok\":false", 1);
        assert!(matches!(
            restore(&ok_flipped, Limits::default(), &mut never()),
            Err(RestoreError::Diverged { .. })
        ));
        // Bounded: too many steps, or out of time.
        let tight = Limits {
            max_commands: 3,
            max_ticks: 10,
        };
        assert!(matches!(
            restore(&good, tight, &mut never()),
            Err(RestoreError::TooLong { commands: 8, .. })
        ));
        let mut budget = 5;
        let mut clock = move || {
            budget -= 1;
            budget < 0
        };
        assert!(matches!(
            restore(&good, Limits::default(), &mut clock),
            Err(RestoreError::OutOfTime { .. })
        ));
        // An empty log is a fresh world.
        let fresh = restore(
            r#"{"format":1,"engine":"0","seed":3,"steps":[]}"#,
            Limits::default(),
            &mut never(),
        )
        .unwrap();
        assert_eq!(world_text(&fresh.session), world_text(&Session::new(3)));
        // The messages name what happened.
        assert!(RestoreError::Format(2).to_string().contains("format 2"));
    }
}
