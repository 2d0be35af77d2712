//! The mini orchestrator: a deterministic simulation of Kubernetes. Never imports anything of
//! the browser; compiles and tests natively.

pub mod api;
pub mod apps;
pub mod bundles;
pub mod clock;
pub mod cluster;
pub mod container_shell;
pub mod controllers;
pub mod cron;
pub mod datastores;
pub mod dns;
pub mod external_dns;
pub mod fs;
pub mod fxhash;
pub mod images;
pub mod kubelet;
pub mod loops;
pub mod map;
pub mod metrics;
pub mod net;
pub mod nettools;
pub mod network;
pub mod proxy;
pub mod quantity;
pub mod rng;
pub mod rootfs;
pub mod scheduler;
pub mod sh;
pub mod snapshot;
pub mod sort;
pub mod volumes;
pub mod world;

pub use world::World;
