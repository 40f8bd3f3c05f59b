"""The console's poll form: the question and answers in each language of the announcement."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.utils import translation

from gateway.conversation.models import Counts, Poll, Voters
from gateway.models import Announcement
from renderers.i18n import gettext


def ui() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


class PollForm(forms.Form):
    """`question_<locale>` and `answers_<locale>` (one answer per line) for every language of
    the announcement; times in the organisation's time zone."""

    def __init__(self, announcement: Announcement, *args, poll: Poll | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.announcement = announcement
        self.zone = ZoneInfo(announcement.organisation.timezone)
        names = dict(settings.LANGUAGES)
        texts = {t.locale: t for t in poll.texts.all()} if poll else {}
        lang = ui()
        for locale in [
            announcement.locale,
            *sorted(set(announcement.locales) - {announcement.locale}),
        ]:
            name = names.get(locale, locale)
            text = texts.get(locale)
            self.fields[f"question_{locale}"] = forms.CharField(
                label=gettext(lang, "Question ({language})").format(language=name),
                max_length=300,
                initial=text.question if text else "",
            )
            self.fields[f"answers_{locale}"] = forms.CharField(
                label=gettext(lang, "Réponses ({language}), une par ligne").format(language=name),
                widget=forms.Textarea(attrs={"rows": 4}),
                initial="\n".join(text.answers) if text else "",
                help_text=gettext(
                    lang, "De 2 à 9 réponses ; la première se tape 1, la suivante 2…"
                ),
            )
        local = lambda moment: moment.astimezone(self.zone).strftime("%Y-%m-%dT%H:%M")  # noqa: E731
        self.fields["opens_at"] = forms.DateTimeField(
            label=gettext(lang, "Ouverture (vide : à la publication)"),
            required=False,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            initial=local(poll.opens_at) if poll and poll.opens_at else None,
        )
        self.fields["closes_at"] = forms.DateTimeField(
            label=gettext(lang, "Clôture"),
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
            initial=local(poll.closes_at) if poll else None,
        )
        self.fields["counts"] = forms.ChoiceField(
            label=gettext(lang, "Si un citoyen répond plusieurs fois"),
            choices=[
                (Counts.LAST, gettext(lang, "la dernière réponse compte")),
                (Counts.FIRST, gettext(lang, "la première réponse compte")),
            ],
            initial=poll.counts if poll else Counts.LAST,
        )
        self.fields["voters"] = forms.ChoiceField(
            label=gettext(lang, "Qui peut répondre"),
            choices=[
                (Voters.RECIPIENTS, gettext(lang, "les personnes qui ont reçu l’annonce")),
                (Voters.SUBSCRIBERS, gettext(lang, "les abonnés des quartiers de l’annonce")),
            ],
            initial=poll.voters if poll else Voters.RECIPIENTS,
        )
        self.fields["public_results"] = forms.BooleanField(
            label=gettext(lang, "Résultats publics après la clôture"),
            required=False,
            initial=poll.public_results if poll else False,
        )

    def _aware(self, moment: datetime | None) -> datetime | None:
        if moment is None:
            return None
        return moment.replace(tzinfo=self.zone) if moment.tzinfo is None else moment

    def data_for_save(self) -> dict:
        data = self.cleaned_data
        source = self.announcement.locale

        def text(locale: str) -> dict:
            answers = [a.strip() for a in data[f"answers_{locale}"].splitlines() if a.strip()]
            return {"question": data[f"question_{locale}"], "answers": answers}

        return {
            **text(source),
            "translations": {loc: text(loc) for loc in self.announcement.locales if loc != source},
            "opens_at": self._aware(data.get("opens_at")),
            "closes_at": self._aware(data.get("closes_at")),
            "counts": data["counts"],
            "voters": data["voters"],
            "public_results": data["public_results"],
        }

    def add_problem(self, problem: str) -> None:
        """A `PollError` (`translations.en.answers.2: …`) next to the field it names."""
        path, _, detail = problem.partition(": ")
        parts = path.split(".")
        source = self.announcement.locale
        if parts[0] == "translations" and len(parts) >= 3:
            field = f"{parts[2]}_{parts[1]}"
        elif parts[0] in ("question", "answers"):
            field = f"{parts[0]}_{source}"
        else:
            field = parts[0]
        if field in self.fields:
            self.add_error(field, detail or problem)
        else:
            self.add_error(None, problem)
