"""Reader settings inherited down the organisation tree, and the consent wordings."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from thuvien.core.unit_settings import register

register("patron.self_registration_auto_approve", False, _("Tự động duyệt bạn đọc đăng ký trực tuyến"))
register("patron.card_prefix", "", _("Tiền tố số thẻ bạn đọc (để trống: dùng mã mạng lưới, ví dụ CB000011)"),
         type="text", max_length=8)

CONSENT_VERSION = "2026-01"
CHILD_AGE = 16  # Law 91/2025/QH15: a child is under 16; guardian consent needed
CHILD_OWN_CONSENT_AGE = 7  # ...and the child's own consent from age 7

# The exact wording shown for each purpose; stored with every consent given.
CONSENT_WORDING = {
    "service": _(
        "Tôi đồng ý để thư viện xử lý dữ liệu cá nhân của tôi (họ tên, ngày sinh, địa chỉ, điện thoại, "
        "thư điện tử, số CCCD nếu cung cấp) nhằm cấp thẻ bạn đọc và phục vụ mượn, trả, đặt mượn tài liệu. "
        "Dữ liệu được lưu đến khi tôi yêu cầu xoá hoặc thẻ hết hạn quá 2 năm."
    ),
    "reading_history": _(
        "Tôi đồng ý để thư viện lưu lịch sử các tài liệu tôi đã mượn (dữ liệu cá nhân nhạy cảm) để tôi "
        "xem lại trong tài khoản. Nếu không đồng ý, lịch sử được ẩn danh sau thời hạn quy định."
    ),
    "notices_email": _("Tôi đồng ý nhận thông báo nhắc trả, tài liệu đặt mượn đã sẵn sàng qua thư điện tử."),
    "notices_sms": _("Tôi đồng ý nhận thông báo nhắc trả, tài liệu đặt mượn đã sẵn sàng qua tin nhắn SMS."),
}
