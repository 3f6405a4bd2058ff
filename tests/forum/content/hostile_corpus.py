"""Hand-written hostile input for the sanitizer, by family, each with why it is hostile.

`html` cases go through sanitize_html (HTML from anywhere), `md` cases through render_markdown
(a member's Markdown). Every output must hold only allowed elements and attributes, as a browser
would build them, no link with a refused scheme or a hidden character, and come out the same
when sanitized again (test_sanitizer_corpus.py).
"""

from __future__ import annotations

from typing import NamedTuple


class Hostile(NamedTuple):
    mode: str  # "html" or "md"
    source: str
    reason: str


def _html(source: str, reason: str) -> Hostile:
    return Hostile("html", source, reason)


def _md(source: str, reason: str) -> Hostile:
    return Hostile("md", source, reason)


JS = "alert(1)"

ENCODED_JAVASCRIPT_URLS = [
    _html(f'<a href="javascript:{JS}">x</a>', "the plain scheme"),
    _html(f'<a href="JaVaScRiPt:{JS}">x</a>', "schemes are case-insensitive"),
    _html(f'<a href="&#106;avascript:{JS}">x</a>', "decimal entity with semicolon"),
    _html(f'<a href="&#106avascript:{JS}">x</a>', "decimal entity without semicolon"),
    _html(f'<a href="&#0000106;avascript:{JS}">x</a>', "decimal entity with leading zeros"),
    _html(f'<a href="&#0000106avascript:{JS}">x</a>', "leading zeros, no semicolon"),
    _html(f'<a href="&#x6A;avascript:{JS}">x</a>', "hex entity with semicolon"),
    _html(f'<a href="&#x6Aavascript:{JS}">x</a>', "hex entity without semicolon"),
    _html(f'<a href="&#X00006a;avascript:{JS}">x</a>', "upper X, leading zeros"),
    _html(
        '<a href="&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)">x</a>',
        "every letter a hex entity without semicolons",
    ),
    _html(
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        "every letter a decimal entity",
    ),
    _html(f'<a href="javascript&colon;{JS}">x</a>', "named colon entity"),
    _html(f'<a href="javascript&#58;{JS}">x</a>', "decimal colon entity"),
    _html(f'<a href="javascript&#x3a;{JS}">x</a>', "hex colon entity"),
    _html(f'<a href="java\tscript:{JS}">x</a>', "raw tab inside the scheme: browsers drop it"),
    _html(f'<a href="java\nscript:{JS}">x</a>', "raw newline inside the scheme"),
    _html(f'<a href="java\rscript:{JS}">x</a>', "raw carriage return inside the scheme"),
    _html(f'<a href="java&#x09;script:{JS}">x</a>', "tab entity inside the scheme"),
    _html(f'<a href="java&Tab;script:{JS}">x</a>', "named tab entity"),
    _html(f'<a href="java&NewLine;script:{JS}">x</a>', "named newline entity"),
    _html(f'<a href="jav&#x0D;ascript:{JS}">x</a>', "carriage-return entity"),
    _html(f'<a href="  javascript:{JS}">x</a>', "leading spaces are stripped by browsers"),
    _html(f'<a href="&#1;javascript:{JS}">x</a>', "leading control character entity"),
    _html(f'<a href="\x01\x02javascript:{JS}">x</a>', "raw leading control characters"),
    _html(f'<a href="%6Aavascript:{JS}">x</a>', "percent-encoded first letter"),
    _html(f'<a href="javascript%3A{JS}">x</a>', "percent-encoded colon"),
    _html(f'<a href="%256Aavascript:{JS}">x</a>', "double percent-encoding"),
    _html(f'<a href="&#37;6Aavascript:{JS}">x</a>', "an entity for the percent sign"),
    _html(f'<a href="javas&#99;ript:{JS}">x</a>', "one entity in the middle"),
    _html('<a href="vbscript:msgbox(1)">x</a>', "vbscript in old IE"),
    _html('<a href="VBScript&colon;msgbox(1)">x</a>', "vbscript, encoded colon"),
    _html(
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        "data: URL carrying a page",
    ),
    _html('<a href="DATA:text/html,<script>alert(1)</script>">x</a>', "data:, upper case"),
    _html(f'<a href="livescript:{JS}">x</a>', "Netscape's livescript"),
    _html(f'<a href="java\u00adscript:{JS}">x</a>', "soft hyphen inside the scheme"),
    _html(f'<a href="\u200bjavascript:{JS}">x</a>', "zero-width space before the scheme"),
    _html(f'<a href="java\x00script:{JS}">x</a>', "NUL inside the scheme"),
    _html(f'<a href="javascript\t:{JS}">x</a>', "tab before the colon"),
    _md(f"[x](javascript:{JS})", "Markdown inline link"),
    _md(f"[x](JAVASCRIPT:{JS})", "Markdown, upper case"),
    _md(f"[x](&#106;avascript:{JS})", "Markdown, decimal entity"),
    _md(f"[x](&#x6A;avascript:{JS})", "Markdown, hex entity"),
    _md(f"[x](&#0000106;avascript:{JS})", "Markdown, leading zeros"),
    _md(f"[x](javascript&colon;{JS})", "Markdown, named colon"),
    _md(f"[x](java&Tab;script:{JS})", "Markdown, named tab"),
    _md(f"[x](java%09script:{JS})", "Markdown, percent-encoded tab"),
    _md(f"[x](%6A%61%76%61%73%63%72%69%70%74%3A{JS})", "Markdown, all percent-encoded"),
    _md("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "Markdown, data:"),
    _md("[x](vbscript:msgbox(1))", "Markdown, vbscript"),
]

EVENT_HANDLERS = [
    _html(f'<img src=x onerror="{JS}">', "the classic broken image"),
    _html(f"<p onclick={JS}>x</p>", "a handler on an allowed element"),
    _html(f'<a href="https://ok.example" onmouseover="{JS}">x</a>', "a handler on a kept link"),
    _html(f'<a href="https://ok.example" ONCLICK="{JS}">x</a>', "upper-case handler name"),
    _html(f"<a/onclick={JS}>x</a>", "a slash instead of a space"),
    _html(f"<svg onload={JS}>", "svg onload"),
    _html(f"<body onload={JS}>", "body onload inside a fragment"),
    _html(f"<details open ontoggle={JS}>", "ontoggle fires without a click"),
    _html(f"<input autofocus onfocus={JS}>", "autofocus plus onfocus"),
    _html(f"<marquee onstart={JS}>x</marquee>", "marquee's own events"),
    _html(f"<video><source onerror={JS}></video>", "media source errors"),
    _html(f"<em onmouseover=`{JS}`>x</em>", "backtick-quoted value"),
    _html(f'<strong\nonclick="{JS}">x</strong>', "a newline before the handler"),
    _html(f'<ol start="1" onclick="{JS}"><li>x</li></ol>', "handler beside an allowed attribute"),
    _html(f"<br onpointerenter={JS}>", "a void element with a handler"),
    _html(f'<a href="https://ok.example" autofocus onfocus="{JS}">x</a>', "focus on a link"),
    _html(f"<blockquote onanimationstart={JS} style=animation-name:x>q</blockquote>", "CSS event"),
]

NAMESPACE_CONFUSION = [
    _html(f"<svg><style><img src=x onerror={JS}></style></svg>", "style is not raw text in svg"),
    _html(
        f"<math><mtext><table><mglyph><style><img src=x onerror={JS}>",
        "mglyph and style move between namespaces (DOMPurify 2.0.0 bypass)",
    ),
    _html(f"<math><mi><style><img src=x onerror={JS}></style></mi></math>", "math text point"),
    _html(
        f'<svg></p><style><a id="</style><img src=1 onerror={JS}>">',
        "a closing p inside svg re-parents the style",
    ),
    _html(
        f'<svg><a xlink:href="javascript:{JS}"><text x="1">x</text></a></svg>',
        "xlink:href in svg",
    ),
    _html(f'<math href="javascript:{JS}">x</math>', "MathML href"),
    _html(f"<svg><animate attributeName=href values=javascript:{JS} /></svg>", "svg animate"),
    _html(f"<svg><set attributeName=onmouseover to={JS} /></svg>", "svg set"),
    _html(
        f"<math><maction actiontype=statusline xlink:href=javascript:{JS}>x</maction></math>",
        "maction links",
    ),
    _html(
        f"<form><math><mtext></form><form><mglyph><style></math><img src onerror={JS}>",
        "nested form mXSS (DOMPurify 2.0.17 bypass)",
    ),
    _html(
        f"<svg><foreignObject><p><img src=x onerror={JS}></p></foreignObject></svg>",
        "HTML inside svg through foreignObject",
    ),
    _html(f"<svg><![CDATA[><img src=x onerror={JS}>]]></svg>", "CDATA only counts in svg"),
    _html(f"<svg><script>{JS}</script></svg>", "script inside svg"),
    _html(f"<svg><desc><style><img src=x onerror={JS}></style></desc></svg>", "svg desc"),
    _html(
        f'<math><annotation-xml encoding="text/html"><style><img src=x onerror={JS}>',
        "annotation-xml is an HTML integration point",
    ),
    _html(f"<svg><title><img src=x onerror={JS}></title></svg>", "svg title is not raw text"),
    _html(f'<svg><use href="data:image/svg+xml,<svg id=x onload={JS}>#x"/></svg>', "svg use"),
    _html(f"<math><mtext><h1><a href=javascript:{JS}>x</a></h1></mtext></math>", "math + a"),
]

RAW_TEXT_ELEMENTS = [
    _html(f'<noscript><p title="</noscript><img src=x onerror={JS}>"></noscript>', "noscript"),
    _html(f"<textarea><img src=x onerror={JS}></textarea>", "textarea holds raw text"),
    _html(f'<textarea></textarea><a href="javascript:{JS}">x</a>', "after a textarea"),
    _html(f'<p title="</textarea><img src=x onerror={JS}>">x</p>', "textarea end in an attribute"),
    _html(f"<title><img src=x onerror={JS}></title>", "title holds raw text"),
    _html(f"<style><img src=x onerror={JS}></style>", "style holds raw text"),
    _html("<style>body{background:url(javascript:alert(1))}</style>", "CSS in style"),
    _html(f'<xmp><a href="javascript:{JS}">x</a></xmp>', "xmp is raw text"),
    _html(f"<xmp></xmp><img src=x onerror={JS}>", "after an xmp"),
    _html(f'<iframe srcdoc="<script>{JS}</script>"></iframe>', "iframe srcdoc"),
    _html(f"<iframe src=javascript:{JS}></iframe>", "iframe src"),
    _html(f"<iframe><img src=x onerror={JS}></iframe>", "iframe content is raw text"),
    _html(f'<noembed><img title="</noembed><img src onerror={JS}>"></noembed>', "noembed"),
    _html(f'<noframes><img title="</noframes><img src onerror={JS}>"></noframes>', "noframes"),
    _html(f"<plaintext><a href=javascript:{JS}>x", "plaintext never ends"),
    _html(f"<script>{JS}</script>", "script"),
    _html("<script src=//evil.example/x.js></script>", "script from elsewhere"),
    _html(f"<scr<script>ipt>{JS}</script>", "a script tag split by another"),
    _html(f"<script>/*</script><img src=x onerror={JS}>*/</script>", "script ending early"),
]

TEMPLATE_AND_SELECT = [
    _html(f"<template><img src=x onerror={JS}></template>", "template content"),
    _html(f"<template><script>{JS}</script></template>", "script in a template"),
    _html(
        f"<select><template><style><img src=x onerror={JS}></style></template></select>",
        "template inside select keeps style (DOMPurify 2.2.2 bypass)",
    ),
    _html(f"<select><style><img src=x onerror={JS}></style></select>", "style inside select"),
    _html(f"<select><option><a href=javascript:{JS}>x</a></option></select>", "link in option"),
    _html(f"<table><template><td><img src=x onerror={JS}></td></template></table>", "table"),
    _html(f"<keygen autofocus onfocus={JS}>", "keygen"),
    _html(f"<select><iframe srcdoc=<script>{JS}</script>></select>", "iframe in select"),
    _html(f"<select><textarea><img src=x onerror={JS}></textarea></select>", "textarea in select"),
    _html(f'<template><a href="javascript:{JS}">x</a></template>', "link in a template"),
    _html(f"<table><tr><td><a href=javascript:{JS}>x</td></table>", "foster parenting"),
    _html(f"<table><a href=javascript:{JS}>x</a><tr><td>y</td></tr></table>", "foster a link"),
]

ATTRIBUTE_BREAKOUTS = [
    _html(
        f'<a href="https://ok.example" title=\'x" onmouseover="{JS}\'>x</a>',
        "a double quote inside a single-quoted value",
    ),
    _html(f'<a href="https://ok.example/"onmouseover="{JS}">x</a>', "no space between attributes"),
    _html(f'<a title="a&quot; onclick=&quot;{JS}">x</a>', "encoded quotes in a value"),
    _html(f"<a href=https://ok.example/ onclick={JS}>x</a>", "unquoted values"),
    _html(f'"><script>{JS}</script>', "breaking out of an attribute the page never had"),
    _html(f"'><img src=x onerror={JS}>", "single-quote breakout"),
    _html(f'<a href="x" title="</a><img src=x onerror={JS}>">x</a>', "tag in an attribute"),
    _html('<ol start="1 onclick=alert(1)"><li>x</li></ol>', "start that is not a number"),
    _html('<ol start="1" start="2"><li>x</li></ol>', "duplicate attribute"),
    _html(f'<a href="https://ok.example" href="javascript:{JS}">x</a>', "second href ignored"),
    _html(f'<a href="javascript:{JS}" href="https://ok.example">x</a>', "first href wins"),
    _html('<a rel="opener" href="https://ok.example">x</a>', "rel=opener"),
    _html(f'<a style="background:url(javascript:{JS})">x</a>', "CSS url in style"),
    _html(f"<p style=x:expression({JS})>x</p>", "IE CSS expression"),
    _html(f"<a href=`javascript:{JS}`>x</a>", "backtick-quoted href"),
    _html(f"<a title=x/onclick={JS}>x</a>", "a slash in an unquoted value"),
    _html('<a href="https://ok.example" target="_blank">x</a>', "target is not allowed"),
    _html('<a name="x" id="y" class="z" data-x="1">x</a>', "attributes outside the allow-list"),
    _html(f'<a href="https://ok.example"\x00onclick="{JS}">x</a>', "NUL between attributes"),
    _html(f"<a href='https://ok.example'/onclick={JS}>x</a>", "slash after a quoted value"),
    _html(f'<a """ onclick="{JS}">x</a>', "stray quotes as an attribute name"),
    _html(f'<a href="https://ok.example" formaction="javascript:{JS}">x</a>', "formaction"),
]

MARKDOWN_LINK_TRICKS = [
    _md(f"[x][r]\n\n[r]: javascript:{JS}", "reference definition"),
    _md(f"[x][R]\n\n[r]: JavaScript:{JS}", "reference labels are case-insensitive"),
    _md(f'[x][r]\n\n[r]: <javascript:{JS}> "t"', "reference in angle brackets with a title"),
    _md(f"[x]\n\n[x]: &#106;avascript:{JS}", "shortcut reference, entity"),
    _md(f"[x][]\n\n[x]: javascript&colon;{JS}", "collapsed reference, named colon"),
    _md(f"[[x](javascript:{JS})](https://ok.example)", "a link inside link text"),
    _md(f'[x](https://ok.example "t\\" onclick=\\"{JS}")', "escaped quotes in a title"),
    _md(f"[x]( javascript:{JS} )", "spaces around the destination"),
    _md(f"[x](<javascript:{JS}>)", "angle-bracket destination"),
    _md(f"[x](<java script:{JS}>)", "a space inside an angle-bracket destination"),
    _md(f"<javascript:{JS}>", "autolink"),
    _md(f"<JaVaScRiPt:{JS}>", "autolink, mixed case"),
    _md("<data:text/html,<script>alert(1)</script>>", "data: autolink"),
    _md(f"![x](javascript:{JS})", "image syntax"),
    _md(f'![x](https://ok.example/i.png" onerror="{JS})', "breaking out of an image source"),
    _md(f"[![x](https://ok.example/i.png)](javascript:{JS})", "an image inside a link"),
    _md(f"[x](java\nscript:{JS})", "a newline in the destination"),
    _md(f'[x](#"onclick="{JS})', "quotes in a fragment"),
    _md(f'[x](https://ok.example/?a="onmouseover={JS})', "quotes in a query"),
    _md(f"[x](https://ok.example)<img src=x onerror={JS}>", "raw HTML after a link"),
    _md(f'<a href="javascript:{JS}">x</a>', "raw HTML is text in members' Markdown"),
    _md(f"`<script>{JS}</script>`", "HTML in a code span"),
    _md(f"    <script>{JS}</script>", "HTML in indented code"),
    _md(f"```html\n<img src=x onerror={JS}>\n```", "HTML in a fenced block"),
    _md(f"[x](javascript:{JS} 'title')", "single-quoted title"),
    _md(f"[x](javascript:{JS}){{onclick={JS}}}", "attribute-list syntax of other dialects"),
    _md(f"[x](\\javascript:{JS})", "a backslash before the scheme"),
    _md(f"[x](javascript\\:{JS})", "an escaped colon"),
    _md(f"<mailto:x@ok.example?body=<script>{JS}</script>>", "mailto carrying markup"),
    _md(f"https://ok.example/<script>{JS}</script>", "a bare URL followed by markup"),
    _md(f'www.ok.example/"onmouseover="{JS}', "bare www without a scheme"),
    _md(f"[x]: javascript:{JS}\n\n[x]", "definition before use"),
    _md(f"[x](<https://ok.example> onclick={JS})", "trailing text after a destination"),
]

HIDDEN_CHARACTERS_IN_LINKS = [
    _html('<a href="https://bank.example/\u202egpj.exe">x</a>', "raw right-to-left override"),
    _html('<a href="https://bank.example/&#x202E;gpj.exe">x</a>', "RLO as an entity"),
    _html('<a href="https://bank.example/%E2%80%AEgpj.exe">x</a>', "RLO percent-encoded"),
    _html('<a href="https://bank.example/%e2%80%8b">x</a>', "zero-width space, lower-case hex"),
    _html('<a href="https://bank.example/\u2028">x</a>', "raw line separator"),
    _html('<a href="https://bank.example/&#8232;">x</a>', "line separator entity"),
    _html('<a href="https://bank.example/%E2%80%A9">x</a>', "paragraph separator encoded"),
    _html('<a href="https://bank.example/\u200e">x</a>', "left-to-right mark"),
    _html('<a href="https://bank.example/%E2%80%8F">x</a>', "right-to-left mark encoded"),
    _html('<a href="https://bank.example/\u061c">x</a>', "Arabic letter mark"),
    _html('<a href="https://bank.example/%D8%9C">x</a>', "Arabic letter mark encoded"),
    _html('<a href="https://bank.example/\u2066x\u2069">x</a>', "isolates"),
    _html('<a href="https://bank.example/%E2%81%A7">x</a>', "right-to-left isolate encoded"),
    _html('<a href="https://bank.example/\ufeff">x</a>', "byte order mark"),
    _html('<a href="https://bank.example/%7F">x</a>', "DEL encoded"),
    _html('<a href="https://bank.example/%C2%85">x</a>', "next line (C1) encoded"),
    _html('<a href="https://ex\u200dample.example/">x</a>', "zero-width joiner in the host"),
    _html('<a href="https://bank.example/%252E%25E2%2580%25AE">x</a>', "double-encoded RLO"),
    _md("[x](https://bank.example/\u202egpj.exe)", "Markdown, raw RLO"),
    _md("[x](https://bank.example/%E2%80%AE)", "Markdown, RLO percent-encoded"),
    _md("[x](https://bank.example/&#x202E;)", "Markdown, RLO entity"),
    _md("[x](https://ex\u2028ample.example)", "Markdown, a separator in the host (punycoded)"),
    _md("<https://bank.example/\u200b>", "autolink with a zero-width space"),
    _md("See https://bank.example/\u2066x now", "bare URL with an isolate"),
    _md("[x][r]\n\n[r]: https://bank.example/\u202a", "reference with an embedding"),
    _md("[x](https://bank.example/%00)", "Markdown, NUL encoded"),
]

COMMENTS_AND_OTHER_ELEMENTS = [
    _html(f"<!--><img src=x onerror={JS}>-->", "a comment that ends at once"),
    _html(f"<!-- --!><img src=x onerror={JS}>", "--!> ends a comment"),
    _html(f"<!--[if IE]><img src=x onerror={JS}><![endif]-->", "conditional comment"),
    _html(f'<?xml version="1.0"?><img src=x onerror={JS}>', "processing instruction"),
    _html(f"<![CDATA[<img src=x onerror={JS}>]]>", "CDATA outside foreign content"),
    _html(f"<base href=javascript:{JS}//>", "base changes every relative link"),
    _html(
        f'<meta http-equiv="refresh" content="0;url=javascript:{JS}">',
        "meta refresh",
    ),
    _html("<link rel=stylesheet href=//evil.example/x.css>", "a stylesheet from elsewhere"),
    _html(f"<object data=javascript:{JS}></object>", "object"),
    _html(f"<embed src=javascript:{JS}>", "embed"),
    _html(f"<form action=javascript:{JS}><button>x</button></form>", "form action"),
    _html(f"<isindex action=javascript:{JS} type=image>", "isindex"),
    _html("<img src=x:alert(alt) onerror=eval(src) alt=0>", "eval of its own source"),
    _html(f"<math><a xlink:href=javascript:{JS}>x</a></math>", "MathML link"),
    _html(f"<div><div><p><a href=javascript:{JS}>x</a></p></div></div>", "nested divs"),
    _html(f"<a href=javascript:{JS}><em>x</em></a>", "markup inside a refused link"),
    _html(f'<a href="https://ok.example"><a href="javascript:{JS}">y</a></a>', "nested links"),
    _html(f"<button formaction=javascript:{JS}>x</button>", "button formaction"),
    _html("<frameset onload=alert(1)>", "frameset"),
    _html("<image src=x onerror=alert(1)>", "image is parsed as img"),
]

_DEPTH = 2000
HUGE_OR_DEEP = [
    _html("<div>" * _DEPTH + "x" + "</div>" * _DEPTH, "thousands of nested divs"),
    _html("<em>" * _DEPTH + "x", "thousands of unclosed em"),
    _html("<blockquote>" * _DEPTH + f"<a href=javascript:{JS}>x</a>", "deep quote with a link"),
    _html("<svg>" * 500 + f"<img src=x onerror={JS}>", "deep svg"),
    _html('<a href="' + "a" * 100_000 + '">x</a>', "a very long href"),
    _html("&#" * 20_000, "thousands of broken references"),
    _html("<p>" + "<b>" * 3000 + "</p>", "misnested formatting elements"),
    _md(">" * 5000 + f" [x](javascript:{JS})", "thousands of quote levels"),
    _md("*" * 20_000, "thousands of emphasis markers"),
    _md("[" * 10_000 + f"](javascript:{JS})", "thousands of open brackets"),
    _md("".join("  " * i + "- x\n" for i in range(300)), "hundreds of nested list levels"),
    _md(f"[x](javascript:{JS}) " * 2000, "thousands of refused links"),
    _md("<" * 10_000 + "script>", "thousands of angle brackets"),
    _md("`" * 5000 + "<script>", "thousands of backticks"),
]

CORPUS: list[Hostile] = [
    *ENCODED_JAVASCRIPT_URLS,
    *EVENT_HANDLERS,
    *NAMESPACE_CONFUSION,
    *RAW_TEXT_ELEMENTS,
    *TEMPLATE_AND_SELECT,
    *ATTRIBUTE_BREAKOUTS,
    *MARKDOWN_LINK_TRICKS,
    *HIDDEN_CHARACTERS_IN_LINKS,
    *COMMENTS_AND_OTHER_ELEMENTS,
    *HUGE_OR_DEEP,
]
