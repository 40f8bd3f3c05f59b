"""Subscribers entered in the console: the paper form and the CSV upload.

These forms only read the HTML; the citizen is validated and stored by `gateway.audience.citizens`
(the same checks as the API), whose problems are then shown next to their fields.
"""

from __future__ import annotations

import pydantic
from django import forms
from django.conf import settings
from django.utils import translation

from gateway.audience.citizens import CitizenIn, Problem, problems_of
from gateway.audience.subscriptions import available_languages
from gateway.console.words import channel_word
from gateway.models import CHANNELS, Area, Organisation, Topic
from renderers.i18n import gettext

ADDRESS_FIELDS = ("address1", "address2", "address3", "address4")
PAPER_ONLY = ("form_reference", "signed_on")


def ui() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


class PaperForm(forms.Form):
    """Every box of the paper subscription form, and the form's own reference and date."""

    def __init__(self, organisation: Organisation, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.address_errors: list[str] = []
        lc = ui()
        text = forms.CharField
        self.fields["form_reference"] = text(
            label=gettext(lc, "Numéro du formulaire"), max_length=60
        )
        self.fields["signed_on"] = forms.DateField(
            label=gettext(lc, "Signé le"), widget=forms.DateInput(attrs={"type": "date"})
        )
        self.fields["reference"] = text(
            label=gettext(lc, "Référence de l’abonné (vide : attribuée)"),
            max_length=20,
            required=False,
        )
        self.fields["name"] = text(
            label=gettext(lc, "Civilité, prénom et nom"), max_length=200, required=False
        )
        self.fields["phone"] = text(
            label=gettext(lc, "Téléphone"),
            required=False,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        )
        self.fields["email"] = forms.CharField(
            label=gettext(lc, "Courriel"),
            required=False,
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        )
        hints = (
            gettext(lc, "Appartement, étage, chez…"),
            gettext(lc, "Bâtiment, résidence"),
            gettext(lc, "Numéro et voie"),
            gettext(lc, "Lieu-dit, boîte postale"),
        )
        # numbered as printed (NF Z10-011): line 1 is the name, the last the postcode and city
        for number, (name, hint) in enumerate(zip(ADDRESS_FIELDS, hints, strict=True), 2):
            self.fields[name] = text(
                label=gettext(lc, "Adresse, ligne {number}").format(number=number),
                help_text=hint,
                required=False,
            )
        self.fields["postcode"] = text(label=gettext(lc, "Code postal"), required=False)
        self.fields["city"] = text(label=gettext(lc, "Commune"), required=False)
        self.fields["country"] = text(
            label=gettext(lc, "Pays (code à deux lettres)"), initial="FR", max_length=2
        )
        self.fields["language"] = forms.ChoiceField(
            label=gettext(lc, "Langue de l’abonné"),
            choices=[(c, n) for c, n in settings.LANGUAGES if c in available_languages()],
            initial=organisation.default_locale,
        )
        self.fields["channels"] = forms.MultipleChoiceField(
            label=gettext(lc, "Consentement par canal (cases cochées sur le formulaire)"),
            choices=[(c, channel_word(c, lc)) for c in CHANNELS],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": gettext(lc, "Cochez au moins un canal.")},
        )
        self.fields["preferred"] = forms.ChoiceField(
            label=gettext(lc, "Canal préféré"),
            choices=[("", gettext(lc, "Le premier coché"))]
            + [(c, channel_word(c, lc)) for c in CHANNELS],
            required=False,
        )
        self.fields["topics"] = forms.MultipleChoiceField(
            label=gettext(lc, "Thèmes"),
            required=False,
            choices=[(t.slug, t.name) for t in Topic.objects.filter(organisation=organisation)],
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["area"] = forms.ChoiceField(
            label=gettext(lc, "Quartier"),
            required=False,
            choices=[("", gettext(lc, "Aucun"))]
            + [(a.slug, a.name) for a in Area.objects.filter(organisation=organisation)],
        )
        self.fields["large_print"] = forms.BooleanField(
            label=gettext(lc, "Courrier en gros caractères"), required=False
        )
        time_input = forms.TimeInput(attrs={"type": "time"})
        self.fields["quiet_start"] = forms.TimeField(
            label=gettext(lc, "Heures calmes, sans appel ni SMS : début"),
            required=False,
            widget=time_input,
        )
        self.fields["quiet_end"] = forms.TimeField(
            label=gettext(lc, "Heures calmes : fin"), required=False, widget=time_input
        )

    def citizen(self) -> CitizenIn | None:
        """The citizen as `gateway.audience.citizens` takes it; None when a field is invalid."""
        data = self.cleaned_data
        if any(name not in data for name in self.fields if name not in PAPER_ONLY):
            return None
        channels = list(data["channels"])
        if data.get("preferred") in channels:
            channels.remove(data["preferred"])
            channels.insert(0, data["preferred"])
        try:
            return CitizenIn(
                reference=data["reference"],
                name=data["name"],
                phone=data["phone"],
                email=data.get("email", ""),
                address_lines=[data[name] for name in ADDRESS_FIELDS if data[name].strip()],
                postcode=data["postcode"],
                city=data["city"],
                country=data["country"] or "FR",
                language=data["language"],
                channels=channels,
                topics=data["topics"],
                area=data["area"],
                large_print=data["large_print"],
                quiet_start=data["quiet_start"],
                quiet_end=data["quiet_end"],
            )
        except pydantic.ValidationError as exc:
            self.add_problems(problems_of(exc))
            return None

    def add_problems(self, problems: list[Problem]) -> None:
        """The service's problems next to the input they were typed in, in the console's
        language; an address problem that names no line goes on the address group."""
        lc = ui()
        for problem in problems:
            message = problem.message(lc)
            name = problem.field
            if name == "address":
                field = self.address_field(problem.input)
                if field:
                    self.add_error(field, message)
                else:
                    self.address_errors.append(message)
            elif name.startswith("address_lines."):
                index = int(name.split(".")[1])
                self.add_error(ADDRESS_FIELDS[min(index, len(ADDRESS_FIELDS) - 1)], message)
            elif name in self.fields:
                self.add_error(name, message)
            else:
                self.add_error(None, f"{name}: {message}")

    def address_field(self, where: str) -> str | None:
        """The input of `where` (`name`, `address_lines.N`, `postcode`, `city`, `country`).

        `address_lines` holds the filled address inputs only, in order: N is the Nth filled.
        """
        if where in ("name", "postcode", "city", "country"):
            return where
        if where.startswith("address_lines."):
            data = getattr(self, "cleaned_data", {})
            filled = [f for f in ADDRESS_FIELDS if data.get(f, "").strip()]
            index = int(where.split(".")[1])
            return filled[index] if index < len(filled) else None
        return None

    def error_summary(self) -> list[tuple[str, str, str]]:
        """(anchor, label, problem) for the summary at the top of the page."""
        found = [
            (f"#id_{name}", self.fields[name].label, str(error))
            for name, errors in self.errors.items()
            if name in self.fields
            for error in errors
        ]
        label = gettext(ui(), "Adresse")
        found += [("#id_address1", label, problem) for problem in self.address_errors]
        found += [("#main", "", str(error)) for error in self.non_field_errors()]
        return found

    def described(self) -> None:
        """Point each invalid input at its message, for screen readers."""
        for name in self.errors:
            if name in self.fields:
                ids = [f"id_{name}_helptext"] if self.fields[name].help_text else []
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(
                    [*ids, f"id_{name}-error"]
                )
        if self.address_errors:
            for name in (*ADDRESS_FIELDS, "postcode", "city"):
                ids = [f"id_{name}_helptext"] if self.fields[name].help_text else []
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(
                    [*ids, "address-error"]
                )
                self.fields[name].widget.attrs["aria-invalid"] = "true"


class ImportForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"] = forms.FileField(
            label=gettext(ui(), "Fichier CSV (UTF-8, avec une ligne d’en-tête)"),
            widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        )
        self.fields["dry_run"] = forms.BooleanField(
            label=gettext(ui(), "Voir les changements sans rien enregistrer"), required=False
        )
