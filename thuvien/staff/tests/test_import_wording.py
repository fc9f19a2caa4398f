"""The import page speaks Vietnamese: options in words (no `auto`, `iso2709`, `marc8`, `001`), libraries by
name, results like "Đã nhập 1.066, cập nhật 0…"."""

import re

from thuvien.catalog.models import ImportJob


def test_import_form_offers_words_not_codes(client, net, cataloguer_a):
    client.force_login(cataloguer_a)
    page = client.get("/staff/catalog/import/").content.decode()
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page)
    for code in ("auto", "iso2709", "marcxml", "json", "marc8", "utf8", "001", "035", "isbn", "none", "skip"):
        assert code not in options, code
    assert {"Tự nhận biết", "MARC-8 (tệp cũ, chữ Việt kiểu ANSEL)", "Số kiểm soát của biểu ghi",
            "Giữ biểu ghi đã có, bỏ qua biểu ghi mới", "Thư viện huyện A"} <= set(options)
    assert ">A · Thư viện huyện A<" not in page


def test_import_results_in_vietnamese_with_grouped_numbers(client, net, cataloguer_a):
    job = ImportJob.objects.create(library=net.a, created_by=cataloguer_a, source_name="auth-1066.mrc", path="x",
                                   fingerprint="f", status=ImportJob.Status.DONE, records_read=1066, imported=1066,
                                   format="iso2709", encoding="marc8", match="001", on_match="skip")
    client.force_login(cataloguer_a)
    page = client.get(f"/staff/catalog/import/{job.pk}/").content.decode()
    assert "Đã đọc 1.066 biểu ghi: Đã nhập 1.066, cập nhật 0, bỏ qua 0, cách ly 0" in page
    options = page[page.index('id="import-options"'):page.index("</dl>", page.index('id="import-options"'))]
    assert re.findall(r"<dd>([^<]*)</dd>", options) == [
        "Thư viện huyện A", "MARC gốc ISO 2709 (tệp .mrc, .iso, .dat)", "MARC-8 (tệp cũ, chữ Việt kiểu ANSEL)",
        "Số kiểm soát của biểu ghi", "Giữ biểu ghi đã có, bỏ qua biểu ghi mới"]
    listing = client.get("/staff/catalog/import/").content.decode()
    assert "Đã nhập 1.066, cập nhật 0, bỏ qua 0, cách ly 0" in listing and "imported" not in listing
