//! The built-in lessons' heads (id, title, chapter) in course order, for the page's overview:
//! generated from `content/course/*.yaml` so that the page holds neither the lesson files nor a
//! YAML decoder. `lesson::tests::the_heads_table_is_the_lessons_own` checks it (and
//! `UPDATE_HEADS=1 cargo test --lib heads_table` rewrites it).

pub const HEADS: &[(&str, &str, u32)] = &[
    ("image-vs-container", "One image, two containers", 1),
    ("image-pull-backoff", "A typo'd tag and ImagePullBackOff", 1),
    ("first-pod", "A pod from a manifest", 2),
    ("two-containers", "Two containers in one pod", 2),
    ("new-ip", "A recreated pod gets a new IP", 2),
    ("labels", "Labels and selection", 2),
    ("deployment-heals", "A Deployment heals a deleted pod", 3),
    ("scale", "Scaling a Deployment", 3),
    ("rolling-update", "A rolling update", 3),
    ("zero-downtime", "Zero downtime, watched under traffic", 3),
    ("rollback", "A bad update and a rollback", 3),
    ("statefulset", "A StatefulSet's stable names", 3),
    ("daemonset", "A log collector on every node", 3),
    ("job-cronjob", "A Job and a CronJob", 3),
    ("clusterip", "A ClusterIP Service balances its pods", 4),
    ("dns-names", "The four DNS names of a Service", 4),
    (
        "env-discovery",
        "Finding a Service through environment variables",
        4,
    ),
    ("nodeport", "A NodePort Service, reached from outside", 4),
    (
        "loadbalancer-minikube",
        "A LoadBalancer on minikube and `minikube service`",
        4,
    ),
    ("externalname", "An ExternalName Service", 4),
    ("kube-proxy", "kube-proxy picks the pod", 4),
    ("readiness", "Readiness decides who gets traffic", 4),
    (
        "configmap-db-name",
        "A ConfigMap holds the database's name",
        5,
    ),
    ("secret", "A Secret for the database password", 5),
    (
        "restart-starts-clean",
        "A restarted container starts clean",
        6,
    ),
    (
        "emptydir-shared",
        "Containers in a pod share files through a volume",
        6,
    ),
    (
        "pvc-survives",
        "A PersistentVolumeClaim outlives its pod",
        6,
    ),
    (
        "statefulset-storage",
        "Each StatefulSet pod keeps its own volume",
        6,
    ),
    ("namespace-quota", "A namespace with a quota", 7),
    (
        "names-across-namespaces",
        "The same name in two namespaces",
        7,
    ),
    ("rbac-can-i", "Who may do what in a namespace", 7),
    (
        "nodes-and-masters",
        "Nodes, masters and what runs on them",
        8,
    ),
    ("lose-masters", "Three masters, lose one, lose two", 8),
    ("recover-masters", "Bring the control plane back", 8),
    ("worker-fails", "A worker fails and its pods move", 8),
    ("managed-kubernetes", "Managed Kubernetes and your own", 8),
    (
        "setup-folder",
        "Kubernetes 101: three services from setup/",
        9,
    ),
    (
        "k8s101-clusterip-services",
        "Kubernetes 101: ClusterIP Services for service-1 and service-2",
        9,
    ),
    (
        "k8s101-gateway",
        "Kubernetes 101: the gateway behind a LoadBalancer",
        9,
    ),
    ("ingress-routes", "An Ingress routes by host and path", 10),
    (
        "ambassador-dns-by-hand",
        "Ambassador between two clusters, DNS by hand",
        10,
    ),
    ("external-dns", "External-DNS maps the name for you", 10),
    (
        "haproxy-ssl-passthrough",
        "HAProxy Ingress with SSL passthrough for gRPC",
        10,
    ),
    (
        "one-cluster-no-gateway",
        "One cluster needs no gateway between clusters",
        10,
    ),
];
