"""The workshop dashboard (needs the ``viz`` extra): ``wingsim dashboard``."""
