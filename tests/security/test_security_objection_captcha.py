"""Finding 7: a public objection is accepted only with the image challenge answered (django-simple-captcha,
drawn by the site itself: no outside service). No answer, a wrong one or one already used is refused at the
field, nothing is stored, and what the citizen typed stays in the form; a refused post does not count
towards the per-address limit. CAPTCHA_TEST_MODE is never on: the answers come from the challenge's row."""

from __future__ import annotations

import io
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from clock import Clock
from factories import ProgrammeFactory, YearlyCallFactory, objection_challenge, people, solve_captcha
from smecluster.apps.accounts.divisions import ensure_divisions
from smecluster.apps.audit.models import AuditEvent
from smecluster.apps.notices.models import Objection
from smecluster.apps.notices.services import objection_challenges_purge

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web" / "publication"))
from pub_support import PUB_OBJECTION, PubWorld, pub_build_world, pub_publish

pytestmark = pytest.mark.django_db

START = date(2024, 2, 19)
FIELD_MESSAGE = "验证码不正确或已失效"


@pytest.fixture(autouse=True)
def objection_settings(settings: Any, tmp_path: Path) -> Any:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.OBJECTIONS_PER_ADDRESS_PER_HOUR = 5
    return settings


@pytest.fixture
def noticed(clock: Clock) -> PubWorld:
    ensure_divisions()
    users = people()
    call = YearlyCallFactory(programme=ProgrammeFactory())
    world = pub_build_world(call=call, owner=users["province_admin"], county="440606")
    pub_publish(world, clock, START)
    clock.beijing(date(2024, 2, 21))
    return world


def _url(world: PubWorld) -> str:
    assert world.notice is not None
    return reverse("notices:public_detail", args=[world.notice.pk])


def _data(world: PubWorld, answer: dict[str, str], **changes: Any) -> dict[str, Any]:
    return {**PUB_OBJECTION, "application": str(world.shortlisted[0].pk), **answer, **changes}


def _captcha_block(text: str) -> str:
    """The challenge's field: the form's last, from its block to the form's end."""
    return text.split('id="field-captcha"', 1)[1].split("</form>", 1)[0]


def _refused_at_the_field(response: Any) -> str:
    text: str = response.content.decode()
    assert response.status_code == 200
    assert not Objection.objects.exists()
    assert not AuditEvent.objects.filter(action="objection.file").exists()
    # The message sits in the challenge's own field block, and the citizen's text is still there.
    assert FIELD_MESSAGE in _captcha_block(text)
    assert PUB_OBJECTION["content"] in text
    assert f'value="{PUB_OBJECTION["organization"]}"' in text
    assert "文件须重新选择" in text
    return text


def test_the_form_shows_the_image_a_refresh_link_and_a_chinese_description(noticed: PubWorld) -> None:
    text = Client().get(_url(noticed)).content.decode()
    key = solve_captcha(text)["captcha_0"]
    assert f'src="/captcha/image/{key}/"' in text
    assert 'alt="验证码图片：' in text
    assert 'for="id_captcha_1">验证码' in text
    assert 'data-captcha-refresh="/captcha/refresh/"' in text
    assert "<script>" not in text  # the CSP allows only site.js
    assert "onclick" not in text
    assert "audio" not in text


def test_the_image_renders_with_the_configured_debian_font(noticed: PubWorld) -> None:
    assert Path(django_settings.CAPTCHA_FONT_PATH).is_file(), "install fonts-dejavu-core (make test does)"
    key = objection_challenge(_url(noticed))["captcha_0"]
    response = Client().get(reverse("captcha-image", kwargs={"key": key}))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.width > 60
    assert image.height > 20
    assert len(set(image.convert("L").getdata())) > 2  # letters and noise drawn, not a blank


def test_the_refresh_gives_a_new_challenge_to_the_page_script_only(noticed: PubWorld) -> None:
    refresh = reverse("captcha-refresh")
    assert Client().get(refresh).status_code == 404  # not a page: site.js asks for it
    answer = Client().get(refresh, HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    assert CaptchaStore.objects.filter(hashkey=answer["key"]).exists()
    assert answer["image_url"] == f"/captcha/image/{answer['key']}/"


def test_no_answer_is_refused_at_the_field(noticed: PubWorld) -> None:
    client = Client()
    answer = objection_challenge(_url(noticed), client)
    text = client.post(_url(noticed), _data(noticed, {"captcha_0": answer["captcha_0"]})).content.decode()
    assert "请填写验证码" in _captcha_block(text)
    assert not Objection.objects.exists()
    assert PUB_OBJECTION["content"] in text


def test_a_wrong_answer_is_refused_and_uses_the_challenge_up(noticed: PubWorld) -> None:
    client = Client()
    answer = objection_challenge(_url(noticed), client)
    wrong = "x" * len(answer["captcha_1"]) if answer["captcha_1"] != "x" * 4 else "yyyy"
    text = _refused_at_the_field(client.post(_url(noticed), _data(noticed, answer, captcha_1=wrong)))
    # One try per challenge: the right answer after a wrong one is refused too, and a new one is shown.
    assert not CaptchaStore.objects.filter(hashkey=answer["captcha_0"]).exists()
    _refused_at_the_field(client.post(_url(noticed), _data(noticed, answer)))
    assert solve_captcha(text)["captcha_0"] != answer["captcha_0"]


def test_a_used_answer_is_refused(noticed: PubWorld) -> None:
    client = Client()
    answer = objection_challenge(_url(noticed), client)
    assert client.post(_url(noticed), _data(noticed, answer)).status_code == 302
    events = AuditEvent.objects.count()
    again = Client().post(_url(noticed), _data(noticed, answer, real_name="李四"))
    assert again.status_code == 200
    assert FIELD_MESSAGE in _captcha_block(again.content.decode())
    assert 'value="李四"' in again.content.decode()
    assert list(Objection.objects.values_list("real_name", flat=True)) == [PUB_OBJECTION["real_name"]]
    assert AuditEvent.objects.count() == events


def test_an_expired_challenge_is_refused_and_the_daily_job_purges_it(noticed: PubWorld, clock: Clock) -> None:
    kept = objection_challenge(_url(noticed))
    stale = objection_challenge(_url(noticed))
    CaptchaStore.objects.filter(hashkey=stale["captcha_0"]).update(
        expiration=timezone.now() - timedelta(seconds=1)
    )
    assert objection_challenges_purge() == 1
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == [kept["captcha_0"]]
    assert objection_challenges_purge() == 0
    _refused_at_the_field(Client().post(_url(noticed), _data(noticed, stale)))


def test_the_right_answer_is_accepted_and_the_case_does_not_matter(noticed: PubWorld) -> None:
    client = Client()
    answer = objection_challenge(_url(noticed), client)
    response = client.post(_url(noticed), _data(noticed, answer, captcha_1=answer["captcha_1"].upper()))
    assert response.status_code == 302
    assert Objection.objects.count() == 1
    assert not CaptchaStore.objects.filter(hashkey=answer["captcha_0"]).exists()


def _post(world: PubWorld, forwarded: str, *, wrong: bool = False) -> int:
    client = Client()
    answer = objection_challenge(_url(world), client)
    changes = {"captcha_1": "!!!!"} if wrong else {}
    return client.post(
        _url(world), _data(world, answer, **changes), HTTP_X_FORWARDED_FOR=forwarded
    ).status_code


def test_wrong_answers_do_not_count_towards_the_address_limit(noticed: PubWorld) -> None:
    assert [_post(noticed, "203.0.113.9", wrong=True) for _ in range(10)] == [200] * 10
    assert not Objection.objects.exists()
    assert [_post(noticed, "203.0.113.9") for _ in range(5)] == [302] * 5


def test_twenty_from_one_address_are_not_all_accepted_with_the_challenge_answered(noticed: PubWorld) -> None:
    codes = [_post(noticed, "203.0.113.9") for _ in range(20)]
    assert codes == [302] * 5 + [429] * 15
    assert Objection.objects.count() == 5


def test_twenty_citizens_behind_one_trusted_proxy_are_all_accepted(noticed: PubWorld) -> None:
    codes = [_post(noticed, f"10.9.9.9, 198.51.100.{n}") for n in range(20)]
    assert codes == [302] * 20
    assert Objection.objects.count() == 20
