"""A MARC 21 bibliographic dictionary for the editor: field and subfield names in Vietnamese (the terms of the
Vietnamese MARC 21 translation used by the National Library) and English, indicator meanings, repeatability.

Pure data and two lookups; the editor page embeds `editor_dictionary(lang)` as JSON. Covers the fields a
Vietnamese public library catalogues; an unknown tag is simply shown without a name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Names = tuple[str, str]  # (Vietnamese, English)


@dataclass(frozen=True)
class FieldDef:
    tag: str
    name: Names
    repeatable: bool = True
    ind1: dict[str, Names] = field(default_factory=dict)
    ind2: dict[str, Names] = field(default_factory=dict)
    subfields: dict[str, Names] = field(default_factory=dict)


BLANK: Names = ("Không xác định", "Undefined")
_NONFILING = {str(n): (f"Bỏ qua {n} ký tự khi sắp xếp", f"{n} nonfiling characters") for n in range(10)}
_NAME_IND1 = {"0": ("Tên riêng (tên người Việt, thứ tự thuận)", "Forename"),
              "1": ("Họ trước (tên nước ngoài đảo ngược)", "Surname"), "3": ("Tên dòng họ", "Family name")}
_CORP_IND1 = {"0": ("Tên đảo", "Inverted name"), "1": ("Tên pháp lý", "Jurisdiction name"),
              "2": ("Tên theo thứ tự thuận", "Name in direct order")}
_SUBJ_IND2 = {"0": ("Tiêu đề chủ đề của Thư viện Quốc hội Mỹ", "Library of Congress Subject Headings"),
              "4": ("Nguồn không xác định", "Source not specified"),
              "7": ("Nguồn ghi ở $2", "Source specified in subfield $2")}
_PERSON_SF: dict[str, Names] = {
    "a": ("Tên riêng", "Personal name"), "b": ("Số thứ tự", "Numeration"),
    "c": ("Danh hiệu, chức vị", "Titles and words associated with a name"), "d": ("Năm sinh, năm mất", "Dates"),
    "e": ("Thuật ngữ chỉ trách nhiệm", "Relator term"), "q": ("Dạng đầy đủ của tên", "Fuller form of name"),
    "t": ("Nhan đề tác phẩm", "Title of a work"), "4": ("Mã quan hệ", "Relationship"),
    "0": ("Số kiểm soát biểu ghi tính nhất quán", "Authority record control number"),
}
_CORP_SF: dict[str, Names] = {
    "a": ("Tên tập thể hoặc tên pháp lý", "Corporate name or jurisdiction name"),
    "b": ("Đơn vị trực thuộc", "Subordinate unit"), "c": ("Địa điểm hội nghị", "Location of meeting"),
    "d": ("Năm hội nghị", "Date of meeting"), "e": ("Thuật ngữ chỉ trách nhiệm", "Relator term"),
    "n": ("Số thứ tự hội nghị", "Number of part/section/meeting"), "4": ("Mã quan hệ", "Relationship"),
}
_SUBDIV: dict[str, Names] = {
    "v": ("Đề mục con hình thức", "Form subdivision"), "x": ("Đề mục con chung", "General subdivision"),
    "y": ("Đề mục con thời gian", "Chronological subdivision"),
    "z": ("Đề mục con địa lý", "Geographic subdivision"), "2": ("Nguồn tiêu đề", "Source of heading or term"),
}


def _f(tag: str, vi: str, en: str, repeatable: bool = True, ind1: dict[str, Names] | None = None,
       ind2: dict[str, Names] | None = None, sf: dict[str, Names] | None = None, **subfields: Names) -> FieldDef:
    subfields = {**subfields, **(sf or {})}
    codes = {(k[1] if len(k) == 2 and k[0] == "s" and k[1].isdigit() else k): v
             for k, v in subfields.items()}  # s0..s9 stand for the digit codes $0..$9
    return FieldDef(tag, (vi, en), repeatable, ind1 or {}, ind2 or {}, codes)


FIELDS: dict[str, FieldDef] = {f.tag: f for f in [
    _f("001", "Số kiểm soát", "Control number", False),
    _f("003", "Mã cơ quan gán số kiểm soát", "Control number identifier", False),
    _f("005", "Ngày giờ giao dịch gần nhất", "Date and time of latest transaction", False),
    _f("007", "Đặc trưng vật lý (mô tả cố định)", "Physical description fixed field"),
    _f("008", "Dữ liệu có độ dài cố định", "Fixed-length data elements", False),
    _f("010", "Số kiểm soát của Thư viện Quốc hội Mỹ", "Library of Congress control number", False,
       a=("Số LCCN", "LC control number")),
    _f("020", "Chỉ số ISBN", "International Standard Book Number",
       a=("ISBN", "ISBN"), c=("Giá, điều kiện có được", "Terms of availability"),
       q=("Thông tin bổ sung (bìa cứng, tập...)", "Qualifying information"), z=("ISBN sai, huỷ", "Canceled/invalid ISBN")),
    _f("022", "Chỉ số ISSN", "International Standard Serial Number", a=("ISSN", "ISSN")),
    _f("024", "Chỉ số tiêu chuẩn khác", "Other standard identifier", a=("Chỉ số", "Standard number or code")),
    _f("035", "Số kiểm soát hệ thống", "System control number", a=("Số kiểm soát hệ thống", "System control number")),
    _f("040", "Nguồn biên mục", "Cataloging source", False,
       a=("Cơ quan biên mục gốc", "Original cataloging agency"), b=("Ngôn ngữ biên mục", "Language of cataloging"),
       c=("Cơ quan chuyển dạng", "Transcribing agency"), d=("Cơ quan sửa đổi", "Modifying agency"),
       e=("Quy tắc mô tả", "Description conventions")),
    _f("041", "Mã ngôn ngữ", "Language code", True, {"0": ("Không phải bản dịch", "Not a translation"),
                                                     "1": ("Là bản dịch", "Is a translation")},
       a=("Ngôn ngữ chính văn", "Language of text"), h=("Ngôn ngữ nguyên bản", "Language of original")),
    _f("044", "Mã nước xuất bản", "Country of publishing entity code", False, a=("Mã nước", "Country code")),
    _f("072", "Mã phân loại chủ đề", "Subject category code", a=("Mã chủ đề", "Subject category code")),
    _f("080", "Chỉ số phân loại UDC", "Universal Decimal Classification number", a=("Chỉ số UDC", "UDC number")),
    _f("082", "Chỉ số phân loại DDC", "Dewey Decimal Classification number", True,
       {"0": ("Bản đầy đủ", "Full edition"), "1": ("Bản rút gọn", "Abridged edition")},
       {"4": ("Do cơ quan khác gán", "Assigned by agency other than LC"), "0": ("Do LC gán", "Assigned by LC")},
       a=("Chỉ số phân loại", "Classification number"), b=("Chỉ số tác giả (chỉ số Cutter)", "Item number"),
       s2=("Lần xuất bản của DDC", "Edition number")),
    _f("084", "Chỉ số phân loại khác (BBK, khung 19 lớp)", "Other classification number",
       a=("Chỉ số phân loại", "Classification number"), b=("Chỉ số tác giả", "Item number"),
       s2=("Nguồn chỉ số", "Number source")),
    _f("090", "Ký hiệu xếp giá (nội bộ)", "Local call number", a=("Chỉ số phân loại", "Classification number"),
       b=("Chỉ số tác giả", "Item number")),
    _f("100", "Tiêu đề chính — tên người", "Main entry — personal name", False, _NAME_IND1, sf=_PERSON_SF),
    _f("110", "Tiêu đề chính — tên tập thể", "Main entry — corporate name", False, _CORP_IND1, sf=_CORP_SF),
    _f("111", "Tiêu đề chính — tên hội nghị", "Main entry — meeting name", False, _CORP_IND1,
       a=("Tên hội nghị", "Meeting name"), c=("Địa điểm", "Location of meeting"), d=("Năm", "Date of meeting"),
       n=("Số thứ tự", "Number of meeting")),
    _f("130", "Tiêu đề chính — nhan đề đồng nhất", "Main entry — uniform title", False, _NONFILING,
       a=("Nhan đề đồng nhất", "Uniform title"), l=("Ngôn ngữ", "Language of a work")),
    _f("240", "Nhan đề đồng nhất", "Uniform title", False,
       {"0": ("Không in, không hiển thị", "Not printed or displayed"), "1": ("In hoặc hiển thị", "Printed or displayed")},
       _NONFILING, a=("Nhan đề đồng nhất", "Uniform title"), l=("Ngôn ngữ", "Language of a work")),
    _f("242", "Nhan đề dịch", "Translation of title by cataloging agency", True,
       {"0": ("Không lập tiêu đề bổ sung", "No added entry"), "1": ("Lập tiêu đề bổ sung", "Added entry")},
       _NONFILING, a=("Nhan đề dịch", "Title"), b=("Phần còn lại của nhan đề", "Remainder of title"),
       y=("Mã ngôn ngữ của nhan đề dịch", "Language code of translated title")),
    _f("245", "Nhan đề và thông tin trách nhiệm", "Title statement", False,
       {"0": ("Không lập tiêu đề bổ sung cho nhan đề", "No added entry"),
        "1": ("Lập tiêu đề bổ sung cho nhan đề", "Added entry")}, _NONFILING,
       a=("Nhan đề chính", "Title"), b=("Thông tin bổ sung nhan đề, nhan đề song song", "Remainder of title"),
       c=("Thông tin trách nhiệm", "Statement of responsibility"), h=("Vật mang tin", "Medium"),
       n=("Số phần, tập", "Number of part/section of a work"), p=("Tên phần, tập", "Name of part/section of a work")),
    _f("246", "Dạng khác của nhan đề", "Varying form of title", True,
       {"0": ("Có phụ chú, không lập tiêu đề bổ sung", "Note, no added entry"),
        "1": ("Có phụ chú và tiêu đề bổ sung", "Note, added entry"),
        "3": ("Không phụ chú, có tiêu đề bổ sung", "No note, added entry")},
       {" ": ("Không xác định dạng", "No type specified"), "1": ("Nhan đề song song", "Parallel title"),
        "4": ("Nhan đề trên bìa", "Cover title")},
       a=("Nhan đề chính hoặc nhan đề ngắn", "Title proper/short title"), b=("Phần còn lại của nhan đề", "Remainder of title")),
    _f("250", "Lần xuất bản", "Edition statement", True, a=("Lần xuất bản", "Edition statement"),
       b=("Thông tin bổ sung về lần xuất bản", "Remainder of edition statement")),
    _f("260", "Địa chỉ xuất bản, phát hành", "Publication, distribution, etc. (imprint)", True,
       a=("Nơi xuất bản", "Place of publication"), b=("Nhà xuất bản", "Name of publisher"),
       c=("Năm xuất bản", "Date of publication"), e=("Nơi in", "Place of manufacture"),
       f=("Nhà in", "Manufacturer")),
    _f("264", "Xuất bản, phân phối, sản xuất", "Production, publication, distribution, manufacture", True, {},
       {"0": ("Sản xuất", "Production"), "1": ("Xuất bản", "Publication"), "2": ("Phân phối", "Distribution"),
        "3": ("In, chế tạo", "Manufacture"), "4": ("Năm bản quyền", "Copyright notice date")},
       a=("Nơi", "Place"), b=("Tên", "Name"), c=("Năm", "Date")),
    _f("300", "Mô tả vật lý", "Physical description", True,
       a=("Số trang, số tập", "Extent"), b=("Đặc điểm vật lý khác (minh hoạ...)", "Other physical details"),
       c=("Khổ", "Dimensions"), e=("Tài liệu kèm theo", "Accompanying material")),
    _f("336", "Loại nội dung", "Content type", a=("Thuật ngữ loại nội dung", "Content type term"),
       b=("Mã loại nội dung", "Content type code"), s2=("Nguồn", "Source")),
    _f("337", "Loại phương tiện", "Media type", a=("Thuật ngữ loại phương tiện", "Media type term"),
       b=("Mã", "Media type code"), s2=("Nguồn", "Source")),
    _f("338", "Loại vật mang tin", "Carrier type", a=("Thuật ngữ loại vật mang tin", "Carrier type term"),
       b=("Mã", "Carrier type code"), s2=("Nguồn", "Source")),
    _f("490", "Thông tin tùng thư", "Series statement", True,
       {"0": ("Tùng thư không có tiêu đề bổ sung", "Series not traced"), "1": ("Tùng thư có tiêu đề bổ sung", "Series traced")},
       a=("Tên tùng thư", "Series statement"), v=("Số thứ tự trong tùng thư", "Volume/sequential designation"),
       x=("ISSN của tùng thư", "ISSN")),
    _f("500", "Phụ chú chung", "General note", a=("Phụ chú chung", "General note")),
    _f("504", "Phụ chú thư mục", "Bibliography, etc. note", a=("Phụ chú thư mục", "Bibliography note")),
    _f("505", "Phụ chú nội dung", "Formatted contents note", True,
       {"0": ("Nội dung đầy đủ", "Contents"), "1": ("Nội dung chưa đầy đủ", "Incomplete contents"),
        "2": ("Nội dung một phần", "Partial contents")}, a=("Phụ chú nội dung", "Formatted contents note"),
       t=("Nhan đề", "Title"), r=("Thông tin trách nhiệm", "Statement of responsibility")),
    _f("520", "Tóm tắt, chú giải", "Summary, etc.", True,
       {" ": ("Tóm tắt", "Summary"), "1": ("Nhận xét", "Review"), "3": ("Tóm tắt nội dung", "Abstract")},
       a=("Tóm tắt", "Summary"), b=("Tóm tắt mở rộng", "Expansion of summary note")),
    _f("521", "Đối tượng sử dụng", "Target audience note", a=("Đối tượng bạn đọc", "Target audience note")),
    _f("546", "Phụ chú ngôn ngữ", "Language note", a=("Phụ chú ngôn ngữ", "Language note")),
    _f("586", "Phụ chú giải thưởng", "Awards note", a=("Giải thưởng", "Awards note")),
    _f("600", "Tiêu đề bổ sung chủ đề — tên người", "Subject added entry — personal name", True, _NAME_IND1,
       _SUBJ_IND2, sf={**_PERSON_SF, **_SUBDIV}),
    _f("610", "Tiêu đề bổ sung chủ đề — tên tập thể", "Subject added entry — corporate name", True, _CORP_IND1,
       _SUBJ_IND2, sf={**_CORP_SF, **_SUBDIV}),
    _f("650", "Tiêu đề bổ sung chủ đề — thuật ngữ chủ đề", "Subject added entry — topical term", True,
       {" ": ("Không có thông tin mức độ", "No information provided"), "1": ("Chủ đề chính", "Primary"),
        "2": ("Chủ đề phụ", "Secondary")}, _SUBJ_IND2,
       a=("Thuật ngữ chủ đề", "Topical term"), sf=_SUBDIV),
    _f("651", "Tiêu đề bổ sung chủ đề — địa danh", "Subject added entry — geographic name", True, {}, _SUBJ_IND2,
       a=("Địa danh", "Geographic name"), sf=_SUBDIV),
    _f("653", "Thuật ngữ chỉ mục — không kiểm soát (từ khoá)", "Index term — uncontrolled", True,
       a=("Từ khoá", "Uncontrolled term")),
    _f("655", "Thuật ngữ chỉ mục — thể loại, hình thức", "Index term — genre/form", True, {}, _SUBJ_IND2,
       a=("Thể loại, hình thức", "Genre/form data"), sf=_SUBDIV),
    _f("700", "Tiêu đề bổ sung — tên người", "Added entry — personal name", True, _NAME_IND1,
       {" ": ("Không có thông tin", "No information provided"), "2": ("Mục phân tích", "Analytical entry")},
       sf=_PERSON_SF),
    _f("710", "Tiêu đề bổ sung — tên tập thể", "Added entry — corporate name", True, _CORP_IND1, sf=_CORP_SF),
    _f("740", "Tiêu đề bổ sung — nhan đề liên quan", "Added entry — uncontrolled related/analytical title", True,
       _NONFILING, a=("Nhan đề", "Uncontrolled related/analytical title")),
    _f("773", "Liên kết với tài liệu chủ", "Host item entry", True,
       t=("Nhan đề tài liệu chủ", "Title"), g=("Phần liên quan", "Related parts"), w=("Số kiểm soát", "Record control number")),
    _f("830", "Tiêu đề bổ sung tùng thư — nhan đề đồng nhất", "Series added entry — uniform title", True, {},
       _NONFILING, a=("Nhan đề đồng nhất", "Uniform title"), v=("Số thứ tự", "Volume/sequential designation")),
    _f("852", "Nơi lưu giữ", "Location", True, a=("Nơi lưu giữ", "Location"), b=("Kho, bộ phận", "Sublocation"),
       c=("Vị trí trên giá", "Shelving location"), h=("Ký hiệu phân loại", "Classification part"),
       j=("Số đăng ký cá biệt", "Shelving control number")),
    _f("856", "Địa chỉ điện tử và truy cập", "Electronic location and access", True,
       {"4": ("HTTP", "HTTP"), " ": ("Không có thông tin", "No information provided")},
       {"0": ("Chính tài liệu", "Resource"), "1": ("Phiên bản của tài liệu", "Version of resource"),
        "2": ("Tài liệu liên quan", "Related resource")},
       u=("Địa chỉ URL", "Uniform Resource Identifier"), y=("Chữ hiển thị của liên kết", "Link text"),
       z=("Phụ chú công cộng", "Public note"), s3=("Phần tài liệu", "Materials specified")),
    _f("880", "Dạng chữ khác (Hán Nôm, chữ dân tộc)", "Alternate graphic representation", True,
       s6=("Liên kết", "Linkage"), a=("Dữ liệu", "Data")),
    _f("911", "Người biên mục (nội bộ)", "Cataloguer (local)", True, a=("Người biên mục", "Cataloguer")),
]}


def field_def(tag: str) -> FieldDef | None:
    """The definition of `tag`, or None for a local or unknown field."""
    return FIELDS.get(tag)


def field_name(tag: str, lang: str = "vi") -> str:
    """The field's name in `lang` ("vi" or "en"), or "" for an unknown tag."""
    definition = FIELDS.get(tag)
    return "" if definition is None else definition.name[0 if lang == "vi" else 1]


def editor_dictionary(lang: str = "vi") -> dict[str, Any]:
    """The whole dictionary in one language, shaped for the editor's JavaScript."""
    i = 0 if lang == "vi" else 1
    return {tag: {"n": d.name[i], "r": d.repeatable,
                  "i1": {k: v[i] for k, v in d.ind1.items()}, "i2": {k: v[i] for k, v in d.ind2.items()},
                  "s": {k: v[i] for k, v in d.subfields.items()}}
            for tag, d in FIELDS.items()}
