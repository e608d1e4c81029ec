"""The built wheel is a working product on its own: app, pages and sample data inside.

The wheel is installed into a fresh virtual environment whose only other packages
come from this checkout's .venv through PYTHONPATH (which does not run the .venv's
editable-install hook), and everything runs from a folder outside the checkout, so
nothing can be found in the checkout by accident.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_every_core_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
                 ["packages"])
    on_disk = {str(p.parent.relative_to(ROOT)).replace(os.sep, ".")
               for p in (ROOT / "fairrec_core").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools].packages: {sorted(on_disk - listed)}"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(tmp / "dist"), str(ROOT)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "BuildBackendWarning" not in build.stderr, build.stderr
    wheel = next((tmp / "dist").glob("fairrec-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    target = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                            capture_output=True, text=True, check=True).stdout.strip()
    inst = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                           target, str(wheel)], capture_output=True, text=True)
    assert inst.returncode == 0, inst.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FAIRREC_AUTOLOAD_SAMPLE")}
    env["PYTHONPATH"] = sysconfig.get_paths()["purelib"]  # dependencies only
    work = tmp / "elsewhere"
    work.mkdir()
    return py, Path(target), env, work


def _run(installed, *code_or_args, module=False):
    py, _, env, work = installed
    args = [str(py), "-m", "fairrec_core.cli", *code_or_args] if module else [str(py), "-c", *code_or_args]
    return subprocess.run(args, cwd=work, env=env, capture_output=True, text=True, timeout=300)


def test_installed_package_is_the_wheel_and_ships_the_dashboard(installed):
    _, target, _, _ = installed
    out = _run(installed, "import fairrec_core, fairrec_core.bundled as b; "
                          "print(fairrec_core.__file__); print(b.app_script()); "
                          "print(b.sample_dir()); print(b.sample_dir('zh'))")
    assert out.returncode == 0, out.stderr
    core, app, sample, sample_zh = out.stdout.split()
    for path in (core, app, sample):
        assert Path(path).is_relative_to(target), path
    assert (Path(sample) / "interactions.csv").is_file()
    assert (Path(sample_zh) / "users.csv").is_file()
    assert (Path(app).parent / "pages" / "data_page.py").is_file()
    # The What-if slider's script is package data, read at run time.
    assert (Path(core).parent / "dashboard" / "whatif_live.js").is_file()


def test_installed_sample_data_command(installed):
    _, _, _, work = installed
    out = _run(installed, "sample-data", "--users", "60", "--items", "80", "--interactions",
               "600", "--out", "gen", module=True)
    assert out.returncode == 0, out.stderr
    assert (work / "gen" / "interactions.csv").stat().st_size > 1000


def test_installed_app_serves_with_the_sample_loaded(installed):
    py, target, env, work = installed
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(py), "-m", "fairrec_core.cli", "app", "--sample", "--headless",
                             "--port", str(port)], cwd=work, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    assert r.read() == b"ok"
                    break
            except OSError:
                assert proc.poll() is None, proc.stdout.read().decode()
                assert time.time() < deadline, "the installed app did not come up"
                time.sleep(1)
        # The app's pages and its sample data run from the wheel: drive the script itself.
        out = _run(installed,
                   "import os; os.environ['FAIRREC_AUTOLOAD_SAMPLE'] = '1'\n"
                   "from streamlit.testing.v1 import AppTest\n"
                   "from fairrec_core.bundled import app_script\n"
                   "at = AppTest.from_file(str(app_script()), default_timeout=120).run()\n"
                   "assert not at.exception, at.exception\n"
                   "print([s.value for s in at.sidebar.success])")
        assert out.returncode == 0, out.stderr
        assert "Dataset loaded from sample data" in out.stdout
    finally:
        proc.terminate()
        proc.wait(timeout=30)
