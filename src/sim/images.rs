//! The catalog of simulated container images: which names and tags exist (anything else fails to
//! pull, as a typo'd tag does), how long a pull takes, and how a container of each behaves.

use crate::sim::clock::Millis;

/// What a running container of an image does.
#[derive(Debug, Clone, PartialEq)]
pub enum Behaviour {
    /// A server that runs until stopped.
    Serve,
    /// Runs the pod's command (`sleep`, `sh -c`, …); see [`command_runtime`].
    Command,
    /// Exits shortly after starting with this code (a crasher).
    ExitsAtOnce(i32),
    /// Allocates memory (`--vm-bytes 150M`, default 250M) and keeps it; OOMKilled when that is
    /// over the container's memory limit.
    MemoryHog,
}

/// Exit code of a container the kernel killed for memory (SIGKILL).
pub const OOM_EXIT: i64 = 137;

/// How much memory a memory-hog container takes, in bytes.
pub fn hog_bytes(command: &[String]) -> u64 {
    let mut it = command.iter();
    while let Some(a) = it.next() {
        let value = if let Some(v) = a.strip_prefix("--vm-bytes=") {
            Some(v.to_string())
        } else if a == "--vm-bytes" || a == "--mem" {
            it.next().cloned()
        } else {
            a.strip_prefix("--mem=").map(String::from)
        };
        if let Some(v) = value {
            // stress writes `150M` meaning MiB.
            let v = v.trim_end_matches('B');
            let v = if v.ends_with('M') || v.ends_with('G') || v.ends_with('K') {
                format!("{v}i")
            } else {
                v.to_string()
            };
            if let Some(b) = crate::sim::quantity::bytes(&v) {
                return b;
            }
        }
    }
    250 << 20
}

#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Repository as written after normalisation (`nginx`, `registry.k8s.io/pause`).
    pub repository: &'static str,
    /// Known tags; `*` accepts any tag (for the course's own images).
    pub tags: &'static [&'static str],
    /// Simulated pull time range, in milliseconds.
    pub pull_ms: (Millis, Millis),
    pub behaviour: Behaviour,
    /// Whether PID 1 stops on SIGTERM (a shell running `sleep` does not, so it waits the grace period).
    pub stops_on_sigterm: bool,
    /// Compressed size, for the Pulled event.
    pub size_bytes: u64,
}

const NGINX_TAGS: &[&str] = &[
    "latest",
    "stable",
    "mainline",
    "alpine",
    "1.7.9",
    "1.14",
    "1.14.2",
    "1.15",
    "1.15.4",
    "1.16",
    "1.16.1",
    "1.17",
    "1.18",
    "1.19",
    "1.20",
    "1.21",
    "1.21.6",
    "1.22",
    "1.23",
    "1.24",
    "1.25",
    "1.25.3",
    "1.25-alpine",
    "1.26",
    "1.27",
    "1.27-alpine",
    "1.28",
    "1.29",
];
const BUSYBOX_TAGS: &[&str] = &[
    "latest", "1.24", "1.27.2", "1.28", "1.29", "1.31", "1.33", "1.34", "1.35", "1.36", "1.36.1",
    "1.37", "stable", "glibc", "musl",
];

/// Images the simulator knows. The list is small on purpose: an image not here fails to pull.
pub const CATALOG: &[Image] = &[
    Image {
        repository: "nginx",
        tags: NGINX_TAGS,
        pull_ms: (1_500, 4_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 72_099_410,
    },
    Image {
        repository: "busybox",
        tags: BUSYBOX_TAGS,
        pull_ms: (600, 1_500),
        behaviour: Behaviour::Command,
        stops_on_sigterm: false,
        size_bytes: 2_231_050,
    },
    Image {
        repository: "registry.k8s.io/busybox",
        tags: &["latest", "1.24", "1.27.2"],
        pull_ms: (600, 1_500),
        behaviour: Behaviour::Command,
        stops_on_sigterm: false,
        size_bytes: 1_144_547,
    },
    Image {
        repository: "alpine",
        tags: &["latest", "3", "3.18", "3.19", "3.20", "3.21"],
        pull_ms: (700, 1_600),
        behaviour: Behaviour::Command,
        stops_on_sigterm: false,
        size_bytes: 3_408_729,
    },
    Image {
        repository: "debian",
        tags: &["latest", "bookworm", "bookworm-slim", "12", "11"],
        pull_ms: (2_000, 5_000),
        behaviour: Behaviour::Command,
        stops_on_sigterm: false,
        size_bytes: 48_480_000,
    },
    Image {
        repository: "redis",
        tags: &["latest", "5.0.4", "6", "6.2", "7", "7.2", "7.4", "alpine"],
        pull_ms: (1_500, 3_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 45_000_000,
    },
    Image {
        repository: "postgres",
        tags: &["latest", "13", "14", "15", "16", "17", "16-alpine"],
        pull_ms: (3_000, 6_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 158_000_000,
    },
    Image {
        repository: "hashicorp/http-echo",
        tags: &["latest", "0.2.3", "1.0"],
        pull_ms: (800, 2_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 3_500_000,
    },
    Image {
        repository: "registry.k8s.io/pause",
        tags: &["latest", "2.0", "3.1", "3.6", "3.9", "3.10"],
        pull_ms: (200, 600),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 320_000,
    },
    Image {
        repository: "registry.k8s.io/nginx-slim",
        tags: &["0.7", "0.8", "0.21", "0.24", "0.26", "0.27"],
        pull_ms: (1_000, 2_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 23_482_040,
    },
    // The docs' liveness example: /healthz answers 200 for 10 s after start, then 500.
    Image {
        repository: "registry.k8s.io/liveness",
        tags: &["latest"],
        pull_ms: (800, 1_800),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 2_700_000,
    },
    // Control-plane images, preloaded on every node of a kubeadm cluster.
    Image {
        repository: "registry.k8s.io/etcd",
        tags: &["3.5.15-0"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 56_909_194,
    },
    Image {
        repository: "registry.k8s.io/kube-apiserver",
        tags: &["v1.31.0"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 28_063_421,
    },
    Image {
        repository: "registry.k8s.io/kube-controller-manager",
        tags: &["v1.31.0"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 26_240_868,
    },
    Image {
        repository: "registry.k8s.io/kube-scheduler",
        tags: &["v1.31.0"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 20_007_456,
    },
    Image {
        repository: "registry.k8s.io/kube-proxy",
        tags: &["v1.31.0"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 30_207_900,
    },
    Image {
        repository: "registry.k8s.io/coredns/coredns",
        tags: &["v1.11.3"],
        pull_ms: (500, 900),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 18_562_039,
    },
    // Stress tools the docs use for memory limits: OOMKilled over the limit.
    Image {
        repository: "polinux/stress",
        tags: &["latest"],
        pull_ms: (1_000, 2_000),
        behaviour: Behaviour::MemoryHog,
        stops_on_sigterm: true,
        size_bytes: 4_040_000,
    },
    Image {
        repository: "vish/stress",
        tags: &["latest"],
        pull_ms: (1_000, 2_000),
        behaviour: Behaviour::MemoryHog,
        stops_on_sigterm: true,
        size_bytes: 4_040_000,
    },
    Image {
        repository: "pocketcluster/memory-hog",
        tags: &["*"],
        pull_ms: (600, 1_400),
        behaviour: Behaviour::MemoryHog,
        stops_on_sigterm: true,
        size_bytes: 3_100_000,
    },
    // A process that fails two seconds after it starts, every time.
    Image {
        repository: "pocketcluster/crasher",
        tags: &["*"],
        pull_ms: (600, 1_400),
        behaviour: Behaviour::ExitsAtOnce(1),
        stops_on_sigterm: true,
        size_bytes: 2_900_000,
    },
    // A batch step: `pocketcluster/batch` runs `sleep` for its first argument (default 10s).
    Image {
        repository: "pocketcluster/batch",
        tags: &["*"],
        pull_ms: (600, 1_400),
        behaviour: Behaviour::Command,
        stops_on_sigterm: true,
        size_bytes: 2_900_000,
    },
    // The Kubernetes 101 seed's FastAPI services (uvicorn): a gateway on 8001 that calls
    // service-1 (8002) and service-2 (8003) by their Services' names.
    Image {
        repository: "alexgiavaras/k8s_101_service_gateway",
        tags: &["latest", "v1"],
        pull_ms: (2_000, 4_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 61_300_000,
    },
    Image {
        repository: "alexgiavaras/k8s_101_service_1",
        tags: &["latest", "v1"],
        pull_ms: (2_000, 4_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 61_200_000,
    },
    Image {
        repository: "alexgiavaras/k8s_101_service_2",
        tags: &["latest", "v1"],
        pull_ms: (2_000, 4_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 61_200_000,
    },
    // External-DNS (kubernetes-sigs), publishing Service, Ingress and Host names to the
    // public zone (see external_dns.rs).
    Image {
        repository: "registry.k8s.io/external-dns/external-dns",
        tags: &[
            "v0.13.5", "v0.13.6", "v0.14.0", "v0.14.1", "v0.14.2", "v0.15.0", "v0.15.1", "v0.16.0",
            "v0.16.1", "v0.17.0", "v0.18.0", "v0.19.0", "v0.20.0", "v0.21.0",
        ],
        pull_ms: (1_500, 3_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 31_000_000,
    },
    // Ingress controllers and Emissary-ingress (see proxy.rs): they route by the cluster's
    // Ingresses or Mappings, and answer their health checks.
    Image {
        repository: "registry.k8s.io/ingress-nginx/controller",
        tags: &[
            "v1.9.4", "v1.9.5", "v1.9.6", "v1.10.0", "v1.10.1", "v1.10.4", "v1.11.0", "v1.11.1",
            "v1.11.2", "v1.11.3", "v1.11.5", "v1.12.0", "v1.12.1", "v1.13.0",
        ],
        pull_ms: (3_000, 6_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 105_000_000,
    },
    Image {
        repository: "quay.io/jcmoraisjr/haproxy-ingress",
        tags: &["latest", "v0.14.7", "v0.14.8", "v0.15.0", "v0.15.1"],
        pull_ms: (2_000, 4_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 42_000_000,
    },
    Image {
        repository: "jcmoraisjr/haproxy-ingress",
        tags: &["latest", "v0.14.7", "v0.14.8", "v0.15.0", "v0.15.1"],
        pull_ms: (2_000, 4_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 42_000_000,
    },
    Image {
        repository: "haproxytech/kubernetes-ingress",
        tags: &["latest", "1.10.11", "1.11.5", "3.0.1", "3.0.5", "3.1.0"],
        pull_ms: (2_000, 4_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 48_000_000,
    },
    Image {
        repository: "emissaryingress/emissary",
        tags: &["3.8.0", "3.8.1", "3.8.2", "3.9.0", "3.9.1", "3.10.0"],
        pull_ms: (4_000, 8_000),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 120_000_000,
    },
    // Backends of the Emissary and HAProxy docs: Datawire's quote service, HAProxy's echo.
    Image {
        repository: "datawire/quote",
        tags: &["0.4.1", "0.5.0", "0.6.0", "latest"],
        pull_ms: (1_000, 2_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 8_100_000,
    },
    Image {
        repository: "haproxytech/http-echo",
        tags: &["latest"],
        pull_ms: (1_000, 2_500),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 9_300_000,
    },
    // The course's own images (any tag).
    Image {
        repository: "pocketcluster/tls-echo",
        tags: &["*"],
        pull_ms: (800, 1_800),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 6_300_000,
    },
    Image {
        repository: "pocketcluster/gateway",
        tags: &["*"],
        pull_ms: (800, 1_800),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 7_400_000,
    },
    Image {
        repository: "pocketcluster/hello",
        tags: &["*"],
        pull_ms: (800, 1_800),
        behaviour: Behaviour::Serve,
        stops_on_sigterm: true,
        size_bytes: 6_100_000,
    },
];

/// `docker.io/library/nginx:1.25` and `nginx:1.25` name the same image: split into the short
/// repository the catalog uses and the tag (`latest` when none).
pub fn normalise(image: &str) -> (String, String) {
    let image = image.trim();
    // A digest (`name:tag@sha256:…`) pins the tag's content: the name and tag are before it.
    let image = image.split_once('@').map(|(n, _)| n).unwrap_or(image);
    let (name, tag) = match image.rsplit_once(':') {
        Some((n, t)) if !t.contains('/') => (n, t),
        _ => (image, "latest"),
    };
    let name = name.split('@').next().unwrap_or(name);
    let name = name
        .strip_prefix("docker.io/library/")
        .or_else(|| name.strip_prefix("docker.io/"))
        .or_else(|| name.strip_prefix("library/"))
        .unwrap_or(name);
    (name.to_string(), tag.to_string())
}

/// The fully qualified reference containerd prints in pull errors (and the kubelet reports as
/// every running container's imageID): remembered for the last few images asked about, since a
/// cluster asks again for the same few at every pod sync.
pub fn qualified(image: &str) -> String {
    thread_local! {
        static RECENT: std::cell::RefCell<Vec<(String, String)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((_, q)) = recent.iter().find(|(i, _)| i == image) {
            return q.clone();
        }
        let q = qualify(image);
        if recent.len() >= 8 {
            recent.remove(0);
        }
        recent.push((image.to_string(), q.clone()));
        q
    })
}

fn qualify(image: &str) -> String {
    let (name, tag) = normalise(image);
    let first = name.split('/').next().unwrap_or("");
    if name.contains('/') && (first.contains('.') || first.contains(':')) {
        format!("{name}:{tag}")
    } else if name.contains('/') {
        format!("docker.io/{name}:{tag}")
    } else {
        format!("docker.io/library/{name}:{tag}")
    }
}

/// The catalog entry for an image reference, if the image and tag exist: remembered for the
/// last few references asked about (the kubelet asks at every pull and start).
pub fn lookup(image: &str) -> Option<&'static Image> {
    thread_local! {
        static RECENT: std::cell::RefCell<Vec<(String, Option<&'static Image>)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((_, found)) = recent.iter().find(|(i, _)| i == image) {
            return *found;
        }
        let found = find(image);
        if recent.len() >= 8 {
            recent.remove(0);
        }
        recent.push((image.to_string(), found));
        found
    })
}

fn find(image: &str) -> Option<&'static Image> {
    let (name, tag) = normalise(image);
    CATALOG
        .iter()
        .find(|i| i.repository == name && (i.tags.contains(&"*") || i.tags.contains(&tag.as_str())))
}

/// How long a container running `command` lives, for images whose behaviour is `Command`:
/// `None` runs until stopped, `Some(ms)` exits with code 0 after that long.
pub fn command_runtime(command: &[String]) -> Option<Millis> {
    if command.is_empty() {
        // The default command of a shell image is `sh`, which exits at once without a terminal.
        return Some(0);
    }
    let text = command.join(" ");
    if text.contains("while true")
        || text.contains("sleep infinity")
        || text.contains("tail -f")
        || text.contains("httpd")
        || text.contains("nc -l")
    {
        return None;
    }
    // The last `sleep N` decides how long a simple script runs.
    let mut total: Millis = 0;
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&')
        .filter(|w| !w.is_empty())
        .collect();
    for pair in words.windows(2) {
        if pair[0] == "sleep" {
            if let Ok(ms) = crate::sim::clock::parse_duration(pair[1]) {
                total = total.saturating_add(ms);
            }
        }
    }
    Some(total)
}

/// The exit status a simple script ends with: that of its first `exit N` (`exit` alone: 0), or 1
/// when its last command is `false`, else 0. `sh -c SCRIPT` is looked into.
pub fn command_exit_code(command: &[String]) -> i64 {
    let script = match command {
        [shell, flag, script, ..] if shell.ends_with("sh") && flag == "-c" => script.clone(),
        _ => command.join(" "),
    };
    let statements: Vec<&str> = script
        .split([';', '\n'])
        .flat_map(|s| s.split("&&"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    for s in &statements {
        let words: Vec<&str> = s.split_whitespace().collect();
        match words.as_slice() {
            ["exit"] => return 0,
            ["exit", n, ..] => {
                // The shell keeps the low 8 bits; a non-number is a usage error (2).
                return n
                    .trim_matches(['\'', '"'])
                    .parse::<i64>()
                    .map(|v| v.rem_euclid(256))
                    .unwrap_or(2);
            }
            _ => {}
        }
    }
    match statements.last() {
        Some(&"false") => 1,
        _ => 0,
    }
}

/// What a container wrote to stdout between `started` and `until` (virtual time), as
/// `kubectl logs` shows it. Derived from the image and command, so it needs no storage and is
/// the same on every replay.
pub fn logs(
    image: &str,
    command: &[String],
    env: &[(String, String)],
    started: Millis,
    until: Millis,
) -> Vec<String> {
    let (repo, _) = normalise(image);
    let stamp = |t: Millis| {
        let ts = crate::sim::clock::rfc3339(t);
        // nginx and Go programs print `2026/01/01 00:05:03`.
        ts.replace('-', "/")
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_string()
    };
    match lookup(image).map(|i| &i.behaviour) {
        None => Vec::new(),
        Some(Behaviour::Command) => shell_logs(command, started, until),
        Some(_) => match repo.as_str() {
            "nginx" | "registry.k8s.io/nginx-slim" => vec![
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration".into(),
                "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/".into(),
                "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
                format!("{} [notice] 1#1: using the \"epoll\" event method", stamp(started)),
                format!("{} [notice] 1#1: start worker processes", stamp(started)),
            ],
            "hashicorp/http-echo" => {
                let text = command.iter().find_map(|a| a.strip_prefix("-text=")).unwrap_or("hello-world");
                let listen = command.iter().find_map(|a| a.strip_prefix("-listen=")).unwrap_or(":5678");
                vec![format!("{} [INFO] server is listening on {listen} ({text:?})", stamp(started))]
            }
            "redis" => vec![
                "1:C 01 Jan 2026 00:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into(),
                "1:M 01 Jan 2026 00:00:00.000 * Ready to accept connections tcp".into(),
            ],
            "postgres" if !env.iter().any(|(k, _)| k == "POSTGRES_PASSWORD" || k == "POSTGRES_HOST_AUTH_METHOD") => vec![
                "Error: Database is uninitialized and superuser password is not specified.".into(),
                "       You must specify POSTGRES_PASSWORD to a non-empty value for the".into(),
                "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".".into(),
                String::new(),
                "       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all".into(),
                "       connections without a password. This is *not* recommended.".into(),
            ],
            "postgres" => vec!["LOG:  database system is ready to accept connections".into()],
            _ => Vec::new(),
        },
    }
}

/// The output of a shell-style command: `echo` lines once, or per loop iteration for
/// `while true; do …; sleep N; done`, up to `until`.
fn shell_logs(command: &[String], started: Millis, until: Millis) -> Vec<String> {
    let script = match command {
        [sh, flag, script, ..] if (sh.ends_with("sh") || sh.ends_with("bash")) && flag == "-c" => {
            script.clone()
        }
        other => other.join(" "),
    };
    let echo_of = |stmt: &str| -> Option<String> {
        let rest = stmt.trim().strip_prefix("echo")?;
        if !(rest.is_empty() || rest.starts_with(' ')) {
            return None;
        }
        let words = crate::shell::lex::lex(rest).ok()?.words;
        Some(words.join(" "))
    };
    let statements = |body: &str| -> Vec<String> {
        body.split([';', '\n'])
            .flat_map(|s| s.split("&&"))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut out = Vec::new();
    if let Some(body) = script.split_once("while true").map(|(_, b)| b) {
        let inner = body
            .trim()
            .trim_start_matches(';')
            .trim()
            .trim_start_matches("do")
            .trim_end()
            .trim_end_matches("done")
            .trim()
            .trim_end_matches(';')
            .to_string();
        let stmts = statements(&inner);
        let period: Millis = stmts
            .iter()
            .filter_map(|s| s.strip_prefix("sleep "))
            .filter_map(|d| crate::sim::clock::parse_duration(d).ok())
            .sum::<Millis>()
            .max(1000);
        let rounds = (until.saturating_sub(started) / period + 1).min(500);
        for r in 0..rounds {
            for s in &stmts {
                if let Some(line) = echo_of(s) {
                    out.push(line);
                } else if s == "date" {
                    out.push(crate::sim::clock::unix_date(started + r * period));
                }
            }
        }
        return out;
    }
    for s in statements(&script) {
        if let Some(line) = echo_of(&s) {
            out.push(line);
        } else if s == "date" {
            out.push(crate::sim::clock::unix_date(started));
        }
    }
    out
}

/// What an HTTP GET to a container answers: Some(status) if something listens on `port`,
/// None if the connection is refused. `elapsed` is how long the container has run.
pub fn http_status(
    image: &str,
    command: &[String],
    port: i64,
    path: &str,
    elapsed: Millis,
) -> Option<u16> {
    let (repo, _) = normalise(image);
    lookup(image)?;
    http_status_of(&repo, command, port, path, elapsed)
}

/// [`http_status`] for an image already known to the catalog, by its normalised repository.
pub fn http_status_of(
    repo: &str,
    command: &[String],
    port: i64,
    path: &str,
    elapsed: Millis,
) -> Option<u16> {
    match repo {
        "nginx" | "registry.k8s.io/nginx-slim" => (port == 80).then_some(match path {
            "/" | "/index.html" | "" => 200,
            _ => 404,
        }),
        "hashicorp/http-echo" => {
            let listen = command
                .iter()
                .find_map(|a| a.strip_prefix("-listen="))
                .and_then(|l| l.rsplit(':').next())
                .and_then(|p| p.parse::<i64>().ok())
                .unwrap_or(5678);
            (port == listen).then_some(200)
        }
        "registry.k8s.io/liveness" => (port == 8080).then(|| {
            if path == "/healthz" && elapsed >= 10_000 {
                500
            } else {
                200
            }
        }),
        "pocketcluster/hello" | "pocketcluster/gateway" => (port == 8080).then_some(200),
        // The proxies' own health endpoints (their routed ports are proxy.rs's).
        "registry.k8s.io/ingress-nginx/controller" => (port == 10254).then_some(200),
        "quay.io/jcmoraisjr/haproxy-ingress" | "jcmoraisjr/haproxy-ingress" => {
            (port == 10253).then_some(200)
        }
        "haproxytech/kubernetes-ingress" => (port == 1042 || port == 1024).then_some(200),
        "emissaryingress/emissary" => (port == 8877).then_some(200),
        "datawire/quote" => (port == 8080).then_some(200),
        "haproxytech/http-echo" => (port == 8888 || port == 8443).then_some(200),
        "pocketcluster/tls-echo" => (port == 8443).then_some(200),
        "alexgiavaras/k8s_101_service_gateway" => (port == 8001).then_some(match path {
            "/" | "/docs" | "/openapi.json" | "/health" => 200,
            _ => 404,
        }),
        "alexgiavaras/k8s_101_service_1" => (port == 8002).then_some(match path {
            "/" | "/docs" | "/openapi.json" | "/health" => 200,
            _ => 404,
        }),
        "alexgiavaras/k8s_101_service_2" => (port == 8003).then_some(match path {
            "/" | "/docs" | "/openapi.json" | "/health" => 200,
            _ => 404,
        }),
        _ => None,
    }
}

/// Whether a TCP connection to `port` is accepted.
pub fn tcp_open(image: &str, command: &[String], port: i64) -> bool {
    let (repo, _) = normalise(image);
    match repo.as_str() {
        "redis" => port == 6379,
        "postgres" => port == 5432,
        _ => http_status(image, command, port, "/", 0).is_some(),
    }
}

/// Whether a file exists `elapsed` after a shell container started, following its script's
/// `touch`, `echo … > FILE`, `rm` and `sleep` statements (the docs' exec-liveness example).
pub fn file_exists(command: &[String], file: &str, elapsed: Millis) -> bool {
    let script = match command {
        [sh, flag, script, ..] if (sh.ends_with("sh") || sh.ends_with("bash")) && flag == "-c" => {
            script.clone()
        }
        other => other.join(" "),
    };
    let mut t: Millis = 0;
    let mut exists = false;
    for stmt in script
        .split([';', '\n'])
        .flat_map(|s| s.split("&&"))
        .map(str::trim)
    {
        if t > elapsed {
            break;
        }
        let words: Vec<&str> = stmt.split_whitespace().collect();
        match words.as_slice() {
            ["sleep", d, ..] => {
                t = t.saturating_add(crate::sim::clock::parse_duration(d).unwrap_or(0))
            }
            ["touch", files @ ..] if files.contains(&file) => exists = true,
            ["rm", rest @ ..] if rest.contains(&file) => exists = false,
            _ if stmt.contains('>')
                && stmt
                    .split('>')
                    .next_back()
                    .is_some_and(|f| f.trim() == file) =>
            {
                exists = true
            }
            _ => {}
        }
    }
    exists
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_like_docker() {
        assert_eq!(normalise("nginx"), ("nginx".into(), "latest".into()));
        assert_eq!(
            normalise("docker.io/library/nginx:1.25"),
            ("nginx".into(), "1.25".into())
        );
        assert_eq!(
            qualified("nginx:1.255"),
            "docker.io/library/nginx:1.255".to_string()
        );
        assert_eq!(
            qualified("registry.k8s.io/pause:3.9"),
            "registry.k8s.io/pause:3.9".to_string()
        );
        assert!(lookup("nginx:1.14.2").is_some());
        assert!(lookup("nginx:1.255").is_none());
        assert!(lookup("ngnix").is_none());
    }

    /// The docs' exec-liveness example: healthy for 30 s, then the file is gone.
    #[test]
    fn files_follow_the_script() {
        let cmd: Vec<String> = [
            "/bin/sh",
            "-c",
            "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        assert!(file_exists(&cmd, "/tmp/healthy", 5_000));
        assert!(!file_exists(&cmd, "/tmp/healthy", 31_000));
        assert_eq!(http_status("nginx:1.25", &[], 80, "/", 0), Some(200));
        assert_eq!(http_status("nginx:1.25", &[], 80, "/healthz", 0), Some(404));
        assert_eq!(http_status("nginx:1.25", &[], 8080, "/", 0), None);
    }

    #[test]
    fn commands_decide_how_long_a_shell_container_lives() {
        let cmd = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(command_runtime(&cmd(&["sleep", "3600"])), Some(3_600_000));
        assert_eq!(command_runtime(&[]), Some(0));
        assert_eq!(
            command_runtime(&cmd(&["sh", "-c", "while true; do echo hi; sleep 1; done"])),
            None
        );
    }
}
