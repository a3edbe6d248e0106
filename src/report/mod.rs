//! Report writers: each turns the model and the results into bytes (or a String);
//! none of them touches the file system, which is `output`'s job.

pub mod aggregate_csv;
mod canvas;
pub mod charts;
pub mod cost_chart;
pub mod csv;
pub mod format;
pub mod html;
pub mod json;
pub mod palette;
pub mod sentences;
pub mod sweep_charts;
pub mod sweep_csv;
pub mod sweep_html;
pub mod text_table;
pub mod verdict;
pub mod visibility_chart;
pub mod year_csv;

use crate::cli::Format;
use crate::error::Result;
use crate::model::Model;
use crate::results::SimResult;

/// The charts in `format` and `report.html`, as (file name, bytes).
pub fn render(
    model: &Model,
    results: &[SimResult],
    format: Format,
    info: &json::RunInfo,
) -> Result<Vec<(String, Vec<u8>)>> {
    let chart_format = match format {
        Format::Png => charts::ChartFormat::Png,
        Format::Svg => charts::ChartFormat::Svg,
        Format::Both => charts::ChartFormat::Both,
    };
    let mut files = charts::render_charts(model, results, chart_format)?;
    files.extend(cost_chart::render(model, results, chart_format)?);
    files.extend(visibility_chart::render(model, results, chart_format)?);
    let meta = html::ReportMeta {
        version: info.version.to_string(),
        seed: info.seed,
        scenario_hash: info.scenario_hash.to_string(),
        scenario_file: info.scenario_file.to_string(),
    };
    files.push((
        "report.html".to_string(),
        html::render_html(model, results, &meta)?.into_bytes(),
    ));
    Ok(files)
}
