"""Rebuilds speech_lstm/synthetic/everyday_words.py from wordfreq and WordNet.

    python scripts/make_everyday_words.py      # needs: pip install wordfreq; wordnet-base

Run it only to change the list (a new wordfreq version, other filters); the result is
committed, so neither package is needed to generate a corpus.
"""

from _bootstrap import ROOT

from speech_lstm.synthetic.wordlist import write_everyday_module

if __name__ == "__main__":
    target = ROOT / "speech_lstm" / "synthetic" / "everyday_words.py"
    write_everyday_module(target)
    print(f"wrote {target}")
