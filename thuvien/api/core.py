"""API endpoints for the network tree."""

from ninja import Router, Schema

from thuvien.core.selectors import unit_tree

router = Router(tags=["network"])


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    depth: int


@router.get("/units", response=list[UnitOut])
def units(request):  # type: ignore[no-untyped-def]
    """Every active unit of the network, in tree order."""
    out: list[UnitOut] = []

    def walk(nodes, parent):  # type: ignore[no-untyped-def]
        for n in nodes:
            out.append(UnitOut(code=n.unit.code, name=n.unit.name, kind=n.unit.kind.code, parent=parent,
                               depth=n.unit.depth))
            walk(n.children, n.unit.code)

    walk(unit_tree(), None)
    return out
