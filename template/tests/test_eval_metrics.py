"""The metric wrappers return what the reference libraries define, and the paired statistics
separate a real difference from none."""

import pytest

from eval.compare import SAME, WORSE, compare_suite
from eval.metrics import classification, retrieval, text
from eval.stats import mean_ci, paired_bootstrap, sign_test


def test_retrieval_metrics_follow_trec_eval_on_a_hand_checked_fixture() -> None:
    qrels = {"q1": {"d1": 1, "d2": 1}, "q2": {"d3": 2}, "q3": {"d4": 1}}
    rankings = {"q1": ["d1", "x", "d2"], "q2": ["y", "d3", "z"], "q3": []}
    scores = retrieval.score_rankings(qrels, rankings, k=3)
    assert scores["q1"]["recall@3"] == 1.0
    assert scores["q1"]["mrr"] == 1.0
    assert scores["q2"]["mrr"] == 0.5
    assert scores["q2"]["precision@3"] == pytest.approx(1 / 3)
    assert scores["q1"]["ndcg@3"] == pytest.approx((1 + 1 / 2) / (1 + 1 / 1.5849625), rel=1e-4)
    assert scores["q3"] == {
        "recall@3": 0.0,
        "precision@3": 0.0,
        "ndcg@3": 0.0,
        "hit@3": 0.0,
        "mrr": 0.0,
    }


def test_retriever_order_is_kept_even_for_tied_or_repeated_documents() -> None:
    # chunks of the same document collapse to its best rank
    assert retrieval.dedupe_doc_ids(["b", "a", "b", "c"]) == ["b", "a", "c"]
    scores = retrieval.score_rankings({"q": {"z": 1}}, {"q": ["a", "z"]}, k=5)
    assert scores["q"]["mrr"] == 0.5


def test_rouge_and_chrf_score_identity_high_and_unrelated_text_low() -> None:
    same = text.rouge("The refund takes five days.", "The refund takes five days.")
    assert same == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0, "rougeLsum": 1.0}
    other = text.rouge("Bananas are yellow.", "The refund takes five days.")
    assert other["rouge1"] == 0.0
    assert text.sentence_chrf("abc def", "abc def") == pytest.approx(100.0)
    scores, signatures = text.corpus_scores(["the cat sat on the mat"], ["the cat sat on the mat"])
    assert scores["bleu"] == pytest.approx(100.0)
    assert signatures["bleu"].startswith("nrefs:1")
    assert "stemmer:porter" in text.rouge_signature()


def test_classification_metrics_and_log_loss_only_with_probabilities() -> None:
    truth = ["a", "a", "b", "other"]
    predicted = ["a", "b", "b", "other"]
    scores = classification.corpus_scores(truth, predicted)
    assert scores["accuracy"] == 0.75
    assert "log_loss" not in scores  # never invented from hard labels
    probs = [{"a": 0.9, "b": 0.1}, {"a": 0.4, "b": 0.6}, {"b": 1.0}, {"other": 1.0}]
    assert classification.corpus_scores(truth, predicted, probs)["log_loss"] > 0
    per_class = classification.per_class(truth, predicted)
    assert per_class["a"]["recall"] == 0.5


def test_mean_ci_brackets_the_mean_and_is_reproducible() -> None:
    values = [0.2, 0.4, 0.6, 0.8, 1.0] * 6
    first, second = mean_ci(values), mean_ci(values)
    assert first == second
    assert first.low < first.mean < first.high


def test_paired_bootstrap_sees_a_clear_drop_and_no_difference_between_equals() -> None:
    base = [0.5 + 0.01 * i for i in range(30)]
    worse = [v - 0.2 + (0.02 if i % 3 else -0.02) for i, v in enumerate(base)]
    drop = paired_bootstrap(base, worse)
    assert drop.high < 0 and drop.delta == pytest.approx(-0.2, abs=0.02)
    assert drop.sign_p < 0.001
    same = paired_bootstrap(base, list(base))
    assert (same.low, same.high, same.bootstrap_p) == (0.0, 0.0, 1.0)
    assert sign_test([1, -1, 0]) == (1, 1, 1, 1.0)
    with pytest.raises(ValueError):
        paired_bootstrap([1.0], [1.0, 2.0])


def test_compare_verdicts_respect_the_metric_direction() -> None:
    items = {f"i{n}": 0.5 + 0.01 * n for n in range(30)}
    lower = {k: v - 0.3 for k, v in items.items()}
    results = {
        r.metric: r
        for r in compare_suite(
            "s", {"rougeL": items, "log_loss": items}, {"rougeL": lower, "log_loss": items}
        )
    }
    assert results["rougeL"].verdict == WORSE and results["rougeL"].ci_high < 0
    assert results["log_loss"].verdict == SAME
    # a lower log-loss is an improvement
    improved = compare_suite("s", {"log_loss": items}, {"log_loss": lower})[0]
    assert improved.verdict == "better"
