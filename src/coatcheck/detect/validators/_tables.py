"""Reference tables the validators check against (ISO 3166, IBAN registry, TLDs, ITU codes, IRS)."""

from __future__ import annotations

ISO_COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW
    BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ
    FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ
    IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH
    MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL
    PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD
    TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW""".split()
)

# IBAN total length per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    cc: int(n)
    for cc, n in (
        item.split(":")
        for item in """AD:24 AE:23 AL:28 AT:20 AZ:28 BA:20 BE:16 BG:22 BH:22 BI:27 BR:29 BY:28 CH:21 CR:22 CY:28
        CZ:24 DE:22 DJ:27 DK:18 DO:28 EE:20 EG:29 ES:24 FI:18 FK:18 FO:18 FR:27 GB:22 GE:22 GI:23 GL:18 GR:27
        GT:28 HR:21 HU:28 IE:22 IL:23 IQ:23 IS:26 IT:27 JO:30 KW:30 KZ:20 LB:28 LC:32 LI:21 LT:20 LU:20 LV:21
        LY:25 MC:27 MD:24 ME:22 MK:19 MN:20 MR:27 MT:31 MU:30 NI:28 NL:18 NO:15 OM:23 PK:24 PL:28 PS:29 PT:25
        QA:29 RO:24 RS:22 RU:33 SA:24 SC:31 SD:18 SE:24 SI:19 SK:24 SM:27 SO:23 ST:25 SV:28 TL:23 TN:24 TR:26
        UA:29 VA:22 VG:24 XK:20 YE:30""".split()
    )
}

# Generic and common TLDs; every ISO country code (plus uk, eu, ac) is a ccTLD as well.
GENERIC_TLDS = frozenset(
    """com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat io ai app dev
    co me tv cloud tech online site store shop blog page xyz top club live news email today life world space
    website digital agency solutions services company network systems group global health care clinic
    hospital bank finance money law legal media studio design art photo host link click help support team
    works zone center city london nyc berlin paris tokyo amsterdam africa moe one inc llc ltd gmbh academy
    education school university consulting software engineering express direct finance fund capital
    insurance realty property properties rentals social chat community family games game energy eco
    marketing partners ventures holdings international""".split()
)
TLDS = GENERIC_TLDS | {c.lower() for c in ISO_COUNTRIES} | {"uk", "eu", "ac"}

# Three-digit ITU calling codes start with these two digits; the others are two-digit codes (or 1 and 7).
CC_TWO = frozenset(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 "
    "81 82 84 86 90 91 92 93 94 95 98".split()
)
CC_THREE_LEAD = frozenset("21 22 23 24 25 26 29 35 37 38 42 50 59 67 68 69 80 85 87 88 96 97 99".split())

EIN_PREFIXES = frozenset(
    [f"{n:02d}" for n in (*range(1, 7), *range(10, 17), *range(20, 28), *range(30, 49), *range(50, 69))]
    + [f"{n:02d}" for n in (*range(71, 78), *range(80, 89), *range(90, 96), 98, 99)]
)

PLACEHOLDER_PARTS = tuple(
    """example placeholder changeme change_me change-me your_ your- yourkey yourpass xxxx **** .... < > ${ {{
    %s dummy redacted replace insert sample todo fixme notreal not_real secret_here key_here""".split()
)
PLACEHOLDER_WORDS = frozenset(
    """none null nil true false undefined empty blank required optional string str bytes int env secret
    password passwd pwd token apikey api_key key value test testing default hidden masked unknown n/a
    na tbd""".split()
)
# Words that follow "password is" in prose but are not passwords.
PROSE_WORDS = frozenset(
    """a an the not no too very incorrect correct wrong invalid valid expired expiring required missing empty
    set reset changed updated weak strong case sensitive being still now also only same different your my
    our their his her its stored saved hashed encrypted sent shown hidden visible needed mandatory optional
    long short secure insecure protected incorrectly due going used ok fine good bad locked unlocked
    blank null none unknown forgotten lost compromised leaked rotated generated managed handled checked
    verified accepted rejected case-sensitive at least more less""".split()
)
