"""The settings screens' forms (admins). They read the HTML and say what is wrong next to the
field, in the console's language; the values are then checked again by the API's own schemas
(`OrganisationPatch`, `TopicIn`, `AreaIn`), so the console never stores what the API refuses."""

from __future__ import annotations

import functools
import io
import re
import zoneinfo
from decimal import Decimal, InvalidOperation

import pydantic
from django import forms
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from gateway.api.schemas import AreaIn, OrganisationPatch, TopicIn
from gateway.audience.keywords import KEYWORDS, fold
from gateway.console.subscriber_forms import ui
from gateway.models import Role, Scope, Topic
from renderers.i18n import gettext
from renderers.print.address import is_country_code
from renderers.visual.design import LOGO_MAX_PIXELS

LOGO_MAX_BYTES = 1_000_000
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def role_word(role: str, lc: str) -> str:
    return {
        Role.AUTHOR: gettext(lc, "Rédacteur"),
        Role.APPROVER: gettext(lc, "Approbateur"),
        Role.ADMIN: gettext(lc, "Administrateur"),
    }.get(role, role)


def scope_word(scope: str, lc: str) -> str:
    return {
        Scope.READ: gettext(lc, "Lecture : listes, aperçus, rapports"),
        Scope.WRITE: gettext(lc, "Rédaction : créer, modifier, soumettre des annonces"),
        Scope.PUBLISH: gettext(lc, "Publication : approuver, programmer, publier, annuler"),
        Scope.ADMIN: gettext(lc, "Administration : réglages, thèmes, quartiers, clés"),
    }.get(scope, scope)


def policy_word(policy: str, lc: str) -> str:
    return {
        "off": gettext(lc, "Texte tel quel"),
        "punctuation": gettext(lc, "Remplacer la ponctuation typographique"),
        "full": gettext(lc, "Remplacer tout caractère coûteux (accents compris)"),
    }.get(policy, policy)


@functools.cache
def time_zones() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class OrganisationForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lc = ui()
        text = forms.CharField
        self.fields["name"] = text(label=gettext(lc, "Nom de l’organisation"), max_length=200)
        self.fields["address_lines"] = text(
            label=gettext(lc, "Adresse de retour des lettres"),
            help_text=gettext(
                lc, "Une ligne par ligne imprimée, jusqu’au code postal et à la commune."
            ),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        self.fields["city"] = text(
            label=gettext(lc, "Commune imprimée sur les lettres"), max_length=100, required=False
        )
        self.fields["timezone"] = forms.ChoiceField(
            label=gettext(lc, "Fuseau horaire"),
            choices=time_zones(),
        )
        self.fields["default_locale"] = forms.ChoiceField(
            label=gettext(lc, "Langue par défaut"), choices=list(settings.LANGUAGES)
        )
        self.fields["sms_sender"] = text(
            label=gettext(lc, "Expéditeur des SMS (nom ou numéro)"), max_length=32, required=False
        )
        self.fields["voice_sender"] = text(
            label=gettext(lc, "Numéro des appels"), max_length=32, required=False
        )
        self.fields["sms_signature"] = text(
            label=gettext(lc, "Signature des SMS"), max_length=40, required=False
        )
        self.fields["sms_policy"] = forms.ChoiceField(
            label=gettext(lc, "Encodage des SMS"),
            choices=[(p, policy_word(p, lc)) for p in ("off", "punctuation", "full")],
        )
        self.fields["sms_max_parts"] = forms.IntegerField(
            label=gettext(lc, "Nombre de SMS au plus par message"), min_value=1, max_value=10
        )
        self.fields["sms_prices"] = text(
            label=gettext(lc, "Prix d’un SMS par pays"),
            help_text=gettext(
                lc, "Une ligne par pays : code du pays et prix, par exemple FR 0.0725"
            ),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
        self.fields["currency"] = text(label=gettext(lc, "Monnaie (code ISO)"), max_length=10)
        self.fields["countries"] = text(
            label=gettext(lc, "Pays desservis"),
            help_text=gettext(
                lc, "Codes à deux lettres séparés par des espaces, par exemple FR BE"
            ),
        )
        self.fields["signup_codes_per_day"] = forms.IntegerField(
            label=gettext(lc, "Codes d’inscription envoyés par jour au plus"),
            min_value=0,
            max_value=1_000_000,
        )

    @staticmethod
    def initial_of(organisation) -> dict:
        return {
            **{name: getattr(organisation, name) for name in OrganisationPatch.model_fields},
            "address_lines": "\n".join(organisation.address_lines),
            "sms_prices": "\n".join(f"{c} {p}" for c, p in organisation.sms_prices.items()),
            "countries": " ".join(organisation.countries),
        }

    def clean_address_lines(self) -> list[str]:
        lines = _lines(self.cleaned_data["address_lines"])
        if len(lines) > 6:
            raise forms.ValidationError(gettext(ui(), "Six lignes au plus."))
        return lines

    def clean_sms_prices(self) -> dict[str, str]:
        prices = {}
        for line in _lines(self.cleaned_data["sms_prices"]):
            parts = line.replace(",", ".", 1).split() if line.count(",") == 1 else line.split()
            try:
                country, price = parts
                if not is_country_code(country) or Decimal(price) < 0:
                    raise ValueError
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    gettext(ui(), "Ligne illisible : « {line} ». Attendu : FR 0.0725").format(
                        line=line
                    )
                ) from None
            prices[country.upper()] = str(Decimal(price))
        return prices

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise forms.ValidationError(gettext(ui(), "Trois lettres, par exemple EUR."))
        return value

    def clean_countries(self) -> list[str]:
        codes = self.cleaned_data["countries"].replace(",", " ").upper().split()
        unknown = [c for c in codes if not is_country_code(c)]
        if unknown:
            raise forms.ValidationError(
                gettext(ui(), "Code de pays inconnu : {code}").format(code=unknown[0])
            )
        if not codes:
            raise forms.ValidationError(gettext(ui(), "Au moins un pays."))
        return list(dict.fromkeys(codes))

    def patch(self) -> dict | None:
        """The values as the API takes them, checked by its schema; None (errors added) if not."""
        try:
            return OrganisationPatch(**self.cleaned_data).dict(exclude_none=True)
        except pydantic.ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else None
                self.add_error(field if field in self.fields else None, error["msg"])
            return None


class LogoForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["logo"] = forms.FileField(
            label=gettext(ui(), "Logo pour l’impression (PNG ou JPEG, 1 Mo au plus)"),
            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        )

    def clean_logo(self):
        upload = self.cleaned_data["logo"]
        lc = ui()
        if upload.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(gettext(lc, "Le fichier dépasse 1 Mo."))
        data = upload.read()
        try:
            with Image.open(io.BytesIO(data)) as image:
                kind, width, height = image.format, image.width, image.height
                if kind not in LOGO_TYPES:
                    raise UnidentifiedImageError
                if width * height > LOGO_MAX_PIXELS:
                    raise forms.ValidationError(gettext(lc, "L’image est trop grande."))
                image.verify()  # a truncated or corrupt file fails here, not at print time
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise forms.ValidationError(
                gettext(lc, "Ce fichier n’est pas une image PNG ou JPEG lisible.")
            ) from None
        return {"image": data, "content_type": LOGO_TYPES[kind], "width": width, "height": height}


def _keywords(text: str, organisation, topic: Topic | None) -> list[str]:
    """Keywords typed with commas or spaces; a command word or another topic's is refused."""
    lc = ui()
    words = list(dict.fromkeys(w for w in re.split(r"[,\s]+", text.strip().upper()) if w))
    taken = {
        fold(k): t.name
        for t in Topic.objects.filter(organisation=organisation).exclude(
            pk=getattr(topic, "pk", None)
        )
        for k in t.keywords
    }
    for word in words:
        if fold(word) in KEYWORDS:
            raise forms.ValidationError(
                gettext(lc, "« {word} » est un mot réservé (STOP, AIDE…).").format(word=word)
            )
        if fold(word) in taken:
            raise forms.ValidationError(
                gettext(lc, "« {word} » est déjà un mot-clé du thème {topic}.").format(
                    word=word, topic=taken[fold(word)]
                )
            )
    return words


class TopicForm(forms.Form):
    """A new topic (slug, name, keywords), or an existing one's name and keywords."""

    def __init__(self, organisation, topic: Topic | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation, self.topic = organisation, topic
        lc = ui()
        if topic is None:
            self.fields["slug"] = forms.CharField(
                label=gettext(lc, "Identifiant (minuscules, chiffres, tirets)"), max_length=50
            )
        self.fields["name"] = forms.CharField(label=gettext(lc, "Nom"), max_length=100)
        self.fields["keywords"] = forms.CharField(
            label=gettext(lc, "Mots-clés SMS"),
            help_text=gettext(lc, "Séparés par des espaces ou des virgules, par exemple EAU WATER"),
            required=False,
        )
        if topic is not None:  # its inputs sit in a table row, outside their <form>
            for field in self.fields.values():
                field.widget.attrs["form"] = f"topic-{topic.pk}"

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip()
        if not SLUG.match(slug):
            raise forms.ValidationError(
                gettext(ui(), "Minuscules sans accent, chiffres et tirets seulement.")
            )
        if Topic.objects.filter(organisation=self.organisation, slug=slug).exists():
            raise forms.ValidationError(gettext(ui(), "Cet identifiant existe déjà."))
        return slug

    def clean_keywords(self) -> list[str]:
        return _keywords(self.cleaned_data["keywords"], self.organisation, self.topic)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if self.topic is None:
            TopicIn(**data)  # the API's own checks; the form's are stricter
        return data


class AreaForm(forms.Form):
    def __init__(self, organisation, area=None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation, self.area = organisation, area
        lc = ui()
        if area is None:
            self.fields["slug"] = forms.CharField(
                label=gettext(lc, "Identifiant (minuscules, chiffres, tirets)"), max_length=50
            )
        self.fields["name"] = forms.CharField(label=gettext(lc, "Nom"), max_length=100)
        if area is not None:
            self.fields["name"].widget.attrs["form"] = f"area-{area.pk}"

    def clean_slug(self) -> str:
        from gateway.models import Area

        slug = self.cleaned_data["slug"].strip()
        if not SLUG.match(slug):
            raise forms.ValidationError(
                gettext(ui(), "Minuscules sans accent, chiffres et tirets seulement.")
            )
        if Area.objects.filter(organisation=self.organisation, slug=slug).exists():
            raise forms.ValidationError(gettext(ui(), "Cet identifiant existe déjà."))
        return slug

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if self.area is None:
            AreaIn(**data)
        return data


class InviteForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lc = ui()
        self.fields["username"] = forms.CharField(
            label=gettext(lc, "Identifiant de connexion"), max_length=150
        )
        self.fields["email"] = forms.EmailField(
            label=gettext(lc, "Courriel (facultatif)"), required=False
        )
        self.fields["role"] = forms.ChoiceField(
            label=gettext(lc, "Rôle"), choices=[(r, role_word(r, lc)) for r in Role.values]
        )
        self.fields["can_alert"] = forms.BooleanField(
            label=gettext(lc, "Peut publier une alerte urgente sans approbation"), required=False
        )

    def clean_username(self) -> str:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.validators import UnicodeUsernameValidator

        name = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(name)
        except forms.ValidationError:
            raise forms.ValidationError(
                gettext(ui(), "Lettres, chiffres et @ . + - _ seulement.")
            ) from None
        if get_user_model().objects.filter(username=name).exists():
            raise forms.ValidationError(gettext(ui(), "Cet identifiant est déjà pris."))
        return name


class ApiKeyForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        lc = ui()
        self.fields["name"] = forms.CharField(
            label=gettext(lc, "Nom de la clé (à quoi elle sert)"), max_length=100
        )
        self.fields["scopes"] = forms.MultipleChoiceField(
            label=gettext(lc, "Droits"),
            choices=[(s, scope_word(s, lc)) for s in Scope.values],
            widget=forms.CheckboxSelectMultiple,
            initial=[Scope.READ],
            error_messages={"required": gettext(lc, "Cochez au moins un droit.")},
        )


def described(*forms_: forms.Form) -> None:
    """Point each invalid input at its message (and hint), for screen readers."""
    for form in forms_:
        if not form.is_bound:
            continue
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            ids = [f"{bound.auto_id}_helptext"] if form.fields[name].help_text else []
            attrs = form.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join([*ids, f"{bound.auto_id}-error"])
            attrs["aria-invalid"] = "true"
