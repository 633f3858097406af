// Progressive enhancement for thread pages: "Reply" moves the post form under the post being answered
// and "Quote" fills its hidden field, without a page load. Without JavaScript the same links load the
// page with ?reply_to= / ?quote= and the server pre-fills the form (it works the same way).
(function () {
  "use strict";
  var compose = document.getElementById("compose");
  if (!compose) { return; }
  var form = compose.querySelector("form");
  var EXCERPT_CHARS = 280;  // app/threads.py EXCERPT_CHARS: the same preview as the server's

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text) { el.textContent = text; }
    return el;
  }

  // What the form says it will do (the server's "Replying to …" line or quote preview) must match
  // its hidden fields, so both are replaced together.
  function describe(post, replyTo, id) {
    form.querySelectorAll("input[name=parent_id], input[name=quote_ids], p.replying, blockquote.quote-embed")
      .forEach(function (el) { el.remove(); });
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = replyTo ? "parent_id" : "quote_ids";
    hidden.value = id;
    var note;
    if (replyTo) {
      note = element("p", "replying", "Replying to ");
      var link = element("a", "", "this post");
      link.href = "#" + post.id;
      note.appendChild(link);
    } else {
      var author = post.querySelector(".author");
      var body = post.querySelector(".post-body");
      var text = body ? body.textContent.replace(/\s+/g, " ").trim() : "";
      if (text.length > EXCERPT_CHARS) { text = text.slice(0, EXCERPT_CHARS - 1).trim() + "…"; }
      note = element("blockquote", "quote-embed");
      note.appendChild(element("p", "quote-head", "Quoting " + (author ? author.textContent.trim() : "this post") + ":"));
      note.appendChild(element("p", "", text));
    }
    var error = form.querySelector(".form-error");
    form.insertBefore(note, error ? error.nextSibling : form.firstChild);
    form.appendChild(hidden);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".post-actions a") : null;
    if (!link || link.hash !== "#compose") { return; }
    var url = new URL(link.href, window.location.href);
    var replyTo = url.searchParams.get("reply_to");
    var quote = url.searchParams.get("quote");
    var post = link.closest("article.post");
    if (!post || (!replyTo && !quote)) { return; }
    event.preventDefault();
    describe(post, Boolean(replyTo), replyTo || quote);
    var heading = compose.querySelector("h2");
    if (heading) { heading.textContent = replyTo ? "Reply to this post" : "Post quoting this post"; }
    post.insertAdjacentElement("afterend", compose);
    var body = form.querySelector("textarea");
    if (body) { body.focus(); }
  });
})();

// The composer's toggle names its button after what it will do; forms show "this looks like …" while a
// question or title is typed (the same hint the "Check for an existing explanation" button gives without
// JavaScript); and an empty display-name field gets the name this browser remembered (the home page is
// served from a cache, so the server cannot fill it in there).
(function () {
  "use strict";
  var COOKIE = "actlab_display_name";  // app/web/names.py COOKIE
  var DELAY_MS = 350;

  document.querySelectorAll("form.composer").forEach(function (form) {
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("change", function (event) {
      if (!button || event.target.name !== "kind") { return; }
      button.textContent = event.target.value === "question" ? button.dataset.questionLabel : button.dataset.postLabel;
    });
  });

  var remembered = "";
  document.cookie.split("; ").forEach(function (part) {
    if (part.indexOf(COOKIE + "=") === 0) {
      try { remembered = decodeURIComponent(part.slice(COOKIE.length + 1)); } catch (e) { remembered = ""; }
    }
  });
  if (remembered) {
    document.querySelectorAll("input[name=display_name]").forEach(function (input) {
      if (!input.value) { input.value = remembered; }
    });
  }

  function show(box, items) {
    box.textContent = "";
    if (!items.length) { return; }
    var p = document.createElement("p");
    var lead = document.createElement("strong");
    lead.textContent = "This looks like";
    p.appendChild(lead);
    p.appendChild(document.createTextNode(" "));
    items.forEach(function (item, i) {
      if (i) { p.appendChild(document.createTextNode(", ")); }
      var link = document.createElement("a");
      link.href = item.html_url;
      link.textContent = item.title;
      p.appendChild(link);
    });
    p.appendChild(document.createTextNode(": read it first, or post anyway."));
    box.appendChild(p);
  }

  document.querySelectorAll("form[data-similar-source]").forEach(function (form) {
    var field = form.querySelector("[name=" + form.dataset.similarSource + "]");
    var box = form.querySelector("[data-similar]");
    if (!field || !box) { return; }
    var timer = null;
    var asked = 0;
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = field.value.trim().slice(0, 200);
        var mine = ++asked;
        if (!text) { show(box, []); return; }
        fetch("/api/v1/search/similar-threads?title=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (body) { if (mine === asked) { show(box, body.items || []); } })
          .catch(function () { /* the hint is a convenience: without it the form works as before */ });
      }, DELAY_MS);
    });
  });
})();
