"""The search page end to end in headless Chromium (Debian's ``chromium``, driven by Playwright).

Every wait is on a condition (Playwright's ``expect`` retries until it holds or times out), never
a sleep. A screenshot of the page goes to the test's temporary folder (``search-page.png``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from hfhub.web import SearchServer
from tests.test_web_api import CHILD, POPULAR_LLM, TARGET, XSS_IDS, server, tiny_index  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
expect.set_options(timeout=10_000)


@pytest.fixture
def page(browser: Browser, server: SearchServer) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    tab = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def record(request: Request) -> None:
        if not request.url.startswith(server.url):
            elsewhere.append(request.url)

    tab.on("request", record)
    tab.goto(server.url)
    expect(tab.locator("body")).to_have_attribute("data-ready", "true")
    yield tab
    context.close()
    assert errors == [], "the page's script failed"
    assert elsewhere == [], "the page loaded something from elsewhere"


def result_ids(page: Page) -> list[str]:
    return page.locator("#results > li").evaluate_all("items => items.map(i => i.dataset.id)")


def test_search_filter_and_similar(page: Page, tmp_path: Path) -> None:
    page.fill("#q", "japanese sentiment llm")
    page.press("#q", "Enter")
    expect(page.locator("#status")).to_have_text(re.compile(r"\d+ models for “japanese sentiment llm”"))
    assert POPULAR_LLM in result_ids(page)

    page.select_option("#task", "text-classification")
    page.click("#go")
    first = page.locator("#results > li").first
    expect(first).to_have_attribute("data-id", TARGET)
    assert POPULAR_LLM not in result_ids(page)
    link = first.locator("a.model-link")
    expect(link).to_have_text(TARGET)
    expect(link).to_have_attribute("href", f"https://huggingface.co/{TARGET}")
    expect(first.locator(".facts")).to_contain_text("110M params")
    # why it matched: the query's words in its name and its task
    expect(first.locator(".matched")).to_contain_text("matched on name: japanese, sentiment")
    expect(first.locator(".matched")).to_contain_text("task: text-classification")
    page.screenshot(path=tmp_path / "search-page.png", full_page=True)


    first.get_by_role("button", name="Similar models").click()
    expect(page.locator("#status")).to_contain_text(f"similar to {TARGET}")
    expect(page.locator("#results > li").first).to_have_attribute("data-id", CHILD)
    assert TARGET not in result_ids(page)

    page.go_back()  # the search is in the address, so Back shows it again
    expect(page.locator("#results > li").first).to_have_attribute("data-id", TARGET)
    expect(page.locator("#task")).to_have_value("text-classification")

    page.select_option("#task", "")
    page.select_option("#sort", "downloads")  # the most relevant, by downloads
    page.click("#go")
    expect(page.locator("#status")).to_have_text(re.compile(r"\d+ models for “japanese sentiment llm”"))
    expect(page.locator("#results > li").first).to_have_attribute("data-id", POPULAR_LLM)  # 20x the downloads
    downloads = [int(d) for d in page.locator("#results > li").evaluate_all("items => items.map(i => i.dataset.downloads)")]
    assert len(downloads) > 1 and downloads == sorted(downloads, reverse=True)
    page.select_option("#sort", "")


def test_a_model_id_with_markup_shows_as_text(page: Page) -> None:
    page.fill("#q", "xss probe")
    page.click("#go")
    links = page.locator("#results > li a.model-link")
    expect(links.nth(1)).to_be_visible()
    assert sorted(links.all_text_contents()[:2]) == sorted(XSS_IDS)
    assert page.locator("#results script, #results img").count() == 0
    assert page.evaluate("window.__xss") is None
    script_link = links.filter(has_text=XSS_IDS[0])  # the two tie: either may come first
    expect(script_link).to_have_attribute(
        "href", "https://huggingface.co/evil/%3Cscript%3Ewindow.__xss%3D1%3C/script%3E"
    )
    script_link.locator("xpath=..").get_by_role("button", name="Similar models").click()
    expect(page.locator("#status")).to_contain_text(f"similar to {XSS_IDS[0]}")
    assert page.evaluate("window.__xss") is None


def test_a_bad_filter_shows_the_servers_message(page: Page) -> None:
    page.fill("#q", "japanese")
    page.fill("#max_params", "lots")
    page.click("#go")
    expect(page.locator("#status.error")).to_have_text("max_params must be a number, not 'lots'")
    expect(page.locator("#results > li")).to_have_count(0)


def test_a_search_address_opens_with_its_results(page: Page, server: SearchServer) -> None:  # noqa: F811
    page.goto(f"{server.url}/?q=japanese+sentiment&quantized=true&k=10")
    expect(page.locator("#results > li")).to_have_count(1)
    expect(page.locator("#results > li").first).to_have_attribute(
        "data-id", "quant/japanese-sentiment-llm-7b-GGUF"
    )
    expect(page.locator("#quantized")).to_have_value("true")
    expect(page.locator("#results .facts").first).to_contain_text("gated")
