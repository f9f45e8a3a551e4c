//! Reading JSON inputs (specs, trajectories, golden files): one size
//! limit, one reader, one parser whose errors name the field.

use crate::error::{Error, Result, SchemaProblem};
use serde_json::Value;
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
///
/// # Errors
/// [`Error::NonFiniteJson`] for a `NaN` or `Infinity` literal,
/// [`Error::Json`] for any other syntax error or a truncated document,
/// [`Error::Schema`] (one problem, naming the field) for valid JSON that
/// does not fit `T`.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str, context: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => Error::Schema {
                context: context.to_string(),
                problems: vec![SchemaProblem {
                    field: path,
                    message: strip_position(&inner.to_string()),
                }],
            },
            _ => syntax_error(text, context, &inner),
        }
    })
}

/// Parses JSON text into a [`Value`] (syntax only).
///
/// # Errors
/// [`Error::NonFiniteJson`] or [`Error::Json`], as [`parse`].
pub fn parse_value(text: &str, context: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| syntax_error(text, context, &e))
}

fn syntax_error(text: &str, context: &str, e: &serde_json::Error) -> Error {
    if let Some((literal, line, column)) = non_finite_literal(text) {
        return Error::NonFiniteJson {
            context: context.to_string(),
            literal,
            line,
            column,
        };
    }
    Error::Json {
        context: context.to_string(),
        message: e.to_string(),
    }
}

/// serde's data errors end with " at line L column C", which points into
/// the document, not at a field: the field path says where.
fn strip_position(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

/// The first bare `NaN`, `Infinity` or `-Infinity` (any case, also `inf`
/// and `nan`) outside string literals, with its 1-based line and column.
pub fn non_finite_literal(text: &str) -> Option<(String, usize, usize)> {
    let (mut line, mut col) = (1, 0);
    let mut in_string = false;
    let mut escape = false;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
        }
        if in_string {
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i + 1 < chars.len() && chars[i + 1].is_ascii_alphanumeric() {
                i += 1;
            }
            let word: String = chars[start..=i].iter().collect();
            let lower = word.to_ascii_lowercase();
            if ["nan", "infinity", "inf"].contains(&lower.as_str()) {
                let signed = start > 0 && matches!(chars[start - 1], '-' | '+');
                let literal = if signed { format!("{}{word}", chars[start - 1]) } else { word };
                return Some((literal, line, if signed { col - 1 } else { col }));
            }
            col += i - start;
        }
        i += 1;
    }
    None
}

/// Checks a JSON document against a JSON Schema (draft 2020-12) and
/// returns every problem found, each naming its field.
///
/// The subset understood is what this crate's schemas use: `type`
/// (`object`, `array`, `string`, `number`, `integer`, `boolean`, `null`, or
/// a list of them), `properties`, `required`, `additionalProperties:
/// false`, `items`, `enum`, `const`, `minimum`, `exclusiveMinimum`,
/// `maximum`, `minItems` and `oneOf` (an object's alternatives are chosen
/// by the `const` of their `kind` property when they have one).
pub fn check_schema(schema: &Value, doc: &Value) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    check_at(schema, doc, "", &mut out);
    out
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        ".".to_string()
    } else {
        path.to_string()
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_u64() || n.is_i64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn has_type(v: &Value, t: &str) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_u64() || v.is_i64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..s.char_indices().nth(40).map_or(s.len(), |(i, _)| i)])
    } else {
        s
    }
}

fn check_at(schema: &Value, doc: &Value, path: &str, out: &mut Vec<SchemaProblem>) {
    let mut push = |message: String| {
        out.push(SchemaProblem {
            field: field_name(path),
            message,
        })
    };
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !types.is_empty() && !types.iter().any(|t| has_type(doc, t)) {
            let article = |t: &&str| match *t {
                "null" => "null".to_string(),
                "object" | "array" | "integer" => format!("an {t}"),
                _ => format!("a {t}"),
            };
            push(format!(
                "expected {}, got {} ({})",
                types.iter().map(article).collect::<Vec<_>>().join(" or "),
                type_name(doc),
                show(doc)
            ));
            return;
        }
    }
    if let Some(c) = schema.get("const") {
        if c != doc {
            push(format!("must be {c}, got {}", show(doc)));
        }
    }
    if let Some(Value::Array(allowed)) = schema.get("enum") {
        if !allowed.contains(doc) {
            let list = allowed.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(", ");
            push(format!("{} is not one of {list}", show(doc)));
        }
    }
    if let Some(x) = doc.as_f64() {
        if let Some(m) = schema.get("minimum").and_then(Value::as_f64) {
            if x < m {
                push(format!("must be >= {m}, got {x}"));
            }
        }
        if let Some(m) = schema.get("exclusiveMinimum").and_then(Value::as_f64) {
            if x <= m {
                push(format!("must be > {m}, got {x}"));
            }
        }
        if let Some(m) = schema.get("maximum").and_then(Value::as_f64) {
            if x > m {
                push(format!("must be <= {m}, got {x}"));
            }
        }
    }
    if let (Some(a), Some(min)) = (doc.as_array(), schema.get("minItems").and_then(Value::as_u64)) {
        if (a.len() as u64) < min {
            push(format!("needs at least {min} entries, got {}", a.len()));
        }
    }
    if let Some(Value::Array(alts)) = schema.get("oneOf") {
        one_of(alts, doc, path, out);
    }
    if let (Some(obj), Some(props)) = (doc.as_object(), schema.get("properties").and_then(Value::as_object)) {
        let sub = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        if let Some(Value::Array(req)) = schema.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    out.push(SchemaProblem {
                        field: sub(r),
                        message: "missing".into(),
                    });
                }
            }
        }
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (k, v) in obj {
            match props.get(k) {
                Some(s) => check_at(s, v, &sub(k), out),
                None if closed => {
                    let known = props.keys().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
                    out.push(SchemaProblem {
                        field: sub(k),
                        message: format!("unknown field (known: {known})"),
                    })
                }
                None => {}
            }
        }
    }
    if let (Some(a), Some(items)) = (doc.as_array(), schema.get("items")) {
        for (i, v) in a.iter().enumerate() {
            check_at(items, v, &format!("{path}[{i}]"), out);
        }
    }
}

fn one_of(alts: &[Value], doc: &Value, path: &str, out: &mut Vec<SchemaProblem>) {
    let kinds: Vec<&Value> = alts
        .iter()
        .filter_map(|a| a.get("properties").and_then(|p| p.get("kind")).and_then(|k| k.get("const")))
        .collect();
    if kinds.len() == alts.len() && doc.is_object() {
        let field = if path.is_empty() {
            "kind".to_string()
        } else {
            format!("{path}.kind")
        };
        let list = kinds.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
        match doc.get("kind") {
            None => out.push(SchemaProblem {
                field,
                message: format!("missing (one of {list})"),
            }),
            Some(k) => match alts.iter().zip(&kinds).find(|(_, c)| **c == k) {
                Some((alt, _)) => check_at(alt, doc, path, out),
                None => out.push(SchemaProblem {
                    field,
                    message: format!("{} is not one of {list}", show(k)),
                }),
            },
        }
        return;
    }
    let results: Vec<Vec<SchemaProblem>> = alts.iter().map(|a| check_schema_at(a, doc, path)).collect();
    let ok = results.iter().filter(|r| r.is_empty()).count();
    if ok != 1 {
        let best = results.into_iter().min_by_key(Vec::len).unwrap_or_default();
        if ok == 0 && !best.is_empty() {
            out.extend(best);
        } else {
            out.push(SchemaProblem {
                field: field_name(path),
                message: format!("matches {ok} of the alternatives, not exactly one"),
            });
        }
    }
}

fn check_schema_at(schema: &Value, doc: &Value, path: &str) -> Vec<SchemaProblem> {
    let mut out = Vec::new();
    check_at(schema, doc, path, &mut out);
    out
}
