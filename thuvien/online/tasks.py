"""Background jobs of the online services (django-tasks): e-mails are never sent inside a request."""

from __future__ import annotations

from django_tasks import task


@task()
def question_answer_send_task(question_id: int) -> bool:
    """E-mail the answer of a question to the address the asker gave (once)."""
    from thuvien.online.mail import question_answer_send

    return question_answer_send(question_id)


@task()
def copy_delivered_send_task(request_id: int) -> bool:
    """Tell the reader that the scanned copy can be downloaded from the account."""
    from thuvien.online.mail import copy_delivered_send

    return copy_delivered_send(request_id)
