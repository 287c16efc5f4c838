from __future__ import annotations

import re

import pytest

from coatcheck.errors import InputError, MissingKeyError, ProtectError
from coatcheck.keys import Keyring
from coatcheck.protect import ProtectedText, Protector, ViewSet

TEXT = "Dr. Sarah Chen (sarah.chen@hospital.com) paid with 4532-1234-5678-9010."
VIEWS = {
    "dashboard": {"default": "mask"},
    "compliance": {"CREDIT_CARD": "encrypt", "default": "hash"},
    "training": "surrogate",
    "llm": {"EMAIL_ADDRESS": "redact", "default": "redact"},
}


def test_views_of_a_text_from_one_detection(keyring: Keyring, detector) -> None:
    out = Protector(keyring, detector=detector).views(TEXT, VIEWS)
    assert detector.calls == 1
    assert set(out) == set(VIEWS)
    assert all(isinstance(v, ProtectedText) for v in out.values())
    assert out["dashboard"].text == "Dr. S**** C*** (s****@hospital.com) paid with ****-****-****-9010."
    assert out["llm"].text == "[PERSON_1] ([EMAIL_1]) paid with [CARD_1]."
    assert out["llm"].mapping["[EMAIL_1]"] == "sarah.chen@hospital.com"
    token = re.search(r"paid with (\S+)\.$", out["compliance"].text).group(1)  # type: ignore[union-attr]
    assert keyring.decrypt(token, tenant="default", field="CREDIT_CARD") == b"4532-1234-5678-9010"
    assert "Sarah" not in out["training"].text
    assert "@hospital.com" in out["training"].text
    for view in out.values():
        assert view.counts == {"PERSON": 1, "EMAIL_ADDRESS": 1, "CREDIT_CARD": 1}


def test_views_of_a_record_keep_shape(keyring: Keyring, detector) -> None:
    record = {"user": {"email": "a@x.com", "visits": 4}, "msgs": ["call 555-123-4567", "hi"]}
    out = Protector(keyring, detector=detector).views(record, ViewSet({"mask": "mask", "llm": "redact"}))
    assert detector.calls == 2  # the two free-text strings once each (email is typed by its name)
    assert out["mask"] == {"user": {"email": "a****@x.com", "visits": 4}, "msgs": ["call 555-***-4567", "hi"]}
    assert out["llm"] == {"user": {"email": "[EMAIL_1]", "visits": 4}, "msgs": ["call [PHONE_1]", "hi"]}


def test_view_errors(detector) -> None:
    with pytest.raises(ProtectError, match="unknown method 'blur'"):
        ViewSet({"x": "blur"})
    with pytest.raises(InputError, match="at least one"):
        ViewSet({})
    with pytest.raises(MissingKeyError):
        Protector(detector=detector).views("a@x.com", {"x": "hash"})
