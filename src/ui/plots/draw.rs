//! The three charts, drawn with plotters on <canvas> elements: requests per pod (horizontal
//! bars), ready and desired replicas over virtual time (a stepped line per workload, desired
//! dashed), and requests, errors and latency per virtual second. Colours come from the page's
//! CSS variables (`Palette::of_page`), so each theme draws its own.

use crate::sim::metrics::{Sample, Second};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

/// The theme's colours, read from the CSS variables in effect.
pub struct Palette {
    pub text: RGBColor,
    pub muted: RGBColor,
    pub grid: RGBColor,
    pub bad: RGBColor,
    pub wait: RGBColor,
    /// One colour per workload (`--plot-1` … `--plot-6`).
    pub series: Vec<RGBColor>,
}

fn hex(s: &str) -> Option<RGBColor> {
    let s = s.trim().strip_prefix('#')?;
    if s.len() != 6 {
        return None;
    }
    let n = u32::from_str_radix(s, 16).ok()?;
    Some(RGBColor((n >> 16) as u8, (n >> 8) as u8, n as u8))
}

impl Palette {
    pub fn of_page() -> Palette {
        let style = web_sys::window().and_then(|w| {
            let root = w.document()?.document_element()?;
            w.get_computed_style(&root).ok().flatten()
        });
        let var = |name: &str, fallback: RGBColor| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .and_then(|v| hex(&v))
                .unwrap_or(fallback)
        };
        let grey = RGBColor(128, 128, 128);
        Palette {
            text: var("--text", grey),
            muted: var("--muted", grey),
            grid: var("--border", grey),
            bad: var("--bad", RGBColor(220, 40, 40)),
            wait: var("--wait", RGBColor(200, 140, 20)),
            series: (1..=6).map(|i| var(&format!("--plot-{i}"), grey)).collect(),
        }
    }
    fn series(&self, i: usize) -> RGBColor {
        self.series
            .get(i % self.series.len().max(1))
            .copied()
            .unwrap_or(self.text)
    }
}

/// A canvas sized to its box in device pixels; the scale (devicePixelRatio) for fonts and lines.
fn area(id: &str) -> Option<(DrawingArea<CanvasBackend, Shift>, f64)> {
    let w = web_sys::window()?;
    let canvas: web_sys::HtmlCanvasElement =
        w.document()?.get_element_by_id(id)?.dyn_into().ok()?;
    let dpr = w.device_pixel_ratio().clamp(1.0, 3.0);
    let (cw, ch) = (canvas.client_width().max(1), canvas.client_height().max(1));
    let (pw, ph) = ((cw as f64 * dpr) as u32, (ch as f64 * dpr) as u32);
    // Setting the size clears the bitmap, even to the same size: each redraw starts blank
    // (a transparent fill would draw nothing), and the panel's background shows through.
    canvas.set_width(pw);
    canvas.set_height(ph);
    let backend = CanvasBackend::with_canvas_object(canvas)?;
    Some((backend.into_drawing_area(), dpr))
}

fn px(dpr: f64, n: f64) -> u32 {
    (n * dpr).round().max(1.0) as u32
}

fn font(p: &Palette, dpr: f64, size: f64) -> TextStyle<'static> {
    ("sans-serif", size * dpr).into_font().color(&p.muted)
}

/// A message in the middle of an empty chart.
fn empty(root: &DrawingArea<CanvasBackend, Shift>, p: &Palette, dpr: f64, text: &str) {
    let (w, h) = root.dim_in_pixel();
    let style = ("sans-serif", 13.0 * dpr).into_font().color(&p.muted).pos(
        plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Center,
        ),
    );
    let _ = root.draw_text(text, &style, ((w / 2) as i32, (h / 2) as i32));
}

/// Requests answered per pod: one bar each, most first.
pub fn per_pod(id: &str, p: &Palette, pods: &[(String, u32)]) {
    let Some((root, dpr)) = area(id) else {
        return;
    };
    if pods.is_empty() {
        empty(
            &root,
            p,
            dpr,
            "No request answered yet: send traffic or curl a Service",
        );
        return;
    }
    let shown = &pods[..pods.len().min(12)];
    let n = shown.len();
    let max = shown.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1) as f64;
    let longest = shown
        .iter()
        .map(|(s, _)| s.chars().count())
        .max()
        .unwrap_or(4)
        .min(34);
    let label_w = px(dpr, 12.0 + longest as f64 * 6.6);
    let Ok(mut chart) = ChartBuilder::on(&root)
        .margin(px(dpr, 8.0))
        .x_label_area_size(px(dpr, 28.0))
        .y_label_area_size(label_w)
        .build_cartesian_2d(0f64..max * 1.12, 0f64..n as f64)
    else {
        return;
    };
    let _ = chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(5)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("requests answered")
        .light_line_style(p.grid.mix(0.35))
        .bold_line_style(p.grid.mix(0.8))
        .axis_style(p.grid)
        .label_style(font(p, dpr, 11.0))
        .axis_desc_style(font(p, dpr, 11.0))
        .draw();
    let bar = p.series(0);
    let _ = chart.draw_series(shown.iter().enumerate().map(|(i, (_, c))| {
        let y = (n - 1 - i) as f64;
        Rectangle::new([(0.0, y + 0.18), (*c as f64, y + 0.82)], bar.filled())
    }));
    let label = font(p, dpr, 11.5).color(&p.text);
    let right = label.pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Right,
        plotters::style::text_anchor::VPos::Center,
    ));
    let left = label.pos(plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    ));
    for (i, (name, c)) in shown.iter().enumerate() {
        let y = (n - 1 - i) as f64 + 0.5;
        let (x0, py) = chart.backend_coord(&(0.0, y));
        let (x1, _) = chart.backend_coord(&(*c as f64, y));
        let name: String = if name.chars().count() > 34 {
            let tail: String = name
                .chars()
                .rev()
                .take(33)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("…{tail}")
        } else {
            name.clone()
        };
        let _ = root.draw_text(&name, &right, (x0 - px(dpr, 6.0) as i32, py));
        let _ = root.draw_text(&c.to_string(), &left, (x1 + px(dpr, 4.0) as i32, py));
    }
}

/// Stepped points: the value holds until the next sample.
fn steps(points: &[(f64, f64)], until: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2 + 1);
    for (i, &(x, y)) in points.iter().enumerate() {
        if i > 0 {
            let prev = out.last().map(|&(_, py)| py).unwrap_or(y);
            out.push((x, prev));
        }
        out.push((x, y));
    }
    if let Some(&(x, y)) = out.last() {
        if until > x {
            out.push((until, y));
        }
    }
    out
}

/// Ready (solid) and desired (dashed) replicas per workload over virtual time.
pub fn replicas(id: &str, p: &Palette, samples: &[Sample], names: &[String], now_s: f64) {
    let Some((root, dpr)) = area(id) else {
        return;
    };
    if names.is_empty() {
        empty(
            &root,
            p,
            dpr,
            "No Deployment, StatefulSet or ReplicaSet yet",
        );
        return;
    }
    let first = samples.first().map(|s| s.at as f64 / 1000.0).unwrap_or(0.0);
    let (x0, x1) = (first.min(now_s - 10.0).max(0.0), now_s.max(first + 10.0));
    let top = samples
        .iter()
        .flat_map(|s| s.workloads.iter().map(|w| w.ready.max(w.desired)))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let Ok(mut chart) = ChartBuilder::on(&root)
        .margin(px(dpr, 8.0))
        .x_label_area_size(px(dpr, 28.0))
        .y_label_area_size(px(dpr, 30.0))
        .build_cartesian_2d(x0..x1, 0f64..top + 0.6)
    else {
        return;
    };
    let _ = chart
        .configure_mesh()
        .x_labels(6)
        .y_labels((top as usize + 1).min(8))
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .x_desc("virtual time")
        .light_line_style(p.grid.mix(0.3))
        .bold_line_style(p.grid.mix(0.7))
        .axis_style(p.grid)
        .label_style(font(p, dpr, 11.0))
        .axis_desc_style(font(p, dpr, 11.0))
        .draw();
    for (i, name) in names.iter().enumerate() {
        let colour = p.series(i);
        let pick = |f: fn(&crate::sim::metrics::Replicas) -> u32| -> Vec<(f64, f64)> {
            samples
                .iter()
                .filter_map(|s| {
                    let w = s.workloads.iter().find(|w| &w.name == name)?;
                    Some((s.at as f64 / 1000.0, f(w) as f64))
                })
                .collect()
        };
        let ready = steps(&pick(|w| w.ready), now_s);
        let desired = steps(&pick(|w| w.desired), now_s);
        // Lines of equal value would hide each other: desired sits a hair above.
        let desired: Vec<(f64, f64)> = desired.into_iter().map(|(x, y)| (x, y + 0.06)).collect();
        let _ = chart.draw_series(std::iter::once(DashedPathElement::new(
            desired,
            px(dpr, 5.0),
            px(dpr, 4.0),
            colour.stroke_width(px(dpr, 1.5)),
        )));
        let _ = chart.draw_series(std::iter::once(PathElement::new(
            ready,
            colour.stroke_width(px(dpr, 2.5)),
        )));
    }
}

/// Requests (bars), errors (red bars over them) and mean latency (a line, right axis) per
/// virtual second.
pub fn errors(id: &str, p: &Palette, seconds: &[Second], now_s: f64) {
    let Some((root, dpr)) = area(id) else {
        return;
    };
    if seconds.is_empty() {
        empty(&root, p, dpr, "No request yet");
        return;
    }
    let x1 = now_s.floor() + 1.0;
    let x0 = (x1 - 60.0)
        .max(0.0)
        .min(seconds.first().map(|s| s.second as f64).unwrap_or(0.0));
    let x0 = x0.max(x1 - crate::sim::metrics::MAX_SECONDS as f64);
    let top = seconds.iter().map(|s| s.requests).max().unwrap_or(1).max(1) as f64;
    let lat_top = seconds
        .iter()
        .map(|s| s.latency_max)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let Ok(chart) = ChartBuilder::on(&root)
        .margin(px(dpr, 8.0))
        .x_label_area_size(px(dpr, 28.0))
        .y_label_area_size(px(dpr, 34.0))
        .right_y_label_area_size(px(dpr, 40.0))
        .build_cartesian_2d(x0..x1, 0f64..top * 1.15)
    else {
        return;
    };
    let mut chart = chart.set_secondary_coord(x0..x1, 0f64..lat_top * 1.3);
    let _ = chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| format!("{v:.0}"))
        .y_desc("requests / s")
        .light_line_style(p.grid.mix(0.3))
        .bold_line_style(p.grid.mix(0.7))
        .axis_style(p.grid)
        .label_style(font(p, dpr, 11.0))
        .axis_desc_style(font(p, dpr, 11.0))
        .draw();
    let _ = chart
        .configure_secondary_axes()
        .y_labels(4)
        .y_label_formatter(&|v| format!("{v:.0} ms"))
        .axis_style(p.grid)
        .label_style(font(p, dpr, 11.0))
        .draw();
    let ok = p.series(0).mix(0.45);
    let _ = chart.draw_series(seconds.iter().map(|s| {
        let x = s.second as f64;
        Rectangle::new([(x + 0.1, 0.0), (x + 0.9, s.requests as f64)], ok.filled())
    }));
    let _ = chart.draw_series(seconds.iter().filter(|s| s.errors() > 0).map(|s| {
        let x = s.second as f64;
        Rectangle::new(
            [(x + 0.1, 0.0), (x + 0.9, s.errors() as f64)],
            p.bad.filled(),
        )
    }));
    let latency: Vec<(f64, f64)> = seconds
        .iter()
        .filter_map(|s| Some((s.second as f64 + 0.5, s.latency_mean()?)))
        .collect();
    let line = p.wait.stroke_width(px(dpr, 2.0));
    if latency.len() > 1 {
        let _ =
            chart.draw_secondary_series(std::iter::once(PathElement::new(latency.clone(), line)));
    }
    let _ = chart.draw_secondary_series(
        latency
            .iter()
            .map(|&(x, y)| Circle::new((x, y), px(dpr, 3.0), p.wait.filled())),
    );
}

/// A time axis label: minutes and seconds of virtual time (`2:05`), hours past the first.
fn tick(v: f64) -> String {
    let s = v.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}
