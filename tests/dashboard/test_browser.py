"""The dashboard in a real browser (Chromium driven by Playwright).

Every page of every stored study shape, on SQLite and PostgreSQL, must load
without a console error; stored strings must come out as text; a search
running in another process must show up on an open page without a reload.
Nothing here sleeps for a fixed time: each step waits for a condition.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from dashboard._studies import PARETO, XSS, Backend
from scout_sklearn import Float, Study
from scout_sklearn.storage import SQLStorage

if os.environ.get("SCOUT_REQUIRE_BROWSER") == "1":  # CI: a missing Playwright fails
    from playwright.sync_api import expect
else:
    expect = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed"
    ).expect

WAIT_MS = 30_000  # a generous bound on a loaded machine; the benchmark measures latency


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def studies(request: pytest.FixtureRequest) -> tuple[Backend, dict[str, Any]]:
    """In the browser, SQLite and PostgreSQL (MySQL's pages are the same JSON,
    checked by test_api.py)."""
    return request.getfixturevalue(f"{request.param}_studies")  # type: ignore[no-any-return]


def quoted(name: str) -> str:
    return urllib.parse.quote(name)


def open_page(new_page: Any, url: str) -> Any:
    page = new_page()
    page.page.goto(url)
    return page


def test_studies_page_lists_every_study(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    _, expected = studies
    page = open_page(new_page, dashboard.url)
    rows = page.page.locator("#studies tbody tr")
    rows.nth(len(expected) - 1).wait_for(timeout=WAIT_MS)
    assert rows.count() == len(expected)
    for name, want in expected.items():
        row = page.page.locator(
            "#studies tbody tr", has=page.page.get_by_text(name, exact=True)
        )
        assert row.locator("td").nth(2).inner_text() == str(want["n_trials"])
    assert page.errors == []
    assert page.dialogs == []


@pytest.mark.parametrize(
    "name",
    ["grid svc", "tpe logreg", "conditional", "pruned sgd", "failing " + XSS, "empty"],
)
def test_study_page_of_each_shape(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any, name: str
) -> None:
    _, expected = studies
    page = open_page(new_page, dashboard.url.rstrip("/") + "/study?name=" + quoted(name))
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert page.page.locator("#study-name").inner_text() == name
    assert page.page.locator("#n-trials").inner_text() == str(expected[name]["n_trials"])
    rows = page.page.locator("#trials tbody tr")
    assert rows.count() == min(expected[name]["n_trials"], 25)
    if expected[name]["n_trials"]:
        # The history plot drew its points (an SVG from plotly.min.js).
        assert page.page.locator("#history .main-svg").count() >= 1
    if name == "pruned sgd":
        assert page.page.locator("#rung-table tbody tr").count() >= 2
    # Only this page's two scripts ran: no stored string became a script.
    assert page.page.evaluate("document.scripts.length") == 2
    assert page.errors == []
    assert page.dialogs == []


def front_numbers(p: Any, table: str = "#pareto-table") -> list[int]:
    """The trial numbers of the front's table, top to bottom."""
    cells = p.locator(f"{table} tbody tr td:first-child").all_inner_texts()
    return [int(text.lstrip("#")) for text in cells]


@pytest.mark.parametrize("name", PARETO)
def test_pareto_front_view(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any, name: str
) -> None:
    _, expected = studies
    page = open_page(new_page, dashboard.url.rstrip("/") + "/study?name=" + quoted(name))
    p = page.page
    p.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    # The scatter drew (an SVG from plotly.min.js) with the front as a trace.
    assert p.locator("#pareto .main-svg").count() >= 1
    legend = p.locator("#pareto .legendtext").all_text_contents()
    assert "Pareto front" in legend
    if name == "pareto tree":
        assert "outside the constraints" in legend
        assert "accuracy >= 0.5" in p.locator("#pareto-note").inner_text()
    else:  # the third objective is the colour, with its scale
        assert p.locator("#pareto .colorbar").count() == 1
    assert front_numbers(p) == expected[name]["front"]
    assert p.evaluate("document.scripts.length") == 2
    assert page.errors == []
    assert page.dialogs == []


def test_a_single_objective_study_has_no_front_view(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    page = open_page(new_page, dashboard.url.rstrip("/") + "/study?name=tpe%20logreg")
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert page.page.locator("#pareto").count() == 0
    assert page.page.get_by_text("Pareto front").count() == 0
    assert page.errors == []


def test_stored_markup_comes_out_as_text(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    name = "failing " + XSS
    page = open_page(new_page, dashboard.url.rstrip("/") + "/study?name=" + quoted(name))
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    page.page.select_option("#slice-param", "strategy")
    cells = page.page.locator("#trials tbody td", has_text="alert(1)")
    assert cells.count() >= 1
    assert cells.first.inner_text() == XSS
    assert page.page.locator("#trials script").count() == 0
    failed = page.page.locator("#trials tbody tr", has=page.page.get_by_text("FAILED"))
    failed.locator("a").first.click()
    page.page.wait_for_selector("#trial-title", timeout=WAIT_MS)
    assert page.page.locator("#params td").nth(1).inner_text() == XSS
    assert "InvalidParameterError" in page.page.locator("pre.error").first.inner_text()
    assert page.dialogs == []
    assert page.errors == []


def test_trial_page_and_back(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    url = dashboard.url.rstrip("/") + "/trial?study=" + quoted("pruned sgd") + "&number=0"
    page = open_page(new_page, url)
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert page.page.locator("#trial-title").inner_text() == "Trial 0"
    assert page.page.locator("#folds tbody tr").count() >= 3
    assert page.page.locator("#rungs tbody tr").count() >= 1
    page.page.get_by_text("← pruned sgd").click()
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert page.page.locator("#study-name").inner_text() == "pruned sgd"
    assert page.errors == []


def test_table_sorts_filters_and_pages(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    page = open_page(
        new_page, dashboard.url.rstrip("/") + "/study?name=" + quoted("pruned sgd")
    )
    p = page.page
    p.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    p.select_option("#state-filter", "PRUNED")
    n_pruned = studies[1]["pruned sgd"]["states"]["PRUNED"]
    assert 0 < n_pruned < 12
    expect(p.locator("#trials tbody tr")).to_have_count(n_pruned, timeout=WAIT_MS)
    p.locator("#trials th", has_text="number").click()  # sort by number, descending
    p.wait_for_selector("#trials th.sorted-desc:text-is('number')", timeout=WAIT_MS)
    first = p.locator("#trials tbody tr").first.locator("td").first.inner_text()
    numbers = [
        int(t.lstrip("#"))
        for t in p.locator("#trials tbody tr td:first-child").all_inner_texts()
    ]
    assert numbers == sorted(numbers, reverse=True)
    assert first == f"#{numbers[0]}"
    assert page.errors == []


def test_compare_page_overlays_studies(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, new_page: Any
) -> None:
    url = (
        dashboard.url.rstrip("/")
        + "/compare?study="
        + quoted("grid svc")
        + "&study="
        + quoted("tpe logreg")
    )
    page = open_page(new_page, url)
    page.page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    legend = page.page.locator("#compare-plot .legendtext").all_text_contents()
    assert any("grid svc" in text for text in legend)
    assert any("tpe logreg" in text for text in legend)
    assert page.errors == []


def test_a_running_search_appears_live(
    tmp_path: Path, start_dashboard: Any, new_page: Any
) -> None:
    """A search in another process: its trials reach the open page without a reload."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    # A first study, so that the dashboard has tables to open.
    Study({"x": Float(0.0, 1.0)}, storage=SQLStorage(url), name="placeholder", seed=0)
    server = start_dashboard(url, poll_interval=0.2)
    page = open_page(new_page, server.url)
    p = page.page
    p.wait_for_selector("#studies tbody tr", timeout=WAIT_MS)
    p.evaluate("window.__notReloaded = true")
    worker = Path(__file__).parents[1] / "storage" / "search_worker.py"
    n_trials = 6
    search = subprocess.Popen(
        [
            sys.executable,
            str(worker),
            "svc",
            url,
            "scout_",
            "live svc",
            "random",
            str(n_trials),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The new study appears on the studies page, then on its own page
        # each trial as it is stored.
        p.get_by_text("live svc", exact=True).wait_for(timeout=WAIT_MS)
        assert p.evaluate("window.__notReloaded") is True
        p.get_by_text("live svc", exact=True).click()
        p.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
        for count in range(1, n_trials + 1):
            # The count reaches each value in turn (it may pass several at once).
            expect(p.locator("#n-trials")).to_have_text(
                re.compile(
                    "^(" + "|".join(str(n) for n in range(count, n_trials + 1)) + ")$"
                ),
                timeout=WAIT_MS,
            )
        p.evaluate("window.__stillHere = true")
        expect(p.locator("#cards")).to_contain_text(f"complete{n_trials}", timeout=WAIT_MS)
        out, err = search.communicate(timeout=120)
        assert search.returncode == 0, err
        result = json.loads(out.strip().splitlines()[-1])
        assert p.evaluate("window.__stillHere") is True  # no reload happened
        best = p.locator("#best-link").inner_text()
        assert f"(trial {result['best_number']})" in best
        assert page.errors == []
    finally:
        if search.poll() is None:
            search.kill()
            search.wait()


def test_a_10000_trial_study(tmp_path: Path, start_dashboard: Any, new_page: Any) -> None:
    from dashboard._studies import build_large

    url = f"sqlite:///{tmp_path / 'large.db'}"
    build_large(SQLStorage(url), "large", 10_000)
    server = start_dashboard(url)
    page = open_page(new_page, server.url.rstrip("/") + "/study?name=large")
    p = page.page
    p.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS * 2)
    assert p.locator("#n-trials").inner_text() == "10000"
    expect(p.locator("#pager")).to_contain_text("page 1 of 400 (10000 trials)")
    p.locator("#next").click()
    expect(p.locator("#pager")).to_contain_text("page 2 of 400")
    p.select_option("#state-filter", "FAILED")
    expect(p.locator("#pager")).to_contain_text("(100 trials)", timeout=WAIT_MS)
    assert page.errors == []


@pytest.mark.parametrize("name", ["pruned sgd", "failing " + XSS, "empty", PARETO[0]])
def test_interactive_report_in_the_browser(
    sqlite_studies: tuple[Backend, dict[str, Any]], tmp_path: Path, new_page: Any, name: str
) -> None:
    """The report draws the dashboard's views from the data in the file, offline."""
    from scout_sklearn import load_study
    from scout_sklearn.report import write_report

    backend, expected = sqlite_studies
    study = load_study(backend.storage(read_only=True), name)
    path = write_report(study, tmp_path / "report.html", interactive=True)
    page = open_page(new_page, path.as_uri())
    p = page.page
    p.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)
    assert p.locator("#n-trials").inner_text() == str(expected[name]["n_trials"])
    if expected[name]["n_trials"]:
        assert p.locator("#history .main-svg").count() >= 1
    if name == "pruned sgd":
        assert p.locator("#rung-table tbody tr").count() >= 2
    if name in PARETO:  # the front drawn from the data in the file
        assert p.locator("#pareto .main-svg").count() >= 1
        assert p.locator("#pareto-table").count() == 0  # the report's own instead
        assert front_numbers(p, "#front-table") == expected[name]["front"]
    assert p.locator("#trials-table").count() == 0  # the report's own table instead
    assert page.errors == []
    assert page.dialogs == []
