"""The dashboard's HTTP interface, without a browser: data, live updates, safety."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from dashboard._studies import PARETO, XSS, Backend
from scout_sklearn import Float, FoldResult, Study, TrialState
from scout_sklearn.dashboard._app import CONTENT_SECURITY_POLICY
from scout_sklearn.storage import SQLStorage


def get(url: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Any:
    """(status, headers, body) of a request; no exception for an error status."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def api(base: str, path: str, **params: Any) -> Any:
    status, _, body = get(base.rstrip("/") + path + "?" + urllib.parse.urlencode(params))
    assert status == 200, (path, params, body)
    return json.loads(body)


def test_every_study_and_its_counts(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    _, expected = studies
    listed = {s["name"]: s for s in api(dashboard.url, "/api/studies")["studies"]}
    assert set(listed) == set(expected)
    for name, want in expected.items():
        summary = listed[name]
        assert summary["n_trials"] == want["n_trials"], name
        for state, count in want["states"].items():
            assert summary["states"][state] == count, (name, state)
        state = api(dashboard.url, "/api/study", name=name)
        assert state["trials"]["number"] == list(range(want["n_trials"]))
        assert state["summary"]["n_trials"] == want["n_trials"]
    assert listed["grid svc"]["estimator"] == "SVC"
    assert listed["empty"]["best_value"] is None
    assert not any(s["running"] for s in listed.values())


def test_best_trial_matches_the_stored_study(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    from scout_sklearn import load_study

    backend, _ = studies
    stored = load_study(backend.storage(read_only=True), "tpe logreg")
    summary = api(dashboard.url, "/api/study", name="tpe logreg")["summary"]
    assert summary["best_number"] == stored.best_trial.number
    assert summary["best_value"] == pytest.approx(stored.best_value)


def test_pruned_study_shows_its_rungs(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    state = api(dashboard.url, "/api/study", name="pruned sgd")
    assert state["meta"]["ladder"]
    assert state["meta"]["resource"] == "n_samples"
    rungs = api(dashboard.url, "/api/study/rungs", name="pruned sgd")
    first = [row for row in rungs["rows"] if row["rung"] == 0 and row["bracket"] == 0]
    assert first
    assert first[0]["reached"] == 12
    # Every trial that went on from a rung is counted as promoted there, and
    # the PRUNED trials are counted at the rung they stopped at.
    assert (
        sum(row["pruned"] for row in rungs["rows"]) == state["summary"]["states"]["PRUNED"]
    )
    for row in rungs["rows"]:
        assert row["promoted"] + row["pruned"] <= row["reached"]
    inter = state["trials"]["inter"]
    assert all(len(values) >= 1 for values in inter)


@pytest.mark.parametrize("name", PARETO)
def test_pareto_front_is_the_search_s(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any, name: str
) -> None:
    _, expected = studies
    meta = api(dashboard.url, "/api/study", name=name)["meta"]
    front = api(dashboard.url, "/api/study/front", name=name)
    names = [o["name"] for o in front["objectives"]]
    assert [o["name"] for o in meta["objectives"]] == names
    assert names[:2] == ["accuracy", "n_leaves"]
    # The search's pareto_front_, as trial numbers, in its order.
    assert front["front"] == expected[name]["front"]
    assert len(front["front"]) >= 1
    assert set(front["front"]) <= set(front["numbers"])
    assert len(front["numbers"]) == expected[name]["states"]["COMPLETE"]
    assert all(len(values) == len(front["numbers"]) for values in front["values"])
    at = {n: i for i, n in enumerate(front["numbers"])}
    accuracy = [front["values"][0][at[n]] for n in front["front"]]
    assert accuracy == sorted(accuracy)  # ordered by the first objective, ascending
    assert all(front["feasible"][at[n]] for n in front["front"])
    if name == "pareto tree":
        assert front["constraints"] == [{"name": "accuracy", "op": ">=", "threshold": 0.5}]
        assert not all(front["feasible"])  # the bound leaves some trials out
    # A study of one objective has no front, and its page asks for none.
    assert api(dashboard.url, "/api/study", name="tpe logreg")["meta"]["objectives"] is None
    assert api(dashboard.url, "/api/study/front", name="tpe logreg") == {"objectives": None}


def test_table_is_sorted_filtered_and_paged_by_the_server(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    page = api(
        dashboard.url,
        "/api/study/table",
        name="pruned sgd",
        sort="value",
        order="desc",
        per_page=5,
    )
    assert page["total"] == 12
    assert len(page["rows"]) == 5
    value = page["columns"].index("value")
    shown = [row[value] for row in page["rows"] if row[value] is not None]
    assert shown == sorted(shown, reverse=True)
    for column in ("mean_test_score", "std_test_score", "mean_fit_time", "params_alpha"):
        assert column in page["columns"]  # cv_results_'s columns
    pruned = api(
        dashboard.url, "/api/study/table", name="pruned sgd", state="PRUNED", per_page=500
    )
    # The count the search itself left (its pruner decides it), read from the
    # stored study by the fixture; some trials are pruned and some are not.
    n_pruned = studies[1]["pruned sgd"]["states"]["PRUNED"]
    assert 0 < n_pruned < 12
    assert pruned["total"] == n_pruned
    last = api(dashboard.url, "/api/study/table", name="pruned sgd", page=3, per_page=5)
    assert len(last["rows"]) == 2
    l1 = api(
        dashboard.url, "/api/study/table", name="pruned sgd", q="penalty=l1", per_page=500
    )
    penalty = l1["columns"].index("params_penalty")
    assert l1["rows"]
    assert all(row[penalty] == "l1" for row in l1["rows"])


def test_trial_page_data_has_folds_and_the_error(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    name = "failing " + XSS
    state = api(dashboard.url, "/api/study", name=name)
    failed = state["trials"]["number"][state["trials"]["state"].index("FAILED")]
    trial = api(dashboard.url, "/api/study/trial", name=name, number=failed)
    assert trial["params"] == {"strategy": XSS}
    assert len(trial["folds"]) == 2
    assert trial["errors"]
    assert "InvalidParameterError" in trial["errors"][0]


def test_top_candidates_compared_fold_by_fold(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    folds = api(dashboard.url, "/api/study/folds", name="grid svc")
    candidates = folds["candidates"]
    assert candidates[0]["verdict"] == "best"
    assert all(len(c["folds"]) == 3 for c in candidates)
    values = [c["value"] for c in candidates]
    assert values == sorted(values, reverse=True)
    assert all(c["p_value"] is None or 0 <= c["p_value"] <= 1 for c in candidates[1:])


def test_corrected_paired_test() -> None:
    from scipy import stats

    from scout_sklearn.dashboard._analysis import corrected_paired_test

    a = [0.91, 0.93, 0.92, 0.95, 0.90]
    b = [0.89, 0.92, 0.90, 0.94, 0.90]
    plain = stats.ttest_rel(a, b).pvalue
    corrected = corrected_paired_test(a, b, test_over_train=0.25)
    # The correction widens the variance: never more confident than the plain test.
    assert corrected is not None
    assert corrected > plain
    assert corrected_paired_test(a, a, test_over_train=0.25) is None
    assert corrected_paired_test([0.9], [0.8], test_over_train=0.25) is None


def test_importances_of_a_study_and_why_none(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    shares = api(dashboard.url, "/api/study/importances", name="tpe logreg")["importances"]
    assert set(shares) == {"C", "fit_intercept"}
    assert sum(shares.values()) == pytest.approx(1.0)
    empty = api(dashboard.url, "/api/study/importances", name="empty")
    assert empty["importances"] is None
    assert "0 COMPLETE" in empty["reason"]


# -- bad requests get a clear answer ---------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("/api/study", {"name": "nope"}, 404, "no study named 'nope'"),
        ("/api/study", {}, 400, "name"),
        (
            "/api/study/trial",
            {"name": "grid svc", "number": "x"},
            400,
            "number must be a whole number",
        ),
        (
            "/api/study/trial",
            {"name": "grid svc", "number": "999"},
            404,
            "has no trial 999",
        ),
        (
            "/api/study/table",
            {"name": "grid svc", "per_page": "0"},
            400,
            "per_page must be from 1 to 500",
        ),
        (
            "/api/study/table",
            {"name": "grid svc", "order": "up"},
            400,
            "order must be 'asc' or 'desc'",
        ),
        (
            "/api/study/events",
            {"name": "grid svc", "since": "-1"},
            400,
            "since must be at least 0",
        ),
    ],
)
def test_bad_requests(
    studies: tuple[Backend, dict[str, Any]],
    dashboard: Any,
    path: str,
    params: dict[str, str],
    status: int,
    says: str,
) -> None:
    got, _, body = get(
        dashboard.url.rstrip("/") + path + "?" + urllib.parse.urlencode(params)
    )
    assert got == status
    assert says in json.loads(body)["error"]


# -- read-only and safe ------------------------------------------------------------------
def test_no_endpoint_writes(
    sqlite_studies: tuple[Backend, dict[str, Any]], start_dashboard: Any
) -> None:
    backend, expected = sqlite_studies
    path = Path(backend.url.removeprefix("sqlite:///"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    server = start_dashboard(backend.storage(read_only=True))
    base = server.url.rstrip("/")
    for name in expected:
        for endpoint in (
            "/api/study",
            "/api/study/table",
            "/api/study/folds",
            "/api/study/importances",
            "/api/study/rungs",
        ):
            api(base, endpoint, name=name)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        for endpoint in ("/api/study", "/api/studies", "/study"):
            status, _, _ = get(base + endpoint + "?name=empty", method=method)
            assert status == 405, (method, endpoint)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_security_headers_on_every_response(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    base = dashboard.url.rstrip("/")
    for path in (
        "/",
        "/study?name=x",
        "/static/app.js",
        "/static/plotly.min.js",
        "/api/studies",
        "/api/study?name=nope",
        "/nowhere",
    ):
        _, headers, _ = get(base + path)
        lowered = {k.lower(): v for k, v in headers.items()}
        assert lowered["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
        assert "script-src 'self';" in CONTENT_SECURITY_POLICY
        assert lowered["x-content-type-options"] == "nosniff"


def test_pages_hold_no_stored_value(
    studies: tuple[Backend, dict[str, Any]], dashboard: Any
) -> None:
    """The HTML is a fixed shell: stored strings reach a page only as JSON data."""
    name = urllib.parse.quote("failing " + XSS)
    for page in (f"/study?name={name}", f"/trial?study={name}&number=1", "/"):
        status, headers, body = get(dashboard.url.rstrip("/") + page)
        assert status == 200
        assert b"alert(1)" not in body
    _, headers, body = get(dashboard.url.rstrip("/") + "/api/study?name=" + name)
    assert headers["content-type"].startswith("application/json")


def test_token_is_required_when_set(
    sqlite_studies: tuple[Backend, dict[str, Any]], start_dashboard: Any
) -> None:
    backend, _ = sqlite_studies
    server = start_dashboard(backend.storage(read_only=True), token="correct-horse-battery")
    base = server.url.split("?")[0].rstrip("/")
    assert server.url.endswith("?token=correct-horse-battery")
    assert get(base + "/api/studies")[0] == 401
    assert get(base + "/api/studies?token=wrong-token-value")[0] == 401
    status, headers, _ = get(base + "/api/studies?token=correct-horse-battery")
    assert status == 200
    cookie = headers["set-cookie"].split(";")[0]
    assert "HttpOnly" in headers["set-cookie"]
    assert get(base + "/api/studies", headers={"Cookie": cookie})[0] == 200
    assert "token" not in repr(server)


def test_database_password_never_shown(
    postgres_studies: tuple[Backend, dict[str, Any]],
    start_dashboard: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    import sqlalchemy as sa

    backend, _ = postgres_studies
    secret = "s3cret-Pw-42"
    url = (
        sa.make_url(backend.url).set(password=secret).render_as_string(hide_password=False)
    )
    storage = SQLStorage(url, table_prefix=backend.prefix, read_only=True)
    server = start_dashboard(storage, quiet=False)  # trust auth ignores the password
    base = server.url.rstrip("/")
    bodies = [
        get(base + path)[2]
        for path in (
            "/",
            "/api/studies",
            "/api/study?name=nope",
            "/api/study/events?name=nope",
        )
    ]
    printed = capfd.readouterr()
    assert all(secret.encode() not in body for body in bodies)
    assert secret not in printed.out + printed.err
    assert "***" in printed.err  # the address line names the storage, masked


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"port": -1}, "port must be a whole number from 0 to 65535"),
        ({"port": "80"}, "port must be"),
        ({"host": ""}, "host must be a non-empty string"),
        ({"token": "short"}, "token must be None or a string of at least 8"),
        ({"poll_interval": 0}, "poll_interval must be seconds from 0.05 to 10"),
    ],
)
def test_bad_arguments_to_serve(kwargs: dict[str, Any], says: str) -> None:
    from scout_sklearn.dashboard import serve

    with pytest.raises(ValueError, match=says):
        serve("sqlite:///never-opened.db", block=False, **kwargs)


def test_serve_refuses_what_is_not_a_storage(tmp_path: Path) -> None:
    from scout_sklearn.dashboard import serve

    with pytest.raises(ValueError, match="not a database URL"):
        serve("scout.db", block=False, quiet=True)
    with pytest.raises(TypeError, match="database URL or a Storage"):
        serve(42, block=False, quiet=True)  # type: ignore[arg-type]


def test_cli_refuses_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "scout_sklearn",
            "dashboard",
            f"sqlite:///{missing}",
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "does not exist" in done.stderr
    assert not missing.exists()


def test_beyond_localhost_warns(
    sqlite_studies: tuple[Backend, dict[str, Any]],
    start_dashboard: Any,
    capfd: pytest.CaptureFixture[str],
) -> None:
    backend, _ = sqlite_studies
    start_dashboard(backend.storage(read_only=True), host="0.0.0.0", quiet=False)
    assert "WARNING: listening on 0.0.0.0" in capfd.readouterr().err


# -- live: only what changed ------------------------------------------------------------
class Events:
    """Reads a server-sent-event stream on a thread; events land in a list."""

    def __init__(self, url: str) -> None:
        self.events: list[tuple[str, Any]] = []
        self.response = urllib.request.urlopen(url, timeout=60)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        kind = None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith("event: "):
                    kind = line[len("event: ") :]
                elif line.startswith("data: ") and kind:
                    self.events.append((kind, json.loads(line[len("data: ") :])))
        except (OSError, ValueError, AttributeError):  # closed under the reader
            pass

    def wait(self, count: int, timeout: float = 30.0) -> list[tuple[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.events) >= count, f"{len(self.events)} events, expected {count}"
        return self.events

    def close(self) -> None:
        self.response.close()


def test_updates_carry_only_the_changed_trials(
    tmp_path: Path, start_dashboard: Any
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    writer = Study({"x": Float(0.0, 1.0)}, storage=SQLStorage(url), name="live", seed=0)
    for _ in range(30):
        trial = writer.ask()
        writer.record(trial.number, FoldResult(0, {"score": 0.5}, None, 0.01, 0.001, 10))
        writer.tell(trial.number, 0.5, state=TrialState.COMPLETE)
    server = start_dashboard(url, poll_interval=0.05)
    state = api(server.url, "/api/study", name="live")
    assert len(state["trials"]["number"]) == 30
    events = Events(
        server.url.rstrip("/") + f"/api/study/events?name=live&since={state['stamp']}"
    )
    try:
        trial = writer.ask()  # a new RUNNING trial
        ((kind, first),) = events.wait(1)
        assert kind == "trials"
        assert first["trials"]["number"] == [trial.number]
        assert first["trials"]["state"] == ["RUNNING"]
        assert first["trials"]["progress"] == [{"rung": 0, "done": 0, "of": 1}]
        writer.record(trial.number, FoldResult(0, {"score": 0.75}, None, 0.01, 0.001, 10))
        writer.tell(trial.number, 0.75, state=TrialState.COMPLETE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            last = events.events[-1][1]
            if last["trials"]["state"] == ["COMPLETE"]:
                break
            time.sleep(0.02)
        assert last["trials"]["number"] == [trial.number]
        assert last["trials"]["value"] == [0.75]
        assert last["summary"]["best_number"] == trial.number
        assert all(len(data["trials"]["number"]) == 1 for _, data in events.events)
        assert all(data["server_ms"] >= 0 for _, data in events.events)
    finally:
        events.close()


# -- the interactive report: the dashboard's views in a file -----------------------------
def test_interactive_report_holds_its_data_and_no_live_markup(
    sqlite_studies: tuple[Backend, dict[str, Any]], tmp_path: Path
) -> None:
    from scout_sklearn import load_study
    from scout_sklearn.report import write_report

    backend, _ = sqlite_studies
    study = load_study(backend.storage(read_only=True), "failing " + XSS)
    path = write_report(study, tmp_path / "report.html", interactive=True)
    text = path.read_text(encoding="utf-8")
    assert 'id="scout-data"' in text
    assert text.count("<script") == 3  # the data, Plotly and the view script
    assert "<script>alert(1)" not in text  # escaped in the JSON and in the table
    data = text.split('id="scout-data">')[1].split("</script>")[0]
    state = json.loads(data)["/api/study"]
    assert state["trials"]["params"]["strategy"][1] == XSS
    plain = write_report(study, tmp_path / "plain.html").read_text(encoding="utf-8")
    assert "<script" not in plain  # the default report still runs no script


def test_interactive_report_of_a_search_in_memory_has_its_front(tmp_path: Path) -> None:
    from sklearn.datasets import load_digits
    from sklearn.tree import DecisionTreeClassifier

    from dashboard._studies import n_leaves
    from scout_sklearn import Int, ScoutSearchCV
    from scout_sklearn.report import write_report

    search = ScoutSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 40)},
        scoring={"accuracy": "accuracy", "n_leaves": n_leaves},
        objectives={"accuracy": "maximize", "n_leaves": "minimize"},
        constraints={"accuracy": (">=", 0.5)},
        refit=False,
        n_trials=8,
        cv=3,
        random_state=0,
    ).fit(*load_digits(return_X_y=True))
    text = write_report(search, tmp_path / "r.html", interactive=True).read_text("utf-8")
    data = json.loads(text.split('id="scout-data">')[1].split("</script>")[0])
    front = data["/api/study/front"]
    numbers = search.cv_results_["trial_number"][search.pareto_front_].tolist()
    assert front["front"] == numbers
    assert front["constraints"] == [{"name": "accuracy", "op": ">=", "threshold": 0.5}]
    assert [o["name"] for o in data["/api/study"]["meta"]["objectives"]] == [
        "accuracy",
        "n_leaves",
    ]


def test_interactive_report_bad_flag_and_missing_plotly(
    sqlite_studies: tuple[Backend, dict[str, Any]], tmp_path: Path, monkeypatch: Any
) -> None:
    from scout_sklearn import load_study
    from scout_sklearn.dashboard import _embed
    from scout_sklearn.report import write_report

    backend, _ = sqlite_studies
    study = load_study(backend.storage(read_only=True), "grid svc")
    with pytest.raises(TypeError, match="interactive must be True or False, got 'yes'"):
        write_report(study, tmp_path / "r.html", interactive="yes")  # type: ignore[arg-type]
    monkeypatch.setattr(_embed, "_plotly_js", lambda: None)
    with pytest.raises(ImportError, match=r"scout-sklearn\[dashboard\]"):
        write_report(study, tmp_path / "r.html", interactive=True)
    assert not (tmp_path / "r.html").exists()


def test_studies_say_when_the_start_up_read_is_done(
    sqlite_studies: tuple[Backend, dict[str, Any]], start_dashboard: Any
) -> None:
    backend, _ = sqlite_studies
    server = start_dashboard(backend.storage(read_only=True), warm_up=False)
    assert api(server.url, "/api/studies")["warmed_up"] is False
    server = start_dashboard(backend.storage(read_only=True))
    deadline = time.monotonic() + 60
    while not api(server.url, "/api/studies")["warmed_up"]:
        assert time.monotonic() < deadline, "the start-up read never ended"
        time.sleep(0.05)
