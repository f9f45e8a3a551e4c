//! The style check of the report's SVG figures, readable without the
//! renderer: [`check_svg`] reads a figure written by the report's plotting
//! style back from its SVG text (element coordinates, colours, the groups
//! `panel`, `data`, `legend`, `legend-entry`) and lists every breach it
//! can see: two legend entries of one colour in a panel, a drawn colour
//! missing from the legend, more than [`MAX_SERIES_PER_PANEL`] entries, a
//! legend box that meets a data marker, an error bar, a line or the data
//! area. An empty list means the figure passes. Auditors can run it on any
//! `reproduce` output; the tests run it on every figure of the quick audit.

use std::collections::BTreeSet;

/// At most this many series (colour keys) in one panel.
pub const MAX_SERIES_PER_PANEL: usize = 6;

/// A data segment: panel and end points (pixels).
type Segment = (usize, (f64, f64), (f64, f64));

/// One element of an SVG document: its name, attributes and the translation
/// accumulated from the enclosing groups, and the classes of those groups.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    offset: (f64, f64),
    groups: Vec<(String, usize)>,
}

impl Element {
    fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }

    fn num(&self, k: &str) -> f64 {
        self.attr(k).and_then(|v| v.trim().parse().ok()).unwrap_or(f64::NAN)
    }

    /// The innermost enclosing group of class `c` (its running number).
    fn within(&self, c: &str) -> Option<usize> {
        self.groups.iter().rev().find(|(g, _)| g == c).map(|g| g.1)
    }
}

fn parse_attrs(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].split_whitespace().last().unwrap_or("").to_string();
        let after = &rest[eq + 2..];
        let end = after.find('"').unwrap_or(after.len());
        out.push((key, after[..end].to_string()));
        rest = &after[(end + 1).min(after.len())..];
    }
    out
}

fn translate(t: &str) -> (f64, f64) {
    let inner = t
        .trim()
        .strip_prefix("translate(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or("0,0");
    let v: Vec<f64> = inner
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    (v.first().copied().unwrap_or(0.0), v.get(1).copied().unwrap_or(0.0))
}

/// Every element of the document with its group context.
fn elements(svg: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut stack: Vec<(String, usize, (f64, f64))> = Vec::new();
    let mut counters: std::collections::HashMap<String, usize> = Default::default();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let j = match after.find('>') {
            Some(j) => j,
            None => break,
        };
        let tag = &after[..j];
        rest = &after[j + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            if name.trim() == "g" {
                stack.pop();
            }
            continue;
        }
        let name: String = tag.chars().take_while(|c| !c.is_whitespace() && *c != '/').collect();
        let attrs = parse_attrs(tag);
        let offset = stack.last().map(|s| s.2).unwrap_or((0.0, 0.0));
        if name == "g" && !tag.ends_with('/') {
            let class = attrs.iter().find(|(k, _)| k == "class").map(|(_, v)| v.clone()).unwrap_or_default();
            let (dx, dy) = attrs
                .iter()
                .find(|(k, _)| k == "transform")
                .map(|(_, v)| translate(v))
                .unwrap_or((0.0, 0.0));
            let n = counters.entry(class.clone()).or_insert(0);
            let id = *n;
            *n += 1;
            stack.push((class, id, (offset.0 + dx, offset.1 + dy)));
            // The group itself, in its own context (its translation included).
            out.push(Element {
                name,
                attrs,
                offset: (offset.0 + dx, offset.1 + dy),
                groups: stack.iter().map(|s| (s.0.clone(), s.1)).collect(),
            });
            continue;
        }
        out.push(Element {
            name,
            attrs,
            offset,
            groups: stack.iter().map(|s| (s.0.clone(), s.1)).collect(),
        });
    }
    out
}

fn seg_meets_rect(a: (f64, f64), b: (f64, f64), r: [f64; 4]) -> bool {
    // Liang–Barsky clipping of the segment to the rectangle.
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [(-dx, a.0 - r[0]), (dx, r[2] - a.0), (-dy, a.1 - r[1]), (dy, r[3] - a.1)] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}

fn rects_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// Checks a rendered plot against the style: returns one line per breach
/// (empty when the plot passes). Per panel: at most
/// [`MAX_SERIES_PER_PANEL`] legend entries, one colour per entry, no two
/// entries of one colour, every colour drawn in the data area named in the
/// legend; over the figure: no legend box meets a data marker, an error bar
/// or a data line (of any panel), nor a data area. Pure: reads only `svg`.
pub fn check_svg(svg: &str) -> Vec<String> {
    let els = elements(svg);
    let mut problems = Vec::new();
    let panels: BTreeSet<usize> = els.iter().filter_map(|e| e.within("panel")).collect();
    if panels.is_empty() {
        problems.push("no panel found".to_string());
    }
    let color = |e: &Element| -> Option<String> {
        let c = if e.name == "circle" { e.attr("fill") } else { e.attr("stroke") };
        c.filter(|c| c.starts_with('#')).map(|c| c.to_uppercase())
    };
    // Data geometry (absolute), legend boxes and data areas.
    let mut marks: Vec<(usize, [f64; 4])> = Vec::new(); // circles as boxes
    let mut segs: Vec<Segment> = Vec::new();
    let mut boxes: Vec<(usize, [f64; 4])> = Vec::new();
    let mut areas: Vec<(usize, [f64; 4])> = Vec::new();
    for e in &els {
        let (ox, oy) = e.offset;
        let panel = e.within("panel").unwrap_or(usize::MAX);
        if e.within("data").is_some() && e.within("legend").is_none() && e.name != "g" {
            match e.name.as_str() {
                "circle" => {
                    let (x, y, r) = (e.num("cx") + ox, e.num("cy") + oy, e.num("r"));
                    marks.push((panel, [x - r, y - r, x + r, y + r]));
                }
                "line" => segs.push((panel, (e.num("x1") + ox, e.num("y1") + oy), (e.num("x2") + ox, e.num("y2") + oy))),
                "polyline" => {
                    let p: Vec<(f64, f64)> = e
                        .attr("points")
                        .unwrap_or("")
                        .split_whitespace()
                        .filter_map(|xy| {
                            let (a, b) = xy.split_once(',')?;
                            Some((a.parse::<f64>().ok()? + ox, b.parse::<f64>().ok()? + oy))
                        })
                        .collect();
                    for w in p.windows(2) {
                        segs.push((panel, w[0], w[1]));
                    }
                    if p.len() == 1 {
                        segs.push((panel, p[0], p[0]));
                    }
                }
                _ => {}
            }
        }
        if e.name == "rect" && e.attr("class") == Some("legend-box") {
            let (x, y) = (e.num("x") + ox, e.num("y") + oy);
            boxes.push((panel, [x, y, x + e.num("width"), y + e.num("height")]));
        }
    }
    // Data areas, from the data groups' own attribute.
    for e in els.iter().filter(|e| e.name == "g" && e.attr("class") == Some("data")) {
        let a: Vec<f64> = e
            .attr("data-area")
            .unwrap_or("")
            .split(',')
            .filter_map(|s| s.trim().parse().ok())
            .collect();
        if a.len() == 4 {
            let (ox, oy) = e.offset;
            areas.push((
                e.within("panel").unwrap_or(usize::MAX),
                [a[0] + ox, a[1] + oy, a[2] + ox, a[3] + oy],
            ));
        }
    }
    for &p in &panels {
        // Legend entries of this panel and their colours.
        let mut entries: Vec<(usize, BTreeSet<String>)> = Vec::new();
        for e in els.iter().filter(|e| e.within("panel") == Some(p)) {
            if let Some(k) = e.within("legend-entry") {
                if e.name == "text" {
                    continue;
                }
                if let Some(c) = color(e) {
                    match entries.iter_mut().find(|x| x.0 == k) {
                        Some(x) => {
                            x.1.insert(c);
                        }
                        None => entries.push((k, BTreeSet::from([c]))),
                    }
                }
            }
        }
        let has_data = els.iter().any(|e| e.within("panel") == Some(p) && e.within("data").is_some());
        if has_data && !boxes.iter().any(|b| b.0 == p) {
            problems.push(format!("panel {p}: no legend box"));
        }
        if entries.len() > MAX_SERIES_PER_PANEL {
            problems.push(format!(
                "panel {p}: {} series in one panel (at most {MAX_SERIES_PER_PANEL}; use small multiples)",
                entries.len()
            ));
        }
        for (k, cs) in &entries {
            if cs.len() != 1 {
                problems.push(format!("panel {p}: legend entry {k} uses {} colours {cs:?}", cs.len()));
            }
        }
        let mut seen: Vec<&String> = Vec::new();
        for (_, cs) in &entries {
            for c in cs {
                if seen.contains(&c) {
                    problems.push(format!("panel {p}: two series share the colour {c}"));
                }
                seen.push(c);
            }
        }
        let legend_colors: BTreeSet<&String> = entries.iter().flat_map(|e| e.1.iter()).collect();
        let drawn: BTreeSet<String> = els
            .iter()
            .filter(|e| e.within("panel") == Some(p) && e.within("data").is_some())
            .filter_map(color)
            .collect();
        for c in &drawn {
            if !legend_colors.contains(c) {
                problems.push(format!("panel {p}: colour {c} is drawn but not in the legend"));
            }
        }
    }
    for (bp, b) in &boxes {
        let hits = marks.iter().filter(|m| rects_meet(*b, m.1)).count();
        if hits > 0 {
            problems.push(format!("legend box of panel {bp} covers {hits} data marker(s)"));
        }
        let lines = segs.iter().filter(|s| seg_meets_rect(s.1, s.2, *b)).count();
        if lines > 0 {
            problems.push(format!(
                "legend box of panel {bp} meets {lines} data line segment(s) or error bar(s)"
            ));
        }
        for (ai, a) in &areas {
            if rects_meet(*b, *a) {
                problems.push(format!("legend box of panel {bp} lies over the data area of panel {ai}"));
            }
        }
    }
    problems
}
