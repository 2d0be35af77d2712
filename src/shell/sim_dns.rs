//! `sim dns`: the world's public DNS zone, as the learner edits a hosted zone (Route53) by hand:
//! `sim dns add NAME A IP`, `sim dns add NAME CNAME TARGET`, `sim dns list`, `sim dns delete`.

use super::format::table;
use super::Session;
use crate::sim::api::service_admission::parse_ipv4;
use crate::sim::dns::{check_name, Record, RecordType, DEFAULT_TTL, ZONE_NOTE};

pub const USAGE: &str = "sim dns: expected a subcommand:
  sim dns add NAME A IP[,IP...] [--ttl SECONDS]   an address record (several IPs: one set)
  sim dns add NAME CNAME TARGET [--ttl SECONDS]   an alias
  sim dns list                                    every record of the public zone
  sim dns delete NAME [TYPE]                      remove a record (every type unless TYPE)";

pub fn run(s: &mut Session, args: &[String]) -> Result<String, String> {
    match args.first().map(String::as_str) {
        Some("add") | Some("set") | Some("upsert") => add(s, &args[1..]),
        Some("list") | Some("ls") | None => Ok(list(s)),
        Some("delete") | Some("del") | Some("rm") | Some("remove") => delete(s, &args[1..]),
        Some(other) => Err(format!("sim dns: unknown subcommand \"{other}\"\n{USAGE}")),
    }
}

fn add(s: &mut Session, args: &[String]) -> Result<String, String> {
    let mut ttl = DEFAULT_TTL;
    let mut positional = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(v) = a.strip_prefix("--ttl=") {
            ttl = parse_ttl(v)?;
        } else if a == "--ttl" {
            i += 1;
            ttl = parse_ttl(args.get(i).map(String::as_str).unwrap_or(""))?;
        } else if a.starts_with("--") {
            return Err(format!("sim dns add: unknown flag {a}\n{USAGE}"));
        } else {
            positional.push(a.clone());
        }
        i += 1;
    }
    let [name, type_, value] = positional.as_slice() else {
        return Err(format!(
            "sim dns add: expected NAME TYPE VALUE, e.g. sim dns add ambassador.cluster2.example.com A 198.51.100.1\n{USAGE}"
        ));
    };
    let name = check_name(name).map_err(|e| format!("sim dns add: {e}"))?;
    let type_ = match RecordType::parse(type_) {
        Some(RecordType::Txt) | None => {
            return Err(format!(
                "sim dns add: record type \"{type_}\" is not one the simulator resolves (A, CNAME)"
            ))
        }
        Some(t) => t,
    };
    let values: Vec<String> = match type_ {
        RecordType::A => {
            let ips: Vec<String> = value
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if ips.is_empty() {
                return Err("sim dns add: an A record needs an IPv4 address".into());
            }
            for ip in &ips {
                if parse_ipv4(ip).is_none() {
                    return Err(format!(
                        "sim dns add: \"{ip}\" is not an IPv4 address (e.g. 198.51.100.1)"
                    ));
                }
            }
            ips
        }
        _ => vec![check_name(value).map_err(|e| format!("sim dns add: CNAME target {e}"))?],
    };
    if type_ == RecordType::Cname && values[0] == name {
        return Err(format!("sim dns add: {name} cannot be an alias for itself"));
    }
    let replaced = s.world.public_dns.get(&name, type_).is_some();
    s.world
        .public_dns
        .upsert(Record {
            name: name.clone(),
            type_,
            values: values.clone(),
            ttl,
            written_by: None,
        })
        .map_err(|e| format!("sim dns add: {e}"))?;
    Ok(format!(
        "{} {name} {} {} (TTL {ttl}s) in the {ZONE_NOTE}",
        if replaced { "changed" } else { "added" },
        type_.as_str(),
        values.join(",")
    ))
}

fn parse_ttl(v: &str) -> Result<u32, String> {
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=2_147_483_647).contains(n))
        .ok_or_else(|| {
            format!("sim dns add: --ttl takes seconds from 1 to 2147483647, not \"{v}\"")
        })
}

fn list(s: &Session) -> String {
    let records = s.world.public_dns.records();
    if records.is_empty() {
        return format!(
            "The {ZONE_NOTE} has no records yet.\nAdd one: sim dns add app.example.com A 203.0.113.10"
        );
    }
    let mut rows = vec![["NAME", "TYPE", "TTL", "VALUE", "WRITTEN BY"]
        .map(String::from)
        .to_vec()];
    for r in records {
        rows.push(vec![
            r.name.clone(),
            r.type_.as_str().into(),
            r.ttl.to_string(),
            if r.type_ == RecordType::Txt {
                r.values
                    .iter()
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                r.values.join(",")
            },
            r.written_by.clone().unwrap_or_else(|| "you".into()),
        ]);
    }
    table(&rows).trim_end().to_string()
}

fn delete(s: &mut Session, args: &[String]) -> Result<String, String> {
    let Some(name) = args.first() else {
        return Err(format!("sim dns delete: which name?\n{USAGE}"));
    };
    let name = check_name(name).map_err(|e| format!("sim dns delete: {e}"))?;
    let type_ = match args.get(1) {
        Some(t) => Some(
            RecordType::parse(t)
                .ok_or_else(|| format!("sim dns delete: unknown record type \"{t}\""))?,
        ),
        None => None,
    };
    match s.world.public_dns.remove(&name, type_) {
        0 => Err(format!(
            "sim dns delete: the public zone has no record {name}"
        )),
        n => Ok(format!(
            "deleted {n} record{} at {name}",
            if n == 1 { "" } else { "s" }
        )),
    }
}
