"""Odd storage URLs, and one study shared by several processes.

What a user may write as ``storage=`` (a plain path, a ``file:`` name, a
driver SQLStorage does not use, a MySQL URL without a database, a file that
is not a database) is refused or read consistently, before any fit; and
three processes given the same URL and study_name share one study of
exactly ``n_trials`` trials, each with a ``cv_results_`` that is the
study's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier

from scout_sklearn import ScoutSearchCV, TrialState, list_studies, load_study
from scout_sklearn.cli import main as cli_main
from scout_sklearn.exceptions import InvalidParameterError
from scout_sklearn.storage import SQLStorage
from storage.servers import fresh_server_storage, server_url

WORKER = Path(__file__).with_name("shared_worker.py")


class CountingTree(DecisionTreeClassifier):
    """A decision tree that counts its fits (in this process)."""

    fits = 0

    def fit(self, X: Any, y: Any = None, **kwargs: Any) -> CountingTree:
        type(self).fits += 1
        return super().fit(X, y, **kwargs)


def _search(storage: object, **kwargs: Any) -> ScoutSearchCV:
    return ScoutSearchCV(
        CountingTree(),
        {"max_depth": [1, 2]},
        cv=2,
        storage=storage,
        study_name="s",
        **kwargs,
    )


@pytest.fixture
def iris() -> tuple[Any, Any]:
    return load_iris(return_X_y=True)


# -- URLs --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql+psycopg2://u:s3cret@127.0.0.1:1/db", "write postgresql+psycopg://"),
        ("postgresql+asyncpg://u:s3cret@127.0.0.1:1/db", "write postgresql+psycopg://"),
        ("mysql://root:s3cret@127.0.0.1:1/db", "write mysql+pymysql://"),
        ("mariadb+mariadbconnector://root:s3cret@127.0.0.1:1/db", "mariadb+pymysql"),
        ("sqlite+aiosqlite:///scout.db", "write sqlite:///path.db"),
    ],
)
def test_a_driver_the_storage_does_not_use_is_refused_before_any_fit(
    iris: tuple[Any, Any], url: str, expected: str
) -> None:
    # Installed, psycopg2 or asyncpg failed inside the storage with
    # "AttributeError: module 'psycopg2' has no attribute 'Pipeline'".
    CountingTree.fits = 0
    with pytest.raises(InvalidParameterError, match="does not support") as caught:
        _search(url).fit(*iris)
    assert expected in str(caught.value)
    assert "s3cret" not in str(caught.value)
    assert CountingTree.fits == 0


@pytest.mark.parametrize(
    "url",
    ["mysql+pymysql://root:s3cret@127.0.0.1:1/", "mariadb+pymysql://root@127.0.0.1:1"],
)
def test_a_mysql_url_without_a_database_is_refused(url: str) -> None:
    with pytest.raises(InvalidParameterError, match="names no database") as caught:
        SQLStorage(url)
    assert "s3cret" not in str(caught.value)


def test_a_mysql_url_without_a_database_is_refused_by_search_and_reader(
    iris: tuple[Any, Any],
) -> None:
    # It failed with a bare AssertionError from SQLAlchemy's reflection.
    url = sa.make_url(server_url("mysql"))
    text = sa.URL.create(
        url.drivername, url.username, url.password, url.host, url.port
    ).render_as_string(hide_password=False)
    CountingTree.fits = 0
    with pytest.raises(InvalidParameterError, match="names no database"):
        _search(text).fit(*iris)
    assert CountingTree.fits == 0
    with pytest.raises(InvalidParameterError, match="names no database"):
        list_studies(text)


@pytest.mark.parametrize("path", ["scout.db", "runs/scout.db"])
def test_a_plain_path_is_refused_with_the_url_to_write(
    iris: tuple[Any, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    with pytest.raises(InvalidParameterError, match=f"write 'sqlite:///{path}'"):
        _search(path).fit(*iris)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"]


def test_a_tilde_is_named_as_not_the_home_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InvalidParameterError, match="'~' in a URL is not your home"):
        SQLStorage("sqlite:///~/scout.db")
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_starting_with_file_is_read_where_the_search_wrote_it(
    iris: tuple[Any, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Without ?uri=true SQLite opens "file:x.db" as a file of that name; the
    # readers took it for a URI and looked for "x.db", which did not exist.
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///file:x.db"
    _search(url).fit(*iris)
    assert (tmp_path / "file:x.db").is_file()
    assert not (tmp_path / "x.db").exists()
    assert list_studies(url) == ["s"]
    assert len(load_study(url, "s").trials) == 2
    assert cli_main(["studies", url]) in (0, None)
    assert "s " in capsys.readouterr().out


def test_a_file_uri_is_checked_like_a_path(tmp_path: Path) -> None:
    # The missing directory of a URI was "unable to open database file".
    missing = tmp_path / "missing" / "x.db"
    with pytest.raises(InvalidParameterError, match="which does not exist"):
        SQLStorage(f"sqlite:///file:{missing}?uri=true")
    with pytest.raises(InvalidParameterError, match="which is a directory"):
        SQLStorage(f"sqlite:///file:{tmp_path}?uri=true")
    storage = SQLStorage(f"sqlite:///file:{tmp_path / 'y.db'}?uri=true")
    assert storage.list_studies() == []
    assert (tmp_path / "y.db").is_file()


@pytest.mark.parametrize(
    "content", [b"not a database\n" * 20, b"SQLite format 3\x00" + b"\x01" * 200]
)
def test_a_file_that_is_not_a_database_is_named_before_any_fit(
    iris: tuple[Any, Any], tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    CountingTree.fits = 0
    with pytest.raises(ConnectionError, match="is not a SQLite database") as caught:
        _search(f"sqlite:///{path}").fit(*iris)
    assert str(path) in str(caught.value)
    assert CountingTree.fits == 0
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes into a read-only directory",
)
def test_a_read_only_directory_is_named(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        with pytest.raises(ConnectionError, match="is not writable") as caught:
            SQLStorage(f"sqlite:///{directory / 'x.db'}")
        assert str(directory) in str(caught.value)
    finally:
        directory.chmod(0o755)


# -- several processes on one study ---------------------------------------------------
@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}", "scout_"
    storage = fresh_server_storage(server_url("postgresql"))
    return server_url("postgresql"), storage._table_prefix


def _run(url: str, prefix: str, study: str, datas: list[str]) -> list[dict[str, Any]]:
    processes = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, prefix, study, data],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for data in datas
    ]
    results = []
    for process in processes:
        out, err = process.communicate()
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


@pytest.mark.slow
def test_three_processes_share_one_study_of_n_trials(shared: tuple[str, str]) -> None:
    url, prefix = shared
    study = f"shared-{uuid.uuid4().hex[:8]}"
    results = _run(url, prefix, study, ["iris"] * 3)
    trials, _ = SQLStorage(url, table_prefix=prefix).read_trials(study)
    assert [t.number for t in trials] == list(range(12))
    assert all(t.state is TrialState.COMPLETE for t in trials)
    points = {tuple(sorted(t.params.items())) for t in trials}
    assert len(points) == 12  # no grid point twice, though no random_state was given
    by_number = {t.number: t for t in trials}
    for result in results:
        assert "error" not in result, result
        assert result["n_trials"] == len(result["numbers"]) <= 12
        for number, params, score in zip(
            result["numbers"], result["params"], result["scores"], strict=True
        ):
            assert by_number[number].params == params
            assert by_number[number].value == pytest.approx(score, abs=1e-12)
        best = result["best_index"]
        assert result["params"][best] == result["best_params"]
        assert result["best_score"] == max(result["scores"])
    # One saw every trial, and so the study's best.
    full = [r for r in results if r["n_trials"] == 12]
    assert full
    best_value = max(t.value for t in trials)
    assert all(r["best_score"] == pytest.approx(best_value, abs=1e-12) for r in full)


@pytest.mark.slow
def test_two_searches_of_other_data_on_one_name_are_not_mixed(
    shared: tuple[str, str],
) -> None:
    url, prefix = shared
    study = f"clash-{uuid.uuid4().hex[:8]}"
    results = _run(url, prefix, study, ["iris", "wine", "iris", "wine"])
    refused = [r for r in results if "error" in r]
    finished = [r for r in results if "error" not in r]
    assert len(refused) == 2
    assert all(r["error"] == "StudyMismatch" and "data" in r["message"] for r in refused)
    trials, _ = SQLStorage(url, table_prefix=prefix).read_trials(study)
    assert len(trials) == 12
    # The two that ran share the study: both ran on the same data, so the
    # scores each reports are the stored ones.
    by_number = {t.number: t for t in trials}
    for result in finished:
        for number, score in zip(result["numbers"], result["scores"], strict=True):
            assert by_number[number].value == pytest.approx(score, abs=1e-12)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg:/user:s3cret@127.0.0.1/db",
        "postgresql+psycopg//user:s3cret@127.0.0.1/db",
        "user:s3cret@127.0.0.1/db",
    ],
)
def test_a_mistyped_url_shows_no_password(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # With no "://" to find, the message showed the URL as it was given.
    with pytest.raises(InvalidParameterError, match=r"user:\*\*\*@") as caught:
        SQLStorage(url)
    assert "s3cret" not in str(caught.value)
    assert cli_main(["studies", url]) != 0
    captured = capsys.readouterr()
    assert "s3cret" not in captured.out + captured.err
    assert "user:***@" in captured.err
