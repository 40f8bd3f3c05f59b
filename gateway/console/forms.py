"""The compose form: the source text, one optional translation per other language, targeting."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import translation

from gateway.models import Announcement, Area, Organisation, Topic, Urgency
from renderers.i18n import gettext


class ComposeForm(forms.Form):
    """Fields `title`, `summary`, `body` are the source locale's; `<field>_<locale>` translate."""

    def __init__(
        self,
        organisation: Organisation,
        *args,
        announcement: Announcement | None = None,
        **kwargs,
    ) -> None:
        if announcement is not None:
            kwargs.setdefault("initial", initial_of(announcement))
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.announcement = announcement
        ui = translation.get_language() or settings.LANGUAGE_CODE
        languages = settings.LANGUAGES
        if announcement is not None:  # the source language of a saved text stays
            languages = [(c, n) for c, n in settings.LANGUAGES if c == announcement.locale]
        self.fields["locale"] = forms.ChoiceField(
            label=gettext(ui, "Langue du texte"),
            choices=languages,
            initial=announcement.locale if announcement else organisation.default_locale,
        )
        # dir="auto": a French text typed in the Arabic console reads left to right
        self.fields["title"] = forms.CharField(
            label=gettext(ui, "Titre"),
            max_length=200,
            widget=forms.TextInput(attrs={"dir": "auto"}),
        )
        self.fields["summary"] = forms.CharField(
            label=gettext(ui, "Résumé (SMS et réseaux sociaux)"),
            widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        )
        self.fields["body"] = forms.CharField(
            label=gettext(ui, "Texte complet (affiche, courrier, appel)"),
            widget=forms.Textarea(attrs={"rows": 8, "dir": "auto"}),
        )
        self.fields["urgency"] = forms.ChoiceField(
            label=gettext(ui, "Urgence"),
            choices=[
                (Urgency.INFO, gettext(ui, "Information")),
                (Urgency.IMPORTANT, gettext(ui, "Important")),
                (Urgency.URGENT, gettext(ui, "Urgent")),
            ],
            initial=Urgency.INFO,
        )
        self.fields["topics"] = forms.MultipleChoiceField(
            label=gettext(ui, "Thèmes"),
            required=False,
            choices=[(t.slug, t.name) for t in Topic.objects.filter(organisation=organisation)],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["areas"] = forms.MultipleChoiceField(
            label=gettext(ui, "Quartiers (aucun : toute la commune)"),
            required=False,
            choices=[(a.slug, a.name) for a in Area.objects.filter(organisation=organisation)],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["contact"] = forms.CharField(
            label=gettext(ui, "Contact"), max_length=200, required=False
        )
        self.fields["links"] = forms.URLField(
            label=gettext(ui, "Lien"), required=False, assume_scheme="https"
        )
        for code, name in settings.LANGUAGES:
            labels = (
                ("title", gettext(ui, "Titre")),
                ("summary", gettext(ui, "Résumé")),
                ("body", gettext(ui, "Texte")),
            )
            for field, label in labels:
                widget = (
                    forms.TextInput(attrs={"dir": "auto"})
                    if field == "title"
                    else forms.Textarea(attrs={"rows": 3, "dir": "auto"})
                )
                self.fields[f"{field}_{code}"] = forms.CharField(
                    label=f"{label} ({name})", required=False, widget=widget
                )

    def translation_locales(self) -> list[tuple[str, str]]:
        """The languages other than the source one, as (code, name)."""
        source = self.source_locale()
        return [(code, name) for code, name in settings.LANGUAGES if code != source]

    def source_locale(self) -> str:
        return self.data.get("locale") or self.fields["locale"].initial

    def translation_fields(self):
        """Bound fields grouped by language, for the template: every language, the source one
        included (the page hides it, and shows it again when the source language changes)."""
        return [
            (code, name, [self[f"{field}_{code}"] for field in ("title", "summary", "body")])
            for code, name in settings.LANGUAGES
        ]

    def clean(self):
        data = super().clean()
        for code, _name in self.translation_locales():
            given = [
                data.get(f"{field}_{code}", "").strip() for field in ("title", "summary", "body")
            ]
            if any(given) and not all(given):
                self.add_error(
                    f"title_{code}"
                    if not given[0]
                    else f"summary_{code}"
                    if not given[1]
                    else f"body_{code}",
                    gettext(
                        translation.get_language() or settings.LANGUAGE_CODE,
                        "Une traduction doit avoir un titre, un résumé et un texte.",
                    ),
                )
        return data

    def edit_data(self) -> dict:
        """The changes `gateway.publishing.edit` takes (the source language stays)."""
        data = self.announcement_data()
        data.pop("locale")
        return data

    def announcement_data(self) -> dict:
        """The data `gateway.publishing.create_announcement` takes."""
        data = self.cleaned_data
        translations = {
            code: {f: data[f"{f}_{code}"].strip() for f in ("title", "summary", "body")}
            for code, _name in self.translation_locales()
            if data.get(f"title_{code}", "").strip()
        }
        return {
            "locale": data["locale"],
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "urgency": data["urgency"],
            "topics": data["topics"],
            "areas": data["areas"],
            "links": [data["links"]] if data.get("links") else [],
            "contact": data.get("contact", ""),
            "translations": translations,
        }


def initial_of(announcement: Announcement) -> dict:
    """The form's initial values from a saved announcement (texts of every language)."""
    source = announcement.text(announcement.locale)
    initial = {
        "locale": announcement.locale,
        "title": source.title,
        "summary": source.summary,
        "body": source.body,
        "urgency": announcement.urgency,
        "topics": [t.slug for t in announcement.topics.all()],
        "areas": [a.slug for a in announcement.areas.all()],
        "contact": announcement.contact,
        "links": (announcement.links or [""])[0],
    }
    for text in announcement.texts.all():
        if text.locale != announcement.locale:
            for field in ("title", "summary", "body"):
                initial[f"{field}_{text.locale}"] = getattr(text, field)
    return initial
