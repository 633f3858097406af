// Progressive enhancement for thread pages: "Reply" moves the post form under the post being answered
// and "Quote" fills its hidden field, without a page load. Without JavaScript the same links load the
// page with ?reply_to= / ?quote= and the server pre-fills the form (it works the same way).
(function () {
  "use strict";
  var compose = document.getElementById("compose");
  if (!compose) { return; }
  var form = compose.querySelector("form");
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".post-actions a") : null;
    if (!link || link.hash !== "#compose") { return; }
    var url = new URL(link.href, window.location.href);
    var replyTo = url.searchParams.get("reply_to");
    var quote = url.searchParams.get("quote");
    var post = link.closest("article.post");
    if (!post || (!replyTo && !quote)) { return; }
    event.preventDefault();
    form.querySelectorAll("input[name=parent_id], input[name=quote_ids]").forEach(function (el) { el.remove(); });
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = replyTo ? "parent_id" : "quote_ids";
    hidden.value = replyTo || quote;
    form.appendChild(hidden);
    var heading = compose.querySelector("h2");
    if (heading) { heading.textContent = replyTo ? "Reply to this post" : "Post quoting this post"; }
    post.insertAdjacentElement("afterend", compose);
    var body = form.querySelector("textarea");
    if (body) { body.focus(); }
  });
})();
