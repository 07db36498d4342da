"""Running a configured job: the layer above train and diagnose, below the CLI.

Each job is one module with one entry function that the command line (and
Python code) calls with a config or a run directory:

- :mod:`~chainrule.runs.train`: ``train_run(config)`` trains into ``runs/<name>/``,
  ``load_run(run_dir)`` rebuilds the trained model and its preprocessing;
- :mod:`~chainrule.runs.evaluate`: ``evaluate_run(run_dir)``, loss and metrics per split;
- :mod:`~chainrule.runs.predict`: ``predict_run(run_dir, inputs)`` on raw inputs;
- :mod:`~chainrule.runs.diagnose`: ``diagnose_run(config)``, the pre-training checks.

:mod:`~chainrule.runs.setup` builds everything a run is made of from its config
(both ``train_run`` and ``diagnose_run`` use it, so a diagnosis examines exactly
the run training would do), and :mod:`~chainrule.runs.folder` names the files
of a run directory. Adding a job (search, explain, report, ...) is adding a
module here and a command module in :mod:`chainrule.cli`.

Layering: ``cli -> runs -> (config, train, diagnose, ...) -> data -> optim -> nn -> autograd``;
io and viz are services anyone may use. Nothing below ``runs`` imports it.
"""
