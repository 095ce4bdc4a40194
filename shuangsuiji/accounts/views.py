from axes.decorators import axes_dispatch
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator

from shuangsuiji.core.listing import ScopedListView, require_perm
from shuangsuiji.core.viewhelpers import form_instance, service_call

from . import services
from .filtersets import OrganizationFilterSet, UserFilterSet
from .forms import LoginForm, OrganizationForm, UserCreateForm, UserUpdateForm
from .models import Organization, User
from .tables import OrganizationTable, UserTable


@method_decorator(axes_dispatch, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class UserListView(ScopedListView):
    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    title = "用户管理"
    create_url_name = "accounts:user_create"


class OrganizationListView(ScopedListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    table_class = OrganizationTable
    title = "机构管理"
    create_url_name = "accounts:organization_create"


def _form_page(request, form, title):
    return render(request, "core/form_page.html", {"form": form, "title": title})


@login_required
def user_create(request):
    require_perm(request.user, User, "add")
    form = UserCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        result = service_call(request, lambda: services.user_create(user=request.user, **form.cleaned_data), form=form)
        if result.ok:
            messages.success(request, f"已创建用户 {result.value.username}")
            return redirect("accounts:user_list")
    return _form_page(request, form, "新建用户")


@login_required
def user_edit(request, pk: int):
    require_perm(request.user, User, "change")
    target = get_object_or_404(User.objects.restrict(request.user, "change"), pk=pk)
    form = UserUpdateForm(request.POST or None, instance=form_instance(target), user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in form.fields}
        if service_call(request, lambda: services.user_update(user=request.user, account=target, **changes), form=form):
            messages.success(request, "已保存")
            return redirect("accounts:user_list")
    return _form_page(request, form, f"编辑用户：{target.username}")


@login_required
def organization_create(request):
    require_perm(request.user, Organization, "add")
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if service_call(
            request, lambda: services.organization_create(user=request.user, **form.cleaned_data), form=form
        ):
            messages.success(request, "已创建机构")
            return redirect("accounts:organization_list")
    return _form_page(request, form, "新建机构")
