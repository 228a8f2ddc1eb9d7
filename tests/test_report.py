"""write_report: one self-contained, escaped HTML page, checked as text and in Chromium.

The studies are real searches kept in SQLite and read back with load_study,
as ``scout-sklearn report URL STUDY`` reads them. One searched parameter
takes a value holding a ``<script>`` tag (SimpleImputer's fill_value,
unused on data without missing values), as a shared database could hold.
"""

from __future__ import annotations

import base64
import html
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, ScoutSearchCV, Study, TrialState, load_study
from scout_sklearn.report import write_report

SCRIPT = "<script>alert('x')</script>"
CHROMIUM = "/usr/bin/chromium"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"}
# How Chromium's --enable-logging=stderr shows a console message (an uncaught
# error, console.error, ...): "[pid:tid:date:INFO:CONSOLE:1] "message", source:".
CONSOLE_LINE = re.compile(r":CONSOLE[(:]\d*\)?\]")

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing (Debian: apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(1).permutation(len(y))[:240]
    return X[rows], y[rows]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('report')}/r.db"


def _search(data, url: str, name: str, **kwargs) -> ScoutSearchCV:
    X, y = data
    return ScoutSearchCV(
        make_pipeline(SimpleImputer(), StandardScaler(), SVC()),
        {
            "svc__C": Float(1e-2, 1e3, log=True),
            "svc__gamma": Float(1e-4, 1.0, log=True),
            "simpleimputer__fill_value": [SCRIPT, "plain"],
        },
        sampler="random",
        cv=3,
        random_state=0,
        storage=url,
        study_name=name,
        **kwargs,
    ).fit(X, y)


@pytest.fixture(scope="module")
def stored(data, url):
    _search(data, url, "plain <&> study", n_trials=10)
    return load_study(url, "plain <&> study")


@pytest.fixture(scope="module")
def stored_pruned(data, url):
    _search(data, url, "pruned", n_trials=10, pruner="asha", resource="n_samples")
    return load_study(url, "pruned")


@pytest.fixture(scope="module")
def report(stored, tmp_path_factory) -> Path:
    return write_report(stored, tmp_path_factory.mktemp("out") / "report.html")


@pytest.fixture(scope="module")
def pruned_report(stored_pruned, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("out") / "pruned.html"
    return write_report(stored_pruned, str(path), title="Pruned <SVC>")


class Structure(HTMLParser):
    """Records elements, ids, img sources and nesting errors of an HTML5 page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.images: list[str] = []
        self.doctype = ""
        self.rows: list[tuple[dict[str, str | None], list[str]]] = []
        self._cell: list[str] | None = None

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag == "img":
            self.images.append(attributes.get("src") or "")
            if not attributes.get("alt"):
                self.errors.append("img without alt")
        if tag == "tr":
            self.rows.append((attributes, []))
        if tag == "td":
            self._cell = []
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append("".join(self._cell).strip())
            self._cell = None
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(text: str) -> Structure:
    parser = Structure()
    parser.feed(text)
    parser.close()
    return parser


def best_row(page: Structure) -> list[str]:
    (cells,) = [cells for attrs, cells in page.rows if attrs.get("id") == "best-trial"]
    return cells


# -- the page as text ---------------------------------------------------------------
def test_report_is_one_well_formed_html5_page(report):
    text = report.read_text(encoding="utf-8")
    page = parse(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.doctype.lower() == "doctype html"
    assert page.errors == []
    assert page.stack == []  # every element closed
    assert page.tags.count("html") == page.tags.count("head") == 1
    assert page.tags.count("body") == page.tags.count("title") == 1
    assert len(page.ids) == len(set(page.ids))
    assert '<meta charset="utf-8">' in text


def test_report_loads_nothing_and_runs_nothing(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)
    assert "<script" not in text.lower()
    assert "<link" not in text.lower()
    assert "@import" not in text
    assert "url(" not in text


def test_report_shows_the_best_trial(report, stored):
    text = report.read_text(encoding="utf-8")
    best = stored.best_trial
    page = parse(text)
    assert f'<span id="best-number">{best.number}</span>' in text
    assert f'<span id="best-value">{best.value:.6g}</span>' in text
    cells = best_row(page)
    assert cells[0] == str(best.number)
    assert cells[1] == "COMPLETE"
    assert cells[2] == f"{best.value:.6g}"
    # Only the best row is highlighted, and every trial has a row.
    assert sum("best" in (attrs.get("class") or "").split() for attrs, _ in page.rows) == 1
    assert len(page.rows) == 1 + len(stored.trials)  # the header row, then one per trial
    n = len(stored.trials)
    assert f"{n} (0 RUNNING, {n} COMPLETE, 0 PRUNED, 0 FAILED)" in text


def test_report_images_are_inline_pngs(report):
    page = parse(report.read_text(encoding="utf-8"))
    # history, importances, slice, parallel coordinates, contour; no rungs here.
    assert len(page.images) == 5
    assert "plot-intermediate" not in page.ids
    assert {"plot-history", "plot-contour", "plot-slice"} <= set(page.ids)
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png.startswith(PNG_MAGIC)
        assert len(png) > 5000


def test_report_escapes_what_the_database_holds(report, stored):
    text = report.read_text(encoding="utf-8")
    assert any(t.params["simpleimputer__fill_value"] == SCRIPT for t in stored.trials)
    assert SCRIPT not in text
    assert html.escape(SCRIPT) in text
    assert "plain &lt;&amp;&gt; study" in text  # the study name
    assert "plain <&> study" not in text


def test_report_of_a_pruned_study_adds_the_rungs(pruned_report, stored_pruned):
    text = pruned_report.read_text(encoding="utf-8")
    page = parse(text)
    assert page.errors == []
    assert "plot-intermediate" in page.ids
    assert {"plot-history", "plot-slice", "plot-parallel", "plot-contour"} <= set(page.ids)
    # Importances need two COMPLETE trials (only those reached the full budget).
    n_complete = sum(t.state is TrialState.COMPLETE for t in stored_pruned.trials)
    assert ("plot-importances" in page.ids) == (n_complete >= 2)
    assert ("parameter importances" in text) == (n_complete < 2)
    assert len(page.images) == 6 - (n_complete < 2)
    assert "<title>Pruned &lt;SVC&gt;</title>" in text
    ladder = stored_pruned.fingerprint["pruning"]["ladder"]
    assert ", ".join(f"{r:.6g}" for r in ladder) in text
    states = [cells[1] for attrs, cells in page.rows if cells]
    assert states.count("PRUNED") == sum(
        t.state is TrialState.PRUNED for t in stored_pruned.trials
    )
    assert cells_of(page, stored_pruned.best_trial.number)[0] == str(
        stored_pruned.best_trial.number
    )


def cells_of(page: Structure, number: int) -> list[str]:
    (cells,) = [cells for _, cells in page.rows if cells and cells[0] == str(number)]
    return cells


def test_report_skips_the_contour_with_one_numeric_param(tmp_path):
    study = Study({"x": Float(0.0, 1.0), "kind": ["a", "b"]}, seed=0)
    for _ in range(6):
        trial = study.ask()
        study.tell(trial.number, trial.params["x"])
    text = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    page = parse(text)
    assert "plot-contour" not in page.ids
    assert "contour (it needs two numeric parameters; the study has 1)" in text
    assert "plot-history" in page.ids


def test_report_of_a_conditional_space_draws_a_contour_of_a_pair_trials_share(tmp_path):
    # a and b are in different sub-spaces: no trial has both; b and c are not.
    space = [{"a": Float(0.0, 1.0)}, {"b": Float(0.0, 1.0), "c": Float(0.0, 1.0)}]
    study = Study(space, seed=0)
    for _ in range(12):
        trial = study.ask()
        study.tell(trial.number, sum(trial.params.values()))
    text = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "plot-contour" in parse(text).ids
    assert "The value over b and c" in text


def test_report_of_sub_spaces_sharing_no_numeric_pair_skips_the_contour(tmp_path):
    space = [{"a": Float(0.0, 1.0)}, {"b": Float(0.0, 1.0)}]
    study = Study(space, seed=0)
    for _ in range(8):
        trial = study.ask()
        study.tell(trial.number, sum(trial.params.values()))
    text = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "plot-contour" not in parse(text).ids
    assert "contour (no COMPLETE trial has two of the numeric parameters" in text


def test_report_of_a_study_without_complete_trials(tmp_path):
    study = Study({"x": Float(0.0, 1.0)}, seed=0, name="all failed")
    for _ in range(3):
        study.tell(study.ask().number, state=TrialState.FAILED)
    text = write_report(study, tmp_path / "r.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.errors == []
    assert page.images == []
    assert "no COMPLETE trial" in text
    assert "best-trial" not in page.ids
    assert len(page.rows) == 4


@pytest.fixture(scope="module")
def multiobjective(url, breast_cancer):
    """test_multiobjective's search (a tree's accuracy against its leaves), stored."""
    from test_multiobjective import _search as _multiobjective

    X, y = breast_cancer
    return _multiobjective(storage=url, study_name="two objectives").fit(X, y)


def _front_table(text: str) -> Structure:
    match = re.search(r'<table id="front-table">.*?</table>', text)
    assert match is not None
    return parse(match.group(0))


def test_report_of_several_objectives_shows_the_front(multiobjective, url, tmp_path):
    stored = load_study(url, "two objectives")
    text = write_report(stored, tmp_path / "mo.html").read_text(encoding="utf-8")
    page = parse(text)
    assert page.errors == []
    assert {"pareto-front", "plot-pareto-front", "front-table"} <= set(page.ids)
    results = multiobjective.cv_results_
    front = multiobjective.pareto_front_
    table = _front_table(text)
    rows = [cells for _, cells in table.rows if cells]
    # pareto_front_'s trials, in its order, with their means and params.
    assert [int(cells[0]) for cells in rows] == results["trial_number"][front].tolist()
    for cells, i in zip(rows, front):
        assert cells[1] == f"{results['mean_test_accuracy'][i]:.6g}"
        assert cells[2] == f"{results['mean_test_n_leaves'][i]:.6g}"
        assert cells[3:] == [str(v) for _, v in sorted(results["params"][i].items())]
    assert "accuracy (maximize)" in text
    assert "n_leaves (minimize)" in text
    assert f"The front holds {len(front)} of the {len(results['params'])} COMPLETE" in text
    # A stored study does not know refit's choice: no row claims it.
    assert "front-refit" not in page.ids
    # The same report from the fitted search highlights the refitted trial.
    text = write_report(multiobjective, tmp_path / "fitted.html").read_text("utf-8")
    (marked,) = [
        cells
        for attrs, cells in _front_table(text).rows
        if attrs.get("id") == "front-refit"
    ]
    assert int(marked[0]) == results["trial_number"][multiobjective.best_index_]


def test_a_single_objective_report_has_no_front(report):
    text = report.read_text(encoding="utf-8")
    assert "pareto-front" not in text
    assert "front-table" not in text
    assert "Pareto" not in text


def test_report_refuses_an_unfitted_search(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        write_report(ScoutSearchCV(SVC(), {"C": [1.0]}), tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


# -- the page in a browser -----------------------------------------------------------------
def chromium(tmp_path: Path, page: Path, *extra: str) -> tuple[str, str]:
    done = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE_LINE.search(line)]


@needs_chromium
def test_console_check_catches_a_planted_error(tmp_path):
    planted = tmp_path / "planted.html"
    planted.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
        "</head><body><p>x</p><script>notDefinedAnywhere();</script></body></html>",
        encoding="utf-8",
    )
    _, stderr = chromium(tmp_path, planted)
    lines = console_lines(stderr)
    assert lines, stderr[-2000:]
    assert "notDefinedAnywhere" in "\n".join(lines)


@needs_chromium
def test_report_in_chromium(report, stored, tmp_path):
    dom, stderr = chromium(tmp_path, report)
    assert console_lines(stderr) == []
    page = parse(dom)
    best = stored.best_trial
    cells = best_row(page)
    assert cells[:3] == [str(best.number), "COMPLETE", f"{best.value:.6g}"]
    assert "script" not in page.tags  # the stored <script> value stayed text
    assert any(SCRIPT in cell for _, row in page.rows for cell in row)
    assert len(page.images) == 5


@needs_chromium
def test_report_images_decode_in_chromium(report, tmp_path):
    """A probe page holding the report's <img> tags measures them once loaded."""
    text = report.read_text(encoding="utf-8")
    images = re.findall(r"<img [^>]*>", text)
    assert len(images) == 5
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>p</title>'
        "</head><body>" + "".join(images) + '<ol id="sizes"></ol><script>'
        "window.addEventListener('load', () => {"
        "  for (const img of document.images) {"
        "    const li = document.createElement('li');"
        "    li.textContent = img.complete + ' ' + img.naturalWidth"
        "      + 'x' + img.naturalHeight;"
        "    document.getElementById('sizes').appendChild(li);"
        "  }"
        "});</script></body></html>",
        encoding="utf-8",
    )
    dom, stderr = chromium(tmp_path, probe, "--virtual-time-budget=5000")
    assert console_lines(stderr) == []
    sizes = re.findall(r"<li>(true|false) (\d+)x(\d+)</li>", dom)
    assert len(sizes) == 5, dom[-2000:]
    for complete, width, height in sizes:
        assert complete == "true"
        assert int(width) > 300
        assert int(height) > 200
