"""Sphinx extension: a reference to a re-exported name links to where the object is documented.

The reference documents every object once, in the module that is its home
(``mastery_grading.fairness.audit.audit``), while users import it from where they meet it
(``mastery_grading.testing.audit``, ``mastery_grading.policies.kernel_for``). Sphinx already
links a class under both names (autodoc gives it a ``:canonical:`` alias) but not a function
or a constant. This extension closes the gap: when a Python reference to a ``mastery_grading``
name finds no target, it imports the name, and if the very same object is documented under
another name, links there. Nothing is silenced: a name that does not import, or an object
documented nowhere, still warns.
"""

from __future__ import annotations

import importlib
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.nodes import make_refnode

PACKAGE = "mastery_grading"

#: Values that are not one object but a value shared by many names (an interned string, a
#: number): identity says nothing about them.
_PLAIN = (str, bytes, int, float, bool, type(None), tuple, frozenset)


#: The index of :func:`_documented`, built on the first missing reference of a build (kept
#: off the environment, which Sphinx pickles).
_INDEX: dict[int, tuple[Any, str]] = {}


def _import(name: str) -> tuple[bool, Any]:
    """Return ``(True, object)`` for the dotted ``name``, or ``(False, None)``."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for part in parts[cut:]:
                found = getattr(found, part)
        except AttributeError:
            return False, None
        return True, found
    return False, None


def _documented(env: Any) -> dict[int, tuple[Any, str]]:
    """Every documented ``mastery_grading`` object by identity: ``id -> (object, name)``.

    The objects are kept in the map, so no identity is reused while it lives.
    """
    domain = env.get_domain("py")
    index: dict[int, tuple[Any, str]] = {}
    for name, entry in sorted(domain.objects.items()):
        if entry.aliased or not name.startswith(PACKAGE + ".") or entry.objtype == "module":
            continue
        ok, obj = _import(name)
        if ok and not isinstance(obj, _PLAIN):
            index.setdefault(id(obj), (obj, name))
    return index


def _resolve(app: Sphinx, env: Any, node: Any, contnode: nodes.Element) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    module = node.get("py:module")
    candidates = [target] + ([f"{module}.{target}"] if module else [])
    candidates = [name for name in candidates if name.startswith(PACKAGE + ".")]
    if not candidates:
        return None
    if not _INDEX:
        _INDEX.update(_documented(env))
    index = _INDEX
    domain = env.get_domain("py")
    for name in candidates:
        ok, obj = _import(name)
        if not ok or isinstance(obj, _PLAIN):
            continue
        found = index.get(id(obj))
        if found is None or found[0] is not obj:
            continue
        entry = domain.objects[found[1]]
        return make_refnode(
            app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, found[1]
        )
    return None


def _forget(app: Sphinx, env: Any, *args: Any) -> None:
    """Drop the index: it is built again, once, after every document is read."""
    _INDEX.clear()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the fallback resolver."""
    app.connect("missing-reference", _resolve)
    app.connect("env-updated", _forget)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
