"""`lms new course`: a course skeleton that passes `lms check` as soon as it is created."""

from __future__ import annotations

from pathlib import Path

COURSE = """---
title: {title}
summary: One or two sentences that tell a visitor what they will be able to do.
level: beginner
language: en
tags: []
instructors: [{instructor}]
price: free
audit: false
certificate:
  enabled: true
  template: classic
access: public
status: draft
---
Describe the course: who it is for, what students will learn, and what they need to know
before they start. Set `status: published` when it is ready.
"""

SECTION = """title: Getting started
summary: What the course covers and how to follow it.
"""

WELCOME = """---
title: Welcome
summary: What this course covers and how it is organised.
preview: true
duration: 3
---
Welcome to **{title}**. Tell students what the course is about and how to get the most
out of it.
"""

FIRST_STEPS = """---
title: First steps
summary: The first practical step.
duration: 10
---
Write the lesson here. Link to the previous lesson with [its id](lesson:welcome).
"""

INSTRUCTOR = """---
name: {name}
headline: Instructor
---
A few sentences about the instructor.
"""


def scaffold_course(content: Path, title: str, slug: str, instructor: str | None) -> list[Path]:
    folder = content / "courses" / slug
    if folder.exists():
        raise FileExistsError(folder)
    created: list[Path] = []
    people = content / "instructors"
    if instructor is None:
        existing = sorted(people.glob("*.md")) if people.is_dir() else []
        instructor = existing[0].stem if existing else "instructor"
    person = people / f"{instructor}.md"
    if not person.exists():
        person.parent.mkdir(parents=True, exist_ok=True)
        person.write_text(INSTRUCTOR.format(name=instructor.replace("-", " ").title()))
        created.append(person)
    section = folder / "01-getting-started"
    section.mkdir(parents=True)
    (folder / "media").mkdir()
    files = {
        folder / "course.md": COURSE.format(title=title, instructor=instructor),
        section / "section.yml": SECTION,
        section / "01-welcome.md": WELCOME.format(title=title),
        section / "02-first-steps.md": FIRST_STEPS,
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        created.append(path)
    return created
