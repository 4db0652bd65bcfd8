"""Remake the README's screenshots (report.png, search-page.png) in headless Chromium.

python -m hfhub.demo --models 5000 --output /tmp/demo-out
hfhub-index build --dataset /tmp/demo-out/models --index /tmp/demo-out/index
python docs/images/screenshots.py /tmp/demo-out
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from hfhub.index import ModelIndex
from hfhub.report import write_report
from hfhub.web import SearchServer

HERE = Path(__file__).resolve().parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


def main(demo: Path) -> None:
    report = write_report(
        demo / "models", demo / "crawl_stats.json", Path(tempfile.mkdtemp()) / "report.html"
    )
    with sync_playwright() as playwright, SearchServer(ModelIndex.load(demo / "index")) as server:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 1250})
        page.goto(report.as_uri())
        page.screenshot(path=HERE / "report.png")
        page.set_viewport_size({"width": 1100, "height": 900})
        page.goto(f"{server.url}/?q=llama+chat+gguf&quantized=true&fits_gpu_gb=24&k=10")
        expect(page.locator("#results > li")).to_have_count(10)
        page.screenshot(path=HERE / "search-page.png")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
