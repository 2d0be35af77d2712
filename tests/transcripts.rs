//! Transcript tests: each file in tests/transcripts/ is a session. `$ COMMAND` lines (with the
//! heredoc body after them, if any) are run in order; the lines up to the next `$` are the exact
//! output expected. `## ` lines are comments (fact numbers from the behaviour reference), and a
//! `## seed: N` line sets the world's seed.
//!
//! UPDATE_TRANSCRIPTS=1 cargo test --test transcripts rewrites the expected output in place.

use pocket_cluster::shell::{lex, Session};
use std::path::Path;

struct Step {
    /// The file's lines for this step (command, heredoc, comments): kept as written.
    head: Vec<String>,
    command: String,
    stdin: Option<String>,
    expected: Vec<String>,
}

fn parse(text: &str) -> (u64, Vec<String>, Vec<Step>) {
    let mut seed = 1;
    let mut preamble = Vec::new();
    let mut steps: Vec<Step> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut pending_comments: Vec<String> = Vec::new();
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if let Some(s) = line.strip_prefix("## seed:") {
            seed = s.trim().parse().expect("seed must be a number");
        }
        if line.starts_with("## ") || line == "##" {
            if steps.is_empty() {
                preamble.push(line.to_string());
            } else {
                pending_comments.push(line.to_string());
            }
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut head = std::mem::take(&mut pending_comments);
            head.push(line.to_string());
            let mut stdin = None;
            if let Ok(l) = lex::lex(cmd) {
                if let Some((delim, _)) = l.heredoc {
                    let mut body = String::new();
                    while i < lines.len() {
                        let b = lines[i];
                        i += 1;
                        head.push(b.to_string());
                        if b.trim_end() == delim {
                            break;
                        }
                        body.push_str(b);
                        body.push('\n');
                    }
                    stdin = Some(body);
                }
            }
            steps.push(Step {
                head,
                command: cmd.to_string(),
                stdin,
                expected: Vec::new(),
            });
            continue;
        }
        match steps.last_mut() {
            Some(step) => {
                // Comments waiting to attach to the next command are output after all.
                step.expected.append(&mut pending_comments);
                step.expected.push(line.to_string());
            }
            None => preamble.push(line.to_string()),
        }
    }
    (seed, preamble, steps)
}

fn run_file(path: &Path, update: bool) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let (seed, preamble, steps) = parse(&text);
    let mut session = Session::new(seed);
    let mut rewritten: Vec<String> = preamble;
    let mut failures = Vec::new();
    for step in &steps {
        let out = session.run(&step.command, step.stdin.as_deref());
        let got: Vec<String> = if out.text.is_empty() {
            Vec::new()
        } else {
            out.text
                .trim_end_matches('\n')
                .lines()
                .map(|l| l.trim_end().to_string())
                .collect()
        };
        let expected: Vec<String> = step
            .expected
            .iter()
            .map(|l| l.trim_end().to_string())
            .collect();
        if got != expected {
            failures.push(format!(
                "  $ {}\n  --- expected\n{}\n  +++ got\n{}",
                step.command,
                expected
                    .iter()
                    .map(|l| format!("  | {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
                got.iter()
                    .map(|l| format!("  | {l}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            ));
        }
        rewritten.extend(step.head.iter().cloned());
        rewritten.extend(got);
    }
    if update {
        let mut body = rewritten.join("\n");
        body.push('\n');
        std::fs::write(path, body).map_err(|e| e.to_string())?;
        return Ok(());
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

#[test]
fn transcripts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let update = std::env::var("UPDATE_TRANSCRIPTS").is_ok_and(|v| v == "1");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no transcripts found");
    let mut failed = Vec::new();
    for f in &files {
        if let Err(e) = run_file(f, update) {
            failed.push(format!("{}:\n{e}", f.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "transcripts differ:\n{}",
        failed.join("\n\n")
    );
}
