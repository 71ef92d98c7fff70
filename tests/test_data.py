"""The Fashion-MNIST loader on small IDX files the tests write: cache, checksums, fallback."""

import gzip
import hashlib
import struct

import numpy as np
import pytest

from helpers import data as data_module
from helpers.data import ChecksumError, load_fashion_mnist, read_idx, standardize, verified_idx_bytes

N_TRAIN, N_TEST = 5_012, 7  # just past the 5,000 validation images


def write_idx(path, array):
    """Write ``array`` (uint8) as a gzipped IDX file, the format Fashion-MNIST ships in."""
    with gzip.open(path, "wb") as f:
        f.write(struct.pack(">BBBB", 0, 0, 8, array.ndim))
        f.write(struct.pack(f">{array.ndim}I", *array.shape))
        f.write(array.astype(np.uint8).tobytes())


IDX_NAMES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def small_arrays():
    rng = np.random.default_rng(0)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (N_TRAIN, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(N_TRAIN) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (N_TEST, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(N_TEST) % 10,
    }


def idx_digest(array):
    """SHA-256 of the uncompressed IDX bytes of ``array``, what the loader verifies."""
    raw = struct.pack(">BBBB", 0, 0, 8, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return hashlib.sha256(raw + array.astype(np.uint8).tobytes()).hexdigest()


@pytest.fixture(autouse=True)
def no_real_local_copy(tmp_path, monkeypatch):
    """Every test starts without a local copy, whatever this machine has installed."""
    monkeypatch.setattr(data_module, "DEBIAN_DATA_DIR", tmp_path / "no-debian-package")
    for name in ("TDNN_DATA_DIR", "TDNN_QUICK", "TDNN_REQUIRE_REAL_DATA"):
        monkeypatch.delenv(name, raising=False)


def trusted_files(folder, monkeypatch):
    """Write the four small gzipped IDX files into ``folder`` and make the loader trust their digests."""
    folder.mkdir()
    arrays = small_arrays()
    for name, array in arrays.items():
        write_idx(folder / f"{name}.gz", array)
    monkeypatch.setattr(data_module, "IDX_SHA256", {name: idx_digest(a) for name, a in arrays.items()})
    return arrays


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    """A folder of four small gzipped IDX files served as file:// URLs, with their IDX digests trusted."""
    folder = tmp_path / "mirror"
    arrays = trusted_files(folder, monkeypatch)
    return {"url": folder.as_uri() + "/", "folder": folder, "arrays": arrays, "cache": tmp_path / "keras"}


def load(mirror, **kwargs):
    return load_fashion_mnist(cache_dir=mirror["cache"], base_url=mirror["url"], **kwargs)


def test_downloads_into_keras_cache_with_the_books_split(mirror):
    data = load(mirror)
    cached = mirror["cache"] / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in cached.iterdir()) == sorted(f"{n}.gz" for n in mirror["arrays"])
    images = mirror["arrays"]["train-images-idx3-ubyte"]
    assert data.X_valid.shape == (5_000, 28, 28) and data.X_train.shape == (N_TRAIN - 5_000, 28, 28)
    assert data.X_test.shape == (N_TEST, 28, 28)
    np.testing.assert_allclose(data.X_valid, images[:5_000] / 255.0, rtol=1e-6)
    np.testing.assert_allclose(data.X_train, images[5_000:] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(data.y_train, np.arange(5_000, N_TRAIN) % 10)
    assert data.X_train.dtype == np.float32 and 0.0 <= data.X_train.min() and data.X_train.max() <= 1.0
    assert data.source == "Fashion-MNIST (SHA-256 verified, Keras' cache)" and not data.is_standin
    assert data.class_names[0] == "T-shirt/top" and len(data.class_names) == 10
    assert data.summary().startswith("Fashion-MNIST (SHA-256 verified, Keras' cache): 12 train / 5,000 valid")


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
    assert "t10k-images-idx3-ubyte.gz in Keras' cache failed its check" in capsys.readouterr().out


def test_recompressed_cached_file_passes_the_same_check(mirror):
    # Another gzip wrapper around the same IDX bytes (as Debian ships them) is the same data.
    load(mirror)
    cached = mirror["cache"] / "datasets" / "fashion-mnist" / "train-labels-idx1-ubyte.gz"
    before = cached.read_bytes()
    cached.write_bytes(gzip.compress(gzip.decompress(before), compresslevel=1, mtime=0))
    assert cached.read_bytes() != before
    data = load(mirror)
    assert cached.read_bytes() != before  # not fetched again
    np.testing.assert_array_equal(data.y_valid, np.arange(5_000) % 10)


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
    assert "apt-get install dataset-fashion-mnist" in announcements[0] and "TDNN_DATA_DIR" in announcements[0]


def test_required_real_data_never_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("TDNN_REQUIRE_REAL_DATA", "1")
    with pytest.raises(RuntimeError, match="dataset-fashion-mnist"):
        load_fashion_mnist(cache_dir=tmp_path, base_url=(tmp_path / "nowhere").as_uri() + "/")


def test_fresh_download_with_wrong_digest_says_what_to_do(mirror, monkeypatch):
    wrong = dict(data_module.IDX_SHA256, **{"t10k-labels-idx1-ubyte": "0" * 64})
    monkeypatch.setattr(data_module, "IDX_SHA256", wrong)
    with pytest.raises(ChecksumError) as info:
        load(mirror)
    message = str(info.value)
    assert "0" * 64 in message
    assert idx_digest(mirror["arrays"]["t10k-labels-idx1-ubyte"]) in message
    assert "t10k-labels-idx1-ubyte.gz" in message and "delete" in message and "report" in message


@pytest.fixture
def local_copy(tmp_path, monkeypatch):
    """Debian's layout: four .gz files in one folder, with their IDX digests trusted."""
    folder = tmp_path / "local"
    return folder, trusted_files(folder, monkeypatch)


def offline(tmp_path):
    """Arguments that make any download attempt fail at once."""
    return {"cache_dir": tmp_path / "keras", "base_url": (tmp_path / "nowhere").as_uri() + "/"}


def test_debian_location_is_used_without_any_network(local_copy, tmp_path, monkeypatch):
    folder, arrays = local_copy
    monkeypatch.setattr(data_module, "DEBIAN_DATA_DIR", folder)
    data = load_fashion_mnist(**offline(tmp_path))
    assert data.source == f"Fashion-MNIST (SHA-256 verified, local copy in {folder})"
    np.testing.assert_allclose(data.X_test, arrays["t10k-images-idx3-ubyte"] / 255.0, rtol=1e-6)
    assert not (tmp_path / "keras" / "datasets").exists()  # Keras' cache untouched


def test_data_dir_variable_wins_and_may_hold_uncompressed_files(local_copy, tmp_path, monkeypatch):
    folder, arrays = local_copy
    plain = tmp_path / "plain"
    plain.mkdir()
    for name in IDX_NAMES:
        (plain / name).write_bytes(gzip.decompress((folder / f"{name}.gz").read_bytes()))
    monkeypatch.setattr(data_module, "DEBIAN_DATA_DIR", folder)
    monkeypatch.setenv("TDNN_DATA_DIR", str(plain))
    data = load_fashion_mnist(**offline(tmp_path))
    assert str(plain) in data.source and data.X_valid.shape == (5_000, 28, 28)


def test_damaged_local_copy_is_an_error_not_a_fallback(local_copy, tmp_path, monkeypatch, capsys):
    folder, arrays = local_copy
    bad = arrays["train-labels-idx1-ubyte"].copy()
    bad[7] = (bad[7] + 1) % 10  # one wrong label
    write_idx(folder / "train-labels-idx1-ubyte.gz", bad)
    monkeypatch.setenv("TDNN_DATA_DIR", str(folder))
    with pytest.raises(ChecksumError) as info:
        load_fashion_mnist(**offline(tmp_path))
    message = str(info.value)
    assert "train-labels-idx1-ubyte.gz" in message
    assert idx_digest(arrays["train-labels-idx1-ubyte"]) in message and idx_digest(bad) in message
    assert "TDNN_DATA_DIR" in message and "reinstall" in message
    assert "OFFLINE" not in capsys.readouterr().out


def test_data_dir_must_exist_and_hold_all_files(local_copy, tmp_path, monkeypatch):
    folder, _ = local_copy
    monkeypatch.setenv("TDNN_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="TDNN_DATA_DIR"):
        load_fashion_mnist(**offline(tmp_path))
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    monkeypatch.setenv("TDNN_DATA_DIR", str(folder))
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte"):
        load_fashion_mnist(**offline(tmp_path))


def test_verified_idx_bytes_rejects_unknown_names(tmp_path):
    with pytest.raises(ValueError, match="name must be one of"):
        verified_idx_bytes(tmp_path / "x", "train-images")


def test_offline_standin_has_fashion_mnist_shape(tmp_path):
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


def test_idx_digests_are_the_real_ones():
    # Guard against an accidental edit of the constants every real source is verified by.
    assert data_module.IDX_SHA256["t10k-labels-idx1-ubyte"].startswith("0402a96d")
    assert data_module.IDX_SHA256["train-images-idx3-ubyte"].startswith("c59f468a")
    assert sorted(data_module.IDX_SHA256) == sorted(IDX_NAMES)
    assert all(len(d) == 64 for d in data_module.IDX_SHA256.values())
