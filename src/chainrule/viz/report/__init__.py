"""The HTML report of a run or a search: one self-contained file, rendered with Jinja2
(autoescaped), images embedded as base64 PNG.

:func:`build_report` reads a folder's files (:mod:`.folder`), builds the sections that
have data (:mod:`.run_sections`, :mod:`.search_sections`) from plain blocks
(:mod:`.blocks`), and renders ``report.html.j2``; :func:`write_report` writes
``<folder>/report.html`` atomically.
"""

from chainrule.viz.report.build import REPORT_FILE, build_report, write_report
from chainrule.viz.report.folder import Folder, read_folder

__all__ = ["REPORT_FILE", "Folder", "build_report", "read_folder", "write_report"]
