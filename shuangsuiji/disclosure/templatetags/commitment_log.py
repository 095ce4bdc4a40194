"""`{% commitment_log_head %}`: the public commitment log's current head, for the footer of every portal page."""

from django import template

from shuangsuiji.draws import selectors as draw_selectors

register = template.Library()


@register.inclusion_tag("disclosure/_log_head_line.html")
def commitment_log_head():
    return {"head": draw_selectors.log_head()}
