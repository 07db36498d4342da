"""What a report's HTML contains, read with the standard library's parser."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """Section ids, tags seen, image sources, link targets and the visible text."""

    def __init__(self, html: str):
        super().__init__()
        self.sections: list[str] = []
        self.tags: list[str] = []
        self.images: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "section" and attrs.get("id"):
            self.sections.append(attrs["id"])
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        if tag == "a":
            self.links.append(attrs.get("href", ""))

    def handle_data(self, data):
        self.text.append(data)

    @property
    def visible(self) -> str:
        return " ".join(self.text)
