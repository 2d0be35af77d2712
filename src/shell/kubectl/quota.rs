//! kubectl over ResourceQuotas and LimitRanges: `describe quota|limitrange` as kubectl's
//! describers print them, and `kubectl create quota NAME --hard=… [--scopes=…]`.

use super::super::flags::{self, flag};
use super::super::{Output, Session};
use crate::sim::api::{limitrange, quota, Unstructured};
use serde_yaml::Value;

/// `kubectl describe` of a ResourceQuota or LimitRange; None for other kinds.
pub(super) fn describe(o: &Unstructured) -> Option<String> {
    match (o.kind.as_str(), o.api_version.as_str()) {
        ("ResourceQuota", "v1") => Some(describe_quota(o)),
        ("LimitRange", "v1") => Some(describe_limit_range(o)),
        _ => None,
    }
}

fn scope_help(scope: &str) -> &'static str {
    match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => "",
    }
}

/// kubectl's `describeQuota`: name, namespace, scopes with their help, then the status' hard
/// resources sorted by name with what is used.
fn describe_quota(o: &Unstructured) -> String {
    let m = &o.metadata;
    let mut out = format!("Name:\t{}\nNamespace:\t{}\n", m.name, m.namespace);
    let mut scopes: Vec<String> = o
        .path(&["spec", "scopes"])
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if !scopes.is_empty() {
        crate::sim::sort::natural(&mut scopes);
        out.push_str(&format!("Scopes:\t{}\n", scopes.join(", ")));
        for s in &scopes {
            let help = scope_help(s);
            if !help.is_empty() {
                out.push_str(&format!(" * {help}\n"));
            }
        }
    }
    out.push_str("Resource\tUsed\tHard\n--------\t----\t----\n");
    let hard = o.path(&["status", "hard"]).and_then(Value::as_mapping);
    let used = o.path(&["status", "used"]).and_then(Value::as_mapping);
    let mut names: Vec<&str> = hard
        .map(|h| h.keys().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    crate::sim::sort::natural(&mut names);
    for n in names {
        let show = |m: Option<&serde_yaml::Mapping>| {
            m.and_then(|m| m.get(n))
                .and_then(quota::canonical)
                .unwrap_or_else(|| "0".into())
        };
        out.push_str(&format!("{n}\t{}\t{}\n", show(used), show(hard)));
    }
    out
}

/// kubectl's `describeLimitRange`.
fn describe_limit_range(o: &Unstructured) -> String {
    let m = &o.metadata;
    let mut out = format!(
        "Name:\t{}\nNamespace:\t{}\nType\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
        m.name, m.namespace
    );
    for row in limitrange::describe_rows(o) {
        out.push_str(&row.join("\t"));
        out.push('\n');
    }
    out
}

/// `kubectl create quota NAME [--hard=pods=2,requests.cpu=1] [--scopes=BestEffort,…]`, as
/// kubectl's generator builds it, then created as `create -f` would.
pub(super) fn create_quota(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("hard", None, true),
            flag("scopes", None, true),
            flag("dry-run", None, true),
            flag("output", Some('o'), true),
            flag("save-config", None, false),
            flag("validate", None, true),
        ],
    )?;
    let names = &p.positional[1..];
    if names.len() != 1 {
        return Err(format!(
            "error: exactly one NAME is required, got {}",
            names.len()
        ));
    }
    let name = &names[0];
    let mut yaml = format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: {}\nspec:\n",
        q(name)
    );
    let hard = p.value("hard").unwrap_or("");
    if !hard.is_empty() {
        yaml.push_str("  hard:\n");
        for pair in hard.split(',') {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(format!(
                    "error: invalid argument syntax {pair}, expected <resource>=<value>"
                ));
            };
            if quota::parse_quantity(v).is_none() {
                return Err(format!("error: {}", quota::QUANTITY_REGEX));
            }
            yaml.push_str(&format!("    {}: {}\n", q(k), q(v)));
        }
    }
    let scopes = p.value("scopes").unwrap_or("");
    if !scopes.is_empty() {
        yaml.push_str("  scopes:\n");
        for sc in scopes.split(',') {
            yaml.push_str(&format!("  - {}\n", q(sc)));
        }
    }
    let mut create_args: Vec<String> = vec!["-f".into(), "-".into()];
    for key in ["namespace", "context", "dry-run", "output"] {
        if let Some(v) = p.value(key) {
            create_args.push(format!("--{key}={v}"));
        }
    }
    let out = super::apply::create(s, &create_args, Some(&yaml))?;
    // What `create -f -` prints, without its file name.
    Ok(Output {
        text: out.text.replace("error when creating \"STDIN\": ", ""),
        ok: out.ok,
    })
}

/// A string as a YAML scalar (JSON's quoting is YAML's).
pub(super) fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}
