//! What a learner's session needs beyond its journal to be brought back exactly: the editor's
//! files as each command found them (`kubectl apply -f FILE` reads them, and the learner edits
//! them between commands), and undo of the last command (the log minus that command, replayed
//! on a fresh world). The browser keeps one of these per lesson and one for the sandbox.

use crate::shell::files::MemFiles;
use crate::shell::journal::{self, Limits, RestoreError, Restored};
use crate::shell::{Entry, Step};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The editor's files: name to text.
pub type FileSet = BTreeMap<String, String>;

/// Commands' outputs kept for `saw` goals (the newest).
pub const OUTPUTS_MAX: usize = 200;

/// The files the editor held, by log step: from step `i` on (until the next entry), commands
/// read these. Only changes are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileLog {
    pub at: Vec<(usize, FileSet)>,
}

impl FileLog {
    /// One set from the first step on.
    pub fn starting_with(files: FileSet) -> FileLog {
        FileLog {
            at: vec![(0, files)],
        }
    }

    /// The files in effect for step `step` onwards; kept only if they differ from the last.
    pub fn note(&mut self, step: usize, files: &FileSet) {
        self.truncate(step);
        if self.at.last().map(|(_, f)| f) != Some(files) {
            self.at.push((step, files.clone()));
        }
    }

    /// The set that takes effect exactly at `step`, if one does.
    pub fn changed_at(&self, step: usize) -> Option<&FileSet> {
        self.at.iter().find(|(i, _)| *i == step).map(|(_, f)| f)
    }

    /// Forget what took effect at or after `steps` (the log was cut there).
    pub fn truncate(&mut self, steps: usize) {
        self.at.retain(|(i, _)| *i < steps);
    }

    /// A hook for `journal::restore_with`: hand the session its files before each step.
    pub fn apply(&self, step: usize, s: &mut crate::shell::Session) {
        if let Some(f) = self.changed_at(step) {
            s.files = Box::new(MemFiles { files: f.clone() });
        }
    }
}

/// The log with its last command (at or after `keep`, the steps a lesson's start made) and the
/// clock ticks after it taken off; None when there is no such command.
pub fn without_last_command(log: &[Step], keep: usize) -> Option<(Vec<Step>, Entry)> {
    let at = log
        .iter()
        .enumerate()
        .skip(keep)
        .rev()
        .find_map(|(i, s)| matches!(s, Step::Run(_)).then_some(i))?;
    let Step::Run(entry) = &log[at] else {
        return None;
    };
    Some((log[..at].to_vec(), entry.clone()))
}

/// Why undo did nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum UndoError {
    /// No command of the learner's to undo.
    Nothing,
    /// The shorter log did not replay (it should: the engine is deterministic).
    Replay(RestoreError),
}

impl std::fmt::Display for UndoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UndoError::Nothing => write!(f, "there is no command of yours to undo"),
            UndoError::Replay(e) => write!(f, "the shorter log did not replay: {e}"),
        }
    }
}

/// Undo the last command at or after `keep`: the log without it replayed on `Session::new(seed)`
/// with the files each step had. Gives the replay, the files log cut to match, and the command
/// undone.
pub fn undo(
    seed: u64,
    log: &[Step],
    keep: usize,
    files: &FileLog,
    limits: Limits,
    out_of_time: &mut dyn FnMut() -> bool,
) -> Result<(Restored, FileLog, Entry), UndoError> {
    let (steps, undone) = without_last_command(log, keep).ok_or(UndoError::Nothing)?;
    let mut files = files.clone();
    files.truncate(steps.len());
    let restored = journal::replay(
        seed,
        steps,
        journal::ENGINE,
        limits,
        out_of_time,
        &mut |i, s| files.apply(i, s),
    )
    .map_err(UndoError::Replay)?;
    Ok((restored, files, undone))
}

/// Keep the newest [`OUTPUTS_MAX`] outputs.
pub fn push_output(outputs: &mut Vec<String>, text: String) {
    outputs.push(text);
    let extra = outputs.len().saturating_sub(OUTPUTS_MAX);
    outputs.drain(..extra);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::{goals, lesson};
    use crate::shell::Session;
    use crate::sim::snapshot::Snapshot;

    fn files(pairs: &[(&str, &str)]) -> FileSet {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\nspec:\n  containers:\n  - name: nginx\n    image: nginx:1.25\n";

    #[test]
    fn the_file_log_keeps_changes_only_and_is_cut_with_the_log() {
        let mut log = FileLog::starting_with(files(&[("a.yaml", "1")]));
        log.note(3, &files(&[("a.yaml", "1")]));
        assert_eq!(log.at.len(), 1, "an unchanged set is not kept again");
        log.note(3, &files(&[("a.yaml", "2")]));
        log.note(7, &files(&[("a.yaml", "3")]));
        assert_eq!(log.changed_at(3), Some(&files(&[("a.yaml", "2")])));
        assert_eq!(log.changed_at(4), None);
        log.truncate(7);
        assert_eq!(log.at.len(), 2);
        // Noting at a step drops what was noted for later steps (a replaced future).
        log.note(1, &files(&[("b.yaml", "x")]));
        assert_eq!(log.at.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [0, 1]);
    }

    /// A session as the browser makes one: a file applied, edited, applied again, ticks, with
    /// the files noted before each command.
    fn edited_session() -> (Session, FileLog) {
        let mut s = Session::new(5);
        let mut log = FileLog::default();
        let run = |s: &mut Session, log: &mut FileLog, set: &FileSet, line: &str| {
            log.note(s.log.len(), set);
            s.files = Box::new(MemFiles { files: set.clone() });
            s.run(line, None)
        };
        let v1 = files(&[("pod.yaml", POD)]);
        let v2 = files(&[("pod.yaml", &POD.replace("1.25", "1.26"))]);
        assert!(run(&mut s, &mut log, &v1, "kubectl apply -f pod.yaml").ok);
        for _ in 0..30 {
            s.advance(200);
        }
        let out = run(&mut s, &mut log, &v2, "kubectl apply -f pod.yaml");
        assert_eq!(out.text.trim(), "pod/hello configured");
        s.advance(1000);
        run(&mut s, &mut log, &v2, "kubectl get pods");
        (s, log)
    }

    #[test]
    fn a_replay_with_the_file_log_reads_what_each_command_read() {
        let (s, log) = edited_session();
        let text = journal::save(&s);
        // Without the files the first apply finds no file: the replay is refused.
        assert!(matches!(
            journal::restore(&text, Limits::default(), &mut || false),
            Err(RestoreError::Diverged { command: 1, .. })
        ));
        let back = journal::restore_with(&text, Limits::default(), &mut || false, &mut |i, t| {
            log.apply(i, t)
        })
        .map_err(|e| e.to_string())
        .expect("replays");
        assert_eq!(
            format!("{:?}", Snapshot::of(&back.session.world)),
            format!("{:?}", Snapshot::of(&s.world))
        );
        assert_eq!(back.outputs.len(), 3);
    }

    #[test]
    fn undo_takes_off_the_last_command_and_the_ticks_after_it() {
        let (s, log) = edited_session();
        let (back, files, undone) =
            undo(s.seed, &s.log, 0, &log, Limits::default(), &mut || false).expect("undoes");
        assert_eq!(undone.line, "kubectl get pods");
        assert_eq!(back.outputs.len(), 2);
        // The world is the one just before `kubectl get pods`: the second apply, then 1 s.
        let mut again = Session::new(5);
        again.files = Box::new(MemFiles {
            files: files.changed_at(0).cloned().unwrap_or_default(),
        });
        again.run("kubectl apply -f pod.yaml", None);
        for _ in 0..30 {
            again.advance(200);
        }
        again.files = Box::new(MemFiles {
            files: files.changed_at(2).cloned().unwrap_or_default(),
        });
        again.run("kubectl apply -f pod.yaml", None);
        again.advance(1000);
        assert_eq!(
            format!("{:?}", Snapshot::of(&back.session.world)),
            format!("{:?}", Snapshot::of(&again.world))
        );
        // Twice more: the second apply, then the first go; then nothing is left.
        let (b2, f2, u2) = undo(
            back.session.seed,
            &back.session.log,
            0,
            &files,
            Limits::default(),
            &mut || false,
        )
        .expect("undoes");
        assert_eq!(u2.line, "kubectl apply -f pod.yaml");
        assert_eq!(b2.outputs.len(), 1);
        let (b3, f3, _) = undo(
            b2.session.seed,
            &b2.session.log,
            0,
            &f2,
            Limits::default(),
            &mut || false,
        )
        .expect("undoes");
        assert!(b3.session.log.is_empty());
        assert_eq!(
            undo(
                b3.session.seed,
                &b3.session.log,
                0,
                &f3,
                Limits::default(),
                &mut || false
            )
            .err(),
            Some(UndoError::Nothing)
        );
    }

    #[test]
    fn undo_never_takes_a_lessons_start() {
        let all = lesson::all();
        let l = all
            .iter()
            .find(|l| l.id == "scale")
            .expect("the scale lesson");
        let (mut s, _) = goals::start(l);
        let keep = s.log.len();
        assert_eq!(keep, l.start.commands.len(), "one step per start command");
        let log = FileLog::starting_with(l.start.files.clone());
        assert_eq!(
            undo(s.seed, &s.log, keep, &log, Limits::default(), &mut || false).err(),
            Some(UndoError::Nothing)
        );
        let before = format!("{:?}", Snapshot::of(&s.world));
        s.run("kubectl scale deployment web --replicas=5", None);
        let (back, _, undone) =
            undo(s.seed, &s.log, keep, &log, Limits::default(), &mut || false).expect("undoes");
        assert_eq!(undone.line, "kubectl scale deployment web --replicas=5");
        assert_eq!(format!("{:?}", Snapshot::of(&back.session.world)), before);
        // The lesson's goals are as at the start again.
        let outputs: Vec<String> = back.outputs.iter().map(|o| o.output.text.clone()).collect();
        let results = goals::evaluate(
            l,
            &goals::Progress {
                session: &back.session,
                outputs: &outputs,
            },
        );
        assert!(results.iter().all(|r| r.is_err()));
    }

    #[test]
    fn outputs_are_bounded() {
        let mut o = Vec::new();
        for i in 0..OUTPUTS_MAX + 5 {
            push_output(&mut o, i.to_string());
        }
        assert_eq!(o.len(), OUTPUTS_MAX);
        assert_eq!(o[0], "5");
    }
}
