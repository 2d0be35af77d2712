//! The command language shared by the browser terminal, `pocket-cluster run|shell` and the tests:
//! parse a line, run it against the world, print what kubectl (or the shell) would print.

pub mod files;
pub mod flags;
pub mod format;
pub mod kubectl;
pub mod laptop;
pub mod lex;
pub mod minikube;
pub mod script;
pub mod sim_cmd;
pub mod sim_dns;

use crate::sim::World;
use files::{Files, MemFiles};
use std::collections::BTreeMap;

/// What a command printed, and whether it succeeded (its exit status was 0).
#[derive(Debug, Clone, PartialEq)]
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

/// One command as it was run, for replay (undo, share links, tests).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub line: String,
    pub stdin: Option<String>,
}

/// A learner's session: the world, the files kubectl can read, and the log of commands.
pub struct Session {
    pub world: World,
    pub files: Box<dyn Files>,
    pub log: Vec<Entry>,
    /// The namespace each context defaults to (`kubectl config set-context --current --namespace`).
    pub namespaces: BTreeMap<String, String>,
    /// The path of the last request a network tool made (`sim trace` prints it).
    pub last_trace: Vec<crate::sim::network::Hop>,
    /// What the laptop's tools wrote (`curl -o page.html`).
    pub laptop_files: BTreeMap<String, String>,
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
            namespaces: BTreeMap::new(),
            last_trace: Vec::new(),
            laptop_files: BTreeMap::new(),
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

    /// Run one command line (with a heredoc's text as `stdin`), log it, and return its output.
    pub fn run(&mut self, line: &str, stdin: Option<&str>) -> Output {
        let out = self.execute(line, stdin);
        self.log.push(Entry {
            line: line.to_string(),
            stdin: stdin.map(|s| s.to_string()),
        });
        out
    }

    fn execute(&mut self, line: &str, stdin: Option<&str>) -> Output {
        let lexed = match lex::lex(line) {
            Ok(l) => l,
            Err(e) => return Output::err(format!("sh: {e}")),
        };
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
            "help" => Output::ok(HELP),
            "echo" => Output::ok(words[1..].join(" ")),
            other => Output::err(format!("sh: {other}: command not found")),
        }
    }
}

const HELP: &str = "Commands:
  kubectl …              talk to the current cluster (kubectl with no arguments lists what is simulated)
  sim advance DURATION   move the virtual clock (30s, 5m, 1h30m)
  sim clusters           list the clusters in this world
  sim seed N             start a fresh world with seed N
  help                   this text";
