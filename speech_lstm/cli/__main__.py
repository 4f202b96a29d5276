"""`python -m speech_lstm.cli <job> ...`: the `speech-lstm` command without its launcher."""

from speech_lstm.cli.main import main

if __name__ == "__main__":
    main()
