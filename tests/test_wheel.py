"""The wheel carries the data: installed into a fresh venv and run elsewhere, it works."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

UV = shutil.which("uv")


@pytest.mark.skipif(UV is None, reason="building and installing the wheel uses uv")
def test_wheel_installed_in_a_fresh_venv_prints_the_same_timeline(tmp_path: Path) -> None:
    assert UV is not None
    dist = tmp_path / "dist"
    subprocess.run(
        [UV, "build", "--wheel", "--quiet", "--out-dir", str(dist), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = dist.glob("*.whl")
    venv = tmp_path / "venv"
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        check=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    installed = subprocess.run(
        [str(venv / "bin" / "nrr"), "timeline"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    here = subprocess.run(
        [sys.executable, "-m", "nato_russia", "timeline"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout == here.stdout
    assert len(installed.stdout.splitlines()) > 20
    # The data came from inside the installed package, not from this checkout.
    located = subprocess.run(
        [
            str(python),
            "-c",
            "from nato_russia.loader import bundled_data_dir; print(bundled_data_dir())",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in located.stdout
