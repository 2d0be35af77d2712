//! YAML text → serde types, as `serde_yaml::from_str` decodes them (the same values, the same
//! error texts and places), through a deserializer whose code is shared by every type it
//! decodes (`de.rs`): serde_yaml's own is instantiated in full for each of the hundred derived
//! visitors of the API types, which was the largest block of the wasm (BENCHMARKS.md, "The
//! page"). `serde_yaml` still writes YAML and holds `Value`.

mod de;
mod error;
mod events;

pub use error::{Error, Location};
use serde::de::DeserializeOwned;

/// `serde_yaml::from_str`: one document of YAML as a `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let document = events::load(text);
    let (mut pos, mut jumpcount) = (0, 0);
    let value = T::deserialize(&mut de::De::new(&document, &mut pos, &mut jumpcount))?;
    if let Some(parse_error) = document.error {
        return Err(parse_error);
    }
    if document.more {
        return Err(Error::new(error::ErrorImpl::MoreThanOneDocument));
    }
    Ok(value)
}

#[cfg(test)]
pub(crate) mod tests;
