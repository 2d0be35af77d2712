//! The endpoints controllers (Endpoints and EndpointSlice) and the cloud's service controller.
//!
//! For a Service with a selector: the pods of its namespace that match, that have an IP, each
//! with the Service's ports resolved against its containers (a named `targetPort` is looked up
//! in the pod's container ports, fact 46). Ready pods are `addresses`, the others
//! `notReadyAddresses` (all ready with `publishNotReadyAddresses`); terminating pods leave the
//! Endpoints and stay in the EndpointSlice as not ready and terminating. A Service without a
//! selector gets nothing: its endpoints are whoever writes them (fact 54).
//!
//! For a LoadBalancer Service in a cluster with a cloud: after the cloud's provisioning delay,
//! an external IP from the cluster's pool (`<pending>` until then, and for good without a
//! cloud, as on minikube; fact 50).

use crate::sim::api::*;
use crate::sim::clock::Millis;
use crate::sim::rng::Rng;
use std::collections::BTreeMap;

/// How long the simulated cloud takes to provision a load balancer.
pub const LOAD_BALANCER_DELAY: Millis = 10_000;
const SOURCE: &str = "endpoint-controller";
const MANAGED_BY: &str = "endpointslice-controller.k8s.io";

pub fn sync_key(store: &mut Store, key: &Key, now: Millis, rng: &mut Rng) -> Option<Millis> {
    let (ns, name) = (key.0.as_str(), key.1.as_str());
    let Some(svc) = store.services.get(ns, name).cloned() else {
        // The Service is gone: so are its Endpoints (its slices go with their owner).
        if store
            .endpoints
            .get(ns, name)
            .is_some_and(|e| managed(&e.metadata))
        {
            store.remove::<Endpoints>(ns, name);
        }
        return None;
    };
    sync_endpoints(store, &svc, now, rng);
    load_balancer(store, &svc, now)
}

/// Endpoints this controller wrote (not ones a user made for a selector-less Service).
fn managed(meta: &ObjectMeta) -> bool {
    meta.annotations
        .contains_key("endpoints.kubernetes.io/last-change-trigger-time")
}

/// The port a Service port reaches on this pod (None: the pod has no container port of that
/// name, and is left out for it).
fn resolve_port(pod: &Pod, sp: &ServicePort) -> Option<i64> {
    match &sp.target_port {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::Str(port_name)) => pod
            .spec
            .containers
            .iter()
            .flat_map(|c| &c.ports)
            .find(|p| &p.name == port_name)
            .map(|p| p.container_port),
    }
}

fn pod_ref(p: &Pod) -> ObjectReference {
    ObjectReference {
        api_version: String::new(),
        kind: "Pod".into(),
        name: p.metadata.name.clone(),
        namespace: p.metadata.namespace.clone(),
        uid: p.metadata.uid.clone(),
    }
}

fn pod_is_ready(p: &Pod) -> bool {
    p.status
        .conditions
        .iter()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// A pod's resolved ports (name, number, protocol): pods that agree share a subset and a slice.
type PortKey = Vec<(String, i64, String)>;

/// What one pod contributes.
struct Member<'a> {
    pod: &'a Pod,
    ready: bool,
    terminating: bool,
    ports: Vec<EndpointPort>,
}

fn sync_endpoints(store: &mut Store, svc: &Service, now: Millis, rng: &mut Rng) {
    let ns = svc.metadata.namespace.clone();
    let name = svc.metadata.name.clone();
    let selector = match &svc.spec.selector {
        Some(s) if !s.is_empty() && svc.type_name() != "ExternalName" => s.clone(),
        _ => return,
    };
    let members: Vec<Member> = store
        .pods
        .in_namespace(Some(&ns))
        .filter(|p| {
            selector
                .iter()
                .all(|(k, v)| p.metadata.labels.get(k) == Some(v))
        })
        .filter(|p| !p.status.pod_ip.is_empty() && !p.spec.node_name.is_empty())
        .filter(|p| p.status.phase != "Succeeded" && p.status.phase != "Failed")
        .map(|p| Member {
            pod: p,
            ready: svc.spec.publish_not_ready_addresses || pod_is_ready(p),
            terminating: p.metadata.deletion_timestamp.is_some(),
            ports: svc
                .spec
                .ports
                .iter()
                .filter_map(|sp| {
                    resolve_port(p, sp).map(|port| EndpointPort {
                        name: sp.name.clone(),
                        port,
                        protocol: sp.protocol.clone(),
                        app_protocol: sp.app_protocol.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    // Endpoints: subsets of pods that share the same resolved ports, addresses by IP.
    let mut groups: BTreeMap<PortKey, EndpointSubset> = BTreeMap::new();
    for m in members.iter().filter(|m| !m.terminating) {
        let key: Vec<(String, i64, String)> = m
            .ports
            .iter()
            .map(|p| (p.name.clone(), p.port, p.protocol.clone()))
            .collect();
        let subset = groups.entry(key).or_insert_with(|| EndpointSubset {
            ports: m.ports.clone(),
            ..Default::default()
        });
        let address = EndpointAddress {
            ip: m.pod.status.pod_ip.clone(),
            hostname: if m.pod.spec.subdomain == name {
                m.pod.spec.hostname.clone()
            } else {
                String::new()
            },
            node_name: Some(m.pod.spec.node_name.clone()),
            target_ref: Some(pod_ref(m.pod)),
        };
        if m.ready {
            subset.addresses.push(address);
        } else {
            subset.not_ready_addresses.push(address);
        }
    }
    let by_ip = |a: &EndpointAddress| {
        (
            crate::sim::api::service_admission::parse_ipv4(&a.ip),
            a.target_ref.as_ref().map(|r| r.uid.clone()),
        )
    };
    let mut subsets: Vec<EndpointSubset> = groups.into_values().collect();
    for s in subsets.iter_mut() {
        crate::sim::sort::by_key(&mut s.addresses, by_ip);
        crate::sim::sort::by_key(&mut s.not_ready_addresses, by_ip);
    }
    // The slice: every member (terminating ones too), one slice per set of ports.
    let mut slice_groups: BTreeMap<PortKey, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
    for m in &members {
        let key: Vec<(String, i64, String)> = m
            .ports
            .iter()
            .map(|p| (p.name.clone(), p.port, p.protocol.clone()))
            .collect();
        let entry = slice_groups
            .entry(key)
            .or_insert_with(|| (m.ports.clone(), Vec::new()));
        entry.1.push(Endpoint {
            addresses: vec![m.pod.status.pod_ip.clone()],
            conditions: EndpointConditions {
                ready: Some(m.ready && !m.terminating),
                serving: Some(pod_is_ready(m.pod)),
                terminating: Some(m.terminating),
            },
            hostname: (m.pod.spec.subdomain == name && !m.pod.spec.hostname.is_empty())
                .then(|| m.pod.spec.hostname.clone()),
            node_name: Some(m.pod.spec.node_name.clone()),
            target_ref: Some(pod_ref(m.pod)),
            zone: None,
            hints: None,
        });
    }
    let wanted_slices: Vec<(Vec<EndpointPort>, Vec<Endpoint>)> =
        slice_groups.into_values().collect();
    drop(members);

    // Write the Endpoints when they changed.
    let mut labels = (*svc.metadata.labels).clone();
    labels.remove("service.kubernetes.io/headless");
    if svc.headless() {
        labels.insert("service.kubernetes.io/headless".into(), String::new());
    }
    match store.endpoints.get(&ns, &name) {
        Some(cur) if cur.subsets == subsets && *cur.metadata.labels == labels => {}
        Some(cur) if !managed(&cur.metadata) && svc.spec.selector.is_none() => {}
        Some(cur) => {
            let mut next = cur.clone();
            next.subsets = subsets;
            next.metadata.labels = labels.into();
            next.metadata.annotations.insert(
                "endpoints.kubernetes.io/last-change-trigger-time".into(),
                crate::sim::clock::rfc3339(now),
            );
            store.replace(next);
        }
        None => {
            let ep = Endpoints {
                api_version: "v1".into(),
                kind: "Endpoints".into(),
                metadata: ObjectMeta {
                    name: name.clone(),
                    namespace: ns.clone(),
                    labels: labels.into(),
                    annotations: crate::sim::sort::map_of([(
                        "endpoints.kubernetes.io/last-change-trigger-time".to_string(),
                        crate::sim::clock::rfc3339(now),
                    )]),
                    ..Default::default()
                },
                subsets,
            };
            if let Err(e) = store.create_named(ep, now, rng) {
                store.record_event(
                    now,
                    &ns,
                    "Service",
                    &name,
                    "Warning",
                    "FailedToUpdateEndpoint",
                    SOURCE,
                    format!("Failed to update endpoint {ns}/{name}: {}", e.message()),
                );
            }
        }
    }

    // Write the slices: reuse the Service's slices in order, make or remove the difference.
    let mut existing: Vec<EndpointSlice> = store
        .owned::<EndpointSlice>(&svc.metadata.uid)
        .cloned()
        .collect();
    crate::sim::sort::by(&mut existing, |a, b| {
        (&a.metadata.creation_timestamp, &a.metadata.name)
            .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
    });
    let mut slice_labels = (*svc.metadata.labels).clone();
    slice_labels.insert("kubernetes.io/service-name".into(), name.clone());
    slice_labels.insert(
        "endpointslice.kubernetes.io/managed-by".into(),
        MANAGED_BY.into(),
    );
    let wanted = if wanted_slices.is_empty() {
        // A Service with no endpoints still has one (empty) slice.
        vec![(Vec::new(), Vec::new())]
    } else {
        wanted_slices
    };
    let count = wanted.len();
    for (i, (ports, endpoints)) in wanted.into_iter().enumerate() {
        match existing.get(i) {
            Some(cur)
                if cur.ports == ports
                    && cur.endpoints == endpoints
                    && *cur.metadata.labels == slice_labels => {}
            Some(cur) => {
                let mut next = cur.clone();
                next.ports = ports;
                next.endpoints = endpoints;
                next.metadata.labels = slice_labels.clone().into();
                store.replace(next);
            }
            None => {
                let slice = EndpointSlice {
                    api_version: "discovery.k8s.io/v1".into(),
                    kind: "EndpointSlice".into(),
                    metadata: ObjectMeta {
                        generate_name: format!("{name}-"),
                        namespace: ns.clone(),
                        labels: slice_labels.clone().into(),
                        owner_references: vec![OwnerReference {
                            api_version: "v1".into(),
                            kind: "Service".into(),
                            name: name.clone(),
                            uid: svc.metadata.uid.clone(),
                            controller: Some(true),
                            block_owner_deletion: Some(true),
                        }]
                        .into(),
                        ..Default::default()
                    },
                    address_type: "IPv4".into(),
                    endpoints,
                    ports,
                };
                let _ = store.create_named(slice, now, rng);
            }
        }
    }
    for extra in existing.iter().skip(count) {
        store.remove::<EndpointSlice>(&extra.metadata.namespace, &extra.metadata.name);
    }
}

/// The cloud's part for a LoadBalancer Service: an external IP after the provisioning delay.
/// Returns when to look again.
fn load_balancer(store: &mut Store, svc: &Service, now: Millis) -> Option<Millis> {
    if svc.type_name() != "LoadBalancer" || !svc.status.load_balancer.ingress.is_empty() {
        return None;
    }
    let Some(pool) = store.config.load_balancer_pool.clone() else {
        // No cloud: `<pending>` for good, unless `minikube tunnel` routes the cluster IP.
        if store.config.tunnel && !svc.spec.cluster_ip.is_empty() {
            let ip = svc.spec.cluster_ip.clone();
            store.modify(
                &svc.metadata.namespace,
                &svc.metadata.name,
                |s: &mut Service| {
                    s.status.load_balancer.ingress = vec![LoadBalancerIngress {
                        ip,
                        ip_mode: Some("VIP".into()),
                        ..Default::default()
                    }];
                },
            );
        }
        return None;
    };
    let created = svc
        .metadata
        .creation_timestamp
        .as_ref()
        .and_then(Time::millis)
        .unwrap_or(now);
    let (ns, name) = (&svc.metadata.namespace, &svc.metadata.name);
    if now < created.saturating_add(LOAD_BALANCER_DELAY) {
        let first = store
            .events_for(ns, "Service", name)
            .iter()
            .any(|e| e.reason() == "EnsuringLoadBalancer");
        if !first {
            store.record_event(
                now,
                ns,
                "Service",
                name,
                "Normal",
                "EnsuringLoadBalancer",
                "service-controller",
                "Ensuring load balancer".into(),
            );
        }
        return Some(created.saturating_add(LOAD_BALANCER_DELAY));
    }
    let used: Vec<String> = store
        .services
        .values()
        .flat_map(|s| s.status.load_balancer.ingress.iter().map(|i| i.ip.clone()))
        .collect();
    let Some(ip) = (10..=254)
        .map(|h| format!("{pool}{h}"))
        .find(|ip| !used.contains(ip))
    else {
        store.record_event(
            now,
            ns,
            "Service",
            name,
            "Warning",
            "SyncLoadBalancerFailed",
            "service-controller",
            "Error syncing load balancer: failed to ensure load balancer: no addresses left in the cloud's pool".into(),
        );
        return None;
    };
    store.modify(ns, name, |s: &mut Service| {
        s.status.load_balancer.ingress = vec![LoadBalancerIngress {
            ip: ip.clone(),
            ip_mode: Some("VIP".into()),
            ..Default::default()
        }];
    });
    store.record_event(
        now,
        ns,
        "Service",
        name,
        "Normal",
        "EnsuredLoadBalancer",
        "service-controller",
        "Ensured load balancer".into(),
    );
    None
}
