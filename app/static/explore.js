// Progressive enhancement for /activations/explore: re-plot as soon as an input changes by fetching
// the curve API's SVG, and keep the address bar, the data links and the values table in step. Without
// JavaScript the form's Plot button does the same with a page load.
(function () {
  "use strict";
  var form = document.getElementById("explore-form");
  var chart = document.getElementById("explore-chart");
  if (!form || !chart || !window.fetch) return;
  var pending = null;
  var timer = null;

  function curveQuery() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (key !== "at") params.append(key, value);
    });
    return params;
  }

  function setLink(id, query, format) {
    var link = document.getElementById(id);
    if (link) link.href = "/api/v1/curves?" + query + (format ? "&format=" + format : "");
  }

  // The values table and the list of input problems are the server's page for the same query (its
  // chart comes from the SVG cache the curve request just filled): swap them in from there.
  function refreshValues(pageQuery, signal) {
    if (!window.DOMParser) return null;
    return fetch("/activations/explore?" + pageQuery, { signal: signal, headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("explore-values");
        var values = document.getElementById("explore-values");
        if (!fresh || !values) return;  // not the page (e.g. a rate-limit problem): keep what is shown
        values.replaceWith(document.importNode(fresh, true));
        // The page's chart holds the phone rendering beside the wide one: it replaces the API's SVG.
        var freshChart = page.getElementById("explore-chart");
        if (freshChart && freshChart.querySelector("svg.chart-narrow")) {
          chart.replaceChildren.apply(chart, Array.prototype.map.call(freshChart.childNodes,
            function (node) { return document.importNode(node, true); }));
        }
        var shown = document.querySelector("main > .errors");
        if (shown) shown.remove();
        var errors = page.querySelector("main > .errors");
        if (errors) form.parentNode.insertBefore(document.importNode(errors, true), form);
      })
      .catch(function () { /* aborted by a newer change, or offline: the table stays as it was */ });
  }

  function replot() {
    var query = curveQuery().toString();
    var pageQuery = new URLSearchParams(new FormData(form)).toString();
    if (pending) pending.abort();
    pending = new AbortController();
    var signal = pending.signal;
    chart.setAttribute("aria-busy", "true");
    fetch("/api/v1/curves?" + query + "&format=svg", { signal: signal })
      .then(function (response) {
        if (response.ok) return response.text();
        return response.json().then(function (problem) { throw new Error(problem.detail || response.statusText); });
      })
      .then(function (svg) {
        chart.innerHTML = svg;
        history.replaceState(null, "", "/activations/explore?" + pageQuery);
        setLink("json-twin", query, "");
        setLink("csv-twin", query, "csv");
        setLink("svg-twin", query, "svg");
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        chart.innerHTML = "";
        var note = document.createElement("p");
        note.className = "errors";
        note.textContent = error.message;
        chart.appendChild(note);
      })
      .then(function () { if (!signal.aborted) return refreshValues(pageQuery, signal); })
      .finally(function () { if (!signal.aborted) chart.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(replot, 150);
  });
})();
