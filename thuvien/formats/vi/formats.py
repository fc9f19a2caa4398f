"""Vietnamese number formats: Django's, plus grouping in threes ("12.345 kết quả", "120.000 đ"),
which Django's Vietnamese formats leave out (so intcomma printed 12345)."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
