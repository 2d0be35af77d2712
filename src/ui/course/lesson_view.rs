//! One lesson in the left pane: title and chapter, the step's text with step links, the goals
//! ticked as the world changes (each failing one can say what it expected and found), hints one
//! at a time, the solution (shown, and run after a confirmation), undo of the last command,
//! reset to the lesson's start, and when every goal holds: done, the takeaway, the next lesson.

use super::overview::CHAPTERS;
use super::{restart, solve, undo};
use crate::course::route::Route;
use crate::host::proto::LessonPage as Lesson;
use crate::ui::AppState;
use leptos::prelude::*;

/// The words the live region says when goals change.
fn announcement(lesson: &Lesson, before: &[bool], now: &[bool]) -> Option<String> {
    if before.len() != now.len() || before == now {
        return None;
    }
    if now.iter().all(|x| *x) {
        return Some(format!(
            "All goals met: the lesson \"{}\" is done.",
            lesson.title
        ));
    }
    let mut parts = Vec::new();
    for (i, (b, n)) in before.iter().zip(now).enumerate() {
        let text = lesson.goals.get(i).map(|g| g.as_str()).unwrap_or("");
        if !b && *n {
            parts.push(format!("Goal met: {text}."));
        } else if *b && !n {
            parts.push(format!("Goal no longer met: {text}."));
        }
    }
    let met = now.iter().filter(|x| **x).count();
    parts.push(format!("{met} of {} goals met.", now.len()));
    Some(parts.join(" "))
}

/// Move focus to an element once it is drawn (a confirmation's answer, as a dialog would).
fn focus_soon(id: &'static str) {
    use wasm_bindgen::JsCast;
    request_animation_frame(move || {
        if let Some(el) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn LessonView(lesson: Lesson, step: usize) -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.course;
    let steps = lesson.steps.len().max(1);
    let step = step.min(steps - 1);
    let html = crate::course::markdown::to_html(lesson.steps.get(step).map_or("", |s| s.as_str()));
    let id = lesson.id.clone();
    let chapter = lesson.chapter;
    let chapter_name = CHAPTERS
        .get((chapter as usize).saturating_sub(1))
        .copied()
        .unwrap_or("");
    let lesson = StoredValue::new(lesson);
    let goal_count = lesson.with_value(|l| l.goals.len());

    // Each goal: Some(Ok) met, Some(Err(why)) not yet, None not checked yet.
    let results = {
        let id = id.clone();
        Memo::new(move |_| {
            c.checked.with(|ch| match ch {
                Some(ch) if ch.lesson == id => ch.results.iter().map(|r| Some(r.clone())).collect(),
                _ => vec![None; goal_count],
            })
        })
    };
    let all_met = Memo::new(move |_| {
        results.with(|r| !r.is_empty() && r.iter().all(|x| matches!(x, Some(Ok(())))))
    });
    let announce = RwSignal::new(String::new());
    let before = StoredValue::new(None::<Vec<bool>>);
    Effect::new(move |_| {
        let now: Option<Vec<bool>> = results.with(|r| {
            r.iter()
                .map(|x| x.as_ref().map(|x| x.is_ok()))
                .collect::<Option<Vec<bool>>>()
        });
        let Some(now) = now else {
            return;
        };
        if let Some(b) = before.get_value() {
            if let Some(text) = lesson.with_value(|l| announcement(l, &b, &now)) {
                announce.set(text);
            }
        }
        before.set_value(Some(now));
    });

    let open_why = RwSignal::new(Vec::<usize>::new());
    let goals = move || {
        let texts: Vec<String> = lesson.with_value(|l| l.goals.clone());
        let r = results.get();
        texts
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                let state_of = r.get(i).cloned().flatten();
                let met = matches!(state_of, Some(Ok(())));
                let why = match &state_of {
                    Some(Err(w)) => Some(w.clone()),
                    _ => None,
                };
                let status = match &state_of {
                    Some(Ok(())) => "met",
                    Some(Err(_)) => "not met yet",
                    None => "checking",
                };
                let why_id = format!("goal-why-{i}");
                let shown = move || open_why.with(|o| o.contains(&i));
                let toggle = move |_| {
                    open_why.update(|o| {
                        if let Some(p) = o.iter().position(|x| *x == i) {
                            o.remove(p);
                        } else {
                            o.push(i);
                        }
                    })
                };
                let has_why = why.is_some();
                view! {
                    <li class="goal" class:met=met data-met=met.to_string()>
                        <span class="goal-mark" aria-hidden="true">{if met { "✓" } else { "○" }}</span>
                        <span class="goal-text">{text}</span>
                        <span class="sr-only">{format!(" ({status})")}</span>
                        {has_why.then(|| view! {
                            <button
                                class="goal-why-toggle"
                                aria-expanded=move || shown().to_string()
                                aria-controls=why_id.clone()
                                on:click=toggle
                            >
                                {move || if shown() { "Hide why" } else { "Why not yet?" }}
                            </button>
                        })}
                        {move || (shown() && why.is_some()).then(|| view! {
                            <p class="goal-why" id=format!("goal-why-{i}")>{why.clone()}</p>
                        })}
                    </li>
                }
            })
            .collect_view()
    };

    // Step links.
    let step_nav = {
        let id = id.clone();
        let prev = (step > 0).then(|| Route::Lesson(id.clone(), step - 1).hash());
        let next = (step + 1 < steps).then(|| Route::Lesson(id.clone(), step + 1).hash());
        let dots = (0..steps)
            .map(|i| {
                let href = Route::Lesson(id.clone(), i).hash();
                let current = i == step;
                view! {
                    <a
                        href=href
                        class="step-dot"
                        class:current=current
                        aria-current=current.then_some("step")
                        aria-label=format!("Step {} of {steps}", i + 1)
                    >
                        {(i + 1).to_string()}
                    </a>
                }
            })
            .collect_view();
        view! {
            <nav class="lesson-steps" aria-label="Steps of the lesson">
                {match prev {
                    Some(h) => view! { <a id="step-prev" href=h>"‹ Previous"</a> }.into_any(),
                    None => view! { <span class="step-none" aria-hidden="true">"‹ Previous"</span> }.into_any(),
                }}
                <span class="step-dots">{dots}</span>
                {match next {
                    Some(h) => view! { <a id="step-next" href=h>"Next step ›"</a> }.into_any(),
                    None => view! { <span class="step-none" aria-hidden="true">"Next step ›"</span> }.into_any(),
                }}
            </nav>
        }
    };

    // Hints, one more per click.
    let hint_total = lesson.with_value(|l| l.hints.len());
    // One more hint, remembered with the progress for when the learner comes back.
    let show_hint = move || {
        let n = (c.hints.get_untracked() + 1).min(hint_total);
        c.hints.set(n);
        let id = lesson.with_value(|l| l.id.clone());
        c.record.update(|r| {
            r.hints.insert(id, n);
        });
        c.record.with_untracked(super::progress::save);
    };
    let all_hints = move || c.hints.get() >= hint_total;
    let hints = move || {
        let n = c.hints.get().min(hint_total);
        lesson.with_value(|l| {
            l.hints
                .iter()
                .take(n)
                .map(|h| view! { <li inner_html=crate::course::markdown::to_html(h)></li> })
                .collect_view()
        })
    };

    // The solution.
    let show_solution = RwSignal::new(false);
    let confirm_solution = RwSignal::new(false);
    let solution_text = lesson.with_value(|l| l.solution.join("\n"));
    let solution_files: Vec<(String, String)> = lesson.with_value(|l| l.solution_files.clone());
    let has_files = !solution_files.is_empty();
    let file_names = solution_files
        .iter()
        .map(|(n, _)| n.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let command_count = lesson.with_value(|l| l.solution.len());
    let run_solution = move || {
        confirm_solution.set(false);
        solve(&state);
    };
    let solution_files_view = solution_files
        .into_iter()
        .map(|(name, text)| {
            view! {
                <details class="solution-file">
                    <summary>{name}</summary>
                    <pre>{text}</pre>
                </details>
            }
        })
        .collect_view();

    // Reset, with a confirmation.
    let confirm_reset = RwSignal::new(false);

    // Done: the takeaway and the next lesson.
    let next = {
        let id = id.clone();
        c.lessons.with_value(|all| {
            let heads = all.heads();
            let at = heads.iter().position(|l| l.id == id)?;
            heads
                .get(at + 1)
                .map(|l| (Route::Lesson(l.id.clone(), 0).hash(), l.title.clone()))
        })
    };
    let takeaway = lesson.with_value(|l| crate::course::markdown::to_html(&l.takeaway));
    let was_done = {
        let id = id.clone();
        move || c.record.with(|r| r.done.contains(&id))
    };
    let title = lesson.with_value(|l| l.title.clone());

    view! {
        <article class="lesson course-lesson" id="lesson-view" data-lesson=id.clone()>
            <p class="course-crumbs">
                <a href="#/course">"Course"</a>
                {format!(" › Chapter {chapter}: {chapter_name}")}
            </p>
            <h2 id="lesson-title">{title}</h2>
            <p class="lesson-step-count">{format!("Step {} of {steps}", step + 1)}</p>
            <div class="lesson-step" id="lesson-step" inner_html=html></div>
            {step_nav}

            <section class="lesson-goals" aria-labelledby="goals-heading">
                <h3 id="goals-heading">"Goals"</h3>
                <ul id="goals" class="goals">{goals}</ul>
                <p class="sr-only" id="goal-announcer" aria-live="polite" role="status">{move || announce.get()}</p>
            </section>

            {move || all_met.get().then(|| view! {
                <section id="lesson-done" class="lesson-done" aria-labelledby="done-heading">
                    <h3 id="done-heading">"Lesson complete"</h3>
                    <div class="takeaway" inner_html=takeaway.clone()></div>
                    {match next.clone() {
                        Some((href, t)) => view! { <a id="next-lesson" class="course-continue" href=href>{format!("Next lesson: {t}")}</a> }.into_any(),
                        None => view! { <a id="next-lesson" class="course-continue" href="#/course">"The last lesson: back to the course overview"</a> }.into_any(),
                    }}
                </section>
            })}
            {move || (!all_met.get() && was_done()).then(|| view! {
                <p class="course-note" id="lesson-was-done">"You completed this lesson before; its goals are checked on the world as it is now."</p>
            })}

            <div class="lesson-actions" role="group" aria-label="Lesson actions">
                <button
                    id="hint"
                    disabled=all_hints
                    on:click=move |_| show_hint()
                >
                    {move || {
                        let n = c.hints.get().min(hint_total);
                        if hint_total == 0 {
                            "No hints".to_string()
                        } else if n == 0 {
                            format!("Hint (1 of {hint_total})")
                        } else if n < hint_total {
                            format!("Another hint ({} of {hint_total})", n + 1)
                        } else {
                            "All hints shown".to_string()
                        }
                    }}
                </button>
                <button
                    id="solution"
                    aria-expanded=move || show_solution.get().to_string()
                    aria-controls="solution-panel"
                    on:click=move |_| show_solution.update(|s| *s = !*s)
                >
                    {move || if show_solution.get() { "Hide the solution" } else { "Solution" }}
                </button>
                <button id="undo" on:click=move |_| undo(&state) title="Take back your last command: the rest of your commands are replayed on a fresh world">
                    "Undo last command"
                </button>
                <button id="lesson-reset" on:click=move |_| { confirm_reset.set(true); focus_soon("reset-confirm"); }>
                    "Reset lesson"
                </button>
            </div>
            {move || c.message.get().map(|m| view! { <p class="course-message" id="course-message" role="status">{m}</p> })}
            {move || confirm_reset.get().then(|| view! {
                <div class="lesson-confirm" role="alertdialog" aria-labelledby="reset-question">
                    <p id="reset-question">"Start this lesson again from its start? The world goes back to the lesson's beginning; your files stay."</p>
                    <button id="reset-confirm" on:click=move |_| { confirm_reset.set(false); restart(&state); }>"Reset the lesson"</button>
                    <button on:click=move |_| confirm_reset.set(false)>"Cancel"</button>
                </div>
            })}
            <ol class="lesson-hints" id="hints" aria-label="Hints">{hints}</ol>
            <div id="solution-panel" class="lesson-solution" hidden=move || !show_solution.get()>
                <h3>"Solution"</h3>
                {has_files.then(|| view! { <p>{format!("With these files in the editor ({file_names}):")}</p> })}
                {solution_files_view}
                <pre class="solution-commands">{solution_text}</pre>
                {move || if confirm_solution.get() {
                    view! {
                        <div class="lesson-confirm" role="alertdialog" aria-labelledby="solution-question">
                            <p id="solution-question">{if has_files {
                                format!("Put the solution's files in the editor and run its {command_count} command(s) in your terminal?")
                            } else {
                                format!("Run the solution's {command_count} command(s) in your terminal?")
                            }}</p>
                            <button id="run-solution-confirm" on:click=move |_| run_solution()>"Run them"</button>
                            <button on:click=move |_| confirm_solution.set(false)>"Cancel"</button>
                        </div>
                    }.into_any()
                } else {
                    view! { <button id="run-solution" on:click=move |_| { confirm_solution.set(true); focus_soon("run-solution-confirm"); }>"Run the solution…"</button> }.into_any()
                }}
            </div>
        </article>
    }
}
