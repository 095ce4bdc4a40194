from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "shuangsuiji.disclosure"
    label = "disclosure"
    verbose_name = "信息公示"
