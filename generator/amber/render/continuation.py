"""Where a reader goes from a share page: a chat app to continue in, the owner to report to.

The chat apps take a prompt in their address (``https://chatgpt.com/?q=``,
``https://claude.ai/new?q=``). A short conversation goes in whole; a long one would
make an address the apps and browsers refuse, so past ``PREFILL_LIMIT`` the link
asks the app to wait for the conversation, which the page copies as Markdown when
the link is followed (``amber.js``; without it, "Copy as Markdown" is the way).
"""

from __future__ import annotations

from urllib.parse import quote

from amber.render.pages import Continuation

PREFILL_LIMIT = 6_000
"""Longest encoded prompt put in a link, in characters (addresses past 8 KB are refused
by some servers; the apps' own limits are lower than their input boxes)."""

CHATGPT = "https://chatgpt.com/?q="
CLAUDE = "https://claude.ai/new?q="


def continuation(markdown: str, title: str, url: str) -> Continuation:
    """Prefilled links to the chat apps for a conversation given as Markdown."""
    prompt = f"Here is a conversation shared at {url}. Continue it with me.\n\n{markdown}"
    query = quote(prompt, safe="")
    complete = len(query) <= PREFILL_LIMIT
    if not complete:
        query = quote(f"I will paste a conversation, \u201c{title}\u201d, shared at {url}. "
                      "Read it, then continue it with me.", safe="")
    return Continuation(chatgpt_href=CHATGPT + query, claude_href=CLAUDE + query,
                        complete=complete)


def report_href(contact: str | None, title: str, url: str) -> str | None:
    """A "Report this page" link to ``site.yaml``'s ``contact``, naming the page.

    An e-mail address gets a ``mailto:`` with the subject and body filled in; a URL gets
    the page's URL in place of ``{url}`` if it has that placeholder, else is used as is.
    """
    if not contact:
        return None
    if "@" in contact and not contact.lower().startswith(("http://", "https://")):
        subject = quote(f"Report: {title}", safe="")
        body = quote(f"I want to report this page: {url}\n\nReason: ", safe="")
        return f"mailto:{contact}?subject={subject}&body={body}"
    return contact.replace("{url}", quote(url, safe=""))
