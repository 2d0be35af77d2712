//! Resource quantities (`500m`, `1.5`, `64Mi`, `1G`) as numbers the scheduler can add up.

/// CPU in millicores: `500m` → 500, `1` → 1000, `0.5` → 500.
pub fn cpu_millis(q: &str) -> Option<u64> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m
            .parse::<f64>()
            .ok()
            .filter(|v| *v >= 0.0)
            .map(|v| v.ceil() as u64);
    }
    q.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| (v * 1000.0).ceil() as u64)
}

/// Memory in bytes: `64Mi`, `1G`, `128974848`, `129e6`.
pub fn bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("m", 1e-3),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
                .map(|v| (v * factor).ceil() as u64);
        }
    }
    q.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse() {
        assert_eq!(cpu_millis("500m"), Some(500));
        assert_eq!(cpu_millis("1"), Some(1000));
        assert_eq!(cpu_millis("0.25"), Some(250));
        assert_eq!(cpu_millis("x"), None);
        assert_eq!(bytes("64Mi"), Some(64 * 1024 * 1024));
        assert_eq!(bytes("1G"), Some(1_000_000_000));
        assert_eq!(bytes("129e6"), Some(129_000_000));
    }
}
