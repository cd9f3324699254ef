"""Photos: decoding safely, the library of originals, and the import pipeline."""
