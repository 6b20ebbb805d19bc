"""Reading CNAB 240 retornos and payments CSVs into incoming payments, and refusing bad lines."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from billing.bank_return import (
    CNAB240,
    CSV,
    ReturnFileRejected,
    read_payments,
    read_return_file,
)
from billing.notices import NoticeSource
from quita.clock import BUSINESS_TZ

DATA = Path(__file__).parent.parent / "data" / "bank_return"
BANK = "756"

# A field is (first position, last position, value), positions counted from 1 as FEBRABAN does.
# An int is written zero-padded to the right, a str padded with blanks on the left.
Field = tuple[int, int, int | str]


def record(*fields: Field) -> str:
    """A 240-character CNAB record with `fields` in place and blanks elsewhere."""
    chars = [" "] * 240
    for start, end, value in fields:
        width = end - start + 1
        text = str(value).zfill(width) if isinstance(value, int) else value.ljust(width)
        assert len(text) == width, f"{value!r} does not fit positions {start}-{end}"
        chars[start - 1 : end] = text
    return "".join(chars)


def file_header(kind: str = "2", generated: str = "12032025", nsa: int = 123) -> str:
    return record(
        (1, 3, BANK), (4, 7, 0), (8, 8, "0"),
        (18, 18, "2"), (19, 32, "11222333000181"),  # the ISP's CNPJ
        (53, 57, 3024), (58, 58, "0"), (59, 70, 123456), (71, 71, "7"),
        (73, 102, "PROVEDOR EXEMPLO LTDA"), (103, 132, "SICOOB"),
        (143, 143, kind), (144, 151, generated), (152, 157, "063015"), (158, 163, nsa),
        (164, 166, "087"), (167, 171, 1600),
    )  # fmt: skip


def lote_header(lote: int = 1, service: str = "01", generated: str = "12032025") -> str:
    return record(
        (1, 3, BANK), (4, 7, lote), (8, 8, "1"),
        (9, 9, "T"), (10, 11, service), (14, 16, "045"),
        (18, 18, "2"), (19, 33, 11222333000181),
        (54, 58, 3024), (59, 59, "0"), (60, 71, 123456), (72, 72, "7"),
        (74, 103, "PROVEDOR EXEMPLO LTDA"),
        (184, 191, 123), (192, 199, generated), (200, 207, generated),
    )  # fmt: skip


def segment_t(
    sequence: int, movement: str, nosso_numero: str, seu_numero: str, value: int, lote: int = 1
) -> str:
    """A segment T; `value` is the título's face value in centavos."""
    return record(
        (1, 3, BANK), (4, 7, lote), (8, 8, "3"), (9, 13, sequence), (14, 14, "T"),
        (16, 17, movement),
        (18, 22, 3024), (23, 23, "0"), (24, 35, 123456), (36, 36, "7"),
        (38, 57, nosso_numero), (58, 58, "1"), (59, 73, seu_numero), (74, 81, "10032025"),
        (82, 96, value), (97, 99, BANK), (100, 104, 3024), (105, 105, "0"),
        (131, 132, 9), (133, 133, "1"), (134, 148, 0), (149, 188, "ASSINANTE EXEMPLO"),
        (199, 213, 0),
    )  # fmt: skip


def segment_u(
    sequence: int,
    movement: str,
    paid: int,
    occurred: str,
    credited: str,
    interest: int = 0,
    lote: int = 1,
) -> str:
    """A segment U; `paid` and `interest` in centavos, dates as DDMMAAAA."""
    return record(
        (1, 3, BANK), (4, 7, lote), (8, 8, "3"), (9, 13, sequence), (14, 14, "U"),
        (16, 17, movement),
        (18, 32, interest), (33, 47, 0), (48, 62, 0), (63, 77, 0),
        (78, 92, paid), (93, 107, paid), (108, 122, 0), (123, 137, 0),
        (138, 145, occurred), (146, 153, credited),
        (158, 165, 0), (166, 180, 0), (211, 213, 0), (214, 233, 0),
    )  # fmt: skip


def lote_trailer(records: int, titles: int = 0, total: int = 0, lote: int = 1) -> str:
    return record(
        (1, 3, BANK), (4, 7, lote), (8, 8, "5"),
        (18, 23, records), (24, 29, titles), (30, 46, total),
        (47, 115, "0" * 69),
    )  # fmt: skip


def file_trailer(lotes: int, records: int) -> str:
    return record((1, 3, BANK), (4, 7, 9999), (8, 8, "9"), (18, 23, lotes), (24, 29, records))


def standard_details() -> list[str]:
    """Three liquidações (one paid late, with interest) and one entrada confirmada."""
    return [
        segment_t(1, "06", "0000012345", "FAT-2025-0001", 9990),
        segment_u(2, "06", 9990, "10032025", "11032025"),
        segment_t(3, "06", "0000012346", "FAT-2025-0002", 12990),
        segment_u(4, "06", 13250, "10032025", "11032025", interest=260),
        segment_t(5, "02", "0000012347", "FAT-2025-0003", 7990),
        segment_u(6, "02", 0, "10032025", "00000000"),
        segment_t(7, "06", "0000012348", "FAT-2025-0004", 123450),
        segment_u(8, "06", 123450, "11032025", "12032025"),
    ]


def retorno(details: list[str], header: str | None = None) -> list[str]:
    """A whole retorno of one lote around `details`, with the trailers' counts right."""
    return [
        header or file_header(),
        lote_header(),
        *details,
        lote_trailer(len(details) + 2, titles=len(details) // 2, total=face_values(details)),
        file_trailer(1, len(details) + 4),
    ]


def face_values(details: list[str]) -> int:
    """The sum of the segments T's face values, in centavos, as the trailer de lote totals it."""
    return sum(int(line[81:96]) for line in details if line[13:14] == "T")


def write(path: Path, lines: list[str]) -> Path:
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("ascii"))
    return path


def rejected(path: Path) -> list[tuple[int, str]]:
    with pytest.raises(ReturnFileRejected) as caught:
        read_payments(path)
    return [(error.line, error.message) for error in caught.value.errors]


# CNAB 240


def replace(line: str, start: int, end: int, text: str) -> str:
    """`line` with positions `start`-`end` (from 1, both included) replaced by `text`."""
    assert len(text) == end - start + 1
    return line[: start - 1] + text + line[end:]


def detail_after_the_lote() -> list[str]:
    """The standard retorno with a segment T between the trailer de lote and the file's trailer."""
    *body, _ = retorno(standard_details())
    return [*body, segment_t(9, "06", "0000012399", "FAT-2025-0099", 100), file_trailer(1, 13)]


def renumbered(details: list[str], first: int) -> list[str]:
    return [replace(line, 9, 13, f"{first + index:05d}") for index, line in enumerate(details)]


def with_detail(index: int, change: Callable[[str], str]) -> list[str]:
    details = standard_details()
    details[index] = change(details[index])
    return retorno(details)


def test_committed_retorno_is_the_one_the_builder_writes(tmp_path: Path) -> None:
    built = write(tmp_path / "built.ret", retorno(standard_details()))

    assert (DATA / "cobranca_756.ret").read_bytes() == built.read_bytes()


def test_liquidations_in_a_retorno_become_payments() -> None:
    payments = read_payments(DATA / "cobranca_756.ret")

    assert [payment.reference for payment in payments] == ["0000012345", "0000012346", "0000012348"]
    first = payments[0]
    assert first.source is NoticeSource.BANK_RETURN
    assert first.source_ref == "cnab240:756:0000012345:2025-03-10"
    assert first.amount == Decimal("99.90")
    assert first.raw == {
        "bank": "756",
        "movement": "06",
        "nosso_numero": "0000012345",
        "seu_numero": "FAT-2025-0001",
        "title_value": "99.90",
        "paid_value": "99.90",
        "occurrence_date": "2025-03-10",
        "credit_date": "2025-03-11",
    }


def test_the_amount_is_what_was_paid_not_the_face_value() -> None:
    late = read_payments(DATA / "cobranca_756.ret")[1]

    assert late.amount == Decimal("132.50")
    assert late.raw["title_value"] == "129.90"


def test_amounts_are_exact_decimals_with_two_places() -> None:
    amounts = [payment.amount for payment in read_payments(DATA / "cobranca_756.ret")]

    assert amounts == [Decimal("99.90"), Decimal("132.50"), Decimal("1234.50")]
    assert all(isinstance(amount, Decimal) for amount in amounts)
    assert [amount.as_tuple().exponent for amount in amounts] == [-2, -2, -2]


def test_paid_at_is_the_occurrence_date_at_noon_in_sao_paulo() -> None:
    last = read_payments(DATA / "cobranca_756.ret")[2]

    assert last.paid_at == datetime(2025, 3, 11, 12, 0, tzinfo=BUSINESS_TZ)
    assert last.paid_at.utcoffset() is not None


def test_other_occurrences_are_skipped_and_counted() -> None:
    result = read_return_file(DATA / "cobranca_756.ret")

    assert result.format == CNAB240
    assert len(result.payments) == 3
    assert result.skipped == {"02": 1}


def test_a_liquidation_after_baixa_is_a_payment_too(tmp_path: Path) -> None:
    details = [
        segment_t(1, "17", "0000020001", "FAT-2025-0100", 9990),
        segment_u(2, "17", 9990, "14032025", "17032025"),
    ]

    payments = read_payments(write(tmp_path / "late.ret", retorno(details)))

    assert [payment.reference for payment in payments] == ["0000020001"]


def test_reading_the_same_file_twice_gives_the_same_source_refs() -> None:
    first = [payment.source_ref for payment in read_payments(DATA / "cobranca_756.ret")]
    second = [payment.source_ref for payment in read_payments(DATA / "cobranca_756.ret")]

    assert first == second
    assert len(set(first)) == 3


def test_a_redelivered_retorno_gives_the_same_source_refs(tmp_path: Path) -> None:
    # The bank sends the same liquidation again in a later file: other header, other place.
    details = [
        segment_t(1, "02", "0000099999", "FAT-2025-0099", 5000),
        segment_u(2, "02", 0, "12032025", "00000000"),
        *renumbered(standard_details()[6:8], 3),
    ]
    header = file_header(generated="13032025", nsa=124)

    again = read_payments(write(tmp_path / "again.ret", retorno(details, header)))

    original = read_payments(DATA / "cobranca_756.ret")
    assert [payment.source_ref for payment in again] == [original[2].source_ref]


BAD_RETORNOS: dict[str, tuple[Callable[[], list[str]], int, str]] = {
    "short record": (
        lambda: with_detail(1, lambda line: line[:239]),
        4,
        "record has 239 characters; CNAB 240 records have 240",
    ),
    "blank line": (
        lambda: [*retorno(standard_details())[:5], "", *retorno(standard_details())[5:]],
        6,
        "blank line; every line of a CNAB 240 file is a record",
    ),
    "unknown record type": (
        lambda: retorno([*standard_details()[:4], record((1, 3, BANK), (4, 7, 1), (8, 8, "4"))]),
        7,
        "record type '4' (position 8) is not one of 0, 1, 3, 5, 9",
    ),
    "detail outside a lote": (
        detail_after_the_lote,
        12,
        "detail record (type 3) outside a lote",
    ),
    "T without its U": (
        lambda: retorno([*standard_details()[:2], segment_t(3, "06", "0000012399", "X", 100)]),
        5,
        "segment T is not followed by its segment U",
    ),
    "U without its T": (
        lambda: retorno([segment_u(1, "06", 100, "10032025", "11032025")]),
        3,
        "segment U without its segment T on the line before",
    ),
    "U numbered as its T": (
        lambda: with_detail(1, lambda line: replace(line, 9, 13, "00001")),
        4,
        "sequence number (positions 9-13) is '00001', expected 00002",
    ),
    "wrong lote record count": (
        lambda: [*retorno(standard_details())[:10], lote_trailer(11), file_trailer(1, 12)],
        11,
        "records in the lote (positions 18-23) says 11, but 10 were read",
    ),
    "wrong file record count": (
        lambda: [*retorno(standard_details())[:11], file_trailer(1, 13)],
        12,
        "records in the file (positions 24-29) says 13, but 12 were read",
    ),
    "wrong lote count": (
        lambda: [*retorno(standard_details())[:11], file_trailer(2, 12)],
        12,
        "lotes in the file (positions 18-23) says 2, but 1 were read",
    ),
    "paid value not numeric": (
        lambda: with_detail(1, lambda line: replace(line, 78, 92, "0000000000099,9")),
        4,
        "valor pago (positions 78-92) is not numeric: '0000000000099,9'",
    ),
    "impossible occurrence date": (
        lambda: with_detail(3, lambda line: replace(line, 138, 145, "30022025")),
        6,
        "data da ocorrência (positions 138-145) is not a valid DDMMAAAA date: '30022025'",
    ),
    "movement differs between T and U": (
        lambda: with_detail(1, lambda line: replace(line, 16, 17, "09")),
        4,
        "segment U has código de movimento retorno '09', but its segment T (line 3) has '06'",
    ),
    "blank nosso número": (
        lambda: with_detail(0, lambda line: replace(line, 38, 57, " " * 20)),
        3,
        "nosso número (positions 38-57) is blank in a liquidação",
    ),
    "liquidated twice": (
        lambda: retorno([*standard_details(), *renumbered(standard_details()[:2], 9)]),
        11,
        "nosso número 0000012345 is liquidated twice on 2025-03-10 (first at line 3)",
    ),
    "other bank on a record": (
        lambda: with_detail(0, lambda line: replace(line, 1, 3, "001")),
        3,
        "bank code '001' differs from the header's 756",
    ),
    "a remessa, not a retorno": (
        lambda: retorno(standard_details(), file_header(kind="1")),
        1,
        "remessa/retorno code (position 143) is '1', expected '2'",
    ),
    "not cobrança": (
        lambda: [file_header(), lote_header(service="20"), *retorno(standard_details())[2:]],
        2,
        "service type (positions 10-11) is '20'; only cobrança ('01') is read",
    ),
    "no trailer de arquivo": (
        lambda: retorno(standard_details())[:-1],
        11,
        "the file ends without a trailer de arquivo (record type 9)",
    ),
}


@pytest.mark.parametrize("case", BAD_RETORNOS.keys())
def test_each_bad_cnab_record_is_reported_with_its_line_and_nothing_is_returned(
    tmp_path: Path, case: str
) -> None:
    build, line, message = BAD_RETORNOS[case]

    errors = rejected(write(tmp_path / "bad.ret", build()))

    assert [number for number, _ in errors] == [line]
    assert message in errors[0][1]


def test_every_bad_line_is_listed_in_one_rejection(tmp_path: Path) -> None:
    details = standard_details()
    details[1] = replace(details[1], 78, 92, "X" * 15)
    details[7] = replace(details[7], 146, 153, "31042025")
    path = write(tmp_path / "two.ret", retorno(details))

    with pytest.raises(ReturnFileRejected) as caught:
        read_payments(path)

    assert [error.line for error in caught.value.errors] == [4, 10]
    assert f"{path}:4: valor pago" in str(caught.value)
    assert f"{path}:10: data do crédito" in str(caught.value)


def test_a_zeroed_credit_date_is_no_date(tmp_path: Path) -> None:
    details = [
        segment_t(1, "06", "0000020002", "FAT-2025-0101", 9990),
        segment_u(2, "06", 9990, "14032025", "00000000"),
    ]

    [payment] = read_payments(write(tmp_path / "no_credit.ret", retorno(details)))

    assert payment.raw["credit_date"] == ""


# Payments CSV


def test_csv_rows_become_payments() -> None:
    payments = read_payments(DATA / "payments.csv")

    assert [payment.source_ref for payment in payments] == [
        "csv:pix-e2e-0001",
        "csv:pix-e2e-0002",
        "csv:pix-e2e-0003",
    ]
    first, second, third = payments
    assert first.source is NoticeSource.CSV
    assert first.reference == "FAT-2025-0001"
    assert first.amount == Decimal("99.90")
    assert first.paid_at == datetime(2025, 3, 10, 12, 0, tzinfo=BUSINESS_TZ)
    assert first.raw == {
        "external_id": "pix-e2e-0001",
        "reference": "FAT-2025-0001",
        "amount": "99.90",
        "paid_at": "2025-03-10",
    }
    assert second.paid_at == datetime.fromisoformat("2025-03-10T14:32:05-03:00")
    assert third.paid_at == datetime(2025, 3, 11, 9, 15, tzinfo=BUSINESS_TZ)


def test_csv_amounts_are_exact_decimals_with_two_places() -> None:
    amounts = [payment.amount for payment in read_payments(DATA / "payments.csv")]

    assert amounts == [Decimal("99.90"), Decimal("1234.56"), Decimal("79.90")]
    assert [amount.as_tuple().exponent for amount in amounts] == [-2, -2, -2]


def test_semicolon_cp1252_csv_takes_brazilian_comma_amounts() -> None:
    payments = read_payments(DATA / "pagamentos_cp1252.csv")

    assert [payment.amount for payment in payments] == [Decimal("99.90"), Decimal("1234.56")]
    assert payments[1].source_ref == "csv:depósito-0002"
    assert read_return_file(DATA / "pagamentos_cp1252.csv").format == CSV


BAD_CSV_ROWS = {
    "amount with letters": ("p1,FAT-1,12a,2025-03-10", "amount '12a' contains 'a'"),
    "unquoted comma amount": ("p1,FAT-1,5,00,2025-03-10", "expected 4 columns, found 5"),
    "negative amount": ("p1,FAT-1,-5.00,2025-03-10", "amount '-5.00' is negative"),
    "free amount": ("p1,FAT-1,0.00,2025-03-10", "amount must be greater than zero"),
    "Brazilian date": ("p1,FAT-1,5.00,10/03/2025", "paid_at is not an ISO date or date-time"),
    "empty reference": ("p1,,5.00,2025-03-10", "reference is empty"),
    "empty external_id": (",FAT-1,5.00,2025-03-10", "external_id is empty"),
}


@pytest.mark.parametrize("case", BAD_CSV_ROWS.keys())
def test_each_bad_csv_row_is_reported_with_its_line_and_nothing_is_returned(
    tmp_path: Path, case: str
) -> None:
    row, message = BAD_CSV_ROWS[case]
    path = tmp_path / "bad.csv"
    path.write_text(f"external_id,reference,amount,paid_at\nok-1,FAT-9,1.00,2025-03-10\n{row}\n")

    errors = rejected(path)

    assert [number for number, _ in errors] == [3]
    assert message in errors[0][1]


def test_a_repeated_external_id_is_reported_at_its_second_line(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "external_id;reference;amount;paid_at\n"
        "p1;FAT-1;5,00;2025-03-10\n"
        "\n"
        "p1;FAT-2;6,00;2025-03-10\n"
    )

    assert rejected(path) == [(4, "duplicate external_id 'p1' (first at line 2)")]


def test_a_csv_header_without_a_column_is_refused_at_line_1(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("external_id,amount,paid_at\np1,5.00,2025-03-10\n")

    assert rejected(path) == [
        (1, "missing column(s): reference (expected: external_id,reference,amount,paid_at)")
    ]


# Detection


def test_a_file_of_neither_format_is_refused_saying_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "extrato.txt"
    path.write_text("Data;Histórico;Valor\n10/03/2025;PIX RECEBIDO;99,90\n")

    [(line, message)] = rejected(path)

    assert line == 1
    assert message.startswith("not a bank return file: expected a CNAB 240 retorno")
    assert "external_id,reference,amount,paid_at" in message


def test_a_cnab_400_retorno_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "cnab400.ret"
    path.write_text("02RETORNO01COBRANCA".ljust(400) + "\r\n")

    [(line, message)] = rejected(path)

    assert line == 1
    assert "CNAB 400 retorno, which is not read" in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.ret"
    path.write_bytes(b"\r\n")

    assert rejected(path)[0][1].startswith("the file is empty")


def test_a_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "binary.ret"
    path.write_bytes(b"\x81\x8d\x8f\x90\x9d")

    assert rejected(path)[0][1].startswith("the file is not text")
