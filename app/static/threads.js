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
