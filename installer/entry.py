"""The frozen program's entry point: the `classlens` command line (and `classlens gui`)."""

import multiprocessing
import sys

from classlens.cli import main

if __name__ == "__main__":
    # Face work runs in spawned worker processes; a frozen program must let
    # them start as workers instead of as a second ClassLens.
    multiprocessing.freeze_support()
    sys.exit(main())
