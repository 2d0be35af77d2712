//! The learner's own files, as kubectl on the laptop sees them: what the session was given
//! (`Session::files`: the editor's tabs, or the script's folder for the CLI) under what was
//! written during the session (`Session::laptop_files`: `kubectl cp POD:… LOCAL`, `curl -o`,
//! `cat > FILE <<EOF`). Writes never reach the real disk.
//!
//! A directory is implicit (some file lies under it), or a key ending in `/` (a directory
//! `kubectl cp` made, possibly empty). Paths are cleaned lexically (`./a//b/../c` is `a/c`).
//!
//! Also the two commands that make this visible at the terminal's prompt: `cat FILE…` (and
//! `cat > FILE <<EOF` / `cat >> FILE <<EOF` to write one) and `ls [PATH]`, in GNU coreutils'
//! wording (a laptop, not a container image).

use super::files::FileError;
use super::{Output, Session};

/// How many files the session may write (as the laptop's curl).
pub const MAX_FILES: usize = 256;
/// How large one written file may be.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// How much the session's written files may hold together.
pub const MAX_TOTAL_BYTES: usize = 8 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// `path` cleaned lexically, without a leading `./`; "" is the base directory. `..` above a
/// relative start is kept (`../x`), above `/` dropped.
pub fn clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&"..") | None if !absolute => parts.push(".."),
                Some(_) => {
                    parts.pop();
                }
                None => {}
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// `dir` + `/` + `name` for cleaned paths ("" is the base).
pub fn join(dir: &str, name: &str) -> String {
    match dir {
        "" => name.to_string(),
        "/" => format!("/{name}"),
        d => format!("{d}/{name}"),
    }
}

fn dir_prefix(p: &str) -> String {
    match p {
        "" => String::new(),
        "/" => "/".into(),
        d => format!("{d}/"),
    }
}

/// What is at `path`, if anything.
pub fn stat(s: &Session, path: &str) -> Option<Kind> {
    let p = clean(path);
    if p.is_empty() || p == "/" {
        return Some(Kind::Dir);
    }
    if s.laptop_files.contains_key(&p) {
        return Some(Kind::File);
    }
    let prefix = dir_prefix(&p);
    if s.laptop_files
        .range(prefix.clone()..)
        .next()
        .is_some_and(|(k, _)| k.starts_with(&prefix))
    {
        return Some(Kind::Dir);
    }
    if s.files.list(&p, false).is_some() {
        return Some(Kind::Dir);
    }
    s.files.read(&p).ok().map(|_| Kind::File)
}

/// A file's text.
pub fn read(s: &Session, path: &str) -> Result<String, FileError> {
    let p = clean(path);
    if let Some(t) = s.laptop_files.get(&p) {
        return Ok(t.clone());
    }
    if stat(s, &p) == Some(Kind::Dir) {
        return Err(FileError::Other("is a directory".into()));
    }
    s.files.read(&p)
}

/// Every file under the directory `dir` (cleaned paths, sorted), and the empty directories
/// kubectl cp made there.
pub fn walk(s: &Session, dir: &str) -> Vec<(String, Kind)> {
    let d = clean(dir);
    let prefix = dir_prefix(&d);
    let mut out: std::collections::BTreeMap<String, Kind> = std::collections::BTreeMap::new();
    for f in s.files.list_all(&d).unwrap_or_default() {
        let f = clean(&f);
        if f.starts_with(&prefix) && f != d {
            out.insert(f, Kind::File);
        }
    }
    for k in s
        .laptop_files
        .range(prefix.clone()..)
        .map(|(k, _)| k)
        .take_while(|k| k.starts_with(&prefix))
    {
        match k.strip_suffix('/') {
            Some(d) if !d.is_empty() && d.len() > prefix.len() => {
                out.insert(d.to_string(), Kind::Dir);
            }
            Some(_) => {}
            None => {
                out.insert(k.clone(), Kind::File);
            }
        }
    }
    out.into_iter().collect()
}

/// The names directly inside `dir`, with what they are.
pub fn children(s: &Session, dir: &str) -> Vec<(String, Kind)> {
    let d = clean(dir);
    let prefix = dir_prefix(&d);
    let mut out: std::collections::BTreeMap<String, Kind> = std::collections::BTreeMap::new();
    for (path, kind) in walk(s, &d) {
        let rest = &path[prefix.len()..];
        match rest.split_once('/') {
            Some((first, _)) => {
                out.insert(first.to_string(), Kind::Dir);
            }
            None => {
                out.entry(rest.to_string()).or_insert(kind);
            }
        }
    }
    out.into_iter().filter(|(n, _)| !n.is_empty()).collect()
}

/// `mkdir -p`, as Go's `os.MkdirAll` words its errors.
pub fn mkdir_all(s: &mut Session, path: &str) -> Result<(), String> {
    let p = clean(path);
    if p.len() > 4096 {
        return Err(format!(
            "mkdir {}: file name too long",
            &p[..p.floor_char_boundary(64)]
        ));
    }
    let mut at = if p.starts_with('/') {
        "/".to_string()
    } else {
        String::new()
    };
    for part in p.split('/').filter(|x| !x.is_empty()) {
        at = join(&at, part);
        if stat(s, &at) == Some(Kind::File) {
            return Err(format!("mkdir {at}: not a directory"));
        }
    }
    if p.is_empty() || p == "/" || stat(s, &p) == Some(Kind::Dir) {
        return Ok(());
    }
    check_room(s, &format!("{p}/"), 0)?;
    s.laptop_files.insert(format!("{p}/"), String::new());
    Ok(())
}

fn check_room(s: &Session, key: &str, len: usize) -> Result<(), String> {
    if len > MAX_FILE_BYTES {
        return Err(format!(
            "write {}: no space left on device (Pocket Cluster keeps your files to at most 1 MiB each)",
            key.trim_end_matches('/')
        ));
    }
    let others: usize = s
        .laptop_files
        .iter()
        .filter(|(k, _)| k.as_str() != key)
        .map(|(_, v)| v.len())
        .sum();
    if others.saturating_add(len) > MAX_TOTAL_BYTES {
        return Err(format!(
            "write {}: no space left on device (Pocket Cluster keeps at most 8 MiB of your files)",
            key.trim_end_matches('/')
        ));
    }
    if s.laptop_files.len() >= MAX_FILES && !s.laptop_files.contains_key(key) {
        return Err(format!(
            "open {}: no space left on device (Pocket Cluster keeps at most {MAX_FILES} files of yours)",
            key.trim_end_matches('/')
        ));
    }
    Ok(())
}

/// Create or replace a file (its parent directories too), as `os.MkdirAll` + `os.Create` +
/// write word their errors.
pub fn write(s: &mut Session, path: &str, text: &str) -> Result<(), String> {
    let p = clean(path);
    if p.is_empty() || stat(s, &p) == Some(Kind::Dir) {
        return Err(format!("open {path}: is a directory"));
    }
    if let Some((parent, _)) = p.rsplit_once('/') {
        mkdir_all(s, if parent.is_empty() { "/" } else { parent })?;
    }
    check_room(s, &p, text.len())?;
    // A directory marker for the parent is no longer needed once a file is in it.
    if let Some((parent, _)) = p.rsplit_once('/') {
        s.laptop_files.remove(&format!("{parent}/"));
    }
    s.laptop_files.insert(p, text.to_string());
    Ok(())
}

/// `cat FILE…`, `cat > FILE <<EOF`, `cat >> FILE <<EOF`: None if the line is not one of them.
pub fn cat(
    s: &mut Session,
    words: &[String],
    operator: Option<&str>,
    stdin: Option<&str>,
) -> Option<Output> {
    match operator {
        Some(op @ (">" | ">>")) if words.len() == 2 => {
            let file = &words[1];
            let Some(text) = stdin else {
                return Some(Output::err(format!(
                    "sh: {op} needs the text in a heredoc here: cat {op} {file} <<EOF"
                )));
            };
            // A shell opens the file; it does not make its directory.
            let parent = match clean(file).rsplit_once('/') {
                Some(("", _)) => "/".to_string(),
                Some((d, _)) => d.to_string(),
                None => String::new(),
            };
            match stat(s, &parent) {
                Some(Kind::Dir) => {}
                Some(Kind::File) => {
                    return Some(Output::err(format!("sh: {file}: Not a directory")))
                }
                None => {
                    return Some(Output::err(format!(
                        "sh: {file}: No such file or directory"
                    )))
                }
            }
            let mut content = String::new();
            if op == ">>" {
                if let Ok(old) = read(s, file) {
                    content = old;
                }
            }
            content.push_str(text);
            return Some(match write(s, file, &content) {
                Ok(()) => Output::ok(""),
                Err(e) if e.contains("is a directory") => {
                    Output::err(format!("sh: {file}: Is a directory"))
                }
                Err(e) => Output::err(format!("sh: {file}: {e}")),
            });
        }
        Some(_) => return None,
        None => {}
    }
    if words.len() < 2 {
        return Some(match stdin {
            Some(t) => Output::ok(t.strip_suffix('\n').unwrap_or(t)),
            None => Output::err("cat: reading the terminal is not simulated; name a file"),
        });
    }
    let mut text = String::new();
    let mut ok = true;
    for f in &words[1..] {
        match read(s, f) {
            Ok(t) => text.push_str(&t),
            Err(FileError::NotFound) => {
                ok = false;
                text.push_str(&format!("cat: {f}: No such file or directory\n"));
            }
            Err(FileError::Other(e)) if e == "is a directory" => {
                ok = false;
                text.push_str(&format!("cat: {f}: Is a directory\n"));
            }
            Err(FileError::Other(e)) => {
                ok = false;
                text.push_str(&format!("cat: {f}: {e}\n"));
            }
        }
    }
    let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
    Some(Output { text, ok })
}

/// `mkdir [-p] DIR…`, in GNU coreutils' words.
pub fn mkdir(s: &mut Session, words: &[String]) -> Output {
    let parents = words[1..].iter().any(|w| w == "-p" || w == "--parents");
    let dirs: Vec<&String> = words[1..].iter().filter(|w| !w.starts_with('-')).collect();
    if dirs.is_empty() {
        return Output::err("mkdir: missing operand\nTry 'mkdir --help' for more information.");
    }
    let mut errs = Vec::new();
    for d in dirs {
        let p = clean(d);
        // Linux's PATH_MAX and NAME_MAX (and no walk of thousands of levels).
        if p.len() > 4096 || p.split('/').any(|n| n.len() > 255) {
            errs.push(format!(
                "mkdir: cannot create directory '{d}': File name too long"
            ));
            continue;
        }
        let parent = match p.rsplit_once('/') {
            Some(("", _)) => "/".to_string(),
            Some((x, _)) => x.to_string(),
            None => String::new(),
        };
        match stat(s, &p) {
            Some(Kind::Dir) if parents => continue,
            Some(_) => {
                errs.push(format!("mkdir: cannot create directory '{d}': File exists"));
                continue;
            }
            None => {}
        }
        if !parents && stat(s, &parent) != Some(Kind::Dir) {
            errs.push(format!(
                "mkdir: cannot create directory '{d}': No such file or directory"
            ));
            continue;
        }
        if let Err(e) = mkdir_all(s, &p) {
            let why = if e.contains("not a directory") {
                "Not a directory"
            } else {
                "No space left on device"
            };
            errs.push(format!("mkdir: cannot create directory '{d}': {why}"));
        }
    }
    Output {
        ok: errs.is_empty(),
        text: errs.join("\n"),
    }
}

/// `ls [PATH…]`: names in order, one line per directory.
pub fn ls(s: &Session, words: &[String]) -> Output {
    let paths: Vec<&String> = words[1..].iter().filter(|w| !w.starts_with('-')).collect();
    let paths: Vec<String> = if paths.is_empty() {
        vec![".".into()]
    } else {
        paths.into_iter().cloned().collect()
    };
    let mut out = Vec::new();
    let mut ok = true;
    let many = paths.len() > 1;
    for p in &paths {
        match stat(s, p) {
            None => {
                ok = false;
                out.push(format!(
                    "ls: cannot access '{p}': No such file or directory"
                ));
            }
            Some(Kind::File) => out.push(p.clone()),
            Some(Kind::Dir) => {
                let names: Vec<String> = children(s, p).into_iter().map(|(n, _)| n).collect();
                if many {
                    out.push(format!("{p}:"));
                }
                if !names.is_empty() {
                    out.push(names.join("  "));
                }
            }
        }
    }
    Output {
        text: out.join("\n"),
        ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_clean_lexically() {
        assert_eq!(clean("./a//b/../c"), "a/c");
        assert_eq!(clean("."), "");
        assert_eq!(clean("../x"), "../x");
        assert_eq!(clean("a/../../x"), "../x");
        assert_eq!(clean("/../etc/./x"), "/etc/x");
        assert_eq!(clean("/"), "/");
        assert_eq!(clean(""), "");
    }

    #[test]
    fn written_files_shadow_and_make_directories() {
        let mut s = Session::new(1);
        write(&mut s, "out/deep/a.txt", "hi\n").unwrap();
        assert_eq!(stat(&s, "out"), Some(Kind::Dir));
        assert_eq!(stat(&s, "./out/deep/a.txt"), Some(Kind::File));
        assert_eq!(read(&s, "out/deep/a.txt"), Ok("hi\n".into()));
        assert!(write(&mut s, "out", "x").is_err());
        assert_eq!(
            write(&mut s, "out/deep/a.txt/b", "x"),
            Err("mkdir out/deep/a.txt: not a directory".into())
        );
        mkdir_all(&mut s, "empty").unwrap();
        assert_eq!(stat(&s, "empty"), Some(Kind::Dir));
        assert_eq!(
            children(&s, ""),
            [("empty".into(), Kind::Dir), ("out".into(), Kind::Dir)]
        );
        assert!(write(&mut s, "big", &"x".repeat(MAX_FILE_BYTES + 1)).is_err());
        assert_eq!(walk(&s, "out"), [("out/deep/a.txt".into(), Kind::File)]);
    }
}
