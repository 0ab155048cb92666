"""Evaluation harness: run the app over golden data, score it with well-kept metric libraries,
gate the build on thresholds and on regression against a committed baseline.

Entry point: ``python -m eval`` (see ``docs/eval.md``).
"""

__version__ = "1.0.0"
