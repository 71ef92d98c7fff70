"""The browser test (see test_browser.py) for the other half of the notebooks.

A module of its own so that pytest-xdist, which keeps each module on one worker (`--dist loadfile`), runs it
beside test_browser.py on a second worker, with its own JupyterLab and Chromium (module-scoped fixtures).
"""

from __future__ import annotations

import pytest

from test_browser import SECOND_HALF, browser, check_notebook_in_browser, lab  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", SECOND_HALF, ids=[p.name for p in SECOND_HALF])
def test_notebook_runs_in_jupyterlab_in_a_real_browser(browser, lab, path):  # noqa: F811 (fixtures)
    check_notebook_in_browser(browser, lab, path.name)


def test_the_two_halves_cover_every_notebook_once():
    from test_browser import FIRST_HALF, NOTEBOOKS

    assert sorted(FIRST_HALF + SECOND_HALF) == NOTEBOOKS and not set(FIRST_HALF) & set(SECOND_HALF)
    assert len(NOTEBOOKS) >= 9
