"""Under CI the whole suite runs on the real Fashion-MNIST, never on the offline stand-in."""

import os

import pytest

from helpers import load_fashion_mnist
from helpers.config import env_flag

pytestmark = pytest.mark.skipif(not env_flag("CI"), reason="only under CI=true, where .ci/run installs the real data")


def test_ci_requires_real_data_for_every_notebook():
    # conftest.py turns CI=true into TDNN_REQUIRE_REAL_DATA=1, which every notebook kernel inherits.
    assert env_flag("TDNN_REQUIRE_REAL_DATA")
    data = load_fashion_mnist()
    assert not data.is_standin
    assert data.source.startswith("Fashion-MNIST (SHA-256 verified"), data.source
    assert os.environ.get("TDNN_QUICK") == "1" and len(data.X_train) == 2_000
