"""The purpose → template mapping: shipped defaults, the policy file's `templates` section."""

from pathlib import Path

import pytest

from channels.whatsapp.templates import DEFAULT_TEMPLATES, TemplateSpec
from quita.policy import PolicyError, load_policy


def write_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_policy_file_the_default_mapping_applies() -> None:
    templates = load_policy(None).templates

    assert templates is DEFAULT_TEMPLATES
    spec = templates.for_purpose("payment_confirmation")
    assert spec is not None
    assert (spec.name, spec.language) == ("quita_pagamento_recebido", "pt_BR")
    assert templates.for_purpose("no_such_purpose") is None


def test_the_policy_file_adds_replaces_and_removes_purposes(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        """
templates:
  purposes:
    cadence_reminder:
      name: quita_lembrete_vencimento
      text: "Olá, {{1}}! A {{2}} lembra que sua fatura vence em breve."
      parameters: [customer_first_name, isp_name]
    payment_confirmation:
      name: pagamento_ok
      language: pt_BR
      text: "Pagamento recebido. {{1}}"
      parameters: [isp_name]
    staff_reply: null
""",
    )

    templates = load_policy(path).templates

    reminder = templates.for_purpose("cadence_reminder")
    assert reminder is not None
    assert reminder.parameters == ("customer_first_name", "isp_name")
    confirmation = templates.for_purpose("payment_confirmation")
    assert confirmation is not None
    assert confirmation.name == "pagamento_ok"
    assert templates.for_purpose("staff_reply") is None
    assert templates.for_purpose("agent_reply") is not None


@pytest.mark.parametrize(
    ("section", "complaint"),
    [
        ("  colours: {}", "templates.colours: unknown key"),
        ("  purposes:\n    x: {name: ok, text: 'Oi {{1}}', parameters: [cpf]}", "'cpf'"),
        ("  purposes:\n    x: {name: ok, text: 'Oi {{1}} {{2}}', parameters: [isp_name]}", "2"),
        ("  purposes:\n    x: {name: Not OK, text: 'Oi'}", "lowercase"),
        ("  purposes:\n    x: {text: 'Oi'}", "name and text are required"),
        ("  purposes:\n    x: {name: ok, text: 'Oi', body: 'x'}", "body: unknown key"),
        ("  purposes:\n    x: {name: ok, text: 'Oi', language: portuguese}", "pt_BR"),
    ],
)
def test_a_bad_templates_section_names_the_key(
    tmp_path: Path, section: str, complaint: str
) -> None:
    path = write_policy(tmp_path, "templates:\n" + section + "\n")

    with pytest.raises(PolicyError, match="templates") as raised:
        load_policy(path)

    assert complaint in str(raised.value)


def test_a_spec_fills_its_parameters_from_sources_or_the_messages_own_values() -> None:
    spec = TemplateSpec(
        name="quita_oi",
        text="Olá, {{1}}! Aqui é a {{2}}.",
        parameters=("customer_first_name", "isp_name"),
    )
    values = {"customer_first_name": "Maria", "isp_name": "Conecta", "isp_cnpj": "x"}

    from_sources = spec.message(values)
    own = spec.message(values, ["João", "Rede Sul"])

    assert from_sources.parameters == ["Maria", "Conecta"]
    assert from_sources.body == "Olá, Maria! Aqui é a Conecta."
    assert own.body == "Olá, João! Aqui é a Rede Sul."
