"""Time from `classlens gui --demo` starting to its first window on screen.

    xvfb-run -a -s "-screen 0 1366x768x24" uv run python tools/measure_startup.py

Runs the README command (and the same without uv's environment check) twice in a
fresh data directory: the first start builds
the demo school behind the start-up window, the second opens the built one. Prints
seconds to the first window and to the end of the run (the demo built and the
main window shown), as measured on this machine.
"""

import os
import subprocess
import sys
import tempfile
import time

COMMANDS = {
    "python -m classlens.cli": [sys.executable, "-m", "classlens.cli"],
    "uv run classlens": ["uv", "run", "classlens"],
}


def run(data: str, command: list[str]) -> tuple[float, float]:
    env = {**os.environ, "XDG_DATA_HOME": data, "XDG_CONFIG_HOME": data + "/config",
           "CLASSLENS_REPORT_STARTUP": "1"}
    started = time.time()
    done = subprocess.run([*command, "gui", "--demo", "--user", "ms.khan", "--exit-after",
                           "0.5"], check=False, env=env, capture_output=True, text=True,
                          timeout=600)
    finished = time.time()
    if done.returncode != 0:
        sys.exit(done.stderr)
    shown = next(float(line.split()[1]) for line in done.stderr.splitlines()
                 if line.startswith("classlens-first-window"))
    return shown - started, finished - started - 0.5


def main() -> None:
    for name, command in COMMANDS.items():
        with tempfile.TemporaryDirectory() as data:
            for label in ("first start (builds the demo)", "second start (demo built)"):
                first, total = run(data, command)
                print(f"{name}, {label}: first window after {first:.2f} s; main window "
                      f"after {total:.2f} s")


if __name__ == "__main__":
    main()
