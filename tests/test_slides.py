"""Tests of helpers.slides: offline reveal.js decks, on a fake registry the test builds itself."""

import io
import tarfile

import nbformat
import pytest

from helpers import slides


def tarball(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A file:// registry holding fake reveal.js and requirejs tarballs, with their digests in ASSETS."""
    root = tmp_path / "registry"
    assets = {}
    for name, version in (("reveal.js", "4.0.2"), ("requirejs", "2.1.10")):
        data = tarball({"package.json": "{}", "dist/reveal.js": "// fake", "require.js": "// fake"})
        target = root / name / "-" / f"{name}-{version}.tgz"
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        assets[name] = (version, slides.integrity_of(data))
    monkeypatch.setattr(slides, "ASSETS", assets)
    return root.as_uri()


def test_integrity_matches_npm_format():
    # npm's integrity of the empty string, as `npm` and `ssri` compute it
    assert slides.integrity_of(b"") == (
        "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
    with pytest.raises(TypeError, match="bytes"):
        slides.integrity_of("text")


def test_fetch_assets_unpacks_once(tmp_path, registry):
    folders = slides.fetch_assets(tmp_path / "assets", registry=registry)
    assert set(folders) == {"reveal.js", "requirejs"}
    assert (folders["reveal.js"] / "dist" / "reveal.js").read_text() == "// fake"
    (folders["reveal.js"] / "dist" / "reveal.js").write_text("// kept")
    slides.fetch_assets(tmp_path / "assets", registry="file:///nowhere")  # present: nothing is fetched
    assert (folders["reveal.js"] / "dist" / "reveal.js").read_text() == "// kept"


def test_fetch_assets_refuses_a_wrong_digest(tmp_path, registry, monkeypatch):
    monkeypatch.setitem(slides.ASSETS, "requirejs", ("2.1.10", "sha512-wrong"))
    with pytest.raises(ValueError, match="expected sha512-wrong"):
        slides.fetch_assets(tmp_path / "assets", registry=registry)
    assert not (tmp_path / "assets" / "requirejs-2.1.10").exists()  # nothing unverified is unpacked
    with pytest.raises(TypeError, match="path"):
        slides.fetch_assets(3)


def test_write_slides_refers_to_the_local_copies(tmp_path, registry):
    v4 = nbformat.v4
    nb = v4.new_notebook(cells=[v4.new_markdown_cell("# Title", metadata={"slideshow": {"slide_type": "slide"}}),
                                v4.new_code_cell("1 + 1", metadata={"slideshow": {"slide_type": "-"}})])
    path = tmp_path / "01_demo.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "deck"
    assets = slides.fetch_assets(out / "assets", registry=registry)
    (deck,) = slides.write_slides([path], out, assets)
    html = deck.read_text()
    assert deck.name == "01_demo.slides.html"
    assert "assets/reveal.js-4.0.2/dist/reveal.js" in html and "assets/requirejs-2.1.10/require.js" in html
    assert "unpkg.com" not in html and "require.js/2.1.10" not in html
    with pytest.raises(ValueError, match="inside"):
        slides.write_slides([path], tmp_path / "elsewhere", assets)
    with pytest.raises(ValueError, match=".ipynb"):
        slides.write_slides([tmp_path / "missing.ipynb"], out, assets)
    with pytest.raises(ValueError, match="assets must name"):
        slides.write_slides([path], out, {"reveal.js": assets["reveal.js"]})
