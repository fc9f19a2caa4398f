"""Every bulk write to a model that keeps `updated_at` sets it (satellites sync on it): the test walks
every such model and every `.update(` / `bulk_update(` call site of the source (AST), resolving the
queryset's model from `Model.objects`, a reverse accessor (`patron.loans`) or a local variable."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from thuvien.core.stamps import has_updated_at, with_updated_at

SOURCE = Path(__file__).resolve().parents[2]
DYNAMIC = "dynamic"
NOT_A_QUERYSET = "dict"
# A write that is not a change of the object (a cache filled in) says so on its line, with a reason.
PRAGMA = "# not a change:"


def _maps() -> tuple[dict[str, type[models.Model]], dict[str, set[type[models.Model]]]]:
    by_name: dict[str, type[models.Model]] = {}
    by_accessor: dict[str, set[type[models.Model]]] = {}
    for model in apps.get_models():
        by_name[model.__name__] = model
        for rel in model._meta.related_objects:
            by_accessor.setdefault(rel.get_accessor_name() or "", set()).add(rel.related_model)  # type: ignore[arg-type]
    return by_name, by_accessor


def _assignments(func: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found.setdefault(node.target.id, []).append(node.value)
    if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):  # a parameter annotated as a dict
        for arg in func.args.args + func.args.kwonlyargs:
            if arg.annotation is not None and ast.unparse(arg.annotation).split("[")[0] in ("dict", "Mapping"):
                found.setdefault(arg.arg, []).append(ast.Dict(keys=[], values=[]))
    return found


def _resolve(expr: ast.expr, scope: dict[str, list[ast.expr]], seen: frozenset[str] = frozenset()) -> set:
    by_name, by_accessor = _maps()
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Name) and expr.func.id == "dict":
            return {NOT_A_QUERYSET}
        return _resolve(expr.func.value, scope, seen) if isinstance(expr.func, ast.Attribute) else {DYNAMIC}
    if isinstance(expr, ast.Dict | ast.DictComp):
        return {NOT_A_QUERYSET}
    if isinstance(expr, ast.Attribute):
        if expr.attr in ("objects", "_default_manager"):
            if isinstance(expr.value, ast.Name) and expr.value.id in by_name:
                return {by_name[expr.value.id]}
            return {DYNAMIC}
        if expr.attr in by_accessor:
            return set(by_accessor[expr.attr])
        return _resolve(expr.value, scope, seen)
    if isinstance(expr, ast.Name) and expr.id in scope and expr.id not in seen:
        out: set = set()
        for value in scope[expr.id]:
            out |= _resolve(value, scope, seen | {expr.id})
        return out
    return {DYNAMIC}


def _enclosing_functions(tree: ast.Module) -> dict[int, ast.AST]:
    owner: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for child in ast.walk(node):
                owner.setdefault(id(child), node)  # the outermost function: its assignments are in scope
    return owner


def _sets_updated_at(call: ast.Call) -> bool:
    if any(kw.arg == "updated_at" for kw in call.keywords):
        return True
    for kw in call.keywords:  # **with_updated_at(model, ...)
        if kw.arg is None and isinstance(kw.value, ast.Call) and getattr(kw.value.func, "id", "") == "with_updated_at":
            return True
    if call.func.attr == "bulk_update" and len(call.args) >= 2:  # type: ignore[union-attr]
        fields = call.args[1]
        return isinstance(fields, ast.List | ast.Tuple) and any(
            isinstance(e, ast.Constant) and e.value == "updated_at" for e in fields.elts)
    return False


def _call_sites() -> list[tuple[str, ast.Call, set]]:
    sites = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        owner = _enclosing_functions(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr == "update" and node.keywords and not node.args:  # QuerySet.update(**kwargs)
                pass
            elif node.func.attr != "bulk_update":
                continue
            if any(PRAGMA in lines[n - 1] for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)):
                continue
            func = owner.get(id(node), tree)
            sites.append((f"{path.relative_to(SOURCE.parent)}:{node.lineno}", node,
                          _resolve(node.func.value, _assignments(func))))
    return sites


def test_every_model_with_updated_at_stamps_it_on_save():
    stamped = [m for m in apps.get_models() if has_updated_at(m)]
    assert {m._meta.label for m in stamped} >= {
        "catalog.BibRecord", "catalog.Item", "patrons.Patron", "circulation.Loan", "circulation.Hold",
        "circulation.Fine", "core.OrgUnit", "core.User"}
    for model in stamped:
        field = model._meta.get_field("updated_at")
        assert getattr(field, "auto_now", False), model._meta.label


def test_every_bulk_update_of_a_stamped_model_sets_updated_at():
    sites = _call_sites()
    assert len(sites) >= 10
    missing, unresolved = [], []
    for where, call, models_ in sites:
        if DYNAMIC in models_ and not _sets_updated_at(call):
            unresolved.append(where)
        elif any(m not in (DYNAMIC, NOT_A_QUERYSET) and has_updated_at(m) for m in models_) \
                and not _sets_updated_at(call):
            missing.append(where)
    assert missing == [], "bulk writes without updated_at"
    assert unresolved == [], "bulk writes whose model the scan cannot tell: set updated_at or use with_updated_at"


def test_the_scan_catches_a_forgotten_stamp():
    code = ast.parse("def f(patron):\n    qs = Loan.objects.filter(x=1)\n    qs.update(anonymised=True)\n"
                     "    patron.holds.update(state='x', updated_at=1)\n    d = {}\n    d.update(a=1)\n")
    func = code.body[0]
    calls = [n for n in ast.walk(func) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "update"]
    resolved = [(_resolve(c.func.value, _assignments(func)), _sets_updated_at(c)) for c in calls]  # type: ignore[attr-defined]
    loan, hold = apps.get_model("circulation.Loan"), apps.get_model("circulation.Hold")
    assert resolved == [({loan}, False), ({hold}, True), ({NOT_A_QUERYSET}, False)]


@pytest.mark.django_db
def test_with_updated_at_only_stamps_models_that_keep_it():
    assert set(with_updated_at(apps.get_model("circulation.Loan"), anonymised=True)) == {"anonymised", "updated_at"}
    assert with_updated_at(apps.get_model("patrons.Consent"), withdrawn_at=None) == {"withdrawn_at": None}
