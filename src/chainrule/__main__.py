"""``python -m chainrule`` is the ``chainrule`` command."""

from chainrule.cli import main

raise SystemExit(main())
