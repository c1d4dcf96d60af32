//! Charts as SVG strings, drawn with plotters from a [`Summary`]: pure functions of the
//! summary and a [`Theme`], the same in the CLI, the report and the page.
//!
//! * [`latency_cdf`]: the latency distribution of each group (share of requests at or under
//!   a latency, log-scaled latency axis).
//! * [`latency_timeline`]: p50 (solid) and p95 (dashed) latency per time bucket, one colour
//!   per group, with a marker where a group first appears (a deploy).
//! * [`error_rate`]: the error rate per group and time bucket, or one bar per group when the
//!   log has no timestamps.
//!
//! Text is never measured: plotters' caption, legend and axis-label code asks the font for
//! text sizes, which without the `ttf` feature is a guess natively and a DOM call in wasm
//! (a panic inside a worker). So plotters maps coordinates and draws series, and this
//! module places titles, tick labels and the legend itself as SVG `<text>` (escaped by the
//! SVG backend). Group names are log text: control characters are replaced and long names
//! cut before they are drawn. No input panics; a summary with nothing to draw gives a
//! small SVG that says so.

use crate::summary::{GroupSummary, Summary};
use crate::units::Zone;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

/// Chart size in SVG user units (the page scales the SVG to its container).
pub const WIDTH: u32 = 760;
pub const HEIGHT: u32 = 380;
/// Groups drawn at most; the rest are named in the legend as "+N more".
pub const MAX_GROUPS: usize = 8;

const FONT: &str = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif";
const LEFT: i32 = 84;
const RIGHT: i32 = 24;
const BOTTOM: i32 = 46;
const LEGEND_TOP: i32 = 34;
const LEGEND_ROW: i32 = 20;

/// Light or dark colours (the page follows `prefers-color-scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub fn from_dark(dark: bool) -> Theme {
        if dark {
            Theme::Dark
        } else {
            Theme::Light
        }
    }

    fn bg(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(0xff, 0xff, 0xff),
            Theme::Dark => RGBColor(0x1b, 0x1e, 0x24),
        }
    }

    fn fg(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(0x1f, 0x23, 0x28),
            Theme::Dark => RGBColor(0xe6, 0xe8, 0xeb),
        }
    }

    fn muted(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(0x5c, 0x63, 0x6e),
            Theme::Dark => RGBColor(0xa4, 0xab, 0xb6),
        }
    }

    fn grid(self) -> RGBColor {
        match self {
            Theme::Light => RGBColor(0xe3, 0xe6, 0xea),
            Theme::Dark => RGBColor(0x33, 0x38, 0x41),
        }
    }

    /// Series colours: Okabe–Ito hues (colour-blind safe), lightened for dark mode.
    pub fn series_hex(self, i: usize) -> &'static str {
        const LIGHT: [&str; MAX_GROUPS] = [
            "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#b07d00", "#4f9fd6", "#6b6b6b", "#8c564b",
        ];
        const DARK: [&str; MAX_GROUPS] = [
            "#5cb8f0", "#ff8f4d", "#3fd3a0", "#eba3cf", "#f2c14e", "#9fd1f5", "#c4c4c4", "#d19a8a",
        ];
        match self {
            Theme::Light => LIGHT[i % MAX_GROUPS],
            Theme::Dark => DARK[i % MAX_GROUPS],
        }
    }

    fn series(self, i: usize) -> RGBColor {
        let h = self.series_hex(i).as_bytes();
        let v = |a: usize| {
            let d = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            d(h[a]) * 16 + d(h[a + 1])
        };
        RGBColor(v(1), v(3), v(5))
    }
}

/// Latency distribution per group: share of requests at or under each latency.
pub fn latency_cdf(s: &Summary, theme: Theme) -> String {
    let groups: Vec<(usize, &GroupSummary)> = drawn_groups(s)
        .into_iter()
        .filter(|(_, g)| g.cdf.iter().any(|p| valid_ms(p[0])))
        .collect();
    let title = format!("Latency distribution{}", by_field(s));
    if groups.is_empty() {
        return placeholder(&title, "No latency values to draw.", theme);
    }
    let (mut lo, mut hi) = (f64::INFINITY, 0f64);
    for (_, g) in &groups {
        for p in g.cdf.iter().filter(|p| valid_ms(p[0])) {
            lo = lo.min(p[0]);
            hi = hi.max(p[0]);
        }
    }
    let (lo, hi) = log_range(lo, hi);
    let legend: Vec<LegendItem> = groups
        .iter()
        .map(|(i, g)| LegendItem {
            color: theme.series(*i),
            label: format!(
                "{}{}  n={}  p50 {}",
                label_text(&g.key),
                baseline_mark(s, &g.key),
                g.latency_count,
                fmt_ms(g.latency_ms.map_or(0.0, |l| l.p50))
            ),
            dashed: false,
        })
        .collect();
    render(&title, theme, |root| {
        let top = header(root, &title, &legend, more(s), theme)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(top)
            .margin_bottom(BOTTOM)
            .margin_left(LEFT)
            .margin_right(RIGHT)
            .build_cartesian_2d((lo..hi).log_scale(), 0f64..1f64)?;
        let xt = log_ticks(lo, hi);
        let yt: Vec<f64> = vec![0.0, 0.25, 0.5, 0.75, 1.0];
        grid(&mut chart, &xt, &yt, theme)?;
        // The p95 line: where each curve crosses it is the group's p95.
        chart.draw_series(DashedLineSeries::new(
            vec![(lo, 0.95), (hi, 0.95)],
            4,
            4,
            theme.muted().stroke_width(1),
        ))?;
        let p95 = chart.backend_coord(&(lo, 0.95));
        root.draw(&Text::new(
            "p95",
            (p95.0 + 4, p95.1 - 2),
            text_style(11, theme.muted(), HPos::Left, VPos::Bottom),
        ))?;
        for (i, g) in &groups {
            let color = theme.series(*i);
            let pts: Vec<(f64, f64)> = g
                .cdf
                .iter()
                .filter(|p| valid_ms(p[0]) && p[1].is_finite())
                .map(|p| (p[0].clamp(lo, hi), p[1].clamp(0.0, 1.0)))
                .collect();
            draw_line(&mut chart, &pts, color, false)?;
        }
        let xl: Vec<(f64, String)> = xt.iter().map(|&x| (x, fmt_ms(x))).collect();
        let yl: Vec<(f64, String)> = yt
            .iter()
            .map(|&y| (y, format!("{:.0}%", y * 100.0)))
            .collect();
        axis_labels(root, &chart, &xl, &yl, theme)?;
        axis_titles(
            root,
            top,
            "latency (log scale)",
            "requests at or under",
            theme,
        )
    })
}

/// p50 and p95 latency per time bucket and group.
pub fn latency_timeline(s: &Summary, theme: Theme) -> String {
    let title = format!("Latency over time{}", by_field(s));
    let series = timeline_series(s);
    let (mut lo, mut hi) = (f64::INFINITY, 0f64);
    for (_, pts) in &series {
        for p in pts.iter() {
            for v in [p.p50, p.p95].into_iter().flatten() {
                if valid_ms(v) {
                    lo = lo.min(v);
                    hi = hi.max(v);
                }
            }
        }
    }
    if series.is_empty() || !lo.is_finite() {
        let why = if s.timeline.series.is_empty() {
            "No timestamps were found, so there is no timeline."
        } else {
            "No latency values to draw."
        };
        return placeholder(&title, why, theme);
    }
    let (lo, hi) = log_range(lo, hi);
    let (t0, t1) = time_range(s, &series);
    let mut legend = legend_for(s, series.iter().map(|(i, _)| *i), theme);
    legend.push(LegendItem {
        color: theme.muted(),
        label: "p50".into(),
        dashed: false,
    });
    legend.push(LegendItem {
        color: theme.muted(),
        label: "p95".into(),
        dashed: true,
    });
    let bucket = s.timeline.bucket_ms.max(1) as f64;
    render(&title, theme, |root| {
        let top = header(root, &title, &legend, more(s), theme)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(top)
            .margin_bottom(BOTTOM)
            .margin_left(LEFT)
            .margin_right(RIGHT)
            .build_cartesian_2d(t0..t1, (lo..hi).log_scale())?;
        let xt = time_ticks(t0, t1, zone_of(s));
        let yt = log_ticks(lo, hi);
        grid(
            &mut chart,
            &xt.iter().map(|t| t.0).collect::<Vec<_>>(),
            &yt,
            theme,
        )?;
        first_seen_markers(root, &mut chart, s, &series, (t0, t1), theme)?;
        for (i, pts) in &series {
            let color = theme.series(*i);
            for (pick, dashed) in [(0, true), (1, false)] {
                let line = |p: &crate::summary::TimelinePoint| {
                    let v = if pick == 0 { p.p95 } else { p.p50 };
                    v.filter(|v| valid_ms(*v))
                        .map(|v| (p.t as f64 + bucket / 2.0, v.clamp(lo, hi)))
                };
                for seg in segments(pts, bucket, line) {
                    draw_line(&mut chart, &seg, color, dashed)?;
                }
            }
        }
        let yl: Vec<(f64, String)> = yt.iter().map(|&y| (y, fmt_ms(y))).collect();
        axis_labels(root, &chart, &xt, &yl, theme)?;
        axis_titles(root, top, &time_title(s), "latency (log scale)", theme)
    })
}

/// Error rate per group: over time when the log has timestamps, else one bar per group.
pub fn error_rate(s: &Summary, theme: Theme) -> String {
    let title = format!("Error rate{}", by_field(s));
    let series = timeline_series(s);
    if series.is_empty() {
        return error_bars(s, &title, theme);
    }
    let (t0, t1) = time_range(s, &series);
    // Per-minute error rates of a few requests each are mostly noise: merge buckets so
    // that at most ~72 are drawn (errors and counts add up exactly).
    let base = s.timeline.bucket_ms.max(1);
    let k = (((t1 - t0) / base as f64 / 72.0).ceil() as i64).max(1);
    let bucket = (base * k) as f64;
    let merged: Vec<(usize, Vec<crate::summary::TimelinePoint>)> = series
        .iter()
        .map(|(i, pts)| (*i, rebucket(pts, base * k)))
        .collect();
    let legend = legend_for(s, series.iter().map(|(i, _)| *i), theme);
    let x_title = format!(
        "{}, {} buckets",
        time_title(s),
        fmt_ms(bucket).replace(' ', "-")
    );
    render(&title, theme, |root| {
        let top = header(root, &title, &legend, more(s), theme)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(top)
            .margin_bottom(BOTTOM)
            .margin_left(LEFT)
            .margin_right(RIGHT)
            .build_cartesian_2d(t0..t1, 0f64..1f64)?;
        let xt = time_ticks(t0, t1, zone_of(s));
        let yt = vec![0.0, 0.25, 0.5, 0.75, 1.0];
        grid(
            &mut chart,
            &xt.iter().map(|t| t.0).collect::<Vec<_>>(),
            &yt,
            theme,
        )?;
        first_seen_markers(root, &mut chart, s, &series, (t0, t1), theme)?;
        for (i, pts) in &merged {
            let line = |p: &crate::summary::TimelinePoint| {
                (p.count > 0).then(|| {
                    let r = (p.errors as f64 / p.count as f64).clamp(0.0, 1.0);
                    (p.t as f64 + bucket / 2.0, r)
                })
            };
            for seg in segments(pts, bucket, line) {
                draw_line(&mut chart, &seg, theme.series(*i), false)?;
            }
        }
        let yl: Vec<(f64, String)> = yt
            .iter()
            .map(|&y| (y, format!("{:.0}%", y * 100.0)))
            .collect();
        axis_labels(root, &chart, &xt, &yl, theme)?;
        axis_titles(root, top, &x_title, "requests that failed", theme)
    })
}

/// One bar per group (logs without timestamps).
fn error_bars(s: &Summary, title: &str, theme: Theme) -> String {
    let groups = drawn_groups(s);
    if groups.is_empty() {
        return placeholder(title, "No records to draw.", theme);
    }
    let ymax = groups
        .iter()
        .map(|(_, g)| finite_or(g.error_rate, 0.0))
        .fold(0.0f64, f64::max);
    let ymax = nice_ceil(ymax.max(0.01)).min(1.0);
    let n = groups.len();
    render(title, theme, |root| {
        let top = header(root, title, &[], more(s), theme)?;
        let mut chart = ChartBuilder::on(root)
            .margin_top(top)
            .margin_bottom(BOTTOM)
            .margin_left(LEFT)
            .margin_right(RIGHT)
            .build_cartesian_2d(0f64..n as f64, 0f64..ymax)?;
        let yt: Vec<f64> = (0..=4).map(|k| ymax * k as f64 / 4.0).collect();
        grid(&mut chart, &[], &yt, theme)?;
        for (slot, (i, g)) in groups.iter().enumerate() {
            let x = slot as f64;
            let r = finite_or(g.error_rate, 0.0).clamp(0.0, ymax);
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x + 0.2, 0.0), (x + 0.8, r)],
                theme.series(*i).filled(),
            )))?;
            let (px, py) = chart.backend_coord(&(x + 0.5, r));
            root.draw(&Text::new(
                format!("{:.1}%", r * 100.0),
                (px, py - 4),
                text_style(12, theme.fg(), HPos::Center, VPos::Bottom),
            ))?;
        }
        let xl: Vec<(f64, String)> = groups
            .iter()
            .enumerate()
            .map(|(slot, (_, g))| (slot as f64 + 0.5, label_text(&g.key)))
            .collect();
        let yl: Vec<(f64, String)> = yt
            .iter()
            .map(|&y| (y, format!("{:.0}%", y * 100.0)))
            .collect();
        axis_labels(root, &chart, &xl, &yl, theme)?;
        axis_titles(root, top, "", "requests that failed", theme)
    })
}

// ---------------------------------------------------------------------------------------
// Layout helpers

type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

struct LegendItem {
    color: RGBColor,
    label: String,
    dashed: bool,
}

/// Draws on a fresh SVG and returns it; a drawing error gives the placeholder instead.
fn render(title: &str, theme: Theme, draw: impl FnOnce(&Root<'_>) -> DrawResult<()>) -> String {
    let mut buf = String::with_capacity(32 << 10);
    let ok = {
        let root = SVGBackend::with_string(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        let r = root
            .fill(&theme.bg())
            .map_err(Into::into)
            .and_then(|_| draw(&root))
            .and_then(|_| root.present().map_err(Into::into));
        r.is_ok()
    };
    if !ok {
        return placeholder(title, "This chart could not be drawn.", theme);
    }
    decorate(buf, title)
}

/// Adds an accessible name and the font to the root `<svg>` element.
fn decorate(svg: String, title: &str) -> String {
    let Some(at) = svg.find("<svg ") else {
        return svg;
    };
    let end = svg[at..].find('>').map_or(at + 4, |e| at + e);
    let mut out = String::with_capacity(svg.len() + 200);
    out.push_str(&svg[..end]);
    out.push_str(" role=\"img\" aria-label=\"");
    escape_into(&mut out, title);
    out.push_str("\" font-family=\"");
    escape_into(&mut out, FONT);
    out.push_str("\">\n<title>");
    escape_into(&mut out, title);
    out.push_str("</title>");
    out.push_str(&svg[end + 1..]);
    out
}

/// A small SVG with the title and a sentence, for a chart with nothing to draw.
fn placeholder(title: &str, why: &str, theme: Theme) -> String {
    let (w, h) = (WIDTH, 120);
    let mut out = format!(
        "<svg width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\""
    );
    escape_into(&mut out, title);
    out.push_str("\" font-family=\"");
    escape_into(&mut out, FONT);
    out.push_str("\">\n<title>");
    escape_into(&mut out, title);
    let c = |c: RGBColor| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    out.push_str(&format!(
        "</title>\n<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"{}\"/>\n<text x=\"16\" y=\"28\" font-size=\"15\" font-weight=\"bold\" fill=\"{}\">",
        c(theme.bg()),
        c(theme.fg())
    ));
    escape_into(&mut out, title);
    out.push_str(&format!(
        "</text>\n<text x=\"16\" y=\"64\" font-size=\"13\" fill=\"{}\">",
        c(theme.muted())
    ));
    escape_into(&mut out, why);
    out.push_str("</text>\n</svg>\n");
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_unsafe(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// Characters XML 1.0 does not allow (control characters, lone surrogates cannot occur
/// in a `str`, and the two non-characters).
fn is_xml_unsafe(c: char) -> bool {
    (c < ' ' && c != '\t')
        || c == '\u{fffe}'
        || c == '\u{ffff}'
        || ('\u{7f}'..='\u{9f}').contains(&c)
}

/// A group name or other log text made safe to draw: no control characters, at most 32
/// characters (cut with an ellipsis). Escaping of `<&"'` is the SVG backend's job.
pub fn label_text(s: &str) -> String {
    const MAX: usize = 32;
    let mut out: String = s
        .chars()
        .take(MAX)
        .map(|c| {
            if is_xml_unsafe(c) || c == '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect();
    if s.chars().nth(MAX).is_some() {
        out.pop();
        out.push('…');
    }
    if out.is_empty() {
        out.push_str("(empty)");
    }
    out
}

fn text_style(size: u32, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    // The SVG backend writes font-size = size / 1.24.
    TextStyle {
        font: (FONT, size as f64 * 1.24).into_font(),
        color: color.to_backend_color(),
        pos: Pos::new(h, v),
    }
}

fn by_field(s: &Summary) -> String {
    match s.fields.group.as_deref() {
        Some(g) if !g.is_empty() => format!(" by {}", label_text(g)),
        _ => String::new(),
    }
}

fn baseline_mark(s: &Summary, key: &str) -> &'static str {
    if s.baseline.as_deref() == Some(key) {
        " (baseline)"
    } else {
        ""
    }
}

fn more(s: &Summary) -> usize {
    s.groups.len().saturating_sub(MAX_GROUPS)
}

/// The groups drawn, with their colour index (their rank by count in the summary).
fn drawn_groups(s: &Summary) -> Vec<(usize, &GroupSummary)> {
    s.groups.iter().take(MAX_GROUPS).enumerate().collect()
}

fn legend_for(s: &Summary, idx: impl Iterator<Item = usize>, theme: Theme) -> Vec<LegendItem> {
    idx.filter_map(|i| s.groups.get(i).map(|g| (i, g)))
        .map(|(i, g)| LegendItem {
            color: theme.series(i),
            label: format!("{}{}", label_text(&g.key), baseline_mark(s, &g.key)),
            dashed: false,
        })
        .collect()
}

/// Timeline series of the drawn groups, with their colour index, non-empty only.
fn timeline_series(s: &Summary) -> Vec<(usize, &[crate::summary::TimelinePoint])> {
    let drawn = drawn_groups(s);
    let mut out: Vec<(usize, &[crate::summary::TimelinePoint])> = s
        .timeline
        .series
        .iter()
        .filter(|ser| !ser.points.is_empty())
        .filter_map(|ser| {
            drawn
                .iter()
                .find(|(_, g)| g.key == ser.group)
                .map(|(i, _)| (*i, ser.points.as_slice()))
        })
        .collect();
    out.sort_by_key(|(i, _)| *i);
    out
}

fn time_range(s: &Summary, series: &[(usize, &[crate::summary::TimelinePoint])]) -> (f64, f64) {
    let bucket = s.timeline.bucket_ms.max(1) as f64;
    let t0 = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|p| p.t))
        .min()
        .unwrap_or(0) as f64;
    let t1 = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|p| p.t))
        .max()
        .unwrap_or(0) as f64
        + bucket;
    (t0, t1.max(t0 + 1.0))
}

/// Title and legend rows; returns the top margin of the plot.
fn header(
    root: &Root<'_>,
    title: &str,
    legend: &[LegendItem],
    more: usize,
    theme: Theme,
) -> DrawResult<i32> {
    root.draw(&Text::new(
        title.to_string(),
        (16, 10),
        TextStyle {
            font: (FONT, 15.0 * 1.24, FontStyle::Bold).into_font(),
            color: theme.fg().to_backend_color(),
            pos: Pos::new(HPos::Left, VPos::Top),
        },
    ))?;
    let (mut x, mut y) = (LEFT, LEGEND_TOP);
    let max_x = WIDTH as i32 - RIGHT;
    let mut items: Vec<(Option<&LegendItem>, String)> =
        legend.iter().map(|l| (Some(l), l.label.clone())).collect();
    if more > 0 {
        items.push((None, format!("+{more} more groups not drawn")));
    }
    for (item, label) in &items {
        // Text is not measured: ~6.6 units per character at 12 px is generous.
        let w = 26 + (label.chars().count() as f64 * 6.6) as i32 + 18;
        if x > LEFT && x + w > max_x {
            x = LEFT;
            y += LEGEND_ROW;
        }
        let mut tx = x;
        if let Some(item) = item {
            let style = item.color.stroke_width(if item.dashed { 2 } else { 3 });
            let mid = y + 7;
            if item.dashed {
                for k in 0..3 {
                    root.draw(&PathElement::new(
                        vec![(x + k * 8, mid), (x + k * 8 + 4, mid)],
                        style,
                    ))?;
                }
            } else {
                root.draw(&PathElement::new(vec![(x, mid), (x + 20, mid)], style))?;
            }
            tx = x + 26;
        }
        root.draw(&Text::new(
            label.clone(),
            (tx, y + 7),
            text_style(12, theme.fg(), HPos::Left, VPos::Center),
        ))?;
        x += w;
    }
    Ok(y + LEGEND_ROW + 8)
}

fn grid<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    xt: &[f64],
    yt: &[f64],
    theme: Theme,
) -> DrawResult<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (xr, yr) = (chart.x_range(), chart.y_range());
    let style = theme.grid().stroke_width(1);
    for &x in xt {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, yr.start), (x, yr.end)],
            style,
        )))?;
    }
    for &y in yt {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(xr.start, y), (xr.end, y)],
            style,
        )))?;
    }
    // The axes.
    let axis = theme.muted().stroke_width(1);
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(xr.start, yr.end), (xr.start, yr.start), (xr.end, yr.start)],
        axis,
    )))?;
    Ok(())
}

fn axis_labels<X, Y>(
    root: &Root<'_>,
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    xl: &[(f64, String)],
    yl: &[(f64, String)],
    theme: Theme,
) -> DrawResult<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let (xr, yr) = (chart.x_range(), chart.y_range());
    for (x, label) in xl {
        let (px, py) = chart.backend_coord(&(*x, yr.start));
        root.draw(&Text::new(
            label.clone(),
            (px, py + 6),
            text_style(12, theme.muted(), HPos::Center, VPos::Top),
        ))?;
    }
    for (y, label) in yl {
        let (px, py) = chart.backend_coord(&(xr.start, *y));
        root.draw(&Text::new(
            label.clone(),
            (px - 6, py),
            text_style(12, theme.muted(), HPos::Right, VPos::Center),
        ))?;
    }
    Ok(())
}

fn axis_titles(root: &Root<'_>, top: i32, x: &str, y: &str, theme: Theme) -> DrawResult<()> {
    let plot_mid_x = (LEFT + WIDTH as i32 - RIGHT) / 2;
    if !x.is_empty() {
        root.draw(&Text::new(
            x.to_string(),
            (plot_mid_x, HEIGHT as i32 - 6),
            text_style(12, theme.muted(), HPos::Center, VPos::Bottom),
        ))?;
    }
    if !y.is_empty() {
        let mid_y = (top + HEIGHT as i32 - BOTTOM) / 2;
        root.draw(&Text::new(
            y.to_string(),
            (16, mid_y),
            text_style(12, theme.muted(), HPos::Center, VPos::Center)
                .transform(FontTransform::Rotate270),
        ))?;
    }
    Ok(())
}

fn draw_line<X, Y>(
    chart: &mut ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    pts: &[(f64, f64)],
    color: RGBColor,
    dashed: bool,
) -> DrawResult<()>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    match pts.len() {
        0 => {}
        1 => {
            chart.draw_series(std::iter::once(Circle::new(pts[0], 3, color.filled())))?;
        }
        _ if dashed => {
            chart.draw_series(DashedLineSeries::new(
                pts.to_vec(),
                5,
                4,
                color.mix(0.9).stroke_width(2),
            ))?;
        }
        _ => {
            chart.draw_series(LineSeries::new(pts.to_vec(), color.stroke_width(2)))?;
        }
    }
    Ok(())
}

/// A vertical marker where a group first appears after the start (a deploy, a canary).
fn first_seen_markers<Y>(
    root: &Root<'_>,
    chart: &mut ChartContext<
        '_,
        SVGBackend<'_>,
        Cartesian2d<plotters::coord::types::RangedCoordf64, Y>,
    >,
    s: &Summary,
    series: &[(usize, &[crate::summary::TimelinePoint])],
    (t0, t1): (f64, f64),
    theme: Theme,
) -> DrawResult<()>
where
    Y: Ranged<ValueType = f64>,
{
    let bucket = s.timeline.bucket_ms.max(1) as f64;
    let yr = chart.y_range();
    let mut drawn = 0;
    for (i, pts) in series {
        let Some(first) = pts.first() else { continue };
        let t = first.t as f64;
        // Only a group that starts well after the others, and has real traffic.
        let count: u64 = pts.iter().map(|p| p.count).sum();
        if t < t0 + 2.0 * bucket || t >= t1 || count < 10 || drawn >= 3 {
            continue;
        }
        let Some(g) = s.groups.get(*i) else { continue };
        // The group's own first timestamp when it falls in that first bucket: a timeline with
        // wider buckets (a share link's) then still marks and names the same minute.
        let t_ms = g
            .first_seen
            .as_deref()
            .and_then(|f| crate::units::parse_timestamp(f.as_bytes()))
            .filter(|&f| f >= first.t && (f - first.t) as f64 <= bucket)
            .unwrap_or(first.t);
        let t = t_ms as f64;
        let color = theme.series(*i);
        chart.draw_series(DashedLineSeries::new(
            vec![(t, yr.start), (t, yr.end)],
            3,
            3,
            color.stroke_width(1),
        ))?;
        let (px, py) = chart.backend_coord(&(t, yr.end));
        root.draw(&Text::new(
            format!(
                "{} from {}",
                label_text(&g.key),
                fmt_time(zone_of(s).local_ms(t_ms), false)
            ),
            (px + 4, py + 4 + drawn * 16),
            text_style(12, color, HPos::Left, VPos::Top),
        ))?;
        drawn += 1;
    }
    Ok(())
}

/// Counts and errors summed into buckets of `width` ms (aligned to multiples of it).
fn rebucket(
    pts: &[crate::summary::TimelinePoint],
    width: i64,
) -> Vec<crate::summary::TimelinePoint> {
    let mut out: Vec<crate::summary::TimelinePoint> = Vec::new();
    for p in pts {
        let t = p.t.div_euclid(width) * width;
        match out.last_mut() {
            Some(last) if last.t == t => {
                last.count += p.count;
                last.errors += p.errors;
            }
            _ => out.push(crate::summary::TimelinePoint {
                t,
                count: p.count,
                errors: p.errors,
                p50: None,
                p95: None,
            }),
        }
    }
    out
}

/// Runs of consecutive buckets (no gap wider than 1.5 buckets) mapped by `f`; a bucket
/// where `f` gives None also ends a run.
fn segments(
    pts: &[crate::summary::TimelinePoint],
    bucket: f64,
    f: impl Fn(&crate::summary::TimelinePoint) -> Option<(f64, f64)>,
) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur: Vec<(f64, f64)> = Vec::new();
    let mut last_t: Option<f64> = None;
    for p in pts {
        let t = p.t as f64;
        let gap = last_t.is_some_and(|l| t - l > 1.5 * bucket);
        last_t = Some(t);
        match f(p) {
            Some(xy) if !gap => cur.push(xy),
            Some(xy) => {
                out.push(std::mem::take(&mut cur));
                cur.push(xy);
            }
            None => out.push(std::mem::take(&mut cur)),
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

// ---------------------------------------------------------------------------------------
// Scales and labels

fn valid_ms(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

fn finite_or(v: f64, d: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        d
    }
}

/// A log-scale range around [lo, hi]: whole 1-2-5 steps, never zero or empty.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = if lo.is_finite() { lo.max(0.01) } else { 1.0 };
    let hi = if hi.is_finite() { hi.max(lo) } else { lo };
    let lo = nice_floor(lo);
    let mut hi = nice_ceil(hi);
    if hi <= lo * 1.5 {
        hi = nice_ceil(lo * 2.0);
    }
    (lo, hi)
}

/// The largest 1-2-5 value ≤ v (v > 0).
fn nice_floor(v: f64) -> f64 {
    let e = 10f64.powf(v.log10().floor());
    [5.0, 2.0, 1.0]
        .into_iter()
        .map(|m| m * e)
        .find(|&c| c <= v * (1.0 + 1e-9))
        .unwrap_or(e)
}

/// The smallest 1-2-5 value ≥ v (v > 0).
fn nice_ceil(v: f64) -> f64 {
    let e = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * e)
        .find(|&c| c >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * e)
}

/// Tick values on a log axis: 1-2-5 per decade, or only powers of ten when that is many.
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let (d0, d1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let mults: &[f64] = if d1 - d0 > 3 {
        &[1.0]
    } else {
        &[1.0, 2.0, 5.0]
    };
    for d in d0.max(-3)..=d1.min(12) {
        for m in mults {
            let v = m * 10f64.powi(d);
            if v >= lo * (1.0 - 1e-9) && v <= hi * (1.0 + 1e-9) {
                out.push(v);
            }
        }
    }
    out
}

/// Latency in a short human unit: `850 ms`, `1.2 s`, `3 min`.
pub fn fmt_ms(v: f64) -> String {
    let trim = |x: f64| {
        let s = format!("{x:.2}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    };
    if !v.is_finite() {
        "—".to_string()
    } else if v < 1000.0 {
        format!("{} ms", trim(if v >= 10.0 { v.round() } else { v }))
    } else if v < 60_000.0 {
        format!("{} s", trim(v / 1000.0))
    } else if v < 3_600_000.0 {
        format!("{} min", trim(v / 60_000.0))
    } else {
        format!("{} h", trim(v / 3_600_000.0))
    }
}

/// The zone the log's timestamps name: the time axis is on its clock.
fn zone_of(s: &Summary) -> Zone {
    Zone::from_name(s.fields.time_zone.as_deref())
}

/// The time axis's title: `time (UTC)`, `time (UTC+01:00)`, or `time (as written in the log)`
/// when its timestamps name no zone.
fn time_title(s: &Summary) -> String {
    match zone_of(s) {
        Zone::Unnamed => "time (as written in the log)".to_string(),
        z => format!("time ({})", z.suffix().trim_start()),
    }
}

/// Time ticks at whole steps of the clock of `zone`, with their labels.
fn time_ticks(t0: f64, t1: f64, zone: Zone) -> Vec<(f64, String)> {
    const MIN: i64 = 60_000;
    const STEPS: [i64; 17] = [
        MIN,
        2 * MIN,
        5 * MIN,
        10 * MIN,
        15 * MIN,
        30 * MIN,
        60 * MIN,
        120 * MIN,
        180 * MIN,
        360 * MIN,
        720 * MIN,
        1440 * MIN,
        2 * 1440 * MIN,
        7 * 1440 * MIN,
        14 * 1440 * MIN,
        28 * 1440 * MIN,
        91 * 1440 * MIN,
    ];
    let span = (t1 - t0).max(1.0);
    let step = STEPS
        .into_iter()
        .find(|&s| span / s as f64 <= 7.0)
        .unwrap_or_else(|| ((span / 7.0) as i64 / (1440 * MIN) + 1) * 1440 * MIN);
    let with_date = span > 36.0 * 3_600_000.0;
    // Whole steps on the zone's clock (`shift`: its offset), placed at their UTC instant.
    let shift = zone.local_ms(0);
    let first = (t0 as i64 + shift).div_euclid(step) * step - shift;
    let mut out = Vec::new();
    let mut t = first;
    while (t as f64) <= t1 && out.len() < 20 {
        if t as f64 >= t0 {
            out.push((t as f64, fmt_time(t + shift, with_date)));
        }
        t += step;
    }
    out
}

/// `HH:MM`, or `MM-DD` when `with_date` (long spans), of epoch ms on the clock shown.
fn fmt_time(epoch_ms: i64, with_date: bool) -> String {
    let days = epoch_ms.div_euclid(86_400_000);
    let ms = epoch_ms.rem_euclid(86_400_000);
    if with_date {
        let (_, m, d) = crate::units::civil_from_days(days);
        format!("{m:02}-{d:02}")
    } else {
        format!("{:02}:{:02}", ms / 3_600_000, ms / 60_000 % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::{LatencyStats, Timeline, TimelinePoint, TimelineSeries};

    fn group(key: &str, base: f64, n: u64, err: f64) -> GroupSummary {
        GroupSummary {
            key: key.to_string(),
            count: n,
            errors: (n as f64 * err) as u64,
            error_rate: err,
            latency_ms: Some(LatencyStats {
                min: base * 0.5,
                mean: base,
                p50: base,
                p90: base * 1.3,
                p95: base * 1.5,
                p99: base * 2.0,
                p999: base * 2.5,
                max: base * 3.0,
            }),
            latency_count: n,
            cdf: (1..=50)
                .map(|k| [base * (0.5 + k as f64 / 20.0), k as f64 / 50.0])
                .collect(),
            ..GroupSummary::default()
        }
    }

    fn sample() -> Summary {
        let t0 = 1_795_795_200_000i64; // 2026-11-27T16:00Z
        let mut s = Summary::default();
        s.fields.group = Some("modelVersion".into());
        s.groups = vec![
            group("v1.2", 100.0, 2000, 0.005),
            group("v1.3 <script>&\"'\u{1}", 760.0, 1300, 0.78),
        ];
        s.baseline = Some("v1.2".into());
        let pts = |from: i64, p50: f64, err: u64| -> Vec<TimelinePoint> {
            (from..210)
                .map(|m| TimelinePoint {
                    t: t0 + m * 60_000,
                    count: 10,
                    errors: err,
                    p50: Some(p50),
                    p95: Some(p50 * 1.4),
                })
                .collect()
        };
        s.timeline = Timeline {
            bucket_ms: 60_000,
            series: vec![
                TimelineSeries {
                    group: "v1.2".into(),
                    points: pts(0, 100.0, 0),
                },
                TimelineSeries {
                    group: "v1.3 <script>&\"'\u{1}".into(),
                    points: pts(105, 760.0, 8),
                },
            ],
        };
        s
    }

    /// A rough well-formedness check: balanced tags, no raw `<` or `&` in text, no
    /// control characters.
    fn assert_xmlish(svg: &str) {
        assert!(svg.starts_with("<svg "), "{}", &svg[..svg.len().min(80)]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.chars().any(|c| c < ' ' && c != '\n' && c != '\t'));
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            let text = &rest[..i];
            assert!(!text.contains('>'), "raw > in text: {text:?}");
            for (k, _) in text.match_indices('&') {
                let ent = &text[k..];
                assert!(
                    ["&lt;", "&gt;", "&amp;", "&quot;", "&apos;"]
                        .iter()
                        .any(|e| ent.starts_with(e)),
                    "bad entity in {text:?}"
                );
            }
            let end = rest[i..].find('>').expect("unclosed tag") + i;
            let tag = &rest[i + 1..end];
            assert!(!tag.contains('<'), "< inside tag {tag:?}");
            // Attribute values are quoted and hold no raw `<`/quote.
            assert_eq!(tag.matches('"').count() % 2, 0, "odd quotes in {tag:?}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.trim()),
                    "mismatched close"
                );
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or("").to_string();
                stack.push(name);
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    #[test]
    fn charts_are_wellformed_and_escape_group_names() {
        let s = sample();
        for theme in [Theme::Light, Theme::Dark] {
            for svg in [
                latency_cdf(&s, theme),
                latency_timeline(&s, theme),
                error_rate(&s, theme),
            ] {
                assert_xmlish(&svg);
                assert!(svg.contains("v1.2"));
                assert!(
                    svg.contains("v1.3 &lt;script&gt;&amp;&quot;&apos;\u{fffd}"),
                    "{svg}"
                );
                assert!(!svg.contains("<script"));
                assert!(svg.contains("<path") || svg.contains("<polyline"));
            }
        }
    }

    #[test]
    fn timeline_marks_the_new_group_and_uses_utc_times() {
        let svg = latency_timeline(&sample(), Theme::Light);
        assert!(svg.contains("from 17:45"), "{svg}");
        assert!(svg.contains(">\n16:00\n<") || svg.contains("16:00"));
        assert!(svg.contains("(baseline)"));
    }

    #[test]
    fn empty_summary_gives_a_placeholder() {
        let s = Summary::default();
        for svg in [
            latency_cdf(&s, Theme::Light),
            latency_timeline(&s, Theme::Dark),
            error_rate(&s, Theme::Light),
        ] {
            assert_xmlish(&svg);
            assert!(svg.contains("No "), "{svg}");
        }
    }

    #[test]
    fn no_timeline_gives_bars_and_a_note() {
        let mut s = sample();
        s.timeline = Timeline::default();
        let t = latency_timeline(&s, Theme::Light);
        assert_xmlish(&t);
        assert!(t.contains("No timestamps"));
        let e = error_rate(&s, Theme::Light);
        assert_xmlish(&e);
        assert!(e.contains("78.0%"), "{e}");
        assert_xmlish(&latency_cdf(&s, Theme::Dark));
    }

    #[test]
    fn odd_values_do_not_panic() {
        let mut s = sample();
        s.groups[0].cdf = vec![
            [f64::NAN, 0.5],
            [0.0, 0.1],
            [f64::INFINITY, 1.0],
            [-3.0, 2.0],
        ];
        s.groups[1].cdf = vec![[5.0, 1.0]];
        s.groups[1].error_rate = f64::NAN;
        s.timeline.bucket_ms = 0;
        s.timeline.series[0].points[3].p50 = Some(f64::NAN);
        s.timeline.series[0].points[4].p95 = Some(0.0);
        s.timeline.series[1].points.truncate(1);
        for g in 0..20 {
            s.groups.push(group(&"x".repeat(g * 10), 1e9, 1, 1.0));
        }
        for theme in [Theme::Light, Theme::Dark] {
            assert_xmlish(&latency_cdf(&s, theme));
            assert_xmlish(&latency_timeline(&s, theme));
            assert_xmlish(&error_rate(&s, theme));
        }
        s.timeline = Timeline::default();
        assert_xmlish(&error_rate(&s, Theme::Light));
    }

    #[test]
    fn scales_and_labels() {
        assert_eq!(log_range(49.0, 1173.0), (20.0, 2000.0));
        assert_eq!(log_range(100.0, 100.0), (100.0, 200.0));
        assert_eq!(
            log_ticks(20.0, 2000.0),
            vec![20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0]
        );
        assert_eq!(fmt_ms(850.0), "850 ms");
        assert_eq!(fmt_ms(1200.0), "1.2 s");
        assert_eq!(fmt_ms(0.5), "0.5 ms");
        assert_eq!(fmt_ms(120_000.0), "2 min");
        assert_eq!(crate::units::civil_from_days(20_784), (2026, 11, 27));
        assert_eq!(fmt_time(1_795_801_500_000, false), "17:45");
        assert_eq!(label_text(&"é".repeat(40)).chars().count(), 32);
        assert_eq!(label_text("a\u{0}b"), "a\u{fffd}b");
        let ticks = time_ticks(1_795_795_200_000.0, 1_795_807_800_000.0, Zone::Utc);
        assert_eq!(ticks.first().map(|t| t.1.as_str()), Some("16:00"));
        assert!(ticks.len() <= 8);
    }
}
