"""The YAML loader: line numbers for every path, duplicate keys rejected, alias bombs refused."""

from __future__ import annotations

import pytest

from coatcheck.errors import PolicyError
from coatcheck.policy._yaml import load_yaml

DOC = """\
mode: enforce
detection:
  thresholds:
    PERSON: 0.5
tenants:
  - name: a
  -
    name: b
"""


def test_lines_are_recorded_for_keys_and_items() -> None:
    located = load_yaml(DOC, "p.yaml")
    assert located.data["tenants"][1] == {"name": "b"}
    assert located.line_of(("mode",)) == 1
    assert located.line_of(("detection", "thresholds", "PERSON")) == 4
    assert located.line_of(("tenants", 0)) == 6
    assert located.line_of(("tenants", 1)) == 8  # an item starts where its content starts
    assert located.line_of(("tenants", 1, "name")) == 8
    assert located.line_of(("detection", "missing", "deeper")) == 2  # the closest existing ancestor
    assert located.line_of(()) == 1


def test_aliases_are_expanded_and_empty_documents_are_empty() -> None:
    located = load_yaml("a: &x [1, 2]\nb: *x\n", "p.yaml")
    assert located.data == {"a": [1, 2], "b": [1, 2]}
    assert load_yaml("", "p.yaml").data == {}
    assert load_yaml("# only a comment\n", "p.yaml").data == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "p.yaml:3: duplicate key 'a' (first defined at line 1)"),
        ("x:\n  - {k: 1, k: 2}\n", "p.yaml:2: duplicate key 'x.0.k' (first defined at line 2)"),
        ("? [a, b]\n: 1\n", "p.yaml:1: mapping keys must be plain scalars"),
        ("a: 1\n---\nb: 2\n", "p.yaml:2: invalid YAML: but found another document"),
        ("a: &x\n  b: *x\n", "p.yaml:1: recursive YAML aliases are not allowed in a policy"),
        ("a: !!python/object:os.system x\n", "p.yaml:1: invalid YAML: could not determine a constructor for the tag"),
    ],
)
def test_bad_documents(text: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_yaml(text, "p.yaml")
    assert str(caught.value).startswith(message)


def test_alias_bomb_is_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(PolicyError, match="expands to more than 200000 values"):
        load_yaml("\n".join(lines) + "\n", "p.yaml")
