//! `kubectl describe`'s lines for a container's environment and mounts and a pod's volumes, as
//! kubectl's describers print them (`describeContainerEnvFrom`, `describeContainerEnvVars`,
//! `describeContainerVolumes`, `describeVolumes`).

use crate::sim::api::volumes::Volume;
use crate::sim::api::{Container, Pod};

/// `Environment Variables from:` (only when there is an envFrom), `Environment:`, `Mounts:`.
/// `pod` resolves `fieldRef`s as kubectl's resolver does (templates show none).
pub fn env_and_mounts(out: &mut String, i: &str, c: &Container, pod: Option<&Pod>) {
    if !c.env_from.is_empty() {
        out.push_str(&format!("{i}Environment Variables from:\n"));
        for e in &c.env_from {
            let (from, r) = match (&e.config_map_ref, &e.secret_ref) {
                (Some(r), _) => ("ConfigMap", r),
                (None, Some(r)) => ("Secret", r),
                (None, None) => continue,
            };
            let optional = r.optional == Some(true);
            if e.prefix.is_empty() {
                out.push_str(&format!("{i}  {}\t{from}\tOptional: {optional}\n", r.name));
            } else {
                out.push_str(&format!(
                    "{i}  {}\t{from} with prefix '{}'\tOptional: {optional}\n",
                    r.name, e.prefix
                ));
            }
        }
    }
    if c.env.is_empty() {
        out.push_str(&format!("{i}Environment:\t<none>\n"));
    } else {
        out.push_str(&format!("{i}Environment:\n"));
        for e in &c.env {
            let Some(src) = &e.value_from else {
                let value = e.value.clone().unwrap_or_default();
                for (n, line) in value.split('\n').enumerate() {
                    if n == 0 {
                        out.push_str(&format!("{i}  {}:\t{line}\n", e.name));
                    } else {
                        out.push_str(&format!("{i}  \t{line}\n"));
                    }
                }
                continue;
            };
            if let Some(f) = &src.field_ref {
                let value = pod
                    .and_then(|p| crate::sim::volumes::pod_field(p, &f.field_path))
                    .unwrap_or_default();
                let version = if f.api_version.is_empty() {
                    "v1"
                } else {
                    f.api_version.as_str()
                };
                out.push_str(&format!(
                    "{i}  {}:\t{value} ({version}:{})\n",
                    e.name, f.field_path
                ));
            } else if let Some(r) = &src.resource_field_ref {
                // kubectl reads the container's own requests and limits; an unset limit is the
                // node's allocatable.
                let (limits, what) = r.resource.split_once('.').unwrap_or(("", ""));
                let set = if limits == "limits" {
                    c.resources.limits.get(what)
                } else {
                    c.resources.requests.get(what)
                };
                let value = match set {
                    Some(q) => q.0.clone(),
                    None if limits == "limits" => "node allocatable".into(),
                    None => "0".into(),
                };
                out.push_str(&format!("{i}  {}:\t{value} ({})\n", e.name, r.resource));
            } else if let Some(k) = &src.secret_key_ref {
                out.push_str(&format!(
                    "{i}  {}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    k.key,
                    k.name,
                    k.optional == Some(true)
                ));
            } else if let Some(k) = &src.config_map_key_ref {
                out.push_str(&format!(
                    "{i}  {}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    k.key,
                    k.name,
                    k.optional == Some(true)
                ));
            }
        }
    }
    if c.volume_mounts.is_empty() {
        out.push_str(&format!("{i}Mounts:\t<none>\n"));
        return;
    }
    out.push_str(&format!("{i}Mounts:\n"));
    let mut mounts: Vec<_> = c.volume_mounts.iter().collect();
    crate::sim::sort::by(&mut mounts, |a, b| a.mount_path.cmp(&b.mount_path));
    for m in mounts {
        let mut flags = vec![if m.read_only() { "ro" } else { "rw" }.to_string()];
        if !m.sub_path.is_empty() {
            flags.push(format!("path={:?}", m.sub_path));
        }
        out.push_str(&format!(
            "{i}  {} from {} ({})\n",
            m.mount_path,
            m.name,
            flags.join(",")
        ));
    }
}

fn opt(o: Option<bool>) -> String {
    match o {
        Some(b) => b.to_string(),
        None => "<nil>".into(),
    }
}

/// `Volumes:` and each volume's source. `space` indents the section (a template's is `  `).
pub fn volumes(out: &mut String, space: &str, volumes: &[Volume]) {
    if volumes.is_empty() {
        out.push_str(&format!("{space}Volumes:\t<none>\n"));
        return;
    }
    out.push_str(&format!("{space}Volumes:\n"));
    let n = if space.is_empty() { "" } else { " " };
    let l2 = format!("{space}    ");
    for v in volumes {
        out.push_str(&format!("{space}  {n}{}:\n", v.name));
        let mut line = |k: &str, val: &str| out.push_str(&format!("{l2}{k}:\t{val}\n"));
        if let Some(h) = &v.host_path {
            line("Type", "HostPath (bare host directory volume)");
            line("Path", &h.path);
            line("HostPathType", h.type_.as_deref().unwrap_or(""));
        } else if let Some(e) = &v.empty_dir {
            line(
                "Type",
                "EmptyDir (a temporary directory that shares a pod's lifetime)",
            );
            line("Medium", &e.medium);
            match &e.size_limit {
                Some(q) if q.0 != "0" => line("SizeLimit", &q.0),
                _ => line("SizeLimit", "<unset>"),
            }
        } else if let Some(s) = &v.secret {
            line("Type", "Secret (a volume populated by a Secret)");
            line("SecretName", &s.secret_name);
            line("Optional", &(s.optional == Some(true)).to_string());
        } else if let Some(c) = &v.config_map {
            line("Type", "ConfigMap (a volume populated by a ConfigMap)");
            line("Name", &c.name);
            line("Optional", &(c.optional == Some(true)).to_string());
        } else if let Some(c) = &v.persistent_volume_claim {
            line(
                "Type",
                "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
            );
            line("ClaimName", &c.claim_name);
            line("ReadOnly", &(c.read_only == Some(true)).to_string());
        } else if let Some(p) = &v.projected {
            line(
                "Type",
                "Projected (a volume that contains injected data from multiple sources)",
            );
            for s in &p.sources {
                if let Some(x) = &s.secret {
                    line("SecretName", &x.name);
                    line("SecretOptionalName", &opt(x.optional));
                } else if s.downward_api.is_some() {
                    line("DownwardAPI", "true");
                } else if let Some(x) = &s.config_map {
                    line("ConfigMapName", &x.name);
                    line("ConfigMapOptional", &opt(x.optional));
                } else if let Some(t) = &s.service_account_token {
                    line(
                        "TokenExpirationSeconds",
                        &t.expiration_seconds.unwrap_or(3600).to_string(),
                    );
                }
            }
        } else if let Some(d) = &v.downward_api {
            line(
                "Type",
                "DownwardAPI (a volume populated by information about the pod)",
            );
            out.push_str(&format!("{l2}Items:\n"));
            for item in &d.items {
                if let Some(f) = &item.field_ref {
                    out.push_str(&format!("{l2}  {} -> {}\n", f.field_path, item.path));
                }
                if let Some(r) = &item.resource_field_ref {
                    out.push_str(&format!("{l2}  {} -> {}\n", r.resource, item.path));
                }
            }
        } else if let Some((name, _)) = v.sources().first() {
            // kubectl prints each source's own fields; the simulator gives these no files.
            line("Type", &format!("{name} (not simulated: mounted empty)"));
        } else {
            out.push_str(&format!("{space}  <unknown>\n"));
        }
    }
}
