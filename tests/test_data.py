"""The Fashion-MNIST loader on small IDX files the tests write: cache, checksums, fallback."""

import gzip
import struct

import numpy as np
import pytest

from helpers import data as data_module
from helpers.data import ChecksumError, load_fashion_mnist, read_idx, sha256_of, standardize

N_TRAIN, N_TEST = 5_012, 7  # just past the 5,000 validation images


def write_idx(path, array):
    """Write ``array`` (uint8) as a gzipped IDX file, the format Fashion-MNIST ships in."""
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 8, array.ndim))
        f.write(struct.pack(f">{array.ndim}I", *array.shape))
        f.write(array.astype(np.uint8).tobytes())


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A folder of four small IDX files served as file:// URLs, with their digests trusted."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TRAIN, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(N_TRAIN) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (N_TEST, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(N_TEST) % 10,
    }
    for name, array in arrays.items():
        write_idx(folder / name, array)
    digests = {name: sha256_of(folder / name) for name in arrays}
    monkeypatch.setattr(data_module, "FASHION_MNIST_SHA256", digests)
    monkeypatch.delenv("TDNN_QUICK", raising=False)
    monkeypatch.delenv("TDNN_SKIP_CHECKSUM", raising=False)
    return {"url": folder.as_uri() + "/", "folder": folder, "arrays": arrays, "cache": tmp_path / "keras"}


def load(mirror, **kwargs):
    return load_fashion_mnist(cache_dir=mirror["cache"], base_url=mirror["url"], **kwargs)


def test_downloads_into_keras_cache_with_the_books_split(mirror):
    data = load(mirror)
    cached = mirror["cache"] / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cached.iterdir()) == sorted(mirror["arrays"])
    images = mirror["arrays"]["train-images-idx3-ubyte.gz"]
    assert data.X_valid.shape == (5_000, 28, 28) and data.X_train.shape == (N_TRAIN - 5_000, 28, 28)
    assert data.X_test.shape == (N_TEST, 28, 28)
    np.testing.assert_allclose(data.X_valid, images[:5_000] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(data.X_train, images[5_000:] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(data.y_train, np.arange(5_000, N_TRAIN) % 10)
    assert data.X_train.dtype == np.float32 and 0.0 <= data.X_train.min() and data.X_train.max() <= 1.0
    assert data.source == "Fashion-MNIST" and not data.is_standin
    assert data.class_names[0] == "T-shirt/top" and len(data.class_names) == 10


def test_quick_mode_cuts_every_split(mirror, monkeypatch):
    monkeypatch.setenv("TDNN_QUICK", "1")
    data = load(mirror)
    assert len(data.X_valid) == 500
    assert len(data.X_train) == 2_000
    assert len(data.X_test) == N_TEST


def test_standardize_uses_training_statistics(mirror):
    data = load(mirror, standardize=True)
    assert np.allclose(data.X_train.mean(axis=0), 0, atol=1e-4)
    assert np.allclose(data.X_train.std(axis=0), 1, atol=1e-3)
    assert not np.allclose(data.X_valid.mean(axis=0), 0, atol=1e-4)  # valid uses train's stats


def test_corrupt_cached_file_is_fetched_again(mirror, capsys):
    load(mirror)
    cached = mirror["cache"] / "datasets" / "fashion-mnist" / "t10k-images-idx3-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:100])  # truncated download
    data = load(mirror)
    assert cached.read_bytes() == (mirror["folder"] / cached.name).read_bytes()
    assert data.X_test.shape == (N_TEST, 28, 28)
    assert "hash does not match" in capsys.readouterr().out


def test_corrupt_cache_offline_falls_back_to_the_announced_standin(mirror, capsys, tmp_path):
    load(mirror)
    cached = mirror["cache"] / "datasets" / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(b"corrupt")
    offline_url = (tmp_path / "no-such-mirror").as_uri() + "/"
    data = load_fashion_mnist(cache_dir=mirror["cache"], base_url=offline_url)
    assert data.is_standin
    out = capsys.readouterr().out
    announcements = [line for line in out.splitlines() if line.startswith("OFFLINE")]
    assert len(announcements) == 1 and "stand-in" in announcements[0]


def test_fresh_download_with_wrong_digest_says_what_to_do(mirror, monkeypatch):
    wrong = dict(data_module.FASHION_MNIST_SHA256, **{"t10k-labels-idx1-ubyte.gz": "0" * 64})
    monkeypatch.setattr(data_module, "FASHION_MNIST_SHA256", wrong)
    with pytest.raises(ChecksumError) as info:
        load(mirror)
    message = str(info.value)
    assert "0" * 64 in message
    assert sha256_of(mirror["folder"] / "t10k-labels-idx1-ubyte.gz") in message
    assert "delete" in message and "TDNN_SKIP_CHECKSUM" in message


def test_skip_checksum_is_loud_and_uses_the_files(mirror, monkeypatch, capsys):
    wrong = {name: "0" * 64 for name in data_module.FASHION_MNIST_SHA256}
    monkeypatch.setattr(data_module, "FASHION_MNIST_SHA256", wrong)
    monkeypatch.setenv("TDNN_SKIP_CHECKSUM", "1")
    data = load(mirror)
    assert data.source == "Fashion-MNIST"
    assert "NOT verified" in capsys.readouterr().out


def test_offline_standin_has_fashion_mnist_shape(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TDNN_QUICK", raising=False)
    data = load_fashion_mnist(cache_dir=tmp_path, base_url=(tmp_path / "nowhere").as_uri() + "/")
    assert data.is_standin and data.X_train.shape[1:] == (28, 28)
    assert len(data.X_train) + len(data.X_valid) + len(data.X_test) == 5_000
    assert set(np.unique(data.y_train)) == set(range(10)) and len(data.class_names) == 10
    assert 0.0 <= data.X_test.min() and data.X_test.max() <= 1.0 and data.X_test.max() > 0.5


def test_read_idx_rejects_bad_files(tmp_path):
    bad_magic = tmp_path / "bad.gz"
    with gzip.open(bad_magic, "wb") as f:
        f.write(b"\x00\x00\x0d\x01" + struct.pack(">I", 3) + b"abc")
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad_magic)
    short = tmp_path / "short.gz"
    with gzip.open(short, "wb") as f:
        f.write(b"\x00\x00\x08\x01" + struct.pack(">I", 10) + b"abc")
    with pytest.raises(ValueError, match="shape"):
        read_idx(short)
    good = tmp_path / "good.gz"
    write_idx(good, np.arange(12).reshape(3, 4))
    np.testing.assert_array_equal(read_idx(good), np.arange(12).reshape(3, 4))


def test_standardize_centres_constant_pixels_and_checks_arguments():
    X = np.stack([np.full((2, 2), 3.0), np.array([[1.0, 3.0], [3.0, 3.0]])])
    (Xs,) = standardize(X)
    assert np.all(np.isfinite(Xs)) and Xs[0, 1, 1] == 0.0
    with pytest.raises(TypeError):
        standardize([[1.0]])
    with pytest.raises(ValueError, match="shapes"):
        standardize(np.zeros((2, 3)), np.zeros((2, 4)))


def test_bad_arguments_raise_clear_errors(tmp_path):
    with pytest.raises(TypeError, match="standardize"):
        load_fashion_mnist(standardize="yes")
    with pytest.raises(ValueError, match="base_url"):
        load_fashion_mnist(cache_dir=tmp_path, base_url="file:///no-trailing-slash")


def test_published_digests_are_the_real_ones():
    # Guard against an accidental edit of the constants the real download relies on.
    assert data_module.FASHION_MNIST_SHA256["t10k-labels-idx1-ubyte.gz"].startswith("67da17c7")
    assert all(len(d) == 64 for d in data_module.FASHION_MNIST_SHA256.values())
