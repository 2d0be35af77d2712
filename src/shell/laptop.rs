//! The network tools typed at the terminal's own prompt: the learner's laptop, outside every
//! cluster (`curl http://203.0.113.10/`, `curl $(minikube service web --url)`). Its curl is
//! curl 8 (the laptop is no container image); files it writes (`curl -o`) stay in the session.

use super::{Output, Session};
use crate::sim::fs::FsError;
use crate::sim::net::{LaptopNetwork, LAPTOP_IP};
use crate::sim::nettools::{self, Ctx, Files, Place};
use crate::sim::rootfs::Family;

struct LaptopFiles<'a> {
    session_files: &'a dyn super::files::Files,
    written: &'a mut std::collections::BTreeMap<String, String>,
}

impl Files for LaptopFiles<'_> {
    fn read(&mut self, path: &str) -> Result<String, FsError> {
        if let Some(t) = self.written.get(path) {
            return Ok(t.clone());
        }
        self.session_files.read(path).map_err(|_| FsError::NotFound)
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), FsError> {
        if self.written.len() >= 256 && !self.written.contains_key(path) {
            return Err(FsError::NoSpace);
        }
        self.written.insert(path.to_string(), text.to_string());
        Ok(())
    }
    fn exists(&mut self, path: &str) -> bool {
        self.written.contains_key(path) || self.session_files.read(path).is_ok()
    }
}

pub fn run(s: &mut Session, prog: &str, args: &[String], stdin: Option<&str>) -> Output {
    let views = s.net_cache.get(&s.world);
    let forwards = s.local_forwards();
    let mut net = LaptopNetwork::new(&views, &mut s.world.rng).with_forwards(forwards);
    let mut files = LaptopFiles {
        session_files: s.files.as_ref(),
        written: &mut s.laptop_files,
    };
    let mut ctx = Ctx {
        net: &mut net,
        files: &mut files,
        place: Place {
            family: Family::Alpine,
            image: "laptop",
            ip: LAPTOP_IP,
            tty: true,
        },
        stdin: stdin.map(String::from),
    };
    let ran = nettools::run(prog, args, &mut ctx);
    let trace = crate::sim::network::Network::last_trace(&net);
    let requests = crate::sim::network::Network::take_requests(&mut net);
    if !trace.is_empty() {
        s.last_trace = trace;
    }
    // A port-forward in the background writes to the same terminal.
    let mut text: String = net
        .handled
        .iter()
        .map(|p| format!("Handling connection for {p}\n"))
        .collect();
    for (_, part) in &ran.out {
        text.push_str(part);
    }
    let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
    drop(net);
    s.metrics.record(&s.world, &requests);
    if ran.code == 0 {
        Output::ok(text)
    } else {
        Output::err(text)
    }
}
