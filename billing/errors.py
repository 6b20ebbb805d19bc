"""The ledger's exception tree."""


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


class InvalidValue(LedgerError, ValueError):
    """A value from outside (CSV cell, form field, webhook) that cannot be accepted.

    The message is shown to staff as `file:line: message`, so it says precisely what is wrong
    and never echoes a full CPF, CNPJ or phone number.
    """
