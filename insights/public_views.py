from django.http import Http404


def transparency(request):
    raise Http404
