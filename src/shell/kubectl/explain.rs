//! `kubectl explain RESOURCE[.FIELD...] [--recursive] [--api-version=G/V]`: the API's own field
//! documentation, laid out as kubectl 1.31's "plaintext" template lays it out.
//!
//! The documentation is data (`explain.yaml`, generated from Kubernetes v1.31.0's OpenAPI
//! definitions by `scripts/gen-explain-data.py`), parsed once. The layout follows
//! `staging/src/k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl` step by step:
//! - header `GROUP:` (not for the core group), `KIND:`, `VERSION:` padded to column 12, a blank line;
//! - for a field path, `FIELD: name <type>`, then `ENUM:` with one value a line, then two newlines
//!   (so a field without enum values is followed by two blank lines: seen in real output);
//! - `DESCRIPTION:`: the field's description, then its type's, each ending in a newline, wrapped
//!   at 76 and indented 4 (every line, the empty last one too, hence a line of four spaces);
//! - `FIELDS:`: `  name\t<type>` (` -required-`), an `enum:` line of at most four values, the
//!   description wrapped at 76 and indented 4, a blank line; `--recursive` prints only the name
//!   lines, two more spaces a level, and stops at a type already being expanded above;
//! - wrapping is kubectl's `wrap` (go-wordwrap's `WrapString`: breaks at whitespace, keeps the
//!   text's own newlines, never breaks a word longer than the limit); 1.31 does not yet strip the
//!   description's newlines (that came after 1.31, kubernetes#126533).
//!
//! Checked against real kubectl output (1.30 and later) found in public notes: the header, the two
//! blank lines after `FIELD:`, the `ENUM:` block of `pod.spec.restartPolicy`,
//! `pod.spec.containers.livenessProbe` (first 20 lines), `deployment.spec.strategy --recursive`,
//! `deployment.spec.strategy.rollingUpdate`, `service.spec.ports.targetPort` (with the
//! IntOrString text), `kubectl explain deploy` and the missing-argument error. Not verified
//! character for character: the unknown-field error as printed to the terminal (the template's
//! text is `error: field "X" does not exist`, naming the path's last element, and the header is
//! already on stdout then: kubernetes/kubectl#1872), `--api-version` errors (taken from the
//! code), and fields whose description has the server's "Possible enum values" paragraph (added
//! only where its text was seen; see the script).

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use super::target;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A resource `kubectl explain` knows: its kind, group/version, plural and the other names the
/// REST mapper accepts (singular, short names), as `kubectl get` accepts them.
struct Resource {
    kind: &'static str,
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    aliases: &'static [&'static str],
}

const fn res(
    kind: &'static str,
    group: &'static str,
    plural: &'static str,
    aliases: &'static [&'static str],
) -> Resource {
    Resource {
        kind,
        group,
        version: "v1",
        plural,
        aliases,
    }
}

/// The simulated kinds, then the ones only documented so far (their types are not simulated).
const RESOURCES: &[Resource] = &[
    res("Pod", "", "pods", &["pod", "po"]),
    res("Node", "", "nodes", &["node", "no"]),
    res("Namespace", "", "namespaces", &["namespace", "ns"]),
    res("Event", "", "events", &["event", "ev"]),
    res(
        "Deployment",
        "apps",
        "deployments",
        &["deployment", "deploy"],
    ),
    res("ReplicaSet", "apps", "replicasets", &["replicaset", "rs"]),
    res(
        "StatefulSet",
        "apps",
        "statefulsets",
        &["statefulset", "sts"],
    ),
    res("DaemonSet", "apps", "daemonsets", &["daemonset", "ds"]),
    res("Job", "batch", "jobs", &["job"]),
    res("CronJob", "batch", "cronjobs", &["cronjob", "cj"]),
    res("Service", "", "services", &["service", "svc"]),
    res("ConfigMap", "", "configmaps", &["configmap", "cm"]),
    res("Secret", "", "secrets", &["secret"]),
    res(
        "PersistentVolumeClaim",
        "",
        "persistentvolumeclaims",
        &["persistentvolumeclaim", "pvc"],
    ),
    res(
        "PersistentVolume",
        "",
        "persistentvolumes",
        &["persistentvolume", "pv"],
    ),
    res(
        "Ingress",
        "networking.k8s.io",
        "ingresses",
        &["ingress", "ing"],
    ),
];

/// Group/versions a v1.31 kube-apiserver serves (for `--api-version`): asking for another one
/// fails before the schema is read, asking for one of these with a kind from elsewhere fails in
/// the template.
const SERVED: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

fn lookup(word: &str) -> Option<&'static Resource> {
    // The REST mapper matches resources case-insensitively.
    let w = word.to_lowercase();
    RESOURCES
        .iter()
        .find(|r| r.plural == w || r.aliases.contains(&w.as_str()))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Docs {
    types: BTreeMap<String, TypeDoc>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TypeDoc {
    #[serde(default)]
    description: Option<String>,
    /// Sorted by name, as kubectl prints them.
    #[serde(default)]
    fields: Vec<FieldDoc>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDoc {
    name: String,
    /// As kubectl prints it between `<` and `>`.
    #[serde(rename = "type")]
    type_: String,
    /// The type whose description follows the field's and whose fields are the field's.
    #[serde(default, rename = "ref")]
    ref_: Option<String>,
    #[serde(default)]
    required: bool,
    #[serde(default, rename = "enum")]
    enum_: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

impl TypeDoc {
    fn field(&self, name: &str) -> Option<&FieldDoc> {
        self.fields.iter().find(|f| f.name == name)
    }
}

#[cfg(any(test, not(target_arch = "wasm32")))]
fn parse_docs() -> Result<Docs, String> {
    parse_docs_text(include_str!("explain.yaml"))
}

fn parse_docs_text(text: &str) -> Result<Docs, String> {
    crate::yaml::from_str(text).map_err(|e| e.to_string())
}

/// The parsed documentation, or why there is none.
static DOCS: OnceLock<Result<Docs, String>> = OnceLock::new();

/// Natively the documentation is built into the binary. In the browser it is not in the wasm
/// (374 KB of the first view's download for a command few run at once): the page fetches
/// `explain.yaml` from the site after it starts and hands it over with [`provide`].
#[cfg(not(target_arch = "wasm32"))]
fn docs() -> Result<&'static Docs, String> {
    DOCS.get_or_init(parse_docs)
        .as_ref()
        .map_err(|e| format!("error: the API documentation could not be loaded: {e}"))
}

#[cfg(target_arch = "wasm32")]
fn docs() -> Result<&'static Docs, String> {
    match DOCS.get() {
        Some(Ok(d)) => Ok(d),
        Some(Err(e)) => Err(format!("error: the API documentation could not be loaded: {e}")),
        None => Err("error: the API documentation is still loading (the page fetches it from the site once); try again in a moment".into()),
    }
}

/// Hand over the documentation's text (`explain.yaml`, fetched by the page), or why it could
/// not be fetched. The first call wins; it is parsed here, once.
pub fn provide(text: Result<&str, String>) -> Result<(), String> {
    let parsed = text.and_then(parse_docs_text);
    let outcome = parsed.as_ref().map(|_| ()).map_err(Clone::clone);
    let _ = DOCS.set(parsed);
    outcome
}

impl Docs {
    fn get(&self, name: &str) -> Option<&TypeDoc> {
        self.types.get(name)
    }
    /// The type a field leads into, if it has fields of its own.
    fn inner(&self, f: &FieldDoc) -> Option<(&str, &TypeDoc)> {
        let (name, t) = self.types.get_key_value(f.ref_.as_deref()?)?;
        (!t.fields.is_empty()).then_some((name.as_str(), t))
    }
}

pub(super) fn explain(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("recursive", None, false),
            flag("api-version", None, true),
            flag("output", None, true),
        ],
    )?;
    let arg = match p.positional.as_slice() {
        [] => {
            return Err("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.".into())
        }
        [one] => one.as_str(),
        _ => return Err("error: We accept only this format: explain RESOURCE".into()),
    };
    let cluster = target(s, &p)?;
    // The schema comes from the API server, not from etcd: without quorum explain still works,
    // without any API server it cannot connect.
    if let Some(err) = s.world.clusters[cluster].api_unavailable() {
        if err.starts_with("The connection to the server") {
            return Err(err);
        }
    }
    let api_version = p.value("api-version").filter(|v| !v.is_empty());
    let (resource, fields) = split_request(arg, api_version.is_some())?;
    let (group, version) = match api_version {
        None => (resource.group.to_string(), resource.version.to_string()),
        Some(gv) => parse_group_version(gv)?,
    };
    let format = p.value("output").unwrap_or("plaintext");
    let gv = if group.is_empty() {
        version.clone()
    } else {
        format!("{group}/{version}")
    };
    let gvr = format!("{group}/{version}, Resource={}", resource.plural);
    if !SERVED.contains(&gv.as_str()) {
        return Err(format!("error: couldn't find resource for \"{gvr}\""));
    }
    match format {
        "plaintext" => {}
        "plaintext-openapiv2" => {
            return Err("error: Pocket Cluster does not simulate \"kubectl explain --output=plaintext-openapiv2\" yet (real kubectl has it)".into())
        }
        other => return Err(format!("error: unrecognized format: {other}")),
    }
    if group != resource.group || version != resource.version {
        return Err(format!("error: GVR ({gvr}) not found in OpenAPI schema"));
    }
    let docs = docs()?;
    Ok(render(docs, resource, &fields, p.bool("recursive")))
}

/// What `kubectl explain KIND.PATH` prints, for the editor's field docs: `kind` as a manifest
/// names it (`Deployment`), `path` the field names down from the object (list indexes
/// dropped). None for a kind without documentation here.
pub fn field_docs(kind: &str, path: &[String]) -> Option<Output> {
    let resource = RESOURCES.iter().find(|r| r.kind == kind)?;
    Some(match docs() {
        Ok(docs) => render(docs, resource, path, false),
        Err(e) => Output::err(e),
    })
}

/// `kubectl explain`'s parsing of `RESOURCE[.FIELD...]`: without `--api-version` a group-qualified
/// resource (`deployments.apps.spec`) is recognised by prefix, otherwise everything after the
/// first dot is the field path. One trailing dot is ignored.
fn split_request(arg: &str, plain: bool) -> Result<(&'static Resource, Vec<String>), String> {
    let arg = arg.strip_suffix('.').unwrap_or(arg);
    let mut parts = arg.split('.');
    let first = parts.next().unwrap_or("");
    let rest: Vec<String> = parts.map(str::to_string).collect();
    let resource = lookup(first)
        .ok_or_else(|| format!("error: the server doesn't have a resource type \"{first}\""))?;
    if !plain && !resource.group.is_empty() {
        let qualified = format!("{}.{}", resource.plural, resource.group);
        if let Some(suffix) = arg.strip_prefix(qualified.as_str()) {
            // kubectl drops the suffix's first character whatever it is (`resourceSuffix[1:]`).
            let mut chars = suffix.chars();
            let fields = match chars.next() {
                None => Vec::new(),
                Some(_) => chars.as_str().split('.').map(str::to_string).collect(),
            };
            return Ok((resource, fields));
        }
    }
    Ok((resource, rest))
}

/// `schema.ParseGroupVersion`.
fn parse_group_version(gv: &str) -> Result<(String, String), String> {
    if gv == "/" {
        return Ok((String::new(), String::new()));
    }
    match gv.split_once('/') {
        None => Ok((String::new(), gv.to_string())),
        Some((g, v)) if !v.contains('/') => Ok((g.to_string(), v.to_string())),
        Some(_) => Err(format!("error: unexpected GroupVersion string: {gv}")),
    }
}

fn render(docs: &Docs, resource: &Resource, path: &[String], recursive: bool) -> Output {
    let mut out = String::new();
    if !resource.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", resource.group));
    }
    out.push_str(&format!("KIND:       {}\n", resource.kind));
    out.push_str(&format!("VERSION:    {}\n\n", resource.version));
    let Some(root) = docs.get(resource.kind) else {
        return Output::err(format!(
            "error: GVK {}/{}, Kind={} not found in OpenAPI schema",
            resource.group, resource.version, resource.kind
        ));
    };
    let body = match path.split_last() {
        None => Some(describe_type(docs, root, recursive)),
        Some((last, parents)) => {
            let mut ty = root;
            let mut found = true;
            for name in parents {
                match ty.field(name).and_then(|f| docs.inner(f)) {
                    Some((_, inner)) => ty = inner,
                    None => {
                        found = false;
                        break;
                    }
                }
            }
            ty.field(last)
                .filter(|_| found)
                .map(|f| describe_field(docs, f, recursive))
        }
    };
    match body {
        Some(body) => {
            out.push_str(&body);
            // The template's own last newline: the text is exactly what kubectl writes.
            out.push('\n');
            Output::ok(out)
        }
        None => {
            // The template has already written the header when it finds the field missing, and
            // it names the path's last element whichever one was missing.
            let last = path.last().map(String::as_str).unwrap_or("");
            out.push_str(&format!("error: field \"{last}\" does not exist"));
            Output::err(out)
        }
    }
}

/// `kubectl explain RESOURCE`: the type's description and its fields.
fn describe_type(docs: &Docs, t: &TypeDoc, recursive: bool) -> String {
    let mut desc = String::new();
    if let Some(d) = &t.description {
        desc.push_str(d);
        desc.push('\n');
    }
    let mut out = description_block(&desc);
    let list = field_list(docs, t, 1, recursive, &mut Vec::new());
    if !list.is_empty() {
        out.push_str("FIELDS:\n");
        out.push_str(&list);
    }
    out
}

/// `kubectl explain RESOURCE.PATH.FIELD`: the field's line, its description and its type's, and
/// the fields of its type.
fn describe_field(docs: &Docs, f: &FieldDoc, recursive: bool) -> String {
    let mut out = format!("FIELD: {} <{}>\n", f.name, f.type_);
    if !f.enum_.is_empty() {
        out.push_str("ENUM:");
        for e in &f.enum_ {
            out.push_str("\n    ");
            out.push_str(enum_value(e));
        }
    }
    out.push_str("\n\n");
    let mut desc = String::new();
    if let Some(d) = &f.description {
        desc.push_str(d);
        desc.push('\n');
    }
    if let Some(d) = f
        .ref_
        .as_deref()
        .and_then(|r| docs.get(r))
        .and_then(|t| t.description.as_ref())
    {
        desc.push_str(d);
        desc.push('\n');
    }
    out.push_str(&description_block(&desc));
    if let Some((name, inner)) = docs.inner(f) {
        let list = field_list(docs, inner, 1, recursive, &mut vec![name]);
        if !list.is_empty() {
            out.push_str("FIELDS:\n");
            out.push_str(&list);
        }
    }
    out
}

fn description_block(desc: &str) -> String {
    let desc = if desc.is_empty() { "<empty>" } else { desc };
    format!("DESCRIPTION:\n{}\n", indent(&wrap(desc, 76), 4))
}

/// The `fieldList` template: each field, and with `--recursive` the fields of its type below it,
/// except a type already being expanded further up (`expanding`).
fn field_list<'a>(
    docs: &'a Docs,
    t: &'a TypeDoc,
    level: usize,
    recursive: bool,
    expanding: &mut Vec<&'a str>,
) -> String {
    let mut out = String::new();
    for f in &t.fields {
        out.push_str(&field_detail(f, level, recursive));
        if recursive {
            if let Some((name, inner)) = docs.inner(f) {
                if !expanding.contains(&name) {
                    expanding.push(name);
                    out.push_str(&field_list(docs, inner, level + 1, true, expanding));
                    expanding.pop();
                }
            }
        }
    }
    out
}

/// The `fieldDetail` template.
fn field_detail(f: &FieldDoc, level: usize, short: bool) -> String {
    let pad = " ".repeat(level * 2);
    let mut out = format!("{pad}{}\t<{}>", f.name, f.type_);
    if f.required {
        out.push_str(" -required-");
    }
    if !f.enum_.is_empty() {
        out.push('\n');
        out.push_str(&pad);
        out.push_str("enum: ");
        for (i, e) in f.enum_.iter().enumerate() {
            if i >= 4 {
                out.push_str(", ....");
                break;
            }
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(enum_value(e));
        }
    }
    out.push('\n');
    if !short {
        let desc = f.description.as_deref().unwrap_or("<no description>");
        // `wrap (sub 78 $indentAmount)`: a limit of zero or less does not wrap at all.
        let limit = 78usize.saturating_sub(level * 2);
        out.push_str(&indent(&wrap(desc, limit), level * 2 + 2));
        out.push_str("\n\n");
    }
    out
}

fn enum_value(e: &str) -> &str {
    if e.is_empty() {
        "\"\""
    } else {
        e
    }
}

/// The template's `indent`: every line, the empty ones too, gets the padding.
fn indent(s: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

/// go-wordwrap's `WrapString` (v1.0.1), which kubectl's `wrap` calls: breaks at whitespace
/// (except no-break space), keeps existing newlines, counts characters, and lets a word longer
/// than the limit run past it. A limit of 0 leaves the text as it is.
fn wrap(s: &str, lim: usize) -> String {
    if lim == 0 {
        return s.to_string();
    }
    let mut buf = String::with_capacity(s.len() + s.len() / 32);
    let mut current = 0usize;
    let (mut word, mut word_len) = (String::new(), 0usize);
    let (mut space, mut space_len) = (String::new(), 0usize);
    for c in s.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= lim {
                    buf.push_str(&space);
                }
            } else {
                buf.push_str(&space);
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            buf.push(c);
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                buf.push_str(&space);
                buf.push_str(&word);
                space.clear();
                space_len = 0;
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > lim && word_len < lim {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= lim {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::*;
    use serde::de::{self, Visitor};
    use std::collections::BTreeSet;

    fn run(line: &str) -> Output {
        let mut s = Session::new(1);
        s.run(line, None)
    }

    /// `yaml::from_str` reads the docs as serde_yaml did (the same values; a broken text, the
    /// same error).
    #[test]
    fn docs_decode_as_serde_yaml_decoded_them() {
        let text = include_str!("explain.yaml");
        crate::yaml::tests::same::<Docs>(text);
        crate::yaml::tests::same::<Docs>(&text[..text.len() / 3]);
        crate::yaml::tests::same::<Docs>(&text.replacen("name:", "nme:", 1));
    }

    #[test]
    fn documentation_handed_over_is_parsed_and_a_broken_text_is_an_error() {
        // What the page hands over after fetching explain.yaml: the real text parses (the
        // first call wins, so natively this leaves the same documentation in place).
        assert_eq!(provide(Ok(include_str!("explain.yaml"))), Ok(()));
        assert!(parse_docs_text("types: [not, a, map").is_err());
        assert!(provide(Err("explain.yaml: HTTP 404".into())).is_err());
        assert!(run("kubectl explain pod.spec.restartPolicy").ok);
    }

    #[test]
    fn the_documentation_parses_and_every_reference_resolves() {
        let docs = parse_docs().expect("explain.yaml parses");
        for r in RESOURCES {
            assert!(
                docs.get(r.kind).is_some(),
                "no documentation for {}",
                r.kind
            );
        }
        for (name, t) in &docs.types {
            let names: Vec<&str> = t.fields.iter().map(|f| f.name.as_str()).collect();
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(names, sorted, "{name}: fields must be sorted and unique");
            for f in &t.fields {
                if let Some(r) = &f.ref_ {
                    assert!(docs.get(r).is_some(), "{name}.{}: unknown type {r}", f.name);
                }
            }
        }
    }

    /// Collects the field names a derived `Deserialize` asks for (serialised names, after
    /// `rename_all` and `rename`), without deserialising anything.
    struct FieldNames(Vec<&'static str>);

    #[derive(Debug)]
    struct Stop;
    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("stop")
        }
    }
    impl std::error::Error for Stop {}
    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    impl<'de> de::Deserializer<'de> for &mut FieldNames {
        type Error = Stop;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop)
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            self.0.extend_from_slice(fields);
            Err(Stop)
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }

    fn fields_of<T: for<'de> Deserialize<'de>>() -> Vec<&'static str> {
        let mut names = FieldNames(Vec::new());
        let _ = T::deserialize(&mut names);
        names.0
    }

    /// Every struct of the simulator's API types, with the OpenAPI type(s) it stands for. A
    /// struct shared by several (conditions, rolling updates) needs each of its fields documented
    /// in at least one of them.
    fn simulated() -> Vec<(&'static str, Vec<&'static str>, &'static [&'static str])> {
        vec![
            ("ObjectMeta", fields_of::<ObjectMeta>(), &["ObjectMeta"]),
            (
                "OwnerReference",
                fields_of::<OwnerReference>(),
                &["OwnerReference"],
            ),
            ("Pod", fields_of::<Pod>(), &["Pod"]),
            ("PodSpec", fields_of::<PodSpec>(), &["PodSpec"]),
            // The fields a PodSpec shares with its template: it (de)serialises as them.
            ("PodSpecFields", fields_of::<PodSpecFields>(), &["PodSpec"]),
            ("Container", fields_of::<Container>(), &["Container"]),
            ("Probe", fields_of::<Probe>(), &["Probe"]),
            (
                "HttpGetAction",
                fields_of::<HttpGetAction>(),
                &["HTTPGetAction"],
            ),
            (
                "TcpSocketAction",
                fields_of::<TcpSocketAction>(),
                &["TCPSocketAction"],
            ),
            ("ExecAction", fields_of::<ExecAction>(), &["ExecAction"]),
            (
                "ContainerPort",
                fields_of::<ContainerPort>(),
                &["ContainerPort"],
            ),
            ("EnvVar", fields_of::<EnvVar>(), &["EnvVar"]),
            (
                "ResourceRequirements",
                fields_of::<ResourceRequirements>(),
                &["ResourceRequirements"],
            ),
            ("Toleration", fields_of::<Toleration>(), &["Toleration"]),
            ("PodStatus", fields_of::<PodStatus>(), &["PodStatus"]),
            (
                "Condition",
                fields_of::<Condition>(),
                &[
                    "PodCondition",
                    "NodeCondition",
                    "DeploymentCondition",
                    "ReplicaSetCondition",
                    "StatefulSetCondition",
                    "DaemonSetCondition",
                    "JobCondition",
                ],
            ),
            (
                "ContainerStatus",
                fields_of::<ContainerStatus>(),
                &["ContainerStatus"],
            ),
            (
                "ContainerState",
                fields_of::<ContainerState>(),
                &["ContainerState"],
            ),
            (
                "StateWaiting",
                fields_of::<StateWaiting>(),
                &["ContainerStateWaiting"],
            ),
            (
                "StateRunning",
                fields_of::<StateRunning>(),
                &["ContainerStateRunning"],
            ),
            (
                "StateTerminated",
                fields_of::<StateTerminated>(),
                &["ContainerStateTerminated"],
            ),
            ("Node", fields_of::<Node>(), &["Node"]),
            ("NodeSpec", fields_of::<NodeSpec>(), &["NodeSpec"]),
            ("Taint", fields_of::<Taint>(), &["Taint"]),
            ("NodeStatus", fields_of::<NodeStatus>(), &["NodeStatus"]),
            ("NodeAddress", fields_of::<NodeAddress>(), &["NodeAddress"]),
            (
                "NodeSystemInfo",
                fields_of::<NodeSystemInfo>(),
                &["NodeSystemInfo"],
            ),
            ("Namespace", fields_of::<Namespace>(), &["Namespace"]),
            (
                "NamespaceSpec",
                fields_of::<NamespaceSpec>(),
                &["NamespaceSpec"],
            ),
            (
                "NamespaceStatus",
                fields_of::<NamespaceStatus>(),
                &["NamespaceStatus"],
            ),
            (
                "LabelSelector",
                fields_of::<LabelSelector>(),
                &["LabelSelector"],
            ),
            (
                "LabelSelectorRequirement",
                fields_of::<LabelSelectorRequirement>(),
                &["LabelSelectorRequirement"],
            ),
            (
                "PodTemplateSpec",
                fields_of::<PodTemplateSpec>(),
                &["PodTemplateSpec"],
            ),
            ("Deployment", fields_of::<Deployment>(), &["Deployment"]),
            (
                "DeploymentSpec",
                fields_of::<DeploymentSpec>(),
                &["DeploymentSpec"],
            ),
            (
                "DeploymentStrategy",
                fields_of::<DeploymentStrategy>(),
                &["DeploymentStrategy"],
            ),
            (
                "RollingUpdate",
                fields_of::<RollingUpdate>(),
                &["RollingUpdateDeployment", "RollingUpdateDaemonSet"],
            ),
            (
                "DeploymentStatus",
                fields_of::<DeploymentStatus>(),
                &["DeploymentStatus"],
            ),
            ("ReplicaSet", fields_of::<ReplicaSet>(), &["ReplicaSet"]),
            (
                "ReplicaSetSpec",
                fields_of::<ReplicaSetSpec>(),
                &["ReplicaSetSpec"],
            ),
            (
                "ReplicaSetStatus",
                fields_of::<ReplicaSetStatus>(),
                &["ReplicaSetStatus"],
            ),
            ("DaemonSet", fields_of::<DaemonSet>(), &["DaemonSet"]),
            (
                "DaemonSetSpec",
                fields_of::<DaemonSetSpec>(),
                &["DaemonSetSpec"],
            ),
            (
                "DaemonSetUpdateStrategy",
                fields_of::<DaemonSetUpdateStrategy>(),
                &["DaemonSetUpdateStrategy"],
            ),
            (
                "DaemonSetStatus",
                fields_of::<DaemonSetStatus>(),
                &["DaemonSetStatus"],
            ),
            ("Job", fields_of::<Job>(), &["Job"]),
            ("JobSpec", fields_of::<JobSpec>(), &["JobSpec"]),
            ("JobStatus", fields_of::<JobStatus>(), &["JobStatus"]),
            ("CronJob", fields_of::<CronJob>(), &["CronJob"]),
            ("CronJobSpec", fields_of::<CronJobSpec>(), &["CronJobSpec"]),
            (
                "JobTemplateSpec",
                fields_of::<JobTemplateSpec>(),
                &["JobTemplateSpec"],
            ),
            (
                "CronJobStatus",
                fields_of::<CronJobStatus>(),
                &["CronJobStatus"],
            ),
            (
                "ObjectReference",
                fields_of::<ObjectReference>(),
                &["ObjectReference"],
            ),
            ("StatefulSet", fields_of::<StatefulSet>(), &["StatefulSet"]),
            (
                "StatefulSetSpec",
                fields_of::<StatefulSetSpec>(),
                &["StatefulSetSpec"],
            ),
            (
                "StatefulSetOrdinals",
                fields_of::<StatefulSetOrdinals>(),
                &["StatefulSetOrdinals"],
            ),
            (
                "StatefulSetUpdateStrategy",
                fields_of::<StatefulSetUpdateStrategy>(),
                &["StatefulSetUpdateStrategy"],
            ),
            (
                "StatefulSetRollingUpdate",
                fields_of::<StatefulSetRollingUpdate>(),
                &["RollingUpdateStatefulSetStrategy"],
            ),
            (
                "StatefulSetStatus",
                fields_of::<StatefulSetStatus>(),
                &["StatefulSetStatus"],
            ),
        ]
    }

    #[test]
    fn every_field_of_the_simulated_types_is_documented() {
        let docs = parse_docs().expect("explain.yaml parses");
        let mut missing = Vec::new();
        for (rust, fields, openapi) in simulated() {
            assert!(!fields.is_empty(), "{rust}: no fields found");
            for t in openapi {
                assert!(docs.get(t).is_some(), "{rust}: no documented type {t}");
            }
            for f in fields {
                let documented = openapi
                    .iter()
                    .any(|t| docs.get(t).is_some_and(|d| d.field(f).is_some()));
                if !documented {
                    missing.push(format!("{rust}.{f} (in {})", openapi.join(" or ")));
                }
            }
        }
        assert!(missing.is_empty(), "undocumented fields: {missing:?}");
    }

    /// Event is not shaped like core/v1 Event (it flattens involvedObject and source); each of
    /// its serialised fields must still have a documented counterpart.
    #[test]
    fn every_field_of_the_simulated_event_has_a_documented_counterpart() {
        let docs = parse_docs().expect("explain.yaml parses");
        let event = Event {
            namespace: "".into(),
            involved_name: "".into(),
            words: EventWords::of("", "", "", ""),
            message: "".into(),
            first_timestamp: 0,
            last_timestamp: 0,
            count: 0,
            key: 0,
        };
        let value = serde_json::to_value(&event).expect("an Event serialises");
        let keys: Vec<String> = value
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        assert!(!keys.is_empty());
        let counterpart = |k: &str| -> Option<&'static str> {
            Some(match k {
                "namespace" => "metadata.namespace",
                "involvedKind" => "involvedObject.kind",
                "involvedName" => "involvedObject.name",
                "source" => "source.component",
                "type" => "type",
                "reason" => "reason",
                "message" => "message",
                "firstTimestamp" => "firstTimestamp",
                "lastTimestamp" => "lastTimestamp",
                "count" => "count",
                _ => return None,
            })
        };
        for k in keys {
            let path = counterpart(&k).unwrap_or_else(|| panic!("Event.{k}: no counterpart"));
            let mut t = docs.get("Event").expect("Event documented");
            let parts: Vec<&str> = path.split('.').collect();
            for (i, part) in parts.iter().enumerate() {
                let f = t
                    .field(part)
                    .unwrap_or_else(|| panic!("Event.{k}: {path} is not documented"));
                if i + 1 < parts.len() {
                    t = docs.inner(f).expect("an object").1;
                }
            }
        }
    }

    /// A struct added to the API types without being added to [`simulated`] fails here.
    #[test]
    fn every_api_struct_is_checked() {
        let listed: BTreeSet<&str> = simulated().into_iter().map(|(r, _, _)| r).collect();
        let sources = [
            include_str!("../../sim/api/types.rs"),
            include_str!("../../sim/api/workloads.rs"),
        ];
        for src in sources {
            for line in src.lines() {
                let Some(rest) = line.trim().strip_prefix("pub struct ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // Quantity is a string (a tuple struct), Shared<T> reads as its T; Event (with
                // the EventWords it serialises flat) has its own test above.
                let after = rest[name.len()..].trim_start_matches(|c| c != '(' && c != '{');
                if after.starts_with('(') || name == "Event" || name == "EventWords" {
                    continue;
                }
                assert!(listed.contains(name.as_str()), "{name} is not checked");
            }
        }
    }

    #[test]
    fn names_are_the_ones_kubectl_get_takes() {
        for w in [
            "pods",
            "pod",
            "po",
            "nodes",
            "node",
            "no",
            "namespaces",
            "namespace",
            "ns",
            "events",
            "event",
            "ev",
            "deployments",
            "deployment",
            "deploy",
            "replicasets",
            "replicaset",
            "rs",
            "daemonsets",
            "daemonset",
            "ds",
            "statefulsets",
            "statefulset",
            "sts",
            "jobs",
            "job",
            "cronjobs",
            "cronjob",
            "cj",
        ] {
            let kind = super::super::resource_kind(w).expect("kubectl get takes it");
            let r = lookup(w).unwrap_or_else(|| panic!("explain does not take {w}"));
            assert_eq!(format!("{kind:?}").to_lowercase(), r.plural, "{w}");
        }
        for w in [
            "svc",
            "cm",
            "secret",
            "pvc",
            "pv",
            "ing",
            "Ingresses",
            "PODS",
        ] {
            assert!(lookup(w).is_some(), "{w}");
        }
    }

    #[test]
    fn wrap_is_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("one\n\ntwo three", 5), "one\n\ntwo\nthree");
        // A word longer than the limit is not broken.
        assert_eq!(
            wrap("More info: https://example.com/a/very/long/url", 12),
            "More info:\nhttps://example.com/a/very/long/url"
        );
        assert_eq!(wrap("", 76), "");
        assert_eq!(wrap("x y", 0), "x y");
        assert_eq!(wrap("é é é é", 3), "é é\né é");
    }

    #[test]
    fn a_leaf_field() {
        let out = run("kubectl explain deployment.spec.replicas");
        assert!(out.ok, "{}", out.text);
        assert_eq!(
            out.text,
            "GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: replicas <integer>\n\n\nDESCRIPTION:\n    Number of desired pods. This is a pointer to distinguish between explicit\n    zero and not specified. Defaults to 1.\n    \n\n"
        );
    }

    #[test]
    fn enum_values() {
        let out = run("kubectl explain pod.spec.restartPolicy");
        assert!(out.text.contains(
            "FIELD: restartPolicy <string>\nENUM:\n    Always\n    Never\n    OnFailure\n\nDESCRIPTION:\n"
        ));
        assert!(out
            .text
            .contains("\n    \n    Possible enum values:\n     - `\"Always\"`\n"));
        let out = run("kubectl explain pod.spec");
        assert!(out
            .text
            .contains("  restartPolicy\t<string>\n  enum: Always, Never, OnFailure\n    Restart"));
        let out = run("kubectl explain pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.matchExpressions");
        assert!(
            out.text
                .contains("  enum: DoesNotExist, Exists, Gt, In, ....\n"),
            "{}",
            out.text
        );
    }

    #[test]
    fn errors() {
        let out = run("kubectl explain");
        assert!(!out.ok);
        assert_eq!(out.text, "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.");
        assert_eq!(
            run("kubectl explain pods nodes").text,
            "error: We accept only this format: explain RESOURCE"
        );
        assert_eq!(
            run("kubectl explain foo.spec").text,
            "error: the server doesn't have a resource type \"foo\""
        );
        let out = run("kubectl explain pods.spec.nope.deeper");
        assert!(!out.ok);
        assert_eq!(
            out.text,
            "KIND:       Pod\nVERSION:    v1\n\nerror: field \"deeper\" does not exist"
        );
        assert_eq!(
            run("kubectl explain pods --api-version=apps/v1").text,
            "error: GVR (apps/v1, Resource=pods) not found in OpenAPI schema"
        );
        assert_eq!(
            run("kubectl explain deploy --api-version=apps/v2").text,
            "error: couldn't find resource for \"apps/v2, Resource=deployments\""
        );
        assert_eq!(
            run("kubectl explain deploy --api-version=a/b/c").text,
            "error: unexpected GroupVersion string: a/b/c"
        );
        assert_eq!(
            run("kubectl explain pods --output=json").text,
            "error: unrecognized format: json"
        );
    }

    #[test]
    fn group_qualified_names_and_api_version() {
        let a = run("kubectl explain deployments.apps.spec.paused");
        let b = run("kubectl explain deploy.spec.paused --api-version=apps/v1");
        assert!(a.ok && b.ok, "{}\n{}", a.text, b.text);
        assert_eq!(a.text, b.text);
        assert!(run("kubectl explain ingresses.networking.k8s.io").ok);
        // Without the prefix match, "apps" is a field.
        assert!(run("kubectl explain deploy.apps")
            .text
            .ends_with("error: field \"apps\" does not exist"));
        assert!(run("kubectl explain Pods.").ok);
    }

    #[test]
    fn every_kind_explains_recursively() {
        for r in RESOURCES {
            let out = run(&format!("kubectl explain {} --recursive", r.plural));
            assert!(out.ok, "{}: {}", r.kind, out.text);
            assert!(
                out.text.contains("FIELDS:\n") && out.text.contains("\n  apiVersion\t<string>\n")
            );
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for line in [
            "kubectl explain pods..spec",
            "kubectl explain .",
            "kubectl explain ..",
            "kubectl explain ''",
            "kubectl explain pods.é.ü",
            "kubectl explain deployments.appsé",
            "kubectl explain deployments.apps.",
            "kubectl explain pod.spec.containers.resources.limits.cpu",
            "kubectl explain pods --api-version=/",
            "kubectl explain pods --api-version=",
            "kubectl explain pods --recursive=false",
            "kubectl explain 🙂.spec",
        ] {
            let _ = run(line);
        }
        let long = format!("kubectl explain pods{}", ".spec".repeat(10_000));
        assert!(run(&long)
            .text
            .ends_with("error: field \"spec\" does not exist"));
    }
}
