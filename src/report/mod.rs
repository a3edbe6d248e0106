//! Report writers: each turns results into bytes; `output` puts them on disk.

pub mod csv;
pub mod json;
