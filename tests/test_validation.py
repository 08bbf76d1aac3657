"""`lms check`: one test per kind of problem, each at its exact file and line, with a hint.

Each test writes a small valid academy (BASE_TREE) plus one broken file into `tmp_path`,
and expects exactly the problem it planted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lms_support import check_tree, make_settings, write_tree

from site_builder.build import check
from site_builder.problems import Problem

LESSON = "courses/demo/01-start/02-lesson.md"
LESSON_2 = "courses/demo/01-start/03-other.md"
COURSE = "courses/demo/course.md"


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    return problems[0]


def assert_problem(
    problem: Problem, root: Path, relative: str, line: int, *message_parts: str
) -> None:
    assert problem.path.resolve() == (root / "content" / relative).resolve()
    assert problem.line == line, problem.format()
    for part in message_parts:
        assert part in problem.message, problem.format()
    assert problem.hint.strip(), f"no hint: {problem.format()}"


def test_the_base_tree_is_valid(tmp_path: Path) -> None:
    assert check_tree(tmp_path, {}) == []


def test_malformed_yaml_is_reported_at_its_line(tmp_path: Path) -> None:
    problem = only(
        check_tree(
            tmp_path,
            {
                LESSON: """
                    ---
                    title: Broken
                    summary: fine
                      nested: oops
                    ---
                    Body.
                    """
            },
        )
    )
    assert_problem(problem, tmp_path, LESSON, 4, "malformed YAML")


def test_malformed_section_yml_is_reported_at_its_line(tmp_path: Path) -> None:
    section = "courses/demo/01-start/section.yml"
    problem = only(check_tree(tmp_path, {section: "title: Start\nsummary: fine\n  nested: x\n"}))
    assert_problem(problem, tmp_path, section, 3, "malformed YAML")


def test_unknown_field_suggests_the_close_name(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Typo
            summery: A typo for summary.
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 3, "unknown field `summery`")
    assert "did you mean `summary`?" in problem.hint


def test_unknown_field_in_a_nested_block_is_reported_at_its_line(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Video
            type: video
            video:
              provider: youtube
              id: rfscVS0vtbw
              postr: media/pic.svg
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 7, "unknown field `video.postr`")
    assert "did you mean `poster`?" in problem.hint


def test_wrong_type(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Wrong type
            summary: Fine.
            duration: ten minutes
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 4, "`duration`")
    assert "wrong type" in problem.hint


def test_invalid_enum_value(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Wrong requirement
            requirement: mandatory
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 3, "`requirement`")


def test_missing_required_field(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {LESSON: "---\nsummary: No title.\n---\nBody.\n"}))
    assert_problem(problem, tmp_path, LESSON, 2, "missing field `title`")
    assert "title:" in problem.hint


def test_duplicate_ids_from_file_names(tmp_path: Path) -> None:
    files = {"courses/demo/02-more/01-intro.md": "---\ntitle: Intro again\n---\nBody.\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(
        problem, tmp_path, "courses/demo/02-more/01-intro.md", 1, "duplicate lesson id `intro`"
    )
    assert "01-start/01-intro.md" in problem.hint


def test_duplicate_ids_from_an_explicit_id(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Another intro
            summary: Claims the id of the first lesson.
            id: intro
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 4, "duplicate lesson id `intro`")
    assert "01-start/01-intro.md" in problem.hint


def test_renamed_from_colliding_with_a_live_id(tmp_path: Path) -> None:
    files = {LESSON: "---\ntitle: Renamed\nrenamed_from: [intro]\n---\nBody.\n"}
    problem = only(check_tree(tmp_path, files))
    assert problem.path.name == "02-lesson.md"
    assert "duplicate lesson id `intro`" in problem.message


def test_reserved_lesson_id(tmp_path: Path) -> None:
    problem = only(
        check_tree(tmp_path, {"courses/demo/01-start/02-index.md": "---\ntitle: X\n---\n"})
    )
    assert "reserved" in problem.message
    assert problem.hint


def test_missing_media_file_in_front_matter(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: A PDF
            type: pdf
            pdf:
              src: media/missing.pdf
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 5, "missing file `media/missing.pdf`")
    assert "media/missing.pdf" in problem.hint


def test_media_outside_the_course_folder(tmp_path: Path) -> None:
    files = {
        "courses/secret.txt": "not for this course\n",
        LESSON: "---\ntitle: Sneaky\ntype: download\ndownload: {src: ../secret.txt}\n---\n",
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 4, "points outside")


AUDIO_LESSON = """
    ---
    title: Listen
    type: audio
    audio:
      src: media/talk.mp3
      subtitles:
        - {{src: {vtt}, lang: en, label: English}}
    ---
    Body.
    """


def test_missing_subtitle_file(tmp_path: Path) -> None:
    files = {
        "courses/demo/media/talk.mp3": b"ID3fake",
        LESSON: AUDIO_LESSON.format(vtt="media/talk.en.vtt"),
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 7, "missing file `media/talk.en.vtt`")


def test_subtitle_file_that_is_not_webvtt(tmp_path: Path) -> None:
    files = {
        "courses/demo/media/talk.mp3": b"ID3fake",
        "courses/demo/media/talk.en.vtt": "1\n00:00:00,000 --> 00:00:02,000\nHello\n",
        LESSON: AUDIO_LESSON.format(vtt="media/talk.en.vtt"),
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 7, "not WebVTT")
    assert "WEBVTT" in problem.hint


def test_a_valid_webvtt_file_passes(tmp_path: Path) -> None:
    files = {
        "courses/demo/media/talk.mp3": b"ID3fake",
        "courses/demo/media/talk.en.vtt": "WEBVTT\n\n00:00.000 --> 00:02.000\nHello\n",
        LESSON: AUDIO_LESSON.format(vtt="media/talk.en.vtt"),
    }
    assert check_tree(tmp_path, files) == []


def test_missing_image_in_the_body(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Pictures
            ---
            First paragraph.

            ![A diagram](media/nowhere.svg)
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 6, "missing image `media/nowhere.svg`")


def test_links_inside_code_are_not_checked(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Code
            ---
            Inline `df[cols](2)` is code.

            ```text
            dtypes: datetime64[us](2), see [x](lesson:nope)
            ```
            """
    }
    assert check_tree(tmp_path, files) == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("lesson:nope", "no lesson `nope` in course `demo`"),
        ("lesson:demo/nope", "no lesson `nope` in course `demo`"),
        ("lesson:ghost/intro", "no lesson `intro` in course `ghost`"),
        ("course:nope", "no course `nope`"),
    ],
)
def test_broken_internal_link(tmp_path: Path, target: str, message: str) -> None:
    files = {LESSON: f"---\ntitle: Links\n---\nLine one.\n\nSee [this]({target}).\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 6, f"broken link `{target}`", message)


def test_broken_link_in_the_course_description(tmp_path: Path) -> None:
    files = {
        COURSE: "---\ntitle: Demo\nsummary: S.\ninstructors: [ada]\n---\nSee [x](lesson:nope).\n"
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, COURSE, 6, "broken link `lesson:nope`")


def test_working_internal_links_pass(tmp_path: Path) -> None:
    files = {
        LESSON: "---\ntitle: Links\n---\n"
        "[a](lesson:intro) [b](lesson:demo/intro#x) [c](course:demo)\n"
    }
    assert check_tree(tmp_path, files) == []


def test_alternative_group_with_a_single_lesson(tmp_path: Path) -> None:
    files = {
        LESSON: """
            ---
            title: Lonely choice
            requirement: alternative
            group: pick-one
            ---
            Body.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, LESSON, 4, "alternative group `pick-one` has a single lesson")


def test_alternative_lesson_without_a_group(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {LESSON: "---\ntitle: X\nrequirement: alternative\n---\n"}))
    assert "needs `group:`" in problem.message
    assert problem.hint


def test_paid_course_without_currency(tmp_path: Path) -> None:
    files = {
        COURSE: """
            ---
            title: Demo
            summary: A small course.
            instructors: [ada]
            price: {amount: "10.00"}
            ---
            The description.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, COURSE, 5, "price.currency")


def test_price_with_a_lowercase_currency(tmp_path: Path) -> None:
    files = {
        COURSE: """
            ---
            title: Demo
            summary: A small course.
            instructors: [ada]
            price:
              amount: 10
              currency: usd
            ---
            The description.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, COURSE, 7, "price.currency")


def _quiz(question: str) -> str:
    return (
        "---\ntitle: Quiz\ntype: evaluation\nevaluation:\n  questions:\n"
        "    - id: fine\n      type: true_false\n      prompt: A fine question.\n"
        "      answer: true\n" + question + "---\n"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "    - type: single\n      prompt: Which?\n      options:\n"
            "        - {id: a, text: One}\n        - {id: b, text: Two}\n",
            "`correct: true`",
        ),
        ("    - type: true_false\n      prompt: True?\n", "`answer: true`"),
        ("    - type: short_text\n      prompt: Word?\n", "`accepted:`"),
        ("    - type: short_text\n      prompt: Word?\n      accepted: ['  ']\n", "`accepted:`"),
        ("    - type: numeric\n      prompt: Number?\n", "`answer:`"),
        ("    - type: numeric\n      prompt: Number?\n      answer: true\n", "`answer:`"),
    ],
    ids=["single", "true_false", "short_text", "short_text_blank", "numeric", "numeric_bool"],
)
def test_question_without_a_correct_answer(tmp_path: Path, question: str, expected: str) -> None:
    problem = only(check_tree(tmp_path, {LESSON: _quiz(question)}))
    # the second question starts on line 10 (`    - type: …`)
    assert_problem(problem, tmp_path, LESSON, 10, "evaluation.questions.1", "no correct answer")
    assert expected in problem.hint


def test_single_choice_with_two_correct_options(tmp_path: Path) -> None:
    question = (
        "    - type: single\n      prompt: Which?\n      options:\n"
        "        - {id: a, text: One, correct: true}\n        - {id: b, text: Two, correct: true}\n"
    )
    problem = only(check_tree(tmp_path, {LESSON: _quiz(question)}))
    assert_problem(problem, tmp_path, LESSON, 10, "exactly one correct option")


def test_duplicate_question_ids(tmp_path: Path) -> None:
    question = "    - id: fine\n      type: open\n      prompt: Explain.\n"
    problem = only(check_tree(tmp_path, {LESSON: _quiz(question)}))
    assert_problem(problem, tmp_path, LESSON, 5, "duplicate question ids (fine)")


MASTERCLASS = """
    ---
    title: Live
    summary: A live session.
    instructors: [{instructor}]
    start: 2031-05-01 18:00
    end: {end}
    timezone: {zone}
    ---
    Details.
    """


def test_masterclass_ending_before_it_starts(tmp_path: Path) -> None:
    path = "masterclasses/live.md"
    files = {path: MASTERCLASS.format(instructor="ada", end="2031-05-01 17:00", zone="UTC")}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 2, "ends before it starts")
    assert "`end`" in problem.hint


def test_masterclass_with_an_unknown_time_zone(tmp_path: Path) -> None:
    path = "masterclasses/live.md"
    files = {path: MASTERCLASS.format(instructor="ada", end="2031-05-01 19:00", zone="Mars/Base")}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 7, "unknown time zone")
    assert "IANA" in problem.hint


def test_unknown_instructor_in_a_course(tmp_path: Path) -> None:
    files = {
        COURSE: """
            ---
            title: Demo
            summary: A small course.
            instructors: [ada, grace-hopper]
            ---
            The description.
            """
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, COURSE, 4, "unknown instructor `grace-hopper`")
    assert "ada" in problem.hint


def test_unknown_instructor_in_a_masterclass(tmp_path: Path) -> None:
    path = "masterclasses/live.md"
    files = {path: MASTERCLASS.format(instructor="nobody", end="2031-05-01 19:00", zone="UTC")}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 4, "unknown instructor `nobody`")


def test_unknown_blog_author(tmp_path: Path) -> None:
    path = "blog/post.md"
    files = {path: "---\ntitle: Post\ndate: 2025-01-01\nauthor: nobody\n---\nText.\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 4, "unknown instructor `nobody`")


def test_invalid_slug_folder_name(tmp_path: Path) -> None:
    files = {
        "courses/Bad_Course/course.md": "---\ntitle: B\nsummary: S.\ninstructors: [ada]\n---\n",
        "courses/Bad_Course/01-s/01-l.md": "---\ntitle: L\n---\n",
    }
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, "courses/Bad_Course/course.md", 1, "`Bad_Course`")
    assert "bad-course" in problem.hint


def test_invalid_instructor_file_name(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {"instructors/Grace Hopper.md": "---\nname: G\n---\n"}))
    assert_problem(problem, tmp_path, "instructors/Grace Hopper.md", 1, "not a valid slug")


def test_no_front_matter(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {LESSON: "# Just Markdown\n\nNo front matter.\n"}))
    assert_problem(problem, tmp_path, LESSON, 1, "no front matter")
    assert "---" in problem.hint


def test_course_folder_without_course_md(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {"courses/empty/01-s/01-l.md": "---\ntitle: L\n---\n"}))
    assert problem.path.name == "empty"
    assert "without course.md" in problem.message
    assert problem.hint


def test_lesson_outside_a_section(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {"courses/demo/stray.md": "---\ntitle: L\n---\n"}))
    assert_problem(problem, tmp_path, "courses/demo/stray.md", 1, "outside a section")


def test_course_without_lessons(tmp_path: Path) -> None:
    files = {"courses/empty/course.md": "---\ntitle: E\nsummary: S.\ninstructors: [ada]\n---\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, "courses/empty/course.md", 1, "no lessons")


def test_not_utf8(tmp_path: Path) -> None:
    problem = only(check_tree(tmp_path, {LESSON: "---\ntitle: Caf\xe9\n---\n".encode("latin-1")}))
    assert_problem(problem, tmp_path, LESSON, 1, "not UTF-8")


def test_a_broken_course_file_does_not_hide_its_lessons_problems(tmp_path: Path) -> None:
    files = {
        COURSE: "---\ntitle: Demo\nsumary: typo\ninstructors: [ada]\n---\n",
        LESSON: "---\ntitle: Lesson\nduration: long\n---\n",
    }
    problems = check_tree(tmp_path, files)
    where = sorted((p.path.name, p.line) for p in problems)
    assert where == [("02-lesson.md", 3), ("course.md", 2), ("course.md", 3)]


def test_check_reports_every_problem_at_once(tmp_path: Path) -> None:
    """Eight problems in six files: all are listed, none hides another."""
    files = {
        # 1: unknown field; 2: wrong type (same file)
        LESSON: "---\ntitle: A\nsummery: x\nduration: ten\n---\n",
        # 3: broken lesson link; 4: missing image (same file)
        LESSON_2: "---\ntitle: B\n---\n[x](lesson:nope)\n\n![p](media/none.png)\n",
        # 5: no front matter
        "courses/demo/01-start/04-plain.md": "Just text.\n",
        # 6: unknown instructor
        "courses/other/course.md": "---\ntitle: O\nsummary: S.\ninstructors: [zed]\n---\n",
        "courses/other/01-s/01-only.md": "---\ntitle: Only\n---\n",
        # 7: master class ends before it starts
        "masterclasses/live.md": MASTERCLASS.format(
            instructor="ada", end="2031-05-01 17:00", zone="UTC"
        ),
        # 8: malformed YAML in a blog post
        "blog/post.md": "---\ntitle: [oops\n---\n",
    }
    problems = check_tree(tmp_path, files)
    assert len(problems) == 8, "\n".join(p.format() for p in problems)
    assert all(p.hint for p in problems)
    assert len({p.path for p in problems}) == 6


def test_problems_format_as_file_line_message_and_hint(tmp_path: Path) -> None:
    write_tree(tmp_path / "content", {"instructors/ada.md": "---\nname: A\nheadline: 3\n---\n"})
    write_tree(tmp_path / "content", {"instructors/bob.md": "---\nnme: Bob\n---\n"})
    _, problems = check(make_settings(tmp_path))
    lines = [p.format(tmp_path) for p in problems.sorted()]
    assert lines[0].startswith("content/instructors/ada.md:3: ")
    assert any(
        text.startswith("content/instructors/bob.md:2: unknown field `nme`") for text in lines
    )
    assert all("\n    hint: " in text for text in lines)


def test_lesson_link_outside_a_course_must_name_the_course(tmp_path: Path) -> None:
    path = "instructors/grace.md"
    files = {path: "---\nname: Grace\n---\nShe wrote [the intro](lesson:intro).\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 4, "does not say which course")
    assert "lesson:<course>/intro" in problem.hint


def test_links_in_bios_posts_and_pages_are_checked(tmp_path: Path) -> None:
    files = {
        "instructors/grace.md": "---\nname: Grace\n---\nSee [the demo](course:demo).\n",
        "blog/post.md": (
            "---\ntitle: Post\ndate: 2025-01-01\nauthor: ada\n---\n"
            "Start with [intro](lesson:demo/intro).\n\nThen [gone](lesson:demo/gone).\n"
        ),
        "pages/about.md": "---\ntitle: About\n---\n![team](media/team.svg)\n",
    }
    problems = check_tree(tmp_path, files)
    assert len(problems) == 2, "\n".join(p.format() for p in problems)
    assert_problem(problems[0], tmp_path, "blog/post.md", 8, "no lesson `gone`")
    assert_problem(problems[1], tmp_path, "pages/about.md", 4, "missing image `media/team.svg`")


def test_missing_blog_image(tmp_path: Path) -> None:
    path = "blog/post.md"
    files = {path: "---\ntitle: Post\ndate: 2025-01-01\nauthor: ada\nimage: media/x.svg\n---\nHi\n"}
    problem = only(check_tree(tmp_path, files))
    assert_problem(problem, tmp_path, path, 5, "missing file `media/x.svg`")
