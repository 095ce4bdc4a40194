"""Bounded load profile (loopback only): anonymous 公示 visitors, a provincial system reading the API,
and an 审管联动 system writing units through the sync endpoint.

Run by bench/bench_load.py against gunicorn on 127.0.0.1; never point it anywhere else.
Environment: LOAD_API_TOKEN (token of a county admin), LOAD_DRAW_CODE (a public draw), LOAD_UNIT_CODE (a credit code
with a published result), LOAD_REGION (the token's county code).
"""

import itertools
import os

from locust import HttpUser, between, task

TOKEN = os.environ.get("LOAD_API_TOKEN", "")
DRAW = os.environ.get("LOAD_DRAW_CODE", "")
UNIT_CODE = os.environ.get("LOAD_UNIT_CODE", "")
REGION = os.environ.get("LOAD_REGION", "370322")
NAME_PART = os.environ.get("LOAD_NAME_PART", "美容")  # a part from the middle of a published unit's name
ACK_FILE = os.environ.get("LOAD_ACK_FILE", "")  # acknowledged writes, one credit code a line
_serial = itertools.count(1)


def make_credit_code(serial: int) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [pow(3, i, 31) for i in range(17)]
    body = f"92{REGION}MA9{serial:06d}"[:17]
    total = sum(alphabet.index(ch) * w for ch, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


class PublicVisitor(HttpUser):
    """公众：门户首页、抽取公示、结果查询。"""

    weight = 3
    wait_time = between(0.1, 0.5)

    @task(2)
    def home(self):
        self.client.get("/gs/", name="/gs/")

    @task(2)
    def draw_page(self):
        self.client.get(f"/gs/draws/{DRAW}/", name="/gs/draws/[code]/")

    @task(3)
    def search_by_code(self):
        with self.client.get("/gs/results/", params={"q": UNIT_CODE}, name="/gs/results/?q=code",
                             catch_response=True) as response:  # fmt: skip
            if UNIT_CODE and UNIT_CODE not in response.text:
                response.failure("published result missing from the search")

    @task(1)
    def search_by_name(self):
        self.client.get("/gs/results/", params={"q": "高青"}, name="/gs/results/?q=name")

    @task(1)
    def search_by_name_part(self):
        self.client.get("/gs/results/", params={"q": NAME_PART}, name="/gs/results/?q=name-part")


class FloorProbe(HttpUser):
    """The floor: a trivial view through the same middleware and server (a redirect, no database)."""

    weight = 1
    wait_time = between(0.1, 0.5)

    @task
    def trivial(self):
        self.client.get("/favicon.ico", allow_redirects=False, name="/favicon.ico (trivial view)")


class ProvincialSystem(HttpUser):
    """省级平台：按令牌读取接口（只读）。"""

    weight = 2
    wait_time = between(0.1, 0.5)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {TOKEN}"

    @task(3)
    def units(self):
        self.client.get("/api/v1/units/", params={"page": 1}, name="/api/v1/units/")

    @task(2)
    def draws(self):
        self.client.get("/api/v1/draws/", name="/api/v1/draws/")

    @task(2)
    def results(self):
        self.client.get("/api/v1/results/", name="/api/v1/results/")


class ApprovalSystem(HttpUser):
    """审管联动：每次同步新增一个对象；压测结束后核对数据库中的条数。"""

    weight = 1
    wait_time = between(0.2, 0.6)

    def on_start(self):
        self.client.headers["Authorization"] = f"Token {TOKEN}"

    @task
    def sync_one_unit(self):
        serial = next(_serial) + 1000 * (os.getpid() % 1000)
        code = make_credit_code(serial)
        payload = {
            "mode": "update",
            "units": [{"credit_code": code, "name": f"压测单位{serial}", "region": REGION,
                       "business_lines": ["ggcs"], "address": "压测路1号"}],
        }  # fmt: skip
        with self.client.post("/api/v1/units/sync/", json=payload, name="/api/v1/units/sync/",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 200 or response.json().get("created") != 1:
                response.failure(f"sync failed: {response.status_code} {response.text[:200]}")
            elif ACK_FILE:
                with open(ACK_FILE, "a", encoding="ascii") as handle:
                    handle.write(code + "\n")
