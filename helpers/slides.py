"""Lecture slides: every notebook as a reveal.js deck that also works without internet.

``jupyter nbconvert --to slides`` writes decks that load reveal.js and require.js from public CDNs,
so they show nothing in a lecture hall without a network. ``python -m helpers.slides`` writes the
decks into one folder (default ``work/slides/``) together with a copy of both libraries, fetched
once from the npm registry and verified against their published SHA-512 integrity digests; the
folder can then be copied anywhere and opened offline. Formulas still need MathJax from its CDN.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import shutil
import tarfile
import urllib.request
from pathlib import Path

from .config import project_root, work_dir

__all__ = ["ASSETS", "NPM_REGISTRY", "fetch_assets", "integrity_of", "main", "write_slides"]

NPM_REGISTRY = "https://registry.npmjs.org"
# package: (version, the npm registry's published integrity digest of its tarball).
# reveal.js 4.0.2 is the version nbconvert's slides template is written for.
ASSETS = {
    "reveal.js": ("4.0.2", "sha512-LWZSUenufF1gpD7npxJ7KfoQQFKgc1D6XrLTFgKlwWNP1BQ74hT48KONFWMAw+8R/QUeaScCLCLrBVHDfFIEiw=="),
    "requirejs": ("2.1.10", "sha512-4JqdTihK3kOnT387LxCHuJZ/9QsKg2EIl7LmaW35PIyM4LwCI2jwyy4fy6pbY/ZZH2JoY/QEcb5PzULFPP6gcQ=="),
}


def integrity_of(data: bytes) -> str:
    """The npm-style integrity string (``sha512-`` + base64 digest) of ``data``."""
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"integrity_of: expected bytes, got {type(data).__name__}")
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch_assets(folder: str | Path, registry: str = NPM_REGISTRY) -> dict[str, Path]:
    """Download and unpack reveal.js and require.js into ``folder`` (once); return their folders.

    Each tarball is checked against ``ASSETS``' digest before anything is unpacked; a mismatch
    raises ``ValueError`` naming both digests. A package already unpacked there is not fetched again.
    """
    if not isinstance(folder, (str, Path)):
        raise TypeError(f"fetch_assets: folder must be a path, got {type(folder).__name__}")
    folder = Path(folder)
    unpacked = {}
    for name, (version, expected) in ASSETS.items():
        target = folder / f"{name}-{version}"
        if not (target / "package.json").is_file():
            url = f"{registry}/{name}/-/{name}-{version}.tgz"
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (a fixed https or test URL)
                data = response.read()
            got = integrity_of(data)
            if got != expected:
                raise ValueError(f"fetch_assets: {url} has digest {got}, expected {expected}")
            partial = target.with_name(target.name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                archive.extractall(partial, filter="data")
            shutil.rmtree(target, ignore_errors=True)
            (partial / "package").rename(target)
            shutil.rmtree(partial, ignore_errors=True)
        unpacked[name] = target
    return unpacked


def write_slides(notebooks: list[Path], out_dir: str | Path, assets: dict[str, Path]) -> list[Path]:
    """Write ``NN_name.slides.html`` for each notebook into ``out_dir``, using the local ``assets``.

    ``assets`` is what ``fetch_assets`` returns; they must lie inside ``out_dir`` (the decks refer to
    them by relative paths, so the folder works wherever it is copied).
    """
    from nbconvert import SlidesExporter
    import nbformat

    out_dir = Path(out_dir).resolve()
    if set(assets) != set(ASSETS):
        raise ValueError(f"write_slides: assets must name {sorted(ASSETS)}, got {sorted(assets)}")
    relative = {}
    for name, path in assets.items():
        try:
            relative[name] = Path(path).resolve().relative_to(out_dir).as_posix()
        except ValueError:
            raise ValueError(f"write_slides: {name} ({path}) must lie inside {out_dir}") from None
    exporter = SlidesExporter(reveal_url_prefix=relative["reveal.js"],
                              require_js_url=f"{relative['requirejs']}/require.js")  # fmt: skip
    written = []
    for path in notebooks:
        path = Path(path)
        if path.suffix != ".ipynb" or not path.is_file():
            raise ValueError(f"write_slides: expected an existing .ipynb file, got {path}")
        body, _ = exporter.from_notebook_node(nbformat.read(path, as_version=4))
        target = out_dir / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m helpers.slides", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to convert (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: work/slides)")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((project_root() / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    out_dir = args.out or work_dir() / "slides"
    out_dir.mkdir(parents=True, exist_ok=True)
    for target in write_slides(notebooks, out_dir, fetch_assets(out_dir / "assets")):
        print(f"wrote {target}")
    print(f"open any of them in a browser; the folder {out_dir} works offline (formulas need MathJax's CDN)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
