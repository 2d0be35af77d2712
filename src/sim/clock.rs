//! Virtual time. The engine never reads the wall clock: time only moves when the session says so.

/// Milliseconds since the world's epoch.
pub type Millis = u64;

/// The instant the virtual clock reads zero: 2026-01-01T00:00:00Z, as seconds since the Unix epoch.
pub const EPOCH_UNIX_SECS: u64 = 1_767_225_600;

/// Seconds from an API field (grace periods, deadlines) as milliseconds, clamped to 0..=100
/// years so that hostile values cannot overflow the clock.
pub fn secs(n: i64) -> Millis {
    (n.clamp(0, 100 * 365 * 86_400) as u64) * 1000
}

/// Formats a virtual instant as an RFC 3339 timestamp, as the API server prints them.
pub fn rfc3339(t: Millis) -> String {
    // Many objects are stamped within the same second: remember the last one formatted.
    // A few seconds are in use at a time (now, when a container started, ...): keep the last
    // four formatted.
    thread_local! {
        static RECENT: std::cell::RefCell<[(u64, String); 4]> = const {
            std::cell::RefCell::new([
                (u64::MAX, String::new()),
                (u64::MAX, String::new()),
                (u64::MAX, String::new()),
                (u64::MAX, String::new()),
            ])
        };
    }
    let secs = t / 1000;
    RECENT.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some((_, s)) = recent.iter().find(|(k, _)| *k == secs) {
            return s.clone();
        }
        let s = format_rfc3339(t);
        recent.rotate_right(1);
        recent[0] = (secs, s.clone());
        s
    })
}

fn format_rfc3339(t: Millis) -> String {
    let secs = EPOCH_UNIX_SECS + t / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day); Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    civil(z)
}

/// Days since 1970-01-01 to (year, month, day).
pub fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) to days since 1970-01-01: the inverse of [`civil`] (Howard Hinnant's
/// algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// kubectl's AGE column: `k8s.io/apimachinery/pkg/util/duration.HumanDuration`.
pub fn human_duration(ms: Millis) -> String {
    let seconds = ms / 1000;
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    } else if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    } else if hours < 48 {
        return format!("{hours}h");
    } else if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    } else if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    } else if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Go's `time.Duration` string for the short durations events print (`2.1s`, `512ms`).
pub fn go_duration(ms: Millis) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let frac = ms % 1000;
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if h > 0 || m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if frac == 0 {
        out.push_str(&format!("{s}s"));
    } else {
        let f = format!("{frac:03}");
        out.push_str(&format!("{s}.{}s", f.trim_end_matches('0')));
    }
    out
}

/// Parses a duration as kubectl and `sim advance` accept it: `30s`, `1m30s`, `500ms`, `2h`, `1.5s`.
/// A bare number means seconds.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let bad =
        || format!("invalid duration {text:?}: expected something like 30s, 5m, 1h30m or 500ms");
    let t = text.trim();
    if t.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    if let Ok(n) = t.parse::<f64>() {
        total = n * 1000.0;
        return check_duration(text, total);
    }
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let factor = match &rest[..unit_len] {
            "ms" => 1.0,
            "s" => 1000.0,
            "m" => 60_000.0,
            "h" => 3_600_000.0,
            "d" => 86_400_000.0,
            _ => return Err(bad()),
        };
        total += n * factor;
        rest = &rest[unit_len..];
    }
    check_duration(text, total)
}

/// The longest single `sim advance`: a week of virtual time is more than any lesson needs, and
/// it keeps one command quick even with pods crash-looping all the while.
pub const MAX_ADVANCE: Millis = 7 * 86_400_000;

fn check_duration(text: &str, total: f64) -> Result<Millis, String> {
    if !total.is_finite() || total < 0.0 {
        return Err(format!("invalid duration {text:?}"));
    }
    if total > MAX_ADVANCE as f64 {
        return Err(format!(
            "duration {text:?} is too long: at most 7d at a time"
        ));
    }
    Ok(total.round() as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_duration_matches_kubectl() {
        assert_eq!(human_duration(5_000), "5s");
        assert_eq!(human_duration(119_000), "119s");
        assert_eq!(human_duration(120_000), "2m");
        assert_eq!(human_duration(150_000), "2m30s");
        assert_eq!(human_duration(11 * 60_000), "11m");
        assert_eq!(human_duration(4 * 3_600_000 + 60_000), "4h1m");
        assert_eq!(human_duration(30 * 3_600_000), "30h");
        assert_eq!(human_duration(50 * 3_600_000), "2d2h");
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("1m30s"), Ok(90_000));
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("1.5s"), Ok(1_500));
        assert_eq!(parse_duration("7"), Ok(7_000));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("99999999999999999999h").is_err());
        assert!(parse_duration("18446744073709551").is_err());
        assert!(parse_duration("8d").is_err());
        assert_eq!(parse_duration("7d"), Ok(MAX_ADVANCE));
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(0), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(86_400_000 + 3_661_000), "2026-01-02T01:01:01Z");
        assert_eq!(go_duration(2_100), "2.1s");
        assert_eq!(go_duration(512), "512ms");
        assert_eq!(go_duration(61_000), "1m1s");
    }
}

/// Parses an RFC 3339 timestamp written by [`rfc3339`] back into virtual time.
pub fn parse_rfc3339(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let unix = days_from_civil(y, m, d) * 86_400 + hh * 3600 + mm * 60 + ss;
    let rel = unix - EPOCH_UNIX_SECS as i64;
    if rel < 0 {
        return Some(0);
    }
    Some(rel as u64 * 1000)
}

#[cfg(test)]
mod parse_tests {
    use super::*;
    #[test]
    fn rfc3339_round_trips() {
        for t in [0, 1_000, 86_400_000 * 400 + 5_000] {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t));
        }
    }
}

/// RFC 1123 with numeric zone, as `kubectl describe` prints times: `Thu, 01 Jan 2026 00:05:00 +0000`.
pub fn rfc1123z(t: Millis) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = EPOCH_UNIX_SECS + t / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} +0000",
        DAYS[(days % 7) as usize],
        MONTHS[(m - 1) as usize],
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod rfc1123_tests {
    #[test]
    fn describe_dates() {
        // 2026-01-01 is a Thursday.
        assert_eq!(super::rfc1123z(0), "Thu, 01 Jan 2026 00:00:00 +0000");
        assert_eq!(
            super::rfc1123z(86_400_000 * 3 + 61_000),
            "Sun, 04 Jan 2026 00:01:01 +0000"
        );
    }
}

/// `date`'s default output in UTC: `Thu Jan  1 00:05:00 UTC 2026`.
pub fn unix_date(t: Millis) -> String {
    let s = rfc1123z(t); // "Thu, 01 Jan 2026 00:05:00 +0000"
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() < 5 {
        return s;
    }
    let day: u32 = parts[1].parse().unwrap_or(1);
    format!(
        "{} {} {day:>2} {} UTC {}",
        parts[0].trim_end_matches(','),
        parts[2],
        parts[4],
        parts[3]
    )
}
