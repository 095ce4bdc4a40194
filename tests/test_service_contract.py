"""Every service function takes `user=` as a required keyword and refuses `user=None` (fails closed).

Walks every `shuangsuiji/<app>/services.py` (and `services/` packages): each public function must declare a
keyword-only `user` without a default, and calling it with `user=None` — every other argument a stand-in —
must raise PermissionDenied before it touches anything. The `SYSTEM` actor is the explicit way for the
demo, migrations and commands to act.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

import shuangsuiji

# Functions in services modules that are not user-facing writes (pure helpers with no actor).
NOT_SERVICES: set[str] = {
    # predicates the calendar page asks (reads; they answer False for None instead of raising)
    "shuangsuiji.core.services.can_edit_calendar",
    "shuangsuiji.core.services.can_propose_calendar",
    "shuangsuiji.core.services.check_calendar_editor",  # guard called first by each calendar service
}


def service_modules():
    for info in pkgutil.iter_modules(shuangsuiji.__path__):
        for name in (f"shuangsuiji.{info.name}.services",):
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError:
                continue
            yield module
            if hasattr(module, "__path__"):
                for sub in pkgutil.iter_modules(module.__path__):
                    yield importlib.import_module(f"{name}.{sub.name}")


def service_functions():
    for module in service_modules():
        for name, fn in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if f"{module.__name__}.{name}" in NOT_SERVICES:
                continue
            params = inspect.signature(fn).parameters
            if "user" not in params and "actor" not in params:
                continue
            yield pytest.param(fn, id=f"{module.__name__.removeprefix('shuangsuiji.')}.{name}")


SERVICES = list(service_functions())


def test_services_were_found():
    assert len(SERVICES) > 40


@pytest.mark.parametrize("fn", SERVICES)
def test_user_is_a_required_keyword(fn):
    params = inspect.signature(fn).parameters
    assert "actor" not in params, "use user=, not actor="
    user = params["user"]
    assert user.kind is inspect.Parameter.KEYWORD_ONLY
    assert user.default is inspect.Parameter.empty, "user= must be required (pass SYSTEM explicitly)"


class Touched(AssertionError):
    """The service used an argument (as a truth value, a sequence or a number) before checking the user."""


class StandIn(mock.MagicMock):
    """An argument the service may pass around (and read attributes of) but not loop over, test or size:
    a service that refuses `user=None` first never gets that far, and one that does not cannot run away
    (an endless `while stand_in:` or `bytes(stand_in)` would otherwise eat the machine)."""

    def _get_child_mock(self, **kwargs):
        name = kwargs.get("name") or ""
        if name.startswith("__") or kwargs.get("_new_name", "").startswith("__"):
            return mock.MagicMock(**kwargs)  # the magic methods themselves
        return StandIn(**kwargs)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for magic in ("__bool__", "__iter__", "__len__", "__int__", "__index__", "__float__", "__contains__"):
            getattr(self, magic).side_effect = Touched(f"{magic} of a stand-in argument used before the user check")


@pytest.mark.django_db
@pytest.mark.parametrize("fn", SERVICES)
def test_user_none_is_refused(fn):
    kwargs = {}
    args = []
    for name, param in inspect.signature(fn).parameters.items():
        if name == "user":
            kwargs[name] = None
        elif param.default is inspect.Parameter.empty:
            stand_in = StandIn(name=name)
            if param.kind is inspect.Parameter.KEYWORD_ONLY:
                kwargs[name] = stand_in
            elif param.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
                args.append(stand_in)
    with pytest.raises(PermissionDenied):
        fn(*args, **kwargs)
