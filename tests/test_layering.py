"""The layering of README's "What is inside", checked from the imports themselves (every
``import`` in src/chainrule, at module level or inside a function): no package imports one
above it. The few known exceptions are listed with their reason."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "chainrule"
CONCEPTS = {"autograd", "functional", "nn", "optim", "data", "train", "diagnose", "search",
            "explain", "sklearn", "distributed", "ensemble", "transfer", "config", "runs", "cli"}

# package -> packages it must not import
FORBIDDEN = {
    "autograd": CONCEPTS - {"autograd"},
    "functional": CONCEPTS - {"functional", "autograd"},
    "nn": CONCEPTS - {"nn", "functional", "autograd"},
    "optim": CONCEPTS - {"optim", "nn", "functional", "autograd"},
    "data": CONCEPTS - {"data", "optim", "nn", "functional", "autograd"},
    "train": {"diagnose", "search", "explain", "sklearn", "distributed", "ensemble", "config",
              "runs", "cli"},
    **{side: {"config", "runs", "cli"} for side in
       ("diagnose", "search", "explain", "sklearn", "distributed", "ensemble", "transfer")},
    "config": {"runs", "cli"},
    "runs": {"cli"},
    "cli": CONCEPTS - {"cli", "runs"},
    "io": CONCEPTS - {"autograd"},  # a service: tensors in and out, no other concept
    "viz": CONCEPTS,  # plain data in, a Figure out
}
KNOWN = {
    ("search", "config"): "the search space is made of config keys (search/space, strategy)",
    ("search", "runs"): "chainrule.search.run is a lazy alias of chainrule.runs.search.run",
    ("io", "nn"): "load_torch and export_onnx map nn layers (io/torch.py, io/onnx.py)",
    ("cli", "distributed"): "cli/train.py asks distributed.world() whether this rank prints",
    ("explain", "runs"): "bootstrap(config, ...) refits a run config through "
                         "runs.replicates, imported only when a config is passed",
}


def _imports() -> dict[tuple[str, str], set[str]]:
    """(importing package, imported package) -> files, over every import statement."""
    edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        here = rel.parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module] + ([f"chainrule.{a.name}" for a in node.names]
                                         if node.module == "chainrule" else [])
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "chainrule" and len(parts) > 1 and parts[1] != here:
                    edges[here, parts[1]].add(str(rel))
    return edges


def test_no_package_imports_one_above_it():
    edges = _imports()
    assert ("explain", "train") in edges and ("runs", "config") in edges  # the scan sees them
    bad = {f"{a} -> {b} ({', '.join(sorted(files))})" for (a, b), files in edges.items()
           if b in FORBIDDEN.get(a, ()) and (a, b) not in KNOWN}
    assert not bad, "upward imports:\n" + "\n".join(sorted(bad))


def test_ops_import_only_function_numpy_and_their_kernels():
    allowed = ("chainrule.autograd.function", "chainrule.autograd.ops", "chainrule.jit")
    for path in (SRC / "autograd" / "ops").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chainrule"):
                assert node.module.startswith(allowed), f"{path.name} imports {node.module}"


def test_the_known_exceptions_still_exist():
    edges = _imports()
    assert set(KNOWN) <= set(edges), f"no longer needed: {set(KNOWN) - set(edges)}"
