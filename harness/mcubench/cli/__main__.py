"""`python -m mcubench.cli`: the same as the `mcubench` command."""

import sys

from mcubench.cli.main import main

sys.exit(main())
