"""Start-up time of the listing commands, next to what importing torch would cost.

`ml5 --help` and `ml5 plugins` load every plugin but must not import torch; the ratio to a bare
`python -c pass` and to `python -c "import torch"` is what to watch.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "ml5 --help": [sys.executable, "-m", "ml5", "--help"],
    "ml5 plugins": [sys.executable, "-m", "ml5", "plugins"],
    "python -c 'import torch'": [sys.executable, "-c", "import torch"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_startup(benchmark, name):
    def run():
        subprocess.run(COMMANDS[name], check=True, capture_output=True)

    benchmark.group = "start-up"
    benchmark.pedantic(run, rounds=7, warmup_rounds=1)
