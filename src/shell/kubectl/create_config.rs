//! `kubectl create configmap` and `kubectl create secret generic|tls|docker-registry`, as
//! kubectl 1.31 builds them (`pkg/cmd/create/create_configmap.go`, `create_secret*.go`): the
//! object is made on the client from literals, the learner's files (`local_files`: a file, each
//! regular file of a directory) and env files, with kubectl's own checks and texts, then sent to
//! the API server, whose admission (key names, the 1 MiB limit of fact 61, a Secret's type
//! defaulting to Opaque, fact 64) answers as for any other write.
//!
//! Order matters as in kubectl: a ConfigMap takes its files, then literals, then env files; a
//! Secret its literals, then files, then env files (the first duplicate key named is the later
//! one). `--dry-run=client -o yaml` prints the object as kubectl made it (`creationTimestamp:
//! null`, the namespace only when `-n` was given).
//!
//! Simplified: every file is text (the simulator has no binary files, so no `binaryData`);
//! `--from-env-file` lines without `=` take the laptop's environment, which is empty here;
//! `create secret tls` checks that the cert and key are PEM but not that they match;
//! `--append-hash` and `--save-config` are not simulated.

use super::super::flags::{self, flag, FlagSpec};
use super::super::local_files::{self, Kind as LocalKind};
use super::super::{Output, Session};
use super::*;
use crate::shell::files::FileError;
use crate::sim::api::unstructured::{base64_encode, sorted, Unstructured};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;

const COMMON: &[FlagSpec] = &[
    flag("dry-run", None, true),
    flag("output", Some('o'), true),
    flag("validate", None, true),
    flag("field-manager", None, true),
    flag("append-hash", None, false),
    flag("save-config", None, false),
];

const SOURCES: &[FlagSpec] = &[
    flag("from-file", None, true),
    flag("from-literal", None, true),
    flag("from-env-file", None, true),
];

/// Every flag of the secret subcommands (parsed once, then checked per subcommand).
const SECRET_FLAGS: &[FlagSpec] = &[
    flag("type", None, true),
    flag("cert", None, true),
    flag("key", None, true),
    flag("docker-server", None, true),
    flag("docker-username", None, true),
    flag("docker-password", None, true),
    flag("docker-email", None, true),
];

const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const ENV_NAME_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

const SECRET_HELP: &str = "Create a secret with specified type.

 A docker-registry type secret is for accessing a container registry.

 A generic type secret indicate an Opaque secret type.

 A tls type secret holds TLS certificate and its associated key.

Available Commands:
  docker-registry   Create a secret for use with a Docker registry
  generic           Create a secret from a local file, directory, or literal value
  tls               Create a TLS secret

Usage:
  kubectl create secret (docker-registry | generic | tls) [options]

Use \"kubectl create secret <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).";

#[derive(Clone, Copy, PartialEq, Debug)]
enum DryRun {
    None,
    Client,
    Server,
}

/// `kubectl create configmap|cm NAME [--from-file=[key=]source]… [--from-literal=k=v]…
/// [--from-env-file=path]…`
pub(super) fn create_configmap(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let specs: Vec<FlagSpec> = COMMON.iter().chain(SOURCES).copied().collect();
    let p = flags::parse(args, &specs)?;
    let name = one_name(&p, 1, "configmap")?;
    let dry = dry_run(&p)?;
    let output = output_format(&p)?;
    let files = slice(&p, "from-file");
    let literals = p.all("from-literal");
    let env_files = slice(&p, "from-env-file");
    if !env_files.is_empty() && (!files.is_empty() || !literals.is_empty()) {
        return Err(
            "error: from-env-file cannot be combined with from-file or from-literal".into(),
        );
    }
    not_simulated(&p, "configmap")?;
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    {
        let mut add = |key: &str, value: String| -> Result<(), String> {
            let errs = config_key_errors(key);
            if !errs.is_empty() {
                return Err(format!(
                    "error: {} is not a valid key name for a ConfigMap: {}",
                    go_quote(key),
                    errs.join(",")
                ));
            }
            if data.contains_key(key) {
                return Err(format!(
                    "error: cannot add key {}, another key by that name already exists in Data for ConfigMap {}",
                    go_quote(key),
                    go_quote(&name)
                ));
            }
            data.insert(key.to_string(), value);
            Ok(())
        };
        from_files(s, &files, &mut add)?;
        from_literals(&literals, &mut add)?;
        from_env_files(s, &env_files, "config", &mut add)?;
    }
    let mut rest = Mapping::new();
    if !data.is_empty() {
        rest.insert("data".into(), strings(data, false));
    }
    send(
        s,
        &p,
        Made {
            kind: "ConfigMap",
            name,
            rest,
            prefix: "configmap",
            fail: "failed to create configmap: ",
        },
        dry,
        &output,
    )
}

/// `kubectl create secret generic|tls|docker-registry NAME …`
pub(super) fn create_secret(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let specs: Vec<FlagSpec> = COMMON
        .iter()
        .chain(SOURCES)
        .chain(SECRET_FLAGS)
        .copied()
        .collect();
    let p = flags::parse(args, &specs)?;
    let Some(sub) = p.positional.get(1).cloned() else {
        return Ok(Output::err(SECRET_HELP));
    };
    let own: &[&str] = match sub.as_str() {
        "generic" => &["from-file", "from-literal", "from-env-file", "type"],
        "tls" => &["cert", "key"],
        "docker-registry" => &[
            "from-file",
            "docker-server",
            "docker-username",
            "docker-password",
            "docker-email",
        ],
        _ => return Ok(Output::err(SECRET_HELP)),
    };
    let foreign = SOURCES
        .iter()
        .chain(SECRET_FLAGS)
        .map(|f| f.long)
        .find(|f| !own.contains(f) && p.values.contains_key(*f));
    if let Some(f) = foreign {
        return Ok(Output::err(format!(
            "error: unknown flag: --{f}\nSee 'kubectl create secret {sub} --help' for usage."
        )));
    }
    let name = one_name(&p, 2, &format!("secret {sub}"))?;
    let dry = dry_run(&p)?;
    let output = output_format(&p)?;
    not_simulated(&p, &format!("secret {sub}"))?;
    let mut data: BTreeMap<String, String> = BTreeMap::new();
    let mut rest = Mapping::new();
    let mut fail = "failed to create secret: ";
    match sub.as_str() {
        "generic" => {
            let files = slice(&p, "from-file");
            let literals = p.all("from-literal");
            let env_files = slice(&p, "from-env-file");
            if !env_files.is_empty() && (!files.is_empty() || !literals.is_empty()) {
                return Err(
                    "error: from-env-file cannot be combined with from-file or from-literal".into(),
                );
            }
            let mut add = |key: &str, value: String| secret_add(&mut data, key, value);
            from_literals(&literals, &mut add)?;
            from_files(s, &files, &mut add)?;
            from_env_files(s, &env_files, "secret", &mut add)?;
            if let Some(t) = p.value("type").filter(|t| !t.is_empty()) {
                rest.insert("type".into(), t.into());
            }
        }
        "tls" => {
            let cert = p.value("cert").unwrap_or("");
            let key = p.value("key").unwrap_or("");
            if cert.is_empty() || key.is_empty() {
                return Err("error: key and cert must be specified".into());
            }
            let read_pem = |path: &str| -> Result<String, String> {
                local_files::read(s, path).map_err(|e| {
                    let why = match e {
                        FileError::NotFound => "no such file or directory".to_string(),
                        FileError::Other(o) => o,
                    };
                    format!("error: Cannot read file {path}, open {path}: {why}")
                })
            };
            let cert_pem = read_pem(cert)?;
            let key_pem = read_pem(key)?;
            // Go's tls.X509KeyPair, as far as text can tell: PEM blocks of the right types.
            if !cert_pem.contains("-----BEGIN ") {
                return Err("error: tls: failed to find any PEM data in certificate input".into());
            }
            if !cert_pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err("error: tls: failed to find certificate PEM data in certificate input, but did find a private key; PEM inputs may have been switched".into());
            }
            if !key_pem.contains("-----BEGIN ") {
                return Err("error: tls: failed to find any PEM data in key input".into());
            }
            if !key_pem.contains("PRIVATE KEY-----") {
                return Err("error: tls: found a certificate rather than a key in the PEM for the private key".into());
            }
            data.insert("tls.crt".into(), cert_pem);
            data.insert("tls.key".into(), key_pem);
            rest.insert("type".into(), "kubernetes.io/tls".into());
        }
        _ => {
            let files = slice(&p, "from-file");
            let user = p.value("docker-username").unwrap_or("");
            let password = p.value("docker-password").unwrap_or("");
            let email = p.value("docker-email").unwrap_or("");
            let server = p
                .value("docker-server")
                .unwrap_or("https://index.docker.io/v1/");
            if files.is_empty() && (user.is_empty() || password.is_empty() || server.is_empty()) {
                return Err("error: either --from-file or the combination of --docker-username, --docker-password and --docker-server is required".into());
            }
            if files.is_empty() {
                data.insert(
                    ".dockerconfigjson".into(),
                    docker_config_json(user, password, email, server),
                );
            } else {
                let mut add = |key: &str, value: String| secret_add(&mut data, key, value);
                from_files(s, &files, &mut add)?;
            }
            rest.insert("type".into(), "kubernetes.io/dockerconfigjson".into());
            // create_secret_docker.go words it without the colon.
            fail = "failed to create secret ";
        }
    }
    // Secret `data` is base64 on the wire (fact 64).
    let mut with_data = Mapping::new();
    if !data.is_empty() {
        with_data.insert("data".into(), strings(data, true));
    }
    with_data.extend(rest);
    send(
        s,
        &p,
        Made {
            kind: "Secret",
            name,
            rest: with_data,
            prefix: "secret",
            fail,
        },
        dry,
        &output,
    )
}

fn secret_add(data: &mut BTreeMap<String, String>, key: &str, value: String) -> Result<(), String> {
    let errs = config_key_errors(key);
    if !errs.is_empty() {
        return Err(format!(
            "error: {} is not valid key name for a Secret {}",
            go_quote(key),
            errs.join(";")
        ));
    }
    if data.contains_key(key) {
        return Err(format!(
            "error: cannot add key {key}, another key by that name already exists"
        ));
    }
    data.insert(key.to_string(), value);
    Ok(())
}

/// An object kubectl made, ready to send.
struct Made {
    kind: &'static str,
    name: String,
    rest: Mapping,
    /// `configmap`, `secret`: how kubectl names it in its lines.
    prefix: &'static str,
    /// What kubectl puts before the API server's error.
    fail: &'static str,
}

fn send(
    s: &mut Session,
    p: &flags::Parsed,
    made: Made,
    dry: DryRun,
    output: &str,
) -> Result<Output, String> {
    let cluster = target(s, p)?;
    let Made {
        kind,
        name,
        rest,
        prefix,
        fail,
    } = made;
    if dry == DryRun::Client {
        // The object as the client made it: no server fields, the namespace only if `-n` said.
        let mut meta = Mapping::new();
        meta.insert("creationTimestamp".into(), Value::Null);
        meta.insert("name".into(), name.clone().into());
        if let Some(ns) = p.value("namespace") {
            meta.insert("namespace".into(), ns.into());
        }
        let mut obj = Mapping::new();
        obj.insert("apiVersion".into(), "v1".into());
        obj.insert("kind".into(), kind.into());
        obj.insert("metadata".into(), Value::Mapping(meta));
        obj.extend(rest);
        return Ok(print(
            sorted(&Value::Mapping(obj)),
            output,
            prefix,
            &name,
            " (dry run)",
        ));
    }
    let ns = namespace_of(s, p, cluster);
    let w = &mut s.world;
    let now = w.now;
    let c = &mut w.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    let Some(info) = c.store.kinds().by_kind(kind, "v1") else {
        return Err(format!(
            "error: the server doesn't have a resource type \"{prefix}\""
        ));
    };
    let obj = Unstructured {
        api_version: "v1".into(),
        kind: kind.into(),
        metadata: ObjectMeta {
            name: name.clone(),
            namespace: ns.clone(),
            ..Default::default()
        },
        rest,
    };
    if dry == DryRun::Server {
        // Admission without storage: only the clash with an existing object is checked here.
        if c.store
            .get_unstructured(&info.resource(), &ns, &name)
            .is_some()
        {
            return Err(format!(
                "error: {fail}{} \"{name}\" already exists",
                info.resource()
            ));
        }
        return Ok(Output::ok(format!(
            "{prefix}/{name} created (server dry run)"
        )));
    }
    let created = c
        .store
        .create_unstructured(&info, obj, now, &mut w.rng)
        .map_err(|e| format!("error: {fail}{}", e.message()))?;
    w.settle();
    Ok(print(created.to_sorted_value(), output, prefix, &name, ""))
}

fn print(value: Value, output: &str, prefix: &str, name: &str, suffix: &str) -> Output {
    match output {
        "" => Output::ok(format!("{prefix}/{name} created{suffix}")),
        _ => {
            let text = super::get::render(
                output,
                &[value],
                true,
                prefix,
                vec![name.to_string()],
                Vec::new,
                false,
            );
            Output::ok(text.trim_end().to_string())
        }
    }
}

fn one_name(p: &flags::Parsed, at: usize, cmd: &str) -> Result<String, String> {
    let names = p.positional.get(at..).unwrap_or_default();
    if names.len() != 1 {
        return Err(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl create {cmd} -h' for help and examples",
            names.len()
        ));
    }
    Ok(names[0].clone())
}

fn dry_run(p: &flags::Parsed) -> Result<DryRun, String> {
    match p.value("dry-run") {
        None | Some("none") | Some("false") => Ok(DryRun::None),
        Some("client") | Some("true") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some(other) => Err(format!(
            "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
        )),
    }
}

fn output_format(p: &flags::Parsed) -> Result<String, String> {
    let o = p.value("output").unwrap_or("");
    if ["", "yaml", "json", "name"].contains(&o) {
        Ok(o.to_string())
    } else {
        Err(format!("error: unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,name,yaml"))
    }
}

fn not_simulated(p: &flags::Parsed, cmd: &str) -> Result<(), String> {
    for f in ["append-hash", "save-config"] {
        if p.bool(f) {
            return Err(format!(
                "error: Pocket Cluster does not simulate \"kubectl create {cmd} --{f}\" yet"
            ));
        }
    }
    Ok(())
}

/// A `StringSlice` flag: every use, each split at commas.
fn slice(p: &flags::Parsed, long: &str) -> Vec<String> {
    p.all(long)
        .iter()
        .flat_map(|v| v.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

fn strings(data: BTreeMap<String, String>, base64: bool) -> Value {
    let mut m = Mapping::new();
    for (k, v) in data {
        let v = if base64 {
            base64_encode(v.as_bytes())
        } else {
            v
        };
        m.insert(k.into(), v.into());
    }
    Value::Mapping(m)
}

type Add<'a> = dyn FnMut(&str, String) -> Result<(), String> + 'a;

/// `--from-literal=key=value` (kubectl's `ParseLiteralSource`).
fn from_literals(list: &[String], add: &mut Add) -> Result<(), String> {
    for src in list {
        let parsed = src.split_once('=').filter(|(k, _)| !k.is_empty());
        let Some((key, value)) = parsed else {
            return Err(format!(
                "error: invalid literal source {src}, expected key=value"
            ));
        };
        add(key, value.to_string())?;
    }
    Ok(())
}

/// kubectl's `ParseFileSource`: `path` (the key is its base name) or `key=path`.
fn parse_file_source(src: &str) -> Result<(String, String), String> {
    match src.matches('=').count() {
        0 => Ok((go_base(src), src.to_string())),
        1 if src.starts_with('=') => Err(format!(
            "error: key name for file path {} missing",
            &src[1..]
        )),
        1 if src.ends_with('=') => Err(format!(
            "error: file path for key name {} missing",
            &src[..src.len() - 1]
        )),
        1 => {
            let (k, v) = src.split_once('=').unwrap_or((src, ""));
            Ok((k.to_string(), v.to_string()))
        }
        _ => Err("error: key names or file paths cannot contain '='".into()),
    }
}

/// Go's `path.Base`.
fn go_base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let t = path.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn read_local(s: &Session, path: &str) -> Result<String, String> {
    local_files::read(s, path).map_err(|e| match e {
        FileError::NotFound => format!("error: open {path}: no such file or directory"),
        FileError::Other(o) => format!("error: {o}"),
    })
}

/// `--from-file`: a file, or each regular file directly in a directory (its name the key).
fn from_files(s: &Session, list: &[String], add: &mut Add) -> Result<(), String> {
    for src in list {
        let (key, path) = parse_file_source(src)?;
        match local_files::stat(s, &path) {
            None => {
                return Err(format!(
                    "error: error reading {path}: no such file or directory"
                ))
            }
            Some(LocalKind::Dir) => {
                if src.contains('=') {
                    return Err("error: cannot give a key name for a directory path".into());
                }
                for (item, kind) in local_files::children(s, &path) {
                    if kind == LocalKind::File {
                        let text =
                            read_local(s, &local_files::join(&local_files::clean(&path), &item))?;
                        add(&item, text)?;
                    }
                }
            }
            Some(LocalKind::File) => {
                let text = read_local(s, &path)?;
                add(&key, text)?;
            }
        }
    }
    Ok(())
}

/// `--from-env-file`: `KEY=value` lines (kubectl's `AddFromEnvFile`): leading blanks trimmed,
/// blank lines and `#` comments skipped, the value kept as written (quotes and trailing blanks
/// too); keys must be environment variable names.
fn from_env_files(s: &Session, list: &[String], what: &str, add: &mut Add) -> Result<(), String> {
    for path in list {
        let text = match local_files::stat(s, path) {
            None => {
                return Err(format!(
                    "error: error reading {path}: no such file or directory"
                ))
            }
            Some(LocalKind::Dir) => {
                return Err(format!("error: env {what} file cannot be a directory"))
            }
            Some(LocalKind::File) => read_local(s, path)?,
        };
        let body = text.strip_suffix('\n').unwrap_or(&text);
        if body.is_empty() {
            continue;
        }
        for (i, line) in body.split('\n').enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let line = if i == 0 {
                line.strip_prefix('\u{feff}').unwrap_or(line)
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            let errs = env_name_errors(key);
            if !errs.is_empty() {
                return Err(format!(
                    "error: {} is not a valid key name: {}",
                    go_quote(key),
                    errs.join(";")
                ));
            }
            add(key, value.to_string())?;
        }
    }
    Ok(())
}

fn chdir_prefix_errors(key: &str, errs: &mut Vec<String>) {
    match key {
        "." => errs.push("must not be '.'".into()),
        ".." => errs.push("must not be '..'".into()),
        k if k.starts_with("..") => errs.push("must not start with '..'".into()),
        _ => {}
    }
}

/// apimachinery's `IsConfigMapKey`.
fn config_key_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".into());
    }
    let ok = !key.is_empty()
        && key
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(CONFIG_KEY_MSG.into());
    }
    chdir_prefix_errors(key, &mut errs);
    errs
}

/// apimachinery's `IsEnvVarName`.
fn env_name_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let mut bytes = key.bytes();
    let ok = bytes
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'-' | b'_' | b'.'))
        && bytes.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    if !ok {
        errs.push(ENV_NAME_MSG.into());
    }
    chdir_prefix_errors(key, &mut errs);
    errs
}

/// Go's `%q` of a string.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A JSON string as Go's `encoding/json` writes it (HTML-safe).
fn go_json(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The `~/.docker/config.json` kubectl writes for `create secret docker-registry`: one entry
/// under `auths`, `auth` being base64 of `user:password` (empty fields left out).
fn docker_config_json(user: &str, password: &str, email: &str, server: &str) -> String {
    let auth = base64_encode(format!("{user}:{password}").as_bytes());
    let fields: Vec<String> = [
        ("username", user),
        ("password", password),
        ("email", email),
        ("auth", auth.as_str()),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("\"{k}\":{}", go_json(v)))
    .collect();
    format!(
        "{{\"auths\":{{{}:{{{}}}}}}}",
        go_json(server),
        fields.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sources_parse_as_kubectl_does() {
        assert_eq!(
            parse_file_source("conf/app.properties"),
            Ok(("app.properties".into(), "conf/app.properties".into()))
        );
        assert_eq!(
            parse_file_source("k=conf/a"),
            Ok(("k".into(), "conf/a".into()))
        );
        assert!(parse_file_source("=a")
            .unwrap_err()
            .contains("key name for file path a missing"));
        assert!(parse_file_source("k=")
            .unwrap_err()
            .contains("file path for key name k missing"));
        assert!(parse_file_source("a=b=c").is_err());
        assert_eq!(go_base("dir/"), "dir");
        assert_eq!(go_base("///"), "/");
        assert_eq!(go_base(""), ".");
    }

    #[test]
    fn keys_are_checked_as_apimachinery_does() {
        assert!(config_key_errors("key.name").is_empty());
        assert_eq!(config_key_errors("a b"), [CONFIG_KEY_MSG]);
        assert_eq!(config_key_errors(".."), ["must not be '..'"]);
        assert_eq!(config_key_errors("..x"), ["must not start with '..'"]);
        assert_eq!(config_key_errors(&"k".repeat(254)).len(), 1);
        assert_eq!(config_key_errors(""), [CONFIG_KEY_MSG]);
        assert!(env_name_errors("MY_VAR").is_empty());
        assert_eq!(env_name_errors("1bad"), [ENV_NAME_MSG]);
        assert_eq!(go_quote("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn docker_config_is_what_kubectl_writes() {
        assert_eq!(
            docker_config_json("u", "p", "", "https://index.docker.io/v1/"),
            "{\"auths\":{\"https://index.docker.io/v1/\":{\"username\":\"u\",\"password\":\"p\",\"auth\":\"dTpw\"}}}"
        );
        assert!(docker_config_json("u", "p<&>", "e@x", "r").contains("p\\u003c\\u0026\\u003e"));
    }

    #[test]
    fn literals_need_a_key_and_an_equals_sign() {
        let mut got = Vec::new();
        let mut add = |k: &str, v: String| {
            got.push((k.to_string(), v));
            Ok(())
        };
        from_literals(&["a=b=c".into(), "e=".into()], &mut add).unwrap();
        assert!(from_literals(&["nokey".into()], &mut add).is_err());
        assert!(from_literals(&["=v".into()], &mut add).is_err());
        assert_eq!(
            got,
            [("a".into(), "b=c".into()), ("e".into(), String::new())]
        );
    }
}
