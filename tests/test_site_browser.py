"""The report view in a real browser: Debian's chromium and chromedriver, driven by Selenium, from file://.

Without Chromium these tests skip and say why; under CI (CI=true) that skip is a failure instead.
"""

from __future__ import annotations

import json
import pkgutil
import shutil
from contextlib import contextmanager

import pytest

from browser import chromium, require_browser
from checks.package.tables import load_tables
from checks.site.report_view import SITE

#: Three figures and what their cards must say (from the report itself, not from the tables).
CARDS = {
    "F006": {"value": "22.9 亿元", "base": "2,290,000,000 CNY", "qualifier": "exact"},
    "F056": {"value": "2000 个", "base": "2,000 count", "qualifier": "more than"},
    "F060": {"value": "21.7 %", "base": "21.7 percent", "period": "2020-01-01 to 2020-07-31 (今年1-7月份)"},
}


def test_a_missing_browser_skips_locally_and_fails_under_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="browser tests skipped: chromium, chromedriver not installed"):
        require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="cannot run under CI"):
        require_browser()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"), "1600,1000", logs=True)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def site(built_package):
    """The report view of a built copy of the package (the build writes it with build_site)."""
    return (built_package / SITE).resolve()


def _open(browser, site, page="index.html"):
    browser.get((site / page).as_uri())
    return browser


def _displayed(browser, elements) -> list[bool]:
    """WebElement.is_displayed of each element, in one request: the same isDisplayed atom Selenium ships and runs."""
    atom = pkgutil.get_data("selenium.webdriver.remote", "isDisplayed.js").decode("utf-8")
    return browser.execute_script(
        f"var shown = {atom}; return arguments[0].map(function (e) {{ return shown(e); }});", elements
    )


def _data_keys(browser, rows) -> list[str | None]:
    """Each row's fifth cell's data-key (as `row.find_elements("css selector", "td")[4].get_attribute("data-key")`)."""
    return browser.execute_script(
        "return arguments[0].map(function (r) { return r.querySelectorAll('td')[4].getAttribute('data-key'); });", rows
    )


def _card_fields(browser, figure_id):
    card = browser.find_element("id", f"card-{figure_id}")
    assert card.is_displayed(), f"the card of {figure_id} is not shown"
    return {dd.get_attribute("data-field"): dd.text for dd in card.find_elements("css selector", "dd[data-field]")}


def test_every_stated_figure_with_a_quote_is_highlighted(browser, site, package):
    figures = load_tables(package)["figures"]
    stated = figures[figures["stated"].fillna(False).astype(bool) & figures["quote"].notna()]
    marks = _open(browser, site).find_elements("css selector", ".report mark.fig")
    assert len(marks) == len(stated) > 70
    assert all(_displayed(browser, marks))


def test_clicking_a_figure_shows_its_values(browser, site):
    _open(browser, site)
    for figure_id, expected in CARDS.items():
        mark = browser.find_element("id", figure_id)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
        mark.click()
        fields = _card_fields(browser, figure_id)
        for field, text in expected.items():
            assert fields[field] == text, (figure_id, field, fields[field])
        assert mark.get_attribute("aria-expanded") == "true"
    relation = browser.find_element("css selector", "#card-F060 li[data-relation='L04']")
    assert "✓ holds" in relation.text


#: Logs each element the focus moves to, and whether a card of that id is shown right after the page has handled the
#: focus (this listener runs after the page's own, registered first on the same node).
FOCUS_LOG = """window.focused = [];
document.addEventListener("focusin", function (event) {
  var card = document.getElementById("card-" + event.target.id);
  var shown = !!card && !card.hidden && card.getClientRects().length > 0
    && getComputedStyle(card).visibility !== "hidden";
  focused.push([event.target.id, shown]);
});"""


def test_tab_reaches_the_figures_and_opens_their_cards(browser, site):
    """Real Tab presses from the top of the page reach each figure of CARDS, and focusing it opens its card."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    _open(browser, site).find_element("tag name", "body").click()
    browser.execute_script(FOCUS_LOG)
    focused: dict = {}
    for _ in range(8):  # presses in steps of 50 (one request each), at most 400
        ActionChains(browser).send_keys(Keys.TAB * 50).perform()  # real key presses to whatever has the focus
        focused = dict(browser.execute_script("return window.focused"))
        if set(CARDS) <= set(focused):
            break
    assert set(CARDS) <= set(focused), f"Tab never reaches {sorted(set(CARDS) - set(focused))}"
    assert all(focused[ident] for ident in CARDS), f"focusing does not open the card: {focused}"


def test_n_and_p_jump_between_figures_and_escape_closes(browser, site):
    from selenium.webdriver.common.keys import Keys

    _open(browser, site)
    browser.find_element("id", "F006").click()
    browser.switch_to.active_element.send_keys("n")
    assert browser.switch_to.active_element.get_attribute("id") == "F007"
    browser.switch_to.active_element.send_keys("p")
    assert browser.switch_to.active_element.get_attribute("id") == "F006"
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not browser.find_element("id", "card-F006").is_displayed()


def test_print_shows_the_text_without_the_card_panel(browser, site):
    _open(browser, site)
    browser.find_element("id", "F006").click()
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element("id", "cards").is_displayed()
        assert browser.find_element("id", "S006").is_displayed()
        after = browser.execute_script("return getComputedStyle(document.getElementById('F006'), '::after').content")
        assert "F006" in after or "attr(id)" in after, after
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_side_by_side_when_wide_stacked_when_narrow(browser, site):
    _open(browser, site)
    try:
        for width, side_by_side in ((1600, True), (480, False)):
            browser.set_window_size(width, 1000)
            zh, en = (browser.find_element("css selector", f"#S006 .{c}") for c in ("zh", "en"))
            assert (zh.location["y"] == en.location["y"]) is side_by_side, (width, zh.location, en.location)
    finally:
        browser.set_window_size(1600, 1000)


@contextmanager
def window(browser, width, height):
    """The browser at one window size for the body of the with-block, then back to the fixture's size."""
    browser.set_window_size(width, height)
    try:
        yield browser
    finally:
        browser.set_window_size(1600, 1000)


#: Where a span and the card panel are in the window, and whether a tap on each line of the span reaches it.
RECT = """var el = arguments[0], r = el.getBoundingClientRect();
var p = document.getElementById("cards").getBoundingClientRect();
var hit = Array.prototype.every.call(el.getClientRects(), function (line) {
  var at = document.elementFromPoint((line.left + line.right) / 2, (line.top + line.bottom) / 2);
  return el.contains(at);
});
return {top: r.top, bottom: r.bottom, hit: hit, sheet: p.top, height: p.height, width: p.width, window: innerHeight};"""


@pytest.mark.parametrize("width", [390, 480])
@pytest.mark.parametrize("page", ["index.html", "figures.html"])
def test_nothing_spills_sideways_on_a_narrow_screen(browser, site, page, width):
    with window(browser, width, 844):
        _open(browser, site, page)
        client, scroll = browser.execute_script(
            "return [document.documentElement.clientWidth, document.documentElement.scrollWidth]"
        )
        assert scroll <= client, (page, client, scroll)
        for box in browser.find_elements("css selector", ".table-wrap, table.figures"):  # no inner sideways scroll
            inner, outer = browser.execute_script("return [arguments[0].scrollWidth, arguments[0].clientWidth]", box)
            assert inner <= outer <= client, (page, inner, outer)


def test_a_figure_row_on_a_phone_shows_every_column_labelled(browser, site):
    with window(browser, 390, 844):
        _open(browser, site, "figures.html")
        cells = browser.find_elements("css selector", "#row-F060 td")
        assert [c.get_attribute("data-label") for c in cells] == [
            "Id",
            "Topic",
            "Indicator",
            "As written",
            "Base value",
            "Qualifier",
            "Period",
            "Scope",
        ]
        assert all(c.is_displayed() and c.rect["x"] >= 0 and c.rect["x"] + c.rect["width"] <= 390 for c in cells)
        assert "21.7" in cells[3].text and "2020-01-01" in cells[6].text


@pytest.mark.parametrize("figure_id", ["F006", "F035", "F060", "F076"])
def test_a_tapped_figure_stays_visible_with_its_card_open_on_a_phone(browser, site, figure_id):
    with window(browser, 390, 844):
        _open(browser, site)
        assert not browser.find_element("id", "cards").is_displayed(), "the idle panel takes room on a phone"
        mark = browser.find_element("id", figure_id)
        browser.execute_script(
            "arguments[0].scrollIntoView({block: 'end'})", mark
        )  # at the bottom: where a sheet opens
        mark.click()  # a real click: an element covering the figure fails it with "element click intercepted"
        assert browser.find_element("id", f"card-{figure_id}").is_displayed()
        seen = browser.execute_script(RECT, mark)
        assert 0 <= seen["top"] and seen["bottom"] <= seen["sheet"], (figure_id, seen)
        assert seen["hit"], f"{figure_id} is covered with its card open"
        assert seen["width"] <= 390 and seen["height"] <= 0.5 * seen["window"], seen
        browser.find_element("css selector", "#cards .close").click()
        assert not browser.find_element("id", "cards").is_displayed()
        assert browser.switch_to.active_element.get_attribute("id") == figure_id


def test_the_next_figure_key_keeps_the_figure_above_the_sheet(browser, site):
    with window(browser, 390, 844):
        _open(browser, site)
        browser.find_element("id", "F006").click()
        for _ in range(12):
            browser.switch_to.active_element.send_keys("n")
            mark = browser.switch_to.active_element
            seen = browser.execute_script(RECT, mark)
            assert seen["hit"] and 0 <= seen["top"] and seen["bottom"] <= seen["sheet"], (
                mark.get_attribute("id"),
                seen,
            )


TEXT_COVERED = """var panel = document.getElementById("cards").getBoundingClientRect(), out = [];
document.querySelectorAll("header.site, main h1, main h2, main p, main li, footer.site").forEach(function (el) {
  var r = el.getBoundingClientRect();
  var overlaps = r.right > panel.left && r.left < panel.right && r.bottom > panel.top && r.top < panel.bottom;
  if (!el.closest("#cards") && r.width && r.height && overlaps) {
    out.push((el.id || el.parentElement.id || el.tagName) + ": " + el.textContent.slice(0, 30));
  }
});
return out;"""


def test_on_a_desktop_the_card_covers_no_text(browser, site):
    with window(browser, 1400, 900):
        _open(browser, site)
        assert browser.find_element("id", "cards").is_displayed()
        assert browser.execute_script(TEXT_COVERED) == [], "the idle card covers text"
        mark = browser.find_element("id", "F060")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
        mark.click()
        assert browser.find_element("id", "card-F060").is_displayed()
        assert browser.execute_script(TEXT_COVERED) == [], "the open card covers text"
        browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
        assert browser.execute_script(TEXT_COVERED) == [], "the card covers the footer"


def test_the_figures_table_filters_and_sorts(browser, site, package):
    from selenium.webdriver.support.ui import Select

    tables = load_tables(package)
    topics = tables["figures"].merge(tables["indicators"], on="indicator_id")["topic"]
    _open(browser, site, "figures.html")
    Select(browser.find_element("id", "topic")).select_by_value("industry")
    rows = browser.find_elements("css selector", "#figures-table tbody tr")
    visible = [r for r, shown in zip(rows, _displayed(browser, rows)) if shown]
    assert len(visible) == int((topics == "industry").sum())
    browser.find_element("css selector", "button[data-sort='base']").click()
    keys = [float(k or "-inf") for k in _data_keys(browser, visible)]
    rows = browser.find_elements("css selector", "#figures-table tbody tr")
    shown = [
        float(k or "-inf") for k in _data_keys(browser, [r for r, seen in zip(rows, _displayed(browser, rows)) if seen])
    ]
    assert shown == sorted(keys)
    link = browser.find_element("css selector", "#row-F035 a")
    link.click()
    assert browser.switch_to.active_element.get_attribute("id") == "F035"
    assert browser.find_element("id", "card-F035").is_displayed()


def test_no_console_errors_and_no_request_leaves_the_folder(browser, site):
    browser.get("about:blank")
    browser.get_log("browser"), browser.get_log("performance")  # drain what the browser did before our pages
    _open(browser, site)
    browser.find_element("id", "F006").click()
    _open(browser, site, "figures.html")
    browser.find_element("css selector", "button[data-sort='id']").click()
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    requests = [json.loads(e["message"])["message"] for e in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requests if m["method"] == "Network.requestWillBeSent"]
    assert urls, "no request was logged at all: the performance log is not working"
    outside = [u for u in urls if not u.startswith(site.as_uri() + "/")]
    assert outside == [], sorted(set(outside))


def test_screenshot(browser, site, tmp_path_factory):
    """A screenshot of the report with a card open, as docs/screenshot.png shows it, written to the run's own folder
    (pytest's basetemp) to look at; never into the repository."""
    screenshot = tmp_path_factory.mktemp("screenshot") / "report-view.png"
    _open(browser, site)
    mark = browser.find_element("id", "F006")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    mark.click()
    browser.execute_script("window.scrollBy(0, -120)")
    assert browser.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 20_000


@pytest.fixture(scope="module")
def zipped_site(built_package, tmp_path_factory):
    """The report view as the release zip carries it (site/ at the top of the unzipped folder)."""
    import io
    import zipfile

    from checks.outputs.release import contents, zip_bytes
    from checks.package import Package

    package = Package(built_package)
    dest = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(io.BytesIO(zip_bytes(package, contents(package)))) as archive:
        archive.extractall(dest)
    (folder,) = dest.iterdir()
    return (folder / "site").resolve()


def test_the_report_view_of_the_release_zip_works_from_disk(browser, zipped_site):
    """Opened from the unzipped release, the view shows its cards, logs no error and asks for nothing outside the
    unzipped folder."""
    browser.get("about:blank")
    browser.get_log("browser"), browser.get_log("performance")
    _open(browser, zipped_site)
    mark = browser.find_element("id", "F006")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", mark)
    mark.click()
    assert _card_fields(browser, "F006")["value"] == CARDS["F006"]["value"]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
    requests = [json.loads(e["message"])["message"] for e in browser.get_log("performance")]
    urls = [m["params"]["request"]["url"] for m in requests if m["method"] == "Network.requestWillBeSent"]
    assert urls and [u for u in urls if not u.startswith(zipped_site.parent.as_uri() + "/")] == []
