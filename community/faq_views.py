"""The FAQ: the public page, entries, and staff writing or promoting them."""

from django.http import Http404


def _not_built(request, *args, **kwargs):
    raise Http404("Not built yet")


faq = new_entry = entry = edit_entry = promote = _not_built
