//! The catalog's data stores keep their data in files, so that a learner sees what survives:
//!
//! - postgres: at start the entrypoint runs `initdb` when `$PGDATA` holds no database
//!   (`PG_VERSION`), and skips it when it does, as the official image's entrypoint does. The
//!   logs say which. In the container's own layer the database is gone after a restart; on a
//!   volume it is found again.
//! - redis: the dataset lives in `/data/dump.rdb`. `redis-cli` in the container talks to its
//!   redis-server. Simplified: every write is saved at once (as with `appendonly yes` and
//!   `appendfsync always`), where a real redis saves on its `save` schedule and on shutdown;
//!   the file is a text stand-in for the RDB format.

use crate::sim::fs::{Data, Fs, FsError};
use std::collections::BTreeMap;

/// What a data store found when its container started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boot {
    /// postgres: an empty data directory, initialised now.
    Initialised,
    /// postgres: a database was there already.
    Existing,
    /// redis: keys loaded from the dump (how many).
    Loaded(usize),
    /// redis: no dump, an empty dataset.
    Empty,
}

pub const REDIS_DUMP: &str = "/data/dump.rdb";

/// The data directory of a postgres container: `$PGDATA`, by default the image's.
pub fn pgdata(env: &[(String, String)]) -> String {
    env.iter()
        .find(|(k, _)| k == "PGDATA")
        .map(|(_, v)| v.clone())
        .filter(|v| v.starts_with('/'))
        .unwrap_or_else(|| "/var/lib/postgresql/data".into())
}

/// Run the image's start-up against the container's files: initdb, or load the dump.
/// `major` is postgres's major version. None for images that keep no data.
pub fn on_start(repo: &str, major: &str, env: &[(String, String)], fs: &mut Fs) -> Option<Boot> {
    match repo {
        "postgres" => {
            let data = pgdata(env);
            if fs.stat(&format!("{data}/PG_VERSION")).is_some() {
                return Some(Boot::Existing);
            }
            // initdb writes the cluster's files (a few of the real ones).
            let _ = fs.mkdir_p(&data);
            let _ = fs.write(&format!("{data}/PG_VERSION"), &format!("{major}\n"), false);
            for d in ["base", "global", "pg_wal", "pg_xact", "pg_stat"] {
                let _ = fs.mkdir_p(&format!("{data}/{d}"));
            }
            let _ = fs.write(
                &format!("{data}/postgresql.conf"),
                "listen_addresses = '*'\nmax_connections = 100\nshared_buffers = 128MB\n",
                false,
            );
            let _ = fs.write(
                &format!("{data}/pg_hba.conf"),
                "local   all             all                                     trust\nhost    all             all             127.0.0.1/32            trust\nhost    all             all             all                     scram-sha-256\n",
                false,
            );
            Some(Boot::Initialised)
        }
        "redis" => Some(match load(fs) {
            Ok(keys) if !keys.is_empty() => Boot::Loaded(keys.len()),
            _ => Boot::Empty,
        }),
        _ => None,
    }
}

/// The log lines a data store prints at start for what it found.
pub fn boot_logs(repo: &str, boot: Boot, stamp: &str, pgdata: &str) -> Vec<String> {
    match (repo, boot) {
        ("postgres", Boot::Initialised) => vec![
            "The files belonging to this database system will be owned by user \"postgres\".".into(),
            "This user must also own the server process.".into(),
            String::new(),
            "The database cluster will be initialized with locale \"en_US.utf8\".".into(),
            format!("fixing permissions on existing directory {pgdata} ... ok"),
            "creating subdirectories ... ok".into(),
            "Success. You can now start the database server using:".into(),
            String::new(),
            "PostgreSQL init process complete; ready for start up.".into(),
            String::new(),
            format!("{stamp} UTC [1] LOG:  database system is ready to accept connections"),
        ],
        ("postgres", _) => vec![
            String::new(),
            "PostgreSQL Database directory appears to contain a database; Skipping initialization"
                .into(),
            String::new(),
            format!("{stamp} UTC [1] LOG:  database system is ready to accept connections"),
        ],
        ("redis", Boot::Loaded(n)) => vec![
            "1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into(),
            "1:M 01 Jan 2026 00:00:00.000 * Loading RDB produced by version 7.2.4".into(),
            format!("1:M 01 Jan 2026 00:00:00.000 * Done loading RDB, keys loaded: {n}, keys expired: 0."),
            "1:M 01 Jan 2026 00:00:00.000 * DB loaded from disk: 0.000 seconds".into(),
            "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp".into(),
        ],
        ("redis", _) => vec![
            "1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into(),
            "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp".into(),
        ],
        _ => Vec::new(),
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn load(fs: &Fs) -> Result<BTreeMap<String, String>, FsError> {
    let mut keys = BTreeMap::new();
    match fs.read_data(REDIS_DUMP)? {
        Data::Text(t) => {
            for line in t.lines().skip(1) {
                if let Some((k, v)) = line.split_once('\t') {
                    keys.insert(unescape(k), unescape(v));
                }
            }
        }
        Data::Opaque(_) => {}
    }
    Ok(keys)
}

fn save(fs: &mut Fs, keys: &BTreeMap<String, String>) -> Result<(), FsError> {
    let mut text = String::from("REDIS0011 (Pocket Cluster's text stand-in for an RDB file)\n");
    for (k, v) in keys {
        text.push_str(&format!("{}\t{}\n", escape(k), escape(v)));
    }
    fs.write(REDIS_DUMP, &text, false)
}

/// A reply as redis-cli prints it: formatted on a terminal, raw otherwise (as through
/// `kubectl exec` without `-t`).
enum Reply {
    Status(String),
    Bulk(Option<String>),
    Int(i64),
    Array(Vec<String>),
    Error(String),
}

fn print(r: &Reply, tty: bool) -> String {
    match (r, tty) {
        (Reply::Status(s), _) => format!("{s}\n"),
        (Reply::Bulk(Some(s)), true) => format!("{s:?}\n"),
        (Reply::Bulk(Some(s)), false) => format!("{s}\n"),
        (Reply::Bulk(None), true) => "(nil)\n".into(),
        (Reply::Bulk(None), false) => "\n".into(),
        (Reply::Int(n), true) => format!("(integer) {n}\n"),
        (Reply::Int(n), false) => format!("{n}\n"),
        (Reply::Array(v), true) if v.is_empty() => "(empty array)\n".into(),
        (Reply::Array(v), true) => v
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}) {s:?}\n", i + 1))
            .collect(),
        (Reply::Array(v), false) => v.iter().map(|s| format!("{s}\n")).collect(),
        (Reply::Error(e), true) => format!("(error) {e}\n"),
        (Reply::Error(e), false) => format!("{e}\n"),
    }
}

/// `KEYS` glob: `*`, `?` and literal characters.
fn glob(p: &[char], s: &[char]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some('*'), _) => glob(&p[1..], s) || (!s.is_empty() && glob(p, &s[1..])),
        (Some('?'), Some(_)) => glob(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => glob(&p[1..], &s[1..]),
        _ => false,
    }
}

/// `redis-cli [-h HOST] [-p PORT] COMMAND ARGS...` in a redis container: (output, exit code).
/// `server_running`: the container's main process is redis-server.
pub fn redis_cli(fs: &mut Fs, args: &[String], tty: bool, server_running: bool) -> (String, i32) {
    let mut host = "127.0.0.1".to_string();
    let mut port = "6379".to_string();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-h" => {
                host = args.get(i + 1).cloned().unwrap_or_default();
                i += 2;
            }
            "-p" => {
                port = args.get(i + 1).cloned().unwrap_or_default();
                i += 2;
            }
            "-n" | "-a" | "--user" | "--pass" => i += 2,
            "--raw" | "--no-raw" | "--no-auth-warning" => i += 1,
            _ => break,
        }
    }
    let words = &args[i.min(args.len())..];
    if !matches!(host.as_str(), "127.0.0.1" | "localhost" | "::1") {
        return (
            format!("Pocket Cluster's redis-cli reaches the redis-server of its own container only (-h {host} is not simulated)\n"),
            1,
        );
    }
    if !server_running || port != "6379" {
        return (
            format!("Could not connect to Redis at {host}:{port}: Connection refused\n"),
            1,
        );
    }
    if words.is_empty() {
        return (
            "Pocket Cluster does not simulate redis-cli's interactive mode; give the command, e.g. redis-cli SET greeting hello\n".into(),
            1,
        );
    }
    let mut keys = load(fs).unwrap_or_default();
    let cmd = words[0].to_ascii_uppercase();
    let a = &words[1..];
    let wrong = || {
        Reply::Error(format!(
            "ERR wrong number of arguments for '{}' command",
            words[0].to_ascii_lowercase()
        ))
    };
    let mut dirty = false;
    let reply = match (cmd.as_str(), a.len()) {
        ("PING", 0) => Reply::Status("PONG".into()),
        ("PING", 1) => Reply::Bulk(Some(a[0].clone())),
        ("SET", 2) => {
            keys.insert(a[0].clone(), a[1].clone());
            dirty = true;
            Reply::Status("OK".into())
        }
        ("GET", 1) => Reply::Bulk(keys.get(&a[0]).cloned()),
        ("INCR" | "DECR", 1) | ("INCRBY" | "DECRBY", 2) => {
            let by: Option<i64> = match cmd.as_str() {
                "INCR" => Some(1),
                "DECR" => Some(-1),
                "INCRBY" => a[1].parse().ok(),
                _ => a[1].parse::<i64>().ok().map(|n| -n),
            };
            let old: Option<i64> = match keys.get(&a[0]) {
                None => Some(0),
                Some(v) => v.parse().ok(),
            };
            match (old, by) {
                (Some(o), Some(b)) => match o.checked_add(b) {
                    Some(n) => {
                        keys.insert(a[0].clone(), n.to_string());
                        dirty = true;
                        Reply::Int(n)
                    }
                    None => Reply::Error("ERR increment or decrement would overflow".into()),
                },
                _ => Reply::Error("ERR value is not an integer or out of range".into()),
            }
        }
        ("DEL", n) if n > 0 => {
            let gone = a.iter().filter(|k| keys.remove(*k).is_some()).count();
            dirty = gone > 0;
            Reply::Int(gone as i64)
        }
        ("EXISTS", n) if n > 0 => {
            Reply::Int(a.iter().filter(|k| keys.contains_key(*k)).count() as i64)
        }
        ("KEYS", 1) => {
            let p: Vec<char> = a[0].chars().collect();
            Reply::Array(
                keys.keys()
                    .filter(|k| glob(&p, &k.chars().collect::<Vec<_>>()))
                    .cloned()
                    .collect(),
            )
        }
        ("DBSIZE", 0) => Reply::Int(keys.len() as i64),
        ("FLUSHALL" | "FLUSHDB", 0) => {
            dirty = !keys.is_empty();
            keys.clear();
            Reply::Status("OK".into())
        }
        ("SAVE", 0) => {
            dirty = true;
            Reply::Status("OK".into())
        }
        (
            "PING" | "SET" | "GET" | "INCR" | "DECR" | "INCRBY" | "DECRBY" | "DEL" | "EXISTS"
            | "KEYS" | "DBSIZE" | "FLUSHALL" | "FLUSHDB" | "SAVE",
            _,
        ) => wrong(),
        _ => {
            let rest: Vec<String> = a.iter().map(|w| format!("'{w}'")).collect();
            Reply::Error(format!(
                "ERR unknown command '{}', with args beginning with: {}",
                words[0],
                rest.join(" ")
            ))
        }
    };
    if dirty {
        if let Err(e) = save(fs, &keys) {
            return (
                print(
                    &Reply::Error(format!("MISCONF Errors writing to the RDB file: {e}")),
                    tty,
                ),
                1,
            );
        }
    }
    let code = 0;
    (print(&reply, tty), code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fs::Tree;

    fn run(fs: &mut Fs, line: &str) -> String {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        redis_cli(fs, &args, false, true).0
    }

    #[test]
    fn a_counter_survives_in_its_dump_file() {
        let mut root = Tree::default();
        root.add("/data", crate::sim::fs::Node::dir(0));
        let mut fs = Fs::new(Box::new(root), 0);
        assert_eq!(run(&mut fs, "INCR visits"), "1\n");
        assert_eq!(run(&mut fs, "INCR visits"), "2\n");
        assert_eq!(run(&mut fs, "SET a b"), "OK\n");
        assert_eq!(run(&mut fs, "GET nothing"), "\n");
        assert_eq!(on_start("redis", "", &[], &mut fs), Some(Boot::Loaded(2)));
        assert_eq!(run(&mut fs, "GET visits"), "2\n");
        assert_eq!(
            run(&mut fs, "INCR a"),
            "ERR value is not an integer or out of range\n"
        );
    }
}
