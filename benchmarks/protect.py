"""Cost of each protection method per KB of text, coatcheck vs Presidio's anonymizer, in one run.

    python benchmarks/protect.py [--docs 300] [--profile fast]

Both systems protect the SAME texts with the SAME entities: coatcheck's detector runs once (its cost is shown
separately), and its findings are handed to Presidio as ``RecognizerResult`` rows. Times exclude setup and a
short warm-up; each cell is the median of ``--repeat`` runs over the whole corpus, in microseconds per KB.

Method correspondence (Presidio 2.2 built-ins): mask -> mask, redact -> replace ``<TYPE>`` (Presidio has no
numbered, restorable placeholders), hash -> hash (sha256), encrypt -> encrypt (AES-CBC), drop -> redact,
keep -> keep, surrogate -> a ``custom`` operator calling Faker per value (the usual recipe: not keyed, not
consistent, no format or checksum). tokenize and generalize have no Presidio built-in (n/a).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from coatcheck.detect.types import Entity
from coatcheck.keys import Keyring
from coatcheck.protect import Protector

METHODS = ("mask", "redact", "hash", "encrypt", "tokenize", "surrogate", "generalize", "drop", "keep")

_TEMPLATES = (
    "Hi, this is {name}. Please update my email to {email} and call me at {phone} after 5pm. ",
    "Patient {name} (DOB {dob}) was seen today; follow-up on {date}. Contact: {email}. ",
    "Charge the card {card} for order 88213 and send the receipt to {email}. SSN on file: {ssn}. ",
    "Login from {ip} flagged for {name}; the user lives at {address}. Wire to IBAN {iban}. ",
    "Meeting notes: {name} and {name2} discussed the roadmap; nothing sensitive in this paragraph at all. ",
)


def corpus(n: int, seed: int = 7) -> list[str]:
    """``n`` documents of about 1 KB each, with names, contacts, cards, IDs and plain prose."""
    from faker import Faker

    fake = Faker("en_US")
    fake.seed_instance(seed)
    rnd = random.Random(seed)
    docs = []
    for _ in range(n):
        parts: list[str] = []
        while sum(map(len, parts)) < 1000:
            parts.append(
                rnd.choice(_TEMPLATES).format(
                    name=fake.name(),
                    name2=fake.name(),
                    email=fake.email(),
                    phone=fake.phone_number(),
                    dob=fake.date_of_birth().isoformat(),
                    date=fake.date(),
                    card=fake.credit_card_number(),
                    ssn=fake.ssn(),
                    ip=fake.ipv4_public(),
                    address=fake.street_address(),
                    iban=fake.iban(),
                )
            )
        docs.append("".join(parts))
    return docs


def _median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm-up
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def coatcheck_runner(method: str, docs: list[str], found: list[list[Entity]]) -> Callable[[], object]:
    keyring = Keyring.ephemeral(b"b" * 32)
    protector = Protector(keyring, default=method)

    def run() -> object:
        session = protector.session()  # a fresh session per pass: no warm caches carried between passes
        return [session.protect(doc, ents) for doc, ents in zip(docs, found, strict=True)]

    return run


def presidio_runner(method: str, docs: list[str], found: list[list[Entity]]) -> Callable[[], object] | None:
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig, RecognizerResult

    engine = AnonymizerEngine()
    results = [[RecognizerResult(e.type, e.start, e.end, e.score) for e in ents] for ents in found]
    if method == "surrogate":
        from faker import Faker

        fake = Faker("en_US")
        config = OperatorConfig("custom", {"lambda": lambda value: fake.name()})
    else:
        table = {
            "mask": OperatorConfig("mask", {"masking_char": "*", "chars_to_mask": 12, "from_end": False}),
            "redact": OperatorConfig("replace", {}),
            "hash": OperatorConfig("hash", {"hash_type": "sha256"}),
            "encrypt": OperatorConfig("encrypt", {"key": "WmZq4t7w!z%C&F)J"}),
            "drop": OperatorConfig("redact", {}),
            "keep": OperatorConfig("keep", {}),
        }
        if method not in table:
            return None
        config = table[method]
    operators = {"DEFAULT": config}

    def run() -> object:
        return [engine.anonymize(doc, res, operators) for doc, res in zip(docs, results, strict=True)]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", choices=("fast", "accurate"), default="fast")
    args = parser.parse_args()

    from coatcheck.detect.engine import Detector

    docs = corpus(args.docs)
    kb = sum(len(d.encode()) for d in docs) / 1024
    detector = Detector(profile=args.profile)
    found: list[list[Entity]] = []
    detect_s = _median_seconds(lambda: found.__setitem__(slice(None), detector.detect_batch(docs)), 3)
    n_entities = sum(map(len, found))

    print(f"{len(docs)} documents, {kb:.0f} KB, {n_entities} entities ({n_entities / kb:.1f} per KB); "
          f"detection ({args.profile}): {detect_s / kb * 1e6:,.0f} us/KB\n")  # fmt: skip
    print("| method | coatcheck us/KB | Presidio us/KB | Presidio / coatcheck |")
    print("| --- | ---: | ---: | ---: |")
    for method in METHODS:
        ours = _median_seconds(coatcheck_runner(method, docs, found), args.repeat) / kb * 1e6
        runner = presidio_runner(method, docs, found)
        if runner is None:
            print(f"| {method} | {ours:,.0f} | n/a | |")
            continue
        theirs = _median_seconds(runner, args.repeat) / kb * 1e6
        print(f"| {method} | {ours:,.0f} | {theirs:,.0f} | {theirs / ours:.1f}x |")


if __name__ == "__main__":
    main()
