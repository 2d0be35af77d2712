//! `kubectl apply` and `kubectl create`.

use super::super::flags::{self, flag, FlagSpec};
use super::super::{Output, Session};
use super::*;
use crate::manifest::{self, ApiObject};
use crate::sim::api::*;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Apply,
    Create,
}

const FILE_FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true),
    flag("recursive", Some('R'), false),
    flag("dry-run", None, true),
    flag("validate", None, true),
    flag("output", Some('o'), true),
    flag("save-config", None, false),
    flag("server-side", None, false),
    flag("force-conflicts", None, false),
    flag("field-manager", None, true),
    flag("prune", None, false),
    flag("selector", Some('l'), true),
    flag("wait", None, false),
    flag("overwrite", None, false),
    flag("record", None, false),
];

/// Manifest sources named by `-f`: (shown name, text).
pub(super) fn read_sources(
    s: &Session,
    p: &flags::Parsed,
    stdin: Option<&str>,
) -> Result<Vec<(String, String)>, String> {
    let names = p.all("filename");
    if names.is_empty() {
        return Err("error: must specify one of -f and -k".into());
    }
    let recursive = p.bool("recursive");
    let mut out = Vec::new();
    for name in names {
        if name == "-" {
            match stdin {
                Some(text) => out.push(("STDIN".to_string(), text.to_string())),
                None => return Err("error: no objects passed to apply (stdin is empty; use a heredoc: kubectl apply -f - <<EOF)".into()),
            }
        } else if let Some(text) = crate::sim::bundles::fetch(&name) {
            out.push((name.clone(), text.to_string()));
        } else if name.starts_with("http://") || name.starts_with("https://") {
            return Err(format!(
                "error: unable to read URL \"{name}\": Pocket Cluster runs offline and keeps copies of only a few install manifests (`sim bundles` lists them); paste the manifest into the editor instead"
            ));
        } else if let Some(list) = s.files.list(&name, recursive) {
            for f in list {
                match s.files.read(&f) {
                    Ok(text) => out.push((f, text)),
                    Err(_) => return Err(format!("error: the path \"{f}\" cannot be read")),
                }
            }
        } else {
            match s.files.read(&name) {
                Ok(text) => out.push((name, text)),
                Err(crate::shell::files::FileError::NotFound) => {
                    return Err(format!("error: the path \"{name}\" does not exist"))
                }
                Err(crate::shell::files::FileError::Other(e)) => return Err(format!("error: {e}")),
            }
        }
    }
    Ok(out)
}

pub(super) fn apply(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
) -> Result<Output, String> {
    apply_as(s, args, stdin, Mode::Apply)
}

fn apply_as(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
    mode: Mode,
) -> Result<Output, String> {
    let p = flags::parse(args, FILE_FLAGS)?;
    let cluster = target(s, &p)?;
    let ns_flag = p.value("namespace").map(|n| n.to_string());
    let default_ns = namespace_of(s, &p, cluster);
    let dry_run = match p.value("dry-run") {
        None | Some("none") | Some("false") => None,
        Some("client") | Some("true") => Some(" (dry run)"),
        Some("server") => Some(" (server dry run)"),
        Some(other) => {
            return Err(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        ))
        }
    };
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        return Err(err);
    }
    let sources = read_sources(s, &p, stdin)?;
    let mut lines = Vec::new();
    let mut ok = true;
    let mut any = false;
    // kubectl maps every object to its kind before applying any: objects of kinds the server
    // does not serve (no CRD yet) fail, and are reported after the others went through.
    let mut unmapped = Vec::new();
    for (file, text) in sources {
        let kinds = s.world.clusters[cluster].store.kinds();
        let docs = match manifest::parse_each(&text, kinds) {
            Ok(d) => d,
            Err(e) => {
                lines.push(e.kubectl(&file));
                ok = false;
                continue;
            }
        };
        let docs: Vec<manifest::Document> = docs
            .into_iter()
            .filter_map(|d| match d {
                Ok(doc) => Some(doc),
                Err(e) => {
                    any = true;
                    unmapped.push(e.kubectl(&file));
                    None
                }
            })
            .collect();
        for doc in docs {
            any = true;
            let result = write_object(
                s,
                cluster,
                doc.object,
                ns_flag.as_deref(),
                &default_ns,
                mode,
                dry_run.is_some(),
                &file,
            );
            match result {
                Ok(line) => lines.push(format!("{line}{}", dry_run.unwrap_or(""))),
                Err(e) => {
                    lines.push(e);
                    ok = false;
                }
            }
        }
    }
    if !any && ok {
        return Err("error: no objects passed to apply".into());
    }
    if !unmapped.is_empty() {
        ok = false;
        // One error alone is printed as `error: …`; several, one per line without it.
        let alone = unmapped.len() == 1 && !lines.iter().any(|l| is_error_line(l));
        for e in unmapped {
            lines.push(if alone {
                e
            } else {
                e.trim_start_matches("error: ").to_string()
            });
        }
    }
    s.world.settle();
    Ok(Output {
        text: lines.join("\n"),
        ok,
    })
}

fn is_error_line(l: &str) -> bool {
    l.starts_with("error") || l.starts_with("Error from server") || l.starts_with("The ")
}

pub(super) fn create(
    s: &mut Session,
    args: &[String],
    stdin: Option<&str>,
) -> Result<Output, String> {
    match args.iter().find(|a| !a.starts_with('-')).map(|a| a.as_str()) {
        Some("namespace") | Some("ns") => {
            let p = flags::parse(args, &[flag("dry-run", None, true), flag("output", Some('o'), true)])?;
            let name = p.positional.get(1).cloned().ok_or("error: exactly one NAME is required, got 0")?;
            let cluster = target(s, &p)?;
            let ns = Namespace {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                metadata: ObjectMeta { name: name.clone(), ..Default::default() },
                spec: NamespaceSpec::default(),
                status: NamespaceStatus::default(),
            };
            let w = &mut s.world;
            let c = &mut w.clusters[cluster];
            if let Some(err) = c.api_unavailable() {
                return Err(err);
            }
            c.store.create(ns, w.now, &mut w.rng).map_err(|e| e.kubectl(None))?;
            // Its ServiceAccount `default` and ConfigMap `kube-root-ca.crt` come at once.
            w.settle();
            Ok(Output::ok(format!("namespace/{name} created")))
        }
        Some("deployment") | Some("deploy") => create_deployment(s, args),
        Some("job") | Some("cronjob") | Some("cj") => create_batch(s, args),
        Some("service") | Some("svc") => super::services::create_service(s, args),
        Some("ingress") | Some("ing") => create_ingress(s, args),
        Some("configmap") | Some("cm") => super::create_config::create_configmap(s, args),
        Some("secret") => super::create_config::create_secret(s, args),
        Some("quota") | Some("resourcequota") => super::quota::create_quota(s, args),
        Some("role") | Some("clusterrole") => super::auth::create_role(s, args),
        Some("rolebinding") | Some("clusterrolebinding") => super::auth::create_binding(s, args),
        Some("serviceaccount") | Some("sa") => super::auth::create_service_account(s, args),
        Some(other) if !args.iter().any(|a| a == "-f" || a.starts_with("--filename") || a.starts_with("-f")) => Err(format!(
            "error: Pocket Cluster does not simulate \"kubectl create {other}\" yet; write a manifest and use kubectl apply -f"
        )),
        _ => apply_as(s, args, stdin, Mode::Create),
    }
}

/// `kubectl create deployment NAME --image=IMAGE [--replicas=N] [--port=P]`, as kubectl builds it:
/// label `app=NAME`, one container named after the image.
fn create_deployment(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("image", None, true),
            flag("replicas", Some('r'), true),
            flag("port", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
        ],
    )?;
    let name = p
        .positional
        .get(1)
        .cloned()
        .ok_or("error: exactly one NAME is required, got 0")?;
    let images = p.all("image");
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set".into());
    }
    let replicas: i64 = match p.value("replicas") {
        Some(r) => r.parse().map_err(|_| format!("error: invalid argument \"{r}\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax"))?,
        None => 1,
    };
    let ports = match p.value("port") {
        Some(port) => vec![ContainerPort {
            container_port: port
                .parse()
                .map_err(|_| format!("error: invalid port: {port}"))?,
            ..Default::default()
        }],
        None => Vec::new(),
    };
    // `-- COMMAND [ARGS…]` becomes the container's command (one image only, as kubectl says).
    let command = p.after_dashes.clone().unwrap_or_default();
    if !command.is_empty() && images.len() > 1 {
        return Err("error: cannot specify multiple --image options and command".into());
    }
    let containers = images
        .iter()
        .map(|image| {
            // kubectl names the container after the image's last path element, without tag.
            let base = image.rsplit('/').next().unwrap_or(image);
            let base = base.split([':', '@']).next().unwrap_or(base);
            Container {
                name: base.to_string(),
                image: image.clone(),
                ports: ports.clone(),
                command: command.clone(),
                ..Default::default()
            }
        })
        .collect::<Vec<_>>();
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let labels: Labels = crate::sim::sort::map_of([("app".to_string(), name.clone())]);
    let d = Deployment {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        metadata: ObjectMeta {
            name: name.clone(),
            namespace: ns,
            labels: labels.clone().into(),
            ..Default::default()
        },
        spec: DeploymentSpec {
            replicas: Some(replicas),
            selector: Some(LabelSelector {
                match_labels: labels.clone(),
                match_expressions: Vec::new(),
            }),
            template: PodTemplateSpec {
                metadata: ObjectMeta {
                    labels: labels.into(),
                    ..Default::default()
                },
                spec: PodSpecFields {
                    containers: containers.into(),
                    ..Default::default()
                }
                .into(),
            },
            ..Default::default()
        },
        status: DeploymentStatus::default(),
    };
    if p.value("dry-run").is_some_and(|d| d != "none") {
        return Ok(Output::ok(format!(
            "deployment.apps/{name} created (dry run)"
        )));
    }
    let w = &mut s.world;
    let c = &mut w.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    c.store
        .create(d, w.now, &mut w.rng)
        .map_err(|e| e.kubectl(None))?;
    w.settle();
    Ok(Output::ok(format!("deployment.apps/{name} created")))
}

/// `kubectl create ingress NAME --rule=HOST/PATH=SERVICE:PORT[,tls[=SECRET]] [--class=C]
/// [--default-backend=SERVICE:PORT] [--annotation=K=V]`, as kubectl builds it: a path written
/// plainly is `Exact`, one ending in `*` is `Prefix` (fact 84).
fn create_ingress(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("rule", None, true),
            flag("class", None, true),
            flag("default-backend", None, true),
            flag("annotation", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
        ],
    )?;
    let name = p
        .positional
        .get(1)
        .cloned()
        .ok_or("error: exactly one NAME is required, got 0")?;
    let rules = p.all("rule");
    let default = p.value("default-backend");
    if rules.is_empty() && default.is_none() {
        return Err("error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)".into());
    }
    fn backend(text: &str, what: &str) -> Result<String, String> {
        let (svc, port) = text
            .split_once(':')
            .filter(|(s, p)| !s.is_empty() && !p.is_empty())
            .ok_or_else(|| {
                format!("error: {what} {text} is invalid and should be in format service:port")
            })?;
        let port = match port.parse::<u32>() {
            Ok(n) => format!("number: {n}"),
            Err(_) => format!("name: {port}"),
        };
        Ok(format!("service:\n  name: {svc}\n  port:\n    {port}\n"))
    }
    let indent = |text: &str, n: usize| -> String {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(n)))
            .collect()
    };
    let mut yaml =
        format!("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {name}\n");
    let annotations = p.all("annotation");
    if !annotations.is_empty() {
        yaml.push_str("  annotations:\n");
        for a in annotations {
            let (k, v) = a.split_once('=').ok_or_else(|| {
                format!("error: annotation {a} is invalid and should be in format key=[value]")
            })?;
            yaml.push_str(&format!(
                "    {k}: {}\n",
                serde_yaml::to_string(v).unwrap_or_default().trim()
            ));
        }
    }
    yaml.push_str("spec:\n");
    if let Some(c) = p.value("class") {
        yaml.push_str(&format!("  ingressClassName: {c}\n"));
    }
    if let Some(d) = default {
        yaml.push_str("  defaultBackend:\n");
        yaml.push_str(&indent(&backend(d, "default-backend")?, 4));
    }
    let mut tls: Vec<(String, String)> = Vec::new();
    if !rules.is_empty() {
        yaml.push_str("  rules:\n");
    }
    for r in rules {
        let (main, opts) = match r.split_once(',') {
            Some((m, o)) => (m, Some(o)),
            None => (r.as_str(), None),
        };
        let (hostpath, svc) = main
            .split_once('=')
            .ok_or_else(|| format!("error: rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"))?;
        let (host, path) = match hostpath.find('/') {
            Some(i) => (&hostpath[..i], &hostpath[i..]),
            None => return Err(format!("error: rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")),
        };
        let (path, ty) = match path.strip_suffix('*') {
            Some(p) => (p, "Prefix"),
            None => (path, "Exact"),
        };
        if host.is_empty() {
            yaml.push_str("  - http:\n");
        } else {
            yaml.push_str(&format!("  - host: {host}\n    http:\n"));
        }
        yaml.push_str(&format!(
            "      paths:\n      - path: {path}\n        pathType: {ty}\n        backend:\n"
        ));
        yaml.push_str(&indent(&backend(svc, "rule")?, 10));
        if let Some(o) = opts {
            let secret = o.strip_prefix("tls=").unwrap_or("");
            if o == "tls" || o.starts_with("tls=") {
                tls.push((host.to_string(), secret.to_string()));
            }
        }
    }
    if !tls.is_empty() {
        yaml.push_str("  tls:\n");
        for (host, secret) in tls {
            yaml.push_str(&format!("  - hosts:\n    - {host}\n"));
            if !secret.is_empty() {
                yaml.push_str(&format!("    secretName: {secret}\n"));
            }
        }
    }
    let mut create_args: Vec<String> = vec!["-f".into(), "-".into()];
    for key in ["namespace", "context", "dry-run", "output"] {
        if let Some(v) = p.value(key) {
            create_args.push(format!("--{key}={v}"));
        }
    }
    apply_as(s, &create_args, Some(&yaml), Mode::Create)
}

/// `kubectl create job NAME --image=IMAGE [-- COMMAND…]` (restartPolicy Never) and
/// `kubectl create cronjob NAME --image=IMAGE --schedule=CRON [-- COMMAND…]` (OnFailure), as
/// kubectl builds them (fact 13).
fn create_batch(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("image", None, true),
            flag("schedule", None, true),
            flag("restart", None, true),
            flag("from", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
        ],
    )?;
    let what = p.positional.first().cloned().unwrap_or_default();
    let cron = what != "job";
    let name = p
        .positional
        .get(1)
        .cloned()
        .ok_or("error: exactly one NAME is required, got 0")?;
    if p.value("from").is_some() {
        return Err("error: --from is not simulated yet; create the job from a manifest".into());
    }
    let image = p
        .value("image")
        .ok_or("error: required flag(s) \"image\" not set")?
        .to_string();
    let schedule = p.value("schedule").unwrap_or("").to_string();
    if cron && schedule.is_empty() {
        return Err("error: required flag(s) \"schedule\" not set".into());
    }
    let cluster = target(s, &p)?;
    let ns = namespace_of(s, &p, cluster);
    let restart = p
        .value("restart")
        .unwrap_or(if cron { "OnFailure" } else { "Never" })
        .to_string();
    let template = PodTemplateSpec {
        metadata: ObjectMeta::default(),
        spec: PodSpecFields {
            containers: vec![Container {
                name: name.clone(),
                image,
                command: p.after_dashes.clone().unwrap_or_default(),
                ..Default::default()
            }]
            .into(),
            restart_policy: restart.into(),
            ..Default::default()
        }
        .into(),
    };
    let job_spec = JobSpec {
        template,
        ..Default::default()
    };
    let meta = ObjectMeta {
        name: name.clone(),
        namespace: ns,
        ..Default::default()
    };
    let w = &mut s.world;
    let c = &mut w.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    let line = if cron {
        let cj = CronJob {
            api_version: "batch/v1".into(),
            kind: "CronJob".into(),
            metadata: meta,
            spec: CronJobSpec {
                schedule,
                job_template: JobTemplateSpec {
                    metadata: ObjectMeta {
                        name: name.clone(),
                        ..Default::default()
                    },
                    spec: job_spec,
                },
                ..Default::default()
            },
            status: CronJobStatus::default(),
        };
        c.store
            .create(cj, w.now, &mut w.rng)
            .map_err(|e| e.kubectl(None))?;
        format!("cronjob.batch/{name} created")
    } else {
        let job = Job {
            api_version: "batch/v1".into(),
            kind: "Job".into(),
            metadata: meta,
            spec: job_spec,
            status: JobStatus::default(),
        };
        c.store
            .create(job, w.now, &mut w.rng)
            .map_err(|e| e.kubectl(None))?;
        format!("job.batch/{name} created")
    };
    w.settle();
    Ok(Output::ok(line))
}

/// Create or update one object; returns kubectl's line (`pod/x created`).
#[allow(clippy::too_many_arguments)]
fn write_object(
    s: &mut Session,
    cluster: usize,
    object: ApiObject,
    ns_flag: Option<&str>,
    default_ns: &str,
    mode: Mode,
    dry_run: bool,
    file: &str,
) -> Result<String, String> {
    match object {
        ApiObject::Pod(o) => write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file),
        ApiObject::Namespace(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Deployment(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::ReplicaSet(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::DaemonSet(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::StatefulSet(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Job(o) => write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file),
        ApiObject::CronJob(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Node(o) => write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file),
        ApiObject::Service(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Endpoints(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::EndpointSlice(o) => {
            write_typed(s, cluster, *o, ns_flag, default_ns, mode, dry_run, file)
        }
        ApiObject::Unstructured(o) => super::stored::write(
            s,
            cluster,
            *o,
            ns_flag,
            default_ns,
            mode == Mode::Apply,
            dry_run,
            file,
        ),
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

#[allow(clippy::too_many_arguments)]
fn write_typed<T: Resource>(
    s: &mut Session,
    cluster: usize,
    mut obj: T,
    ns_flag: Option<&str>,
    default_ns: &str,
    mode: Mode,
    dry_run: bool,
    file: &str,
) -> Result<String, String> {
    let verb_ctx = format!("error when creating \"{file}\"");
    if T::NAMESPACED {
        let meta_ns = obj.meta().namespace.clone();
        match (ns_flag, meta_ns.is_empty()) {
            (Some(flag_ns), false) if flag_ns != meta_ns => {
                return Err(format!(
                    "error: the namespace from the provided object \"{meta_ns}\" does not match the namespace \"{flag_ns}\". You must pass '--namespace={meta_ns}' to perform this operation."
                ))
            }
            (_, true) => obj.meta_mut().namespace = default_ns.to_string(),
            _ => {}
        }
    }
    if mode == Mode::Apply {
        // What kubectl apply records: the object as the user wrote it.
        let mut as_written = obj.clone();
        as_written.meta_mut().annotations.remove(LAST_APPLIED);
        if let Ok(json) = serde_json::to_string(&as_written) {
            obj.meta_mut()
                .annotations
                .insert(LAST_APPLIED.into(), format!("{json}\n"));
        }
    }
    let prefix = T::kubectl_prefix();
    let name = obj.meta().name.clone();
    super::auth::check_write(
        s,
        cluster,
        T::GROUP,
        T::PLURAL,
        T::KIND,
        T::API_VERSION,
        if T::NAMESPACED {
            &obj.meta().namespace
        } else {
            ""
        },
        &name,
        mode == Mode::Apply,
        file,
    )?;
    let w = &mut s.world;
    let now = w.now;
    let c = &mut w.clusters[cluster];
    let exists = !name.is_empty() && c.store.get::<T>(&obj.meta().namespace, &name).is_some();
    if exists && mode == Mode::Apply {
        if dry_run {
            return Ok(format!("{prefix}/{name} configured"));
        }
        let live = c.store.get::<T>(&obj.meta().namespace, &name);
        let had_annotation = live.is_some_and(|o| o.meta().annotations.contains_key(LAST_APPLIED));
        if let Some(live) = live {
            keep_others_metadata(obj.meta_mut(), live.meta());
        }
        let outcome = c
            .store
            .update(&obj, &mut w.rng)
            .map_err(|e| e.kubectl(Some(&format!("error when applying patch to \"{file}\""))))?;
        let word = match outcome {
            WriteOutcome::Unchanged => "unchanged",
            _ => "configured",
        };
        let warn = if had_annotation {
            String::new()
        } else {
            format!("Warning: resource {}/{name} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n", T::PLURAL)
        };
        return Ok(format!("{warn}{prefix}/{name} {word}"));
    }
    if dry_run {
        return Ok(format!("{prefix}/{name} created"));
    }
    let created = c
        .store
        .create(obj, now, &mut w.rng)
        .map_err(|e| e.kubectl(Some(&verb_ctx)))?;
    Ok(format!("{prefix}/{} created", created.meta().name))
}

// ---------------------------------------------------------------- get

/// kubectl apply's three-way merge, for metadata's labels and annotations: a key the live
/// object has that the last applied configuration did not (a controller's
/// `deployment.kubernetes.io/revision`, a `kubectl label`) stays; one the learner applied
/// before and has now removed goes.
fn keep_others_metadata(desired: &mut ObjectMeta, live: &ObjectMeta) {
    let applied: Option<serde_json::Value> = live
        .annotations
        .get(LAST_APPLIED)
        .and_then(|t| serde_json::from_str(t).ok());
    let applied_keys = |field: &str| -> Vec<String> {
        applied
            .as_ref()
            .and_then(|a| a.get("metadata"))
            .and_then(|m| m.get(field))
            .and_then(|m| m.as_object())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (labels, annotations) = (applied_keys("labels"), applied_keys("annotations"));
    for (k, v) in live.labels.iter() {
        if !labels.contains(k) && !desired.labels.contains_key(k) {
            desired.labels.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &live.annotations {
        if k != LAST_APPLIED && !annotations.contains(k) && !desired.annotations.contains_key(k) {
            desired.annotations.insert(k.clone(), v.clone());
        }
    }
}
