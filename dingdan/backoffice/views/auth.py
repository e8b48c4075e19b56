"""Sign-in, sign-out and the language switch (remembered per staff member)."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dingdan.core.exceptions import ValidationFailed

from .. import selectors, services
from ..access import with_csp
from ..forms import LoginForm


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class LoginView(auth_views.LoginView):
    template_name = "backoffice/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        language = selectors.user_language(user_id=form.get_user().pk)
        if language:
            _remember_language(response, language)
        return response

    def get_default_redirect_url(self) -> str:
        return reverse("backoffice:home")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return with_csp(super().dispatch(request, *args, **kwargs))


class LogoutView(auth_views.LogoutView):
    next_page = "backoffice:login"


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or reverse("backoffice:home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("backoffice:home")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in staff member's choice is remembered."""
    language = request.POST.get("language", "")
    response: HttpResponse = HttpResponseRedirect(_back(request))
    try:
        if request.user.is_authenticated:
            services.preference_set_language(user_id=request.user.pk, language=language)
        elif language not in dict(settings.LANGUAGES):
            raise ValidationFailed()
    except ValidationFailed:
        messages.error(request, _("Choose one of the offered languages."))
        return response
    _remember_language(response, language)
    return response
