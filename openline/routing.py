"""URL reversing, remembered.

A page reverses the same few dozen names on every request (header, footer, cards);
Django's reverse() costs ~70 µs each. The URLconf and the script prefix do not change
while a process runs, so the answers can be kept.
"""

from __future__ import annotations

from functools import lru_cache

from django.urls import reverse


@lru_cache(maxsize=16384)
def cached_reverse(name: str, *args) -> str:
    return reverse(name, args=args or None)
