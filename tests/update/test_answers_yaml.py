"""Answers are Copier's data: read as Copier writes and reads them (YAML 1.1, PyYAML)."""

from __future__ import annotations

from pathlib import Path

import yaml

from generator.answers import load_data_file
from generator.update import answers_file

# values Copier (PyYAML) writes unquoted because YAML 1.1 reads them as strings; a YAML 1.2
# reader would turn them into numbers
PLAIN_IN_YAML_11 = {"project_name": "08", "description": "1e3", "owner": "0x1G"}


def test_an_answers_file_gives_back_what_copier_wrote(tmp_path: Path) -> None:
    data = {**PLAIN_IN_YAML_11, "_src_path": "gh:org/template", "_commit": "v1.0.0"}
    written = yaml.safe_dump(data)  # what Copier's to_nice_yaml writes
    assert "project_name: 08\n" in written  # unquoted: the case that matters
    (tmp_path / ".copier-answers.yml").write_text(written, encoding="utf-8")
    loaded = answers_file.load(tmp_path, ".copier-answers.yml")
    assert {key: loaded.data[key] for key in PLAIN_IN_YAML_11} == PLAIN_IN_YAML_11


def test_a_data_file_is_read_as_copier_reads_it(tmp_path: Path) -> None:
    path = tmp_path / "answers.yml"
    path.write_text(yaml.safe_dump(PLAIN_IN_YAML_11), encoding="utf-8")
    assert load_data_file(path) == PLAIN_IN_YAML_11
