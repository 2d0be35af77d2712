//! Field documentation for the editor: the field under the cursor, and what `kubectl explain`
//! says about it.

use crate::manifest::locate::{self, Step};

/// The documentation of the field at a place in an editor buffer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FieldDocs {
    /// `spec.template.spec.containers[0].image`.
    pub path: String,
    /// The `kubectl explain` argument it answers (`deployment.spec.template.spec.containers.image`).
    pub query: String,
    /// kubectl explain's text (or its error).
    pub text: String,
}

/// The field at 1-based `line` of `text` (several documents allowed) and its docs. None on a
/// line without a field, or in a document whose kind has no documentation here.
pub fn docs_at(text: &str, line: usize) -> Option<FieldDocs> {
    let (start, doc) = crate::manifest::split_documents(text)
        .into_iter()
        .rfind(|(start, _)| *start <= line)?;
    let kind = doc
        .lines()
        .find_map(|l| l.strip_prefix("kind:"))
        .map(|k| k.trim().trim_matches('"').trim_matches('\'').to_string())?;
    let steps = locate::path_at(&doc, line.checked_sub(start)?)?;
    let names: Vec<String> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Index(_) => None,
        })
        .collect();
    // apiVersion and kind are the object's own; explain the kind for them.
    let names = match names.as_slice() {
        [one] if one == "apiVersion" || one == "kind" => Vec::new(),
        _ => names,
    };
    let out = super::kubectl::explain::field_docs(&kind, &names)?;
    let mut query = kind.to_lowercase();
    for n in &names {
        query.push('.');
        query.push_str(n);
    }
    Some(FieldDocs {
        path: locate::path_text(&steps),
        query,
        text: out.text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_field_under_the_cursor_is_explained() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n";
        let d = docs_at(text, 11).unwrap();
        assert_eq!(d.path, "spec.replicas");
        assert_eq!(d.query, "deployment.spec.replicas");
        assert!(d.text.contains("FIELD: replicas <integer>"), "{}", d.text);
        let d = docs_at(text, 16).unwrap();
        assert_eq!(d.path, "spec.template.spec.containers[0].image");
        assert!(d.text.contains("FIELD: image <string>"), "{}", d.text);
        let d = docs_at(text, 4).unwrap();
        assert_eq!(d.query, "pod.metadata.name");
        assert!(docs_at(text, 5).is_none());
        assert!(docs_at("", 1).is_none());
        assert!(docs_at(text, 999).is_none());
    }
}
