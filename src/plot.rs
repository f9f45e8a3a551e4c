//! SVG plots of sweeps, in one style for the whole report.
//!
//! The style (issue 21, "plots that an auditor can read at a glance"):
//!
//! - **One colour per series.** A series is a measured quantity together with
//!   its error bars, its fit and the reference line it is checked against:
//!   every [`Series`] with the same [`Series::key`] is drawn in the same
//!   colour, and colours are given to keys in order of first appearance over
//!   the whole figure, so a key keeps its colour across panels. A reference
//!   line without a key is drawn in dark grey.
//! - **The legend sits outside the data area**, in a column to the right of
//!   each panel, one entry per key (one row per named series of the key,
//!   with its marker, solid or dashed sample).
//! - **At most [`MAX_SERIES_PER_PANEL`] keys per panel**: a figure with more
//!   settings is drawn as small multiples ([`Panel`]s stacked vertically,
//!   sharing the x axis, and the y axis among panels with the same y label).
//! - **Log axes are real log axes** labelled in the quantity's own units
//!   (ticks 10⁻³, 10⁻², …; 2×10ᵏ and 5×10ᵏ as well when the axis spans less
//!   than about 1.6 decades).
//! - **Error bars** wherever a series has standard errors
//!   ([`Series::with_errors`]); an error bar that reaches below zero on a log
//!   axis is drawn to the bottom of the axis.
//! - **The claim is drawn**: a theoretical slope or bound is a
//!   [`Style::Reference`] series, a dashed line named in the legend.
//! - Titles carry the statement ID and use the report's symbols (π_η, λ, β,
//!   η, θ); [`Plot::notes`] are lines under the title (e.g. how loose a bound
//!   is).
//!
//! The SVG is plain: plotters' SVG backend draws the axes of each panel, and
//! the series and the legend are written here, in groups
//! `<g class="panel">`, `<g class="data" data-area="x0,y0,x1,y1">`,
//! `<g class="legend">` and `<g class="legend-entry">`. [`crate::svg_check::check_svg`] reads
//! that structure back (element coordinates and colours) and reports any
//! breach of the style it can see: two legend entries of one colour in a
//! panel, a drawn colour missing from the legend, more than
//! [`MAX_SERIES_PER_PANEL`] entries, a legend box that meets a data marker,
//! an error bar or a line, or the data area.

use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::fmt::Write as _;

pub use crate::figure::{Panel, Plot, Series, Style};
#[cfg(test)]
use crate::svg_check::MAX_SERIES_PER_PANEL;

/// Series colours (Okabe–Ito, distinguishable with the common colour-vision
/// deficiencies); none is black or grey, which the axes and references use.
pub const PALETTE: [&str; 6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];

/// Colour of a reference line without a key.
pub const REFERENCE_COLOR: &str = "#444444";

const PLOT_W: u32 = 600;
const PANEL_H: u32 = 300;
const SINGLE_H: u32 = 400;
const FONT: f64 = 12.0;
/// Average advance of a sans-serif character at `FONT` (generous, so that
/// the legend box always holds its text).
const CHAR_W: f64 = 6.9;
const WRAP: usize = 40;
const ROW_H: f64 = 15.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn superscript(k: i64) -> String {
    k.to_string()
        .chars()
        .map(|c| match c {
            '-' => '⁻',
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

/// Tick label of a log axis: 10ᵏ, or m×10ᵏ.
pub fn log_tick_label(v: f64) -> String {
    if v <= 0.0 || !v.is_finite() {
        return String::new();
    }
    let l = v.log10();
    let k = l.floor();
    let m = (v / 10f64.powf(k) * 1e6).round() / 1e6;
    let (m, k) = if m >= 10.0 { (1.0, k + 1.0) } else { (m, k) };
    if (m - 1.0).abs() < 1e-9 {
        format!("10{}", superscript(k as i64))
    } else {
        format!("{}×10{}", trim_num(m), superscript(k as i64))
    }
}

fn trim_num(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let s = format!("{:.6}", (v * 1e6).round() / 1e6);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.replace('-', "−")
    }
}

/// Ticks of a log axis over [lo, hi] (data units): (labelled, light).
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let span = hi.log10() - lo.log10();
    let (mut bold, mut light) = (Vec::new(), Vec::new());
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    for k in k0..=k1 {
        for m in 1..=9 {
            let v = m as f64 * 10f64.powi(k);
            if v < lo * (1.0 - 1e-9) || v > hi * (1.0 + 1e-9) {
                continue;
            }
            if m == 1 || (span < 1.6 && (m == 2 || m == 5)) {
                bold.push(v);
            } else {
                light.push(v);
            }
        }
    }
    (bold, light)
}

/// An axis: data range and scale.
#[derive(Debug, Clone, Copy)]
struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
}

impl Axis {
    /// From the values to show (already positive on a log axis).
    fn fit(vals: &[f64], log: bool) -> Option<Axis> {
        let t: Vec<f64> = vals
            .iter()
            .filter(|v| v.is_finite() && (!log || **v > 0.0))
            .map(|&v| if log { v.log10() } else { v })
            .collect();
        if t.is_empty() {
            return None;
        }
        let (mut a, mut b) = t.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        if b - a < 1e-12 * a.abs().max(1.0) {
            let w = if log { 0.5 } else { a.abs().max(1.0) * 0.1 };
            a -= w;
            b += w;
        }
        let pad = (b - a) * 0.05;
        a -= pad;
        b += pad;
        if log {
            // Snap outward to a decade when it is close, so that the axis
            // carries labelled powers of ten.
            if a - a.floor() < 0.2 {
                a = a.floor();
            }
            if b.ceil() - b < 0.2 {
                b = b.ceil();
            }
            if b.floor() < a.ceil() && b - a < 1.0 {
                // No power of ten inside: widen to the nearest one.
                if a - a.floor() < b.ceil() - b {
                    a = a.floor();
                } else {
                    b = b.ceil();
                }
            }
            Some(Axis {
                lo: 10f64.powf(a),
                hi: 10f64.powf(b),
                log,
            })
        } else {
            Some(Axis { lo: a, hi: b, log })
        }
    }

    fn label(&self, v: f64) -> String {
        if self.log {
            log_tick_label(v)
        } else {
            trim_num(v)
        }
    }
}

type LinAxis = RangedCoordf64;
type LogAxis = plotters::coord::combinators::WithKeyPoints<plotters::coord::combinators::LogCoord<f64>>;

fn lin_axis(a: Axis) -> LinAxis {
    (a.lo..a.hi).into()
}

fn log_axis(a: Axis) -> LogAxis {
    use plotters::coord::combinators::{BindKeyPoints, IntoLogRange};
    let (bold, light) = log_ticks(a.lo, a.hi);
    (a.lo..a.hi).log_scale().with_key_points(bold).with_light_points(light)
}

/// A panel's axes as drawn: SVG body, plotting area (x0, y0, x1, y1) and
/// the pixels of the points asked for.
type Drawn = (String, [i32; 4], Vec<(i32, i32)>);

/// What the axes of one panel need.
struct Frame<'s> {
    size: (u32, u32),
    title: &'s str,
    x_desc: &'s str,
    y_desc: &'s str,
    x: Axis,
    y: Axis,
}

/// Draws the axes of a panel with plotters and maps `pts` (data units) to
/// pixels: (SVG body without the outer `<svg>`, plotting area, pixels).
fn axes<X, Y>(f: &Frame, xr: X, yr: Y, pts: &[(f64, f64)]) -> std::result::Result<Drawn, String>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let mut svg = String::new();
    let (area, px);
    {
        let root = SVGBackend::with_string(&mut svg, f.size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let mut b = ChartBuilder::on(&root);
        b.margin_top(8).margin_left(8).margin_right(14).margin_bottom(4);
        b.x_label_area_size(42).y_label_area_size(74);
        if !f.title.is_empty() {
            b.caption(f.title, ("sans-serif", 14));
        }
        let mut chart = b.build_cartesian_2d(xr, yr).map_err(|e| e.to_string())?;
        let (xa, ya) = (f.x, f.y);
        let xf = move |v: &f64| xa.label(*v);
        let yf = move |v: &f64| ya.label(*v);
        chart
            .configure_mesh()
            .x_desc(f.x_desc)
            .y_desc(f.y_desc)
            .x_label_formatter(&xf)
            .y_label_formatter(&yf)
            .label_style(("sans-serif", FONT))
            .axis_desc_style(("sans-serif", 13))
            .bold_line_style(BLACK.mix(0.15))
            .light_line_style(BLACK.mix(0.05))
            .draw()
            .map_err(|e| e.to_string())?;
        let (xs, ys) = chart.plotting_area().get_pixel_range();
        area = [xs.start, ys.start, xs.end, ys.end];
        px = pts.iter().map(|p| chart.backend_coord(p)).collect::<Vec<_>>();
        root.present().map_err(|e| e.to_string())?;
    }
    let body_start = svg.find('\n').map(|i| i + 1).unwrap_or(0);
    let body_end = svg.rfind("</svg>").unwrap_or(svg.len());
    Ok((svg[body_start..body_end].to_string(), area, px))
}

fn axes_any(f: &Frame, pts: &[(f64, f64)]) -> std::result::Result<Drawn, String> {
    match (f.x.log, f.y.log) {
        (false, false) => axes(f, lin_axis(f.x), lin_axis(f.y), pts),
        (false, true) => axes(f, lin_axis(f.x), log_axis(f.y), pts),
        (true, false) => axes(f, log_axis(f.x), lin_axis(f.y), pts),
        (true, true) => axes(f, log_axis(f.x), log_axis(f.y), pts),
    }
}

/// Greedy word wrap at `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A legend entry: one key, its colour and its rows (style, wrapped lines).
struct Entry {
    key: String,
    color: &'static str,
    rows: Vec<(Style, bool, Vec<String>)>,
}

fn legend_size(entries: &[Entry]) -> (f64, f64) {
    let mut chars = 0;
    let mut h = 8.0;
    for e in entries {
        for (_, _, lines) in &e.rows {
            chars = lines.iter().map(|l| l.chars().count()).fold(chars, usize::max);
            h += ROW_H * lines.len().max(1) as f64;
        }
        h += 5.0;
    }
    (48.0 + chars as f64 * CHAR_W + 10.0, h + 3.0)
}

fn legend_svg(entries: &[Entry], at: (f64, f64), size: (f64, f64)) -> String {
    let mut s = String::new();
    let _ = writeln!(s, r#"<g class="legend" transform="translate({:.1},{:.1})">"#, at.0, at.1);
    let _ = writeln!(
        s,
        r##"<rect class="legend-box" x="0" y="0" width="{:.1}" height="{:.1}" fill="#FFFFFF" stroke="#999999" stroke-width="1"/>"##,
        size.0, size.1
    );
    let mut y = 8.0;
    for e in entries {
        let _ = writeln!(s, r#"<g class="legend-entry" data-key="{}">"#, esc(&e.key));
        for (style, bars, lines) in &e.rows {
            let cy = y + ROW_H / 2.0;
            match style {
                Style::Points => {
                    if *bars {
                        let _ = writeln!(
                            s,
                            r#"<line x1="22" y1="{:.1}" x2="22" y2="{:.1}" stroke="{c}" stroke-width="1"/>"#,
                            cy - 6.0,
                            cy + 6.0,
                            c = e.color
                        );
                    }
                    let _ = writeln!(s, r#"<circle cx="22" cy="{cy:.1}" r="3.5" fill="{c}" stroke="none"/>"#, c = e.color);
                }
                Style::Line | Style::Reference => {
                    let dash = if *style == Style::Reference {
                        r#" stroke-dasharray="7 4""#
                    } else {
                        ""
                    };
                    let _ = writeln!(
                        s,
                        r#"<polyline fill="none" stroke="{c}" stroke-width="2"{dash} points="8,{cy:.1} 38,{cy:.1}"/>"#,
                        c = e.color
                    );
                }
            }
            for (i, l) in lines.iter().enumerate() {
                let _ = writeln!(
                    s,
                    r##"<text x="46" y="{:.1}" dy="0.35em" font-family="sans-serif" font-size="{FONT}" fill="#000000">{}</text>"##,
                    cy + ROW_H * i as f64,
                    esc(l)
                );
            }
            y += ROW_H * lines.len().max(1) as f64;
        }
        y += 5.0;
        s.push_str("</g>\n");
    }
    s.push_str("</g>\n");
    s
}

/// Renders the plot as an SVG document.
pub fn render_svg(plot: &Plot) -> Result<String> {
    let fail = |e: String| Error::Io {
        path: format!("plot `{}`", plot.title),
        message: e,
    };
    if plot.panels.is_empty() {
        return Err(fail("no panels".into()));
    }
    // Colours: keys in order of first appearance over the figure.
    let mut keys: Vec<String> = Vec::new();
    let key_of = |pi: usize, si: usize, s: &Series| -> Option<String> {
        match (&s.key, s.style) {
            (Some(k), _) => Some(k.clone()),
            (None, Style::Reference) => None,
            (None, _) => Some(format!("#{pi}.{si}")),
        }
    };
    for (pi, p) in plot.panels.iter().enumerate() {
        for (si, s) in p.series.iter().enumerate() {
            if let Some(k) = key_of(pi, si, s) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    let color_of = |k: &Option<String>| -> &'static str {
        match k {
            None => REFERENCE_COLOR,
            Some(k) => PALETTE[keys.iter().position(|x| x == k).unwrap_or(0) % PALETTE.len()],
        }
    };
    // Ranges: x shared by all panels, y by panels with the same label and scale.
    let finite = |s: &Series, log_x: bool| -> Vec<(f64, f64, f64)> {
        s.points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.0.is_finite() && p.1.is_finite() && (!log_x || p.0 > 0.0))
            .map(|(i, &(x, y))| (x, y, s.errors.as_ref().and_then(|e| e.get(i)).copied().unwrap_or(0.0)))
            .collect()
    };
    let xs: Vec<f64> = plot
        .panels
        .iter()
        .flat_map(|p| p.series.iter().flat_map(|s| finite(s, plot.log_x).into_iter().map(|q| q.0)))
        .collect();
    let x_axis = Axis::fit(&xs, plot.log_x).ok_or_else(|| fail("no finite points to plot".into()))?;
    let y_axis_of = |panel: &Panel| -> Option<Axis> {
        let mut ys = Vec::new();
        for p in plot.panels.iter().filter(|p| p.y_label == panel.y_label && p.log_y == panel.log_y) {
            for s in &p.series {
                for (_, y, e) in finite(s, plot.log_x) {
                    if panel.log_y && y <= 0.0 {
                        continue;
                    }
                    ys.push(y);
                    let e = if e.is_finite() { e.abs() } else { 0.0 };
                    ys.push(y + e);
                    if !panel.log_y || y - e > 0.0 {
                        ys.push(y - e);
                    }
                }
            }
        }
        Axis::fit(&ys, panel.log_y)
    };
    // Legend entries per panel, and the legend column's width.
    let mut legends = Vec::new();
    for (pi, p) in plot.panels.iter().enumerate() {
        let mut entries: Vec<Entry> = Vec::new();
        for (si, s) in p.series.iter().enumerate() {
            let k = key_of(pi, si, s);
            let name = k.clone().unwrap_or_else(|| "reference".into());
            let idx = match entries.iter().position(|e| e.key == name) {
                Some(i) => i,
                None => {
                    entries.push(Entry {
                        key: name,
                        color: color_of(&k),
                        rows: Vec::new(),
                    });
                    entries.len() - 1
                }
            };
            if !s.name.is_empty() {
                entries[idx].rows.push((s.style, s.errors.is_some(), wrap(&s.name, WRAP)));
            }
        }
        for e in entries.iter_mut().filter(|e| e.rows.is_empty()) {
            e.rows.push((Style::Points, false, vec![e.key.clone()]));
        }
        legends.push(entries);
    }
    let legend_w = legends.iter().map(|l| legend_size(l).0).fold(120.0, f64::max);
    let width = PLOT_W as f64 + legend_w + 16.0;
    let top = 34.0 + 17.0 * plot.notes.len() as f64;
    let mut panels_svg = String::new();
    let mut y0 = top;
    for (pi, p) in plot.panels.iter().enumerate() {
        let y_axis = match y_axis_of(p) {
            Some(a) => a,
            None => continue,
        };
        let (lw, lh) = legend_size(&legends[pi]);
        let base_h = if plot.panels.len() == 1 { SINGLE_H } else { PANEL_H };
        let h = (base_h as f64).max(lh + 40.0).ceil() as u32;
        // Points to map: per series, each point and its error-bar ends.
        let mut pts = Vec::new();
        let mut plan = Vec::new();
        for s in &p.series {
            let mut v = Vec::new();
            for (x, y, e) in finite(s, plot.log_x) {
                if p.log_y && y <= 0.0 {
                    continue;
                }
                let i = pts.len();
                pts.push((x, y));
                let bar = s.errors.is_some() && e.is_finite() && e > 0.0;
                if bar {
                    let lo = if p.log_y && y - e <= 0.0 { y_axis.lo } else { y - e };
                    pts.push((x, lo));
                    pts.push((x, y + e));
                }
                v.push((i, bar));
            }
            plan.push(v);
        }
        let frame = Frame {
            size: (PLOT_W, h),
            title: &p.title,
            x_desc: &plot.x_label,
            y_desc: &p.y_label,
            x: x_axis,
            y: y_axis,
        };
        let (body, area, px) = axes_any(&frame, &pts).map_err(fail)?;
        let _ = writeln!(panels_svg, r#"<g class="panel" transform="translate(0,{y0:.1})">"#);
        panels_svg.push_str(r#"<g class="axes">"#);
        panels_svg.push('\n');
        panels_svg.push_str(&body);
        panels_svg.push_str("</g>\n");
        let _ = writeln!(
            panels_svg,
            r#"<g class="data" data-area="{},{},{},{}">"#,
            area[0], area[1], area[2], area[3]
        );
        // Solid lines, then dashed references, then error bars and markers.
        let order = p
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| s.style == Style::Line)
            .chain(p.series.iter().enumerate().filter(|(_, s)| s.style == Style::Reference));
        for (si, s) in order {
            let c = color_of(&key_of(pi, si, s));
            let coords: Vec<String> = plan[si].iter().map(|&(i, _)| format!("{},{}", px[i].0, px[i].1)).collect();
            if coords.len() < 2 {
                continue;
            }
            let dash = if s.style == Style::Reference {
                r#" stroke-dasharray="7 4""#
            } else {
                ""
            };
            let _ = writeln!(
                panels_svg,
                r#"<polyline fill="none" stroke="{c}" stroke-width="2"{dash} points="{}"/>"#,
                coords.join(" ")
            );
        }
        for (si, s) in p.series.iter().enumerate() {
            let c = color_of(&key_of(pi, si, s));
            for &(i, bar) in &plan[si] {
                if bar {
                    let (lo, hi) = (px[i + 1], px[i + 2]);
                    let _ = writeln!(
                        panels_svg,
                        r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{c}" stroke-width="1.2"/>"#,
                        lo.1,
                        hi.1,
                        x = lo.0
                    );
                    for yy in [lo.1, hi.1] {
                        let _ = writeln!(
                            panels_svg,
                            r#"<line x1="{}" y1="{yy}" x2="{}" y2="{yy}" stroke="{c}" stroke-width="1.2"/>"#,
                            lo.0 - 3,
                            lo.0 + 3
                        );
                    }
                }
                if s.style == Style::Points {
                    let _ = writeln!(
                        panels_svg,
                        r#"<circle cx="{}" cy="{}" r="3.5" fill="{c}" stroke="none"/>"#,
                        px[i].0, px[i].1
                    );
                }
            }
        }
        panels_svg.push_str("</g>\n");
        let at = (PLOT_W as f64 + 6.0, area[1] as f64);
        panels_svg.push_str(&legend_svg(&legends[pi], at, (lw.max(legend_w), lh)));
        panels_svg.push_str("</g>\n");
        y0 += h as f64;
    }
    let height = y0 + 6.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" xmlns="http://www.w3.org/2000/svg">"#,
        w = width.ceil(),
        h = height.ceil()
    );
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{:.0}" height="{:.0}" fill="#FFFFFF" stroke="none"/>"##,
        width.ceil(),
        height.ceil()
    );
    let _ = writeln!(
        svg,
        r##"<text class="title" x="{:.1}" y="22" text-anchor="middle" font-family="sans-serif" font-size="16" fill="#000000">{}</text>"##,
        width / 2.0,
        esc(&plot.title)
    );
    for (i, n) in plot.notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            r##"<text class="note" x="{:.1}" y="{:.1}" text-anchor="middle" font-family="sans-serif" font-size="12" fill="#333333">{}</text>"##,
            width / 2.0,
            40.0 + 17.0 * i as f64,
            esc(n)
        );
    }
    svg.push_str(&panels_svg);
    svg.push_str("</svg>\n");
    Ok(svg)
}

#[cfg(test)]
mod tests;
