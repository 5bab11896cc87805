"""nrr export: the dataset, or the part the timeline filters select, in one file."""
