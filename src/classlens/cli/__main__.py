"""`python -m classlens.cli`: the same as the `classlens` command."""

import sys

from classlens.cli import main

sys.exit(main())
