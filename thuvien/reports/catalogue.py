"""The report catalogue: each report is a function (unit, period) -> Report made of tables (and the
chart each table feeds). Exports (xlsx, csv, pdf), pages and `thuvien report` all render these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuvien.core.models import OrgUnit
from thuvien.reports import selectors as sel
from thuvien.reports.facts import AGE_BAND_CODES, KINDS
from thuvien.reports.periods import Period


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] | None = None  # {"type": "bar"|"line", "labels": [...], "series": [(name, [..])]}
    note: str = ""


@dataclass
class Report:
    name: str
    title: str
    unit: OrgUnit
    period: Period
    previous: Period
    tables: list[Table] = field(default_factory=list)
    generated_at: dt.datetime = field(default_factory=timezone.now)


DDC_NAMES = {"0": gettext_lazy("000 Tổng quát"), "1": gettext_lazy("100 Triết học, tâm lý học"),
             "2": gettext_lazy("200 Tôn giáo"), "3": gettext_lazy("300 Khoa học xã hội"),
             "4": gettext_lazy("400 Ngôn ngữ"), "5": gettext_lazy("500 Khoa học tự nhiên"),
             "6": gettext_lazy("600 Công nghệ"), "7": gettext_lazy("700 Nghệ thuật, giải trí"),
             "8": gettext_lazy("800 Văn học"), "9": gettext_lazy("900 Lịch sử, địa lý"),
             "": gettext_lazy("Chưa phân loại")}
LANG_NAMES = {"vie": gettext_lazy("Tiếng Việt"), "eng": gettext_lazy("Tiếng Anh"), "fre": gettext_lazy("Tiếng Pháp"),
              "chi": gettext_lazy("Tiếng Trung"), "rus": gettext_lazy("Tiếng Nga"), "": gettext_lazy("Không rõ")}
GENDER_NAMES = {"f": gettext_lazy("Nữ"), "m": gettext_lazy("Nam"), "o": gettext_lazy("Khác"),
                "": gettext_lazy("Không nêu")}


def dim_sort(dim: str, value: Any) -> tuple[Any, ...]:
    """Order of a dimension's values: age bands youngest first, months in order, unknown last."""
    if dim == "age_band" and value in AGE_BAND_CODES:
        return (0, AGE_BAND_CODES.index(value), "")
    if isinstance(value, int):
        return (0, value, "")
    return (1 if value in ("", None) else 0, 0, str(value))


def dim_label(dim: str, value: Any) -> str:
    if dim == "ddc_class":
        return str(DDC_NAMES.get(value or "", value))
    if dim == "language":
        return str(LANG_NAMES.get(value or "", value))
    if dim == "gender":
        return str(GENDER_NAMES.get(value or "", value))
    if dim == "month":
        return _("Tháng %(m)s") % {"m": value}
    if dim == "category" and value:
        from thuvien.patrons.models import PatronCategory

        name = PatronCategory.objects.filter(code=value).values_list("name", flat=True).first()
        return str(name or value)
    if dim == "unit":
        unit = OrgUnit.objects.filter(pk=value).first()
        return unit.name if unit else str(value)
    return str(value) if value not in ("", None) else _("Không rõ")


DIM_TITLES = {"category": gettext_lazy("đối tượng bạn đọc"), "age_band": gettext_lazy("nhóm tuổi"),
              "gender": gettext_lazy("giới tính"), "ethnicity": gettext_lazy("dân tộc"),
              "ddc_class": gettext_lazy("môn loại DDC"), "language": gettext_lazy("ngôn ngữ"),
              "month": gettext_lazy("tháng"), "unit": gettext_lazy("đơn vị")}


def change(cur: Any, prev: Any) -> float | str:
    if not isinstance(cur, (int, float, Decimal)) or not isinstance(prev, (int, float, Decimal)) or not prev:
        return ""
    return round((float(cur) - float(prev)) * 100 / float(prev), 1)


def ratio(a: Any, b: Any, digits: int = 2) -> float | str:
    return round(float(a) / float(b), digits) if b else ""


def _compare_headers() -> list[str]:
    return [_("Chỉ tiêu"), _("Đơn vị tính"), _("Kỳ báo cáo"), _("Kỳ trước"), _("Tăng/giảm (%)")]


def _core_figures(units: list[int], period: Period) -> dict[str, Any]:
    t = sel.totals(units, period)
    data = sel.year_data(units, period.first.year)
    f: dict[str, Any] = {k: t.get(k, 0) for k in KINDS}
    f.update(sel.collection_figures(units, period))
    f.update({k: int(v) if k != "staff" else float(v) for k, v in data.items()})
    f.update(sel.reader_figures(units, period))
    f["turnover"] = ratio(f["loan"], f["copies"])
    f["loans_per_capita"] = ratio(f["loan"], f["population"])
    f["copies_per_capita"] = ratio(f["copies"], f["population"])
    f["visits_per_capita"] = ratio(f["visit"], f["population"])
    f["registered_pct"] = ratio(f["registered"] * 100, f["population"])
    f["cost_per_loan"] = ratio(f["expenditure"], f["loan"], 0)
    f["cost_per_visit"] = ratio(f["expenditure"], f["visit"], 0)
    return f


def _compare_rows(cur: dict[str, Any], prev: dict[str, Any], spec: list[tuple[str, str, str]]) -> list[list[Any]]:
    return [[label, unit, cur[key], prev[key], change(cur[key], prev[key])] for key, label, unit in spec]


def _children_table(unit: OrgUnit, period: Period, kinds: list[str], title: str) -> Table:
    """One row per direct child (its whole subtree) plus the unit's own figures; the last row is the sum."""
    headers = [_("Đơn vị")] + [str(KINDS[k]) for k in kinds]
    tree = list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", "path"))
    per_unit = sel.totals_by_unit([pk for pk, _p in tree], period, kinds)
    rows: list[list[Any]] = []
    own = per_unit.get(unit.pk, {})
    if any(own.values()):
        rows.append([_("%(name)s (trực tiếp)") % {"name": unit.name}] + [own.get(k, 0) for k in kinds])
    for child in sel.children_of(unit):
        inside = [pk for pk, path in tree if path.startswith(child.path)]
        rows.append([child.name] + [sum(per_unit.get(pk, {}).get(k, 0) for pk in inside) for k in kinds])
    rows.append([_("Tổng cộng")] + [sum(r[i + 1] for r in rows) for i in range(len(kinds))])
    chart = {"type": "bar", "labels": [r[0] for r in rows[:-1]],
             "series": [(str(KINDS[k]), [r[i + 1] for r in rows[:-1]]) for i, k in enumerate(kinds)]}
    return Table(title, headers, rows, chart)


def _monthly_table(units: list[int], period: Period, kinds: list[str], title: str) -> Table:
    series = sel.monthly_series_many(units, period, kinds)
    rows: list[list[Any]] = [[f"{m:%m/%Y}"] + [series[k][m] for k in kinds] for m in period.months()]
    rows.append([_("Tổng cộng")] + [sum(r[i + 1] for r in rows) for i in range(len(kinds))])
    chart = {"type": "line", "labels": [r[0] for r in rows[:-1]],
             "series": [(str(KINDS[k]), [r[i + 1] for r in rows[:-1]]) for i, k in enumerate(kinds)]}
    return Table(title, [_("Tháng")] + [str(KINDS[k]) for k in kinds], rows, chart)


def _breakdown_table(units: list[int], period: Period, kind: str, dim: str, chart: str | None = "bar") -> Table:
    values = sel.breakdown(units, period, kind, dim)
    shown = sel.suppress(values, dim)
    keys = sorted(shown, key=lambda k: dim_sort(dim, k))
    rows = [[dim_label(dim, k), shown[k]] for k in keys]
    rows.append([_("Tổng cộng"), sum(values.values())])
    title = _("%(what)s theo %(dim)s") % {"what": KINDS[kind], "dim": DIM_TITLES[dim]}
    note = _("Ô dưới 3 được ẩn để bảo vệ dữ liệu cá nhân.") if dim in sel.PERSON_DIMS else ""
    data = None
    if chart:
        data = {"type": chart, "labels": [r[0] for r in rows[:-1]],
                "series": [(str(KINDS[kind]), [r[1] if isinstance(r[1], int) else 0 for r in rows[:-1]])]}
    return Table(title, [DIM_TITLES[dim].capitalize(), str(KINDS[kind])], rows, data, note)


# -- the reports ---------------------------------------------------------------------------------

def annual(unit: OrgUnit, period: Period) -> list[Table]:
    """The regime's annual report (TT 16/2022 practice; indicator set of spec §4.3)."""
    units = sel.subtree_ids(unit)
    cur, prev = _core_figures(units, period), _core_figures(units, period.previous())
    network = Table(_("1. Mạng lưới thư viện và điểm phục vụ"), [_("Loại đơn vị"), _("Số lượng")],
                    [[name, n] for name, n in sel.unit_counts_by_kind(unit)])
    network.rows.append([_("Tổng cộng"), sum(r[1] for r in network.rows)])
    book, times, person = _("bản"), _("lượt"), _("người")
    spec = [
        ("titles", _("Tổng số đầu tài liệu (tên)"), _("tên")),
        ("copies", _("Tổng số bản tài liệu"), book),
        ("additions", _("Tài liệu bổ sung trong kỳ"), book),
        ("item_withdrawn", _("Tài liệu thanh lý trong kỳ"), book),
        ("card_new", _("Thẻ bạn đọc cấp mới"), _("thẻ")),
        ("card_renewal", _("Thẻ bạn đọc gia hạn"), _("thẻ")),
        ("registered", _("Bạn đọc có thẻ còn hạn (cuối kỳ)"), person),
        ("visit", _("Lượt bạn đọc đến thư viện"), times),
        ("loan", _("Lượt sách báo luân chuyển (mượn về nhà)"), times),
        ("renewal", _("Lượt gia hạn"), times),
        ("in_house", _("Lượt đọc tại chỗ"), times),
        ("van_trip", _("Chuyến xe thư viện lưu động"), _("chuyến")),
        ("van_stop", _("Điểm dừng phục vụ lưu động"), _("điểm")),
        ("digital_view", _("Lượt xem tài liệu số"), times),
        ("digital_download", _("Lượt tải tài liệu số"), times),
        ("portal_visit", _("Lượt truy cập cổng thông tin"), times),
        ("search", _("Lượt tra cứu trực tuyến"), times),
        ("event", _("Sự kiện, hoạt động đọc"), _("sự kiện")),
        ("attendance", _("Lượt người tham dự sự kiện"), times),
        ("staff", _("Nhân lực (quy đổi toàn thời gian)"), person),
        ("population", _("Dân số phục vụ"), person),
        ("copies_per_capita", _("Bình quân bản sách/người dân"), book),
    ]
    activity = Table(_("2. Kết quả hoạt động"), _compare_headers(), _compare_rows(cur, prev, spec))
    activity.chart = {"type": "bar", "labels": [_("Lượt đến"), _("Lượt mượn"), _("Đọc tại chỗ"), _("Thẻ mới")],
                      "series": [(period.label, [cur["visit"], cur["loan"], cur["in_house"], cur["card_new"]]),
                                 (period.previous().label,
                                  [prev["visit"], prev["loan"], prev["in_house"], prev["card_new"]])]}
    return [network, activity,
            _children_table(unit, period, ["visit", "loan", "card_new"], _("3. Theo đơn vị trực thuộc")),
            _monthly_table(units, period, ["visit", "loan"], _("4. Theo tháng"))]


def iso(unit: OrgUnit, period: Period) -> list[Table]:
    """ISO 2789 (TCVN 12843:2019) core data and ISO 11620 (TCVN 11774:2016) indicators."""
    units = sel.subtree_ids(unit)
    cur, prev = _core_figures(units, period), _core_figures(units, period.previous())
    times = _("lượt")
    core = [
        ("registered", _("Người dùng đăng ký"), _("người")),
        ("loan", _("Lượt mượn"), times), ("renewal", _("Lượt gia hạn"), times),
        ("hold", _("Lượt đặt mượn"), times), ("visit", _("Lượt đến thư viện"), times),
        ("portal_visit", _("Lượt truy cập ảo"), times), ("search", _("Lượt tra cứu"), times),
        ("digital_download", _("Lượt tải tài liệu điện tử"), times),
        ("event", _("Sự kiện"), _("sự kiện")), ("attendance", _("Lượt tham dự sự kiện"), times),
        ("copies", _("Đơn vị tài liệu"), _("bản")), ("titles", _("Tên tài liệu"), _("tên")),
        ("additions", _("Bổ sung"), _("bản")), ("item_withdrawn", _("Thanh lý"), _("bản")),
        ("seats", _("Chỗ ngồi đọc"), _("chỗ")), ("expenditure", _("Kinh phí"), _("đồng")),
        ("staff", _("Nhân lực (FTE)"), _("người")),
    ]
    indicators = [
        ("turnover", _("Hệ số luân chuyển tài liệu (lượt mượn/bản)"), _("lần")),
        ("loans_per_capita", _("Lượt mượn bình quân đầu người"), times),
        ("registered_pct", _("Tỷ lệ dân số có thẻ bạn đọc"), "%"),
        ("visits_per_capita", _("Lượt đến bình quân đầu người"), times),
        ("copies_per_capita", _("Bản tài liệu bình quân đầu người"), _("bản")),
        ("cost_per_loan", _("Chi phí cho một lượt mượn"), _("đồng")),
        ("cost_per_visit", _("Chi phí cho một lượt đến"), _("đồng")),
    ]
    return [Table(_("Số liệu cốt lõi (TCVN 12843:2019 / ISO 2789)"), _compare_headers(),
                  _compare_rows(cur, prev, core)),
            Table(_("Chỉ số đánh giá (TCVN 11774:2016 / ISO 11620)"), _compare_headers(),
                  _compare_rows(cur, prev, indicators),
                  note=_("Các chỉ số theo đầu người cần dân số và kinh phí do quản trị viên nhập."))]


def circulation(unit: OrgUnit, period: Period) -> list[Table]:
    """Loans by month, library, reader category, age band, DDC class and language; tops; overdues; fines."""
    from thuvien.circulation.models import Loan, Payment

    units = sel.subtree_ids(unit)
    tables = [_monthly_table(units, period, ["loan", "renewal", "return", "in_house"], _("Lưu thông theo tháng")),
              _children_table(unit, period, ["loan", "renewal", "in_house"], _("Lưu thông theo đơn vị"))]
    for dim in ("category", "age_band", "gender", "ddc_class", "language"):
        tables.append(_breakdown_table(units, period, "loan", dim))
    start, end = (dt.datetime.combine(period.first, dt.time(0), tzinfo=sel.HCM),
                  dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=sel.HCM))
    loans = Loan.objects.filter(library_id__in=units, checked_out_at__gte=start, checked_out_at__lt=end)
    top = (loans.values_list("item__record__title").annotate(n=Count("pk")).order_by("-n", "item__record__title")[:20])
    tables.append(Table(_("Tài liệu được mượn nhiều nhất"), [_("Nhan đề"), _("Lượt mượn")],
                        [[t or "", n] for t, n in top.values_list("item__record__title", "n")]))
    authors = (loans.exclude(item__record__main_author="").values_list("item__record__main_author")
               .annotate(n=Count("pk")).order_by("-n", "item__record__main_author")[:20])
    tables.append(Table(_("Tác giả được mượn nhiều nhất"), [_("Tác giả"), _("Lượt mượn")],
                        [[a, n] for a, n in authors.values_list("item__record__main_author", "n")]))
    never = sel.collection_items(units, period.last).filter(loans__isnull=True)
    never_rows = [[b, t or ""] for b, t in never.order_by("barcode").values_list("barcode", "record__title")[:50]]
    tables.append(Table(_("Tài liệu chưa từng được mượn"), [_("Mã vạch"), _("Nhan đề")], never_rows,
                        note=_("Tổng số: %(n)s bản (hiện 50 bản đầu).") % {"n": never.count()}))
    overdue = Loan.objects.filter(library_id__in=units, returned_at__isnull=True, due_at__lt=end)
    paid = Payment.objects.filter(library_id__in=units, created_at__gte=start, created_at__lt=end)
    tables.append(Table(_("Quá hạn và tiền phạt"), [_("Chỉ tiêu"), _("Giá trị")], [
        [_("Tài liệu đang quá hạn (cuối kỳ)"), overdue.count()],
        [_("Lượt trả muộn trong kỳ"), _late_returns(units, period)],
        [_("Tiền phạt đã thu (đồng)"), int(paid.aggregate(s=Sum("amount"))["s"] or 0)],
    ]))
    return tables


def _late_returns(units: list[int], period: Period) -> int:
    from thuvien.circulation.models import Loan

    start, end = (dt.datetime.combine(period.first, dt.time(0), tzinfo=sel.HCM),
                  dt.datetime.combine(period.last + dt.timedelta(days=1), dt.time(0), tzinfo=sel.HCM))
    return Loan.objects.filter(return_library_id__in=units, returned_at__gte=start, returned_at__lt=end,
                               returned_at__gt=F("due_at")).count()


def collection(unit: OrgUnit, period: Period) -> list[Table]:
    """Holdings at the end of the period by DDC class, language, material type, year added, source."""
    units = sel.subtree_ids(unit)
    tables = []
    names = {"ddc_class": _("Kho tài liệu theo môn loại DDC"), "language": _("Kho tài liệu theo ngôn ngữ"),
             "material_type": _("Kho tài liệu theo loại tài liệu"), "year_added": _("Kho tài liệu theo năm nhập"),
             "source": _("Kho tài liệu theo nguồn bổ sung")}
    for dim, title in names.items():
        values = sel.collection_by(units, period.last, dim)
        keys = sorted(values, key=lambda k: (k == "", k))
        rows = [[dim_label(dim, k) if dim in ("ddc_class", "language") else (k or _("Không rõ")), values[k]]
                for k in keys]
        rows.append([_("Tổng cộng"), sum(values.values())])
        chart = {"type": "bar", "labels": [r[0] for r in rows[:-1]], "series": [(_("Số bản"), [r[1] for r in rows[:-1]])]}
        tables.append(Table(title, [title.split(" theo ")[-1].capitalize(), _("Số bản")], rows,
                            chart if dim in ("ddc_class", "year_added") else None))
    return tables


def readers_report(unit: OrgUnit, period: Period) -> list[Table]:
    """Readers: registered, new and expired cards; by category, age band, gender, ethnicity (suppressed)."""
    units = sel.subtree_ids(unit)
    cur, prev = sel.reader_figures(units, period), sel.reader_figures(units, period.previous())
    spec = [("registered", _("Bạn đọc có thẻ còn hạn (cuối kỳ)"), _("người")),
            ("new", _("Bạn đọc đăng ký mới"), _("người")), ("expired", _("Thẻ hết hạn trong kỳ"), _("thẻ"))]
    tables = [Table(_("Bạn đọc"), _compare_headers(), _compare_rows(cur, prev, spec))]
    for dim in ("category", "age_band", "gender", "ethnicity"):
        values = sel.reader_breakdown(units, period, dim)
        shown = sel.suppress(values, dim)
        keys = sorted(shown, key=lambda k: dim_sort(dim, k))
        rows = [[dim_label(dim, k), shown[k]] for k in keys]
        rows.append([_("Tổng cộng"), sum(values.values())])
        tables.append(Table(_("Bạn đọc theo %(dim)s") % {"dim": DIM_TITLES[dim]},
                            [str(DIM_TITLES[dim]).capitalize(), _("Số bạn đọc")], rows,
                            note=_("Ô dưới 3 được ẩn để bảo vệ dữ liệu cá nhân.")))
    return tables


def digitisation(unit: OrgUnit, period: Period) -> list[Table]:
    """Digitisation progress against targets, by collection, library and year; views (thuvien.digitisation)."""
    from thuvien.digitisation.report import catalogue_tables

    return catalogue_tables(unit, period)


REPORTS: dict[str, tuple[Any, Callable[[OrgUnit, Period], list[Table]]]] = {
    "annual": (gettext_lazy("Báo cáo thống kê hoạt động thư viện (năm)"), annual),
    "iso": (gettext_lazy("Số liệu ISO 2789 và chỉ số ISO 11620"), iso),
    "circulation": (gettext_lazy("Lưu thông tài liệu"), circulation),
    "collection": (gettext_lazy("Vốn tài liệu"), collection),
    "readers": (gettext_lazy("Bạn đọc"), readers_report),
    "digitisation": (gettext_lazy("Tiến độ số hoá"), digitisation),
}


def report_build(*, name: str, unit: OrgUnit, period: Period) -> Report:
    """Build catalogue report `name` for `unit`'s subtree (the caller has checked the permission)."""
    if name not in REPORTS:
        raise ValueError(_("Không có báo cáo “%(name)s”.") % {"name": name})
    title, build = REPORTS[name]
    return Report(name=name, title=str(title), unit=unit, period=period, previous=period.previous(),
                  tables=build(unit, period))

