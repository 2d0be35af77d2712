//! A small Markdown renderer for lesson text: headings, paragraphs, lists, emphasis, inline code
//! and fenced code blocks. Everything is HTML-escaped first, so lesson text cannot inject markup.

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline spans: `code`, **strong**, *em*.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(['`', '*']) {
        out.push_str(&escape(&rest[..i]));
        let after = &rest[i..];
        let (marker, tag) = if after.starts_with('`') {
            ("`", "code")
        } else if after.starts_with("**") {
            ("**", "strong")
        } else {
            ("*", "em")
        };
        let body = &after[marker.len()..];
        match body.find(marker) {
            Some(end) if end > 0 => {
                let inner = &body[..end];
                let inner_html = if tag == "code" {
                    escape(inner)
                } else {
                    inline(inner)
                };
                out.push_str(&format!("<{tag}>{inner_html}</{tag}>"));
                rest = &body[end + marker.len()..];
            }
            _ => {
                out.push_str(&escape(marker));
                rest = body;
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

pub fn to_html(md: &str) -> String {
    let mut html = String::new();
    let mut para: Vec<&str> = Vec::new();
    // List items as Markdown source; rendered when the list ends.
    let mut list: Vec<String> = Vec::new();
    let mut code: Option<Vec<&str>> = None;
    let flush_para = |para: &mut Vec<&str>, html: &mut String| {
        if !para.is_empty() {
            html.push_str(&format!("<p>{}</p>\n", inline(&para.join(" "))));
            para.clear();
        }
    };
    let flush_list = |list: &mut Vec<String>, html: &mut String| {
        if !list.is_empty() {
            html.push_str("<ul>");
            for item in list.iter() {
                html.push_str(&format!("<li>{}</li>", inline(item)));
            }
            html.push_str("</ul>\n");
            list.clear();
        }
    };
    for line in md.lines() {
        if let Some(block) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                html.push_str(&format!(
                    "<pre><code>{}</code></pre>\n",
                    escape(&block.join("\n"))
                ));
                code = None;
            } else {
                block.push(line);
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            flush_para(&mut para, &mut html);
            flush_list(&mut list, &mut html);
            code = Some(Vec::new());
        } else if t.is_empty() {
            flush_para(&mut para, &mut html);
            flush_list(&mut list, &mut html);
        } else if let Some(h) = t.strip_prefix("### ") {
            flush_para(&mut para, &mut html);
            flush_list(&mut list, &mut html);
            html.push_str(&format!("<h4>{}</h4>\n", inline(h)));
        } else if let Some(h) = t.strip_prefix("## ") {
            flush_para(&mut para, &mut html);
            flush_list(&mut list, &mut html);
            html.push_str(&format!("<h3>{}</h3>\n", inline(h)));
        } else if let Some(h) = t.strip_prefix("# ") {
            flush_para(&mut para, &mut html);
            flush_list(&mut list, &mut html);
            html.push_str(&format!("<h2>{}</h2>\n", inline(h)));
        } else if let Some(item) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
            flush_para(&mut para, &mut html);
            list.push(item.to_string());
        } else if line.starts_with(' ') && !list.is_empty() {
            // An indented line continues the list item above it.
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(t);
            }
        } else {
            flush_list(&mut list, &mut html);
            para.push(t);
        }
    }
    if let Some(block) = code {
        html.push_str(&format!(
            "<pre><code>{}</code></pre>\n",
            escape(&block.join("\n"))
        ));
    }
    flush_para(&mut para, &mut html);
    flush_list(&mut list, &mut html);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_basics_and_escapes() {
        let html = to_html("# Title\n\nSome `kubectl get pods` and **bold**.\n\n- one\n- two\n\n```\n<b>x</b>\n```\n");
        assert!(html.contains("<h2>Title</h2>"));
        assert!(html.contains("<code>kubectl get pods</code>"));
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("<ul><li>one</li><li>two</li></ul>"));
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!to_html("<script>alert(1)</script>").contains("<script>"));
        assert_eq!(to_html("a * b"), "<p>a * b</p>\n");
        assert_eq!(
            to_html("- one\n  more\n- two"),
            "<ul><li>one more</li><li>two</li></ul>\n"
        );
    }
}
