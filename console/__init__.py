"""Staff console and the debtor's renegotiation portal."""
