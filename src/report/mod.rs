//! Report writers: each turns the model and the results into bytes (or a String);
//! none of them touches the file system, which is `output`'s job.

pub mod aggregate_csv;
mod canvas;
pub mod charts;
pub mod cost_chart;
pub mod csv;
pub mod html;
pub mod json;
pub(crate) mod kit;
pub mod palette;
pub mod protocol_notes;
pub mod rules;
pub(crate) mod scatter;
pub mod sentences;
pub mod sweep_charts;
pub mod sweep_csv;
pub mod sweep_html;
pub mod sweep_sentences;
pub mod sweep_series;
pub mod verdict;
pub mod visibility_chart;
pub mod year_csv;
pub mod year_section;

use crate::error::Result;
use crate::model::Model;
use crate::output::file;
use crate::results::SimResult;
use charts::ChartFormat;

/// The report's one time unit (that of the charts' time axis, and of every time point
/// and duration its sentences name), from the run's length.
pub fn time_unit(model: &Model) -> crate::format::TimeUnit {
    crate::format::TimeUnit::for_run(crate::time::secs(model.duration))
}

/// The charts in `format` and `report.html`, as (file name, bytes): for each chart its
/// PNG before its SVG, then the cost chart, the visibility chart and the report (with
/// its year of failures section when `year` is given).
pub fn render(
    model: &Model,
    results: &[SimResult],
    format: ChartFormat,
    info: &json::RunInfo,
    year: Option<&crate::year::Year>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let png = matches!(format, ChartFormat::Png | ChartFormat::Both);
    let svg = matches!(format, ChartFormat::Svg | ChartFormat::Both);
    let svgs = html::Svgs::draw(model, results)?;
    let pngs = if png {
        charts::render_charts(model, results, ChartFormat::Png)?
    } else {
        Vec::new()
    };
    let mut pngs = pngs.into_iter();
    let mut files = Vec::new();
    for (kind, document) in &svgs.charts {
        files.extend(pngs.next());
        if svg {
            files.push((
                format!("{}.svg", kind.stem()),
                document.clone().into_bytes(),
            ));
        }
    }
    if png {
        files.extend(cost_chart::render(model, results, ChartFormat::Png)?);
    }
    if let (true, Some(document)) = (svg, &svgs.cost) {
        let name = format!("{}.svg", cost_chart::STEM);
        files.push((name, document.clone().into_bytes()));
    }
    if png {
        files.extend(visibility_chart::render(model, results, ChartFormat::Png)?);
    }
    if let (true, Some(document)) = (svg, &svgs.visibility) {
        let name = format!("{}.svg", visibility_chart::STEM);
        files.push((name, document.clone().into_bytes()));
    }
    let meta = html::ReportMeta {
        version: info.version.to_string(),
        seed: info.seed,
        scenario_hash: info.scenario_hash.to_string(),
        scenario_file: info.scenario_file.to_string(),
        sets: info.sets.to_vec(),
    };
    let page = html::render_html(model, results, &meta, &svgs, year)?;
    files.push((file::REPORT.to_string(), page.into_bytes()));
    Ok(files)
}
