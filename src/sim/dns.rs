//! The public DNS zone of the world, as a hosted zone (AWS Route53, Cloud DNS) is: records the
//! learner adds by hand (`sim dns add`) and records External-DNS publishes from a cluster. Every
//! cluster's CoreDNS forwards names outside `cluster.local` here, and the laptop resolves here.

/// The record types the zone holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordType {
    A,
    Cname,
    Txt,
}

impl RecordType {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Cname => "CNAME",
            RecordType::Txt => "TXT",
        }
    }

    pub fn parse(s: &str) -> Option<RecordType> {
        match s.to_ascii_uppercase().as_str() {
            "A" => Some(RecordType::A),
            "CNAME" => Some(RecordType::Cname),
            "TXT" => Some(RecordType::Txt),
            _ => None,
        }
    }
}

/// One record set: a name, a type and its values (several A addresses share one set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Lowercase, without the trailing dot; may start with `*.` (a wildcard).
    pub name: String,
    pub type_: RecordType,
    pub values: Vec<String>,
    pub ttl: u32,
    /// Who wrote it: `None` for the learner, `Some("external-dns (cluster NAME)")` otherwise.
    pub written_by: Option<String>,
}

/// The zone's default TTL (Route53's console default).
pub const DEFAULT_TTL: u32 = 300;

/// The hosted zone's own name, for messages (`sim dns list` shows it).
pub const ZONE_NOTE: &str = "public DNS zone (like a Route53 hosted zone; every name is public)";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PublicZone {
    records: Vec<Record>,
}

/// Check a DNS name as a hosted zone does: labels of 1 to 63 letters, digits and hyphens, not
/// starting or ending with a hyphen, at most 253 characters, at least two labels; an optional
/// leading `*` label. Returns the name lowercased without its trailing dot.
pub fn check_name(name: &str) -> Result<String, String> {
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if n.is_empty() {
        return Err("a DNS name is needed, e.g. app.example.com".into());
    }
    if n.len() > 253 {
        return Err(format!(
            "\"{name}\" is too long: a DNS name has at most 253 characters"
        ));
    }
    let labels: Vec<&str> = n.split('.').collect();
    if labels.len() < 2 {
        return Err(format!(
            "\"{name}\" is not a fully qualified name: public names have a domain, e.g. {n}.example.com"
        ));
    }
    for (i, l) in labels.iter().enumerate() {
        if i == 0 && *l == "*" {
            continue;
        }
        if l.is_empty() {
            return Err(format!("\"{name}\" has an empty label (two dots in a row)"));
        }
        if l.len() > 63 {
            return Err(format!(
                "\"{name}\": the label \"{l}\" is longer than 63 characters"
            ));
        }
        if !l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!(
                "\"{name}\": the label \"{l}\" may hold only letters, digits and hyphens"
            ));
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(format!(
                "\"{name}\": the label \"{l}\" may not start or end with a hyphen"
            ));
        }
    }
    if n.ends_with(".cluster.local") || n == "cluster.local" {
        return Err(format!(
            "\"{name}\" is inside cluster.local, which every cluster's own DNS answers; a public name needs a public domain"
        ));
    }
    Ok(n)
}

/// Whether a record name (possibly `*.zone`) covers `name`. A Route53 wildcard matches any
/// name below it, at any depth, that has no record of its own.
fn covers(record: &str, name: &str) -> bool {
    match record.strip_prefix("*.") {
        Some(base) => name.len() > base.len() + 1 && name.ends_with(&format!(".{base}")),
        None => record == name,
    }
}

impl PublicZone {
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// Add (or replace) a record set. Route53 allows no other record at a CNAME's name.
    pub fn upsert(&mut self, record: Record) -> Result<(), String> {
        let clash = self.records.iter().any(|r| {
            r.name == record.name
                && r.type_ != record.type_
                && (r.type_ == RecordType::Cname || record.type_ == RecordType::Cname)
                && !(r.type_ == RecordType::Txt || record.type_ == RecordType::Txt)
        });
        if clash {
            return Err(format!(
                "{} already has a record of another type: a CNAME must be the only record at its name",
                record.name
            ));
        }
        match self
            .records
            .iter_mut()
            .find(|r| r.name == record.name && r.type_ == record.type_)
        {
            Some(r) => *r = record,
            None => self.records.push(record),
        }
        crate::sim::sort::by(&mut self.records, |a, b| {
            (&a.name, a.type_).cmp(&(&b.name, b.type_))
        });
        Ok(())
    }

    /// Remove the record sets at `name` (of `type_`, or all types); how many went.
    pub fn remove(&mut self, name: &str, type_: Option<RecordType>) -> usize {
        let before = self.records.len();
        self.records
            .retain(|r| !(r.name == name && type_.is_none_or(|t| t == r.type_)));
        before - self.records.len()
    }

    pub fn get(&self, name: &str, type_: RecordType) -> Option<&Record> {
        self.records
            .iter()
            .find(|r| r.name == name && r.type_ == type_)
    }

    /// The record sets for exactly `name`, or else the closest wildcard that covers it.
    fn matching(&self, name: &str) -> Vec<&Record> {
        let exact: Vec<&Record> = self.records.iter().filter(|r| r.name == name).collect();
        if !exact.is_empty() {
            return exact;
        }
        let mut best: Option<&str> = None;
        for r in &self.records {
            if r.name.starts_with("*.")
                && covers(&r.name, name)
                && best.is_none_or(|b| r.name.len() > b.len())
            {
                best = Some(&r.name);
            }
        }
        match best {
            Some(b) => self.records.iter().filter(|r| r.name == b).collect(),
            None => Vec::new(),
        }
    }

    /// Resolve a name to addresses, following CNAMEs inside the zone (at most 8). None when the
    /// zone has no such name (NXDOMAIN); Some with no addresses when a CNAME leads outside.
    pub fn resolve(&self, name: &str) -> Option<(Vec<String>, Vec<String>)> {
        let mut current = name.trim_end_matches('.').to_ascii_lowercase();
        let mut cnames = Vec::new();
        for _ in 0..8 {
            let found = self.matching(&current);
            if found.is_empty() {
                return if cnames.is_empty() {
                    None
                } else {
                    Some((cnames, Vec::new()))
                };
            }
            if let Some(a) = found.iter().find(|r| r.type_ == RecordType::A) {
                return Some((cnames, a.values.clone()));
            }
            match found.iter().find(|r| r.type_ == RecordType::Cname) {
                Some(c) => {
                    let target = c.values.first().cloned().unwrap_or_default();
                    cnames.push(target.clone());
                    current = target;
                }
                // Only TXT at this name: it exists, with no address.
                None => return Some((cnames, Vec::new())),
            }
        }
        Some((cnames, Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: &str, ip: &str) -> Record {
        Record {
            name: name.into(),
            type_: RecordType::A,
            values: vec![ip.into()],
            ttl: DEFAULT_TTL,
            written_by: None,
        }
    }

    #[test]
    fn names_are_checked_as_a_hosted_zone_checks_them() {
        assert_eq!(
            check_name("App.Example.com.").as_deref(),
            Ok("app.example.com")
        );
        assert!(check_name("*.cluster2.example.com").is_ok());
        assert!(check_name("example").is_err());
        assert!(check_name("a..b.com").is_err());
        assert!(check_name("-a.b.com").is_err());
        assert!(check_name("a_b.example.com").is_err());
        assert!(check_name(&format!("{}.com", "a".repeat(64))).is_err());
        assert!(check_name("web.default.svc.cluster.local").is_err());
    }

    #[test]
    fn a_records_cnames_and_wildcards_resolve() {
        let mut z = PublicZone::default();
        z.upsert(a("ambassador.c2.example.com", "198.51.100.1"))
            .unwrap();
        z.upsert(Record {
            name: "api.example.com".into(),
            type_: RecordType::Cname,
            values: vec!["ambassador.c2.example.com".into()],
            ttl: 60,
            written_by: None,
        })
        .unwrap();
        z.upsert(a("*.apps.example.com", "203.0.113.7")).unwrap();
        assert_eq!(
            z.resolve("api.example.com"),
            Some((
                vec!["ambassador.c2.example.com".to_string()],
                vec!["198.51.100.1".to_string()]
            ))
        );
        assert_eq!(
            z.resolve("x.y.apps.example.com").map(|r| r.1),
            Some(vec!["203.0.113.7".to_string()])
        );
        assert_eq!(z.resolve("apps.example.com"), None);
        assert_eq!(z.resolve("nope.example.com"), None);
        // A CNAME cannot share its name with an A record.
        assert!(z.upsert(a("api.example.com", "1.2.3.4")).is_err());
        assert_eq!(z.remove("api.example.com", None), 1);
        assert!(z.upsert(a("api.example.com", "1.2.3.4")).is_ok());
    }

    #[test]
    fn a_cname_loop_ends() {
        let mut z = PublicZone::default();
        for (n, t) in [
            ("a.example.com", "b.example.com"),
            ("b.example.com", "a.example.com"),
        ] {
            z.upsert(Record {
                name: n.into(),
                type_: RecordType::Cname,
                values: vec![t.into()],
                ttl: 60,
                written_by: None,
            })
            .unwrap();
        }
        assert_eq!(z.resolve("a.example.com").map(|r| r.1), Some(Vec::new()));
    }
}
