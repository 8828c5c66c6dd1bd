"""Following a keyset list's page links (templates/_pager.html) as a user does."""

import html
import re

_LINK = re.compile(r'<a href="([^"]+)"(?: rel="(?:next|prev)")?>([^<]+)</a>')


def page_links(body: str) -> dict[str, str]:
    """The pager's links by their English text: "First page", "Previous page", "Next page"."""
    nav = body.split('<ul class="pagination">', 1)
    if len(nav) < 2:
        return {}
    links = _LINK.findall(nav[1].split("</ul>", 1)[0])
    return {text: html.unescape(href) for href, text in links}


def walk(client, url: str, limit: int = 100) -> list[str]:
    """The bodies of the pages from ``url`` on, following "Next page" to the last."""
    bodies = []
    while url and len(bodies) < limit:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.get_data(as_text=True))
        url = page_links(bodies[-1]).get("Next page")
    return bodies
