"""Post bodies: a small Markdown subset rendered once on save, then sanitized by nh3."""
import re

import nh3
from markdown_it import MarkdownIt

from app.common.text import clean_line as text_clean_line

MAX_QUOTE_DEPTH = 3
ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "a", "blockquote", "code", "pre"}

# "zero" has every rule off; we switch on only the subset people need to argue a point.
_md = (
    MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True, "maxNesting": 12})
    .enable(["paragraph", "newline", "emphasis", "list", "link", "autolink", "blockquote",
             "backticks", "fence", "code", "escape", "entity"])
)
_QUOTE_PREFIX = re.compile(r"^[ \t]*((?:>[ \t]?)+)", re.MULTILINE)
# NUL and other control characters: PostgreSQL refuses NUL in text, and none belong in a post.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text or "")


def clean_line(text: str) -> str:
    """common.text.clean_line, also without control characters."""
    return text_clean_line(strip_controls(text))


def quote_depth(source: str) -> int:
    """How deeply the source nests quotes ('> > >' is 3)."""
    return max((match.group(1).count(">") for match in _QUOTE_PREFIX.finditer(source)), default=0)


def render(source: str) -> str:
    """Markdown to safe HTML: no raw HTML, no images, links marked as user content."""
    html = _md.render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        strip_comments=True,
    )


def link_count(source: str) -> int:
    return len(re.findall(r"(?:https?://|www\.)", source, re.IGNORECASE))


def quote(source: str, author_name: str) -> str:
    """The text a reply starts with when quoting a post."""
    lines = [f"> {line}" if line else ">" for line in source.splitlines()]
    return f"> **{author_name}**:\n" + "\n".join(lines) + "\n\n"
