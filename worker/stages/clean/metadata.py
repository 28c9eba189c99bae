"""The page's metadata (title, author, date, site, url) read once from the parsed tree.

The steps of trafilatura's ``extract_metadata`` for the fields the stage keeps, in its order,
without the categories, tags and licence it would also look for (a third of its time).
Dates come only from the page's markup, metadata or URL: htmldate's extensive search would take
a date the story mentions ("until March 3, 2018") for the publication date.
"""

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from htmldate import find_date
from trafilatura import metadata as page_meta
from trafilatura.settings import Document

_SITE_FROM_URL = re.compile(r"https?://(?:www\.|w[0-9]+\.)?([^/]+)")
FIELDS = ("title", "author", "date", "sitename", "url")


def page_metadata(tree: Any, url: str | None) -> dict[str, Any]:  # an lxml HtmlElement
    """``{title, author, date, sitename, url}`` of a parsed page (values may be None)."""
    try:
        found = page_meta.examine_meta(tree)
        if found.author and " " not in found.author:
            found.author = None
        with contextlib.suppress(Exception):  # trafilatura's JSON-LD reader has its own bugs
            found = page_meta.extract_meta_json(tree, found)
        found.title = found.title or page_meta.extract_title(tree)
        found.author = found.author or page_meta.extract_author(tree)
        found.url = found.url or page_meta.extract_url(tree, url)
        found.date = find_date(
            tree,
            url=found.url,
            original_date=True,
            extensive_search=False,
            max_date=datetime.now(UTC).strftime("%Y-%m-%d"),
        )
        found.sitename = found.sitename or page_meta.extract_sitename(tree)
    except (ValueError, TypeError, AttributeError):
        return {}
    if found.sitename:
        site = found.sitename.lstrip("@")
        found.sitename = site.title() if site and "." not in site and not site[0].isupper() else site
    elif found.url and (match := _SITE_FROM_URL.match(found.url)):
        found.sitename = match[1]
    trimmed = Document()
    for name in FIELDS:
        setattr(trimmed, name, getattr(found, name))
    trimmed.clean_and_trim()
    return {name: getattr(trimmed, name) for name in FIELDS}
