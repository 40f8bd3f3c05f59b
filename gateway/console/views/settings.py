"""Settings screens (admins): the organisation, its logo, topics and areas with their SMS
keywords, members and roles, API keys. Every change is audited; no secret is ever shown back
(an API key is shown once, on the page that created it; an invitation link likewise).

Provider accounts have their own screens (`gateway.accounts.console`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone as tz
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.views.decorators.http import require_POST

from gateway.api.keys import create_key, revoke_key
from gateway.console.access import member
from gateway.console.settings_forms import (
    ApiKeyForm,
    AreaForm,
    InviteForm,
    LogoForm,
    OrganisationForm,
    TopicForm,
    described,
    role_word,
    scope_word,
)
from gateway.console.subscriber_forms import ui
from gateway.console.views.citizens import admin_member
from gateway.edits import apply_edit
from gateway.models import (
    ApiKey,
    Area,
    AuditEvent,
    Membership,
    Organisation,
    OrganisationLogo,
    Role,
    Topic,
)
from renderers.i18n import gettext


def _saved(request) -> None:
    messages.success(request, gettext(ui(), "Modifications enregistrées."))


def _page(request, template: str, membership, context: dict, status: int = 200):
    described(*(v for v in context.values() if hasattr(v, "is_bound")))
    for value in context.values():  # the forms of the rows and of the new topic and area
        if isinstance(value, dict):
            described(*(f for f in value.values() if hasattr(f, "is_bound")))
        elif isinstance(value, list):
            described(*(f for row in value for f in row[1:] if hasattr(f, "is_bound")))
    return render(
        request,
        template,
        {"member": membership, "section": template.rsplit("/", 1)[-1][:-5], **context},
        status=status,
    )


@login_required
def organisation(request):
    membership = admin_member(request)
    org = Organisation.objects.get(pk=membership.organisation_id)
    status = 200
    if request.method == "POST":
        form = OrganisationForm(request.POST)
        patch = form.patch() if form.is_valid() else None
        if patch is not None:
            apply_edit(
                org, patch, action="organisation.edited", actor=request.user, organisation=org
            )
            _saved(request)
            return redirect("console:settings")
        status = 422
    else:
        form = OrganisationForm(initial=OrganisationForm.initial_of(org))
    logo = OrganisationLogo.objects.filter(organisation=org).only("width", "height").first()
    return _page(
        request,
        "console/settings/organisation.html",
        membership,
        {"form": form, "logo_form": LogoForm(), "logo": logo},
        status,
    )


@login_required
@require_POST
def logo(request):
    membership = admin_member(request)
    org = membership.organisation
    if "remove" in request.POST:
        if OrganisationLogo.objects.filter(organisation=org).delete()[0]:
            AuditEvent.record(
                "organisation.logo_removed", org, actor=request.user, organisation=org
            )
            _saved(request)
        return redirect("console:settings")
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(
            request,
            "console/settings/organisation.html",
            membership,
            {
                "form": OrganisationForm(initial=OrganisationForm.initial_of(org)),
                "logo_form": form,
                "logo": OrganisationLogo.objects.filter(organisation=org).only("width").first(),
            },
            422,
        )
    image = form.cleaned_data["logo"]
    with transaction.atomic():
        OrganisationLogo.objects.update_or_create(
            organisation=org, defaults={**image, "updated_at": tz.now()}
        )
        AuditEvent.record(
            "organisation.logo_changed",
            org,
            actor=request.user,
            organisation=org,
            content_type=image["content_type"],
            size=[image["width"], image["height"]],
        )
    _saved(request)
    return redirect("console:settings")


@login_required
def logo_image(request):
    """The organisation's logo (any member: it is printed on every notice)."""
    found = OrganisationLogo.objects.filter(organisation=member(request).organisation).first()
    if found is None:
        raise Http404("no logo")
    response = HttpResponse(bytes(found.image), content_type=found.content_type)
    response["Cache-Control"] = "private, max-age=60"
    return response


@login_required
def topics(request):
    membership = admin_member(request)
    org = membership.organisation
    kind = request.POST.get("kind", "")
    forms_ = {"topic": TopicForm(org, prefix="topic"), "area": AreaForm(org, prefix="area")}
    errors: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        row_id = request.POST.get("id", "")
        if row_id and not row_id.isdigit():
            return HttpResponse("id: expected a number", status=400)
        if kind == "topic":
            row = get_object_or_404(Topic, pk=row_id, organisation=org) if row_id else None
            form = TopicForm(org, row, request.POST, prefix=f"t{row.pk}" if row else "topic")
        elif kind == "area":
            row = get_object_or_404(Area, pk=row_id, organisation=org) if row_id else None
            form = AreaForm(org, row, request.POST, prefix=f"a{row.pk}" if row else "area")
        else:
            return HttpResponse("kind: expected topic or area", status=400)
        if form.is_valid():
            values = form.values()
            model = Topic if kind == "topic" else Area
            if row is None:
                with transaction.atomic():
                    created = model.objects.create(organisation=org, **values)
                    AuditEvent.record(f"{kind}.created", created, actor=request.user)
            else:
                apply_edit(row, values, action=f"{kind}.edited", actor=request.user)
            _saved(request)
            return redirect("console:settings-topics")
        status = 422
        if row is None:
            forms_[kind] = form
        else:
            errors[f"{kind}-{row.pk}"] = form
    topic_rows = [
        (
            t,
            errors.get(f"topic-{t.pk}")
            or TopicForm(org, t, initial=_topic_initial(t), prefix=f"t{t.pk}"),
        )
        for t in Topic.objects.filter(organisation=org).order_by("name")
    ]
    area_rows = [
        (
            a,
            errors.get(f"area-{a.pk}")
            or AreaForm(org, a, initial={"name": a.name}, prefix=f"a{a.pk}"),
        )
        for a in Area.objects.filter(organisation=org).order_by("name")
    ]
    return _page(
        request,
        "console/settings/topics.html",
        membership,
        {"topic_rows": topic_rows, "area_rows": area_rows, "new": forms_},
        status,
    )


def _topic_initial(topic: Topic) -> dict:
    return {"name": topic.name, "keywords": " ".join(topic.keywords)}


def _admins(org) -> int:
    return Membership.objects.filter(organisation=org, role=Role.ADMIN).count()


@login_required
def members(request):
    membership = admin_member(request)
    org = membership.organisation
    lc = ui()
    form = InviteForm(request.POST if request.method == "POST" else None)
    invitation = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                user = get_user_model().objects.create_user(
                    data["username"], email=data["email"], password=None
                )
                created = Membership.objects.create(
                    user=user, organisation=org, role=data["role"], can_alert=data["can_alert"]
                )
                AuditEvent.record(
                    "membership.created",
                    created,
                    actor=request.user,
                    organisation=org,
                    user=user.get_username(),
                    role=created.role,
                    can_alert=created.can_alert,
                )
            # the deployment's public address (behind a proxy the request's host may be internal)
            invitation = settings.PUBLIC_URL + invitation_path(user)
            form = InviteForm()
            status = 201
        else:
            status = 422
    rows = (
        Membership.objects.filter(organisation=org)
        .select_related("user")
        .order_by("user__username")
    )
    return _page(
        request,
        "console/settings/members.html",
        membership,
        {
            "form": form,
            "invitation": invitation,
            "rows": rows,
            "roles": [(r, role_word(r, lc)) for r in Role.values],
        },
        status,
    )


def invitation_path(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("console:invitation", args=[uid, default_token_generator.make_token(user)])


@login_required
@require_POST
def member_change(request, membership_id: int):
    membership = admin_member(request)
    org = membership.organisation
    row = get_object_or_404(Membership, pk=membership_id, organisation=org)
    lc = ui()
    if "remove" in request.POST:
        if row.pk == membership.pk:
            messages.error(request, gettext(lc, "Vous ne pouvez pas vous retirer vous-même."))
        elif row.role == Role.ADMIN and _admins(org) == 1:
            messages.error(request, gettext(lc, "L’organisation garde au moins un administrateur."))
        else:
            with transaction.atomic():
                user = row.user
                AuditEvent.record(
                    "membership.removed", row, actor=request.user, user=user.get_username()
                )
                for key in ApiKey.objects.filter(organisation=org, user=user, revoked_at=None):
                    revoke_key(key, actor=request.user)
                row.delete()
                if not Membership.objects.filter(user=user).exists():
                    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
            messages.success(
                request,
                gettext(lc, "{name} ne fait plus partie de l’organisation.").format(
                    name=user.get_username()
                ),
            )
        return redirect("console:settings-members")
    role = request.POST.get("role", "")
    if role not in Role.values:
        return HttpResponse("role: expected author, approver or admin", status=400)
    if row.role == Role.ADMIN and role != Role.ADMIN and _admins(org) == 1:
        messages.error(request, gettext(lc, "L’organisation garde au moins un administrateur."))
        return redirect("console:settings-members")
    changes = apply_edit(
        row,
        {"role": role, "can_alert": request.POST.get("can_alert") == "on"},
        action="membership.changed",
        actor=request.user,
        organisation=org,
    )
    if changes:
        _saved(request)
    return redirect("console:settings-members")


def invitation(request, uid: str, token: str):
    """An invited member chooses their password (the link works once, for a few days)."""
    try:
        user = get_user_model().objects.get(pk=int(urlsafe_base64_decode(uid).decode()))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "console/invitation.html", {"expired": True}, status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        AuditEvent.record("user.password_set", user, actor=user, via="invitation")
        messages.success(request, gettext(ui(), "Mot de passe enregistré : connectez-vous."))
        return redirect("console:login")
    return render(
        request,
        "console/invitation.html",
        {"form": form, "username": user.get_username()},
        status=422 if form.is_bound else 200,
    )


@login_required
def keys(request):
    membership = admin_member(request)
    org = membership.organisation
    lc = ui()
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    created = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            user = get_user_model().objects.get(pk=request.user.pk)
            _, created = create_key(
                org, user, form.cleaned_data["name"], form.cleaned_data["scopes"], actor=user
            )
            form = ApiKeyForm()
            status = 201
        else:
            status = 422
    rows = [
        (key, [scope_word(s, lc).split(" : ")[0] for s in key.scopes])
        for key in ApiKey.objects.filter(organisation=org).select_related("user").order_by("-pk")
    ]
    response = _page(
        request,
        "console/settings/keys.html",
        membership,
        {"form": form, "created": created, "rows": rows},
        status,
    )
    if created:
        response["Cache-Control"] = "no-store"  # the key is on this page only
    return response


@login_required
@require_POST
def key_revoke(request, key_id: int):
    membership = admin_member(request)
    key = get_object_or_404(ApiKey, pk=key_id, organisation=membership.organisation)
    if revoke_key(key, actor=request.user):
        messages.success(request, gettext(ui(), "Clé « {name} » révoquée.").format(name=key.name))
    return redirect("console:settings-keys")
