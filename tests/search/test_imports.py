import subprocess
import sys


def test_optuna_is_imported_only_when_a_search_runs():
    code = ("import sys, chainrule, chainrule.search, chainrule.ensemble; "
            "print(sorted(m for m in ('optuna', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
