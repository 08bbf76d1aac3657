"""The academy generator: catalog, courses, lessons, instructors, tags, master classes,
programs, sitemap, 404 — and the private bundle the API reads.

It runs inside Pelican's fixed phases: `generate_context` loads the academy (or takes the
one `lms build` already loaded and checked) and renders Markdown; `generate_output` writes
pages after Pelican's own generators have read the blog, so tag and instructor pages can
list posts. Every page goes through an `IncrementalWriter` keyed by the fingerprint of what
the page shows, so a rebuild renders only what changed.

The static/dynamic line is drawn here: a lesson whose `public` flag is false is written as a
shell without its body, and its body and media go to the private bundle instead.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from pelican.generators import Generator
from slugify import slugify

from ..loader import Academy, Course, Instructor, Lesson, load_academy
from ..manifest import body_path, build_manifest
from ..output import IncrementalWriter, fingerprint, tree_fingerprint
from ..problems import ContentError
from ..qr import qr_svg
from ..rendering import RENDERER_VERSION, LinkContext, Renderer, pygments_css
from ..validation import body_media, lesson_media
from .environment import TASK_LABELS, lms_settings

logger = logging.getLogger(__name__)

# Pages rendered and reused by the last build in this process, for `lms build`'s summary.
LAST_STATS: dict[str, int] = {}

#: The account pages (output path, template): static shells whose forms call the accounts
#: API. Never in the sitemap; robots.txt disallows /account/ and each page says noindex.
ACCOUNT_PAGES = (
    ("account/sign-up/index.html", "account/sign_up.html"),
    ("account/sign-in/index.html", "account/sign_in.html"),
    ("account/verify/index.html", "account/verify.html"),
    ("account/forgot-password/index.html", "account/forgot_password.html"),
    ("account/reset-password/index.html", "account/reset_password.html"),
    ("account/settings/index.html", "account/settings.html"),
    ("account/grading/index.html", "account/grading.html"),
    ("account/learning/index.html", "account/learning.html"),
    ("account/checkout/index.html", "account/checkout.html"),
    ("account/payments/index.html", "account/payments.html"),
    ("account/admin/users/index.html", "account/admin_users.html"),
    ("account/admin/certificates/index.html", "account/admin_certificates.html"),
    ("account/admin/orders/index.html", "account/admin_orders.html"),
    ("account/admin/coupons/index.html", "account/admin_coupons.html"),
    # Not an account page, but the same kind of static shell over the API.
    ("certificates/verify/index.html", "certificate_verify.html"),
)


@dataclass
class CourseView:
    """A course with everything its pages need, computed once per build."""

    course: Course
    description_html: str
    instructors: list[Instructor]
    public_media: set[str]
    private_media: set[str]
    fingerprint: str
    image_url: str | None = None
    lesson_html: dict[str, str] = field(default_factory=dict)  # lesson id -> body HTML
    lesson_toc: dict[str, str] = field(default_factory=dict)
    lesson_slides: dict[str, list[str]] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.course.slug


class AcademyGenerator(Generator):
    """Pelican generator for everything in `content/` that is not a blog post or page."""

    def generate_context(self) -> None:
        self.lms = lms_settings(self.settings)
        academy: Academy | None = self.settings.get("LMS_ACADEMY")
        if academy is None:  # plain `pelican` run: load (and refuse invalid content) here
            from ..validation import check_academy

            academy, problems = load_academy(Path(self.settings["PATH"]))
            check_academy(academy, problems)
            if problems:
                raise ContentError(problems.sorted())
        self.academy = academy
        self.site_url = self.settings.get("SITEURL", "")
        translations = self.env.lms_translations
        done, todo = TASK_LABELS
        self.renderer = Renderer(
            task_labels=(translations.gettext(done), translations.gettext(todo))
        )
        self.theme_fp = fingerprint(
            tree_fingerprint([Path(self.settings["THEME"]), Path(__file__).parent.parent]),
            self.site_url,
            self.lms.api_base,
            self.lms.site_url,
            self.lms.live_reload,
            self.lms.adsense_client,
            self.settings.get("SITENAME"),
            self.settings.get("DEFAULT_LANG"),
            json.dumps(self.settings.get("MENUITEMS", []), default=str),
            RENDERER_VERSION,
        )
        self._render_cache = _RenderCache(Path(self.settings["LMS_CACHE_DIR"]) / "render.json")
        self.courses = [self._course_view(c) for c in academy.published_courses]
        self.by_slug = {v.slug: v for v in self.courses}
        self.context["lms_courses"] = self.courses
        self.context["lms_academy"] = academy

    # -- reading -------------------------------------------------------------------------

    def _links(self, course: Course, private: set[str]) -> LinkContext:
        site, api, academy = self.site_url, self.lms.api_base, self.academy

        def lesson_url(course_slug: str, lesson_id: str) -> str | None:
            other = academy.course(course_slug)
            if other is None or other.lesson(lesson_id) is None:
                return None
            return f"{site}/courses/{course_slug}/{lesson_id}/"

        def course_url(slug: str) -> str | None:
            return f"{site}/courses/{slug}/" if academy.course(slug) else None

        def media_url(ref: str) -> str:
            clean = ref.removeprefix("./")
            if clean in private:
                return f"{api}/api/courses/{course.slug}/media/{clean}"
            return f"{site}/courses/{course.slug}/{clean}"

        return LinkContext(lesson_url, course_url, media_url, course.slug)

    def _course_view(self, course: Course) -> CourseView:
        public: set[str] = set(body_media(course.description))
        if course.meta.image:
            public.add(course.meta.image)
        gated: set[str] = set()
        for lesson in course.lessons:
            refs = set(lesson_media(lesson)) | set(body_media(lesson.body))
            (public if lesson.public else gated).update(r.removeprefix("./") for r in refs)
        private = gated - public
        instructors = [
            self.academy.instructors[s]
            for s in course.meta.instructors
            if s in self.academy.instructors
        ]
        course_fp = fingerprint(
            course.digest,
            [(x.id, x.digest) for x in course.lessons],
            [i.digest for i in instructors],
        )
        links = self._links(course, private)
        view = CourseView(
            course=course,
            description_html=self._render(course.digest, course.description, links).html,
            instructors=instructors,
            public_media=public,
            private_media=private,
            fingerprint=course_fp,
        )
        if course.meta.image:
            view.image_url = links.media_url(course.meta.image)
        for lesson in course.lessons:
            if lesson.type == "slides":
                view.lesson_slides[lesson.id] = self.renderer.render_slides(lesson.body, links)
                view.lesson_html[lesson.id] = ""
            else:
                rendered = self._render(lesson.digest, lesson.body, links)
                view.lesson_html[lesson.id] = rendered.html
                view.lesson_toc[lesson.id] = rendered.toc
        return view

    def _render_site_body(self, text: str) -> str:
        """A body outside any course (bio, master class, program): files are under content/."""
        site, academy = self.site_url, self.academy

        def lesson_url(course_slug: str, lesson_id: str) -> str | None:
            course = academy.course(course_slug)
            if course is None or course.lesson(lesson_id) is None:
                return None
            return f"{site}/courses/{course_slug}/{lesson_id}/"

        links = LinkContext(
            lesson_url=lesson_url,
            course_url=lambda slug: f"{site}/courses/{slug}/" if academy.course(slug) else None,
            media_url=lambda ref: f"{site}/{ref.removeprefix('./')}",
        )
        return self.renderer.render(text, links).html

    def _render(self, digest: str, text: str, links: LinkContext) -> Any:
        key = fingerprint(digest, links.course_slug, self.site_url, self.lms.api_base)
        return self._render_cache.get(key, lambda: self.renderer.render(text, links))

    # -- writing -------------------------------------------------------------------------

    def generate_output(self, writer: Any) -> None:
        cache_dir = Path(self.settings["LMS_CACHE_DIR"])
        previous = self.settings.get("LMS_PREVIOUS_OUTPUT")
        out = IncrementalWriter(
            Path(self.output_path), Path(previous) if previous else None, cache_dir / "pages.json"
        )
        private_root = Path(self.settings["LMS_PRIVATE_STAGING"])
        previous_private = self.settings.get("LMS_PREVIOUS_PRIVATE")
        private = IncrementalWriter(
            private_root,
            Path(previous_private) if previous_private else None,
            cache_dir / "private.json",
        )
        articles = list(self.context.get("articles", []))
        site_fp = fingerprint(
            self.theme_fp,
            [v.fingerprint for v in self.courses],
            [(a.source_path, a.title) for a in articles],
            [i.digest for i in self.academy.instructors.values()],
            [m.digest for m in self.academy.masterclasses],
            [p.digest for p in self.academy.programs],
        )
        self._write_catalog(out, site_fp)
        for view in self.courses:
            self._write_course(out, private, view)
        for course in self.academy.courses:
            if not course.published:  # no pages; its staff read it through the API
                self._write_private_course(private, self._course_view(course))
        self._write_instructors(out, site_fp, articles)
        self._write_tags(out, site_fp, articles)
        self._write_masterclasses(out, site_fp)
        self._write_programs(out, site_fp)
        self._write_account_pages(out, site_fp)
        out.write("404.html", site_fp, lambda: self._page("404.html", page_title="404"))
        out.write("theme/css/pygments.css", RENDERER_VERSION, pygments_css)
        self._write_sitemap(out, site_fp, articles)
        self._write_private_bundle(private)
        out.save_state()
        private.save_state()
        self._render_cache.save()
        LAST_STATS.update(rendered=out.rendered, reused=out.reused)
        logger.info("academy pages: %s rendered, %s reused", out.rendered, out.reused)

    def _page(self, template: str, **values: Any) -> str:
        return self.get_template(template.removesuffix(".html")).render(self.context, **values)

    def _write_catalog(self, out: IncrementalWriter, key: str) -> None:
        courses = self.courses
        facets = {
            "levels": sorted({str(v.course.meta.level) for v in courses}, key=_level_order),
            "languages": sorted({v.course.meta.language for v in courses}),
            "tags": sorted({t for v in courses for t in v.course.meta.tags}),
        }
        data = [
            {
                "slug": v.slug,
                "level": str(v.course.meta.level),
                "language": v.course.meta.language,
                "tags": v.course.meta.tags,
                "free": v.course.meta.is_free,
                "text": f"{v.course.title} {v.course.meta.summary}".lower(),
            }
            for v in courses
        ]
        now = dt.datetime.now(dt.UTC)
        upcoming = [
            m for m in self.academy.masterclasses if m.published and m.meta.end_utc() >= now
        ][:3]
        out.write(
            "index.html",
            key,
            lambda: self._page(
                "catalog.html",
                courses=courses,
                facets=facets,
                catalog_data=data,
                upcoming_masterclasses=upcoming,
                canonical="",
            ),
        )

    def _write_private_course(self, private: IncrementalWriter, view: CourseView) -> None:
        """Bodies and media of a draft course: only in the private bundle, for its staff."""
        course = view.course
        key = fingerprint(self.theme_fp, view.fingerprint)
        for ref in sorted(view.private_media):
            source = course.folder / ref
            if source.is_file():
                private.copy(source, f"media/{course.slug}/{ref}")
        for lesson in course.lessons:
            body = partial(self._lesson_body, view, lesson)
            private.write(body_path(lesson), fingerprint(key, lesson.id), body)

    def _write_course(
        self, out: IncrementalWriter, private: IncrementalWriter, view: CourseView
    ) -> None:
        course = view.course
        key = fingerprint(self.theme_fp, view.fingerprint)
        course_url = f"{self.lms.site_url.rstrip('/')}/courses/{course.slug}/"
        for ref in sorted(view.public_media):
            source = course.folder / ref
            if source.is_file():
                out.copy(source, f"courses/{course.slug}/{ref}")
        for ref in sorted(view.private_media):
            source = course.folder / ref
            if source.is_file():
                private.copy(source, f"media/{course.slug}/{ref}")
        out.write(
            f"courses/{course.slug}/index.html",
            key,
            lambda: self._page(
                "course.html",
                view=view,
                course=course,
                share_qr=qr_svg(course_url, f"QR code: {course.title}"),
                json_ld=self._course_json_ld(view, course_url),
                canonical=f"courses/{course.slug}/",
                show_ads=course.meta.is_free,
            ),
        )
        lessons = course.lessons
        for index, lesson in enumerate(lessons):
            previous = lessons[index - 1] if index > 0 else None
            following = lessons[index + 1] if index + 1 < len(lessons) else None
            # Rendered only if one of the two writes below needs it: a rebuild reuses most.
            body = cache(partial(self._lesson_body, view, lesson))
            if not lesson.public:
                private.write(body_path(lesson), fingerprint(key, lesson.id), body)
            out.write(
                f"courses/{course.slug}/{lesson.id}/index.html",
                key,
                lambda lesson=lesson, previous=previous, following=following, body=body: self._page(
                    "lesson.html",
                    view=view,
                    course=course,
                    lesson=lesson,
                    previous_lesson=previous,
                    next_lesson=following,
                    body=body() if lesson.public else None,
                    canonical=lesson.url_path,
                ),
            )

    def _lesson_body(self, view: CourseView, lesson: Lesson) -> str:
        """The lesson's content (media block + text), shared by static page and private bundle."""
        return self.get_template("partials/lesson_body").render(
            self.context,
            view=view,
            course=view.course,
            lesson=lesson,
            body_html=view.lesson_html.get(lesson.id, ""),
            toc=view.lesson_toc.get(lesson.id, ""),
            slides=view.lesson_slides.get(lesson.id, []),
            media_url=self._links(view.course, view.private_media).media_url,
        )

    def _course_json_ld(self, view: CourseView, course_url: str) -> dict[str, Any]:
        course, meta = view.course, view.course.meta
        offer: dict[str, Any] = {"@type": "Offer", "category": "Free" if meta.is_free else "Paid"}
        if meta.price:
            offer.update(price=str(meta.price.amount), priceCurrency=meta.price.currency)
        else:
            offer.update(price="0", priceCurrency="USD")
        return {
            "@context": "https://schema.org",
            "@type": "Course",
            "name": course.title,
            "description": meta.summary,
            "url": course_url,
            "inLanguage": meta.language,
            "educationalLevel": str(meta.level),
            "keywords": ", ".join(meta.tags),
            "provider": {
                "@type": "Organization",
                "name": self.settings.get("SITENAME"),
                "sameAs": self.lms.site_url,
            },
            "instructor": [{"@type": "Person", "name": i.name} for i in view.instructors],
            "offers": [offer],
            "hasCourseInstance": [
                {
                    "@type": "CourseInstance",
                    "courseMode": "Online",
                    "courseWorkload": f"PT{course.duration}M",
                }
            ],
        }

    def _write_instructors(self, out: IncrementalWriter, key: str, articles: list[Any]) -> None:
        people = list(self.academy.instructors.values())
        bios = {i.slug: self._render_site_body(i.bio) for i in people}
        out.write(
            "instructors/index.html",
            key,
            lambda: self._page("instructors.html", instructors=people, canonical="instructors/"),
        )
        for person in people:
            teaches = [v for v in self.courses if person.slug in v.course.meta.instructors]
            posts = [a for a in articles if getattr(a, "author_slug", None) == person.slug]
            hosts = [m for m in self.academy.masterclasses if person.slug in m.meta.instructors]
            out.write(
                f"instructors/{person.slug}/index.html",
                key,
                lambda person=person, teaches=teaches, posts=posts, hosts=hosts: self._page(
                    "instructor.html",
                    instructor=person,
                    bio_html=bios[person.slug],
                    courses=teaches,
                    posts=posts,
                    masterclasses=[m for m in hosts if m.published],
                    canonical=f"instructors/{person.slug}/",
                ),
            )

    def _write_tags(self, out: IncrementalWriter, key: str, articles: list[Any]) -> None:
        tagged: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"name": "", "courses": [], "posts": []}
        )
        for view in self.courses:
            for tag in view.course.meta.tags:
                entry = tagged[slugify(tag)]
                entry["name"] = tag
                entry["courses"].append(view)
        for article in articles:
            for tag in getattr(article, "tags", []) or []:
                entry = tagged[slugify(str(tag))]
                entry["name"] = entry["name"] or str(tag)
                entry["posts"].append(article)
        ordered = sorted(tagged.items())
        out.write(
            "tags/index.html",
            key,
            lambda: self._page("tags.html", tags=ordered, canonical="tags/"),
        )
        for slug, entry in ordered:
            out.write(
                f"tags/{slug}/index.html",
                key,
                lambda slug=slug, entry=entry: self._page(
                    "tag.html", tag=entry, tag_slug=slug, canonical=f"tags/{slug}/"
                ),
            )

    def _write_masterclasses(self, out: IncrementalWriter, key: str) -> None:
        now = dt.datetime.now(dt.UTC)
        published = [m for m in self.academy.masterclasses if m.published]
        upcoming = [m for m in published if m.meta.end_utc() >= now]
        past = [m for m in published if m.meta.end_utc() < now]
        out.write(
            "masterclasses/index.html",
            fingerprint(key, [m.slug for m in upcoming]),
            lambda: self._page(
                "masterclasses.html",
                upcoming=upcoming,
                past=list(reversed(past)),
                canonical="masterclasses/",
            ),
        )
        for masterclass in published:
            out.write(
                f"masterclasses/{masterclass.slug}/index.html",
                key,
                lambda m=masterclass: self._page(
                    "masterclass.html",
                    masterclass=m,
                    description_html=self._render_site_body(m.description),
                    hosts=[self.academy.instructors[s] for s in m.meta.instructors],
                    image_url=f"{self.site_url}/{m.meta.image}" if m.meta.image else None,
                    canonical=f"masterclasses/{m.slug}/",
                ),
            )

    def _write_programs(self, out: IncrementalWriter, key: str) -> None:
        for program in self.academy.programs:
            if str(program.meta.status) != "published":
                continue
            out.write(
                f"programs/{program.slug}/index.html",
                key,
                lambda p=program: self._page(
                    "program.html",
                    program=p,
                    description_html=self._render_site_body(p.description),
                    courses=[self.by_slug[s] for s in p.meta.courses if s in self.by_slug],
                    canonical=f"programs/{p.slug}/",
                ),
            )

    def _write_account_pages(self, out: IncrementalWriter, key: str) -> None:
        for path, template in ACCOUNT_PAGES:
            out.write(path, key, lambda template=template: self._page(template))

    def _write_private_bundle(self, private: IncrementalWriter) -> None:
        manifest = build_manifest(
            self.academy, self.lms.site_url, str(self.settings.get("SITENAME", ""))
        )
        key = fingerprint(manifest.version, manifest.site_url, manifest.site_name, "manifest")
        private.write("manifest.json", key, manifest.model_dump_json)

    def _write_sitemap(self, out: IncrementalWriter, key: str, articles: list[Any]) -> None:
        """Public pages only: never a gated shell, a draft, a hidden page or a private file."""
        paths = ["", "instructors/", "masterclasses/", "tags/", "blog/"]
        for view in self.courses:
            paths.append(view.course.url_path)
            paths.extend(x.url_path for x in view.course.lessons if x.public)
        paths.extend(f"instructors/{s}/" for s in self.academy.instructors)
        paths.extend(f"masterclasses/{m.slug}/" for m in self.academy.masterclasses if m.published)
        paths.extend(
            f"programs/{p.slug}/"
            for p in self.academy.programs
            if str(p.meta.status) == "published"
        )
        paths.extend(a.url for a in articles)
        paths.extend(p.url for p in self.context.get("pages", []))
        base = self.lms.site_url.rstrip("/")
        entries = "".join(f"<url><loc>{escape(f'{base}/{p}')}</loc></url>\n" for p in paths)
        out.write(
            "sitemap.xml",
            fingerprint(key, paths),
            lambda: (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{entries}</urlset>\n"
            ),
        )
        out.write(
            "robots.txt",
            fingerprint(key, base),
            lambda: f"User-agent: *\nDisallow: /account/\nSitemap: {base}/sitemap.xml\n",
        )


def _level_order(level: str) -> int:
    return ["beginner", "intermediate", "advanced"].index(level)


class _RenderCache:
    """Rendered Markdown by content fingerprint, kept between builds in `var/cache/`."""

    def __init__(self, path: Path) -> None:
        from ..rendering import Rendered

        self._rendered = Rendered
        self.path = path
        self.entries: dict[str, list[str]] = {}
        self.used: dict[str, list[str]] = {}
        if path.is_file():
            try:
                self.entries = json.loads(path.read_text())
            except (OSError, ValueError):
                self.entries = {}

    def get(self, key: str, render: Any) -> Any:
        hit = self.entries.get(key)
        if hit is None:
            result = render()
            hit = [result.html, result.toc]
        self.used[key] = hit
        return self._rendered(*hit)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.used))
