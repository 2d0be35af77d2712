//! The network tools a container runs, written against [`Network`]: `curl`, `wget`,
//! `nslookup`, `nc`, `telnet` and `ping`, each with the wording of the build the image ships.
//!
//! Which build speaks (see `rootfs.rs` for which image has which program):
//! - `curl` on Debian images (nginx's bookworm image): curl 7.88.1; on Alpine images: curl
//!   8.12.1. The two differ in `-v` (8.x prints `* Host web:80 was resolved.`, `* IPv4: …`,
//!   `* using HTTP/1.x`, `* Request completely sent off`; 7.88.1 tags `Connected to … (#0)`) and in
//!   a few messages (`Couldn't` became `Could not` late in 8.x).
//! - `wget`, `nslookup`, `nc`, `telnet`, `ping`: the BusyBox applets of busybox and alpine
//!   images. `nslookup` prints BusyBox's newer format (1.29 on: one reply per query, each
//!   search domain asked on its own, only for names without a dot) and the old format of
//!   busybox ≤ 1.28 (`Address 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local`), chosen by
//!   the image's tag. Error texts follow the image's C library: glibc for the busybox images,
//!   musl for alpine (`Operation timed out`, `Host is unreachable`).
//!
//! Deterministic: times in messages come from a fixed model (a lookup or a connect takes 1 ms,
//! 0 ms on loopback; an unanswered SYN gives up after the kernel's 127 s; a DNS server that does
//! not answer costs 40 s), never from a wall clock, and the virtual clock does not move during an
//! exec. Bounded: a response body is cut at [`BODY_LIMIT`], redirects stop at 50 (curl) or 5
//! (wget), `ping` sends at most [`PING_LIMIT`] packets, and all output is capped.
//!
//! Simplifications, said here once: IPv4 only (an `[::1]` URL says so); `/etc/hosts` lines with
//! IPv6 addresses are ignored, so `localhost` is 127.0.0.1 alone; TLS is not simulated (an https
//! URL is sent to the network as a request with scheme `https`; curl without `-k` or `--cacert`
//! fails as it does against a cluster's self-signed certificate; `-v` prints no handshake);
//! curl's progress meter is printed once, as it looks when the transfer is over (the real one
//! redraws itself with `\r`); HTTP headers are printed without their `\r`.

use crate::sim::fs::FsError;
use crate::sim::images::normalise;
use crate::sim::network::{ConnectError, HttpRequest, HttpResponse, LookupError, Network};
use crate::sim::rootfs::Family;

/// A response body is cut here (the rest is dropped, with a note).
pub const BODY_LIMIT: usize = 1 << 20;
/// `ping -c N` sends at most this many packets.
pub const PING_LIMIT: u64 = 1_000;
/// Output kept per tool run (the shell caps it again).
const OUT_LIMIT: usize = 4 << 20;
/// Headers of one response that are looked at or printed.
const HEADER_LIMIT: usize = 200;
/// How long the kernel tries to connect when no SYN-ACK comes (tcp_syn_retries = 6).
const SYN_TIMEOUT_MS: u64 = 127_000;
/// How long an unreachable address takes to say so (ARP gives up after 3 s).
const NO_ROUTE_MS: u64 = 3_001;
/// What a resolver spends on a DNS server that never answers (4 names, 2 tries, 5 s each).
const DNS_TIMEOUT_MS: u64 = 40_000;
/// Any timeout a user gives is capped here (a little over 31 years).
const MAX_MS: u64 = 1_000_000_000_000;

/// The programs this module runs.
pub const TOOLS: &[&str] = &["curl", "wget", "nslookup", "nc", "telnet", "ping"];

/// The files of the place the tool runs in (a container's filesystem through the shell).
/// Paths are as the user typed them; the implementation resolves them against the cwd.
pub trait Files {
    /// A file's text.
    fn read(&mut self, path: &str) -> Result<String, FsError>;
    /// Create or replace a file.
    fn write(&mut self, path: &str, text: &str) -> Result<(), FsError>;
    /// Whether something exists at `path`.
    fn exists(&mut self, path: &str) -> bool;
}

/// Where the tool runs.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub family: Family,
    /// The container's image reference (picks the BusyBox and curl builds).
    pub image: &'a str,
    /// The container's own IP (curl 8's `-v` names the local end of a failed connect).
    pub ip: &'a str,
    /// Whether stdout is a terminal (`kubectl exec -t`): curl prints no progress meter then.
    pub tty: bool,
}

/// Everything a tool run needs.
pub struct Ctx<'a> {
    pub net: &'a mut dyn Network,
    pub files: &'a mut dyn Files,
    pub place: Place<'a>,
    /// What the program reads on stdin, if anything.
    pub stdin: Option<String>,
}

/// What a run printed (stream 1 or 2, in order) and its exit code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ran {
    pub out: Vec<(u8, String)>,
    pub code: i32,
}

/// Whether `prog` is one of [`TOOLS`].
pub fn is_tool(prog: &str) -> bool {
    TOOLS.contains(&prog)
}

/// Run `prog` (one of [`TOOLS`]) with `args` (without argv\[0\]).
pub fn run(prog: &str, args: &[String], ctx: &mut Ctx) -> Ran {
    let mut out = Out::default();
    let code = match prog {
        "curl" => Curl::new(ctx, &mut out).main(args),
        "wget" => wget(ctx, &mut out, args),
        "nslookup" => nslookup(ctx, &mut out, args),
        "nc" => nc(ctx, &mut out, args),
        "telnet" => telnet(ctx, &mut out, args),
        "ping" => ping(ctx, &mut out, args),
        other => {
            out.err(&format!("{other}: not a network tool\n"));
            1
        }
    };
    Ran {
        out: out.parts,
        code,
    }
}

// ------------------------------------------------------------------ output

#[derive(Default)]
struct Out {
    parts: Vec<(u8, String)>,
    size: usize,
}

impl Out {
    fn push(&mut self, fd: u8, text: &str) {
        if text.is_empty() || self.size >= OUT_LIMIT {
            return;
        }
        let room = OUT_LIMIT - self.size;
        let text = cut(text, room);
        self.size += text.len();
        match self.parts.last_mut() {
            Some((f, t)) if *f == fd => t.push_str(text),
            _ => self.parts.push((fd, text.to_string())),
        }
    }
    fn out(&mut self, text: &str) {
        self.push(1, text);
    }
    fn err(&mut self, text: &str) {
        self.push(2, text);
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while end > 0 && !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

// ------------------------------------------------------------------ the place

/// The C library whose `strerror` the tool's messages use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Libc {
    Glibc,
    Musl,
}

fn libc(place: &Place) -> Libc {
    let (_, tag) = normalise(place.image);
    match place.family {
        Family::Alpine => Libc::Musl,
        _ if tag.contains("musl") => Libc::Musl,
        _ => Libc::Glibc,
    }
}

/// `strerror` of the errno behind a failed connect.
fn strerror(libc: Libc, e: ConnectError) -> &'static str {
    match (libc, e) {
        (_, ConnectError::Refused) => "Connection refused",
        (Libc::Glibc, ConnectError::TimedOut) => "Connection timed out",
        (Libc::Musl, ConnectError::TimedOut) => "Operation timed out",
        (Libc::Glibc, ConnectError::NoRoute) => "No route to host",
        (Libc::Musl, ConnectError::NoRoute) => "Host is unreachable",
        (_, ConnectError::Reset) => "Connection reset by peer",
    }
}

/// The BusyBox release of the image, e.g. `1.36.1`.
fn busybox_version(place: &Place) -> &'static str {
    let (repo, tag) = normalise(place.image);
    if repo == "registry.k8s.io/busybox" {
        return "1.24.2";
    }
    if repo != "busybox" {
        return "1.36.1";
    }
    let t = tag.split('-').next().unwrap_or("");
    match t {
        "1.24" => "1.24.2",
        "1.27.2" | "1.27" => "1.27.2",
        "1.28" => "1.28.4",
        "1.29" => "1.29.3",
        "1.31" => "1.31.1",
        "1.33" => "1.33.2",
        "1.34" => "1.34.1",
        "1.35" => "1.35.0",
        "1.37" => "1.37.0",
        _ => "1.36.1",
    }
}

/// `(major, minor)` of a BusyBox release.
fn busybox_minor(place: &Place) -> u32 {
    busybox_version(place)
        .split('.')
        .nth(1)
        .and_then(|m| m.parse().ok())
        .unwrap_or(36)
}

/// The first line of every BusyBox usage message. The build date is that of the official
/// image's build as far as known (UNVERIFIED for most tags).
fn busybox_banner(place: &Place) -> String {
    let v = busybox_version(place);
    let date = match v {
        "1.24.2" => "2016-03-18 16:38:06 UTC",
        "1.27.2" => "2017-10-02 22:38:04 UTC",
        "1.28.4" => "2018-05-22 17:00:17 UTC",
        "1.29.3" => "2018-09-24 17:31:55 UTC",
        "1.31.1" => "2019-12-23 19:20:27 UTC",
        "1.33.2" => "2021-12-29 18:20:00 UTC",
        "1.34.1" => "2022-02-11 17:09:46 UTC",
        "1.35.0" => "2022-01-13 18:21:42 UTC",
        "1.37.0" => "2024-09-26 21:31:42 UTC",
        _ => "2023-05-18 22:34:17 UTC",
    };
    format!("BusyBox v{v} ({date}) multi-call binary.\n")
}

fn busybox_usage(place: &Place, out: &mut Out, usage: &str) -> i32 {
    out.err(&busybox_banner(place));
    out.err("\n");
    out.err(usage);
    1
}

// ------------------------------------------------------------------ names and addresses

/// Whether `s` is a dotted-quad IPv4 address.
fn is_ipv4(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.")
}

/// The IPv4 address `/etc/hosts` gives `name`, as the C library's resolver looks there first.
fn hosts_file(files: &mut dyn Files, name: &str) -> Option<String> {
    let name = name.trim_end_matches('.');
    let text = files.read("/etc/hosts").ok()?;
    for line in text.lines().take(10_000) {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let Some(ip) = words.next() else { continue };
        if !is_ipv4(ip) {
            continue;
        }
        if words.any(|w| w.eq_ignore_ascii_case(name)) {
            return Some(ip.to_string());
        }
    }
    None
}

/// The addresses of `host` as `getaddrinfo` finds them: an address literal, `/etc/hosts`, then
/// DNS (the place's resolver, with its search path).
fn resolve(ctx: &mut Ctx, host: &str) -> Result<Vec<String>, LookupError> {
    if is_ipv4(host) {
        return Ok(vec![host.to_string()]);
    }
    if let Some(ip) = hosts_file(ctx.files, host) {
        return Ok(vec![ip]);
    }
    match ctx.net.lookup(host) {
        Ok(l) if !l.addresses.is_empty() => Ok(l
            .addresses
            .into_iter()
            .filter(|a| is_ipv4(a))
            .take(64)
            .collect()),
        Ok(l) => Err(LookupError::NxDomain {
            name: host.to_string(),
            tried: l.tried.into_iter().map(|(n, _)| n).collect(),
        }),
        Err(e) => Err(e),
    }
}

/// A small deterministic hash (local ports, ping times).
fn mix(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A port number as BusyBox's `bb_lookup_port` takes it (numbers only: the images have no
/// `/etc/services`).
fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Seconds as a decimal (`5`, `2.5`, `.5`) to milliseconds; None when it is not one.
fn parse_seconds(s: &str) -> Option<u64> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut ms: u64 = 0;
    for b in int.bytes().take(16) {
        ms = ms.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    if int.len() > 16 {
        ms = MAX_MS;
    }
    ms = ms.saturating_mul(1000);
    let mut scale = 100;
    for b in frac.bytes().take(3) {
        ms = ms.saturating_add(u64::from(b - b'0') * scale);
        scale /= 10;
    }
    Some(ms.min(MAX_MS))
}

/// Base64 (for `curl -u` and `wget http://user:pass@…`).
fn base64(s: &str) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let b = s.as_bytes();
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The header `name` of a response (case-insensitive), if any.
fn header<'r>(resp: &'r HttpResponse, name: &str) -> Option<&'r str> {
    resp.headers
        .iter()
        .take(HEADER_LIMIT)
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `HTTP/1.1 200 OK`.
fn status_line(resp: &HttpResponse) -> String {
    let version = if resp.version.is_empty() {
        "HTTP/1.1"
    } else {
        resp.version.as_str()
    };
    format!("{version} {} {}", resp.status, resp.reason)
        .trim_end()
        .to_string()
}

/// A body cut at [`BODY_LIMIT`], and whether it was cut.
fn capped_body(body: &str) -> (&str, bool) {
    let b = cut(body, BODY_LIMIT);
    (b, b.len() < body.len())
}

fn body_note(prog: &str) -> String {
    format!(
        "{prog}: Pocket Cluster kept the first {} MiB of the response body\n",
        BODY_LIMIT >> 20
    )
}

// ------------------------------------------------------------------ URLs (curl)

#[derive(Debug, Clone, PartialEq, Eq)]
struct Url {
    /// Lowercase: `http`, `https`, `file`, …
    scheme: String,
    /// `user:password` before the `@`.
    user: Option<String>,
    /// Lowercase host name or address.
    host: String,
    port: u16,
    /// The port as the URL wrote it (kept in `url_effective`).
    port_text: Option<String>,
    /// Path and query, starting with `/` (no fragment).
    path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum UrlErr {
    Malformed,
    NoHost,
    BadHostname,
    BadPort,
    /// A scheme curl does not know.
    Unknown(String),
    /// A scheme curl knows that Pocket Cluster does not simulate.
    NotSimulated(String),
    /// An IPv6 address literal.
    Ipv6(String),
}

const CURL_PROTOCOLS: &[&str] = &[
    "dict", "file", "ftp", "ftps", "gopher", "gophers", "http", "https", "imap", "imaps", "ldap",
    "ldaps", "mqtt", "pop3", "pop3s", "rtmp", "rtsp", "scp", "sftp", "smb", "smbs", "smtp",
    "smtps", "telnet", "tftp", "ws", "wss",
];

fn default_port(scheme: &str) -> u16 {
    match scheme {
        "https" | "wss" => 443,
        "ftp" => 21,
        "ftps" => 990,
        "sftp" | "scp" => 22,
        "telnet" => 23,
        "smtp" => 25,
        "gopher" => 70,
        "pop3" => 110,
        "imap" => 143,
        "ldap" => 389,
        "dict" => 2628,
        "tftp" => 69,
        _ => 80,
    }
}

/// Remove `.` and `..` segments as curl does (unless `--path-as-is`).
fn squash_dots(path: &str) -> String {
    let (p, query) = match path.find('?') {
        Some(i) => (&path[..i], &path[i..]),
        None => (path, ""),
    };
    let mut segs: Vec<&str> = Vec::new();
    let parts: Vec<&str> = p.split('/').skip(1).collect();
    let last = parts.len().saturating_sub(1);
    for (i, seg) in parts.iter().enumerate() {
        match *seg {
            "." => {
                if i == last {
                    segs.push("");
                }
            }
            ".." => {
                segs.pop();
                if i == last {
                    segs.push("");
                }
            }
            s => segs.push(s),
        }
    }
    format!("/{}{query}", segs.join("/"))
}

fn parse_url(text: &str, path_as_is: bool) -> Result<Url, UrlErr> {
    if text.is_empty() || text.len() > 64 * 1024 || text.chars().any(|c| c.is_control() || c == ' ')
    {
        return Err(UrlErr::Malformed);
    }
    let (scheme, rest) = match text.find("://") {
        Some(i) => {
            let s = text[..i].to_ascii_lowercase();
            let ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.');
            if !ok {
                return Err(UrlErr::Malformed);
            }
            (s, &text[i + 3..])
        }
        None => {
            // curl guesses the scheme from the host name's first label.
            let lower = text.to_ascii_lowercase();
            let guess = ["ftp", "dict", "ldap", "imap", "smtp", "pop3"]
                .into_iter()
                .find(|p| lower.starts_with(&format!("{p}.")))
                .unwrap_or("http");
            (guess.to_string(), text)
        }
    };
    if !CURL_PROTOCOLS.contains(&scheme.as_str()) {
        return Err(UrlErr::Unknown(scheme));
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if scheme == "file" {
        let path = tail.split('#').next().unwrap_or("");
        if path.is_empty() {
            return Err(UrlErr::Malformed);
        }
        return Ok(Url {
            scheme,
            user: None,
            host: String::new(),
            port: 0,
            port_text: None,
            path: path.to_string(),
        });
    }
    if !matches!(scheme.as_str(), "http" | "https") {
        return Err(UrlErr::NotSimulated(scheme));
    }
    let (user, hostport) = match authority.rfind('@') {
        Some(i) => (Some(authority[..i].to_string()), &authority[i + 1..]),
        None => (None, authority),
    };
    if hostport.starts_with('[') {
        let inner = hostport
            .strip_prefix('[')
            .and_then(|h| h.split(']').next())
            .unwrap_or("");
        return Err(UrlErr::Ipv6(inner.to_string()));
    }
    let (host, port_text) = match hostport.rfind(':') {
        Some(i) => (&hostport[..i], Some(&hostport[i + 1..])),
        None => (hostport, None),
    };
    if host.is_empty() {
        return Err(UrlErr::NoHost);
    }
    if !host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
    {
        return Err(UrlErr::BadHostname);
    }
    let port = match port_text {
        None | Some("") => default_port(&scheme),
        Some(p) => match p.parse::<u32>() {
            Ok(n) if n <= 65535 && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) => {
                n as u16
            }
            _ => return Err(UrlErr::BadPort),
        },
    };
    let mut path = tail.split('#').next().unwrap_or("").to_string();
    if path.is_empty() || path.starts_with('?') {
        path.insert(0, '/');
    }
    if !path_as_is {
        path = squash_dots(&path);
    }
    Ok(Url {
        scheme,
        user,
        host: host.to_ascii_lowercase(),
        port,
        port_text: port_text.filter(|p| !p.is_empty()).map(String::from),
        path,
    })
}

impl Url {
    /// What the `Host` header says: the port only when it is not the scheme's default.
    fn host_header(&self) -> String {
        if self.port == default_port(&self.scheme) {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
    /// The URL as curl reports it (`%{url_effective}`).
    fn text(&self) -> String {
        if self.scheme == "file" {
            return format!("file://{}", self.path);
        }
        let user = self
            .user
            .as_ref()
            .map(|u| format!("{u}@"))
            .unwrap_or_default();
        let port = self
            .port_text
            .as_ref()
            .map(|p| format!(":{p}"))
            .unwrap_or_default();
        format!("{}://{user}{}{port}{}", self.scheme, self.host, self.path)
    }
    /// Where a `Location` header points from here.
    fn join(&self, location: &str) -> String {
        let loc = location.trim();
        if loc.contains("://") {
            return loc.to_string();
        }
        if let Some(rest) = loc.strip_prefix("//") {
            return format!("{}://{rest}", self.scheme);
        }
        let base = format!(
            "{}://{}{}",
            self.scheme,
            self.host,
            self.port_text
                .as_ref()
                .map(|p| format!(":{p}"))
                .unwrap_or_default()
        );
        if loc.starts_with('/') {
            return format!("{base}{loc}");
        }
        let path = self.path.split('?').next().unwrap_or("/");
        let dir = match path.rfind('/') {
            Some(i) => &path[..=i],
            None => "/",
        };
        if let Some(q) = loc.strip_prefix('?') {
            return format!("{base}{path}?{q}");
        }
        format!("{base}{dir}{loc}")
    }
}

// ------------------------------------------------------------------ curl

/// The curl build of the place: 7.88.1 on Debian bookworm images, 8.12.1 on Alpine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CurlVer {
    V7,
    V8,
}

impl CurlVer {
    fn of(place: &Place) -> CurlVer {
        match place.family {
            Family::Debian => CurlVer::V7,
            _ => CurlVer::V8,
        }
    }
    fn number(self) -> &'static str {
        match self {
            CurlVer::V7 => "7.88.1",
            CurlVer::V8 => "8.12.1",
        }
    }
    /// `Couldn't` in 7.88.1; `Could not` in late 8.x (the change landed between 8.9, mid-2024,
    /// and early 2025: the exact release is UNVERIFIED).
    fn could_not(self) -> &'static str {
        match self {
            CurlVer::V7 => "Couldn't",
            CurlVer::V8 => "Could not",
        }
    }
    /// The `-v` line when a connection is closed (8.x no longer numbers it).
    fn closing(self, n: usize) -> String {
        match self {
            CurlVer::V7 => format!("* Closing connection {n}\n"),
            CurlVer::V8 => "* Closing connection\n".to_string(),
        }
    }
}

/// Where a transfer's output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Dest {
    Stdout,
    Stderr,
    Null,
    File(String),
}

fn dest_of(path: &str) -> Dest {
    match path {
        "-" | "/dev/stdout" => Dest::Stdout,
        "/dev/stderr" => Dest::Stderr,
        "/dev/null" => Dest::Null,
        p => Dest::File(p.to_string()),
    }
}

#[derive(Debug, Default)]
struct CurlOpts {
    urls: Vec<String>,
    outputs: Vec<String>,
    remote_names: usize,
    silent: bool,
    show_error: bool,
    verbose: bool,
    include: bool,
    head: bool,
    location: bool,
    fail: bool,
    fail_with_body: bool,
    insecure: bool,
    cacert: bool,
    no_meter: bool,
    path_as_is: bool,
    get: bool,
    ipv6_only: bool,
    method: Option<String>,
    headers: Vec<String>,
    data: Option<String>,
    json: bool,
    max_time: Option<u64>,
    connect_timeout: Option<u64>,
    write_out: Option<String>,
    user: Option<String>,
    user_agent: Option<String>,
    referer: Option<String>,
    max_redirs: Option<i64>,
    resolve: Vec<(String, u16, String)>,
    dump_header: Option<String>,
    show_version: bool,
    show_help: bool,
}

/// One curl option: short letter (if any), long name, whether it takes an argument, whether
/// Pocket Cluster simulates it.
struct Opt {
    short: Option<char>,
    long: &'static str,
    arg: bool,
    simulated: bool,
}

const fn opt(short: Option<char>, long: &'static str, arg: bool, simulated: bool) -> Opt {
    Opt {
        short,
        long,
        arg,
        simulated,
    }
}

const CURL_OPTS: &[Opt] = &[
    opt(Some('s'), "silent", false, true),
    opt(Some('S'), "show-error", false, true),
    opt(Some('v'), "verbose", false, true),
    opt(Some('i'), "include", false, true),
    opt(Some('I'), "head", false, true),
    opt(Some('L'), "location", false, true),
    opt(Some('f'), "fail", false, true),
    opt(Some('k'), "insecure", false, true),
    opt(Some('4'), "ipv4", false, true),
    opt(Some('6'), "ipv6", false, true),
    opt(Some('N'), "no-buffer", false, true),
    opt(Some('g'), "globoff", false, true),
    opt(Some('O'), "remote-name", false, true),
    opt(Some('G'), "get", false, true),
    opt(Some('V'), "version", false, true),
    opt(Some('h'), "help", false, true),
    opt(Some('#'), "progress-bar", false, true),
    opt(Some('q'), "disable", false, true),
    opt(Some('o'), "output", true, true),
    opt(Some('X'), "request", true, true),
    opt(Some('H'), "header", true, true),
    opt(Some('d'), "data", true, true),
    opt(Some('m'), "max-time", true, true),
    opt(Some('w'), "write-out", true, true),
    opt(Some('u'), "user", true, true),
    opt(Some('A'), "user-agent", true, true),
    opt(Some('e'), "referer", true, true),
    opt(Some('D'), "dump-header", true, true),
    opt(Some('Y'), "speed-limit", true, true),
    opt(Some('y'), "speed-time", true, true),
    opt(None, "data-ascii", true, true),
    opt(None, "data-raw", true, true),
    opt(None, "data-binary", true, true),
    opt(None, "data-urlencode", true, true),
    opt(None, "json", true, true),
    opt(None, "connect-timeout", true, true),
    opt(None, "max-redirs", true, true),
    opt(None, "resolve", true, true),
    opt(None, "cacert", true, true),
    opt(None, "capath", true, true),
    opt(None, "retry", true, true),
    opt(None, "retry-delay", true, true),
    opt(None, "retry-max-time", true, true),
    opt(None, "limit-rate", true, true),
    opt(None, "noproxy", true, true),
    opt(None, "url", true, true),
    opt(None, "compressed", false, true),
    opt(None, "no-progress-meter", false, true),
    opt(None, "fail-with-body", false, true),
    opt(None, "path-as-is", false, true),
    opt(None, "http1.1", false, true),
    opt(None, "no-keepalive", false, true),
    opt(None, "tcp-nodelay", false, true),
    opt(None, "location-trusted", false, true),
    opt(None, "post301", false, true),
    opt(None, "post302", false, true),
    opt(None, "post303", false, true),
    opt(None, "raw", false, true),
    opt(None, "ssl-no-revoke", false, true),
    opt(None, "no-sessionid", false, true),
    opt(None, "retry-connrefused", false, true),
    opt(None, "retry-all-errors", false, true),
    // Real options the simulator does not model.
    opt(Some('F'), "form", true, false),
    opt(Some('T'), "upload-file", true, false),
    opt(Some('x'), "proxy", true, false),
    opt(Some('b'), "cookie", true, false),
    opt(Some('c'), "cookie-jar", true, false),
    opt(Some('r'), "range", true, false),
    opt(Some('C'), "continue-at", true, false),
    opt(Some('E'), "cert", true, false),
    opt(Some('K'), "config", true, false),
    opt(Some('z'), "time-cond", true, false),
    opt(Some('U'), "proxy-user", true, false),
    opt(Some('t'), "telnet-option", true, false),
    opt(Some('P'), "ftp-port", true, false),
    opt(Some('Q'), "quote", true, false),
    opt(Some('a'), "append", false, false),
    opt(Some('B'), "use-ascii", false, false),
    opt(Some('j'), "junk-session-cookies", false, false),
    opt(Some('J'), "remote-header-name", false, false),
    opt(Some('l'), "list-only", false, false),
    opt(Some('M'), "manual", false, false),
    opt(Some('n'), "netrc", false, false),
    opt(Some('p'), "proxytunnel", false, false),
    opt(Some('R'), "remote-time", false, false),
    opt(Some('Z'), "parallel", false, false),
    opt(Some('0'), "http1.0", false, false),
    opt(Some('1'), "tlsv1", false, false),
    opt(Some('2'), "sslv2", false, false),
    opt(Some('3'), "sslv3", false, false),
    opt(None, "http2", false, false),
    opt(None, "http2-prior-knowledge", false, false),
    opt(None, "http3", false, false),
    opt(None, "unix-socket", true, false),
    opt(None, "key", true, false),
    opt(None, "form-string", true, false),
    opt(None, "interface", true, false),
    opt(None, "local-port", true, false),
    opt(None, "trace", true, false),
    opt(None, "trace-ascii", true, false),
    opt(None, "stderr", true, false),
    opt(None, "connect-to", true, false),
    opt(None, "socks5", true, false),
    opt(None, "libcurl", true, false),
];

const CURL_TRY: &str = "curl: try 'curl --help' or 'curl --manual' for more information\n";

const CURL_HELP: &str = "Usage: curl [options...] <url>
 -d, --data <data>          HTTP POST data
 -f, --fail                 Fail fast with no output on HTTP errors
 -h, --help <category>      Get help for commands
 -i, --include              Include protocol response headers in the output
 -o, --output <file>        Write to file instead of stdout
 -O, --remote-name          Write output to a file named as the remote file
 -s, --silent               Silent mode
 -T, --upload-file <file>   Transfer local FILE to destination
 -u, --user <user:password> Server user and password
 -A, --user-agent <name>    Send User-Agent <name> to server
 -v, --verbose              Make the operation more talkative
 -V, --version              Show version number and quit

This is not the full help, this menu is stripped into categories.
Use \"--help category\" to get an overview of all categories.
For all options use the manual or \"--help all\".
";

/// What `-w` can report of one transfer.
#[derive(Debug, Default, Clone)]
struct Xfer {
    url: String,
    url_effective: String,
    http_code: u16,
    remote_ip: String,
    remote_port: u16,
    redirects: usize,
    redirect_url: String,
    size_download: usize,
    size_upload: usize,
    size_header: usize,
    content_type: String,
    method: String,
    ms: u64,
    exitcode: i32,
    errormsg: String,
    headers: Vec<(String, String)>,
}

/// An open connection: its number is its index.
#[derive(Debug, Clone)]
struct Conn {
    host: String,
    port: u16,
    ip: String,
    open: bool,
}

/// What came back on a connection.
enum Got {
    Resp(HttpResponse),
    /// Connected, then closed without a byte.
    Empty,
    /// Connected; the certificate did not verify (no `-k`).
    BadCert,
}

struct Curl<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    out: &'c mut Out,
    ver: CurlVer,
    o: CurlOpts,
    /// What goes to stdout when curl exits (stdout is a pipe: block-buffered).
    stdout: String,
    conns: Vec<Conn>,
}

/// The `%` columns of curl's progress meter: at most five characters.
fn max5(b: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = K * K;
    if b < 100_000 {
        format!("{b:>5}")
    } else if b < 10_000 * K {
        format!("{:>4}k", b / K)
    } else if b < 100 * M {
        format!("{:>2}.{}M", b / M, (b % M) / (M / 10))
    } else if b < 10_000 * M {
        format!("{:>4}M", b / M)
    } else {
        format!("{:>4}G", b / (M * K))
    }
}

const METER_HEAD: &str =
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current
                                 Dload  Upload   Total   Spent    Left  Speed
";

/// The meter's last line: `received` of `total` bytes down, `sent` up, in `ms`.
fn meter_line(total: u64, received: u64, sent: u64, ms: u64) -> String {
    let pct = |a: u64, b: u64| a.saturating_mul(100).checked_div(b).unwrap_or(0);
    let all = total.saturating_add(sent);
    let ms = ms.max(1);
    let dl = received.saturating_mul(1000) / ms;
    let ul = sent.saturating_mul(1000) / ms;
    format!(
        "{:>3} {}  {:>3} {}  {:>3} {}  {}  {} --:--:-- --:--:-- --:--:-- {}\n",
        pct(received.saturating_add(sent), all),
        max5(all),
        pct(received, total),
        max5(received),
        pct(sent, sent),
        max5(sent),
        max5(dl),
        max5(ul),
        max5(dl)
    )
}

impl<'c, 'a> Curl<'c, 'a> {
    fn new(ctx: &'c mut Ctx<'a>, out: &'c mut Out) -> Curl<'c, 'a> {
        let ver = CurlVer::of(&ctx.place);
        Curl {
            ctx,
            out,
            ver,
            o: CurlOpts::default(),
            stdout: String::new(),
            conns: Vec::new(),
        }
    }

    fn main(&mut self, args: &[String]) -> i32 {
        if args.is_empty() {
            self.out.err(CURL_TRY);
            return 2;
        }
        if let Err(code) = self.parse(args) {
            return code;
        }
        if self.o.show_help {
            self.out.out(CURL_HELP);
            return 0;
        }
        if self.o.show_version {
            let v = self.version_text();
            self.out.out(&v);
            return 0;
        }
        if self.o.urls.is_empty() {
            self.out.err("curl: no URL specified!\n");
            self.out.err(CURL_TRY);
            return 2;
        }
        let urls = std::mem::take(&mut self.o.urls);
        let mut code = 0;
        for (i, u) in urls.iter().enumerate().take(64) {
            let dest = match self.o.outputs.get(i) {
                Some(p) => dest_of(p),
                None if i < self.o.remote_names => {
                    let name = parse_url(u, true)
                        .map(|u| {
                            let p = u.path.split('?').next().unwrap_or("").to_string();
                            p.rsplit('/').next().unwrap_or("").to_string()
                        })
                        .unwrap_or_default();
                    if name.is_empty() {
                        self.out.err("curl: Remote file name has no length!\n");
                        self.out.err(CURL_TRY);
                        code = 23;
                        continue;
                    }
                    Dest::File(name)
                }
                None => Dest::Stdout,
            };
            code = self.transfer(u, dest);
        }
        let stdout = std::mem::take(&mut self.stdout);
        self.out.out(&stdout);
        code
    }

    fn version_text(&self) -> String {
        match self.ver {
            CurlVer::V7 => "curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1 OpenSSL/3.0.15 zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libidn2/2.3.3 libpsl/0.21.2 (+libidn2/2.3.3) libssh2/1.10.0 nghttp2/1.52.0 librtmp/2.3 OpenLDAP/2.5.13
Release-Date: 2023-02-20, security patched: 7.88.1-10+deb12u8
Protocols: dict file ftp ftps gopher gophers http https imap imaps ldap ldaps mqtt pop3 pop3s rtmp rtsp scp sftp smb smbs smtp smtps telnet tftp
Features: alt-svc AsynchDNS brotli GSS-API HSTS HTTP2 HTTPS-proxy IDN IPv6 Kerberos Largefile libz NTLM NTLM_WB PSL SPNEGO SSL threadsafe TLS-SRP UnixSockets zstd
".into(),
            CurlVer::V8 => "curl 8.12.1 (x86_64-alpine-linux-musl) libcurl/8.12.1 OpenSSL/3.3.3 zlib/1.3.1 brotli/1.1.0 zstd/1.5.6 c-ares/1.34.5 libidn2/2.3.7 libpsl/0.21.5 nghttp2/1.64.0
Release-Date: 2025-02-13
Protocols: dict file ftp ftps gopher gophers http https imap imaps ipfs ipns mqtt pop3 pop3s rtsp smb smbs smtp smtps telnet tftp ws wss
Features: alt-svc AsynchDNS brotli HSTS HTTP2 HTTPS-proxy IDN IPv6 Largefile libz NTLM PSL SSL threadsafe TLS-SRP UnixSockets zstd
".into(),
        }
    }

    // ---------------------------------------------------------- options

    fn usage_error(&mut self, msg: &str) -> i32 {
        self.out.err(&format!("curl: {msg}\n"));
        self.out.err(CURL_TRY);
        2
    }

    fn parse(&mut self, args: &[String]) -> Result<(), i32> {
        let mut i = 0;
        let mut only_urls = false;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if only_urls || !a.starts_with('-') || a == "-" {
                self.o.urls.push(a.clone());
                continue;
            }
            if a == "--" {
                only_urls = true;
                continue;
            }
            if let Some(long) = a.strip_prefix("--") {
                let Some(spec) = CURL_OPTS.iter().find(|o| o.long == long) else {
                    return Err(self.usage_error(&format!("option {a}: is unknown")));
                };
                let value = if spec.arg {
                    match args.get(i) {
                        Some(v) => {
                            i += 1;
                            Some(v.as_str())
                        }
                        None => {
                            return Err(self.usage_error(&format!("option {a}: requires parameter")))
                        }
                    }
                } else {
                    None
                };
                self.apply(spec, a, value)?;
                continue;
            }
            let letters: Vec<char> = a.chars().skip(1).collect();
            let mut j = 0;
            while j < letters.len() {
                let c = letters[j];
                j += 1;
                let Some(spec) = CURL_OPTS.iter().find(|o| o.short == Some(c)) else {
                    return Err(self.usage_error(&format!("option -{c}: is unknown")));
                };
                let shown = format!("-{c}");
                if spec.arg {
                    let rest: String = letters[j..].iter().collect();
                    let value = if !rest.is_empty() {
                        rest
                    } else {
                        match args.get(i) {
                            Some(v) => {
                                i += 1;
                                v.clone()
                            }
                            None => {
                                return Err(self
                                    .usage_error(&format!("option {shown}: requires parameter")))
                            }
                        }
                    };
                    self.apply(spec, &shown, Some(&value))?;
                    break;
                }
                self.apply(spec, &shown, None)?;
            }
        }
        if self.o.json {
            for h in ["Content-Type: application/json", "Accept: application/json"] {
                let name = h.split(':').next().unwrap_or("");
                if !self.o.headers.iter().any(|x| {
                    x.split([':', ';'])
                        .next()
                        .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
                }) {
                    self.o.headers.push(h.to_string());
                }
            }
        }
        Ok(())
    }

    fn number(&mut self, shown: &str, v: &str) -> Result<u64, i32> {
        parse_seconds(v).ok_or_else(|| {
            self.usage_error(&format!(
                "option {shown}: expected a proper numerical parameter"
            ))
        })
    }

    /// Text for `-d @FILE` (`@-`: stdin).
    fn read_data(&mut self, spec: &str) -> String {
        let got = if spec == "-" {
            Ok(self.ctx.stdin.take().unwrap_or_default())
        } else {
            self.ctx.files.read(spec)
        };
        match got {
            Ok(t) => cut(&t, BODY_LIMIT).to_string(),
            Err(_) => {
                if !self.o.silent {
                    self.out.err(&format!(
                        "Warning: Couldn't read data from file \"{spec}\", this makes an empty \nWarning: POST.\n"
                    ));
                }
                String::new()
            }
        }
    }

    fn add_data(&mut self, piece: String) {
        let piece = cut(&piece, BODY_LIMIT).to_string();
        match &mut self.o.data {
            Some(d) => {
                if d.len() + piece.len() < BODY_LIMIT {
                    d.push('&');
                    d.push_str(&piece);
                }
            }
            None => self.o.data = Some(piece),
        }
    }

    fn apply(&mut self, spec: &Opt, shown: &str, value: Option<&str>) -> Result<(), i32> {
        if !spec.simulated {
            self.out.err(&format!(
                "curl: option {shown} (--{}) is not simulated by Pocket Cluster yet\n",
                spec.long
            ));
            return Err(2);
        }
        let v = value.unwrap_or("");
        match spec.long {
            "silent" => self.o.silent = true,
            "show-error" => self.o.show_error = true,
            "verbose" => self.o.verbose = true,
            "include" => self.o.include = true,
            "head" => self.o.head = true,
            "location" | "location-trusted" => self.o.location = true,
            "fail" => self.o.fail = true,
            "fail-with-body" => {
                self.o.fail = true;
                self.o.fail_with_body = true;
            }
            "insecure" => self.o.insecure = true,
            "ipv6" => self.o.ipv6_only = true,
            "remote-name" => self.o.remote_names += 1,
            "get" => self.o.get = true,
            "version" => self.o.show_version = true,
            "help" => self.o.show_help = true,
            "no-progress-meter" => self.o.no_meter = true,
            "path-as-is" => self.o.path_as_is = true,
            "output" if self.o.outputs.len() < 64 => self.o.outputs.push(v.to_string()),
            "request" => self.o.method = Some(v.to_string()),
            "header" if self.o.headers.len() < HEADER_LIMIT => {
                self.o.headers.push(cut(v, 8192).to_string())
            }
            "data" | "data-ascii" => {
                let piece = match v.strip_prefix('@') {
                    Some(f) => self.read_data(f).replace(['\r', '\n'], ""),
                    None => v.to_string(),
                };
                self.add_data(piece);
            }
            "data-binary" | "json" => {
                let piece = match v.strip_prefix('@') {
                    Some(f) => self.read_data(f),
                    None => v.to_string(),
                };
                self.add_data(piece);
                if spec.long == "json" {
                    self.o.json = true;
                }
            }
            "data-raw" => self.add_data(v.to_string()),
            "data-urlencode" => {
                let piece = match v.split_once('=') {
                    Some(("", content)) => percent_encode(content),
                    Some((name, content)) => format!("{name}={}", percent_encode(content)),
                    None => match v.strip_prefix('@') {
                        Some(f) => {
                            let t = self.read_data(f);
                            percent_encode(&t)
                        }
                        None => percent_encode(v),
                    },
                };
                self.add_data(piece);
            }
            "max-time" => self.o.max_time = Some(self.number(shown, v)?),
            "connect-timeout" => self.o.connect_timeout = Some(self.number(shown, v)?),
            "write-out" => {
                let text = match v.strip_prefix('@') {
                    Some(f) => self.read_data(f),
                    None => v.to_string(),
                };
                self.o.write_out = Some(cut(&text, 64 * 1024).to_string());
            }
            "user" => self.o.user = Some(v.to_string()),
            "user-agent" => self.o.user_agent = Some(v.to_string()),
            "referer" => self.o.referer = Some(v.to_string()),
            "max-redirs" => match v.parse::<i64>() {
                Ok(n) => self.o.max_redirs = Some(n),
                Err(_) => {
                    return Err(self.usage_error(&format!(
                        "option {shown}: expected a proper numerical parameter"
                    )))
                }
            },
            "resolve" => {
                let mut parts = v.splitn(3, ':');
                let (h, p, ip) = (parts.next(), parts.next(), parts.next());
                match (h, p.and_then(parse_port), ip) {
                    (Some(h), Some(p), Some(ip)) if is_ipv4(ip) && self.o.resolve.len() < 64 => {
                        self.o
                            .resolve
                            .push((h.to_ascii_lowercase(), p, ip.to_string()))
                    }
                    _ => self
                        .out
                        .err(&format!("Couldn't parse CURLOPT_RESOLVE entry '{v}'\n")),
                }
            }
            "cacert" | "capath" => self.o.cacert = true,
            "dump-header" => self.o.dump_header = Some(v.to_string()),
            "url" => self.o.urls.push(v.to_string()),
            // Accepted, and nothing to simulate.
            _ => {}
        }
        Ok(())
    }
}

impl Curl<'_, '_> {
    // ---------------------------------------------------------- one URL

    /// The smaller of `--connect-timeout` and `--max-time`: curl's own limit on connecting.
    fn connect_limit(&self) -> Option<u64> {
        match (self.o.connect_timeout, self.o.max_time) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn meter_on(&self, dest: &Dest) -> bool {
        !self.o.silent && !self.o.no_meter && (!self.ctx.place.tty || *dest != Dest::Stdout)
    }

    fn verbose(&mut self, line: &str) {
        if self.o.verbose {
            self.out.err(line);
        }
    }

    /// The end of a failed transfer: `-v`'s lines, the meter's last line, `curl: (N) …`.
    fn failed(
        &mut self,
        code: i32,
        msg: &str,
        conn: Option<usize>,
        meter: bool,
        x: &mut Xfer,
    ) -> i32 {
        self.verbose(&format!("* {msg}\n"));
        if let Some(n) = conn {
            let line = self.ver.closing(n);
            self.verbose(&line);
            if let Some(c) = self.conns.get_mut(n) {
                c.open = false;
            }
        }
        if meter {
            self.out.err(&meter_line(0, 0, 0, 0));
        }
        if !self.o.silent || self.o.show_error {
            self.out.err(&format!("curl: ({code}) {msg}\n"));
        }
        x.errormsg = msg.to_string();
        code
    }

    fn url_error(&mut self, e: UrlErr, x: &mut Xfer) -> i32 {
        let (code, msg) = match (&e, self.ver) {
            (UrlErr::Unknown(s), CurlVer::V7) => (
                1,
                format!("Protocol \"{s}\" not supported or disabled in libcurl"),
            ),
            (UrlErr::Unknown(s), CurlVer::V8) => (1, format!("Protocol \"{s}\" not supported")),
            (UrlErr::NotSimulated(s), _) => {
                self.out.err(&format!(
                    "curl: Pocket Cluster simulates http://, https:// and file:// URLs, not {s}://\n"
                ));
                x.errormsg = format!("{s} is not simulated");
                return 1;
            }
            (UrlErr::Ipv6(a), _) => {
                self.out.err(&format!(
                    "curl: Pocket Cluster's network is IPv4 only: it cannot reach [{a}]\n"
                ));
                x.errormsg = "IPv6 is not simulated".into();
                return 7;
            }
            (_, CurlVer::V7) => (3, "URL using bad/illegal format or missing URL".to_string()),
            (UrlErr::NoHost, CurlVer::V8) => (3, "URL rejected: No host part in the URL".into()),
            (UrlErr::BadHostname, CurlVer::V8) => (3, "URL rejected: Bad hostname".into()),
            (UrlErr::BadPort, CurlVer::V8) => (
                3,
                "URL rejected: Port number was not a decimal number between 0 and 65535".into(),
            ),
            (UrlErr::Malformed, CurlVer::V8) => {
                (3, "URL rejected: Malformed input to a URL function".into())
            }
        };
        if !self.o.silent || self.o.show_error {
            self.out.err(&format!("curl: ({code}) {msg}\n"));
        }
        x.errormsg = msg;
        code
    }

    fn transfer(&mut self, text: &str, dest: Dest) -> i32 {
        let mut x = Xfer {
            url: text.to_string(),
            url_effective: text.to_string(),
            ..Xfer::default()
        };
        let mut content = String::new();
        let mut dumped = String::new();
        let code = self.transfer_inner(text, &dest, &mut x, &mut content, &mut dumped);
        x.exitcode = code;
        let mut code = code;
        if let Some(path) = self.o.dump_header.clone() {
            match dest_of(&path) {
                Dest::Stdout => self.put_stdout(&dumped),
                Dest::Stderr => self.out.err(&dumped),
                Dest::Null => {}
                Dest::File(p) => {
                    let _ = self.ctx.files.write(&p, &dumped);
                }
            }
        }
        match &dest {
            Dest::Stdout => {
                if !self.ctx.place.tty {
                    self.stdout.push_str(&content);
                }
            }
            Dest::Stderr => self.out.err(&content),
            Dest::Null => {}
            Dest::File(p) => {
                // curl creates the file when the first byte arrives: a failed connect makes none.
                if !content.is_empty() || code == 0 {
                    if let Err(e) = self.ctx.files.write(p, &content) {
                        if !self.o.silent {
                            self.out.err(&format!(
                                "Warning: Failed to open the file {p}: {}\n",
                                e.text()
                            ));
                        }
                        if !self.o.silent || self.o.show_error {
                            self.out
                                .err("curl: (23) Failure writing output to destination\n");
                        }
                        code = 23;
                        x.exitcode = 23;
                    }
                }
            }
        }
        if let Some(fmt) = self.o.write_out.clone() {
            for (fd, t) in self.write_out(&fmt, &x) {
                if fd == 1 {
                    self.put_stdout(&t);
                } else {
                    self.out.err(&t);
                }
            }
        }
        code
    }

    fn put_stdout(&mut self, t: &str) {
        if self.ctx.place.tty {
            self.out.out(t);
        } else if self.stdout.len() < OUT_LIMIT {
            self.stdout.push_str(cut(t, OUT_LIMIT - self.stdout.len()));
        }
    }

    fn transfer_inner(
        &mut self,
        text: &str,
        dest: &Dest,
        x: &mut Xfer,
        content: &mut String,
        dumped: &mut String,
    ) -> i32 {
        let mut url = match parse_url(text, self.o.path_as_is) {
            Ok(u) => u,
            Err(e) => return self.url_error(e, x),
        };
        let meter = self.meter_on(dest);
        if meter {
            self.out.err(METER_HEAD);
        }
        if url.scheme == "file" {
            return self.file_url(&url, meter, x, content);
        }
        let mut body = self.o.data.clone();
        if self.o.get {
            if let Some(d) = body.take() {
                let sep = if url.path.contains('?') { '&' } else { '?' };
                url.path = format!("{}{sep}{d}", url.path);
            }
        }
        let mut method = match (&self.o.method, self.o.head, &body) {
            (Some(m), _, _) => m.clone(),
            (None, true, _) => "HEAD".into(),
            (None, false, Some(_)) => "POST".into(),
            _ => "GET".into(),
        };
        let limit = match self.o.max_redirs {
            Some(n) if n >= 0 => (n as u64).min(50) as usize,
            _ => 50,
        };
        if self.o.verbose {
            let inferred = match (self.o.head, &body) {
                (true, _) => "HEAD",
                (false, Some(_)) => "POST",
                _ => "GET",
            };
            if self.o.method.as_deref() == Some(inferred) {
                self.out.err(&format!(
                    "Note: Unnecessary use of -X or --request, {inferred} is already inferred.\n"
                ));
            }
        }
        for (h, p, ip) in self.o.resolve.clone() {
            self.verbose(&format!("* Added {h}:{p}:{ip} to DNS cache\n"));
        }
        loop {
            x.url_effective = url.text();
            x.method = method.clone();
            let (conn, ip, reused) = match self.connection(&url, meter, x) {
                Ok(c) => c,
                Err(code) => return code,
            };
            x.remote_ip = ip.clone();
            x.remote_port = url.port;
            let mut request = self.request(&url, &method, body.as_deref());
            request.ip = ip.clone();
            // One connection per request: an https request that will be sent travels once
            // (its TLS handshake rides the same path); only a certificate curl will refuse
            // stops after the connect.
            let got = if url.scheme == "https" && !self.o.insecure && !self.o.cacert {
                self.ctx
                    .net
                    .tcp_connect(&ip, url.port)
                    .map(|()| Got::BadCert)
            } else {
                self.send(&request)
            };
            let got = match got {
                Ok(g) => g,
                Err(e) => return self.connect_failed(&url, &ip, conn, e, meter, x),
            };
            self.connected(&url, &ip, conn, reused);
            if let Got::BadCert = got {
                let code = self.failed(
                    60,
                    "SSL certificate problem: unable to get local issuer certificate",
                    Some(conn),
                    meter,
                    x,
                );
                if !self.o.silent || self.o.show_error {
                    self.out.err("More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.\n");
                }
                return code;
            }
            self.request_lines(&request);
            let resp = match got {
                Got::Resp(r) => r,
                _ => return self.failed(52, "Empty reply from server", Some(conn), meter, x),
            };
            x.ms = x.ms.saturating_add(if is_loopback(&ip) { 1 } else { 2 });
            x.http_code = resp.status;
            x.content_type = header(&resp, "Content-Type").unwrap_or("").to_string();
            x.headers = resp.headers.iter().take(HEADER_LIMIT).cloned().collect();
            let mut head_text = format!("{}\n", status_line(&resp));
            for (k, v) in resp.headers.iter().take(HEADER_LIMIT) {
                head_text.push_str(&format!("{k}: {v}\n"));
            }
            head_text.push('\n');
            x.size_header = x.size_header.saturating_add(head_text.len());
            let location = header(&resp, "Location").map(str::to_string);
            let redirect = (300..400).contains(&resp.status) && location.is_some();
            if redirect {
                x.redirect_url = url.join(location.as_deref().unwrap_or(""));
            }
            let follow = redirect && self.o.location;
            if self.o.verbose {
                for line in head_text.lines() {
                    if line.is_empty() && follow && method != "HEAD" {
                        // Said while reading the headers, before the blank line.
                        self.out.err("* Ignoring the response-body\n");
                        if self.ver == CurlVer::V8 {
                            self.out.err("* setting size while ignoring\n");
                        }
                    }
                    self.out.err(&format!("< {line}\n"));
                }
            }
            if self.o.fail && resp.status >= 400 && !self.o.fail_with_body {
                return self.failed(
                    22,
                    &format!("The requested URL returned error: {}", resp.status),
                    Some(conn),
                    meter,
                    x,
                );
            }
            if self.o.include || self.o.head {
                content.push_str(&head_text);
            }
            dumped.push_str(&head_text);
            let keep = !header(&resp, "Connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                && !resp.version.eq_ignore_ascii_case("HTTP/1.0");
            if follow {
                if x.redirects >= limit {
                    return self.failed(
                        47,
                        &format!("Maximum ({limit}) redirects followed"),
                        Some(conn),
                        meter,
                        x,
                    );
                }
                self.release(conn, &url, keep);
                let next = x.redirect_url.clone();
                self.verbose(&format!("* Issue another request to this URL: '{next}'\n"));
                url = match parse_url(&next, self.o.path_as_is) {
                    Ok(u) => u,
                    Err(e) => return self.url_error(e, x),
                };
                if self.o.method.is_none()
                    && (matches!(resp.status, 301..=303) && method == "POST"
                        || resp.status == 303 && method != "HEAD")
                {
                    if method == "POST" {
                        self.verbose("* Switch from POST to GET\n");
                    }
                    method = "GET".into();
                    body = None;
                }
                x.redirects += 1;
                continue;
            }
            let (b, was_cut) = if method == "HEAD" {
                ("", false)
            } else {
                capped_body(&resp.body)
            };
            if !b.is_empty() && self.o.verbose && !self.ctx.place.tty {
                self.out.err(&format!("{{ [{} bytes data]\n", b.len()));
            }
            content.push_str(b);
            x.size_download = b.len();
            let sent = body.as_ref().map_or(0, |d| d.len());
            x.size_upload = sent;
            if was_cut {
                self.out.err(&body_note("curl"));
            }
            if self.o.fail && resp.status >= 400 {
                // --fail-with-body: the body is written, then curl fails.
                if meter {
                    self.out.err(&meter_line(
                        b.len() as u64,
                        b.len() as u64,
                        sent as u64,
                        x.ms,
                    ));
                }
                if self.ctx.place.tty && *dest == Dest::Stdout {
                    let c = std::mem::take(content);
                    self.out.out(&c);
                }
                let msg = format!("The requested URL returned error: {}", resp.status);
                self.verbose(&format!("* {msg}\n"));
                self.release(conn, &url, keep);
                if !self.o.silent || self.o.show_error {
                    self.out.err(&format!("curl: (22) {msg}\n"));
                }
                x.errormsg = msg;
                return 22;
            }
            if meter {
                self.out.err(&meter_line(
                    b.len() as u64,
                    b.len() as u64,
                    sent as u64,
                    x.ms,
                ));
            }
            if self.ctx.place.tty && *dest == Dest::Stdout {
                let c = std::mem::take(content);
                self.out.out(&c);
            }
            self.release(conn, &url, keep);
            return 0;
        }
    }

    fn send(&mut self, request: &HttpRequest) -> Result<Got, ConnectError> {
        match self.ctx.net.http(request) {
            Ok(r) => Ok(Got::Resp(r)),
            Err(ConnectError::Reset) => Ok(Got::Empty),
            Err(e) => Err(e),
        }
    }

    /// The connection for `url`: an open one to the same host and port, or a new one after
    /// resolving the host. Err: the transfer failed (reported).
    fn connection(
        &mut self,
        url: &Url,
        meter: bool,
        x: &mut Xfer,
    ) -> Result<(usize, String, bool), i32> {
        if let Some(n) = self
            .conns
            .iter()
            .position(|c| c.open && c.host == url.host && c.port == url.port)
        {
            let line = match self.ver {
                CurlVer::V7 => format!(
                    "* Re-using existing connection #{n} with host {}\n",
                    url.host
                ),
                CurlVer::V8 => format!("* Re-using existing connection with host {}\n", url.host),
            };
            self.verbose(&line);
            return Ok((n, self.conns[n].ip.clone(), true));
        }
        let n = self.conns.len();
        let fixed = self
            .o
            .resolve
            .iter()
            .find(|(h, p, _)| *h == url.host && *p == url.port)
            .map(|(_, _, ip)| ip.clone());
        let ips = if let Some(ip) = fixed {
            self.verbose(&format!("* Hostname {} was found in DNS cache\n", url.host));
            vec![ip]
        } else if is_ipv4(&url.host) {
            vec![url.host.clone()]
        } else {
            let host = url.host.clone();
            let found = if self.o.ipv6_only {
                Err(LookupError::NxDomain {
                    name: host.clone(),
                    tried: Vec::new(),
                })
            } else {
                resolve(self.ctx, &host)
            };
            match found {
                Ok(ips) if !ips.is_empty() => {
                    x.ms = x.ms.saturating_add(1);
                    if self.ver == CurlVer::V8 {
                        self.verbose(&format!(
                            "* Host {host}:{} was resolved.\n* IPv6: (none)\n* IPv4: {}\n",
                            url.port,
                            ips.join(", ")
                        ));
                    }
                    ips
                }
                Ok(_) | Err(LookupError::NxDomain { .. }) => {
                    self.conns.push(Conn {
                        host: host.clone(),
                        port: url.port,
                        ip: String::new(),
                        open: true,
                    });
                    return Err(self.failed(
                        6,
                        &format!("Could not resolve host: {host}"),
                        Some(n),
                        meter,
                        x,
                    ));
                }
                Err(LookupError::Timeout { .. }) => {
                    self.conns.push(Conn {
                        host: host.clone(),
                        port: url.port,
                        ip: String::new(),
                        open: true,
                    });
                    return Err(match self.connect_limit() {
                        Some(t) if t < DNS_TIMEOUT_MS => self.failed(
                            28,
                            &format!("Resolving timed out after {} milliseconds", t + 1),
                            Some(n),
                            meter,
                            x,
                        ),
                        _ => self.failed(
                            6,
                            &format!("Could not resolve host: {host}"),
                            Some(n),
                            meter,
                            x,
                        ),
                    });
                }
            }
        };
        let ip = ips[0].clone();
        self.conns.push(Conn {
            host: url.host.clone(),
            port: url.port,
            ip: ip.clone(),
            open: true,
        });
        self.verbose(&format!("*   Trying {ip}:{}...\n", url.port));
        Ok((n, ip, false))
    }

    /// `-v`'s line for a new connection (a re-used one says nothing more).
    fn connected(&mut self, url: &Url, ip: &str, n: usize, reused: bool) {
        if reused || !self.o.verbose {
            return;
        }
        let line = match self.ver {
            CurlVer::V7 => format!(
                "* Connected to {} ({ip}) port {} (#{n})\n",
                url.host, url.port
            ),
            CurlVer::V8 => format!(
                "* Connected to {} ({ip}) port {}\n* using HTTP/1.x\n",
                url.host, url.port
            ),
        };
        self.out.err(&line);
    }

    fn connect_failed(
        &mut self,
        url: &Url,
        ip: &str,
        n: usize,
        e: ConnectError,
        meter: bool,
        x: &mut Xfer,
    ) -> i32 {
        let limit = self.connect_limit();
        let base = if is_loopback(ip) { 0 } else { 1 };
        let could = self.ver.could_not();
        let host = url.host.clone();
        let port = url.port;
        let from = match self.ver {
            CurlVer::V7 => String::new(),
            CurlVer::V8 => {
                let me = if self.ctx.place.ip.is_empty() {
                    "0.0.0.0"
                } else {
                    self.ctx.place.ip
                };
                format!(
                    " from {me} port {}",
                    32768 + mix(&format!("{ip}:{port}:{}", self.conns.len())) % 28000
                )
            }
        };
        let libc = libc(&self.ctx.place);
        let (took, errno) = match e {
            ConnectError::Refused | ConnectError::Reset => (base, Some(e)),
            ConnectError::NoRoute => (NO_ROUTE_MS, Some(e)),
            ConnectError::TimedOut => (SYN_TIMEOUT_MS + base, Some(e)),
        };
        if let Some(t) = limit {
            if t < took {
                x.ms = t + 2;
                return self.failed(
                    28,
                    &format!(
                        "Failed to connect to {host} port {port} after {} ms: Timeout was reached",
                        t + 2
                    ),
                    Some(n),
                    meter,
                    x,
                );
            }
        }
        x.ms = took;
        if let Some(e) = errno {
            self.verbose(&format!(
                "* connect to {ip} port {port}{from} failed: {}\n",
                strerror(libc, e)
            ));
        }
        let code = if e == ConnectError::TimedOut { 28 } else { 7 };
        self.failed(
            code,
            &format!("Failed to connect to {host} port {port} after {took} ms: {could} connect to server"),
            Some(n),
            meter,
            x,
        )
    }

    fn release(&mut self, n: usize, url: &Url, keep: bool) {
        if keep {
            self.verbose(&format!(
                "* Connection #{n} to host {} left intact\n",
                url.host
            ));
        } else {
            let line = self.ver.closing(n);
            self.verbose(&line);
            if let Some(c) = self.conns.get_mut(n) {
                c.open = false;
            }
        }
    }

    /// The request curl sends: its default headers, `-H` replacing or removing them, then the
    /// body's length and type.
    fn request(&self, url: &Url, method: &str, body: Option<&str>) -> HttpRequest {
        let mut custom: Vec<(String, Option<String>)> = Vec::new();
        for h in &self.o.headers {
            if let Some((name, value)) = h.split_once(':') {
                let name = name.trim();
                if name.is_empty() || name.contains(' ') {
                    continue;
                }
                let value = value.trim();
                custom.push((
                    name.to_string(),
                    (!value.is_empty()).then(|| value.to_string()),
                ));
            } else if let Some(name) = h.strip_suffix(';') {
                let name = name.trim();
                if !name.is_empty() && !name.contains([' ', ':']) {
                    custom.push((name.to_string(), Some(String::new())));
                }
            }
        }
        let given = |n: &str| custom.iter().find(|(k, _)| k.eq_ignore_ascii_case(n));
        let mut headers: Vec<(String, String)> = Vec::new();
        let push_default = |name: &str, value: String, headers: &mut Vec<(String, String)>| {
            match given(name) {
                None => headers.push((name.to_string(), value)),
                // `-H 'Host: x'` takes the default's place; `-H 'Host:'` removes it.
                Some((k, Some(v))) if name == "Host" => headers.push((k.clone(), v.clone())),
                Some(_) => {}
            }
        };
        push_default("Host", url.host_header(), &mut headers);
        if let Some(u) = self.o.user.as_ref().or(url.user.as_ref()) {
            let cred = if u.contains(':') {
                u.clone()
            } else {
                format!("{u}:")
            };
            push_default(
                "Authorization",
                format!("Basic {}", base64(&cred)),
                &mut headers,
            );
        }
        let ua = self
            .o
            .user_agent
            .clone()
            .unwrap_or_else(|| format!("curl/{}", self.ver.number()));
        if !ua.is_empty() {
            push_default("User-Agent", ua, &mut headers);
        }
        push_default("Accept", "*/*".into(), &mut headers);
        if let Some(r) = &self.o.referer {
            push_default("Referer", r.clone(), &mut headers);
        }
        for (k, v) in &custom {
            if k.eq_ignore_ascii_case("Host") {
                continue;
            }
            if let Some(v) = v {
                headers.push((k.clone(), v.clone()));
            }
        }
        if let Some(b) = body {
            if given("Content-Length").is_none() {
                headers.push(("Content-Length".into(), b.len().to_string()));
            }
            if given("Content-Type").is_none() {
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
            }
        }
        HttpRequest {
            method: method.to_string(),
            scheme: url.scheme.clone(),
            host: url.host.clone(),
            ip: String::new(),
            port: url.port,
            path: url.path.clone(),
            headers,
            body: body.unwrap_or("").to_string(),
        }
    }

    fn request_lines(&mut self, r: &HttpRequest) {
        if !self.o.verbose {
            return;
        }
        let mut t = format!("> {} {} HTTP/1.1\n", r.method, r.path);
        for (k, v) in &r.headers {
            t.push_str(&format!("> {k}: {v}\n"));
        }
        t.push_str("> \n");
        if !r.body.is_empty() && !self.ctx.place.tty {
            t.push_str(&format!("}} [{} bytes data]\n", r.body.len()));
        }
        if self.ver == CurlVer::V8 {
            t.push_str("* Request completely sent off\n");
        }
        self.out.err(&t);
    }

    fn file_url(&mut self, url: &Url, meter: bool, x: &mut Xfer, content: &mut String) -> i32 {
        match self.ctx.files.read(&url.path) {
            Ok(t) => {
                let (b, _) = capped_body(&t);
                if self.o.head || self.o.include {
                    content.push_str(&format!(
                        "Content-Length: {}\nAccept-ranges: bytes\n\n",
                        b.len()
                    ));
                }
                if !self.o.head {
                    content.push_str(b);
                }
                x.size_download = b.len();
                if meter {
                    self.out
                        .err(&meter_line(b.len() as u64, b.len() as u64, 0, 1));
                }
                0
            }
            Err(_) => {
                let msg = format!("{} open file {}", self.ver.could_not(), url.path);
                self.failed(37, &msg, None, meter, x)
            }
        }
    }

    // ---------------------------------------------------------- -w

    fn write_out(&mut self, fmt: &str, x: &Xfer) -> Vec<(u8, String)> {
        let mut parts: Vec<(u8, String)> = Vec::new();
        let mut fd = 1u8;
        let mut cur = String::new();
        let cs: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        let secs = |ms: u64| format!("{}.{:06}", ms / 1000, (ms % 1000) * 1000);
        while i < cs.len() {
            let c = cs[i];
            i += 1;
            if c == '\\' && i < cs.len() {
                match cs[i] {
                    'n' => cur.push('\n'),
                    'r' => cur.push('\r'),
                    't' => cur.push('\t'),
                    '\\' => cur.push('\\'),
                    other => {
                        cur.push('\\');
                        cur.push(other);
                    }
                }
                i += 1;
                continue;
            }
            if c != '%' {
                cur.push(c);
                continue;
            }
            if cs.get(i) == Some(&'%') {
                cur.push('%');
                i += 1;
                continue;
            }
            let rest: String = cs[i..].iter().collect();
            let (is_header, body) = if let Some(r) = rest.strip_prefix("header{") {
                (true, r)
            } else if let Some(r) = rest.strip_prefix('{') {
                (false, r)
            } else {
                cur.push('%');
                continue;
            };
            let Some(end) = body.find('}') else {
                cur.push('%');
                continue;
            };
            let name = &body[..end];
            i += (if is_header { 7 } else { 1 }) + name.chars().count() + 1;
            if is_header {
                let v = x
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                cur.push_str(&v);
                continue;
            }
            let value = match name {
                "http_code" | "response_code" => format!("{:03}", x.http_code),
                "http_connect" => "000".into(),
                "remote_ip" => x.remote_ip.clone(),
                "remote_port" => {
                    if x.remote_port == 0 {
                        String::new()
                    } else {
                        x.remote_port.to_string()
                    }
                }
                "local_ip" => self.ctx.place.ip.to_string(),
                "url_effective" => x.url_effective.clone(),
                "url" => x.url.clone(),
                "num_redirects" => x.redirects.to_string(),
                "redirect_url" => x.redirect_url.clone(),
                "size_download" => x.size_download.to_string(),
                "size_upload" => x.size_upload.to_string(),
                "size_header" => x.size_header.to_string(),
                "content_type" => x.content_type.clone(),
                "method" => x.method.clone(),
                "scheme" => x
                    .url_effective
                    .split("://")
                    .next()
                    .unwrap_or("")
                    .to_string(),
                "http_version" => if x.http_code == 0 { "0" } else { "1.1" }.into(),
                "time_total" | "time_starttransfer" => secs(x.ms),
                "time_namelookup" => secs(x.ms.min(1)),
                "time_connect" | "time_pretransfer" | "time_appconnect" => {
                    secs(x.ms.saturating_sub(1))
                }
                "time_redirect" => secs(0),
                "speed_download" => (x.size_download as u64 * 1000 / x.ms.max(1)).to_string(),
                "speed_upload" => (x.size_upload as u64 * 1000 / x.ms.max(1)).to_string(),
                "exitcode" => x.exitcode.to_string(),
                "errormsg" => x.errormsg.clone(),
                "num_connects" => u8::from(x.http_code != 0).to_string(),
                "ssl_verify_result" => "0".into(),
                "stdout" | "stderr" => {
                    parts.push((fd, std::mem::take(&mut cur)));
                    fd = if name == "stdout" { 1 } else { 2 };
                    continue;
                }
                other => {
                    self.out
                        .err(&format!("curl: unknown --write-out variable: '{other}'\n"));
                    continue;
                }
            };
            cur.push_str(&value);
        }
        parts.push((fd, cur));
        parts.retain(|(_, t)| !t.is_empty());
        parts
    }
}

// ------------------------------------------------------------------ wget (BusyBox)

const WGET_USAGE: &str = "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
	[--post-data STR | --post-file FILE] [-Y on/off]
	[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...

Retrieve files via HTTP or FTP

	--spider	Only check URL existence: $? is 0 if exists
	--header STR	Add STR (of form 'header: value') to headers
	--post-data STR	Send STR using POST method
	--post-file FILE	Send FILE using POST method
	--no-check-certificate	Don't validate the server's certificate
	-c		Continue retrieval of aborted transfer
	-q		Quiet
	-P DIR		Save to DIR (default .)
	-S    		Show server response
	-T SEC		Network read timeout is SEC seconds
	-O FILE		Save to FILE ('-' for stdout)
	-o LOGFILE	Log messages to FILE
	-U STR		Use STR for User-Agent header
	-Y on/off	Use proxy
";

#[derive(Debug, Default)]
struct WgetOpts {
    quiet: bool,
    output: Option<String>,
    server_response: bool,
    timeout_ms: Option<u64>,
    spider: bool,
    user_agent: Option<String>,
    headers: Vec<String>,
    post: Option<String>,
    prefix: Option<String>,
    urls: Vec<String>,
}

/// A getopt error in the C library's words (`wget: invalid option -- 'z'`).
fn getopt_error(place: &Place, prog: &str, what: &str, opt: &str) -> String {
    match (libc(place), what) {
        (Libc::Glibc, "unrecognized") => format!("{prog}: unrecognized option '{opt}'\n"),
        (Libc::Glibc, "invalid") => format!("{prog}: invalid option -- '{opt}'\n"),
        (Libc::Glibc, _) => format!("{prog}: option requires an argument -- '{opt}'\n"),
        (Libc::Musl, "unrecognized") => {
            format!(
                "{prog}: unrecognized option: {}\n",
                opt.trim_start_matches('-')
            )
        }
        (Libc::Musl, "invalid") => format!("{prog}: unrecognized option: {opt}\n"),
        (Libc::Musl, _) => format!("{prog}: option requires an argument: {opt}\n"),
    }
}

fn wget_parse(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> Result<WgetOpts, i32> {
    let place = ctx.place;
    let mut o = WgetOpts::default();
    let mut i = 0;
    let usage = |out: &mut Out, msg: String| {
        out.err(&msg);
        busybox_usage(&place, out, WGET_USAGE)
    };
    let mut only_urls = false;
    while i < args.len() {
        let a = args[i].clone();
        i += 1;
        if only_urls || !a.starts_with('-') || a == "-" {
            o.urls.push(a);
            continue;
        }
        if a == "--" {
            only_urls = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let takes = matches!(
                name,
                "output-document"
                    | "directory-prefix"
                    | "proxy"
                    | "user-agent"
                    | "timeout"
                    | "tries"
                    | "header"
                    | "post-data"
                    | "post-file"
                    | "output-file"
            );
            let known = takes
                || matches!(
                    name,
                    "continue"
                        | "quiet"
                        | "spider"
                        | "server-response"
                        | "no-check-certificate"
                        | "passive-ftp"
                        | "no-cache"
                        | "no-verbose"
                        | "no-clobber"
                        | "no-host-directories"
                        | "no-parent"
                );
            if !known {
                return Err(usage(out, getopt_error(&place, "wget", "unrecognized", &a)));
            }
            let value = if takes {
                match inline {
                    Some(v) => Some(v),
                    None => match args.get(i) {
                        Some(v) => {
                            i += 1;
                            Some(v.clone())
                        }
                        None => {
                            return Err(usage(
                                out,
                                format!("wget: option '--{name}' requires an argument\n"),
                            ))
                        }
                    },
                }
            } else {
                None
            };
            let v = value.unwrap_or_default();
            match name {
                "quiet" => o.quiet = true,
                "spider" => o.spider = true,
                "server-response" => o.server_response = true,
                "output-document" => o.output = Some(v),
                "directory-prefix" => o.prefix = Some(v),
                "user-agent" => o.user_agent = Some(v),
                "timeout" => match v.parse::<u64>() {
                    Ok(n) => o.timeout_ms = Some(n.saturating_mul(1000).min(MAX_MS)),
                    Err(_) => {
                        out.err(&format!("wget: invalid number '{v}'\n"));
                        return Err(1);
                    }
                },
                "header" if o.headers.len() < HEADER_LIMIT => {
                    o.headers.push(cut(&v, 8192).to_string())
                }
                "post-data" => o.post = Some(cut(&v, BODY_LIMIT).to_string()),
                "post-file" => match ctx.files.read(&v) {
                    Ok(t) => o.post = Some(cut(&t, BODY_LIMIT).to_string()),
                    Err(e) => {
                        out.err(&format!("wget: can't open '{v}': {}\n", e.text()));
                        return Err(1);
                    }
                },
                _ => {}
            }
            continue;
        }
        let letters: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        while j < letters.len() {
            let c = letters[j];
            j += 1;
            match c {
                'c' => {}
                'q' => o.quiet = true,
                'S' => o.server_response = true,
                'n' => break, // -nv, -nc, -nH, -np: ignored
                'O' | 'o' | 'P' | 'Y' | 'U' | 'T' | 't' => {
                    let rest: String = letters[j..].iter().collect();
                    let v = if !rest.is_empty() {
                        rest
                    } else {
                        match args.get(i) {
                            Some(v) => {
                                i += 1;
                                v.clone()
                            }
                            None => {
                                return Err(usage(
                                    out,
                                    getopt_error(&place, "wget", "missing", &c.to_string()),
                                ))
                            }
                        }
                    };
                    match c {
                        'O' => o.output = Some(v),
                        'P' => o.prefix = Some(v),
                        'U' => o.user_agent = Some(v),
                        'T' => match v.parse::<u64>() {
                            Ok(n) => o.timeout_ms = Some(n.saturating_mul(1000).min(MAX_MS)),
                            Err(_) => {
                                out.err(&format!("wget: invalid number '{v}'\n"));
                                return Err(1);
                            }
                        },
                        _ => {}
                    }
                    break;
                }
                other => {
                    return Err(usage(
                        out,
                        getopt_error(&place, "wget", "invalid", &other.to_string()),
                    ))
                }
            }
        }
    }
    if o.urls.is_empty() {
        return Err(busybox_usage(&place, out, WGET_USAGE));
    }
    Ok(o)
}

/// A URL as BusyBox's wget splits it: scheme, `host[:port]` as written, the port, the path
/// after the first `/` (or from a `?`), the user.
struct BbUrl {
    scheme: &'static str,
    hostport: String,
    host: String,
    port: u16,
    path: String,
    user: Option<String>,
}

fn bb_parse_url(url: &str) -> Result<BbUrl, String> {
    let (scheme, rest) = match url.find("://") {
        Some(i) => {
            let s = &url[..i];
            let scheme =
                match s {
                    "http" => "http",
                    "https" => "https",
                    "ftp" => return Err(
                        "wget: Pocket Cluster simulates http:// and https:// URLs, not ftp://\n"
                            .into(),
                    ),
                    _ => return Err(format!("wget: not an http or ftp url: {url}\n")),
                };
            (scheme, &url[i + 3..])
        }
        None => ("http", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let path = match tail.strip_prefix('/') {
        Some(p) => p.to_string(),
        None => tail.to_string(),
    };
    let (user, hostport) = match authority.rfind('@') {
        Some(i) => (Some(authority[..i].to_string()), &authority[i + 1..]),
        None => (None, authority),
    };
    if hostport.starts_with('[') {
        return Err(format!(
            "wget: Pocket Cluster's network is IPv4 only: it cannot reach {hostport}\n"
        ));
    }
    let default = if scheme == "https" { 443 } else { 80 };
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u32>() {
            Ok(n) if n <= 65535 && p.bytes().all(|b| b.is_ascii_digit()) => (h, n as u16),
            _ => return Err(format!("wget: bad port spec '{hostport}'\n")),
        },
        None => (hostport, default),
    };
    Ok(BbUrl {
        scheme,
        hostport: hostport.to_string(),
        host: host.to_string(),
        port,
        path,
        user,
    })
}

/// BusyBox's progress bar at 100%, as it is left on the screen.
fn bb_bar(name: &str, size: usize) -> String {
    let size = size as u64;
    let shown = if size < 100_000 {
        size.to_string()
    } else if size < 10_000 * 1024 {
        format!("{}k", size / 1024)
    } else {
        format!("{}.{}M", size >> 20, ((size % (1 << 20)) * 10) >> 20)
    };
    let name: String = name.chars().take(20).collect();
    format!(
        "{name:<20}{:>4}% |{}| {shown:>5}  0:00:00 ETA\n",
        100,
        "*".repeat(32)
    )
}

fn wget(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let o = match wget_parse(ctx, out, args) {
        Ok(o) => o,
        Err(code) => return code,
    };
    for url in o.urls.iter().take(64) {
        let code = wget_one(ctx, out, &o, url);
        if code != 0 {
            return code;
        }
    }
    0
}

fn wget_one(ctx: &mut Ctx, out: &mut Out, o: &WgetOpts, url: &str) -> i32 {
    let place = ctx.place;
    let mut target = match bb_parse_url(url) {
        Ok(u) => u,
        Err(msg) => {
            out.err(&msg);
            return 1;
        }
    };
    // The file name is chosen from the URL as given (redirects do not change it).
    let fname = match &o.output {
        Some(f) => f.clone(),
        None => {
            let last = target.path.rsplit('/').next().unwrap_or("");
            let name = if last.is_empty() { "index.html" } else { last };
            match &o.prefix {
                Some(d) => format!("{}/{name}", d.trim_end_matches('/')),
                None => name.to_string(),
            }
        }
    };
    let mut redirects_left = 5u32;
    let mut resolved: Option<String> = None;
    loop {
        let ip = match &resolved {
            Some(ip) => ip.clone(),
            None => {
                let ip = match resolve(ctx, &target.host) {
                    Ok(ips) if !ips.is_empty() => ips[0].clone(),
                    _ => {
                        out.err(&format!("wget: bad address '{}'\n", target.hostport));
                        return 1;
                    }
                };
                if !o.quiet {
                    out.err(&format!(
                        "Connecting to {} ({ip}:{})\n",
                        target.hostport, target.port
                    ));
                }
                resolved = Some(ip.clone());
                ip
            }
        };
        let mut headers: Vec<(String, String)> = Vec::new();
        let user_has = |n: &str| {
            o.headers.iter().any(|h| {
                h.split(':')
                    .next()
                    .is_some_and(|k| k.trim().eq_ignore_ascii_case(n))
            })
        };
        if !user_has("Host") {
            headers.push(("Host".into(), target.hostport.clone()));
        }
        if !user_has("User-Agent") {
            headers.push((
                "User-Agent".into(),
                o.user_agent.clone().unwrap_or_else(|| "Wget".into()),
            ));
        }
        headers.push(("Connection".into(), "close".into()));
        if let Some(u) = &target.user {
            if !user_has("Authorization") {
                headers.push(("Authorization".into(), format!("Basic {}", base64(u))));
            }
        }
        for h in &o.headers {
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        if let Some(p) = &o.post {
            headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
            headers.push(("Content-Length".into(), p.len().to_string()));
        }
        let request = HttpRequest {
            method: if o.post.is_some() { "POST" } else { "GET" }.into(),
            scheme: target.scheme.into(),
            host: target.host.clone(),
            ip: ip.clone(),
            port: target.port,
            path: format!("/{}", target.path),
            headers,
            body: o.post.clone().unwrap_or_default(),
        };
        let resp = match ctx.net.http(&request) {
            Ok(r) => r,
            Err(ConnectError::TimedOut) if o.timeout_ms.is_some_and(|t| t < SYN_TIMEOUT_MS) => {
                out.err("wget: download timed out\n");
                return 1;
            }
            Err(ConnectError::Reset) => {
                out.err(&format!(
                    "wget: error getting response: {}\n",
                    strerror(libc(&place), ConnectError::Reset)
                ));
                return 1;
            }
            Err(e) => {
                out.err(&format!(
                    "wget: can't connect to remote host ({ip}): {}\n",
                    strerror(libc(&place), e)
                ));
                return 1;
            }
        };
        let status = status_line(&resp);
        if o.server_response {
            out.err(&format!("  {status}\n"));
            for (k, v) in resp.headers.iter().take(HEADER_LIMIT) {
                out.err(&format!("  {k}: {v}\n"));
            }
        }
        match resp.status {
            200..=204 => {}
            300..=303 | 307 | 308 => {
                if let Some(loc) = header(&resp, "Location").map(str::to_string) {
                    redirects_left -= 1;
                    if redirects_left == 0 {
                        out.err("wget: too many redirections\n");
                        return 1;
                    }
                    if let Some(p) = loc.strip_prefix('/') {
                        target.path = p.to_string();
                    } else {
                        target = match bb_parse_url(&loc) {
                            Ok(u) => u,
                            Err(msg) => {
                                out.err(&msg);
                                return 1;
                            }
                        };
                        resolved = None;
                    }
                    continue;
                }
            }
            _ => {
                out.err(&format!("wget: server returned error: {status}\n"));
                return 1;
            }
        }
        if o.spider {
            if !o.quiet {
                out.err("remote file exists\n");
            }
            return 0;
        }
        let (body, was_cut) = capped_body(&resp.body);
        let to_stdout = fname == "-";
        if !to_stdout {
            if o.output.is_none() && ctx.files.exists(&fname) {
                out.err(&format!("wget: can't open '{fname}': File exists\n"));
                return 1;
            }
            if let Err(e) = ctx.files.write(&fname, body) {
                out.err(&format!("wget: can't open '{fname}': {}\n", e.text()));
                return 1;
            }
        }
        if !o.quiet {
            if to_stdout {
                out.err("writing to stdout\n");
            } else {
                out.err(&format!("saving to '{fname}'\n"));
            }
        }
        if to_stdout {
            out.out(body);
        }
        if was_cut {
            out.err(&body_note("wget"));
        }
        if !o.quiet {
            let cur = fname.rsplit('/').next().unwrap_or("-");
            out.err(&bb_bar(if cur.is_empty() { "-" } else { cur }, body.len()));
            if to_stdout {
                out.err("written to stdout\n");
            } else {
                out.err(&format!("'{fname}' saved\n"));
            }
        }
        return 0;
    }
}

// ------------------------------------------------------------------ nslookup (BusyBox)

const NSLOOKUP_USAGE: &str = "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]

Query DNS about HOST

QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,any
";

const NSLOOKUP_OLD_USAGE: &str = "Usage: nslookup [HOST] [SERVER]

Query the nameserver for the IP address of the given HOST
optionally using a specified DNS server
";

/// What `/etc/resolv.conf` says: nameservers, and the search list (`search`, else `domain`).
fn resolv_conf(files: &mut dyn Files) -> (Vec<String>, Vec<String>) {
    let text = files.read("/etc/resolv.conf").unwrap_or_default();
    let mut servers = Vec::new();
    let mut search: Option<Vec<String>> = None;
    let mut domain: Option<Vec<String>> = None;
    for line in text.lines().take(1_000) {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => {
                if let Some(s) = words.next() {
                    if servers.len() < 3 {
                        servers.push(s.to_string());
                    }
                }
            }
            Some("search") => search = Some(words.take(6).map(String::from).collect()),
            Some("domain") => domain = Some(words.take(1).map(String::from).collect()),
            _ => {}
        }
    }
    let list = search.or(domain).unwrap_or_default();
    let list = if list.len() == 1 && list[0] == "." {
        Vec::new()
    } else {
        list
    };
    (servers, list)
}

/// `4.3.2.1.in-addr.arpa` for 1.2.3.4.
fn ptr_name(ip: &str) -> String {
    let mut parts: Vec<&str> = ip.split('.').collect();
    parts.reverse();
    format!("{}.in-addr.arpa", parts.join("."))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QType {
    A,
    Aaaa,
    Cname,
    Other,
    Ptr,
}

/// The laptop's nslookup is BIND 9's (Debian's bind9-dnsutils), asking the local resolver.
fn nslookup_bind(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let rest: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let (name, server) = match rest.as_slice() {
        [n] => (n.as_str(), "127.0.0.53".to_string()),
        [n, s] => (n.as_str(), s.to_string()),
        _ => {
            out.err("Usage: nslookup [-opt ...] host [server]\n");
            return 1;
        }
    };
    let mut text = format!("Server:\t\t{server}\nAddress:\t{server}#53\n\n");
    if is_ipv4(name) {
        match ctx.net.reverse_lookup(name) {
            Some(n) => text.push_str(&format!("{}\tname = {n}.\n\n", ptr_name(name))),
            None => {
                text.push_str(&format!(
                    "** server can't find {}: NXDOMAIN\n\n",
                    ptr_name(name)
                ));
                out.out(&text);
                return 1;
            }
        }
        out.out(&text);
        return 0;
    }
    match ctx.net.query(name) {
        Ok(l) => {
            text.push_str("Non-authoritative answer:\n");
            let mut from = name.trim_end_matches('.').to_string();
            for c in &l.cnames {
                text.push_str(&format!("{from}\tcanonical name = {c}.\n"));
                from = c.clone();
            }
            for a in &l.addresses {
                text.push_str(&format!("Name:\t{from}\nAddress: {a}\n"));
            }
            text.push('\n');
            out.out(&text);
            0
        }
        Err(LookupError::NxDomain { .. }) => {
            text.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
            out.out(&text);
            1
        }
        Err(LookupError::Timeout { .. }) => {
            out.out(";; connection timed out; no servers could be reached\n\n");
            1
        }
    }
}

fn nslookup(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let place = ctx.place;
    if place.image == "laptop" {
        return nslookup_bind(ctx, out, args);
    }
    if busybox_minor(&place) < 29 {
        return nslookup_old(ctx, out, args);
    }
    let mut types: Vec<QType> = Vec::new();
    let mut rest: Vec<&String> = Vec::new();
    for a in args {
        if rest.is_empty() && a.starts_with('-') {
            let body = &a[1..];
            let (name, val) = body.split_once('=').unwrap_or((body, ""));
            match name {
                "type" | "querytype" => {
                    let t = match val.to_ascii_lowercase().as_str() {
                        "a" => QType::A,
                        "aaaa" => QType::Aaaa,
                        "cname" => QType::Cname,
                        "ptr" => QType::Ptr,
                        "soa" | "ns" | "mx" | "txt" | "any" => QType::Other,
                        _ => {
                            out.err(&format!("nslookup: invalid query type \"{val}\"\n"));
                            return 1;
                        }
                    };
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                "port" | "retry" | "t" | "timeout" => {
                    if val.parse::<u32>().map_or(true, |n| n == 0) {
                        out.err(&format!("nslookup: invalid number '{val}'\n"));
                        return 1;
                    }
                }
                "debug" => {}
                _ => return busybox_usage(&place, out, NSLOOKUP_USAGE),
            }
            continue;
        }
        rest.push(a);
    }
    let (name, server_arg) = match rest.as_slice() {
        [n] => (n.as_str(), None),
        [n, s] => (n.as_str(), Some(s.as_str())),
        _ => return busybox_usage(&place, out, NSLOOKUP_USAGE),
    };
    let (servers, search) = resolv_conf(ctx.files);
    let server = server_arg
        .map(str::to_string)
        .or_else(|| servers.first().cloned())
        .unwrap_or_else(|| "127.0.0.1".into());
    // The queries, in the order BusyBox sends them.
    let mut queries: Vec<(QType, String)> = Vec::new();
    let with_search = busybox_minor(&place) >= 30;
    let add = |t: QType, n: &str, queries: &mut Vec<(QType, String)>| {
        if t == QType::Ptr || !with_search || search.is_empty() || n.contains('.') {
            queries.push((t, n.to_string()));
        } else {
            for d in &search {
                queries.push((t, format!("{n}.{d}")));
            }
        }
    };
    if types.is_empty() {
        if is_ipv4(name) {
            queries.push((QType::Ptr, ptr_name(name)));
        } else {
            add(QType::A, name, &mut queries);
            add(QType::Aaaa, name, &mut queries);
        }
    } else {
        for t in [
            QType::Other,
            QType::A,
            QType::Aaaa,
            QType::Cname,
            QType::Ptr,
        ] {
            if types.contains(&t) {
                add(t, name, &mut queries);
            }
        }
    }
    // Ask each name once (A and AAAA share the answer: the cluster is IPv4 only).
    let mut answers: Vec<(String, Result<crate::sim::network::Lookup, LookupError>)> = Vec::new();
    for (t, q) in &queries {
        if *t == QType::Ptr || answers.iter().any(|(n, _)| n == q) {
            continue;
        }
        let a = ctx.net.query(q);
        answers.push((q.clone(), a));
    }
    let all_timed_out = queries.iter().all(|(t, q)| {
        *t != QType::Ptr
            && answers
                .iter()
                .find(|(n, _)| n == q)
                .is_some_and(|(_, a)| matches!(a, Err(LookupError::Timeout { .. })))
    });
    if all_timed_out {
        out.out(";; connection timed out; no servers could be reached\n\n");
        return 1;
    }
    let mut text = format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n");
    let mut code = 0;
    let mut unanswered: Vec<String> = Vec::new();
    for (t, q) in &queries {
        if *t == QType::Ptr {
            let ip = name;
            match ctx.net.reverse_lookup(ip) {
                Some(n) => text.push_str(&format!("{q}\tname = {n}\n")),
                None => {
                    text.push_str(&format!("** server can't find {q}: NXDOMAIN\n"));
                    code = 1;
                }
            }
            text.push('\n');
            continue;
        }
        let Some((_, answer)) = answers.iter().find(|(n, _)| n == q) else {
            continue;
        };
        match answer {
            Err(LookupError::Timeout { .. }) => {
                unanswered.push(q.clone());
                continue;
            }
            Err(LookupError::NxDomain { .. }) => {
                text.push_str(&format!("** server can't find {q}: NXDOMAIN\n"));
                code = 1;
            }
            Ok(l) => {
                // CoreDNS is authoritative for the cluster's zone; other names are forwarded.
                if !q.trim_end_matches('.').ends_with("cluster.local") {
                    text.push_str("Non-authoritative answer:\n");
                }
                let mut count = 0;
                let mut owner = q.trim_end_matches('.').to_string();
                for c in l.cnames.iter().take(16) {
                    text.push_str(&format!("{owner}\tcanonical name = {c}\n"));
                    owner = c.trim_end_matches('.').to_string();
                    count += 1;
                }
                if *t == QType::A {
                    for a in l.addresses.iter().take(64) {
                        text.push_str(&format!("Name:\t{owner}\nAddress: {a}\n"));
                        count += 1;
                    }
                }
                if count == 0 {
                    text.push_str(&format!("*** Can't find {q}: No answer\n"));
                }
            }
        }
        text.push('\n');
    }
    if !unanswered.is_empty() {
        for q in &unanswered {
            text.push_str(&format!("*** Can't find {q}: No answer\n"));
        }
        text.push('\n');
    }
    out.out(&text);
    code
}

/// BusyBox ≤ 1.28: the C library's resolver (search path, ndots, `/etc/hosts`), and each
/// address with its reverse name.
fn nslookup_old(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let place = ctx.place;
    let (name, server_arg) = match args {
        [n] if !n.starts_with('-') => (n.as_str(), None),
        [n, s] if !n.starts_with('-') => (n.as_str(), Some(s.as_str())),
        _ => return busybox_usage(&place, out, NSLOOKUP_OLD_USAGE),
    };
    let (servers, _) = resolv_conf(ctx.files);
    let server = server_arg
        .map(str::to_string)
        .or_else(|| servers.first().cloned())
        .unwrap_or_else(|| "127.0.0.1".into());
    let address = |ctx: &mut Ctx, i: usize, ip: &str| -> String {
        match ctx.net.reverse_lookup(ip) {
            Some(n) => format!("Address {i}: {ip} {n}\n"),
            None => format!("Address {i}: {ip}\n"),
        }
    };
    let mut text = format!("{:<10} {server}\n", "Server:");
    text.push_str(&address(ctx, 1, &server));
    text.push('\n');
    match resolve(ctx, name) {
        Ok(ips) if !ips.is_empty() => {
            text.push_str(&format!("{:<10} {name}\n", "Name:"));
            for (i, ip) in ips.iter().enumerate() {
                text.push_str(&address(ctx, i + 1, ip));
            }
            out.out(&text);
            0
        }
        _ => {
            out.out(&text);
            out.err(&format!("nslookup: can't resolve '{name}'\n"));
            1
        }
    }
}

// ------------------------------------------------------------------ nc, telnet (BusyBox)

const NC_USAGE: &str = "Usage: nc [OPTIONS] HOST PORT  - connect
nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen

	-e PROG	Run PROG after connect (must be last)
	-l	Listen mode, for inbound connects
	-lk	With -e, provides persistent server
	-p PORT	Local port
	-s ADDR	Local address
	-w SEC	Timeout for connects and final net reads
	-i SEC	Delay interval for lines sent
	-n	Don't do DNS resolution
	-u	UDP mode
	-b	Allow broadcasts
	-v	Verbose
	-o FILE	Hex dump traffic
	-z	Zero-I/O mode (scanning)
";

const TELNET_USAGE: &str = "Usage: telnet [-a] [-l USER] HOST [PORT]

Connect to telnet server

	-a	Automatic login with $USER variable
	-l USER	Automatic login as USER
";

/// An HTTP request written on stdin (`printf 'GET / HTTP/1.0\r\n\r\n' | nc web 80`).
fn request_from_text(text: &str, ip: &str, port: u16) -> Option<HttpRequest> {
    let (head, body) = match text.find("\r\n\r\n") {
        Some(i) => (&text[..i], &text[i + 4..]),
        None => match text.find("\n\n") {
            Some(i) => (&text[..i], &text[i + 2..]),
            None => (text, ""),
        },
    };
    let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.next()?;
    let mut words = first.split_whitespace();
    let method = words.next()?;
    let path = words.next()?;
    let version = words.next()?;
    if !version.starts_with("HTTP/") || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let headers: Vec<(String, String)> = lines
        .take(HEADER_LIMIT)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let host = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Host"))
        .map(|(_, v)| v.split(':').next().unwrap_or("").to_string())
        .unwrap_or_else(|| ip.to_string());
    Some(HttpRequest {
        method: method.to_string(),
        scheme: "http".into(),
        host,
        ip: ip.to_string(),
        port,
        path: path.to_string(),
        headers,
        body: body.to_string(),
    })
}

/// The response as the bytes arrive on the socket (without the `\r`s).
fn raw_response(resp: &HttpResponse) -> String {
    let mut t = format!("{}\n", status_line(resp));
    for (k, v) in resp.headers.iter().take(HEADER_LIMIT) {
        t.push_str(&format!("{k}: {v}\n"));
    }
    t.push('\n');
    t.push_str(capped_body(&resp.body).0);
    t
}

/// Send what stdin holds over an open connection and print what comes back. Ok(true): the
/// peer answered and closed.
fn converse(ctx: &mut Ctx, out: &mut Out, prog: &str, ip: &str, port: u16) -> Result<bool, i32> {
    let Some(input) = ctx.stdin.take().filter(|s| !s.is_empty()) else {
        return Ok(false);
    };
    let Some(req) = request_from_text(&input, ip, port) else {
        out.err(&format!(
            "{prog}: Pocket Cluster's network only carries HTTP: send an HTTP request (e.g. printf 'GET / HTTP/1.0\\r\\n\\r\\n' | {prog} HOST PORT)\n"
        ));
        return Err(1);
    };
    match ctx.net.http(&req) {
        Ok(resp) => {
            out.out(&raw_response(&resp));
            Ok(true)
        }
        Err(_) => Ok(true),
    }
}

fn nc(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let place = ctx.place;
    let mut verbose = 0;
    let mut zero = false;
    let mut wait_ms: Option<u64> = None;
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if !a.starts_with('-') || a == "-" {
            rest.push(a.clone());
            continue;
        }
        let letters: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        while j < letters.len() {
            let c = letters[j];
            j += 1;
            match c {
                'v' => verbose += 1,
                'z' => zero = true,
                'n' | 'b' => {}
                'u' | 'l' | 'k' | 'e' => {
                    out.err(&format!(
                        "nc: Pocket Cluster simulates outbound TCP only (nc HOST PORT, nc -z), not -{c}\n"
                    ));
                    return 1;
                }
                'w' | 'p' | 's' | 'i' | 'o' => {
                    let inline: String = letters[j..].iter().collect();
                    let v = if !inline.is_empty() {
                        inline
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        out.err(&getopt_error(&place, "nc", "missing", &c.to_string()));
                        return busybox_usage(&place, out, NC_USAGE);
                    };
                    if c == 'w' {
                        match v.parse::<u64>() {
                            Ok(n) => wait_ms = Some(n.saturating_mul(1000).min(MAX_MS)),
                            Err(_) => {
                                out.err(&format!("nc: invalid number '{v}'\n"));
                                return 1;
                            }
                        }
                    }
                    break;
                }
                other => {
                    out.err(&getopt_error(&place, "nc", "invalid", &other.to_string()));
                    return busybox_usage(&place, out, NC_USAGE);
                }
            }
        }
    }
    let (host, port_text) = match rest.as_slice() {
        [h, p] => (h.clone(), p.clone()),
        _ => return busybox_usage(&place, out, NC_USAGE),
    };
    let Some(port) = parse_port(&port_text) else {
        out.err(&format!("nc: bad port '{port_text}'\n"));
        return 1;
    };
    let ip = match resolve(ctx, &host) {
        Ok(ips) if !ips.is_empty() => ips[0].clone(),
        _ => {
            out.err(&format!("nc: bad address '{host}'\n"));
            return 1;
        }
    };
    match ctx.net.tcp_connect(&ip, port) {
        Ok(()) => {
            if verbose > 0 {
                out.err(&format!("{host} ({ip}:{port}) open\n"));
            }
            if zero {
                return 0;
            }
            match converse(ctx, out, "nc", &ip, port) {
                Ok(_) => 0,
                Err(code) => code,
            }
        }
        Err(e) => {
            let e = match (e, wait_ms) {
                (ConnectError::NoRoute, Some(w)) if w < NO_ROUTE_MS => ConnectError::TimedOut,
                (e, _) => e,
            };
            out.err(&format!(
                "nc: {host} ({ip}:{port}): {}\n",
                strerror(libc(&place), e)
            ));
            1
        }
    }
}

fn telnet(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let place = ctx.place;
    let mut rest: Vec<&String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "-a" => {}
            "-l" => i += 1,
            s if s.starts_with("-l") => {}
            s if s.starts_with('-') && s.len() > 1 => {
                out.err(&getopt_error(&place, "telnet", "invalid", &s[1..2]));
                return busybox_usage(&place, out, TELNET_USAGE);
            }
            _ => rest.push(a),
        }
    }
    let (host, port) = match rest.as_slice() {
        [h] => (h.as_str(), 23),
        [h, p] => match parse_port(p) {
            Some(p) => (h.as_str(), p),
            None => {
                out.err(&format!("telnet: bad port '{p}'\n"));
                return 1;
            }
        },
        _ => return busybox_usage(&place, out, TELNET_USAGE),
    };
    let ip = match resolve(ctx, host) {
        Ok(ips) if !ips.is_empty() => ips[0].clone(),
        _ => {
            out.err(&format!("telnet: bad address '{host}'\n"));
            return 1;
        }
    };
    match ctx.net.tcp_connect(&ip, port) {
        Ok(()) => {
            out.out(&format!("Connected to {host}\n"));
            match converse(ctx, out, "telnet", &ip, port) {
                // The server answered and hung up.
                Ok(true) => {
                    out.out("Connection closed by foreign host\n");
                    1
                }
                // stdin ended (kubectl exec without -i): telnet leaves.
                Ok(false) => 0,
                Err(code) => code,
            }
        }
        Err(e) => {
            out.err(&format!(
                "telnet: can't connect to remote host ({ip}): {}\n",
                strerror(libc(&place), e)
            ));
            1
        }
    }
}

// ------------------------------------------------------------------ ping (BusyBox)

const PING_USAGE: &str = "Usage: ping [OPTIONS] HOST

Send ICMP ECHO_REQUESTs to HOST

	-4,-6		Force IP or IPv6 name resolution
	-c CNT		Send only CNT pings
	-s SIZE		Send SIZE data bytes in packets (default 56)
	-i SECS		Interval
	-A		Ping as soon as reply is received
	-t TTL		Set TTL
	-I IFACE/IP	Source interface or IP address
	-W SEC		Seconds to wait for the first response (default 10)
			(after all -c CNT packets are sent)
	-w SEC		Seconds until ping exits (default:infinite)
			(can exit earlier with -c CNT)
	-q		Quiet, only display output at start/finish
	-p HEXBYTE	Payload pattern
";

fn ping(ctx: &mut Ctx, out: &mut Out, args: &[String]) -> i32 {
    let place = ctx.place;
    let mut count: Option<u64> = None;
    let mut deadline: Option<u64> = None;
    let mut quiet = false;
    let mut size: u64 = 56;
    let mut rest: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if !a.starts_with('-') || a == "-" {
            rest.push(a.clone());
            continue;
        }
        let letters: Vec<char> = a.chars().skip(1).collect();
        let mut j = 0;
        while j < letters.len() {
            let c = letters[j];
            j += 1;
            match c {
                'q' => quiet = true,
                '4' | 'A' | 'v' | 'n' => {}
                '6' => {
                    out.err("ping: Pocket Cluster's network is IPv4 only\n");
                    return 1;
                }
                'c' | 's' | 't' | 'w' | 'W' | 'I' | 'p' | 'i' => {
                    let inline: String = letters[j..].iter().collect();
                    let v = if !inline.is_empty() {
                        inline
                    } else if let Some(v) = args.get(i) {
                        i += 1;
                        v.clone()
                    } else {
                        out.err(&getopt_error(&place, "ping", "missing", &c.to_string()));
                        return busybox_usage(&place, out, PING_USAGE);
                    };
                    let num = || v.parse::<u64>().ok();
                    match c {
                        'c' | 's' | 'w' | 't' | 'W' => {
                            let Some(n) = num() else {
                                out.err(&format!("ping: invalid number '{v}'\n"));
                                return 1;
                            };
                            match c {
                                'c' => count = Some(n),
                                's' => size = n.min(65_507),
                                'w' => deadline = Some(n),
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                    break;
                }
                other => {
                    out.err(&getopt_error(&place, "ping", "invalid", &other.to_string()));
                    return busybox_usage(&place, out, PING_USAGE);
                }
            }
        }
    }
    let host = match rest.as_slice() {
        [h] => h.clone(),
        _ => return busybox_usage(&place, out, PING_USAGE),
    };
    let packets = match (count, deadline) {
        (Some(c), Some(w)) => c.min(w.max(1)),
        (Some(c), None) => c,
        (None, Some(w)) => w.max(1),
        (None, None) => {
            out.err("ping: Pocket Cluster does not run ping without -c or -w (it never ends): try ping -c 3 HOST\n");
            return 1;
        }
    };
    let ip = match resolve(ctx, &host) {
        Ok(ips) if !ips.is_empty() => ips[0].clone(),
        _ => {
            out.err(&format!("ping: bad address '{host}'\n"));
            return 1;
        }
    };
    let first = match ctx.net.icmp_echo(&ip) {
        Some(r) => r,
        None => {
            out.err("ping: Pocket Cluster does not simulate ICMP on this network: TCP and HTTP work (try nc -zv HOST PORT, or wget)\n");
            return 1;
        }
    };
    let mut text = format!("PING {host} ({ip}): {size} data bytes\n");
    let sent = packets.min(PING_LIMIT);
    let mut received = 0u64;
    let mut times: Vec<u64> = Vec::new();
    for seq in 0..sent {
        let r = if seq == 0 {
            first
        } else {
            ctx.net
                .icmp_echo(&ip)
                .unwrap_or(Err(ConnectError::TimedOut))
        };
        if r.is_ok() {
            received += 1;
            let base = if is_loopback(&ip) { 40 } else { 60 };
            let us = base + mix(&format!("{ip}#{seq}")) % 40;
            times.push(us);
            if !quiet {
                text.push_str(&format!(
                    "{} bytes from {ip}: seq={seq} ttl=64 time={}.{:03} ms\n",
                    size + 8,
                    us / 1000,
                    us % 1000
                ));
            }
        }
    }
    if packets > PING_LIMIT {
        out.out(&text);
        text = String::new();
        out.err(&format!(
            "ping: Pocket Cluster sends at most {PING_LIMIT} packets\n"
        ));
    }
    text.push_str(&format!(
        "\n--- {host} ping statistics ---\n{sent} packets transmitted, {received} packets received, {}% packet loss\n",
        (sent - received) * 100 / sent.max(1)
    ));
    if !times.is_empty() {
        let min = times.iter().copied().min().unwrap_or(0);
        let max = times.iter().copied().max().unwrap_or(0);
        let avg = times.iter().sum::<u64>() / times.len() as u64;
        let f = |us: u64| format!("{}.{:03}", us / 1000, us % 1000);
        text.push_str(&format!(
            "round-trip min/avg/max = {}/{}/{} ms\n",
            f(min),
            f(avg),
            f(max)
        ));
    }
    out.out(&text);
    i32::from(received == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::network::Lookup;
    use std::collections::BTreeMap;

    /// What listens at an address and port.
    #[derive(Clone)]
    enum Svc {
        /// Answers every path: `/` with the body, `/missing` 404, `/old` a 301 to `/`, `/loop`
        /// a 302 to itself, `/far` a 302 to `http://other/`.
        Web(&'static str),
        Refuse,
        Drop,
        NoRoute,
        Reset,
    }

    /// A small network: a few names (with the pod's search path), some listeners.
    struct FakeNet {
        names: Vec<(&'static str, Vec<&'static str>)>,
        cnames: Vec<(&'static str, &'static str)>,
        search: Vec<&'static str>,
        dns_down: bool,
        listeners: BTreeMap<(String, u16), Svc>,
        ptr: Vec<(&'static str, &'static str)>,
        icmp: Option<Vec<&'static str>>,
        requests: Vec<HttpRequest>,
        lookups: Vec<String>,
    }

    impl FakeNet {
        fn new() -> FakeNet {
            let mut listeners = BTreeMap::new();
            listeners.insert(("10.96.0.12".to_string(), 80), Svc::Web("hello from web\n"));
            listeners.insert(("10.96.0.12".to_string(), 81), Svc::Refuse);
            listeners.insert(("10.96.0.13".to_string(), 80), Svc::Drop);
            listeners.insert(("10.96.0.14".to_string(), 80), Svc::Reset);
            listeners.insert(("10.96.0.15".to_string(), 80), Svc::NoRoute);
            listeners.insert(("10.96.0.20".to_string(), 80), Svc::Web("other\n"));
            listeners.insert(
                ("10.96.0.1".to_string(), 443),
                Svc::Web("{\"kind\":\"Status\"}\n"),
            );
            listeners.insert(("127.0.0.1".to_string(), 80), Svc::Web("local\n"));
            FakeNet {
                names: vec![
                    ("web.default.svc.cluster.local", vec!["10.96.0.12"]),
                    ("slow.default.svc.cluster.local", vec!["10.96.0.13"]),
                    ("reset.default.svc.cluster.local", vec!["10.96.0.14"]),
                    ("gone.default.svc.cluster.local", vec!["10.96.0.15"]),
                    ("other.default.svc.cluster.local", vec!["10.96.0.20"]),
                    ("kubernetes.default.svc.cluster.local", vec!["10.96.0.1"]),
                    (
                        "db.default.svc.cluster.local",
                        vec!["10.244.1.7", "10.244.2.9"],
                    ),
                    ("example.com", vec!["93.184.215.14"]),
                ],
                cnames: vec![("ext.default.svc.cluster.local", "example.com")],
                search: vec![
                    "default.svc.cluster.local",
                    "svc.cluster.local",
                    "cluster.local",
                ],
                dns_down: false,
                listeners,
                ptr: vec![
                    ("10.96.0.10", "kube-dns.kube-system.svc.cluster.local"),
                    ("10.96.0.12", "web.default.svc.cluster.local"),
                ],
                icmp: None,
                requests: Vec::new(),
                lookups: Vec::new(),
            }
        }

        fn answer(&self, fqdn: &str) -> Option<Lookup> {
            if let Some((_, target)) = self.cnames.iter().find(|(n, _)| *n == fqdn) {
                let mut l = self.answer(target)?;
                l.name = fqdn.to_string();
                l.cnames.insert(0, target.to_string());
                return Some(l);
            }
            let (_, ips) = self.names.iter().find(|(n, _)| *n == fqdn)?;
            Some(Lookup {
                server: "10.96.0.10".into(),
                name: fqdn.to_string(),
                cnames: Vec::new(),
                addresses: ips.iter().map(|s| s.to_string()).collect(),
                tried: vec![(fqdn.to_string(), true)],
            })
        }
    }

    impl Network for FakeNet {
        fn lookup(&mut self, name: &str) -> Result<Lookup, LookupError> {
            self.lookups.push(name.to_string());
            if self.dns_down {
                return Err(LookupError::Timeout {
                    server: "10.96.0.10".into(),
                });
            }
            let mut tried = Vec::new();
            let candidates: Vec<String> = if let Some(abs) = name.strip_suffix('.') {
                vec![abs.to_string()]
            } else if name.matches('.').count() < 5 {
                let mut c: Vec<String> =
                    self.search.iter().map(|d| format!("{name}.{d}")).collect();
                c.push(name.to_string());
                c
            } else {
                vec![name.to_string()]
            };
            for c in candidates {
                if let Some(mut l) = self.answer(&c) {
                    tried.push((c, true));
                    l.tried = tried;
                    return Ok(l);
                }
                tried.push((c, false));
            }
            Err(LookupError::NxDomain {
                name: name.to_string(),
                tried: tried.into_iter().map(|(n, _)| n).collect(),
            })
        }

        fn http(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
            self.requests.push(request.clone());
            let ip = if request.ip.is_empty() {
                // curl leaves `ip` to the network: it is the address it connected to.
                self.names
                    .iter()
                    .find(|(n, _)| n.starts_with(&format!("{}.", request.host)))
                    .map(|(_, ips)| ips[0].to_string())
                    .unwrap_or_else(|| request.host.clone())
            } else {
                request.ip.clone()
            };
            let ip = if request.host == "localhost" {
                "127.0.0.1".into()
            } else {
                ip
            };
            match self.listeners.get(&(ip, request.port)).cloned() {
                None | Some(Svc::Refuse) => Err(ConnectError::Refused),
                Some(Svc::Drop) => Err(ConnectError::TimedOut),
                Some(Svc::NoRoute) => Err(ConnectError::NoRoute),
                Some(Svc::Reset) => Err(ConnectError::Reset),
                Some(Svc::Web(body)) => Ok(web(request, body)),
            }
        }

        fn tcp_connect(&mut self, ip: &str, port: u16) -> Result<(), ConnectError> {
            match self.listeners.get(&(ip.to_string(), port)) {
                None | Some(Svc::Refuse) => Err(ConnectError::Refused),
                Some(Svc::Drop) => Err(ConnectError::TimedOut),
                Some(Svc::NoRoute) => Err(ConnectError::NoRoute),
                Some(_) => Ok(()),
            }
        }

        fn reverse_lookup(&mut self, ip: &str) -> Option<String> {
            self.ptr
                .iter()
                .find(|(i, _)| *i == ip)
                .map(|(_, n)| n.to_string())
        }

        fn icmp_echo(&mut self, ip: &str) -> Option<Result<(), ConnectError>> {
            let pods = self.icmp.as_ref()?;
            Some(if pods.contains(&ip) {
                Ok(())
            } else {
                Err(ConnectError::TimedOut)
            })
        }
    }

    fn resp(status: u16, reason: &str, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        let mut hs: Vec<(String, String)> = vec![
            ("Server".into(), "nginx/1.25.3".into()),
            ("Date".into(), "Thu, 01 Jan 1970 00:05:00 GMT".into()),
        ];
        hs.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        hs.push(("Content-Length".into(), body.len().to_string()));
        HttpResponse {
            version: "HTTP/1.1".into(),
            status,
            reason: reason.into(),
            headers: hs,
            body: body.into(),
        }
    }

    fn web(request: &HttpRequest, body: &'static str) -> HttpResponse {
        let path = request.path.split('?').next().unwrap_or("/");
        match path {
            "/" | "/index.html" => resp(200, "OK", &[("Content-Type", "text/html")], body),
            "/old" => resp(301, "Moved Permanently", &[("Location", "/")], "moved\n"),
            "/loop" => resp(302, "Found", &[("Location", "/loop")], ""),
            "/far" => resp(302, "Found", &[("Location", "http://other/")], ""),
            "/echo" => resp(
                200,
                "OK",
                &[("Content-Type", "text/plain")],
                Box::leak(
                    format!(
                        "{} {} host={} body={}\n",
                        request.method,
                        request.path,
                        request
                            .headers
                            .iter()
                            .find(|(k, _)| k == "Host")
                            .map(|(_, v)| v.as_str())
                            .unwrap_or(""),
                        request.body
                    )
                    .into_boxed_str(),
                ),
            ),
            "/big" => resp(
                200,
                "OK",
                &[],
                Box::leak("x".repeat(BODY_LIMIT + 10).into_boxed_str()),
            ),
            _ => resp(
                404,
                "Not Found",
                &[("Content-Type", "text/html")],
                "<html>404</html>\n",
            ),
        }
    }

    #[derive(Default)]
    struct FakeFiles {
        files: BTreeMap<String, String>,
    }

    impl FakeFiles {
        fn pod() -> FakeFiles {
            let mut f = FakeFiles::default();
            f.files.insert(
                "/etc/hosts".into(),
                "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.244.1.5\tclient\n".into(),
            );
            f.files.insert(
                "/etc/resolv.conf".into(),
                "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n".into(),
            );
            f.files.insert("/tmp".into(), String::new());
            f
        }
        fn abs(path: &str) -> String {
            crate::sim::fs::resolve("/", path).unwrap_or_default()
        }
    }

    impl Files for FakeFiles {
        fn read(&mut self, path: &str) -> Result<String, FsError> {
            self.files
                .get(&Self::abs(path))
                .cloned()
                .ok_or(FsError::NotFound)
        }
        fn write(&mut self, path: &str, text: &str) -> Result<(), FsError> {
            let p = Self::abs(path);
            if p.starts_with("/nope/") {
                return Err(FsError::NotFound);
            }
            self.files.insert(p, text.to_string());
            Ok(())
        }
        fn exists(&mut self, path: &str) -> bool {
            self.files.contains_key(&Self::abs(path))
        }
    }

    /// Split like a shell would, for tests: words, with '…' quoting.
    fn words(line: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut any = false;
        for c in line.chars() {
            match c {
                '\'' => {
                    quoted = !quoted;
                    any = true;
                }
                ' ' if !quoted => {
                    if any || !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                    any = false;
                }
                c => cur.push(c),
            }
        }
        if any || !cur.is_empty() {
            out.push(cur);
        }
        out
    }

    struct Run {
        stdout: String,
        stderr: String,
        all: String,
        code: i32,
    }

    fn run_on(net: &mut FakeNet, files: &mut FakeFiles, image: &str, tty: bool, line: &str) -> Run {
        let family = crate::sim::rootfs::family(image);
        let argv = words(line);
        let mut ctx = Ctx {
            net,
            files,
            place: Place {
                family,
                image,
                ip: "10.244.1.5",
                tty,
            },
            stdin: None,
        };
        let r = super::run(&argv[0], &argv[1..], &mut ctx);
        let pick = |fd: u8| {
            r.out
                .iter()
                .filter(|(f, _)| *f == fd)
                .map(|(_, t)| t.as_str())
                .collect::<String>()
        };
        Run {
            stdout: pick(1),
            stderr: pick(2),
            all: r.out.iter().map(|(_, t)| t.as_str()).collect(),
            code: r.code,
        }
    }

    /// Run `line` in a fresh pod of `image` (not a terminal).
    fn run(image: &str, line: &str) -> Run {
        run_on(
            &mut FakeNet::new(),
            &mut FakeFiles::pod(),
            image,
            false,
            line,
        )
    }

    const DEBIAN: &str = "nginx:1.25";
    const ALPINE: &str = "nginx:1.27-alpine";
    const BUSYBOX: &str = "busybox:1.36";

    // -------------------------------------------------------------- curl

    const METER_DONE_15: &str =
        "100    15  100    15    0     0   5000      0 --:--:-- --:--:-- --:--:--  5000\n";
    const METER_ZERO: &str =
        "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n";

    #[test]
    fn curl_body_and_the_progress_meter_of_a_pipe() {
        let r = run(DEBIAN, "curl -s http://web/");
        assert_eq!((r.all.as_str(), r.code), ("hello from web\n", 0));
        // Without -s and without a terminal the meter goes to stderr; stdout (a pipe, buffered)
        // comes out when curl exits.
        let r = run(DEBIAN, "curl http://web/");
        assert_eq!(r.stderr, format!("{METER_HEAD}{METER_DONE_15}"));
        assert_eq!(r.stdout, "hello from web\n");
        assert!(r.all.ends_with("hello from web\n"));
        // On a terminal (kubectl exec -it) there is no meter.
        let r = run_on(
            &mut FakeNet::new(),
            &mut FakeFiles::pod(),
            DEBIAN,
            true,
            "curl http://web/",
        );
        assert_eq!(r.all, "hello from web\n");
        // -o FILE: the meter even on a terminal, the body in the file.
        let mut files = FakeFiles::pod();
        let r = run_on(
            &mut FakeNet::new(),
            &mut files,
            DEBIAN,
            true,
            "curl -o /tmp/page http://web/",
        );
        assert_eq!(r.stdout, "");
        assert_eq!(r.stderr, format!("{METER_HEAD}{METER_DONE_15}"));
        assert_eq!(
            files.files.get("/tmp/page").map(String::as_str),
            Some("hello from web\n")
        );
    }

    #[test]
    fn curl_7_verbose_lines() {
        let r = run(DEBIAN, "curl -sv http://web/");
        assert_eq!(
            r.stderr,
            "*   Trying 10.96.0.12:80...
* Connected to web (10.96.0.12) port 80 (#0)
> GET / HTTP/1.1
> Host: web
> User-Agent: curl/7.88.1
> Accept: */*
> 
< HTTP/1.1 200 OK
< Server: nginx/1.25.3
< Date: Thu, 01 Jan 1970 00:05:00 GMT
< Content-Type: text/html
< Content-Length: 15
< 
{ [15 bytes data]
* Connection #0 to host web left intact
"
        );
        assert_eq!(r.stdout, "hello from web\n");
        // On a terminal the body comes before the last line, and no `{ [15 bytes data]`.
        let r = run_on(
            &mut FakeNet::new(),
            &mut FakeFiles::pod(),
            DEBIAN,
            true,
            "curl -v http://web/",
        );
        assert!(r
            .all
            .ends_with("< \nhello from web\n* Connection #0 to host web left intact\n"));
    }

    #[test]
    fn curl_8_verbose_lines() {
        let r = run(ALPINE, "curl -sv http://web:80/");
        assert_eq!(
            r.stderr,
            "* Host web:80 was resolved.
* IPv6: (none)
* IPv4: 10.96.0.12
*   Trying 10.96.0.12:80...
* Connected to web (10.96.0.12) port 80
* using HTTP/1.x
> GET / HTTP/1.1
> Host: web
> User-Agent: curl/8.12.1
> Accept: */*
> 
* Request completely sent off
< HTTP/1.1 200 OK
< Server: nginx/1.25.3
< Date: Thu, 01 Jan 1970 00:05:00 GMT
< Content-Type: text/html
< Content-Length: 15
< 
{ [15 bytes data]
* Connection #0 to host web left intact
"
        );
        // A headless Service's addresses are all listed; curl connects to the first.
        let r = run(ALPINE, "curl -sv http://db:8080/");
        assert!(r
            .stderr
            .contains("* IPv4: 10.244.1.7, 10.244.2.9\n*   Trying 10.244.1.7:8080...\n"));
        // A redirect, as curl 8.10 prints one.
        let r = run(ALPINE, "curl -sLv -d a=1 http://web/old");
        assert!(r.stderr.contains(
            "< Content-Length: 6
* Ignoring the response-body
* setting size while ignoring
< 
* Connection #0 to host web left intact
* Issue another request to this URL: 'http://web/'
* Switch from POST to GET
* Re-using existing connection with host web
> GET / HTTP/1.1
"
        ));
        let r = run(ALPINE, "curl -sv -X GET http://web/");
        assert!(r
            .stderr
            .starts_with("Note: Unnecessary use of -X or --request, GET is already inferred.\n"));
        // An address literal is not resolved.
        let r = run(ALPINE, "curl -sv http://10.96.0.12/");
        assert!(r.stderr.starts_with(
            "*   Trying 10.96.0.12:80...\n* Connected to 10.96.0.12 (10.96.0.12) port 80\n"
        ));
    }

    #[test]
    fn curl_include_head_and_headers() {
        let r = run(DEBIAN, "curl -si http://web/");
        assert_eq!(
            r.stdout,
            "HTTP/1.1 200 OK\nServer: nginx/1.25.3\nDate: Thu, 01 Jan 1970 00:05:00 GMT\nContent-Type: text/html\nContent-Length: 15\n\nhello from web\n"
        );
        let r = run(DEBIAN, "curl -sI http://web/");
        assert!(
            r.stdout.starts_with("HTTP/1.1 200 OK\n")
                && r.stdout.ends_with("Content-Length: 15\n\n")
        );
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -sI http://web/",
        );
        assert_eq!(net.requests[0].method, "HEAD");
        // A given Host header takes the default's place; others go after Accept.
        let mut net = FakeNet::new();
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s -H 'Host: shop.example.com' -H 'X-Trace: 1' http://web/echo",
        );
        assert_eq!(r.stdout, "GET /echo host=shop.example.com body=\n");
        let names: Vec<&str> = net.requests[0]
            .headers
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(names, ["Host", "User-Agent", "Accept", "X-Trace"]);
        assert_eq!(net.requests[0].host, "web");
        assert_eq!(net.requests[0].ip, "10.96.0.12");
        // `-H 'Accept:'` removes a default header; `-A` replaces the user agent.
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s -H 'Accept:' -A probe/1 http://web/",
        );
        assert_eq!(
            net.requests[0].headers,
            vec![
                ("Host".to_string(), "web".to_string()),
                ("User-Agent".into(), "probe/1".into())
            ]
        );
        // A port that is not the scheme's default is in the Host header.
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s http://web:8080/",
        );
        assert_eq!(net.requests[0].headers[0].1, "web:8080");
    }

    #[test]
    fn curl_methods_and_data() {
        let r = run(DEBIAN, "curl -sv -d a=1 -d b=2 http://web/echo");
        assert_eq!(r.stdout, "POST /echo host=web body=a=1&b=2\n");
        assert!(r.stderr.contains("> Content-Length: 7\n> Content-Type: application/x-www-form-urlencoded\n> \n} [7 bytes data]\n"));
        let r = run(DEBIAN, "curl -s -X PUT http://web/echo");
        assert_eq!(r.stdout, "PUT /echo host=web body=\n");
        let r = run(DEBIAN, "curl -s -XDELETE http://web/echo");
        assert_eq!(r.stdout, "DELETE /echo host=web body=\n");
        let mut net = FakeNet::new();
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s --json {\"a\":1} http://web/echo",
        );
        assert_eq!(r.stdout, "POST /echo host=web body={\"a\":1}\n");
        assert!(net.requests[0]
            .headers
            .contains(&("Content-Type".into(), "application/json".into())));
        // -d @FILE reads the container's file (newlines dropped); a missing one warns.
        let mut files = FakeFiles::pod();
        files.files.insert("/tmp/form".into(), "x=1\ny=2\n".into());
        let r = run_on(
            &mut FakeNet::new(),
            &mut files,
            DEBIAN,
            false,
            "curl -s -d @/tmp/form http://web/echo",
        );
        assert_eq!(r.stdout, "POST /echo host=web body=x=1y=2\n");
        let r = run(DEBIAN, "curl -d @/nope http://web/echo");
        assert!(r.stderr.starts_with("Warning: Couldn't read data from file \"/nope\", this makes an empty \nWarning: POST.\n"));
        // -G puts the data in the query.
        let r = run(DEBIAN, "curl -s -G -d q=1 http://web/echo");
        assert_eq!(r.stdout, "GET /echo?q=1 host=web body=\n");
        // -u sends Basic credentials right after Host.
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s -u admin:secret http://web/",
        );
        assert_eq!(
            net.requests[0].headers[1],
            ("Authorization".into(), "Basic YWRtaW46c2VjcmV0".into())
        );
    }

    #[test]
    fn curl_resolve_errors() {
        let r = run(DEBIAN, "curl -sS http://nope/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (6) Could not resolve host: nope\n", 6)
        );
        let r = run(DEBIAN, "curl -s http://nope/");
        assert_eq!((r.all.as_str(), r.code), ("", 6));
        let r = run(DEBIAN, "curl http://nope/");
        assert_eq!(
            r.all,
            format!("{METER_HEAD}{METER_ZERO}curl: (6) Could not resolve host: nope\n")
        );
        let r = run(DEBIAN, "curl -sSv http://nope/");
        assert_eq!(r.all, "* Could not resolve host: nope\n* Closing connection 0\ncurl: (6) Could not resolve host: nope\n");
        let r = run(ALPINE, "curl -sSv http://nope/");
        assert_eq!(r.all, "* Could not resolve host: nope\n* Closing connection\ncurl: (6) Could not resolve host: nope\n");
        // No DNS answer at all: still (6) after the resolver gives up; (28) when -m is shorter.
        let mut net = FakeNet::new();
        net.dns_down = true;
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -sS http://web/",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (6) Could not resolve host: web\n", 6)
        );
        let mut net = FakeNet::new();
        net.dns_down = true;
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -sS -m 5 http://web/",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "curl: (28) Resolving timed out after 5001 milliseconds\n",
                28
            )
        );
        // /etc/hosts answers before DNS: localhost and the pod's own name.
        let mut net = FakeNet::new();
        net.dns_down = true;
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s localhost",
        );
        assert_eq!(r.all, "local\n");
        assert!(net.lookups.is_empty());
        // --resolve pins an address.
        let r = run(DEBIAN, "curl -sv --resolve shop:80:10.96.0.20 http://shop/");
        assert!(r.stderr.starts_with("* Added shop:80:10.96.0.20 to DNS cache\n* Hostname shop was found in DNS cache\n*   Trying 10.96.0.20:80...\n"));
        assert_eq!(r.stdout, "other\n");
    }

    #[test]
    fn curl_connect_errors() {
        let r = run(DEBIAN, "curl -sS http://web:81/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (7) Failed to connect to web port 81 after 1 ms: Couldn't connect to server\n", 7)
        );
        let r = run(ALPINE, "curl -sS http://web:81/");
        assert_eq!(
            r.all,
            "curl: (7) Failed to connect to web port 81 after 1 ms: Could not connect to server\n"
        );
        let r = run(DEBIAN, "curl -v http://web:81/");
        assert_eq!(
            r.all,
            format!(
                "{METER_HEAD}*   Trying 10.96.0.12:81...
* connect to 10.96.0.12 port 81 failed: Connection refused
* Failed to connect to web port 81 after 1 ms: Couldn't connect to server
* Closing connection 0
{METER_ZERO}curl: (7) Failed to connect to web port 81 after 1 ms: Couldn't connect to server
"
            )
        );
        let r = run(ALPINE, "curl -sv http://web:81/");
        assert!(r
            .stderr
            .contains("* connect to 10.96.0.12 port 81 from 10.244.1.5 port "));
        assert!(r.stderr.contains(" failed: Connection refused\n"));
        // Nothing answers: the kernel gives up after 127 s (exit 28, with curl's own words)…
        let r = run(DEBIAN, "curl -sS http://slow/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (28) Failed to connect to slow port 80 after 127001 ms: Couldn't connect to server\n", 28)
        );
        // … unless curl's own limit comes first.
        let r = run(DEBIAN, "curl -sS --connect-timeout 5 http://slow/");
        assert_eq!(
            r.all,
            "curl: (28) Failed to connect to slow port 80 after 5002 ms: Timeout was reached\n"
        );
        let r = run(ALPINE, "curl -sS -m 2.5 http://slow/");
        assert_eq!(
            r.all,
            "curl: (28) Failed to connect to slow port 80 after 2502 ms: Timeout was reached\n"
        );
        let r = run(DEBIAN, "curl -sS http://gone/");
        assert_eq!((r.all.as_str(), r.code), ("curl: (7) Failed to connect to gone port 80 after 3001 ms: Couldn't connect to server\n", 7));
        let r = run(DEBIAN, "curl -sS http://reset/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (52) Empty reply from server\n", 52)
        );
        let r = run(DEBIAN, "curl -sSv http://reset/");
        assert!(r.all.contains("> \n* Empty reply from server\n* Closing connection 0\ncurl: (52) Empty reply from server\n"));
    }

    #[test]
    fn curl_fail_redirects_and_write_out() {
        let r = run(DEBIAN, "curl -s http://web/missing");
        assert_eq!((r.all.as_str(), r.code), ("<html>404</html>\n", 0));
        let r = run(DEBIAN, "curl -sf http://web/missing");
        assert_eq!((r.all.as_str(), r.code), ("", 22));
        let r = run(DEBIAN, "curl -sSf http://web/missing");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (22) The requested URL returned error: 404\n", 22)
        );
        let r = run(DEBIAN, "curl -sS --fail-with-body http://web/missing");
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "curl: (22) The requested URL returned error: 404\n<html>404</html>\n",
                22
            )
        );
        // Without -L a redirect is just a response.
        let r = run(DEBIAN, "curl -s http://web/old");
        assert_eq!(r.all, "moved\n");
        let r = run(DEBIAN, "curl -sL http://web/old");
        assert_eq!(r.all, "hello from web\n");
        let r = run(DEBIAN, "curl -siL http://web/old");
        assert!(r.stdout.starts_with("HTTP/1.1 301 Moved Permanently\n"));
        assert!(r.stdout.contains("\n\nHTTP/1.1 200 OK\n"));
        let r = run(DEBIAN, "curl -sSL http://web/loop");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (47) Maximum (50) redirects followed\n", 47)
        );
        let r = run(DEBIAN, "curl -sSL --max-redirs 3 http://web/loop");
        assert_eq!(r.all, "curl: (47) Maximum (3) redirects followed\n");
        // A redirect to another host opens a second connection.
        let r = run(DEBIAN, "curl -sLv http://web/far");
        assert!(r.stderr.contains("* Issue another request to this URL: 'http://other/'\n*   Trying 10.96.0.20:80...\n* Connected to other (10.96.0.20) port 80 (#1)\n"));
        assert_eq!(r.stdout, "other\n");
        let r = run(DEBIAN, "curl -s -o /dev/null -w %{http_code} http://web/");
        assert_eq!(r.all, "200");
        let r = run(DEBIAN, "curl -s -w '%{http_code} %{remote_ip}:%{remote_port} %{url_effective} %{num_redirects}\\n' -o /dev/null -L http://web/old");
        assert_eq!(r.all, "200 10.96.0.12:80 http://web/ 1\n");
        let r = run(DEBIAN, "curl -s -w %{http_code} http://nope/");
        assert_eq!((r.all.as_str(), r.code), ("000", 6));
        let r = run(DEBIAN, "curl -s -o /dev/null -w '%{content_type} %{size_download} %header{server} %{bogus}' http://web/");
        assert_eq!(r.stdout, "text/html 15 nginx/1.25.3 ");
        assert_eq!(r.stderr, "curl: unknown --write-out variable: 'bogus'\n");
    }

    #[test]
    fn curl_urls() {
        let r = run(DEBIAN, "curl http://");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (3) URL using bad/illegal format or missing URL\n", 3)
        );
        let r = run(ALPINE, "curl http://");
        assert_eq!(r.all, "curl: (3) URL rejected: No host part in the URL\n");
        let r = run(ALPINE, "curl http://web:99999/");
        assert_eq!(
            r.all,
            "curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535\n"
        );
        let r = run(ALPINE, "curl http://we<b/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (3) URL rejected: Bad hostname\n", 3)
        );
        let r = run(DEBIAN, "curl foo://x/");
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "curl: (1) Protocol \"foo\" not supported or disabled in libcurl\n",
                1
            )
        );
        let r = run(ALPINE, "curl foo://x/");
        assert_eq!(r.all, "curl: (1) Protocol \"foo\" not supported\n");
        let r = run(DEBIAN, "curl ftp://x/");
        assert_eq!(r.code, 1);
        assert!(r.all.contains("not ftp://"));
        let r = run(DEBIAN, "curl http://[::1]/");
        assert_eq!(r.code, 7);
        assert!(r.all.contains("IPv4 only"));
        // Scheme defaults to http, port to 80; dot segments are squashed; the fragment dropped.
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            DEBIAN,
            false,
            "curl -s web/a/../echo?x=1#top",
        );
        assert_eq!(
            (
                net.requests[0].scheme.as_str(),
                net.requests[0].port,
                net.requests[0].path.as_str()
            ),
            ("http", 80, "/echo?x=1")
        );
        // file:// reads the container's files.
        let r = run(DEBIAN, "curl -s file:///etc/resolv.conf");
        assert!(r.stdout.starts_with("search default.svc.cluster.local"));
        let r = run(DEBIAN, "curl -sS file:///nope");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (37) Couldn't open file /nope\n", 37)
        );
    }

    #[test]
    fn curl_tls_and_options() {
        let r = run(DEBIAN, "curl -sS https://kubernetes/");
        assert_eq!(r.code, 60);
        assert!(r.all.starts_with("curl: (60) SSL certificate problem: unable to get local issuer certificate\nMore details here: https://curl.se/docs/sslcerts.html\n"));
        let r = run(DEBIAN, "curl -sk https://kubernetes/");
        assert_eq!((r.all.as_str(), r.code), ("{\"kind\":\"Status\"}\n", 0));
        let r = run(DEBIAN, "curl -s --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt https://kubernetes/");
        assert_eq!(r.code, 0);
        let r = run(DEBIAN, "curl --foo http://web/");
        assert_eq!((r.all.as_str(), r.code), ("curl: option --foo: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n", 2));
        let r = run(DEBIAN, "curl http://web/ -o");
        assert_eq!(r.all, "curl: option -o: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
        let r = run(DEBIAN, "curl -m soon http://web/");
        assert_eq!(r.all, "curl: option -m: expected a proper numerical parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
        let r = run(DEBIAN, "curl");
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "curl: try 'curl --help' or 'curl --manual' for more information\n",
                2
            )
        );
        let r = run(DEBIAN, "curl -s");
        assert_eq!(r.all, "curl: no URL specified!\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
        let r = run(DEBIAN, "curl -F a=b http://web/");
        assert_eq!(r.code, 2);
        assert!(r.all.contains("-F (--form) is not simulated"));
        let r = run(DEBIAN, "curl --version");
        assert!(r
            .stdout
            .starts_with("curl 7.88.1 (x86_64-pc-linux-gnu) libcurl/7.88.1"));
        let r = run(ALPINE, "curl -V");
        assert!(r.stdout.starts_with("curl 8.12.1 "));
        let r = run(DEBIAN, "curl --help");
        assert!(r.stdout.starts_with("Usage: curl [options...] <url>\n"));
        // -o into a directory that does not exist.
        let r = run(DEBIAN, "curl -sS -o /nope/x http://web/");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("curl: (23) Failure writing output to destination\n", 23)
        );
        // -O names the file after the URL.
        let mut files = FakeFiles::pod();
        run_on(
            &mut FakeNet::new(),
            &mut files,
            DEBIAN,
            false,
            "curl -sO http://web/index.html",
        );
        assert_eq!(
            files.files.get("/index.html").map(String::as_str),
            Some("hello from web\n")
        );
    }

    #[test]
    fn curl_bodies_are_capped() {
        let r = run(DEBIAN, "curl -s http://web/big");
        assert_eq!(r.stdout.len(), BODY_LIMIT);
        assert!(r.stderr.contains("kept the first 1 MiB"));
    }

    // -------------------------------------------------------------- wget

    #[test]
    fn wget_saves_and_prints() {
        let mut files = FakeFiles::pod();
        let r = run_on(
            &mut FakeNet::new(),
            &mut files,
            BUSYBOX,
            false,
            "wget http://web/",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "Connecting to web (10.96.0.12:80)
saving to 'index.html'
index.html           100% |********************************|    15  0:00:00 ETA
'index.html' saved
",
                0
            )
        );
        assert_eq!(
            files.files.get("/index.html").map(String::as_str),
            Some("hello from web\n")
        );
        // The file is there now: BusyBox will not overwrite it without -O.
        let r = run_on(
            &mut FakeNet::new(),
            &mut files,
            BUSYBOX,
            false,
            "wget http://web/",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "Connecting to web (10.96.0.12:80)\nwget: can't open 'index.html': File exists\n",
                1
            )
        );
        let r = run_on(
            &mut FakeNet::new(),
            &mut files,
            BUSYBOX,
            false,
            "wget -q -O /tmp/page http://web/index.html",
        );
        assert_eq!((r.all.as_str(), r.code), ("", 0));
        assert_eq!(
            files.files.get("/tmp/page").map(String::as_str),
            Some("hello from web\n")
        );
        let r = run(BUSYBOX, "wget -qO- http://web/");
        assert_eq!((r.all.as_str(), r.code), ("hello from web\n", 0));
        let r = run(BUSYBOX, "wget -O- http://web/");
        assert_eq!(r.stdout, "hello from web\n");
        assert_eq!(r.stderr, "Connecting to web (10.96.0.12:80)\nwriting to stdout\n-                    100% |********************************|    15  0:00:00 ETA\nwritten to stdout\n");
        let r = run(BUSYBOX, "wget -S -O /dev/null http://web:80/");
        assert!(r.stderr.starts_with(
            "Connecting to web:80 (10.96.0.12:80)\n  HTTP/1.1 200 OK\n  Server: nginx/1.25.3\n"
        ));
        let r = run(BUSYBOX, "wget --spider http://web/");
        assert_eq!(
            r.all,
            "Connecting to web (10.96.0.12:80)\nremote file exists\n"
        );
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "wget -q -O- --header 'X-A: 1' --post-data a=1 http://web/echo",
        );
        let names: Vec<&str> = net.requests[0]
            .headers
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Host",
                "User-Agent",
                "Connection",
                "X-A",
                "Content-Type",
                "Content-Length"
            ]
        );
        assert_eq!(net.requests[0].method, "POST");
        // Redirects: to the same server quietly, to another with a new "Connecting to".
        let r = run(BUSYBOX, "wget -O- http://web/far");
        assert!(r.stderr.starts_with(
            "Connecting to web (10.96.0.12:80)\nConnecting to other (10.96.0.20:80)\n"
        ));
        let r = run(BUSYBOX, "wget -q -O- http://web/loop");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("wget: too many redirections\n", 1)
        );
    }

    #[test]
    fn wget_errors() {
        let r = run(BUSYBOX, "wget http://nope/");
        assert_eq!((r.all.as_str(), r.code), ("wget: bad address 'nope'\n", 1));
        let r = run(BUSYBOX, "wget -q http://nope:8080/");
        assert_eq!(r.all, "wget: bad address 'nope:8080'\n");
        let r = run(BUSYBOX, "wget http://web:81/");
        assert_eq!((r.all.as_str(), r.code), ("Connecting to web:81 (10.96.0.12:81)\nwget: can't connect to remote host (10.96.0.12): Connection refused\n", 1));
        let r = run(BUSYBOX, "wget -q http://web/missing");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("wget: server returned error: HTTP/1.1 404 Not Found\n", 1)
        );
        let r = run(BUSYBOX, "wget -q -T 2 http://slow/");
        assert_eq!(r.all, "wget: download timed out\n");
        let r = run(BUSYBOX, "wget -q http://slow/");
        assert_eq!(
            r.all,
            "wget: can't connect to remote host (10.96.0.13): Connection timed out\n"
        );
        let r = run("alpine:3.20", "wget -q http://slow/");
        assert_eq!(
            r.all,
            "wget: can't connect to remote host (10.96.0.13): Operation timed out\n"
        );
        let r = run("alpine:3.20", "wget -q http://gone/");
        assert_eq!(
            r.all,
            "wget: can't connect to remote host (10.96.0.15): Host is unreachable\n"
        );
        let r = run(BUSYBOX, "wget -q http://reset/");
        assert_eq!(
            r.all,
            "wget: error getting response: Connection reset by peer\n"
        );
        let r = run(BUSYBOX, "wget -q -O /nope/x http://web/");
        assert_eq!(
            r.all,
            "wget: can't open '/nope/x': No such file or directory\n"
        );
        let r = run(BUSYBOX, "wget gopher://x/");
        assert_eq!(r.all, "wget: not an http or ftp url: gopher://x/\n");
        let r = run(BUSYBOX, "wget");
        assert!(r.all.starts_with(
            "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget "
        ));
        assert_eq!(r.code, 1);
        let r = run(BUSYBOX, "wget -Z http://web/");
        assert!(r
            .all
            .starts_with("wget: invalid option -- 'Z'\nBusyBox v1.36.1"));
        let r = run("alpine:3.20", "wget --bogus http://web/");
        assert!(r
            .all
            .starts_with("wget: unrecognized option: bogus\nBusyBox"));
        let r = run(BUSYBOX, "wget -T x http://web/");
        assert_eq!(r.all, "wget: invalid number 'x'\n");
    }

    // -------------------------------------------------------------- nslookup

    #[test]
    fn nslookup_busybox_new_format() {
        let r = run(BUSYBOX, "nslookup web");
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "Server:\t\t10.96.0.10
Address:\t10.96.0.10:53

Name:\tweb.default.svc.cluster.local
Address: 10.96.0.12

** server can't find web.svc.cluster.local: NXDOMAIN

** server can't find web.cluster.local: NXDOMAIN

*** Can't find web.default.svc.cluster.local: No answer

** server can't find web.svc.cluster.local: NXDOMAIN

** server can't find web.cluster.local: NXDOMAIN

",
                1
            )
        );
        // A name with a dot is asked as it is: BusyBox applies no search path (nor ndots) then.
        let r = run(BUSYBOX, "nslookup web.default");
        assert_eq!(
            r.all,
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find web.default: NXDOMAIN\n\n** server can't find web.default: NXDOMAIN\n\n"
        );
        let r = run(BUSYBOX, "nslookup kubernetes.default.svc.cluster.local");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tkubernetes.default.svc.cluster.local\nAddress: 10.96.0.1\n\n*** Can't find kubernetes.default.svc.cluster.local: No answer\n\n", 0)
        );
        // An ExternalName Service: a CNAME, and the target's address from upstream.
        let r = run(BUSYBOX, "nslookup -type=a ext.default.svc.cluster.local");
        assert_eq!(
            r.all,
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\next.default.svc.cluster.local\tcanonical name = example.com\nName:\texample.com\nAddress: 93.184.215.14\n\n"
        );
        // Outside the cluster's zone the answer is not authoritative.
        let r = run(BUSYBOX, "nslookup example.com");
        assert!(r.all.contains("\n\nNon-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\nNon-authoritative answer:\n*** Can't find example.com: No answer\n\n"));
        let r = run(BUSYBOX, "nslookup 10.96.0.12");
        assert_eq!(r.all, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n12.0.96.10.in-addr.arpa\tname = web.default.svc.cluster.local\n\n");
        let r = run(BUSYBOX, "nslookup 10.9.9.9");
        assert_eq!((r.all.as_str(), r.code), ("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find 9.9.9.10.in-addr.arpa: NXDOMAIN\n\n", 1));
        let mut net = FakeNet::new();
        net.dns_down = true;
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "nslookup web",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                ";; connection timed out; no servers could be reached\n\n",
                1
            )
        );
        let r = run(BUSYBOX, "nslookup");
        assert!(r
            .all
            .contains("Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]"));
        let r = run(BUSYBOX, "nslookup -type=bogus web");
        assert_eq!(r.all, "nslookup: invalid query type \"bogus\"\n");
        // Each name is asked exactly, once (A and AAAA share the answer).
        let mut net = FakeNet::new();
        run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "nslookup web",
        );
        assert_eq!(
            net.lookups,
            [
                "web.default.svc.cluster.local.",
                "web.svc.cluster.local.",
                "web.cluster.local."
            ]
        );
    }

    #[test]
    fn nslookup_busybox_old_format() {
        // busybox:1.28, as the Kubernetes docs' DNS debugging page shows it.
        let r = run("busybox:1.28", "nslookup kubernetes.default");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      kubernetes.default\nAddress 1: 10.96.0.1\n", 0)
        );
        let r = run("busybox:1.28", "nslookup web");
        assert!(r
            .all
            .ends_with("Name:      web\nAddress 1: 10.96.0.12 web.default.svc.cluster.local\n"));
        let r = run("busybox:1.28", "nslookup nope");
        assert_eq!(r.stderr, "nslookup: can't resolve 'nope'\n");
        assert_eq!(r.code, 1);
        // 1.29 asks the name as typed, without the search path.
        let r = run("busybox:1.29", "nslookup web");
        assert!(r.all.contains("** server can't find web: NXDOMAIN\n"));
    }

    // -------------------------------------------------------------- nc, telnet, ping

    #[test]
    fn nc_and_telnet() {
        let r = run(BUSYBOX, "nc -z web 80");
        assert_eq!((r.all.as_str(), r.code), ("", 0));
        let r = run(BUSYBOX, "nc -zv web 80");
        assert_eq!((r.all.as_str(), r.code), ("web (10.96.0.12:80) open\n", 0));
        let r = run(BUSYBOX, "nc -zv web 81");
        assert_eq!(
            (r.all.as_str(), r.code),
            ("nc: web (10.96.0.12:81): Connection refused\n", 1)
        );
        let r = run(BUSYBOX, "nc -z -w 2 slow 80");
        assert_eq!(r.all, "nc: slow (10.96.0.13:80): Connection timed out\n");
        let r = run(BUSYBOX, "nc -z nope 80");
        assert_eq!(r.all, "nc: bad address 'nope'\n");
        let r = run(BUSYBOX, "nc -z web http");
        assert_eq!(r.all, "nc: bad port 'http'\n");
        let r = run(BUSYBOX, "nc web");
        assert!(r.all.contains("Usage: nc [OPTIONS] HOST PORT"));
        // An HTTP request on stdin gets the raw response.
        let mut net = FakeNet::new();
        let mut files = FakeFiles::pod();
        let mut ctx = Ctx {
            net: &mut net,
            files: &mut files,
            place: Place {
                family: Family::Busybox,
                image: BUSYBOX,
                ip: "10.244.1.5",
                tty: false,
            },
            stdin: Some("GET /echo HTTP/1.0\r\nHost: web\r\n\r\n".into()),
        };
        let r = super::run("nc", &words("web 80"), &mut ctx);
        assert_eq!(r.code, 0);
        assert!(r.out[0]
            .1
            .starts_with("HTTP/1.1 200 OK\nServer: nginx/1.25.3\n"));
        assert!(r.out[0].1.ends_with("\n\nGET /echo host=web body=\n"));
        let r = run(BUSYBOX, "telnet web 80");
        assert_eq!((r.all.as_str(), r.code), ("Connected to web\n", 0));
        let r = run(BUSYBOX, "telnet web 81");
        assert_eq!(
            (r.all.as_str(), r.code),
            (
                "telnet: can't connect to remote host (10.96.0.12): Connection refused\n",
                1
            )
        );
        let r = run(BUSYBOX, "telnet nope 80");
        assert_eq!(r.all, "telnet: bad address 'nope'\n");
    }

    #[test]
    fn ping_replies_and_the_cluster_ip_gotcha() {
        // A network that does not simulate ICMP says so.
        let r = run(BUSYBOX, "ping -c 2 web");
        assert_eq!(r.code, 1);
        assert!(r.all.contains("does not simulate ICMP"));
        let r = run(BUSYBOX, "ping web");
        assert!(r.all.contains("without -c or -w"));
        let mut net = FakeNet::new();
        net.icmp = Some(vec!["10.244.1.7"]);
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "ping -c 3 10.244.1.7",
        );
        assert_eq!(r.code, 0);
        let lines: Vec<&str> = r.all.lines().collect();
        assert_eq!(lines[0], "PING 10.244.1.7 (10.244.1.7): 56 data bytes");
        assert!(lines[1].starts_with("64 bytes from 10.244.1.7: seq=0 ttl=64 time=0.0"));
        assert_eq!(lines[5], "--- 10.244.1.7 ping statistics ---");
        assert_eq!(
            lines[6],
            "3 packets transmitted, 3 packets received, 0% packet loss"
        );
        assert!(lines[7].starts_with("round-trip min/avg/max = 0.0"));
        // A ClusterIP answers no ping (iptables forwards only its ports).
        let mut net = FakeNet::new();
        net.icmp = Some(vec!["10.244.1.7"]);
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "ping -c 2 web",
        );
        assert_eq!(
            (r.all.as_str(), r.code),
            ("PING web (10.96.0.12): 56 data bytes\n\n--- web ping statistics ---\n2 packets transmitted, 0 packets received, 100% packet loss\n", 1)
        );
        let r = run(BUSYBOX, "ping -c 1 nope");
        assert_eq!(r.all, "ping: bad address 'nope'\n");
        let mut net = FakeNet::new();
        net.icmp = Some(vec!["10.244.1.7"]);
        let r = run_on(
            &mut net,
            &mut FakeFiles::pod(),
            BUSYBOX,
            false,
            "ping -c 99999999 10.244.1.7",
        );
        assert!(r
            .all
            .contains("1000 packets transmitted, 1000 packets received"));
    }

    // -------------------------------------------------------------- robustness

    #[test]
    fn random_arguments_never_panic_and_stay_bounded() {
        let vocab: &[&str] = &[
            "-s",
            "-S",
            "-v",
            "-i",
            "-I",
            "-L",
            "-f",
            "-k",
            "-o",
            "-O",
            "-X",
            "-H",
            "-d",
            "-m",
            "-w",
            "-u",
            "-A",
            "-q",
            "-T",
            "-c",
            "-z",
            "-sSL",
            "-qO-",
            "-O-",
            "-zv",
            "-type=a",
            "--spider",
            "--max-time",
            "--connect-timeout",
            "--json",
            "--resolve",
            "--header",
            "--data-urlencode",
            "--write-out",
            "-D",
            "-",
            "--",
            "@-",
            "@/etc/hosts",
            "%{",
            "%",
            "%{http_code}",
            "%header{",
            "\\",
            "http://web/",
            "http://web:81/",
            "web",
            "nope",
            "http://",
            "https://kubernetes/",
            "file:///etc/hosts",
            "ftp://x",
            "http://[::1]:80/",
            "http://web/old",
            "http://web/loop",
            "http://web/far",
            "80",
            "81",
            "65536",
            "-1",
            "0",
            "1.5",
            "..",
            "a=b",
            "Host:",
            "X;",
            "日本",
            "\u{0}",
            "http://web/%zz",
            "http://a@b:c@web/",
            "10.96.0.12",
            "web:99999",
            "999999999999999999999",
            "/tmp/x",
            "/nope/x",
            "-w 2",
        ];
        let mut rng = crate::sim::rng::Rng::new(0x00C0_FFEE);
        for n in 0..3_000 {
            let prog = TOOLS[n % TOOLS.len()];
            let len = rng.below(8) as usize;
            let args: Vec<String> = (0..len)
                .map(|_| vocab[rng.below(vocab.len() as u64) as usize].to_string())
                .collect();
            for image in [DEBIAN, ALPINE, BUSYBOX, "busybox:1.28"] {
                let mut net = FakeNet::new();
                net.icmp = Some(vec!["10.96.0.12"]);
                net.dns_down = n % 7 == 0;
                let mut files = FakeFiles::pod();
                let mut ctx = Ctx {
                    net: &mut net,
                    files: &mut files,
                    place: Place {
                        family: crate::sim::rootfs::family(image),
                        image,
                        ip: "10.244.1.5",
                        tty: n % 3 == 0,
                    },
                    stdin: Some("GET / HTTP/1.1\r\n\r\n".into()),
                };
                let r = super::run(prog, &args, &mut ctx);
                let size: usize = r.out.iter().map(|(_, t)| t.len()).sum();
                assert!(size <= OUT_LIMIT, "{prog} {args:?}");
                assert!((0..=255).contains(&r.code), "{prog} {args:?}: {}", r.code);
            }
        }
    }

    #[test]
    fn helpers() {
        assert!(
            is_ipv4("10.96.0.1")
                && !is_ipv4("10.96.0")
                && !is_ipv4("256.1.1.1")
                && !is_ipv4("1.2.3.4.5")
        );
        assert_eq!(parse_seconds("2.5"), Some(2_500));
        assert_eq!(parse_seconds(".5"), Some(500));
        assert_eq!(parse_seconds("x"), None);
        assert_eq!(parse_seconds("."), None);
        assert_eq!(parse_seconds("99999999999999999999999"), Some(MAX_MS));
        assert_eq!(base64("admin:secret"), "YWRtaW46c2VjcmV0");
        assert_eq!(base64("a"), "YQ==");
        assert_eq!(squash_dots("/a/b/../c/./d?x=../y"), "/a/c/d?x=../y");
        assert_eq!(squash_dots("/.."), "/");
        assert_eq!(max5(615), "  615");
        assert_eq!(max5(615_000), " 600k");
        assert_eq!(max5(15 << 20), "15.0M");
        let u = parse_url("http://web/a/b?c", false).unwrap_or_else(|_| panic!());
        assert_eq!(u.join("/x"), "http://web/x");
        assert_eq!(u.join("y"), "http://web/a/y");
        assert_eq!(u.join("//other/z"), "http://other/z");
        assert_eq!(u.join("https://s/"), "https://s/");
        assert_eq!(ptr_name("10.96.0.12"), "12.0.96.10.in-addr.arpa");
    }
}
