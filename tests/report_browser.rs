//! report.html in a real browser (issue 4): headless Chromium loads a report generated
//! here from a small scenario, with no console message, and every chart is laid out,
//! visible and painted. Needs Debian's `chromium` at /usr/bin/chromium, which a fresh
//! machine with only Rust lacks, so plain `cargo test` lists it as ignored; `.ci/run`
//! installs Chromium and runs it with `cargo test --test report_browser -- --ignored`.
//! Run that way without the browser, it fails rather than skip, so a CI image that
//! lost the browser cannot pass unnoticed.
//!
//! Plain Chromium flags only, three launches:
//! 1. a control page that logs to the console, to prove this Chromium reports console
//!    messages on stderr at all (otherwise check 3 would be blind);
//! 2. a copy of the report with a probe script appended, dumped with `--dump-dom`: the
//!    script writes each chart's box, computed visibility and hit-test result into the
//!    DOM, along with the page size and anything the page fetched; the window is
//!    1280×800, and the verdict must lie in it before any scroll; every `<text>` of
//!    every inline SVG must lie inside its SVG and clear of the others' boxes;
//! 3. the untouched report, screenshotted at full height with console logging on: no
//!    console line, and inside each chart's box (from 2) every variant's colour is
//!    painted.
//!
//! A second test puts the sweep's report.html (made by `geosim sweep` of a small sweep)
//! through the same checks, its conclusion standing for the verdict.
//!
//! Artefacts (report, probed DOM in `probe.stdout`, screenshot, browser logs) stay under
//! `target/tmp/report_browser/run/` and `…/sweep/`, never in git.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use geosim::report::charts::ChartFormat;
use geosim::report::charts::ChartKind;
use geosim::report::json::RunInfo;
use geosim::report::palette;
use geosim::runner::{self, RunOptions};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Layout width of every launch; the screenshot's pixels are CSS pixels at this width.
/// With [`VIEW_HEIGHT`], the laptop window the verdict must fit in without scrolling.
const WIDTH: u32 = 1280;
const VIEW_HEIGHT: u32 = 800;
/// Texts may touch by this much (antialiasing, rounding) before they count as overlapping.
const TOLERANCE: f64 = 1.0;
/// Taller pages than this would exceed what one headless screenshot reliably holds.
const MAX_HEIGHT: u32 = 16_000;
/// A launch that takes longer than this is hung (a cold start takes about a second).
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(90);

/// Small but complete: three variants, a primary outage and a promotion, so every chart
/// has lines, shading, markers and bars to draw; `[reads]` (the visibility chart),
/// `[cost]` (the cost chart) and a `[[failure]]` (the year of failures, whose section
/// holds the cost chart), so every chart kind and section report.html can show is on
/// the page. The short timeout keeps the three variants' points apart on the
/// trade-off chart: with the default 60 s, two of them share a p99 and an RPO and one
/// dot hides the other. The failure is rare (a year of it takes a few seconds) and
/// too rare to strike the 4-minute run.
const SCENARIO: &str = r#"
[simulation]
name = "browser-check"
duration = "4m"
warmup = "10s"
seed = 7

[[region]]
name = "westeurope"
commit = { dist = "lognormal", median = "2ms", p99 = "8ms" }

[[region]]
name = "eastus"

[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "84ms", stddev = "2ms" }

[workload]
client_region = "westeurope"
rate = 40
size = "1KiB"
timeout = "10s"
retries = 2

[replication]
primary = "westeurope"
secondaries = ["eastus"]

[[outage]]
target = "eastus<->westeurope"
start = "50s"
duration = "30s"

[[outage]]
target = "westeurope"
start = "60s"
duration = "90s"

[[action]]
at = "90s"
promote = "planned"
target = "eastus"

[promotion]
switch = "10s"
dns = "30s"

[reads]
rate = 10
from = "eastus"
at = "nearest"

[[failure]]
target = "eastus"
mtbf = "120d"
mttr = { dist = "lognormal", median = "20m", p99 = "2h" }

[cost]
units = 1
unit_hour = 0.928
replicated_gb = 0.09
currency = "USD"

[objectives]
rpo = "5s"
availability = 0.9
latency_p99 = "200ms"

[[variant]]
name = "sync-forced"
mode = "sync"
promote = "forced"

[[variant]]
name = "async-forced"
mode = "async"
promote = "forced"

[[variant]]
name = "async-planned"
mode = "async"
promote = "planned"
"#;

/// A sweep small enough for a debug build: two rates × two variants, two short runs
/// each; the link fails before the primary does and a forced promotion follows, so
/// async loses writes (the RPO and loss charts have something to draw) while sync
/// refuses them; objectives, so the conclusion says where they hold.
const SWEEP_SCENARIO: &str = r#"
[simulation]
name = "browser-sweep"
duration = "2m"
warmup = "10s"
seed = 7
runs = 2

[[region]]
name = "westeurope"
commit = { dist = "lognormal", median = "2ms", p99 = "8ms" }

[[region]]
name = "eastus"

[[link]]
between = ["westeurope", "eastus"]
rtt = { dist = "normal", mean = "84ms", stddev = "2ms" }

[workload]
client_region = "westeurope"
rate = 20
size = "1KiB"
timeout = "10s"

[replication]
primary = "westeurope"
secondaries = ["eastus"]

[[outage]]
target = "eastus<->westeurope"
start = "30s"
duration = "35s"

[[outage]]
target = "westeurope"
start = "60s"
duration = "40s"

[[action]]
at = "70s"
promote = "forced"
target = "eastus"

[promotion]
switch = "5s"
dns = "10s"

[objectives]
rpo = "1s"
latency_p99 = "50ms"

[[variant]]
name = "sync"
mode = "sync"

[[variant]]
name = "async"
mode = "async"

[sweep]
"workload.rate" = [20, 40]
"#;

/// Appended to the probed copy only. It writes one line per fact into
/// `<pre id="geosim-probe">`: `page W H`; `fetched N`, the resources the page loaded
/// (a failed load leaves no entry, hence also) `loaders N`, the elements that would load
/// one; then per figure `chart ID LEFT TOP WIDTH HEIGHT DISPLAY VISIBILITY OPACITY HIT`
/// in page pixels, where HIT says whether the topmost element at the chart's centre is
/// part of it.
const PROBE: &str = r#"<script>
(function () {
  var root = document.documentElement, out = [];
  // Before anything scrolls: the window, and the verdict (its sentence and table) in it.
  out.push("window " + innerWidth + " " + innerHeight);
  var verdict = document.getElementById("verdict") ||
    document.querySelector("ul.conclusion");
  if (verdict) {
    var v = verdict.getBoundingClientRect();
    out.push(["verdict", v.left, v.top, v.right, v.bottom].join(" "));
  }
  out.push("page " + root.scrollWidth + " " + root.scrollHeight);
  out.push("fetched " + performance.getEntriesByType("resource").length);
  out.push("loaders " + document.querySelectorAll(
    "img, iframe, object, embed, video, audio, link, script[src], image, use[href]").length);
  document.querySelectorAll("figure").forEach(function (fig) {
    var svg = fig.querySelector("svg");
    if (!svg) { out.push("chart " + fig.id + " none"); return; }
    svg.scrollIntoView({ block: "center" });
    var r = svg.getBoundingClientRect(), cs = getComputedStyle(svg);
    var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    out.push(["chart", fig.id, Math.round(r.left + scrollX), Math.round(r.top + scrollY),
      Math.round(r.width), Math.round(r.height), cs.display, cs.visibility, cs.opacity,
      svg.contains(hit) ? "hit" : "covered"].join(" "));
  });
  // Every text of every inline SVG, in page pixels (empty ones skipped): checked for
  // overlaps within one SVG and for lying outside it.
  document.querySelectorAll("svg").forEach(function (svg, k) {
    var fig = svg.closest("figure");
    var name = fig ? fig.id : (svg.getAttribute("class") || "svg" + k);
    var b = svg.getBoundingClientRect();
    out.push(["svgbox", name, b.left + scrollX, b.top + scrollY, b.right + scrollX,
      b.bottom + scrollY].join(" "));
    svg.querySelectorAll("text").forEach(function (t) {
      var s = t.textContent.replace(/\s+/g, " ").trim();
      if (!s) { return; }
      var r = t.getBoundingClientRect();
      out.push(["text", name, r.left + scrollX, r.top + scrollY, r.right + scrollX,
        r.bottom + scrollY, encodeURIComponent(s)].join(" "));
    });
  });
  window.scrollTo(0, 0);
  var pre = document.createElement("pre");
  pre.id = "geosim-probe";
  pre.textContent = out.join("\n");
  document.body.appendChild(pre);
})();
</script>"#;

#[test]
#[ignore = "needs Debian's chromium; run with: cargo test --test report_browser -- --ignored"]
fn report_renders_in_headless_chromium() {
    let chromium = chromium();
    let dir = artefact_dir("run");
    let (html, variants) = render_report();
    console_is_reported(&chromium, &dir);
    // The cost chart sits in the year section, before the run's charts.
    let mut expected: Vec<String> = vec!["cost_rpo".to_string()];
    expected.extend(ChartKind::ALL.iter().map(|k| k.stem().to_string()));
    expected.push("visibility".to_string());
    check_page(&chromium, &dir, &html, (&expected, true), &variants);
}

/// The sweep's report.html, made by `geosim sweep` of [`SWEEP_SCENARIO`], passes the
/// same checks, its conclusion standing for the verdict; its charts are the
/// `sweep_*.svg` files the sweep wrote, in file order.
#[test]
#[ignore = "needs Debian's chromium; run with: cargo test --test report_browser -- --ignored"]
fn sweep_report_renders_in_headless_chromium() {
    let chromium = chromium();
    let dir = artefact_dir("sweep");
    let scenario = dir.join("browser-sweep.toml");
    fs::write(&scenario, SWEEP_SCENARIO).unwrap();
    let out = dir.join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_geosim"))
        .arg("sweep")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--jobs", "1", "-q"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "geosim sweep failed: {status}");
    let sweep_dir = out.join("browser-sweep").join("sweep");
    let html = fs::read_to_string(sweep_dir.join("report.html")).unwrap();
    let expected: Vec<String> = fs::read_dir(&sweep_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|n| n.strip_suffix(".svg").map(str::to_string))
        .collect();
    assert!(expected.len() >= 2, "the sweep drew {expected:?}");
    let variants = ["sync".to_string(), "async".to_string()];
    check_page(&chromium, &dir, &html, (&expected, false), &variants);
}

/// `html` as `report.html` in `dir`, probed (no fetch, no overflow, every chart of
/// `charts` laid out (in that order if `ordered`), the verdict in the first screen, texts apart) and screenshotted
/// (no console line, every variant's colour painted in every chart).
fn check_page(
    chromium: &Path,
    dir: &Path,
    html: &str,
    (charts, ordered): (&[String], bool),
    variants: &[String],
) {
    let report = dir.join("report.html");
    fs::write(&report, html).unwrap();
    let probed = dir.join("report-probed.html");
    fs::write(
        &probed,
        html.replacen("</body>", &format!("{PROBE}</body>"), 1),
    )
    .unwrap();
    let dom = launch(
        chromium,
        dir,
        "probe",
        &["--dump-dom"],
        &probed,
        WIDTH,
        VIEW_HEIGHT,
    )
    .stdout;
    let probe = Probe::parse(&dom);
    assert_eq!(probe.fetched, 0, "report.html fetched something");
    assert_eq!(
        probe.loaders, 0,
        "report.html has elements that load resources"
    );
    assert!(
        probe.width <= WIDTH,
        "the page is {} px wide in a {WIDTH} px window: something overflows",
        probe.width
    );
    assert!(
        probe.height <= MAX_HEIGHT,
        "page too tall: {}",
        probe.height
    );
    probe.assert_charts_laid_out(charts, ordered);
    probe.assert_verdict_in_view();
    probe.assert_texts_apart();

    let shot = dir.join("report.png");
    let screenshot_flag = format!("--screenshot={}", shot.display());
    let run = launch(
        chromium,
        dir,
        "screenshot",
        &[&screenshot_flag],
        &report,
        WIDTH,
        probe.height,
    );
    let console: Vec<&str> = console_lines(&run.stderr);
    assert!(
        console.is_empty(),
        "report.html wrote to the console:\n{}",
        console.join("\n")
    );
    let image = Screenshot::read(&shot);
    assert_eq!(image.width, WIDTH, "screenshot width");
    for chart in &probe.charts {
        for (i, name) in variants.iter().enumerate() {
            let painted = image.count_colour(chart, palette_rgb(i));
            assert!(
                painted >= 20,
                "chart {}: variant {name}'s colour {} painted on only {painted} pixels \
                 (screenshot {})",
                chart.id,
                palette::variant_hex(i),
                shot.display()
            );
        }
    }
    eprintln!("screenshot kept at {}", shot.display());
}

/// The browser, or a failure that says how to get it.
fn chromium() -> PathBuf {
    let path = PathBuf::from(CHROMIUM);
    assert!(
        path.is_file(),
        "headless Chromium is needed at {CHROMIUM} to check report.html in a browser; \
         install it with `apt-get update && apt-get install -y chromium` (Debian; \
         .ci/run does this when it is missing)"
    );
    path
}

/// `target/tmp/report_browser/NAME/`, emptied: each run's artefacts stand alone, and
/// each test has its own folder (they run in parallel).
fn artefact_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("report_browser")
        .join(name);
    if dir.exists() {
        fs::remove_dir_all(&dir).unwrap();
    }
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// report.html of [`SCENARIO`] through the library, as `geosim run` makes it (the run,
/// then the year of failures, both given to `report::render`), and the variant names
/// in palette order.
fn render_report() -> (String, Vec<String>) {
    let model = geosim::scenario::parse(SCENARIO, "browser-check.toml", "browser-check").unwrap();
    let options = RunOptions {
        variants: (0..model.variants.len()).collect(),
        jobs: 0,
        progress: false,
        check: false,
        stop: None,
    };
    let outcome = runner::run(&model, &options).unwrap();
    let (year, _) = geosim::year::run(&model, &options.variants, 0, false)
        .unwrap()
        .expect("the scenario has a [[failure]]");
    assert!(
        matches!(year, geosim::year::Year::Figures(_)),
        "the year of failures did not apply"
    );
    let info = RunInfo {
        version: env!("CARGO_PKG_VERSION"),
        scenario_file: "browser-check.toml",
        scenario_hash: "test",
        seed: model.seed,
        wall_s: outcome.wall_s,
        events: outcome.events,
        variants: model.variants.iter().map(|v| v.name.as_str()).collect(),
        sets: &[],
    };
    let files = geosim::report::render(
        &model,
        &outcome.results,
        ChartFormat::Svg,
        &info,
        Some(&year),
    )
    .unwrap();
    let (_, bytes) = files
        .into_iter()
        .find(|(name, _)| name == "report.html")
        .expect("render writes report.html");
    let variants = model.variants.iter().map(|v| v.name.clone()).collect();
    (String::from_utf8(bytes).unwrap(), variants)
}

/// The control: a page that logs to the console must show up in the log, or the
/// "no console message" check below proves nothing on this Chromium.
fn console_is_reported(chromium: &Path, dir: &Path) {
    let page = dir.join("console-control.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><body><script>console.error(\"geosim-control\")</script></body></html>",
    )
    .unwrap();
    let run = launch(chromium, dir, "control", &["--dump-dom"], &page, WIDTH, 600);
    assert!(
        console_lines(&run.stderr)
            .iter()
            .any(|l| l.contains("geosim-control")),
        "this Chromium did not report a console.error on stderr, so console errors in \
         report.html would go unseen; its log:\n{}",
        run.stderr
    );
}

/// Chromium's stderr lines that carry a page's console messages
/// (`INFO:CONSOLE:1] "text", source: …`; older builds wrote `CONSOLE(1)`). They carry no
/// level, so any of them counts: the report has no script and should say nothing.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains("CONSOLE")).collect()
}

struct Launch {
    stdout: String,
    stderr: String,
}

/// One headless Chromium on `page` with a fresh profile, killed if it hangs. Its
/// stdout and stderr go to files in `dir` (kept as artefacts) rather than pipes, so
/// nothing blocks on a full pipe while we wait.
fn launch(
    chromium: &Path,
    dir: &Path,
    name: &str,
    extra: &[&str],
    page: &Path,
    width: u32,
    height: u32,
) -> Launch {
    let profile = dir.join(format!("profile-{name}"));
    let (out_path, err_path) = (
        dir.join(format!("{name}.stdout")),
        dir.join(format!("{name}.stderr")),
    );
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .args(extra)
        .arg(format!("file://{}", page.canonicalize().unwrap().display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromium.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > LAUNCH_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Chromium ({name}) did not finish within {LAUNCH_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // The profile is scratch, unlike the logs.
    let _ = fs::remove_dir_all(&profile);
    let stdout = fs::read_to_string(&out_path).unwrap();
    let stderr = fs::read_to_string(&err_path).unwrap();
    assert!(
        status.success(),
        "Chromium ({name}) exited with {status}:\n{stderr}"
    );
    Launch { stdout, stderr }
}

#[derive(Debug)]
struct ChartBox {
    id: String,
    left: u32,
    top: u32,
    width: u32,
    height: u32,
    display: String,
    visibility: String,
    opacity: String,
    hit: bool,
}

/// A box in page pixels.
#[derive(Debug, Clone, Copy)]
struct Rect {
    left: f64,
    top: f64,
    right: f64,
    bottom: f64,
}

impl Rect {
    /// Whether the two boxes share more than [`TOLERANCE`] in both directions.
    fn overlaps(&self, o: &Rect) -> bool {
        let w = self.right.min(o.right) - self.left.max(o.left);
        let h = self.bottom.min(o.bottom) - self.top.max(o.top);
        w > TOLERANCE && h > TOLERANCE
    }

    /// Whether `self` lies inside `o`, up to [`TOLERANCE`].
    fn within(&self, o: &Rect) -> bool {
        self.left >= o.left - TOLERANCE
            && self.top >= o.top - TOLERANCE
            && self.right <= o.right + TOLERANCE
            && self.bottom <= o.bottom + TOLERANCE
    }
}

impl std::fmt::Display for Rect {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "[{:.1}, {:.1} – {:.1}, {:.1}]",
            self.left, self.top, self.right, self.bottom
        )
    }
}

/// One non-empty `<text>` of an inline SVG.
#[derive(Debug)]
struct TextBox {
    /// The figure's id (or the SVG's class) it belongs to.
    svg: String,
    text: String,
    rect: Rect,
}

/// `encodeURIComponent`'s output back to text.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// What the probe script found, read back from the dumped DOM.
struct Probe {
    /// The window's inner size, and the verdict section's box in it before any scroll.
    window: (u32, u32),
    verdict: Option<Rect>,
    /// Every inline SVG's box and its texts' boxes, in page pixels.
    svgs: Vec<(String, Rect)>,
    texts: Vec<TextBox>,
    width: u32,
    height: u32,
    fetched: u32,
    loaders: u32,
    charts: Vec<ChartBox>,
}

impl Probe {
    fn parse(dom: &str) -> Probe {
        let start = dom
            .find("<pre id=\"geosim-probe\">")
            .expect("the probe script ran and wrote its findings");
        let body = &dom[start..];
        let body = &body[body.find('>').unwrap() + 1..body.find("</pre>").unwrap()];
        let mut probe = Probe {
            window: (0, 0),
            verdict: None,
            svgs: Vec::new(),
            texts: Vec::new(),
            width: 0,
            height: 0,
            fetched: u32::MAX,
            loaders: u32::MAX,
            charts: Vec::new(),
        };
        let num = |s: &str| -> u32 { s.parse().unwrap_or_else(|_| panic!("probe: {s:?}")) };
        let px = |s: &str| -> f64 { s.parse().unwrap_or_else(|_| panic!("probe: {s:?}")) };
        let bbox = |l: &str, t: &str, r: &str, b: &str| Rect {
            left: px(l),
            top: px(t),
            right: px(r),
            bottom: px(b),
        };
        for line in body.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.as_slice() {
                ["window", w, h] => probe.window = (num(w), num(h)),
                ["verdict", l, t, r, b] => probe.verdict = Some(bbox(l, t, r, b)),
                ["svgbox", name, l, t, r, b] => {
                    probe.svgs.push((name.to_string(), bbox(l, t, r, b)))
                }
                ["text", name, l, t, r, b, s] => probe.texts.push(TextBox {
                    svg: name.to_string(),
                    text: decode(s),
                    rect: bbox(l, t, r, b),
                }),
                ["page", w, h] => (probe.width, probe.height) = (num(w), num(h)),
                ["fetched", n] => probe.fetched = num(n),
                ["loaders", n] => probe.loaders = num(n),
                ["chart", id, "none"] => panic!("figure {id} holds no <svg>"),
                ["chart", id, left, top, w, h, display, visibility, opacity, hit] => {
                    probe.charts.push(ChartBox {
                        id: id.to_string(),
                        left: num(left),
                        top: num(top),
                        width: num(w),
                        height: num(h),
                        display: display.to_string(),
                        visibility: visibility.to_string(),
                        opacity: opacity.to_string(),
                        hit: *hit == "hit",
                    })
                }
                _ => panic!("probe line not understood: {line:?}"),
            }
        }
        probe
    }

    /// The charts `expected`, in page order, each a sizeable box inside the page,
    /// shown, and not covered by anything else.
    /// `ordered` false compares them as sets.
    fn assert_charts_laid_out(&self, expected: &[String], ordered: bool) {
        let mut ids: Vec<&str> = self.charts.iter().map(|c| c.id.as_str()).collect();
        let mut expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        if !ordered {
            ids.sort_unstable();
            expected.sort_unstable();
        }
        assert_eq!(ids, expected, "charts on the page");
        for c in &self.charts {
            assert!(
                c.width >= 400 && c.height >= 200,
                "chart {} is only {}×{} px",
                c.id,
                c.width,
                c.height
            );
            assert!(
                c.left + c.width <= self.width && c.top + c.height <= self.height,
                "chart {} lies outside the page: {c:?}",
                c.id
            );
            assert!(
                c.display != "none" && c.visibility == "visible" && c.opacity == "1",
                "chart {} is hidden: {c:?}",
                c.id
            );
            assert!(c.hit, "chart {} is covered by another element", c.id);
        }
    }

    /// The verdict, sentence and table, lies wholly in the first screen of a
    /// 1280×800 window: a reader sees it without scrolling.
    fn assert_verdict_in_view(&self) {
        // Headless Chromium keeps its window's frame out of the page (800 px tall
        // leaves about 660 px of page), as a desktop browser's does: the verdict must
        // fit in what the page really gets.
        let (w, h) = self.window;
        assert!(
            w == WIDTH && h > 400 && h <= VIEW_HEIGHT,
            "the probe's page area is {w}×{h} px in a {WIDTH}×{VIEW_HEIGHT} window"
        );
        let v = self
            .verdict
            .expect("report.html has a section id=\"verdict\" (a sweep's: ul.conclusion)");
        let screen = Rect {
            left: 0.0,
            top: 0.0,
            right: WIDTH as f64,
            bottom: h as f64,
        };
        assert!(
            v.within(&screen),
            "the verdict {v} does not fit in the first screen ({w}×{h} px of page) of a \
             {WIDTH}×{VIEW_HEIGHT} window"
        );
    }

    /// In every inline SVG, no two texts overlap and none lies outside the SVG.
    fn assert_texts_apart(&self) {
        assert!(!self.texts.is_empty(), "the probe found no chart text");
        let mut faults = Vec::new();
        for (name, svg) in &self.svgs {
            let texts: Vec<&TextBox> = self.texts.iter().filter(|t| &t.svg == name).collect();
            for (i, a) in texts.iter().enumerate() {
                if !a.rect.within(svg) {
                    faults.push(format!(
                        "chart {name}: text {:?} {} lies outside the chart {svg}",
                        a.text, a.rect
                    ));
                }
                for b in &texts[i + 1..] {
                    if a.rect.overlaps(&b.rect) {
                        faults.push(format!(
                            "chart {name}: text {:?} {} overlaps text {:?} {}",
                            a.text, a.rect, b.text, b.rect
                        ));
                    }
                }
            }
        }
        assert!(faults.is_empty(), "{}", faults.join("\n"));
    }
}

/// The screenshot as 8-bit RGB(A) rows.
struct Screenshot {
    width: u32,
    height: u32,
    channels: usize,
    pixels: Vec<u8>,
}

impl Screenshot {
    fn read(path: &Path) -> Screenshot {
        let file = fs::File::open(path)
            .unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("the screenshot is a PNG");
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).expect("the PNG decodes");
        assert_eq!(info.bit_depth, png::BitDepth::Eight, "screenshot depth");
        let channels = match info.color_type {
            png::ColorType::Rgb => 3,
            png::ColorType::Rgba => 4,
            other => panic!("unexpected screenshot colour type {other:?}"),
        };
        pixels.truncate(info.buffer_size());
        Screenshot {
            width: info.width,
            height: info.height,
            channels,
            pixels,
        }
    }

    /// Pixels inside `chart` within a small distance of `rgb` (antialiased edges
    /// differ; the core of a line or a bar does not).
    fn count_colour(&self, chart: &ChartBox, rgb: [u8; 3]) -> usize {
        let bottom = (chart.top + chart.height).min(self.height);
        let right = (chart.left + chart.width).min(self.width);
        let mut count = 0;
        for y in chart.top..bottom {
            for x in chart.left..right {
                let at = (y as usize * self.width as usize + x as usize) * self.channels;
                let px = &self.pixels[at..at + 3];
                if px.iter().zip(rgb).all(|(&p, c)| p.abs_diff(c) <= 12) {
                    count += 1;
                }
            }
        }
        count
    }
}

/// A variant's colour as the report writes it (`#rrggbb`).
fn palette_rgb(index: usize) -> [u8; 3] {
    let hex = palette::variant_hex(index);
    let byte = |i: usize| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap();
    [byte(0), byte(1), byte(2)]
}
