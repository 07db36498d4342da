"""Load a script from examples/ as a module, so tests can call its functions.

examples/ goes on ``sys.path`` as it does for ``python examples/<name>.py``, so a script
finds its sibling modules (``_script``, another example).
"""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))


def load_example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (a fresh module object each call)."""
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
