"""The pure parts of bench/bench_scale.py: Hugo pages, the floor, targets and the table.

The benchmark itself takes minutes and needs Hugo; these tests check what
decides whether its comparison is fair (Hugo gets the same Markdown and the
same fenced code, the floor counts the same code blocks) and whether its
verdicts are right (ratios, met / missed), on corpus conversations and small
made-up reports.
"""

from __future__ import annotations

from pathlib import Path

import bench_scale
import corpus
import floor
import hugo_site
import pytest
import yaml
from markdown_it import MarkdownIt


def _front_matter_and_body(page: str) -> tuple[dict[str, object], str]:
    assert page.startswith("---\n")
    head, _, body = page[4:].partition("\n---\n")
    return yaml.safe_load(head), body


def _fences(markdown: str) -> list[str]:
    return [t.info for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"]


def _headings(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(markdown)
    return [tokens[i + 1].content for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == "h2"]


def test_hugo_page_of_a_corpus_conversation_keeps_every_message_and_code_block() -> None:
    conv = corpus.make_conversation(0, 7, 4)
    data = yaml.safe_load(corpus.to_yaml(conv))
    front, body = _front_matter_and_body(hugo_site.hugo_page(data))

    assert front["title"] == conv.title
    assert str(front["date"]).startswith(conv.created[:10])
    role_headings = [h for h in _headings(body) if h in ("User", "Assistant")]
    assert role_headings == [m.role.title() for m in conv.messages]
    expected = [lang for m in conv.messages for lang, _ in corpus.fenced_blocks(m.content)]
    assert len(expected) > 0
    assert _fences(body) == expected


def test_hugo_page_fences_code_parts_with_their_language_and_escapes_the_title() -> None:
    data = {
        "title": 'Quotes "and": colons — ünïcode',
        "created": "2024-03-01T10:00:00Z",
        "messages": [
            {"role": "user", "content": "Why does this fail?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Like this:"},
                {"type": "code", "language": "rust", "code": "let s = \"```\";\n"},
                {"type": "tool_call", "name": "run", "arguments": '{"x": 1}'},
                {"type": "image", "src": "assets/x.png"},
            ]},
        ],
    }
    front, body = _front_matter_and_body(hugo_site.hugo_page(data))
    assert front["title"] == data["title"]
    assert _headings(body) == ["User", "Assistant"]
    assert _fences(body) == ["rust", ""]
    # The code part's own backticks do not close its fence early.
    assert "let s = \"```\";" in MarkdownIt("commonmark").render(body).replace("&quot;", '"')


def test_write_site_writes_config_layouts_and_one_page_per_conversation(tmp_path: Path) -> None:
    convs = [(f"c-{i}", yaml.safe_load(corpus.to_yaml(corpus.make_conversation(0, i, 4))))
             for i in range(3)]
    assert hugo_site.write_site(tmp_path, convs) == 3
    assert sorted(p.name for p in (tmp_path / "content" / "conversations").iterdir()) == [
        "c-0.md", "c-1.md", "c-2.md"]
    assert "noClasses = false" in (tmp_path / "hugo.toml").read_text()
    assert {"baseof.html", "single.html", "list.html"} <= {
        p.name for p in (tmp_path / "layouts").iterdir()}


def test_floor_renders_every_message_and_highlights_every_fenced_block(tmp_path: Path) -> None:
    corpus.generate(tmp_path, 3)
    stats = corpus.site_stats(tmp_path / "content" / "conversations")
    figures = floor.run(tmp_path, exclude=set())
    assert figures["conversations"] == 3
    assert figures["messages"] == stats.messages
    assert figures["blocks"] == stats.code_blocks

    one = floor.Floor()
    html = one.render("```python\nx = 1\n```\n\n```nosuchlanguage\n<b>\n```\n")
    assert '<span class="n">x</span>' in html  # highlighted by the fence's lexer
    assert "&lt;b&gt;" in html  # unknown language: escaped, not guessed
    assert one.blocks == 2


def test_floor_formats_the_syntax_amber_formats() -> None:
    """The floor runs amber's Markdown plugins: without them their cost would count as
    amber's overhead, though any generator formatting the same text pays it."""
    html = floor.Floor().render(
        "See https://example.com/docs now.\n\n"
        "A claim.[^1]\n\n[^1]: The source.\n\n"
        "- [x] done\n- [ ] todo\n\n"
        "Inline $x^2$ and ~~struck~~.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<a href="https://example.com/docs">' in html  # linkify
    assert 'class="footnote' in html  # footnotes
    assert 'type="checkbox"' in html  # task lists
    assert 'class="math inline"' in html  # $ math
    assert "<s>struck</s>" in html and "<table>" in html


def test_edit_conversation_adds_a_paragraph_and_keeps_the_yaml_valid() -> None:
    text = corpus.to_yaml(corpus.make_conversation(0, 2, 4))
    edited = yaml.safe_load(bench_scale.edit_conversation(text, "Edited."))
    original = yaml.safe_load(text)
    assert edited["messages"][0]["content"] == "Edited.\n\n" + original["messages"][0]["content"]
    assert edited["messages"][1:] == original["messages"][1:]
    with pytest.raises(bench_scale.BenchError):
        bench_scale.edit_conversation("title: x\n")


def test_diff_trees_reports_missing_extra_and_changed_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "share" / "x").mkdir(parents=True)
        (root / "index.html").write_text("same")
        (root / "share" / "x" / "index.html").write_text("page")
    assert bench_scale.diff_trees(a, b) == []
    (b / "share" / "x" / "index.html").write_text("pagE")
    (a / "gone.txt").write_text("1")
    (b / "new.txt").write_text("1")
    assert bench_scale.diff_trees(a, b) == [
        "missing gone.txt", "extra new.txt", "differs share/x/index.html"]


def _step(median: float, cpu: float | None = None, rss: float = 100.0) -> dict[str, object]:
    return {"runs": 3, "median_s": median, "min_s": median, "max_s": median,
            "cpu_median_s": median if cpu is None else cpu, "peak_rss_mb": rss}


def _report(steps: dict[str, dict[str, object]], jobs: int | None = 2) -> dict[str, object]:
    return {
        "machine": {"python": "CPython 3.11", "platform": "Linux", "cpu_count": 2,
                    "amber_commit": "abc1234", "amber_tree_dirty": False, "date": "today",
                    "build_flags": ["--jobs", "--no-cache"], "hugo": "v0.168.0",
                    "load_before": 0.5, "load_after": 0.7},
        "runs": 3,
        "sizes": [{"count": 1000, "shares": 1000, "jobs": jobs, "parallel": jobs is not None,
                   "corpus": {"avg_messages": 11.3, "avg_kb": 16.5, "avg_code_blocks": 6.5},
                   "output_files": 3009, "output_mb": 98.3, "load": [0.5, 0.7],
                   "steps": steps, "verify": {"new": "identical"}, "errors": []}],
    }


def _targets(report: dict[str, object]) -> dict[str, dict[str, object]]:
    size = report["sizes"][0]  # type: ignore[index]
    return {str(row["target"]): row for row in bench_scale.evaluate_targets(size)}


def test_targets_compute_ratios_and_verdicts() -> None:
    report = _report({
        "cold": _step(10.0, cpu=30.0, rss=250.0), "cold-1": _step(23.0, cpu=22.0),
        "noop": _step(0.4), "new": _step(0.9), "revoke": _step(2.0), "update": _step(1.4),
        "theme": _step(14.0, rss=450.0), "floor": _step(21.0, cpu=20.0, rss=40.0),
        "hugo-cold": _step(20.0, rss=700.0),
    })
    rows = _targets(report)
    assert rows["amber cold / Hugo cold"]["value"] == 0.5
    assert rows["amber cold / Hugo cold"]["status"] == "met"
    # CPU of every process of the parallel build (30) over the floor's (20), not wall times.
    assert rows["amber cold CPU / floor CPU"]["value"] == pytest.approx(1.5)
    assert rows["amber cold CPU / floor CPU"]["status"] == "missed"
    assert rows["amber 1-core cold CPU / floor CPU"]["value"] == pytest.approx(1.1)
    assert rows["amber 1-core cold CPU / floor CPU"]["status"] == "met"
    assert rows["no-op rebuild"]["status"] == "met"
    assert rows["one new share rebuild"]["status"] == "met"
    assert rows["one revoked share rebuild"]["status"] == "missed"
    assert rows["one updated share rebuild"]["status"] == "missed"
    assert rows["theme changed / Hugo cold"]["value"] == 0.7
    assert rows["theme changed / Hugo cold"]["status"] == "missed"
    # Peak memory is amber's own: Hugo's 700 MB and the floor do not count.
    assert rows["amber peak RSS"]["value"] == 450.0
    assert rows["amber peak RSS"]["status"] == "missed"


def test_targets_without_hugo_or_single_core_run_are_not_applicable() -> None:
    rows = _targets(_report({"cold": _step(30.0), "floor": _step(20.0)}))
    assert rows["amber cold / Hugo cold"]["status"] == "n/a"
    assert rows["amber cold CPU / floor CPU"]["value"] == 1.5
    # A parallel cold build is not the one-core figure.
    assert rows["amber 1-core cold CPU / floor CPU"]["status"] == "n/a"
    # Without --jobs, amber's cold build is the one-core build.
    rows = _targets(_report({"cold": _step(30.0), "floor": _step(20.0)}, jobs=None))
    assert rows["amber 1-core cold CPU / floor CPU"]["value"] == 1.5


def test_format_table_shows_steps_checks_ratios_and_verdicts() -> None:
    table = bench_scale.format_table(_report({
        "cold": _step(10.0), "new": _step(1.25), "hugo-cold": _step(20.0)}))
    lines = table.splitlines()
    assert "| amber cold (2 jobs) | 10.00 s | 10.00 s | 10.00 s | 10.00 s | 100 MB |  |" in lines
    assert "| amber one new share | 1.25 s | 1.25 s | 1.25 s | 1.25 s | 100 MB | identical |" \
        in lines
    assert "| amber cold / Hugo cold (every size) | 0.50x | <= 0.5x | met |" in lines
    assert "| one new share rebuild (10,000) | 1.25 s | < 1 s | missed |" in lines
    assert "| no-op rebuild (10,000) | - | < 0.5 s | n/a |" in lines
    assert "Hugo: v0.168.0" in table


def test_check_and_workflow_targets() -> None:
    rows = _targets(_report({
        "cold": _step(10.0), "check-cold": _step(300.0, rss=310.0),
        "check-noop": _step(0.4, rss=40.0), "check-new": _step(1.7, rss=120.0),
        "workflow": _step(45.0, rss=250.0),
    }))
    assert rows["no-op check"]["status"] == "met"
    assert rows["one new share check"]["status"] == "missed"
    assert rows["Pages workflow check + build, one new share"]["status"] == "met"
    # The check's peak is that of the check steps alone; the cold check's 310 MB misses.
    assert rows["amber check peak RSS"]["value"] == 310.0
    assert rows["amber check peak RSS"]["status"] == "missed"
    assert _targets(_report({"cold": _step(10.0)}))["no-op check"]["status"] == "n/a"
