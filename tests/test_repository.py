"""The repository keeps its promises: CI runs the README's command, the README lists every notebook."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def readme_commands():
    return re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    test_commands = [c for c in readme_commands() if c.rstrip().endswith("pytest")]
    assert len(test_commands) == 1
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_commands[0] in ci.splitlines()
    assert "set -euo pipefail" in ci and "venv" in ci


def test_ci_requires_the_browser_test_as_the_readme_says():
    browser_commands = [c for c in readme_commands() if c.rstrip().endswith("pytest -m browser")]
    required = [c for c in browser_commands if c.startswith("TDNN_REQUIRE_BROWSER=1 ")]
    assert len(required) == 1, "the README gives CI's browser command, with the skip turned into a failure"
    ci = (ROOT / ".ci" / "run").read_text()
    assert required[0] in ci.splitlines()
    assert "chromium" in ci  # installed where it is missing


def test_readme_quick_start_has_two_install_commands():
    installs = [c for c in readme_commands() if c.startswith("python3 -m pip install -r requirements.txt && ")]
    assert len(installs) == 2 and any("jupyter lab" in c for c in installs)


def test_readme_table_links_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        assert f"(notebooks/{notebook.name})" in readme, notebook.name


def test_requirements_are_exact_pins():
    lines = [
        line.strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for line in lines:
        assert line == "-e ." or re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][0-9A-Za-z.]*", line), line
    names = {line.split("==")[0].lower() for line in lines}
    for needed in ("tensorflow", "keras", "numpy", "matplotlib", "scikit-learn", "jupyterlab", "nbval", "pytest"):
        assert needed in names
