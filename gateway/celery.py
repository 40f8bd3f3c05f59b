"""The Celery app and its queues: one per channel family, so a slow printer never delays
an alert."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gateway.settings")

QUEUES = (
    "publish",
    "sms",
    "voice",
    "social",
    "print",
    "retry",
    "callbacks",
    "periodic",
    "media",  # videos (gateway/media/jobs.py): slow, so they never hold up a send
    "messaging",  # WhatsApp messages to citizens
    "email",
)
SENDING_TASKS = ("crieur.deliver_batch", "crieur.print_letters")
MEDIA_TASKS = ("crieur.render_video", "crieur.preview_video")
# Periodic task → seconds between runs (None: settings.PERIODIC_INTERVAL; a name: that setting).
# Every run is safe to repeat or overlap, so every worker may run beat.
PERIODIC_TASKS: dict[str, float | str | None] = {
    "crieur.release_deferred": None,
    "crieur.sweep": None,
    "crieur.publish_due": None,
    "crieur.purge_delivery_details": 24 * 3600.0,
    "crieur.prune_previews": 3600.0,
    "crieur.index_announcements": 60.0,
    "crieur.fetch_comments": "COMMENTS_INTERVAL",
    "crieur.poll_cap_feeds": "CAP_FEED_INTERVAL",
}
FAMILY_QUEUE = {
    "sms": "sms",
    "voice": "voice",
    "social": "social",
    "post": "print",
    "whatsapp": "messaging",
    "email": "email",
}

app = Celery("crieur")


def _every(every: float | str | None, settings) -> float:
    if isinstance(every, str):
        return float(getattr(settings, every))
    return every or settings.PERIODIC_INTERVAL


def configure(app: Celery) -> None:
    from django.conf import settings

    broker = settings.CELERY_BROKER_URL
    app.conf.update(
        broker_url=broker,
        task_default_queue="publish",
        task_queues=[Queue(name) for name in QUEUES],
        task_always_eager=settings.CELERY_TASK_ALWAYS_EAGER,
        task_eager_propagates=True,
        task_acks_late=True,  # a worker killed mid-task leaves the message for another worker
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        timezone=settings.TIME_ZONE,
        # A send still running after half of DELIVERY_STUCK_AFTER is killed (prefork pool), so
        # the sweep never reconciles a delivery that a live worker is about to send.
        task_annotations={
            **{name: {"time_limit": settings.DELIVERY_STUCK_AFTER / 2} for name in SENDING_TASKS},
            # Killed before its job counts as stale, so a job is never made twice at once.
            **{name: {"time_limit": settings.MEDIA_JOB_STALE_AFTER * 0.9} for name in MEDIA_TASKS},
        },
        beat_scheduler="celery.beat:Scheduler",  # in memory: nothing to share or lock on disk
        beat_schedule_filename=str(settings.DATA_DIR / "celerybeat-schedule"),  # never in cwd
        beat_schedule={
            name: {
                "task": name,
                "schedule": _every(every, settings),
                "options": {"queue": "periodic", "expires": _every(every, settings)},
            }
            for name, every in PERIODIC_TASKS.items()
        },
    )
    if broker.startswith("filesystem://"):
        from gateway.broker import install

        install()
        folder = settings.CELERY_BROKER_DIR
        for sub in ("queue", "processed", "control"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "polling_interval": 0.05,
        }


configure(app)
app.conf.imports = (
    "gateway.tasks.publish",
    "gateway.tasks.delivery",
    "gateway.tasks.periodic",
    "gateway.tasks.callbacks",
    "gateway.conversation.tasks",
    "gateway.media.jobs",
    "gateway.messaging.tasks",
    "gateway.alerts.tasks",
)
