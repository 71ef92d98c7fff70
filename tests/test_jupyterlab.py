"""The README's lab command opens JupyterLab without first-run pop-ups (the news prompt, update checks).

The repository carries the settings (`.jupyter/lab/settings/overrides.json`, JupyterLab's
application-level defaults); the README's command points JupyterLab at them. This test starts
that very command on a loopback port with a token and asks the running server which defaults
its front end gets.
"""

import contextlib
import json
import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
OVERRIDES = ROOT / ".jupyter" / "lab" / "settings" / "overrides.json"
NOTIFICATION = "@jupyterlab/apputils-extension:notification"


def readme_lab_arguments() -> list[str]:
    """The arguments after `python3 -m jupyter lab` in the README's lab command."""
    commands = re.findall(r"```bash\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    labs = [c for c in commands if " -m jupyter lab" in c]
    assert len(labs) == 1, labs
    return shlex.split(labs[0].split(" -m jupyter lab", 1)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_overrides_are_valid_json_for_the_notification_plugin():
    overrides = json.loads(OVERRIDES.read_text())
    assert overrides[NOTIFICATION] == {"fetchNews": "false", "checkForUpdates": False}
    assert any(a.startswith("--LabApp.app_settings_dir=") for a in readme_lab_arguments())


@contextlib.contextmanager
def running_lab(args: list[str], env: dict[str, str], token: str):
    """`python -m jupyter lab ARGS` headless on a free loopback port with `token`; yields (process, base URL).

    The server is terminated (killed if it hangs) on exit, so nothing is left running.
    """
    port = free_port()
    command = [sys.executable, "-m", "jupyter", "lab", *args, "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI runs as root; a student's laptop does not need this
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def lab_server(tmp_path):
    """The README's lab command, headless on a free loopback port; yields (process, base URL, token)."""
    token = "tdnn-test-token"
    env = dict(os.environ)
    for var, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_DATA_DIR", "data"),
                     ("JUPYTERLAB_SETTINGS_DIR", "user-settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):  # fmt: skip
        env[var] = str(tmp_path / sub)  # whatever the server writes goes to the test's temporary folder
    with running_lab(readme_lab_arguments(), env, token) as (server, base):
        yield server, base, token


def get_json(server: subprocess.Popen, url: str, token: str, timeout_s: float = 120.0) -> dict:
    """GET a JSON document from the server, waiting for it to start."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {server.returncode}: {server.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_readme_lab_command_starts_without_news_prompt_or_update_check(lab_server):
    server, base, token = lab_server
    settings = get_json(server, f"{base}/lab/api/settings/{NOTIFICATION}", token)
    defaults = {key: spec.get("default") for key, spec in settings["schema"]["properties"].items()}
    # JupyterLab asks "Would you like to get notified about official Jupyter news?" while fetchNews is
    # "none" (its default); "false" means never ask and never fetch.
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False
    assert settings["settings"].get("fetchNews", defaults["fetchNews"]) == "false"
