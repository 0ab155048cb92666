"""``genaiops assess``: score a repository's GenAIOps maturity from its contents.

Pipeline (after OpenSSF Scorecard): ``collect`` walks the repository once and parses what the
probes need; ``probes`` are small pure functions over those facts returning findings;
``evaluate`` turns findings into a level per dimension; ``report`` renders text, JSON, Markdown
or SARIF. The model itself (dimensions, levels, probe texts) is data in ``maturity/``.
"""
