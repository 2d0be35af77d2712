//! The course: lessons as data (YAML and Markdown under content/, built into the app):
//! `lesson.rs` is the format, `goals.rs` the checks, `route.rs` the page's addresses,
//! `workspace.rs` the editor's files by step and undo. The first-pod text below is the sandbox's.

pub mod goals;
pub mod heads;
pub mod lesson;
pub mod markdown;
pub mod route;
pub mod templates;
pub mod workspace;

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
