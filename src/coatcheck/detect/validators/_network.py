"""Contact and network values: domains, email addresses, URLs, IP and MAC addresses, phone numbers."""

from __future__ import annotations

import ipaddress
import re

from coatcheck.detect.validators._common import all_same, digits_of, is_ascii_digits
from coatcheck.detect.validators._tables import CC_THREE_LEAD, CC_TWO, TLDS
from coatcheck.detect.validators._temporal import calendar_date


def domain_name(host: str) -> bool:
    """A DNS name with at least two labels and a known top-level domain."""
    host = host.rstrip(".").lower()
    labels = host.split(".")
    if len(labels) < 2 or len(host) > 253:
        return False
    for label in labels:
        if not 1 <= len(label) <= 63 or label.startswith("-") or label.endswith("-"):
            return False
    return labels[-1] in TLDS


def email(value: str) -> bool:
    """An address whose local part and domain are well formed and whose TLD exists."""
    local, sep, domain = value.rpartition("@")
    if not sep or not 1 <= len(local) <= 64 or len(value) > 254:
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local or local == "git":
        return False  # git@host is the SSH convention for repositories, not a mailbox
    return domain_name(domain)


_SECRET_PARAMS = frozenset(
    "token access_token id_token refresh_token key api_key apikey secret client_secret password pwd sig "
    "signature auth code session sessionid".split()
)


def url(value: str) -> bool:
    """A URL whose host is an IP address or a domain with a known TLD (``localhost`` is not personal).

    A URL that carries an ``@`` (user info, an email in the query) or a secret-looking query parameter is left
    to the recognizers of what it carries, so a credential is never reported as a mere URL.
    """
    rest = value.split("://", 1)[1] if "://" in value else value
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    query = rest.partition("?")[2]
    if "@" in authority or "@" in query:
        return False
    for pair in query.replace(";", "&").split("&"):
        if pair.partition("=")[0].lower() in _SECRET_PARAMS:
            return False
    host = authority
    if host.startswith("["):
        return ipv6(host[1:].split("]", 1)[0])
    host = host.split(":", 1)[0]
    return ipv4(host) or domain_name(host)


def ipv4(value: str) -> bool:
    """Dotted quad, each octet 0-255 without leading zeros, that can name one host.

    Not ``0.x.x.x``, a netmask or broadcast (``255``), a ``x.y.0.0`` network, nor a range in CIDR notation
    (``10.1.2.0/24``); a host address such as ``198.51.23.0`` inside a larger network is fine.
    """
    if "/" in value:
        return False
    parts = value.split(".")
    if len(parts) != 4:
        return False
    for p in parts:
        if not is_ascii_digits(p) or len(p) > 3 or (len(p) > 1 and p[0] == "0") or int(p) > 255:
            return False
    first, _, third, last = parts
    return first not in ("0", "255") and last != "255" and (third, last) != ("0", "0")


def ipv6(value: str) -> bool:
    """Any textual IPv6 form, with at least two non-empty groups (``::1`` and ``::`` say nothing)."""
    if len(value) > 45 or value.count(":") < 2:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return sum(1 for g in value.split(":") if g) >= 2


def mac_address(value: str) -> bool:
    """Six octets (EUI-48) in one consistent notation, not all zero."""
    hexes = "".join(ch for ch in value if ch not in ":-.")
    if len(hexes) != 12:
        return False
    try:
        int(hexes, 16)
    except ValueError:
        return False
    if "." in value and hexes.isdigit():
        return False  # 2024.0312.1022 is a build number
    return set(hexes) != {"0"} and len({ch for ch in value if ch in ":-."}) == 1


_LETTER = re.compile(r"[^\W\d_]")


def _phone_main(value: str) -> str:
    """The digits before an extension (``x123``, ``ext. 123``)."""
    letter = _LETTER.search(value)
    return digits_of(value if letter is None else value[: letter.start()])


def nanp_phone(value: str) -> bool:
    """A North American number: area code and exchange start 2-9 (an extension may follow)."""
    d = _phone_main(value)
    if len(d) == 13 and d.startswith("001"):
        d = d[3:]
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    return len(d) == 10 and d[0] not in "01" and d[3] not in "01" and not all_same(d)


def phone_digits(value: str) -> bool:
    """7 to 15 digits (the E.164 limit), not one repeated digit."""
    d = _phone_main(value)
    return 7 <= len(d) <= 15 and not all_same(d)


def phone_bare(value: str) -> bool:
    """An unformatted North American number: 10 digits (or 1 + 10) whose area code starts 2-9.

    Ten-digit runs starting with 1 are mostly Unix timestamps, so they are never phones here.
    """
    d = digits_of(value)
    if len(d) == 11 and d[0] == "1":
        d = d[1:]
    return len(d) == 10 and d[0] not in "01" and not all_same(d)


def phone_grouped(value: str) -> bool:
    """Digit groups a person might write a phone in (``21 259 903 5696``, ``87 47 98``).

    Not a date, an IP address or a decimal number; six digits only as three pairs or more.
    """
    groups = value.replace("(", " ").replace(")", " ").replace(".", " ").replace("-", " ").split()
    dots = value.count(".")
    if len(groups) == 2 and dots == 1:
        return False  # 33.916068
    d = digits_of(value)  # the pattern has no extension, so these are all the phone's digits
    if len(d) == 6 and len(groups) >= 3:
        return not all_same(d)
    if not 7 <= len(d) <= 15 or all_same(d):
        return False
    if dots == 3 and ipv4(value):
        return False
    return not (("-" in value or "/" in value or dots) and calendar_date(value))


def phone_international(value: str) -> bool:
    """``+CC ...`` or ``00CC ...``: an assigned country calling code and 8-15 digits in all."""
    d = _phone_main(value)
    if value.lstrip("(").startswith("00"):
        d = d[2:]
    if not 8 <= len(d) <= 15 or all_same(d[1:]):
        return False
    return d[0] in "17" or d[:2] in CC_TWO or d[:2] in CC_THREE_LEAD
