"""Detection: normalize, run recognizers and NER, resolve overlaps. Pure and synchronous.

This package is also callable, so ``coatcheck.detect(text, profile=...)`` and ``import coatcheck.detect.engine``
both work: a plain function named ``detect`` on the top-level package would hide the subpackage.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coatcheck.detect.types import Entity, Profile


class _CallableModule(types.ModuleType):
    def __call__(self, text: str | bytes, profile: Profile = "accurate") -> list[Entity]:
        from coatcheck.detect.engine import detect

        return detect(text, profile)


sys.modules[__name__].__class__ = _CallableModule
