"""`python -m benchmarks.certificates`: see benchmarks/certificates/README.md."""

import sys

from .runner import main

sys.exit(main())
