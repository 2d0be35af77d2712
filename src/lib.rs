//! Pocket Cluster: Kubernetes, learned in the browser.
//!
//! - [`sim`]: the engine (a simulated Kubernetes world), native and browser alike.
//! - [`manifest`]: YAML manifests to typed API objects, with line:column errors.
//! - [`shell`]: the command language (kubectl, sim) shared by the terminal, the CLI and tests.
//! - `ui`: the Leptos app (wasm32 only).

pub mod bench;
pub mod course;
pub mod host;
pub mod manifest;
pub mod shell;
pub mod sim;
pub mod yaml;

#[cfg(target_arch = "wasm32")]
pub mod ui;
