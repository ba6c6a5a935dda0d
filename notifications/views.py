from django.http import Http404


def list(request):
    raise Http404("Not built yet")
