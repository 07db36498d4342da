"""Running the `chainrule` command in a subprocess, and a small config for it."""

import os
import subprocess
import sys

SMALL = """
name = "small"
preprocess = [{name = "standardize"}]

[data]
dataset = "digits"
test_fraction = 0.2
val_fraction = 0.15

[[augment]]
name = "noise"
std = 0.05

[model]
layers = [
  {type = "linear", out_features = 32},
  {type = "relu"},
  {type = "dropout", p = 0.2},
  {type = "linear", out_features = 10},
]

[regularization]
l2 = 1e-4

[optimizer]
name = "adam"
lr = 3e-3

[schedule]
name = "cosine"

[train]
epochs = %(epochs)d
batch_size = 32
seed = 7
checkpoint_every_steps = %(every)d
"""


def chainrule(*args, cwd, check=True, **kwargs):
    env = {**os.environ, "CI": "1"}
    proc = subprocess.run([sys.executable, "-m", "chainrule", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(f"chainrule {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc

