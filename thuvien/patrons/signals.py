"""What the readers app announces to apps it must not import (circulation holds the loans)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction of consent_withdraw when a reader withdraws the reading-history
# consent, with `patron`: apps holding reading history anonymise it there and then.
reading_history_withdrawn = Signal()
