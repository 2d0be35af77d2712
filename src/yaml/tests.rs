//! `yaml::from_str` against `serde_yaml::from_str`: the same values and the same errors (text
//! and place) for every input here.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// Both decoders' answers, as comparable text: the value's Debug, or the error's text and
/// location.
fn answer<T: Debug>(r: Result<T, String>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => format!("err {e}"),
    }
}

pub(crate) fn same<T: DeserializeOwned + Debug>(text: &str) {
    let old = answer(serde_yaml::from_str::<T>(text).map_err(|e| {
        let at = e.location().map(|l| (l.line(), l.column()));
        format!("{e} {at:?}")
    }));
    let new = answer(super::from_str::<T>(text).map_err(|e| {
        let at = e.location().map(|l| (l.line(), l.column()));
        format!("{e} {at:?}")
    }));
    assert_eq!(old, new, "{} from {text:?}", std::any::type_name::<T>());
}

const VALUES: &[&str] = &[
    "",
    "---\n",
    "~",
    "null",
    "a: 1\n",
    "a: 1\nb: [1, 2.5, -3, 0x1f, 0o17, 0b101, +7, 007, 1e3, .inf, -.inf, .nan, true, False, ~, '', \"x\"]\n",
    "a: !!str 1\nb: !!int '2'\nc: !!float 3\nd: !!bool true\ne: !!null ~\nf: !!int x\n",
    "a: !custom 1\nb: !other {x: 1}\nc: !seq [1]\n",
    "a: &x {b: 1}\nc: *x\nd: [*x, *x]\n",
    "a: *nope\n",
    "a: 1\na: 2\n",
    "? [1, 2]\n: x\n",
    "a: |\n  text\n  more\nb: >\n  folded\n  lines\n",
    "a: 99999999999999999999999\nb: -99999999999999999999999\nc: 340282366920938463463374607431768211456\n",
    "a: b: c\n",
    "a:\n- b\n c\n",
    "{a: 1",
    "[1, 2",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "\t a: 1\n",
    "key: 'unterminated\n",
    "a: \"\\xff\\u00e9\"\n",
    "<<: {a: 1}\nb: 2\n",
    "- 1\n- [2, [3, [4]]]\n",
    "%YAML 1.2\n---\na: 1\n",
    "!!map {a: 1}",
    "!t\n",
];

#[test]
fn values_decode_the_same() {
    for text in VALUES {
        same::<Value>(text);
        same::<BTreeMap<String, String>>(text);
        same::<Vec<Value>>(text);
        same::<Option<String>>(text);
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(dead_code)]
struct Thing {
    name: String,
    #[serde(default)]
    count: Option<i32>,
    #[serde(default)]
    port: u16,
    #[serde(default)]
    ratio: f64,
    #[serde(default)]
    on: bool,
    #[serde(default)]
    items: Vec<Item>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    either: Option<IntOrString>,
    #[serde(default)]
    raw: Option<Value>,
    #[serde(default)]
    unit: Option<()>,
    #[serde(default)]
    pair: Option<(i64, String)>,
    #[serde(default)]
    wrapped: Option<Wrapped>,
    #[serde(default)]
    big: Option<i128>,
    #[serde(default)]
    ubig: Option<u128>,
    #[serde(default)]
    letter: Option<char>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Item {
    key: String,
    #[serde(default)]
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
enum Mode {
    Always,
    Never,
    Some(i32),
    Pair(i32, i32),
    Named { a: i32 },
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum IntOrString {
    Int(i64),
    Str(String),
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Wrapped(Vec<u8>);

const THINGS: &[&str] = &[
    "name: x\n",
    "name: x\ncount: 3\nport: 8080\nratio: 0.5\non: true\n",
    "name: 12\n",
    "name: [1]\n",
    "name: {a: 1}\n",
    "nam: x\n",
    "count: 3\n",
    "name: x\ncount: x\n",
    "name: x\ncount: 99999999999\n",
    "name: x\nport: -1\n",
    "name: x\nport: 70000\n",
    "name: x\nport: '80'\n",
    "name: x\nport: !!int '80'\n",
    "name: x\nport: |\n  80\n",
    "name: x\nport: !!int |\n  80\n",
    "name: x\nratio: nope\n",
    "name: x\non: yes\n",
    "name: x\non: 'true'\n",
    "name: x\nitems:\n- key: a\n- key: b\n  value: c\n- key: d\n  bogus: 1\n",
    "name: x\nitems:\n- value: c\n",
    "name: x\nitems: {}\n",
    "name: x\nitems:\n",
    "name: x\nitems: ''\n",
    "name: x\nitems: ~\n",
    "name: x\nlabels:\n  a: b\n  c: 1\n  d: [x]\n",
    "name: x\nlabels: []\n",
    "name: x\nmode: Always\n",
    "name: x\nmode: Sometimes\n",
    "name: x\nmode: !Some 3\n",
    "name: x\nmode: !Pair [1, 2]\n",
    "name: x\nmode: !Named {a: 1}\n",
    "name: x\nmode: !Named {b: 1}\n",
    "name: x\nmode: {Always: 1}\n",
    "name: x\nmode: [Always]\n",
    "name: x\nmode: !Nope 1\n",
    "name: x\neither: 3\n",
    "name: x\neither: three\n",
    "name: x\neither: [3]\n",
    "name: x\nraw: {a: [1, {b: c}], d: !t x}\n",
    "name: x\nunit: ~\n",
    "name: x\nunit: 1\n",
    "name: x\npair: [1, a]\n",
    "name: x\npair: [1, a, 2]\n",
    "name: x\npair: [1]\n",
    "name: x\nwrapped: [1, 2]\n",
    "name: x\nwrapped: [1, 300]\n",
    "name: x\nbig: -170141183460469231731687303715884105728\nubig: 340282366920938463463374607431768211455\n",
    "name: x\nletter: a\n",
    "name: x\nletter: ab\n",
    "base: &b\n  key: k\nname: x\nitems: [*b, *b]\n",
    "name: &n x\nlabels: {a: *n}\n",
    "name: x\ncount: &c 3\nport: *c\n",
    "name: x\nitems: &i [{key: a}]\nraw: *i\n",
    "name: x\ncount: !!null ~\n",
    "name: x\ncount: !!null x\n",
    "name: x\ncount: ''\n",
    "name: x\ncount: 'null'\n",
    "name: x\nextra: 1\nmore: 2\n",
    "name: x\nname: y\n",
    "[]",
    "x",
    "",
    "name: x\ncount: 3\n---\nname: y\n",
    "name: x\ncount: 3\n bad\n",
    "name: x\ncount: 3\nitems: [\n",
    "name: x\nitems: [{key: a}, {key: *missing}]\n",
];

#[test]
fn typed_values_decode_the_same() {
    for text in THINGS {
        same::<Thing>(text);
    }
    for text in VALUES {
        same::<Thing>(text);
    }
}

#[test]
fn deep_and_repeated_input_is_refused_the_same() {
    same::<Value>(&"[".repeat(200));
    same::<Value>(&format!("{}{}", "[".repeat(127), "]".repeat(127)));
    same::<Value>(&format!("{}{}", "[".repeat(128), "]".repeat(128)));
    same::<Value>("a: 1");
    let deep_map = (0..130)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect::<String>();
    same::<Value>(&deep_map);
    let bomb = "a: &a [\"x\",\"x\"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
    same::<Value>(bomb);
    same::<Thing>(bomb);
}

/// The course's lessons (and broken variants of each) decode alike.
#[test]
fn lessons_decode_the_same() {
    use crate::course::lesson::{Lesson, BUILT_IN};
    use crate::manifest::decoder_guard::variants;
    for (_, text) in BUILT_IN {
        for v in variants(text) {
            same::<Lesson>(&v);
        }
    }
}
