//! LimitRange (fact 74): the defaulting of a LimitRange itself (a Container item's `max`
//! becomes its `default`, `default` its `defaultRequest`, then `min`), and the LimitRanger
//! admission plugin: defaults filled into a new pod's containers (with the
//! `kubernetes.io/limit-ranger` annotation), then min / max / maxLimitRequestRatio checked per
//! Container, per Pod and per PersistentVolumeClaim, in the plugin's words.
//!
//! Also here, because it decides what LimitRanger sees: the Pod defaulting that sets a
//! container's request to its limit when only the limit is given.

use super::error::ApiError;
use super::quota::{format_amount, parse_quantity, Amount};
use super::store::Store;
use super::types::{Container, Pod, Quantity};
use super::unstructured::Unstructured;
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

const LIMIT_RANGES: &str = "limitranges";
const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// The API server's Pod defaulting: a resource with a limit and no request is requested at
/// its limit (`SetDefaults_Pod`). Containers shared with a template are copied only if needed.
pub fn default_requests(pod: &mut Pod) {
    fn needs(c: &Container) -> bool {
        c.resources
            .limits
            .keys()
            .any(|k| !c.resources.requests.contains_key(k))
    }
    fn fill(c: &mut Container) {
        for (k, v) in c.resources.limits.clone() {
            c.resources.requests.entry(k).or_insert(v);
        }
    }
    if pod.spec.containers.iter().any(needs) {
        pod.spec
            .containers
            .update(|cs| cs.iter_mut().for_each(fill));
    }
    // Only when there are any: reaching the shared spec fields to change would copy them.
    if !pod.spec.init_containers.is_empty() {
        pod.spec.init_containers.iter_mut().for_each(fill);
    }
}

/// `SetDefaults_LimitRangeItem`, for every Container item of a LimitRange: a missing default
/// is the max, a missing defaultRequest the default, else the min.
pub fn apply_defaults(lr: &mut Unstructured) {
    let Some(Value::Mapping(spec)) = lr.rest.get_mut("spec") else {
        return;
    };
    let Some(Value::Sequence(items)) = spec.get_mut("limits") else {
        return;
    };
    for item in items.iter_mut() {
        let Value::Mapping(item) = item else { continue };
        if item.get("type").and_then(Value::as_str) != Some("Container") {
            continue;
        }
        let get = |item: &Mapping, k: &str| -> Mapping {
            item.get(k)
                .and_then(Value::as_mapping)
                .cloned()
                .unwrap_or_default()
        };
        let max = get(item, "max");
        let min = get(item, "min");
        let mut default = get(item, "default");
        for (k, v) in &max {
            if !default.contains_key(k) {
                default.insert(k.clone(), v.clone());
            }
        }
        let mut request = get(item, "defaultRequest");
        for (k, v) in default.iter().chain(min.iter()) {
            if !request.contains_key(k) {
                request.insert(k.clone(), v.clone());
            }
        }
        if !default.is_empty() {
            item.insert("default".into(), Value::Mapping(default));
        }
        if !request.is_empty() {
            item.insert("defaultRequest".into(), Value::Mapping(request));
        }
    }
}

/// One `spec.limits[]` item, parsed.
#[derive(Debug, Default)]
struct Item {
    type_: String,
    max: BTreeMap<String, (Amount, String)>,
    min: BTreeMap<String, (Amount, String)>,
    default: BTreeMap<String, Value>,
    default_request: BTreeMap<String, Value>,
    ratio: BTreeMap<String, (Amount, String)>,
}

fn amounts(m: Option<&Value>) -> BTreeMap<String, (Amount, String)> {
    let mut out = BTreeMap::new();
    if let Some(Value::Mapping(m)) = m {
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if let Some(a) = parse_quantity(&text) {
                out.insert(k.to_string(), (a, format_amount(a)));
            }
        }
    }
    out
}

fn raw(m: Option<&Value>) -> BTreeMap<String, Value> {
    m.and_then(Value::as_mapping)
        .map(|m| {
            crate::sim::sort::map_of(
                m.iter()
                    .filter_map(|(k, v)| k.as_str().map(|k| (k.to_string(), v.clone()))),
            )
        })
        .unwrap_or_default()
}

fn items(lr: &Unstructured) -> Vec<Item> {
    lr.path(&["spec", "limits"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|i| Item {
            type_: i
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            max: amounts(i.get("max")),
            min: amounts(i.get("min")),
            default: raw(i.get("default")),
            default_request: raw(i.get("defaultRequest")),
            ratio: amounts(i.get("maxLimitRequestRatio")),
        })
        .collect()
}

fn quantity(v: &Value) -> Option<Quantity> {
    match v {
        Value::String(s) => Some(Quantity(s.clone())),
        Value::Number(n) => Some(Quantity(n.to_string())),
        _ => None,
    }
}

/// A resource list of a container as (amount, its text as the client wrote it).
fn of(m: &BTreeMap<String, Quantity>) -> BTreeMap<String, (Amount, String)> {
    crate::sim::sort::map_of(
        m.iter()
            .filter_map(|(k, q)| parse_quantity(&q.0).map(|a| (k.clone(), (a, format_amount(a))))),
    )
}

type List = BTreeMap<String, (Amount, String)>;

fn min_constraint(
    kind: &str,
    res: &str,
    enforced: &(Amount, String),
    req: &List,
    lim: &List,
) -> Option<String> {
    let e = &enforced.1;
    let Some(r) = req.get(res) else {
        return Some(format!(
            "minimum {res} usage per {kind} is {e}.  No request is specified"
        ));
    };
    if r.0.milli < enforced.0.milli {
        return Some(format!(
            "minimum {res} usage per {kind} is {e}, but request is {}",
            r.1
        ));
    }
    if let Some(l) = lim.get(res) {
        if l.0.milli < enforced.0.milli {
            return Some(format!(
                "minimum {res} usage per {kind} is {e}, but limit is {}",
                l.1
            ));
        }
    }
    None
}

fn max_constraint(
    kind: &str,
    res: &str,
    enforced: &(Amount, String),
    req: &List,
    lim: &List,
) -> Option<String> {
    let e = &enforced.1;
    let Some(l) = lim.get(res) else {
        return Some(format!(
            "maximum {res} usage per {kind} is {e}.  No limit is specified"
        ));
    };
    if l.0.milli > enforced.0.milli {
        return Some(format!(
            "maximum {res} usage per {kind} is {e}, but limit is {}",
            l.1
        ));
    }
    if let Some(r) = req.get(res) {
        if r.0.milli > enforced.0.milli {
            return Some(format!(
                "maximum {res} usage per {kind} is {e}, but request is {}",
                r.1
            ));
        }
    }
    None
}

fn max_request_constraint(
    kind: &str,
    res: &str,
    enforced: &(Amount, String),
    req: &List,
) -> Option<String> {
    let e = &enforced.1;
    let Some(r) = req.get(res) else {
        return Some(format!(
            "maximum {res} usage per {kind} is {e}.  No request is specified"
        ));
    };
    if r.0.milli > enforced.0.milli {
        return Some(format!(
            "maximum {res} usage per {kind} is {e}, but request is {}",
            r.1
        ));
    }
    None
}

fn ratio_constraint(
    kind: &str,
    res: &str,
    enforced: &(Amount, String),
    req: &List,
    lim: &List,
) -> Option<String> {
    let e = &enforced.1;
    let r = req.get(res).map(|x| x.0.milli).unwrap_or(0);
    let l = lim.get(res).map(|x| x.0.milli).unwrap_or(0);
    if r == 0 {
        return Some(format!(
            "{res} max limit to request ratio per {kind} is {e}, but no request is specified or request is 0"
        ));
    }
    if l == 0 {
        return Some(format!(
            "{res} max limit to request ratio per {kind} is {e}, but no limit is specified or limit is 0"
        ));
    }
    let observed = l as f64 / r as f64;
    if observed * 1000.0 > enforced.0.milli as f64 {
        return Some(format!(
            "{res} max limit to request ratio per {kind} is {e}, but provided ratio is {observed:.6}"
        ));
    }
    None
}

fn check(kind: &str, item: &Item, req: &List, lim: &List, errs: &mut Vec<String>) {
    for (res, e) in &item.min {
        errs.extend(min_constraint(kind, res, e, req, lim));
    }
    for (res, e) in &item.max {
        errs.extend(max_constraint(kind, res, e, req, lim));
    }
    for (res, e) in &item.ratio {
        errs.extend(ratio_constraint(kind, res, e, req, lim));
    }
}

fn sum(into: &mut List, from: &List) {
    for (k, (a, _)) in from {
        let cur = into.get(k).map(|x| x.0).unwrap_or_default();
        let n = cur.plus(*a);
        into.insert(k.clone(), (n, format_amount(n)));
    }
}

fn forbidden(resource: &str, name: &str, errs: Vec<String>) -> ApiError {
    let msg = if errs.len() == 1 {
        errs.into_iter().next().unwrap_or_default()
    } else {
        let mut seen = Vec::new();
        for e in errs {
            if !seen.contains(&e) {
                seen.push(e);
            }
        }
        format!("[{}]", seen.join(", "))
    };
    let what = if name.is_empty() {
        resource.to_string()
    } else {
        format!("{resource} \"{name}\"")
    };
    // The plugin's message ends with a period (fact 74).
    ApiError::Forbidden(format!("{what} is forbidden: {msg}."))
}

fn ranges(store: &Store, ns: &str) -> Vec<Vec<Item>> {
    store
        .unstructured
        .get(LIMIT_RANGES)
        .map(|t| t.in_namespace(Some(ns)).map(items).collect())
        .unwrap_or_default()
}

/// LimitRanger's mutating half on a new pod: the Container items' defaults, with the
/// `kubernetes.io/limit-ranger` annotation naming what it set.
pub fn default_pod(store: &Store, pod: &mut Pod) {
    let ranges = ranges(store, &pod.metadata.namespace);
    if ranges.is_empty() {
        return;
    }
    // Defaults: the first Container item that has some, as the plugin's defaultContainerResourceRequirements
    // (later LimitRanges' defaults apply to what is still unset).
    let mut notes: Vec<String> = Vec::new();
    for items in &ranges {
        for item in items.iter().filter(|i| i.type_ == "Container") {
            if item.default.is_empty() && item.default_request.is_empty() {
                continue;
            }
            let apply = |c: &mut Container, prefix: &str, notes: &mut Vec<String>| {
                let mut set_req = Vec::new();
                let mut set_lim = Vec::new();
                for (k, v) in &item.default {
                    if !c.resources.limits.contains_key(k) {
                        if let Some(q) = quantity(v) {
                            c.resources.limits.insert(k.clone(), q);
                            set_lim.push(k.clone());
                        }
                    }
                }
                for (k, v) in &item.default_request {
                    if !c.resources.requests.contains_key(k) {
                        if let Some(q) = quantity(v) {
                            c.resources.requests.insert(k.clone(), q);
                            set_req.push(k.clone());
                        }
                    }
                }
                if !set_req.is_empty() {
                    notes.push(format!(
                        "{} request for {prefix} {}",
                        set_req.join(", "),
                        c.name
                    ));
                }
                if !set_lim.is_empty() {
                    notes.push(format!(
                        "{} limit for {prefix} {}",
                        set_lim.join(", "),
                        c.name
                    ));
                }
            };
            let needs = |c: &Container| {
                item.default
                    .keys()
                    .any(|k| !c.resources.limits.contains_key(k))
                    || item
                        .default_request
                        .keys()
                        .any(|k| !c.resources.requests.contains_key(k))
            };
            if pod.spec.containers.iter().any(needs) {
                pod.spec.containers.update(|cs| {
                    for c in cs.iter_mut() {
                        apply(c, "container", &mut notes);
                    }
                });
            }
            if !pod.spec.init_containers.is_empty() {
                for c in pod.spec.init_containers.iter_mut() {
                    apply(c, "init container", &mut notes);
                }
            }
        }
    }
    if !notes.is_empty() {
        pod.metadata.annotations.insert(
            ANNOTATION.into(),
            format!("LimitRanger plugin set: {}", notes.join("; ")),
        );
    }
}

/// LimitRanger's validating half on a new pod: min, max and maxLimitRequestRatio per Container
/// and per Pod (fact 74).
pub fn validate_pod(store: &Store, pod: &Pod, shown: &str) -> Result<(), ApiError> {
    let ranges = ranges(store, &pod.metadata.namespace);
    let mut errs = Vec::new();
    for items in &ranges {
        for item in items {
            match item.type_.as_str() {
                "Container" => {
                    for c in pod
                        .spec
                        .containers
                        .iter()
                        .chain(pod.spec.init_containers.iter())
                    {
                        let (req, lim) = (of(&c.resources.requests), of(&c.resources.limits));
                        check("Container", item, &req, &lim, &mut errs);
                    }
                }
                "Pod" => {
                    let (mut req, mut lim) = (List::new(), List::new());
                    for c in pod.spec.containers.iter() {
                        sum(&mut req, &of(&c.resources.requests));
                        sum(&mut lim, &of(&c.resources.limits));
                    }
                    for c in &pod.spec.init_containers {
                        for (k, v) in of(&c.resources.requests) {
                            if req.get(&k).is_none_or(|x| x.0.milli < v.0.milli) {
                                req.insert(k, v);
                            }
                        }
                        for (k, v) in of(&c.resources.limits) {
                            if lim.get(&k).is_none_or(|x| x.0.milli < v.0.milli) {
                                lim.insert(k, v);
                            }
                        }
                    }
                    check("Pod", item, &req, &lim, &mut errs);
                }
                _ => {}
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(forbidden("pods", shown, errs))
    }
}

/// LimitRanger on a new PersistentVolumeClaim: its storage request against PersistentVolumeClaim
/// items' min and max.
pub fn admit_claim(store: &Store, pvc: &Unstructured) -> Result<(), ApiError> {
    let Some(table) = store.unstructured.get(LIMIT_RANGES) else {
        return Ok(());
    };
    let mut errs = Vec::new();
    let req = amounts(pvc.path(&["spec", "resources", "requests"]));
    let lim = amounts(pvc.path(&["spec", "resources", "limits"]));
    for lr in table.in_namespace(Some(&pvc.metadata.namespace)) {
        for item in items(lr)
            .iter()
            .filter(|i| i.type_ == "PersistentVolumeClaim")
        {
            for (res, e) in &item.min {
                errs.extend(min_constraint("PersistentVolumeClaim", res, e, &req, &lim));
            }
            for (res, e) in &item.max {
                errs.extend(max_request_constraint(
                    "PersistentVolumeClaim",
                    res,
                    e,
                    &req,
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(forbidden(
            "persistentvolumeclaims",
            &pvc.metadata.name,
            errs,
        ))
    }
}

/// The rows of `kubectl describe limitrange`: (type, resource, min, max, default request,
/// default limit, ratio), `-` for what is unset; resources sorted by name.
pub fn describe_rows(lr: &Unstructured) -> Vec<[String; 7]> {
    let mut rows = Vec::new();
    for item in items(lr) {
        let mut names: Vec<&String> = item
            .max
            .keys()
            .chain(item.min.keys())
            .chain(item.default.keys())
            .chain(item.default_request.keys())
            .chain(item.ratio.keys())
            .collect();
        crate::sim::sort::natural(&mut names);
        names.dedup();
        let shown = |m: &BTreeMap<String, (Amount, String)>, k: &str| {
            m.get(k).map(|x| x.1.clone()).unwrap_or_else(|| "-".into())
        };
        let shown_raw = |m: &BTreeMap<String, Value>, k: &str| {
            m.get(k)
                .and_then(super::quota::canonical)
                .unwrap_or_else(|| "-".into())
        };
        for k in names {
            rows.push([
                item.type_.clone(),
                k.clone(),
                shown(&item.min, k),
                shown(&item.max, k),
                shown_raw(&item.default_request, k),
                shown_raw(&item.default, k),
                shown(&item.ratio, k),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::types::ObjectMeta;

    fn lr(yaml: &str) -> Unstructured {
        let mut rest: Mapping = serde_yaml::from_str(yaml).unwrap();
        rest.remove("metadata");
        Unstructured {
            api_version: "v1".into(),
            kind: "LimitRange".into(),
            metadata: ObjectMeta {
                name: "lr".into(),
                namespace: "default".into(),
                ..Default::default()
            },
            rest,
        }
    }

    /// The docs' cpu-constraints LimitRange: max becomes the default limit and request.
    #[test]
    fn container_items_default_from_max_and_min() {
        let mut l = lr(
            "spec:\n  limits:\n  - max: {cpu: 800m}\n    min: {cpu: 200m}\n    type: Container\n",
        );
        apply_defaults(&mut l);
        let rows = describe_rows(&l);
        assert_eq!(
            rows[0],
            ["Container", "cpu", "200m", "800m", "800m", "800m", "-"].map(String::from)
        );
    }

    #[test]
    fn limits_without_requests_request_the_limit() {
        let mut p: Pod = serde_yaml::from_str(
            "metadata: {name: p}\nspec:\n  containers:\n  - name: a\n    resources: {limits: {memory: 1Gi}, requests: {cpu: 100m}}\n",
        )
        .unwrap();
        default_requests(&mut p);
        let r = &p.spec.containers[0].resources.requests;
        assert_eq!(r["memory"].0, "1Gi");
        assert_eq!(r["cpu"].0, "100m");
    }

    /// Fact 74's wording.
    #[test]
    fn max_and_min_texts() {
        let e = (parse_quantity("800m").unwrap(), "800m".to_string());
        let lim: List = [(
            "cpu".to_string(),
            (parse_quantity("1500m").unwrap(), "1500m".into()),
        )]
        .into_iter()
        .collect();
        assert_eq!(
            forbidden(
                "pods",
                "x",
                max_constraint("Container", "cpu", &e, &lim, &lim)
                    .into_iter()
                    .collect()
            )
            .message(),
            "pods \"x\" is forbidden: maximum cpu usage per Container is 800m, but limit is 1500m."
        );
        let e = (parse_quantity("500Mi").unwrap(), "500Mi".to_string());
        let req: List = [(
            "memory".to_string(),
            (parse_quantity("100Mi").unwrap(), "100Mi".into()),
        )]
        .into_iter()
        .collect();
        assert_eq!(
            min_constraint("Container", "memory", &e, &req, &List::new()).unwrap(),
            "minimum memory usage per Container is 500Mi, but request is 100Mi"
        );
    }
}
