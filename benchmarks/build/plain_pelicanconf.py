"""Settings of the plain-Pelican side of the benchmark: no plugins, the stock `notmyidea` theme.

The worker overrides PATH, OUTPUT_PATH, CACHE_PATH and THEME. What is kept, and why, is in
benchmarks/README.md; in short: every article page, one page per category (= a course page),
the category list (= our catalog), the same Markdown extensions as `site_builder.rendering`,
and the same reading cache as our pelicanconf.py. What our site has no equivalent for (feeds
of 5,000 full articles, per-author and per-tag lists of thousands of articles, date archives,
an index of every article) is switched off.
"""

SITENAME = "Plain Pelican benchmark"
AUTHOR = "Benchmark"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGINS = []  # no namespace-plugin discovery either

ARTICLE_PATHS = [""]
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
ARTICLE_URL = "courses/{slug}/"
ARTICLE_SAVE_AS = "courses/{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
DIRECT_TEMPLATES = ["categories"]
CATEGORIES_SAVE_AS = "index.html"
DEFAULT_PAGINATION = False  # a category page lists all its lessons, like our course page

TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
TAG_FEED_RSS = None

# The extensions and options of site_builder.rendering (Pelican adds its `meta` extension).
from site_builder.rendering import EXTENSION_CONFIGS, EXTENSIONS  # noqa: E402

MARKDOWN = {
    "extensions": list(EXTENSIONS),
    "extension_configs": EXTENSION_CONFIGS,
    "output_format": "html",
}

# The reading cache, as in our pelicanconf.py.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"
DELETE_OUTPUT_DIRECTORY = False
RELATIVE_URLS = False
TYPOGRIFY = False
