//! The proxies that run in pods and route by objects of the API: Ingress controllers
//! (ingress-nginx, HAProxy Ingress by jcmoraisjr, HAProxy Technologies' kubernetes-ingress) and
//! Emissary-ingress (Ambassador) with its Mapping, Host and Listener resources.
//!
//! A proxy is recognised by its container image and flags ([`Proxy::of`]). What it routes by is
//! a snapshot of the cluster's objects ([`Routes::of`]), taken with the rest of the network's
//! view. [`decide`] is pure: from the proxy, the routes and one request it says what the proxy
//! does (answer at once: a redirect, a 404; or forward to a backend, with the path to send) and
//! why, hop by hop. The network (`net.rs`) then carries the forwarded request on from the
//! proxy's pod: an Ingress controller to one endpoint of the backend Service it picks itself,
//! Emissary to the Service's name through cluster DNS and kube-proxy (its default resolver).
//!
//! Simplified, and said so in the hops: TLS is a flag on the request (no certificates are
//! checked beyond the Secret existing); `prefix_regex`, header and query matches of Mappings,
//! Host `mappingSelector`s and most annotations are not simulated.

use crate::sim::api::unstructured::Unstructured;
use crate::sim::api::Store;
use crate::sim::network::{Hop, HttpRequest, HttpResponse};
use crate::sim::rng::Rng;
use serde_yaml::Value;
use std::collections::BTreeMap;

/// A port of a backend Service: by number or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    Number(i64),
    Name(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(n) => write!(f, "{n}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngressBackend {
    pub service: String,
    pub port: PortRef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngressPath {
    pub path: String,
    pub path_type: String,
    pub backend: Option<IngressBackend>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngressRule {
    pub host: String,
    pub paths: Vec<IngressPath>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IngressView {
    pub namespace: String,
    pub name: String,
    pub class: String,
    pub annotations: BTreeMap<String, String>,
    pub default_backend: Option<IngressBackend>,
    pub rules: Vec<IngressRule>,
    /// `spec.tls`: hosts and the Secret holding their certificate.
    pub tls: Vec<(Vec<String>, String)>,
}

impl IngressView {
    fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(String::as_str)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClassView {
    pub name: String,
    pub controller: String,
    pub default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MappingView {
    pub namespace: String,
    pub name: String,
    pub prefix: String,
    pub prefix_regex: bool,
    pub prefix_exact: bool,
    /// `hostname` (a DNS glob), or `host` (exact, deprecated); `*` when neither is set.
    pub hostname: String,
    pub host_exact: bool,
    /// None: the default, "/".
    pub rewrite: Option<String>,
    pub service: String,
    pub weight: Option<i64>,
    pub timeout_ms: i64,
    pub method: String,
    pub precedence: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostView {
    pub namespace: String,
    pub name: String,
    pub hostname: String,
    /// `requestPolicy.insecure.action`: Redirect (the default), Route or Reject.
    pub insecure: String,
    pub tls_secret: String,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListenerView {
    pub namespace: String,
    pub name: String,
    pub port: i64,
    pub protocol: String,
    pub security_model: String,
}

/// What the proxies of one cluster route by.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routes {
    pub ingresses: Vec<IngressView>,
    pub classes: Vec<ClassView>,
    pub mappings: Vec<MappingView>,
    pub hosts: Vec<HostView>,
    pub listeners: Vec<ListenerView>,
    /// TLS Secrets: (namespace, name).
    pub secrets: Vec<(String, String)>,
}

pub const INGRESSES: &str = "ingresses.networking.k8s.io";
pub const INGRESS_CLASSES: &str = "ingressclasses.networking.k8s.io";
pub const MAPPINGS: &str = "mappings.getambassador.io";
pub const HOSTS: &str = "hosts.getambassador.io";
pub const LISTENERS: &str = "listeners.getambassador.io";
pub const DEFAULT_CLASS: &str = "ingressclass.kubernetes.io/is-default-class";
pub const LEGACY_CLASS: &str = "kubernetes.io/ingress.class";

fn s(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping()?.get(key)
}

fn backend(v: Option<&Value>) -> Option<IngressBackend> {
    let svc = get(v?, "service")?;
    let port = get(svc, "port");
    let port = match port.and_then(|p| get(p, "number")).and_then(Value::as_i64) {
        Some(n) => PortRef::Number(n),
        None => PortRef::Name(s(port.and_then(|p| get(p, "name")))),
    };
    Some(IngressBackend {
        service: s(get(svc, "name")),
        port,
    })
}

fn seq(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_sequence)
        .map(|x| x.as_slice())
        .unwrap_or(&[])
}

fn ingress_view(o: &Unstructured) -> IngressView {
    let spec = o.field("spec").cloned().unwrap_or(Value::Null);
    let rules = seq(get(&spec, "rules"))
        .iter()
        .map(|r| IngressRule {
            host: s(get(r, "host")),
            paths: seq(get(r, "http").and_then(|h| get(h, "paths")))
                .iter()
                .map(|p| IngressPath {
                    path: s(get(p, "path")),
                    path_type: s(get(p, "pathType")),
                    backend: backend(get(p, "backend")),
                })
                .collect(),
        })
        .collect();
    let tls = seq(get(&spec, "tls"))
        .iter()
        .map(|t| {
            (
                seq(get(t, "hosts")).iter().map(|h| s(Some(h))).collect(),
                s(get(t, "secretName")),
            )
        })
        .collect();
    IngressView {
        namespace: o.metadata.namespace.clone(),
        name: o.metadata.name.clone(),
        class: s(get(&spec, "ingressClassName")),
        annotations: o.metadata.annotations.clone(),
        default_backend: backend(get(&spec, "defaultBackend")),
        rules,
        tls,
    }
}

fn mapping_view(o: &Unstructured) -> MappingView {
    let spec = o.field("spec").cloned().unwrap_or(Value::Null);
    let hostname = s(get(&spec, "hostname"));
    let host = s(get(&spec, "host"));
    let (hostname, host_exact) = match (hostname.is_empty(), host.is_empty()) {
        (false, _) => (hostname, false),
        (true, false) => (host, true),
        (true, true) => ("*".to_string(), false),
    };
    MappingView {
        namespace: o.metadata.namespace.clone(),
        name: o.metadata.name.clone(),
        prefix: s(get(&spec, "prefix")),
        prefix_regex: get(&spec, "prefix_regex").and_then(Value::as_bool) == Some(true),
        prefix_exact: get(&spec, "prefix_exact").and_then(Value::as_bool) == Some(true),
        hostname,
        host_exact,
        rewrite: get(&spec, "rewrite").map(|r| s(Some(r))),
        service: s(get(&spec, "service")),
        weight: get(&spec, "weight").and_then(Value::as_i64),
        timeout_ms: get(&spec, "timeout_ms")
            .and_then(Value::as_i64)
            .unwrap_or(3000),
        method: s(get(&spec, "method")),
        precedence: get(&spec, "precedence")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    }
}

impl Routes {
    /// The routing objects of one cluster's store.
    pub fn of(store: &Store) -> Routes {
        let table = |r: &str| {
            store
                .unstructured
                .get(r)
                .into_iter()
                .flat_map(|t| t.values())
        };
        let ingresses = table(INGRESSES).map(ingress_view).collect();
        let classes = table(INGRESS_CLASSES)
            .map(|o| ClassView {
                name: o.metadata.name.clone(),
                controller: o.str_at(&["spec", "controller"]).to_string(),
                default: o
                    .metadata
                    .annotations
                    .get(DEFAULT_CLASS)
                    .is_some_and(|v| v == "true"),
            })
            .collect();
        let mappings = table(MAPPINGS).map(mapping_view).collect();
        let hosts = table(HOSTS)
            .map(|o| {
                let spec = o.field("spec").cloned().unwrap_or(Value::Null);
                let hostname = s(get(&spec, "hostname"));
                let insecure = s(get(&spec, "requestPolicy")
                    .and_then(|r| get(r, "insecure"))
                    .and_then(|i| get(i, "action")));
                HostView {
                    namespace: o.metadata.namespace.clone(),
                    name: o.metadata.name.clone(),
                    hostname: if hostname.is_empty() {
                        "*".into()
                    } else {
                        hostname
                    },
                    insecure: if insecure.is_empty() {
                        "Redirect".into()
                    } else {
                        insecure
                    },
                    tls_secret: s(get(&spec, "tlsSecret").and_then(|t| get(t, "name"))),
                    annotations: o.metadata.annotations.clone(),
                }
            })
            .collect();
        let listeners = table(LISTENERS)
            .map(|o| ListenerView {
                namespace: o.metadata.namespace.clone(),
                name: o.metadata.name.clone(),
                port: o
                    .path(&["spec", "port"])
                    .and_then(Value::as_i64)
                    .unwrap_or(0),
                protocol: o.str_at(&["spec", "protocol"]).to_string(),
                security_model: o.str_at(&["spec", "securityModel"]).to_string(),
            })
            .collect();
        let secrets = table("secrets")
            .filter(|o| o.str_at(&["type"]) == "kubernetes.io/tls")
            .map(|o| (o.metadata.namespace.clone(), o.metadata.name.clone()))
            .collect();
        Routes {
            ingresses,
            classes,
            mappings,
            hosts,
            listeners,
            secrets,
        }
    }
}

/// Which proxy a container is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyKind {
    IngressNginx,
    /// jcmoraisjr/haproxy-ingress.
    HaproxyIngress,
    /// haproxytech/kubernetes-ingress.
    HaproxyTech,
    Emissary,
}

/// A proxy container and the flags it runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Proxy {
    pub kind: ProxyKind,
    /// The IngressClass `spec.controller` it claims.
    pub controller: String,
    /// The legacy class name (`--ingress-class`, `--ingress.class`).
    pub class: String,
    pub watch_without_class: bool,
    /// `--publish-service=NS/NAME`: the Service whose address it writes into Ingress status.
    pub publish_service: String,
    /// ingress-nginx serves `ssl-passthrough` only with `--enable-ssl-passthrough`.
    pub passthrough_enabled: bool,
    /// `--default-backend-service=NS/NAME`.
    pub default_backend: String,
    pub http_port: i64,
    pub https_port: i64,
}

/// The repository of an image, without registry `docker.io/` or `quay.io/` and tag or digest.
fn repo(image: &str) -> String {
    let (r, _) = crate::sim::images::normalise(image);
    r.strip_prefix("quay.io/").map(String::from).unwrap_or(r)
}

impl Proxy {
    /// The proxy a container of `image` with `args` (command and args) is, if it is one.
    pub fn of(image: &str, args: &[String]) -> Option<Proxy> {
        let kind = match repo(image).as_str() {
            "registry.k8s.io/ingress-nginx/controller" => ProxyKind::IngressNginx,
            "jcmoraisjr/haproxy-ingress" => ProxyKind::HaproxyIngress,
            "haproxytech/kubernetes-ingress" => ProxyKind::HaproxyTech,
            "emissaryingress/emissary" | "datawire/emissary" | "datawire/ambassador" => {
                ProxyKind::Emissary
            }
            _ => return None,
        };
        let mut flags: BTreeMap<String, String> = BTreeMap::new();
        for a in args {
            if let Some(f) = a.strip_prefix("--") {
                let (k, v) = f.split_once('=').unwrap_or((f, "true"));
                flags.insert(k.to_string(), v.to_string());
            }
        }
        let flag = |k: &str| flags.get(k).cloned().unwrap_or_default();
        let on = |k: &str| flags.get(k).is_some_and(|v| v == "true");
        let port = |k: &str, d: i64| flags.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
        Some(match kind {
            ProxyKind::IngressNginx => Proxy {
                kind,
                controller: flags
                    .get("controller-class")
                    .cloned()
                    .unwrap_or_else(|| "k8s.io/ingress-nginx".into()),
                class: flags
                    .get("ingress-class")
                    .cloned()
                    .unwrap_or_else(|| "nginx".into()),
                watch_without_class: on("watch-ingress-without-class"),
                publish_service: flag("publish-service"),
                passthrough_enabled: on("enable-ssl-passthrough"),
                default_backend: flag("default-backend-service"),
                http_port: port("http-port", 80),
                https_port: port("https-port", 443),
            },
            ProxyKind::HaproxyIngress => Proxy {
                kind,
                controller: flags
                    .get("controller-class")
                    .map(|c| {
                        if c.contains('/') {
                            c.clone()
                        } else {
                            format!("haproxy-ingress.github.io/controller/{c}")
                        }
                    })
                    .unwrap_or_else(|| "haproxy-ingress.github.io/controller".into()),
                class: flags
                    .get("ingress-class")
                    .cloned()
                    .unwrap_or_else(|| "haproxy".into()),
                watch_without_class: on("watch-ingress-without-class"),
                publish_service: flag("publish-service"),
                passthrough_enabled: true,
                default_backend: flag("default-backend-service"),
                http_port: 80,
                https_port: 443,
            },
            ProxyKind::HaproxyTech => {
                let class = flag("ingress.class");
                Proxy {
                    kind,
                    controller: if class.is_empty() {
                        "haproxy.org/ingress-controller".into()
                    } else {
                        format!("haproxy.org/ingress-controller/{class}")
                    },
                    watch_without_class: class.is_empty() || on("empty-ingress-class"),
                    class,
                    publish_service: flag("publish-service"),
                    passthrough_enabled: true,
                    default_backend: flag("default-backend-service"),
                    http_port: port("http-bind-port", 8080),
                    https_port: port("https-bind-port", 8443),
                }
            }
            ProxyKind::Emissary => Proxy {
                kind,
                controller: String::new(),
                class: String::new(),
                watch_without_class: false,
                publish_service: String::new(),
                passthrough_enabled: false,
                default_backend: String::new(),
                http_port: 0,
                https_port: 0,
            },
        })
    }

    /// Its name in hops.
    pub fn label(&self) -> &'static str {
        match self.kind {
            ProxyKind::IngressNginx => "ingress-nginx",
            ProxyKind::HaproxyIngress => "HAProxy Ingress",
            ProxyKind::HaproxyTech => "HAProxy kubernetes-ingress",
            ProxyKind::Emissary => "Emissary-ingress",
        }
    }

    /// The annotation that turns on TLS passthrough for an Ingress, for this controller.
    fn passthrough_annotations(&self) -> &'static [&'static str] {
        match self.kind {
            ProxyKind::IngressNginx => &["nginx.ingress.kubernetes.io/ssl-passthrough"],
            ProxyKind::HaproxyIngress => &[
                "haproxy-ingress.github.io/ssl-passthrough",
                "ingress.kubernetes.io/ssl-passthrough",
            ],
            ProxyKind::HaproxyTech => &[
                "haproxy.org/ssl-passthrough",
                "ingress.kubernetes.io/ssl-passthrough",
            ],
            ProxyKind::Emissary => &[],
        }
    }

    /// Whether this controller serves `ing`, and why (or why not).
    pub fn serves(&self, routes: &Routes, ing: &IngressView) -> (bool, String) {
        if self.kind == ProxyKind::Emissary {
            return (false, "Emissary reads Mappings, not Ingresses here".into());
        }
        let legacy = ing.annotation(LEGACY_CLASS).unwrap_or("");
        if !ing.class.is_empty() {
            return match routes.classes.iter().find(|c| c.name == ing.class) {
                Some(c) if c.controller == self.controller => (
                    true,
                    format!(
                        "ingressClassName {} is IngressClass {} of controller {}",
                        ing.class, c.name, c.controller
                    ),
                ),
                Some(c) => (
                    false,
                    format!(
                        "IngressClass {} belongs to controller {}, not {}",
                        c.name, c.controller, self.controller
                    ),
                ),
                None => (false, format!("no IngressClass named {}", ing.class)),
            };
        }
        if !legacy.is_empty() {
            let ours = legacy == self.class;
            return (
                ours,
                format!(
                    "annotation {LEGACY_CLASS}: {legacy} (this controller's class is {:?})",
                    self.class
                ),
            );
        }
        if self.watch_without_class {
            return (true, "it watches Ingresses without a class".into());
        }
        (
            false,
            "the Ingress names no class and this controller does not watch class-less Ingresses"
                .into(),
        )
    }
}

/// Where a proxy sends a request it forwards.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An Ingress backend: the controller balances over the Service's endpoints itself.
    Endpoints {
        namespace: String,
        service: String,
        port: PortRef,
    },
    /// Emissary: a name resolved through the pod's DNS, then kube-proxy (or the internet).
    Dns { host: String, port: u16 },
}

/// What a proxy does with one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Respond(HttpResponse),
    /// The connection is closed without an answer.
    Reset,
    Forward {
        target: Target,
        /// The path (and query) sent on.
        path: String,
        /// TLS passes through unterminated: the backend sees the client's TLS.
        passthrough: bool,
        timeout_ms: i64,
    },
}

/// The host a request names: its `Host` header without a port, lower-case.
pub fn request_host(r: &HttpRequest) -> String {
    let h = r
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("host"))
        .map(|(_, v)| v.as_str())
        .unwrap_or(r.host.as_str());
    let h = match h.rsplit_once(':') {
        Some((a, p)) if p.chars().all(|c| c.is_ascii_digit()) && !a.contains(':') => a,
        _ => h,
    };
    let h = h.trim_end_matches('.');
    if h.bytes().any(|b| b.is_ascii_uppercase()) {
        h.to_ascii_lowercase()
    } else {
        h.to_string()
    }
}

/// Fact 83: `*.foo.com` matches exactly one more label; other hosts match exactly.
pub fn ingress_host_matches(rule: &str, host: &str) -> bool {
    if rule.is_empty() {
        return true;
    }
    match rule.strip_prefix("*.") {
        Some(suffix) => host
            .strip_suffix(suffix)
            .and_then(|h| h.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => rule.eq_ignore_ascii_case(host),
    }
}

/// Fact 82: how a path rule matches a request path; Some(length) to rank matches by.
pub fn ingress_path_matches(rule: &str, path_type: &str, path: &str) -> Option<usize> {
    let path = path.split('?').next().unwrap_or("/");
    match path_type {
        "Exact" => (rule == path).then_some(rule.len()),
        // ImplementationSpecific: the controllers here treat it as a prefix (nginx's location).
        "ImplementationSpecific" => path.starts_with(rule).then_some(rule.len()),
        _ => {
            let elems = |p: &str| -> Vec<String> {
                p.split('/')
                    .filter(|e| !e.is_empty())
                    .map(String::from)
                    .collect()
            };
            let r = elems(rule);
            let p = elems(path);
            (r.len() <= p.len() && r.iter().zip(&p).all(|(a, b)| a == b))
                .then_some(rule.trim_end_matches('/').len())
        }
    }
}

/// An Emissary DNS glob (`*.example.com`, `*`): `*` matches any run of characters.
pub fn glob_matches(glob: &str, host: &str) -> bool {
    if glob == "*" {
        return true;
    }
    match glob.split_once('*') {
        None => glob.eq_ignore_ascii_case(host),
        // By `get`: a host is anything a client sent, and may split a character there.
        Some((pre, post)) => {
            host.len() >= pre.len() + post.len()
                && host
                    .get(..pre.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(pre))
                && host
                    .get(host.len() - post.len()..)
                    .is_some_and(|h| h.eq_ignore_ascii_case(post))
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        404 => "Not Found",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// What a proxy answers by itself: a redirect, a 404, or an upstream failure.
pub fn proxy_response(
    proxy: &Proxy,
    status: u16,
    location: Option<String>,
    date: &str,
) -> HttpResponse {
    let mut headers: Vec<(String, String)> = Vec::new();
    let (body, server, ctype) = match proxy.kind {
        ProxyKind::IngressNginx => {
            let title = match status {
                503 => "503 Service Temporarily Unavailable".to_string(),
                504 => "504 Gateway Time-out".to_string(),
                s => format!("{s} {}", reason(s)),
            };
            (
                format!("<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
                Some("nginx"),
                "text/html",
            )
        }
        ProxyKind::HaproxyIngress | ProxyKind::HaproxyTech => {
            let text = match status {
                404 => "<html><body><h1>404 Not Found</h1>\nThe requested URL was not found on this server.\n</body></html>\n".to_string(),
                503 => "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n".to_string(),
                504 => "<html><body><h1>504 Gateway Time-out</h1>\nThe server didn't respond in time.\n</body></html>\n".to_string(),
                502 => "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n".to_string(),
                _ => String::new(),
            };
            (text, None, "text/html")
        }
        ProxyKind::Emissary => {
            let text = match status {
                503 => "upstream connect error or disconnect/reset before headers. reset reason: connection failure".to_string(),
                504 => "upstream request timeout".to_string(),
                _ => String::new(),
            };
            (text, Some("envoy"), "text/plain")
        }
    };
    if let Some(s) = server {
        headers.push((
            if s == "envoy" { "server" } else { "Server" }.into(),
            s.into(),
        ));
    }
    let envoy = proxy.kind == ProxyKind::Emissary;
    headers.push((if envoy { "date" } else { "Date" }.into(), date.into()));
    if !body.is_empty() {
        headers.push((
            if envoy {
                "content-type"
            } else {
                "Content-Type"
            }
            .into(),
            ctype.into(),
        ));
    }
    headers.push((
        if envoy {
            "content-length"
        } else {
            "Content-Length"
        }
        .into(),
        body.len().to_string(),
    ));
    if let Some(l) = location {
        headers.push((if envoy { "location" } else { "Location" }.into(), l));
    }
    HttpResponse {
        version: "HTTP/1.1".into(),
        status,
        reason: reason(status).into(),
        headers,
        body,
    }
}

/// What `proxy` in namespace `pod_namespace`, reached on its port `port`, does with `request`;
/// None when it does not listen on that port. Hops explain each step.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    routes: &Routes,
    proxy: &Proxy,
    port: i64,
    request: &HttpRequest,
    rng: &mut Rng,
    date: &str,
    hops: &mut Vec<Hop>,
    at: &str,
) -> Option<Decision> {
    if proxy.kind == ProxyKind::Emissary {
        return emissary(routes, proxy, port, request, rng, date, hops, at);
    }
    let tls = if port == proxy.https_port {
        true
    } else if port == proxy.http_port {
        false
    } else {
        return None;
    };
    let mut hop = |detail: String| {
        hops.push(Hop {
            at: at.to_string(),
            detail,
        })
    };
    let host = request_host(request);
    let path = request.path.clone();
    let mut served = Vec::new();
    let mut ignored = Vec::new();
    for ing in &routes.ingresses {
        let (ok, why) = proxy.serves(routes, ing);
        if ok {
            served.push(ing);
        } else {
            ignored.push(format!("{}/{} ({why})", ing.namespace, ing.name));
        }
    }
    let mut head = format!(
        "{} (controller {}) serves {} Ingress{}",
        proxy.label(),
        proxy.controller,
        served.len(),
        if served.len() == 1 { "" } else { "es" }
    );
    if !ignored.is_empty() {
        head.push_str(&format!("; ignores {}", ignored.join(", ")));
    }
    // TLS passthrough: routed by the SNI name alone, before any HTTP is read.
    if tls && request.scheme == "https" {
        for ing in &served {
            let on = proxy
                .passthrough_annotations()
                .iter()
                .any(|a| ing.annotation(a) == Some("true"));
            if !on {
                continue;
            }
            let Some(rule) = ing
                .rules
                .iter()
                .find(|r| !r.host.is_empty() && ingress_host_matches(&r.host, &host))
            else {
                continue;
            };
            if proxy.kind == ProxyKind::IngressNginx && !proxy.passthrough_enabled {
                hop(format!(
                    "{head}; Ingress {}/{} asks for ssl-passthrough, but the controller runs without --enable-ssl-passthrough: the annotation is ignored",
                    ing.namespace, ing.name
                ));
                break;
            }
            let Some(b) = rule.paths.iter().find_map(|p| p.backend.clone()) else {
                continue;
            };
            hop(format!(
                "{head}; TLS for SNI name {host}: Ingress {}/{} has ssl-passthrough, so the TLS connection passes through unterminated to Service {}:{} (paths are not looked at: the request is encrypted)",
                ing.namespace, ing.name, b.service, b.port
            ));
            return Some(Decision::Forward {
                target: Target::Endpoints {
                    namespace: ing.namespace.clone(),
                    service: b.service,
                    port: b.port,
                },
                path,
                passthrough: true,
                timeout_ms: 60_000,
            });
        }
    }
    // Host and path rules, across every Ingress the controller serves (fact 82, 83).
    let mut best: Option<(usize, bool, &IngressView, &IngressRule, &IngressPath)> = None;
    let mut host_matched = false;
    for ing in &served {
        for rule in &ing.rules {
            if !ingress_host_matches(&rule.host, &host) {
                continue;
            }
            // A rule naming the host beats a rule for every host.
            if !rule.host.is_empty() {
                host_matched = true;
            }
            for p in &rule.paths {
                let Some(len) = ingress_path_matches(&p.path, &p.path_type, &path) else {
                    continue;
                };
                let exact = p.path_type == "Exact";
                let better = match &best {
                    None => true,
                    Some((bl, bexact, _, brule, _)) => {
                        let specific = !rule.host.is_empty() as u8;
                        let bspecific = !brule.host.is_empty() as u8;
                        (specific, len, exact) > (bspecific, *bl, *bexact)
                    }
                };
                if better {
                    best = Some((len, exact, ing, rule, p));
                }
            }
        }
    }
    let _ = host_matched;
    // TLS: terminated here; a plain request to a TLS host is redirected (ssl-redirect).
    let tls_ing = served.iter().find(|ing| {
        ing.tls
            .iter()
            .any(|(hosts, _)| hosts.iter().any(|h| ingress_host_matches(h, &host)))
    });
    if !tls {
        if let (Some(ing), Some((_, _, bing, _, _))) = (tls_ing, &best) {
            if bing.name == ing.name && bing.namespace == ing.namespace {
                let (code, why) = match proxy.kind {
                    ProxyKind::IngressNginx => {
                        (308, "ssl-redirect is on by default for a host with TLS")
                    }
                    _ => (302, "ssl-redirect is on by default for a host with TLS"),
                };
                hop(format!(
                    "{head}; {host} has TLS in Ingress {}/{}: {why}, so plain HTTP gets {code} to https://{host}{path}",
                    ing.namespace, ing.name
                ));
                return Some(Decision::Respond(proxy_response(
                    proxy,
                    code,
                    Some(format!("https://{host}{path}")),
                    date,
                )));
            }
        }
    }
    let tls_note = if tls {
        match tls_ing.and_then(|ing| {
            ing.tls
                .iter()
                .find(|(hosts, _)| hosts.iter().any(|h| ingress_host_matches(h, &host)))
                .map(|(_, secret)| (ing, secret))
        }) {
            Some((ing, secret)) if routes.secrets.iter().any(|(n, s)| n == &ing.namespace && s == secret) => {
                format!("; TLS terminated here with the certificate of Secret {}/{secret}", ing.namespace)
            }
            Some((ing, secret)) => format!(
                "; TLS terminated here with the controller's fake self-signed certificate (Secret {}/{secret} is missing or not kubernetes.io/tls)",
                ing.namespace
            ),
            None => "; TLS terminated here with the controller's default (fake, self-signed) certificate: no Ingress lists this host under tls".into(),
        }
    } else {
        String::new()
    };
    if let Some((_, _, ing, rule, p)) = best {
        let Some(b) = p.backend.clone() else {
            hop(format!("{head}{tls_note}; Ingress {}/{} path {} has a resource backend, which is not simulated: 404", ing.namespace, ing.name, p.path));
            return Some(Decision::Respond(proxy_response(proxy, 404, None, date)));
        };
        hop(format!(
            "{head}{tls_note}; Ingress {}/{} rule host {} path {} ({}) matches {path}, the longest match: Service {}:{}",
            ing.namespace,
            ing.name,
            if rule.host.is_empty() { "*" } else { &rule.host },
            p.path,
            if p.path_type.is_empty() { "Prefix" } else { &p.path_type },
            b.service,
            b.port
        ));
        return Some(Decision::Forward {
            target: Target::Endpoints {
                namespace: ing.namespace.clone(),
                service: b.service,
                port: b.port,
            },
            path,
            passthrough: false,
            timeout_ms: 60_000,
        });
    }
    // No rule: an Ingress's defaultBackend, the controller's default backend, or its 404.
    if let Some(ing) = served.iter().find(|i| i.default_backend.is_some()) {
        if let Some(b) = ing.default_backend.clone() {
            hop(format!(
                "{head}{tls_note}; no rule matches host {host} path {path}: defaultBackend of Ingress {}/{} is Service {}:{}",
                ing.namespace, ing.name, b.service, b.port
            ));
            return Some(Decision::Forward {
                target: Target::Endpoints {
                    namespace: ing.namespace.clone(),
                    service: b.service,
                    port: b.port,
                },
                path,
                passthrough: false,
                timeout_ms: 60_000,
            });
        }
    }
    if let Some((ns, name)) = proxy.default_backend.split_once('/') {
        hop(format!(
            "{head}{tls_note}; no rule matches host {host} path {path}: the controller's --default-backend-service {ns}/{name}"
        ));
        return Some(Decision::Forward {
            target: Target::Endpoints {
                namespace: ns.to_string(),
                service: name.to_string(),
                port: PortRef::Number(80),
            },
            path,
            passthrough: false,
            timeout_ms: 60_000,
        });
    }
    hop(format!(
        "{head}{tls_note}; no rule matches host {host} path {path} and there is no defaultBackend: the controller's own 404"
    ));
    Some(Decision::Respond(proxy_response(proxy, 404, None, date)))
}

/// Parse a Mapping's `service`: `[scheme://]name[.namespace][:port]` (fact 95).
pub fn parse_mapping_service(service: &str, mapping_ns: &str) -> Option<(String, u16, bool)> {
    let (tls, rest) = match service.split_once("://") {
        Some(("https", r)) => (true, r),
        Some((_, r)) => (false, r),
        None => (false, service),
    };
    let rest = rest.trim_end_matches('/');
    let (name, port) = match rest.rsplit_once(':') {
        Some((n, p)) => (n, p.parse::<u16>().ok()?),
        None => (rest, if tls { 443 } else { 80 }),
    };
    if name.is_empty() {
        return None;
    }
    let host = if name.contains('.') {
        name.to_string()
    } else {
        format!("{name}.{mapping_ns}")
    };
    Some((host, port, tls))
}

#[allow(clippy::too_many_arguments)]
fn emissary(
    routes: &Routes,
    proxy: &Proxy,
    port: i64,
    request: &HttpRequest,
    rng: &mut Rng,
    date: &str,
    hops: &mut Vec<Hop>,
    at: &str,
) -> Option<Decision> {
    let listener = routes.listeners.iter().find(|l| l.port == port)?;
    let mut hop = |detail: String| {
        hops.push(Hop {
            at: at.to_string(),
            detail,
        })
    };
    let tls = request.scheme == "https";
    if tls && listener.protocol == "HTTP" {
        hop(format!(
            "Listener {}/{} on port {port} speaks cleartext HTTP only: the TLS handshake fails",
            listener.namespace, listener.name
        ));
        return Some(Decision::Reset);
    }
    let xfp_https = request
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("x-forwarded-proto") && v == "https");
    let secure = match listener.security_model.as_str() {
        "SECURE" => true,
        "INSECURE" => false,
        _ => tls || xfp_https,
    };
    let host = request_host(request);
    let path = request.path.clone();
    let listen = format!(
        "Listener {}/{} (port {port}, {}, securityModel {}): the request is {}",
        listener.namespace,
        listener.name,
        if listener.protocol.is_empty() {
            "HTTP"
        } else {
            &listener.protocol
        },
        if listener.security_model.is_empty() {
            "XFP"
        } else {
            &listener.security_model
        },
        if secure { "secure" } else { "insecure" }
    );
    // The Host for this name; with none defined, Emissary's synthesized default-host (fact 98).
    let synthesized = HostView {
        namespace: String::new(),
        name: "default-host (synthesized: no Host exists)".into(),
        hostname: "*".into(),
        insecure: "Redirect".into(),
        tls_secret: "fallback-self-signed-cert".into(),
        annotations: BTreeMap::new(),
    };
    let host_obj = if routes.hosts.is_empty() {
        Some(&synthesized)
    } else {
        // The most specific hostname first (an exact name before a wildcard).
        let mut matching: Vec<&HostView> = routes
            .hosts
            .iter()
            .filter(|h| glob_matches(&h.hostname, &host))
            .collect();
        crate::sim::sort::by_key(&mut matching, |h| {
            std::cmp::Reverse((!h.hostname.contains('*'), h.hostname.len()))
        });
        matching.first().copied()
    };
    let Some(h) = host_obj else {
        hop(format!(
            "{listen}; no Host matches {host} (Hosts: {}): 404",
            routes
                .hosts
                .iter()
                .map(|h| h.hostname.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Some(Decision::Respond(proxy_response(proxy, 404, None, date)));
    };
    let host_name = if h.namespace.is_empty() {
        h.name.clone()
    } else {
        format!("{}/{}", h.namespace, h.name)
    };
    let host_part = format!("Host {host_name} (hostname {}) takes {host}", h.hostname);
    if !secure {
        match h.insecure.as_str() {
            "Route" => {}
            "Reject" => {
                hop(format!(
                    "{listen}; {host_part}; its insecure action is Reject: 404"
                ));
                return Some(Decision::Respond(proxy_response(proxy, 404, None, date)));
            }
            _ => {
                hop(format!(
                    "{listen}; {host_part}; its requestPolicy.insecure.action is Redirect (the default): 301 to https://{host}{path}"
                ));
                return Some(Decision::Respond(proxy_response(
                    proxy,
                    301,
                    Some(format!("https://{host}{path}")),
                    date,
                )));
            }
        }
    }
    // Mappings: host glob, then the longest prefix (a string prefix, fact 97); ties by weight.
    let method = request.method.as_str();
    let mut candidates: Vec<&MappingView> = routes
        .mappings
        .iter()
        .filter(|m| !m.prefix.is_empty() && !m.service.is_empty() && !m.prefix_regex)
        .filter(|m| {
            if m.host_exact {
                m.hostname.eq_ignore_ascii_case(&host)
            } else {
                glob_matches(&m.hostname, &host)
            }
        })
        .filter(|m| m.method.is_empty() || m.method.eq_ignore_ascii_case(method))
        .filter(|m| {
            let p = path.split('?').next().unwrap_or("/");
            if m.prefix_exact {
                p == m.prefix
            } else {
                p.starts_with(&m.prefix)
            }
        })
        .collect();
    crate::sim::sort::by_key(&mut candidates, |m| {
        std::cmp::Reverse((m.precedence, m.prefix.len()))
    });
    let Some(first) = candidates.first() else {
        hop(format!(
            "{listen}; {host_part}; no Mapping's prefix matches {path} for host {host} ({} Mapping{} in all): 404",
            routes.mappings.len(),
            if routes.mappings.len() == 1 { "" } else { "s" }
        ));
        return Some(Decision::Respond(proxy_response(proxy, 404, None, date)));
    };
    let group: Vec<&MappingView> = candidates
        .iter()
        .copied()
        .filter(|m| {
            m.prefix == first.prefix
                && m.hostname == first.hostname
                && m.precedence == first.precedence
                && m.method == first.method
        })
        .collect();
    // Fact 96: weighted Mappings take their weight, the rest share what is left.
    let weighted: i64 = group.iter().filter_map(|m| m.weight).sum();
    if weighted > 100
        || group
            .iter()
            .any(|m| m.weight.is_some_and(|w| !(0..=100).contains(&w)))
    {
        hop(format!(
            "{listen}; {host_part}; the Mappings for prefix {} have weights over 100 in all: Emissary ignores the group: 404",
            first.prefix
        ));
        return Some(Decision::Respond(proxy_response(proxy, 404, None, date)));
    }
    let unweighted = group.iter().filter(|m| m.weight.is_none()).count() as i64;
    let share = if unweighted > 0 {
        (100 - weighted) / unweighted
    } else {
        0
    };
    let weights: Vec<i64> = {
        let mut w: Vec<i64> = group.iter().map(|m| m.weight.unwrap_or(share)).collect();
        // The last unweighted one takes the rounding.
        if unweighted > 0 {
            let total: i64 = w.iter().sum();
            if let Some(i) = group.iter().rposition(|m| m.weight.is_none()) {
                w[i] += 100 - total;
            }
        }
        w
    };
    let roll = rng.below(100) as i64;
    let mut acc = 0;
    let mut chosen = group.len() - 1;
    for (i, w) in weights.iter().enumerate() {
        acc += w;
        if roll < acc {
            chosen = i;
            break;
        }
    }
    let m = group[chosen];
    let weight_note = if group.len() > 1 {
        format!(
            " (one of {} Mappings for this prefix, weights {}: drew {roll})",
            group.len(),
            weights
                .iter()
                .map(|w| w.to_string())
                .collect::<Vec<_>>()
                .join("/")
        )
    } else {
        String::new()
    };
    let (rest, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_string(), format!("?{q}")),
        None => (path.clone(), String::new()),
    };
    let (new_path, rewrite_note) = match &m.rewrite {
        Some(r) if r.is_empty() => (path.clone(), "rewrite \"\" keeps the path".to_string()),
        r => {
            let r = r.clone().unwrap_or_else(|| "/".into());
            let tail = &rest[m.prefix.len().min(rest.len())..];
            let mut p = format!("{r}{tail}");
            if p.contains("//") && r.ends_with('/') {
                p = format!("{}{}", r, tail.trim_start_matches('/'));
            }
            let note = if m.rewrite.is_none() {
                format!("rewrite \"/\" (the default) turns {rest} into {p}")
            } else {
                format!("rewrite {r:?} turns {rest} into {p}")
            };
            (format!("{p}{query}"), note)
        }
    };
    let Some((target_host, target_port, _origin_tls)) =
        parse_mapping_service(&m.service, &m.namespace)
    else {
        hop(format!(
            "{listen}; {host_part}; Mapping {}/{} has a service Emissary cannot parse ({:?}): 503",
            m.namespace, m.name, m.service
        ));
        return Some(Decision::Respond(proxy_response(proxy, 503, None, date)));
    };
    hop(format!(
        "{listen}; {host_part}; Mapping {}/{} (prefix {}, the longest that matches){weight_note}; {rewrite_note}; service {} is {target_host}:{target_port}, timeout {} ms",
        m.namespace, m.name, m.prefix, m.service, m.timeout_ms
    ));
    Some(Decision::Forward {
        target: Target::Dns {
            host: target_host,
            port: target_port,
        },
        path: new_path,
        passthrough: false,
        timeout_ms: m.timeout_ms,
    })
}

/// Ingress controllers write where they are reached into the status of the Ingresses they
/// serve (`kubectl get ingress` ADDRESS, and what External-DNS publishes): the load-balancer
/// address of their `--publish-service`, or else the addresses of the nodes they run on.
/// Called as the world settles.
pub fn publish_ingress_status(world: &mut crate::sim::World) {
    use crate::sim::kubelet::RunState;
    // Nothing written since the last look: nothing to change (the scan reads every pod).
    let key = world.scan_key();
    if world.scans.ingress_status_key == key {
        return;
    }
    for c in world.clusters.iter_mut() {
        if c.store
            .unstructured
            .get(INGRESSES)
            .is_none_or(|t| t.is_empty())
        {
            continue;
        }
        let routes = Routes::of(&c.store);
        // Running controllers: (proxy, the addresses they publish).
        let mut controllers: Vec<(Proxy, Vec<String>)> = Vec::new();
        // Only the pods the watch saw with such an image, not every pod.
        for (p, spec, r) in c.program_containers() {
            // A cheap look before parsing the image: is it a proxy's at all?
            if !["ingress", "emissary", "ambassador"]
                .iter()
                .any(|w| spec.image.contains(w))
            {
                continue;
            }
            if !matches!(r.state, RunState::Running { .. }) {
                continue;
            }
            let mut args = spec.command.clone();
            args.extend(spec.args.iter().cloned());
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace("$(POD_NAMESPACE)", &p.metadata.namespace))
                .collect();
            let Some(proxy) = Proxy::of(&spec.image, &args) else {
                continue;
            };
            if proxy.kind == ProxyKind::Emissary {
                continue;
            }
            let addresses: Vec<String> = match proxy.publish_service.split_once('/') {
                Some((ns, name)) => c
                    .store
                    .services
                    .get(ns, name)
                    .map(|s| {
                        s.status
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
                            .filter(|a| !a.is_empty())
                            .collect()
                    })
                    .unwrap_or_default(),
                None => c
                    .store
                    .nodes
                    .get("", &p.spec.node_name)
                    .map(|n| vec![crate::sim::kubelet::node_ip(n)])
                    .unwrap_or_default(),
            };
            match controllers.iter_mut().find(|(q, _)| q == &proxy) {
                Some((_, a)) => a.extend(addresses),
                None => controllers.push((proxy, addresses)),
            }
        }
        for ing in &routes.ingresses {
            let mut addresses: Vec<String> = controllers
                .iter()
                .filter(|(p, _)| p.serves(&routes, ing).0)
                .flat_map(|(_, a)| a.iter().cloned())
                .collect();
            crate::sim::sort::natural(&mut addresses);
            addresses.dedup();
            let list: Vec<Value> = addresses
                .iter()
                .map(|a| {
                    let mut m = serde_yaml::Mapping::new();
                    let key = if crate::sim::api::service_admission::parse_ipv4(a).is_some() {
                        "ip"
                    } else {
                        "hostname"
                    };
                    m.insert(key.into(), a.clone().into());
                    Value::Mapping(m)
                })
                .collect();
            let mut lb = serde_yaml::Mapping::new();
            if !list.is_empty() {
                lb.insert("ingress".into(), Value::Sequence(list));
            }
            let mut status = serde_yaml::Mapping::new();
            status.insert("loadBalancer".into(), Value::Mapping(lb));
            c.store.set_unstructured_status(
                INGRESSES,
                &ing.namespace,
                &ing.name,
                Value::Mapping(status),
            );
        }
    }
    world.scans.ingress_status_key = world.scan_key();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ingress_paths_match_per_element_fact_82() {
        assert!(ingress_path_matches("/foo/bar", "Prefix", "/foo/bar/baz").is_some());
        assert!(ingress_path_matches("/foo/bar", "Prefix", "/foo/barbaz").is_none());
        assert!(ingress_path_matches("/foo/bar/", "Prefix", "/foo/bar").is_some());
        assert!(ingress_path_matches("/", "Prefix", "/anything").is_some());
        assert!(ingress_path_matches("/foo", "Exact", "/foo/").is_none());
        assert!(ingress_path_matches("/foo", "Exact", "/foo").is_some());
    }

    #[test]
    fn host_wildcards_match_one_label_fact_83() {
        assert!(ingress_host_matches("*.foo.com", "bar.foo.com"));
        assert!(!ingress_host_matches("*.foo.com", "baz.bar.foo.com"));
        assert!(!ingress_host_matches("*.foo.com", "foo.com"));
        assert!(ingress_host_matches("", "any.thing"));
        assert!(glob_matches("*", "x"));
        assert!(glob_matches("*.example.com", "a.b.example.com"));
        assert!(!glob_matches("*.example.com", "example.com"));
        // Hosts are what a client sent: a character split at the glob's edges is no match.
        assert!(!glob_matches("a*", "é.example.com"));
        assert!(!glob_matches("*a", "xé"));
        assert!(!glob_matches("ab*cd", "éé"));
    }

    #[test]
    fn mapping_service_defaults_fact_95() {
        assert_eq!(
            parse_mapping_service("quote", "default"),
            Some(("quote.default".into(), 80, false))
        );
        assert_eq!(
            parse_mapping_service("quote.prod:8080", "default"),
            Some(("quote.prod".into(), 8080, false))
        );
        assert_eq!(
            parse_mapping_service("https://api.example.com", "x"),
            Some(("api.example.com".into(), 443, true))
        );
        assert_eq!(parse_mapping_service("x:notaport", "d"), None);
    }

    fn req(host: &str, path: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            scheme: "http".into(),
            host: host.into(),
            ip: "203.0.113.10".into(),
            port: 80,
            path: path.into(),
            headers: vec![("Host".into(), host.into())],
            body: String::new(),
        }
    }

    fn mapping(name: &str, prefix: &str, service: &str) -> MappingView {
        MappingView {
            namespace: "default".into(),
            name: name.into(),
            prefix: prefix.into(),
            prefix_regex: false,
            prefix_exact: false,
            hostname: "*".into(),
            host_exact: false,
            rewrite: None,
            service: service.into(),
            weight: None,
            timeout_ms: 3000,
            method: String::new(),
            precedence: 0,
        }
    }

    fn emissary_routes() -> Routes {
        Routes {
            listeners: vec![ListenerView {
                namespace: "emissary".into(),
                name: "http".into(),
                port: 8080,
                protocol: "HTTPS".into(),
                security_model: "XFP".into(),
            }],
            hosts: vec![HostView {
                namespace: "default".into(),
                name: "any".into(),
                hostname: "*".into(),
                insecure: "Route".into(),
                tls_secret: String::new(),
                annotations: BTreeMap::new(),
            }],
            mappings: vec![
                mapping("root", "/", "web"),
                mapping("backend", "/backend/", "quote"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn emissary_takes_the_longest_prefix_and_rewrites_to_slash_facts_93_97() {
        let p = Proxy::of("docker.io/emissaryingress/emissary:3.9.1", &[]).unwrap();
        let mut rng = Rng::new(1);
        let mut hops = Vec::new();
        let d = decide(
            &emissary_routes(),
            &p,
            8080,
            &req("a.example.com", "/backend/foo"),
            &mut rng,
            "d",
            &mut hops,
            "x",
        );
        match d {
            Some(Decision::Forward {
                target: Target::Dns { host, port },
                path,
                ..
            }) => {
                assert_eq!(
                    (host.as_str(), port, path.as_str()),
                    ("quote.default", 80, "/foo")
                );
            }
            other => panic!("{other:?}"),
        }
        // Not listening on a port without a Listener.
        assert!(decide(
            &emissary_routes(),
            &p,
            8443,
            &req("a", "/"),
            &mut rng,
            "d",
            &mut hops,
            "x"
        )
        .is_none());
        // `rewrite: ""` keeps the path.
        let mut r = emissary_routes();
        r.mappings[1].rewrite = Some(String::new());
        match decide(
            &r,
            &p,
            8080,
            &req("a", "/backend/foo"),
            &mut rng,
            "d",
            &mut hops,
            "x",
        ) {
            Some(Decision::Forward { path, .. }) => assert_eq!(path, "/backend/foo"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn emissary_redirects_insecure_requests_by_default_fact_98() {
        let p = Proxy::of("emissaryingress/emissary:3.9.1", &[]).unwrap();
        let mut r = emissary_routes();
        r.hosts.clear();
        let mut rng = Rng::new(1);
        let mut hops = Vec::new();
        match decide(
            &r,
            &p,
            8080,
            &req("a.example.com", "/x"),
            &mut rng,
            "d",
            &mut hops,
            "x",
        ) {
            Some(Decision::Respond(resp)) => {
                assert_eq!(resp.status, 301);
                assert!(resp
                    .headers
                    .iter()
                    .any(|(k, v)| k == "location" && v == "https://a.example.com/x"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn canary_weights_split_the_group_fact_96() {
        let p = Proxy::of("emissaryingress/emissary:3.9.1", &[]).unwrap();
        let mut r = emissary_routes();
        let mut canary = mapping("canary", "/backend/", "quote-v2");
        canary.weight = Some(10);
        r.mappings.push(canary);
        let mut rng = Rng::new(7);
        let mut v2 = 0;
        for _ in 0..1000 {
            let mut hops = Vec::new();
            if let Some(Decision::Forward {
                target: Target::Dns { host, .. },
                ..
            }) = decide(
                &r,
                &p,
                8080,
                &req("a", "/backend/"),
                &mut rng,
                "d",
                &mut hops,
                "x",
            ) {
                if host == "quote-v2.default" {
                    v2 += 1;
                }
            }
        }
        assert!((60..140).contains(&v2), "{v2}");
    }

    fn ingress(name: &str, host: &str, path: &str, ty: &str, svc: &str) -> IngressView {
        IngressView {
            namespace: "default".into(),
            name: name.into(),
            class: "nginx".into(),
            annotations: BTreeMap::new(),
            default_backend: None,
            rules: vec![IngressRule {
                host: host.into(),
                paths: vec![IngressPath {
                    path: path.into(),
                    path_type: ty.into(),
                    backend: Some(IngressBackend {
                        service: svc.into(),
                        port: PortRef::Number(80),
                    }),
                }],
            }],
            tls: Vec::new(),
        }
    }

    #[test]
    fn ingress_nginx_routes_by_class_host_and_longest_path() {
        let p = Proxy::of("registry.k8s.io/ingress-nginx/controller:v1.11.2", &[]).unwrap();
        let r = Routes {
            classes: vec![ClassView {
                name: "nginx".into(),
                controller: "k8s.io/ingress-nginx".into(),
                default: false,
            }],
            ingresses: vec![
                ingress("a", "foo.com", "/", "Prefix", "root"),
                ingress("b", "foo.com", "/api", "Prefix", "api"),
                ingress("c", "foo.com", "/api", "Exact", "exact"),
            ],
            ..Default::default()
        };
        let mut rng = Rng::new(1);
        let mut hops = Vec::new();
        let svc = |d: Option<Decision>| match d {
            Some(Decision::Forward {
                target: Target::Endpoints { service, .. },
                ..
            }) => service,
            Some(Decision::Respond(r)) => format!("{}", r.status),
            Some(Decision::Reset) => "reset".into(),
            Some(Decision::Forward { .. }) => "dns".into(),
            None => "none".into(),
        };
        assert_eq!(
            svc(decide(
                &r,
                &p,
                80,
                &req("foo.com", "/api/v1"),
                &mut rng,
                "d",
                &mut hops,
                "x"
            )),
            "api"
        );
        assert_eq!(
            svc(decide(
                &r,
                &p,
                80,
                &req("foo.com", "/api"),
                &mut rng,
                "d",
                &mut hops,
                "x"
            )),
            "exact"
        );
        assert_eq!(
            svc(decide(
                &r,
                &p,
                80,
                &req("foo.com", "/apix"),
                &mut rng,
                "d",
                &mut hops,
                "x"
            )),
            "root"
        );
        assert_eq!(
            svc(decide(
                &r,
                &p,
                80,
                &req("bar.com", "/"),
                &mut rng,
                "d",
                &mut hops,
                "x"
            )),
            "404"
        );
        assert_eq!(
            svc(decide(
                &r,
                &p,
                8080,
                &req("foo.com", "/"),
                &mut rng,
                "d",
                &mut hops,
                "x"
            )),
            "none"
        );
    }
}
