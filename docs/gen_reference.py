"""Regenerate the parts of the docs that the code already says.

The CLI reference (every command's ``--help``) and the template context (the
dataclasses of ``amber.render.pages``) are copied from the code between
``<!-- BEGIN GENERATED name -->`` and ``<!-- END GENERATED name -->`` markers,
so the docs cannot drift from what amber accepts and passes to templates.

    python docs/gen_reference.py           rewrite the generated blocks
    python docs/gen_reference.py --check   exit 1 if any block is out of date

Help text is formatted at a fixed width of 80 columns, whatever the terminal,
so the output is the same on every machine.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DOCS = Path(__file__).resolve().parent
HELP_COLUMNS = "80"


@contextmanager
def fixed_terminal() -> Iterator[None]:
    """argparse wraps help to the terminal's width (``COLUMNS``) and may colour it:
    pin both while formatting, then put the environment back."""
    saved = {key: os.environ.get(key) for key in ("COLUMNS", "NO_COLOR")}
    os.environ["COLUMNS"] = HELP_COLUMNS
    os.environ["NO_COLOR"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """Command name -> its parser, in the order ``amber --help`` lists them."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise SystemExit("gen_reference: the amber parser has no subcommands")


def cli_reference() -> str:
    """``amber --help`` and then each command's ``--help``, as Markdown sections."""
    from amber.cli import make_parser

    with fixed_terminal():
        parser = make_parser()
        sections = [("amber", parser.format_help())]
        sections += [(f"amber {name}", sub.format_help())
                     for name, sub in subcommands(parser).items()]
    return "\n".join(f"## `{title}`\n\n```text\n{text.rstrip()}\n```\n"
                     for title, text in sections)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cell(text: str) -> str:
    """Table cell text: a pipe outside a code span would end the cell."""
    pieces = text.split("``")
    return "`".join(piece if i % 2 else piece.replace("|", "\\|")
                    for i, piece in enumerate(pieces))


def context_reference() -> str:
    """One table per page context dataclass: field, type and the docstring under it."""
    from amber.render import pages

    tree = ast.parse(Path(inspect.getfile(pages)).read_text("utf-8"))
    blocks = []
    for node in tree.body:
        cls = getattr(pages, node.name, None) if isinstance(node, ast.ClassDef) else None
        if cls is None or not dataclasses.is_dataclass(cls):
            continue
        rows = []
        body = node.body
        for here, after in zip(body, [*body[1:], None], strict=True):
            if not (isinstance(here, ast.AnnAssign) and isinstance(here.target, ast.Name)):
                continue
            doc = ""
            if (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                    and isinstance(after.value.value, str)):
                doc = _one_line(after.value.value)
            kind = ast.unparse(here.annotation)
            rows.append(f"| `{here.target.id}` | `{kind}` | {_cell(doc)} |")
        summary = _cell(_one_line(inspect.getdoc(cls) or ""))
        blocks.append(f"### `{node.name}`\n\n{summary}\n\n| field | type | meaning |\n"
                      "|---|---|---|\n" + "\n".join(rows) + "\n")
    return "\n".join(blocks)


GENERATED: dict[str, tuple[Path, Callable[[], str]]] = {
    "cli": (DOCS / "reference" / "cli.md", cli_reference),
    "context": (DOCS / "themes.md", context_reference),
}
"""Block name -> the page that holds it and the function that writes it."""


def with_block(text: str, name: str, body: str) -> str:
    """``text`` with the block ``name`` replaced by ``body``."""
    begin, end = f"<!-- BEGIN GENERATED {name} -->", f"<!-- END GENERATED {name} -->"
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise SystemExit(f"gen_reference: expected one {begin} ... {end} pair")
    head, rest = text.split(begin)
    tail = rest.split(end)[1]
    return f"{head}{begin}\n\n{body.strip()}\n\n{end}{tail}"


def stale_pages() -> dict[Path, str]:
    """Each page whose generated blocks differ from the code -> its regenerated text."""
    out: dict[Path, str] = {}
    for name, (page, make) in GENERATED.items():
        text = out.get(page) or page.read_text("utf-8")
        new = with_block(text, name, make())
        if new != page.read_text("utf-8") or page in out:
            out[page] = new
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="report pages that are out of date instead of rewriting them")
    args = parser.parse_args(argv)
    stale = stale_pages()
    for page, text in stale.items():
        where = page.relative_to(DOCS.parent).as_posix()
        if args.check:
            print(f"{where}: out of date; run python docs/gen_reference.py", file=sys.stderr)
        else:
            page.write_text(text, "utf-8")
            print(f"rewrote {where}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
