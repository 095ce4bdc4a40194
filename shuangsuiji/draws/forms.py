import datetime as dt

from django import forms
from django.utils import timezone

from shuangsuiji.accounts.models import User
from shuangsuiji.core.forms import DateInput

from . import selectors, services
from . import sources as src
from .choices import InspectorChangeReason, LotteryGame, SourceKind, WitnessRole
from .models import DrawWitness


class FreezeForm(forms.Form):
    """T0: announce the public random sources (they must lie in the future). Witnesses' commitments are not
    typed here: invited witnesses hand them in themselves (or the clerk types them from the paper) and
    `services.draw_freeze` adds them; without lottery or drand at least two witnesses are needed."""

    lottery_game = forms.ChoiceField(
        label="彩票种类", choices=[("", "不使用彩票")] + list(LotteryGame.choices), required=False
    )
    lottery_issue = forms.CharField(
        label="开奖期号", max_length=10, required=False, help_text="如 2026321，须为公布承诺之后开奖的一期"
    )
    lottery_date = forms.DateField(label="开奖日期", required=False, widget=DateInput)
    drand_round = forms.IntegerField(
        label="drand quicknet 轮次", required=False, min_value=1, max_value=10**10,  # 3 s a round: ~year 2975
        help_text="每 3 秒一轮；须为未来的轮次。留空表示不使用",
    )  # fmt: skip
    drand_now = forms.BooleanField(
        label="加入 drand 最新随机数（会场电脑能上网时）", required=False,
        help_text="公布承诺约 1 分钟后产生的 drand 轮次；抽取时从 drand 网络取回并验证签名。"
        "不能上网时不选，抽取照样可以完成",
    )  # fmt: skip

    def __init__(self, *args, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.task = task
        now = timezone.localtime()
        self.suggested_round = src.drand_round_at(timezone.now() + dt.timedelta(minutes=10))
        self.fields["drand_round"].help_text += f"（10 分钟后的轮次约为 {self.suggested_round}）"
        self.fields["lottery_date"].initial = now.date() if now.hour < 21 else now.date() + dt.timedelta(days=1)

    def clean(self):
        data = super().clean()
        lottery = None
        if data.get("lottery_game"):
            if not data.get("lottery_issue") or not data.get("lottery_date"):
                raise forms.ValidationError("使用彩票时须填写开奖期号和开奖日期")
            lottery = {"game": data["lottery_game"], "issue": data["lottery_issue"], "draw_date": data["lottery_date"]}
        drand_round = data.get("drand_round")
        if data.get("drand_now") and not drand_round:
            drand_round = src.drand_round_at(timezone.now() + DRAND_NOW_DELAY)
        data["sources"] = services.build_sources(lottery=lottery, drand_round=drand_round)
        for _kind, _spec, available_at in data["sources"]:
            src.check_future(available_at)
        committed = [w for w in selectors.witnesses_of_task(self.task) if w.commitment] if self.task else []
        if not data["sources"] and len(committed) < services.ONSITE_MIN_WITNESSES:
            raise forms.ValidationError(services.NO_SOURCE)
        return data


DRAND_NOW_DELAY = dt.timedelta(minutes=1)  # the round is announced before it exists; the meeting waits a minute


def witness_label(user) -> str:
    return f"{user.full_name or user.username}（{user.get_role_display()}）"


class WitnessInviteForm(forms.Form):
    """Invite a 监督人: a user with their own login, or a person without an account (name, unit; on paper)."""

    witness_user = forms.ModelChoiceField(
        label="有账号的监督人", queryset=None, required=False, empty_label="（无账号，按下面填写姓名）",
        help_text="纪检监察人员等有平台账号的，选择其账号；本人登录后交承诺哈希、揭示随机数、确认抽取记录",
    )  # fmt: skip
    name = forms.CharField(label="无账号监督人姓名", max_length=50, required=False)
    organization = forms.CharField(label="单位/职务", max_length=100, required=False)
    role = forms.ChoiceField(label="身份", choices=WitnessRole.choices, initial=WitnessRole.DISCIPLINE)

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness_user"].queryset = candidates if candidates is not None else User.objects.none()
        self.fields["witness_user"].label_from_instance = witness_label

    def clean(self):
        data = super().clean()
        if not data.get("witness_user") and not (data.get("name") or "").strip():
            raise forms.ValidationError("请选择有账号的监督人，或填写无账号监督人的姓名")
        if not data.get("witness_user") and not (data.get("organization") or "").strip():
            raise forms.ValidationError("请填写无账号监督人的单位/职务")
        return data


class CommitmentForm(forms.Form):
    commitment = forms.CharField(
        label="承诺哈希", max_length=64, min_length=64,
        help_text="随机数的 SHA-256，64 位，由数字 0–9 和字母 a–f 组成",
    )  # fmt: skip


class RevealForm(forms.Form):
    secret = forms.CharField(label="随机数", max_length=200, help_text="与交承诺哈希时的随机数完全一致")


LOTTERY_HELP = "按开奖公告录入全部号码，空格或逗号分隔；双色球、大乐透的前区与后区之间用 + 分隔"


class LotteryEntryForm(forms.Form):
    """First person: the lottery numbers, where they were announced, optionally a screenshot."""

    numbers = forms.CharField(label="开奖号码", help_text=LOTTERY_HELP)
    announcement_ref = forms.CharField(
        label="开奖公告出处", max_length=300,
        help_text="官方开奖公告的网址或公告编号，如 https://www.cwl.gov.cn/ 快乐8 第 2026321 期开奖公告",
    )  # fmt: skip
    announcement_file = forms.FileField(
        label="开奖公告截图或照片（可选）", required=False, help_text="JPG、PNG 或 PDF，不超过 5 MB"
    )


class LotteryConfirmForm(forms.Form):
    """Second person: types the numbers again from the official announcement."""

    numbers = forms.CharField(
        label="复核录入开奖号码", help_text="请不看第一次录入的结果，对照官方开奖公告独立录入一遍；两次必须一致"
    )


class ValuesForm(forms.Form):
    """T1: one field per source entered at draw time (drand value + signature, witness reveals), in
    the committed order.  Lottery results are entered and confirmed beforehand (LotteryEntryForm)."""

    def __init__(self, *args, draw, **kwargs):
        super().__init__(*args, **kwargs)
        self.all_sources = list(
            draw.sources.order_by("position").select_related("entered_by", "confirmed_by", "witness")
        )
        self.sources = [  # lottery: entered and confirmed before; invited witnesses reveal themselves
            s for s in self.all_sources
            if s.kind != SourceKind.LOTTERY and not (s.kind == SourceKind.WITNESS and hasattr(s, "witness"))
        ]  # fmt: skip
        for s in self.sources:
            help_text = {
                SourceKind.DRAND: "该轮的 randomness（64 位十六进制）",
                SourceKind.WITNESS: "监督人当场揭示的随机数（须与其承诺哈希相符）",
            }[s.kind]
            self.fields[f"value_{s.position}"] = forms.CharField(label=s.description, help_text=help_text)
            if s.kind == SourceKind.DRAND:
                self.fields[f"signature_{s.position}"] = forms.CharField(
                    label=f"drand 第 {s.spec.get('round', '')} 轮签名",
                    help_text="该轮的 signature（96 位十六进制）；平台用 drand 网络公钥验证签名，"
                    "randomness 必须等于签名的 SHA-256",
                )

    def raw_values(self) -> dict[int, str]:
        return {s.position: self.cleaned_data[f"value_{s.position}"] for s in self.sources}

    def signatures(self) -> dict[int, str]:
        return {
            s.position: self.cleaned_data[f"signature_{s.position}"] for s in self.sources if s.kind == SourceKind.DRAND
        }


class WitnessForm(forms.ModelForm):
    class Meta:
        model = DrawWitness
        fields = ["name", "organization", "role", "note"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class InspectorReplaceForm(forms.Form):
    """更换执法人员: who leaves the group, why (the replacement follows the committed random order)."""

    inspector = forms.IntegerField(label="更换的执法人员", error_messages={"required": "请选择要更换的执法人员",
                                                                  "invalid": "请选择要更换的执法人员"})  # fmt: skip
    reason_kind = forms.ChoiceField(
        label="更换原因", choices=InspectorChangeReason.choices,
        error_messages={"required": "请选择更换原因", "invalid_choice": "请选择更换原因"},
    )  # fmt: skip
    reason = forms.CharField(label="情况说明", error_messages={"required": "请写明情况说明"})


class ChangeDecisionForm(forms.Form):
    approve = forms.ChoiceField(label="签批", choices=(("1", "同意"), ("0", "不同意")),
                                error_messages={"required": "请选择同意或不同意"})  # fmt: skip
    note = forms.CharField(label="签批意见", required=False)


class ExpertDesignateForm(forms.Form):
    expert = forms.IntegerField(label="专家或第三方机构", error_messages={"required": "请选择专家或第三方机构",
                                                                   "invalid": "请选择专家或第三方机构"})  # fmt: skip
    reason = forms.CharField(label="指定理由", error_messages={"required": "请写明指定理由"})
