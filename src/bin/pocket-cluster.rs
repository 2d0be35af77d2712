//! `pocket-cluster`: the command-line face of the engine.
//!
//!   pocket-cluster run [--seed N] FILE|-   run a session script, print its transcript
//!   pocket-cluster shell [--seed N]        the same language, interactive
//!   pocket-cluster bench [--seed N] [--nodes N] [--deployments D] [--replicas R]
//!                                          time the engine converging a large cluster
//!   pocket-cluster bench traffic [--seed N] [--requests N] [--quiet]
//!                                          traced requests per second through a gateway

/// mimalloc rather than the system's malloc: see Cargo.toml. A build with
/// `RUSTFLAGS="--cfg system_alloc"` keeps the system's malloc, for heap profilers that do not
/// see mimalloc (heaptrack, massif: BENCHMARKS.md).
#[cfg(all(not(target_arch = "wasm32"), not(system_alloc)))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(not(target_arch = "wasm32"), not(system_alloc)))]
extern "C" {
    /// mimalloc's `mi_option_set` (mimalloc.h; the static library the `mimalloc` crate links).
    fn mi_option_set(option: std::os::raw::c_int, value: std::os::raw::c_long);
}

/// Keep freed memory instead of giving it back to the OS (`mi_option_purge_delay`, 15 in
/// mimalloc v3's `mi_option_t`, set to -1: never purge). By default mimalloc decommits pages
/// that stay free for 10 ms, and the engine frees and allocates in waves (a status built,
/// the old one dropped), so at 100,000 pods it kept handing 2 MiB transparent huge pages back
/// and faulting them in again zeroed: 1.2-1.7 s of system time of a 5 s run, against 0.4 s
/// without purging, for the same peak (BENCHMARKS.md, branch engine3).
#[cfg(all(not(target_arch = "wasm32"), not(system_alloc)))]
fn keep_freed_memory() {
    const MI_OPTION_PURGE_DELAY: std::os::raw::c_int = 15;
    // SAFETY: sets one of mimalloc's options (an integer in its option table); any value is
    // valid for this option, and it is read at each purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}

use pocket_cluster::shell::files::FsFiles;
use pocket_cluster::shell::{script, Session};
use std::io::{BufRead, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage:
  pocket-cluster run [--seed N] FILE|-   run a session script and print its transcript
  pocket-cluster shell [--seed N]        type commands interactively (kubectl …, sim …, help)
  pocket-cluster bench [--seed N] [--nodes N] [--deployments D] [--replicas R]
                       [--ticks T] [--max-virtual SECONDS] [--quiet]
                                         time D Deployments of R replicas converging on N
                                         worker nodes (defaults 1000, 1000, 100), then
                                         T steady 1 s ticks; progress goes to stderr
  pocket-cluster bench traffic [--seed N] [--requests N] [--quiet]
                                         time N traced GET / requests (default 200000) through
                                         the Kubernetes 101 gateway from the laptop, and N from
                                         a pod; the first request's trace goes to stderr
  pocket-cluster check-content [DIR]     check every lesson in DIR (default content/course):
                                         FILE:LINE: MESSAGE for each problem";

fn main() -> ExitCode {
    #[cfg(all(not(target_arch = "wasm32"), not(system_alloc)))]
    keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = 1u64;
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => {
                i += 1;
                match args.get(i).and_then(|s| s.parse().ok()) {
                    Some(n) => seed = n,
                    None => {
                        eprintln!("pocket-cluster: --seed needs a whole number");
                        return ExitCode::from(2);
                    }
                }
            }
            s if s.starts_with("--seed=") => match s["--seed=".len()..].parse() {
                Ok(n) => seed = n,
                Err(_) => {
                    eprintln!("pocket-cluster: --seed needs a whole number");
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => rest.push(args[i].clone()),
        }
        i += 1;
    }
    match rest.first().map(String::as_str) {
        Some("run") => {
            let Some(path) = rest.get(1) else {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            };
            let (text, base) = if path == "-" {
                let mut t = String::new();
                if let Err(e) = std::io::stdin().read_to_string(&mut t) {
                    eprintln!("pocket-cluster: cannot read stdin: {e}");
                    return ExitCode::from(2);
                }
                (t, PathBuf::from("."))
            } else {
                match std::fs::read_to_string(path) {
                    Ok(t) => (
                        t,
                        PathBuf::from(path)
                            .parent()
                            .map(|p| p.to_path_buf())
                            .unwrap_or_default(),
                    ),
                    Err(e) => {
                        eprintln!("pocket-cluster: cannot read {path}: {e}");
                        return ExitCode::from(2);
                    }
                }
            };
            let mut session = Session::with_files(seed, Box::new(FsFiles { base }));
            match script::run(&mut session, &text) {
                Ok(t) => {
                    print!("{t}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("pocket-cluster: {path}: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some("shell") => {
            let mut session = Session::with_files(
                seed,
                Box::new(FsFiles {
                    base: PathBuf::from("."),
                }),
            );
            let stdin = std::io::stdin();
            let mut lines = stdin.lock().lines();
            loop {
                print!("{}$ ", session.world.cluster().name);
                let _ = std::io::stdout().flush();
                let Some(Ok(line)) = lines.next() else { break };
                // Heredocs: read on until the delimiter.
                let lexed = pocket_cluster::shell::lex::lex(&line);
                let heredoc = lexed.ok().and_then(|l| l.heredoc);
                let stdin_text = heredoc.map(|(delim, strip)| {
                    let mut body = String::new();
                    for l in lines.by_ref() {
                        let Ok(l) = l else { break };
                        let l = if strip {
                            l.trim_start_matches('\t').to_string()
                        } else {
                            l
                        };
                        if l.trim_end() == delim {
                            break;
                        }
                        body.push_str(&l);
                        body.push('\n');
                    }
                    body
                });
                if matches!(line.trim(), "exit" | "quit") {
                    break;
                }
                let out = session.run(&line, stdin_text.as_deref());
                if !out.text.is_empty() {
                    println!("{}", out.text);
                }
            }
            ExitCode::SUCCESS
        }
        Some("bench") if rest.get(1).map(String::as_str) == Some("traffic") => {
            bench_traffic(seed, &rest[2..])
        }
        Some("bench") => bench(seed, &rest[1..]),
        Some("check-content") => check_content(rest.get(1).map(String::as_str)),
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// `pocket-cluster check-content [DIR]`: every lesson file parses, starts unsolved, and its
/// solution's commands do what they should and meet every goal.
fn check_content(dir: Option<&str>) -> ExitCode {
    use pocket_cluster::course::{goals, lesson};
    let dir = dir.unwrap_or("content/course");
    let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect(),
        Err(e) => {
            eprintln!("pocket-cluster: cannot read {dir}: {e}");
            return ExitCode::from(2);
        }
    };
    files.sort();
    let mut problems = 0;
    let mut ids: Vec<(String, String)> = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                println!("{name}:1: cannot read: {e}");
                problems += 1;
                continue;
            }
        };
        let l = match lesson::parse(&text) {
            Ok(l) => l,
            Err(p) => {
                println!("{name}:{}: {}", p.line, p.message);
                problems += 1;
                continue;
            }
        };
        let line_of = |needle: &str| {
            text.lines()
                .position(|x| x.contains(needle))
                .map(|i| i + 1)
                .unwrap_or(1)
        };
        if let Some((_, other)) = ids.iter().find(|(id, _)| *id == l.id) {
            println!("{name}:{}: id {} is also {other}'s", line_of("id:"), l.id);
            problems += 1;
        }
        ids.push((l.id.clone(), name.clone()));
        let (s, outputs) = goals::start(&l);
        let at_start = goals::evaluate(
            &l,
            &goals::Progress {
                session: &s,
                outputs: &outputs,
            },
        );
        if at_start.iter().all(|r| r.is_ok()) {
            println!(
                "{name}:{}: the start already meets every goal",
                line_of("goals:")
            );
            problems += 1;
        }
        let (s, outputs, failed) = goals::solve(&l);
        if let Some(f) = failed {
            println!("{name}:{}: solution: {f}", line_of("solution:"));
            problems += 1;
        }
        let after = goals::evaluate(
            &l,
            &goals::Progress {
                session: &s,
                outputs: &outputs,
            },
        );
        for (g, r) in l.goals.iter().zip(after) {
            if let Err(why) = r {
                println!(
                    "{name}:{}: goal {:?} is not met by the solution: {why}",
                    line_of(&g.text),
                    g.text
                );
                problems += 1;
            }
        }
    }
    if problems == 0 {
        println!("{} lesson(s) checked, no problems", files.len());
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `pocket-cluster bench`: run [`pocket_cluster::bench`] and print its report.
fn bench(seed: u64, args: &[String]) -> ExitCode {
    use pocket_cluster::bench;
    let mut opts = bench::Options {
        seed,
        ..Default::default()
    };
    let mut quiet = false;
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (args[i].as_str(), None),
        };
        if flag == "--quiet" {
            quiet = true;
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => Some(v),
            None => {
                i += 1;
                args.get(i).cloned()
            }
        };
        let Some(n) = value.and_then(|v| v.parse::<u64>().ok()) else {
            eprintln!("pocket-cluster bench: {flag} needs a whole number\n{USAGE}");
            return ExitCode::from(2);
        };
        match flag {
            "--nodes" => opts.nodes = n as usize,
            "--deployments" => opts.deployments = n as usize,
            "--replicas" => opts.replicas = n as usize,
            "--ticks" => opts.ticks = n as usize,
            "--max-virtual" => opts.max_virtual_ms = n.saturating_mul(1000),
            _ => {
                eprintln!("pocket-cluster bench: unknown option {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    let report = bench::run_with_progress(&opts, &bench::Native::default(), &mut |p| {
        if !quiet {
            eprintln!("{}", p.line());
        }
    });
    print!("{}", report.text());
    ExitCode::SUCCESS
}

/// `pocket-cluster bench traffic`: run [`pocket_cluster::bench::traffic`] and print its report;
/// exit 1 if the gateway's path is broken (a first answer or trace that is not the expected one).
fn bench_traffic(seed: u64, args: &[String]) -> ExitCode {
    use pocket_cluster::bench::{self, traffic};
    let mut opts = traffic::Options {
        seed,
        ..Default::default()
    };
    let mut quiet = false;
    let mut i = 0;
    while i < args.len() {
        let (flag, inline) = match args[i].split_once('=') {
            Some((f, v)) => (f, Some(v.to_string())),
            None => (args[i].as_str(), None),
        };
        match flag {
            "--quiet" => quiet = true,
            "--requests" => {
                let value = inline.or_else(|| {
                    i += 1;
                    args.get(i).cloned()
                });
                let Some(n) = value.and_then(|v| v.parse::<usize>().ok()) else {
                    eprintln!(
                        "pocket-cluster bench traffic: --requests needs a whole number\n{USAGE}"
                    );
                    return ExitCode::from(2);
                };
                opts.requests = n;
            }
            _ => {
                eprintln!("pocket-cluster bench traffic: unknown option {flag}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }
    match traffic::run(&opts, &bench::Native::default()) {
        Ok(report) => {
            if !quiet {
                eprintln!(
                    "first request from the laptop:\n{}",
                    report.laptop.trace_text()
                );
                eprintln!("first request from the pod:\n{}", report.pod.trace_text());
            }
            print!("{}", report.text());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pocket-cluster bench traffic: the gateway's path is broken: {e}");
            ExitCode::from(1)
        }
    }
}
