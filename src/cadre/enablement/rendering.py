"""Markdown to safe HTML: rendered with Python-Markdown, then sanitised with nh3.

Only basic formatting survives the sanitiser: headings, paragraphs, lists, emphasis, quotes,
code, tables and links (which get ``rel="noopener noreferrer"``). Scripts, styles, iframes,
images, event handlers and ``javascript:`` links are removed.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def markdown_render(text: str) -> SafeString:
    """The Markdown ``text`` as sanitised HTML, safe to put in a page."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        clean_content_tags={"script", "style"},
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)
