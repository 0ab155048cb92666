"""Property: random team edits x random template changes never lose a team line silently.

A team line is "kept" when it is in the merged file, outside or inside conflict markers; the
only other outcome allowed is a loud one (the file is reported as deleted-with-team-edits).

Two levels: the line merge itself (``git merge-file``, which Copier's inline mode and our
rename migration use) over many cases, and a handful of complete ``genaiops update`` runs of
multi-file templates, which go through Copier's whole diff / apply / merge pipeline.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from update_helpers import commit_all, generate, make_template

from generator.update import merge

Edit = tuple[str, int]  # (kind, position): replace, insert after, delete


def edits(max_len: int) -> st.SearchStrategy[list[Edit]]:
    kinds = st.sampled_from(["replace", "insert", "delete"])
    return st.lists(st.tuples(kinds, st.integers(0, max_len - 1)), max_size=4)


def apply_edits(base: list[str], ops: list[Edit], tag: str) -> list[str]:
    """Apply edits to ``base``; new lines are unique tokens ``<tag><n>``."""
    lines = list(base)
    counter = itertools.count()
    for kind, pos in ops:
        if not lines:
            lines.append(f"{tag}{next(counter)}")
            continue
        index = pos % len(lines)
        if kind == "replace":
            lines[index] = f"{tag}{next(counter)}"
        elif kind == "insert":
            lines.insert(index + 1, f"{tag}{next(counter)}")
        else:
            del lines[index]
    return lines


def text(lines: list[str]) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def team_lines(lines: list[str], tag: str) -> set[str]:
    return {line for line in lines if line.startswith(tag)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    base_len=st.integers(1, 12),
    team=edits(12),
    template=edits(12),
)
def test_line_merge_never_drops_a_team_line(
    base_len: int, team: list[Edit], template: list[Edit]
) -> None:
    base = [f"base{i}" for i in range(base_len)]
    ours = apply_edits(base, team, "TEAM")
    theirs = apply_edits(base, template, "TPL")
    result = merge.three_way(text(base), text(ours), text(theirs))
    merged = result.content.decode().splitlines()
    assert team_lines(ours, "TEAM") <= set(merged)
    assert merge.has_markers(result.content) == (not result.clean)
    if result.clean:
        # a clean merge also keeps every template addition
        assert team_lines(theirs, "TPL") <= set(merged)


FILES = 4
LINES = 8


@pytest.mark.slow
# Each example is a real template repository, `new` and `update` (about 2 s): a handful,
# reproducible, and not shrunk (a failing example is printed as generated).
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    team=st.lists(edits(LINES), min_size=FILES, max_size=FILES),
    template=st.lists(edits(LINES), min_size=FILES, max_size=FILES),
    dropped=st.lists(st.booleans(), min_size=FILES, max_size=FILES),
)
def test_full_updates_never_drop_a_team_line_silently(
    tmp_path_factory: object,
    team: list[list[Edit]],
    template: list[list[Edit]],
    dropped: list[bool],
) -> None:
    from generator.update.engine import UpdateOptions, update_repository

    root: Path = tmp_path_factory.mktemp("prop")  # type: ignore[attr-defined]
    bases = {f"f{i}.txt": [f"f{i} base{j}" for j in range(LINES)] for i in range(FILES)}
    v1: dict[str, str | None] = {
        "copier.yml": "_subdirectory: template\n",
        "template/{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml }}",
    }
    v2: dict[str, str | None] = {}
    ours: dict[str, list[str]] = {}
    for i, (name, base) in enumerate(bases.items()):
        v1[f"template/{name}"] = text(base).decode()
        theirs = apply_edits(base, template[i], f"TPL{i}-")
        v2[f"template/{name}"] = None if dropped[i] else text(theirs).decode()
        ours[name] = apply_edits(base, team[i], f"TEAM{i}-")
    tpl = make_template(root / "tpl", [("v1.0.0", v1), ("v2.0.0", v2)])
    project = generate(tpl, root / "proj")
    for name, lines in ours.items():
        (project / name).write_bytes(text(lines))
    commit_all(project, "team")

    [result] = update_repository(project, UpdateOptions(to="v2.0.0", defaults=True))

    for i, (name, lines) in enumerate(ours.items()):
        kept = team_lines(lines, f"TEAM{i}-")
        if not kept:
            continue
        path = project / name
        if path.exists():
            assert kept <= set(path.read_text().splitlines()), name
        else:
            assert dropped[i]
            assert any(w.startswith(f"{name} was deleted") for w in result.warnings), name
