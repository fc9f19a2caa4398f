"""Demo portal content: opening hours, coordinates and services of the demo units, a van timetable
with future stops, news (one with an image) and events (one past with attendance, upcoming ones
including Vietnam Book and Reading Culture Day, 21 April)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import TextIO

from django.core.files.uploadedfile import SimpleUploadedFile

from thuvien.core.demo import system_user
from thuvien.core.models import OrgUnit
from thuvien.portal import services
from thuvien.portal.models import Event, EventKind, Registration, VanStop
from thuvien.portal.selectors import HCM

T = dt.time
OFFICE = [(T(7, 30), T(11, 30)), (T(13, 30), T(17, 0))]
HOURS = {
    "CB-TVT": {**{d: OFFICE for d in range(5)}, 5: [(T(7, 30), T(11, 30))], 6: [(T(8, 0), T(11, 0))]},
    "CB-HA": {d: OFFICE for d in range(5)},
    "CB-TK": {d: OFFICE for d in range(5)},
    "CB-HA-DC": {1: [(T(14, 0), T(17, 0))], 3: [(T(14, 0), T(17, 0))], 5: [(T(8, 0), T(11, 0))]},
    "CB-TK-DN": {d: [(T(14, 0), T(17, 0))] for d in (0, 2, 4)},
}
PROFILES = {
    "CB-TVT": ("22.665410", "106.257780", "Mượn về nhà\nĐọc tại chỗ\nPhòng đọc thiếu nhi\nTra cứu trực tuyến\n"
               "Internet miễn phí\nThư viện số"),
    "CB-HA": ("22.688500", "106.223900", "Mượn về nhà\nĐọc tại chỗ\nPhòng đọc thiếu nhi"),
    "CB-TK": ("22.836700", "106.523800", "Mượn về nhà\nĐọc tại chỗ"),
    "CB-HA-DC": ("22.704100", "106.193600", "Đọc tại chỗ\nMượn về nhà"),
    "CB-TK-DN": ("22.830300", "106.517500", "Đọc tại chỗ"),
    "CB-XE": ("22.665410", "106.257780", "Mượn về nhà tại điểm dừng\nTrả sách\nChiếu phim, kể chuyện cho thiếu nhi"),
}
ADDRESSES = {"CB-TVT": ("Số 21 phố Kim Đồng, phường Thục Phán, tỉnh Cao Bằng", "0206 3852 546", "thuvientinh@caobang.gov.vn")}
VAN_ROUTE = [  # day offset, from, to, place, commune, note
    (2, T(8, 0), T(11, 0), "Trường Tiểu học Dân Chủ", "Xã Dân Chủ", "Kể chuyện cho thiếu nhi"),
    (2, T(14, 0), T(16, 30), "Nhà văn hoá xóm Nà Mạ", "Xã Dân Chủ", ""),
    (5, T(8, 0), T(11, 30), "Trường THCS Trà Lĩnh", "Xã Trà Lĩnh", ""),
    (9, T(8, 0), T(11, 0), "Đồn Biên phòng Sóc Giang", "Xã Sóc Hà", "Đổi sách cho tủ sách biên phòng"),
    (12, T(8, 0), T(11, 0), "Chợ Trùng Khánh", "Xã Trùng Khánh", ""),
    (16, T(8, 0), T(11, 0), "Trường Tiểu học Dân Chủ", "Xã Dân Chủ", ""),
    (23, T(14, 0), T(17, 0), "Nhà văn hoá xóm Nà Mạ", "Xã Dân Chủ", ""),
]


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (640, 360), (27, 94, 32))
    draw = ImageDraw.Draw(img)
    for i in range(6):  # a row of books
        draw.rectangle((120 + i * 70, 90, 170 + i * 70, 270), fill=(240 - i * 25, 200, 80 + i * 20))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute), tzinfo=HCM)


def load(*, network: OrgUnit, stdout: TextIO) -> None:
    """Add the demo portal content (skipped when the network already has events)."""
    if Event.objects.filter(library__path__startswith=network.path).exists():
        return
    actor = system_user()
    units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=network.path)}
    for code, week in HOURS.items():
        if code in units:
            services.hours_set(actor=actor, unit=units[code], week=week)
    for code, (lat, lon, offered) in PROFILES.items():
        if code in units:
            services.profile_update(actor=actor, unit=units[code], latitude=Decimal(lat), longitude=Decimal(lon),
                                    services=offered)
    for code, (address, phone, email) in ADDRESSES.items():
        if code in units and not units[code].address:
            OrgUnit.objects.filter(pk=units[code].pk).update(address=address, phone=phone, email=email,
                                                             updated_at=dt.datetime.now(tz=HCM))
    today = dt.datetime.now(tz=HCM).date()
    van, tvt = units.get("CB-XE"), units["CB-TVT"]
    if van is not None:
        for offset, starts, ends, place, commune, note in VAN_ROUTE:
            services.van_stop_save(actor=actor, unit=van, day=today + dt.timedelta(days=offset), starts=starts,
                                   ends=ends, place=place, commune=commune, note=note)
    services.news_save(
        actor=actor, library=tvt, title="Thư viện tỉnh mở cửa phòng đọc thiếu nhi vào Chủ Nhật",
        summary="Từ tháng này, phòng đọc thiếu nhi mở cửa sáng Chủ Nhật từ 8 giờ đến 11 giờ.",
        body="<p>Để các em học sinh có thêm thời gian đọc sách, <strong>phòng đọc thiếu nhi</strong> mở cửa "
             "sáng Chủ Nhật hằng tuần.</p><ul><li>Giờ mở cửa: 8:00–11:00</li><li>Miễn phí cho mọi bạn đọc</li></ul>",
        publish=True, image=SimpleUploadedFile("phong-doc.png", _png(), content_type="image/png"))
    services.news_save(
        actor=actor, library=units.get("CB-HA", tvt), title="Thư viện huyện Hòa An bổ sung 300 cuốn sách mới",
        summary="Sách kỹ thuật nông nghiệp và sách thiếu nhi song ngữ Tày - Việt.",
        body="<p>Thư viện huyện vừa bổ sung <em>300 cuốn</em> sách mới, xem trong mục Sách mới.</p>", publish=True)
    book_day = dt.date(today.year, 4, 21)
    if book_day < today:
        book_day = dt.date(today.year + 1, 4, 21)
    upcoming = [
        dict(kind=EventKind.BOOK_DAY, title=f"Ngày Sách và Văn hóa đọc Việt Nam {book_day.year}",
             place="Sân Thư viện tỉnh Cao Bằng", starts_at=_at(book_day, 8), ends_at=_at(book_day, 17), seats=None,
             body="<p>Triển lãm sách, đổi sách cũ lấy sách mới, giao lưu tác giả, thi kể chuyện theo sách.</p>"),
        dict(kind=EventKind.READING, title="Giờ kể chuyện cho thiếu nhi", place="Phòng đọc thiếu nhi, Thư viện tỉnh",
             starts_at=_at(today + dt.timedelta(days=3), 15), ends_at=_at(today + dt.timedelta(days=3), 16, 30),
             seats=30, body="<p>Dành cho các em từ 5 đến 10 tuổi, cùng bố mẹ.</p>"),
        dict(kind=EventKind.TALK, title="Giới thiệu sách: Cao Bằng – vùng đất và con người",
             place="Hội trường Thư viện tỉnh", starts_at=_at(today + dt.timedelta(days=10), 8, 30),
             ends_at=_at(today + dt.timedelta(days=10), 10, 30), seats=2,
             body="<p>Buổi giới thiệu sách về lịch sử và văn hoá địa phương.</p>"),
    ]
    if van is not None:
        upcoming.append(dict(kind=EventKind.VAN_VISIT, title="Xe thư viện lưu động về xã Dân Chủ",
                             place="Trường Tiểu học Dân Chủ", starts_at=_at(today + dt.timedelta(days=2), 8),
                             ends_at=_at(today + dt.timedelta(days=2), 11), seats=None,
                             body="<p>Mượn, trả sách và kể chuyện cho thiếu nhi.</p>"))
    for data in upcoming:
        services.event_save(actor=actor, library=tvt, data={**data, "registration_open": True, "is_published": True})
    past_day = today - dt.timedelta(days=12)
    past = services.event_save(actor=actor, library=tvt, data=dict(
        kind=EventKind.READING, title="Thi kể chuyện theo sách cấp tỉnh", place="Hội trường Thư viện tỉnh",
        starts_at=_at(past_day, 8), ends_at=_at(past_day, 11), seats=50, registration_open=False, is_published=True,
        body="<p>Vòng chung kết hội thi kể chuyện theo sách dành cho học sinh.</p>"))
    regs = [Registration.objects.create(event=past, name=name, phone=phone, consent_text=str(services.CONSENT_WORDING),
                                        consent_at=_at(past_day - dt.timedelta(days=3), 9))
            for name, phone in [("Hoàng Văn An", "0912000001"), ("Nông Thị Bình", "0912000002"),
                                ("Lý Văn Cường", "0912000003")]]
    services.attendance_record(actor=actor, event=past, count=45, attended_ids=[r.pk for r in regs[:2]])
    n = VanStop.objects.filter(unit__path__startswith=network.path).count()
    stdout.write(f"  cổng thông tin: {len(upcoming) + 1} sự kiện, 2 tin, {n} điểm dừng xe lưu động\n")
