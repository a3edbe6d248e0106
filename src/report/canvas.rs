//! Turns a drawing into file bytes: a 1000×600 bitmap encoded as PNG (with the `png`
//! crate, so no system library is needed) or an SVG document. Every chart module draws
//! generically over the backend and hands its drawing to these two.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::kit::{Drawn, HEIGHT, WIDTH};
use super::palette;
use crate::error::GeoError;

fn chart_error(file: &str, e: impl std::fmt::Display) -> GeoError {
    GeoError::io(file, format!("could not draw the chart: {e}"))
}

/// `draw` on a bitmap, encoded as the PNG file `<stem>.png`.
pub(crate) fn png<F>(stem: &str, draw: F) -> Result<Vec<u8>, GeoError>
where
    F: for<'b> FnOnce(&DrawingArea<BitMapBackend<'b>, Shift>) -> Drawn<(), BitMapBackend<'b>>,
{
    let file = format!("{stem}.png");
    palette::ensure_fonts();
    let mut rgb = vec![0u8; WIDTH as usize * HEIGHT as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root).map_err(|e| chart_error(&file, e))?;
        root.present().map_err(|e| chart_error(&file, e))?;
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| chart_error(&file, e))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| chart_error(&file, e))?;
    writer.finish().map_err(|e| chart_error(&file, e))?;
    Ok(bytes)
}

/// `draw` as the SVG document `<stem>.svg`.
pub(crate) fn svg<F>(stem: &str, draw: F) -> Result<String, GeoError>
where
    F: for<'b> FnOnce(&DrawingArea<SVGBackend<'b>, Shift>) -> Drawn<(), SVGBackend<'b>>,
{
    let file = format!("{stem}.svg");
    palette::ensure_fonts();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root).map_err(|e| chart_error(&file, e))?;
        root.present().map_err(|e| chart_error(&file, e))?;
    }
    Ok(out)
}
