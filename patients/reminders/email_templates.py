"""Patient email templates, translated once per language and then rendered without i18n tags.

A reminder's templates are mostly fixed sentences in `{% translate %}` and `{% blocktranslate %}`
tags, and Django renders those tags anew for every email (a catalogue lookup, a context push,
formatting): about half the time of rendering an email. Here each template is read once per
language with those tags replaced by their translation (the variables of a blocktranslate become
`{{ ... }}` again, so they are escaped exactly as before) and kept compiled. The templates on disk
stay ordinary Django templates: `makemessages` reads them, and any tag form this does not
recognise is left as it is and rendered by Django as usual.
"""

from __future__ import annotations

import re
from functools import cache

from django.template import Context, Engine, engines
from django.template.loaders import cached, filesystem
from django.utils import translation
from django.utils.text import unescape_string_literal

_TRANSLATE = re.compile(r'{%\s*translate\s+("(?:[^"\\]|\\.)*")\s*%}')
_BLOCK = re.compile(r"{%\s*blocktranslate(?P<with>(?:\s+with(?:\s+\w+=[^\s%]+)+)?)\s*%}(?P<body>.*?)"
                    r"{%\s*endblocktranslate\s*%}", re.S)
_BINDING = re.compile(r"(\w+)=([^\s%]+)")
_BODY_VARIABLE = re.compile(r"{{\s*(\w+)\s*}}")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
# Text that the template language would read as syntax: such a translation keeps its tag.
_SYNTAX = re.compile(r"{[{%#]|[}%#]}")


def _translate(match: re.Match) -> str:
    text = translation.gettext(unescape_string_literal(match.group(1)))
    return match.group(0) if _SYNTAX.search(text) else text


def _blocktranslate(match: re.Match) -> str:
    body = match.group("body")
    if "{%" in body or _SYNTAX.search(_BODY_VARIABLE.sub("", body)):
        return match.group(0)  # plural, nested tags or odd syntax: Django renders it as usual
    bindings = dict(_BINDING.findall(match.group("with") or ""))
    # The message id as Django builds it: {{ name }} becomes %(name)s, a literal % becomes %%.
    names = _BODY_VARIABLE.findall(body)
    if any(name not in bindings for name in names):
        return match.group(0)  # a variable from the outer context: leave it to Django
    msgid = "".join(
        f"%({piece})s" if i % 2 else piece.replace("%", "%%") for i, piece in enumerate(_BODY_VARIABLE.split(body))
    )
    text = translation.gettext(msgid)
    if _SYNTAX.search(_PLACEHOLDER.sub("", text)):
        return match.group(0)

    def variable(placeholder: re.Match) -> str:
        return "%" if placeholder.group(0) == "%%" else "{{ " + bindings[placeholder.group(1)] + " }}"

    try:
        return _PLACEHOLDER.sub(variable, text)
    except KeyError:  # a translation naming a variable the tag does not bind: keep Django's handling
        return match.group(0)


def pretranslate(source: str) -> str:
    """The template source with its plain translate and blocktranslate tags replaced by their
    translation into the active language."""
    return _TRANSLATE.sub(_translate, _BLOCK.sub(_blocktranslate, source))


class Loader(filesystem.Loader):
    """Reads a template and translates its tags into the active language."""

    def get_contents(self, origin) -> str:
        return pretranslate(super().get_contents(origin))


class PerLanguageCache(cached.Loader):
    """Keeps one compiled template per name and language."""

    def cache_key(self, template_name, skip=None) -> str:
        return f"{translation.get_language()}:{super().cache_key(template_name, skip)}"


@cache
def _engine() -> Engine:
    base = engines["django"].engine
    return Engine(
        dirs=base.dirs,
        loaders=[(
            "patients.reminders.email_templates.PerLanguageCache",
            ["patients.reminders.email_templates.Loader"],
        )],
        string_if_invalid=base.string_if_invalid,
        file_charset=base.file_charset,
        libraries=base.libraries,
        builtins=[name for name in base.builtins if name not in Engine.default_builtins],
        autoescape=base.autoescape,
    )


def render_email(template_name: str, context: dict) -> str:
    """Render an email template in the active language (as render_to_string would, without a request)."""
    engine = _engine()
    return engine.get_template(template_name).render(Context(context, autoescape=engine.autoescape))
