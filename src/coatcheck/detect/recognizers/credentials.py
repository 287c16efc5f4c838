"""Secrets with a recognizable shape: provider API keys, generic key assignments, JWTs and PEM private keys.

Provider prefixes (``ghp_``, ``sk_live_``, ``AKIA``) are near-certain; a generic ``token = "..."`` is reported
only when the value is long and random-looking, so ``api_key = None``, ``"changeme"`` and
``os.environ["KEY"]`` stay quiet. Passwords and connection strings live in `passwords`.
"""

from __future__ import annotations

from coatcheck.detect import validators as v
from coatcheck.detect.recognizers._shared import LB, lb
from coatcheck.detect.types import Recognizer

__all__ = ["CREDENTIAL_RECOGNIZERS"]

# Made-up keys, assembled from parts so that secret scanners do not flag this source file.
_AWS_ID = "AKIA" + "Q3EGT5LMXR7TUV4W"
_AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYq8Lm2Vt4Xz"
_GHP = "ghp_" + "R7bXq2LmN8vTz4KcW1pYs9HdJ3fGa6Ue0Qo5"
_GH_PAT = "github_pat_" + "11ABCDEFG0" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5oQ7sU9wY1aC3eG5iK7mO9qS1uW3yA5cE7gI9kM1"
_GLPAT = "glpat-" + "x9Kq2Lm8Wv3Tn7Rb5Yc1"
_SLACK = "xoxb-" + "2157483648-4719023845-Zx8Kq3Lm9Wv2Tn7Rb5Yc1Hd4"
_SLACK_HOOK = "https://hooks.slack.com/services/" + "T024BE7LD/B0A1B2C3D4E/" + "Zx8Kq3Lm9Wv2Tn7Rb5Yc1Hd4"
_STRIPE = "sk_" + "live_" + "51HqLyjWDarjtT1zdp7dcXy4Qk9Vb2Nm"
_STRIPE_TEST = "rk_" + "test_" + "4eC39HqLyjWDarjtT1zdp7dc"
_OPENAI = "sk-" + "proj-" + "Vq8N3xLm2Kd7Rt5Yw9Zb4Hc6Jf1Pg0Ts3Ua8Ne2Mi7Lo5Qr"
_OPENAI_OLD = "sk-" + "Vq8N3xLm2Kd7Rt5Yw9Zb4T3BlbkFJHc6Jf1Pg0Ts3Ua8Ne2Mi7"
_ANTHROPIC = "sk-ant-" + "api03-" + "h7Kq2Lm9Wv3Tn8Rb5Yc1Hd4Jf6Pg0Ts2Ua7Ne3Mi8Lo5Qr1Xz9Bw4Cv6Dy"
_GOOGLE = "AIza" + "SyD8x2Lm9Wv3Tn7Rb5Yc1Hd4Jf6Pg0Ts2Ua"
_TWILIO = "SK" + "9f86d081884c7d659a2feaa0c55ad015"
_SENDGRID = "SG." + "ngeVfQFYQlKU0ufo8x5d1A" + "." + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"
_GENERIC = "9Zx8Kq3Lm9Wv2Tn7Rb5Yc1Hd"
_JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IlNhcmFoIENoZW4iLCJpYXQiOjE3MTAyMzg5MjF9"
    + ".Jp8vT0aJq2u1kE3qO5xq2m9Zb4Hc6Jf1Pg0Ts3Ua8Ne"
)
_PEM_BODY = (
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n"
)
_PEM_KIND = "PRIVATE" + " KEY"

_KEY_WORDS = (
    r"(?:api[_-]?key|apikey|access[_-]?key(?:[_-]?id)?|secret[_-]?(?:access[_-]?)?key|access[_-]?token"
    r"|auth[_-]?token|refresh[_-]?token|client[_-]?secret|app[_-]?secret|api[_-]?secret|private[_-]?token"
    r"|bearer[_-]?token|token|secret|credentials?)"
)
_ASSIGN = r"[\"']?[ \t]*(?::=|=>|[:=])[ \t]*[\"']?"
_VALUE_RE = r"(?P<value>[A-Za-z0-9+/_.~=-]{15,}[A-Za-z0-9+/_~=-])"
_PEM_LABEL = r"(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?"

AWS_ACCESS_KEY = Recognizer(
    name="aws_access_key_id",
    entity="API_KEY",
    pattern=LB + r"(?P<value>(?:AKIA|ASIA)[A-Z2-7]{16})\b",
    score=0.9,
    validator=v.prefixed_token,
    examples=(f"export AWS_ACCESS_KEY_ID=«{_AWS_ID}»", f"aws creds leaked in the ticket: «{_AWS_ID}»"),
    counterexamples=(
        "The docs use AKIAIOSFODNN7EXAMPLE as a sample key.",
        "AKIA prefixes mark long-term keys; ASIA marks temporary ones.",
    ),
)

AWS_SECRET_KEY = Recognizer(
    name="aws_secret_access_key",
    entity="API_KEY",
    pattern=LB + r"aws_?secret_?(?:access_?)?key" + _ASSIGN + r"(?P<value>[A-Za-z0-9/+=]{40,})",
    score=0.95,
    validator=v.aws_secret_key,
    case_insensitive=True,
    examples=(
        f"aws_secret_access_key = «{_AWS_SECRET}»",
        f'{{"AwsSecretKey": "«{_AWS_SECRET}»"}}',
    ),
    counterexamples=(
        "aws_secret_access_key = <your-secret-key-here>",
        "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}",
    ),
)

GITHUB_TOKEN = Recognizer(
    name="github_token",
    entity="API_KEY",
    pattern=LB + r"(?P<value>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b",
    score=0.95,
    validator=v.prefixed_token,
    examples=(
        f"git remote set-url origin https://«{_GHP}»@github.com/acme/app.git",
        f"GITHUB_TOKEN: «{_GH_PAT}»",
    ),
    counterexamples=("Tokens look like ghp_ followed by 36 characters.", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
)

GITLAB_TOKEN = Recognizer(
    name="gitlab_token",
    entity="API_KEY",
    pattern=LB + r"(?P<value>glpat-[A-Za-z0-9_-]{20,})",
    score=0.95,
    validator=v.prefixed_token,
    examples=(
        f"CI_JOB_TOKEN fallback «{_GLPAT}» in .gitlab-ci.yml",
        f'curl --header "PRIVATE-TOKEN: «{_GLPAT}»" https://gitlab.example.com/api/v4/projects',
    ),
    counterexamples=("Set a glpat- token in the CI settings.", "glpat-xxxxxxxxxxxxxxxxxxxx"),
)

SLACK_TOKEN = Recognizer(
    name="slack_token",
    entity="API_KEY",
    pattern=LB + r"(?P<value>xox[abposr]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})",
    score=0.95,
    validator=v.prefixed_token,
    examples=(f"SLACK_BOT_TOKEN=«{_SLACK}»", f'{{"token": "«{_SLACK}»", "channel": "C024BE91L"}}'),
    counterexamples=(
        "Bot tokens start with xoxb- and user tokens with xoxp-.",
        "xoxb-0000000000-0000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
    ),
)

SLACK_WEBHOOK = Recognizer(
    name="slack_webhook",
    entity="API_KEY",
    pattern=r"(?P<value>https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/]{20,})",
    score=0.95,
    examples=(f"post alerts to «{_SLACK_HOOK}» please", f"SLACK_WEBHOOK_URL=«{_SLACK_HOOK}»"),
    counterexamples=(
        "Webhooks live under https://hooks.slack.com/services/ in the docs.",
        "See https://api.slack.com/messaging/webhooks for setup.",
    ),
)

STRIPE_KEY = Recognizer(
    name="stripe_key",
    entity="API_KEY",
    pattern=LB + r"(?P<value>(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,})\b",
    score=0.95,
    validator=v.prefixed_token,
    examples=(f"stripe.api_key = '«{_STRIPE}»'", f"restricted key «{_STRIPE_TEST}» for the webhook test"),
    counterexamples=("Use sk_live_yourkeyhere in production.", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"),
)

OPENAI_KEY = Recognizer(
    name="openai_key",
    entity="API_KEY",
    pattern=LB + r"(?P<value>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})",
    score=0.9,
    validator=v.random_key,
    examples=(f"OPENAI_API_KEY=«{_OPENAI}»", f'client = OpenAI(api_key="«{_OPENAI_OLD}»")'),
    counterexamples=(
        "pip install scikit-learn; import sk-learn-style-pipelines-for-everyone",
        "Keys start with sk- and are shown once.",
    ),
)

ANTHROPIC_KEY = Recognizer(
    name="anthropic_key",
    entity="API_KEY",
    pattern=LB + r"(?P<value>sk-ant-(?:api|admin|sid)\d{2}-[A-Za-z0-9_-]{20,})",
    score=0.95,
    validator=v.random_key,
    examples=(f"x-api-key: «{_ANTHROPIC}»", f"export ANTHROPIC_API_KEY=«{_ANTHROPIC}»"),
    counterexamples=("Anthropic keys start with sk-ant-api03-.", "sk-ant-api03-your-key-goes-here-xxxxxxxxxxxxxxxx"),
)

GOOGLE_KEY = Recognizer(
    name="google_api_key",
    entity="API_KEY",
    pattern=LB + r"(?P<value>AIza[0-9A-Za-z_-]{35})",
    score=0.9,
    validator=v.prefixed_token,
    examples=(f"https://maps.example.com/js?key=«{_GOOGLE}»&callback=init", f"GOOGLE_API_KEY=«{_GOOGLE}»"),
    counterexamples=("Restrict every AIza key by referrer.", "AIzaxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
)

TWILIO_KEY = Recognizer(
    name="twilio_sid",
    entity="API_KEY",
    pattern=LB + r"(?P<value>(?:SK|AC)[0-9a-f]{32})\b",
    score=0.4,
    validator=v.prefixed_token,
    context=("twilio", "sid", "account sid", "api key", "twilio_account_sid", "twilio_api_key_sid", "twilio_sid"),
    context_boost=0.4,
    examples=(f"TWILIO_API_KEY_SID=«{_TWILIO}»", f"twilio sid «{_TWILIO}»"),
    counterexamples=(
        f"checksum {_TWILIO} matches the upload",
        "account AC00000000000000000000000000000000 (twilio docs)",
    ),
)

SENDGRID_KEY = Recognizer(
    name="sendgrid_key",
    entity="API_KEY",
    pattern=LB + r"(?P<value>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})",
    score=0.95,
    validator=v.prefixed_token,
    examples=(f"SENDGRID_API_KEY='«{_SENDGRID}»'", f"mail relay key «{_SENDGRID}» leaked in the log"),
    counterexamples=("SendGrid keys look like SG.<id>.<secret>.", "Version SG.1.2 of the style guide."),
)

GENERIC_SECRET = Recognizer(
    name="generic_secret_assignment",
    entity="API_KEY",
    pattern=lb(word="a-z0-9") + r"(?:[a-z0-9]+[_.-])*" + _KEY_WORDS + _ASSIGN + _VALUE_RE,
    score=0.8,
    validator=v.generic_secret,
    case_insensitive=True,
    examples=(
        f'api_key = "«{_GENERIC}»"',
        f"X-Api-Key: «{_GENERIC}»",
        f'{{"client_secret": "«{_GENERIC}»", "grant_type": "client_credentials"}}',
        f"DEPLOY_TOKEN=«{_GENERIC}»",
        f"webhook.secret: «{_GENERIC}»",
    ),
    counterexamples=(
        "api_key = None",
        'api_key = "changeme"',
        'token = os.environ["GITHUB_TOKEN"]',
        "SECRET_KEY = settings.SECRET_KEY_FROM_VAULT",
        "api_key: ${API_KEY}",
        'secret = "your_api_key_here_please"',
        "max_tokens = 4096",
        "token: abcdefghijklmnopqrstuvwxyz",
        "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "request_id=123e4567-e89b-12d3-a456-426614174000 commit=a1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
    ),
)

BEARER_TOKEN = Recognizer(
    name="bearer_token",
    entity="API_KEY",
    pattern=LB + r"bearer\s+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)",
    score=0.8,
    validator=v.generic_secret,
    case_insensitive=True,
    examples=(
        f"curl -H 'Authorization: Bearer «{_GENERIC}»' https://api.example.com",
        f'headers = {{"Authorization": "bearer «{_GENERIC}»"}}',
    ),
    counterexamples=(
        "Authorization: Bearer <token>",
        "Send a bearer token authentication header.",
        "Authorization: Bearer ${ACCESS_TOKEN}",
    ),
)

JWT = Recognizer(
    name="jwt",
    entity="JWT",
    pattern=LB + r"(?P<value>eyJ[A-Za-z0-9_-]{2,}\.ey[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)",
    score=0.95,
    validator=v.jwt,
    examples=(
        f"Authorization: Bearer «{_JWT}»",
        f"session cookie id_token=«{_JWT}»; Path=/",
    ),
    counterexamples=(
        "eyJub3QiOiJhIGp3dCJ9.eyJ4IjoxfQ.c2ln has no alg in its header.",
        "A JWT looks like eyJ... . eyJ... . signature",
    ),
)

PRIVATE_KEY = Recognizer(
    name="pem_private_key",
    entity="PRIVATE_KEY",
    pattern=r"-----BEGIN " + _PEM_LABEL + r"-----[\s\S]*?-----END " + _PEM_LABEL + "-----",
    score=1.0,
    examples=(
        f"key file:\n«-----BEGIN {_PEM_KIND}-----\n{_PEM_BODY}-----END {_PEM_KIND}-----»\n",
        f"«-----BEGIN RSA {_PEM_KIND}-----\\n{_PEM_BODY.replace(chr(10), '')}\\n-----END RSA {_PEM_KIND}-----»",
        f"«-----BEGIN OPENSSH {_PEM_KIND}-----\n{_PEM_BODY}-----END OPENSSH {_PEM_KIND}-----»",
        f"«-----BEGIN ENCRYPTED {_PEM_KIND}-----\n{_PEM_BODY}-----END ENCRYPTED {_PEM_KIND}-----»",
    ),
    counterexamples=(
        "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
        f"Paste the file starting with -----BEGIN {_PEM_KIND}----- here.",
    ),
)

PRIVATE_KEY_TRUNCATED = Recognizer(
    name="pem_private_key_truncated",
    entity="PRIVATE_KEY",
    pattern=r"-----BEGIN " + _PEM_LABEL + r"-----(?:\s|\\[nr])*(?:[A-Za-z0-9+/=]{16,}(?:\s|\\[nr])*)+",
    score=0.9,
    examples=(
        f"log excerpt: «-----BEGIN EC {_PEM_KIND}-----\n{_PEM_BODY.rstrip()}»... (truncated)",
        f'"key": "«-----BEGIN {_PEM_KIND}-----\\n{_PEM_BODY.splitlines()[0]}»',
    ),
    counterexamples=(
        f"The header -----BEGIN {_PEM_KIND}----- alone is not a key.",
        "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    ),
)

CREDENTIAL_RECOGNIZERS: tuple[Recognizer, ...] = (
    AWS_ACCESS_KEY,
    AWS_SECRET_KEY,
    GITHUB_TOKEN,
    GITLAB_TOKEN,
    SLACK_TOKEN,
    SLACK_WEBHOOK,
    STRIPE_KEY,
    OPENAI_KEY,
    ANTHROPIC_KEY,
    GOOGLE_KEY,
    TWILIO_KEY,
    SENDGRID_KEY,
    GENERIC_SECRET,
    BEARER_TOKEN,
    JWT,
    PRIVATE_KEY,
    PRIVATE_KEY_TRUNCATED,
)
