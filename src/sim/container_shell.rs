//! What a shell running inside a container needs to know of it: its environment, working
//! directory, image files and the facts `ps`, `hostname` and the network tools read. Shared by
//! `kubectl exec` (one command, when the learner asks) and the shell loops that run as a
//! container's main program (`loops.rs`, once per round on the virtual clock).

use crate::sim::api::types::{Container, Pod};
use crate::sim::clock::Millis;
use crate::sim::cluster::Cluster;
use crate::sim::fs::Tree;
use crate::sim::kubelet::ContainerRuntime;
use crate::sim::rootfs::{self, Family, PodFacts};
use crate::sim::sh;

/// A container's shell context (see the module docs).
pub struct ContainerShell {
    pub facts: sh::Facts,
    pub env: Vec<(String, String)>,
    pub cwd: String,
    /// The image's files, under the container's writable layer.
    pub lower: Tree,
    pub family: Family,
}

impl ContainerShell {
    /// The context of container `container` (its runtime record `rt`) of `pod` in `c`, for a
    /// process started as `exec_command` at `now`.
    pub fn of(
        c: &Cluster,
        pod: &Pod,
        container: &Container,
        rt: &ContainerRuntime,
        now: Millis,
        exec_command: String,
        tty: bool,
    ) -> ContainerShell {
        let node = c.store.nodes.get("", &pod.spec.node_name);
        let node_ip = node.map(crate::sim::kubelet::node_ip).unwrap_or_default();
        let kernel = node
            .map(|n| n.status.node_info.kernel_version.clone())
            .unwrap_or_default();
        let image = rt.image.clone();
        let facts = PodFacts::new(pod, &node_ip, &kernel);
        let env = rootfs::container_env(container, &facts, &rt.service_env, rt.config_env());
        let mut main: Vec<String> = container.command.clone();
        main.extend(container.args.iter().cloned());
        let main_command = if main.is_empty() {
            rootfs::default_command(&image).to_string()
        } else {
            main.join(" ")
        };
        let cwd = if container.working_dir.starts_with('/') {
            container.working_dir.clone()
        } else {
            rootfs::workdir(&image).to_string()
        };
        let family = rootfs::family(&image);
        let lower = rootfs::root(&image, &facts);
        ContainerShell {
            facts: sh::Facts {
                family,
                hostname: facts.hostname.clone(),
                ip: facts.ip.clone(),
                kernel: facts.kernel.clone(),
                now,
                main_command,
                exec_command,
                image,
                tty,
            },
            env,
            cwd,
            lower,
            family,
        }
    }
}
