"""The synthetic academy: the same lessons as our content layout and as plain Pelican articles.

Everything comes from a fixed vocabulary and a seeded RNG, so two runs with the same sizes
write byte-identical trees. Each lesson body is generated once and written twice:

- `ours/`: `courses/<course>/NN-<section>/NN-<lesson>.md` with YAML front matter (valid
  against `site_builder.models`), plus `course.md`, `section.yml` and instructors;
- `plain/`: `<course>/<lesson>.md` with Pelican's `Key: value` header (Title, Date,
  Category = the course, Author, Slug, Summary) and the same body, where our
  `lesson:<id>` links become Pelican's `{filename}` intra-site links.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

_VOCAB = (
    "data value list table record field index query filter group order sort merge join "
    "split parse format render print read write open close file folder path module package "
    "function method class object instance attribute property variable constant number "
    "string text line word letter digit count total average median range limit offset "
    "loop branch condition test check error warning message result output input stream "
    "buffer cache queue stack tree graph node edge link page site course lesson section "
    "student teacher school project task step stage phase plan build deploy release version "
    "change update delete insert select create remove rename move copy paste search match "
    "pattern rule option setting config server client request response header body status "
    "session token user account login profile email address phone date time zone clock "
    "timer event signal handler callback promise future thread process worker job batch "
    "report chart plot axis label title legend color style theme layout grid column row "
    "cell sheet workbook frame series array matrix vector scalar sum product mean variance "
    "sample dataset model feature target metric score accuracy error baseline benchmark "
    "simple clear quick careful small large empty full early late first last next previous "
    "useful common typical practical robust reliable readable explicit implicit local global"
)
_VERBS = (
    "reads writes checks builds sorts filters groups renders parses stores loads saves "
    "returns counts compares splits joins merges formats updates changes moves copies "
    "explains shows describes handles replaces computes"
)
_TAGS = (
    "python data web testing git sql pandas accessibility design security devops career "
    "statistics automation beginners"
)
VOCAB, VERBS, TAGS = _VOCAB.split(), _VERBS.split(), _TAGS.split()
INSTRUCTORS = [
    ("ana-morales", "Ana Morales", "Python educator"),
    ("daniel-okafor", "Daniel Okafor", "Data engineer"),
    ("priya-raman", "Priya Raman", "Accessibility specialist"),
    ("lucia-fernandez", "Lucia Fernandez", "Software architect"),
    ("tomas-novak", "Tomas Novak", "DevOps engineer"),
    ("mei-chen", "Mei Chen", "Statistician"),
]
LEVELS = ("beginner", "intermediate", "advanced")
ADMONITIONS = ("note", "tip", "warning", "important")
BASE_DATE = dt.datetime(2024, 1, 1, 9, 0)
LESSON_LINK = re.compile(r"\(lesson:(?:([a-z0-9-]+)/)?([a-z0-9-]+)\)")


@dataclass
class LessonSpec:
    course_slug: str
    course_title: str
    lesson_id: str
    position: int
    title: str
    summary: str
    front_matter: str  # the YAML between the `---` lines, without them
    body: str
    ours_path: Path
    plain_path: Path
    author: str
    date: dt.datetime


@dataclass
class Corpus:
    root: Path
    ours: Path  # our content folder
    plain: Path  # plain Pelican's content folder
    courses: int
    lessons_per_course: int
    lessons: list[LessonSpec] = field(default_factory=list)

    @property
    def changed_lesson(self) -> LessonSpec:
        """The one lesson the rebuild benchmark edits: a public text lesson near the middle."""
        middle = self.courses // 2
        course = next(
            (c for c in range(middle, self.courses) if _is_free(c) and not _enrolled_only(c)),
            middle,
        )
        position = min(5, self.lessons_per_course - 1)
        return self.lessons[course * self.lessons_per_course + position]

    def change_one_lesson(self, revision: int) -> LessonSpec:
        """Append a paragraph to the changed lesson's body, in both trees identically."""
        lesson = self.changed_lesson
        rng = random.Random(f"revision-{revision}")
        lesson.body = lesson.body.rstrip("\n") + f"\n\nRevision {revision}: {_sentence(rng, 30)}\n"
        _write_lesson(lesson)
        return lesson


def generate(root: Path, courses: int, lessons: int, seed: int = 20240601) -> Corpus:
    """Write both content trees under `root` (which must be empty or missing)."""
    rng = random.Random(seed)
    corpus = Corpus(root, root / "ours", root / "plain", courses, lessons)
    for slug, name, headline in INSTRUCTORS:
        _write(
            corpus.ours / "instructors" / f"{slug}.md",
            f"---\nname: {name}\nheadline: {headline}\ngithub: {slug}\n---\n"
            f"{_paragraph(rng, 60, 90)}\n",
        )
    course_slugs: list[str] = []
    plans: list[tuple[str, str, list[str], list[str]]] = []
    used: set[str] = set()
    for c in range(courses):
        title = f"{_title(rng, 3)} {c + 1:02d}"
        slug = _slug(title)
        ids: list[str] = []
        titles: list[str] = []
        for p in range(lessons):
            lesson_title = _title(rng, rng.randint(2, 4))
            lesson_id = f"{_slug(lesson_title)}-{p + 1}"
            while lesson_id in used:  # unique within the course (and across: simpler slugs)
                lesson_id += "-x"
            used.add(lesson_id)
            ids.append(lesson_id)
            titles.append(lesson_title)
        course_slugs.append(slug)
        plans.append((slug, title, ids, titles))
    for c, (slug, title, ids, titles) in enumerate(plans):
        _write_course(corpus, rng, c, slug, title, ids, titles, plans)
    corpus.plain.mkdir(parents=True, exist_ok=True)
    return corpus


def _write_course(
    corpus: Corpus,
    rng: random.Random,
    c: int,
    slug: str,
    title: str,
    ids: list[str],
    titles: list[str],
    plans: list[tuple[str, str, list[str], list[str]]],
) -> None:
    paid = not _is_free(c)
    enrolled_only = _enrolled_only(c)
    instructors = [INSTRUCTORS[c % len(INSTRUCTORS)][0]]
    if c % 4 == 1:
        instructors.append(INSTRUCTORS[(c + 2) % len(INSTRUCTORS)][0])
    tags = sorted(set(rng.sample(TAGS, rng.randint(2, 3))))
    folder = corpus.ours / "courses" / slug
    lines = [
        f"title: {json.dumps(title)}",
        f"summary: {json.dumps(_sentence(rng, 22))}",
        f"level: {LEVELS[c % 3]}",
        f"language: {'es' if c % 7 == 6 else 'en'}",
        f"tags: [{', '.join(tags)}]",
        f"instructors: [{', '.join(instructors)}]",
        "price: {amount: 49.00, currency: USD}" if paid else "price: free",
        f"audit: {'true' if paid and c % 2 == 0 else 'false'}",
        "certificate: {enabled: true, template: classic}" if c % 2 == 0 else "certificate: false",
        f"access: {'enrolled' if enrolled_only else 'public'}",
        f"order: {c + 1}",
    ]
    description = (
        f"{_paragraph(rng, 50, 80)}\n\n{_paragraph(rng, 40, 70)}\n\n## What you will learn\n\n"
        + "".join(f"- {_sentence(rng, rng.randint(6, 12))}\n" for _ in range(5))
    )
    _write(folder / "course.md", "---\n" + "\n".join(lines) + "\n---\n" + description)
    n = len(ids)
    sections = (n + 9) // 10
    alternative = {p for p in (10 * (sections // 2) + 3, 10 * (sections // 2) + 4) if p < n - 1}
    if len(alternative) < 2:
        alternative = set()
    author = dict((s, name) for s, name, _ in INSTRUCTORS)[instructors[0]]
    for s in range(sections):
        section_title = _title(rng, 2)
        section_dir = folder / f"{s + 1:02d}-{_slug(section_title)}"
        _write(
            section_dir / "section.yml",
            f"title: {json.dumps(section_title)}\nsummary: {json.dumps(_sentence(rng, 14))}\n",
        )
        for p in range(s * 10, min(n, s * 10 + 10)):
            lesson_title, lesson_id = titles[p], ids[p]
            summary = _sentence(rng, rng.randint(10, 18))
            fm = [f"title: {json.dumps(lesson_title)}", f"summary: {json.dumps(summary)}"]
            if p == n - 1 and n > 1:
                fm += ["type: evaluation", _evaluation(rng)]
            elif p % 10 == 0:
                fm += ["type: video", f"video: {{provider: youtube, id: vid{c:03d}x{p:04d}}}"]
            if p % 3 == 1:
                fm.append(f"duration: {rng.randint(5, 25)}")
            if p in alternative:
                fm += ["requirement: alternative", "group: project-choice"]
            elif p % 10 == 7:
                fm.append("requirement: optional")
            if paid and p < 2:
                fm.append("preview: true")
            body = _body(rng, p, ids, slug, plans)
            lesson = LessonSpec(
                course_slug=slug,
                course_title=title,
                lesson_id=lesson_id,
                position=p,
                title=lesson_title,
                summary=summary,
                front_matter="\n".join(fm),
                body=body,
                ours_path=section_dir / f"{p % 10 + 1:02d}-{lesson_id}.md",
                plain_path=corpus.plain / slug / f"{lesson_id}.md",
                author=author,
                date=BASE_DATE + dt.timedelta(days=c, minutes=p),
            )
            _write_lesson(lesson)
            corpus.lessons.append(lesson)


def _is_free(c: int) -> bool:
    return c % 3 != 2  # a third of the courses are paid


def _enrolled_only(c: int) -> bool:
    return _is_free(c) and c % 5 == 4  # some free courses are for enrolled students only


def _write_lesson(lesson: LessonSpec) -> None:
    _write(lesson.ours_path, f"---\n{lesson.front_matter}\n---\n{lesson.body}")
    header = (
        f"Title: {lesson.title}\n"
        f"Date: {lesson.date:%Y-%m-%d %H:%M}\n"
        f"Category: {lesson.course_title}\n"
        f"Author: {lesson.author}\n"
        f"Slug: {lesson.course_slug}-{lesson.lesson_id}\n"
        f"Summary: {lesson.summary}\n\n"
    )
    _write(lesson.plain_path, header + to_pelican_links(lesson.body, lesson.course_slug))


def to_pelican_links(body: str, course_slug: str) -> str:
    """`(lesson:<id>)` / `(lesson:<course>/<id>)` → Pelican's `({filename}/<course>/<id>.md)`."""
    return LESSON_LINK.sub(
        lambda m: f"({{filename}}/{m.group(1) or course_slug}/{m.group(2)}.md)", body
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- text ------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _title(rng: random.Random, words: int) -> str:
    return " ".join(w.capitalize() for w in rng.sample(VOCAB, words))


def _sentence(rng: random.Random, words: int) -> str:
    chosen = [rng.choice(VOCAB) for _ in range(words)]
    if words > 3:
        chosen[1] = rng.choice(VERBS)
    return (" ".join(chosen)).capitalize() + "."


def _paragraph(rng: random.Random, low: int, high: int) -> str:
    """Sentences of 6-16 words, some **bold**, *italic* or `code` words, wrapped at ~88."""
    target = rng.randint(low, high)
    words: list[str] = []
    while len(words) < target:
        sentence = _sentence(rng, rng.randint(6, 16)).split()
        roll = rng.random()
        i = rng.randrange(1, len(sentence) - 1)
        if roll < 0.15:
            sentence[i] = f"**{sentence[i]}**"
        elif roll < 0.3:
            sentence[i] = f"*{sentence[i]}*"
        elif roll < 0.5:
            sentence[i] = f"`{sentence[i]}()`"
        words.extend(sentence)
    return _wrap(words)


def _wrap(words: list[str], width: int = 88) -> str:
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _code(rng: random.Random) -> str:
    a, b, c, d = rng.sample(VOCAB, 4)
    return (
        "```python\n"
        f"def {a}_{b}({c}, limit=10):\n"
        f'    """{_sentence(rng, 8)}"""\n'
        "    result = []\n"
        f"    for item in {c}:\n"
        f"        if item.{d} > limit:\n"
        f"            result.append(item.{d} * 2)\n"
        f"    return sorted(result)\n\n\n"
        f"{d}s = [{rng.randint(1, 99)}, {rng.randint(1, 99)}, {rng.randint(1, 99)}]\n"
        f'print(f"{{len({d}s)}} {c}: {{{a}_{b}({d}s)}}")\n'
        "```"
    )


def _table(rng: random.Random) -> str:
    rows = ["| Name | Kind | Default | Notes |", "| --- | --- | ---: | --- |"]
    for _ in range(rng.randint(3, 5)):
        name, kind = rng.sample(VOCAB, 2)
        rows.append(f"| `{name}` | {kind} | {rng.randint(0, 500)} | {_sentence(rng, 6)} |")
    return "\n".join(rows)


def _body(
    rng: random.Random,
    p: int,
    ids: list[str],
    course_slug: str,
    plans: list[tuple[str, str, list[str], list[str]]],
) -> str:
    """About 300-600 words: headings, paragraphs, lists, a table, code, an admonition, links."""
    target = rng.randint(300, 600)
    others = [i for i in range(len(ids)) if i != p] or [p]
    first, second = rng.choice(others), rng.choice(others)
    _, _, other_ids, other_titles = plans[rng.randrange(len(plans))]
    cross = rng.randrange(len(other_ids))
    other_slug = next(s for s, _, i, _ in plans if i is other_ids)
    h2 = [_title(rng, rng.randint(2, 4)) for _ in range(3)]
    parts = [
        _paragraph(rng, 50, 80)
        + f"\nAs we saw in [the lesson on {ids[first].rsplit('-', 1)[0].replace('-', ' ')}]"
        f"(lesson:{ids[first]}), {_sentence(rng, 8).lower()}",
        f"## {h2[0]}",
        _paragraph(rng, 40, 80),
        "\n".join(f"- {_sentence(rng, rng.randint(5, 12))}" for _ in range(rng.randint(3, 6))),
        _paragraph(rng, 30, 60),
        f"## {h2[1]}",
        _table(rng),
        _paragraph(rng, 30, 60),
        _code(rng),
        f'!!! {rng.choice(ADMONITIONS)} "{_title(rng, 2)}"\n    '
        + _paragraph(rng, 20, 40).replace("\n", "\n    "),
        f"### {_title(rng, 2)}",
        "\n".join(f"{i}. {_sentence(rng, rng.randint(5, 10))}" for i in range(1, 4)),
        f"## {h2[2]}",
    ]
    words = sum(len(part.split()) for part in parts)
    while words < target - 60:
        paragraph = _paragraph(rng, 40, 80)
        parts.append(paragraph)
        words += len(paragraph.split())
    parts.append(
        f"Next, read [{ids[second].rsplit('-', 1)[0].replace('-', ' ')}](lesson:{ids[second]})"
        f" or, in another course, [{other_titles[cross]}](lesson:{other_slug}/{other_ids[cross]})."
    )
    return "\n\n".join(parts) + "\n"


def _evaluation(rng: random.Random) -> str:
    return (
        "evaluation:\n"
        "  passing_score: 70\n"
        "  max_attempts: 3\n"
        "  questions:\n"
        "    - type: single\n"
        f"      prompt: {json.dumps(_sentence(rng, 10))}\n"
        "      options:\n"
        f"        - {{id: a, text: {json.dumps(_sentence(rng, 5))}, correct: true}}\n"
        f"        - {{id: b, text: {json.dumps(_sentence(rng, 5))}}}\n"
        f"        - {{id: c, text: {json.dumps(_sentence(rng, 5))}}}\n"
        "    - type: true_false\n"
        f"      prompt: {json.dumps(_sentence(rng, 9))}\n"
        "      answer: true\n"
        "    - type: numeric\n"
        f"      prompt: {json.dumps(_sentence(rng, 9))}\n"
        f"      answer: {rng.randint(1, 100)}\n"
        "      tolerance: 0.5"
    )
