"""`quita pix decode` and `quita boleto parse`: read payment instruments back into fields."""

import json
from typing import Annotated, Any

import typer

from billing import boleto as boleto_codec
from billing import pix as pix_codec
from quita.cli.common import business_day

pix_app = typer.Typer(help="Pix BR Code (copia e cola) tools.", no_args_is_help=True)
boleto_app = typer.Typer(help="Boleto barcode and digitable line tools.", no_args_is_help=True)


@pix_app.command("decode")
def pix_decode(payload: Annotated[str, typer.Argument(help="The Pix copy-paste code.")]) -> None:
    """Decode a Pix BR Code; a wrong CRC or malformed field exits non-zero and says which."""
    _print_json(pix_codec.decode(payload).to_json())


@boleto_app.command("parse")
def boleto_parse(
    digits: Annotated[str, typer.Argument(help="47-digit line or 44-digit barcode.")],
    today: Annotated[
        str | None, typer.Option("--today", help="Reference day for the due-date factor.")
    ] = None,
) -> None:
    """Parse a boleto; a wrong check digit exits non-zero and says which field."""
    _print_json(boleto_codec.parse(digits, business_day(today)).to_json())


def _print_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
