//! Output text as lines that wrap with a hanging indent: the text stays exactly what the
//! command printed (selection and copy give it back byte for byte), long lines wrap inside the
//! pane, and a wrapped line continues under where its text starts (`sim trace`'s detail
//! column, an indented YAML value).

use leptos::prelude::*;

/// Where a wrapped line's continuation starts, in characters.
pub fn hang(line: &str) -> usize {
    let chars: Vec<char> = line.chars().collect();
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    // `sim trace`: ` 3. <where>   <detail>`: continue under the detail.
    let digits = chars[lead..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits > 0
        && chars.get(lead + digits) == Some(&'.')
        && chars.get(lead + digits + 1) == Some(&' ')
    {
        let number_end = lead + digits + 2;
        let mut i = number_end;
        while i + 1 < chars.len() && !(chars[i] == ' ' && chars[i + 1] == ' ') {
            i += 1;
        }
        while i < chars.len() && chars[i] == ' ' {
            i += 1;
        }
        return if i < chars.len() && i <= 48 {
            i
        } else {
            number_end
        };
    }
    (lead + 2).min(24)
}

/// One command's output, line by line.
#[component]
pub fn OutputText(text: String, #[prop(optional)] id: Option<String>) -> impl IntoView {
    let count = text.split('\n').count();
    let lines: Vec<(String, usize)> = if text.is_empty() {
        Vec::new()
    } else {
        text.split('\n')
            .enumerate()
            .map(|(i, l)| {
                let shown = if i + 1 < count {
                    format!("{l}\n")
                } else {
                    l.to_string()
                };
                (shown, hang(l))
            })
            .collect()
    };
    view! {
        <pre class="term-output" id=id>
            {lines
                .into_iter()
                .map(|(l, h)| view! { <span class="ln" style=format!("--hang:{h}ch")>{l}</span> })
                .collect_view()}
        </pre>
    }
}
