"""The shared fixtures and helpers behave as the tests that rely on them assume."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import EPOCH
from tests.helpers.cli import cli_env, source_date
from tests.helpers.static_host import StaticHost


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object) -> None:  # type: ignore[override]
        return None


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """One GET, redirects not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def site_output(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    (output / "share" / "abc").mkdir(parents=True)
    (output / "index.html").write_text("<p>index</p>")
    (output / "404.html").write_text("<p>not found</p>")
    (output / "share" / "abc" / "index.html").write_text("<p>abc</p>")
    (tmp_path / "secret.txt").write_text("outside")
    return output


def test_static_host_serves_a_folder_under_its_base_path(static_host: StaticHost,
                                                         site_output: Path) -> None:
    base = static_host.mount("/chats/", site_output)
    assert base == f"{static_host.origin}/chats/"
    assert fetch(base)[::2] == (200, b"<p>index</p>")
    assert fetch(f"{base}share/abc/")[::2] == (200, b"<p>abc</p>")
    status, headers, _ = fetch(f"{base}share/abc")
    assert (status, headers["Location"]) == (301, "/chats/share/abc/")
    assert fetch(f"{static_host.origin}/chats")[1]["Location"] == "/chats/"


def test_static_host_answers_404_with_the_sites_page_and_stays_in_the_folder(
        static_host: StaticHost, site_output: Path) -> None:
    base = static_host.mount("/chats/", site_output)
    assert fetch(f"{base}share/nope/deeper/")[::2] == (404, b"<p>not found</p>")
    assert fetch(f"{base}..%2fsecret.txt")[::2] == (404, b"<p>not found</p>")
    assert fetch(f"{static_host.origin}/elsewhere/")[0] == 404


def test_fixture_copy_is_a_fresh_copy_each_time(fixture_copy: Callable[[str], Path],
                                                tmp_path: Path) -> None:
    site = fixture_copy("serve/site")
    assert site == tmp_path / "site"
    assert (site / "content" / "site.yaml").is_file()
    with pytest.raises(FileNotFoundError):
        fixture_copy("no-such-fixture")


def test_source_date_epoch_is_set_for_the_test_and_can_move(
        source_date_epoch: Callable[[int], None]) -> None:
    assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH)
    source_date_epoch(EPOCH + 60)
    assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH + 60)


def test_source_date_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with source_date(EPOCH + 5):
        assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH + 5)
    assert "SOURCE_DATE_EPOCH" not in os.environ


def test_cli_env_is_a_script_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("AMBER_LOCK_TIMEOUT", "5")
    env = cli_env({"SOURCE_DATE_EPOCH": None, "EXTRA": "1"})
    assert env["CI"] == "true" and env["EXTRA"] == "1"
    assert not {"TERM", "AMBER_LOCK_TIMEOUT", "SOURCE_DATE_EPOCH"} & env.keys()
