"""Finds English a person reads that Python code hands over without the translation machinery.

The places where Python text reaches a page, a form, an API `detail` or a message: the message of
a ValidationError or a domain error (and of their subclasses defined here), django messages,
form and model labels (label, help_text, verbose_name, empty_label, placeholder, aria-label),
and the labels of choices. A plain string or f-string there, rather than gettext(...) of one, is
English that stays English in every language. Codes (`window_violation`) are not prose and pass."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ERRORS = {"ValidationError", "DomainError", "Conflict", "Unprocessable", "Forbidden",
          "AuthenticationFailed", "PermissionDenied", "NotFound", "ParseError", "APIException"}
MESSAGE_FUNCTIONS = {"success", "info", "warning", "error", "debug", "add_message"}
LABEL_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "detail", "message"}
LABEL_KEYS = {"placeholder", "aria-label", "title", "detail"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
# Not the staff's pages: migrations (frozen history), the demo's made-up data, console commands;
# the starter protocols' and consents' texts are data written in all five languages.
SKIP_PARTS = {"migrations", "demo", "management", "tests"}
SKIP_NAMES = {"starter.py", "starter_texts.py"}
# The API's own help texts and labels document it (OpenAPI) for developers, in English; its
# error messages still reach people and are checked.
API_DOCS = {"help_text", "label"}
_CODE = re.compile(r"[a-z0-9_.:/-]*")


def prose(node: ast.AST) -> bool:
    """A literal a person would read: an f-string, or a string that is not a code."""
    if isinstance(node, ast.JoinedStr):  # words in its own text, not only in what it puts together
        return any(prose(part) for part in node.values if isinstance(part, ast.Constant))
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value.strip()
    return bool(re.search(r"[^\W\d_]{2,}", text)) and not _CODE.fullmatch(text)


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def error_classes(trees: list[ast.Module]) -> set[str]:
    """ERRORS and every class defined in the code that derives from one of them."""
    names = set(ERRORS)
    grew = True
    while grew:
        grew = False
        for tree in trees:
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in names and any(
                        _name(base) in names for base in node.bases):
                    names.add(node.name)
                    grew = True
    return names


def _messages_of(node: ast.AST) -> list[ast.AST]:
    """An error's message, or the messages of an error given by field ({"reason": "..."}, lists)."""
    if isinstance(node, ast.Dict):
        return [message for value in node.values for message in _messages_of(value)]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [message for value in node.elts for message in _messages_of(value)]
    return [node]


def _choice_labels(node: ast.ClassDef) -> list[ast.AST]:
    found = []
    for statement in node.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Tuple):
            elements = statement.value.elts
            if len(elements) >= 2:
                found.append(elements[-1])
    return found


def _choices_list(node: ast.AST) -> list[ast.AST]:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    return [pair.elts[1] for pair in node.elts if isinstance(pair, ast.Tuple) and len(pair.elts) == 2]


def api_module(path: Path) -> bool:
    return "api" in path.parts or path.stem in ("api", "serializers", "filters", "schema") or path.stem.endswith("_api")


def literals(tree: ast.Module, errors: set[str], *, api: bool = False) -> list[tuple[int, str]]:
    """(line, text) of every untranslated literal of one module (of an API module: not its docs)."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in errors and node.args:
                found.extend(_messages_of(node.args[0]))
            if name in MESSAGE_FUNCTIONS and _name(getattr(node.func, "value", None) or node.func) == "messages":
                found.extend(node.args[1:2] if name != "add_message" else node.args[2:3])
            for keyword in node.keywords:
                if keyword.arg in LABEL_KEYWORDS and not (api and keyword.arg in API_DOCS):
                    found.append(keyword.value)
                elif keyword.arg == "choices":
                    found.extend(_choices_list(keyword.value))
        elif isinstance(node, ast.Dict):
            found.extend(value for key, value in zip(node.keys, node.values, strict=True)
                         if isinstance(key, ast.Constant) and key.value in LABEL_KEYS)
        elif isinstance(node, ast.ClassDef) and any(_name(base) in CHOICES_BASES for base in node.bases):
            found.extend(_choice_labels(node))
    hits = []
    for literal in found:
        if isinstance(literal, ast.BinOp):  # "..." % {...} without gettext
            literal = literal.left
        if prose(literal):
            text = literal.value if isinstance(literal, ast.Constant) else ast.unparse(literal)
            hits.append((literal.lineno, " ".join(text.split())[:80]))
    return sorted(set(hits))


def modules(root: Path, packages: tuple[str, ...]) -> list[Path]:
    return [path for package in packages for path in sorted((root / package).rglob("*.py"))
            if not SKIP_PARTS & set(path.relative_to(root).parts) and path.name not in SKIP_NAMES]


def literals_in_code(root: Path, packages: tuple[str, ...]) -> dict[str, list[tuple[int, str]]]:
    paths = modules(root, packages)
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in paths}
    errors = error_classes(list(trees.values()))
    report = {}
    for path, tree in trees.items():
        hits = literals(tree, errors, api=api_module(path))
        if hits:
            report[str(path.relative_to(root))] = hits
    return report


if __name__ == "__main__":
    import sys

    root = Path(__file__).resolve().parents[2]
    report = literals_in_code(root, tuple(sys.argv[1:]) or ("clinic", "patients", "protocols"))
    for path, hits in report.items():
        for line, text in hits:
            print(f"{path}:{line}: {text}")
    print(sum(len(hits) for hits in report.values()), "untranslated literals")
