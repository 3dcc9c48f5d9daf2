"""Google AI Studio: a saved prompt (the file AI Studio keeps in Google Drive).

``{runSettings: {model}, systemInstruction: {text|parts}, chunkedPrompt:
{chunks: [...]}}``. A chunk is one turn: ``role`` ``user`` or ``model``,
``text``, and ``isThought`` for the model's thoughts (a reasoning part; its
``parts`` repeat the text in pieces). Chunks may also hold an uploaded image
(``inlineImage`` is copied in; ``driveImage`` names a Drive file the prompt
does not hold), a ``driveDocument``, a ``functionCall`` / ``functionResponse``
pair, or ``executableCode`` and its ``codeExecutionResult``. The system
instruction is shown as AI Studio shows it: first, as a system message.

A saved prompt carries no ID: it is recognised on a later import by its
opening turns.
"""

from __future__ import annotations

import json

from amber.content.model import Message, Part
from amber.importers.identity import derived_id
from amber.importers.normalise import (
    clean_text,
    label,
    model_name,
    title_from_text,
)
from amber.importers.record import (
    ImageResolver,
    Imported,
    Notes,
    Skipped,
    first_text,
    merge_turns,
    message,
)

FORMAT = "ai-studio"
ROLES = {"user": "user", "model": "assistant"}


def looks_like(record: object) -> bool:
    if not isinstance(record, dict):
        return False
    prompt = record.get("chunkedPrompt")
    return isinstance(prompt, dict) and isinstance(prompt.get("chunks"), list)


def convert(record: object, where: str, images: ImageResolver) -> Imported | Skipped:
    if not looks_like(record):
        return Skipped(where, "no 'chunkedPrompt': not an AI Studio prompt")
    assert isinstance(record, dict)
    prompt = record["chunkedPrompt"]
    chunks = [c for c in prompt["chunks"] if isinstance(c, dict)]
    notes = Notes()
    settings = record.get("runSettings") if isinstance(record.get("runSettings"), dict) else {}
    assert isinstance(settings, dict)
    raw_model = settings.get("model")
    model = model_name(raw_model.removeprefix("models/")) if isinstance(raw_model, str) else None
    messages: list[Message] = []
    system = _system_text(record.get("systemInstruction"))
    if system:
        messages.append(Message("system", system))
    for chunk in chunks:
        role = ROLES.get(str(chunk.get("role")))
        if role is None:
            continue
        converted = message(role, _parts(chunk, images, notes))
        if converted is not None:
            messages.append(converted)
    messages = merge_turns(messages)
    if not any(m.role != "system" for m in messages):
        return Skipped(where, "no visible messages")
    opening = [[c.get("role"), c.get("text")] for c in chunks[:2]]
    return Imported(
        format=FORMAT,
        source_id=derived_id(opening),
        title=title_from_text(first_text(messages)) or "Untitled prompt",
        messages=tuple(messages),
        model=model,
        notes=tuple(notes.items),
    )


def _system_text(value: object) -> str:
    if not isinstance(value, dict):
        return ""
    text = clean_text(value.get("text")).strip()
    parts = value.get("parts")
    if not text and isinstance(parts, list):
        text = "\n\n".join(clean_text(p.get("text")).strip() for p in parts
                           if isinstance(p, dict) and p.get("text"))
    return text


def _parts(chunk: dict[str, object], images: ImageResolver, notes: Notes) -> list[Part]:
    text = clean_text(chunk.get("text")).strip()
    if not text and isinstance(chunk.get("parts"), list):
        text = "".join(clean_text(p.get("text")) for p in chunk["parts"]  # type: ignore[union-attr]
                       if isinstance(p, dict)).strip()
    parts: list[Part] = []
    inline = chunk.get("inlineImage")
    if isinstance(inline, dict) and isinstance(inline.get("data"), str):
        mime = inline.get("mimeType") if isinstance(inline.get("mimeType"), str) else "image/png"
        src, note = images(f"data:{mime};base64,{inline['data']}", "image")
        if note:
            notes.add(note)
        parts.append(Part("image", src=src, name="image"))
    if isinstance(chunk.get("driveImage"), dict):
        parts.append(Part("image", name="image from Google Drive"))
    if isinstance(chunk.get("driveDocument"), dict):
        parts.append(Part("attachment", name="document from Google Drive"))
    if text:
        if chunk.get("isThought") is True:
            parts.append(Part("reasoning", text=text, title="Thoughts"))
        else:
            parts.append(Part("text", text=text))
    call = chunk.get("functionCall")
    if isinstance(call, dict):
        arguments = call.get("args")
        parts.append(Part("tool_call", name=label(call.get("name"), 60) or "function",
                          arguments=clean_text(json.dumps(arguments, ensure_ascii=False))
                          if arguments is not None else None))
    response = chunk.get("functionResponse")
    if isinstance(response, dict):
        result = response.get("response")
        parts.append(Part("tool_result", name=label(response.get("name"), 60),
                          text=clean_text(result if isinstance(result, str)
                                          else json.dumps(result, ensure_ascii=False))))
    code = chunk.get("executableCode")
    if isinstance(code, dict) and clean_text(code.get("code")).strip():
        parts.append(Part("code", code=clean_text(code.get("code")),
                          language=label(str(code.get("language") or "").lower(), 40)))
    outcome = chunk.get("codeExecutionResult")
    if isinstance(outcome, dict):
        output = clean_text(outcome.get("output"))
        failed = str(outcome.get("outcome") or "").upper() not in ("", "OUTCOME_OK")
        parts.append(Part("tool_result", name="code execution", text=output,
                          is_error=True if failed else None))
    return parts
