"""The dealer directory: CSV import, phone numbers, type-ahead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor_tui.domain.dealers import Dealer, matches, normalise_phone
from auditor_tui.exchange.dealers_csv import (
    DealerImportError,
    RowProblem,
    parse_dealers_csv,
    sample_dealers_path,
)

DATA = Path(__file__).parent / "data"
# France's ranges reserved for fiction (ARCEP) that the sample may use.
FICTION_PREFIXES = ("+3319900", "+3335301", "+3346571")
HEADER = "name;city;department;country;phone;email"
DIJON = "Lexus Dijon;Dijon;21;FR;03 53 01 20 06;contact@lexus-dijon.example"
# Ofcom's drama range: a valid British number that is nobody's.
UK_FICTION = "+44 20 7946 0123"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "dealers.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(DealerImportError) as caught:
        parse_dealers_csv(path)
    assert caught.value.path == path
    return [(p.line, p.field) for p in caught.value.problems]


@pytest.fixture(scope="module")
def sample() -> list[Dealer]:
    return parse_dealers_csv(sample_dealers_path())


def example(region: str, fmt: int = phonenumbers.PhoneNumberFormat.E164) -> str:
    """phonenumbers' own example number for a region (no literal number in our tests)."""
    number = phonenumbers.example_number(region)
    assert number is not None
    return phonenumbers.format_number(number, fmt)


def by_name(dealers: list[Dealer], name: str) -> Dealer:
    return next(d for d in dealers if d.name == name)


# --- the shipped sample ---------------------------------------------------------------------


def test_sample_has_the_41_dealers_with_unique_ids(sample: list[Dealer]) -> None:
    assert len(sample) == 41
    assert len({d.id for d in sample}) == 41
    assert len({d.phone for d in sample}) == 41


def test_sample_phones_are_valid_e164_in_fiction_ranges_only(sample: list[Dealer]) -> None:
    for dealer in sample:
        number = phonenumbers.parse(dealer.phone, None)
        assert phonenumbers.is_valid_number(number), dealer
        assert dealer.phone == phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )
        assert dealer.phone.startswith(FICTION_PREFIXES), dealer


def test_sample_emails_use_the_reserved_example_domain(sample: list[Dealer]) -> None:
    for dealer in sample:
        assert dealer.email is not None
        assert dealer.email.endswith(".example"), dealer


def test_sample_covers_alsace_moselle_and_monaco(sample: list[Dealer]) -> None:
    assert {"57", "67", "68"} <= {d.department for d in sample}
    monaco = by_name(sample, "Lexus Monaco")
    assert (monaco.country, monaco.department) == ("MC", None)
    assert all(d.department is not None for d in sample if d.country == "FR")
    dijon = by_name(sample, "Lexus Dijon")
    assert dijon == Dealer(
        id="lexus-dijon",
        name="Lexus Dijon",
        city="Dijon",
        department="21",
        country="FR",
        phone="+33353012006",
        email="contact@lexus-dijon.example",
    )


def test_dealer_round_trips_through_dict(sample: list[Dealer]) -> None:
    for dealer in sample:
        assert Dealer.from_dict(dealer.to_dict()) == dealer


def test_from_dict_accepts_an_audit_record_dealer() -> None:
    record = {"name": "Lexus Orléans", "country": "FR", "department": "45", "phone": "+33199001007"}
    dealer = Dealer.from_dict(record)
    assert (dealer.id, dealer.city, dealer.email) == ("lexus-orleans", "", None)


@pytest.mark.parametrize("bad", [{"name": "Lexus Dijon", "country": "FR"}, {"name": 21}])
def test_from_dict_rejects_missing_or_non_text_fields(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="concessionnaire"):
        Dealer.from_dict(bad)


# --- file format ----------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_delimiter_bom_and_line_endings(
    tmp_path: Path, delimiter: str, encoding: str, newline: str
) -> None:
    rows = [HEADER, DIJON, "Lexus Orléans;Orléans;45;FR;01 99 00 10 07;"]
    text = newline.join(r.replace(";", delimiter) for r in rows) + newline
    dealers = parse_dealers_csv(write(tmp_path, text, encoding=encoding))
    assert [(d.id, d.phone, d.email) for d in dealers] == [
        ("lexus-dijon", "+33353012006", "contact@lexus-dijon.example"),
        ("lexus-orleans", "+33199001007", None),
    ]


def test_header_is_case_and_space_insensitive_and_columns_may_be_reordered(
    tmp_path: Path,
) -> None:
    text = " Phone ;Country;NAME;Department;City\n03.53.01.20.06;fr;Lexus Dijon;21;Dijon\n"
    (dealer,) = parse_dealers_csv(write(tmp_path, text))
    assert (dealer.name, dealer.country, dealer.phone, dealer.email) == (
        "Lexus Dijon",
        "FR",
        "+33353012006",
        None,
    )


def test_id_column_overrides_the_derived_slug(tmp_path: Path) -> None:
    text = f"id;{HEADER}\nLEX-21;{DIJON}\n;Lexus Metz;Metz;57;FR;03 53 01 20 02;\n"
    assert [d.id for d in parse_dealers_csv(write(tmp_path, text))] == ["LEX-21", "lexus-metz"]


def test_blank_lines_and_empty_trailing_rows_are_skipped(tmp_path: Path) -> None:
    text = f"{HEADER}\n\n{DIJON}\n;;;;;\n\n"
    assert len(parse_dealers_csv(write(tmp_path, text))) == 1


def test_department_codes(tmp_path: Path) -> None:
    rows = [
        "Lexus Bourg;Bourg-en-Bresse;1;FR;04 65 71 30 40;",  # Excel dropped the zero
        "Lexus Ajaccio;Ajaccio;2a;FR;04 65 71 30 41;",
        "Lexus Bastia;Bastia;2B;FR;04 65 71 30 42;",
        "Lexus Martinique;Le Lamentin;972;FR;04 65 71 30 43;",
    ]
    dealers = parse_dealers_csv(write(tmp_path, "\n".join([HEADER, *rows])))
    assert [d.department for d in dealers] == ["01", "2A", "2B", "972"]


# --- problems: every one, with its line and field ------------------------------------------


def test_bad_file_reports_every_problem_with_line_and_field() -> None:
    path = DATA / "dealers-bad.csv"
    with pytest.raises(DealerImportError) as caught:
        parse_dealers_csv(path)
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [
        (3, "name"),  # missing name
        (4, "country"),  # "BE"
        (5, "phone"),  # "01 23"
        (6, "phone"),  # a valid British number for a French dealer
        (7, "department"),  # "20": Corsica is 2A / 2B
        (9, "department"),  # Monaco has no department (line 8 is blank)
        (10, "name"),  # second "Lexus Dijon"
        (11, "department"),  # missing for FR
        (11, "email"),
    ]
    messages = {(p.line, p.field): p.message for p in problems}
    assert messages[(3, "name")] == "nom manquant"
    assert messages[(4, "country")] == 'pays inconnu "BE" (attendu FR ou MC)'
    assert messages[(5, "phone")] == 'numéro de téléphone invalide pour FR : "01 23"'
    assert "GB" in messages[(6, "phone")]
    assert '"20"' in messages[(7, "department")]
    assert "ligne 2" in messages[(10, "name")]
    text = str(caught.value)
    assert "9 problèmes" in text
    assert all(str(p) in text for p in problems)
    assert str(problems[2]) == (
        'dealers-bad.csv, ligne 5, champ phone : numéro de téléphone invalide pour FR : "01 23"'
    )


def test_missing_column_is_reported_on_line_1_along_with_row_problems() -> None:
    assert problems_of(DATA / "dealers-missing-column.csv") == [(1, "department"), (3, "country")]


def test_duplicate_id_column_is_reported_on_the_id_field(tmp_path: Path) -> None:
    text = f"id;{HEADER}\nd1;{DIJON}\nd1;Lexus Metz;Metz;57;FR;03 53 01 20 02;\n"
    assert problems_of(write(tmp_path, text)) == [(3, "id")]


@pytest.mark.parametrize("text", ["", "\ufeff", "  \n\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert problems_of(write(tmp_path, text)) == [(1, "")]


def test_header_only_file_has_no_dealers(tmp_path: Path) -> None:
    assert problems_of(write(tmp_path, HEADER + "\n")) == [(1, "")]


def test_file_not_in_utf8_names_the_line(tmp_path: Path) -> None:
    text = f"{HEADER}\n{DIJON}\nLexus Orléans;Orléans;45;FR;01 99 00 10 07;\n"
    path = write(tmp_path, text, encoding="cp1252")
    assert problems_of(path) == [(3, "")]


def test_line_numbers_count_a_quoted_field_spanning_lines(tmp_path: Path) -> None:
    text = f'{HEADER}\n"Lexus\nDijon";Dijon;21;FR;03 53 01 20 06;\nLexus Metz;Metz;57;FR;01 23;\n'
    assert problems_of(write(tmp_path, text)) == [(4, "phone")]


def test_too_many_values_on_a_row(tmp_path: Path) -> None:
    text = f"{HEADER}\n{DIJON};en trop\n"
    assert problems_of(write(tmp_path, text)) == [(2, "")]


def test_nothing_is_returned_when_one_row_is_bad(tmp_path: Path) -> None:
    text = f"{HEADER}\n{DIJON}\nLexus Metz;Metz;57;FR;;\n"
    with pytest.raises(DealerImportError) as caught:
        parse_dealers_csv(write(tmp_path, text))
    (problem,) = caught.value.problems
    assert (problem.line, problem.field, problem.message) == (
        3,
        "phone",
        "numéro de téléphone manquant",
    )


def test_row_problem_str_without_file_or_field() -> None:
    assert str(RowProblem(1, "", "fichier vide")) == "ligne 1 : fichier vide"


# --- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["01 99 00 12 34", "01.99.00.12.34", "0199001234", "+33 1 99 00 12 34", "0033199001234"]
)
def test_normalise_phone_french_formats(raw: str) -> None:
    assert normalise_phone(raw, "FR") == "+33199001234"


def test_monaco_dealer_accepts_monaco_and_french_numbers() -> None:
    e164 = example("MC")
    assert (
        normalise_phone(example("MC", phonenumbers.PhoneNumberFormat.INTERNATIONAL), "MC") == e164
    )
    assert normalise_phone(example("MC", phonenumbers.PhoneNumberFormat.NATIONAL), "MC") == e164
    # Monaco reserves no range for fiction: the sample's Monaco dealer has a French one.
    assert normalise_phone("04 65 71 30 15", "MC") == "+33465713015"


def test_french_dealer_rejects_a_monaco_number() -> None:
    with pytest.raises(ValueError, match=r"invalide pour FR .*\(numéro de MC\)"):
        normalise_phone(example("MC"), "FR")


def test_french_dealer_accepts_an_overseas_department_number() -> None:
    national = example("GP", phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalise_phone(national, "FR").startswith("+590")


@pytest.mark.parametrize(
    ("raw", "country", "message"),
    [
        ("01 23", "FR", 'numéro de téléphone invalide pour FR : "01 23"'),
        ("01 23", "MC", 'numéro de téléphone invalide pour MC : "01 23"'),
        (UK_FICTION, "MC", f'numéro de téléphone invalide pour MC : "{UK_FICTION}" (numéro de GB)'),
        (
            "pas un numéro",
            "FR",
            'lettres dans le numéro (« pas un numéro ») : chiffres seulement, "pas un numéro"',
        ),
        ("  ", "FR", "numéro de téléphone manquant"),
        ("01 99 00 12 34", "BE", 'pays inconnu "BE" (attendu FR ou MC)'),
    ],
)
def test_normalise_phone_rejects(raw: str, country: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        normalise_phone(raw, country)
    assert str(caught.value) == message


fiction_numbers = st.tuples(
    st.sampled_from(["01 99 00", "03 53 01", "04 65 71"]),
    st.integers(0, 9999),
)


@given(fiction_numbers, st.sampled_from([" ", ".", "", "-"]), st.booleans())
def test_fiction_numbers_normalise_and_display_back(
    number: tuple[str, int], separator: str, international: bool
) -> None:
    prefix, tail = number
    national = f"{prefix} {tail // 100:02d} {tail % 100:02d}"
    raw = national.replace(" ", separator)
    if international:
        raw = "+33" + raw[1:]
    e164 = normalise_phone(raw, "FR")
    assert e164 == "+33" + national.replace(" ", "")[1:]
    assert normalise_phone(e164, "MC") == e164
    dealer = Dealer("x", "x", "x", "21", "FR", e164)
    assert dealer.phone_display == national


def test_phone_display(sample: list[Dealer]) -> None:
    assert by_name(sample, "Lexus Dijon").phone_display == "03 53 01 20 06"
    assert by_name(sample, "Lexus Monaco").phone_display == "04 65 71 30 15"
    e164 = example("MC")
    display = Dealer("m", "Lexus Monaco", "Monaco", None, "MC", e164).phone_display
    assert display.startswith("+377 ")
    assert display.replace(" ", "") == e164
    assert Dealer("x", "x", "x", None, "MC", "garbage").phone_display == "garbage"


# --- type-ahead -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("orleans", ["Lexus Orléans"]),
        ("ORLÉANS", ["Lexus Orléans"]),
        ("21", ["Lexus Dijon"]),
        ("dij lex", ["Lexus Dijon"]),
        ("  dijon  ", ["Lexus Dijon"]),
        ("etienne", ["Lexus Saint-Étienne"]),
        ("mont d’or", ["Lexus Lyon Nord"]),  # typographic apostrophe
        ("roche yon", ["Lexus La Roche-sur-Yon"]),
        ("venissieux", ["Lexus Lyon Sud"]),
        ("lyon", ["Lexus Lyon Nord", "Lexus Lyon Sud"]),
        ("dijon metz", []),
    ],
)
def test_matches(sample: list[Dealer], query: str, expected: list[str]) -> None:
    assert [d.name for d in sample if matches(d, query)] == expected


def test_empty_query_matches_everyone(sample: list[Dealer]) -> None:
    assert all(matches(d, "") and matches(d, "   ") for d in sample)


def test_search_text_is_folded(sample: list[Dealer]) -> None:
    assert by_name(sample, "Lexus Besançon").search_text() == "lexus besancon besancon 25"
    assert by_name(sample, "Lexus Monaco").search_text().strip() == "lexus monaco monaco"


@given(st.data())
def test_every_dealer_matches_its_own_name_and_department(
    sample: list[Dealer], st_data: st.DataObject
) -> None:
    dealer = st_data.draw(st.sampled_from(sample))
    assert matches(dealer, dealer.name.upper())
    assert matches(dealer, dealer.city)
    if dealer.department:
        assert matches(dealer, dealer.department)


# --- architecture ---------------------------------------------------------------------------


def test_dealers_module_does_not_import_textual() -> None:
    code = "import sys, auditor_tui.domain.dealers; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# --- issue 12.11: nothing in a directory file changed or blamed silently ----------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("0353ABCDEF", "lettres dans le numéro"),  # phonenumbers reads letters as keypad digits
        ("03 53 01 20 06 x12", "extension"),
        ("03 53 01 20 06 ext. 12", "extension"),
        ("03 53 01 20 06 poste 12", "extension"),
        ("03 53 01 20 06 #12", "extension"),
        ("03 53 01 20 06;ext=12", "extension"),
        ("03 53 01 20 0６", "caractère"),  # a fullwidth digit
        ("03 53 +01 20 06", "caractère"),  # a « + » inside the number
    ],
)
def test_letters_and_extensions_are_refused_not_changed(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_phone(raw, "FR")


def test_a_letter_in_a_directory_phone_is_named_at_its_line(tmp_path: Path) -> None:
    text = f"{HEADER}\n{DIJON}\nLexus Metz;Metz;57;FR;03 53 01 20 02 x12;\n"
    assert problems_of(write(tmp_path, text)) == [(3, "phone")]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # An unterminated quote used to swallow the rest of the file into one field, then
        # blame a missing city.
        (f'{HEADER}\n{DIJON}\n"Lexus Metz;Metz;57;FR;03 53 01 20 02;\n', 3),
        (f'{HEADER}\n"Lexus Metz;Metz;57;FR;03 53 01 20 02;\n{DIJON}\n', 2),
        (f'{HEADER}\n"Lexus" Metz;Metz;57;FR;03 53 01 20 02;\n', 2),
    ],
)
def test_a_csv_syntax_error_is_reported_at_its_line(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(DealerImportError) as caught:
        parse_dealers_csv(write(tmp_path, text))
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [(line, "")]
    assert "guillemet" in problems[0].message
    assert "ville manquante" not in str(caught.value)
