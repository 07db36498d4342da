"""Containers: Sequential (a chain of modules) and ModuleList (a registered list)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from chainrule.nn import fusion
from chainrule.nn.module import Module


def _index(idx: int, n: int, kind: str) -> int:
    if not -n <= idx < n:
        raise IndexError(f"{kind} index {idx} is out of range for {n} modules")
    return idx % n


class Sequential(Module):
    """Modules applied one after another: ``forward(x) = m_k(... m_1(x))``.

    Args:
        *modules: the modules, named "0", "1", ...; or a single dict of
            name -> module to choose the names.

    Indexing gives a module, slicing a new ``Sequential`` of the same module
    objects under their original names (so state-dict keys match).

    Example:
        >>> from chainrule import nn
        >>> net = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
        >>> len(net), type(net[0]).__name__, len(net[1:])
        (2, 'Linear', 1)
    """

    def __init__(self, *modules: Module | dict[str, Module]):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), module)

    def __getitem__(self, idx: int | slice) -> Any:
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return type(self)(dict(items[idx]))
        return items[_index(idx, len(items), "Sequential")][1]

    def __setitem__(self, idx: int, module: Module) -> None:
        name = list(self._modules)[_index(idx, len(self._modules), "Sequential")]
        self.add_module(name, module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end (named by its position)."""
        self.add_module(str(len(self)), module)
        return self

    def forward(self, x: Any) -> Any:
        modules = list(self._modules.values())
        i = 0
        while i < len(modules):
            fused = fusion.fused_run(modules, i)
            if fused is None:
                x = modules[i](x)
                i += 1
            else:  # Conv2d, ReLU[, MaxPool2d(2)] as one op: same values, less memory traffic
                x = fused[0](x)
                i += fused[1]
        return x


class ModuleList(Module):
    """A list of modules whose parameters belong to the owner (no forward of its own).

    Args:
        modules: initial modules, named "0", "1", .... Defaults to empty.

    Example:
        >>> from chainrule import nn
        >>> blocks = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
        >>> len(list(blocks.parameters()))
        6
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Any:
        values = list(self._modules.values())
        if isinstance(idx, slice):
            return type(self)(values[idx])
        return values[_index(idx, len(values), "ModuleList")]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> ModuleList:
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        """Add each of ``modules`` at the end, in order."""
        for module in modules:
            self.append(module)
        return self
