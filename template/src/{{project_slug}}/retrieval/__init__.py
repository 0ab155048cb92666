"""Grounding data: load → chunk → enrich → embed → persist, and hybrid search over it."""
