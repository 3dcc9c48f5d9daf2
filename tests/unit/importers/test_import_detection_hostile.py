"""Telling the format of records whose values have the wrong types: no crash, an answer."""

from __future__ import annotations

import pytest

from amber.importers import detect


@pytest.mark.parametrize("odd", [[], {}, ["text"], 1.5, None])
def test_a_content_block_type_of_any_json_type_is_detected_without_a_crash(odd: object) -> None:
    """A list as a block's ``type`` was looked up in a set: TypeError, a traceback."""
    record = {"messages": [{"role": "user", "content": [{"type": odd, "text": "hi"}]}]}
    assert detect.detect(record) == "openai"
