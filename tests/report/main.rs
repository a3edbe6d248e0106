//! The report's tests, one binary (linking a test binary per file cost more than running
//! them): charts, the cost chart, report.html, generated sentences, teaching lessons.
//! The headless-browser test stays apart (`tests/report_browser.rs`, run with `--ignored`).

#[path = "../report_fixture/mod.rs"]
mod report_fixture;

mod charts;
mod cost_chart;
mod first_try;
mod html;
mod rules;
mod sentences;
mod teaching;
mod units;
