"""The CIFAR-10 loader with the network blocked: the announced offline stand-in, its split, its errors."""

import urllib.error

import keras
import numpy as np
import pytest

from helpers import data as data_module
from helpers.data import CIFAR10_CLASSES, CIFAR10_STANDIN_NAME, cifar10_standin, load_cifar10


def no_network():
    # what keras.utils.get_file raises when the server cannot be reached
    raise Exception("URL fetch failure on https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz: "
                    "None -- [Errno -2] Name or service not known")  # fmt: skip


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Every test starts with the network blocked and in full mode."""
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", no_network)
    for name in ("TDNN_QUICK", "TDNN_REQUIRE_REAL_DATA"):
        monkeypatch.delenv(name, raising=False)


def test_offline_gives_the_announced_standin_with_cifar_shape(capsys):
    data = load_cifar10()
    out = capsys.readouterr().out
    offline_lines = [line for line in out.splitlines() if line.startswith("OFFLINE:")]
    assert len(offline_lines) == 1 and "Name or service not known" in offline_lines[0]
    assert "says nothing about CIFAR-10" in offline_lines[0].replace("say nothing", "says nothing")
    assert data.is_standin and data.source == CIFAR10_STANDIN_NAME
    assert (len(data.X_train), len(data.X_valid), len(data.X_test)) == (3_500, 500, 1_000)
    for X, y in ((data.X_train, data.y_train), (data.X_valid, data.y_valid), (data.X_test, data.y_test)):
        assert X.shape[1:] == (32, 32, 3) and X.dtype == np.float32
        assert 0.0 <= X.min() and X.max() <= 1.0 and X.std() > 0.1
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert len(data.class_names) == 10 and "5,000 synthetic" in data.summary()


def test_the_standin_is_deterministic_and_learnable():
    a, b = cifar10_standin(n_train=300, n_test=100), cifar10_standin(n_train=300, n_test=100)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    x, y, x_test, y_test = cifar10_standin()
    assert x.dtype == np.uint8 and x.shape == (4_000, 32, 32, 3) and x_test.shape == (1_000, 32, 32, 3)
    X, X_test = x.reshape(len(x), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0
    centroids = np.stack([X[y == k].mean(axis=0) for k in range(10)])
    nearest = np.argmin(((X_test[:, None, :] - centroids[None]) ** 2).sum(axis=-1), axis=1)
    accuracy = (nearest == y_test).mean()
    assert 0.3 < accuracy < 1.0, accuracy  # learnable, far above chance (0.1), not trivial


def test_quick_mode_cuts_the_splits(monkeypatch):
    monkeypatch.setenv("TDNN_QUICK", "1")
    data = load_cifar10()
    assert (len(data.X_train), len(data.X_valid), len(data.X_test)) == (2_000, 500, 500)


def test_required_real_data_does_not_forbid_the_cifar_standin(monkeypatch, capsys):
    # CIFAR-10 is on no machine of ours: CI (TDNN_REQUIRE_REAL_DATA=1) tests notebook 09 on the stand-in.
    monkeypatch.setenv("TDNN_REQUIRE_REAL_DATA", "1")
    assert load_cifar10().is_standin
    assert capsys.readouterr().out.startswith("OFFLINE:")


def test_standardized_inputs_have_mean_0_std_1_per_feature_and_channel():
    data = load_cifar10(standardize=True)
    assert np.abs(data.X_train.mean(axis=0)).max() < 1e-4
    assert np.abs(data.X_train.std(axis=0) - 1).max() < 1e-3
    per_channel = data.X_train.reshape(-1, 3).astype(np.float64)  # float32 sums over 3.5M values drift
    assert np.allclose(per_channel.mean(axis=0), 0, atol=1e-4) and np.allclose(per_channel.std(axis=0), 1, atol=1e-3)


def test_real_download_is_used_and_split_as_the_book_does(monkeypatch, capsys):
    rng = np.random.default_rng(0)
    train = (rng.integers(0, 256, (5_010, 32, 32, 3), dtype=np.uint8), (np.arange(5_010) % 10).reshape(-1, 1))
    test = (rng.integers(0, 256, (7, 32, 32, 3), dtype=np.uint8), (np.arange(7) % 10).reshape(-1, 1))
    monkeypatch.setattr(keras.datasets.cifar10, "load_data", lambda: (train, test))
    data = load_cifar10()
    assert "OFFLINE" not in capsys.readouterr().out and not data.is_standin
    assert data.class_names == CIFAR10_CLASSES and data.source.startswith("CIFAR-10")
    assert (len(data.X_train), len(data.X_valid), len(data.X_test)) == (10, 5_000, 7)
    assert np.array_equal(data.X_valid[0], train[0][0] / np.float32(255))  # the first 5,000 are the validation set
    assert data.y_train.shape == (10,) and data.y_train[0] == 5_000 % 10


@pytest.mark.parametrize("error", [ValueError("Incomplete or corrupted file detected"), MemoryError("no")])
def test_other_failures_are_raised_not_replaced_by_the_standin(monkeypatch, error):
    def broken():
        raise error

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", broken)
    with pytest.raises(type(error)):
        load_cifar10()


def test_url_errors_count_as_offline():
    assert data_module._is_network_failure(urllib.error.URLError("no route"))
    assert data_module._is_network_failure(ConnectionResetError())
    assert not data_module._is_network_failure(ValueError("Incomplete or corrupted file detected"))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(TypeError, match="standardize must be True or False"):
        load_cifar10(standardize="yes")
    with pytest.raises(TypeError, match="n_train must be an int"):
        cifar10_standin(n_train=10.0)
    with pytest.raises(ValueError, match="n_test must be >= 1"):
        cifar10_standin(n_test=0)
    with pytest.raises(ValueError, match="seed must be >= 0"):
        cifar10_standin(seed=-1)
