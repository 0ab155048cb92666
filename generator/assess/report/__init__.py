"""Reporters: one ``Report`` rendered for people (text, Markdown) and machines (JSON, SARIF)."""

from __future__ import annotations

FORMATS = ("text", "json", "md", "sarif")
