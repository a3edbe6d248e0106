//! TOML errors (syntax, wrong type, unknown key) turned into `GeoError`s with a key path.
//!
//! toml reports a byte span but not the key path; we find the innermost key whose key or
//! value covers that span in a span-keeping parse of the same text. serde's messages are
//! kept (they are precise) with a few rewordings and a fix where one is clear.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::suggest;
use crate::error::GeoError;

/// The `GeoError` for a failed `toml::from_str` of the scenario.
pub fn toml_error(text: &str, file: &str, err: &toml::de::Error) -> GeoError {
    let message = err
        .message()
        .trim()
        .replace("expected i64", "expected an integer")
        .replace("expected f64", "expected a number");
    let mut out = GeoError::invalid(message.clone()).with_file(file);
    if let Some(span) = err.span() {
        out = out.at(text, span.start);
        if let Some(key) = key_path_at(text, span.start) {
            out = out.with_key(key);
        }
    }
    match help_for(&message) {
        Some(help) => out.with_help(help),
        None => out,
    }
}

fn help_for(message: &str) -> Option<String> {
    if message.starts_with("unknown field") {
        // serde's wording: unknown field `x`, expected `a` | `a` or `b` | one of `a`, `b`, ...
        let mut names = message.split('`').skip(1).step_by(2);
        let unknown = names.next()?;
        let known: Vec<&str> = names.collect();
        return Some(match suggest::closest(unknown, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the keys allowed here are: {}", known.join(", ")),
        });
    }
    if message.contains("invalid type: map, expected a sequence") {
        return Some(
            "this key is a list of tables: write each entry as [[name]] (double brackets)".into(),
        );
    }
    if message.contains("invalid type: sequence, expected") {
        return Some("this key is a single table: write it as [name], once".into());
    }
    if message.contains("duplicate key") {
        return Some("each key may appear once per table; remove the repeated one".into());
    }
    None
}

/// The key path (`region[1].commit`) of the innermost key or value covering `offset`.
pub fn key_path_at(text: &str, offset: usize) -> Option<String> {
    // A recoverable parse still yields the keys before a syntax error.
    let (doc, _) = DeTable::parse_recoverable(text);
    in_table(doc.get_ref(), offset, "")
}

fn covers<T>(s: &Spanned<T>, offset: usize) -> bool {
    let r = s.span();
    r.start <= offset && offset < r.end.max(r.start + 1)
}

fn in_table(table: &DeTable<'_>, offset: usize, prefix: &str) -> Option<String> {
    for (k, v) in table.iter() {
        let path = if prefix.is_empty() {
            k.get_ref().to_string()
        } else {
            format!("{prefix}.{}", k.get_ref())
        };
        // Table spans cover only their header, so always look inside before deciding.
        if let Some(inner) = in_value(v, offset, &path) {
            return Some(inner);
        }
        if covers(k, offset) || covers(v, offset) {
            return Some(path);
        }
    }
    None
}

fn in_value(v: &Spanned<DeValue<'_>>, offset: usize, path: &str) -> Option<String> {
    match v.get_ref() {
        DeValue::Table(t) => in_table(t, offset, path),
        DeValue::Array(a) => a.iter().enumerate().find_map(|(i, e)| {
            let p = format!("{path}[{i}]");
            in_value(e, offset, &p).or_else(|| covers(e, offset).then_some(p))
        }),
        _ => None,
    }
}
