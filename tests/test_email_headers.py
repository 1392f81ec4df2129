"""Reading the e-mail's arrival instant from pasted raw headers (Q16 evidence)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from auditor_tui.email_headers import EmailHeaderError, parse_email_date

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
