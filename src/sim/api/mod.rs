//! The API server's side: object types, the store (etcd's role) and admission.

pub mod admission;
pub mod error;
pub mod event_log;
pub mod ingress_admission;
pub mod limitrange;
pub mod name_key;
pub mod quota;
pub mod rbac;
pub mod service_admission;
pub mod services;
pub mod storage;
pub mod store;
pub mod time;
pub mod types;
pub mod unstructured;
pub mod volumes;
pub mod watch;
pub mod workloads;

pub use error::ApiError;
pub use event_log::EventLog;
pub use services::*;
pub use store::{ClusterConfig, Resource, Store, Table, WriteOutcome};
pub use time::Time;
pub use types::*;
pub use unstructured::{KindInfo, Kinds, Unstructured};
pub use watch::{Before, Counters, Key, ObjRef, PodCounts, Usage, WorkQueue};
pub use workloads::*;
