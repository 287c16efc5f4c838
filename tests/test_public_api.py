"""The top-level API is small and pinned; `coatcheck.detect` is both the function and the subpackage."""

from __future__ import annotations

import importlib

import coatcheck


def test_exported_names_are_pinned() -> None:
    assert set(coatcheck.__all__) == {
        "ENTITY_TYPES", "CoatcheckError", "DetectionTimeout", "Detector", "DetectorError", "Entity", "EntityType",
        "InputError", "PolicyError", "PolicyViolation", "ProtectError", "Recognizer", "Sensitivity", "__version__",
        "detect", "detect_batch",
    }  # fmt: skip
    for name in coatcheck.__all__:
        assert hasattr(coatcheck, name), name


def test_detect_is_callable_and_subpackages_import() -> None:
    engine = importlib.import_module("coatcheck.detect.engine")
    import coatcheck.detect.normalize as normalize_module

    assert normalize_module.normalize("x").text == "x"
    found = coatcheck.detect("write to jane.doe@example.com", profile="fast")
    assert [e.type for e in found] == ["EMAIL_ADDRESS"]
    assert found == engine.detect("write to jane.doe@example.com", "fast")
