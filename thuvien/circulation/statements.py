"""The SQL text of the desk hot path (checkout, check-in), built once per database vendor.

Only identifiers go into the text (tables, columns and aliases from the models' metadata, quoted by
the backend, and the number of placeholders); every value is a parameter given at the call site,
hence the `noqa: S608`. The services put these statements into `sql.Batch`es.
"""

from __future__ import annotations

from thuvien.catalog.models import BibRecord, Item, ItemType
from thuvien.circulation.models import CirculationRule, DeskOperation, Fine, Hold, Loan, Transit
from thuvien.circulation.sql import col, columns, for_update, placeholders, statement, table
from thuvien.core.models import OrgUnit, OrgUnitSetting
from thuvien.patrons.models import Patron, PatronBlock, PatronCategory

RECORD_TAG_COLUMNS = ("ddc", "language")


@statement
def item_lock() -> str:
    """Lock an item's row and read it with its type and the title's DDC number and language (the
    anonymous tags of the loan and return events). Params: item id. Columns: Item "i", ItemType "t",
    BibRecord "b" (`RECORD_TAG_COLUMNS` only)."""
    return (f"SELECT {columns(Item, 'i').sql}, {columns(ItemType, 't').sql}, "  # noqa: S608
            f"{columns(BibRecord, 'b', RECORD_TAG_COLUMNS).sql} FROM {table(Item)} AS i "
            f"INNER JOIN {table(ItemType)} AS t ON t.{col(ItemType, 'id')} = i.{col(Item, 'item_type')} "
            f"INNER JOIN {table(BibRecord)} AS b ON b.{col(BibRecord, 'id')} = i.{col(Item, 'record')} "
            f"WHERE i.{col(Item, 'id')} = %s{for_update('i')}")


@statement
def desk_operation() -> str:
    """The idempotency log entry of a request. Params: request id. Columns: DeskOperation "d"."""
    return (f"SELECT {columns(DeskOperation, 'd').sql} FROM {table(DeskOperation)} AS d "  # noqa: S608
            f"WHERE d.{col(DeskOperation, 'request_id')} = %s")


@statement
def patron_lock() -> str:
    """Lock a reader's row and read it with the category. Params: patron id. Columns: "p", "c"."""
    return (f"SELECT {columns(Patron, 'p').sql}, {columns(PatronCategory, 'c').sql} FROM {table(Patron)} AS p "  # noqa: S608
            f"INNER JOIN {table(PatronCategory)} AS c ON c.{col(PatronCategory, 'id')} = p.{col(Patron, 'category')} "
            f"WHERE p.{col(Patron, 'id')} = %s{for_update('p')}")


@statement
def rules(units: int) -> str:
    """The policy rules that may apply to a reader and an item at a unit: on the unit's path, for the
    reader's category or any, for the item's type or any. Params: the `units` ids, patron id, item id."""
    cat, typ = col(CirculationRule, "patron_category"), col(CirculationRule, "item_type")
    return (f"SELECT {columns(CirculationRule, 'r').sql} FROM {table(CirculationRule)} AS r "  # noqa: S608
            f"WHERE r.{col(CirculationRule, 'unit')} IN ({placeholders(units)}) "
            f"AND (r.{cat} IS NULL OR r.{cat} = (SELECT {col(Patron, 'category')} FROM {table(Patron)} "
            f"WHERE {col(Patron, 'id')} = %s)) "
            f"AND (r.{typ} IS NULL OR r.{typ} = (SELECT {col(Item, 'item_type')} FROM {table(Item)} "
            f"WHERE {col(Item, 'id')} = %s))")


SETTING_COLUMNS = ("unit", "key", "value")


@statement
def unit_settings(units: int, keys: int) -> str:
    """Overrides of some settings on a unit's path. Params: the unit ids, the keys. Columns: "s"."""
    return (f"SELECT {columns(OrgUnitSetting, 's', SETTING_COLUMNS).sql} FROM {table(OrgUnitSetting)} AS s "  # noqa: S608
            f"WHERE s.{col(OrgUnitSetting, 'unit')} IN ({placeholders(units)}) "
            f"AND s.{col(OrgUnitSetting, 'key')} IN ({placeholders(keys)})")


@statement
def standing() -> str:
    """A reader's open loans, overdue loans, fines due and active blocks, over indexed columns.
    Params: patron id, patron id, the on-loan state, now, patron id, patron id."""
    loan, patron, returned = table(Loan), col(Loan, "patron"), col(Loan, "returned_at")
    amount, paid = col(Fine, "amount"), col(Fine, "paid")
    return (f"SELECT (SELECT COUNT(*) FROM {loan} WHERE {patron} = %s AND {returned} IS NULL), "  # noqa: S608
            f"(SELECT COUNT(*) FROM {loan} WHERE {patron} = %s AND {returned} IS NULL "
            f"AND {col(Loan, 'state')} = %s AND {col(Loan, 'due_at')} < %s), "
            f"(SELECT SUM({amount} - {paid}) FROM {table(Fine)} WHERE {col(Fine, 'patron')} = %s AND {paid} < {amount}), "
            f"(SELECT COUNT(*) FROM {table(PatronBlock)} WHERE {col(PatronBlock, 'patron')} = %s "
            f"AND {col(PatronBlock, 'lifted_at')} IS NULL)")


@statement
def checkout_holds(states: int) -> str:
    """Ids of the active holds a checkout touches: on this copy, or the reader's own on its record.
    Params: the `states`, item id, patron id, item id."""
    return (f"SELECT {col(Hold, 'id')} FROM {table(Hold)} WHERE {col(Hold, 'state')} IN ({placeholders(states)}) "  # noqa: S608
            f"AND ({col(Hold, 'target_item')} = %s OR ({col(Hold, 'patron')} = %s AND {col(Hold, 'record')} = "
            f"(SELECT {col(Item, 'record')} FROM {table(Item)} WHERE {col(Item, 'id')} = %s)))")


@statement
def checkin_holds() -> str:
    """How many holds could claim a returned copy: targeted at it or on the way, or waiting for it or
    its record. Params: item id, targeted, in transit, waiting, item id, item id."""
    state, item = col(Hold, "state"), col(Hold, "item")
    return (f"SELECT COUNT(*) FROM {table(Hold)} WHERE ({col(Hold, 'target_item')} = %s AND {state} IN (%s, %s)) "  # noqa: S608
            f"OR ({state} = %s AND ({item} = %s OR ({item} IS NULL AND {col(Hold, 'record')} = "
            f"(SELECT {col(Item, 'record')} FROM {table(Item)} WHERE {col(Item, 'id')} = %s))))")


@statement
def open_loan_lock() -> str:
    """Lock the open loan of an item. Params: item id. Columns: Loan "l"."""
    return (f"SELECT {columns(Loan, 'l').sql} FROM {table(Loan)} AS l WHERE l.{col(Loan, 'item')} = %s "  # noqa: S608
            f"AND l.{col(Loan, 'returned_at')} IS NULL{for_update('l')}")


@statement
def open_transit_lock() -> str:
    """Lock the open transit of an item. Params: item id. Columns: Transit "x"."""
    return (f"SELECT {columns(Transit, 'x').sql} FROM {table(Transit)} AS x WHERE x.{col(Transit, 'item')} = %s "  # noqa: S608
            f"AND x.{col(Transit, 'received_at')} IS NULL AND x.{col(Transit, 'cancelled_at')} IS NULL"
            f"{for_update('x')}")


@statement
def open_transit_cancel() -> str:
    """Cancel the open transit of an item. Params: now, now, item id."""
    return (f"UPDATE {table(Transit)} SET {col(Transit, 'cancelled_at')} = %s, {col(Transit, 'updated_at')} = %s "  # noqa: S608
            f"WHERE {col(Transit, 'item')} = %s AND {col(Transit, 'received_at')} IS NULL "
            f"AND {col(Transit, 'cancelled_at')} IS NULL")


@statement
def unit_by_code() -> str:
    """A unit by its code. Params: code. Columns: OrgUnit "u"."""
    return (f"SELECT {columns(OrgUnit, 'u').sql} FROM {table(OrgUnit)} AS u "  # noqa: S608
            f"WHERE u.{col(OrgUnit, 'code')} = %s")


@statement
def item_by_barcode() -> str:
    """An item by its barcode. Params: barcode. Columns: Item "i"."""
    return (f"SELECT {columns(Item, 'i').sql} FROM {table(Item)} AS i "  # noqa: S608
            f"WHERE i.{col(Item, 'barcode')} = %s")


@statement
def patron_by_cards(cards: int) -> str:
    """Readers whose card number is one of `cards` spellings, over the unique index. Params: the
    spellings. Columns: Patron "p"."""
    return (f"SELECT {columns(Patron, 'p').sql} FROM {table(Patron)} AS p "  # noqa: S608
            f"WHERE p.{col(Patron, 'card_number')} IN ({placeholders(cards)})")
