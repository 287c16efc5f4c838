"""STREET_ADDRESS grammar, LOCATION gazetteer and ORGANIZATION suffixes."""

from __future__ import annotations

import pytest

from coatcheck.detect.rules import find_rule_entities


def found(text: str, entity_type: str) -> list[str]:
    return [e.text for e in find_rule_entities(text) if e.type == entity_type and e.score >= 0.5]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I live at 742 Evergreen Terrace, Springfield, IL 62704.", "742 Evergreen Terrace, Springfield, IL 62704"),
        (
            "Ship it to 55 Water Street, Apt 4B, New York, NY 10041 please",
            "55 Water Street, Apt 4B, New York, NY 10041",
        ),
        (
            "Our HQ: 500 Market St, Suite 300, San Francisco, CA 94105",
            "500 Market St, Suite 300, San Francisco, CA 94105",
        ),
        ("Visit 1600 N Main St. SE today", "1600 N Main St. SE"),
        ("Deliver to 221B Baker Street, London NW1 6XE.", "221B Baker Street, London NW1 6XE"),
        ("Send mail to 12 Oak Lane instead.", "12 Oak Lane"),
        ("The office is at 350 Fifth Avenue, New York, NY 10118-0110", "350 Fifth Avenue, New York, NY 10118-0110"),
        ("Meet at 20 5th Ave after lunch.", "20 5th Ave"),
        # continental shapes
        ("The bus station is on Via Pasquale Scura 127", "Via Pasquale Scura 127"),
        ("Deliver to 18 Rue de Rivoli, 75004 Paris", "18 Rue de Rivoli, 75004 Paris"),
        ("Meine Adresse: Invalidenstrasse 19, 10115 Berlin", "Invalidenstrasse 19, 10115 Berlin"),
        ("He lives at Langenhorner Chaussee 76.", "Langenhorner Chaussee 76"),
        (
            "Send it to 0556 Rákóczi út 41. Apt. 304\nBudapest\n, Hungary",
            "0556 Rákóczi út 41. Apt. 304\nBudapest\n, Hungary",
        ),
        ("Address: Kloosterhof 167", "Kloosterhof 167"),
        # boxes and intersections
        ("Mail it to P.O. Box 63 for now.", "P.O. Box 63"),
        ("PSC 2322, Box 6025\nAPO AA 88307", "PSC 2322, Box 6025\nAPO AA 88307"),
        ("Meet me at the corner of Main Street and 5th Avenue.", "the corner of Main Street and 5th Avenue"),
        # a street with no number, after a preposition
        ("The shop on Maple Street is closed.", "Maple Street"),
    ],
)
def test_street_addresses(text: str, expected: str) -> None:
    assert found(text, "STREET_ADDRESS") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "I have 3 Google Drive folders.",
        "Windows 10 and Python 3 are installed.",
        "Chapter 5 covers the basics.",
        "Give me 5 minutes on the road.",
        "Order #1234 shipped.",
        "Version 2.3.1 fixes the bug.",
        "Way forward is to test more.",
        "We sold 12 units last week.",
        "Room 101 is booked.",
        "Route 53 health checks failed.",
    ],
)
def test_not_addresses(text: str) -> None:
    assert found(text, "STREET_ADDRESS") == []


def test_escaped_line_breaks_end_an_address() -> None:
    """JSON-escaped text: a backslash-n is a line break, so the lines stay separate findings."""
    text = r"Helena Carlsen\n\n637 Vinohradska 1006\n Suite 026\n Svratka"
    assert found(text, "STREET_ADDRESS") == ["637 Vinohradska 1006", "Suite 026"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I moved from Germany to Canada in 2019.", ["Germany", "Canada"]),
        ("The shipment is stuck in Rotterdam.", ["Rotterdam"]),
        ("We visited Kyoto and São Paulo last spring.", ["Kyoto", "São Paulo"]),
        ("Flights to New York and Rio de Janeiro are delayed.", ["New York", "Rio de Janeiro"]),
        ("She grew up in Nice.", ["Nice"]),  # a city that is also a word needs a preposition
        ("That was a nice idea.", []),
        ("Reading the logs now.", []),
        ("Paris Hilton was there.", []),  # a name that is also a city, without a place cue
        ("I'm from Jordan.", ["Jordan"]),
        ("Jordan reviewed the PR.", []),
        ("Our team in the United States of America grew.", ["United States of America"]),
    ],
)
def test_locations(text: str, expected: list[str]) -> None:
    assert found(text, "LOCATION") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I work for Acme Widgets Inc. in sales.", ["Acme Widgets Inc."]),
        ("The invoice was addressed to Brightside Consulting LLC.", ["Brightside Consulting LLC"]),
        ("She was treated at Mercy Hospital.", ["Mercy Hospital"]),
        ("He studied at the University of Oslo.", ["University of Oslo"]),
        ("Our client Nordic Timber AB wants a demo.", ["Nordic Timber AB"]),
        ("Siemens Healthineers AG reported earnings.", ["Siemens Healthineers AG"]),
        ("Michal Horky of Gold Bullion Securities Limited spoke.", ["Gold Bullion Securities Limited"]),
        ("Check the Build Systems dashboard.", []),
        ("Ask the Data Group about it.", []),
    ],
)
def test_organizations(text: str, expected: list[str]) -> None:
    assert found(text, "ORGANIZATION") == expected


def test_public_brands_are_below_the_default_threshold() -> None:
    (brand,) = [e for e in find_rule_entities("Morgan Stanley research note is attached.")]
    assert (brand.type, brand.text) == ("ORGANIZATION", "Morgan Stanley")
    assert brand.score < 0.5


def test_address_wins_over_the_name_words_inside_it() -> None:
    text = "Please return to 307 Alvaro Cunqueiro 55\n Apt. 440\n Sevilla\n Spain 19595 in case of an issue."
    addresses = found(text, "STREET_ADDRESS")
    assert addresses == ["307 Alvaro Cunqueiro 55\n Apt. 440\n Sevilla\n Spain 19595"]
    assert found(text, "PERSON") == []
