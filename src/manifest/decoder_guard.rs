//! The guard for `yaml::from_str` (issue 6, the wasm's weight): every manifest of the corpus
//! (`../shared/k8s-examples`), the course's lessons, the editor's templates and broken
//! variants of each decode to the same objects and the same errors (text, line and column)
//! with it as with `serde_yaml::from_str`, through `manifest::parse` and the editor's
//! diagnostics.

use super::old_decoder::both;
use super::{diagnostics, parse};
use crate::sim::api::Kinds;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p);
        }
    }
}

/// Broken versions of a manifest: a line (every fifth of the first 60; every one of them with
/// `DECODER_GUARD_FULL=1`, 30,391 texts, a minute) with an unknown field after it, a number
/// made a word, a word made a list, a value made a number or null, a key dedented, and the
/// text cut in half.
pub(crate) fn variants(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = vec![text.to_string()];
    let join = |ls: &[String]| ls.join("\n") + "\n";
    let step = if std::env::var_os("DECODER_GUARD_FULL").is_some() {
        1
    } else {
        5
    };
    for (i, line) in lines.iter().enumerate().take(60).step_by(step) {
        let indent = line.len() - line.trim_start().len();
        let owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        if let Some((key, value)) = line.split_once(": ") {
            let mut v = owned.clone();
            v.insert(i + 1, format!("{}bogusField: 1", " ".repeat(indent)));
            out.push(join(&v));
            let mut v = owned.clone();
            if value.trim().parse::<f64>().is_ok() {
                v[i] = format!("{key}: notANumber");
            } else {
                v[i] = format!("{key}: [1, {{a: b}}]");
            }
            out.push(join(&v));
            let mut v = owned.clone();
            v[i] = format!("{key}: 12");
            out.push(join(&v));
            let mut v = owned.clone();
            v[i] = format!("{key}: ~");
            out.push(join(&v));
        }
        if indent > 0 {
            let mut v = owned.clone();
            v[i] = line[1..].to_string();
            out.push(join(&v));
        }
    }
    out.push(text[..text.len() / 2].to_string());
    out
}

#[test]
fn both_decoders_agree_on_every_manifest_and_its_broken_variants() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("../shared/k8s-examples"), &mut files);
    walk(&root.join("content"), &mut files);
    walk(&root.join("tests"), &mut files);
    let mut checked = 0;
    let mut errors = 0;
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for text in variants(&text) {
            let (old, new) = both(|| parse(&text));
            assert_eq!(old, new, "{}:\n{text}", file.display());
            errors += usize::from(old.is_err());
            let (old, new) = both(|| format!("{:?}", diagnostics::check(&text, Kinds::builtin())));
            assert_eq!(old, new, "{}:\n{text}", file.display());
            checked += 1;
        }
    }
    eprintln!(
        "{} files, {checked} texts, {errors} errors: same with both decoders",
        files.len()
    );
    assert!(checked > 0);
}

/// Both decoders' time over the corpus (`cargo test --release --lib -- --ignored
/// decoder_speed --nocapture`); prints, never fails.
#[test]
#[ignore]
fn decoder_speed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("../shared/k8s-examples"), &mut files);
    let texts: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::read_to_string(f).ok())
        .collect();
    let run = || {
        let start = std::time::Instant::now();
        for _ in 0..20 {
            for t in &texts {
                let _ = std::hint::black_box(parse(t));
            }
        }
        start.elapsed()
    };
    for round in 0..3 {
        let (old, new) = both(run);
        eprintln!(
            "round {round}: {} files × 20: serde_yaml {old:?}, yaml::from_str {new:?}",
            texts.len()
        );
    }
}
