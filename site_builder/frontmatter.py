"""Read one content file: YAML front matter + Markdown body, with line numbers for errors.

python-frontmatter splits the file; PyYAML parses it. Line numbers matter because authors
fix problems from `lms check` output, so a pydantic error path like
`evaluation.questions.2.options` is mapped back to the line of that YAML node. That
mapping composes the YAML a second time, which we only pay for when there is an error.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import frontmatter
import yaml
from pydantic import BaseModel, ValidationError

from .problems import Problems

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
M = TypeVar("M", bound=BaseModel)

_HANDLER = frontmatter.YAMLHandler()
YAML_HINT = "check indentation, and quote values that contain `: ` or start with `*`, `&`, `[`"


@dataclass
class Document:
    """A parsed content file before validation."""

    path: Path
    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line where the body starts
    yaml_text: str
    digest: str  # content hash: cache key for rendering and stable build fingerprints
    # File line of the YAML text's first line. python-frontmatter's split keeps the newline
    # that ends the opening `---`, so YAML line 0 is the rest of file line 1 in both cases.
    yaml_first_line: int = 1


def read_document(path: Path, problems: Problems) -> Document | None:
    """Split and parse a file; report malformed YAML and return None on failure."""
    raw = path.read_bytes()
    digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path, 1, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff")
    if not _HANDLER.detect(text):
        problems.add(
            path,
            1,
            "no front matter",
            "start the file with a `---` line, the YAML fields, and another `---` line",
        )
        return None
    yaml_text, body = _HANDLER.split(text)
    body_line = text[: len(text) - len(body)].count("\n") + 1 if body else text.count("\n") + 1
    try:
        data = yaml.load(yaml_text, Loader=Loader)  # noqa: S506 - SafeLoader (C or pure)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(path, line, f"malformed YAML: {reason}", YAML_HINT)
        return None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        problems.add(
            path,
            2,
            "the front matter is not a mapping of `field: value` lines",
            "write one `field: value` per line between the `---` lines",
        )
        return None
    return Document(path, data, body, body_line, yaml_text, digest)


def read_yaml_file(path: Path, problems: Problems) -> Document | None:
    """A plain YAML file (such as `section.yml`), read as a document without a body."""
    raw = path.read_bytes()
    digest = hashlib.sha1(raw, usedforsecurity=False).hexdigest()
    text = raw.decode("utf-8", errors="replace")
    try:
        data = yaml.load(text, Loader=Loader)  # noqa: S506 - SafeLoader (C or pure)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        problems.add(path, mark.line + 1 if mark else 1, f"malformed YAML: {reason}", YAML_HINT)
        return None
    if not isinstance(data, dict | None):
        problems.add(
            path,
            1,
            "expected a mapping of `field: value` lines",
            "write one `field: value` per line",
        )
        return None
    return Document(path, data or {}, "", 1, text, digest)


def validate(doc: Document, model: type[M], problems: Problems) -> M | None:
    """Validate front matter against a model, reporting each error at its YAML line."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        root = yaml.compose(doc.yaml_text, Loader=yaml.SafeLoader)
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = _locate(root, loc) + doc.yaml_first_line
            message, hint = _explain(error, model)
            problems.add(doc.path, line, message, hint)
        return None


def _locate(node: yaml.Node | None, loc: tuple[Any, ...]) -> int:
    """The 0-based line of the YAML node at `loc`, or of its closest existing parent."""
    if node is None:
        return 0
    line = node.start_mark.line
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    # An unknown key is reported at the key itself.
                    child = value if value.start_mark.line == key.start_mark.line else key
                    child = value if isinstance(value, yaml.CollectionNode) else child
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line
    return line


def _field_names(model: type[BaseModel]) -> set[str]:
    """Every field name reachable from a model: candidates for `did you mean`."""
    names: set[str] = set()
    seen: set[type[BaseModel]] = set()
    stack = [model]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for name, info in current.model_fields.items():
            names.add(name)
            for arg in _walk_types(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    stack.append(arg)
    return names


def _walk_types(annotation: Any) -> list[Any]:
    found = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_walk_types(arg))
    for arg in getattr(annotation, "__metadata__", ()) or ():
        found.append(arg)
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        found.append(origin)
    return found


def _explain(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    loc = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"missing field `{loc}`", f"add `{error['loc'][-1]}: …` to the front matter"
    if kind == "extra_forbidden":
        name = str(error["loc"][-1])
        close = difflib.get_close_matches(name, _field_names(model), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "remove it, or check the spelling"
        return f"unknown field `{loc}`", hint
    message = error["msg"].removeprefix("Value error, ")
    where = f"`{loc}`: " if loc else ""
    hint = ""
    if kind == "value_error":
        # The models' own rules read "what is wrong: what to do"; split them so every
        # problem has a hint, as `lms check` promises.
        message, hint = _split_advice(message)
        hint = hint or "see the reference of this kind of file in docs/content.md"
    elif kind in ("enum", "literal_error"):
        hint = "use one of the values listed"
    elif kind.endswith("_type") or kind.endswith("_parsing"):
        hint = f"`{loc}` has the wrong type: {error['msg'].lower()}"
    else:
        hint = f"check the value of `{loc}`" if loc else "check the front matter"
    return f"{where}{message}", hint


def _split_advice(message: str) -> tuple[str, str]:
    """`no correct answer: set answer` → (`no correct answer`, `set answer`); a `: ` inside
    backticks (`` `type: video` ``) is not a separator."""
    in_code = False
    for index, char in enumerate(message):
        if char == "`":
            in_code = not in_code
        elif not in_code and message.startswith(": ", index):
            return message[:index], message[index + 2 :]
    return message, ""
