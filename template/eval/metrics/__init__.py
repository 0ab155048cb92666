"""Metrics per use case, each a thin wrapper over a well-kept library.

retrieval: pytrec-eval-terrier (trec_eval); text: rouge-score and sacrebleu;
classification: scikit-learn. Nothing here re-implements a published metric.
"""

# Metrics where a smaller value is better; every other metric is "higher is better".
LOWER_IS_BETTER = frozenset({"log_loss", "ter", "latency_ms"})


def higher_is_better(metric: str) -> bool:
    """Direction of ``metric`` for floors, regressions and compare verdicts."""
    return metric not in LOWER_IS_BETTER
