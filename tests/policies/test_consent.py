"""The explicit "yes" an agreement needs: short acceptances pass, hesitation does not."""

import pytest

from policies.consent import is_explicit_yes


@pytest.mark.parametrize(
    "text",
    [
        "sim",
        "Sim!",
        "SIM, pode fechar",
        "aceito",
        "Aceito.",
        "fechado",
        "pode ser",
        "ok",
        "👍",
        "sim, quero a de 3x",
        "confirmo",
        "s",
        "Concordo com o acordo",
    ],
)
def test_clear_acceptances_are_a_yes(text: str) -> None:
    assert is_explicit_yes(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "não",
        "sim? quanto fica?",
        "ok mas não agora",
        "nao sei",
        "talvez",
        "quero pensar",
        "pode ser que eu consiga semana que vem",
        "depois eu vejo",
        "ok, e se for em 6x",
        "sim não",
        "n",
    ],
)
def test_hesitation_questions_and_negations_are_not_a_yes(text: str | None) -> None:
    assert not is_explicit_yes(text)
