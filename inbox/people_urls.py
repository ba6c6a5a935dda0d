from django.urls import path

from inbox import people

# Included from inbox/urls.py under /staff/, in the "inbox" namespace.
urlpatterns = [
    path("people/", people.people, name="people"),
    path("people/<int:pk>/", people.person, name="person"),
    path("people/<int:pk>/note/", people.person_note, name="person_note"),
    path("people/<int:pk>/merge/", people.person_merge, name="person_merge"),
]
