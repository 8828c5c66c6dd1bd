"""Mail: parsing (pure), importing, gateway and IMAP polling."""
