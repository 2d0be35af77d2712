//! `kubectl get`: one generic lister over every kind that implements [`Printable`].

use super::super::flags;
use super::super::format::{self, table};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;
use crate::sim::clock::{human_duration, Millis};

/// How a kind prints in `kubectl get` (printers.go's column definitions).
pub(super) trait Printable: Resource {
    fn headers(wide: bool) -> Vec<&'static str>;
    fn row(&self, now: Millis, wide: bool) -> Vec<String>;
    /// A field for `--field-selector`, if this kind supports selecting by it.
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "metadata.name" => Some(self.meta().name.clone()),
            "metadata.namespace" => Some(self.meta().namespace.clone()),
            _ => None,
        }
    }
}

fn age(meta: &ObjectMeta, now: Millis) -> String {
    format::age(meta.creation_timestamp.as_ref(), now)
}

fn containers_images(spec: &PodSpec) -> (String, String) {
    let names: Vec<&str> = spec.containers.iter().map(|c| c.name.as_str()).collect();
    let images: Vec<&str> = spec.containers.iter().map(|c| c.image.as_str()).collect();
    (names.join(","), images.join(","))
}

impl Printable for Pod {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
        if wide {
            h.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            format::pod_ready(self),
            format::pod_status(self),
            format::pod_restarts(self, now),
            age(&self.metadata, now),
        ];
        if wide {
            r.push(non_empty(&self.status.pod_ip));
            r.push(non_empty(&self.spec.node_name));
            r.push("<none>".into());
            r.push("<none>".into());
        }
        r
    }
    fn field(&self, name: &str) -> Option<String> {
        Some(match name {
            "metadata.name" => self.metadata.name.clone(),
            "metadata.namespace" => self.metadata.namespace.clone(),
            "spec.nodeName" => self.spec.node_name.clone(),
            "spec.restartPolicy" => self.spec.restart_policy.to_string(),
            "spec.schedulerName" => self.spec.scheduler_name.to_string(),
            "spec.serviceAccountName" => self.spec.service_account_name.to_string(),
            "status.phase" => self.status.phase.to_string(),
            "status.podIP" => self.status.pod_ip.clone(),
            _ => return None,
        })
    }
}

impl Printable for Node {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
        if wide {
            h.extend([
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            format::node_status(self),
            format::node_roles(self),
            age(&self.metadata, now),
            self.status.node_info.kubelet_version.clone(),
        ];
        if wide {
            r.push(non_empty(&crate::sim::kubelet::node_ip(self)));
            r.push("<none>".into());
            r.push(self.status.node_info.os_image.clone());
            r.push(self.status.node_info.kernel_version.clone());
            r.push(self.status.node_info.container_runtime_version.clone());
        }
        r
    }
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "metadata.name" => Some(self.metadata.name.clone()),
            "spec.unschedulable" => Some(self.spec.unschedulable.to_string()),
            _ => None,
        }
    }
}

impl Printable for Namespace {
    fn headers(_wide: bool) -> Vec<&'static str> {
        vec!["NAME", "STATUS", "AGE"]
    }
    fn row(&self, now: Millis, _wide: bool) -> Vec<String> {
        vec![
            self.metadata.name.clone(),
            self.status.phase.clone(),
            age(&self.metadata, now),
        ]
    }
    fn field(&self, name: &str) -> Option<String> {
        match name {
            "metadata.name" => Some(self.metadata.name.clone()),
            "status.phase" => Some(self.status.phase.clone()),
            _ => None,
        }
    }
}

impl Printable for Deployment {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"];
        if wide {
            h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            format!(
                "{}/{}",
                self.status.ready_replicas,
                self.spec.replicas.unwrap_or(1)
            ),
            self.status.updated_replicas.to_string(),
            self.status.available_replicas.to_string(),
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.template.spec);
            r.push(c);
            r.push(i);
            r.push(
                self.spec
                    .selector
                    .as_ref()
                    .map(|s| s.to_text())
                    .unwrap_or_default(),
            );
        }
        r
    }
}

impl Printable for ReplicaSet {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "DESIRED", "CURRENT", "READY", "AGE"];
        if wide {
            h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            self.spec.replicas.unwrap_or(1).to_string(),
            self.status.replicas.to_string(),
            self.status.ready_replicas.to_string(),
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.template.spec);
            r.push(c);
            r.push(i);
            r.push(
                self.spec
                    .selector
                    .as_ref()
                    .map(|s| s.to_text())
                    .unwrap_or_default(),
            );
        }
        r
    }
}

impl Printable for DaemonSet {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec![
            "NAME",
            "DESIRED",
            "CURRENT",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "NODE SELECTOR",
            "AGE",
        ];
        if wide {
            h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let st = &self.status;
        let selector: Vec<String> = self
            .spec
            .template
            .spec
            .node_selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut r = vec![
            self.metadata.name.clone(),
            st.desired_number_scheduled.to_string(),
            st.current_number_scheduled.to_string(),
            st.number_ready.to_string(),
            st.updated_number_scheduled.to_string(),
            st.number_available.to_string(),
            if selector.is_empty() {
                "<none>".into()
            } else {
                selector.join(",")
            },
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.template.spec);
            r.push(c);
            r.push(i);
            r.push(
                self.spec
                    .selector
                    .as_ref()
                    .map(|s| s.to_text())
                    .unwrap_or_default(),
            );
        }
        r
    }
}

impl Printable for StatefulSet {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "READY", "AGE"];
        if wide {
            h.extend(["CONTAINERS", "IMAGES"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            format!(
                "{}/{}",
                self.status.ready_replicas,
                self.spec.replicas.unwrap_or(1)
            ),
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.template.spec);
            r.push(c);
            r.push(i);
        }
        r
    }
}

impl Printable for Job {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec!["NAME", "COMPLETIONS", "DURATION", "AGE"];
        if wide {
            h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let completions = match self.spec.completions {
            Some(c) => format!("{}/{c}", self.status.succeeded),
            None => format!(
                "{}/1 of {}",
                self.status.succeeded,
                self.spec.parallelism.unwrap_or(1)
            ),
        };
        let start = self
            .status
            .start_time
            .as_deref()
            .and_then(crate::sim::clock::parse_rfc3339);
        let end = self
            .status
            .completion_time
            .as_deref()
            .and_then(crate::sim::clock::parse_rfc3339)
            .unwrap_or(now);
        let duration = start
            .map(|s| human_duration(end.saturating_sub(s)))
            .unwrap_or_default();
        let mut r = vec![
            self.metadata.name.clone(),
            completions,
            duration,
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.template.spec);
            r.push(c);
            r.push(i);
            r.push(
                self.spec
                    .selector
                    .as_ref()
                    .map(|s| s.to_text())
                    .unwrap_or_default(),
            );
        }
        r
    }
}

impl Printable for CronJob {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec![
            "NAME",
            "SCHEDULE",
            "SUSPEND",
            "ACTIVE",
            "LAST SCHEDULE",
            "AGE",
        ];
        if wide {
            h.extend(["CONTAINERS", "IMAGES", "SELECTOR"]);
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let last = self
            .status
            .last_schedule_time
            .as_deref()
            .and_then(crate::sim::clock::parse_rfc3339)
            .map(|t| human_duration(now.saturating_sub(t)))
            .unwrap_or_else(|| "<none>".into());
        let mut r = vec![
            self.metadata.name.clone(),
            self.spec.schedule.clone(),
            (self.spec.suspend == Some(true))
                .to_string()
                .replace("true", "True")
                .replace("false", "False"),
            self.status.active.len().to_string(),
            last,
            age(&self.metadata, now),
        ];
        if wide {
            let (c, i) = containers_images(&self.spec.job_template.spec.template.spec);
            r.push(c);
            r.push(i);
            r.push("<none>".into());
        }
        r
    }
}

/// What `kubectl get` was asked, once parsed.
pub(super) struct Query {
    pub names: Vec<String>,
    /// None: all namespaces.
    pub scope: Option<String>,
    pub namespace: String,
    pub selector: Vec<(String, String, String)>,
    pub fields: Vec<(String, bool, String)>,
    pub output: String,
    pub show_labels: bool,
    pub no_headers: bool,
    pub now: Millis,
}

/// PORT(S) as printers.go's makePortString writes it: `80/TCP`, `80:30080/TCP`, joined by `,`.
pub(super) fn service_ports(svc: &Service) -> String {
    if svc.spec.ports.is_empty() {
        return "<none>".into();
    }
    svc.spec
        .ports
        .iter()
        .map(|p| match p.node_port {
            Some(np) if np > 0 => format!("{}:{np}/{}", p.port, p.protocol),
            _ => format!("{}/{}", p.port, p.protocol),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// EXTERNAL-IP as printers.go's getServiceExternalIP decides it (fact 51).
pub(super) fn service_external_ip(svc: &Service) -> String {
    let external = svc.spec.external_ips.join(",");
    match svc.type_name() {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external
            }
        }
        "LoadBalancer" => {
            let mut ips: Vec<String> = svc
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
                .collect();
            ips.extend(svc.spec.external_ips.iter().cloned());
            if ips.is_empty() {
                "<pending>".into()
            } else {
                ips.join(",")
            }
        }
        "ExternalName" => svc.spec.external_name.clone(),
        _ => "<unknown>".into(),
    }
}

impl Printable for Service {
    fn headers(wide: bool) -> Vec<&'static str> {
        let mut h = vec![
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
        ];
        if wide {
            h.push("SELECTOR");
        }
        h
    }
    fn row(&self, now: Millis, wide: bool) -> Vec<String> {
        let mut r = vec![
            self.metadata.name.clone(),
            self.type_name().to_string(),
            non_empty(&self.spec.cluster_ip),
            service_external_ip(self),
            service_ports(self),
            age(&self.metadata, now),
        ];
        if wide {
            r.push(match &self.spec.selector {
                Some(sel) if !sel.is_empty() => sel
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(","),
                _ => "<none>".into(),
            });
        }
        r
    }
}

/// ENDPOINTS as printers.go's formatEndpoints writes it: ready `ip:port`s, at most three, then
/// ` + N more...`.
pub(super) fn format_endpoints(ep: &Endpoints) -> String {
    if ep.subsets.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in &ep.subsets {
        if ss.ports.is_empty() {
            count += ss.addresses.len();
            for a in &ss.addresses {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
        } else {
            for port in &ss.ports {
                count += ss.addresses.len();
                for a in &ss.addresses {
                    if list.len() == max {
                        more = true;
                        break;
                    }
                    list.push(format!("{}:{}", a.ip, port.port));
                }
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

impl Printable for Endpoints {
    fn headers(_wide: bool) -> Vec<&'static str> {
        vec!["NAME", "ENDPOINTS", "AGE"]
    }
    fn row(&self, now: Millis, _wide: bool) -> Vec<String> {
        vec![
            self.metadata.name.clone(),
            format_endpoints(self),
            age(&self.metadata, now),
        ]
    }
}

impl Printable for EndpointSlice {
    fn headers(_wide: bool) -> Vec<&'static str> {
        vec!["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    }
    fn row(&self, now: Millis, _wide: bool) -> Vec<String> {
        let ports = if self.ports.is_empty() {
            "<unset>".to_string()
        } else {
            self.ports
                .iter()
                .map(|p| p.port.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let addresses: Vec<&String> = self.endpoints.iter().flat_map(|e| &e.addresses).collect();
        let endpoints = if addresses.is_empty() {
            "<unset>".to_string()
        } else if addresses.len() > 3 {
            format!(
                "{} + {} more...",
                addresses[..3]
                    .iter()
                    .map(|a| a.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                addresses.len() - 3
            )
        } else {
            addresses
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        vec![
            self.metadata.name.clone(),
            self.address_type.clone(),
            ports,
            endpoints,
            age(&self.metadata, now),
        ]
    }
}

/// List one kind. Returns the printed text and any NotFound errors.
pub(super) fn list<T: Printable>(
    store: &Store,
    q: &Query,
) -> Result<(String, Vec<String>, bool), String> {
    let mut items: Vec<&T> = Vec::new();
    let mut errors = Vec::new();
    let ns_key = if T::NAMESPACED {
        q.namespace.as_str()
    } else {
        ""
    };
    if q.names.is_empty() {
        let scope = if T::NAMESPACED {
            q.scope.as_deref()
        } else {
            None
        };
        items = T::table(store)
            .in_namespace(scope)
            .filter(|o| selector_matches(&q.selector, &o.meta().labels))
            .filter(|o| fields_match(&q.fields, |f| o.field(f).unwrap_or_default()))
            .collect();
    } else {
        for n in &q.names {
            match T::table(store).get(ns_key, n) {
                Some(o) => items.push(o),
                None => errors.push(format!(
                    "Error from server (NotFound): {} \"{n}\" not found",
                    T::resource_name()
                )),
            }
        }
    }
    let all_ns = T::NAMESPACED && q.scope.is_none();
    let objs: Vec<serde_yaml::Value> = items
        .iter()
        .filter_map(|o| serde_yaml::to_value(*o).ok())
        .collect();
    let names: Vec<String> = items.iter().map(|o| o.meta().name.clone()).collect();
    let wide = q.output == "wide";
    let body = render(
        &q.output,
        &objs,
        q.names.len() == 1,
        &T::kubectl_prefix(),
        names,
        || {
            let mut header: Vec<String> = Vec::new();
            if all_ns {
                header.push("NAMESPACE".into());
            }
            header.extend(T::headers(wide).into_iter().map(String::from));
            if q.show_labels {
                header.push("LABELS".into());
            }
            let mut rows = vec![header];
            for o in &items {
                let mut r = Vec::new();
                if all_ns {
                    r.push(o.meta().namespace.clone());
                }
                r.extend(o.row(q.now, wide));
                if q.show_labels {
                    r.push(labels_text(&o.meta().labels));
                }
                rows.push(r);
            }
            rows
        },
        q.no_headers,
    );
    Ok((body, errors, items.is_empty() && q.names.is_empty()))
}

pub(super) fn get(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(args, GET_FLAGS)?;
    if p.bool("watch") {
        return Err("error: --watch is not available in Pocket Cluster's terminal: run the command again, or move the clock with 'sim advance 10s'".into());
    }
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let Some(first) = p.positional.first() else {
        return Err("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".into());
    };
    // TYPE/NAME forms, or TYPE NAME..., or TYPE1,TYPE2.
    let (kind_words, names): (Vec<String>, Vec<String>) = if first.contains('/') {
        let mut kinds = Vec::new();
        let mut names = Vec::new();
        for a in &p.positional {
            match a.split_once('/') {
                Some((k, n)) => {
                    kinds.push(k.to_string());
                    names.push(n.to_string());
                }
                None => return Err("error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into()),
            }
        }
        kinds.dedup();
        if kinds.len() > 1 {
            return Err(
                "error: Pocket Cluster lists one kind per TYPE/NAME command for now".into(),
            );
        }
        (kinds, names)
    } else {
        (
            first.split(',').map(String::from).collect(),
            p.positional[1..].to_vec(),
        )
    };
    use super::stored::Resolved;
    let mut kinds = Vec::new();
    for w in &kind_words {
        if w == "all" {
            kinds.extend(
                [
                    Kind::Pods,
                    Kind::Services,
                    Kind::DaemonSets,
                    Kind::Deployments,
                    Kind::ReplicaSets,
                    Kind::StatefulSets,
                    Kind::Jobs,
                    Kind::CronJobs,
                ]
                .map(Resolved::Typed),
            );
            continue;
        }
        match super::stored::resolve(&s.world.clusters[cluster].store, w) {
            Some(k) => kinds.push(k),
            None => {
                return Err(format!(
                    "error: the server doesn't have a resource type \"{w}\""
                ))
            }
        }
    }
    let output = p.value("output").unwrap_or("").to_string();
    if !["", "wide", "name", "yaml", "json"].contains(&output.as_str()) {
        return Err(format!("error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: json,name,wide,yaml"));
    }
    let ns = namespace_of(s, &p, cluster);
    let all_ns = p.bool("all-namespaces") && names.is_empty();
    let q = Query {
        names: names.clone(),
        scope: if all_ns { None } else { Some(ns.clone()) },
        namespace: ns.clone(),
        selector: match p.value("selector") {
            Some(sel) => parse_selector(sel)?,
            None => Vec::new(),
        },
        fields: Vec::new(),
        output,
        show_labels: p.bool("show-labels"),
        no_headers: p.bool("no-headers"),
        now: s.world.now,
    };
    let store = &s.world.clusters[cluster].store;
    let several = kinds.len() > 1;
    let mut sections = Vec::new();
    let mut errors = Vec::new();
    let mut any = false;
    for resolved in kinds {
        let kind = match &resolved {
            Resolved::Typed(k) => *k,
            // Stored kinds select by name and namespace, as every kind does.
            Resolved::Stored(_) => Kind::Services,
        };
        let (names, denied) =
            super::auth::authorize_read(s, cluster, &resolved, q.scope.as_deref(), &q.names);
        if !denied.is_empty() {
            errors.extend(denied);
            if names.is_empty() {
                continue;
            }
        }
        let q = Query {
            fields: match (p.value("field-selector"), &resolved) {
                (Some(f), Resolved::Stored(info)) => parse_field_selector_for(
                    f,
                    &info.plural,
                    &["metadata.name", "metadata.namespace"],
                )?,
                (Some(f), _) => parse_field_selector(f, kind)?,
                (None, _) => Vec::new(),
            },
            names,
            scope: q.scope.clone(),
            namespace: q.namespace.clone(),
            selector: q.selector.clone(),
            output: q.output.clone(),
            show_labels: q.show_labels,
            no_headers: q.no_headers,
            now: q.now,
        };
        let (mut body, errs, empty) = match (&resolved, kind) {
            (Resolved::Stored(info), _) => super::stored::list(store, info, &q)?,
            (_, kind) => match kind {
                Kind::Pods => list::<Pod>(store, &q)?,
                Kind::Nodes => list::<Node>(store, &q)?,
                Kind::Namespaces => list::<Namespace>(store, &q)?,
                Kind::Deployments => list::<Deployment>(store, &q)?,
                Kind::ReplicaSets => list::<ReplicaSet>(store, &q)?,
                Kind::DaemonSets => list::<DaemonSet>(store, &q)?,
                Kind::StatefulSets => list::<StatefulSet>(store, &q)?,
                Kind::Jobs => list::<Job>(store, &q)?,
                Kind::CronJobs => list::<CronJob>(store, &q)?,
                Kind::Services => list::<Service>(store, &q)?,
                Kind::Endpoints => list::<Endpoints>(store, &q)?,
                Kind::EndpointSlices => list::<EndpointSlice>(store, &q)?,
                Kind::Events => (events(store, &q), Vec::new(), false),
            },
        };
        errors.extend(errs);
        if !empty && !body.trim().is_empty() {
            any = true;
            // `kubectl get all` prefixes names with their kind.
            if several && (q.output.is_empty() || q.output == "wide") {
                let prefix = match &resolved {
                    Resolved::Stored(info) => info.kubectl_prefix(),
                    Resolved::Typed(k) => kind_prefix(*k),
                };
                let all_ns = all_ns
                    && match &resolved {
                        Resolved::Stored(info) => info.namespaced,
                        Resolved::Typed(k) => !matches!(k, Kind::Nodes | Kind::Namespaces),
                    };
                body = prefix_names(&body, &prefix, all_ns);
            }
            sections.push(body.trim_end().to_string());
        }
    }
    let scope = if all_ns { None } else { Some(ns.as_str()) };
    finish(sections.join("\n\n"), errors, !any, scope)
}

fn kind_prefix(kind: Kind) -> String {
    match kind {
        Kind::Pods => Pod::kubectl_prefix(),
        Kind::Deployments => Deployment::kubectl_prefix(),
        Kind::ReplicaSets => ReplicaSet::kubectl_prefix(),
        Kind::Nodes => Node::kubectl_prefix(),
        Kind::Namespaces => Namespace::kubectl_prefix(),
        Kind::DaemonSets => DaemonSet::kubectl_prefix(),
        Kind::StatefulSets => StatefulSet::kubectl_prefix(),
        Kind::Jobs => Job::kubectl_prefix(),
        Kind::CronJobs => CronJob::kubectl_prefix(),
        Kind::Services => Service::kubectl_prefix(),
        Kind::Endpoints => Endpoints::kubectl_prefix(),
        Kind::EndpointSlices => EndpointSlice::kubectl_prefix(),
        Kind::Events => "event".into(),
    }
}

/// Put `kind/` before each name in a table (as `kubectl get all` does), re-aligning the columns.
pub(super) fn prefix_names(body: &str, prefix: &str, all_ns: bool) -> String {
    let col = usize::from(all_ns);
    let starts = body.lines().next().map(column_starts).unwrap_or_default();
    let rows: Vec<Vec<String>> = body
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cells: Vec<String> = split_at_columns(l, &starts);
            if i > 0 {
                if let Some(c) = cells.get_mut(col) {
                    *c = format!("{prefix}/{c}");
                }
            }
            cells
        })
        .collect();
    table(&rows)
}

/// Where each column of a tabwriter table begins (in characters), from its header line: a
/// header cell starts the line or follows the padding of at least 3 spaces.
fn column_starts(header: &str) -> Vec<usize> {
    let chars: Vec<char> = header.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            chars[i] != ' ' && (i == 0 || (i >= 3 && chars[i - 3..i].iter().all(|c| *c == ' ')))
        })
        .collect()
}

/// Split a tabwriter line back into cells at the header's column starts (empty cells stay,
/// as a Pending claim's VOLUME does).
fn split_at_columns(line: &str, starts: &[usize]) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut cells: Vec<String> = starts
        .iter()
        .enumerate()
        .map(|(k, &from)| {
            let to = starts.get(k + 1).copied().unwrap_or(chars.len());
            chars
                .get(from.min(chars.len())..to.min(chars.len()))
                .map(|c| c.iter().collect::<String>().trim().to_string())
                .unwrap_or_default()
        })
        .collect();
    while cells.last().is_some_and(String::is_empty) {
        cells.pop();
    }
    cells
}

fn events(store: &Store, q: &Query) -> String {
    let mut events: Vec<&Event> = store
        .events
        .iter()
        .filter(|e| q.scope.as_deref().is_none_or(|n| *e.namespace == *n))
        .filter(|e| {
            fields_match(&q.fields, |f| match f {
                "involvedObject.name" => e.involved_name.to_string(),
                "involvedObject.kind" => e.involved_kind().to_string(),
                "involvedObject.namespace" | "metadata.namespace" => e.namespace.to_string(),
                "type" => e.type_().to_string(),
                "reason" => e.reason().to_string(),
                "source" => e.source().to_string(),
                _ => String::new(),
            })
        })
        .collect();
    crate::sim::sort::by_key(&mut events, |e| e.last_timestamp);
    let mut header: Vec<String> = Vec::new();
    if q.scope.is_none() {
        header.push("NAMESPACE".into());
    }
    header.extend(["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"].map(String::from));
    let mut rows = vec![header];
    for e in &events {
        let mut r = Vec::new();
        if q.scope.is_none() {
            r.push(e.namespace.to_string());
        }
        let seen = human_duration(q.now.saturating_sub(e.last_timestamp));
        let seen = if e.count > 1 {
            format!(
                "{seen} (x{} over {})",
                e.count,
                human_duration(q.now.saturating_sub(e.first_timestamp))
            )
        } else {
            seen
        };
        let kind = match e.involved_kind() {
            "Deployment" => "deployment".to_string(),
            "ReplicaSet" => "replicaset".to_string(),
            k => k.to_ascii_lowercase(),
        };
        r.extend([
            seen,
            e.type_().to_string(),
            e.reason().to_string(),
            format!("{kind}/{}", e.involved_name),
            e.message.to_string(),
        ]);
        rows.push(r);
    }
    if q.no_headers {
        rows.remove(0);
    }
    if rows.len() <= usize::from(!q.no_headers) {
        return String::new();
    }
    table(&rows)
}

fn non_empty(s: &str) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s.to_string()
    }
}

/// Print objects as the `-o` flag asks; `rows` builds the table for the default and `wide`.
pub(super) fn render(
    output: &str,
    objs: &[serde_yaml::Value],
    single: bool,
    prefix: &str,
    names: Vec<String>,
    rows: impl FnOnce() -> Vec<Vec<String>>,
    no_headers: bool,
) -> String {
    match output {
        "name" => names.iter().map(|n| format!("{prefix}/{n}\n")).collect(),
        "yaml" | "json" => {
            let value = if single && objs.len() == 1 {
                objs[0].clone()
            } else {
                let mut list = serde_yaml::Mapping::new();
                list.insert("apiVersion".into(), "v1".into());
                list.insert("items".into(), serde_yaml::Value::Sequence(objs.to_vec()));
                list.insert("kind".into(), "List".into());
                let mut meta = serde_yaml::Mapping::new();
                meta.insert("resourceVersion".into(), "".into());
                list.insert("metadata".into(), serde_yaml::Value::Mapping(meta));
                serde_yaml::Value::Mapping(list)
            };
            if objs.is_empty() && single {
                return String::new();
            }
            // kubectl decodes the API's JSON into maps and prints them: keys sorted, JSON
            // indented by four spaces, YAML quoted as go-yaml quotes.
            let value = crate::sim::api::unstructured::sorted(&value);
            if output == "yaml" {
                crate::shell::format::kubectl_yaml(&value)
            } else {
                let mut out = Vec::new();
                let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
                let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
                match serde::Serialize::serialize(&value, &mut ser) {
                    Ok(()) => String::from_utf8(out).unwrap_or_default() + "\n",
                    Err(_) => String::new(),
                }
            }
        }
        _ => {
            let mut r = rows();
            if no_headers && !r.is_empty() {
                r.remove(0);
            }
            if r.len() <= usize::from(!no_headers) {
                String::new()
            } else {
                table(&r)
            }
        }
    }
}

pub(super) fn finish(
    body: String,
    errors: Vec<String>,
    empty: bool,
    scope: Option<&str>,
) -> Result<Output, String> {
    let mut text = body.trim_end().to_string();
    if empty && errors.is_empty() && text.is_empty() {
        text = match scope {
            None | Some("") => "No resources found".into(),
            Some(ns) => format!("No resources found in {ns} namespace."),
        };
    }
    let ok = errors.is_empty();
    for e in errors {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&e);
    }
    Ok(Output { text, ok })
}

// ---------------------------------------------------------------- run, delete, config
