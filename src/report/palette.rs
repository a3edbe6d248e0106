//! The visual identity shared by every chart: variant colours, line and marker
//! variations, the embedded font and its sizes.
//!
//! A variant's look depends only on its index, so the same variant keeps the same
//! colour in every chart. This module knows nothing about results or layout.

use std::sync::Once;

use plotters::style::{register_font, FontStyle, RGBColor};

/// The family name every chart text uses.
///
/// It is also written verbatim into the SVG `font-family` attribute, so it is a CSS
/// fallback list: layout is measured with the embedded DejaVu Sans, and a viewer
/// without DejaVu falls back to Verdana, whose metrics are close (both descend from
/// Bitstream Vera), before any generic sans-serif that might be narrower or wider.
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

pub const TITLE_PX: u32 = 22;
pub const SUBTITLE_PX: u32 = 15;
pub const AXIS_TITLE_PX: u32 = 16;
pub const TICK_PX: u32 = 13;
pub const LEGEND_PX: u32 = 14;
pub const NOTE_PX: u32 = 12;

/// Okabe–Ito, ordered so the colours easiest to tell apart on white come first;
/// yellow, the faintest on white, is used only from the eighth variant on.
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// Neutral tones for annotations (outages, grid, notes), kept out of the variant palette
/// so no annotation can be mistaken for a variant.
pub const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
pub const OUTAGE_FILL: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// How a variant's line is stroked; varies once the eight colours have been used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stroke {
    Solid,
    Dashed,
    Dotted,
}

/// The marker drawn on a variant's points; varies with the stroke past eight variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Square,
    Triangle,
}

/// Everything that identifies variant `index` visually.
#[derive(Debug, Clone, Copy)]
pub struct VariantStyle {
    pub color: RGBColor,
    pub stroke: Stroke,
    pub marker: Marker,
}

pub fn variant_style(index: usize) -> VariantStyle {
    let cycle = index / OKABE_ITO.len();
    let (stroke, marker) = match cycle % 3 {
        0 => (Stroke::Solid, Marker::Circle),
        1 => (Stroke::Dashed, Marker::Square),
        _ => (Stroke::Dotted, Marker::Triangle),
    };
    VariantStyle {
        color: OKABE_ITO[index % OKABE_ITO.len()],
        stroke,
        marker,
    }
}

/// `#rrggbb` of variant `index`, for the HTML report's legends and tables.
pub fn variant_hex(index: usize) -> String {
    let RGBColor(r, g, b) = variant_style(index).color;
    format!("#{r:02x}{g:02x}{b:02x}")
}

static FONTS: Once = Once::new();

/// Registers the embedded DejaVu faces under [`FONT`]; later calls do nothing.
///
/// plotters' `ttf` feature (which would look up system fonts through fontconfig) stays
/// off, so an unregistered family would fail only when the first text is drawn.
pub fn ensure_fonts() {
    FONTS.call_once(|| {
        // The faces are compiled in and known to parse; a failure here would be a
        // broken build of the dejavu crate, which drawing then reports as FontUnavailable.
        let _ = register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_cycle_and_strokes_change_past_eight() {
        assert_eq!(variant_style(0).color, variant_style(8).color);
        assert_ne!(variant_style(0).stroke, variant_style(8).stroke);
        assert_ne!(variant_style(0).color, variant_style(1).color);
        assert_eq!(variant_hex(0), "#0072b2");
    }
}
