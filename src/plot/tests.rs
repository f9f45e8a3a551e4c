//! The report's plotting style (`src/plot.rs`), read back from the SVG by
//! `svg_check::check_svg`: one colour per series in a panel, every drawn colour in
//! the legend, at most `MAX_SERIES_PER_PANEL` series per panel, and a legend
//! box that meets no data marker, error bar, line or data area. With its
//! controls: a plot whose legend is moved over the data, a plot with two
//! series of one colour and a panel with too many series must fail the same
//! check. Every SVG of `reproduce --quick` is checked in `tests/cli.rs`
//! (`reproduce_quick_is_deterministic_and_matches_golden`), where the quick
//! audit already runs.

use super::{log_tick_label, render_svg, Panel, Plot, Series, MAX_SERIES_PER_PANEL};
use crate::svg_check::check_svg;

/// Two panels in the report's style: measured points with error bars, their
/// fit in the same colour, a dashed reference, shared log axes.
fn sample() -> Plot {
    let etas: [f64; 5] = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
    let mut panels = Vec::new();
    for (t, scale) in [("setting A", 1.0), ("setting B", 0.3)] {
        let mut series = Vec::new();
        for (k, c) in [("f", 1.0), ("g", 2.0)] {
            let pts: Vec<(f64, f64)> = etas.iter().map(|&e| (e, scale * c * e.sqrt())).collect();
            series.push(
                Series::points(format!("{k}: order 0.50 ± 0.01"), pts.clone())
                    .with_errors(pts.iter().map(|p| 0.1 * p.1).collect())
                    .key(k),
            );
            series.push(Series::line("log-log fit", pts).key(k));
        }
        series.push(Series::reference(
            "claimed order 1/2",
            etas.iter().map(|&e| (e, 0.5 * e.sqrt())).collect(),
        ));
        panels.push(Panel {
            title: t.into(),
            y_label: "|error|".into(),
            log_y: true,
            series,
        });
    }
    Plot {
        title: "X: a test figure, error versus η".into(),
        x_label: "η".into(),
        log_x: true,
        panels,
        notes: vec!["a note".into()],
    }
}

/// The first data marker of the first panel, in the panel's coordinates
/// (where the panel's legend is placed too).
fn first_marker(svg: &str) -> (f64, f64) {
    let c = &svg[svg.find("<circle").unwrap()..];
    let num = |k: &str| -> f64 {
        c.split(&format!(r#"{k}=""#))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("cx"), num("cy"))
}

#[test]
fn a_plot_in_the_style_passes_the_check() {
    let svg = render_svg(&sample()).unwrap();
    assert_eq!(check_svg(&svg), Vec::<String>::new());
    // Real log axes, labelled in the quantity's units.
    assert!(svg.contains("10⁻³") && svg.contains("10⁻¹"), "log tick labels");
    assert!(!svg.contains("log10"));
    // Error bars, a dashed reference, the title and the note.
    assert!(svg.contains("stroke-dasharray"));
    assert!(svg.contains("X: a test figure, error versus η"));
    assert!(svg.contains("a note"));
}

#[test]
fn the_fit_has_the_colour_of_its_points() {
    let svg = render_svg(&sample()).unwrap();
    // Every colour of a data circle is also the colour of a solid polyline (its fit).
    let circle_colours: std::collections::BTreeSet<&str> = svg
        .split("<circle")
        .skip(1)
        .map(|c| c.split(r#"fill=""#).nth(1).unwrap().split('"').next().unwrap())
        .collect();
    assert_eq!(circle_colours.len(), 2);
    for c in circle_colours {
        assert!(
            svg.contains(&format!(r#"<polyline fill="none" stroke="{c}" stroke-width="2" points="#)),
            "{c}"
        );
    }
}

/// Control: the same plot with its legend moved onto the data fails.
#[test]
fn control_overlapping_legend_fails() {
    let svg = render_svg(&sample()).unwrap();
    let (x, y) = first_marker(&svg);
    let i = svg.find(r#"<g class="legend" transform="translate("#).unwrap();
    let j = i + svg[i..].find(")\">").unwrap();
    let moved = format!(
        r#"{}<g class="legend" transform="translate({:.1},{:.1}{}"#,
        &svg[..i],
        x - 10.0,
        y - 10.0,
        &svg[j..]
    );
    let problems = check_svg(&moved);
    assert!(
        problems.iter().any(|p| p.contains("covers") && p.contains("data marker")),
        "{problems:?}"
    );
    assert!(problems.iter().any(|p| p.contains("data area")), "{problems:?}");
}

/// Control: two series of one colour in a panel fail.
#[test]
fn control_two_series_of_one_colour_fails() {
    let svg = render_svg(&sample()).unwrap();
    // Recolour the second series (and its legend entry) with the first one's colour.
    let one_colour = svg.replace("#D55E00", "#0072B2");
    let problems = check_svg(&one_colour);
    assert!(problems.iter().any(|p| p.contains("share the colour #0072B2")), "{problems:?}");
}

/// Control: a panel with more series than the style allows fails (and, past
/// the palette, two of them share a colour).
#[test]
fn control_too_many_series_fails() {
    let series: Vec<Series> = (0..=MAX_SERIES_PER_PANEL)
        .map(|i| Series::points(format!("s{i}"), vec![(1.0, 1.0 + i as f64), (2.0, 2.0 + i as f64)]))
        .collect();
    let svg = render_svg(&Plot::single("X: crowded", "n", "y", false, false, series)).unwrap();
    let problems = check_svg(&svg);
    assert!(problems.iter().any(|p| p.contains("series in one panel")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("share the colour")), "{problems:?}");
}

/// Control: a colour drawn in the data area but missing from the legend fails.
#[test]
fn control_unnamed_colour_fails() {
    let svg = render_svg(&sample()).unwrap();
    let k = svg.find("<circle").unwrap();
    let tampered = format!("{}{}", &svg[..k], svg[k..].replacen("#0072B2", "#123456", 1));
    let problems = check_svg(&tampered);
    assert!(
        problems.iter().any(|p| p.contains("#123456") && p.contains("not in the legend")),
        "{problems:?}"
    );
}

#[test]
fn log_tick_labels_are_powers_of_ten() {
    assert_eq!(log_tick_label(1e-3), "10⁻³");
    assert_eq!(log_tick_label(1.0), "10⁰");
    assert_eq!(log_tick_label(100.0), "10²");
    assert_eq!(log_tick_label(2e-3), "2×10⁻³");
    assert_eq!(log_tick_label(5e4), "5×10⁴");
}
