//! A small JSON value with ordered members and a pretty printer, for the documents geosim
//! writes whole (the scenario schema, `--export` files).
//!
//! Not serde_json: as a dependency of the library its `PartialEq<Value>` impls for
//! numbers make `x == iter.sum()` ambiguous anywhere in the crate. Members keep the
//! order they were added in, so the output reads in the order it was built.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    /// A finite number (a non-finite one is written as `null`).
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    /// An object from `(name, value)` pairs, in order.
    pub fn obj<K: Into<String>>(members: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Obj(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// An array of strings.
    pub fn strs<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Json {
        Json::Arr(items.into_iter().map(|s| Json::str(s.as_ref())).collect())
    }

    /// Adds (or replaces) member `name` of an object; no effect on other values.
    pub fn insert(&mut self, name: &str, value: Json) {
        if let Json::Obj(members) = self {
            match members.iter_mut().find(|(k, _)| k == name) {
                Some((_, v)) => *v = value,
                None => members.push((name.to_string(), value)),
            }
        }
    }

    /// Member `name` of an object.
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Json::Obj(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A TOML value as JSON (datetimes as their text).
    pub fn from_toml(v: &toml::Value) -> Json {
        match v {
            toml::Value::String(s) => Json::str(s.clone()),
            toml::Value::Integer(i) => Json::Int(*i),
            toml::Value::Float(f) => Json::Num(*f),
            toml::Value::Boolean(b) => Json::Bool(*b),
            toml::Value::Datetime(d) => Json::str(d.to_string()),
            toml::Value::Array(items) => Json::Arr(items.iter().map(Json::from_toml).collect()),
            toml::Value::Table(t) => {
                Json::obj(t.iter().map(|(k, v)| (k.clone(), Json::from_toml(v))))
            }
        }
    }

    /// Two-space indented JSON with a final newline (the layout of serde_json's pretty
    /// printer: empty arrays and objects as `[]` and `{}`).
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| {
            for _ in 0..d {
                out.push_str("  ");
            }
        };
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Json::Num(x) if x.is_finite() => {
                // Rust's shortest round-trip form; a whole number keeps a ".0".
                let _ = write!(out, "{x:?}");
            }
            Json::Num(_) => out.push_str("null"),
            Json::Str(s) => quote(out, s),
            Json::Arr(items) if items.is_empty() => out.push_str("[]"),
            Json::Arr(items) => {
                out.push_str("[\n");
                for (i, item) in items.iter().enumerate() {
                    pad(out, depth + 1);
                    item.write(out, depth + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, depth);
                out.push(']');
            }
            Json::Obj(members) if members.is_empty() => out.push_str("{}"),
            Json::Obj(members) => {
                out.push_str("{\n");
                for (i, (k, v)) in members.iter().enumerate() {
                    pad(out, depth + 1);
                    quote(out, k);
                    out.push_str(": ");
                    v.write(out, depth + 1);
                    out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
                }
                pad(out, depth);
                out.push('}');
            }
        }
    }
}

/// A JSON string literal: quotes, backslashes and control characters escaped.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_layout_and_escapes() {
        let v = Json::obj([
            ("a", Json::Int(1)),
            (
                "b",
                Json::Arr(vec![Json::Num(0.5), Json::Num(2.0), Json::Null]),
            ),
            ("c", Json::obj(Vec::<(String, Json)>::new())),
            ("d", Json::Arr(Vec::new())),
            ("e", Json::str("q\"\\\n\u{1}µ")),
            ("f", Json::Num(f64::NAN)),
        ]);
        assert_eq!(
            v.pretty(),
            "{\n  \"a\": 1,\n  \"b\": [\n    0.5,\n    2.0,\n    null\n  ],\n  \"c\": {},\n  \"d\": [],\n  \"e\": \"q\\\"\\\\\\n\\u0001µ\",\n  \"f\": null\n}\n"
        );
    }

    #[test]
    fn members_keep_their_order_and_insert_replaces() {
        let mut v = Json::obj([("z", Json::Int(1)), ("a", Json::Int(2))]);
        v.insert("z", Json::Int(3));
        v.insert("m", Json::Bool(true));
        assert_eq!(
            v.pretty(),
            "{\n  \"z\": 3,\n  \"a\": 2,\n  \"m\": true\n}\n"
        );
        assert_eq!(v.get("a"), Some(&Json::Int(2)));
    }
}
