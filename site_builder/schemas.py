"""JSON Schemas of every front matter, generated from the content models.

Editors use them for completion and inline checks (see docs/content.md); they are exported
by `lms schema` and never hand-edited, so they cannot drift from what `lms check` enforces.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from .models import (
    BlogPostMeta,
    CourseMeta,
    InstructorMeta,
    LessonMeta,
    MasterclassMeta,
    PageMeta,
    ProgramMeta,
    SectionMeta,
)

SCHEMAS: dict[str, tuple[type[BaseModel], str]] = {
    "course": (CourseMeta, "content/courses/<slug>/course.md"),
    "section": (SectionMeta, "content/courses/<slug>/NN-<section>/section.yml"),
    "lesson": (LessonMeta, "content/courses/<slug>/NN-<section>/NN-<lesson>.md"),
    "instructor": (InstructorMeta, "content/instructors/<slug>.md"),
    "masterclass": (MasterclassMeta, "content/masterclasses/<slug>.md"),
    "program": (ProgramMeta, "content/programs/<slug>.md"),
    "blog-post": (BlogPostMeta, "content/blog/*.md"),
    "page": (PageMeta, "content/pages/*.md"),
}


def schema_for(name: str) -> dict:
    model, where = SCHEMAS[name]
    schema = model.model_json_schema(mode="validation")
    question = schema.get("$defs", {}).get("Question")
    if question and "id" in question.get("required", []):
        # Questions without an id get `q1`, `q2`, … (`default_question_ids`).
        question["required"].remove("id")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{name}.schema.json"
    schema["description"] = f"Front matter of {where}. " + (model.__doc__ or "").strip()
    return schema


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema_for(name), indent=2, ensure_ascii=False) + "\n")
        written.append(path)
    return written
