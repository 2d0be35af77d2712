//! A small, honest shell for `kubectl exec`: `sh -c` / `bash -c` scripts with `;`, `&&`, `||`,
//! `|`, `( … )`, quotes, `$VAR`, `${VAR}`, `${VAR:-x}`, `$?`, `$(…)`, globs, `>`, `>>`, `<`, `2>`,
//! `2>&1`, and the programs a learner reaches for first (echo, cat, ls, rm, mkdir, touch, env,
//! printenv, hostname, date, pwd, cd, true, false, sleep, whoami, id, uname, wc, head, tail,
//! grep, test/[, printf, cp, mv, tee, ps on BusyBox images, …) over a container's [`Fs`].
//!
//! Honest means: what it does not simulate it says so. `if`, `for`, `while`, `case`, functions,
//! here-documents and arithmetic answer `not supported by this simulated shell` (a container
//! whose main command is a `while true` loop calling the network is run round by round by
//! `loops.rs`, each round's body through this shell); a program the
//! image has but the simulator does not model (sed, awk, vi, apt-get, psql, …) says it is not
//! simulated. The network tools (curl, wget, nslookup, nc, telnet, ping) run for real against
//! the shell's [`Network`] (see `nettools.rs`; [`Sh::with_network`], `Offline` until one is
//! given), reading and writing files through the container's [`Fs`]. Unknown programs answer as the
//! image's shell does, with exit 127 (BusyBox ash `sh: foo: not found`; dash
//! `sh: 1: foo: not found`; bash `bash: line 1: foo: command not found`). `sleep` succeeds at once:
//! the virtual clock does not move during an exec.
//!
//! Bounded on every input: nesting depth, commands run, bytes read and bytes written are capped,
//! so no script can hang or exhaust memory. There are no loops, so a script's work is linear in
//! its size.

use crate::sim::clock::{civil, unix_date, Millis, EPOCH_UNIX_SECS};
use crate::sim::fs::{self, Data, Fs, FsError, Node};
use crate::sim::nettools;
use crate::sim::network::{Network, Offline};
use crate::sim::rootfs::Family;

/// Output kept per exec (stdout and stderr together, pipes included).
pub const OUTPUT_LIMIT: usize = 2 << 20;
/// Bytes programs may read per exec (files, pipes).
const WORK_LIMIT: usize = 64 << 20;
const MAX_DEPTH: usize = 24;
const MAX_STEPS: usize = 20_000;
const SCRIPT_LIMIT: usize = 2 << 20;

/// Which shell is speaking: it decides the wording of errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// BusyBox ash (busybox and alpine images).
    Ash,
    /// Debian's /bin/sh.
    Dash,
    Bash,
}

/// What the programs need to know of the container they run in.
#[derive(Debug, Clone)]
pub struct Facts {
    pub family: Family,
    pub hostname: String,
    pub ip: String,
    pub kernel: String,
    pub now: Millis,
    /// PID 1's command line, for `ps`.
    pub main_command: String,
    /// The command line `kubectl exec` started, for `ps`.
    pub exec_command: String,
    /// The container's image reference: the network tools speak as that image's build does
    /// (BusyBox 1.28's `nslookup` differs from 1.36's; curl 7.88.1 on Debian, 8.x on Alpine).
    pub image: String,
    /// Whether stdout is a terminal (`kubectl exec -it`): curl draws no progress meter then.
    pub tty: bool,
}

/// One piece of output: which stream (1 or 2) and the text.
type Out = Vec<(u8, String)>;

/// The result of an exec: what reached the terminal (stdout and stderr interleaved as written)
/// and the exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub output: String,
    pub code: i32,
}

// ------------------------------------------------------------------ syntax

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String, bool),
    Var(String, bool),
    /// `${NAME<op>word}`: op is one of `-`, `:-`, `=`, `:=`, `+`, `:+`, `#` (length).
    Param(String, String, Vec<Part>, bool),
    Sub(String, bool),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Word(Vec<Part>);

impl Word {
    /// The word's text when it is a plain, unquoted literal (for keywords and assignments).
    fn plain(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Part::Lit(s, false)] => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RKind {
    Out,
    Append,
    In,
    /// `N>&M`.
    Dup(u8),
    /// bash's `&>`.
    Both,
}

#[derive(Debug, Clone, PartialEq)]
struct Redir {
    fd: u8,
    kind: RKind,
    target: Word,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Redir(Redir),
}

#[derive(Debug, Clone, PartialEq)]
enum Cmd {
    Simple {
        assigns: Vec<(String, Word)>,
        words: Vec<Word>,
        redirs: Vec<Redir>,
    },
    Sub(List, Vec<Redir>),
}

#[derive(Debug, Clone, PartialEq)]
struct Pipeline {
    bang: bool,
    cmds: Vec<Cmd>,
}

/// Pipelines joined by `&&` (true) and `||` (false).
#[derive(Debug, Clone, PartialEq)]
struct AndOr(Pipeline, Vec<(bool, Pipeline)>);

type List = Vec<AndOr>;

#[derive(Debug, Clone, PartialEq)]
enum SynErr {
    Unterminated(char),
    Unexpected(String),
    BadSubst(String),
    Unsupported(String),
    TooDeep,
    TooLong,
}

fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// Find the `)` closing a `$(` whose body starts at `i`; returns its index.
fn find_close(cs: &[char], mut i: usize) -> Option<usize> {
    let mut depth = 1usize;
    while i < cs.len() {
        match cs[i] {
            '\\' => i += 1,
            '\'' => {
                i += 1;
                while i < cs.len() && cs[i] != '\'' {
                    i += 1;
                }
            }
            '"' => {
                i += 1;
                while i < cs.len() && cs[i] != '"' {
                    if cs[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

struct Lexer<'s> {
    cs: &'s [char],
    i: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.cs.get(self.i).copied()
    }
    fn peek2(&self) -> Option<char> {
        self.cs.get(self.i + 1).copied()
    }

    /// A `$` expansion at `self.i` (just after the `$`).
    fn dollar(&mut self, quoted: bool, parts: &mut Vec<Part>) -> Result<(), SynErr> {
        match self.peek() {
            Some('(') if self.peek2() == Some('(') => {
                Err(SynErr::Unsupported("arithmetic expansion $((…))".into()))
            }
            Some('(') => {
                let close = find_close(self.cs, self.i + 1).ok_or(SynErr::Unterminated(')'))?;
                let body: String = self.cs[self.i + 1..close].iter().collect();
                self.i = close + 1;
                parts.push(Part::Sub(body, quoted));
                Ok(())
            }
            Some('{') => {
                let start = self.i + 1;
                let mut j = start;
                while j < self.cs.len() && self.cs[j] != '}' {
                    j += 1;
                }
                if j >= self.cs.len() {
                    return Err(SynErr::Unterminated('}'));
                }
                let body: String = self.cs[start..j].iter().collect();
                self.i = j + 1;
                if let Some(name) = body.strip_prefix('#') {
                    if is_name(name) || name == "?" {
                        parts.push(Part::Param(name.into(), "#".into(), Vec::new(), quoted));
                        return Ok(());
                    }
                    return Err(SynErr::BadSubst(body));
                }
                let name_len = body
                    .char_indices()
                    .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
                    .map(|(i, _)| i)
                    .unwrap_or(body.len());
                let (name, rest) = body.split_at(name_len);
                let special = matches!(body.as_str(), "?" | "$" | "#" | "@" | "*" | "!");
                if special {
                    parts.push(Part::Var(body.clone(), quoted));
                    return Ok(());
                }
                if name.is_empty() || !(is_name(name) || name.chars().all(|c| c.is_ascii_digit())) {
                    return Err(SynErr::BadSubst(body));
                }
                if rest.is_empty() {
                    parts.push(Part::Var(name.into(), quoted));
                    return Ok(());
                }
                for op in [":-", ":=", ":+", "-", "=", "+"] {
                    if let Some(word) = rest.strip_prefix(op) {
                        let chars: Vec<char> = word.chars().collect();
                        let mut inner = Lexer { cs: &chars, i: 0 };
                        let w = inner.word_until_end(quoted)?;
                        parts.push(Part::Param(name.into(), op.into(), w, quoted));
                        return Ok(());
                    }
                }
                Err(SynErr::BadSubst(body))
            }
            Some(c)
                if matches!(c, '?' | '$' | '#' | '@' | '*' | '!' | '-') || c.is_ascii_digit() =>
            {
                self.i += 1;
                parts.push(Part::Var(c.to_string(), quoted));
                Ok(())
            }
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                let start = self.i;
                while self
                    .peek()
                    .is_some_and(|c| c == '_' || c.is_ascii_alphanumeric())
                {
                    self.i += 1;
                }
                parts.push(Part::Var(self.cs[start..self.i].iter().collect(), quoted));
                Ok(())
            }
            _ => {
                push_lit(parts, "$", quoted);
                Ok(())
            }
        }
    }

    /// The rest of the input as one word's parts (the `word` of `${X:-word}`).
    fn word_until_end(&mut self, quoted: bool) -> Result<Vec<Part>, SynErr> {
        let mut parts = Vec::new();
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                '$' => self.dollar(quoted, &mut parts)?,
                '\\' => {
                    if let Some(n) = self.peek() {
                        self.i += 1;
                        push_lit(&mut parts, &n.to_string(), true);
                    }
                }
                '\'' if !quoted => {
                    let mut s = String::new();
                    loop {
                        match self.peek() {
                            Some('\'') => {
                                self.i += 1;
                                break;
                            }
                            Some(ch) => {
                                self.i += 1;
                                s.push(ch);
                            }
                            None => return Err(SynErr::Unterminated('\'')),
                        }
                    }
                    push_lit(&mut parts, &s, true);
                }
                _ => push_lit(&mut parts, &c.to_string(), quoted),
            }
        }
        Ok(parts)
    }

    fn double_quoted(&mut self, parts: &mut Vec<Part>) -> Result<(), SynErr> {
        loop {
            match self.peek() {
                None => return Err(SynErr::Unterminated('"')),
                Some('"') => {
                    self.i += 1;
                    // An empty "" still makes a word.
                    push_lit(parts, "", true);
                    return Ok(());
                }
                Some('\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\' | '$' | '`')) => {
                            self.i += 1;
                            push_lit(parts, &c.to_string(), true);
                        }
                        Some('\n') => self.i += 1,
                        _ => push_lit(parts, "\\", true),
                    }
                }
                Some('$') => {
                    self.i += 1;
                    self.dollar(true, parts)?;
                }
                Some('`') => {
                    self.i += 1;
                    let body = self.backtick()?;
                    parts.push(Part::Sub(body, true));
                }
                Some(c) => {
                    self.i += 1;
                    push_lit(parts, &c.to_string(), true);
                }
            }
        }
    }

    fn backtick(&mut self) -> Result<String, SynErr> {
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(SynErr::Unterminated('`')),
                Some('`') => {
                    self.i += 1;
                    return Ok(s);
                }
                Some('\\') if matches!(self.peek2(), Some('`' | '\\' | '$')) => {
                    s.push(self.cs[self.i + 1]);
                    self.i += 2;
                }
                Some(c) => {
                    s.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn tokens(&mut self) -> Result<Vec<Tok>, SynErr> {
        let mut toks = Vec::new();
        let mut parts: Vec<Part> = Vec::new();
        let mut in_word = false;
        macro_rules! end_word {
            () => {
                if in_word {
                    toks.push(Tok::Word(Word(std::mem::take(&mut parts))));
                    in_word = false;
                }
            };
        }
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' => {
                    self.i += 1;
                    end_word!();
                }
                '\n' => {
                    self.i += 1;
                    end_word!();
                    toks.push(Tok::Op("\n"));
                }
                '#' if !in_word => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                '\'' => {
                    self.i += 1;
                    in_word = true;
                    let mut s = String::new();
                    loop {
                        match self.peek() {
                            Some('\'') => {
                                self.i += 1;
                                break;
                            }
                            Some(ch) => {
                                self.i += 1;
                                s.push(ch);
                            }
                            None => return Err(SynErr::Unterminated('\'')),
                        }
                    }
                    push_lit(&mut parts, &s, true);
                }
                '"' => {
                    self.i += 1;
                    in_word = true;
                    self.double_quoted(&mut parts)?;
                }
                '\\' => {
                    self.i += 1;
                    match self.peek() {
                        Some('\n') => self.i += 1,
                        Some(n) => {
                            self.i += 1;
                            in_word = true;
                            push_lit(&mut parts, &n.to_string(), true);
                        }
                        None => {}
                    }
                }
                '$' => {
                    self.i += 1;
                    in_word = true;
                    self.dollar(false, &mut parts)?;
                }
                '`' => {
                    self.i += 1;
                    in_word = true;
                    let body = self.backtick()?;
                    parts.push(Part::Sub(body, false));
                }
                '>' | '<' => {
                    // A word of digits right before the operator is its file descriptor.
                    let fd_word = match parts.as_slice() {
                        [Part::Lit(s, false)]
                            if in_word && s.len() == 1 && s.as_bytes()[0].is_ascii_digit() =>
                        {
                            Some(s.as_bytes()[0] - b'0')
                        }
                        _ => None,
                    };
                    if fd_word.is_some() {
                        parts.clear();
                        in_word = false;
                    } else {
                        end_word!();
                    }
                    self.i += 1;
                    let (kind, default_fd) = if c == '<' {
                        if self.peek() == Some('<') {
                            return Err(SynErr::Unsupported("here-documents (<<)".into()));
                        }
                        (RKind::In, 0)
                    } else if self.peek() == Some('>') {
                        self.i += 1;
                        (RKind::Append, 1)
                    } else if self.peek() == Some('&') {
                        self.i += 1;
                        match self.peek() {
                            Some(d @ '0'..='9') => {
                                self.i += 1;
                                (RKind::Dup(d as u8 - b'0'), 1)
                            }
                            _ => return Err(SynErr::Unexpected(">&".into())),
                        }
                    } else {
                        if self.peek() == Some('|') {
                            self.i += 1;
                        }
                        (RKind::Out, 1)
                    };
                    let fd = fd_word.unwrap_or(default_fd);
                    if let RKind::Dup(_) = kind {
                        toks.push(Tok::Redir(Redir {
                            fd,
                            kind,
                            target: Word::default(),
                        }));
                    } else {
                        // The target is the next word.
                        while matches!(self.peek(), Some(' ' | '\t')) {
                            self.i += 1;
                        }
                        let target = self.one_word()?;
                        let Some(target) = target else {
                            return Err(SynErr::Unexpected("newline".into()));
                        };
                        toks.push(Tok::Redir(Redir { fd, kind, target }));
                    }
                }
                '&' if self.peek2() == Some('>') => {
                    end_word!();
                    self.i += 2;
                    while matches!(self.peek(), Some(' ' | '\t')) {
                        self.i += 1;
                    }
                    let Some(target) = self.one_word()? else {
                        return Err(SynErr::Unexpected("newline".into()));
                    };
                    toks.push(Tok::Redir(Redir {
                        fd: 1,
                        kind: RKind::Both,
                        target,
                    }));
                }
                '&' | '|' | ';' | '(' | ')' => {
                    end_word!();
                    self.i += 1;
                    let op: &'static str = match (c, self.peek()) {
                        ('&', Some('&')) => {
                            self.i += 1;
                            "&&"
                        }
                        ('|', Some('|')) => {
                            self.i += 1;
                            "||"
                        }
                        (';', Some(';')) => {
                            self.i += 1;
                            ";;"
                        }
                        ('&', _) => "&",
                        ('|', _) => "|",
                        (';', _) => ";",
                        ('(', _) => "(",
                        _ => ")",
                    };
                    toks.push(Tok::Op(op));
                }
                _ => {
                    self.i += 1;
                    in_word = true;
                    push_lit(&mut parts, &c.to_string(), false);
                }
            }
        }
        if in_word {
            toks.push(Tok::Word(Word(parts)));
        }
        Ok(toks)
    }

    /// One word (for a redirection target), or None at an operator or the end.
    fn one_word(&mut self) -> Result<Option<Word>, SynErr> {
        let start = self.i;
        let mut end = self.i;
        // Find where the word ends by lexing it alone.
        let rest = &self.cs[start..];
        let mut sub = Lexer { cs: rest, i: 0 };
        let mut parts = Vec::new();
        let mut any = false;
        while let Some(c) = sub.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | '&' | '|' | ';' | '(' | ')' | '<' | '>' => break,
                '\'' => {
                    sub.i += 1;
                    any = true;
                    let mut s = String::new();
                    loop {
                        match sub.peek() {
                            Some('\'') => {
                                sub.i += 1;
                                break;
                            }
                            Some(ch) => {
                                sub.i += 1;
                                s.push(ch);
                            }
                            None => return Err(SynErr::Unterminated('\'')),
                        }
                    }
                    push_lit(&mut parts, &s, true);
                }
                '"' => {
                    sub.i += 1;
                    any = true;
                    sub.double_quoted(&mut parts)?;
                }
                '\\' => {
                    sub.i += 1;
                    if let Some(n) = sub.peek() {
                        sub.i += 1;
                        any = true;
                        push_lit(&mut parts, &n.to_string(), true);
                    }
                }
                '$' => {
                    sub.i += 1;
                    any = true;
                    sub.dollar(false, &mut parts)?;
                }
                _ => {
                    sub.i += 1;
                    any = true;
                    push_lit(&mut parts, &c.to_string(), false);
                }
            }
            end = start + sub.i;
        }
        self.i = end.max(start + sub.i.min(rest.len()));
        Ok(any.then_some(Word(parts)))
    }
}

fn push_lit(parts: &mut Vec<Part>, s: &str, quoted: bool) {
    if let Some(Part::Lit(t, q)) = parts.last_mut() {
        if *q == quoted {
            t.push_str(s);
            return;
        }
    }
    parts.push(Part::Lit(s.to_string(), quoted));
}

const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
    "function", "select", "{", "}", "[[", "]]",
];

struct Parser {
    toks: Vec<Tok>,
    i: usize,
    depth: usize,
}

impl Parser {
    fn peek_op(&self) -> Option<&'static str> {
        match self.toks.get(self.i) {
            Some(Tok::Op(o)) => Some(o),
            _ => None,
        }
    }

    fn skip_newlines(&mut self) {
        while self.peek_op() == Some("\n") {
            self.i += 1;
        }
    }

    fn list(&mut self, in_sub: bool) -> Result<List, SynErr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SynErr::TooDeep);
        }
        let mut list = Vec::new();
        loop {
            self.skip_newlines();
            match self.toks.get(self.i) {
                None => break,
                Some(Tok::Op(")")) if in_sub => break,
                _ => {}
            }
            list.push(self.and_or()?);
            match self.toks.get(self.i) {
                None => break,
                Some(Tok::Op(";" | "&" | "\n")) => self.i += 1,
                Some(Tok::Op(")")) if in_sub => break,
                Some(Tok::Op(o)) => return Err(SynErr::Unexpected(o.to_string())),
                Some(_) => return Err(SynErr::Unexpected("word".into())),
            }
        }
        self.depth -= 1;
        Ok(list)
    }

    fn and_or(&mut self) -> Result<AndOr, SynErr> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        while let Some(op @ ("&&" | "||")) = self.peek_op() {
            self.i += 1;
            self.skip_newlines();
            rest.push((op == "&&", self.pipeline()?));
        }
        Ok(AndOr(first, rest))
    }

    fn pipeline(&mut self) -> Result<Pipeline, SynErr> {
        let mut bang = false;
        if let Some(Tok::Word(w)) = self.toks.get(self.i) {
            if w.plain() == Some("!") {
                bang = true;
                self.i += 1;
            }
        }
        let mut cmds = vec![self.command()?];
        while self.peek_op() == Some("|") {
            self.i += 1;
            self.skip_newlines();
            cmds.push(self.command()?);
        }
        Ok(Pipeline { bang, cmds })
    }

    fn command(&mut self) -> Result<Cmd, SynErr> {
        if self.peek_op() == Some("(") {
            self.i += 1;
            let list = self.list(true)?;
            if self.peek_op() != Some(")") {
                return Err(SynErr::Unterminated(')'));
            }
            self.i += 1;
            if list.is_empty() {
                return Err(SynErr::Unexpected(")".into()));
            }
            let mut redirs = Vec::new();
            while let Some(Tok::Redir(r)) = self.toks.get(self.i) {
                redirs.push(r.clone());
                self.i += 1;
            }
            return Ok(Cmd::Sub(list, redirs));
        }
        let mut assigns = Vec::new();
        let mut words = Vec::new();
        let mut redirs = Vec::new();
        while let Some(t) = self.toks.get(self.i) {
            match t {
                Tok::Op(_) => break,
                Tok::Redir(r) => redirs.push(r.clone()),
                Tok::Word(w) => {
                    if words.is_empty() {
                        if let Some(Part::Lit(s, false)) = w.0.first() {
                            if let Some((name, first)) = s.split_once('=') {
                                if is_name(name) {
                                    let mut value = w.0.clone();
                                    value[0] = Part::Lit(first.to_string(), false);
                                    assigns.push((name.to_string(), Word(value)));
                                    self.i += 1;
                                    continue;
                                }
                            }
                        }
                        if let Some(k) = w.plain() {
                            if KEYWORDS.contains(&k) {
                                return Err(SynErr::Unsupported(format!("'{k}'")));
                            }
                        }
                    }
                    words.push(w.clone());
                }
            }
            self.i += 1;
        }
        if words.is_empty() && assigns.is_empty() && redirs.is_empty() {
            let what = match self.toks.get(self.i) {
                Some(Tok::Op("\n")) | None => "end of file".into(),
                Some(Tok::Op(o)) => o.to_string(),
                _ => "word".into(),
            };
            return Err(SynErr::Unexpected(what));
        }
        Ok(Cmd::Simple {
            assigns,
            words,
            redirs,
        })
    }
}

fn parse(script: &str) -> Result<List, SynErr> {
    if script.len() > SCRIPT_LIMIT {
        return Err(SynErr::TooLong);
    }
    let cs: Vec<char> = script.chars().collect();
    let toks = Lexer { cs: &cs, i: 0 }.tokens()?;
    let mut p = Parser {
        toks,
        i: 0,
        depth: 0,
    };
    let list = p.list(false)?;
    if let Some(t) = p.toks.get(p.i) {
        let what = match t {
            Tok::Op(o) => o.to_string(),
            _ => "word".into(),
        };
        return Err(SynErr::Unexpected(what));
    }
    Ok(list)
}

// ------------------------------------------------------------------ running

#[derive(Debug, Clone)]
struct Var {
    name: String,
    value: String,
    exported: bool,
}

/// The state of one shell process (a nested `sh -c` gets its own).
#[derive(Debug, Clone)]
struct State {
    vars: Vec<Var>,
    cwd: String,
    status: i32,
    /// `$0`, `$1`, …
    args: Vec<String>,
    flavour: Flavour,
    errexit: bool,
    /// Set by `exit`: unwinds the script.
    exit: Option<i32>,
}

impl State {
    fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|v| v.name == name)
            .map(|v| v.value.as_str())
    }
    fn set(&mut self, name: &str, value: &str, export: bool) {
        match self.vars.iter_mut().find(|v| v.name == name) {
            Some(v) => {
                v.value = value.to_string();
                v.exported |= export;
            }
            None => self.vars.push(Var {
                name: name.to_string(),
                value: value.to_string(),
                exported: export,
            }),
        }
    }
    fn env(&self) -> Vec<(String, String)> {
        self.vars
            .iter()
            .filter(|v| v.exported)
            .map(|v| (v.name.clone(), v.value.clone()))
            .collect()
    }
}

/// Where a file descriptor writes.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Stream(u8),
    File(String),
    Null,
}

/// The shell and its programs over one container's files.
pub struct Sh<'f, 'a> {
    fs: &'f mut Fs<'a>,
    facts: &'f Facts,
    /// The network the tools ask (None: [`Offline`]).
    net: Option<&'f mut dyn Network>,
    st: State,
    stdin: Option<String>,
    depth: usize,
    steps: usize,
    produced: usize,
    work: usize,
    truncated: bool,
    stopped: Option<String>,
}

/// The container's files as the network tools see them (paths relative to the shell's cwd).
struct ShellFiles<'x, 'a> {
    fs: &'x mut Fs<'a>,
    cwd: &'x str,
    /// Bytes read, charged to the exec afterwards.
    read: usize,
}

impl nettools::Files for ShellFiles<'_, '_> {
    fn read(&mut self, path: &str) -> Result<String, FsError> {
        let p = fs::resolve(self.cwd, path)?;
        match self.fs.read_data(&p)? {
            Data::Text(t) => {
                self.read = self.read.saturating_add(t.len());
                Ok(t)
            }
            // A binary the simulator keeps no bytes of reads as empty.
            Data::Opaque(_) => Ok(String::new()),
        }
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), FsError> {
        let p = fs::resolve(self.cwd, path)?;
        if p == "/dev/null" {
            return Ok(());
        }
        self.fs.write(&p, text, false)
    }
    fn exists(&mut self, path: &str) -> bool {
        fs::resolve(self.cwd, path).is_ok_and(|p| self.fs.stat(&p).is_some())
    }
}

/// What one program invocation returns.
struct Ran {
    out: Out,
    code: i32,
}

impl Ran {
    fn new() -> Ran {
        Ran {
            out: Vec::new(),
            code: 0,
        }
    }
}

impl<'f, 'a> Sh<'f, 'a> {
    /// A shell over `fs` with the container's environment, in `cwd`, with `stdin` (from
    /// `kubectl exec -i`) if any.
    pub fn new(
        fs: &'f mut Fs<'a>,
        facts: &'f Facts,
        env: &[(String, String)],
        cwd: &str,
        stdin: Option<String>,
    ) -> Sh<'f, 'a> {
        let vars = env
            .iter()
            .map(|(k, v)| Var {
                name: k.clone(),
                value: v.clone(),
                exported: true,
            })
            .collect();
        let flavour = match facts.family {
            Family::Debian => Flavour::Dash,
            _ => Flavour::Ash,
        };
        Sh {
            fs,
            facts,
            net: None,
            st: State {
                vars,
                cwd: cwd.to_string(),
                status: 0,
                args: vec!["sh".into()],
                flavour,
                errexit: false,
                exit: None,
            },
            stdin,
            depth: 0,
            steps: 0,
            produced: 0,
            work: 0,
            truncated: false,
            stopped: None,
        }
    }

    /// The network `curl`, `wget`, `nslookup`, `nc`, `telnet` and `ping` ask (the container's
    /// view of the cluster). Without one they run against [`Offline`]: DNS and connections time
    /// out.
    pub fn with_network(mut self, net: &'f mut dyn Network) -> Self {
        self.net = Some(net);
        self
    }

    /// Where `name` is on the container's PATH (or `name` itself when it has a `/`).
    pub fn which(&self, name: &str) -> Option<String> {
        if name.is_empty() {
            return None;
        }
        let executable = |p: &str| {
            self.fs
                .stat(p)
                .is_some_and(|n| !n.is_dir() && n.mode() & 0o111 != 0)
        };
        if name.contains('/') {
            let p = fs::resolve(&self.st.cwd, name).ok()?;
            return executable(&p).then_some(p);
        }
        let path = self.st.get("PATH").unwrap_or("").to_string();
        path.split(':')
            .filter(|d| !d.is_empty())
            .map(|d| fs::join(d, name))
            .find(|p| executable(p))
    }

    /// Run a program as `kubectl exec` starts it (no shell in between unless argv[0] is one).
    pub fn exec(mut self, argv: &[String]) -> Outcome {
        let ran = self.program(argv, None);
        self.finish(ran)
    }

    fn finish(self, ran: Ran) -> Outcome {
        let mut output = String::new();
        for (_, t) in &ran.out {
            output.push_str(t);
        }
        let mut code = ran.code;
        if let Some(why) = &self.stopped {
            output.push_str(&format!("{why}\n"));
            code = 2;
        } else if self.truncated {
            output.push_str(&format!(
                "(Pocket Cluster kept the first {} MiB of this output)\n",
                OUTPUT_LIMIT >> 20
            ));
        }
        Outcome { output, code }
    }

    // -------------------------------------------------------------- messages

    fn arg0(&self) -> &str {
        self.st.args.first().map(String::as_str).unwrap_or("sh")
    }

    /// A shell's own error line: `sh: …`, `sh: 1: …`, `bash: line 1: …`.
    fn shell_msg(&self, msg: &str) -> String {
        match self.st.flavour {
            Flavour::Ash => format!("{}: {msg}\n", self.arg0()),
            Flavour::Dash => format!("{}: 1: {msg}\n", self.arg0()),
            Flavour::Bash => format!("{}: line 1: {msg}\n", self.arg0()),
        }
    }

    fn syntax_msg(&self, e: &SynErr) -> String {
        let a = self.arg0().to_string();
        match (self.st.flavour, e) {
            (_, SynErr::Unsupported(what)) => format!(
                "{a}: {what} is not supported by Pocket Cluster's simulated shell yet (it runs commands joined by ;, &&, || and |, with quotes, variables and redirections)\n"
            ),
            (_, SynErr::TooDeep) => {
                format!("{a}: Pocket Cluster's shell stops at {MAX_DEPTH} nested levels\n")
            }
            (_, SynErr::TooLong) => format!(
                "{a}: Pocket Cluster's shell takes scripts of at most {} KiB\n",
                SCRIPT_LIMIT >> 10
            ),
            (Flavour::Ash, SynErr::Unterminated(q)) if *q == '\'' || *q == '"' => {
                format!("{a}: syntax error: unterminated quoted string\n")
            }
            (Flavour::Ash, SynErr::Unterminated(q)) => {
                format!("{a}: syntax error: unexpected end of file (expecting \"{q}\")\n")
            }
            (Flavour::Ash, SynErr::Unexpected(t)) => {
                format!("{a}: syntax error: unexpected \"{t}\"\n")
            }
            (Flavour::Ash, SynErr::BadSubst(_)) => format!("{a}: syntax error: bad substitution\n"),
            (Flavour::Dash, SynErr::Unterminated(q)) if *q == '\'' || *q == '"' => {
                format!("{a}: 1: Syntax error: Unterminated quoted string\n")
            }
            (Flavour::Dash, SynErr::Unterminated(q)) => {
                format!("{a}: 1: Syntax error: end of file unexpected (expecting \"{q}\")\n")
            }
            (Flavour::Dash, SynErr::Unexpected(t)) => {
                format!("{a}: 1: Syntax error: \"{t}\" unexpected\n")
            }
            (Flavour::Dash, SynErr::BadSubst(_)) => format!("{a}: 1: Bad substitution\n"),
            (Flavour::Bash, SynErr::Unterminated(q)) => {
                format!("{a}: -c: line 1: unexpected EOF while looking for matching `{q}'\n")
            }
            (Flavour::Bash, SynErr::Unexpected(t)) => {
                format!("{a}: -c: line 1: syntax error near unexpected token `{t}'\n")
            }
            (Flavour::Bash, SynErr::BadSubst(b)) => {
                format!("{a}: line 1: ${{{b}}}: bad substitution\n")
            }
        }
    }

    fn gnu(&self) -> bool {
        self.facts.family == Family::Debian
    }

    fn emit(&mut self, out: &mut Out, fd: u8, text: &str) {
        if text.is_empty() {
            return;
        }
        let room = OUTPUT_LIMIT.saturating_sub(self.produced);
        if room == 0 {
            self.truncated = true;
            return;
        }
        let text = if text.len() > room {
            self.truncated = true;
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            &text[..end]
        } else {
            text
        };
        self.produced += text.len();
        match out.last_mut() {
            Some((f, t)) if *f == fd => t.push_str(text),
            _ => out.push((fd, text.to_string())),
        }
    }

    /// Whether the exec should stop: output full, too much work, or a limit hit.
    fn done(&self) -> bool {
        self.truncated || self.stopped.is_some() || self.st.exit.is_some()
    }

    fn charge(&mut self, bytes: usize) -> bool {
        self.work = self.work.saturating_add(bytes);
        if self.work > WORK_LIMIT && self.stopped.is_none() {
            self.stopped = Some(format!(
                "{}: Pocket Cluster stopped this exec: it read more than {} MiB",
                self.arg0(),
                WORK_LIMIT >> 20
            ));
        }
        self.stopped.is_none()
    }

    // -------------------------------------------------------------- scripts

    /// Run a script in the current shell state.
    fn script(&mut self, text: &str) -> Ran {
        let mut ran = Ran::new();
        match parse(text) {
            Err(e) => {
                let msg = self.syntax_msg(&e);
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 2;
                self.st.status = 2;
            }
            Ok(list) => {
                ran = self.list(&list);
            }
        }
        ran
    }

    fn list(&mut self, list: &List) -> Ran {
        let mut ran = Ran::new();
        for AndOr(first, rest) in list {
            if self.done() {
                break;
            }
            let r = self.pipeline(first);
            ran.out.extend(r.out);
            let mut status = r.code;
            for (and, p) in rest {
                if self.done() {
                    break;
                }
                if (*and && status == 0) || (!*and && status != 0) {
                    let r = self.pipeline(p);
                    ran.out.extend(r.out);
                    status = r.code;
                }
            }
            self.st.status = status;
            ran.code = status;
            if self.st.errexit && status != 0 && self.st.exit.is_none() {
                self.st.exit = Some(status);
            }
        }
        if let Some(code) = self.st.exit {
            ran.code = code;
        }
        ran
    }

    fn pipeline(&mut self, p: &Pipeline) -> Ran {
        let mut ran = if p.cmds.len() == 1 {
            self.command(&p.cmds[0], None)
        } else {
            // Each stage runs in a subshell: its cd and variables do not last.
            let saved = self.st.clone();
            let mut input: Option<String> = None;
            let mut all = Ran::new();
            for (i, c) in p.cmds.iter().enumerate() {
                let r = self.command(c, input.take().or_else(|| (i > 0).then(String::new)));
                let mut piped = String::new();
                for (fd, t) in r.out {
                    if fd == 1 && i + 1 < p.cmds.len() {
                        piped.push_str(&t);
                    } else {
                        all.out.push((fd, t));
                    }
                }
                input = Some(piped);
                all.code = r.code;
                self.st.exit = None;
                if self.stopped.is_some() {
                    break;
                }
            }
            let status = all.code;
            self.st = saved;
            self.st.status = status;
            all
        };
        if p.bang {
            ran.code = i32::from(ran.code == 0);
        }
        ran
    }

    fn command(&mut self, c: &Cmd, stdin: Option<String>) -> Ran {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            if self.stopped.is_none() {
                self.stopped = Some(format!(
                    "{}: Pocket Cluster stopped this exec after {MAX_STEPS} commands",
                    self.arg0()
                ));
            }
            return Ran {
                out: Vec::new(),
                code: 2,
            };
        }
        match c {
            Cmd::Sub(list, redirs) => {
                let mut pre = Vec::new();
                let fds = match self.redirections(redirs, &mut pre) {
                    Ok(f) => f,
                    Err(r) => return r,
                };
                let saved = self.st.clone();
                let saved_stdin = self.stdin.take();
                self.stdin = fds.2.clone().or(stdin).or(saved_stdin.clone());
                self.depth += 1;
                let r = if self.depth > MAX_DEPTH {
                    let mut r = Ran::new();
                    let msg = self.syntax_msg(&SynErr::TooDeep);
                    self.emit(&mut r.out, 2, &msg);
                    r.code = 2;
                    r
                } else {
                    self.list(list)
                };
                self.depth -= 1;
                self.st = saved;
                self.stdin = saved_stdin;
                self.route(pre, r, &fds)
            }
            Cmd::Simple {
                assigns,
                words,
                redirs,
            } => self.simple(assigns, words, redirs, stdin),
        }
    }

    fn simple(
        &mut self,
        assigns: &[(String, Word)],
        words: &[Word],
        redirs: &[Redir],
        stdin: Option<String>,
    ) -> Ran {
        let mut pre: Out = Vec::new();
        let mut sub_status = None;
        let mut argv = Vec::new();
        for w in words {
            match self.expand_fields(w, &mut pre, &mut sub_status) {
                Ok(fields) => argv.extend(fields),
                Err(msg) => {
                    self.emit(&mut pre, 2, &msg);
                    return Ran { out: pre, code: 2 };
                }
            }
        }
        let mut values = Vec::new();
        for (name, w) in assigns {
            match self.expand_plain(w, &mut pre, &mut sub_status) {
                Ok(v) => values.push((name.clone(), v)),
                Err(msg) => {
                    self.emit(&mut pre, 2, &msg);
                    return Ran { out: pre, code: 2 };
                }
            }
        }
        let fds = match self.redirections(redirs, &mut pre) {
            Ok(f) => f,
            Err(r) => return r,
        };
        if argv.is_empty() {
            for (k, v) in &values {
                let exported = self.st.vars.iter().any(|x| x.name == *k && x.exported);
                self.st.set(k, v, exported);
            }
            let r = Ran {
                out: Vec::new(),
                code: sub_status.unwrap_or(0),
            };
            return self.route(pre, r, &fds);
        }
        // `NAME=value cmd`: the variables hold for this command only.
        let saved = (!values.is_empty()).then(|| self.st.vars.clone());
        for (k, v) in &values {
            self.st.set(k, v, true);
        }
        let input = fds.2.clone().or(stdin);
        let r = self.program(&argv, input);
        if let Some(vars) = saved {
            // Keep what the command itself changed (cd, export) but drop the prefixes.
            let changed: Vec<Var> = self
                .st
                .vars
                .iter()
                .filter(|v| !values.iter().any(|(k, _)| *k == v.name))
                .cloned()
                .collect();
            let mut restored = vars;
            for v in changed {
                match restored.iter_mut().find(|x| x.name == v.name) {
                    Some(x) => *x = v,
                    None => restored.push(v),
                }
            }
            self.st.vars = restored;
        }
        self.route(pre, r, &fds)
    }

    /// Apply redirections. Ok((fd1, fd2, stdin text)).
    #[allow(clippy::type_complexity)]
    fn redirections(
        &mut self,
        redirs: &[Redir],
        pre: &mut Out,
    ) -> Result<(Target, Target, Option<String>), Ran> {
        let mut fd1 = Target::Stream(1);
        let mut fd2 = Target::Stream(2);
        let mut input = None;
        for r in redirs {
            let target = if let RKind::Dup(_) = r.kind {
                String::new()
            } else {
                let mut status = None;
                match self.expand_plain(&r.target, pre, &mut status) {
                    Ok(t) => t,
                    Err(msg) => {
                        self.emit(pre, 2, &msg);
                        return Err(Ran {
                            out: std::mem::take(pre),
                            code: 2,
                        });
                    }
                }
            };
            let file = |this: &Self, t: &str| -> Result<Target, FsError> {
                match t {
                    "/dev/null" => Ok(Target::Null),
                    "/dev/stdout" => Ok(Target::Stream(1)),
                    "/dev/stderr" => Ok(Target::Stream(2)),
                    _ => fs::resolve(&this.st.cwd, t).map(Target::File),
                }
            };
            let result: Result<(), (String, FsError)> = match r.kind {
                RKind::Dup(n) => {
                    let src = match n {
                        1 => fd1.clone(),
                        2 => fd2.clone(),
                        _ => Target::Stream(n),
                    };
                    match r.fd {
                        1 => fd1 = src,
                        2 => fd2 = src,
                        _ => {}
                    }
                    Ok(())
                }
                RKind::In => match file(self, &target) {
                    Ok(Target::File(p)) => match self.fs.read_data(&p) {
                        Ok(Data::Text(t)) => {
                            self.charge(t.len());
                            input = Some(t);
                            Ok(())
                        }
                        Ok(Data::Opaque(_)) => {
                            input = Some(String::new());
                            Ok(())
                        }
                        Err(e) => Err((target.clone(), e)),
                    },
                    Ok(_) => {
                        input = Some(String::new());
                        Ok(())
                    }
                    Err(e) => Err((target.clone(), e)),
                },
                RKind::Out | RKind::Append | RKind::Both => match file(self, &target) {
                    Ok(Target::File(p)) => {
                        let append = r.kind == RKind::Append;
                        match self.fs.write(&p, "", append) {
                            Ok(()) => {
                                let t = Target::File(p);
                                if r.kind == RKind::Both {
                                    fd1 = t.clone();
                                    fd2 = t;
                                } else if r.fd == 2 {
                                    fd2 = t;
                                } else if r.fd == 1 {
                                    fd1 = t;
                                }
                                Ok(())
                            }
                            Err(e) => Err((target.clone(), e)),
                        }
                    }
                    Ok(t) => {
                        if r.kind == RKind::Both {
                            fd1 = t.clone();
                            fd2 = t;
                        } else if r.fd == 2 {
                            fd2 = t;
                        } else if r.fd == 1 {
                            fd1 = t;
                        }
                        Ok(())
                    }
                    Err(e) => Err((target.clone(), e)),
                },
            };
            if let Err((path, e)) = result {
                let msg = match (self.st.flavour, r.kind) {
                    (Flavour::Ash, RKind::In) => format!("can't open {path}: no such file"),
                    (Flavour::Ash, _) => format!(
                        "can't create {path}: {}",
                        // ash's errmsg(): its own words for ENOENT and ENOTDIR, strerror()
                        // for the rest.
                        match e {
                            FsError::NotFound | FsError::NotADirectory => "nonexistent directory",
                            e => e.text(),
                        }
                    ),
                    (Flavour::Dash, RKind::In) => format!("cannot open {path}: No such file"),
                    (Flavour::Dash, _) => format!(
                        "cannot create {path}: {}",
                        match e {
                            FsError::NotFound => "Directory nonexistent",
                            e => e.text(),
                        }
                    ),
                    (Flavour::Bash, _) => format!("{path}: {}", e.text()),
                };
                let line = self.shell_msg(&msg);
                self.emit(pre, 2, &line);
                let code = if self.st.flavour == Flavour::Dash {
                    2
                } else {
                    1
                };
                self.st.status = code;
                return Err(Ran {
                    out: std::mem::take(pre),
                    code,
                });
            }
        }
        Ok((fd1, fd2, input))
    }

    /// Send a command's output where its descriptors point; what is left goes up.
    fn route(&mut self, pre: Out, r: Ran, fds: &(Target, Target, Option<String>)) -> Ran {
        let mut out = pre;
        let mut files: Vec<(String, String)> = Vec::new();
        for (fd, text) in r.out {
            let target = match fd {
                1 => &fds.0,
                2 => &fds.1,
                _ => &Target::Null,
            };
            match target {
                Target::Stream(s) => match out.last_mut() {
                    Some((f, t)) if f == s => t.push_str(&text),
                    _ => out.push((*s, text)),
                },
                Target::Null => {}
                Target::File(p) => match files.iter_mut().find(|(f, _)| f == p) {
                    Some((_, t)) => t.push_str(&text),
                    None => files.push((p.clone(), text)),
                },
            }
        }
        let mut code = r.code;
        for (path, text) in files {
            if let Err(e) = self.fs.write(&path, &text, true) {
                let msg = format!("{}: write error: {}\n", self.arg0(), e.text());
                out.push((2, msg));
                code = 1;
            }
        }
        Ran { out, code }
    }

    // -------------------------------------------------------------- expansion

    fn param(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.st.status.to_string()),
            "$" => Some("7".into()),
            "!" | "-" => Some(String::new()),
            "#" => Some(self.st.args.len().saturating_sub(1).to_string()),
            "@" | "*" => Some(
                self.st
                    .args
                    .iter()
                    .skip(1)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            n if n.chars().all(|c| c.is_ascii_digit()) => n
                .parse::<usize>()
                .ok()
                .and_then(|i| self.st.args.get(i).cloned()),
            n => self.st.get(n).map(String::from),
        }
    }

    /// The value of one expansion part, and whether it came quoted.
    fn part_value(
        &mut self,
        p: &Part,
        pre: &mut Out,
        status: &mut Option<i32>,
    ) -> Result<(String, bool, bool), String> {
        Ok(match p {
            Part::Lit(s, q) => (s.clone(), *q, true),
            Part::Var(name, q) => (self.param(name).unwrap_or_default(), *q, false),
            Part::Param(name, op, word, q) => {
                let cur = self.param(name);
                let word_value = |this: &mut Self, pre: &mut Out, status: &mut Option<i32>| {
                    let mut s = String::new();
                    for wp in word {
                        let (v, _, _) = this.part_value(wp, pre, status)?;
                        s.push_str(&v);
                    }
                    Ok::<String, String>(s)
                };
                let empty = cur.as_deref().is_none_or(str::is_empty);
                let unset = cur.is_none();
                let v = match op.as_str() {
                    "#" => cur.unwrap_or_default().chars().count().to_string(),
                    ":-" if empty => word_value(self, pre, status)?,
                    "-" if unset => word_value(self, pre, status)?,
                    ":=" | "=" if (op == ":=" && empty) || unset => {
                        let v = word_value(self, pre, status)?;
                        if is_name(name) {
                            self.st.set(name, &v, false);
                        }
                        v
                    }
                    ":+" => {
                        if empty {
                            String::new()
                        } else {
                            word_value(self, pre, status)?
                        }
                    }
                    "+" => {
                        if unset {
                            String::new()
                        } else {
                            word_value(self, pre, status)?
                        }
                    }
                    _ => cur.unwrap_or_default(),
                };
                (v, *q, false)
            }
            Part::Sub(body, q) => {
                let saved = self.st.clone();
                self.depth += 1;
                let r = if self.depth > MAX_DEPTH {
                    let mut r = Ran::new();
                    let msg = self.syntax_msg(&SynErr::TooDeep);
                    self.emit(&mut r.out, 2, &msg);
                    r.code = 2;
                    r
                } else {
                    self.script(body)
                };
                self.depth -= 1;
                let code = r.code;
                self.st = saved;
                *status = Some(code);
                let mut value = String::new();
                for (fd, t) in r.out {
                    if fd == 1 {
                        value.push_str(&t);
                    } else {
                        pre.push((fd, t));
                    }
                }
                let trimmed = value.trim_end_matches('\n').len();
                value.truncate(trimmed);
                (value, *q, false)
            }
        })
    }

    /// A word as fields: expansions, field splitting of unquoted results, pathname expansion.
    fn expand_fields(
        &mut self,
        w: &Word,
        pre: &mut Out,
        status: &mut Option<i32>,
    ) -> Result<Vec<String>, String> {
        let mut fields: Vec<(String, bool)> = Vec::new();
        let mut cur = String::new();
        let mut started = false;
        let mut glob = false;
        for p in &w.0 {
            let (v, quoted, literal) = self.part_value(p, pre, status)?;
            if quoted {
                cur.push_str(&v);
                started = true;
            } else if literal {
                if v.contains(['*', '?']) {
                    glob = true;
                }
                cur.push_str(&v);
                started = true;
            } else {
                for c in v.chars() {
                    if c == ' ' || c == '\t' || c == '\n' {
                        if started {
                            fields.push((std::mem::take(&mut cur), glob));
                            glob = false;
                            started = false;
                        }
                    } else {
                        cur.push(c);
                        started = true;
                    }
                }
            }
        }
        if started {
            fields.push((cur, glob));
        }
        let mut out = Vec::new();
        for (f, g) in fields {
            if g {
                let matches = self.glob(&f);
                if matches.is_empty() {
                    out.push(f);
                } else {
                    out.extend(matches);
                }
            } else {
                out.push(f);
            }
        }
        Ok(out)
    }

    /// A word as one string (assignments, redirection targets): no splitting, no globs.
    fn expand_plain(
        &mut self,
        w: &Word,
        pre: &mut Out,
        status: &mut Option<i32>,
    ) -> Result<String, String> {
        let mut s = String::new();
        for p in &w.0 {
            let (v, _, _) = self.part_value(p, pre, status)?;
            s.push_str(&v);
        }
        Ok(s)
    }

    /// Pathname expansion of a pattern with `*` and `?`, sorted; empty when nothing matches.
    fn glob(&mut self, pattern: &str) -> Vec<String> {
        let absolute = pattern.starts_with('/');
        let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
        // (path shown, absolute path)
        let mut found: Vec<(String, String)> = vec![(
            if absolute { "/".into() } else { String::new() },
            if absolute {
                "/".into()
            } else {
                self.st.cwd.clone()
            },
        )];
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            let mut next = Vec::new();
            for (shown, abs) in &found {
                let join_shown = |name: &str| {
                    if shown.is_empty() {
                        name.to_string()
                    } else if shown.ends_with('/') {
                        format!("{shown}{name}")
                    } else {
                        format!("{shown}/{name}")
                    }
                };
                if !part.contains(['*', '?']) {
                    let a = fs::join(abs, part);
                    let ok = match self.fs.stat(&a) {
                        Some(n) => last || n.is_dir(),
                        None => false,
                    };
                    if ok {
                        next.push((join_shown(part), a));
                    }
                    continue;
                }
                let Ok(entries) = self.fs.list(abs) else {
                    continue;
                };
                if !self.charge(entries.len() * 32) {
                    return Vec::new();
                }
                for (name, node) in entries {
                    if name.starts_with('.') && !part.starts_with('.') {
                        continue;
                    }
                    if wildcard(part, &name) && (last || node.is_dir()) {
                        next.push((join_shown(&name), fs::join(abs, &name)));
                    }
                }
            }
            found = next;
            if found.is_empty() {
                break;
            }
        }
        let mut out: Vec<String> = found.into_iter().map(|(s, _)| s).collect();
        crate::sim::sort::natural(&mut out);
        if parts.is_empty() {
            return Vec::new();
        }
        out
    }

    // -------------------------------------------------------------- programs

    /// Run a command: builtins first (when a shell runs it), then the program on PATH.
    fn program(&mut self, argv: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let Some(name) = argv.first() else {
            return ran;
        };
        if self.done() {
            return ran;
        }
        if self.in_shell() {
            if let Some(r) = self.builtin(argv, stdin.clone()) {
                return r;
            }
        }
        let Some(path) = self.which(name) else {
            let msg = if name.contains('/') {
                match (self.st.flavour, fs::resolve(&self.st.cwd, name)) {
                    (Flavour::Bash, Ok(p)) if self.fs.stat(&p).is_some_and(|n| n.is_dir()) => {
                        ran.code = 126;
                        self.shell_msg(&format!("{name}: Is a directory"))
                    }
                    (_, Ok(p)) if self.fs.stat(&p).is_some() => {
                        ran.code = 126;
                        self.shell_msg(&format!("{name}: Permission denied"))
                    }
                    (Flavour::Bash, _) => {
                        ran.code = 127;
                        self.shell_msg(&format!("{name}: No such file or directory"))
                    }
                    _ => {
                        ran.code = 127;
                        self.shell_msg(&format!("{name}: not found"))
                    }
                }
            } else {
                ran.code = 127;
                match self.st.flavour {
                    Flavour::Bash => self.shell_msg(&format!("{name}: command not found")),
                    _ => self.shell_msg(&format!("{name}: not found")),
                }
            };
            self.emit(&mut ran.out, 2, &msg);
            return ran;
        };
        let prog = fs::base_name(&path).to_string();
        let args = &argv[1..];
        match prog.as_str() {
            "sh" | "ash" | "dash" | "bash" => self.shell(&prog, argv, stdin),
            "echo" => self.echo(args),
            "printf" => self.printf(args),
            "true" => ran,
            "false" => Ran {
                out: Vec::new(),
                code: 1,
            },
            "test" => self.test(args, false),
            "[" => self.test(args, true),
            "pwd" => {
                let cwd = format!("{}\n", self.st.cwd);
                self.emit(&mut ran.out, 1, &cwd);
                ran
            }
            "cat" => self.cat(args, stdin),
            "ls" => self.ls(args),
            "rm" => self.rm(args),
            "mkdir" => self.mkdir(args),
            "rmdir" => self.rmdir(args),
            "touch" => self.touch(args),
            "cp" | "mv" => self.cp(&prog, args),
            "tee" => self.tee(args, stdin),
            "env" => self.env(args, stdin),
            "printenv" => self.printenv(args),
            "hostname" => self.hostname(args),
            "date" => self.date(args),
            "sleep" => self.sleep(args),
            "whoami" => {
                self.emit(&mut ran.out, 1, "root\n");
                ran
            }
            "id" => {
                let id = match self.facts.family {
                    Family::Busybox => "uid=0(root) gid=0(root) groups=0(root),10(wheel)\n",
                    Family::Alpine => "uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)\n",
                    _ => "uid=0(root) gid=0(root) groups=0(root)\n",
                };
                self.emit(&mut ran.out, 1, id);
                ran
            }
            "uname" => self.uname(args),
            "wc" => self.wc(args, stdin),
            "head" | "tail" => self.head_tail(&prog, args, stdin),
            "grep" => self.grep(args, stdin),
            "psql" => {
                let running = self.facts.main_command.starts_with("postgres");
                let pgdata = crate::sim::datastores::pgdata(&[(
                    "PGDATA".to_string(),
                    self.st.get("PGDATA").unwrap_or("").to_string(),
                )]);
                let (out, code) = crate::sim::datastores::psql(self.fs, args, &pgdata, running);
                self.emit(&mut ran.out, if code == 0 { 1 } else { 2 }, &out);
                ran.code = code;
                ran
            }
            "redis-cli" => {
                let running = self.facts.main_command.contains("redis-server");
                let (out, code) =
                    crate::sim::datastores::redis_cli(self.fs, args, self.facts.tty, running);
                self.emit(&mut ran.out, if code == 0 { 1 } else { 2 }, &out);
                ran.code = code;
                ran
            }
            "basename" | "dirname" => {
                match args.first() {
                    None => {
                        let msg = format!("{prog}: missing operand\n");
                        self.emit(&mut ran.out, 2, &msg);
                        ran.code = 1;
                    }
                    Some(a) => {
                        let trimmed = a.trim_end_matches('/');
                        let v = if prog == "basename" {
                            let b = trimmed.rsplit('/').next().unwrap_or("");
                            let b = match args.get(1) {
                                Some(suffix) if b.len() > suffix.len() => {
                                    b.strip_suffix(suffix.as_str()).unwrap_or(b)
                                }
                                _ => b,
                            };
                            if b.is_empty() && a.starts_with('/') {
                                "/".to_string()
                            } else {
                                b.to_string()
                            }
                        } else {
                            match trimmed.rfind('/') {
                                Some(0) => "/".to_string(),
                                Some(i) => trimmed[..i].to_string(),
                                None if a.starts_with('/') => "/".to_string(),
                                None => ".".to_string(),
                            }
                        };
                        self.emit(&mut ran.out, 1, &format!("{v}\n"));
                    }
                }
                ran
            }
            "which" => {
                for a in args {
                    match self.which(a) {
                        Some(p) => self.emit(&mut ran.out, 1, &format!("{p}\n")),
                        None => ran.code = 1,
                    }
                }
                if args.is_empty() {
                    ran.code = 1;
                }
                ran
            }
            "ps" => self.ps(),
            "yes" => {
                let msg = "yes: Pocket Cluster does not run yes (it never ends)\n";
                self.emit(&mut ran.out, 2, msg);
                ran.code = 1;
                ran
            }
            p if nettools::is_tool(p) => self.nettool(p, args, stdin),
            other => {
                let msg = format!(
                    "{other}: Pocket Cluster does not simulate this program yet (the image has it at {path})\n"
                );
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
                ran
            }
        }
    }

    /// `curl`, `wget`, `nslookup`, `nc`, `telnet`, `ping`: see `nettools.rs`. Files they read
    /// (`-d @file`, `/etc/hosts`, `/etc/resolv.conf`) count against the exec's read budget.
    fn nettool(&mut self, prog: &str, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let wants_stdin = matches!(prog, "nc" | "telnet")
            || (prog == "curl" && args.iter().any(|a| a.contains("@-")));
        let input = if wants_stdin {
            Some(self.stdin_text(stdin))
        } else {
            None
        };
        let mut offline = Offline;
        let cwd = self.st.cwd.clone();
        let mut files = ShellFiles {
            fs: &mut *self.fs,
            cwd: &cwd,
            read: 0,
        };
        let net: &mut dyn Network = match self.net.as_mut() {
            Some(n) => &mut **n,
            None => &mut offline,
        };
        let place = nettools::Place {
            family: self.facts.family,
            image: &self.facts.image,
            ip: &self.facts.ip,
            tty: self.facts.tty,
        };
        let mut ctx = nettools::Ctx {
            net,
            files: &mut files,
            place,
            stdin: input,
        };
        let r = nettools::run(prog, args, &mut ctx);
        let read = files.read;
        self.charge(read);
        for (fd, t) in r.out {
            self.emit(&mut ran.out, fd, &t);
        }
        ran.code = r.code;
        ran
    }

    /// Whether a shell (not the runtime) is running commands now.
    fn in_shell(&self) -> bool {
        self.depth > 0
    }

    /// Shell builtins. None: not a builtin.
    fn builtin(&mut self, argv: &[String], stdin: Option<String>) -> Option<Ran> {
        let mut ran = Ran::new();
        let args = &argv[1..];
        match argv[0].as_str() {
            "cd" => {
                let target = match args.first().map(String::as_str) {
                    None => self.st.get("HOME").unwrap_or("/").to_string(),
                    Some("-") => self.st.get("OLDPWD").unwrap_or("/").to_string(),
                    Some(d) => d.to_string(),
                };
                let resolved = fs::resolve(&self.st.cwd, &target);
                let err = match &resolved {
                    Err(e) => Some(*e),
                    Ok(p) => match self.fs.stat(p) {
                        None => Some(FsError::NotFound),
                        Some(n) if !n.is_dir() => Some(FsError::NotADirectory),
                        _ => None,
                    },
                };
                match (err, resolved) {
                    (None, Ok(p)) => {
                        let old = std::mem::replace(&mut self.st.cwd, p.clone());
                        self.st.set("OLDPWD", &old, true);
                        self.st.set("PWD", &p, true);
                        if args.first().map(String::as_str) == Some("-") {
                            self.emit(&mut ran.out, 1, &format!("{p}\n"));
                        }
                    }
                    (e, _) => {
                        let e = e.unwrap_or(FsError::NotFound);
                        let msg = match self.st.flavour {
                            Flavour::Ash => format!("cd: can't cd to {target}: {}", e.text()),
                            Flavour::Dash => format!("cd: can't cd to {target}"),
                            Flavour::Bash => format!("cd: {target}: {}", e.text()),
                        };
                        let line = self.shell_msg(&msg);
                        self.emit(&mut ran.out, 2, &line);
                        ran.code = if self.st.flavour == Flavour::Bash {
                            1
                        } else {
                            2
                        };
                    }
                }
                Some(ran)
            }
            "exit" => {
                let code = match args.first() {
                    None => self.st.status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) => n.rem_euclid(256) as i32,
                        Err(_) => {
                            let msg = match self.st.flavour {
                                Flavour::Bash => format!("exit: {a}: numeric argument required"),
                                _ => format!("exit: Illegal number: {a}"),
                            };
                            let line = self.shell_msg(&msg);
                            self.emit(&mut ran.out, 2, &line);
                            2
                        }
                    },
                };
                self.st.exit = Some(code);
                ran.code = code;
                Some(ran)
            }
            "export" | "readonly" => {
                for a in args {
                    match a.split_once('=') {
                        Some((k, v)) if is_name(k) => self.st.set(k, v, true),
                        None if is_name(a) => {
                            let v = self.st.get(a).unwrap_or("").to_string();
                            if self.st.get(a).is_some() {
                                self.st.set(a, &v, true);
                            }
                        }
                        _ => {
                            let line = self.shell_msg(&format!("export: {a}: bad variable name"));
                            self.emit(&mut ran.out, 2, &line);
                            ran.code = 1;
                        }
                    }
                }
                if args.is_empty() {
                    for (k, v) in self.st.env() {
                        let line = format!("export {k}='{v}'\n");
                        self.emit(&mut ran.out, 1, &line);
                    }
                }
                Some(ran)
            }
            "unset" => {
                self.st.vars.retain(|v| !args.contains(&v.name));
                Some(ran)
            }
            ":" => Some(ran),
            "set" => {
                for a in args {
                    match a.as_str() {
                        "-e" => self.st.errexit = true,
                        "+e" => self.st.errexit = false,
                        _ => {}
                    }
                }
                Some(ran)
            }
            "shift" => {
                let n = args
                    .first()
                    .and_then(|a| a.parse::<usize>().ok())
                    .unwrap_or(1);
                if n < self.st.args.len() {
                    self.st.args.drain(1..=n);
                } else {
                    ran.code = 1;
                }
                Some(ran)
            }
            "eval" => {
                let text = args.join(" ");
                self.depth += 1;
                let r = if self.depth > MAX_DEPTH {
                    let mut r = Ran::new();
                    let msg = self.syntax_msg(&SynErr::TooDeep);
                    self.emit(&mut r.out, 2, &msg);
                    r.code = 2;
                    r
                } else {
                    self.script(&text)
                };
                self.depth -= 1;
                Some(r)
            }
            "." | "source" => {
                let Some(f) = args.first() else {
                    return Some(ran);
                };
                let text = fs::resolve(&self.st.cwd, f)
                    .and_then(|p| self.fs.read_data(&p))
                    .ok()
                    .and_then(|d| match d {
                        Data::Text(t) => Some(t),
                        Data::Opaque(_) => None,
                    });
                match text {
                    Some(t) => {
                        self.charge(t.len());
                        self.depth += 1;
                        let r = if self.depth > MAX_DEPTH {
                            Ran::new()
                        } else {
                            self.script(&t)
                        };
                        self.depth -= 1;
                        Some(r)
                    }
                    None => {
                        let line = self.shell_msg(&format!("{f}: not found"));
                        self.emit(&mut ran.out, 2, &line);
                        ran.code = if self.st.flavour == Flavour::Bash {
                            1
                        } else {
                            2
                        };
                        Some(ran)
                    }
                }
            }
            "exec" => {
                if args.is_empty() {
                    return Some(ran);
                }
                let r = self.program(args, stdin);
                self.st.exit = Some(r.code);
                Some(r)
            }
            "command" | "type" => {
                let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
                if argv[0] == "command" && !args.iter().any(|a| a == "-v" || a == "-V") {
                    if names.is_empty() {
                        return Some(ran);
                    }
                    let rest: Vec<String> = args
                        .iter()
                        .skip_while(|a| a.starts_with('-'))
                        .cloned()
                        .collect();
                    return Some(self.program(&rest, stdin));
                }
                for n in names {
                    if BUILTINS.contains(&n.as_str()) {
                        let line = if argv[0] == "type" {
                            format!("{n} is a shell builtin\n")
                        } else {
                            format!("{n}\n")
                        };
                        self.emit(&mut ran.out, 1, &line);
                    } else if let Some(p) = self.which(n) {
                        let line = if argv[0] == "type" {
                            format!("{n} is {p}\n")
                        } else {
                            format!("{p}\n")
                        };
                        self.emit(&mut ran.out, 1, &line);
                    } else {
                        if argv[0] == "type" {
                            let line = format!("{n}: not found\n");
                            self.emit(&mut ran.out, 1, &line);
                        }
                        ran.code = 1;
                    }
                }
                Some(ran)
            }
            "echo" => Some(self.echo(args)),
            "printf" => Some(self.printf(args)),
            "true" => Some(ran),
            "false" => Some(Ran {
                out: Vec::new(),
                code: 1,
            }),
            "pwd" => {
                let cwd = format!("{}\n", self.st.cwd);
                self.emit(&mut ran.out, 1, &cwd);
                Some(ran)
            }
            "test" => Some(self.test(args, false)),
            "[" => Some(self.test(args, true)),
            b @ ("read" | "trap" | "wait" | "jobs" | "kill" | "ulimit" | "umask" | "alias"
            | "unalias" | "local" | "return" | "getopts" | "times" | "break" | "continue"
            | "let" | "fg" | "bg" | "hash") => {
                let line = self.shell_msg(&format!(
                    "{b}: this builtin is not supported by Pocket Cluster's simulated shell yet"
                ));
                self.emit(&mut ran.out, 2, &line);
                ran.code = 2;
                Some(ran)
            }
            _ => None,
        }
    }

    /// `sh [-e] [-c SCRIPT [NAME [ARGS…]]]`: a nested shell.
    fn shell(&mut self, prog: &str, argv: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let flavour = match (prog, self.facts.family) {
            ("bash", _) => Flavour::Bash,
            (_, Family::Debian) => Flavour::Dash,
            _ => Flavour::Ash,
        };
        let mut script = None;
        let mut errexit = false;
        let mut rest: Vec<String> = Vec::new();
        let mut i = 1;
        let mut wants_c = false;
        while i < argv.len() {
            let a = &argv[i];
            if a == "--" {
                i += 1;
                break;
            }
            if a.starts_with('-') && a.len() > 1 && script.is_none() && !wants_c {
                for ch in a[1..].chars() {
                    match ch {
                        'c' => wants_c = true,
                        'e' => errexit = true,
                        'x' | 'l' | 'i' | 's' | 'u' => {}
                        other => {
                            let msg = match flavour {
                                Flavour::Bash => format!("{}: -{other}: invalid option\n", argv[0]),
                                _ => format!("{}: -{other}: invalid option\n", argv[0]),
                            };
                            self.emit(&mut ran.out, 2, &msg);
                            ran.code = 2;
                            return ran;
                        }
                    }
                }
                i += 1;
                continue;
            }
            break;
        }
        if wants_c {
            match argv.get(i) {
                Some(s) => {
                    script = Some(s.clone());
                    i += 1;
                }
                None => {
                    let msg = match flavour {
                        Flavour::Bash => format!("{}: -c: option requires an argument\n", argv[0]),
                        Flavour::Dash => format!("{}: 0: -c requires an argument\n", argv[0]),
                        Flavour::Ash => format!("{}: -c requires an argument\n", argv[0]),
                    };
                    self.emit(&mut ran.out, 2, &msg);
                    ran.code = 2;
                    return ran;
                }
            }
        }
        rest.extend(argv[i.min(argv.len())..].iter().cloned());
        let (text, args) = match script {
            Some(s) => {
                let mut args = vec![rest.first().cloned().unwrap_or_else(|| argv[0].clone())];
                args.extend(rest.iter().skip(1).cloned());
                (s, args)
            }
            None if !rest.is_empty() => {
                // `sh FILE`: run a script file.
                let f = &rest[0];
                let text = fs::resolve(&self.st.cwd, f)
                    .and_then(|p| self.fs.read_data(&p))
                    .ok()
                    .and_then(|d| match d {
                        Data::Text(t) => Some(t),
                        Data::Opaque(_) => None,
                    });
                match text {
                    Some(t) => (t, rest.clone()),
                    None => {
                        let msg = match flavour {
                            Flavour::Bash => {
                                format!("{}: {f}: No such file or directory\n", argv[0])
                            }
                            Flavour::Dash => {
                                format!("{}: 0: cannot open {f}: No such file\n", argv[0])
                            }
                            Flavour::Ash => format!(
                                "{}: can't open '{f}': No such file or directory\n",
                                argv[0]
                            ),
                        };
                        self.emit(&mut ran.out, 2, &msg);
                        ran.code = 127;
                        return ran;
                    }
                }
            }
            // No script: the shell reads stdin (`kubectl exec -i … -- sh <<EOF`), or ends at once.
            None => (
                stdin
                    .clone()
                    .or_else(|| self.stdin.take())
                    .unwrap_or_default(),
                vec![argv[0].clone()],
            ),
        };
        if self.depth >= MAX_DEPTH {
            let msg = format!(
                "{}: Pocket Cluster's shell stops at {MAX_DEPTH} nested levels\n",
                argv[0]
            );
            self.emit(&mut ran.out, 2, &msg);
            ran.code = 2;
            return ran;
        }
        let env: Vec<Var> = self
            .st
            .vars
            .iter()
            .filter(|v| v.exported)
            .cloned()
            .collect();
        let child = State {
            vars: env,
            cwd: self.st.cwd.clone(),
            status: 0,
            args,
            flavour,
            errexit,
            exit: None,
        };
        let saved = std::mem::replace(&mut self.st, child);
        let saved_stdin = self.stdin.take();
        self.stdin = stdin.or(saved_stdin.clone());
        self.depth += 1;
        let r = self.script(&text);
        self.depth -= 1;
        self.stdin = saved_stdin;
        self.st = saved;
        r
    }

    fn echo(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let mut newline = true;
        let mut escapes = self.st.flavour == Flavour::Dash;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            let is_opt = a.len() > 1
                && a.starts_with('-')
                && a[1..].chars().all(|c| {
                    matches!(c, 'n') || (self.st.flavour != Flavour::Dash && matches!(c, 'e' | 'E'))
                });
            if !is_opt {
                break;
            }
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            i += 1;
        }
        let mut text = args[i..].join(" ");
        if escapes {
            let (t, stop) = unescape(&text);
            text = t;
            if stop {
                newline = false;
            }
        }
        if newline {
            text.push('\n');
        }
        self.emit(&mut ran.out, 1, &text);
        ran
    }

    fn printf(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let Some(format) = args.first() else {
            let msg = "printf: usage: printf format [arguments]\n";
            self.emit(&mut ran.out, 2, msg);
            ran.code = if self.st.flavour == Flavour::Bash {
                2
            } else {
                1
            };
            return ran;
        };
        let mut rest = args[1..].iter();
        let mut out = String::new();
        let fmt: Vec<char> = format.chars().collect();
        let mut rounds = 0;
        loop {
            let mut used = false;
            let mut i = 0;
            while i < fmt.len() {
                let c = fmt[i];
                if c == '\\' {
                    let (t, _) =
                        unescape(&fmt[i..(i + 2).min(fmt.len())].iter().collect::<String>());
                    out.push_str(&t);
                    i += 2;
                    continue;
                }
                if c != '%' {
                    out.push(c);
                    i += 1;
                    continue;
                }
                i += 1;
                let mut flags = String::new();
                while i < fmt.len() && (fmt[i] == '-' || fmt[i].is_ascii_digit()) {
                    flags.push(fmt[i]);
                    i += 1;
                }
                let Some(&conv) = fmt.get(i) else {
                    out.push('%');
                    break;
                };
                i += 1;
                let left = flags.starts_with('-');
                let width: usize = flags.trim_start_matches('-').parse().unwrap_or(0).min(4096);
                let pad = |s: String| {
                    let n = s.chars().count();
                    if n >= width {
                        s
                    } else if left {
                        format!("{s}{}", " ".repeat(width - n))
                    } else {
                        format!("{}{s}", " ".repeat(width - n))
                    }
                };
                match conv {
                    '%' => out.push('%'),
                    's' | 'b' => {
                        used = true;
                        let v = rest.next().cloned().unwrap_or_default();
                        let v = if conv == 'b' { unescape(&v).0 } else { v };
                        out.push_str(&pad(v));
                    }
                    'd' | 'i' | 'u' => {
                        used = true;
                        let v = rest.next().cloned().unwrap_or_default();
                        let n = v.trim().parse::<i64>().unwrap_or(0);
                        out.push_str(&pad(n.to_string()));
                    }
                    'c' => {
                        used = true;
                        let v = rest.next().cloned().unwrap_or_default();
                        out.push_str(&pad(v.chars().next().map(String::from).unwrap_or_default()));
                    }
                    'x' => {
                        used = true;
                        let v = rest.next().cloned().unwrap_or_default();
                        out.push_str(&pad(format!("{:x}", v.trim().parse::<i64>().unwrap_or(0))));
                    }
                    other => {
                        out.push('%');
                        out.push(other);
                    }
                }
            }
            rounds += 1;
            if !used || rest.len() == 0 || rounds > 10_000 || out.len() > OUTPUT_LIMIT {
                break;
            }
        }
        self.emit(&mut ran.out, 1, &out);
        ran
    }

    fn test(&mut self, args: &[String], bracket: bool) -> Ran {
        let mut ran = Ran::new();
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        if bracket {
            if args.last() != Some(&"]") {
                let line = match self.st.flavour {
                    Flavour::Bash => self.shell_msg("[: missing `]'"),
                    Flavour::Dash => self.shell_msg("[: missing ]"),
                    Flavour::Ash => format!("{}: [: missing ]\n", self.arg0()),
                };
                self.emit(&mut ran.out, 2, &line);
                ran.code = 2;
                return ran;
            }
            args.pop();
        }
        let mut negate = false;
        while args.first() == Some(&"!") && args.len() > 1 {
            negate = !negate;
            args.remove(0);
        }
        let int = |this: &mut Self, s: &str, ran: &mut Ran| -> Option<i64> {
            match s.trim().parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let line = match this.st.flavour {
                        Flavour::Ash => format!("{}: invalid number '{s}'\n", this.arg0()),
                        Flavour::Dash => this.shell_msg(&format!("test: Illegal number: {s}")),
                        Flavour::Bash => {
                            this.shell_msg(&format!("test: {s}: integer expression expected"))
                        }
                    };
                    this.emit(&mut ran.out, 2, &line);
                    None
                }
            }
        };
        let result = match args.as_slice() {
            [] => Some(false),
            [s] => Some(!s.is_empty()),
            ["-n", s] => Some(!s.is_empty()),
            ["-z", s] => Some(s.is_empty()),
            [op @ ("-e" | "-f" | "-d" | "-s" | "-r" | "-w" | "-x" | "-h" | "-L"), p] => {
                let node = fs::resolve(&self.st.cwd, p)
                    .ok()
                    .and_then(|p| self.fs.stat(&p));
                Some(match (*op, node) {
                    (_, None) => false,
                    ("-e" | "-r" | "-w", Some(_)) => true,
                    ("-f", Some(n)) => !n.is_dir(),
                    ("-d", Some(n)) => n.is_dir(),
                    ("-s", Some(n)) => n.size() > 0,
                    ("-x", Some(n)) => n.mode() & 0o111 != 0,
                    _ => false,
                })
            }
            [a, "=" | "==", b] => Some(a == b),
            [a, "!=", b] => Some(a != b),
            [a, op @ ("-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"), b] => {
                match (int(self, a, &mut ran), int(self, b, &mut ran)) {
                    (Some(x), Some(y)) => Some(match *op {
                        "-eq" => x == y,
                        "-ne" => x != y,
                        "-lt" => x < y,
                        "-le" => x <= y,
                        "-gt" => x > y,
                        _ => x >= y,
                    }),
                    _ => None,
                }
            }
            _ => {
                let what = args.first().copied().unwrap_or("");
                let line = match self.st.flavour {
                    Flavour::Bash => {
                        self.shell_msg(&format!("test: {what}: unary operator expected"))
                    }
                    Flavour::Dash => self.shell_msg("test: unexpected operator"),
                    Flavour::Ash => format!("{}: test: syntax error\n", self.arg0()),
                };
                self.emit(&mut ran.out, 2, &line);
                None
            }
        };
        ran.code = match result {
            Some(r) => i32::from(r == negate),
            None => 2,
        };
        ran
    }

    /// A file's text for a program (`prog: …` errors in the image's wording). None: reported.
    fn read_for(&mut self, prog: &str, name: &str, out: &mut Out) -> Option<String> {
        let result = fs::resolve(&self.st.cwd, name).and_then(|p| self.fs.read_data(&p));
        match result {
            Ok(Data::Text(t)) => {
                if !self.charge(t.len()) {
                    return None;
                }
                Some(t)
            }
            Ok(Data::Opaque(_)) => {
                let msg =
                    format!("{prog}: {name}: the simulator does not model this file's bytes\n");
                self.emit(out, 2, &msg);
                None
            }
            Err(e) => {
                let msg = match (self.gnu(), prog, e) {
                    (false, "cat", FsError::IsADirectory) => {
                        "cat: read error: Is a directory\n".into()
                    }
                    (false, "grep", _) => format!("grep: {name}: {}\n", e.text()),
                    (false, _, FsError::IsADirectory) => {
                        format!("{prog}: read error: Is a directory\n")
                    }
                    (false, _, e) => format!("{prog}: can't open '{name}': {}\n", e.text()),
                    (true, "head" | "tail", FsError::IsADirectory) => {
                        format!("{prog}: error reading '{name}': Is a directory\n")
                    }
                    (true, "head" | "tail", e) => {
                        format!("{prog}: cannot open '{name}' for reading: {}\n", e.text())
                    }
                    (true, _, e) => format!("{prog}: {name}: {}\n", e.text()),
                };
                self.emit(out, 2, &msg);
                None
            }
        }
    }

    fn stdin_text(&mut self, stdin: Option<String>) -> String {
        let t = stdin.or_else(|| self.stdin.take()).unwrap_or_default();
        self.charge(t.len());
        t
    }

    fn cat(&mut self, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let files: Vec<&String> = args
            .iter()
            .filter(|a| !a.starts_with('-') || *a == "-")
            .collect();
        if files.is_empty() {
            let t = self.stdin_text(stdin);
            self.emit(&mut ran.out, 1, &t);
            return ran;
        }
        let mut stdin = stdin;
        for f in files {
            if self.done() {
                break;
            }
            if f == "-" {
                let t = self.stdin_text(stdin.take());
                self.emit(&mut ran.out, 1, &t);
                continue;
            }
            let mut out = std::mem::take(&mut ran.out);
            match self.read_for("cat", f, &mut out) {
                Some(t) => self.emit(&mut out, 1, &t),
                None => ran.code = 1,
            }
            ran.out = out;
        }
        ran
    }

    fn ls(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let (mut long, mut all, mut almost, mut dir_only) = (false, false, false, false);
        let mut names = Vec::new();
        for a in args {
            if a.len() > 1 && a.starts_with('-') {
                for c in a[1..].chars() {
                    match c {
                        'l' => long = true,
                        'a' => all = true,
                        'A' => almost = true,
                        'd' => dir_only = true,
                        '1' | 'h' | 'F' | 'p' | 't' | 'r' | 'S' | 'n' => {}
                        other => {
                            let msg = if self.gnu() {
                                format!("ls: invalid option -- '{other}'\nTry 'ls --help' for more information.\n")
                            } else {
                                format!("ls: unrecognized option: {other}\n")
                            };
                            self.emit(&mut ran.out, 2, &msg);
                            ran.code = if self.gnu() { 2 } else { 1 };
                            return ran;
                        }
                    }
                }
            } else {
                names.push(a.clone());
            }
        }
        let explicit = !names.is_empty();
        if names.is_empty() {
            names.push(".".into());
        }
        let mut file_rows: Vec<(String, Node)> = Vec::new();
        let mut dirs: Vec<(String, String)> = Vec::new();
        for n in &names {
            let path = fs::resolve(&self.st.cwd, n);
            match path.as_ref().ok().and_then(|p| self.fs.stat(p)) {
                None => {
                    let e = path.err().unwrap_or(FsError::NotFound);
                    let msg = if self.gnu() {
                        format!("ls: cannot access '{n}': {}\n", e.text())
                    } else {
                        format!("ls: {n}: {}\n", e.text())
                    };
                    self.emit(&mut ran.out, 2, &msg);
                    ran.code = if self.gnu() { 2 } else { 1 };
                }
                Some(node) if node.is_dir() && !dir_only => {
                    dirs.push((n.clone(), path.unwrap_or_default()))
                }
                Some(node) => file_rows.push((n.clone(), node)),
            }
        }
        crate::sim::sort::by(&mut file_rows, |a, b| a.0.cmp(&b.0));
        crate::sim::sort::natural(&mut dirs);
        let mut text = String::new();
        if !file_rows.is_empty() {
            text.push_str(&self.ls_rows(&file_rows, long, false));
        }
        let many = dirs.len() + file_rows.len() > 1 || (explicit && names.len() > 1);
        for (i, (shown, path)) in dirs.iter().enumerate() {
            let Ok(mut entries) = self.fs.list(path) else {
                continue;
            };
            self.charge(entries.len() * 32);
            if !all {
                entries.retain(|(n, _)| !n.starts_with('.'));
            }
            if all && !almost {
                let here = self.fs.stat(path).unwrap_or(Node::dir(0));
                let up = self.fs.stat(fs::parent(path)).unwrap_or(Node::dir(0));
                entries.insert(0, ("..".into(), up));
                entries.insert(0, (".".into(), here));
            }
            if many {
                if !text.is_empty() || i > 0 {
                    text.push('\n');
                }
                text.push_str(&format!("{shown}:\n"));
            }
            text.push_str(&self.ls_rows(&entries, long, true));
            if self.done() {
                break;
            }
        }
        self.emit(&mut ran.out, 1, &text);
        ran
    }

    fn ls_rows(&self, rows: &[(String, Node)], long: bool, total: bool) -> String {
        let mut text = String::new();
        if !long {
            for (n, _) in rows {
                text.push_str(n);
                text.push('\n');
            }
            return text;
        }
        if total {
            let blocks: u64 = rows
                .iter()
                .map(|(_, n)| {
                    if n.is_dir() {
                        4
                    } else {
                        n.size().div_ceil(4096) * 4
                    }
                })
                .sum();
            text.push_str(&format!("total {blocks}\n"));
        }
        let size_w = rows
            .iter()
            .map(|(_, n)| n.size().to_string().len())
            .max()
            .unwrap_or(1);
        for (name, n) in rows {
            let mode = mode_string(n);
            let links = if n.is_dir() { 2 } else { 1 };
            let date = ls_date(n.mtime(), self.facts.now);
            if self.gnu() {
                text.push_str(&format!(
                    "{mode} {links} root root {:>size_w$} {date} {name}\n",
                    n.size()
                ));
            } else {
                text.push_str(&format!(
                    "{mode} {links:>4} root     root     {:>9} {date} {name}\n",
                    n.size()
                ));
            }
        }
        text
    }

    fn rm(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let (mut force, mut recursive) = (false, false);
        let mut names = Vec::new();
        for a in args {
            if a.len() > 1 && a.starts_with('-') {
                for c in a[1..].chars() {
                    match c {
                        'f' => force = true,
                        'r' | 'R' => recursive = true,
                        'v' | 'i' => {}
                        other => {
                            let msg = format!("rm: invalid option -- '{other}'\n");
                            self.emit(&mut ran.out, 2, &msg);
                            ran.code = 1;
                            return ran;
                        }
                    }
                }
            } else {
                names.push(a);
            }
        }
        if names.is_empty() && !force {
            let msg = if self.gnu() {
                "rm: missing operand\nTry 'rm --help' for more information.\n"
            } else {
                "rm: missing operand\n"
            };
            self.emit(&mut ran.out, 2, msg);
            ran.code = 1;
        }
        for n in names {
            let result = fs::resolve(&self.st.cwd, n).and_then(|p| {
                if p == "/" && recursive {
                    return Err(FsError::Busy);
                }
                self.fs.remove(&p, recursive)
            });
            match result {
                Ok(()) => {}
                Err(FsError::NotFound) if force => {}
                Err(e) => {
                    let msg = match (self.gnu(), e) {
                        (true, FsError::Busy) if n == "/" || n.ends_with("/.") => {
                            "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n".to_string()
                        }
                        (true, e) => format!("rm: cannot remove '{n}': {}\n", e.text()),
                        (false, FsError::IsADirectory) => format!("rm: '{n}' is a directory\n"),
                        (false, e) => format!("rm: can't remove '{n}': {}\n", e.text()),
                    };
                    self.emit(&mut ran.out, 2, &msg);
                    ran.code = 1;
                }
            }
        }
        ran
    }

    fn mkdir(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let parents = args.iter().any(|a| a == "-p" || a == "--parents");
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if names.is_empty() {
            self.emit(&mut ran.out, 2, "mkdir: missing operand\n");
            ran.code = 1;
        }
        for n in names {
            let result = fs::resolve(&self.st.cwd, n).and_then(|p| {
                if parents {
                    self.fs.mkdir_p(&p)
                } else {
                    self.fs.mkdir(&p)
                }
            });
            if let Err(e) = result {
                let msg = if self.gnu() {
                    format!("mkdir: cannot create directory '{n}': {}\n", e.text())
                } else {
                    format!("mkdir: can't create directory '{n}': {}\n", e.text())
                };
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
            }
        }
        ran
    }

    fn rmdir(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        for n in args.iter().filter(|a| !a.starts_with('-')) {
            if let Err(e) = fs::resolve(&self.st.cwd, n).and_then(|p| self.fs.rmdir(&p)) {
                let msg = if self.gnu() {
                    format!("rmdir: failed to remove '{n}': {}\n", e.text())
                } else {
                    format!("rmdir: '{n}': {}\n", e.text())
                };
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
            }
        }
        ran
    }

    fn touch(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if names.is_empty() {
            self.emit(&mut ran.out, 2, "touch: missing file operand\n");
            ran.code = 1;
        }
        for n in names {
            if let Err(e) = fs::resolve(&self.st.cwd, n).and_then(|p| self.fs.touch(&p)) {
                let msg = if self.gnu() {
                    format!("touch: cannot touch '{n}': {}\n", e.text())
                } else {
                    format!("touch: {n}: {}\n", e.text())
                };
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
            }
        }
        ran
    }

    /// `cp SRC DST` and `mv SRC DST` for files (a directory source is not simulated).
    fn cp(&mut self, prog: &str, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let names: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let [src, dst] = names.as_slice() else {
            let msg = format!("{prog}: expected a source and a destination (Pocket Cluster simulates {prog} SRC DST)\n");
            self.emit(&mut ran.out, 2, &msg);
            ran.code = 1;
            return ran;
        };
        let from = fs::resolve(&self.st.cwd, src);
        let node = from.as_ref().ok().and_then(|p| self.fs.stat(p));
        let data = match (&from, node) {
            (Ok(_), Some(n)) if n.is_dir() => {
                let msg =
                    format!("{prog}: copying directories is not simulated in Pocket Cluster yet\n");
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
                return ran;
            }
            (Ok(p), Some(_)) => self.fs.read_data(p).ok(),
            _ => None,
        };
        let Some(data) = data else {
            let msg = if self.gnu() {
                format!("{prog}: cannot stat '{src}': No such file or directory\n")
            } else {
                format!("{prog}: can't stat '{src}': No such file or directory\n")
            };
            self.emit(&mut ran.out, 2, &msg);
            ran.code = 1;
            return ran;
        };
        let text = match data {
            Data::Text(t) => t,
            Data::Opaque(_) => String::new(),
        };
        self.charge(text.len());
        let mut to = match fs::resolve(&self.st.cwd, dst) {
            Ok(p) => p,
            Err(e) => {
                let msg = format!("{prog}: {dst}: {}\n", e.text());
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
                return ran;
            }
        };
        if self.fs.stat(&to).is_some_and(|n| n.is_dir()) {
            to = fs::join(&to, fs::base_name(from.as_deref().unwrap_or("/x")));
        }
        if let Err(e) = self.fs.write(&to, &text, false) {
            let msg = if self.gnu() {
                format!("{prog}: cannot create regular file '{dst}': {}\n", e.text())
            } else {
                format!("{prog}: can't create '{dst}': {}\n", e.text())
            };
            self.emit(&mut ran.out, 2, &msg);
            ran.code = 1;
            return ran;
        }
        if prog == "mv" {
            if let Ok(p) = &from {
                if *p != to {
                    let _ = self.fs.remove(p, false);
                }
            }
        }
        ran
    }

    fn tee(&mut self, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let append = args.iter().any(|a| a == "-a");
        let text = self.stdin_text(stdin);
        for f in args.iter().filter(|a| !a.starts_with('-')) {
            if let Err(e) =
                fs::resolve(&self.st.cwd, f).and_then(|p| self.fs.write(&p, &text, append))
            {
                let msg = format!("tee: {f}: {}\n", e.text());
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
            }
        }
        self.emit(&mut ran.out, 1, &text);
        ran
    }

    fn env(&mut self, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let mut i = 0;
        let saved = self.st.vars.clone();
        while let Some(a) = args.get(i) {
            if a == "-i" || a == "-" {
                self.st.vars.retain(|_| false);
            } else if a == "-u" {
                if let Some(n) = args.get(i + 1) {
                    self.st.vars.retain(|v| v.name != *n);
                }
                i += 1;
            } else if let Some((k, v)) = a.split_once('=') {
                self.st.set(k, v, true);
            } else {
                break;
            }
            i += 1;
        }
        if i < args.len() {
            let r = self.program(&args[i..], stdin);
            self.st.vars = saved;
            return r;
        }
        let text: String = self
            .st
            .env()
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect();
        self.st.vars = saved;
        self.emit(&mut ran.out, 1, &text);
        ran
    }

    fn printenv(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let env = self.st.env();
        if args.is_empty() {
            let text: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            self.emit(&mut ran.out, 1, &text);
            return ran;
        }
        for a in args {
            match env.iter().find(|(k, _)| k == a) {
                Some((_, v)) => {
                    let line = format!("{v}\n");
                    self.emit(&mut ran.out, 1, &line);
                }
                None => ran.code = 1,
            }
        }
        ran
    }

    fn hostname(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        match args.first().map(String::as_str) {
            None | Some("-s") | Some("-f") => {
                let h = format!("{}\n", self.facts.hostname);
                self.emit(&mut ran.out, 1, &h);
            }
            Some("-i") => {
                let ip = format!("{}\n", self.facts.ip);
                self.emit(&mut ran.out, 1, &ip);
            }
            Some(_) => {
                let msg = if self.gnu() {
                    "hostname: you must be root to change the host name\n"
                } else {
                    "hostname: sethostname: Operation not permitted\n"
                };
                self.emit(&mut ran.out, 2, msg);
                ran.code = 1;
            }
        }
        ran
    }

    fn date(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let mut format = None;
        for a in args {
            match a.as_str() {
                "-u" | "--utc" | "-R" => {}
                "-s" | "--set" => {
                    let msg = "date: cannot set date: Operation not permitted\n";
                    self.emit(&mut ran.out, 2, msg);
                    ran.code = 1;
                    return ran;
                }
                f if f.starts_with('+') => format = Some(f[1..].to_string()),
                other => {
                    let msg = format!("date: invalid date '{other}'\n");
                    self.emit(&mut ran.out, 2, &msg);
                    ran.code = 1;
                    return ran;
                }
            }
        }
        let now = self.facts.now;
        let text = match format {
            None => unix_date(now),
            Some(f) => strftime(&f, now),
        };
        self.emit(&mut ran.out, 1, &format!("{text}\n"));
        ran
    }

    fn sleep(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        if args.is_empty() {
            let msg = "sleep: missing operand\n";
            self.emit(&mut ran.out, 2, msg);
            ran.code = 1;
            return ran;
        }
        for a in args {
            let num = a.trim_end_matches(['s', 'm', 'h', 'd']);
            if a == "infinity" {
                let msg = "sleep: Pocket Cluster does not wait forever inside an exec (the virtual clock does not move here)\n";
                self.emit(&mut ran.out, 2, msg);
                ran.code = 1;
                return ran;
            }
            if num.is_empty() || num.parse::<f64>().is_err() {
                let msg = if self.gnu() {
                    format!("sleep: invalid time interval '{a}'\n")
                } else {
                    format!("sleep: invalid number '{a}'\n")
                };
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
                return ran;
            }
        }
        ran
    }

    fn uname(&mut self, args: &[String]) -> Ran {
        let mut ran = Ran::new();
        let k = &self.facts.kernel;
        let version = format!(
            "#{}-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024",
            k.split('-').nth(1).unwrap_or("45")
        );
        let mut fields = Vec::new();
        let mut flags: String = args
            .iter()
            .filter(|a| a.starts_with('-'))
            .map(|a| a[1..].to_string())
            .collect();
        if flags.is_empty() {
            flags.push('s');
        }
        if flags.contains('a') {
            flags = "snrvmo".into();
        }
        for c in "snrvmo".chars() {
            if flags.contains(c) {
                fields.push(match c {
                    's' => "Linux".to_string(),
                    'n' => self.facts.hostname.clone(),
                    'r' => k.clone(),
                    'v' => version.clone(),
                    'm' => "x86_64".into(),
                    _ => "GNU/Linux".into(),
                });
            }
        }
        let line = format!("{}\n", fields.join(" "));
        self.emit(&mut ran.out, 1, &line);
        ran
    }

    fn wc(&mut self, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let mut flags = String::new();
        let mut files = Vec::new();
        for a in args {
            if a.len() > 1 && a.starts_with('-') {
                flags.push_str(&a[1..]);
            } else {
                files.push(a.clone());
            }
        }
        if flags.is_empty() {
            flags = "lwc".into();
        }
        let count = |t: &str| {
            [
                t.matches('\n').count(),
                t.split_whitespace().count(),
                t.len(),
            ]
        };
        let mut rows: Vec<([usize; 3], Option<String>)> = Vec::new();
        if files.is_empty() {
            let t = self.stdin_text(stdin);
            rows.push((count(&t), None));
        } else {
            let mut out = std::mem::take(&mut ran.out);
            for f in &files {
                match self.read_for("wc", f, &mut out) {
                    Some(t) => rows.push((count(&t), Some(f.clone()))),
                    None => ran.code = 1,
                }
            }
            ran.out = out;
            if rows.len() > 1 {
                let mut total = [0; 3];
                for (c, _) in &rows {
                    for i in 0..3 {
                        total[i] += c[i];
                    }
                }
                rows.push((total, Some("total".into())));
            }
        }
        let cols: Vec<usize> = [('l', 0), ('w', 1), ('c', 2), ('m', 2)]
            .iter()
            .filter(|(f, _)| flags.contains(*f))
            .map(|(_, i)| *i)
            .collect();
        let single = cols.len() == 1 && rows.len() == 1;
        let width = if single {
            0
        } else if files.is_empty() {
            7
        } else {
            rows.iter()
                .flat_map(|(c, _)| cols.iter().map(move |i| c[*i].to_string().len()))
                .max()
                .unwrap_or(1)
        };
        let mut text = String::new();
        for (c, name) in rows {
            let nums: Vec<String> = cols.iter().map(|i| format!("{:>width$}", c[*i])).collect();
            text.push_str(&nums.join(" "));
            if let Some(n) = name {
                text.push(' ');
                text.push_str(&n);
            }
            text.push('\n');
        }
        self.emit(&mut ran.out, 1, &text);
        ran
    }

    fn head_tail(&mut self, prog: &str, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let mut n: i64 = 10;
        let mut from_start = false;
        let mut files = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            let value = if a == "-n" {
                i += 1;
                args.get(i).cloned()
            } else if let Some(v) = a.strip_prefix("-n") {
                Some(v.to_string())
            } else if a == "-f" || a == "-F" {
                let msg = format!("{prog}: -f follows a file forever; Pocket Cluster does not run it inside an exec\n");
                self.emit(&mut ran.out, 2, &msg);
                ran.code = 1;
                return ran;
            } else if a.len() > 1
                && a.starts_with('-')
                && a[1..].chars().all(|c| c.is_ascii_digit())
            {
                Some(a[1..].to_string())
            } else {
                files.push(a.clone());
                None
            };
            if let Some(v) = value {
                if prog == "tail" && v.starts_with('+') {
                    from_start = true;
                }
                match v.trim_start_matches('+').parse::<i64>() {
                    Ok(x) => n = x,
                    Err(_) => {
                        let msg = if self.gnu() {
                            format!("{prog}: invalid number of lines: '{v}'\n")
                        } else {
                            format!("{prog}: invalid number '{v}'\n")
                        };
                        self.emit(&mut ran.out, 2, &msg);
                        ran.code = 1;
                        return ran;
                    }
                }
            }
            i += 1;
        }
        let pick = |t: &str| -> String {
            let lines: Vec<&str> = t.split_inclusive('\n').collect();
            let n = n.max(0) as usize;
            let chosen: Vec<&str> = if prog == "head" {
                lines.iter().take(n).copied().collect()
            } else if from_start {
                lines.iter().skip(n.saturating_sub(1)).copied().collect()
            } else {
                lines
                    .iter()
                    .skip(lines.len().saturating_sub(n))
                    .copied()
                    .collect()
            };
            chosen.concat()
        };
        if files.is_empty() {
            let t = self.stdin_text(stdin);
            let picked = pick(&t);
            self.emit(&mut ran.out, 1, &picked);
            return ran;
        }
        let many = files.len() > 1;
        let mut out = std::mem::take(&mut ran.out);
        for (k, f) in files.iter().enumerate() {
            if let Some(t) = self.read_for(prog, f, &mut out) {
                let mut text = String::new();
                if many {
                    if k > 0 {
                        text.push('\n');
                    }
                    text.push_str(&format!("==> {f} <==\n"));
                }
                text.push_str(&pick(&t));
                self.emit(&mut out, 1, &text);
            } else {
                ran.code = 1;
            }
        }
        ran.out = out;
        ran
    }

    fn grep(&mut self, args: &[String], stdin: Option<String>) -> Ran {
        let mut ran = Ran::new();
        let (mut icase, mut invert, mut number, mut count, mut quiet, mut list, mut fixed) =
            (false, false, false, false, false, false, false);
        let mut extended = false;
        let mut pattern = None;
        let mut files = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "-e" {
                i += 1;
                pattern = args.get(i).cloned();
            } else if a.len() > 1 && a.starts_with('-') && pattern.is_none() {
                for c in a[1..].chars() {
                    match c {
                        'i' => icase = true,
                        'v' => invert = true,
                        'n' => number = true,
                        'c' => count = true,
                        'q' | 's' => quiet |= c == 'q',
                        'l' => list = true,
                        'F' => fixed = true,
                        'E' => extended = true,
                        'G' | 'H' | 'h' => {}
                        other => {
                            let msg = format!(
                                "grep: option -{other} is not simulated by Pocket Cluster yet\n"
                            );
                            self.emit(&mut ran.out, 2, &msg);
                            ran.code = 2;
                            return ran;
                        }
                    }
                }
            } else if pattern.is_none() {
                pattern = Some(a.clone());
            } else {
                files.push(a.clone());
            }
            i += 1;
        }
        let Some(pattern) = pattern else {
            let msg = if self.gnu() {
                "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n"
            } else {
                "grep: no pattern given\n"
            };
            self.emit(&mut ran.out, 2, msg);
            ran.code = 2;
            return ran;
        };
        // Alternatives: `a|b` in an extended pattern, `a\|b` in a basic one (GNU and BusyBox).
        let alternatives = if fixed {
            vec![pattern.clone()]
        } else {
            split_alternatives(&pattern, extended)
        };
        let res: Vec<Regex> = alternatives
            .iter()
            .map(|p| Regex::new(p, icase, fixed))
            .collect();
        let mut inputs: Vec<(Option<String>, String)> = Vec::new();
        if files.is_empty() {
            inputs.push((None, self.stdin_text(stdin)));
        } else {
            let mut out = std::mem::take(&mut ran.out);
            for f in &files {
                match self.read_for("grep", f, &mut out) {
                    Some(t) => inputs.push((Some(f.clone()), t)),
                    None => ran.code = 2,
                }
            }
            ran.out = out;
        }
        let many = files.len() > 1;
        let mut any = false;
        let mut text = String::new();
        for (name, t) in &inputs {
            let mut n = 0;
            for (k, line) in t.lines().enumerate() {
                if res.iter().any(|re| re.is_match(line)) != invert {
                    n += 1;
                    any = true;
                    if quiet || count || list {
                        continue;
                    }
                    if many {
                        text.push_str(name.as_deref().unwrap_or(""));
                        text.push(':');
                    }
                    if number {
                        text.push_str(&format!("{}:", k + 1));
                    }
                    text.push_str(line);
                    text.push('\n');
                    if text.len() > OUTPUT_LIMIT {
                        break;
                    }
                }
            }
            if count && !quiet {
                if many {
                    text.push_str(&format!("{}:", name.as_deref().unwrap_or("")));
                }
                text.push_str(&format!("{n}\n"));
            }
            if list && n > 0 && !quiet {
                text.push_str(&format!(
                    "{}\n",
                    name.as_deref().unwrap_or("(standard input)")
                ));
            }
        }
        if !quiet {
            self.emit(&mut ran.out, 1, &text);
        }
        if ran.code == 0 || any {
            ran.code = if any { 0 } else { 1 };
        }
        ran
    }

    fn ps(&mut self) -> Ran {
        let mut ran = Ran::new();
        let mut text = String::from("PID   USER     TIME  COMMAND\n");
        let row = |pid: u32, cmd: &str| format!("{pid:>5} root      0:00 {cmd}\n");
        text.push_str(&row(1, &self.facts.main_command));
        text.push_str(&row(7, &self.facts.exec_command));
        if self.in_shell() {
            text.push_str(&row(13, "ps"));
        }
        self.emit(&mut ran.out, 1, &text);
        ran
    }
}

const BUILTINS: &[&str] = &[
    "cd", "exit", "export", "readonly", "unset", ":", "set", "shift", "eval", ".", "source",
    "exec", "command", "type", "echo", "printf", "true", "false", "pwd", "test", "[",
];

/// `\n`, `\t`, `\\`, `\0NNN`… as echo -e and printf read them. The bool: `\c` (stop output).
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::new();
    let mut cs = s.chars().peekable();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('e') => out.push('\u{1b}'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some('0') => {
                let mut n = 0u32;
                for _ in 0..3 {
                    match cs.peek() {
                        Some(d @ '0'..='7') => {
                            n = n * 8 + (*d as u32 - '0' as u32);
                            cs.next();
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('?'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

/// `*` and `?` matching of one name.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with one backtrack point for the last `*` (linear-ish, no recursion).
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    while i < p.len() && p[i] == '*' {
        i += 1;
    }
    i == p.len()
}

fn mode_string(n: &Node) -> String {
    let mode = n.mode();
    let mut s = String::from(if n.is_dir() { "d" } else { "-" });
    for shift in [6, 3, 0] {
        let bits = (mode >> shift) & 7;
        s.push(if bits & 4 != 0 { 'r' } else { '-' });
        s.push(if bits & 2 != 0 { 'w' } else { '-' });
        s.push(if bits & 1 != 0 { 'x' } else { '-' });
    }
    s
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// Calendar fields of a virtual instant: (year, month, day, hour, minute, second, weekday,
/// unix seconds, day of year).
fn fields(t: Millis) -> (i64, u32, u32, u64, u64, u64, usize, u64, u64) {
    let secs = EPOCH_UNIX_SECS + t / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil(days as i64);
    let jan1 = {
        // Days from 1970-01-01 to January 1st of year y.
        let mut z = days as i64;
        while civil(z).0 == y && z > 0 {
            z -= 32;
        }
        while civil(z).0 != y {
            z += 1;
        }
        z
    };
    let yday = (days as i64 - jan1 + 1).max(1) as u64;
    (
        y,
        m,
        d,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        (days % 7) as usize,
        secs,
        yday,
    )
}

/// `ls -l`'s date: `Jan  1 00:05`, or `Jan  1  2026` when older than six months.
fn ls_date(t: Millis, now: Millis) -> String {
    let (y, m, d, h, mi, ..) = fields(t);
    let month = MONTHS[(m as usize).saturating_sub(1) % 12];
    if now.saturating_sub(t) > 182 * 86_400_000 {
        format!("{month} {d:>2}  {y}")
    } else {
        format!("{month} {d:>2} {h:02}:{mi:02}")
    }
}

/// `date +FORMAT` for the common conversions.
fn strftime(f: &str, t: Millis) -> String {
    let (y, m, d, h, mi, s, wd, unix, yday) = fields(t);
    let month = MONTHS[(m as usize).saturating_sub(1) % 12];
    let day = DAYS[wd % 7];
    let mut out = String::new();
    let mut cs = f.chars();
    while let Some(c) = cs.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('Y') => out.push_str(&y.to_string()),
            Some('y') => out.push_str(&format!("{:02}", y % 100)),
            Some('m') => out.push_str(&format!("{m:02}")),
            Some('d') => out.push_str(&format!("{d:02}")),
            Some('e') => out.push_str(&format!("{d:>2}")),
            Some('H') => out.push_str(&format!("{h:02}")),
            Some('M') => out.push_str(&format!("{mi:02}")),
            Some('S') => out.push_str(&format!("{s:02}")),
            Some('s') => out.push_str(&unix.to_string()),
            Some('j') => out.push_str(&format!("{yday:03}")),
            Some('F') => out.push_str(&format!("{y:04}-{m:02}-{d:02}")),
            Some('T') => out.push_str(&format!("{h:02}:{mi:02}:{s:02}")),
            Some('D') => out.push_str(&format!("{m:02}/{d:02}/{:02}", y % 100)),
            Some('R') => out.push_str(&format!("{h:02}:{mi:02}")),
            Some('a') => out.push_str(day),
            Some('b') | Some('h') => out.push_str(month),
            Some('Z') => out.push_str("UTC"),
            Some('z') => out.push_str("+0000"),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// grep's patterns: literal characters, `.`, `*` after an atom, `[…]` classes, `^` and `$`
/// anchors, `\` escapes. Matched by a Thompson NFA: time linear in line × pattern, no
/// backtracking.
/// Split a pattern at its top-level alternation bars (not inside `[...]`).
fn split_alternatives(pattern: &str, extended: bool) -> Vec<String> {
    let cs: Vec<char> = pattern.chars().collect();
    let mut out = vec![String::new()];
    let mut i = 0;
    let mut in_class = false;
    while i < cs.len() {
        let c = cs[i];
        if in_class {
            if c == ']' {
                in_class = false;
            }
            if let Some(last) = out.last_mut() {
                last.push(c);
            }
            i += 1;
            continue;
        }
        let bar = if extended {
            c == '|'
        } else {
            c == '\\' && cs.get(i + 1) == Some(&'|')
        };
        if bar {
            out.push(String::new());
            i += if extended { 1 } else { 2 };
            continue;
        }
        if let Some(last) = out.last_mut() {
            if c == '\\' {
                last.push(c);
                if let Some(n) = cs.get(i + 1) {
                    last.push(*n);
                }
                i += 2;
                continue;
            }
            if c == '[' {
                in_class = true;
                last.push(c);
                // `[]...]` and `[^]...]`: a leading `]` is a member.
                if cs.get(i + 1) == Some(&'^') {
                    last.push('^');
                    i += 1;
                }
                if cs.get(i + 1) == Some(&']') {
                    last.push(']');
                    i += 1;
                }
                i += 1;
                continue;
            }
            last.push(c);
        }
        i += 1;
    }
    out
}

struct Regex {
    atoms: Vec<(Atom, bool)>,
    start: bool,
    end: bool,
    icase: bool,
}

enum Atom {
    Char(char),
    Any,
    Class(Vec<(char, char)>, bool),
}

impl Atom {
    fn matches(&self, c: char) -> bool {
        match self {
            Atom::Char(x) => *x == c,
            Atom::Any => true,
            Atom::Class(ranges, neg) => ranges.iter().any(|(a, b)| *a <= c && c <= *b) != *neg,
        }
    }
}

impl Regex {
    fn new(pattern: &str, icase: bool, fixed: bool) -> Regex {
        let p: String = if icase {
            pattern.to_lowercase()
        } else {
            pattern.to_string()
        };
        let cs: Vec<char> = p.chars().collect();
        let mut atoms: Vec<(Atom, bool)> = Vec::new();
        if fixed {
            return Regex {
                atoms: cs.into_iter().map(|c| (Atom::Char(c), false)).collect(),
                start: false,
                end: false,
                icase,
            };
        }
        let mut i = 0;
        let start = cs.first() == Some(&'^');
        if start {
            i = 1;
        }
        let mut end = false;
        while i < cs.len() {
            let c = cs[i];
            i += 1;
            let atom = match c {
                '$' if i == cs.len() => {
                    end = true;
                    continue;
                }
                '.' => Atom::Any,
                '*' if !atoms.is_empty() => {
                    if let Some(last) = atoms.last_mut() {
                        last.1 = true;
                    }
                    continue;
                }
                '\\' => match cs.get(i) {
                    Some(&n) => {
                        i += 1;
                        Atom::Char(n)
                    }
                    None => Atom::Char('\\'),
                },
                '[' => {
                    let mut neg = false;
                    if cs.get(i) == Some(&'^') {
                        neg = true;
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    while i < cs.len() && (cs[i] != ']' || first) {
                        let a = cs[i];
                        if cs.get(i + 1) == Some(&'-') && cs.get(i + 2).is_some_and(|b| *b != ']') {
                            ranges.push((a, cs[i + 2]));
                            i += 3;
                        } else {
                            ranges.push((a, a));
                            i += 1;
                        }
                        first = false;
                    }
                    i += 1;
                    Atom::Class(ranges, neg)
                }
                other => Atom::Char(other),
            };
            atoms.push((atom, false));
        }
        Regex {
            atoms,
            start,
            end,
            icase,
        }
    }

    fn closure(&self, set: &mut [bool], mut i: usize) {
        loop {
            if i > self.atoms.len() || set[i] {
                return;
            }
            set[i] = true;
            if i < self.atoms.len() && self.atoms[i].1 {
                i += 1;
            } else {
                return;
            }
        }
    }

    fn is_match(&self, line: &str) -> bool {
        let line = if self.icase {
            line.to_lowercase()
        } else {
            line.to_string()
        };
        let m = self.atoms.len();
        let mut cur = vec![false; m + 1];
        self.closure(&mut cur, 0);
        if cur[m] && !self.end {
            return true;
        }
        for c in line.chars() {
            let mut next = vec![false; m + 1];
            for (i, _) in cur.iter().enumerate().take(m).filter(|(_, on)| **on) {
                if self.atoms[i].0.matches(c) {
                    if self.atoms[i].1 {
                        self.closure(&mut next, i);
                    } else {
                        self.closure(&mut next, i + 1);
                    }
                }
            }
            if !self.start {
                self.closure(&mut next, 0);
            }
            cur = next;
            if cur[m] && !self.end {
                return true;
            }
        }
        cur[m]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fs::{Layer, Overlay, Tree, LAYER_LIMIT};

    fn facts(family: Family) -> Facts {
        Facts {
            family,
            hostname: "web".into(),
            ip: "10.244.1.2".into(),
            kernel: "6.8.0-45-generic".into(),
            now: 300_000,
            main_command: "sleep 3600".into(),
            exec_command: "sh".into(),
            image: match family {
                Family::Busybox => "busybox:1.36",
                Family::Alpine => "alpine:3.20",
                Family::Debian => "nginx:1.25",
                Family::NoShell => "registry.k8s.io/pause:3.9",
            }
            .into(),
            tty: false,
        }
    }

    fn image(family: Family) -> Tree {
        let mut t = Tree::default();
        let progs: &[&str] = &[
            "sh", "bash", "cat", "ls", "rm", "mkdir", "touch", "env", "printenv", "hostname",
            "date", "echo", "wc", "head", "tail", "grep", "sleep", "id", "uname", "sed", "ps",
            "wget", "test", "[", "true", "false",
        ];
        for p in progs {
            if *p == "bash" && family != Family::Debian {
                continue;
            }
            t.add(&format!("/bin/{p}"), Node::program(1000));
        }
        t.add("/etc/hostname", Node::text("web\n", 0));
        t.add("/tmp", Node::dir(0));
        t
    }

    /// Run `sh -c SCRIPT` in a fresh container of `family`; (output, exit code).
    fn run(family: Family, script: &str) -> (String, i32) {
        let lower = image(family);
        let mut layer = Layer::default();
        run_in(&lower, &mut layer, family, &["sh", "-c", script])
    }

    fn run_in(lower: &Tree, layer: &mut Layer, family: Family, argv: &[&str]) -> (String, i32) {
        let f = facts(family);
        let mut fs = Fs::new(
            Box::new(Overlay {
                lower,
                layer,
                limit: LAYER_LIMIT,
            }),
            f.now,
        );
        let env = vec![
            ("PATH".to_string(), "/usr/bin:/bin".to_string()),
            ("HOSTNAME".to_string(), "web".to_string()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let argv: Vec<String> = argv.iter().map(|s| s.to_string()).collect();
        let sh = Sh::new(&mut fs, &f, &env, "/", None);
        let o = sh.exec(&argv);
        (o.output, o.code)
    }

    #[test]
    fn parses_lists_quotes_and_redirections() {
        let l = parse("echo 'a b' \"c $X\" && false || true; x=1 y > f 2>&1").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].1.len(), 2);
        let Cmd::Simple {
            assigns, redirs, ..
        } = &l[1].0.cmds[0]
        else {
            panic!("simple")
        };
        assert_eq!(assigns[0].0, "x");
        assert_eq!(redirs.len(), 2);
        assert_eq!(parse("echo 'oops"), Err(SynErr::Unterminated('\'')));
        assert_eq!(parse("&& x"), Err(SynErr::Unexpected("&&".into())));
        assert!(matches!(
            parse("if true; then x; fi"),
            Err(SynErr::Unsupported(_))
        ));
        assert!(matches!(parse("echo ${x!}"), Err(SynErr::BadSubst(_))));
        // Deep nesting is refused, not a stack overflow.
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(parse(&deep), Err(SynErr::TooDeep));
    }

    #[test]
    fn echo_variables_and_status() {
        let b = Family::Busybox;
        assert_eq!(run(b, "echo hello world").0, "hello world\n");
        assert_eq!(run(b, "echo -n hi").0, "hi");
        assert_eq!(
            run(b, "X=1; echo \"$X ${X} ${Y:-dflt}\" '$X'").0,
            "1 1 dflt $X\n"
        );
        assert_eq!(run(b, "false; echo $?").0, "1\n");
        assert_eq!(run(b, "true && echo yes || echo no").0, "yes\n");
        assert_eq!(run(b, "false && echo yes || echo no").0, "no\n");
        assert_eq!(run(b, "echo $HOSTNAME $(hostname)").0, "web web\n");
        assert_eq!(run(b, "exit 3").1, 3);
        assert_eq!(run(b, "echo héllo 日本").0, "héllo 日本\n");
        assert_eq!(run(b, "echo a | wc -l").0, "1\n");
    }

    #[test]
    fn files_written_and_read_back() {
        let b = Family::Busybox;
        let lower = image(b);
        let mut layer = Layer::default();
        let (o, c) = run_in(
            &lower,
            &mut layer,
            b,
            &[
                "sh",
                "-c",
                "echo one > /tmp/f; echo two >> /tmp/f; cat /tmp/f",
            ],
        );
        assert_eq!((o.as_str(), c), ("one\ntwo\n", 0));
        // The same container sees its writes on the next exec.
        assert_eq!(
            run_in(&lower, &mut layer, b, &["cat", "/tmp/f"]).0,
            "one\ntwo\n"
        );
        assert_eq!(run_in(&lower, &mut layer, b, &["ls", "/tmp"]).0, "f\n");
        assert_eq!(
            run_in(
                &lower,
                &mut layer,
                b,
                &["sh", "-c", "rm /tmp/f && cat /tmp/f"]
            )
            .0,
            "cat: can't open '/tmp/f': No such file or directory\n"
        );
        assert_eq!(run(b, "cat /tmp").0, "cat: read error: Is a directory\n");
        assert_eq!(
            run(Family::Debian, "cat /tmp").0,
            "cat: /tmp: Is a directory\n"
        );
        assert_eq!(
            run(b, "echo x > /nope/f").0,
            "sh: can't create /nope/f: nonexistent directory\n"
        );
        assert_eq!(
            run(b, "cd /tmp && mkdir -p a/b && cd a/../a/b && pwd").0,
            "/tmp/a/b\n"
        );
        assert_eq!(
            run(b, "touch /tmp/x /tmp/y; ls /tmp/*").0,
            "/tmp/x\n/tmp/y\n"
        );
    }

    #[test]
    fn unknown_programs_answer_as_the_shell_does() {
        assert_eq!(run(Family::Busybox, "foo").0, "sh: foo: not found\n");
        assert_eq!(run(Family::Busybox, "foo").1, 127);
        assert_eq!(run(Family::Debian, "foo").0, "sh: 1: foo: not found\n");
        let lower = image(Family::Debian);
        let mut layer = Layer::default();
        assert_eq!(
            run_in(&lower, &mut layer, Family::Debian, &["bash", "-c", "foo"]),
            ("bash: line 1: foo: command not found\n".to_string(), 127)
        );
        // With no network given, DNS does not answer.
        assert_eq!(
            run(Family::Busybox, "wget http://x"),
            ("wget: bad address 'x'\n".to_string(), 1)
        );
        assert!(run(Family::Busybox, "sed s/a/b/")
            .0
            .contains("does not simulate"));
        assert_eq!(
            run(Family::Busybox, "echo 'a").0,
            "sh: syntax error: unterminated quoted string\n"
        );
    }

    #[test]
    fn grep_head_tail_test() {
        let b = Family::Busybox;
        let s = "printf 'alpha\\nbeta\\ngamma\\n' > /tmp/g; ";
        assert_eq!(run(b, &format!("{s}grep -n a.p /tmp/g")).0, "1:alpha\n");
        assert_eq!(run(b, &format!("{s}grep '^g' /tmp/g")).0, "gamma\n");
        assert_eq!(run(b, &format!("{s}grep -c a /tmp/g")).0, "3\n");
        assert_eq!(run(b, &format!("{s}grep -q zzz /tmp/g; echo $?")).0, "1\n");
        assert_eq!(run(b, &format!("{s}head -n 1 /tmp/g")).0, "alpha\n");
        assert_eq!(run(b, &format!("{s}tail -n 2 /tmp/g")).0, "beta\ngamma\n");
        assert_eq!(
            run(b, "[ -d /tmp ] && [ ! -f /tmp ] && test a = a && echo ok").0,
            "ok\n"
        );
        assert_eq!(
            run(b, "[ -z \"\" ] && [ -n x ] && [ 2 -lt 10 ] && echo ok").0,
            "ok\n"
        );
        assert!(Regex::new("a*b", false, false).is_match("xaaab"));
        assert!(!Regex::new("^b$", false, false).is_match("ab"));
        assert!(Regex::new("[0-9][0-9]*", false, false).is_match("v12"));
        assert_eq!(split_alternatives("a|[|]b|c", true), ["a", "[|]b", "c"]);
        assert_eq!(split_alternatives("a\\|b", false), ["a", "b"]);
        assert_eq!(split_alternatives("a|b", false), ["a|b"]);
    }

    #[test]
    fn huge_output_and_writes_are_bounded() {
        let b = Family::Busybox;
        // Fill the layer: writes beyond 1 MiB fail with ENOSPC.
        let lower = image(b);
        let mut layer = Layer::default();
        let big = "x".repeat(600_000);
        let (o, _) = run_in(
            &lower,
            &mut layer,
            b,
            &[
                "sh",
                "-c",
                &format!("echo {big} > /tmp/a; echo {big} > /tmp/b"),
            ],
        );
        assert!(o.contains("No space left on device"), "{o}");
        // Output is capped, and reading is budgeted.
        let (o, _) = run_in(
            &lower,
            &mut layer,
            b,
            &["sh", "-c", &format!("cat {}", "/tmp/a ".repeat(200))],
        );
        assert!(o.len() <= OUTPUT_LIMIT + 200, "{}", o.len());
        let (o, c) = run(b, &"echo hi; ".repeat(30_000));
        assert!(
            o.ends_with("commands\n") || o.contains("KiB"),
            "{}",
            &o[o.len() - 80..]
        );
        assert_eq!(c, 2);
        // Nested shells and command substitutions stop at a depth.
        let script = format!("{}echo deep{}", "echo $(".repeat(40), ")".repeat(40));
        let (o, _) = run(b, &script);
        assert!(o.contains("nested levels"), "{o}");
        let mut script = "echo deep".to_string();
        for _ in 0..6 {
            script = format!("sh -c '{}'", script.replace('\'', "'\\''"));
        }
        assert_eq!(run(b, &script).0, "deep\n");
    }

    #[test]
    fn dates_from_the_virtual_clock() {
        assert_eq!(
            run(Family::Busybox, "date").0,
            "Thu Jan  1 00:05:00 UTC 2026\n"
        );
        assert_eq!(
            run(Family::Busybox, "date +%F_%T_%s").0,
            "2026-01-01_00:05:00_1767225900\n"
        );
        assert_eq!(ls_date(0, 300_000), "Jan  1 00:00");
        assert!(wildcard("*.txt", "a.txt"));
        assert!(!wildcard("a?c", "abbc"));
    }

    /// One Service, `web` at 10.96.0.12:80, that echoes what it was sent.
    struct OneService;

    impl Network for OneService {
        fn lookup(
            &mut self,
            name: &str,
        ) -> Result<crate::sim::network::Lookup, crate::sim::network::LookupError> {
            let fqdn = match name.trim_end_matches('.') {
                "web" | "web.default.svc.cluster.local" => "web.default.svc.cluster.local",
                other => {
                    return Err(crate::sim::network::LookupError::NxDomain {
                        name: other.to_string(),
                        tried: Vec::new(),
                    })
                }
            };
            Ok(crate::sim::network::Lookup {
                server: "10.96.0.10".into(),
                name: fqdn.into(),
                addresses: vec!["10.96.0.12".into()],
                ..Default::default()
            })
        }
        fn http(
            &mut self,
            r: &crate::sim::network::HttpRequest,
        ) -> Result<crate::sim::network::HttpResponse, crate::sim::network::ConnectError> {
            if r.ip != "10.96.0.12" || r.port != 80 {
                return Err(crate::sim::network::ConnectError::Refused);
            }
            Ok(crate::sim::network::HttpResponse {
                version: "HTTP/1.1".into(),
                status: 200,
                reason: "OK".into(),
                headers: vec![("Content-Type".into(), "text/plain".into())],
                body: format!("{} {} {}\n", r.method, r.path, r.body),
            })
        }
        fn tcp_connect(
            &mut self,
            ip: &str,
            port: u16,
        ) -> Result<(), crate::sim::network::ConnectError> {
            if ip == "10.96.0.12" && port == 80 {
                Ok(())
            } else {
                Err(crate::sim::network::ConnectError::Refused)
            }
        }
    }

    /// `sh -c SCRIPT` in a container of `family` with curl (Debian) or the BusyBox network
    /// applets, on `net`.
    fn run_net(
        family: Family,
        script: &str,
        net: Option<&mut dyn Network>,
    ) -> (String, i32, Layer) {
        let mut lower = image(family);
        for p in ["curl", "nslookup", "nc"] {
            let has = match family {
                Family::Debian => p == "curl",
                _ => p != "curl",
            };
            if has {
                lower.add(&format!("/bin/{p}"), Node::program(1000));
            }
        }
        lower.add(
            "/etc/resolv.conf",
            Node::text("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n", 0),
        );
        let mut layer = Layer::default();
        let f = facts(family);
        let out = {
            let mut fs = Fs::new(
                Box::new(Overlay {
                    lower: &lower,
                    layer: &mut layer,
                    limit: LAYER_LIMIT,
                }),
                f.now,
            );
            let env = vec![("PATH".to_string(), "/usr/bin:/bin".to_string())];
            let mut sh = Sh::new(&mut fs, &f, &env, "/", None);
            if let Some(n) = net {
                sh = sh.with_network(n);
            }
            sh.exec(&["sh".to_string(), "-c".to_string(), script.to_string()])
        };
        (out.output, out.code, layer)
    }

    #[test]
    fn network_tools_run_in_the_shell() {
        let (out, code, _) = run_net(
            Family::Debian,
            "curl -s http://web/ > /tmp/x; cat /tmp/x; echo a=1 | curl -s -d @- http://web/form",
            Some(&mut OneService),
        );
        assert_eq!((out.as_str(), code), ("GET / \nPOST /form a=1\n", 0));
        let (out, code, _) = run_net(
            Family::Debian,
            "curl -s -o /tmp/page http://web/ && cat /tmp/page && curl -sS http://nope/; echo \"exit $?\"",
            Some(&mut OneService),
        );
        assert_eq!(
            (out.as_str(), code),
            (
                "GET / \ncurl: (6) Could not resolve host: nope\nexit 6\n",
                0
            )
        );
        // BusyBox: wget saves into the cwd, nslookup reads /etc/resolv.conf, curl is not there.
        let (out, code, _) = run_net(
            Family::Busybox,
            "wget -q http://web/hi.txt && cat hi.txt; wget -qO- http://web/; nc -z web 80 && echo open; curl http://web/",
            Some(&mut OneService),
        );
        assert_eq!(
            (out.as_str(), code),
            ("GET /hi.txt \nGET / \nopen\nsh: curl: not found\n", 127)
        );
        let (out, _, _) = run_net(
            Family::Busybox,
            "nslookup web | head -4",
            Some(&mut OneService),
        );
        assert_eq!(out, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\n");
        // Without a network (the default): DNS never answers.
        let (out, code, _) = run_net(Family::Debian, "curl -sS http://web/", None);
        assert_eq!(
            (out.as_str(), code),
            ("curl: (6) Could not resolve host: web\n", 6)
        );
        let (out, code, _) = run_net(Family::Busybox, "nslookup web", None);
        assert_eq!(
            (out.as_str(), code),
            (
                ";; connection timed out; no servers could be reached\n\n",
                1
            )
        );
    }
}
