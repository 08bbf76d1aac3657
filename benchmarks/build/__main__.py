"""`python -m benchmarks.build`: see benchmarks/README.md."""

import sys

from .runner import main

sys.exit(main())
