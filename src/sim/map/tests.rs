use super::*;
use crate::shell::{lex, Session};

/// Replay the commands of a transcript (its `$ ` lines and their heredocs) up to and including
/// the first one that `stop` accepts.
fn replay(text: &str, stop: impl Fn(&str) -> bool) -> Session {
    let mut s = Session::new(1);
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let Some(cmd) = line.strip_prefix("$ ") else {
            continue;
        };
        let mut stdin = None;
        if let Ok(l) = lex::lex(cmd) {
            if let Some((delim, _)) = l.heredoc {
                let mut body = String::new();
                while i < lines.len() {
                    let b = lines[i];
                    i += 1;
                    if b.trim_end() == delim {
                        break;
                    }
                    body.push_str(b);
                    body.push('\n');
                }
                stdin = Some(body);
            }
        }
        s.run(cmd, stdin.as_deref());
        if stop(cmd) {
            break;
        }
    }
    s
}

fn session(script: &str) -> Session {
    let mut s = Session::new(1);
    crate::shell::script::run(&mut s, script).expect("script runs");
    s
}

const WEB: &str = r#"kubectl create deployment web --image=nginx:1.25 --replicas=3
kubectl expose deployment web --port=80
kubectl run client --image=busybox:1.36 -- sleep 3600
sim advance 30s
"#;

fn overlaps(a: Rect, b: Rect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

fn inside(inner: Rect, outer: Rect) -> bool {
    inner.x >= outer.x
        && inner.y >= outer.y
        && inner.x + inner.w <= outer.x + outer.w
        && inner.y + inner.h <= outer.y + outer.h
}

#[test]
fn the_default_world_has_three_masters_with_their_components_and_two_workers() {
    let s = Session::new(1);
    let m = MapModel::of(&s.world, 1000);
    assert_eq!(m.clusters.len(), 1);
    let c = &m.clusters[0];
    assert_eq!(c.name, "demo");
    assert_eq!(c.masters.len(), 3);
    assert_eq!(c.workers.len(), 2);
    for master in &c.masters {
        let names: Vec<&str> = master.components.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "kube-apiserver",
                "etcd",
                "kube-scheduler",
                "kube-controller-manager"
            ]
        );
        assert!(master.components.iter().all(|x| x.up));
        // Static pods and kube-proxy are drawn as components and strips, not as pods.
        assert!(master.pods.is_empty(), "{:?}", master.pods);
    }
    // CoreDNS runs on the workers, and kube-dns is its Service; `kubernetes` is not drawn.
    let coredns: Vec<&MapPod> = m
        .pods()
        .filter(|p| p.name.starts_with("coredns-"))
        .collect();
    assert_eq!(coredns.len(), 2);
    assert!(coredns.iter().all(|p| p.system && p.health == Health::Ok));
    let dns = &c.services[0];
    assert_eq!(dns.id, "c0/svc/kube-system/kube-dns");
    assert_eq!(dns.cluster_ip, "10.96.0.10");
    assert_eq!(dns.endpoints.len(), 2);
    assert_eq!(c.services.len(), 1);
}

#[test]
fn layout_is_deterministic_and_nothing_overlaps() {
    let a = session(WEB);
    let b = session(WEB);
    let ma = MapModel::of(&a.world, 500);
    assert_eq!(ma, MapModel::of(&b.world, 500));
    let c = &ma.clusters[0];
    assert_eq!(c.services.len(), 2);
    let web = c.services.iter().find(|s| s.name == "web").unwrap();
    assert_eq!(web.endpoints.len(), 3);
    assert!(web
        .endpoints
        .iter()
        .all(|e| e.starts_with("c0/pod/default/web-")));
    // Every element is inside the map and inside its cluster; siblings do not overlap.
    let all = ma.elements();
    for (id, r) in &all {
        assert!(r.w > 0 && r.h > 0, "{id} has no size");
        assert!(
            r.x >= 0 && r.y >= 0 && r.x + r.w <= ma.width && r.y + r.h <= ma.height,
            "{id}"
        );
        if id.starts_with("c0/") {
            assert!(inside(*r, c.rect), "{id} {r:?} outside {:?}", c.rect);
        }
    }
    let boxes: Vec<&(String, Rect)> = all
        .iter()
        .filter(|(id, _)| id.contains("/node/") || id.contains("/svc/") || !id.contains('/'))
        .collect();
    for (i, (a, ra)) in boxes.iter().enumerate() {
        for (b, rb) in &boxes[i + 1..] {
            assert!(!overlaps(*ra, *rb), "{a} {ra:?} overlaps {b} {rb:?}");
        }
    }
    // Pods are inside their node and apart from each other.
    for n in c.workers.iter().chain(&c.masters) {
        for (i, p) in n.pods.iter().enumerate() {
            assert!(inside(p.rect, n.rect), "{} outside {}", p.id, n.id);
            assert!(!overlaps(p.rect, n.kube_proxy), "{} over kube-proxy", p.id);
            for q in &n.pods[i + 1..] {
                assert!(!overlaps(p.rect, q.rect), "{} overlaps {}", p.id, q.id);
            }
        }
    }
    // The client is Running, with an IP, in a worker.
    let client = ma.pods().find(|p| p.name == "client").unwrap();
    assert_eq!(client.status, "Running");
    assert!(client.ip.starts_with("10.244."));
}

#[test]
fn a_crowded_node_draws_small_squares_and_still_fits() {
    let s = session(
        "kubectl create deployment many --image=nginx:1.25 --replicas=150\nsim advance 60s\n",
    );
    let m = MapModel::of(&s.world, 500);
    let c = &m.clusters[0];
    let pods: usize = c.workers.iter().map(|n| n.pods.len()).sum();
    assert!(pods >= 150, "{pods}");
    for n in &c.workers {
        assert!(n.pods.iter().all(|p| p.compact));
        for p in &n.pods {
            assert!(inside(p.rect, n.rect));
        }
    }
    // 150 pods on two workers keep the map a reasonable size.
    assert!(m.height < 900, "{}", m.height);
}

#[test]
fn a_stopped_worker_and_a_stopped_master_are_drawn_so() {
    let mut s = session("sim node stop worker-2\nsim node stop master-1\nsim advance 60s\n");
    s.run("sim advance 1s", None);
    let m = MapModel::of(&s.world, 1000);
    let c = &m.clusters[0];
    let w2 = c.workers.iter().find(|n| n.name == "worker-2").unwrap();
    assert!(!w2.powered && !w2.ready);
    assert_eq!(w2.status, "NotReady");
    let m1 = c.masters.iter().find(|n| n.name == "master-1").unwrap();
    assert!(!m1.powered);
    assert!(m1.components.iter().all(|x| !x.up));
    assert_eq!(c.masters_up, 2);
    assert!(c.quorum);
}

#[test]
fn a_crashing_pod_shows_crashloopbackoff() {
    let mut s = session("kubectl run crashy --image=busybox:1.36 -- sleep 3600\nsim advance 20s\n");
    for _ in 0..3 {
        s.run("sim pod crash crashy", None);
        s.run("sim advance 2s", None);
    }
    let m = MapModel::of(&s.world, 1000);
    let p = m.pods().find(|p| p.name == "crashy").unwrap();
    assert_eq!(p.status, "CrashLoopBackOff");
    assert_eq!(p.health, Health::Bad);
    assert!(p.restarts >= 1, "{}", p.restarts);
}

#[test]
fn a_request_from_a_pod_goes_through_dns_the_service_and_kube_proxy_to_a_pod() {
    let mut s = session(WEB);
    let out = s.run("kubectl exec client -- wget -qO- http://web/", None);
    assert!(out.ok, "{}", out.text);
    let m = MapModel::of(&s.world, 1000);
    let steps = route(&m, &s.last_trace, 0);
    let elements: Vec<&str> = steps.iter().map(|s| s.element.as_str()).collect();
    assert_eq!(elements[0], "c0/pod/default/client", "{steps:#?}");
    assert_eq!(elements[1], "c0/svc/kube-system/kube-dns");
    assert_eq!(steps[1].kind, StepKind::Dns);
    assert_eq!(elements[2], "c0/pod/default/client");
    assert_eq!(elements[3], "c0/svc/default/web");
    assert!(elements[4].starts_with("c0/kube-proxy/worker-"));
    // The container hop lands on the pod kube-proxy picked.
    let last = steps.last().unwrap();
    assert!(last.element.starts_with("c0/pod/default/web-"), "{last:?}");
    let picked = last.element.rsplit('/').next().unwrap();
    let ip = &m.pods().find(|p| p.name == picked).unwrap().ip;
    assert!(steps[4].detail.contains(ip.as_str()), "{}", steps[4].detail);
    assert!(steps.iter().all(|s| s.failed.is_none()));
    assert!(steps.iter().all(|s| s.cluster == Some(0)));
    for s in &steps {
        assert!(
            m.rect_of(&s.element).is_some(),
            "{} is not drawn",
            s.element
        );
    }
    assert!(summary(&steps).ends_with(": 200 OK"), "{}", summary(&steps));
}

#[test]
fn a_service_without_endpoints_fails_at_kube_proxy_with_the_reason() {
    let mut s = session(
        "kubectl create service clusterip nothing --tcp=80:80\nkubectl run client --image=busybox:1.36 -- sleep 3600\nsim advance 20s\n",
    );
    let out = s.run(
        "kubectl exec client -- wget -qO- -T 2 http://nothing/",
        None,
    );
    assert!(!out.ok);
    let m = MapModel::of(&s.world, 1000);
    let steps = route(&m, &s.last_trace, 0);
    let last = steps.last().unwrap();
    assert!(last.element.starts_with("c0/kube-proxy/"), "{steps:#?}");
    assert_eq!(
        last.failed,
        Some(Failure {
            reason: "no ready endpoints".into()
        })
    );
    assert!(
        summary(&steps).contains("failed at kube-proxy on"),
        "{}",
        summary(&steps)
    );
}

#[test]
fn failures_are_read_from_the_engines_words() {
    let r = |d: &str| failure_of(d).map(|f| f.reason);
    assert_eq!(r("backend (nginx:1.25) answers GET / with 200 OK"), None);
    assert_eq!(
        r("nginx (nginx:1.25) answers GET /x with 404 Not Found").as_deref(),
        Some("HTTP 404")
    );
    assert_eq!(
        r("Service default/web has no ready endpoints: ingress-nginx answers 503").as_deref(),
        Some("HTTP 503")
    );
    assert_eq!(r("powered off: no answer").as_deref(), Some("timed out"));
    assert_eq!(
        r("no record for nowhere.example.com in the public zone (sim dns list shows it; sim dns add NAME A IP adds one)").as_deref(),
        Some("no DNS record")
    );
    assert_eq!(
        r("DNAT to 10.244.3.5:8080, one of 2 ready endpoints of Service default/quote: picked at random, as iptables mode does"),
        None
    );
    assert_eq!(r("quote.default.svc.cluster.local is 10.111.209.18"), None);
}

#[test]
fn a_cross_cluster_emissary_request_leaves_through_the_public_dns_and_enters_the_other_load_balancer(
) {
    let text = include_str!("../../../tests/transcripts/24-emissary.txt");
    let s = replay(text, |c| {
        c.contains("wget -qO- http://quote.cluster2.example.com/backend/")
    });
    let m = MapModel::of(&s.world, 2000);
    assert_eq!(m.clusters.len(), 2);
    assert!(m.clusters.iter().all(|c| !c.load_balancers.is_empty()));
    // Side by side when they fit.
    assert_eq!(m.clusters[0].rect.y, m.clusters[1].rect.y);
    assert!(m
        .zone
        .iter()
        .any(|r| r.name == "quote.cluster2.example.com"));
    let steps = route(&m, &s.last_trace, 0);
    let elements: Vec<&str> = steps.iter().map(|s| s.element.as_str()).collect();
    // The pod asks kube-dns, which forwards to the public zone.
    assert_eq!(elements[0], "c0/pod/default/client", "{elements:#?}");
    assert_eq!(elements[1], "c0/svc/kube-system/kube-dns");
    assert_eq!(elements[2], "public-dns");
    assert_eq!(elements[3], "c0/pod/default/client");
    assert_eq!(steps[2].cluster, None);
    // Out through its node, into cluster2's load balancer, Emissary, and quote there.
    assert!(elements[4].starts_with("c0/node/worker-"));
    assert_eq!(elements[5], "c1/lb/198.51.100.10");
    assert_eq!(steps[5].cluster, Some(1));
    assert_eq!(elements[6], "c1/svc/emissary/emissary-ingress");
    assert!(elements[7].starts_with("c1/kube-proxy/"));
    assert!(
        elements[8].starts_with("c1/pod/emissary/emissary-ingress-"),
        "{}",
        elements[8]
    );
    assert_eq!(elements[9], "c1/svc/kube-system/kube-dns");
    assert!(elements[10].starts_with("c1/pod/emissary/emissary-ingress-"));
    assert_eq!(elements[11], "c1/svc/default/quote");
    assert!(elements[12].starts_with("c1/kube-proxy/"));
    assert!(
        elements[13].starts_with("c1/pod/default/quote-"),
        "{}",
        elements[13]
    );
    assert!(steps.iter().all(|s| s.failed.is_none()), "{steps:#?}");
    for s in &steps {
        assert!(
            m.rect_of(&s.element).is_some(),
            "{} is not drawn",
            s.element
        );
    }
    // The Emissary pods are recognised as proxies.
    let emissary = m
        .pods()
        .filter(|p| p.proxy.as_deref() == Some("Emissary-ingress"))
        .count();
    assert!(emissary >= 6, "{emissary}");
    let words = summary(&steps);
    assert!(
        words.contains("public DNS → pod default/client → node worker-"),
        "{words}"
    );
    assert!(words.contains("load balancer 198.51.100.10"), "{words}");
}

#[test]
fn the_laptops_request_to_the_other_cluster_starts_at_the_laptop() {
    let text = include_str!("../../../tests/transcripts/24-emissary.txt");
    let s = replay(text, |c| {
        c == "curl -s http://quote.cluster2.example.com/backend/"
    });
    let m = MapModel::of(&s.world, 2000);
    let steps = route(&m, &s.last_trace, 0);
    let elements: Vec<&str> = steps.iter().map(|s| s.element.as_str()).collect();
    assert_eq!(
        &elements[..4],
        ["laptop", "public-dns", "laptop", "c1/lb/198.51.100.10"]
    );
    assert_eq!(steps[0].cluster, None);
    // The laptop's hops into cluster2 carry no prefix: the load balancer said where we are.
    assert_eq!(elements[4], "c1/svc/emissary/emissary-ingress");
    assert!(elements
        .last()
        .unwrap()
        .starts_with("c1/pod/default/quote-"));
}

#[test]
fn a_laptop_request_to_an_unknown_name_fails_at_the_public_dns() {
    let mut s = Session::new(1);
    let out = s.run("curl -s http://nowhere.example.com/", None);
    assert!(!out.ok);
    let m = MapModel::of(&s.world, 1000);
    let steps = route(&m, &s.last_trace, 0);
    let last = steps.last().unwrap();
    assert_eq!(last.element, "public-dns");
    assert_eq!(last.failed.as_ref().unwrap().reason, "no DNS record");
}

#[test]
fn describe_commands_name_the_element_and_the_context() {
    let text = include_str!("../../../tests/transcripts/24-emissary.txt");
    let s = replay(text, |c| c == "kubectl config use-context demo");
    let m = MapModel::of(&s.world, 2000);
    assert_eq!(
        describe_command(&m, "c0/pod/default/x").as_deref(),
        Some("kubectl describe pod x -n default")
    );
    assert_eq!(
        describe_command(&m, "c1/svc/default/quote").as_deref(),
        Some("kubectl --context cluster2 describe service quote -n default")
    );
    assert_eq!(
        describe_command(&m, "c1/lb/198.51.100.10").as_deref(),
        Some("kubectl --context cluster2 describe service emissary-ingress -n emissary")
    );
    assert_eq!(
        describe_command(&m, "c0/kube-proxy/worker-1").as_deref(),
        Some("kubectl describe node worker-1")
    );
    assert_eq!(describe_command(&m, "laptop"), None);
    let mut s = s;
    let out = s.run(
        "kubectl --context cluster2 describe service quote -n default",
        None,
    );
    assert!(out.ok, "{}", out.text);
}

#[test]
fn a_laptop_request_to_a_node_port_enters_at_the_node() {
    let mut s = session(
        "kubectl create deployment web --image=nginx:1.25 --replicas=2\nkubectl create service nodeport web --tcp=80:80 --node-port=30080\nsim advance 30s\n",
    );
    let out = s.run("curl -s http://172.18.0.5:30080/", None);
    assert!(out.ok, "{}", out.text);
    let m = MapModel::of(&s.world, 1000);
    let steps = route(&m, &s.last_trace, 0);
    let elements: Vec<&str> = steps.iter().map(|s| s.element.as_str()).collect();
    assert_eq!(elements[0], "laptop", "{steps:#?}");
    assert_eq!(steps[0].cluster, None);
    assert!(elements.contains(&"c0/node/worker-1"), "{elements:?}");
    assert!(elements.last().unwrap().starts_with("c0/pod/default/web-"));
    assert!(steps
        .iter()
        .filter(|s| s.element != "laptop")
        .all(|s| s.cluster == Some(0)));
}
