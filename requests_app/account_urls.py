"""A person's account, at the site's root and without a namespace (``{% url 'account' %}``):
signing up (pods' view), their data and deleting the account (here)."""

from django.urls import path

from pods.views.people import signup
from requests_app.views import account

urlpatterns = [
    path("signup/", signup, name="signup"),
    path("account/", account.account, name="account"),
    path("account/data/", account.account_data, name="account_data"),
    path("account/delete/", account.account_delete, name="account_delete"),
]
