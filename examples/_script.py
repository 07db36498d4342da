"""What every example script does around its experiment: parse the example's options plus
``--seed`` and ``--plot``, run, print the summary, and save the figure when asked."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any


def example_main(doc: str, add_options: Callable[[argparse.ArgumentParser], None],
                 run: Callable[[argparse.Namespace], Any],
                 summary: Callable[[Any, argparse.Namespace], str],
                 plot: Callable[[Any], Any], plot_what: str,
                 argv: Sequence[str] | None) -> Any:
    """Parse ``argv`` (the example's options, ``--seed`` default 0, ``--plot PNG``), call
    ``run(args)``, print ``summary(results, args)``, and with ``--plot`` save ``plot(results)``
    (a matplotlib Figure showing ``plot_what``) there. Returns the results."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    add_options(parser)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", metavar="PNG", help=f"write {plot_what} to this PNG")
    args = parser.parse_args(argv)
    results = run(args)
    print(summary(results, args))
    if args.plot:
        from chainrule.viz import save_figure

        print(f"plot: {save_figure(plot(results), args.plot)}")
    return results
