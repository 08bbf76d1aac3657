"""The content model: typed front matter for every kind of content file.

These models are the contract between authors, the build and the API; `lms schema`
exports them as JSON Schemas for editor completion.
"""

from .common import Certificate, Level, Price, Status, Subtitle
from .course import CourseMeta, LessonAccess, ProgramMeta, SectionMeta
from .evaluation import Evaluation, FeedbackPolicy, Option, Question, QuestionType, Scoring
from .lesson import (
    Audio,
    Document,
    ExternalLink,
    LessonMeta,
    LessonType,
    Requirement,
    Video,
    VideoProvider,
)
from .people import BlogPostMeta, InstructorMeta, MasterclassMeta, PageMeta, Platform

__all__ = [
    "Audio",
    "BlogPostMeta",
    "Certificate",
    "CourseMeta",
    "Document",
    "Evaluation",
    "ExternalLink",
    "FeedbackPolicy",
    "InstructorMeta",
    "LessonAccess",
    "LessonMeta",
    "LessonType",
    "Level",
    "MasterclassMeta",
    "Option",
    "PageMeta",
    "Platform",
    "Price",
    "ProgramMeta",
    "Question",
    "QuestionType",
    "Requirement",
    "Scoring",
    "SectionMeta",
    "Status",
    "Subtitle",
    "Video",
    "VideoProvider",
]
