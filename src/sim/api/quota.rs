//! ResourceQuota (facts 70-73): resource quantities as the API server adds and prints them, what
//! each object uses, the quota controller's `status.hard` / `status.used`, and the
//! ResourceQuota admission plugin's checks with its 403 texts.
//!
//! What an object uses is kube's evaluators': a Pod counts `pods` (unless it is terminal),
//! `count/pods`, and its containers' requests and limits (`requests.cpu`, `cpu`,
//! `limits.memory`, … the sum over containers, raised to the largest init container); a Service
//! `services`, `services.nodeports` and `services.loadbalancers`; a PersistentVolumeClaim
//! `persistentvolumeclaims` and `requests.storage`; every object `count/<resource>[.<group>]`
//! and, for the kinds that have one, its legacy name (`configmaps`, `secrets`, …).

use super::error::ApiError;
use super::store::{Resource, Store};
use super::types::{Container, Pod, Quantity};
use super::unstructured::Unstructured;
use super::Service;
use serde_yaml::{Mapping, Value};
use std::any::Any;
use std::collections::BTreeMap;

/// A quantity in thousandths of its unit (millicores, millibytes, thousandths of an object),
/// with the format its first non-zero term was written in (Go's `Quantity.Add` keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Amount {
    pub milli: i128,
    pub binary: bool,
}

impl Amount {
    pub fn count(n: i128) -> Amount {
        Amount {
            milli: n.saturating_mul(1000),
            binary: false,
        }
    }

    /// `self + other`, keeping the format of the first non-zero term.
    pub fn plus(self, other: Amount) -> Amount {
        Amount {
            milli: self.milli.saturating_add(other.milli),
            binary: if self.milli == 0 {
                other.binary
            } else {
                self.binary
            },
        }
    }
}

/// Parse a quantity (`500m`, `1.5`, `64Mi`, `1G`, `129e6`, `2`) as resource.ParseQuantity does;
/// None for what it rejects. Precision below a thousandth rounds up, as Go's does for milli values.
pub fn parse_quantity(text: &str) -> Option<Amount> {
    let s = text.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let (sign, s) = match s.as_bytes()[0] {
        b'-' => (-1i128, &s[1..]),
        b'+' => (1, &s[1..]),
        _ => (1, s),
    };
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    // (power of 10, power of 1024)
    let (exp10, exp1024, binary): (i32, u32, bool) = match suffix {
        "" => (0, 0, false),
        "n" => (-9, 0, false),
        "u" => (-6, 0, false),
        "m" => (-3, 0, false),
        "k" => (3, 0, false),
        "M" => (6, 0, false),
        "G" => (9, 0, false),
        "T" => (12, 0, false),
        "P" => (15, 0, false),
        "E" => (18, 0, false),
        "Ki" => (0, 1, true),
        "Mi" => (0, 2, true),
        "Gi" => (0, 3, true),
        "Ti" => (0, 4, true),
        "Pi" => (0, 5, true),
        "Ei" => (0, 6, true),
        e if e.starts_with(['e', 'E']) => {
            let n: i32 = e[1..].parse().ok()?;
            if !(-30..=30).contains(&n) {
                return None;
            }
            (n, 0, false)
        }
        _ => return None,
    };
    let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
    let digits = format!("{int_part}{frac_part}");
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return None;
    }
    let mantissa: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().ok()?
    };
    // value = mantissa * 10^(exp10 - frac_len) * 1024^exp1024; in milli: * 10^3.
    let mut value = mantissa.checked_mul(1024i128.checked_pow(exp1024)?)?;
    let shift = exp10 + 3 - frac_part.len() as i32;
    if shift >= 0 {
        value = value.checked_mul(10i128.checked_pow(shift as u32)?)?;
    } else {
        let d = 10i128.checked_pow((-shift) as u32)?;
        value = (value + d - 1) / d;
    }
    Some(Amount {
        milli: sign * value,
        binary,
    })
}

/// A quantity as Go's `Quantity.String()` prints it canonically: `1Gi`, `600Mi`, `1500m`, `2`,
/// `1k`, `0`.
pub fn format_amount(a: Amount) -> String {
    let v = a.milli;
    if v == 0 {
        return "0".into();
    }
    let (sign, v) = if v < 0 { ("-", -v) } else { ("", v) };
    if v % 1000 == 0 {
        let n = v / 1000;
        if a.binary && n >= 1024 {
            let mut n2 = n;
            let mut e = 0;
            while e < 6 && n2 % 1024 == 0 {
                n2 /= 1024;
                e += 1;
            }
            if e > 0 {
                let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"][e];
                return format!("{sign}{n2}{suffix}");
            }
        }
        let mut n2 = n;
        let mut e = 0;
        while e < 6 && n2 % 1000 == 0 {
            n2 /= 1000;
            e += 1;
        }
        let suffix = ["", "k", "M", "G", "T", "P", "E"][e];
        return format!("{sign}{n2}{suffix}");
    }
    format!("{sign}{v}m")
}

/// A quantity as written in YAML (string or number), canonicalised; None if it does not parse.
pub fn canonical(v: &Value) -> Option<String> {
    value_amount(v).map(format_amount)
}

fn value_amount(v: &Value) -> Option<Amount> {
    match v {
        Value::String(s) => parse_quantity(s),
        Value::Number(n) => parse_quantity(&n.to_string()),
        _ => None,
    }
}

/// A resource list (`hard`, `used`, a pod's requests) by resource name.
pub type ResourceList = BTreeMap<String, Amount>;

fn list_of(v: Option<&Value>) -> ResourceList {
    let mut out = ResourceList::new();
    if let Some(Value::Mapping(m)) = v {
        for (k, val) in m {
            if let (Some(k), Some(a)) = (k.as_str(), value_amount(val)) {
                out.insert(k.to_string(), a);
            }
        }
    }
    out
}

fn quantities(m: &BTreeMap<String, Quantity>) -> ResourceList {
    crate::sim::sort::map_of(
        m.iter()
            .filter_map(|(k, q)| parse_quantity(&q.0).map(|a| (k.clone(), a))),
    )
}

fn add_lists(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        let cur = a.get(k).copied().unwrap_or_default();
        a.insert(k.clone(), cur.plus(*v));
    }
}

fn max_lists(a: &mut ResourceList, b: &ResourceList) {
    for (k, v) in b {
        match a.get(k) {
            Some(cur) if cur.milli >= v.milli => {}
            _ => {
                a.insert(k.clone(), *v);
            }
        }
    }
}

/// `a=1,b=2`, sorted by name (the plugin's `prettyPrint`).
fn pretty(l: &ResourceList) -> String {
    l.iter()
        .map(|(k, v)| format!("{k}={}", format_amount(*v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The resources whose requests and limits a quota tracking them makes every container state
/// (fact 71; the pod evaluator's `validationSet`).
const COMPUTE: &[&str] = &[
    "cpu",
    "limits.cpu",
    "limits.memory",
    "memory",
    "requests.cpu",
    "requests.memory",
];

/// What a container's requests and limits count for (`podComputeUsageHelper`).
fn compute_usage(requests: &ResourceList, limits: &ResourceList) -> ResourceList {
    let mut out = ResourceList::new();
    for (name, a) in requests {
        match name.as_str() {
            "cpu" | "memory" | "ephemeral-storage" => {
                out.insert(name.clone(), *a);
                out.insert(format!("requests.{name}"), *a);
            }
            n if n.starts_with("hugepages-") => {
                out.insert(format!("requests.{n}"), *a);
            }
            _ => {}
        }
    }
    for (name, a) in limits {
        if matches!(name.as_str(), "cpu" | "memory" | "ephemeral-storage") {
            out.insert(format!("limits.{name}"), *a);
        }
    }
    out
}

/// Whether a pod still counts for compute quota: not Succeeded or Failed, and not past its
/// deletion (kube's `QuotaV1Pod`).
fn pod_counts(pod: &Pod) -> bool {
    !matches!(&*pod.status.phase, "Succeeded" | "Failed")
}

/// A pod's usage (kube's `PodUsageFunc`).
pub fn pod_usage(pod: &Pod) -> ResourceList {
    let mut out = ResourceList::new();
    out.insert("count/pods".into(), Amount::count(1));
    if !pod_counts(pod) {
        return out;
    }
    let (mut requests, mut limits) = (ResourceList::new(), ResourceList::new());
    for c in pod.spec.containers.iter() {
        add_lists(&mut requests, &quantities(&c.resources.requests));
        add_lists(&mut limits, &quantities(&c.resources.limits));
    }
    for c in &pod.spec.init_containers {
        max_lists(&mut requests, &quantities(&c.resources.requests));
        max_lists(&mut limits, &quantities(&c.resources.limits));
    }
    out.insert("pods".into(), Amount::count(1));
    add_lists(&mut out, &compute_usage(&requests, &limits));
    out
}

/// A Service's usage.
pub fn service_usage(svc: &Service) -> ResourceList {
    let mut out = ResourceList::new();
    out.insert("services".into(), Amount::count(1));
    out.insert("count/services".into(), Amount::count(1));
    let ports = svc.spec.ports.len() as i128;
    match svc.spec.type_.as_str() {
        "NodePort" => {
            out.insert("services.nodeports".into(), Amount::count(ports));
        }
        "LoadBalancer" => {
            out.insert("services.loadbalancers".into(), Amount::count(1));
            out.insert("services.nodeports".into(), Amount::count(ports));
        }
        _ => {}
    }
    out
}

/// The legacy quota name of a resource's object count, if it has one.
fn legacy_name(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "configmaps" => "configmaps",
        "secrets" => "secrets",
        "persistentvolumeclaims" => "persistentvolumeclaims",
        "replicationcontrollers" => "replicationcontrollers",
        "resourcequotas" => "resourcequotas",
        _ => return None,
    })
}

/// A stored-only object's usage: its count, and a claim's storage.
pub fn unstructured_usage(resource: &str, obj: &Unstructured) -> ResourceList {
    let mut out = ResourceList::new();
    out.insert(format!("count/{resource}"), Amount::count(1));
    if let Some(l) = legacy_name(resource) {
        out.insert(l.into(), Amount::count(1));
    }
    if resource == "persistentvolumeclaims" {
        if let Some(a) = obj
            .path(&["spec", "resources", "requests", "storage"])
            .and_then(value_amount)
        {
            out.insert("requests.storage".into(), a);
            let class = obj.str_at(&["spec", "storageClassName"]);
            if !class.is_empty() {
                out.insert(
                    format!("{class}.storageclass.storage.k8s.io/requests.storage"),
                    a,
                );
                out.insert(
                    format!("{class}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                    Amount::count(1),
                );
            }
        }
    }
    out
}

/// What is being created, for the plugin and the evaluators.
#[derive(Clone, Copy)]
pub enum Item<'a> {
    Pod(&'a Pod),
    Service(&'a Service),
    Stored(&'a Unstructured),
    /// Any other object: only its `count/…` counts.
    Other,
}

/// The usage of one object of `resource` (`pods`, `deployments.apps`).
pub fn usage(resource: &str, item: Item<'_>) -> ResourceList {
    match item {
        Item::Pod(p) => pod_usage(p),
        Item::Service(s) => service_usage(s),
        Item::Stored(o) => unstructured_usage(resource, o),
        Item::Other => crate::sim::sort::map_of([(format!("count/{resource}"), Amount::count(1))]),
    }
}

const QUOTAS: &str = "resourcequotas";

/// A quota's scopes (`spec.scopes` and the `Exists`/`In` terms of `spec.scopeSelector`).
fn scopes(q: &Unstructured) -> Vec<(String, Vec<String>, String)> {
    let mut out: Vec<(String, Vec<String>, String)> = q
        .path(&["spec", "scopes"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|s| (s.to_string(), Vec::new(), "Exists".to_string()))
        .collect();
    for e in q
        .path(&["spec", "scopeSelector", "matchExpressions"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let name = e.get("scopeName").and_then(Value::as_str).unwrap_or("");
        let op = e.get("operator").and_then(Value::as_str).unwrap_or("");
        let values = e
            .get("values")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        out.push((name.to_string(), values, op.to_string()));
    }
    out
}

fn best_effort(pod: &Pod) -> bool {
    let all = |c: &Container| c.resources.requests.is_empty() && c.resources.limits.is_empty();
    pod.spec.containers.iter().all(all) && pod.spec.init_containers.iter().all(all)
}

/// Whether a quota with scopes applies to this object (only pods match scoped quotas).
fn matches_scopes(q: &Unstructured, item: Item<'_>) -> bool {
    let scopes = scopes(q);
    if scopes.is_empty() {
        return true;
    }
    let Item::Pod(pod) = item else {
        return false;
    };
    scopes.iter().all(|(name, values, op)| {
        let m = match name.as_str() {
            "Terminating" => pod.spec.active_deadline_seconds.is_some(),
            "NotTerminating" => pod.spec.active_deadline_seconds.is_none(),
            "BestEffort" => best_effort(pod),
            "NotBestEffort" => !best_effort(pod),
            "PriorityClass" => match op.as_str() {
                "In" => values.contains(&pod.spec.priority_class_name),
                "NotIn" => !values.contains(&pod.spec.priority_class_name),
                "DoesNotExist" => pod.spec.priority_class_name.is_empty(),
                _ => !pod.spec.priority_class_name.is_empty(),
            },
            _ => false,
        };
        m
    })
}

/// Whether a quota resource is one a scoped quota may track (pods and compute only).
fn pod_resource(name: &str) -> bool {
    name == "pods"
        || name == "count/pods"
        || COMPUTE.contains(&name)
        || name.starts_with("requests.")
        || name.starts_with("limits.")
}

/// The objects of a namespace and what each uses, for a quota's `used`.
fn namespace_usage<'a>(
    store: &'a Store,
    ns: &'a str,
) -> Vec<(String, ResourceList, Option<&'a Pod>)> {
    let mut out = Vec::new();
    for p in store.pods.in_namespace(Some(ns)) {
        out.push(("pods".to_string(), pod_usage(p), Some(p)));
    }
    for s in store.services.in_namespace(Some(ns)) {
        out.push(("services".to_string(), service_usage(s), None));
    }
    macro_rules! count {
        ($($field:ident: $res:literal),*) => {
            $(
                for _ in store.$field.in_namespace(Some(ns)) {
                    out.push(($res.to_string(), usage($res, Item::Other), None));
                }
            )*
        };
    }
    count!(
        deployments: "deployments.apps",
        replicasets: "replicasets.apps",
        daemonsets: "daemonsets.apps",
        statefulsets: "statefulsets.apps",
        jobs: "jobs.batch",
        cronjobs: "cronjobs.batch",
        endpoints: "endpoints",
        endpointslices: "endpointslices.discovery.k8s.io"
    );
    for (resource, table) in &store.unstructured {
        for o in table.in_namespace(Some(ns)) {
            out.push((resource.clone(), unstructured_usage(resource, o), None));
        }
    }
    out
}

/// A quota's hard limits (`spec.hard`, canonical).
fn hard_of(q: &Unstructured) -> ResourceList {
    list_of(q.path(&["spec", "hard"]))
}

/// What a quota's matching objects use now, for each of its hard resources.
fn used_of(q: &Unstructured, objects: &[(String, ResourceList, Option<&Pod>)]) -> ResourceList {
    let hard = hard_of(q);
    let scoped = !scopes(q).is_empty();
    let mut used: ResourceList =
        crate::sim::sort::map_of(hard.keys().map(|k| (k.clone(), Amount::default())));
    for (_, u, pod) in objects {
        if scoped {
            match pod {
                Some(p) if matches_scopes(q, Item::Pod(p)) => {}
                _ => continue,
            }
        }
        for (k, v) in u {
            if let Some(cur) = used.get_mut(k) {
                *cur = cur.plus(*v);
            }
        }
    }
    if scoped {
        used.retain(|k, _| pod_resource(k));
    }
    used
}

fn list_value(l: &ResourceList) -> Value {
    let mut m = Mapping::new();
    for (k, v) in l {
        m.insert(k.clone().into(), format_amount(*v).into());
    }
    Value::Mapping(m)
}

/// What the quota controller reads, as a sum of table revisions (it runs when this moves).
pub fn inputs(store: &Store) -> u64 {
    let typed = store.pods.rev()
        + store.services.rev()
        + store.deployments.rev()
        + store.replicasets.rev()
        + store.daemonsets.rev()
        + store.statefulsets.rev()
        + store.jobs.rev()
        + store.cronjobs.rev()
        + store.endpoints.rev()
        + store.endpointslices.rev();
    typed
        + store
            .unstructured
            .values()
            .map(|t| t.rev() + t.len() as u64)
            .sum::<u64>()
}

/// The quota controller: every ResourceQuota's `status.hard` and `status.used` from what its
/// namespace holds. Level-triggered: a second run writes nothing. Costs nothing without quotas.
pub fn sync_quotas(store: &mut Store) {
    let Some(table) = store.unstructured.get(QUOTAS) else {
        return;
    };
    let quotas: Vec<(String, String)> = table
        .values()
        .map(|q| (q.metadata.namespace.clone(), q.metadata.name.clone()))
        .collect();
    let mut last_ns = String::new();
    let mut statuses = Vec::new();
    {
        let mut objects = Vec::new();
        for (ns, name) in &quotas {
            if *ns != last_ns {
                objects = namespace_usage(store, ns);
                last_ns = ns.clone();
            }
            let Some(q) = store.get_unstructured(QUOTAS, ns, name) else {
                continue;
            };
            let mut hard = hard_of(q);
            if !scopes(q).is_empty() {
                hard.retain(|k, _| pod_resource(k));
            }
            let used = used_of(q, &objects);
            let mut status = Mapping::new();
            status.insert("hard".into(), list_value(&hard));
            status.insert("used".into(), list_value(&used));
            statuses.push((ns.clone(), name.clone(), Value::Mapping(status)));
        }
    }
    for (ns, name, status) in statuses {
        store.set_unstructured_status(QUOTAS, &ns, &name, status);
    }
}

/// Which resources of a quota this object's evaluator tracks (`MatchingResources`).
fn interesting(resource: &str, hard: &ResourceList, item: Item<'_>) -> Vec<String> {
    hard.keys()
        .filter(|k| {
            let k = k.as_str();
            if k == format!("count/{resource}") {
                return true;
            }
            match item {
                Item::Pod(_) => pod_resource(k) || k.starts_with("requests.hugepages-"),
                Item::Service(_) => {
                    matches!(
                        k,
                        "services" | "services.nodeports" | "services.loadbalancers"
                    )
                }
                Item::Stored(_) if resource == "persistentvolumeclaims" => {
                    k == "persistentvolumeclaims"
                        || k == "requests.storage"
                        || k.ends_with(".storageclass.storage.k8s.io/requests.storage")
                        || k.ends_with(".storageclass.storage.k8s.io/persistentvolumeclaims")
                }
                Item::Stored(_) => legacy_name(resource) == Some(k),
                Item::Other => false,
            }
        })
        .cloned()
        .collect()
}

/// The pod evaluator's constraints: every container states what a quota tracks (fact 71).
fn pod_constraints(pod: &Pod, required: &[String]) -> Result<(), String> {
    let required: Vec<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|r| COMPUTE.contains(r))
        .collect();
    if required.is_empty() {
        return Ok(());
    }
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for c in pod
        .spec
        .containers
        .iter()
        .chain(pod.spec.init_containers.iter())
    {
        let have = compute_usage(
            &quantities(&c.resources.requests),
            &quantities(&c.resources.limits),
        );
        for r in &required {
            if !have.contains_key(*r) {
                missing.entry(r).or_default().push(c.name.clone());
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let parts: Vec<String> = missing
        .into_iter()
        .map(|(r, mut names)| {
            crate::sim::sort::natural(&mut names);
            names.dedup();
            format!("{r} for: {}", names.join(","))
        })
        .collect();
    Err(format!("must specify {}", parts.join("; ")))
}

/// The ResourceQuota admission plugin for a new object of `resource` in `ns`; `shown` is the
/// name the error prints (a generateName prefix for controllers' pods, fact 72).
pub fn admit(
    store: &Store,
    resource: &str,
    ns: &str,
    shown: &str,
    item: Item<'_>,
) -> Result<(), ApiError> {
    let Some(table) = store.unstructured.get(QUOTAS) else {
        return Ok(());
    };
    let mut quotas = table.in_namespace(Some(ns)).peekable();
    if quotas.peek().is_none() {
        return Ok(());
    }
    let forbidden = |msg: String| {
        let what = if shown.is_empty() {
            resource.to_string()
        } else {
            format!("{resource} \"{shown}\"")
        };
        ApiError::Forbidden(format!("{what} is forbidden: {msg}"))
    };
    let delta = usage(resource, item);
    let mut objects = None;
    for q in quotas {
        if !matches_scopes(q, item) {
            continue;
        }
        let hard = hard_of(q);
        let wanted = interesting(resource, &hard, item);
        if wanted.is_empty() {
            continue;
        }
        if let Item::Pod(pod) = item {
            if let Err(e) = pod_constraints(pod, &wanted) {
                return Err(forbidden(format!("failed quota: {}: {e}", q.metadata.name)));
            }
        }
        let objects = objects.get_or_insert_with(|| namespace_usage(store, ns));
        let used = used_of(q, objects);
        let mut exceeded = Vec::new();
        for k in &wanted {
            let Some(d) = delta.get(k) else { continue };
            let (Some(h), u) = (hard.get(k), used.get(k).copied().unwrap_or_default()) else {
                continue;
            };
            if u.plus(*d).milli > h.milli {
                exceeded.push(k.clone());
            }
        }
        if !exceeded.is_empty() {
            let mask = |l: &ResourceList| -> ResourceList {
                crate::sim::sort::map_of(
                    exceeded
                        .iter()
                        .map(|k| (k.clone(), l.get(k).copied().unwrap_or_default())),
                )
            };
            return Err(forbidden(format!(
                "exceeded quota: {}, requested: {}, used: {}, limited: {}",
                q.metadata.name,
                pretty(&mask(&delta)),
                pretty(&mask(&used)),
                pretty(&mask(&hard))
            )));
        }
    }
    Ok(())
}

/// The mutating admission of a new typed object: a Pod's requests defaulted from its limits,
/// then LimitRanger's defaults.
pub fn mutate_new<T: Resource>(store: &Store, obj: &mut T) {
    if let Some(pod) = (obj as &mut dyn Any).downcast_mut::<Pod>() {
        super::limitrange::default_requests(pod);
        super::limitrange::default_pod(store, pod);
    }
}

/// Field errors the simulator checks beyond a kind's own: a container's request above its
/// limit (`spec.containers[0].resources.requests: Invalid value: "2": must be less than or
/// equal to cpu limit of 1`).
pub fn validate_new<T: Resource>(obj: &T) -> Vec<super::admission::FieldError> {
    let mut errs = Vec::new();
    if let Some(pod) = (obj as &dyn Any).downcast_ref::<Pod>() {
        let groups = [
            ("containers", pod.spec.containers.iter().collect::<Vec<_>>()),
            ("initContainers", pod.spec.init_containers.iter().collect()),
        ];
        for (field, cs) in groups {
            for (i, c) in cs.iter().enumerate() {
                for (k, r) in &c.resources.requests {
                    let Some(l) = c.resources.limits.get(k) else {
                        continue;
                    };
                    if let (Some(ra), Some(la)) = (parse_quantity(&r.0), parse_quantity(&l.0)) {
                        if ra.milli > la.milli {
                            errs.push(super::admission::FieldError::invalid_str(
                                format!("spec.{field}[{i}].resources.requests"),
                                &r.0,
                                &format!("must be less than or equal to {k} limit of {}", l.0),
                            ));
                        }
                    }
                }
            }
        }
    }
    errs
}

/// The validating admission of a new typed object: LimitRanger's limits, then every quota.
pub fn admit_new<T: Resource>(store: &Store, obj: &T, shown: &str) -> Result<(), ApiError> {
    let resource = T::resource_name();
    let ns = obj.meta().namespace.as_str();
    let any = obj as &dyn Any;
    let item = if let Some(pod) = any.downcast_ref::<Pod>() {
        super::limitrange::validate_pod(store, pod, shown)?;
        Item::Pod(pod)
    } else if let Some(svc) = any.downcast_ref::<Service>() {
        Item::Service(svc)
    } else {
        Item::Other
    };
    if !T::NAMESPACED {
        return Ok(());
    }
    admit(store, &resource, ns, shown, item)
}

pub const QUANTITY_REGEX: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/// A ResourceQuota's or LimitRange's quantities that do not decode: the decoder's error, as
/// the API server answers it (400, `… cannot be handled as a ResourceQuota: quantities must
/// match …`).
pub fn quantity_decoding_error(kind: &str, rest: &Mapping) -> Option<String> {
    let bad = |v: Option<&Value>| -> bool {
        match v {
            Some(Value::Mapping(m)) => m.values().any(|x| match x {
                Value::Null => false,
                other => value_amount(other).is_none(),
            }),
            _ => false,
        }
    };
    let spec = rest.get("spec");
    let found = match kind {
        "ResourceQuota" => bad(spec.and_then(|s| s.get("hard"))),
        "LimitRange" => spec
            .and_then(|s| s.get("limits"))
            .and_then(Value::as_sequence)
            .is_some_and(|items| {
                items.iter().any(|i| {
                    [
                        "max",
                        "min",
                        "default",
                        "defaultRequest",
                        "maxLimitRequestRatio",
                    ]
                    .iter()
                    .any(|k| bad(i.get(*k)))
                })
            }),
        _ => false,
    };
    found.then(|| QUANTITY_REGEX.to_string())
}

/// Field errors of a ResourceQuota's `spec.hard` (negative quantities).
pub fn validate(q: &Unstructured) -> Vec<super::admission::FieldError> {
    let mut errs = Vec::new();
    if let Some(Value::Mapping(m)) = q.path(&["spec", "hard"]) {
        for (k, v) in m {
            let key = k.as_str().unwrap_or("");
            if value_amount(v).is_some_and(|a| a.milli < 0) {
                errs.push(super::admission::FieldError::invalid_str(
                    format!("spec.hard[{key}]"),
                    &canonical(v).unwrap_or_default(),
                    "must be greater than or equal to 0",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Amount {
        parse_quantity(s).unwrap()
    }

    #[test]
    fn quantities_parse_and_print_as_go_does() {
        for (text, shown) in [
            ("500m", "500m"),
            ("1", "1"),
            ("1000m", "1"),
            ("0.5", "500m"),
            ("1.5", "1500m"),
            ("1Gi", "1Gi"),
            ("2048Mi", "2Gi"),
            ("1536Mi", "1536Mi"),
            ("1024", "1024"),
            ("1000", "1k"),
            ("129e6", "129M"),
            ("0", "0"),
            ("100Mi", "100Mi"),
        ] {
            assert_eq!(format_amount(q(text)), shown, "{text}");
        }
        for bad in ["", "x", "1Q", "1.2.3", "--1", "."] {
            assert!(parse_quantity(bad).is_none(), "{bad}");
        }
        // The first non-zero term decides the format (Go's Quantity.Add).
        let sum = Amount::default().plus(q("600Mi")).plus(q("100Mi"));
        assert_eq!(format_amount(sum), "700Mi");
        assert_eq!(format_amount(q("400m").plus(q("1"))), "1400m");
    }

    fn pod(yaml: &str) -> Pod {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn pod_usage_sums_containers_and_ignores_terminal_pods() {
        let mut p = pod("metadata: {name: p}\nspec:\n  containers:\n  - name: a\n    resources: {requests: {cpu: 200m, memory: 100Mi}, limits: {cpu: 1}}\n  - name: b\n    resources: {requests: {cpu: 300m}}\n  initContainers:\n  - name: i\n    resources: {requests: {cpu: '1'}}\n");
        let u = pod_usage(&p);
        assert_eq!(format_amount(u["requests.cpu"]), "1");
        assert_eq!(format_amount(u["cpu"]), "1");
        assert_eq!(format_amount(u["requests.memory"]), "100Mi");
        assert_eq!(format_amount(u["limits.cpu"]), "1");
        assert_eq!(format_amount(u["pods"]), "1");
        p.status.phase = "Succeeded".into();
        let u = pod_usage(&p);
        assert!(!u.contains_key("pods"), "terminal pods do not count");
        assert!(u.contains_key("count/pods"), "count/pods counts every pod");
    }

    /// Fact 71: the containers that miss what a quota tracks, per resource.
    #[test]
    fn constraints_name_the_containers() {
        let p = pod("metadata: {name: p}\nspec:\n  containers:\n  - name: web\n    resources: {requests: {cpu: 200m}}\n  - name: side\n");
        let req: Vec<String> = ["limits.cpu", "requests.cpu", "pods"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            pod_constraints(&p, &req).unwrap_err(),
            "must specify limits.cpu for: side,web; requests.cpu for: side"
        );
    }
}
