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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # every USPS street suffix, singular or plural, and house numbers before any name
        (
            "It's 017 Jenkins Hills Suite 258, North Michael, PR 61572.",
            "017 Jenkins Hills Suite 258, North Michael, PR 61572",
        ),
        ("meet at 6566 Shaffer Keys at 7?", "6566 Shaffer Keys"),
        ("last address 9222 Jennifer Flat.", "9222 Jennifer Flat"),
        ("left it at 012 Jackson Crossroad, not my place", "012 Jackson Crossroad"),
        ("visit at 625 Edwin Throughway Suite 861. Pt ok", "625 Edwin Throughway Suite 861"),
        # particles after a street type, lowercase
        (
            "6535 1915 rue de la Gauchetière\n Apt. 843\n Montreal\n Canada 01028",
            "6535 1915 rue de la Gauchetière\n Apt. 843\n Montreal\n Canada 01028",
        ),
        # a region code after the city on its own line, then the country and postcode
        (
            "send to 13783 324 Young Road\nAgia Thekla\n, FA\n Cyprus 19672?",
            "13783 324 Young Road\nAgia Thekla\n, FA\n Cyprus 19672",
        ),
        # the other street of an intersection
        ("How do I change my address to Jennifer and Dunajska 56 for post mail?", "Jennifer and Dunajska 56"),
        ("same address: Tomáš and Rua Seis 1266", "Tomáš and Rua Seis 1266"),
        # a second street name on the line, a number first with a postcode after, a street word after the number
        (
            "billing address: Industrivej 82 Filemonsen Shore\n Apt. 185\n Brædstrup\n Denmark 66084",
            "Industrivej 82 Filemonsen Shore\n Apt. 185\n Brædstrup\n Denmark 66084",
        ),
        (
            "here: 5514 23 Ano Vouves\nBerlin Oberschöneweide, BE 67687",
            "5514 23 Ano Vouves\nBerlin Oberschöneweide, BE 67687",
        ),
        ("The title refers to Männiku 63 street in Maru.", "Männiku 63"),
    ],
)
def test_more_street_shapes(text: str, expected: str) -> None:
    assert found(text, "STREET_ADDRESS") == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "We moved to 3 Kubernetes clusters last quarter.",
        "See Guilty Pleasures: 5 Musicians Of The 70s You're Supposed To Hate",
        "Upgrade to Grafana 10 next week.",
        "I have 2 Land Rovers and 12 French bulldogs.",
    ],
)
def test_still_not_addresses(text: str) -> None:
    assert found(text, "STREET_ADDRESS") == []


def test_address_block_lines_postcode_and_city() -> None:
    """JSON-escaped block: one finding per line; the postcode after the country belongs to the address."""
    text = r"}}Lucas Jessen\n}}1378 Brunnenstrasse 62\n}}Apt. 146\n}}Rueras\n}}Switzerland 62467"
    assert found(text, "STREET_ADDRESS") == ["1378 Brunnenstrasse 62", "Apt. 146", "62467"]
    assert found(text, "LOCATION") == ["Rueras", "Switzerland"]


def test_a_postcode_needs_an_address_above_it() -> None:
    assert found(r"Team offsite\nNorway 2024", "STREET_ADDRESS") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"Kimmo Mäkelä\n\n4056 Törneby 2\n Apt. 118\n GUALÖV\n Sweden 81156", ["GUALÖV", "Sweden"]),
        (r"Riku Andou\n\n931 Via Acrone 69\n Suite 260\n Valmacca\n\n Italy 69124", ["Valmacca", "Italy"]),
        (r"address:\n 1131 Zeppelinstr 70 Apt. 171\n   WENG IM GESÄUSE\n    ST\n    8913\n", ["WENG IM GESÄUSE"]),
        ("Henry Gibson lives in Cyprus (Greek) now.", ["Cyprus (Greek)"]),
        ("The clubs were on a street in Maru.", ["Maru"]),
        ("My friend lives in Kostelec nad Cernými Lesy", ["Kostelec nad Cernými Lesy"]),
    ],
)
def test_more_locations(text: str, expected: list[str]) -> None:
    assert found(text, "LOCATION") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kumagai Gumi Co.Ltd. is hiring.", ["Kumagai Gumi Co.Ltd."]),
        ("and Patel Engineering Limited's Katherine Péter.", ["Patel Engineering Limited"]),
        ("I work at Dogness (International) Corporation now.", ["Dogness (International) Corporation"]),
        ("Global Industrial Company ships today.", ["Global Industrial Company"]),
        ("Adrian spent a year at Eurofins Scientific SE as an assistant.", ["Eurofins Scientific SE"]),
        ("at Atrium European Real Estate Limited in town", ["Atrium European Real Estate Limited"]),
        ("Okato HoldingsInc. announced results.", ["Okato HoldingsInc."]),
        ("The Company will respond.", []),
        ("Turn left at 12 Main St SE.", []),
    ],
)
def test_more_organizations(text: str, expected: list[str]) -> None:
    assert found(text, "ORGANIZATION") == expected
