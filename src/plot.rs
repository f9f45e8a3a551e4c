//! SVG plots of sweeps (plotters' SVG backend; no system fonts needed).
//!
//! Log scales are drawn by plotting log10 of the data on linear axes, with
//! the axis label saying so; this keeps the rendering simple and exact.

use crate::error::{Error, Result};
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Markers only (measurements).
    Points,
    /// A line only (fits, theory).
    Line,
}

/// One series: named points, optionally with ± error bars (in data units).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend entry.
    pub name: String,
    /// (x, y) points in data units.
    pub points: Vec<(f64, f64)>,
    /// Half-widths of error bars in y (data units), one per point.
    pub errors: Option<Vec<f64>>,
    /// Drawing style.
    pub style: Style,
}

/// A 2-D plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Title.
    pub title: String,
    /// x-axis label (data units; "log10 " is prepended on a log axis).
    pub x_label: String,
    /// y-axis label.
    pub y_label: String,
    /// log10 scale on x.
    pub log_x: bool,
    /// log10 scale on y.
    pub log_y: bool,
    /// The series.
    pub series: Vec<Series>,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(23, 190, 207),
];

fn tr(v: f64, log: bool) -> Option<f64> {
    let t = if log {
        if v > 0.0 {
            v.log10()
        } else {
            f64::NAN
        }
    } else {
        v
    };
    t.is_finite().then_some(t)
}

/// Renders the plot as an SVG document.
pub fn render_svg(plot: &Plot) -> Result<String> {
    let fail = |e: String| Error::Io {
        path: format!("plot `{}`", plot.title),
        message: e,
    };
    let mut pts: Vec<Vec<(f64, f64, f64, f64)>> = Vec::new();
    for s in &plot.series {
        let mut v = Vec::new();
        for (i, &(x, y)) in s.points.iter().enumerate() {
            let e = s.errors.as_ref().and_then(|e| e.get(i)).copied().unwrap_or(0.0);
            if let (Some(tx), Some(ty)) = (tr(x, plot.log_x), tr(y, plot.log_y)) {
                let lo = tr(y - e, plot.log_y).unwrap_or(ty);
                let hi = tr(y + e, plot.log_y).unwrap_or(ty);
                v.push((tx, ty, lo, hi));
            }
        }
        pts.push(v);
    }
    let all: Vec<&(f64, f64, f64, f64)> = pts.iter().flatten().collect();
    if all.is_empty() {
        return Err(fail("no finite points to plot".into()));
    }
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for p in &all {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.2.min(p.1));
        y1 = y1.max(p.3.max(p.1));
    }
    let pad = |a: f64, b: f64| {
        let w = if b > a { (b - a) * 0.05 } else { 0.5 };
        (a - w, b + w)
    };
    let (x0, x1) = pad(x0, x1);
    let (y0, y1) = pad(y0, y1);
    let label = |l: &str, log: bool| if log { format!("log10 {l}") } else { l.to_string() };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(e.to_string()))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&plot.title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| fail(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc(label(&plot.x_label, plot.log_x))
            .y_desc(label(&plot.y_label, plot.log_y))
            .draw()
            .map_err(|e| fail(e.to_string()))?;
        for (i, (s, p)) in plot.series.iter().zip(&pts).enumerate() {
            let c = COLORS[i % COLORS.len()];
            let xy: Vec<(f64, f64)> = p.iter().map(|q| (q.0, q.1)).collect();
            let anno = match s.style {
                Style::Line => chart.draw_series(LineSeries::new(xy, c.stroke_width(2))),
                Style::Points => chart.draw_series(xy.into_iter().map(|q| Circle::new(q, 4, c.filled()))),
            }
            .map_err(|e| fail(e.to_string()))?;
            anno.label(s.name.clone())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], c.stroke_width(2)));
            if s.errors.is_some() {
                chart
                    .draw_series(p.iter().map(|q| PathElement::new(vec![(q.0, q.2), (q.0, q.3)], c.stroke_width(1))))
                    .map_err(|e| fail(e.to_string()))?;
            }
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| fail(e.to_string()))?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(svg)
}
