"""amber.fork: reading a share from a file or a URL, and writing it as a new conversation."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from amber.content.load import SitePaths, load_content
from amber.content.model import Conversation, Message
from amber.errors import AmberError, ContentError, RefusedError, UsageError
from amber.fork import (
    Forked,
    Origin,
    conversation_json_url,
    fetch,
    from_file,
    from_url,
    render_fork,
    slugify,
    write_fork,
)
from tests.helpers.route_server import Route, route_server

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "publish"
SHARE_ID = "0f4c2c4e-9d7b-4b8e-a1f2-3c4d5e6f7a8b"


def test_a_conversation_json_becomes_messages_and_tool_parts() -> None:
    forked = from_file(FIXTURES / "conversation.json")
    conv = forked.conversation
    assert conv.title == "Weather tool, continued"
    assert conv.created == "2026-01-31T09:00:00Z" and conv.model == "test-model-2"
    assert forked.origin == Origin("conversation.json", str(FIXTURES / "conversation.json"),
                                   SHARE_ID, "2026-02-01T10:00:00Z")
    roles = [m.role for m in conv.messages]
    assert roles == ["system", "user", "assistant", "tool", "assistant", "system", "assistant"]
    assert conv.messages[1].content == "What is the weather in **Lisbon**?"
    text, call = conv.messages[2].content  # type: ignore[misc]
    assert (text.type, text.text) == ("text", "Let me look that up.")
    assert (call.type, call.name, call.id, call.arguments) == (
        "tool_call", "get_weather", "call_1", '{"city": "Lisbon"}')
    [result] = conv.messages[3].content  # type: ignore[misc]
    assert (result.type, result.id, result.text) == ("tool_result", "call_1", '{"temp_c": 18}')
    [only_call] = conv.messages[4].content  # type: ignore[misc]
    assert only_call.name == "get_time"
    assert conv.messages[5].content == "Be kind.\n\nUse Celsius."


@pytest.mark.parametrize(("body", "expected"), [
    ('{"messages": [{"role": "robot", "content": "x"}]}', "1:24: messages[0].role: expected"),
    ('{"messages": []}', "messages: expected a non-empty list"),
    ('{"title": "t"}', "missing required key 'messages'"),
    ('{"chat": []}', 'an object with "messages"'),
    ('{"messages": [{"role": "user"}]}', 'messages[0]: missing "content"'),
    ('{"messages": [{"role": "user", "content": 5}]}', "messages[0].content: expected a string"),
    ('{"messages": [{"role": "assistant", "content": "", "tool_calls": [{"id": "x"}]}]}',
     "tool_calls[0]: expected"),
])
def test_bad_chat_json_names_where(tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "conversation.json"
    path.write_text(body)
    with pytest.raises(ContentError) as caught:
        from_file(path)
    assert expected in "\n".join(str(p) for p in caught.value.problems)


def test_a_native_conversation_file_can_be_forked_too(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("title: Mine\nmessages:\n  - role: user\n    content: hello\n")
    forked = from_file(path)
    assert forked.conversation.title == "Mine" and forked.origin.kind == "conversation file"


@pytest.mark.parametrize(("url", "expected"), [
    (f"https://jane.github.io/chats/share/{SHARE_ID}/", f"share/{SHARE_ID}/conversation.json"),
    (f"https://jane.github.io/chats/share/{SHARE_ID}", f"share/{SHARE_ID}/conversation.json"),
    (f"https://jane.github.io/chats/share/{SHARE_ID}/#m-3", f"{SHARE_ID}/conversation.json"),
    (f"https://jane.github.io/share/{SHARE_ID.upper()}/?ref=x", "/conversation.json"),
    (f"http://h.test/s/{SHARE_ID}/conversation.md", f"{SHARE_ID}/conversation.json"),
    ("https://h.test/anything/conversation.json", "https://h.test/anything/conversation.json"),
])
def test_share_urls_lead_to_their_conversation_json(url: str, expected: str) -> None:
    got = conversation_json_url(url)
    assert got.endswith(expected) and "?" not in got and "#" not in got


@pytest.mark.parametrize("url", [
    "ftp://h.test/share/x/", "file:///etc/passwd", "https://h.test/share/not-an-id/",
    "javascript:alert(1)",
])
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(RefusedError):
        conversation_json_url(url)


def test_slugify() -> None:
    assert slugify("Rust lifetimes, explained!") == "rust-lifetimes-explained"
    assert slugify("Crème brûlée") == "creme-brulee"
    assert slugify("日本語") == "conversation"
    assert len(slugify("x" * 500)) == 60


def forked(title: str = "Hello there", location: str = "somewhere") -> Forked:
    conv = Conversation("", title, (Message("user", "hi"), Message("assistant", "hello")))
    return Forked(conv, Origin("URL", location, SHARE_ID, "2026-02-01T10:00:00Z"))


def test_write_fork_picks_a_free_slug_and_never_overwrites(tmp_path: Path) -> None:
    conversations = tmp_path / "content" / "conversations"
    conversations.mkdir(parents=True)
    (conversations / "hello-there-fork.json").write_text("{}")  # taken in another format
    first = write_fork(conversations, forked())
    second = write_fork(conversations, forked())
    assert (first.name, second.name) == ("hello-there-fork-2.yaml", "hello-there-fork-3.yaml")
    assert (conversations / "hello-there-fork.json").read_text() == "{}"
    assert sorted(p.name for p in conversations.iterdir()) == [
        "hello-there-fork-2.yaml", "hello-there-fork-3.yaml", "hello-there-fork.json"]


def test_an_explicit_slug_must_be_free_and_valid(tmp_path: Path) -> None:
    conversations = tmp_path / "conversations"
    conversations.mkdir()
    (conversations / "mine.yaml").write_text("keep me")
    with pytest.raises(RefusedError, match="already exists"):
        write_fork(conversations, forked(), "mine")
    with pytest.raises(UsageError):
        write_fork(conversations, forked(), "../escape")
    assert (conversations / "mine.yaml").read_text() == "keep me"
    assert write_fork(conversations, forked(), "other").name == "other.yaml"


def test_the_fork_records_its_origin_in_a_comment_that_cannot_be_broken_out_of(
    tmp_path: Path,
) -> None:
    sneaky = "https://h.test/share/x/\nlisted: true\n# "
    text = render_fork(forked(title="Line one\nline two", location=sneaky))
    header = text.split("title:", 1)[0]
    assert all(line.startswith("#") for line in header.splitlines())
    assert f"#   share ID: {SHARE_ID}" in header and "#   frozen: 2026-02-01T10:00:00Z" in header
    site = SitePaths(tmp_path)
    site.conversations.mkdir(parents=True)
    site.site_yaml.write_text("title: T\nbase_url: https://x.test/\n")
    path = write_fork(site.conversations, forked(title="Line one\nline two", location=sneaky))
    content = load_content(site)
    assert content.problems == []
    assert content.conversations[path.stem].title == "Line one\nline two"


# --- fetching ---------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[tuple[str, dict[str, Route]]]:
    """A server on 127.0.0.1 whose routes a test fills in; stopped at the end."""
    with route_server() as (port, routes):
        yield f"http://127.0.0.1:{port}", routes


def body(data: bytes, *, length: bool = True, status: int = 200) -> Route:
    def respond(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        if length:
            handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
    return respond


def test_from_url_fetches_the_share_json(server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes[f"/chats/share/{SHARE_ID}/conversation.json"] = body(
        (FIXTURES / "conversation.json").read_bytes())
    got = from_url(f"{base}/chats/share/{SHARE_ID}/")
    assert got.conversation.title == "Weather tool, continued"
    assert got.origin.kind == "URL" and got.origin.share_id == SHARE_ID


def test_a_declared_size_over_the_limit_is_refused(server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/big/conversation.json"] = body(b"x" * 5000)
    with pytest.raises(RefusedError, match="5000 bytes is more than the 1000-byte limit"):
        fetch(f"{base}/big/conversation.json", max_bytes=1000)


def test_an_undeclared_size_is_cut_at_the_limit(server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    routes["/big/conversation.json"] = body(b"x" * 300_000, length=False)
    with pytest.raises(RefusedError, match="more than the 100000-byte limit"):
        fetch(f"{base}/big/conversation.json", max_bytes=100_000)


def test_a_silent_server_times_out(server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server
    release = threading.Event()

    def stall(handler: http.server.BaseHTTPRequestHandler) -> None:
        release.wait(5)

    routes["/slow/conversation.json"] = stall
    started = time.monotonic()
    try:
        with pytest.raises(AmberError, match=r"no answer within 0\.5 s"):
            fetch(f"{base}/slow/conversation.json", timeout=0.5)
    finally:
        release.set()
    assert time.monotonic() - started < 4


def test_a_missing_share_says_it_may_be_revoked(server: tuple[str, dict[str, Route]]) -> None:
    base, _ = server
    with pytest.raises(AmberError, match=r"HTTP 404.*may have been revoked"):
        from_url(f"{base}/chats/share/{SHARE_ID}/")


def test_redirects_to_other_schemes_are_not_followed(server: tuple[str, dict[str, Route]]) -> None:
    base, routes = server

    def redirect(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", "file:///etc/passwd")
        handler.end_headers()

    routes["/r/conversation.json"] = redirect
    with pytest.raises(AmberError, match="not allowed"):
        fetch(f"{base}/r/conversation.json")

    def to_ftp(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(301)
        handler.send_header("Location", "ftp://127.0.0.1/conversation.json")
        handler.end_headers()

    routes["/f/conversation.json"] = to_ftp  # urllib itself would follow this one
    with pytest.raises(RefusedError, match="non-http"):
        fetch(f"{base}/f/conversation.json")


def test_a_download_that_is_not_a_share_is_a_clear_error(
    server: tuple[str, dict[str, Route]],
) -> None:
    base, routes = server
    routes[f"/s/{SHARE_ID}/conversation.json"] = body(b"<html>not json</html>")
    with pytest.raises(AmberError, match="line 1, column 1: not valid JSON"):
        from_url(f"{base}/s/{SHARE_ID}/")
    routes[f"/s/{SHARE_ID}/conversation.json"] = body(json.dumps(
        {"messages": [{"role": "user", "content": "x"}, {"content": "y"}]}).encode())
    with pytest.raises(AmberError, match=r'line 1, column 49: messages\[1\]: missing "role"'):
        from_url(f"{base}/s/{SHARE_ID}/")
