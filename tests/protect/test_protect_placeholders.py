from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coatcheck.errors import InputError
from coatcheck.protect.placeholders import MinterState, PlaceholderMinter, placeholder_alias


@pytest.mark.parametrize(
    ("entity_type", "alias"),
    [("EMAIL_ADDRESS", "EMAIL"), ("PERSON", "PERSON"), ("CREDIT_CARD", "CARD"), ("NOT_A_TYPE", "NOT_A_TYPE")],
)
def test_alias_comes_from_taxonomy(entity_type: str, alias: str) -> None:
    assert placeholder_alias(entity_type) == alias


def test_same_value_same_placeholder_and_per_type_counters() -> None:
    m = PlaceholderMinter()
    assert m.mint("EMAIL_ADDRESS", "Sarah.Chen@X.com") == "[EMAIL_1]"
    assert m.mint("PERSON", "Sarah Chen") == "[PERSON_1]"
    assert m.mint("EMAIL_ADDRESS", "sarah.chen@x.com") == "[EMAIL_1]"
    assert m.mint("EMAIL_ADDRESS", "bob@x.com") == "[EMAIL_2]"
    assert m.mint("PERSON", "sarah  CHEN") == "[PERSON_1]"
    assert m.mapping == {
        "[EMAIL_1]": "Sarah.Chen@X.com",
        "[PERSON_1]": "Sarah Chen",
        "[EMAIL_2]": "bob@x.com",
    }
    assert m.type_of("[EMAIL_2]") == "EMAIL_ADDRESS"
    assert len(m) == 3


def test_card_spellings_share_a_placeholder() -> None:
    m = PlaceholderMinter()
    assert m.mint("CREDIT_CARD", "4532-1234-5678-9010") == m.mint("CREDIT_CARD", "4532 1234 5678 9010")


def test_skips_numbers_already_in_the_input() -> None:
    m = PlaceholderMinter()
    m.reserve("please keep [EMAIL_1] and [EMAIL_3] as they are")
    assert m.mint("EMAIL_ADDRESS", "a@x.com") == "[EMAIL_2]"
    assert m.mint("EMAIL_ADDRESS", "b@x.com") == "[EMAIL_4]"
    assert m.value_of("[EMAIL_1]") is None
    # restoring leaves the user's own placeholder text alone
    assert m.restore("[EMAIL_1] [EMAIL_2]") == "[EMAIL_1] a@x.com"


def test_reserving_a_minted_placeholder_does_not_block_it() -> None:
    m = PlaceholderMinter()
    first = m.mint("PERSON", "Ann Lee")
    m.reserve(f"the model said {first}")
    assert m.mint("PERSON", "Ann Lee") == first
    assert m.mint("PERSON", "Bo Ek") == "[PERSON_2]"


def test_unnumbered_mode() -> None:
    m = PlaceholderMinter(numbered=False)
    assert m.mint("EMAIL_ADDRESS", "a@x.com") == "[EMAIL]"
    assert m.mapping == {}


def test_restore_only_selected() -> None:
    m = PlaceholderMinter()
    a, b = m.mint("PERSON", "Ann Lee"), m.mint("PERSON", "Bo Ek")
    assert m.restore(f"{a} & {b}", only=[b]) == f"{a} & Bo Ek"


def test_state_round_trip_keeps_numbering() -> None:
    m = PlaceholderMinter()
    m.reserve("[PERSON_2]")
    m.mint("PERSON", "Ann Lee")
    m.mint("EMAIL_ADDRESS", "a@x.com")
    data = json.loads(json.dumps(m.state().as_dict()))
    again = PlaceholderMinter.from_state(MinterState.from_dict(data))
    assert again.mint("PERSON", "ann lee") == "[PERSON_1]"
    assert again.mint("PERSON", "Cy Do") == "[PERSON_3]"
    assert again.mapping["[EMAIL_1]"] == "a@x.com"


def test_bad_state_is_input_error() -> None:
    with pytest.raises(InputError):
        MinterState.from_dict({"entries": [[1, 2]]})


def test_repr_has_no_values() -> None:
    m = PlaceholderMinter()
    m.mint("EMAIL_ADDRESS", "secret.person@x.com")
    assert "secret.person" not in repr(m)
    assert "secret.person" not in repr(m.state())


@given(st.lists(st.sampled_from(["a@x.com", "B@x.com", "b@X.com", "c@x.com"]), min_size=1), st.text())
def test_minted_placeholders_never_collide_with_input(values: list[str], noise: str) -> None:
    m = PlaceholderMinter()
    text = noise + " [EMAIL_1] [EMAIL_2]"
    m.reserve(text)
    minted = {m.mint("EMAIL_ADDRESS", v) for v in values}
    assert not minted & {"[EMAIL_1]", "[EMAIL_2]"}
    assert len(minted) == len({v.lower() for v in values})
