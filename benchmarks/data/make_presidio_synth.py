"""Build benchmarks/data/presidio_synth.json with presidio-evaluator's OWN generator and templates.

Uses `PresidioSentenceFaker` with its bundled templates, bundled fake-person records and entity providers, a
fixed seed, and converts the output to the plain presidio-research format (full_text + spans). Nothing is
downloaded: the one provider that queries WikiData (HospitalProvider) is left out; no bundled template uses it.

    python benchmarks/data/make_presidio_synth.py [--records 3000] [--seed 42]

The committed JSON is the benchmark's fixed data; re-running with another presidio-evaluator or Faker version
may produce different sentences.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("presidio_synth.json")


def generate(records: int, seed: int) -> list[dict[str, object]]:
    """Generate ``records`` sentences and return them in presidio-research format."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from presidio_evaluator.data_generator import PresidioSentenceFaker
        from presidio_evaluator.data_generator.faker_extensions import HospitalProvider
        from presidio_evaluator.data_generator.presidio_sentence_faker import (
            presidio_additional_entity_providers,
        )

        providers = [p for p in presidio_additional_entity_providers if p is not HospitalProvider]
        # The bundled person records are shaped with `random` while loading, before the faker seeds itself.
        PresidioSentenceFaker.seed(seed)
        faker = PresidioSentenceFaker(
            locale="en_US", lower_case_ratio=0.05, entity_providers=providers, random_seed=seed
        )
        samples = faker.generate_new_fake_sentences(num_samples=records)
    out: list[dict[str, object]] = []
    for sample in samples:
        text = sample.full_text
        spans = []
        for span in sorted(sample.spans, key=lambda s: (s.start_position, s.end_position)):
            value = text[span.start_position : span.end_position]
            # The generator lower-cases entity_value (not the text) for its lower_case_ratio share.
            if value.casefold() != span.entity_value.casefold():
                raise SystemExit(f"generator produced an inexact span (template {sample.template_id})")
            spans.append(
                {
                    "entity_type": span.entity_type,
                    "entity_value": value,
                    "start_position": span.start_position,
                    "end_position": span.end_position,
                }
            )
        out.append({"full_text": text, "spans": spans, "template_id": sample.template_id})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = generate(args.records, args.seed)
    fd, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        handle.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, args.out)
    print(f"wrote {len(data)} records to {args.out}")


if __name__ == "__main__":
    main()
