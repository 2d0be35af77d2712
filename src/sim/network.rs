//! What a container (or the learner's laptop) can ask of the simulated network, and what comes
//! back. The network tools (`curl`, `wget`, `nslookup`, … in `nettools.rs`) are written against
//! the [`Network`] trait; the engine answers it from Services, endpoints, kube-proxy and DNS, and
//! records every request's path as [`Hop`]s so it can be explained (and drawn) later.

/// A DNS answer as the asking container's resolver got it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lookup {
    /// The resolver that answered (`10.96.0.10` in a pod: the kube-dns Service).
    pub server: String,
    /// The name that was answered, after the search path and ndots rules
    /// (`web.default.svc.cluster.local`).
    pub name: String,
    /// CNAMEs followed, in order (an ExternalName Service gives one).
    pub cnames: Vec<String>,
    /// IPv4 addresses (A records), in the order the server gave them.
    pub addresses: Vec<String>,
    /// Every name asked, in order, with whether it had an answer (the search path at work).
    pub tried: Vec<(String, bool)>,
}

/// Why a lookup failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// No such name (after every search domain): `name` is the name as typed.
    NxDomain { name: String, tried: Vec<String> },
    /// The resolver did not answer (no DNS pods, a stopped node, no network).
    Timeout { server: String },
}

/// One HTTP request, after the client resolved the host.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    pub method: String,
    /// `http` or `https`.
    pub scheme: String,
    /// The host as written in the URL (what the `Host` header says unless one is given).
    pub host: String,
    /// The address connected to (from the lookup, or the URL when it is an IP).
    pub ip: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Headers the client sends, in order, as it sends them (including `Host`).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    /// `HTTP/1.1`.
    pub version: String,
    pub status: u16,
    /// `OK`, `Not Found`, …
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// Why a connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectError {
    /// Nothing listens there (curl: `Failed to connect … Connection refused`, exit 7).
    Refused,
    /// No answer at all (a stopped node, a Service with no endpoints dropped by iptables:
    /// curl: `Connection timed out`, exit 28).
    TimedOut,
    /// No route to the address (curl: `No route to host`, exit 7).
    NoRoute,
    /// The peer closed the connection without answering (curl: exit 52 or 56).
    Reset,
}

/// One step of a request's path, with the rule that decided it: "kube-proxy (iptables) picked
/// endpoint 10.244.3.4:80 of Service default/web at random (3 ready endpoints)".
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Hop {
    /// Where: `pod default/client`, `dns 10.96.0.10`, `service default/web`, `kube-proxy
    /// worker-1`, `pod default/web-7d9f-abcde`, `container nginx`, `laptop`, …
    pub at: String,
    /// What happened there and why.
    pub detail: String,
}

/// A pod whose container answered an HTTP request (a Service's backend, a proxy answering
/// itself, a gateway combining its upstreams).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Answered {
    /// The cluster's name.
    pub cluster: String,
    pub namespace: String,
    pub pod: String,
}

/// How one request a tool made ended, as the client saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP response with this status.
    Status(u16),
    /// No response: the connection failed.
    Failed(ConnectError),
    /// The name did not resolve (NXDOMAIN, or no DNS server answered).
    NoDns,
}

/// One request a tool made from this place (an HTTP request, or a lookup that failed before
/// one could be sent), for the plots: how it ended, how many hops its trace has (its DNS
/// lookup and every hop inside proxies and gateways), and every pod that answered on its way
/// (a gateway's upstreams, then the gateway; a proxy's backend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub outcome: Outcome,
    pub hops: usize,
    pub served: Vec<Answered>,
}

/// The network as seen from one place (a container, or the laptop).
pub trait Network {
    /// Resolve a name as this place's resolver does (search path, ndots).
    fn lookup(&mut self, name: &str) -> Result<Lookup, LookupError>;
    /// Send one HTTP request; the response, or why the connection failed.
    fn http(&mut self, request: &HttpRequest) -> Result<HttpResponse, ConnectError>;
    /// Open a TCP connection and close it (`nc -z`, `telnet`).
    fn tcp_connect(&mut self, ip: &str, port: u16) -> Result<(), ConnectError>;
    /// The hops of the last lookup or request, for `sim trace` and the map.
    fn last_trace(&self) -> Vec<Hop> {
        Vec::new()
    }
    /// The requests made so far (taken out), for the plots. Only the place a tool runs in
    /// records them, not the proxies and gateways a request passes.
    fn take_requests(&mut self) -> Vec<RequestRecord> {
        Vec::new()
    }
    /// Ask the DNS server for exactly `fqdn`, with no search path and no ndots rule, as
    /// BusyBox's `nslookup` (and `dig`) do: it queries `web.default.svc.cluster.local` and
    /// `web.svc.cluster.local` one by one, where the resolver would stop at the first answer.
    /// The default asks [`Network::lookup`] for the absolute name (a trailing dot: a resolver
    /// never applies the search path to it).
    fn query(&mut self, fqdn: &str) -> Result<Lookup, LookupError> {
        self.lookup(&format!("{}.", fqdn.trim_end_matches('.')))
    }
    /// The name a reverse (PTR) lookup of `ip` gives: CoreDNS answers
    /// `kube-dns.kube-system.svc.cluster.local` for 10.96.0.10. `None`: no PTR record, or a
    /// network that does not simulate reverse lookups (the default); the tools then print the
    /// address alone.
    fn reverse_lookup(&mut self, _ip: &str) -> Option<String> {
        None
    }
    /// One ICMP echo request (`ping`). `None`: this network does not simulate ICMP (the
    /// default), and `ping` says so. `Some(Ok(()))`: a reply (a pod IP); `Some(Err(TimedOut))`:
    /// no reply (a ClusterIP, which iptables only forwards for its TCP/UDP ports; a stopped
    /// node); `Some(Err(NoRoute))`: nothing at that address.
    fn icmp_echo(&mut self, _ip: &str) -> Option<Result<(), ConnectError>> {
        None
    }
}

/// A place with no network (callers with no world at hand): lookups and connections time out,
/// as they would in a container without one.
pub struct Offline;

impl Network for Offline {
    fn lookup(&mut self, _name: &str) -> Result<Lookup, LookupError> {
        Err(LookupError::Timeout {
            server: "10.96.0.10".into(),
        })
    }
    fn http(&mut self, _request: &HttpRequest) -> Result<HttpResponse, ConnectError> {
        Err(ConnectError::TimedOut)
    }
    fn tcp_connect(&mut self, _ip: &str, _port: u16) -> Result<(), ConnectError> {
        Err(ConnectError::TimedOut)
    }
}
