"""Settings for a production build: absolute URLs for a CDN host.

`lms build --publish` reads this file; it starts from pelicanconf.py.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: F403
from pelicanconf import _lms  # a star import skips underscore names

SITEURL = _lms.site_url.rstrip("/")
RELATIVE_URLS = False
LOAD_CONTENT_CACHE = False
