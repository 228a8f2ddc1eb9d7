"""scout_sklearn.plotting on real searches: what each plot draws, from every source.

Two small real searches (an SVC pipeline on breast cancer, one of them
pruned with ASHA over n_samples) are fitted once per module with a SQLite
storage, so that each plot is checked from the fitted search, its live
Study and the StoredStudy read back with load_study.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.lines import Line2D
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from scout_sklearn import Float, Int, ScoutSearchCV, Study, TrialState, load_study
from scout_sklearn.plotting import (
    param_importances,
    plot_contour,
    plot_intermediate_values,
    plot_optimization_history,
    plot_parallel_coordinate,
    plot_param_importances,
    plot_slice,
)
from scout_sklearn.plotting._data import resolve

ROOT = Path(__file__).parent.parent
SPACE = {
    "svc__C": Float(1e-3, 1e3, log=True),
    "svc__gamma": Float(1e-4, 1.0, log=True),
    "svc__degree": Int(2, 4),
    "svc__kernel": ["rbf", "sigmoid"],
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    rows = np.random.default_rng(0).permutation(len(y))[:300]
    return X[rows], y[rows]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('plots')}/s.db"


@pytest.fixture(scope="module")
def search(data: tuple[np.ndarray, np.ndarray], url: str) -> ScoutSearchCV:
    X, y = data
    return ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        SPACE,
        sampler="random",
        n_trials=12,
        cv=3,
        random_state=0,
        storage=url,
        study_name="svc",
    ).fit(X, y)


@pytest.fixture(scope="module")
def pruned(data: tuple[np.ndarray, np.ndarray], url: str) -> ScoutSearchCV:
    X, y = data
    return ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": Float(1e-3, 1e3, log=True), "svc__kernel": ["rbf", "sigmoid"]},
        sampler="random",
        n_trials=12,
        cv=3,
        random_state=0,
        pruner="asha",
        resource="n_samples",
        storage=url,
        study_name="pruned",
    ).fit(X, y)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def sources(search: ScoutSearchCV, url: str, name: str) -> dict[str, object]:
    return {"search": search, "study": search.study_, "stored": load_study(url, name)}


SOURCES = ["search", "study", "stored"]


def complete_trials(search: ScoutSearchCV) -> list:
    return [t for t in search.study_.trials if t.state is TrialState.COMPLETE]


def save(fig, path: Path) -> None:
    fig.savefig(path)
    content = path.read_bytes()
    assert content.startswith(PNG_MAGIC)
    assert len(content) > 5000  # a drawn figure, not an empty canvas


# -- inputs ---------------------------------------------------------------------------
def test_importing_scout_sklearn_does_not_import_matplotlib():
    code = (
        "import sys, scout_sklearn, scout_sklearn.plotting, scout_sklearn.report\n"
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_missing_matplotlib_says_how_to_install(search, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "scout-sklearn\[plot\]"'):
        plot_optimization_history(search)
    with pytest.raises(ImportError, match=r"scout-sklearn\[plot\]"):
        plot_slice(search)


def test_unfitted_search_is_refused():
    unfitted = ScoutSearchCV(SVC(), {"C": Float(0.1, 1.0)}, n_trials=2)
    with pytest.raises(ValueError, match="not fitted"):
        plot_optimization_history(unfitted)
    with pytest.raises(ValueError, match="not fitted"):
        param_importances(unfitted)


def test_study_without_complete_trial_is_refused():
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    with pytest.raises(ValueError, match=r"no COMPLETE trial.*no trial at all"):
        plot_slice(study)
    for _ in range(2):
        study.tell(study.ask().number, state=TrialState.FAILED)
    with pytest.raises(ValueError, match=r"no COMPLETE trial.*2 FAILED"):
        plot_optimization_history(study)


def test_anything_else_is_a_type_error(data):
    with pytest.raises(TypeError, match="ScoutSearchCV, a Study or a StoredStudy"):
        plot_optimization_history({"trials": []})
    X, y = data
    sklearn_search = RandomizedSearchCV(
        SVC(), {"C": [0.1, 1.0]}, n_iter=2, cv=2, random_state=0
    ).fit(X[:60], y[:60])
    with pytest.raises(TypeError, match="RandomizedSearchCV has no study"):
        plot_slice(sklearn_search)


# -- history --------------------------------------------------------------------------
@pytest.mark.parametrize("source", SOURCES)
def test_history_best_so_far_is_the_running_max(search, url, source, tmp_path):
    ax = plot_optimization_history(sources(search, url, "svc")[source])
    complete = complete_trials(search)
    values = [t.value for t in complete]
    (best,) = [line for line in ax.get_lines() if line.get_gid() == "best"]
    ys = np.asarray(best.get_ydata(), dtype=float)
    assert np.all(np.diff(ys) >= 0)
    assert ys[-1] == pytest.approx(max(values))
    assert ys.tolist() == pytest.approx(np.maximum.accumulate(values).tolist())
    assert list(best.get_xdata()) == [t.number for t in complete]
    (points,) = [c for c in ax.collections if c.get_gid() == "complete"]
    offsets = points.get_offsets()
    assert len(offsets) == len(complete) == 12
    assert offsets[:, 1].tolist() == pytest.approx(values)
    assert not [c for c in ax.collections if c.get_gid() == "pruned"]
    save(ax.figure, tmp_path / "history.png")


def test_history_of_a_pruned_search_greys_pruned_trials(pruned, url):
    ax = plot_optimization_history(load_study(url, "pruned"))
    trials = pruned.study_.trials
    n_pruned = sum(t.state is TrialState.PRUNED for t in trials)
    n_complete = sum(t.state is TrialState.COMPLETE for t in trials)
    assert n_pruned > 0
    assert n_complete > 0
    (grey,) = [c for c in ax.collections if c.get_gid() == "pruned"]
    (blue,) = [c for c in ax.collections if c.get_gid() == "complete"]
    assert len(grey.get_offsets()) == n_pruned
    assert len(blue.get_offsets()) == n_complete
    assert grey.get_facecolor()[0][:3] == pytest.approx([0.6, 0.6, 0.6])
    (best,) = [line for line in ax.get_lines() if line.get_gid() == "best"]
    assert max(best.get_ydata()) == pytest.approx(pruned.best_score_)
    # The line goes on to the last trial, even when that one was pruned.
    assert best.get_xdata()[-1] == trials[-1].number
    assert np.all(np.diff(np.asarray(best.get_ydata(), dtype=float)) >= 0)


def test_history_skips_failed_trials():
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    for i in range(6):
        trial = study.ask()
        if i % 3 == 1:
            study.tell(trial.number, state=TrialState.FAILED)
        else:
            study.tell(trial.number, float(i))
    ax = plot_optimization_history(study)
    (points,) = [c for c in ax.collections if c.get_gid() == "complete"]
    assert points.get_offsets()[:, 0].tolist() == [0, 2, 3, 5]


# -- importances ------------------------------------------------------------------------
def hand_built_study(n: int = 40) -> Study:
    """The value is a function of x alone; noise varies, kind varies, const does not."""
    study = Study(
        {
            "x": Float(0.0, 1.0),
            "noise": Float(1e-3, 1.0, log=True),
            "kind": ["a", "b", "c"],
            "const": [7],
        },
        seed=0,
    )
    for _ in range(n):
        trial = study.ask()
        study.tell(trial.number, -((trial.params["x"] - 0.3) ** 2))
    return study


def test_importances_rank_the_only_parameter_that_matters_first():
    shares = param_importances(hand_built_study())
    assert next(iter(shares)) == "x"
    assert shares["x"] > 0.75
    assert shares["const"] == 0.0
    assert sum(shares.values()) == pytest.approx(1.0)
    assert list(shares.values()) == sorted(shares.values(), reverse=True)
    assert set(shares) == {"x", "noise", "kind", "const"}


def test_importances_are_reproducible_and_seeded():
    study = hand_built_study(25)
    assert param_importances(study, random_state=3) == param_importances(
        study, random_state=3
    )


def test_importances_of_a_conditional_space():
    study = Study(
        [
            {"model": ["linear"], "alpha": Float(1e-4, 1.0, log=True)},
            {"model": ["tree"], "depth": Int(1, 10)},
        ],
        seed=0,
    )
    for _ in range(40):
        trial = study.ask()
        depth = trial.params.get("depth")
        # Trees score by depth; linear models all score mid-range, whatever alpha.
        value = 0.1 * depth if depth is not None else 0.55
        study.tell(trial.number, value)
    shares = param_importances(study, n_estimators=50)
    assert set(shares) == {"model", "alpha", "depth"}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert next(iter(shares)) == "depth"
    assert shares["depth"] > 0.6


def test_importances_need_a_varying_parameter():
    study = Study({"x": Float(0.0, 1.0)}, seed=0)
    study.tell(study.ask().number, 0.5)
    with pytest.raises(ValueError, match="no parameter takes more than one value"):
        param_importances(study)


def test_importances_with_equal_values_share_equally():
    study = Study({"x": Float(0.0, 1.0), "y": Float(0.0, 1.0), "c": [1]}, seed=0)
    for _ in range(5):
        study.tell(study.ask().number, 0.5)
    assert param_importances(study) == {"x": 0.5, "y": 0.5, "c": 0.0}


@pytest.mark.parametrize("source", SOURCES)
def test_plot_param_importances_draws_one_bar_per_share(search, url, source, tmp_path):
    study = sources(search, url, "svc")[source]
    shares = param_importances(study)
    ax = plot_param_importances(study)
    widths = [patch.get_width() for patch in ax.patches]
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels[::-1] == list(shares)
    assert widths[::-1] == pytest.approx(list(shares.values()))
    save(ax.figure, tmp_path / "importances.png")


def test_stored_and_live_importances_agree(search, url):
    assert param_importances(load_study(url, "svc")) == pytest.approx(
        param_importances(search)
    )


# -- slices -----------------------------------------------------------------------------
def panels(fig) -> list:
    return [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]


@pytest.mark.parametrize("source", SOURCES)
def test_slice_one_panel_per_parameter(search, url, source, tmp_path):
    fig = plot_slice(sources(search, url, "svc")[source])
    axes = panels(fig)
    names = sorted(SPACE)
    assert [ax.get_xlabel() for ax in axes] == names
    complete = complete_trials(search)
    by_name = dict(zip(names, axes))
    for ax in by_name.values():
        (points,) = ax.collections
        assert len(points.get_offsets()) == len(complete)
        assert points.get_offsets()[:, 1].tolist() == pytest.approx(
            [t.value for t in complete]
        )
        # Coloured by trial number.
        assert points.get_array().tolist() == [t.number for t in complete]
    assert by_name["svc__C"].get_xscale() == "log"
    assert by_name["svc__gamma"].get_xscale() == "log"
    assert by_name["svc__degree"].get_xscale() == "linear"
    kernel = by_name["svc__kernel"]
    assert [t.get_text() for t in kernel.get_xticklabels()] == ["rbf", "sigmoid"]
    positions = kernel.collections[0].get_offsets()[:, 0]
    assert positions.tolist() == [
        float(["rbf", "sigmoid"].index(t.params["svc__kernel"])) for t in complete
    ]
    assert by_name["svc__C"].collections[0].get_offsets()[:, 0].tolist() == pytest.approx(
        [t.params["svc__C"] for t in complete]
    )
    save(fig, tmp_path / "slice.png")


def test_slice_of_chosen_params_in_order(search):
    fig = plot_slice(search, params=["svc__kernel", "svc__C"])
    assert [ax.get_xlabel() for ax in panels(fig)] == ["svc__kernel", "svc__C"]


def test_unknown_param_names_are_named(search):
    with pytest.raises(ValueError, match=r"'nope'.*svc__C.*svc__kernel"):
        plot_slice(search, params=["svc__C", "nope"])
    with pytest.raises(ValueError, match=r"'nope'.*svc__gamma"):
        plot_parallel_coordinate(search, params=["nope"])


# -- parallel coordinates -------------------------------------------------------------
def trial_lines(ax, gid):
    """The lines of one collection, by trial number: (x, y) arrays."""
    (collection,) = [c for c in ax.collections if c.get_gid() == gid]
    urls = collection.get_urls()
    assert all(url.startswith("#trial-") for url in urls), urls
    numbers = [int(url.removeprefix("#trial-")) for url in urls]
    # The paths' vertices keep NaN (a gap), which get_segments() drops.
    segments = [path.vertices for path in collection.get_paths()]
    assert len(numbers) == len(set(numbers)) == len(segments)
    return collection, {n: (seg[:, 0], seg[:, 1]) for n, seg in zip(numbers, segments)}


@pytest.mark.parametrize("source", SOURCES)
def test_parallel_coordinate_one_line_per_complete_trial(search, url, source, tmp_path):
    ax = plot_parallel_coordinate(sources(search, url, "svc")[source])
    complete = complete_trials(search)
    _, lines = trial_lines(ax, "trials")
    assert sorted(lines) == [t.number for t in complete]
    # Drawn from the worst value to the best: the best lies on top.
    by_number = {t.number: t.value for t in complete}
    assert [by_number[n] for n in lines] == sorted(by_number.values())
    names = sorted(SPACE)
    shown = [f"{n} (log)" if n in ("svc__C", "svc__gamma") else n for n in names]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["value", *shown]
    values = {t.number: t.value for t in complete}
    low, high = min(values.values()), max(values.values())
    for number, (_, ys) in lines.items():
        assert len(ys) == 1 + len(names)
        assert ys[0] == pytest.approx((values[number] - low) / (high - low))
        assert np.all((ys >= 0) & (ys <= 1))
    # C is drawn on a log scale: the trial with the geometric-middle C is at 0.5.
    c_values = {t.number: math.log10(t.params["svc__C"]) for t in complete}
    c_low, c_high = min(c_values.values()), max(c_values.values())
    for number, (_, ys) in lines.items():
        expected = (c_values[number] - c_low) / (c_high - c_low)
        assert ys[1] == pytest.approx(expected)
    save(ax.figure, tmp_path / "parallel.png")


def test_parallel_coordinate_of_chosen_params(search):
    ax = plot_parallel_coordinate(search, params=["svc__kernel"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["value", "svc__kernel"]


def test_parallel_coordinate_leaves_a_gap_for_an_absent_parameter():
    study = Study([{"a": Float(0.0, 1.0)}, {"b": Float(0.0, 1.0)}], seed=0)
    for _ in range(8):
        trial = study.ask()
        study.tell(trial.number, sum(trial.params.values()))
    ax = plot_parallel_coordinate(study)
    _, lines = trial_lines(ax, "trials")
    assert len(lines) == 8
    for _, ys in lines.values():
        assert np.isnan(ys).sum() == 1


# -- contour ------------------------------------------------------------------------------
@pytest.mark.parametrize("source", SOURCES)
def test_contour_of_two_log_params(search, url, source, tmp_path):
    ax = plot_contour(sources(search, url, "svc")[source], "svc__C", "svc__gamma")
    complete = complete_trials(search)
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("svc__C", "svc__gamma")
    (points,) = [c for c in ax.collections if c.get_gid() == "trials"]
    offsets = points.get_offsets()
    assert len(offsets) == len(complete)
    assert offsets[:, 0].tolist() == pytest.approx([t.params["svc__C"] for t in complete])
    (star,) = [c for c in ax.collections if c.get_gid() == "best"]
    best = max(complete, key=lambda t: (t.value, -t.number))
    assert star.get_offsets()[0].tolist() == pytest.approx(
        [best.params["svc__C"], best.params["svc__gamma"]]
    )
    surfaces = [c for c in ax.collections if type(c).__name__ == "QuadContourSet"]
    assert len(surfaces) == 1
    save(ax.figure, tmp_path / "contour.png")


def test_contour_of_a_linear_and_a_log_param(search):
    ax = plot_contour(search, "svc__degree", "svc__C")
    assert (ax.get_xscale(), ax.get_yscale()) == ("linear", "log")


def test_contour_refuses_a_categorical_name(search, url):
    for study in (search, load_study(url, "svc")):
        with pytest.raises(ValueError, match=r"'svc__kernel' is categorical") as info:
            plot_contour(study, "svc__C", "svc__kernel")
        assert "svc__gamma" in str(info.value)
        assert "svc__degree" in str(info.value)


def test_contour_refuses_an_unknown_name(search):
    with pytest.raises(ValueError, match=r"unknown parameter x='svc__c'.*'svc__C'"):
        plot_contour(search, "svc__c", "svc__gamma")
    with pytest.raises(ValueError, match="both 'svc__C'"):
        plot_contour(search, "svc__C", "svc__C")


@pytest.mark.parametrize(("n_trials", "value"), [(2, None), (6, 1.0)])
def test_contour_without_a_surface_draws_only_the_points(n_trials, value):
    """Two points cannot be triangulated; equal values have no contour."""
    study = Study({"a": Float(0.0, 1.0), "b": Float(0.0, 1.0)}, seed=0)
    for i in range(n_trials):
        study.tell(study.ask().number, float(i) if value is None else value)
    ax = plot_contour(study, "a", "b")
    assert not [c for c in ax.collections if type(c).__name__ == "QuadContourSet"]
    (points,) = [c for c in ax.collections if c.get_gid() == "trials"]
    assert len(points.get_offsets()) == n_trials


# -- readable axes -----------------------------------------------------------------------
def _short_log_study(low: float, high: float) -> Study:
    """A study over two log parameters spanning [low, high] (and a tenth of it).

    The best trial sits at the top corner of both ranges (the value grows
    with C and gamma, and rbf adds one), where the contour's star lands on
    the edge of the data.
    """
    study = Study(
        {
            "C": Float(low, high, log=True),
            "gamma": Float(low / 10, high / 10, log=True),
            "kernel": ["rbf", "poly"],
        },
        seed=0,
    )

    def value(p):
        return math.log(p["C"]) + math.log(p["gamma"]) + (p["kernel"] == "rbf")

    corner = study.ask({"C": high, "gamma": high / 10, "kernel": "rbf"})
    study.tell(corner.number, value(corner.params))
    for _ in range(25):
        trial = study.ask()
        study.tell(trial.number, value(trial.params))
    assert study.best_trial.number == corner.number
    return study


def _drawn_tick_labels(ax, axis):
    """(text, window extent) of the tick labels drawn inside the axes' span."""
    figure = ax.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    low, high = (frame.x0, frame.x1) if axis is ax.xaxis else (frame.y0, frame.y1)
    drawn = []
    for label in axis.get_ticklabels(which="both"):
        if not (label.get_visible() and label.get_text()):
            continue
        box = label.get_window_extent(renderer)
        middle = (box.x0 + box.x1) / 2 if axis is ax.xaxis else (box.y0 + box.y1) / 2
        if low - 1 <= middle <= high + 1:
            drawn.append((label.get_text(), box))
    return drawn


def _overlaps(drawn):
    return [
        (a, b)
        for i, (a, box_a) in enumerate(drawn)
        for b, box_b in drawn[i + 1 :]
        if box_a.overlaps(box_b)
    ]


# Ranges of 0.6, 1.3, 1.6 and 6 decades: matplotlib labels some minor ticks
# of log axes shorter than about 1.5 decades, and they ran into each other.
LOG_RANGES = [(2.0, 8.0), (1.0, 20.0), (1.0, 40.0), (1e-3, 1e3)]


@pytest.mark.parametrize(("low", "high"), LOG_RANGES)
def test_log_axes_of_contour_and_slice_have_tick_labels_that_do_not_overlap(low, high):
    study = _short_log_study(low, high)
    ax = plot_contour(study, "C", "gamma")
    figure = plot_slice(study)
    for axes, axis in [
        (ax, ax.xaxis),
        (ax, ax.yaxis),
        (figure.axes[0], figure.axes[0].xaxis),
        (figure.axes[1], figure.axes[1].xaxis),
    ]:
        drawn = _drawn_tick_labels(axes, axis)
        assert not _overlaps(drawn), drawn
        assert len(drawn) >= 2, drawn  # still readable: at least two values


@pytest.mark.parametrize(("low", "high"), LOG_RANGES)
def test_contour_best_star_is_inside_the_axes(low, high):
    ax = plot_contour(_short_log_study(low, high), "C", "gamma")
    ax.figure.canvas.draw()
    (star,) = [c for c in ax.collections if c.get_gid() == "best"]
    center = ax.transData.transform(star.get_offsets()[0])
    radius = math.sqrt(star.get_sizes()[0]) / 2 * ax.figure.dpi / 72
    frame = ax.get_window_extent()
    assert frame.x0 <= center[0] - radius
    assert center[0] + radius <= frame.x1
    assert frame.y0 <= center[1] - radius
    assert center[1] + radius <= frame.y1


def test_contour_says_what_it_interpolated_across():
    # Trials with kernel="rbf" and "poly" share one surface: the title says
    # so, naming the categorical parameter.
    ax = plot_contour(_short_log_study(1.0, 20.0), "C", "gamma")
    title = ax.get_title()
    assert "interpolated between trials that also differ in kernel (categorical)" in title
    study = Study({"a": Float(0.0, 1.0), "b": Float(0.0, 1.0)}, seed=0)
    for _ in range(8):
        trial = study.ask()
        study.tell(trial.number, trial.params["a"] - trial.params["b"])
    assert "differ in" not in plot_contour(study, "a", "b").get_title()


def test_parallel_coordinate_marks_log_axes(search):
    ax = plot_parallel_coordinate(search)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [
        "value",
        "svc__C (log)",
        "svc__degree",
        "svc__gamma (log)",
        "svc__kernel",
    ]


def test_the_value_axis_names_a_negated_metric(diabetes_search):
    ax = plot_optimization_history(diabetes_search)
    assert ax.get_ylabel() == "value (mean test neg_mean_absolute_error, negated)"


@pytest.fixture(scope="module")
def diabetes_search() -> ScoutSearchCV:
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import Ridge

    X, y = load_diabetes(return_X_y=True)
    return ScoutSearchCV(
        Ridge(),
        {"alpha": Float(1e-3, 10.0, log=True)},
        n_trials=5,
        cv=3,
        random_state=0,
        scoring="neg_mean_absolute_error",
    ).fit(X[:150], y[:150])


# -- intermediate values --------------------------------------------------------------
@pytest.mark.parametrize("source", SOURCES)
def test_intermediate_values_per_rung(pruned, url, source, tmp_path):
    stored = load_study(url, "pruned")
    ladder = [float(r) for r in stored.fingerprint["pruning"]["ladder"]]
    assert len(ladder) >= 3
    ax = plot_intermediate_values(sources(pruned, url, "pruned")[source])
    grey, pruned_lines = trial_lines(ax, "pruned")
    blue, complete_lines = trial_lines(ax, "complete")
    assert grey.get_linestyle()[0][1] is not None  # dashed
    assert grey.get_color()[0] == pytest.approx(to_rgba("0.6"))
    assert blue.get_linestyle()[0][1] is None  # solid
    assert blue.get_color()[0] == pytest.approx(to_rgba("tab:blue"))
    trials = pruned.study_.trials
    for trial in trials:
        complete = trial.state is TrialState.COMPLETE
        xs, ys = (complete_lines if complete else pruned_lines)[trial.number]
        rungs = sorted({f.rung for f in trial.fold_results})
        assert list(xs) == [ladder[r] for r in rungs]
        # The last rung's mean is the value the trial was stopped (or finished) with.
        assert ys[-1] == pytest.approx(trial.value)
        if complete:
            assert xs[-1] == ladder[-1]
    assert len(pruned_lines) + len(complete_lines) == len(trials)
    assert "n_samples" in ax.get_xlabel()
    save(ax.figure, tmp_path / "intermediate.png")


def test_intermediate_values_rebuild_the_ladder_of_a_search_in_memory(pruned, url):
    ladder = load_study(url, "pruned").fingerprint["pruning"]["ladder"]

    class Bare:
        """A fitted search as another version may leave it: no private ladder."""

        def __init__(self, search: ScoutSearchCV) -> None:
            self.param_distributions = search.param_distributions
            self.study_ = search.study_
            self.cv_results_ = search.cv_results_
            self.pruner = search.pruner
            self.resource = search.resource
            self.refit = search.refit

        def fit(self) -> None:  # pragma: no cover - never called
            raise AssertionError

    assert resolve(Bare(pruned), where="test").ladder == pytest.approx(ladder)


def test_intermediate_values_refuse_a_study_without_rungs(search, url):
    for study in (search, load_study(url, "svc")):
        with pytest.raises(ValueError, match="has no rungs"):
            plot_intermediate_values(study)


def test_multi_metric_value_is_the_refit_metric(data, tmp_path):
    X, y = data
    url = f"sqlite:///{tmp_path}/m.db"
    search = ScoutSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": Float(1e-3, 1e3, log=True)},
        sampler="random",
        n_trials=8,
        cv=3,
        random_state=0,
        scoring=["accuracy", "balanced_accuracy"],
        refit="balanced_accuracy",
        pruner="asha",
        storage=url,
        study_name="multi",
    ).fit(X, y)
    stored = load_study(url, "multi")
    assert resolve(stored, where="test").metric == "balanced_accuracy"
    assert resolve(search, where="test").metric == "balanced_accuracy"
    ax = plot_intermediate_values(stored)
    lines = {}
    for kind in ("complete", "pruned"):
        if any(c.get_gid() == kind for c in ax.collections):
            lines.update(trial_lines(ax, kind)[1])
    assert sorted(lines) == [t.number for t in stored.trials]
    for trial in stored.trials:
        assert lines[trial.number][1][-1] == pytest.approx(trial.value)
    assert "balanced_accuracy" in plot_optimization_history(stored).get_ylabel()


# -- axes given by the caller -----------------------------------------------------------
def test_plots_draw_on_the_given_axes(search, pruned):
    _, grid = plt.subplots(2, 3)
    drawn = [
        plot_optimization_history(search, ax=grid[0, 0]),
        plot_param_importances(search, ax=grid[0, 1]),
        plot_parallel_coordinate(search, ax=grid[0, 2]),
        plot_contour(search, "svc__C", "svc__gamma", ax=grid[1, 0]),
        plot_intermediate_values(pruned, ax=grid[1, 1]),
    ]
    assert drawn == [grid[0, 0], grid[0, 1], grid[0, 2], grid[1, 0], grid[1, 1]]
    assert all(isinstance(line, Line2D) for line in grid[0, 0].get_lines())


# -- the example ---------------------------------------------------------------------
@pytest.mark.slow
def test_example_writes_every_plot(tmp_path):
    env = {**os.environ, "SCOUT_EXAMPLES_QUICK": "1", "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "plots.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "best" in done.stdout.lower()
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == sorted(
        [
            "optimization_history.png",
            "param_importances.png",
            "slice.png",
            "parallel_coordinate.png",
            "contour.png",
            "intermediate_values.png",
        ]
    )
    for name in written:
        assert (tmp_path / name).read_bytes().startswith(PNG_MAGIC)
        assert (tmp_path / name).stat().st_size > 5000
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert report.count('<img src="data:image/png;base64,') == 5
