//! Seeded randomness. Every random choice in the world (name suffixes, pull times, kube-proxy picks)
//! comes from here, so one seed and one command log always give the same world.

/// SplitMix64: tiny, fast, and good enough for a simulation (not for secrets).
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

/// The alphabet Kubernetes uses for generated names (fact 1): no vowels, no 0, 1 or 3.
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A number in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// The 5-character suffix of a generated name (fact 1).
    pub fn name_suffix(&mut self) -> String {
        (0..5)
            .map(|_| NAME_ALPHABET[self.below(NAME_ALPHABET.len() as u64) as usize] as char)
            .collect()
    }

    /// A random-looking lowercase hex string, for uids and container ids.
    pub fn hex(&mut self, len: usize) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(len + 16);
        while s.len() < len {
            // The same digits `format!("{:016x}")` gives, most significant first.
            let v = self.next_u64();
            for i in (0..16).rev() {
                s.push(DIGITS[((v >> (i * 4)) & 0xf) as usize] as char);
            }
        }
        s.truncate(len);
        s
    }

    /// A version-4-shaped UUID.
    pub fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let mut s = String::with_capacity(36);
        s.push_str(&h[0..8]);
        s.push('-');
        s.push_str(&h[8..12]);
        s.push_str("-4");
        s.push_str(&h[13..16]);
        s.push_str("-a");
        s.push_str(&h[17..20]);
        s.push('-');
        s.push_str(&h[20..32]);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    /// Fact 1: suffixes are 5 characters from `bcdfghjklmnpqrstvwxz2456789`.
    #[test]
    fn suffix_uses_the_kubernetes_alphabet() {
        let mut r = Rng::new(1);
        for _ in 0..200 {
            let s = r.name_suffix();
            assert_eq!(s.len(), 5);
            assert!(s.bytes().all(|c| NAME_ALPHABET.contains(&c)), "{s}");
        }
    }
}
