from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from shuangsuiji.regions.models import Region

from .models import Organization, User
from .roles import Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误（连续失败多次将被锁定）",
        "inactive": "该账号已停用",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # AuthenticationForm sets max_length after the field exists, so nothing enforces it: an overlong name
        # would reach authenticate() and the failed-login records (django-axes, 255 characters).
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))
        self.fields["password"].validators.append(MaxLengthValidator(4096))


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label="用户名", regex=r"^[\w.@+-]{3,150}$", max_length=150,
        error_messages={"invalid": "用户名只能包含字母、数字和 @/./+/-/_，至少3位"},
    )  # fmt: skip
    full_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    organization = forms.ModelChoiceField(label="所属机构", queryset=Organization.objects.none())
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="至少10位，含大写字母、小写字母、数字、符号中的3类；不得与用户名相似或为常见密码",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, "view")

    def clean_username(self):
        name = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError("用户名已存在")
        return name

    def clean(self):
        data = super().clean()
        if data.get("password"):
            candidate = User(username=data.get("username", ""), full_name=data.get("full_name", ""),
                             phone=data.get("phone", ""))  # fmt: skip
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserUpdateForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "role", "organization", "phone", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.restrict(user, "view")
        self.fields["organization"].required = True


class OrganizationForm(forms.Form):
    name = forms.CharField(label="机构名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Organization.Kind.choices)
    region = forms.ModelChoiceField(label="所属区划", queryset=Region.objects.none())
    parent = forms.ModelChoiceField(label="上级机构", queryset=Organization.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = Region.objects.restrict(user, "view")
        self.fields["parent"].queryset = Organization.objects.restrict(user, "view")
