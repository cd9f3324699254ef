"""MIS export headings recognised by one rule (register/headings.py), table-driven."""

from __future__ import annotations

import pytest
from conftest import DATA

from classlens.register.columns import FIELDS, guess_mapping
from classlens.register.csv_table import preview
from classlens.register.headings import HEADINGS, label, normalise, recognise

SIMS = ["UPN", "Legal Forename", "Legal Surname", "Preferred Forename", "Reg Group", "NC Year",
        "Photos - Website", "Photos - Social Media (public)", "Photos - Social Media (private)",
        "Photos - Newsletter", "Photos - Press", "Photos - Displays", "Photos - Video",
        "Biometric Consent", "Consent Given By", "Consent Review Date"]
ARBOR = ["UPN", "First Name", "Last Name", "Preferred First Name", "Registration Form",
         "Year", "Photo Consent: Website", "Photo Consent: Social Media (Public)",
         "Photo Consent: Social Media (Private)", "Photo Consent: Newsletter",
         "Photo Consent: Press", "Photo Consent: Displays", "Photo Consent: Video",
         "Biometrics Consent"]
BROMCOM = ["Unique Pupil Number", "Forename", "Surname", "Known As", "Tutor Group",
           "Year Group", "Website Consent", "Public Social Media Consent",
           "Private Social Media Consent", "Newsletter Consent", "Press & Media Consent",
           "Display Consent", "Video Consent", "Biometric", "Consent Expiry Date"]
WANTED = ["pupil_id", "given_name", "family_name", "preferred_name", "class", "year_group",
          "consent_website", "consent_social_public", "consent_social_private",
          "consent_newsletter", "consent_press", "consent_display", "consent_video",
          "consent_biometric"]


@pytest.mark.parametrize("mis, headings", [("SIMS", SIMS), ("Arbor", ARBOR),
                                           ("Bromcom", BROMCOM)])
def test_each_mis_export_maps_itself(mis, headings):
    mapping = recognise(headings)
    for field in WANTED:
        assert field in mapping, (mis, field)
    assert len(set(mapping.values())) == len(mapping)  # no heading used twice


@pytest.mark.parametrize("heading, field", [
    ("UPN", "pupil_id"), ("upn", "pupil_id"), (" U.P.N ", "pupil_id"),
    ("Legal Forename", "given_name"), ("LEGAL  FORENAME", "given_name"),
    ("legal_forename", "given_name"), ("Legal-Surname", "family_name"),
    ("Reg Group", "class"), ("Reg. Group", "class"), ("RegGroup", "class"),
    ("Registration Group", "class"), ("Tutor Group", "class"), ("Form", "class"),
    ("NC Year", "year_group"), ("N.C. Year", "year_group"),
    ("Photos - Website", "consent_website"), ("photos: WEBSITE", "consent_website"),
    ("Website consent", "consent_website"), ("Photo consent – website", "consent_website"),
    ("Photos - Social Media (public)", "consent_social_public"),
    ("Photos - Social Media (Private)", "consent_social_private"),
    ("Social media", None),  # public or private? the user chooses
    ("Press & Media", "consent_press"), ("Press and media", "consent_press"),
    ("Biometric Consent", "consent_biometric"), ("Consent Given By", "decided_by"),
    ("Consent Review Date", "consent_expires"), ("pupil_id", "pupil_id"),
    ("consent_social_private", "consent_social_private"), ("Favourite colour", None),
    ("Consent", None), ("Photos", None),
])
def test_one_heading(heading, field):
    assert recognise([heading]) == ({field: heading} if field else {})


def test_two_headings_for_one_field_are_left_to_the_user():
    assert recognise(["Forename", "First Name", "UPN"]) == {"pupil_id": "UPN"}


def test_the_readme_s_sims_file_is_recognised_without_help():
    headings, _rows = preview(DATA / "mis_export_cp1252.csv")
    mapping = guess_mapping(headings)
    assert mapping["pupil_id"] == "UPN" and mapping["given_name"] == "Legal Forename"
    assert mapping["class"] == "Reg Group"
    assert mapping["consent_social_public"] == "Photos - Social Media (public)"
    assert mapping["consent_social_private"] == "Photos - Social Media (private)"


def test_every_field_has_a_plain_label():
    for field in FIELDS:
        text = label(field)
        assert "_" not in text and text[0].isupper(), field
    assert set(HEADINGS) <= set(FIELDS)
    assert label("consent_press_expires") == "Consent: press and local news (expiry date)"


def test_normalise():
    assert normalise("  Photos – Social  Media (Public) ") == "photos social media public"
    assert normalise("Zoë & Seán") == "zoe and sean"
