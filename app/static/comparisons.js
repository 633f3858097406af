// The run page of a comparison. A running job: follows its Server-Sent Events, grows the loss chart,
// fills the runs table from `run_done` events, measures the time left from the pace of the steps, and
// reloads into its result once finished. A finished quality job: the chart's data comes from
// /api/v1/comparisons/{id}/curves. The chart is app/web/run_chart.py's, redrawn at the box's width with
// the values at the step under the pointer (or chosen with ← → once the chart has focus). Without this
// script the page refreshes itself while the job runs, and the chart's settings form reloads it.
(function () {
  "use strict";
  var box = document.getElementById("status");
  if (!box) { return; }
  var FINISHED = ["succeeded", "failed", "cancelled"];
  var COLORS = ["#3b6ea8", "#c8553d", "#5b9a68", "#8c6bb1", "#d4a72c", "#4d9fb0", "#b05b8c", "#7a7a7a"];
  var REFERENCE_NAMES = { optimal_loss: "entropy (optimal)", bigram_loss: "bigram", unigram_loss: "unigram" };
  var SPLIT_NAMES = { train: "training loss", val: "validation loss" };
  var NS = "http://www.w3.org/2000/svg";
  var FONT = 12;
  var status = box.getAttribute("data-status");
  var live = document.getElementById("live");
  var controls = document.getElementById("chart-controls");
  var runs = {};        // "variant/seed" -> {variant, seed, train: [[step, loss]], val: [[step, loss]]}
  var variants = [];
  var reference = {};
  var hoverStep = null;
  var drawn = null;     // what the last draw placed: scales and per-variant means, for the hover

  // --- data ---------------------------------------------------------------------------------------
  function run(variant, seed) {
    var key = variant + "/" + seed;
    if (!runs[key]) {
      runs[key] = { variant: variant, seed: seed, train: [], val: [] };
      if (variants.indexOf(variant) < 0) { variants.push(variant); }
    }
    return runs[key];
  }

  function options() {
    if (!controls) { return { split: "train", smooth: 0, seeds: false, log: false }; }
    return {
      split: controls.elements.split.value,
      smooth: +controls.elements.smooth.value,
      seeds: controls.elements.seeds.checked,
      log: controls.elements.log.checked
    };
  }

  function ema(values, weight) {
    if (!(weight > 0)) { return values.slice(); }
    var out = [], acc = 0, norm = 0;
    values.forEach(function (v) { acc = weight * acc + (1 - weight) * v; norm = weight * norm + (1 - weight); out.push(acc / norm); });
    return out;
  }

  function smoothed(r, o) {
    var pts = r[o.split], ys = ema(pts.map(function (p) { return p[1]; }), o.smooth);
    return pts.map(function (p, i) { return [p[0], ys[i]]; });
  }

  // step -> {mean, std, n} over the seeds of one variant that reached the step
  function bandOf(variant, o) {
    var byStep = {};
    Object.keys(runs).forEach(function (k) {
      var r = runs[k];
      if (r.variant !== variant) { return; }
      smoothed(r, o).forEach(function (p) { (byStep[p[0]] = byStep[p[0]] || []).push(p[1]); });
    });
    return Object.keys(byStep).map(Number).sort(function (a, b) { return a - b; }).map(function (s) {
      var v = byStep[s], mean = v.reduce(function (a, b) { return a + b; }, 0) / v.length;
      var sq = v.reduce(function (a, b) { return a + (b - mean) * (b - mean); }, 0);
      return { step: s, mean: mean, std: v.length > 1 ? Math.sqrt(sq / (v.length - 1)) : 0, n: v.length };
    });
  }

  function thin(points, limit, key) {
    if (points.length <= limit) { return points; }
    var size = Math.ceil(points.length / limit), out = [];
    for (var i = 0; i < points.length; i += size) {
      var chunk = points.slice(i, i + size), o = { step: 0 };
      o.step = Math.round(chunk.reduce(function (a, p) { return a + p.step; }, 0) / chunk.length);
      key.forEach(function (k) { o[k] = chunk.reduce(function (a, p) { return a + p[k]; }, 0) / chunk.length; });
      o.n = Math.min.apply(null, chunk.map(function (p) { return p.n || 1; }));
      out.push(o);
    }
    return out;
  }

  function niceTicks(lo, hi, count, enclose) {
    if (!isFinite(lo) || !isFinite(hi)) { return []; }
    if (hi - lo <= 1e-12) { var pad = Math.abs(hi) * 0.05 || 1; lo -= pad; hi += pad; }
    var raw = (hi - lo) / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    var first = enclose ? Math.floor(lo / step + 1e-9) : Math.ceil(lo / step - 1e-9);
    var last = enclose ? Math.ceil(hi / step - 1e-9) : Math.floor(hi / step + 1e-9), out = [];
    for (var i = first; i <= last; i++) { out.push(+(i * step).toFixed(12)); }
    return out;
  }

  function label(value, ticks) {
    var step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1, d = 0;
    while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-6) { d++; }
    return value.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }

  // --- drawing ------------------------------------------------------------------------------------
  function el(name, attrs, text) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function draw() {
    if (!live) { return; }
    var o = options(), series = [];
    variants.forEach(function (v, i) {
      var b = bandOf(v, o);
      if (b.length) { series.push({ variant: v, color: COLORS[i % COLORS.length], band: b }); }
    });
    if (!series.length) { return; }
    var width = Math.max(300, Math.floor(live.clientWidth || 600)), narrow = width < 560;
    var height = narrow ? 280 : 360;
    var left = 58, right = 24, top = 12, bottom = 44, plotW = width - left - right, plotH = height - top - bottom;
    var limit = Math.max(50, Math.floor(plotW / 2));
    var values = [], seedLines = [];
    series.forEach(function (s) {
      s.shown = thin(s.band, limit, ["mean", "std"]);
      s.shown.forEach(function (p) { values.push(p.mean - p.std, p.mean + p.std); });
      if (o.seeds) {
        Object.keys(runs).forEach(function (k) {
          var r = runs[k];
          if (r.variant !== s.variant || !r[o.split].length) { return; }
          var line = thin(smoothed(r, o).map(function (p) { return { step: p[0], y: p[1] }; }), limit, ["y"]);
          line.forEach(function (p) { values.push(p.y); });
          seedLines.push({ color: s.color, seed: r.seed, variant: r.variant, line: line });
        });
      }
    });
    var refs = Object.keys(reference).filter(function (k) { return REFERENCE_NAMES[k] && isFinite(reference[k]); });
    refs.forEach(function (k) { values.push(reference[k]); });
    if (o.log) { values = values.filter(function (v) { return v > 0; }); }
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var ticks = niceTicks(lo, hi, narrow ? 4 : 5, true).filter(function (t) { return t > 0 || !o.log; });
    lo = Math.min.apply(null, [lo].concat(ticks)); hi = Math.max.apply(null, [hi].concat(ticks));
    var tf = o.log ? function (v) { return Math.log(Math.max(v, 1e-9)); } : function (v) { return v; };
    var tLo = tf(o.log ? Math.max(lo, 1e-9) : lo), tHi = tf(hi);
    var xHi = Math.max(1, Math.max.apply(null, series.map(function (s) { return s.band[s.band.length - 1].step; })));
    function px(s) { return left + plotW * s / xHi; }
    function py(v) { return top + plotH * (1 - (tf(v) - tLo) / ((tHi - tLo) || 1)); }

    var name = SPLIT_NAMES[o.split];
    var svg = el("svg", { role: "img", "aria-label": name.charAt(0).toUpperCase() + name.slice(1) + " per variant",
      width: width, height: height, viewBox: "0 0 " + width + " " + height, "font-size": FONT, "class": "loss-chart" });
    ticks.forEach(function (t) {
      svg.appendChild(el("line", { "class": "grid", x1: left, x2: left + plotW, y1: py(t), y2: py(t), stroke: "#e3e6ea" }));
      svg.appendChild(el("text", { x: left - 6, y: py(t) + 4, "text-anchor": "end", fill: "#3d4550" }, label(t, ticks)));
    });
    var xTicks = niceTicks(0, xHi, narrow ? 4 : 6).filter(function (t) { return t <= xHi; });
    xTicks.forEach(function (t) {
      svg.appendChild(el("line", { "class": "grid", x1: px(t), x2: px(t), y1: top, y2: top + plotH, stroke: "#eef0f3" }));
      svg.appendChild(el("text", { x: px(t), y: top + plotH + 16, "text-anchor": "middle", fill: "#3d4550" }, label(t, xTicks)));
    });
    svg.appendChild(el("line", { x1: left, x2: left + plotW, y1: top + plotH, y2: top + plotH, stroke: "#3d4550" }));
    svg.appendChild(el("line", { x1: left, x2: left, y1: top, y2: top + plotH, stroke: "#3d4550" }));
    svg.appendChild(el("text", { x: left + plotW / 2, y: height - 8, "text-anchor": "middle" }, "step"));
    svg.appendChild(el("text", { x: 14, y: top + plotH / 2, "text-anchor": "middle",
      transform: "rotate(-90 14 " + (top + plotH / 2) + ")" }, name + (o.log ? " (log)" : "") + ", nats/token"));
    var placed = [];
    refs.sort(function (a, b) { return reference[a] - reference[b]; }).forEach(function (k) {
      var y = py(reference[k]), ly = y - 4;
      svg.appendChild(el("line", { "class": "reference", x1: left, x2: left + plotW, y1: y, y2: y, stroke: "#555", "stroke-dasharray": "4 3" }));
      while (placed.some(function (p) { return Math.abs(p - ly) < FONT + 2; })) { ly -= FONT + 2; }
      placed.push(ly);
      svg.appendChild(el("text", { x: left + plotW - 4, y: ly, "text-anchor": "end", fill: "#333", stroke: "#fff",
        "stroke-width": 3, "paint-order": "stroke" }, REFERENCE_NAMES[k] + " " + reference[k].toFixed(3)));
    });
    series.forEach(function (s) {
      var spread = s.shown.filter(function (p) { return p.n > 1; });
      if (spread.length) {
        var up = spread.map(function (p) { return px(p.step).toFixed(1) + "," + py(p.mean + p.std).toFixed(1); });
        var down = spread.slice().reverse().map(function (p) { return px(p.step).toFixed(1) + "," + py(p.mean - p.std).toFixed(1); });
        svg.appendChild(el("path", { "class": "band", d: "M" + up.join(" L") + " L" + down.join(" L") + " Z",
          fill: s.color, "fill-opacity": 0.16, stroke: "none" }));
      }
    });
    seedLines.forEach(function (l) {
      var path = el("path", { "class": "seed", fill: "none", stroke: l.color, "stroke-opacity": 0.45, "stroke-width": 1,
        d: "M" + l.line.map(function (p) { return px(p.step).toFixed(1) + "," + py(p.y).toFixed(1); }).join(" L") });
      path.appendChild(el("title", {}, l.variant + " seed " + l.seed));
      svg.appendChild(path);
    });
    series.forEach(function (s) {
      svg.appendChild(el("polyline", { fill: "none", stroke: s.color, "stroke-width": 1.8,
        points: s.shown.map(function (p) { return px(p.step).toFixed(1) + "," + py(p.mean).toFixed(1); }).join(" ") }));
    });
    var hover = el("g", { "class": "hover" });
    svg.appendChild(hover);
    drawn = { series: series, px: px, py: py, left: left, plotW: plotW, top: top, plotH: plotH, xHi: xHi, hover: hover };
    var old = live.querySelector("svg"), empty = live.querySelector(".chart-empty");
    if (empty) { empty.remove(); }
    if (old) { live.replaceChild(svg, old); } else { live.insertBefore(svg, live.firstChild); }
    legend(series);
    showHover();
  }

  function legend(series) {
    var list = document.getElementById("legend");
    if (!list || list.children.length === series.length) { return; }
    list.textContent = "";
    series.forEach(function (s) {
      var item = list.appendChild(document.createElement("li")), swatch = item.appendChild(document.createElement("span"));
      swatch.className = "swatch";
      swatch.style.background = s.color;
      item.appendChild(document.createTextNode(s.variant));
    });
  }

  // --- hover --------------------------------------------------------------------------------------
  var tip = null;
  function showHover() {
    if (!drawn || hoverStep === null) { if (tip) { tip.hidden = true; } return; }
    var d = drawn, g = d.hover, rows = [];
    while (g.firstChild) { g.removeChild(g.firstChild); }
    var x = d.px(hoverStep);
    g.appendChild(el("line", { x1: x, x2: x, y1: d.top, y2: d.top + d.plotH, stroke: "#888" }));
    d.series.forEach(function (s) {
      var near = s.band.reduce(function (best, p) { return Math.abs(p.step - hoverStep) < Math.abs(best.step - hoverStep) ? p : best; });
      g.appendChild(el("circle", { cx: d.px(near.step), cy: d.py(near.mean), r: 3.5, fill: s.color }));
      rows.push([s, near]);
    });
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("role", "status");
      live.appendChild(tip);
    }
    tip.textContent = "";
    tip.appendChild(document.createElement("strong")).textContent = "step " + hoverStep;
    rows.forEach(function (r) {
      var line = document.createElement("div"), swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = r[0].color;
      line.appendChild(swatch);
      line.appendChild(document.createTextNode(r[0].variant + " " + r[1].mean.toFixed(4) +
        (r[1].n > 1 ? " ± " + r[1].std.toFixed(4) : "") + (r[1].step !== hoverStep ? " (step " + r[1].step + ")" : "")));
      tip.appendChild(line);
    });
    tip.hidden = false;
    var svg = live.querySelector("svg");
    var flip = x > d.left + d.plotW / 2;
    tip.style.left = flip ? "" : (x + 12 + (svg ? svg.getBoundingClientRect().left - live.getBoundingClientRect().left : 0)) + "px";
    tip.style.right = flip ? (live.clientWidth - x + 12) + "px" : "";
  }

  if (live) {
    var point = function (e) {  // a mouse moving, or a finger touching the chart
      var svg = live.querySelector("svg.loss-chart"), x = svg ? e.clientX - svg.getBoundingClientRect().left : -1;
      if (!drawn || x < drawn.left || x > drawn.left + drawn.plotW) { return; }
      hoverStep = Math.max(1, Math.round((x - drawn.left) / drawn.plotW * drawn.xHi));
      showHover();
    };
    live.addEventListener("pointermove", point);
    live.addEventListener("pointerdown", point);
    live.addEventListener("pointerleave", function (e) {  // a lifted finger leaves the values shown
      if (e.pointerType !== "touch") { hoverStep = null; if (drawn) { drawn.hover.textContent = ""; } showHover(); } });
    live.addEventListener("keydown", function (e) {
      if (!drawn || (e.key !== "ArrowLeft" && e.key !== "ArrowRight")) { return; }
      var jump = Math.max(1, Math.round(drawn.xHi / 50));
      hoverStep = Math.min(drawn.xHi, Math.max(1, (hoverStep || 0) + (e.key === "ArrowRight" ? jump : -jump)));
      e.preventDefault();
      showHover();
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; draw(); });
  }

  if (controls) {
    var apply = document.getElementById("chart-apply");
    if (apply) { apply.hidden = true; }  // applied at once; the URL keeps the settings for a reload
    controls.addEventListener("change", function () {
      var query = new URLSearchParams(new FormData(controls));
      window.history.replaceState(null, "", "?" + query.toString() + "#chart-block");
      draw();
    });
    controls.addEventListener("submit", function (e) { e.preventDefault(); draw(); });
  }
  window.addEventListener("resize", schedule);

  // --- the runs table -----------------------------------------------------------------------------
  function rowOf(variant, seed) { return document.querySelector('tr[data-run="' + CSS.escape(variant + "/" + seed) + '"]'); }

  function fillRun(data) {
    var row = rowOf(data.variant, data.seed);
    if (!row) { return; }
    row.querySelector(".state").textContent = "done";
    if (data.final_val_loss !== null && data.final_val_loss !== undefined) { row.querySelector(".loss").textContent = data.final_val_loss.toFixed(4); }
    if (data.tokens_per_second) { row.querySelector(".tps").textContent = Math.round(data.tokens_per_second).toLocaleString("en-US"); }
  }

  function markTraining(variant, seed, step) {
    var row = rowOf(variant, seed), state = row && row.querySelector(".state");
    if (!row) { return; }
    row.querySelector(".step").textContent = step;
    if (state.textContent !== "done") { state.textContent = "training"; }
  }

  // --- a finished job: its stored curves ----------------------------------------------------------
  var curvesUrl = box.getAttribute("data-curves");
  if (FINISHED.indexOf(status) >= 0) {
    if (curvesUrl && live) {
      fetch(curvesUrl, { headers: { Accept: "application/json" } }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) {
          if (!body) { return; }
          reference = body.reference || {};
          body.runs.forEach(function (r) {
            var target = run(r.variant, r.seed);
            ["train", "val"].forEach(function (split) {
              target[split] = r[split].steps.map(function (s, i) { return [s, r[split].loss[i]]; });
            });
          });
          draw();
        });
    }
    return;
  }

  // --- a running job: its events ------------------------------------------------------------------
  if (!window.EventSource) { return; }
  var progress = document.getElementById("progress");
  var steps = document.getElementById("steps");
  var statusText = document.getElementById("status-text");
  var eta = document.getElementById("eta");
  var etaKind = document.getElementById("eta-kind");
  // The stream replays the job's events from the first, so a page opened mid-run first receives old
  // progress: the pace is measured from the first event past what the page showed when rendered.
  var renderedFraction = progress ? progress.value : 0;
  var firstProgress = null;

  function words(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 90) { return "about " + s + " s"; }
    var m = Math.round(s / 60);
    return m < 90 ? "about " + m + " min" : "about " + Math.floor(m / 60) + " h " + (m % 60) + " min";
  }

  function showEta(text, kind) {
    if (!eta) {
      var line = statusText.parentNode;
      line.appendChild(document.createTextNode(" · "));
      (eta = line.appendChild(document.createElement("span"))).id = "eta";
      line.appendChild(document.createTextNode(" "));
      (etaKind = line.appendChild(document.createElement("span"))).id = "eta-kind";
    }
    eta.textContent = text;
    etaKind.textContent = kind;
  }

  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("start", function (e) {
    var data = JSON.parse(e.data);
    if (data.reference) { runs = {}; variants = []; reference = data.reference; }
    (data.variants || []).forEach(function (v) { if (variants.indexOf(v) < 0) { variants.push(v); } });
  });
  source.addEventListener("progress", function (e) {
    var data = JSON.parse(e.data), last = {};
    data.points.forEach(function (p) {
      if (p.step === undefined || p.train_loss === undefined) { return; }  // a speed comparison's tick
      var r = run(p.variant, p.seed);
      r.train.push([p.step, p.train_loss]);
      if (p.val_loss !== undefined && p.val_loss !== null) { r.val.push([p.step, p.val_loss]); }
      last[p.variant + "/" + p.seed] = p;
    });
    Object.keys(last).forEach(function (k) { markTraining(last[k].variant, last[k].seed, last[k].step); });
    var fraction = data.total_steps ? data.done_steps / data.total_steps : 0;
    if (progress) { progress.value = fraction; }
    if (steps && data.total_steps) { steps.textContent = data.done_steps + " / " + data.total_steps + " steps"; }
    var now = Date.now();
    if (firstProgress === null && fraction > renderedFraction) { firstProgress = { t: now, done: data.done_steps }; }
    if (firstProgress !== null && data.done_steps > firstProgress.done && now - firstProgress.t >= 1000) {
      var perStep = (now - firstProgress.t) / 1000 / (data.done_steps - firstProgress.done);
      showEta(words(perStep * (data.total_steps - data.done_steps)) + " left",
        "(measured: " + (perStep * 1000).toPrecision(3) + " ms per step)");
    }
    schedule();
  });
  source.addEventListener("run_done", function (e) { fillRun(JSON.parse(e.data)); });
  source.addEventListener("status", function (e) {
    var data = JSON.parse(e.data);
    if (statusText) { statusText.textContent = data.status; }
    var queuePosition = document.getElementById("queue-position");
    if (queuePosition && data.status !== "queued") { queuePosition.remove(); }
    if (FINISHED.indexOf(data.status) >= 0) {
      source.close();
      window.location.reload();
    }
  });
})();
