"""The API's tables, as SQLModel classes; every migration in ``migrations/`` builds these.

Import models from here: importing this package registers every table on
``SQLModel.metadata``, which Alembic's ``env.py`` and the tests' cleanup rely on.
"""

from dynamic_api.models.base import METADATA, NAMING_CONVENTION, TABLE_OPTIONS
from dynamic_api.models.catalog import CatalogBlob, CatalogFile, CatalogVersion
from dynamic_api.models.certificates import CalendarFeed, Certificate, MasterclassRegistration
from dynamic_api.models.learning import (
    AnyEnrollment,
    Attempt,
    AttemptRequest,
    AttemptStatus,
    CapacityCounter,
    Enrollment,
    EnrollmentMode,
    EnrollmentRow,
    EnrollmentStatus,
    LessonProgress,
    RequestStatus,
)
from dynamic_api.models.payments import (
    Coupon,
    CouponRedemption,
    Order,
    OrderEvent,
    OrderStatus,
    PaymentEvent,
)
from dynamic_api.models.sessions import UserSession
from dynamic_api.models.users import ROLE_NAMES, Role, User, UserRole

__all__ = [
    "METADATA",
    "NAMING_CONVENTION",
    "ROLE_NAMES",
    "TABLE_OPTIONS",
    "AnyEnrollment",
    "Attempt",
    "AttemptRequest",
    "AttemptStatus",
    "CalendarFeed",
    "CapacityCounter",
    "CatalogBlob",
    "CatalogFile",
    "CatalogVersion",
    "Certificate",
    "Coupon",
    "CouponRedemption",
    "Enrollment",
    "EnrollmentMode",
    "EnrollmentRow",
    "EnrollmentStatus",
    "LessonProgress",
    "MasterclassRegistration",
    "Order",
    "OrderEvent",
    "OrderStatus",
    "PaymentEvent",
    "RequestStatus",
    "Role",
    "User",
    "UserRole",
    "UserSession",
]
