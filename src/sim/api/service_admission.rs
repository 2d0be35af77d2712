//! Admission for Services and their endpoints: defaults (facts 45, 46), validation with the API
//! server's texts (facts 47-49, 52, 53), and the registry's allocations of cluster IPs (from
//! 10.96.0.0/12) and node ports (30000-32767), which fail as the real allocators do.

use super::admission::{
    is_dns1123_subdomain, label_key_error, label_value_error, Admit, FieldError,
};
use super::services::*;
use super::store::Store;
use super::types::IntOrString;
use crate::sim::rng::Rng;
use std::collections::BTreeSet;

pub const TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// kubeadm's default service CIDR (`--service-cluster-ip-range`).
pub const SERVICE_CIDR: &str = "10.96.0.0/12";
/// The first address of the range goes to the `kubernetes` Service, the tenth to kube-dns.
pub const KUBERNETES_IP: &str = "10.96.0.1";
pub const KUBE_DNS_IP: &str = "10.96.0.10";
pub const NODE_PORT_MIN: i64 = 30000;
pub const NODE_PORT_MAX: i64 = 32767;

pub const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

pub fn is_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// An IANA service name (a named port): at most 15 characters, lower case letters, digits and
/// `-`, at least one letter, no `--`, not starting or ending with `-`.
fn iana_svc_name_error(s: &str) -> Option<&'static str> {
    if s.len() > 15 {
        return Some("must be no more than 15 characters");
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Some("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if s.contains("--") {
        return Some("must not contain consecutive hyphens");
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        return Some("must contain at least one letter (a-z)");
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("must not begin or end with a hyphen");
    }
    None
}

/// An IPv4 address as four numbers.
pub fn parse_ipv4(s: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = s.split('.');
    for o in out.iter_mut() {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *o = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn ip_to_u32(ip: [u8; 4]) -> u32 {
    u32::from_be_bytes(ip)
}

fn u32_to_ip(v: u32) -> String {
    let b = v.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// 10.96.0.0/12: the first and last address are not handed out.
const CIDR_BASE: u32 = 10 << 24 | 96 << 16;
const CIDR_SIZE: u32 = 1 << 20;

fn in_service_cidr(ip: [u8; 4]) -> bool {
    let v = ip_to_u32(ip);
    v > CIDR_BASE && v < CIDR_BASE + CIDR_SIZE - 1
}

fn needs_cluster_ip(s: &Service) -> bool {
    s.type_name() != "ExternalName" && !s.headless()
}

fn needs_node_ports(s: &Service) -> bool {
    match s.type_name() {
        "NodePort" => true,
        "LoadBalancer" => s.spec.allocate_load_balancer_node_ports != Some(false),
        _ => false,
    }
}

impl Admit for Service {
    fn defaults(&mut self) {
        let spec = &mut self.spec;
        if spec.type_.is_empty() {
            spec.type_ = "ClusterIP".into();
        }
        if spec.session_affinity.is_empty() {
            spec.session_affinity = "None".into();
        }
        if spec.session_affinity == "ClientIP" {
            let cfg = spec
                .session_affinity_config
                .get_or_insert_with(Default::default);
            cfg.client_ip
                .get_or_insert_with(Default::default)
                .timeout_seconds
                .get_or_insert(10_800);
        }
        for p in spec.ports.iter_mut() {
            if p.protocol.is_empty() {
                p.protocol = "TCP".into();
            }
            if p.target_port.is_none() {
                // The identity map (fact 45).
                p.target_port = Some(IntOrString::Int(p.port));
            }
        }
        let external = spec.type_ == "NodePort" || spec.type_ == "LoadBalancer";
        if external && spec.external_traffic_policy.is_empty() {
            spec.external_traffic_policy = "Cluster".into();
        }
        if spec.type_ == "LoadBalancer" && spec.allocate_load_balancer_node_ports.is_none() {
            spec.allocate_load_balancer_node_ports = Some(true);
        }
        if spec.type_ != "ExternalName" {
            if spec.internal_traffic_policy.is_empty() {
                spec.internal_traffic_policy = "Cluster".into();
            }
            if spec.ip_families.is_empty() {
                spec.ip_families = vec!["IPv4".into()];
            }
            if spec.ip_family_policy.is_empty() {
                spec.ip_family_policy = "SingleStack".into();
            }
        }
        if !spec.cluster_ip.is_empty() && spec.cluster_ips.is_empty() {
            spec.cluster_ips = vec![spec.cluster_ip.clone()];
        }
    }

    fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let spec = &self.spec;
        let t = spec.type_.as_str();
        if !TYPES.contains(&t) {
            errs.push(FieldError::unsupported("spec.type", t, TYPES));
        }
        if t == "ExternalName" {
            if spec.external_name.is_empty() {
                errs.push(FieldError::required("spec.externalName", ""));
            } else if !is_dns1123_subdomain(&spec.external_name.to_ascii_lowercase()) {
                errs.push(FieldError::invalid_str(
                    "spec.externalName",
                    &spec.external_name,
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                ));
            }
        } else if spec.ports.is_empty() && !self.headless() {
            errs.push(FieldError::required("spec.ports", ""));
        }
        if !["None", "ClientIP"].contains(&spec.session_affinity.as_str()) {
            errs.push(FieldError::unsupported(
                "spec.sessionAffinity",
                &spec.session_affinity,
                &["ClientIP", "None"],
            ));
        }
        if let Some(t) = spec
            .session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
        {
            if !(1..=86_400).contains(&t) {
                errs.push(FieldError::invalid_int(
                    "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
                    t,
                    "must be greater than 0 and less than 86400",
                ));
            }
        }
        if !spec.cluster_ip.is_empty() && spec.cluster_ip != "None" {
            if parse_ipv4(&spec.cluster_ip).is_none() {
                errs.push(FieldError::invalid_str(
                    "spec.clusterIPs[0]",
                    &spec.cluster_ip,
                    "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                ));
            }
            if t == "ExternalName" {
                errs.push(FieldError::forbidden(
                    "spec.clusterIPs",
                    "may not be set for ExternalName services",
                ));
            }
        }
        if self.headless() && t != "ClusterIP" {
            errs.push(FieldError::invalid_str(
                "spec.clusterIPs[0]",
                "None",
                &format!("may not be set to 'None' for {t} services"),
            ));
        }
        if let Some(sel) = &spec.selector {
            for (k, v) in sel {
                if let Some(e) = label_key_error(k) {
                    errs.push(FieldError::invalid_str("spec.selector", k, &e));
                }
                if let Some(e) = label_value_error(v) {
                    errs.push(FieldError::invalid_str("spec.selector", v, &e));
                }
            }
        }
        let mut names: BTreeSet<&str> = BTreeSet::new();
        let mut seen: BTreeSet<(i64, &str)> = BTreeSet::new();
        for (i, p) in spec.ports.iter().enumerate() {
            let path = |f: &str| format!("spec.ports[{i}].{f}");
            if spec.ports.len() > 1 && p.name.is_empty() {
                errs.push(FieldError::required(path("name"), ""));
            } else if !p.name.is_empty() {
                // A Service port's name is a DNS label (`80-8080` is fine); container port
                // names and named target ports are IANA service names.
                if !super::admission::is_dns1123_label(&p.name) {
                    errs.push(FieldError::invalid_str(
                        path("name"),
                        &p.name,
                        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                    ));
                } else if !names.insert(&p.name) {
                    errs.push(FieldError::duplicate(path("name"), &p.name));
                }
            }
            if !(1..=65535).contains(&p.port) {
                errs.push(FieldError::invalid_int(
                    path("port"),
                    p.port,
                    "must be between 1 and 65535, inclusive",
                ));
            }
            if !PROTOCOLS.contains(&p.protocol.as_str()) {
                errs.push(FieldError::unsupported(
                    path("protocol"),
                    &p.protocol,
                    PROTOCOLS,
                ));
            } else if !seen.insert((p.port, p.protocol.as_str())) {
                errs.push(FieldError::duplicate(
                    format!("spec.ports[{i}]"),
                    &format!("{}/{}", p.port, p.protocol),
                ));
            }
            match &p.target_port {
                Some(IntOrString::Int(n)) if !(1..=65535).contains(n) => {
                    errs.push(FieldError::invalid_int(
                        path("targetPort"),
                        *n,
                        "must be between 1 and 65535, inclusive",
                    ));
                }
                Some(IntOrString::Str(s)) => {
                    if let Some(e) = iana_svc_name_error(s) {
                        errs.push(FieldError::invalid_str(path("targetPort"), s, e));
                    }
                }
                _ => {}
            }
            if let Some(np) = p.node_port {
                if t == "ClusterIP" || t == "ExternalName" {
                    errs.push(FieldError::forbidden(
                        path("nodePort"),
                        &format!("may not be used when `type` is '{t}'"),
                    ));
                } else if np != 0 && !(1..=65535).contains(&np) {
                    errs.push(FieldError::invalid_int(
                        path("nodePort"),
                        np,
                        "must be between 1 and 65535, inclusive",
                    ));
                }
            }
            if self.headless()
                && spec.selector.is_none()
                && matches!(&p.target_port, Some(IntOrString::Int(n)) if *n != p.port)
            {
                errs.push(FieldError::invalid_int(
                    path("targetPort"),
                    match &p.target_port {
                        Some(IntOrString::Int(n)) => *n,
                        _ => 0,
                    },
                    "must be equal to the value of 'port' when clusterIP = None",
                ));
            }
        }
        errs
    }

    fn validate_update(&self, old: &Self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        // Once set, the cluster IP stays (an ExternalName Service has none to keep).
        if !old.spec.cluster_ip.is_empty()
            && self.spec.cluster_ip != old.spec.cluster_ip
            && self.type_name() != "ExternalName"
            && old.type_name() != "ExternalName"
        {
            errs.push(FieldError::invalid_str(
                "spec.clusterIPs[0]",
                &self.spec.cluster_ip,
                "may not change once set",
            ));
        }
        errs
    }

    fn take_spec(&mut self, desired: &Self) {
        let old = std::mem::replace(&mut self.spec, desired.spec.clone());
        // What the server allocated stays unless the client asks for something else: apply
        // sends no clusterIP and no nodePorts, and they are kept (a three-way merge would).
        if self.spec.cluster_ip.is_empty() && needs_cluster_ip(self) {
            self.spec.cluster_ip = old.cluster_ip.clone();
            self.spec.cluster_ips = old.cluster_ips.clone();
        }
        if needs_node_ports(self) {
            for p in self.spec.ports.iter_mut() {
                if p.node_port.is_none() {
                    p.node_port = old
                        .ports
                        .iter()
                        .find(|o| o.port == p.port && o.protocol == p.protocol)
                        .and_then(|o| o.node_port);
                }
            }
        } else {
            // NodePort -> ClusterIP wipes the node ports (fact 48).
            for p in self.spec.ports.iter_mut() {
                if desired.spec.ports.iter().all(|d| d.node_port.is_none()) {
                    p.node_port = None;
                }
            }
        }
    }

    fn allocate(&mut self, store: &Store, old: Option<&Self>, rng: &mut Rng) -> Vec<FieldError> {
        let mut errs = Vec::new();
        let me = (&self.metadata.namespace, &self.metadata.name);
        let others = || {
            store
                .services
                .values()
                .filter(move |s| (&s.metadata.namespace, &s.metadata.name) != me)
        };
        // Cluster IP.
        if !needs_cluster_ip(self) {
            if self.type_name() == "ExternalName" {
                self.spec.cluster_ip.clear();
                self.spec.cluster_ips.clear();
            } else {
                self.spec.cluster_ips = vec!["None".into()];
            }
        } else if self.spec.cluster_ip.is_empty() {
            let used: BTreeSet<u32> = others()
                .filter_map(|s| parse_ipv4(&s.spec.cluster_ip))
                .map(ip_to_u32)
                .collect();
            // Dynamic allocations come from above the reserved low band (the lowest
            // min(max(16, size/16), 256) addresses are kept for static ones), at random.
            let reserved = 256u32;
            let span = CIDR_SIZE - 2 - reserved;
            let start = rng.below(span as u64) as u32;
            let found = (0..span)
                .map(|i| CIDR_BASE + 1 + reserved + (start + i) % span)
                .find(|ip| !used.contains(ip));
            match found {
                Some(ip) => {
                    self.spec.cluster_ip = u32_to_ip(ip);
                    self.spec.cluster_ips = vec![self.spec.cluster_ip.clone()];
                }
                None => errs.push(FieldError::invalid_str(
                    "spec.clusterIPs",
                    "",
                    "failed to allocate a serviceIP: range is full",
                )),
            }
        } else if old.is_none_or(|o| o.spec.cluster_ip != self.spec.cluster_ip) {
            let ip = self.spec.cluster_ip.clone();
            let value = format!("[]string{{\"{ip}\"}}");
            match parse_ipv4(&ip) {
                Some(v) if !in_service_cidr(v) => errs.push(FieldError::invalid_raw(
                    "spec.clusterIPs",
                    &value,
                    &format!("failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}"),
                )),
                Some(_) if others().any(|s| s.spec.cluster_ip == ip) => {
                    errs.push(FieldError::invalid_raw(
                        "spec.clusterIPs",
                        &value,
                        &format!("failed to allocate IP {ip}: provided IP is already allocated"),
                    ))
                }
                _ => self.spec.cluster_ips = vec![ip],
            }
        }
        // Node ports: unique across the cluster (fact 47).
        if needs_node_ports(self) {
            let mut used: BTreeSet<i64> = others()
                .flat_map(|s| s.spec.ports.iter().filter_map(|p| p.node_port))
                .collect();
            let kept: Vec<Option<i64>> = old
                .map(|o| o.spec.ports.iter().map(|p| p.node_port).collect())
                .unwrap_or_default();
            for (i, p) in self.spec.ports.iter_mut().enumerate() {
                match p.node_port {
                    Some(np) if np != 0 => {
                        let ours = kept.contains(&Some(np));
                        if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&np) {
                            errs.push(FieldError::invalid_int(
                                format!("spec.ports[{i}].nodePort"),
                                np,
                                &format!("provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"),
                            ));
                        } else if !ours && !used.insert(np) {
                            errs.push(FieldError::invalid_int(
                                format!("spec.ports[{i}].nodePort"),
                                np,
                                "provided port is already allocated",
                            ));
                        }
                    }
                    _ => {
                        // Automatic picks prefer the upper band (the lowest
                        // min(max(16, size/32), 128) ports are kept for manual choices).
                        let size = NODE_PORT_MAX - NODE_PORT_MIN + 1;
                        let band = (size / 32).clamp(16, 128);
                        let span = size - band;
                        let start = rng.below(span as u64) as i64;
                        let found = (0..span)
                            .map(|k| NODE_PORT_MIN + band + (start + k) % span)
                            .find(|n| !used.contains(n));
                        match found {
                            Some(n) => {
                                used.insert(n);
                                p.node_port = Some(n);
                            }
                            None => errs.push(FieldError::invalid_int(
                                format!("spec.ports[{i}].nodePort"),
                                0,
                                "range is full",
                            )),
                        }
                    }
                }
            }
        }
        errs
    }
}

impl Admit for Endpoints {
    fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        for (i, s) in self.subsets.iter().enumerate() {
            for (j, a) in s.addresses.iter().chain(&s.not_ready_addresses).enumerate() {
                if parse_ipv4(&a.ip).is_none() {
                    errs.push(FieldError::invalid_str(
                        format!("subsets[{i}].addresses[{j}].ip"),
                        &a.ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                    ));
                }
            }
            for (j, p) in s.ports.iter().enumerate() {
                if !(1..=65535).contains(&p.port) {
                    errs.push(FieldError::invalid_int(
                        format!("subsets[{i}].ports[{j}].port"),
                        p.port,
                        "must be between 1 and 65535, inclusive",
                    ));
                }
            }
        }
        errs
    }
    fn take_spec(&mut self, desired: &Self) {
        self.subsets = desired.subsets.clone();
    }
}

impl Admit for EndpointSlice {
    fn validate(&self) -> Vec<FieldError> {
        let mut errs = Vec::new();
        if !["IPv4", "IPv6", "FQDN"].contains(&self.address_type.as_str()) {
            errs.push(FieldError::unsupported(
                "addressType",
                &self.address_type,
                &["FQDN", "IPv4", "IPv6"],
            ));
        }
        errs
    }
    fn take_spec(&mut self, desired: &Self) {
        self.address_type = desired.address_type.clone();
        self.endpoints = desired.endpoints.clone();
        self.ports = desired.ports.clone();
    }
}
