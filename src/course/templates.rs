//! Ready manifests for the editor's template picker, one (or a small set) per kind the engine
//! serves. The files are in `content/templates/`; a test applies each one.

pub struct Template {
    /// What the picker shows.
    pub title: &'static str,
    /// The file name the editor opens it as.
    pub file: &'static str,
    pub text: &'static str,
}

macro_rules! template {
    ($title:literal, $file:literal) => {
        Template {
            title: $title,
            file: $file,
            text: include_str!(concat!("../../content/templates/", $file)),
        }
    };
}

pub const TEMPLATES: &[Template] = &[
    template!("Pod", "pod.yaml"),
    template!("Deployment", "deployment.yaml"),
    template!("Service (ClusterIP)", "service-clusterip.yaml"),
    template!("Service (NodePort)", "service-nodeport.yaml"),
    template!("Service (LoadBalancer)", "service-loadbalancer.yaml"),
    template!("StatefulSet with claims", "statefulset.yaml"),
    template!("DaemonSet", "daemonset.yaml"),
    template!("Job", "job.yaml"),
    template!("CronJob", "cronjob.yaml"),
    template!("ConfigMap", "configmap.yaml"),
    template!("Secret", "secret.yaml"),
    template!("PersistentVolumeClaim", "pvc.yaml"),
    template!("Ingress", "ingress.yaml"),
    template!("Emissary Listener, Host, Mapping", "emissary.yaml"),
    template!("Namespace", "namespace.yaml"),
    template!("ResourceQuota", "resourcequota.yaml"),
    template!("LimitRange", "limitrange.yaml"),
    template!("Role and RoleBinding", "rbac.yaml"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::diagnostics::{self, Severity};
    use crate::shell::Session;

    /// Every template applies cleanly to a fresh cluster (Emissary's after its CRDs), and the
    /// editor finds nothing to say about it.
    #[test]
    fn every_template_applies() {
        for t in TEMPLATES {
            let mut s = Session::new(1);
            if t.file == "emissary.yaml" {
                let crds = s.run(
                    "kubectl apply -f https://app.getambassador.io/yaml/emissary/3.9.1/emissary-crds.yaml",
                    None,
                );
                assert!(crds.ok, "{}", crds.text);
            }
            let found = s.world.cluster().store.kinds();
            let d = diagnostics::check(t.text, found);
            assert!(
                d.iter().all(|d| d.severity == Severity::Hint),
                "{}: {d:?}",
                t.file
            );
            assert!(d.is_empty(), "{}: hints {d:?}", t.file);
            let out = s.run("kubectl apply -f -", Some(t.text));
            assert!(out.ok, "{}: {}", t.file, out.text);
            assert!(
                out.text.lines().all(|l| l.ends_with(" created")),
                "{}: {}",
                t.file,
                out.text
            );
        }
    }
}
