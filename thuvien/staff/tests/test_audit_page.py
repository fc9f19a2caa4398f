"""/staff/audit/ renders every action the code can write, in words (it once answered 500 on a
`catalog.import` entry whose changes held the key `items`)."""

import ast
from pathlib import Path

from thuvien.core.models import AuditEntry
from thuvien.staff import audit_display

SOURCE = Path(__file__).resolve().parents[2]


def _written_actions() -> tuple[set[str], set[str]]:
    """(literal actions, f-string prefixes) passed as `action=` to audit() or the desk's batched entry,
    plus the `<action>.override` entries of circulation's override check."""
    literal: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name == "_authorise_override" and len(node.args) == 5 and isinstance(node.args[4], ast.Constant):
                literal.add(f"{node.args[4].value}.override")
            if name not in ("audit", "_audit_entry", "AuditEntry"):
                continue
            for kw in node.keywords:
                if kw.arg != "action":
                    continue
                if isinstance(kw.value, ast.JoinedStr) and isinstance(kw.value.values[0], ast.Constant):
                    prefixes.add(str(kw.value.values[0].value))
                literal.update(c.value for c in ast.walk(kw.value)
                               if isinstance(c, ast.Constant) and isinstance(c.value, str)
                               and not isinstance(kw.value, ast.JoinedStr))
    return literal, prefixes


def test_every_action_written_has_words():
    literal, prefixes = _written_actions()
    assert {"loan.checkout", "catalog.import", "fine.pay", "fine.waive", "loan.override"} <= literal
    known = set(audit_display.known_actions())
    assert sorted(literal - known) == []
    for prefix in prefixes:
        assert any(a.startswith(prefix) for a in known), prefix


def test_audit_page_renders_one_entry_of_every_action_in_words(client, net, admin_user):
    actions = audit_display.known_actions()
    for action in actions:
        AuditEntry.objects.create(actor=admin_user, actor_label="admin", unit=net.a, action=action,
                                  object_type="catalog.item", object_id="7", object_repr="TV000001",
                                  changes={"items": 12, "status": ["on_loan", "in_transit"], "keys": {"a": [1, 2]},
                                           "values": [None, "x" * 500], "note": "dòng ghi chú"})
    AuditEntry.objects.create(actor=None, actor_label="system", unit=net.b, action="catalog.import",
                              object_type="catalog.bibrecord", changes={"created": [1, 2], "updated": list(range(1, 21)),
                                                                        "authorities": [], "items": 3})
    AuditEntry.objects.create(actor=admin_user, actor_label="admin", unit=net.a, action="hold.cancel",
                              object_type="circulation.hold", object_id="3",
                              changes={"state": ["ready", "cancelled"]})
    AuditEntry.objects.create(actor=admin_user, actor_label="admin", unit=net.a, action="some.future_action",
                              object_type="nowhere.model", changes=["not", "a", "dict"])
    client.force_login(admin_user)
    pages = []
    for number in range(1, (len(actions) + 3 + 49) // 50 + 1):  # 50 entries a page
        response = client.get("/staff/audit/", {"page": number})
        assert response.status_code == 200
        pages.append(response.content.decode())
    html = "".join(pages)
    for action in actions:
        assert f'title="{action}">{audit_display.action_label(action)}</td>' in html, action
    # catalog.import stores lists of ids, not [before, after]: its values are listed, not arrowed
    assert html.count("Đang cho mượn → Đang chuyển") == len(actions) - 1
    assert html.count("Đang cho mượn, Đang chuyển") == 1
    assert "Sẵn sàng, chờ bạn đọc nhận → Đã huỷ" in html
    assert "<b>biểu ghi tạo mới</b>: 1, 2" in html and "<b>số bản tài liệu</b>: 3" in html
    assert "<b>biểu ghi cập nhật</b>: 20 mục: 1, 2, 3, 4, 5, 6, 7, 8…" in html
    assert "<b>trạng thái</b>: " in html and "on_loan" not in html
    assert "some.future_action" in html  # an action without words yet is still shown, as its code


def test_audit_page_filters_by_action(client, net, admin_user):
    for action in ("loan.checkout", "loan.checkin", "fine.pay"):
        AuditEntry.objects.create(actor=admin_user, actor_label="admin", unit=net.a, action=action,
                                  object_type="circulation.loan", changes={})
    client.force_login(admin_user)
    html = client.get("/staff/audit/", {"action": "loan.checkin", "items": "1"}).content.decode()
    assert 'title="loan.checkin">Trả tài liệu</td>' in html
    assert 'title="loan.checkout"' not in html and 'title="fine.pay"' not in html
    assert '<option value="loan.checkin" selected>Trả tài liệu</option>' in html
