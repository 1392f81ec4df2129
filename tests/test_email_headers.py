"""Reading the e-mail's arrival instant from pasted raw headers (Q16 evidence)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from auditor_tui.domain.email_headers import EmailHeaderError, parse_email_date

GMAIL_ORIGINAL = """\
Delivered-To: client.mystere@example.org
Received: by 2002:a05:6a10:1234 with SMTP id abc;
        Tue, 17 Nov 2026 03:07:12 -0800 (PST)
Received: from mail.lexus-dijon.example (mail.lexus-dijon.example. [192.0.2.10])
        by mx.google.com with ESMTPS id x;
        Tue, 17 Nov 2026 03:07:11 -0800 (PST)
From: Conseiller Lexus <conseiller@lexus-dijon.example>
To: client.mystere@example.org
Subject: Votre demande d'information - Lexus NX
Date: Tue, 17 Nov 2026 12:07:09 +0100
Message-ID: <1234@lexus-dijon.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"

Bonjour, veuillez trouver ci-joint la brochure.
Date: Mon, 1 Jan 2001 00:00:00 +0000
"""


def test_gmail_original_takes_the_top_level_date_with_its_offset() -> None:
    moment = parse_email_date(GMAIL_ORIGINAL)
    assert moment == datetime(2026, 11, 17, 11, 7, 9, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("header", "utc", "offset"),
    [
        # Outlook / Exchange: offset only
        ("Date: Tue, 17 Nov 2026 11:07:09 +0000", "2026-11-17T11:07:09", 0),
        # Thunderbird / Postfix: offset with the zone name as a comment
        ("Date: Tue, 17 Nov 2026 12:07:09 +0100 (CET)", "2026-11-17T11:07:09", 1),
        # summer time
        ("Date: Wed, 1 Jul 2026 14:00:00 +0200 (CEST)", "2026-07-01T12:00:00", 2),
        # no weekday, single-digit day
        ("Date: 3 Apr 2026 09:15:00 +0200", "2026-04-03T07:15:00", 2),
        # obsolete two-digit year and US zone name (RFC 5322 §4.3)
        ("Date: Tue, 17 Nov 26 06:07:09 EST", "2026-11-17T11:07:09", -5),
        ("Date: Tue, 17 Nov 2026 11:07:09 GMT", "2026-11-17T11:07:09", 0),
        # "-0000": UTC, sender's local zone unknown
        ("Date: Tue, 17 Nov 2026 11:07:09 -0000", "2026-11-17T11:07:09", 0),
        # a European zone name that email.utils does not know
        ("Date: Tue, 17 Nov 2026 12:07:09 CET", "2026-11-17T11:07:09", 1),
        # overseas dealer (Guadeloupe)
        ("Date: Tue, 17 Nov 2026 07:07:09 -0400", "2026-11-17T11:07:09", -4),
        # lower-case header name, odd spacing
        ("date:   Tue,  17 Nov 2026  12:07:09   +0100", "2026-11-17T11:07:09", 1),
    ],
)
def test_real_world_date_formats(header: str, utc: str, offset: int) -> None:
    raw = f"From: a@example.org\nSubject: test\n{header}\nTo: b@example.org\n"
    moment = parse_email_date(raw)
    assert moment == datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=offset)


def test_folded_header_crlf_indentation_and_mbox_line() -> None:
    raw = (
        "    From lexus@example.org Tue Nov 17 11:07:09 2026\r\n"
        "    Subject: Brochure\r\n"
        "    Date:\r\n"
        "     Tue, 17 Nov 2026 12:07:09\r\n"
        "     +0100\r\n"
        "\r\n"
        "    corps\r\n"
    )
    assert parse_email_date(raw) == datetime(2026, 11, 17, 11, 7, 9, tzinfo=UTC)


def test_only_the_date_line() -> None:
    assert parse_email_date("Date: Tue, 17 Nov 2026 12:07:09 +0100") == datetime(
        2026, 11, 17, 11, 7, 9, tzinfo=UTC
    )


def test_missing_date_header_names_it() -> None:
    with pytest.raises(EmailHeaderError, match="Aucun en-tête « Date: »"):
        parse_email_date("From: a@example.org\nSubject: Brochure\n\nDate: dans le corps\n")


@pytest.mark.parametrize("raw", ["", "   \n\n ", "\r\n"])
def test_nothing_pasted(raw: str) -> None:
    with pytest.raises(EmailHeaderError, match="Aucun en-tête collé"):
        parse_email_date(raw)


@pytest.mark.parametrize(
    "value",
    [
        "demain matin",
        "Tue, 31 Nov 2026 12:07:09 +0100",  # no 31 November
        "Tue, 17 Nov 2026 25:07:09 +0100",
        "17/11/2026 12:07",
    ],
)
def test_garbage_date_is_refused_in_french(value: str) -> None:
    with pytest.raises(EmailHeaderError, match="Date illisible"):
        parse_email_date(f"Subject: x\nDate: {value}\n")


def test_empty_date_header() -> None:
    with pytest.raises(EmailHeaderError, match="vide"):
        parse_email_date("Subject: x\nDate:\n")


def test_date_without_zone_is_refused() -> None:
    with pytest.raises(EmailHeaderError, match="fuseau horaire"):
        parse_email_date("Date: Tue, 17 Nov 2026 12:07:09\n")


def test_text_that_is_not_headers() -> None:
    with pytest.raises(EmailHeaderError, match="Aucun en-tête « Date: »"):
        parse_email_date("Bonjour,\nvoici la brochure demandée.\n")


# ---- the header block a mail client shows (copied or forwarded message) ----------------------

OUTLOOK_FR_REPLY = """\
Bonjour,

Suite à votre appel, veuillez trouver ci-joint la brochure du NX et la liste de prix.
Date : à convenir pour un essai.

Cordialement,
Conseiller Lexus

De : Lexus Dijon <contact@exemple.fr>
Envoyé : samedi 21 novembre 2026 14:05
À : client.mystere@example.org
Objet : Votre demande d'information - Lexus NX

-----Message d'origine-----
De : Client Mystère <client.mystere@example.org>
Envoyé : samedi 21 novembre 2026 11:40
Objet : Demande de brochure

Le sam. 21 nov. 2026 à 11:38, Client Mystère <client.mystere@example.org> a écrit :
> Bonjour, pouvez-vous m'envoyer la brochure ?
"""


def test_whole_outlook_message_takes_the_first_block() -> None:
    moment = parse_email_date(OUTLOOK_FR_REPLY)
    assert moment == datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("raw", "utc", "offset"),
    [
        # Outlook (FR)
        (
            "De : Lexus Dijon <contact@exemple.fr>\nEnvoyé : samedi 21 novembre 2026 14:05\n"
            "À : client.mystere@example.org\nObjet : Brochure NX",
            "2026-11-21T13:05:00",
            1,
        ),
        ("Envoyé : sam. 21/11/2026 14:05", "2026-11-21T13:05:00", 1),
        ("Envoyé : sam. 21/11/2026 14:05:07", "2026-11-21T13:05:07", 1),
        ("Date : 21/11/2026 14:05", "2026-11-21T13:05:00", 1),
        ("Date : 21/11/2026 14:05:07", "2026-11-21T13:05:07", 1),
        ("Envoyé : samedi 21 novembre 2026 à 14:05", "2026-11-21T13:05:00", 1),
        ("Envoyé : lundi 1er juin 2026 14h05", "2026-06-01T12:05:00", 2),
        # Outlook (EN)
        (
            "From: Lexus Dijon <contact@exemple.fr>\nSent: Saturday, November 21, 2026 2:05 PM\n"
            "To: client.mystere@example.org\nSubject: NX brochure",
            "2026-11-21T13:05:00",
            1,
        ),
        ("Sent: Saturday, November 21, 2026 12:05 AM", "2026-11-20T23:05:00", 1),
        ("Sent: 21 November 2026 14:05", "2026-11-21T13:05:00", 1),
        ("Sent: Tuesday, March 3, 2026 9:05 AM", "2026-03-03T08:05:00", 1),
        ("Sent: Mar 3, 2026 9:05 AM", "2026-03-03T08:05:00", 1),  # « Mar »: March, not mardi
        # Gmail / Thunderbird forwarded blocks and reply lines
        ("Date : sam. 21 nov. 2026 à 14:05", "2026-11-21T13:05:00", 1),
        (
            "Le sam. 21 nov. 2026 à 14:05, Lexus Dijon <contact@exemple.fr> a écrit :",
            "2026-11-21T13:05:00",
            1,
        ),
        (  # Gmail wraps a long sender onto a second line
            "Le sam. 21 nov. 2026 à 14:05, Lexus Dijon Concession Officielle "
            "<contact@exemple.fr>\na écrit :",
            "2026-11-21T13:05:00",
            1,
        ),
        ("Le 21/11/2026 à 14:05, Lexus Dijon a écrit :", "2026-11-21T13:05:00", 1),
        (
            "---------- Forwarded message ---------\nFrom: Lexus Dijon <contact@exemple.fr>\n"
            "Date: Sat, Nov 21, 2026 at 2:05 PM\nSubject: NX brochure",
            "2026-11-21T13:05:00",
            1,
        ),
        (
            "On Sat, Nov 21, 2026 at 2:05 PM Lexus Dijon <contact@exemple.fr> wrote:",
            "2026-11-21T13:05:00",
            1,
        ),
        (
            "-------- Message transféré --------\nSujet : Brochure\n"
            "Date : Sat, 21 Nov 2026 14:05:07 +0100\nDe : Lexus Dijon <contact@exemple.fr>",
            "2026-11-21T13:05:07",
            1,
        ),
        (
            "-------- Forwarded Message --------\nDate: Sat, 21 Nov 2026 14:05:07 -0400",
            "2026-11-21T18:05:07",
            -4,
        ),
        # Apple Mail: the zone as the client shows it
        (
            "De: Lexus Dijon <contact@exemple.fr>\nDate: 21 novembre 2026 à 14:05:07 UTC+1\n"
            "À: client.mystere@example.org",
            "2026-11-21T13:05:07",
            1,
        ),
        ("Date: 21 novembre 2026 à 14:05:07 UTC+2", "2026-11-21T12:05:07", 2),
        ("Date: November 21, 2026 at 2:05:07 PM GMT-4", "2026-11-21T18:05:07", -4),
        ("Date: 21 novembre 2026 à 14:05:07 UTC", "2026-11-21T14:05:07", 0),
        # a time that is not RFC 5322 is not half-read by email.utils (« PM » kept)
        ("Date: Sat, 21 Nov 2026 2:05 PM", "2026-11-21T13:05:00", 1),
        # French typography: no-break spaces before the colon
        ("Envoyé\u00a0: samedi 21 novembre 2026 14:05", "2026-11-21T13:05:00", 1),
        ("Date\u202f: 21/11/2026 14:05", "2026-11-21T13:05:00", 1),
        # a quoted reply
        ("> Envoyé : samedi 21 novembre 2026 14:05", "2026-11-21T13:05:00", 1),
    ],
)
def test_mail_client_blocks(raw: str, utc: str, offset: int) -> None:
    moment = parse_email_date(raw)
    assert moment == datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=offset)


def test_a_time_without_zone_is_in_the_given_zone() -> None:
    raw = "Envoyé : samedi 21 novembre 2026 14:05"
    assert parse_email_date(raw, "Europe/Monaco") == datetime(2026, 11, 21, 13, 5, tzinfo=UTC)
    moment = parse_email_date(raw, zone="America/Guadeloupe")
    assert moment == datetime(2026, 11, 21, 18, 5, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=-4)


@pytest.mark.parametrize(
    ("raw", "utc", "offset"),
    [
        ("Envoyé : mercredi 1 juillet 2026 14:05", "2026-07-01T12:05:00", 2),  # summer
        ("Envoyé : mardi 1 décembre 2026 14:05", "2026-12-01T13:05:00", 1),  # winter
        # either side of the autumn change hour (25 October 2026, 03:00 → 02:00)
        ("Envoyé : dimanche 25 octobre 2026 01:59", "2026-10-24T23:59:00", 2),
        ("Envoyé : dimanche 25 octobre 2026 03:00", "2026-10-25T02:00:00", 1),
        # either side of the spring change hour (29 March 2026, 02:00 → 03:00)
        ("Envoyé : dimanche 29 mars 2026 01:59", "2026-03-29T00:59:00", 1),
        ("Envoyé : dimanche 29 mars 2026 03:00", "2026-03-29T01:00:00", 2),
        # a written zone settles the change hour
        ("Date: 25 octobre 2026 à 02:30:00 UTC+1", "2026-10-25T01:30:00", 1),
        ("Date: 25 octobre 2026 à 02:30:00 UTC+2", "2026-10-25T00:30:00", 2),
    ],
)
def test_daylight_saving_time_both_ways(raw: str, utc: str, offset: int) -> None:
    moment = parse_email_date(raw)
    assert moment == datetime.fromisoformat(utc).replace(tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=offset)


def test_the_hour_lived_twice_in_october_is_refused() -> None:
    with pytest.raises(EmailHeaderError, match="deux fois") as error:
        parse_email_date("Envoyé : dimanche 25 octobre 2026 02:30")
    assert "02:30" in str(error.value)
    assert "à la main" in str(error.value)


def test_the_hour_skipped_in_march_is_refused() -> None:
    with pytest.raises(EmailHeaderError, match="n'a pas existé") as error:
        parse_email_date("Le 29/03/2026 à 02:30, Lexus Dijon a écrit :")
    assert "à la main" in str(error.value)


@pytest.mark.parametrize(
    ("raw", "day", "month"),
    [
        ("Date : 03/11/2026 10:00", 3, 11),
        ("Envoyé : mar. 03/11/2026 10:00", 3, 11),
        ("Le 03/11/2026 à 10:00, Lexus Dijon a écrit :", 3, 11),
        ("Date : 11/03/2026 10:00", 11, 3),
    ],
)
def test_numeric_dates_under_french_labels_are_day_first(raw: str, day: int, month: int) -> None:
    moment = parse_email_date(raw)
    assert (moment.year, moment.month, moment.day, moment.hour) == (2026, month, day, 10)


@pytest.mark.parametrize(
    "raw",
    [
        "Sent: Tue 03/11/2026 10:00 AM",
        "On 11/03/2026 10:00 AM, Lexus Dijon wrote:",
        "Date: 03/11/2026 10:00",
    ],
)
def test_numeric_dates_under_english_labels_are_refused(raw: str) -> None:
    with pytest.raises(EmailHeaderError, match="ordre jour/mois") as error:
        parse_email_date(raw)
    assert "à la main" in str(error.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("Envoyé : demain matin", "« Envoyé : demain matin » n'est pas une date reconnue"),
        ("Sent: next week", "n'est pas une date reconnue"),
        ("Envoyé : samedi 21 novembre 2026 14:05 quelque part", "n'est pas une date reconnue"),
        ("Date: 21 novembre 2026 à 14:05:07 UTC+99", "n'est pas une date reconnue"),
        ("Envoyé : lundi 31 novembre 2026 14:05", "n'existe pas"),
        ("Date : 11/21/2026 14:05", "n'existe pas"),  # month-first under a French label
        ("Envoyé : samedi 21 novembre 2026 24:05", "n'existe pas"),
        ("Sent: Saturday, November 21, 2026 13:05 PM", "n'existe pas"),
        ("Envoyé : vendredi 21 novembre 2026 14:05", "n'est pas un vendredi"),
        ("Sent: Sunday, November 21, 2026 2:05 PM", "n'est pas un dimanche"),
        ("Date : Tue, 17 Nov 2026 12:07:09", "fuseau horaire"),  # RFC shape, no zone
    ],
)
def test_client_block_garbage_is_refused_saying_what_was_found(raw: str, message: str) -> None:
    with pytest.raises(EmailHeaderError, match=message):
        parse_email_date(f"De : Lexus Dijon <contact@exemple.fr>\n{raw}\nObjet : NX\n")


def test_a_long_unreadable_line_is_cut_in_the_message() -> None:
    raw = "Le conseiller " + "très " * 40 + "aimable vous a écrit : merci"
    with pytest.raises(EmailHeaderError, match="n'est pas une date reconnue") as error:
        parse_email_date(raw)
    assert "…" in str(error.value)
    assert len(str(error.value)) < 300


def test_the_rfc_date_header_wins_over_a_client_block() -> None:
    raw = (
        "From: Conseiller Lexus <conseiller@lexus-dijon.example>\n"
        "Subject: TR: Brochure\n"
        "Date: Tue, 17 Nov 2026 12:07:09 +0100\n"
        "\n"
        "De : Lexus Dijon <contact@exemple.fr>\n"
        "Envoyé : samedi 21 novembre 2026 14:05\n"
    )
    assert parse_email_date(raw) == datetime(2026, 11, 17, 11, 7, 9, tzinfo=UTC)


def test_top_level_date_in_a_client_form_with_a_bad_zone() -> None:
    with pytest.raises(EmailHeaderError, match="Date illisible dans l'en-tête"):
        parse_email_date("Date: 21 novembre 2026 à 14:05:07 UTC+99\n")


def test_an_unreadable_rfc_date_header_is_not_replaced_by_the_block() -> None:
    raw = "Subject: x\nDate: demain matin\n\nEnvoyé : samedi 21 novembre 2026 14:05\n"
    with pytest.raises(EmailHeaderError, match="Date illisible dans l'en-tête « Date: demain"):
        parse_email_date(raw)


def test_rfc_headers_without_date_fall_back_to_the_block_in_the_body() -> None:
    raw = GMAIL_ORIGINAL.replace("Date: Tue, 17 Nov 2026 12:07:09 +0100\n", "").replace(
        "Bonjour, veuillez", "Le mar. 17 nov. 2026 à 12:07, Conseiller a écrit :\nBonjour, veuillez"
    )
    assert parse_email_date(raw) == datetime(2026, 11, 17, 11, 7, tzinfo=UTC)


def test_text_without_any_date_line_says_what_to_paste() -> None:
    with pytest.raises(EmailHeaderError, match="Envoyé") as error:
        parse_email_date("Bonjour,\nvoici la brochure demandée.\n")
    assert "Afficher l'original" in str(error.value)


_FR_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FR_MONTHS = (
    *("janvier", "février", "mars", "avril", "mai", "juin"),
    *("juillet", "août", "septembre", "octobre", "novembre", "décembre"),
)


@given(
    local=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31, 23, 59)
    ).map(lambda d: d.replace(second=0, microsecond=0, fold=0))
)
@example(local=datetime(2026, 10, 25, 2, 30))  # lived twice
@example(local=datetime(2026, 3, 29, 2, 30))  # skipped
@example(local=datetime(2026, 2, 28, 23, 59))
def test_outlook_fr_block_round_trips_paris_local_times(local: datetime) -> None:
    raw = (
        f"De : Lexus Dijon <contact@exemple.fr>\n"
        f"Envoyé : {_FR_WEEKDAYS[local.weekday()]} {local.day} {_FR_MONTHS[local.month - 1]} "
        f"{local.year} {local:%H:%M}\n"
    )
    paris = ZoneInfo("Europe/Paris")
    expected = local.replace(tzinfo=paris)
    lived = expected.astimezone(UTC).astimezone(paris).replace(tzinfo=None) == local
    if lived and expected.utcoffset() == local.replace(tzinfo=paris, fold=1).utcoffset():
        moment = parse_email_date(raw)
        assert moment == expected
        assert moment.astimezone(paris).replace(tzinfo=None) == local
    else:  # the hour a change of time skips or repeats
        with pytest.raises(EmailHeaderError, match="changement d'heure"):
            parse_email_date(raw)
