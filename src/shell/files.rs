//! Where `kubectl apply -f PATH` reads from: the real filesystem for the CLI, the editor's open
//! files in the browser.

use std::collections::BTreeMap;

pub trait Files {
    /// The text of a file.
    fn read(&self, path: &str) -> Result<String, FileError>;
    /// The manifest files (`.yaml`, `.yml`, `.json`) under a directory, sorted; None if `path`
    /// is not a directory.
    fn list(&self, path: &str, recursive: bool) -> Option<Vec<String>>;
    /// Every file under a directory (any name, every depth), sorted; None if `path` is not a
    /// directory (`kubectl create configmap --from-file=DIR`, `kubectl cp DIR POD:PATH`).
    fn list_all(&self, _path: &str) -> Option<Vec<String>> {
        None
    }
}

/// How many files [`Files::list_all`] walks at most in a real directory.
pub const LIST_ALL_LIMIT: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum FileError {
    NotFound,
    Other(String),
}

fn is_manifest(path: &str) -> bool {
    path.ends_with(".yaml") || path.ends_with(".yml") || path.ends_with(".json")
}

/// Files held in memory (the editor's tabs, a lesson's folder).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MemFiles {
    pub files: BTreeMap<String, String>,
}

fn clean(path: &str) -> String {
    let p = path.trim_start_matches("./").trim_end_matches('/');
    p.to_string()
}

impl Files for MemFiles {
    fn read(&self, path: &str) -> Result<String, FileError> {
        self.files
            .get(&clean(path))
            .cloned()
            .ok_or(FileError::NotFound)
    }
    fn list(&self, path: &str, recursive: bool) -> Option<Vec<String>> {
        let dir = clean(path);
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        let found: Vec<String> = self
            .files
            .keys()
            .filter(|k| k.starts_with(&prefix) && is_manifest(k))
            .filter(|k| recursive || !k[prefix.len()..].contains('/'))
            .cloned()
            .collect();
        let is_dir =
            self.files.keys().any(|k| k.starts_with(&prefix)) && !self.files.contains_key(&dir);
        is_dir.then_some(found)
    }
    fn list_all(&self, path: &str) -> Option<Vec<String>> {
        let dir = clean(path);
        let prefix = if dir.is_empty() || dir == "." {
            String::new()
        } else {
            format!("{dir}/")
        };
        let found: Vec<String> = self
            .files
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        (!found.is_empty() && !self.files.contains_key(&dir)).then_some(found)
    }
}

/// The real filesystem, relative to a base directory (the script's folder).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone)]
pub struct FsFiles {
    pub base: std::path::PathBuf,
}

#[cfg(not(target_arch = "wasm32"))]
impl Files for FsFiles {
    fn read(&self, path: &str) -> Result<String, FileError> {
        let p = self.base.join(path);
        let meta = std::fs::metadata(&p).map_err(|_| FileError::NotFound)?;
        if meta.len() > crate::manifest::MAX_MANIFEST_BYTES as u64 {
            return Err(FileError::Other(format!("{path} is larger than 1 MiB")));
        }
        std::fs::read_to_string(&p).map_err(|e| FileError::Other(e.to_string()))
    }
    fn list(&self, path: &str, recursive: bool) -> Option<Vec<String>> {
        let root = self.base.join(path);
        if !root.is_dir() {
            return None;
        }
        let mut out = Vec::new();
        let mut stack = vec![(root, path.trim_end_matches('/').to_string())];
        while let Some((dir, shown)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut entries: Vec<_> = entries.flatten().collect();
            crate::sim::sort::by_key(&mut entries, |e| e.file_name());
            for e in entries {
                let name = e.file_name().to_string_lossy().to_string();
                let shown_child = format!("{shown}/{name}");
                let p = e.path();
                if p.is_dir() {
                    if recursive {
                        stack.push((p, shown_child));
                    }
                } else if is_manifest(&name) {
                    out.push(shown_child);
                }
            }
        }
        crate::sim::sort::natural(&mut out);
        Some(out)
    }
    fn list_all(&self, path: &str) -> Option<Vec<String>> {
        let root = self.base.join(path);
        if !root.is_dir() {
            return None;
        }
        let mut out = Vec::new();
        let mut stack = vec![(root, path.trim_end_matches('/').to_string())];
        while let Some((dir, shown)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                if out.len() + stack.len() >= LIST_ALL_LIMIT {
                    break;
                }
                let name = e.file_name().to_string_lossy().to_string();
                let shown_child = format!("{shown}/{name}");
                match e.file_type() {
                    Ok(t) if t.is_dir() => stack.push((e.path(), shown_child)),
                    Ok(t) if t.is_file() => out.push(shown_child),
                    _ => {}
                }
            }
        }
        crate::sim::sort::natural(&mut out);
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_folders() {
        let mut f = MemFiles::default();
        f.files.insert("setup/a.yaml".into(), "x".into());
        f.files.insert("setup/deep/b.yml".into(), "y".into());
        f.files.insert("pod.yaml".into(), "z".into());
        assert_eq!(
            f.list("setup", false),
            Some(vec!["setup/a.yaml".to_string()])
        );
        assert_eq!(f.list("setup/", true).map(|v| v.len()), Some(2));
        assert_eq!(f.list("pod.yaml", false), None);
        assert_eq!(f.read("./pod.yaml"), Ok("z".into()));
        f.files.insert("setup/notes.txt".into(), "n".into());
        assert_eq!(f.list_all("setup").map(|v| v.len()), Some(3));
        assert_eq!(f.list_all("pod.yaml"), None);
        assert_eq!(f.list_all("nothing"), None);
    }
}
