//! Reading JSON inputs (specs, trajectories, golden files): one size
//! limit, one reader, one parser whose errors name the field.

use crate::error::{Error, Result};
use std::path::Path;

/// Largest JSON input read (spec, trajectory or golden file).
pub const MAX_INPUT_BYTES: u64 = 256 << 20;

/// Reads a file of at most [`MAX_INPUT_BYTES`] bytes as UTF-8 text.
///
/// # Errors
/// [`Error::Io`] when the file is missing, unreadable, not UTF-8 or over
/// the limit.
pub fn read_text(path: &Path) -> Result<String> {
    let io = |m: String| Error::Io {
        path: path.display().to_string(),
        message: m,
    };
    let meta = std::fs::metadata(path).map_err(|e| io(e.to_string()))?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(io(format!(
            "file is {} bytes, more than the limit of {MAX_INPUT_BYTES}",
            meta.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| io(e.to_string()))
}

/// Parses JSON text into `T`, naming the offending field on error.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str, context: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        Error::Json {
            context: context.to_string(),
            message: if path == "." { inner } else { format!("field `{path}`: {inner}") },
        }
    })
}
