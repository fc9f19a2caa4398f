"""Circulation: the policy matrix, loans, holds, transits, fines and payments, notices and the
idempotency log of desk operations. Lifecycles are declared in `thuvien.circulation.states`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thuvien.catalog.models import BibRecord, Item, ItemType
from thuvien.core.models import OrgUnit
from thuvien.patrons.models import Patron, PatronCategory


class CirculationRule(models.Model):
    """One cell of the policy matrix: (library subtree × reader category × item type) -> terms.

    A null category or item type means "any". The most specific rule wins (see policy.py).
    """

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="circulation_rules",
                             verbose_name=_("áp dụng tại (cả đơn vị con)"))
    patron_category = models.ForeignKey(PatronCategory, null=True, blank=True, on_delete=models.CASCADE,
                                        related_name="+", verbose_name=_("đối tượng bạn đọc"))
    item_type = models.ForeignKey(ItemType, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("loại tài liệu"))
    loan_days = models.PositiveSmallIntegerField(_("số ngày mượn"), default=14)
    renewals = models.PositiveSmallIntegerField(_("số lần gia hạn"), default=1)
    max_loans = models.PositiveSmallIntegerField(_("số tài liệu mượn tối đa"), default=5)
    max_holds = models.PositiveSmallIntegerField(_("số đặt mượn tối đa (0 = không cho đặt)"), default=3)
    fine_per_day = models.DecimalField(_("phạt quá hạn mỗi ngày (đồng)"), max_digits=10, decimal_places=0,
                                       default=0)
    fine_cap = models.DecimalField(_("mức phạt tối đa (đồng)"), max_digits=10, decimal_places=0, default=0)
    grace_days = models.PositiveSmallIntegerField(_("số ngày ân hạn"), default=0)
    no_renewal_before = models.PositiveSmallIntegerField(
        _("chỉ gia hạn trong N ngày trước hạn trả (trống = lúc nào cũng được)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quy định mượn trả")
        verbose_name_plural = _("quy định mượn trả")

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.patron_category_id or '*'}/{self.item_type_id or '*'}"


class LoanState(models.TextChoices):
    ON_LOAN = "on_loan", _("Đang mượn")
    RETURNED = "returned", _("Đã trả")
    LOST = "lost", _("Báo mất")
    CLAIMED_RETURNED = "claimed_returned", _("Bạn đọc báo đã trả")


class Loan(models.Model):
    """A loan of one item. Open while `returned_at` is null; the database allows one open loan per item.

    `patron` becomes null when the loan is anonymised; category and item type stay for statistics.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="loans")
    patron = models.ForeignKey(Patron, null=True, blank=True, on_delete=models.SET_NULL, related_name="loans")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="loans")
    state = models.CharField(max_length=20, choices=LoanState.choices, default=LoanState.ON_LOAN)
    checked_out_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_library = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    renewals_count = models.PositiveSmallIntegerField(default=0)
    in_house = models.BooleanField(default=False)
    rule = models.ForeignKey(CirculationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fine_per_day = models.DecimalField(max_digits=10, decimal_places=0, default=0)
    fine_cap = models.DecimalField(max_digits=10, decimal_places=0, default=0)
    grace_days = models.PositiveSmallIntegerField(default=0)
    patron_category = models.CharField(max_length=32, blank=True)  # code, kept after anonymisation
    item_type = models.CharField(max_length=32, blank=True)
    last_notice_at = models.DateTimeField(null=True, blank=True)
    anonymised = models.BooleanField(default=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-checked_out_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(returned_at__isnull=True),
                                    name="loan_one_open_per_item"),
        ]
        indexes = [
            models.Index(fields=["patron", "returned_at"], name="loan_patron_open"),
            models.Index(fields=["returned_at"], condition=Q(anonymised=False), name="loan_to_anonymise"),
        ]

    def __str__(self) -> str:
        return f"loan#{self.pk} item {self.item_id}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class HoldState(models.TextChoices):
    WAITING = "waiting", _("Đang chờ")
    TARGETED = "targeted", _("Đã chọn bản, chờ lấy khỏi giá")
    IN_TRANSIT = "in_transit", _("Đang chuyển đến nơi nhận")
    READY = "ready", _("Sẵn sàng, chờ bạn đọc nhận")
    FULFILLED = "fulfilled", _("Đã nhận")
    CANCELLED = "cancelled", _("Đã huỷ")
    EXPIRED = "expired", _("Quá hạn nhận")


ACTIVE_HOLD_STATES = (HoldState.WAITING, HoldState.TARGETED, HoldState.IN_TRANSIT, HoldState.READY)


class Hold(models.Model):
    """A reader's request for a record (any copy) or one item, to be picked up at `pickup_library`."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="holds")
    record = models.ForeignKey(BibRecord, on_delete=models.PROTECT, related_name="holds")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="item_holds",
                             help_text="set for an item-level hold")
    target_item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="targeted_holds")
    pickup_library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="pickup_holds")
    state = models.CharField(max_length=12, choices=HoldState.choices, default=HoldState.WAITING, db_index=True)
    placed_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    patron_category = models.CharField(max_length=32, blank=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["placed_at", "pk"]
        indexes = [
            models.Index(fields=["record", "state", "placed_at"], name="hold_record_queue"),
            models.Index(fields=["patron", "state"], name="hold_patron_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["target_item"],
                                    condition=Q(state__in=["targeted", "in_transit", "ready"]),
                                    name="hold_one_active_per_target_item"),
        ]

    def __str__(self) -> str:
        return f"hold#{self.pk} record {self.record_id}"


class Transit(models.Model):
    """An item travelling between two units of the network (to fill a hold, or back home)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="transits")
    from_library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    to_library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="incoming_transits")
    hold = models.ForeignKey(Hold, null=True, blank=True, on_delete=models.SET_NULL, related_name="transits")
    sent_at = models.DateTimeField()
    received_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["item"], condition=Q(received_at__isnull=True, cancelled_at__isnull=True),
                                    name="transit_one_open_per_item"),
        ]

    def __str__(self) -> str:
        return f"transit#{self.pk} {self.item_id} -> {self.to_library_id}"


class FineKind(models.TextChoices):
    OVERDUE = "overdue", _("Phạt quá hạn")
    LOST = "lost", _("Bồi thường mất tài liệu")
    DAMAGED = "damaged", _("Bồi thường hư hỏng")
    MANUAL = "manual", _("Khoản thu khác")


class Fine(models.Model):
    """An amount a reader owes; `paid` is the sum of its payments and waivers (kept in step by services)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patron = models.ForeignKey(Patron, on_delete=models.PROTECT, related_name="fines")
    loan = models.ForeignKey(Loan, null=True, blank=True, on_delete=models.SET_NULL, related_name="fines")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=FineKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=0)
    paid = models.DecimalField(max_digits=12, decimal_places=0, default=0)
    note = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["patron"], condition=Q(paid__lt=models.F("amount")), name="fine_open")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="fine_amount_positive"),
            models.CheckConstraint(condition=Q(paid__gte=0) & Q(paid__lte=models.F("amount")),
                                   name="fine_paid_within_amount"),
        ]

    def __str__(self) -> str:
        return f"fine#{self.pk} {self.amount}"

    @property
    def balance(self):  # type: ignore[no-untyped-def]
        return self.amount - self.paid


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    WAIVE = "waive", _("Miễn")


class Payment(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fine = models.ForeignKey(Fine, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=0)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    note = models.CharField(max_length=255, blank=True)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    library = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"payment#{self.pk} {self.amount}"


class NoticeKind(models.TextChoices):
    OVERDUE = "overdue", _("Nhắc trả quá hạn")
    HOLD_READY = "hold_ready", _("Tài liệu đặt mượn đã sẵn sàng")
    RECEIPT = "receipt", _("Biên nhận")


class Notice(models.Model):
    """A message queued to a reader; sent after the transaction commits (or by the daily job)."""

    patron = models.ForeignKey(Patron, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    channel = models.CharField(max_length=8, default="email")  # email | sms
    to = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], condition=Q(sent_at__isnull=True), name="notice_unsent")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.to}"


class DeskOperation(models.Model):
    """The idempotency log: a retried request (same client request id) replays the first result."""

    request_id = models.UUIDField(primary_key=True)
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField(null=True)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind}:{self.request_id}"
