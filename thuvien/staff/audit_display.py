"""The audit log in words: what each action, field and state code means, for the staff audit page.

Entries store codes (`loan.checkin`, `{"status": ["on_loan", "in_transit"]}`); the page shows
"Trả tài liệu" and "Đang cho mượn → Đang chuyển". Everything is built here as plain lists, so the
template never looks up keys of a stored dict (a change named `items` once broke the page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import ItemStatus
from thuvien.circulation.models import HoldState, LoanState, PaymentMethod
from thuvien.core.models import AuditEntry
from thuvien.patrons.models import DataRequestKind, PatronStatus

# Every action the code writes (a test scans the source for `audit(action=...)` and fails on a gap).
ACTION_LABELS: dict[str, Any] = {
    # online services (thuvien.online)
    "online.fee_set": _("Thêm mức phí"),
    "online.fee_delete": _("Xoá mức phí"),
    "online.exemption_set": _("Thêm đối tượng miễn phí"),
    "online.exemption_delete": _("Bỏ đối tượng miễn phí"),
    "online.question_ask": _("Bạn đọc gửi câu hỏi"),
    "online.question_assign": _("Giao câu hỏi"),
    "online.question_answer": _("Trả lời câu hỏi"),
    "online.question_forward": _("Chuyển câu hỏi sang thư viện khác"),
    "online.question_publish": _("Đăng câu hỏi lên trang hỏi đáp"),
    "online.question_unpublish": _("Gỡ câu hỏi khỏi trang hỏi đáp"),
    "online.copy_create": _("Bạn đọc yêu cầu sao chụp"),
    "online.copy_quote": _("Báo phí sao chụp"),
    "online.copy_accept": _("Bạn đọc đồng ý phí sao chụp"),
    "online.copy_cancel": _("Huỷ yêu cầu sao chụp"),
    "online.copy_refuse": _("Từ chối yêu cầu sao chụp"),
    "online.copy_pay": _("Ghi nhận thanh toán sao chụp"),
    "online.copy_done": _("Hoàn thành bản sao"),
    "online.copy_deliver": _("Giao bản sao"),
    "online.postal_request": _("Bạn đọc yêu cầu mượn qua bưu điện"),
    "online.postal_pack": _("Đóng gói bưu gửi"),
    "online.postal_ship": _("Giao bưu gửi cho bưu điện (bắt đầu mượn)"),
    "online.postal_return_sent": _("Bạn đọc gửi trả qua bưu điện"),
    "online.postal_return": _("Nhận lại tài liệu mượn qua bưu điện"),
    "online.postal_cancel": _("Huỷ yêu cầu mượn qua bưu điện"),
    "online.postal_refuse": _("Từ chối yêu cầu mượn qua bưu điện"),
    "online.suggestion_create": _("Bạn đọc đề nghị bổ sung"),
    "online.suggestion_accept": _("Nhận đề nghị bổ sung"),
    "online.suggestion_decline": _("Không nhận đề nghị bổ sung"),
    "catalog.bib_create": _("Tạo biểu ghi"),
    "catalog.bib_update": _("Sửa biểu ghi"),
    "catalog.bib_delete": _("Xoá biểu ghi"),
    "catalog.bib_merge": _("Gộp biểu ghi trùng"),
    "catalog.import": _("Nhập biểu ghi từ tệp"),
    "catalog.item_create": _("Thêm bản tài liệu"),
    "catalog.item_update": _("Sửa bản tài liệu"),
    "catalog.item_delete": _("Xoá bản tài liệu"),
    "catalog.quarantine_reimport": _("Nhập lại biểu ghi bị giữ lại"),
    "catalog.quarantine_discard": _("Bỏ biểu ghi bị giữ lại"),
    "circ.receipt_email": _("Gửi biên nhận qua thư điện tử"),
    "circ.rule_save": _("Lưu quy định mượn trả"),
    "circ.rule_delete": _("Xoá quy định mượn trả"),
    "consent.grant": _("Bạn đọc đồng ý"),
    "consent.withdraw": _("Bạn đọc rút lại sự đồng ý"),
    "fine.charge": _("Ghi khoản thu"),
    "fine.pay": _("Thu tiền phạt"),
    "fine.waive": _("Miễn tiền phạt"),
    "hold.place": _("Đặt mượn"),
    "hold.cancel": _("Huỷ đặt mượn"),
    "hold.change_pickup": _("Đổi nơi nhận tài liệu đặt mượn"),
    "hold.expire": _("Đặt mượn quá hạn nhận"),
    "item.damaged": _("Báo hư hỏng"),
    "item.in_house_use": _("Đọc tại chỗ"),
    "loan.checkout": _("Cho mượn"),
    "sip2.terminal.create": _("Thêm máy tự phục vụ SIP2"),
    "sip2.terminal.update": _("Sửa máy tự phục vụ SIP2"),
    "device_token.create": _("Tạo khoá API thiết bị"),
    "device_token.revoke": _("Thu hồi khoá API thiết bị"),
    "stocktake.start": _("Mở đợt kiểm kê"),
    "stocktake.close": _("Kết thúc đợt kiểm kê"),
    "portal.profile_update": _("Sửa toạ độ và dịch vụ của đơn vị"),
    "portal.hours_set": _("Sửa giờ mở cửa"),
    "portal.van_stop_save": _("Lưu điểm dừng xe lưu động"),
    "portal.van_stop_delete": _("Xoá điểm dừng xe lưu động"),
    "portal.news_save": _("Lưu tin tức"),
    "portal.news_delete": _("Xoá tin tức"),
    "portal.event_save": _("Lưu sự kiện"),
    "portal.registration_create": _("Đăng ký tham dự sự kiện"),
    "portal.registration_cancel": _("Huỷ đăng ký tham dự sự kiện"),
    "portal.attendance_record": _("Ghi nhận người tham dự sự kiện"),
    "portal.cover_upload": _("Tải lên ảnh bìa"),
    "portal.cover_delete": _("Xoá ảnh bìa"),
    "portal.list_create": _("Tạo danh sách tài liệu"),
    "portal.list_update": _("Sửa danh sách tài liệu"),
    "portal.list_delete": _("Xoá danh sách tài liệu"),
    "loan.checkin": _("Trả tài liệu"),
    "loan.renew": _("Gia hạn"),
    "loan.lost": _("Báo mất tài liệu"),
    "loan.claimed_returned": _("Bạn đọc báo đã trả"),
    "loan.anonymise": _("Ẩn danh lịch sử mượn"),
    "loan.override": _("Cho mượn vượt quy định"),
    "loan.renew.override": _("Gia hạn vượt quy định"),
    "network.merge": _("Hợp nhất đơn vị"),
    "patron.create": _("Cấp thẻ bạn đọc"),
    "patron.update": _("Sửa thông tin bạn đọc"),
    "patron.photo_set": _("Lưu ảnh chân dung bạn đọc"),
    "patron.photo_remove": _("Xoá ảnh chân dung bạn đọc"),
    "patron.self_update": _("Bạn đọc tự sửa thông tin"),
    "patron.approve": _("Duyệt thẻ bạn đọc"),
    "patron.renew_card": _("Gia hạn thẻ bạn đọc"),
    "patron.block": _("Khoá bạn đọc"),
    "patron.unblock": _("Mở khoá bạn đọc"),
    "patron.set_password": _("Đặt mật khẩu bạn đọc"),
    "patron.set_pin": _("Đặt mã PIN bạn đọc"),
    "patron.clear_pin": _("Xoá mã PIN bạn đọc"),
    "label_layout.create": _("Thêm khổ nhãn"),
    "label_layout.update": _("Sửa khổ nhãn"),
    "label_layout.delete": _("Xoá khổ nhãn"),
    "library_logo.set": _("Đặt logo thư viện"),
    "library_logo.remove": _("Xoá logo thư viện"),
    "patron.erase": _("Xoá dữ liệu bạn đọc"),
    "patron.request_export": _("Bạn đọc yêu cầu xuất dữ liệu"),
    "patron.request_correct": _("Bạn đọc yêu cầu đính chính dữ liệu"),
    "patron.request_delete": _("Bạn đọc yêu cầu xoá dữ liệu"),
    "patron.request_withdraw": _("Bạn đọc rút lại sự đồng ý"),
    "patron.request_resolve": _("Giải quyết yêu cầu của bạn đọc"),
    "protocols.harvest_source_create": _("Thêm nguồn thu thập"),
    "protocols.harvest_source_update": _("Sửa nguồn thu thập"),
    "protocols.harvest_start": _("Bắt đầu thu thập"),
    "protocols.sru_target_create": _("Thêm máy chủ SRU"),
    "protocols.sru_target_delete": _("Xoá máy chủ SRU"),
    "role.grant": _("Cấp vai trò"),
    "role.revoke": _("Thu hồi vai trò"),
    "staff.create": _("Tạo tài khoản nhân viên"),
    "unit.create": _("Tạo đơn vị"),
    "unit.update": _("Sửa đơn vị"),
    "unit.move": _("Chuyển đơn vị"),
    "unit.setting": _("Đổi thiết lập đơn vị"),
    "unitkind.save": _("Lưu loại đơn vị"),
    # actions added by the apps merged alongside (labels for the audit page)
    "catalog.change_request": _("Đề nghị sửa biểu ghi"),
    "catalog.change_request_resolve": _("Trả lời đề nghị sửa biểu ghi"),
    "digital.collection_create": _("Tạo bộ sưu tập số"),
    "digital.ingest": _("Nạp tài liệu số"),
    "digital.page_text": _("Sửa văn bản một trang số hoá"),
    "digital.reorder": _("Sắp xếp lại các trang số hoá"),
    "digital.fixity_damage": _("Phát hiện bản lưu trữ số bị hỏng"),
    "digital.repair": _("Khôi phục bản lưu trữ số"),
    "digital.page_replace": _("Thay một trang số hoá (quét lại)"),
    "digital.update": _("Sửa tài liệu số"),
    "digitisation.project_save": _("Lập dự án số hoá"),
    "digitisation.target_create": _("Thêm chỉ tiêu số hoá"),
    "digitisation.plan_add": _("Thêm tài liệu vào kế hoạch số hoá"),
    "digitisation.transition": _("Chuyển bước quy trình số hoá"),
    "digitisation.rescan_mark": _("Đánh dấu trang cần quét lại"),
    "patron.restrict": _("Hạn chế xử lý dữ liệu bạn đọc"),
    "patron.view": _("Xem hồ sơ bạn đọc"),
    "privacy.breach_notified": _("Đã báo cơ quan chức năng về sự cố dữ liệu"),
    "privacy.breach_record": _("Ghi sự cố lộ lọt dữ liệu"),
    "report.saved": _("Lưu báo cáo"),
    "report.subscribed": _("Đăng ký nhận báo cáo định kỳ"),
    "report.unsubscribed": _("Huỷ nhận báo cáo định kỳ"),
    "report.year_data": _("Nhập số liệu năm của đơn vị"),
    "staff.2fa_enabled": _("Bật xác thực hai bước"),
    "patron.reject": _("Từ chối đăng ký trực tuyến"),
    "outbound.allow": _("Cho phép kết nối tới máy chủ nội bộ"),
    "outbound.disallow": _("Bỏ cho phép kết nối tới máy chủ nội bộ"),
}
_DYNAMIC_PREFIXES = {"patron.request_": [str(k) for k in DataRequestKind.values]}

# Keys services write that are not a field of the object's model.
FIELD_LABELS: dict[str, Any] = {
    "item": _("bản tài liệu"), "patron": _("bạn đọc"), "due": _("hạn trả"), "due_at": _("hạn trả"),
    "route": _("hướng xử lý"), "fine": _("tiền phạt"), "reasons": _("lý do"), "reason": _("lý do"), "record": _("biểu ghi"),
    "pickup": _("nơi nhận"), "target": _("bản được chọn"), "amount": _("số tiền"), "method": _("hình thức"),
    "waived": _("số tiền miễn"), "note": _("ghi chú"), "charge": _("tiền bồi thường"), "count": _("số lượt"),
    "created": _("biểu ghi tạo mới"), "updated": _("biểu ghi cập nhật"), "authorities": _("biểu ghi chuẩn"),
    "items": _("số bản tài liệu"), "loans": _("lượt mượn"), "request": _("yêu cầu"), "block": _("lệnh khoá"),
    "role": _("vai trò"), "merged": _("đơn vị nhập vào"), "counts": _("số đối tượng chuyển"),
    "path": _("vị trí trong cây"), "from": _("từ ngày"), "resume": _("tiếp tục"), "username": _("tên đăng nhập"),
    "state": _("trạng thái"), "status": _("trạng thái"),
    "merged_record": _("biểu ghi gộp vào"), "merged_title": _("nhan đề biểu ghi gộp"), "moved": _("đã chuyển"),
    "merged_into": _("gộp vào biểu ghi"),
}
ROUTE_LABELS: dict[str, Any] = {
    "shelve": _("xếp lên giá"), "hold_here": _("giữ cho bạn đọc đặt mượn tại đây"),
    "transit_hold": _("chuyển đến nơi nhận đặt mượn"), "transit_home": _("chuyển về thư viện chủ quản"),
}
_NO_PAIRS = {"catalog.import"}  # its changes are lists of ids and counts, not [before, after]
_MAX = 200
_LIST = 8  # a longer list (the ids of an import) is shown as its length and first values


@dataclass(frozen=True)
class ChangeLine:
    label: str
    text: str


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action: str
    object_label: str
    changes: list[ChangeLine]


def action_label(action: str) -> str:
    """The action in words; an action this module does not know yet is shown as its code."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def known_actions() -> list[str]:
    actions = set(ACTION_LABELS)
    for prefix, kinds in _DYNAMIC_PREFIXES.items():
        actions.update(prefix + k for k in kinds)
    return sorted(actions)


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field_label(model: type[models.Model] | None, key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    if model is not None:
        for f in model._meta.concrete_fields:
            if key in (f.name, f.attname):
                return str(f.verbose_name)
    return key


def _choices_for(entry: AuditEntry, key: str) -> dict[str, str]:
    if key == "status":
        enum: type[models.TextChoices] = PatronStatus if entry.object_type == "patrons.patron" else ItemStatus
    elif key == "state":
        enum = HoldState if entry.object_type == "circulation.hold" or entry.action.startswith("hold.") else LoanState
    elif key == "method":
        enum = PaymentMethod
    elif key == "route":
        return {k: str(v) for k, v in ROUTE_LABELS.items()}
    else:
        return {}
    return {str(v): str(label) for v, label in enum.choices}


def _text(value: Any, words: dict[str, str]) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, bool):
        return str(_("có") if value else _("không"))
    if isinstance(value, str):
        text = words.get(value, value)
    elif isinstance(value, list) and all(not isinstance(v, list | dict) for v in value):
        shown = ", ".join(_text(v, words) for v in value[:_LIST]) or "∅"
        text = shown if len(value) <= _LIST else str(_("%(n)s mục: %(first)s…") % {"n": len(value), "first": shown})
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
    else:
        text = str(value)
    return text if len(text) <= _MAX else text[:_MAX - 1] + "…"


def change_lines(entry: AuditEntry) -> list[ChangeLine]:
    """The entry's changes as (label, "before → after") lines, whatever shape the stored JSON has."""
    changes = entry.changes
    if not isinstance(changes, dict):
        return [ChangeLine("", _text(changes, {}))] if changes else []
    model = _model(entry.object_type)
    lines = []
    for key, value in changes.items():
        key = str(key)
        words = _choices_for(entry, key)
        if isinstance(value, list) and len(value) == 2 and entry.action not in _NO_PAIRS:
            text = f"{_text(value[0], words)} → {_text(value[1], words)}"
        else:
            text = _text(value, words)
        lines.append(ChangeLine(_field_label(model, key), text))
    return lines


def object_label(entry: AuditEntry) -> str:
    model = _model(entry.object_type)
    name = str(model._meta.verbose_name) if model is not None else entry.object_type
    number = f" #{entry.object_id}" if entry.object_id else ""
    return f"{name}{number} {entry.object_repr}".strip()


def audit_rows(entries: Any) -> list[AuditRow]:
    """One display row per entry of a page of the audit log."""
    return [AuditRow(entry=e, action=action_label(e.action), object_label=object_label(e), changes=change_lines(e))
            for e in entries]
