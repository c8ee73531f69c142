"""Personal data: finding it in what people write, so it can be scrubbed.

- ``detect``: offline detectors (emails, phone numbers, card numbers, IBANs, IP addresses,
  national ids), each a pattern confirmed by a checksum or a parser, and masking.
"""
