//! Errors as the API server returns them, printed in kubectl's words.

use super::admission::FieldError;
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// 404: `pods "x" not found`.
    NotFound { resource: String, name: String },
    /// 409: `pods "x" already exists`.
    AlreadyExists { resource: String, name: String },
    /// 422: `The Pod "x" is invalid: …`.
    Invalid {
        kind: String,
        name: String,
        causes: Vec<FieldError>,
    },
    /// 400, with the server's message.
    BadRequest(String),
    /// 403, with the server's message.
    Forbidden(String),
    /// The API server cannot reach etcd quorum (fact 77).
    Timeout(String),
}

impl ApiError {
    /// The message without kubectl's `Error from server (Reason): ` prefix.
    pub fn message(&self) -> String {
        match self {
            ApiError::NotFound { resource, name } => format!("{resource} \"{name}\" not found"),
            ApiError::AlreadyExists { resource, name } => {
                format!("{resource} \"{name}\" already exists")
            }
            ApiError::Invalid { kind, name, causes } => {
                let list: Vec<String> = causes.iter().map(|c| c.to_string()).collect();
                if list.len() == 1 {
                    format!("The {kind} \"{name}\" is invalid: {}", list[0])
                } else {
                    format!("The {kind} \"{name}\" is invalid: [{}]", list.join(", "))
                }
            }
            ApiError::BadRequest(m) | ApiError::Forbidden(m) | ApiError::Timeout(m) => m.clone(),
        }
    }

    /// The reason kubectl puts in parentheses.
    pub fn reason(&self) -> Option<&'static str> {
        match self {
            ApiError::NotFound { .. } => Some("NotFound"),
            ApiError::AlreadyExists { .. } => Some("AlreadyExists"),
            ApiError::Invalid { .. } => None,
            ApiError::BadRequest(_) => Some("BadRequest"),
            ApiError::Forbidden(_) => Some("Forbidden"),
            ApiError::Timeout(_) => None,
        }
    }

    /// As kubectl prints it; `context` is e.g. `error when creating "pod.yaml"`.
    pub fn kubectl(&self, context: Option<&str>) -> String {
        match (self, self.reason()) {
            (ApiError::Invalid { .. }, _) => self.message(),
            (_, Some(reason)) => match context {
                Some(c) => format!("Error from server ({reason}): {c}: {}", self.message()),
                None => format!("Error from server ({reason}): {}", self.message()),
            },
            (_, None) => format!("Error from server: {}", self.message()),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kubectl(None))
    }
}
