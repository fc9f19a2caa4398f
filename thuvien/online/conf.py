"""Settings of the online services, inherited down the organisation tree."""

from django.utils.translation import gettext_lazy as _

from thuvien.core.unit_settings import register

register("online.postal_days", 5, _("Số ngày gửi bưu điện cộng thêm vào hạn trả khi mượn qua bưu điện"),
         min=0, max=60)
register("online.copyright_share", 20, _("Tỷ lệ tối đa (%) của tác phẩm được sao chụp cho một yêu cầu"),
         min=1, max=100)
register("online.questions_per_hour", 5, _("Số câu hỏi tối đa mỗi giờ từ một địa chỉ IP hoặc phiên"),
         min=1, max=1000)
