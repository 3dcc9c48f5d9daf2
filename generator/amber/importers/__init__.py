"""``amber import``: turn chat exports into native conversation files.

One module per export format (``chatgpt``, ``claude``, ``openai``,
``anthropic``, ``responses``, ``sharegpt``, ``openwebui``, ``librechat``,
``grok``, ``gemini``, ``aistudio``, ``deepseek``), each turning one record of
its format into an ``Imported`` conversation (``record``) of native messages and
parts. Around them, in the order an import runs:

- ``source`` opens a zip or a file and finds images in it;
- ``records`` streams the records of each JSON or JSONL file (an HTML file is
  one record);
- ``detect`` tells the format (``evidence`` weighs what tells OpenAI and
  Anthropic requests apart); ``reading`` converts every record, in a second
  process for large exports, after the format's ``regroup`` (when it has
  one) has turned the file's records into conversations (Grok's one object,
  Gemini's activity entries);
- ``assets`` copies images, named by their digest;
- ``writer`` names each conversation (``identity``), writes it as YAML
  (``yamlout``) and stages it; ``pipeline`` commits when all was read.

Agent sessions take another road, since a whole file is one conversation:
``sessions`` finds the session files (one, or a folder walked for them) and
hands each to ``claude_code`` or ``codex``; ``agent_tools`` shows their tool
calls (edits as diffs, commands as console blocks, sub-agents collapsed).

Helpers: ``normalise`` (text and times from hostile input), ``markup`` (links
and quotes in Markdown), ``htmltext`` (scraped HTML back to Markdown),
``tree`` (message trees and the branch an app shows), ``branches`` (the one
walk that keeps a tree's other versions as alternatives, for every format that
has them), ``gemini_html`` (the entries of Takeout's activity page).

The command imports ``pipeline.run_import`` only when it runs, so ``amber
--help`` does not pay for the importers; this package's own import is light.
"""
