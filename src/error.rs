//! Errors a user sees: where (file, line, column, key path), what is wrong, and the fix.
//!
//! Library code returns `GeoError`; `main` prints it once and maps it to an exit code
//! (2 for invalid input or command line, 1 for I/O and other failures, 130 when
//! interrupted).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The scenario or the command line is invalid: exit 2, nothing run or written.
    Invalid,
    /// Reading or writing files failed: exit 1.
    Io,
    /// A run exceeded a configured limit (events, backlog, memory): exit 1.
    Limit,
    /// The user stopped the run (Ctrl-C): exit 130, as a shell reports SIGINT.
    Interrupted,
    /// The invariant checker (`--check`) found a violation: exit 1.
    Check,
}

/// A position in a scenario file, resolved from a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
    /// The text of that line, for the caret display.
    pub source_line: String,
}

impl Location {
    /// Line and column (1-based, column in characters) of `offset` in `text`.
    pub fn from_offset(text: &str, offset: usize) -> Location {
        let offset = offset.min(text.len());
        let offset = (0..=offset)
            .rev()
            .find(|&o| text.is_char_boundary(o))
            .unwrap_or(0);
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        Location {
            line: before.matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
            source_line: text[line_start..line_end]
                .trim_end_matches('\r')
                .to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GeoError {
    pub kind: ErrorKind,
    /// The file the error is about, if any.
    pub file: Option<String>,
    pub location: Option<Location>,
    /// Key path in the scenario, e.g. `outage[2].start`.
    pub key: Option<String>,
    pub message: String,
    /// How to fix it, when there is a clear fix.
    pub help: Option<String>,
}

impl GeoError {
    pub fn invalid(message: impl Into<String>) -> GeoError {
        GeoError {
            kind: ErrorKind::Invalid,
            file: None,
            location: None,
            key: None,
            message: message.into(),
            help: None,
        }
    }

    pub fn io(file: impl Into<String>, message: impl Into<String>) -> GeoError {
        GeoError {
            kind: ErrorKind::Io,
            file: Some(file.into()),
            ..GeoError::invalid(message)
        }
    }

    pub fn limit(message: impl Into<String>, help: impl Into<String>) -> GeoError {
        GeoError {
            kind: ErrorKind::Limit,
            help: Some(help.into()),
            ..GeoError::invalid(message)
        }
    }

    pub fn interrupted(message: impl Into<String>) -> GeoError {
        GeoError {
            kind: ErrorKind::Interrupted,
            ..GeoError::invalid(message)
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> GeoError {
        self.key = Some(key.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> GeoError {
        self.help = Some(help.into());
        self
    }

    pub fn with_file(mut self, file: impl Into<String>) -> GeoError {
        self.file = Some(file.into());
        self
    }

    pub fn at(mut self, text: &str, offset: usize) -> GeoError {
        self.location = Some(Location::from_offset(text, offset));
        self
    }

    pub fn exit_code(&self) -> i32 {
        match self.kind {
            ErrorKind::Invalid => 2,
            ErrorKind::Io | ErrorKind::Limit | ErrorKind::Check => 1,
            ErrorKind::Interrupted => 130,
        }
    }
}

impl fmt::Display for GeoError {
    /// `error: FILE:LINE:COL: KEY: MESSAGE`, then the source line with a caret,
    /// then `help: FIX`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: ")?;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(loc) = &self.location {
                write!(f, ":{}:{}", loc.line, loc.column)?;
            }
            write!(f, ": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(loc) = &self.location {
            let gutter = loc.line.to_string().len();
            let (shown, col) = excerpt(&loc.source_line, loc.column);
            write!(f, "\n{:gutter$} |\n{} | {shown}", "", loc.line)?;
            write!(f, "\n{:gutter$} | {:>col$}", "", "^", col = col)?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Characters of a source line shown around the caret: a generated file may have
/// lines of megabytes, which would bury the message.
const EXCERPT_CHARS: usize = 100;

/// At most `EXCERPT_CHARS` of `line` around `column` (1-based, in characters), with
/// `…` where it was cut, and the caret's column in what is shown.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= EXCERPT_CHARS {
        return (line.to_string(), column);
    }
    let start = column
        .saturating_sub(1 + EXCERPT_CHARS / 2)
        .min(chars.len() - EXCERPT_CHARS);
    let end = start + EXCERPT_CHARS;
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column - start + usize::from(start > 0))
}

impl std::error::Error for GeoError {}

pub type Result<T> = std::result::Result<T, GeoError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_source_line_is_cut_around_the_caret() {
        let line = format!("{}X{}", "a".repeat(5000), "b".repeat(5000));
        let (shown, col) = excerpt(&line, 5001);
        assert!(shown.chars().count() <= EXCERPT_CHARS + 2, "{shown}");
        assert_eq!(shown.chars().nth(col - 1), Some('X'), "{shown} {col}");
        assert_eq!(excerpt("short", 3), ("short".to_string(), 3));
    }
}
