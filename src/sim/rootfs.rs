//! What is inside each simulated image: its files (a small, plausible base per family), the
//! programs on its PATH, its environment, and the files the kubelet adds to every container
//! (`/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`).
//!
//! Families, and what their shells say (see `sh.rs`):
//! - busybox (`busybox`, `registry.k8s.io/busybox`, the course's shell images): BusyBox ash,
//!   `sh: foo: not found`; no bash; every applet in `/bin`; no `/etc/os-release` (the real image
//!   has none).
//! - alpine (`alpine`, `*:alpine` variants of nginx, redis and postgres, `polinux/stress`):
//!   BusyBox ash too, plus `apk` and `/etc/os-release`; nginx's Alpine image has curl too.
//! - debian (`debian`, `nginx`, `redis`, `postgres`, `registry.k8s.io/nginx-slim`): dash as
//!   `/bin/sh` (`sh: 1: foo: not found`) and bash (`bash: line 1: foo: command not found`), GNU
//!   coreutils wording. No `ps`: these images do not install procps. nginx's image has curl.
//! - no shell (pause, http-echo, the control-plane images, coredns, the liveness example, the
//!   course's hello service, `vish/stress`): one static binary and nothing else, as distroless
//!   and scratch images are; `kubectl exec … -- sh` fails as the runtime makes it fail.
//!
//! Simplifications: every file of an image is owned by root and dated at the world's epoch; the
//! Debian family is bookworm whatever the tag; binaries have a size but no content; the files the
//! kubelet manages are part of the container's view (in Kubernetes they are bind mounts that
//! outlive a container restart: a write to `/etc/hosts` is lost here on restart, kept there).

use crate::sim::api::{Container, Pod};
use crate::sim::fs::{Node, Tree};
use crate::sim::images::normalise;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Busybox,
    Alpine,
    Debian,
    NoShell,
}

/// The ClusterIP of the `kubernetes` Service (kubeadm's service CIDR 10.96.0.0/12).
pub const KUBERNETES_SERVICE_IP: &str = "10.96.0.1";
/// The ClusterIP of `kube-dns` (fact 60), the nameserver of every ClusterFirst pod.
pub const KUBE_DNS_IP: &str = "10.96.0.10";

const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const BUSYBOX_SIZE: u64 = 1_131_168;

/// BusyBox applets installed in `/bin` (a subset of the real image's ~400, those a learner may
/// reach for).
const BUSYBOX_APPLETS: &[&str] = &[
    "[", "ash", "awk", "basename", "cat", "chmod", "chown", "cp", "cut", "date", "dd", "df",
    "diff", "dirname", "du", "echo", "env", "expr", "false", "find", "free", "grep", "gzip",
    "head", "hostname", "id", "ifconfig", "ip", "kill", "less", "ln", "ls", "mkdir", "more",
    "mount", "mv", "nc", "netstat", "nslookup", "ping", "printenv", "printf", "ps", "pwd", "rm",
    "rmdir", "sed", "seq", "sh", "sleep", "sort", "stat", "tail", "tar", "tee", "telnet", "test",
    "top", "touch", "tr", "true", "uname", "uniq", "uptime", "vi", "wc", "wget", "which", "whoami",
    "xargs", "yes",
];

/// Debian's programs (coreutils, bash, dash, grep, sed, findutils, …) in `/usr/bin`.
const DEBIAN_PROGRAMS: &[&str] = &[
    "[", "apt-get", "basename", "bash", "cat", "chmod", "chown", "cp", "cut", "dash", "date", "dd",
    "df", "diff", "dirname", "dpkg", "du", "echo", "env", "expr", "false", "find", "grep", "gzip",
    "head", "hostname", "id", "kill", "ln", "ls", "mkdir", "more", "mount", "mv", "perl",
    "printenv", "printf", "pwd", "rm", "rmdir", "sed", "seq", "sh", "sleep", "sort", "stat",
    "tail", "tar", "tee", "test", "touch", "tr", "true", "uname", "uniq", "wc", "which", "whoami",
    "xargs", "yes",
];

/// The image family of an image reference.
pub fn family(image: &str) -> Family {
    let (repo, tag) = normalise(image);
    match repo.as_str() {
        "busybox" | "registry.k8s.io/busybox" => Family::Busybox,
        "pocketcluster/crasher" | "pocketcluster/batch" | "pocketcluster/memory-hog" => {
            Family::Busybox
        }
        "alpine" | "polinux/stress" => Family::Alpine,
        "nginx" | "redis" | "postgres" if tag.contains("alpine") => Family::Alpine,
        "debian" | "nginx" | "redis" | "postgres" | "registry.k8s.io/nginx-slim" => Family::Debian,
        // python:3.12-slim (Debian bookworm) with FastAPI.
        r if r.starts_with("alexgiavaras/k8s_101_service") => Family::Debian,
        _ => Family::NoShell,
    }
}

/// What the kubelet knows of a pod that shows inside its containers.
#[derive(Debug, Clone, Default)]
pub struct PodFacts {
    pub name: String,
    pub namespace: String,
    pub ip: String,
    /// The pod name, or the node's for a hostNetwork pod.
    pub hostname: String,
    pub host_network: bool,
    pub node_ip: String,
    pub kernel: String,
}

impl PodFacts {
    pub fn new(pod: &Pod, node_ip: &str, kernel: &str) -> PodFacts {
        let host_network = pod.spec.host_network;
        PodFacts {
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            ip: pod.status.pod_ip.clone(),
            hostname: if host_network {
                pod.spec.node_name.clone()
            } else {
                pod.metadata.name.clone()
            },
            host_network,
            node_ip: node_ip.to_string(),
            kernel: if kernel.is_empty() {
                "6.8.0-45-generic".into()
            } else {
                kernel.to_string()
            },
        }
    }
}

fn nginx_version(tag: &str) -> String {
    let base = tag.trim_end_matches("-alpine");
    if base.split('.').count() == 3 {
        return base.to_string();
    }
    match base {
        "1.14" => "1.14.2",
        "1.15" => "1.15.12",
        "1.16" => "1.16.1",
        "1.17" => "1.17.10",
        "1.18" => "1.18.0",
        "1.19" => "1.19.10",
        "1.20" => "1.20.2",
        "1.21" => "1.21.6",
        "1.22" => "1.22.1",
        "1.23" => "1.23.4",
        "1.24" => "1.24.0",
        "1.25" => "1.25.5",
        "1.26" | "stable" => "1.26.3",
        "1.28" => "1.28.0",
        "1.29" => "1.29.1",
        _ => "1.27.4",
    }
    .to_string()
}

fn redis_version(tag: &str) -> &'static str {
    match tag {
        "5.0.4" => "5.0.4",
        "6" | "6.2" => "6.2.16",
        "7.2" => "7.2.6",
        _ => "7.4.1",
    }
}

fn postgres_major(tag: &str) -> String {
    let major: String = tag.chars().take_while(|c| c.is_ascii_digit()).collect();
    if major.is_empty() {
        "17".into()
    } else {
        major
    }
}

/// The image's own environment (its Dockerfile's ENV lines), PATH first.
pub fn image_env(image: &str) -> Vec<(String, String)> {
    let (repo, tag) = normalise(image);
    let v = |k: &str, val: &str| (k.to_string(), val.to_string());
    let mut env = vec![v("PATH", DEFAULT_PATH)];
    let alpine = family(image) == Family::Alpine;
    match repo.as_str() {
        "nginx" => {
            env.push(v("NGINX_VERSION", &nginx_version(&tag)));
            env.push(v("PKG_RELEASE", if alpine { "1" } else { "1~bookworm" }));
        }
        "redis" => env.push(v("REDIS_VERSION", redis_version(&tag))),
        "postgres" => {
            let major = postgres_major(&tag);
            env[0].1 = format!("{DEFAULT_PATH}:/usr/lib/postgresql/{major}/bin");
            env.push(v("LANG", "en_US.utf8"));
            env.push(v("PG_MAJOR", &major));
            env.push(v("PGDATA", "/var/lib/postgresql/data"));
        }
        _ => {}
    }
    env
}

/// The image's WORKDIR.
pub fn workdir(image: &str) -> &'static str {
    match normalise(image).0.as_str() {
        "redis" => "/data",
        r if r.starts_with("alexgiavaras/k8s_101_service") => "/app",
        _ => "/",
    }
}

/// The image's default command line, as `ps` shows PID 1 when the pod sets none.
pub fn default_command(image: &str) -> &'static str {
    match normalise(image).0.as_str() {
        "nginx" | "registry.k8s.io/nginx-slim" => "nginx: master process nginx -g daemon off;",
        "redis" => "redis-server *:6379",
        "postgres" => "postgres",
        "pocketcluster/memory-hog" => "stress --vm 1",
        "pocketcluster/crasher" => "crasher",
        "alexgiavaras/k8s_101_service_gateway" => {
            "/usr/local/bin/python3.12 /usr/local/bin/uvicorn main:app --host 0.0.0.0 --port 8001"
        }
        "alexgiavaras/k8s_101_service_1" => {
            "/usr/local/bin/python3.12 /usr/local/bin/uvicorn main:app --host 0.0.0.0 --port 8002"
        }
        "alexgiavaras/k8s_101_service_2" => {
            "/usr/local/bin/python3.12 /usr/local/bin/uvicorn main:app --host 0.0.0.0 --port 8003"
        }
        _ => "sh",
    }
}

/// The environment of a container as its processes see it: PATH, HOSTNAME, the image's ENV, the
/// pod spec's `env` (with `$(VAR)` references expanded as the kubelet does), the Service
/// variables the container started with (fact 56; `services`, from the kubelet; the
/// `kubernetes` Service's when none are given), and HOME.
///
/// `config` holds what the container's `envFrom` and `env[].valueFrom` resolved to when it
/// started: `envFrom` comes first, `env` entries override it; a `valueFrom` that resolved to
/// nothing (an optional reference) leaves the variable out.
pub fn container_env(
    c: &Container,
    facts: &PodFacts,
    services: &[(String, String)],
    config: &crate::sim::kubelet::ConfigEnv,
) -> Vec<(String, String)> {
    let mut env = image_env(&c.image);
    set(&mut env, "HOSTNAME", &facts.hostname);
    // HOSTNAME comes right after PATH, as containerd lays it out.
    if let Some(i) = env.iter().position(|(k, _)| k == "HOSTNAME") {
        let h = env.remove(i);
        env.insert(1.min(env.len()), h);
    }
    let mut spec: Vec<(String, String)> = Vec::new();
    for (k, v) in &config.from {
        set(&mut spec, k, v);
    }
    let service = if services.is_empty() {
        kubernetes_service_env()
    } else {
        services.to_vec()
    };
    for e in &c.env {
        let value = match (&e.value, &e.value_from) {
            (_, Some(_)) => match config.values.get(&e.name) {
                Some(v) => v.clone(),
                None => continue,
            },
            (Some(v), None) => expand_refs(v, &spec, &service),
            (None, None) => String::new(),
        };
        set(&mut spec, &e.name, &value);
    }
    for (k, v) in spec {
        set(&mut env, &k, &v);
    }
    for (k, v) in service {
        if !env.iter().any(|(n, _)| *n == k) {
            env.push((k, v));
        }
    }
    if !env.iter().any(|(k, _)| k == "HOME") {
        env.push(("HOME".into(), "/root".into()));
    }
    env
}

fn set(env: &mut Vec<(String, String)>, key: &str, value: &str) {
    match env.iter_mut().find(|(k, _)| k == key) {
        Some(slot) => slot.1 = value.to_string(),
        None => env.push((key.to_string(), value.to_string())),
    }
}

/// Every pod gets these, for the `kubernetes` Service in `default` (fact 56 (a)).
fn kubernetes_service_env() -> Vec<(String, String)> {
    let ip = KUBERNETES_SERVICE_IP;
    [
        ("KUBERNETES_SERVICE_HOST", ip.to_string()),
        ("KUBERNETES_SERVICE_PORT", "443".into()),
        ("KUBERNETES_SERVICE_PORT_HTTPS", "443".into()),
        ("KUBERNETES_PORT", format!("tcp://{ip}:443")),
        ("KUBERNETES_PORT_443_TCP", format!("tcp://{ip}:443")),
        ("KUBERNETES_PORT_443_TCP_PROTO", "tcp".into()),
        ("KUBERNETES_PORT_443_TCP_PORT", "443".into()),
        ("KUBERNETES_PORT_443_TCP_ADDR", ip.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// `$(VAR)` in an env value names an earlier variable of the container (or a service variable);
/// `$$(VAR)` is a literal `$(VAR)`; an unknown reference stays as written.
fn expand_refs(value: &str, earlier: &[(String, String)], service: &[(String, String)]) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(end) => {
                    let name = &body[..end];
                    let found = earlier
                        .iter()
                        .chain(service.iter())
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone());
                    match found {
                        Some(v) => out.push_str(&v),
                        None => {
                            out.push_str("$(");
                            out.push_str(name);
                            out.push(')');
                        }
                    }
                    rest = &body[end + 1..];
                }
                None => {
                    out.push_str("$(");
                    rest = body;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The directories and programs of a family.
fn base(tree: &mut Tree, fam: Family) {
    let dirs: &[&str] = match fam {
        Family::Busybox => &[
            "/bin",
            "/dev",
            "/etc",
            "/home",
            "/lib",
            "/proc",
            "/root",
            "/sys",
            "/tmp",
            "/usr/sbin",
            "/var/spool/mail",
            "/var/www",
        ],
        Family::Alpine => &[
            "/bin",
            "/dev",
            "/etc/apk",
            "/home",
            "/lib",
            "/media",
            "/mnt",
            "/opt",
            "/proc",
            "/root",
            "/run",
            "/sbin",
            "/srv",
            "/sys",
            "/tmp",
            "/usr/bin",
            "/usr/lib",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/share",
            "/var/cache",
            "/var/log",
            "/var/tmp",
        ],
        Family::Debian => &[
            "/bin",
            "/boot",
            "/dev",
            "/etc",
            "/home",
            "/lib",
            "/media",
            "/mnt",
            "/opt",
            "/proc",
            "/root",
            "/run",
            "/sbin",
            "/srv",
            "/sys",
            "/tmp",
            "/usr/bin",
            "/usr/lib",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/share",
            "/var/cache",
            "/var/lib",
            "/var/log",
            "/var/tmp",
        ],
        Family::NoShell => &["/dev", "/etc", "/proc", "/sys"],
    };
    for d in dirs {
        tree.add(d, Node::dir(0));
    }
    tree.add("/dev/null", Node::text("", 0));
    let t = |s: &str| Node::text(s, 0);
    match fam {
        Family::Busybox | Family::Alpine => {
            for a in BUSYBOX_APPLETS {
                tree.add(&format!("/bin/{a}"), Node::program(BUSYBOX_SIZE));
            }
            tree.add(
                "/etc/passwd",
                t("root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nbin:x:2:2:bin:/bin:/bin/false\nsys:x:3:3:sys:/dev:/bin/false\nsync:x:4:100:sync:/bin:/bin/sync\nmail:x:8:8:mail:/var/spool/mail:/bin/false\nwww-data:x:33:33:www-data:/var/www:/bin/false\noperator:x:37:37:Operator:/var:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n"),
            );
            tree.add(
                "/etc/group",
                t("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nwheel:x:10:root\nmail:x:12:\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n"),
            );
        }
        Family::Debian => {
            for p in DEBIAN_PROGRAMS {
                tree.add(&format!("/usr/bin/{p}"), Node::program(142_312));
                tree.add(&format!("/bin/{p}"), Node::program(142_312));
            }
            tree.add(
                "/etc/os-release",
                t("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\nSUPPORT_URL=\"https://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n"),
            );
            tree.add("/etc/debian_version", t("12.8\n"));
            tree.add(
                "/etc/passwd",
                t("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsys:x:3:3:sys:/dev:/usr/sbin/nologin\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"),
            );
            tree.add(
                "/etc/group",
                t("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:\ntty:x:5:\ndisk:x:6:\nwww-data:x:33:\nusers:x:100:\nnogroup:x:65534:\n"),
            );
        }
        Family::NoShell => {}
    }
    if fam == Family::Alpine {
        tree.add("/sbin/apk", Node::program(67_160));
        tree.add("/etc/alpine-release", t("3.20.3\n"));
        tree.add(
            "/etc/os-release",
            t("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\nHOME_URL=\"https://alpinelinux.org/\"\nBUG_REPORT_URL=\"https://gitlab.alpinelinux.org/alpine/aports/-/issues\"\n"),
        );
    }
}

/// nginx's default page (`/usr/share/nginx/html/index.html` in the official image, 1.19 on).
pub const NGINX_INDEX: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>An error occurred.</h1>
<p>Sorry, the page you are looking for is currently unavailable.<br/>
Please try again later.</p>
<p>If you are the system administrator of this resource then you should check
the error log for details.</p>
<p><em>Faithfully yours, nginx.</em></p>
</body>
</html>
";

const NGINX_CONF: &str = "
user  nginx;
worker_processes  auto;

error_log  /var/log/nginx/error.log notice;
pid        /var/run/nginx.pid;


events {
    worker_connections  1024;
}


http {
    include       /etc/nginx/mime.types;
    default_type  application/octet-stream;

    log_format  main  '$remote_addr - $remote_user [$time_local] \"$request\" '
                      '$status $body_bytes_sent \"$http_referer\" '
                      '\"$http_user_agent\" \"$http_x_forwarded_for\"';

    access_log  /var/log/nginx/access.log  main;

    sendfile        on;
    #tcp_nopush     on;

    keepalive_timeout  65;

    #gzip  on;

    include /etc/nginx/conf.d/*.conf;
}
";

/// The start of the image's `conf.d/default.conf` (its commented-out PHP examples are left out).
const NGINX_DEFAULT_CONF: &str = "server {
    listen       80;
    listen  [::]:80;
    server_name  localhost;

    #access_log  /var/log/nginx/host.access.log  main;

    location / {
        root   /usr/share/nginx/html;
        index  index.html index.htm;
    }

    #error_page  404              /404.html;

    # redirect server error pages to the static page /50x.html
    #
    error_page   500 502 503 504  /50x.html;
    location = /50x.html {
        root   /usr/share/nginx/html;
    }
}
";

/// Files of the image itself, on top of its family's base.
fn image_files(tree: &mut Tree, image: &str) {
    let (repo, tag) = normalise(image);
    let t = |s: &str| Node::text(s, 0);
    match repo.as_str() {
        "nginx" | "registry.k8s.io/nginx-slim" => {
            tree.add("/usr/share/nginx/html/index.html", t(NGINX_INDEX));
            tree.add("/usr/share/nginx/html/50x.html", t(NGINX_50X));
            tree.add("/etc/nginx/nginx.conf", t(NGINX_CONF));
            tree.add("/etc/nginx/conf.d/default.conf", t(NGINX_DEFAULT_CONF));
            tree.add("/usr/sbin/nginx", Node::program(1_443_072));
            tree.add("/docker-entrypoint.sh", Node::program(1_620));
            tree.add(
                "/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
                Node::program(2_125),
            );
            tree.add(
                "/docker-entrypoint.d/20-envsubst-on-templates.sh",
                Node::program(1_762),
            );
            tree.add(
                "/docker-entrypoint.d/30-tune-worker-processes.sh",
                Node::program(4_781),
            );
            tree.add("/var/log/nginx", Node::dir(0));
            tree.add("/var/cache/nginx", Node::dir(0));
            // Both official nginx images install curl (the Alpine one "to make registering on
            // DNS SD easier").
            if family(image) == Family::Debian {
                tree.add("/usr/bin/curl", Node::program(285_912));
                tree.add("/bin/curl", Node::program(285_912));
            } else {
                tree.add("/usr/bin/curl", Node::program(251_440));
            }
        }
        "redis" => {
            tree.add("/data", Node::dir(0));
            tree.add("/usr/local/bin/redis-server", Node::program(14_891_960));
            tree.add("/usr/local/bin/redis-cli", Node::program(7_918_608));
            tree.add("/usr/local/bin/docker-entrypoint.sh", Node::program(461));
        }
        "postgres" => {
            let major = postgres_major(&tag);
            for p in ["postgres", "psql", "pg_ctl", "initdb", "pg_dump"] {
                tree.add(
                    &format!("/usr/lib/postgresql/{major}/bin/{p}"),
                    Node::program(9_650_000),
                );
            }
            tree.add("/usr/local/bin/docker-entrypoint.sh", Node::program(12_408));
            tree.add("/docker-entrypoint-initdb.d", Node::dir(0));
            // What initdb wrote when the container started (with a password set; without one the
            // container exits before, see images.rs).
            let data = "/var/lib/postgresql/data";
            tree.add(&format!("{data}/PG_VERSION"), t(&format!("{major}\n")));
            for d in ["base", "global", "pg_wal", "pg_xact", "pg_stat"] {
                tree.add(&format!("{data}/{d}"), Node::dir(0));
            }
            tree.add(
                &format!("{data}/postgresql.conf"),
                t("listen_addresses = '*'\nmax_connections = 100\nshared_buffers = 128MB\n"),
            );
            tree.add(
                &format!("{data}/pg_hba.conf"),
                t("local   all             all                                     trust\nhost    all             all             127.0.0.1/32            trust\nhost    all             all             all                     scram-sha-256\n"),
            );
        }
        "registry.k8s.io/pause" => tree.add("/pause", Node::program(514_000)),
        "hashicorp/http-echo" => tree.add("/http-echo", Node::program(7_210_000)),
        "registry.k8s.io/coredns/coredns" => tree.add("/coredns", Node::program(52_000_000)),
        "registry.k8s.io/etcd" => {
            tree.add("/usr/local/bin/etcd", Node::program(23_000_000));
            tree.add("/usr/local/bin/etcdctl", Node::program(17_000_000));
        }
        "registry.k8s.io/liveness" => tree.add("/server", Node::program(6_400_000)),
        "pocketcluster/hello" => tree.add("/hello", Node::program(6_100_000)),
        "pocketcluster/gateway" => tree.add("/gateway", Node::program(7_400_000)),
        r if r.starts_with("alexgiavaras/k8s_101_service") => {
            tree.add("/usr/local/bin/python3.12", Node::program(14_480));
            tree.add("/usr/local/bin/python3", Node::program(14_480));
            tree.add("/usr/local/bin/uvicorn", Node::program(217));
            tree.add("/app/requirements.txt", t("fastapi\nuvicorn\nrequests\n"));
            tree.add(
                "/app/start_unvircorn.sh",
                t(&format!(
                    "#!/bin/sh\nuvicorn main:app --host 0.0.0.0 --port {}\n",
                    match r {
                        "alexgiavaras/k8s_101_service_1" => 8002,
                        "alexgiavaras/k8s_101_service_2" => 8003,
                        _ => 8001,
                    }
                )),
            );
            let main = match r {
                "alexgiavaras/k8s_101_service_gateway" => "import os\n\nimport requests\nfrom fastapi import FastAPI, HTTPException\n\napp = FastAPI(title=\"gateway\")\n\n# The other two services, by their Kubernetes Service names (cluster DNS).\nSERVICE_1_URL = os.environ.get(\"SERVICE_1_URL\", \"http://ml-service1\")\nSERVICE_2_URL = os.environ.get(\"SERVICE_2_URL\", \"http://ml-service2\")\n\n\n@app.get(\"/\")\ndef root():\n    answers = {}\n    for name, url in ((\"service-1\", SERVICE_1_URL), (\"service-2\", SERVICE_2_URL)):\n        try:\n            r = requests.get(url, timeout=3)\n            r.raise_for_status()\n        except requests.RequestException as e:\n            raise HTTPException(status_code=502, detail=f\"upstream {name} ({url}) failed: {e}\")\n        answers[name] = r.json()\n    return {\"gateway\": os.environ.get(\"HOSTNAME\"), **answers}\n\n\n@app.get(\"/health\")\ndef health():\n    return {\"status\": \"ok\"}\n",
                "alexgiavaras/k8s_101_service_1" => "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI(title=\"service-1\")\n\n\n@app.get(\"/\")\ndef root():\n    return {\"service\": \"service-1\", \"message\": \"Hello from service-1\", \"pod\": os.environ.get(\"HOSTNAME\")}\n\n\n@app.get(\"/health\")\ndef health():\n    return {\"status\": \"ok\"}\n",
                _ => "import os\n\nfrom fastapi import FastAPI\n\napp = FastAPI(title=\"service-2\")\n\n\n@app.get(\"/\")\ndef root():\n    return {\"service\": \"service-2\", \"message\": \"Hello from service-2\", \"pod\": os.environ.get(\"HOSTNAME\")}\n\n\n@app.get(\"/health\")\ndef health():\n    return {\"status\": \"ok\"}\n",
            };
            tree.add("/app/main.py", t(main));
        }
        "polinux/stress" | "vish/stress" => {
            tree.add("/usr/local/bin/stress", Node::program(53_000))
        }
        r if r.starts_with("registry.k8s.io/kube-") => {
            let name = r.trim_start_matches("registry.k8s.io/");
            tree.add(&format!("/usr/local/bin/{name}"), Node::program(90_000_000));
        }
        _ => {}
    }
}

/// The files the kubelet puts in every container of a pod.
fn kubelet_files(tree: &mut Tree, facts: &PodFacts) {
    let t = |s: &str| Node::text(s, 0);
    tree.add("/etc/hostname", t(&format!("{}\n", facts.hostname)));
    if facts.host_network {
        tree.add(
            "/etc/hosts",
            t(&format!(
                "127.0.0.1 localhost\n{} {}\n\n# The following lines are desirable for IPv6 capable hosts\n::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n",
                facts.node_ip, facts.hostname
            )),
        );
        tree.add(
            "/etc/resolv.conf",
            t("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n"),
        );
    } else {
        tree.add(
            "/etc/hosts",
            t(&format!(
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n{}\t{}\n",
                facts.ip, facts.hostname
            )),
        );
        // Fact 58: the search path of the pod's namespace, kube-dns as the nameserver, ndots:5.
        tree.add(
            "/etc/resolv.conf",
            t(&format!(
                "search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver {KUBE_DNS_IP}\noptions ndots:5\n",
                ns = facts.namespace
            )),
        );
    }
    tree.add("/dev/termination-log", t(""));
}

/// The read-only view of a container before it writes anything: its image's files and what the
/// kubelet adds.
pub fn root(image: &str, facts: &PodFacts) -> Tree {
    let mut tree = Tree::default();
    base(&mut tree, family(image));
    image_files(&mut tree, image);
    kubelet_files(&mut tree, facts);
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families() {
        assert_eq!(family("busybox:1.36"), Family::Busybox);
        assert_eq!(family("nginx:1.25"), Family::Debian);
        assert_eq!(family("nginx:1.25-alpine"), Family::Alpine);
        assert_eq!(family("registry.k8s.io/pause:3.9"), Family::NoShell);
        assert_eq!(nginx_version("1.25.3"), "1.25.3");
        assert_eq!(postgres_major("16-alpine"), "16");
    }

    #[test]
    fn env_references_expand() {
        let earlier = vec![("A".to_string(), "x".to_string())];
        assert_eq!(
            expand_refs("$(A)-$(B)-$$(A)-$", &earlier, &[]),
            "x-$(B)-$(A)-$"
        );
    }
}
