"""Network identifiers: IP addresses, MAC addresses and URLs.

The IPv4 patterns take a whole dotted run (``1.3.6.1.4.1``) so the validator can reject OIDs and long version
strings as a whole; version words nearby ("version", "upgrade to", "build") lower the score of a four-part one.
A quad whose first three parts are single digits (``4.6.8.78``) is far more often a version than an address
(those addresses are 0.005% of the IPv4 space, mostly well-known resolvers), so it needs a network word.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import LB, lb
from coatcheck.detect.types import Recognizer

__all__ = ["NETWORK_RECOGNIZERS"]

_NETWORK_WORDS = (
    "ip",
    "ip address",
    "ipv4",
    "ipv6",
    "address",
    "host",
    "client",
    "server",
    "remote",
    "addr",
    "dns",
    "resolver",
    "nameserver",
    "gateway",
    "ping",
    "ssh",
    "proxy",
    "vpn",
    "firewall",
    "blocked",
    "whitelist",
    "allowlist",
    "src",
    "dst",
    "peer",
    "connect",
    "connected",
    "connection",
)
_IP_CONTEXT = (*_NETWORK_WORDS, "from")
_IP_NEGATIVE = (
    "version",
    "ver",
    "v",
    "release",
    "build",
    "update",
    "updating",
    "updated",
    "upgrade",
    "upgrading",
    "upgraded",
    "downgrade",
    "bump",
    "bumps",
    "bumped",
    "dependency",
    "hotfix",
    "firmware",
    "package",
    "oid",
    "snmp",
    "section",
    "chapter",
    "clause",
    "chrome",
    "safari",
    "firefox",
    "mozilla",
    "applewebkit",
    "edge",
)
# Not after a letter, a dot or a version pin (``pkg==1.2.3.4``, ``>=``, ``~=``); ``ip=`` is fine.
_LB_IP = r"(?:^|\\[nrt]|[^\w.=]|[^=<>~!]=)"
_URL_CHARS = r"[^\s<>\"'`{}|\\^\[\]]"
_URL_END = r"[^\s<>\"'`{}|\\^\[\].,;:!?)]"
_BARE_TLDS = (
    "com|org|net|edu|gov|io|ai|co|us|uk|de|fr|es|it|nl|ca|au|in|jp|cn|br|ch|se|no|dk|fi|pl|ie|nz|info|biz|app|"
    "dev|me|tv|health|shop|store|online|site|tech|cloud|blog"
)

_QUAD_TAIL = r"\.\d{1,3}(?:\.\d+)*(?:/\d{1,3})?)\b"

IPV4 = Recognizer(
    name="ipv4",
    entity="IP_ADDRESS",
    pattern=_LB_IP + r"(?P<value>(?:\d{2,3}\.\d{1,3}\.\d{1,3}|\d\.\d{2,3}\.\d{1,3}|\d\.\d\.\d{2,3})" + _QUAD_TAIL,
    score=0.85,
    validator=v.ipv4,
    context=_IP_CONTEXT,
    negative_context=_IP_NEGATIVE,
    context_boost=0.4,
    examples=(
        "I can't browse to your site, keep getting address «203.0.113.42» blocked error",
        "WARN login failed user=jdoe ip=«198.51.100.7» attempts=5",
        "SELECT * FROM Users WHERE client_ip = ?%//!%20\\|«192.0.2.146»|%20/",
        "Failover from «10.0.12.5» to «10.0.12.6»:8443 completed.",
        "My home router is «192.168.1.254», can you whitelist it?",
        "ssh admin@«172.16.254.1»",
        "blocked hosts:\\n«203.0.113.42»\\n«198.51.100.7»",
        "requests keep coming from «198.51.23.0» overnight",
        "Server «3.14.159.26» is the new bastion.",
    ),
    counterexamples=(
        "Upgraded to version 1.2.3.4 last night.",
        "pip install pkg==7.23.7.8 and requests>=2.31.0.1",
        "Bump numpy to v1.26.4.2 and rebuild.",
        "SNMP walk of OID 1.3.6.1.4.1.311 returned nothing.",
        "User-Agent: Mozilla/5.0 AppleWebKit/537.36 Chrome/120.0.6099.109 Safari/537.36",
        "Listening on 0.0.0.0:8080 and 10.0.0.0/8 is routed internally.",
        "Values 256.1.1.1 and 999.12.3.4 are out of range.",
        "See clause 2.4.1.3 of the contract.",
        "Route 192.168.10.0/24 via the VPN; netmask 255.255.255.0.",
        "Please try upgrading to 10.2.14.7 and restart the app.",
    ),
)

IPV4_VERSION_LIKE = Recognizer(
    name="ipv4_version_like",
    entity="IP_ADDRESS",
    pattern=_LB_IP + r"(?P<value>\d\.\d\.\d" + _QUAD_TAIL,
    score=0.2,
    validator=v.ipv4,
    context=_NETWORK_WORDS,
    negative_context=(*_IP_NEGATIVE, "since"),
    context_boost=0.4,
    examples=(
        "Set the DNS server to «9.9.9.9» and retry.",
        "ping «8.8.4.4» works but nothing else does",
        "failed login from ip «5.6.7.89»",
    ),
    counterexamples=(
        "Please try updating to 4.6.8.78 and restarting the device.",
        "docker pull ghcr.io/acme/api:8.0.1.75 && docker run acme/api",
        "Protocol amendment 7.2.0.9 approved by the IRB.",
        "PR #4821 bumps Postgres to 5.2.2.77; server restart needed.",
        "ssh to the bastion times out since 8.9.3.68, ping me if you have access",
    ),
)

IPV6 = Recognizer(
    name="ipv6",
    entity="IP_ADDRESS",
    pattern=lb(":.") + r"(?P<value>(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,}(?:\.\d{1,3}){0,3})",
    score=0.85,
    validator=v.ipv6,
    context=_IP_CONTEXT,
    negative_context=_IP_NEGATIVE,
    examples=(
        "Blocked request from «2001:db8:85a3::8a2e:370:7334» at the edge.",
        "client=«2001:0db8:0000:0000:0000:ff00:0042:8329» status=403",
        "Mapped address «::ffff:192.0.2.128» seen twice",
        "link-local «fe80::1ff:fe23:4567:890a»%eth0",
    ),
    counterexamples=(
        "The meeting runs 10:30:45 to 11:15:00.",
        "Use std::vector<int> and boost::asio here.",
        "Loopback ::1 answered.",
        "Ratio 3:4:5 holds for this triangle.",
    ),
)

MAC = Recognizer(
    name="mac_address",
    entity="MAC_ADDRESS",
    pattern=lb(":.-") + r"(?P<value>[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,}|[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5,}"
    r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})\b",
    score=0.8,
    validator=v.mac_address,
    context=("mac", "hardware", "ethernet", "wifi", "wlan", "bssid", "nic", "device"),
    negative_context=("fingerprint", "sha1", "sha256", "md5", "checksum", "hash"),
    examples=(
        "Laptop MAC «00:1A:2B:3C:4D:5E» was seen on the guest wifi.",
        "dhcp lease for «a4-5e-60-d1-22-9f» expired",
        "switch port shows «001a.2b3c.4d5e»",
    ),
    counterexamples=(
        "Cert SHA1 Fingerprint=AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
        "Build 2024.0312.1022 finished.",
        "Times 10:22:01 and 12:30:45 were logged.",
        "Null MAC 00:00:00:00:00:00 is ignored.",
    ),
)

URL_SCHEME = Recognizer(
    name="url",
    entity="URL",
    pattern=LB + r"(?P<value>(?:https?|ftp)://" + _URL_CHARS + "*" + _URL_END + ")",
    score=0.6,
    validator=v.url,
    case_insensitive=True,
    examples=(
        "My profile is at «https://example.com/u/sarah-chen» if you need it.",
        "Reset link: «http://portal.example.org/reset?ref=mail&u=42».",
        "Medium post «https://medium.com/@sarah.chen/my-story-1a2b3c»",
        "(see «https://docs.example.io/guide#setup»)",
        "Photo uploaded to «https://203.0.113.9/uploads/img_2231.jpg»",
    ),
    counterexamples=(
        "Dev server running at http://localhost:8000/api",
        "Use the scheme https:// followed by the host name.",
        "Internal host http://build-agent-07/job/42 is down.",
        "OAuth callback https://app.example.com/cb?code=Zx8Kq3Lm9W&state=42 (the code is a secret)",
        "Admin at https://alice:Sup3rS3cret!@example.com/admin - rotate it",
        "Unsubscribe: https://example.com/u?email=sarah.chen@example.com",
    ),
)

URL_WWW = Recognizer(
    name="url_www",
    entity="URL",
    pattern=lb("./@-") + r"(?P<value>www\." + _URL_CHARS + "*" + _URL_END + ")",
    score=0.6,
    validator=v.url,
    case_insensitive=True,
    examples=(
        "Check out my blog «www.example.com/sarah» :)",
        "Visit «WWW.Example.co.uk».",
    ),
    counterexamples=(
        "The www. prefix is optional.",
        "Set the header to www.local for testing.",
    ),
)

URL_DOMAIN = Recognizer(
    name="domain_context",
    entity="URL",
    pattern=lb(".@/-")
    + r"(?P<value>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:"
    + _BARE_TLDS
    + r")\b(?:/"
    + _URL_CHARS
    + "*"
    + _URL_END
    + ")?)",
    score=0.35,
    validator=v.url,
    case_insensitive=True,
    context=("website", "site", "domain", "url", "link", "visit", "homepage", "web page", "portfolio", "blog"),
    examples=(
        "My website is «sarah-chen.dev», have a look.",
        "Portfolio: «janedoe.example.com/work»",
    ),
    counterexamples=(
        "Edit config.py and settings.yaml, then run main.go.",
        "The module fastapi.app handles routing.",
        "Open report.pdf from the shared folder.",
    ),
)

NETWORK_RECOGNIZERS: tuple[Recognizer, ...] = (IPV4, IPV4_VERSION_LIKE, IPV6, MAC, URL_SCHEME, URL_WWW, URL_DOMAIN)
