//! The traffic benchmark behind `pocket-cluster bench traffic` (and `#/bench/traffic` in the
//! page): traced HTTP requests per second through the Kubernetes 101 seed's API gateway.
//!
//! The world is built as a learner builds it, through a shell [`Session`]: the seed's three pods
//! (the gateway, service-1, service-2) and their Services applied with `kubectl apply`, the
//! gateway's Service of type LoadBalancer, a busybox client pod, and 30 virtual seconds for the
//! pods to start and the cloud to give the load balancer its address. Then the network is
//! snapshotted once ([`WorldNet::of`]) and the benchmark times N requests, each a fresh
//! [`LaptopNetwork`] sending `GET /` to the load balancer's public address and taking the
//! request's trace, as one `curl` at the terminal does: the laptop, the cloud load balancer, the
//! Service, kube-proxy on the node, the gateway pod, which asks service-1 and service-2 by their
//! DNS names from its own pod (a lookup, the Service, kube-proxy and the container each), and the
//! gateway's container combining their answers: 15 hops, 5 of them on the top-level path. A
//! second figure times the same request from inside the cluster: a fresh [`PodNetwork`] of the
//! client pod resolving `ml-inference-service` (a hop of its own) and sending `GET /` to its
//! cluster IP (15 hops too).
//!
//! Before timing, the first request of each kind is checked: 200, the combined body, the
//! expected hops. Every timed request must answer 200 with as many hops as the first, so the
//! benchmark cannot measure a broken path. The target: 100,000 requests per second
//! natively.

use super::{since, Host};
use crate::shell::Session;
use crate::sim::net::{LaptopNetwork, PodNetwork, WorldNet};
use crate::sim::network::{Hop, HttpRequest, HttpResponse, Network};
use std::time::Duration;

/// The seed's pods, as the Kubernetes 101 course applies them (tests/transcripts/21-gateway.txt).
const PODS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: service-gateway
  labels:
    app: ml-inference-service
spec:
  containers:
  - name: gateway
    image: alexgiavaras/k8s_101_service_gateway:latest
    ports:
    - containerPort: 8001
---
apiVersion: v1
kind: Pod
metadata:
  name: service-1
  labels:
    app: ml-service1
spec:
  containers:
  - name: service-1
    image: alexgiavaras/k8s_101_service_1:latest
    ports:
    - containerPort: 8002
---
apiVersion: v1
kind: Pod
metadata:
  name: service-2
  labels:
    app: ml-service2
spec:
  containers:
  - name: service-2
    image: alexgiavaras/k8s_101_service_2:latest
    ports:
    - containerPort: 8003
";

/// The seed's Services: two ClusterIP upstreams and the gateway's LoadBalancer.
const SERVICES: &str = "apiVersion: v1
kind: Service
metadata:
  name: ml-service1
spec:
  type: ClusterIP
  selector:
    app: ml-service1
  ports:
  - name: http
    port: 80
    targetPort: 8002
    protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: ml-service2
spec:
  type: ClusterIP
  selector:
    app: ml-service2
  ports:
  - name: http
    port: 80
    targetPort: 8003
    protocol: TCP
---
apiVersion: v1
kind: Service
metadata:
  name: ml-inference-service
spec:
  type: LoadBalancer
  selector:
    app: ml-inference-service
  ports:
  - name: http
    port: 80
    nodePort: 30080
    targetPort: 8001
  - name: https
    port: 443
    nodePort: 30443
    targetPort: 8443
";

/// The gateway's Service, as the client pod names it.
const GATEWAY_SERVICE: &str = "ml-inference-service";
/// The client pod the in-cluster figure sends from.
const CLIENT_POD: &str = "client";

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub seed: u64,
    /// Requests timed from the laptop, and again from the client pod.
    pub requests: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            requests: 200_000,
        }
    }
}

/// One timed batch of requests from one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Where the requests start and what they ask: `laptop → 203.0.113.10:80`.
    pub path: String,
    pub requests: usize,
    pub wall: Duration,
    /// Hops of every request's trace, added up.
    pub hops: usize,
    /// The first request's status line and body, and its trace.
    pub status: String,
    pub body: String,
    pub trace: Vec<Hop>,
}

impl Batch {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    pub fn mean(&self) -> Duration {
        Duration::from_secs_f64(self.wall.as_secs_f64() / self.requests.max(1) as f64)
    }

    pub fn hops_per_request(&self) -> f64 {
        self.hops as f64 / self.requests.max(1) as f64
    }

    /// The first request's trace, numbered as `sim trace` prints it.
    pub fn trace_text(&self) -> String {
        let width = self.trace.iter().map(|h| h.at.len()).max().unwrap_or(0);
        self.trace
            .iter()
            .enumerate()
            .map(|(i, h)| format!("{:>2}. {:<width$}  {}\n", i + 1, h.at, h.detail))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub options: Options,
    /// Wall time to build the world through the session (kubectl apply, 30 s virtual).
    pub setup: Duration,
    /// Wall time of the one `WorldNet::of` snapshot the requests share.
    pub snapshot: Duration,
    /// From the laptop to the gateway's load balancer.
    pub laptop: Batch,
    /// From the client pod to the gateway's Service by its DNS name.
    pub pod: Batch,
}

impl Report {
    /// One line per metric, as `pocket-cluster bench traffic` prints it.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| out.push_str(&format!("{k:<18}{v}\n"));
        line(
            "traffic",
            format!(
                "GET / through the Kubernetes 101 gateway to service-1 and service-2, {} requests from each place (seed {})",
                self.options.requests, self.options.seed
            ),
        );
        line("setup", super::ms(self.setup));
        line("snapshot", super::ms(self.snapshot));
        for (name, b) in [("laptop", &self.laptop), ("pod", &self.pod)] {
            line(name, b.path.clone());
            line(
                &format!("{name} rate"),
                format!(
                    "{:.0} requests/s, {} per request, {} for {}",
                    b.per_second(),
                    super::ms(b.mean()),
                    super::ms(b.wall),
                    b.requests
                ),
            );
            let top = b.trace.iter().filter(|h| !h.at.starts_with(' ')).count();
            line(
                &format!("{name} hops"),
                format!(
                    "{:.1} per request ({} top-level, {} nested); first answer {}, {} bytes",
                    b.hops_per_request(),
                    top,
                    b.trace.len() - top,
                    b.status,
                    b.body.len()
                ),
            );
        }
        out
    }
}

/// What a request's trace must look like, hop by hop: the start of each hop's `at`.
fn expected_hops(entry: &[&str]) -> Vec<String> {
    let mut hops: Vec<String> = entry.iter().map(|s| s.to_string()).collect();
    for svc in ["ml-service1", "ml-service2"] {
        hops.push("  dns 10.96.0.10".into());
        hops.push("  pod default/service-gateway".into());
        hops.push(format!("  service default/{svc}"));
        hops.push("  kube-proxy ".into());
        hops.push(format!(
            "  container service-{}",
            svc.trim_start_matches("ml-service")
        ));
    }
    hops.push("container gateway".into());
    hops
}

/// Check a first answer and its trace; the error says what was wrong.
fn check(status: u16, body: &str, trace: &[Hop], expected: &[String]) -> Result<(), String> {
    let mut problems = Vec::new();
    if status != 200 {
        problems.push(format!("status {status}, not 200"));
    }
    for part in [
        "{\"gateway\":\"service-gateway\"",
        "\"service-1\":{\"service\":\"service-1\",\"message\":\"Hello from service-1\"",
        "\"service-2\":{\"service\":\"service-2\",\"message\":\"Hello from service-2\"",
    ] {
        if !body.contains(part) {
            problems.push(format!("the body has no {part}"));
        }
    }
    let ok = trace.len() == expected.len()
        && trace
            .iter()
            .zip(expected)
            .all(|(h, want)| h.at.starts_with(want.as_str()));
    if !ok {
        problems.push(format!(
            "the trace is not the gateway's path: expected {expected:?}, got {:?}",
            trace.iter().map(|h| h.at.as_str()).collect::<Vec<_>>()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\nbody: {body}\ntrace:\n{}",
            problems.join("; "),
            trace
                .iter()
                .map(|h| format!("  {}  {}\n", h.at, h.detail))
                .collect::<String>()
        ))
    }
}

/// Build the world through a session, as a learner would.
fn build(seed: u64) -> Result<Session, String> {
    let mut s = Session::new(seed);
    let steps: [(&str, Option<&str>); 4] = [
        ("kubectl apply -f -", Some(PODS)),
        ("kubectl apply -f -", Some(SERVICES)),
        (
            "kubectl run client --image=busybox:1.36 -- sleep 3600",
            None,
        ),
        ("sim advance 30s", None),
    ];
    for (line, stdin) in steps {
        let out = s.run(line, stdin);
        if !out.ok {
            return Err(format!("`{line}` failed: {}", out.text));
        }
    }
    Ok(s)
}

/// The gateway Service's load-balancer address.
fn load_balancer_ip(s: &Session) -> Result<String, String> {
    let svc = s
        .world
        .cluster()
        .store
        .services
        .get("default", GATEWAY_SERVICE)
        .ok_or("no Service ml-inference-service")?;
    svc.status
        .load_balancer
        .ingress
        .first()
        .map(|i| i.ip.clone())
        .filter(|ip| !ip.is_empty())
        .ok_or_else(|| "the LoadBalancer Service has no external address".to_string())
}

fn get(host: &str, ip: &str) -> HttpRequest {
    HttpRequest {
        method: "GET".into(),
        scheme: "http".into(),
        host: host.into(),
        ip: ip.into(),
        port: 80,
        path: "/".into(),
        headers: vec![
            ("Host".into(), host.into()),
            ("User-Agent".into(), "curl/8.12.1".into()),
            ("Accept".into(), "*/*".into()),
        ],
        body: String::new(),
    }
}

/// Check one request made by `send` (a fresh network each time: the response and its trace),
/// then time `n` more, each of which must answer as the first did, with as many hops.
fn batch(
    host: &dyn Host,
    path: String,
    n: usize,
    expected: &[String],
    mut send: impl FnMut() -> Result<(HttpResponse, Vec<Hop>), String>,
) -> Result<Batch, String> {
    let (first, trace) = send().map_err(|e| format!("{path}: {e}"))?;
    check(first.status, &first.body, &trace, expected).map_err(|e| format!("{path}: {e}"))?;
    let t = host.now_ms();
    let mut hops = 0;
    for i in 0..n {
        let (resp, hs) = send().map_err(|e| format!("{path}: request {}: {e}", i + 2))?;
        if resp.status != first.status || hs.len() != trace.len() {
            return Err(format!(
                "{path}: request {} answered {} with {} hops, the first {} with {}",
                i + 2,
                resp.status,
                hs.len(),
                first.status,
                trace.len()
            ));
        }
        hops += hs.len();
    }
    let wall = since(host, t);
    Ok(Batch {
        path,
        requests: n,
        wall,
        hops,
        status: format!("{} {}", first.status, first.reason),
        body: first.body,
        trace,
    })
}

/// Run the benchmark, timed by `host`. An error says which check failed (the world, the first
/// answer, its trace, or a later request).
pub fn run(opts: &Options, host: &dyn Host) -> Result<Report, String> {
    let t = host.now_ms();
    let mut s = build(opts.seed)?;
    let setup = since(host, t);
    let lb = load_balancer_ip(&s)?;
    let cluster = s.world.current;

    let t = host.now_ms();
    let net = WorldNet::of(&s.world);
    let snapshot = since(host, t);
    let rng = &mut s.world.rng;

    // From the laptop: the load balancer's address, as `curl http://203.0.113.10/` sends it.
    let request = get(&lb, &lb);
    let expected = expected_hops(&[
        "laptop",
        &format!("cloud load balancer {lb}"),
        "service default/ml-inference-service",
        "kube-proxy ",
    ]);
    let laptop = batch(
        host,
        format!("laptop → {lb}:80 (the LoadBalancer of Service default/{GATEWAY_SERVICE})"),
        opts.requests,
        &expected,
        || {
            let mut laptop = LaptopNetwork::new(&net, rng);
            let resp = laptop.http(&request).map_err(|e| format!("{e:?}"))?;
            Ok((resp, laptop.last_trace()))
        },
    )?;

    // From the client pod: its resolver finds the Service, then GET / to its cluster IP, as
    // `kubectl exec client -- wget -qO- http://ml-inference-service` does.
    let expected = expected_hops(&[
        "dns 10.96.0.10",
        "pod default/client",
        "service default/ml-inference-service",
        "kube-proxy ",
    ]);
    let pod = batch(
        host,
        format!(
            "pod default/{CLIENT_POD} → {GATEWAY_SERVICE}:80 (its DNS name, then its cluster IP)"
        ),
        opts.requests,
        &expected,
        || {
            let mut pod = PodNetwork::new(&net, cluster, rng, "default", CLIENT_POD);
            let l = pod
                .lookup(GATEWAY_SERVICE)
                .map_err(|e| format!("lookup: {e:?}"))?;
            let ip = l.addresses.first().ok_or("lookup: no address")?;
            let resp = pod
                .http(&get(GATEWAY_SERVICE, ip))
                .map_err(|e| format!("{e:?}"))?;
            Ok((resp, pod.last_trace()))
        },
    )?;

    Ok(Report {
        options: opts.clone(),
        setup,
        snapshot,
        laptop,
        pod,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn a_tiny_traffic_bench_goes_through_the_gateway() {
        let r = run(
            &Options {
                seed: 1,
                requests: 10,
            },
            &super::super::Native::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for b in [&r.laptop, &r.pod] {
            assert_eq!(b.requests, 10);
            assert_eq!(b.status, "200 OK");
            assert!(b.body.contains("Hello from service-2"), "{}", b.body);
        }
        // Every hop's place, the node kube-proxy runs on left out (the seed decides it).
        let ats = |b: &Batch| {
            b.trace
                .iter()
                .map(|h| match h.at.find("kube-proxy ") {
                    Some(i) => format!("{}kube-proxy", &h.at[..i]),
                    None => h.at.clone(),
                })
                .collect::<Vec<_>>()
        };
        let upstreams = [
            "  dns 10.96.0.10",
            "  pod default/service-gateway",
            "  service default/ml-service1",
            "  kube-proxy",
            "  container service-1",
            "  dns 10.96.0.10",
            "  pod default/service-gateway",
            "  service default/ml-service2",
            "  kube-proxy",
            "  container service-2",
            "container gateway",
        ];
        let mut want = vec![
            "laptop",
            "cloud load balancer 203.0.113.10",
            "service default/ml-inference-service",
            "kube-proxy",
        ];
        want.extend(upstreams);
        assert_eq!(ats(&r.laptop), want);
        let mut want = vec![
            "dns 10.96.0.10",
            "pod default/client",
            "service default/ml-inference-service",
            "kube-proxy",
        ];
        want.extend(upstreams);
        assert_eq!(ats(&r.pod), want);
        assert_eq!(r.laptop.hops, 150);
        assert_eq!(r.pod.hops, 150);
        let text = r.text();
        assert!(text.contains("laptop rate"), "{text}");
        assert!(
            text.contains("15.0 per request (5 top-level, 10 nested)"),
            "{text}"
        );
        assert!(r.laptop.trace_text().starts_with(" 1. laptop "));
    }

    #[test]
    fn a_broken_path_is_refused() {
        let expected = expected_hops(&["laptop"]);
        let err = check(502, "{\"detail\":\"upstream\"}", &[], &expected).unwrap_err();
        assert!(err.contains("status 502, not 200"), "{err}");
        assert!(err.contains("the trace is not the gateway's path"), "{err}");
    }
}
