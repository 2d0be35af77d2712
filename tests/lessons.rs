//! Every lesson is checked (issue 7): it parses, its start does not meet its goals, its
//! solution's commands all do what they should, and the solution meets every goal.

use pocket_cluster::course::goals::{self, Progress};
use pocket_cluster::course::lesson;

#[test]
fn every_lesson_file_is_built_in() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/course");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("content/course")
        .filter_map(|e| e.ok())
        .map(|e| format!("content/course/{}", e.file_name().to_string_lossy()))
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    on_disk.sort();
    let mut built: Vec<String> = lesson::BUILT_IN
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    built.sort();
    assert_eq!(on_disk, built, "content/course and lesson::BUILT_IN differ");
}

#[test]
fn every_lesson_starts_unsolved_and_its_solution_solves_it() {
    let mut ids = Vec::new();
    for (file, text) in lesson::BUILT_IN {
        let l = lesson::parse(text).unwrap_or_else(|p| panic!("{file}:{}: {}", p.line, p.message));
        assert!(!ids.contains(&l.id), "{file}: duplicate id {}", l.id);
        ids.push(l.id.clone());
        let (s, outputs) = goals::start(&l);
        let at_start = goals::evaluate(
            &l,
            &Progress {
                session: &s,
                outputs: &outputs,
            },
        );
        assert!(
            at_start.iter().any(|r| r.is_err()),
            "{file}: the start already meets every goal"
        );
        let (s, outputs, failed) = goals::solve(&l);
        assert_eq!(failed, None, "{file}: the solution");
        for (g, r) in l.goals.iter().zip(goals::evaluate(
            &l,
            &Progress {
                session: &s,
                outputs: &outputs,
            },
        )) {
            assert_eq!(r, Ok(()), "{file}: goal {:?} after the solution", g.text);
        }
    }
}

#[test]
fn a_goal_says_what_it_expected_and_found() {
    let (_, text) = lesson::BUILT_IN
        .iter()
        .find(|(n, _)| n.ends_with("06-emptydir-shared.yaml"))
        .expect("the emptyDir lesson");
    let mut l = lesson::parse(text).expect("parses");
    l.solution
        .commands
        .retain(|c| !c.line().starts_with("sim pod crash"));
    let (s, outputs, failed) = goals::solve(&l);
    assert_eq!(failed, None);
    let results = goals::evaluate(
        &l,
        &Progress {
            session: &s,
            outputs: &outputs,
        },
    );
    assert_eq!(results[1], Ok(()));
    assert_eq!(
        results[2],
        Err("expected pod web to have restarted at least 1 time(s); it restarted 0".into())
    );
}
