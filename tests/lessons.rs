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

/// The seed table in content/README.md (issue 7, "every heading of every seed document is
/// taught by some lesson"): every lesson it names exists, every row names at least one, and,
/// where the seed documents are at hand (`../shared/seeds`, next to the checkout), every
/// Markdown heading of every seed has a row.
#[test]
fn the_seed_table_names_real_lessons_and_every_seed_heading() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("content/README.md")).expect("README");
    let ids: Vec<String> = lesson::BUILT_IN
        .iter()
        .map(|(f, t)| {
            lesson::parse(t)
                .unwrap_or_else(|p| panic!("{f}: {}", p.message))
                .id
        })
        .collect();
    let mut rows = Vec::new();
    for line in readme.lines() {
        let Some(rest) = line.strip_prefix("| ") else {
            continue;
        };
        let cells: Vec<&str> = rest.trim_end_matches('|').split(" | ").collect();
        if cells.len() != 2 || cells[0] == "seed section" || cells[0].starts_with("---") {
            continue;
        }
        let (section, lessons) = (cells[0].trim(), cells[1].trim());
        if !section.chars().take(3).all(|c| c.is_ascii_digit()) {
            continue;
        }
        let named: Vec<&str> = lessons.split(", ").map(str::trim).collect();
        assert!(!named.is_empty(), "seed row {section:?} names no lesson");
        for id in named {
            assert!(
                ids.iter().any(|i| i == id),
                "seed row {section:?} names {id:?}, which is no lesson"
            );
        }
        rows.push(section.to_string());
    }
    assert!(rows.len() >= 35, "only {} seed rows found", rows.len());
    for id in &ids {
        assert!(
            readme.contains(&format!(" {id},")) || readme.contains(&format!(" {id}.")),
            "lesson {id} is missing from the course-order list in content/README.md"
        );
    }
    let seeds = root.join("../shared/seeds");
    let Ok(dir) = std::fs::read_dir(&seeds) else {
        eprintln!("{} not found: seed headings not compared", seeds.display());
        return;
    };
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let prefix = &name[..3.min(name.len())];
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        for line in text.lines() {
            let Some(h) = line.strip_prefix('#') else {
                continue;
            };
            let heading = h.trim_start_matches('#').trim().replace("**", "");
            let heading = heading.trim();
            let row = format!("{prefix} {heading}");
            assert!(
                rows.contains(&row),
                "seed {name}: heading {heading:?} has no row {row:?} in content/README.md"
            );
        }
    }
}

/// The overview reads each lesson's id, title and chapter from its first lines, without
/// decoding the file; they must be what decoding the whole file gives, in the same order.
#[test]
fn the_heads_read_at_start_up_are_the_lessons_own() {
    let lessons = lesson::Lessons::built_in();
    let full: Vec<(String, String, u32)> = lesson::all()
        .into_iter()
        .map(|l| (l.id, l.title, l.chapter))
        .collect();
    let heads: Vec<(String, String, u32)> = lessons
        .heads()
        .iter()
        .map(|h| (h.id.clone(), h.title.clone(), h.chapter))
        .collect();
    assert_eq!(heads, full);
    assert_eq!(lessons.all().len(), full.len());
    for (id, title, _) in &full {
        assert_eq!(lessons.get(id).map(|l| &l.title), Some(title));
    }
    assert!(lessons.get("no-such-lesson").is_none());
}
