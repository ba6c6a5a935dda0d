from django.http import Http404


def search(request):
    raise Http404("Not built yet")
