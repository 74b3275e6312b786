"""Placeholder views; replaced by the accounts work (login, logout, two-factor set-up and check)."""

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


def logout_view(request):
    logout(request)
    return redirect("accounts:login")


def two_factor(request):
    return HttpResponse("two factor")
