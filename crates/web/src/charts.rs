//! Charts drawn on the server as inline SVG: no script, no external service, readable on a cheap
//! phone and printable. Every chart carries a `<title>`/`<desc>` for screen readers, and pages
//! render the same numbers as a table beside it (the accessible fallback), so a chart never holds
//! information of its own.
//!
//! The functions return SVG markup (text already escaped) for templates to insert with `|safe`.

use std::fmt::Write;

/// Colours that stay distinguishable for the common colour-vision deficiencies (Okabe–Ito).
pub const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
];

/// A map point's colour for "no value": grey, outside the palette's meanings.
pub const NO_DATA: usize = usize::MAX;

fn colour_of(index: usize) -> &'static str {
    if index == NO_DATA {
        "#949494"
    } else {
        PALETTE[index % PALETTE.len()]
    }
}

/// One bar: a label, its value, and where a click leads (the records behind it).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub href: Option<String>,
}

/// One row of a stacked bar chart: its parts in the order of the series.
#[derive(Debug, Clone)]
pub struct Stack {
    pub label: String,
    pub parts: Vec<f64>,
    pub href: Option<String>,
}

/// One line of a trend chart: points as (x label, value).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<(String, f64)>,
}

/// Escapes text for SVG content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A number as Vietnamese readers write it: thousands with ".", decimals with ",".
pub fn format_number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c != '0' && c != '.') {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{fraction}")
    }
}

const LABEL_WIDTH: f64 = 180.0;
const VALUE_WIDTH: f64 = 70.0;
const WIDTH: f64 = 640.0;
const ROW: f64 = 22.0;

/// Opens the picture. A chart whose marks are links is a labelled group (an image may not hold
/// focusable links, WCAG 4.1.2); one without links is a single image.
fn open_svg(out: &mut String, height: f64, title: &str, desc: &str, links: bool) {
    let role = if links { "group" } else { "img" };
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="{role}" aria-label="{t}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12"><title>{t}</title><desc>{d}</desc>"#,
        t = escape(title),
        d = escape(desc),
    );
}

/// Cuts a label to what fits beside the bars (the table holds the full text).
fn fit(label: &str, max_chars: usize) -> String {
    if label.chars().count() <= max_chars {
        escape(label)
    } else {
        let cut: String = label.chars().take(max_chars - 1).collect();
        format!("{}…", escape(&cut))
    }
}

fn link_open(out: &mut String, href: &Option<String>) {
    if let Some(h) = href {
        let _ = write!(out, r#"<a href="{}">"#, escape(h));
    }
}

fn link_close(out: &mut String, href: &Option<String>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// Horizontal bars, one per item, scaled to the largest value (or to `max` when given, e.g. 100
/// for percentages). `target` draws a dashed line at that value.
pub fn bars(
    title: &str,
    items: &[Bar],
    max: Option<f64>,
    target: Option<f64>,
    unit: &str,
) -> String {
    let top = max
        .unwrap_or_else(|| items.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(f64::MIN_POSITIVE);
    let height = ROW * items.len().max(1) as f64 + 8.0;
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        title,
        &describe_bars(items, unit),
        items.iter().any(|b| b.href.is_some()),
    );
    for (i, bar) in items.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = (bar.value.max(0.0) / top).min(1.0) * span;
        link_open(&mut out, &bar.href);
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1}" height="{h}" fill="{c}"><title>{full}: {v}{unit}</title></rect><text x="{vx:.1}" y="{ty}">{v}{unit}</text>"#,
            lx = LABEL_WIDTH - 6.0,
            ty = y + 13.0,
            label = fit(&bar.label, 24),
            h = ROW - 6.0,
            c = PALETTE[0],
            full = escape(&bar.label),
            v = format_number(bar.value, decimals_of(bar.value)),
            unit = escape(unit),
            vx = LABEL_WIDTH + w + 4.0,
        );
        link_close(&mut out, &bar.href);
    }
    if let Some(t) = target {
        let x = LABEL_WIDTH + (t / top).min(1.0) * span;
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="0" y2="{height}" stroke="#d55e00" stroke-dasharray="4 3"><title>Chỉ tiêu: {v}{unit}</title></line>"##,
            v = format_number(t, decimals_of(t)),
            unit = escape(unit),
        );
    }
    out.push_str("</svg>");
    out
}

fn describe_bars(items: &[Bar], unit: &str) -> String {
    items
        .iter()
        .map(|b| {
            format!(
                "{}: {}{unit}",
                b.label,
                format_number(b.value, decimals_of(b.value))
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn decimals_of(value: f64) -> usize {
    if value.fract().abs() < 1e-9 { 0 } else { 1 }
}

/// Bars split into parts (one colour per series), e.g. schools of a unit by maturity level.
/// With `percent`, every bar is scaled to its own total (shares); otherwise to the largest total.
pub fn stacked_bars(title: &str, series: &[&str], rows: &[Stack], percent: bool) -> String {
    let legend_height = 22.0;
    let height = legend_height + ROW * rows.len().max(1) as f64 + 8.0;
    let span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
    let largest = rows
        .iter()
        .map(|r| r.parts.iter().sum::<f64>())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let desc = rows
        .iter()
        .map(|r| {
            let parts: Vec<String> = series
                .iter()
                .zip(&r.parts)
                .map(|(s, v)| format!("{s} {}", format_number(*v, decimals_of(*v))))
                .collect();
            format!("{}: {}", r.label, parts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        title,
        &desc,
        rows.iter().any(|r| r.href.is_some()),
    );
    legend(&mut out, series);
    for (i, row) in rows.iter().enumerate() {
        let y = legend_height + 4.0 + ROW * i as f64;
        let total: f64 = row.parts.iter().sum();
        let scale = if percent { total } else { largest }.max(f64::MIN_POSITIVE);
        link_open(&mut out, &row.href);
        let _ = write!(
            out,
            r#"<text x="{lx}" y="{ty}" text-anchor="end">{label}</text>"#,
            lx = LABEL_WIDTH - 6.0,
            ty = y + 13.0,
            label = fit(&row.label, 24),
        );
        let mut x = LABEL_WIDTH;
        for (k, value) in row.parts.iter().enumerate() {
            let w = value.max(0.0) / scale * span;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y}" width="{w:.1}" height="{h}" fill="{c}"><title>{label} — {s}: {v}</title></rect>"#,
                h = ROW - 6.0,
                c = PALETTE[k % PALETTE.len()],
                label = escape(&row.label),
                s = escape(series.get(k).copied().unwrap_or("")),
                v = format_number(*value, decimals_of(*value)),
            );
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{vx:.1}" y="{ty}">{t}</text>"#,
            vx = x + 4.0,
            ty = y + 13.0,
            t = format_number(total, decimals_of(total)),
        );
        link_close(&mut out, &row.href);
    }
    out.push_str("</svg>");
    out
}

fn legend(out: &mut String, series: &[&str]) {
    let mut x = 4.0;
    for (k, name) in series.iter().enumerate() {
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="4" width="12" height="12" fill="{c}"/><text x="{tx:.1}" y="14">{n}</text>"#,
            c = PALETTE[k % PALETTE.len()],
            tx = x + 16.0,
            n = escape(name),
        );
        x += 16.0 + 7.0 * name.chars().count() as f64 + 14.0;
    }
}

/// Lines over time (x labels shared by all series, in order), with an optional dashed target.
/// Values are drawn on 0..`max` (100 for percentages) or 0..the largest value.
pub fn trend(title: &str, series: &[Series], max: Option<f64>, target: Option<f64>) -> String {
    let height = 220.0;
    let (left, right, top_pad, bottom) = (44.0, 16.0, 26.0, 34.0);
    let labels: Vec<&str> = series
        .first()
        .map(|s| s.points.iter().map(|(l, _)| l.as_str()).collect())
        .unwrap_or_default();
    let top = max
        .unwrap_or_else(|| {
            series
                .iter()
                .flat_map(|s| s.points.iter().map(|(_, v)| *v))
                .chain(target)
                .fold(0.0, f64::max)
        })
        .max(f64::MIN_POSITIVE);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top_pad - bottom;
    let x_of = |i: usize| {
        if labels.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (labels.len() - 1) as f64
        }
    };
    let y_of = |v: f64| top_pad + plot_h * (1.0 - (v / top).clamp(0.0, 1.0));
    let desc = series
        .iter()
        .map(|s| {
            let pts: Vec<String> = s
                .points
                .iter()
                .map(|(l, v)| format!("{l} {}", format_number(*v, decimals_of(*v))))
                .collect();
            format!("{}: {}", s.name, pts.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open_svg(&mut out, height, title, &desc, false);
    let names: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    legend(&mut out, &names);
    for frac in [0.0, 0.5, 1.0] {
        let y = y_of(top * frac);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#ccc"/><text x="{tx}" y="{ty:.1}" text-anchor="end">{v}</text>"##,
            x2 = WIDTH - right,
            tx = left - 4.0,
            ty = y + 4.0,
            v = format_number(top * frac, decimals_of(top * frac)),
        );
    }
    let step = labels.len().div_ceil(8).max(1);
    for (i, label) in labels.iter().enumerate().step_by(step) {
        // The last label ends at the right edge instead of running past it.
        let anchor = if labels.len() > 1 && i == labels.len() - 1 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y}" text-anchor="{anchor}">{l}</text>"#,
            x = x_of(i),
            y = height - 12.0,
            l = fit(label, 12),
        );
    }
    if let Some(t) = target {
        let y = y_of(t);
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" stroke="#d55e00" stroke-dasharray="4 3"><title>Chỉ tiêu: {v}</title></line>"##,
            x2 = WIDTH - right,
            v = format_number(t, decimals_of(t)),
        );
    }
    for (k, s) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let points: Vec<String> = s
            .points
            .iter()
            .enumerate()
            .map(|(i, (_, v))| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        for (i, (label, v)) in s.points.iter().enumerate() {
            let _ = write!(
                out,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{} {}: {}</title></circle>"#,
                x_of(i),
                y_of(*v),
                escape(&s.name),
                escape(label),
                format_number(*v, decimals_of(*v)),
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A school on the map.
#[derive(Debug, Clone)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    pub label: String,
    /// Index into [`PALETTE`] (the legend says what each colour means), or [`NO_DATA`].
    pub colour: usize,
    /// Shape by school level: 0 circle, 1 square, 2 triangle, 3 diamond.
    pub shape: usize,
    pub href: Option<String>,
}

/// Schools as points on a plain projection of their coordinates, over faint dots of the
/// communes (`background`, lat/lon) so the province's shape shows without any tile server.
pub fn map(
    title: &str,
    legend_items: &[&str],
    points: &[MapPoint],
    background: &[(f64, f64)],
) -> String {
    map_with_shapes(title, legend_items, &[], points, background)
}

/// The shape of [`MapPoint::shape`] `k` at (x, y), open for its closing attributes.
fn shape_open(shape: usize, x: f64, y: f64) -> String {
    match shape % 4 {
        0 => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="4.5""#),
        1 => format!(
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8""#,
            x - 4.0,
            y - 4.0
        ),
        2 => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}""#,
            y - 5.0,
            x - 5.0,
            y + 4.0,
            x + 5.0,
            y + 4.0
        ),
        _ => format!(
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}""#,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
    }
}

fn shape_tag(shape: usize) -> &'static str {
    match shape % 4 {
        0 => "circle",
        1 => "rect",
        _ => "polygon",
    }
}

/// A second legend row naming the shapes (e.g. school levels), drawn in grey.
fn shape_legend(out: &mut String, names: &[&str], y: f64) {
    let mut x = 4.0;
    for (k, name) in names.iter().enumerate() {
        let _ = write!(
            out,
            r##"{} fill="#505a5f"></{}><text x="{tx:.1}" y="{ty:.1}">{n}</text>"##,
            shape_open(k, x + 6.0, y),
            shape_tag(k),
            tx = x + 16.0,
            ty = y + 4.0,
            n = escape(name),
        );
        x += 16.0 + 7.0 * name.chars().count() as f64 + 14.0;
    }
}

/// [`map`] with a legend of the point shapes (`shape_items[k]` names shape `k`) under the
/// colour legend.
pub fn map_with_shapes(
    title: &str,
    legend_items: &[&str],
    shape_items: &[&str],
    points: &[MapPoint],
    background: &[(f64, f64)],
) -> String {
    let all = points
        .iter()
        .map(|p| (p.lat, p.lon))
        .chain(background.iter().copied());
    let (mut min_lat, mut max_lat, mut min_lon, mut max_lon) =
        (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for (lat, lon) in all {
        min_lat = min_lat.min(lat);
        max_lat = max_lat.max(lat);
        min_lon = min_lon.min(lon);
        max_lon = max_lon.max(lon);
    }
    if min_lat > max_lat {
        (min_lat, max_lat, min_lon, max_lon) = (0.0, 1.0, 0.0, 1.0);
    }
    // Equirectangular with the longitude shrunk by cos(latitude): true shape at this scale.
    let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
    let geo_w = ((max_lon - min_lon) * k).max(1e-6);
    let geo_h = (max_lat - min_lat).max(1e-6);
    let rows = usize::from(!legend_items.is_empty()) + usize::from(!shape_items.is_empty());
    let legend_height = 22.0 * rows.max(1) as f64;
    let pad = 12.0;
    let width = WIDTH;
    let scale = ((width - 2.0 * pad) / geo_w).min(560.0 / geo_h);
    let height = legend_height + geo_h * scale + 2.0 * pad;
    let project = |lat: f64, lon: f64| {
        (
            pad + (lon - min_lon) * k * scale,
            legend_height + pad + (max_lat - lat) * scale,
        )
    };
    let mut out = String::new();
    open_svg(
        &mut out,
        height,
        title,
        &format!("{} trường trên bản đồ", points.len()),
        points.iter().any(|p| p.href.is_some()),
    );
    legend(&mut out, legend_items);
    if !shape_items.is_empty() {
        let y = if legend_items.is_empty() { 10.0 } else { 32.0 };
        shape_legend(&mut out, shape_items, y);
    }
    for (lat, lon) in background {
        let (x, y) = project(*lat, *lon);
        let _ = write!(
            out,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="1.5" fill="#ddd"/>"##
        );
    }
    for p in points {
        let (x, y) = project(p.lat, p.lon);
        let colour = colour_of(p.colour);
        link_open(&mut out, &p.href);
        let label = escape(&p.label);
        let _ = write!(
            out,
            r##"{} fill="{colour}" stroke="#fff" stroke-width="1"><title>{label}</title></{}>"##,
            shape_open(p.shape, x, y),
            shape_tag(p.shape),
        );
        link_close(&mut out, &p.href);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_the_vietnamese_way() {
        assert_eq!(format_number(1_234_567.0, 0), "1.234.567");
        assert_eq!(format_number(95.25, 1), "95,2");
        assert_eq!(format_number(0.0, 0), "0");
        assert_eq!(format_number(-1200.0, 0), "-1.200");
        assert_eq!(format_number(999.0, 0), "999");
    }

    #[test]
    fn labels_are_escaped_and_every_bar_is_described() {
        let svg = bars(
            "Học sinh <lớp>",
            &[
                Bar {
                    label: "Lớp 1 & 2".into(),
                    value: 10.0,
                    href: Some("/a?x=1&y=2".into()),
                },
                Bar {
                    label: "Lớp 3".into(),
                    value: 5.5,
                    href: None,
                },
            ],
            None,
            Some(8.0),
            "",
        );
        assert!(svg.contains("Học sinh &lt;lớp&gt;"));
        assert!(svg.contains("Lớp 1 &amp; 2: 10"));
        assert!(svg.contains("href=\"/a?x=1&amp;y=2\""));
        assert!(svg.contains("Lớp 3: 5,5"));
        assert!(svg.contains("Chỉ tiêu: 8"));
        assert!(
            svg.contains(r#"role="group""#),
            "a chart of links is no image"
        );
        assert!(bars("t", &[], None, None, "").contains(r#"role="img""#));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn empty_and_zero_inputs_draw_without_nan() {
        for svg in [
            bars("t", &[], None, None, ""),
            bars(
                "t",
                &[Bar {
                    label: "a".into(),
                    value: 0.0,
                    href: None,
                }],
                None,
                None,
                "%",
            ),
            stacked_bars(
                "t",
                &["a", "b"],
                &[Stack {
                    label: "x".into(),
                    parts: vec![0.0, 0.0],
                    href: None,
                }],
                true,
            ),
            trend("t", &[], None, None),
            trend(
                "t",
                &[Series {
                    name: "s".into(),
                    points: vec![("1".into(), 3.0)],
                }],
                None,
                Some(5.0),
            ),
            map("t", &[], &[], &[]),
            map_with_shapes("t", &["a"], &["Tiểu học", "THCS"], &[], &[]),
        ] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        }
    }

    #[test]
    fn the_shape_legend_names_every_shape_and_leaves_room_for_itself() {
        let point = MapPoint {
            lat: 15.0,
            lon: 108.0,
            label: "Trường A & B".into(),
            colour: 2,
            shape: 3,
            href: Some("/orgs/1".into()),
        };
        let plain = map("m", &["Đạt"], std::slice::from_ref(&point), &[]);
        let shaped = map_with_shapes(
            "m",
            &["Đạt"],
            &["Tiểu học", "THCS", "THPT", "Liên cấp"],
            &[point],
            &[],
        );
        for name in ["Tiểu học", "THCS", "THPT", "Liên cấp"] {
            assert!(shaped.contains(&format!(">{name}</text>")), "{name}");
        }
        // The legend row pushes the map down: the point sits lower than without it.
        let y_of = |svg: &str| -> f64 {
            let poly = svg.rsplit("<polygon points=\"").next().unwrap();
            poly.split(',')
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        assert!(y_of(&shaped) > y_of(&plain));
        assert!(shaped.contains("Trường A &amp; B") && shaped.contains("href=\"/orgs/1\""));
    }

    #[test]
    fn no_data_points_are_grey_and_the_last_trend_label_ends_inside() {
        let point = MapPoint {
            lat: 15.0,
            lon: 108.0,
            label: "A".into(),
            colour: NO_DATA,
            shape: 0,
            href: None,
        };
        let svg = map_with_shapes("m", &[], &["Tiểu học"], &[point], &[]);
        assert!(svg.contains("fill=\"#949494\" stroke"));
        let svg = trend(
            "t",
            &[Series {
                name: "s".into(),
                points: vec![("11/2025".into(), 1.0), ("11/2026".into(), 2.0)],
            }],
            None,
            None,
        );
        assert!(svg.contains("text-anchor=\"end\">11/2026<"));
        assert!(svg.contains("text-anchor=\"middle\">11/2025<"));
    }

    #[test]
    fn map_keeps_points_inside_the_picture() {
        let points: Vec<MapPoint> = (0..20)
            .map(|i| MapPoint {
                lat: 14.0 + i as f64 * 0.05,
                lon: 108.0 + i as f64 * 0.03,
                label: format!("Trường {i}"),
                colour: i % 3,
                shape: i % 4,
                href: None,
            })
            .collect();
        let svg = map(
            "Bản đồ",
            &["Mức 1", "Mức 2", "Mức 3"],
            &points,
            &[(13.9, 107.9)],
        );
        let view: Vec<f64> = svg
            .split("viewBox=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .split(' ')
            .map(|v| v.parse().unwrap())
            .collect();
        for cap in svg.split("cx=\"").skip(1) {
            let x: f64 = cap.split('"').next().unwrap().parse().unwrap();
            assert!((0.0..=view[2]).contains(&x));
        }
    }
}
