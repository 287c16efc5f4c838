"""Passwords after a keyword, and connection strings that embed one.

The PASSWORD rows report the value only (``password: «hunter2!»``); the CONNECTION_STRING rows report the
whole URI or ADO string, which is longer and therefore wins over the password inside it.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import LB, lb
from coatcheck.detect.types import Recognizer

__all__ = ["PASSWORD_RECOGNIZERS"]

_PW_KEY = lb(word="a-z") + r"(?:password|passwd|pass[ _-]?phrase|passcode|pwd)"
_ASSIGN = r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*"
_BARE_END = r"[^\s\"'`,;.?:)\]}]"
_DB_SCHEMES = (
    r"(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|oracle|cockroachdb"
    r"|clickhouse|couchbase|neo4j(?:\+s)?|jdbc:[a-z0-9]+)(?:\+[a-z0-9]+)?"
)
_URI_REST = r"://[^\s:/@\"'<>]*:[^\s@\"'<>]*@[^\s\"'<>]*[^\s\"'<>.,;:!?)\]]"
_ADO_START = (
    r"(?:server|data source|host|address|addr|defaultendpointsprotocol|endpoint|provider|driver|user id|uid"
    r"|database|initial catalog|accountname)"
)

PASSWORD_ASSIGN = Recognizer(
    name="password_assignment",
    entity="PASSWORD",
    pattern=_PW_KEY + _ASSIGN + r"(?P<value>[^\s\"'`,;]*" + _BARE_END + ")",
    score=0.85,
    validator=v.password,
    case_insensitive=True,
    examples=(
        "login: sarah.chen / password: «hunter2!»",
        "DB_PASSWORD=«Tr0ub4dor&3»",
        "curl 'https://api.example.com/login?user=bob&pwd=«S3cr3t-99»'",
        "passwd: «x9!Kq2#Lm» (temporary)",
        "wifi passphrase: «BlueFalcon42»",
    ),
    counterexamples=(
        "password: str",
        "password = None",
        "password: ********",
        "password=${DB_PASSWORD}",
        "password = get_password()",
        "password: Optional[str] = Field(default=None)",
        "password_hash = bcrypt.hash(raw)",
        "pwd: /home/sarah/projects",
        "Password: <redacted>",
        "Forgot password? Click the link to reset it.",
        "PASS: test_login_flow (0.42s)",
    ),
)

PASSWORD_QUOTED = Recognizer(
    name="password_quoted",
    entity="PASSWORD",
    pattern=_PW_KEY + _ASSIGN + r"[\"'](?P<value>[^\"'\n]+)[\"']",
    score=0.85,
    validator=v.password,
    case_insensitive=True,
    examples=(
        'db = connect(user="app", password="«correct horse battery»")',
        '{"username": "sarah", "password": "«P@ssw0rd!2024»"}',
        "PASSWORD: '«hunter2!»'",
    ),
    counterexamples=(
        'password = ""',
        'password: "changeme"',
        "password = os.environ['DB_PASSWORD']",
        '{"password": "{{ vault_db_password }}"}',
        "password: 'your-password-here'",
    ),
)

PASSWORD_PHRASE = Recognizer(
    name="password_phrase",
    entity="PASSWORD",
    pattern=lb(word="a-z") + r"(?:password|passwd|pass ?phrase|passcode|pwd|pin)[ \t]+(?:is|was)[ \t]*:?[ \t]*[\"']?"
    r"(?P<value>[^\s\"'`,;]*" + _BARE_END + ")",
    score=0.75,
    validator=v.password_phrase,
    case_insensitive=True,
    examples=(
        "my password is «Summer2024!» - please reset it",
        "The wifi password was «BlueFalcon42».",
        "ok the passcode is «418273»",
    ),
    counterexamples=(
        "The password is incorrect.",
        "Your password was reset yesterday.",
        "The password is case-sensitive.",
        "password is required",
        "Password is at least 12 characters long.",
    ),
)

PIN_CODE = Recognizer(
    name="pin_code",
    entity="PASSWORD",
    pattern=lb(word="a-z") + r"pin(?:[ _-]?code)?" + _ASSIGN + r"(?P<value>\d{4,8})\b",
    score=0.7,
    validator=v.not_repeated,
    case_insensitive=True,
    examples=("Card PIN: «4821»", "pin_code=«739105»"),
    counterexamples=("pin: true", "Pin: 0000 is the factory default.", "spin: 1234 rpm"),
)

CONNECTION_URI = Recognizer(
    name="connection_uri",
    entity="CONNECTION_STRING",
    pattern=LB + r"(?P<value>" + _DB_SCHEMES + _URI_REST + ")",
    score=0.9,
    validator=v.connection_string,
    case_insensitive=True,
    examples=(
        "DATABASE_URL=«postgres://app:s3cr3tPw@db.internal:5432/orders»",
        "mongo uri «mongodb+srv://admin:Zx8Kq3Lm@cluster0.example.mongodb.net/prod?retryWrites=true».",
        "cache: «redis://:Rb5Yc1Hd4@10.0.0.12:6379/0»",
        "«postgresql+psycopg2://etl:Lm9Wv2Tn7@warehouse:5432/dw»",
        "broker «amqp://guest:Qr7Tn2Lm@rabbit:5672//»",
        "«mysql://root:Vt4Xz9Qp@127.0.0.1:3306/shop»",
    ),
    counterexamples=(
        "DATABASE_URL=postgres://localhost:5432/orders",
        "redis://cache.internal:6379/0 is read-only",
        "postgres://app@db.internal/orders uses peer auth",
        "postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}/app",
        "mysql://user:<password>@host/db",
    ),
)

CONNECTION_URI_OTHER = Recognizer(
    name="credential_uri",
    entity="CONNECTION_STRING",
    pattern=LB + r"(?P<value>[a-z][a-z0-9+.-]*" + _URI_REST + ")",
    score=0.8,
    validator=v.connection_string,
    case_insensitive=True,
    examples=(
        "Admin at «https://alice:Sup3rS3cret!@example.com/admin» - rotate it",
        "upload via «sftp://deploy:Kq3Lm9Wv@files.example.com/in»",
    ),
    counterexamples=(
        "Open https://example.com/login and sign in.",
        "ssh://git@github.com/acme/app.git",
    ),
)

CONNECTION_ADO = Recognizer(
    name="connection_ado",
    entity="CONNECTION_STRING",
    pattern=LB + r"(?P<value>" + _ADO_START + r"[ \t]*=[^;\n\"']*(?:;[ \t]*[a-z][a-z ]*[ \t]*=[^;\n\"']*)+;?)",
    score=0.9,
    validator=v.connection_string,
    case_insensitive=True,
    examples=(
        "conn = «Server=tcp:sql01.example.com,1433;Database=hr;User ID=app;Password=Wv2Tn7Rb5;»",
        'string cs = "«Data Source=db01;Initial Catalog=Payroll;User Id=sa;Pwd=Kq3Lm9Wv;»";',
        "«DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=Zx8Kq3Lm9Wv2Tn7Rb5Yc1Hd4==;"
        "EndpointSuffix=core.windows.net»",
    ),
    counterexamples=(
        "Server=sql01;Database=hr;Integrated Security=true;",
        "Server=sql01;Database=hr;User ID=app;Password=;",
        "Server=sql01;Database=hr;Password=${SQL_PASSWORD};",
    ),
)

PASSWORD_RECOGNIZERS: tuple[Recognizer, ...] = (
    PASSWORD_ASSIGN,
    PASSWORD_QUOTED,
    PASSWORD_PHRASE,
    PIN_CODE,
    CONNECTION_URI,
    CONNECTION_URI_OTHER,
    CONNECTION_ADO,
)
