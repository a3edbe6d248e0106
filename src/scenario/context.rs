//! Where validation errors point: the file, the byte span of a value, its key path.
//!
//! `Ctx` builds `GeoError`s that carry file, line:column and key path, and keeps the
//! earliest error in file order, so independent sections can all be checked and the
//! user still sees the first problem in their file. It knows nothing of what the keys mean.

use std::ops::Range;

use toml::Spanned;

use super::units;
use crate::error::GeoError;
use crate::model::Nanos;

pub struct Ctx<'a> {
    pub text: &'a str,
    pub file: &'a str,
    first: Option<(usize, GeoError)>,
}

impl<'a> Ctx<'a> {
    pub fn new(text: &'a str, file: &'a str) -> Ctx<'a> {
        Ctx {
            text,
            file,
            first: None,
        }
    }

    /// An invalid-input error at byte `span.start`, for key path `key`.
    pub fn error(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> GeoError {
        GeoError::invalid(message)
            .with_key(key)
            .at(self.text, span.start)
            .with_file(self.file)
    }

    /// Keeps `err` if it comes before the one kept so far (ties: the one noted first).
    pub fn note(&mut self, err: GeoError) {
        let pos = err.location.as_ref().map_or(0, |l| {
            // Lines and columns order like byte offsets and are what we have here.
            l.line.saturating_mul(1 << 20).saturating_add(l.column)
        });
        if self.first.as_ref().is_none_or(|(p, _)| pos < *p) {
            self.first = Some((pos, err));
        }
    }

    /// The value of `r`, or `None` after noting its error.
    pub fn ok<T>(&mut self, r: Result<T, GeoError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.note(e);
                None
            }
        }
    }

    /// The earliest error noted, if any.
    pub fn finish(self) -> Result<(), GeoError> {
        match self.first {
            Some((_, e)) => Err(e),
            None => Ok(()),
        }
    }

    /// `value`, or an error saying `key` is missing. It points at the table that should
    /// hold the key (`table_span`), or at 1:1 for a top-level table, and shows an example.
    pub fn require<'v, T>(
        &self,
        value: &'v Option<Spanned<T>>,
        table_span: Range<usize>,
        key: &str,
        example: &str,
    ) -> Result<&'v Spanned<T>, GeoError> {
        value.as_ref().ok_or_else(|| {
            let name = key.rsplit('.').next().unwrap_or(key);
            self.error(table_span, key, format!("missing key `{name}`"))
                .with_help(format!("add `{example}`"))
        })
    }

    /// A duration value, parsed.
    pub fn duration(&self, v: &Spanned<impl AsText>, key: &str) -> Result<Nanos, GeoError> {
        units::parse_duration(v.get_ref().text()).map_err(|m| self.error(v.span(), key, m))
    }

    /// A duration that must be more than zero.
    pub fn positive_duration(
        &self,
        v: &Spanned<impl AsText>,
        key: &str,
    ) -> Result<Nanos, GeoError> {
        match self.duration(v, key)? {
            0 => {
                let name = key.rsplit('.').next().unwrap_or(key);
                Err(self.error(v.span(), key, format!("`{name}` must be more than 0")))
            }
            ns => Ok(ns),
        }
    }

    /// An optional duration with a default written as text (`"1s"`).
    pub fn duration_or(
        &self,
        v: &Option<Spanned<impl AsText>>,
        key: &str,
        default: Nanos,
    ) -> Result<Nanos, GeoError> {
        v.as_ref().map_or(Ok(default), |v| self.duration(v, key))
    }

    /// A time `at` that must fall within the run, [0, duration).
    pub fn within_run(
        &self,
        v: &Spanned<impl AsText>,
        key: &str,
        run: Option<Nanos>,
    ) -> Result<Nanos, GeoError> {
        let at = self.duration(v, key)?;
        match run {
            Some(end) if at >= end => Err(self
                .error(
                    v.span(),
                    key,
                    format!(
                        "{} is not within the run, which ends at [simulation] duration = {}",
                        v.get_ref().text(),
                        crate::time::fmt_duration(end)
                    ),
                )
                .with_help("times count from the start of the run and must be before its end")),
            _ => Ok(at),
        }
    }
}

/// Raw values that are text to parse with a unit.
pub trait AsText {
    fn text(&self) -> &str;
}

impl AsText for super::raw::Duration {
    fn text(&self) -> &str {
        &self.0
    }
}

impl AsText for String {
    fn text(&self) -> &str {
        self
    }
}
