"""The package as a release would publish it: the wheel, installed into a fresh virtualenv,
carries everything gitarchive reads at run time (templates, schemas, demo data, the site's
static files), and `gitarchive demo`, `site` and `init` work from it alone.

Slow (a build and an install): pip fetches the dependencies from the package index it is
configured with, through its cache. `.ci/run` builds the distributions once and passes their
folder in GITARCHIVE_DIST; without it the test builds the wheel itself."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from gitarchive import __version__

PROJECT = Path(__file__).resolve().parent.parent
SHIPPED = (
    "gitarchive/templates/gitarchive.yml",
    "gitarchive/templates/gitarchive.toml",
    "gitarchive/schemas/error.json",
    "gitarchive/schemas/history.json",
    "gitarchive/demo_data/demo.json",
    "gitarchive/site/static/site.css",
    "gitarchive/site/static/site.js",
    "gitarchive/hook_templates/hook.sh",
    "gitarchive/py.typed",
)


def run(command: list[str], cwd: Path, timeout: float = 600) -> str:
    # no PYTHONPATH and another folder: the installed package, never this checkout
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def the_wheel(tmp_path: Path) -> Path:
    given = os.environ.get("GITARCHIVE_DIST")
    folder = Path(given) if given else tmp_path / "dist"
    if not given:
        run([sys.executable, "-m", "build", "--wheel", "-o", str(folder), str(PROJECT)], tmp_path)
    (wheel,) = folder.glob(f"gitarchive-{__version__}-py3-none-any.whl")
    return wheel


@pytest.mark.slow
def test_the_wheel_in_a_fresh_virtualenv_runs_demo_site_and_init(tmp_path: Path) -> None:
    wheel = the_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        style = archive.read("gitarchive/site/static/site.css").decode()
        script = archive.read("gitarchive/site/static/site.js").decode()
    assert set(SHIPPED) <= names
    assert f"gitarchive-{__version__}.dist-info/licenses/LICENSE" in names
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python, gitarchive = str(venv / "bin/python"), str(venv / "bin/gitarchive")
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        tmp_path)  # fmt: skip
    where = run([python, "-c", "import gitarchive; print(gitarchive.__file__)"], tmp_path)
    assert where.startswith(str(venv))
    run([gitarchive, "demo", "demo"], tmp_path)
    run([gitarchive, "-C", "demo", "site", str(tmp_path / "site")], tmp_path)
    page = (tmp_path / "site/index.html").read_text()
    assert style in page and script in page  # the pages carry the static files inline
    run([gitarchive, "init", "archive", "--no-commit"], tmp_path)
    written = (tmp_path / "archive/.github/workflows/gitarchive.yml").read_text()
    assert f'python -m pip install "gitarchive=={__version__}"' in written
