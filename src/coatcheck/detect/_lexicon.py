"""Word lists the rules share: gazetteers from src/coatcheck/data/ and the small hand-written sets.

The files are read once, on first use, so importing coatcheck stays cheap. See scripts/build_gazetteers.py for
where the generated lists come from.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from coatcheck.errors import DetectorError

__all__ = [
    "DAYS_MONTHS",
    "EPONYMS",
    "FUNCTION_WORDS",
    "NAME_PARTICLES",
    "NATIONALITIES",
    "NOT_NAMES",
    "PLACE_NOUNS",
    "SUBJECT_VERBS",
    "TITLES",
    "dictionary_words",
    "english_words",
    "first_names",
    "last_names",
    "read_lines",
]

_DATA = Path(__file__).resolve().parent.parent / "data"


def read_lines(name: str) -> list[str]:
    """Lines of a data file, without blanks and ``#`` comments."""
    try:
        raw = (_DATA / name).read_text(encoding="utf-8")
    except OSError as exc:
        raise DetectorError(f"gazetteer file {name!r} is missing or unreadable ({type(exc).__name__})") from None
    return [line.strip() for line in raw.splitlines() if line.strip() and not line.startswith("#")]


@cache
def first_names() -> frozenset[str]:
    """Lowercase given names (Faker, Latin-script locales)."""
    return frozenset(read_lines("first_names.txt"))


@cache
def last_names() -> frozenset[str]:
    """Lowercase family names (Faker, Latin-script locales)."""
    return frozenset(read_lines("last_names.txt"))


@cache
def english_words() -> frozenset[str]:
    """Frequent lowercase English words, brands included; a name that is also one (``will``) needs more evidence."""
    return frozenset(w.lstrip("~") for w in read_lines("english_words.txt")) | NOT_NAMES


@cache
def dictionary_words() -> frozenset[str]:
    """The frequent words that a dictionary lists (``awarded``, ``pleasures``), without brands or celebrities."""
    return frozenset(w for w in read_lines("english_words.txt") if not w.startswith("~"))


TITLES = frozenset(
    "dr doctor mr mrs ms miss mx prof professor rev reverend nurse sir dame madam madame mme mlle "
    "sr sra srta herr frau dhr mevr".split()
)
NAME_PARTICLES = frozenset("van von der den de del della di da dos das du la le ter ten bin al el ibn st".split())

DAYS_MONTHS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec today tomorrow yesterday tonight".split()
)

# What may follow a one-word subject that is a person: auxiliaries and common verbs in the third person or
# past tense (plus any word ending in -ed). "Taylor series", "Markov chain", "Spotify playlist" are not people.
SUBJECT_VERBS = frozenset(
    """is was has had will would can could should may might must does did isn't wasn't hasn't doesn't didn't
    won't can't couldn't says said tells told asks writes wrote calls thinks thought wants needs likes loves
    knows knew goes went comes came makes made takes took gives gave gets got sends sent works lives begins
    began starts joins left leaves feels felt looks seems keeps kept becomes became runs ran spends spent tries
    uses helps mentions explains replies answers agrees suggests reports emails texts reviews approves owns
    manages leads handles sees saw meets met brings brought buys bought pays paid hopes plans prefers moves
    stays speaks spoke teaches taught studies grew grows arrives returns visits reads sings sang plays won wins
    loses lost sits sat stands stood holds held hears heard believes means meant finds found shows shouldn't
    just also never always still already really and or who from at with here there too""".split()
)

# Lowercase nouns after a capitalized run that make it a place ("Fartouna bridge", "Kostelec station").
PLACE_NOUNS = frozenset(
    """bridge tunnel river lake airport station county city town village district province region area bay beach
    harbour harbor island mountains valley campus downtown suburb neighborhood neighbourhood""".split()
)

# Nationalities and languages: capitalized adjectives that the name lists also hold ("French", "Danish").
NATIONALITIES = frozenset(
    """american british english scottish welsh irish canadian mexican brazilian argentinian argentine chilean
    peruvian colombian venezuelan cuban french german dutch belgian swiss austrian italian spanish portuguese
    greek turkish russian ukrainian polish czech slovak hungarian romanian bulgarian serbian croatian slovenian
    bosnian albanian swedish norwegian danish finnish icelandic estonian latvian lithuanian chinese japanese
    korean vietnamese thai filipino indonesian malaysian indian pakistani bangladeshi nepali afghan iranian
    persian iraqi syrian lebanese israeli jewish arab arabic egyptian moroccan algerian tunisian libyan
    nigerian ghanaian kenyan ethiopian somali sudanese african european asian australian zealander kiwi
    greenlander hispanic latino latina catalan basque flemish walloon bavarian texan californian hindi urdu
    bengali mandarin cantonese hebrew latin swahili tagalog""".split()
)

# Companies named after people (and place-named ones) that are found as ORGANIZATION, not PERSON/LOCATION.
EPONYMS = (
    "Morgan Stanley",
    "Goldman Sachs",
    "Wells Fargo",
    "Charles Schwab",
    "Merrill Lynch",
    "Dow Jones",
    "Johnson & Johnson",
    "Procter & Gamble",
    "Ernst & Young",
    "Marks & Spencer",
    "Harley-Davidson",
    "Harley Davidson",
    "Rolls-Royce",
    "Rolls Royce",
    "Mercedes-Benz",
    "Mercedes Benz",
    "Aston Martin",
    "Louis Vuitton",
    "Calvin Klein",
    "Ralph Lauren",
    "Tommy Hilfiger",
    "Hugo Boss",
    "Estee Lauder",
    "Warner Bros",
    "Walt Disney",
    "Ben & Jerry's",
    "Dolce & Gabbana",
    "Johnson Controls",
    "Lockheed Martin",
    "Raymond James",
    "Edward Jones",
    "JP Morgan",
    "J.P. Morgan",
    "JPMorgan Chase",
    "Bank of America",
    "Kaiser Permanente",
    "Berkshire Hathaway",
    "Thomson Reuters",
    "Baker McKenzie",
    "Marsh McLennan",
    "Booz Allen",
    "Bain & Company",
    "Jack Daniel's",
    "Martha Stewart Living",
    "Disney Plus",
    "Disney+",
    "Madison Square Garden",
    "Victoria's Secret",
    "Victoria Secret",
    "Dr Pepper",
    "Dr. Pepper",
    "Wendy's",
    "McDonald's",
    "Macy's",
    "Kellogg's",
    "Trader Joe's",
    "Dunkin' Donuts",
    "Tim Hortons",
)

# Pronouns, determiners, greetings and sign-offs: capitalized, they start no name and no street.
FUNCTION_WORDS = frozenset(
    """
    i i'm im i'll i've i'd it's that's let's there's here's what's who's you're we're they're
    me my mine you your yours he him his she her hers we us our they them their it its this that these those
    who whom what which where when why how there here all any each every some none no yes ok okay hi hello hey
    nan null none undefined true false dear thanks thank regards best cheers sincerely greetings welcome
    morning afternoon evening night please
    """.split()
)

# Capitalized words that are never a person here, though some are in a name list: function words, roles, and
# product or tool names that developers write capitalized.
NOT_NAMES = (
    DAYS_MONTHS
    | NATIONALITIES
    | FUNCTION_WORDS
    | frozenset(
        """
    sorry sir madam team support customer client user admin administrator bot assistant agent staff everyone
    anyone someone guys folks all dev devs ops manager mom mum dad mother father sister brother aunt uncle
    grandma grandpa doctor nurse patient god lord jesus christ allah
    alexa siri cortana claude gemini bard copilot chatgpt gpt llama mistral
    jenkins kafka docker kubernetes redis postgres mysql mongo django flask rails celery nginx apache ubuntu
    debian fedora centos linux windows android ios macos jira confluence grafana kibana prometheus terraform
    ansible github gitlab bitbucket slack zoom teams outlook gmail excel word chrome firefox safari edge
    python java javascript typescript kotlin scala rust golang perl php julia haskell elixir erlang clojure
    node react angular vue svelte webpack babel pandas numpy spark hadoop airflow heroku vercel netlify
    azure aws gcp oracle sap salesforce hubspot zendesk shopify stripe paypal venmo tesla
    """.split()
    )
)
