//! Report writers: each turns the model and the results into bytes (or a String);
//! none of them touches the file system, which is the caller's job.

pub mod charts;
pub mod html;
pub mod palette;
