"""The MARC editor: names from the MARC 21 dictionary, indicator hints, adding / reordering / removing fields
and subfields without reloading, and saving without a reload."""

import pytest

from thuvien.catalog import services
from thuvien.catalog.marc_dictionary import FIELDS, editor_dictionary, field_name
from thuvien.catalog.models import BibRecord
from thuvien.catalog.tests.fixtures import make_book
from thuvien.core.tests.fixtures import login_staff


def test_dictionary_names_fields_subfields_and_indicators():
    assert field_name("245") == "Nhan đề và thông tin trách nhiệm" and field_name("245", "en") == "Title statement"
    assert field_name("999") == ""
    vi = editor_dictionary("vi")
    assert vi["100"]["i1"]["0"] == "Tên riêng (tên người Việt, thứ tự thuận)"
    assert vi["082"]["s"] == {"a": "Chỉ số phân loại", "b": "Chỉ số tác giả (chỉ số Cutter)",
                              "2": "Lần xuất bản của DDC"}
    assert vi["650"]["s"]["x"] == "Đề mục con chung" and vi["650"]["i2"]["7"] == "Nguồn ghi ở $2"
    assert not FIELDS["245"].repeatable and FIELDS["650"].repeatable
    assert all(len(d.name) == 2 and d.name[0] and d.name[1] for d in FIELDS.values())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_add_reorder_and_save_a_field_without_reload(page, net, cataloguer_a):
    bib = services.bib_create(actor=cataloguer_a, record=make_book(), owner=net.a)
    login_staff(page, "cat_a", "pw-cat_a")
    page.goto(f"/staff/catalog/record/{bib.pk}/edit/")
    title_row = page.locator(".mf", has=page.locator(".mf-tag[value='245']"))
    assert title_row.locator(".mf-name").inner_text() == "Nhan đề và thông tin trách nhiệm"
    assert title_row.locator(".sf-list code").first.inner_text() == "$a"
    assert title_row.locator(".sf-name").first.inner_text().strip() == "Nhan đề chính: Dế Mèn phiêu lưu ký /"
    author = page.locator(".mf", has=page.locator(".mf-tag[value='100']"))
    assert "CT1 = 0: Tên riêng (tên người Việt, thứ tự thuận)" in author.locator(".mf-hint").inner_text()
    page.evaluate("window.__notReloaded = true")
    count = page.locator(".mf").count()

    page.click("#add-field")
    new = page.locator(".mf").last
    assert page.evaluate("document.activeElement.classList.contains('mf-tag')")
    page.keyboard.type("650")
    new.locator("[name=ind2]").fill("7")
    assert new.locator(".mf-name").inner_text() == "Tiêu đề bổ sung chủ đề — thuật ngữ chủ đề"
    assert "CT2 = 7: Nguồn ghi ở $2" in new.locator(".mf-hint").inner_text()
    new.locator(".sf-add select").select_option("a")
    new.locator(".sf-add-button").click()
    page.keyboard.type("Truyện đồng thoại")
    new.locator(".sf-add select").select_option("2")
    new.locator(".sf-add-button").click()
    page.keyboard.type("bvtt")
    new.locator(".sf-add select").select_option("x")
    new.locator(".sf-add-button").click()
    page.keyboard.type("Nghiên cứu")
    new.locator(".sf-list li").nth(2).locator(".sf-up").click()  # $x before $2
    assert new.locator(".mf-value").input_value() == "$aTruyện đồng thoại$xNghiên cứu$2bvtt"
    assert [t.strip() for t in new.locator(".sf-list .sf-name").all_inner_texts()] == [
        "Thuật ngữ chủ đề: Truyện đồng thoại", "Đề mục con chung: Nghiên cứu", "Nguồn tiêu đề: bvtt"]
    new.locator(".mf-tag").focus()
    page.keyboard.press("Alt+ArrowUp")  # keyboard reorder: one place up
    assert page.locator(".mf").nth(count - 1).locator(".mf-tag").input_value() == "650"
    assert page.locator(".mf").count() == count + 1

    page.click("#save-record")
    page.wait_for_selector("#saved-msg")
    assert page.evaluate("window.__notReloaded") is True
    bib = BibRecord.objects.get(pk=bib.pk)
    fields = [next(iter(f)) for f in bib.marc["fields"]]
    assert fields[-2] == "650" and bib.marc["fields"][-2]["650"] == {
        "ind1": " ", "ind2": "7", "subfields": [{"a": "Truyện đồng thoại"}, {"x": "Nghiên cứu"}, {"2": "bvtt"}]}
    assert "Truyện đồng thoại -- Nghiên cứu" in bib.subjects

    page.locator(".mf").nth(count - 1).locator(".mf-remove").click()  # the field added above
    assert page.locator(".mf").count() == count
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.click("#save-record")
    assert BibRecord.objects.get(pk=bib.pk).subjects == ["Văn học thiếu nhi"]
    assert page.evaluate("window.__notReloaded") is True
