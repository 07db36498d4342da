"""The ``chainrule`` command: one small module per command, each a thin door into
:mod:`chainrule.runs`.

Adding a command is adding one file ``chainrule/cli/<command>.py`` (an underscore
in the file name becomes a dash in the command) that defines:

- ``HELP: str``: the one line shown by ``chainrule --help``;
- ``add_arguments(parser: argparse.ArgumentParser) -> None``: its arguments;
- ``run(args: argparse.Namespace) -> int``: parse nothing more, call the job in
  :mod:`chainrule.runs` and print; returns the exit status.

The module's docstring is the command's ``--help`` description (put examples
there). Commands are found automatically (modules whose name starts with ``_``
are helpers). Keep the module's top-level imports to ``argparse`` and the
like, and import the job inside ``run``: ``chainrule --help`` imports every
command module and must stay fast.

Errors: a user error (``ValueError``, which includes ``ConfigError`` and
``CheckpointError``, or ``OSError`` such as a missing file) prints one line
``chainrule <command>: <message>`` on stderr and exits with status 2; Ctrl-C
exits with 130. Both are handled here once, for every command.

Layer: the top. Imports only :mod:`chainrule.runs` (inside each command's ``run``).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import pkgutil
import sys
from types import ModuleType

USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, OSError)
"""Exceptions that are the user's to fix (bad config, input or file): one line, exit 2."""


def commands() -> dict[str, ModuleType]:
    """Every command module in this package, by command name, sorted."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            found[info.name.replace("_", "-")] = importlib.import_module(f"{__name__}.{info.name}")
    return found


def build_parser() -> argparse.ArgumentParser:
    """The ``chainrule`` parser with one sub-parser per command module."""
    parser = argparse.ArgumentParser(
        prog="chainrule", description="Train, evaluate and inspect neural networks.",
        epilog="`chainrule COMMAND --help` shows a command's options and examples.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in commands().items():
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``chainrule`` with ``argv`` (default: the process's arguments); the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.run(args)
    except USER_ERRORS as exc:
        print(f"chainrule {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"chainrule {args.command}: {exc or 'interrupted'}", file=sys.stderr)
        return 130


def command() -> int:
    """The ``chainrule`` command (and ``python -m chainrule``): :func:`main`, then the
    process ends without the interpreter's cyclic collections over every object the
    command loaded (scikit-learn, matplotlib, numba, Optuna: 0.5-0.8 s after a search's
    last line); everything the command wrote is closed by then."""
    status = main()
    gc.freeze()
    return status
