//! `kubectl delete`.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::*;
use crate::manifest::{self, ApiObject};
use crate::sim::api::*;

pub(super) fn delete(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("filename", Some('f'), true),
            flag("recursive", Some('R'), false),
            flag("selector", Some('l'), true),
            flag("all", None, false),
            flag("all-namespaces", Some('A'), false),
            flag("grace-period", None, true),
            flag("force", None, false),
            flag("now", None, false),
            flag("wait", None, true),
            flag("cascade", None, true),
            flag("ignore-not-found", None, false),
            flag("timeout", None, true),
        ],
    )?;
    let cluster = target(s, &p)?;
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let ns = namespace_of(s, &p, cluster);
    let mut grace: Option<i64> = match p.value("grace-period") {
        Some(g) => Some(g.parse().map_err(|_| format!("error: invalid argument \"{g}\" for \"--grace-period\" flag: strconv.ParseInt: parsing \"{g}\": invalid syntax"))?),
        None => None,
    };
    if p.bool("now") {
        grace = Some(1);
    }
    if p.bool("force") && grace == Some(0) {
        grace = Some(0);
    }
    // Targets: (kind, namespace, name); stored-only ones apart, by resource.
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut stored: Vec<(KindInfo, String, String)> = Vec::new();
    let mut errors = Vec::new();
    if !p.all("filename").is_empty() {
        for (file, text) in super::apply::read_sources(s, &p, stdin)? {
            let kinds = s.world.clusters[cluster].store.kinds();
            match manifest::parse_each(&text, kinds) {
                Ok(docs) => {
                    for d in docs {
                        let d = match d {
                            Ok(d) => d,
                            Err(e) => {
                                errors.push(e.kubectl(&file));
                                continue;
                            }
                        };
                        if let ApiObject::Unstructured(o) = &d.object {
                            if let Some(info) = kinds.by_kind(&o.kind, &o.api_version) {
                                let obj_ns =
                                    match (info.namespaced, o.metadata.namespace.is_empty()) {
                                        (false, _) => String::new(),
                                        (true, true) => ns.clone(),
                                        (true, false) => o.metadata.namespace.clone(),
                                    };
                                stored.push((info, obj_ns, o.metadata.name.clone()));
                            }
                            continue;
                        }
                        let (kind, obj_ns) = match &d.object {
                            ApiObject::Pod(o) => (Kind::Pods, o.metadata.namespace.clone()),
                            ApiObject::Namespace(_) => (Kind::Namespaces, String::new()),
                            ApiObject::Node(_) => (Kind::Nodes, String::new()),
                            ApiObject::Deployment(o) => {
                                (Kind::Deployments, o.metadata.namespace.clone())
                            }
                            ApiObject::ReplicaSet(o) => {
                                (Kind::ReplicaSets, o.metadata.namespace.clone())
                            }
                            ApiObject::DaemonSet(o) => {
                                (Kind::DaemonSets, o.metadata.namespace.clone())
                            }
                            ApiObject::Job(o) => (Kind::Jobs, o.metadata.namespace.clone()),
                            ApiObject::StatefulSet(o) => {
                                (Kind::StatefulSets, o.metadata.namespace.clone())
                            }
                            ApiObject::CronJob(o) => (Kind::CronJobs, o.metadata.namespace.clone()),
                            ApiObject::Service(o) => (Kind::Services, o.metadata.namespace.clone()),
                            ApiObject::Endpoints(o) => {
                                (Kind::Endpoints, o.metadata.namespace.clone())
                            }
                            ApiObject::EndpointSlice(o) => {
                                (Kind::EndpointSlices, o.metadata.namespace.clone())
                            }
                            ApiObject::Unstructured(_) => continue,
                        };
                        let obj_ns = if obj_ns.is_empty() {
                            ns.clone()
                        } else {
                            obj_ns
                        };
                        targets.push((kind, obj_ns, d.object.name().to_string()));
                    }
                }
                Err(e) => errors.push(e.kubectl(&file)),
            }
        }
    } else {
        let Some(first) = p.positional.first() else {
            return Err("error: resource(s) were provided, but no name was specified".into());
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
        let store = &s.world.clusters[cluster].store;
        let kind = match super::stored::resolve(store, &kind_word) {
            Some(super::stored::Resolved::Typed(k)) => k,
            Some(super::stored::Resolved::Stored(info)) => {
                let obj_ns = if info.namespaced {
                    ns.clone()
                } else {
                    String::new()
                };
                if names.is_empty() {
                    let sel = p.value("selector").map(parse_selector).transpose()?;
                    if sel.is_none() && !p.bool("all") {
                        return Err(
                            "error: resource(s) were provided, but no name was specified".into(),
                        );
                    }
                    let sel = sel.unwrap_or_default();
                    let found: Vec<String> = store
                        .unstructured
                        .get(&info.resource())
                        .into_iter()
                        .flat_map(|t| t.in_namespace(info.namespaced.then_some(ns.as_str())))
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| x.metadata.name.clone())
                        .collect();
                    if found.is_empty() {
                        return Ok(Output::ok(if info.namespaced {
                            format!("No resources found in {ns} namespace.")
                        } else {
                            "No resources found".to_string()
                        }));
                    }
                    stored.extend(
                        found
                            .into_iter()
                            .map(|n| ((*info).clone(), obj_ns.clone(), n)),
                    );
                } else {
                    stored.extend(
                        names
                            .iter()
                            .map(|n| ((*info).clone(), obj_ns.clone(), n.clone())),
                    );
                }
                Kind::Events
            }
            None => {
                return Err(format!(
                    "error: the server doesn't have a resource type \"{kind_word}\""
                ))
            }
        };
        let store = &s.world.clusters[cluster].store;
        if !stored.is_empty() {
            // A stored kind: its targets are set above.
        } else if names.is_empty() {
            let sel = p.value("selector").map(parse_selector).transpose()?;
            if sel.is_none() && !p.bool("all") {
                return Err("error: resource(s) were provided, but no name was specified".into());
            }
            let sel = sel.unwrap_or_default();
            match kind {
                Kind::Pods => targets.extend(
                    store
                        .pods
                        .in_namespace(Some(&ns))
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, ns.clone(), x.metadata.name.clone())),
                ),
                Kind::Deployments => targets.extend(
                    store
                        .deployments
                        .in_namespace(Some(&ns))
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, ns.clone(), x.metadata.name.clone())),
                ),
                Kind::ReplicaSets => targets.extend(
                    store
                        .replicasets
                        .in_namespace(Some(&ns))
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, ns.clone(), x.metadata.name.clone())),
                ),
                Kind::Namespaces => targets.extend(
                    store
                        .namespaces
                        .values()
                        .filter(|x| selector_matches(&sel, &x.metadata.labels))
                        .map(|x| (kind, String::new(), x.metadata.name.clone())),
                ),
                _ => {
                    return Err(format!(
                        "error: Pocket Cluster does not simulate deleting {kind_word} yet"
                    ))
                }
            }
            if targets.is_empty() {
                return Ok(Output::ok(format!("No resources found in {ns} namespace.")));
            }
        } else {
            targets.extend(names.into_iter().map(|n| (kind, ns.clone(), n)));
        }
    }
    // Each deletion is the user's request.
    let verb_ctx = |kind_group: &str, plural: &str, obj_ns: &str, name: &str| {
        crate::sim::api::rbac::Request::new("delete", kind_group, plural, obj_ns, name)
    };
    stored.retain(|(info, obj_ns, name)| {
        let r = verb_ctx(&info.group, &info.plural, obj_ns, name);
        match super::auth::check(s, cluster, &r, None) {
            Ok(()) => true,
            Err(e) => {
                errors.push(e);
                false
            }
        }
    });
    targets.retain(|(kind, obj_ns, name)| {
        let (g, plural, namespaced) = super::auth::typed_kind(*kind);
        let r = verb_ctx(g, plural, if namespaced { obj_ns } else { "" }, name);
        match super::auth::check(s, cluster, &r, None) {
            Ok(()) => true,
            Err(e) => {
                errors.push(e);
                false
            }
        }
    });
    let mut lines = Vec::new();
    let mut waiting = Vec::new();
    // Stored objects with finalizers (a claim a pod uses) stay Terminating until they go.
    let mut stored_waiting: Vec<(String, String, String, String)> = Vec::new();
    for (info, obj_ns, name) in stored {
        let now = s.world.now;
        let c = &mut s.world.clusters[cluster];
        let resource = info.resource();
        let uid = c
            .store
            .get_unstructured(&resource, &obj_ns, &name)
            .map(|o| o.metadata.uid.clone())
            .unwrap_or_default();
        if c.store.delete_unstructured(&resource, &obj_ns, &name, now) {
            lines.push(format!("{} \"{name}\" deleted", info.kubectl_prefix()));
            stored_waiting.push((resource, obj_ns, name, uid));
        } else if !p.bool("ignore-not-found") {
            errors.push(format!(
                "Error from server (NotFound): {resource} \"{name}\" not found"
            ));
        }
    }
    for (kind, obj_ns, name) in targets {
        let w = &mut s.world;
        let now = w.now;
        let c = &mut w.clusters[cluster];
        match kind {
            Kind::Pods => {
                let uid = c
                    .store
                    .pods
                    .get(&obj_ns, &name)
                    .map(|p| p.metadata.uid.clone())
                    .unwrap_or_default();
                if !c.store.delete_pod(&obj_ns, &name, now, grace) {
                    if !p.bool("ignore-not-found") {
                        errors.push(format!(
                            "Error from server (NotFound): pods \"{name}\" not found"
                        ));
                    }
                    continue;
                }
                lines.push(format!("pod \"{name}\" deleted"));
                waiting.push((Kind::Pods, obj_ns, name, uid));
            }
            Kind::Namespaces => {
                if ["default", "kube-system", "kube-public", "kube-node-lease"]
                    .contains(&name.as_str())
                {
                    errors.push(format!("Error from server (Forbidden): namespaces \"{name}\" is forbidden: this namespace may not be deleted"));
                    continue;
                }
                let Some(mut n) = c.store.get::<Namespace>("", &name).cloned() else {
                    errors.push(format!(
                        "Error from server (NotFound): namespaces \"{name}\" not found"
                    ));
                    continue;
                };
                if n.metadata.deletion_timestamp.is_none() {
                    n.metadata.deletion_timestamp = Some(Time::at(now));
                    n.status.phase = "Terminating".into();
                    c.store.put(n);
                }
                lines.push(format!("namespace \"{name}\" deleted"));
                waiting.push((Kind::Namespaces, String::new(), name, String::new()));
            }
            Kind::Deployments
            | Kind::ReplicaSets
            | Kind::DaemonSets
            | Kind::Jobs
            | Kind::StatefulSets
            | Kind::CronJobs
            | Kind::Services
            | Kind::Endpoints
            | Kind::EndpointSlices => {
                let orphan = p.value("cascade") == Some("orphan");
                let result = match kind {
                    Kind::Deployments => {
                        delete_owner::<Deployment>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    Kind::ReplicaSets => {
                        delete_owner::<ReplicaSet>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    Kind::DaemonSets => {
                        delete_owner::<DaemonSet>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    Kind::Jobs => delete_owner::<Job>(&mut c.store, &obj_ns, &name, orphan),
                    Kind::StatefulSets => {
                        delete_owner::<StatefulSet>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    Kind::Services => delete_owner::<Service>(&mut c.store, &obj_ns, &name, orphan),
                    Kind::Endpoints => {
                        delete_owner::<Endpoints>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    Kind::EndpointSlices => {
                        delete_owner::<EndpointSlice>(&mut c.store, &obj_ns, &name, orphan)
                    }
                    _ => delete_owner::<CronJob>(&mut c.store, &obj_ns, &name, orphan),
                };
                match result {
                    Ok(line) => lines.push(line),
                    Err(e) if p.bool("ignore-not-found") && e.contains("NotFound") => {}
                    Err(e) => errors.push(e),
                }
            }
            _ => {
                errors.push("error: Pocket Cluster does not simulate deleting this kind yet".into())
            }
        }
    }
    // kubectl delete waits for the objects to be gone (--wait=true): move the clock until they are.
    let wait = p.value("wait").is_none_or(|v| v != "false");
    if wait {
        for _ in 0..400 {
            let c = &s.world.clusters[cluster];
            // A controller may already have made a new pod under the same name: wait for this one.
            let gone = |(k, n, x, uid): &(Kind, String, String, String)| match k {
                Kind::Pods => c
                    .store
                    .pods
                    .get(n, x)
                    .is_none_or(|p| &p.metadata.uid != uid),
                Kind::Namespaces => c.store.namespaces.get("", x).is_none(),
                _ => true,
            };
            let stored_gone = |(r, n, x, uid): &(String, String, String, String)| {
                c.store
                    .get_unstructured(r, n, x)
                    .is_none_or(|o| &o.metadata.uid != uid)
            };
            if waiting.iter().all(gone) && stored_waiting.iter().all(stored_gone) {
                break;
            }
            s.world.advance(250);
        }
    }
    s.world.settle();
    let ok = errors.is_empty();
    lines.extend(errors);
    Ok(Output {
        text: lines.join("\n"),
        ok,
    })
}

/// Delete an object that owns others. Its dependents go by garbage collection (background
/// cascade), or stay without their owner reference with `--cascade=orphan`.
fn delete_owner<T: Resource>(
    store: &mut Store,
    ns: &str,
    name: &str,
    orphan: bool,
) -> Result<String, String> {
    let Some(uid) = store.get::<T>(ns, name).map(|o| o.meta().uid.clone()) else {
        return Err(format!(
            "Error from server (NotFound): {} \"{name}\" not found",
            T::resource_name()
        ));
    };
    if orphan {
        fn strip<D: Resource>(store: &mut Store, ns: &str, uid: &str) {
            let owned: Vec<D> = D::table(store)
                .in_namespace(Some(ns))
                .filter(|o| o.meta().owner_references.iter().any(|r| r.uid == uid))
                .cloned()
                .collect();
            for mut o in owned {
                o.meta_mut().owner_references.retain(|r| r.uid != uid);
                store.put(o);
            }
        }
        strip::<ReplicaSet>(store, ns, &uid);
        strip::<Job>(store, ns, &uid);
        strip::<Pod>(store, ns, &uid);
    }
    store.remove::<T>(ns, name);
    Ok(format!("{} \"{name}\" deleted", T::kubectl_prefix()))
}
