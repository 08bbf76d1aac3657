"""Settings for a production build: absolute URLs for a CDN host.

`lms build --publish` reads this file; it starts from pelicanconf.py.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403

SITEURL = _lms.site_url.rstrip("/")  # noqa: F405
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
