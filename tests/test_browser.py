"""Every notebook in JupyterLab in a real browser: open it, Run All Cells from the menu, no error, every figure shown.

This is what a student does, tested end to end: JupyterLab started from the README's lab command
(loopback port, token, quick mode) on a throw-away copy of the notebooks, driven by a headless
Debian Chromium through Playwright. Where a notebook has an ipywidgets explorer, its first slider
is moved (arrow keys on its handle) and its figure must change; one whose figure stays the same fails. One notebook's reveal.js deck, written by
``python -m helpers.slides``, is opened offline and must show a slide with a figure.

It is opt-in: the default test run deselects it (pyproject's `-m 'not browser'`);
`python3 -m pytest -m browser` runs it, and skips it with the reason where Chromium or Playwright
is missing. `TDNN_REQUIRE_BROWSER=1` turns that skip into a failure. Screenshots of each
notebook's end, of each explorer after the move and of the slide go to `work/browser-screenshots/`
(git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbconvert.preprocessors import ClearOutputPreprocessor

from test_jupyterlab import get_json, readme_lab_arguments, running_lab

ROOT = Path(__file__).parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# Every other notebook runs from test_browser_second_half.py, a module of its own, so that pytest-xdist
# (`--dist loadfile`) gives it a second worker, with its own JupyterLab and Chromium: the two halves run side by side.
FIRST_HALF, SECOND_HALF = NOTEBOOKS[0::2], NOTEBOOKS[1::2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_ENV = "TDNN_REQUIRE_BROWSER"
SCREENSHOTS = ROOT / "work" / "browser-screenshots"
CELL_TIMEOUT_S = 900

pytestmark = pytest.mark.browser


def _missing() -> str | None:
    """Why the browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install playwright; no browser download is needed)"
    if CHROMIUM is None:
        return "no Chromium on PATH (Debian: apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
            pytest.fail(f"{REQUIRE_ENV} is set but the browser test cannot run: {reason}")
        pytest.skip(f"browser test skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The README's lab command on a copy of the notebooks; yields (base URL, token, notebook folder)."""
    tmp = tmp_path_factory.mktemp("lab")
    folder = tmp / "notebooks"
    folder.mkdir()
    clear = ClearOutputPreprocessor()
    for path in NOTEBOOKS:  # copies without outputs: the browser can never overwrite a published notebook,
        nb, _ = clear.preprocess(nbformat.read(path, as_version=4), {})  # and every output it shows is its own
        nbformat.write(nb, folder / path.name)
    settings = tmp / "user-settings"
    for plugin, values in (("notebook-extension/tracker", {"windowingMode": "none"}),  # every cell in the DOM
                           ("docmanager-extension/plugin", {"autosave": False})):  # fmt: skip
        target = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    env = dict(os.environ, TDNN_QUICK="1", JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))  # fmt: skip
    env.setdefault("TDNN_FIGURES_DIR", str(tmp / "figures"))
    env.setdefault("TDNN_WORK_DIR", str(tmp / "work"))
    token = "tdnn-browser-token"
    args = [a for a in readme_lab_arguments() if not a.startswith("--notebook-dir")] + [f"--notebook-dir={folder}"]
    with running_lab(args, env, token) as (server, base):
        get_json(server, f"{base}/api/status", token)  # waits for the server
        yield base, token, folder


def run_in_browser(browser, base: str, token: str, name: str, n_code_cells: int) -> dict:
    """Open notebook `name` from the file browser, Run All Cells from the menu, wait until every cell ran.

    Returns what the page shows: error outputs, which code cells show an image, and the page.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/lab/workspaces/{Path(name).stem}?reset&token={token}")  # a fresh workspace: only this notebook
    page.locator(".jp-DirListing-item", has_text=name).first.dblclick(timeout=120_000)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").last
    select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    try:  # JupyterLab sometimes asks which kernel to start although the notebook names one; take its choice
        select.wait_for(timeout=15_000)
        select.click()
    except PlaywrightTimeout:
        pass
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    prompts = panel.locator(".jp-CodeCell .jp-InputPrompt")
    deadline = time.monotonic() + float(os.environ.get('TDNN_BROWSER_TIMEOUT_S', CELL_TIMEOUT_S))
    # JupyterLab renders an error's traceback as a stderr output that holds the Traceback header
    error_outputs = panel.locator(".jp-OutputArea [data-mime-type='application/vnd.jupyter.stderr']",
                                  has_text="Traceback (most recent call last)")
    idle = panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    settled = 0
    while True:  # done when every code cell shows its execution count, or a cell failed, and the kernel is idle
        texts = prompts.all_inner_texts()
        ran = [t.strip()[1:-2].isdigit() for t in texts]
        finished = len(texts) == n_code_cells and all(ran)
        settled = settled + 1 if idle.count() and (finished or error_outputs.count()) else 0
        if settled >= 3:  # idle for three checks in a row: Run All does not stop between cells
            break
        if int(time.monotonic()) % 30 == 0:
            print(f"{name}: {sum(ran)}/{n_code_cells} cells ran, idle={idle.count()}, errors={error_outputs.count()}", flush=True)
        if time.monotonic() > deadline:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}-timeout.png"))
            raise TimeoutError(f"{name}: not every cell ran within the time allowed; prompts: {texts}")
        page.wait_for_timeout(1000)
    cells = panel.locator(".jp-CodeCell")
    errors = error_outputs.all_inner_texts()
    sliders = [] if errors else move_first_slider(panel)
    with_image = [i for i in range(cells.count()) if cells.nth(i).locator(".jp-OutputArea-output img").count()]
    return {"errors": errors, "with_image": with_image, "page": page, "panel": panel, "sliders": sliders}


def move_first_slider(panel) -> list[dict]:
    """Move the first slider of every ipywidgets explorer by five steps; report what the page showed.

    For each ``interactive`` explorer (a ``.widget-interact`` box): the slider's readout and the
    explorer's figure (its image's ``src``) before and after pressing the right arrow key five times on the
    slider's handle, as a student would (keyboard, then a mouse drag if the keys do nothing).
    """
    found = []
    boxes = panel.locator(".widget-interact")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        image = box.locator(".widget-output img").first
        image.wait_for(timeout=60_000)
        readout = box.locator(".widget-slider .widget-readout").first
        before = {"readout": readout.inner_text(), "src": image.get_attribute("src")}
        handle = box.locator(".widget-slider .noUi-handle").first
        handle.focus()
        for _ in range(5):
            handle.press("ArrowRight")
        if readout.inner_text() == before["readout"]:  # no keyboard support: drag the handle instead
            bounds = handle.bounding_box()
            x, y = bounds["x"] + bounds["width"] / 2, bounds["y"] + bounds["height"] / 2
            handle.page.mouse.move(x, y)
            handle.page.mouse.down()
            handle.page.mouse.move(x + 40, y, steps=5)
            handle.page.mouse.up()
        after = {"readout": readout.inner_text(), "src": before["src"]}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the kernel redraws the figure: wait for a new image
            current = box.locator(".widget-output img")
            if current.count() and current.first.get_attribute("src") not in (None, before["src"]):
                after["src"] = current.first.get_attribute("src")
                break
            panel.page.wait_for_timeout(500)
        found.append({"before": before, "after": after})
    return found


def expected_figure_cells(path: Path) -> list[int]:
    """Indices (among code cells) of the cells whose published output holds an image."""
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return [i for i, c in enumerate(code) if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]


def uses_widgets(path: Path) -> bool:
    """Whether the notebook builds an ipywidgets explorer (``widgets.interactive``)."""
    return any("interactive(" in c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def check_notebook_in_browser(browser, lab, name: str) -> None:
    """Run one notebook in the browser and assert no error and every figure; save a screenshot of its end."""
    base, token, folder = lab
    nb = nbformat.read(folder / name, as_version=4)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    shown = run_in_browser(browser, base, token, name, len(code_cells))
    page = shown["page"]
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shown["panel"].locator(".jp-Cell").last.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"))
        assert not shown["errors"], f"{name}: cells show errors in the browser:\n" + "\n".join(shown["errors"])[:3000]
        published = ROOT / "notebooks" / name
        expected = expected_figure_cells(published) if published.is_file() else []
        missing = sorted(set(expected) - set(shown["with_image"]))
        assert not missing, f"{name}: code cells {missing} published a figure but showed no image in the browser"
        if uses_widgets(published if published.is_file() else folder / name):
            assert shown["sliders"], f"{name}: the notebook builds an ipywidgets explorer but the page shows none"
        for k, moved in enumerate(shown["sliders"]):
            shown["panel"].locator(".widget-interact").nth(k).scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}-explorer-{k}.png"))
            assert moved["after"]["readout"] != moved["before"]["readout"], f"{name}: the slider did not move"
            assert moved["after"]["src"] != moved["before"]["src"], (
                f"{name}: the slider moved to {moved['after']['readout']} but the explorer's figure did not change")
    finally:
        page.close()


@pytest.mark.parametrize("path", FIRST_HALF, ids=[p.name for p in FIRST_HALF])
def test_notebook_runs_in_jupyterlab_in_a_real_browser(browser, lab, path):
    check_notebook_in_browser(browser, lab, path.name)


def test_a_raising_cell_fails_the_browser_check(browser, lab):
    folder = lab[2]
    v4 = nbformat.v4
    broken = v4.new_notebook(cells=[v4.new_code_cell("x = 1"), v4.new_code_cell("raise RuntimeError('broken on purpose')")])
    broken.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(broken, folder / "zz_broken.ipynb")
    with pytest.raises((AssertionError, TimeoutError), match="broken on purpose|not every cell ran"):
        check_notebook_in_browser(browser, lab, "zz_broken.ipynb")


def test_slides_render_in_a_real_browser(browser, tmp_path):
    """A notebook's reveal.js deck (python -m helpers.slides) opens offline and shows a slide with a figure."""
    from urllib.error import URLError

    from helpers.slides import fetch_assets, write_slides

    try:
        assets = fetch_assets(tmp_path / "assets")
    except URLError as error:  # reveal.js comes from the npm registry once; without a network there is no deck
        if os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
            pytest.fail(f"{REQUIRE_ENV} is set but reveal.js could not be fetched: {error}")
        pytest.skip(f"slides test skipped: reveal.js could not be fetched from the npm registry ({error})")
    notebook = ROOT / "notebooks" / "01_vanishing_exploding_gradients.ipynb"
    (deck,) = write_slides([notebook], tmp_path, assets)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(deck.as_uri())
        page.locator(".reveal.ready").wait_for(timeout=60_000)  # reveal.js (loaded offline) has laid the deck out
        n_slides = page.locator(".reveal .slides section").count()
        target = page.evaluate("""() => {  // the first slide holding a figure, as reveal's indices (h, v)
            const top = [...document.querySelectorAll('.reveal .slides > section')];
            for (let h = 0; h < top.length; h++) {
                const sub = [...top[h].querySelectorAll(':scope > section')];
                if (!sub.length && top[h].querySelector('img')) return [h, 0];
                for (let v = 0; v < sub.length; v++) if (sub[v].querySelector('img')) return [h, v];
            }
            return null;
        }""")
        assert target is not None, f"{deck.name}: no slide holds a figure"
        page.evaluate(f"() => {{ location.hash = '#/{target[0]}/{target[1]}'; }}")  # as a presenter's link would
        image = page.locator(".reveal .slides section.present img").first
        image.wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # the slide transition
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{notebook.stem}-slide-{target[0]}-{target[1]}.png"))
        assert n_slides > 10, f"{deck.name}: only {n_slides} slides"
        assert box and box["width"] > 100 and box["height"] > 50, f"{deck.name}: the figure is not shown ({box})"
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle()), \
            f"{deck.name}: the figure did not load"
    finally:
        page.close()


def test_an_explorer_whose_figure_does_not_change_fails_the_check(browser, lab):
    folder = lab[2]
    v4 = nbformat.v4
    frozen = v4.new_notebook(cells=[v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "import matplotlib.pyplot as plt\n\n\n"
        "def draw(x):  # ignores the slider: the same figure whatever its value\n"
        "    plt.plot([0, 1], [0, 1])\n"
        "    plt.show()\n\n\n"
        "display(widgets.interactive(draw, x=widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1)))")])
    frozen.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(frozen, folder / "zz_frozen_explorer.ipynb")
    with pytest.raises(AssertionError, match="figure did not change"):
        check_notebook_in_browser(browser, lab, "zz_frozen_explorer.ipynb")
