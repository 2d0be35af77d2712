//! serde_yaml 0.9.34's `DeserializerFromEvents` (`de.rs`), the same decisions in the same
//! order, rearranged for size: each `deserialize_*` is a short generic shell (take the event,
//! follow an alias, call the visitor, place the error) around non-generic cores (what the
//! event means, the error texts), so that the hundred derived visitors of the API types each
//! add a few hundred bytes instead of serde_yaml's several kilobytes.

use super::error::{fix_mark, Error, ErrorImpl, Mark};
use super::events::{Document, Event, Scalar, ScalarStyle};
use serde::de::value::StrDeserializer;
use serde::de::{self, Deserialize, DeserializeSeed, Expected, IgnoredAny, Unexpected, Visitor};
use std::fmt;
use std::num::ParseIntError;
use std::str;

type Result<T, E = Error> = std::result::Result<T, E>;

const NULL: &[u8] = b"tag:yaml.org,2002:null";
const BOOL: &[u8] = b"tag:yaml.org,2002:bool";
const INT: &[u8] = b"tag:yaml.org,2002:int";
const FLOAT: &[u8] = b"tag:yaml.org,2002:float";

/// serde_yaml's `Path`: where a value is, for error messages (`spec.containers[0]`).
#[derive(Copy, Clone)]
pub(crate) enum Path<'a> {
    Root,
    Seq { parent: &'a Path<'a>, index: usize },
    Map { parent: &'a Path<'a>, key: &'a str },
    Alias { parent: &'a Path<'a> },
    Unknown { parent: &'a Path<'a> },
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        struct Parent<'a>(&'a Path<'a>);
        impl fmt::Display for Parent<'_> {
            fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
                match self.0 {
                    Path::Root => Ok(()),
                    path => write!(f, "{path}."),
                }
            }
        }
        match self {
            Path::Root => f.write_str("."),
            Path::Seq { parent, index } => write!(f, "{parent}[{index}]"),
            Path::Map { parent, key } => write!(f, "{}{key}", Parent(parent)),
            Path::Alias { parent } => write!(f, "{parent}"),
            Path::Unknown { parent } => write!(f, "{}?", Parent(parent)),
        }
    }
}

#[derive(Copy, Clone)]
struct CurrentEnum<'d> {
    name: Option<&'static str>,
    tag: &'d str,
}

pub(crate) struct De<'d> {
    document: &'d Document,
    pos: &'d mut usize,
    jumpcount: &'d mut usize,
    path: Path<'d>,
    remaining_depth: u8,
    current_enum: Option<CurrentEnum<'d>>,
}

/// Where an event stream ends early or is not shaped as libyaml makes them (never, from
/// [`super::events::load`]): an error, not serde_yaml's panic.
fn broken() -> Error {
    Error::new(ErrorImpl::EndOfStream)
}

impl<'d> De<'d> {
    pub(crate) fn new(
        document: &'d Document,
        pos: &'d mut usize,
        jumpcount: &'d mut usize,
    ) -> Self {
        De {
            document,
            pos,
            jumpcount,
            path: Path::Root,
            remaining_depth: 128,
            current_enum: None,
        }
    }

    #[inline(never)]
    fn peek_event_mark(&self) -> Result<(&'d Event, Mark)> {
        match self.document.events.get(*self.pos) {
            Some((event, mark)) => Ok((event, *mark)),
            None => Err(match &self.document.error {
                Some(parse_error) => parse_error.clone(),
                None => Error::new(ErrorImpl::EndOfStream),
            }),
        }
    }

    fn peek_event(&self) -> Result<&'d Event> {
        self.peek_event_mark().map(|(event, _)| event)
    }

    #[inline(never)]
    fn next_event_mark(&mut self) -> Result<(&'d Event, Mark)> {
        let (event, mark) = self.peek_event_mark()?;
        *self.pos += 1;
        self.current_enum = None;
        Ok((event, mark))
    }

    /// The place for an error that has none yet.
    #[inline(never)]
    fn fix(&self, err: Error, mark: Mark) -> Error {
        fix_mark(err, mark, &self.path)
    }

    #[inline(never)]
    fn jump<'a>(&'a mut self, pos: &'a mut usize) -> Result<De<'a>> {
        *self.jumpcount += 1;
        if *self.jumpcount > self.document.events.len() * 100 {
            return Err(Error::new(ErrorImpl::RepetitionLimitExceeded));
        }
        match self.document.aliases.get(pos) {
            Some(found) => {
                *pos = *found;
                Ok(De {
                    document: self.document,
                    pos,
                    jumpcount: self.jumpcount,
                    path: Path::Alias { parent: &self.path },
                    remaining_depth: self.remaining_depth,
                    current_enum: None,
                })
            }
            None => Err(broken()),
        }
    }

    #[inline(never)]
    fn ignore_any(&mut self) -> Result<()> {
        let mut depth: Vec<bool> = Vec::new(); // true: a mapping
        loop {
            match self.next_event_mark()?.0 {
                Event::Alias(_) | Event::Scalar(_) | Event::Void => {}
                Event::SequenceStart(_) => depth.push(false),
                Event::MappingStart(_) => depth.push(true),
                Event::SequenceEnd => {
                    if depth.pop() != Some(false) {
                        return Err(broken());
                    }
                }
                Event::MappingEnd => {
                    if depth.pop() != Some(true) {
                        return Err(broken());
                    }
                }
            }
            if depth.is_empty() {
                return Ok(());
            }
        }
    }

    /// serde_yaml's `recursion_check`, entering: the depth to restore.
    #[inline(never)]
    fn enter(&mut self, mark: Mark) -> Result<u8> {
        let previous = self.remaining_depth;
        self.remaining_depth = match previous.checked_sub(1) {
            Some(depth) => depth,
            None => return Err(Error::new(ErrorImpl::RecursionLimitExceeded(mark))),
        };
        Ok(previous)
    }

    fn visit_sequence<'de, V: Visitor<'de>>(&mut self, visitor: V, mark: Mark) -> Result<V::Value> {
        let previous = self.enter(mark)?;
        let mut seq = SeqAccess {
            empty: false,
            de: self,
            len: 0,
        };
        let value = visitor.visit_seq(&mut seq);
        let len = seq.len;
        self.remaining_depth = previous;
        let value = value?;
        self.end_sequence(len)?;
        Ok(value)
    }

    fn visit_mapping<'de, V: Visitor<'de>>(&mut self, visitor: V, mark: Mark) -> Result<V::Value> {
        let previous = self.enter(mark)?;
        let mut map = MapAccess {
            empty: false,
            de: self,
            len: 0,
            key: None,
        };
        let value = visitor.visit_map(&mut map);
        let len = map.len;
        self.remaining_depth = previous;
        let value = value?;
        self.end_mapping(len)?;
        Ok(value)
    }

    #[inline(never)]
    fn end_sequence(&mut self, len: usize) -> Result<()> {
        let total = {
            let mut seq = SeqAccess {
                empty: false,
                de: self,
                len,
            };
            while de::SeqAccess::next_element::<IgnoredAny>(&mut seq)?.is_some() {}
            seq.len
        };
        match self.next_event_mark()?.0 {
            Event::SequenceEnd | Event::Void => {}
            _ => return Err(broken()),
        }
        if total == len {
            Ok(())
        } else {
            struct ExpectedSeq(usize);
            impl Expected for ExpectedSeq {
                fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                    if self.0 == 1 {
                        write!(formatter, "sequence of 1 element")
                    } else {
                        write!(formatter, "sequence of {} elements", self.0)
                    }
                }
            }
            Err(de::Error::invalid_length(total, &ExpectedSeq(len)))
        }
    }

    #[inline(never)]
    fn end_mapping(&mut self, len: usize) -> Result<()> {
        let total = {
            let mut map = MapAccess {
                empty: false,
                de: self,
                len,
                key: None,
            };
            while de::MapAccess::next_entry::<IgnoredAny, IgnoredAny>(&mut map)?.is_some() {}
            map.len
        };
        match self.next_event_mark()?.0 {
            Event::MappingEnd | Event::Void => {}
            _ => return Err(broken()),
        }
        if total == len {
            Ok(())
        } else {
            struct ExpectedMap(usize);
            impl Expected for ExpectedMap {
                fn fmt(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                    if self.0 == 1 {
                        write!(formatter, "map containing 1 entry")
                    } else {
                        write!(formatter, "map containing {} entries", self.0)
                    }
                }
            }
            Err(de::Error::invalid_length(total, &ExpectedMap(len)))
        }
    }

    /// A collection starts (`Some`: the depth to restore; serde_yaml's `recursion_check`), or
    /// an empty value stands for one (`None`), or the event is of the wrong type.
    #[inline(never)]
    fn open(
        &mut self,
        next: &Event,
        mark: Mark,
        start: bool,
        exp: &dyn Expected,
    ) -> Result<Option<u8>> {
        match collection(next, start, exp)? {
            Collection::Start => self.enter(mark).map(Some),
            Collection::Empty => Ok(None),
        }
    }

    /// After the visitor: the depth restored and the rest of the collection checked
    /// (serde_yaml's `end_mapping` / `end_sequence`), for a collection that started.
    fn close<T>(
        &mut self,
        value: Result<T>,
        depth: Option<u8>,
        len: usize,
        map: bool,
    ) -> Result<T> {
        let Some(previous) = depth else {
            return value;
        };
        self.remaining_depth = previous;
        let value = value?;
        self.end(len, map)?;
        Ok(value)
    }

    #[inline(never)]
    fn end(&mut self, len: usize, map: bool) -> Result<()> {
        if map {
            self.end_mapping(len)
        } else {
            self.end_sequence(len)
        }
    }

    /// A deserializer for the next element of a sequence (serde_yaml's `element_de`).
    fn element(&mut self, index: usize) -> De<'_> {
        De {
            document: self.document,
            pos: self.pos,
            jumpcount: self.jumpcount,
            path: Path::Seq {
                parent: &self.path,
                index,
            },
            remaining_depth: self.remaining_depth,
            current_enum: None,
        }
    }

    /// A deserializer for a mapping's value under `key` (serde_yaml's `value_de`).
    fn value(&mut self, key: Option<&'d [u8]>) -> De<'_> {
        De {
            document: self.document,
            pos: self.pos,
            jumpcount: self.jumpcount,
            path: match key.and_then(|key| str::from_utf8(key).ok()) {
                Some(key) => Path::Map {
                    parent: &self.path,
                    key,
                },
                None => Path::Unknown { parent: &self.path },
            },
            remaining_depth: self.remaining_depth,
            current_enum: None,
        }
    }
}

/// What the event is when a collection is expected: serde_yaml's `deserialize_seq` and
/// `deserialize_map` take `~`-less empty plain scalars and empty documents as empty ones.
enum Collection {
    Start,
    Empty,
}

#[inline(never)]
fn collection(next: &Event, is_start: bool, exp: &dyn Expected) -> Result<Collection> {
    if is_start {
        return Ok(Collection::Start);
    }
    let empty = match next {
        Event::Void => true,
        Event::Scalar(scalar) => scalar.value.is_empty() && scalar.style == ScalarStyle::Plain,
        _ => false,
    };
    if empty {
        Ok(Collection::Empty)
    } else {
        Err(invalid_type(next, exp))
    }
}

/// The scalar as an integer of the kind `parse` reads, or serde_yaml's invalid-type error.
#[inline(never)]
fn number<T>(
    next: &Event,
    tag: &[u8],
    tagged_already: bool,
    parse: &dyn Fn(&str) -> Option<T>,
    exp: &dyn Expected,
) -> Result<T> {
    if let Event::Scalar(scalar) = next {
        if is_plain_or_tagged_literal_scalar(tag, scalar, tagged_already) {
            if let Ok(value) = str::from_utf8(&scalar.value) {
                if let Some(n) = parse(value) {
                    return Ok(n);
                }
            }
        }
    }
    Err(invalid_type(next, exp))
}

#[inline(never)]
fn string<'d>(next: &'d Event, exp: &dyn Expected) -> Result<&'d str> {
    if let Event::Scalar(scalar) = next {
        if let Ok(v) = str::from_utf8(&scalar.value) {
            return Ok(v);
        }
    }
    Err(invalid_type(next, exp))
}

struct SeqAccess<'a, 'd> {
    empty: bool,
    de: &'a mut De<'d>,
    len: usize,
}

impl SeqAccess<'_, '_> {
    #[inline(never)]
    fn more(&mut self) -> Result<bool> {
        if self.empty {
            return Ok(false);
        }
        Ok(!matches!(
            self.de.peek_event()?,
            Event::SequenceEnd | Event::Void
        ))
    }
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if !self.more()? {
            return Ok(None);
        }
        let index = self.len;
        self.len += 1;
        seed.deserialize(&mut self.de.element(index)).map(Some)
    }
}

struct MapAccess<'a, 'd> {
    empty: bool,
    de: &'a mut De<'d>,
    len: usize,
    key: Option<&'d [u8]>,
}

impl MapAccess<'_, '_> {
    #[inline(never)]
    fn more(&mut self) -> Result<bool> {
        if self.empty {
            return Ok(false);
        }
        match self.de.peek_event()? {
            Event::MappingEnd | Event::Void => Ok(false),
            Event::Scalar(scalar) => {
                self.len += 1;
                self.key = Some(&scalar.value);
                Ok(true)
            }
            _ => {
                self.len += 1;
                self.key = None;
                Ok(true)
            }
        }
    }
}

impl<'de> de::MapAccess<'de> for MapAccess<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if !self.more()? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut self.de.value(self.key))
    }
}

struct EnumAccess<'a, 'd> {
    de: &'a mut De<'d>,
    name: Option<&'static str>,
    tag: &'d str,
}

impl<'de, 'a, 'd> de::EnumAccess<'de> for EnumAccess<'a, 'd> {
    type Error = Error;
    type Variant = De<'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, De<'a>)> {
        let variant = seed.deserialize(StrDeserializer::<Error>::new(self.tag))?;
        let de = De {
            document: self.de.document,
            pos: self.de.pos,
            jumpcount: self.de.jumpcount,
            path: self.de.path,
            remaining_depth: self.de.remaining_depth,
            current_enum: Some(CurrentEnum {
                name: self.name,
                tag: self.tag,
            }),
        };
        Ok((variant, de))
    }
}

impl<'de> de::VariantAccess<'de> for De<'_> {
    type Error = Error;

    fn unit_variant(mut self) -> Result<()> {
        Deserialize::deserialize(&mut self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(mut self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut self)
    }

    fn tuple_variant<V: Visitor<'de>>(mut self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        mut self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_struct(&mut self, "", fields, visitor)
    }
}

struct UnitVariantAccess<'a, 'd> {
    de: &'a mut De<'d>,
}

impl<'de> de::EnumAccess<'de> for UnitVariantAccess<'_, '_> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self)> {
        Ok((seed.deserialize(&mut *self.de)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for UnitVariantAccess<'_, '_> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        Ok(())
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, _seed: T) -> Result<T::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"newtype variant",
        ))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, _visitor: V) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"tuple variant",
        ))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(de::Error::invalid_type(
            Unexpected::UnitVariant,
            &"struct variant",
        ))
    }
}

fn visit_scalar<'de, V: Visitor<'de>>(
    visitor: V,
    scalar: &Scalar,
    tagged_already: bool,
) -> Result<V::Value> {
    let v = match str::from_utf8(&scalar.value) {
        Ok(v) => v,
        Err(_) => {
            return Err(de::Error::invalid_type(
                Unexpected::Bytes(&scalar.value),
                &visitor,
            ))
        }
    };
    if let (Some(tag), false) = (&scalar.tag, tagged_already) {
        let tag: &[u8] = tag;
        if tag == BOOL {
            return match parse_bool(v) {
                Some(v) => visitor.visit_bool(v),
                None => Err(de::Error::invalid_value(Unexpected::Str(v), &"a boolean")),
            };
        } else if tag == INT {
            return match visit_int(visitor, v) {
                Ok(result) => result,
                Err(_) => Err(de::Error::invalid_value(Unexpected::Str(v), &"an integer")),
            };
        } else if tag == FLOAT {
            return match parse_f64(v) {
                Some(v) => visitor.visit_f64(v),
                None => Err(de::Error::invalid_value(Unexpected::Str(v), &"a float")),
            };
        } else if tag == NULL {
            return match parse_null(v.as_bytes()) {
                Some(()) => visitor.visit_unit(),
                None => Err(de::Error::invalid_value(Unexpected::Str(v), &"null")),
            };
        } else if tag.starts_with(b"!") && scalar.style == ScalarStyle::Plain {
            return visit_untagged_scalar(visitor, v);
        }
    } else if scalar.style == ScalarStyle::Plain {
        return visit_untagged_scalar(visitor, v);
    }
    visitor.visit_str(v)
}

fn parse_null(scalar: &[u8]) -> Option<()> {
    match scalar {
        b"null" | b"Null" | b"NULL" | b"~" => Some(()),
        _ => None,
    }
}

fn parse_bool(scalar: &str) -> Option<bool> {
    match scalar {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn parse_unsigned_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, radix: u32) -> Result<T, ParseIntError>,
) -> Option<T> {
    let unpositive = scalar.strip_prefix('+').unwrap_or(scalar);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
    }
    if unpositive.starts_with(['+', '-']) {
        return None;
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_signed_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, radix: u32) -> Result<T, ParseIntError>,
) -> Option<T> {
    let unpositive = if let Some(unpositive) = scalar.strip_prefix('+') {
        if unpositive.starts_with(['+', '-']) {
            return None;
        }
        unpositive
    } else {
        scalar
    };
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(rest) = unpositive.strip_prefix(prefix) {
            if rest.starts_with(['+', '-']) {
                return None;
            }
            if let Ok(int) = from_str_radix(rest, radix) {
                return Some(int);
            }
        }
        if let Some(rest) = scalar
            .strip_prefix('-')
            .and_then(|s| s.strip_prefix(prefix))
        {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(unpositive, 10).ok()
}

fn parse_negative_int<T>(
    scalar: &str,
    from_str_radix: fn(&str, radix: u32) -> Result<T, ParseIntError>,
) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(rest) = scalar.strip_prefix(prefix) {
            if let Ok(int) = from_str_radix(&format!("-{rest}"), radix) {
                return Some(int);
            }
        }
    }
    if digits_but_not_number(scalar) {
        return None;
    }
    from_str_radix(scalar, 10).ok()
}

fn parse_f64(scalar: &str) -> Option<f64> {
    let unpositive = if let Some(unpositive) = scalar.strip_prefix('+') {
        if unpositive.starts_with(['+', '-']) {
            return None;
        }
        unpositive
    } else {
        scalar
    };
    if let ".inf" | ".Inf" | ".INF" = unpositive {
        return Some(f64::INFINITY);
    }
    if let "-.inf" | "-.Inf" | "-.INF" = scalar {
        return Some(f64::NEG_INFINITY);
    }
    if let ".nan" | ".NaN" | ".NAN" = scalar {
        return Some(f64::NAN.copysign(1.0));
    }
    if let Ok(float) = unpositive.parse::<f64>() {
        if float.is_finite() {
            return Some(float);
        }
    }
    None
}

fn digits_but_not_number(scalar: &str) -> bool {
    // Leading zero(s) followed by numeric characters is a string according to
    // the YAML 1.2 spec. https://yaml.org/spec/1.2/spec.html#id2761292
    let scalar = scalar.strip_prefix(['-', '+']).unwrap_or(scalar);
    scalar.len() > 1 && scalar.starts_with('0') && scalar[1..].bytes().all(|b| b.is_ascii_digit())
}

/// An integer scalar, widest kind last, as serde_yaml's `visit_int` tries them.
enum Int {
    U64(u64),
    I64(i64),
    U128(u128),
    I128(i128),
}

#[inline(never)]
fn int_of(v: &str) -> Option<Int> {
    if let Some(int) = parse_unsigned_int(v, u64::from_str_radix) {
        return Some(Int::U64(int));
    }
    if let Some(int) = parse_negative_int(v, i64::from_str_radix) {
        return Some(Int::I64(int));
    }
    if let Some(int) = parse_unsigned_int(v, u128::from_str_radix) {
        return Some(Int::U128(int));
    }
    if let Some(int) = parse_negative_int(v, i128::from_str_radix) {
        return Some(Int::I128(int));
    }
    None
}

fn visit_int<'de, V: Visitor<'de>>(visitor: V, v: &str) -> Result<Result<V::Value>, V> {
    Ok(match int_of(v) {
        Some(Int::U64(n)) => visitor.visit_u64(n),
        Some(Int::I64(n)) => visitor.visit_i64(n),
        Some(Int::U128(n)) => visitor.visit_u128(n),
        Some(Int::I128(n)) => visitor.visit_i128(n),
        None => return Err(visitor),
    })
}

fn visit_untagged_scalar<'de, V: Visitor<'de>>(visitor: V, v: &str) -> Result<V::Value> {
    if v.is_empty() || parse_null(v.as_bytes()) == Some(()) {
        return visitor.visit_unit();
    }
    if let Some(boolean) = parse_bool(v) {
        return visitor.visit_bool(boolean);
    }
    let visitor = match visit_int(visitor, v) {
        Ok(result) => return result,
        Err(visitor) => visitor,
    };
    if !digits_but_not_number(v) {
        if let Some(float) = parse_f64(v) {
            return visitor.visit_f64(float);
        }
    }
    visitor.visit_str(v)
}

fn is_plain_or_tagged_literal_scalar(
    expected: &[u8],
    scalar: &Scalar,
    tagged_already: bool,
) -> bool {
    match (scalar.style, &scalar.tag, tagged_already) {
        (ScalarStyle::Plain, _, _) => true,
        (ScalarStyle::Literal, Some(tag), false) => **tag == *expected,
        _ => false,
    }
}

#[inline(never)]
fn invalid_type(event: &Event, exp: &dyn Expected) -> Error {
    enum Void {}

    struct InvalidType<'a> {
        exp: &'a dyn Expected,
    }

    impl<'de> Visitor<'de> for InvalidType<'_> {
        type Value = Void;

        fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
            self.exp.fmt(formatter)
        }
    }

    match event {
        Event::Scalar(scalar) => match visit_scalar(InvalidType { exp }, scalar, false) {
            Ok(void) => match void {},
            Err(invalid_type) => invalid_type,
        },
        Event::SequenceStart(_) => de::Error::invalid_type(Unexpected::Seq, exp),
        Event::MappingStart(_) => de::Error::invalid_type(Unexpected::Map, exp),
        Event::Alias(_) | Event::SequenceEnd | Event::MappingEnd | Event::Void => {
            Error::new(ErrorImpl::EndOfStream)
        }
    }
}

fn parse_tag(libyaml_tag: &Option<Box<[u8]>>) -> Option<&str> {
    let mut bytes: &[u8] = libyaml_tag.as_ref()?;
    if let (b'!', rest) = bytes.split_first()? {
        if !rest.is_empty() {
            bytes = rest;
        }
        str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// serde_yaml's `deserialize_option`: whether the next value is there (`Ok(None)`: an alias
/// to follow).
#[inline(never)]
fn option_is_some(de: &De, tagged_already: bool) -> Result<Option<bool>> {
    Ok(Some(match de.peek_event()? {
        Event::Alias(_) => return Ok(None),
        Event::Scalar(scalar) => {
            if scalar.style != ScalarStyle::Plain {
                true
            } else if let (Some(tag), false) = (&scalar.tag, tagged_already) {
                if **tag == *NULL {
                    if let Some(()) = parse_null(&scalar.value) {
                        false
                    } else if let Ok(v) = str::from_utf8(&scalar.value) {
                        return Err(de::Error::invalid_value(Unexpected::Str(v), &"null"));
                    } else {
                        return Err(de::Error::invalid_value(
                            Unexpected::Bytes(&scalar.value),
                            &"null",
                        ));
                    }
                } else {
                    true
                }
            } else {
                !scalar.value.is_empty() && parse_null(&scalar.value).is_none()
            }
        }
        Event::SequenceStart(_) | Event::MappingStart(_) => true,
        Event::SequenceEnd | Event::MappingEnd => return Err(broken()),
        Event::Void => false,
    }))
}

/// serde_yaml's `deserialize_unit` on an event that is not an alias.
#[inline(never)]
fn unit(next: &Event, tagged_already: bool, exp: &dyn Expected) -> Result<()> {
    match next {
        Event::Scalar(scalar) => {
            let is_null = if scalar.style != ScalarStyle::Plain {
                false
            } else if let (Some(tag), false) = (&scalar.tag, tagged_already) {
                **tag == *NULL && parse_null(&scalar.value).is_some()
            } else {
                scalar.value.is_empty() || parse_null(&scalar.value).is_some()
            };
            if is_null {
                Ok(())
            } else if let Ok(v) = str::from_utf8(&scalar.value) {
                Err(de::Error::invalid_value(Unexpected::Str(v), &"null"))
            } else {
                Err(de::Error::invalid_value(
                    Unexpected::Bytes(&scalar.value),
                    &"null",
                ))
            }
        }
        Event::Void => Ok(()),
        other => Err(invalid_type(other, exp)),
    }
}

#[inline(never)]
fn nested_enum(current: CurrentEnum) -> Error {
    let message = match current.name {
        Some(name) => format!(
            "deserializing nested enum in {}::{} from YAML is not supported yet",
            name, current.tag,
        ),
        None => format!(
            "deserializing nested enum in !{} from YAML is not supported yet",
            current.tag,
        ),
    };
    Error::new(ErrorImpl::Message(message, None))
}

/// Follows an alias event: `$de.jump(…)?.$call` on the anchored value.
macro_rules! alias {
    ($de:expr, $next:expr, |$target:ident| $call:expr) => {
        if let Event::Alias(id) = $next {
            let mut pos = *id;
            let $target = &mut $de.jump(&mut pos)?;
            return $call;
        }
    };
}

impl<'de, 'd> de::Deserializer<'de> for &mut De<'d> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_any(visitor));
        fn enum_tag(tag: &Option<Box<[u8]>>, tagged_already: bool) -> Option<&str> {
            if tagged_already {
                None
            } else {
                parse_tag(tag)
            }
        }
        let result = match next {
            Event::Scalar(scalar) => match enum_tag(&scalar.tag, tagged_already) {
                Some(tag) => {
                    *self.pos -= 1;
                    visitor.visit_enum(EnumAccess {
                        de: self,
                        name: None,
                        tag,
                    })
                }
                None => visit_scalar(visitor, scalar, tagged_already),
            },
            Event::SequenceStart(tag) => match enum_tag(tag, tagged_already) {
                Some(tag) => {
                    *self.pos -= 1;
                    visitor.visit_enum(EnumAccess {
                        de: self,
                        name: None,
                        tag,
                    })
                }
                None => self.visit_sequence(visitor, mark),
            },
            Event::MappingStart(tag) => match enum_tag(tag, tagged_already) {
                Some(tag) => {
                    *self.pos -= 1;
                    visitor.visit_enum(EnumAccess {
                        de: self,
                        name: None,
                        tag,
                    })
                }
                None => self.visit_mapping(visitor, mark),
            },
            Event::Void => visitor.visit_none(),
            Event::Alias(_) | Event::SequenceEnd | Event::MappingEnd => Err(broken()),
        };
        result.map_err(|err| self.fix(err, mark))
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_bool(visitor));
        number(next, BOOL, tagged_already, &parse_bool, &visitor)
            .and_then(|b| visitor.visit_bool(b))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_i64(visitor));
        let parse = |v: &str| parse_signed_int(v, i64::from_str_radix);
        number(next, INT, tagged_already, &parse, &visitor)
            .and_then(|n| visitor.visit_i64(n))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_i128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_i128(visitor));
        let parse = |v: &str| parse_signed_int(v, i128::from_str_radix);
        number(next, INT, tagged_already, &parse, &visitor)
            .and_then(|n| visitor.visit_i128(n))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_u64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_u64(visitor));
        let parse = |v: &str| parse_unsigned_int(v, u64::from_str_radix);
        number(next, INT, tagged_already, &parse, &visitor)
            .and_then(|n| visitor.visit_u64(n))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_u128<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_u128(visitor));
        let parse = |v: &str| parse_unsigned_int(v, u128::from_str_radix);
        number(next, INT, tagged_already, &parse, &visitor)
            .and_then(|n| visitor.visit_u128(n))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_f64(visitor));
        number(next, FLOAT, tagged_already, &parse_f64, &visitor)
            .and_then(|n| visitor.visit_f64(n))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_str(visitor));
        string(next, &visitor)
            .and_then(|s| visitor.visit_str(s))
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::new(ErrorImpl::BytesUnsupported))
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Error::new(ErrorImpl::BytesUnsupported))
    }

    /// Parses `null` as None and any other values as `Some(...)`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        match option_is_some(self, tagged_already)? {
            None => {
                let (next, _) = self.next_event_mark()?;
                alias!(self, next, |de| de.deserialize_option(visitor));
                Err(broken())
            }
            Some(true) => visitor.visit_some(self),
            Some(false) => {
                *self.pos += 1;
                self.current_enum = None;
                visitor.visit_none()
            }
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let tagged_already = self.current_enum.is_some();
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_unit(visitor));
        unit(next, tagged_already, &visitor)
            .and_then(|()| visitor.visit_unit())
            .map_err(|err| self.fix(err, mark))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    /// Parses a newtype struct as the underlying value.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        let (_event, mark) = self.peek_event_mark()?;
        let previous = self.enter(mark)?;
        let result = visitor.visit_newtype_struct(&mut *self);
        self.remaining_depth = previous;
        result
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_seq(visitor));
        let start = matches!(next, Event::SequenceStart(_));
        // One call of `visit_seq` for a sequence and for an empty value alike (serde_yaml has
        // two, with two access types: two copies of every element type's visitor).
        let result = match self.open(next, mark, start, &visitor) {
            Ok(depth) => {
                let mut seq = SeqAccess {
                    empty: depth.is_none(),
                    de: &mut *self,
                    len: 0,
                };
                let value = visitor.visit_seq(&mut seq);
                let len = seq.len;
                self.close(value, depth, len, false)
            }
            Err(err) => Err(err),
        };
        result.map_err(|err| self.fix(err, mark))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let (next, mark) = self.next_event_mark()?;
        alias!(self, next, |de| de.deserialize_map(visitor));
        let start = matches!(next, Event::MappingStart(_));
        // One call of `visit_map` for a mapping and for an empty value alike (serde_yaml has
        // two, with two access types: two copies of every derived struct's visitor).
        let result = match self.open(next, mark, start, &visitor) {
            Ok(depth) => {
                let mut map = MapAccess {
                    empty: depth.is_none(),
                    de: &mut *self,
                    len: 0,
                    key: None,
                };
                let value = visitor.visit_map(&mut map);
                let len = map.len;
                self.close(value, depth, len, true)
            }
            Err(err) => Err(err),
        };
        result.map_err(|err| self.fix(err, mark))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    /// Parses an enum as a single key:value pair where the key identifies the
    /// variant and the value gives the content. A String will also parse correctly
    /// to a unit enum value.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (next, mark) = self.peek_event_mark()?;
        let result = if let Some(current_enum) = self.current_enum {
            match next {
                Event::Scalar(scalar) if !scalar.value.is_empty() => {
                    visitor.visit_enum(UnitVariantAccess { de: &mut *self })
                }
                _ => Err(nested_enum(current_enum)),
            }
        } else {
            match next {
                Event::Alias(id) => {
                    *self.pos += 1;
                    let mut pos = *id;
                    self.jump(&mut pos)?
                        .deserialize_enum(name, variants, visitor)
                }
                Event::Scalar(scalar) => match parse_tag(&scalar.tag) {
                    Some(tag) => {
                        return visitor.visit_enum(EnumAccess {
                            de: self,
                            name: Some(name),
                            tag,
                        })
                    }
                    None => visitor.visit_enum(UnitVariantAccess { de: &mut *self }),
                },
                Event::MappingStart(tag) | Event::SequenceStart(tag) => match parse_tag(tag) {
                    Some(tag) => {
                        return visitor.visit_enum(EnumAccess {
                            de: self,
                            name: Some(name),
                            tag,
                        })
                    }
                    None => {
                        let unexpected = if matches!(next, Event::MappingStart(_)) {
                            Unexpected::Map
                        } else {
                            Unexpected::Seq
                        };
                        let err =
                            de::Error::invalid_type(unexpected, &"a YAML tag starting with '!'");
                        Err(self.fix(err, mark))
                    }
                },
                Event::SequenceEnd | Event::MappingEnd => Err(broken()),
                Event::Void => Err(Error::new(ErrorImpl::EndOfStream)),
            }
        };
        result.map_err(|err| self.fix(err, mark))
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.ignore_any()?;
        visitor.visit_unit()
    }
}
