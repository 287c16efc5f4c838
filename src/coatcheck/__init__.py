"""coatcheck: a privacy layer for AI pipelines.

Find personal data, health data and secrets in text and records, and protect each value the way its
destination needs.
"""

from __future__ import annotations

from coatcheck.detect.engine import Detector, detect, detect_batch
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

__version__ = "0.1.0"
