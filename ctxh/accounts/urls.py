from django.urls import path

from ctxh.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("xac-thuc-hai-lop/", views.two_factor, name="two_factor"),
    path("bao-mat/", views.security, name="security"),
    path("bao-mat/tat-xac-thuc-hai-lop/", views.two_factor_disable, name="two_factor_disable"),
    path("bao-mat/doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
]
