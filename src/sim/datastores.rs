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
    Loaded(u32),
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
            Ok(keys) if !keys.is_empty() => {
                Boot::Loaded(u32::try_from(keys.len()).unwrap_or(u32::MAX))
            }
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

/// `KEYS` glob: `*`, `?` and literal characters. Greedy with one backtrack point (the last
/// `*`), so a pattern of many stars stays linear instead of exponential.
fn glob(p: &[char], s: &[char]) -> bool {
    let (mut pi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(c) if *c == '?' || *c == s[si] => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p[pi.min(p.len())..].iter().all(|c| *c == '*')
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
        assert_eq!(run(&mut fs, "KEYS v*s"), "visits\n");
        assert_eq!(run(&mut fs, "KEYS ?"), "a\n");
        let many = format!("KEYS {}x", "*".repeat(200));
        assert_eq!(run(&mut fs, &many), "");
        assert_eq!(on_start("redis", "", &[], &mut fs), Some(Boot::Loaded(2)));
        assert_eq!(run(&mut fs, "GET visits"), "2\n");
        assert_eq!(
            run(&mut fs, "INCR a"),
            "ERR value is not an integer or out of range\n"
        );
    }
}

// ---------------------------------------------------------------- psql

/// A table as the simulated postgres keeps it: `$PGDATA/base/pocket/<table>`, the columns on
/// the first line (`name:type` tab-separated), then one row per line (a text stand-in for
/// postgres's heap files).
#[derive(Debug, Clone, Default, PartialEq)]
struct Table {
    columns: Vec<(String, ColType)>,
    rows: Vec<Vec<Option<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColType {
    Int,
    Serial,
    Text,
}

fn table_path(pgdata: &str, name: &str) -> String {
    format!("{pgdata}/base/pocket/{name}")
}

fn read_table(fs: &Fs, pgdata: &str, name: &str) -> Option<Table> {
    let Ok(Data::Text(t)) = fs.read_data(&table_path(pgdata, name)) else {
        return None;
    };
    let mut lines = t.lines();
    let columns = lines
        .next()?
        .split('\t')
        .filter_map(|c| {
            let (n, ty) = c.split_once(':')?;
            let ty = match ty {
                "int" => ColType::Int,
                "serial" => ColType::Serial,
                _ => ColType::Text,
            };
            Some((n.to_string(), ty))
        })
        .collect();
    let rows = lines
        .map(|l| {
            l.split('\t')
                .map(|v| if v == "\\N" { None } else { Some(unescape(v)) })
                .collect()
        })
        .collect();
    Some(Table { columns, rows })
}

fn write_table(fs: &mut Fs, pgdata: &str, name: &str, t: &Table) -> Result<(), FsError> {
    let _ = fs.mkdir_p(&format!("{pgdata}/base/pocket"));
    let mut text: String = t
        .columns
        .iter()
        .map(|(n, ty)| {
            format!(
                "{n}:{}",
                match ty {
                    ColType::Int => "int",
                    ColType::Serial => "serial",
                    ColType::Text => "text",
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\t");
    text.push('\n');
    for r in &t.rows {
        let cells: Vec<String> = r
            .iter()
            .map(|v| match v {
                None => "\\N".to_string(),
                Some(s) => escape(s),
            })
            .collect();
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    fs.write(&table_path(pgdata, name), &text, false)
}

/// SQL tokens: words, numbers, 'strings', punctuation; with their byte offsets.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Num(String),
    Str(String),
    Punct(char),
}

fn tokens(sql: &str) -> Result<Vec<(Tok, usize)>, (String, usize)> {
    let cs: Vec<(usize, char)> = sql.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < cs.len() {
        let (at, c) = cs[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match cs.get(i) {
                    None => return Err(("unterminated quoted string".into(), at)),
                    Some((_, '\'')) if cs.get(i + 1).map(|x| x.1) == Some('\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some((_, '\'')) => {
                        i += 1;
                        break;
                    }
                    Some((_, ch)) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            out.push((Tok::Str(s), at));
        } else if c.is_ascii_digit()
            || (c == '-' && cs.get(i + 1).is_some_and(|x| x.1.is_ascii_digit()))
        {
            let mut s = String::from(c);
            i += 1;
            while let Some((_, ch)) = cs.get(i).filter(|x| x.1.is_ascii_digit()) {
                s.push(*ch);
                i += 1;
            }
            out.push((Tok::Num(s), at));
        } else if c.is_alphanumeric() || c == '_' || c == '"' {
            let quoted = c == '"';
            let mut s = String::new();
            if !quoted {
                s.push(c);
            }
            i += 1;
            while let Some((_, ch)) = cs.get(i) {
                if quoted && *ch == '"' {
                    i += 1;
                    break;
                }
                if !(quoted || ch.is_alphanumeric() || *ch == '_') {
                    break;
                }
                s.push(*ch);
                i += 1;
            }
            out.push((Tok::Word(if quoted { s } else { s.to_lowercase() }), at));
        } else {
            out.push((Tok::Punct(c), at));
            i += 1;
        }
    }
    Ok(out)
}

/// An error as psql prints it: the message, the statement's line, a caret under the position.
fn sql_error(msg: &str, sql: &str, at: Option<usize>) -> String {
    let mut out = format!("ERROR:  {msg}\n");
    if let Some(at) = at {
        let line = sql.lines().next().unwrap_or("");
        let col = sql.get(..at).map(|s| s.chars().count()).unwrap_or(0);
        out.push_str(&format!("LINE 1: {line}\n"));
        out.push_str(&format!("{}^\n", " ".repeat(8 + col)));
    }
    out
}

struct Parser<'t> {
    toks: &'t [(Tok, usize)],
    i: usize,
    end: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|t| &t.0)
    }
    fn at(&self) -> usize {
        self.toks.get(self.i).map(|t| t.1).unwrap_or(self.end)
    }
    fn word(&mut self, w: &str) -> bool {
        if self.peek() == Some(&Tok::Word(w.into())) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn punct(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        match self.peek() {
            Some(Tok::Word(w)) => {
                let w = w.clone();
                self.i += 1;
                Some(w)
            }
            _ => None,
        }
    }
    /// The position's text for "syntax error at or near".
    fn near(&self, sql: &str) -> (String, usize) {
        match self.toks.get(self.i) {
            Some((t, at)) => (
                match t {
                    Tok::Word(w) | Tok::Num(w) => w.clone(),
                    Tok::Str(s) => format!("'{s}'"),
                    Tok::Punct(c) => c.to_string(),
                },
                *at,
            ),
            None => (String::new(), sql.len()),
        }
    }
}

fn syntax(p: &Parser, sql: &str) -> String {
    let (near, at) = p.near(sql);
    if near.is_empty() {
        sql_error("syntax error at end of input", sql, Some(at))
    } else {
        sql_error(
            &format!("syntax error at or near \"{near}\""),
            sql,
            Some(at),
        )
    }
}

/// psql's aligned format: headers centred, numbers right-aligned, `(N rows)`.
fn aligned(
    headers: &[String],
    numeric: &[bool],
    rows: &[Vec<String>],
    tuples_only: bool,
) -> String {
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r.get(i).map(|v| v.chars().count()).unwrap_or(0))
                .max()
                .unwrap_or(0)
                .max(h.chars().count())
        })
        .collect();
    let mut out = String::new();
    let last = headers.len().saturating_sub(1);
    if !tuples_only {
        let cells: Vec<String> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let w = widths[i];
                let len = h.chars().count();
                let left = (w - len) / 2;
                format!(" {}{}{} ", " ".repeat(left), h, " ".repeat(w - len - left))
            })
            .collect();
        out.push_str(&cells.join("|"));
        out.push('\n');
        let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(w + 2)).collect();
        out.push_str(&dashes.join("+"));
        out.push('\n');
    }
    for r in rows {
        let cells: Vec<String> = (0..headers.len())
            .map(|i| {
                let v = r.get(i).cloned().unwrap_or_default();
                let pad = widths[i] - v.chars().count();
                if numeric.get(i) == Some(&true) {
                    format!(" {}{v} ", " ".repeat(pad))
                } else if i == last {
                    format!(" {v}")
                } else {
                    format!(" {v}{} ", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(cells.join("|").trim_end_matches(' '));
        out.push('\n');
    }
    if !tuples_only {
        let n = rows.len();
        out.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
    }
    out.push('\n');
    out
}

/// One SQL statement: its output, or psql's error text.
fn statement(
    fs: &mut Fs,
    pgdata: &str,
    sql: &str,
    tuples: bool,
    unaligned: bool,
) -> Result<String, String> {
    let toks = tokens(sql).map_err(|(m, at)| sql_error(&m, sql, Some(at)))?;
    let mut p = Parser {
        toks: &toks,
        i: 0,
        end: sql.len(),
    };
    if p.word("create") {
        if !p.word("table") {
            return Err(syntax(&p, sql));
        }
        let if_not = p.word("if") && p.word("not") && p.word("exists");
        let name_at = p.at();
        let Some(name) = p.ident() else {
            return Err(syntax(&p, sql));
        };
        if !p.punct('(') {
            return Err(syntax(&p, sql));
        }
        let mut columns = Vec::new();
        loop {
            let Some(col) = p.ident() else {
                return Err(syntax(&p, sql));
            };
            let ty = match p.ident().as_deref() {
                Some("int" | "integer" | "bigint" | "smallint" | "int4" | "int8") => ColType::Int,
                Some("serial" | "bigserial") => ColType::Serial,
                Some(_) => ColType::Text,
                None => return Err(syntax(&p, sql)),
            };
            // Sizes and constraints (`varchar(80)`, `PRIMARY KEY`, `NOT NULL`) are accepted
            // and not enforced.
            let mut depth = 0;
            while let Some(t) = p.peek() {
                match t {
                    Tok::Punct('(') => depth += 1,
                    Tok::Punct(')') if depth == 0 => break,
                    Tok::Punct(')') => depth -= 1,
                    Tok::Punct(',') if depth == 0 => break,
                    _ => {}
                }
                p.i += 1;
            }
            columns.push((col, ty));
            if p.punct(',') {
                continue;
            }
            if p.punct(')') {
                break;
            }
            return Err(syntax(&p, sql));
        }
        if read_table(fs, pgdata, &name).is_some() {
            if if_not {
                return Ok(format!(
                    "NOTICE:  relation \"{name}\" already exists, skipping\nCREATE TABLE\n"
                ));
            }
            let _ = name_at;
            return Err(sql_error(
                &format!("relation \"{name}\" already exists"),
                sql,
                None,
            ));
        }
        write_table(
            fs,
            pgdata,
            &name,
            &Table {
                columns,
                rows: Vec::new(),
            },
        )
        .map_err(|e| sql_error(&format!("could not extend file: {e}"), sql, None))?;
        return Ok("CREATE TABLE\n".into());
    }
    if p.word("drop") {
        if !p.word("table") {
            return Err(syntax(&p, sql));
        }
        let at = p.at();
        let Some(name) = p.ident() else {
            return Err(syntax(&p, sql));
        };
        if read_table(fs, pgdata, &name).is_none() {
            let _ = at;
            return Err(sql_error(
                &format!("table \"{name}\" does not exist"),
                sql,
                None,
            ));
        }
        let _ = fs.remove(&table_path(pgdata, &name), false);
        return Ok("DROP TABLE\n".into());
    }
    if p.word("insert") {
        if !p.word("into") {
            return Err(syntax(&p, sql));
        }
        let at = p.at();
        let Some(name) = p.ident() else {
            return Err(syntax(&p, sql));
        };
        let Some(mut table) = read_table(fs, pgdata, &name) else {
            return Err(sql_error(
                &format!("relation \"{name}\" does not exist"),
                sql,
                Some(at),
            ));
        };
        let mut cols: Vec<usize> = (0..table.columns.len()).collect();
        if p.punct('(') {
            cols.clear();
            loop {
                let at = p.at();
                let Some(c) = p.ident() else {
                    return Err(syntax(&p, sql));
                };
                match table.columns.iter().position(|(n, _)| *n == c) {
                    Some(i) => cols.push(i),
                    None => {
                        return Err(sql_error(
                            &format!("column \"{c}\" of relation \"{name}\" does not exist"),
                            sql,
                            Some(at),
                        ))
                    }
                }
                if p.punct(',') {
                    continue;
                }
                if p.punct(')') {
                    break;
                }
                return Err(syntax(&p, sql));
            }
        } else {
            // Without a column list, serial columns are filled in only when values stop short.
        }
        if !p.word("values") {
            return Err(syntax(&p, sql));
        }
        let mut added = 0;
        loop {
            if !p.punct('(') {
                return Err(syntax(&p, sql));
            }
            let mut values = Vec::new();
            loop {
                let at = p.at();
                let v = match p.peek().cloned() {
                    Some(Tok::Num(n)) => Some(n),
                    Some(Tok::Str(s)) => Some(s),
                    Some(Tok::Word(w)) if w == "null" => None,
                    Some(Tok::Word(w)) if w == "default" => None,
                    _ => return Err(syntax(&p, sql)),
                };
                p.i += 1;
                values.push((v, at));
                if p.punct(',') {
                    continue;
                }
                if p.punct(')') {
                    break;
                }
                return Err(syntax(&p, sql));
            }
            if values.len() > cols.len() {
                return Err(sql_error(
                    "INSERT has more expressions than target columns",
                    sql,
                    Some(values[cols.len()].1),
                ));
            }
            let mut row: Vec<Option<String>> = vec![None; table.columns.len()];
            for (k, (v, at)) in values.into_iter().enumerate() {
                let ci = cols[k];
                if table.columns[ci].1 != ColType::Text {
                    if let Some(s) = &v {
                        if s.parse::<i64>().is_err() {
                            return Err(sql_error(
                                &format!("invalid input syntax for type integer: \"{s}\""),
                                sql,
                                Some(at),
                            ));
                        }
                    }
                }
                row[ci] = v;
            }
            for (ci, (_, ty)) in table.columns.iter().enumerate() {
                if *ty == ColType::Serial && row[ci].is_none() {
                    let next = table
                        .rows
                        .iter()
                        .filter_map(|r| r.get(ci)?.as_ref()?.parse::<i64>().ok())
                        .max()
                        .unwrap_or(0)
                        + 1;
                    row[ci] = Some(next.to_string());
                }
            }
            table.rows.push(row);
            added += 1;
            if !p.punct(',') {
                break;
            }
        }
        if p.peek().is_some() {
            return Err(syntax(&p, sql));
        }
        write_table(fs, pgdata, &name, &table)
            .map_err(|e| sql_error(&format!("could not extend file: {e}"), sql, None))?;
        return Ok(format!("INSERT 0 {added}\n"));
    }
    if p.word("select") {
        // SELECT expr without FROM: numbers, strings, version().
        let mut items: Vec<String> = Vec::new();
        let mut star = false;
        let mut count = false;
        loop {
            if p.punct('*') {
                star = true;
            } else if p.word("count") {
                if !(p.punct('(') && p.punct('*') && p.punct(')')) {
                    return Err(syntax(&p, sql));
                }
                count = true;
            } else if let Some(Tok::Num(n)) = p.peek().cloned() {
                p.i += 1;
                items.push(format!("#{n}"));
            } else if let Some(Tok::Str(s)) = p.peek().cloned() {
                p.i += 1;
                items.push(format!("'{s}"));
            } else if p.word("version") {
                if !(p.punct('(') && p.punct(')')) {
                    return Err(syntax(&p, sql));
                }
                items.push("version()".into());
            } else if let Some(c) = p.ident() {
                items.push(c);
            } else {
                return Err(syntax(&p, sql));
            }
            if !p.punct(',') {
                break;
            }
        }
        if !p.word("from") {
            if p.peek().is_some() || star || count {
                return Err(syntax(&p, sql));
            }
            let mut headers = Vec::new();
            let mut numeric = Vec::new();
            let mut row = Vec::new();
            for it in &items {
                if let Some(n) = it.strip_prefix('#') {
                    headers.push("?column?".to_string());
                    numeric.push(true);
                    row.push(n.to_string());
                } else if let Some(s) = it.strip_prefix('\'') {
                    headers.push("?column?".to_string());
                    numeric.push(false);
                    row.push(s.to_string());
                } else if it == "version()" {
                    headers.push("version".to_string());
                    numeric.push(false);
                    row.push("PostgreSQL (Pocket Cluster's simulated postgres: CREATE TABLE, INSERT, SELECT, DROP TABLE)".into());
                } else {
                    return Err(sql_error(
                        &format!("column \"{it}\" does not exist"),
                        sql,
                        None,
                    ));
                }
            }
            return Ok(render(&headers, &numeric, &[row], tuples, unaligned));
        }
        let at = p.at();
        let Some(name) = p.ident() else {
            return Err(syntax(&p, sql));
        };
        let Some(table) = read_table(fs, pgdata, &name) else {
            return Err(sql_error(
                &format!("relation \"{name}\" does not exist"),
                sql,
                Some(at),
            ));
        };
        let mut filter: Option<(usize, Option<String>)> = None;
        if p.word("where") {
            let at = p.at();
            let Some(c) = p.ident() else {
                return Err(syntax(&p, sql));
            };
            let Some(ci) = table.columns.iter().position(|(n, _)| *n == c) else {
                return Err(sql_error(
                    &format!("column \"{c}\" does not exist"),
                    sql,
                    Some(at),
                ));
            };
            if !p.punct('=') {
                return Err(syntax(&p, sql));
            }
            let v = match p.peek().cloned() {
                Some(Tok::Num(n)) => Some(n),
                Some(Tok::Str(s)) => Some(s),
                _ => return Err(syntax(&p, sql)),
            };
            p.i += 1;
            filter = Some((ci, v));
        }
        let mut order: Option<usize> = None;
        if p.word("order") {
            if !p.word("by") {
                return Err(syntax(&p, sql));
            }
            let at = p.at();
            let Some(c) = p.ident() else {
                return Err(syntax(&p, sql));
            };
            let Some(ci) = table.columns.iter().position(|(n, _)| *n == c) else {
                return Err(sql_error(
                    &format!("column \"{c}\" does not exist"),
                    sql,
                    Some(at),
                ));
            };
            order = Some(ci);
        }
        if p.peek().is_some() {
            return Err(syntax(&p, sql));
        }
        let mut rows: Vec<&Vec<Option<String>>> = table
            .rows
            .iter()
            .filter(|r| match &filter {
                Some((ci, v)) => r.get(*ci).cloned().flatten() == *v,
                None => true,
            })
            .collect();
        if let Some(ci) = order {
            let int = table.columns[ci].1 != ColType::Text;
            crate::sim::sort::by(&mut rows, |a, b| {
                let (x, y) = (a.get(ci).cloned().flatten(), b.get(ci).cloned().flatten());
                if int {
                    let n = |v: Option<String>| v.and_then(|s| s.parse::<i64>().ok());
                    n(x).cmp(&n(y))
                } else {
                    x.cmp(&y)
                }
            });
        }
        if count {
            return Ok(render(
                &["count".into()],
                &[true],
                &[vec![rows.len().to_string()]],
                tuples,
                unaligned,
            ));
        }
        let picked: Vec<usize> = if star {
            (0..table.columns.len()).collect()
        } else {
            let mut v = Vec::new();
            for it in &items {
                match table.columns.iter().position(|(n, _)| n == it) {
                    Some(i) => v.push(i),
                    None => {
                        return Err(sql_error(
                            &format!("column \"{it}\" does not exist"),
                            sql,
                            None,
                        ))
                    }
                }
            }
            v
        };
        let headers: Vec<String> = picked.iter().map(|i| table.columns[*i].0.clone()).collect();
        let numeric: Vec<bool> = picked
            .iter()
            .map(|i| table.columns[*i].1 != ColType::Text)
            .collect();
        let out: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                picked
                    .iter()
                    .map(|i| r.get(*i).cloned().flatten().unwrap_or_default())
                    .collect()
            })
            .collect();
        return Ok(render(&headers, &numeric, &out, tuples, unaligned));
    }
    Err(syntax(&p, sql))
}

fn render(
    headers: &[String],
    numeric: &[bool],
    rows: &[Vec<String>],
    tuples: bool,
    unaligned: bool,
) -> String {
    if unaligned {
        let mut out = String::new();
        if !tuples {
            out.push_str(&headers.join("|"));
            out.push('\n');
        }
        for r in rows {
            out.push_str(&r.join("|"));
            out.push('\n');
        }
        if !tuples {
            let n = rows.len();
            out.push_str(&format!("({n} row{})\n", if n == 1 { "" } else { "s" }));
        }
        return out;
    }
    aligned(headers, numeric, rows, tuples)
}

/// `psql [-U USER] [-d DB] [-h HOST] [-t] [-A] -c SQL` in a postgres container: (output, code).
/// A small SQL subset (CREATE TABLE, INSERT, SELECT with WHERE col = v and ORDER BY, DROP
/// TABLE, `\dt`), kept in `$PGDATA`; anything else is a syntax error, as postgres says it.
pub fn psql(fs: &mut Fs, args: &[String], pgdata: &str, server_running: bool) -> (String, i32) {
    let mut sql: Vec<String> = Vec::new();
    let (mut tuples, mut unaligned) = (false, false);
    let mut host = String::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        match a {
            "-c" | "--command" => {
                if let Some(s) = args.get(i + 1) {
                    sql.push(s.clone());
                }
                i += 2;
            }
            "-U" | "-d" | "-p" | "--username" | "--dbname" => i += 2,
            "-h" | "--host" => {
                host = args.get(i + 1).cloned().unwrap_or_default();
                i += 2;
            }
            "-t" | "--tuples-only" => {
                tuples = true;
                i += 1;
            }
            "-A" | "--no-align" => {
                unaligned = true;
                i += 1;
            }
            "-At" | "-tA" => {
                tuples = true;
                unaligned = true;
                i += 1;
            }
            _ if a.starts_with("-c") && a.len() > 2 => {
                sql.push(a[2..].to_string());
                i += 1;
            }
            _ if a.starts_with("-U") || a.starts_with("-d") => i += 1,
            _ => i += 1,
        }
    }
    if !host.is_empty() && !matches!(host.as_str(), "localhost" | "127.0.0.1" | "::1") {
        return (
            format!("Pocket Cluster's psql reaches the postgres server of its own container only (-h {host} is not simulated)\n"),
            2,
        );
    }
    if !server_running || fs.stat(&format!("{pgdata}/PG_VERSION")).is_none() {
        return ("psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory\n\tIs the server running locally and accepting connections on that socket?\n".into(), 2);
    }
    if sql.is_empty() {
        return ("Pocket Cluster does not simulate psql's interactive mode; give the SQL with -c, e.g. psql -U postgres -c 'SELECT 1'\n".into(), 1);
    }
    let mut out = String::new();
    for command in sql {
        if command.trim() == "\\dt" {
            let mut names: Vec<String> = fs
                .list(&format!("{pgdata}/base/pocket"))
                .map(|l| l.into_iter().map(|(n, _)| n).collect())
                .unwrap_or_default();
            crate::sim::sort::natural(&mut names);
            if names.is_empty() {
                out.push_str("Did not find any relations.\n");
                continue;
            }
            let rows: Vec<Vec<String>> = names
                .iter()
                .map(|n| {
                    vec![
                        "public".into(),
                        n.clone(),
                        "table".into(),
                        "postgres".into(),
                    ]
                })
                .collect();
            out.push_str("          List of relations\n");
            out.push_str(&aligned(
                &[
                    "Schema".into(),
                    "Name".into(),
                    "Type".into(),
                    "Owner".into(),
                ],
                &[false; 4],
                &rows,
                false,
            ));
            continue;
        }
        for stmt in command.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match statement(fs, pgdata, stmt, tuples, unaligned) {
                Ok(text) => out.push_str(&text),
                Err(e) => {
                    out.push_str(&e);
                    return (out, 1);
                }
            }
        }
    }
    (out, 0)
}

#[cfg(test)]
mod psql_tests {
    use super::*;
    use crate::sim::fs::Tree;

    #[test]
    fn tables_live_in_pgdata() {
        let mut fs = Fs::new(Box::new(Tree::default()), 0);
        on_start("postgres", "16", &[], &mut fs);
        let run = |fs: &mut Fs, sql: &str| {
            psql(
                fs,
                &["-c".into(), sql.into()],
                "/var/lib/postgresql/data",
                true,
            )
        };
        assert_eq!(
            run(
                &mut fs,
                "CREATE TABLE visits (id serial PRIMARY KEY, who text)"
            )
            .0,
            "CREATE TABLE\n"
        );
        assert_eq!(
            run(
                &mut fs,
                "INSERT INTO visits (who) VALUES ('alice'), ('bob')"
            )
            .0,
            "INSERT 0 2\n"
        );
        assert_eq!(
            run(&mut fs, "SELECT * FROM visits").0,
            " id |  who  \n----+-------\n  1 | alice\n  2 | bob\n(2 rows)\n\n"
        );
        let (e, code) = run(&mut fs, "SELECT * FROM nope");
        assert_eq!(code, 1);
        assert_eq!(e, "ERROR:  relation \"nope\" does not exist\nLINE 1: SELECT * FROM nope\n                      ^\n");
        assert_eq!(
            run(&mut fs, "SELECT count(*) FROM visits").0,
            " count \n-------\n     2\n(1 row)\n\n"
        );
    }
}
