"""Applications for recognition: the county's form, its evidence, its submitted versions."""
