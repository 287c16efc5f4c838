"""Detection: normalize, run recognizers and NER, resolve overlaps. Pure and synchronous."""
