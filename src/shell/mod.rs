//! The command language shared by the browser terminal, `pocket-cluster run|shell` and the tests:
//! parse a line, run it against the world, print what kubectl (or the shell) would print.

pub mod complete;
pub mod field_docs;
pub mod files;
pub mod flags;
pub mod format;
pub mod journal;
pub mod kubectl;
pub mod laptop;
pub mod lex;
pub mod local_files;
pub mod minikube;
pub mod preview;
pub mod script;
pub mod sim_cmd;
pub mod sim_dns;

use crate::sim::World;
use files::{Files, MemFiles};
use std::collections::BTreeMap;

/// What a command printed, and whether it succeeded (its exit status was 0).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Output {
    pub text: String,
    pub ok: bool,
}

impl Output {
    pub fn ok(text: impl Into<String>) -> Self {
        Output {
            text: text.into(),
            ok: true,
        }
    }
    pub fn err(text: impl Into<String>) -> Self {
        Output {
            text: text.into(),
            ok: false,
        }
    }
}

/// One command as it was run, for replay (undo, share links, a saved session).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub line: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdin: Option<String>,
    /// Whether it succeeded, and a digest of what it printed: a replay that answers
    /// differently is not the same session (`journal::restore`).
    pub ok: bool,
    pub digest: u64,
}

/// A step of a session's log: a command, or the clock moved by the UI (`times` ticks of `ms`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Run(Entry),
    Advance { ms: u64, times: u64 },
}

/// A learner's session: the world, the files kubectl can read, and the log of commands.
pub struct Session {
    pub world: World,
    pub files: Box<dyn Files>,
    /// Everything done to the world since it was made with `seed`: replaying it on
    /// `Session::new(seed)` gives the same world (`journal.rs`).
    pub log: Vec<Step>,
    /// The seed the session started from (`sim seed` later makes a new world, in the log).
    pub seed: u64,
    /// The namespace each context defaults to (`kubectl config set-context --current --namespace`).
    pub namespaces: BTreeMap<String, String>,
    /// The path of the last request a network tool made (`sim trace` prints it).
    pub last_trace: Vec<crate::sim::network::Hop>,
    /// What the laptop's tools wrote (`curl -o page.html`).
    pub laptop_files: BTreeMap<String, String>,
    /// `kubectl port-forward`s, running or ended (`jobs`, `kill %N`).
    pub port_forwards: Vec<kubectl::port_forward::PortForward>,
    /// Who the running kubectl command acts as (`--as`); None: the learner, cluster-admin.
    pub user: Option<crate::sim::api::rbac::UserInfo>,
    /// The network snapshot requests share while the world stays as it is.
    pub net_cache: crate::sim::net::NetCache,
    /// What the plots show: replicas over time, requests per pod, errors and latency.
    pub metrics: crate::sim::metrics::Metrics,
}

impl Session {
    pub fn new(seed: u64) -> Session {
        Session::with_files(seed, Box::new(MemFiles::default()))
    }

    pub fn with_files(seed: u64, files: Box<dyn Files>) -> Session {
        Session {
            world: World::new(seed),
            files,
            log: Vec::new(),
            seed,
            namespaces: BTreeMap::new(),
            last_trace: Vec::new(),
            laptop_files: BTreeMap::new(),
            port_forwards: Vec::new(),
            user: None,
            net_cache: Default::default(),
            metrics: Default::default(),
        }
    }

    /// The default namespace of the context for cluster `index`.
    pub fn namespace_for(&self, index: usize) -> String {
        self.world
            .clusters
            .get(index)
            .and_then(|c| self.namespaces.get(&c.name))
            .cloned()
            .unwrap_or_else(|| "default".into())
    }

    /// End the port-forwards whose pod is gone: kubectl exits with `error: lost connection to
    /// pod`, and the shell reports the job done before the next command's output.
    fn refresh_forwards(&mut self) -> String {
        let mut notices = Vec::new();
        for f in &mut self.port_forwards {
            if !f.running {
                continue;
            }
            let alive = self.world.clusters.get(f.cluster).is_some_and(|c| {
                c.store.pods.get(&f.namespace, &f.pod).is_some_and(|p| {
                    p.metadata.uid == f.pod_uid && p.metadata.deletion_timestamp.is_none()
                })
            });
            if !alive {
                f.running = false;
                notices.push(format!(
                    "error: lost connection to pod\n[{}]+  Exit 1                  {}",
                    f.job, f.line
                ));
            }
        }
        self.port_forwards.retain(|f| f.running);
        notices.join("\n")
    }

    /// The live port-forwards, as the laptop's network sees them.
    pub fn local_forwards(&self) -> Vec<crate::sim::net::LocalForward> {
        self.port_forwards
            .iter()
            .filter(|f| f.running)
            .flat_map(|f| {
                f.ports.iter().map(|(l, r)| crate::sim::net::LocalForward {
                    local: *l,
                    remote: *r,
                    cluster: f.cluster,
                    namespace: f.namespace.clone(),
                    pod: f.pod.clone(),
                    job: f.job,
                })
            })
            .collect()
    }

    /// `jobs`: the background port-forwards; ended ones are shown once, then forgotten.
    fn jobs(&mut self) -> String {
        let n = self.port_forwards.len();
        self.port_forwards
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let mark = if i + 1 == n { "+" } else { " " };
                format!("[{}]{mark}  Running                 {} &", f.job, f.line)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// `kill %N` (or `kill %%`): stop a background port-forward.
    fn kill(&mut self, args: &[String]) -> Output {
        let Some(spec) = args
            .iter()
            .find(|a| !a.starts_with('-') || a.starts_with("%"))
        else {
            return Output::err("kill: usage: kill %JOB (jobs lists them)");
        };
        let job = match spec.as_str() {
            "%%" | "%+" | "%" => self
                .port_forwards
                .iter()
                .filter(|f| f.running)
                .map(|f| f.job)
                .max(),
            s => s.strip_prefix('%').and_then(|n| n.parse::<usize>().ok()),
        };
        let Some(job) = job else {
            return Output::err(format!(
                "sh: kill: {spec}: arguments must be process or job IDs"
            ));
        };
        match self
            .port_forwards
            .iter()
            .position(|f| f.running && f.job == job)
        {
            Some(i) => {
                let f = self.port_forwards.remove(i);
                Output::ok(format!("[{}]+  Terminated              {}", f.job, f.line))
            }
            None => Output::err(format!("sh: kill: %{job}: no such job")),
        }
    }

    /// Run one command line (with a heredoc's text as `stdin`), log it, and return its output.
    pub fn run(&mut self, line: &str, stdin: Option<&str>) -> Output {
        let out = self.execute(line, stdin);
        self.record_loop_requests();
        self.metrics.observe(&self.world);
        self.log.push(Step::Run(Entry {
            line: line.to_string(),
            stdin: stdin.map(|s| s.to_string()),
            ok: out.ok,
            digest: journal::digest(&out.text),
        }));
        out
    }

    /// Move the clock outside any command (the UI's ticks and +1s), logged so that a replay
    /// moves it the same way. Runs of equal ticks are one step.
    pub fn advance(&mut self, ms: u64) {
        self.world.advance(ms);
        self.record_loop_requests();
        self.metrics.observe(&self.world);
        match self.log.last_mut() {
            Some(Step::Advance { ms: last, times }) if *last == ms => *times += 1,
            _ => self.log.push(Step::Advance { ms, times: 1 }),
        }
    }

    /// The requests the containers' shell loops made while the clock moved, for the plots,
    /// each at the moment its round ran.
    fn record_loop_requests(&mut self) {
        for (at, requests) in crate::sim::loops::take_requests(&mut self.world) {
            self.metrics.record_at(&self.world, at, &requests);
        }
    }

    fn execute(&mut self, line: &str, stdin: Option<&str>) -> Output {
        let notices = self.refresh_forwards();
        let mut out = self.execute_line(line, stdin);
        if !notices.is_empty() {
            out.text = if out.text.is_empty() {
                notices
            } else {
                format!("{notices}\n{}", out.text)
            };
        }
        out
    }

    fn execute_line(&mut self, line: &str, stdin: Option<&str>) -> Output {
        // A trailing `&` runs the command in the background: every command here finishes at
        // once except port-forward, which keeps running either way.
        let line = match line.trim_end().strip_suffix('&') {
            Some(rest)
                if !rest.ends_with('&') && lex::lex(rest).is_ok_and(|l| l.operator.is_none()) =>
            {
                rest
            }
            _ => line,
        };
        let lexed = match lex::lex(line) {
            Ok(l) => l,
            Err(e) => return Output::err(format!("sh: {e}")),
        };
        if lexed.words.first().is_some_and(|w| w == "cat") {
            if let Some(out) =
                local_files::cat(self, &lexed.words, lexed.operator.as_deref(), stdin)
            {
                return out;
            }
        }
        if let Some(op) = &lexed.operator {
            return Output::err(format!(
                "sh: '{op}' (pipes, redirections and command lists) is not supported at this prompt; run one command at a time"
            ));
        }
        let words = lexed.words;
        let Some(first) = words.first() else {
            return Output::ok("");
        };
        match first.as_str() {
            "kubectl" | "k" => kubectl::run(self, &words[1..], stdin),
            "minikube" if words.get(1).map(String::as_str) == Some("kubectl") => {
                // `minikube kubectl -- get pods` is kubectl with minikube's own binary.
                let rest: Vec<String> = words[2..]
                    .iter()
                    .skip_while(|w| *w == "--")
                    .cloned()
                    .collect();
                kubectl::run(self, &rest, stdin)
            }
            "minikube" => minikube::run(self, &words[1..]),
            prog if crate::sim::nettools::is_tool(prog) => {
                laptop::run(self, prog, &words[1..], stdin)
            }
            "sim" => sim_cmd::run(self, &words[1..]),
            "jobs" => Output::ok(self.jobs()),
            "kill" => self.kill(&words[1..]),
            "help" => Output::ok(HELP),
            "echo" => Output::ok(words[1..].join(" ")),
            "ls" => local_files::ls(self, &words),
            "mkdir" => local_files::mkdir(self, &words),
            other => Output::err(format!("sh: {other}: command not found")),
        }
    }
}

const HELP: &str = "Commands:
  kubectl …              talk to the current cluster (kubectl with no arguments lists what is simulated)
  sim advance DURATION   move the virtual clock (30s, 5m, 1h30m)
  sim clusters           list the clusters in this world
  cat FILE, ls, mkdir    your own files (cat > FILE <<EOF writes one)
  sim seed N             start a fresh world with seed N
  help                   this text";
