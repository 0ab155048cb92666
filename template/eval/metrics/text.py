"""Text overlap: ROUGE (rouge-score) and BLEU / chrF (sacrebleu), with their signatures.

Scales are the libraries' own: ROUGE F-measure in [0, 1], BLEU and chrF in [0, 100].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _sentences_per_line(text: str) -> str:
    """rougeLsum is summary-level LCS over newline-separated sentences."""
    return "\n".join(s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip())


@lru_cache(maxsize=1)
def _scorer() -> Any:
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge(prediction: str, reference: str) -> dict[str, float]:
    """ROUGE-1/2/L/Lsum F-measure of ``prediction`` against ``reference`` (stemmed)."""
    scores = _scorer().score(_sentences_per_line(reference), _sentences_per_line(prediction))
    return {name: float(scores[name].fmeasure) for name in ROUGE_TYPES}


def sentence_chrf(prediction: str, reference: str) -> float:
    """chrF of one segment (sacrebleu, 0-100): per-item, so it can be paired across runs."""
    from sacrebleu.metrics import CHRF

    return float(CHRF().sentence_score(prediction, [reference]).score)


def corpus_scores(
    predictions: Sequence[str], references: Sequence[str]
) -> tuple[dict[str, float], dict[str, str]]:
    """Corpus BLEU and chrF (sacrebleu; corpus statistics, not means) and their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    refs = [list(references)]
    bleu, chrf = BLEU(), CHRF()
    scores = {
        "bleu": float(bleu.corpus_score(list(predictions), refs).score),
        "chrf": float(chrf.corpus_score(list(predictions), refs).score),
    }
    return scores, {"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature())}


def rouge_signature() -> str:
    """Version and settings of ROUGE, stored with every result (thresholds are not portable)."""
    from importlib.metadata import version

    return (
        f"rouge-score {version('rouge-score')}|types:{','.join(ROUGE_TYPES)}"
        "|stemmer:porter|measure:F|lsum-split:sentence-regex"
    )
