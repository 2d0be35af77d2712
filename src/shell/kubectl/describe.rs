//! `kubectl describe`: the human summary of an object and its events, laid out by Go's
//! tabwriter as kubectl's describers do.

use super::super::flags;
use super::super::format::{self, tabwriter};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::*;
use crate::sim::clock::{human_duration, parse_rfc3339, rfc1123z, Millis};
use crate::sim::controllers::controller_uid;
use crate::sim::controllers::deployment::{template_hash, TEMPLATE_HASH};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `key=value` lines, the first after `Labels:\t`, the rest continuing the column.
pub(super) fn map_lines(
    out: &mut String,
    indent: &str,
    key: &str,
    map: &std::collections::BTreeMap<String, String>,
    sep: &str,
) {
    let items: Vec<String> = map
        .iter()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED)
        .map(|(k, v)| format!("{k}{sep}{v}"))
        .collect();
    if items.is_empty() {
        out.push_str(&format!("{indent}{key}:\t<none>\n"));
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("{indent}{key}:\t{item}\n"));
        } else {
            out.push_str(&format!("{indent}\t{item}\n"));
        }
    }
}

/// `Labels:` and `Annotations:` as kubectl's describers print them.
pub(super) fn labels_and_annotations(out: &mut String, m: &ObjectMeta) {
    map_lines(out, "", "Labels", &m.labels, "=");
    map_lines(out, "", "Annotations", &m.annotations, ": ");
}

fn time_of(ts: Option<&String>) -> String {
    ts.and_then(|t| parse_rfc3339(t))
        .map(rfc1123z)
        .unwrap_or_else(|| "<unset>".into())
}

/// [`time_of`] for a field held as a [`Time`].
fn time_at(ts: Option<&Time>) -> String {
    ts.and_then(Time::millis)
        .map(rfc1123z)
        .unwrap_or_else(|| "<unset>".into())
}

pub(super) fn events_section(
    out: &mut String,
    store: &Store,
    ns: &str,
    kind: &str,
    name: &str,
    now: Millis,
) {
    let events = store.events_for(ns, kind, name);
    if events.is_empty() {
        out.push_str("Events:\t<none>\n");
        return;
    }
    out.push_str(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in events {
        let age = if e.count > 1 {
            format!(
                "{} (x{} over {})",
                human_duration(now.saturating_sub(e.last_timestamp)),
                e.count,
                human_duration(now.saturating_sub(e.first_timestamp))
            )
        } else {
            human_duration(now.saturating_sub(e.first_timestamp))
        };
        out.push_str(&format!(
            "  {}\t{}\t{age}\t{}\t{}\n",
            e.type_(),
            e.reason(),
            e.source(),
            e.message
        ));
    }
}

fn container_lines(
    out: &mut String,
    indent: &str,
    c: &Container,
    status: Option<&ContainerStatus>,
    pod: Option<&Pod>,
) {
    out.push_str(&format!("{indent}{}:\n", c.name));
    let i = format!("{indent}  ");
    if let Some(s) = status {
        if !s.container_id.is_empty() {
            out.push_str(&format!("{i}Container ID:\t{}\n", &*s.container_id));
        }
    }
    out.push_str(&format!("{i}Image:\t{}\n", c.image));
    if let Some(s) = status {
        out.push_str(&format!("{i}Image ID:\t{}\n", s.image_id));
    }
    match c.ports.as_slice() {
        [] => out.push_str(&format!("{i}Port:\t<none>\n{i}Host Port:\t<none>\n")),
        ports => {
            let list: Vec<String> = ports
                .iter()
                .map(|p| format!("{}/{}", p.container_port, p.protocol))
                .collect();
            let host: Vec<String> = ports
                .iter()
                .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol))
                .collect();
            out.push_str(&format!(
                "{i}Port{}:\t{}\n",
                if ports.len() > 1 { "s" } else { "" },
                list.join(", ")
            ));
            out.push_str(&format!(
                "{i}Host Port{}:\t{}\n",
                if ports.len() > 1 { "s" } else { "" },
                host.join(", ")
            ));
        }
    }
    if !c.command.is_empty() {
        out.push_str(&format!("{i}Command:\n"));
        for a in &c.command {
            out.push_str(&format!("{i}  {a}\n"));
        }
    }
    if !c.args.is_empty() {
        out.push_str(&format!("{i}Args:\n"));
        for a in &c.args {
            out.push_str(&format!("{i}  {a}\n"));
        }
    }
    if let Some(s) = status {
        let state = |st: &ContainerState, label: &str, out: &mut String| {
            if let Some(r) = &st.running {
                out.push_str(&format!(
                    "{i}{label}:\tRunning\n{i}  Started:\t{}\n",
                    time_at(r.started_at.as_ref())
                ));
            } else if let Some(w) = &st.waiting {
                out.push_str(&format!(
                    "{i}{label}:\tWaiting\n{i}  Reason:\t{}\n",
                    w.reason
                ));
            } else if let Some(t) = &st.terminated {
                out.push_str(&format!(
                    "{i}{label}:\tTerminated\n{i}  Reason:\t{}\n{i}  Exit Code:\t{}\n{i}  Started:\t{}\n{i}  Finished:\t{}\n",
                    t.reason,
                    t.exit_code,
                    time_at(t.started_at.as_ref()),
                    time_at(t.finished_at.as_ref())
                ));
            }
        };
        state(&s.state, "State", out);
        if !s.last_state.is_empty() {
            state(&s.last_state, "Last State", out);
        }
        out.push_str(&format!(
            "{i}Ready:\t{}\n{i}Restart Count:\t{}\n",
            if s.ready { "True" } else { "False" },
            s.restart_count
        ));
    }
    if !c.resources.limits.is_empty() {
        out.push_str(&format!("{i}Limits:\n"));
        for (k, v) in &c.resources.limits {
            out.push_str(&format!("{i}  {k}:\t{}\n", v.0));
        }
    }
    if !c.resources.requests.is_empty() {
        out.push_str(&format!("{i}Requests:\n"));
        for (k, v) in &c.resources.requests {
            out.push_str(&format!("{i}  {k}:\t{}\n", v.0));
        }
    }
    for (label, probe) in [
        ("Liveness", &c.liveness_probe),
        ("Readiness", &c.readiness_probe),
        ("Startup", &c.startup_probe),
    ] {
        if let Some(p) = probe {
            out.push_str(&format!("{i}{label}:\t{}\n", probe_text(p)));
        }
    }
    super::describe_volumes::env_and_mounts(out, &i, c, pod);
}

/// `http-get http://:8080/healthz delay=3s timeout=1s period=3s #success=1 #failure=3`.
fn probe_text(p: &Probe) -> String {
    let port = |x: &IntOrString| match x {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::Str(s) => s.clone(),
    };
    let action = if let Some(h) = &p.http_get {
        format!(
            "http-get {}://{}:{}{}",
            h.scheme.to_ascii_lowercase(),
            h.host,
            port(&h.port),
            h.path
        )
    } else if let Some(t) = &p.tcp_socket {
        format!("tcp-socket {}:{}", t.host, port(&t.port))
    } else if let Some(e) = &p.exec {
        format!("exec [{}]", e.command.join(" "))
    } else {
        "grpc".to_string()
    };
    format!(
        "{action} delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

pub(super) fn describe_pod(store: &Store, pod: &Pod, now: Millis) -> String {
    let mut o = String::new();
    let m = &pod.metadata;
    o.push_str(&format!(
        "Name:\t{}\nNamespace:\t{}\nPriority:\t{}\n",
        m.name,
        m.namespace,
        pod.spec.priority.unwrap_or(0)
    ));
    if !pod.spec.priority_class_name.is_empty() {
        o.push_str(&format!(
            "Priority Class Name:\t{}\n",
            pod.spec.priority_class_name
        ));
    }
    o.push_str(&format!(
        "Service Account:\t{}\n",
        pod.spec.service_account_name
    ));
    let node_ip = store
        .nodes
        .get("", &pod.spec.node_name)
        .map(crate::sim::kubelet::node_ip)
        .unwrap_or_default();
    o.push_str(&format!(
        "Node:\t{}\n",
        if pod.spec.node_name.is_empty() {
            "<none>".to_string()
        } else {
            format!("{}/{node_ip}", pod.spec.node_name)
        }
    ));
    if let Some(t) = &pod.status.start_time {
        o.push_str(&format!("Start Time:\t{}\n", time_at(Some(t))));
    }
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    let status = if m.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        pod.status.phase.to_string()
    };
    o.push_str(&format!("Status:\t{status}"));
    if let Some(t) = &m.deletion_timestamp {
        o.push_str(&format!(
            " (lasts {})",
            human_duration(t.millis().unwrap_or(now).saturating_sub(now))
        ));
        o.push_str(&format!(
            "\nTermination Grace Period:\t{}s",
            m.deletion_grace_period_seconds.unwrap_or(30)
        ));
    }
    o.push('\n');
    o.push_str(&format!("IP:\t{}\nIPs:\n", pod.status.pod_ip));
    if pod.status.pod_ip.is_empty() {
        o.push_str("  <none>\n");
    } else {
        o.push_str(&format!("  IP:\t{}\n", pod.status.pod_ip));
    }
    if let Some(owner) = m
        .owner_references
        .iter()
        .find(|r| r.controller == Some(true))
    {
        o.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    if !pod.spec.init_containers.is_empty() {
        o.push_str("Init Containers:\n");
        for c in &pod.spec.init_containers {
            let s = pod
                .status
                .init_container_statuses
                .iter()
                .find(|s| s.name == c.name);
            container_lines(&mut o, "  ", c, s, Some(pod));
        }
    }
    o.push_str("Containers:\n");
    for c in pod.spec.containers.iter() {
        let s = pod
            .status
            .container_statuses
            .iter()
            .find(|s| s.name == c.name);
        container_lines(&mut o, "  ", c, s, Some(pod));
    }
    if !pod.status.conditions.is_empty() {
        o.push_str("Conditions:\n  Type\tStatus\n");
        for t in ["Initialized", "Ready", "ContainersReady", "PodScheduled"] {
            if let Some(c) = pod.status.conditions.iter().find(|c| c.type_ == t) {
                o.push_str(&format!("  {}\t{} \n", c.type_, c.status));
            }
        }
    }
    super::describe_volumes::volumes(&mut o, "", &pod.spec.volumes);
    o.push_str(&format!(
        "QoS Class:\t{}\n",
        crate::sim::kubelet::qos_class(pod)
    ));
    let selectors: Vec<String> = pod
        .spec
        .node_selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    o.push_str(&format!(
        "Node-Selectors:\t{}\n",
        if selectors.is_empty() {
            "<none>".into()
        } else {
            selectors.join("\n\t")
        }
    ));
    let tolerations: Vec<String> = pod
        .spec
        .tolerations
        .iter()
        .map(|t| {
            let mut s = t.key.clone();
            if !t.value.is_empty() {
                s.push_str(&format!("={}", t.value));
            }
            if !t.effect.is_empty() {
                s.push_str(&format!(":{}", t.effect));
            }
            if t.operator == "Exists" {
                s.push_str(" op=Exists");
            }
            if let Some(secs) = t.toleration_seconds {
                s.push_str(&format!(" for {secs}s"));
            }
            s
        })
        .collect();
    o.push_str(&format!(
        "Tolerations:\t{}\n",
        if tolerations.is_empty() {
            "<none>".into()
        } else {
            tolerations.join("\n\t")
        }
    ));
    events_section(&mut o, store, &m.namespace, "Pod", &m.name, now);
    o
}

fn template_lines(o: &mut String, t: &PodTemplateSpec) {
    o.push_str("Pod Template:\n");
    map_lines(o, "  ", "Labels", &t.metadata.labels, "=");
    if !t.metadata.annotations.is_empty() {
        map_lines(o, "  ", "Annotations", &t.metadata.annotations, ": ");
    }
    o.push_str("  Containers:\n");
    for c in t.spec.containers.iter() {
        container_lines(o, "   ", c, None, None);
    }
    super::describe_volumes::volumes(o, "  ", &t.spec.volumes);
}

fn int_or_percent(v: &Option<IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(n)) => n.to_string(),
        Some(IntOrString::Str(s)) => s.clone(),
        None => "0".into(),
    }
}

pub(super) fn describe_deployment(store: &Store, d: &Deployment, now: Millis) -> String {
    let mut o = String::new();
    let m = &d.metadata;
    let desired = d.spec.replicas.unwrap_or(1);
    let st = &d.status;
    o.push_str(&format!(
        "Name:\t{}\nNamespace:\t{}\nCreationTimestamp:\t{}\n",
        m.name,
        m.namespace,
        time_at(m.creation_timestamp.as_ref())
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    o.push_str(&format!(
        "Selector:\t{}\n",
        d.spec
            .selector
            .as_ref()
            .map(|s| s.to_text())
            .unwrap_or_default()
    ));
    o.push_str(&format!(
        "Replicas:\t{desired} desired | {} updated | {} total | {} available | {} unavailable\n",
        st.updated_replicas, st.replicas, st.available_replicas, st.unavailable_replicas
    ));
    let strategy = d.spec.strategy.clone().unwrap_or_default();
    o.push_str(&format!(
        "StrategyType:\t{}\nMinReadySeconds:\t{}\n",
        strategy.type_,
        d.spec.min_ready_seconds.unwrap_or(0)
    ));
    if let Some(ru) = &strategy.rolling_update {
        o.push_str(&format!(
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
            int_or_percent(&ru.max_unavailable),
            int_or_percent(&ru.max_surge)
        ));
    }
    template_lines(&mut o, &d.spec.template);
    if !st.conditions.is_empty() {
        o.push_str("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
        for c in &st.conditions {
            o.push_str(&format!("  {}\t{}\t{}\n", c.type_, c.status, c.reason));
        }
    }
    let hash = template_hash(&d.spec.template);
    let sets: Vec<&ReplicaSet> = store
        .replicasets
        .in_namespace(Some(&m.namespace))
        .filter(|r| controller_uid(&r.metadata) == Some(m.uid.as_str()))
        .collect();
    let describe_rs = |r: &ReplicaSet| {
        format!(
            "{} ({}/{} replicas created)",
            r.metadata.name,
            r.status.replicas,
            r.spec.replicas.unwrap_or(0)
        )
    };
    let old: Vec<String> = sets
        .iter()
        .filter(|r| {
            r.metadata.labels.get(TEMPLATE_HASH) != Some(&hash)
                && (r.spec.replicas.unwrap_or(0) > 0 || r.status.replicas > 0)
        })
        .map(|r| describe_rs(r))
        .collect();
    o.push_str(&format!(
        "OldReplicaSets:\t{}\n",
        if old.is_empty() {
            "<none>".into()
        } else {
            old.join(", ")
        }
    ));
    let new = sets
        .iter()
        .find(|r| r.metadata.labels.get(TEMPLATE_HASH) == Some(&hash));
    o.push_str(&format!(
        "NewReplicaSet:\t{}\n",
        new.map(|r| describe_rs(r))
            .unwrap_or_else(|| "<none>".into())
    ));
    events_section(&mut o, store, &m.namespace, "Deployment", &m.name, now);
    o
}

pub(super) fn describe_replicaset(store: &Store, r: &ReplicaSet, now: Millis) -> String {
    let mut o = String::new();
    let m = &r.metadata;
    o.push_str(&format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace));
    o.push_str(&format!(
        "Selector:\t{}\n",
        r.spec
            .selector
            .as_ref()
            .map(|s| s.to_text())
            .unwrap_or_default()
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    if let Some(owner) = m
        .owner_references
        .iter()
        .find(|x| x.controller == Some(true))
    {
        o.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    o.push_str(&format!(
        "Replicas:\t{} current / {} desired\n",
        r.status.replicas,
        r.spec.replicas.unwrap_or(1)
    ));
    o.push_str(&format!(
        "Pods Status:\t{}\n",
        owned_pod_counts(store, &m.namespace, &m.uid)
    ));
    template_lines(&mut o, &r.spec.template);
    if !r.status.conditions.is_empty() {
        o.push_str("Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n");
        for c in &r.status.conditions {
            o.push_str(&format!("  {}\t{}\t{}\n", c.type_, c.status, c.reason));
        }
    }
    events_section(&mut o, store, &m.namespace, "ReplicaSet", &m.name, now);
    o
}

pub(super) fn describe_node(store: &Store, n: &Node, now: Millis) -> String {
    let mut o = String::new();
    let m = &n.metadata;
    o.push_str(&format!(
        "Name:\t{}\nRoles:\t{}\n",
        m.name,
        format::node_roles(n)
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    o.push_str(&format!(
        "CreationTimestamp:\t{}\n",
        time_at(m.creation_timestamp.as_ref())
    ));
    let taints: Vec<String> = n
        .spec
        .taints
        .iter()
        .map(|t| {
            format!(
                "{}{}:{}",
                t.key,
                if t.value.is_empty() {
                    String::new()
                } else {
                    format!("={}", t.value)
                },
                t.effect
            )
        })
        .collect();
    o.push_str(&format!(
        "Taints:\t{}\n",
        if taints.is_empty() {
            "<none>".into()
        } else {
            taints.join("\n\t")
        }
    ));
    o.push_str(&format!("Unschedulable:\t{}\n", n.spec.unschedulable));
    o.push_str("Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t-----------------\t------------------\t------\t-------\n");
    for c in &n.status.conditions {
        o.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\t{}\n",
            c.type_,
            c.status,
            rfc1123z(now),
            time_at(c.last_transition_time.as_ref()),
            c.reason,
            c.message
        ));
    }
    o.push_str("Addresses:\n");
    for a in &n.status.addresses {
        o.push_str(&format!("  {}:\t{}\n", a.type_, a.address));
    }
    o.push_str("Capacity:\n");
    for (k, v) in &n.status.capacity {
        o.push_str(&format!("  {k}:\t{}\n", v.0));
    }
    o.push_str("Allocatable:\n");
    for (k, v) in &n.status.allocatable {
        o.push_str(&format!("  {k}:\t{}\n", v.0));
    }
    let info = &n.status.node_info;
    o.push_str(&format!(
        "System Info:\n  Kernel Version:\t{}\n  OS Image:\t{}\n  Operating System:\t{}\n  Architecture:\t{}\n  Container Runtime Version:\t{}\n  Kubelet Version:\t{}\n",
        info.kernel_version, info.os_image, info.operating_system, info.architecture, info.container_runtime_version, info.kubelet_version
    ));
    o.push_str(&format!(
        "PodCIDR:\t{}\nPodCIDRs:\t{}\n",
        n.spec.pod_cidr,
        n.spec.pod_cidrs.join(",")
    ));
    let pods: Vec<&Pod> = store
        .pods
        .values()
        .filter(|p| {
            p.spec.node_name == m.name
                && p.status.phase != "Succeeded"
                && p.status.phase != "Failed"
        })
        .collect();
    o.push_str(&format!(
        "Non-terminated Pods:\t({} in total)\n",
        pods.len()
    ));
    o.push_str("  Namespace\tName\tCPU Requests\tMemory Requests\tAge\n  ---------\t----\t------------\t---------------\t---\n");
    for p in &pods {
        let (cpu, mem) = crate::sim::scheduler::pod_requests(p);
        o.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\n",
            p.metadata.namespace,
            p.metadata.name,
            if cpu == 0 {
                "0 (0%)".to_string()
            } else {
                format!("{cpu}m")
            },
            if mem == 0 {
                "0 (0%)".to_string()
            } else {
                format!("{}Mi", mem / (1 << 20))
            },
            format::age(p.metadata.creation_timestamp.as_ref(), now)
        ));
    }
    events_section(&mut o, store, "", "Node", &m.name, now);
    o
}

fn owned_pod_counts(store: &Store, ns: &str, uid: &str) -> String {
    let pods: Vec<&Pod> = store
        .pods
        .in_namespace(Some(ns))
        .filter(|p| controller_uid(&p.metadata) == Some(uid))
        .collect();
    let count = |phase: &str| pods.iter().filter(|p| p.status.phase == phase).count();
    format!(
        "{} Running / {} Waiting / {} Succeeded / {} Failed",
        count("Running"),
        count("Pending"),
        count("Succeeded"),
        count("Failed")
    )
}

pub(super) fn describe_daemonset(store: &Store, d: &DaemonSet, now: Millis) -> String {
    let mut o = String::new();
    let m = &d.metadata;
    let st = &d.status;
    o.push_str(&format!("Name:\t{}\n", m.name));
    o.push_str(&format!(
        "Selector:\t{}\n",
        d.spec
            .selector
            .as_ref()
            .map(|s| s.to_text())
            .unwrap_or_default()
    ));
    let sel: Vec<String> = d
        .spec
        .template
        .spec
        .node_selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    o.push_str(&format!(
        "Node-Selector:\t{}\n",
        if sel.is_empty() {
            "<none>".into()
        } else {
            sel.join(",")
        }
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    o.push_str(&format!(
        "Desired Number of Nodes Scheduled: {}\nCurrent Number of Nodes Scheduled: {}\nNumber of Nodes Scheduled with Up-to-date Pods: {}\nNumber of Nodes Scheduled with Available Pods: {}\nNumber of Nodes Misscheduled: {}\n",
        st.desired_number_scheduled, st.current_number_scheduled, st.updated_number_scheduled, st.number_available, st.number_misscheduled
    ));
    o.push_str(&format!(
        "Pods Status:\t{}\n",
        owned_pod_counts(store, &m.namespace, &m.uid)
    ));
    template_lines(&mut o, &d.spec.template);
    events_section(&mut o, store, &m.namespace, "DaemonSet", &m.name, now);
    o
}

pub(super) fn describe_statefulset(store: &Store, d: &StatefulSet, now: Millis) -> String {
    let mut o = String::new();
    let m = &d.metadata;
    o.push_str(&format!(
        "Name:\t{}\nNamespace:\t{}\nCreationTimestamp:\t{}\n",
        m.name,
        m.namespace,
        time_at(m.creation_timestamp.as_ref())
    ));
    o.push_str(&format!(
        "Selector:\t{}\n",
        d.spec
            .selector
            .as_ref()
            .map(|s| s.to_text())
            .unwrap_or_default()
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    o.push_str(&format!(
        "Replicas:\t{} desired | {} total\n",
        d.spec.replicas.unwrap_or(1),
        d.status.replicas
    ));
    let strategy = d.spec.update_strategy.clone().unwrap_or_default();
    o.push_str(&format!("Update Strategy:\t{}\n", strategy.type_));
    if let Some(p) = strategy.rolling_update.and_then(|r| r.partition) {
        o.push_str(&format!("  Partition:\t{p}\n"));
    }
    o.push_str(&format!(
        "Pods Status:\t{}\n",
        owned_pod_counts(store, &m.namespace, &m.uid)
    ));
    template_lines(&mut o, &d.spec.template);
    o.push_str(&format!(
        "Volume Claims:\t{}\n",
        if d.spec.volume_claim_templates.is_empty() {
            "<none>"
        } else {
            "(templates kept; claims are not simulated yet)"
        }
    ));
    events_section(&mut o, store, &m.namespace, "StatefulSet", &m.name, now);
    o
}

pub(super) fn describe_job(store: &Store, j: &Job, now: Millis) -> String {
    let mut o = String::new();
    let m = &j.metadata;
    o.push_str(&format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace));
    o.push_str(&format!(
        "Selector:\t{}\n",
        j.spec
            .selector
            .as_ref()
            .map(|s| s.to_text())
            .unwrap_or_default()
    ));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    if let Some(owner) = m
        .owner_references
        .iter()
        .find(|x| x.controller == Some(true))
    {
        o.push_str(&format!("Controlled By:\t{}/{}\n", owner.kind, owner.name));
    }
    o.push_str(&format!(
        "Parallelism:\t{}\n",
        j.spec.parallelism.unwrap_or(1)
    ));
    o.push_str(&format!(
        "Completions:\t{}\n",
        j.spec
            .completions
            .map(|c| c.to_string())
            .unwrap_or_else(|| "<unset>".into())
    ));
    o.push_str(&format!(
        "Completion Mode:\t{}\n",
        j.spec.completion_mode.clone().unwrap_or_default()
    ));
    o.push_str(&format!("Suspend:\t{}\n", j.spec.suspend.unwrap_or(false)));
    o.push_str(&format!(
        "Backoff Limit:\t{}\n",
        j.spec.backoff_limit.unwrap_or(6)
    ));
    if let Some(t) = &j.status.start_time {
        o.push_str(&format!("Start Time:\t{}\n", time_of(Some(t))));
    }
    if let Some(t) = &j.status.completion_time {
        o.push_str(&format!("Completed At:\t{}\n", time_of(Some(t))));
    }
    o.push_str(&format!(
        "Pods Statuses:\t{} Active ({} Ready) / {} Succeeded / {} Failed\n",
        j.status.active, j.status.ready, j.status.succeeded, j.status.failed
    ));
    template_lines(&mut o, &j.spec.template);
    events_section(&mut o, store, &m.namespace, "Job", &m.name, now);
    o
}

pub(super) fn describe_cronjob(store: &Store, c: &CronJob, now: Millis) -> String {
    let mut o = String::new();
    let m = &c.metadata;
    o.push_str(&format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace));
    map_lines(&mut o, "", "Labels", &m.labels, "=");
    map_lines(&mut o, "", "Annotations", &m.annotations, ": ");
    o.push_str(&format!("Schedule:\t{}\n", c.spec.schedule));
    o.push_str(&format!(
        "Concurrency Policy:\t{}\n",
        c.spec.concurrency_policy
    ));
    o.push_str(&format!(
        "Suspend:\t{}\n",
        if c.spec.suspend == Some(true) {
            "True"
        } else {
            "False"
        }
    ));
    o.push_str(&format!(
        "Successful Job History Limit:\t{}\n",
        c.spec.successful_jobs_history_limit.unwrap_or(3)
    ));
    o.push_str(&format!(
        "Failed Job History Limit:\t{}\n",
        c.spec.failed_jobs_history_limit.unwrap_or(1)
    ));
    o.push_str(&format!(
        "Starting Deadline Seconds:\t{}\n",
        c.spec
            .starting_deadline_seconds
            .map(|s| format!("{s}s"))
            .unwrap_or_else(|| "<unset>".into())
    ));
    template_lines(&mut o, &c.spec.job_template.spec.template);
    o.push_str(&format!(
        "Last Schedule Time:\t{}\n",
        c.status
            .last_schedule_time
            .as_ref()
            .map(|t| time_of(Some(t)))
            .unwrap_or_else(|| "<unset>".into())
    ));
    let active: Vec<String> = c.status.active.iter().map(|r| r.name.clone()).collect();
    o.push_str(&format!(
        "Active Jobs:\t{}\n",
        if active.is_empty() {
            "<none>".into()
        } else {
            active.join(", ")
        }
    ));
    events_section(&mut o, store, &m.namespace, "CronJob", &m.name, now);
    o
}

pub(super) fn describe_namespace(store: &Store, n: &Namespace, now: Millis) -> String {
    let mut o = String::new();
    o.push_str(&format!("Name:\t{}\n", n.metadata.name));
    map_lines(&mut o, "", "Labels", &n.metadata.labels, "=");
    map_lines(&mut o, "", "Annotations", &n.metadata.annotations, ": ");
    o.push_str(&format!(
        "Status:\t{}\n\nNo resource quota.\n\nNo LimitRange resource.\n",
        n.status.phase
    ));
    let _ = (store, now);
    o
}

/// `kubectl describe service` (describe.go's describeService; the Endpoints line per port lists
/// the EndpointSlices' ready endpoints in their order, as kubectl 1.31 does).
pub(super) fn describe_service(store: &Store, svc: &Service, now: Millis) -> String {
    let mut o = String::new();
    o.push_str(&format!("Name:\t{}\n", svc.metadata.name));
    o.push_str(&format!("Namespace:\t{}\n", svc.metadata.namespace));
    map_lines(&mut o, "", "Labels", &svc.metadata.labels, "=");
    map_lines(&mut o, "", "Annotations", &svc.metadata.annotations, ": ");
    let selector = svc
        .spec
        .selector
        .as_ref()
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_else(|| "<none>".into());
    o.push_str(&format!("Selector:\t{selector}\n"));
    o.push_str(&format!("Type:\t{}\n", svc.type_name()));
    if !svc.spec.ip_family_policy.is_empty() {
        o.push_str(&format!(
            "IP Family Policy:\t{}\n",
            svc.spec.ip_family_policy
        ));
    }
    if svc.spec.ip_families.is_empty() {
        o.push_str("IP Families:\t<none>\n");
    } else {
        o.push_str(&format!(
            "IP Families:\t{}\n",
            svc.spec.ip_families.join(",")
        ));
    }
    o.push_str(&format!("IP:\t{}\n", svc.spec.cluster_ip));
    if svc.spec.cluster_ips.is_empty() {
        o.push_str("IPs:\t<none>\n");
    } else {
        o.push_str(&format!("IPs:\t{}\n", svc.spec.cluster_ips.join(",")));
    }
    if !svc.spec.external_ips.is_empty() {
        o.push_str(&format!(
            "External IPs:\t{}\n",
            svc.spec.external_ips.join(",")
        ));
    }
    if !svc.spec.load_balancer_ip.is_empty() {
        o.push_str(&format!("IP:\t{}\n", svc.spec.load_balancer_ip));
    }
    if !svc.spec.external_name.is_empty() {
        o.push_str(&format!("External Name:\t{}\n", svc.spec.external_name));
    }
    if !svc.status.load_balancer.ingress.is_empty() {
        let list: Vec<String> = svc
            .status
            .load_balancer
            .ingress
            .iter()
            .map(|i| {
                let addr = if i.ip.is_empty() { &i.hostname } else { &i.ip };
                match &i.ip_mode {
                    Some(mode) => format!("{addr} ({mode})"),
                    None => addr.clone(),
                }
            })
            .collect();
        o.push_str(&format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    let slices: Vec<&EndpointSlice> = store
        .endpointslices
        .in_namespace(Some(&svc.metadata.namespace))
        .filter(|s| s.metadata.labels.get("kubernetes.io/service-name") == Some(&svc.metadata.name))
        .collect();
    for sp in &svc.spec.ports {
        let name = if sp.name.is_empty() {
            "<unset>"
        } else {
            &sp.name
        };
        o.push_str(&format!("Port:\t{name}\t{}/{}\n", sp.port, sp.protocol));
        match &sp.target_port {
            Some(IntOrString::Str(s)) => o.push_str(&format!("TargetPort:\t{s}/{}\n", sp.protocol)),
            Some(IntOrString::Int(n)) => o.push_str(&format!("TargetPort:\t{n}/{}\n", sp.protocol)),
            None => o.push_str(&format!("TargetPort:\t{}/{}\n", sp.port, sp.protocol)),
        }
        if let Some(np) = sp.node_port.filter(|n| *n != 0) {
            o.push_str(&format!("NodePort:\t{name}\t{np}/{}\n", sp.protocol));
        }
        let mut list = Vec::new();
        for slice in &slices {
            for port in slice.ports.iter().filter(|p| p.name == sp.name) {
                for e in &slice.endpoints {
                    if e.conditions.ready == Some(false) {
                        continue;
                    }
                    for a in &e.addresses {
                        list.push(format!("{a}:{}", port.port));
                    }
                }
            }
        }
        let endpoints = if list.len() > 3 {
            format!("{} + {} more...", list[..3].join(","), list.len() - 3)
        } else {
            list.join(",")
        };
        o.push_str(&format!("Endpoints:\t{endpoints}\n"));
    }
    o.push_str(&format!(
        "Session Affinity:\t{}\n",
        svc.spec.session_affinity
    ));
    if !svc.spec.external_traffic_policy.is_empty() {
        o.push_str(&format!(
            "External Traffic Policy:\t{}\n",
            svc.spec.external_traffic_policy
        ));
    }
    if !svc.spec.internal_traffic_policy.is_empty() {
        o.push_str(&format!(
            "Internal Traffic Policy:\t{}\n",
            svc.spec.internal_traffic_policy
        ));
    }
    if let Some(port) = svc.spec.health_check_node_port.filter(|p| *p != 0) {
        o.push_str(&format!("HealthCheck NodePort:\t{port}\n"));
    }
    if !svc.spec.load_balancer_source_ranges.is_empty() {
        o.push_str(&format!(
            "LoadBalancer Source Ranges:\t{}\n",
            svc.spec.load_balancer_source_ranges.join(",")
        ));
    }
    events_section(
        &mut o,
        store,
        &svc.metadata.namespace,
        "Service",
        &svc.metadata.name,
        now,
    );
    o
}

/// `kubectl describe endpoints` (describe.go's describeEndpoints).
pub(super) fn describe_endpoints(store: &Store, ep: &Endpoints, now: Millis) -> String {
    let mut o = String::new();
    o.push_str(&format!("Name:\t{}\n", ep.metadata.name));
    o.push_str(&format!("Namespace:\t{}\n", ep.metadata.namespace));
    map_lines(&mut o, "", "Labels", &ep.metadata.labels, "=");
    map_lines(&mut o, "", "Annotations", &ep.metadata.annotations, ": ");
    o.push_str("Subsets:\n");
    for s in &ep.subsets {
        let ready: Vec<&str> = s.addresses.iter().map(|a| a.ip.as_str()).collect();
        let not_ready: Vec<&str> = s
            .not_ready_addresses
            .iter()
            .map(|a| a.ip.as_str())
            .collect();
        let join = |v: &[&str]| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(",")
            }
        };
        o.push_str(&format!("  Addresses:\t{}\n", join(&ready)));
        o.push_str(&format!("  NotReadyAddresses:\t{}\n", join(&not_ready)));
        if !s.ports.is_empty() {
            o.push_str("  Ports:\n    Name\tPort\tProtocol\n    ----\t----\t--------\n");
            for p in &s.ports {
                let name = if p.name.is_empty() {
                    "<unset>"
                } else {
                    &p.name
                };
                o.push_str(&format!("    {name}\t{}\t{}\n", p.port, p.protocol));
            }
        }
        o.push('\n');
    }
    events_section(
        &mut o,
        store,
        &ep.metadata.namespace,
        "Endpoints",
        &ep.metadata.name,
        now,
    );
    o
}

pub(super) fn describe(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("selector", Some('l'), true),
            flag("all-namespaces", Some('A'), false),
            flag("show-events", None, false),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let Some(first) = p.positional.first() else {
        return Err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.".into());
    };
    let (kind_word, names): (String, Vec<String>) = match first.split_once('/') {
        Some((k, _)) => (
            k.to_string(),
            p.positional
                .iter()
                .filter_map(|a| a.split_once('/').map(|(_, n)| n.to_string()))
                .collect(),
        ),
        None => (first.clone(), p.positional[1..].to_vec()),
    };
    let now = s.world.now;
    let store = &s.world.clusters[cluster].store;
    if let Some(r) = super::stored::resolve(store, &kind_word) {
        let scope = (!p.bool("all-namespaces")).then_some(ns.as_str());
        let (_, denied) = super::auth::authorize_read(s, cluster, &r, scope, &names);
        if let Some(e) = denied.into_iter().next() {
            return Err(e);
        }
    }
    let kind = match super::stored::resolve(store, &kind_word) {
        Some(super::stored::Resolved::Typed(k)) => k,
        Some(super::stored::Resolved::Stored(info)) => {
            let sel = p
                .value("selector")
                .map(parse_selector)
                .transpose()?
                .unwrap_or_default();
            let texts: Vec<String> =
                super::stored::pick(store, &info, &ns, p.bool("all-namespaces"), &names, &sel)?
                    .into_iter()
                    .map(|o| {
                        super::storage::describe(store, o, now)
                            .unwrap_or_else(|| super::stored::describe(store, o))
                    })
                    .collect();
            if texts.is_empty() {
                return Ok(Output::ok(
                    if info.namespaced && !p.bool("all-namespaces") {
                        format!("No resources found in {ns} namespace.")
                    } else {
                        "No resources found".to_string()
                    },
                ));
            }
            let rendered: Vec<String> = texts
                .iter()
                .map(|t| tabwriter(t, 0, 2).trim_end().to_string())
                .collect();
            return Ok(Output::ok(rendered.join("\n\n\n")));
        }
        None => {
            return Err(format!(
                "error: the server doesn't have a resource type \"{kind_word}\""
            ))
        }
    };
    let sel = p
        .value("selector")
        .map(parse_selector)
        .transpose()?
        .unwrap_or_default();
    // Which objects: by name (exact, then by prefix as kubectl does), or all matching the selector.
    fn pick<'a, T: Resource>(
        table: &'a Table<T>,
        ns: &'a str,
        names: &[String],
        sel: &[(String, String, String)],
    ) -> Result<Vec<&'a T>, String> {
        let key_ns = if T::NAMESPACED { ns } else { "" };
        if names.is_empty() {
            return Ok(table
                .in_namespace(T::NAMESPACED.then_some(ns))
                .filter(|o| selector_matches(sel, &o.meta().labels))
                .collect());
        }
        let mut out = Vec::new();
        for n in names {
            if let Some(o) = table.get(key_ns, n) {
                out.push(o);
                continue;
            }
            let prefixed: Vec<&T> = table
                .in_namespace(T::NAMESPACED.then_some(ns))
                .filter(|o| o.meta().name.starts_with(n.as_str()))
                .collect();
            if prefixed.is_empty() {
                return Err(format!(
                    "Error from server (NotFound): {} \"{n}\" not found",
                    T::resource_name()
                ));
            }
            out.extend(prefixed);
        }
        Ok(out)
    }
    let texts: Vec<String> = match kind {
        Kind::Pods => pick(&store.pods, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_pod(store, o, now))
            .collect(),
        Kind::Deployments => pick(&store.deployments, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_deployment(store, o, now))
            .collect(),
        Kind::ReplicaSets => pick(&store.replicasets, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_replicaset(store, o, now))
            .collect(),
        Kind::Nodes => pick(&store.nodes, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_node(store, o, now))
            .collect(),
        Kind::Namespaces => pick(&store.namespaces, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_namespace(store, o, now))
            .collect(),
        Kind::Events => {
            return Err("error: describe events is not supported; use kubectl get events".into())
        }
        Kind::DaemonSets => pick(&store.daemonsets, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_daemonset(store, o, now))
            .collect(),
        Kind::StatefulSets => pick(&store.statefulsets, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_statefulset(store, o, now))
            .collect(),
        Kind::Jobs => pick(&store.jobs, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_job(store, o, now))
            .collect(),
        Kind::CronJobs => pick(&store.cronjobs, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_cronjob(store, o, now))
            .collect(),
        Kind::Services => pick(&store.services, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_service(store, o, now))
            .collect(),
        Kind::Endpoints => pick(&store.endpoints, &ns, &names, &sel)?
            .into_iter()
            .map(|o| describe_endpoints(store, o, now))
            .collect(),
        Kind::EndpointSlices => {
            return Err(
                "error: Pocket Cluster does not describe endpointslices yet; try kubectl get endpointslices -o yaml"
                    .into(),
            )
        }
    };
    if texts.is_empty() {
        return Ok(Output::ok(format!("No resources found in {ns} namespace.")));
    }
    let rendered: Vec<String> = texts
        .iter()
        .map(|t| tabwriter(t, 0, 2).trim_end().to_string())
        .collect();
    Ok(Output::ok(rendered.join("\n\n\n")))
}
