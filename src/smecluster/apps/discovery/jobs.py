"""Discovery work done by the job worker, registered in ``apps/jobs/kinds.py``: a run over an unprepared
dataset (DuckDB over a raw file of up to millions of enterprise-years takes seconds to minutes, longer than
a request may; a prepared dataset's run answers from its cube in the request), and preparing a dataset
(``smecluster discover prepare``: checking every row, writing the fast layout and the cube) — a file
placed in the datasets directory (``dataset_register``), an upload (``dataset_upload``) or a dataset
registered before preparation existed (``dataset_prepare``). Each is asked for on a discovery page and
refused at once for what can be checked without reading the data; a run's result is kept as its
candidates, which the run's page reads; a preparation's report is shown on the dataset's page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import User
from smecluster.apps.discovery.models import Dataset
from smecluster.apps.discovery.permissions import can_use_discovery
from smecluster.apps.discovery.selectors import datasets_for
from smecluster.apps.discovery.services import (
    dataset_prepare,
    dataset_prepare_check,
    dataset_register,
    dataset_register_check,
    dataset_upload_check,
    dataset_upload_prepare,
    discovery_run,
    discovery_run_check,
)
from smecluster.apps.jobs.kinds import JobKind, JobRefused, Output, Report
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


def _refused_as_told(prepare: Callable[[], Dataset]) -> Output:
    """The dataset's page once prepared; a file refused for its content fails the job with the reason in
    full (not the worker's generic "生成失败"), and a link back to the discovery page."""
    try:
        dataset = prepare()
    except ValidationError as error:
        raise JobRefused("；".join(error.messages), link=reverse("discovery:index")) from error
    return Output(b"", "", "", link=reverse("discovery:dataset", args=[dataset.pk]))


def _register_run(user: User, params: dict[str, Any], report: Report) -> Output:
    return _refused_as_told(
        lambda: dataset_register(actor=user, name=params["name"], relative_path=params["path"], report=report)
    )


DATASET_REGISTER: JobKind = JobKind(
    label=lambda params: (
        _("登记数据集“%(name)s”（%(path)s）") % {"name": params["name"], "path": params["path"]}
    ),
    check=_register_check,
    run=_register_run,
)


def _upload_check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    name, _staged = dataset_upload_check(
        actor=user, name=str(params.get("name", "")), staged=str(params.get("staged", ""))
    )
    return {
        "name": name, "staged": params["staged"], "sha256": str(params.get("sha256", "")),
        "size": int(params.get("size", 0)), "file_name": str(params.get("file_name", "")),
    }  # fmt: skip


def _upload_run(user: User, params: dict[str, Any], report: Report) -> Output:
    return _refused_as_told(
        lambda: dataset_upload_prepare(
            actor=user,
            name=params["name"],
            staged=params["staged"],
            sha256=params["sha256"],
            size=params["size"],
            file_name=params["file_name"],
            report=report,
        )
    )


DATASET_UPLOAD: JobKind = JobKind(
    label=lambda params: (
        _("准备上传的数据集“%(name)s”（%(file)s）") % {"name": params["name"], "file": params["file_name"]}
    ),
    check=_upload_check,
    run=_upload_run,
)


def _prepare_check(user: User, params: dict[str, Any]) -> dict[str, Any]:
    dataset = _dataset(user, params)
    dataset_prepare_check(actor=user, dataset=dataset)
    return {"dataset": dataset.pk, "dataset_name": dataset.name}


def _prepare_run(user: User, params: dict[str, Any], report: Report) -> Output:
    dataset = _dataset(user, params)  # reach checked again (and the rest by the service)
    return _refused_as_told(lambda: dataset_prepare(actor=user, dataset=dataset, report=report))


DATASET_PREPARE: JobKind = JobKind(
    label=lambda params: _("准备数据集“%(name)s”") % {"name": params.get("dataset_name", "")},
    check=_prepare_check,
    run=_prepare_run,
)
