"""Questions and threads in the browser: the home page's ask box gives an answer post with the paper's
numbers and its sources; a reply is shown nested under its post and a quote as an embed linking back."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import Tab

if TYPE_CHECKING:  # playwright may be missing: the tests are then skipped, not broken
    from playwright.sync_api import Locator

pytestmark = pytest.mark.e2e


def _post_id(tab: Tab) -> int:
    """The post a form's redirect points at: /threads/<thread>#post-<id>."""
    match = re.search(r"/threads/\d+#post-(\d+)$", tab.page.url)
    assert match, f"not redirected to a post: {tab.page.url}"
    return int(match.group(1))


def _thread_path(tab: Tab) -> str:
    match = re.search(r"(/threads/\d+)", tab.page.url)
    assert match, tab.page.url
    return match.group(1)


def _post(tab: Tab, post_id: int) -> Locator:
    post = tab.page.locator(f"article#post-{post_id}")
    assert post.count() == 1, f"post {post_id} is not on the page"
    return post


def test_ask_on_home_page_answers_with_numbers_and_sources(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto("/")
    tab.page.get_by_role("textbox", name=re.compile(r"^Question")).fill("Why does Gemma 2 use GeGLU?")
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="Ask").click()
    assert re.search(r"/threads/\d+#post-\d+$", tab.page.url), tab.page.url
    assert tab.page.locator("main h1").inner_text() == "Why does Gemma 2 use GeGLU?"

    question = tab.page.locator("article.post-person").first
    assert "Why does Gemma 2 use GeGLU?" in question.locator(".post-body").inner_text()
    answer = tab.page.locator("article.post-service").last
    body = answer.locator(".post-body").inner_text()
    # The paper's Table 1 numbers for GEGLU (65,536 and 524,288 steps), with the ReLU baseline.
    for number in ("1.942", "1.633", "1.997", "1.677"):
        assert number in body, f"{number} missing from the answer: {body[:400]}"
    assert "GeGLU" in body
    # The cited rows of Table 1 as a table attachment, values as printed.
    excerpt = answer.locator("figure.paper-table")
    assert excerpt.count() == 1
    assert excerpt.locator("tr", has_text="FFN_GEGLU").inner_text().split()[1:] == ["1.942", "(0.004)", "1.633"]
    # Sources: collapsed under their count (the answer comes first), each a link or a labelled source.
    sources = answer.locator("details.sources")
    assert sources.get_attribute("open") is None
    count = sources.locator("ol > li").count()
    assert count >= 3 and f"Sources ({count})" in sources.locator("summary").inner_text()
    sources.locator("summary").click()
    assert sources.get_attribute("open") is not None
    assert sources.locator("a", has_text="arXiv").count() + sources.locator("li", has_text="arXiv:").count() >= 1
    # "How this was answered" opens on click and tells what was recognized.
    how = answer.locator("details.how-answered")
    how.locator("summary").click()
    assert how.get_attribute("open") is not None
    assert "Gemma 2" in how.locator("dl.facts").inner_text()
    tab.shot("answer")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_reply_nests_and_quote_embeds_with_link_back(open_tab: Callable[..., Tab], javascript: bool) -> None:
    tab = open_tab(javascript=javascript)
    page = tab.page
    tab.goto("/threads")
    form = page.locator("#new-thread form")
    form.locator("input[name=title]").fill(f"GEGLU versus SwiGLU ({'js' if javascript else 'no js'})")
    form.locator("textarea[name=body]").fill("Is the **GEGLU** advantage over SwiGLU larger than the noise?")
    form.locator("input[name=display_name]").fill("Opener")
    with page.expect_navigation():
        form.get_by_role("button", name="Start the thread").click()
    thread = _thread_path(tab)
    first = page.locator("article.post").first
    first_id = int((first.get_attribute("id") or "").removeprefix("post-"))
    assert first.locator(".post-body strong").inner_text() == "GEGLU"  # Markdown rendered
    tab.shot("thread")

    # Reply: with JavaScript the form moves under the post without a page load; without, the page
    # reloads with ?reply_to= and the server prepares the form.
    url_before = page.url
    compose = page.locator("#compose")
    if javascript:
        first.locator(".post-actions").get_by_role("link", name="Reply").click()
        assert page.url == url_before
        assert page.evaluate(f"document.getElementById('post-{first_id}').nextElementSibling.id") == "compose"
        assert compose.locator("h2").inner_text() == "Reply to this post"
        assert compose.locator("p.replying a").get_attribute("href") == f"#post-{first_id}"
        expect_focus = page.evaluate("document.activeElement.id")
        assert expect_focus == "post-body"
    else:
        with page.expect_navigation():
            first.locator(".post-actions").get_by_role("link", name="Reply").click()
        assert f"reply_to={first_id}" in page.url
        assert compose.locator("h2").inner_text() == "Reply to Opener"
    assert compose.locator("input[name=parent_id]").get_attribute("value") == str(first_id)
    compose.locator("textarea[name=body]").fill("Table 1 gives a spread of 0.004 at 65,536 steps.")
    compose.locator("input[name=display_name]").fill("Replier")
    with page.expect_navigation():
        compose.get_by_role("button", name="Post").click()
    reply_id = _post_id(tab)
    reply = _post(tab, reply_id)
    assert "Replier" in reply.locator(".author").inner_text()
    back = reply.locator(".reply-to a")
    assert back.get_attribute("href") == f"#post-{first_id}"
    parent_box, reply_box = first.bounding_box(), reply.bounding_box()
    assert parent_box and reply_box
    assert reply_box["x"] > parent_box["x"] + 10, "the reply is not indented under its post"
    assert reply_box["y"] > parent_box["y"]
    tab.shot("reply")

    # Quote the first post. With JavaScript, start from a form the server prepared as a reply (a
    # ?reply_to= link): switching to a quote must not leave the reply's note or field behind.
    if javascript:
        tab.goto(f"{thread}?reply_to={reply_id}#compose")
        assert compose.locator("p.replying").count() == 1
        first.locator(".post-actions").get_by_role("link", name="Quote").click()
        assert compose.locator("h2").inner_text() == "Post quoting this post"
        assert compose.locator("p.replying").count() == 0
    else:
        with page.expect_navigation():
            first.locator(".post-actions").get_by_role("link", name="Quote").click()
    preview = compose.locator("blockquote.quote-embed")
    assert preview.count() == 1
    assert preview.inner_text().split("\n")[0] == "Quoting Opener:"
    assert "Is the GEGLU advantage over SwiGLU larger than the noise?" in preview.inner_text()
    assert compose.locator("input[name=quote_ids]").get_attribute("value") == str(first_id)
    assert compose.locator("input[name=parent_id]").count() == 0
    compose.locator("textarea[name=body]").fill("Quoting the question for the record.")
    with page.expect_navigation():
        compose.get_by_role("button", name="Post").click()
    quoting = _post(tab, _post_id(tab))
    embed = quoting.locator("blockquote.quote-embed")
    assert embed.count() == 1
    assert embed.locator(".quote-head").inner_text() == "Opener wrote:"
    assert "Is the GEGLU advantage over SwiGLU larger than the noise?" in embed.inner_text()
    link = embed.get_by_role("link", name="Go to the quoted post")
    assert link.get_attribute("href") == f"{thread}#post-{first_id}"
    assert quoting.locator(".reply-to").count() == 0  # a quote is not a reply
    tab.shot("quote")
    link.click()
    page.wait_for_url(f"**{thread}#post-{first_id}")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == (
        f"post-{first_id}"
    )
    # The thread's JSON twin agrees: one reply under the first post, one top-level quoting post.
    twin = page.request.get(tab.base + "/api/v1" + thread).json()
    posts = {p["id"]: p for p in _walk(twin["posts"])}
    assert posts[reply_id]["parent_id"] == first_id
    assert [q["post_id"] for q in posts[_post_id_from(quoting)]["quotes"]] == [first_id]


def _post_id_from(post: Locator) -> int:
    return int((post.get_attribute("id") or "").removeprefix("post-"))


def _walk(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The posts of a thread's JSON tree, depth first."""
    out: list[dict[str, Any]] = []
    for p in posts:
        out.append(p)
        out.extend(_walk(p.get("replies", [])))
    return out
