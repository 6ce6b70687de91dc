"""Discovery work done by the job worker, registered in ``apps/jobs/kinds.py``: a run over a registered
dataset (DuckDB over a file of up to millions of enterprise-years takes seconds to minutes, longer than a
request may), and registering a file placed in the datasets directory (checking and hashing a file of
gigabytes). Both are asked for on the discovery page and refused at once for what can be checked without
reading the data; a run's result is kept as its candidates, which the run's page reads."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.discovery.models import Dataset
from smecluster.apps.discovery.permissions import can_use_discovery
from smecluster.apps.discovery.selectors import datasets_for
from smecluster.apps.discovery.services import (
    dataset_register,
    dataset_register_check,
    discovery_run,
    discovery_run_check,
)
from smecluster.apps.jobs.kinds import JobKind, Output, Report
from smecluster.errors import UnusableInput
from smecluster.site.http import reach_or_404


def _dataset(user: User, params: dict[str, Any]) -> Dataset:
    try:
        pk = int(params.get("dataset", ""))
    except (TypeError, ValueError):
        raise UnusableInput.single("dataset", "dataset", _("请选择数据集")) from None
    return reach_or_404(lambda user, pk: datasets_for(user).get(pk=pk), user, pk, _("没有这个数据集"))


def _numbers(params: dict[str, Any]) -> tuple[int, int]:
    try:
        return int(params.get("year", "")), int(params.get("top", ""))
    except (TypeError, ValueError):
        raise UnusableInput.single("year", "year", _("年度和前 N 个须为整数")) from None


def _check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    can_use_discovery(user).enforce()
    dataset = _dataset(user, params)
    year, top = _numbers(params)
    province = params.get("province") or None
    rule_set_id = str(params.get("rule_set_id", ""))
    discovery_run_check(
        actor=user, dataset=dataset, year=year, rule_set_id=rule_set_id, province_code=province, top=top
    )
    return {
        "dataset": dataset.pk, "dataset_name": dataset.name, "year": year, "rule_set_id": rule_set_id,
        "province": province, "top": top,
    }  # fmt: skip


def _run(user: User, params: dict[str, Any], report: Report) -> Output:
    dataset = _dataset(user, params)  # reach checked again (and the rest by the service)
    run = discovery_run(
        actor=user, dataset=dataset, year=params["year"], rule_set_id=params["rule_set_id"],
        province_code=params["province"], top=params["top"], report=report,
    )  # fmt: skip
    return Output(b"", "", "", link=reverse("discovery:run", args=[run.pk]))


DISCOVERY_RUN: JobKind = JobKind(
    label=lambda params: (
        _("候选集群发现：%(dataset)s，%(year)s 年")
        % {"dataset": params.get("dataset_name", ""), "year": params["year"]}
    ),
    check=_check,
    run=_run,
)


def _register_check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    name, relative = dataset_register_check(
        actor=user, name=str(params.get("name", "")), relative_path=str(params.get("path", ""))
    )
    return {"name": name, "path": relative}


def _register_run(user: User, params: dict[str, Any], report: Report) -> Output:
    dataset_register(actor=user, name=params["name"], relative_path=params["path"], report=report)
    return Output(b"", "", "", link=reverse("discovery:index"))


DATASET_REGISTER: JobKind = JobKind(
    label=lambda params: (
        _("登记数据集“%(name)s”（%(path)s）") % {"name": params["name"], "path": params["path"]}
    ),
    check=_register_check,
    run=_register_run,
)
