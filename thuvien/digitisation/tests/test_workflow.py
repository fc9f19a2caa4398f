"""The workflow table: the whole path to publication, the rework loop, every refused step leaves the
database as it was, publication shows the object in the OPAC, permissions at the collection's library."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from thuvien.digital.models import DigitalObject
from thuvien.digital.selectors import oai_digital, object_list, objects_for_record, records_digital_text
from thuvien.digitisation.models import PlanItem, RescanReason, State, Transition
from thuvien.digitisation.services import item_transition, plan_add, qc_send_back, rescan_mark
from thuvien.digitisation.states import ORDER, TRANSITIONS, TransitionError, next_states
from thuvien.digitisation.tests.fixtures import snapshot_db

pytestmark = pytest.mark.django_db
PATH = [State.PREPARED, State.SCANNED, State.QC, State.OCR, State.METADATA, State.APPROVED, State.PUBLISHED]


def _planned(proj, digital_object_factory, *, record=True):  # type: ignore[no-untyped-def]
    item = plan_add(actor=proj.sohoa, project=proj.project, records=[proj.records[0]], priority=1,
                    condition="Gáy sách bong").added[0]
    obj = digital_object_factory(unit=proj.collection.unit, texts=["Địa chí huyện A"],
                                 **({"record": proj.records[0]} if record else {}))
    return item, obj


def test_the_table_has_no_path_to_publication_that_skips_quality_control_or_metadata() -> None:
    # every path from "selected" to "published" passes qc → ocr and metadata → approved
    def paths(state: str, seen: tuple[str, ...]) -> list[tuple[str, ...]]:
        if state == State.PUBLISHED:
            return [seen]
        return [p for nxt in TRANSITIONS[state] if nxt not in seen and nxt != State.WITHDRAWN
                for p in paths(nxt, (*seen, nxt))]

    found = paths(State.SELECTED, (State.SELECTED,))
    assert found  # there is a way
    for p in found:
        pairs = set(zip(p, p[1:], strict=False))
        assert (State.QC, State.OCR) in pairs and (State.METADATA, State.APPROVED) in pairs
    assert set(TRANSITIONS) == set(ORDER)
    assert next_states(State.QC) == [State.REWORK, State.OCR, State.WITHDRAWN]


def test_full_path_logs_each_step_and_publication_controls_the_opac(proj, digital_object_factory, client):
    item, obj = _planned(proj, digital_object_factory)
    assert obj.published is True  # made outside a project: public as today
    assert client.get(f"/digital/{obj.uuid}/").status_code == 200
    operators = [proj.sohoa, proj.sohoa, proj.sohoa, proj.reviewer, proj.reviewer, proj.reviewer, proj.reviewer]
    for step, who in zip(PATH, operators, strict=True):
        item = item_transition(actor=who, item=item, to=step, obj=obj if step == State.SCANNED else None)
        obj.refresh_from_db()  # not yet attached while selected/prepared: untouched
        assert obj.published is (step in (State.PREPARED, State.PUBLISHED))
        if step == State.SCANNED:  # taken into the workflow: hidden from readers, still open to staff
            assert client.get(f"/digital/{obj.uuid}/").status_code == 404
            assert client.get(f"/iiif/{obj.uuid}/manifest").status_code == 404
            page = obj.pages.get()
            assert client.get(f"/iiif/3/{page.uuid}/info.json").status_code == 404
            # nor on the record page, in the index's full text and facet, in OAI-PMH or the API list
            rec = proj.records[0].pk
            assert objects_for_record(record_id=rec) == [] and records_digital_text(record_ids=[rec]) == {}
            assert oai_digital(record_ids=[rec], base_url="http://x") == {}
            assert list(object_list(record_id=rec)) == []
            client.force_login(proj.reviewer)
            assert client.get(f"/digital/{obj.uuid}/").status_code == 200
            client.logout()
    assert item.state == State.PUBLISHED and item.pages == 1 and item.published_at is not None
    assert client.get(f"/digital/{obj.uuid}/").status_code == 200
    assert [o.pk for o in objects_for_record(record_id=proj.records[0].pk)] == [obj.pk]
    assert list(records_digital_text(record_ids=[proj.records[0].pk])) == [proj.records[0].pk]
    log = list(Transition.objects.filter(item=item).order_by("at", "pk").values_list("from_state", "to_state",
                                                                                    "actor__username"))
    assert log == [("", "selected", "sohoa_a"), ("selected", "prepared", "sohoa_a"), ("prepared", "scanned", "sohoa_a"),
                   ("scanned", "qc", "sohoa_a"), ("qc", "ocr", "qc_a"), ("ocr", "metadata", "qc_a"),
                   ("metadata", "approved", "qc_a"), ("approved", "published", "qc_a")]
    # withdrawing hides it again and needs a reason
    with pytest.raises(TransitionError):
        item_transition(actor=proj.sohoa, item=item, to=State.WITHDRAWN)
    item = item_transition(actor=proj.sohoa, item=item, to=State.WITHDRAWN, reason="Sai bản")
    obj.refresh_from_db()
    assert (item.state, item.published_at, obj.published) == (State.WITHDRAWN, None, False)
    assert client.get(f"/digital/{obj.uuid}/").status_code == 404


def test_publication_refused_before_qc_and_metadata_and_the_database_is_unchanged(proj, digital_object_factory):
    item, obj = _planned(proj, digital_object_factory)
    refused = 0
    for step in PATH[:-1]:
        for wrong in (State.PUBLISHED, State.APPROVED if item.state != State.METADATA else State.SCANNED):
            before = snapshot_db(item)
            with pytest.raises(TransitionError):
                item_transition(actor=proj.sohoa, item=item, to=wrong, obj=obj)
            assert snapshot_db(item) == before
            refused += 1
        item = item_transition(actor=proj.sohoa, item=item, to=step, obj=obj if step == State.SCANNED else None)
    assert refused == 12
    assert PlanItem.objects.get(pk=item.pk).state == State.APPROVED


def test_rework_loop_and_the_conditions_of_each_step(proj, digital_object_factory):
    item, obj = _planned(proj, digital_object_factory, record=False)
    item = item_transition(actor=proj.sohoa, item=item, to=State.PREPARED)
    # scanning needs an object
    before = snapshot_db(item)
    with pytest.raises(TransitionError, match="gắn tài liệu số"):
        item_transition(actor=proj.sohoa, item=item, to=State.SCANNED)
    assert snapshot_db(item) == before
    item = item_transition(actor=proj.sohoa, item=item, to=State.SCANNED, obj=obj)
    item = item_transition(actor=proj.sohoa, item=item, to=State.QC)
    page = obj.pages.get()
    mark = rescan_mark(actor=proj.reviewer, item=item, page=page, reason=RescanReason.BLURRED, note="góc trái")
    # an open rescan mark: quality not passed
    before = snapshot_db(item)
    with pytest.raises(TransitionError, match="quét lại"):
        item_transition(actor=proj.reviewer, item=item, to=State.OCR)
    assert snapshot_db(item) == before
    item = qc_send_back(actor=proj.reviewer, item=item)
    assert item.state == State.REWORK
    assert Transition.objects.filter(item=item).last().reason == "trang 1: Mờ (góc trái)"  # type: ignore[union-attr]
    item = item_transition(actor=proj.sohoa, item=item, to=State.SCANNED, obj=obj)
    mark.refresh_from_db()
    assert mark.resolved_at is not None  # the new scan answers it
    for step in (State.QC, State.OCR, State.METADATA):
        item = item_transition(actor=proj.reviewer, item=item, to=step)
    # no record and no Dublin Core: metadata is not complete
    before = snapshot_db(item)
    with pytest.raises(TransitionError, match="Siêu dữ liệu"):
        item_transition(actor=proj.reviewer, item=item, to=State.APPROVED)
    assert snapshot_db(item) == before
    DigitalObject.objects.filter(pk=obj.pk).update(record=proj.records[0])  # not a change: test set-up
    item = item_transition(actor=proj.reviewer, item=item, to=State.APPROVED)
    assert [t.to_state for t in item.transitions.all()] == [
        "selected", "prepared", "scanned", "qc", "rework", "scanned", "qc", "ocr", "metadata", "approved"]


def test_permission_is_checked_at_the_collections_library(proj, digital_object_factory):
    item, _obj = _planned(proj, digital_object_factory)
    before = snapshot_db(item)
    with pytest.raises(PermissionDenied):
        item_transition(actor=proj.outsider, item=item, to=State.PREPARED)
    with pytest.raises(PermissionDenied):
        plan_add(actor=proj.outsider, project=proj.project, records=proj.records)
    assert snapshot_db(item) == before


def test_an_object_cannot_serve_two_plan_entries(proj, digital_object_factory):
    item, obj = _planned(proj, digital_object_factory)
    other = plan_add(actor=proj.sohoa, project=proj.project, records=[proj.records[1]]).added[0]
    for it in (item, other):
        it = item_transition(actor=proj.sohoa, item=it, to=State.PREPARED)
    item_transition(actor=proj.sohoa, item=item, to=State.SCANNED, obj=obj)
    other.refresh_from_db()
    before = snapshot_db(other)
    with pytest.raises(TransitionError, match="đã gắn"):
        item_transition(actor=proj.sohoa, item=other, to=State.SCANNED, obj=obj)
    assert snapshot_db(other) == before
