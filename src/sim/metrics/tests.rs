use super::*;
use crate::shell::Session;

fn session(seed: u64) -> Session {
    let mut s = Session::new(seed);
    for line in [
        "kubectl create deployment web --image=nginx:1.25 --replicas=3",
        "kubectl expose deployment web --port=80",
        "kubectl run client --image=busybox:1.36 -- sleep 3600",
        "sim advance 30s",
    ] {
        s.run(line, None);
    }
    s
}

fn latest(s: &Session, name: &str) -> (u32, u32) {
    s.metrics
        .samples()
        .back()
        .and_then(|x| x.workloads.iter().find(|w| w.name == name))
        .map(|w| (w.ready, w.desired))
        .unwrap_or_default()
}

#[test]
fn scaling_shows_desired_at_once_and_ready_as_pods_come_up() {
    let mut s = session(3);
    assert_eq!(latest(&s, "deployment/web"), (3, 3));
    // Standalone pods and the cluster's own CoreDNS are not workloads here.
    assert_eq!(s.metrics.workload_names(), vec!["deployment/web"]);
    // A new image: its pods wait for the pull.
    s.run(
        "kubectl create deployment cache --image=redis:7.2 --replicas=2",
        None,
    );
    assert_eq!(latest(&s, "deployment/cache"), (0, 2));
    for _ in 0..150 {
        s.advance(200);
    }
    assert_eq!(latest(&s, "deployment/cache"), (2, 2));
    s.run("kubectl scale deployment cache --replicas=4", None);
    assert_eq!(latest(&s, "deployment/cache").1, 4, "desired at once");
    for _ in 0..100 {
        s.advance(200);
    }
    assert_eq!(latest(&s, "deployment/cache"), (4, 4));
    assert_eq!(
        s.metrics.replicas_summary(),
        "deployment/cache: 4 of 4 ready; deployment/web: 3 of 3 ready"
    );
    // One sample a virtual second while nothing changes: 50 ticks of 200 ms, 10 samples.
    let before = s.metrics.samples().len();
    let start = s.world.now;
    for _ in 0..50 {
        s.advance(200);
    }
    let added = s.metrics.samples().iter().filter(|x| x.at > start).count();
    assert_eq!(added, 10);
    assert_eq!(s.metrics.samples().len(), (before + 10).min(MAX_SAMPLES));
}

#[test]
fn requests_are_counted_by_the_pod_that_answered_across_the_service() {
    let mut s = session(5);
    for _ in 0..30 {
        let out = s.run("kubectl exec client -- wget -qO- http://web/", None);
        assert!(out.ok, "{}", out.text);
    }
    let pods = s.metrics.per_pod();
    assert_eq!(
        pods.len(),
        3,
        "kube-proxy spreads over the three pods: {pods:?}"
    );
    assert!(pods.iter().all(|(p, _)| p.starts_with("web-")));
    assert_eq!(pods.iter().map(|(_, n)| n).sum::<u32>(), 30);
    let b = s.metrics.seconds().back().cloned().unwrap_or_default();
    assert_eq!((b.requests, b.failed, b.http_errors), (30, 0, 0));
    // The client's request, its DNS answer, the Service, kube-proxy, the container: five hops.
    assert_eq!(b.latency_max, 5 * HOP_MS);
    assert!(s.metrics.per_pod_summary().contains(" requests"));

    // Deterministic: the same seed and commands give the same counts.
    let mut t = session(5);
    for _ in 0..30 {
        t.run("kubectl exec client -- wget -qO- http://web/", None);
    }
    assert_eq!(t.metrics.per_pod(), pods);
    assert_eq!(t.metrics.seconds(), s.metrics.seconds());
}

#[test]
fn failures_and_http_errors_are_errors_and_a_lookup_on_the_way_is_not() {
    let mut s = session(9);
    s.run("kubectl exec client -- wget -qO- http://web/missing", None);
    s.run("kubectl exec client -- wget -qO- -T 2 http://nope/", None);
    // BusyBox nslookup asks every search domain: the misses on the way are no errors.
    let out = s.run("kubectl exec client -- nslookup web", None);
    assert!(
        out.text.contains("Name:\tweb.default.svc.cluster.local"),
        "{}",
        out.text
    );
    let b = s.metrics.seconds().back().cloned().unwrap_or_default();
    assert_eq!((b.requests, b.failed, b.http_errors), (2, 1, 1), "{b:?}");
    // A Service without endpoints: iptables rejects, nobody answers.
    s.run("kubectl scale deployment web --replicas=0", None);
    s.run("sim advance 40s", None);
    let out = s.run("kubectl exec client -- wget -qO- -T 2 http://web/", None);
    assert!(!out.ok);
    let b = s.metrics.seconds().back().cloned().unwrap_or_default();
    assert_eq!((b.requests, b.failed, b.answered), (1, 1, 0), "{b:?}");
    assert!(s
        .metrics
        .errors_summary()
        .starts_with("3 requests: 2 failed, 1 HTTP error"));
}

#[test]
fn the_laptops_requests_through_a_load_balancer_are_counted_too() {
    let mut s = session(11);
    s.run(
        "kubectl expose deployment web --name=web-lb --type=LoadBalancer --port=80",
        None,
    );
    s.run("sim advance 15s", None);
    let out = s.run("kubectl get svc web-lb", None);
    let ip = out
        .text
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().nth(3))
        .unwrap_or_default()
        .to_string();
    assert!(ip.starts_with("203.0.113."), "{}", out.text);
    for _ in 0..10 {
        let out = s.run(&format!("curl -s -m 2 http://{ip}/"), None);
        assert!(out.ok, "{}", out.text);
    }
    s.run("curl -s -m 2 http://nowhere.example/", None);
    assert_eq!(s.metrics.per_pod().iter().map(|(_, n)| n).sum::<u32>(), 10);
    let b = s.metrics.seconds().back().cloned().unwrap_or_default();
    assert_eq!((b.requests, b.failed, b.answered), (11, 1, 10), "{b:?}");
}

#[test]
fn memory_is_bounded_and_a_new_world_starts_over() {
    let mut s = session(13);
    for i in 0..(MAX_SECONDS + 30) {
        s.run("kubectl exec client -- wget -qO- http://web/", None);
        s.advance(1000);
        if i % 50 == 0 {
            s.run(
                &format!("kubectl scale deployment web --replicas={}", 1 + i % 3),
                None,
            );
        }
    }
    for _ in 0..MAX_SAMPLES {
        s.advance(1000);
    }
    assert!(s.metrics.seconds().len() <= MAX_SECONDS);
    assert!(s.metrics.samples().len() <= MAX_SAMPLES);
    let before = s.metrics.revision();
    s.run("sim seed 2", None);
    assert!(s.metrics.revision() > before);
    assert!(s.metrics.seconds().is_empty());
}
