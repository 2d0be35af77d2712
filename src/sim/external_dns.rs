//! External-DNS as a program running in a cluster: every running container of the
//! `external-dns` image reads its flags (`--source`, `--domain-filter`, `--policy`,
//! `--txt-owner-id`, `--interval`, ...), and once at start and then every interval it computes
//! the records its sources ask for and brings the world's public zone in line, owning what it
//! writes through TXT records as the TXT registry does (facts 99-101). Its log lines are kept
//! for `kubectl logs`.
//!
//! The simulation's one public zone stands in for whichever `--provider` is named (aws,
//! google, cloudflare, ...); credentials and RBAC are not checked.

use std::collections::BTreeMap;

use crate::sim::clock::{rfc3339, Millis};
use crate::sim::cluster::Cluster;
use crate::sim::dns::{check_name, PublicZone, Record, RecordType};
use crate::sim::kubelet::RunState;
use crate::sim::World;

/// The annotations, as External-DNS up to v0.21 reads them (fact 99).
pub const HOSTNAME: &str = "external-dns.alpha.kubernetes.io/hostname";
pub const TTL: &str = "external-dns.alpha.kubernetes.io/ttl";
pub const TARGET: &str = "external-dns.alpha.kubernetes.io/target";
pub const INTERNAL_HOSTNAME: &str = "external-dns.alpha.kubernetes.io/internal-hostname";

/// Image repositories that run External-DNS.
const IMAGES: &[&str] = &[
    "registry.k8s.io/external-dns/external-dns",
    "k8s.gcr.io/external-dns/external-dns",
    "bitnami/external-dns",
];

pub fn is_external_dns(image: &str) -> bool {
    let (repo, _) = crate::sim::images::normalise(image);
    IMAGES.contains(&repo.as_str())
}

/// One running External-DNS container's state: when it syncs next, and what it has logged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    pub next: Millis,
    pub logs: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Sync,
    UpsertOnly,
    CreateOnly,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub sources: Vec<String>,
    pub domain_filters: Vec<String>,
    pub exclude_domains: Vec<String>,
    pub policy: Policy,
    pub owner: String,
    pub txt_prefix: String,
    pub registry: String,
    pub interval: Millis,
    pub namespace: String,
    pub provider: String,
    pub publish_internal: bool,
    pub debug: bool,
}

impl Config {
    /// Parse External-DNS's flags (both `--flag=value` and `--flag value`).
    pub fn parse(args: &[String]) -> Result<Config, String> {
        let mut c = Config {
            sources: Vec::new(),
            domain_filters: Vec::new(),
            exclude_domains: Vec::new(),
            policy: Policy::Sync,
            owner: "default".into(),
            txt_prefix: String::new(),
            registry: "txt".into(),
            interval: 60_000,
            namespace: String::new(),
            provider: String::new(),
            publish_internal: false,
            debug: false,
        };
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            i += 1;
            let Some(flag) = a.strip_prefix("--") else {
                continue;
            };
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (flag, None),
            };
            let boolean = matches!(name, "publish-internal-services" | "once" | "dry-run");
            let value = match value {
                Some(v) => v,
                None if boolean => "true".into(),
                None => {
                    let v = args.get(i).cloned().unwrap_or_default();
                    i += 1;
                    v
                }
            };
            match name {
                "source" => c.sources.push(value),
                "domain-filter" => c.domain_filters.extend(
                    value
                        .split(',')
                        .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
                        .filter(|d| !d.is_empty()),
                ),
                "exclude-domains" => c.exclude_domains.push(value.to_ascii_lowercase()),
                "policy" => {
                    c.policy = match value.as_str() {
                        "sync" => Policy::Sync,
                        "upsert-only" => Policy::UpsertOnly,
                        "create-only" => Policy::CreateOnly,
                        other => {
                            return Err(format!(
                        "flag --policy: unknown policy {other:?} (sync, upsert-only, create-only)"
                    ))
                        }
                    }
                }
                "txt-owner-id" => c.owner = value,
                "txt-prefix" => c.txt_prefix = value,
                "registry" => c.registry = value,
                "interval" => {
                    c.interval = crate::sim::clock::parse_duration(&value)
                        .map_err(|e| format!("flag --interval: {e}"))?
                        .max(1_000)
                }
                "namespace" => c.namespace = value,
                "provider" => c.provider = value,
                "publish-internal-services" => c.publish_internal = value != "false",
                "log-level" => c.debug = value == "debug" || value == "trace",
                _ => {}
            }
        }
        if c.sources.is_empty() {
            return Err("required flag(s) \"source\" not set".into());
        }
        if c.provider.is_empty() {
            return Err("required flag(s) \"provider\" not set".into());
        }
        Ok(c)
    }

    fn wants(&self, name: &str) -> bool {
        let within = |d: &String| name == d || name.ends_with(&format!(".{d}"));
        (self.domain_filters.is_empty() || self.domain_filters.iter().any(within))
            && !self.exclude_domains.iter().any(within)
    }

    /// The TXT registry's record name for `name` of `type_` (the `a-`/`cname-` format).
    fn txt_name(&self, name: &str, type_: RecordType) -> String {
        let kind = match type_ {
            RecordType::Cname => "cname",
            _ => "a",
        };
        match name.strip_prefix("*.") {
            Some(rest) => format!("*.{}{kind}-{rest}", self.txt_prefix),
            None => format!("{}{kind}-{name}", self.txt_prefix),
        }
    }

    fn heritage(&self, resource: &str) -> String {
        format!(
            "heritage=external-dns,external-dns/owner={},external-dns/resource={resource}",
            self.owner
        )
    }
}

/// One record a source asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub name: String,
    pub type_: RecordType,
    pub targets: Vec<String>,
    pub ttl: u32,
    /// `service/default/web`, `host/ambassador/cluster2`, ...
    pub resource: String,
}

/// The records the Service source asks for in one cluster (fact 100).
fn service_endpoints(c: &Cluster, cfg: &Config) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for s in c.store.services.values() {
        if !cfg.namespace.is_empty() && s.metadata.namespace != cfg.namespace {
            continue;
        }
        let ann = &s.metadata.annotations;
        let ttl = ann
            .get(TTL)
            .and_then(|t| t.trim().parse::<u32>().ok())
            .filter(|t| *t > 0)
            .unwrap_or(300);
        let resource = format!("service/{}/{}", s.metadata.namespace, s.metadata.name);
        let mut add = |names: &str, targets: Vec<String>, type_: RecordType| {
            if targets.is_empty() {
                return;
            }
            for n in names.split(',') {
                let Ok(name) = check_name(n.trim()) else {
                    continue;
                };
                out.push(Endpoint {
                    name,
                    type_,
                    targets: targets.clone(),
                    ttl,
                    resource: resource.clone(),
                });
            }
        };
        let override_targets: Option<Vec<String>> = ann.get(TARGET).map(|t| {
            t.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        });
        let kind = |targets: &[String]| {
            if targets
                .iter()
                .all(|t| crate::sim::api::service_admission::parse_ipv4(t).is_some())
            {
                RecordType::A
            } else {
                RecordType::Cname
            }
        };
        if let Some(names) = ann.get(HOSTNAME) {
            let targets: Vec<String> = match &override_targets {
                Some(t) => t.clone(),
                None => match s.type_name() {
                    "LoadBalancer" => s
                        .status
                        .load_balancer
                        .ingress
                        .iter()
                        .map(|i| {
                            if i.ip.is_empty() {
                                i.hostname.clone()
                            } else {
                                i.ip.clone()
                            }
                        })
                        .chain(s.spec.external_ips.iter().cloned())
                        .filter(|t| !t.is_empty())
                        .collect(),
                    "NodePort" => c
                        .store
                        .nodes
                        .values()
                        .map(crate::sim::kubelet::node_ip)
                        .collect(),
                    "ExternalName" => vec![s.spec.external_name.clone()],
                    _ if s.spec.cluster_ip == "None" => c
                        .store
                        .endpoints
                        .get(&s.metadata.namespace, &s.metadata.name)
                        .map(|e| {
                            e.subsets
                                .iter()
                                .flat_map(|ss| ss.addresses.iter().map(|a| a.ip.clone()))
                                .collect()
                        })
                        .unwrap_or_default(),
                    _ if cfg.publish_internal => vec![s.spec.cluster_ip.clone()],
                    _ => Vec::new(),
                },
            };
            let t = kind(&targets);
            add(names, targets, t);
        }
        if let Some(names) = ann.get(INTERNAL_HOSTNAME) {
            if s.spec.cluster_ip != "None" && !s.spec.cluster_ip.is_empty() {
                add(names, vec![s.spec.cluster_ip.clone()], RecordType::A);
            }
        }
    }
    out
}

fn record_type(targets: &[String]) -> RecordType {
    if targets
        .iter()
        .all(|t| crate::sim::api::service_admission::parse_ipv4(t).is_some())
    {
        RecordType::A
    } else {
        RecordType::Cname
    }
}

fn ttl_of(ann: &BTreeMap<String, String>) -> u32 {
    ann.get(TTL)
        .and_then(|t| t.trim().parse::<u32>().ok())
        .filter(|t| *t > 0)
        .unwrap_or(300)
}

fn lb_targets(status: Option<&serde_yaml::Value>) -> Vec<String> {
    status
        .and_then(|s| s.get("loadBalancer"))
        .and_then(|l| l.get("ingress"))
        .and_then(|i| i.as_sequence())
        .map(|list| {
            list.iter()
                .filter_map(|i| {
                    i.get("ip")
                        .or_else(|| i.get("hostname"))
                        .and_then(|v| v.as_str())
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The Ingress source (fact 100): every rule's host, and the hostname annotation, pointing
/// at the addresses the Ingress controller wrote into the Ingress's status.
fn ingress_endpoints(c: &Cluster, cfg: &Config) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let Some(table) = c.store.unstructured.get(crate::sim::proxy::INGRESSES) else {
        return out;
    };
    for ing in table.values() {
        if !cfg.namespace.is_empty() && ing.metadata.namespace != cfg.namespace {
            continue;
        }
        let ann = &ing.metadata.annotations;
        let targets: Vec<String> = match ann.get(TARGET) {
            Some(t) => t
                .split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect(),
            None => lb_targets(ing.field("status")),
        };
        if targets.is_empty() {
            continue;
        }
        let mut names: Vec<String> = ing
            .path(&["spec", "rules"])
            .and_then(|r| r.as_sequence())
            .map(|rules| {
                rules
                    .iter()
                    .filter_map(|r| r.get("host").and_then(|h| h.as_str()).map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        if let Some(h) = ann.get(HOSTNAME) {
            names.extend(h.split(',').map(|x| x.trim().to_string()));
        }
        for n in names {
            let Ok(name) = check_name(&n) else { continue };
            out.push(Endpoint {
                name,
                type_: record_type(&targets),
                targets: targets.clone(),
                ttl: ttl_of(ann),
                resource: format!("ingress/{}/{}", ing.metadata.namespace, ing.metadata.name),
            });
        }
    }
    out
}

/// The `ambassador-host` source (fact 101): Emissary Hosts annotated
/// `external-dns.ambassador-service: [NS/]SVC` publish their hostname at that Service's load
/// balancer.
fn ambassador_host_endpoints(
    c: &Cluster,
    cfg: &Config,
    now: Millis,
    log: &mut Vec<String>,
) -> Vec<Endpoint> {
    let mut out = Vec::new();
    let Some(table) = c.store.unstructured.get(crate::sim::proxy::HOSTS) else {
        return out;
    };
    for h in table.values() {
        if !cfg.namespace.is_empty() && h.metadata.namespace != cfg.namespace {
            continue;
        }
        let ann = &h.metadata.annotations;
        let Some(svc) = ann.get("external-dns.ambassador-service") else {
            continue;
        };
        let (ns, name) = match svc.split_once('/') {
            Some((ns, n)) => (ns.to_string(), n.to_string()),
            None => match svc.split_once('.') {
                Some((n, ns)) => (ns.to_string(), n.to_string()),
                None => (h.metadata.namespace.clone(), svc.clone()),
            },
        };
        let Some(service) = c.store.services.get(&ns, &name) else {
            log.push(line(
                now,
                "warning",
                &format!(
                    "Failed to get Ambassador service {ns}/{name} for host {}/{}: services \"{name}\" not found",
                    h.metadata.namespace, h.metadata.name
                ),
            ));
            continue;
        };
        let targets: Vec<String> = service
            .status
            .load_balancer
            .ingress
            .iter()
            .map(|i| {
                if i.ip.is_empty() {
                    i.hostname.clone()
                } else {
                    i.ip.clone()
                }
            })
            .filter(|t| !t.is_empty())
            .collect();
        if targets.is_empty() {
            continue;
        }
        let hostname = h.str_at(&["spec", "hostname"]);
        let Ok(record) = check_name(hostname) else {
            continue;
        };
        out.push(Endpoint {
            name: record,
            type_: record_type(&targets),
            targets,
            ttl: ttl_of(ann),
            resource: format!("host/{}/{}", h.metadata.namespace, h.metadata.name),
        });
    }
    out
}

/// The records every configured source asks for, merged by name and type.
fn desired(c: &Cluster, cfg: &Config, now: Millis, log: &mut Vec<String>) -> Vec<Endpoint> {
    let mut all: Vec<Endpoint> = Vec::new();
    for source in &cfg.sources {
        match source.as_str() {
            "service" => all.extend(service_endpoints(c, cfg)),
            "ingress" => all.extend(ingress_endpoints(c, cfg)),
            "ambassador-host" => all.extend(ambassador_host_endpoints(c, cfg, now, log)),
            other => log.push(line(
                now,
                "warning",
                &format!(
                    "source {other:?} is not simulated by Pocket Cluster: it publishes nothing"
                ),
            )),
        }
    }
    let mut merged: BTreeMap<(String, RecordType), Endpoint> = BTreeMap::new();
    for e in all {
        if !cfg.wants(&e.name) {
            continue;
        }
        match merged.get_mut(&(e.name.clone(), e.type_)) {
            Some(m) => {
                for t in e.targets {
                    if !m.targets.contains(&t) {
                        m.targets.push(t);
                    }
                }
            }
            None => {
                merged.insert((e.name.clone(), e.type_), e);
            }
        }
    }
    merged
        .into_values()
        .map(|mut e| {
            crate::sim::sort::natural(&mut e.targets);
            e
        })
        .collect()
}

fn line(now: Millis, level: &str, msg: &str) -> String {
    format!(
        "time=\"{}\" level={level} msg=\"{}\"",
        rfc3339(now),
        msg.replace('"', "\\\"")
    )
}

/// The zone name AWS would log (`zoneName=example.com.`): the domain filter that holds the
/// name, or its last two labels.
fn zone_of(cfg: &Config, name: &str) -> String {
    cfg.domain_filters
        .iter()
        .filter(|d| name == d.as_str() || name.ends_with(&format!(".{d}")))
        .max_by_key(|d| d.len())
        .cloned()
        .unwrap_or_else(|| {
            let labels: Vec<&str> = name.split('.').collect();
            labels[labels.len().saturating_sub(2)..].join(".")
        })
}

/// Who owns a record per the TXT registry: the owner id in its TXT companion, if any.
fn owner_of(zone: &PublicZone, cfg: &Config, name: &str, type_: RecordType) -> Option<String> {
    let txt = zone.get(&cfg.txt_name(name, type_), RecordType::Txt)?;
    txt.values.iter().find_map(|v| {
        v.split(',')
            .find_map(|kv| kv.strip_prefix("external-dns/owner="))
            .map(String::from)
    })
}

/// One sync: the plan and its changes, applied to the zone; the log lines it wrote.
pub fn sync(
    zone: &mut PublicZone,
    c: &Cluster,
    cfg: &Config,
    now: Millis,
    writer: &str,
) -> Vec<String> {
    let mut log = Vec::new();
    let wanted = desired(c, cfg, now, &mut log);
    let txt = cfg.registry == "txt";
    let mut changes: Vec<(String, String, String)> = Vec::new(); // (action, name, type)
    let mut applied: Vec<Record> = Vec::new();
    let mut removed: Vec<(String, RecordType)> = Vec::new();
    for e in &wanted {
        let existing = zone.get(&e.name, e.type_).cloned();
        let other_type = [RecordType::A, RecordType::Cname]
            .into_iter()
            .filter(|t| *t != e.type_)
            .find_map(|t| zone.get(&e.name, t).cloned());
        let owner = owner_of(zone, cfg, &e.name, e.type_);
        let ours = !txt || owner.as_deref() == Some(cfg.owner.as_str());
        let record = Record {
            name: e.name.clone(),
            type_: e.type_,
            values: e.targets.clone(),
            ttl: e.ttl,
            written_by: Some(writer.to_string()),
        };
        match existing {
            None if other_type.is_some() => log.push(line(
                now,
                "info",
                &format!(
                    "Skipping endpoint {} {} IN {} {}: the name already has a record of another type",
                    e.name,
                    e.ttl,
                    e.type_.as_str(),
                    e.targets.join(" ")
                ),
            )),
            None => {
                changes.push(("CREATE".into(), e.name.clone(), e.type_.as_str().into()));
                applied.push(record);
                if txt {
                    changes.push((
                        "CREATE".into(),
                        cfg.txt_name(&e.name, e.type_),
                        "TXT".into(),
                    ));
                    applied.push(Record {
                        name: cfg.txt_name(&e.name, e.type_),
                        type_: RecordType::Txt,
                        values: vec![cfg.heritage(&e.resource)],
                        ttl: e.ttl,
                        written_by: Some(writer.to_string()),
                    });
                }
            }
            Some(_) if !ours => log.push(line(
                now,
                "debug",
                &format!(
                    "Skipping endpoint {} {} IN {} {} [] because owner id does not match, found: \"{}\", required: \"{}\"",
                    e.name,
                    e.ttl,
                    e.type_.as_str(),
                    e.targets.join(" "),
                    owner.unwrap_or_default(),
                    cfg.owner
                ),
            )),
            Some(r) => {
                if (r.values != e.targets || r.ttl != e.ttl) && cfg.policy != Policy::CreateOnly {
                    changes.push(("UPSERT".into(), e.name.clone(), e.type_.as_str().into()));
                    applied.push(record);
                }
            }
        }
    }
    if cfg.policy == Policy::Sync && txt {
        for r in zone.records() {
            if r.type_ == RecordType::Txt {
                continue;
            }
            let still = wanted
                .iter()
                .any(|e| e.name == r.name && e.type_ == r.type_);
            if still {
                continue;
            }
            if !cfg.wants(&r.name) {
                continue;
            }
            if owner_of(zone, cfg, &r.name, r.type_).as_deref() == Some(cfg.owner.as_str()) {
                changes.push(("DELETE".into(), r.name.clone(), r.type_.as_str().into()));
                changes.push((
                    "DELETE".into(),
                    cfg.txt_name(&r.name, r.type_),
                    "TXT".into(),
                ));
                removed.push((r.name.clone(), r.type_));
                removed.push((cfg.txt_name(&r.name, r.type_), RecordType::Txt));
            }
        }
    }
    if changes.is_empty() {
        log.push(line(now, "info", "All records are already up to date"));
        return log;
    }
    let mut zones: BTreeMap<String, usize> = BTreeMap::new();
    for (action, name, type_) in &changes {
        let z = zone_of(cfg, name.trim_start_matches("*."));
        log.push(format!(
            "{} profile=default zoneID=/hostedzone/Z0POCKETCLUSTER zoneName={z}.",
            line(
                now,
                "info",
                &format!("Desired change: {action} {name} {type_}")
            )
        ));
        *zones.entry(z).or_default() += 1;
    }
    for r in applied {
        // A clash with a CNAME is reported, not applied (Route53 refuses the whole batch).
        if let Err(e) = zone.upsert(r) {
            log.push(line(
                now,
                "error",
                &format!("failed to submit changes: {e}"),
            ));
        }
    }
    for (name, type_) in removed {
        zone.remove(&name, Some(type_));
    }
    for (z, n) in zones {
        log.push(format!(
            "{} profile=default zoneID=/hostedzone/Z0POCKETCLUSTER zoneName={z}.",
            line(
                now,
                "info",
                &format!("{n} record(s) were successfully updated")
            )
        ));
    }
    log
}

/// The start-up lines External-DNS prints before its first sync.
fn banner(cfg: &Result<Config, String>, now: Millis, image: &str) -> Vec<String> {
    let (_, tag) = crate::sim::images::normalise(image);
    let mut out = vec![line(
        now,
        "info",
        &format!(
            "config: {{Sources:{:?} Provider:{} Policy:{} Registry:{} TXTOwnerID:{} Interval:{}}}",
            cfg.as_ref().map(|c| c.sources.clone()).unwrap_or_default(),
            cfg.as_ref().map(|c| c.provider.clone()).unwrap_or_default(),
            cfg.as_ref()
                .map(|c| match c.policy {
                    Policy::Sync => "sync",
                    Policy::UpsertOnly => "upsert-only",
                    Policy::CreateOnly => "create-only",
                })
                .unwrap_or(""),
            cfg.as_ref().map(|c| c.registry.clone()).unwrap_or_default(),
            cfg.as_ref().map(|c| c.owner.clone()).unwrap_or_default(),
            cfg.as_ref()
                .map(|c| crate::sim::clock::human_duration(c.interval))
                .unwrap_or_default(),
        ),
    )];
    out.push(line(now, "info", &format!("Running External-DNS {tag}")));
    out.push(line(now, "info", "Instantiating new Kubernetes client"));
    out.push(line(
        now,
        "info",
        "Using inCluster-config based on serviceaccount-token",
    ));
    out.push(line(
        now,
        "info",
        "Created Kubernetes client https://10.96.0.1:443",
    ));
    out
}

/// Every External-DNS container running in the world: (cluster, containerID, image, flags).
fn running(world: &World) -> Vec<(usize, String, String, Vec<String>)> {
    let mut out = Vec::new();
    for (k, c) in world.clusters.iter().enumerate() {
        for (_, spec, r) in c.program_containers() {
            if !is_external_dns(&spec.image) || !matches!(r.state, RunState::Running { .. }) {
                continue;
            }
            let mut args = spec.command.clone();
            args.extend(spec.args.iter().cloned());
            out.push((k, r.container_id.to_string(), spec.image.clone(), args));
        }
    }
    out
}

/// Run every External-DNS container whose sync is due (called as the world settles).
pub fn run(world: &mut World) {
    let now = world.now;
    let key = world.scan_key();
    let live = if world.scans.external_dns_key == key {
        world.scans.external_dns.clone()
    } else {
        let live = running(world);
        world.scans.external_dns_key = key;
        world.scans.external_dns = live.clone();
        live
    };
    world
        .external_dns
        .retain(|(k, id), _| live.iter().any(|(lk, lid, _, _)| lk == k && lid == id));
    for (k, id, image, args) in live {
        let cfg = Config::parse(&args);
        let key = (k, id);
        let fresh = !world.external_dns.contains_key(&key);
        if fresh {
            let mut r = Run {
                next: now,
                logs: banner(&cfg, now, &image),
            };
            if let Err(e) = &cfg {
                r.logs.push(line(now, "fatal", e));
                r.next = Millis::MAX;
            }
            world.external_dns.insert(key.clone(), r);
        }
        let Ok(cfg) = cfg else { continue };
        let due = world.external_dns.get(&key).map(|r| r.next <= now) == Some(true);
        if !due {
            continue;
        }
        let writer = format!(
            "external-dns ({}, owner {})",
            world.clusters[k].name, cfg.owner
        );
        let lines = sync(
            &mut world.public_dns,
            &world.clusters[k],
            &cfg,
            now,
            &writer,
        );
        if let Some(r) = world.external_dns.get_mut(&key) {
            r.logs.extend(lines);
            // Keep the log bounded, as a container runtime rotates it.
            if r.logs.len() > 2_000 {
                let cut = r.logs.len() - 1_500;
                r.logs.drain(..cut);
            }
            r.next = now.saturating_add(cfg.interval);
        }
    }
}

/// The next moment an External-DNS container syncs.
pub fn next_deadline(world: &World) -> Option<Millis> {
    world
        .external_dns
        .values()
        .map(|r| r.next)
        .filter(|t| *t != Millis::MAX)
        .min()
}

/// What an External-DNS container logged, for `kubectl logs` (None: not an External-DNS
/// container the world knows).
pub fn logs(world: &World, cluster: usize, container_id: &str) -> Option<Vec<String>> {
    world
        .external_dns
        .get(&(cluster, container_id.to_string()))
        .map(|r| r.logs.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::Session;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_parse_with_defaults_and_required_ones() {
        let c = Config::parse(&args("--source=service --source ingress --provider aws"))
            .expect("parses");
        assert_eq!(c.sources, ["service", "ingress"]);
        assert_eq!(c.owner, "default");
        assert_eq!(c.interval, 60_000);
        assert_eq!(c.policy, Policy::Sync);
        assert_eq!(
            Config::parse(&args("--provider=aws")).unwrap_err(),
            "required flag(s) \"source\" not set"
        );
        assert!(Config::parse(&args("--source=service --provider=aws --policy=bogus")).is_err());
        assert!(Config::parse(&args("--source=service --provider=aws --interval")).is_err());
    }

    fn world_with_lb(hostname: &str) -> Session {
        let mut s = Session::new(3);
        for line in [
            "kubectl create deployment web --image=nginx:1.25",
            "kubectl expose deployment web --port=80 --type=LoadBalancer",
            &format!("kubectl annotate svc web {HOSTNAME}={hostname}"),
            "sim advance 15s",
        ] {
            s.run(line, None);
        }
        s
    }

    #[test]
    fn it_publishes_owns_and_respects_what_it_does_not_own() {
        let mut s = world_with_lb("web.example.com,mine.example.com,other.org");
        s.run("sim dns add mine.example.com A 192.0.2.1", None);
        let cfg = Config::parse(&args(
            "--source=service --provider=aws --domain-filter=example.com --txt-owner-id=c1",
        ))
        .unwrap();
        let w = &mut s.world;
        let log = sync(&mut w.public_dns, &w.clusters[0], &cfg, w.now, "test");
        let lb = w.clusters[0]
            .store
            .services
            .get("default", "web")
            .unwrap()
            .status
            .load_balancer
            .ingress[0]
            .ip
            .clone();
        let zone = &w.public_dns;
        assert_eq!(zone.resolve("web.example.com").unwrap().1, vec![lb]);
        assert!(zone
            .get("a-web.example.com", RecordType::Txt)
            .unwrap()
            .values[0]
            .contains("external-dns/owner=c1"));
        // Not ours: left alone, and the log says why (fact 99's TXT ownership).
        assert_eq!(
            zone.resolve("mine.example.com").unwrap().1,
            vec!["192.0.2.1".to_string()]
        );
        assert!(log
            .iter()
            .any(|l| l.contains("because owner id does not match")));
        // Outside the domain filter: nothing.
        assert!(zone.resolve("other.org").is_none());
        // A second sync changes nothing.
        let again = sync(&mut w.public_dns, &w.clusters[0], &cfg, w.now, "test");
        assert!(again
            .iter()
            .any(|l| l.contains("All records are already up to date")));
        // Another owner's External-DNS does not delete c1's records, even with policy sync.
        let other =
            Config::parse(&args("--source=ingress --provider=aws --txt-owner-id=c2")).unwrap();
        sync(&mut w.public_dns, &w.clusters[0], &other, w.now, "test");
        assert!(w.public_dns.resolve("web.example.com").is_some());
    }

    #[test]
    fn upsert_only_keeps_records_whose_source_is_gone() {
        let mut s = world_with_lb("web.example.com");
        let keep = Config::parse(&args(
            "--source=service --provider=aws --policy=upsert-only",
        ))
        .unwrap();
        let w = &mut s.world;
        sync(&mut w.public_dns, &w.clusters[0], &keep, w.now, "test");
        s.run("kubectl delete svc web", None);
        let w = &mut s.world;
        sync(&mut w.public_dns, &w.clusters[0], &keep, w.now, "test");
        assert!(w.public_dns.resolve("web.example.com").is_some());
        let sync_all = Config::parse(&args("--source=service --provider=aws")).unwrap();
        sync(&mut w.public_dns, &w.clusters[0], &sync_all, w.now, "test");
        assert!(w.public_dns.resolve("web.example.com").is_none());
        assert!(w.public_dns.records().is_empty());
    }
}
