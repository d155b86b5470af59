"""allow/select/ignore/steps, the report object, the failure message, and import hygiene."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch import nn

import initlint
from initlint import InitCheckError, InitReport, Problem, check_model_init
from initlint.runtime.report import allow_pattern

SRC = str(Path(initlint.__file__).resolve().parents[1])


class Stack(nn.Module):
    """Three blocks, each with a zero hidden layer and an eye_ on a non-square layer."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(nn.ModuleDict({"up": nn.Linear(4, 8), "mix": nn.Linear(2, 8)}) for _ in range(3))
        for block in self.layers:
            nn.init.zeros_(block["mix"].weight)
            nn.init.eye_(block["up"].weight)


def run(model, **kw):
    return check_model_init(model, raise_on_problem=False, **kw)


def test_error_message_lists_every_problem_with_name_shape_code_and_fix():
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    nn.init.eye_(model[0].weight)
    nn.init.zeros_(model[2].weight)
    with pytest.raises(InitCheckError) as err:
        check_model_init(model)
    text = str(err.value)
    assert isinstance(err.value, AssertionError)
    assert "2 problems in Sequential" in text
    assert "0.weight shape (16, 4): INI005 symmetric-units" in text
    assert "2.weight shape (3, 16): INI001 zero-weight" in text
    assert text.count("fix: ") == 2 and "kaiming_uniform_" in text
    assert 'allow=["2.weight"]' in text
    assert err.value.report.problems[0].code == "INI005"


def test_report_object():
    report = run(Stack())
    assert isinstance(report, InitReport) and not report.ok
    p = report.problems[0]
    assert isinstance(p, Problem)
    assert (p.code, p.name, p.shape, p.rule) == ("INI005", "layers.0.up.weight", (8, 4), "symmetric-units")
    assert p.suggestion and p.message
    assert str(report).startswith("check_model_init: 6 problems in Stack")
    healthy = check_model_init(nn.Linear(3, 3))
    assert healthy.ok and "no problems" in str(healthy)


def test_allow_globs_and_suggested_pattern():
    report = run(Stack())
    assert {p.code for p in report.problems} == {"INI001", "INI005"} and len(report.problems) == 6
    zero = [p for p in report.problems if p.code == "INI001"][0]
    assert zero.allow == "layers.*.mix.weight"
    assert f'allow=["{zero.allow}"]' in str(zero)
    report = run(Stack(), allow=["*.mix.*"])
    assert len(report.problems) == 3 and len(report.allowed) == 3
    assert "3 allowed" in str(report)
    assert run(Stack(), allow="*.mix.*").problems == report.problems  # a bare string is one pattern
    assert run(Stack(), allow=["*.mix.*", "layers.*.up.weight"]).ok


def test_allow_pattern_is_never_too_broad():
    assert allow_pattern("0.weight") == "0.weight"
    assert allow_pattern("encoder.layers.11.fc.weight") == "encoder.layers.*.fc.weight"
    assert allow_pattern("sequential/dense_1/kernel") == "sequential/dense_1/kernel"


def test_select_and_ignore_with_prefixes():
    assert {p.code for p in run(Stack(), select=["INI005"]).problems} == {"INI005"}
    assert {p.code for p in run(Stack(), select="INI00").problems} == {"INI001", "INI005"}
    assert {p.code for p in run(Stack(), ignore=["INI001"]).problems} == {"INI005"}
    assert run(Stack(), ignore=["INI"]).ok
    with pytest.raises(ValueError, match="unknown rule code"):
        run(Stack(), select=["XYZ1"])


def test_ignoring_the_top_code_falls_back_to_the_next():
    model = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2))
    nn.init.zeros_(model[0].weight)
    nn.init.zeros_(model[0].bias)
    x = torch.randn(5, 4)
    assert [p.code for p in run(model, example_inputs=x).problems] == ["INI004"]
    assert [p.code for p in run(model, example_inputs=x, ignore=["INI004"]).problems] == ["INI001"]


@pytest.mark.parametrize("steps", [0, 1, -3, 2.5, True, "3"])
def test_steps_must_be_at_least_two(steps):
    with pytest.raises(ValueError, match="steps"):
        check_model_init(nn.Linear(2, 2), steps=steps)


def test_more_steps_and_tuple_and_dict_inputs():
    class TwoIn(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 4), nn.Linear(5, 4)

        def forward(self, x, y=None):
            return {"sum": self.a(x) + self.b(y), "extra": [self.a(x).relu()], "ids": torch.arange(3)}

    model = TwoIn()
    x, y = torch.randn(2, 3), torch.randn(2, 5)
    assert check_model_init(model, example_inputs=(x, y), steps=5).probe_steps == 5
    assert check_model_init(model, example_inputs={"x": x, "y": y}).ok


def test_not_a_model():
    with pytest.raises(TypeError, match="torch.nn.Module or a Keras 3 model"):
        check_model_init(object())


def test_importing_initlint_runtime_imports_no_framework():
    code = (
        "import sys, initlint, initlint.runtime\n"
        "from initlint import check_model_init\n"
        "assert 'torch' not in sys.modules and 'keras' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": SRC})


def test_checking_a_torch_model_never_imports_keras():
    code = (
        "import sys, torch\n"
        "from initlint import check_model_init\n"
        "check_model_init(torch.nn.Linear(3, 3), example_inputs=torch.randn(2, 3))\n"
        "assert 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": SRC})


def test_failing_check_inside_pytest_prints_an_actionable_message(tmp_path):
    test_file = tmp_path / "test_bad_model.py"
    test_file.write_text(
        "import torch\n"
        "from torch import nn\n"
        "from initlint import check_model_init\n\n"
        "def test_init():\n"
        "    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))\n"
        "    nn.init.constant_(model[0].weight, 0.0)\n"
        "    check_model_init(model)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )
    out = proc.stdout
    assert proc.returncode == 1, out + proc.stderr
    assert "InitCheckError" in out
    assert "0.weight shape (5, 10): INI001 zero-weight" in out
    assert "fix: initialise it randomly" in out
    assert 'allow=["0.weight"]' in out
    # __tracebackhide__: the report, not initlint's own frames
    assert "raise InitCheckError" not in out and "initlint/runtime" not in out, out


def test_probe_error_is_exported():
    from initlint import ProbeError
    from initlint.runtime import ProbeError as runtime_probe_error

    assert ProbeError is runtime_probe_error and issubclass(ProbeError, RuntimeError)
    assert "ProbeError" in initlint.__all__


def test_allow_patterns_that_match_nothing_warn():
    with pytest.warns(UserWarning, match=r"allow pattern '\*\.lora_b\.\*' matches no tensor of Stack"):
        run(Stack(), allow=["*.mix.*", "*.lora_b.*"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(nn.Linear(2, 2), allow=["weight"])  # matches a tensor (even a healthy one): no warning


class Deep(nn.Module):
    """Twelve identical blocks with the same bug: one paragraph in the report."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(nn.ModuleDict({"mix": nn.Linear(4, 4)}) for _ in range(12))
        for block in self.layers:
            nn.init.zeros_(block["mix"].weight)


def test_repeated_layers_are_grouped_in_the_message():
    report = run(Deep())
    assert len(report.problems) == 12
    text = str(report)
    assert text.count("INI001 zero-weight") == 1
    assert "layers.{0-11}.mix.weight (12 tensors) shape (4, 4): INI001 zero-weight" in text
    assert 'allow=["layers.*.mix.weight"]' in text
    # JAX names use "/": grouped the same way
    jax_style = InitReport(model="MLP", framework="flax", problems=[
        Problem("INI001", f"params/layers/{i}/mix/kernel", "all zero", (4, 4),
                "zero-weight", "fix", framework="flax") for i in range(3)])
    assert "params/layers/{0-2}/mix/kernel (3 tensors) shape (4, 4): INI001" in str(jax_style)


def test_report_to_dict_and_json():
    report = run(Stack(), allow=["*.mix.*"])
    data = report.to_dict()
    assert json.loads(report.to_json()) == data
    assert data["ok"] is False and data["model"] == "Stack" and data["checked"] == report.checked
    assert [p["code"] for p in data["problems"]] == ["INI005"] * 3
    assert data["problems"][0]["shape"] == [8, 4] and data["problems"][0]["allow"] == "layers.*.up.weight"
    assert [p["name"] for p in data["allowed"]] == [f"layers.{i}.mix.weight" for i in range(3)]
    assert data["summary"] == report.summary()


def test_nothing_checked_is_a_note_and_a_warning():
    with torch.device("meta"):
        model = nn.Linear(4, 4)
    with pytest.warns(UserWarning, match="nothing was checked"):
        report = run(model)
    assert report.ok and report.checked == 0 and any(n.startswith("nothing was checked") for n in report.notes)
    with pytest.warns(UserWarning, match="nothing was checked"):
        run(nn.ReLU())


def test_codes_precedence_and_fixes_come_from_the_catalog():
    from initlint.catalog import JAX_LIBRARIES, RULES, RUNTIME_CODES, RUNTIME_FIXES, RUNTIME_PRECEDENCE, runtime_fix

    assert set(RUNTIME_PRECEDENCE) == RUNTIME_CODES == set(RUNTIME_FIXES) == {c for c, r in RULES.items() if r.runtime != "—"}
    for code in RUNTIME_CODES:
        for framework in ("torch", "keras", *JAX_LIBRARIES):
            fix = runtime_fix(code, framework)
            assert fix and "{" not in fix, (code, framework)
    report = run(Stack(), select="INI00")
    assert all(p.suggestion == runtime_fix(p.code, "torch") for p in report.problems)
    # the most specific code wins: NaN in a zero weight is INI006, not INI001
    model = nn.Linear(4, 4)
    with torch.no_grad():
        model.weight.zero_()
        model.weight[0, 0] = float("nan")
    assert [p.code for p in run(model).problems] == ["INI006"]
    assert [p.code for p in run(model, ignore="INI006").problems] == []  # (not all zero: no INI001 either)
