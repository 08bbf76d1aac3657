"""`python -m benchmarks.api`: see benchmarks/api/README.md."""

import sys

from .runner import main

sys.exit(main())
