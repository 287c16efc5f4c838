"""Protection methods: operators, placeholders, surrogates, structured data and per-destination views.

Pure and synchronous: nothing here does I/O except through the key material and vault it is given.
"""

from __future__ import annotations

from coatcheck.protect.base import Document, KeyMaterial, Operator, Params, Scope, VaultLike
from coatcheck.protect.context import ProtectContext
from coatcheck.protect.fields import FieldPolicy, FieldRule, field_type
from coatcheck.protect.placeholders import PLACEHOLDER_PATTERN, MinterState, PlaceholderMinter
from coatcheck.protect.protector import DetectorLike, Protector, ViewSet
from coatcheck.protect.registry import OPERATORS, MethodSpec, MethodTable, configure_method, configure_methods
from coatcheck.protect.structured import PathTracker
from coatcheck.protect.surrogate import SurrogateContext
from coatcheck.protect.text import ProtectedText, Replacement, protect_text

__all__ = [
    "OPERATORS",
    "PLACEHOLDER_PATTERN",
    "DetectorLike",
    "Document",
    "FieldPolicy",
    "FieldRule",
    "KeyMaterial",
    "MethodSpec",
    "MethodTable",
    "MinterState",
    "Operator",
    "Params",
    "PathTracker",
    "PlaceholderMinter",
    "ProtectContext",
    "ProtectedText",
    "Protector",
    "Replacement",
    "Scope",
    "SurrogateContext",
    "VaultLike",
    "ViewSet",
    "configure_method",
    "configure_methods",
    "field_type",
    "protect_text",
]
