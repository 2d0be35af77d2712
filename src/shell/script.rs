//! Session scripts: one command per line, `#` comments, heredocs. Running one prints a
//! transcript: `$ COMMAND` (its first line), then the output as the terminal shows it.

use super::{lex, Session};

/// A command of a script, with the text of its heredoc if it has one.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptCommand {
    /// 1-based line number in the script.
    pub line_no: usize,
    pub line: String,
    pub stdin: Option<String>,
}

/// Split a script into commands. An unterminated heredoc is an error naming its line.
pub fn parse(script: &str) -> Result<Vec<ScriptCommand>, String> {
    let lines: Vec<&str> = script.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let line_no = i + 1;
        i += 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let lexed = lex::lex(line).map_err(|e| format!("line {line_no}: {e}"))?;
        let stdin = match lexed.heredoc {
            Some((delim, strip_tabs)) => {
                let mut body = String::new();
                let mut closed = false;
                while i < lines.len() {
                    let l = lines[i];
                    i += 1;
                    let l = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if l.trim_end() == delim {
                        closed = true;
                        break;
                    }
                    body.push_str(l);
                    body.push('\n');
                }
                if !closed {
                    return Err(format!(
                        "line {line_no}: here-document delimited by end-of-file (wanted `{delim}')"
                    ));
                }
                Some(body)
            }
            None => None,
        };
        out.push(ScriptCommand {
            line_no,
            line: line.trim().to_string(),
            stdin,
        });
    }
    Ok(out)
}

/// Run a script and return its transcript.
pub fn run(session: &mut Session, script: &str) -> Result<String, String> {
    let mut transcript = String::new();
    for cmd in parse(script)? {
        let out = session.run(&cmd.line, cmd.stdin.as_deref());
        transcript.push_str(&format!("$ {}\n", cmd.line));
        if !out.text.is_empty() {
            transcript.push_str(&out.text);
            if !out.text.ends_with('\n') {
                transcript.push('\n');
            }
        }
    }
    Ok(transcript)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredocs_become_stdin() {
        let cmds =
            parse("# hi\nkubectl apply -f - <<EOF\nkind: Pod\nEOF\nsim advance 5s\n").unwrap();
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].stdin.as_deref(), Some("kind: Pod\n"));
        assert_eq!(cmds[0].line_no, 2);
        assert!(parse("kubectl apply -f - <<EOF\nkind: Pod\n").is_err());
    }
}
