"""Exercise self-checks: right, wrong and not-yet-attempted answers."""

import numpy as np
import pytest

from helpers import check_condition, check_function, check_value


def test_check_value(capsys):
    assert check_value("sqrt", np.sqrt(2), 1.41421356, rtol=1e-6)
    assert not check_value("sqrt", 1.5, np.sqrt(2), hint="Take the square root.")
    assert not check_value("sqrt", ..., np.sqrt(2))
    assert not check_value("sqrt", [1.0, 2.0], 1.0)  # wrong shape: feedback, no crash
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[✓]") and out[1].startswith("[✗]") and "square root" in out[1]
    assert out[2].startswith("[ ]") and "not attempted" in out[2] and out[3].startswith("[✗]")
    with pytest.raises(ValueError):
        check_value("", 1.0, 1.0)


def test_check_function(capsys):
    cases = [((4,), 2.0), ((9,), 3.0)]
    assert check_function("root", np.sqrt, cases)
    assert not check_function("root", lambda v: v / 2, cases)  # right for 4, wrong for 9

    def todo(v):
        raise NotImplementedError

    def stub(v): ...

    assert not check_function("root", todo, cases)
    assert not check_function("root", stub, cases)
    out = capsys.readouterr().out
    assert out.count("[ ]") == 2 and "(9,)" in out
    with pytest.raises(TypeError):
        check_function("root", 3, cases)
    with pytest.raises(ValueError):
        check_function("root", np.sqrt, [])


def test_check_condition(capsys):
    assert check_condition("scale", 2.0, lambda s: 1.5 < s < 2.5)
    assert not check_condition("scale", 1.0, lambda s: 1.5 < s < 2.5, hint="ReLU halves the variance.")
    assert not check_condition("scale", None, lambda s: True)
    assert "halves" in capsys.readouterr().out
    with pytest.raises(TypeError):
        check_condition("scale", 1.0, "not callable")


def test_check_condition_with_a_function_answer(capsys):
    def stub(x): ...

    def todo(x):
        raise NotImplementedError

    def broken(x):
        return x["key"]

    def double(x):
        return 2 * x

    assert not check_condition("f", stub, lambda f: f(3) + 1 == 7)  # None + 1 -> TypeError
    assert not check_condition("f", todo, lambda f: f(3) == 6)
    assert not check_condition("f", broken, lambda f: f(3) == 6)
    assert check_condition("f", double, lambda f: f(3) == 6)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[ ]") and out[1].startswith("[ ]")
    assert out[2].startswith("[✗]") and "TypeError" in out[2] and out[3].startswith("[✓]")


def test_check_choice(capsys):
    from helpers import check_choice

    assert check_choice("q", "b", "b", options="abcd")
    assert check_choice("q", " B ", "b", options="abcd")  # case and spaces do not matter
    assert check_choice("q", "ca", "ac", options="abcde")  # several letters, any order
    assert check_choice("q", ["a", "c"], {"a", "c"}, options="abcde")
    assert not check_choice("q", "a", "ac", options="abcde", hint="Two are true.")
    assert not check_choice("q", "ab", "ac", options="abcde")
    assert not check_choice("q", "z", "b", options="abcd")  # not an option: feedback, no crash
    assert not check_choice("q", 3, "b", options="abcd")
    assert not check_choice("q", ..., "b", options="abcd")
    out = capsys.readouterr().out.splitlines()
    assert all(line.startswith("[✓]") for line in out[:4])
    assert "more than that" in out[4] and "Two are true" in out[4]
    assert out[5].startswith("[✗]") and "a, b, c, d" in out[6] and "a, b, c, d" in out[7]
    assert out[8].startswith("[ ]")
    with pytest.raises(ValueError, match="options"):
        check_choice("q", "a", "a", options="a")
    with pytest.raises(ValueError, match="correct"):
        check_choice("q", "a", "e", options="abcd")
    with pytest.raises(ValueError, match="name"):
        check_choice("", "a", "a", options="ab")
