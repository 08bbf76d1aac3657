"""Pelican settings of the demo academy: the school's identity and the site's URL scheme.

Deployment settings (where the site and the API live, secrets, database) are `LMS_*`
environment variables read by `site_builder.settings`; this file is the school's own,
versioned with its content.
"""

from site_builder.settings import get_settings

_lms = get_settings()

SITENAME = "Open Harbor Academy"
SITESUBTITLE = "Practical programming and data skills, taught in the open"
AUTHOR = "Open Harbor Academy"
DEFAULT_LANG = "en"  # UI language: "en" or "es" (themes/default/translations)
TIMEZONE = "UTC"
SITEURL = ""  # root-relative links; publishconf.py sets the absolute URL

PATH = str(_lms.content_dir)
THEME = str(_lms.theme)
PLUGINS = ["site_builder.pelican_plugin"]

# Blog posts and pages are Pelican's; courses, lessons, instructors, master classes and
# programs are read by the academy generator from the other folders.
ARTICLE_PATHS = ["blog"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["media"]
ARTICLE_EXCLUDES = []
IGNORE_FILES = [".*", "__pycache__"]

ARTICLE_URL = "blog/{slug}/"
ARTICLE_SAVE_AS = "blog/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
INDEX_SAVE_AS = "blog/index.html"
INDEX_URL = "blog/"
DIRECT_TEMPLATES = ["index"]
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
DEFAULT_PAGINATION = 10

# Never write what is not meant to be public: drafts, hidden pages, per-author/category
# archives (tag pages are the academy's own, listing courses and posts together).
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_LANG_SAVE_AS = ""
DRAFT_PAGE_LANG_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
TAG_URL = "tags/{slug}/"
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

# The feed carries blog posts only (public content); courses and lessons never enter it.
FEED_DOMAIN = _lms.site_url.rstrip("/")
FEED_ALL_ATOM = "feeds/atom.xml"
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RSS_FEED_SUMMARY_ONLY = True
FEED_MAX_ITEMS = 20

# The navigation bar (courses, master classes, instructors, blog) is in the theme's
# base.html so its labels are translated; pages with `menu: true` are appended.
MENUITEMS = []
DISPLAY_PAGES_ON_MENU = True
THEME_STATIC_DIR = "theme"
SUMMARY_MAX_LENGTH = 40

# Reading cache: a rebuild re-reads only changed blog posts and pages.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"
CACHE_PATH = str(_lms.cache_dir / "pelican")
DELETE_OUTPUT_DIRECTORY = False
OUTPUT_RETENTION = []
RELATIVE_URLS = False
SLUGIFY_SOURCE = "basename"
TYPOGRIFY = False
LOG_FILTER = []
