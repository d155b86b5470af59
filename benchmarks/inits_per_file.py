"""Many inits in one file (issue 19, row 3): the analysis must stay linear in their number.

    python benchmarks/inits_per_file.py              # N = 5,000 and 10,000 of each shape
    python benchmarks/inits_per_file.py --n 2000

Each shape is generated with N and 2N inits and linted by the real command (``--no-cache``,
one file, so one worker); the figure is the command's CPU time (user + sys of the process and
its worker), which a busy machine disturbs less than wall time. Doubling the inits should
about double the time: a ratio above 3 means something per init scans all the others, and
the script exits 1. The peer is ``ast.parse`` of the same text, measured in the same run.
"""

from __future__ import annotations

import argparse
import ast
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

LIMIT = 3.0  # T(2N) / T(N) above this is not linear


def module_level(n: int) -> str:
    return "\n".join(["import torch.nn as nn"] + [f"m{i} = nn.Linear(4, 4)" for i in range(n)]
                     + [f"nn.init.zeros_(m{i}.weight)" for i in range(n)]) + "\n"


def parameters(n: int) -> str:
    return "\n".join(["import torch", "import torch.nn as nn", "class M(nn.Module):", "    def __init__(self):",
                      "        super().__init__()"]
                     + [f"        self.p{i} = nn.Parameter(torch.zeros(4, 4))" for i in range(n)]) + "\n"


def wired_class(n: int) -> str:
    return "\n".join(["import torch", "import torch.nn as nn", "class M(nn.Module):", "    def __init__(self):",
                      "        super().__init__()"]
                     + [f"        self.l{i} = nn.Linear(4, 4)" for i in range(n)]
                     + [f"        nn.init.zeros_(self.l{i}.weight)" for i in range(n)]
                     + ["    def forward(self, x):"] + [f"        x = torch.relu(self.l{i}(x))" for i in range(n)]
                     + ["        return x"]) + "\n"


def keras_sequential(n: int) -> str:
    return "\n".join(["import keras", "from keras import layers", "model = keras.Sequential(["]
                     + ["    layers.Dense(4, kernel_initializer='zeros')," for _ in range(n)] + ["])"]) + "\n"


def flax_compact(n: int) -> str:
    return "\n".join(["import flax.linen as nn", "class M(nn.Module):", "    @nn.compact", "    def __call__(self, x):"]
                     + ["        x = nn.relu(nn.Dense(4, kernel_init=nn.initializers.zeros)(x))" for _ in range(n)]
                     + ["        return x"]) + "\n"


SHAPES: "dict[str, Callable[[int], str]]" = {
    "module-level zeros_": module_level,
    "nn.Parameter(torch.zeros)": parameters,
    "class layers + forward": wired_class,
    "keras Sequential": keras_sequential,
    "flax compact": flax_compact,
}


def cpu_of_command(path: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "initlint", str(path), "--no-cache", "--exit-zero", "-q",
                           "--timeout", "600"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"initlint failed on {path.name}: {proc.stderr[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def parse_time(text: str) -> float:
    start = time.process_time()
    ast.parse(text)
    return time.process_time() - start


def main(argv: "list[str] | None" = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="inits in the smaller file (default 5000)")
    args = parser.parse_args(argv)
    worst = 0.0
    print(f"{'shape':<28} {'N':>6} {'CPU s':>7} {'2N':>6} {'CPU s':>7} {'ratio':>6}   ast.parse of 2N")
    with tempfile.TemporaryDirectory(prefix="initlint-inits-") as tmp:
        for label, make in SHAPES.items():
            times = []
            for n in (args.n, 2 * args.n):
                path = Path(tmp) / f"{make.__name__}_{n}.py"
                path.write_text(make(n))
                times.append(cpu_of_command(path))
            ratio = times[1] / max(times[0], 1e-9)
            worst = max(worst, ratio)
            print(f"{label:<28} {args.n:>6} {times[0]:>7.2f} {2 * args.n:>6} {times[1]:>7.2f} {ratio:>6.2f}   "
                  f"{parse_time(make(2 * args.n)):.3f} s")
    verdict = "linear" if worst <= LIMIT else f"NOT LINEAR (a ratio above {LIMIT})"
    print(f"worst ratio {worst:.2f}: {verdict}")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    raise SystemExit(main())
