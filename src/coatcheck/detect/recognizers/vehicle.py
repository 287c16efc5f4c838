"""Vehicle identification numbers (ISO 3779), confirmed by the North American check digit."""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import LB
from coatcheck.detect.types import Recognizer

__all__ = ["VEHICLE_RECOGNIZERS"]

VIN = Recognizer(
    name="vin",
    entity="VIN",
    pattern=LB + r"(?P<value>[A-HJ-NPR-Z0-9]{17})\b",
    score=0.6,
    validator=v.vin,
    context=("vin", "vehicle", "chassis", "car", "truck", "registration", "odometer", "title"),
    negative_context=("hash", "sha", "commit", "token", "build", "request id", "trace"),
    context_boost=0.3,
    examples=(
        "VIN «1HGCM82633A004352», 2003 Accord, clean title.",
        "vehicle id: «1M8GDM9AXKP042788»",
    ),
    counterexamples=(
        "VIN 1HGCM82633A004353 fails the check digit.",
        "Session ABCDEFGHJKLMNPRST expired.",
        "Build 12345678901234567 passed.",
    ),
)

VEHICLE_RECOGNIZERS: tuple[Recognizer, ...] = (VIN,)
