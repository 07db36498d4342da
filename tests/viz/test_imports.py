"""viz is a service: it must import neither train nor diagnose (they call it)."""

import subprocess
import sys
from pathlib import Path

import chainrule

SRC = Path(chainrule.__file__).parent.parent

# Loads chainrule.viz and every submodule with chainrule's own __init__ bypassed (it may import
# the whole library), and with train and diagnose made unimportable.
SCRIPT = f"""
import importlib, importlib.abc, pkgutil, sys, types
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[:2] in (["chainrule", "train"], ["chainrule", "diagnose"]):
            raise ImportError("viz imported " + name)
sys.meta_path.insert(0, Block())
pkg = types.ModuleType("chainrule"); pkg.__path__ = [{str(SRC / "chainrule")!r}]
sys.modules["chainrule"] = pkg
import chainrule.viz as viz
for info in pkgutil.walk_packages(viz.__path__, "chainrule.viz."):
    importlib.import_module(info.name)
print(sorted(m for m in sys.modules if m.startswith(("chainrule.train", "chainrule.diagnose"))))
print("matplotlib" in sys.modules)
"""


def test_viz_imports_neither_train_nor_diagnose_nor_matplotlib_eagerly():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["[]", "False"]
