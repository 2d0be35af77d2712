//! kubectl over the stored-only kinds (`sim::api::unstructured`): apply/create, get (with
//! printers.go's columns, computed from the raw fields), describe, delete, api-resources.

use super::super::format::{self, table};
use super::super::{Output, Session};
use super::*;
use crate::sim::api::unstructured::{Printer, PrinterColumn};
use crate::sim::clock::Millis;
use serde_yaml::Value;

/// A `kubectl get WORD` resolved: a typed kind, or a stored one.
#[derive(Clone, Debug)]
pub(super) enum Resolved {
    Typed(Kind),
    Stored(Box<KindInfo>),
}

/// Which kind a word names on this cluster. `WORD.group` names a stored kind of that group
/// first (`ingresses.networking.k8s.io`); otherwise the typed kinds come first.
pub(super) fn resolve(store: &Store, word: &str) -> Option<Resolved> {
    let kinds = store.kinds();
    if word.contains('.') {
        if let Some(k) = kinds.by_word(word) {
            return Some(Resolved::Stored(Box::new(k)));
        }
    }
    if let Some(k) = resource_kind(word) {
        return Some(Resolved::Typed(k));
    }
    kinds.by_word(word).map(|k| Resolved::Stored(Box::new(k)))
}

// ---------------------------------------------------------------- apply

/// Create or update one stored object; kubectl's line (`configmap/x created`).
#[allow(clippy::too_many_arguments)]
pub(super) fn write(
    s: &mut Session,
    cluster: usize,
    mut obj: Unstructured,
    ns_flag: Option<&str>,
    default_ns: &str,
    apply: bool,
    dry_run: bool,
    file: &str,
) -> Result<String, String> {
    let Some(info) = s.world.clusters[cluster]
        .store
        .kinds()
        .by_kind(&obj.kind, &obj.api_version)
    else {
        return Err(format!(
            "error: resource mapping not found for name: \"{}\" namespace: \"{}\" from \"{file}\": no matches for kind \"{}\" in version \"{}\"\nensure CRDs are installed first",
            obj.metadata.name, obj.metadata.namespace, obj.kind, obj.api_version
        ));
    };
    if info.namespaced {
        let meta_ns = obj.metadata.namespace.clone();
        match (ns_flag, meta_ns.is_empty()) {
            (Some(flag_ns), false) if flag_ns != meta_ns => {
                return Err(format!(
                    "error: the namespace from the provided object \"{meta_ns}\" does not match the namespace \"{flag_ns}\". You must pass '--namespace={meta_ns}' to perform this operation."
                ))
            }
            (_, true) => obj.metadata.namespace = default_ns.to_string(),
            _ => {}
        }
    } else {
        obj.metadata.namespace.clear();
    }
    if apply {
        // What kubectl apply records: the object as written, its keys sorted as Go's JSON
        // encoder sorts a map, with `"annotations":{}` when there were none.
        let mut as_written = obj.clone();
        as_written.metadata.annotations.remove(LAST_APPLIED);
        let mut value = as_written.to_sorted_value();
        if let Some(Value::Mapping(meta)) = value.get_mut("metadata") {
            if !meta.contains_key("annotations") {
                meta.insert("annotations".into(), Value::Mapping(Default::default()));
            }
        }
        let value = crate::sim::api::unstructured::sorted(&value);
        if let Ok(json) = serde_json::to_string(&value) {
            obj.metadata
                .annotations
                .insert(LAST_APPLIED.into(), format!("{json}\n"));
        }
    }
    let prefix = info.kubectl_prefix();
    let name = obj.metadata.name.clone();
    super::auth::check_write(
        s,
        cluster,
        &info.group,
        &info.plural,
        &info.kind,
        &obj.api_version,
        &obj.metadata.namespace,
        &name,
        apply,
        file,
    )?;
    let w = &mut s.world;
    let now = w.now;
    let c = &mut w.clusters[cluster];
    let ns_key = if info.namespaced {
        obj.metadata.namespace.as_str()
    } else {
        ""
    };
    let existing = if name.is_empty() {
        None
    } else {
        c.store.get_unstructured(&info.resource(), ns_key, &name)
    };
    if let (Some(current), true) = (existing, apply) {
        if dry_run {
            return Ok(format!("{prefix}/{name} configured"));
        }
        let had_annotation = current.metadata.annotations.contains_key(LAST_APPLIED);
        let outcome = c
            .store
            .update_unstructured(&info, &obj, now)
            .map_err(|e| e.kubectl(Some(&format!("error when applying patch to \"{file}\""))))?;
        let word = match outcome {
            WriteOutcome::Unchanged => "unchanged",
            _ => "configured",
        };
        let warn = if had_annotation {
            String::new()
        } else {
            format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", info.plural)
        };
        return Ok(format!("{warn}{prefix}/{name} {word}"));
    }
    if dry_run {
        return Ok(format!("{prefix}/{name} created"));
    }
    let created = c
        .store
        .create_unstructured(&info, obj, now, &mut w.rng)
        .map_err(|e| e.kubectl(Some(&format!("error when creating \"{file}\""))))?;
    Ok(format!("{prefix}/{} created", created.metadata.name))
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

// ---------------------------------------------------------------- get

/// List one stored kind; (body, NotFound errors, whether nothing matched).
pub(super) fn list(
    store: &Store,
    info: &KindInfo,
    q: &get::Query,
) -> Result<(String, Vec<String>, bool), String> {
    let resource = info.resource();
    let table = store.unstructured.get(&resource);
    let mut items: Vec<&Unstructured> = Vec::new();
    let mut errors = Vec::new();
    let ns_key = if info.namespaced {
        q.namespace.as_str()
    } else {
        ""
    };
    if q.names.is_empty() {
        let scope = if info.namespaced {
            q.scope.as_deref()
        } else {
            None
        };
        items = table
            .into_iter()
            .flat_map(|t| t.in_namespace(scope))
            .filter(|o| selector_matches(&q.selector, &o.metadata.labels))
            .filter(|o| {
                fields_match(&q.fields, |f| match f {
                    "metadata.name" => o.metadata.name.clone(),
                    "metadata.namespace" => o.metadata.namespace.clone(),
                    _ => String::new(),
                })
            })
            .collect();
    } else {
        for n in &q.names {
            match table.and_then(|t| t.get(ns_key, n)) {
                Some(o) => items.push(o),
                None => errors.push(format!(
                    "Error from server (NotFound): {resource} \"{n}\" not found"
                )),
            }
        }
    }
    let all_ns = info.namespaced && q.scope.is_none();
    let objs: Vec<Value> = items.iter().map(|o| o.to_sorted_value()).collect();
    let names: Vec<String> = items.iter().map(|o| o.metadata.name.clone()).collect();
    let wide = q.output == "wide";
    let body = get::render(
        &q.output,
        &objs,
        q.names.len() == 1,
        &info.kubectl_prefix(),
        names,
        || {
            let mut header: Vec<String> = Vec::new();
            if all_ns {
                header.push("NAMESPACE".into());
            }
            header.extend(headers(info, wide));
            if q.show_labels {
                header.push("LABELS".into());
            }
            let mut rows = vec![header];
            for o in &items {
                let mut r = Vec::new();
                if all_ns {
                    r.push(o.metadata.namespace.clone());
                }
                r.extend(row(info, o, q.now, wide));
                if q.show_labels {
                    r.push(labels_text(&o.metadata.labels));
                }
                rows.push(r);
            }
            rows
        },
        q.no_headers,
    );
    Ok((body, errors, items.is_empty() && q.names.is_empty()))
}

/// printers.go's column names for a kind (upper-cased as kubectl prints them).
pub(super) fn headers(info: &KindInfo, wide: bool) -> Vec<String> {
    let (cols, wide_cols): (&[&str], &[&str]) = match info.printer {
        Printer::CreatedAt => (&["NAME", "CREATED AT"], &[]),
        Printer::ConfigMap => (&["NAME", "DATA", "AGE"], &[]),
        Printer::Secret => (&["NAME", "TYPE", "DATA", "AGE"], &[]),
        Printer::ServiceAccount => (&["NAME", "SECRETS", "AGE"], &[]),
        Printer::RoleBinding => (
            &["NAME", "ROLE", "AGE"],
            &["USERS", "GROUPS", "SERVICEACCOUNTS"],
        ),
        // Kubernetes 1.33 moved AGE last (kubernetes/kubernetes#129419); 1.31 has it second.
        Printer::ResourceQuota => (&["NAME", "AGE", "REQUEST", "LIMIT"], &[]),
        // kubectl 1.29 and later (1.31 here) print VOLUMEATTRIBUTESCLASS for volumes and claims,
        // `<unset>` without one; fact 69's column lists are older kubectl's.
        Printer::PersistentVolume => (
            &[
                "NAME",
                "CAPACITY",
                "ACCESS MODES",
                "RECLAIM POLICY",
                "STATUS",
                "CLAIM",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "REASON",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Printer::PersistentVolumeClaim => (
            &[
                "NAME",
                "STATUS",
                "VOLUME",
                "CAPACITY",
                "ACCESS MODES",
                "STORAGECLASS",
                "VOLUMEATTRIBUTESCLASS",
                "AGE",
            ],
            &["VOLUMEMODE"],
        ),
        Printer::StorageClass => (
            &[
                "NAME",
                "PROVISIONER",
                "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE",
                "ALLOWVOLUMEEXPANSION",
                "AGE",
            ],
            &[],
        ),
        Printer::Ingress => (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]),
        Printer::IngressClass => (&["NAME", "CONTROLLER", "PARAMETERS", "AGE"], &[]),
        Printer::NetworkPolicy => (&["NAME", "POD-SELECTOR", "AGE"], &[]),
        Printer::HorizontalPodAutoscaler => (
            &[
                "NAME",
                "REFERENCE",
                "TARGETS",
                "MINPODS",
                "MAXPODS",
                "REPLICAS",
                "AGE",
            ],
            &[],
        ),
        Printer::PodDisruptionBudget => (
            &[
                "NAME",
                "MIN AVAILABLE",
                "MAX UNAVAILABLE",
                "ALLOWED DISRUPTIONS",
                "AGE",
            ],
            &[],
        ),
        Printer::PriorityClass => (
            &["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"],
            &[],
        ),
        Printer::RuntimeClass => (&["NAME", "HANDLER", "AGE"], &[]),
        Printer::Webhooks => (&["NAME", "WEBHOOKS", "AGE"], &[]),
        Printer::ValidatingAdmissionPolicy => (&["NAME", "VALIDATIONS", "PARAMKIND", "AGE"], &[]),
        Printer::ValidatingAdmissionPolicyBinding => {
            (&["NAME", "POLICYNAME", "PARAMREF", "AGE"], &[])
        }
        Printer::ReplicationController => (
            &["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            &["CONTAINERS", "IMAGES", "SELECTOR"],
        ),
        Printer::Lease => (&["NAME", "HOLDER", "AGE"], &[]),
        Printer::FlowSchema => (
            &[
                "NAME",
                "PRIORITYLEVEL",
                "MATCHINGPRECEDENCE",
                "DISTINGUISHERMETHOD",
                "AGE",
                "MISSINGPL",
            ],
            &[],
        ),
        Printer::PriorityLevelConfiguration => (
            &[
                "NAME",
                "TYPE",
                "NOMINALCONCURRENCYSHARES",
                "QUEUES",
                "HANDSIZE",
                "QUEUELENGTHLIMIT",
                "AGE",
            ],
            &[],
        ),
        Printer::ControllerRevision => (&["NAME", "CONTROLLER", "REVISION", "AGE"], &[]),
        Printer::Custom => {
            if info.columns.is_empty() {
                return vec!["NAME".into(), "AGE".into()];
            }
            let mut h = vec!["NAME".to_string()];
            h.extend(
                info.columns
                    .iter()
                    .filter(|c| wide || c.priority == 0)
                    .map(|c| c.name.to_ascii_uppercase()),
            );
            return h;
        }
    };
    let mut h: Vec<String> = cols.iter().map(|c| c.to_string()).collect();
    if wide {
        h.extend(wide_cols.iter().map(|c| c.to_string()));
    }
    h
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut v = v;
    for p in path {
        v = v.as_mapping()?.get(*p)?;
    }
    Some(v)
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn count(v: Option<&Value>) -> usize {
    match v {
        Some(Value::Mapping(m)) => m.len(),
        Some(Value::Sequence(s)) => s.len(),
        _ => 0,
    }
}

fn or(s: String, default: &str) -> String {
    if s.is_empty() {
        default.to_string()
    } else {
        s
    }
}

/// `helper.GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order.
fn access_modes(v: Option<&Value>) -> String {
    let modes: Vec<&str> = v
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| modes.contains(m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// `metav1.FormatLabelSelector`: `<none>` for an empty selector.
fn label_selector(v: Option<&Value>) -> String {
    let Some(sel) = v.and_then(Value::as_mapping) else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_mapping) {
        let mut pairs: Vec<(String, String)> = m
            .iter()
            .map(|(k, v)| (text(Some(k)), text(Some(v))))
            .collect();
        crate::sim::sort::natural(&mut pairs);
        parts.extend(pairs.into_iter().map(|(k, v)| format!("{k}={v}")));
    }
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let key = text(e.get("key"));
        let values: Vec<String> = e
            .get("values")
            .and_then(Value::as_sequence)
            .map(|s| s.iter().map(|v| text(Some(v))).collect())
            .unwrap_or_default();
        parts.push(match text(e.get("operator")).as_str() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key,
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other}"),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

/// `loadBalancerStatusStringer` for an Ingress, clipped at 16 bytes unless wide.
fn lb_addresses(v: Option<&Value>, wide: bool) -> String {
    let mut set: Vec<String> = v
        .and_then(|s| s.get("ingress"))
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let ip = text(i.get("ip"));
            if !ip.is_empty() {
                return Some(ip);
            }
            let host = text(i.get("hostname"));
            (!host.is_empty()).then_some(host)
        })
        .collect();
    crate::sim::sort::natural(&mut set);
    set.dedup();
    let r = set.join(",");
    if !wide && r.len() > 16 {
        format!("{}...", r.chars().take(13).collect::<String>())
    } else {
        r
    }
}

/// The cells of one object, as printers.go computes them from its fields.
pub(super) fn row(info: &KindInfo, o: &Unstructured, now: Millis, wide: bool) -> Vec<String> {
    let v = Value::Mapping(o.rest.clone());
    let at = |path: &[&str]| text(get(&v, path));
    let age = format::age(o.metadata.creation_timestamp.as_ref(), now);
    let name = o.metadata.name.clone();
    let deleting = o.metadata.deletion_timestamp.is_some();
    match info.printer {
        Printer::CreatedAt => vec![
            name,
            o.metadata
                .creation_timestamp
                .as_ref()
                .map(|t| t.as_str().into_owned())
                .unwrap_or_default(),
        ],
        Printer::ConfigMap => vec![
            name,
            (count(get(&v, &["data"])) + count(get(&v, &["binaryData"]))).to_string(),
            age,
        ],
        Printer::Secret => vec![
            name,
            at(&["type"]),
            count(get(&v, &["data"])).to_string(),
            age,
        ],
        Printer::ServiceAccount => vec![name, count(get(&v, &["secrets"])).to_string(), age],
        Printer::RoleBinding => {
            let mut r = vec![
                name,
                format!("{}/{}", at(&["roleRef", "kind"]), at(&["roleRef", "name"])),
                age,
            ];
            if wide {
                let (mut users, mut groups, mut sas) = (Vec::new(), Vec::new(), Vec::new());
                for s in get(&v, &["subjects"])
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                {
                    let n = text(s.get("name"));
                    match text(s.get("kind")).as_str() {
                        "User" => users.push(n),
                        "Group" => groups.push(n),
                        "ServiceAccount" => sas.push(format!("{}/{n}", text(s.get("namespace")))),
                        _ => {}
                    }
                }
                r.extend([users.join(", "), groups.join(", "), sas.join(", ")]);
            }
            r
        }
        Printer::ResourceQuota => {
            let hard = get(&v, &["status", "hard"]).and_then(Value::as_mapping);
            let used = get(&v, &["status", "used"]);
            let mut names: Vec<String> = hard
                .map(|h| h.keys().map(|k| text(Some(k))).collect())
                .unwrap_or_default();
            crate::sim::sort::natural(&mut names);
            let (mut req, mut lim) = (Vec::new(), Vec::new());
            for n in names {
                let cell = format!(
                    "{n}: {}/{}",
                    or(text(used.and_then(|u| u.get(n.as_str()))), "0"),
                    text(hard.and_then(|h| h.get(n.as_str())))
                );
                if n.split('.').next() == Some("limits") && n.contains('.') {
                    lim.push(cell);
                } else {
                    req.push(cell);
                }
            }
            vec![name, age, req.join(", "), lim.join(", ")]
        }
        Printer::PersistentVolume => {
            let claim = match get(&v, &["spec", "claimRef"]) {
                Some(c) => format!("{}/{}", text(c.get("namespace")), text(c.get("name"))),
                None => String::new(),
            };
            let class = or(
                at(&["spec", "storageClassName"]),
                o.metadata
                    .annotations
                    .get("volume.beta.kubernetes.io/storage-class")
                    .map(String::as_str)
                    .unwrap_or(""),
            );
            let mut r = vec![
                name,
                at(&["spec", "capacity", "storage"]),
                access_modes(get(&v, &["spec", "accessModes"])),
                at(&["spec", "persistentVolumeReclaimPolicy"]),
                if deleting {
                    "Terminating".into()
                } else {
                    at(&["status", "phase"])
                },
                claim,
                class,
                or(at(&["spec", "volumeAttributesClassName"]), "<unset>"),
                at(&["status", "reason"]),
                age,
            ];
            if wide {
                r.push(or(at(&["spec", "volumeMode"]), "<unset>"));
            }
            r
        }
        Printer::PersistentVolumeClaim => {
            let volume = at(&["spec", "volumeName"]);
            let (capacity, modes) = if volume.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    at(&["status", "capacity", "storage"]),
                    access_modes(get(&v, &["status", "accessModes"])),
                )
            };
            let class = or(
                at(&["spec", "storageClassName"]),
                o.metadata
                    .annotations
                    .get("volume.beta.kubernetes.io/storage-class")
                    .map(String::as_str)
                    .unwrap_or(""),
            );
            let mut r = vec![
                name,
                if deleting {
                    "Terminating".into()
                } else {
                    at(&["status", "phase"])
                },
                volume,
                capacity,
                modes,
                class,
                or(at(&["spec", "volumeAttributesClassName"]), "<unset>"),
                age,
            ];
            if wide {
                r.push(or(at(&["spec", "volumeMode"]), "<unset>"));
            }
            r
        }
        Printer::StorageClass => {
            let default = [
                "storageclass.kubernetes.io/is-default-class",
                "storageclass.beta.kubernetes.io/is-default-class",
            ]
            .iter()
            .any(|a| o.metadata.annotations.get(*a).map(String::as_str) == Some("true"));
            vec![
                if default {
                    format!("{name} (default)")
                } else {
                    name
                },
                at(&["provisioner"]),
                or(at(&["reclaimPolicy"]), "Delete"),
                or(at(&["volumeBindingMode"]), "Immediate"),
                or(at(&["allowVolumeExpansion"]), "false"),
                age,
            ]
        }
        Printer::Ingress => {
            // formatHosts: the first three hosts, then `+ N more...`; `*` when none.
            let rules: Vec<&Value> = get(&v, &["spec", "rules"])
                .and_then(Value::as_sequence)
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            let mut hosts = Vec::new();
            let mut more = false;
            for r in &rules {
                if hosts.len() == 3 {
                    more = true;
                }
                let h = text(r.get("host"));
                if !more && !h.is_empty() {
                    hosts.push(h);
                }
            }
            let hosts = if hosts.is_empty() {
                "*".to_string()
            } else if more {
                format!("{} + {} more...", hosts.join(","), rules.len() - 3)
            } else {
                hosts.join(",")
            };
            vec![
                name,
                or(at(&["spec", "ingressClassName"]), "<none>"),
                hosts,
                lb_addresses(get(&v, &["status", "loadBalancer"]), wide),
                if count(get(&v, &["spec", "tls"])) > 0 {
                    "80, 443".into()
                } else {
                    "80".into()
                },
                age,
            ]
        }
        Printer::IngressClass => {
            let params = match get(&v, &["spec", "parameters"]) {
                Some(p) => {
                    let mut s = text(p.get("kind"));
                    let group = text(p.get("apiGroup"));
                    if p.get("apiGroup").is_some() {
                        s = format!("{s}.{group}");
                    }
                    format!("{s}/{}", text(p.get("name")))
                }
                None => "<none>".into(),
            };
            vec![name, at(&["spec", "controller"]), params, age]
        }
        Printer::NetworkPolicy => {
            vec![name, label_selector(get(&v, &["spec", "podSelector"])), age]
        }
        Printer::HorizontalPodAutoscaler => {
            let reference = format!(
                "{}/{}",
                at(&["spec", "scaleTargetRef", "kind"]),
                at(&["spec", "scaleTargetRef", "name"])
            );
            vec![
                name,
                reference,
                hpa_targets(&o.api_version, &v),
                or(at(&["spec", "minReplicas"]), "<unset>"),
                at(&["spec", "maxReplicas"]),
                or(at(&["status", "currentReplicas"]), "0"),
                age,
            ]
        }
        Printer::PodDisruptionBudget => vec![
            name,
            or(at(&["spec", "minAvailable"]), "N/A"),
            or(at(&["spec", "maxUnavailable"]), "N/A"),
            or(at(&["status", "disruptionsAllowed"]), "0"),
            age,
        ],
        Printer::PriorityClass => vec![
            name,
            or(at(&["value"]), "0"),
            or(at(&["globalDefault"]), "false"),
            age,
            or(at(&["preemptionPolicy"]), "PreemptLowerPriority"),
        ],
        Printer::RuntimeClass => vec![name, at(&["handler"]), age],
        Printer::Webhooks => vec![name, count(get(&v, &["webhooks"])).to_string(), age],
        Printer::ValidatingAdmissionPolicy => {
            let param = match get(&v, &["spec", "paramKind"]) {
                Some(p) => format!("{}/{}", text(p.get("apiVersion")), text(p.get("kind"))),
                None => "<unset>".into(),
            };
            vec![
                name,
                count(get(&v, &["spec", "validations"])).to_string(),
                param,
                age,
            ]
        }
        Printer::ValidatingAdmissionPolicyBinding => {
            let param = match get(&v, &["spec", "paramRef"]) {
                Some(p) if !text(p.get("name")).is_empty() => match text(p.get("namespace")) {
                    ns if ns.is_empty() => format!("*/{}", text(p.get("name"))),
                    ns => format!("{ns}/{}", text(p.get("name"))),
                },
                Some(p) if p.get("selector").is_some() => label_selector(p.get("selector")),
                _ => "<unset>".into(),
            };
            vec![name, at(&["spec", "policyName"]), param, age]
        }
        Printer::ReplicationController => {
            let mut r = vec![
                name,
                or(at(&["spec", "replicas"]), "1"),
                or(at(&["status", "replicas"]), "0"),
                or(at(&["status", "readyReplicas"]), "0"),
                age,
            ];
            if wide {
                let containers: Vec<&Value> = get(&v, &["spec", "template", "spec", "containers"])
                    .and_then(Value::as_sequence)
                    .map(|s| s.iter().collect())
                    .unwrap_or_default();
                let names: Vec<String> = containers.iter().map(|c| text(c.get("name"))).collect();
                let images: Vec<String> = containers.iter().map(|c| text(c.get("image"))).collect();
                let selector = get(&v, &["spec", "selector"])
                    .and_then(Value::as_mapping)
                    .map(|m| {
                        let mut pairs: Vec<String> = m
                            .iter()
                            .map(|(k, v)| format!("{}={}", text(Some(k)), text(Some(v))))
                            .collect();
                        crate::sim::sort::natural(&mut pairs);
                        pairs.join(",")
                    })
                    .unwrap_or_default();
                r.extend([names.join(","), images.join(","), or(selector, "<none>")]);
            }
            r
        }
        Printer::Lease => vec![name, at(&["spec", "holderIdentity"]), age],
        Printer::FlowSchema => {
            let missing = get(&v, &["status", "conditions"])
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .find(|c| text(c.get("type")) == "Dangling")
                .map(|c| text(c.get("status")))
                .unwrap_or_else(|| "?".into());
            vec![
                name,
                at(&["spec", "priorityLevelConfiguration", "name"]),
                at(&["spec", "matchingPrecedence"]),
                or(at(&["spec", "distinguisherMethod", "type"]), "<none>"),
                age,
                missing,
            ]
        }
        Printer::PriorityLevelConfiguration => {
            let limited = |k: &str| or(at(&["spec", "limited", k]), "<none>");
            let queuing = |k: &str| {
                or(
                    at(&["spec", "limited", "limitResponse", "queuing", k]),
                    "<none>",
                )
            };
            vec![
                name,
                at(&["spec", "type"]),
                limited("nominalConcurrencyShares"),
                queuing("queues"),
                queuing("handSize"),
                queuing("queueLengthLimit"),
                age,
            ]
        }
        Printer::ControllerRevision => {
            let controller = o
                .metadata
                .owner_references
                .iter()
                .find(|r| r.controller == Some(true))
                .map(|r| {
                    let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
                    let kind = r.kind.to_ascii_lowercase();
                    if group.is_empty() {
                        format!("{kind}/{}", r.name)
                    } else {
                        format!("{kind}.{group}/{}", r.name)
                    }
                })
                .unwrap_or_else(|| "<none>".into());
            vec![name, controller, at(&["revision"]), age]
        }
        Printer::Custom => {
            if info.columns.is_empty() {
                return vec![name, age];
            }
            let whole = serde_yaml::to_value(o).unwrap_or(Value::Null);
            let mut r = vec![name];
            for c in info.columns.iter().filter(|c| wide || c.priority == 0) {
                r.push(custom_cell(c, &whole, now));
            }
            r
        }
    }
}

/// HPA TARGETS for resource metrics (`cpu: <unknown>/50%`, as kubectl ≥ 1.27 prints them
/// with the metric's name); other metric types print `<unknown>/TARGET`. Not verified against
/// every metric type of printers.go's formatHPAMetrics.
fn hpa_targets(api_version: &str, v: &Value) -> String {
    if api_version == "autoscaling/v1" {
        return match text(get(v, &["spec", "targetCPUUtilizationPercentage"])) {
            t if t.is_empty() => "cpu: <unknown>/80%".into(),
            t => format!("cpu: <unknown>/{t}%"),
        };
    }
    let metrics: Vec<&Value> = get(v, &["spec", "metrics"])
        .and_then(Value::as_sequence)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    if metrics.is_empty() {
        return "<none>".into();
    }
    let list: Vec<String> = metrics
        .iter()
        .map(|m| {
            let target = |base: &Value| {
                let t = base.get("target");
                match text(t.and_then(|t| t.get("type"))).as_str() {
                    "Utilization" => {
                        format!("{}%", text(t.and_then(|t| t.get("averageUtilization"))))
                    }
                    "AverageValue" => text(t.and_then(|t| t.get("averageValue"))),
                    _ => text(t.and_then(|t| t.get("value"))),
                }
            };
            match text(m.get("type")).as_str() {
                "Resource" => {
                    let r = m.get("resource").cloned().unwrap_or(Value::Null);
                    format!("{}: <unknown>/{}", text(r.get("name")), target(&r))
                }
                "ContainerResource" => {
                    let r = m.get("containerResource").cloned().unwrap_or(Value::Null);
                    format!("{}: <unknown>/{}", text(r.get("name")), target(&r))
                }
                kind => {
                    let key = match kind {
                        "Pods" => "pods",
                        "Object" => "object",
                        _ => "external",
                    };
                    let r = m.get(key).cloned().unwrap_or(Value::Null);
                    format!("<unknown>/{}", target(&r))
                }
            }
        })
        .collect();
    list.join(", ")
}

/// A custom column: its JSONPath over the object, formatted by type.
fn custom_cell(c: &PrinterColumn, obj: &Value, now: Millis) -> String {
    let found = json_path(obj, &c.json_path);
    let Some(v) = found.first() else {
        return String::new();
    };
    match (c.type_.as_str(), v) {
        ("date", Value::String(s)) => match crate::sim::clock::parse_rfc3339(s) {
            Some(t) => crate::sim::clock::human_duration(now.saturating_sub(t)),
            None => s.clone(),
        },
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, Value::Null) => String::new(),
        (_, other) => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The JSONPath subset CRDs' printer columns use: `.a.b`, `.a[0]`, `.a[*].b` and
/// `.a[?(@.type=="Ready")].status`.
pub(super) fn json_path(v: &Value, path: &str) -> Vec<Value> {
    let mut current = vec![v.clone()];
    let mut rest = path.trim().trim_start_matches('{').trim_end_matches('}');
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let key = &r[..end];
            rest = &r[end..];
            if key.is_empty() {
                continue;
            }
            current = current
                .iter()
                .filter_map(|x| x.as_mapping().and_then(|m| m.get(key)).cloned())
                .collect();
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = r.find(']') else {
                return Vec::new();
            };
            let inner = &r[..end];
            rest = &r[end + 1..];
            let items: Vec<Value> = current
                .iter()
                .filter_map(|x| x.as_sequence().cloned())
                .flatten()
                .collect();
            current = if inner == "*" {
                items
            } else if let Ok(i) = inner.parse::<usize>() {
                items.get(i).cloned().into_iter().collect()
            } else if let Some(f) = inner.strip_prefix("?(@.").and_then(|f| f.strip_suffix(')')) {
                let (field, want) = match f.split_once("==") {
                    Some((a, b)) => (a.trim(), b.trim().trim_matches(['"', '\''])),
                    None => (f.trim(), ""),
                };
                items
                    .into_iter()
                    .filter(|i| {
                        let got = text(i.get(field));
                        if want.is_empty() {
                            i.get(field).is_some()
                        } else {
                            got == want
                        }
                    })
                    .collect()
            } else {
                Vec::new()
            };
        } else {
            return Vec::new();
        }
        if current.is_empty() {
            break;
        }
    }
    current
}

// ---------------------------------------------------------------- describe

/// `kubectl describe` of stored objects: ConfigMap, Secret and ServiceAccount with kubectl's
/// own describers; every other kind with kubectl's generic describer (which custom resources
/// get in real kubectl; built-in kinds have describers of their own there, not written yet).
/// `kubectl describe ingress`: addresses, class, default backend and a table of rules with
/// each backend's ready endpoints (describe.go's IngressDescriber).
fn describe_ingress(store: &Store, o: &Unstructured) -> String {
    let m = &o.metadata;
    let v = Value::Mapping(o.rest.clone());
    let mut out = format!("Name:\t{}\n", m.name);
    describe::map_lines(&mut out, "", "Labels", &m.labels, "=");
    out.push_str(&format!("Namespace:\t{}\n", m.namespace));
    let addresses: Vec<String> = get(&v, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|i| {
            let ip = text(i.get("ip"));
            if ip.is_empty() {
                text(i.get("hostname"))
            } else {
                ip
            }
        })
        .collect();
    out.push_str(&format!("Address:\t{}\n", addresses.join(",")));
    out.push_str(&format!(
        "Ingress Class:\t{}\n",
        or(text(get(&v, &["spec", "ingressClassName"])), "<none>")
    ));
    let backend = |b: Option<&Value>| -> String {
        let Some(svc) = b.and_then(|b| b.get("service")) else {
            return match b.and_then(|b| b.get("resource")) {
                Some(r) => format!(
                    "APIGroup: {}, Kind: {}, Name: {}",
                    text(r.get("apiGroup")),
                    text(r.get("kind")),
                    text(r.get("name"))
                ),
                None => "<default>".into(),
            };
        };
        let name = text(svc.get("name"));
        let port = svc.get("port");
        let number = port.and_then(|p| p.get("number")).and_then(Value::as_i64);
        let pname = text(port.and_then(|p| p.get("name")));
        let port_text = number.map(|n| n.to_string()).unwrap_or(pname.clone());
        let eps = match (
            store.services.get(&m.namespace, &name),
            store.endpoints.get(&m.namespace, &name),
        ) {
            (Some(s), Some(e)) => {
                let sp = s.spec.ports.iter().find(|p| match number {
                    Some(n) => p.port == n,
                    None => p.name == pname,
                });
                let mut list: Vec<String> = Vec::new();
                for ss in &e.subsets {
                    for a in &ss.addresses {
                        for p in &ss.ports {
                            if sp.is_some_and(|sp| sp.name == p.name) {
                                list.push(format!("{}:{}", a.ip, p.port));
                            }
                        }
                    }
                }
                if list.is_empty() {
                    "<none>".to_string()
                } else {
                    list.join(",")
                }
            }
            (None, _) => format!("<error: services \"{name}\" not found>"),
            (Some(_), None) => format!("<error: endpoints \"{name}\" not found>"),
        };
        format!("{name}:{port_text} ({eps})")
    };
    out.push_str(&format!(
        "Default backend:\t{}\n",
        backend(get(&v, &["spec", "defaultBackend"]))
    ));
    let tls: Vec<(String, Vec<String>)> = get(&v, &["spec", "tls"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|t| {
            (
                text(t.get("secretName")),
                t.get("hosts")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .map(|h| text(Some(h)))
                    .collect(),
            )
        })
        .collect();
    if !tls.is_empty() {
        out.push_str("TLS:\n");
        for (secret, hosts) in &tls {
            let secret = if secret.is_empty() {
                "SNI routes"
            } else {
                secret
            };
            out.push_str(&format!("  {secret} terminates {}\n", hosts.join(",")));
        }
    }
    out.push_str("Rules:\n  Host\tPath\tBackends\n  ----\t----\t--------\n");
    let rules: Vec<&Value> = get(&v, &["spec", "rules"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .collect();
    if rules.is_empty() {
        out.push_str(&format!(
            "  *\t*\t{}\n",
            backend(get(&v, &["spec", "defaultBackend"]))
        ));
    }
    for r in rules {
        let host = or(text(r.get("host")), "*");
        out.push_str(&format!("  {host}\t\n"));
        for p in r
            .get("http")
            .and_then(|h| h.get("paths"))
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            out.push_str(&format!(
                "    \t{} \t{}\n",
                text(p.get("path")),
                backend(p.get("backend"))
            ));
        }
    }
    describe::map_lines(&mut out, "", "Annotations", &m.annotations, ": ");
    out.push_str("Events:\t<none>\n");
    out
}

pub(super) fn describe(store: &Store, o: &Unstructured) -> String {
    if let Some(text) = super::quota::describe(o).or_else(|| super::auth::describe(o)) {
        return text;
    }
    if o.kind == "Ingress" && o.api_version.starts_with("networking.k8s.io/") {
        return describe_ingress(store, o);
    }
    let m = &o.metadata;
    let mut out = format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace);
    describe::labels_and_annotations(&mut out, m);
    let v = Value::Mapping(o.rest.clone());
    match o.kind.as_str() {
        "ConfigMap" => {
            out.push_str("\nData\n====\n");
            for (k, val) in entries(get(&v, &["data"])) {
                out.push_str(&format!("{k}:\n----\n{}\n", text(Some(&val))));
            }
            out.push_str("\nBinaryData\n====\n");
            for (k, val) in entries(get(&v, &["binaryData"])) {
                let n = crate::sim::api::unstructured::base64_decode(&text(Some(&val)))
                    .map(|b| b.len())
                    .unwrap_or(0);
                out.push_str(&format!("{k}: {n} bytes\n"));
            }
            out.push_str("\nEvents:\t<none>\n");
        }
        "Secret" => {
            out.push_str(&format!(
                "\nType:\t{}\n\nData\n====\n",
                text(get(&v, &["type"]))
            ));
            for (k, val) in entries(get(&v, &["data"])) {
                let n = crate::sim::api::unstructured::base64_decode(&text(Some(&val)))
                    .map(|b| b.len())
                    .unwrap_or(0);
                out.push_str(&format!("{k}:\t{n} bytes\n"));
            }
        }
        "ServiceAccount" => {
            let names = |key: &str| -> String {
                let list: Vec<String> = get(&v, &[key])
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .map(|s| text(s.get("name")))
                    .collect();
                if list.is_empty() {
                    "<none>".into()
                } else {
                    list.join("\n\t")
                }
            };
            out.push_str(&format!(
                "Image pull secrets:\t{}\nMountable secrets:\t{}\nTokens:\t<none>\nEvents:\t<none>\n",
                names("imagePullSecrets"),
                names("secrets")
            ));
        }
        _ => {
            // printUnstructuredContent over the whole object, metadata's own lines skipped.
            let mut whole = serde_yaml::Mapping::new();
            whole.insert("apiVersion".into(), o.api_version.clone().into());
            whole.insert("kind".into(), o.kind.clone().into());
            if let Ok(Value::Mapping(mut meta)) = serde_yaml::to_value(m) {
                for k in [
                    "name",
                    "namespace",
                    "labels",
                    "annotations",
                    "managedFields",
                ] {
                    meta.remove(k);
                }
                if !meta.is_empty() {
                    whole.insert("metadata".into(), Value::Mapping(meta));
                }
            }
            for (k, val) in &o.rest {
                whole.insert(k.clone(), val.clone());
            }
            unstructured_content(&mut out, 0, &whole);
            out.push_str("Events:\t<none>\n");
        }
    }
    out
}

fn entries(v: Option<&Value>) -> Vec<(String, Value)> {
    let mut e: Vec<(String, Value)> = v
        .and_then(Value::as_mapping)
        .map(|m| m.iter().map(|(k, v)| (text(Some(k)), v.clone())).collect())
        .unwrap_or_default();
    crate::sim::sort::by(&mut e, |a, b| a.0.cmp(&b.0));
    e
}

/// kubectl's printUnstructuredContent: keys sorted, mappings and lists indented by two.
fn unstructured_content(out: &mut String, level: usize, content: &serde_yaml::Mapping) {
    let indent = "  ".repeat(level);
    for (k, v) in entries(Some(&Value::Mapping(content.clone()))) {
        let label = smart_label(&k);
        match &v {
            Value::Mapping(m) => {
                out.push_str(&format!("{indent}{label}:\n"));
                unstructured_content(out, level + 1, m);
            }
            Value::Sequence(items) => {
                out.push_str(&format!("{indent}{label}:\n"));
                for item in items {
                    match item {
                        Value::Mapping(m) => unstructured_content(out, level + 1, m),
                        other => out.push_str(&format!("{indent}  {}\n", go_value(other))),
                    }
                }
            }
            other => out.push_str(&format!("{indent}{label}:\t{}\n", go_value(other))),
        }
    }
}

/// A scalar as Go's `%v` prints it from decoded JSON.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Tagged(t) => go_value(&t.value),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// kubectl's smartLabelFor: `creationTimestamp` → `Creation Timestamp`, `uid` → `UID`; a key
/// with anything but letters and `-` is printed as it is.
pub(super) fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') || field.is_empty() {
        return field.to_string();
    }
    // fatih/camelcase.Split: runs of one character class; an upper-case run followed by a
    // lower-case one gives its last letter to the lower-case run (`HTTPServer` → HTTP Server).
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else {
            3
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in field.chars() {
        let k = class(c);
        if k == last {
            if let Some(r) = runs.last_mut() {
                r.push(c);
            }
        } else {
            runs.push(vec![c]);
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        if runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase())
        {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    let parts: Vec<String> = runs
        .into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect::<String>())
        .collect();
    parts
        .iter()
        .map(|p| {
            let upper = p.to_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&upper.as_str()) {
                upper
            } else {
                let mut cs = p.chars();
                match cs.next() {
                    Some(f) => f.to_uppercase().chain(cs).collect(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which stored objects a describe names: exact names, then by prefix (as kubectl does), or
/// all that match the selector.
pub(super) fn pick<'a>(
    store: &'a Store,
    info: &KindInfo,
    ns: &'a str,
    all_namespaces: bool,
    names: &[String],
    sel: &[(String, String, String)],
) -> Result<Vec<&'a Unstructured>, String> {
    let resource = info.resource();
    let table = store.unstructured.get(&resource);
    let scope = (info.namespaced && !(all_namespaces && names.is_empty())).then_some(ns);
    let key_ns = if info.namespaced { ns } else { "" };
    if names.is_empty() {
        return Ok(table
            .into_iter()
            .flat_map(|t| t.in_namespace(scope))
            .filter(|o| selector_matches(sel, &o.metadata.labels))
            .collect());
    }
    let mut out = Vec::new();
    for n in names {
        if let Some(o) = table.and_then(|t| t.get(key_ns, n)) {
            out.push(o);
            continue;
        }
        let prefixed: Vec<&Unstructured> = table
            .into_iter()
            .flat_map(|t| t.in_namespace(scope))
            .filter(|o| o.metadata.name.starts_with(n.as_str()))
            .collect();
        if prefixed.is_empty() {
            return Err(format!(
                "Error from server (NotFound): {resource} \"{n}\" not found"
            ));
        }
        out.extend(prefixed);
    }
    Ok(out)
}

// ---------------------------------------------------------------- api-resources

/// `kubectl api-resources`: the typed kinds, then the stored ones, grouped as discovery
/// orders them (the core group first), then the kinds CRDs registered.
pub(super) fn api_resources(store: &Store) -> Output {
    type Row = (String, String, String, bool, String);
    let typed: &[(&str, &str, &str, &str, bool, &str)] = &[
        ("", "endpoints", "ep", "v1", true, "Endpoints"),
        ("", "events", "ev", "v1", true, "Event"),
        ("", "namespaces", "ns", "v1", false, "Namespace"),
        ("", "nodes", "no", "v1", false, "Node"),
        ("", "pods", "po", "v1", true, "Pod"),
        ("", "services", "svc", "v1", true, "Service"),
        ("apps", "daemonsets", "ds", "apps/v1", true, "DaemonSet"),
        (
            "apps",
            "deployments",
            "deploy",
            "apps/v1",
            true,
            "Deployment",
        ),
        ("apps", "replicasets", "rs", "apps/v1", true, "ReplicaSet"),
        (
            "apps",
            "statefulsets",
            "sts",
            "apps/v1",
            true,
            "StatefulSet",
        ),
        ("batch", "cronjobs", "cj", "batch/v1", true, "CronJob"),
        ("batch", "jobs", "", "batch/v1", true, "Job"),
        (
            "discovery.k8s.io",
            "endpointslices",
            "",
            "discovery.k8s.io/v1",
            true,
            "EndpointSlice",
        ),
    ];
    let order = [
        "",
        "apps",
        "autoscaling",
        "batch",
        "networking.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "scheduling.k8s.io",
        "coordination.k8s.io",
        "node.k8s.io",
        "discovery.k8s.io",
        "flowcontrol.apiserver.k8s.io",
    ];
    let mut rows: Vec<(usize, Row)> = Vec::new();
    for (group, plural, short, version, namespaced, kind) in typed {
        let at = order.iter().position(|g| g == group).unwrap_or(order.len());
        rows.push((
            at,
            (
                plural.to_string(),
                short.to_string(),
                version.to_string(),
                *namespaced,
                kind.to_string(),
            ),
        ));
    }
    let kinds = store.kinds();
    for k in kinds.all() {
        let at = if k.crd.is_some() {
            order.len() + 1
        } else {
            order
                .iter()
                .position(|g| *g == k.group)
                .unwrap_or(order.len())
        };
        rows.push((
            at,
            (
                k.plural.clone(),
                k.short_names.join(","),
                k.api_version(k.versions.first().map(String::as_str).unwrap_or("v1")),
                k.namespaced,
                k.kind.clone(),
            ),
        ));
    }
    // Within a group, by resource name; custom groups by group name.
    crate::sim::sort::by(&mut rows, |a, b| {
        let group = |r: &Row| {
            r.2.rsplit_once('/')
                .map(|(g, _)| g.to_string())
                .unwrap_or_default()
        };
        (a.0, group(&a.1), &a.1 .0).cmp(&(b.0, group(&b.1), &b.1 .0))
    });
    let mut table_rows = vec![["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
        .map(String::from)
        .to_vec()];
    for (_, (plural, short, version, namespaced, kind)) in rows {
        table_rows.push(vec![plural, short, version, namespaced.to_string(), kind]);
    }
    Output::ok(table(&table_rows).trim_end().to_string())
}
