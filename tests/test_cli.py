"""The scout-sklearn command, on a database written by a real search."""

from __future__ import annotations

import ast
import csv
import html
import io
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from scout_sklearn import Float, FoldResult, Int, ScoutSearchCV, Study, TrialState
from scout_sklearn.cli import main
from scout_sklearn.storage import SQLStorage

STUDY = "iris-logreg"
UNFINISHED = "unfinished"
PRUNED = "iris-tree-pruned"


@dataclass(frozen=True)
class Stored:
    url: str
    path: Path
    search: ScoutSearchCV
    pruned: ScoutSearchCV

    def mean_test_score(self) -> dict[int, float]:
        results = self.search.cv_results_
        return dict(
            zip(results["trial_number"].tolist(), results["mean_test_score"].tolist())
        )


@pytest.fixture(scope="session")
def stored(
    tmp_path_factory: pytest.TempPathFactory, iris: tuple[np.ndarray, np.ndarray]
) -> Stored:
    """A SQLite file: a real search, a study with no best trial, a pruned search."""
    path = tmp_path_factory.mktemp("cli") / "s.db"
    url = f"sqlite:///{path}"
    X, y = iris
    # One BLAS thread: on a busy machine, more make these tiny fits 20x slower.
    with threadpool_limits(limits=1):
        search = ScoutSearchCV(
            LogisticRegression(max_iter=200),
            {"C": Float(0.01, 10.0, log=True)},
            n_trials=6,
            sampler="random",
            cv=3,
            random_state=0,
            storage=url,
            study_name=STUDY,
        ).fit(X, y)
    # Trial 0: COMPLETE with a NaN score; trial 1: FAILED; trial 2: RUNNING.
    study = Study({"x": Float(0.0, 1.0)}, storage=SQLStorage(url), name=UNFINISHED, seed=0)
    nan = float("nan")
    trial = study.ask()
    study.record(trial.number, FoldResult(0, {"score": nan}, None, 0.5, 0.25, 10))
    study.tell(trial.number, nan)
    study.tell(study.ask().number, None, state=TrialState.FAILED)
    study.ask()
    pruned = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Int(1, 6), "min_samples_leaf": Int(1, 10)},
        n_trials=9,
        sampler="random",
        cv=3,
        random_state=0,
        pruner="successive_halving",
        storage=url,
        study_name=PRUNED,
    ).fit(X, y)
    return Stored(url=url, path=path, search=search, pruned=pruned)


def run(*args: str, script: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a new process, through ``python -m`` or the installed script."""
    command = [script] if script else [sys.executable, "-m", "scout_sklearn"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, check=False
    )


def error_line(stderr: str) -> str:
    """The one error line of a failed command."""
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("scout-sklearn: error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run in-process; check exit code 1, nothing on stdout; return the error line."""
    assert main(list(args)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    return error_line(captured.err)


# -- studies -----------------------------------------------------------------------------
def study_lines(out: str) -> dict[str, list[str]]:
    lines = out.splitlines()
    assert lines[0].split() == [
        "study",
        "trials",
        "best",
        "metric",
        "RUNNING",
        "COMPLETE",
        "PRUNED",
        "FAILED",
    ]
    return {line.split()[0]: line.split()[1:] for line in lines[1:]}


def test_studies_shows_trial_count_best_score_and_states(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["studies", stored.url]) == 0
    captured = capsys.readouterr()

    lines = study_lines(captured.out)
    assert list(lines) == [STUDY, UNFINISHED, PRUNED]
    best = f"{stored.search.best_score_:.6g}"
    assert lines[STUDY] == ["6", best, "score", "0", "6", "0", "0"]
    assert lines[UNFINISHED] == ["3", "-", "-", "1", "1", "0", "1"]
    states = stored.pruned.cv_results_["state"].tolist()
    assert lines[PRUNED] == [
        "9",
        f"{stored.pruned.best_score_:.6g}",
        "score",
        "0",
        str(states.count("COMPLETE")),
        str(states.count("PRUNED")),
        "0",
    ]
    assert captured.err == ""


def test_a_database_without_studies_lists_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    SQLStorage(url)  # creates the tables, no study

    assert main(["studies", url]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"scout-sklearn: {url} holds no studies."


def test_python_dash_m_runs_the_command(stored: Stored) -> None:
    result = run("studies", stored.url)

    assert result.returncode == 0, result.stderr
    best = f"{stored.search.best_score_:.6g}"
    assert study_lines(result.stdout)[STUDY] == ["6", best, "score", "0", "6", "0", "0"]


def test_installed_script_runs_the_command(stored: Stored) -> None:
    script = Path(sys.executable).parent / "scout-sklearn"
    if not script.exists():
        pytest.skip(f"the scout-sklearn script is not installed next to {sys.executable}")

    result = run("best", stored.url, STUDY, script=str(script))

    assert result.returncode == 0, result.stderr
    assert f"trial:  {best_number(stored)}" in result.stdout.splitlines()


# -- trials ------------------------------------------------------------------------------
def best_number(stored: Stored) -> int:
    results = stored.search.cv_results_
    return int(results["trial_number"][stored.search.best_index_])


def test_trials_table_shows_every_trial_with_params_and_scores(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trials", stored.url, STUDY]) == 0
    lines = capsys.readouterr().out.splitlines()

    header = lines[0].split()
    assert header[:4] == ["number", "state", "value", "params_C"]
    assert {"mean_test_score", "std_test_score", "n_folds", "duration"} <= set(header)
    assert "rung" not in header  # not a pruned search
    assert len(lines) == 7
    means = stored.mean_test_score()
    params = dict(
        zip(
            stored.search.cv_results_["trial_number"].tolist(),
            stored.search.cv_results_["params"],
        )
    )
    for line in lines[1:]:
        cells = dict(zip(header, line.split()))
        number = int(cells["number"])
        assert cells["state"] == "COMPLETE"
        assert cells["value"] == f"{means[number]:.6g}"
        assert cells["mean_test_score"] == f"{means[number]:.6g}"
        assert cells["params_C"] == f"{params[number]['C']:.6g}"
        assert cells["n_folds"] == "3"
    # Fixed width: every line starts its columns at the same places.
    assert len({line.index("COMPLETE") for line in lines[1:]}) == 1


def test_trials_sorted_by_value_and_filtered_by_state(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trials", stored.url, STUDY, "--sort", "value"]) == 0
    lines = capsys.readouterr().out.splitlines()
    values = [float(line.split()[2]) for line in lines[1:]]
    assert values == sorted(values, reverse=True)
    assert int(lines[1].split()[0]) == best_number(stored)

    assert main(["trials", stored.url, UNFINISHED, "--state", "FAILED"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines[1:]] == [["1", "FAILED", "-"]]


def test_trials_of_a_pruned_search_show_rung_and_resource(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trials", stored.url, PRUNED]) == 0
    lines = capsys.readouterr().out.splitlines()

    header = lines[0].split()
    assert {"params_max_depth", "params_min_samples_leaf", "rung", "resource"} <= set(
        header
    )
    results = stored.pruned.cv_results_
    expected = {
        number: (state, str(resource), f"{mean:.6g}")
        for number, state, resource, mean in zip(
            results["trial_number"].tolist(),
            results["state"].tolist(),
            results["n_resources"].tolist(),
            results["mean_test_score"].tolist(),
        )
    }
    shown = {}
    for line in lines[1:]:
        cells = dict(zip(header, line.split()))
        shown[int(cells["number"])] = (
            cells["state"],
            cells["resource"],
            cells["mean_test_score"],
        )
    assert shown == expected
    assert {state for state, _, _ in shown.values()} == {"COMPLETE", "PRUNED"}


# -- best --------------------------------------------------------------------------------
def test_best_shows_number_value_params_and_scores(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["best", stored.url, STUDY]) == 0
    lines = capsys.readouterr().out.splitlines()

    search = stored.search
    assert lines[0] == f"study:  {STUDY}"
    assert lines[1] == f"trial:  {best_number(stored)}"
    assert lines[2] == f"value:  {search.best_score_:.6g}"
    start = lines.index("params:") + 1
    end = lines.index("scores:")
    shown = {}
    for line in lines[start:end]:
        name, _, literal = line.strip().partition(": ")
        shown[name] = ast.literal_eval(literal)
    assert shown == search.best_params_
    std = search.cv_results_["std_test_score"][search.best_index_]
    assert lines[end + 1] == f"  test_score: mean {search.best_score_:.6g}, std {std:.6g}"


REGRESSION = "diabetes-sgd-rmse"
MULTI = "iris-two-metrics"


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory, diabetes, iris) -> tuple[str, dict]:
    """A pruned regression scored by a negated error, over max_iter; a two-metric search."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    url = f"sqlite:///{tmp_path_factory.mktemp('cli-named') / 'n.db'}"
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        regression = ScoutSearchCV(
            make_pipeline(StandardScaler(), SGDRegressor(random_state=0)),
            {"sgdregressor__alpha": Float(1e-5, 1.0, log=True)},
            n_trials=8,
            sampler="random",
            cv=3,
            random_state=0,
            scoring="neg_root_mean_squared_error",
            pruner="successive_halving",
            resource="sgdregressor__max_iter",
            min_resource=5,
            max_resource=45,
            storage=url,
            study_name=REGRESSION,
        ).fit(X, y)
    X, y = iris
    with threadpool_limits(limits=1):  # tiny fits: more BLAS threads only slow them
        multi = ScoutSearchCV(
            LogisticRegression(max_iter=300),
            {"C": Float(0.01, 10.0, log=True)},
            n_trials=4,
            sampler="random",
            cv=3,
            random_state=0,
            scoring=["accuracy", "f1_macro"],
            refit="f1_macro",
            storage=url,
            study_name=MULTI,
        ).fit(X, y)
    return url, {REGRESSION: regression, MULTI: multi}


def test_best_names_the_metric_and_its_sign(
    named: tuple[str, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    # A user sees -53.2 and is told it is a negated RMSE; with two metrics,
    # which one the value is.
    url, searches = named
    assert main(["best", url, REGRESSION]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2] == f"value:  {searches[REGRESSION].best_score_:.6g}"
    assert lines[3] == "metric: neg_root_mean_squared_error (negated: higher is better)"
    assert main(["best", url, MULTI]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[3] == "metric: f1_macro (higher is better)"


def test_best_of_a_search_pruned_over_a_parameter_lists_it_in_the_params(
    named: tuple[str, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    # As best_params_ does (and HalvingRandomSearchCV): the best trial was
    # evaluated at max_resource, which the refit uses.
    url, searches = named
    assert main(["best", url, REGRESSION]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = {}
    for line in lines[lines.index("params:") + 1 : lines.index("scores:")]:
        name, _, literal = line.strip().partition(": ")
        shown[name] = ast.literal_eval(literal)
    assert shown == searches[REGRESSION].best_params_
    assert shown["sgdregressor__max_iter"] == 45


def test_studies_name_each_study_s_metric(
    named: tuple[str, dict], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = named
    assert main(["studies", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["study", "trials", "best", "metric"]
    metrics = {line.split()[0]: line.split()[3] for line in lines[1:]}
    assert metrics == {REGRESSION: "neg_root_mean_squared_error", MULTI: "f1_macro"}


def test_report_names_the_metric_and_the_resource_parameter(
    named: tuple[str, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("matplotlib")
    url, _ = named
    target = tmp_path / "r.html"
    assert main(["report", url, REGRESSION, "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert (
        "mean test <code>neg_root_mean_squared_error</code> (negated: higher is better)"
        in page
    )
    best = re.search(r'<ul id="best-params">(.*?)</ul>', page).group(1)
    assert "<code>sgdregressor__max_iter</code> = <code>45</code>" in best
    assert main(["report", url, MULTI, "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    assert "mean test <code>f1_macro</code> (higher is better)" in page


# -- best of several objectives: the Pareto front --------------------------------------
TWO = "tree-accuracy-leaves"
CONSTRAINED = "tree-constrained"


@pytest.fixture(scope="module")
def multiobjective(
    tmp_path_factory: pytest.TempPathFactory, breast_cancer
) -> tuple[str, dict[str, ScoutSearchCV]]:
    """test_multiobjective's search (a tree's accuracy against its leaves), stored."""
    from test_multiobjective import _search

    url = f"sqlite:///{tmp_path_factory.mktemp('cli-mo') / 'mo.db'}"
    X, y = breast_cancer
    searches = {
        TWO: _search(storage=url, study_name=TWO).fit(X, y),
        CONSTRAINED: _search(
            storage=url,
            study_name=CONSTRAINED,
            constraints={"n_leaves": (">=", 6.0)},
            n_trials=24,
        ).fit(X, y),
    }
    return url, searches


@pytest.mark.parametrize("name", [TWO, CONSTRAINED])
def test_best_of_several_objectives_prints_the_pareto_front(
    multiobjective: tuple[str, dict[str, ScoutSearchCV]],
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    url, searches = multiobjective
    results = searches[name].cv_results_
    front = searches[name].pareto_front_
    assert main(["best", url, name]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"study:  {name}"
    assert lines[1] == "objectives: accuracy (maximize), n_leaves (minimize)"
    n_complete = int((results["state"] == "COMPLETE").sum())
    if name == CONSTRAINED:
        assert lines[2] == "constraints: n_leaves >= 6"
        feasible = f" ({int(results['is_feasible'].sum())} within the constraints)"
    else:
        assert len(front) >= 2  # an order to check
        feasible = ""
    assert (
        f"front:  {len(front)} of {n_complete} COMPLETE trials{feasible}, ordered " in out
    )
    start = next(i for i, line in enumerate(lines) if line.startswith("trial "))
    assert lines[start].split() == [
        "trial",
        "accuracy",
        "n_leaves",
        "params_max_depth",
        "params_min_samples_leaf",
    ]
    rows = [line.split() for line in lines[start + 1 :]]
    # One row per trial of pareto_front_, in its order, with its means and params.
    assert [int(row[0]) for row in rows] == results["trial_number"][front].tolist()
    for row, i in zip(rows, front):
        assert row[1] == f"{results['mean_test_accuracy'][i]:.6g}"
        assert row[2] == f"{results['mean_test_n_leaves'][i]:.6g}"
        shown = {"max_depth": int(row[3]), "min_samples_leaf": int(row[4])}
        assert shown == results["params"][i]
    # Which trial refit chose is not stored: nothing claims to know it.
    assert "refit" not in out


def test_report_of_several_objectives_has_the_front(
    multiobjective: tuple[str, dict[str, ScoutSearchCV]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("matplotlib")
    url, searches = multiobjective
    target = tmp_path / "mo.html"
    assert main(["report", url, TWO, "-o", str(target)]) == 0
    page = target.read_text(encoding="utf-8")
    table = re.search(r'<table id="front-table">.*?</table>', page).group(0)
    numbers = [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", table)]
    results = searches[TWO].cv_results_
    assert numbers == results["trial_number"][searches[TWO].pareto_front_].tolist()
    assert 'id="plot-pareto-front"' in page


def test_best_of_several_objectives_without_a_front_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'nofront.db'}"
    objective = {"objective": {"accuracy": "maximize", "fit_time": "minimize"}}
    study = Study(
        {"x": Float(0.0, 1.0)},
        storage=SQLStorage(url),
        name="mo",
        seed=0,
        fingerprint=objective,
    )
    study.tell(study.ask().number, None, state=TrialState.FAILED)
    line = fails(capsys, "best", url, "mo")
    assert "study 'mo' has no Pareto front yet: no trial is COMPLETE with a finite " in line
    assert "(1 FAILED)" in line


# -- export ------------------------------------------------------------------------------
def test_export_csv_has_one_row_per_trial_with_the_search_scores(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", stored.url, STUDY, "--format", "csv"]) == 0
    out = capsys.readouterr().out

    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 6
    means = stored.mean_test_score()
    assert {int(r["number"]): float(r["mean_test_score"]) for r in rows} == pytest.approx(
        means, abs=1e-12
    )
    assert {r["state"] for r in rows} == {"COMPLETE"}
    assert all(r["resource"] == "" for r in rows)  # missing values are empty cells


def test_export_json_to_a_file_is_strict_json(
    stored: Stored, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "trials.json"
    assert main(["export", stored.url, STUDY, "--format", "json", "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert str(target) in captured.err

    def no_constants(name: str) -> None:
        raise AssertionError(f"not strict JSON: {name}")

    rows = json.loads(target.read_text(encoding="utf-8"), parse_constant=no_constants)
    assert len(rows) == 6
    means = stored.mean_test_score()
    assert {r["number"]: r["mean_test_score"] for r in rows} == pytest.approx(
        means, abs=1e-12
    )
    assert {r["params_C"] for r in rows} == {
        p["C"] for p in stored.search.cv_results_["params"]
    }

    # NaN scores and values are written as null.
    assert main(["export", stored.url, UNFINISHED, "--format", "json"]) == 0
    out = capsys.readouterr().out
    unfinished = json.loads(out, parse_constant=no_constants)
    assert [r["state"] for r in unfinished] == ["COMPLETE", "FAILED", "RUNNING"]
    assert unfinished[0]["value"] is None
    assert unfinished[0]["mean_test_score"] is None
    assert unfinished[0]["mean_fit_time"] == 0.5


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_writes_the_datetimes_of_trials_dataframe(
    stored: Stored, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same instants as search.trials_dataframe(), in ISO 8601 with the
    # UTC offset (they were seconds since the epoch, as floats).
    pd = pytest.importorskip("pandas")
    assert main(["export", stored.url, STUDY, "--format", fmt]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out) if fmt == "json" else list(csv.DictReader(io.StringIO(out)))
    frame = stored.search.trials_dataframe().set_index("number")
    for row in rows:
        for column in ("started_at", "finished_at"):
            text = row[column]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00", text), (
                text
            )
            assert pd.Timestamp(text) == frame.loc[int(row["number"]), column]
    # A trial not finished has no finish: null in JSON, an empty cell in CSV.
    assert main(["export", stored.url, UNFINISHED, "--format", fmt]) == 0
    out = capsys.readouterr().out
    rows = json.loads(out) if fmt == "json" else list(csv.DictReader(io.StringIO(out)))
    assert rows[2]["finished_at"] in (None, "")
    assert rows[2]["started_at"].endswith("+00:00")


def test_export_does_not_need_pandas(
    stored: Stored, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # makes `import pandas` fail

    for fmt in ("csv", "json"):
        assert main(["export", stored.url, STUDY, "--format", fmt]) == 0
        out = capsys.readouterr().out
        rows = json.loads(out) if fmt == "json" else list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 6


# -- report ------------------------------------------------------------------------------
def test_report_writes_an_html_file(
    stored: Stored, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.html"

    assert main(["report", stored.url, STUDY, "-o", str(target), "--title", "Iris"]) == 0

    assert str(target) in capsys.readouterr().out
    html = target.read_text(encoding="utf-8")
    assert "<html" in html.lower()
    assert "Iris" in html


def test_report_without_matplotlib_writes_the_summary_and_the_table(
    stored: Stored, tmp_path: Path
) -> None:
    # After the README's `pip install .` (no extras) matplotlib is missing:
    # the report still has its summary and trials table, and says which
    # extra adds the plots. A new process, where `import matplotlib` fails.
    target = tmp_path / "report.html"
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from scout_sklearn.cli import main\n"
        f"sys.exit(main(['report', {stored.url!r}, {STUDY!r}, '-o', {str(target)!r}]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Wrote {target}"
    hint = 'pip install "scout-sklearn[plot]"'
    assert done.stderr.strip() == (
        f"scout-sklearn: the report has no plots: matplotlib is not installed ({hint} "
        "adds them)."
    )
    page = target.read_text(encoding="utf-8")
    assert '<section id="summary">' in page
    assert page.count('<tr class="state-COMPLETE') == 6
    assert "<img" not in page
    assert f"No plots: matplotlib is not installed; {html.escape(hint)} adds them." in page


# -- errors ------------------------------------------------------------------------------
def test_a_missing_sqlite_file_is_an_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"

    line = fails(capsys, "studies", f"sqlite:///{missing}")

    assert str(missing) in line
    assert "does not exist" in line
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_errors_in_a_new_process_are_one_line_without_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"

    result = run("trials", f"sqlite:///{missing}", STUDY)

    assert result.returncode == 1
    assert result.stdout == ""
    assert str(missing) in error_line(result.stderr)
    assert not missing.exists()


@pytest.mark.parametrize(
    ("url", "mentioned"),
    [
        ("foo://somewhere/db", "'foo'"),
        ("results.db", "'results.db' is not a database URL"),
        ("postgresql://user@host:port/db", "could not read the database URL"),
        ("sqlite://", "in-memory"),
    ],
)
def test_bad_urls_are_named_in_one_line(
    url: str, mentioned: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert mentioned in fails(capsys, "studies", url)


def test_files_that_are_not_scout_databases_are_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database\n")
    empty = tmp_path / "empty.db"
    empty.touch()

    assert "not a SQLite database" in fails(capsys, "studies", f"sqlite:///{text}")
    assert "holds no scout-sklearn studies" in fails(
        capsys, "studies", f"sqlite:///{empty}"
    )
    assert text.read_text() == "not a database\n"
    assert empty.stat().st_size == 0
    assert f"'{tmp_path}' is not a file" in fails(
        capsys, "studies", f"sqlite:///{tmp_path}"
    )


def test_an_unreachable_server_is_reported_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = fails(capsys, "studies", "postgresql+psycopg://scout:hunter2@127.0.0.1:1/db")

    assert "hunter2" not in line
    assert "scout:***@127.0.0.1:1" in line


def test_an_unknown_study_names_the_existing_ones(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    for command in ("trials", "best", "export", "report"):
        extra = ["-o", "unused.html"] if command == "report" else []
        line = fails(capsys, command, stored.url, "no-such-study", *extra)
        assert "no study named 'no-such-study'" in line
        assert f"'{STUDY}', '{UNFINISHED}', '{PRUNED}'" in line


def test_best_without_a_complete_trial_is_an_error(
    stored: Stored, capsys: pytest.CaptureFixture[str]
) -> None:
    line = fails(capsys, "best", stored.url, UNFINISHED)

    assert "has no COMPLETE trial with a value" in line
    assert "1 RUNNING, 1 COMPLETE, 1 FAILED" in line


def test_an_unwritable_output_file_is_an_error(
    stored: Stored, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "out.csv"

    line = fails(capsys, "export", stored.url, STUDY, "-o", str(target))

    assert str(target) in line


# -- the command line itself -----------------------------------------------------------
def test_usage_errors_exit_with_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["trials", "sqlite:///x.db"], ["export", "u", "s", "--format", "xml"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        assert "usage: scout-sklearn" in capsys.readouterr().err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    import scout_sklearn

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"scout-sklearn {scout_sklearn.__version__}"

    for command, option in [
        ("studies", "URL"),
        ("trials", "--sort"),
        ("best", "STUDY"),
        ("export", "--format"),
        ("report", "--output"),
    ]:
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: scout-sklearn {command}")
        assert option in out


def test_importing_the_command_leaves_out_the_heavy_libraries() -> None:
    # Reading a storage needs neither scikit-learn nor scipy (the samplers,
    # the search and the ranks import them when used), and SQLAlchemy is
    # imported inside main, where a Ctrl-C exits quietly with 130; the
    # console script's import of the module is what a Ctrl-C would
    # interrupt with a traceback. A new process, as the command starts.
    code = (
        "import sys\n"
        "import scout_sklearn.cli\n"
        "mods = ('scipy', 'sklearn', 'joblib', 'sqlalchemy')\n"
        "print(sorted(m for m in mods if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
