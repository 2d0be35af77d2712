//! Splitting a command line into words, as a POSIX shell does for the parts we support:
//! single and double quotes, backslash escapes, `#` comments and `<<EOF` heredoc markers.

/// A lexed command line.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    pub words: Vec<String>,
    /// A heredoc the line asked for: its delimiter, and whether leading tabs are stripped (`<<-`).
    pub heredoc: Option<(String, bool)>,
    /// An unquoted `|`, `>`, `<` or `&&` was seen (not supported at the top level).
    pub operator: Option<String>,
}

pub fn lex(input: &str) -> Result<Line, String> {
    let mut line = Line::default();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    line.words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err("unexpected EOF while looking for matching `''".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some('\n') => {}
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => {
                                return Err("unexpected EOF while looking for matching `\"'".into())
                            }
                        },
                        Some(ch) => word.push(ch),
                        None => return Err("unexpected EOF while looking for matching `\"'".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(ch) => word.push(ch),
                }
            }
            '<' if chars.peek() == Some(&'<') && !in_word => {
                chars.next();
                let strip = if chars.peek() == Some(&'-') {
                    chars.next();
                    true
                } else {
                    false
                };
                while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                    chars.next();
                }
                let mut delim = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() {
                        break;
                    }
                    chars.next();
                    if ch != '\'' && ch != '"' {
                        delim.push(ch);
                    }
                }
                if delim.is_empty() {
                    return Err("syntax error near unexpected token `newline'".into());
                }
                line.heredoc = Some((delim, strip));
            }
            '|' | '>' | '<' | ';' | '&' if !in_word || word.is_empty() => {
                let mut op = c.to_string();
                if let Some(&n) = chars.peek() {
                    if (c == '&' && n == '&') || (c == '|' && n == '|') || (c == '>' && n == '>') {
                        op.push(n);
                        chars.next();
                    }
                }
                if line.operator.is_none() {
                    line.operator = Some(op);
                }
            }
            '|' | '>' | '<' | ';' => {
                line.words.push(std::mem::take(&mut word));
                in_word = false;
                if line.operator.is_none() {
                    line.operator = Some(c.to_string());
                }
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        line.words.push(word);
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_comments() {
        let l = lex(r#"kubectl run x --image='nginx:1.25' --labels="a=b c" # hi"#).unwrap();
        assert_eq!(
            l.words,
            [
                "kubectl",
                "run",
                "x",
                "--image=nginx:1.25",
                "--labels=a=b c"
            ]
        );
        assert!(lex("echo 'oops").is_err());
    }

    #[test]
    fn heredoc_markers() {
        let l = lex("kubectl apply -f - <<'EOF'").unwrap();
        assert_eq!(l.words, ["kubectl", "apply", "-f", "-"]);
        assert_eq!(l.heredoc, Some(("EOF".into(), false)));
        assert_eq!(
            lex("cat <<-END").unwrap().heredoc,
            Some(("END".into(), true))
        );
    }

    #[test]
    fn operators_are_noticed() {
        assert_eq!(
            lex("kubectl get pods | grep x")
                .unwrap()
                .operator
                .as_deref(),
            Some("|")
        );
    }
}
