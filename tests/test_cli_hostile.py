"""Hostile strings stored in a study: inert in CSV, escaped on the terminal."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from scout_sklearn import ScoutSearchCV
from scout_sklearn.cli import main

NAME = "study\x1b]0;pwned\x07\x1b[2J"
FORMULAS = ['=HYPERLINK("http://127.0.0.1/x","y")', "+1+2", "-1+2", "@SUM(A1)", "\tx"]
ESCAPES = ["\x1b[31mred", "bell\x07", "rtl\u202eevil"]


@pytest.fixture
def hostile(tmp_path: Path, iris: tuple[np.ndarray, np.ndarray], fast_clf: Any) -> str:
    url = f"sqlite:///{tmp_path / 'scout.db'}"
    ScoutSearchCV(
        fast_clf, {"kind": [*FORMULAS, *ESCAPES]}, cv=2, storage=url, study_name=NAME
    ).fit(*iris)
    carriage_return = {"kind": ["\rx"]}
    ScoutSearchCV(fast_clf, carriage_return, cv=2, storage=url, study_name="cr").fit(*iris)
    return url


def test_csv_export_makes_formula_cells_inert(
    hostile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", hostile, NAME, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out, newline="")))

    kinds = {row["params_kind"] for row in rows}
    assert kinds == {"'" + text for text in FORMULAS} | set(ESCAPES)
    assert float(rows[0]["value"]) < 1.0  # numbers stay numbers
    # A carriage return starts a formula too (checked on the raw text: the csv
    # module leaves a \r unquoted with "\n" line ends).
    assert main(["export", hostile, "cr", "--format", "csv"]) == 0
    assert ",'\rx," in capsys.readouterr().out


@pytest.mark.parametrize("command", ["studies", "trials", "best"])
def test_terminal_output_escapes_control_characters(
    hostile: str, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [command, hostile] + ([] if command == "studies" else [NAME])
    assert main(args) == 0
    out, err = capsys.readouterr()

    for char in ("\x1b", "\x07", "\u202e"):
        assert char not in out + err
    if command == "trials":
        assert "\\x1b[31mred" in out
    else:
        assert "study\\x1b]0;pwned\\x07" in out


def test_an_error_naming_a_hostile_study_is_escaped(
    hostile: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["best", hostile, "no-such-study"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "no study named 'no-such-study'" in err
