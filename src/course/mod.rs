//! The course: lessons as data (Markdown under content/, built into the app).
//! For now one built-in lesson; the lesson format with goals comes with the course issue.

pub mod markdown;
pub mod templates;

/// A lesson shown in the lesson pane.
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub markdown: &'static str,
    /// The manifest the editor opens with.
    pub manifest: &'static str,
    pub manifest_name: &'static str,
}

pub const FIRST_POD: Lesson = Lesson {
    id: "first-pod",
    title: "Your first Pod",
    markdown: include_str!("../../content/lessons/01-first-pod.md"),
    manifest: include_str!("../../content/lessons/01-first-pod.yaml"),
    manifest_name: "pod.yaml",
};
