from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models

from shuangsuiji.core.models import ScopedModel, TimeStampedModel
from shuangsuiji.core.querysets import RestrictedQuerySet

from .roles import Role


class Organization(ScopedModel, TimeStampedModel):
    """机构/科室: a department (卫生健康局, 卫生监督所, 科室, other departments for joint checks)."""

    class Kind(models.TextChoices):
        BUREAU = "bureau", "卫生健康行政部门"
        AGENCY = "agency", "卫生监督机构"
        SECTION = "section", "科室/大队"
        OTHER_DEPT = "other", "其他部门"

    region_field = "region"

    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="所属区划", on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self", verbose_name="上级机构", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "机构"
        verbose_name_plural = "机构"
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """The full name that heads documents: the name, led by the full region name unless it already starts
        with it ("高青县卫生健康局" → "山东省淄博市高青县卫生健康局"); an internal 科室 under its parent body."""
        org = self
        while org.kind == self.Kind.SECTION and org.parent_id:
            org = org.parent
        region = org.region
        if org.name.startswith(region.full_name):
            return org.name
        if org.name.startswith(region.name):
            return f"{region.parent.full_name if region.parent_id else ''}{org.name}"
        return f"{region.full_name}{org.name}"


class UserManager(DjangoUserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """用户: a person who logs in, belonging to one organisation (its region sets the data scope)."""

    region_field = "organization__region"

    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.INSPECTOR)
    organization = models.ForeignKey(
        Organization, verbose_name="所属机构", on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def scope_prefix(self) -> str | None:
        """GB/T 2260 prefix of everything this user may see; None = nothing."""
        if self.is_superuser:
            return ""
        if self.organization_id is None:
            return None
        return self.organization.region.scope_prefix

    @property
    def region(self):
        return self.organization.region if self.organization_id else None


class ApiToken(models.Model):
    """接口令牌: a bearer token for a system (provincial platform, 审管联动, credit publicity).

    Only the SHA-256 of the key is stored (DRF's authtoken keeps keys in plain text, one per user,
    without expiry — hence this small model). The token acts as its user, so role and region
    scope are exactly the UI's.
    """

    user = models.ForeignKey(User, verbose_name="所属账号", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    prefix = models.CharField("前缀", max_length=8, editable=False)
    key_hash = models.CharField("令牌哈希", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"
