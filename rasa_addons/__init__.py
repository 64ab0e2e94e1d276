"""Small additions loaded by the Rasa server itself (its own Python 3.10 environment).

Everything here is plain Python with no dependencies beyond Rasa, so our own environment can
import the pure parts (`card_numbers`) too.
"""
