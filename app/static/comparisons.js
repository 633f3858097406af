// Live view of a running comparison: follows the job's Server-Sent Events, grows the training-loss
// curves (mean over the seeds reported so far) in an SVG, and moves the progress bar and ETA.
// Without this script the page refreshes itself every few seconds (noscript meta refresh).
(function () {
  "use strict";
  var box = document.getElementById("status");
  if (!box || !window.EventSource) { return; }
  var colors = ["#3b6ea8", "#c8553d", "#5b9a68", "#8c6bb1", "#d4a72c", "#4d9fb0", "#b05b8c", "#7a7a7a"];
  var curves = {};   // variant -> {step -> [losses over seeds]}
  var order = [];
  var firstProgress = null;
  var progress = document.getElementById("progress");
  // The stream starts from the job's first event, so a page opened (or reloaded) mid-run first receives
  // a burst of old progress: the pace for the ETA is measured from the first event past what the page
  // showed when it was rendered, over at least a second (until then the server's estimate stays).
  var renderedFraction = progress ? progress.value : 0;
  var steps = document.getElementById("steps");
  var eta = document.getElementById("eta");
  var statusText = document.getElementById("status-text");
  var live = document.getElementById("live");
  var NS = "http://www.w3.org/2000/svg";
  var svg = null;

  function ensureSvg() {
    if (svg || !live) { return; }
    live.innerHTML = "";
    svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 800 320");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Training loss so far");
    svg.style.width = "100%";
    live.appendChild(svg);
  }

  function draw() {
    ensureSvg();
    if (!svg) { return; }
    var xs = [], ys = [];
    order.forEach(function (v) {
      Object.keys(curves[v]).forEach(function (s) {
        var arr = curves[v][s];
        xs.push(+s);
        ys.push(arr.reduce(function (a, b) { return a + b; }, 0) / arr.length);
      });
    });
    if (!xs.length) { return; }
    var x0 = 0, x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (y1 - y0 < 1e-9) { y1 = y0 + 1; }
    function px(x) { return 50 + 560 * (x - x0) / Math.max(1, x1 - x0); }
    function py(y) { return 290 - 270 * (y - y0) / (y1 - y0); }
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    [[y0, 290], [y1, 20]].forEach(function (t) {
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", 4); label.setAttribute("y", t[1] + 4); label.setAttribute("font-size", "11");
      label.textContent = t[0].toFixed(3);
      svg.appendChild(label);
    });
    order.forEach(function (v, i) {
      var pts = Object.keys(curves[v]).map(Number).sort(function (a, b) { return a - b; }).map(function (s) {
        var arr = curves[v][s];
        return px(s).toFixed(1) + "," + py(arr.reduce(function (a, b) { return a + b; }, 0) / arr.length).toFixed(1);
      });
      var line = document.createElementNS(NS, "polyline");
      line.setAttribute("points", pts.join(" "));
      line.setAttribute("fill", "none");
      line.setAttribute("stroke", colors[i % colors.length]);
      line.setAttribute("stroke-width", "1.5");
      svg.appendChild(line);
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", 625); label.setAttribute("y", 30 + 18 * i); label.setAttribute("font-size", "12");
      label.setAttribute("fill", colors[i % colors.length]);
      label.textContent = v;
      svg.appendChild(label);
    });
  }

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; draw(); });
  }

  var source = new EventSource(box.getAttribute("data-events"));
  source.addEventListener("progress", function (e) {
    var data = JSON.parse(e.data);
    data.points.forEach(function (p) {
      if (!curves[p.variant]) { curves[p.variant] = {}; order.push(p.variant); }
      (curves[p.variant][p.step] = curves[p.variant][p.step] || []).push(p.train_loss);
    });
    var fraction = data.total_steps ? data.done_steps / data.total_steps : 0;
    if (progress) { progress.value = fraction; }
    if (steps) { steps.textContent = data.done_steps + " / " + data.total_steps + " steps"; }
    if (firstProgress === null && fraction > renderedFraction) { firstProgress = { t: Date.now(), f: fraction }; }
    if (eta && firstProgress !== null && fraction > firstProgress.f && Date.now() - firstProgress.t >= 1000) {
      var rate = (fraction - firstProgress.f) / (Date.now() - firstProgress.t);
      eta.textContent = "about " + Math.round((1 - fraction) / rate / 1000) + " s left";
    }
    schedule();
  });
  source.addEventListener("status", function (e) {
    var data = JSON.parse(e.data);
    if (statusText) { statusText.textContent = data.status; }
    var queuePosition = document.getElementById("queue-position");
    if (queuePosition && data.status !== "queued") { queuePosition.remove(); }
    if (["succeeded", "failed", "cancelled"].indexOf(data.status) >= 0) {
      source.close();
      window.location.reload();
    }
  });
})();
