"""`genaiops update` keeps capabilities added to a repository genaiops did not generate current:
the template's newer files arrive, the team's edits to them stay, and what `add` adapted to
(the recorded `adapt` answer, the target's answers) is rendered the same way again.

The template is our real one (copier.yml, template/, workflows/, iac/) committed twice:
v0.1.0 as it is, v0.2.0 with one line changed in three files the added capabilities own.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from genrepo import copy_template_root
from resolve import unresolved
from shapes import commit

ADD = "{% if capability != 'app' %}"
CHANGES = {  # file of the template -> (line in v0.1.0, the same line in v0.2.0)
    f"template/{ADD}mk{{% endif %}}/genaiops-ci.mk.jinja": (
        "# genaiops add workflows: the targets",
        "# genaiops add workflows (v0.2.0): the targets",
    ),
    f"template/{ADD}evals{{% endif %}}/target.yaml.jinja": (
        "# kind: http (a running endpoint) or callable (module:function, called in-process).",
        "# kind: http (a running endpoint) or callable (module:function, in-process; v0.2.0).",
    ),
    "template/eval/gate.py": (
        '"""The eval gate: absolute floors',
        '"""The eval gate (v0.2.0): absolute floors',
    ),
}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tpl") / "genaiops"
    root.mkdir()
    copy_template_root(root)  # the files the bundle carries
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, *ident, "commit", "-qm", "v0.1.0")
    git(root, "tag", "v0.1.0")
    for rel, (old, new) in CHANGES.items():
        path = root / rel
        text = path.read_text()
        assert text.count(old) == 1, rel
        path.write_text(text.replace(old, new))
    git(root, *ident, "commit", "-qam", "v0.2.0")
    git(root, "tag", "v0.2.0")
    return root


@pytest.mark.slow
def test_update_brings_the_template_and_keeps_the_teams_edits(
    template: Path, shape: Callable[[str], Path], cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GENAIOPS_TEMPLATE_URL", str(template))
    root = shape("monorepo")
    for capability in ("workflows", "eval"):
        result = cli("add", capability, root, "--defaults", "--vcs-ref", "v0.1.0")
        assert result.code == 0, result.err
        commit(root, f"genaiops add {capability}")
    mk, gate = root / "mk/genaiops-ci.mk", root / "evals/gate.yaml"
    mk.write_text(mk.read_text().replace("uv run pytest", "uv run pytest -x"))
    gate.write_text(gate.read_text().replace("rougeL: 0.30", "rougeL: 0.45"))
    commit(root, "team: stop at the first failure, a higher floor")
    makefile, skeleton = (root / "Makefile").read_text(), (root / "evals/golden.jsonl").read_text()

    result = cli("update", root, "--format", "json")
    assert result.code == 0, result.err
    done = {p["answers_file"]: p for p in json.loads(result.out)}
    assert done[".copier-answers.workflows.yml"]["updated"] == ["mk/genaiops-ci.mk"]
    assert sorted(done[".copier-answers.eval.yml"]["updated"]) == [
        "eval/gate.py",
        "evals/target.yaml",
    ]
    for answers in (".copier-answers.workflows.yml", ".copier-answers.eval.yml"):
        assert done[answers]["conflicts"] == [] and done[answers]["added"] == []
        recorded = yaml.safe_load((root / answers).read_text())
        assert recorded["_commit"] == "v0.2.0" and recorded["adapt"]
    text = mk.read_text()
    assert "(v0.2.0)" in text and "cd src/backend && uv run pytest -x" in text
    assert "rougeL: 0.45" in gate.read_text()
    assert "v0.2.0" in (root / "evals/target.yaml").read_text()
    assert (root / "Makefile").read_text() == makefile  # genaiops's own edits are not redone
    assert (root / "evals/golden.jsonl").read_text() == skeleton  # the golden set is the team's
    assert unresolved(root) == []
