from django import template

from shuangsuiji.core.registry import menu_for

register = template.Library()


@register.inclusion_tag("core/_menu.html", takes_context=True)
def main_menu(context):
    request = context["request"]
    return {"sections": menu_for(request.user), "path": request.path}


@register.filter
def field_label(form, name):
    return form.fields[name].label if name in form.fields else name
