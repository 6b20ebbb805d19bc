"""The ledger: customers, contracts, invoices, payments and the audit log."""
