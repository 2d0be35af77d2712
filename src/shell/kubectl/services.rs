//! `kubectl create service clusterip|nodeport|loadbalancer|externalname` and `kubectl expose`,
//! building the Services kubectl builds (create: selector `app=NAME`, ports named
//! `PORT-TARGETPORT`; expose: the resource's selector, its first container port).

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;

fn save(s: &mut Session, cluster: usize, svc: Service, word: &str) -> Result<Output, String> {
    let name = svc.metadata.name.clone();
    let w = &mut s.world;
    let c = &mut w.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    c.store
        .create(svc, w.now, &mut w.rng)
        .map_err(|e| e.kubectl(None))?;
    w.settle();
    Ok(Output::ok(format!("service/{name} {word}")))
}

/// `--tcp=80:8080` (or `--tcp=80`): a port named `80-8080`, as kubectl's create service names it.
fn tcp_ports(specs: &[String]) -> Result<Vec<ServicePort>, String> {
    let mut ports = Vec::new();
    for spec in specs {
        for one in spec.split(',') {
            let (port, target) = match one.split_once(':') {
                Some((p, t)) => (p, t),
                None => (one, one),
            };
            let port: i64 = port
                .parse()
                .map_err(|_| format!("error: strconv.Atoi: parsing \"{port}\": invalid syntax"))?;
            let target_port = match target.parse::<i64>() {
                Ok(n) => IntOrString::Int(n),
                Err(_) => IntOrString::Str(target.to_string()),
            };
            ports.push(ServicePort {
                name: format!("{port}-{target}"),
                protocol: "TCP".into(),
                port,
                target_port: Some(target_port),
                ..Default::default()
            });
        }
    }
    Ok(ports)
}

pub(super) fn create_service(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("tcp", None, true),
            flag("node-port", None, true),
            flag("clusterip", None, true),
            flag("external-name", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
        ],
    )?;
    let kind = p.positional.get(1).map(String::as_str).unwrap_or("");
    let type_ = match kind {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        "" => {
            return Err("error: Create a service using a specified subcommand: clusterip, externalname, loadbalancer or nodeport (kubectl create service clusterip NAME --tcp=PORT:TARGET)".into())
        }
        other => {
            return Err(format!(
                "error: unknown command \"{other}\" for \"kubectl create service\""
            ))
        }
    };
    let name = match p.positional.get(2) {
        Some(n) if p.positional.len() == 3 => n.clone(),
        _ => {
            return Err(format!(
                "error: exactly one NAME is required, got {}",
                p.positional.len().saturating_sub(2)
            ))
        }
    };
    let mut ports = tcp_ports(&p.all("tcp"))?;
    let headless = p.value("clusterip") == Some("None");
    if ports.is_empty() && type_ != "ExternalName" && !headless {
        return Err("error: at least one tcp port specifier must be provided".into());
    }
    if let Some(np) = p.value("node-port") {
        let np: i64 = np
            .parse()
            .map_err(|_| format!("error: invalid argument \"{np}\" for \"--node-port\" flag"))?;
        if let Some(first) = ports.first_mut() {
            first.node_port = Some(np);
        }
    }
    let external_name = p.value("external-name").unwrap_or("").to_string();
    if type_ == "ExternalName" && external_name.is_empty() {
        return Err("error: external name must be specified".into());
    }
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let labels: Labels = crate::sim::sort::map_of([("app".to_string(), name.clone())]);
    let svc = Service {
        api_version: "v1".into(),
        kind: "Service".into(),
        metadata: ObjectMeta {
            name: name.clone(),
            namespace: ns,
            labels: labels.clone().into(),
            ..Default::default()
        },
        spec: ServiceSpec {
            type_: type_.into(),
            selector: (type_ != "ExternalName").then_some(labels),
            ports,
            cluster_ip: p.value("clusterip").unwrap_or("").to_string(),
            external_name,
            ..Default::default()
        },
        status: ServiceStatus::default(),
    };
    if p.value("dry-run").is_some_and(|d| d != "none") {
        return Ok(Output::ok(format!("service/{name} created (dry run)")));
    }
    save(s, cluster, svc, "created")
}

/// `kubectl expose TYPE NAME [--port=P] [--target-port=T] [--name=N] [--type=T] [--protocol=P]`.
pub(super) fn expose(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("port", None, true),
            flag("target-port", None, true),
            flag("name", None, true),
            flag("type", None, true),
            flag("protocol", None, true),
            flag("external-ip", None, true),
            flag("selector", None, true),
            flag("labels", Some('l'), true),
            flag("cluster-ip", None, true),
            flag("session-affinity", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
        ],
    )?;
    let (kind_word, name) = match p.positional.as_slice() {
        [one] if one.contains('/') => {
            let (k, n) = one.split_once('/').unwrap_or(("", ""));
            (k.to_string(), n.to_string())
        }
        [k, n] => (k.clone(), n.clone()),
        [] | [_] => {
            return Err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'".into())
        }
        _ => return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into()),
    };
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let store = &s.world.clusters[cluster].store;
    let not_found = |res: &str| format!("Error from server (NotFound): {res} \"{name}\" not found");
    // What the Service selects, the labels it inherits, and the ports the pods declare.
    let (selector, labels, container_ports): (Labels, Labels, Vec<ContainerPort>) =
        match resource_kind(&kind_word) {
            Some(Kind::Pods) => {
                let pod = store
                    .pods
                    .get(&ns, &name)
                    .ok_or_else(|| not_found("pods"))?;
                let labels = (*pod.metadata.labels).clone();
                if labels.is_empty() {
                    return Err("error: the pod has no labels and cannot be exposed\nSee 'kubectl expose -h' for help and examples".to_string());
                }
                (
                    labels.clone(),
                    labels,
                    pod.spec
                        .containers
                        .iter()
                        .flat_map(|c| c.ports.clone())
                        .collect(),
                )
            }
            Some(Kind::Deployments) => {
                let d = store
                    .deployments
                    .get(&ns, &name)
                    .ok_or_else(|| not_found("deployments.apps"))?;
                let sel = d.spec.selector.clone().unwrap_or_default();
                if !sel.match_expressions.is_empty() {
                    return Err("error: couldn't convert expressions - \"matchExpressions\" to map-based selector format".into());
                }
                (
                    sel.match_labels,
                    (*d.metadata.labels).clone(),
                    d.spec
                        .template
                        .spec
                        .containers
                        .iter()
                        .flat_map(|c| c.ports.clone())
                        .collect(),
                )
            }
            Some(Kind::ReplicaSets) => {
                let r = store
                    .replicasets
                    .get(&ns, &name)
                    .ok_or_else(|| not_found("replicasets.apps"))?;
                let sel = r.spec.selector.clone().unwrap_or_default();
                (
                    sel.match_labels,
                    (*r.metadata.labels).clone(),
                    r.spec
                        .template
                        .spec
                        .containers
                        .iter()
                        .flat_map(|c| c.ports.clone())
                        .collect(),
                )
            }
            Some(Kind::Services) => {
                let v = store
                    .services
                    .get(&ns, &name)
                    .ok_or_else(|| not_found("services"))?;
                let sel = v.spec.selector.clone().unwrap_or_default();
                let ports = v
                    .spec
                    .ports
                    .iter()
                    .map(|sp| ContainerPort {
                        container_port: sp.port,
                        protocol: sp.protocol.clone(),
                        ..Default::default()
                    })
                    .collect();
                (sel, (*v.metadata.labels).clone(), ports)
            }
            _ => {
                return Err(format!(
                "error: cannot expose a {kind_word}\nSee 'kubectl expose -h' for help and examples"
            ))
            }
        };
    let protocol = p.value("protocol").unwrap_or("TCP").to_string();
    let target_port = p.value("target-port").map(|t| match t.parse::<i64>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::Str(t.to_string()),
    });
    let ports: Vec<ServicePort> = match p.value("port") {
        Some(port) => {
            let port: i64 = port
                .parse()
                .map_err(|_| format!("error: invalid argument \"{port}\" for \"--port\" flag"))?;
            vec![ServicePort {
                protocol,
                port,
                target_port: target_port.or(Some(IntOrString::Int(port))),
                ..Default::default()
            }]
        }
        None if !container_ports.is_empty() => {
            let many = container_ports.len() > 1;
            container_ports
                .iter()
                .enumerate()
                .map(|(i, cp)| ServicePort {
                    name: if many {
                        format!("port-{}", i + 1)
                    } else {
                        String::new()
                    },
                    protocol: if cp.protocol.is_empty() {
                        protocol.clone()
                    } else {
                        cp.protocol.clone()
                    },
                    port: cp.container_port,
                    target_port: target_port
                        .clone()
                        .or(Some(IntOrString::Int(cp.container_port))),
                    ..Default::default()
                })
                .collect()
        }
        None => {
            return Err(
                "error: couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples"
                    .into(),
            )
        }
    };
    let svc_name = p.value("name").unwrap_or(&name).to_string();
    let svc = Service {
        api_version: "v1".into(),
        kind: "Service".into(),
        metadata: ObjectMeta {
            name: svc_name.clone(),
            namespace: ns,
            labels: labels.into(),
            ..Default::default()
        },
        spec: ServiceSpec {
            type_: p.value("type").unwrap_or("").to_string(),
            selector: Some(selector),
            ports,
            cluster_ip: p.value("cluster-ip").unwrap_or("").to_string(),
            external_ips: p
                .value("external-ip")
                .map(|v| v.split(',').map(String::from).collect())
                .unwrap_or_default(),
            session_affinity: p.value("session-affinity").unwrap_or("").to_string(),
            ..Default::default()
        },
        status: ServiceStatus::default(),
    };
    if p.value("dry-run").is_some_and(|d| d != "none") {
        return Ok(Output::ok(format!("service/{svc_name} exposed (dry run)")));
    }
    save(s, cluster, svc, "exposed")
}
