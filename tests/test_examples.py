"""Every script in examples/ runs to completion with a small budget."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def test_examples_are_found():
    assert {p.name for p in EXAMPLES} >= {"quickstart.py", "custom_sampler.py"}


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "SCOUT_EXAMPLES_QUICK": "1"}
    completed = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,  # files an example writes (scout.db) land here
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "best" in completed.stdout.lower(), completed.stdout
