//! The errors of [`super::from_str`], worded and placed as serde_yaml 0.9.34's (`error.rs`,
//! `libyaml/error.rs`): the manifests' messages, the editor's squiggles and the transcripts
//! read them.

use std::fmt::{self, Display};

/// A place in the text: libyaml's mark (0-based line and column, byte index).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub index: u64,
    pub line: u64,
    pub column: u64,
}

impl Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.line != 0 || self.column != 0 {
            write!(f, "line {} column {}", self.line + 1, self.column + 1)
        } else {
            write!(f, "position {}", self.index)
        }
    }
}

/// 1-based line and column, as `serde_yaml::Location`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Location {
    pub fn line(&self) -> usize {
        self.line
    }
    pub fn column(&self) -> usize {
        self.column
    }
}

#[derive(Debug, Clone)]
pub(crate) struct LibyamlError {
    pub problem: String,
    pub problem_offset: u64,
    pub problem_mark: Mark,
    pub context: Option<String>,
    pub context_mark: Mark,
}

impl Display for LibyamlError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let at = |m: &Mark| m.line != 0 || m.column != 0;
        f.write_str(&self.problem)?;
        if at(&self.problem_mark) {
            write!(f, " at {}", self.problem_mark)?;
        } else if self.problem_offset != 0 {
            write!(f, " at position {}", self.problem_offset)?;
        }
        if let Some(context) = &self.context {
            write!(f, ", {context}")?;
            if at(&self.context_mark)
                && (self.context_mark.line != self.problem_mark.line
                    || self.context_mark.column != self.problem_mark.column)
            {
                write!(f, " at {}", self.context_mark)?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Pos {
    pub mark: Mark,
    pub path: String,
}

#[derive(Debug, Clone)]
pub(crate) enum ErrorImpl {
    Message(String, Option<Pos>),
    Libyaml(LibyamlError),
    EndOfStream,
    MoreThanOneDocument,
    RecursionLimitExceeded(Mark),
    RepetitionLimitExceeded,
    BytesUnsupported,
    UnknownAnchor(Mark),
    /// Another decoder's error, its text and place (tests compare decoders through it).
    #[cfg(test)]
    Carried(String, Option<Location>),
}

/// An error decoding YAML: its `Display` and [`Error::location`] are serde_yaml's.
#[derive(Debug, Clone)]
pub struct Error(pub(crate) Box<ErrorImpl>);

impl Error {
    pub(crate) fn new(inner: ErrorImpl) -> Error {
        Error(Box::new(inner))
    }

    fn mark(&self) -> Option<Mark> {
        match self.0.as_ref() {
            ErrorImpl::Message(_, Some(Pos { mark, .. }))
            | ErrorImpl::RecursionLimitExceeded(mark)
            | ErrorImpl::UnknownAnchor(mark) => Some(*mark),
            ErrorImpl::Libyaml(e) => Some(e.problem_mark),
            _ => None,
        }
    }

    #[cfg(test)]
    pub(crate) fn carried(text: String, at: Option<(usize, usize)>) -> Error {
        Error::new(ErrorImpl::Carried(
            text,
            at.map(|(line, column)| Location { line, column }),
        ))
    }

    /// Where the error is, when known.
    pub fn location(&self) -> Option<Location> {
        #[cfg(test)]
        if let ErrorImpl::Carried(_, at) = self.0.as_ref() {
            return *at;
        }
        self.mark().map(|m| Location {
            line: m.line as usize + 1,
            column: m.column as usize + 1,
        })
    }

    fn message_no_mark(&self, f: &mut fmt::Formatter) -> fmt::Result {
        let text = match self.0.as_ref() {
            ErrorImpl::Message(msg, None) => msg,
            ErrorImpl::Message(msg, Some(Pos { path, .. })) => {
                if path != "." {
                    write!(f, "{path}: ")?;
                }
                msg
            }
            ErrorImpl::Libyaml(_) => "",
            ErrorImpl::EndOfStream => "EOF while parsing a value",
            ErrorImpl::MoreThanOneDocument => {
                "deserializing from YAML containing more than one document is not supported"
            }
            ErrorImpl::RecursionLimitExceeded(_) => "recursion limit exceeded",
            ErrorImpl::RepetitionLimitExceeded => "repetition limit exceeded",
            ErrorImpl::BytesUnsupported => {
                "serialization and deserialization of bytes in YAML is not implemented"
            }
            ErrorImpl::UnknownAnchor(_) => "unknown anchor",
            #[cfg(test)]
            ErrorImpl::Carried(text, _) => text,
        };
        f.write_str(text)
    }
}

/// serde_yaml's `fix_mark`: a message without a place gets this one (the innermost wins).
#[inline(never)]
pub(crate) fn fix_mark(mut error: Error, mark: Mark, path: &dyn Display) -> Error {
    if let ErrorImpl::Message(_, none @ None) = error.0.as_mut() {
        *none = Some(Pos {
            mark,
            path: path.to_string(),
        });
    }
    error
}

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if let ErrorImpl::Libyaml(e) = self.0.as_ref() {
            return e.fmt(f);
        }
        self.message_no_mark(f)?;
        if let Some(mark) = self.mark() {
            if mark.line != 0 || mark.column != 0 {
                write!(f, " at {mark}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    #[cold]
    fn custom<T: Display>(msg: T) -> Self {
        Error::new(ErrorImpl::Message(msg.to_string(), None))
    }
}
