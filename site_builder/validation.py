"""Rules that span files: ids, links, media, groups, references between content.

Per-file rules (types, required fields, a question without a key, a master class that
ends before it starts) live in the models; what needs the whole academy lives here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from .loader import Academy, Course, Lesson
from .models import Requirement
from .problems import Problems

# Markdown links and images: [text](target) / ![alt](target), target without spaces.
MD_LINK = re.compile(r"(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
RESERVED_LESSON_IDS = {"media", "index", "certificate", "evaluation"}
DEFAULT_THEME_DIR = Path(__file__).resolve().parent.parent / "themes" / "default"


def check_academy(academy: Academy, problems: Problems) -> None:
    """Run every cross-file rule; problems are collected, never raised."""
    for course in academy.courses:
        _check_course_refs(academy, course, problems)
        _check_lesson_ids(course, problems)
        _check_alternative_groups(course, problems)
        for lesson in course.lessons:
            _check_lesson_media(course, lesson, problems)
            _check_links(academy, course, lesson.source, lesson.body, lesson.body_line, problems)
        _check_links(
            academy, course, course.source, course.description, course.description_line, problems
        )
        if course.meta.image:
            _check_file(course.folder, course.meta.image, course.source, problems)
    for masterclass in academy.masterclasses:
        for slug in masterclass.meta.instructors:
            if slug not in academy.instructors:
                _unknown_instructor(masterclass.source, slug, academy, problems)
        _check_links(
            academy,
            None,
            masterclass.source,
            masterclass.description,
            masterclass.body_line,
            problems,
        )
        if masterclass.meta.image:
            _check_file(academy.root, masterclass.meta.image, masterclass.source, problems)
    for instructor in academy.instructors.values():
        _check_links(
            academy, None, instructor.source, instructor.bio, instructor.body_line, problems
        )
        if instructor.meta.avatar:
            _check_file(academy.root, instructor.meta.avatar, instructor.source, problems)
    known = {c.slug for c in academy.courses}
    for program in academy.programs:
        _check_links(
            academy, None, program.source, program.description, program.body_line, problems
        )
        if program.meta.image:
            _check_file(academy.root, program.meta.image, program.source, problems)
        for slug in program.meta.courses:
            if slug not in known:
                problems.add(
                    program.source,
                    line_of(program.source, slug),
                    f"program lists unknown course `{slug}`",
                    f"known courses: {', '.join(sorted(known))}",
                )
    _check_articles(academy, problems)


def check_certificate_designs(academy: Academy, theme_dirs: list[Path], problems: Problems) -> None:
    """Each enabled certificate names a design some theme has (`certificates/<name>.html`).

    The school's theme is searched first, then the default theme (as the API renders them).
    """
    folders = [Path(theme) / "certificates" for theme in [*theme_dirs, DEFAULT_THEME_DIR]]
    known = sorted(
        {path.stem for folder in folders for path in folder.glob("*.html")}
        - {path.stem for folder in folders for path in folder.glob("_*.html")}
    )
    owners = [(c.source, c.meta.certificate) for c in academy.courses]
    owners += [(p.source, p.meta.certificate) for p in academy.programs]
    for source, certificate in owners:
        if certificate.enabled and certificate.template not in known:
            problems.add(
                source,
                line_of(source, "template:"),
                f"unknown certificate design `{certificate.template}`",
                f"use one of: {', '.join(known)}, or add "
                f"certificates/{certificate.template}.html to your theme",
            )


def _check_course_refs(academy: Academy, course: Course, problems: Problems) -> None:
    for slug in course.meta.instructors:
        if slug not in academy.instructors:
            _unknown_instructor(course.source, slug, academy, problems)
    if not course.lessons:
        problems.add(
            course.source,
            1,
            "course has no lessons",
            "add a section folder such as 01-introduction/ with lesson files",
        )


def _unknown_instructor(source: Path, slug: str, academy: Academy, problems: Problems) -> None:
    problems.add(
        source,
        line_of(source, slug),
        f"unknown instructor `{slug}`",
        f"create content/instructors/{slug}.md, or use one of: "
        + ", ".join(sorted(academy.instructors)),
    )


def _check_lesson_ids(course: Course, problems: Problems) -> None:
    seen: dict[str, Lesson] = {}
    for lesson in course.lessons:
        for lesson_id in [lesson.id, *lesson.meta.renamed_from]:
            first = seen.get(lesson_id)
            if first is not None and first is not lesson:
                problems.add(
                    lesson.source,
                    line_of(lesson.source, f"id: {lesson_id}") if lesson.meta.id else 1,
                    f"duplicate lesson id `{lesson_id}` in course `{course.slug}`",
                    f"also used by {first.source.relative_to(course.folder)}; "
                    "rename one file or set a different `id:`",
                )
            seen.setdefault(lesson_id, lesson)
        if lesson.id in RESERVED_LESSON_IDS:
            problems.add(
                lesson.source,
                1,
                f"`{lesson.id}` is reserved and cannot be a lesson id",
                "rename the file or set another `id:`",
            )


def _check_alternative_groups(course: Course, problems: Problems) -> None:
    groups: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in course.lessons:
        if lesson.meta.requirement is Requirement.alternative and lesson.meta.group:
            groups[lesson.meta.group].append(lesson)
    for name, members in groups.items():
        if len(members) == 1:
            only = members[0]
            problems.add(
                only.source,
                line_of(only.source, "group:"),
                f"alternative group `{name}` has a single lesson",
                "an alternative group offers a choice: add another lesson with "
                f"`group: {name}`, or make this lesson `requirement: required`",
            )


def lesson_media(lesson: Lesson) -> Iterator[str]:
    """Every file a lesson's front matter points at (relative to the course folder)."""
    meta = lesson.meta
    if meta.video:
        if meta.video.src:
            yield meta.video.src
        if meta.video.poster:
            yield meta.video.poster
        yield from (s.src for s in meta.video.subtitles)
    if meta.audio:
        yield meta.audio.src
        yield from (s.src for s in meta.audio.subtitles)
    for block in (meta.pdf, meta.image, meta.download):
        if block:
            yield block.src


FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1")


def without_code(body: str) -> str:
    """The body with fenced code blocks and code spans blanked out, lines kept in place:
    `df.dtypes  # datetime64[us](2)` in a code block is code, not a link."""
    lines = body.splitlines()
    fence = ""
    for index, line in enumerate(lines):
        if not fence and "`" not in line and "~" not in line:
            continue  # fast path: neither a fence nor a code span (most lines)
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            lines[index] = ""
        elif match:
            fence = match.group(1)
            lines[index] = ""
        else:
            lines[index] = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
    return "\n".join(lines)


def body_media(body: str) -> Iterator[str]:
    """Local files a Markdown body embeds or links to (images, downloads)."""
    for match in MD_LINK.finditer(without_code(body)):
        target = match.group(2)
        if _is_local_file(target):
            yield target.split("#", 1)[0].split("?", 1)[0]


def _is_local_file(target: str) -> bool:
    return not (
        re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE)
        or target.startswith(("#", "/", "//"))
    )


def _check_lesson_media(course: Course, lesson: Lesson, problems: Problems) -> None:
    for ref in lesson_media(lesson):
        if _check_file(course.folder, ref, lesson.source, problems) and ref.endswith(".vtt"):
            head = (course.folder / ref).read_text(encoding="utf-8", errors="replace")[:6]
            if head != "WEBVTT":
                problems.add(
                    lesson.source,
                    line_of(lesson.source, ref),
                    f"subtitle file `{ref}` is not WebVTT",
                    "a .vtt file starts with the line `WEBVTT`",
                )


def _check_file(folder: Path, ref: str, source: Path, problems: Problems) -> bool:
    target = (folder / ref).resolve()
    inside = target.is_relative_to(folder.resolve())
    if inside and target.is_file():
        return True
    problems.add(
        source,
        line_of(source, ref),
        f"missing file `{ref}`" if inside else f"`{ref}` points outside {folder.name}/",
        f"expected at {folder / ref}; paths are relative to {folder}",
    )
    return False


def _check_links(
    academy: Academy,
    course: Course | None,
    source: Path,
    body: str,
    first_line: int,
    problems: Problems,
) -> None:
    """Check `lesson:`, `course:` and local file links of a body. Outside a course
    (bios, master classes, programs, posts, pages) files are relative to `content/`."""
    folder = course.folder if course is not None else academy.root
    for offset, text in enumerate(without_code(body).splitlines()):
        for match in MD_LINK.finditer(text):
            is_image, target = match.group(1) == "!", match.group(2)
            line = first_line + offset
            if target.startswith("lesson:"):
                _check_lesson_link(academy, course, source, target, line, problems)
            elif target.startswith("course:"):
                slug = target.removeprefix("course:").split("#", 1)[0]
                if academy.course(slug) is None:
                    problems.add(
                        source,
                        line,
                        f"broken link `{target}`: no course `{slug}`",
                        "known courses: " + ", ".join(c.slug for c in academy.courses),
                    )
            elif _is_local_file(target) and not (folder / target.split("#")[0]).is_file():
                kind = "image" if is_image else "linked file"
                problems.add(
                    source,
                    line,
                    f"missing {kind} `{target}`",
                    f"put it at {folder / target}, or link a lesson with `lesson:<id>`",
                )


def _check_lesson_link(
    academy: Academy,
    course: Course | None,
    source: Path,
    target: str,
    line: int,
    problems: Problems,
) -> None:
    ref = target.removeprefix("lesson:").split("#", 1)[0]
    course_slug, _, lesson_id = ref.rpartition("/")
    if not course_slug and course is None:
        problems.add(
            source,
            line,
            f"`{target}` does not say which course the lesson is in",
            f"outside a course, write `lesson:<course>/{lesson_id}`",
        )
        return
    linked = academy.course(course_slug) if course_slug else course
    if linked is None or linked.lesson(lesson_id) is None:
        where = linked.slug if linked else course_slug
        choices = ", ".join(x.id for x in linked.lessons[:12]) if linked else ""
        problems.add(
            source,
            line,
            f"broken link `{target}`: no lesson `{lesson_id}` in course `{where}`",
            f"lesson ids of `{where}`: {choices}" if choices else "check the course slug",
        )


def _check_articles(academy: Academy, problems: Problems) -> None:
    """Blog authors must be instructors; slugs of posts and pages must be unique."""
    from .frontmatter import read_document

    slugs: dict[str, Path] = {}
    for folder in ("blog", "pages"):
        base = academy.root / folder
        for path in sorted(base.rglob("*.md")) if base.is_dir() else []:
            doc = read_document(path, Problems())
            if doc is None:
                continue  # reported by check_articles
            slug = str(doc.data.get("slug") or path.stem)
            key = f"{folder}/{slug}"
            if key in slugs:
                problems.add(path, 1, f"duplicate slug `{slug}`", f"also used by {slugs[key]}")
            slugs[key] = path
            author = doc.data.get("author")
            if folder == "blog" and isinstance(author, str) and author not in academy.instructors:
                _unknown_instructor(path, author, academy, problems)
            _check_links(academy, None, path, doc.body, doc.body_line, problems)
            image = doc.data.get("image")
            if isinstance(image, str):
                _check_file(academy.root, image, path, problems)


def line_of(path: Path, needle: str) -> int:
    """The first line of a file containing `needle`: where to point an author."""
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in text:
                return number
    except OSError:
        pass
    return 1
