// Progressive enhancement for /activations/explore: re-plot as soon as an input changes by fetching
// the curve API's SVG, and keep the address bar and the data links in step. Without JavaScript the
// form's Plot button does the same with a page load.
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

  function replot() {
    var query = curveQuery().toString();
    if (pending) pending.abort();
    pending = new AbortController();
    chart.setAttribute("aria-busy", "true");
    fetch("/api/v1/curves?" + query + "&format=svg", { signal: pending.signal })
      .then(function (response) {
        if (response.ok) return response.text();
        return response.json().then(function (problem) { throw new Error(problem.detail || response.statusText); });
      })
      .then(function (svg) {
        chart.innerHTML = svg;
        var pageQuery = new URLSearchParams(new FormData(form)).toString();
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
      .finally(function () { chart.removeAttribute("aria-busy"); });
  }

  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(replot, 150);
  });
})();
