//! The course overview: chapters 1–10 with their lessons, done and in-progress marks, and a link
//! to continue where the learner was (or to start at the first lesson).

use super::{CourseState, Ctx};
use crate::course::route::Route;
use crate::ui::AppState;
use leptos::prelude::*;

/// The chapters' names, in order: issue 7's outline, in the seed documents' terms.
pub const CHAPTERS: [&str; 10] = [
    "Containers and images",
    "Pods",
    "Workloads",
    "Services",
    "Configuration",
    "Volumes",
    "Namespaces",
    "Architecture",
    "The API-gateway pattern (Kubernetes 101)",
    "Routing between clusters",
];

/// Where "continue" leads: the lesson open last if it is not done, else the first lesson not
/// done; None when every lesson is done.
fn next_up(c: &CourseState) -> Option<(String, String, bool)> {
    let record = c.record.get();
    let lessons = c.lessons;
    if let Route::Lesson(id, step) = Route::parse(record.open.as_deref().unwrap_or("")) {
        if !record.done.contains(&id) {
            let title = lessons.with_value(|all| {
                let head = all.heads().iter().find(|h| h.id == id);
                head.map(|h| h.title.clone())
            });
            if let Some(title) = title {
                return Some((Route::Lesson(id, step).hash(), title, true));
            }
        }
    }
    lessons.with_value(|all| {
        all.heads()
            .iter()
            .find(|l| !record.done.contains(&l.id))
            .map(|l| {
                (
                    Route::Lesson(l.id.clone(), 0).hash(),
                    l.title.clone(),
                    false,
                )
            })
    })
}

#[component]
pub fn Overview() -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.course;
    let total = c.lessons.with_value(|l| l.heads().len());
    let done = move || {
        c.record.with(|r| {
            c.lessons
                .with_value(|l| l.heads().iter().filter(|l| r.done.contains(&l.id)).count())
        })
    };
    let started_any = move || {
        c.record
            .with(|r| !r.done.is_empty() || !r.started.is_empty())
    };
    let cont = move || {
        match next_up(&c) {
        Some((href, title, resume)) => {
            let label = if resume {
                format!("Continue: {title}")
            } else if started_any() {
                format!("Next lesson: {title}")
            } else {
                format!("Start the course: {title}")
            };
            view! { <a id="course-continue" class="course-continue" href=href>{label}</a> }
                .into_any()
        }
        None => view! {
            <p id="course-continue" class="course-all-done">"Every lesson is done. The sandbox is yours."</p>
        }
        .into_any(),
    }
    };
    let chapters = (1..=10u32)
        .map(|n| {
            let lessons: Vec<(String, String)> = c.lessons.with_value(|all| {
                all.heads()
                    .iter()
                    .filter(|l| l.chapter == n)
                    .map(|l| (l.id.clone(), l.title.clone()))
                    .collect()
            });
            let name = CHAPTERS[(n - 1) as usize];
            let heading = format!("chapter-{n}");
            let labelled = heading.clone();
            let items = lessons
                .into_iter()
                .map(|(id, title)| {
                    let id2 = id.clone();
                    let id3 = id.clone();
                    let status = Memo::new(move |_| {
                        c.record.with(|r| {
                            if r.done.contains(&id2) {
                                "done"
                            } else if r.started.contains(&id2)
                                || c.ctx.get() == Ctx::Lesson(id2.clone())
                            {
                                "in-progress"
                            } else {
                                "todo"
                            }
                        })
                    });
                    let label = move || match status.get() {
                        "done" => "Done",
                        "in-progress" => "In progress",
                        _ => "Not started",
                    };
                    view! {
                        <li class="course-item" data-lesson=id3 data-status=move || status.get()>
                            <span class="course-mark" aria-hidden="true">
                                {move || match status.get() {
                                    "done" => "✓",
                                    "in-progress" => "◐",
                                    _ => "○",
                                }}
                            </span>
                            <a href=Route::Lesson(id, 0).hash()>{title}</a>
                            <span class="course-status">{label}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="course-chapter" aria-labelledby=labelled>
                    <h3 id=heading>{format!("Chapter {n}: {name}")}</h3>
                    <ol class="course-lessons">{items}</ol>
                </section>
            }
        })
        .collect_view();
    view! {
        <article class="lesson course-overview" id="course-overview">
            <h2>"The course"</h2>
            {move || c.message.get().map(|m| view! { <p class="course-problem" role="alert">{m}</p> })}
            <p class="course-summary">
                <span id="course-done-count">{done}</span>{format!(" of {total} lessons done")}
            </p>
            <progress
                class="course-progress"
                max=total
                value=done
                aria-label="Lessons done"
            ></progress>
            <p class="course-actions">
                {cont}
                <a href="#/sandbox" class="course-sandbox-link">"Open the sandbox"</a>
            </p>
            <p class="course-note">
                "Each lesson gives you a world, a goal and hints. Work in the editor and the terminal; the goals tick as the cluster changes."
            </p>
            {chapters}
        </article>
    }
}
