"""Classification quality (scikit-learn): accuracy, macro precision/recall/F1, log-loss.

Log-loss needs class probabilities; when the model returns none it is reported as not
applicable rather than computed from hard labels. Probabilities are normalised per item, and a
true class the model gave no probability is clipped by scikit-learn (a large, honest penalty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

NEW_CATEGORY = "other"  # the label the app gives an entry that fits no configured category


def corpus_scores(
    truth: Sequence[str],
    predicted: Sequence[str],
    probabilities: Sequence[Mapping[str, float] | None] | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, float]:
    """Accuracy and macro P/R/F1 over all items; ``log_loss`` when every item has probabilities."""
    from sklearn.metrics import accuracy_score, log_loss, precision_recall_fscore_support

    label_set = sorted(set(labels or []) | set(truth))
    precision, recall, f1, _ = precision_recall_fscore_support(
        list(truth), list(predicted), labels=label_set, average="macro", zero_division=0
    )
    scores = {
        "accuracy": float(accuracy_score(list(truth), list(predicted))),
        "macro_precision": float(precision),
        "macro_recall": float(recall),
        "macro_f1": float(f1),
    }
    if probabilities and all(p and sum(p.values()) > 0 for p in probabilities):
        classes = sorted({c for p in probabilities if p for c in p} | set(truth))
        # each row is normalised to sum to 1 (models often score only the classes they know)
        rows = [[float((p or {}).get(c, 0.0)) for c in classes] for p in probabilities]
        matrix = [[v / sum(row) for v in row] for row in rows]
        scores["log_loss"] = float(log_loss(list(truth), matrix, labels=classes))
    return scores


def per_class(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support for each true label (for the report)."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted(set(truth))
    p, r, f, s = precision_recall_fscore_support(
        list(truth), list(predicted), labels=labels, zero_division=0
    )
    return {
        label: {
            "precision": float(p[i]),
            "recall": float(r[i]),
            "f1": float(f[i]),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }


def signature() -> str:
    from importlib.metadata import version

    return f"scikit-learn {version('scikit-learn')}|average:macro|zero_division:0"
