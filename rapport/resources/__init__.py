"""Generic machinery every resource shares: fields, filters, paging, the nine operations."""
