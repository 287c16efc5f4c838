"""The built-in recognizer rows, one module per family.

Every row is data (`coatcheck.detect.types.Recognizer`); the engine compiles them once. Rows carry their own
examples and counterexamples, which one generic test runs through the full engine.
"""

from __future__ import annotations

from coatcheck.detect.recognizers.contact import CONTACT_RECOGNIZERS
from coatcheck.detect.recognizers.credentials import CREDENTIAL_RECOGNIZERS
from coatcheck.detect.recognizers.financial import FINANCIAL_RECOGNIZERS
from coatcheck.detect.recognizers.government import GOVERNMENT_RECOGNIZERS
from coatcheck.detect.recognizers.health import HEALTH_RECOGNIZERS
from coatcheck.detect.recognizers.location import LOCATION_RECOGNIZERS
from coatcheck.detect.recognizers.network import NETWORK_RECOGNIZERS
from coatcheck.detect.recognizers.passwords import PASSWORD_RECOGNIZERS
from coatcheck.detect.recognizers.temporal import TEMPORAL_RECOGNIZERS
from coatcheck.detect.recognizers.vehicle import VEHICLE_RECOGNIZERS
from coatcheck.detect.types import Recognizer

__all__ = ["BUILTIN_RECOGNIZERS", "FAMILIES"]

FAMILIES: dict[str, tuple[Recognizer, ...]] = {
    "contact": CONTACT_RECOGNIZERS,
    "financial": FINANCIAL_RECOGNIZERS,
    "government": GOVERNMENT_RECOGNIZERS,
    "health": HEALTH_RECOGNIZERS,
    "location": LOCATION_RECOGNIZERS,
    "network": NETWORK_RECOGNIZERS,
    "temporal": TEMPORAL_RECOGNIZERS,
    "vehicle": VEHICLE_RECOGNIZERS,
    "credentials": CREDENTIAL_RECOGNIZERS,
    "passwords": PASSWORD_RECOGNIZERS,
}

BUILTIN_RECOGNIZERS: tuple[Recognizer, ...] = tuple(row for rows in FAMILIES.values() for row in rows)
