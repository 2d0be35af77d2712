//! What the catalog's servers answer over HTTP: status, headers and body, as the real images do
//! (nginx's welcome and 404 pages, http-echo's `-text`, the course's hello image with its pod
//! name and its tag as the version). Pure functions of the image, its command, the pod and the
//! request, so every replay answers the same.

use crate::sim::clock::{days_from_civil, Millis};
use crate::sim::images;
use crate::sim::network::{HttpRequest, HttpResponse};

/// The container a request reaches.
pub struct Server<'a> {
    pub image: &'a str,
    /// The image's repository, normalised (`images::normalise`).
    pub repo: &'a str,
    /// Command and args, joined.
    pub command: &'a [String],
    pub pod_name: &'a str,
    pub pod_ip: &'a str,
    /// How long the container has been running.
    pub elapsed: Millis,
    /// The virtual time now, and as HTTP's `Date:` writes it.
    pub now: Millis,
    pub date: &'a str,
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// `Mon, 01 Jan 2026 00:05:00 GMT`, as HTTP's `Date:` header is written.
pub fn http_date(t: Millis) -> String {
    let rfc = crate::sim::clock::rfc3339(t);
    // rfc3339 is `YYYY-MM-DDTHH:MM:SSZ`.
    let (date, time) = rfc.split_once('T').unwrap_or(("1970-01-01", "00:00:00Z"));
    let mut parts = date.split('-');
    let y: i64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(1970);
    let m: usize = parts.next().and_then(|p| p.parse().ok()).unwrap_or(1);
    let d: i64 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(1);
    let days = days_from_civil(y, m as i64, d);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {d:02} {} {y} {} GMT",
        WEEKDAYS[days.rem_euclid(7) as usize],
        MONTHS[m.clamp(1, 12) - 1],
        time.trim_end_matches('Z')
    )
}

const NGINX_VERSION: &str = "nginx/1.25.5";

fn nginx_error(status: u16) -> String {
    let title = format!("{status} {}", reason(status));
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{NGINX_VERSION}</center>\r\n</body>\r\n</html>\r\n"
    )
}

fn response(status: u16, headers: Vec<(&str, String)>, body: String) -> HttpResponse {
    HttpResponse {
        version: "HTTP/1.1".into(),
        status,
        reason: reason(status).into(),
        headers: headers
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        body,
    }
}

/// The answer of the container listening on `port`, or None when nothing listens there.
pub fn answer(server: &Server, port: i64, request: &HttpRequest) -> Option<HttpResponse> {
    let path = request.path.split('?').next().unwrap_or("/");
    let status = images::http_status_of(server.repo, server.command, port, path, server.elapsed)?;
    let repo = server.repo;
    let date = server.date.to_string();
    let head = request.method == "HEAD";
    let with_body = |status: u16, mut headers: Vec<(&'static str, String)>, body: String| {
        headers.push(("Content-Length", body.len().to_string()));
        response(status, headers, if head { String::new() } else { body })
    };
    Some(match repo {
        "nginx" | "registry.k8s.io/nginx-slim" => {
            if !["GET", "HEAD"].contains(&request.method.as_str()) && status == 200 {
                let body = nginx_error(405);
                return Some(with_body(
                    405,
                    vec![
                        ("Server", NGINX_VERSION.into()),
                        ("Date", date),
                        ("Content-Type", "text/html".into()),
                        ("Connection", "keep-alive".into()),
                    ],
                    body,
                ));
            }
            let body = if status == 200 {
                crate::sim::rootfs::NGINX_INDEX.to_string()
            } else {
                nginx_error(status)
            };
            let mut headers = vec![
                ("Server", NGINX_VERSION.to_string()),
                ("Date", date),
                ("Content-Type", "text/html".to_string()),
            ];
            if status == 200 {
                headers.push(("Last-Modified", "Tue, 16 Apr 2024 14:29:59 GMT".into()));
                headers.push(("Connection", "keep-alive".into()));
                headers.push(("ETag", "\"661e8b67-267\"".into()));
                headers.push(("Accept-Ranges", "bytes".into()));
            } else {
                headers.push(("Connection", "keep-alive".into()));
            }
            with_body(status, headers, body)
        }
        "hashicorp/http-echo" => {
            let text = server
                .command
                .iter()
                .find_map(|a| a.strip_prefix("-text="))
                .unwrap_or("hello-world");
            with_body(
                status,
                vec![
                    ("X-App-Name", "http-echo".into()),
                    ("X-App-Version", "1.0.0".into()),
                    ("Date", date),
                    ("Content-Type", "text/plain; charset=utf-8".into()),
                ],
                format!("{text}\n"),
            )
        }
        "alexgiavaras/k8s_101_service_gateway"
        | "alexgiavaras/k8s_101_service_1"
        | "alexgiavaras/k8s_101_service_2" => {
            let service = match repo {
                "alexgiavaras/k8s_101_service_1" => "service-1",
                "alexgiavaras/k8s_101_service_2" => "service-2",
                _ => "gateway",
            };
            let (ctype, body) = match (status, path) {
                (200, "/docs") => (
                    "text/html; charset=utf-8",
                    format!("\n    <!DOCTYPE html>\n    <html>\n    <head>\n    <link type=\"text/css\" rel=\"stylesheet\" href=\"https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css\">\n    <title>{service} - Swagger UI</title>\n    </head>\n    <body>\n    <div id=\"swagger-ui\">\n    </div>\n    </body>\n    </html>\n    "),
                ),
                (200, "/health") => ("application/json", "{\"status\":\"ok\"}".to_string()),
                (200, "/openapi.json") => (
                    "application/json",
                    format!("{{\"openapi\":\"3.1.0\",\"info\":{{\"title\":\"{service}\",\"version\":\"0.1.0\"}},\"paths\":{{\"/\":{{\"get\":{{\"summary\":\"Root\"}}}}}}}}"),
                ),
                (200, _) => (
                    "application/json",
                    format!(
                        "{{\"service\":\"{service}\",\"message\":\"Hello from {service}\",\"pod\":\"{}\"}}",
                        server.pod_name
                    ),
                ),
                _ => ("application/json", "{\"detail\":\"Not Found\"}".to_string()),
            };
            uvicorn(status, ctype, body, &date, head)
        }
        "pocketcluster/gateway" => uvicorn(
            status,
            "application/json",
            format!("{{\"gateway\":\"{}\",\"upstreams\":{{}}}}", server.pod_name),
            &date,
            head,
        ),
        // Datawire's quote service (the Emissary quickstart's backend): a quote as JSON.
        "datawire/quote" => {
            const QUOTES: [&str; 4] = [
                "Abstraction is ever present.",
                "A late night does not make any sense.",
                "Nihilism gambles with lives, happiness, and even destiny itself!",
                "The last sentence you read is often sensible nonsense.",
            ];
            let i = (server.now / 1000) as usize % QUOTES.len();
            with_body(
                status,
                vec![("Content-Type", "application/json".into()), ("Date", date)],
                format!(
                    "{{\n    \"server\": \"{}\",\n    \"quote\": \"{}\",\n    \"time\": \"{}\"\n}}",
                    server.pod_name,
                    QUOTES[i],
                    crate::sim::clock::rfc3339(server.now)
                ),
            )
        }
        // HAProxy's echo server: the request as it arrived, as JSON.
        "haproxytech/http-echo" => {
            let headers: Vec<String> = request
                .headers
                .iter()
                .map(|(k, v)| {
                    format!(
                        "\"{}\": \"{}\"",
                        k.to_ascii_lowercase(),
                        v.replace('"', "\\\"")
                    )
                })
                .collect();
            with_body(
                status,
                vec![
                    ("Content-Type", "application/json; charset=utf-8".into()),
                    ("Date", date),
                ],
                format!(
                    "{{\"os\":{{\"hostname\":\"{}\"}},\"http\":{{\"method\":\"{}\",\"url\":\"{}\",\"protocol\":\"{}\"}},\"request\":{{\"headers\":{{{}}}}}}}\n",
                    server.pod_name,
                    request.method,
                    request.path.replace('"', ""),
                    if port == 8443 { "https" } else { "http" },
                    headers.join(",")
                ),
            )
        }
        // The course's TLS-only server (standing in for a gRPC-over-TLS peer): it speaks TLS
        // on 8443 and nothing else; plain HTTP gets Go's answer.
        "pocketcluster/tls-echo" => {
            if request.scheme != "https" {
                let body = "Client sent an HTTP request to an HTTPS server.\n".to_string();
                return Some(HttpResponse {
                    version: "HTTP/1.0".into(),
                    status: 400,
                    reason: "Bad Request".into(),
                    headers: vec![],
                    body,
                });
            }
            with_body(
                status,
                vec![
                    ("Content-Type", "text/plain; charset=utf-8".into()),
                    ("Date", date),
                ],
                format!(
                    "TLS reached {} ({}) unterminated: SNI {}, path {}\n",
                    server.pod_name, server.pod_ip, request.host, path
                ),
            )
        }
        "pocketcluster/hello" => with_body(
            status,
            vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Date", date),
            ],
            format!(
                "Hello from {} ({}), version {}, path {}\n",
                server.pod_name,
                server.pod_ip,
                images::normalise(server.image).1,
                path
            ),
        ),
        _ => with_body(
            status,
            vec![
                ("Content-Type", "text/plain; charset=utf-8".into()),
                ("Date", date),
            ],
            format!("{status} {}\n", reason(status)),
        ),
    })
}

/// A uvicorn (FastAPI) response: lower-case header names, as uvicorn sends them.
fn uvicorn(status: u16, ctype: &str, body: String, date: &str, head: bool) -> HttpResponse {
    HttpResponse {
        version: "HTTP/1.1".into(),
        status,
        reason: reason(status).into(),
        headers: vec![
            ("date".into(), date.to_string()),
            ("server".into(), "uvicorn".into()),
            ("content-length".into(), body.len().to_string()),
            ("content-type".into(), ctype.to_string()),
        ],
        body: if head { String::new() } else { body },
    }
}

/// The upstreams a gateway image calls for `GET /`, as (label, URL): the Kubernetes 101 seed's
/// gateway calls service-1 and service-2 through their Services (`SERVICE_1_URL` and
/// `SERVICE_2_URL` override the defaults); the course's gateway calls what `UPSTREAMS` lists
/// (`name=http://svc:port,...`).
pub fn upstreams(image: &str, env: &[(String, String)]) -> Option<Vec<(String, String)>> {
    upstreams_of(&images::normalise(image).0, env)
}

/// [`upstreams`] by the image's normalised repository.
pub fn upstreams_of(repo: &str, env: &[(String, String)]) -> Option<Vec<(String, String)>> {
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match repo {
        "alexgiavaras/k8s_101_service_gateway" => Some(vec![
            (
                "service-1".into(),
                var("SERVICE_1_URL").unwrap_or_else(|| "http://ml-service1".into()),
            ),
            (
                "service-2".into(),
                var("SERVICE_2_URL").unwrap_or_else(|| "http://ml-service2".into()),
            ),
        ]),
        "pocketcluster/gateway" => Some(
            var("UPSTREAMS")
                .unwrap_or_default()
                .split(',')
                .filter_map(|pair| {
                    let (name, url) = pair.split_once('=')?;
                    Some((name.trim().to_string(), url.trim().to_string()))
                })
                .filter(|(n, u)| !n.is_empty() && !u.is_empty())
                .take(8)
                .collect(),
        ),
        _ => None,
    }
}

/// What a gateway answers once it has asked its upstreams: their answers combined (200), or a
/// 502 that names the first upstream that failed and why.
pub fn gateway_answer(
    server: &Server,
    results: &[(String, String, Result<HttpResponse, String>)],
) -> HttpResponse {
    let date = server.date.to_string();
    for (label, url, r) in results {
        let failure = match r {
            Err(why) => Some(why.clone()),
            Ok(resp) if resp.status >= 400 => {
                Some(format!("answered {} {}", resp.status, resp.reason))
            }
            Ok(_) => None,
        };
        if let Some(why) = failure {
            let body = format!(
                "{{\"detail\":\"upstream {label} ({url}) failed: {}\"}}",
                why.replace('"', "'")
            );
            return uvicorn(502, "application/json", body, &date, false);
        }
    }
    let parts: Vec<String> = results
        .iter()
        .map(|(label, _, r)| {
            let body = r
                .as_ref()
                .map(|x| x.body.trim().to_string())
                .unwrap_or_default();
            let json = if body.starts_with('{') || body.starts_with('[') {
                body
            } else {
                format!("\"{}\"", body.replace('\\', "\\\\").replace('"', "\\\""))
            };
            format!("\"{label}\":{json}")
        })
        .collect();
    let body = if parts.is_empty() {
        format!("{{\"gateway\":\"{}\"}}", server.pod_name)
    } else {
        format!(
            "{{\"gateway\":\"{}\",{}}}",
            server.pod_name,
            parts.join(",")
        )
    };
    uvicorn(200, "application/json", body, &date, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_rfc_7231() {
        // 2026-01-01 is a Thursday.
        assert_eq!(http_date(0).len(), "Thu, 01 Jan 2026 00:00:00 GMT".len());
        assert!(
            http_date(0).starts_with("Thu, 01 Jan 2026"),
            "{}",
            http_date(0)
        );
    }

    #[test]
    fn nginx_answers_its_pages() {
        let cmd: Vec<String> = Vec::new();
        let date = http_date(0);
        let s = Server {
            image: "nginx:1.25",
            repo: "nginx",
            command: &cmd,
            pod_name: "web",
            pod_ip: "10.244.1.2",
            elapsed: 1_000,
            now: 0,
            date: &date,
        };
        let req = |path: &str| HttpRequest {
            method: "GET".into(),
            path: path.into(),
            ..Default::default()
        };
        let ok = answer(&s, 80, &req("/")).expect("nginx listens on 80");
        assert_eq!(ok.status, 200);
        assert!(ok.body.contains("Welcome to nginx!"));
        let missing = answer(&s, 80, &req("/nope")).expect("a 404 page");
        assert_eq!(missing.status, 404);
        assert!(missing.body.contains("404 Not Found"));
        assert!(answer(&s, 8080, &req("/")).is_none());
    }
}
