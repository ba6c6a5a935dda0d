from django.contrib.messages import get_messages


def site(request):
    """What every Jinja page needs: the viewer and the one-time notices."""
    return {"user": request.user, "messages": get_messages(request)}
