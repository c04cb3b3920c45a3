"""The offline embedder's throughput: the first version against the current one, same texts.

    .venv/bin/python bench/embedder_speed.py              # 2 MB of passages, 3 rounds
    .venv/bin/python bench/embedder_speed.py --mb 20 --rounds 1

The passages of a generated text (bench/ingestion_load.py's `words` shape, cut and given their
context as ingestion does) are embedded by the first version of `hashed_ngram_vector` (kept as
the specification in tests/retrieval/hashed_ngrams_v2_reference.py) and by the current one,
alternating, each with its caches emptied first (a new process's first document). Reports
passages per second of each and checks the vectors are equal to the last bit. Not a test;
results go in docs/performance.md ("Ingestion under load").
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from ingestion_load import make_text  # noqa: E402

from opencontractserver.annotations.passage_context import embedding_text  # noqa: E402
from opencontractserver.documents.ingestion.extraction import extract  # noqa: E402
from opencontractserver.documents.ingestion.passages import PassageSpans  # noqa: E402
from opencontractserver.llms import embeddings  # noqa: E402
from tests.retrieval import hashed_ngrams_v2_reference as reference  # noqa: E402


def clear_caches() -> None:
    for cached in (
        embeddings.stem,
        embeddings._word_features,
        embeddings._bigram_slot,
        reference._reference_word_features,
    ):
        cached.cache_clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    extracted = extract(make_text("words", options.mb), "text")
    texts = [embedding_text("big.txt", h, t) for h, t in PassageSpans(extracted).texts()]
    print(f"{len(texts)} passages of {options.mb} MB", flush=True)
    for round_number in range(options.rounds):
        results = {}
        for name, embed in (
            ("first version", reference.reference_vector),
            ("current", embeddings.hashed_ngram_vector),
        ):
            clear_caches()
            start = time.perf_counter()
            vectors = [embed(text) for text in texts]
            seconds = time.perf_counter() - start
            results[name] = vectors
            print(f"round {round_number + 1} {name}: {len(texts) / seconds:,.0f} passages/s")
        equal = all(
            struct.pack("384d", *a) == struct.pack("384d", *b)
            for a, b in zip(results["first version"], results["current"], strict=True)
        )
        print(f"round {round_number + 1}: vectors bitwise equal: {equal}", flush=True)


if __name__ == "__main__":
    main()
