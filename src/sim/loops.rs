//! Shell loops that reach the network, run as programs: a container whose command is
//! `sh -c '… while true; do …; done'` (BusyBox, Alpine, curl images …) and whose loop calls
//! `wget`, `curl`, `nc`, `nslookup`, `ping` or `telnet` runs the loop's body through the
//! simulated shell (`sh.rs`) once per round, at the virtual moment that round starts, against
//! the network as its pod sees it then (`net.rs`). What the rounds print is the container's log
//! (`kubectl logs`), so a client pod watching a Service shows every answer and every failure
//! while a rolling update replaces the pods behind it.
//!
//! Loops that only `echo` and `date` need no world: their log is derived from the command
//! alone (`images::logs`). The simulated shell itself has no loops; here the loop is the
//! program's clock. A round lasts as long as its `sleep`s add up to (at least 100 ms: the
//! simulator does not model how long a request takes), and what the script does before its
//! loop runs once, with the first round.

use crate::sim::clock::Millis;
use crate::sim::container_shell::ContainerShell;
use crate::sim::kubelet::RunState;
use crate::sim::network::{Hop, RequestRecord};
use crate::sim::sh::Sh;
use crate::sim::World;

/// The programs whose presence in a loop makes it a world program.
const NETWORK_TOOLS: &[&str] = &["wget", "curl", "nc", "nslookup", "ping", "telnet"];

/// The shortest round.
pub const MIN_PERIOD: Millis = 100;

/// Traces kept for the map between two looks (the newest).
const MAX_TRACES: usize = 32;

/// Log lines kept per container (the oldest are dropped, as a runtime rotates its log).
const MAX_LOG: usize = 2_000;

/// A container's loop, from its command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Loop {
    /// What the script runs before its loop (may be empty).
    pub prologue: String,
    /// The loop's body, run once per round.
    pub body: String,
    /// How long a round takes: the body's `sleep`s.
    pub period: Millis,
    /// What a round costs, in rounds of a one-request loop: its network calls, times its
    /// length in 512-byte pieces (a round is parsed and run whole).
    pub cost: u64,
}

/// The network loop of a command line (`command` then `args`), if it has one.
pub fn network_loop(command: &[String]) -> Option<Loop> {
    let script = match command {
        [sh, flag, script, ..]
            if matches!(
                crate::sim::fs::base_name(sh),
                "sh" | "bash" | "ash" | "dash"
            ) && flag == "-c" =>
        {
            script.as_str()
        }
        _ => return None,
    };
    let (before, rest) = script
        .split_once("while true")
        .or_else(|| script.split_once("while :"))?;
    let rest = rest.trim_start().trim_start_matches(';').trim_start();
    let rest = rest.strip_prefix("do")?;
    if !rest.starts_with(|c: char| c.is_whitespace() || c == ';') {
        return None;
    }
    let end = rest.rfind("done")?;
    let body = rest[..end].trim().trim_end_matches(';').trim().to_string();
    let calls = body
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '|' | '&' | '(' | ')' | '`'))
        .filter(|w| NETWORK_TOOLS.contains(&crate::sim::fs::base_name(w)))
        .count() as u64;
    if calls == 0 || body.is_empty() {
        return None;
    }
    let words: Vec<&str> = body
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&')
        .filter(|w| !w.is_empty())
        .collect();
    let period = words
        .windows(2)
        .filter(|w| w[0] == "sleep")
        .filter_map(|w| crate::sim::clock::parse_duration(w[1]).ok())
        .fold(0, Millis::saturating_add)
        .max(MIN_PERIOD);
    let prologue = before.trim().trim_end_matches(';').trim().to_string();
    let cost = calls.saturating_mul((body.len() as u64 / 512).max(1));
    Some(Loop {
        prologue,
        body,
        period,
        cost,
    })
}

/// Whether a container's command line may hold a network loop (a cheap test for the watch's
/// index of program pods; [`network_loop`] decides).
pub fn may_loop(command: &[String], args: &[String]) -> bool {
    command.iter().chain(args).any(|a| a.contains("while"))
}

/// One running loop's state: when its next round starts, and what it has printed.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub next: Millis,
    pub period: Millis,
    pub cost: u64,
    pub rounds: u64,
    pub logs: Vec<String>,
}

/// Rounds run for all loops together in one move of the clock, at most, counted in rounds of
/// a one-request loop (each loop gets its share by its cost, at least one round). A `sim advance 1h` over a loop without `sleep` would be
/// 36,000 rounds: the earlier ones are skipped (the last ones before the clock stops run),
/// and the log says so, so that no clock move can freeze the page.
pub const ROUNDS_PER_ADVANCE: u64 = 1_000;

/// Skip the rounds of a loop beyond its share of one clock move to `target` (`n` loops
/// running), noting it in the log. The first round always runs (a script's prologue).
fn skip_beyond_share(run: &mut Run, target: Millis, n: u64) {
    if run.rounds == 0 || run.next > target || run.period == 0 {
        return;
    }
    let share = (ROUNDS_PER_ADVANCE / n.max(1).saturating_mul(run.cost.max(1))).max(1);
    let due = (target - run.next) / run.period + 1;
    if due <= share {
        return;
    }
    let skip = due - share;
    let from = run.next;
    run.next = run.next.saturating_add(skip.saturating_mul(run.period));
    run.rounds = run.rounds.saturating_add(skip);
    run.logs.push(format!(
        "[Pocket Cluster: {skip} rounds of this loop from {} to {} were not simulated, to keep the page responsive; the last {share} before {} were]",
        crate::sim::clock::rfc3339(from),
        crate::sim::clock::rfc3339(run.next),
        crate::sim::clock::rfc3339(target),
    ));
}

/// A running container with a network loop: (cluster, namespace, pod, container, containerID).
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub cluster: usize,
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub container_id: String,
    pub program: Loop,
}

/// Every container running a network loop in the world (pods on powered-off nodes are not).
fn running(world: &World) -> Vec<Live> {
    let mut out = Vec::new();
    for (k, c) in world.clusters.iter().enumerate() {
        for (p, spec, r) in c.program_containers() {
            if !may_loop(&spec.command, &spec.args) {
                continue;
            }
            // A shell ignores SIGTERM, so the loop goes on through the grace period.
            if !matches!(
                r.state,
                RunState::Running { .. } | RunState::Stopping { .. }
            ) || r.container_id.is_empty()
            {
                continue;
            }
            let mut line = spec.command.clone();
            line.extend(spec.args.iter().cloned());
            let Some(program) = network_loop(&line) else {
                continue;
            };
            out.push(Live {
                cluster: k,
                namespace: p.metadata.namespace.clone(),
                pod: p.metadata.name.clone(),
                container: spec.name.clone(),
                container_id: r.container_id.to_string(),
                program,
            });
        }
    }
    out
}

/// Run every loop whose round is due (called as the world settles).
pub fn run(world: &mut World) {
    let key = world.scan_key();
    let live = if world.scans.loops_key == key {
        world.scans.loops.clone()
    } else {
        let live = running(world);
        world.scans.loops_key = key;
        world.scans.loops = live.clone();
        live
    };
    if live.is_empty() && world.loops.is_empty() {
        return;
    }
    world.loops.retain(|(k, id), _| {
        live.iter()
            .any(|l| l.cluster == *k && &l.container_id == id)
    });
    let now = world.now;
    let live_count = live.len() as u64;
    // One snapshot of the network for every round due now: a round reads the world and
    // writes only its container's files.
    let mut view: Option<std::rc::Rc<crate::sim::net::WorldNet>> = None;
    for l in live {
        let key = (l.cluster, l.container_id.clone());
        let run = world.loops.entry(key.clone()).or_insert(Run {
            next: now,
            period: l.program.period,
            cost: l.program.cost,
            rounds: 0,
            logs: Vec::new(),
        });
        let target = world.advancing_to.max(now);
        skip_beyond_share(run, target, live_count);
        if run.next > now {
            continue;
        }
        let script = if run.rounds == 0 && !l.program.prologue.is_empty() {
            format!("{}\n{}", l.program.prologue, l.program.body)
        } else {
            l.program.body.clone()
        };
        let view = view
            .get_or_insert_with(|| std::rc::Rc::new(crate::sim::net::WorldNet::of(world)))
            .clone();
        let (output, requests, trace) = round(world, &view, &l, &script);
        world.loop_requests.push((now, requests));
        if !trace.is_empty() {
            world.loop_traces.push((l.cluster, trace));
            if world.loop_traces.len() > MAX_TRACES {
                let cut = world.loop_traces.len() - MAX_TRACES;
                world.loop_traces.drain(..cut);
            }
        }
        if world.loop_requests.len() > 1_000 {
            world.loop_requests.drain(..500);
        }
        if let Some(run) = world.loops.get_mut(&key) {
            run.rounds += 1;
            run.next = now.saturating_add(l.program.period);
            run.logs.extend(output.lines().map(String::from));
            if run.logs.len() > MAX_LOG {
                let cut = run.logs.len() - MAX_LOG * 3 / 4;
                run.logs.drain(..cut);
            }
        }
    }
}

/// What one round returns: its output, the requests it made and the hops they took.
type Round = (String, Vec<RequestRecord>, Vec<Hop>);

/// One round of a loop: what it printed (stdout and stderr as written), the requests it made
/// and their hops.
fn round(world: &mut World, view: &crate::sim::net::WorldNet, l: &Live, script: &str) -> Round {
    let now = world.now;
    let Some(c) = world.clusters.get(l.cluster) else {
        return (String::new(), Vec::new(), Vec::new());
    };
    let Some(pod) = c.store.pods.get(&l.namespace, &l.pod).cloned() else {
        return (String::new(), Vec::new(), Vec::new());
    };
    let Some(spec) = pod.spec.containers.iter().find(|x| x.name == l.container) else {
        return (String::new(), Vec::new(), Vec::new());
    };
    let Some(rt) = c
        .kubelets
        .pods
        .get(&(l.namespace.clone(), l.pod.clone()))
        .and_then(|r| r.containers.iter().find(|x| x.name == l.container))
    else {
        return (String::new(), Vec::new(), Vec::new());
    };
    let argv = vec!["sh".to_string(), "-c".to_string(), script.to_string()];
    let shell = ContainerShell::of(c, &pod, spec, rt, now, argv.join(" "), false);
    let mut net =
        crate::sim::net::PodNetwork::new(view, l.cluster, &mut world.rng, &l.namespace, &l.pod);
    let c = &mut world.clusters[l.cluster];
    c.kubelets.storage.prune(&c.store);
    let mut fs = c
        .kubelets
        .container_fs(&shell.lower, &pod, &l.container, &l.container_id, now);
    let outcome = Sh::new(&mut fs, &shell.facts, &shell.env, &shell.cwd, None)
        .with_network(&mut net)
        .exec(&argv);
    drop(fs);
    let trace = crate::sim::network::Network::last_trace(&net);
    let requests = crate::sim::network::Network::take_requests(&mut net);
    (outcome.output, requests, trace)
}

/// The next moment a loop's round starts.
pub fn next_deadline(world: &World) -> Option<Millis> {
    world.loops.values().map(|r| r.next).min()
}

/// What a looping container printed, for `kubectl logs` (None: not a loop the world runs).
pub fn logs(world: &World, cluster: usize, container_id: &str) -> Option<Vec<String>> {
    world
        .loops
        .get(&(cluster, container_id.to_string()))
        .map(|r| r.logs.clone())
}

/// Take the requests the loops made since the last call, each with the moment it was made
/// (for the plots).
pub fn take_requests(world: &mut World) -> Vec<(Millis, Vec<RequestRecord>)> {
    std::mem::take(&mut world.loop_requests)
}

/// Take the hops of the loops' latest requests (newest last), with the cluster each started
/// in, for the map to animate.
pub fn take_traces(world: &mut World) -> Vec<(usize, Vec<Hop>)> {
    std::mem::take(&mut world.loop_traces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(script: &str) -> Vec<String> {
        vec!["sh".into(), "-c".into(), script.into()]
    }

    #[test]
    fn finds_the_body_and_its_period() {
        let l = network_loop(&cmd("while true; do wget -q -O- http://web; sleep 1; done"))
            .expect("a network loop");
        assert_eq!(l.body, "wget -q -O- http://web; sleep 1");
        assert_eq!(l.period, 1_000);
        assert_eq!(l.prologue, "");
        let l = network_loop(&cmd(
            "echo start; while :; do curl -s web:8080 || echo down; sleep 0.5; done",
        ))
        .expect("a network loop");
        assert_eq!(l.prologue, "echo start");
        assert_eq!(l.period, 500);
        // No sleep: a round every MIN_PERIOD.
        let l = network_loop(&cmd("while true; do wget -qO- web; done")).expect("loop");
        assert_eq!(l.period, MIN_PERIOD);
        assert_eq!(l.cost, 1);
        // Two requests a round cost two; a long body costs by its length.
        let l = network_loop(&cmd("while true; do wget -qO- a; curl -s b; done")).expect("loop");
        assert_eq!(l.cost, 2);
        let long = format!(
            "while true; do wget -qO- a; {} done",
            "echo x; ".repeat(200)
        );
        assert_eq!(network_loop(&cmd(&long)).expect("loop").cost, 3);
    }

    #[test]
    fn other_loops_and_scripts_are_not_programs() {
        assert!(network_loop(&cmd("while true; do echo hi; sleep 5; done")).is_none());
        assert!(network_loop(&cmd("wget -qO- web")).is_none());
        assert!(network_loop(&cmd("while true; dowget web; done")).is_none());
        assert!(network_loop(&["wget".into(), "while true; do wget; done".into()]).is_none());
        assert!(network_loop(&[]).is_none());
        // A word that merely contains a tool's name is not the tool.
        assert!(network_loop(&cmd("while true; do echo curly; sleep 1; done")).is_none());
    }

    fn session_with_client(body: &str) -> crate::shell::Session {
        let mut s = crate::shell::Session::new(1);
        for line in [
            "kubectl create deployment web --image=pocketcluster/hello:1 --replicas=2 --port=8080",
            "kubectl expose deployment web --port=80 --target-port=8080",
            "kubectl rollout status deployment/web",
            &format!("kubectl run client --image=busybox:1.36 -- sh -c '{body}'"),
        ] {
            let out = s.run(line, None);
            assert!(out.ok, "{line}: {}", out.text);
        }
        s
    }

    #[test]
    fn each_round_is_a_request_in_the_log_and_the_plots() {
        let mut s = session_with_client("while true; do wget -q -O- http://web; sleep 1; done");
        s.run("sim advance 10s", None);
        let logs = s.run("kubectl logs client", None).text;
        let answers = logs
            .lines()
            .filter(|l| l.starts_with("Hello from web-"))
            .count();
        // The client starts within a few seconds (its image pull), then one round a second.
        assert!((5..=10).contains(&answers), "{logs}");
        assert_eq!(answers, logs.lines().count(), "{logs}");
        let counted: u32 = s.metrics.seconds().iter().map(|b| b.requests).sum();
        assert_eq!(counted as usize, answers);
        // A later round sees the world as it is then: no endpoints, refused.
        s.run("kubectl scale deployment web --replicas=0", None);
        s.run("sim advance 3s", None);
        let logs = s.run("kubectl logs client --tail=1", None).text;
        assert!(
            logs.starts_with("wget: can't connect to remote host (10."),
            "{logs}"
        );
        assert!(s.metrics.seconds().iter().any(|b| b.failed > 0));
    }

    #[test]
    fn the_same_commands_give_the_same_log() {
        let run = || {
            let mut s = session_with_client("while true; do wget -q -O- web; sleep 0.3; done");
            s.run("sim advance 20s", None);
            s.run("kubectl logs client", None).text
        };
        let first = run();
        assert!(first.lines().count() > 40, "{first}");
        assert_eq!(first, run());
    }

    #[test]
    fn a_loop_on_a_stopped_node_stops_and_its_log_is_kept_bounded() {
        let mut s = session_with_client("while true; do wget -q -O- web; done");
        s.run("sim advance 5m", None);
        let id = s
            .world
            .loops
            .keys()
            .next()
            .cloned()
            .expect("the client runs");
        let log = &s.world.loops[&id].logs;
        assert!(log.len() <= MAX_LOG, "{}", log.len());
        // 3,000 rounds in 5 minutes: the earlier 2,000 were skipped, and the log says so.
        let note = log
            .iter()
            .find(|l| l.starts_with("[Pocket Cluster: "))
            .expect("a note of the skipped rounds");
        assert!(note.contains("rounds of this loop from "), "{note}");
        assert!(note.contains("were not simulated"), "{note}");
        let node = s.world.clusters[0]
            .store
            .pods
            .get("default", "client")
            .map(|p| p.spec.node_name.clone())
            .expect("client");
        s.run(&format!("sim node stop {node}"), None);
        s.run("sim advance 1s", None);
        assert!(s.world.loops.is_empty());
    }

    #[test]
    fn a_costly_loop_gets_fewer_rounds_so_a_clock_move_stays_bounded() {
        let body = format!(
            "while true; do {} done",
            "wget -q -O- http://web; ".repeat(100)
        );
        let mut s = session_with_client(&body);
        s.run("sim advance 10s", None);
        s.run("sim advance 10m", None);
        let requests: u32 = s.metrics.seconds().iter().map(|b| b.requests).sum();
        // Cost 100: 10 rounds per clock move, 1,000 requests, plus the first move's.
        assert!(requests <= 2 * ROUNDS_PER_ADVANCE as u32, "{requests}");
        let id = s
            .world
            .loops
            .keys()
            .next()
            .cloned()
            .expect("the client runs");
        assert!(s.world.loops[&id]
            .logs
            .iter()
            .any(|l| l.starts_with("[Pocket Cluster: ")));
    }
}
