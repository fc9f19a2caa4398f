"""What the readers app announces to apps it must not import (circulation holds the loans)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction of consent_withdraw when a reader withdraws the reading-history
# consent, with `patron`: apps holding reading history anonymise it there and then.
reading_history_withdrawn = Signal()

# Sent inside the transaction of patron_erase (after its checks, before the personal fields are
# blanked), with `patron` and `actor`: apps holding the reader's rows close and anonymise them there
# (circulation cancels the holds through its lifecycle table and routes on any copy on the hold
# shelf). A receiver may raise ValidationError to refuse the erasure.
patron_erasing = Signal()
