"""Generate a deterministic corpus of realistic AI chat conversations for benchmarks.

Build time in a static site generator depends on what the pages hold: the number
of messages, the amount of Markdown, and above all the fenced code blocks that
Pygments has to lex. A corpus of one repeated paragraph would tell us nothing,
and real exports cannot be shipped. So this module writes N synthetic
conversations that match the shape of real ones on average (11.3 messages,
about 16.5 KB of Markdown and 6.5 code blocks of 10-60 lines per conversation,
in eleven languages), assembled from templates and word lists so that text and
code vary from one conversation to the next.

Everything comes from ``random.Random`` seeded per conversation with
``(seed, index)``: the same seed always writes the same bytes, and the first
100 conversations of a 1000-conversation corpus are the 100-conversation corpus.
No network, no external data; the generator itself needs only the standard
library (``--stats`` reads the files back and needs PyYAML, which amber has).

Usage: ``python bench/corpus.py DIR --count N [--seed S] [--stats] [--force]``
writes ``DIR/content/site.yaml`` and ``DIR/content/conversations/*.yaml``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

KB = 1024
"""Sizes are reported in KB of 1024 bytes of UTF-8 Markdown."""

TARGET_MESSAGES = 11.3
TARGET_BYTES = 16.5 * KB
TARGET_CODE_BLOCKS = 6.5
CODE_LINES = (10, 60)

SITE_YAML = """\
title: "amber benchmark corpus"
base_url: "https://bench.example/chats/"
author: "Bench Author"
language: en
theme: default
"""

# --- vocabulary ----------------------------------------------------------------


def words(text: str) -> tuple[str, ...]:
    """Word lists are written as running text; this keeps them short to read and edit."""
    return tuple(text.split())


NOUNS = words(
    "user order invoice session token cache buffer queue record payload config request "
    "response account item batch job worker file message event metric node segment chunk "
    "report schedule ticket profile customer product price window shard lease snapshot "
    "commit branch span trace route handler client server pool task frame packet sensor "
    "reading device upload image thumbnail document page entry key tag label score vote "
    "comment post feed signal timer budget limit quota cursor offset partition topic "
    "subscriber consumer producer pipeline stage rule policy permission role group team "
    "project payment refund cart coupon shipment warehouse stock region cluster replica "
    "volume bucket manifest artifact release build module plugin schema column row query "
    "result migration fixture sample dataset feature vector graph vertex parser"
)

VERBS = words(
    "load parse fetch build validate compute merge flush resolve render encode decode sync "
    "retry schedule normalize collect filter group sort index persist publish consume "
    "dispatch register refresh expire rotate sign verify hash compress split stream "
    "aggregate reconcile import export convert format scan match apply reduce emit track "
    "measure sample throttle drain prune compact migrate restore archive upload download "
    "notify transform enrich dedupe lock acquire spawn poll route serialize inspect diff "
    "patch clone count find lookup insert update delete upsert list read write open close "
    "reset init start stop run check ensure prepare finalize"
)

ADJECTIVES = words(
    "active pending stale raw parsed cached total max min last next current default local "
    "remote shared failed valid dirty sorted unique recent expired queued partial"
)

FIELDS = words(
    "id name status created_at updated_at total count priority owner_id email amount "
    "currency region attempts size checksum version kind label score deadline timeout_ms "
    "retries parent_id path payload source target weight enabled"
)

TYPE_SUFFIXES = ("", "", "", "Service", "Store", "Manager", "Client", "Config", "Error",
                 "Builder", "Repository", "Handler", "Cache", "Queue", "Stats", "Options",
                 "Result", "Event", "Record", "Summary")

LOOP_VARS = ("item", "row", "entry", "rec", "job", "msg", "evt", "node", "el", "doc", "task",
             "part", "obj", "req", "res")

VARIANTS = ("Pending", "Active", "Failed", "Retrying", "Done", "Cancelled", "Paused",
            "Queued", "Expired", "Skipped", "Running", "Blocked")

TEST_CONDITIONS = ("handles_empty_input", "skips_duplicates", "keeps_order", "rejects_negative",
                   "retries_on_timeout", "respects_limit", "groups_by_owner", "is_idempotent",
                   "returns_none_when_missing", "rounds_amounts")

HOSTS = ("db.internal", "localhost", "api.example.com", "cache.internal", "queue.internal",
         "staging.example.com", "10.0.3.12")
PORTS = (5432, 6379, 8080, 8000, 3000, 9092, 5672, 443, 9000)
EXCEPTIONS = ("ValueError", "KeyError", "RuntimeError", "TimeoutError", "OSError",
              "LookupError", "ConnectionError")
EXTENSIONS = ("json", "csv", "log", "tmp", "gz", "parquet", "txt")
STRINGS = ("ok", "pending", "unknown", "default", "primary", "eu-west-1", "utf-8", "main",
           "draft", "archived", "v2", "internal")

COMMENTS = (
    "@Verb@ the @nouns@ before @verbing@ them",
    "Keep the @noun@ small: it is copied on every call",
    "@Noun@s without a @field@ are skipped on purpose",
    "TODO: @verb@ in batches of @num@",
    "This is the hot path; avoid allocating here",
    "Cheap check first, expensive one second",
    "Sorted once so the merge below stays linear",
    "The API returns at most @num@ @nouns@ per page",
    "Retry only idempotent calls",
    "Order matters: @field@ must be set before @verbing@",
    "Fall back to the default when the @noun@ is missing",
    "Bounded so a slow consumer cannot exhaust memory",
    "@Verb@ lazily; most callers never need it",
    "Guard against duplicate @nouns@ from at-least-once delivery",
)

DOCSTRINGS = (
    "@Verb@ the @nouns@ and return them keyed by @field@",
    "Return the @nouns@ that still need @verbing@",
    "@Verb@ one @noun@, retrying transient failures",
    "Group @nouns@ by @field@ so callers can @verb@ them in bulk",
    "Build a @noun@ from its serialised form",
    "@Verb@ every @noun@ in the batch; failures are logged and skipped",
)

PROSE_VERBS: tuple[tuple[str, ...], ...] = tuple(
    tuple(v.split(",")) for v in words(
        "load,loads,loading,loaded parse,parses,parsing,parsed fetch,fetches,fetching,fetched "
        "validate,validates,validating,validated merge,merges,merging,merged "
        "cache,caches,caching,cached sort,sorts,sorting,sorted filter,filters,filtering,filtered "
        "group,groups,grouping,grouped serialize,serializes,serializing,serialized "
        "process,processes,processing,processed retry,retries,retrying,retried "
        "batch,batches,batching,batched index,indexes,indexing,indexed "
        "store,stores,storing,stored send,sends,sending,sent read,reads,reading,read "
        "write,writes,writing,written build,builds,building,built split,splits,splitting,split "
        "copy,copies,copying,copied lock,locks,locking,locked update,updates,updating,updated "
        "delete,deletes,deleting,deleted compute,computes,computing,computed "
        "normalize,normalizes,normalizing,normalized dedupe,dedupes,deduping,deduped "
        "encode,encodes,encoding,encoded decode,decodes,decoding,decoded "
        "publish,publishes,publishing,published schedule,schedules,scheduling,scheduled "
        "track,tracks,tracking,tracked render,renders,rendering,rendered "
        "import,imports,importing,imported export,exports,exporting,exported "
        "scan,scans,scanning,scanned count,counts,counting,counted "
        "query,queries,querying,queried flush,flushes,flushing,flushed "
        "refresh,refreshes,refreshing,refreshed stream,streams,streaming,streamed "
        "aggregate,aggregates,aggregating,aggregated"
    )
)

PROSE_ADJECTIVES = ("tricky", "expensive", "slow", "important", "interesting", "fragile",
                    "subtle", "easy", "surprising", "costly")


@dataclass(frozen=True)
class LanguageInfo:
    """What prose needs to know about a conversation's main language."""

    display: str
    techs: tuple[str, ...]
    docs: tuple[tuple[str, str], ...]
    """(link text, URL) pairs of real documentation pages."""
    errors: tuple[str, ...]
    style: str
    """Identifier style for inline code: snake, camel or pascal."""
    related: tuple[str, ...]
    """Languages that show up next to this one (shell commands, configs, queries)."""


LANGUAGES: dict[str, LanguageInfo] = {
    "python": LanguageInfo(
        "Python",
        ("asyncio", "dataclasses", "pytest", "type hints", "generators", "the GIL",
         "multiprocessing", "SQLAlchemy", "pandas", "FastAPI", "context managers",
         "functools.lru_cache", "pathlib", "mypy", "itertools"),
        (("asyncio docs", "https://docs.python.org/3/library/asyncio.html"),
         ("dataclasses", "https://docs.python.org/3/library/dataclasses.html"),
         ("functools.lru_cache", "https://docs.python.org/3/library/functools.html"),
         ("the itertools recipes", "https://docs.python.org/3/library/itertools.html"),
         ("pytest fixtures", "https://docs.pytest.org/en/stable/how-to/fixtures.html"),
         ("the typing module", "https://docs.python.org/3/library/typing.html")),
        ("KeyError: '@field@'", "TypeError: 'NoneType' object is not iterable",
         "RuntimeError: Event loop is closed", "RecursionError: maximum recursion depth exceeded",
         "sqlite3.OperationalError: database is locked"),
        "snake", ("bash", "json", "yaml", "sql"),
    ),
    "rust": LanguageInfo(
        "Rust",
        ("lifetimes", "the borrow checker", "tokio", "serde", "trait objects", "Arc<Mutex<T>>",
         "iterators", "the ? operator", "cargo workspaces", "Send and Sync", "pattern matching",
         "clippy", "rayon"),
        (("the Rust book on ownership",
          "https://doc.rust-lang.org/book/ch04-01-what-is-ownership.html"),
         ("std::collections", "https://doc.rust-lang.org/std/collections/index.html"),
         ("the tokio tutorial", "https://tokio.rs/tokio/tutorial"),
         ("serde's attributes", "https://serde.rs/attributes.html"),
         ("Iterator", "https://doc.rust-lang.org/std/iter/trait.Iterator.html")),
        ("error[E0502]: cannot borrow `@var@` as mutable because it is also borrowed as "
         "immutable", "error[E0308]: mismatched types", "error[E0382]: use of moved value",
         "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value'"),
        "snake", ("bash", "json", "yaml"),
    ),
    "javascript": LanguageInfo(
        "JavaScript",
        ("promises", "async/await", "the event loop", "closures", "Node streams", "ES modules",
         "fetch", "Express middleware", "debouncing", "Web Workers", "AbortController"),
        (("Promise.all", "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/"
          "Global_Objects/Promise/all"),
         ("the Fetch API", "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API"),
         ("Node's stream docs", "https://nodejs.org/api/stream.html"),
         ("Map", "https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/"
          "Global_Objects/Map")),
        ("TypeError: Cannot read properties of undefined (reading '@fieldC@')",
         "UnhandledPromiseRejection: This error originated either by throwing inside of an "
         "async function", "RangeError: Maximum call stack size exceeded",
         "ERR_REQUIRE_ESM"),
        "camel", ("json", "bash", "yaml"),
    ),
    "typescript": LanguageInfo(
        "TypeScript",
        ("generics", "discriminated unions", "type narrowing", "strict mode", "utility types",
         "declaration files", "zod schemas", "tsconfig paths", "mapped types", "satisfies"),
        (("the handbook on narrowing", "https://www.typescriptlang.org/docs/handbook/2/"
          "narrowing.html"),
         ("generics", "https://www.typescriptlang.org/docs/handbook/2/generics.html"),
         ("utility types", "https://www.typescriptlang.org/docs/handbook/utility-types.html"),
         ("tsconfig reference", "https://www.typescriptlang.org/tsconfig")),
        ("TS2345: Argument of type 'string | undefined' is not assignable to parameter of "
         "type 'string'", "TS2322: Type 'number' is not assignable to type 'string'",
         "TS7006: Parameter '@x@' implicitly has an 'any' type",
         "TS2339: Property '@fieldC@' does not exist on type 'never'"),
        "camel", ("json", "bash", "yaml"),
    ),
    "go": LanguageInfo(
        "Go",
        ("goroutines", "channels", "context cancellation", "interfaces", "error wrapping",
         "sync.WaitGroup", "the race detector", "Go modules", "table-driven tests", "pprof",
         "errgroup"),
        (("Effective Go", "https://go.dev/doc/effective_go"),
         ("the context package", "https://pkg.go.dev/context"),
         ("errgroup", "https://pkg.go.dev/golang.org/x/sync/errgroup"),
         ("the race detector", "https://go.dev/doc/articles/race_detector")),
        ("fatal error: all goroutines are asleep - deadlock!",
         "panic: assignment to entry in nil map",
         "panic: runtime error: invalid memory address or nil pointer dereference",
         "WARNING: DATA RACE"),
        "camel", ("bash", "yaml", "sql", "json"),
    ),
    "sql": LanguageInfo(
        "SQL",
        ("window functions", "indexes", "CTEs", "query plans", "transactions",
         "isolation levels", "foreign keys", "partial indexes", "upserts", "VACUUM",
         "materialized views"),
        (("window functions", "https://www.postgresql.org/docs/current/tutorial-window.html"),
         ("EXPLAIN", "https://www.postgresql.org/docs/current/using-explain.html"),
         ("INSERT ... ON CONFLICT", "https://www.postgresql.org/docs/current/sql-insert.html"),
         ("index types", "https://www.postgresql.org/docs/current/indexes-types.html")),
        ("ERROR:  deadlock detected",
         "ERROR:  duplicate key value violates unique constraint \"@table@_pkey\"",
         "ERROR:  column \"@field@\" must appear in the GROUP BY clause",
         "ERROR:  canceling statement due to statement timeout"),
        "snake", ("python", "bash", "json"),
    ),
    "java": LanguageInfo(
        "Java",
        ("streams", "records", "Spring Boot", "JPA", "virtual threads", "CompletableFuture",
         "Optional", "JUnit 5", "Maven", "the garbage collector", "sealed interfaces"),
        (("java.util.stream", "https://docs.oracle.com/en/java/javase/21/docs/api/java.base/"
          "java/util/stream/package-summary.html"),
         ("records", "https://docs.oracle.com/en/java/javase/21/language/records.html"),
         ("Spring Data JPA", "https://docs.spring.io/spring-data/jpa/reference/"),
         ("JUnit 5", "https://junit.org/junit5/docs/current/user-guide/")),
        ("java.lang.NullPointerException: Cannot invoke \"String.length()\" because "
         "\"@varC@\" is null", "org.hibernate.LazyInitializationException: could not "
         "initialize proxy", "java.util.ConcurrentModificationException",
         "java.lang.OutOfMemoryError: Java heap space"),
        "camel", ("sql", "yaml", "json", "bash"),
    ),
    "c": LanguageInfo(
        "C",
        ("pointers", "malloc and free", "undefined behaviour", "struct padding", "file I/O",
         "valgrind", "header files", "function pointers", "Makefiles", "AddressSanitizer"),
        (("fgets", "https://en.cppreference.com/w/c/io/fgets"),
         ("qsort", "https://en.cppreference.com/w/c/algorithm/qsort"),
         ("malloc", "https://en.cppreference.com/w/c/memory/malloc"),
         ("the Valgrind manual", "https://valgrind.org/docs/manual/mc-manual.html")),
        ("Segmentation fault (core dumped)", "free(): double free detected in tcache 2",
         "warning: implicit declaration of function '@fn@'",
         "AddressSanitizer: heap-buffer-overflow"),
        "snake", ("bash",),
    ),
    "bash": LanguageInfo(
        "Bash",
        ("set -euo pipefail", "traps", "here documents", "parameter expansion", "xargs",
         "cron jobs", "exit codes", "shellcheck", "process substitution"),
        (("the Bash manual", "https://www.gnu.org/software/bash/manual/bash.html"),
         ("ShellCheck's wiki", "https://www.shellcheck.net/wiki/"),
         ("parameter expansion", "https://www.gnu.org/software/bash/manual/html_node/"
          "Shell-Parameter-Expansion.html")),
        ("unbound variable", "command not found", "syntax error near unexpected token 'fi'",
         "Argument list too long"),
        "snake", ("yaml", "json"),
    ),
}

MAIN_LANGUAGE_WEIGHTS = {"python": 22, "javascript": 12, "typescript": 12, "rust": 10,
                         "go": 10, "sql": 8, "java": 8, "c": 6, "bash": 6}
ALL_CODE_LANGUAGES = ("python", "rust", "javascript", "typescript", "go", "sql", "bash",
                      "json", "yaml", "c", "java")

PROJECTS = ("CLI tool", "web service", "data pipeline", "background worker", "small library",
            "Discord bot", "internal dashboard", "ETL job", "REST API", "game server",
            "static site", "sync script", "billing service", "monitoring agent")
SOURCES = ("a CSV export", "a Postgres database", "an S3 bucket", "a REST API", "Kafka",
           "a JSON file", "a message queue", "log files", "an SFTP server", "a webhook",
           "a SQLite file", "Redis")
PATTERNS = ("fan-out/fan-in", "the outbox pattern", "read-through caching", "backpressure",
            "batching", "the repository pattern", "circuit breaking", "memoization",
            "double buffering")
MODELS = ("gpt-4o", "claude-sonnet-4", "claude-opus-4", "o3", "gemini-2.5-pro", "gpt-4.1")


# --- names: placeholders filled lazily and consistently -------------------------

_MARKER = re.compile(r"@([A-Za-z]+\d*)@")
_KEY = re.compile(r"([A-Za-z]+?)(\d*)")


def plural(word: str) -> str:
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(cap(p) for p in rest)


def pascal(snake: str) -> str:
    return "".join(cap(p) for p in snake.split("_"))


@dataclass
class Topic:
    """What one conversation is about; prose and code draw their words from it."""

    lang: str
    domain: tuple[str, ...]
    """A few nouns the conversation keeps coming back to (order, invoice, ...)."""
    project: str
    source: str
    model: str

    @property
    def info(self) -> LanguageInfo:
        return LANGUAGES[self.lang]


class Fill(dict[str, str]):
    """Placeholder values for one template, made on first use and then kept.

    Keys ending in ``0`` are shared by a whole code block (the main type, the
    main collection); other numbered keys are shared by one unit (a function
    and its statements); unnumbered keys are fresh in every statement. So a
    function's statements talk about its parameters, and repeated statement
    templates still differ.
    """

    def __init__(self, rng: Random, topic: Topic, parent: Fill | None = None,
                 statement: bool = False) -> None:
        super().__init__()
        self.rng = rng
        self.topic = topic
        self.parent = parent
        self.statement = statement

    def child(self, *, statement: bool = False) -> Fill:
        return Fill(self.rng, self.topic, self, statement)

    def __missing__(self, key: str) -> str:
        match = _KEY.fullmatch(key)
        if match is None:
            raise KeyError(key)
        base, suffix = match.groups()
        if self.parent is not None and (suffix == "0" or (self.statement and suffix)):
            value = self.parent[key]
        else:
            value = self.make(base, suffix)
        self[key] = value
        return value

    # Derived keys reuse their root with the same suffix, so @field1@ and
    # @Field1@ name the same field, and @nouns@ is the plural of @noun@.
    def make(self, base: str, suffix: str) -> str:
        derived: dict[str, tuple[str, Callable[[str], str]]] = {
            "nouns": ("noun", plural), "Noun": ("noun", cap),
            "Nouns": ("noun", lambda s: cap(plural(s))),
            "fieldC": ("field", camel), "Field": ("field", pascal),
            "varC": ("var", camel), "fnC": ("fn", camel), "FnG": ("fn", pascal),
            "table": ("noun", lambda s: plural(s)), "tableid": ("noun", lambda s: s + "_id"),
            "VARS": ("noun", lambda s: plural(s).upper()),
        }
        if base in derived:
            root, func = derived[base]
            return func(self[root + suffix])
        if base in DISTINCT:  # "SET status = .., status = .." reads wrong: retry a few times
            taken = {v for k, v in self.items() if _KEY.fullmatch(k)[1] == base}  # type: ignore[index]
            value = self._make(base, suffix)
            for _ in range(6):
                if value not in taken:
                    break
                value = self._make(base, suffix)
            return value
        return self._make(base, suffix)

    def _make(self, base: str, suffix: str) -> str:
        rng, topic = self.rng, self.topic
        forms = {"verb": 0, "verbs": 1, "verbing": 2, "verbed": 3}
        if base in forms or base in ("Verb", "Verbing"):
            tuple_key = f"verbf{suffix}"
            if tuple_key not in self:
                self[tuple_key] = "|".join(rng.choice(PROSE_VERBS))
            parts = self[tuple_key].split("|")
            if base == "Verb":
                return cap(parts[0])
            if base == "Verbing":
                return cap(parts[2])
            return parts[forms[base]]
        choice = rng.choice
        if base == "noun":
            return choice(topic.domain) if rng.random() < 0.6 else choice(NOUNS)
        if base == "var":
            noun = choice(topic.domain) if rng.random() < 0.5 else choice(NOUNS)
            return choice((noun, plural(noun), f"{choice(ADJECTIVES)}_{plural(noun)}",
                           f"{noun}_{choice(('ids', 'map', 'count', 'path', 'list', 'index'))}"))
        if base == "x":
            return choice(LOOP_VARS)
        if base == "fn":
            noun = choice(topic.domain) if rng.random() < 0.5 else choice(NOUNS)
            return choice((f"{choice(VERBS)}_{noun}", f"{choice(VERBS)}_{plural(noun)}",
                           f"{choice(VERBS)}_{choice(ADJECTIVES)}_{plural(noun)}"))
        if base == "Type":
            noun = choice(topic.domain) if rng.random() < 0.6 else choice(NOUNS)
            return pascal(noun) + choice(TYPE_SUFFIXES)
        if base == "field":
            return choice(FIELDS)
        if base == "num":
            return str(choice((2, 3, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, 128)))
        if base == "big":
            return choice(("500", "1000", "2500", "10000", "50000", "100000", "250000",
                           "1000000"))
        if base == "ms":
            return str(choice((50, 100, 200, 250, 500, 750, 1000, 1500, 2000, 5000)))
        if base in ("word", "pkg"):
            return choice(NOUNS)
        if base == "str":
            return choice(STRINGS)
        if base in ("ENV", "CONST"):
            return f"{choice(NOUNS)}_{choice(('url', 'dir', 'limit', 'timeout', 'size', 'mode'))}"\
                .upper()
        if base == "Exc":
            return choice(EXCEPTIONS)
        if base == "route":
            return f"/api/v{rng.randint(1, 3)}/{plural(choice(topic.domain))}"
        if base == "host":
            return choice(HOSTS)
        if base == "port":
            return str(choice(PORTS))
        if base == "ext":
            return choice(EXTENSIONS)
        if base == "cond":
            return choice(TEST_CONDITIONS)
        if base == "Variant":
            return choice(VARIANTS)
        if base == "ctype":
            return f"{choice(topic.domain)}_t"
        if base == "Comment":
            return choice(COMMENTS)
        if base == "Doc":
            return choice(DOCSTRINGS)
        if base == "ver":
            return f"{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"
        if base == "pyt":
            return choice(("int", "str", "float", "bool", "list[str]", "dict[str, int]",
                           "datetime", "Path", "@Type0@ | None", "list[@Type0@]"))
        if base == "rst":
            return choice(("String", "u32", "u64", "i64", "f64", "bool", "Vec<String>",
                           "Option<String>", "Option<u32>", "HashMap<String, u64>",
                           "Duration", "Vec<@Type0@>"))
        if base == "gt":
            return choice(("string", "int", "int64", "float64", "bool", "[]string",
                           "time.Time", "time.Duration", "map[string]int", "[]@Type0@"))
        if base == "tst":
            return choice(("string", "number", "boolean", "string[]", "Date",
                           "Record<string, number>", "@Type0@ | null", "readonly string[]"))
        if base == "jt":
            return choice(("String", "int", "long", "double", "boolean", "List<String>",
                           "Instant", "BigDecimal", "Map<String, Integer>", "UUID"))
        if base == "cdecl":
            return choice((f"char *@field{suffix}@", f"size_t @field{suffix}@",
                           f"uint32_t @field{suffix}@", f"int64_t @field{suffix}@",
                           f"double @field{suffix}@", f"bool @field{suffix}@",
                           f"const char *@field{suffix}@", f"uint8_t @field{suffix}@[16]"))
        # prose
        if base == "tech":
            return choice(topic.info.techs)
        if base == "Lang":
            return topic.info.display
        if base == "lang":
            other = [k for k in MAIN_LANGUAGE_WEIGHTS if k != topic.lang]
            return LANGUAGES[choice(other)].display
        if base == "code":  # an identifier written the way the main language writes it
            is_function = rng.random() < 0.6
            ident = self.make("fn" if is_function else "var", "")
            if topic.info.style == "camel":
                ident = pascal(ident) if topic.lang == "go" and rng.random() < 0.5 else camel(ident)
            return ident + ("()" if is_function and rng.random() < 0.4 else "")
        if base == "adj":
            return choice(PROSE_ADJECTIVES)
        if base == "pct":
            return str(rng.randint(60, 98))
        if base == "sec":
            return str(choice((3, 4, 8, 12, 20, 45, 90)))
        if base == "pattern":
            return choice(PATTERNS)
        if base == "project":
            return topic.project
        if base == "source":
            return topic.source
        if base == "errmsg":
            return choice(topic.info.errors)
        if base == "link":
            text, url = choice(topic.info.docs)
            return f"[{text}]({url})"
        if base == "n":
            return str(rng.randint(1, 4))
        raise KeyError(base)


DISTINCT = frozenset({"noun", "field", "var", "fn", "Type", "word", "tech", "str", "num",
                      "Variant", "ENV"})
"""Bases whose numbered keys must differ from each other within one fill."""


def render(template: str, fill: Fill) -> str:
    """Replace @key@ markers; values may hold markers themselves, so repeat a few times."""
    text = template
    for _ in range(4):
        new = _MARKER.sub(lambda m: fill[m.group(1)], text)
        if new == text:
            break
        text = new
    return text


def T(text: str) -> str:
    """A template written indented in this file, dedented once at import."""
    return textwrap.dedent(text).strip("\n")


# --- code templates ----------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """A top-level piece of code: head, a body of statements, and a foot."""

    head: str
    foot: str = ""
    indent: str = "    "
    """Indentation of the body relative to the unit."""
    body: bool = True


@dataclass(frozen=True)
class CodeStyle:
    """Everything needed to write plausible code in one language."""

    headers: tuple[str, ...]
    units: tuple[Unit, ...]
    statements: tuple[str, ...]
    one_liners: tuple[str, ...]
    comment: str
    tabs: bool = False
    blank_lines: int = 1
    """Blank lines between top-level units (PEP 8 wants two)."""


PY = CodeStyle(
    headers=(
        "import json\nimport logging\nfrom collections import defaultdict\n"
        "from dataclasses import dataclass, field\nfrom pathlib import Path\n\n"
        "logger = logging.getLogger(__name__)",
        "from __future__ import annotations\n\nimport asyncio\nimport time\n"
        "from collections.abc import Iterable",
        "import sqlite3\nfrom datetime import datetime, timezone\n"
        "from typing import Iterator",
        "import re\nimport time\n\nimport httpx",
    ),
    units=(
        Unit(T('''
            def @fn1@(@var0@: list[@Type0@], limit: int = @num1@) -> @pyt1@:
                """@Doc@."""
            '''), "    return @var1@"),
        Unit(T('''
            @dataclass
            class @Type0@:
                @field1@: @pyt1@
                @field2@: @pyt2@
                @field3@: list[str] = field(default_factory=list)

                def @fn1@(self) -> @pyt3@:
            '''), "        return self.@field1@", indent="        "),
        Unit(T('''
            class @Type1@:
                """@Doc@."""

                def __init__(self, @var1@: @pyt1@, *, retries: int = @num1@) -> None:
                    self.@var1@ = @var1@
                    self.retries = retries
                    self._cache: dict[str, @Type0@] = {}

                def @fn1@(self, @var0@: Iterable[@Type0@]) -> int:
            '''), "        return len(self._cache)", indent="        "),
        Unit(T('''
            async def @fn1@(client: httpx.AsyncClient, @var0@: list[str]) -> list[dict]:
                """@Doc@."""
                semaphore = asyncio.Semaphore(@num1@)
            '''), "    return results"),
        Unit(T('''
            def test_@fn1@_@cond1@(tmp_path):
                @var0@ = [@Type0@(@field1@=@num1@), @Type0@(@field1@=@num2@)]
            '''), "    assert result == expected"),
        Unit(T('''
            if __name__ == "__main__":
                logging.basicConfig(level=logging.INFO)
            ''')),
    ),
    statements=(
        T("""
            @var@ = defaultdict(list)
            for @x@ in @var0@:
                @var@[@x@.@field@].append(@x@)
            """),
        T("""
            if not @var0@:
                raise @Exc@("no @nouns@ to @verb@")
            """),
        T("""
            try:
                @var@ = @fn@(@var0@)
            except @Exc@ as exc:
                logger.warning("@verb@ failed for %s: %s", @var0@, exc)
                @var@ = None
            """),
        "@var@ = [@x@ for @x@ in @var0@ if @x@.@field@ > @num@]",
        "@var@ = sum(@x@.@field@ for @x@ in @var0@)",
        T("""
            with open(@var@, encoding="utf-8") as fh:
                for line in fh:
                    if not line.strip() or line.startswith("#"):
                        continue
                    @var2@.append(line.rstrip("\\n"))
            """),
        T("""
            start = time.perf_counter()
            @var@ = @fn@(@var0@)
            logger.info("@verb@ took %.2f s", time.perf_counter() - start)
            """),
        T("""
            # @Comment@
            @var@ = sorted(@var0@, key=lambda @x@: (@x@.@field@, @x@.@field2@))
            """),
        T("""
            for attempt in range(@num@):
                try:
                    return @fn@(@var0@)
                except TimeoutError:
                    time.sleep(2 ** attempt)
            """),
        T("""
            if @var1@.@field@ is None:
                @var1@.@field@ = "@str@"
            """),
        T("""
            @var@ = {
                "@field@": @var1@.@field@,
                "@field2@": @num@,
                "@field3@": [@x@.@field@ for @x@ in @var0@],
            }
            """),
        T("""
            async with semaphore:
                response = await client.get(f"https://@host@@route@/{@var1@}")
                response.raise_for_status()
            """),
        T("""
            while @var@ and len(@var2@) < @num@:
                @var2@.append(@var@.pop())
            """),
        T("""
            with sqlite3.connect(@var@) as conn:
                rows = conn.execute(
                    "SELECT @field@, @field2@ FROM @table@ WHERE @field3@ = ?", (@var1@,)
                ).fetchall()
            """),
        "assert @fn@(@var0@) == @num@",
    ),
    one_liners=("@var@ = @fn@(@var0@)", "@var@ = json.loads(Path(\"@word@.json\").read_text())",
                "logger.debug(\"@verb@ %d @nouns@\", len(@var0@))", "@var@ = set()",
                "@var@ += 1", "@var@ = {@x@.@field@: @x@ for @x@ in @var0@}",
                "result = @fn@(@var0@)"),
    comment="# ",
    blank_lines=2,
)

RUST = CodeStyle(
    headers=(
        "use std::collections::HashMap;\nuse std::time::{Duration, Instant};\n\n"
        "use anyhow::{Context, Result};\nuse serde::{Deserialize, Serialize};",
        "use std::sync::{Arc, Mutex};\n\nuse tokio::sync::mpsc;",
        "use std::fs;\nuse std::io::{self, BufRead};\nuse std::path::Path;",
    ),
    units=(
        Unit(T("""
            #[derive(Debug, Clone, Default, Serialize, Deserialize)]
            pub struct @Type0@ {
                pub @field1@: @rst1@,
                pub @field2@: @rst2@,
                pub @field3@: @rst3@,
            }
            """), body=False),
        Unit(T("""
            pub fn @fn1@(@var0@: &[@Type0@]) -> Result<Vec<@Type0@>> {
            """), "    Ok(@var1@)\n}"),
        Unit(T("""
            impl @Type0@ {
                pub fn new(@field1@: @rst1@) -> Self {
                    Self { @field1@, ..Default::default() }
                }

                pub fn @fn1@(&mut self, @var0@: &[@Type0@]) -> Result<usize> {
            """), "        Ok(@var0@.len())\n    }\n}", indent="        "),
        Unit(T("""
            #[derive(Debug, PartialEq, Eq)]
            enum @Type1@ {
                @Variant1@,
                @Variant2@(u32),
                @Variant3@ { @field1@: String },
            }

            impl @Type1@ {
                fn as_str(&self) -> &'static str {
                    match self {
                        Self::@Variant1@ => "@word1@",
                        Self::@Variant2@(_) => "@word2@",
                        Self::@Variant3@ { .. } => "@word3@",
                    }
                }
            }
            """), body=False),
        Unit(T("""
            #[cfg(test)]
            mod tests {
                use super::*;

                #[test]
                fn @fn1@_@cond1@() {
                    let @var0@ = vec![@Type0@::default(); @num1@];
            """), "        assert_eq!(@var0@.len(), @num1@);\n    }\n}", indent="        "),
        Unit(T("""
            #[tokio::main]
            async fn main() -> Result<()> {
                let (tx, mut rx) = mpsc::channel::<@Type0@>(@num1@);
            """), "    Ok(())\n}"),
    ),
    statements=(
        T("""
            let mut @var@: HashMap<String, Vec<@Type0@>> = HashMap::new();
            for @x@ in @var0@ {
                @var@.entry(@x@.@field@.clone()).or_default().push(@x@.clone());
            }
            """),
        T("""
            let @var@ = @var0@
                .iter()
                .filter(|@x@| @x@.@field@ > @num@)
                .map(|@x@| @x@.@field2@.clone())
                .collect::<Vec<_>>();
            """),
        T("""
            if @var0@.is_empty() {
                return Err(anyhow::anyhow!("no @nouns@ to @verb@"));
            }
            """),
        T("""
            let @var@ = fs::read_to_string(&@var2@)
                .with_context(|| format!("reading {}", @var2@.display()))?;
            """),
        T("""
            let start = Instant::now();
            let @var@ = @fn@(&@var0@)?;
            log::info!("@verb@ took {:?}", start.elapsed());
            """),
        T("""
            // @Comment@
            let @var@ = Arc::new(Mutex::new(Vec::with_capacity(@num@)));
            """),
        T("""
            match @fn@(&@var0@) {
                Ok(@x@) => @var@.push(@x@),
                Err(e) => eprintln!("@verb@ failed: {e}"),
            }
            """),
        T("""
            for (i, @x@) in @var0@.iter().enumerate() {
                if i % @num@ == 0 {
                    tokio::time::sleep(Duration::from_millis(@ms@)).await;
                }
                tx.send(@x@.clone()).await?;
            }
            """),
        T("""
            let Some(@var@) = @var0@.first() else {
                return Ok(Vec::new());
            };
            """),
        T("""
            while let Some(@x@) = rx.recv().await {
                @var@.insert(@x@.@field@.clone(), @x@);
            }
            """),
        T("""
            let reader = io::BufReader::new(fs::File::open(Path::new("@word@.@ext@"))?);
            for line in reader.lines() {
                let line = line?;
                if line.starts_with('#') {
                    continue;
                }
                @var@.push(line);
            }
            """),
    ),
    one_liners=("let total: u64 = @var0@.iter().map(|@x@| @x@.@field@ as u64).sum();",
                "let @var@ = @fn@(&@var0@)?;", "@var@.sort_by_key(|@x@| @x@.@field@);",
                "let mut @var@ = Vec::new();", "@var@.dedup();",
                "debug_assert!(!@var0@.is_empty());"),
    comment="// ",
)

GO = CodeStyle(
    headers=(
        'package @pkg@\n\nimport (\n    "context"\n    "fmt"\n    "log"\n    "sort"\n'
        '    "sync"\n    "time"\n)',
        'package main\n\nimport (\n    "encoding/json"\n    "errors"\n    "fmt"\n'
        '    "net/http"\n    "os"\n)',
        'package @pkg@\n\nimport (\n    "testing"\n)',
    ),
    units=(
        Unit(T("""
            type @Type0@ struct {
                @Field1@ @gt1@ `json:"@field1@"`
                @Field2@ @gt2@ `json:"@field2@"`
                @Field3@ @gt3@ `json:"@field3@,omitempty"`
                mu       sync.Mutex
            }
            """), body=False),
        Unit(T("""
            func @FnG1@(ctx context.Context, @varC0@ []@Type0@) ([]@Type0@, error) {
            """), "    return @varC0@, nil\n}"),
        Unit(T("""
            func (s *@Type1@) @FnG1@(@varC1@ string) error {
            """), "    return nil\n}"),
        Unit(T("""
            func @fnC1@(jobs <-chan @Type0@, results chan<- @Type1@, wg *sync.WaitGroup) {
                defer wg.Done()
                for job := range jobs {
            """), "    }\n}", indent="        "),
        Unit(T("""
            func main() {
                ctx := context.Background()
            """), "}"),
        Unit(T("""
            func Test@FnG1@(t *testing.T) {
                tests := []struct {
                    name string
                    in   int
                    want int
                }{
                    {"@word1@", @num1@, @num2@},
                    {"@word2@", @num3@, @num4@},
                }
                for _, tt := range tests {
                    t.Run(tt.name, func(t *testing.T) {
                        if got := @fnC1@(tt.in); got != tt.want {
                            t.Errorf("@fnC1@(%d) = %d, want %d", tt.in, got, tt.want)
                        }
                    })
                }
            }
            """), body=False),
    ),
    statements=(
        T("""
            if len(@varC0@) == 0 {
                return nil, fmt.Errorf("no @nouns@ to @verb@")
            }
            """),
        T("""
            @varC@, err := @fnC@(ctx, @varC0@)
            if err != nil {
                return nil, fmt.Errorf("@verb@ @noun@: %w", err)
            }
            """),
        T("""
            @varC@ := make(map[string][]@Type0@, len(@varC0@))
            for _, @x@ := range @varC0@ {
                @varC@[@x@.@Field@] = append(@varC@[@x@.@Field@], @x@)
            }
            """),
        T("""
            ctx, cancel := context.WithTimeout(ctx, @num@*time.Second)
            defer cancel()
            """),
        T("""
            var wg sync.WaitGroup
            for i := 0; i < @num@; i++ {
                wg.Add(1)
                go func(id int) {
                    defer wg.Done()
                    log.Printf("worker %d: @verbing@ @nouns@", id)
                }(i)
            }
            wg.Wait()
            """),
        T("""
            select {
            case <-ctx.Done():
                return nil, ctx.Err()
            case @x@ := <-@varC@:
                @varC2@ = append(@varC2@, @x@)
            }
            """),
        T("""
            // @Comment@
            sort.Slice(@varC0@, func(i, j int) bool {
                return @varC0@[i].@Field@ < @varC0@[j].@Field@
            })
            """),
        T("""
            s.mu.Lock()
            defer s.mu.Unlock()
            s.@fieldC@[@varC1@] = time.Now()
            """),
        T("""
            start := time.Now()
            @varC@ := @fnC@(@varC0@)
            log.Printf("@verb@ took %s", time.Since(start))
            """),
        T("""
            data, err := json.Marshal(@varC0@)
            if err != nil {
                return fmt.Errorf("encode @nouns@: %w", err)
            }
            """),
        T("""
            resp, err := http.Get("http://@host@:@port@@route@")
            if err != nil {
                return err
            }
            defer resp.Body.Close()
            """),
        T("""
            if errors.Is(err, os.ErrNotExist) {
                log.Printf("no @noun@ file yet, starting empty")
                return nil
            }
            """),
    ),
    one_liners=("@varC@ := len(@varC0@)", "results <- @Type1@{@Field@: job.@Field@}",
                "log.Printf(\"@verbing@ %d @nouns@\", len(@varC0@))", "var @varC@ []string",
                "@varC@++", "defer close(results)"),
    comment="// ",
    tabs=True,
)

JS = CodeStyle(
    headers=(
        'import fs from "node:fs/promises";\nimport path from "node:path";',
        'import express from "express";\n\nconst app = express();\napp.use(express.json());',
        'import { describe, expect, it } from "vitest";\nimport { @fnC0@ } from "./@word@.js";',
        'const BASE_URL = process.env.@ENV@ ?? "https://@host@";',
    ),
    units=(
        Unit(T("""
            export async function @fnC1@(@varC0@, { limit = @num1@ } = {}) {
            """), "  return @varC0@;\n}", indent="  "),
        Unit(T("""
            export class @Type1@ {
              constructor(@varC1@) {
                this.@varC1@ = @varC1@;
                this.cache = new Map();
              }

              @fnC1@(@varC0@) {
            """), "    return this.cache.size;\n  }\n}", indent="    "),
        Unit(T("""
            const @fnC1@ = (@varC0@) =>
              @varC0@
                .filter((@x@) => @x@.@fieldC1@ > @num1@)
                .map((@x@) => ({ ...@x@, @fieldC2@: @x@.@fieldC2@ ?? "@str@" }));
            """), body=False),
        Unit(T("""
            app.get("@route1@", async (req, res) => {
            """), "  res.json(@varC0@);\n});", indent="  "),
        Unit(T("""
            describe("@fnC0@", () => {
              it("@verbs1@ @nouns1@ in order", async () => {
            """), "    expect(result).toHaveLength(@num1@);\n  });\n});", indent="    "),
    ),
    statements=(
        T("""
            const @varC@ = await fetch(`${BASE_URL}@route@?limit=@num@`);
            if (!@varC@.ok) {
              throw new Error(`@verb@ failed: ${@varC@.status}`);
            }
            """),
        T("""
            const @varC@ = new Map();
            for (const @x@ of @varC0@) {
              const key = @x@.@fieldC@;
              @varC@.set(key, [...(@varC@.get(key) ?? []), @x@]);
            }
            """),
        T("""
            try {
              await @fnC@(@varC0@);
            } catch (err) {
              console.error("@verb@ failed", err);
              throw err;
            }
            """),
        "const @varC@ = @varC0@.reduce((acc, @x@) => acc + @x@.@fieldC@, 0);",
        T("""
            // @Comment@
            const { @fieldC@, @fieldC2@ = @num@ } = @varC0@;
            """),
        T("""
            const @varC@ = await Promise.all(
              @varC0@.map(async (@x@) => {
                const res = await @fnC@(@x@.@fieldC@);
                return { ...@x@, res };
              }),
            );
            """),
        T("""
            if (@varC0@.length === 0) {
              return [];
            }
            """),
        'const @varC@ = JSON.parse(await fs.readFile(path.join("data", "@word@.json"), "utf8"));',
        T("""
            for (let i = 0; i < @varC0@.length; i += @num@) {
              const batch = @varC0@.slice(i, i + @num@);
              await @fnC@(batch);
            }
            """),
        T("""
            const controller = new AbortController();
            const timer = setTimeout(() => controller.abort(), @ms@);
            """),
        T("""
            const result = await @fnC0@([
              { @fieldC@: "@str@", @fieldC2@: @num@ },
              { @fieldC@: "@str2@", @fieldC2@: @num2@ },
            ]);
            """),
    ),
    one_liners=("const @varC@ = @fnC@(@varC0@);", "console.log(`@verbed@ ${@varC0@.length}`);",
                "let @varC@ = 0;", "@varC@.sort((a, b) => a.@fieldC@ - b.@fieldC@);",
                "this.cache.set(@varC0@.id, @varC0@);", "const @varC@ = new Set();"),
    comment="// ",
)

TS = CodeStyle(
    headers=(
        'import { z } from "zod";\nimport type { @Type0@ } from "./types";',
        'import { readFile } from "node:fs/promises";',
        'export type Id = string & { readonly __brand: "Id" };',
    ),
    units=(
        Unit(T("""
            export interface @Type0@ {
              @fieldC1@: @tst1@;
              @fieldC2@: @tst2@;
              @fieldC3@?: @tst3@;
              readonly @fieldC4@: string;
            }
            """), body=False),
        Unit(T("""
            type @Type1@ =
              | { kind: "@word1@"; @fieldC1@: string }
              | { kind: "@word2@"; @fieldC2@: number }
              | { kind: "@word3@" };
            """), body=False),
        Unit(T("""
            export async function @fnC1@(
              @varC0@: @Type0@[],
              options: { limit?: number; signal?: AbortSignal } = {},
            ): Promise<Map<string, @Type0@[]>> {
            """), "  return new Map();\n}", indent="  "),
        Unit(T("""
            export class @Type1@<T extends { id: string }> {
              private readonly items = new Map<string, T>();

              constructor(private readonly @varC1@: @tst1@) {}

              @fnC1@(item: T): void {
            """), "  }\n}", indent="    "),
        Unit(T("""
            function describe@Type1@(@x1@: @Type1@): string {
              switch (@x1@.kind) {
            """), "    default:\n      return assertNever(@x1@);\n  }\n}", indent="    "),
        Unit(T("""
            export const @varC1@Schema = z.object({
              @fieldC1@: z.string().min(1),
              @fieldC2@: z.number().int().nonnegative(),
              @fieldC3@: z.coerce.date().optional(),
            });
            export type @Type1@ = z.infer<typeof @varC1@Schema>;
            """), body=False),
    ),
    statements=(
        T("""
            const @varC@: Record<string, number> = {};
            for (const @x@ of @varC0@) {
              @varC@[@x@.@fieldC@] = (@varC@[@x@.@fieldC@] ?? 0) + 1;
            }
            """),
        T("""
            if (!@varC0@.length) {
              throw new Error("no @nouns@ to @verb@");
            }
            """),
        T("""
            case "@word@":
              return `${@x1@.@fieldC@}`;
            """),
        "const @varC@ = @varC0@ as unknown as @Type0@[];",
        T("""
            const @varC@ = await Promise.allSettled(@varC0@.map((@x@) => @fnC@(@x@)));
            const failed = @varC@.filter((r) => r.status === "rejected");
            """),
        T("""
            // @Comment@
            const @varC@ = new Map<string, @Type0@>(@varC0@.map((@x@) => [@x@.@fieldC@, @x@]));
            """),
        T("""
            if (this.items.has(item.id)) {
              return;
            }
            this.items.set(item.id, item);
            """),
        T("""
            const raw = JSON.parse(await readFile("@word@.json", "utf8")) as unknown;
            const parsed = @varC1@Schema.safeParse(raw);
            if (!parsed.success) {
              console.error(parsed.error.flatten());
            }
            """),
        T("""
            for (const [key, group] of Object.entries(@varC@)) {
              console.log(`${key}: ${group.length} @nouns@`);
            }
            """),
    ),
    one_liners=("const @varC@ = options.limit ?? @num@;", "options.signal?.throwIfAborted();",
                "const @varC@: @tst@ = @fnC@(@varC0@);", "let @varC@: string[] = [];",
                "void @fnC@(@varC0@);"),
    comment="// ",
)

SQL_UNITS = (
    T("""
        CREATE TABLE @table1@ (
            id          BIGSERIAL PRIMARY KEY,
            @field1@    TEXT NOT NULL,
            @field2@    INTEGER NOT NULL DEFAULT 0,
            @field3@    TIMESTAMPTZ NOT NULL DEFAULT now(),
            @tableid2@  BIGINT REFERENCES @table2@ (id) ON DELETE CASCADE,
            UNIQUE (@field1@, @tableid2@)
        );
        """),
    "CREATE INDEX CONCURRENTLY idx_@table1@_@field1@ ON @table1@ (@field1@, @field2@ DESC);",
    T("""
        SELECT
            a.@field1@,
            count(*)            AS @nouns1@,
            sum(b.@field2@)     AS total_@field2@,
            max(b.@field3@)     AS last_@field3@
        FROM @table1@ AS a
        JOIN @table2@ AS b ON b.@tableid1@ = a.id
        WHERE a.@field3@ >= now() - interval '@num1@ days'
          AND b.@field2@ > @num2@
        GROUP BY a.@field1@
        HAVING count(*) > @num3@
        ORDER BY total_@field2@ DESC
        LIMIT @num4@;
        """),
    T("""
        WITH ranked AS (
            SELECT
                @field1@,
                @field2@,
                row_number() OVER (PARTITION BY @field1@ ORDER BY @field3@ DESC) AS rn,
                lag(@field2@) OVER (PARTITION BY @field1@ ORDER BY @field3@) AS prev_@field2@
            FROM @table1@
        )
        SELECT @field1@, @field2@, @field2@ - prev_@field2@ AS delta
        FROM ranked
        WHERE rn <= @num1@;
        """),
    T("""
        INSERT INTO @table1@ (@field1@, @field2@, @field3@)
        VALUES ('@word1@', @num1@, now()),
               ('@word2@', @num2@, now())
        ON CONFLICT (@field1@) DO UPDATE
        SET @field2@ = EXCLUDED.@field2@,
            @field3@ = EXCLUDED.@field3@;
        """),
    T("""
        BEGIN;
        UPDATE @table1@
        SET @field1@ = '@str1@', @field2@ = @field2@ + 1
        WHERE id IN (
            SELECT id FROM @table1@
            WHERE @field1@ = '@str2@'
            ORDER BY @field3@
            LIMIT @num1@
            FOR UPDATE SKIP LOCKED
        );
        COMMIT;
        """),
    T("""
        -- @Comment@
        DELETE FROM @table1@
        WHERE @field3@ < now() - interval '@num1@ days'
          AND NOT EXISTS (
              SELECT 1 FROM @table2@ AS b WHERE b.@tableid1@ = @table1@.id
          );
        """),
    T("""
        EXPLAIN (ANALYZE, BUFFERS)
        SELECT *
        FROM @table1@
        WHERE @field1@ = '@str1@'
        ORDER BY @field2@ DESC
        LIMIT @num1@;
        """),
    T("""
        CREATE MATERIALIZED VIEW @table1@_daily AS
        SELECT date_trunc('day', @field3@) AS day,
               @field1@,
               count(*) AS n,
               avg(@field2@)::numeric(10, 2) AS avg_@field2@
        FROM @table1@
        GROUP BY 1, 2;
        """),
    "ALTER TABLE @table1@ ADD COLUMN @field1@ TEXT NOT NULL DEFAULT '@str1@';",
)

BASH = CodeStyle(
    headers=(
        "#!/usr/bin/env bash\nset -euo pipefail\n\n"
        "readonly @ENV1@=\"${@ENV1@:-@word1@}\"\nreadonly LOG_DIR=\"${LOG_DIR:-/var/log/@pkg@}\"",
        "#!/usr/bin/env bash\nset -euo pipefail\nIFS=$'\\n\\t'\n\n"
        "tmp=\"$(mktemp -d)\"\ntrap 'rm -rf \"$tmp\"' EXIT",
        "#!/bin/bash\n# @Comment@\nset -eu",
    ),
    units=(
        Unit(T("""
            log() {
              printf '%s %s\\n' "$(date -u +%FT%TZ)" "$*" >&2
            }
            """), body=False),
        Unit(T("""
            @fn1@() {
              local @var1@="$1"
            """), "}", indent="  "),
        Unit(T("""
            for @var1@ in "${@VARS1@[@]}"; do
            """), "done", indent="  "),
        Unit(T("""
            case "${1:-}" in
              @word1@)
                @fn1@ "${@:2}"
                ;;
              @word2@)
                @fn2@
                ;;
              *)
                echo "usage: $0 {@word1@|@word2@}" >&2
                exit 2
                ;;
            esac
            """), body=False),
        Unit(T("""
            if [[ -n "${CI:-}" ]]; then
            """), "fi", indent="  "),
    ),
    statements=(
        T("""
            if [[ ! -f "$@var1@" ]]; then
              echo "missing $@var1@" >&2
              exit 1
            fi
            """),
        'curl -fsSL --retry @num@ "https://@host@@route@" -o "$tmp/@word@.json"',
        'find "$@var1@" -name "*.@ext@" -mtime +@num@ -print0 | xargs -0 rm -f',
        'docker compose -f "$@var1@/compose.yaml" up -d --wait',
        'jq -r ".@fieldC@[] | select(.@fieldC2@ > @num@) | .id" "$tmp/@word@.json" | sort -u',
        'log "@verbing@ @nouns@ (${#@VARS1@[@]} items)"',
        'tar -czf "@word@-$(date +%Y%m%d).tar.gz" -C "$@var1@" .',
        'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -c "VACUUM ANALYZE @table@;"',
        T("""
            for i in $(seq 1 @num@); do
              if @fn1@ "$@var1@"; then
                break
              fi
              sleep $((i * 2))
            done
            """),
        T("""
            while IFS=, read -r @field@ @field2@ _; do
              echo "$@field@ -> $@field2@"
            done < "$@var1@"
            """),
        'git -C "$@var1@" fetch --quiet origin && git -C "$@var1@" rev-parse --short HEAD',
        'rsync -az --delete "$@var1@/" "deploy@@host@:/srv/@pkg@/"',
        T("""
            cat > "$tmp/@word@.conf" <<EOF
            host=@host@
            port=@port@
            EOF
            """),
    ),
    one_liners=('echo "@verbing@ $@var1@"', 'mkdir -p "$LOG_DIR"', 'count=$((count + 1))',
                'export @ENV@=@num@', 'cd "$(dirname "$0")"', 'ls -lh "$tmp"'),
    comment="# ",
)

C_STYLE = CodeStyle(
    headers=(
        "#include <errno.h>\n#include <stdint.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
        "#include <string.h>",
        "#include <stdbool.h>\n#include <stddef.h>\n\n#define @CONST1@ @num1@",
        '#include "@pkg@.h"\n\n#include <assert.h>\n#include <stdio.h>',
    ),
    units=(
        Unit(T("""
            typedef struct {
                @cdecl1@;
                @cdecl2@;
                @cdecl3@;
            } @ctype0@;
            """), body=False),
        Unit(T("""
            static int @fn1@(@ctype0@ *@var0@, size_t n)
            {
            """), "    return 0;\n}"),
        Unit(T("""
            int main(int argc, char **argv)
            {
                if (argc < 2) {
                    fprintf(stderr, "usage: %s FILE\\n", argv[0]);
                    return 2;
                }
            """), "    return EXIT_SUCCESS;\n}"),
        Unit(T("""
            static int compare_@word1@(const void *a, const void *b)
            {
                const @ctype0@ *x = a, *y = b;
                return (x->@field1@ > y->@field1@) - (x->@field1@ < y->@field1@);
            }
            """), body=False),
    ),
    statements=(
        T("""
            if (@var0@ == NULL) {
                errno = EINVAL;
                return -1;
            }
            """),
        T("""
            for (size_t i = 0; i < n; i++) {
                @var@ += @var0@[i].@field@;
            }
            """),
        T("""
            char *@var@ = malloc(@num@ * sizeof(*@var@));
            if (!@var@) {
                perror("malloc");
                return -1;
            }
            """),
        T("""
            FILE *fp = fopen(argv[1], "r");
            if (fp == NULL) {
                fprintf(stderr, "cannot open %s: %s\\n", argv[1], strerror(errno));
                return 1;
            }
            """),
        "memcpy(@var@, @var0@->@field@, sizeof(@var0@->@field@));",
        T("""
            char line[256];
            while (fgets(line, sizeof line, fp) != NULL) {
                line[strcspn(line, "\\n")] = '\\0';
                @var@++;
            }
            """),
        T("""
            /* @Comment@ */
            qsort(@var0@, n, sizeof(*@var0@), compare_@word@);
            """),
        T("""
            uint64_t hash = 1469598103934665603ULL;
            for (const char *p = @var@; *p; p++) {
                hash ^= (unsigned char)*p;
                hash *= 1099511628211ULL;
            }
            """),
        T("""
            free(@var@);
            @var@ = NULL;
            """),
        T("""
            switch (@var0@->@field@) {
            case @CONST@:
                return @num@;
            default:
                break;
            }
            """),
    ),
    one_liners=("size_t @var@ = 0;", "assert(@var0@ != NULL);", "fclose(fp);",
                "printf(\"%zu @nouns@\\n\", @var@);", "@var0@[i].@field@ = 0;"),
    comment="// ",
)

JAVA = CodeStyle(
    headers=(
        "package com.example.@pkg@;\n\nimport java.time.Instant;\nimport java.util.List;\n"
        "import java.util.Map;\nimport java.util.stream.Collectors;",
        "package com.example.@pkg@;\n\nimport org.springframework.stereotype.Service;\n"
        "import org.slf4j.Logger;\nimport org.slf4j.LoggerFactory;",
        "import static org.junit.jupiter.api.Assertions.assertEquals;\n\n"
        "import org.junit.jupiter.api.Test;",
    ),
    units=(
        Unit("public record @Type0@(String @fieldC1@, @jt2@ @fieldC2@, Instant @fieldC3@) {}",
             body=False),
        Unit(T("""
            @Service
            public class @Type1@Service {
                private static final Logger log = LoggerFactory.getLogger(@Type1@Service.class);
                private final @Type0@Repository repository;

                public @Type1@Service(@Type0@Repository repository) {
                    this.repository = repository;
                }

                public List<@Type0@> @fnC1@(String @varC0@) {
            """), "        return result;\n    }\n}", indent="        "),
        Unit(T("""
            public interface @Type0@Repository extends JpaRepository<@Type0@, Long> {
                List<@Type0@> findBy@Field1@(String @fieldC1@);

                @Query("select x from @Type0@ x where x.@fieldC2@ > :min")
                List<@Type0@> findAbove(@Param("min") int min);
            }
            """), body=False),
        Unit(T("""
            class @Type1@Test {
                @Test
                void @fnC1@Returns@Noun1@s() {
                    var service = new @Type1@Service(new InMemory@Type0@Repository());
            """), "        assertEquals(@num1@, result.size());\n    }\n}", indent="        "),
        Unit(T("""
            public static void main(String[] args) throws Exception {
            """), "}"),
    ),
    statements=(
        T("""
            var result = repository.findAll().stream()
                    .filter(@x@ -> @x@.@fieldC@() > @num@)
                    .sorted(Comparator.comparing(@Type0@::@fieldC2@))
                    .toList();
            """),
        T("""
            if (@varC0@ == null || @varC0@.isBlank()) {
                throw new IllegalArgumentException("@fieldC@ must not be empty");
            }
            """),
        T("""
            Map<String, List<@Type0@>> @varC@ = result.stream()
                    .collect(Collectors.groupingBy(@Type0@::@fieldC@));
            """),
        T("""
            try (var reader = Files.newBufferedReader(Path.of("@word@.@ext@"))) {
                reader.lines().forEach(line -> @varC@.add(line.strip()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            """),
        "log.info(\"@verbed@ {} @nouns@ in {} ms\", result.size(), elapsed);",
        T("""
            // @Comment@
            try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
                var futures = result.stream()
                        .map(@x@ -> executor.submit(() -> @fnC@(@x@)))
                        .toList();
            }
            """),
        T("""
            for (var @x@ : result) {
                @varC@.merge(@x@.@fieldC@(), 1, Integer::sum);
            }
            """),
        T("""
            Optional<@Type0@> @varC@ = repository.findById(@num@L);
            if (@varC@.isEmpty()) {
                return List.of();
            }
            """),
        T("""
            long start = System.nanoTime();
            var result = @fnC@(@varC0@);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            """),
    ),
    one_liners=("var result = service.@fnC1@(\"@str@\");", "var @varC@ = new ArrayList<String>();",
                "Objects.requireNonNull(@varC0@, \"@varC0@\");", "int @varC@ = 0;",
                "var result = List.of(@num@, @num2@);"),
    comment="// ",
)

CODE_STYLES: dict[str, CodeStyle] = {"python": PY, "rust": RUST, "go": GO, "javascript": JS,
                                     "typescript": TS, "bash": BASH, "c": C_STYLE,
                                     "java": JAVA}


def _indent(lines: list[str], prefix: str) -> list[str]:
    return [prefix + line if line else "" for line in lines]


def _statements(rng: Random, style: CodeStyle, unit_fill: Fill, budget: int) -> list[str]:
    """Statements for a body of at most ``budget`` lines (at least one line)."""
    body: list[str] = []
    seen: set[str] = set()
    misses = 0
    while len(body) < budget and misses < 6:
        pool = style.statements if rng.random() < 0.75 else style.one_liners
        text = render(rng.choice(pool), unit_fill.child(statement=True))
        lines = text.split("\n")
        gap = 1 if body and len(lines) > 1 and rng.random() < 0.35 else 0
        if len(body) + gap + len(lines) > budget or text in seen:
            misses += 1
            continue
        seen.add(text)
        body.extend([""] * gap + lines)
    if not body:
        body.append(render(rng.choice(style.one_liners), unit_fill.child(statement=True)))
    return body


def _unit(rng: Random, style: CodeStyle, unit: Unit, block_fill: Fill,
          budget: int) -> list[str] | None:
    fill = block_fill.child()
    head = render(unit.head, fill).split("\n")
    foot = render(unit.foot, fill).split("\n") if unit.foot else []
    if not unit.body:
        return head if len(head) <= budget else None
    room = budget - len(head) - len(foot)
    if room < 1:
        return None
    size = min(room, rng.randint(3, 16))
    body = _indent(_statements(rng, style, fill, size), unit.indent)
    return head + body + foot


def styled_code(rng: Random, style: CodeStyle, fill: Fill, target: int) -> list[str]:
    """Header, then units until ``target`` lines; a unit is used at most twice (fixed ones once)."""
    lines = render(rng.choice(style.headers), fill).split("\n") if rng.random() < 0.7 else []
    gap = [""] * style.blank_lines
    uses: Counter[int] = Counter()
    misses = 0
    while misses < 8:
        room = target - len(lines) - (len(gap) if lines else 0)
        if room < 2:
            break
        index = rng.randrange(len(style.units))
        unit = style.units[index]
        if uses[index] >= (2 if unit.body else 1):
            misses += 1
            continue
        comment = []
        if rng.random() < 0.12:
            comment = [style.comment + render("@Comment@", fill.child())]
        unit_lines = _unit(rng, style, unit, fill, room - len(comment))
        if unit_lines is None:
            misses += 1
            continue
        uses[index] += 1
        if lines:
            lines.extend(gap)
        lines.extend(comment + unit_lines)
    return lines


def sql_code(rng: Random, fill: Fill, target: int) -> list[str]:
    lines: list[str] = []
    unused = list(SQL_UNITS)
    misses = 0
    while misses < 8 and unused:
        room = target - len(lines) - (1 if lines else 0)
        if room < 1:
            break
        template = rng.choice(unused)
        unit = render(template, fill.child()).split("\n")
        if len(unit) > room:
            misses += 1
            continue
        unused.remove(template)
        if lines:
            lines.append("")
        lines.extend(unit)
    return lines


def _json_scalar(rng: Random, key: str, fill: Fill) -> object:
    if key == "id":
        return rng.randint(1000, 999999)
    if key in ("created_at", "updated_at", "deadline"):
        day = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 600000))
        return day.strftime("%Y-%m-%dT%H:%M:%SZ")
    if key in ("total", "amount", "score", "weight"):
        return round(rng.uniform(0, 5000), 2)
    if key in ("count", "attempts", "retries", "size", "priority", "timeout_ms", "version"):
        return rng.randint(0, 5000)
    if key == "enabled":
        return rng.random() < 0.5
    if key == "email":
        return f"{rng.choice(NOUNS)}.{rng.choice(NOUNS)}@example.com"
    if key in ("parent_id", "owner_id"):
        return None if rng.random() < 0.2 else rng.randint(1, 9999)
    if key == "path":
        return f"/srv/{rng.choice(NOUNS)}/{rng.choice(NOUNS)}.{rng.choice(EXTENSIONS)}"
    if key == "checksum":
        return "sha256:" + "".join(rng.choice("0123456789abcdef") for _ in range(24))
    return render("@str@", fill.child()) if rng.random() < 0.5 else rng.choice(NOUNS)


def json_code(rng: Random, fill: Fill, target: int) -> list[str]:
    """A JSON document (API response, package.json or config) grown to about ``target`` lines."""
    kind = rng.choice(("api", "package", "config"))
    doc: dict[str, object]
    grow: Callable[[], None]
    if kind == "api":
        items: list[object] = []
        doc = {"data": items, "meta": {"page": 1, "per_page": int(fill["num"]),
                                       "total": int(fill["big"])}}

        def grow() -> None:
            keys = rng.sample(FIELDS, rng.randint(3, 6))
            items.append({k: _json_scalar(rng, k, fill) for k in ["id", *keys] if k})
    elif kind == "package":
        deps: dict[str, str] = {}
        doc = {"name": f"@{fill['word']}/{fill['word2']}", "version": fill["ver"],
               "private": True, "type": "module",
               "scripts": {"build": "tsc -p .", "test": "vitest run", "lint": "eslint ."},
               "dependencies": deps}
        packages = ("express", "zod", "pino", "undici", "dotenv", "kysely", "pg", "ioredis",
                    "date-fns", "lodash-es", "commander", "chalk", "yaml", "fastify", "vitest",
                    "typescript", "eslint", "prettier", "tsx", "@types/node")

        def grow() -> None:
            deps[rng.choice(packages)] = f"^{rng.randint(1, 9)}.{rng.randint(0, 20)}.0"
            if len(deps) > 8 and "devDependencies" not in doc:
                doc["devDependencies"] = {"typescript": "^5.6.0"}
    else:
        doc = {}

        def grow() -> None:
            section = doc.setdefault(rng.choice(NOUNS), {})
            assert isinstance(section, dict)
            key = rng.choice(FIELDS)
            section[key] = _json_scalar(rng, key, fill)
            if rng.random() < 0.15:
                section[f"{key}_list"] = [rng.choice(NOUNS) for _ in range(rng.randint(2, 4))]

    def dump() -> list[str]:
        return json.dumps(doc, indent=2, ensure_ascii=False).split("\n")

    lines = dump()
    for _ in range(200):
        if len(lines) >= target:
            break
        before = json.dumps(doc)
        grow()
        new = dump()
        if len(new) > CODE_LINES[1]:
            doc = json.loads(before)
            break
        lines = new
    return dump()


YAML_DOCS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (T("""
        name: @Noun1@ CI
        on:
          push:
            branches: [main]
          pull_request:
        jobs:
          test:
            runs-on: ubuntu-latest
            timeout-minutes: @num1@
            steps:
              - uses: actions/checkout@v4
        """), (
        "      - uses: actions/setup-python@v5\n        with:\n          python-version: \"3.12\"",
        "      - name: Install dependencies\n        run: pip install -e '.[test]'",
        "      - name: Run tests\n        run: pytest -q --maxfail=1",
        "      - uses: actions/cache@v4\n        with:\n          path: ~/.cache/pip\n"
        "          key: ${{ runner.os }}-pip-${{ hashFiles('**/pyproject.toml') }}",
        "      - name: Lint\n        run: |\n          ruff check .\n"
        "          ruff format --check .",
        "      - name: Build @word@\n        run: make @word@\n        env:\n"
        "          @ENV@: \"@num@\"",
        "      - name: Upload @word@ report\n        if: always()\n"
        "        uses: actions/upload-artifact@v4\n        with:\n          name: @word@-report\n"
        "          path: reports/",
    )),
    (T("""
        services:
          @word1@:
            image: @word1@:@ver1@
            restart: unless-stopped
            ports:
              - "@port1@:@port1@"
        """), (
        "  @word@:\n    image: postgres:16\n    environment:\n      POSTGRES_DB: @word@\n"
        "      POSTGRES_PASSWORD: example\n    volumes:\n"
        "      - @word@-data:/var/lib/postgresql/data",
        "  @word@:\n    image: redis:7-alpine\n    command: [\"redis-server\", \"--save\", \"\"]",
        "  @word@:\n    build: ./@word@\n    depends_on:\n      - @word1@\n    environment:\n"
        "      @ENV@: \"http://@word1@:@port1@\"\n      LOG_LEVEL: info",
        "  @word@-worker:\n    build: .\n    command: [\"@word@\", \"worker\", \"--concurrency\", "
        "\"@num@\"]\n    deploy:\n      replicas: @num2@",
    )),
    (T("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: @word1@-api
          labels:
            app: @word1@
        spec:
          replicas: @num1@
          selector:
            matchLabels:
              app: @word1@
          template:
            metadata:
              labels:
                app: @word1@
            spec:
              containers:
                - name: api
                  image: ghcr.io/example/@word1@:@ver1@
                  env:
        """), (
        "            - name: @ENV@\n              value: \"@num@\"",
        "            - name: @ENV@\n              valueFrom:\n                secretKeyRef:\n"
        "                  name: @word@-secrets\n                  key: @field@",
        "            - name: @ENV@\n              value: \"@host@\"",
    )),
    (T("""
        # @Comment@
        server:
          host: 0.0.0.0
          port: @port1@
        """), (
        "@word@:\n  enabled: true\n  @field@: @num@\n  @field2@: \"@str@\"",
        "@word@:\n  url: \"postgres://@host@:5432/@word2@\"\n  pool_size: @num@\n"
        "  timeout_ms: @ms@",
        "@word@:\n  - name: @word2@\n    schedule: \"*/@num@ * * * *\"\n  - name: @word3@\n"
        "    schedule: \"0 3 * * *\"",
        "logging:\n  level: info\n  format: json",
    )),
)


def yaml_code(rng: Random, fill: Fill, target: int) -> list[str]:
    head, items = rng.choice(YAML_DOCS)
    lines = render(head, fill).split("\n")
    uses: Counter[str] = Counter()
    misses = 0
    while misses < 8 and len(lines) < target:
        template = rng.choice(items)
        item = render(template, fill.child()).split("\n")
        if len(lines) + len(item) > target or uses[template] >= 2:
            misses += 1
            continue
        uses[template] += 1
        lines.extend(item)
    return lines


def code_lines(rng: Random, lang: str, topic: Topic, target: int) -> list[str]:
    """Code in ``lang`` of about ``target`` lines, always within CODE_LINES."""
    low, high = CODE_LINES
    best: list[str] = []
    for _ in range(12):
        fill = Fill(rng, topic)
        if lang == "sql":
            lines = sql_code(rng, fill, target)
        elif lang == "json":
            lines = json_code(rng, fill, target)
        elif lang == "yaml":
            lines = yaml_code(rng, fill, target)
        else:
            style = CODE_STYLES[lang]
            lines = styled_code(rng, style, fill, target)
            if style.tabs:
                lines = [_tabify(line) for line in lines]
        lines = [line.rstrip() for line in lines]
        if low <= len(lines) <= high:
            return lines
        if not best or abs(len(lines) - target) < abs(len(best) - target):
            best = lines
    # Rare: pad with comments or cut, so every block stays in range.
    comment = "-- " if lang == "sql" else "# " if lang in ("python", "bash", "yaml") else "// "
    while len(best) < low and lang != "json":
        best.append(comment + render("@Comment@", Fill(rng, topic)))
    return best[:high]


def _tabify(line: str) -> str:
    stripped = line.lstrip(" ")
    return "\t" * ((len(line) - len(stripped)) // 4) + stripped


# --- prose ------------------------------------------------------------------------

SENTENCES = (
    "The @adj@ part is @verbing@ the @nouns@ before you @verb2@ them.",
    "@Lang@ gives you @tech@ for exactly this, and it keeps `@code@` out of the hot path.",
    "Right now every call to `@code@` @verbs@ the whole @noun@, which is why it gets slower as "
    "the @nouns2@ grow.",
    "If you move the @noun@ lookup out of the loop, the work drops from one query per @noun2@ "
    "to a single batch.",
    "That is a common trap with @tech@: it looks free, but each call to `@code@` allocates a "
    "new @noun@.",
    "A simpler fix is to @verb@ the @nouns@ once and keep the result in a map keyed by "
    "`@field@`.",
    "In my measurements with @big@ @nouns@ this took about @ms@ ms, down from @ms2@ ms.",
    "You don't need @tech@ here; a plain loop is easier to read and just as fast at this size.",
    "Keep in mind that `@code@` can return an empty @noun@, so check for that before you "
    "@verb@ it.",
    "The error message is misleading: the real problem is that the @noun@ is @verbed@ twice.",
    "This also makes the code easier to test, because `@code@` no longer depends on a live "
    "@noun2@.",
    "Note that @tech@ and @tech2@ solve different problems, so mixing them is usually a sign "
    "the design needs another look.",
    "Most of the time is spent in `@code@`, not in the @noun@ itself.",
    "For @big@ @nouns@ per second you will want to @verb@ in batches of a few hundred.",
    "The documentation covers the details well: see @link@.",
    "I would also rename `@code@` to `@code2@`, since it no longer just @verbs@ @nouns@.",
    "One caveat: this assumes each @noun@ has a unique `@field@`; if not, use a composite key.",
    "With that change the @noun@ stays small enough to fit in memory even for @big@ @nouns2@.",
    "Here is the part that surprises people: nothing is @verbed@ until you ask for the result.",
    "Error handling stays the same: anything that fails is logged with its `@field@` and "
    "skipped.",
    "You can check the difference yourself by timing both versions on a copy of your data.",
    "The second version also avoids a subtle bug where a @noun@ without a `@field@` was "
    "silently dropped.",
    "Since the @nouns@ arrive in order, you can @verb@ them in a single pass instead of sorting "
    "first.",
    "Put the configuration in one place so the @noun@ limits are not scattered across the "
    "code.",
    "If this runs in CI, pin the versions so a new release of @tech@ does not change the "
    "results.",
    "That keeps the public API the same, so callers of `@code@` don't have to change.",
    "A @pct@% cache hit rate is typical here, which is why the cached version feels so much "
    "faster.",
    "The trade-off is memory: every cached @noun@ stays alive until the process exits unless "
    "you bound the cache.",
    "You could reach for @tech@, but for a @project@ of this size it adds more moving parts "
    "than it removes.",
    "Do this once at startup rather than per request, and the latency drops noticeably.",
    "I'd leave a short comment next to `@code@` explaining why the order matters.",
    "The rest of your code can stay exactly as it is.",
    "It's worth writing a test that feeds in an empty list and a list with duplicate @nouns@.",
    "When the @noun2@ is unavailable, `@code@` should fail fast instead of retrying forever.",
    "Logging the `@field@` of each failed @noun@ makes the next debugging session much shorter.",
    "Under the hood, @tech@ keeps a small buffer per @noun@, so memory grows with the number "
    "of open @nouns@, not with their size.",
    "This pattern is usually called @pattern@, and you'll see it in most mature @Lang@ "
    "codebases.",
    "On a laptop the difference is small; on a busy server with @num@ workers it adds up "
    "quickly.",
    "If you prefer, the same idea works with @tech2@, at the cost of one more dependency.",
    "Either way, measure before and after: intuition about performance is wrong surprisingly "
    "often.",
    "Does the @noun@ ever change after it's created? If not, you can share it between threads "
    "without a lock.",
    "The `@field@` check belongs at the boundary, where the @nouns@ come in from "
    "@source@, not deep inside `@code@`.",
    "Both approaches give the same result; the second one just makes the intent obvious.",
    "Watch out for time zones when you compare `@field@` values; store everything in UTC.",
    "As the @noun@ count grows past @big@, the quadratic version becomes the bottleneck.",
    "I've kept your naming so the diff stays small.",
    "A bounded queue of @num@ @nouns@ gives you backpressure for free.",
    "There is also an official write-up with more examples: @link@.",
    "Reading the @nouns@ lazily means the first results show up before the whole @noun2@ is "
    "@verbed@.",
    "None of this changes the output, only how quickly it arrives.",
)

PREFIXES = ("In practice, ", "In your case, ", "As a rule of thumb, ", "For what it's worth, ",
            "Also, ", "Separately, ", "On top of that, ", "Honestly, ", "Usually, ",
            "In my experience, ")

OPENERS = (
    "Good question: @tech@ trips up a lot of people here.",
    "Sure! Let's go through it step by step.",
    "There are a few things going on in this code.",
    "Short answer: yes, but not the way the first version does it.",
    "The behaviour you're seeing is expected, but it's not obvious why.",
    "Happy to help. The fix is small once you see where the time goes.",
    "Nice progress! That error is the last piece.",
    "Yes, and it's a good idea to do it now rather than later.",
    "Let's start with what `@code@` actually does.",
    "This is one of the classic @Lang@ gotchas.",
)

CLOSINGS = (
    "Let me know if you want the tests for this as well.",
    "If anything in there is unclear, ask and I'll expand on it.",
    "That should get you unstuck; measure it on your real data before going further.",
    "Happy to look at the next step once this works.",
    "Hope this helps!",
    "Want me to show the same thing with @tech2@?",
)

HEADINGS = (
    "What is going on", "Why `@code@` is slow", "A better approach",
    "Step @n@: @Verb@ the @nouns@", "The fixed version", "Handling errors", "Testing it",
    "What about @tech@?", "Putting it together",
    "Trade-offs", "Performance", "Edge cases", "Configuration", "Running it",
    "@Verbing@ @nouns@ in batches", "Where the time goes", "A note on @tech@", "Summary",
    "Why this works", "Making it idiomatic",
)

LIST_ITEMS = (
    "`@code@` @verbs@ the @nouns@ and returns the ones it skipped.",
    "**@Verb@ once, reuse often.** @sentence@",
    "@sentence@",
    "Check that `@field@` is set before @verbing@ the @noun@.",
    "Use @tech@ only where the @noun@ is shared.",
    "Keep the @noun@ cache under @num@ entries.",
    "Run the tests with @big@ @nouns@ and with none at all.",
    "**@Noun@ limits:** read them from configuration, not from constants.",
    "Log the `@field@` and the elapsed time of every @noun@ you @verb@.",
    "Prefer `@code@` over `@code2@` in new code.",
    "Treat a missing @noun2@ as an error, not as an empty result.",
)

STEPS = (
    "@Verb@ the @nouns@ from @source@.",
    "Validate each @noun@ and drop the ones without a `@field@`.",
    "@Verb@ them in batches of @num@.",
    "Write the result and record the time it took.",
    "Run `@code@` again to confirm nothing changed.",
    "Move the @noun@ lookup into its own function.",
    "Add a test for the empty case.",
)

TRANSITIONS = (
    "Here's a version that @verbs@ the @nouns@ in one pass:",
    "Something like this:",
    "For example:",
    "The @Lang@ side looks like this:",
    "Here is the full function with that change:",
    "A minimal version that you can run as is:",
    "Putting the pieces together:",
    "The relevant part, rewritten:",
)

LEADS_BY_LANG = {
    "bash": ("Run it with:", "To try it locally:", "A small script does the job:"),
    "json": ("The payload looks like this:", "And the config file:", "A sample response:"),
    "yaml": ("The configuration:", "In CI, the workflow is short:", "The deployment:"),
    "sql": ("The query:", "On the database side:", "The schema and the query:"),
}

AFTER_CODE = (
    "The important line is the one that @verbs@ the @nouns@; everything else is unchanged.",
    "Note how `@code@` no longer needs to know about the @noun2@.",
    "This keeps the same output, just with far fewer round trips.",
    "If you run it twice, the second run finds nothing to @verb@, which is what you want.",
    "The numbers in there are placeholders; tune them for your data.",
)

USER_OPENINGS = (
    "I'm building a @Lang@ @project@ that @verbs@ @nouns@ from @source@. @problem@ @ask@",
    "Quick @Lang@ question: how do I @verb@ @nouns@ without @verbing2@ the whole @noun2@ "
    "every time?",
    "My @Lang@ code for @verbing@ @nouns@ works, but it takes @sec@ seconds for @big@ @nouns@. "
    "@ask@",
    "Can you explain @tech@ with a practical example? I keep getting confused when @nouns@ are "
    "involved.",
    "I'm getting `@errmsg@` in my @project@ and I can't figure out why. @ask@",
    "What's the idiomatic way to @verb@ @nouns@ in @Lang@? I'm coming from @lang@.",
)

USER_PROBLEMS = (
    "It works on small inputs but falls over in production.",
    "Sometimes the @noun@ comes back empty and I can't see why.",
    "The tests pass locally but fail in CI about one time in ten.",
    "Memory keeps growing until the container gets killed.",
    "It's correct, just slow.",
)

USER_ASKS = ("What am I doing wrong?", "Is there a more idiomatic way to write this?",
             "How would you structure it?", "What's the cleanest fix?",
             "Should I be using @tech@ here?", "Any ideas?")

USER_FOLLOWUPS = (
    "Thanks, that's much clearer. What happens if the @noun@ is empty?",
    "That fixed it! Could you also show how to test `@code@`?",
    "I tried that, but now I get `@errmsg@`. Any idea?",
    "Makes sense. How would this look in @lang@?",
    "Is this still OK with @big@ @nouns@, or should I switch to @tech@?",
    "Could you add error handling for when the @noun2@ is down?",
    "What would you change to run this in CI?",
    "Nice. Why did you choose @tech@ over @tech2@ here?",
    "One more thing: the @nouns@ can arrive out of order. Does that break anything?",
    "Can you show the config and the commands to run it?",
)

USER_PASTES = ("Here is the relevant part:", "This is what I have so far:",
               "Here's my current code:", "Simplified version of my code:")

USER_CLOSINGS = ("Perfect, thank you!", "Great, that's exactly what I needed.",
                 "Thanks! I'll try this tomorrow and report back.", "That did it. Thanks a lot!",
                 "Works now, thanks for the detailed explanation.")

TITLES = (
    "How do I @verb@ @nouns@ in @Lang@?",
    "@Lang@: @verbing@ @nouns@ without @verbing2@ the @noun2@",
    "Why is @verbing@ @nouns@ so slow in @Lang@?",
    "Understanding @tech@ with a @noun@ example",
    "@tech@ vs @tech2@ for a @noun@ @project@",
    "Fixing a flaky @noun@ test in @Lang@",
    "Refactoring the @noun@ @noun2@ code to use @tech@",
    "@Verbing@ @nouns@ from @source@ in a @Lang@ @project@",
    "A @noun@ cache for my @Lang@ @project@",
    "Idiomatic @Lang@ for @verbing@ @nouns@",
)

_ARTICLE = re.compile(r"\b([Aa]) (?=(?:[aeio]|up|un[^i])\w)")


def fix_articles(text: str) -> str:
    """"a order" -> "an order": placeholders do not know the word that follows them."""
    return _ARTICLE.sub(lambda m: m.group(1) + "n ", text)


def _say(template: str, fill: Fill) -> str:
    return fix_articles(render(template, fill))


def sentence(rng: Random, topic: Topic) -> str:
    template = rng.choice(SENTENCES)
    prefix = rng.choice(PREFIXES) if rng.random() < 0.2 else ""
    if prefix and not template.startswith(("@", "I ", "I'", "`")):
        template = prefix + template[0].lower() + template[1:]
    return _say(template, Fill(rng, topic))


def paragraph(rng: Random, topic: Topic, low: int = 2, high: int = 5) -> str:
    return " ".join(sentence(rng, topic) for _ in range(rng.randint(low, high)))


def bullet_list(rng: Random, topic: Topic) -> str:
    numbered = rng.random() < 0.35
    items = STEPS if numbered else LIST_ITEMS
    out = []
    for i, template in enumerate(rng.sample(items, rng.randint(3, 5)), start=1):
        fill = Fill(rng, topic)
        fill["sentence"] = sentence(rng, topic)
        marker = f"{i}." if numbered else "-"
        out.append(f"{marker} {_say(template, fill)}")
    return "\n".join(out)


def table(rng: Random, topic: Topic) -> str:
    fill = Fill(rng, topic)
    if rng.random() < 0.5:
        head = _say("| Approach | @Nouns@/s | Memory | Notes |\n|---|---:|---:|---|", fill)
        approaches = ("naive loop", "batched @verbing@", "`@code@` with a cache", "@tech@",
                      "single query", "streaming", "worker pool of @num@")
        notes = ("one query per @noun@", "simplest to read", "needs a bounded cache",
                 "best for large inputs", "order not preserved", "what I'd ship",
                 "extra dependency")
        rows = [
            f"| {_say(a, Fill(rng, topic))} | {rng.randint(200, 90000):,} | "
            f"{rng.randint(8, 900)} MB | {_say(rng.choice(notes), Fill(rng, topic))} |"
            for a in rng.sample(approaches, rng.randint(3, 5))
        ]
    else:
        head = "| Option | Pros | Cons |\n|---|---|---|"
        pros = ("no extra dependency", "easy to test", "fast for small inputs",
                "well documented", "handles retries", "keeps order")
        cons = ("more code to maintain", "harder to debug", "uses more memory",
                "needs a running @noun2@", "slower on cold start", "blocks the caller")
        rows = [
            f"| {_say(o, Fill(rng, topic))} | {rng.choice(pros)} | "
            f"{_say(rng.choice(cons), Fill(rng, topic))} |"
            for o in rng.sample(("@tech@", "`@code@`", "a plain loop", "@tech2@",
                                 "a background job", "a database view"), rng.randint(3, 4))
        ]
    return head + "\n" + "\n".join(rows)


def fenced(lang: str, lines: list[str]) -> str:
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def assistant_message(rng: Random, topic: Topic, blocks: list[str], budget: int) -> str:
    """Prose of about ``budget`` bytes around the given fenced code blocks."""
    out = [_say(rng.choice(OPENERS), Fill(rng, topic)) + " " + paragraph(rng, topic, 1, 3)]
    prose = len(out[0])
    pending = list(blocks)
    headings = budget > 1500 or len(pending) > 1
    used_table = False
    while pending or prose < budget:
        chunk: list[str] = []
        spent = prose >= budget
        if headings and not spent and rng.random() < 0.55:
            level = "##" if rng.random() < 0.7 else "###"
            chunk.append(f"{level} " + _say(rng.choice(HEADINGS), Fill(rng, topic)))
        if pending:
            block = pending.pop(0)
            lang = block.split("\n", 1)[0][3:]
            if not spent and rng.random() < 0.6:
                chunk.append(paragraph(rng, topic, 1, 3))
            leads = LEADS_BY_LANG.get(lang, TRANSITIONS)
            chunk.append(_say(rng.choice(leads), Fill(rng, topic)))
            chunk.append(block)
            if not spent and rng.random() < 0.5:
                chunk.append(_say(rng.choice(AFTER_CODE), Fill(rng, topic)))
        else:
            roll = rng.random()
            if roll < 0.12 and not used_table:
                used_table = True
                chunk.append(paragraph(rng, topic, 1, 2))
                chunk.append(table(rng, topic))
            elif roll < 0.4:
                chunk.append(paragraph(rng, topic, 1, 2))
                chunk.append(bullet_list(rng, topic))
            else:
                chunk.append(paragraph(rng, topic))
        size = sum(len(c.encode()) + 2 for c in chunk if not c.startswith("```"))
        if not pending and prose + size / 2 > budget:
            break  # keep a last chunk only if it brings the size closer to the budget
        out.extend(chunk)
        prose += size
    if rng.random() < 0.5:
        out.append(_say(rng.choice(CLOSINGS), Fill(rng, topic)))
    return "\n\n".join(out) + "\n"


def user_message(rng: Random, topic: Topic, first: bool, block: str | None) -> str:
    fill = Fill(rng, topic)
    fill["problem"] = _say(rng.choice(USER_PROBLEMS), Fill(rng, topic))
    fill["ask"] = _say(rng.choice(USER_ASKS), Fill(rng, topic))
    text = _say(rng.choice(USER_OPENINGS if first else USER_FOLLOWUPS), fill)
    if block is not None:
        text += "\n\n" + rng.choice(USER_PASTES) + "\n\n" + block
        if rng.random() < 0.5:
            text += "\n\n" + _say(rng.choice(USER_ASKS), Fill(rng, topic))
    return text + "\n"


# --- conversations -----------------------------------------------------------------


@dataclass
class Message:
    role: str
    content: str
    created: str
    model: str | None = None


@dataclass
class Conversation:
    slug: str
    title: str
    created: str
    model: str
    messages: list[Message] = field(default_factory=list)


_GOLDEN, _SILVER, _PLASTIC = 0.6180339887498949, 0.4142135623730951, 0.7548776662466927


def _weyl(index: int, step: float, offset: float) -> float:
    """A low-discrepancy sequence in [0, 1): its running mean converges much faster than random."""
    return (offset + index * step) % 1.0


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-") or "chat"


def make_conversation(seed: int, index: int, width: int) -> Conversation:
    """Conversation ``index`` of the corpus; it depends only on (seed, index)."""
    rng = Random(f"amber-bench:{seed}:{index}")
    lang = rng.choices(list(MAIN_LANGUAGE_WEIGHTS), list(MAIN_LANGUAGE_WEIGHTS.values()))[0]
    topic = Topic(lang, tuple(rng.sample(NOUNS, 3)), rng.choice(PROJECTS), rng.choice(SOURCES),
                  rng.choice(MODELS))
    title = _say(rng.choice(TITLES), Fill(rng, topic))
    title = cap(title) if not title.startswith(topic.info.techs) else title

    # Equidistributed rather than random, so that even 100 conversations average
    # 11.3 messages: 4..18 messages (11 on average), plus a closing "thanks" in 30%.
    offsets = Random(f"amber-bench-offsets:{seed}")
    pairs = 2 + int(8 * _weyl(index, _GOLDEN, offsets.random()))
    trailing_thanks = _weyl(index, _SILVER, offsets.random()) < 0.3
    n_messages = 2 * pairs + trailing_thanks
    scale = n_messages / TARGET_MESSAGES
    n_blocks = int(TARGET_CODE_BLOCKS * scale * rng.uniform(0.8, 1.2)
                   + _weyl(index, _PLASTIC, offsets.random()))
    target_bytes = TARGET_BYTES * scale * rng.uniform(0.8, 1.2)

    # Decide where each code block goes: mostly answers, sometimes a pasted snippet.
    holders: dict[int, list[str]] = {i: [] for i in range(n_messages)}
    user_slots = [i for i in range(0, 2 * pairs, 2)]
    answer_slots = [i for i in range(1, 2 * pairs, 2)]
    weights = [2.0 if i == 1 else 1.0 for i in answer_slots]
    related = topic.info.related
    for _ in range(n_blocks):
        if rng.random() < 0.12:
            slot, block_lang = rng.choice(user_slots), lang
            lines = rng.randint(CODE_LINES[0], 30)
        else:
            slot = rng.choices(answer_slots, weights)[0]
            block_lang = lang if rng.random() < 0.6 else rng.choice(related)
            lines = rng.randint(*CODE_LINES)
        holders[slot].append(fenced(block_lang, code_lines(rng, block_lang, topic, lines)))

    contents: dict[int, str] = {}
    for slot in user_slots:
        block = holders[slot][0] if holders[slot] else None
        for extra in holders[slot][1:]:  # a second paste goes to the next answer
            holders[slot + 1].append(extra)
        contents[slot] = user_message(rng, topic, slot == 0, block)
    if trailing_thanks:
        contents[n_messages - 1] = rng.choice(USER_CLOSINGS) + "\n"
    fixed = sum(len(c.encode()) for c in contents.values())
    fixed += sum(len(b.encode()) + 2 for s in answer_slots for b in holders[s])
    shares = [rng.uniform(0.6, 1.4) * (1.6 if s == 1 else 1.0) for s in answer_slots]
    prose_total = max(target_bytes - fixed, 300.0 * len(answer_slots))
    for slot, share in zip(answer_slots, shares, strict=True):
        budget = int(prose_total * share / sum(shares))
        contents[slot] = assistant_message(rng, topic, holders[slot], max(budget, 250))

    start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=7 * index + rng.randint(0, 6),
                                                           minutes=rng.randint(0, 59))
    moment = start
    messages = []
    for i in range(n_messages):
        role = "user" if i % 2 == 0 else "assistant"
        moment += timedelta(seconds=rng.randint(15, 400))
        messages.append(Message(role, contents[i], _iso(moment),
                                topic.model if role == "assistant" else None))
    for i, text in contents.items():  # no trailing blanks: Markdown would read "  " as <br>
        contents[i] = "\n".join(line.rstrip() for line in text.split("\n"))
    slug = f"{_slugify(title)}-{index:0{width}d}"
    return Conversation(slug, title, _iso(start), topic.model, messages)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def to_yaml(conv: Conversation) -> str:
    """The conversation as amber YAML, Markdown in literal block scalars like a person writes.

    Hand-written so Markdown stays readable (PyYAML would fall back to quoted
    strings for Go code, which is indented with tabs). Contents never start with
    a space and end with exactly one newline, so a plain ``|`` is always exact.
    """
    out = [f"title: {json.dumps(conv.title, ensure_ascii=False)}",
           f'created: "{conv.created}"', f"model: {conv.model}", "messages:"]
    for m in conv.messages:
        out.append(f"  - role: {m.role}")
        out.append(f'    created: "{m.created}"')
        if m.model:
            out.append(f"    model: {m.model}")
        assert m.content.endswith("\n") and not m.content.endswith("\n\n")
        assert not m.content.startswith((" ", "\n"))
        out.append("    content: |")
        out.extend(f"      {line}" if line else "" for line in m.content[:-1].split("\n"))
    return "\n".join(out) + "\n"


def generate(site: Path, count: int, seed: int = 0, *, force: bool = False) -> list[Path]:
    """Write site.yaml and ``count`` conversations under ``site/content``."""
    conversations = site / "content" / "conversations"
    if conversations.is_dir() and any(conversations.iterdir()) and not force:
        raise SystemExit(f"corpus: {conversations} is not empty (use --force to add to it)")
    conversations.mkdir(parents=True, exist_ok=True)
    (site / "content" / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    width = max(4, len(str(max(count - 1, 0))))
    paths = []
    for index in range(count):
        conv = make_conversation(seed, index, width)
        path = conversations / f"{conv.slug}.yaml"
        path.write_text(to_yaml(conv), encoding="utf-8")
        paths.append(path)
    return paths


# --- statistics --------------------------------------------------------------------

_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)")


def fenced_blocks(markdown: str) -> list[tuple[str, int]]:
    """(language, line count) of each fenced code block in a Markdown string."""
    blocks: list[tuple[str, int]] = []
    fence: str | None = None
    lang, lines = "", 0
    for line in markdown.split("\n"):
        if fence is None:
            match = _FENCE_OPEN.match(line)
            if match:
                fence, lang, lines = match.group(1), match.group(2) or "-", 0
        elif line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
            blocks.append((lang, lines))
            fence = None
        else:
            lines += 1
    return blocks


@dataclass
class CorpusStats:
    """Averages per conversation that the corpus is tuned to."""

    conversations: int = 0
    messages: int = 0
    markdown_bytes: int = 0
    code_blocks: int = 0
    code_lines: int = 0
    user_bytes: int = 0
    user_messages: int = 0
    assistant_bytes: int = 0
    assistant_messages: int = 0
    min_block_lines: int | None = None
    max_block_lines: int | None = None
    languages: Counter[str] = field(default_factory=Counter)

    def add_message(self, role: str, texts: Iterable[str], code_parts: Iterable[tuple[str, str]]
                    ) -> None:
        size = 0
        for text in texts:
            size += len(text.encode())
            for lang, lines in fenced_blocks(text):
                self._block(lang, lines)
        for lang, code in code_parts:
            size += len(code.encode())
            self._block(lang or "-", code.count("\n") + 1)
        self.messages += 1
        self.markdown_bytes += size
        if role == "user":
            self.user_bytes, self.user_messages = self.user_bytes + size, self.user_messages + 1
        elif role == "assistant":
            self.assistant_bytes += size
            self.assistant_messages += 1

    def _block(self, lang: str, lines: int) -> None:
        self.code_blocks += 1
        self.code_lines += lines
        self.languages[lang] += 1
        if self.min_block_lines is None or lines < self.min_block_lines:
            self.min_block_lines = lines
        if self.max_block_lines is None or lines > self.max_block_lines:
            self.max_block_lines = lines

    def as_dict(self) -> dict[str, object]:
        n = max(self.conversations, 1)
        return {
            "conversations": self.conversations,
            "avg_messages": round(self.messages / n, 2),
            "avg_kb": round(self.markdown_bytes / n / KB, 2),
            "avg_code_blocks": round(self.code_blocks / n, 2),
            "avg_lines_per_block": round(self.code_lines / max(self.code_blocks, 1), 1),
            "block_lines_range": [self.min_block_lines, self.max_block_lines],
            "avg_user_bytes": round(self.user_bytes / max(self.user_messages, 1)),
            "avg_assistant_bytes": round(self.assistant_bytes / max(self.assistant_messages, 1)),
            "total_mb": round(self.markdown_bytes / KB / KB, 2),
            "languages": dict(self.languages.most_common()),
        }


def site_stats(conversations_dir: Path) -> CorpusStats:
    """Read every conversation back (YAML or JSON, string or parts content) and sum it up."""
    import yaml  # amber depends on PyYAML; the generator itself does not need it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stats = CorpusStats()
    for path in sorted(conversations_dir.iterdir()):
        if path.suffix not in (".yaml", ".yml", ".json") or path.name.startswith("."):
            continue
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)
        stats.conversations += 1
        for message in data.get("messages") or []:
            content = message.get("content")
            texts: list[str] = []
            code: list[tuple[str, str]] = []
            if isinstance(content, str):
                texts.append(content)
            else:
                for part in content or []:
                    if part.get("type") == "code":
                        code.append((part.get("language") or "", part.get("code") or ""))
                    else:
                        texts.extend(str(part[k]) for k in ("text", "arguments") if part.get(k))
            stats.add_message(str(message.get("role")), texts, code)
    return stats


def format_stats(stats: CorpusStats) -> str:
    d = stats.as_dict()
    langs = ", ".join(f"{k} {v}" for k, v in d["languages"].items())  # type: ignore[attr-defined]
    low, high = d["block_lines_range"]  # type: ignore[misc]
    return (
        f"conversations      {d['conversations']}\n"
        f"avg messages       {d['avg_messages']}  (target {TARGET_MESSAGES})\n"
        f"avg KB Markdown    {d['avg_kb']}  (target {TARGET_BYTES / KB}; 1 KB = 1024 bytes)\n"
        f"avg code blocks    {d['avg_code_blocks']}  (target {TARGET_CODE_BLOCKS})\n"
        f"lines per block    {d['avg_lines_per_block']} on average, {low}-{high}\n"
        f"avg message bytes  user {d['avg_user_bytes']}, assistant {d['avg_assistant_bytes']}\n"
        f"total Markdown     {d['total_mb']} MB\n"
        f"code languages     {langs}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a deterministic corpus of realistic conversations into "
                    "DIR/content/ (site.yaml and conversations/*.yaml).")
    parser.add_argument("dir", type=Path, metavar="DIR", help="the site folder to write into")
    parser.add_argument("--count", type=int, required=True, help="number of conversations")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--stats", action="store_true",
                        help="read the corpus back and print its averages")
    parser.add_argument("--force", action="store_true",
                        help="write even if content/conversations/ is not empty")
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    paths = generate(args.dir, args.count, args.seed, force=args.force)
    print(f"wrote {len(paths)} conversations to {args.dir / 'content' / 'conversations'}",
          file=sys.stderr)
    if args.stats:
        print(format_stats(site_stats(args.dir / "content" / "conversations")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
