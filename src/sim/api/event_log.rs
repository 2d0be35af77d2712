//! Where the store keeps its events: in order of recording, in fixed-size chunks.
//!
//! A cluster records about six events per pod (Scheduled, Pulling, Pulled, Created, Started and
//! the ReplicaSet's SuccessfulCreate), so 100,000 pods make 600,000 events. In one `Vec` they
//! would be reallocated as it doubles: at the last doubling the old array and the new one (about
//! 100 MB and 200 MB there) are both live while it is copied, and half of the new one stays
//! unused. Chunks of [`CHUNK`] events never move and waste at most one chunk.

use super::types::Event;

/// Events per chunk.
const CHUNK: usize = 4096;

#[derive(Debug, Clone, Default)]
pub struct EventLog {
    chunks: Vec<Vec<Event>>,
    len: usize,
}

impl EventLog {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, event: Event) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(event),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(event);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    /// Every event, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + '_ {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Every event, oldest first, to change (aggregation bumps a count).
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Event> + '_ {
        self.chunks.iter_mut().flat_map(|c| c.iter_mut())
    }

    /// The newest of the last `n` events that `f` accepts: what `iter_mut().rev().take(n)
    /// .find(f)` finds, walking each chunk as a slice (aggregation asks at every event).
    pub fn find_recent_mut(
        &mut self,
        n: usize,
        mut f: impl FnMut(&Event) -> bool,
    ) -> Option<&mut Event> {
        let mut left = n;
        for chunk in self.chunks.iter_mut().rev() {
            if left == 0 {
                break;
            }
            let from = chunk.len().saturating_sub(left);
            left -= chunk.len() - from;
            if let Some(i) = chunk[from..].iter().rposition(&mut f) {
                return chunk.get_mut(from + i);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u32) -> Event {
        Event {
            namespace: "default".into(),
            involved_name: format!("p{n}").into(),
            words: crate::sim::api::EventWords::of(
                "Pod",
                "Normal",
                "Scheduled",
                "default-scheduler",
            ),
            message: "".into(),
            first_timestamp: 0,
            last_timestamp: 0,
            count: n,
            key: 0,
        }
    }

    #[test]
    fn finds_recent_events_across_chunks() {
        let mut log = EventLog::default();
        assert!(log.find_recent_mut(64, |_| true).is_none());
        let n = CHUNK as u32 + 10;
        for i in 0..n {
            log.push(event(i));
        }
        // The newest that matches, among the last 64 only (they span two chunks).
        let found = log
            .find_recent_mut(64, |e| e.count % 7 == 0)
            .map(|e| e.count);
        assert_eq!(found, Some((0..n).rev().find(|c| c % 7 == 0).unwrap_or(0)));
        assert!(log.find_recent_mut(64, |e| e.count == n - 65).is_none());
        assert_eq!(
            log.find_recent_mut(64, |e| e.count == n - 64)
                .map(|e| e.count),
            Some(n - 64)
        );
        for (want, limit) in [(None, 0), (Some(n - 1), 1)] {
            assert_eq!(log.find_recent_mut(limit, |_| true).map(|e| e.count), want);
        }
    }

    #[test]
    fn keeps_order_across_chunks() {
        let mut log = EventLog::default();
        assert!(log.is_empty());
        let n = CHUNK as u32 * 2 + 3;
        for i in 0..n {
            log.push(event(i));
        }
        assert_eq!(log.len(), n as usize);
        assert!(log.iter().map(|e| e.count).eq(0..n));
        assert!(log.iter().rev().map(|e| e.count).eq((0..n).rev()));
        if let Some(e) = log.iter_mut().next_back() {
            e.count = 7;
        }
        assert_eq!(log.iter().last().map(|e| e.count), Some(7));
        assert_eq!(log.chunks.len(), 3);
    }
}
