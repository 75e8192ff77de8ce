from cadre.enablement.rendering import markdown_render


def test_markdown_renders_basic_formatting():
    html = markdown_render("## Goal\n\nAsk **one** question.\n\n- Listen\n- Pause")

    assert html == (
        "<h2>Goal</h2>\n<p>Ask <strong>one</strong> question.</p>\n"
        "<ul>\n<li>Listen</li>\n<li>Pause</li>\n</ul>"
    )


def test_scripts_styles_iframes_and_handlers_are_removed():
    html = markdown_render(
        "Hello <script>alert(1)</script><style>p{}</style>"
        '<iframe src="https://evil.example"></iframe><b onclick="x()">bold</b>'
    )

    assert html == "<p>Hello bold</p>"


def test_links_get_noopener_and_javascript_links_lose_their_address():
    html = markdown_render("[ok](https://example.org) [bad](javascript:alert(1))")

    assert html == (
        '<p><a href="https://example.org" rel="noopener noreferrer">ok</a> '
        '<a rel="noopener noreferrer">bad</a></p>'
    )
