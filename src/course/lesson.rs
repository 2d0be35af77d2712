//! The lesson format: one YAML file per lesson under `content/lessons/` (see content/README.md).
//! A lesson has a title and chapter, its text in steps (Markdown), the starting world (a seed,
//! setup commands, files opened in the editor), goals (declarative checks on the world, see
//! `goals.rs`), progressive hints, a solution (commands and files) and a takeaway.

use super::goals::Goal;
use serde::Deserialize;
use std::collections::BTreeMap;

/// A command line, with the text a heredoc (`<<EOF`) would give it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Command {
    Line(String),
    WithInput {
        run: String,
        #[serde(default)]
        stdin: Option<String>,
        /// The command is meant to fail (a refused pod, a file that is gone).
        #[serde(default)]
        fails: bool,
    },
}

impl Command {
    pub fn line(&self) -> &str {
        match self {
            Command::Line(l) => l,
            Command::WithInput { run, .. } => run,
        }
    }
    pub fn may_fail(&self) -> bool {
        matches!(self, Command::WithInput { fails: true, .. })
    }
    pub fn stdin(&self) -> Option<&str> {
        match self {
            Command::Line(_) => None,
            Command::WithInput { stdin, .. } => stdin.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Start {
    #[serde(default = "one")]
    pub seed: u64,
    /// Run before the learner starts (clusters, manifests already applied, time advanced).
    #[serde(default)]
    pub commands: Vec<Command>,
    /// Files opened in the editor, by name.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Files the solution writes first (the learner would edit them in the editor).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lesson {
    pub id: String,
    pub title: String,
    pub chapter: u32,
    /// The lesson's text, one Markdown block per step.
    pub steps: Vec<String>,
    #[serde(default)]
    pub start: Start,
    pub goals: Vec<Goal>,
    #[serde(default)]
    pub hints: Vec<String>,
    pub solution: Solution,
    pub takeaway: String,
    /// The seed sections it teaches (`seed-file#Heading`), for content/README.md's table.
    #[serde(default)]
    pub teaches: Vec<String>,
}

/// A problem in a lesson file, at a line (1-based) where known.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Parse a lesson file's text.
pub fn parse(text: &str) -> Result<Lesson, Problem> {
    let lesson: Lesson = crate::yaml::from_str(text).map_err(|e| Problem {
        line: e.location().map(|l| l.line()).unwrap_or(1),
        message: e.to_string(),
    })?;
    let mut problems = Vec::new();
    if lesson.id.is_empty()
        || !lesson
            .id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        problems.push(format!(
            "id {:?}: lowercase letters, digits and '-' only (it is the #/lesson/ID link)",
            lesson.id
        ));
    }
    if !(1..=10).contains(&lesson.chapter) {
        problems.push(format!("chapter {}: must be 1 to 10", lesson.chapter));
    }
    if lesson.steps.is_empty() {
        problems.push("steps: a lesson needs at least one step of text".into());
    }
    if lesson.goals.is_empty() {
        problems.push("goals: a lesson needs at least one goal".into());
    }
    if lesson.solution.commands.is_empty() {
        problems.push("solution.commands: a lesson needs a solution".into());
    }
    for g in &lesson.goals {
        if let super::goals::Check::Object {
            fields, not_fields, ..
        } = &g.check
        {
            for path in fields.keys().chain(not_fields.keys()) {
                if let Err(e) = super::goals::path_parts(path) {
                    problems.push(format!("goals: {:?}: field path {e}", g.text));
                }
            }
        }
    }
    match problems.first() {
        Some(p) => Err(Problem {
            line: line_of(text, p.split(':').next().unwrap_or("")),
            message: p.clone(),
        }),
        None => Ok(lesson),
    }
}

/// The line of a top-level key (for messages about it).
fn line_of(text: &str, key: &str) -> usize {
    let first = key.split(['.', ' ']).next().unwrap_or(key);
    text.lines()
        .position(|l| l.starts_with(&format!("{first}:")))
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// The built-in lessons, in course order (chapter, then file name).
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "content/course/01-image-vs-container.yaml",
        include_str!("../../content/course/01-image-vs-container.yaml"),
    ),
    (
        "content/course/01-image-pull-backoff.yaml",
        include_str!("../../content/course/01-image-pull-backoff.yaml"),
    ),
    (
        "content/course/02-first-pod.yaml",
        include_str!("../../content/course/02-first-pod.yaml"),
    ),
    (
        "content/course/02-two-containers.yaml",
        include_str!("../../content/course/02-two-containers.yaml"),
    ),
    (
        "content/course/02-new-ip.yaml",
        include_str!("../../content/course/02-new-ip.yaml"),
    ),
    (
        "content/course/02-labels.yaml",
        include_str!("../../content/course/02-labels.yaml"),
    ),
    (
        "content/course/03-deployment-heals.yaml",
        include_str!("../../content/course/03-deployment-heals.yaml"),
    ),
    (
        "content/course/03-scale.yaml",
        include_str!("../../content/course/03-scale.yaml"),
    ),
    (
        "content/course/03-rolling-update.yaml",
        include_str!("../../content/course/03-rolling-update.yaml"),
    ),
    (
        "content/course/03-zero-downtime.yaml",
        include_str!("../../content/course/03-zero-downtime.yaml"),
    ),
    (
        "content/course/03-rollback.yaml",
        include_str!("../../content/course/03-rollback.yaml"),
    ),
    (
        "content/course/03-statefulset.yaml",
        include_str!("../../content/course/03-statefulset.yaml"),
    ),
    (
        "content/course/03-daemonset.yaml",
        include_str!("../../content/course/03-daemonset.yaml"),
    ),
    (
        "content/course/03-job-cronjob.yaml",
        include_str!("../../content/course/03-job-cronjob.yaml"),
    ),
    (
        "content/course/04-clusterip.yaml",
        include_str!("../../content/course/04-clusterip.yaml"),
    ),
    (
        "content/course/04-dns-names.yaml",
        include_str!("../../content/course/04-dns-names.yaml"),
    ),
    (
        "content/course/04-env-discovery.yaml",
        include_str!("../../content/course/04-env-discovery.yaml"),
    ),
    (
        "content/course/04-nodeport.yaml",
        include_str!("../../content/course/04-nodeport.yaml"),
    ),
    (
        "content/course/04-loadbalancer-minikube.yaml",
        include_str!("../../content/course/04-loadbalancer-minikube.yaml"),
    ),
    (
        "content/course/04-externalname.yaml",
        include_str!("../../content/course/04-externalname.yaml"),
    ),
    (
        "content/course/04-kube-proxy.yaml",
        include_str!("../../content/course/04-kube-proxy.yaml"),
    ),
    (
        "content/course/04-readiness.yaml",
        include_str!("../../content/course/04-readiness.yaml"),
    ),
    (
        "content/course/05-configmap-db-name.yaml",
        include_str!("../../content/course/05-configmap-db-name.yaml"),
    ),
    (
        "content/course/05-secret.yaml",
        include_str!("../../content/course/05-secret.yaml"),
    ),
    (
        "content/course/06-restart-starts-clean.yaml",
        include_str!("../../content/course/06-restart-starts-clean.yaml"),
    ),
    (
        "content/course/06-emptydir-shared.yaml",
        include_str!("../../content/course/06-emptydir-shared.yaml"),
    ),
    (
        "content/course/06-pvc-survives.yaml",
        include_str!("../../content/course/06-pvc-survives.yaml"),
    ),
    (
        "content/course/06-statefulset-storage.yaml",
        include_str!("../../content/course/06-statefulset-storage.yaml"),
    ),
    (
        "content/course/07-quota.yaml",
        include_str!("../../content/course/07-quota.yaml"),
    ),
    (
        "content/course/07-names-across-namespaces.yaml",
        include_str!("../../content/course/07-names-across-namespaces.yaml"),
    ),
    (
        "content/course/07-rbac-can-i.yaml",
        include_str!("../../content/course/07-rbac-can-i.yaml"),
    ),
    (
        "content/course/08-nodes-and-masters.yaml",
        include_str!("../../content/course/08-nodes-and-masters.yaml"),
    ),
    (
        "content/course/08-lose-masters.yaml",
        include_str!("../../content/course/08-lose-masters.yaml"),
    ),
    (
        "content/course/08-recover-masters.yaml",
        include_str!("../../content/course/08-recover-masters.yaml"),
    ),
    (
        "content/course/08-worker-fails.yaml",
        include_str!("../../content/course/08-worker-fails.yaml"),
    ),
    (
        "content/course/08-managed-kubernetes.yaml",
        include_str!("../../content/course/08-managed-kubernetes.yaml"),
    ),
    (
        "content/course/09-setup-folder.yaml",
        include_str!("../../content/course/09-setup-folder.yaml"),
    ),
    (
        "content/course/09-clusterip-services.yaml",
        include_str!("../../content/course/09-clusterip-services.yaml"),
    ),
    (
        "content/course/09-gateway-loadbalancer.yaml",
        include_str!("../../content/course/09-gateway-loadbalancer.yaml"),
    ),
    (
        "content/course/10-ingress-routes.yaml",
        include_str!("../../content/course/10-ingress-routes.yaml"),
    ),
    (
        "content/course/10-ambassador-dns-by-hand.yaml",
        include_str!("../../content/course/10-ambassador-dns-by-hand.yaml"),
    ),
    (
        "content/course/10-external-dns.yaml",
        include_str!("../../content/course/10-external-dns.yaml"),
    ),
    (
        "content/course/10-haproxy-ssl-passthrough.yaml",
        include_str!("../../content/course/10-haproxy-ssl-passthrough.yaml"),
    ),
    (
        "content/course/10-one-cluster.yaml",
        include_str!("../../content/course/10-one-cluster.yaml"),
    ),
];

/// Every built-in lesson that parses, sorted by chapter (stable: file order within one).
pub fn all() -> Vec<Lesson> {
    let mut out: Vec<Lesson> = BUILT_IN.iter().filter_map(|(_, t)| parse(t).ok()).collect();
    crate::sim::sort::by_key(&mut out, |l| l.chapter);
    out
}

/// What the course overview shows of a lesson: its link, title and chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub id: String,
    pub title: String,
    pub chapter: u32,
}

impl Head {
    /// The built-in lessons' heads from the generated table (`heads.rs`), in course order: the
    /// page's overview, without the lesson files.
    pub fn built_in() -> Vec<Head> {
        super::heads::HEADS
            .iter()
            .map(|(id, title, chapter)| Head {
                id: id.to_string(),
                title: title.to_string(),
                chapter: *chapter,
            })
            .collect()
    }
}

/// A lesson file's head, read from its top-level `id:`, `title:` and `chapter:` lines (each
/// value decoded as the YAML scalar it is), without decoding the rest of the file. None when a
/// value is not a one-line scalar or is missing: the caller decodes the whole file instead.
fn scan_head(text: &str) -> Option<Head> {
    let (mut id, mut title, mut chapter) = (None, None, None);
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        let value = value.trim();
        if value.is_empty() || value.starts_with(['|', '>', '&', '*', '!', '[', '{']) {
            if matches!(key, "id" | "title" | "chapter") {
                return None;
            }
            continue;
        }
        match key {
            "id" => id = scalar(value),
            "title" => title = scalar(value),
            "chapter" => chapter = value.parse::<u32>().ok().or_else(|| yaml_scalar(value)),
            _ => {}
        }
        if id.is_some() && title.is_some() && chapter.is_some() {
            break;
        }
    }
    Some(Head {
        id: id?,
        title: title?,
        chapter: chapter?,
    })
}

/// A one-line YAML value as a string: the text itself when it is a plain scalar that can only
/// mean that text, else what the YAML decoder makes of it.
fn scalar(value: &str) -> Option<String> {
    let special = |c: char| "#:\"'\\{}[],&*!|>%@`".contains(c);
    let plain = !value.starts_with(['-', '?', '~'])
        && !value.contains(special)
        && value.parse::<f64>().is_err()
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "null" | "true" | "false" | "yes" | "no" | "on" | "off"
        );
    if plain {
        Some(value.to_string())
    } else {
        yaml_scalar(value)
    }
}

fn yaml_scalar<T: serde::de::DeserializeOwned>(value: &str) -> Option<T> {
    crate::yaml::from_str(value).ok()
}

/// The built-in lessons for the page: their heads at once (the overview needs only those), the
/// lessons themselves decoded at the first use, which keeps about a hundred kilobytes of YAML
/// off the start-up path of every page that does not open a lesson.
pub struct Lessons {
    heads: Vec<Head>,
    full: std::sync::OnceLock<Vec<Lesson>>,
}

impl Lessons {
    pub fn built_in() -> Self {
        let mut heads: Vec<Head> = BUILT_IN
            .iter()
            .filter_map(|(_, t)| {
                scan_head(t).or_else(|| {
                    parse(t).ok().map(|l| Head {
                        id: l.id,
                        title: l.title,
                        chapter: l.chapter,
                    })
                })
            })
            .collect();
        crate::sim::sort::by_key(&mut heads, |h| h.chapter);
        Lessons {
            heads,
            full: std::sync::OnceLock::new(),
        }
    }

    /// Every lesson's head, in course order.
    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Every lesson that parses, in course order (decoded at the first call).
    pub fn all(&self) -> &[Lesson] {
        self.full.get_or_init(all)
    }

    pub fn get(&self, id: &str) -> Option<&Lesson> {
        if !self.heads.iter().any(|h| h.id == id) {
            return None;
        }
        self.all().iter().find(|l| l.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heads_table_is_the_lessons_own() {
        let heads = Lessons::built_in().heads().to_vec();
        if std::env::var_os("UPDATE_HEADS").is_some() {
            let mut text = String::new();
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/course/heads.rs");
            let old = std::fs::read_to_string(path).unwrap();
            let head = old.split("pub const HEADS").next().unwrap();
            text.push_str(head);
            text.push_str("pub const HEADS: &[(&str, &str, u32)] = &[\n");
            for h in &heads {
                text.push_str(&format!(
                    "    ({:?}, {:?}, {}),\n",
                    h.id, h.title, h.chapter
                ));
            }
            text.push_str("];\n");
            std::fs::write(path, text).unwrap();
        }
        assert_eq!(
            Head::built_in(),
            heads,
            "src/course/heads.rs is out of date: UPDATE_HEADS=1 cargo test --lib heads_table"
        );
    }

    #[test]
    fn a_head_is_read_as_yaml_reads_it_or_not_at_all() {
        let h = scan_head("id: a-b\ntitle: \"Pods: the smallest unit\" # a comment\nchapter: 2\nsteps:\n  - |\n    title: not this\n");
        assert_eq!(
            h,
            Some(Head {
                id: "a-b".into(),
                title: "Pods: the smallest unit".into(),
                chapter: 2
            })
        );
        assert_eq!(
            scan_head("id: x\ntitle: 'It''s'\nchapter: 3\n").map(|h| h.title),
            Some("It's".into())
        );
        // A block scalar, a missing key or a chapter that is not a number: decode the file.
        assert_eq!(scan_head("id: x\ntitle: >\n  folded\nchapter: 1\n"), None);
        assert_eq!(scan_head("id: x\nchapter: 1\n"), None);
        assert_eq!(scan_head("id: x\ntitle: t\nchapter: one\n"), None);
        // Values that are not plain text go through the decoder.
        for value in ["\"a: b\"", "~", "12", "true", "Pods  "] {
            let head = scan_head(&format!("id: x\ntitle: {value}\nchapter: 1\n"));
            let decoded: Option<String> = crate::yaml::from_str(value).ok();
            assert_eq!(head.map(|h| h.title), decoded, "{value}");
        }
    }
}
