//! The sizes of the types 100,000 pods hold many of (BENCHMARKS.md, "Engine"): a guard, so a
//! field added to one of them is a decision, not an accident. Sizes on 64-bit targets; what
//! matters is often the allocator's size class (mimalloc's: 256, 320, 384, 448, 512, 640, 768
//! bytes), noted where a type sits just under one.

#![cfg(target_pointer_width = "64")]

use pocket_cluster::sim::api::*;
use pocket_cluster::sim::kubelet::{ContainerRuntime, PodRuntime, ProbeState};
use std::mem::size_of;

#[test]
fn the_types_a_pod_is_made_of_stay_small() {
    // Boxed in the store's table: under 640.
    assert_eq!(size_of::<Pod>(), 576);
    assert_eq!(size_of::<ObjectMeta>(), 256);
    assert_eq!(size_of::<PodStatus>(), 208);
    // A running pod has four: 480 bytes, under 512, shared with the pods that report the
    // same (the kubelet's `RecentConditions`).
    assert_eq!(size_of::<Condition>(), 120);
    assert_eq!(size_of::<ContainerStatus>(), 248);
    assert_eq!(size_of::<Option<Time>>(), 8);
    // Six per pod, in the store's event log.
    assert_eq!(size_of::<Event>(), 80);
}

#[test]
fn the_kubelets_record_stays_small() {
    // Inline in the kubelet's hash map.
    assert_eq!(size_of::<PodRuntime>(), 128);
    // One per container: under 256, a size class.
    assert_eq!(size_of::<ContainerRuntime>(), 248);
    assert_eq!(size_of::<ProbeState>(), 48);
}
