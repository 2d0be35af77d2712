//! Output as kubectl prints it: tab-aligned tables (cli-runtime's tabwriter settings) and the
//! STATUS and RESTARTS columns of `kubectl get pods` (printers.go printPod).

use crate::sim::api::{Node, Pod, Time};
use crate::sim::clock::{human_duration, Millis};

/// kubectl's tabwriter: minwidth 6, padding 3, no padding after the last column.
pub fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0usize; cols];
    for r in rows {
        for (i, cell) in r.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < r.len() {
                let w = (widths[i] + 3).max(6);
                line.push_str(&" ".repeat(w - cell.chars().count()));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Age of an object from its creationTimestamp.
pub fn age(created: Option<&Time>, now: Millis) -> String {
    match created.and_then(Time::millis) {
        Some(t) => human_duration(now.saturating_sub(t)),
        None => "<unknown>".into(),
    }
}

/// The STATUS column (fact 22).
pub fn pod_status(pod: &Pod) -> String {
    let mut reason = if pod.status.reason.is_empty() {
        pod.status.phase.to_string()
    } else {
        pod.status.reason.clone()
    };
    if reason.is_empty() {
        reason = "Pending".into();
    }
    let mut initializing = false;
    let init_total = pod.spec.init_containers.len();
    for (i, c) in pod.status.init_container_statuses.iter().enumerate() {
        // A started sidecar does not hold the pod in Init (printPod).
        if sidecar(pod, &c.name) && c.started == Some(true) {
            continue;
        }
        if let Some(t) = &c.state.terminated {
            if t.exit_code == 0 {
                continue;
            }
            reason = if !t.reason.is_empty() {
                format!("Init:{}", t.reason)
            } else if let Some(s) = t.signal {
                format!("Init:Signal:{s}")
            } else {
                format!("Init:ExitCode:{}", t.exit_code)
            };
        } else if let Some(w) = c
            .state
            .waiting
            .as_ref()
            .filter(|w| !w.reason.is_empty() && w.reason != "PodInitializing")
        {
            reason = format!("Init:{}", w.reason);
        } else {
            reason = format!("Init:{i}/{init_total}");
        }
        initializing = true;
        break;
    }
    if !initializing {
        let mut has_running = false;
        for c in pod.status.container_statuses.iter().rev() {
            if let Some(w) = c.state.waiting.as_ref().filter(|w| !w.reason.is_empty()) {
                reason = w.reason.clone();
            } else if let Some(t) = &c.state.terminated {
                reason = if !t.reason.is_empty() {
                    t.reason.clone()
                } else if let Some(s) = t.signal {
                    format!("Signal:{s}")
                } else {
                    format!("ExitCode:{}", t.exit_code)
                };
            } else if c.ready && c.state.running.is_some() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            let ready = pod
                .status
                .conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if ready { "Running" } else { "NotReady" }.into();
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if pod.status.reason == "NodeLost" {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    reason
}

/// Whether an init container is a sidecar (`restartPolicy: Always`), which kubectl counts with
/// the app containers.
fn sidecar(pod: &Pod, name: &str) -> bool {
    pod.spec
        .init_containers
        .iter()
        .any(|c| c.name == name && c.restart_policy == "Always")
}

/// READY as `ready/total`; sidecars count once started (printPod).
pub fn pod_ready(pod: &Pod) -> String {
    let sidecars = pod
        .spec
        .init_containers
        .iter()
        .filter(|c| c.restart_policy == "Always")
        .count();
    let ready = pod
        .status
        .container_statuses
        .iter()
        .chain(
            pod.status
                .init_container_statuses
                .iter()
                .filter(|c| sidecar(pod, &c.name) && c.started == Some(true)),
        )
        .filter(|c| c.ready)
        .count();
    format!("{ready}/{}", pod.spec.containers.len() + sidecars)
}

/// RESTARTS, with `(5s ago)` when the last termination time is known (fact 21). While init
/// containers run it counts theirs; after, the app containers' and sidecars' (printPod).
pub fn pod_restarts(pod: &Pod, now: Millis) -> String {
    let initialized = pod
        .status
        .conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True")
        || pod.status.init_container_statuses.is_empty();
    let counted: Vec<&crate::sim::api::ContainerStatus> = if initialized {
        pod.status
            .container_statuses
            .iter()
            .chain(
                pod.status
                    .init_container_statuses
                    .iter()
                    .filter(|c| sidecar(pod, &c.name)),
            )
            .collect()
    } else {
        pod.status.init_container_statuses.iter().collect()
    };
    let total: i64 = counted.iter().map(|c| c.restart_count).sum();
    if total == 0 {
        return "0".into();
    }
    let last = pod
        .status
        .container_statuses
        .iter()
        .chain(pod.status.init_container_statuses.iter())
        .filter_map(|c| c.last_state.terminated.as_ref()?.finished_at.as_ref())
        .filter_map(Time::millis)
        .max();
    match last {
        Some(t) => format!("{total} ({} ago)", human_duration(now.saturating_sub(t))),
        None => total.to_string(),
    }
}

/// Node STATUS: Ready / NotReady, plus SchedulingDisabled when cordoned.
pub fn node_status(node: &Node) -> String {
    let ready = crate::sim::scheduler::node_is_ready(node);
    let mut s = if ready { "Ready" } else { "NotReady" }.to_string();
    if node.spec.unschedulable {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// Node ROLES from `node-role.kubernetes.io/<role>` labels.
pub fn node_roles(node: &Node) -> String {
    let roles: Vec<&str> = node
        .metadata
        .labels
        .keys()
        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fact 21 and kubectl's tabwriter: columns padded by 3, minimum width 6.
    #[test]
    fn tables_align_like_kubectl() {
        let rows = vec![
            vec![
                "NAME".into(),
                "READY".into(),
                "STATUS".into(),
                "RESTARTS".into(),
                "AGE".into(),
            ],
            vec![
                "nginx".into(),
                "1/1".into(),
                "Running".into(),
                "0".into(),
                "5s".into(),
            ],
        ];
        assert_eq!(
            table(&rows),
            "NAME    READY   STATUS    RESTARTS   AGE\nnginx   1/1     Running   0          5s\n"
        );
    }
}

/// Go's text/tabwriter (flags 0): cells end at `\t`; a column is aligned over each run of
/// consecutive lines that have a cell in it. `kubectl describe` uses minwidth 0, padding 2.
pub fn tabwriter(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<Vec<usize>> = lines.iter().map(|l| vec![0; l.len()]).collect();
    // Recursive over columns, as Go's format() is.
    fn block(
        lines: &[Vec<&str>],
        widths: &mut [Vec<usize>],
        col: usize,
        start: usize,
        end: usize,
        minwidth: usize,
        padding: usize,
    ) {
        let mut i = start;
        while i < end {
            if lines[i].len() <= col + 1 {
                i += 1;
                continue;
            }
            let run_start = i;
            let mut w = 0;
            while i < end && lines[i].len() > col + 1 {
                w = w.max(lines[i][col].chars().count() + padding);
                i += 1;
            }
            let w = w.max(minwidth);
            for row in widths.iter_mut().take(i).skip(run_start) {
                row[col] = w;
            }
            block(lines, widths, col + 1, run_start, i, minwidth, padding);
        }
    }
    block(&lines, &mut widths, 0, 0, lines.len(), minwidth, padding);
    let mut out = String::new();
    for (cells, ws) in lines.iter().zip(&widths) {
        let mut line = String::new();
        for (j, cell) in cells.iter().enumerate() {
            line.push_str(cell);
            if j + 1 < cells.len() {
                let pad = ws[j].saturating_sub(cell.chars().count());
                line.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tabwriter_tests {
    #[test]
    fn aligns_runs_like_go() {
        let t =
            "Name:\tnginx\nService Account:\tdefault\nContainers:\n  nginx:\n    Image:\tnginx\n";
        assert_eq!(
            super::tabwriter(t, 0, 2),
            "Name:             nginx\nService Account:  default\nContainers:\n  nginx:\n    Image:  nginx\n"
        );
    }
}

/// YAML as kubectl prints it (go-yaml v2 through sigs.k8s.io/yaml): strings that would read as
/// something else are double-quoted (`"3600"`, `""`, `"2026-01-01T00:05:00Z"`), where
/// serde_yaml single-quotes them or leaves timestamps plain. Block scalars are left alone.
pub fn kubectl_yaml(value: &serde_yaml::Value) -> String {
    let text = serde_yaml::to_string(value).unwrap_or_default();
    let mut out = String::with_capacity(text.len() + 16);
    // Inside a block scalar (`key: |`): lines indented deeper than its key are its content.
    let mut block: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(b) = block {
            if line.trim().is_empty() || indent > b {
                out.push_str(line);
                out.push('\n');
                continue;
            }
            block = None;
        }
        let (head, scalar) = split_scalar(line);
        let block_header = (scalar.starts_with('|') || scalar.starts_with('>'))
            && scalar[1..]
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+');
        if block_header {
            block = Some(indent);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        out.push_str(head);
        out.push_str(&requote(scalar));
        out.push('\n');
    }
    out
}

/// A line's prefix (indentation, `- `, `key: `) and its scalar value (maybe empty).
fn split_scalar(line: &str) -> (&str, &str) {
    let mut at = line.len() - line.trim_start().len();
    loop {
        let rest = &line[at..];
        if let Some(r) = rest.strip_prefix("- ") {
            at = line.len() - r.len();
            continue;
        }
        break;
    }
    let rest = &line[at..];
    // `key: value` (keys here are plain or single-quoted).
    let key_end = if let Some(r) = rest.strip_prefix('\'') {
        r.find("': ").map(|i| i + 3)
    } else {
        rest.find(": ").map(|i| i + 2)
    };
    match key_end {
        Some(k) if !rest.starts_with('"') => line.split_at(at + k),
        _ if rest.ends_with(':') => (line, ""),
        _ => line.split_at(at),
    }
}

fn requote(scalar: &str) -> String {
    if scalar.len() >= 2 && scalar.starts_with('\'') && scalar.ends_with('\'') {
        let inner = &scalar[1..scalar.len() - 1];
        if !inner.contains('\'') && !inner.contains('"') && !inner.contains('\\') {
            return format!("\"{inner}\"");
        }
        return scalar.to_string();
    }
    let b = scalar.as_bytes();
    let timestamp = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[19] == b'Z'
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10 | 13 | 16 | 19) || c.is_ascii_digit());
    if timestamp {
        return format!("\"{scalar}\"");
    }
    scalar.to_string()
}

#[cfg(test)]
mod yaml_tests {
    use super::kubectl_yaml;

    #[test]
    fn quotes_as_kubectl_does() {
        let v: serde_yaml::Value = serde_yaml::from_str(
            "a: '3600'\nb: ''\nc: 2026-01-01T00:05:00Z\nd:\n- '80'\n- x\ne: |\n  '1'\n  k: '2'\nf: it's\n",
        )
        .expect("yaml");
        assert_eq!(
            kubectl_yaml(&v),
            "a: \"3600\"\nb: \"\"\nc: \"2026-01-01T00:05:00Z\"\nd:\n- \"80\"\n- x\ne: |\n  '1'\n  k: '2'\nf: it's\n"
        );
    }
}
