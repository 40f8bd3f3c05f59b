"""Postal deliveries: mail-merge a batch of letters into one PDF and manifest for the mailroom."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gateway.mapping import to_message
from gateway.models import Announcement, Citizen, Delivery
from renderers.print import PostalRecipient, merge_letters


def postal_recipient(citizen: Citizen, locale: str) -> PostalRecipient:
    """The citizen as the print renderers see them: the name and postal lines, no phone."""
    return PostalRecipient(
        reference=citizen.reference,
        name=citizen.name,
        address=tuple(citizen.address_lines),
        country=citizen.country,
        large_print=citizen.large_print,
        locale=locale,
    )


@dataclass
class PrintResult:
    printed: list[int] = field(default_factory=list)
    rejected: dict[int, str] = field(default_factory=dict)  # delivery id → reason


def merge_deliveries(delivery_ids: list[int], out_dir: Path) -> PrintResult:
    """One merged PDF (and one large-print PDF) per announcement in the batch."""
    result = PrintResult()
    rows = (
        Delivery.objects.filter(pk__in=delivery_ids)
        .select_related("citizen")
        .order_by("announcement_id", "pk")
    )
    by_announcement: dict[int, list[Delivery]] = {}
    for row in rows:
        by_announcement.setdefault(row.announcement_id, []).append(row)
    for ann_id, deliveries in by_announcement.items():
        announcement = Announcement.objects.select_related("organisation").get(pk=ann_id)
        messages = {}

        def message_for(locale: str, announcement=announcement, messages=messages):
            if locale not in messages:
                messages[locale] = to_message(announcement, locale)
            return messages[locale]

        by_reference = {d.citizen.reference: d.pk for d in deliveries if d.citizen}
        recipients = (postal_recipient(d.citizen, d.locale) for d in deliveries if d.citizen)
        folder = out_dir / f"announcement-{ann_id}" / f"batch-{deliveries[0].pk}"
        merged = merge_letters(
            message_for, recipients, folder, place=announcement.organisation.city
        )
        rejected = dict(merged.rejects())
        for reference, pk in by_reference.items():
            if reference in rejected:
                result.rejected[pk] = rejected[reference]
            else:
                result.printed.append(pk)
    return result


def announcement_letters(announcement: Announcement, out_dir: Path):
    """The postal deliveries of the announcement (not cancelled or skipped) merged into
    `out_dir` as the mailroom gets them: PDFs, manifests and rejects (a `MergeResult`)."""
    from gateway.models import DeliveryStatus

    deliveries = (
        Delivery.objects.filter(announcement=announcement, channel="post", citizen__isnull=False)
        .exclude(status__in=(DeliveryStatus.CANCELLED, DeliveryStatus.SKIPPED))
        .select_related("citizen")
        .order_by("pk")
    )
    return merge_letters(
        lambda locale: to_message(announcement, locale),
        (postal_recipient(d.citizen, d.locale) for d in deliveries.iterator(chunk_size=500)),
        out_dir,
        place=announcement.organisation.city,
    )


def zip_folder(folder: Path, target) -> list[str]:
    """Every file of `folder` into the zip file object `target`; the names written."""
    import zipfile

    names = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            name = str(path.relative_to(folder))
            archive.write(path, name)
            names.append(name)
    return names
