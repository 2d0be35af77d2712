//! Cron schedules (`*/5 * * * *`, `@hourly`), evaluated in UTC on the virtual clock.

use super::clock::{Millis, EPOCH_UNIX_SECS};

/// A parsed five-field schedule: minute, hour, day of month, month, day of week.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    fields: [Vec<bool>; 5],
    /// Both day fields restricted: a day matches if either does (cron's rule).
    dom_star: bool,
    dow_star: bool,
}

const RANGES: [(u32, u32); 5] = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 6)];
const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn value(s: &str, field: usize) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if field == 3 {
        if let Some(i) = MONTHS.iter().position(|m| *m == lower) {
            return Ok(i as u32 + 1);
        }
    }
    if field == 4 {
        if let Some(i) = DAYS.iter().position(|d| *d == lower) {
            return Ok(i as u32);
        }
    }
    let n: u32 = s.parse().map_err(|_| {
        format!("failed to parse int from {s}: strconv.Atoi: parsing \"{s}\": invalid syntax")
    })?;
    // Day of week 7 is Sunday too.
    Ok(if field == 4 && n == 7 { 0 } else { n })
}

fn parse_field(text: &str, field: usize) -> Result<Vec<bool>, String> {
    let (lo, hi) = RANGES[field];
    let mut set = vec![false; hi as usize + 1];
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (
                r,
                s.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or(format!("failed to parse int from {s}"))?,
            ),
            None => (part, 1),
        };
        let (a, b) = if range == "*" || range == "?" {
            (lo, hi)
        } else if let Some((a, b)) = range.split_once('-') {
            (value(a, field)?, value(b, field)?)
        } else {
            let v = value(range, field)?;
            (v, if part.contains('/') { hi } else { v })
        };
        if a < lo || b > hi || a > b {
            return Err(format!("end of range ({b}) above maximum ({hi}): {part}"));
        }
        let mut v = a;
        while v <= b {
            set[v as usize] = true;
            v += step;
        }
    }
    Ok(set)
}

impl Schedule {
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let t = text.trim();
        let expanded = match t {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let parts: Vec<&str> = expanded.split_whitespace().collect();
        if parts.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: {t}",
                parts.len()
            ));
        }
        let mut fields: [Vec<bool>; 5] = Default::default();
        for (i, p) in parts.iter().enumerate() {
            fields[i] = parse_field(p, i)?;
        }
        Ok(Schedule {
            fields,
            dom_star: parts[2] == "*" || parts[2] == "?",
            dow_star: parts[4] == "*" || parts[4] == "?",
        })
    }

    fn matches_minute(&self, unix_minute: u64) -> bool {
        let secs = unix_minute * 60;
        let days = secs / 86_400;
        let rem = secs % 86_400;
        let (minute, hour) = ((rem % 3600) / 60, rem / 3600);
        let (_, month, dom) = super::clock::civil(days as i64);
        let dow = ((days + 4) % 7) as usize; // 1970-01-01 was a Thursday
        let f = &self.fields;
        if !(f[0][minute as usize] && f[1][hour as usize] && f[3][month as usize]) {
            return false;
        }
        let dom_ok = f[2][dom as usize];
        let dow_ok = f[4][dow];
        match (self.dom_star, self.dow_star) {
            (true, true) => true,
            (true, false) => dow_ok,
            (false, true) => dom_ok,
            (false, false) => dom_ok || dow_ok,
        }
    }

    /// The first scheduled instant strictly after `after` (virtual time), within about 4 years.
    pub fn next_after(&self, after: Millis) -> Option<Millis> {
        let unix_ms = EPOCH_UNIX_SECS * 1000 + after;
        let first = unix_ms / 60_000 + 1;
        (first..first + 4 * 366 * 24 * 60)
            .find(|m| self.matches_minute(*m))
            .map(|m| (m * 60_000).saturating_sub(EPOCH_UNIX_SECS * 1000))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_fire_when_cron_says() {
        let every5 = Schedule::parse("*/5 * * * *").unwrap();
        assert_eq!(every5.next_after(0), Some(5 * 60_000));
        assert_eq!(every5.next_after(5 * 60_000), Some(10 * 60_000));
        let hourly = Schedule::parse("@hourly").unwrap();
        assert_eq!(hourly.next_after(1), Some(3_600_000));
        let minute = Schedule::parse("* * * * *").unwrap();
        assert_eq!(minute.next_after(30_000), Some(60_000));
        // 2026-01-01 is a Thursday: the next Monday 09:00 is 2026-01-05.
        let monday = Schedule::parse("0 9 * * mon").unwrap();
        assert_eq!(monday.next_after(0), Some((4 * 24 + 9) * 3_600_000));
        assert!(Schedule::parse("bad").is_err());
        assert!(Schedule::parse("61 * * * *").is_err());
        assert!(Schedule::parse("*/0 * * * *").is_err());
    }
}
