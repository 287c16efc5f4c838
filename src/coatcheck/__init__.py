"""coatcheck: a privacy layer for AI pipelines.

Find personal data, health data and secrets in text and records, and protect each value the way its
destination needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coatcheck.detect.engine import Detector, detect_batch
from coatcheck.detect.types import Entity, Recognizer
from coatcheck.entities import ENTITY_TYPES, EntityType, Sensitivity
from coatcheck.errors import (
    CoatcheckError,
    DetectionTimeout,
    DetectorError,
    InputError,
    PolicyError,
    PolicyViolation,
    ProtectError,
)

__all__ = [
    "ENTITY_TYPES",
    "CoatcheckError",
    "DetectionTimeout",
    "Detector",
    "DetectorError",
    "Entity",
    "EntityType",
    "InputError",
    "PolicyError",
    "PolicyViolation",
    "ProtectError",
    "Recognizer",
    "Sensitivity",
    "__version__",
    "detect",
    "detect_batch",
]

if TYPE_CHECKING:
    from coatcheck.detect.engine import detect
else:  # the subpackage, callable with the same signature (see coatcheck/detect/__init__.py)
    from coatcheck import detect

__version__ = "0.1.0"
