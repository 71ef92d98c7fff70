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
