from django import template
from django.utils.safestring import SafeString

from cadre.enablement.rendering import markdown_render

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Render Markdown as sanitised HTML: ``{{ module.body_markdown|markdown }}``."""
    return markdown_render(text or "")
