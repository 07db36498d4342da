"""``python -m chainrule`` is the ``chainrule`` command."""

from chainrule.cli import command

raise SystemExit(command())
