//! `kubectl config`.

use super::super::flags::{self, flag};
use super::super::format::table;
use super::super::{Output, Session};

pub(super) fn config(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("current", None, false),
            flag("output", Some('o'), true),
            flag("minify", None, false),
        ],
    )?;
    let sub = p.positional.first().map(|x| x.as_str()).unwrap_or("");
    match sub {
        "current-context" => Ok(Output::ok(s.world.cluster().name.clone())),
        "get-contexts" => {
            let mut rows = vec![["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(String::from).to_vec()];
            for (i, c) in s.world.clusters.iter().enumerate() {
                let ns = s.namespace_for(i);
                rows.push(vec![
                    if i == s.world.current { "*".into() } else { String::new() },
                    c.name.clone(),
                    c.name.clone(),
                    c.name.clone(),
                    if ns == "default" { String::new() } else { ns },
                ]);
            }
            Ok(Output::ok(table(&rows).trim_end()))
        }
        "use-context" => {
            let name = p.positional.get(1).ok_or("error: Unexpected args: []")?;
            let i = s.world.cluster_index(name).ok_or_else(|| format!("error: no context exists with the name: \"{name}\""))?;
            s.world.current = i;
            Ok(Output::ok(format!("Switched to context \"{name}\".")))
        }
        "set-context" => {
            let cluster = if p.bool("current") {
                s.world.current
            } else {
                let name = p.positional.get(1).ok_or("error: you must specify a non-empty context name or --current")?;
                s.world.cluster_index(name).ok_or_else(|| format!("error: context \"{name}\" does not exist in Pocket Cluster (sim cluster create {name})"))?
            };
            if let Some(ns) = p.value("namespace") {
                s.namespaces.insert(s.world.clusters[cluster].name.clone(), ns.to_string());
            }
            Ok(Output::ok(format!("Context \"{}\" modified.", s.world.clusters[cluster].name)))
        }
        "view" => Ok(Output::ok(format!(
            "apiVersion: v1\nclusters:\n{}contexts:\n{}current-context: {}\nkind: Config\npreferences: {{}}\nusers:\n{}",
            s.world.clusters.iter().map(|c| format!("- cluster:\n    certificate-authority-data: DATA+OMITTED\n    server: https://{}:6443\n  name: {}\n", c.api_address(), c.name)).collect::<String>(),
            s.world.clusters.iter().enumerate().map(|(i, c)| format!("- context:\n    cluster: {n}\n    namespace: {}\n    user: {n}\n  name: {n}\n", s.namespace_for(i), n = c.name)).collect::<String>(),
            s.world.cluster().name,
            s.world.clusters.iter().map(|c| format!("- name: {}\n  user:\n    client-certificate-data: DATA+OMITTED\n    client-key-data: DATA+OMITTED\n", c.name)).collect::<String>(),
        ).trim_end())),
        "" => Err("error: Pocket Cluster simulates: kubectl config current-context | get-contexts | use-context NAME | set-context --current --namespace=NS | view".into()),
        other => Err(format!("error: unknown command \"{other}\" for \"kubectl config\"")),
    }
}
