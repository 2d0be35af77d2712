//! Flag parsing with kubectl's (cobra's) rules and error texts.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    pub long: &'static str,
    pub short: Option<char>,
    pub takes_value: bool,
}

pub const fn flag(long: &'static str, short: Option<char>, takes_value: bool) -> FlagSpec {
    FlagSpec {
        long,
        short,
        takes_value,
    }
}

/// Flags every kubectl command takes.
pub const GLOBAL: &[FlagSpec] = &[
    flag("namespace", Some('n'), true),
    flag("context", None, true),
    flag("cluster", None, true),
    flag("kubeconfig", None, true),
    flag("request-timeout", None, true),
    flag("v", Some('v'), true),
    flag("as", None, true),
    flag("as-group", None, true),
    flag("as-uid", None, true),
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub positional: Vec<String>,
    pub values: BTreeMap<String, Vec<String>>,
    /// Arguments after a bare `--`.
    pub after_dashes: Option<Vec<String>>,
}

impl Parsed {
    pub fn value(&self, long: &str) -> Option<&str> {
        self.values
            .get(long)
            .and_then(|v| v.last())
            .map(|s| s.as_str())
    }
    pub fn all(&self, long: &str) -> Vec<String> {
        self.values.get(long).cloned().unwrap_or_default()
    }
    /// A boolean flag: present without a value, or `=true`.
    pub fn bool(&self, long: &str) -> bool {
        self.value(long).is_some_and(|v| v != "false")
    }
}

/// Parse `args` against `specs` (plus [`GLOBAL`]). Errors are kubectl's own lines.
pub fn parse(args: &[String], specs: &[FlagSpec]) -> Result<Parsed, String> {
    let all: Vec<&FlagSpec> = specs.iter().chain(GLOBAL.iter()).collect();
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            out.after_dashes = Some(args[i + 1..].to_vec());
            break;
        }
        if let Some(body) = a.strip_prefix("--") {
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (body, None),
            };
            let Some(spec) = all.iter().find(|s| s.long == name) else {
                return Err(format!("error: unknown flag: --{name}"));
            };
            let value = if spec.takes_value {
                match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(format!("error: flag needs an argument: --{name}")),
                        }
                    }
                }
            } else {
                inline.unwrap_or_else(|| "true".into())
            };
            out.values
                .entry(spec.long.to_string())
                .or_default()
                .push(value);
        } else if a.len() > 1 && a.starts_with('-') && a != "-" {
            let chars: Vec<char> = a[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(spec) = all.iter().find(|s| s.short == Some(c)) else {
                    return Err(format!("error: unknown shorthand flag: '{c}' in {a}"));
                };
                if spec.takes_value {
                    let rest: String = chars[j + 1..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest.strip_prefix('=').unwrap_or(&rest).to_string()
                    } else {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => {
                                return Err(format!("error: flag needs an argument: '{c}' in -{c}"))
                            }
                        }
                    };
                    out.values
                        .entry(spec.long.to_string())
                        .or_default()
                        .push(value);
                    break;
                }
                out.values
                    .entry(spec.long.to_string())
                    .or_default()
                    .push("true".into());
                j += 1;
            }
        } else {
            out.positional.push(a.clone());
        }
        i += 1;
    }
    Ok(out)
}

/// Levenshtein distance, for cobra's "Did you mean this?".
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn long_short_and_inline() {
        let specs = [
            flag("output", Some('o'), true),
            flag("all-namespaces", Some('A'), false),
        ];
        let p = parse(
            &s(&[
                "pods",
                "-n",
                "kube-system",
                "-owide",
                "--context=demo",
                "-A",
            ]),
            &specs,
        )
        .unwrap();
        assert_eq!(p.positional, ["pods"]);
        assert_eq!(p.value("namespace"), Some("kube-system"));
        assert_eq!(p.value("output"), Some("wide"));
        assert_eq!(p.value("context"), Some("demo"));
        assert!(p.bool("all-namespaces"));
        assert_eq!(
            parse(&s(&["--nope"]), &specs).unwrap_err(),
            "error: unknown flag: --nope"
        );
        assert_eq!(
            parse(&s(&["-z"]), &specs).unwrap_err(),
            "error: unknown shorthand flag: 'z' in -z"
        );
        assert_eq!(
            parse(&s(&["-n"]), &specs).unwrap_err(),
            "error: flag needs an argument: 'n' in -n"
        );
    }
}
