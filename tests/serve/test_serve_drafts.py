"""Draft options from the query string: what ``amber share`` would be asked for."""

from __future__ import annotations

from amber.content.model import SiteConfig
from amber.serve.drafts import MAX_OPTION_LENGTH, DraftChoice, read_choice

WITH_AUTHOR = SiteConfig("T", "https://x.example/", author="Site Author")
NO_AUTHOR = SiteConfig("T", "https://x.example/")


def test_defaults_are_anonymous_with_the_conversations_title() -> None:
    assert read_choice("", WITH_AUTHOR) == DraftChoice(None, None, None)
    assert read_choice("title=+++", WITH_AUTHOR).title is None


def test_name_without_a_value_is_the_site_author() -> None:
    choice = read_choice("name", WITH_AUTHOR)
    assert (choice.author, choice.name_arg) == ("Site Author", "")
    assert choice.command("share", "a") == "amber share a --name"


def test_name_without_an_author_is_a_note_not_an_error() -> None:
    choice = read_choice("name=", NO_AUTHOR)
    assert choice.author is None
    assert "no author" in choice.notes[0]


def test_commands_are_shell_quoted() -> None:
    choice = read_choice("title=It%27s+%24HOME+%60x%60&name=O%27Brien", NO_AUTHOR)
    assert choice.command("share", "slug") == (
        "amber share slug --title 'It'\"'\"'s $HOME `x`' --name 'O'\"'\"'Brien'")


def test_links_keep_the_other_options() -> None:
    choice = read_choice("title=T&name=Jo", NO_AUTHOR)
    assert choice.query(name=None) == "?title=T"
    assert choice.query(title=None) == "?name=Jo"
    assert choice.query(name="") == "?title=T&name="
    assert DraftChoice(None, None, None).query() == ""


def test_oversized_options_are_cut_and_said_so() -> None:
    choice = read_choice("title=" + "x" * (MAX_OPTION_LENGTH + 50), NO_AUTHOR)
    assert choice.title is not None and len(choice.title) == MAX_OPTION_LENGTH
    assert choice.notes
    assert read_choice("&".join(f"k{i}=v" for i in range(100)), NO_AUTHOR).notes
