"""``import chainrule`` stays light: heavy libraries load where they are used (PEP 562 for
the subpackages), and ``chainrule --help`` loads none of them either."""

import subprocess
import sys

import pytest

HEAVY = ("scipy", "matplotlib", "sklearn", "pydantic", "rich", "numba", "pandas", "optuna",
         "jinja2", "mpi4py", "onnx", "torch")


def _loaded_after(code: str) -> list[str]:
    probe = (f"{code}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return out.split()


def test_import_chainrule_loads_no_heavy_library():
    assert _loaded_after("import chainrule as cr\ncr.tensor([1.0]).sum()") == []


def test_help_loads_no_heavy_library():
    code = ("import contextlib, io\nfrom chainrule.cli import main\n"
            "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['--help'])")
    assert _loaded_after(code) == []


def test_subpackages_and_lazy_names_import_on_first_use():
    import chainrule as cr

    assert cr.nn.Linear.__module__ == "chainrule.nn.layers"
    assert cr.save is cr.io.save and cr.load is cr.io.load
    assert {"nn", "optim", "data", "runs", "jit", "save"} <= set(dir(cr))
    assert cr.jit.lazy_njit  # any module of the package is a lazy attribute, none listed by hand
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        cr.nope  # noqa: B018
