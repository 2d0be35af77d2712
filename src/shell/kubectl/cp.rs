//! `kubectl cp [NS/]POD:PATH LOCAL [-c CONTAINER]` and `kubectl cp LOCAL [NS/]POD:PATH`: files
//! and directories between the learner's files (`local_files`) and a running container's own
//! files (`sim::fs`), as kubectl 1.31 does it (`pkg/cmd/cp/cp.go`): through `tar` run in the
//! container with exec, so an image without `tar` cannot be copied to or from, and tar's own
//! messages (GNU tar on Debian images, BusyBox tar on busybox and Alpine) reach the terminal.
//!
//! Out of a pod, kubectl runs `tar cf - PATH` and unpacks the stream below LOCAL: a file becomes
//! LOCAL itself (an existing local directory there is an error, as in kubectl), a directory's
//! contents go into LOCAL. Into a pod, kubectl first asks `test -d PATH`: into an existing
//! directory the source keeps its name (`PATH/NAME`), otherwise it is named PATH; then it runs
//! `tar -xmf - -C DIR` with DIR the parent. What lands in the container is in its writable
//! layer, so it is gone when the container restarts (issue 5) unless a volume is mounted there.
//!
//! Simplified: files are text (an image's programs, whose bytes are not modelled, copy out as
//! that many NUL bytes); modes and owners are not kept; `--retries` changes nothing (no stream
//! breaks here).

use super::super::flags::{self, flag};
use super::super::local_files::{self, Kind as LocalKind};
use super::super::{Output, Session};
use super::*;
use crate::sim::fs::{self, Data, Fs, FsError, LAYER_LIMIT};
use crate::sim::kubelet::RunState;
use crate::sim::rootfs::{self, Family, PodFacts};

const FORMAT: &str = "error: filespec must match the canonical format: [[namespace/]pod:]file/path";
/// The most entries one copy moves (the image trees and layers are small; this bounds a walk).
const MAX_ENTRIES: usize = 10_000;
/// The most bytes one copy out of a pod carries (above the session's room for the learner's
/// files, so a copy that large fails there, as a full disk would).
const MAX_BYTES: usize = local_files::MAX_TOTAL_BYTES + 1;
/// Where the runtime looks for `tar` (the images' PATH).
const PATH_DIRS: &[&str] = &[
    "/usr/local/sbin",
    "/usr/local/bin",
    "/usr/sbin",
    "/usr/bin",
    "/sbin",
    "/bin",
];

/// One side of a copy: a local path, or a file in a pod.
#[derive(Debug, Clone, PartialEq)]
struct Spec {
    namespace: Option<String>,
    pod: Option<String>,
    file: String,
}

/// kubectl's `extractFileSpec`.
fn file_spec(arg: &str) -> Result<Spec, String> {
    match arg.find(':') {
        Some(0) => Err(FORMAT.into()),
        None => Ok(Spec {
            namespace: None,
            pod: None,
            file: arg.to_string(),
        }),
        Some(i) => {
            let (pod, file) = (&arg[..i], &arg[i + 1..]);
            let pieces: Vec<&str> = pod.split('/').collect();
            match pieces.as_slice() {
                [p] => Ok(Spec {
                    namespace: None,
                    pod: Some(p.to_string()),
                    file: file.to_string(),
                }),
                [ns, p] => Ok(Spec {
                    namespace: Some(ns.to_string()),
                    pod: Some(p.to_string()),
                    file: file.to_string(),
                }),
                _ => Err(FORMAT.into()),
            }
        }
    }
}

pub(super) fn cp(s: &mut Session, args: &[String]) -> Result<Output, String> {
    let p = flags::parse(
        args,
        &[
            flag("container", Some('c'), true),
            flag("no-preserve", None, false),
            flag("retries", None, true),
        ],
    )?;
    if let Some(r) = p.value("retries") {
        if r.parse::<i64>().is_err() {
            return Err(format!("error: invalid argument \"{r}\" for \"--retries\" flag: strconv.ParseInt: parsing \"{r}\": invalid syntax"));
        }
    }
    if p.positional.len() != 2 {
        return Err("error: source and destination are required".into());
    }
    let src = file_spec(&p.positional[0])?;
    let dest = file_spec(&p.positional[1])?;
    if src.pod.as_deref().is_some_and(|x| !x.is_empty())
        && dest.pod.as_deref().is_some_and(|x| !x.is_empty())
    {
        return Err("error: one of src or dest must be a local file specification".into());
    }
    if src.file.is_empty() || dest.file.is_empty() {
        return Err("error: filepath can not be empty".into());
    }
    if src.pod.as_deref().is_some_and(|x| !x.is_empty()) {
        return copy_from_pod(s, &p, &src, &dest);
    }
    if dest.pod.as_deref().is_some_and(|x| !x.is_empty()) {
        return copy_to_pod(s, &p, &src, &dest);
    }
    Err("error: one of src or dest must be a remote file specification".into())
}

/// The container a copy talks to, found and checked as `kubectl exec` does.
struct Target {
    cluster: usize,
    ns: String,
    pod: String,
    container: String,
    family: Family,
    workdir: String,
    container_id: String,
    /// kubectl's notes on stderr (`Defaulted container …`), printed before anything else.
    notes: Vec<String>,
}

fn locate(s: &Session, p: &flags::Parsed, spec: &Spec) -> Result<Target, String> {
    let cluster = target(s, p)?;
    let c = &s.world.clusters[cluster];
    if let Some(err) = c.api_unavailable() {
        return Err(err);
    }
    let ns = match &spec.namespace {
        Some(n) => n.clone(),
        None => namespace_of(s, p, cluster),
    };
    let pod_name = spec.pod.clone().unwrap_or_default();
    let pod =
        c.store.pods.get(&ns, &pod_name).ok_or_else(|| {
            format!("Error from server (NotFound): pods \"{pod_name}\" not found")
        })?;
    if pod.status.phase == "Succeeded" || pod.status.phase == "Failed" {
        return Err(format!(
            "error: cannot exec into a container in a completed pod; current phase is {}",
            pod.status.phase
        ));
    }
    let mut notes = Vec::new();
    let all_names = || {
        pod.spec
            .containers
            .iter()
            .map(|x| x.name.clone())
            .chain(
                pod.spec
                    .init_containers
                    .iter()
                    .map(|x| format!("{} (init)", x.name)),
            )
            .collect::<Vec<_>>()
            .join(", ")
    };
    let container = match p.value("container") {
        Some(name) => pod
            .spec
            .containers
            .iter()
            .chain(pod.spec.init_containers.iter())
            .find(|x| x.name == name)
            .ok_or_else(|| {
                format!("Error from server (BadRequest): container {name} is not valid for pod {pod_name}")
            })?,
        None => match pod
            .metadata
            .annotations
            .get("kubectl.kubernetes.io/default-container")
        {
            Some(name) => pod
                .spec
                .containers
                .iter()
                .find(|x| &x.name == name)
                .ok_or_else(|| {
                    format!(
                        "error: container {name} is not valid for pod {pod_name} out of: {}",
                        all_names()
                    )
                })?,
            None => {
                let first = pod.spec.containers.first().ok_or_else(|| {
                    format!("error: pod {ns}/{pod_name} does not have any containers")
                })?;
                if pod.spec.containers.len() > 1 || !pod.spec.init_containers.is_empty() {
                    notes.push(format!(
                        "Defaulted container \"{}\" out of: {}",
                        first.name,
                        all_names()
                    ));
                }
                first
            }
        },
    };
    let fail = |e: String| -> String {
        if notes.is_empty() {
            e
        } else {
            format!("{}\n{e}", notes.join("\n"))
        }
    };
    if pod.spec.node_name.is_empty() {
        return Err(fail(format!(
            "Error from server (BadRequest): pod {pod_name} does not have a host assigned"
        )));
    }
    if c.stopped.contains(&pod.spec.node_name) {
        let node_ip = c
            .store
            .nodes
            .get("", &pod.spec.node_name)
            .map(crate::sim::kubelet::node_ip)
            .unwrap_or_default();
        return Err(fail(format!(
            "error: Internal error occurred: unable to upgrade connection: error dialing backend: dial tcp {node_ip}:10250: connect: no route to host"
        )));
    }
    let not_found = || {
        format!(
            "error: unable to upgrade connection: container not found (\"{}\")",
            container.name
        )
    };
    let rt = c
        .kubelets
        .pods
        .get(&(ns.clone(), pod_name.clone()))
        .and_then(|r| r.containers.iter().find(|x| x.name == container.name))
        .ok_or_else(|| fail(not_found()))?;
    if !matches!(
        rt.state,
        RunState::Running { .. } | RunState::Stopping { .. }
    ) || rt.container_id.is_empty()
    {
        return Err(fail(not_found()));
    }
    let workdir = if container.working_dir.starts_with('/') {
        container.working_dir.clone()
    } else {
        rootfs::workdir(&rt.image).to_string()
    };
    Ok(Target {
        cluster,
        ns,
        pod: pod_name,
        container: container.name.clone(),
        family: rootfs::family(&rt.image),
        workdir,
        container_id: rt.container_id.to_string(),
        notes,
    })
}

/// Run `f` over a container's files as its processes see them: the view `kubectl exec` gets
/// (the image's files, the container's writable layer, its volumes mounted).
fn with_container_fs<R>(
    s: &mut Session,
    cluster: usize,
    ns: &str,
    pod: &str,
    container: &str,
    f: impl FnOnce(&mut Fs) -> R,
) -> Result<R, String> {
    let now = s.world.now;
    let c = &mut s.world.clusters[cluster];
    let pod_obj = c
        .store
        .pods
        .get(ns, pod)
        .ok_or_else(|| format!("Error from server (NotFound): pods \"{pod}\" not found"))?;
    let node = c.store.nodes.get("", &pod_obj.spec.node_name);
    let node_ip = node.map(crate::sim::kubelet::node_ip).unwrap_or_default();
    let kernel = node
        .map(|n| n.status.node_info.kernel_version.clone())
        .unwrap_or_default();
    let facts = PodFacts::new(pod_obj, &node_ip, &kernel);
    let (container_id, image) = c
        .kubelets
        .pods
        .get(&(ns.to_string(), pod.to_string()))
        .and_then(|r| r.containers.iter().find(|x| x.name == container))
        .filter(|rt| !rt.container_id.is_empty())
        .map(|rt| (rt.container_id.clone(), rt.image.clone()))
        .ok_or_else(|| {
            format!("error: unable to upgrade connection: container not found (\"{container}\")")
        })?;
    let lower = rootfs::root(&image, &facts);
    // The same view `kubectl exec` gets: the image, the container's layer, its volumes.
    let pod_obj = pod_obj.clone();
    c.kubelets.storage.prune(&c.store);
    let mut fs = c
        .kubelets
        .container_fs(&lower, &pod_obj, container, &container_id, now);
    Ok(f(&mut fs))
}

fn has_tar(fs: &Fs) -> bool {
    PATH_DIRS
        .iter()
        .any(|d| fs.stat(&format!("{d}/tar")).is_some_and(|n| !n.is_dir()))
}

/// The runtime's answer when the image has no `tar` (what `kubectl exec POD -- tar` prints).
fn no_tar(t: &Target, command: &str, now: u64) -> String {
    format!(
        "error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec \"{}\": OCI runtime exec failed: exec failed: unable to start container process: exec: \"tar\": executable file not found in $PATH: unknown",
        exec_id(&t.container_id, command, now)
    )
}

/// A containerd exec ID: 64 hex digits, derived (not random) so replays print the same.
fn exec_id(container_id: &str, command: &str, now: u64) -> String {
    let mut out = String::new();
    for round in 0u64..4 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ round.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for b in container_id
            .bytes()
            .chain(command.bytes())
            .chain(now.to_le_bytes())
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// What tar in the image says, in its own words.
struct Tar {
    gnu: bool,
    lines: Vec<String>,
    /// Set when tar failed: its exit status.
    code: Option<i32>,
}

impl Tar {
    fn new(family: Family) -> Tar {
        Tar {
            gnu: family == Family::Debian,
            lines: Vec::new(),
            code: None,
        }
    }
    /// tar stores names without a leading `/` or `../` (GNU's `safer_name_suffix`, BusyBox's
    /// `strip_unsafe_prefix`) and says so once.
    fn strip_unsafe_prefix(&mut self, name: &str) {
        let prefix = unsafe_prefix(name);
        if prefix.is_empty() {
            return;
        }
        self.lines.push(if self.gnu {
            format!("tar: Removing leading `{prefix}' from member names")
        } else {
            format!("tar: removing leading '{prefix}' from member names")
        });
    }
    /// A member that could not be archived (`tar cf`): GNU goes on, BusyBox too, both fail at
    /// the end.
    fn cannot_stat(&mut self, name: &str, e: FsError) {
        self.lines.push(if self.gnu {
            format!("tar: {name}: Cannot stat: {e}")
        } else {
            format!("tar: {name}: {e}")
        });
        self.code = Some(if self.gnu { 2 } else { 1 });
    }
    /// `-C DIR` that cannot be entered: both stop at once.
    fn cannot_chdir(&mut self, dir: &str, e: FsError) {
        if self.gnu {
            self.lines.push(format!("tar: {dir}: Cannot open: {e}"));
            self.lines
                .push("tar: Error is not recoverable: exiting now".into());
            self.code = Some(2);
        } else {
            self.lines
                .push(format!("tar: can't change directory to '{dir}': {e}"));
            self.code = Some(1);
        }
    }
    /// A member that could not be extracted. BusyBox stops at the first; GNU goes on.
    fn cannot_extract(&mut self, member: &str, dir: bool, e: FsError) -> bool {
        if self.gnu {
            let what = match (dir, e) {
                (true, _) => "Cannot mkdir",
                (false, FsError::NoSpace) => "Cannot write",
                _ => "Cannot open",
            };
            self.lines.push(format!("tar: {member}: {what}: {e}"));
            self.code = Some(2);
            true
        } else {
            let what = if dir {
                "can't create directory"
            } else {
                "can't open"
            };
            self.lines.push(format!("tar: {what} '{member}': {e}"));
            self.code = Some(1);
            false
        }
    }
    fn finish(&mut self) {
        if self.code.is_some() && self.gnu && !self.lines.iter().any(|l| l.contains("exiting now"))
        {
            self.lines
                .push("tar: Exiting with failure status due to previous errors".into());
        }
        if self.code.is_some() && !self.gnu && !self.lines.iter().any(|l| l.contains("can't ")) {
            self.lines
                .push("tar: error exit delayed from previous errors".into());
        }
    }
}

/// The leading `/`s and `../`s of a path.
fn unsafe_prefix(name: &str) -> &str {
    let mut i = 0;
    let b = name.as_bytes();
    loop {
        if b.get(i) == Some(&b'/') {
            i += 1;
        } else if b[i..].starts_with(b"../") {
            i += 3;
        } else if &b[i..] == b".." {
            i += 2;
        } else {
            break;
        }
    }
    &name[..i]
}

/// One member of the stream: a path below the copied root ("" for the root itself).
#[derive(Debug, Clone, PartialEq)]
enum Member {
    Dir(String),
    File(String, String),
}

fn text_of(data: Data) -> String {
    match data {
        Data::Text(t) => t,
        // Bytes the simulator does not model: that many NULs (a program copies out whole).
        Data::Opaque(n) => "\0".repeat(usize::try_from(n).unwrap_or(0).min(1 << 21)),
    }
}

/// `tar cf - PATH` in the container: what it archives below `root`.
fn archive(fs: &Fs, root: &str, tar: &mut Tar, name: &str) -> Vec<Member> {
    let Some(node) = fs.stat(root) else {
        let e = match fs.list(fs::parent(root)) {
            Err(FsError::NotADirectory) => FsError::NotADirectory,
            _ => FsError::NotFound,
        };
        tar.cannot_stat(name, e);
        return Vec::new();
    };
    if !node.is_dir() {
        return match fs.read_data(root) {
            Ok(d) => vec![Member::File(String::new(), text_of(d))],
            Err(e) => {
                tar.cannot_stat(name, e);
                Vec::new()
            }
        };
    }
    let mut out = vec![Member::Dir(String::new())];
    let mut stack = vec![(root.to_string(), String::new())];
    let mut bytes = 0usize;
    while let Some((dir, rel)) = stack.pop() {
        if bytes > MAX_BYTES {
            break;
        }
        let Ok(entries) = fs.list(&dir) else {
            continue;
        };
        // Reverse, so that popping the stack walks names in order.
        let mut subdirs = Vec::new();
        for (child, node) in entries {
            if out.len() >= MAX_ENTRIES {
                break;
            }
            let path = fs::join(&dir, &child);
            let rel_child = format!("{rel}/{child}");
            if node.is_dir() {
                out.push(Member::Dir(rel_child.clone()));
                subdirs.push((path, rel_child));
            } else if let Ok(d) = fs.read_data(&path) {
                let text = text_of(d);
                bytes = bytes.saturating_add(text.len());
                out.push(Member::File(rel_child, text));
                if bytes > MAX_BYTES {
                    break;
                }
            }
        }
        stack.extend(subdirs.into_iter().rev());
    }
    out
}

fn with_notes(notes: &[String], lines: Vec<String>) -> String {
    notes
        .iter()
        .cloned()
        .chain(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

fn copy_from_pod(
    s: &mut Session,
    p: &flags::Parsed,
    src: &Spec,
    dest: &Spec,
) -> Result<Output, String> {
    let t = locate(s, p, src)?;
    let now = s.world.now;
    let command = format!("tar cf - {}", src.file);
    let mut tar = Tar::new(t.family);
    let members = with_container_fs(s, t.cluster, &t.ns, &t.pod, &t.container, |fs| {
        if !has_tar(fs) {
            return None;
        }
        tar.strip_unsafe_prefix(&src.file);
        let root = match fs::resolve(&t.workdir, &src.file) {
            Ok(r) => r,
            Err(e) => {
                tar.cannot_stat(&src.file, e);
                return Some(Vec::new());
            }
        };
        Some(archive(fs, &root, &mut tar, &src.file))
    })
    .map_err(|e| with_notes(&t.notes, vec![e]))?;
    let Some(members) = members else {
        return Err(with_notes(&t.notes, vec![no_tar(&t, &command, now)]));
    };
    tar.finish();
    let mut lines = tar.lines;
    // kubectl unpacks what came before it notices tar's exit status.
    let shown = match local_files::clean(&dest.file) {
        c if c.is_empty() => ".".to_string(),
        c => c,
    };
    for m in &members {
        let done = match m {
            Member::Dir(rel) => local_files::mkdir_all(s, &format!("{shown}{rel}")),
            Member::File(rel, text) if rel.is_empty() => {
                local_files::write(s, &dest.file, text).map_err(|e| {
                    // os.Create names the path as given.
                    e.replace(&format!("open {}:", dest.file), &format!("open {shown}:"))
                })
            }
            Member::File(rel, text) => local_files::write(s, &format!("{shown}{rel}"), text),
        };
        if let Err(e) = done {
            lines.push(format!("error: {e}"));
            return Ok(Output::err(with_notes(&t.notes, lines)));
        }
    }
    if let Some(code) = tar.code {
        lines.push(format!("command terminated with exit code {code}"));
        return Ok(Output::err(with_notes(&t.notes, lines)));
    }
    Ok(Output::ok(with_notes(&t.notes, lines)))
}

fn copy_to_pod(
    s: &mut Session,
    p: &flags::Parsed,
    src: &Spec,
    dest: &Spec,
) -> Result<Output, String> {
    let Some(kind) = local_files::stat(s, &src.file) else {
        return Err(format!(
            "error: {} doesn't exist in local filesystem",
            src.file
        ));
    };
    // What kubectl's makeTar streams: a file, or every file of a directory (and the directory
    // itself only when it is empty).
    let src_clean = local_files::clean(&src.file);
    let mut members = Vec::new();
    match kind {
        LocalKind::File => match local_files::read(s, &src.file) {
            Ok(text) => members.push(Member::File(String::new(), text)),
            Err(_) => return Err(format!("error: open {}: permission denied", src.file)),
        },
        LocalKind::Dir => {
            let prefix = if src_clean.is_empty() {
                String::new()
            } else {
                format!("{src_clean}/")
            };
            let mut bytes = 0usize;
            for (path, k) in local_files::walk(s, &src_clean)
                .into_iter()
                .take(MAX_ENTRIES)
            {
                // Past what any container can hold, the rest would only fail to fit.
                if bytes > LAYER_LIMIT {
                    break;
                }
                let Some(rel) = path.strip_prefix(&prefix) else {
                    continue;
                };
                let rel = format!("/{rel}");
                match k {
                    LocalKind::Dir => members.push(Member::Dir(rel)),
                    LocalKind::File => {
                        let text = local_files::read(s, &path).unwrap_or_default();
                        bytes = bytes.saturating_add(text.len());
                        members.push(Member::File(rel, text));
                    }
                }
            }
            if members.is_empty() {
                members.push(Member::Dir(String::new()));
            }
        }
    }
    let base = match fs::base_name(&src_clean) {
        "" | "/" | "." | ".." => String::new(),
        b => b.to_string(),
    };
    let t = locate(s, p, dest)?;
    let now = s.world.now;
    let mut tar = Tar::new(t.family);
    let ran = with_container_fs(s, t.cluster, &t.ns, &t.pod, &t.container, |fs| {
        if !has_tar(fs) {
            return false;
        }
        let mut target = match fs::resolve(&t.workdir, &dest.file) {
            Ok(r) => r,
            Err(e) => {
                tar.cannot_chdir(&dest.file, e);
                return true;
            }
        };
        // `test -d PATH`: into an existing directory, the source keeps its name.
        if fs.stat(&target).is_some_and(|n| n.is_dir()) && !base.is_empty() {
            target = fs::join(&target, &base);
        }
        let dir = fs::parent(&target).to_string();
        match fs.stat(&dir) {
            Some(n) if n.is_dir() => {}
            Some(_) => {
                tar.cannot_chdir(&dir, FsError::NotADirectory);
                return true;
            }
            None => {
                tar.cannot_chdir(&dir, FsError::NotFound);
                return true;
            }
        }
        let member_base = fs::base_name(&target).to_string();
        for m in &members {
            let (rel, is_dir) = match m {
                Member::Dir(rel) => (rel, true),
                Member::File(rel, _) => (rel, false),
            };
            let path = format!("{target}{rel}");
            let member = format!("{member_base}{rel}");
            let done = match m {
                Member::Dir(_) => fs.mkdir_p(&path),
                Member::File(_, text) => fs
                    .mkdir_p(fs::parent(&path))
                    .and_then(|()| fs.write(&path, text, false)),
            };
            if let Err(e) = done {
                if !tar.cannot_extract(&member, is_dir, e) {
                    break;
                }
            }
        }
        true
    })?;
    if !ran {
        return Err(with_notes(&t.notes, vec![no_tar(&t, "tar -xmf -", now)]));
    }
    tar.finish();
    let mut lines = tar.lines;
    if let Some(code) = tar.code {
        lines.push(format!("command terminated with exit code {code}"));
        return Ok(Output::err(with_notes(&t.notes, lines)));
    }
    Ok(Output::ok(with_notes(&t.notes, lines)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_specs_parse_as_kubectl_does() {
        assert_eq!(
            file_spec("web:/tmp/a").unwrap(),
            Spec {
                namespace: None,
                pod: Some("web".into()),
                file: "/tmp/a".into()
            }
        );
        assert_eq!(
            file_spec("prod/web:x").unwrap().namespace.as_deref(),
            Some("prod")
        );
        assert_eq!(file_spec("a/b/c:x"), Err(FORMAT.into()));
        assert_eq!(file_spec(":x"), Err(FORMAT.into()));
        assert_eq!(file_spec("local/path").unwrap().pod, None);
        assert_eq!(file_spec("web:").unwrap().file, "");
    }

    #[test]
    fn tar_strips_leading_slashes_and_dot_dots() {
        assert_eq!(unsafe_prefix("/etc/x"), "/");
        assert_eq!(unsafe_prefix("../../etc"), "../../");
        assert_eq!(unsafe_prefix("//../x"), "//../");
        assert_eq!(unsafe_prefix("tmp/../x"), "");
        assert_eq!(unsafe_prefix(".."), "..");
        assert_eq!(unsafe_prefix(""), "");
    }

    #[test]
    fn a_round_trip_lands_in_the_writable_layer() {
        let mut s = Session::new(7);
        s.run("kubectl run box --image=busybox:1.36 -- sleep 3600", None);
        s.run("sim advance 20s", None);
        s.run("mkdir d", None);
        s.run("cat > d/a.txt <<EOF", Some("one\n"));
        let out = s.run("kubectl cp d box:/tmp/d", None);
        assert!(out.ok, "{}", out.text);
        let out = s.run("kubectl cp box:/tmp/d back", None);
        assert!(out.ok, "{}", out.text);
        assert_eq!(local_files::read(&s, "back/a.txt"), Ok("one\n".into()));
        let used: usize = s.world.clusters[0]
            .kubelets
            .files
            .values()
            .map(|l| l.used())
            .sum();
        assert!(used > 0);
        // `..` cannot climb out of the container's root, nor out of LOCAL.
        let out = s.run("kubectl cp box:/../../tmp/d/a.txt up.txt", None);
        assert!(out.ok, "{}", out.text);
        assert_eq!(local_files::read(&s, "up.txt"), Ok("one\n".into()));
    }

    #[test]
    fn exec_ids_are_stable() {
        assert_eq!(exec_id("c", "tar", 1), exec_id("c", "tar", 1));
        assert_eq!(exec_id("c", "tar", 1).len(), 64);
        assert_ne!(exec_id("c", "tar", 1), exec_id("c", "tar", 2));
    }
}
