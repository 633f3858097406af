// The comparison form's estimate, kept current as fields change: the form's fields are sent to
// GET /api/v1/comparisons/estimate (the cost model admission judges a submission by) and the answer
// replaces the estimate line. Without this script the form's Estimate button does the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("comparison-form");
  var box = document.getElementById("estimate");
  if (!form || !box || !window.fetch || !window.URLSearchParams) { return; }
  var QUALITY = ["d_model", "n_layers", "n_heads", "seq_len", "batch_size", "steps", "lr", "seeds", "corpus_seed"];
  var timer = null;
  var latest = 0;

  function value(name) {
    var input = form.elements.namedItem(name);
    return input && input.value ? input.value.trim() : "";
  }

  function query() {
    var params = new URLSearchParams();
    var kind = form.querySelector("input[name=kind]:checked");
    var speed = kind && kind.value === "speed";
    params.set("kind", speed ? "speed" : "quality");
    params.set("device", value("device") || "auto");
    var matched = form.querySelector("input[name=matched]");
    params.set("matched", matched && matched.checked ? "true" : "false");
    form.querySelectorAll("input[name=variants]:checked").forEach(function (box) {
      params.append("variants", box.value);
    });
    var names = speed ? ["tokens", "speed_d_model"] : QUALITY;
    names.forEach(function (name) {
      var v = value(name);
      if (v) { params.set(name === "speed_d_model" ? "d_model" : name, v); }
    });
    return params;
  }

  function line(text, className) {
    var p = document.createElement("p");
    p.textContent = text;
    if (className) { p.className = className; }
    return p;
  }

  function show(nodes) {
    var stale = document.getElementById("error");  // the server's refusal of the values it was sent
    if (stale && box.contains(stale)) { stale.remove(); }
    var old = document.getElementById("estimate-text");
    var fresh = document.createElement("div");
    fresh.id = "estimate-text";
    nodes.forEach(function (n) { fresh.appendChild(n); });
    if (old) { old.replaceWith(fresh); } else { box.insertBefore(fresh, box.firstChild); }
  }

  function describe(body) {
    var nodes = [line("Estimate: about " + Math.round(body.seconds) + " s on " + body.device_class +
      ", peak memory about " + Math.round(body.peak_memory_bytes / 1048576) + " MiB (this server allows " +
      Math.round(body.limits.seconds) + " s).")];
    body.refusals.forEach(function (r) { nodes.push(line(r.message, "form-error")); });
    if (value("corpus_text")) { nodes.push(line("Priced on the synthetic corpus; press Estimate to price your text.")); }
    return nodes;
  }

  function update() {
    var ticket = ++latest;
    fetch("/api/v1/comparisons/estimate?" + query().toString(), { headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (ticket !== latest) { return; }  // a newer request is on its way
        if (answer.ok) { show(describe(answer.body)); return; }
        var error = (answer.body.errors || [])[0];
        var field = error && error.loc ? String(error.loc[error.loc.length - 1]) : "";
        show([line("No estimate: " + (field ? field + " " : "") + (error ? error.msg : "not accepted") + ".",
          "estimate-problem")]);
      })
      .catch(function () { /* offline or refused: the Estimate button still works */ });
  }

  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 300);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
