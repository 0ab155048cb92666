"""Free-text answers are validated at the question and escaped where they land.

The property test renders, with Copier's own Worker and Jinja environment (the questions of
``copier.yml``, its validators and computed values), only the template files where answers
land, for hundreds of random printable answers: quotes, backslashes, unicode, ``$``, ``#``,
``%``, backticks, braces. Each file must parse as what it is and give the answer back
unchanged, and the Makefile's first line must stay a comment (real ``make`` runs it). A slow
test renders a few whole repositories with such answers through the CLI and parses every file.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from generator import safe_yaml
from generator.bundle import TEMPLATE_PARTS

LANDING = {
    "pyproject": "template/pyproject.toml.jinja",
    "package": "template/src/{{project_slug}}/__init__.py.jinja",
    "readme": "template/README.md.jinja",
    "runbook": "template/docs/runbook.md.jinja",
    "architecture": "template/docs/architecture.md.jinja",
    "makefile": "template/Makefile.jinja",
    "dockerfile": "template/Dockerfile.jinja",
    "answers": "template/{{_copier_conf.answers_file}}.jinja",
    "tfvars": "iac/terraform/main.tfvars.json",
    "bicep": "iac/bicep/main.bicep",
    "terraform": "iac/terraform/versions.tf",
}
SPECIALS = [
    *"\"'\\$#%`{}[]<>*_&|~!-+=.:;,/()@^?",
    *("{{", "}}", "{%", "${", "%{", "$(", "syntax=", "escape=", "é", "日本", "🙂"),
]

# One line of printable text: what the validators let through
printable = st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp", "Co", "Cn"))
free_text = (
    st.lists(st.one_of(st.text(printable, min_size=1, max_size=6), st.sampled_from(SPECIALS)))
    .map("".join)
    .map(str.strip)
)
names = free_text.filter(lambda s: 0 < len(s) <= 80 and s == s.strip())
descriptions = free_text.filter(lambda s: len(s) <= 200 and s == s.strip())
owners = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,38}\Z")


@pytest.fixture(scope="session")
def template_copy(repo_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template parts as a plain directory (a git checkout would be cloned at HEAD)."""
    root = tmp_path_factory.mktemp("template") / "root"
    root.mkdir()
    for part in TEMPLATE_PARTS:  # copier.yml, use_cases.yml, template/, workflows/, iac/
        source = repo_root / part
        if source.is_dir():
            shutil.copytree(source, root / part, symlinks=False)
        else:
            shutil.copy2(source, root / part)
    return root


class Renderer:
    """Copier's Worker for our template, asked once per answer set, rendering chosen files."""

    def __init__(self, template: Path, scratch: Path) -> None:
        from copier._main import Worker  # Copier's engine: its questions, validators and env

        self.base = Worker(
            src_path=str(template), dst_path=scratch / "out", defaults=True, quiet=True
        )
        env = self.base.jinja_env
        # Copier compiles every question string anew; cache it (same templates, same result)
        env.from_string = functools.lru_cache(maxsize=None)(env.from_string)  # type: ignore[method-assign]

    def render(self, answers: dict[str, Any]) -> dict[str, str]:
        worker = dataclasses.replace(self.base, data=answers)
        worker.__dict__["template"] = self.base.template
        worker.__dict__["jinja_env"] = self.base.jinja_env
        worker._ask()  # validators run here: an answer they refuse raises
        context = worker._render_context()
        env = worker.jinja_env
        return {key: env.get_template(path).render(**context) for key, path in LANDING.items()}


@pytest.fixture(scope="session")
def renderer(
    template_copy: Path, tmp_path_factory: pytest.TempPathFactory, cli_env: dict[str, str]
) -> Iterator[Renderer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COPIER_SETTINGS_PATH", cli_env["COPIER_SETTINGS_PATH"])
        yield Renderer(template_copy, tmp_path_factory.mktemp("render"))


def _markdown_text(source: str, kind: str) -> str:
    """The text of the first heading or paragraph, as a Markdown reader sees it."""
    tokens = MarkdownIt("commonmark").parse(source)
    for index, token in enumerate(tokens):
        if token.type == f"{kind}_open":
            inline = tokens[index + 1]
            assert inline.children is not None
            return "".join(
                child.content for child in inline.children if child.type in ("text", "softbreak")
            )
    raise AssertionError(f"no {kind} in {source[:80]!r}")


def _run_make_first_line(makefile: str, tmp: Path) -> str:
    """Line 1 of the Makefile, then one target: ``make`` must print only that target's word."""
    script = tmp / "Makefile"
    script.write_text(makefile.splitlines()[0] + "\nprobe:\n\t@echo probe-ran\n", encoding="utf-8")
    proc = subprocess.run(
        ["make", "-s", "-f", str(script), "probe"],
        cwd=tmp,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return proc.stdout + proc.stderr


def check_rendered(
    files: dict[str, str], base: dict[str, str], answers: dict[str, str], tmp: Path
) -> None:
    name, description = answers["project_name"], answers.get("description", "")
    pyproject = tomllib.loads(files["pyproject"])
    assert pyproject["project"]["description"] == description

    module = ast.parse(files["package"])
    assert ast.get_docstring(module, clean=False) == f"{name}: {description}"
    assigned = {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in module.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert assigned["PROJECT_NAME"] == name
    assert [type(n) for n in module.body] == [type(n) for n in ast.parse(base["package"]).body]

    assert _markdown_text(files["readme"], "heading") == name
    if description:
        assert _markdown_text(files["readme"], "paragraph") == description
    assert _markdown_text(files["runbook"], "heading").endswith(name)
    assert _markdown_text(files["architecture"], "heading").endswith(name)

    recorded = safe_yaml.parse_as_copier(files["answers"], "answers")  # as update reads it
    assert recorded["project_name"] == name and recorded["description"] == description
    assert json.loads(files["tfvars"]).keys() == json.loads(base["tfvars"]).keys()

    # comments stay one comment line; nothing else in the file moves
    for key, marker in (
        ("makefile", "#"),
        ("dockerfile", "#"),
        ("bicep", "//"),
        ("terraform", "#"),
    ):
        lines, base_lines = files[key].splitlines(), base[key].splitlines()
        assert lines[0].startswith(marker) and lines[1:] == base_lines[1:], key
    assert _run_make_first_line(files["makefile"], tmp) == "probe-ran\n"
    # a first line "# syntax=..." or "# escape=..." would be a Dockerfile parser directive
    assert not re.match(r"#\s*[A-Za-z]+\s*=", files["dockerfile"].splitlines()[0])


@settings(
    max_examples=250,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=names, description=descriptions, owner=owners)
def test_random_printable_answers_parse_everywhere_and_run_nothing(
    renderer: Renderer,
    tmp_path: Path,
    name: str,
    description: str,
    owner: str,
) -> None:
    answers = {
        "project_name": name,
        "project_slug": "prop_workload",
        "description": description,
        "owner": owner,
    }
    plain = renderer.render({**answers, "project_name": "Plain", "description": "Plain"})
    check_rendered(renderer.render(answers), plain, answers, tmp_path)


@pytest.mark.parametrize(
    "bad",
    [
        "Bob\nall: pwn\npwn:\n\ttouch pwned",  # the Makefile injection of issue 15
        "tab\there",
        "nul\x00byte",
        "right-to-left \u202e override",
        "zero\u200bwidth",
        "line\u2028separator",
        " leading space",
        "x" * 81,
        "",
    ],
)
def test_validators_refuse_what_cannot_land_safely(renderer: Renderer, bad: str) -> None:
    with pytest.raises(ValueError, match="project_name"):
        renderer.render({"project_name": bad, "project_slug": "prop_workload"})


def test_the_makefile_injection_is_refused_by_the_cli(run_cli, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yml"
    answers.write_text('project_name: "Bob\\nall: pwn\\npwn:\\n\\ttouch pwned"\n')
    proc = run_cli("new", tmp_path / "p", "--defaults", "--data-file", answers)
    assert proc.returncode == 2, proc.stderr
    assert "project_name must be one line of printable text" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yml"]


NASTY = [
    'Bob\'s "Help" Bot \\ $HOME #1 %s `id` {{ 7*7 }} ${x} %{y}',
    "Ünïcødé 日本語 🙂 <script>alert(1)</script> & [link](x) *b* _i_",
    "- 1. # > = leading markdown",
]


@pytest.mark.slow
@pytest.mark.parametrize("name", NASTY)
def test_whole_repositories_with_nasty_answers_parse(run_cli, tmp_path: Path, name: str) -> None:
    dest = tmp_path / "repo"
    proc = run_cli(
        "new",
        dest,
        "--defaults",
        "--no-git",
        "--data",
        f"project_name={name}",
        "--data",
        "project_slug=nasty",
        "--data",
        f"description={name[::-1].strip()}",
    )
    assert proc.returncode == 0, proc.stderr
    checked = 0
    for path in sorted(dest.rglob("*")):
        if not path.is_file() or path.suffix not in (".py", ".toml", ".yml", ".yaml", ".json"):
            continue
        text = path.read_text(encoding="utf-8", errors="strict")
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in (".yml", ".yaml"):
            list(safe_yaml.loader().load_all(text))
        else:
            json.loads(text)
        checked += 1
    assert checked > 20
    namespace: dict[str, Any] = {}
    exec(  # noqa: S102 - the generated package's own __init__, to read PROJECT_NAME back
        compile((dest / "src/nasty/__init__.py").read_text(), "__init__.py", "exec"), namespace
    )
    assert namespace["PROJECT_NAME"] == name
    assert tomllib.loads((dest / "pyproject.toml").read_text())["project"]["description"] == (
        name[::-1].strip()
    )
    make = subprocess.run(
        ["make", "-s", "-n", "help"], cwd=dest, capture_output=True, text=True, check=False
    )
    assert "pwn" not in make.stdout
