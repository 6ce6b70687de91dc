"""The particulars of the documents a programme issues (issue 14): who signs them (发文机关), to whom the
recognition notice is addressed (主送机关), the level its titles and certificates name, the contact, and where
written objections go. Each is a field of the programme its owner edits; left empty, each takes a default
that reads like the department's own documents, so programmes created before these fields print as before,
signed by a real department instead of an invented "中小企业主管部门".

Issuer by default: the issuer of the rule set when the rule set is the owner's own (广东省工业和信息化厅 for
guangdong-2022 — GD 17 "省工业和信息化厅"; 工业和信息化部 for national-2022); a province running another's
rule set signs as its own department (reference/departments.py); a city's programme as the city's
工业和信息化局; the national programme as 工业和信息化部.

Level: the ministry's notices say "中小企业特色产业集群" without a level ("工业和信息化部关于公布2022年度中小
企业特色产业集群名单的通知"), its certificates "国家级"; a province's and a city's say "省级" / "市级".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from smecluster.apps.accounts.models import Level
from smecluster.apps.programmes.models import Programme
from smecluster.policy.ruleset import rule_set
from smecluster.reference.departments import MINISTRY, city_department, province_department


@dataclass(frozen=True)
class Letterhead:
    issuer: str
    addressees: str
    title_level: str
    """The level word before 中小企业特色产业集群 in titles and preambles ("" for the ministry)."""
    certificate_level: str
    """The level the certificate names (国家级 for the ministry)."""
    contact_person: str
    contact_phone: str
    objection_mailing_address: str

    @property
    def contact(self) -> str:
        """联系人：…，电话：… as documents print it; "" when neither is set."""
        parts = []
        if self.contact_person:
            parts.append(_("联系人：%(person)s") % {"person": self.contact_person})
        if self.contact_phone:
            parts.append(_("电话：%(phone)s") % {"phone": self.contact_phone})
        return "，".join(parts)


def default_issuer(programme: Programme) -> str:
    rules = rule_set(programme.rule_set_id)
    owner = programme.owner
    if owner is None:
        return rules.document.issuer if rules.applies_to_province is None else MINISTRY
    if owner.level == Level.PROVINCE and rules.applies_to_province == owner.code[:2]:
        return rules.document.issuer
    if owner.level == Level.CITY:
        return city_department(owner.name)
    return province_department(owner.code)


def default_addressees(programme: Programme) -> str:
    if programme.owner_level == "national":
        return _("各省、自治区、直辖市及计划单列市、新疆生产建设兵团中小企业主管部门")
    if programme.owner_level == Level.CITY:
        return _("各县（市、区）工业和信息化主管部门")
    return _("各地级以上市工业和信息化主管部门")


def default_levels(programme: Programme) -> tuple[str, str]:
    """(title level, certificate level) by the owner's level."""
    if programme.owner_level == "national":
        return "", str(Level.NATIONAL.label)
    word = str(Level.CITY.label) if programme.owner_level == Level.CITY else str(Level.PROVINCE.label)
    return word, word


def letterhead(programme: Programme) -> Letterhead:
    """The programme's document particulars, each as set on the programme or its default."""
    title_level, certificate_level = default_levels(programme)
    if programme.document_level:
        title_level = certificate_level = programme.document_level
    return Letterhead(
        issuer=programme.document_issuer or default_issuer(programme),
        addressees=programme.document_addressees or default_addressees(programme),
        title_level=title_level,
        certificate_level=certificate_level,
        contact_person=programme.document_contact_person,
        contact_phone=programme.document_contact_phone,
        objection_mailing_address=programme.objection_mailing_address,
    )
