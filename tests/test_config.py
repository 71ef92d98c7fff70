"""Quick mode, budgets and the folders notebooks write into."""

import pytest

from helpers import config


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False), ("", False)])
def test_quick_mode_reads_the_environment_each_time(monkeypatch, value, expected):
    monkeypatch.setenv("TDNN_QUICK", value)
    assert config.quick_mode() is expected


def test_budget_picks_the_quick_value_only_in_quick_mode(monkeypatch):
    monkeypatch.delenv("TDNN_QUICK", raising=False)
    assert config.budget(10, quick=2) == 10
    monkeypatch.setenv("TDNN_QUICK", "1")
    assert config.budget(10, quick=2) == 2


def test_budget_picks_a_quick_selection_of_cases_only_in_quick_mode(monkeypatch):
    rates = [0.01, 0.03, 0.1, 0.3, 1.0]
    monkeypatch.delenv("TDNN_QUICK", raising=False)
    assert config.budget(rates, quick=[0.01, 0.1, 1.0]) == rates
    assert config.budget((50, 2240), quick=(50,)) == (50, 2240)
    monkeypatch.setenv("TDNN_QUICK", "1")
    assert config.budget(rates, quick=[0.01, 0.1, 1.0]) == [0.01, 0.1, 1.0]
    assert config.budget((50, 2240), quick=(50,)) == (50,)


@pytest.mark.parametrize(
    ("full", "quick", "error"),
    [(10.0, 1, TypeError), (True, 1, TypeError), (0, 1, ValueError), (3, 5, ValueError),
     ([1, 2, 3], 2, TypeError), ([1, 2, 3], (1, 2), TypeError), ([1, 2, 3], [], ValueError),
     ([1, 2, 3], [4], ValueError), ([1, 2, 3], [3, 1], ValueError), ([1, 2, 3], [2, 2], ValueError)],
)
def test_budget_rejects_bad_arguments(full, quick, error):
    with pytest.raises(error):
        config.budget(full, quick)


def test_folders_default_to_the_repository_and_can_be_redirected(monkeypatch, tmp_path):
    monkeypatch.delenv("TDNN_FIGURES_DIR", raising=False)
    assert config.figures_dir() == config.project_root() / "figures"
    assert (config.project_root() / "helpers" / "config.py").is_file()
    monkeypatch.setenv("TDNN_FIGURES_DIR", str(tmp_path / "figs"))
    monkeypatch.setenv("TDNN_WORK_DIR", str(tmp_path / "work"))
    assert config.figures_dir() == tmp_path / "figs" and (tmp_path / "figs").is_dir()
    assert config.work_dir() == tmp_path / "work" and (tmp_path / "work").is_dir()


def test_run_logdir_is_under_work_logs(monkeypatch, tmp_path):
    monkeypatch.setenv("TDNN_WORK_DIR", str(tmp_path))
    logdir = config.run_logdir("init_bad")
    assert logdir.parent == tmp_path / "logs" / "init_bad"
    for bad in ("", "a/b", 3, "..", "."):
        with pytest.raises(ValueError):
            config.run_logdir(bad)
