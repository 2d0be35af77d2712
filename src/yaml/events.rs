//! libyaml's events for one document, with their marks: what serde_yaml's `Loader` builds
//! (serde_yaml 0.9.34, `loader.rs` and `libyaml/parser.rs`), through the same parser
//! (`unsafe-libyaml`, already linked for serde_yaml). This file is the only `unsafe` code of
//! the crate: the parser is a C library translated to Rust, driven through its C API.

use super::error::{Error, ErrorImpl, LibyamlError, Mark};
use std::collections::BTreeMap;
use std::ffi::CStr;
use std::mem::MaybeUninit;

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub(crate) enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug)]
pub(crate) struct Scalar {
    pub tag: Option<Box<[u8]>>,
    pub value: Box<[u8]>,
    pub style: ScalarStyle,
}

#[derive(Debug)]
pub(crate) enum Event {
    /// An alias, by the id of its anchor (see [`Document::aliases`]).
    Alias(usize),
    Scalar(Scalar),
    SequenceStart(Option<Box<[u8]>>),
    SequenceEnd,
    MappingStart(Option<Box<[u8]>>),
    MappingEnd,
    /// An empty document.
    Void,
}

/// One document's events, as serde_yaml's `loader::Document`.
pub(crate) struct Document {
    pub events: Vec<(Event, Mark)>,
    pub error: Option<Error>,
    /// Anchor id → index of the anchored event.
    pub aliases: BTreeMap<usize, usize>,
    /// Whether the text holds another document after this one.
    pub more: bool,
}

enum Raw {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(Box<[u8]>),
    Scalar(Option<Box<[u8]>>, Scalar),
    SequenceStart(Option<Box<[u8]>>, Option<Box<[u8]>>),
    SequenceEnd,
    MappingStart(Option<Box<[u8]>>, Option<Box<[u8]>>),
    MappingEnd,
}

/// The parser, boxed so that it never moves (libyaml keeps pointers into it), deleted on drop.
struct Parser {
    sys: Box<MaybeUninit<unsafe_libyaml::yaml_parser_t>>,
}

impl Parser {
    /// `None` when libyaml cannot allocate its buffers.
    fn new(input: &str) -> Option<Parser> {
        let mut sys = Box::new(MaybeUninit::<unsafe_libyaml::yaml_parser_t>::uninit());
        // SAFETY: `yaml_parser_initialize` initialises the struct it is given; the input
        // outlives the parser (both live only inside `load`).
        unsafe {
            let parser = sys.as_mut_ptr();
            if unsafe_libyaml::yaml_parser_initialize(parser).fail {
                return None;
            }
            unsafe_libyaml::yaml_parser_set_encoding(parser, unsafe_libyaml::YAML_UTF8_ENCODING);
            unsafe_libyaml::yaml_parser_set_input_string(
                parser,
                input.as_ptr(),
                input.len() as u64,
            );
        }
        Some(Parser { sys })
    }

    fn next(&mut self) -> Result<(Raw, Mark), Error> {
        let mut event = MaybeUninit::<unsafe_libyaml::yaml_event_t>::uninit();
        // SAFETY: the parser is initialised (`new`); an event that `yaml_parser_parse`
        // filled is read, then deleted once.
        unsafe {
            let parser = self.sys.as_mut_ptr();
            if (&*parser).error != unsafe_libyaml::YAML_NO_ERROR
                || unsafe_libyaml::yaml_parser_parse(parser, event.as_mut_ptr()).fail
            {
                return Err(parse_error(parser));
            }
            let event = event.as_mut_ptr();
            let raw = convert(&*event);
            let mark = mark_of((*event).start_mark);
            unsafe_libyaml::yaml_event_delete(event);
            Ok((raw, mark))
        }
    }
}

impl Drop for Parser {
    fn drop(&mut self) {
        // SAFETY: initialised in `new` (a `Parser` exists only then).
        unsafe { unsafe_libyaml::yaml_parser_delete(self.sys.as_mut_ptr()) }
    }
}

fn mark_of(m: unsafe_libyaml::yaml_mark_t) -> Mark {
    Mark {
        index: m.index,
        line: m.line,
        column: m.column,
    }
}

unsafe fn c_bytes(ptr: *const u8) -> Option<Box<[u8]>> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: libyaml's strings are NUL-terminated.
    Some(Box::from(unsafe { CStr::from_ptr(ptr.cast()) }.to_bytes()))
}

unsafe fn parse_error(parser: *const unsafe_libyaml::yaml_parser_t) -> Error {
    // SAFETY: reading the error fields of an initialised parser.
    unsafe {
        let parser = &*parser;
        let text = |p: *const std::ffi::c_char| {
            (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
        };
        Error::new(ErrorImpl::Libyaml(LibyamlError {
            problem: text(parser.problem)
                .unwrap_or_else(|| "libyaml parser failed but there is no error".into()),
            problem_offset: parser.problem_offset,
            problem_mark: mark_of(parser.problem_mark),
            context: text(parser.context),
            context_mark: mark_of(parser.context_mark),
        }))
    }
}

unsafe fn convert(e: &unsafe_libyaml::yaml_event_t) -> Raw {
    // SAFETY: each arm reads the union member its event type selects.
    unsafe {
        match e.type_ {
            unsafe_libyaml::YAML_STREAM_START_EVENT => Raw::StreamStart,
            unsafe_libyaml::YAML_STREAM_END_EVENT => Raw::StreamEnd,
            unsafe_libyaml::YAML_DOCUMENT_START_EVENT => Raw::DocumentStart,
            unsafe_libyaml::YAML_DOCUMENT_END_EVENT => Raw::DocumentEnd,
            unsafe_libyaml::YAML_ALIAS_EVENT => {
                Raw::Alias(c_bytes(e.data.alias.anchor).unwrap_or_default())
            }
            unsafe_libyaml::YAML_SCALAR_EVENT => {
                let s = &e.data.scalar;
                let value: Box<[u8]> = if s.value.is_null() {
                    Box::default()
                } else {
                    Box::from(std::slice::from_raw_parts(s.value, s.length as usize))
                };
                Raw::Scalar(
                    c_bytes(s.anchor),
                    Scalar {
                        tag: c_bytes(s.tag),
                        value,
                        style: match s.style {
                            unsafe_libyaml::YAML_SINGLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::SingleQuoted
                            }
                            unsafe_libyaml::YAML_DOUBLE_QUOTED_SCALAR_STYLE => {
                                ScalarStyle::DoubleQuoted
                            }
                            unsafe_libyaml::YAML_LITERAL_SCALAR_STYLE => ScalarStyle::Literal,
                            unsafe_libyaml::YAML_FOLDED_SCALAR_STYLE => ScalarStyle::Folded,
                            _ => ScalarStyle::Plain,
                        },
                    },
                )
            }
            unsafe_libyaml::YAML_SEQUENCE_START_EVENT => Raw::SequenceStart(
                c_bytes(e.data.sequence_start.anchor),
                c_bytes(e.data.sequence_start.tag),
            ),
            unsafe_libyaml::YAML_SEQUENCE_END_EVENT => Raw::SequenceEnd,
            unsafe_libyaml::YAML_MAPPING_START_EVENT => Raw::MappingStart(
                c_bytes(e.data.mapping_start.anchor),
                c_bytes(e.data.mapping_start.tag),
            ),
            unsafe_libyaml::YAML_MAPPING_END_EVENT => Raw::MappingEnd,
            // YAML_NO_EVENT: the parser gives it only after the stream's end.
            _ => Raw::StreamEnd,
        }
    }
}

/// The first document of `input`, as serde_yaml's `Loader::next_document` gives it, and
/// whether another one follows.
pub(crate) fn load(input: &str) -> Document {
    let mut document = Document {
        events: Vec::new(),
        error: None,
        aliases: BTreeMap::new(),
        more: false,
    };
    let Some(mut parser) = Parser::new(input) else {
        document.error = Some(Error::new(ErrorImpl::Message("malloc error".into(), None)));
        return document;
    };
    let mut anchors: BTreeMap<Box<[u8]>, usize> = BTreeMap::new();
    let anchor = |anchor: Option<Box<[u8]>>,
                  anchors: &mut BTreeMap<Box<[u8]>, usize>,
                  document: &mut Document| {
        if let Some(a) = anchor {
            let id = anchors.len();
            anchors.insert(a, id);
            document.aliases.insert(id, document.events.len());
        }
    };
    loop {
        let (raw, mark) = match parser.next() {
            Ok(x) => x,
            Err(err) => {
                document.error = Some(err);
                return document;
            }
        };
        let event = match raw {
            Raw::StreamStart | Raw::DocumentStart => continue,
            Raw::StreamEnd => {
                if document.events.is_empty() {
                    document.events.push((Event::Void, mark));
                }
                return document;
            }
            Raw::DocumentEnd => break,
            Raw::Alias(name) => match anchors.get(&name) {
                Some(id) => Event::Alias(*id),
                None => {
                    document.error = Some(Error::new(ErrorImpl::UnknownAnchor(mark)));
                    return document;
                }
            },
            Raw::Scalar(a, scalar) => {
                anchor(a, &mut anchors, &mut document);
                Event::Scalar(scalar)
            }
            Raw::SequenceStart(a, tag) => {
                anchor(a, &mut anchors, &mut document);
                Event::SequenceStart(tag)
            }
            Raw::SequenceEnd => Event::SequenceEnd,
            Raw::MappingStart(a, tag) => {
                anchor(a, &mut anchors, &mut document);
                Event::MappingStart(tag)
            }
            Raw::MappingEnd => Event::MappingEnd,
        };
        document.events.push((event, mark));
    }
    // serde_yaml's second `next_document`: another document (or an error on the way to one)
    // makes the text "more than one document".
    document.more = !matches!(parser.next(), Ok((Raw::StreamEnd, _)));
    document
}
