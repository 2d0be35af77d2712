//! `kubectl describe` of PersistentVolumes, PersistentVolumeClaims and StorageClasses, as
//! kubectl's describers (describe.go: PersistentVolumeDescriber, PersistentVolumeClaimDescriber,
//! StorageClassDescriber) lay them out. Their `get` columns are printers.go's, in `stored.rs`.

use super::describe;
use crate::sim::api::storage;
use crate::sim::api::*;
use crate::sim::clock::{human_duration, Millis};
use serde_yaml::Value;

/// The describer for a stored object of one of the three kinds, if it is one.
pub(super) fn describe(store: &Store, o: &Unstructured, now: Millis) -> Option<String> {
    if !storage::is_storage(o) {
        return None;
    }
    Some(match o.kind.as_str() {
        "PersistentVolumeClaim" => describe_pvc(store, o, now),
        "PersistentVolume" => describe_pv(store, o, now),
        _ => describe_sc(store, o, now),
    })
}

/// `helper.GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order (fact 69).
pub(super) fn access_modes(v: Option<&Value>) -> String {
    let modes: Vec<&str> = v
        .and_then(Value::as_sequence)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| modes.contains(m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

fn status_line(o: &Unstructured, now: Millis) -> String {
    match o
        .metadata
        .deletion_timestamp
        .as_ref()
        .and_then(Time::millis)
    {
        Some(t) => format!(
            "Terminating (lasts {})",
            human_duration(now.saturating_sub(t))
        ),
        None => storage::status_phase(o).to_string(),
    }
}

/// Go's `%v` of a `[]string`: `[a b]`.
fn finalizers(m: &ObjectMeta) -> String {
    format!("[{}]", m.finalizers.join(" "))
}

fn text(v: Option<&Value>) -> String {
    v.map(storage::value_text).unwrap_or_default()
}

fn describe_pvc(store: &Store, o: &Unstructured, now: Millis) -> String {
    let m = &o.metadata;
    let mut out = format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace);
    out.push_str(&format!(
        "StorageClass:\t{}\n",
        storage::claim_class(o).unwrap_or_default()
    ));
    out.push_str(&format!("Status:\t{}\n", status_line(o, now)));
    let volume = o.str_at(&["spec", "volumeName"]);
    out.push_str(&format!("Volume:\t{volume}\n"));
    describe::labels_and_annotations(&mut out, m);
    out.push_str(&format!("Finalizers:\t{}\n", finalizers(m)));
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            text(o.path(&["status", "capacity", "storage"])),
            access_modes(o.path(&["status", "accessModes"])),
        )
    };
    out.push_str(&format!("Capacity:\t{capacity}\nAccess Modes:\t{modes}\n"));
    if let Some(mode) = o.path(&["spec", "volumeMode"]).and_then(Value::as_str) {
        out.push_str(&format!("VolumeMode:\t{mode}\n"));
    }
    let users: Vec<&str> = store
        .pods
        .in_namespace(Some(&m.namespace))
        .filter(|p| storage::pod_claims(p).contains(&m.name))
        .map(|p| p.metadata.name.as_str())
        .collect();
    if users.is_empty() {
        out.push_str("Used By:\t<none>\n");
    } else {
        for (i, u) in users.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("Used By:\t{u}\n"));
            } else {
                out.push_str(&format!("\t{u}\n"));
            }
        }
    }
    describe::events_section(
        &mut out,
        store,
        &m.namespace,
        "PersistentVolumeClaim",
        &m.name,
        now,
    );
    out
}

fn describe_pv(store: &Store, o: &Unstructured, now: Millis) -> String {
    let m = &o.metadata;
    let mut out = format!("Name:\t{}\n", m.name);
    describe::labels_and_annotations(&mut out, m);
    out.push_str(&format!("Finalizers:\t{}\n", finalizers(m)));
    out.push_str(&format!("StorageClass:\t{}\n", storage::volume_class(o)));
    out.push_str(&format!("Status:\t{}\n", status_line(o, now)));
    let claim = match o.path(&["spec", "claimRef"]) {
        Some(r) if r.is_mapping() => {
            format!("{}/{}", text(r.get("namespace")), text(r.get("name")))
        }
        _ => String::new(),
    };
    out.push_str(&format!("Claim:\t{claim}\n"));
    out.push_str(&format!(
        "Reclaim Policy:\t{}\n",
        o.str_at(&["spec", "persistentVolumeReclaimPolicy"])
    ));
    out.push_str(&format!(
        "Access Modes:\t{}\n",
        access_modes(o.path(&["spec", "accessModes"]))
    ));
    if let Some(mode) = o.path(&["spec", "volumeMode"]).and_then(Value::as_str) {
        out.push_str(&format!("VolumeMode:\t{mode}\n"));
    }
    out.push_str(&format!(
        "Capacity:\t{}\n",
        text(o.path(&["spec", "capacity", "storage"]))
    ));
    node_affinity(&mut out, o.path(&["spec", "nodeAffinity", "required"]));
    out.push_str(&format!("Message:\t{}\n", o.str_at(&["status", "message"])));
    out.push_str("Source:\n");
    source(&mut out, o);
    describe::events_section(&mut out, store, "", "PersistentVolume", &m.name, now);
    out
}

/// `printVolumeNodeAffinity`.
fn node_affinity(out: &mut String, required: Option<&Value>) {
    let Some(required) = required.filter(|r| r.is_mapping()) else {
        out.push_str("Node Affinity:\t<none>\n");
        return;
    };
    out.push_str("Node Affinity:\t\n");
    let terms: Vec<&Value> = required
        .get("nodeSelectorTerms")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    if terms.is_empty() {
        out.push_str("  Required Terms:\t<none>\n");
        return;
    }
    out.push_str("  Required Terms:\t\n");
    for (i, term) in terms.iter().enumerate() {
        let exprs: Vec<&Value> = term
            .get("matchExpressions")
            .and_then(Value::as_sequence)
            .map(|s| s.iter().collect())
            .unwrap_or_default();
        out.push_str(&format!("    Term {i}:\t"));
        if exprs.is_empty() {
            out.push_str("<none>\n");
            continue;
        }
        for (j, e) in exprs.iter().enumerate() {
            if j != 0 {
                out.push_str("    \t");
            }
            let values: Vec<String> = e
                .get("values")
                .and_then(Value::as_sequence)
                .map(|s| s.iter().map(storage::value_text).collect())
                .unwrap_or_default();
            let mut expr = format!(
                "{} {}",
                text(e.get("key")),
                text(e.get("operator")).to_lowercase()
            );
            if !values.is_empty() {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            out.push_str(&format!("{expr}\n"));
        }
    }
}

/// The volume source lines (`printHostPathVolumeSource`, `printCSIPersistentVolumeSource`…).
fn source(out: &mut String, o: &Unstructured) {
    let at = |path: &[&str]| text(o.path(path));
    if o.path(&["spec", "hostPath"]).is_some() {
        let kind = match o.path(&["spec", "hostPath", "type"]) {
            Some(Value::String(t)) => t.clone(),
            _ => "<none>".into(),
        };
        out.push_str(&format!(
            "    Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{kind}\n",
            at(&["spec", "hostPath", "path"])
        ));
    } else if o.path(&["spec", "local"]).is_some() {
        out.push_str(&format!(
            "    Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
            at(&["spec", "local", "path"])
        ));
    } else if o.path(&["spec", "nfs"]).is_some() {
        out.push_str(&format!(
            "    Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
            at(&["spec", "nfs", "server"]),
            at(&["spec", "nfs", "path"]),
            o.path(&["spec", "nfs", "readOnly"])
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ));
    } else if o.path(&["spec", "csi"]).is_some() {
        out.push_str(&format!(
            "    Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
            at(&["spec", "csi", "driver"]),
            at(&["spec", "csi", "fsType"]),
            at(&["spec", "csi", "volumeHandle"]),
            o.path(&["spec", "csi", "readOnly"])
                .and_then(Value::as_bool)
                .unwrap_or(false)
        ));
        let attrs: Vec<(String, String)> = o
            .path(&["spec", "csi", "volumeAttributes"])
            .and_then(Value::as_mapping)
            .map(|m| {
                let mut v: Vec<(String, String)> = m
                    .iter()
                    .map(|(k, v)| (storage::value_text(k), storage::value_text(v)))
                    .collect();
                crate::sim::sort::natural(&mut v);
                v
            })
            .unwrap_or_default();
        if attrs.is_empty() {
            out.push_str("    VolumeAttributes:\t<none>\n");
        }
        for (i, (k, v)) in attrs.iter().enumerate() {
            if i == 0 {
                out.push_str(&format!("    VolumeAttributes:\t   {k}={v}\n"));
            } else {
                out.push_str(&format!("    \t   {k}={v}\n"));
            }
        }
    }
}

fn describe_sc(store: &Store, o: &Unstructured, now: Millis) -> String {
    let m = &o.metadata;
    let format_map = |v: Option<&Value>| -> String {
        let mut pairs: Vec<String> = v
            .and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{}={}", storage::value_text(k), storage::value_text(v)))
                    .collect()
            })
            .unwrap_or_default();
        crate::sim::sort::natural(&mut pairs);
        if pairs.is_empty() {
            "<none>".into()
        } else {
            pairs.join(",")
        }
    };
    let annotations: Vec<String> = m
        .annotations
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut out = format!(
        "Name:\t{}\nIsDefaultClass:\t{}\nAnnotations:\t{}\nProvisioner:\t{}\nParameters:\t{}\n",
        m.name,
        if storage::is_default_class(o) {
            "Yes"
        } else {
            "No"
        },
        if annotations.is_empty() {
            "<none>".to_string()
        } else {
            annotations.join(",")
        },
        o.str_at(&["provisioner"]),
        format_map(o.field("parameters")),
    );
    out.push_str(&format!(
        "AllowVolumeExpansion:\t{}\n",
        match o.field("allowVolumeExpansion").and_then(Value::as_bool) {
            Some(true) => "True",
            Some(false) => "False",
            None => "<unset>",
        }
    ));
    let options: Vec<String> = o
        .field("mountOptions")
        .and_then(Value::as_sequence)
        .map(|s| s.iter().map(storage::value_text).collect())
        .unwrap_or_default();
    if options.is_empty() {
        out.push_str("MountOptions:\t<none>\n");
    } else {
        out.push_str("MountOptions:\n");
        for opt in options {
            out.push_str(&format!("  {opt}\n"));
        }
    }
    for (label, key) in [
        ("ReclaimPolicy", "reclaimPolicy"),
        ("VolumeBindingMode", "volumeBindingMode"),
    ] {
        let v = o.str_at(&[key]);
        if !v.is_empty() {
            out.push_str(&format!("{label}:\t{v}\n"));
        }
    }
    describe::events_section(&mut out, store, "", "StorageClass", &m.name, now);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_print_short_in_kubectls_order_fact_69() {
        let v: Value =
            serde_yaml::from_str("[ReadWriteMany, ReadWriteOnce, ReadWriteOncePod]").unwrap();
        assert_eq!(access_modes(Some(&v)), "RWO,RWX,RWOP");
        assert_eq!(access_modes(None), "");
    }
}
