from django.core.validators import RegexValidator
from django.db import models

from shuangsuiji.core.models import ScopedModel
from shuangsuiji.core.validators import region_level, region_scope_prefix, validate_region_code


class Region(ScopedModel):
    """行政区划 (GB/T 2260): province / city / county, identified by its 6-digit code."""

    class Level(models.TextChoices):
        PROVINCE = "province", "省级"
        CITY = "city", "市级"
        COUNTY = "county", "县级"

    region_field = "code"

    code = models.CharField("区划代码", max_length=6, unique=True, validators=[validate_region_code])
    name = models.CharField("名称", max_length=50)
    level = models.CharField("级别", max_length=10, choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    valid = models.BooleanField("有效", default=True, help_text="撤销的区划代码不再使用，但保留历史")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.level = region_level(self.code)
        super().save(*args, **kwargs)

    @property
    def scope_prefix(self) -> str:
        return region_scope_prefix(self.code)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Township(ScopedModel):
    """乡镇/街道: the 9-digit 统计用区划代码 level below a county (its first 6 digits are the county's code)."""

    region_field = "county"

    code = models.CharField(
        "乡镇（街道）代码", max_length=9, unique=True,
        validators=[RegexValidator(r"^[0-9]{9}$", "乡镇（街道）代码应为9位数字")],
    )  # fmt: skip
    name = models.CharField("名称", max_length=50)
    county = models.ForeignKey(Region, verbose_name="所属县级区划", on_delete=models.PROTECT, related_name="townships")
    valid = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "乡镇（街道）"
        verbose_name_plural = "乡镇（街道）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
