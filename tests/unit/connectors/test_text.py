"""HTML and e-mail text to the customer's latest words."""

from __future__ import annotations

import pytest

from agent_assist.connectors.text import MAX_CHARS, html_to_text, plain_text


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Hello,</p><p>I was charged <b>twice</b>.</p>", "Hello,\n\nI was charged twice."),
        ("Line one<br>Line two<br/>Line three", "Line one\nLine two\nLine three"),
        ("<ul><li>first</li><li>second</li></ul>", "- first\n\n- second"),
        ("<p>Tom &amp; Jerry&nbsp;&lt;3</p>", "Tom & Jerry <3"),
        ("<style>p{color:red}</style><script>alert(1)</script><p>Real text</p>", "Real text"),
        (
            '<div>New question</div><div class="gmail_quote">On Mon, A wrote:<br>old</div>',
            "New question",
        ),
        ("<p>Reply</p><blockquote>the quoted history</blockquote>", "Reply"),
        ('<p>Hi</p><div id="divRplyFwdMsg">From: x</div>', "Hi"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, expected: str) -> None:
    assert html_to_text(html) == expected


def test_quotes_are_kept_when_asked() -> None:
    assert "quoted" in html_to_text("<p>a</p><blockquote>quoted</blockquote>", strip_quotes=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Still broken.\n\nOn Tue, 2 Dec 2026, Support wrote:\n> try again", "Still broken."),
        (
            "Sigue sin funcionar.\n\nEl lun, 1 dic 2026, Soporte escribió:\n> hola",
            "Sigue sin funcionar.",
        ),
        ("New words\r\n\r\n> old words\r\n> more old", "New words"),
        ("> a customer quoting first\nthen writing", "> a customer quoting first\nthen writing"),
        ("Thanks\n-----Original Message-----\nFrom: us", "Thanks"),
        ("Thanks\n\nFrom: Support <s@x>\nSent: Monday\nold", "Thanks"),
        ("From: my account page I cannot log in", "From: my account page I cannot log in"),
        ("a\n\n\n\nb   \n", "a\n\nb"),
    ],
)
def test_plain_text(text: str, expected: str) -> None:
    assert plain_text(text) == expected


def test_input_is_bounded() -> None:
    huge = "<p>" + "word " * (MAX_CHARS // 2) + "</p>"
    assert len(html_to_text(huge)) <= MAX_CHARS
    assert len(plain_text("x" * (MAX_CHARS * 3))) == MAX_CHARS
