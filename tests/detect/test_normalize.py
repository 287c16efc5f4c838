"""Normalization sees through Unicode tricks and maps every span back to the original."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coatcheck.detect.normalize import normalize

TRICKY = st.sampled_from(
    [*"ab1 @.-", "\u200b", "\u200d", "\ufeff", "４", "١", "ａ", "а", "ο", "–", "\u00a0", "é", "ﬁ", "\ud800"]
)


def test_ascii_is_untouched_and_free() -> None:
    view = normalize("plain ascii 123")
    assert view.text == "plain ascii 123"
    assert not view.changed


def test_known_cases() -> None:
    assert normalize("４５３２\u200b-١٢٣٤").text == "4532-1234"
    assert normalize("pаypal\u00a0x–y").text == "paypal x-y"


@given(st.lists(TRICKY, max_size=40).map("".join))
def test_every_normalized_span_maps_inside_the_original(text: str) -> None:
    view = normalize(text)
    n = len(view.text)
    for start in range(n):
        for end in range(start + 1, n + 1):
            orig_start, orig_end = view.span(start, end)
            assert 0 <= orig_start < orig_end <= len(text)
            # the original span normalizes to exactly the normalized span (no character lost or added)
            assert normalize(text[orig_start:orig_end]).text == view.text[start:end]


@given(st.text(max_size=60))
def test_normalized_text_is_always_encodable(text: str) -> None:
    normalize(text).text.encode("utf-8")
