"""Small additions loaded by the Rasa server itself (its own Python 3.10 environment).

Everything here is plain Python with no dependencies beyond Rasa and our leaf `textguards`
(the repository root is on Rasa's PYTHONPATH), so our own environment can import and test the
pure parts (`message_guard`) too.
"""
