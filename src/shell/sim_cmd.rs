//! `sim`: commands that act on the simulated world itself (the clock, the seed, clusters).

use super::format::table;
use super::{Output, Session};
use crate::sim::clock::{human_duration, parse_duration};
use crate::sim::World;

pub fn run(s: &mut Session, args: &[String]) -> Output {
    let sub = args.first().map(String::as_str).unwrap_or("");
    match sub {
        "advance" => {
            let Some(d) = args.get(1) else {
                return Output::err("sim advance: which duration? e.g. sim advance 30s");
            };
            match parse_duration(d) {
                Ok(ms) => {
                    s.world.advance(ms);
                    Output::ok(format!(
                        "clock advanced {}; now {}",
                        human_duration(ms),
                        clock_text(s.world.now)
                    ))
                }
                Err(e) => Output::err(format!("sim advance: {e}")),
            }
        }
        "clock" | "time" => Output::ok(clock_text(s.world.now)),
        "seed" => match args.get(1).map(|n| n.parse::<u64>()) {
            Some(Ok(n)) => {
                s.world = World::new(n);
                s.namespaces.clear();
                Output::ok(format!("new world with seed {n}"))
            }
            _ => Output::err("sim seed: expected a whole number, e.g. sim seed 42"),
        },
        "clusters" => {
            let mut rows = vec![["CURRENT", "NAME", "NODES", "PODS"]
                .map(String::from)
                .to_vec()];
            for (i, c) in s.world.clusters.iter().enumerate() {
                rows.push(vec![
                    if i == s.world.current {
                        "*".into()
                    } else {
                        String::new()
                    },
                    c.name.clone(),
                    c.store.nodes.len().to_string(),
                    c.store.pods.len().to_string(),
                ]);
            }
            Output::ok(table(&rows).trim_end())
        }
        "" => Output::err("sim: expected a subcommand: advance, clock, clusters, seed"),
        other => Output::err(format!(
            "sim: unknown subcommand \"{other}\" (advance, clock, clusters, seed)"
        )),
    }
}

/// The virtual clock as `HH:MM:SS` since the world began.
pub fn clock_text(now: u64) -> String {
    let s = now / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
}
