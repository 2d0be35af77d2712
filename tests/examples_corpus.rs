//! The manifest layer against a corpus of real Kubernetes manifests (`../shared/k8s-examples/`):
//! the Kubernetes website examples (v1.29 docs) and a few ingress/DNS projects' deploy files.
//!
//! What it checks:
//! - `manifest::parse` never panics, and every error it returns says something;
//! - YAML that real Kubernetes reads is never called a syntax error (except the oddities the
//!   corpus' README lists, named below);
//! - files made only of Pods and Namespaces parse and apply (`pod/x created`);
//! - every other file goes through `kubectl apply -f -` without a panic and with some output.
//!
//! `cargo test --test examples_corpus -- --nocapture` prints a summary line.
//! If the corpus folder is missing, the tests print a note and pass.

use pocket_cluster::manifest::{self, ApiObject, ManifestErrorKind};
use pocket_cluster::shell::Session;
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// Files the corpus README lists as known oddities. A `Syntax` error on these is not a failure of
/// the test (the oddities have a test of their own below, `known_oddities`).
const KNOWN_ODDITIES: &[(&str, &str)] = &[
    // A snippet, not a manifest: it does not parse as YAML (VALIDATION.tsv: PARSE_ERROR).
    (
        "validatingadmissionpolicy/failure-policy-ignore.yaml",
        "not valid YAML",
    ),
    // Flow-style YAML (`{ apiVersion: "apps/v1", … }`) right after a leading `---`.
    (
        "application/basic-daemonset.yaml",
        "flow-style YAML after ---",
    ),
    // The last line has no trailing newline.
    ("pods/inject/envFrom.yaml", "no trailing newline"),
    // Uses the removed Service field `ipFamily` (the validator rejects it for 1.29).
    (
        "service/networking/dual-stack-ipv6-svc.yaml",
        "removed field ipFamily",
    ),
];

/// Pod files that real Kubernetes accepts but the simulator's types do not (yet). They are left
/// out of the strict checks; `simulator_gaps_parse` (ignored) lists them until they are fixed.
const SIMULATOR_GAPS: &[(&str, &str)] = &[];

/// Kinds the simulated API server (Kubernetes v1.31) really serves, which the manifest layer calls
/// "no such kind" (`NoMatch`) instead of "not simulated yet". `served_kinds_are_not_no_match`
/// (ignored) checks them.
const KIND_GAPS: &[(&str, &str)] = &[
    // simulator gap: KNOWN_KINDS lacks ReplicationController (core v1, served by every version).
    ("ReplicationController", "v1"),
    // simulator gap: KNOWN_KINDS lacks FlowSchema (flowcontrol.apiserver.k8s.io/v1, GA in 1.29).
    ("FlowSchema", "flowcontrol.apiserver.k8s.io/v1"),
];

/// The corpus folder, or `None` (with a note) when it is not there.
fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/k8s-examples");
    if dir.join("INDEX.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "note: corpus {} not found; skipping the examples corpus tests",
            dir.display()
        );
        None
    }
}

/// One corpus file, with what INDEX.tsv and VALIDATION.tsv say about it.
struct Example {
    /// Path relative to the corpus root, `/`-separated.
    path: String,
    text: String,
    /// INDEX.tsv column 2, split at commas.
    kinds: Vec<String>,
    /// VALIDATION.tsv, Kubernetes 1.29 strict: `PASS`, `FAIL`, `NOSCHEMA`, `PARSE_ERROR` (no count).
    validation: String,
}

impl Example {
    fn only_pods_and_namespaces(&self) -> bool {
        !self.kinds.is_empty() && self.kinds.iter().all(|k| k == "Pod" || k == "Namespace")
    }
    fn only_pods(&self) -> bool {
        !self.kinds.is_empty() && self.kinds.iter().all(|k| k == "Pod")
    }
    /// The schema validator rejected it for Kubernetes 1.29: it may legitimately fail here too.
    fn rejected_by_validator(&self) -> bool {
        self.validation == "FAIL" || self.validation == "PARSE_ERROR"
    }
    fn oddity(&self) -> Option<&'static str> {
        KNOWN_ODDITIES
            .iter()
            .find(|(p, _)| *p == self.path)
            .map(|(_, why)| *why)
    }
    fn gap(&self) -> Option<&'static str> {
        SIMULATOR_GAPS
            .iter()
            .find(|(p, _)| *p == self.path)
            .map(|(_, why)| *why)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "json")
        ) {
            out.push(p);
        }
    }
}

/// `path <TAB> column…` files as a map from path to the columns after it.
fn read_tsv(path: &Path, skip_header: bool) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(usize::from(skip_header))
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t').map(str::to_string);
            let path = cols.next().unwrap_or_default();
            (path, cols.collect())
        })
        .collect()
}

fn load() -> Option<Vec<Example>> {
    let dir = corpus_dir()?;
    let index = read_tsv(&dir.join("INDEX.tsv"), false);
    let validation = read_tsv(&dir.join("VALIDATION.tsv"), true);
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&dir)
            .expect("under the corpus")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = std::fs::read(&f).expect("readable corpus file");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let kinds = index
            .get(&rel)
            .and_then(|c| c.first())
            .map(|k| k.split(',').map(str::to_string).collect())
            .unwrap_or_default();
        let validation = validation
            .get(&rel)
            .and_then(|c| c.first())
            .map(|v| v.split('(').next().unwrap_or("").to_string())
            .unwrap_or_default();
        out.push(Example {
            path: rel,
            text,
            kinds,
            validation,
        });
    }
    assert!(
        !out.is_empty(),
        "the corpus folder exists but holds no .yaml/.yml/.json files"
    );
    Some(out)
}

/// `manifest::parse`, with a panic turned into an `Err` carrying its message.
fn parse_no_panic(
    text: &str,
) -> Result<Result<Vec<manifest::Document>, manifest::ManifestError>, String> {
    catch_unwind(|| manifest::parse(text)).map_err(|e| panic_message(&*e))
}

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// `CORPUS_VERBOSE=1` prints each file's outcome.
fn verbose() -> bool {
    std::env::var_os("CORPUS_VERBOSE").is_some()
}

/// The error's kind, whether the field holds it directly or boxed.
fn kind_of(e: &manifest::ManifestError) -> &ManifestErrorKind {
    e.kind.borrow()
}

fn fail_all(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n  {}",
        failures.len(),
        failures.join("\n  ")
    );
}

#[test]
fn corpus_is_indexed() {
    let Some(examples) = load() else { return };
    let unindexed: Vec<String> = examples
        .iter()
        .filter(|e| e.kinds.is_empty() || e.validation.is_empty())
        .map(|e| e.path.clone())
        .collect();
    fail_all(
        "corpus files missing from INDEX.tsv or VALIDATION.tsv",
        &unindexed,
    );
}

#[test]
fn every_file_parses_without_panic_or_bogus_syntax_errors() {
    let Some(examples) = load() else { return };
    let mut failures = Vec::new();
    let (mut parsed, mut not_simulated, mut errors) = (0, 0, 0);
    let mut error_kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for ex in &examples {
        let result = match parse_no_panic(&ex.text) {
            Ok(r) => r,
            Err(panic) => {
                failures.push(format!("{}: manifest::parse panicked: {panic}", ex.path));
                errors += 1;
                continue;
            }
        };
        if verbose() {
            match &result {
                Ok(docs) => eprintln!("{}: ok, {} documents", ex.path, docs.len()),
                Err(e) => eprintln!("{}: {:?}: {}", ex.path, kind_of(e), e.located()),
            }
        }
        match result {
            Ok(docs) => {
                parsed += 1;
                // Sanity: every document start line is inside the file.
                let lines = ex.text.lines().count().max(1);
                for d in &docs {
                    if d.line == 0 || d.line > lines {
                        failures.push(format!(
                            "{}: document line {} outside the file (1..={lines})",
                            ex.path, d.line
                        ));
                    }
                }
                if ex.only_pods() && docs.iter().any(|d| d.object.kind() != "Pod") {
                    failures.push(format!(
                        "{}: INDEX.tsv says only Pods, parse gave {:?}",
                        ex.path,
                        docs.iter().map(|d| d.object.kind()).collect::<Vec<_>>()
                    ));
                }
            }
            Err(e) => {
                if e.message.trim().is_empty() {
                    failures.push(format!("{}: error with an empty message: {e:?}", ex.path));
                }
                if e.kubectl("STDIN").trim().is_empty() || e.located().trim().is_empty() {
                    failures.push(format!("{}: error renders as empty text: {e:?}", ex.path));
                }
                let label = match kind_of(&e) {
                    ManifestErrorKind::Syntax => "Syntax",
                    ManifestErrorKind::MissingTypeInfo(_) => "MissingTypeInfo",
                    ManifestErrorKind::Decoding { .. } => "Decoding",
                    ManifestErrorKind::NoMatch { .. } => "NoMatch",
                    ManifestErrorKind::NotSimulated { .. } => "NotSimulated",
                    ManifestErrorKind::TooLarge => "TooLarge",
                };
                *error_kinds.entry(label).or_default() += 1;
                match kind_of(&e) {
                    ManifestErrorKind::NotSimulated { .. } => not_simulated += 1,
                    _ => errors += 1,
                }
                let excused = ex.oddity().is_some() || ex.validation == "PARSE_ERROR";
                if *kind_of(&e) == ManifestErrorKind::Syntax && !excused {
                    failures.push(format!(
                        "{}: Syntax error on YAML that Kubernetes reads: {}",
                        ex.path,
                        e.located()
                    ));
                }
                if ex.only_pods_and_namespaces()
                    && !ex.rejected_by_validator()
                    && ex.gap().is_none()
                {
                    failures.push(format!(
                        "{}: a Pod/Namespace file real Kubernetes accepts failed to parse: {}",
                        ex.path,
                        e.located()
                    ));
                }
            }
        }
    }
    eprintln!(
        "corpus: {} files, {parsed} parsed, {not_simulated} not simulated yet, {errors} errors {error_kinds:?}",
        examples.len()
    );
    fail_all("parse failures", &failures);
}

/// The README's oddities, one by one: each gets the clear outcome it deserves.
#[test]
fn known_oddities() {
    let Some(examples) = load() else { return };
    let get = |p: &str| {
        examples
            .iter()
            .find(|e| e.path == p)
            .map(|e| e.text.as_str())
    };
    if let Some(text) = get("validatingadmissionpolicy/failure-policy-ignore.yaml") {
        // `spec:` then a `...` document end, then more keys: PyYAML calls it a syntax error; a
        // YAML 1.2 reader (and the simulator, which splits documents at `...`) sees two documents.
        // Either way it is not a manifest: some error, located.
        let e = manifest::parse(text).expect_err("a YAML snippet is not a manifest");
        assert!(e.line.is_some(), "the error names its line: {e:?}");
    }
    if let Some(text) = get("application/basic-daemonset.yaml") {
        // Flow-style YAML after `---` is still YAML: it parses to the DaemonSet it describes.
        let docs = manifest::parse(text).expect("flow-style YAML parses");
        assert!(
            docs.iter().any(|d| d.object.kind() == "DaemonSet"),
            "{docs:?}"
        );
    }
    if let Some(text) = get("pods/inject/envFrom.yaml") {
        assert!(!text.ends_with('\n'), "the oddity is still there");
        let docs = manifest::parse(text).expect("a missing final newline is fine");
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].object.kind(), "Pod");
    }
    if let Some(text) = get("service/networking/dual-stack-ipv6-svc.yaml") {
        let e = manifest::parse(text).expect_err("Service is not simulated");
        assert_ne!(*kind_of(&e), ManifestErrorKind::Syntax, "{e:?}");
    }
}

/// Namespaces the Pods of a file name (other than the ones the file itself creates).
fn namespaces_needed(docs: &[manifest::Document]) -> BTreeSet<String> {
    let created: BTreeSet<&str> = docs
        .iter()
        .filter_map(|d| match &d.object {
            ApiObject::Namespace(n) => Some(n.metadata.name.as_str()),
            _ => None,
        })
        .collect();
    docs.iter()
        .filter_map(|d| match &d.object {
            ApiObject::Pod(p) => Some(p.metadata.namespace.clone()),
            _ => None,
        })
        .filter(|ns| !ns.is_empty() && !created.contains(ns.as_str()))
        .collect()
}

#[test]
fn every_file_applies_without_panic() {
    let Some(examples) = load() else { return };
    let mut failures = Vec::new();
    let (mut created, mut refused) = (0, 0);
    for ex in &examples {
        let strict = ex.only_pods_and_namespaces()
            && !ex.rejected_by_validator()
            && ex.gap().is_none()
            && ex.oddity().is_none();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let mut s = Session::new(1);
            let mut setup = Vec::new();
            if strict {
                if let Ok(docs) = manifest::parse(&ex.text) {
                    for ns in namespaces_needed(&docs) {
                        let out = s.run(&format!("kubectl create namespace {ns}"), None);
                        if !out.ok && !out.text.contains("already exists") {
                            setup.push(format!("kubectl create namespace {ns}: {}", out.text));
                        }
                    }
                }
            }
            (s.run("kubectl apply -f -", Some(&ex.text)), setup)
        }));
        let (out, setup) = match outcome {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!(
                    "{}: kubectl apply panicked: {}",
                    ex.path,
                    panic_message(&*e)
                ));
                continue;
            }
        };
        if out.text.trim().is_empty() {
            failures.push(format!("{}: kubectl apply printed nothing", ex.path));
        }
        if out.ok {
            created += 1;
        } else {
            refused += 1;
            if verbose() {
                eprintln!(
                    "refused {}: {}",
                    ex.path,
                    out.text.lines().last().unwrap_or("")
                );
            }
        }
        if strict {
            failures.extend(setup.into_iter().map(|e| format!("{}: {e}", ex.path)));
            if !out.ok || !out.text.contains("created") {
                failures.push(format!(
                    "{}: kubectl apply failed (ok={}):\n      {}",
                    ex.path,
                    out.ok,
                    out.text.replace('\n', "\n      ")
                ));
            }
        }
    }
    eprintln!(
        "corpus apply: {} files, {created} applied, {refused} refused",
        examples.len()
    );
    fail_all("apply failures", &failures);
}

/// The Pod files the simulator's types cannot read yet. Run with `--ignored` after a fix; when it
/// passes, empty [`SIMULATOR_GAPS`].
#[test]
#[ignore = "simulator gaps: real Pod fields the types in src/sim/api/types.rs lack"]
fn simulator_gaps_parse() {
    let Some(examples) = load() else { return };
    let mut failures = Vec::new();
    for ex in examples.iter().filter(|e| e.gap().is_some()) {
        if let Err(e) = manifest::parse(&ex.text) {
            failures.push(format!(
                "{} ({}): {}",
                ex.path,
                ex.gap().unwrap_or(""),
                e.located()
            ));
        }
    }
    fail_all("simulator gaps still open", &failures);
}

/// Real, served kinds should get "not simulated yet", not "no matches for kind". Run with
/// `--ignored` after adding them to `KNOWN_KINDS` in src/manifest/mod.rs.
#[test]
#[ignore = "simulator gaps: served kinds missing from manifest::KNOWN_KINDS"]
fn served_kinds_are_not_no_match() {
    let Some(examples) = load() else { return };
    let mut failures = Vec::new();
    for ex in &examples {
        if let Err(e) = manifest::parse(&ex.text) {
            if let ManifestErrorKind::NoMatch { kind, version, .. } = kind_of(&e) {
                if KIND_GAPS.contains(&(kind.as_str(), version.as_str())) {
                    failures.push(format!("{}: {}", ex.path, e.located()));
                }
            }
        }
    }
    fail_all("served kinds called unknown", &failures);
}

/// Emissary's own manifests (Mappings, Hosts, Listeners, Modules from its test data and docs)
/// apply on a cluster that has Emissary's CRDs: our trimmed CRD schemas accept what the real
/// ones do (issue 4). Namespaces they name are created first, as their deployments would.
#[test]
fn emissary_manifests_apply_once_its_crds_are_installed() {
    let Some(examples) = load() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for ex in examples
        .iter()
        .filter(|e| e.path.starts_with("extra/emissary/"))
    {
        let mut s = Session::new(1);
        let crds = s.run(
            "kubectl apply -f https://app.getambassador.io/yaml/emissary/3.9.1/emissary-crds.yaml",
            None,
        );
        assert!(crds.ok, "{}", crds.text);
        let namespaces: BTreeSet<String> = ex
            .text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("namespace:"))
            .map(|n| n.trim().trim_matches('"').to_string())
            .filter(|n| !n.is_empty() && n != "default" && !n.contains(' '))
            .collect();
        for ns in namespaces {
            s.run(&format!("kubectl create namespace {ns}"), None);
        }
        let out = s.run("kubectl apply -f -", Some(&ex.text));
        checked += 1;
        if !out.ok {
            failures.push(format!(
                "{}: {}",
                ex.path,
                out.text.replace('\n', "\n      ")
            ));
        }
    }
    eprintln!("emissary corpus: {checked} files applied after the CRDs");
    fail_all("Emissary manifests refused", &failures);
}
