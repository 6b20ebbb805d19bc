"""The intents a debtor's message can carry."""

from enum import StrEnum


class Intent(StrEnum):
    """What a debtor's message asks for or says. Values are stable: they live in checkpoints."""

    GREETING = "greeting"
    BALANCE = "balance"  # how much do I owe, which bills are open
    PIX = "pix"  # wants to pay now by Pix (key, copy-and-paste code, QR code)
    BOLETO = "boleto"  # wants a (second-copy) boleto, a barcode, the bill's PDF
    RENEGOTIATE = "renegotiate"  # installments, discount, agreement, "can't pay it all"
    PROMISE = "promise"  # will pay on a date (possibly an unknown one: "quando receber")
    ALREADY_PAID = "already_paid"  # says it is paid, or sends a receipt
    TRUST_UNBLOCK = "trust_unblock"  # asks to have the service released on trust
    SERVICE_DOWN = "service_down"  # service is cut or down; when does it come back
    DISPUTE = "dispute"  # contests the charge: unknown, wrong value, cancelled, not theirs
    HUMAN = "human"  # wants a person
    OPT_OUT = "opt_out"  # wants no more messages
    QUESTION = "question"  # a general question for the knowledge base
    AFFIRM = "affirm"
    DENY = "deny"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    ABUSE = "abuse"  # insults or profanity
    INJECTION = "injection"  # tries to instruct the system; changes nothing, tools decide
    IDENTITY_ANSWER = "identity_answer"  # mostly digits: (the start of) a CPF or CNPJ
    UNKNOWN = "unknown"  # nothing recognised; appears alone
