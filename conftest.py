"""pytest settings for the whole suite, applied before any notebook kernel starts (kernels inherit them)."""

import os
import tempfile

import matplotlib

matplotlib.use("Agg")

# Quick mode for every notebook; figures and saved files go to a throw-away folder so a
# test run never overwrites the committed figures or fills work/.
_scratch = tempfile.mkdtemp(prefix="tdnn-tests-")
os.environ["TDNN_QUICK"] = "1"
os.environ.setdefault("TDNN_FIGURES_DIR", os.path.join(_scratch, "figures"))
os.environ.setdefault("TDNN_WORK_DIR", os.path.join(_scratch, "work"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Under CI (CI=true) the notebooks must run on the real data: the loader then raises instead of
# falling back to the offline stand-in, so a notebook that got the stand-in fails its test.
if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}:
    os.environ.setdefault("TDNN_REQUIRE_REAL_DATA", "1")
