//! The RBAC authorizer over the stored Roles, ClusterRoles, RoleBindings and
//! ClusterRoleBindings: who may do what (`kubectl auth can-i`, `--as`), with the API server's
//! Forbidden texts.
//!
//! The default ClusterRoles `cluster-admin`, `admin`, `edit` and `view` (with the rules of
//! Kubernetes' bootstrap policy, trimmed to the kinds the simulator serves, and aggregating
//! stored ClusterRoles labelled `rbac.authorization.k8s.io/aggregate-to-<role>: "true"`),
//! `system:basic-user` and `system:discovery`, and the default bindings (`cluster-admin` to the
//! group `system:masters`, the basic roles to `system:authenticated`) are built in: they answer
//! when no stored object of that name exists, and are not listed by `kubectl get`.

use super::store::Store;
use super::unstructured::Unstructured;
use serde_yaml::Value;

/// A user as the authenticator (or impersonation) presents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

impl UserInfo {
    /// The learner: kubeadm's `kubernetes-admin`, in `system:masters`.
    pub fn admin() -> UserInfo {
        UserInfo {
            name: "kubernetes-admin".into(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
        }
    }

    /// The user `--as=NAME [--as-group=G]…` impersonates: a service account's name
    /// (`system:serviceaccount:NS:NAME`) brings its groups; every user is authenticated.
    pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
        let mut all: Vec<String> = groups.to_vec();
        if groups.is_empty() {
            if let Some((ns, _)) = service_account(name) {
                all.push("system:serviceaccounts".into());
                all.push(format!("system:serviceaccounts:{ns}"));
            }
        }
        if !all.iter().any(|g| g == "system:authenticated") && name != "system:anonymous" {
            all.push("system:authenticated".into());
        }
        UserInfo {
            name: name.into(),
            groups: all,
        }
    }
}

/// `system:serviceaccount:NS:NAME` → (NS, NAME).
pub fn service_account(user: &str) -> Option<(&str, &str)> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty() && !name.contains(':')).then_some((ns, name))
}

/// What a request asks (the authorizer's attributes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    /// Empty for cluster-scoped requests and for lists across namespaces.
    pub namespace: String,
    pub name: String,
    /// A non-resource URL (`/healthz`), when not a resource request.
    pub path: String,
}

impl Request {
    pub fn new(verb: &str, group: &str, resource: &str, namespace: &str, name: &str) -> Request {
        let (resource, subresource) = match resource.split_once('/') {
            Some((r, s)) => (r, s),
            None => (resource, ""),
        };
        Request {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            namespace: namespace.into(),
            name: name.into(),
            path: String::new(),
        }
    }

    /// The API server's Forbidden message for it: `pods "web" is forbidden: User "u" cannot get
    /// resource "pods" in API group "" in the namespace "dev"`.
    pub fn forbidden(&self, user: &str) -> String {
        if !self.path.is_empty() {
            return format!(
                "forbidden: User \"{user}\" cannot {} path \"{}\"",
                self.verb, self.path
            );
        }
        let qualified = if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        };
        let what = if self.name.is_empty() {
            qualified
        } else {
            format!("{qualified} \"{}\"", self.name)
        };
        let resource = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{what} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
            self.verb, self.group
        )
    }
}

/// One policy rule.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_sequence)
        .map(|s| {
            s.iter()
                .filter_map(|x| match x {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    Value::Bool(b) => Some(b.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The rules a Role or ClusterRole states.
pub fn rules_of(o: &Unstructured) -> Vec<Rule> {
    o.field("rules")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|r| Rule {
            verbs: strings(r.get("verbs")),
            api_groups: strings(r.get("apiGroups")),
            resources: strings(r.get("resources")),
            resource_names: strings(r.get("resourceNames")),
            non_resource_urls: strings(r.get("nonResourceURLs")),
        })
        .collect()
}

impl Rule {
    fn of(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect();
        Rule {
            verbs: v(verbs),
            api_groups: v(groups),
            resources: v(resources),
            ..Default::default()
        }
    }

    /// kube's `RuleAllows`.
    pub fn allows(&self, r: &Request) -> bool {
        let verb = self.verbs.iter().any(|v| v == "*" || *v == r.verb);
        if !r.path.is_empty() {
            return verb
                && self.non_resource_urls.iter().any(|u| {
                    u == "*"
                        || *u == r.path
                        || u.strip_suffix('*').is_some_and(|p| r.path.starts_with(p))
                });
        }
        if !verb {
            return false;
        }
        if !self.api_groups.iter().any(|g| g == "*" || *g == r.group) {
            return false;
        }
        let combined = if r.subresource.is_empty() {
            r.resource.clone()
        } else {
            format!("{}/{}", r.resource, r.subresource)
        };
        let resource = self.resources.iter().any(|x| {
            x == "*"
                || *x == combined
                || (!r.subresource.is_empty()
                    && x.strip_prefix("*/") == Some(r.subresource.as_str()))
        });
        resource && (self.resource_names.is_empty() || self.resource_names.contains(&r.name))
    }
}

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];

/// The bootstrap policy's `view` rules (secrets excluded, as there).
fn view_rules() -> Vec<Rule> {
    vec![
        Rule::of(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        Rule::of(
            READ,
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        Rule::of(READ, &[""], &["namespaces"]),
        Rule::of(READ, &["discovery.k8s.io"], &["endpointslices"]),
        Rule::of(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        Rule::of(
            READ,
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
        ),
        Rule::of(
            READ,
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        ),
        Rule::of(
            READ,
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        ),
        Rule::of(
            READ,
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
        ),
    ]
}

/// `edit`: view's rules, secrets, and writes to the namespaced workload kinds.
fn edit_rules() -> Vec<Rule> {
    let mut rules = view_rules();
    rules.push(Rule::of(
        &[
            "get",
            "list",
            "watch",
            "create",
            "delete",
            "deletecollection",
            "patch",
            "update",
        ],
        &[""],
        &["secrets"],
    ));
    rules.push(Rule::of(
        &[
            "create",
            "delete",
            "deletecollection",
            "patch",
            "update",
            "get",
            "list",
            "watch",
        ],
        &[""],
        &[
            "pods/attach",
            "pods/exec",
            "pods/portforward",
            "pods/proxy",
            "services/proxy",
        ],
    ));
    rules.push(Rule::of(
        &["create"],
        &[""],
        &["pods/eviction", "serviceaccounts/token"],
    ));
    rules.push(Rule::of(&["impersonate"], &[""], &["serviceaccounts"]));
    rules.push(Rule::of(
        WRITE,
        &[""],
        &[
            "pods",
            "configmaps",
            "endpoints",
            "persistentvolumeclaims",
            "replicationcontrollers",
            "replicationcontrollers/scale",
            "secrets",
            "serviceaccounts",
            "services",
        ],
    ));
    rules.push(Rule::of(
        WRITE,
        &["apps"],
        &[
            "daemonsets",
            "deployments",
            "deployments/rollback",
            "deployments/scale",
            "replicasets",
            "replicasets/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
    ));
    rules.push(Rule::of(
        WRITE,
        &["autoscaling"],
        &["horizontalpodautoscalers"],
    ));
    rules.push(Rule::of(WRITE, &["batch"], &["cronjobs", "jobs"]));
    rules.push(Rule::of(WRITE, &["policy"], &["poddisruptionbudgets"]));
    rules.push(Rule::of(
        WRITE,
        &["networking.k8s.io"],
        &["ingresses", "networkpolicies"],
    ));
    rules
}

/// `admin`: edit's rules, and Roles and RoleBindings of the namespace.
fn admin_rules() -> Vec<Rule> {
    let mut rules = edit_rules();
    rules.push(Rule::of(
        &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        &["rbac.authorization.k8s.io"],
        &["rolebindings", "roles"],
    ));
    rules.push(Rule::of(
        &["create"],
        &["authorization.k8s.io"],
        &["localsubjectaccessreviews"],
    ));
    rules
}

fn basic_user_rules() -> Vec<Rule> {
    vec![
        Rule::of(
            &["create"],
            &["authorization.k8s.io"],
            &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        ),
        Rule::of(
            &["create"],
            &["authentication.k8s.io"],
            &["selfsubjectreviews"],
        ),
    ]
}

fn discovery_rules() -> Vec<Rule> {
    vec![Rule {
        verbs: vec!["get".into()],
        non_resource_urls: [
            "/api",
            "/api/*",
            "/apis",
            "/apis/*",
            "/healthz",
            "/livez",
            "/openapi",
            "/openapi/*",
            "/readyz",
            "/version",
            "/version/",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        ..Default::default()
    }]
}

const CLUSTER_ROLES: &str = "clusterroles.rbac.authorization.k8s.io";
const CLUSTER_ROLE_BINDINGS: &str = "clusterrolebindings.rbac.authorization.k8s.io";
const ROLES: &str = "roles.rbac.authorization.k8s.io";
const ROLE_BINDINGS: &str = "rolebindings.rbac.authorization.k8s.io";

/// The names of the built-in ClusterRoles.
pub const DEFAULT_CLUSTER_ROLES: &[&str] = &[
    "admin",
    "cluster-admin",
    "edit",
    "system:basic-user",
    "system:discovery",
    "view",
];

/// Stored ClusterRoles labelled to aggregate into `role` (and, as the bootstrap roles chain,
/// `view` into `edit` into `admin`).
fn aggregated(store: &Store, role: &str) -> Vec<Rule> {
    let labels: &[&str] = match role {
        "admin" => &["admin", "edit", "view"],
        "edit" => &["edit", "view"],
        "view" => &["view"],
        _ => &[],
    };
    let mut out = Vec::new();
    if let Some(t) = store.unstructured.get(CLUSTER_ROLES) {
        for cr in t.values() {
            let l = &cr.metadata.labels;
            if labels.iter().any(|x| {
                l.get(&format!("rbac.authorization.k8s.io/aggregate-to-{x}"))
                    .is_some_and(|v| v == "true")
            }) {
                out.extend(rules_of(cr));
            }
        }
    }
    out
}

/// A ClusterRole's rules: the stored one (with its aggregationRule), or a built-in one; None
/// when there is no such role.
fn cluster_role_rules(store: &Store, name: &str) -> Option<Vec<Rule>> {
    if let Some(cr) = store.get_unstructured(CLUSTER_ROLES, "", name) {
        let mut rules = rules_of(cr);
        let selectors = cr
            .path(&["aggregationRule", "clusterRoleSelectors"])
            .and_then(Value::as_sequence);
        if let Some(selectors) = selectors {
            if let Some(t) = store.unstructured.get(CLUSTER_ROLES) {
                for other in t.values().filter(|o| o.metadata.name != name) {
                    let picked = selectors.iter().any(|sel| {
                        let Some(m) = sel.get("matchLabels").and_then(Value::as_mapping) else {
                            return false;
                        };
                        !m.is_empty()
                            && m.iter().all(|(k, v)| {
                                other.metadata.labels.get(k.as_str().unwrap_or(""))
                                    == v.as_str().map(str::to_string).as_ref()
                            })
                    });
                    if picked {
                        rules.extend(rules_of(other));
                    }
                }
            }
        }
        return Some(rules);
    }
    let mut rules = match name {
        "cluster-admin" => vec![
            Rule::of(&["*"], &["*"], &["*"]),
            Rule {
                verbs: vec!["*".into()],
                non_resource_urls: vec!["*".into()],
                ..Default::default()
            },
        ],
        "admin" => admin_rules(),
        "edit" => edit_rules(),
        "view" => view_rules(),
        "system:basic-user" => basic_user_rules(),
        "system:discovery" => discovery_rules(),
        _ => return None,
    };
    rules.extend(aggregated(store, name));
    Some(rules)
}

/// Whether a binding's subject is this user (`appliesTo`); a ServiceAccount subject without a
/// namespace is in the binding's.
fn subject_matches(subject: &Value, user: &UserInfo, binding_ns: &str) -> bool {
    let get = |k: &str| subject.get(k).and_then(Value::as_str).unwrap_or("");
    let name = get("name");
    match get("kind") {
        "User" => name == user.name,
        "Group" => user.groups.iter().any(|g| g == name),
        "ServiceAccount" => {
            let ns = match get("namespace") {
                "" => binding_ns,
                n => n,
            };
            user.name == format!("system:serviceaccount:{ns}:{name}")
        }
        _ => false,
    }
}

fn binding_applies(b: &Unstructured, user: &UserInfo) -> bool {
    b.field("subjects")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .any(|s| subject_matches(s, user, &b.metadata.namespace))
}

/// The rules that apply to a user in a namespace ("" for cluster scope), with the errors of
/// bindings whose role is missing (`clusterrole.rbac.authorization.k8s.io "x" not found`).
pub fn rules_for(store: &Store, user: &UserInfo, namespace: &str) -> (Vec<Rule>, Vec<String>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    // The default bindings.
    if user.groups.iter().any(|g| g == "system:masters") {
        rules.extend(cluster_role_rules(store, "cluster-admin").unwrap_or_default());
    }
    if user.groups.iter().any(|g| g == "system:authenticated") {
        for r in ["system:basic-user", "system:discovery"] {
            rules.extend(cluster_role_rules(store, r).unwrap_or_default());
        }
    }
    let role_ref = |b: &Unstructured| -> (String, String) {
        (
            b.str_at(&["roleRef", "kind"]).to_string(),
            b.str_at(&["roleRef", "name"]).to_string(),
        )
    };
    if let Some(t) = store.unstructured.get(CLUSTER_ROLE_BINDINGS) {
        for b in t.values().filter(|b| binding_applies(b, user)) {
            let (_, name) = role_ref(b);
            match cluster_role_rules(store, &name) {
                Some(r) => rules.extend(r),
                None => errors.push(format!(
                    "clusterrole.rbac.authorization.k8s.io \"{name}\" not found"
                )),
            }
        }
    }
    if !namespace.is_empty() {
        if let Some(t) = store.unstructured.get(ROLE_BINDINGS) {
            for b in t
                .in_namespace(Some(namespace))
                .filter(|b| binding_applies(b, user))
            {
                let (kind, name) = role_ref(b);
                if kind == "Role" {
                    match store.get_unstructured(ROLES, namespace, &name) {
                        Some(role) => rules.extend(rules_of(role)),
                        None => errors.push(format!(
                            "role.rbac.authorization.k8s.io \"{name}\" not found"
                        )),
                    }
                } else {
                    match cluster_role_rules(store, &name) {
                        Some(r) => rules.extend(r),
                        None => errors.push(format!(
                            "clusterrole.rbac.authorization.k8s.io \"{name}\" not found"
                        )),
                    }
                }
            }
        }
    }
    (rules, errors)
}

/// Whether the user may make the request.
pub fn allowed(store: &Store, user: &UserInfo, r: &Request) -> bool {
    if user.groups.iter().any(|g| g == "system:masters") {
        return true;
    }
    rules_for(store, user, &r.namespace)
        .0
        .iter()
        .any(|rule| rule.allows(r))
}

/// `Ok` if allowed; otherwise the API server's Forbidden message (with the RBAC errors of
/// bindings whose roles are missing, as it appends them).
pub fn authorize(store: &Store, user: &UserInfo, r: &Request) -> Result<(), String> {
    if user.groups.iter().any(|g| g == "system:masters") {
        return Ok(());
    }
    let (rules, errors) = rules_for(store, user, &r.namespace);
    if rules.iter().any(|rule| rule.allows(r)) {
        return Ok(());
    }
    let mut msg = r.forbidden(&user.name);
    match errors.len() {
        0 => {}
        1 => msg.push_str(&format!(": RBAC: {}", errors[0])),
        _ => msg.push_str(&format!(": RBAC: [{}]", errors.join(", "))),
    }
    Err(msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_verbs_groups_subresources_and_names() {
        let mut rule = Rule::of(&["get", "list"], &[""], &["pods"]);
        let get = Request::new("get", "", "pods", "dev", "web");
        assert!(rule.allows(&get));
        assert!(!rule.allows(&Request::new("delete", "", "pods", "dev", "web")));
        assert!(!rule.allows(&Request::new("get", "", "pods/log", "dev", "web")));
        assert!(!rule.allows(&Request::new("get", "apps", "pods", "dev", "web")));
        rule.resource_names = vec!["db".into()];
        assert!(!rule.allows(&get));
        let star = Rule::of(&["*"], &["*"], &["*"]);
        assert!(star.allows(&Request::new("create", "", "pods/exec", "dev", "web")));
        let sub = Rule::of(&["get"], &[""], &["*/log"]);
        assert!(sub.allows(&Request::new("get", "", "pods/log", "dev", "web")));
    }

    #[test]
    fn forbidden_texts_are_the_api_servers() {
        let u = "system:serviceaccount:dev:reader";
        assert_eq!(
            Request::new("list", "", "pods", "dev", "").forbidden(u),
            "pods is forbidden: User \"system:serviceaccount:dev:reader\" cannot list resource \"pods\" in API group \"\" in the namespace \"dev\""
        );
        assert_eq!(
            Request::new("get", "", "pods/log", "dev", "web").forbidden("jane"),
            "pods \"web\" is forbidden: User \"jane\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"dev\""
        );
        assert_eq!(
            Request::new("list", "", "nodes", "", "").forbidden("jane"),
            "nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\" at the cluster scope"
        );
        assert_eq!(
            Request::new("create", "apps", "deployments", "dev", "").forbidden("jane"),
            "deployments.apps is forbidden: User \"jane\" cannot create resource \"deployments\" in API group \"apps\" in the namespace \"dev\""
        );
    }

    #[test]
    fn service_accounts_bring_their_groups() {
        let u = UserInfo::impersonated("system:serviceaccount:dev:reader", &[]);
        assert_eq!(
            u.groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:dev",
                "system:authenticated"
            ]
        );
        let store = Store::default();
        assert!(!allowed(
            &store,
            &u,
            &Request::new("list", "", "pods", "dev", "")
        ));
        assert!(allowed(
            &store,
            &u,
            &Request::new(
                "create",
                "authorization.k8s.io",
                "selfsubjectaccessreviews",
                "",
                ""
            )
        ));
        assert!(allowed(
            &store,
            &UserInfo::admin(),
            &Request::new("delete", "", "nodes", "", "worker-1")
        ));
    }
}
