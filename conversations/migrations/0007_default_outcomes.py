from django.db import migrations
from django.db.models import Min

DEFAULT_OUTCOMES = [
    ("Answered", "neutral", "The customer had a question and got the answer"),
    ("Fixed", "conceded", "Something was wrong on our side and is now put right"),
    ("Refunded", "conceded", "Money went back to the customer"),
    ("Replaced", "conceded", "A new item or service instead of the faulty one"),
    ("Goodwill gesture", "conceded", "More than policy asks: a voucher, a credit, a gift"),
    ("Policy upheld", "held", "We explained the policy and kept to it"),
    ("Not our fault", "held", "The cause lay elsewhere, and we said so"),
    ("No action needed", "neutral", "Thanks, feedback or a duplicate"),
]
CASE_KINDS = ["discussion", "question", "idea", "email", "mention"]


def forwards(apps, schema_editor):
    Outcome = apps.get_model("conversations", "Outcome")
    for position, (name, stance, description) in enumerate(DEFAULT_OUTCOMES):
        Outcome.objects.get_or_create(
            name=name,
            defaults={"stance": stance, "description": description, "position": position},
        )
    # Cases already waiting for an answer are open since their oldest waiting message.
    Conversation = apps.get_model("conversations", "Conversation")
    waiting = (
        Conversation.objects.filter(kind__in=CASE_KINDS, messages__response_state="awaiting")
        .annotate(first=Min("messages__created_at"))
        .values_list("pk", "first")
    )
    for pk, first in waiting:
        Conversation.objects.filter(pk=pk).update(opened_at=first)


class Migration(migrations.Migration):
    dependencies = [("conversations", "0006_cases")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
