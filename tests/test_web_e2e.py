"""End-to-end: the web pages in Debian's Chromium, driven by Playwright (Python).

The app (``create_app(store=seed_graph)``) is served by uvicorn on a free port
in a background thread; Chromium is launched once per session from
``/usr/bin/chromium`` (installed by ``scripts/setup-system.sh``; never a
downloaded browser) and every test gets a fresh page.  A missing browser is a
failure, unless ``REFORMKG_E2E_OPTIONAL=1`` is set (then the tests skip).

Screenshots of the search, measure and zone pages at 1280 and 390 px wide go
to ``$REFORMKG_SCREENSHOTS`` or a temporary folder (its path is printed).
"""

from __future__ import annotations

import csv
import io
import os
import socket
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlparse

import pytest

from api.app import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
WIDE, NARROW = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
BASE = "https://w3id.org/reformkg/id/"
NANSHA_TRACE = "穗府函-2018-161/6"  # 全球质量溯源体系 (Nansha, 2018-07-02)
PROVINCE_TRACE = "粤府办-2018-34/8-1"  # 建立进出口商品溯源体系 (粤府办〔2018〕34号, 2018-08-14)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def base_url(seed_graph):
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(store=seed_graph), host="127.0.0.1", port=port,
                                          log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REFORMKG_E2E_OPTIONAL") == "1":
            pytest.skip(f"{CHROMIUM} is missing and REFORMKG_E2E_OPTIONAL=1 "
                        "(run scripts/setup-system.sh to install Debian's chromium)")
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup-system.sh (apt-get install chromium fonts-wqy-zenhei)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ["REFORMKG_SCREENSHOTS"]) if os.environ.get("REFORMKG_SCREENSHOTS") \
        else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport=WIDE, base_url=base_url, accept_downloads=True, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def m_url(ident: str) -> str:
    return "/m/" + quote(ident, safe="/")


def screenshot_both(page, shots: Path, name: str) -> None:
    """Screenshots (the whole page and its first screen) at 1280 and 390 px; nothing may stick out
    sideways."""
    for size, label in ((WIDE, "1280"), (NARROW, "390")):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name}: the page is {overflow}px wider than a {label}px screen"
        page.screenshot(path=str(shots / f"{name}-{label}.png"), full_page=True)
        page.screenshot(path=str(shots / f"{name}-{label}-top.png"))  # the first screen
    page.set_viewport_size(WIDE)


def test_search_for_business_licence_finds_three_documents(page, shots) -> None:
    page.add_init_script("""
      window.__cls = 0;
      new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
        .observe({type: 'layout-shift', buffered: true});
    """)
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    page.get_by_label("检索标题和正文").fill("营业执照")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=*")
    assert parse_qs(urlparse(page.url).query)["q"] == ["营业执照"]  # the query is in the address
    hits = page.locator("li.hit")
    assert hits.count() >= 3
    before = hits.count()
    documents = set(hits.evaluate_all("els => els.map(e => e.dataset.document)"))
    assert len(documents) >= 3, documents
    assert page.locator("li.hit mark", has_text="营业执照").count() >= 1
    total = page.locator("[data-total]").inner_text()
    assert int(total) == hits.count()
    # a facet narrows the results and lands in the URL
    page.locator("a[data-facet=zone][data-value=nansha]").click()
    page.wait_for_url("**zone=nansha*")
    assert 0 < page.locator("li.hit").count() < before
    assert "广州南沙新区片区" in page.locator(".facet .active").first.inner_text()
    page.go_back()
    page.wait_for_load_state()
    assert page.evaluate("window.__cls") < 0.05
    screenshot_both(page, shots, "search")


def test_qianhai_zone_page_shows_38_pilots_37_promoted_citywide(page, shots) -> None:
    page.goto("/z")
    page.get_by_role("link", name="深圳前海蛇口片区").click()
    page.wait_for_url("**/z/qianhai-shekou")
    assert page.locator("[data-count=pilots]").inner_text() == "38"
    assert page.locator("[data-count=citywide]").inner_text() == "37"
    summary = page.locator("[data-summary]").inner_text()
    assert "38 项" in summary and "37 项复制推广至全市" in summary
    citywide = page.locator(".timeline .event[data-scope-type=citywide]")
    assert citywide.get_attribute("data-count") == "37"
    assert "全市(深圳市)" in citywide.inner_text()
    citywide.locator("summary").click()
    assert citywide.locator("ol.compact li").count() == 37
    assert page.get_by_role("region", name="片区试点措施").locator("tbody tr").count() == 38
    screenshot_both(page, shots, "zone")


def test_measure_page_draws_cross_document_lineage(page, shots) -> None:
    page.goto(m_url(PROVINCE_TRACE))
    assert page.locator("h1").inner_text() == "建立进出口商品溯源体系"
    graph = page.locator(".graph svg.lineage")
    assert graph.is_visible()
    ancestor = graph.locator(f'a.node-measure[data-key="{BASE}measure/{NANSHA_TRACE}"]')
    assert ancestor.count() == 1
    assert "全球质量溯源体系" in ancestor.get_attribute("aria-label")
    assert graph.locator("a.node-measure.focal").count() == 1
    # the pilot's path: Nansha -> 全球质量溯源体系 -> Guangzhou scope -> the province's measure
    assert graph.locator("a.node-zone", has_text="广州南沙新区片区").count() == 1
    assert graph.locator(".node-scope", has_text="市有关行政区").count() >= 1
    assert graph.locator(f'path.edge-derived[data-from="{BASE}measure/{NANSHA_TRACE}"]'
                         f'[data-to="{BASE}measure/{PROVINCE_TRACE}"]').count() == 1
    # ordered by time: the 2018-07-02 ancestor left of the 2018-08-14 measure
    ax = ancestor.bounding_box()["x"]
    fx = graph.locator("a.node-measure.focal").bounding_box()["x"]
    assert ax < fx
    # the passage in its source, marked
    assert "建立进出口商品溯源体系" in page.locator("blockquote.passage mark").inner_text()
    assert page.locator("a[data-download=turtle]").get_attribute("href").endswith("?format=turtle")
    screenshot_both(page, shots, "measure")


def test_follow_a_link_from_the_graph(page) -> None:
    page.goto(m_url(PROVINCE_TRACE))
    node = page.locator(f'svg.lineage a[data-key="{BASE}measure/{NANSHA_TRACE}"]')
    node.click()
    page.wait_for_url("**/m/**161/6")
    assert unquote(urlparse(page.url).path) == "/m/" + NANSHA_TRACE
    assert page.locator("h1").inner_text() == "全球质量溯源体系"
    # and back by keyboard: the later measure's node is focusable and Enter follows it
    later = page.locator(f'svg.lineage a[data-key="{BASE}measure/{PROVINCE_TRACE}"]')
    later.focus()
    assert page.evaluate("document.activeElement.getAttribute('data-key')").endswith(PROVINCE_TRACE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/m/**34/8-1")
    assert page.locator("h1").inner_text() == "建立进出口商品溯源体系"


def test_keyboard_search_and_open_a_result(page) -> None:
    page.goto("/")
    page.keyboard.press("/")  # focuses the search box
    page.keyboard.type("溯源")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    first = page.locator("li.hit h3 a").first
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/m/**")
    assert "溯源" in page.locator("h1").inner_text()


def test_download_csv_of_the_search_results(page) -> None:
    page.goto("/?q=" + quote("营业执照"))
    shown = page.locator("li.hit").evaluate_all("els => els.map(e => e.dataset.measure)")
    with page.expect_download() as info:
        page.locator("a[data-download=csv]").first.click()
    raw = Path(info.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["编号"] for r in rows] == shown
    titles = page.locator("li.hit h3 a").all_inner_texts()
    assert [r["标题"] for r in rows] == titles
