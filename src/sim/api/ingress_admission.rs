//! What the API server checks of Ingresses (networking validation, with its error texts), the
//! DefaultIngressClass admission plugin (fact 84), and the structural schema of custom
//! resources (a CRD's `openAPIV3Schema`: required fields, types, enums, bounds and unknown
//! fields), so a malformed Mapping gets the error a real cluster gives.

use super::admission::{is_dns1123_subdomain, FieldError};
use super::error::ApiError;
use super::store::Store;
use super::unstructured::Unstructured;
use serde_yaml::{Mapping, Value};

fn is_dns1035_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

const PATH_TYPES: &[&str] = &["Exact", "ImplementationSpecific", "Prefix"];

fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    v.as_mapping()?.get(k)
}

fn backend_errors(errs: &mut Vec<FieldError>, path: &str, b: Option<&Value>) {
    let Some(b) = b else {
        errs.push(FieldError::invalid_raw(
            path,
            "\"\"",
            "resource or service must be specified",
        ));
        return;
    };
    let svc = get(b, "service");
    let res = get(b, "resource");
    match (svc, res) {
        (None, None) => errs.push(FieldError::invalid_raw(
            path,
            "\"\"",
            "resource or service must be specified",
        )),
        (Some(_), Some(_)) => errs.push(FieldError::invalid_raw(
            path,
            "\"\"",
            "cannot set both resource and service backends",
        )),
        (Some(svc), None) => {
            let name = get(svc, "name").and_then(Value::as_str).unwrap_or("");
            if name.is_empty() {
                errs.push(FieldError::required(format!("{path}.service.name"), ""));
            } else if !is_dns1035_label(name) {
                errs.push(FieldError::invalid_str(
                    format!("{path}.service.name"),
                    name,
                    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                ));
            }
            let port = get(svc, "port");
            let number = port.and_then(|p| get(p, "number"));
            let pname = port
                .and_then(|p| get(p, "name"))
                .and_then(Value::as_str)
                .unwrap_or("");
            match (number, pname.is_empty()) {
                (None, true) => errs.push(FieldError::required(
                    format!("{path}.service.port"),
                    "port name or number is required",
                )),
                (Some(_), false) => errs.push(FieldError::invalid_raw(
                    format!("{path}.service.port"),
                    "\"\"",
                    "cannot set both port name & port number",
                )),
                (Some(n), true) => {
                    let n = n.as_i64().unwrap_or(0);
                    if !(1..=65535).contains(&n) {
                        errs.push(FieldError::invalid_int(
                            format!("{path}.service.port.number"),
                            n,
                            "must be between 1 and 65535, inclusive",
                        ));
                    }
                }
                (None, false) => {}
            }
        }
        (None, Some(_)) => {}
    }
}

fn host_errors(errs: &mut Vec<FieldError>, path: &str, host: &str) {
    if host.is_empty() {
        return;
    }
    if crate::sim::api::service_admission::parse_ipv4(host).is_some() {
        errs.push(FieldError::invalid_str(
            path,
            host,
            "must be a DNS name, not an IP address",
        ));
        return;
    }
    if let Some(rest) = host.strip_prefix("*.") {
        if !is_dns1123_subdomain(rest) {
            errs.push(FieldError::invalid_str(path, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
    } else if host.contains('*') || !is_dns1123_subdomain(host) {
        errs.push(FieldError::invalid_str(path, host, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
    }
}

/// Field errors of an Ingress's spec (networking/validation.go).
pub fn validate_ingress(obj: &Unstructured) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let spec = obj.field("spec").cloned().unwrap_or(Value::Null);
    let rules = get(&spec, "rules").and_then(Value::as_sequence);
    let default = get(&spec, "defaultBackend");
    if rules.is_none_or(|r| r.is_empty()) && default.is_none() {
        errs.push(FieldError::invalid_raw(
            "spec",
            "[]networking.IngressRule(nil)",
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if default.is_some() {
        backend_errors(&mut errs, "spec.defaultBackend", default);
    }
    if let Some(class) = get(&spec, "ingressClassName").and_then(Value::as_str) {
        if !is_dns1123_subdomain(class) {
            errs.push(FieldError::invalid_str("spec.ingressClassName", class, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
    }
    for (i, rule) in rules
        .map(|r| r.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        let host = get(rule, "host").and_then(Value::as_str).unwrap_or("");
        host_errors(&mut errs, &format!("spec.rules[{i}].host"), host);
        let Some(http) = get(rule, "http") else {
            continue;
        };
        let paths = get(http, "paths").and_then(Value::as_sequence);
        if paths.is_none_or(|p| p.is_empty()) {
            errs.push(FieldError::required(
                format!("spec.rules[{i}].http.paths"),
                "",
            ));
        }
        for (j, p) in paths
            .map(|p| p.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let at = format!("spec.rules[{i}].http.paths[{j}]");
            let path = get(p, "path").and_then(Value::as_str).unwrap_or("");
            match get(p, "pathType").and_then(Value::as_str) {
                None | Some("") => errs.push(FieldError::required(
                    format!("{at}.pathType"),
                    "pathType must be specified",
                )),
                Some(t) if !PATH_TYPES.contains(&t) => errs.push(FieldError::unsupported(
                    format!("{at}.pathType"),
                    t,
                    PATH_TYPES,
                )),
                Some("Exact") | Some("Prefix") => {
                    if !path.starts_with('/') {
                        errs.push(FieldError::invalid_str(
                            format!("{at}.path"),
                            path,
                            "must be an absolute path",
                        ));
                    } else if path.contains("//") {
                        errs.push(FieldError::invalid_str(
                            format!("{at}.path"),
                            path,
                            "must not contain '//'",
                        ));
                    }
                }
                Some(_) => {
                    if !path.is_empty() && !path.starts_with('/') {
                        errs.push(FieldError::invalid_str(
                            format!("{at}.path"),
                            path,
                            "must be an absolute path",
                        ));
                    }
                }
            }
            backend_errors(&mut errs, &format!("{at}.backend"), get(p, "backend"));
        }
    }
    for (i, t) in get(&spec, "tls")
        .and_then(Value::as_sequence)
        .map(|t| t.as_slice())
        .unwrap_or(&[])
        .iter()
        .enumerate()
    {
        for (j, h) in get(t, "hosts")
            .and_then(Value::as_sequence)
            .map(|h| h.as_slice())
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            host_errors(
                &mut errs,
                &format!("spec.tls[{i}].hosts[{j}]"),
                h.as_str().unwrap_or(""),
            );
        }
    }
    errs
}

/// The DefaultIngressClass admission plugin: a new Ingress naming no class (and no legacy
/// annotation) gets the default IngressClass; two defaults refuse it (fact 84).
pub fn default_ingress_class(store: &Store, obj: &mut Unstructured) -> Result<(), ApiError> {
    let named = obj
        .path(&["spec", "ingressClassName"])
        .and_then(Value::as_str)
        .is_some_and(|c| !c.is_empty());
    if named
        || obj
            .metadata
            .annotations
            .contains_key(crate::sim::proxy::LEGACY_CLASS)
    {
        return Ok(());
    }
    let defaults: Vec<String> = store
        .unstructured
        .get(crate::sim::proxy::INGRESS_CLASSES)
        .into_iter()
        .flat_map(|t| t.values())
        .filter(|c| {
            c.metadata
                .annotations
                .get(crate::sim::proxy::DEFAULT_CLASS)
                .is_some_and(|v| v == "true")
        })
        .map(|c| c.metadata.name.clone())
        .collect();
    match defaults.as_slice() {
        [] => Ok(()),
        [one] => {
            if let Some(Value::Mapping(spec)) = obj.rest.get_mut("spec") {
                spec.insert("ingressClassName".into(), one.clone().into());
            }
            Ok(())
        }
        many => Err(ApiError::Forbidden(format!(
            "ingresses.networking.k8s.io \"{}\" is forbidden: {} default IngressClasses were found, only 1 allowed",
            obj.metadata.name,
            many.len()
        ))),
    }
}

/// What a CRD's structural schema says of one custom object: field errors (422) and the
/// unknown fields (strict field validation, fact 89; the server would otherwise prune them).
pub fn check_schema(obj: &Unstructured, schema: &Value) -> (Vec<FieldError>, Vec<String>) {
    let mut errs = Vec::new();
    let mut unknown = Vec::new();
    let mut top = Mapping::new();
    for (k, v) in &obj.rest {
        top.insert(k.clone(), v.clone());
    }
    walk(&Value::Mapping(top), schema, "", &mut errs, &mut unknown, 0);
    (errs, unknown)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Sequence(_) => "array",
        Value::Mapping(_) => "object",
        Value::Tagged(_) => "object",
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        Value::Sequence(_) => "[]interface {}".into(),
        _ => "map[string]interface {}".into(),
    }
}

fn walk(
    v: &Value,
    schema: &Value,
    path: &str,
    errs: &mut Vec<FieldError>,
    unknown: &mut Vec<String>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    let want = get(schema, "type").and_then(Value::as_str).unwrap_or("");
    let got = type_name(v);
    let int_or_string =
        get(schema, "x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true);
    let ok = match want {
        "" => true,
        "number" => got == "integer" || got == "number",
        _ if int_or_string => got == "integer" || got == "string",
        w => {
            w == got
                || (got == "null" && get(schema, "nullable").and_then(Value::as_bool) == Some(true))
        }
    };
    if !ok {
        errs.push(FieldError::invalid_raw(
            path,
            &format!("\"{got}\""),
            &format!("{path} in body must be of type {want}: \"{got}\""),
        ));
        return;
    }
    if let Some(options) = get(schema, "enum").and_then(Value::as_sequence) {
        if !options.contains(v) {
            errs.push(FieldError {
                path: path.to_string(),
                kind: super::admission::FieldErrorKind::Unsupported(
                    shown(v),
                    options
                        .iter()
                        .map(|o| o.as_str().map(String::from).unwrap_or_else(|| shown(o)))
                        .collect(),
                ),
            });
        }
    }
    if let (Some(n), Some(max)) = (v.as_f64(), get(schema, "maximum").and_then(Value::as_f64)) {
        if n > max {
            errs.push(FieldError::invalid_raw(
                path,
                &shown(v),
                &format!("{path} in body should be less than or equal to {max}"),
            ));
        }
    }
    if let (Some(n), Some(min)) = (v.as_f64(), get(schema, "minimum").and_then(Value::as_f64)) {
        if n < min {
            errs.push(FieldError::invalid_raw(
                path,
                &shown(v),
                &format!("{path} in body should be greater than or equal to {min}"),
            ));
        }
    }
    let preserve =
        get(schema, "x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool) == Some(true);
    match v {
        Value::Mapping(m) => {
            for r in get(schema, "required")
                .and_then(Value::as_sequence)
                .map(|r| r.as_slice())
                .unwrap_or(&[])
            {
                if let Some(r) = r.as_str() {
                    if !m.contains_key(r) {
                        errs.push(FieldError::required(join(r), ""));
                    }
                }
            }
            let props = get(schema, "properties").and_then(Value::as_mapping);
            let extra = get(schema, "additionalProperties");
            for (k, child) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    other => shown(other),
                };
                // metadata is the API server's, checked elsewhere.
                if path.is_empty() && ["apiVersion", "kind", "metadata"].contains(&key.as_str()) {
                    continue;
                }
                match (props.and_then(|p| p.get(key.as_str())), extra) {
                    (Some(s), _) => walk(child, s, &join(&key), errs, unknown, depth + 1),
                    (None, Some(s)) if s.is_mapping() => {
                        walk(child, s, &join(&key), errs, unknown, depth + 1)
                    }
                    (None, Some(Value::Bool(true))) => {}
                    _ if preserve || props.is_none() && want.is_empty() => {}
                    _ => unknown.push(join(&key)),
                }
            }
        }
        Value::Sequence(items) => {
            if let Some(s) = get(schema, "items") {
                for (i, item) in items.iter().enumerate() {
                    walk(item, s, &format!("{path}[{i}]"), errs, unknown, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::api::types::ObjectMeta;

    fn obj(kind: &str, yaml: &str) -> Unstructured {
        Unstructured {
            api_version: "v1".into(),
            kind: kind.into(),
            metadata: ObjectMeta {
                name: "x".into(),
                ..Default::default()
            },
            rest: serde_yaml::from_str(yaml).unwrap(),
        }
    }

    #[test]
    fn ingress_paths_need_a_type_and_an_absolute_path() {
        let o = obj(
            "Ingress",
            "spec:\n  rules:\n  - host: Foo.com\n    http:\n      paths:\n      - path: api\n        pathType: Prefix\n        backend:\n          service:\n            name: web\n      - path: /x\n        backend:\n          service:\n            name: web\n            port:\n              number: 80\n",
        );
        let errs: Vec<String> = validate_ingress(&o)
            .iter()
            .map(|e| e.path.clone())
            .collect();
        assert!(errs.contains(&"spec.rules[0].host".to_string()), "{errs:?}");
        assert!(errs.contains(&"spec.rules[0].http.paths[0].path".to_string()));
        assert!(errs.contains(&"spec.rules[0].http.paths[0].backend.service.port".to_string()));
        assert!(errs.contains(&"spec.rules[0].http.paths[1].pathType".to_string()));
        let empty = obj("Ingress", "spec: {}\n");
        assert_eq!(validate_ingress(&empty)[0].path, "spec");
    }

    #[test]
    fn schemas_check_required_types_enums_and_unknown_fields() {
        let schema: Value = serde_yaml::from_str(
            "type: object\nproperties:\n  spec:\n    type: object\n    required: [prefix, service]\n    properties:\n      prefix: {type: string}\n      service: {type: string}\n      weight: {type: integer}\n      mode: {type: string, enum: [A, B]}\n",
        )
        .unwrap();
        let o = obj(
            "Mapping",
            "spec:\n  prefix: /x/\n  weight: ten\n  mode: C\n  prefx: /y/\n",
        );
        let (errs, unknown) = check_schema(&o, &schema);
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, vec!["spec.service", "spec.weight", "spec.mode"]);
        assert_eq!(unknown, vec!["spec.prefx".to_string()]);
    }
}
