//! Where a field path (`spec.template.spec.containers[0].image`, `metadata.labels[app]`) is
//! written in a YAML document, and which field path a line of it holds: a small reader of
//! block-style YAML lines, enough to point the editor at a line. Flow style (`{a: 1}`) and
//! multi-line scalars are not entered; the answer is then the nearest enclosing key found.

/// One line of a document as the locator sees it.
#[derive(Debug, Clone)]
struct Line<'a> {
    /// Spaces before the first character.
    indent: usize,
    /// Starts a list item (`- …`).
    dash: bool,
    /// Where the key (or the item's value) starts: `indent`, plus 2 after a dash.
    key_indent: usize,
    /// The key, unquoted, if the line has one (`name: x`, `- name: x`, `spec:`).
    key: Option<&'a str>,
    /// Blank, a comment or a document marker: not part of the structure.
    skip: bool,
}

fn read_line(text: &str) -> Line<'_> {
    let indent = text.len() - text.trim_start_matches(' ').len();
    let rest = &text[indent..];
    let skip = rest.trim().is_empty() || rest.starts_with('#') || rest.starts_with("---");
    let (dash, body, key_indent) = match rest.strip_prefix("- ").or_else(|| {
        // A bare `-` opens an item whose content is on the next lines.
        (rest.trim_end() == "-").then_some("")
    }) {
        Some(b) => {
            let pad = b.len() - b.trim_start().len();
            (true, b.trim_start(), indent + 2 + pad)
        }
        None => (false, rest, indent),
    };
    Line {
        indent,
        dash,
        key_indent,
        key: key_of(body),
        skip,
    }
}

/// `name: x` → `name`; `"a.b": x` → `a.b`; not a key → None.
fn key_of(body: &str) -> Option<&str> {
    if body.starts_with('{') || body.starts_with('[') || body.starts_with('#') {
        return None;
    }
    let end = if let Some(q) = body.strip_prefix('"') {
        let close = q.find('"')?;
        return q[close + 1..]
            .trim_start()
            .starts_with(':')
            .then_some(&q[..close]);
    } else if let Some(q) = body.strip_prefix('\'') {
        let close = q.find('\'')?;
        return q[close + 1..]
            .trim_start()
            .starts_with(':')
            .then_some(&q[..close]);
    } else {
        body.find(": ")
            .or_else(|| body.strip_suffix(':').map(|k| k.len()))?
    };
    let key = body[..end].trim_end();
    (!key.is_empty()).then_some(key)
}

/// A step of a field path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// `spec.containers[0].env[1].name` → keys and indexes; `labels[app]` and `data[tls.crt]` are
/// keys (a map's entry).
pub fn parse_path(path: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut word = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => {
                if !word.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut word)));
                }
            }
            '[' => {
                if !word.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut word)));
                }
                let inner: String = chars.by_ref().take_while(|&c| c != ']').collect();
                match inner.parse::<usize>() {
                    Ok(i) => steps.push(Step::Index(i)),
                    Err(_) => steps.push(Step::Key(inner.trim_matches('"').to_string())),
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        steps.push(Step::Key(word));
    }
    steps
}

/// Where a path was found: the 0-based line in the document, the 1-based column of its key
/// (or list item), and whether the whole path was found (false: the deepest parent found).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Found {
    pub line: usize,
    pub column: usize,
    pub exact: bool,
}

/// The line of `path` in `doc` (block style). None when not even its first key is there.
pub fn locate(doc: &str, path: &str) -> Option<Found> {
    let lines: Vec<Line> = doc.lines().map(read_line).collect();
    let steps = parse_path(path);
    // The children of the current node: lines lo..hi, whose keys sit at `at` (None: the
    // smallest indent found among them).
    let (mut lo, mut hi) = (0, lines.len());
    let mut found: Option<Found> = None;
    for step in &steps {
        let content: Vec<usize> = (lo..hi).filter(|&i| !lines[i].skip).collect();
        let next = match step {
            Step::Key(k) => {
                let Some(at) = content.iter().map(|&i| lines[i].key_indent).min() else {
                    break;
                };
                content
                    .iter()
                    .copied()
                    .find(|&i| lines[i].key_indent == at && lines[i].key == Some(k.as_str()))
                    .map(|i| {
                        // The key's children: until a line at or left of the key (a list may
                        // sit at the key's own indent, as `containers:\n- name: x`).
                        let end = (i + 1..hi)
                            .find(|&j| {
                                let l = &lines[j];
                                !l.skip && (l.indent < at || (l.indent == at && !l.dash))
                                    || (l.dash && l.indent < at)
                            })
                            .unwrap_or(hi);
                        (i, lines[i].key_indent + 1, i + 1, end)
                    })
            }
            Step::Index(n) => {
                let Some(d) = content
                    .iter()
                    .filter(|&&i| lines[i].dash)
                    .map(|&i| lines[i].indent)
                    .min()
                else {
                    break;
                };
                content
                    .iter()
                    .copied()
                    .filter(|&i| lines[i].dash && lines[i].indent == d)
                    .nth(*n)
                    .map(|i| {
                        let end = (i + 1..hi)
                            .find(|&j| !lines[j].skip && lines[j].indent <= d)
                            .unwrap_or(hi);
                        // The item's first key is on the dash line: it is one of the children.
                        (i, d + 1, i, end)
                    })
            }
        };
        match next {
            Some((line, column, a, b)) => {
                found = Some(Found {
                    line,
                    column,
                    exact: false,
                });
                lo = a;
                hi = b;
            }
            None => return found,
        }
    }
    found.map(|f| Found { exact: true, ..f })
}

/// The field path of what is written on `line` (0-based) of `doc`: its key and the keys and
/// list items above it, as `spec.containers[0].image`. None on a blank or comment line.
pub fn path_at(doc: &str, line: usize) -> Option<Vec<Step>> {
    let lines: Vec<Line> = doc.lines().map(read_line).collect();
    if lines.get(line)?.skip {
        return None;
    }
    let key = |i: usize| lines[i].key.map(|k| Step::Key(k.to_string()));
    let mut steps: Vec<Step> = key(line).into_iter().collect();
    let mut cur = line;
    loop {
        let l = &lines[cur];
        if l.dash {
            // An item of a list at indent d: its parent is the line above at or left of d
            // that is not a sibling item.
            let d = l.indent;
            let parent = (0..cur).rev().find(|&i| {
                let p = &lines[i];
                !p.skip && p.indent <= d && !(p.dash && p.indent == d)
            });
            let from = parent.map_or(0, |p| p + 1);
            let index = (from..=cur)
                .filter(|&j| !lines[j].skip && lines[j].dash && lines[j].indent == d)
                .count()
                .saturating_sub(1);
            steps.push(Step::Index(index));
            match parent {
                Some(p) => {
                    steps.extend(key(p));
                    cur = p;
                }
                None => break,
            }
        } else {
            let Some(p) = (0..cur)
                .rev()
                .find(|&i| !lines[i].skip && lines[i].indent < l.key_indent)
            else {
                break;
            };
            // A key of the same list item as the dash line above: a sibling, not a parent.
            if !(lines[p].dash && lines[p].key_indent == l.key_indent) {
                steps.extend(key(p));
            }
            cur = p;
        }
    }
    steps.reverse();
    (!steps.is_empty()).then_some(steps)
}

/// `spec.containers[0].image` from steps.
pub fn path_text(steps: &[Step]) -> String {
    let mut out = String::new();
    for s in steps {
        match s {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: side
        image: busybox
";

    fn at(path: &str) -> (usize, usize, bool) {
        let f = locate(DEPLOY, path).unwrap();
        (f.line + 1, f.column, f.exact)
    }

    #[test]
    fn paths_are_found_at_their_lines() {
        assert_eq!(at("spec.replicas"), (8, 3, true));
        assert_eq!(at("metadata.labels[app]"), (6, 5, true));
        assert_eq!(at("spec.template.spec.containers[0].image"), (19, 9, true));
        assert_eq!(at("spec.template.spec.containers[1].image"), (23, 9, true));
        assert_eq!(at("spec.template.spec.containers[1]"), (22, 7, true));
        assert_eq!(
            at("spec.template.spec.containers[0].ports[0].containerPort"),
            (21, 11, true)
        );
        // Not written: the nearest parent.
        assert_eq!(at("spec.strategy"), (7, 1, false));
        assert_eq!(at("spec.template.spec.containers[5]"), (17, 7, false));
    }

    #[test]
    fn indented_lists_and_quoted_keys() {
        let doc = "spec:\n  containers:\n    - name: a\n      image: x\n    - name: b\n      \"image\": y\n";
        assert_eq!(
            locate(doc, "spec.containers[1].image").map(|f| f.line),
            Some(5)
        );
    }

    #[test]
    fn paths_of_lines() {
        let p = |l: usize| path_at(DEPLOY, l - 1).map(|s| path_text(&s));
        assert_eq!(p(8).as_deref(), Some("spec.replicas"));
        assert_eq!(p(11).as_deref(), Some("spec.selector.matchLabels.app"));
        assert_eq!(
            p(19).as_deref(),
            Some("spec.template.spec.containers[0].image")
        );
        assert_eq!(
            p(22).as_deref(),
            Some("spec.template.spec.containers[1].name")
        );
        assert_eq!(
            p(21).as_deref(),
            Some("spec.template.spec.containers[0].ports[0].containerPort")
        );
        assert_eq!(p(1).as_deref(), Some("apiVersion"));
    }

    #[test]
    fn odd_text_never_panics() {
        for doc in [
            "",
            "-",
            "- - -",
            ":",
            "a:\n- \n  -\n:::",
            "\"a: b",
            "'x",
            "  - {a: 1}\n",
        ] {
            for l in 0..4 {
                let _ = path_at(doc, l);
            }
            let _ = locate(doc, "a[0].b[x]");
        }
    }
}
