//! The engine's host (`pocket_cluster::host`): what the page's panes ask of the engine, through
//! the same messages the browser's worker answers.

use pocket_cluster::course::lesson::Lessons;
use pocket_cluster::host::proto::{Answer, Call, Ctx, Entry, Open, Reply, Request, Source, View};
use pocket_cluster::host::Host;
use std::collections::BTreeMap;

fn host() -> Host {
    Host::new(Box::new(|| 0.0))
}

fn open(h: &mut Host, ctx: Ctx, journal: Option<String>, files_log: Option<String>) -> Vec<Answer> {
    h.call(Call {
        id: 1,
        request: Request::Open(Open {
            ctx,
            journal,
            files_log,
            files: BTreeMap::new(),
            at_load: false,
            cleared: 0,
            notice: None,
        }),
    })
}

fn run(h: &mut Host, line: &str) -> (Entry, Vec<Answer>) {
    let answers = h.call(Call {
        id: 7,
        request: Request::Run {
            shown: line.into(),
            line: line.into(),
            stdin: None,
            source: Source::Terminal,
        },
    });
    let entry = answers
        .iter()
        .find_map(|a| match &a.reply {
            Reply::Ran(r) if a.id == 7 => Some(r.entry.clone()),
            _ => None,
        })
        .expect("a command is answered with its entry");
    (entry, answers)
}

fn entries(answers: &[Answer]) -> Vec<Entry> {
    answers
        .iter()
        .flat_map(|a| match &a.reply {
            Reply::Entries { entries, .. } => entries.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn views(answers: &[Answer]) -> Vec<View> {
    answers
        .iter()
        .filter_map(|a| match &a.reply {
            Reply::View(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn saved(answers: &[Answer], key: &str) -> Option<String> {
    answers.iter().rev().find_map(|a| match &a.reply {
        Reply::Store(w) => w
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.clone()),
        _ => None,
    })
}

#[test]
fn the_sandbox_opens_runs_a_command_and_asks_the_page_to_save_it() {
    let mut h = host();
    let a = open(&mut h, Ctx::Sandbox, None, None);
    let e = entries(&a);
    assert!(e[0].notice && e[0].output.starts_with("Sandbox:"), "{e:?}");
    let v = views(&a);
    assert_eq!(
        (v[0].context.as_str(), v[0].namespace.as_str()),
        ("demo", "default")
    );
    assert!(v[0].map.is_some(), "the first view has the map");

    let (entry, answers) = run(&mut h, "kubectl get pods");
    assert_eq!(entry.prompt, "demo:default");
    assert_eq!(entry.output, "No resources found in default namespace.");
    assert!(entry.ok);
    let v = views(&answers);
    assert_eq!(v[0].commands_run, 1);
    assert!(v[0].map.is_none(), "an unchanged map is not sent again");
    let journal = saved(&answers, "pocket-cluster.session").expect("a command is saved at once");
    assert!(journal.contains("kubectl get pods"));
}

#[test]
fn a_saved_journal_comes_back_and_a_broken_one_is_set_aside() {
    let mut h = host();
    open(&mut h, Ctx::Sandbox, None, None);
    run(
        &mut h,
        "kubectl create deployment web --image=nginx:1.25 --replicas=2",
    );
    let (_, answers) = run(&mut h, "kubectl get deploy");
    let journal = saved(&answers, "pocket-cluster.session").unwrap();
    let files = saved(&answers, "pocket-cluster.session.files");

    let mut again = host();
    let a = open(&mut again, Ctx::Sandbox, Some(journal), files);
    let e = entries(&a);
    assert!(e.iter().any(|e| e.command == "kubectl get deploy"), "{e:?}");
    assert!(e
        .last()
        .unwrap()
        .output
        .starts_with("Session restored: 2 commands replayed"));
    assert_eq!(
        again.session().world.cluster().name,
        h.session().world.cluster().name
    );

    let mut broken = host();
    let a = open(&mut broken, Ctx::Sandbox, Some("{not json".into()), None);
    let e = entries(&a);
    assert!(!e.last().unwrap().ok);
    assert!(e
        .last()
        .unwrap()
        .output
        .contains("set aside in localStorage under \"pocket-cluster.session.set-aside\""));
    assert_eq!(
        saved(&a, "pocket-cluster.session.set-aside").as_deref(),
        Some("{not json")
    );
}

#[test]
fn undo_takes_the_last_command_back_and_says_so() {
    let mut h = host();
    open(&mut h, Ctx::Sandbox, None, None);
    run(&mut h, "kubectl create namespace shop");
    let a = h.call(Call {
        id: 3,
        request: Request::Undo,
    });
    let msg = a
        .iter()
        .find_map(|a| match &a.reply {
            Reply::Message(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        msg.starts_with("Undid `kubectl create namespace shop`"),
        "{msg}"
    );
    let (entry, _) = run(&mut h, "kubectl get namespace shop");
    assert_eq!(
        entry.output,
        "Error from server (NotFound): namespaces \"shop\" not found"
    );
    h.call(Call {
        id: 4,
        request: Request::Undo,
    });
    let a = h.call(Call {
        id: 5,
        request: Request::Undo,
    });
    assert!(a
        .iter()
        .any(|a| matches!(&a.reply, Reply::Message(m) if m.starts_with("Nothing undone"))));
}

#[test]
fn a_lessons_solution_meets_its_goals_through_the_host() {
    let lessons = Lessons::built_in();
    let lesson = &lessons.all()[0];
    let mut h = host();
    let a = open(&mut h, Ctx::Lesson(lesson.id.clone()), None, None);
    assert!(entries(&a)[0].output.contains(&lesson.title));
    let goals = |h: &mut Host| {
        h.call(Call {
            id: 9,
            request: Request::CheckGoals,
        })
        .into_iter()
        .find_map(|a| match a.reply {
            Reply::Goals { results, .. } => Some(results),
            _ => None,
        })
    };
    let before = goals(&mut h).expect("a lesson's goals are checked");
    assert!(before.iter().any(|r| r.is_err()));
    assert_eq!(
        goals(&mut h),
        None,
        "not checked again while nothing changed"
    );
    h.call(Call {
        id: 10,
        request: Request::Solve,
    });
    h.call(Call {
        id: 11,
        request: Request::Tick { ms: 30_000 },
    });
    let after = goals(&mut h).unwrap();
    assert!(after.iter().all(|r| r.is_ok()), "{after:?}");

    let page = h
        .call(Call {
            id: 12,
            request: Request::Lesson(lesson.id.clone()),
        })
        .into_iter()
        .find_map(|a| match a.reply {
            Reply::Lesson(l) => l,
            _ => None,
        })
        .unwrap();
    assert_eq!(page.goals.len(), lesson.goals.len());
}

#[test]
fn the_json_face_answers_calls_and_ignores_anything_else() {
    let mut h = host();
    let call = serde_json::to_string(&Call {
        id: 2,
        request: Request::Complete {
            line: "kubectl get dep".into(),
            at: 15,
        },
    })
    .unwrap();
    let answers: Vec<Answer> = serde_json::from_str(&h.call_json(&call)).unwrap();
    match &answers[0].reply {
        Reply::Completion(c) => assert_eq!(c.line, "kubectl get deployments "),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.call_json("not a call"), "[]");
    assert_eq!(
        h.call_json("{\"id\":1,\"request\":{\"Tick\":{\"ms\":-5}}}"),
        "[]"
    );
}

#[test]
fn every_reply_survives_its_trip_through_json() {
    // What the page decodes is what the host encoded: maps, plots and traces included.
    let mut h = host();
    let mut all = open(&mut h, Ctx::Sandbox, None, None);
    for line in [
        "kubectl create deployment web --image=nginx:1.25 --replicas=3",
        "kubectl expose deployment web --port=80",
        "sim advance 20s",
        "kubectl run client --image=busybox:1.36 -- sleep 3600",
        "sim advance 10s",
        "kubectl exec client -- wget -qO- http://web",
    ] {
        all.extend(run(&mut h, line).1);
    }
    all.extend(h.call(Call {
        id: 20,
        request: Request::Diagnose {
            text:
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containerz: []\n".into(),
        },
    }));
    all.extend(h.call(Call {
        id: 21,
        request: Request::Preview {
            text: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\n".into(),
        },
    }));
    for a in all {
        let text = serde_json::to_string(&a).unwrap();
        let back: Answer = serde_json::from_str(&text).unwrap();
        assert_eq!(back, a);
    }
}
