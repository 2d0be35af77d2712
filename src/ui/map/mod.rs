//! The cluster map's drawing (`draw.rs`: SVG from `sim::map`'s model) and its moving traffic
//! (`traffic.rs`); the component that puts them together is `cluster_view.rs`.

pub mod draw;
pub mod traffic;
