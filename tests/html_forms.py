"""Read a form out of a page as a browser would submit it, untouched: every named input with its
value (ticked boxes and chosen radios only), every select's chosen options, every textarea."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""
        self._option: dict | None = None
        self._in_template = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if tag == "template":
            # A <template>'s content is inert: the browser does not submit it.
            self._in_template += 1
        if not self.inside or self._in_template:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "file", "reset"):
                self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name and "disabled" not in attrs:
            self._select, self._select_options = name, []
        elif tag == "option" and self._select is not None:
            self._option = {"value": attrs.get("value"), "selected": "selected" in attrs, "text": ""}
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._in_template:
            return
        if self._textarea is not None:
            self._text += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self._in_template -= 1
            return
        if not self.inside or self._in_template:
            return
        if tag == "form":
            self.inside = False
        elif tag == "option" and self._option is not None:
            value = self._option["value"] if self._option["value"] is not None else self._option["text"].strip()
            self._select_options.append((value, self._option["selected"]))
            self._option = None
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._select_options if selected]
            if not chosen and self._select_options:
                chosen = [self._select_options[0][0]]  # a browser sends the first option
            self.fields += [(self._select, value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # Browsers drop the one newline that follows <textarea>.
            self.fields.append((self._textarea, self._text[1:] if self._text.startswith("\n") else self._text))
            self._textarea = None


def form_fields(html: str, form_id: str) -> dict[str, list[str]]:
    """The form's fields as Django's test client posts them: {name: [values]}."""
    reader = _FormReader(form_id)
    reader.feed(html)
    assert reader.fields, f"no form #{form_id} with fields in the page"
    data: dict[str, list[str]] = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return data
