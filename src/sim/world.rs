//! The world: clusters, the virtual clock and the seeded random source. Nothing here reads the
//! wall clock or the OS; the same seed and the same calls give the same world.

use super::clock::Millis;
use super::cluster::{Cluster, Profile};
use super::dns::PublicZone;
use super::external_dns;
use super::loops;
use super::rng::Rng;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct World {
    pub now: Millis,
    pub rng: Rng,
    pub seed: u64,
    pub clusters: Vec<Cluster>,
    /// Index of the cluster the current kubectl context points at.
    pub current: usize,
    /// The public DNS zone every cluster and the laptop resolve public names in.
    pub public_dns: PublicZone,
    /// Each running External-DNS container (by cluster and containerID): next sync, log.
    pub external_dns: BTreeMap<(usize, String), external_dns::Run>,
    /// Each running shell loop that reaches the network (by cluster and containerID).
    pub loops: BTreeMap<(usize, String), loops::Run>,
    /// The requests those loops made, with when, until the session takes them for the plots.
    pub loop_requests: Vec<(Millis, Vec<crate::sim::network::RequestRecord>)>,
    /// The hops of their latest requests (bounded), until the map takes them.
    pub loop_traces: Vec<(usize, Vec<crate::sim::network::Hop>)>,
    /// Where the clock is moving to while `advance` runs (0 otherwise): how many rounds a
    /// shell loop still has before it stops (see `loops::ROUNDS_PER_ADVANCE`).
    pub advancing_to: Millis,
    /// What the world-level programs found when they last looked at every pod, by the
    /// clusters' store revisions then: the scans are skipped while nothing changed.
    pub scans: Scans,
}

/// Cached scans of every pod (see [`World::scans`]).
#[derive(Debug, Clone, Default)]
pub struct Scans {
    /// Per cluster: (store revision, powered-off node count) when last scanned.
    pub external_dns_key: Vec<(u64, usize)>,
    /// The running External-DNS containers then: (cluster, containerID, image, args).
    pub external_dns: Vec<(usize, String, String, Vec<String>)>,
    /// Per cluster: the store revision after the Ingress statuses were last written.
    pub ingress_status_key: Vec<(u64, usize)>,
    /// Per cluster: (store revision, powered-off node count) when the loops were last found.
    pub loops_key: Vec<(u64, usize)>,
    /// The containers running network loops then.
    pub loops: Vec<loops::Live>,
}

impl World {
    /// Per cluster: its store's revision and how many nodes are powered off.
    pub fn scan_key(&self) -> Vec<(u64, usize)> {
        self.clusters
            .iter()
            .map(|c| (c.store.revision(), c.stopped.len()))
            .collect()
    }
}

/// How long the default cluster has been up when a session starts.
pub const BOOT_TIME: Millis = 5 * 60_000;

impl World {
    /// The default world: cluster `demo` with three masters and two workers, booted and settled.
    pub fn new(seed: u64) -> World {
        let mut w = World {
            now: 0,
            rng: Rng::new(seed),
            seed,
            clusters: Vec::new(),
            current: 0,
            public_dns: PublicZone::default(),
            external_dns: BTreeMap::new(),
            loops: BTreeMap::new(),
            loop_requests: Vec::new(),
            loop_traces: Vec::new(),
            advancing_to: 0,
            scans: Scans::default(),
        };
        w.add_cluster("demo", Profile::Kubeadm, 3, 2);
        w.advance(BOOT_TIME);
        w
    }

    pub fn add_cluster(
        &mut self,
        name: &str,
        profile: Profile,
        masters: usize,
        workers: usize,
    ) -> usize {
        let index = self.clusters.len();
        let c = Cluster::new(
            name,
            index,
            profile,
            masters,
            workers,
            self.now,
            &mut self.rng,
        );
        self.clusters.push(c);
        self.settle();
        index
    }

    pub fn cluster(&self) -> &Cluster {
        &self.clusters[self.current]
    }

    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.clusters[self.current]
    }

    pub fn cluster_index(&self, name: &str) -> Option<usize> {
        self.clusters.iter().position(|c| c.name == name)
    }

    /// Run every control loop at the current instant until nothing changes (bounded).
    pub fn settle(&mut self) {
        for c in &mut self.clusters {
            c.reconcile(self.now, &mut self.rng);
        }
        // Programs that act outside their cluster (External-DNS writing the public zone).
        super::proxy::publish_ingress_status(self);
        external_dns::run(self);
        loops::run(self);
    }

    /// Move the virtual clock forward by `ms`, waking each loop at the moments it asked for.
    pub fn advance(&mut self, ms: Millis) {
        let target = self.now.saturating_add(ms);
        self.advancing_to = target;
        self.settle();
        loop {
            let next = self
                .clusters
                .iter()
                .filter_map(|c| c.next_deadline(self.now))
                .chain(external_dns::next_deadline(self).filter(|t| *t > self.now))
                .chain(loops::next_deadline(self).filter(|t| *t > self.now))
                .min();
            match next {
                Some(t) if t <= target && t > self.now => {
                    self.now = t;
                    self.settle();
                }
                _ => break,
            }
        }
        self.now = target;
        self.settle();
        self.advancing_to = 0;
    }
}
