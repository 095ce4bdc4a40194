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

