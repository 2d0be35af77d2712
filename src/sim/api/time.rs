//! `Time`: a timestamp field of the API (`lastTransitionTime`, `startedAt`, `startTime`, …) held
//! as the second it names instead of as text.
//!
//! The API server writes these as RFC 3339 in UTC to the second (`2026-01-01T00:00:05Z`), and
//! every pod carries half a dozen of them, so a timestamp in that form is kept as its second
//! (no allocation; 8 bytes with its `Option`, against 24 and a heap string). Any other text a
//! user wrote in a manifest (fractions, an offset, odd spacing) is kept as given, so it prints
//! back as it was written. Both print, compare and read as the text: a `Time` made from a
//! string always shows that string.

use crate::sim::clock::{civil, days_from_civil, parse_rfc3339, Millis, EPOCH_UNIX_SECS};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU64;

/// One word: `Option<Time>` is 8 bytes. The low bit tells the two kinds apart: set, the rest
/// is the second (counted from year 0000, so every four-digit year fits); clear, the rest is
/// one more than the text's place in [`TEXTS`].
#[derive(Clone, PartialEq, Eq)]
pub struct Time(NonZeroU64);

/// The Unix second of 0000-01-01T00:00:00Z: the earliest second a `Time` holds as a number.
const YEAR_ZERO: i64 = -62_167_219_200;

/// The texts kept as written, each once. Only timestamps a user wrote in an odd form land
/// here (the simulator writes none), and they stay for the life of the program: a few bytes
/// for each distinct text, never more than the manifests applied held.
static TEXTS: std::sync::Mutex<Texts> = std::sync::Mutex::new(Texts {
    all: Vec::new(),
    index: None,
});

struct Texts {
    all: Vec<&'static str>,
    index: Option<std::collections::HashMap<&'static str, u64>>,
}

fn texts() -> std::sync::MutexGuard<'static, Texts> {
    TEXTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

enum Repr {
    Unix(i64),
    Text(&'static str),
}

impl Time {
    fn unix(secs: i64) -> Time {
        // Canonical seconds are within years 0000-9999, so this neither wraps nor is 0.
        let n = ((secs - YEAR_ZERO) as u64) << 1 | 1;
        Time(NonZeroU64::new(n).unwrap_or(NonZeroU64::MIN))
    }

    fn text(s: &str) -> Time {
        let mut t = texts();
        let t = &mut *t;
        let index = t.index.get_or_insert_with(Default::default);
        let n = match index.get(s) {
            Some(n) => *n,
            None => {
                let kept: &'static str = Box::leak(s.to_string().into_boxed_str());
                t.all.push(kept);
                let n = t.all.len() as u64;
                index.insert(kept, n);
                n
            }
        };
        Time(NonZeroU64::new(n << 1).unwrap_or(NonZeroU64::MIN))
    }

    fn repr(&self) -> Repr {
        let n = self.0.get();
        if n & 1 == 1 {
            Repr::Unix((n >> 1) as i64 + YEAR_ZERO)
        } else {
            let i = (n >> 1) as usize;
            Repr::Text(texts().all.get(i.wrapping_sub(1)).copied().unwrap_or(""))
        }
    }

    /// The virtual instant `t`, to the second (as `clock::rfc3339` prints it).
    pub fn at(t: Millis) -> Time {
        Time::unix((EPOCH_UNIX_SECS + t / 1000) as i64)
    }

    /// A timestamp as written: kept as its second when it is in the API server's own form.
    pub fn parse(s: &str) -> Time {
        match canonical_secs(s) {
            Some(secs) => Time::unix(secs),
            None => Time::text(s),
        }
    }

    /// The text, as the API prints it.
    pub fn as_str(&self) -> Cow<'static, str> {
        match self.repr() {
            Repr::Unix(secs) => Cow::Owned(format_unix(secs)),
            Repr::Text(s) => Cow::Borrowed(s),
        }
    }

    /// The virtual instant it names, as `clock::parse_rfc3339` reads the text (instants before
    /// the virtual epoch read as 0; None when the text is not a timestamp).
    pub fn millis(&self) -> Option<Millis> {
        match self.repr() {
            Repr::Unix(secs) => {
                let rel = secs - EPOCH_UNIX_SECS as i64;
                Some(if rel < 0 { 0 } else { rel as u64 * 1000 })
            }
            Repr::Text(s) => parse_rfc3339(s),
        }
    }

    /// Whether it is held as a second (the text is the API server's form).
    #[cfg(test)]
    fn is_second(&self) -> bool {
        matches!(self.repr(), Repr::Unix(_))
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

/// As the text's Debug (what an `Option<String>` field printed before).
impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.as_str(), f)
    }
}

/// Ordered as the text: in the API server's form (fixed width) text order is time order.
impl Ord for Time {
    fn cmp(&self, other: &Time) -> std::cmp::Ordering {
        match (self.repr(), other.repr()) {
            (Repr::Unix(a), Repr::Unix(b)) => a.cmp(&b),
            _ => self.as_str().cmp(&other.as_str()),
        }
    }
}

impl PartialOrd for Time {
    fn partial_cmp(&self, other: &Time) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq<str> for Time {
    fn eq(&self, other: &str) -> bool {
        match self.repr() {
            Repr::Unix(secs) => canonical_secs(other) == Some(secs),
            Repr::Text(s) => s == other,
        }
    }
}

impl From<&str> for Time {
    fn from(s: &str) -> Time {
        Time::parse(s)
    }
}

impl From<String> for Time {
    fn from(s: String) -> Time {
        Time::parse(&s)
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.as_str())
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Time, D::Error> {
        String::deserialize(deserializer).map(Time::from)
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix second (years 0000-9999).
fn format_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// The Unix second a timestamp names when its text is exactly what [`format_unix`] prints for
/// it (so keeping the second loses nothing).
fn canonical_secs(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(r)?;
        digits.iter().try_fold(0i64, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let secs = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss;
    // A day past the month's end (`02-30`) names another date: keep such text as written.
    (format_unix(secs) == s).then_some(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::clock::rfc3339;

    #[test]
    fn the_api_servers_form_is_kept_as_a_second() {
        for t in [0, 5_000, 86_400_000 * 400 + 5_999] {
            let time = Time::at(t);
            assert_eq!(time.as_str(), rfc3339(t));
            assert_eq!(Time::parse(&rfc3339(t)), time);
            assert_eq!(time.millis(), parse_rfc3339(&rfc3339(t)));
            assert!(Time::parse(&rfc3339(t)).is_second());
        }
        // Before the virtual epoch: a second of its own, read as instant 0 like the text.
        let old = Time::parse("2019-05-04T10:00:00Z");
        assert!(old.is_second());
        assert_eq!(old.as_str(), "2019-05-04T10:00:00Z");
        assert_eq!(old.millis(), Some(0));
    }

    #[test]
    fn other_text_prints_as_written() {
        for s in [
            "2026-01-01T00:00:05.5Z",
            "2026-01-01T00:00:05+01:00",
            "2026-02-30T00:00:00Z",
            "2026-1-01T00:00:05Z",
            "yesterday",
            "",
        ] {
            let time = Time::parse(s);
            assert!(!time.is_second(), "{s}");
            assert_eq!(Time::parse(s), time, "the same text, the same Time");
            assert_eq!(time.as_str(), s);
            assert_eq!(time.millis(), parse_rfc3339(s));
            assert_eq!(&time, s);
        }
    }

    #[test]
    fn a_manifest_prints_back_what_it_was_given() {
        let text = "type: Ready\nstatus: \"True\"\nlastProbeTime: 2026-01-01T00:00:05Z\nlastTransitionTime: 2026-01-01T01:00:05.250+01:00\n";
        let c: crate::sim::api::Condition = crate::yaml::from_str(text).expect("a condition");
        assert_eq!(c.last_probe_time, Some(Time::at(5_000)));
        // Read as before: `parse_rfc3339` reads the wall-clock digits.
        assert_eq!(
            c.last_transition_time.as_ref().and_then(Time::millis),
            parse_rfc3339("2026-01-01T01:00:05.250+01:00")
        );
        let back = serde_yaml::to_string(&c).expect("yaml");
        assert!(
            back.contains("lastProbeTime: 2026-01-01T00:00:05Z\n"),
            "{back}"
        );
        assert!(
            back.contains("lastTransitionTime: 2026-01-01T01:00:05.250+01:00\n"),
            "{back}"
        );
        let json = serde_json::to_string(&c).expect("json");
        assert!(json.contains(r#""lastTransitionTime":"2026-01-01T01:00:05.250+01:00""#));
    }

    #[test]
    fn it_orders_as_its_text() {
        let texts = [
            "2026-01-01T00:00:05Z",
            "2026-01-01T00:00:05.5Z",
            "2026-01-01T00:00:06Z",
            "2025-12-31T23:59:59Z",
            "0999-01-01T00:00:00Z",
            "later",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(Time::parse(a).cmp(&Time::parse(b)), a.cmp(b), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn it_stays_one_word() {
        assert_eq!(std::mem::size_of::<Option<Time>>(), 8);
    }
}
