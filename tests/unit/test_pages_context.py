"""amber.render.pages is the theme author's reference: every context field is documented,
and the default theme uses nothing that is not in it."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

from amber.render import pages
from amber.render.theme import packaged_default_theme

PAGE_CLASSES = [
    obj for _, obj in inspect.getmembers(pages, inspect.isclass)
    if dataclasses.is_dataclass(obj) and obj.__module__ == pages.__name__
]


def field_docstrings(source: str) -> dict[str, dict[str, str]]:
    """class name -> {field: the string literal right under its annotation}."""
    found: dict[str, dict[str, str]] = {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        body = node.body
        for here, after in zip(body, [*body[1:], None], strict=True):
            if not (isinstance(here, ast.AnnAssign) and isinstance(here.target, ast.Name)):
                continue
            if (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str) and after.value.value.strip()):
                docs[here.target.id] = after.value.value
        found[node.name] = docs
    return found


def undocumented(source: str, classes: list[type]) -> list[str]:
    docs = field_docstrings(source)
    return [f"{cls.__name__}.{f.name}" for cls in classes for f in dataclasses.fields(cls)
            if f.name not in docs.get(cls.__name__, {})]


def test_there_is_a_context_per_page_type() -> None:
    names = {cls.__name__ for cls in PAGE_CLASSES}
    assert {"SiteView", "SharePage", "MessageView", "IndexPage", "ShareSummary",
            "NotFoundPage"} <= names


def test_every_context_field_has_a_docstring() -> None:
    source = Path(pages.__file__).read_text(encoding="utf-8")
    assert undocumented(source, PAGE_CLASSES) == []
    for cls in PAGE_CLASSES:
        assert cls.__doc__ and not cls.__doc__.startswith(cls.__name__ + "("), cls.__name__


def test_the_docstring_check_catches_an_undocumented_field() -> None:
    """The check itself can fail: a field without a docstring is reported by name."""

    @dataclasses.dataclass
    class Sample:
        """A sample context."""

        documented: str
        """Has one."""
        bare: int

    source = (
        "class Sample:\n"
        '    """A sample context."""\n'
        "    documented: str\n"
        '    """Has one."""\n'
        "    bare: int\n"
    )
    assert undocumented(source, [Sample]) == ["Sample.bare"]


TEMPLATE_NAMES = ["base.html", "share.html", "index.html", "404.html"]
_ATTRIBUTE = re.compile(r"\b(page|site|m|s)\.([a-z_]+)")


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_default_templates_use_only_documented_fields(name: str) -> None:
    """``page.x``, ``site.x`` and the loop variables name real context fields."""
    text = (packaged_default_theme() / "templates" / name).read_text(encoding="utf-8")
    fields = {cls.__name__: {f.name for f in dataclasses.fields(cls)} for cls in PAGE_CLASSES}
    page_fields = {"share.html": fields["SharePage"], "index.html": fields["IndexPage"],
                   "404.html": fields["NotFoundPage"]}
    allowed = {
        "site": fields["SiteView"],
        "m": fields["MessageView"],
        "s": fields["ShareSummary"],
        # base.html is rendered with every page type: only what they all have
        "page": page_fields.get(name, set.intersection(*page_fields.values())),
    }
    used = _ATTRIBUTE.findall(text)
    assert used, "the pattern must find something to check"
    unknown = sorted({f"{var}.{attr}" for var, attr in used if attr not in allowed[var]})
    assert unknown == []
