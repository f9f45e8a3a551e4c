//! Figures as data: what an experiment wants drawn (panels of series with
//! their error bars, fits and reference lines), independent of how it is
//! rendered. The front (`plot`, private) renders a [`Plot`] to SVG in the
//! report's one style; experiments only describe.

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Markers only (measurements), with error bars when given.
    Points,
    /// A solid line (fits, exact curves).
    Line,
    /// A dashed line: the claim checked (theoretical slope, bound, closed form).
    Reference,
}

/// One series: named points, optionally with ± error bars (in data units).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend row (empty: no row of its own, the key's other rows name it).
    pub name: String,
    /// (x, y) points in data units.
    pub points: Vec<(f64, f64)>,
    /// Half-widths of error bars in y (data units), one per point.
    pub errors: Option<Vec<f64>>,
    /// Drawing style.
    pub style: Style,
    /// Colour key: series with the same key share one colour and one legend
    /// entry (a measurement, its fit and its reference). `None`: a key of its
    /// own (a [`Style::Reference`] without key is dark grey).
    pub key: Option<String>,
}

impl Series {
    fn new(name: impl Into<String>, points: Vec<(f64, f64)>, style: Style) -> Series {
        Series {
            name: name.into(),
            points,
            errors: None,
            style,
            key: None,
        }
    }

    /// Measured points.
    pub fn points(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series::new(name, points, Style::Points)
    }

    /// A solid line (a fit, an exact curve).
    pub fn line(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series::new(name, points, Style::Line)
    }

    /// A dashed reference line: the claim (theoretical slope, bound).
    pub fn reference(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series::new(name, points, Style::Reference)
    }

    /// With ± error bars (half-widths in y, data units, one per point).
    pub fn with_errors(mut self, errors: Vec<f64>) -> Series {
        self.errors = Some(errors);
        self
    }

    /// With a colour key (shared by a measurement, its fit and its reference).
    pub fn key(mut self, key: impl Into<String>) -> Series {
        self.key = Some(key.into());
        self
    }
}

/// One panel of a figure: its series against the figure's x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Panel title (empty for a single-panel figure).
    pub title: String,
    /// y-axis label (the quantity and its units; never "log10 …").
    pub y_label: String,
    /// Logarithmic y axis.
    pub log_y: bool,
    /// The series (at most six keys, `svg_check::MAX_SERIES_PER_PANEL`).
    pub series: Vec<Series>,
}

/// A figure: one or more panels (small multiples) sharing the x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// Title: statement ID first, report symbols (π_η, λ, β, η, θ).
    pub title: String,
    /// x-axis label (the quantity; never "log10 …").
    pub x_label: String,
    /// Logarithmic x axis.
    pub log_x: bool,
    /// The panels, drawn one under the other.
    pub panels: Vec<Panel>,
    /// Lines of annotation under the title (e.g. the slack of a bound).
    pub notes: Vec<String>,
}

impl Plot {
    /// A figure of one panel.
    pub fn single(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        log_x: bool,
        log_y: bool,
        series: Vec<Series>,
    ) -> Plot {
        Plot {
            title: title.into(),
            x_label: x_label.into(),
            log_x,
            panels: vec![Panel {
                title: String::new(),
                y_label: y_label.into(),
                log_y,
                series,
            }],
            notes: Vec::new(),
        }
    }
}
