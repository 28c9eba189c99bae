"""The wheel ships the product only, and its ``newsflow bench`` says what to do without a checkout."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# one pytest-xdist process runs these: the wheel builds in the source tree (build/, *.egg-info)
pytestmark = pytest.mark.xdist_group("wheel")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            out,
        ],
        check=True,
        cwd=out,
        timeout=240,
    )
    (built,) = out.glob("newsflow-*.whl")
    return built


def test_the_wheel_holds_worker_and_schemas_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"worker", "schemas"}
    assert "schemas/json/article_result.schema.json" in names
    assert "worker/stages/clean/__init__.py" in names
    assert "worker/stages/summary/scorer.json" in names  # the summary's learned weights


def test_bench_from_an_installed_wheel_explains_itself(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", site, wheel],
        check=True,
        timeout=240,
    )
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    probe = subprocess.run(
        [sys.executable, "-c", "import worker; print(worker.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.startswith(str(site))  # the wheel's copy, not the checkout's
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from worker.cli import main; sys.argv = ['newsflow', 'bench']; main()",
        ],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "source checkout" in done.stderr and "python -m bench.perf" in done.stderr
