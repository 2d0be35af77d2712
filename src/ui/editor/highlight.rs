//! YAML colouring for the editor's overlay, with the diagnostics' squiggles: one HTML string
//! (escaped) per buffer, lines in the textarea's own layout (no wrapping).

use crate::manifest::diagnostics::{Diagnostic, Severity};

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    Plain,
    Key,
    Str,
    Num,
    Lit,
    Comment,
    Punct,
    Marker,
}

impl Tok {
    fn class(self) -> &'static str {
        match self {
            Tok::Plain => "",
            Tok::Key => "y-key",
            Tok::Str => "y-str",
            Tok::Num => "y-num",
            Tok::Lit => "y-lit",
            Tok::Comment => "y-com",
            Tok::Punct => "y-pun",
            Tok::Marker => "y-doc",
        }
    }
}

/// The token of each char of a line.
fn tokens(line: &[char]) -> Vec<Tok> {
    let mut out = vec![Tok::Plain; line.len()];
    let text: String = line.iter().collect();
    let t = text.trim_end();
    if t == "---" || t.starts_with("--- ") || t == "..." {
        out.iter_mut().for_each(|c| *c = Tok::Marker);
        return out;
    }
    let mut i = 0;
    while i < line.len() && line[i] == ' ' {
        i += 1;
    }
    // List dashes.
    while i < line.len() && line[i] == '-' && matches!(line.get(i + 1), Some(' ') | None) {
        out[i] = Tok::Punct;
        i += 1;
        while i < line.len() && line[i] == ' ' {
            i += 1;
        }
    }
    if line.get(i) == Some(&'#') {
        out[i..].iter_mut().for_each(|c| *c = Tok::Comment);
        return out;
    }
    // A key: up to `: ` or a final `:` outside quotes.
    let mut j = i;
    let mut quote: Option<char> = None;
    let mut key_end = None;
    while j < line.len() {
        let c = line[j];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if (c == '"' || c == '\'') && j == i => quote = Some(c),
            None if c == ':' && matches!(line.get(j + 1), Some(' ') | None) => {
                key_end = Some(j);
                break;
            }
            None if c == '#' && j > 0 && line[j - 1] == ' ' => break,
            None => {}
        }
        j += 1;
    }
    let mut v = i;
    if let Some(k) = key_end {
        out[i..k].iter_mut().for_each(|c| *c = Tok::Key);
        out[k] = Tok::Punct;
        v = k + 1;
    }
    while v < line.len() && line[v] == ' ' {
        v += 1;
    }
    if v >= line.len() {
        return out;
    }
    // The value, up to a comment.
    let mut end = line.len();
    let mut q: Option<char> = None;
    for (n, &c) in line.iter().enumerate().skip(v) {
        match q {
            Some(x) if c == x => q = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => q = Some(c),
            None if c == '#' && n > 0 && line[n - 1] == ' ' => {
                end = n;
                break;
            }
            None => {}
        }
    }
    let value: String = line[v..end].iter().collect();
    let word = value.trim();
    let tok = if word.starts_with('"') || word.starts_with('\'') {
        Tok::Str
    } else if word.parse::<f64>().is_ok() {
        Tok::Num
    } else if ["true", "false", "null", "~", "yes", "no", "True", "False"].contains(&word) {
        Tok::Lit
    } else if word.starts_with('|')
        || word.starts_with('>')
        || word.starts_with('&')
        || word.starts_with('*')
    {
        Tok::Punct
    } else {
        Tok::Str
    };
    out[v..end].iter_mut().for_each(|c| *c = tok);
    out[end..].iter_mut().for_each(|c| *c = Tok::Comment);
    out
}

fn escape(c: char, out: &mut String) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        c => out.push(c),
    }
}

/// The overlay's HTML for `text`, with squiggles under each diagnostic's columns.
pub fn to_html(text: &str, diagnostics: &[Diagnostic]) -> String {
    let mut html = String::with_capacity(text.len() * 2);
    for (n, line) in text.split('\n').enumerate() {
        let chars: Vec<char> = line.trim_end_matches('\r').chars().collect();
        let toks = tokens(&chars);
        // 0 none, 1 hint, 2 error (errors win).
        let mut sq = vec![0u8; chars.len()];
        let mut tail = 0u8;
        for d in diagnostics.iter().filter(|d| d.line == n + 1) {
            let level = if d.severity == Severity::Error { 2 } else { 1 };
            let from = d.column.saturating_sub(1).min(chars.len());
            let to = d.end_column.saturating_sub(1).min(chars.len());
            if from >= to {
                tail = tail.max(level);
            }
            for s in &mut sq[from..to.max(from)] {
                *s = (*s).max(level);
            }
        }
        let mut i = 0;
        while i < chars.len() {
            let (t, s) = (toks[i], sq[i]);
            let mut j = i;
            while j < chars.len() && toks[j] == t && sq[j] == s {
                j += 1;
            }
            let mut class = t.class().to_string();
            match s {
                2 => class.push_str(" sq sq-error"),
                1 => class.push_str(" sq sq-hint"),
                _ => {}
            }
            let class = class.trim();
            if class.is_empty() {
                chars[i..j].iter().for_each(|&c| escape(c, &mut html));
            } else {
                html.push_str(&format!("<span class=\"{class}\">"));
                chars[i..j].iter().for_each(|&c| escape(c, &mut html));
                html.push_str("</span>");
            }
            i = j;
        }
        match tail {
            2 => html.push_str("<span class=\"sq sq-error\">  </span>"),
            1 => html.push_str("<span class=\"sq sq-hint\">  </span>"),
            _ => {}
        }
        html.push('\n');
    }
    // A last newline in a textarea shows an empty line: keep the overlay as tall.
    html.push(' ');
    html
}
