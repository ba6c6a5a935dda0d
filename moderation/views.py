from django.http import Http404


def queue(request):
    raise Http404("Not built yet")
