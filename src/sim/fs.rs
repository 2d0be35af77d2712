//! Container filesystems: what a process in a container sees, as an overlay of the image's files
//! (read-only, the same for every container of the image) and a writable layer that belongs to
//! one container instance.
//!
//! A writable layer is keyed by the container's `containerID` (see `Kubelets::files`). Every start
//! of a container (a crash and restart, a liveness kill, an image change, a new pod) gets a new
//! ID from the kubelet, so a restarted container sees its image's files and nothing it wrote
//! before: a restarted container starts clean, as in Kubernetes.
//!
//! Extension point for volumes: a container's view is a mount table ([`Fs::mount`]): path
//! prefix → a [`Volume`]. The root (`/`) is the overlay; a later emptyDir, hostPath, configMap
//! or PVC volume is another [`Volume`] (a plain [`Tree`] already is one) kept wherever its
//! lifetime belongs (per pod, per node, per claim) and mounted at its `mountPath` when a view is
//! built. Nothing else here needs to change for that.
//!
//! Paths are resolved lexically (`..` of `/` is `/`); there are no symlinks. Limits: a path of at
//! most 4096 bytes with names of at most 255 (`File name too long`), and a writable layer of at
//! most [`LAYER_LIMIT`] bytes (`No space left on device`).

use crate::sim::clock::Millis;
use std::collections::{BTreeMap, BTreeSet};

/// How much one container may write: file contents, plus a little per entry.
pub const LAYER_LIMIT: usize = 1 << 20;
const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;
/// What an entry costs in a layer besides its name and content (so a million empty files fill
/// it too).
const ENTRY_COST: usize = 64;

/// A file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    Text(String),
    /// Bytes the simulator does not model (a program's binary, a script it does not ship): only
    /// the size is known.
    Opaque(u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File {
        data: Data,
        mode: u32,
        mtime: Millis,
    },
    Dir {
        mode: u32,
        mtime: Millis,
    },
}

impl Node {
    pub fn text(text: &str, mtime: Millis) -> Node {
        Node::File {
            data: Data::Text(text.to_string()),
            mode: 0o644,
            mtime,
        }
    }
    pub fn program(size: u64) -> Node {
        Node::File {
            data: Data::Opaque(size),
            mode: 0o755,
            mtime: 0,
        }
    }
    pub fn dir(mtime: Millis) -> Node {
        Node::Dir { mode: 0o755, mtime }
    }
    pub fn is_dir(&self) -> bool {
        matches!(self, Node::Dir { .. })
    }
    pub fn size(&self) -> u64 {
        match self {
            Node::File {
                data: Data::Text(t),
                ..
            } => t.len() as u64,
            Node::File {
                data: Data::Opaque(n),
                ..
            } => *n,
            Node::Dir { .. } => 4096,
        }
    }
    pub fn mode(&self) -> u32 {
        match self {
            Node::File { mode, .. } | Node::Dir { mode, .. } => *mode,
        }
    }
    pub fn mtime(&self) -> Millis {
        match self {
            Node::File { mtime, .. } | Node::Dir { mtime, .. } => *mtime,
        }
    }
    fn with_mtime(mut self, t: Millis) -> Node {
        match &mut self {
            Node::File { mtime, .. } | Node::Dir { mtime, .. } => *mtime = t,
        }
        self
    }
    /// What the entry costs in a writable layer.
    pub fn cost(&self, path: &str) -> usize {
        let content = match self {
            Node::File {
                data: Data::Text(t),
                ..
            } => t.len(),
            _ => 0,
        };
        content + path.len() + ENTRY_COST
    }
}

/// An errno, printed as `strerror` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsError {
    NotFound,
    NotADirectory,
    IsADirectory,
    Exists,
    NotEmpty,
    NoSpace,
    NameTooLong,
    Busy,
    ReadOnly,
}

impl FsError {
    pub fn text(self) -> &'static str {
        match self {
            FsError::NotFound => "No such file or directory",
            FsError::NotADirectory => "Not a directory",
            FsError::IsADirectory => "Is a directory",
            FsError::Exists => "File exists",
            FsError::NotEmpty => "Directory not empty",
            FsError::NoSpace => "No space left on device",
            FsError::NameTooLong => "File name too long",
            FsError::Busy => "Device or resource busy",
            FsError::ReadOnly => "Read-only file system",
        }
    }
}

impl std::fmt::Display for FsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

/// A directory tree in memory. Keys are absolute, normalised paths (`/etc/hosts`); the root is
/// implicit. Used for image contents and, later, for volumes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tree {
    nodes: BTreeMap<String, Node>,
}

impl Tree {
    /// An empty tree, usable in a `static` (what an unsimulated volume source shows).
    pub const fn empty() -> Tree {
        Tree {
            nodes: BTreeMap::new(),
        }
    }

    /// Add an entry, creating missing parent directories (for building image contents).
    pub fn add(&mut self, path: &str, node: Node) {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            if at.len() < path.len() {
                self.nodes
                    .entry(at.clone())
                    .or_insert_with(|| Node::dir(node.mtime()));
            }
        }
        if !at.is_empty() {
            self.nodes.insert(at, node);
        }
    }

    pub fn get(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Set one entry as it is (its parents are the caller's business).
    pub fn insert(&mut self, path: &str, node: Node) {
        self.nodes.insert(path.to_string(), node);
    }

    /// Every entry, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.nodes.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The entries directly inside `dir`, in name order.
    pub fn children<'a>(&'a self, dir: &str) -> impl Iterator<Item = (&'a str, &'a Node)> + 'a {
        let prefix = if dir == "/" {
            "/".to_string()
        } else {
            format!("{dir}/")
        };
        let start = prefix.clone();
        let cut = dir.len().max(1);
        self.nodes
            .range(start..)
            .take_while(move |(k, _)| k.starts_with(&prefix))
            .filter_map(move |(k, v)| {
                let rest = &k[cut..];
                let rest = rest.strip_prefix('/').unwrap_or(rest);
                (!rest.is_empty() && !rest.contains('/')).then_some((rest, v))
            })
    }

    /// Remove `path` and everything under it; returns what was removed.
    pub fn remove_tree(&mut self, path: &str) -> Vec<(String, Node)> {
        let mut gone = Vec::new();
        if let Some(n) = self.nodes.remove(path) {
            gone.push((path.to_string(), n));
        }
        let prefix = if path == "/" {
            "/".to_string()
        } else {
            format!("{path}/")
        };
        let under: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in under {
            if let Some(n) = self.nodes.remove(&k) {
                gone.push((k, n));
            }
        }
        gone
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

/// Something a container's view can mount: the overlay at `/`, and later the volumes. Paths are
/// absolute inside the volume (`/` is its root).
pub trait Volume {
    fn get(&self, path: &str) -> Option<Node>;
    /// The entries directly inside the directory `path`.
    fn children(&self, path: &str) -> Vec<(String, Node)>;
    /// Create or replace one entry (its parent exists: [`Fs`] checks).
    fn put(&mut self, path: &str, node: Node) -> Result<(), FsError>;
    /// Remove an entry and everything under it.
    fn remove(&mut self, path: &str);
    /// Mounted read-only (a ConfigMap's files, a `readOnly` mount): writes fail with EROFS.
    fn read_only(&self) -> bool {
        false
    }
}

impl Volume for Tree {
    fn get(&self, path: &str) -> Option<Node> {
        if path == "/" {
            return Some(Node::dir(0));
        }
        self.nodes.get(path).cloned()
    }
    fn children(&self, path: &str) -> Vec<(String, Node)> {
        Tree::children(self, path)
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    }
    fn put(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        self.nodes.insert(path.to_string(), node);
        Ok(())
    }
    fn remove(&mut self, path: &str) {
        self.remove_tree(path);
    }
}

/// One container instance's writable layer: entries written or changed, and whiteouts for image
/// entries it removed (a whiteout also hides everything below it, so a directory removed and made
/// again is empty, as overlayfs's opaque directories are).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layer {
    upper: Tree,
    whiteouts: BTreeSet<String>,
    used: usize,
}

impl Layer {
    /// Bytes charged against [`LAYER_LIMIT`].
    pub fn used(&self) -> usize {
        self.used
    }
}

/// The root of a container's view: the image's files under the container's writable layer.
pub struct Overlay<'a> {
    pub lower: &'a Tree,
    pub layer: &'a mut Layer,
    pub limit: usize,
}

impl Overlay<'_> {
    fn hidden(&self, path: &str) -> bool {
        if self.layer.whiteouts.is_empty() {
            return false;
        }
        let mut at = path;
        loop {
            if self.layer.whiteouts.contains(at) {
                return true;
            }
            match at.rfind('/') {
                Some(0) | None => return false,
                Some(i) => at = &at[..i],
            }
        }
    }
}

impl Volume for Overlay<'_> {
    fn get(&self, path: &str) -> Option<Node> {
        if path == "/" {
            return Some(Node::dir(0));
        }
        if let Some(n) = self.layer.upper.get(path) {
            return Some(n.clone());
        }
        if self.hidden(path) {
            return None;
        }
        self.lower.get(path).cloned()
    }

    fn children(&self, path: &str) -> Vec<(String, Node)> {
        let mut out: BTreeMap<String, Node> = BTreeMap::new();
        if !self.hidden(path) {
            for (name, node) in self.lower.children(path) {
                let full = join(path, name);
                if !self.layer.whiteouts.contains(&full) {
                    out.insert(name.to_string(), node.clone());
                }
            }
        }
        for (name, node) in self.layer.upper.children(path) {
            out.insert(name.to_string(), node.clone());
        }
        out.into_iter().collect()
    }

    fn put(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        let old = self
            .layer
            .upper
            .get(path)
            .map(|n| n.cost(path))
            .unwrap_or(0);
        let new = node.cost(path);
        let used = self.layer.used.saturating_sub(old).saturating_add(new);
        if used > self.limit && new > old {
            return Err(FsError::NoSpace);
        }
        self.layer.used = used;
        self.layer.upper.nodes.insert(path.to_string(), node);
        Ok(())
    }

    fn remove(&mut self, path: &str) {
        for (p, n) in self.layer.upper.remove_tree(path) {
            self.layer.used = self.layer.used.saturating_sub(n.cost(&p));
        }
        if !self.hidden(path) && self.lower.get(path).is_some() {
            self.layer.whiteouts.insert(path.to_string());
        }
    }
}

/// `dir` + `/` + `name`.
pub fn join(dir: &str, name: &str) -> String {
    if dir == "/" {
        format!("/{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The parent directory of an absolute, normalised path (`/` for `/x` and `/`).
pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

/// The last name of a path (`/` for the root; the name itself when there is no `/`).
pub fn base_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "" } else { "/" };
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// A container's view of its files: a mount table over volumes, the overlay at `/`.
pub struct Fs<'a> {
    mounts: Vec<(String, Box<dyn Volume + 'a>)>,
    /// The virtual clock, for modification times.
    pub now: Millis,
}

impl<'a> Fs<'a> {
    pub fn new(root: Box<dyn Volume + 'a>, now: Millis) -> Fs<'a> {
        Fs {
            mounts: vec![("/".to_string(), root)],
            now,
        }
    }

    /// Mount `volume` at `path` (absolute). The extension point for volumes: see the module doc.
    pub fn mount(&mut self, path: &str, volume: Box<dyn Volume + 'a>) {
        if let Ok(p) = resolve("/", path) {
            self.mounts.retain(|(m, _)| *m != p || p == "/");
            if p != "/" {
                self.mounts.push((p, volume));
            }
        }
    }

    /// Which mount holds `path`, and the path inside it.
    fn route(&self, path: &str) -> (usize, String) {
        let mut best = (0, 0usize);
        for (i, (m, _)) in self.mounts.iter().enumerate() {
            let inside = m == "/"
                || path == m
                || (path.starts_with(m.as_str()) && path.as_bytes().get(m.len()) == Some(&b'/'));
            if inside && m.len() >= best.1 {
                best = (i, m.len());
            }
        }
        let (i, len) = best;
        let rel = if self.mounts[i].0 == "/" {
            path.to_string()
        } else {
            let r = &path[len..];
            if r.is_empty() {
                "/".to_string()
            } else {
                r.to_string()
            }
        };
        (i, rel)
    }

    fn is_mount_point(&self, path: &str) -> bool {
        path == "/" || self.mounts.iter().any(|(m, _)| m == path)
    }

    pub fn stat(&self, path: &str) -> Option<Node> {
        let (i, rel) = self.route(path);
        self.mounts[i].1.get(&rel)
    }

    /// Why `path`'s parent cannot hold an entry: a missing or non-directory ancestor.
    fn check_parent(&self, path: &str) -> Result<(), FsError> {
        let mut at = String::new();
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            at.push('/');
            at.push_str(part);
            match self.stat(&at) {
                None => return Err(FsError::NotFound),
                Some(n) if !n.is_dir() => return Err(FsError::NotADirectory),
                _ => {}
            }
        }
        Ok(())
    }

    /// Why `path` does not exist (missing, or under a file).
    fn missing(&self, path: &str) -> FsError {
        self.check_parent(path).err().unwrap_or(FsError::NotFound)
    }

    /// A file's text. Err(Opaque size) is not an error the shell sees: see [`Fs::read_data`].
    pub fn read_data(&self, path: &str) -> Result<Data, FsError> {
        match self.stat(path) {
            None => Err(self.missing(path)),
            Some(Node::Dir { .. }) => Err(FsError::IsADirectory),
            Some(Node::File { data, .. }) => Ok(data),
        }
    }

    /// Write (or append to) a file, creating it.
    pub fn write(&mut self, path: &str, text: &str, append: bool) -> Result<(), FsError> {
        self.check_parent(path)?;
        let now = self.now;
        let node = match self.stat(path) {
            Some(Node::Dir { .. }) => return Err(FsError::IsADirectory),
            Some(Node::File { data, mode, .. }) => {
                let mut content = match data {
                    Data::Text(t) if append => t,
                    _ => String::new(),
                };
                content.push_str(text);
                Node::File {
                    data: Data::Text(content),
                    mode,
                    mtime: now,
                }
            }
            None => Node::text(text, now),
        };
        let (i, rel) = self.route(path);
        self.mounts[i].1.put(&rel, node)
    }

    /// `mkdir PATH` (the parent must exist).
    pub fn mkdir(&mut self, path: &str) -> Result<(), FsError> {
        if self.stat(path).is_some() {
            return Err(FsError::Exists);
        }
        self.check_parent(path)?;
        let (i, rel) = self.route(path);
        let now = self.now;
        self.mounts[i].1.put(&rel, Node::dir(now))
    }

    /// `mkdir -p PATH`.
    pub fn mkdir_p(&mut self, path: &str) -> Result<(), FsError> {
        let mut at = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            at.push('/');
            at.push_str(part);
            match self.stat(&at) {
                Some(n) if n.is_dir() => {}
                Some(_) => return Err(FsError::NotADirectory),
                None => {
                    // Every ancestor was just checked or made: no need to walk them again.
                    let (i, rel) = self.route(&at);
                    let now = self.now;
                    self.mounts[i].1.put(&rel, Node::dir(now))?;
                }
            }
        }
        Ok(())
    }

    /// `touch PATH`: a new empty file, or a new modification time.
    pub fn touch(&mut self, path: &str) -> Result<(), FsError> {
        match self.stat(path) {
            Some(node) => {
                let now = self.now;
                let (i, rel) = self.route(path);
                self.mounts[i].1.put(&rel, node.with_mtime(now))
            }
            None => self.write(path, "", true),
        }
    }

    /// Remove a file, or a directory and what it holds (`recursive`).
    pub fn remove(&mut self, path: &str, recursive: bool) -> Result<(), FsError> {
        let node = self.stat(path).ok_or_else(|| self.missing(path))?;
        if node.is_dir() && !recursive {
            return Err(FsError::IsADirectory);
        }
        if self.is_mount_point(path) {
            return Err(FsError::Busy);
        }
        let (i, rel) = self.route(path);
        if self.mounts[i].1.read_only() {
            return Err(FsError::ReadOnly);
        }
        self.mounts[i].1.remove(&rel);
        Ok(())
    }

    /// `rmdir PATH`.
    pub fn rmdir(&mut self, path: &str) -> Result<(), FsError> {
        let entries = self.list(path)?;
        if !entries.is_empty() {
            return Err(FsError::NotEmpty);
        }
        self.remove(path, true)
    }

    /// The entries of a directory, in name order (mount points included).
    pub fn list(&self, path: &str) -> Result<Vec<(String, Node)>, FsError> {
        match self.stat(path) {
            None => return Err(self.missing(path)),
            Some(n) if !n.is_dir() => return Err(FsError::NotADirectory),
            _ => {}
        }
        let (i, rel) = self.route(path);
        let mut out: BTreeMap<String, Node> =
            crate::sim::sort::map_of(self.mounts[i].1.children(&rel));
        for (m, v) in &self.mounts {
            if m != "/" && parent(m) == path {
                // A mount point shows what is mounted there (a directory, or a subPath file).
                let node = v.get("/").unwrap_or_else(|| Node::dir(0));
                out.insert(base_name(m).to_string(), node);
            }
        }
        Ok(out.into_iter().collect())
    }
}

/// An absolute, normalised path from `path` as a process in `cwd` names it.
pub fn resolve(cwd: &str, path: &str) -> Result<String, FsError> {
    if path.is_empty() {
        return Err(FsError::NotFound);
    }
    if path.len() > PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    let mut parts: Vec<&str> = Vec::new();
    let start = if path.starts_with('/') { "" } else { cwd };
    for part in start.split('/').chain(path.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p if p.len() > NAME_MAX => return Err(FsError::NameTooLong),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Ok("/".into());
    }
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    if out.len() > PATH_MAX {
        return Err(FsError::NameTooLong);
    }
    Ok(out)
}

/// A borrowed tree mounts too (a volume kept elsewhere, lent to one view).
impl Volume for &mut Tree {
    fn get(&self, path: &str) -> Option<Node> {
        Volume::get(&**self, path)
    }
    fn children(&self, path: &str) -> Vec<(String, Node)> {
        Volume::children(&**self, path)
    }
    fn put(&mut self, path: &str, node: Node) -> Result<(), FsError> {
        Volume::put(&mut **self, path, node)
    }
    fn remove(&mut self, path: &str) {
        Volume::remove(&mut **self, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Tree {
        let mut t = Tree::default();
        t.add("/etc/hostname", Node::text("web\n", 0));
        t.add("/etc/os-release", Node::text("ID=debian\n", 0));
        t.add("/usr/share/nginx/html/index.html", Node::text("hi\n", 0));
        t.add("/tmp", Node::dir(0));
        t
    }

    #[test]
    fn paths_resolve_lexically() {
        assert_eq!(resolve("/", "a/b/../c").unwrap(), "/a/c");
        assert_eq!(resolve("/tmp", "..").unwrap(), "/");
        assert_eq!(
            resolve("/tmp", "../../../etc/./hosts").unwrap(),
            "/etc/hosts"
        );
        assert_eq!(resolve("/x", "/").unwrap(), "/");
        assert_eq!(resolve("/", ""), Err(FsError::NotFound));
        assert_eq!(resolve("/", &"a".repeat(300)), Err(FsError::NameTooLong));
        assert_eq!(resolve("/", &"a/".repeat(3000)), Err(FsError::NameTooLong));
    }

    #[test]
    fn writes_land_in_the_layer_and_a_new_layer_starts_clean() {
        let lower = image();
        let mut layer = Layer::default();
        {
            let root = Overlay {
                lower: &lower,
                layer: &mut layer,
                limit: LAYER_LIMIT,
            };
            let mut fs = Fs::new(Box::new(root), 5);
            fs.write("/tmp/a", "one\n", false).unwrap();
            fs.write("/tmp/a", "two\n", true).unwrap();
            assert_eq!(fs.read_data("/tmp/a"), Ok(Data::Text("one\ntwo\n".into())));
            fs.remove("/etc/os-release", false).unwrap();
            assert_eq!(fs.read_data("/etc/os-release"), Err(FsError::NotFound));
            assert_eq!(fs.write("/nope/x", "", false), Err(FsError::NotFound));
            assert_eq!(
                fs.write("/etc/hostname/x", "", false),
                Err(FsError::NotADirectory)
            );
            assert_eq!(fs.read_data("/tmp"), Err(FsError::IsADirectory));
            assert_eq!(fs.remove("/tmp", false), Err(FsError::IsADirectory));
            assert_eq!(fs.mkdir("/tmp"), Err(FsError::Exists));
            fs.mkdir_p("/a/b/c").unwrap();
            let names: Vec<String> = fs.list("/").unwrap().into_iter().map(|e| e.0).collect();
            assert_eq!(names, ["a", "etc", "tmp", "usr"]);
        }
        assert!(layer.used() > 0);
        // The image is untouched; a fresh layer (a restarted container) sees only the image.
        let mut fresh = Layer::default();
        let fs = Fs::new(
            Box::new(Overlay {
                lower: &lower,
                layer: &mut fresh,
                limit: LAYER_LIMIT,
            }),
            9,
        );
        assert_eq!(fs.read_data("/tmp/a"), Err(FsError::NotFound));
        assert!(fs.stat("/etc/os-release").is_some());
    }

    #[test]
    fn a_removed_directory_made_again_is_empty() {
        let lower = image();
        let mut layer = Layer::default();
        let mut fs = Fs::new(
            Box::new(Overlay {
                lower: &lower,
                layer: &mut layer,
                limit: LAYER_LIMIT,
            }),
            0,
        );
        fs.remove("/usr", true).unwrap();
        assert!(fs.stat("/usr/share/nginx/html/index.html").is_none());
        fs.mkdir_p("/usr/share").unwrap();
        assert_eq!(fs.list("/usr/share").unwrap(), Vec::new());
        assert_eq!(fs.remove("/", true), Err(FsError::Busy));
    }

    #[test]
    fn the_layer_is_capped() {
        let lower = image();
        let mut layer = Layer::default();
        let mut fs = Fs::new(
            Box::new(Overlay {
                lower: &lower,
                layer: &mut layer,
                limit: 1000,
            }),
            0,
        );
        fs.write("/tmp/a", &"x".repeat(800), false).unwrap();
        assert_eq!(
            fs.write("/tmp/b", &"x".repeat(800), false),
            Err(FsError::NoSpace)
        );
        // Freeing space makes room again.
        fs.remove("/tmp/a", false).unwrap();
        fs.write("/tmp/b", &"x".repeat(800), false).unwrap();
    }

    #[test]
    fn volumes_mount_over_the_root() {
        let lower = image();
        let mut layer = Layer::default();
        let mut shared = Tree::default();
        {
            let mut fs = Fs::new(
                Box::new(Overlay {
                    lower: &lower,
                    layer: &mut layer,
                    limit: LAYER_LIMIT,
                }),
                0,
            );
            fs.mount("/data", Box::new(&mut shared));
            fs.write("/data/kept", "yes", false).unwrap();
            assert!(fs.list("/").unwrap().iter().any(|(n, _)| n == "data"));
            assert_eq!(fs.remove("/data", true), Err(FsError::Busy));
        }
        assert_eq!(layer.used(), 0);
        assert!(shared.get("/kept").is_some());
    }
}
